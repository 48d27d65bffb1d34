//! The realistic mode's request layer: latency, and the failures a real
//! deployment answers with — Cloudflare SQL API limits wrapped by upstream
//! as `502 {"error":"CF API <status>: …"}`, telemetry failures as
//! `CF Telemetry API <status>`, and Cloudflare's HTML error pages.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::{mix, unit, up_to, RealismState};

/// One injected answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// A normal answer.
    None,
    /// `CF API 429`: the SQL API's rate or concurrency limit, with Retry-After.
    RateLimited,
    /// `CF API 503`: the backend is busy.
    Overloaded,
    /// `CF API 507`: the query needs too many resources.
    TooBig,
    /// `CF API 422`: AE rejected the SQL.
    Rejected,
    /// A Cloudflare HTML error page with status 520 (not JSON).
    HtmlPage,
    /// A plain `503` from the edge.
    Unavailable,
}

/// A word of `--fail-first` that is not a fault.
#[derive(Debug, thiserror::Error)]
#[error("unknown fault {0:?} (use ok, 429, 503, 507, 422, html or http503)")]
pub struct FaultParseError(pub String);

impl std::str::FromStr for Fault {
    type Err = FaultParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim() {
            "ok" => Self::None,
            "429" => Self::RateLimited,
            "503" => Self::Overloaded,
            "507" => Self::TooBig,
            "422" => Self::Rejected,
            "html" => Self::HtmlPage,
            "http503" => Self::Unavailable,
            other => return Err(FaultParseError(other.to_string())),
        })
    }
}

impl Fault {
    /// The mix of failures `fault_rate` draws from: mostly rate limits, as
    /// a busy account sees them.
    pub fn random(h: u64) -> Self {
        match h % 20 {
            0..=9 => Self::RateLimited,
            10..=14 => Self::Overloaded,
            15..=16 => Self::HtmlPage,
            17 => Self::Unavailable,
            _ => Self::TooBig,
        }
    }

    fn response(self, api: &str) -> Option<Response> {
        let cf = |status: u16, text: &str| {
            let body = Json(json!({ "error": format!("{api} {status}: {text}") }));
            (StatusCode::BAD_GATEWAY, body).into_response()
        };
        Some(match self {
            Self::None => return None,
            Self::RateLimited => {
                let mut r = cf(429, "Too many requests (rate limit exceeded)");
                r.headers_mut()
                    .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
                r
            }
            Self::Overloaded => cf(503, "Service unavailable: too many concurrent queries"),
            Self::TooBig => cf(507, "Query exceeded the resource limit"),
            Self::Rejected => cf(422, "Syntax error (injected by the realistic mode)"),
            Self::HtmlPage => (
                StatusCode::from_u16(520).unwrap_or(StatusCode::BAD_GATEWAY),
                [(header::CONTENT_TYPE, "text/html")],
                "<!DOCTYPE html>\n<html><head><title>520: Web server is returning an unknown \
                 error</title></head><body><h1>Error 520</h1><p>Cloudflare</p></body></html>\n",
            )
                .into_response(),
            Self::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "error": "service unavailable" })),
            )
                .into_response(),
        })
    }
}

/// What kind of route a request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Query,
    Rawlog,
    List,
    Write,
    Detail,
    Other,
}

fn route_of(req: &Request) -> Route {
    let path = req.uri().path();
    if req.method() == Method::GET {
        return if path == "/v1/projects" || path.ends_with("/logstores") {
            Route::List
        } else {
            Route::Other
        };
    }
    match path.rsplit('/').next() {
        Some("query") => Route::Query,
        Some("rawlog") => Route::Rawlog,
        Some("ingest" | "log") => Route::Write,
        Some("detail") => Route::Detail,
        _ => Route::Other,
    }
}

/// The layer: count, wait, maybe fail, else pass the request on.
pub async fn layer(State(state): State<Arc<RealismState>>, req: Request, next: Next) -> Response {
    let route = route_of(&req);
    let seq = match route {
        Route::Query => state.query_requests.fetch_add(1, Ordering::Relaxed),
        Route::Rawlog => state.rawlog_requests.fetch_add(1, Ordering::Relaxed),
        Route::Write => state.write_requests.fetch_add(1, Ordering::Relaxed),
        Route::Detail => state.detail_requests.fetch_add(1, Ordering::Relaxed),
        Route::List | Route::Other => 0,
    };
    let c = &state.config;
    if !c.is_on() {
        return next.run(req).await;
    }
    let tag: &[u8] = match route {
        Route::Query => b"query",
        Route::Rawlog => b"rawlog",
        Route::List => b"list",
        Route::Write => b"write",
        Route::Detail => b"detail",
        Route::Other => b"other",
    };
    let extra = match route {
        Route::Query | Route::List => c.query_latency,
        Route::Rawlog => c.rawlog_latency,
        Route::Write | Route::Detail | Route::Other => Duration::ZERO,
    };
    // Lists and writes have no sequence of their own worth scripting; their
    // jitter still differs from request to request.
    let nonce = if seq == 0 { rand::random::<u64>() } else { seq };
    let jitter = up_to(
        c.jitter,
        mix(c.seed, &[b"jitter", tag, &nonce.to_le_bytes()]),
    );
    let wait = c.latency + extra + jitter;
    if !wait.is_zero() {
        tokio::time::sleep(wait).await;
    }
    let fault = match route {
        Route::Query => state.fault(&c.query_script, seq, tag),
        Route::Rawlog => state.fault(&c.rawlog_script, seq, tag),
        _ => Fault::None,
    };
    let fault = match (fault, route) {
        (Fault::None, Route::Query | Route::List) if state.over_query_rate() => Fault::RateLimited,
        (f, _) => f,
    };
    let api = if route == Route::Rawlog {
        "CF Telemetry API"
    } else {
        "CF API"
    };
    match fault.response(api) {
        Some(r) => r,
        None => next.run(req).await,
    }
}

impl RealismState {
    fn fault(&self, script: &[Fault], seq: u64, tag: &[u8]) -> Fault {
        if let Some(f) = usize::try_from(seq).ok().and_then(|i| script.get(i)) {
            return *f;
        }
        if self.config.fault_rate <= 0.0 {
            return Fault::None;
        }
        let h = mix(self.config.seed, &[b"fault", tag, &seq.to_le_bytes()]);
        if unit(h) < self.config.fault_rate {
            Fault::random(h >> 8)
        } else {
            Fault::None
        }
    }

    /// Counts this SQL API call against the per-second limit.
    fn over_query_rate(&self) -> bool {
        let Some(limit) = self.config.query_rate_limit else {
            return false;
        };
        let second = crate::server::time::now_ms().div_euclid(1000);
        let mut rate = match self.query_rate.lock() {
            Ok(r) => r,
            Err(poisoned) => poisoned.into_inner(),
        };
        if rate.0 != second {
            *rate = (second, 0);
        }
        rate.1 = rate.1.saturating_add(1);
        rate.1 > limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::realism::Realism;

    #[test]
    fn script_first_then_seeded_rate() {
        let state = RealismState::new(Realism {
            seed: 9,
            fault_rate: 0.3,
            ..Realism::default()
        });
        let script = [Fault::TooBig, Fault::None, Fault::RateLimited];
        assert_eq!(state.fault(&script, 0, b"query"), Fault::TooBig);
        assert_eq!(state.fault(&script, 1, b"query"), Fault::None);
        assert_eq!(state.fault(&script, 2, b"query"), Fault::RateLimited);
        let drawn: Vec<Fault> = (3..1_003).map(|s| state.fault(&script, s, b"q")).collect();
        let again: Vec<Fault> = (3..1_003).map(|s| state.fault(&script, s, b"q")).collect();
        assert_eq!(drawn, again, "deterministic under the seed");
        let failed = drawn.iter().filter(|f| **f != Fault::None).count();
        assert!((200..=400).contains(&failed), "{failed}");
        assert!(drawn.contains(&Fault::HtmlPage) && drawn.contains(&Fault::TooBig));
    }

    #[test]
    fn parses_fault_words() {
        let all: Vec<Fault> = "ok,429,503,507,422,html,http503"
            .split(',')
            .map(|w| w.parse().unwrap())
            .collect();
        assert_eq!(all.len(), 7);
        assert!("500".parse::<Fault>().is_err());
    }
}
