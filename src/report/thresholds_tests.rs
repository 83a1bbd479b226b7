//! Every threshold `check --threshold` and the config file accept changes what the report
//! finds: fixture snapshots of every kind, judged by the defaults, then with one threshold
//! moved so that what sits below the default is past it.

use std::collections::HashMap;
use std::sync::Arc;

use crate::config::{Bounds, THRESHOLDS, set_threshold};
use crate::diagnose::activity::fixture::{client, idle_in_transaction, waiting};
use crate::diagnose::health::Thresholds;
use crate::diagnose::queries::{Scope, build};
use crate::diagnose::statement::shape;
use crate::report::activity::Activity;
use crate::report::areas::{Analyses, Filter, run};
use crate::report::{Kind, Severity};
use crate::server::ServerInfo;
use crate::snapshot::activity::{ActivitySnapshot, SessionState};
use crate::snapshot::queries::{QueriesSample, QueryText, StatementStats, StatementsSettings};
use crate::snapshot::{
    ActivitySummary, DatabaseCounters, OverviewSnapshot, ReplicaLag, StatementKey, StatementText,
    Wraparound,
};

fn overview(taken_at: f64, n: i64) -> OverviewSnapshot {
    OverviewSnapshot {
        taken_at,
        own_statements: 0,
        activity: Ok(ActivitySummary {
            connections: 5,
            ..ActivitySummary::default()
        }),
        // Over the interval: 9,950 hits of 10,000 blocks (99.5 %), 1 KiB of temp files, no
        // deadlock.
        databases: Ok(vec![DatabaseCounters {
            datid: 5,
            datname: "shop".to_owned(),
            xact_commit: 100 * n,
            blks_hit: 9_950 * n,
            blks_read: 50 * n,
            temp_files: n,
            temp_bytes: 5 * 1024 * n,
            ..DatabaseCounters::default()
        }]),
        wraparound: Ok(Wraparound {
            xid_age: 10_000,
            mxid_age: 10,
            oldest_database: "shop".to_owned(),
            freeze_max_age: 200_000_000,
        }),
        replication: Ok(vec![ReplicaLag {
            name: "standby1".to_owned(),
            client: "10.0.0.9".to_owned(),
            state: "streaming".to_owned(),
            lag_seconds: Some(1.0),
            lag_bytes: Some(8192.0),
        }]),
        statements: Err("not read".to_owned()),
    }
}

fn activity(server: &ServerInfo, limits: &Thresholds) -> Activity {
    let mut long = client(11, "reporting", SessionState::Active);
    long.xact_secs = Some(100.0);
    long.query_secs = Some(100.0);
    let snapshot = ActivitySnapshot {
        sessions: vec![
            idle_in_transaction(10, "risk", 30.0),
            long,
            waiting(12, "api", &[11], 2.0),
        ],
        ..ActivitySnapshot::default()
    };
    Activity {
        view: crate::diagnose::activity::build(&snapshot, server, limits),
        snapshot,
    }
}

fn statements() -> crate::diagnose::queries::QueriesFigures {
    let key = StatementKey {
        userid: 10,
        dbid: 5,
        queryid: 1,
    };
    let sql = "SELECT * FROM orders WHERE id = $1";
    let text = QueryText {
        text: StatementText {
            query: sql.to_owned(),
            database: "shop".to_owned(),
            role: "app".to_owned(),
        },
        shape: shape(sql),
    };
    let sample = QueriesSample {
        taken_at: 100.0,
        entries: vec![StatementStats {
            key,
            toplevel: true,
            calls: 10,
            total_ms: 50.0,
            rows: 10,
            ..StatementStats::default()
        }],
        dealloc: None,
        stats_reset: None,
        hidden: 0,
        settings: StatementsSettings {
            block_size: 8192,
            ..StatementsSettings::default()
        },
        columns: crate::snapshot::queries::Columns::default(),
        texts: Arc::new(HashMap::from([(key, Arc::new(text))])),
    };
    build(None, &Arc::new(sample), Scope::Cumulative)
}

/// The warning and critical findings of the fixtures, judged by `limits` as `gather` does.
fn judged(limits: &Thresholds) -> Vec<(Kind, Severity)> {
    let mut server = ServerInfo::example(150_018);
    server.max_connections = 100;
    server.superuser_reserved_connections = 3;
    let (first, second) = (overview(100.0, 0), overview(105.0, 1));
    let analyses = Analyses {
        overview: Ok(crate::diagnose::overview::build(
            Some(&first),
            Some(&first),
            &second,
            &server,
            limits,
        )),
        activity: Ok(activity(&server, limits)),
        queries: Ok(statements()),
        indexes: Err("not read".to_owned()),
        bloat: Err("not read".to_owned()),
        settings: Err("not read".to_owned()),
    };
    let filter = Filter {
        only: Vec::new(),
        min_severity: Severity::Warning,
    };
    let (sections, _) = run(&analyses, limits, &filter, "shop");
    let mut found: Vec<(Kind, Severity)> = sections
        .iter()
        .flat_map(|s| &s.findings)
        .map(|f| (f.kind, f.severity))
        .collect();
    found.sort();
    found
}

#[test]
fn every_threshold_name_changes_what_it_judges() {
    let calm = judged(&Thresholds::default());
    assert_eq!(calm, [], "the fixtures sit below every default threshold");
    let expected = [
        ("connections_pct", Kind::ConnectionSaturation),
        ("idle_in_transaction_secs", Kind::IdleInTransaction),
        ("lock_wait_secs", Kind::BlockingChain),
        ("transaction_age_secs", Kind::LongTransaction),
        ("cache_hit_pct", Kind::CacheHitRatio),
        ("temp_bytes_per_sec", Kind::TempFiles),
        ("deadlocks", Kind::Deadlocks),
        ("xid_age", Kind::WraparoundRisk),
        ("mxid_age", Kind::WraparoundRisk),
        ("replication_lag_secs", Kind::ReplicationLag),
        ("replication_lag_bytes", Kind::ReplicationLag),
        ("statement_mean_ms", Kind::SlowQuery),
    ];
    let names: Vec<&str> = THRESHOLDS.iter().map(|t| t.name).collect();
    let tested: Vec<&str> = expected.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, tested, "a new threshold needs its line here");
    for (name, kind) in expected {
        let mut limits = Thresholds::default();
        // Lower is worse only for the cache hit ratio: there, everything is past 100 %.
        let bounds = if name == "cache_hit_pct" {
            Bounds {
                warn: Some(100.0),
                critical: Some(0.0),
            }
        } else {
            Bounds {
                warn: Some(0.0),
                critical: Some(1e12),
            }
        };
        set_threshold(&mut limits, name, bounds).unwrap();
        assert_eq!(
            judged(&limits),
            [(kind, Severity::Warning)],
            "{name}=0 makes exactly its own finding a warning"
        );
    }
}
