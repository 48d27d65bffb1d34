//! Drawing demo rows from the recipe: times with a daily and weekly rhythm,
//! error bursts, log-normal doubles, skewed user ids, payloads on errors.

use rand::rngs::StdRng;
use rand::Rng;
use serde_json::{json, Map, Value};

use super::recipe::{EventRecipe, LogstoreRecipe, PayloadKind, Recipe};
use crate::limits::DEFAULT_TTL_SECONDS;
use crate::server::batch::raw_record;
use crate::server::store::{NewLog, NewPoint, RowShape};

const DAY_MS: i64 = 86_400_000;
/// The demo's pattern repeats weekly: one week of traffic, laid over the
/// week that ends now.
pub const WEEK_MS: i64 = 7 * DAY_MS;
/// 1970-01-05 00:00 UTC, a Monday: week phases count from a Monday midnight,
/// so a phase keeps its UTC weekday and hour wherever it is placed.
const MONDAY_MS: i64 = 4 * DAY_MS;

/// Where `ts_ms` falls in its week (ms since Monday 00:00 UTC).
pub fn week_phase(ts_ms: i64) -> i64 {
    (ts_ms - MONDAY_MS).rem_euclid(WEEK_MS)
}

/// The instant in the week ending at `now_ms` (in `(now - 1 week, now]`)
/// whose week phase is `phase`. The generator draws phases, never instants,
/// so what it draws is the same whatever the clock says; only this placement
/// depends on now, and it keeps each phase's UTC weekday and hour.
pub fn place(phase: i64, now_ms: i64) -> i64 {
    now_ms - (now_ms - MONDAY_MS - phase).rem_euclid(WEEK_MS)
}

/// A row to seed: which tenant, when, and what.
pub enum Row {
    Point {
        tenant: usize,
        ts_ms: i64,
        point: NewPoint,
    },
    Log {
        project: String,
        logstore: String,
        ts_ms: i64,
        log: NewLog,
    },
}

impl Row {
    pub fn ts_ms(&self) -> i64 {
        match self {
            Row::Point { ts_ms, .. } | Row::Log { ts_ms, .. } => *ts_ms,
        }
    }
}

pub struct Generator<'r> {
    recipe: &'r Recipe,
    rng: StdRng,
    /// (logstore index, start, end) of each error burst, as week phases.
    bursts: Vec<(usize, i64, i64)>,
}

fn pick_weighted<T>(rng: &mut StdRng, items: &[T], weight: impl Fn(&T) -> f64) -> usize {
    let total: f64 = items.iter().map(&weight).sum();
    let mut x = rng.gen::<f64>() * total;
    for (i, item) in items.iter().enumerate() {
        x -= weight(item);
        if x <= 0.0 {
            return i;
        }
    }
    items.len().saturating_sub(1)
}

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut StdRng) -> f64 {
    let u1: f64 = rng.gen_range(f64::EPSILON..1.0);
    let u2: f64 = rng.gen();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

impl<'r> Generator<'r> {
    pub fn new(recipe: &'r Recipe, mut rng: StdRng) -> Self {
        let burst_len = (i64::from(recipe.burst_minutes) * 60_000).clamp(1, WEEK_MS);
        // Incidents happen where and when the traffic is: a logstore picked
        // by its share, a start in busy hours, so each burst shows.
        let bursts = (0..recipe.bursts)
            .map(|_| {
                let tenant = pick_weighted(&mut rng, &recipe.logstores, |l| l.share);
                let start = loop {
                    let start = rng.gen_range(0..=WEEK_MS - burst_len);
                    if Self::rhythm(MONDAY_MS + start) >= 0.75 {
                        break start;
                    }
                };
                (tenant, start, start + burst_len)
            })
            .collect();
        Self {
            recipe,
            rng,
            bursts,
        }
    }

    /// Relative traffic at `ts_ms`: a peak mid-afternoon UTC, a trough at
    /// night, quieter weekends. In (0, 1].
    fn rhythm(ts_ms: i64) -> f64 {
        let hour = (ts_ms.rem_euclid(DAY_MS)) as f64 / 3_600_000.0;
        let daily = 1.0 + 0.8 * (std::f64::consts::TAU * (hour - 9.0) / 24.0).sin();
        // 1970-01-01 was a Thursday: day 0 → 4 with Sunday = 0.
        let weekday = (ts_ms.div_euclid(DAY_MS) + 4).rem_euclid(7);
        let weekly = if weekday == 0 || weekday == 6 {
            0.65
        } else {
            1.0
        };
        daily * weekly / 1.8
    }

    /// A week phase (see [`place`]), following the rhythm.
    pub fn phase(&mut self) -> i64 {
        loop {
            let phase = self.rng.gen_range(0..WEEK_MS);
            if self.rng.gen::<f64>() < Self::rhythm(MONDAY_MS + phase) {
                return phase;
            }
        }
    }

    pub fn tenant(&mut self) -> usize {
        pick_weighted(&mut self.rng, &self.recipe.logstores, |l| l.share)
    }

    fn in_burst(&self, tenant: usize, ts_ms: i64) -> bool {
        let phase = week_phase(ts_ms);
        self.bursts
            .iter()
            .any(|&(t, s, e)| t == tenant && phase >= s && phase < e)
    }

    fn user(&mut self) -> String {
        // Squaring a uniform draw makes a few users far more active than most.
        let u: f64 = self.rng.gen();
        format!("u{:04}", (u * u * f64::from(self.recipe.users)) as u32)
    }

    fn id(&mut self) -> String {
        format!("{:012x}", self.rng.gen::<u64>() & 0xffff_ffff_ffff)
    }

    fn blob(&mut self, choices: &[String]) -> String {
        let choice = &choices[self.rng.gen_range(0..choices.len())];
        match choice.as_str() {
            "@user" => self.user(),
            "@id" => self.id(),
            _ => choice.clone(),
        }
    }

    pub fn point(&mut self, tenant: usize, ts_ms: i64) -> NewPoint {
        let ls: &LogstoreRecipe = &self.recipe.logstores[tenant];
        let factor = if self.in_burst(tenant, ts_ms) {
            self.recipe.burst_factor
        } else {
            1.0
        };
        let ev_idx = pick_weighted(&mut self.rng, &ls.events, |e| {
            if e.level == "error" {
                e.weight * factor
            } else {
                e.weight
            }
        });
        let ev: &EventRecipe = &ls.events[ev_idx];
        let blobs: Vec<String> = ev.blobs.iter().map(|c| self.blob(c)).collect();
        let doubles: Vec<f64> = ev
            .doubles
            .iter()
            .map(|d| {
                let v = d.median * (d.sigma * normal(&mut self.rng)).exp();
                (v * 100.0).round() / 100.0
            })
            .collect();
        let payload = ev.payload.map(|kind| self.payload(kind, ls, ev, &blobs));
        let mut body = Map::new();
        body.insert("event".into(), json!(ev.event));
        body.insert("level".into(), json!(ev.level));
        body.insert("blobs".into(), json!(blobs));
        body.insert("doubles".into(), json!(doubles));
        if let Some(p) = &payload {
            body.insert("payload".into(), p.clone());
        }
        let expires = ts_ms + DEFAULT_TTL_SECONDS as i64 * 1000;
        NewPoint {
            raw: raw_record(&ls.project, &ls.logstore, &ev.level, body).0,
            event: ev.event.clone(),
            level: ev.level.clone(),
            blobs,
            doubles,
            payload: payload.map(|p| (p.to_string(), expires)),
            shape: RowShape::AT_ONCE,
        }
    }

    fn payload(
        &mut self,
        kind: PayloadKind,
        ls: &LogstoreRecipe,
        ev: &EventRecipe,
        blobs: &[String],
    ) -> Value {
        let named: Map<String, Value> = ls
            .blob_names
            .iter()
            .zip(blobs)
            .map(|(n, v)| (n.clone(), json!(v)))
            .collect();
        let line = self.rng.gen_range(20..400);
        match kind {
            PayloadKind::Stack => json!({
                "error": format!("{} in {}/{}", ev.event, ls.project, ls.logstore),
                "message": format!("{}: connection reset by peer after {} ms", ev.event, self.rng.gen_range(100..9000)),
                "stack": format!(
                    "Error: {ev}\n    at handle (src/{ls}/handler.ts:{line}:17)\n    at process (src/runtime/queue.ts:88:9)\n    at async dispatch (src/index.ts:41:5)",
                    ev = ev.event, ls = ls.logstore,
                ),
                "context": named,
                "attempt": self.rng.gen_range(1..4),
            }),
            PayloadKind::Request => json!({
                "request": {
                    "method": "POST",
                    "url": format!("https://api.example.com/{}/{}", ls.logstore, self.id()),
                    "headers": {"content-type": "application/json", "user-agent": "shop-web/4.2.1"},
                    "body": {"amount": self.rng.gen_range(5..500), "currency": blobs.get(2), "user": blobs.last()},
                },
                "response": {"status": 502, "body": "upstream timed out", "elapsed_ms": self.rng.gen_range(3000..9000)},
                "context": named,
            }),
        }
    }

    pub fn log_line(&mut self, ts_ms: i64) -> Row {
        let idx = pick_weighted(&mut self.rng, &self.recipe.lines, |l| l.weight);
        let line = &self.recipe.lines[idx];
        let template = &line.messages[self.rng.gen_range(0..line.messages.len())];
        let message = template
            .replace(
                "{path}",
                ["/api/cart", "/api/search", "/api/orders"][self.rng.gen_range(0..3)],
            )
            .replace(
                "{status}",
                ["200", "201", "404", "500"][self.rng.gen_range(0..4)],
            )
            .replace("{ms}", &self.rng.gen_range(3..900).to_string())
            .replace("{id}", &self.id())
            .replace("{user}", &self.user());
        let mut entry = Map::new();
        entry.insert("message".into(), json!(message));
        entry.insert(
            "host".into(),
            json!(format!("{}-{}", line.logstore, self.rng.gen_range(1..4))),
        );
        Row::Log {
            project: line.project.clone(),
            logstore: line.logstore.clone(),
            ts_ms,
            log: NewLog {
                raw: raw_record(&line.project, &line.logstore, &line.level, entry).0,
                level: line.level.clone(),
                raw_delay_ms: Some(0),
            },
        }
    }
}
