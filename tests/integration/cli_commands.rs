//! The `aepipe` binary end to end against the real local server: formats,
//! stdin, exit codes (0 ok, 1 API/network, 2 usage/validation), config
//! files. `tail -f` is in cli_tail_follow.

use crate::client_common;
use crate::common;

use std::path::Path;

use aepipe::client::LogEntry;
use assert_cmd::Command;
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
async fn ingest_log_and_read_back_in_every_format() {
    let server = TestServer::start().await;
    let home = tempfile::tempdir().unwrap();

    let ndjson = "{\"event\":\"http\",\"blobs\":[\"GET\"],\"doubles\":[3.5]}\n\n{\"event\":\"db\",\"level\":\"warn\"}\n";
    let summary: Value = serde_json::from_str(&stdout_of(
        connected(&server, home.path())
            .args(["ingest", "shop", "web", "-"])
            .write_stdin(ndjson),
    ))
    .unwrap();
    assert_eq!(summary["written"], 2);
    assert_eq!(summary["failed"], serde_json::json!([]));

    let file = home.path().join("points.json");
    std::fs::write(&file, r#"[{"event":"a"},{"event":"b"},{"event":"c"}]"#).unwrap();
    connected(&server, home.path())
        .args(["ingest", "shop", "web"])
        .arg(&file)
        .args(["--format", "table"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "written 3, skipped 0, failed 0 of 3 items",
        ));

    connected(&server, home.path())
        .args([
            "log",
            "shop",
            "api",
            "--message",
            "hello",
            "--level",
            "error",
        ])
        .args(["--field", "user=u1", "--field", "n=5"])
        .assert()
        .success();
    connected(&server, home.path())
        .args(["log", "shop", "api", "--level", "debug"])
        .write_stdin("plain one\nplain two\n")
        .assert()
        .success();

    // Piped without --format: JSON.
    let projects: Value =
        serde_json::from_str(&stdout_of(connected(&server, home.path()).arg("projects"))).unwrap();
    assert_eq!(projects, serde_json::json!([{"project": "shop"}]));
    assert_eq!(
        stdout_of(connected(&server, home.path()).args(["logstores", "shop", "--format", "csv"])),
        "logstore\napi\nweb\n"
    );
    assert_eq!(
        stdout_of(connected(&server, home.path()).args(["--format", "table", "logstores", "shop"])),
        "logstore\napi\nweb\n"
    );

    let raw = stdout_of(connected(&server, home.path()).args([
        "rawlog", "shop", "api", "--format", "ndjson", "--since", "1h",
    ]));
    let lines: Vec<Value> = raw
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["data"]["message"], "hello", "oldest first");
    assert_eq!(lines[0]["data"]["n"], 5);
    assert_eq!(lines[0]["level"], "error");
    assert_eq!(lines[2]["level"], "debug");

    let table = stdout_of(
        connected(&server, home.path())
            .args(["tail", "shop", "api", "-n", "5", "--format", "table"]),
    );
    let rows: Vec<&str> = table.lines().collect();
    assert_eq!(rows.len(), 3);
    assert!(
        rows[0].contains("  ERROR  hello  {\"n\":5,\"user\":\"u1\"}"),
        "{}",
        rows[0]
    );
    let filtered = stdout_of(connected(&server, home.path()).args([
        "tail", "shop", "api", "--level", "debug", "--grep", "two$", "--format", "ndjson",
    ]));
    assert_eq!(filtered.lines().count(), 1);
    assert!(filtered.contains("plain two"));

    let csv = stdout_of(
        connected(&server, home.path()).args(["rawlog", "shop", "web", "--format", "csv"]),
    );
    assert!(csv.starts_with("timestamp,level,message,data\n"));
    assert!(
        csv.contains(",info,http,\"{\"\"blobs\"\":[\"\"GET\"\"],\"\"doubles\"\":[3.5]}\"\n"),
        "{csv}"
    );

    let detail: Value = serde_json::from_str(&stdout_of(connected(&server, home.path()).args([
        "detail",
        "shop",
        "web",
        "no-such-id",
    ])))
    .unwrap();
    assert_eq!(detail, serde_json::json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_from_argument_file_and_stdin() {
    let server = TestServer::start().await;
    let home = tempfile::tempdir().unwrap();
    let c = server.client();
    let points: Vec<_> = ["a", "b", "b"]
        .iter()
        .map(|e| aepipe::client::DataPoint::new(*e))
        .collect();
    c.ingest("q", "l", &points).await.unwrap();
    let sql = "SELECT blob3 AS event, count() AS n FROM aepipe GROUP BY event ORDER BY event";

    let json: Value = serde_json::from_str(&stdout_of(
        connected(&server, home.path()).args(["query", "q", "l", sql]),
    ))
    .unwrap();
    assert_eq!(
        json,
        serde_json::json!([{"event": "a", "n": "1"}, {"event": "b", "n": "2"}])
    );

    let file = home.path().join("q.sql");
    std::fs::write(&file, sql).unwrap();
    let csv = stdout_of(
        connected(&server, home.path())
            .args(["query", "q", "l", "--format", "csv", "-f"])
            .arg(&file),
    );
    assert_eq!(csv, "event,n\na,1\nb,2\n");

    connected(&server, home.path())
        .args(["query", "q", "l", "-", "--format", "table"])
        .write_stdin(sql)
        .assert()
        .success()
        .stdout("event  n\na      1\nb      2\n")
        .stderr(predicate::str::contains("2 rows"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_codes_and_messages() {
    let server = TestServer::start().await;
    let home = tempfile::tempdir().unwrap();

    // 2: usage and validation, nothing sent.
    connected(&server, home.path())
        .args(["log", "bad/name", "l", "--message", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid project name"));
    connected(&server, home.path())
        .args(["ingest", "p", "l"])
        .write_stdin("{\"event\":\"a\"}\n{\"event\":\"b\",\"blob\":[\"x\"]}\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("line 2: unknown field \"blob\""));
    let many_blobs = serde_json::json!([{"event": "e", "blobs": vec!["b"; 16]}]).to_string();
    connected(&server, home.path())
        .args(["ingest", "p", "l"])
        .write_stdin(many_blobs)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("16 blobs").and(predicate::str::contains("nothing was sent")),
        );
    connected(&server, home.path())
        .args(["rawlog", "p", "l", "--limit", "500"])
        .assert()
        .code(2);
    connected(&server, home.path())
        .args(["rawlog", "p", "l", "--since", "5 fortnights"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unit"));
    connected(&server, home.path())
        .args(["query", "p"])
        .assert()
        .code(2);
    aepipe(home.path())
        .args(["projects"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no aepipe URL configured"));
    // Nothing was written by any of the above.
    assert!(server.client().list_projects().await.unwrap().is_empty());

    // 1: API and network errors.
    aepipe(home.path())
        .args(["projects", "--url", &server.url(), "--token", "wrong"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("401").and(predicate::str::contains("unauthorized")));
    connected(&server, home.path())
        .args(["ingest", "p", "l"])
        .write_stdin("[]")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no data points"));
    let addr = client_common::closed_port();
    aepipe(home.path())
        .args([
            "projects",
            "--url",
            &format!("http://{addr}"),
            "--token",
            "t",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("could not reach aepipe"));

    // 0 and a script for the shell.
    aepipe(home.path())
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("aepipe"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profiles_and_bad_config_files() {
    let server = TestServer::start().await;
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("aepipe");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config.toml");

    let path_out = stdout_of(aepipe(home.path()).args(["config", "path"]));
    assert_eq!(path_out.trim(), path.display().to_string());

    std::fs::write(
        &path,
        format!(
            "default_profile = \"local\"\n\n[profiles.local]\nurl = \"{}\"\ntoken_env = \"LOCAL_TOKEN\"\n\n[profiles.other]\nurl = \"http://127.0.0.1:9\"\ntoken = \"x\"\n",
            server.url()
        ),
    )
    .unwrap();
    server
        .client()
        .log("viaprofile", "l", &[LogEntry::new("m")])
        .await
        .unwrap();
    let out = stdout_of(
        aepipe(home.path())
            .env("LOCAL_TOKEN", server.token())
            .args(["projects", "--format", "table"]),
    );
    assert_eq!(out, "project\nviaprofile\n");
    let shown = stdout_of(
        aepipe(home.path())
            .env("LOCAL_TOKEN", server.token())
            .args(["config", "show", "--format", "table"]),
    );
    assert!(shown.contains("profile:     local"), "{shown}");
    assert!(shown.contains(&server.url()), "{shown}");
    assert!(!shown.contains(server.token()), "token masked: {shown}");
    assert!(shown.contains("(from profile \"local\")"), "{shown}");
    // AEPIPE_PROFILE picks another profile; a missing one is named.
    aepipe(home.path())
        .env("AEPIPE_PROFILE", "nope")
        .arg("projects")
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("no profile named \"nope\"")
                .and(predicate::str::contains("known: local, other")),
        );

    std::fs::write(&path, "[profiles.a]\nurl = \"http://x\"\ntokne = \"t\"\n").unwrap();
    aepipe(home.path())
        .arg("projects")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "{}:3: profiles.a.tokne: unknown field",
            path.display()
        )));
    std::fs::write(&path, "[profiles.a]\nurl = 8787\n").unwrap();
    aepipe(home.path())
        .args(["config", "show"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "{}:2: profiles.a.url: invalid type",
            path.display()
        )));
    std::fs::write(&path, "[profiles.a\nurl = \"http://x\"\n").unwrap();
    aepipe(home.path())
        .arg("projects")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("{}:1:", path.display())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tail_shows_the_newest_lines_of_a_big_batch() {
    let server = TestServer::start().await;
    let home = tempfile::tempdir().unwrap();
    // 250 lines in one request: likely one millisecond, more than a page.
    let lines: Vec<LogEntry> = (0..250).map(|i| LogEntry::new(format!("m{i}"))).collect();
    server.client().log("big", "batch", &lines).await.unwrap();
    let out = stdout_of(
        connected(&server, home.path())
            .args(["tail", "big", "batch", "-n", "3", "--format", "ndjson"]),
    );
    let messages: Vec<String> = out
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["data"]["message"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(messages, ["m247", "m248", "m249"]);
}
