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
