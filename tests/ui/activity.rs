//! The Activity & pool pane: a busy server with a three-level lock chain, an idle transaction
//! holding the horizon, an abandoned replication slot, a prepared transaction and PgBouncer
//! with clients waiting; at 80x24 and 160x50, each list in focus, the detail view and the
//! terminate confirmation.

use std::collections::HashMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use pgmedic::app::activity::Section;
use pgmedic::app::model::{Mode, Model};
use pgmedic::app::msg::Msg;
use pgmedic::app::pane::Pane;
use pgmedic::pgbouncer::{BouncerDatabase, BouncerPool, BouncerStats, PgBouncerSnapshot};
use pgmedic::snapshot::activity::{
    ActivitySnapshot, Lock, LockObject, PreparedXact, Session, SessionState, SlotHorizon,
};

use crate::fixtures::{busy, dark, draw, screen};

const EPOCH: f64 = 1_763_800_000.0;
const WATCHLISTS: u32 = 16_638;

fn client(pid: i32, app: &str, state: SessionState, secs: f64, query: &str) -> Session {
    Session {
        pid,
        backend_type: Some("client backend".to_owned()),
        database: Some("shop".to_owned()),
        user: Some("app".to_owned()),
        application: app.to_owned(),
        client_addr: Some(format!("10.0.1.{}", app.len() + 10)),
        client_port: Some(40_000 + pid),
        state,
        wait_event_type: Some("Client".to_owned()),
        wait_event: Some("ClientRead".to_owned()),
        backend_secs: Some(3600.0 + f64::from(pid)),
        state_secs: Some(secs),
        backend_start: Some("2025-11-22T08:00:00.000001Z".to_owned()),
        query: query.to_owned(),
        query_length: query.chars().count() as i32,
        role_superuser: Some(false),
        role_member: true,
        ..Session::default()
    }
}

fn active(pid: i32, app: &str, secs: f64, query: &str) -> Session {
    Session {
        wait_event_type: None,
        wait_event: None,
        query_secs: Some(secs),
        xact_secs: Some(secs),
        ..client(pid, app, SessionState::Active, secs, query)
    }
}

fn waiting(pid: i32, app: &str, blocker: i32, secs: f64, query: &str) -> Session {
    Session {
        wait_event_type: Some("Lock".to_owned()),
        wait_event: Some("relation".to_owned()),
        blocked_by: vec![blocker],
        ..active(pid, app, secs, query)
    }
}

fn lock(pid: i32, mode: &str, granted: bool, wait: Option<f64>) -> Lock {
    Lock {
        pid: Some(pid),
        mode: mode.to_owned(),
        granted,
        wait_secs: wait,
        object: LockObject {
            locktype: "relation".to_owned(),
            database: Some(5),
            relation: Some(WATCHLISTS),
            ..LockObject::default()
        },
        ..Lock::default()
    }
}

/// Refresh `i` of a busy trading server (the chain has formed by the last one).
fn snapshot(i: u32) -> ActivitySnapshot {
    let mut sessions = vec![
        Session {
            xact_secs: Some(95.0),
            backend_xid: Some(90_761),
            xid_age: Some(1_840),
            ..client(
                2403,
                "backoffice",
                SessionState::IdleInTransaction,
                94.0,
                "UPDATE watchlists SET name = name WHERE id = $1",
            )
        },
        waiting(
            2407,
            "migrate",
            2403,
            93.0,
            "ALTER TABLE watchlists ADD COLUMN IF NOT EXISTS sort_order int",
        ),
        waiting(
            2423,
            "api",
            2407,
            92.5,
            "SELECT id, name, created_at FROM watchlists WHERE user_id = $1",
        ),
        Session {
            backend_xmin: Some(90_700),
            xmin_age: Some(1_901),
            ..active(
                2440,
                "reporting",
                31.0,
                "SELECT account_id, sum(quantity * price) FROM fills GROUP BY 1",
            )
        },
        Session {
            backend_type: Some("autovacuum worker".to_owned()),
            user: None,
            database: Some("shop".to_owned()),
            client_addr: None,
            role_superuser: None,
            ..active(2450, "", 12.0, "autovacuum: VACUUM public.orders")
        },
        Session {
            is_self: true,
            ..active(
                4242,
                "pgmedic",
                0.0,
                "-- pgmedic: every backend with its state …",
            )
        },
    ];
    let idle = 10 + i % 5;
    for n in 0..idle {
        let app = if n % 3 == 0 { "ws-gateway" } else { "api" };
        sessions.push(client(
            3000 + n as i32,
            app,
            SessionState::Idle,
            f64::from(n) * 1.5,
            "COMMIT",
        ));
    }
    sessions.push(client(
        2460,
        "risk-engine",
        SessionState::IdleInTransactionAborted,
        8.0,
        "UPDATE accounts SET balance = balance - $2 WHERE id = $1",
    ));
    ActivitySnapshot {
        taken_at: EPOCH + f64::from(i) * 2.0,
        sessions,
        locks: Ok(vec![
            lock(2403, "RowExclusiveLock", true, None),
            lock(2407, "AccessExclusiveLock", false, Some(93.0)),
            lock(2423, "AccessShareLock", false, Some(92.5)),
        ]),
        relations: HashMap::from([(WATCHLISTS, "public.watchlists".to_owned())]),
        slots: Ok(vec![SlotHorizon {
            name: "cdc_orders".to_owned(),
            slot_type: "logical".to_owned(),
            database: Some("shop".to_owned()),
            active: false,
            catalog_xmin: Some(88_000),
            catalog_xmin_age: Some(4_601),
            ..SlotHorizon::default()
        }]),
        prepared: Ok(vec![PreparedXact {
            gid: "settle-77".to_owned(),
            owner: "app".to_owned(),
            database: "shop".to_owned(),
            xid: 90_100,
            xid_age: 2_501,
            prepared_secs: 7_300.0,
        }]),
    }
}

fn bouncer() -> PgBouncerSnapshot {
    PgBouncerSnapshot {
        pools: vec![
            BouncerPool {
                database: "shop".to_owned(),
                user: "app".to_owned(),
                cl_active: 20,
                cl_waiting: 6,
                sv_active: 20,
                maxwait_secs: 2.4,
                pool_mode: "transaction".to_owned(),
                ..BouncerPool::default()
            },
            BouncerPool {
                database: "reports".to_owned(),
                user: "reporting".to_owned(),
                cl_active: 2,
                sv_active: 1,
                sv_idle: 3,
                pool_mode: "transaction".to_owned(),
                ..BouncerPool::default()
            },
        ],
        databases: vec![BouncerDatabase {
            name: "shop".to_owned(),
            pool_size: Some(20),
            ..BouncerDatabase::default()
        }],
        stats: vec![BouncerStats {
            database: "shop".to_owned(),
            xacts_per_sec: Some(812.0),
            ..BouncerStats::default()
        }],
        clients: Vec::new(),
    }
}

/// The busy console on the Activity pane after 45 refreshes of it.
fn model() -> Model {
    let mut m = busy();
    m.pane = Pane::Activity;
    for i in 0..45 {
        m.update(Msg::Activity(Box::new(Ok(snapshot(i)))));
    }
    m.activity.pgbouncer.configured = true;
    m.update(Msg::PgBouncer(Box::new(Ok(bouncer()))));
    m.notice = None;
    m
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn text(lines: &[String]) -> String {
    lines.join("\n")
}

#[test]
fn activity_80x24() {
    let terminal = draw(&model(), &dark(), 80, 24);
    let all = text(&screen(&terminal));
    assert!(
        all.contains("2403 backoffice ROOT blocks 2 IDLE IN TX 1m34s holds RowExclusiveLock"),
        "{all}"
    );
    assert!(
        all.contains("└ 2407 migrate waits AccessExclusiveLock on public.watchlists"),
        "{all}"
    );
    assert!(all.contains("  └ 2423 api waits AccessShareLock"), "{all}");
    assert!(
        all.contains("xmin horizon: slot cdc_orders INACTIVE logical · catalog_xmin · age 4.6k"),
        "the oldest holder: {all}"
    );
    assert!(
        all.contains("pgbouncer shop/app: 6 clients waiting"),
        "{all}"
    );
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn activity_160x50() {
    let terminal = draw(&model(), &dark(), 160, 50);
    let all = text(&screen(&terminal));
    for expected in [
        "Connections",
        "used  ",
        "Blocking · 1 root, 2 waiting",
        "xmin horizon",
        "prepared \"settle-77\" by app",
        "Pools · ",
        "PgBouncer · SHOW POOLS",
        "6 clients waiting for a server, the oldest 2.4s (the pool is full)",
        "[autovacuum]",
        "←2403 relation",
    ] {
        assert!(all.contains(expected), "{expected:?} missing:\n{all}");
    }
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn activity_pools_80x24() {
    let mut m = model();
    m.update(key(KeyCode::Char('v')));
    m.update(key(KeyCode::Char('v')));
    assert_eq!(m.activity.section, Section::Pools);
    let terminal = draw(&m, &dark(), 80, 24);
    let all = text(&screen(&terminal));
    assert!(all.contains("api app@shop 10.0.1.13"), "{all}");
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn activity_detail_80x24() {
    let mut m = model();
    m.update(key(KeyCode::Char('v')));
    m.update(key(KeyCode::Down));
    assert_eq!(m.activity.selected_pid(), Some(2407));
    let effects = m.update(key(KeyCode::Enter));
    assert!(effects.is_empty(), "the whole query is already there");
    let terminal = draw(&m, &dark(), 80, 24);
    let all = text(&screen(&terminal));
    assert!(all.contains("Session 2407"), "{all}");
    assert!(
        all.contains("waits for     AccessExclusiveLock on public.watchlists")
            && all.contains("blocked by    2403"),
        "{all}"
    );
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn activity_terminate_the_root_asks_for_the_word() {
    let mut m = model();
    m.update(key(KeyCode::Char('v')));
    assert_eq!(m.activity.selected_pid(), Some(2403));
    m.update(key(KeyCode::Char('k')));
    let why = m
        .notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default();
    assert!(
        why.contains("idle in transaction: K terminates it"),
        "{why}"
    );
    m.update(key(KeyCode::Char('K')));
    assert!(matches!(m.mode, Mode::Confirm(_)));
    let terminal = draw(&m, &dark(), 80, 24);
    let all = text(&screen(&terminal));
    assert!(
        all.contains("terminate pid 2403 (backoffice, idle in transaction; blocks 2"),
        "{all}"
    );
    assert!(all.contains("pg_terminate_backend(pid)"), "{all}");
    assert!(all.contains("type terminate and Enter"), "{all}");
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn the_filter_lists_idle_transactions_and_x_names_exactly_them() {
    let mut m = model();
    m.update(key(KeyCode::Char('/')));
    for c in "state:transaction state>5s".chars() {
        m.update(key(KeyCode::Char(c)));
    }
    m.update(key(KeyCode::Enter));
    let listed: Vec<i32> = m.activity.listed().map(|s| s.pid).collect();
    assert_eq!(listed, vec![2403, 2460]);
    m.update(key(KeyCode::Char('X')));
    let Mode::Confirm(confirm) = &m.mode else {
        panic!("no confirmation: {:?}", m.notice)
    };
    assert_eq!(confirm.spec.target, "pids 2403, 2460");
    let lines = screen(&draw(&m, &dark(), 80, 24));
    assert!(text(&lines).contains("(pid = 2460 AND backend_start"));
}

#[test]
fn a_bad_filter_and_an_unreachable_pgbouncer_are_one_line_each() {
    let mut m = model();
    m.update(Msg::PgBouncer(Box::new(Err(
        "PgBouncer admin console: could not connect to 127.0.0.1:6432: connection refused"
            .to_owned(),
    ))));
    m.update(key(KeyCode::Char('/')));
    for c in "xact>soon".chars() {
        m.update(key(KeyCode::Char(c)));
    }
    m.update(key(KeyCode::Enter));
    let all = text(&screen(&draw(&m, &dark(), 80, 24)));
    assert!(all.contains("filter: \"xact>soon\""), "{all}");
    assert!(
        all.contains("pgbouncer PgBouncer admin console: could not connect"),
        "{all}"
    );
    assert!(m.activity.listed().next().is_none());
}

#[test]
fn the_pane_draws_before_its_first_refresh_and_at_any_size() {
    let mut m = busy();
    m.pane = Pane::Activity;
    assert!(text(&screen(&draw(&m, &dark(), 80, 24))).contains("reading pg_stat_activity"));
    let m = model();
    for (w, h) in [(0, 0), (1, 1), (80, 24), (100, 30), (150, 40), (300, 100)] {
        draw(&m, &dark(), w, h);
    }
}

#[test]
fn every_key_of_the_pane_shows_in_its_help_at_80x24() {
    let mut m = model();
    m.update(key(KeyCode::Char('?')));
    let all = text(&screen(&draw(&m, &dark(), 80, 24)));
    let (own, global) = pgmedic::app::keymap::help_sections(Pane::Activity);
    for (keys, what) in own {
        assert!(all.contains(&what), "{keys} {what:?} is missing:\n{all}");
    }
    // The keys that work everywhere may be folded into one line, by their words alone.
    for (keys, what) in global {
        let words = what.split(" (").next().unwrap_or(&what);
        assert!(all.contains(words), "{keys} {words:?} is missing:\n{all}");
    }
}
