use super::*;
use crate::diagnose::health::{Figure, Level};
use crate::server::{Extension, Privileges};
use crate::snapshot::settings::CheckpointCounters;

/// A superuser's view of a 15 primary with pg_stat_statements (also the app's tests' server).
pub(crate) fn server() -> ServerInfo {
    ServerInfo {
        version_num: 150_018,
        version: "15.18".to_owned(),
        is_standby: false,
        role: "postgres".to_owned(),
        database: "shop".to_owned(),
        backend_pid: 1,
        privileges: Privileges {
            superuser: true,
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

/// A pg_settings row: `(name, setting, unit, vartype, source)`.
fn row(name: &str, setting: &str, unit: Option<&str>, vartype: &str, source: &str) -> SettingRow {
    SettingRow {
        name: name.to_owned(),
        setting: setting.to_owned(),
        unit: unit.map(str::to_owned),
        vartype: vartype.to_owned(),
        context: "sighup".to_owned(),
        source: source.to_owned(),
        boot_val: Some(setting.to_owned()),
        ..SettingRow::default()
    }
}

/// A server with every setting at its default, as the monitoring session sees it.
fn defaults() -> Vec<SettingRow> {
    vec![
        row("shared_buffers", "16384", Some("8kB"), "integer", "default"),
        row(
            "effective_cache_size",
            "524288",
            Some("8kB"),
            "integer",
            "default",
        ),
        row("work_mem", "4096", Some("kB"), "integer", "default"),
        row(
            "maintenance_work_mem",
            "65536",
            Some("kB"),
            "integer",
            "default",
        ),
        row("wal_buffers", "512", Some("8kB"), "integer", "default"),
        row("max_connections", "100", None, "integer", "default"),
        row("statement_timeout", "3000", Some("ms"), "integer", "client"),
        row("lock_timeout", "500", Some("ms"), "integer", "client"),
        SettingRow {
            boot_val: Some("0".to_owned()),
            ..row(
                "idle_in_transaction_session_timeout",
                "30000",
                Some("ms"),
                "integer",
                "client",
            )
        },
        row(
            "idle_session_timeout",
            "0",
            Some("ms"),
            "integer",
            "default",
        ),
        row("random_page_cost", "4", None, "real", "default"),
        row("seq_page_cost", "1", None, "real", "default"),
        row("checkpoint_timeout", "300", Some("s"), "integer", "default"),
        row("max_wal_size", "1024", Some("MB"), "integer", "default"),
        row(
            "checkpoint_completion_target",
            "0.9",
            None,
            "real",
            "default",
        ),
        row(
            "log_min_duration_statement",
            "-1",
            Some("ms"),
            "integer",
            "default",
        ),
        row("track_io_timing", "on", None, "bool", "command line"),
        row("track_counts", "on", None, "bool", "default"),
        row(
            "shared_preload_libraries",
            "pg_stat_statements",
            None,
            "string",
            "command line",
        ),
        row("autovacuum", "on", None, "bool", "default"),
        row("autovacuum_max_workers", "3", None, "integer", "default"),
        row("autovacuum_naptime", "60", Some("s"), "integer", "default"),
        row(
            "autovacuum_vacuum_scale_factor",
            "0.2",
            None,
            "real",
            "default",
        ),
        row(
            "autovacuum_vacuum_insert_scale_factor",
            "0.2",
            None,
            "real",
            "default",
        ),
        row(
            "autovacuum_analyze_scale_factor",
            "0.1",
            None,
            "real",
            "default",
        ),
        row(
            "autovacuum_freeze_max_age",
            "200000000",
            None,
            "integer",
            "default",
        ),
    ]
}

fn snapshot(rows: Vec<SettingRow>, files: Part<Vec<FileSetting>>) -> SettingsSnapshot {
    SettingsSnapshot {
        taken_at: 3600.0,
        settings: Ok(rows),
        database: Ok(Vec::new()),
        files,
        checkpoints: Ok(CheckpointCounters {
            timed: 12,
            requested: 0,
            stats_reset: Some(0.0),
            ..CheckpointCounters::default()
        }),
    }
}

fn view(snapshot: &SettingsSnapshot, connections: Option<&Connections>) -> SettingsView {
    let server = server();
    let limits = Thresholds::default();
    let context = Context {
        server: &server,
        connections,
        throughput: None,
        limits: &limits,
    };
    build(None, snapshot, &context)
}

fn check<'a>(view: &'a SettingsView, name: &str) -> &'a SettingCheck {
    view.settings
        .as_ref()
        .unwrap()
        .iter()
        .find(|c| c.name == name)
        .unwrap()
}

fn reasons(view: &SettingsView) -> Vec<(&'static str, Severity)> {
    view.attention()
        .map(|(s, a)| (s.name, a.severity))
        .collect()
}

#[test]
fn a_default_server_gets_advice_but_no_warning() {
    let v = view(&snapshot(defaults(), Ok(Vec::new())), None);
    let found = reasons(&v);
    assert!(found.iter().all(|(_, s)| *s == Severity::Info), "{found:?}");
    let names: Vec<&str> = found.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        [
            "shared_buffers",
            "maintenance_work_mem",
            "log_min_duration_statement"
        ]
    );
    assert_eq!(check(&v, "shared_buffers").shown(), "128MB");
    assert_eq!(check(&v, "effective_cache_size").shown(), "4GB");
    assert_eq!(check(&v, "checkpoint_timeout").shown(), "5min");
}

#[test]
fn pgmedics_own_timeouts_are_replaced_by_what_other_sessions_get() {
    let files = vec![FileSetting {
        name: "statement_timeout".to_owned(),
        setting: "30s".to_owned(),
        sourcefile: "/data/postgresql.auto.conf".to_owned(),
        sourceline: 3,
        applied: true,
        error: None,
    }];
    let v = view(&snapshot(defaults(), Ok(files)), None);
    let statement = check(&v, "statement_timeout");
    assert_eq!(
        (statement.shown(), &statement.source),
        ("30s".to_owned(), &Source::AlterSystem)
    );
    let idle = check(&v, "idle_in_transaction_session_timeout");
    assert_eq!(
        (idle.shown(), &idle.source),
        ("0".to_owned(), &Source::Default),
        "not pgmedic's own 30s"
    );
    let hidden = view(
        &snapshot(defaults(), Err("superusers only".to_owned())),
        None,
    );
    let lock = check(&hidden, "lock_timeout");
    assert_eq!(lock.value, None);
    assert!(matches!(&lock.source, Source::Hidden(why) if why.contains("pg_file_settings")));
}

#[test]
fn no_idle_in_transaction_timeout_is_a_warning_only_while_sessions_sit_idle() {
    let snap = snapshot(defaults(), Ok(Vec::new()));
    let idle = |oldest: f64| Connections {
        idle_in_transaction: Figure::new(2, Level::Warn),
        oldest_idle_in_transaction: Figure::new(Some(oldest), Level::Warn),
        ..Connections::default()
    };
    let v = view(&snap, Some(&idle(372.0)));
    let attention = check(&v, "idle_in_transaction_session_timeout")
        .attention
        .as_ref()
        .unwrap();
    assert_eq!(attention.severity, Severity::Warning);
    assert!(
        attention.reason.contains("2 sessions"),
        "{}",
        attention.reason
    );
    assert!(
        attention
            .sql
            .as_deref()
            .unwrap()
            .starts_with("ALTER SYSTEM SET \"idle_in_transaction_session_timeout\" = '10min';")
    );
    let v = view(&snap, Some(&idle(5.0)));
    assert!(
        check(&v, "idle_in_transaction_session_timeout")
            .attention
            .is_none(),
        "a few seconds is an application at work"
    );
}

#[test]
fn alter_system_and_a_pending_restart_are_told_apart() {
    let mut rows = defaults();
    let shared = rows
        .iter_mut()
        .find(|r| r.name == "shared_buffers")
        .unwrap();
    shared.source = "configuration file".to_owned();
    shared.sourcefile = Some("/data/postgresql.conf".to_owned());
    shared.sourceline = Some(127);
    shared.pending_restart = true;
    let work = rows.iter_mut().find(|r| r.name == "work_mem").unwrap();
    work.source = "configuration file".to_owned();
    work.sourcefile = Some("/data/postgresql.auto.conf".to_owned());
    let files = vec![FileSetting {
        name: "shared_buffers".to_owned(),
        setting: "256MB".to_owned(),
        sourcefile: "/data/postgresql.auto.conf".to_owned(),
        sourceline: 4,
        applied: false,
        error: Some("setting could not be applied".to_owned()),
    }];
    let v = view(&snapshot(rows, Ok(files)), None);
    let shared = check(&v, "shared_buffers");
    assert_eq!(shared.source.detail(), "/data/postgresql.conf:127");
    assert_eq!(
        shared.pending_value,
        Some(Value::Bytes(256.0 * 1_048_576.0))
    );
    let attention = shared.attention.as_ref().unwrap();
    assert_eq!(attention.severity, Severity::Warning);
    assert!(
        attention.reason.contains("to 256MB") && attention.reason.contains("keeps 128MB"),
        "{}",
        attention.reason
    );
    assert_eq!(check(&v, "work_mem").source, Source::AlterSystem);
}

#[test]
fn requested_checkpoints_raise_max_wal_size_from_the_wal_rate() {
    let mut snap = snapshot(defaults(), Ok(Vec::new()));
    snap.checkpoints = Ok(CheckpointCounters {
        timed: 6,
        requested: 18,
        stats_reset: Some(0.0),
        wal_bytes: Some(3600.0 * 8.0 * 1_048_576.0),
        wal_stats_reset: Some(0.0),
        ..CheckpointCounters::default()
    });
    let v = view(&snap, None);
    let attention = check(&v, "max_wal_size").attention.as_ref().unwrap();
    assert_eq!(attention.severity, Severity::Info);
    assert!(
        attention.reason.starts_with("18 of 24 checkpoints"),
        "{}",
        attention.reason
    );
    // 8 MiB/s × 300 s × 1.9 = 4560 MiB → 8 GiB.
    assert_eq!(
        attention.sql.as_deref(),
        Some("ALTER SYSTEM SET \"max_wal_size\" = '8GB';\nSELECT pg_reload_conf();")
    );
}

#[test]
fn pg_stat_statements_missing_from_preload_gets_the_whole_list_back() {
    let mut rows = defaults();
    rows.iter_mut()
        .find(|r| r.name == "shared_preload_libraries")
        .unwrap()
        .setting = "auto_explain".to_owned();
    let mut server = server();
    server.shared_preload_libraries = Some(vec!["auto_explain".to_owned()]);
    let limits = Thresholds::default();
    let context = Context {
        server: &server,
        connections: None,
        throughput: None,
        limits: &limits,
    };
    let v = build(None, &snapshot(rows, Ok(Vec::new())), &context);
    let attention = check(&v, "shared_preload_libraries")
        .attention
        .as_ref()
        .unwrap();
    assert!(
        attention.reason.contains("not loaded"),
        "{}",
        attention.reason
    );
    assert!(attention.sql.as_deref().unwrap().starts_with(
        "ALTER SYSTEM SET \"shared_preload_libraries\" = 'auto_explain,pg_stat_statements';"
    ));
}

#[test]
fn settings_the_role_cannot_see_are_listed_as_hidden() {
    let rows: Vec<SettingRow> = defaults()
        .into_iter()
        .filter(|r| r.name != "shared_preload_libraries")
        .collect();
    let v = view(&snapshot(rows, Ok(Vec::new())), None);
    let preload = check(&v, "shared_preload_libraries");
    assert_eq!(preload.shown(), "?");
    assert_eq!(preload.source.word(), "hidden");
}

#[test]
fn autovacuum_off_is_a_warning_with_its_fix() {
    let mut rows = defaults();
    rows.iter_mut()
        .find(|r| r.name == "autovacuum")
        .unwrap()
        .setting = "off".to_owned();
    let v = view(&snapshot(rows, Ok(Vec::new())), None);
    let attention = check(&v, "autovacuum").attention.as_ref().unwrap();
    assert_eq!(attention.severity, Severity::Warning);
    assert_eq!(
        attention.sql.as_deref(),
        Some("ALTER SYSTEM SET \"autovacuum\" = 'on';\nSELECT pg_reload_conf();")
    );
}

#[test]
fn an_alter_system_value_the_command_line_outranks_is_told() {
    let mut rows = defaults();
    let shared = rows
        .iter_mut()
        .find(|r| r.name == "shared_buffers")
        .unwrap();
    shared.source = "command line".to_owned();
    shared.pending_restart = true;
    let files = vec![FileSetting {
        name: "shared_buffers".to_owned(),
        setting: "512MB".to_owned(),
        sourcefile: "/data/postgresql.auto.conf".to_owned(),
        sourceline: 3,
        applied: false,
        error: Some("setting could not be applied".to_owned()),
    }];
    let v = view(&snapshot(rows.clone(), Ok(files)), None);
    let shared = check(&v, "shared_buffers");
    assert!(!shared.pending_restart, "a restart would not change it");
    assert_eq!(
        shared.overridden,
        Some(Overridden {
            value: Some((Value::Bytes(512.0 * 1_048_576.0), Source::AlterSystem))
        })
    );
    // Without the files (not a superuser): the server still says they differ.
    let v = view(&snapshot(rows, Err("superusers only".to_owned())), None);
    assert_eq!(
        check(&v, "shared_buffers").overridden,
        Some(Overridden { value: None })
    );
}
