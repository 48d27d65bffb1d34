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
use generate::{Generator, Row};
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
fn rows(recipe: &Recipe, now: i64) -> Vec<Row> {
    let mut gen = Generator::new(recipe, StdRng::seed_from_u64(recipe.seed), now);
    let mut rows = Vec::with_capacity(recipe.points + recipe.log_lines);
    for _ in 0..recipe.points {
        let tenant = gen.tenant();
        let ts_ms = gen.time(now);
        rows.push(Row::Point {
            tenant,
            ts_ms,
            point: gen.point(tenant, ts_ms),
        });
    }
    for _ in 0..recipe.log_lines {
        rows.push(gen.log_line(now, None));
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
    let mut gen = Generator::new(&recipe, StdRng::from_entropy(), now_ms());
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
            batch.push(gen.log_line(now, Some(now)));
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

    #[test]
    fn seed_rows_cover_the_recipe() {
        let recipe = Recipe::embedded().unwrap();
        let now = 1_795_746_935_123;
        let rows = rows(&recipe, now);
        let points = rows
            .iter()
            .filter(|r| matches!(r, Row::Point { .. }))
            .count();
        assert_eq!(points, recipe.points);
        assert!(rows.windows(2).all(|w| w[0].ts_ms() <= w[1].ts_ms()));
        assert!(rows
            .iter()
            .all(|r| r.ts_ms() <= now && r.ts_ms() > now - 7 * 86_400_000));
        let with_payload = rows
            .iter()
            .filter(|r| matches!(r, Row::Point { point, .. } if point.payload.is_some()))
            .count();
        assert!(with_payload > 100, "{with_payload} payloads");
    }
}
