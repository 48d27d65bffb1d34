//! What a new user trips over in the CLI (issue 13), end to end with the
//! real binary against the real local server: one CSV writer with the
//! explorer (LF, same bytes), notes for names with no data, for ref_ids
//! without payload and for a rawlog window cut at its limit, durations
//! with units, `config show` without a token, unknown levels.

use crate::common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use aepipe::client::{DataPoint, LogEntry};
use aepipe::tui::grid::export::{write_rows, ExportFormat};
use assert_cmd::Command;
use common::TestServer;
use predicates::prelude::*;

/// The binary with a clean environment: no user config, no colours.
fn aepipe(config_home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("aepipe").unwrap();
    cmd.env_remove("AEPIPE_URL")
        .env_remove("AEPIPE_TOKEN")
        .env_remove("AEPIPE_PROFILE")
        .env("XDG_CONFIG_HOME", config_home)
        .env("HOME", config_home)
        .env("NO_COLOR", "1");
    cmd
}

fn connected(server: &TestServer, config_home: &Path) -> Command {
    let mut cmd = aepipe(config_home);
    cmd.env("AEPIPE_URL", server.url())
        .env("AEPIPE_TOKEN", server.token());
    cmd
}

fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_ends_lines_with_lf_and_matches_the_explorer_export_byte_for_byte() {
    let server = TestServer::start().await;
    let home = tempfile::tempdir().unwrap();
    let points = vec![
        DataPoint::new("checkout")
            .blobs(["a,b", "say \"hi\"", ""])
            .doubles([93.49842105263158, 2.0]),
        DataPoint::new("login").blobs(["line\nbreak", "x", "y"]),
    ];
    server
        .client()
        .ingest("shop", "api", &points)
        .await
        .unwrap();
    let sql = "SELECT blob3 AS event, blob6 AS b6, blob7 AS b7, blob8 AS b8, double1 AS d1, \
               double2 AS d2 FROM aepipe ORDER BY event";
    let cli = connected(&server, home.path())
        .args(["query", "shop", "api", "--format", "csv", sql])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(!cli.contains(&b'\r'), "{}", String::from_utf8_lossy(&cli));

    let result = server.client().query("shop", "api", sql).await.unwrap();
    let rows: Vec<usize> = (0..result.len()).collect();
    let mut explorer = Vec::new();
    write_rows(&mut explorer, &result, &rows, ExportFormat::Csv).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&cli),
        String::from_utf8_lossy(&explorer)
    );
    assert_eq!(cli, explorer);
    let text = String::from_utf8(cli).unwrap();
    assert!(
        text.contains("\"a,b\",\"say \"\"hi\"\"\",\"\",93.49842105263158,2\n"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_with_no_data_is_named_with_the_known_ones() {
    let server = TestServer::start().await;
    let home = tempfile::tempdir().unwrap();
    server
        .client()
        .log("shop", "api", &[LogEntry::new("hello")])
        .await
        .unwrap();

    connected(&server, home.path())
        .args(["query", "shop", "apii", "SELECT blob3 AS event FROM aepipe"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "note: project shop / logstore apii has no data yet; known logstores of shop: api",
        ));
    connected(&server, home.path())
        .args(["logstores", "nosuch"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "note: project nosuch has no data yet; known projects: shop",
        ));
    connected(&server, home.path())
        .args(["tail", "nosuch", "api"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "note: project nosuch / logstore api has no data yet; known projects: shop",
        ));
    // A name that has data gets no note.
    connected(&server, home.path())
        .args(["tail", "shop", "api"])
        .assert()
        .success()
        .stderr(predicate::str::contains("note").not());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tail_follow_on_a_typo_says_so_instead_of_waiting_silently() {
    let server = TestServer::start().await;
    let home = tempfile::tempdir().unwrap();
    server
        .client()
        .log("shop", "api", &[LogEntry::new("hello")])
        .await
        .unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_aepipe"))
        .args(["tail", "-f", "shop", "apii"])
        .env_remove("AEPIPE_PROFILE")
        .env("XDG_CONFIG_HOME", home.path())
        .env("HOME", home.path())
        .env("AEPIPE_URL", server.url())
        .env("AEPIPE_TOKEN", server.token())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let line = rx.recv_timeout(Duration::from_secs(60));
    let _ = child.kill();
    let _ = child.wait();
    let line = line.expect("a note on stderr");
    assert!(
        line.contains("logstore apii has no data yet; known logstores of shop: api")
            && line.contains("waiting for its first record"),
        "{line}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn detail_names_missing_ref_ids_and_shows_whole_payloads() {
    let server = TestServer::start().await;
    let home = tempfile::tempdir().unwrap();
    let mut payload = serde_json::Map::new();
    payload.insert("note".into(), serde_json::json!("p".repeat(150)));
    server
        .client()
        .ingest("shop", "api", &[DataPoint::new("order").payload(payload)])
        .await
        .unwrap();
    let result = server
        .client()
        .query("shop", "api", "SELECT blob5 AS ref_id FROM aepipe")
        .await
        .unwrap();
    let ref_id = result.display(0, 0).into_owned();
    assert_eq!(ref_id.len(), 36, "{ref_id}");

    let out = connected(&server, home.path())
        .args([
            "detail",
            "shop",
            "api",
            &ref_id,
            "no-such-id",
            "--format",
            "table",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "note: no payload for 1 of 2 ref_id(s): no-such-id",
        ))
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains(&"p".repeat(150)), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rawlog_says_when_the_window_holds_more_than_it_printed() {
    let server = TestServer::start().await;
    let home = tempfile::tempdir().unwrap();
    let entries: Vec<LogEntry> = (0..5).map(|i| LogEntry::new(format!("m{i}"))).collect();
    server.client().log("shop", "api", &entries).await.unwrap();
    connected(&server, home.path())
        .args(["rawlog", "shop", "api", "--since", "1h", "--limit", "3"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "note: the newest 3 records of the window; there may be more",
        ));
    connected(&server, home.path())
        .args(["rawlog", "shop", "api", "--since", "1h", "--limit", "10"])
        .assert()
        .success()
        .stderr(predicate::str::contains("there may be more").not());
}

#[test]
fn a_duration_without_a_unit_is_refused() {
    let home = tempfile::tempdir().unwrap();
    aepipe(home.path())
        .args(["rawlog", "shop", "api", "--since", "15"])
        .env("AEPIPE_URL", "http://127.0.0.1:9")
        .env("AEPIPE_TOKEN", "t")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "\"15\" needs a unit: 15s, 15m, 15h or 15d",
        ));
}

#[test]
fn config_show_lists_everything_when_the_token_env_is_unset() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("aepipe");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        "default_profile = \"prod\"\n\n[profiles.prod]\nurl = \"https://logs.example.dev\"\ntoken_env = \"AEPIPE_TEST_SURELY_UNSET\"\n",
    )
    .unwrap();
    let out = stdout_of(
        aepipe(home.path())
            .env_remove("AEPIPE_TEST_SURELY_UNSET")
            .args(["config", "show", "--format", "table"]),
    );
    assert!(out.contains("profiles:    prod"), "{out}");
    assert!(
        out.contains("url:         https://logs.example.dev  (from profile \"prod\")"),
        "{out}"
    );
    assert!(
        out.contains("token:       (none: profile \"prod\" takes its token from $AEPIPE_TEST_SURELY_UNSET, which is not set)"),
        "{out}"
    );
    let json: serde_json::Value = serde_json::from_str(&stdout_of(
        aepipe(home.path())
            .env_remove("AEPIPE_TEST_SURELY_UNSET")
            .args(["config", "show", "--format", "json"]),
    ))
    .unwrap();
    assert_eq!(json["url"], "https://logs.example.dev");
    assert_eq!(json["token"], serde_json::Value::Null);
    assert!(json["token_error"]
        .as_str()
        .unwrap_or("")
        .contains("not set"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_level_is_sent_with_a_warning() {
    let server = TestServer::start().await;
    let home = tempfile::tempdir().unwrap();
    connected(&server, home.path())
        .args(["log", "shop", "api", "--message", "x", "--level", "eror"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: level \"eror\" is not one of debug, info, warn, error (did you mean \"error\"?)",
        ));
    connected(&server, home.path())
        .args(["log", "shop", "api", "--message", "x", "--level", "warn"])
        .assert()
        .success()
        .stderr(predicate::str::contains("warning").not());
}

/// `aepipe query --format ndjson … | head -1`: the reader closing the pipe
/// is how it says it has enough, not a bad answer from the server. The
/// rows are streamed, so the write fails mid-answer; the command ends
/// quietly with success.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ndjson_into_a_closed_pipe_ends_quietly() {
    let server = TestServer::start().await;
    let home = tempfile::tempdir().unwrap();
    let points: Vec<DataPoint> = (0..250)
        .map(|i| DataPoint::new(format!("event-{i}")).blobs([format!("{i:0>200}")]))
        .collect();
    for _ in 0..8 {
        server
            .client()
            .ingest("shop", "api", &points)
            .await
            .unwrap();
    }
    let bin = assert_cmd::cargo::cargo_bin("aepipe");
    let mut child = std::process::Command::new(bin)
        .args([
            "query",
            "shop",
            "api",
            "--format",
            "ndjson",
            "SELECT blob3, blob6 FROM aepipe",
        ])
        .env_remove("AEPIPE_PROFILE")
        .env("XDG_CONFIG_HOME", home.path())
        .env("HOME", home.path())
        .env("AEPIPE_URL", server.url())
        .env("AEPIPE_TOKEN", server.token())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader is dropped here: the rest of ~400 KB meets a closed pipe.
    assert!(first.starts_with("{\"blob3\":\"event-"), "{first}");
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert!(!stderr.contains("error"), "{stderr}");
}

/// A deployment that head-samples its raw logs (AEPIPE_RAWLOG_SAMPLE_RATE,
/// or `rawlog_sample_rate` in the profile): `tail` and `rawlog` say so once
/// on stderr, and the lines themselves stay as they are.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tail_and_rawlog_say_when_raw_logs_are_sampled() {
    let server = TestServer::start().await;
    let home = tempfile::tempdir().unwrap();
    server
        .client()
        .log("shop", "api", &[LogEntry::new("kept line")])
        .await
        .unwrap();
    for cmd in [
        ["tail", "shop", "api", "-n", "5"],
        ["rawlog", "shop", "api", "--format", "table"],
    ] {
        let out = connected(&server, home.path())
            .env("AEPIPE_RAWLOG_SAMPLE_RATE", "0.25")
            .args(cmd)
            .assert()
            .success()
            .get_output()
            .clone();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert!(stdout.contains("kept line"), "{cmd:?}: {stdout}");
        assert!(
            stderr.contains("head-sampled at 25%") && stderr.contains("1 write in 4"),
            "{cmd:?}: {stderr}"
        );
        assert!(!stdout.contains("sampled"), "{cmd:?}: {stdout}");
    }
    // Unset: not a word about it.
    let out = connected(&server, home.path())
        .args(["tail", "shop", "api", "-n", "5"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("sampled"));
    // A rate that is not one is refused with the variable's name.
    connected(&server, home.path())
        .env("AEPIPE_RAWLOG_SAMPLE_RATE", "25%")
        .args(["tail", "shop", "api"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("AEPIPE_RAWLOG_SAMPLE_RATE"));
}
