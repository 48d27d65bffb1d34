//! Watch: the grid's query run again every N seconds. Time is the app's
//! tick counter (`App::tick`, driven by `Action::Tick`), never the wall
//! clock, so tests drive a watch by sending ticks.

use crate::tui::app::TICKS_PER_SECOND;

/// The intervals the interval key steps through, in seconds.
pub const INTERVALS: [u64; 5] = [2, 5, 10, 30, 60];
/// The interval a watch starts with.
pub const DEFAULT_SECS: u64 = 10;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchState {
    /// Seconds between runs (kept while the watch is off).
    pub every_secs: u64,
    /// The tick of the next run while watching; None when off.
    pub next_tick: Option<u64>,
    /// Refreshes done since the watch started (for the status bar).
    pub runs: u64,
}

impl Default for WatchState {
    fn default() -> Self {
        Self {
            every_secs: DEFAULT_SECS,
            next_tick: None,
            runs: 0,
        }
    }
}

/// What the clock asks of a watch on one tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchDue {
    /// Nothing now.
    Idle,
    /// Time to run the query again.
    Run,
}

impl WatchState {
    pub fn is_on(&self) -> bool {
        self.next_tick.is_some()
    }

    fn period(&self) -> u64 {
        self.every_secs.max(1) * TICKS_PER_SECOND
    }

    /// Start (the first refresh one period from `now`) or stop.
    pub fn toggle(&mut self, now: u64) {
        self.next_tick = match self.next_tick {
            Some(_) => None,
            None => Some(now + self.period()),
        };
        self.runs = 0;
    }

    pub fn stop(&mut self) {
        self.next_tick = None;
    }

    /// The next interval of [`INTERVALS`]; a running watch is rescheduled.
    pub fn next_interval(&mut self, now: u64) {
        let i = INTERVALS
            .iter()
            .position(|s| *s == self.every_secs)
            .map_or(0, |i| (i + 1) % INTERVALS.len());
        self.every_secs = INTERVALS[i];
        if self.next_tick.is_some() {
            self.next_tick = Some(now + self.period());
        }
    }

    /// One tick: due when the time has come and nothing holds it back
    /// (`busy`: a query runs; `paused`: the user is editing). A held-back
    /// run happens on the first tick after, not a whole period later.
    pub fn tick(&mut self, now: u64, busy: bool, paused: bool) -> WatchDue {
        match self.next_tick {
            Some(at) if now >= at && !busy && !paused => {
                self.next_tick = Some(now + self.period());
                self.runs += 1;
                WatchDue::Run
            }
            _ => WatchDue::Idle,
        }
    }

    /// Whole seconds until the next run (0 when due).
    pub fn secs_left(&self, now: u64) -> Option<u64> {
        self.next_tick
            .map(|at| at.saturating_sub(now).div_ceil(TICKS_PER_SECOND))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_every_period_and_waits_while_busy_or_paused() {
        let mut w = WatchState {
            every_secs: 2,
            ..Default::default()
        };
        w.toggle(0);
        let period = 2 * TICKS_PER_SECOND;
        for t in 1..period {
            assert_eq!(w.tick(t, false, false), WatchDue::Idle, "tick {t}");
        }
        assert_eq!(w.tick(period, true, false), WatchDue::Idle, "busy");
        assert_eq!(w.tick(period + 1, false, true), WatchDue::Idle, "paused");
        assert_eq!(w.tick(period + 2, false, false), WatchDue::Run);
        assert_eq!(w.secs_left(period + 2), Some(2));
        assert_eq!(w.runs, 1);
        w.toggle(period + 3);
        assert!(!w.is_on());
        assert_eq!(w.tick(10 * period, false, false), WatchDue::Idle);
    }

    #[test]
    fn the_interval_steps_round() {
        let mut w = WatchState::default();
        w.next_interval(0);
        assert_eq!(w.every_secs, 30);
        w.next_interval(0);
        w.next_interval(0);
        assert_eq!(w.every_secs, 2);
    }
}
