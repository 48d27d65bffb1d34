//! `aepipe tail` as a user runs it: `-n` with filters means the newest N
//! *matching* records, and `-f` follows a deployment whose records arrive
//! late without losing or doubling any.

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use aepipe::client::LogEntry;
use aepipe::server::Realism;
use common::TestServer;

fn aepipe(server: &TestServer, home: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aepipe"));
    cmd.env_remove("AEPIPE_PROFILE")
        .env("AEPIPE_URL", server.url())
        .env("AEPIPE_TOKEN", server.token())
        .env("XDG_CONFIG_HOME", home)
        .env("HOME", home)
        .env("NO_COLOR", "1");
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn n_counts_matching_records_paging_back_as_needed() {
    let server = TestServer::start().await;
    let c = server.client();
    let errors: Vec<LogEntry> = (0..5)
        .map(|i| LogEntry::new(format!("boom {i}")).level("error"))
        .collect();
    c.log("shop", "api", &errors).await.unwrap();
    // Far more than a page of other lines after them.
    for round in 0..3 {
        let infos: Vec<LogEntry> = (0..200)
            .map(|i| LogEntry::new(format!("fine {round}-{i}")))
            .collect();
        c.log("shop", "api", &infos).await.unwrap();
    }
    let home = tempfile::tempdir().unwrap();
    let out = aepipe(&server, home.path())
        .args([
            "tail", "shop", "api", "--level", "error", "-n", "3", "--format", "ndjson",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let messages: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["data"]["message"].to_string()
        })
        .collect();
    assert_eq!(
        messages,
        ["\"boom 2\"", "\"boom 3\"", "\"boom 4\""],
        "{text}"
    );
    let grep = aepipe(&server, home.path())
        .args(["tail", "shop", "api", "--grep", "boom [01]", "-n", "5"])
        .output()
        .unwrap();
    let text = String::from_utf8(grep.stdout).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_prints_late_records_once_each() {
    let server = TestServer::start_with(|c| {
        c.realism = Realism {
            seed: 4,
            max_visibility_delay: Duration::from_secs(3),
            ..Realism::default()
        }
    })
    .await;
    let home = tempfile::tempdir().unwrap();
    let mut child = aepipe(&server, home.path())
        .args([
            "tail",
            "late",
            "app",
            "-f",
            "-n",
            "0",
            "--interval",
            "200ms",
            "--format",
            "ndjson",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap_or_default()).is_err() {
                break;
            }
        }
    });
    // The tail is running once it made its first request.
    let deadline = Instant::now() + Duration::from_secs(30);
    while server.request_counts().rawlog == 0 {
        assert!(Instant::now() < deadline, "tail never polled");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let c = server.client();
    for batch in 0..30 {
        let lines: Vec<LogEntry> = (0..10)
            .map(|i| LogEntry::new("x").field("seq", batch * 10 + i))
            .collect();
        c.log("late", "app", &lines).await.unwrap();
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let mut seqs = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(40);
    while seqs.len() < 300 && Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            let v: serde_json::Value = serde_json::from_str(&line).unwrap();
            seqs.push(v["data"]["seq"].as_u64().unwrap());
        }
    }
    // Anything doubled would come within a few more polls.
    let settle = Instant::now() + Duration::from_secs(1);
    while Instant::now() < settle {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(100)) {
            let v: serde_json::Value = serde_json::from_str(&line).unwrap();
            seqs.push(v["data"]["seq"].as_u64().unwrap());
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let n = seqs.len();
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(seqs.len(), n, "none doubled");
    assert_eq!(seqs, (0..300).collect::<Vec<u64>>(), "none lost");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_too_big_for_cloudflare_says_to_narrow_the_range() {
    let server = TestServer::start_with(|c| {
        c.realism = Realism {
            query_script: vec![aepipe::server::Fault::TooBig],
            ..Realism::default()
        }
    })
    .await;
    let home = tempfile::tempdir().unwrap();
    let out = aepipe(&server, home.path())
        .args(["query", "shop", "api", "SELECT 1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("CF API 507"), "{err}");
    assert!(err.contains("narrow the time range"), "{err}");
    assert_eq!(server.request_counts().query, 1, "not retried");
}
