//! Date and time functions of the dialect (`now`, `toDateTime`,
//! `formatDateTime`, `toStartOf…`, `toHour` & co.), with ClickHouse's time
//! zones: a function computes in its zone argument, else in the zone of its
//! DateTime argument's type, else in UTC. Zoned values are computed on their
//! wall time (zones.rs) with the same SQL as UTC values.

use sqlparser::ast::{Expr, Value as AstValue};

use super::datetime;
use super::error::{at, err_at, SqlError};
use super::functions::{expect_args, Call};
use super::rollup_plan;
use super::translate::{Lit, Translator, Typed};
use super::types::{ChType, IntervalUnit};
use super::zones::{self, Tz};

impl Translator {
    /// A date or time function, or None when `c` is not one.
    pub(super) fn time_call(
        &mut self,
        c: &Call<'_>,
        args: &mut Vec<Typed>,
        node: &Expr,
    ) -> Result<Option<Typed>, SqlError> {
        let name = c.lower.as_str();
        let t = match name {
            "now" => {
                expect_args(c, node, 0, 1)?;
                let zone = self.zone_arg(c, 0)?;
                Typed::new(self.now.to_string(), ChType::DateTime(zone))
            }
            "today" => {
                expect_args(c, node, 0, 0)?;
                Typed::new(
                    datetime::floor_to(self.now, 86_400).to_string(),
                    ChType::Date,
                )
            }
            "todatetime" => {
                expect_args(c, node, 1, 2)?;
                let zone = self.zone_arg(c, 1)?;
                let x = args.remove(0);
                self.datetime_of(x, zone, c.args[0])?
            }
            "todate" => {
                expect_args(c, node, 1, 2)?;
                let zone = self.zone_arg(c, 1)?;
                let x = args.remove(0);
                self.date_of(x, zone, c.args[0], node)?
            }
            "tounixtimestamp" => {
                expect_args(c, node, 1, 2)?;
                let zone = self.zone_arg(c, 1)?;
                let x = args.remove(0);
                let x = if x.ty.is_string() {
                    self.datetime_of(x, zone, c.args[0])?
                } else {
                    self.as_time(x, c.args[0], "toUnixTimestamp")?
                };
                Typed {
                    ty: ChType::UInt32,
                    lit: None,
                    ..x
                }
            }
            "formatdatetime" => {
                expect_args(c, node, 2, 3)?;
                let explicit = self.zone_arg(c, 2)?;
                let fmt = args.remove(1);
                let t = self.as_time(args.remove(0), c.args[0], "formatDateTime")?;
                match &fmt.lit {
                    Some(Lit::Str(f)) => {
                        datetime::format_datetime(0, 0, f)
                            .map_err(|m| at(SqlError::new(m), c.args[1]))?;
                    }
                    _ => {
                        return err_at(node, "formatDateTime: the format must be a constant string")
                    }
                }
                let sql = match wall_zone(explicit.or(t.ty.zone())) {
                    Some(z) => format!(
                        "ae_format_datetime({}, {}, {})",
                        t.sql,
                        fmt.sql,
                        self.bind_text(z.name())
                    ),
                    None => format!("ae_format_datetime({}, {})", t.sql, fmt.sql),
                };
                Typed::from_parts(sql, ChType::String, &[&t])
            }
            "tostartofinterval" => {
                expect_args(c, node, 2, 3)?;
                let explicit = self.zone_arg(c, 2)?;
                let iv = args.remove(1);
                let t = self.as_time(args.remove(0), c.args[0], "toStartOfInterval")?;
                let Some(Lit::Interval(n, unit)) = iv.lit else {
                    return err_at(node, "toStartOfInterval: the second argument must be an INTERVAL, e.g. INTERVAL '5' MINUTE");
                };
                if n <= 0 {
                    return err_at(node, "toStartOfInterval: the interval must be positive");
                }
                self.in_zone(t, explicit, |_, t| Ok(start_of_interval(&t, n, unit)))?
            }
            "tostartofyear" | "tostartofquarter" | "tostartofmonth" => {
                expect_args(c, node, 1, 2)?;
                let explicit = self.zone_arg(c, 1)?;
                let t = self.as_time(args.remove(0), c.args[0], &c.name)?;
                let months = match name {
                    "tostartofyear" => 12,
                    "tostartofquarter" => 3,
                    _ => 1,
                };
                self.in_zone(t, explicit, |_, t| {
                    let sql = match months {
                        1 => format!(
                            "CAST(strftime('%s', {}, 'unixepoch', 'start of month') AS INTEGER)",
                            t.sql
                        ),
                        12 => format!(
                            "CAST(strftime('%s', {}, 'unixepoch', 'start of year') AS INTEGER)",
                            t.sql
                        ),
                        m => format!("ae_start_of_months({}, {m})", t.sql),
                    };
                    Ok(Typed::from_parts(sql, ChType::Date, &[&t]))
                })?
            }
            "tostartofweek" | "tomonday" => {
                let max = if name == "tomonday" { 2 } else { 3 };
                expect_args(c, node, 1, max)?;
                // toStartOfWeek(t[, mode[, zone]]): an even mode (the default
                // 0) starts weeks on Sunday, an odd one on Monday.
                let (monday, zone_at) = if name == "tomonday" {
                    (true, 1)
                } else {
                    let mode = match args.get(1).map(|a| &a.lit) {
                        None => 0,
                        Some(Some(Lit::Int(m))) => *m,
                        Some(_) => {
                            return err_at(
                                c.args[1],
                                "toStartOfWeek: the mode must be a constant integer",
                            )
                        }
                    };
                    (mode & 1 == 1, 2)
                };
                let explicit = self.zone_arg(c, zone_at)?;
                let t = self.as_time(args.remove(0), c.args[0], &c.name)?;
                self.in_zone(t, explicit, |_, t| {
                    Ok(Typed::from_parts(
                        format!("ae_start_of_week({}, {})", t.sql, u8::from(monday)),
                        ChType::Date,
                        &[&t],
                    ))
                })?
            }
            "tostartofday"
            | "tostartofhour"
            | "tostartoffifteenminutes"
            | "tostartoftenminutes"
            | "tostartoffiveminutes"
            | "tostartofminute" => {
                expect_args(c, node, 1, 2)?;
                let explicit = self.zone_arg(c, 1)?;
                let t = self.as_time(args.remove(0), c.args[0], &c.name)?;
                let step = match name {
                    "tostartofday" => 86_400,
                    "tostartofhour" => 3_600,
                    "tostartoffifteenminutes" => 900,
                    "tostartoftenminutes" => 600,
                    "tostartoffiveminutes" => 300,
                    _ => 60,
                };
                self.in_zone(t, explicit, |_, t| {
                    Ok(Typed::from_parts(
                        floor_minutes(&t.sql, step),
                        ChType::DateTime(None),
                        &[&t],
                    ))
                })?
            }
            "toyear" | "tomonth" | "todayofmonth" | "todayofweek" | "tohour" | "tominute"
            | "tosecond" | "toyyyymm" | "todayofyear" | "toquarter" => {
                expect_args(c, node, 1, 2)?;
                let explicit = self.zone_arg(c, 1)?;
                let t = self.as_time(args.remove(0), c.args[0], &c.name)?;
                self.in_zone(t, explicit, |tr, t| tr.date_part(&c.name, t, c.args[0]))?
            }
            _ => return Ok(None),
        };
        Ok(Some(t))
    }

    /// The zone named by argument `index` of `c`, if given: a constant
    /// string naming a zone of the tz database.
    fn zone_arg(&self, c: &Call<'_>, index: usize) -> Result<Option<Tz>, SqlError> {
        let Some(e) = c.args.get(index) else {
            return Ok(None);
        };
        match e {
            Expr::Value(v) => match &v.value {
                AstValue::SingleQuotedString(name) => match zones::parse(name) {
                    Some(z) => Ok(Some(z)),
                    None => err_at(*e, format!("{}: unknown time zone '{name}'", c.name)),
                },
                _ => err_at(
                    *e,
                    format!(
                        "{}: the time zone must be a string like 'Europe/Berlin'",
                        c.name
                    ),
                ),
            },
            _ => err_at(
                *e,
                format!("{}: the time zone must be a constant string", c.name),
            ),
        }
    }

    /// `f` applied to `t` read as wall time in its zone (the explicit one,
    /// else its type's); a DateTime result is turned back into an instant
    /// and typed with that zone, other results are calendar values.
    fn in_zone(
        &mut self,
        t: Typed,
        explicit: Option<Tz>,
        f: impl FnOnce(&mut Self, Typed) -> Result<Typed, SqlError>,
    ) -> Result<Typed, SqlError> {
        let zone = explicit.or(t.ty.zone());
        // A Date is a calendar day already: no wall time to compute.
        let wall = wall_zone(zone).filter(|_| !matches!(t.ty.base(), ChType::Date));
        let Some(wall) = wall else {
            let r = f(self, t)?;
            return Ok(match r.ty {
                ChType::DateTime(_) => Typed {
                    ty: ChType::DateTime(zone),
                    ..r
                },
                _ => r,
            });
        };
        let name = self.bind_text(wall.name());
        let local = Typed::from_parts(
            format!("ae_to_local({}, {name})", t.sql),
            ChType::DateTime(None),
            &[&t],
        );
        let r = f(self, local)?;
        Ok(match r.ty {
            ChType::DateTime(_) => Typed::from_parts(
                format!("ae_from_local({}, {name})", r.sql),
                ChType::DateTime(zone),
                &[&r],
            ),
            _ => r,
        })
    }

    /// `toDateTime(x[, zone])`: strings are read as wall time in the zone.
    fn datetime_of(&mut self, x: Typed, zone: Option<Tz>, arg: &Expr) -> Result<Typed, SqlError> {
        let ty = ChType::DateTime(zone);
        Ok(match x.ty.base() {
            ChType::DateTime(_) | ChType::Date => Typed { ty, ..x },
            t if t.is_integer() => Typed { ty, ..x },
            ChType::Float64 => Typed::from_parts(format!("CAST({} AS INTEGER)", x.sql), ty, &[&x]),
            _ => {
                let t = self.as_time(x, arg, "toDateTime")?;
                match (wall_zone(zone), &t.lit) {
                    (None, _) => Typed { ty, ..t },
                    (Some(z), Some(Lit::Int(wall))) => {
                        let secs = zones::from_local(*wall as i64, z);
                        let mut out = Typed::new(secs.to_string(), ty);
                        out.lit = Some(Lit::Int(i128::from(secs)));
                        out
                    }
                    (Some(z), _) => Typed::from_parts(
                        format!("ae_from_local({}, {})", t.sql, self.bind_text(z.name())),
                        ty,
                        &[&t],
                    ),
                }
            }
        })
    }

    /// `toDate(x[, zone])`.
    fn date_of(
        &mut self,
        x: Typed,
        zone: Option<Tz>,
        arg: &Expr,
        node: &Expr,
    ) -> Result<Typed, SqlError> {
        Ok(match x.ty.base() {
            ChType::Date => x,
            ChType::DateTime(_) => self.in_zone(x, zone, |_, t| {
                Ok(Typed::from_parts(
                    floor_minutes(&t.sql, 86_400),
                    ChType::Date,
                    &[&t],
                ))
            })?,
            ChType::String => match &x.lit {
                Some(Lit::Str(s)) => {
                    let secs = datetime::parse_date(s)
                        .or_else(|| {
                            datetime::parse_datetime(s).map(|t| datetime::floor_to(t, 86_400))
                        })
                        .ok_or_else(|| {
                            at(
                                SqlError::new(format!(
                                    "cannot parse '{s}' as Date (expected 'YYYY-MM-DD')"
                                )),
                                arg,
                            )
                        })?;
                    Typed::new(secs.to_string(), ChType::Date)
                }
                _ => Typed::from_parts(format!("ae_parse_date({})", x.sql), ChType::Date, &[&x]),
            },
            // ClickHouse reads small numbers as days since 1970, larger as Unix seconds.
            t if t.is_numeric() => Typed::from_parts(
                format!(
                    "(CASE WHEN {0} < 65536 THEN CAST({0} AS INTEGER) * 86400 ELSE {1} END)",
                    x.sql,
                    floor_sql(&format!("CAST({} AS INTEGER)", x.sql), 86_400)
                ),
                ChType::Date,
                &[&x],
            ),
            other => {
                return err_at(
                    node,
                    format!("toDate expects a DateTime, string or number, got {other}"),
                )
            }
        })
    }
}

/// The zone whose wall time differs from UTC, if any.
fn wall_zone(zone: Option<Tz>) -> Option<Tz> {
    zone.filter(|z| !zones::is_utc(*z))
}

/// `t` floored to a multiple of `step` seconds (right before 1970 too).
pub(super) fn floor_sql(t: &str, step: i64) -> String {
    format!("({t} - ((({t}) % {step}) + {step}) % {step})")
}

/// [`floor_sql`] for a step of whole minutes. The stored timestamp is first
/// floored to its minute (the same result) in the very form the rollup
/// planner reads as its `minute` column (rollup_plan.rs), so buckets of
/// minutes, hours and days can be answered from per-minute rows.
fn floor_minutes(t: &str, step: i64) -> String {
    if step % 60 == 0 && t == "events.timestamp" {
        floor_sql(&rollup_plan::minute_of_timestamp(), step)
    } else {
        floor_sql(t, step)
    }
}

fn start_of_interval(t: &Typed, n: i64, unit: IntervalUnit) -> Typed {
    // A bucket of whole minutes is the same for a timestamp and its minute.
    let minute;
    let t = if t.sql == "events.timestamp" {
        minute = Typed::from_parts(rollup_plan::minute_of_timestamp(), t.ty.clone(), &[t]);
        match unit.fixed_seconds() {
            Some(s) if n.saturating_mul(s) % 60 != 0 => t,
            _ => &minute,
        }
    } else {
        t
    };
    let (sql, ty) = match unit {
        IntervalUnit::Week => {
            // Weeks start on Monday and are counted from the Monday before
            // the epoch (1969-12-29, three days earlier), like toMonday.
            let step = n.saturating_mul(604_800);
            let shifted = format!("({} + 259200)", t.sql);
            (
                format!("({} - 259200)", floor_sql(&shifted, step)),
                ChType::Date,
            )
        }
        IntervalUnit::Month | IntervalUnit::Quarter | IntervalUnit::Year => {
            let months = unit.months().unwrap_or(1).saturating_mul(n);
            (
                format!("ae_start_of_months({}, {months})", t.sql),
                ChType::Date,
            )
        }
        IntervalUnit::Day => (floor_sql(&t.sql, n.saturating_mul(86_400)), ChType::Date),
        other => {
            let step = n.saturating_mul(other.fixed_seconds().unwrap_or(1));
            (floor_sql(&t.sql, step), ChType::DateTime(None))
        }
    };
    Typed::from_parts(sql, ty, &[t])
}
