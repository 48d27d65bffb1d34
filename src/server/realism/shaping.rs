//! What the realistic mode does to rows as they are written: when each
//! becomes visible, which points AE samples, which raw records Workers Logs
//! keeps, and truncation of oversized raw records.

use serde_json::{json, Value};

use super::{mix, unit, up_to, RealismState};
use crate::server::store::{NewLog, NewPoint, RowShape};

/// Workers Logs truncates entries larger than this (256 KB).
pub const RAWLOG_MAX_ENTRY_BYTES: usize = 256 * 1024;

/// How much of an oversized record's text a truncated record keeps.
const TRUNCATED_KEEP_BYTES: usize = 4 * 1024;

impl RealismState {
    /// Decide how each point of one `ingest` request is stored.
    pub fn shape_points(
        &self,
        project: &str,
        logstore: &str,
        points: &mut [NewPoint],
        now_ms: i64,
    ) {
        if !self.config.is_on() {
            return;
        }
        let intervals = self.sample_intervals(project, logstore, points, now_ms);
        for (i, (point, interval)) in points.iter_mut().zip(intervals).enumerate() {
            let at = (i as u64).to_le_bytes();
            let key: [&[u8]; 3] = [point.raw.as_bytes(), &at, &now_ms.to_le_bytes()];
            point.shape = RowShape {
                sample_interval: interval,
                event_delay_ms: self.visibility_delay_ms(b"event", &key),
                raw_delay_ms: self.raw_delay_ms(&key),
            };
            self.truncate(&mut point.raw, &point.level);
        }
    }

    /// Decide how each entry of one `log` request is stored.
    pub fn shape_logs(&self, logs: &mut [NewLog], now_ms: i64) {
        if !self.config.is_on() {
            return;
        }
        for (i, log) in logs.iter_mut().enumerate() {
            let at = (i as u64).to_le_bytes();
            let key: [&[u8]; 3] = [log.raw.as_bytes(), &at, &now_ms.to_le_bytes()];
            log.raw_delay_ms = self.raw_delay_ms(&key);
            self.truncate(&mut log.raw, &log.level);
        }
    }

    fn visibility_delay_ms(&self, what: &[u8], key: &[&[u8]; 3]) -> i64 {
        let h = mix(self.config.seed, &[what, key[0], key[1], key[2]]);
        let d = up_to(self.config.max_visibility_delay, h);
        i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
    }

    /// `None` when head sampling drops the record.
    fn raw_delay_ms(&self, key: &[&[u8]; 3]) -> Option<i64> {
        let rate = self.config.rawlog_sample_rate;
        if rate < 1.0 {
            let h = mix(self.config.seed, &[b"head", key[0], key[1], key[2]]);
            if unit(h) >= rate {
                return None;
            }
        }
        Some(self.visibility_delay_ms(b"raw", key))
    }

    /// Above the tenant's rate AE keeps one point in `k` (a power of two) and
    /// marks the kept one with `_sample_interval = k`; 0 for a point not kept.
    fn sample_intervals(
        &self,
        project: &str,
        logstore: &str,
        points: &[NewPoint],
        now_ms: i64,
    ) -> Vec<i64> {
        let n = points.len() as u64;
        let Some(limit) = self.config.ae_sample_above.map(u64::from) else {
            return vec![1; points.len()];
        };
        let second = now_ms.div_euclid(1000);
        let before = {
            let mut rates = match self.write_rates.lock() {
                Ok(r) => r,
                Err(poisoned) => poisoned.into_inner(),
            };
            // One entry per tenant, replaced each second: bounded by tenants.
            let entry = rates
                .entry(format!("{project}/{logstore}"))
                .or_insert((second, 0));
            if entry.0 != second {
                *entry = (second, 0);
            }
            let before = entry.1;
            entry.1 += n;
            before
        };
        let total = before + n;
        let k = if total <= limit {
            1
        } else {
            total.div_ceil(limit.max(1)).next_power_of_two()
        };
        // Systematic sampling (every k-th point from a seeded offset): the
        // estimate SUM(_sample_interval) stays within k of the truth.
        let offset = mix(
            self.config.seed,
            &[b"ae", project.as_bytes(), logstore.as_bytes()],
        ) % k;
        points
            .iter()
            .enumerate()
            .map(|(i, _)| {
                let position = before + i as u64;
                if position < limit || k == 1 {
                    1
                } else if position % k == offset {
                    i64::try_from(k).unwrap_or(i64::MAX)
                } else {
                    0
                }
            })
            .collect()
    }

    /// A record over the limit becomes a small one that says it was cut and
    /// keeps the start of the original text.
    fn truncate(&self, raw: &mut String, level: &str) {
        let Some(max) = self.config.rawlog_max_entry_bytes else {
            return;
        };
        if raw.len() <= max {
            return;
        }
        let original: Value = serde_json::from_str(raw).unwrap_or(Value::Null);
        let mut keep = TRUNCATED_KEEP_BYTES.min(max / 2);
        while !raw.is_char_boundary(keep) {
            keep -= 1;
        }
        let cut = json!({
            "project": original.get("project"),
            "logstore": original.get("logstore"),
            "level": level,
            "message": &raw[..keep],
            "truncated": true,
            "original_bytes": raw.len(),
        });
        *raw = cut.to_string();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::realism::Realism;
    use std::time::Duration;

    fn point(i: usize) -> NewPoint {
        NewPoint {
            event: "e".into(),
            level: "info".into(),
            blobs: vec![],
            doubles: vec![],
            payload: None,
            raw: format!(r#"{{"project":"p","logstore":"l","event":"e","i":{i}}}"#),
            shape: RowShape::AT_ONCE,
        }
    }

    #[test]
    fn off_changes_nothing() {
        let state = RealismState::new(Realism::default());
        let mut points: Vec<_> = (0..10).map(point).collect();
        state.shape_points("p", "l", &mut points, 1_000);
        assert!(points.iter().all(|p| p.shape == RowShape::AT_ONCE));
    }

    #[test]
    fn delays_are_deterministic_bounded_and_spread() {
        let config = Realism {
            seed: 5,
            max_visibility_delay: Duration::from_secs(20),
            ..Realism::default()
        };
        let shape = |config: &Realism| {
            let state = RealismState::new(config.clone());
            let mut points: Vec<_> = (0..200).map(point).collect();
            state.shape_points("p", "l", &mut points, 1_000);
            points.iter().map(|p| p.shape).collect::<Vec<_>>()
        };
        let a = shape(&config);
        assert_eq!(a, shape(&config), "same seed, same delays");
        let other = shape(&Realism {
            seed: 6,
            ..config.clone()
        });
        assert_ne!(a, other);
        let raw: Vec<i64> = a.iter().map(|s| s.raw_delay_ms.unwrap()).collect();
        assert!(raw.iter().all(|d| (0..=20_000).contains(d)));
        assert!(raw.iter().any(|d| *d > 10_000) && raw.iter().any(|d| *d < 10_000));
    }

    #[test]
    fn sampling_above_the_rate_keeps_an_unbiased_sample() {
        let state = RealismState::new(Realism {
            seed: 1,
            ae_sample_above: Some(100),
            ..Realism::default()
        });
        let mut points: Vec<_> = (0..2_000).map(point).collect();
        for chunk in points.chunks_mut(250) {
            state.shape_points("p", "l", chunk, 5_000);
        }
        let stored = points
            .iter()
            .filter(|p| p.shape.sample_interval > 0)
            .count();
        let estimate: i64 = points.iter().map(|p| p.shape.sample_interval).sum();
        assert!(stored < 1_000, "{stored}");
        assert!((1_500..=2_500).contains(&estimate), "{estimate}");
        assert!(points.iter().any(|p| p.shape.sample_interval > 1));
    }

    #[test]
    fn head_sampling_and_truncation() {
        let state = RealismState::new(Realism {
            rawlog_sample_rate: 0.5,
            rawlog_max_entry_bytes: Some(1_000),
            ..Realism::default()
        });
        let mut logs: Vec<NewLog> = (0..1_000)
            .map(|i| NewLog {
                level: "info".into(),
                raw: format!(r#"{{"project":"p","logstore":"l","message":"{i}"}}"#),
                raw_delay_ms: Some(0),
            })
            .collect();
        logs.push(NewLog {
            level: "warn".into(),
            raw: json!({"project":"p","logstore":"l","message":"é".repeat(5_000)}).to_string(),
            raw_delay_ms: Some(0),
        });
        state.shape_logs(&mut logs, 0);
        let kept = logs.iter().filter(|l| l.raw_delay_ms.is_some()).count();
        assert!((350..=650).contains(&kept), "{kept}");
        let big = logs.last().unwrap();
        assert!(big.raw.len() <= 1_000, "{}", big.raw.len());
        let v: Value = serde_json::from_str(&big.raw).unwrap();
        assert_eq!(v["truncated"], true);
        assert_eq!(v["project"], "p");
    }
}
