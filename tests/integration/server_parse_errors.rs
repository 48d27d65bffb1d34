//! A request hyper cannot parse (a raw 0xFF byte in the URL path) is
//! answered before any route runs; its answer still has our error body.

use std::io::{Read, Write};
use std::net::TcpStream;

use crate::common::TestServer;

/// Send `request` as raw bytes and read the whole answer (the server closes).
fn exchange(server: &TestServer, request: &[u8]) -> (String, String) {
    let mut stream = TcpStream::connect(server.addr()).expect("connect");
    stream.write_all(request).expect("send");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("read");
    let answer = String::from_utf8(answer).expect("utf-8 answer");
    let (head, body) = answer.split_once("\r\n\r\n").expect("a head");
    (head.to_string(), body.to_string())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invalid_utf8_byte_in_the_path_gets_a_json_error() {
    let server = TestServer::start().await;
    let auth = format!("Authorization: Bearer {}\r\n", server.token());
    for path in [&b"/v1/\xff/l/query"[..], b"/\xff", b"/v1/p/\xfe\xff/ingest"] {
        let mut request = b"POST ".to_vec();
        request.extend_from_slice(path);
        request.extend_from_slice(b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
        request.extend_from_slice(auth.as_bytes());
        request.extend_from_slice(b"Content-Length: 0\r\n\r\n");
        let server_ref = &server;
        let (head, body) = tokio::task::block_in_place(|| exchange(server_ref, &request));
        assert!(head.starts_with("HTTP/1.1 400 "), "{head}");
        assert!(
            head.to_ascii_lowercase()
                .contains("content-type: application/json"),
            "{head}"
        );
        let v: serde_json::Value = serde_json::from_str(&body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {body:?}"));
        assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()), "{body}");
    }
    // Parsed requests are untouched: a percent-encoded 0xFF is a path that
    // matches no route, with the application's own answer.
    let request = format!("GET /v1/%FF HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{auth}\r\n");
    let server_ref = &server;
    let (head, body) = tokio::task::block_in_place(|| exchange(server_ref, request.as_bytes()));
    assert!(head.starts_with("HTTP/1.1 404 "), "{head}");
    assert_eq!(body, r#"{"error":"not found"}"#);
}
