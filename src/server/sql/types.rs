//! ClickHouse types of expressions: how literals are typed, how arithmetic
//! widens, and which common type two branches share. The translator asks here
//! so `meta` and value rendering say what ClickHouse would say.
//!
//! Storage in SQLite: integers as INTEGER, Float64 as REAL, String as TEXT,
//! DateTime as Unix seconds and Date as Unix seconds of its midnight (UTC), so
//! Date and DateTime compare directly.

use std::fmt;

use super::zones::Tz;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChType {
    UInt8,
    UInt16,
    UInt32,
    UInt64,
    Int8,
    Int16,
    Int32,
    Int64,
    Float64,
    Bool,
    String,
    /// Unix seconds; the zone, when the type names one, says how the value
    /// reads as wall time (`DateTime('Europe/Berlin')`).
    DateTime(Option<Tz>),
    Date,
    /// Only `INTERVAL` literals; never a result column.
    Interval(IntervalUnit),
    /// The type of a bare `NULL` literal.
    Nothing,
    Nullable(Box<ChType>),
    Array(Box<ChType>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntervalUnit {
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl IntervalUnit {
    /// Seconds per unit for the fixed-length units; None for months and years.
    pub fn fixed_seconds(self) -> Option<i64> {
        match self {
            IntervalUnit::Second => Some(1),
            IntervalUnit::Minute => Some(60),
            IntervalUnit::Hour => Some(3600),
            IntervalUnit::Day => Some(86_400),
            IntervalUnit::Week => Some(7 * 86_400),
            IntervalUnit::Month | IntervalUnit::Quarter | IntervalUnit::Year => None,
        }
    }

    /// Months per unit for the calendar units.
    pub fn months(self) -> Option<i64> {
        match self {
            IntervalUnit::Month => Some(1),
            IntervalUnit::Quarter => Some(3),
            IntervalUnit::Year => Some(12),
            _ => None,
        }
    }

    /// The name in `toIntervalDay(…)`, ClickHouse's printed form.
    pub fn name(self) -> &'static str {
        match self {
            IntervalUnit::Second => "Second",
            IntervalUnit::Minute => "Minute",
            IntervalUnit::Hour => "Hour",
            IntervalUnit::Day => "Day",
            IntervalUnit::Week => "Week",
            IntervalUnit::Month => "Month",
            IntervalUnit::Quarter => "Quarter",
            IntervalUnit::Year => "Year",
        }
    }
}

impl fmt::Display for ChType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChType::UInt8 => f.write_str("UInt8"),
            ChType::UInt16 => f.write_str("UInt16"),
            ChType::UInt32 => f.write_str("UInt32"),
            ChType::UInt64 => f.write_str("UInt64"),
            ChType::Int8 => f.write_str("Int8"),
            ChType::Int16 => f.write_str("Int16"),
            ChType::Int32 => f.write_str("Int32"),
            ChType::Int64 => f.write_str("Int64"),
            ChType::Float64 => f.write_str("Float64"),
            ChType::Bool => f.write_str("Bool"),
            ChType::String => f.write_str("String"),
            ChType::DateTime(None) => f.write_str("DateTime"),
            ChType::DateTime(Some(tz)) => write!(f, "DateTime('{}')", tz.name()),
            ChType::Date => f.write_str("Date"),
            ChType::Interval(u) => write!(f, "Interval{}", u.name()),
            ChType::Nothing => f.write_str("Nullable(Nothing)"),
            ChType::Nullable(t) => write!(f, "Nullable({t})"),
            ChType::Array(t) => write!(f, "Array({t})"),
        }
    }
}

impl ChType {
    /// The type without a Nullable wrapper.
    pub fn base(&self) -> &ChType {
        match self {
            ChType::Nullable(t) => t.base(),
            t => t,
        }
    }

    pub fn is_integer(&self) -> bool {
        self.int_shape().is_some()
    }

    pub fn is_numeric(&self) -> bool {
        self.is_integer() || matches!(self.base(), ChType::Float64)
    }

    pub fn is_float(&self) -> bool {
        matches!(self.base(), ChType::Float64)
    }

    pub fn is_string(&self) -> bool {
        matches!(self.base(), ChType::String)
    }

    pub fn is_time(&self) -> bool {
        matches!(self.base(), ChType::DateTime(_) | ChType::Date)
    }

    /// The zone a DateTime value is read in, when its type names one.
    pub fn zone(&self) -> Option<Tz> {
        match self.base() {
            ChType::DateTime(z) => *z,
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, ChType::Nothing)
    }

    /// (signed, bits) of an integer type; Bool counts as UInt8 like ClickHouse.
    pub fn int_shape(&self) -> Option<(bool, u32)> {
        match self.base() {
            ChType::UInt8 | ChType::Bool => Some((false, 8)),
            ChType::UInt16 => Some((false, 16)),
            ChType::UInt32 => Some((false, 32)),
            ChType::UInt64 => Some((false, 64)),
            ChType::Int8 => Some((true, 8)),
            ChType::Int16 => Some((true, 16)),
            ChType::Int32 => Some((true, 32)),
            ChType::Int64 => Some((true, 64)),
            _ => None,
        }
    }

    pub fn from_int_shape(signed: bool, bits: u32) -> ChType {
        match (signed, bits) {
            (false, 0..=8) => ChType::UInt8,
            (false, 9..=16) => ChType::UInt16,
            (false, 17..=32) => ChType::UInt32,
            (false, _) => ChType::UInt64,
            (true, 0..=8) => ChType::Int8,
            (true, 9..=16) => ChType::Int16,
            (true, 17..=32) => ChType::Int32,
            (true, _) => ChType::Int64,
        }
    }

    /// The value ClickHouse gives where SQLite would give NULL for "no
    /// value" (min/max/any over no rows): 0, '' or the epoch.
    pub fn default_sql(&self) -> &'static str {
        match self.base() {
            ChType::String => "''",
            ChType::Float64 => "0.0",
            _ => "0",
        }
    }
}

/// The type ClickHouse gives an integer literal: the smallest that holds it.
pub fn integer_literal_type(value: i128) -> ChType {
    if value >= 0 {
        match value {
            0..=0xFF => ChType::UInt8,
            0x100..=0xFFFF => ChType::UInt16,
            0x1_0000..=0xFFFF_FFFF => ChType::UInt32,
            _ => ChType::UInt64,
        }
    } else if value >= i128::from(i8::MIN) {
        ChType::Int8
    } else if value >= i128::from(i16::MIN) {
        ChType::Int16
    } else if value >= i128::from(i32::MIN) {
        ChType::Int32
    } else {
        ChType::Int64
    }
}

fn next_size(bits: u32) -> u32 {
    (bits * 2).min(64)
}

/// Arithmetic operators whose result type follows ClickHouse's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arith {
    Plus,
    Minus,
    Multiply,
    Divide,
    IntDiv,
    Modulo,
}

/// The result type of `a op b` for numbers, or None when ClickHouse has no
/// such operation for the pair.
pub fn arithmetic_type(op: Arith, a: &ChType, b: &ChType) -> Option<ChType> {
    if !a.is_numeric() || !b.is_numeric() {
        return None;
    }
    if op == Arith::Divide {
        return Some(ChType::Float64);
    }
    let (Some((sa, ba)), Some((sb, bb))) = (a.int_shape(), b.int_shape()) else {
        return Some(ChType::Float64);
    };
    let ty = match op {
        Arith::Plus | Arith::Multiply => ChType::from_int_shape(sa || sb, next_size(ba.max(bb))),
        Arith::Minus => ChType::from_int_shape(true, next_size(ba.max(bb))),
        Arith::IntDiv => ChType::from_int_shape(sa || sb, ba),
        Arith::Modulo => ChType::from_int_shape(sa, bb.max(if sa { 8 } else { 0 })),
        Arith::Divide => ChType::Float64,
    };
    Some(ty)
}

/// The type of `-x`.
pub fn negate_type(t: &ChType) -> Option<ChType> {
    match t.int_shape() {
        Some((true, bits)) => Some(ChType::from_int_shape(true, bits)),
        Some((false, bits)) => Some(ChType::from_int_shape(true, next_size(bits))),
        None if t.is_float() => Some(ChType::Float64),
        None => None,
    }
}

/// The common type of two values that meet in one column (if branches,
/// least/greatest, IN lists), or None when ClickHouse would refuse them.
pub fn supertype(a: &ChType, b: &ChType) -> Option<ChType> {
    if a == b {
        return Some(a.clone());
    }
    match (a, b) {
        (ChType::Nothing, t) | (t, ChType::Nothing) => {
            return Some(match t {
                ChType::Nothing | ChType::Nullable(_) => t.clone(),
                t => ChType::Nullable(Box::new(t.clone())),
            })
        }
        (ChType::Nullable(x), y) | (y, ChType::Nullable(x)) => {
            return supertype(x, y.base()).map(|t| ChType::Nullable(Box::new(t)));
        }
        _ => {}
    }
    if let (Some((sa, ba)), Some((sb, bb))) = (a.int_shape(), b.int_shape()) {
        if sa == sb {
            return Some(ChType::from_int_shape(sa, ba.max(bb)));
        }
        let (unsigned_bits, signed_bits) = if sa { (bb, ba) } else { (ba, bb) };
        if signed_bits > unsigned_bits {
            return Some(ChType::from_int_shape(true, signed_bits));
        }
        if unsigned_bits >= 64 {
            return None;
        }
        return Some(ChType::from_int_shape(true, next_size(unsigned_bits)));
    }
    if a.is_numeric() && b.is_numeric() {
        return Some(ChType::Float64);
    }
    if a.is_time() && b.is_time() {
        return Some(ChType::DateTime(a.zone().or(b.zone())));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_take_the_smallest_type() {
        assert_eq!(integer_literal_type(1), ChType::UInt8);
        assert_eq!(integer_literal_type(255), ChType::UInt8);
        assert_eq!(integer_literal_type(300), ChType::UInt16);
        assert_eq!(integer_literal_type(70_000), ChType::UInt32);
        assert_eq!(integer_literal_type(5_000_000_000), ChType::UInt64);
        assert_eq!(integer_literal_type(-1), ChType::Int8);
        assert_eq!(integer_literal_type(-129), ChType::Int16);
        assert_eq!(integer_literal_type(-40_000), ChType::Int32);
    }

    #[test]
    fn arithmetic_widens_like_clickhouse() {
        use ChType::*;
        assert_eq!(arithmetic_type(Arith::Plus, &UInt8, &UInt8), Some(UInt16));
        assert_eq!(arithmetic_type(Arith::Plus, &UInt8, &Int16), Some(Int32));
        assert_eq!(arithmetic_type(Arith::Minus, &UInt8, &UInt8), Some(Int16));
        assert_eq!(
            arithmetic_type(Arith::Multiply, &UInt32, &UInt8),
            Some(UInt64)
        );
        assert_eq!(
            arithmetic_type(Arith::Divide, &UInt8, &UInt8),
            Some(Float64)
        );
        assert_eq!(arithmetic_type(Arith::IntDiv, &UInt8, &UInt8), Some(UInt8));
        assert_eq!(
            arithmetic_type(Arith::Plus, &Float64, &UInt8),
            Some(Float64)
        );
        assert_eq!(arithmetic_type(Arith::Plus, &String, &UInt8), None);
        assert_eq!(negate_type(&UInt8), Some(Int16));
    }

    #[test]
    fn supertypes() {
        use ChType::*;
        assert_eq!(supertype(&UInt8, &UInt16), Some(UInt16));
        assert_eq!(supertype(&UInt8, &Int8), Some(Int16));
        assert_eq!(supertype(&UInt8, &Float64), Some(Float64));
        assert_eq!(supertype(&String, &UInt8), None);
        assert_eq!(supertype(&Date, &DateTime(None)), Some(DateTime(None)));
        assert_eq!(
            supertype(&Nothing, &String),
            Some(Nullable(Box::new(String)))
        );
        assert_eq!(Nullable(Box::new(String)).to_string(), "Nullable(String)");
    }
}
