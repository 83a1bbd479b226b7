//! The Bloat & vacuum pane: the tables and indexes lists, the detail view, the vacuums in
//! progress and the xmin horizon, at 80x24 and 160x50.

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use pgmedic::app::model::Model;
use pgmedic::app::msg::Msg;
use pgmedic::app::pane::Pane;
use pgmedic::diagnose::bloat::{ColumnStats, Freshness, Geometry, IndexInputs, TableInputs};
use pgmedic::diagnose::maintenance::{
    BloatSnapshot, Catalog, HorizonHolder, IndexRow, TableRow, VacuumProgress,
};
use pgmedic::diagnose::vacuum::{AutovacuumSettings, TableCounters};

use crate::fixtures::{busy, dark, draw, screen};

/// Server clock of the catalog read (epoch seconds).
const NOW: f64 = 1_763_800_000.0;
const HOUR: f64 = 3600.0;

fn fresh() -> Freshness {
    Freshness {
        analyzed: true,
        mod_since_analyze: 0,
        rls_hidden: false,
    }
}

fn columns() -> Vec<ColumnStats> {
    vec![
        ColumnStats::new(8, 8, 8.0, 0.0),
        ColumnStats::new(-1, 4, 33.0, 0.0),
        ColumnStats::new(8, 8, 8.0, 0.1),
    ]
}

/// A table of `tuples` live rows on `pages` pages, with its counters.
fn table(relid: u32, name: &str, pages: i64, tuples: f64, counters: TableCounters) -> TableRow {
    TableRow {
        relid,
        schema: "public".to_owned(),
        name: name.to_owned(),
        matview: false,
        maintain: true,
        database_owner: false,
        size: Some(pages * 8192),
        toast_size: Some(8192),
        inputs: TableInputs {
            relpages: pages,
            reltuples: tuples,
            fillfactor: 100,
            columns: columns(),
            freshness: Freshness {
                mod_since_analyze: counters.n_mod_since_analyze,
                analyzed: counters.last_analyze.is_some() || counters.last_autoanalyze.is_some(),
                ..fresh()
            },
            now: None,
        },
        counters: TableCounters {
            reltuples: tuples,
            relpages: pages,
            n_live_tup: tuples as i64,
            xid_age: Some(41_000_000),
            mxid_age: Some(12),
            n_ins_since_vacuum: Some(0),
            ..counters
        },
    }
}

fn index(indexrelid: u32, relid: u32, name: &str, table: &str, am: &str, pages: i64) -> IndexRow {
    IndexRow {
        indexrelid,
        relid,
        schema: "public".to_owned(),
        name: name.to_owned(),
        table: table.to_owned(),
        unique: name.ends_with("pkey"),
        primary: name.ends_with("pkey"),
        size: Some(pages * 8192),
        inputs: IndexInputs {
            access_method: am.to_owned(),
            relpages: pages,
            reltuples: 1e6,
            dead_entries: 0.0,
            fillfactor: 90,
            columns: vec![ColumnStats::new(8, 8, 8.0, 0.0)],
            key_distinct: vec![Some(-1.0)],
            dedup_possible: false,
            freshness: fresh(),
        },
    }
}

fn catalog() -> Catalog {
    let ago = |h: f64| Some(NOW - h * HOUR);
    let orders = table(
        101,
        "orders",
        21_000,
        1e6,
        TableCounters {
            n_dead_tup: 480_000,
            n_mod_since_analyze: 20_000,
            last_autovacuum: ago(30.0),
            last_autoanalyze: ago(2.0),
            ..Default::default()
        },
    );
    let fills = table(
        102,
        "fills",
        8_500,
        1e6,
        TableCounters {
            n_dead_tup: 170_000,
            n_mod_since_analyze: 60_000,
            last_autovacuum: ago(5.0),
            last_autoanalyze: ago(5.0),
            ..Default::default()
        },
    );
    let mut audit = table(
        103,
        "audit_log",
        64_000,
        2e6,
        TableCounters {
            n_mod_since_analyze: 900_000,
            last_analyze: ago(400.0),
            ..Default::default()
        },
    );
    audit.counters.n_ins_since_vacuum = Some(900_000);
    audit.counters.xid_age = Some(205_000_000);
    let mut staging = table(
        104,
        "staging_import",
        1_200,
        50_000.0,
        TableCounters::default(),
    );
    staging.inputs.freshness.analyzed = false;
    let mut secrets = table(
        105,
        "payouts",
        900,
        40_000.0,
        TableCounters {
            last_autovacuum: ago(1.0),
            last_autoanalyze: ago(1.0),
            ..Default::default()
        },
    );
    secrets.inputs.freshness.rls_hidden = true;
    secrets.maintain = false;
    let accounts = table(
        106,
        "accounts",
        1_000,
        1e5,
        TableCounters {
            n_dead_tup: 900,
            last_autovacuum: ago(0.5),
            last_autoanalyze: ago(0.5),
            ..Default::default()
        },
    );
    let mut indexes = vec![
        index(201, 101, "orders_pkey", "orders", "btree", 5_400),
        index(202, 102, "fills_pkey", "fills", "btree", 2_745),
        index(203, 101, "orders_doc", "orders", "gin", 3_000),
        index(204, 102, "fills_status", "fills", "btree", 1_900),
    ];
    indexes[3].inputs.dedup_possible = true;
    indexes[3].inputs.key_distinct = vec![Some(4.0)];
    Catalog {
        read_at: NOW,
        read_ms: 84.0,
        version_num: 150_018,
        server_now: NOW,
        geometry: Geometry::default(),
        settings: AutovacuumSettings::default(),
        tables: vec![orders, fills, audit, staging, secrets, accounts],
        indexes,
    }
}

fn snapshot() -> BloatSnapshot {
    BloatSnapshot {
        taken_at: NOW,
        catalog: Ok(Arc::new(catalog())),
        progress: Ok(vec![VacuumProgress {
            command: "vacuum".to_owned(),
            pid: 5120,
            database: "shop".to_owned(),
            relid: 102,
            relation: Some("public.fills".to_owned()),
            phase: "scanning heap".to_owned(),
            blks_total: 8_500,
            blks_scanned: 3_825,
            autovacuum: true,
            running_secs: Some(95.0),
            wait_event_type: Some("Timeout".to_owned()),
            wait_event: Some("VacuumDelay".to_owned()),
            ..Default::default()
        }]),
        horizon: Ok(vec![
            HorizonHolder {
                kind: "session".to_owned(),
                name: "4242".to_owned(),
                database: "shop".to_owned(),
                detail: "app · reporting · idle in transaction · SELECT * FROM orders".to_owned(),
                xmin_age: Some(1_250_000),
                age_secs: Some(1_500.0),
            },
            HorizonHolder {
                kind: "slot".to_owned(),
                name: "old_replica".to_owned(),
                database: String::new(),
                detail: "physical · inactive".to_owned(),
                xmin_age: Some(23_000_000),
                age_secs: None,
            },
        ]),
    }
}

fn bloat_model() -> Model {
    let mut m = busy();
    m.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('5'),
        KeyModifiers::NONE,
    )));
    m.update(Msg::Bloat(Box::new(snapshot())));
    m.notice = None;
    m
}

fn press(m: &mut Model, code: KeyCode) {
    m.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

#[test]
fn bloat_80x24() {
    let m = bloat_model();
    assert_eq!(m.pane, Pane::Bloat);
    let terminal = draw(&m, &dark(), 80, 24);
    let text = screen(&terminal).join("\n");
    assert!(text.contains("URGENT public.orders"), "{text}");
    assert!(text.contains("stats hidden"), "{text}");
    assert!(text.contains("no ANALYZE"), "{text}");
    assert!(text.contains("45%"), "the vacuum's progress: {text}");
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn bloat_160x50() {
    let m = bloat_model();
    let terminal = draw(&m, &dark(), 160, 50);
    let text = screen(&terminal).join("\n");
    assert!(text.contains("old_replica"), "{text}");
    assert!(text.contains("xid age"), "the wide columns: {text}");
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn bloat_indexes_160x50() {
    let mut m = bloat_model();
    press(&mut m, KeyCode::Char('i'));
    let terminal = draw(&m, &dark(), 160, 50);
    let text = screen(&terminal).join("\n");
    assert!(
        text.contains("not btree") && text.contains("dedup"),
        "{text}"
    );
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn bloat_detail_80x24() {
    let mut m = bloat_model();
    press(&mut m, KeyCode::Enter);
    let terminal = draw(&m, &dark(), 80, 24);
    let text = screen(&terminal).join("\n");
    assert!(text.contains("2.4× the vacuum threshold"), "{text}");
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn bloat_detail_of_hidden_statistics_says_why_160x50() {
    let mut m = bloat_model();
    for c in "/payouts".chars() {
        press(&mut m, KeyCode::Char(c));
    }
    press(&mut m, KeyCode::Enter);
    press(&mut m, KeyCode::Enter);
    let terminal = draw(&m, &dark(), 160, 50);
    let text = screen(&terminal).join("\n");
    assert!(
        text.contains("statistics not visible to this role"),
        "{text}"
    );
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn vacuum_full_asks_for_its_word_and_names_the_lock() {
    let mut m = bloat_model();
    press(&mut m, KeyCode::Char('F'));
    let text = screen(&draw(&m, &dark(), 100, 30)).join("\n");
    assert!(
        text.contains("VACUUM (FULL, ANALYZE) \"public\".\"orders\";"),
        "{text}"
    );
    assert!(text.contains("ACCESS EXCLUSIVE"), "{text}");
    assert!(text.contains("type full and Enter"), "{text}");
}

#[test]
fn before_the_first_read_the_pane_says_what_it_is_doing() {
    let mut m = busy();
    m.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('5'),
        KeyModifiers::NONE,
    )));
    let text = screen(&draw(&m, &dark(), 80, 24)).join("\n");
    assert!(text.contains("reading every table and index"), "{text}");
}

#[test]
fn a_long_list_scrolls_with_its_selection() {
    let mut catalog = catalog();
    let template = catalog.tables[5].clone();
    for n in 0..200 {
        let mut t = template.clone();
        t.relid = 1000 + n;
        t.name = format!("many_{n:03}");
        catalog.tables.push(t);
    }
    let mut m = busy();
    m.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('5'),
        KeyModifiers::NONE,
    )));
    m.update(Msg::Bloat(Box::new(BloatSnapshot {
        catalog: Ok(Arc::new(catalog)),
        ..snapshot()
    })));
    for c in "sssss".chars() {
        press(&mut m, KeyCode::Char(c)); // by name
    }
    press(&mut m, KeyCode::Char('G'));
    let lines = screen(&draw(&m, &dark(), 80, 24));
    let last = lines
        .iter()
        .find(|l| l.contains("▸"))
        .cloned()
        .unwrap_or_default();
    assert!(
        last.contains("staging_…"),
        "the last row by name:\n{}",
        lines.join("\n")
    );
    press(&mut m, KeyCode::Char('g'));
    let lines = screen(&draw(&m, &dark(), 80, 24));
    assert!(
        lines
            .iter()
            .any(|l| l.contains("▸") && l.contains("public.accounts")),
        "{}",
        lines.join("\n")
    );
}
