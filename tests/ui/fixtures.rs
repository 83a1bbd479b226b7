//! Models built by hand, the way the console builds them: `Model::new`, then messages through
//! `update`. Clocks are fixed: one `Instant` base, server time from a fixed epoch.

#![expect(
    clippy::unwrap_used,
    reason = "test fixtures: a broken fixture must stop the test loudly"
)]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use pgmedic::app::model::Model;
use pgmedic::app::msg::{ConnEvent, Msg};
use pgmedic::server::{Extension, Privileges, ServerInfo};
use pgmedic::snapshot::{
    ActivitySummary, DatabaseCounters, OverviewSnapshot, ReplicaLag, StatementCounters,
    StatementKey, StatementText, StatementsSample, Wraparound,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use pgmedic::ui::{self, Theme};

/// Server clock of the first snapshot (epoch seconds).
const EPOCH: f64 = 1_763_800_000.0;
/// The refresh interval of every fixture.
pub const REFRESH: Duration = Duration::from_secs(2);
/// Snapshots fed to the busy fixtures (history for the charts).
const SAMPLES: u32 = 45;

/// Renders `model` at `width`x`height` with `theme`.
pub fn draw(model: &Model, theme: &Theme, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| ui::render(frame, model, theme))
        .unwrap();
    terminal
}

/// The lines of the screen as plain text.
pub fn screen(terminal: &Terminal<TestBackend>) -> Vec<String> {
    let buffer = terminal.backend().buffer();
    (0..buffer.area.height)
        .map(|y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
        })
        .collect()
}

/// The built-in default theme, colours on.
pub fn dark() -> Theme {
    Theme::load_with("dark", false).unwrap()
}

// ─── Servers ────────────────────────────────────────────────────────────────────────────────

pub fn primary() -> ServerInfo {
    ServerInfo {
        version_num: 150_018,
        version: "15.18 (Debian 15.18-0+deb12u1)".to_owned(),
        is_standby: false,
        role: "app".to_owned(),
        database: "shop".to_owned(),
        backend_pid: 4242,
        privileges: Privileges {
            pg_monitor: true,
            ..Privileges::default()
        },
        max_connections: 100,
        superuser_reserved_connections: 3,
        shared_preload_libraries: Some(vec!["pg_stat_statements".to_owned()]),
        read_only_session: true,
        extensions: vec![Extension {
            name: "pg_stat_statements".to_owned(),
            installed: Some("1.10".to_owned()),
            available: "1.10".to_owned(),
        }],
    }
}

/// A standby whose pg_stat_statements is available but not loaded.
pub fn standby() -> ServerInfo {
    ServerInfo {
        is_standby: true,
        database: "shop".to_owned(),
        shared_preload_libraries: Some(Vec::new()),
        read_only_session: true,
        ..primary()
    }
}

// ─── Snapshots ──────────────────────────────────────────────────────────────────────────────

/// A busy primary at sample `i`: connections climbing to 92 of 97 usable (critical), a
/// session idle in transaction for 6 minutes (critical), lock waits and an old transaction
/// (warn), a cache hit ratio of 98.7 % and 3 MiB/s of temp files (warn), xid age 1.2 billion
/// (warn), one standby lagging 45 s (warn).
pub fn busy_snapshot(i: u32) -> OverviewSnapshot {
    let n = i64::from(i);
    let last = i + 1 == SAMPLES;
    let connections = 50 + 42 * n / i64::from(SAMPLES - 1);
    // 18 idle in transaction, 2 of them aborted, 3 hidden: 23 that are neither active nor idle.
    let active = (connections - 54).max(0);
    OverviewSnapshot {
        taken_at: EPOCH + 2.0 * f64::from(i),
        own_statements: 8 * u64::from(i),
        activity: Ok(ActivitySummary {
            is_standby: false,
            connections,
            active,
            idle: connections - 23 - active,
            idle_in_transaction: 18,
            idle_in_transaction_aborted: 2,
            fastpath: 0,
            state_hidden: 3,
            waiting_on_locks: if last { 4 } else { n % 3 },
            longest_lock_wait: (last || n % 3 > 0).then_some(12.4),
            oldest_idle_in_transaction: Some(372.0),
            oldest_transaction: Some(843.0),
            autovacuum_workers: 2,
        }),
        databases: Ok(vec![
            database(16_384, "shop", i),
            DatabaseCounters {
                datid: 5,
                datname: "postgres".to_owned(),
                xact_commit: 9_000 + 4 * n,
                blks_hit: 50_000,
                blks_read: 300,
                ..DatabaseCounters::default()
            },
        ]),
        wraparound: Ok(Wraparound {
            xid_age: 1_203_456_789 + 2_500 * n,
            mxid_age: 12_045_000,
            oldest_database: "shop".to_owned(),
            freeze_max_age: 200_000_000,
        }),
        replication: Ok(vec![
            ReplicaLag {
                name: "replica-b".to_owned(),
                client: "10.0.4.12".to_owned(),
                state: "streaming".to_owned(),
                lag_seconds: Some(45.3),
                lag_bytes: Some(48.0 * 1024.0 * 1024.0),
            },
            ReplicaLag {
                name: "replica-a".to_owned(),
                client: "10.0.4.11".to_owned(),
                state: "streaming".to_owned(),
                lag_seconds: Some(0.4),
                lag_bytes: Some(1.2 * 1024.0 * 1024.0),
            },
        ]),
        statements: Ok(statements(i)),
    }
}

/// pg_stat_database of the shop database: about 1,200 commits/s with a wave, 98.7 % hits.
fn database(datid: i64, name: &str, i: u32) -> DatabaseCounters {
    let n = i64::from(i);
    // A wave so the history is not a flat line: cumulative sum of 2,300 + (i*370 mod 900).
    let commits: i64 = (0..n).map(|k| 2_300 + (k * 370) % 900).sum();
    DatabaseCounters {
        datid,
        datname: name.to_owned(),
        stats_reset: Some(EPOCH - 86_400.0),
        xact_commit: 50_000_000 + commits + 8 * n,
        xact_rollback: 120_000 + 9 * n,
        blks_hit: 9_000_000_000 + 98_700 * n,
        blks_read: 40_000_000 + 1_300 * n,
        temp_files: 300 + n,
        temp_bytes: 90_000_000_000 + 6_442_451 * n,
        deadlocks: 7,
    }
}

/// Statement texts of the workload, keyed by queryid.
const STATEMENTS: &[(i64, &str, &str, i64, f64)] = &[
    // queryid, role, SQL, calls per interval, ms per call
    (
        101,
        "app",
        "SELECT o.id, o.status, o.total FROM orders o WHERE o.customer_id = $1 ORDER BY o.created_at DESC LIMIT $2",
        1_840,
        0.82,
    ),
    (
        102,
        "app",
        "UPDATE stock SET quantity = quantity - $1 WHERE product_id = $2 AND warehouse_id = $3",
        960,
        1.35,
    ),
    (
        103,
        "reporting",
        "SELECT date_trunc($1, created_at) AS day, sum(total) FROM orders WHERE created_at >= now() - interval $2 GROUP BY 1",
        2,
        412.0,
    ),
    (
        104,
        "app",
        "INSERT INTO order_lines (order_id, product_id, quantity, price) VALUES ($1, $2, $3, $4)",
        1_210,
        0.21,
    ),
    (
        105,
        "app",
        "SELECT * FROM customers WHERE lower(email) = lower($1)",
        310,
        0.65,
    ),
    (106, "app", "SELECT 1", 4_000, 0.01),
];

/// pg_stat_statements at sample `i`; statement 105 first appears in the last interval.
fn statements(i: u32) -> StatementsSample {
    let n = i64::from(i);
    let key = |queryid| StatementKey {
        userid: 10,
        dbid: 16_384,
        queryid,
    };
    let counters = STATEMENTS
        .iter()
        .filter(|(id, ..)| *id != 105 || i + 1 == SAMPLES)
        .map(|(id, _, _, calls, ms)| {
            let times = if *id == 105 { 1 } else { n };
            StatementCounters {
                key: key(*id),
                calls: calls * times,
                total_ms: (calls * times) as f64 * ms,
                rows: calls * times,
            }
        })
        .collect();
    let texts: HashMap<StatementKey, StatementText> = STATEMENTS
        .iter()
        .map(|(id, role, sql, ..)| {
            (
                key(*id),
                StatementText {
                    query: (*sql).to_owned(),
                    database: "shop".to_owned(),
                    role: (*role).to_owned(),
                },
            )
        })
        .collect();
    StatementsSample {
        counters,
        dealloc: Some(0),
        stats_reset: Some(EPOCH - 86_400.0),
        texts,
    }
}

/// A standby: its own replay lag, and no pg_stat_statements.
pub fn standby_snapshot(i: u32) -> OverviewSnapshot {
    let busy = busy_snapshot(i);
    OverviewSnapshot {
        activity: Ok(ActivitySummary {
            is_standby: true,
            connections: 14,
            active: 3,
            idle: 11,
            oldest_transaction: Some(2.1),
            ..ActivitySummary::default()
        }),
        replication: Ok(vec![ReplicaLag {
            name: "this standby".to_owned(),
            client: String::new(),
            state: "streaming".to_owned(),
            lag_seconds: Some(3.2),
            lag_bytes: Some(16.0 * 1024.0 * 1024.0),
        }]),
        statements: Err(standby().pg_stat_statements_problem().unwrap()),
        ..busy
    }
}

// ─── Models ─────────────────────────────────────────────────────────────────────────────────

/// A model after `snapshots` refreshes from `server`, 2 s apart, looked at 2 s after the last.
pub fn model_with(
    server: ServerInfo,
    snapshots: impl IntoIterator<Item = OverviewSnapshot>,
) -> (Model, Instant) {
    let base = Instant::now();
    let mut model = Model::new(
        "app@db1.prod.example:5432/shop".to_owned(),
        REFRESH,
        false,
        base,
    );
    model.update(Msg::Conn(ConnEvent::Up(Box::new(server))));
    let mut at = base;
    for snapshot in snapshots {
        at += REFRESH;
        model.update(Msg::Tick(at));
        model.update(Msg::Snapshot(Box::new(snapshot)));
    }
    model.update(Msg::Tick(at + REFRESH));
    (model, at + REFRESH)
}

/// The busy primary after a full history of refreshes.
pub fn busy() -> Model {
    model_with(primary(), (0..SAMPLES).map(busy_snapshot)).0
}

/// The standby after two refreshes.
pub fn standby_model() -> Model {
    model_with(standby(), (0..2).map(standby_snapshot)).0
}
