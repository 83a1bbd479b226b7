//! The generic plan of a statement with `$n` parameters — what the planner does without
//! knowing the values, which is what a statement from pg_stat_statements can be planned as.
//!
//! PostgreSQL 16 has `EXPLAIN (GENERIC_PLAN)`. Before 16 the same plan comes from a prepared
//! statement under `plan_cache_mode = force_generic_plan`, executed with NULLs for every
//! parameter (EXPLAIN without ANALYZE executes nothing, so the values are never used).
//!
//! Both run through the simple query protocol: the `$n` belong to the explained statement, not
//! to a Bind message. The text is checked by PostgreSQL's own parser to be exactly one
//! statement first, so nothing after a `;` can ever run.

use serde_json::Value;
use tokio_postgres::{Client, SimpleQueryMessage};

/// The name of the prepared statement used before 16 (deallocated after every use).
const PREPARED: &str = "pgmedic_generic_plan";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum GenericPlanError {
    /// The text is not exactly one statement PostgreSQL can parse.
    #[error("{0}")]
    Rejected(String),
    /// The server refused it (syntax, unknown table, untyped parameter…).
    #[error("{0}")]
    Server(String),
    /// The answer was not the JSON plan EXPLAIN prints.
    #[error("unexpected EXPLAIN output: {0}")]
    Output(String),
}

/// EXPLAIN (FORMAT JSON) of `sql`'s generic plan on `client`, as the JSON array EXPLAIN
/// returns. `server_version_num` picks the method (see the module documentation).
pub async fn generic_plan(
    client: &Client,
    sql: &str,
    server_version_num: u32,
) -> Result<Value, GenericPlanError> {
    let statement = single_statement(sql)?;
    if server_version_num >= 160_000 {
        let explain = marked(&format!("EXPLAIN (GENERIC_PLAN, FORMAT JSON) {statement}"));
        return plan_json(client, &explain).await;
    }
    let prepare = marked(&format!(
        "SET plan_cache_mode = force_generic_plan;\nPREPARE {PREPARED} AS {statement}"
    ));
    run(client, &prepare).await?;
    let explained = explain_prepared(client).await;
    let cleanup = marked(&format!("DEALLOCATE {PREPARED};\nRESET plan_cache_mode"));
    let cleaned = run(client, &cleanup).await;
    let plan = explained?;
    cleaned?;
    Ok(plan)
}

/// EXPLAIN EXECUTE of the prepared statement with a NULL for every parameter.
async fn explain_prepared(client: &Client) -> Result<Value, GenericPlanError> {
    let count_sql = marked(&format!(
        "SELECT cardinality(parameter_types) FROM pg_prepared_statements WHERE name = '{PREPARED}'"
    ));
    let count: usize = first_value(client, &count_sql)
        .await?
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| GenericPlanError::Output("the prepared statement vanished".to_owned()))?;
    let execute = if count == 0 {
        format!("EXECUTE {PREPARED}")
    } else {
        format!("EXECUTE {PREPARED}({})", vec!["NULL"; count].join(", "))
    };
    plan_json(client, &marked(&format!("EXPLAIN (FORMAT JSON) {execute}"))).await
}

/// The one statement in `sql`, as the parser delimits it (no trailing semicolon or comment),
/// once PostgreSQL's parser agrees there is exactly one.
pub fn single_statement(sql: &str) -> Result<&str, GenericPlanError> {
    let bounds = crate::sql_tree::with_tree(sql, |parsed| {
        let parsed = parsed.map_err(|e| crate::sql_tree::refusal(&e))?;
        Ok(parsed
            .protobuf
            .stmts
            .iter()
            .map(|s| (s.stmt_location, s.stmt_len))
            .collect::<Vec<_>>())
    })
    .and_then(|bounds| bounds)
    .map_err(GenericPlanError::Rejected)?;
    match bounds.as_slice() {
        [(location, len)] => {
            let start = usize::try_from(*location).unwrap_or(0);
            let end = match usize::try_from(*len) {
                Ok(0) | Err(_) => sql.len(),
                Ok(len) => start.saturating_add(len).min(sql.len()),
            };
            sql.get(start..end)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .ok_or_else(|| GenericPlanError::Rejected("no statement to explain".to_owned()))
        }
        [] => Err(GenericPlanError::Rejected(
            "no statement to explain".to_owned(),
        )),
        many => Err(GenericPlanError::Rejected(format!(
            "{} statements: explain one at a time",
            many.len()
        ))),
    }
}

/// The text with pgmedic's marker lines, so pg_stat_statements shows it as the console's own.
pub(crate) fn marked(sql: &str) -> String {
    format!("-- pgmedic: explain\n{sql}\n-- pgmedic: end")
}

pub(crate) async fn run(client: &Client, sql: &str) -> Result<(), GenericPlanError> {
    client
        .simple_query(sql)
        .await
        .map(drop)
        .map_err(|e| GenericPlanError::Server(crate::conn::describe(&e)))
}

pub(crate) async fn first_value(
    client: &Client,
    sql: &str,
) -> Result<Option<String>, GenericPlanError> {
    let messages = client
        .simple_query(sql)
        .await
        .map_err(|e| GenericPlanError::Server(crate::conn::describe(&e)))?;
    Ok(messages.iter().find_map(|m| match m {
        SimpleQueryMessage::Row(row) => row.get(0).map(str::to_owned),
        _ => None,
    }))
}

async fn plan_json(client: &Client, sql: &str) -> Result<Value, GenericPlanError> {
    let text = first_value(client, sql)
        .await?
        .ok_or_else(|| GenericPlanError::Output("no rows".to_owned()))?;
    serde_json::from_str(&text).map_err(|e| GenericPlanError::Output(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_statement_passes_and_loses_its_semicolon() {
        assert_eq!(
            single_statement("SELECT * FROM t WHERE a = $1;  \n"),
            Ok("SELECT * FROM t WHERE a = $1")
        );
        assert_eq!(
            single_statement("SELECT ';' -- ; \n"),
            Ok("SELECT ';' -- ;"),
            "a semicolon in a string or a comment is not a second statement"
        );
    }

    #[test]
    fn several_statements_or_none_are_rejected() {
        assert!(matches!(
            single_statement("SELECT 1; DROP TABLE t"),
            Err(GenericPlanError::Rejected(m)) if m.contains("2 statements")
        ));
        assert!(single_statement("-- nothing").is_err());
        assert!(single_statement("SELEC 1").is_err());
    }
}
