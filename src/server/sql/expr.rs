//! Expressions: AST → SQLite SQL with the ClickHouse type of each value.
//! Literals are bound or printed by us; columns come from the SELECT's
//! sources (translate.rs); function calls are in functions.rs.

use sqlparser::ast::{
    BinaryOperator, CeilFloorKind, DateTimeField, Expr, UnaryOperator, Value as AstValue,
};

use super::datetime;
use super::error::{at, err_at, SqlError};
use super::names;
use super::translate::{Env, Translator, MAX_DEPTH, MAX_SQL_BYTES};
use super::types::{self, Arith, ChType, IntervalUnit};
use super::zones;

/// A literal known at translation time (folded for typing and coercions).
#[derive(Debug, Clone)]
pub enum Lit {
    Int(i128),
    Float,
    Str(String),
    Bool,
    Null,
    Interval(i64, IntervalUnit),
}

/// A translated expression with its ClickHouse type.
#[derive(Debug, Clone)]
pub struct Typed {
    pub sql: String,
    pub ty: ChType,
    /// Contains an aggregate function.
    pub agg: bool,
    /// A column used outside any aggregate and not covered by GROUP BY.
    pub free: Option<String>,
    pub lit: Option<Lit>,
}

impl Typed {
    pub fn new(sql: impl Into<String>, ty: ChType) -> Self {
        Self {
            sql: sql.into(),
            ty,
            agg: false,
            free: None,
            lit: None,
        }
    }

    /// A node built from `parts`: aggregate if any part is, free column from
    /// the first part that has one.
    pub fn from_parts(sql: impl Into<String>, ty: ChType, parts: &[&Typed]) -> Self {
        Self {
            sql: sql.into(),
            ty,
            agg: parts.iter().any(|p| p.agg),
            free: parts.iter().find_map(|p| p.free.clone()),
            lit: None,
        }
    }
}

impl Translator {
    /// Translate an expression; marks it grouped when it is a GROUP BY key.
    pub fn expr(&mut self, env: &mut Env<'_>, e: &Expr) -> Result<Typed, SqlError> {
        if self.depth >= MAX_DEPTH {
            return err_at(e, "the expression is nested too deeply (through aliases?)");
        }
        self.depth += 1;
        let t = self.expr_inner(env, e);
        self.depth -= 1;
        let mut t = t?;
        if t.sql.len() > MAX_SQL_BYTES {
            return err_at(e, "the query is too large once aliases are expanded");
        }
        if t.free.is_some() && env.group_keys.contains(&t.sql) {
            t.free = None;
        }
        Ok(t)
    }

    fn expr_inner(&mut self, env: &mut Env<'_>, e: &Expr) -> Result<Typed, SqlError> {
        match e {
            Expr::Identifier(id) => self.column(env, &id.value, e),
            Expr::CompoundIdentifier(parts) => match parts.as_slice() {
                [q, c] if env.qualifiers.contains(&q.value) => {
                    self.column(env, &c.value, e)
                }
                _ => err_at(
                    e,
                    format!(
                        "unknown column '{}'",
                        parts.iter().map(|p| p.value.as_str()).collect::<Vec<_>>().join(".")
                    ),
                ),
            },
            Expr::Value(v) => self.literal(&v.value, e),
            Expr::Nested(inner) => {
                let t = self.expr(env, inner)?;
                Ok(Typed {
                    sql: format!("({})", t.sql),
                    ..t
                })
            }
            Expr::UnaryOp { op, expr } => self.unary(env, op, expr, e),
            Expr::BinaryOp { left, op, right } => self.binary(env, left, op, right, e),
            Expr::IsNull(x) | Expr::IsNotNull(x) => {
                let t = self.expr(env, x)?;
                let op = if matches!(e, Expr::IsNull(_)) { "IS NULL" } else { "IS NOT NULL" };
                Ok(Typed::from_parts(format!("({} {op})", t.sql), ChType::UInt8, &[&t]))
            }
            Expr::InList {
                expr,
                list,
                negated,
            } => {
                let x = self.expr(env, expr)?;
                let mut items = Vec::new();
                for item in list {
                    let t = self.expr(env, item)?;
                    items.push(self.coerce_pair(&x, t, item)?);
                }
                let refs: Vec<&Typed> = std::iter::once(&x).chain(items.iter()).collect();
                let list_sql: Vec<&str> = items.iter().map(|t| t.sql.as_str()).collect();
                let not = if *negated { "NOT " } else { "" };
                Ok(Typed::from_parts(
                    format!("({} {not}IN ({}))", x.sql, list_sql.join(", ")),
                    ChType::UInt8,
                    &refs,
                ))
            }
            Expr::InSubquery {
                expr,
                subquery,
                negated,
            } => {
                let x = self.expr(env, expr)?;
                let block = self.query(subquery, false)?;
                if block.columns.len() != 1 {
                    return err_at(e, "the subquery of IN must return exactly one column");
                }
                let not = if *negated { "NOT " } else { "" };
                Ok(Typed::from_parts(
                    format!("({} {not}IN ({}))", x.sql, block.sql),
                    ChType::UInt8,
                    &[&x],
                ))
            }
            Expr::Subquery(q) => {
                let block = self.query(q, false)?;
                let [col] = block.columns.as_slice() else {
                    return err_at(e, "a scalar subquery must return exactly one column");
                };
                Ok(Typed::new(format!("({})", block.sql), col.ty.clone()))
            }
            Expr::Between {
                expr,
                negated,
                low,
                high,
            } => {
                let x = self.expr(env, expr)?;
                let lo = self.expr(env, low)?;
                let lo = self.coerce_pair(&x, lo, low)?;
                let hi = self.expr(env, high)?;
                let hi = self.coerce_pair(&x, hi, high)?;
                let not = if *negated { "NOT " } else { "" };
                Ok(Typed::from_parts(
                    format!("({} {not}BETWEEN {} AND {})", x.sql, lo.sql, hi.sql),
                    ChType::UInt8,
                    &[&x, &lo, &hi],
                ))
            }
            Expr::Like {
                negated,
                expr,
                pattern,
                escape_char,
                any,
            }
            | Expr::ILike {
                negated,
                expr,
                pattern,
                escape_char,
                any,
            } => {
                if escape_char.is_some() || *any {
                    return err_at(e, "LIKE … ESCAPE / LIKE ANY is not supported; escape with a backslash");
                }
                let x = self.expr(env, expr)?;
                let p = self.expr(env, pattern)?;
                if !x.ty.is_string() || !p.ty.is_string() {
                    return err_at(e, format!("LIKE needs strings, got {} and {}", x.ty, p.ty));
                }
                let f = if matches!(e, Expr::ILike { .. }) { "ae_ilike" } else { "ae_like" };
                let not = if *negated { "NOT " } else { "" };
                Ok(Typed::from_parts(
                    format!("({not}{f}({}, {}))", x.sql, p.sql),
                    ChType::UInt8,
                    &[&x, &p],
                ))
            }
            Expr::Interval(i) => {
                let unit = i
                    .leading_field
                    .as_ref()
                    .and_then(interval_unit)
                    .ok_or_else(|| at(SqlError::new("INTERVAL needs a unit: SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, QUARTER or YEAR"), e))?;
                if i.last_field.is_some() || i.leading_precision.is_some() {
                    return err_at(e, "only INTERVAL 'n' UNIT is supported");
                }
                let n = match i.value.as_ref() {
                    Expr::Value(v) => match &v.value {
                        AstValue::Number(n, _) => n.parse::<i64>().ok(),
                        AstValue::SingleQuotedString(s) => s.trim().parse::<i64>().ok(),
                        _ => None,
                    },
                    Expr::UnaryOp {
                        op: UnaryOperator::Minus,
                        expr,
                    } => match expr.as_ref() {
                        Expr::Value(v) => match &v.value {
                            AstValue::Number(n, _) => n.parse::<i64>().ok().map(|n| -n),
                            _ => None,
                        },
                        _ => None,
                    },
                    _ => None,
                }
                .ok_or_else(|| at(SqlError::new("INTERVAL expects an integer count, e.g. INTERVAL '5' MINUTE"), e))?;
                let mut t = Typed::new(n.to_string(), ChType::Interval(unit));
                t.lit = Some(Lit::Interval(n, unit));
                Ok(t)
            }
            Expr::Function(f) => self.function(env, f, e),
            Expr::Extract { field, expr, .. } => {
                let field = field.to_string();
                let Some(name) = names::extract_function(&field) else {
                    return err_at(
                        e,
                        format!(
                            "EXTRACT({} …) is not supported: use YEAR, MONTH, DAY, HOUR, MINUTE or SECOND",
                            field.to_ascii_uppercase()
                        ),
                    );
                };
                let t = self.expr(env, expr)?;
                self.date_part(name, t, expr)
            }
            Expr::Position { expr, r#in } => {
                let needle = self.expr(env, expr)?;
                let haystack = self.expr(env, r#in)?;
                self.position(haystack, needle, e)
            }
            Expr::Substring {
                expr,
                substring_from,
                substring_for,
                ..
            } => {
                let mut args = vec![self.expr(env, expr)?];
                if let Some(f) = substring_from {
                    args.push(self.expr(env, f)?);
                }
                if let Some(f) = substring_for {
                    args.push(self.expr(env, f)?);
                }
                self.substring(args, e)
            }
            Expr::Trim {
                expr,
                trim_where,
                trim_what,
                trim_characters,
            } => {
                if trim_where.is_some() || trim_what.is_some() || trim_characters.is_some() {
                    return err_at(e, "only trim(s) is supported; use trimLeft/trimRight for one side");
                }
                let t = self.expr(env, expr)?;
                self.string_fn("trim", t, e)
            }
            Expr::Floor { expr, field } | Expr::Ceil { expr, field } => {
                let name = if matches!(e, Expr::Floor { .. }) { "floor" } else { "ceil" };
                let digits = match field {
                    CeilFloorKind::Scale(AstValue::Number(n, _)) => n.parse::<i64>().map_err(|_| {
                        at(SqlError::new(format!("{name}: the number of digits must be an integer")), e)
                    })?,
                    CeilFloorKind::Scale(_) => {
                        return err_at(e, format!("{name}: the number of digits must be an integer"))
                    }
                    CeilFloorKind::DateTimeField(DateTimeField::NoDateTime) => 0,
                    CeilFloorKind::DateTimeField(_) => {
                        return err_at(e, format!("{name}(x TO unit) is not supported; use toStartOf…"))
                    }
                };
                let x = self.expr(env, expr)?;
                if !x.ty.is_numeric() {
                    return err_at(e, format!("{name} needs a number, got {}", x.ty));
                }
                Ok(self.round_like(name, x, digits.clamp(-20, 20)))
            }
            Expr::Case { .. } => err_at(
                e,
                "unsupported expression type: CASE WHEN (Analytics Engine rejects CASE WHEN; use if(cond, then, else) or multiIf(c1, v1, c2, v2, …, else))",
            ),
            Expr::Cast { .. } => err_at(
                e,
                "CAST is not supported by Analytics Engine; use toString, toUInt32, toInt64, toFloat64, toDateTime or toDate",
            ),
            other => err_at(
                e,
                format!("unsupported expression: {}", truncate(&other.to_string(), 60)),
            ),
        }
    }

    fn literal(&mut self, v: &AstValue, node: &Expr) -> Result<Typed, SqlError> {
        let mut t = match v {
            AstValue::Number(n, _) => return self.number(n, false, node),
            AstValue::SingleQuotedString(s) => {
                let mut t = Typed::new(self.bind_text(s), ChType::String);
                t.lit = Some(Lit::Str(s.clone()));
                return Ok(t);
            }
            AstValue::Boolean(b) => {
                let mut t = Typed::new(if *b { "1" } else { "0" }, ChType::Bool);
                t.lit = Some(Lit::Bool);
                t
            }
            AstValue::Null => {
                let mut t = Typed::new("NULL", ChType::Nothing);
                t.lit = Some(Lit::Null);
                t
            }
            other => {
                return err_at(
                    node,
                    format!("unsupported literal: {}", truncate(&other.to_string(), 40)),
                )
            }
        };
        t.free = None;
        Ok(t)
    }

    /// A numeric literal, possibly negated; integers are printed by us.
    fn number(&mut self, text: &str, negative: bool, node: &Expr) -> Result<Typed, SqlError> {
        let is_int = text.bytes().all(|b| b.is_ascii_digit());
        if is_int {
            if let Ok(v) = text.parse::<i128>() {
                let v = if negative { -v } else { v };
                if v <= i128::from(u64::MAX) && v >= i128::from(i64::MIN) {
                    let ty = types::integer_literal_type(v);
                    // UInt64 above i64::MAX is stored with the same bits.
                    let stored = if v > i128::from(i64::MAX) {
                        (v as u64) as i64
                    } else {
                        v as i64
                    };
                    let mut t = Typed::new(stored.to_string(), ty);
                    t.lit = Some(Lit::Int(v));
                    return Ok(t);
                }
            }
        }
        let hex = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X"));
        if let Some(h) = hex {
            if let Ok(v) = u64::from_str_radix(h, 16) {
                let v = if negative {
                    -i128::from(v)
                } else {
                    i128::from(v)
                };
                return self.number(&v.unsigned_abs().to_string(), v < 0, node);
            }
        }
        match text.parse::<f64>() {
            Ok(f) => {
                let f = if negative { -f } else { f };
                let mut t = Typed::new(self.bind_real(f), ChType::Float64);
                t.lit = Some(Lit::Float);
                Ok(t)
            }
            Err(_) => err_at(node, format!("cannot read the number {text}")),
        }
    }

    fn unary(
        &mut self,
        env: &mut Env<'_>,
        op: &UnaryOperator,
        x: &Expr,
        node: &Expr,
    ) -> Result<Typed, SqlError> {
        match op {
            UnaryOperator::Minus => {
                if let Expr::Value(v) = x {
                    if let AstValue::Number(n, _) = &v.value {
                        return self.number(n, true, node);
                    }
                }
                let t = self.expr(env, x)?;
                let ty = types::negate_type(&t.ty).ok_or_else(|| {
                    at(
                        SqlError::new(format!("cannot negate a value of type {}", t.ty)),
                        node,
                    )
                })?;
                Ok(Typed::from_parts(format!("(-{})", t.sql), ty, &[&t]))
            }
            UnaryOperator::Plus => self.expr(env, x),
            UnaryOperator::Not => {
                let t = self.expr(env, x)?;
                if !t.ty.is_numeric() && !t.ty.is_null() {
                    return err_at(
                        node,
                        format!("NOT needs a number or condition, got {}", t.ty),
                    );
                }
                Ok(Typed::from_parts(
                    format!("(NOT {})", t.sql),
                    ChType::UInt8,
                    &[&t],
                ))
            }
            other => err_at(node, format!("unsupported operator {other}")),
        }
    }

    fn binary(
        &mut self,
        env: &mut Env<'_>,
        left: &Expr,
        op: &BinaryOperator,
        right: &Expr,
        node: &Expr,
    ) -> Result<Typed, SqlError> {
        let a = self.expr(env, left)?;
        let b = self.expr(env, right)?;
        match op {
            BinaryOperator::Plus => self.apply_arith(Arith::Plus, a, b, node),
            BinaryOperator::Minus => self.apply_arith(Arith::Minus, a, b, node),
            BinaryOperator::Multiply => self.apply_arith(Arith::Multiply, a, b, node),
            BinaryOperator::Divide => self.apply_arith(Arith::Divide, a, b, node),
            BinaryOperator::Modulo => self.apply_arith(Arith::Modulo, a, b, node),
            BinaryOperator::Eq
            | BinaryOperator::NotEq
            | BinaryOperator::Lt
            | BinaryOperator::LtEq
            | BinaryOperator::Gt
            | BinaryOperator::GtEq => {
                let sym = match op {
                    BinaryOperator::Eq => "=",
                    BinaryOperator::NotEq => "<>",
                    BinaryOperator::Lt => "<",
                    BinaryOperator::LtEq => "<=",
                    BinaryOperator::Gt => ">",
                    _ => ">=",
                };
                self.compare(sym, a, b, node)
            }
            BinaryOperator::And | BinaryOperator::Or => {
                for t in [&a, &b] {
                    if !t.ty.is_numeric() && !t.ty.is_null() {
                        return err_at(
                            node,
                            format!("AND/OR need conditions or numbers, got {}", t.ty),
                        );
                    }
                }
                let word = if *op == BinaryOperator::And {
                    "AND"
                } else {
                    "OR"
                };
                Ok(Typed::from_parts(
                    format!("({} {word} {})", a.sql, b.sql),
                    ChType::UInt8,
                    &[&a, &b],
                ))
            }
            BinaryOperator::StringConcat => self.concat(vec![a, b]),
            other => err_at(node, format!("unsupported operator {other}")),
        }
    }

    /// Make `other` comparable with `x`: a string literal meeting a DateTime
    /// is parsed as one, a string literal meeting a number as a number.
    pub fn coerce_pair(&mut self, x: &Typed, other: Typed, node: &Expr) -> Result<Typed, SqlError> {
        if x.ty.is_time() && other.ty.is_string() {
            return self.as_time(other, node, "comparison with a DateTime");
        }
        if x.ty.is_numeric() && other.ty.is_string() {
            if let Some(Lit::Str(s)) = &other.lit {
                let parsed = s.trim();
                if let Ok(v) = parsed.parse::<i128>() {
                    let mut t = Typed::new(v.to_string(), types::integer_literal_type(v));
                    t.lit = Some(Lit::Int(v));
                    return Ok(t);
                }
                if let Ok(f) = parsed.parse::<f64>() {
                    let mut t = Typed::new(self.bind_real(f), ChType::Float64);
                    t.lit = Some(Lit::Float);
                    return Ok(t);
                }
                return err_at(
                    node,
                    format!("cannot compare {} with the string '{s}'", x.ty),
                );
            }
        }
        if x.ty.is_string() && other.ty.is_time() {
            return Ok(other);
        }
        // A DateTime compares with a number as Unix seconds.
        if (x.ty.is_time() && other.ty.is_integer()) || (x.ty.is_integer() && other.ty.is_time()) {
            return Ok(other);
        }
        if types::supertype(&x.ty, &other.ty).is_none() && !x.ty.is_null() && !other.ty.is_null() {
            return err_at(node, format!("cannot compare {} with {}", x.ty, other.ty));
        }
        Ok(other)
    }

    fn compare(&mut self, sym: &str, a: Typed, b: Typed, node: &Expr) -> Result<Typed, SqlError> {
        let (a, b) = if b.ty.is_time() && a.ty.is_string() {
            let a = self.coerce_pair(&b, a, node)?;
            (a, b)
        } else {
            let b = self.coerce_pair(&a, b, node)?;
            (a, b)
        };
        // UInt64 values of 2^63 and more are stored as negative i64 bit
        // patterns: compare such integers by their mathematical value.
        let sql =
            if a.ty.is_integer() && b.ty.is_integer() && (wide_unsigned(&a) || wide_unsigned(&b)) {
                format!(
                    "(ae_cmp_int({}, {}, {}, {}) {sym} 0)",
                    a.sql,
                    u8::from(is_u64(&a)),
                    b.sql,
                    u8::from(is_u64(&b))
                )
            } else {
                format!("({} {sym} {})", a.sql, b.sql)
            };
        Ok(Typed::from_parts(sql, ChType::UInt8, &[&a, &b]))
    }

    pub fn apply_arith(
        &mut self,
        op: Arith,
        a: Typed,
        b: Typed,
        node: &Expr,
    ) -> Result<Typed, SqlError> {
        // DateTime and Date arithmetic with intervals and plain numbers.
        if let Some(t) = self.time_arith(op, &a, &b, node)? {
            return Ok(t);
        }
        let ty = types::arithmetic_type(op, &a.ty, &b.ty).ok_or_else(|| {
            at(
                SqlError::new(format!(
                    "cannot apply {} to {} and {}",
                    arith_name(op),
                    a.ty,
                    b.ty
                )),
                node,
            )
        })?;
        let wide_int = ty.int_shape().is_some_and(|(_, bits)| bits >= 64);
        // A float result reads UInt64 operands by their unsigned value.
        let (a, b) = if ty.is_float() {
            (as_real(a), as_real(b))
        } else {
            (a, b)
        };
        let unsigned = |t: &Typed| t.ty.int_shape().is_some_and(|(signed, _)| !signed);
        let unsigned_div = unsigned(&a) && unsigned(&b) && (wide_unsigned(&a) || wide_unsigned(&b));
        let sql = match op {
            Arith::Plus if wide_int => format!("ae_wrapping_add({}, {})", a.sql, b.sql),
            Arith::Minus if wide_int => format!("ae_wrapping_sub({}, {})", a.sql, b.sql),
            Arith::Multiply if wide_int => format!("ae_wrapping_mul({}, {})", a.sql, b.sql),
            Arith::Plus => format!("({} + {})", a.sql, b.sql),
            Arith::Minus => format!("({} - {})", a.sql, b.sql),
            Arith::Multiply => format!("({} * {})", a.sql, b.sql),
            // `/` is always Float64 division in ClickHouse.
            Arith::Divide => format!("(CAST({} AS REAL) / {})", a.sql, b.sql),
            Arith::Modulo if ty.is_float() => format!("ae_fmod({}, {})", a.sql, b.sql),
            Arith::Modulo if unsigned_div => format!("ae_u64_mod({}, {})", a.sql, b.sql),
            Arith::Modulo => format!("({} % {})", a.sql, b.sql),
            Arith::IntDiv if ty.is_integer() => {
                if matches!(b.lit, Some(Lit::Int(0))) {
                    return err_at(node, "division by zero in intDiv");
                }
                if unsigned_div {
                    format!("ae_u64_div({}, {})", a.sql, b.sql)
                } else {
                    format!("({} / {})", a.sql, b.sql)
                }
            }
            Arith::IntDiv => format!("CAST(CAST({} AS REAL) / {} AS INTEGER)", a.sql, b.sql),
        };
        let ty = if op == Arith::IntDiv && !ty.is_integer() {
            ChType::Int64
        } else {
            ty
        };
        Ok(Typed::from_parts(sql, ty, &[&a, &b]))
    }

    fn time_arith(
        &mut self,
        op: Arith,
        a: &Typed,
        b: &Typed,
        node: &Expr,
    ) -> Result<Option<Typed>, SqlError> {
        let (time, other, time_first) = if a.ty.is_time() {
            (a, b, true)
        } else if b.ty.is_time() && op == Arith::Plus {
            (b, a, false)
        } else if matches!(a.ty, ChType::Interval(_)) || matches!(b.ty, ChType::Interval(_)) {
            return err_at(
                node,
                "an INTERVAL can only be added to or subtracted from a DateTime or Date",
            );
        } else {
            return Ok(None);
        };
        let _ = time_first;
        let sign = match op {
            Arith::Plus => "+",
            Arith::Minus => "-",
            _ => {
                return err_at(
                    node,
                    format!("cannot apply {} to {}", arith_name(op), time.ty),
                )
            }
        };
        let is_date = matches!(time.ty.base(), ChType::Date);
        match (&other.ty, &other.lit) {
            (ChType::Interval(unit), Some(Lit::Interval(n, _))) => {
                if let Some(secs) = unit.fixed_seconds() {
                    let ty = if is_date && secs % 86_400 == 0 {
                        ChType::Date
                    } else {
                        ChType::DateTime(time.ty.zone())
                    };
                    let delta = n.saturating_mul(secs);
                    Ok(Some(Typed::from_parts(
                        format!("({} {sign} {delta})", time.sql),
                        ty,
                        &[time],
                    )))
                } else {
                    let months = unit.months().unwrap_or(1).saturating_mul(*n);
                    let months = if sign == "-" {
                        months.saturating_neg()
                    } else {
                        months
                    };
                    Ok(Some(Typed::from_parts(
                        format!("ae_add_months({}, {months})", time.sql),
                        time.ty.base().clone(),
                        &[time],
                    )))
                }
            }
            (t, _) if t.is_integer() => {
                // Date ± n moves by days, DateTime ± n by seconds.
                let sql = if is_date {
                    format!("({} {sign} ({}) * 86400)", time.sql, other.sql)
                } else {
                    format!("({} {sign} {})", time.sql, other.sql)
                };
                Ok(Some(Typed::from_parts(
                    sql,
                    time.ty.base().clone(),
                    &[time, other],
                )))
            }
            // Date − Date counts days (ClickHouse subtracts the day numbers
            // a Date is stored as); with a DateTime on either side, seconds.
            (t, _) if t.is_time() && op == Arith::Minus => {
                let sql = if is_date && matches!(t.base(), ChType::Date) {
                    format!("(({} - {}) / 86400)", time.sql, other.sql)
                } else {
                    format!("({} - {})", time.sql, other.sql)
                };
                Ok(Some(Typed::from_parts(sql, ChType::Int32, &[time, other])))
            }
            (t, _) => err_at(
                node,
                format!("cannot apply {} to {} and {}", arith_name(op), time.ty, t),
            ),
        }
    }

    /// A value as a DateTime: DateTime/Date pass, strings are parsed.
    pub fn as_time(&mut self, t: Typed, node: &Expr, what: &str) -> Result<Typed, SqlError> {
        match t.ty.base() {
            ChType::DateTime(_) | ChType::Date => Ok(t),
            ChType::String => {
                if let Some(Lit::Str(s)) = &t.lit {
                    let secs = datetime::parse_datetime(s).ok_or_else(|| {
                        at(
                            SqlError::new(format!(
                                "cannot parse '{s}' as DateTime (expected 'YYYY-MM-DD hh:mm:ss')"
                            )),
                            node,
                        )
                    })?;
                    let mut out = Typed::new(secs.to_string(), ChType::DateTime(None));
                    out.lit = Some(Lit::Int(i128::from(secs)));
                    return Ok(out);
                }
                Ok(Typed::from_parts(
                    format!("ae_parse_datetime({})", t.sql),
                    ChType::DateTime(None),
                    &[&t],
                ))
            }
            other => err_at(node, format!("{what} expects a DateTime, got {other}")),
        }
    }

    /// A value as text the way ClickHouse's toString prints it.
    pub fn as_text(&mut self, t: Typed) -> Typed {
        let sql = match t.ty.base() {
            ChType::String => return t,
            ChType::DateTime(zone) => match zone.filter(|z| !zones::is_utc(*z)) {
                Some(z) => format!(
                    "ae_render_datetime({}, {})",
                    t.sql,
                    self.bind_text(z.name())
                ),
                None => format!("ae_render_datetime({})", t.sql),
            },
            ChType::Date => format!("ae_render_date({})", t.sql),
            ChType::Float64 => format!("ae_float_str({})", t.sql),
            ChType::Bool => format!("(CASE WHEN {} THEN 'true' ELSE 'false' END)", t.sql),
            ChType::UInt64 => format!("ae_u64_str({})", t.sql),
            _ => format!("CAST({} AS TEXT)", t.sql),
        };
        Typed::from_parts(sql, ChType::String, &[&t])
    }

    pub fn concat(&mut self, parts: Vec<Typed>) -> Result<Typed, SqlError> {
        let texts: Vec<Typed> = parts.into_iter().map(|p| self.as_text(p)).collect();
        let refs: Vec<&Typed> = texts.iter().collect();
        let sql: Vec<&str> = texts.iter().map(|t| t.sql.as_str()).collect();
        Ok(Typed::from_parts(
            format!("({})", sql.join(" || ")),
            ChType::String,
            &refs,
        ))
    }
}

/// A UInt64 value (stored as the i64 of the same bits).
fn is_u64(t: &Typed) -> bool {
    matches!(t.ty.base(), ChType::UInt64)
}

/// A UInt64 value that may be 2^63 or more, so its stored i64 is not its
/// value: any UInt64 but a literal below 2^63.
pub(super) fn wide_unsigned(t: &Typed) -> bool {
    is_u64(t) && !matches!(t.lit, Some(Lit::Int(v)) if v <= i128::from(i64::MAX))
}

/// `t` for a Float64 computation: a wide UInt64 by its unsigned value.
pub(super) fn as_real(t: Typed) -> Typed {
    if wide_unsigned(&t) {
        Typed::from_parts(format!("ae_u64_real({})", t.sql), ChType::Float64, &[&t])
    } else {
        t
    }
}

fn interval_unit(f: &sqlparser::ast::DateTimeField) -> Option<IntervalUnit> {
    use sqlparser::ast::DateTimeField as F;
    Some(match f {
        F::Second | F::Seconds => IntervalUnit::Second,
        F::Minute | F::Minutes => IntervalUnit::Minute,
        F::Hour | F::Hours => IntervalUnit::Hour,
        F::Day | F::Days => IntervalUnit::Day,
        F::Week(_) | F::Weeks => IntervalUnit::Week,
        F::Month | F::Months => IntervalUnit::Month,
        F::Quarter => IntervalUnit::Quarter,
        F::Year | F::Years => IntervalUnit::Year,
        F::Custom(i) => match i.value.to_ascii_uppercase().as_str() {
            "QUARTERS" => IntervalUnit::Quarter,
            _ => return None,
        },
        _ => return None,
    })
}

fn arith_name(op: Arith) -> &'static str {
    match op {
        Arith::Plus => "plus",
        Arith::Minus => "minus",
        Arith::Multiply => "multiply",
        Arith::Divide => "divide",
        Arith::IntDiv => "intDiv",
        Arith::Modulo => "modulo",
    }
}

pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max).collect::<String>() + "…"
    }
}
