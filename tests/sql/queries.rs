//! The Queries pane's collector against the real cluster: its figures against a direct query
//! of pg_stat_statements, interval figures against what ran between two snapshots, lints on
//! planted statements, every SQL variant on every extension version this server can install.

use std::time::Duration;

use pgmedic::app::queries::QueriesState;
use pgmedic::collect::{self, queries};
use pgmedic::diagnose::lints::Lint;
use pgmedic::diagnose::queries::QueryRow;
use pgmedic::diagnose::rates::DeltaOrigin;
use pgmedic::server::{ServerInfo, versioned};
use pgmedic::snapshot::queries::{QueriesSample, QueriesSnapshot};

use crate::common::{cluster, connect, fresh_db, params};

/// The Queries collector on a monitoring session of `conninfo`, and the pane's state it feeds.
struct Watch {
    client: tokio_postgres::Client,
    info: ServerInfo,
    collector: queries::QueriesCollector,
    pane: QueriesState,
}

impl Watch {
    async fn on(conninfo: &str) -> Self {
        let (client, info) = collect::open_session(&params(conninfo)).await.unwrap();
        Self {
            client,
            info,
            collector: queries::QueriesCollector::default(),
            pane: QueriesState::default(),
        }
    }

    /// One snapshot, also folded into the pane's state.
    async fn collect(&mut self) -> QueriesSnapshot {
        let snapshot = self.collector.collect(&self.client, &self.info).await;
        self.pane.on_snapshot(snapshot.clone(), true);
        snapshot
    }

    async fn sample(&mut self) -> QueriesSample {
        let snapshot = self.collect().await;
        snapshot
            .statements
            .unwrap_or_else(|e| panic!("pg_stat_statements: {e}"))
    }

    /// The pane's row of the statement whose text contains `marker` (all rows, idle ones too).
    fn row(&self, marker: &str) -> QueryRow {
        let figures = self.pane.figures.as_ref().unwrap();
        let rows: Vec<&QueryRow> = figures
            .rows
            .iter()
            .filter(|r| r.query().contains(marker))
            .collect();
        assert_eq!(rows.len(), 1, "one statement with {marker:?}");
        rows[0].clone()
    }
}

fn tags(row: &QueryRow) -> Vec<&'static str> {
    row.lints.iter().map(Lint::tag).collect()
}

#[tokio::test]
async fn figures_match_a_direct_query_of_pg_stat_statements() {
    let conninfo = fresh_db("q_direct").await;
    let app = connect(&conninfo).await;
    app.batch_execute(
        "CREATE TABLE accounts (id int PRIMARY KEY, owner text, balance numeric);
         INSERT INTO accounts SELECT g, 'owner ' || g, g * 10 FROM generate_series(1, 2000) g;",
    )
    .await
    .unwrap();
    for id in 1..=40 {
        app.query(
            "SELECT owner, balance FROM accounts WHERE id = $1 /* q_direct lookup */",
            &[&id],
        )
        .await
        .unwrap();
    }
    app.execute(
        "UPDATE accounts SET balance = balance + 1 WHERE id <= $1 /* q_direct credit */",
        &[&150],
    )
    .await
    .unwrap();
    let mut watch = Watch::on(&conninfo).await;
    let sample = watch.sample().await;
    let direct = connect(&conninfo).await;
    for marker in ["q_direct lookup", "q_direct credit"] {
        let row = direct
            .query_one(
                "SELECT userid::int8, dbid::int8, queryid, calls, total_exec_time, min_exec_time,
                        max_exec_time, stddev_exec_time, rows, shared_blks_hit, shared_blks_read,
                        temp_blks_written, wal_bytes::float8
                   FROM pg_stat_statements
                  WHERE query LIKE '%' || $1 || '%' AND toplevel",
                &[&marker],
            )
            .await
            .unwrap();
        let queryid: i64 = row.get("queryid");
        let mine = sample
            .entries
            .iter()
            .find(|e| e.key.queryid == queryid && e.toplevel)
            .unwrap_or_else(|| panic!("{marker} is in the sample"));
        assert_eq!(mine.key.userid, row.get::<_, i64>("userid"));
        assert_eq!(mine.key.dbid, row.get::<_, i64>("dbid"));
        assert_eq!(mine.calls, row.get::<_, i64>("calls"), "{marker}");
        assert_eq!(mine.rows, row.get::<_, i64>("rows"), "{marker}");
        for (mine, column) in [
            (mine.total_ms, "total_exec_time"),
            (mine.min_ms, "min_exec_time"),
            (mine.max_ms, "max_exec_time"),
            (mine.stddev_ms, "stddev_exec_time"),
        ] {
            let theirs: f64 = row.get(column);
            assert!(
                (mine - theirs).abs() < 1e-9,
                "{marker} {column}: {mine} vs {theirs}"
            );
        }
        assert_eq!(mine.shared_blks_hit, row.get::<_, i64>("shared_blks_hit"));
        assert_eq!(mine.shared_blks_read, row.get::<_, i64>("shared_blks_read"));
        assert_eq!(
            mine.temp_blks_written,
            row.get::<_, i64>("temp_blks_written")
        );
        assert_eq!(mine.wal_bytes, row.get::<_, Option<f64>>("wal_bytes"));
        let text = &sample.texts[&mine.key];
        assert!(text.text.query.contains(marker));
        assert!(text.text.database.starts_with("t_q_direct"));
        assert_eq!(text.text.role, "postgres");
    }
    let credit = sample
        .entries
        .iter()
        .find(|e| sample.texts[&e.key].text.query.contains("q_direct credit"))
        .unwrap();
    assert_eq!((credit.calls, credit.rows), (1, 150));
    assert!(credit.wal_bytes.unwrap() > 0.0, "the UPDATE wrote WAL");
    assert!(
        sample.settings.track_io_timing && sample.settings.block_size == 8192,
        "{:?}",
        sample.settings
    );
    assert!(sample.settings.can_reset, "a superuser may reset");
    assert!(
        sample
            .texts
            .values()
            .all(|t| !t.text.query.contains(collect::overview::OWN_MARKER)),
        "pgmedic's own statements are left out"
    );
}

#[tokio::test]
async fn interval_figures_are_what_ran_between_two_snapshots() {
    let conninfo = fresh_db("q_interval").await;
    let app = connect(&conninfo).await;
    app.batch_execute(
        "CREATE TABLE ticks (id int PRIMARY KEY, price numeric);
         INSERT INTO ticks SELECT g, g FROM generate_series(1, 500) g;",
    )
    .await
    .unwrap();
    let range = "SELECT id, price FROM ticks WHERE id BETWEEN $1 AND $2 /* q_interval range */";
    app.query(range, &[&1, &5]).await.unwrap();
    let mut watch = Watch::on(&conninfo).await;
    watch.collect().await;
    // 37 calls of 20 rows each, and a statement that did not exist before the first snapshot.
    for i in 0..37 {
        app.query(range, &[&(i * 10 + 1), &(i * 10 + 20)])
            .await
            .unwrap();
    }
    let fresh = "SELECT count(*) FROM ticks WHERE price::int > $1 /* q_interval fresh */";
    for _ in 0..3 {
        app.query(fresh, &[&100]).await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    watch.collect().await;
    let figures = watch.pane.figures.as_ref().unwrap();
    let seconds = figures.seconds.unwrap();
    assert!(seconds > 0.2 && seconds < 30.0, "{seconds}");
    let range = watch.row("q_interval range");
    assert_eq!(range.origin, DeltaOrigin::Interval);
    assert_eq!((range.calls, range.rows), (37, 37 * 20));
    let fresh = watch.row("q_interval fresh");
    assert!(fresh.is_new(), "{:?}", fresh.origin);
    if fresh.origin == DeltaOrigin::Created {
        assert_eq!((fresh.calls, fresh.rows), (3, 3));
    } else {
        // Another test's statements were evicted meanwhile (before 1.11 nothing tells more).
        assert_eq!(fresh.calls, 0);
    }
    let window = |w: &mut Watch| {
        w.pane.cycle_scope();
        w.pane.figures.as_ref().unwrap().seconds
    };
    assert_eq!(
        window(&mut watch),
        Some(seconds),
        "a short history is used whole"
    );
}

#[tokio::test]
async fn lints_fire_on_planted_statements_and_stay_quiet_on_clean_ones() {
    let conninfo = fresh_db("q_lints").await;
    let app = connect(&conninfo).await;
    app.batch_execute(
        "CREATE TABLE users (id int PRIMARY KEY, name text, email text, tier int);
         INSERT INTO users SELECT g, 'user ' || g, g || '@example.com', g % 3
           FROM generate_series(1, 5000) g;
         CREATE TABLE fills (id serial PRIMARY KEY, user_id int, qty int);
         CREATE TABLE events (at timestamptz, payload text);
         INSERT INTO events SELECT now() - g * interval '1 s', repeat('x', 200)
           FROM generate_series(1, 60000) g;",
    )
    .await
    .unwrap();
    // Clean neighbours: a few calls each, one row or a bounded page.
    for i in 0..6 {
        app.query(
            "SELECT name, email FROM users WHERE tier = $1 ORDER BY id LIMIT 10 /* q_lints clean */",
            &[&(i % 3)],
        )
        .await
        .unwrap();
        app.query("SELECT count(*) FROM users /* q_lints count */", &[])
            .await
            .unwrap();
        app.query("SELECT max(id) FROM fills /* q_lints max */", &[])
            .await
            .unwrap();
    }
    // SELECT * with a LIMIT: only the star is wrong.
    app.query(
        "SELECT * FROM users WHERE tier = $1 LIMIT 5 /* q_lints star */",
        &[&1],
    )
    .await
    .unwrap();
    // No LIMIT, 1,667 rows per call.
    for tier in 0..3 {
        app.query(
            "SELECT id, name FROM users WHERE tier = $1 /* q_lints nolimit */",
            &[&tier],
        )
        .await
        .unwrap();
    }
    // N+1: one user at a time, 400 times; and the fills written one row at a time.
    for id in 1..=400 {
        app.query(
            "SELECT name, tier FROM users WHERE id = $1 /* q_lints n1 */",
            &[&id],
        )
        .await
        .unwrap();
        app.execute(
            "INSERT INTO fills (user_id, qty) VALUES ($1, $2) /* q_lints loop */",
            &[&id, &1],
        )
        .await
        .unwrap();
    }
    // A sort that cannot fit in 64 kB of work_mem.
    app.batch_execute("SET work_mem = '64kB'").await.unwrap();
    app.query(
        "SELECT count(DISTINCT at::text || payload) FROM events /* q_lints spill */",
        &[],
    )
    .await
    .unwrap();

    let mut watch = Watch::on(&conninfo).await;
    watch.collect().await;
    let expect = [
        ("q_lints clean", vec![]),
        ("q_lints count", vec![]),
        ("q_lints max", vec![]),
        ("q_lints star", vec!["*"]),
        ("q_lints nolimit", vec!["NOLIM"]),
        ("q_lints n1", vec!["N+1"]),
        ("q_lints loop", vec!["LOOP"]),
        ("q_lints spill", vec!["TEMP"]),
    ];
    for (marker, lints) in expect {
        let row = watch.row(marker);
        let found: Vec<&str> = tags(&row).into_iter().filter(|t| *t != "HIT").collect();
        assert_eq!(found, lints, "{marker}: {:?}", row.lints);
    }
    let spill = watch.row("q_lints spill");
    assert!(matches!(
        spill.lints[0],
        Lint::TempSpill { bytes_per_call, work_mem_bytes: Some(_) } if bytes_per_call > 64.0 * 1024.0
    ));
    let n1 = watch.row("q_lints n1");
    assert!(
        matches!(n1.lints[0], Lint::NPlusOne { calls: 400, .. }),
        "{:?}",
        n1.lints
    );
}

/// The pg_stat_statements versions this server can install, oldest first.
async fn installable_versions(client: &tokio_postgres::Client) -> Vec<String> {
    let rows = client
        .query(
            "SELECT version FROM pg_available_extension_versions
              WHERE name = 'pg_stat_statements' AND version = ANY($1)",
            &[&vec!["1.7", "1.8", "1.9", "1.10", "1.11", "1.12"]],
        )
        .await
        .unwrap();
    let mut versions: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    versions.sort_by_key(|v| pgmedic::server::extension_version_num(v));
    versions
}

#[tokio::test]
async fn every_variant_runs_and_decodes_on_every_extension_version_the_server_has() {
    let admin = connect(&cluster().conninfo("postgres")).await;
    let versions = installable_versions(&admin).await;
    let major = cluster().version_num() / 10_000;
    let expected: &[&str] = match major {
        15 => &["1.7", "1.8", "1.9", "1.10"],
        18 => &["1.7", "1.8", "1.9", "1.10", "1.11", "1.12"],
        other => panic!("no expected pg_stat_statements versions for PostgreSQL {other}: add them"),
    };
    assert_eq!(versions, expected, "on PostgreSQL {major}");
    let mut variants_run = Vec::new();
    for version in &versions {
        let conninfo = fresh_db(&format!("q_pgss_{}", version.replace('.', "_"))).await;
        let setup = connect(&conninfo).await;
        setup
            .batch_execute(&format!(
                "DROP EXTENSION pg_stat_statements; \
                 CREATE EXTENSION pg_stat_statements VERSION '{version}'"
            ))
            .await
            .unwrap();
        setup
            .query("SELECT 1 AS q_variant_probe", &[])
            .await
            .unwrap();
        let mut watch = Watch::on(&conninfo).await;
        let installed = watch.info.installed_version("pg_stat_statements").unwrap();
        let sql = versioned(queries::STATEMENTS, installed).unwrap();
        variants_run.push(sql);
        let sample = watch.sample().await;
        assert!(!sample.entries.is_empty(), "{version}");
        assert_eq!(sample.columns.wal, installed >= 108, "{version}");
        assert_eq!(sample.columns.stats_since, installed >= 111, "{version}");
        assert_eq!(sample.dealloc.is_some(), installed >= 109, "{version}");
        let probe = sample
            .entries
            .iter()
            .find(|e| {
                sample
                    .texts
                    .get(&e.key)
                    .is_some_and(|t| t.text.query.contains("q_variant_probe"))
            })
            .unwrap_or_else(|| panic!("{version}: the probe statement is read"));
        assert_eq!(probe.calls, 1, "{version}");
        assert_eq!(probe.wal_bytes.is_some(), installed >= 108, "{version}");
        assert_eq!(probe.stats_since.is_some(), installed >= 111, "{version}");
    }
    variants_run.dedup();
    let runnable = queries::STATEMENTS
        .iter()
        .filter(|(min, _)| {
            versions
                .iter()
                .any(|v| pgmedic::server::extension_version_num(v).unwrap_or(0) >= *min)
        })
        .count();
    assert_eq!(
        variants_run.len(),
        runnable,
        "every variant this server can run ran"
    );
}

#[tokio::test]
async fn without_the_extension_the_pane_says_what_to_run() {
    let conninfo = fresh_db("q_no_pgss").await;
    connect(&conninfo)
        .await
        .batch_execute("DROP EXTENSION pg_stat_statements")
        .await
        .unwrap();
    let mut watch = Watch::on(&conninfo).await;
    let why = watch.collect().await.statements.unwrap_err();
    assert!(why.contains("CREATE EXTENSION pg_stat_statements"), "{why}");
    assert!(watch.pane.error.is_some() && watch.pane.figures.is_none());
}

#[tokio::test]
async fn a_role_without_pg_read_all_stats_sees_its_own_statements_and_is_told_about_the_rest() {
    let conninfo = fresh_db("q_roles").await;
    let admin = connect(&conninfo).await;
    admin
        .batch_execute(
            "DROP ROLE IF EXISTS q_plain; CREATE ROLE q_plain LOGIN;
             SELECT 1 AS q_roles_superuser_statement",
        )
        .await
        .unwrap();
    let as_plain = conninfo.replace("user=postgres", "user=q_plain");
    connect(&as_plain)
        .await
        .query("SELECT 2 AS q_roles_own_statement", &[])
        .await
        .unwrap();
    let mut watch = Watch::on(&as_plain).await;
    let sample = watch.sample().await;
    assert!(
        sample.hidden > 0,
        "other roles' statements are counted, not shown"
    );
    assert!(
        !sample.settings.can_reset,
        "reset is superuser-only by default"
    );
    let texts: Vec<&str> = sample
        .texts
        .values()
        .map(|t| t.text.query.as_str())
        .collect();
    assert!(
        texts.iter().any(|q| q.contains("q_roles_own_statement")),
        "{texts:?}"
    );
    assert!(
        !texts
            .iter()
            .any(|q| q.contains("q_roles_superuser_statement"))
    );
    assert!(
        watch.info.pg_stat_statements_privilege_note().is_some(),
        "the pane says which role to grant"
    );
}

#[tokio::test]
async fn a_reset_between_two_snapshots_shows_statements_as_new_never_as_huge_rates() {
    // A cluster of its own: resetting pg_stat_statements would disturb the other tests.
    let own =
        pgmedic::cluster::Cluster::start(pgmedic::cluster::ClusterOptions::default()).unwrap();
    let conninfo = own.conninfo("postgres");
    let app = connect(&conninfo).await;
    app.batch_execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        .await
        .unwrap();
    let busy = "SELECT count(*) FROM pg_class WHERE relname <> $1 /* q_reset busy */";
    for _ in 0..500 {
        app.query(busy, &[&"r".to_owned()]).await.unwrap();
    }
    let mut watch = Watch::on(&conninfo).await;
    watch.collect().await;
    app.batch_execute("SELECT pg_stat_statements_reset()")
        .await
        .unwrap();
    for _ in 0..4 {
        app.query(busy, &[&"r".to_owned()]).await.unwrap();
    }
    watch.collect().await;
    let row = watch.row("q_reset busy");
    assert!(row.is_new(), "{:?}", row.origin);
    assert!(
        row.calls <= 4,
        "never the 500 calls of before: {}",
        row.calls
    );
    if own.version_num() >= 170_000 {
        assert_eq!(
            (row.origin, row.calls),
            (DeltaOrigin::Created, 4),
            "stats_since dates the entry after the reset"
        );
    } else {
        assert_eq!(row.origin, DeltaOrigin::Unknown, "stats_reset changed");
    }
}

/// Out of sight, the pane still gets a sample of the counters every 10 s (no texts: reading
/// them reads the server's whole query-text file); in sight, a sample with texts at every
/// refresh.
#[tokio::test]
async fn out_of_sight_the_ring_gets_counters_every_ten_seconds() {
    use pgmedic::app::msg::Msg;
    use pgmedic::app::pane::Pane;
    use pgmedic::collect::panes::{PaneCollectors, QUERIES_BACKGROUND_EVERY};
    use tokio::sync::mpsc::unbounded_channel;

    let conninfo = fresh_db("q_background").await;
    let app = connect(&conninfo).await;
    app.batch_execute("SELECT 42 AS q_background_marker")
        .await
        .unwrap();
    let (client, info) = collect::open_session(&params(&conninfo)).await.unwrap();
    let mut panes = PaneCollectors::default();
    let (tx, mut rx) = unbounded_channel();
    let samples = |rx: &mut tokio::sync::mpsc::UnboundedReceiver<Msg>| {
        let mut out = Vec::new();
        while let Ok(msg) = rx.try_recv() {
            if let Msg::Queries(snapshot) = msg {
                out.push(snapshot.statements.unwrap());
            }
        }
        out
    };
    assert!(panes.collect(&client, &info, Pane::Overview, &tx).await);
    let first = samples(&mut rx);
    assert_eq!(first.len(), 1, "a sample at once");
    assert!(first[0].entries.len() > 1, "counters read");
    assert!(first[0].texts.is_empty(), "no texts out of sight");
    assert!(panes.collect(&client, &info, Pane::Overview, &tx).await);
    assert!(samples(&mut rx).is_empty(), "not again before 10 s");
    tokio::time::sleep(QUERIES_BACKGROUND_EVERY).await;
    assert!(panes.collect(&client, &info, Pane::Activity, &tx).await);
    assert_eq!(samples(&mut rx).len(), 1, "again after 10 s");
    assert!(panes.collect(&client, &info, Pane::Queries, &tx).await);
    let shown = samples(&mut rx);
    assert_eq!(shown.len(), 1, "in sight: one sample per refresh");
    assert!(
        shown[0]
            .texts
            .values()
            .any(|t| t.text.query.contains("q_background_marker")),
        "texts read in sight"
    );
}
