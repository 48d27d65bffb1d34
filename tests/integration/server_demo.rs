//! The demo dataset: what `--demo` seeds into an empty data dir, that it is
//! seeded only once, and that the trickle keeps writing.

use crate::common;

use std::collections::BTreeMap;
use std::time::Duration;

use aepipe::client::RawLogRequest;
use common::TestServer;

fn count(server: &TestServer, sql: &str) -> i64 {
    server.db().query_row(sql, [], |r| r.get(0)).unwrap()
}

#[tokio::test]
async fn demo_seeds_projects_logstores_points_payloads_and_raw_logs() {
    let before = chrono::Utc::now().timestamp();
    let server = TestServer::start_with(|c| c.demo = true).await;
    let after = chrono::Utc::now().timestamp();
    let client = server.client();
    let projects = client.list_projects().await.unwrap();
    assert!(projects.len() >= 3, "{projects:?}");
    let mut tenants = Vec::new();
    for p in &projects {
        for l in client.list_logstores(p).await.unwrap() {
            tenants.push((p.clone(), l));
        }
    }
    assert!(tenants.len() >= 6, "{tenants:?}");
    assert!(count(&server, "SELECT count(*) FROM events") >= 50_000);
    // The week that ended when it was seeded (between `before` and `after`),
    // reaching back close to seven days and up to the last hour.
    let oldest = count(&server, "SELECT min(timestamp) FROM events");
    let newest = count(&server, "SELECT max(timestamp) FROM events");
    assert!(
        oldest >= before - 7 * 86_400,
        "oldest {oldest}, seeded at {before}"
    );
    assert!(
        oldest < after - 6 * 86_400,
        "oldest {oldest}, seeded at {after}"
    );
    assert!(newest <= after, "newest {newest}, seeded by {after}");
    assert!(
        newest > before - 3600,
        "newest {newest}, seeded at {before}"
    );

    // Every error event carries a payload that detail returns to its tenant.
    assert_eq!(
        count(
            &server,
            "SELECT count(*) FROM events WHERE blob4 = 'error' AND blob5 = ''"
        ),
        0
    );
    assert!(count(&server, "SELECT count(*) FROM events WHERE blob5 != ''") > 100);
    let (p, l, ref_id): (String, String, String) = server
        .db()
        .query_row(
            "SELECT blob1, blob2, blob5 FROM events WHERE blob5 != '' ORDER BY timestamp DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let detail = client.detail(&p, &l, &[ref_id]).await.unwrap();
    assert_eq!(detail.results.len(), 1);
    assert!(detail.results[0].payload.is_object());

    // Each logstore has doubles and user blobs, and raw records to tail.
    for (p, l) in &tenants {
        let index = format!("{p}/{l}");
        let with_doubles: i64 = server
            .db()
            .query_row(
                "SELECT count(*) FROM events WHERE index1 = ?1 AND double1 != 0 AND blob6 != ''",
                [&index],
                |r| r.get(0),
            )
            .unwrap();
        assert!(with_doubles > 100, "{index}: {with_doubles}");
        let raw = client
            .rawlog(p, l, &RawLogRequest::default())
            .await
            .unwrap();
        assert!(raw.count > 0, "{index} has no recent raw records");
    }
}

#[tokio::test]
async fn demo_traffic_has_a_daily_rhythm_and_error_bursts() {
    let server = TestServer::start_with(|c| c.demo = true).await;
    let db = server.db();
    let by_hour: BTreeMap<i64, i64> = {
        let mut stmt = db
            .prepare("SELECT (timestamp / 3600) % 24 AS h, count(*) FROM events GROUP BY h")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let max = *by_hour.values().max().unwrap() as f64;
    let min = *by_hour.values().min().unwrap() as f64;
    assert!(max / min > 3.0, "no daily rhythm: {by_hour:?}");
    // Some 10-minute window has many times the usual errors.
    let mut stmt = db
        .prepare(
            "SELECT count(*) FROM events WHERE blob4 = 'error'
             GROUP BY index1, timestamp / 600 ORDER BY 1 DESC",
        )
        .unwrap();
    let per_window: Vec<i64> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let median = per_window[per_window.len() / 2];
    assert!(
        per_window[0] >= 5 * median.max(1),
        "no error burst: top {} median {median}",
        per_window[0]
    );
}

#[tokio::test]
async fn demo_seeds_only_an_empty_store_and_trickles() {
    let server = TestServer::start_with(|c| c.demo = true).await;
    let seeded = count(&server, "SELECT count(*) FROM events");
    let dir = server.stop().await;
    let server = TestServer::start_in(dir, |c| {
        c.demo = true;
        c.demo_trickle = true;
    })
    .await;
    assert_eq!(count(&server, "SELECT count(*) FROM events"), seeded);
    let raw_before = count(&server, "SELECT count(*) FROM rawlogs");
    // The trickle writes every 0.7 s: wait (generously) until it has.
    let grew = |server: &TestServer| {
        count(server, "SELECT count(*) FROM events") > seeded
            && count(server, "SELECT count(*) FROM rawlogs") > raw_before
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !grew(&server) && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(grew(&server), "the trickle wrote nothing in 60 s");

    // A store that already has data of its own is never seeded.
    let own = TestServer::start().await;
    own.post(
        "/v1/mine/only/log",
        serde_json::json!({"logs": [{"message": "m"}]}),
    )
    .await;
    let dir = own.stop().await;
    let again = TestServer::start_in(dir, |c| c.demo = true).await;
    assert_eq!(count(&again, "SELECT count(*) FROM events"), 0);
}
