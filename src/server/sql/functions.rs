//! Function calls of the AE dialect: each documented (or accepted,
//! undocumented) function mapped to SQLite — native expressions where the
//! semantics match, `ae_` functions (udf.rs) where they do not.

use sqlparser::ast::{
    DuplicateTreatment, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArguments,
};

use super::aggregates::is_aggregate;
use super::error::{at, err_at, SqlError};
use super::translate::{Env, Lit, Translator, Typed};
use super::types::{self, Arith, ChType};

/// The arguments of a call, split the way the translator needs them.
pub(super) struct Call<'e> {
    pub(super) name: String,
    pub(super) lower: String,
    pub(super) params: Vec<&'e Expr>,
    pub(super) has_params: bool,
    pub(super) args: Vec<&'e Expr>,
    star: bool,
    pub(super) distinct: bool,
}

fn split_call<'e>(f: &'e Function, node: &Expr) -> Result<Call<'e>, SqlError> {
    let name = match f.name.0.as_slice() {
        [one] => one
            .as_ident()
            .map(|i| i.value.clone())
            .unwrap_or_else(|| one.to_string()),
        _ => return err_at(node, format!("unknown function {}", f.name)),
    };
    if f.filter.is_some()
        || f.over.is_some()
        || !f.within_group.is_empty()
        || f.null_treatment.is_some()
    {
        return err_at(
            node,
            format!("{name}: FILTER, OVER and window functions are not supported"),
        );
    }
    let mut call = Call {
        lower: name.to_ascii_lowercase(),
        name,
        params: Vec::new(),
        has_params: false,
        args: Vec::new(),
        star: false,
        distinct: false,
    };
    if let FunctionArguments::List(p) = &f.parameters {
        call.has_params = true;
        for a in &p.args {
            match a {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => call.params.push(e),
                _ => return err_at(node, format!("{}: parameters must be constants", call.name)),
            }
        }
    }
    match &f.args {
        FunctionArguments::None => {}
        FunctionArguments::Subquery(_) => {
            return err_at(
                node,
                format!("{}: a subquery is not a function argument", call.name),
            )
        }
        FunctionArguments::List(list) => {
            if !list.clauses.is_empty() {
                return err_at(
                    node,
                    format!("{}: clauses inside a call are not supported", call.name),
                );
            }
            call.distinct = matches!(list.duplicate_treatment, Some(DuplicateTreatment::Distinct));
            for a in &list.args {
                match a {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => call.args.push(e),
                    FunctionArg::Unnamed(FunctionArgExpr::Wildcard) => call.star = true,
                    _ => {
                        return err_at(
                            node,
                            format!(
                                "{}: named or qualified arguments are not supported",
                                call.name
                            ),
                        )
                    }
                }
            }
        }
    }
    if call.star && !(call.lower == "count" && call.args.is_empty()) {
        return err_at(
            node,
            format!("{}(*) is not supported; only count(*)", call.name),
        );
    }
    Ok(call)
}

pub(super) fn expect_args(
    c: &Call<'_>,
    node: &Expr,
    min: usize,
    max: usize,
) -> Result<(), SqlError> {
    let n = c.args.len();
    if n < min || n > max {
        let want = if min == max {
            format!("{min}")
        } else if max == usize::MAX {
            format!("at least {min}")
        } else {
            format!("{min} to {max}")
        };
        return err_at(
            node,
            format!("{} takes {want} argument(s), got {n}", c.name),
        );
    }
    if c.has_params && !is_parametric(&c.lower) {
        return err_at(
            node,
            format!("{} takes no parameters: write {}(…)", c.name, c.name),
        );
    }
    if c.distinct && !matches!(c.lower.as_str(), "count" | "sum" | "avg") {
        return err_at(node, format!("{}(DISTINCT …) is not supported", c.name));
    }
    Ok(())
}

fn is_parametric(lower: &str) -> bool {
    matches!(
        lower,
        "topk" | "topkweighted" | "quantileexactweighted" | "quantileweighted"
    )
}

impl Translator {
    pub fn function(
        &mut self,
        env: &mut Env<'_>,
        f: &Function,
        node: &Expr,
    ) -> Result<Typed, SqlError> {
        let c = split_call(f, node)?;
        if is_aggregate(&c.lower) {
            if env.in_aggregate {
                return err_at(
                    node,
                    format!(
                        "aggregate function {} is found inside another aggregate function",
                        c.name
                    ),
                );
            }
            env.in_aggregate = true;
            let args: Result<Vec<Typed>, SqlError> =
                c.args.iter().map(|a| self.expr(env, a)).collect();
            env.in_aggregate = false;
            let args = args?;
            if args.iter().any(|a| a.agg) {
                return err_at(
                    node,
                    format!(
                        "aggregate function {} is found inside another aggregate function",
                        c.name
                    ),
                );
            }
            return self.aggregate_call(&c, args, node);
        }
        let args: Vec<Typed> = c
            .args
            .iter()
            .map(|a| self.expr(env, a))
            .collect::<Result<_, _>>()?;
        self.scalar_call(&c, args, node)
    }

    fn scalar_call(
        &mut self,
        c: &Call<'_>,
        mut args: Vec<Typed>,
        node: &Expr,
    ) -> Result<Typed, SqlError> {
        let name = c.lower.as_str();
        if let Some(t) = self.time_call(c, &mut args, node)? {
            return Ok(t);
        }
        // Strings.
        match name {
            "length" => {
                expect_args(c, node, 1, 1)?;
                let x = &args[0];
                let sql = match x.ty.base() {
                    ChType::String => format!("length({})", x.sql),
                    ChType::Array(_) => format!("json_array_length({})", x.sql),
                    other => return err_at(node, format!("length needs a String, got {other}")),
                };
                return Ok(Typed::from_parts(sql, ChType::UInt64, &[x]));
            }
            "empty" | "isempty" | "notempty" => {
                expect_args(c, node, 1, 1)?;
                let x = &args[0];
                let op = if name == "notempty" { "<>" } else { "=" };
                let sql = match x.ty.base() {
                    ChType::String => format!("({} {op} '')", x.sql),
                    ChType::Array(_) => format!("(json_array_length({}) {op} 0)", x.sql),
                    other => {
                        return err_at(node, format!("{} needs a String, got {other}", c.name))
                    }
                };
                return Ok(Typed::from_parts(sql, ChType::UInt8, &[x]));
            }
            // SQLite's lower/upper change ASCII letters only, like ClickHouse's.
            "lower" | "lcase" => return self.one_string(c, args, node, "lower"),
            "upper" | "ucase" => return self.one_string(c, args, node, "upper"),
            // AE's toLower/toUpper are the UTF-8 versions.
            "lowerutf8" | "tolower" => return self.one_string(c, args, node, "ae_lower_utf8"),
            "upperutf8" | "toupper" => return self.one_string(c, args, node, "ae_upper_utf8"),
            "trim" | "trimboth" => return self.one_string(c, args, node, "trim"),
            "trimleft" | "ltrim" => return self.one_string(c, args, node, "ltrim"),
            "trimright" | "rtrim" => return self.one_string(c, args, node, "rtrim"),
            "startswith" | "endswith" => {
                expect_args(c, node, 2, 2)?;
                self.strings(c, &args, node)?;
                let f = if name == "startswith" {
                    "ae_starts_with"
                } else {
                    "ae_ends_with"
                };
                return Ok(Typed::from_parts(
                    format!("{f}({}, {})", args[0].sql, args[1].sql),
                    ChType::UInt8,
                    &[&args[0], &args[1]],
                ));
            }
            "position" | "locate" => {
                expect_args(c, node, 2, 2)?;
                let needle = args.remove(1);
                let haystack = args.remove(0);
                return self.position(haystack, needle, node);
            }
            "substring" | "substr" | "mid" => {
                expect_args(c, node, 2, 3)?;
                return self.substring(args, node);
            }
            "format" => {
                expect_args(c, node, 1, usize::MAX)?;
                let pattern = args.remove(0);
                let Some(Lit::Str(p)) = &pattern.lit else {
                    return err_at(node, "format: the pattern must be a constant string");
                };
                let placeholders = vec![String::new(); args.len()];
                super::udf::format_pattern(p, &placeholders)
                    .map_err(|m| at(SqlError::new(m), c.args[0]))?;
                let texts: Vec<Typed> = args.into_iter().map(|a| self.as_text(a)).collect();
                let mut sql = format!("ae_format({}", pattern.sql);
                for t in &texts {
                    sql.push_str(", ");
                    sql.push_str(&t.sql);
                }
                sql.push(')');
                let refs: Vec<&Typed> = texts.iter().collect();
                return Ok(Typed::from_parts(sql, ChType::String, &refs));
            }
            "concat" => {
                expect_args(c, node, 1, usize::MAX)?;
                return self.concat(args);
            }
            "replaceall" | "replace" | "replaceone" => {
                expect_args(c, node, 3, 3)?;
                self.strings(c, &args, node)?;
                let f = if name == "replaceone" {
                    "ae_replace_one"
                } else {
                    "replace"
                };
                return Ok(Typed::from_parts(
                    format!("{f}({}, {}, {})", args[0].sql, args[1].sql, args[2].sql),
                    ChType::String,
                    &[&args[0], &args[1], &args[2]],
                ));
            }
            "tostring" => {
                expect_args(c, node, 1, 1)?;
                return Ok(self.as_text(args.remove(0)));
            }
            _ => {}
        }
        // Conditionals, math, bits and conversions.
        match name {
            "if" => {
                expect_args(c, node, 3, 3)?;
                let (cond, a, b) = (&args[0], &args[1], &args[2]);
                self.condition(cond, &c.name, node)?;
                let ty = self.common_type(a, b, node)?;
                let (a, b) = (self.coerce_branch(a, &ty), self.coerce_branch(b, &ty));
                return Ok(Typed::from_parts(
                    format!("(CASE WHEN {} THEN {a} ELSE {b} END)", cond.sql),
                    ty,
                    &[&args[0], &args[1], &args[2]],
                ));
            }
            "multiif" => {
                if args.len() < 3 || args.len().is_multiple_of(2) {
                    return err_at(node, "multiIf takes cond1, then1, [cond2, then2, …,] else");
                }
                let mut ty = args[1].ty.clone();
                for (i, a) in args.iter().enumerate() {
                    if i % 2 == 0 && i + 1 < args.len() {
                        self.condition(a, &c.name, node)?;
                    } else if i > 1 {
                        let fake = Typed::new("", ty.clone());
                        ty = self.common_type(&fake, a, node)?;
                    }
                }
                let mut sql = String::from("(CASE");
                for pair in args[..args.len() - 1].chunks(2) {
                    sql.push_str(&format!(
                        " WHEN {} THEN {}",
                        pair[0].sql,
                        self.coerce_branch(&pair[1], &ty)
                    ));
                }
                let last = &args[args.len() - 1];
                sql.push_str(&format!(" ELSE {} END)", self.coerce_branch(last, &ty)));
                let refs: Vec<&Typed> = args.iter().collect();
                return Ok(Typed::from_parts(sql, ty, &refs));
            }
            "intdiv" => {
                expect_args(c, node, 2, 2)?;
                let b = args.remove(1);
                let a = args.remove(0);
                return self.arith_call(Arith::IntDiv, a, b, node);
            }
            "plus" | "minus" | "multiply" | "divide" | "modulo" => {
                expect_args(c, node, 2, 2)?;
                let op = match name {
                    "plus" => Arith::Plus,
                    "minus" => Arith::Minus,
                    "multiply" => Arith::Multiply,
                    "divide" => Arith::Divide,
                    _ => Arith::Modulo,
                };
                let b = args.remove(1);
                let a = args.remove(0);
                return self.arith_call(op, a, b, node);
            }
            "abs" => {
                expect_args(c, node, 1, 1)?;
                let x = &args[0];
                let ty = match x.ty.int_shape() {
                    Some((_, bits)) => ChType::from_int_shape(false, bits),
                    None if x.ty.is_float() => ChType::Float64,
                    None => return err_at(node, format!("abs needs a number, got {}", x.ty)),
                };
                return Ok(Typed::from_parts(format!("abs({})", x.sql), ty, &[x]));
            }
            "log" | "ln" | "exp" | "sqrt" => {
                expect_args(c, node, 1, 1)?;
                self.numbers(c, &args, node)?;
                let f = match name {
                    "exp" => "ae_exp",
                    "sqrt" => "ae_sqrt",
                    _ => "ae_ln",
                };
                return Ok(Typed::from_parts(
                    format!("{f}({})", args[0].sql),
                    ChType::Float64,
                    &[&args[0]],
                ));
            }
            "pow" | "power" => {
                expect_args(c, node, 2, 2)?;
                self.numbers(c, &args, node)?;
                return Ok(Typed::from_parts(
                    format!("ae_pow({}, {})", args[0].sql, args[1].sql),
                    ChType::Float64,
                    &[&args[0], &args[1]],
                ));
            }
            "round" | "floor" | "ceil" | "ceiling" => {
                expect_args(c, node, 1, 2)?;
                self.numbers(c, &args, node)?;
                let digits = match c.args.get(1) {
                    None => 0,
                    Some(e) => match args[1].lit {
                        Some(Lit::Int(n)) => n.clamp(-20, 20) as i64,
                        _ => {
                            return err_at(
                                *e,
                                format!(
                                    "{}: the number of digits must be a constant integer",
                                    c.name
                                ),
                            )
                        }
                    },
                };
                return Ok(self.round_like(name, args.remove(0), digits));
            }
            "least" | "greatest" => {
                // ClickHouse takes any number of arguments from two on.
                expect_args(c, node, 2, usize::MAX)?;
                let mut ty = args[0].ty.clone();
                for a in &args[1..] {
                    let so_far = Typed::new("", ty.clone());
                    ty = self.common_type(&so_far, a, node)?;
                }
                let f = if name == "least" { "min" } else { "max" };
                let sql: Vec<String> = args.iter().map(|a| self.coerce_branch(a, &ty)).collect();
                let refs: Vec<&Typed> = args.iter().collect();
                return Ok(Typed::from_parts(
                    format!("{f}({})", sql.join(", ")),
                    ty,
                    &refs,
                ));
            }
            _ => {}
        }
        if let Some(t) = self.bit_call(c, &args, node)? {
            return Ok(t);
        }
        if let Some(t) = self.conversion(c, &mut args, node)? {
            return Ok(t);
        }
        err_at(node, format!("unknown function {}", c.name))
    }

    fn arith_call(
        &mut self,
        op: Arith,
        a: Typed,
        b: Typed,
        node: &Expr,
    ) -> Result<Typed, SqlError> {
        // Same rules as the operators.
        self.apply_arith(op, a, b, node)
    }

    fn condition(&self, t: &Typed, f: &str, node: &Expr) -> Result<(), SqlError> {
        if t.ty.is_numeric() || t.ty.is_null() {
            Ok(())
        } else {
            err_at(
                node,
                format!(
                    "{f}: the condition must be a number or comparison, got {}",
                    t.ty
                ),
            )
        }
    }

    fn common_type(&self, a: &Typed, b: &Typed, node: &Expr) -> Result<ChType, SqlError> {
        types::supertype(&a.ty, &b.ty).ok_or_else(|| {
            at(
                SqlError::new(format!("no common type for {} and {}", a.ty, b.ty)),
                node,
            )
        })
    }

    /// A branch's SQL adjusted to the result type (an integer branch of a
    /// Float64 result becomes REAL so the column has one storage class).
    fn coerce_branch(&self, t: &Typed, ty: &ChType) -> String {
        if ty.is_float() && super::expr::wide_unsigned(t) {
            format!("ae_u64_real({})", t.sql)
        } else if ty.is_float() && t.ty.is_integer() {
            format!("CAST({} AS REAL)", t.sql)
        } else {
            t.sql.clone()
        }
    }

    fn strings(&self, c: &Call<'_>, args: &[Typed], node: &Expr) -> Result<(), SqlError> {
        for a in args {
            if !a.ty.is_string() && !a.ty.is_null() {
                return err_at(
                    node,
                    format!("{} needs String arguments, got {}", c.name, a.ty),
                );
            }
        }
        Ok(())
    }

    fn numbers(&self, c: &Call<'_>, args: &[Typed], node: &Expr) -> Result<(), SqlError> {
        for a in args {
            if !a.ty.is_numeric() && !a.ty.is_null() {
                return err_at(
                    node,
                    format!("{} needs numeric arguments, got {}", c.name, a.ty),
                );
            }
        }
        Ok(())
    }

    fn one_string(
        &mut self,
        c: &Call<'_>,
        args: Vec<Typed>,
        node: &Expr,
        f: &str,
    ) -> Result<Typed, SqlError> {
        expect_args(c, node, 1, 1)?;
        self.strings(c, &args, node)?;
        Ok(Typed::from_parts(
            format!("{f}({})", args[0].sql),
            ChType::String,
            &[&args[0]],
        ))
    }

    pub fn string_fn(&mut self, f: &str, t: Typed, node: &Expr) -> Result<Typed, SqlError> {
        if !t.ty.is_string() {
            return err_at(node, format!("{f} needs a String, got {}", t.ty));
        }
        Ok(Typed::from_parts(
            format!("{f}({})", t.sql),
            ChType::String,
            &[&t],
        ))
    }

    pub fn position(
        &mut self,
        haystack: Typed,
        needle: Typed,
        node: &Expr,
    ) -> Result<Typed, SqlError> {
        if !haystack.ty.is_string() || !needle.ty.is_string() {
            return err_at(
                node,
                format!(
                    "position needs Strings, got {} and {}",
                    haystack.ty, needle.ty
                ),
            );
        }
        Ok(Typed::from_parts(
            format!("ae_position({}, {})", haystack.sql, needle.sql),
            ChType::UInt64,
            &[&haystack, &needle],
        ))
    }

    pub fn substring(&mut self, args: Vec<Typed>, node: &Expr) -> Result<Typed, SqlError> {
        if args.len() < 2 || args.len() > 3 {
            return err_at(node, "substring takes (s, offset[, length])");
        }
        if !args[0].ty.is_string() {
            return err_at(
                node,
                format!("substring needs a String, got {}", args[0].ty),
            );
        }
        for a in &args[1..] {
            if !a.ty.is_integer() {
                return err_at(
                    node,
                    format!("substring offsets are integers, got {}", a.ty),
                );
            }
        }
        let sql: Vec<&str> = args.iter().map(|a| a.sql.as_str()).collect();
        let refs: Vec<&Typed> = args.iter().collect();
        Ok(Typed::from_parts(
            format!("ae_substring({})", sql.join(", ")),
            ChType::String,
            &refs,
        ))
    }

    /// toYear & co. on a DateTime, Date or a parsable string.
    pub fn date_part(&mut self, name: &str, t: Typed, node: &Expr) -> Result<Typed, SqlError> {
        let t = self.as_time(t, node, name)?;
        let strf = |code: &str| {
            format!(
                "CAST(strftime('{code}', {}, 'unixepoch') AS INTEGER)",
                t.sql
            )
        };
        let (sql, ty) = match name.to_ascii_lowercase().as_str() {
            "toyear" => (strf("%Y"), ChType::UInt16),
            "tomonth" => (strf("%m"), ChType::UInt8),
            "todayofmonth" => (strf("%d"), ChType::UInt8),
            "todayofyear" => (strf("%j"), ChType::UInt16),
            "toquarter" => (format!("(({} - 1) / 3 + 1)", strf("%m")), ChType::UInt8),
            // %w counts from Sunday = 0; ClickHouse's toDayOfWeek has Monday = 1.
            "todayofweek" => (format!("(({} + 6) % 7 + 1)", strf("%w")), ChType::UInt8),
            "tohour" => (strf("%H"), ChType::UInt8),
            "tominute" => (strf("%M"), ChType::UInt8),
            "tosecond" => (strf("%S"), ChType::UInt8),
            "toyyyymm" => (strf("%Y%m"), ChType::UInt32),
            _ => return err_at(node, format!("unknown function {name}")),
        };
        Ok(Typed::from_parts(sql, ty, &[&t]))
    }

    /// round / floor / ceil to `digits` decimal places; integers with
    /// digits >= 0 are already there.
    pub fn round_like(&mut self, name: &str, x: Typed, digits: i64) -> Typed {
        if x.ty.is_integer() && digits >= 0 {
            return x;
        }
        let f = match name {
            "round" => "ae_round",
            "floor" => "ae_floor",
            _ => "ae_ceil",
        };
        let sql = format!("{f}({}, {digits})", x.sql);
        let (sql, ty) = if x.ty.is_integer() {
            (format!("CAST({sql} AS INTEGER)"), x.ty.clone())
        } else {
            (sql, ChType::Float64)
        };
        Typed::from_parts(sql, ty, &[&x])
    }
}
