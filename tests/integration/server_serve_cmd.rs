//! `aepipe serve` as users run it: the token (flag, AEPIPE_TOKEN, or
//! generated and printed), the default data dir, and its flags.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use aepipe::client::{Client, Error};

struct Serve {
    child: Child,
    lines: Vec<String>,
    url: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Run `aepipe serve ARGS` with `env`, read stdout up to its AEPIPE_URL line.
fn serve(args: &[&str], env: &[(&str, &Path)], token_env: Option<&str>) -> Serve {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aepipe"));
    cmd.arg("serve")
        .args(["--addr", "127.0.0.1:0"])
        .args(args)
        .env_remove("AEPIPE_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    if let Some(t) = token_env {
        cmd.env("AEPIPE_TOKEN", t);
    }
    let mut child = cmd.spawn().expect("spawn");
    let stdout = child.stdout.take().unwrap();
    let mut reader = BufReader::new(stdout).lines();
    let mut lines = Vec::new();
    let url = loop {
        let line = reader.next().expect("serve output").unwrap();
        lines.push(line.clone());
        if let Some(url) = line.strip_prefix("AEPIPE_URL=") {
            break url.to_string();
        }
    };
    std::thread::spawn(move || for _ in reader {});
    Serve { child, lines, url }
}

fn printed_token(s: &Serve) -> Option<String> {
    s.lines
        .iter()
        .find_map(|l| l.strip_prefix("token: ").map(str::to_string))
}

#[tokio::test]
async fn without_a_token_one_is_generated_printed_and_required() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(&["--data-dir", dir.path().to_str().unwrap()], &[], None);
    let token = printed_token(&s).expect("token printed");
    assert!(token.len() >= 32, "{token}");
    assert!(s
        .lines
        .iter()
        .any(|l| l.starts_with("aepipe serving on http://127.0.0.1:")));
    Client::new(&s.url, &token)
        .unwrap()
        .list_projects()
        .await
        .unwrap();
    match Client::new(&s.url, "guess").unwrap().list_projects().await {
        Err(Error::Api { status: 401, .. }) => {}
        other => panic!("expected 401, got {other:?}"),
    }
    // A second server gets a different token.
    let dir2 = tempfile::tempdir().unwrap();
    let s2 = serve(&["--data-dir", dir2.path().to_str().unwrap()], &[], None);
    assert_ne!(printed_token(&s2).unwrap(), token);
}

#[tokio::test]
async fn the_token_comes_from_the_flag_or_aepipe_token_and_is_not_printed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let s = serve(&["--data-dir", d], &[], Some("from-env"));
    assert_eq!(printed_token(&s), None);
    Client::new(&s.url, "from-env")
        .unwrap()
        .list_projects()
        .await
        .unwrap();
    drop(s);
    let s = serve(&["--data-dir", d, "--token", "from-flag"], &[], None);
    assert_eq!(printed_token(&s), None);
    Client::new(&s.url, "from-flag")
        .unwrap()
        .list_projects()
        .await
        .unwrap();
}

#[tokio::test]
async fn the_default_data_dir_is_under_xdg_data_home() {
    let home = tempfile::tempdir().unwrap();
    let s = serve(&["--token", "t"], &[("XDG_DATA_HOME", home.path())], None);
    let db = home
        .path()
        .join("aepipe/server")
        .join(aepipe::server::store::DB_FILE);
    assert!(db.exists(), "no database at {}", db.display());
    assert!(s
        .lines
        .iter()
        .any(|l| l.contains(&home.path().join("aepipe/server").display().to_string())));
}

#[tokio::test]
async fn flags_demo_no_payloads_and_max_body() {
    let dir = tempfile::tempdir().unwrap();
    let before_ms = chrono::Utc::now().timestamp_millis();
    let s = serve(
        &[
            "--data-dir",
            dir.path().to_str().unwrap(),
            "--token",
            "t",
            "--demo",
            "--no-trickle",
            "--no-payloads",
            "--max-body",
            "2000",
            "--retention-days",
            "30",
            "--rawlog-retention-days",
            "2",
        ],
        &[],
        None,
    );
    let client = Client::new(&s.url, "t").unwrap();
    assert!(client.list_projects().await.unwrap().len() >= 3);
    let http = reqwest::Client::new();
    let detail = http
        .post(format!("{}/v1/shop/api/detail", s.url))
        .bearer_auth("t")
        .body(r#"{"ref_ids":["x"]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(detail.status(), 501);
    let big = http
        .post(format!("{}/v1/shop/api/log", s.url))
        .bearer_auth("t")
        .body(format!(
            r#"{{"logs":[{{"message":"{}"}}]}}"#,
            "x".repeat(3000)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(big.status(), 413);
    // --rawlog-retention-days 2: the seeded week of raw records is cut to 2 days.
    let oldest: i64 = rusqlite::Connection::open(dir.path().join(aepipe::server::store::DB_FILE))
        .unwrap()
        .query_row("SELECT min(ts_ms) FROM rawlogs", [], |r| r.get(0))
        .unwrap();
    // Purged after the start, so nothing older than 2 days before it stays;
    // and the week was cut, not emptied: records over a day old remain.
    let day_ms = 86_400_000;
    assert!(
        oldest >= before_ms - 2 * day_ms,
        "a raw record {:.3} days older than the start",
        (before_ms - oldest) as f64 / day_ms as f64
    );
    assert!(oldest < before_ms - day_ms, "oldest raw record {oldest}");
}

#[test]
fn an_address_in_use_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_aepipe"))
        .args(["serve", "--addr", &addr, "--token", "t", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("cannot listen on {addr}")), "{err}");
}
