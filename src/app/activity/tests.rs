//! The Activity pane's state driven through the model, as keys and messages arrive.

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::app::effect::Effect;
use crate::app::model::Model;
use crate::app::msg::{ConnEvent, Msg};
use crate::app::pane::Pane;
use crate::diagnose::health::Level;
use crate::jobs::JobEvent;
use crate::jobs::Outcome;
use crate::server::Privileges;
use crate::snapshot::activity::SessionState;
use crate::work::Request;

fn server() -> ServerInfo {
    let superuser = Privileges {
        superuser: true,
        ..Privileges::default()
    };
    crate::diagnose::activity::fixture::server(100, 3, superuser)
}

fn session(pid: i32, state: SessionState, xact: f64, query: &str) -> Session {
    Session {
        pid,
        backend_type: Some("client backend".to_owned()),
        database: Some("shop".to_owned()),
        user: Some("app".to_owned()),
        application: format!("app{pid}"),
        state,
        xact_secs: Some(xact),
        state_secs: Some(xact),
        query_secs: Some(xact),
        backend_start: Some("2025-01-01T00:00:00Z".to_owned()),
        query: query.to_owned(),
        query_length: query.chars().count() as i32,
        role_superuser: Some(false),
        role_member: true,
        ..Session::default()
    }
}

fn model(sessions: Vec<Session>) -> Model {
    let mut m = Model::new(
        "dba@db/shop".to_owned(),
        Duration::from_secs(2),
        false,
        Instant::now(),
    );
    m.update(Msg::Conn(ConnEvent::Up(Box::new(server()))));
    m.pane = Pane::Activity;
    let snapshot = ActivitySnapshot {
        taken_at: 100.0,
        sessions,
        ..ActivitySnapshot::default()
    };
    m.update(Msg::Activity(Box::new(Ok(snapshot))));
    m
}

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn filtered(m: &mut Model, text: &str) {
    m.update(key('/'));
    for c in text.chars() {
        m.update(key(c));
    }
    m.update(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
}

fn notice(m: &Model) -> String {
    m.notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default()
}

#[test]
fn the_selection_follows_its_pid_when_the_order_changes() {
    let mut m = model(vec![
        session(1, SessionState::Active, 30.0, "a"),
        session(2, SessionState::Active, 20.0, "b"),
    ]);
    m.apply(crate::app::action::Action::Down);
    assert_eq!(m.activity.selected_pid(), Some(2));
    let next = ActivitySnapshot {
        taken_at: 102.0,
        sessions: vec![
            session(1, SessionState::Active, 1.0, "a"),
            session(2, SessionState::Active, 22.0, "b"),
        ],
        ..ActivitySnapshot::default()
    };
    m.update(Msg::Activity(Box::new(Ok(next))));
    assert_eq!(m.activity.selected, 0, "pid 2 now sorts first");
    assert_eq!(m.activity.selected_pid(), Some(2));
    assert_eq!(m.activity.history.len(), 2);
    m.update(Msg::Activity(Box::new(Err("statement timeout".to_owned()))));
    assert_eq!(m.activity.error.as_deref(), Some("statement timeout"));
    assert!(m.activity.view.is_some(), "the last data stays");
}

#[test]
fn every_listed_session_needs_a_filter_first() {
    let mut m = model(vec![session(1, SessionState::Active, 3.0, "a")]);
    assert!(m.update(key('x')).is_empty());
    let notice = notice(&m);
    assert!(notice.contains("set a filter first"), "{notice}");
    assert_eq!(m.mode, crate::app::model::Mode::Normal);
}

#[test]
fn read_only_mode_refuses_before_anything_is_shown() {
    let mut m = model(vec![session(1, SessionState::Active, 3.0, "a")]);
    m.read_only = true;
    m.update(key('k'));
    assert_eq!(m.mode, crate::app::model::Mode::Normal);
    let notice = notice(&m);
    assert!(notice.contains("--read-only"), "{notice}");
}

#[test]
fn read_only_mode_is_the_first_reason_even_for_an_idle_session() {
    let mut m = model(vec![
        session(1, SessionState::IdleInTransaction, 30.0, "a"),
        session(2, SessionState::Idle, 30.0, "b"),
    ]);
    m.read_only = true;
    for k in ['k', 'K'] {
        m.update(key(k));
        let notice = notice(&m);
        assert!(notice.contains("--read-only"), "{notice}");
        assert!(!notice.contains("K terminates"), "{notice}");
    }
}

#[test]
fn a_bulk_cancel_with_nothing_running_speaks_of_the_list() {
    let mut m = model(vec![
        session(1, SessionState::Idle, 30.0, "a"),
        session(2, SessionState::IdleInTransaction, 30.0, "b"),
        session(3, SessionState::Idle, 30.0, "c"),
    ]);
    filtered(&mut m, "user:app");
    m.update(key('x'));
    assert_eq!(
        notice(&m),
        "cancel: none of the 3 listed sessions is running a statement (a cancel stops a \
         running statement only; X terminates)"
    );
}

#[test]
fn a_bulk_signal_asks_the_server_to_check_the_filter_again() {
    let mut m = model(vec![
        session(1, SessionState::IdleInTransaction, 90.0, "a"),
        session(2, SessionState::Active, 90.0, "b"),
    ]);
    filtered(&mut m, "state:\"idle in transaction\" xact>1m");
    m.update(key('X'));
    let crate::app::model::Mode::Confirm(confirm) = &m.mode else {
        panic!("no confirmation: {}", notice(&m))
    };
    let sql = &confirm.spec.statements[0];
    assert!(
        sql.contains("strpos(lower(coalesce(state, '')), lower('idle in transaction')) > 0"),
        "{sql}"
    );
    assert!(
        sql.contains("clock_timestamp() - xact_start > make_interval(secs => 60)"),
        "{sql}"
    );
    let warning = confirm.spec.warning.as_deref().unwrap_or_default();
    assert!(warning.contains("still matches the filter"), "{warning}");
}

#[test]
fn a_cut_query_is_read_whole_for_the_detail_view() {
    let mut long = session(7, SessionState::Active, 3.0, "SELECT 1");
    long.query_length = 5000;
    let mut m = model(vec![long]);
    let effects = m.update(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    assert_eq!(
        effects,
        vec![Effect::Work(Request::ActivityQuery {
            pid: 7,
            backend_start: "2025-01-01T00:00:00Z".to_owned()
        })]
    );
    m.update(Msg::ActivityQuery {
        pid: 7,
        query: Ok(Some("SELECT 1 /* and 4,990 more */".to_owned())),
    });
    assert_eq!(
        m.activity.query_to_copy().as_deref(),
        Some("SELECT 1 /* and 4,990 more */")
    );
    m.update(Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)));
    assert!(m.activity.detail.is_none());
}

#[test]
fn a_finished_signal_says_who_it_reached_and_refreshes_at_once() {
    let mut m = model(vec![
        session(5, SessionState::Active, 9.0, "a"),
        session(6, SessionState::Active, 8.0, "b"),
    ]);
    m.update(key('/'));
    for c in "app:app".chars() {
        m.update(key(c));
    }
    m.update(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    m.update(key('x'));
    let crate::app::model::Mode::Confirm(confirm) = &m.mode else {
        panic!("no confirmation")
    };
    let target = confirm.spec.target.clone();
    assert_eq!(target, "pids 5, 6");
    let effects = m.update(key('y'));
    let Some(Effect::RunJob(id, _)) = effects.first() else {
        panic!("not run: {effects:?}")
    };
    let effects = m.update(Msg::Job(JobEvent::Finished {
        id: *id,
        kind: JobKind::CancelBackend,
        target,
        outcome: Outcome::Done {
            rows: vec![vec![Some("5".to_owned()), Some("t".to_owned())]],
        },
        elapsed: Duration::from_millis(3),
    }));
    assert_eq!(effects, vec![Effect::RefreshNow]);
    let notice = m.notice.as_ref().unwrap();
    assert_eq!(
        notice.text,
        "cancelled 5 (6 left alone: ended, or no longer as listed)"
    );
    assert_eq!(notice.level, Level::Warn);
}

#[test]
fn the_tree_selection_follows_its_pid_and_falls_back_to_its_root() {
    use crate::diagnose::activity::fixture::{client, idle_in_transaction, waiting};
    let snapshot = |sessions| ActivitySnapshot {
        taken_at: 100.0,
        sessions,
        ..ActivitySnapshot::default()
    };
    let mut m = model(Vec::new());
    m.update(Msg::Activity(Box::new(Ok(snapshot(vec![
        idle_in_transaction(100, "root", 60.0),
        waiting(101, "mid", &[100], 50.0),
        waiting(102, "leaf", &[101], 40.0),
        client(200, "other", SessionState::Active),
        waiting(201, "other", &[200], 5.0),
    ])))));
    m.activity.next_section();
    m.activity.move_selection(2);
    assert_eq!(m.activity.selected_pid(), Some(102));
    // Another tree grows bigger and is drawn first: the selection stays on the leaf.
    m.update(Msg::Activity(Box::new(Ok(snapshot(vec![
        idle_in_transaction(100, "root", 62.0),
        waiting(101, "mid", &[100], 52.0),
        waiting(102, "leaf", &[101], 42.0),
        client(200, "other", SessionState::Active),
        waiting(201, "other", &[200], 7.0),
        waiting(202, "other", &[200], 7.0),
        waiting(203, "other", &[200], 7.0),
    ])))));
    assert_eq!(m.activity.selected_pid(), Some(102));
    // The leaf was cancelled: its root, not whatever row now has its index.
    m.update(Msg::Activity(Box::new(Ok(snapshot(vec![
        idle_in_transaction(100, "root", 64.0),
        waiting(101, "mid", &[100], 54.0),
        client(200, "other", SessionState::Active),
        waiting(201, "other", &[200], 9.0),
        waiting(202, "other", &[200], 9.0),
        waiting(203, "other", &[200], 9.0),
    ])))));
    assert_eq!(m.activity.selected_pid(), Some(100));
}
