//! Functions SQLite lacks, registered on every reading connection under an
//! `ae_` prefix (users cannot name them: the translator only emits them).
//! Hot paths (grouping, time buckets) use native SQLite expressions instead;
//! these carry the ClickHouse semantics SQLite has no native form for.

use std::collections::HashMap;

use rusqlite::functions::{Aggregate, Context, FunctionFlags};
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, Error, Result};

use super::datetime;
use super::zones;

fn user_error(message: impl Into<String>) -> Error {
    Error::UserFunctionError(message.into().into())
}

fn text_arg(ctx: &Context<'_>, i: usize) -> Result<Option<String>> {
    Ok(match ctx.get_raw(i) {
        ValueRef::Null => None,
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Integer(n) => Some(n.to_string()),
        ValueRef::Real(f) => Some(float_to_string(f)),
    })
}

fn int_arg(ctx: &Context<'_>, i: usize) -> Result<Option<i64>> {
    Ok(match ctx.get_raw(i) {
        ValueRef::Null => None,
        ValueRef::Integer(n) => Some(n),
        ValueRef::Real(f) => Some(f as i64),
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(
            std::str::from_utf8(t)
                .ok()
                .and_then(|s| s.trim().parse::<i64>().ok())
                .ok_or_else(|| {
                    user_error(format!(
                        "cannot parse '{}' as a number",
                        String::from_utf8_lossy(t)
                    ))
                })?,
        ),
    })
}

/// A zone name argument (bound by the translator, which checked it), if present.
fn zone_arg(ctx: &Context<'_>, i: usize) -> Result<Option<zones::Tz>> {
    if i >= ctx.len() {
        return Ok(None);
    }
    match text_arg(ctx, i)? {
        None => Ok(None),
        Some(name) => zones::parse(&name)
            .map(Some)
            .ok_or_else(|| user_error(format!("unknown time zone '{name}'"))),
    }
}

fn float_arg(ctx: &Context<'_>, i: usize) -> Result<Option<f64>> {
    Ok(match ctx.get_raw(i) {
        ValueRef::Null => None,
        ValueRef::Integer(n) => Some(n as f64),
        ValueRef::Real(f) => Some(f),
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(
            std::str::from_utf8(t)
                .ok()
                .and_then(|s| parse_float(s.trim()))
                .ok_or_else(|| {
                    user_error(format!(
                        "cannot parse '{}' as Float64",
                        String::from_utf8_lossy(t)
                    ))
                })?,
        ),
    })
}

fn parse_float(s: &str) -> Option<f64> {
    match s.to_ascii_lowercase().as_str() {
        "nan" => Some(f64::NAN),
        "inf" | "+inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        _ => s.parse::<f64>().ok(),
    }
}

/// ClickHouse's text for a Float64: shortest round-trip digits, `1` not
/// `1.0`, exponent form for very large or small magnitudes, `nan`/`inf`.
pub fn float_to_string(f: f64) -> String {
    let mut out = String::new();
    push_float(&mut out, f);
    out
}

/// [`float_to_string`] appended to `out`: no allocation per value when an
/// answer renders many floats.
pub fn push_float(out: &mut String, f: f64) {
    use std::fmt::Write as _;
    if f.is_nan() {
        out.push_str("nan");
    } else if f.is_infinite() {
        out.push_str(if f > 0.0 { "inf" } else { "-inf" });
    } else if f != 0.0 && f.fract() == 0.0 && f.abs() < TWO_POW_63 {
        // ClickHouse prints an integral value that fits Int64 as that
        // integer: 1e18 is 1000000000000000000.
        let _ = write!(out, "{}", f as i64);
    } else if f != 0.0 && (f.abs() >= 1e16 || f.abs() < 1e-5) {
        let _ = write!(out, "{f:e}");
    } else {
        let _ = write!(out, "{f}");
    }
}

/// 2^63: the first magnitude an Int64 cannot hold.
pub const TWO_POW_63: f64 = -(i64::MIN as f64);

/// Wrap an integer into `bits` (signed or not), as ClickHouse's toUInt8 &
/// co. and integer overflow do.
pub fn wrap_int(n: i64, bits: u32, signed: bool) -> i64 {
    if bits >= 64 {
        return n;
    }
    let mask = (1i64 << bits) - 1;
    let v = n & mask;
    if signed && v >> (bits - 1) == 1 {
        v - (1i64 << bits)
    } else {
        v
    }
}

/// SQL LIKE with ClickHouse semantics: case-sensitive, `%` any run, `_` one
/// code point, backslash escapes.
pub fn like_match(text: &str, pattern: &str) -> bool {
    let t: Vec<char> = text.chars().collect();
    let p: Vec<char> = pattern.chars().collect();
    like_from(&t, &p)
}

fn like_from(t: &[char], p: &[char]) -> bool {
    // Iterative matcher with one backtrack point for the last `%`.
    let (mut ti, mut pi) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() {
            match p[pi] {
                '%' => {
                    star = Some((pi, ti));
                    pi += 1;
                    continue;
                }
                '_' => {
                    ti += 1;
                    pi += 1;
                    continue;
                }
                '\\' if pi + 1 < p.len() && p[pi + 1] == t[ti] => {
                    ti += 1;
                    pi += 2;
                    continue;
                }
                '\\' if pi + 1 < p.len() => {}
                c if c == t[ti] => {
                    ti += 1;
                    pi += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, st)) => {
                pi = sp + 1;
                ti = st + 1;
                star = Some((sp, st + 1));
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|&c| c == '%')
}

/// ClickHouse `substring` in code points: 1-based, negative offsets count
/// from the end, offset 0 gives ''.
pub fn substring(s: &str, offset: i64, len: Option<i64>) -> String {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len() as i64;
    let start = match offset {
        0 => return String::new(),
        o if o > 0 => o - 1,
        o => n + o,
    };
    let end = match len {
        None => n,
        Some(l) if l >= 0 => start.saturating_add(l),
        Some(l) => n + l,
    };
    let (start, end) = (start.clamp(0, n), end.clamp(0, n));
    if start >= end {
        return String::new();
    }
    chars[start as usize..end as usize].iter().collect()
}

/// ClickHouse `format(pattern, args…)`: `{}` takes the next argument, `{n}`
/// the n-th (0-based), `{{` and `}}` are literal braces.
pub fn format_pattern(pattern: &str, args: &[String]) -> std::result::Result<String, String> {
    let mut out = String::new();
    let mut next = 0usize;
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut index = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(d) if d.is_ascii_digit() => index.push(d),
                        _ => return Err("format: unclosed or invalid '{' in the pattern".into()),
                    }
                }
                let i = if index.is_empty() {
                    next += 1;
                    next - 1
                } else {
                    index
                        .parse::<usize>()
                        .map_err(|_| "format: argument index is too large".to_string())?
                };
                let arg = args.get(i).ok_or_else(|| {
                    format!(
                        "format: the pattern needs argument {i}, but only {} given",
                        args.len()
                    )
                })?;
                out.push_str(arg);
            }
            '}' => return Err("format: unmatched '}' in the pattern".into()),
            c => out.push(c),
        }
    }
    Ok(out)
}

fn round_half_even(x: f64, digits: i64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    let digits = digits.clamp(-20, 20) as i32;
    let scale = 10f64.powi(digits.abs());
    if digits >= 0 {
        (x * scale).round_ties_even() / scale
    } else {
        (x / scale).round_ties_even() * scale
    }
}

fn scaled(x: f64, digits: i64, op: fn(f64) -> f64) -> f64 {
    let digits = digits.clamp(-20, 20) as i32;
    let scale = 10f64.powi(digits.abs());
    if digits >= 0 {
        op(x * scale) / scale
    } else {
        op(x / scale) * scale
    }
}

/// Hex of an integer as ClickHouse prints it: whole bytes, no leading zero bytes.
fn hex_int(n: u64) -> String {
    let s = format!("{n:X}");
    if s.len() % 2 == 1 {
        format!("0{s}")
    } else {
        s
    }
}

fn bin_int(n: u64) -> String {
    let bytes = n.to_be_bytes();
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(7);
    bytes[first..].iter().map(|b| format!("{b:08b}")).collect()
}

fn register_scalars(conn: &Connection) -> Result<()> {
    let det = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;

    conn.create_scalar_function("ae_parse_datetime", 1, det, |ctx| {
        let Some(s) = text_arg(ctx, 0)? else {
            return Ok(None);
        };
        datetime::parse_datetime(&s)
            .map(Some)
            .ok_or_else(|| user_error(format!("cannot parse '{s}' as DateTime")))
    })?;
    conn.create_scalar_function("ae_parse_date", 1, det, |ctx| {
        let Some(s) = text_arg(ctx, 0)? else {
            return Ok(None);
        };
        datetime::parse_date(&s)
            .or_else(|| datetime::parse_datetime(&s).map(|t| datetime::floor_to(t, 86_400)))
            .map(Some)
            .ok_or_else(|| user_error(format!("cannot parse '{s}' as Date")))
    })?;
    // (t, format[, zone])
    conn.create_scalar_function("ae_format_datetime", -1, det, |ctx| {
        let (Some(t), Some(fmt)) = (int_arg(ctx, 0)?, text_arg(ctx, 1)?) else {
            return Ok(None);
        };
        let offset = zone_arg(ctx, 2)?.map_or(0, |z| zones::offset_at(t, z));
        datetime::format_datetime(t.saturating_add(offset), offset, &fmt)
            .map(Some)
            .map_err(user_error)
    })?;
    // (t[, zone])
    conn.create_scalar_function("ae_render_datetime", -1, det, |ctx| {
        let zone = zone_arg(ctx, 1)?;
        Ok(int_arg(ctx, 0)?
            .map(|t| datetime::render_datetime(zone.map_or(t, |z| zones::to_local(t, z)))))
    })?;
    conn.create_scalar_function("ae_to_local", 2, det, |ctx| {
        let (Some(t), Some(z)) = (int_arg(ctx, 0)?, zone_arg(ctx, 1)?) else {
            return Ok(None);
        };
        Ok(Some(zones::to_local(t, z)))
    })?;
    conn.create_scalar_function("ae_from_local", 2, det, |ctx| {
        let (Some(t), Some(z)) = (int_arg(ctx, 0)?, zone_arg(ctx, 1)?) else {
            return Ok(None);
        };
        Ok(Some(zones::from_local(t, z)))
    })?;
    conn.create_scalar_function("ae_render_date", 1, det, |ctx| {
        Ok(int_arg(ctx, 0)?.map(datetime::render_date))
    })?;
    conn.create_scalar_function("ae_start_of_months", 2, det, |ctx| {
        let (Some(t), Some(n)) = (int_arg(ctx, 0)?, int_arg(ctx, 1)?) else {
            return Ok(None);
        };
        Ok(datetime::start_of_months(t, n))
    })?;
    // (t, starts_monday)
    conn.create_scalar_function("ae_start_of_week", 2, det, |ctx| {
        let (Some(t), Some(monday)) = (int_arg(ctx, 0)?, int_arg(ctx, 1)?) else {
            return Ok(None);
        };
        Ok(Some(datetime::start_of_week(t, monday != 0)))
    })?;
    conn.create_scalar_function("ae_add_months", 2, det, |ctx| {
        let (Some(t), Some(n)) = (int_arg(ctx, 0)?, int_arg(ctx, 1)?) else {
            return Ok(None);
        };
        Ok(datetime::add_months(t, n))
    })?;
    conn.create_scalar_function("ae_float_str", 1, det, |ctx| {
        Ok(float_arg(ctx, 0)?.map(float_to_string))
    })?;
    conn.create_scalar_function("ae_like", 2, det, |ctx| {
        let (Some(s), Some(p)) = (text_arg(ctx, 0)?, text_arg(ctx, 1)?) else {
            return Ok(None);
        };
        Ok(Some(like_match(&s, &p)))
    })?;
    conn.create_scalar_function("ae_ilike", 2, det, |ctx| {
        let (Some(s), Some(p)) = (text_arg(ctx, 0)?, text_arg(ctx, 1)?) else {
            return Ok(None);
        };
        Ok(Some(like_match(&s.to_lowercase(), &p.to_lowercase())))
    })?;
    conn.create_scalar_function("ae_lower_utf8", 1, det, |ctx| {
        Ok(text_arg(ctx, 0)?.map(|s| s.to_lowercase()))
    })?;
    conn.create_scalar_function("ae_upper_utf8", 1, det, |ctx| {
        Ok(text_arg(ctx, 0)?.map(|s| s.to_uppercase()))
    })?;
    conn.create_scalar_function("ae_starts_with", 2, det, |ctx| {
        let (Some(s), Some(p)) = (text_arg(ctx, 0)?, text_arg(ctx, 1)?) else {
            return Ok(None);
        };
        Ok(Some(s.starts_with(&p)))
    })?;
    conn.create_scalar_function("ae_ends_with", 2, det, |ctx| {
        let (Some(s), Some(p)) = (text_arg(ctx, 0)?, text_arg(ctx, 1)?) else {
            return Ok(None);
        };
        Ok(Some(s.ends_with(&p)))
    })?;
    // ClickHouse `position` counts bytes (positionUTF8 would count code points).
    conn.create_scalar_function("ae_position", 2, det, |ctx| {
        let (Some(h), Some(n)) = (text_arg(ctx, 0)?, text_arg(ctx, 1)?) else {
            return Ok(None);
        };
        Ok(Some(h.find(&n).map_or(0, |i| i as i64 + 1)))
    })?;
    conn.create_scalar_function("ae_substring", -1, det, |ctx| {
        if !(2..=3).contains(&ctx.len()) {
            return Err(user_error("substring takes 2 or 3 arguments"));
        }
        let (Some(s), Some(off)) = (text_arg(ctx, 0)?, int_arg(ctx, 1)?) else {
            return Ok(None);
        };
        let len = if ctx.len() == 3 {
            int_arg(ctx, 2)?
        } else {
            None
        };
        Ok(Some(substring(&s, off, len)))
    })?;
    conn.create_scalar_function("ae_format", -1, det, |ctx| {
        let Some(pattern) = text_arg(ctx, 0)? else {
            return Ok(None);
        };
        let mut args = Vec::with_capacity(ctx.len().saturating_sub(1));
        for i in 1..ctx.len() {
            args.push(text_arg(ctx, i)?.unwrap_or_default());
        }
        format_pattern(&pattern, &args)
            .map(Some)
            .map_err(user_error)
    })?;
    conn.create_scalar_function("ae_replace_one", 3, det, |ctx| {
        let (Some(s), Some(from), Some(to)) =
            (text_arg(ctx, 0)?, text_arg(ctx, 1)?, text_arg(ctx, 2)?)
        else {
            return Ok(None);
        };
        if from.is_empty() {
            return Ok(Some(s));
        }
        Ok(Some(s.replacen(&from, &to, 1)))
    })?;
    conn.create_scalar_function("ae_to_int", 3, det, |ctx| {
        let (bits, signed) = (int_arg(ctx, 1)?.unwrap_or(64), int_arg(ctx, 2)? == Some(1));
        // Read as i128 so UInt64 values up to 2^64 - 1 arrive whole, then
        // keep the low bits: ClickHouse's conversions wrap.
        let n: i128 = match ctx.get_raw(0) {
            ValueRef::Null => return Ok(None),
            ValueRef::Integer(n) => i128::from(n),
            ValueRef::Real(f) if f.is_finite() => f.trunc() as i128,
            ValueRef::Real(_) => 0,
            ValueRef::Text(t) | ValueRef::Blob(t) => {
                let text = String::from_utf8_lossy(t);
                let text = text.trim();
                text.parse::<i128>()
                    .ok()
                    .or_else(|| {
                        text.parse::<f64>()
                            .ok()
                            .filter(|f| f.is_finite())
                            .map(|f| f.trunc() as i128)
                    })
                    .ok_or_else(|| user_error(format!("cannot parse '{text}' as a number")))?
            }
        };
        Ok(Some(wrap_int(n as i64, bits as u32, signed)))
    })?;
    // Integers one of which is a UInt64 (its i64 bit pattern when flagged):
    // -1, 0 or 1 by mathematical value.
    conn.create_scalar_function("ae_cmp_int", 4, det, |ctx| {
        let read = |i: usize| -> Result<Option<i128>> {
            let unsigned = int_arg(ctx, i + 1)? == Some(1);
            Ok(match ctx.get_raw(i) {
                ValueRef::Null => None,
                ValueRef::Integer(n) if unsigned => Some(i128::from(n as u64)),
                ValueRef::Integer(n) => Some(i128::from(n)),
                ValueRef::Real(f) => Some(f as i128),
                _ => int_arg(ctx, i)?.map(i128::from),
            })
        };
        Ok(match (read(0)?, read(2)?) {
            (Some(a), Some(b)) => Some(a.cmp(&b) as i64),
            _ => None,
        })
    })?;
    conn.create_scalar_function("ae_u64_real", 1, det, |ctx| {
        Ok(int_arg(ctx, 0)?.map(|n| n as u64 as f64))
    })?;
    conn.create_scalar_function("ae_u64_str", 1, det, |ctx| {
        Ok(int_arg(ctx, 0)?.map(|n| (n as u64).to_string()))
    })?;
    for (name, op) in [
        (
            "ae_u64_div",
            u64::checked_div as fn(u64, u64) -> Option<u64>,
        ),
        ("ae_u64_mod", u64::checked_rem),
    ] {
        conn.create_scalar_function(name, 2, det, move |ctx| {
            let (Some(a), Some(b)) = (int_arg(ctx, 0)?, int_arg(ctx, 1)?) else {
                return Ok(None);
            };
            op(a as u64, b as u64)
                .map(|v| Some(v as i64))
                .ok_or_else(|| user_error("division by zero"))
        })?;
    }
    // 64-bit integer arithmetic wraps in ClickHouse; SQLite's `+` would
    // turn an overflow into a REAL and lose the low bits. UInt64 values are
    // kept as their i64 bit pattern, so wrapping i64 ops are right for both.
    for (name, op) in [
        ("ae_wrapping_add", i64::wrapping_add as fn(i64, i64) -> i64),
        ("ae_wrapping_sub", i64::wrapping_sub),
        ("ae_wrapping_mul", i64::wrapping_mul),
    ] {
        conn.create_scalar_function(name, 2, det, move |ctx| {
            Ok(match (int_arg(ctx, 0)?, int_arg(ctx, 1)?) {
                (Some(a), Some(b)) => Some(op(a, b)),
                _ => None,
            })
        })?;
    }
    conn.create_scalar_function("ae_to_float", 1, det, |ctx| float_arg(ctx, 0))?;
    conn.create_scalar_function("ae_round", 2, det, |ctx| {
        let (Some(x), n) = (float_arg(ctx, 0)?, int_arg(ctx, 1)?.unwrap_or(0)) else {
            return Ok(None);
        };
        Ok(Some(round_half_even(x, n)))
    })?;
    conn.create_scalar_function("ae_floor", 2, det, |ctx| {
        let (Some(x), n) = (float_arg(ctx, 0)?, int_arg(ctx, 1)?.unwrap_or(0)) else {
            return Ok(None);
        };
        Ok(Some(scaled(x, n, f64::floor)))
    })?;
    conn.create_scalar_function("ae_ceil", 2, det, |ctx| {
        let (Some(x), n) = (float_arg(ctx, 0)?, int_arg(ctx, 1)?.unwrap_or(0)) else {
            return Ok(None);
        };
        Ok(Some(scaled(x, n, f64::ceil)))
    })?;
    // NaN and infinities become NULL in SQLite; they render as null, as
    // ClickHouse renders nan and inf in JSON.
    for (name, op) in [
        ("ae_ln", f64::ln as fn(f64) -> f64),
        ("ae_exp", f64::exp),
        ("ae_sqrt", f64::sqrt),
    ] {
        conn.create_scalar_function(name, 1, det, move |ctx| Ok(float_arg(ctx, 0)?.map(op)))?;
    }
    conn.create_scalar_function("ae_pow", 2, det, |ctx| {
        let (Some(a), Some(b)) = (float_arg(ctx, 0)?, float_arg(ctx, 1)?) else {
            return Ok(None);
        };
        Ok(Some(a.powf(b)))
    })?;
    conn.create_scalar_function("ae_fdiv", 2, det, |ctx| {
        let (Some(a), Some(b)) = (float_arg(ctx, 0)?, float_arg(ctx, 1)?) else {
            return Ok(None);
        };
        Ok(Some(a / b))
    })?;
    conn.create_scalar_function("ae_fmod", 2, det, |ctx| {
        let (Some(a), Some(b)) = (float_arg(ctx, 0)?, float_arg(ctx, 1)?) else {
            return Ok(None);
        };
        Ok(Some(a % b))
    })?;
    conn.create_scalar_function("ae_bit_count", 2, det, |ctx| {
        let (Some(x), bits) = (int_arg(ctx, 0)?, int_arg(ctx, 1)?.unwrap_or(64)) else {
            return Ok(None);
        };
        Ok(Some(i64::from(
            wrap_int(x, bits as u32, false).count_ones(),
        )))
    })?;
    conn.create_scalar_function("ae_rotate", 4, det, |ctx| {
        let (Some(x), Some(n)) = (int_arg(ctx, 0)?, int_arg(ctx, 1)?) else {
            return Ok(None);
        };
        let bits = int_arg(ctx, 2)?.unwrap_or(64).clamp(8, 64) as u32;
        let signed = int_arg(ctx, 3)? == Some(1);
        let v = wrap_int(x, bits, false) as u64;
        let n = n.rem_euclid(i64::from(bits)) as u32;
        let mask: u64 = if bits == 64 {
            u64::MAX
        } else {
            (1u64 << bits) - 1
        };
        let rotated = if n == 0 {
            v
        } else {
            ((v << n) | (v >> (bits - n))) & mask
        };
        Ok(Some(wrap_int(rotated as i64, bits, signed)))
    })?;
    conn.create_scalar_function("ae_hex", 2, det, |ctx| {
        let bits = int_arg(ctx, 1)?.unwrap_or(64) as u32;
        Ok(match ctx.get_raw(0) {
            ValueRef::Null => None,
            ValueRef::Integer(n) => Some(hex_int(wrap_int(n, bits, false) as u64)),
            ValueRef::Real(f) => Some(f.to_le_bytes().iter().map(|b| format!("{b:02X}")).collect()),
            ValueRef::Text(t) | ValueRef::Blob(t) => {
                Some(t.iter().map(|b| format!("{b:02X}")).collect())
            }
        })
    })?;
    conn.create_scalar_function("ae_bin", 2, det, |ctx| {
        let bits = int_arg(ctx, 1)?.unwrap_or(64) as u32;
        Ok(match ctx.get_raw(0) {
            ValueRef::Null => None,
            ValueRef::Integer(n) => Some(bin_int(wrap_int(n, bits, false) as u64)),
            ValueRef::Real(f) => Some(f.to_le_bytes().iter().map(|b| format!("{b:08b}")).collect()),
            ValueRef::Text(t) | ValueRef::Blob(t) => {
                Some(t.iter().map(|b| format!("{b:08b}")).collect())
            }
        })
    })?;
    Ok(())
}

/// argMax / argMin: the `arg` of the row with the largest / smallest `by`.
struct ArgBest {
    want_max: bool,
}

fn cmp_values(a: &Value, b: &Value) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (a, b) {
        (Value::Integer(x), Value::Integer(y)) => x.cmp(y),
        (Value::Integer(x), Value::Real(y)) => {
            (*x as f64).partial_cmp(y).unwrap_or(Ordering::Equal)
        }
        (Value::Real(x), Value::Integer(y)) => {
            x.partial_cmp(&(*y as f64)).unwrap_or(Ordering::Equal)
        }
        (Value::Real(x), Value::Real(y)) => x.partial_cmp(y).unwrap_or(Ordering::Equal),
        (Value::Text(x), Value::Text(y)) => x.as_bytes().cmp(y.as_bytes()),
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        (Value::Text(_), _) => Ordering::Greater,
        (_, Value::Text(_)) => Ordering::Less,
        _ => Ordering::Equal,
    }
}

fn owned(v: ValueRef<'_>) -> Value {
    Value::from(v)
}

impl Aggregate<Option<(Value, Value)>, Value> for ArgBest {
    fn init(&self, _: &mut Context<'_>) -> Result<Option<(Value, Value)>> {
        Ok(None)
    }
    fn step(&self, ctx: &mut Context<'_>, acc: &mut Option<(Value, Value)>) -> Result<()> {
        let by = owned(ctx.get_raw(1));
        let better = match acc {
            None => true,
            Some((_, best)) => {
                let ord = cmp_values(&by, best);
                if self.want_max {
                    ord.is_gt()
                } else {
                    ord.is_lt()
                }
            }
        };
        if better {
            *acc = Some((owned(ctx.get_raw(0)), by));
        }
        Ok(())
    }
    fn finalize(&self, _: &mut Context<'_>, acc: Option<Option<(Value, Value)>>) -> Result<Value> {
        Ok(acc.flatten().map_or(Value::Null, |(arg, _)| arg))
    }
}

/// first_value / last_value in scan order.
struct FirstLast {
    last: bool,
}

impl Aggregate<Option<Value>, Value> for FirstLast {
    fn init(&self, _: &mut Context<'_>) -> Result<Option<Value>> {
        Ok(None)
    }
    fn step(&self, ctx: &mut Context<'_>, acc: &mut Option<Value>) -> Result<()> {
        if self.last || acc.is_none() {
            *acc = Some(owned(ctx.get_raw(0)));
        }
        Ok(())
    }
    fn finalize(&self, _: &mut Context<'_>, acc: Option<Option<Value>>) -> Result<Value> {
        Ok(acc.flatten().unwrap_or(Value::Null))
    }
}

/// A hashable key for grouping SQLite values.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Key {
    Null,
    Int(i64),
    Real(u64),
    Text(String),
}

fn key_of(v: ValueRef<'_>) -> Key {
    match v {
        ValueRef::Null => Key::Null,
        ValueRef::Integer(n) => Key::Int(n),
        ValueRef::Real(f) => Key::Real(f.to_bits()),
        ValueRef::Text(t) | ValueRef::Blob(t) => Key::Text(String::from_utf8_lossy(t).into_owned()),
    }
}

fn key_json(k: &Key) -> serde_json::Value {
    match k {
        Key::Null => serde_json::Value::Null,
        Key::Int(n) => serde_json::Value::from(*n),
        Key::Real(bits) => serde_json::Value::from(f64::from_bits(*bits)),
        Key::Text(s) => serde_json::Value::from(s.as_str()),
    }
}

/// topK(n)(x) and topKWeighted(n)(x, w): the n most frequent values, most
/// frequent first, as a JSON array the renderer re-types.
struct TopK {
    weighted: bool,
}

#[derive(Default)]
struct TopKState {
    n: usize,
    counts: HashMap<Key, (f64, usize)>,
}

impl Aggregate<TopKState, Option<String>> for TopK {
    fn init(&self, ctx: &mut Context<'_>) -> Result<TopKState> {
        let n = int_arg(ctx, 0)?.unwrap_or(10).clamp(0, 10_000) as usize;
        Ok(TopKState {
            n,
            counts: HashMap::new(),
        })
    }
    fn step(&self, ctx: &mut Context<'_>, acc: &mut TopKState) -> Result<()> {
        let weight = if self.weighted {
            float_arg(ctx, 2)?.unwrap_or(0.0)
        } else {
            1.0
        };
        let order = acc.counts.len();
        let entry = acc
            .counts
            .entry(key_of(ctx.get_raw(1)))
            .or_insert((0.0, order));
        entry.0 += weight;
        Ok(())
    }
    fn finalize(&self, _: &mut Context<'_>, acc: Option<TopKState>) -> Result<Option<String>> {
        let Some(acc) = acc else {
            return Ok(Some("[]".into()));
        };
        let mut items: Vec<(Key, (f64, usize))> = acc.counts.into_iter().collect();
        items.sort_by(|a, b| {
            b.1 .0
                .partial_cmp(&a.1 .0)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.1 .1.cmp(&b.1 .1))
        });
        let values: Vec<serde_json::Value> =
            items.iter().take(acc.n).map(|(k, _)| key_json(k)).collect();
        Ok(Some(serde_json::Value::Array(values).to_string()))
    }
}

/// quantileExactWeighted(level)(x, w): the smallest x whose cumulative
/// weight reaches level × total, as ClickHouse computes it.
struct QuantileWeighted;

#[derive(Default)]
struct QuantileState {
    level: f64,
    points: Vec<(f64, f64)>,
}

impl Aggregate<QuantileState, Option<f64>> for QuantileWeighted {
    fn init(&self, ctx: &mut Context<'_>) -> Result<QuantileState> {
        Ok(QuantileState {
            level: float_arg(ctx, 0)?.unwrap_or(0.5),
            points: Vec::new(),
        })
    }
    fn step(&self, ctx: &mut Context<'_>, acc: &mut QuantileState) -> Result<()> {
        if let (Some(x), Some(w)) = (float_arg(ctx, 1)?, float_arg(ctx, 2)?) {
            if w > 0.0 {
                acc.points.push((x, w));
            }
        }
        Ok(())
    }
    fn finalize(&self, _: &mut Context<'_>, acc: Option<QuantileState>) -> Result<Option<f64>> {
        let Some(mut acc) = acc else { return Ok(None) };
        if acc.points.is_empty() {
            return Ok(None);
        }
        // Unstable: points of equal x answer the same x whatever their order.
        // A total order (NaN last), which a sort may rely on.
        acc.points.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        let total: f64 = acc.points.iter().map(|p| p.1).sum();
        // ClickHouse: the first value whose running weight reaches ceil(level × total).
        let threshold = (acc.level.clamp(0.0, 1.0) * total).ceil();
        let mut sum = 0.0;
        for (x, w) in &acc.points {
            sum += w;
            if sum >= threshold {
                return Ok(Some(*x));
            }
        }
        Ok(acc.points.last().map(|p| p.0))
    }
}

/// Register every `ae_` function on `conn`.
pub fn register(conn: &Connection) -> Result<()> {
    register_scalars(conn)?;
    let flags = FunctionFlags::SQLITE_UTF8;
    conn.create_aggregate_function("ae_argmax", 2, flags, ArgBest { want_max: true })?;
    conn.create_aggregate_function("ae_argmin", 2, flags, ArgBest { want_max: false })?;
    conn.create_aggregate_function("ae_first", 1, flags, FirstLast { last: false })?;
    conn.create_aggregate_function("ae_last", 1, flags, FirstLast { last: true })?;
    conn.create_aggregate_function("ae_topk", 2, flags, TopK { weighted: false })?;
    conn.create_aggregate_function("ae_topk_weighted", 3, flags, TopK { weighted: true })?;
    conn.create_aggregate_function("ae_quantile_weighted", 3, flags, QuantileWeighted)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_is_case_sensitive_with_escapes() {
        assert!(like_match("GET /api", "GET%"));
        assert!(!like_match("get /api", "GET%"));
        assert!(like_match("héllo", "h_llo"));
        assert!(like_match("100%", "100\\%"));
        assert!(!like_match("1000", "100\\%"));
        assert!(like_match("abcabc", "%bc%bc"));
        assert!(!like_match("abc", "%d%"));
    }

    #[test]
    fn substring_counts_code_points() {
        assert_eq!(substring("héllo", 2, Some(3)), "éll");
        assert_eq!(substring("hello", -3, None), "llo");
        assert_eq!(substring("hello", 0, None), "");
        assert_eq!(substring("hello", 9, Some(2)), "");
    }

    #[test]
    fn format_and_numbers() {
        assert_eq!(
            format_pattern("{} is {}", &["a".into(), "b".into()]).as_deref(),
            Ok("a is b")
        );
        assert_eq!(
            format_pattern("{1}{0}{{}}", &["a".into(), "b".into()]).as_deref(),
            Ok("ba{}")
        );
        assert!(format_pattern("{}", &[]).is_err());
        assert_eq!(float_to_string(1.0), "1");
        assert_eq!(float_to_string(0.1), "0.1");
        assert_eq!(float_to_string(f64::NAN), "nan");
        assert_eq!(wrap_int(300, 8, false), 44);
        assert_eq!(wrap_int(255, 8, true), -1);
        assert_eq!(hex_int(1), "01");
        assert_eq!(hex_int(256), "0100");
        assert_eq!(bin_int(5), "00000101");
        assert_eq!(round_half_even(2.5, 0), 2.0);
    }
}
