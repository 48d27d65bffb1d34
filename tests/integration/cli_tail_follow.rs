//! `aepipe tail -f` as a process: every line once and in order under a
//! writer of ~1,000 lines/s, and an outage it reports and recovers from.
//! Both wait for what the tail prints, never for a fixed time.

use crate::client_common::{Proxy, Watched};
use crate::common::TestServer;

use std::collections::HashMap;
use std::time::Duration;

use aepipe::client::{Client, LogEntry};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(60);

fn tail_follow(url: &str, token: &str, project: &str, logstore: &str, interval: &str) -> Watched {
    let home = tempfile::tempdir().expect("temp dir");
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("aepipe"));
    cmd.args([
        "tail",
        project,
        logstore,
        "-f",
        "-n",
        "0",
        "--interval",
        interval,
        "--format",
        "ndjson",
    ])
    .env_remove("AEPIPE_PROFILE")
    .env("AEPIPE_URL", url)
    .env("AEPIPE_TOKEN", token)
    .env("XDG_CONFIG_HOME", home.path())
    .env("NO_COLOR", "1");
    Watched::spawn(cmd)
}

fn message(line: &str) -> String {
    serde_json::from_str::<Value>(line).expect("an NDJSON line")["data"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Write "ping N" lines until the tail shows one: from then on it follows,
/// and every later line must appear.
async fn until_following(tail: &Watched, client: &Client, project: &str, logstore: &str) {
    let deadline = std::time::Instant::now() + WAIT;
    for n in 0.. {
        client
            .log(project, logstore, &[LogEntry::new(format!("ping {n}"))])
            .await
            .expect("log");
        let seen = tokio::time::timeout(
            Duration::from_millis(500),
            tail.until("a ping", WAIT, |out, _| {
                out.iter().any(|l| message(l).starts_with("ping "))
            }),
        )
        .await;
        if seen.is_ok() {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the tail never showed a line: {:?}",
            tail.stderr()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tail_follow_under_a_thousand_lines_per_second() {
    let server = TestServer::start().await;
    let c = server.client();
    c.log("live", "app", &[LogEntry::new("before")])
        .await
        .unwrap();
    let tail = tail_follow(&server.url(), server.token(), "live", "app", "500ms");
    until_following(&tail, &c, "live", "app").await;

    // ~1,000 lines/s for 3 s: 10 lines every 10 ms.
    let total = 3_000u64;
    let mut tick = tokio::time::interval(Duration::from_millis(10));
    for start in (0..total).step_by(10) {
        tick.tick().await;
        let batch: Vec<LogEntry> = (start..start + 10)
            .map(|i| LogEntry::new(format!("line {i}")).field("seq", i))
            .collect();
        c.log("live", "app", &batch).await.unwrap();
    }
    // A last line: once it is shown, a lost or doubled line would show too.
    c.log("live", "app", &[LogEntry::new("end")]).await.unwrap();
    tail.until("the last line", WAIT, |out, _| {
        out.last().is_some_and(|l| message(l) == "end")
    })
    .await;

    let out = tail.stdout();
    assert!(
        !out.iter().any(|l| message(l) == "before"),
        "-n 0 shows no backlog"
    );
    let seqs: Vec<u64> = out
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok()?["data"]["seq"].as_u64())
        .collect();
    let mut counts: HashMap<u64, usize> = HashMap::new();
    for s in &seqs {
        *counts.entry(*s).or_default() += 1;
    }
    assert!(counts.values().all(|n| *n == 1), "a line was printed twice");
    assert_eq!(
        seqs,
        (0..total).collect::<Vec<_>>(),
        "stderr: {:?}",
        tail.stderr()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tail_follow_says_it_retries_and_recovers() {
    let server = TestServer::start().await;
    // The tail reaches the server through a proxy, so the outage is the
    // proxy's: the port stays held and is never reused.
    let proxy = Proxy::start(server.addr()).await;
    let c = server.client();
    let tail = tail_follow(&proxy.url(), server.token(), "down", "app", "200ms");
    until_following(&tail, &c, "down", "app").await;

    proxy.set_down(true);
    tail.until("the outage reported", WAIT, |_, err| {
        err.iter().any(|l| l.contains("retrying in"))
    })
    .await;
    c.log("down", "app", &[LogEntry::new("during the outage")])
        .await
        .unwrap();
    proxy.set_down(false);
    c.log("down", "app", &[LogEntry::new("after the outage")])
        .await
        .unwrap();
    tail.until("the recovery", WAIT, |out, err| {
        out.iter().any(|l| message(l) == "after the outage")
            && err.iter().any(|l| l.contains("connected again"))
    })
    .await;

    let after_pings: Vec<String> = tail
        .stdout()
        .iter()
        .map(|l| message(l))
        .filter(|m| !m.starts_with("ping "))
        .collect();
    assert_eq!(
        after_pings,
        ["during the outage", "after the outage"],
        "nothing written during the outage is lost, nothing doubled"
    );
}
