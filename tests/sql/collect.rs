//! The monitoring session and the Overview collector against the real cluster.

use std::time::Duration;

use pgmedic::app::msg::{ConnEvent, Msg};
use pgmedic::collect::{self, overview};
use pgmedic::server::versioned;
use pgmedic::snapshot::OverviewSnapshot;

use crate::common::{cluster, fresh_db, params, superuser_client};

/// The Overview's collector on a monitoring session of `conninfo`, ready to collect.
struct Watch {
    client: tokio_postgres::Client,
    info: pgmedic::server::ServerInfo,
    prepared: overview::Prepared,
    collector: overview::OverviewCollector,
}

impl Watch {
    async fn on(conninfo: &str) -> Self {
        let (client, info) = collect::open_session(&params(conninfo)).await.unwrap();
        let prepared = overview::Prepared::new(&client, &info).await.unwrap();
        Self {
            client,
            info,
            prepared,
            collector: overview::OverviewCollector::default(),
        }
    }

    async fn collect(&mut self) -> OverviewSnapshot {
        self.collector.collect(&self.client, &self.prepared).await
    }
}

async fn snapshot_pair(conninfo: &str) -> (OverviewSnapshot, OverviewSnapshot) {
    let mut watch = Watch::on(conninfo).await;
    let first = watch.collect().await;
    let load = superuser_client("postgres").await;
    // 10 ms each: heavier than the DDL the other tests of this binary run meanwhile.
    for i in 0..50 {
        load.query(
            "SELECT count(*), pg_sleep(0.01)::text FROM pg_class WHERE relname = $1",
            &[&format!("x{i}")],
        )
        .await
        .unwrap();
    }
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let second = watch.collect().await;
    (first, second)
}

#[tokio::test]
async fn the_monitoring_session_is_read_only_and_bounded() {
    let conninfo = fresh_db("session").await;
    let (client, info) = collect::open_session(&params(&conninfo)).await.unwrap();
    let show = async |name: &str| -> String {
        client
            .query_one(&format!("SHOW {name}"), &[])
            .await
            .unwrap()
            .get(0)
    };
    assert_eq!(show("application_name").await, "pgmedic");
    assert_eq!(show("statement_timeout").await, "3s");
    assert_eq!(show("idle_in_transaction_session_timeout").await, "30s");
    assert_eq!(show("lock_timeout").await, "500ms");
    assert_eq!(show("default_transaction_read_only").await, "on");
    let err = client
        .batch_execute("CREATE TABLE nope (id int)")
        .await
        .unwrap_err();
    assert!(
        pgmedic::conn::describe(&err).contains("read-only transaction"),
        "{err}"
    );

    assert_eq!(info.major(), cluster().version_num() / 10_000);
    assert!(!info.is_standby);
    assert!(info.privileges.superuser && info.privileges.sees_all_activity());
    assert!(info.installed_version("pg_stat_statements").is_some());
    assert_eq!(info.pg_stat_statements_problem(), None);
    assert_eq!(info.max_connections, 100);
}

#[tokio::test]
async fn every_overview_part_reads_and_decodes() {
    let conninfo = fresh_db("overview").await;
    let (first, second) = snapshot_pair(&conninfo).await;
    assert!(second.taken_at > first.taken_at);
    let activity = second.activity.as_ref().unwrap();
    assert!(activity.connections >= 2, "{activity:?}");
    assert!(
        second
            .databases
            .as_ref()
            .unwrap()
            .iter()
            .any(|d| d.datname == "postgres")
    );
    let wrap = second.wraparound.as_ref().unwrap();
    assert!(
        wrap.xid_age > 0 && wrap.freeze_max_age == 200_000_000,
        "{wrap:?}"
    );
    assert_eq!(second.replication.as_ref().unwrap(), &Vec::new());
    let statements = second.statements.as_ref().unwrap();
    assert!(
        statements.dealloc.is_some(),
        "pg_stat_statements_info is read on 1.9+"
    );
    let texts: Vec<&str> = statements
        .texts
        .values()
        .map(|t| t.query.as_str())
        .collect();
    assert!(
        texts.iter().any(|q| q.contains("relname = $1")),
        "the load's statement is among the heaviest: {texts:?}"
    );
    assert!(
        !texts.iter().any(|q| q.contains(overview::OWN_MARKER)),
        "pgmedic's own statements are left out: {texts:?}"
    );
}

#[tokio::test]
async fn roles_without_superuser_or_pg_monitor_can_monitor_and_are_told_what_they_miss() {
    let conninfo = fresh_db("roles").await;
    let admin = superuser_client("postgres").await;
    admin
        .batch_execute(
            "DROP ROLE IF EXISTS plain_dba; DROP ROLE IF EXISTS monitor_dba;
             CREATE ROLE plain_dba LOGIN; CREATE ROLE monitor_dba LOGIN IN ROLE pg_monitor",
        )
        .await
        .unwrap();
    let as_role = |role: &str| conninfo.replace("user=postgres", &format!("user={role}"));

    let mut watch = Watch::on(&as_role("plain_dba")).await;
    let info = &watch.info;
    assert!(!info.privileges.superuser && !info.privileges.sees_all_activity());
    assert_eq!(
        info.shared_preload_libraries, None,
        "the setting is hidden from this role"
    );
    let snapshot = watch.collect().await;
    let activity = snapshot.activity.unwrap();
    assert!(
        activity.state_hidden >= 1,
        "other roles' sessions are counted as hidden: {activity:?}"
    );
    assert!(snapshot.wraparound.is_ok() && snapshot.databases.is_ok());

    let (_, info) = collect::open_session(&params(&as_role("monitor_dba")))
        .await
        .unwrap();
    assert!(info.privileges.pg_monitor && info.privileges.sees_all_activity());
    assert!(
        info.shared_preload_libraries.is_some(),
        "pg_monitor reads all settings"
    );
}

#[tokio::test]
async fn nested_statements_do_not_double_count_their_callers() {
    let conninfo = fresh_db("nested").await;
    let setup = crate::common::connect(&conninfo).await;
    setup
        .batch_execute(
            "CREATE FUNCTION twice() RETURNS int LANGUAGE plpgsql AS
             $$ BEGIN PERFORM count(*) FROM pg_class; RETURN 1; END $$",
        )
        .await
        .unwrap();
    let mut watch = Watch::on(&conninfo).await;
    watch.collect().await;
    for _ in 0..5 {
        setup.query("SELECT twice()", &[]).await.unwrap();
        setup
            .query("SELECT count(*) FROM pg_class", &[])
            .await
            .unwrap();
    }
    let snapshot = watch.collect().await;
    let counters = snapshot.statements.unwrap().counters;
    let mut keys: Vec<_> = counters.iter().map(|c| c.key).collect();
    keys.sort();
    let before = keys.len();
    keys.dedup();
    assert_eq!(keys.len(), before, "one row per (userid, dbid, queryid)");
}

#[tokio::test]
async fn an_old_pg_stat_statements_extension_is_read_with_its_own_columns() {
    let conninfo = fresh_db("pgss_old").await;
    let admin = crate::common::connect(&conninfo).await;
    admin
        .batch_execute(
            "DROP EXTENSION pg_stat_statements; CREATE EXTENSION pg_stat_statements VERSION '1.7'",
        )
        .await
        .unwrap();
    let mut watch = Watch::on(&conninfo).await;
    assert_eq!(
        watch.info.installed_version("pg_stat_statements"),
        Some(107)
    );
    let snapshot = watch.collect().await;
    let statements = snapshot.statements.unwrap();
    assert!(!statements.counters.is_empty());
    assert_eq!(
        statements.dealloc, None,
        "1.7 has no pg_stat_statements_info"
    );
}

#[tokio::test]
async fn without_pg_stat_statements_the_overview_says_what_to_run() {
    let conninfo = fresh_db("no_pgss").await;
    let c = crate::common::connect(&conninfo).await;
    c.batch_execute("DROP EXTENSION pg_stat_statements")
        .await
        .unwrap();
    let snapshot = Watch::on(&conninfo).await.collect().await;
    let reason = snapshot.statements.unwrap_err();
    assert!(
        reason.contains("CREATE EXTENSION pg_stat_statements"),
        "{reason}"
    );
    assert!(snapshot.activity.is_ok() && snapshot.databases.is_ok());
}

#[tokio::test]
async fn a_timed_out_query_names_the_lock_holder_and_locked_relations_are_known() {
    let conninfo = fresh_db("locks").await;
    let holder = crate::common::connect(&conninfo).await;
    holder
        .batch_execute(r#"CREATE TABLE "Order ""Book"" x" (id int)"#)
        .await
        .unwrap();
    holder
        .batch_execute(r#"BEGIN; LOCK TABLE "Order ""Book"" x""#)
        .await
        .unwrap();
    let (client, _) = collect::open_session(&params(&conninfo)).await.unwrap();
    let oid: u32 = client
        .query_one(r#"SELECT '"Order ""Book"" x"'::regclass::oid"#, &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(collect::locked_relations(&client).await.unwrap(), vec![oid]);

    let started = std::time::Instant::now();
    let err = client
        .query_one("SELECT pg_relation_size($1::oid::regclass)", &[&oid])
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "lock_timeout bounds the wait"
    );
    let text = collect::explain_failure(&client, &err).await;
    assert!(text.contains("lock timeout"), "{text}");
    assert!(text.contains("blocked by pid"), "{text}");
    assert!(text.contains(r#"LOCK TABLE "Order ""Book"" x""#), "{text}");
    holder.batch_execute("ROLLBACK").await.unwrap();
}

#[tokio::test]
async fn the_collector_survives_a_server_restart_and_resumes_by_itself() {
    let mut own =
        pgmedic::cluster::Cluster::start(pgmedic::cluster::ClusterOptions::default()).unwrap();
    let p = params(&own.conninfo("postgres"));
    let session = collect::open_session(&p).await.unwrap();
    let first_pid = session.1.backend_pid;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let (task, _control) = collect::spawn(p, session, Duration::from_millis(200), tx);

    let next = async |rx: &mut tokio::sync::mpsc::UnboundedReceiver<Msg>| {
        tokio::time::timeout(Duration::from_secs(20), rx.recv())
            .await
            .unwrap()
            .unwrap()
    };
    assert!(matches!(next(&mut rx).await, Msg::Conn(ConnEvent::Up(_))));
    assert!(matches!(next(&mut rx).await, Msg::Snapshot(_)));

    // Keep the cluster alive until the end: dropping it stops the server for good.
    let _own = tokio::task::spawn_blocking(move || {
        own.restart().unwrap();
        own
    })
    .await
    .unwrap();

    let mut saw_down = false;
    let new_pid = loop {
        match next(&mut rx).await {
            Msg::Conn(ConnEvent::Down { .. }) => saw_down = true,
            Msg::Conn(ConnEvent::Up(info)) => break info.backend_pid,
            _ => {}
        }
    };
    assert!(saw_down, "the loss was reported before the reconnect");
    assert_ne!(new_pid, first_pid, "a new session");
    loop {
        if let Msg::Snapshot(s) = next(&mut rx).await {
            assert!(s.activity.is_ok());
            break;
        }
    }
    task.abort();
}

#[tokio::test]
async fn a_blocked_part_says_who_blocks_it_and_the_next_refresh_recovers() {
    // A cluster of its own: pg_database is shared, and locking it would stall the other tests.
    let own =
        pgmedic::cluster::Cluster::start(pgmedic::cluster::ClusterOptions::default()).unwrap();
    let conninfo = own.conninfo("postgres");
    let mut watch = Watch::on(&conninfo).await;
    assert!(watch.collect().await.wraparound.is_ok());

    let holder = crate::common::connect(&conninfo).await;
    holder
        .batch_execute("BEGIN; LOCK TABLE pg_database IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let blocked = watch.collect().await;
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "lock_timeout bounds every part"
    );
    let why = blocked.wraparound.unwrap_err();
    assert!(why.contains("lock timeout"), "{why}");
    assert!(why.contains("ACCESS EXCLUSIVE on pg_database"), "{why}");
    assert!(why.contains("LOCK TABLE pg_database"), "{why}");

    holder.batch_execute("ROLLBACK").await.unwrap();
    let recovered = watch.collect().await;
    assert!(
        recovered.wraparound.is_ok() && recovered.activity.is_ok() && recovered.databases.is_ok()
    );
}

#[tokio::test]
async fn hostile_names_in_databases_tables_and_statements_break_nothing() {
    let admin = superuser_client("postgres").await;
    admin
        .batch_execute(r#"CREATE DATABASE "we""ird db; --""#)
        .await
        .unwrap();
    let conninfo = format!(
        "host=127.0.0.1 port={} user=postgres dbname='we\"ird db; --'",
        cluster().port()
    );
    let setup = crate::common::connect(&conninfo).await;
    setup
        .batch_execute(
            r#"CREATE TABLE "Order ""Book"" Snap shots" ("Price ""x""" int);
               INSERT INTO "Order ""Book"" Snap shots" SELECT generate_series(1, 1000)"#,
        )
        .await
        .unwrap();

    let mut watch = Watch::on(&conninfo).await;
    assert_eq!(watch.info.database, "we\"ird db; --");
    watch.collect().await;
    for i in 0..20 {
        setup
            .query(
                r#"SELECT count(*) FROM "Order ""Book"" Snap shots" WHERE "Price ""x""" > $1"#,
                &[&i],
            )
            .await
            .unwrap();
    }
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let snapshot = watch.collect().await;
    assert!(
        snapshot
            .databases
            .unwrap()
            .iter()
            .any(|d| d.datname == "we\"ird db; --")
    );
    let texts = snapshot.statements.unwrap().texts;
    let hostile = texts
        .values()
        .find(|t| t.query.contains(r#""Order ""Book"" Snap shots""#));
    let hostile =
        hostile.unwrap_or_else(|| panic!("the statement is among the heaviest: {texts:?}"));
    assert_eq!(hostile.database, "we\"ird db; --");
}

/// The pg_stat_statements version `CREATE EXTENSION` installs on each server major tested here.
fn default_pgss_version(major: u32) -> u32 {
    match major {
        15 => 110,
        18 => 112,
        other => panic!("no expected pg_stat_statements version for PostgreSQL {other}: add it"),
    }
}

#[tokio::test]
async fn every_statements_variant_runs_and_decodes_on_this_server() {
    let major = cluster().version_num() / 10_000;
    // The oldest extension version of each variant's range (the newest: whatever the server has).
    let versions = [(0, Some("1.7")), (108, Some("1.8")), (109, None)];
    assert_eq!(versions.len(), overview::STATEMENTS.len());
    for ((min, sql), (_, create)) in overview::STATEMENTS.iter().zip(versions) {
        let conninfo = fresh_db(&format!("pgss_{min}")).await;
        let admin = crate::common::connect(&conninfo).await;
        if let Some(version) = create {
            admin
                .batch_execute(&format!(
                    "DROP EXTENSION pg_stat_statements; \
                     CREATE EXTENSION pg_stat_statements VERSION '{version}'"
                ))
                .await
                .unwrap();
        }
        let mut watch = Watch::on(&conninfo).await;
        let installed = watch.info.installed_version("pg_stat_statements").unwrap();
        if create.is_none() {
            assert_eq!(
                installed,
                default_pgss_version(major),
                "on PostgreSQL {major}"
            );
        }
        assert_eq!(versioned(overview::STATEMENTS, installed), Some(*sql));
        let snapshot = watch.collect().await;
        let statements = snapshot
            .statements
            .unwrap_or_else(|e| panic!("variant {min} on extension {installed}: {e}"));
        assert!(!statements.counters.is_empty(), "variant {min}");
        assert_eq!(
            statements.dealloc.is_some(),
            installed >= 109,
            "variant {min}"
        );
    }
}

#[tokio::test]
async fn every_activity_variant_this_server_can_run_executes() {
    let client = superuser_client("postgres").await;
    let version_num = cluster().version_num();
    for (min, sql) in overview::ACTIVITY {
        if *min > version_num {
            continue;
        }
        let row = client
            .query_one(*sql, &[])
            .await
            .unwrap_or_else(|e| panic!("activity variant {min}: {e}"));
        let connections: i64 = row.get("connections");
        assert!(connections >= 1, "activity variant {min}");
    }
}

#[test]
fn every_monitoring_sql_file_carries_the_own_marker_after_its_statement() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut dirs = vec![root];
    let mut checked = 0;
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                // The demo's schema and workload are the application's SQL, not pgmedic's.
                if !path.ends_with("demo") {
                    dirs.push(path);
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "sql") {
                continue;
            }
            checked += 1;
            let text = std::fs::read_to_string(&path).unwrap();
            let last = text.lines().rev().find(|l| !l.trim().is_empty()).unwrap();
            assert!(
                text.starts_with(overview::OWN_MARKER) && last.starts_with(overview::OWN_MARKER),
                "{} must start and end with {:?}",
                path.display(),
                overview::OWN_MARKER
            );
        }
    }
    assert!(checked > 20, "only {checked} SQL files found");
}
