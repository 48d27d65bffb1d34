//! The `aepipe` binary under input a demanding user or a script throws at it:
//! closed pipes, absurd durations, text logs that look like JSON. Each case
//! was a panic or a wrong refusal before its fix.

use crate::client_common;
use crate::common;

use std::path::Path;
use std::process::Stdio;

use assert_cmd::cargo::CommandCargoExt;
use assert_cmd::Command;
use client_common::{Answer, ScriptedServer};
use common::TestServer;
use predicates::prelude::*;
use serde_json::Value;

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

#[test]
fn completions_into_a_closed_pipe_end_quietly() {
    let home = tempfile::tempdir().unwrap();
    // The reader is gone before the first byte: every write fails with EPIPE.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = std::process::Command::cargo_bin("aepipe")
        .unwrap()
        .env("XDG_CONFIG_HOME", home.path())
        .args(["completions", "fish"])
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}

#[test]
fn a_since_beyond_the_calendar_is_a_usage_error() {
    let home = tempfile::tempdir().unwrap();
    aepipe(home.path())
        .args(["rawlog", "p", "l", "--since", "999999999d"])
        .args(["--url", "http://127.0.0.1:9", "--token", "t"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("too long").and(predicate::str::contains("panicked").not()),
        );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_logs_starting_with_a_bracket_are_sent_as_text() {
    let server = TestServer::start().await;
    let home = tempfile::tempdir().unwrap();
    let out = aepipe(home.path())
        .env("AEPIPE_URL", server.url())
        .env("AEPIPE_TOKEN", server.token())
        .args(["log", "shop", "web", "--format", "json"])
        .write_stdin("[INFO] server started\n[2026-11-27 02:00:00] WARN disk at 91%\n")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let summary: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(summary["written"], 2, "{summary}");
    let logs = server
        .client()
        .rawlog("shop", "web", &Default::default())
        .await
        .unwrap()
        .logs;
    let mut messages: Vec<&str> = logs
        .iter()
        .filter_map(|e| e.data["message"].as_str())
        .collect();
    messages.sort();
    assert_eq!(
        messages,
        [
            "[2026-11-27 02:00:00] WARN disk at 91%",
            "[INFO] server started"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_url_that_is_not_aepipe_shows_what_answered() {
    let page = ScriptedServer::start(vec![Answer::text(
        200,
        "<html>\n  <body>Welcome to nginx!</body>\n</html>",
    )])
    .await;
    let home = tempfile::tempdir().unwrap();
    aepipe(home.path())
        .args(["projects", "--url", &page.url(), "--token", "t"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("unexpected answer")
                .and(predicate::str::contains("<html> <body>Welcome to nginx!")),
        );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_token_on_query_gets_the_token_hint() {
    let server = TestServer::start().await;
    let home = tempfile::tempdir().unwrap();
    // `query` wraps the error in context; the hint must still come.
    aepipe(home.path())
        .args(["query", "shop", "web", "SELECT 1"])
        .args(["--url", &server.url(), "--token", "wrong"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("401").and(predicate::str::contains("hint: check the token")),
        );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tail_follow_stops_on_errors_that_waiting_cannot_fix() {
    let server = TestServer::start().await;
    let home = tempfile::tempdir().unwrap();
    // A bad name: a usage error at once, not retries forever.
    aepipe(home.path())
        .args(["tail", "-f", "bad name", "web"])
        .args(["--url", &server.url(), "--token", server.token()])
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("invalid project name")
                .and(predicate::str::contains("retrying").not()),
        );
    // A wrong token: the 401 and the hint, exit 1.
    aepipe(home.path())
        .args(["tail", "-f", "shop", "web"])
        .args(["--url", &server.url(), "--token", "wrong"])
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("401").and(predicate::str::contains("hint: check the token")),
        );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_url_with_a_path_gets_a_hint() {
    let server = TestServer::start().await;
    let home = tempfile::tempdir().unwrap();
    aepipe(home.path())
        .args(["projects", "--url", &format!("{}/v1", server.url())])
        .args(["--token", server.token()])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("404")
                .and(predicate::str::contains("without a path such as /v1")),
        );
}
