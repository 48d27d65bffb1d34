//! Aggregate functions of the AE dialect: count, sum, avg, min/max, the -If
//! forms, argMax/argMin, first/last_value, topK and the weighted quantiles.

use sqlparser::ast::{Expr, Value as AstValue};

use super::error::{at, err_at, SqlError};
use super::functions::{expect_args, Call};
use super::pre_aggregate::Partial;
use super::translate::{Translator, Typed};
use super::types::ChType;

pub(super) fn is_aggregate(lower: &str) -> bool {
    matches!(
        lower,
        "count"
            | "uniqexact"
            | "sum"
            | "avg"
            | "min"
            | "max"
            | "countif"
            | "sumif"
            | "avgif"
            | "argmax"
            | "argmin"
            | "first_value"
            | "last_value"
            | "topk"
            | "topkweighted"
            | "quantileexactweighted"
            | "quantileweighted"
    )
}

fn aggregate(sql: String, ty: ChType) -> Typed {
    let mut t = Typed::new(sql, ty);
    t.agg = true;
    t
}

/// A constant number among a function's parameters or arguments.
fn const_f64(e: &Expr) -> Option<f64> {
    match e {
        Expr::Value(v) => match &v.value {
            AstValue::Number(n, _) => n.parse().ok(),
            _ => None,
        },
        _ => None,
    }
}

impl Translator {
    pub(super) fn aggregate_call(
        &mut self,
        c: &Call<'_>,
        mut args: Vec<Typed>,
        node: &Expr,
    ) -> Result<Typed, SqlError> {
        let distinct = if c.distinct { "DISTINCT " } else { "" };
        let numeric = |t: &Typed, name: &str| -> Result<(), SqlError> {
            if t.ty.is_numeric() || t.ty.is_null() {
                Ok(())
            } else {
                err_at(node, format!("{name} needs a number, got {}", t.ty))
            }
        };
        match c.lower.as_str() {
            "count" => {
                expect_args(c, node, 0, 1)?;
                let sql = match args.first() {
                    None => "COUNT(*)".to_string(),
                    Some(x) => format!("COUNT({distinct}{})", x.sql),
                };
                if !c.distinct {
                    self.partial(&sql, Partial::Count);
                }
                Ok(aggregate(sql, ChType::UInt64))
            }
            "uniqexact" => {
                expect_args(c, node, 1, 1)?;
                Ok(aggregate(
                    format!("COUNT(DISTINCT {})", args[0].sql),
                    ChType::UInt64,
                ))
            }
            "sum" | "sumif" => {
                let (x, cond) = if c.lower == "sum" {
                    expect_args(c, node, 1, 1)?;
                    (args.remove(0), None)
                } else {
                    expect_args(c, node, 2, 2)?;
                    let cond = args.remove(1);
                    (args.remove(0), Some(cond))
                };
                numeric(&x, &c.name)?;
                let value = match cond {
                    Some(cond) => format!("CASE WHEN {} THEN {} END", cond.sql, x.sql),
                    None => x.sql.clone(),
                };
                if !c.distinct {
                    match x.ty.int_shape() {
                        Some(_) => self.partial(&format!("SUM({value})"), Partial::Sum),
                        None => self.partial(&format!("TOTAL({value})"), Partial::Total),
                    }
                }
                Ok(match x.ty.int_shape() {
                    // ClickHouse sums of no rows are 0, not NULL.
                    Some((signed, _)) => aggregate(
                        format!("COALESCE(SUM({distinct}{value}), 0)"),
                        if signed {
                            ChType::Int64
                        } else {
                            ChType::UInt64
                        },
                    ),
                    None => aggregate(format!("TOTAL({distinct}{value})"), ChType::Float64),
                })
            }
            "avg" | "avgif" => {
                // sum / count, as ClickHouse computes it (SQLite's AVG rounds
                // differently); 0 / 0 is NULL here and nan there: both render null.
                let value = if c.lower == "avg" {
                    expect_args(c, node, 1, 1)?;
                    numeric(&args[0], &c.name)?;
                    args[0].sql.clone()
                } else {
                    expect_args(c, node, 2, 2)?;
                    numeric(&args[0], &c.name)?;
                    format!("CASE WHEN {} THEN {} END", args[1].sql, args[0].sql)
                };
                if !c.distinct {
                    self.partial(&format!("TOTAL({value})"), Partial::Total);
                    self.partial(&format!("COUNT({value})"), Partial::Count);
                }
                Ok(aggregate(
                    format!("(TOTAL({distinct}{value}) / COUNT({distinct}{value}))"),
                    ChType::Float64,
                ))
            }
            "min" | "max" => {
                expect_args(c, node, 1, 1)?;
                let x = &args[0];
                let f = c.lower.to_ascii_uppercase();
                let part = if f == "MIN" {
                    Partial::Min
                } else {
                    Partial::Max
                };
                self.partial(&format!("{f}({})", x.sql), part);
                Ok(aggregate(
                    format!("COALESCE({f}({}), {})", x.sql, x.ty.default_sql()),
                    x.ty.clone(),
                ))
            }
            "countif" => {
                expect_args(c, node, 1, 1)?;
                Ok(aggregate(
                    format!("COUNT(CASE WHEN {} THEN 1 END)", args[0].sql),
                    ChType::UInt64,
                ))
            }
            "argmax" | "argmin" => {
                expect_args(c, node, 2, 2)?;
                let f = if c.lower == "argmax" {
                    "ae_argmax"
                } else {
                    "ae_argmin"
                };
                let x = &args[0];
                Ok(aggregate(
                    format!(
                        "COALESCE({f}({}, {}), {})",
                        x.sql,
                        args[1].sql,
                        x.ty.default_sql()
                    ),
                    x.ty.clone(),
                ))
            }
            "first_value" | "last_value" => {
                expect_args(c, node, 1, 1)?;
                let f = if c.lower == "first_value" {
                    "ae_first"
                } else {
                    "ae_last"
                };
                let x = &args[0];
                Ok(aggregate(
                    format!("COALESCE({f}({}), {})", x.sql, x.ty.default_sql()),
                    x.ty.clone(),
                ))
            }
            "topk" | "topkweighted" => {
                let weighted = c.lower == "topkweighted";
                expect_args(
                    c,
                    node,
                    if weighted { 2 } else { 1 },
                    if weighted { 2 } else { 1 },
                )?;
                let n = match c.params.as_slice() {
                    [] => 10,
                    [p] => const_f64(p)
                        .filter(|v| v.fract() == 0.0 && *v >= 1.0 && *v <= 10_000.0)
                        .map(|v| v as i64)
                        .ok_or_else(|| {
                            at(
                                SqlError::new(format!(
                                    "{}: the parameter must be an integer from 1 to 10000",
                                    c.name
                                )),
                                node,
                            )
                        })?,
                    _ => {
                        return err_at(
                            node,
                            format!("{} takes one parameter: {}(n)(x)", c.name, c.name),
                        )
                    }
                };
                let elem = args[0].ty.base().clone();
                let sql = if weighted {
                    numeric(&args[1], &c.name)?;
                    format!("ae_topk_weighted({n}, {}, {})", args[0].sql, args[1].sql)
                } else {
                    format!("ae_topk({n}, {})", args[0].sql)
                };
                Ok(aggregate(sql, ChType::Array(Box::new(elem))))
            }
            "quantileexactweighted" | "quantileweighted" => {
                // quantileExactWeighted(level)(x, w); the older quantileWeighted(level, x, w).
                let (level, x, w) = if c.has_params {
                    expect_args(c, node, 2, 2)?;
                    let level = match c.params.as_slice() {
                        [] => Some(0.5),
                        [p] => const_f64(p),
                        _ => None,
                    };
                    (level, args.remove(0), args.remove(0))
                } else if args.len() == 3 {
                    let level = c.args.first().and_then(|e| const_f64(e));
                    args.remove(0);
                    (level, args.remove(0), args.remove(0))
                } else {
                    return err_at(
                        node,
                        format!("{} is written {}(level)(x, weight)", c.name, c.name),
                    );
                };
                let level = level.filter(|l| (0.0..=1.0).contains(l)).ok_or_else(|| {
                    at(
                        SqlError::new(format!(
                            "{}: the level must be a number from 0 to 1",
                            c.name
                        )),
                        node,
                    )
                })?;
                numeric(&w, &c.name)?;
                let ty = if x.ty.is_time() {
                    x.ty.base().clone()
                } else {
                    ChType::Float64
                };
                if !x.ty.is_numeric() && !x.ty.is_time() {
                    return err_at(node, format!("{} needs a number, got {}", c.name, x.ty));
                }
                let level = self.bind_real(level);
                Ok(aggregate(
                    format!("ae_quantile_weighted({level}, {}, {})", x.sql, w.sql),
                    ty,
                ))
            }
            _ => err_at(node, format!("unknown aggregate function {}", c.name)),
        }
    }
}
