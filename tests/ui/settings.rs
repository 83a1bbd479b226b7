//! The Settings pane at both reference sizes, its detail view and its filter: the busy primary
//! with settings from every source, a restart pending, advice and a warning, and the
//! checkpointer's figures.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use pgmedic::app::model::Model;
use pgmedic::app::msg::Msg;
use pgmedic::app::pane::Pane;
use pgmedic::snapshot::settings::{CheckpointCounters, FileSetting, SettingRow, SettingsSnapshot};

use crate::fixtures::{busy, dark, draw, screen};

/// Server clock of the settings readings (epoch seconds).
const AT: f64 = 1_763_800_090.0;

/// `(name, setting, unit, vartype, context, source, file)`.
type Row = (
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
);

const ROWS: &[Row] = &[
    (
        "shared_buffers",
        "524288",
        Some("8kB"),
        "integer",
        "postmaster",
        "configuration file",
        Some("/etc/postgresql/15/main/postgresql.conf"),
    ),
    (
        "effective_cache_size",
        "1572864",
        Some("8kB"),
        "integer",
        "user",
        "configuration file",
        Some("/etc/postgresql/15/main/postgresql.conf"),
    ),
    (
        "work_mem",
        "4096",
        Some("kB"),
        "integer",
        "user",
        "default",
        None,
    ),
    (
        "maintenance_work_mem",
        "1048576",
        Some("kB"),
        "integer",
        "user",
        "configuration file",
        Some("/var/lib/postgresql/15/main/postgresql.auto.conf"),
    ),
    (
        "wal_buffers",
        "2048",
        Some("8kB"),
        "integer",
        "postmaster",
        "default",
        None,
    ),
    (
        "max_connections",
        "100",
        None,
        "integer",
        "postmaster",
        "configuration file",
        Some("/etc/postgresql/15/main/postgresql.conf"),
    ),
    (
        "statement_timeout",
        "3000",
        Some("ms"),
        "integer",
        "user",
        "client",
        None,
    ),
    (
        "lock_timeout",
        "500",
        Some("ms"),
        "integer",
        "user",
        "client",
        None,
    ),
    (
        "idle_in_transaction_session_timeout",
        "30000",
        Some("ms"),
        "integer",
        "user",
        "client",
        None,
    ),
    (
        "idle_session_timeout",
        "0",
        Some("ms"),
        "integer",
        "user",
        "default",
        None,
    ),
    (
        "random_page_cost",
        "1.1",
        None,
        "real",
        "user",
        "configuration file",
        Some("/var/lib/postgresql/15/main/postgresql.auto.conf"),
    ),
    ("seq_page_cost", "1", None, "real", "user", "default", None),
    (
        "checkpoint_timeout",
        "300",
        Some("s"),
        "integer",
        "sighup",
        "default",
        None,
    ),
    (
        "max_wal_size",
        "1024",
        Some("MB"),
        "integer",
        "sighup",
        "default",
        None,
    ),
    (
        "checkpoint_completion_target",
        "0.9",
        None,
        "real",
        "sighup",
        "default",
        None,
    ),
    (
        "log_min_duration_statement",
        "1000",
        Some("ms"),
        "integer",
        "superuser",
        "configuration file",
        Some("/etc/postgresql/15/main/postgresql.conf"),
    ),
    (
        "track_io_timing",
        "off",
        None,
        "bool",
        "superuser",
        "default",
        None,
    ),
    (
        "track_counts",
        "on",
        None,
        "bool",
        "superuser",
        "default",
        None,
    ),
    (
        "shared_preload_libraries",
        "pg_stat_statements",
        None,
        "string",
        "postmaster",
        "configuration file",
        Some("/etc/postgresql/15/main/postgresql.conf"),
    ),
    ("autovacuum", "on", None, "bool", "sighup", "default", None),
    (
        "autovacuum_max_workers",
        "3",
        None,
        "integer",
        "postmaster",
        "default",
        None,
    ),
    (
        "autovacuum_naptime",
        "60",
        Some("s"),
        "integer",
        "sighup",
        "default",
        None,
    ),
    (
        "autovacuum_vacuum_scale_factor",
        "0.2",
        None,
        "real",
        "sighup",
        "default",
        None,
    ),
    (
        "autovacuum_vacuum_insert_scale_factor",
        "0.2",
        None,
        "real",
        "sighup",
        "default",
        None,
    ),
    (
        "autovacuum_analyze_scale_factor",
        "0.1",
        None,
        "real",
        "sighup",
        "default",
        None,
    ),
    (
        "autovacuum_freeze_max_age",
        "200000000",
        None,
        "integer",
        "postmaster",
        "default",
        None,
    ),
];

fn snapshot(taken_at: f64, requested: i64) -> SettingsSnapshot {
    let settings = ROWS
        .iter()
        .map(
            |(name, setting, unit, vartype, context, source, file)| SettingRow {
                name: (*name).to_owned(),
                setting: (*setting).to_owned(),
                unit: unit.map(str::to_owned),
                vartype: (*vartype).to_owned(),
                context: (*context).to_owned(),
                source: (*source).to_owned(),
                sourcefile: file.map(str::to_owned),
                sourceline: file.map(|_| 64),
                boot_val: Some(if *name == "idle_in_transaction_session_timeout" {
                    "0".to_owned()
                } else {
                    (*setting).to_owned()
                }),
                pending_restart: *name == "shared_buffers",
                short_desc: String::new(),
            },
        )
        .collect();
    let file = |name: &str, setting: &str, applied: bool| FileSetting {
        name: name.to_owned(),
        setting: setting.to_owned(),
        sourcefile: "/var/lib/postgresql/15/main/postgresql.auto.conf".to_owned(),
        sourceline: 3,
        applied,
        error: (!applied).then(|| "setting could not be applied".to_owned()),
    };
    SettingsSnapshot {
        taken_at,
        settings: Ok(settings),
        database: Ok(vec![("lock_timeout".to_owned(), "2s".to_owned())]),
        files: Ok(vec![
            file("statement_timeout", "30s", true),
            file("shared_buffers", "8GB", false),
        ]),
        checkpoints: Ok(CheckpointCounters {
            timed: 310,
            requested,
            write_time_ms: 4_512_000.0,
            sync_time_ms: 1_830.0,
            buffers_written: 9_200_000,
            stats_reset: Some(AT - 3.0 * 86_400.0),
            wal_bytes: Some(3.0 * 86_400.0 * 6.0 * 1_048_576.0),
            wal_stats_reset: Some(AT - 3.0 * 86_400.0),
            ..CheckpointCounters::default()
        }),
    }
}

/// The busy primary on its Settings pane, after two readings of the settings.
fn settings_model() -> Model {
    let mut m = busy();
    m.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('8'),
        KeyModifiers::NONE,
    )));
    assert_eq!(m.pane, Pane::Settings);
    m.update(Msg::Settings(Box::new(snapshot(AT - 10.0, 200))));
    m.update(Msg::Settings(Box::new(snapshot(AT, 203))));
    m
}

fn key(m: &mut Model, code: KeyCode) {
    m.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

/// `/`, `text`, Enter.
fn filter(m: &mut Model, text: &str) {
    key(m, KeyCode::Char('/'));
    for c in text.chars() {
        key(m, KeyCode::Char(c));
    }
    key(m, KeyCode::Enter);
}

#[test]
fn settings_80x24() {
    let terminal = draw(&settings_model(), &dark(), 80, 24);
    insta::assert_snapshot!(terminal.backend());
    let text = screen(&terminal).join("\n");
    assert!(text.contains("shared_buffers"), "{text}");
    assert!(text.contains("pending"), "{text}");
    assert!(text.contains("WARN"), "{text}");
}

#[test]
fn settings_160x50() {
    let terminal = draw(&settings_model(), &dark(), 160, 50);
    insta::assert_snapshot!(terminal.backend());
    let text = screen(&terminal).join("\n");
    for expected in [
        "ALTER SYSTEM",
        "timed 310 · requested 203",
        "39.6% requested",
        "idle_in_transaction_session_timeout",
        "last 10s: 0 timed, 3 requested",
    ] {
        assert!(text.contains(expected), "{expected:?} missing:\n{text}");
    }
}

#[test]
fn a_setting_in_detail_shows_its_advice_and_sql() {
    let mut m = settings_model();
    filter(&mut m, "idle_in");
    key(&mut m, KeyCode::Enter);
    assert!(m.settings.detail);
    let terminal = draw(&m, &dark(), 80, 24);
    insta::assert_snapshot!(terminal.backend());
    let text = screen(&terminal).join("\n");
    assert!(text.contains("no timeout while"), "{text}");
    assert!(
        text.contains("ALTER SYSTEM SET \"idle_in_transaction_session_timeout\" = '10min';"),
        "{text}"
    );
    let effects = m.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('y'),
        KeyModifiers::NONE,
    )));
    assert_eq!(
        effects,
        vec![pgmedic::app::effect::Effect::Copy(
            "ALTER SYSTEM SET \"idle_in_transaction_session_timeout\" = '10min';\nSELECT pg_reload_conf();"
                .to_owned()
        )]
    );
}

#[test]
fn before_the_first_reading_the_pane_says_what_it_reads() {
    let mut m = busy();
    key(&mut m, KeyCode::Char('8'));
    let text = screen(&draw(&m, &dark(), 80, 24)).join("\n");
    assert!(text.contains("reading the settings"), "{text}");
}

#[test]
fn a_checkpoint_setting_brings_the_checkpoints_figures_at_80x24() {
    let mut m = settings_model();
    filter(&mut m, "max_wal");
    let terminal = draw(&m, &dark(), 80, 24);
    insta::assert_snapshot!(terminal.backend());
    let text = screen(&terminal).join("\n");
    assert!(text.contains("requested 203"), "{text}");
    assert!(text.contains("max_wal_size = 1GB"), "{text}");
    for (w, h) in [(0, 0), (1, 1), (80, 1), (20, 3)] {
        draw(&m, &dark(), w, h);
    }
}
