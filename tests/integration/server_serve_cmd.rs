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

/// Run `aepipe serve ARGS` with `env`, read stdout up to its
/// `export AEPIPE_URL=…` line.
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
        if let Some(vars) = line.strip_prefix("export AEPIPE_URL=") {
            break vars.split(' ').next().unwrap_or("").to_string();
        }
    };
    std::thread::spawn(move || for _ in reader {});
    Serve { child, lines, url }
}

fn printed_token(s: &Serve) -> Option<String> {
    s.lines.iter().find_map(|l| {
        l.strip_prefix("token: ")
            .and_then(|rest| rest.split(' ').next())
            .map(str::to_string)
    })
}

/// The token of the `export … AEPIPE_TOKEN=…` line.
fn exported_token(s: &Serve) -> Option<String> {
    s.lines.iter().find_map(|l| {
        l.strip_prefix("export ")?
            .split(' ')
            .find_map(|kv| kv.strip_prefix("AEPIPE_TOKEN="))
            .map(str::to_string)
    })
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
    assert_eq!(exported_token(&s).as_deref(), Some(token.as_str()));
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
    assert_eq!(exported_token(&s), None);
    assert!(s
        .lines
        .iter()
        .any(|l| l == &format!("export AEPIPE_URL={}", s.url)));
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

#[tokio::test]
async fn a_generated_token_is_kept_for_the_next_start_on_the_same_data() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let first = serve(&["--data-dir", d], &[], None);
    let token = printed_token(&first).expect("token printed");
    drop(first);
    let again = serve(&["--data-dir", d], &[], None);
    assert_eq!(printed_token(&again).as_deref(), Some(token.as_str()));
    assert!(
        again
            .lines
            .iter()
            .any(|l| l.contains("kept from an earlier start")),
        "{:?}",
        again.lines
    );
    Client::new(&again.url, &token)
        .unwrap()
        .list_projects()
        .await
        .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let file = dir.path().join(aepipe::server::serve_cmd::TOKEN_FILE);
        let mode = std::fs::metadata(file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
}

#[test]
fn the_log_has_no_colour_codes_when_it_is_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_aepipe"))
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--token",
            "t",
            "--demo",
            "--no-trickle",
        ])
        .arg("--data-dir")
        .arg(dir.path())
        .env_remove("NO_COLOR")
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // Seeding the demo data logs a line at info.
    let mut seen = Vec::new();
    let found = loop {
        match rx.recv_timeout(std::time::Duration::from_secs(120)) {
            Ok(line) => {
                let done = line.contains("seeded the demo dataset");
                seen.push(line);
                if done {
                    break true;
                }
            }
            Err(_) => break false,
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    assert!(found, "no seeding line in {seen:?}");
    assert!(!seen.iter().any(|l| l.contains('\x1b')), "{seen:?}");
}

/// A reader that takes the URL and closes the pipe (`serve | head -1`) must
/// not take the server down: the banner is lost, the server keeps serving
/// and says on stderr where.
#[tokio::test]
async fn a_closed_stdout_costs_the_banner_not_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_aepipe"))
        .args(["serve", "--addr", "127.0.0.1:0", "--token", "closed-out"])
        .arg("--data-dir")
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // Closed before the server has opened its store, so before any banner.
    drop(child.stdout.take());
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = Vec::new();
    let url = stderr.lines().map_while(Result::ok).find_map(|l| {
        seen.push(l.clone());
        let rest = l.split("serving on ").nth(1)?;
        rest.split(' ').next().map(str::to_string)
    });
    let serve = Serve {
        child,
        lines: Vec::new(),
        url: url.unwrap_or_else(|| panic!("stderr ended without the address: {seen:?}")),
    };
    let projects = Client::new(&serve.url, "closed-out")
        .unwrap()
        .list_projects()
        .await
        .expect("the server still answers");
    assert!(projects.is_empty(), "{projects:?}");
}

/// A realistic server that head-samples raw logs hands the rate on in its
/// export line, so the CLI and explorer pasted from it say the tail is a
/// sample; without sampling the line has no such variable.
#[test]
fn the_export_line_carries_the_raw_log_sample_rate() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("sampled");
    let s = serve(
        &[
            "--data-dir",
            data.to_str().unwrap(),
            "--token",
            "t",
            "--rawlog-sample-rate",
            "0.5",
        ],
        &[],
        None,
    );
    let export = s.lines.iter().find(|l| l.starts_with("export ")).unwrap();
    assert!(
        export.ends_with(" AEPIPE_RAWLOG_SAMPLE_RATE=0.5"),
        "{export}"
    );
    let plain_dir = dir.path().join("plain");
    let plain = serve(
        &["--data-dir", plain_dir.to_str().unwrap(), "--token", "t"],
        &[],
        None,
    );
    let export = plain
        .lines
        .iter()
        .find(|l| l.starts_with("export "))
        .unwrap();
    assert!(!export.contains("SAMPLE"), "{export}");
}
