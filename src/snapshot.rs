//! Typed snapshots: what the collectors read from the server, as plain data.
//!
//! Produced by `collect`, consumed by `diagnose` and the app model. No I/O here and no
//! formatting: counters stay raw so rates can be computed between two snapshots.

pub mod activity;
pub mod queries;
pub mod settings;

use std::collections::HashMap;

/// One part of a snapshot: its data, or why it could not be read (in words for the pane).
pub type Part<T> = Result<T, String>;

/// Everything the Overview needs from one refresh.
#[derive(Debug, Clone, PartialEq)]
pub struct OverviewSnapshot {
    /// The server's clock_timestamp() when the activity part was read, in epoch seconds.
    pub taken_at: f64,
    /// Statements the monitoring session has run since it connected (its own transactions,
    /// subtracted from the transaction rate).
    pub own_statements: u64,
    pub activity: Part<ActivitySummary>,
    pub databases: Part<Vec<DatabaseCounters>>,
    pub wraparound: Part<Wraparound>,
    pub replication: Part<Vec<ReplicaLag>>,
    pub statements: Part<StatementsSample>,
}

/// pg_stat_activity summarised: connections by state, waits and the oldest ages (seconds).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActivitySummary {
    /// `pg_is_in_recovery()` now: a change since the probe means a promotion (or a demotion).
    pub is_standby: bool,
    pub connections: i64,
    pub active: i64,
    pub idle: i64,
    pub idle_in_transaction: i64,
    pub idle_in_transaction_aborted: i64,
    pub fastpath: i64,
    /// Client backends whose state this role may not see (no pg_read_all_stats).
    pub state_hidden: i64,
    pub waiting_on_locks: i64,
    pub longest_lock_wait: Option<f64>,
    pub oldest_idle_in_transaction: Option<f64>,
    pub oldest_transaction: Option<f64>,
    pub autovacuum_workers: i64,
}

/// Cumulative counters of one database from pg_stat_database.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DatabaseCounters {
    pub datid: i64,
    pub datname: String,
    /// When this database's counters were last reset (epoch seconds).
    pub stats_reset: Option<f64>,
    pub xact_commit: i64,
    pub xact_rollback: i64,
    pub blks_hit: i64,
    pub blks_read: i64,
    pub temp_files: i64,
    pub temp_bytes: i64,
    pub deadlocks: i64,
}

/// Transaction-id and multixact age of the oldest database.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Wraparound {
    pub xid_age: i64,
    pub mxid_age: i64,
    pub oldest_database: String,
    pub freeze_max_age: i64,
}

/// How far one standby (or, on a standby, this server) is behind.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReplicaLag {
    pub name: String,
    pub client: String,
    pub state: String,
    pub lag_seconds: Option<f64>,
    pub lag_bytes: Option<f64>,
}

/// pg_stat_statements identifies a statement by (userid, dbid, queryid).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct StatementKey {
    pub userid: i64,
    pub dbid: i64,
    pub queryid: i64,
}

/// Cumulative counters of one statement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StatementCounters {
    pub key: StatementKey,
    pub calls: i64,
    pub total_ms: f64,
    pub rows: i64,
}

/// The text of a statement and where it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementText {
    pub query: String,
    pub database: String,
    pub role: String,
}

/// pg_stat_statements at one moment, counters for every statement and texts for a few.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatementsSample {
    pub counters: Vec<StatementCounters>,
    /// Evictions so far (pg_stat_statements_info, 1.9+): a change means entries came and went.
    pub dealloc: Option<i64>,
    /// When pg_stat_statements was last reset (1.9+), epoch seconds.
    pub stats_reset: Option<f64>,
    /// Texts of the statements worth showing (the heaviest of the last interval).
    pub texts: HashMap<StatementKey, StatementText>,
}
