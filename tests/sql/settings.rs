//! The Settings pane's collector against the real server: every setting and checkpointer
//! variant decodes, and sources and pending restarts come out as ALTER SYSTEM left them.

use std::time::Duration;

use pgmedic::cluster::{Cluster, ClusterOptions};
use pgmedic::collect::{self, settings};
use pgmedic::diagnose::health::Thresholds;
use pgmedic::diagnose::settings::{self as pane, Context, Source, Value};
use pgmedic::report::Severity;
use pgmedic::server::ServerInfo;
use pgmedic::snapshot::settings::SettingsSnapshot;

use crate::common::{cluster, connect, fresh_db, params, superuser_client};

async fn read(conninfo: &str) -> (SettingsSnapshot, ServerInfo) {
    let (client, info) = collect::open_session(&params(conninfo)).await.unwrap();
    let mut collector = settings::SettingsCollector::default();
    (collector.read(&client, &info).await, info)
}

fn view(snapshot: &SettingsSnapshot, server: &ServerInfo) -> pane::SettingsView {
    let limits = Thresholds::default();
    let context = Context {
        server,
        connections: None,
        throughput: None,
        limits: &limits,
    };
    pane::build(None, snapshot, &context)
}

fn check<'a>(view: &'a pane::SettingsView, name: &str) -> &'a pane::SettingCheck {
    view.settings
        .as_ref()
        .unwrap()
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("{name} is missing"))
}

#[tokio::test]
async fn every_setting_and_the_checkpointer_read_and_decode() {
    let conninfo = fresh_db("settings").await;
    let (first, info) = read(&conninfo).await;
    let rows = first.settings.as_ref().unwrap();
    for spec in pane::SPECS {
        assert!(
            rows.iter().any(|r| r.name == spec.name),
            "{} is not in pg_settings",
            spec.name
        );
    }
    assert!(first.files.is_ok(), "a superuser reads pg_file_settings");
    assert!(first.database.as_ref().unwrap().is_empty());
    let before = first.checkpoints.unwrap();
    superuser_client("postgres")
        .await
        .batch_execute("CHECKPOINT; CHECKPOINT")
        .await
        .unwrap();
    let (second, _) = read(&conninfo).await;
    let after = second.checkpoints.as_ref().unwrap();
    assert!(
        after.requested >= before.requested + 2,
        "CHECKPOINT is a requested checkpoint: {before:?} → {after:?}"
    );
    let version = cluster().version_num();
    assert_eq!(after.done.is_some(), version >= 180_000, "{after:?}");
    assert_eq!(after.restartpoints_done.is_some(), version >= 170_000);
    assert_eq!(after.wal_bytes.is_some(), version >= 140_000);
    assert!(after.stats_reset.is_some() && second.taken_at > 0.0);
    let v = view(&second, &info);
    let figures = v.checkpoints.as_ref().unwrap();
    assert!(figures.requested >= 2 && figures.requested_pct.is_some());
    assert_eq!(check(&v, "track_io_timing").value, Some(Value::Bool(true)));
    assert_eq!(check(&v, "track_io_timing").source, Source::CommandLine);
}

#[tokio::test]
async fn each_checkpointer_variant_runs_exactly_where_its_columns_exist() {
    let client = superuser_client("postgres").await;
    let version = cluster().version_num();
    for (min, sql) in settings::CHECKPOINTER {
        // 17 moved the counters out of pg_stat_bgwriter: the older variants stop working
        // there, and the newer ones need pg_stat_checkpointer (and num_done, 18).
        let exists = *min <= version && (*min >= 170_000 || version < 170_000);
        match client.query_one(*sql, &[]).await {
            Ok(row) => {
                assert!(exists, "variant {min} ran on {version}");
                let counters = settings::decode_checkpoints(&row)
                    .unwrap_or_else(|e| panic!("variant {min}: {e}"));
                assert!(counters.timed >= 0 && counters.requested >= 0);
            }
            Err(err) => assert!(!exists, "variant {min} on {version}: {err}"),
        }
    }
    let chosen = pgmedic::server::versioned(settings::CHECKPOINTER, version).unwrap();
    let row = client.query_one(chosen, &[]).await.unwrap();
    settings::decode_checkpoints(&row).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn alter_system_reload_and_pending_restart_show_as_they_are() {
    let own = tokio::task::spawn_blocking(|| Cluster::start(ClusterOptions::default()))
        .await
        .unwrap()
        .unwrap();
    let admin = connect(&own.conninfo("postgres")).await;
    for statement in [
        "ALTER SYSTEM SET work_mem = '8MB'",
        "ALTER SYSTEM SET shared_buffers = '256MB'",
        "ALTER SYSTEM SET statement_timeout = '45s'",
        "ALTER DATABASE postgres SET lock_timeout = '2s'",
        "CREATE ROLE plain_dba LOGIN",
        "SELECT pg_reload_conf()",
    ] {
        // ALTER SYSTEM refuses to run in the implicit transaction of a multi-statement batch.
        admin.batch_execute(statement).await.unwrap();
    }
    // The reload is asynchronous: wait until the server has read the files again.
    let conninfo = own.conninfo("postgres");
    let mut waited = 0;
    let (snapshot, info) = loop {
        let (snapshot, info) = read(&conninfo).await;
        let pending = snapshot
            .settings
            .as_ref()
            .unwrap()
            .iter()
            .any(|r| r.name == "shared_buffers" && r.pending_restart);
        if pending || waited > 50 {
            break (snapshot, info);
        }
        waited += 1;
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let v = view(&snapshot, &info);
    let work = check(&v, "work_mem");
    assert_eq!(
        (work.shown(), &work.source),
        ("8MB".to_owned(), &Source::AlterSystem)
    );
    assert!(!work.pending_restart);
    let shared = check(&v, "shared_buffers");
    assert!(shared.pending_restart, "shared_buffers needs a restart");
    assert_eq!(shared.shown(), "128MB", "the running value");
    assert_eq!(
        shared.pending_value.as_ref().map(Value::show).as_deref(),
        Some("256MB")
    );
    assert_eq!(
        shared.attention.as_ref().unwrap().severity,
        Severity::Warning
    );
    let statement = check(&v, "statement_timeout");
    assert_eq!(
        (statement.shown(), &statement.source),
        ("45s".to_owned(), &Source::AlterSystem),
        "what other sessions get, not pgmedic's own 3s"
    );
    let lock = check(&v, "lock_timeout");
    assert_eq!(
        (lock.shown(), &lock.source),
        ("2s".to_owned(), &Source::Database)
    );
    assert_eq!(check(&v, "max_connections").source, Source::CommandLine);
    assert_eq!(check(&v, "random_page_cost").source, Source::Default);

    // A role without pg_read_all_settings: what it cannot read is said to be hidden.
    let (snapshot, info) = read(&conninfo.replace("user=postgres", "user=plain_dba")).await;
    assert!(snapshot.files.is_err());
    let v = view(&snapshot, &info);
    assert_eq!(
        check(&v, "shared_preload_libraries").source.word(),
        "hidden"
    );
    let statement = check(&v, "statement_timeout");
    assert_eq!(
        statement.value, None,
        "pgmedic's own 3s is not the server's value"
    );
    assert_eq!(check(&v, "work_mem").shown(), "8MB");
    assert!(
        matches!(
            check(&v, "work_mem").source,
            Source::ConfigFile { file: None, .. }
        ),
        "the file is hidden from this role"
    );
}
