//! Index suggestions: the advisor's output, as the Indexes pane and the review session read it.

/// A new index the advisor proposes, with the evidence for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub schema: String,
    pub table: String,
    /// Key expressions in order, already quoted and with ASC/DESC when not default.
    pub columns: Vec<String>,
    /// INCLUDE columns, quoted.
    pub include: Vec<String>,
    /// Partial index WHERE.
    pub predicate: Option<String>,
    /// "btree".
    pub method: String,
    /// Generated, unique.
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
    /// Ranking: calls × mean time × cost reduction, write cost weighed.
    pub saving_ms_per_hour: f64,
    /// Why unverified, etc.
    pub note: Option<String>,
}

/// A statement a suggestion helps, with its plans before and after.
#[derive(Debug, Clone, PartialEq)]
pub struct Helped {
    pub queryid: i64,
    pub query: String,
    pub share_of_total_time: f64,
    pub calls: i64,
    pub mean_ms: f64,
    pub cost_before: f64,
    pub cost_after: f64,
    pub plan_before: String,
    pub plan_after: String,
}
