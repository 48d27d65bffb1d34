//! AST → SQLite SQL. Everything emitted comes from the AST: columns map to
//! known names, output columns get generated names (`c0`, `c1`, …), string and
//! float literals are bound parameters, integers are printed by us, and every
//! `aepipe` becomes the tenant's rows (see scope.rs). Nothing the user typed
//! reaches SQLite as text.

use std::collections::HashMap;

use rusqlite::types::Value;
use sqlparser::ast::{
    BinaryOperator, CeilFloorKind, DateTimeField, Expr, GroupByExpr, LimitClause, OrderByKind,
    Query, Select, SelectItem, SetExpr, UnaryOperator, Value as AstValue,
};

use super::datetime;
use super::error::{at, err_at, SqlError};
use super::names::column_name;
use super::parse::check_query;
use super::pre_aggregate;
use super::scope::{self, Source};
use super::types::{self, Arith, ChType, IntervalUnit};

/// Rows kept beyond the window just to report `rows_before_limit_at_least`;
/// bounded so a LIMIT query never turns into a full scan.
pub const COUNT_BEYOND_LIMIT: u64 = 10_000;

/// A query ready for SQLite.
#[derive(Debug)]
pub struct Compiled {
    pub sql: String,
    pub params: Vec<Value>,
    pub columns: Vec<OutColumn>,
    /// The outermost LIMIT/OFFSET, applied while reading rows so the rows
    /// before the limit can be counted.
    pub window: Option<Window>,
}

#[derive(Debug, Clone)]
pub struct OutColumn {
    pub name: String,
    pub ty: ChType,
}

#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub offset: u64,
    pub limit: Option<u64>,
}

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

/// A column a SELECT can name.
#[derive(Debug, Clone)]
struct SourceColumn {
    name: String,
    sql: String,
    ty: ChType,
}

/// Names visible inside one SELECT.
pub struct Env<'q> {
    columns: Vec<SourceColumn>,
    qualifiers: Vec<String>,
    aliases: HashMap<String, &'q Expr>,
    alias_cache: HashMap<String, Typed>,
    resolving: Vec<String>,
    group_keys: Vec<String>,
    /// Inside an aggregate's arguments (aggregates cannot nest).
    pub in_aggregate: bool,
}

pub struct Translator {
    params: Vec<Value>,
    interned: HashMap<ParamKey, usize>,
    next_column: usize,
    pub now: i64,
}

#[derive(Hash, PartialEq, Eq)]
enum ParamKey {
    Text(String),
    Real(u64),
}

/// Translate the outermost query for `tenant` (`project/logstore`).
pub fn compile(query: &Query, tenant: &str, now: i64) -> Result<Compiled, SqlError> {
    let mut t = Translator {
        params: Vec::new(),
        interned: HashMap::new(),
        next_column: 0,
        now,
    };
    // The tenant key is always ?1: scope::SCOPED_FILTER relies on it.
    let first = t.bind_text(tenant);
    debug_assert_eq!(first, format!("?{}", scope::TENANT_PARAM));
    let block = t.query(query, true)?;
    Ok(Compiled {
        sql: block.sql,
        params: t.params,
        columns: block
            .columns
            .into_iter()
            .map(|c| OutColumn {
                name: c.name,
                ty: c.ty,
            })
            .collect(),
        window: block.window,
    })
}

struct Block {
    sql: String,
    columns: Vec<SourceColumn>,
    window: Option<Window>,
}

fn aepipe_columns() -> Vec<SourceColumn> {
    let mut cols = vec![
        SourceColumn {
            name: "timestamp".into(),
            sql: "events.timestamp".into(),
            ty: ChType::DateTime,
        },
        SourceColumn {
            name: "_sample_interval".into(),
            sql: "events._sample_interval".into(),
            ty: ChType::UInt32,
        },
        SourceColumn {
            name: "index1".into(),
            sql: "events.index1".into(),
            ty: ChType::String,
        },
    ];
    for i in 1..=20 {
        cols.push(SourceColumn {
            name: format!("blob{i}"),
            sql: format!("events.blob{i}"),
            ty: ChType::String,
        });
    }
    for i in 1..=20 {
        cols.push(SourceColumn {
            name: format!("double{i}"),
            sql: format!("events.double{i}"),
            ty: ChType::Float64,
        });
    }
    cols.push(SourceColumn {
        name: "dataset".into(),
        sql: format!("'{}'", scope::TABLE_NAME),
        ty: ChType::String,
    });
    cols
}

/// An integer constant from LIMIT/OFFSET.
fn constant_u64(e: &Expr, what: &str) -> Result<u64, SqlError> {
    match e {
        Expr::Value(v) => match &v.value {
            AstValue::Number(n, _) => n
                .parse::<u64>()
                .or_else(|_| err_at(e, format!("{what} expects a non-negative integer, got {n}"))),
            _ => err_at(e, format!("{what} expects a non-negative integer")),
        },
        _ => err_at(e, format!("{what} expects a non-negative integer constant")),
    }
}

impl Translator {
    pub fn bind_text(&mut self, s: &str) -> String {
        self.bind(ParamKey::Text(s.to_string()), Value::Text(s.to_string()))
    }

    pub fn bind_real(&mut self, f: f64) -> String {
        self.bind(ParamKey::Real(f.to_bits()), Value::Real(f))
    }

    fn bind(&mut self, key: ParamKey, value: Value) -> String {
        if let Some(i) = self.interned.get(&key) {
            return format!("?{i}");
        }
        self.params.push(value);
        let i = self.params.len();
        self.interned.insert(key, i);
        format!("?{i}")
    }

    fn column_alias(&mut self) -> String {
        let name = format!("c{}", self.next_column);
        self.next_column += 1;
        name
    }

    fn query(&mut self, q: &Query, top: bool) -> Result<Block, SqlError> {
        check_query(q, top)?;
        let select = match q.body.as_ref() {
            SetExpr::Select(s) => s,
            SetExpr::Query(inner) if q.order_by.is_none() && q.limit_clause.is_none() => {
                return self.query(inner, top);
            }
            _ => return Err(SqlError::new("only SELECT queries are allowed")),
        };
        self.select(q, select, top)
    }

    fn select(&mut self, q: &Query, s: &Select, top: bool) -> Result<Block, SqlError> {
        let (from_sql, columns, qualifiers, scoped) = match scope::source_of(s)? {
            Source::Nothing => (String::new(), Vec::new(), Vec::new(), false),
            Source::Aepipe { alias } => {
                let mut quals = vec![scope::TABLE_NAME.to_string()];
                quals.extend(alias);
                (
                    format!(" FROM {}", scope::SCOPED_FROM),
                    aepipe_columns(),
                    quals,
                    true,
                )
            }
            Source::Subquery { query, alias } => {
                let inner = self.query(query, false)?;
                let table = self.column_alias().replacen('c', "t", 1);
                let cols = inner
                    .columns
                    .into_iter()
                    .map(|c| SourceColumn {
                        sql: format!("{table}.{}", c.sql),
                        ..c
                    })
                    .collect();
                (
                    format!(" FROM ({}) AS {table}", inner.sql),
                    cols,
                    alias.into_iter().collect(),
                    false,
                )
            }
        };

        let mut env = Env {
            columns,
            qualifiers,
            aliases: HashMap::new(),
            alias_cache: HashMap::new(),
            resolving: Vec::new(),
            group_keys: Vec::new(),
            in_aggregate: false,
        };
        for item in &s.projection {
            if let SelectItem::ExprWithAlias { expr, alias } = item {
                env.aliases.insert(alias.value.clone(), expr);
            }
        }

        // GROUP BY first: select items are checked against its keys.
        let mut group_sql = Vec::new();
        if let GroupByExpr::Expressions(exprs, _) = &s.group_by {
            for e in exprs {
                let key = match positional(e, s.projection.len())? {
                    Some(i) => self.projection_expr(&mut env, s, i)?,
                    None => self.expr(&mut env, e)?,
                };
                if key.agg {
                    return err_at(e, "aggregate functions are not allowed in GROUP BY");
                }
                if key.lit.is_some() {
                    continue;
                }
                group_sql.push(key.sql);
            }
        }
        env.alias_cache.clear();
        env.group_keys = group_sql.clone();

        // Projection.
        let mut items: Vec<(String, Typed, Option<&Expr>)> = Vec::new();
        let mut alias_index: HashMap<String, usize> = HashMap::new();
        for item in &s.projection {
            match item {
                SelectItem::UnnamedExpr(e) => {
                    let t = self.expr(&mut env, e)?;
                    items.push((column_name(e), t, Some(e)));
                }
                SelectItem::ExprWithAlias { expr, alias } => {
                    let t = self.alias(&mut env, &alias.value, expr)?;
                    alias_index.insert(alias.value.clone(), items.len());
                    items.push((alias.value.clone(), t, Some(expr)));
                }
                SelectItem::Wildcard(opts) | SelectItem::QualifiedWildcard(_, opts) => {
                    if opts.opt_except.is_some()
                        || opts.opt_exclude.is_some()
                        || opts.opt_replace.is_some()
                        || opts.opt_rename.is_some()
                        || opts.opt_ilike.is_some()
                    {
                        return Err(SqlError::new("* with EXCEPT/REPLACE/… is not supported"));
                    }
                    if env.columns.is_empty() {
                        return Err(SqlError::new("SELECT * needs a FROM clause"));
                    }
                    for c in env.columns.clone() {
                        let mut t = Typed::new(c.sql.clone(), c.ty.clone());
                        t.free = Some(c.name.clone());
                        if env.group_keys.contains(&t.sql) {
                            t.free = None;
                        }
                        items.push((c.name, t, None));
                    }
                }
            }
        }

        let grouped = !group_sql.is_empty()
            || matches!(&s.group_by, GroupByExpr::Expressions(e, _) if !e.is_empty())
            || s.having.is_some()
            || items.iter().any(|(_, t, _)| t.agg);

        let mut parts = SelectParts {
            distinct: s.distinct.is_some(),
            ..SelectParts::default()
        };
        let mut out_columns = Vec::new();
        for (name, t, e) in items.iter() {
            let located = |msg: String| match e {
                Some(e) => at(SqlError::new(msg), *e),
                None => SqlError::new(msg),
            };
            if matches!(t.ty, ChType::Interval(_)) {
                return Err(located(
                    "an INTERVAL cannot be a result column; add it to a DateTime".into(),
                ));
            }
            if grouped {
                if let Some(col) = &t.free {
                    return Err(located(format!(
                        "column {col} is neither under an aggregate function nor in GROUP BY"
                    )));
                }
            }
            let alias = self.column_alias();
            parts.items.push((t.sql.clone(), alias.clone()));
            out_columns.push(SourceColumn {
                name: name.clone(),
                sql: alias,
                ty: t.ty.clone(),
            });
        }
        parts.from = from_sql;

        // WHERE: the tenant filter first, the user's condition in parentheses.
        let mut conditions = Vec::new();
        if scoped {
            conditions.push(scope::SCOPED_FILTER.to_string());
        }
        if let Some(w) = &s.selection {
            let t = self.expr(&mut env, w)?;
            if t.agg {
                return err_at(
                    w,
                    "aggregate functions are not allowed in WHERE; use HAVING",
                );
            }
            conditions.push(format!("({})", t.sql));
        }
        parts.conditions = conditions;
        parts.group_by = group_sql.clone();
        if let Some(h) = &s.having {
            let t = self.expr(&mut env, h)?;
            if let Some(col) = &t.free {
                return err_at(
                    h,
                    format!("column {col} in HAVING is neither under an aggregate function nor in GROUP BY"),
                );
            }
            parts.having = Some(t.sql);
        }

        // ORDER BY: an alias or a position names an output column directly.
        if let Some(order) = &q.order_by {
            let OrderByKind::Expressions(exprs) = &order.kind else {
                return Err(SqlError::new("ORDER BY ALL is not supported"));
            };
            let mut terms = Vec::new();
            for o in exprs {
                if o.with_fill.is_some() {
                    return err_at(&o.expr, "ORDER BY … WITH FILL is not supported");
                }
                let (sql, underlying) = match self.output_ref(
                    &o.expr,
                    &alias_index,
                    out_columns.len(),
                )? {
                    Some(i) => (out_columns[i].sql.clone(), items[i].1.ty.clone()),
                    None => {
                        let t = self.expr(&mut env, &o.expr)?;
                        if grouped {
                            if let Some(col) = &t.free {
                                return err_at(
                                    &o.expr,
                                    format!("column {col} in ORDER BY is neither under an aggregate function nor in GROUP BY"),
                                );
                            }
                        } else if t.agg {
                            return err_at(
                                &o.expr,
                                "aggregate function in ORDER BY of a query without aggregation",
                            );
                        }
                        (t.sql, t.ty)
                    }
                };
                let dir = if o.options.asc == Some(false) {
                    "DESC"
                } else {
                    "ASC"
                };
                // ClickHouse puts NULL (and nan, NULL here) last unless told
                // otherwise; SQLite does so for DESC only. Only floats and
                // NULL literals can be NULL here, and leaving other terms
                // plain lets SQLite read an index in order, without a sort.
                let nulls = match o.options.nulls_first {
                    Some(true) => " NULLS FIRST",
                    Some(false) => " NULLS LAST",
                    None if dir == "ASC" && may_be_null(&underlying) => " NULLS LAST",
                    None => "",
                };
                terms.push(format!("{sql} {dir}{nulls}"));
            }
            parts.order_by = terms;
        }

        let window = match &q.limit_clause {
            None => None,
            Some(LimitClause::LimitOffset { limit, offset, .. }) => Some(Window {
                limit: limit
                    .as_ref()
                    .map(|l| constant_u64(l, "LIMIT"))
                    .transpose()?,
                offset: offset
                    .as_ref()
                    .map(|o| constant_u64(&o.value, "OFFSET"))
                    .transpose()?
                    .unwrap_or(0),
            }),
            Some(LimitClause::OffsetCommaLimit { offset, limit }) => Some(Window {
                limit: Some(constant_u64(limit, "LIMIT")?),
                offset: constant_u64(offset, "LIMIT offset")?,
            }),
        };
        let mut select_sql = match pre_aggregate::by_timestamp(&parts, scoped) {
            Some(rewritten) => rewritten.assemble(),
            None => parts.assemble(),
        };
        let window = match window {
            Some(w) if top => {
                // Fetch a bounded number of rows past the window to count them.
                if let Some(limit) = w.limit {
                    let fetch = w
                        .offset
                        .saturating_add(limit)
                        .saturating_add(COUNT_BEYOND_LIMIT)
                        .min(i64::MAX as u64);
                    select_sql.push_str(&format!(" LIMIT {fetch}"));
                }
                Some(w)
            }
            Some(w) => {
                let limit = w.limit.map_or(-1, |l| l.min(i64::MAX as u64) as i64);
                select_sql.push_str(&format!(
                    " LIMIT {limit} OFFSET {}",
                    w.offset.min(i64::MAX as u64)
                ));
                None
            }
            None => None,
        };

        Ok(Block {
            sql: select_sql,
            columns: out_columns,
            window,
        })
    }

    /// The `i`-th select item's expression, for positional GROUP BY.
    fn projection_expr(
        &mut self,
        env: &mut Env<'_>,
        s: &Select,
        i: usize,
    ) -> Result<Typed, SqlError> {
        match s.projection.get(i) {
            Some(SelectItem::UnnamedExpr(e)) => self.expr(env, e),
            Some(SelectItem::ExprWithAlias { expr, alias }) => self.alias(env, &alias.value, expr),
            _ => Err(SqlError::new(
                "a GROUP BY position must name an expression, not *",
            )),
        }
    }

    /// The output column an ORDER BY term names (alias or position).
    fn output_ref(
        &self,
        e: &Expr,
        aliases: &HashMap<String, usize>,
        outputs: usize,
    ) -> Result<Option<usize>, SqlError> {
        if let Some(i) = positional(e, outputs)? {
            return Ok(Some(i));
        }
        match e {
            Expr::Identifier(id) => Ok(aliases.get(&id.value).copied()),
            _ => Ok(None),
        }
    }

    /// Translate an aliased select expression once; later uses reuse it so
    /// SQLite sees identical expressions (and shares aggregates).
    fn alias(&mut self, env: &mut Env<'_>, name: &str, e: &Expr) -> Result<Typed, SqlError> {
        if let Some(t) = env.alias_cache.get(name) {
            return Ok(t.clone());
        }
        env.resolving.push(name.to_string());
        let t = self.expr(env, e);
        env.resolving.pop();
        let t = t?;
        env.alias_cache.insert(name.to_string(), t.clone());
        Ok(t)
    }

    fn column(&mut self, env: &mut Env<'_>, name: &str, node: &Expr) -> Result<Typed, SqlError> {
        // ClickHouse resolves a select alias before a column of the same name,
        // except inside the alias's own definition.
        if let Some(e) = env.aliases.get(name).copied() {
            if !env.resolving.iter().any(|r| r == name) {
                return self.alias(env, name, e);
            }
        }
        match env.columns.iter().find(|c| c.name == name) {
            Some(c) => {
                let mut t = Typed::new(c.sql.clone(), c.ty.clone());
                t.free = Some(c.name.clone());
                Ok(t)
            }
            None => {
                let known = if env.columns.is_empty() {
                    "this SELECT has no FROM".to_string()
                } else {
                    let mut names: Vec<&str> = env
                        .columns
                        .iter()
                        .take(6)
                        .map(|c| c.name.as_str())
                        .collect();
                    if env.columns.len() > 6 {
                        names.push("…");
                    }
                    format!("columns are {}", names.join(", "))
                };
                err_at(node, format!("unknown column '{name}' ({known})"))
            }
        }
    }

    /// Translate an expression; marks it grouped when it is a GROUP BY key.
    pub fn expr(&mut self, env: &mut Env<'_>, e: &Expr) -> Result<Typed, SqlError> {
        let mut t = self.expr_inner(env, e)?;
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
                let name = match field.to_string().to_ascii_uppercase().as_str() {
                    "YEAR" => "toYear",
                    "MONTH" => "toMonth",
                    "DAY" => "toDayOfMonth",
                    "HOUR" => "toHour",
                    "MINUTE" => "toMinute",
                    "SECOND" => "toSecond",
                    other => {
                        return err_at(e, format!("EXTRACT({other} …) is not supported: use YEAR, MONTH, DAY, HOUR, MINUTE or SECOND"))
                    }
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
        Ok(Typed::from_parts(
            format!("({} {sym} {})", a.sql, b.sql),
            ChType::UInt8,
            &[&a, &b],
        ))
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
        let sql = match op {
            Arith::Plus => format!("({} + {})", a.sql, b.sql),
            Arith::Minus => format!("({} - {})", a.sql, b.sql),
            Arith::Multiply => format!("({} * {})", a.sql, b.sql),
            // `/` is always Float64 division in ClickHouse.
            Arith::Divide => format!("(CAST({} AS REAL) / {})", a.sql, b.sql),
            Arith::Modulo if ty.is_float() => format!("ae_fmod({}, {})", a.sql, b.sql),
            Arith::Modulo => format!("({} % {})", a.sql, b.sql),
            Arith::IntDiv if ty.is_integer() => {
                if matches!(b.lit, Some(Lit::Int(0))) {
                    return err_at(node, "division by zero in intDiv");
                }
                format!("({} / {})", a.sql, b.sql)
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
                        ChType::DateTime
                    };
                    let delta = n.saturating_mul(secs);
                    Ok(Some(Typed::from_parts(
                        format!("({} {sign} {delta})", time.sql),
                        ty,
                        &[time],
                    )))
                } else {
                    let months = unit.months().unwrap_or(1).saturating_mul(*n);
                    let months = if sign == "-" { -months } else { months };
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
            (t, _) if t.is_time() && op == Arith::Minus => Ok(Some(Typed::from_parts(
                format!("({} - {})", time.sql, other.sql),
                ChType::Int32,
                &[time, other],
            ))),
            (t, _) => err_at(
                node,
                format!("cannot apply {} to {} and {}", arith_name(op), time.ty, t),
            ),
        }
    }

    /// A value as a DateTime: DateTime/Date pass, strings are parsed.
    pub fn as_time(&mut self, t: Typed, node: &Expr, what: &str) -> Result<Typed, SqlError> {
        match t.ty.base() {
            ChType::DateTime | ChType::Date => Ok(t),
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
                    let mut out = Typed::new(secs.to_string(), ChType::DateTime);
                    out.lit = Some(Lit::Int(i128::from(secs)));
                    return Ok(out);
                }
                Ok(Typed::from_parts(
                    format!("ae_parse_datetime({})", t.sql),
                    ChType::DateTime,
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
            ChType::DateTime => format!("ae_render_datetime({})", t.sql),
            ChType::Date => format!("ae_render_date({})", t.sql),
            ChType::Float64 => format!("ae_float_str({})", t.sql),
            ChType::Bool => format!("(CASE WHEN {} THEN 'true' ELSE 'false' END)", t.sql),
            ChType::UInt64 => format!("(CASE WHEN {0} < 0 THEN CAST(CAST({0} AS REAL) + 18446744073709551616.0 AS TEXT) ELSE CAST({0} AS TEXT) END)", t.sql),
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

/// The clauses of one translated SELECT, before they become text.
#[derive(Debug, Clone, Default)]
pub struct SelectParts {
    pub distinct: bool,
    /// (expression, output alias)
    pub items: Vec<(String, String)>,
    pub from: String,
    pub conditions: Vec<String>,
    pub group_by: Vec<String>,
    pub having: Option<String>,
    pub order_by: Vec<String>,
}

impl SelectParts {
    pub fn assemble(&self) -> String {
        let mut sql = String::from("SELECT ");
        if self.distinct {
            sql.push_str("DISTINCT ");
        }
        let items: Vec<String> = self
            .items
            .iter()
            .map(|(e, alias)| format!("{e} AS {alias}"))
            .collect();
        sql.push_str(&items.join(", "));
        sql.push_str(&self.from);
        if !self.conditions.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&self.conditions.join(" AND "));
        }
        if !self.group_by.is_empty() {
            sql.push_str(" GROUP BY ");
            sql.push_str(&self.group_by.join(", "));
        }
        if let Some(h) = &self.having {
            sql.push_str(" HAVING ");
            sql.push_str(h);
        }
        if !self.order_by.is_empty() {
            sql.push_str(" ORDER BY ");
            sql.push_str(&self.order_by.join(", "));
        }
        sql
    }
}

/// Whether SQLite may hold NULL for a value of this type: nan and inf from
/// float arithmetic become NULL, and NULL literals are NULL.
fn may_be_null(ty: &ChType) -> bool {
    matches!(ty, ChType::Float64 | ChType::Nothing | ChType::Nullable(_))
}

fn positional(e: &Expr, n: usize) -> Result<Option<usize>, SqlError> {
    if let Expr::Value(v) = e {
        if let AstValue::Number(text, _) = &v.value {
            if let Ok(i) = text.parse::<usize>() {
                if i == 0 || i > n {
                    return err_at(
                        e,
                        format!("position {i} is out of range: the SELECT has {n} columns"),
                    );
                }
                return Ok(Some(i - 1));
            }
        }
    }
    Ok(None)
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
