//! Analysis hot paths: rates between two pg_stat_statements samples of 5,000 entries (the
//! extension's default pg_stat_statements.max) and the whole Overview build.

use std::collections::HashMap;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use pgmedic::diagnose::health::Thresholds;
use pgmedic::diagnose::{overview, rates};
use pgmedic::server::ServerInfo;
use pgmedic::snapshot::{
    ActivitySummary, DatabaseCounters, OverviewSnapshot, StatementCounters, StatementKey,
    StatementsSample, Wraparound,
};

fn sample(step: i64) -> StatementsSample {
    let counters = (0..5_000)
        .map(|i| StatementCounters {
            key: StatementKey {
                userid: 10 + i % 7,
                dbid: 5,
                queryid: i * 7_919,
            },
            calls: 1_000 + i * step,
            total_ms: (1_000 + i * step) as f64 * 0.3,
            rows: i,
        })
        .collect();
    StatementsSample {
        counters,
        dealloc: Some(0),
        stats_reset: None,
        texts: HashMap::new(),
    }
}

fn snapshot(t: f64, step: i64) -> OverviewSnapshot {
    OverviewSnapshot {
        taken_at: t,
        own_statements: 0,
        activity: Ok(ActivitySummary {
            connections: 80,
            ..Default::default()
        }),
        databases: Ok((0..20)
            .map(|d| DatabaseCounters {
                datid: d,
                xact_commit: 1_000 * step,
                ..Default::default()
            })
            .collect()),
        wraparound: Ok(Wraparound::default()),
        replication: Ok(Vec::new()),
        statements: Ok(sample(step)),
    }
}

fn benches(c: &mut Criterion) {
    let (prev, next) = (sample(1), sample(2));
    c.bench_function("statement_deltas_5000", |b| {
        b.iter(|| rates::statement_deltas(black_box(&prev), black_box(&next)));
    });
    let deltas = rates::statement_deltas(&prev, &next);
    c.bench_function("top_by_time_5000", |b| {
        b.iter(|| rates::top_by_time(black_box(&deltas), 10));
    });

    let server = ServerInfo::example(150_018);
    let (a, b2) = (snapshot(1.0, 1), snapshot(2.0, 2));
    let limits = Thresholds::default();
    c.bench_function("overview_build_5000_statements", |b| {
        b.iter(|| {
            overview::build(
                Some(black_box(&a)),
                Some(&a),
                black_box(&b2),
                &server,
                &limits,
            )
        });
    });
}

criterion_group!(diagnose, benches);
criterion_main!(diagnose);
