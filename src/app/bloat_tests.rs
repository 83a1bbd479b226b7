use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::app::model::Mode;
use crate::app::msg::{ConnEvent, Msg};
use crate::diagnose::bloat::{ColumnStats, Freshness, IndexInputs, TableInputs};
use crate::diagnose::vacuum::TableCounters;
use crate::server::{Extension, Privileges};

fn server(version_num: u32, standby: bool, pgstattuple: Option<bool>) -> ServerInfo {
    ServerInfo {
        version_num,
        version: version_num.to_string(),
        is_standby: standby,
        role: "app".to_owned(),
        database: "shop".to_owned(),
        backend_pid: 1,
        privileges: Privileges {
            superuser: true,
            ..Privileges::default()
        },
        max_connections: 100,
        superuser_reserved_connections: 3,
        shared_preload_libraries: None,
        read_only_session: true,
        extensions: pgstattuple
            .map(|installed| Extension {
                name: "pgstattuple".to_owned(),
                installed: installed.then(|| "1.5".to_owned()),
                available: "1.5".to_owned(),
            })
            .into_iter()
            .collect(),
    }
}

fn table(relid: u32, name: &str, dead: i64, maintain: bool) -> TableRow {
    TableRow {
        relid,
        schema: "public".to_owned(),
        name: name.to_owned(),
        matview: false,
        maintain,
        database_owner: false,
        size: Some(100 * 8192),
        toast_size: Some(0),
        inputs: TableInputs {
            relpages: 100,
            reltuples: 5000.0,
            fillfactor: 100,
            columns: vec![ColumnStats::new(4, 4, 4.0, 0.0)],
            freshness: Freshness {
                analyzed: true,
                mod_since_analyze: 0,
                rls_hidden: false,
            },
            now: None,
        },
        counters: TableCounters {
            n_live_tup: 5000,
            n_dead_tup: dead,
            xid_age: Some(10),
            last_autovacuum: Some(1.0),
            ..Default::default()
        },
    }
}

fn catalog() -> Catalog {
    let mut tables = vec![
        table(1, "orders", 100, true),
        table(2, "fills", 4000, true),
        table(3, "payouts", 0, false),
    ];
    tables[1].inputs.relpages = 400;
    tables[1].size = Some(400 * 8192);
    let index = IndexRow {
        indexrelid: 10,
        relid: 1,
        schema: "public".to_owned(),
        name: "orders_pkey".to_owned(),
        table: "orders".to_owned(),
        unique: true,
        primary: true,
        size: Some(20 * 8192),
        inputs: IndexInputs {
            access_method: "btree".to_owned(),
            relpages: 20,
            reltuples: 5000.0,
            dead_entries: 0.0,
            fillfactor: 90,
            columns: vec![ColumnStats::new(4, 4, 4.0, 0.0)],
            key_distinct: vec![Some(-1.0)],
            dedup_possible: false,
            freshness: tables[0].inputs.freshness,
        },
    };
    Catalog {
        tables,
        indexes: vec![index],
        ..Default::default()
    }
}

fn snapshot() -> BloatSnapshot {
    BloatSnapshot {
        taken_at: 0.0,
        catalog: Ok(Arc::new(catalog())),
        progress: Ok(Vec::new()),
        horizon: Ok(Vec::new()),
    }
}

fn model_on(server: ServerInfo, read_only: bool) -> Model {
    let mut m = Model::new(
        "t".to_owned(),
        Duration::from_secs(2),
        read_only,
        Instant::now(),
    );
    m.update(Msg::Conn(ConnEvent::Up(Box::new(server))));
    m.apply(Action::GoTo(Pane::Bloat));
    m.update(Msg::Bloat(Box::new(snapshot())));
    m
}

fn key(m: &mut Model, c: char) -> Vec<Effect> {
    m.update(Msg::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::NONE,
    )))
}

fn notice(m: &Model) -> String {
    m.notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default()
}

fn selected_name(m: &Model) -> String {
    match m.bloat.selected().unwrap() {
        Selected::Table(t, _) => t.name.clone(),
        Selected::Index(i, _, _) => i.name.clone(),
    }
}

#[test]
fn rows_are_sorted_by_wasted_bytes_and_the_selection_follows_its_row() {
    let mut m = model_on(server(150_000, false, Some(true)), false);
    assert_eq!(selected_name(&m), "fills", "the most bloated first");
    key(&mut m, 'j');
    let was = selected_name(&m);
    key(&mut m, 's');
    assert_eq!(m.bloat.sort, SortKey::Status);
    assert_eq!(selected_name(&m), was, "re-sorting keeps the selected row");
    m.update(Msg::Bloat(Box::new(snapshot())));
    assert_eq!(selected_name(&m), was, "a new catalog keeps it too");
    key(&mut m, 'i');
    assert_eq!(selected_name(&m), "orders_pkey");
}

#[test]
fn the_filter_narrows_the_list() {
    let mut m = model_on(server(150_000, false, Some(true)), false);
    key(&mut m, '/');
    for c in "pay".chars() {
        key(&mut m, c);
    }
    assert_eq!(m.bloat.visible().len(), 1);
    assert_eq!(selected_name(&m), "payouts");
    m.update(Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)));
    assert_eq!(m.bloat.visible().len(), 3);
}

#[test]
fn slash_starts_a_new_filter_and_esc_on_the_list_clears_it() {
    let mut m = model_on(server(150_000, false, Some(true)), false);
    key(&mut m, '/');
    for c in "pay".chars() {
        key(&mut m, c);
    }
    m.update(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    assert_eq!(m.bloat.filter, "pay");
    // `/` again: a new filter, not "payfil".
    key(&mut m, '/');
    for c in "fil".chars() {
        key(&mut m, c);
    }
    m.update(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    assert_eq!(m.bloat.filter, "fil");
    assert_eq!(selected_name(&m), "fills");
    // Esc on the filtered list (no prompt open) shows it whole again.
    m.update(Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)));
    assert!(m.bloat.filter.is_empty());
    assert_eq!(m.bloat.visible().len(), 3);
}

#[test]
fn actions_show_their_quoted_sql() {
    let mut m = model_on(server(150_000, false, Some(true)), false);
    key(&mut m, 'v');
    let Mode::Confirm(confirm) = &m.mode else {
        panic!("{}", notice(&m));
    };
    assert_eq!(
        confirm.spec.statements[0],
        "VACUUM (ANALYZE) \"public\".\"fills\""
    );
    // Then its own count of the dead tuples it left, for the result.
    assert!(
        confirm.spec.statements[1].starts_with("SELECT s.n_dead_tup AS dead_tuples_left")
            && confirm.spec.statements[1].contains("'\"public\".\"fills\"'::regclass"),
        "{}",
        confirm.spec.statements[1]
    );
    assert_eq!(confirm.spec.kind, JobKind::Vacuum);
    m.update(Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)));
    key(&mut m, 'a');
    let Mode::Confirm(confirm) = &m.mode else {
        panic!("{}", notice(&m));
    };
    assert_eq!(confirm.spec.sql(), "ANALYZE \"public\".\"fills\";");
}

#[test]
fn refusals_say_why() {
    let mut read_only = model_on(server(150_000, false, Some(true)), true);
    key(&mut read_only, 'v');
    assert_eq!(read_only.mode, Mode::Normal);
    assert!(
        notice(&read_only).contains("--read-only"),
        "{}",
        notice(&read_only)
    );

    let mut standby = model_on(server(150_000, true, Some(true)), false);
    key(&mut standby, 'F');
    assert!(notice(&standby).contains("standby"), "{}", notice(&standby));

    let mut m = model_on(server(150_000, false, Some(true)), false);
    for c in "/payouts".chars() {
        key(&mut m, c);
    }
    m.update(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    key(&mut m, 'v');
    assert_eq!(m.mode, Mode::Normal);
    assert!(
        notice(&m)
            .contains("app may not maintain public.payouts: it takes its owner or a superuser"),
        "{}",
        notice(&m)
    );
    let mut seventeen = model_on(server(170_000, false, Some(true)), false);
    for c in "/payouts".chars() {
        key(&mut seventeen, c);
    }
    seventeen.update(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    key(&mut seventeen, 'a');
    assert!(
        notice(&seventeen).contains("MAINTAIN privilege"),
        "{}",
        notice(&seventeen)
    );

    let mut tables = model_on(server(150_000, false, Some(true)), false);
    key(&mut tables, 'r');
    assert!(
        notice(&tables).contains("select an index"),
        "{}",
        notice(&tables)
    );
}

#[test]
fn x_measures_or_offers_pgstattuple_or_says_it_is_missing() {
    let mut missing = model_on(server(150_000, false, None), false);
    assert!(key(&mut missing, 'x').is_empty());
    assert!(notice(&missing).contains("contrib"), "{}", notice(&missing));

    let mut available = model_on(server(150_000, false, Some(false)), false);
    key(&mut available, 'x');
    let Mode::Confirm(confirm) = &available.mode else {
        panic!("{}", notice(&available));
    };
    assert_eq!(confirm.spec.kind, JobKind::CreateExtension);
    assert_eq!(confirm.spec.sql(), "CREATE EXTENSION pgstattuple;");
    available.bloat_job_finished(&JobEvent::Finished {
        id: 1,
        kind: JobKind::CreateExtension,
        target: "pgstattuple".to_owned(),
        outcome: Outcome::Done { rows: Vec::new() },
        elapsed: Duration::from_millis(5),
    });
    let ext = available
        .server
        .as_ref()
        .unwrap()
        .extension("pgstattuple")
        .unwrap();
    assert!(ext.installed.is_some(), "created: x measures from now on");

    let mut installed = model_on(server(150_000, false, Some(true)), false);
    let effects = key(&mut installed, 'x');
    let [Effect::Work(Request::BloatExact(request))] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(request.oid, 2);
    assert_eq!(request.what, Measured::Table { approximate: false });
    assert_eq!(installed.bloat.exact.get(&2), Some(&Exact::Running));
}

#[test]
fn a_finished_maintenance_job_refreshes_and_forgets_the_old_measurement() {
    let mut m = model_on(server(150_000, false, Some(true)), false);
    m.bloat.exact.insert(2, Exact::Running);
    let effects = m.bloat_job_finished(&JobEvent::Finished {
        id: 3,
        kind: JobKind::Vacuum,
        target: "public.fills".to_owned(),
        outcome: Outcome::Done { rows: Vec::new() },
        elapsed: Duration::from_secs(1),
    });
    assert_eq!(effects, vec![Effect::RefreshNow]);
    assert!(!m.bloat.exact.contains_key(&2));
    let failed = m.bloat_job_finished(&JobEvent::Finished {
        id: 4,
        kind: JobKind::Vacuum,
        target: "public.fills".to_owned(),
        outcome: Outcome::Cancelled,
        elapsed: Duration::from_secs(1),
    });
    assert!(failed.is_empty());
}

#[test]
fn enter_opens_the_detail_and_esc_closes_it() {
    let mut m = model_on(server(150_000, false, Some(true)), false);
    m.update(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    assert!(m.bloat.detail);
    m.update(Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)));
    assert!(!m.bloat.detail);
}

/// Runs the proposed job (as if confirmed) and ends it with `outcome`.
fn finish(m: &mut Model, outcome: Outcome) -> Vec<Effect> {
    let effects = m.update(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    let Some(Effect::RunJob(id, spec)) = effects.into_iter().next() else {
        panic!("the confirmation starts the job: {}", notice(m));
    };
    m.update(Msg::Job(JobEvent::Finished {
        id,
        kind: spec.kind,
        target: spec.target,
        outcome,
        elapsed: Duration::from_secs(1),
    }))
}

#[test]
fn a_vacuum_that_leaves_dead_tuples_says_how_many_and_who_holds_them() {
    let mut m = model_on(server(150_000, false, Some(true)), false);
    m.update(Msg::Bloat(Box::new(BloatSnapshot {
        horizon: Ok(vec![HorizonHolder {
            kind: "session".to_owned(),
            name: "32624".to_owned(),
            database: "shop".to_owned(),
            detail: "backoffice · idle in transaction".to_owned(),
            xmin_age: Some(127_000),
            age_secs: Some(140.0),
        }]),
        ..snapshot()
    })));
    key(&mut m, 'v');
    let rows = vec![vec![Some("6022448".to_owned())]];
    finish(&mut m, Outcome::Done { rows });
    let said = notice(&m);
    assert!(
        said.contains("6022448 dead tuples left") && said.contains("session 32624"),
        "{said}"
    );
    assert_eq!(m.notice.as_ref().unwrap().level, Level::Warn);
    let job = m.jobs.jobs.last().unwrap();
    assert!(
        job.note
            .as_deref()
            .is_some_and(|n| n.contains("backoffice")),
        "{job:?}"
    );

    // All removed (or the count not in yet): nothing more than "done".
    key(&mut m, 'v');
    finish(
        &mut m,
        Outcome::Done {
            rows: vec![vec![Some("0".to_owned())]],
        },
    );
    assert!(m.jobs.jobs.last().unwrap().note.is_none());
    assert!(notice(&m).ends_with("done"), "{}", notice(&m));
}

#[test]
fn a_failed_reindex_looks_for_its_invalid_copies_to_drop() {
    let mut m = model_on(server(150_000, false, Some(true)), false);
    key(&mut m, 'i');
    key(&mut m, 'r');
    let effects = finish(
        &mut m,
        Outcome::Failed {
            error: "canceling statement due to lock timeout".to_owned(),
        },
    );
    let looked: Vec<&str> =
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Work(Request::Indexes(
                    crate::work::indexes::IndexesRequest::Leftover { schema, name, .. },
                )) if schema == "public" => Some(name.as_str()),
                _ => None,
            })
            .collect();
    assert_eq!(looked, ["orders_pkey_ccnew", "orders_pkey_ccold"]);
    assert!(effects.contains(&Effect::RefreshNow));
    // Cancelled, it leaves the same.
    key(&mut m, 'r');
    let effects = finish(&mut m, Outcome::Cancelled);
    assert_eq!(
        effects
            .iter()
            .filter(|e| matches!(e, Effect::Work(Request::Indexes(_))))
            .count(),
        2
    );
}

/// The name the first leftover check looks for.
fn first_leftover(effects: &[Effect]) -> String {
    match effects.first() {
        Some(Effect::Work(Request::Indexes(crate::work::indexes::IndexesRequest::Leftover {
            name,
            ..
        }))) => name.clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_copy_of_a_long_index_name_is_cut_as_the_server_cuts_it() {
    use crate::app::indexes::reindex_leftover_checks;
    let long = "x".repeat(63);
    let name = first_leftover(&reindex_leftover_checks("public.x", "public", &long));
    assert_eq!(name.len(), 63);
    assert_eq!(name, format!("{}_ccnew", "x".repeat(57)));
    // Never inside a character: 'é' is two bytes.
    let accented = "é".repeat(31);
    let name = first_leftover(&reindex_leftover_checks("public.x", "public", &accented));
    assert_eq!(name, format!("{}_ccnew", "é".repeat(28)));
}
