//! The one error type of the SDK, shaped for callers: what went wrong decides
//! what they can do about it (fix the input, fix the token, retry, report).

use std::time::Duration;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Rejected before sending, by the same rules as the official SDKs.
    #[error("invalid request: {0}")]
    Validation(String),
    /// aepipe answered non-2xx; `message` is the body's `error` text, or the
    /// raw body when it is not JSON (e.g. a Cloudflare error page).
    #[error("aepipe answered {status}: {message}")]
    Api { status: u16, message: String },
    #[error("request timed out after {0:?}")]
    Timeout(Duration),
    /// Could not talk to the server (DNS, refused, reset, TLS…).
    #[error("could not reach aepipe: {message}")]
    Transport {
        message: String,
        /// True when the request provably never reached the server
        /// (connection refused), so even a write may be retried.
        never_sent: bool,
    },
    /// The answer was bigger than the client reads
    /// ([`ClientBuilder::max_response_bytes`](super::ClientBuilder::max_response_bytes)).
    #[error(
        "the answer is larger than the limit of {} ({limit} bytes); if that is expected, \
         raise it (--max-response-mb, AEPIPE_MAX_RESPONSE_MB or max_response_mb in the profile)",
        mib(*limit)
    )]
    TooLarge { limit: u64 },
    /// The server answered with a redirect. API calls never follow one: it
    /// would send the token and the request body wherever it points.
    #[error(
        "aepipe answered {status} redirecting to {location:?}; redirects are not followed \
         (they would carry the token and the request elsewhere): if that is the right \
         server, use its address as the URL"
    )]
    Redirect { status: u16, location: String },
    /// The answer was not the JSON we expect; `path` is where decoding failed.
    #[error("unexpected answer from aepipe (at {path}): {message}")]
    Decode {
        body: String,
        path: String,
        message: String,
    },
}

impl Error {
    /// What a person can do about it, when the error alone makes that
    /// clear; the CLI prints it after the error, the explorer next to it.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Api { status: 401, .. } => {
                Some("check the token (--token, AEPIPE_TOKEN or the profile)".to_string())
            }
            // aepipe answers 404 only for a path it does not have: the URL
            // carries a path of its own (often `/v1`).
            Error::Api { status: 404, .. } => Some(
                "--url should be the server's base URL, without a path such as /v1".to_string(),
            ),
            // A body that is not aepipe's JSON usually means the URL points
            // elsewhere (a web page, a proxy); show what came back.
            Error::Decode { body, .. } => Some(format!(
                "is the URL an aepipe server? The answer began: {}",
                answer_excerpt(body)
            )),
            _ => None,
        }
    }

    /// HTTP status of an API error.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// `n` bytes in MiB, for messages.
fn mib(n: u64) -> String {
    format!("{} MiB", n / (1024 * 1024))
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The start of an unexpected answer, on one line, made safe to show.
fn answer_excerpt(body: &str) -> String {
    const MAX_CHARS: usize = 120;
    let one_line: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut excerpt =
        crate::sanitize::line(&one_line.chars().take(MAX_CHARS).collect::<String>()).into_owned();
    if one_line.chars().count() > MAX_CHARS {
        excerpt.push('…');
    }
    if excerpt.is_empty() {
        "(an empty body)".to_string()
    } else {
        excerpt
    }
}
