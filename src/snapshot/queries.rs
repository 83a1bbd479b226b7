//! pg_stat_statements as the Queries pane reads it: every column the installed extension
//! version has, per statement, cumulative (rates are computed between two samples).

use std::collections::HashMap;
use std::sync::Arc;

use crate::snapshot::{Part, StatementKey, StatementText};

/// What the Queries collector sends after each refresh of the pane.
#[derive(Debug, Clone, PartialEq)]
pub struct QueriesSnapshot {
    /// The server's clock when the statements were read (epoch seconds).
    pub taken_at: f64,
    pub statements: Part<QueriesSample>,
}

/// pg_stat_statements at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct QueriesSample {
    /// The server's clock_timestamp() in the same query as the counters (epoch seconds).
    pub taken_at: f64,
    pub entries: Vec<StatementStats>,
    /// Evictions so far (pg_stat_statements_info, 1.9+).
    pub dealloc: Option<i64>,
    /// When pg_stat_statements was last reset as a whole (1.9+), epoch seconds.
    pub stats_reset: Option<f64>,
    /// Rows of other roles' statements this role may not see (no pg_read_all_stats).
    pub hidden: i64,
    pub settings: StatementsSettings,
    /// Which optional columns the installed extension version has.
    pub columns: Columns,
    /// Texts (and their parsed shape) of the statements, fetched once per statement.
    pub texts: Arc<HashMap<StatementKey, Arc<QueryText>>>,
}

/// The settings the figures are read against.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StatementsSettings {
    /// I/O time columns are zero unless this is on.
    pub track_io_timing: bool,
    pub work_mem_bytes: Option<i64>,
    /// The server's block size (temp and shared blocks), bytes.
    pub block_size: i64,
    /// pg_stat_statements.max: past it, the least used statements are evicted.
    pub max_entries: Option<i64>,
    /// pg_stat_statements.track: `top`, `all` or `none`.
    pub track: Option<String>,
    /// This role may run pg_stat_statements_reset() (superuser-only unless granted).
    pub can_reset: bool,
}

/// The columns an extension version has beyond the oldest supported one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "each flag is an independent column set of an extension version"
)]
pub struct Columns {
    /// wal_records / wal_fpi / wal_bytes (1.8+).
    pub wal: bool,
    /// toplevel (1.9+): statements run inside functions are kept apart.
    pub toplevel: bool,
    /// pg_stat_statements_info: dealloc and stats_reset (1.9+).
    pub info: bool,
    /// stats_since and minmax_stats_since (1.11+).
    pub stats_since: bool,
}

impl Columns {
    /// The optional columns of an installed extension version (1.10 → 110).
    #[must_use]
    pub fn for_version(version: u32) -> Self {
        Self {
            wal: version >= 108,
            toplevel: version >= 109,
            info: version >= 109,
            stats_since: version >= 111,
        }
    }
}

/// The cumulative figures of one statement (one row of pg_stat_statements).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct StatementStats {
    pub key: StatementKey,
    /// False for a statement run inside a function (1.9+ with track = all).
    pub toplevel: bool,
    pub calls: i64,
    pub total_ms: f64,
    pub min_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
    /// Population standard deviation of the execution time, as pg_stat_statements keeps it.
    pub stddev_ms: f64,
    pub rows: i64,
    pub shared_blks_hit: i64,
    pub shared_blks_read: i64,
    pub temp_blks_written: i64,
    /// Time reading / writing shared blocks (track_io_timing), ms.
    pub blk_read_ms: f64,
    pub blk_write_ms: f64,
    /// WAL generated (1.8+).
    pub wal_bytes: Option<f64>,
    /// When this entry's counters started (1.11+), epoch seconds.
    pub stats_since: Option<f64>,
    /// When min / max started (1.11+; they can be reset on their own).
    pub minmax_stats_since: Option<f64>,
}

/// A statement's text, where it runs, and its shape as the PostgreSQL parser sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryText {
    pub text: StatementText,
    pub shape: StatementShape,
}

/// The kind of statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatementKind {
    Select,
    Insert,
    Update,
    Delete,
    Merge,
    /// BEGIN, SET, CREATE … — anything the planner does not plan.
    Utility,
    /// The text could not be read at all.
    #[default]
    Unknown,
}

/// What a statement looks like, found once from its text (`diagnose::lints::shape`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "each flag is an independent property of the statement"
)]
pub struct StatementShape {
    pub kind: StatementKind,
    /// The outer select list has `*` or `t.*`.
    pub select_star: bool,
    /// The outer query has a LIMIT or FETCH FIRST.
    pub has_limit: bool,
    /// An INSERT of exactly one VALUES row.
    pub single_row_values: bool,
    /// The WHERE clause compares a column to a parameter (`col = $1`): a lookup by key.
    pub key_lookup: bool,
    /// Relations the statement names, sorted.
    pub relations: Vec<String>,
    /// Why the statement did not parse (the shape then comes from the scanner only).
    pub parse_error: Option<String>,
}
