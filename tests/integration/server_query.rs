//! The `query` route end to end: AE's JSON answer through the SQL pipeline,
//! the example queries of assets/demo/README.md on the demo data, and the
//! query deadline.

use crate::common;

use std::time::Duration;

use aepipe::client::DataPoint;
use common::TestServer;
use serde_json::json;

#[tokio::test]
async fn answers_in_ae_json_scoped_to_the_tenant() {
    let server = TestServer::start().await;
    let client = server.client();
    client
        .ingest(
            "p",
            "l",
            &[
                DataPoint::new("a").doubles([1.0]),
                DataPoint::new("a").doubles([2.0]),
                DataPoint::new("b"),
            ],
        )
        .await
        .unwrap();
    client
        .ingest("p", "other", &[DataPoint::new("a"), DataPoint::new("z")])
        .await
        .unwrap();
    let a = server
        .post(
            "/v1/p/l/query",
            json!({"sql": "SELECT blob3 AS event, count() AS n, sum(double1) AS s FROM aepipe GROUP BY event ORDER BY event"}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.headers["content-type"], "application/json");
    assert_eq!(
        a.body["meta"],
        json!([{"name": "event", "type": "String"}, {"name": "n", "type": "UInt64"}, {"name": "s", "type": "Float64"}])
    );
    assert_eq!(
        a.body["data"],
        json!([{"event": "a", "n": "2", "s": 3}, {"event": "b", "n": "1", "s": 0}])
    );
    assert_eq!(a.body["rows"], 2);
    // Through the SDK, and never another logstore's rows.
    let r = client
        .query(
            "p",
            "l",
            "SELECT count() AS n FROM aepipe WHERE blob3 = 'z' OR 1 = 1",
        )
        .await
        .unwrap();
    assert_eq!(r.get_u64(0, 0), Some(3));
}

/// (tenant, sql) of every query in the demo README, under its "On `p/l`" line.
fn readme_queries() -> Vec<(String, String)> {
    let readme = include_str!("../../assets/demo/README.md");
    let mut tenant = String::new();
    let mut in_sql = false;
    let mut current = String::new();
    let mut out = Vec::new();
    for line in readme.lines() {
        if let Some(rest) = line.strip_prefix("On `") {
            tenant = rest.split('`').next().unwrap().to_string();
        } else if line.starts_with("```sql") {
            in_sql = true;
        } else if line.starts_with("```") && in_sql {
            in_sql = false;
            if !current.trim().is_empty() {
                out.push((tenant.clone(), std::mem::take(&mut current)));
            }
        } else if in_sql {
            if line.trim().is_empty() {
                if !current.trim().is_empty() {
                    out.push((tenant.clone(), std::mem::take(&mut current)));
                }
            } else if !line.trim_start().starts_with("--") {
                current.push_str(line);
                current.push('\n');
            }
        }
    }
    out
}

#[tokio::test]
async fn the_demo_readme_queries_run_and_return_rows() {
    let server = TestServer::start_with(|c| c.demo = true).await;
    let client = server.client();
    let queries = readme_queries();
    assert!(queries.len() >= 6, "{queries:?}");
    for (tenant, sql) in queries {
        let (p, l) = tenant.split_once('/').unwrap();
        let r = client
            .query(p, l, &sql)
            .await
            .unwrap_or_else(|e| panic!("{tenant}: {sql}\n{e}"));
        assert!(!r.is_empty(), "{tenant}: no rows for {sql}");
    }
}

#[tokio::test]
async fn a_query_past_its_deadline_is_stopped_with_a_400() {
    let server = TestServer::start_with(|c| {
        c.demo = true;
        c.query_timeout = Duration::from_secs(2);
    })
    .await;
    // Far beyond any deadline on any machine: each of ~18,000 rows grows a
    // string tenfold seven times (to 10 MB) before measuring it, minutes of
    // work; an empty tenant's count takes milliseconds. Nothing here depends
    // on how fast this machine is.
    let mut grown = "concat(blob10, '0')".to_string();
    for _ in 0..7 {
        grown = format!("replaceAll({grown}, '0', '0000000000')");
    }
    let heavy = format!("SELECT sum(length({grown})) AS n FROM aepipe");
    let a = server
        .post("/v1/shop/api/query", json!({ "sql": heavy }))
        .await;
    assert_eq!(a.status, 400, "{}", a.text);
    assert!(
        a.error().starts_with("query stopped after"),
        "{}",
        a.error()
    );
    // The interrupt never leaks into later queries on the pooled connections.
    for _ in 0..12 {
        let a = server
            .post(
                "/v1/empty/tenant/query",
                json!({"sql": "SELECT count() AS n FROM aepipe"}),
            )
            .await;
        assert_eq!(a.status, 200, "{}", a.text);
        assert_eq!(a.body["data"][0]["n"], "0");
    }
}
