//! The verified index advisor: from the heaviest statements of pg_stat_statements to indexes
//! that HypoPG shows to cut their plan cost, ready as CREATE INDEX CONCURRENTLY statements.
//!
//! ```text
//!  catalog (pg_stat_statements, pg_class, pg_stats, pg_index, pg_qualstats)
//!     │ statements, tables
//!     ▼
//!  parse (pg_query) ─► candidates (pure) ─► verify (HypoPG + generic plans, own session)
//!                                                │ evaluations
//!                                                ▼
//!                         rank (best per statement, merge, time saved) ─► suggest (names, SQL)
//! ```
//!
//! Everything runs on one dedicated read-only session (never the monitoring one, never a
//! pooled one: hypothetical indexes live in one backend). Without HypoPG the candidates come
//! back marked `verified: false`, with the reason and, when HypoPG can be created here, the
//! statement that does it.

mod analyse;
pub mod candidates;
pub mod catalog;
pub mod command;
pub mod output;
pub mod parse;
pub mod plan;
pub mod rank;
mod suggest;
pub mod verify;

use std::collections::HashMap;
use std::time::Duration;

use crate::conn::{ConnError, ConnParams};
use crate::jobs::{JobKind, JobSpec};
use crate::server::ServerInfo;

pub use rank::MIN_COST_REDUCTION;

/// The advisor session's settings: read-only, and bounded in time and lock waits (planning a
/// statement takes an ACCESS SHARE lock on its tables).
pub const SESSION_SETTINGS: &[(&str, &str)] = &[
    ("statement_timeout", "10s"),
    ("lock_timeout", "1s"),
    ("idle_in_transaction_session_timeout", "30s"),
    ("default_transaction_read_only", "on"),
];

/// How many of the heaviest statements are analysed by default.
pub const DEFAULT_MAX_STATEMENTS: usize = 50;
/// Statements taking less than this share of all statement time are not worth an index.
pub const MIN_STATEMENT_SHARE: f64 = 0.001;

/// The statement that makes verification possible where HypoPG is available but not created.
pub const CREATE_HYPOPG: &str = "CREATE EXTENSION IF NOT EXISTS hypopg";

/// A suggested index with its evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub schema: String,
    pub table: String,
    /// Key expressions in order, already quoted and with ASC/DESC when not default.
    pub columns: Vec<String>,
    /// INCLUDE columns, quoted.
    pub include: Vec<String>,
    /// Partial index WHERE clause.
    pub predicate: Option<String>,
    /// "btree".
    pub method: String,
    /// Generated, unique in its schema.
    pub name: String,
    /// CREATE INDEX CONCURRENTLY … (identifiers quoted).
    pub create_sql: String,
    /// DROP INDEX CONCURRENTLY IF EXISTS …
    pub rollback_sql: String,
    pub helps: Vec<Helped>,
    pub estimated_size_bytes: Option<i64>,
    /// True only when HypoPG checked it.
    pub verified: bool,
    pub table_writes_per_sec: Option<f64>,
    /// Ranking: calls × mean time × cost reduction, write cost weighed (an upper bound, the
    /// statements' whole time, when unverified).
    pub saving_ms_per_hour: f64,
    /// Why unverified, what a partial index assumes, etc.
    pub note: Option<String>,
}

/// A statement a suggestion helps, with the plans before and after.
#[derive(Debug, Clone, PartialEq)]
pub struct Helped {
    pub queryid: i64,
    pub query: String,
    /// Share (0–1) of the database's total statement time.
    pub share_of_total_time: f64,
    pub calls: i64,
    pub mean_ms: f64,
    pub cost_before: f64,
    /// NaN when unverified.
    pub cost_after: f64,
    pub plan_before: String,
    /// Empty when unverified.
    pub plan_after: String,
}

/// What the advisor found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Advice {
    /// Best first.
    pub suggestions: Vec<Suggestion>,
    /// Why the suggestions could not be verified (HypoPG missing), with what to do.
    pub unverified_reason: Option<String>,
    /// Statements not analysed: (queryid, why).
    pub skipped: Vec<(i64, String)>,
    /// `CREATE EXTENSION hypopg` when HypoPG is available on the server but not created in
    /// this database (see [`create_hypopg_job`]).
    pub create_extension: Option<String>,
}

/// What to analyse.
#[derive(Debug, Clone, PartialEq)]
pub struct AdviseOptions {
    /// The heaviest statements by total time, at most this many.
    pub max_statements: usize,
    /// The share of plan cost a candidate must cut to be suggested.
    pub min_reduction: f64,
    /// Statements below this share of all statement time are left alone.
    pub min_share: f64,
    /// Rows written per second per table oid over a recent interval (the Indexes pane's
    /// last minute, or `advise`'s two samples): what keeping an index up to date costs.
    /// `None`: not measured, and no write cost is weighed. Never the average since the
    /// statistics began, which a bulk load long ago inflates.
    pub table_writes: Option<HashMap<i64, f64>>,
}

impl Default for AdviseOptions {
    fn default() -> Self {
        Self {
            max_statements: DEFAULT_MAX_STATEMENTS,
            min_reduction: MIN_COST_REDUCTION,
            min_share: MIN_STATEMENT_SHARE,
            table_writes: None,
        }
    }
}

/// Why the advisor could not run at all (a single statement it cannot use is `skipped`).
#[derive(Debug, thiserror::Error)]
pub enum AdviseError {
    /// pg_stat_statements is not usable; the text says what to do.
    #[error("{0}")]
    Statements(String),
    #[error(transparent)]
    Conn(#[from] ConnError),
    #[error("index advisor: {0}")]
    Query(String),
}

/// Analyses the heaviest statements on a session of its own and returns the suggestions,
/// verified with HypoPG where it is installed.
pub async fn advise(
    params: &ConnParams,
    server: &ServerInfo,
    options: &AdviseOptions,
) -> Result<Advice, AdviseError> {
    if let Some(problem) = server.pg_stat_statements_problem() {
        return Err(AdviseError::Statements(problem));
    }
    let client = crate::work::connect(params, SESSION_SETTINGS).await?;
    // HypoPG (or pg_qualstats) may have been created or dropped since the console probed the
    // server: the advisor goes by what the database has now.
    let mut now = server.clone();
    now.extensions = ServerInfo::read_extensions(&client)
        .await
        .map_err(|e| AdviseError::Query(e.to_string()))?;
    analyse::run(&client, &now, options).await
}

/// Why suggestions cannot be verified on this server, and whether creating HypoPG would fix
/// it: `(None, None)` when HypoPG is installed.
#[must_use]
pub fn hypopg_status(server: &ServerInfo) -> (Option<String>, Option<String>) {
    match server.extension("hypopg") {
        Some(ext) if ext.installed.is_some() => (None, None),
        Some(ext) => (
            Some(format!(
                "HypoPG {} is available but not created in database {}: create it \
                 ({CREATE_HYPOPG}) to verify suggestions with hypothetical indexes",
                ext.available, server.database
            )),
            Some(CREATE_HYPOPG.to_owned()),
        ),
        None => (
            Some(
                "HypoPG is not installed on the server (Debian: apt-get install \
                 postgresql-<version>-hypopg), so suggestions cannot be verified"
                    .to_owned(),
            ),
            None,
        ),
    }
}

/// The job that creates HypoPG in the monitored database.
#[must_use]
pub fn create_hypopg_job() -> JobSpec {
    let mut spec = JobSpec::new(
        JobKind::CreateExtension,
        "hypopg",
        vec![CREATE_HYPOPG.to_owned()],
    );
    spec.statement_timeout = Some(Duration::from_secs(30));
    spec.warning = Some(
        "adds HypoPG's functions to this database; hypothetical indexes exist only in the \
         session that creates them"
            .to_owned(),
    );
    spec
}
