//! The Bloat & vacuum collector against the real cluster: every statement and variant runs
//! and decodes; estimates on tables bloated on purpose land near pgstattuple's exact figures;
//! autovacuum triggers match values computed by hand; a pg_monitor role gets "statistics not
//! visible", not numbers.

use std::fmt::Write as _;

use pgmedic::collect::{self, bloat::BloatCollector};
use pgmedic::diagnose::bloat::{self, Unsupported};
use pgmedic::diagnose::health::Level;
use pgmedic::diagnose::maintenance::{self, BloatSnapshot, Catalog};
use pgmedic::server::ServerInfo;
use pgmedic::work::bloat::{ExactRequest, Figures, Measured, measure};

use crate::common::{cluster, connect, fresh_db, params, superuser_client};

/// A monitoring session of `conninfo` with the pane's collector.
pub struct BloatWatch {
    pub client: tokio_postgres::Client,
    pub info: ServerInfo,
    pub collector: BloatCollector,
}

impl BloatWatch {
    pub async fn on(conninfo: &str) -> Self {
        let (client, info) = collect::open_session(&params(conninfo)).await.unwrap();
        Self {
            client,
            info,
            collector: BloatCollector::default(),
        }
    }

    /// A snapshot with a catalog read now.
    pub async fn collect(&mut self) -> BloatSnapshot {
        self.collector.invalidate();
        self.collector.collect(&self.client, &self.info).await
    }

    pub async fn catalog(&mut self) -> std::sync::Arc<Catalog> {
        self.collect().await.catalog.unwrap()
    }
}

/// Runs `sql` (statements ending a line with `;`) on a session of its own, then makes sure its statistics reached the shared
/// counters before the ANALYZE that follows (a backend flushes them at most once a second).
pub async fn settle(conninfo: &str, sql: &str, analyze: bool) {
    let setup = connect(conninfo).await;
    // One statement at a time: VACUUM refuses to run inside a transaction block.
    for statement in sql.split(";\n") {
        setup.batch_execute(statement).await.unwrap();
    }
    setup
        .batch_execute("SELECT pg_stat_force_next_flush()")
        .await
        .unwrap();
    setup.batch_execute("SELECT 1").await.unwrap();
    if analyze {
        setup.batch_execute("ANALYZE").await.unwrap();
    }
}

#[tokio::test]
async fn every_part_reads_and_decodes_including_odd_relations() {
    let conninfo = fresh_db("bloat_parts").await;
    settle(
        &conninfo,
        "CREATE TABLE \"We\"\"ird; DROP TABLE x; --\" (id int PRIMARY KEY, \"Note\" text);
         INSERT INTO \"We\"\"ird; DROP TABLE x; --\" SELECT g, g::text FROM generate_series(1, 500) g;
         CREATE TABLE docs (id int, body jsonb, tags text[]);
         INSERT INTO docs SELECT g, jsonb_build_object('k', g), ARRAY['a'] FROM generate_series(1, 500) g;
         CREATE INDEX docs_body ON docs USING gin (body);
         CREATE INDEX docs_lower ON docs ((body->>'k'));
         CREATE INDEX docs_partial ON docs (id) WHERE id > 250;
         CREATE INDEX docs_incl ON docs (id) INCLUDE (tags);
         CREATE MATERIALIZED VIEW docs_mv AS SELECT id FROM docs;
         CREATE TABLE never (id int);
         INSERT INTO never SELECT generate_series(1, 100);
         CREATE TEMP TABLE tmp (id int);",
        false,
    )
    .await;
    connect(&conninfo)
        .await
        .batch_execute("ANALYZE \"We\"\"ird; DROP TABLE x; --\"; ANALYZE docs; ANALYZE docs_mv")
        .await
        .unwrap();
    let mut watch = BloatWatch::on(&conninfo).await;
    let snapshot = watch.collect().await;
    let catalog = snapshot.catalog.unwrap();
    assert!(snapshot.progress.is_ok() && snapshot.horizon.is_ok());
    assert!(catalog.server_now > 1e9 && catalog.geometry.block_size > 0.0);
    let names: Vec<&str> = catalog.tables.iter().map(|t| t.name.as_str()).collect();
    assert!(names.contains(&"We\"ird; DROP TABLE x; --"), "{names:?}");
    assert!(
        !names.contains(&"tmp"),
        "temporary tables are other sessions' business"
    );
    let mv = catalog.tables.iter().find(|t| t.name == "docs_mv").unwrap();
    assert!(mv.matview && mv.maintain);

    let tables = maintenance::tables(&catalog);
    let verdict = |name: &str| {
        let v = tables
            .iter()
            .find(|v| catalog.tables[v.row].name == name)
            .unwrap();
        v.verdict.clone()
    };
    assert_eq!(verdict("never"), Err(Unsupported::NeverAnalyzed));
    assert!(verdict("docs").is_ok(), "{:?}", verdict("docs"));
    let indexes = maintenance::indexes(&catalog);
    let index = |name: &str| {
        indexes
            .iter()
            .find(|v| catalog.indexes[v.row].name == name)
            .unwrap()
            .verdict
            .clone()
    };
    assert_eq!(
        index("docs_body"),
        Err(Unsupported::NotBtree("gin".to_owned()))
    );
    assert!(
        index("docs_lower").is_ok(),
        "expression statistics: {:?}",
        index("docs_lower")
    );
    assert!(index("docs_partial").is_ok() && index("docs_incl").is_ok());
    let weird = catalog
        .indexes
        .iter()
        .find(|i| i.table == "We\"ird; DROP TABLE x; --")
        .unwrap();
    assert!(weird.unique && weird.primary);
}

#[tokio::test]
async fn every_variant_this_server_can_run_executes() {
    let conninfo = fresh_db("bloat_variants").await;
    let client = connect(&conninfo).await;
    client
        .batch_execute("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1); ANALYZE t")
        .await
        .unwrap();
    let version = cluster().version_num();
    let none: Vec<u32> = Vec::new();
    for (min, sql) in collect::bloat::TABLES {
        if *min <= version {
            let rows = client
                .query(*sql, &[&none])
                .await
                .unwrap_or_else(|e| panic!("tables variant {min}: {e}"));
            assert_eq!(rows.len(), 1, "tables variant {min}");
        }
    }
    // One column of one table, with its primary key.
    for (name, sql, rows) in [
        ("stats", collect::bloat::STATS, 1),
        ("superuser stats", collect::bloat::STATS_SUPERUSER, 1),
        ("columns", collect::bloat::COLUMNS, 2),
    ] {
        let got = client
            .query(sql, &[])
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(got.len(), rows, "{name}");
    }
    let classes = client.query(collect::bloat::EQUALIMAGE, &[]).await.unwrap();
    assert_eq!(
        classes.is_empty(),
        version < 130_000,
        "deduplication came in 13"
    );
    // pg_stat_progress_vacuum renamed its dead-tuple columns in 17: the older text cannot
    // run there, so only the variant chosen for this server is run.
    let progress = pgmedic::server::versioned(collect::bloat::PROGRESS, version).unwrap();
    client.query(progress, &[]).await.unwrap();
}

/// One relation's estimate against its exact measurement.
struct Compared {
    name: String,
    estimate: f64,
    exact: f64,
    /// pgstattuple's dead + free share (tables) or 100 − leaf density (indexes), raw.
    raw: f64,
}

async fn exact_of(conninfo: &str, oid: u32, name: &str, what: Measured) -> Figures {
    let request = ExactRequest {
        oid,
        name: name.to_owned(),
        what,
    };
    measure(&params(conninfo), request).await.result.unwrap()
}

/// Tables bloated on purpose by known amounts, and clean ones (autovacuum kept off them).
/// `candles` has the demo's key (int4, a short text, timestamptz), its leaves split by
/// descending inserts: about a third of each leaf is empty.
const BLOATED_ON_PURPOSE: &str = "CREATE TABLE clean (id int PRIMARY KEY, payload text) WITH (autovacuum_enabled = off);
     INSERT INTO clean SELECT g, md5(g::text) FROM generate_series(1, 100000) g;
     CREATE INDEX clean_lower ON clean (lower(payload));
     CREATE TABLE half_deleted (id int PRIMARY KEY, payload text) WITH (autovacuum_enabled = off);
     INSERT INTO half_deleted SELECT g, md5(g::text) FROM generate_series(1, 100000) g;
     DELETE FROM half_deleted WHERE id % 2 = 0;
     CREATE TABLE tenth_deleted (id int PRIMARY KEY, payload text) WITH (autovacuum_enabled = off);
     INSERT INTO tenth_deleted SELECT g, md5(g::text) FROM generate_series(1, 100000) g;
     CREATE INDEX tenth_deleted_payload ON tenth_deleted (payload);
     DELETE FROM tenth_deleted WHERE id % 10 = 0;
     VACUUM tenth_deleted;
     CREATE TABLE tail_kept (id int PRIMARY KEY, payload text) WITH (autovacuum_enabled = off);
     INSERT INTO tail_kept SELECT g, md5(g::text) FROM generate_series(1, 100000) g;
     DELETE FROM tail_kept WHERE id > 30000;
     VACUUM (TRUNCATE false) tail_kept;
     CREATE TABLE mixed (id bigint PRIMARY KEY, flag bool, note text, amount numeric,
                         created timestamptz, code char(3)) WITH (autovacuum_enabled = off);
     INSERT INTO mixed
          SELECT g, g % 3 = 0,
                 CASE WHEN g % 5 < 2 THEN NULL
                      ELSE substr(md5(g::text) || md5((g + 1)::text), 1, g % 60) END,
                 CASE WHEN g % 4 = 0 THEN NULL ELSE g * 1.25 END,
                 '2024-01-01'::timestamptz + g * interval '1 minute',
                 lpad((g % 1000)::text, 3, '0')
            FROM generate_series(1, 100000) g;
     CREATE INDEX mixed_note ON mixed (note);
     CREATE INDEX mixed_flag ON mixed (flag);
     DELETE FROM mixed WHERE id % 10 < 3;
     VACUUM mixed;
     CREATE TABLE padded (id int, v int8) WITH (fillfactor = 70, autovacuum_enabled = off);
     INSERT INTO padded SELECT g, g FROM generate_series(1, 100000) g;
     CREATE INDEX padded_id ON padded (id) WITH (fillfactor = 70);
     CREATE TABLE wide (id int PRIMARY KEY, label text, doc text, at date) WITH (autovacuum_enabled = off);
     INSERT INTO wide
          SELECT g, repeat(md5(g::text), 1 + g % 12),
                 CASE WHEN g % 10 = 0
                      THEN (SELECT string_agg(md5((g * 1000 + i)::text), '')
                              FROM generate_series(1, 125) i) END,
                 DATE '2020-01-01' + g % 1000
            FROM generate_series(1, 50000) g;
     DELETE FROM wide WHERE id % 5 = 0;
     VACUUM wide;
     CREATE TABLE candles (instrument_id int NOT NULL, \"interval\" text NOT NULL,
                           bucket timestamptz NOT NULL, close numeric NOT NULL,
                           PRIMARY KEY (instrument_id, \"interval\", bucket))
                           WITH (autovacuum_enabled = off);
     INSERT INTO candles
          SELECT inst, CASE WHEN inst % 7 = 0 THEN '15m' ELSE '1h' END,
                 '2024-01-01'::timestamptz - interval '1 hour' * h, h
            FROM generate_series(1, 200) inst, generate_series(0, 299) h;
     CREATE TABLE emptied (id int, payload text) WITH (autovacuum_enabled = off);
     INSERT INTO emptied SELECT g, md5(g::text) FROM generate_series(1, 20000) g;
     DELETE FROM emptied;";

/// Every table's estimate against pgstattuple's figure; clean tables must not be flagged.
async fn compare_tables(conninfo: &str, catalog: &Catalog, compared: &mut Vec<Compared>) {
    for view in maintenance::tables(catalog) {
        let t = &catalog.tables[view.row];
        let estimate = view
            .verdict
            .unwrap_or_else(|why| panic!("{}: {why:?}", t.name));
        let what = Measured::Table { approximate: false };
        let Figures::Table(e) = exact_of(conninfo, t.relid, &t.name, what).await else {
            panic!("table figures expected");
        };
        compared.push(Compared {
            name: t.name.clone(),
            estimate: estimate.wasted_pct,
            exact: bloat::table_exact(&e, t.inputs.fillfactor, catalog.geometry).wasted_pct,
            raw: 100.0 * (e.dead_tuple_len + e.free_space) / e.table_len.max(1.0),
        });
        if t.name == "clean" || t.name == "padded" {
            assert_eq!(view.level, Level::Ok, "{}", t.name);
            assert!(
                estimate.wasted_pct < 5.0,
                "{} is clean: {estimate:?}",
                t.name
            );
        }
    }
}

/// Every btree index's estimate against pgstatindex's figure, but the deduplicated ones.
async fn compare_indexes(conninfo: &str, catalog: &Catalog, compared: &mut Vec<Compared>) {
    for view in maintenance::indexes(catalog) {
        let i = &catalog.indexes[view.row];
        // A boolean key, and a key that is NULL in 30 % of the rows: posting lists.
        if ["mixed_flag", "mixed_note"].contains(&i.name.as_str()) {
            assert!(
                matches!(view.verdict, Err(Unsupported::Dedup { .. })),
                "{} is deduplicated: {:?}",
                i.name,
                view.verdict
            );
            continue;
        }
        let estimate = view
            .verdict
            .unwrap_or_else(|why| panic!("{}: {why:?}", i.name));
        let Figures::Index(e) =
            exact_of(conninfo, i.indexrelid, &i.name, Measured::BtreeIndex).await
        else {
            panic!("index figures expected");
        };
        compared.push(Compared {
            name: i.name.clone(),
            estimate: estimate.wasted_pct,
            exact: bloat::index_exact(&e, i.inputs.fillfactor, catalog.geometry).wasted_pct,
            raw: 100.0 - e.avg_leaf_density,
        });
    }
}

#[tokio::test]
async fn estimates_land_within_ten_points_of_pgstattuple_on_tables_bloated_on_purpose() {
    let conninfo = fresh_db("bloat_estimates").await;
    settle(&conninfo, BLOATED_ON_PURPOSE, true).await;
    let mut watch = BloatWatch::on(&conninfo).await;
    let catalog = watch.catalog().await;
    let mut compared = Vec::new();
    compare_tables(&conninfo, &catalog, &mut compared).await;
    compare_indexes(&conninfo, &catalog, &mut compared).await;
    let mut report = String::from("relation               estimate  exact  error  raw\n");
    for c in &compared {
        let _ = writeln!(
            report,
            "{:<22} {:>7.1}% {:>5.1}% {:>5.1}  {:>5.1}%",
            c.name,
            c.estimate,
            c.exact,
            (c.estimate - c.exact).abs(),
            c.raw
        );
    }
    eprintln!("PostgreSQL {}\n{report}", cluster().version_num());
    assert!(compared.len() >= 15, "{report}");
    for c in &compared {
        assert!(
            (c.estimate - c.exact).abs() <= 10.0,
            "{} is off by more than 10 points\n{report}",
            c.name
        );
    }
    let find = |name: &str| compared.iter().find(|c| c.name == name).unwrap();
    assert!(find("half_deleted").exact > 40.0, "{report}");
    assert!(find("tail_kept").exact > 60.0, "{report}");
    assert!(find("emptied").estimate > 99.0, "{report}");
    assert!(find("candles_pkey").exact > 20.0, "{report}");
}

/// One setting as pg_settings has it, as a number.
async fn setting(client: &tokio_postgres::Client, name: &str) -> f64 {
    client
        .query_one(
            "SELECT setting::float8 FROM pg_settings WHERE name = $1",
            &[&name],
        )
        .await
        .unwrap()
        .get(0)
}

/// Server settings unlike the defaults, so that reading them is what makes the figures right.
fn unusual_settings(eighteen: bool) -> Vec<(String, String)> {
    let mut settings: Vec<(String, String)> = [
        ("autovacuum_vacuum_threshold", "77"),
        ("autovacuum_vacuum_scale_factor", "0.15"),
        ("autovacuum_vacuum_insert_threshold", "500"),
        ("autovacuum_vacuum_insert_scale_factor", "0.3"),
        ("autovacuum_analyze_threshold", "33"),
        ("autovacuum_analyze_scale_factor", "0.07"),
        ("autovacuum_freeze_max_age", "150000000"),
        ("autovacuum_multixact_freeze_max_age", "300000000"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    if eighteen {
        settings.push((
            "autovacuum_vacuum_max_threshold".to_owned(),
            "1000".to_owned(),
        ));
    }
    settings
}

/// The thresholds of `table` computed by hand from pg_settings (and, for `tuned`, its
/// reloptions as created below), against the pane's.
async fn check_triggers(hand: &tokio_postgres::Client, catalog: &Catalog, table: &str) {
    let s = |name: &'static str| setting(hand, name);
    let row = hand
        .query_one(
            "SELECT c.reltuples::float8, age(c.relfrozenxid)::int8,
                    s.n_dead_tup, s.n_mod_since_analyze, s.n_ins_since_vacuum
               FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid
              WHERE c.relname = $1",
            &[&table],
        )
        .await
        .unwrap();
    let reltuples: f64 = row.get(0);
    let age: i64 = row.get(1);
    let (dead, mods, inserts): (i64, i64, i64) = (row.get(2), row.get(3), row.get(4));
    let freeze_max = s("autovacuum_freeze_max_age").await;
    let (vacuum, insert, analyze, freeze_at) = if table == "plain" {
        let mut vacuum = s("autovacuum_vacuum_threshold").await
            + s("autovacuum_vacuum_scale_factor").await * reltuples;
        if catalog.version_num >= 180_000 {
            vacuum = vacuum.min(s("autovacuum_vacuum_max_threshold").await);
        }
        let insert = s("autovacuum_vacuum_insert_threshold").await
            + s("autovacuum_vacuum_insert_scale_factor").await * reltuples;
        let analyze = s("autovacuum_analyze_threshold").await
            + s("autovacuum_analyze_scale_factor").await * reltuples;
        (vacuum, Some(insert), analyze, freeze_max)
    } else {
        let analyze = s("autovacuum_analyze_threshold").await;
        (10.0 + 0.01 * reltuples, None, analyze, freeze_max.min(1e8))
    };
    let t = catalog.tables.iter().find(|t| t.name == table).unwrap();
    let tr = pgmedic::diagnose::vacuum::triggers(&t.counters, &catalog.settings);
    assert!((reltuples - 10_000.0).abs() < 1e-9, "{table}");
    assert!(
        (tr.vacuum.threshold - vacuum).abs() < 1e-6,
        "{table}: {tr:?}"
    );
    assert!((tr.vacuum.value - dead as f64).abs() < 1e-9, "{table}");
    assert_eq!(tr.insert.map(|i| i.threshold), insert, "{table}");
    if let Some(i) = tr.insert {
        assert!((i.value - inserts as f64).abs() < 1e-9, "{table}");
    }
    assert!((tr.analyze.threshold - analyze).abs() < 1e-6, "{table}");
    assert!((tr.analyze.value - mods as f64).abs() < 1e-9, "{table}");
    let freeze = tr.freeze.unwrap();
    assert!((freeze.threshold - freeze_at).abs() < 1e-6, "{table}");
    assert!(
        (freeze.value - age as f64).abs() < 1e-9,
        "{table}: {freeze:?} vs {age}"
    );
    assert!((freeze.remaining() - (freeze_at - age as f64)).abs() < 1e-6);
    assert_eq!(
        pgmedic::diagnose::vacuum::wraparound_headroom(age),
        2_147_483_648 - age
    );
    assert!(!tr.effective.active, "autovacuum_enabled = off on {table}");
}

#[tokio::test]
async fn autovacuum_triggers_and_wraparound_match_values_computed_by_hand() {
    let own = pgmedic::cluster::Cluster::start(pgmedic::cluster::ClusterOptions {
        settings: unusual_settings(cluster().version_num() >= 180_000),
        ..Default::default()
    })
    .unwrap();
    let conninfo = own.conninfo("postgres");
    settle(
        &conninfo,
        "CREATE TABLE plain (id int) WITH (autovacuum_enabled = off);
         INSERT INTO plain SELECT generate_series(1, 10000);
         CREATE TABLE tuned (id int) WITH (autovacuum_enabled = off,
             autovacuum_vacuum_threshold = 10, autovacuum_vacuum_scale_factor = 0.01,
             autovacuum_vacuum_insert_threshold = -1, autovacuum_analyze_scale_factor = 0,
             autovacuum_freeze_max_age = 100000000);
         INSERT INTO tuned SELECT generate_series(1, 10000)",
        true,
    )
    .await;
    settle(
        &conninfo,
        "DELETE FROM plain WHERE id <= 300;
         INSERT INTO plain SELECT generate_series(1, 200);
         DELETE FROM tuned WHERE id <= 120",
        false,
    )
    .await;
    let mut watch = BloatWatch::on(&conninfo).await;
    let catalog = watch.catalog().await;
    let hand = connect(&conninfo).await;
    check_triggers(&hand, &catalog, "plain").await;
    check_triggers(&hand, &catalog, "tuned").await;
    // 120 dead tuples against 10 + 0.01 × 10000 = 110, with autovacuum off for the table.
    let tuned = catalog.tables.iter().find(|t| t.name == "tuned").unwrap();
    let judged = pgmedic::diagnose::vacuum::status(
        &tuned.counters,
        &pgmedic::diagnose::vacuum::triggers(&tuned.counters, &catalog.settings),
    );
    assert_eq!(
        judged.status,
        pgmedic::diagnose::vacuum::Status::Urgent,
        "{judged:?}"
    );
}

#[tokio::test]
async fn a_role_with_only_pg_monitor_gets_statistics_not_visible_not_numbers() {
    let conninfo = fresh_db("bloat_monitor").await;
    let admin = superuser_client("postgres").await;
    admin
        .batch_execute(
            "DROP ROLE IF EXISTS bloat_monitor; CREATE ROLE bloat_monitor LOGIN IN ROLE pg_monitor",
        )
        .await
        .unwrap();
    settle(
        &conninfo,
        "CREATE TABLE orders (id int PRIMARY KEY, note text);
         INSERT INTO orders SELECT g, md5(g::text) FROM generate_series(1, 20000) g;
         DELETE FROM orders WHERE id % 2 = 0",
        true,
    )
    .await;
    let as_monitor = conninfo.replace("user=postgres", "user=bloat_monitor");
    let mut watch = BloatWatch::on(&as_monitor).await;
    let catalog = watch.catalog().await;
    let table = catalog.tables.iter().find(|t| t.name == "orders").unwrap();
    assert!(!table.maintain && !table.database_owner);
    assert!(
        table.counters.n_dead_tup > 0,
        "the counters are visible to pg_monitor"
    );
    let tables = maintenance::tables(&catalog);
    assert_eq!(tables[0].verdict, Err(Unsupported::StatsHidden));
    let indexes = maintenance::indexes(&catalog);
    assert_eq!(indexes[0].verdict, Err(Unsupported::StatsHidden));
    // pgstattuple is granted to pg_stat_scan_tables, a member of pg_monitor: `x` measures.
    let exact = exact_of(
        &as_monitor,
        table.relid,
        "orders",
        Measured::Table { approximate: false },
    )
    .await;
    let Figures::Table(e) = exact else {
        panic!("table figures expected");
    };
    assert!(e.dead_tuple_count > 0.0);
    // The same table seen by its owner has numbers.
    let mut owner = BloatWatch::on(&conninfo).await;
    let catalog = owner.catalog().await;
    assert!(maintenance::tables(&catalog)[0].verdict.is_ok());
}

#[tokio::test]
async fn the_xmin_horizon_s_holders_are_named_oldest_first() {
    let own = pgmedic::cluster::Cluster::start(pgmedic::cluster::ClusterOptions {
        settings: vec![("max_prepared_transactions".to_owned(), "2".to_owned())],
        ..Default::default()
    })
    .unwrap();
    let conninfo = own.conninfo("postgres");
    let prepared = connect(&conninfo).await;
    prepared
        .batch_execute("CREATE TABLE held (id int)")
        .await
        .unwrap();
    prepared
        .batch_execute("BEGIN; INSERT INTO held VALUES (1); PREPARE TRANSACTION 'pgmedic_held'")
        .await
        .unwrap();
    let open = connect(&conninfo).await;
    open.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM held")
        .await
        .unwrap();
    let pid: i32 = open
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0);
    // Transactions after them, so that both are behind.
    let later = connect(&conninfo).await;
    for _ in 0..3 {
        later.batch_execute("SELECT txid_current()").await.unwrap();
    }
    let mut watch = BloatWatch::on(&conninfo).await;
    let horizon = watch.collect().await.horizon.unwrap();
    let ages: Vec<i64> = horizon.iter().filter_map(|h| h.xmin_age).collect();
    assert!(
        ages.windows(2).all(|w| w[0] >= w[1]),
        "the oldest first: {horizon:?}"
    );
    let held = horizon
        .iter()
        .find(|h| h.kind == "prepared" && h.name == "pgmedic_held")
        .unwrap_or_else(|| panic!("the prepared transaction: {horizon:?}"));
    assert!(held.xmin_age.is_some_and(|a| a >= 3), "{held:?}");
    let session = horizon
        .iter()
        .find(|h| h.kind == "session" && h.name == pid.to_string())
        .unwrap_or_else(|| panic!("the open snapshot: {horizon:?}"));
    assert!(session.xmin_age.is_some_and(|a| a >= 3), "{session:?}");
    assert!(
        session.detail.contains("idle in transaction"),
        "{session:?}"
    );
    prepared
        .batch_execute("ROLLBACK PREPARED 'pgmedic_held'")
        .await
        .unwrap();
}

#[tokio::test]
async fn sizes_are_measured_now_not_taken_from_the_last_vacuum() {
    let conninfo = fresh_db("bloat_sizes").await;
    // Analyzed at one row, then grown without a VACUUM or ANALYZE (relpages stays 1), and a
    // table never vacuumed nor analyzed at all (relpages 0).
    settle(
        &conninfo,
        "CREATE TABLE grown (id int PRIMARY KEY, pad text) WITH (autovacuum_enabled = off);
         INSERT INTO grown VALUES (0, 'x');
         ANALYZE grown;
         INSERT INTO grown SELECT g, md5(g::text) FROM generate_series(1, 50000) g;
         CREATE TABLE loaded (id int, pad text) WITH (autovacuum_enabled = off);
         CREATE INDEX loaded_id ON loaded (id);
         INSERT INTO loaded SELECT g, md5(g::text) FROM generate_series(1, 50000) g",
        false,
    )
    .await;
    let mut watch = BloatWatch::on(&conninfo).await;
    let catalog = watch.catalog().await;
    let hand = connect(&conninfo).await;
    let real = |name: &'static str| {
        let hand = &hand;
        async move {
            let row = hand
                .query_one(
                    "SELECT pg_relation_size($1::text::regclass), relpages::int8 FROM pg_class \
                     WHERE oid = $1::text::regclass",
                    &[&name],
                )
                .await
                .unwrap();
            (row.get::<_, i64>(0), row.get::<_, i64>(1))
        }
    };
    for name in ["grown", "loaded"] {
        let t = catalog.tables.iter().find(|t| t.name == name).unwrap();
        let (size, relpages) = real(name).await;
        assert!(
            relpages <= 1 && size > 3 * 1024 * 1024,
            "{name}: {size} {relpages}"
        );
        assert_eq!(t.size, Some(size), "{name}");
    }
    for name in ["grown_pkey", "loaded_id"] {
        let i = catalog.indexes.iter().find(|i| i.name == name).unwrap();
        let (size, _) = real(name).await;
        assert!(size > 1024 * 1024, "{name}: {size}");
        assert_eq!(i.size, Some(size), "{name}");
    }
}
