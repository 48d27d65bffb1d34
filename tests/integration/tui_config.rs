//! The explorer's own files (keymap.toml, explorer.toml): a bad file stops
//! the start with a message naming the file and the problem, before the
//! terminal is touched.

use assert_cmd::Command;
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;

fn explorer_with(file: &str, text: &str) -> assert_cmd::assert::Assert {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config/aepipe");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join(file), text).unwrap();
    Command::cargo_bin("aepipe")
        .unwrap()
        .env_remove("AEPIPE_URL")
        .env_remove("AEPIPE_TOKEN")
        .env_remove("AEPIPE_PROFILE")
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .timeout(std::time::Duration::from_secs(60))
        .assert()
}

#[test]
fn a_keymap_with_an_unknown_command_is_refused_with_its_name() {
    explorer_with("keymap.toml", "[grid]\n\"x\" = \"explode\"\n")
        .failure()
        .stderr(contains("\"explode\": unknown command").and(contains("keymap.toml")));
}

#[test]
fn a_keymap_with_a_bad_key_name_is_refused() {
    explorer_with("keymap.toml", "[tree]\n\"ctrl-banana\" = \"up\"\n")
        .failure()
        .stderr(contains("unknown key name \"ctrl-banana\""));
}

#[test]
fn a_keymap_that_is_not_toml_is_refused() {
    explorer_with("keymap.toml", "[grid\n")
        .failure()
        .stderr(contains("not valid TOML"));
}

#[test]
fn explorer_settings_with_an_unknown_key_are_refused() {
    explorer_with("explorer.toml", "mose = false\n")
        .failure()
        .stderr(contains("explorer.toml").and(contains("unknown field `mose`")));
}
