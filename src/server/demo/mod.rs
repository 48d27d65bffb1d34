//! The demo dataset: seeded into an empty store (`serve --demo`, the
//! explorer's first start), then a trickle of new events and log lines so
//! tails move and charts have shape. The recipe is assets/demo/recipe.toml.

mod generate;
mod recipe;

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::store::{self, Store, StoreError};
use super::time::now_ms;
use generate::{place, Generator, Row};
pub use recipe::{Recipe, RecipeError};

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Recipe(#[from] RecipeError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How often the trickle writes.
const TRICKLE_EVERY: Duration = Duration::from_millis(700);

/// Seed the demo dataset when the store holds no tenant yet. Returns whether
/// it seeded.
pub async fn seed_if_empty(store: &Store) -> Result<bool, DemoError> {
    let recipe = Recipe::embedded()?;
    let seeded = store
        .write_alone(move |conn| {
            let empty: bool =
                conn.query_row("SELECT NOT EXISTS (SELECT 1 FROM logstores)", [], |r| {
                    r.get(0)
                })?;
            if !empty {
                return Ok(false);
            }
            let rows = rows(&recipe, now_ms());
            let tx = conn.transaction()?;
            for ls in &recipe.logstores {
                store::remember_logstore(&tx, &ls.project, &ls.logstore)?;
            }
            for row in &rows {
                match row {
                    Row::Point {
                        tenant,
                        ts_ms,
                        point,
                    } => {
                        let ls = &recipe.logstores[*tenant];
                        store::insert_point(&tx, &ls.project, &ls.logstore, point, *ts_ms)?;
                    }
                    Row::Log {
                        project,
                        logstore,
                        ts_ms,
                        log,
                    } => {
                        store::insert_raw(
                            &tx, project, logstore, &log.level, &log.raw, *ts_ms, *ts_ms,
                        )?;
                    }
                }
            }
            tx.commit()?;
            Ok(true)
        })
        .await?;
    Ok(seeded)
}

/// Every row of the seed, oldest first (so the tables are in time order).
/// The seed fixes what is drawn (a week of traffic as week phases); `now`
/// only decides where that week is laid, so the shape never depends on the
/// clock.
fn rows(recipe: &Recipe, now: i64) -> Vec<Row> {
    let mut gen = Generator::new(recipe, StdRng::seed_from_u64(recipe.seed));
    let mut rows = Vec::with_capacity(recipe.points + recipe.log_lines);
    for _ in 0..recipe.points {
        let tenant = gen.tenant();
        let ts_ms = place(gen.phase(), now);
        rows.push(Row::Point {
            tenant,
            ts_ms,
            point: gen.point(tenant, ts_ms),
        });
    }
    for _ in 0..recipe.log_lines {
        let ts_ms = place(gen.phase(), now);
        rows.push(gen.log_line(ts_ms));
    }
    rows.sort_by_key(Row::ts_ms);
    rows
}

/// Write a few events and log lines now, every [`TRICKLE_EVERY`], until aborted.
pub async fn trickle(store: Store) {
    let recipe = match Recipe::embedded() {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(error = %e, "demo trickle off");
            return;
        }
    };
    let mut rng = StdRng::from_entropy();
    let mut gen = Generator::new(&recipe, StdRng::from_entropy());
    let mut tick = tokio::time::interval(TRICKLE_EVERY);
    loop {
        tick.tick().await;
        let now = now_ms();
        let mut batch = Vec::new();
        for _ in 0..rng.gen_range(1..=3) {
            let tenant = gen.tenant();
            batch.push(Row::Point {
                tenant,
                ts_ms: now,
                point: gen.point(tenant, now),
            });
        }
        if rng.gen_bool(0.8) {
            batch.push(gen.log_line(now));
        }
        let logstores = recipe.logstores.clone();
        let result = store
            .write(move |tx| {
                for row in &batch {
                    match row {
                        Row::Point { tenant, point, .. } => {
                            let ls = &logstores[*tenant];
                            store::insert_point(tx, &ls.project, &ls.logstore, point, now)?;
                        }
                        Row::Log {
                            project,
                            logstore,
                            log,
                            ..
                        } => store::insert_raw(
                            tx, project, logstore, &log.level, &log.raw, now, now,
                        )?,
                    }
                }
                Ok(())
            })
            .await;
        if let Err(e) = result {
            tracing::warn!(error = %e, "demo trickle write failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use std::collections::BTreeMap;

    const DAY_S: i64 = 86_400;

    fn ms(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> i64 {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s)
            .single()
            .expect("valid date")
            .timestamp_millis()
    }

    /// The "now" values the shape must not depend on: midnight UTC, a
    /// Monday 00:00, a month end, 29 February, a second before midnight,
    /// mid-afternoon, and the day this test first failed at 15:40 UTC.
    fn nows() -> Vec<i64> {
        vec![
            ms(2026, 12, 3, 0, 0, 0),
            ms(2026, 11, 30, 0, 0, 0),
            ms(2026, 10, 31, 12, 30, 0),
            ms(2028, 2, 29, 6, 0, 0),
            ms(2026, 12, 6, 23, 59, 59),
            ms(2026, 12, 2, 15, 40, 0) + 123,
        ]
    }

    /// The properties the demo promises, checked on the rows themselves.
    fn check_shape(recipe: &Recipe, now: i64) {
        let rows = rows(recipe, now);
        let at = Utc.timestamp_millis_opt(now).single().expect("now");
        let points: Vec<(usize, i64, &crate::server::store::NewPoint)> = rows
            .iter()
            .filter_map(|r| match r {
                Row::Point {
                    tenant,
                    ts_ms,
                    point,
                } => Some((*tenant, *ts_ms, point)),
                Row::Log { .. } => None,
            })
            .collect();
        assert_eq!(points.len(), recipe.points, "{at}");
        assert_eq!(rows.len() - points.len(), recipe.log_lines, "{at}");

        // Oldest first, all within the week that ends now, the newest recent.
        assert!(rows.windows(2).all(|w| w[0].ts_ms() <= w[1].ts_ms()));
        let oldest = rows.first().map(Row::ts_ms).expect("rows");
        let newest = rows.last().map(Row::ts_ms).expect("rows");
        assert!(oldest > now - generate::WEEK_MS, "{at}: oldest {oldest}");
        assert!(newest <= now, "{at}: newest {newest}");
        assert!(now - newest < 3_600_000, "{at}: newest {newest}");

        // A daily rhythm: the busiest UTC hour has over 3x the quietest.
        let mut by_hour: BTreeMap<i64, usize> = BTreeMap::new();
        for (_, ts, _) in &points {
            *by_hour
                .entry((ts / 1000).rem_euclid(DAY_S) / 3600)
                .or_default() += 1;
        }
        assert_eq!(by_hour.len(), 24, "{at}: {by_hour:?}");
        let max = *by_hour.values().max().expect("hours") as f64;
        let min = *by_hour.values().min().expect("hours") as f64;
        assert!(max / min > 3.0, "{at}: no daily rhythm {by_hour:?}");

        // Error bursts: some 10-minute window of one logstore has at least
        // 5x the errors of the median window that has any.
        let mut per_window: BTreeMap<(usize, i64), usize> = BTreeMap::new();
        for (tenant, ts, p) in &points {
            if p.level == "error" {
                *per_window.entry((*tenant, ts / 600_000)).or_default() += 1;
            }
        }
        let mut counts: Vec<usize> = per_window.into_values().collect();
        counts.sort_unstable_by(|a, b| b.cmp(a));
        let median = counts[counts.len() / 2].max(1);
        assert!(
            counts[0] >= 5 * median,
            "{at}: no error burst: top {} median {median}",
            counts[0]
        );
        // At least `bursts` windows stand out, not one lucky cluster.
        let standing_out = counts.iter().filter(|&&c| c >= 5 * median).count();
        assert!(
            standing_out >= recipe.bursts,
            "{at}: {standing_out} burst windows"
        );

        // Every error event carries a payload that expires after it was made.
        for (_, ts, p) in &points {
            if p.level == "error" {
                let (_, expires) = p.payload.as_ref().expect("error with a payload");
                assert!(*expires > *ts);
            }
        }
        let with_payload = points
            .iter()
            .filter(|(_, _, p)| p.payload.is_some())
            .count();
        assert!(with_payload > 100, "{at}: {with_payload} payloads");
    }

    #[test]
    fn the_shape_holds_whatever_the_clock_says() {
        let recipe = Recipe::embedded().unwrap();
        for now in nows() {
            check_shape(&recipe, now);
        }
    }

    #[test]
    fn the_seed_fixes_the_pattern_and_now_only_shifts_it() {
        let recipe = Recipe::embedded().unwrap();
        let describe = |now: i64| -> Vec<(i64, String)> {
            let mut v: Vec<(i64, String)> = rows(&recipe, now)
                .iter()
                .map(|r| match r {
                    Row::Point { point, .. } => {
                        (generate::week_phase(r.ts_ms()), point.raw.clone())
                    }
                    Row::Log { log, .. } => (generate::week_phase(r.ts_ms()), log.raw.clone()),
                })
                .collect();
            v.sort();
            v
        };
        let a = describe(ms(2026, 12, 2, 15, 40, 0));
        let b = describe(ms(2028, 2, 29, 23, 59, 59));
        assert_eq!(a.len(), b.len());
        assert!(a == b, "the same rows at the same week phases");
    }

    #[test]
    fn placement_keeps_weekday_and_hour_within_the_last_week() {
        for now in nows() {
            for phase in [0, 1, 3_600_000, generate::WEEK_MS - 1] {
                let t = place(phase, now);
                assert!(t <= now && t > now - generate::WEEK_MS);
                assert_eq!(generate::week_phase(t), phase);
            }
        }
        // Phase 0 is a Monday 00:00 UTC.
        let t = place(0, ms(2026, 12, 2, 15, 40, 0));
        assert_eq!(t, ms(2026, 11, 30, 0, 0, 0));
    }
}
