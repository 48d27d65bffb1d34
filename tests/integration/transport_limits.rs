//! What a hostile or misconfigured server can do to the client, and what
//! reaches files: bounded answers and error bodies, absurd column counts,
//! redirects not followed, credentials in URLs refused, warnings for a token
//! over plain http or in a file others can read, history paths built from
//! server names, OSC 52 copies capped.

use crate::common;
use crate::hostile_support;
use crate::tui_support;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use aepipe::client::{Client, Error};
use aepipe::config::{self, ConnectionFlags, Resolved};
use aepipe::tui::action::Action;
use aepipe::tui::effects::Effect;
use assert_cmd::Command;
use crossterm::event::KeyCode;
use hostile_support::*;
use serde_json::json;
use tui_support::*;

const MIB: usize = 1024 * 1024;

fn client(url: &str) -> Client {
    Client::builder(url, "secret-token")
        .max_retries(0)
        .build()
        .expect("client")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_over_the_limit_is_a_clear_error() {
    let server = HostileServer::start(Arc::new(|_: &str, _: &str| {
        streamed_answer(200, 3 * MIB, b' ')
    }))
    .await;
    let c = Client::builder(&server.url, "t")
        .max_retries(0)
        .max_response_bytes(MIB as u64)
        .build()
        .unwrap();
    let err = c.query("p", "l", "SELECT 1").await.unwrap_err();
    assert!(
        matches!(err, Error::TooLarge { limit } if limit == MIB as u64),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("1 MiB") && text.contains("max-response"),
        "{text}"
    );
    // The default is generous but there is one.
    assert_eq!(aepipe::client::DEFAULT_MAX_RESPONSE_BYTES, 512 * MIB as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_body_is_kept_to_its_first_few_kb() {
    let server = HostileServer::start(Arc::new(|_: &str, _: &str| {
        streamed_answer(500, 20 * MIB, b'x')
    }))
    .await;
    let err = client(&server.url).list_projects().await.unwrap_err();
    match &err {
        Error::Api { status, message } => {
            assert_eq!(*status, 500);
            assert!(message.len() <= 4200, "{} bytes kept", message.len());
            assert!(message.ends_with("(cut)"), "says it was cut");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn absurd_column_counts_are_refused_without_blowing_memory() {
    // 10,000 columns and ~386 KB of rows that name none of them: expanded
    // with NULLs that is 1.3 billion cells.
    let meta: Vec<_> = (0..10_000)
        .map(|i| json!({"name": format!("c{i}"), "type": "String"}))
        .collect();
    let mut body = serde_json::to_string(&json!({ "meta": meta })).unwrap();
    body.pop(); // the closing brace
    body.push_str(",\"data\":[");
    let rows = 386_000 / 3;
    body.push_str(&vec!["{}"; rows].join(","));
    body.push_str("]}");
    let body = Arc::new(body);
    let answer = body.clone();
    let server = HostileServer::start(Arc::new(move |_: &str, _: &str| {
        axum::http::Response::builder()
            .status(200)
            .body(axum::body::Body::from(answer.to_string()))
            .unwrap()
    }))
    .await;
    let err = client(&server.url)
        .query("p", "l", "SELECT 1")
        .await
        .unwrap_err();
    match &err {
        Error::Decode { message, .. } => {
            assert!(
                message.contains("cells") && message.contains("10000 columns"),
                "{message}"
            )
        }
        other => panic!("{other:?}"),
    }
    // The same shape with values present decodes: the budget follows the size.
    let ok_body = format!(
        "{{\"meta\":[{{\"name\":\"a\",\"type\":\"String\"}}],\"data\":[{}]}}",
        vec!["{\"a\":\"x\"}"; 100_000].join(",")
    );
    let r = aepipe::client::QueryResult::from_json(ok_body.as_bytes()).unwrap();
    assert_eq!(r.len(), 100_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_is_not_followed_and_says_where_it_pointed() {
    let elsewhere = HostileServer::start(Arc::new(|_: &str, _: &str| {
        json_answer(200, &json!({"meta": [], "data": []}))
    }))
    .await;
    let target = format!("{}/steal", elsewhere.url);
    let location = target.clone();
    let server = HostileServer::start(Arc::new(move |_: &str, _: &str| {
        axum::http::Response::builder()
            .status(307)
            .header("location", location.as_str())
            .body(axum::body::Body::empty())
            .unwrap()
    }))
    .await;
    let err = client(&server.url)
        .query("p", "l", "SELECT secret FROM aepipe")
        .await
        .unwrap_err();
    match &err {
        Error::Redirect { status, location } => {
            assert_eq!(*status, 307);
            assert_eq!(location, &target);
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains(&target), "{err}");
    assert_eq!(elsewhere.hits(), 0, "nothing was sent where it pointed");
}

#[test]
fn credentials_in_the_url_are_refused_with_a_hint() {
    let err = Client::new("https://user:hunter2@logs.example", "t").unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Validation(_)), "{err:?}");
    assert!(
        text.contains("--token") && !text.contains("hunter2"),
        "{text}"
    );

    let flags = ConnectionFlags {
        url: Some("https://user:hunter2@logs.example".into()),
        token: Some("t".into()),
        ..Default::default()
    };
    let err = config::resolve_with(&flags, &|_| None, None).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("credentials") && !text.contains("hunter2"),
        "{text}"
    );

    let home = tempfile::tempdir().unwrap();
    let out = cli(home.path())
        .args([
            "--url",
            "http://admin:hunter2@127.0.0.1:9",
            "--token",
            "t",
            "projects",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("token") && !stderr.contains("hunter2"),
        "{stderr}"
    );
    let out = cli(home.path())
        .args([
            "--url",
            "http://admin:hunter2@127.0.0.1:9",
            "--token",
            "t",
            "config",
            "show",
        ])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("hunter2"));
}

fn cli(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("aepipe").unwrap();
    cmd.env_remove("AEPIPE_URL")
        .env_remove("AEPIPE_TOKEN")
        .env_remove("AEPIPE_PROFILE")
        .env_remove("AEPIPE_MAX_RESPONSE_MB")
        .env("XDG_CONFIG_HOME", home)
        .env("HOME", home)
        .env("NO_COLOR", "1");
    cmd
}

#[test]
fn a_token_over_plain_http_to_another_host_is_warned_about() {
    let warning = |url: &str| aepipe::client::plain_http_warning(url, "t");
    assert!(warning("http://logs.example.com").is_some());
    assert!(warning("http://10.1.2.3:8787").is_some());
    assert!(warning("https://logs.example.com").is_none());
    assert!(warning("http://127.0.0.1:8787").is_none());
    assert!(warning("http://localhost:8787").is_none());
    assert!(warning("http://[::1]:8787").is_none());

    let flags = ConnectionFlags {
        url: Some("http://logs.example.com".into()),
        token: Some("t".into()),
        ..Default::default()
    };
    let Resolved::Configured(c) = config::resolve_with(&flags, &|_| None, None).unwrap() else {
        panic!("configured")
    };
    assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
    assert!(c.warnings[0].contains("plain http"));

    // The explorer keeps it on the status bar.
    let mut app = new_app(120, 30);
    app.connection_warnings = c.warnings.clone();
    assert!(screen(&app).contains("plain http"), "{}", screen(&app));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_warns_on_stderr_for_plain_http_and_honours_the_size_flag() {
    let server = common::TestServer::start().await;
    let home = tempfile::tempdir().unwrap();
    // 0.0.0.0 reaches this machine but is not a loopback address.
    let url = format!("http://0.0.0.0:{}", server.addr().port());
    let out = cli(home.path())
        .args([
            "--url",
            &url,
            "--token",
            server.token(),
            "projects",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("warning:") && stderr.contains("plain http"),
        "{stderr}"
    );
    let out = cli(home.path())
        .args([
            "--url",
            &server.url(),
            "--token",
            server.token(),
            "projects",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).is_empty());

    // --max-response-mb (and AEPIPE_MAX_RESPONSE_MB) bound the answer.
    let big = HostileServer::start(Arc::new(|_: &str, _: &str| {
        streamed_answer(200, 3 * MIB, b' ')
    }))
    .await;
    for (flag, env) in [(Some("1"), None), (None, Some("1"))] {
        let mut cmd = cli(home.path());
        cmd.args([
            "--url", &big.url, "--token", "t", "query", "p", "l", "SELECT 1",
        ]);
        if let Some(f) = flag {
            cmd.args(["--max-response-mb", f]);
        }
        if let Some(e) = env {
            cmd.env("AEPIPE_MAX_RESPONSE_MB", e);
        }
        let out = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains("larger than the limit of 1 MiB"),
            "{stderr}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_config_file_with_a_token_readable_by_others_is_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("aepipe");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config.toml");
    std::fs::write(
        &path,
        "default_profile = \"p\"\n[profiles.p]\nurl = \"http://127.0.0.1:9\"\ntoken = \"file-token\"\n",
    )
    .unwrap();
    let set_mode = |m| std::fs::set_permissions(&path, std::fs::Permissions::from_mode(m)).unwrap();
    let warnings =
        || match config::resolve_with(&ConnectionFlags::default(), &|_| None, Some(&path)).unwrap()
        {
            Resolved::Configured(c) => c.warnings,
            other => panic!("{other:?}"),
        };
    set_mode(0o644);
    let w = warnings();
    assert!(
        w.iter()
            .any(|w| w.contains("readable by others") && w.contains("chmod 600")),
        "{w:?}"
    );
    set_mode(0o600);
    assert!(warnings().is_empty());

    set_mode(0o640);
    let out = cli(home.path()).args(["config", "show"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("readable by others"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_names_never_steer_the_history_file_out_of_its_directory() {
    let server = HostileServer::start(Arc::new(|_: &str, path: &str| match path {
        "/v1/projects" => json_answer(200, &json!({"projects": ["p"]})),
        "/v1/p/logstores" => json_answer(200, &json!({"logstores": ["../../../../escaped"]})),
        _ => json_answer(400, &json!({"error": "no"})),
    }))
    .await;
    let base = tempfile::tempdir().unwrap();
    let root = base.path().join("a/b/c/history");
    let mut h = Harness::new(client(&server.url), 100, 30);
    h.app.history_dir = Some(root.clone());
    h.choose("p", "../../../../escaped").await;
    h.app.editor.set_text("SELECT 'my query'");
    let file = h.app.editor.history.file.clone().expect("a history file");
    assert!(file.starts_with(&root), "{}", file.display());
    h.send([key(KeyCode::F(5))]);
    // Saving runs as a task: wait for the file.
    let start = std::time::Instant::now();
    while !file.exists() {
        assert!(start.elapsed() < Duration::from_secs(30), "history saved");
        h.until("a tick", Duration::from_secs(30), |_| true).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(!base.path().join("a/b/escaped.jsonl").exists());
    assert!(std::fs::read_to_string(&file).unwrap().contains("my query"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "history holds queries");
    }
}

#[test]
fn osc52_copies_are_capped_with_a_message() {
    let mut app = new_app(120, 30);
    let big = "x".repeat(aepipe::tui::terminal::OSC52_MAX_TEXT_BYTES + 1);
    let effects = press(
        &mut app,
        [Action::CopyViaTerminal {
            what: "cell".into(),
            text: big,
        }],
    );
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::CopyOsc52 { .. })),
        "{effects:?}"
    );
    let notice = app
        .notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default();
    assert!(notice.contains("too large"), "{notice}");
    let effects = press(
        &mut app,
        [Action::CopyViaTerminal {
            what: "cell".into(),
            text: "small".into(),
        }],
    );
    assert!(effects
        .iter()
        .any(|e| matches!(e, Effect::CopyOsc52 { .. })));
}
