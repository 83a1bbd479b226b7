use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::keymap;
use crate::app::model::{Mode, Model};
use crate::app::msg::{ConnEvent, Msg};
use crate::app::pane::Pane;
use crate::diagnose::indexes::{ForeignKey, IndexDef, TableInfo};
use crate::jobs::{JobEvent, Outcome};
use crate::server::{Privileges, ServerInfo};
use crate::work::Request;
use crate::work::indexes::IndexesRequest;

fn server(standby: bool) -> ServerInfo {
    ServerInfo {
        version_num: 150_018,
        version: "15.18".to_owned(),
        is_standby: standby,
        role: "app".to_owned(),
        database: "shop".to_owned(),
        backend_pid: 1,
        privileges: Privileges::default(),
        max_connections: 100,
        superuser_reserved_connections: 3,
        shared_preload_libraries: None,
        read_only_session: true,
        extensions: Vec::new(),
    }
}

fn index(oid: i64, name: &str, columns: &[&str], scans: i64) -> IndexDef {
    IndexDef {
        oid,
        table_oid: 10,
        schema: "public".to_owned(),
        table: "Weird \"T\"".to_owned(),
        name: name.to_owned(),
        method: "btree".to_owned(),
        key_count: columns.len(),
        attnums: (1..=columns.len() as i16).collect(),
        columns: columns.iter().map(|c| (*c).to_owned()).collect(),
        opclasses: vec![1; columns.len()],
        collations: vec![0; columns.len()],
        options: vec![0; columns.len()],
        valid: true,
        scans,
        size_bytes: Some(8192),
        definition: format!("CREATE INDEX {name} ON public.t USING btree (a)"),
        ..IndexDef::default()
    }
}

/// An unused index and a foreign key on column b without an index, on a table `app` owns.
fn snapshot(owned: bool) -> IndexesSnapshot {
    IndexesSnapshot {
        taken_at: 1000.0,
        database: "shop".to_owned(),
        indexes: vec![index(1, "t_a_idx", &["a"], 0)],
        tables: vec![TableInfo {
            oid: 10,
            schema: "public".to_owned(),
            name: "Weird \"T\"".to_owned(),
            size_bytes: Some(1 << 20),
            may_alter: owned,
            owner: "owner".to_owned(),
            ..TableInfo::default()
        }],
        foreign_keys: vec![ForeignKey {
            oid: 50,
            name: "t_b_fkey".to_owned(),
            table_oid: 10,
            schema: "public".to_owned(),
            table: "Weird \"T\"".to_owned(),
            attnums: vec![2],
            columns: vec!["b;c".to_owned()],
            referenced: "public.p".to_owned(),
            referenced_columns: vec!["id".to_owned()],
            on_delete: 'a',
        }],
        ..IndexesSnapshot::default()
    }
}

fn model(read_only: bool, standby: bool, owned: bool) -> Model {
    let mut m = Model::new(
        "app@db/shop".to_owned(),
        Duration::from_secs(2),
        read_only,
        Instant::now(),
    );
    m.update(Msg::Conn(ConnEvent::Up(Box::new(server(standby)))));
    m.apply(Action::GoTo(Pane::Indexes));
    m.update(Msg::Indexes(Box::new(IndexesEvent::Snapshot(Ok(
        snapshot(owned),
    )))));
    m
}

fn key(m: &mut Model, c: char) -> Vec<Effect> {
    m.update(Msg::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::NONE,
    )))
}

fn enter(m: &mut Model) -> Vec<Effect> {
    m.update(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)))
}

fn notice(m: &Model) -> String {
    m.notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default()
}

fn select(m: &mut Model, kind: crate::diagnose::indexes::FindingKind) {
    m.indexes.selected = m
        .indexes
        .visible()
        .iter()
        .position(|f| f.kind == kind)
        .unwrap();
}

#[test]
fn drop_asks_for_the_word_with_the_quoted_sql() {
    let mut m = model(false, false, true);
    select(&mut m, crate::diagnose::indexes::FindingKind::Unused);
    assert!(key(&mut m, 'd').is_empty());
    let Mode::Confirm(confirm) = &m.mode else {
        panic!("a confirmation, got {:?}", m.mode);
    };
    assert_eq!(
        confirm.spec.statements,
        vec!["DROP INDEX CONCURRENTLY IF EXISTS \"public\".\"t_a_idx\"".to_owned()]
    );
    assert!(
        confirm
            .spec
            .warning
            .as_deref()
            .unwrap()
            .contains("undo: CREATE INDEX CONCURRENTLY")
    );
    assert!(enter(&mut m).is_empty(), "Enter alone does not run a drop");
    for c in "drop".chars() {
        key(&mut m, c);
    }
    let effects = enter(&mut m);
    assert!(
        matches!(effects.as_slice(), [Effect::RunJob(1, _)]),
        "{effects:?}"
    );
}

#[test]
#[allow(
    clippy::large_stack_arrays,
    reason = "three whole models, once, in a test"
)]
fn read_only_standby_and_foreign_tables_refuse_with_the_reason() {
    // The models are built one at a time: three side by side would crowd the stack.
    for ((read_only, standby, owner), reason) in [
        ((true, false, true), "--read-only"),
        ((false, true, true), "standby"),
        ((false, false, false), "app does not own public.Weird \"T\""),
    ] {
        let mut m = model(read_only, standby, owner);
        select(&mut m, crate::diagnose::indexes::FindingKind::Unused);
        key(&mut m, 'd');
        assert_eq!(m.mode, Mode::Normal);
        assert!(notice(&m).contains(reason), "{}", notice(&m));
    }
}

/// `c` on the foreign key's finding: the re-check it asks for carries the fix.
fn create_fk_index(m: &mut Model) -> Fix {
    select(m, crate::diagnose::indexes::FindingKind::MissingFkIndex);
    let effects = key(m, 'c');
    let [Effect::Work(Request::Indexes(IndexesRequest::Recheck(fix)))] = effects.as_slice() else {
        panic!("a re-check first: {effects:?}");
    };
    (**fix).clone()
}

/// The re-check found nothing in the way.
fn recheck_clear(m: &mut Model, fix: &Fix) {
    m.update(Msg::Indexes(Box::new(IndexesEvent::Recheck {
        fix: Box::new(fix.clone()),
        verdict: Ok(None),
    })));
}

#[test]
fn create_rechecks_first_then_confirms() {
    let mut m = model(false, false, true);
    let fix = create_fk_index(&mut m);
    assert_eq!(
        fix.apply,
        "CREATE INDEX CONCURRENTLY \"Weird \"\"T\"\"_b;c_idx\" ON \"public\".\"Weird \"\"T\"\"\" \
         USING \"btree\" (\"b;c\")"
    );
    let covered = IndexesEvent::Recheck {
        fix: Box::new(fix.clone()),
        verdict: Ok(Some("t_b already covers it".to_owned())),
    };
    assert_eq!(
        m.update(Msg::Indexes(Box::new(covered))),
        vec![Effect::RefreshNow]
    );
    assert!(notice(&m).contains("not created: t_b already covers it"));
    recheck_clear(&mut m, &fix);
    let Mode::Confirm(confirm) = &m.mode else {
        panic!("a confirmation, got {:?}", m.mode);
    };
    assert_eq!(confirm.spec.kind, crate::jobs::JobKind::CreateIndex);
    assert_eq!(confirm.spec.statements, vec![fix.apply.clone()]);
}

#[test]
fn a_failed_build_offers_to_drop_its_invalid_leftover() {
    let mut m = model(false, false, true);
    let fix = create_fk_index(&mut m);
    recheck_clear(&mut m, &fix);
    let effects = enter(&mut m);
    assert!(matches!(effects.as_slice(), [Effect::RunJob(1, _)]));
    let finished = JobEvent::Finished {
        id: 1,
        kind: crate::jobs::JobKind::CreateIndex,
        target: fix.target.clone(),
        outcome: Outcome::Failed {
            error: "could not create unique index".to_owned(),
        },
        elapsed: Duration::from_millis(20),
    };
    let effects = m.update(Msg::Job(finished));
    assert!(effects.contains(&Effect::RefreshNow));
    let new = fix.new_index.clone().unwrap();
    assert!(
        effects.contains(&Effect::Work(Request::Indexes(IndexesRequest::Leftover {
            target: fix.target.clone(),
            schema: new.schema.clone(),
            name: new.name.clone(),
        })))
    );
    let leftover = IndexRef {
        oid: 77,
        schema: new.schema.clone(),
        table: new.table.clone(),
        name: new.name.clone(),
        definition: "CREATE INDEX x ON t (b)".to_owned(),
        valid: false,
        ..IndexRef::default()
    };
    m.update(Msg::Indexes(Box::new(IndexesEvent::Leftover {
        target: fix.target.clone(),
        leftover: Ok(Some(leftover)),
    })));
    let Mode::Confirm(confirm) = &m.mode else {
        panic!("the cleanup is offered, got {:?}", m.mode);
    };
    assert_eq!(confirm.spec.kind, crate::jobs::JobKind::DropIndex);
    assert_eq!(confirm.spec.statements, vec![new.drop_sql()]);
    assert!(
        notice(&m).contains(&format!(
            "left the invalid index {}.{}",
            new.schema, new.name
        )),
        "{}",
        notice(&m)
    );
}

#[test]
fn what_if_asks_once_and_keeps_the_answer() {
    let mut m = model(false, false, true);
    select(&mut m, crate::diagnose::indexes::FindingKind::Unused);
    let effects = key(&mut m, 'w');
    assert!(matches!(
        effects.as_slice(),
        [Effect::Work(Request::Indexes(IndexesRequest::WhatIfDrop(i)))] if i.oid == 1
    ));
    assert!(key(&mut m, 'w').is_empty(), "already being worked out");
    m.update(Msg::Indexes(Box::new(IndexesEvent::DropCheck {
        index_oid: 1,
        check: Err("HypoPG is not installed".to_owned()),
    })));
    assert!(m.indexes.checking.is_empty());
    assert!(m.indexes.drop_checks.contains_key(&1));
}

#[test]
fn a_review_walks_every_finding_and_writes_its_files_at_the_end() {
    let mut m = model(false, false, true);
    assert!(key(&mut m, 'm').is_empty());
    assert!(notice(&m).contains("R starts a review"));
    key(&mut m, 'R');
    let review = m.indexes.active_review().unwrap();
    assert_eq!(review.items.len(), 2);
    assert_eq!(
        review.items[0].finding.kind,
        crate::diagnose::indexes::FindingKind::Unused,
        "impact order"
    );
    key(&mut m, 'n');
    assert_eq!(m.mode, Mode::Filter);
    assert_eq!(m.filter_prompt(), "note: ");
    for c in "ask the BI team".chars() {
        key(&mut m, c);
    }
    enter(&mut m);
    assert!(!m.indexes.noting);
    assert!(m.indexes.filter.is_empty(), "the note is not the filter");
    key(&mut m, 'm');
    assert_eq!(m.indexes.review.as_ref().unwrap().at, 1);
    let effects = key(&mut m, 's');
    let [Effect::Work(Request::Indexes(IndexesRequest::SaveReview(review)))] = effects.as_slice()
    else {
        panic!("the files are written after the last decision: {effects:?}");
    };
    assert_eq!(review.items[0].note, "ask the BI team");
    assert_eq!(
        review.items[0].decision,
        Some(crate::review::Decision::Migration)
    );
    assert!(m.indexes.active_review().is_none());
}

#[test]
fn esc_pauses_a_review_and_r_resumes_it() {
    let mut m = model(false, false, true);
    key(&mut m, 'R');
    key(&mut m, 'j');
    assert_eq!(
        m.indexes.review.as_ref().unwrap().at,
        1,
        "j moves in the review"
    );
    m.update(Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)));
    assert!(m.indexes.active_review().is_none());
    key(&mut m, 'R');
    assert_eq!(m.indexes.active_review().unwrap().at, 1);
}

#[test]
fn r_rebuilds_here_and_ctrl_r_refreshes() {
    let r = KeyEvent::new(KeyCode::Char('r'), KeyModifiers::NONE);
    let ctrl_r = KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL);
    assert_eq!(keymap::lookup(Pane::Indexes, r), Some(Action::Reindex));
    assert_eq!(keymap::lookup(Pane::Indexes, ctrl_r), Some(Action::Refresh));
    assert_eq!(keymap::lookup(Pane::Overview, r), Some(Action::Refresh));
    let help = keymap::help_lines(Pane::Indexes);
    assert!(!help.iter().any(|(k, d)| k == "r" && d == "refresh now"));
    let mut m = model(false, false, true);
    select(&mut m, crate::diagnose::indexes::FindingKind::Unused);
    key(&mut m, 'r');
    let Mode::Confirm(confirm) = &m.mode else {
        panic!("{:?}", m.mode);
    };
    assert_eq!(
        confirm.spec.statements,
        vec!["REINDEX INDEX CONCURRENTLY \"public\".\"t_a_idx\"".to_owned()]
    );
}

#[test]
fn the_filter_narrows_the_list_and_refreshes_keep_the_selection() {
    let mut m = model(false, false, true);
    select(
        &mut m,
        crate::diagnose::indexes::FindingKind::MissingFkIndex,
    );
    m.update(Msg::Indexes(Box::new(IndexesEvent::Snapshot(Ok(
        snapshot(true),
    )))));
    assert_eq!(
        m.indexes.selected_finding().unwrap().kind,
        crate::diagnose::indexes::FindingKind::MissingFkIndex
    );
    key(&mut m, '/');
    for c in "fkey".chars() {
        key(&mut m, c);
    }
    assert_eq!(m.indexes.visible().len(), 1);
    assert_eq!(m.mode, Mode::Filter);
}

#[test]
fn between_full_reads_only_the_write_rates_move() {
    let mut m = model(false, false, true);
    let before = m.indexes.findings.clone();
    let mut next = snapshot(true);
    next.taken_at += 2.0;
    next.write_rates.insert(10, 42.0);
    m.update(Msg::Indexes(Box::new(IndexesEvent::Snapshot(Ok(
        next.clone()
    )))));
    assert_eq!(m.indexes.findings.len(), before.len());
    assert!(
        m.indexes
            .findings
            .iter()
            .all(|f| f.writes_per_sec == Some(42.0))
    );
    next.indexes.clear();
    next.taken_at += 2.0;
    m.update(Msg::Indexes(Box::new(IndexesEvent::Snapshot(Ok(next)))));
    assert!(
        m.indexes
            .findings
            .iter()
            .all(|f| f.kind == crate::diagnose::indexes::FindingKind::MissingFkIndex),
        "a changed catalog is judged again"
    );
}

/// A model connected to a primary, before any pane was shown.
fn connected() -> Model {
    let mut m = Model::new(
        "app@db/shop".to_owned(),
        Duration::from_secs(2),
        false,
        Instant::now(),
    );
    m.update(Msg::Conn(ConnEvent::Up(Box::new(server(false)))));
    m
}

/// The advisor's request as the model would send it, if any.
fn advise_request(effects: &[Effect]) -> Option<&crate::advisor::AdviseOptions> {
    effects.iter().find_map(|e| match e {
        Effect::Work(Request::Advise { options, .. }) => Some(options),
        _ => None,
    })
}

#[test]
fn the_advisor_weighs_the_write_rates_of_the_last_minute() {
    let mut m = connected();
    let first = m.apply(Action::GoTo(Pane::Indexes));
    assert!(
        advise_request(&first).is_none(),
        "no rates yet: the advisor waits for them"
    );
    let without = m.update(Msg::Indexes(Box::new(IndexesEvent::Snapshot(Ok(
        snapshot(true),
    )))));
    assert!(advise_request(&without).is_none());
    let mut next = snapshot(true);
    next.taken_at += 2.0;
    next.write_rates.insert(10, 42.0);
    let with = m.update(Msg::Indexes(Box::new(IndexesEvent::Snapshot(Ok(next)))));
    let options = advise_request(&with).expect("asked once the rates are known");
    assert_eq!(
        options.table_writes.as_ref().and_then(|r| r.get(&10)),
        Some(&42.0)
    );
    let refresh = m.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('r'),
        KeyModifiers::CONTROL,
    )));
    assert!(
        advise_request(&refresh).is_some_and(|o| o.table_writes.is_some()),
        "Ctrl-r asks again, with the rates: {refresh:?}"
    );
}

#[test]
fn a_database_without_write_rates_still_gets_its_advice() {
    let mut m = connected();
    m.apply(Action::GoTo(Pane::Indexes));
    for (i, expected) in [false, true].into_iter().enumerate() {
        let mut s = snapshot(true);
        s.taken_at += i as f64 * 30.0;
        let effects = m.update(Msg::Indexes(Box::new(IndexesEvent::Snapshot(Ok(s)))));
        assert_eq!(advise_request(&effects).is_some(), expected, "snapshot {i}");
    }
}

fn suggestion_on_the_table() -> crate::advisor::Suggestion {
    crate::advisor::Suggestion {
        schema: "public".to_owned(),
        table: "Weird \"T\"".to_owned(),
        columns: vec!["\"c\"".to_owned()],
        include: Vec::new(),
        predicate: None,
        method: "btree".to_owned(),
        name: "t_c_idx".to_owned(),
        create_sql: "CREATE INDEX CONCURRENTLY \"t_c_idx\" ON \"public\".\"Weird \"\"T\"\"\" \
                     USING btree (\"c\")"
            .to_owned(),
        rollback_sql: "DROP INDEX CONCURRENTLY IF EXISTS \"public\".\"t_c_idx\"".to_owned(),
        helps: Vec::new(),
        estimated_size_bytes: Some(8192),
        verified: true,
        table_writes_per_sec: None,
        saving_ms_per_hour: 10.0,
        note: None,
    }
}

#[test]
fn a_built_suggestion_leaves_the_list_and_is_not_called_unused() {
    let mut m = model(false, false, true);
    m.update(Msg::Indexes(Box::new(IndexesEvent::Suggestions(Ok(vec![
        suggestion_on_the_table(),
    ])))));
    select(&mut m, crate::diagnose::indexes::FindingKind::Suggestion);
    let effects = key(&mut m, 'c');
    let [Effect::Work(Request::Indexes(IndexesRequest::Recheck(fix)))] = effects.as_slice() else {
        panic!("a re-check first: {effects:?}");
    };
    let fix = (**fix).clone();
    recheck_clear(&mut m, &fix);
    assert!(matches!(enter(&mut m).as_slice(), [Effect::RunJob(1, _)]));
    m.update(Msg::Job(JobEvent::Finished {
        id: 1,
        kind: crate::jobs::JobKind::CreateIndex,
        target: fix.target.clone(),
        outcome: Outcome::Done { rows: Vec::new() },
        elapsed: Duration::from_secs(2),
    }));
    assert!(
        m.indexes
            .findings
            .iter()
            .all(|f| f.kind != crate::diagnose::indexes::FindingKind::Suggestion),
        "built: no longer suggested, before any refresh"
    );
    // The next read has the new index, never scanned yet.
    let mut next = snapshot(true);
    next.taken_at += 30.0;
    next.indexes.push(index(2, "t_c_idx", &["c"], 0));
    m.update(Msg::Indexes(Box::new(IndexesEvent::Snapshot(Ok(next)))));
    let unused: Vec<&str> = m
        .indexes
        .findings
        .iter()
        .filter(|f| f.kind == crate::diagnose::indexes::FindingKind::Unused)
        .filter_map(|f| f.index.as_ref().map(|i| i.name.as_str()))
        .collect();
    assert_eq!(unused, ["t_a_idx"], "built in this session: not unused");
}
