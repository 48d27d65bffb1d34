//! AST → SQLite SQL. Everything emitted comes from the AST: columns map to
//! known names, output columns get generated names (`c0`, `c1`, …), string and
//! float literals are bound parameters, integers are printed by us, and every
//! `aepipe` becomes the tenant's rows (see scope.rs). Nothing the user typed
//! reaches SQLite as text.

use std::collections::HashMap;

use rusqlite::types::Value;
use sqlparser::ast::{
    Expr, GroupByExpr, LimitClause, OrderByKind, Query, Select, SelectItem, SetExpr,
    Value as AstValue,
};

use super::error::{at, err_at, SqlError};
pub use super::expr::{Lit, Typed};
use super::index_hint;
use super::names::column_name;
use super::parse::check_query;
use super::pre_aggregate::{self, Partial};
use super::rollup_plan::{self, Conjunct};
use super::scope::{self, Source};
use super::types::ChType;

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

/// A column a SELECT can name.
#[derive(Debug, Clone)]
pub(super) struct SourceColumn {
    name: String,
    sql: String,
    pub(super) ty: ChType,
}

/// Names visible inside one SELECT.
pub struct Env<'q> {
    columns: Vec<SourceColumn>,
    pub(super) qualifiers: Vec<String>,
    aliases: HashMap<String, &'q Expr>,
    alias_cache: HashMap<String, Typed>,
    resolving: Vec<String>,
    pub(super) group_keys: Vec<String>,
    /// Inside an aggregate's arguments (aggregates cannot nest).
    pub in_aggregate: bool,
}

pub struct Translator {
    params: Vec<Value>,
    interned: HashMap<ParamKey, usize>,
    next_column: usize,
    /// Current expression nesting, aliases included.
    pub(super) depth: usize,
    /// The aggregates of the SELECT being translated that can be computed
    /// in two steps (pre_aggregate.rs): (SQL fragment, how to combine).
    partials: Vec<(String, Partial)>,
    pub now: i64,
    /// Realistic mode: only rows visible by this Unix ms are read.
    visible_by_ms: Option<i64>,
}

/// Expressions nested deeper than this (through aliases too) are refused: the
/// parser bounds nesting in the text, but a chain of aliases could otherwise
/// recurse until the stack runs out.
pub(super) const MAX_DEPTH: usize = 256;

/// Generated SQL longer than this is refused: aliases used twice in the
/// next alias double the text each time.
pub(super) const MAX_SQL_BYTES: usize = 1 << 20;

#[derive(Hash, PartialEq, Eq)]
enum ParamKey {
    Text(String),
    Real(u64),
}

/// Translate the outermost query for `tenant` (`project/logstore`).
#[cfg(test)]
pub fn compile(query: &Query, tenant: &str, now: i64) -> Result<Compiled, SqlError> {
    compile_visible(query, tenant, now, None)
}

/// [`compile`], reading only rows visible by `visible_by_ms` when given (the
/// server's realistic mode, where events show up in queries late).
pub fn compile_visible(
    query: &Query,
    tenant: &str,
    now: i64,
    visible_by_ms: Option<i64>,
) -> Result<Compiled, SqlError> {
    let mut t = Translator {
        params: Vec::new(),
        interned: HashMap::new(),
        next_column: 0,
        depth: 0,
        partials: Vec::new(),
        now,
        visible_by_ms,
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

pub(super) struct Block {
    pub(super) sql: String,
    pub(super) columns: Vec<SourceColumn>,
    window: Option<Window>,
}

fn aepipe_columns() -> Vec<SourceColumn> {
    let mut cols = vec![
        SourceColumn {
            name: "timestamp".into(),
            sql: "events.timestamp".into(),
            ty: ChType::DateTime(None),
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

    /// Note an aggregate of the current SELECT that pre-aggregation may split.
    pub(super) fn partial(&mut self, fragment: &str, how: Partial) {
        if !self.partials.iter().any(|(f, _)| f == fragment) {
            self.partials.push((fragment.to_string(), how));
        }
    }

    fn column_alias(&mut self) -> String {
        let name = format!("c{}", self.next_column);
        self.next_column += 1;
        name
    }

    pub(super) fn query(&mut self, q: &Query, top: bool) -> Result<Block, SqlError> {
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
        // Subqueries translate their own SELECTs: keep each one's partials apart.
        let outer_partials = std::mem::take(&mut self.partials);
        let block = self.select_inner(q, s, top);
        self.partials = outer_partials;
        block
    }

    fn select_inner(&mut self, q: &Query, s: &Select, top: bool) -> Result<Block, SqlError> {
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
        let index_choice =
            index_hint::preferred_index(s.selection.as_ref(), &env.aliases).filter(|_| scoped);
        let from_sql = match index_choice {
            Some(choice) => format!("{from_sql} INDEXED BY {}", choice.index),
            None => from_sql,
        };

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
                    // ClickHouse names `t.x` of a source `t` just `x`.
                    let name = match e {
                        Expr::CompoundIdentifier(parts) => match parts.as_slice() {
                            [q, c] if env.qualifiers.contains(&q.value) => c.value.clone(),
                            _ => column_name(e),
                        },
                        _ => column_name(e),
                    };
                    items.push((name, t, Some(e)));
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
            if let Some(ms) = self.visible_by_ms {
                // An integer literal: nothing from the request reaches it.
                conditions.push(format!("events.visible_at <= {ms}"));
            }
            // A constant of the schema, implied by the user's condition.
            if let Some(implied) = index_choice.and_then(|c| c.implied_condition) {
                conditions.push(implied.to_string());
            }
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
        // The rollup reads every row, so not in the realistic mode, where
        // queries see only the rows visible by then.
        let conjuncts = if scoped && grouped && self.visible_by_ms.is_none() {
            self.conjuncts(&mut env, s.selection.as_ref())
        } else {
            None
        };
        parts.partials = std::mem::take(&mut self.partials);
        let rewritten = conjuncts
            .and_then(|c| rollup_plan::by_minute(&parts, &c))
            .or_else(|| pre_aggregate::by_timestamp(&parts, scoped));
        let mut select_sql = match rewritten {
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

    /// The terms of the WHERE's top-level AND chain, each translated on its
    /// own for the rollup planner; None if one fails (the whole did not).
    fn conjuncts(&mut self, env: &mut Env<'_>, selection: Option<&Expr>) -> Option<Vec<Conjunct>> {
        let Some(w) = selection else {
            return Some(Vec::new());
        };
        let mut terms = Vec::new();
        index_hint::conjuncts(w, &mut terms);
        let mut out = Vec::with_capacity(terms.len());
        for term in terms {
            let t = self.expr(env, term).ok()?;
            out.push(rollup_plan::classify(&t.sql));
        }
        Some(out)
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

    pub(super) fn column(
        &mut self,
        env: &mut Env<'_>,
        name: &str,
        node: &Expr,
    ) -> Result<Typed, SqlError> {
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
    /// Aggregates that can be computed in two steps (see pre_aggregate.rs).
    pub partials: Vec<(String, Partial)>,
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
