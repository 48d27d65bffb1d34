//! Tenant scoping: every table a query reads must be `aepipe` (or a
//! subquery), and each `aepipe` becomes the tenant's rows of `events`. This is
//! decided on the parsed AST; the translator asks here what a FROM clause
//! reads and emits the filter below for every `aepipe` it meets.

use sqlparser::ast::{Query, Select, TableFactor};

use super::error::{err_at, SqlError};
use super::Scope;

/// The one table AE exposes to aepipe.
pub const TABLE_NAME: &str = crate::limits::AE_TABLE;

/// Number of the bound parameter that holds the tenant key; the translator
/// binds it first so it is always `?1`.
pub const TENANT_PARAM: usize = 1;

/// The FROM clause and filter that stand for `aepipe`: the tenant's rows only.
/// `index1 = ?1` first so SQLite uses the (index1, …) indexes.
pub const SCOPED_FROM: &str = "events";
pub const SCOPED_FILTER: &str = "events.index1 = ?1";

/// The value of `index1` for a tenant. Names with a `/` would make two
/// tenants share a key (`a/b` + `c` and `a` + `b/c`), so only valid names
/// get one, whatever the caller checked.
pub fn tenant_key(scope: Scope<'_>) -> Result<String, SqlError> {
    if !crate::limits::is_valid_name(scope.project) || !crate::limits::is_valid_name(scope.logstore)
    {
        return Err(SqlError::new("invalid project or logstore name"));
    }
    Ok(crate::limits::index_of(scope.project, scope.logstore))
}

/// What a SELECT reads.
#[derive(Debug)]
pub enum Source<'q> {
    /// No FROM: one row, like ClickHouse's `system.one`.
    Nothing,
    /// `FROM aepipe [AS alias]`: the tenant's events.
    Aepipe { alias: Option<String> },
    /// `FROM (subquery) [AS alias]`.
    Subquery {
        query: &'q Query,
        alias: Option<String>,
    },
}

/// Decide what `select` reads, refusing every other kind of table reference.
pub fn source_of(select: &Select) -> Result<Source<'_>, SqlError> {
    let table = match select.from.as_slice() {
        [] => return Ok(Source::Nothing),
        [one] => one,
        [_, second, ..] => {
            return err_at(
                &second.relation,
                "more than one table in FROM is not supported by Analytics Engine",
            )
        }
    };
    if let Some(join) = table.joins.first() {
        return err_at(&join.relation, "JOIN is not supported by Analytics Engine");
    }
    match &table.relation {
        TableFactor::Table {
            name,
            alias,
            args,
            with_hints,
            version,
            partitions,
            json_path,
            sample,
            index_hints,
            with_ordinality,
        } => {
            let parts: Vec<String> = name
                .0
                .iter()
                .map(|p| {
                    p.as_ident()
                        .map_or_else(|| p.to_string(), |i| i.value.clone())
                })
                .collect();
            let full = parts.join(".");
            if args.is_some() {
                return err_at(
                    name,
                    format!("table function {full}(…) is not supported: read from {TABLE_NAME}"),
                );
            }
            if parts.len() > 1 {
                let what = if parts[0].eq_ignore_ascii_case("system") {
                    "system tables are not available"
                } else {
                    "databases are not available"
                };
                return err_at(
                    name,
                    format!("unknown table '{full}': {what}; the only table is {TABLE_NAME}"),
                );
            }
            // ClickHouse table names are case-sensitive: `AePiPe` is not `aepipe`.
            if full != TABLE_NAME {
                return err_at(
                    name,
                    format!("unknown table '{full}': the only table is {TABLE_NAME}"),
                );
            }
            if !with_hints.is_empty()
                || version.is_some()
                || !partitions.is_empty()
                || json_path.is_some()
                || sample.is_some()
                || !index_hints.is_empty()
                || *with_ordinality
            {
                return err_at(name, "table modifiers (SAMPLE, hints, …) are not supported");
            }
            if alias.as_ref().is_some_and(|a| !a.columns.is_empty()) {
                return err_at(name, "column aliases on a table are not supported");
            }
            Ok(Source::Aepipe {
                alias: alias.as_ref().map(|a| a.name.value.clone()),
            })
        }
        TableFactor::Derived {
            lateral,
            subquery,
            alias,
        } => {
            if *lateral {
                return err_at(subquery.as_ref(), "LATERAL subqueries are not supported");
            }
            if alias.as_ref().is_some_and(|a| !a.columns.is_empty()) {
                return err_at(
                    subquery.as_ref(),
                    "column aliases on a subquery are not supported",
                );
            }
            Ok(Source::Subquery {
                query: subquery,
                alias: alias.as_ref().map(|a| a.name.value.clone()),
            })
        }
        other => err_at(
            other,
            format!("this FROM clause is not supported: read from {TABLE_NAME} or a subquery"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::ast::{SetExpr, Statement};
    use sqlparser::dialect::ClickHouseDialect;
    use sqlparser::parser::Parser;

    fn source(sql: &str) -> Result<String, String> {
        let mut st = Parser::parse_sql(&ClickHouseDialect {}, sql).map_err(|e| e.to_string())?;
        let Some(Statement::Query(q)) = st.pop() else {
            return Err("not a query".into());
        };
        let SetExpr::Select(s) = q.body.as_ref() else {
            return Err("not a select".into());
        };
        source_of(s)
            .map(|s| format!("{s:?}"))
            .map_err(|e| e.message)
    }

    #[test]
    fn tenant_keys_are_unambiguous() {
        let key = |project, logstore| tenant_key(Scope { project, logstore });
        assert_eq!(key("shop", "web").ok().as_deref(), Some("shop/web"));
        assert!(key("a/b", "c").is_err());
        assert!(key("a", "b/c").is_err());
        assert!(key("", "x").is_err());
    }

    #[test]
    fn only_aepipe_and_subqueries() {
        assert!(source("SELECT 1").is_ok_and(|s| s == "Nothing"));
        assert!(source("SELECT 1 FROM aepipe").is_ok_and(|s| s.starts_with("Aepipe")));
        assert!(source("SELECT 1 FROM `aepipe` AS a").is_ok_and(|s| s.contains("Some(\"a\")")));
        assert!(
            source("SELECT 1 FROM (SELECT 1 FROM aepipe)").is_ok_and(|s| s.starts_with("Subquery"))
        );
        for bad in [
            "SELECT 1 FROM events",
            "SELECT 1 FROM AePiPe",
            "SELECT 1 FROM sqlite_master",
            "SELECT 1 FROM system.tables",
            "SELECT 1 FROM main.events",
            "SELECT 1 FROM pragma_table_info('events')",
            "SELECT 1 FROM aepipe, aepipe",
            "SELECT 1 FROM aepipe a JOIN aepipe b ON 1",
        ] {
            let e = source(bad).err().unwrap_or_default();
            assert!(!e.is_empty(), "{bad} must be refused");
        }
        assert!(
            source("SELECT 1 FROM aepipe a JOIN aepipe b ON 1").is_err_and(|e| e.contains("JOIN"))
        );
        assert!(source("SELECT 1 FROM system.one").is_err_and(|e| e.contains("system tables")));
    }
}
