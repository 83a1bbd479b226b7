//! Exact bloat on request (`x` in the Bloat & vacuum pane): pgstattuple for a table
//! (pgstattuple_approx past [`APPROX_FROM_BYTES`]), pgstatindex for a btree index, on a
//! read-only session of its own bounded by a statement_timeout — they read the whole
//! relation, which the monitoring session must never do.

use std::time::Duration;

use tokio_postgres::Row;

use crate::conn::{self, ConnParams};
use crate::diagnose::bloat::{IndexExact, TableExact};

const TABLE: &str = include_str!("bloat_exact_table.sql");
const TABLE_APPROX: &str = include_str!("bloat_exact_table_approx.sql");
const INDEX: &str = include_str!("bloat_exact_index.sql");
/// Tables from this size are measured with pgstattuple_approx (pgstattuple would read
/// every page of them).
pub const APPROX_FROM_BYTES: i64 = 1 << 30;
/// A measurement that takes longer is cancelled by the server.
pub const STATEMENT_TIMEOUT: Duration = Duration::from_secs(120);

/// What to measure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExactRequest {
    /// The relation's oid.
    pub oid: u32,
    /// `schema.name`, for messages.
    pub name: String,
    pub what: Measured,
}

/// The kind of relation and the function that measures it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measured {
    Table { approximate: bool },
    BtreeIndex,
}

/// The answer, for the relation asked about.
#[derive(Debug, Clone, PartialEq)]
pub struct ExactReply {
    pub oid: u32,
    pub name: String,
    pub result: Result<Figures, String>,
}

/// What pgstattuple / pgstatindex said.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Figures {
    Table(TableExact),
    Index(IndexExact),
}

/// Measures on a session of its own and says what came back.
pub async fn measure(params: &ConnParams, request: ExactRequest) -> ExactReply {
    let timeout = format!("{}s", STATEMENT_TIMEOUT.as_secs());
    let settings = [
        ("statement_timeout", timeout.as_str()),
        ("lock_timeout", "2s"),
        ("default_transaction_read_only", "on"),
    ];
    let result = match crate::work::connect(params, &settings).await {
        Ok(client) => read(&client, &request).await,
        Err(err) => Err(err.to_string()),
    };
    ExactReply {
        oid: request.oid,
        name: request.name,
        result,
    }
}

async fn read(client: &tokio_postgres::Client, request: &ExactRequest) -> Result<Figures, String> {
    let sql = match request.what {
        Measured::Table { approximate: false } => TABLE,
        Measured::Table { approximate: true } => TABLE_APPROX,
        Measured::BtreeIndex => INDEX,
    };
    let row = client
        .query_one(sql, &[&request.oid])
        .await
        .map_err(|e| conn::describe(&e))?;
    let decoded = match request.what {
        Measured::Table { .. } => decode_table(&row).map(Figures::Table),
        Measured::BtreeIndex => decode_index(&row).map(Figures::Index),
    };
    decoded.map_err(|e| format!("unexpected result: {e}"))
}

fn decode_table(row: &Row) -> Result<TableExact, tokio_postgres::Error> {
    Ok(TableExact {
        approximate: row.try_get("approximate")?,
        table_len: row.try_get("table_len")?,
        tuple_count: row.try_get("tuple_count")?,
        tuple_len: row.try_get("tuple_len")?,
        dead_tuple_count: row.try_get("dead_tuple_count")?,
        dead_tuple_len: row.try_get("dead_tuple_len")?,
        free_space: row.try_get("free_space")?,
    })
}

fn decode_index(row: &Row) -> Result<IndexExact, tokio_postgres::Error> {
    let finite = |v: f64| if v.is_finite() { v } else { 0.0 };
    Ok(IndexExact {
        index_size: row.try_get("index_size")?,
        internal_pages: row.try_get("internal_pages")?,
        leaf_pages: row.try_get("leaf_pages")?,
        empty_pages: row.try_get("empty_pages")?,
        deleted_pages: row.try_get("deleted_pages")?,
        // An index without leaf entries reports NaN.
        avg_leaf_density: finite(row.try_get("avg_leaf_density")?),
        leaf_fragmentation: finite(row.try_get("leaf_fragmentation")?),
    })
}
