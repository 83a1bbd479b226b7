//! The Activity pane at scale: a refresh of 1,000 sessions folded into the model (analysis,
//! filter, sort), one frame of it at 80x24 and 160x50, and the collector's snapshot query on a
//! real server with every usable connection open (`PGMEDIC_BENCH_CONNECTIONS`, default 200 =
//! max_connections of the bench's own cluster).

#![expect(
    clippy::panic,
    reason = "benchmark setup: a failure must stop it loudly"
)]

#[path = "../tests/ui/fixtures.rs"]
#[allow(dead_code, reason = "the benchmark uses a few of the test fixtures")]
mod fixtures;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use pgmedic::app::model::Model;
use pgmedic::app::msg::Msg;
use pgmedic::app::pane::Pane;
use pgmedic::cluster::{Cluster, ClusterOptions};
use pgmedic::collect::activity::ActivityCollector;
use pgmedic::conn::{ConnParams, ConnRequest};
use pgmedic::snapshot::activity::{ActivitySnapshot, Session, SessionState};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const SESSIONS: i32 = 1_000;

/// 1,000 sessions of ten applications in every state, a lock chain among them.
fn snapshot(at: f64) -> ActivitySnapshot {
    let states = [
        SessionState::Idle,
        SessionState::Idle,
        SessionState::Active,
        SessionState::IdleInTransaction,
        SessionState::Idle,
    ];
    let sessions = (0..SESSIONS)
        .map(|i| {
            let state = states[i as usize % states.len()].clone();
            Session {
                pid: 10_000 + i,
                backend_type: Some("client backend".to_owned()),
                database: Some("shop".to_owned()),
                user: Some(format!("app{}", i % 3)),
                application: format!("service-{}", i % 10),
                client_addr: Some(format!("10.0.{}.{}", i % 4, i % 200)),
                state,
                xact_secs: Some(f64::from(i % 97)),
                query_secs: Some(f64::from(i % 89)),
                state_secs: Some(f64::from(i % 83)),
                backend_secs: Some(3600.0),
                backend_start: Some("2025-11-22T08:00:00.000001Z".to_owned()),
                query: format!("SELECT * FROM orders WHERE account_id = $1 AND id > {i}"),
                query_length: 50,
                blocked_by: if i > 0 && i % 50 == 0 {
                    vec![10_000 + i - 1]
                } else {
                    Vec::new()
                },
                wait_event_type: (i > 0 && i % 50 == 0).then(|| "Lock".to_owned()),
                wait_event: (i > 0 && i % 50 == 0).then(|| "transactionid".to_owned()),
                role_superuser: Some(false),
                role_member: true,
                ..Session::default()
            }
        })
        .collect();
    ActivitySnapshot {
        taken_at: at,
        sessions,
        ..ActivitySnapshot::default()
    }
}

fn model() -> Model {
    let mut model = fixtures::busy();
    model.pane = Pane::Activity;
    for i in 0..60 {
        model.update(Msg::Activity(Box::new(Ok(snapshot(
            1_763_800_000.0 + f64::from(i) * 2.0,
        )))));
    }
    model
}

fn render(c: &mut Criterion) {
    let mut model = model();
    let theme = fixtures::dark();
    let next = snapshot(1_763_800_200.0);
    c.bench_function("activity_refresh_1000_sessions", |b| {
        b.iter(|| model.update(Msg::Activity(Box::new(Ok(black_box(next.clone()))))));
    });
    for (w, h) in [(80, 24), (160, 50)] {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap_or_else(|e| match e {});
        c.bench_function(&format!("render_activity_1000_sessions_{w}x{h}"), |b| {
            b.iter(|| {
                if let Err(never) =
                    terminal.draw(|frame| pgmedic::ui::render(frame, black_box(&model), &theme))
                {
                    match never {}
                }
            });
        });
    }
}

/// The snapshot query with the server full: every usable connection open, some in a
/// transaction, a few waiting on a lock.
fn snapshot_query(c: &mut Criterion) {
    let max: usize = std::env::var("PGMEDIC_BENCH_CONNECTIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let cluster = Cluster::start(ClusterOptions {
        settings: vec![("max_connections".to_owned(), max.to_string())],
        ..ClusterOptions::default()
    })
    .unwrap_or_else(|e| panic!("cannot start a cluster: {e}"));
    let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let conninfo = cluster.conninfo("postgres");
    let (client, info, sessions) = runtime.block_on(async {
        let params = ConnParams::resolve(&ConnRequest {
            conninfo: Some(conninfo.clone()),
            ..Default::default()
        })
        .unwrap_or_else(|e| panic!("{e}"));
        let (client, info) = pgmedic::collect::open_session(&params)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let open = fill(
            &conninfo,
            usize::try_from(info.usable_connections()).unwrap_or(0) - 1,
        )
        .await;
        (client, info, open)
    });
    let mut collector = ActivityCollector::default();
    let first = runtime.block_on(collector.collect(&client, &info));
    let seen = first.map_or_else(|e| panic!("{e}"), |s| s.sessions.len());
    let mut group = c.benchmark_group("activity_snapshot_query");
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(10));
    group.bench_function(format!("{seen}_backends_max_connections_{max}"), |b| {
        b.iter(|| {
            let snapshot = runtime.block_on(collector.collect(&client, &info));
            black_box(snapshot.is_ok())
        });
    });
    group.finish();
    drop(sessions);
}

/// Opens `n` sessions: most idle, every fifth in a transaction, one holding a row and one in
/// a hundred waiting for it (lock waiters make the collector read pg_locks too).
async fn fill(conninfo: &str, n: usize) -> Vec<tokio_postgres::Client> {
    let started = Instant::now();
    let waiters = n / 100;
    let mut clients = Vec::with_capacity(n);
    for i in 0..n {
        let (client, connection) = tokio_postgres::connect(conninfo, tokio_postgres::NoTls)
            .await
            .unwrap_or_else(|e| panic!("session {i}: {e}"));
        tokio::spawn(connection);
        clients.push(client);
    }
    let _ = clients[0]
        .batch_execute(
            "DROP TABLE IF EXISTS bench_rows; CREATE TABLE bench_rows (id int); \
             INSERT INTO bench_rows VALUES (1); BEGIN; UPDATE bench_rows SET id = id",
        )
        .await;
    for client in clients.drain(1..=waiters) {
        tokio::spawn(async move {
            let _ = client.batch_execute("UPDATE bench_rows SET id = id").await;
            client
        });
    }
    for client in clients.iter().skip(1).step_by(5) {
        let _ = client.batch_execute("BEGIN; SELECT 1").await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    eprintln!(
        "opened {n} sessions in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    clients
}

criterion_group!(activity, render, snapshot_query);
criterion_main!(activity);
