//! The report's pure paths: the Settings pane's judgement of every setting it shows, and a
//! report of 2,000 findings (a large server's indexes and statements) filtered, written as
//! markdown and as JSON, and turned into `check` lines.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use pgmedic::diagnose::health::Thresholds;
use pgmedic::diagnose::settings::{self, Context, SPECS};
use pgmedic::report::areas::{Filter, Section};
use pgmedic::report::{Finding, Kind, Report, Severity, check, markdown};
use pgmedic::server::ServerInfo;
use pgmedic::snapshot::settings::{CheckpointCounters, FileSetting, SettingRow, SettingsSnapshot};

fn settings_snapshot(t: f64) -> SettingsSnapshot {
    let settings = SPECS
        .iter()
        .map(|spec| SettingRow {
            name: spec.name.to_owned(),
            setting: "4096".to_owned(),
            unit: Some("kB".to_owned()),
            vartype: "integer".to_owned(),
            context: "user".to_owned(),
            source: "configuration file".to_owned(),
            sourcefile: Some("/etc/postgresql/postgresql.conf".to_owned()),
            sourceline: Some(12),
            boot_val: Some("4096".to_owned()),
            pending_restart: false,
            short_desc: String::new(),
        })
        .collect();
    let files = SPECS
        .iter()
        .map(|spec| FileSetting {
            name: spec.name.to_owned(),
            setting: "4MB".to_owned(),
            sourcefile: "/etc/postgresql/postgresql.conf".to_owned(),
            sourceline: 12,
            applied: true,
            error: None,
        })
        .collect();
    SettingsSnapshot {
        taken_at: t,
        settings: Ok(settings),
        database: Ok(Vec::new()),
        files: Ok(files),
        checkpoints: Ok(CheckpointCounters {
            timed: 900,
            requested: 400,
            stats_reset: Some(0.0),
            wal_bytes: Some(1e12),
            wal_stats_reset: Some(0.0),
            ..CheckpointCounters::default()
        }),
    }
}

fn findings(n: usize) -> Vec<Finding> {
    (0..n)
        .map(|i| {
            let severity = [Severity::Info, Severity::Warning, Severity::Critical][i % 3];
            let mut f = Finding::new(
                Kind::ALL[i % Kind::ALL.len()],
                severity,
                format!("finding {i}: an index or a statement with a sentence about it"),
            )
            .with("size_bytes", i * 8192)
            .with(
                "query",
                "SELECT * FROM orders WHERE user_id = $1 AND status = $2",
            )
            .with(
                "details",
                vec!["CREATE INDEX orders_user_id_idx ON public.orders (user_id)"],
            );
            f.schema = Some("public".to_owned());
            f.table = Some(format!("table_{}", i % 200));
            f.sql = Some(format!("DROP INDEX CONCURRENTLY \"public\".\"idx_{i}\";"));
            f
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let server = ServerInfo::example(150_018);
    let limits = Thresholds::default();
    let (before, after) = (settings_snapshot(0.0), settings_snapshot(10.0));
    c.bench_function("settings build (26 settings, checkpoints)", |b| {
        let context = Context {
            server: &server,
            connections: None,
            throughput: None,
            limits: &limits,
        };
        b.iter(|| settings::build(Some(black_box(&before)), black_box(&after), &context));
    });

    let all = findings(2_000);
    let filter = Filter {
        only: vec![Kind::UnusedIndex, Kind::SlowQuery, Kind::Setting],
        min_severity: Severity::Warning,
    };
    c.bench_function("filter 2,000 findings", |b| {
        b.iter(|| black_box(&all).iter().filter(|f| filter.keeps(f)).count());
    });
    let report = Report::new(&server, all.clone(), vec!["nothing".to_owned()]);
    let sections = vec![Section {
        title: "Indexes",
        findings: all.clone(),
    }];
    c.bench_function("markdown of 2,000 findings", |b| {
        b.iter(|| markdown::render(black_box(&report), &sections, "app@db1:5432/shop", "5s"));
    });
    c.bench_function("json of 2,000 findings", |b| {
        b.iter(|| serde_json::to_string(black_box(&report)));
    });
    c.bench_function("check lines of 2,000 findings", |b| {
        b.iter(|| check::lines(black_box(&all), 0));
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
