//! Crash safety and shutdown of the real binary (`aepipe serve`): kill -9
//! during sustained ingest loses no acknowledged point and no batch is half
//! written; SIGTERM and `ServerHandle::shutdown` finish requests in flight.

use crate::common;

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aepipe::client::{Client, DataPoint};
use common::{random_token, TestServer};

/// A running `aepipe serve` and the URL it printed.
struct Binary {
    child: Child,
    url: String,
}

fn spawn_serve(dir: &Path, token: &str) -> Binary {
    let mut child = Command::new(env!("CARGO_BIN_EXE_aepipe"))
        .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .args(["--token", token])
        .env_remove("AEPIPE_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn aepipe serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let url = loop {
        let line = lines
            .next()
            .expect("serve printed its URL")
            .expect("stdout line");
        if let Some(url) = line.strip_prefix("aepipe serving on ") {
            break url.trim().to_string();
        }
    };
    // Keep draining stdout so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Binary { child, url }
}

fn events_in(dir: &Path) -> Vec<String> {
    let db = rusqlite::Connection::open(dir.join(aepipe::server::store::DB_FILE)).unwrap();
    let mut stmt = db.prepare("SELECT blob3 FROM events").unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_during_ingest_loses_no_acknowledged_point() {
    let dir = tempfile::tempdir().unwrap();
    let token = random_token();
    let mut server = spawn_serve(dir.path(), &token);
    let client = Client::builder(&server.url, &token)
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let sent_batches: Arc<Mutex<Vec<Vec<String>>>> = Arc::default();
    let mut writers = Vec::new();
    for w in 0..4 {
        let client = client.clone();
        let acked = Arc::clone(&acked);
        let sent = Arc::clone(&sent_batches);
        writers.push(tokio::spawn(async move {
            for seq in 0.. {
                let names: Vec<String> = (0..100).map(|i| format!("w{w}-{seq}-{i}")).collect();
                let points: Vec<DataPoint> = names
                    .iter()
                    .map(|n| DataPoint::new(n.clone()).blobs(["x"; 10]).doubles([1.0; 5]))
                    .collect();
                sent.lock().unwrap().push(names.clone());
                match client.ingest("crash", "test", &points).await {
                    Ok(r) if r.written == 100 => acked.lock().unwrap().extend(names),
                    Ok(r) => panic!("written {}", r.written),
                    Err(_) => break,
                }
            }
        }));
    }
    // Let the writers get going (20,000 points, or at least 1,000 once 20 s
    // have passed on a slow machine), then kill without warning.
    let started = Instant::now();
    loop {
        let n = acked.lock().unwrap().len();
        let waited = started.elapsed();
        if n >= 20_000 || (n >= 1000 && waited > Duration::from_secs(20)) {
            break;
        }
        if waited > Duration::from_secs(180) {
            break; // the assertion below says how many
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.child.kill().expect("kill -9");
    server.child.wait().unwrap();
    for w in writers {
        w.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 1000,
        "only {} points acknowledged",
        acked.len()
    );

    // Restart on the same data dir: it opens (recovering the WAL) and serves.
    let mut again = spawn_serve(dir.path(), &token);
    let client = Client::new(&again.url, &token).unwrap();
    assert_eq!(client.list_logstores("crash").await.unwrap(), vec!["test"]);
    let stored: HashSet<String> = events_in(dir.path()).into_iter().collect();
    let missing: Vec<_> = acked.iter().filter(|n| !stored.contains(*n)).collect();
    assert!(
        missing.is_empty(),
        "{} acknowledged points lost",
        missing.len()
    );
    // Every batch is all there or not there at all (one transaction each).
    for batch in sent_batches.lock().unwrap().iter() {
        let present = batch.iter().filter(|n| stored.contains(*n)).count();
        assert!(
            present == 0 || present == batch.len(),
            "half batch: {present}"
        );
    }
    again.child.kill().unwrap();
    again.child.wait().unwrap();
}

#[tokio::test]
async fn sigterm_stops_the_binary_cleanly_and_keeps_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let token = random_token();
    let mut server = spawn_serve(dir.path(), &token);
    let client = Client::new(&server.url, &token).unwrap();
    client
        .ingest("p", "l", &[DataPoint::new("before-term")])
        .await
        .unwrap();
    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    let exit = loop {
        if let Some(exit) = server.child.try_wait().unwrap() {
            break exit;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "serve did not stop"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "exit status {exit:?}");
    assert!(client.list_projects().await.is_err(), "still answering");
    assert_eq!(events_in(dir.path()), vec!["before-term"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_requests_in_flight() {
    let server = TestServer::start().await;
    let client = server.client();
    let (first_done, mut first) = tokio::sync::mpsc::channel::<()>(64);
    let mut requests = Vec::new();
    for i in 0..40 {
        let client = client.clone();
        let first_done = first_done.clone();
        requests.push(tokio::spawn(async move {
            let points: Vec<DataPoint> = (0..250)
                .map(|j| DataPoint::new(format!("r{i}-{j}")))
                .collect();
            let result = client.ingest("p", "l", &points).await;
            let _ = first_done.try_send(());
            result
        }));
    }
    // Shut down as soon as one request was answered: the others are in flight.
    first.recv().await.expect("a first answer");
    let url = server.url();
    let dir = server.stop().await;
    let mut answered = 0;
    for r in requests {
        // A request either got its full answer or never reached the server;
        // none is cut off after being accepted.
        if let Ok(res) = r.await.unwrap() {
            assert_eq!(res.written, 250);
            answered += 1;
        }
    }
    let stored = events_in(dir.path()).len();
    eprintln!("answered {answered} of 40 requests");
    assert_eq!(
        stored,
        answered * 250,
        "stored rows match answered requests"
    );
    assert!(
        answered > 0,
        "no request was in flight; the test proves nothing"
    );
    assert!(
        reqwest::get(format!("{url}/v1/projects")).await.is_err(),
        "the port is closed after shutdown"
    );
}
