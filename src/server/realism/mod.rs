//! The realistic mode of the local server: what a real aepipe on Cloudflare
//! does that a plain local server does not — latency, late and out-of-order
//! visibility, AE sampling, Workers Logs head sampling and truncation, SQL API
//! rate limits and overload (`CF API 429/503/507`, HTML error pages).
//!
//! Everything random is drawn from a hash of the seed and of what is being
//! decided (a row's content, a request's sequence number), never from the
//! clock or the scheduler, so a run with the same seed and the same requests
//! behaves the same. Late visibility is a per-row `visible_at` computed when
//! the row is written and filtered when it is read.

mod faults;
mod shaping;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

pub use faults::{layer, Fault, FaultParseError};
pub use shaping::RAWLOG_MAX_ENTRY_BYTES;

/// Settings of the realistic mode; [`Realism::default`] is all off.
#[derive(Debug, Clone, PartialEq)]
pub struct Realism {
    /// Seed of every random decision.
    pub seed: u64,
    /// Added to every request: a network round trip to a distant deployment.
    pub latency: Duration,
    /// Added to `query` and the lists: the worker → SQL API → AE hop.
    pub query_latency: Duration,
    /// Added to `rawlog`: the telemetry API hop.
    pub rawlog_latency: Duration,
    /// Up to this much more, drawn per request.
    pub jitter: Duration,
    /// Each event and raw record becomes visible (to `query`, to `rawlog`)
    /// after a delay drawn per row between 0 and this, so raw records surface
    /// out of timestamp order.
    pub max_visibility_delay: Duration,
    /// AE stores a sample of a tenant's points above this many per second
    /// (each stored row then carries `_sample_interval` > 1).
    pub ae_sample_above: Option<u32>,
    /// Share of raw records Workers Logs keeps (head sampling), 0 < r ≤ 1.
    pub rawlog_sample_rate: f64,
    /// Raw records larger than this are truncated (Workers Logs: 256 KB).
    pub rawlog_max_entry_bytes: Option<usize>,
    /// At most this many SQL API calls (`query`, lists) per second for the
    /// whole deployment; more answer `CF API 429` with a Retry-After.
    pub query_rate_limit: Option<u32>,
    /// Share of `query` and `rawlog` requests answered with a failure drawn
    /// from the mix in [`Fault::random`].
    pub fault_rate: f64,
    /// The first `query` answers, in order, before `fault_rate` applies
    /// (`Fault::None` for a normal answer). For tests and demonstrations.
    pub query_script: Vec<Fault>,
    /// The same for `rawlog`.
    pub rawlog_script: Vec<Fault>,
}

impl Default for Realism {
    fn default() -> Self {
        Self {
            seed: 0,
            latency: Duration::ZERO,
            query_latency: Duration::ZERO,
            rawlog_latency: Duration::ZERO,
            jitter: Duration::ZERO,
            max_visibility_delay: Duration::ZERO,
            ae_sample_above: None,
            rawlog_sample_rate: 1.0,
            rawlog_max_entry_bytes: None,
            query_rate_limit: None,
            fault_rate: 0.0,
            query_script: Vec::new(),
            rawlog_script: Vec::new(),
        }
    }
}

impl Realism {
    /// `--like-cloudflare`: values in the range Cloudflare's documentation
    /// and experience suggest, for demonstrations (see README).
    pub fn like_cloudflare(seed: u64) -> Self {
        Self {
            seed,
            latency: Duration::from_millis(40),
            query_latency: Duration::from_millis(400),
            rawlog_latency: Duration::from_millis(300),
            jitter: Duration::from_millis(300),
            max_visibility_delay: Duration::from_secs(20),
            ae_sample_above: Some(1_000),
            rawlog_sample_rate: 1.0,
            rawlog_max_entry_bytes: Some(RAWLOG_MAX_ENTRY_BYTES),
            query_rate_limit: Some(20),
            fault_rate: 0.02,
            query_script: Vec::new(),
            rawlog_script: Vec::new(),
        }
    }

    /// Whether anything differs from a plain local server.
    pub fn is_on(&self) -> bool {
        *self
            != Self {
                seed: self.seed,
                ..Self::default()
            }
    }
}

/// The realistic mode at run time: its settings and what it counted.
#[derive(Debug)]
pub struct RealismState {
    pub config: Realism,
    query_requests: AtomicU64,
    rawlog_requests: AtomicU64,
    write_requests: AtomicU64,
    detail_requests: AtomicU64,
    /// Per tenant: (Unix second, points written in it), for AE sampling.
    write_rates: Mutex<std::collections::HashMap<String, (i64, u64)>>,
    /// (Unix second, SQL API calls in it), for the query rate limit.
    query_rate: Mutex<(i64, u32)>,
}

/// Requests a server has answered, by kind (with the realistic mode on or off).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestCounts {
    pub query: u64,
    pub rawlog: u64,
    pub writes: u64,
    /// Payload (`detail`) requests.
    pub detail: u64,
}

impl RealismState {
    pub fn new(config: Realism) -> Self {
        Self {
            config,
            query_requests: AtomicU64::new(0),
            rawlog_requests: AtomicU64::new(0),
            write_requests: AtomicU64::new(0),
            detail_requests: AtomicU64::new(0),
            write_rates: Mutex::new(Default::default()),
            query_rate: Mutex::new((0, 0)),
        }
    }

    pub fn counts(&self) -> RequestCounts {
        RequestCounts {
            query: self.query_requests.load(Ordering::Relaxed),
            rawlog: self.rawlog_requests.load(Ordering::Relaxed),
            writes: self.write_requests.load(Ordering::Relaxed),
            detail: self.detail_requests.load(Ordering::Relaxed),
        }
    }
}

/// A 64-bit hash of the seed and some parts: FNV-1a, then SplitMix64's
/// finaliser so nearby inputs give unrelated outputs. Not for security.
pub fn mix(seed: u64, parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for part in parts {
        for b in *part {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// A hash as a fraction in [0, 1).
pub fn unit(h: u64) -> f64 {
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// Up to `max`, drawn from `h`.
fn up_to(max: Duration, h: u64) -> Duration {
    let ms = u64::try_from(max.as_millis()).unwrap_or(u64::MAX);
    if ms == 0 {
        return Duration::ZERO;
    }
    Duration::from_millis(h % (ms + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_off_and_the_preset_is_on() {
        assert!(!Realism::default().is_on());
        assert!(!Realism {
            seed: 7,
            ..Realism::default()
        }
        .is_on());
        assert!(Realism::like_cloudflare(1).is_on());
    }

    #[test]
    fn mix_depends_on_seed_and_parts_and_is_spread() {
        assert_eq!(mix(1, &[b"a"]), mix(1, &[b"a"]));
        assert_ne!(mix(1, &[b"a"]), mix(2, &[b"a"]));
        assert_ne!(mix(1, &[b"ab"]), mix(1, &[b"a", b"b"]));
        let mean: f64 = (0..10_000u32)
            .map(|i| unit(mix(3, &[&i.to_le_bytes()])))
            .sum::<f64>()
            / 10_000.0;
        assert!((mean - 0.5).abs() < 0.02, "{mean}");
    }
}
