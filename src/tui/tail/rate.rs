//! Lines per second over the last minute, for the sparkline. Counted by the
//! records' own timestamps, so a backlog fetched at once still shows when
//! the lines were written.

use std::collections::VecDeque;

/// Seconds kept.
pub const WINDOW_SECS: i64 = 60;

#[derive(Debug, Clone, Default)]
pub struct RateMeter {
    /// (Unix second, count), ascending by second.
    buckets: VecDeque<(i64, u64)>,
}

impl RateMeter {
    pub fn record(&mut self, unix_ms: i64, now_ms: i64) {
        let sec = unix_ms.div_euclid(1000);
        let now = now_ms.div_euclid(1000);
        if sec <= now - WINDOW_SECS || sec > now + 5 {
            return;
        }
        match self.buckets.iter().rposition(|(s, _)| *s <= sec) {
            Some(i) if self.buckets[i].0 == sec => self.buckets[i].1 += 1,
            Some(i) => self.buckets.insert(i + 1, (sec, 1)),
            None => self.buckets.push_front((sec, 1)),
        }
        self.expire(now_ms);
    }

    /// Forget seconds that left the window.
    pub fn expire(&mut self, now_ms: i64) {
        let now = now_ms.div_euclid(1000);
        while self
            .buckets
            .front()
            .is_some_and(|(s, _)| *s <= now - WINDOW_SECS)
        {
            self.buckets.pop_front();
        }
    }

    /// One count per second, oldest first, ending with the current second.
    pub fn series(&self, now_ms: i64) -> Vec<u64> {
        let now = now_ms.div_euclid(1000);
        let first = now - WINDOW_SECS + 1;
        let mut out = vec![0; WINDOW_SECS as usize];
        for (s, n) in &self.buckets {
            if (first..=now).contains(s) {
                out[(s - first) as usize] = *n;
            }
        }
        out
    }

    /// Lines per second over the last 10 whole seconds.
    pub fn recent_rate(&self, now_ms: i64) -> f64 {
        let series = self.series(now_ms);
        let last_ten = &series[series.len() - 11..series.len() - 1];
        last_ten.iter().sum::<u64>() as f64 / 10.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_second_inside_the_window() {
        let now = 1_000_000_500;
        let mut r = RateMeter::default();
        r.record(now - 500, now);
        r.record(now - 1500, now);
        r.record(now - 1400, now);
        r.record(now - 61_000, now); // too old
        let s = r.series(now);
        assert_eq!(s.len(), 60);
        assert_eq!(s[59], 1);
        assert_eq!(s[58], 2);
        assert_eq!(s.iter().sum::<u64>(), 3);
        assert!((r.recent_rate(now) - 0.2).abs() < 1e-9);
    }

    #[test]
    fn out_of_order_records_land_in_their_second() {
        let now = 1_000_000_000;
        let mut r = RateMeter::default();
        r.record(now - 1000, now);
        r.record(now - 5000, now);
        r.record(now - 3000, now);
        let s = r.series(now);
        assert_eq!((s[54], s[56], s[58]), (1, 1, 1));
    }

    #[test]
    fn the_window_slides() {
        let mut r = RateMeter::default();
        r.record(10_000, 10_000);
        r.expire(75_000);
        assert_eq!(r.series(75_000).iter().sum::<u64>(), 0);
    }
}
