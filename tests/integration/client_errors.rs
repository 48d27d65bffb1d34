//! Error mapping (from the real server where it gives the answer, from a
//! scripted server where ours never would) and retries, counted.

use crate::client_common;
use crate::common;

use std::time::{Duration, Instant};

use aepipe::client::{Client, DataPoint, Error, LogEntry, RawLogRequest};
use client_common::{closed_port, query_answer, Answer, ScriptedServer};
use common::TestServer;

fn fast_retries(url: String) -> Client {
    Client::builder(url, "t")
        .max_retries(3)
        .base_delay(Duration::from_millis(5))
        .build()
        .unwrap()
}

fn api(e: Error) -> (u16, String) {
    match e {
        Error::Api { status, message } => (status, message),
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn real_server_errors_keep_status_and_message() {
    let server = TestServer::start().await;
    let c = server.client();
    // 400: an empty batch is not rejected by the SDKs; the server answers.
    let (status, msg) = api(c.ingest("p", "l", &[]).await.unwrap_err());
    assert_eq!(
        (status, msg.as_str()),
        (400, "points must be a non-empty array")
    );
    let (status, _) = api(c.query("p", "l", "   ").await.unwrap_err());
    assert_eq!(status, 400);
    // 401
    let wrong = Client::new(server.url(), "wrong-token").unwrap();
    let (status, msg) = api(wrong.list_projects().await.unwrap_err());
    assert_eq!((status, msg.as_str()), (401, "unauthorized"));
    // 501
    let bare = TestServer::without_payloads().await;
    let (status, msg) = api(bare
        .client()
        .detail("p", "l", &["x".to_string()])
        .await
        .unwrap_err());
    assert_eq!(status, 501);
    assert!(msg.contains("D1"), "{msg}");
}

#[tokio::test]
async fn not_found_and_non_json_bodies() {
    let s = ScriptedServer::start(vec![Answer::error(404, "not found")]).await;
    let (status, msg) = api(fast_retries(s.url()).list_projects().await.unwrap_err());
    assert_eq!((status, msg.as_str()), (404, "not found"));

    let page = "<html><body>Error 1101: worker threw</body></html>";
    let s = ScriptedServer::start(vec![Answer::text(500, page)]).await;
    let (status, msg) = api(fast_retries(s.url()).list_projects().await.unwrap_err());
    assert_eq!((status, msg.as_str()), (500, page));
    assert_eq!(s.hits(), 1, "a 500 is not retried");

    let s = ScriptedServer::start(vec![Answer::text(200, "not json")]).await;
    match fast_retries(s.url()).list_projects().await.unwrap_err() {
        Error::Decode { body, .. } => assert_eq!(body, "not json"),
        other => panic!("expected a decode error, got {other:?}"),
    }
    let s = ScriptedServer::start(vec![Answer::json(
        200,
        r#"{"meta":[{"name":"a","type":"String"}],"data":[{"a":1},{"a":{"x":}}]}"#,
    )])
    .await;
    match fast_retries(s.url())
        .query("p", "l", "SELECT 1")
        .await
        .unwrap_err()
    {
        Error::Decode { path, .. } => assert_eq!(path, "data[1].a"),
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn reads_retry_transient_failures_then_succeed() {
    let s = ScriptedServer::start(vec![
        Answer::error(503, "busy"),
        Answer::error(502, "CF API 500: upstream"),
        Answer::error(504, "gateway timeout"),
        Answer::json(200, &query_answer(3)),
    ])
    .await;
    let q = fast_retries(s.url())
        .query("p", "l", "SELECT x")
        .await
        .unwrap();
    assert_eq!(q.len(), 3);
    assert_eq!(s.hits(), 4);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let s = ScriptedServer::start(vec![
        Answer::error(429, "slow down").header("retry-after", "1"),
        Answer::json(200, r#"{"projects":["a"]}"#),
    ])
    .await;
    let started = Instant::now();
    let list = fast_retries(s.url()).list_projects().await.unwrap();
    assert_eq!(list, ["a"]);
    assert_eq!(s.hits(), 2);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited {:?} instead of the 1 s asked",
        started.elapsed()
    );
}

#[tokio::test]
async fn retries_stop_at_the_limit_and_on_bad_sql() {
    let s = ScriptedServer::start(vec![Answer::error(503, "busy")]).await;
    let (status, _) = api(fast_retries(s.url())
        .rawlog("p", "l", &RawLogRequest::default())
        .await
        .unwrap_err());
    assert_eq!(status, 503);
    assert_eq!(s.hits(), 4, "1 attempt + 3 retries");

    let s = ScriptedServer::start(vec![
        Answer::error(502, "CF API 422: unsupported expression type: CASE WHEN"),
        Answer::json(200, &query_answer(1)),
    ])
    .await;
    let (status, msg) = api(fast_retries(s.url())
        .query("p", "l", "x")
        .await
        .unwrap_err());
    assert_eq!(status, 502);
    assert!(msg.starts_with("CF API 422"));
    assert_eq!(s.hits(), 1, "a rejected query is not retried");

    let s = ScriptedServer::start(vec![Answer::error(503, "busy")]).await;
    let none = Client::builder(s.url(), "t")
        .max_retries(0)
        .build()
        .unwrap();
    assert!(none.list_projects().await.is_err());
    assert_eq!(s.hits(), 1);
}

#[tokio::test]
async fn writes_are_not_retried_once_sent() {
    let s = ScriptedServer::start(vec![
        Answer::error(503, "busy"),
        Answer::json(200, r#"{"ok":true,"written":1}"#),
    ])
    .await;
    let c = fast_retries(s.url());
    let (status, _) = api(c
        .ingest("p", "l", &[DataPoint::new("e")])
        .await
        .unwrap_err());
    assert_eq!(status, 503);
    assert_eq!(
        s.hits(),
        1,
        "an ingest that reached the server is not repeated"
    );

    let s = ScriptedServer::start(vec![
        Answer::error(429, "slow").header("retry-after", "0"),
        Answer::json(200, r#"{"ok":true,"written":1}"#),
    ])
    .await;
    assert!(fast_retries(s.url())
        .log("p", "l", &[LogEntry::new("m")])
        .await
        .is_err());
    assert_eq!(s.hits(), 1);
}

#[tokio::test]
async fn writes_are_retried_when_the_connection_was_refused() {
    // Nothing listens yet: the first attempts are refused, so the write
    // provably never reached a server and may be retried.
    // The port stays ours throughout: bound now, listening only later.
    let (socket, addr) = client_common::reserved_port();
    let c = Client::builder(format!("http://{addr}"), "t")
        .max_retries(8)
        .base_delay(Duration::from_millis(100))
        .build()
        .unwrap();
    let late = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        ScriptedServer::serve(
            client_common::listen(socket),
            vec![Answer::json(200, r#"{"ok":true,"written":1}"#)],
        )
    });
    let r = c.ingest("p", "l", &[DataPoint::new("e")]).await.unwrap();
    assert_eq!(r.written, 1);
    let server = late.await.unwrap();
    assert_eq!(server.hits(), 1);

    // And with no server at all the error says it was never sent.
    let gone = Client::builder(format!("http://{}", closed_port()), "t")
        .max_retries(1)
        .base_delay(Duration::from_millis(1))
        .build()
        .unwrap();
    match gone
        .ingest("p", "l", &[DataPoint::new("e")])
        .await
        .unwrap_err()
    {
        Error::Transport { never_sent, .. } => assert!(never_sent),
        other => panic!("expected a transport error, got {other:?}"),
    }
}

#[tokio::test]
async fn timeouts_are_reported_as_such() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // Accept and never answer.
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        loop {
            if let Ok((sock, _)) = listener.accept().await {
                held.push(sock);
            }
        }
    });
    let c = Client::builder(format!("http://{addr}"), "t")
        .timeout(Duration::from_millis(200))
        .max_retries(0)
        .build()
        .unwrap();
    assert!(matches!(
        c.list_projects().await.unwrap_err(),
        Error::Timeout(_)
    ));
    hold.abort();
}
