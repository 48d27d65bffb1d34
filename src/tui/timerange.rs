//! The time range of a logstore's queries: a preset (last 15 minutes …
//! 7 days), a custom from–to, or all time. It is applied by writing the
//! bound into the statement's WHERE, where the user sees it; changing the
//! range rewrites that bound (recognised by its exact form) instead of
//! adding a second one.

use std::sync::OnceLock;

use regex::Regex;

use crate::tui::editor::drill::{self, DrillError};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TimeRange {
    /// No bound.
    #[default]
    All,
    /// The last `amount` `unit`s (MINUTE, HOUR, DAY).
    Last { amount: u32, unit: &'static str },
    /// From one UTC time to another, `YYYY-MM-DD hh:mm:ss` each.
    Between { from: String, to: String },
}

/// The presets, in the order the picker offers them.
pub const PRESETS: [TimeRange; 6] = [
    TimeRange::Last {
        amount: 15,
        unit: "MINUTE",
    },
    TimeRange::Last {
        amount: 1,
        unit: "HOUR",
    },
    TimeRange::Last {
        amount: 6,
        unit: "HOUR",
    },
    TimeRange::Last {
        amount: 24,
        unit: "HOUR",
    },
    TimeRange::Last {
        amount: 7,
        unit: "DAY",
    },
    TimeRange::All,
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    #[error("write the range as YYYY-MM-DD hh:mm:ss .. YYYY-MM-DD hh:mm:ss (UTC)")]
    Format,
    #[error("{0:?} is not a time (YYYY-MM-DD hh:mm:ss, UTC)")]
    BadTime(String),
    #[error("the range ends before it starts")]
    Backwards,
}

const TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

impl TimeRange {
    /// Short form for the status bar and the picker: 15m, 1h, 7d, all time.
    pub fn label(&self) -> String {
        match self {
            TimeRange::All => "all time".into(),
            TimeRange::Last { amount, unit } => {
                let u = match *unit {
                    "MINUTE" => "m",
                    "HOUR" => "h",
                    _ => "d",
                };
                format!("{amount}{u}")
            }
            TimeRange::Between { from, to } => format!("{from} .. {to}"),
        }
    }

    /// A custom range as typed: `from .. to`, UTC.
    pub fn parse_custom(text: &str) -> Result<Self, RangeError> {
        let (from, to) = text.split_once("..").ok_or(RangeError::Format)?;
        let parse = |s: &str| {
            let s = s.trim();
            chrono::NaiveDateTime::parse_from_str(s, TIME_FORMAT)
                .map_err(|_| RangeError::BadTime(s.to_string()))
        };
        let (a, b) = (parse(from)?, parse(to)?);
        if b < a {
            return Err(RangeError::Backwards);
        }
        Ok(TimeRange::Between {
            from: a.format(TIME_FORMAT).to_string(),
            to: b.format(TIME_FORMAT).to_string(),
        })
    }

    /// The condition written into WHERE; None for all time.
    pub fn bound(&self) -> Option<String> {
        match self {
            TimeRange::All => None,
            TimeRange::Last { amount, unit } => {
                Some(format!("timestamp >= now() - INTERVAL '{amount}' {unit}"))
            }
            TimeRange::Between { from, to } => Some(format!(
                "timestamp BETWEEN toDateTime({}) AND toDateTime({})",
                drill::string_literal(from),
                drill::string_literal(to)
            )),
        }
    }
}

/// The bounds this module writes (and only those: a time condition the
/// user wrote in another form is left alone).
fn bound_pattern() -> &'static str {
    r"timestamp\s*>=\s*now\(\)\s*-\s*INTERVAL\s+'?\d+'?\s+(?:MINUTE|HOUR|DAY)S?\b|timestamp\s+BETWEEN\s+toDateTime\('[^'\\]*'\)\s+AND\s+toDateTime\('[^'\\]*'\)"
}

/// 0: the bound; 1–3: the bound with what goes when it is removed (the
/// AND before it, the AND after it, or the WHERE it is alone in, with that
/// WHERE's line). The patterns are constants, tested below: None (a
/// pattern that does not compile) only means "no match".
fn regex(which: usize) -> Option<&'static Regex> {
    static RES: OnceLock<Vec<Option<Regex>>> = OnceLock::new();
    RES.get_or_init(|| {
        let b = bound_pattern();
        [
            format!("(?:{b})"),
            format!(r"\s+AND\s+(?:{b})"),
            format!(r"(?:{b})\s+AND\s+"),
            format!(r"\n?[ \t]*WHERE\s+(?:{b})[ \t]*"),
        ]
        .into_iter()
        .map(|p| Regex::new(&format!("(?i){p}")).ok())
        .collect()
    })
    .get(which)?
    .as_ref()
}

/// `sql` with its time bound set to `range`: the bound written before is
/// replaced (or removed for all time), else one is ANDed to the WHERE.
pub fn apply(sql: &str, range: &TimeRange) -> Result<String, DrillError> {
    let found = |i: usize| regex(i).filter(|re| re.is_match(sql));
    match range.bound() {
        Some(bound) => match found(0) {
            Some(re) => Ok(re.replace(sql, regex::NoExpand(&bound)).into_owned()),
            None => drill::add_condition(sql, &bound),
        },
        None => Ok((1..=3)
            .find_map(found)
            .map_or_else(|| sql.to_string(), |re| re.replace(sql, "").into_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: TimeRange = TimeRange::Last {
        amount: 1,
        unit: "HOUR",
    };

    #[test]
    fn a_bound_is_added_then_replaced_then_removed() {
        let sql = "SELECT x\nFROM aepipe\nORDER BY timestamp DESC\nLIMIT 100";
        let one = apply(sql, &HOUR).unwrap();
        assert_eq!(
            one,
            "SELECT x\nFROM aepipe\nWHERE timestamp >= now() - INTERVAL '1' HOUR\nORDER BY timestamp DESC\nLIMIT 100"
        );
        let week = apply(&one, &PRESETS[4]).unwrap();
        assert!(
            week.contains("WHERE timestamp >= now() - INTERVAL '7' DAY\n"),
            "{week}"
        );
        assert_eq!(apply(&week, &TimeRange::All).unwrap(), sql);
    }

    #[test]
    fn the_bound_keeps_company_with_other_conditions() {
        let sql = "SELECT x FROM aepipe WHERE blob4 = 'error' LIMIT 5";
        let with = apply(sql, &HOUR).unwrap();
        assert_eq!(
            with,
            "SELECT x FROM aepipe WHERE blob4 = 'error' AND timestamp >= now() - INTERVAL '1' HOUR LIMIT 5"
        );
        assert_eq!(apply(&with, &TimeRange::All).unwrap(), sql);
        let first = "SELECT x FROM aepipe WHERE timestamp >= now() - INTERVAL '1' HOUR AND a = 1";
        assert_eq!(
            apply(first, &TimeRange::All).unwrap(),
            "SELECT x FROM aepipe WHERE a = 1"
        );
    }

    #[test]
    fn custom_ranges_are_checked_and_written_between() {
        let r = TimeRange::parse_custom("2026-11-27 01:00:00 .. 2026-11-27 02:00:00").unwrap();
        let sql = apply(
            "SELECT x FROM aepipe WHERE timestamp >= now() - INTERVAL '15' MINUTE",
            &r,
        )
        .unwrap();
        assert_eq!(
            sql,
            "SELECT x FROM aepipe WHERE timestamp BETWEEN toDateTime('2026-11-27 01:00:00') AND toDateTime('2026-11-27 02:00:00')"
        );
        assert_eq!(apply(&sql, &HOUR).unwrap().matches("timestamp").count(), 1);
        assert_eq!(
            TimeRange::parse_custom("2026-11-27 02:00:00 .. 2026-11-27 01:00:00"),
            Err(RangeError::Backwards)
        );
        assert!(matches!(
            TimeRange::parse_custom("yesterday .. now"),
            Err(RangeError::BadTime(_))
        ));
        assert_eq!(TimeRange::parse_custom("x"), Err(RangeError::Format));
    }

    #[test]
    fn every_pattern_compiles() {
        assert!((0..=3).all(|i| regex(i).is_some()));
    }

    #[test]
    fn labels() {
        let labels: Vec<String> = PRESETS.iter().map(TimeRange::label).collect();
        assert_eq!(labels, ["15m", "1h", "6h", "24h", "7d", "all time"]);
    }
}
