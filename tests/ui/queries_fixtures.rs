//! Queries-pane models built by hand the way the console builds them: snapshots of
//! pg_stat_statements through `Model::update`, 2 s apart on the server's clock.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use pgmedic::app::action::Action;
use pgmedic::app::model::Model;
use pgmedic::app::msg::{ConnEvent, Msg};
use pgmedic::app::pane::Pane;
use pgmedic::diagnose::statement::shape;
use pgmedic::server::ServerInfo;
use pgmedic::snapshot::queries::{
    Columns, QueriesSample, QueriesSnapshot, QueryText, StatementStats, StatementsSettings,
};
use pgmedic::snapshot::{StatementKey, StatementText};

/// Server clock of the first snapshot (epoch seconds).
const EPOCH: f64 = 1_763_800_000.0;
const REFRESH: Duration = Duration::from_secs(2);

/// One statement of the workload: what it is and what it does per refresh.
#[derive(Debug, Clone, Copy)]
pub struct Planted {
    pub queryid: i64,
    pub database: &'static str,
    pub role: &'static str,
    pub sql: &'static str,
    pub calls: i64,
    pub ms: f64,
    pub rows_per_call: i64,
    /// Shared blocks read per call (outside shared buffers).
    pub reads: i64,
    /// Temp blocks written per call.
    pub temp: i64,
}

const fn planted(
    queryid: i64,
    sql: &'static str,
    calls: i64,
    ms: f64,
    rows_per_call: i64,
) -> Planted {
    Planted {
        queryid,
        database: "shop",
        role: "app",
        sql,
        calls,
        ms,
        rows_per_call,
        reads: 0,
        temp: 0,
    }
}

/// A shop's statements: an N+1 lookup, a report without LIMIT that spills to disk, a single-row
/// INSERT in a loop, a SELECT *, and clean ones.
pub const WORKLOAD: &[Planted] = &[
    planted(
        201,
        "SELECT name, tier FROM customers WHERE id = $1",
        2_400,
        0.04,
        1,
    ),
    Planted {
        reads: 900,
        temp: 2_560,
        ..planted(
            202,
            "SELECT o.customer_id, sum(l.quantity * l.price) AS revenue FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.created_at >= $1 GROUP BY o.customer_id ORDER BY revenue DESC",
            2,
            840.0,
            4_800,
        )
    },
    planted(
        203,
        "INSERT INTO order_lines (order_id, product_id, quantity, price) VALUES ($1, $2, $3, $4)",
        1_210,
        0.21,
        1,
    ),
    planted(
        204,
        "SELECT * FROM products WHERE category_id = $1 ORDER BY name LIMIT $2",
        40,
        1.6,
        20,
    ),
    planted(
        205,
        "UPDATE stock SET quantity = quantity - $1 WHERE product_id = $2 AND quantity >= $1",
        60,
        0.9,
        1,
    ),
    Planted {
        database: "crm",
        role: "sales",
        ..planted(
            206,
            "SELECT c.id, c.email FROM contacts c WHERE c.owner_id = $1 ORDER BY c.updated_at DESC LIMIT 50",
            30,
            2.2,
            50,
        )
    },
    planted(207, "BEGIN", 80, 0.001, 0),
    planted(
        208,
        "SELECT count(*) FROM carts WHERE updated_at < now() - $1::interval",
        1,
        35.0,
        1,
    ),
    planted(
        209,
        "SELECT id, name FROM categories ORDER BY name",
        0,
        0.3,
        12,
    ),
];

fn key(p: &Planted) -> StatementKey {
    StatementKey {
        userid: if p.role == "app" { 16_390 } else { 16_391 },
        dbid: if p.database == "shop" { 16_384 } else { 16_385 },
        queryid: p.queryid,
    }
}

/// The cumulative figures of `p` after `n` refreshes (plus a history since the reset).
fn stats(p: &Planted, n: i64) -> StatementStats {
    let calls = p.calls * (n + 500);
    StatementStats {
        key: key(p),
        toplevel: true,
        calls: calls + 3,
        total_ms: (calls + 3) as f64 * p.ms,
        min_ms: p.ms * 0.2,
        max_ms: p.ms * 14.0,
        mean_ms: p.ms,
        stddev_ms: p.ms * 0.6,
        rows: (calls + 3) * p.rows_per_call,
        shared_blks_hit: (calls + 3) * (40 + p.rows_per_call.min(200)),
        shared_blks_read: (calls + 3) * p.reads,
        temp_blks_written: (calls + 3) * p.temp,
        blk_read_ms: (calls + 3) as f64 * p.reads as f64 * 0.05,
        blk_write_ms: 0.0,
        wal_bytes: Some(if p.sql.starts_with("SELECT") {
            0.0
        } else {
            (calls + 3) as f64 * 420.0
        }),
        stats_since: Some(EPOCH - 86_400.0),
        minmax_stats_since: Some(EPOCH - 3_600.0),
    }
}

/// The texts of `workload`, parsed as the collector parses them.
pub fn texts(workload: &[Planted]) -> Arc<HashMap<StatementKey, Arc<QueryText>>> {
    Arc::new(
        workload
            .iter()
            .map(|p| {
                let text = StatementText {
                    query: p.sql.to_owned(),
                    database: p.database.to_owned(),
                    role: p.role.to_owned(),
                };
                (
                    key(p),
                    Arc::new(QueryText {
                        shape: shape(p.sql),
                        text,
                    }),
                )
            })
            .collect(),
    )
}

/// pg_stat_statements at refresh `n` of `workload` (texts shared between refreshes).
pub fn snapshot(
    n: u32,
    workload: &[Planted],
    texts: &Arc<HashMap<StatementKey, Arc<QueryText>>>,
) -> QueriesSnapshot {
    let taken_at = EPOCH + 2.0 * f64::from(n);
    QueriesSnapshot {
        taken_at,
        statements: Ok(QueriesSample {
            taken_at,
            entries: workload.iter().map(|p| stats(p, i64::from(n))).collect(),
            dealloc: Some(12),
            stats_reset: Some(EPOCH - 86_400.0),
            hidden: 0,
            settings: StatementsSettings {
                track_io_timing: true,
                work_mem_bytes: Some(4 * 1024 * 1024),
                block_size: 8192,
                max_entries: Some(5000),
                track: Some("top".to_owned()),
                can_reset: true,
            },
            columns: Columns::for_version(110),
            texts: Arc::clone(texts),
        }),
    }
}

/// The Overview's primary, seen by a monitoring role.
pub fn server() -> ServerInfo {
    ServerInfo {
        role: "dba".to_owned(),
        ..crate::fixtures::primary()
    }
}

/// The Queries pane after `refreshes` snapshots of `workload`.
pub fn model(workload: &[Planted], refreshes: u32) -> Model {
    let base = Instant::now();
    let mut model = Model::new(
        "dba@db1.prod.example:5432/shop".to_owned(),
        REFRESH,
        false,
        base,
    );
    model.update(Msg::Conn(ConnEvent::Up(Box::new(server()))));
    model.apply(Action::GoTo(Pane::Queries));
    let texts = texts(workload);
    let mut at = base;
    for n in 0..refreshes {
        at += REFRESH;
        model.update(Msg::Tick(at));
        model.update(Msg::Queries(Box::new(snapshot(n, workload, &texts))));
    }
    model.update(Msg::Tick(at + Duration::from_millis(500)));
    model
}

/// The shop after a few refreshes.
pub fn shop() -> Model {
    model(WORKLOAD, 4)
}

#[allow(
    dead_code,
    reason = "the benchmark uses it; the UI tests include this file too"
)]
/// `count` statements made from the workload's shapes (for the benchmark: a server whose
/// pg_stat_statements is full).
pub fn many(count: usize) -> Vec<Planted> {
    (0..count)
        .map(|i| {
            let p = &WORKLOAD[i % WORKLOAD.len()];
            Planted {
                queryid: 10_000 + i as i64,
                calls: p.calls + (i as i64 % 97),
                ms: p.ms * (1.0 + (i % 13) as f64 / 10.0),
                ..*p
            }
        })
        .collect()
}

/// The rows the pane lists, by queryid, in order.
pub fn listed(model: &Model) -> Vec<i64> {
    model.queries.rows().map(|r| r.key().queryid).collect()
}
