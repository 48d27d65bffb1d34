//! Each row of the API contract's retry table, once, against the realistic
//! server's scripted failures, through the real client: what is retried
//! (and how often the server was asked) and what the user is told.

use crate::common;

use std::time::{Duration, Instant};

use aepipe::client::retry::{advise, describe, FailureAdvice, RequestKind};
use aepipe::client::{Client, Error};
use aepipe::server::{Fault, Realism};
use common::TestServer;

async fn scripted(script: Vec<Fault>) -> TestServer {
    TestServer::start_with(|c| {
        c.realism = Realism {
            query_script: script,
            ..Realism::default()
        }
    })
    .await
}

fn quick(server: &TestServer) -> Client {
    Client::builder(server.url(), server.token())
        .base_delay(Duration::from_millis(10))
        .build()
        .unwrap()
}

/// One query; returns the outcome and how many query requests the server saw.
async fn query(script: Vec<Fault>, sql: &str) -> (Result<(), Error>, u64) {
    let server = scripted(script).await;
    let result = quick(&server).query("t", "r", sql).await.map(|_| ());
    (result, server.request_counts().query)
}

#[tokio::test]
async fn cf_api_429_is_retried_after_retry_after() {
    let started = Instant::now();
    let (result, asked) = query(vec![Fault::RateLimited], "SELECT 1").await;
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(asked, 2);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited Retry-After: 1"
    );
}

#[tokio::test]
async fn busy_backends_are_retried_with_backoff() {
    for fault in [Fault::Overloaded, Fault::Unavailable, Fault::HtmlPage] {
        let (result, asked) = query(vec![fault, fault], "SELECT 1").await;
        assert!(result.is_ok(), "{fault:?}: {result:?}");
        assert_eq!(asked, 3, "{fault:?}");
    }
}

#[tokio::test]
async fn cf_api_507_is_never_retried_and_says_narrow_the_range() {
    let (result, asked) = query(vec![Fault::TooBig], "SELECT 1").await;
    let e = result.unwrap_err();
    assert_eq!(asked, 1);
    assert_eq!(advise(RequestKind::Read, &e), FailureAdvice::Never);
    assert!(
        describe(&e).contains("narrow the time range"),
        "{}",
        describe(&e)
    );
}

#[tokio::test]
async fn rejected_sql_and_other_4xx_are_never_retried() {
    let (result, asked) = query(vec![Fault::Rejected], "SELECT 1").await;
    assert!(
        matches!(result, Err(Error::Api { status: 502, .. })),
        "{result:?}"
    );
    assert_eq!(asked, 1, "CF API 422");
    let (result, asked) = query(vec![], "SELECT nosuch FROM aepipe").await;
    assert!(
        matches!(result, Err(Error::Api { status: 400, .. })),
        "{result:?}"
    );
    assert_eq!(asked, 1, "400");
}

#[tokio::test]
async fn an_html_error_page_is_told_by_its_title() {
    let server = scripted(vec![Fault::HtmlPage]).await;
    let c = Client::builder(server.url(), server.token())
        .max_retries(0)
        .build()
        .unwrap();
    let e = c.query("t", "r", "SELECT 1").await.unwrap_err();
    assert_eq!(e.status(), Some(520));
    assert_eq!(advise(RequestKind::Read, &e), FailureAdvice::Retry);
    let told = describe(&e);
    assert!(
        told.starts_with("Cloudflare error page (HTTP 520): 520:"),
        "{told}"
    );
    assert!(!told.contains('<'), "{told}");
}
