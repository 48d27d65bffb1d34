//! `aepipe serve`'s realistic mode against the real client: late and
//! out-of-order visibility, AE sampling, Workers Logs head sampling and
//! truncation, injected SQL API failures, latency. Nothing here waits a fixed
//! time for something to happen: each test polls for its condition.

use crate::common;

use std::time::{Duration, Instant};

use aepipe::client::{Client, DataPoint, Error, LogEntry, RawLogRequest};
use aepipe::server::{Fault, Realism};
use common::TestServer;

/// Poll `check` until it returns Some, for at most 30 s.
async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn no_retries(server: &TestServer) -> Client {
    Client::builder(server.url(), server.token())
        .max_retries(0)
        .build()
        .unwrap()
}

async fn raw_messages(c: &Client, p: &str, l: &str) -> Vec<String> {
    let req = RawLogRequest {
        limit: Some(200),
        ..RawLogRequest::default()
    };
    c.rawlog(p, l, &req)
        .await
        .unwrap()
        .logs
        .iter()
        .filter_map(|e| e.data["message"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_records_surface_late_and_out_of_order() {
    let server = TestServer::start_with(|c| {
        c.realism = Realism {
            seed: 11,
            max_visibility_delay: Duration::from_secs(4),
            ..Realism::default()
        }
    })
    .await;
    let c = server.client();
    // 40 lines with 40 distinct timestamps, oldest first.
    for i in 0..40 {
        c.log("late", "app", &[LogEntry::new(format!("m{i:02}"))])
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let early = raw_messages(&c, "late", "app").await;
    assert!(early.len() < 40, "not all visible at once: {}", early.len());
    // At some moment a newer line is visible while an older one is not.
    eventually("a newer line visible before an older one", || {
        let c = c.clone();
        async move {
            let seen = raw_messages(&c, "late", "app").await;
            let newest = seen.iter().max()?;
            let gaps = (0..40)
                .map(|i| format!("m{i:02}"))
                .any(|m| &m < newest && !seen.contains(&m));
            (gaps || seen.len() == 40).then_some(gaps)
        }
    })
    .await;
    let all = eventually("every line visible", || {
        let c = c.clone();
        async move {
            let seen = raw_messages(&c, "late", "app").await;
            (seen.len() == 40).then_some(seen)
        }
    })
    .await;
    assert_eq!(all.len(), 40);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_show_up_in_queries_late() {
    let server = TestServer::start_with(|c| {
        c.realism = Realism {
            seed: 3,
            max_visibility_delay: Duration::from_secs(3),
            ..Realism::default()
        }
    })
    .await;
    let c = server.client();
    let points: Vec<DataPoint> = (0..50).map(|_| DataPoint::new("e")).collect();
    c.ingest("late", "ae", &points).await.unwrap();
    let count = || {
        let c = c.clone();
        async move {
            let r = c
                .query("late", "ae", "SELECT count() AS n FROM aepipe")
                .await
                .unwrap();
            r.get_u64(0, 0).unwrap_or(0)
        }
    };
    assert!(count().await < 50, "no read-your-writes");
    eventually("all 50 points", || {
        let count = count();
        async move { (count.await == 50).then_some(()) }
    })
    .await;
}

#[tokio::test]
async fn ae_samples_above_the_write_rate() {
    let server = TestServer::start_with(|c| {
        c.realism = Realism {
            seed: 5,
            ae_sample_above: Some(20),
            ..Realism::default()
        }
    })
    .await;
    let c = server.client();
    let points: Vec<DataPoint> = (0..250)
        .map(|i| DataPoint::new("hit").doubles([f64::from(i)]))
        .collect();
    let written = c.ingest("busy", "api", &points).await.unwrap().written;
    assert_eq!(written, 250, "AE acknowledges every point");
    let r = c
        .query(
            "busy",
            "api",
            "SELECT count() AS stored, SUM(_sample_interval) AS estimate, \
             max(_sample_interval) AS top FROM aepipe",
        )
        .await
        .unwrap();
    let (rows, estimate, top) = (
        r.get_u64(0, 0).unwrap(),
        r.get_u64(0, 1).unwrap(),
        r.get_u64(0, 2).unwrap(),
    );
    assert!(rows < 250, "stored a sample: {rows}");
    assert!(top > 1, "sampled rows say what they stand for: {top}");
    assert!((200..=300).contains(&estimate), "estimate {estimate}");
}

#[tokio::test]
async fn workers_logs_head_sampling_and_truncation() {
    let server = TestServer::start_with(|c| {
        c.realism = Realism {
            seed: 8,
            rawlog_sample_rate: 0.5,
            rawlog_max_entry_bytes: Some(aepipe::server::realism::RAWLOG_MAX_ENTRY_BYTES),
            ..Realism::default()
        }
    })
    .await;
    let c = server.client();
    let logs: Vec<LogEntry> = (0..200).map(|i| LogEntry::new(format!("l{i}"))).collect();
    c.log("head", "app", &logs).await.unwrap();
    let kept = raw_messages(&c, "head", "app").await.len();
    assert!((50..=150).contains(&kept), "kept {kept} of 200");

    let server = TestServer::start_with(|c| {
        c.realism = Realism {
            rawlog_max_entry_bytes: Some(aepipe::server::realism::RAWLOG_MAX_ENTRY_BYTES),
            ..Realism::default()
        }
    })
    .await;
    let c = server.client();
    let big = LogEntry::new("x".repeat(300 * 1024));
    c.log("big", "app", &[big, LogEntry::new("small")])
        .await
        .unwrap();
    let req = RawLogRequest::default();
    let logs = c.rawlog("big", "app", &req).await.unwrap().logs;
    assert_eq!(logs.len(), 2);
    let cut = logs
        .iter()
        .find(|e| e.data["truncated"] == true)
        .expect("the big entry is truncated");
    assert!(cut.data.to_string().len() < 256 * 1024);
    assert!(cut.data["original_bytes"].as_u64().unwrap() > 300 * 1024);
    assert!(logs.iter().any(|e| e.data["message"] == "small"));
}

#[tokio::test]
async fn scripted_sql_api_failures_as_upstream_wraps_them() {
    let server = TestServer::start_with(|c| {
        c.realism = Realism {
            query_script: vec![
                Fault::RateLimited,
                Fault::Overloaded,
                Fault::TooBig,
                Fault::Rejected,
                Fault::HtmlPage,
                Fault::Unavailable,
                Fault::None,
            ],
            rawlog_script: vec![Fault::Overloaded],
            ..Realism::default()
        }
    })
    .await;
    let sql = br#"{"sql":"SELECT 1"}"#.to_vec();
    let path = "/v1/f/q/query";
    let a = server.send("POST", path, Some(sql.clone())).await;
    assert_eq!(
        (a.status, a.headers["retry-after"].to_str().unwrap()),
        (502, "1")
    );
    assert!(a.error().starts_with("CF API 429: "), "{}", a.error());
    let a = server.send("POST", path, Some(sql.clone())).await;
    assert!(a.error().starts_with("CF API 503: "), "{}", a.error());
    let a = server.send("POST", path, Some(sql.clone())).await;
    assert!(a.error().starts_with("CF API 507: "), "{}", a.error());
    let a = server.send("POST", path, Some(sql.clone())).await;
    assert!(a.error().starts_with("CF API 422: "), "{}", a.error());
    let a = server.send("POST", path, Some(sql.clone())).await;
    assert_eq!(a.status, 520);
    assert!(a.text.starts_with("<!DOCTYPE html>"), "{}", a.text);
    let a = server.send("POST", path, Some(sql.clone())).await;
    assert_eq!((a.status, a.error()), (503, "service unavailable"));
    let a = server.send("POST", path, Some(sql.clone())).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let a = server
        .send("POST", "/v1/f/q/rawlog", Some(b"{}".to_vec()))
        .await;
    assert!(
        a.error().starts_with("CF Telemetry API 503: "),
        "{}",
        a.error()
    );
    assert_eq!(server.request_counts().query, 7);
    assert_eq!(server.request_counts().rawlog, 1);
}

#[tokio::test]
async fn a_seeded_failure_rate_fails_the_same_requests_each_run() {
    let outcomes = |seed: u64| async move {
        let server = TestServer::start_with(|c| {
            c.realism = Realism {
                seed,
                fault_rate: 0.3,
                ..Realism::default()
            }
        })
        .await;
        let c = no_retries(&server);
        let mut out = Vec::new();
        for _ in 0..40 {
            out.push(match c.query("f", "q", "SELECT 1").await {
                Ok(_) => 0,
                Err(Error::Api { status, .. }) => status,
                Err(other) => panic!("{other}"),
            });
        }
        out
    };
    let a = outcomes(4).await;
    assert_eq!(a, outcomes(4).await);
    let failed = a.iter().filter(|s| **s != 0).count();
    assert!((3..=25).contains(&failed), "{a:?}");
}

#[tokio::test]
async fn latency_is_added_to_each_kind_of_request() {
    let server = TestServer::start_with(|c| {
        c.realism = Realism {
            query_latency: Duration::from_millis(300),
            latency: Duration::from_millis(50),
            ..Realism::default()
        }
    })
    .await;
    let c = server.client();
    let t = Instant::now();
    c.log("slow", "app", &[LogEntry::new("x")]).await.unwrap();
    assert!(t.elapsed() >= Duration::from_millis(50));
    let t = Instant::now();
    c.query("slow", "app", "SELECT 1").await.unwrap();
    assert!(t.elapsed() >= Duration::from_millis(350));
}

#[test]
fn serve_help_documents_every_realism_flag() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_aepipe"))
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for flag in [
        "--like-cloudflare",
        "--seed",
        "--latency",
        "--query-latency",
        "--rawlog-latency",
        "--jitter",
        "--visibility-delay",
        "--sample-above",
        "--rawlog-sample-rate",
        "--rawlog-max-entry",
        "--query-rate-limit",
        "--fail-rate",
        "--fail-first",
        "--rawlog-fail-first",
    ] {
        assert!(help.contains(flag), "{flag} missing from:\n{help}");
    }
}
