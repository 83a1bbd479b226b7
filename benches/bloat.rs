//! The Bloat & vacuum pane on a database of 10,000 tables (each with a primary key and a
//! second index, five columns, analyzed) on a throwaway cluster: the catalog read (every
//! query of the estimate, decoded), the estimate's arithmetic over every table and index,
//! the two together, and one frame of the pane at 160x50. Goal: under a second.

#![expect(
    clippy::unwrap_used,
    reason = "benchmark setup: a failure must stop it loudly"
)]

#[path = "../tests/ui/fixtures.rs"]
#[allow(dead_code, reason = "the benchmark uses a few of the test fixtures")]
mod fixtures;

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use pgmedic::app::msg::Msg;
use pgmedic::cluster::{Cluster, ClusterOptions};
use pgmedic::collect::{self, bloat::BloatCollector};
use pgmedic::conn::{ConnParams, ConnRequest};
use pgmedic::diagnose::maintenance;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// How many tables the database holds.
const TABLES: u32 = 10_000;

/// Creates the tables in batches (one DO block per thousand) and analyzes them.
async fn populate(conninfo: &str) {
    let (client, conn) = tokio_postgres::connect(conninfo, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    for batch in 0..TABLES / 1000 {
        let first = batch * 1000 + 1;
        let last = first + 999;
        let sql = format!(
            "DO $$ BEGIN FOR i IN {first}..{last} LOOP
               EXECUTE format('CREATE TABLE t%s (id int PRIMARY KEY, name text, amount numeric,
                                                 created timestamptz, flag bool)', i);
               EXECUTE format('CREATE INDEX ON t%s (created)', i);
               EXECUTE format('INSERT INTO t%s SELECT g, md5(g::text), g, now(), g %% 2 = 0
                                 FROM generate_series(1, 20) g', i);
             END LOOP; END $$"
        );
        client.batch_execute(&sql).await.unwrap();
    }
    client.batch_execute("ANALYZE").await.unwrap();
}

fn benches(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let cluster = Cluster::start(ClusterOptions::default()).unwrap();
    let conninfo = cluster.conninfo("postgres");
    runtime.block_on(populate(&conninfo));
    let params = ConnParams::resolve(&ConnRequest {
        conninfo: Some(conninfo.clone()),
        ..Default::default()
    })
    .unwrap();
    let (client, info) = runtime.block_on(collect::open_session(&params)).unwrap();
    let mut collector = BloatCollector::default();
    let mut read = || {
        collector.invalidate();
        runtime.block_on(collector.collect(&client, &info))
    };
    let snapshot = read();
    let catalog = snapshot.catalog.clone().unwrap();
    assert!(
        catalog.tables.len() >= TABLES as usize,
        "{}",
        catalog.tables.len()
    );

    let mut group = c.benchmark_group("bloat_10000_tables");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("catalog_read", |b| b.iter(|| black_box(read())));
    group.bench_function("estimate_math", |b| {
        b.iter(|| {
            black_box(maintenance::tables(&catalog));
            black_box(maintenance::indexes(&catalog));
        });
    });
    group.bench_function("estimate_read_and_math", |b| {
        b.iter(|| {
            let snapshot = read();
            let catalog = snapshot.catalog.unwrap();
            black_box(maintenance::tables(&catalog));
            black_box(maintenance::indexes(&catalog));
        });
    });
    let mut model = fixtures::busy();
    model.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('5'),
        KeyModifiers::NONE,
    )));
    model.update(Msg::Bloat(Box::new(snapshot)));
    let theme = fixtures::dark();
    let mut terminal = Terminal::new(TestBackend::new(160, 50)).unwrap_or_else(|e| match e {});
    group.bench_function("render_160x50", |b| {
        b.iter(|| {
            if let Err(never) =
                terminal.draw(|frame| pgmedic::ui::render(frame, black_box(&model), &theme))
            {
                match never {}
            }
        });
    });
    group.bench_function("snapshot_into_model", |b| {
        b.iter(|| {
            let mut fresh = model.clone();
            fresh.bloat.catalog = None;
            fresh.update(Msg::Bloat(Box::new(read_cached(&catalog))));
            black_box(fresh);
        });
    });
    group.finish();
}

/// A snapshot carrying an already-read catalog (a new `Arc`, so the model judges it again).
fn read_cached(catalog: &maintenance::Catalog) -> maintenance::BloatSnapshot {
    maintenance::BloatSnapshot {
        taken_at: 0.0,
        catalog: Ok(std::sync::Arc::new(catalog.clone())),
        progress: Ok(Vec::new()),
        horizon: Ok(Vec::new()),
    }
}

criterion_group!(bloat, benches);
criterion_main!(bloat);
