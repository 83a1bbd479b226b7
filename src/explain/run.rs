//! EXPLAIN on a session of its own: the estimate (the generic plan when the statement has
//! `$n` parameters), or EXPLAIN (ANALYZE, BUFFERS, VERBOSE …, FORMAT JSON), which runs the
//! statement.
//!
//! Under ANALYZE the statement always runs inside a transaction that is rolled back whatever
//! happens: `BEGIN READ ONLY` for a statement that changes nothing (so a function that writes
//! fails instead of writing), `BEGIN READ WRITE` for INSERT / UPDATE / DELETE / MERGE (their
//! changes are undone; sequences still advance and row locks are held until the rollback). The
//! session's statement_timeout is the one the DBA chose, its lock_timeout a short one. Everything is checked by PostgreSQL's parser
//! first (`statement::check`): exactly one statement, so nothing after a `;` can run.

use std::time::Duration;

use tokio_postgres::Client;

use crate::app::msg::Msg;
use crate::explain::generic::{self, GenericPlanError};
use crate::explain::statement::{self, Statement};
use crate::plan::Plan;
use crate::work::{self, WorkContext};

/// An EXPLAIN the DBA asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplainRequest {
    /// Numbers the requests, so a late answer to an older one is dropped.
    pub id: u64,
    pub sql: String,
    pub analyze: bool,
    /// statement_timeout of the session that runs it.
    pub timeout: Duration,
    pub server_version_num: u32,
}

/// How a plan was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// EXPLAIN without ANALYZE: the planner's estimates.
    Estimate,
    /// The generic plan of a statement with `$n` parameters.
    Generic,
    /// EXPLAIN ANALYZE inside a rolled-back transaction; `modifies` when it changed data
    /// (undone).
    Analyze { modifies: bool },
}

/// A plan that came back.
#[derive(Debug, Clone)]
pub struct Explained {
    /// The statement as explained (no EXPLAIN, no semicolon).
    pub sql: String,
    pub how: How,
    pub plan: Plan,
}

/// The answer to request `id`.
#[derive(Debug, Clone)]
pub struct ExplainOutcome {
    pub id: u64,
    pub result: Result<Explained, String>,
}

/// The EXPLAIN options for a server version: BUFFERS (the default from 18, asked for anyway),
/// VERBOSE for per-worker figures, SETTINGS (12+) and WAL (13+).
#[must_use]
pub fn analyze_options(server_version_num: u32) -> String {
    let mut options = vec!["ANALYZE", "BUFFERS", "VERBOSE"];
    if server_version_num >= 120_000 {
        options.push("SETTINGS");
    }
    if server_version_num >= 130_000 {
        options.push("WAL");
    }
    options.push("FORMAT JSON");
    options.join(", ")
}

/// Checks the statement as the UI does before proposing a run: the error says why not.
pub fn prepare(sql: &str, analyze: bool) -> Result<Statement, String> {
    let statement = statement::check(sql)?;
    if analyze && statement.params > 0 {
        return Err(format!(
            "fill in ${} first: EXPLAIN ANALYZE runs the statement, with real values",
            if statement.params == 1 {
                "1".to_owned()
            } else {
                format!("1…${}", statement.params)
            }
        ));
    }
    Ok(statement)
}

/// The session's own timeouts. Set here, not taken from the connection parameters: those may
/// carry the monitoring session's (a 3 s statement_timeout, read-only transactions).
pub async fn set_up(client: &Client, timeout: Duration) -> Result<(), String> {
    let sql = generic::marked(&format!(
        "SET statement_timeout = {};\nSET lock_timeout = '{LOCK_TIMEOUT}'",
        timeout.as_millis()
    ));
    generic::run(client, &sql).await.map_err(|e| e.to_string())
}

/// Runs `request` on `client` (a session of its own, `set_up` for the request's timeout).
pub async fn explain(client: &Client, request: &ExplainRequest) -> Result<Explained, String> {
    let statement = prepare(&request.sql, request.analyze)?;
    let (text, how) = if request.analyze {
        let text = analyze(client, &statement, request.server_version_num).await?;
        let how = How::Analyze {
            modifies: statement.modifies,
        };
        (text, how)
    } else if statement.params > 0 {
        let plan = generic::generic_plan(client, &statement.text, request.server_version_num)
            .await
            .map_err(|e| e.to_string())?;
        (plan.to_string(), How::Generic)
    } else {
        let options = if request.server_version_num >= 120_000 {
            "SETTINGS, FORMAT JSON"
        } else {
            "FORMAT JSON"
        };
        let sql = generic::marked(&format!("EXPLAIN ({options}) {}", statement.text));
        (first_value(client, &sql).await?, How::Estimate)
    };
    let plan = Plan::parse(&text).map_err(|e| format!("unexpected EXPLAIN output: {e}"))?;
    Ok(Explained {
        sql: statement.text,
        how,
        plan,
    })
}

/// EXPLAIN ANALYZE inside a transaction that is always rolled back.
async fn analyze(client: &Client, statement: &Statement, version: u32) -> Result<String, String> {
    // Explicit either way: the session's default may be read-only. Marked as pgmedic's own,
    // and with an isolation level applications rarely spell out, so pg_stat_statements keeps
    // it apart from the workload's BEGINs (from 16 it files utility statements by their
    // tree, not their text).
    let begin = if statement.modifies {
        "BEGIN ISOLATION LEVEL READ COMMITTED, READ WRITE"
    } else {
        "BEGIN ISOLATION LEVEL READ COMMITTED, READ ONLY"
    };
    generic::run(client, &generic::marked(begin))
        .await
        .map_err(|e| e.to_string())?;
    let sql = generic::marked(&format!(
        "EXPLAIN ({}) {}",
        analyze_options(version),
        statement.text
    ));
    let result = first_value(client, &sql).await;
    // Before 16 a marked ROLLBACK is an entry of its own; from 16 it would share (and, seen
    // first, hide) the workload's ROLLBACK entry, so it stays plain there.
    let rollback = if version < 160_000 {
        generic::marked("ROLLBACK")
    } else {
        "ROLLBACK".to_owned()
    };
    let rolled_back = generic::run(client, &rollback).await;
    let text = result?;
    rolled_back.map_err(|e| format!("the ROLLBACK failed: {e}"))?;
    Ok(text)
}

async fn first_value(client: &Client, sql: &str) -> Result<String, String> {
    match generic::first_value(client, sql).await {
        Ok(Some(text)) => Ok(text),
        Ok(None) => Err("EXPLAIN returned no rows".to_owned()),
        Err(GenericPlanError::Server(message)) => Err(message),
        Err(other) => Err(other.to_string()),
    }
}

/// A statement under ANALYZE waiting longer than this for a lock gives up rather than queue
/// (holding the row locks it has taken so far) behind someone else's transaction.
pub const LOCK_TIMEOUT: &str = "2s";

/// The work task: a session of its own with the DBA's statement_timeout, the EXPLAIN, the
/// answer sent back as `Msg::Explain`.
pub async fn task(request: ExplainRequest, context: WorkContext) {
    let result = match work::connect(&context.params, &[]).await {
        Ok(client) => {
            let result = if context.explains.register(request.id, client.cancel_token()) {
                match set_up(&client, request.timeout).await {
                    Ok(()) => explain(&client, &request).await,
                    Err(err) => Err(err),
                }
            } else {
                Err(CANCELLED.to_owned())
            };
            // A cancel that came while the statement ran is why it failed.
            match result {
                Err(_) if context.explains.asked(request.id) => Err(CANCELLED.to_owned()),
                other => other,
            }
        }
        Err(err) => Err(format!("cannot connect for EXPLAIN: {err}")),
    };
    context.explains.forget(request.id);
    let outcome = ExplainOutcome {
        id: request.id,
        result,
    };
    let _ = context.tx.send(Msg::Explain(Box::new(outcome)));
}

/// The error of an EXPLAIN the DBA cancelled (under ANALYZE, its transaction is rolled back
/// all the same).
pub const CANCELLED: &str = "cancelled";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_follow_the_version() {
        assert_eq!(
            analyze_options(110_000),
            "ANALYZE, BUFFERS, VERBOSE, FORMAT JSON"
        );
        assert_eq!(
            analyze_options(180_000),
            "ANALYZE, BUFFERS, VERBOSE, SETTINGS, WAL, FORMAT JSON"
        );
    }

    #[test]
    fn analyze_needs_values_for_its_parameters() {
        let err = prepare("SELECT * FROM t WHERE a = $1 AND b = $2", true).unwrap_err();
        assert!(err.contains("$1…$2"), "{err}");
        assert!(prepare("SELECT * FROM t WHERE a = $1", false).is_ok());
        assert!(prepare("SELECT * FROM t WHERE a = 1", true).is_ok());
    }
}
