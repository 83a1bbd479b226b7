//! The Activity pane against the real cluster: sessions opened in known states show exactly
//! as they are, a three-level lock chain comes out in order, and cancel / terminate reach
//! the right backend and nothing else.

use std::time::{Duration, Instant};

use pgmedic::app::activity::{ActivityState, Scope};
use pgmedic::app::msg::Msg;
use pgmedic::collect::activity::{self as collector, ActivityCollector};
use pgmedic::collect::{self, activity::QUERY_CHARS};
use pgmedic::conn::{ConnParams, ConnRequest};
use pgmedic::diagnose::activity::signal::Target;
use pgmedic::diagnose::health::Thresholds;
use pgmedic::jobs::{JobEvent, JobKind, JobSpec, Outcome, Runner, backend};
use pgmedic::server::{ServerInfo, versioned};
use pgmedic::snapshot::activity::{ActivitySnapshot, Session, SessionState};
use tokio_postgres::Client;

use crate::common::{cluster, fresh_db, superuser_client};

fn params(conninfo: &str) -> ConnParams {
    ConnParams::resolve(&ConnRequest {
        conninfo: Some(conninfo.to_owned()),
        ..Default::default()
    })
    .unwrap()
}

/// The Activity collector on a monitoring session, as the console runs it.
struct Watch {
    client: Client,
    info: ServerInfo,
    collector: ActivityCollector,
}

impl Watch {
    async fn on(conninfo: &str) -> Self {
        let (client, info) = collect::open_session(&params(conninfo)).await.unwrap();
        Self {
            client,
            info,
            collector: ActivityCollector::default(),
        }
    }

    async fn snapshot(&mut self) -> ActivitySnapshot {
        self.collector
            .collect(&self.client, &self.info)
            .await
            .unwrap()
    }

    /// Snapshots until `ready` holds (at most 15 s).
    async fn until(&mut self, ready: impl Fn(&ActivitySnapshot) -> bool) -> ActivitySnapshot {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let snapshot = self.snapshot().await;
            if ready(&snapshot) {
                return snapshot;
            }
            assert!(
                Instant::now() < deadline,
                "never ready: {:#?}",
                snapshot.sessions
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The pane's state after one refresh.
    fn state(&self, snapshot: ActivitySnapshot) -> ActivityState {
        let mut state = ActivityState::default();
        state.on_snapshot(
            Ok(snapshot),
            &self.info,
            &Thresholds::default(),
            Instant::now(),
        );
        state
    }
}

/// A session of its own named `app` (test setup, never the code under test).
async fn session(conninfo: &str, app: &str) -> Client {
    crate::common::connect(&format!("{conninfo} application_name={app}")).await
}

/// Runs `statement` on a session of its own in the background; the task returns its result
/// and the session, still open.
fn spawn_statement(
    client: Client,
    statement: &'static str,
) -> tokio::task::JoinHandle<(Result<(), tokio_postgres::Error>, Client)> {
    tokio::spawn(async move {
        let result = client.batch_execute(statement).await;
        (result, client)
    })
}

fn by_app<'a>(snapshot: &'a ActivitySnapshot, app: &str) -> &'a Session {
    let found: Vec<&Session> = snapshot
        .sessions
        .iter()
        .filter(|s| s.application == app)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "exactly one session named {app}: {found:#?}"
    );
    found[0]
}

fn waits(app: &str) -> impl Fn(&ActivitySnapshot) -> bool + '_ {
    move |s| {
        s.sessions
            .iter()
            .any(|x| x.application == app && x.waits_for_lock())
    }
}

#[tokio::test]
async fn sessions_in_known_states_and_a_three_level_chain_show_exactly_as_they_are() {
    let conninfo = fresh_db("activity_states").await;
    let setup = crate::common::connect(&conninfo).await;
    setup
        .batch_execute("CREATE TABLE accounts (id int PRIMARY KEY, balance int); INSERT INTO accounts VALUES (1, 0)")
        .await
        .unwrap();
    let idle = session(&conninfo, "act_idle").await;
    idle.batch_execute("SELECT 1").await.unwrap();
    let open = session(&conninfo, "act_open").await;
    // Its snapshot holds the horizon, but it touches no table (it would block the migration).
    open.batch_execute("BEGIN; SELECT count(*) FROM pg_class")
        .await
        .unwrap();
    let sleeper = session(&conninfo, "act_sleep").await;
    let sleeping = spawn_statement(sleeper, "SELECT pg_sleep(60)");
    // The chain: holder (idle in transaction) ← migration (waits) ← reader (queued behind it).
    let holder = session(&conninfo, "act_holder").await;
    holder
        .batch_execute("BEGIN; UPDATE accounts SET balance = 1 WHERE id = 1")
        .await
        .unwrap();
    let mut watch = Watch::on(&conninfo).await;
    let migration = spawn_statement(
        session(&conninfo, "act_migration").await,
        "ALTER TABLE accounts ADD COLUMN note text",
    );
    watch.until(waits("act_migration")).await;
    let reader = spawn_statement(
        session(&conninfo, "act_reader").await,
        "SELECT * FROM accounts",
    );
    let snapshot = watch
        .until(|s| {
            waits("act_reader")(s)
                && s.sessions
                    .iter()
                    .any(|x| x.application == "act_sleep" && x.state == SessionState::Active)
        })
        .await;

    assert_eq!(by_app(&snapshot, "act_idle").state, SessionState::Idle);
    let open_tx = by_app(&snapshot, "act_open");
    assert_eq!(open_tx.state, SessionState::IdleInTransaction);
    assert!(open_tx.xact_secs.is_some() && open_tx.blocked_by.is_empty());
    let sleep = by_app(&snapshot, "act_sleep");
    assert_eq!(sleep.state, SessionState::Active);
    assert_eq!(sleep.wait_event.as_deref(), Some("PgSleep"));
    assert!(sleep.query.contains("pg_sleep(60)"));
    let h = by_app(&snapshot, "act_holder");
    let m = by_app(&snapshot, "act_migration");
    let r = by_app(&snapshot, "act_reader");
    assert_eq!(h.state, SessionState::IdleInTransaction);
    assert!(h.backend_xid.is_some(), "the UPDATE took a transaction id");
    assert_eq!(m.blocked_by, vec![h.pid]);
    assert_eq!(
        r.blocked_by,
        vec![m.pid],
        "the reader queues behind the migration"
    );
    assert!(snapshot.sessions.iter().any(|s| s.is_self));

    let pids = [h.pid, m.pid, r.pid];
    check_the_pane(&watch, snapshot.clone(), pids);

    holder.batch_execute("ROLLBACK").await.unwrap();
    migration.await.unwrap().0.unwrap();
    reader.await.unwrap().0.unwrap();
    let cleared = watch
        .until(|s| !waits("act_reader")(s) && !waits("act_migration")(s))
        .await;
    assert!(watch.state(cleared).view.unwrap().blocking.rows.is_empty());
    sleeping.abort();
}

/// The pane's figures for the known sessions: the chain in order, the pools, the horizon.
fn check_the_pane(watch: &Watch, snapshot: ActivitySnapshot, [h, m, r]: [i32; 3]) {
    let state = watch.state(snapshot);
    let view = state.view.as_ref().unwrap();
    let chain: Vec<(usize, i32)> = view
        .blocking
        .rows
        .iter()
        .map(|n| (n.depth, n.pid))
        .collect();
    assert_eq!(chain, vec![(0, h), (1, m), (2, r)]);
    let root = &view.blocking.rows[0];
    assert!(root.idle_in_transaction_root);
    assert_eq!(root.blocked_count, 2);
    let holds = root.holds.as_ref().unwrap();
    assert_eq!(
        (holds.mode.as_str(), holds.object.as_str(), holds.granted),
        ("RowExclusiveLock", "public.accounts", true)
    );
    let m_waits = view.blocking.rows[1].waits.as_ref().unwrap();
    assert_eq!(m_waits.mode, "AccessExclusiveLock");
    assert_eq!(m_waits.object, "public.accounts");
    assert_eq!(
        view.blocking.rows[2].waits.as_ref().unwrap().mode,
        "AccessShareLock"
    );
    if cluster().version_num() >= 140_000 {
        assert!(
            view.blocking.rows[1].wait_secs.is_some(),
            "pg_locks.waitstart"
        );
    }

    let pool = |app: &str| {
        view.pools
            .iter()
            .find(|p| p.key.application == app)
            .unwrap()
    };
    assert_eq!(pool("act_open").counts.idle_in_transaction, 1);
    assert_eq!(pool("act_idle").counts.idle, 1);
    assert_eq!(pool("act_migration").waiting, 1);
    assert!(pool("act_sleep").longest_query.is_some());
    assert!(
        view.horizon.iter().any(|holder| matches!(
            holder.kind,
            pgmedic::diagnose::activity::HorizonKind::Session { pid, .. } if pid == h
        )),
        "the holder's transaction holds the horizon: {:?}",
        view.horizon
    );
    assert!(view.usage.by_state.idle_in_transaction >= 2);
    assert!(view.usage.waiting >= 2);
}

/// Runs `spec` with the job runner, as the console does, and returns how it ended.
async fn run(conninfo: &str, info: &ServerInfo, spec: JobSpec) -> Outcome {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let runner = Runner::new(
        params(conninfo),
        info.role.clone(),
        info.version_num,
        None,
        tx,
    );
    runner.start(1, spec);
    loop {
        match tokio::time::timeout(Duration::from_secs(20), rx.recv()).await {
            Ok(Some(Msg::Job(JobEvent::Finished { outcome, .. }))) => return outcome,
            Ok(Some(_)) => {}
            other => panic!("the job did not finish: {other:?}"),
        }
    }
}

#[tokio::test]
async fn cancel_and_terminate_reach_the_right_backend_and_nothing_else() {
    let conninfo = fresh_db("activity_signals").await;
    let first = session(&conninfo, "act_sleep_1").await;
    let first_pid = pid(&first).await;
    let first_sleep = spawn_statement(first, "SELECT pg_sleep(60)");
    let second = session(&conninfo, "act_sleep_2").await;
    let second_sleep = spawn_statement(second, "SELECT pg_sleep(60)");
    let open = session(&conninfo, "act_idle_tx").await;
    open.batch_execute("BEGIN; SELECT 1").await.unwrap();
    let mut watch = Watch::on(&conninfo).await;
    let running = |s: &ActivitySnapshot| {
        ["act_sleep_1", "act_sleep_2"].iter().all(|app| {
            s.sessions
                .iter()
                .any(|x| x.application == *app && x.wait_event.as_deref() == Some("PgSleep"))
        })
    };
    let snapshot = watch.until(running).await;
    let info = watch.info.clone();
    let mut state = watch.state(snapshot);

    // Cancel the selected session: the filter lists only the first sleeper.
    state.filter_text = "app:act_sleep_1".to_owned();
    state.refilter();
    let spec = state
        .signal(JobKind::CancelBackend, Scope::Selected, &info, &[])
        .unwrap();
    assert_eq!(
        spec.target,
        format!("pid {first_pid} (act_sleep_1, active)")
    );
    let Outcome::Done { rows } = run(&conninfo, &info, spec).await else {
        panic!("the cancel failed")
    };
    assert_eq!(backend::signalled(&rows), vec![first_pid]);
    let (result, _still_open) = first_sleep.await.unwrap();
    let err = result.unwrap_err();
    let err = pgmedic::conn::describe(&err);
    assert!(err.contains("user request"), "{err}");
    let after = watch
        .until(|s| {
            s.sessions
                .iter()
                .any(|x| x.application == "act_sleep_1" && x.state == SessionState::Idle)
        })
        .await;
    assert_eq!(
        by_app(&after, "act_sleep_1").state,
        SessionState::Idle,
        "cancelled, still connected"
    );
    assert_eq!(
        by_app(&after, "act_sleep_2").wait_event.as_deref(),
        Some("PgSleep")
    );
    assert_eq!(
        by_app(&after, "act_idle_tx").state,
        SessionState::IdleInTransaction
    );

    // A cancel cannot end an idle transaction, and pgmedic says so instead of pretending.
    state = watch.state(after);
    state.filter_text = "app:act_idle_tx".to_owned();
    state.refilter();
    let refused = state
        .signal(JobKind::CancelBackend, Scope::Filtered, &info, &[])
        .unwrap_err();
    assert!(
        refused.contains("is not running a statement") && refused.contains("X terminates"),
        "{refused}"
    );
    // Terminate every session the filter lists: just the idle transaction.
    let spec = state
        .signal(JobKind::TerminateBackend, Scope::Filtered, &info, &[])
        .unwrap();
    assert_eq!(spec.kind.typed_confirmation(), Some("terminate"));
    assert!(matches!(
        run(&conninfo, &info, spec).await,
        Outcome::Done { .. }
    ));
    let gone = watch
        .until(|s| !s.sessions.iter().any(|x| x.application == "act_idle_tx"))
        .await;
    assert!(
        open.batch_execute("SELECT 1").await.is_err(),
        "its connection was ended"
    );
    assert_eq!(
        by_app(&gone, "act_sleep_2").wait_event.as_deref(),
        Some("PgSleep")
    );
    assert_eq!(by_app(&gone, "act_sleep_1").state, SessionState::Idle);

    // Never the console's own session, whatever the filter lists. (By pid: other tests of
    // this binary run pgmedic sessions of their own on the same cluster at the same time.)
    let mut state = watch.state(gone);
    state.filter_text = format!("pid:{}", info.backend_pid);
    state.refilter();
    let refused = state
        .signal(JobKind::TerminateBackend, Scope::Filtered, &info, &[])
        .unwrap_err();
    assert!(refused.contains("pgmedic's own session"), "{refused}");
    second_sleep.abort();
}

#[tokio::test]
async fn a_session_that_changed_since_the_proposal_is_left_alone() {
    let conninfo = fresh_db("activity_recheck").await;
    let stays = session(&conninfo, "act_recheck_stays").await;
    stays.batch_execute("BEGIN; SELECT 1").await.unwrap();
    let moves = session(&conninfo, "act_recheck_moves").await;
    moves.batch_execute("BEGIN; SELECT 1").await.unwrap();
    let stays_pid = pid(&stays).await;
    let mut watch = Watch::on(&conninfo).await;
    let both_idle = |s: &ActivitySnapshot| {
        s.sessions
            .iter()
            .filter(|x| {
                x.application.starts_with("act_recheck_")
                    && x.state == SessionState::IdleInTransaction
            })
            .count()
            == 2
    };
    let snapshot = watch.until(both_idle).await;
    let info = watch.info.clone();
    let mut state = watch.state(snapshot);
    state.filter_text = "app:act_recheck_ state:\"idle in transaction\" xact>0s".to_owned();
    state.refilter();
    let spec = state
        .signal(JobKind::TerminateBackend, Scope::Filtered, &info, &[])
        .unwrap();
    assert_eq!(state.listed().count(), 2);
    // While the confirmation is open, one session commits and starts a new statement.
    moves.batch_execute("COMMIT").await.unwrap();
    let sleeper = spawn_statement(moves, "SELECT pg_sleep(60)");
    watch
        .until(|s| {
            s.sessions.iter().any(|x| {
                x.application == "act_recheck_moves" && x.wait_event.as_deref() == Some("PgSleep")
            })
        })
        .await;
    let Outcome::Done { rows } = run(&conninfo, &info, spec).await else {
        panic!("the terminate failed")
    };
    assert_eq!(
        backend::signalled(&rows),
        vec![stays_pid],
        "only the session still idle in its transaction"
    );
    assert!(stays.batch_execute("SELECT 1").await.is_err(), "ended");
    let after = watch.snapshot().await;
    assert_eq!(
        by_app(&after, "act_recheck_moves").wait_event.as_deref(),
        Some("PgSleep"),
        "its new statement runs on"
    );
    assert!(!sleeper.is_finished());
    sleeper.abort();
}

async fn pid(client: &Client) -> i32 {
    client
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0)
}

#[tokio::test]
async fn a_backend_named_by_a_stale_start_time_is_left_alone() {
    let conninfo = fresh_db("activity_reuse").await;
    let victim = session(&conninfo, "act_reused").await;
    let victim_pid = pid(&victim).await;
    let admin = superuser_client("postgres").await;
    // The same pid with another start time: what a pid reused by a new backend looks like.
    let target = Target {
        pid: victim_pid,
        backend_start: Some("2001-01-01T00:00:00.000001Z".to_owned()),
        recheck: Vec::new(),
    };
    let rows = admin
        .simple_query(&backend::statement(JobKind::TerminateBackend, &[target]))
        .await
        .unwrap();
    let signalled = rows
        .iter()
        .filter(|m| matches!(m, tokio_postgres::SimpleQueryMessage::Row(_)))
        .count();
    assert_eq!(signalled, 0);
    victim.batch_execute("SELECT 1").await.unwrap();
}

#[tokio::test]
async fn a_role_without_privileges_is_refused_with_the_reason_before_anything_runs() {
    let conninfo = fresh_db("activity_roles").await;
    let admin = superuser_client("postgres").await;
    admin
        .batch_execute(
            "DROP ROLE IF EXISTS act_plain; CREATE ROLE act_plain LOGIN;
             DROP ROLE IF EXISTS act_other; CREATE ROLE act_other LOGIN",
        )
        .await
        .unwrap();
    let as_role = |role: &str| conninfo.replace("user=postgres", &format!("user={role}"));
    let superuser_session = session(&conninfo, "act_super").await;
    let other = session(&as_role("act_other"), "act_other_app").await;
    let own = session(&as_role("act_plain"), "act_own_app").await;
    let sleeping = spawn_statement(own, "SELECT pg_sleep(60)");
    let mut watch = Watch::on(&as_role("act_plain")).await;
    assert!(!watch.info.privileges.superuser && !watch.info.privileges.pg_signal_backend);
    let snapshot = watch
        .until(|s| {
            s.sessions
                .iter()
                .any(|x| x.application == "act_own_app" && x.state == SessionState::Active)
        })
        .await;
    let info = watch.info.clone();
    let mut state = watch.state(snapshot);
    let mut attempt = |app: &str| {
        state.filter_text = format!("app:{app}");
        state.refilter();
        state.signal(JobKind::TerminateBackend, Scope::Selected, &info, &[])
    };
    let refused = attempt("act_super").unwrap_err();
    assert!(refused.contains("superuser"), "{refused}");
    let refused = attempt("act_other_app").unwrap_err();
    assert!(
        refused.contains("role act_other") && refused.contains("pg_signal_backend"),
        "{refused}"
    );
    let spec = attempt("act_own_app").unwrap();
    assert!(
        spec.sql().contains("pg_terminate_backend"),
        "its own role's session may be signalled"
    );
    drop((superuser_session, other));
    sleeping.abort();
}

#[tokio::test]
async fn replication_slots_and_prepared_transactions_show_as_horizon_holders() {
    let own = pgmedic::cluster::Cluster::start(pgmedic::cluster::ClusterOptions {
        settings: vec![
            ("wal_level".to_owned(), "logical".to_owned()),
            ("max_prepared_transactions".to_owned(), "4".to_owned()),
        ],
        ..Default::default()
    })
    .unwrap();
    let conninfo = own.conninfo("postgres");
    let admin = crate::common::connect(&conninfo).await;
    for statement in [
        "SELECT pg_create_logical_replication_slot('act_cdc', 'pgoutput')",
        "CREATE TABLE ledger (id int)",
        "BEGIN; INSERT INTO ledger VALUES (1); PREPARE TRANSACTION 'act-2pc'",
    ] {
        admin.batch_execute(statement).await.unwrap();
    }
    let mut watch = Watch::on(&conninfo).await;
    let snapshot = watch.snapshot().await;
    let slots = snapshot.slots.as_ref().unwrap();
    assert_eq!(slots.len(), 1);
    assert!(slots[0].catalog_xmin.is_some() && !slots[0].active);
    let prepared = snapshot.prepared.as_ref().unwrap();
    assert_eq!(prepared[0].gid, "act-2pc");
    let view = watch.state(snapshot).view.unwrap();
    let kinds: Vec<String> = view
        .horizon
        .iter()
        .map(|h| match &h.kind {
            pgmedic::diagnose::activity::HorizonKind::Slot { name, .. } => format!("slot {name}"),
            pgmedic::diagnose::activity::HorizonKind::Prepared { gid, .. } => {
                format!("prepared {gid}")
            }
            pgmedic::diagnose::activity::HorizonKind::Session { pid, .. } => format!("pid {pid}"),
        })
        .collect();
    assert!(kinds.contains(&"slot act_cdc".to_owned()), "{kinds:?}");
    assert!(kinds.contains(&"prepared act-2pc".to_owned()), "{kinds:?}");
    admin
        .batch_execute("ROLLBACK PREPARED 'act-2pc'")
        .await
        .unwrap();
    admin
        .batch_execute("SELECT pg_drop_replication_slot('act_cdc')")
        .await
        .unwrap();
}

#[tokio::test]
async fn every_activity_sql_variant_this_server_can_run_executes_and_decodes() {
    let conninfo = fresh_db("activity_variants").await;
    let client = crate::common::connect(&conninfo).await;
    let version = cluster().version_num();
    for (min, sql) in collector::SESSIONS {
        if *min > version {
            continue;
        }
        let rows = client
            .query(*sql, &[&QUERY_CHARS])
            .await
            .unwrap_or_else(|e| panic!("sessions variant {min}: {e}"));
        assert!(
            rows.iter().any(|r| r.get::<_, bool>("is_self")),
            "variant {min}"
        );
        let cut: i32 = rows
            .iter()
            .map(|r| r.get::<_, Option<i32>>("query_length").unwrap_or(0))
            .max()
            .unwrap();
        assert!(cut > 0, "variant {min}");
    }
    for (min, sql) in collector::LOCKS {
        if *min > version {
            continue;
        }
        client
            .query(*sql, &[])
            .await
            .unwrap_or_else(|e| panic!("locks variant {min}: {e}"));
    }
    assert_eq!(
        versioned(collector::SESSIONS, version),
        Some(collector::SESSIONS.last().unwrap().1),
        "15 and 18 run the newest variant"
    );
    for sql in [collector::SLOTS, collector::PREPARED] {
        client.query(sql, &[]).await.unwrap();
    }
    let oids: Vec<u32> = vec![1259];
    let names = client.query(collector::RELATIONS, &[&oids]).await.unwrap();
    assert_eq!(names[0].get::<_, String>("name"), "pg_class");
}

#[tokio::test]
async fn the_whole_query_is_read_for_the_detail_view_and_only_for_the_same_backend() {
    let conninfo = fresh_db("activity_full").await;
    let long = session(&conninfo, "act_long").await;
    let filler = "x".repeat(600);
    long.batch_execute(&format!("SELECT '{filler}' AS long_literal"))
        .await
        .unwrap();
    let mut watch = Watch::on(&conninfo).await;
    let snapshot = watch.snapshot().await;
    let s = by_app(&snapshot, "act_long");
    assert_eq!(
        s.query.chars().count(),
        QUERY_CHARS as usize,
        "the list carries a cut text"
    );
    assert!(s.query_length > QUERY_CHARS);
    let start = s.backend_start.clone().unwrap();
    let full = collector::full_query(&watch.client, s.pid, &start)
        .await
        .unwrap()
        .unwrap();
    assert!(full.ends_with("AS long_literal"), "{full}");
    let stale = collector::full_query(&watch.client, s.pid, "2001-01-01T00:00:00Z")
        .await
        .unwrap();
    assert_eq!(stale, None);
}

#[tokio::test]
async fn a_row_lock_wait_names_the_row_and_its_table() {
    let conninfo = fresh_db("activity_rowlock").await;
    let setup = session(&conninfo, "act_row_setup").await;
    setup
        .batch_execute(
            "CREATE TABLE qa_t (id int PRIMARY KEY, v int); INSERT INTO qa_t VALUES (1, 0)",
        )
        .await
        .unwrap();
    let holder = session(&conninfo, "act_row_root").await;
    holder
        .batch_execute("BEGIN; UPDATE qa_t SET v = 1 WHERE id = 1")
        .await
        .unwrap();
    let waiter = session(&conninfo, "act_row_wait").await;
    let waiting = spawn_statement(waiter, "UPDATE qa_t SET v = 2 WHERE id = 1");
    let mut watch = Watch::on(&conninfo).await;
    let snapshot = watch.until(waits("act_row_wait")).await;
    let view = watch.state(snapshot).view.unwrap();
    let rows = &view.blocking.rows;
    let awaited = rows[1].waits.as_ref().unwrap();
    assert_eq!(awaited.mode, "ShareLock");
    assert!(
        awaited
            .object
            .starts_with("row (0,1) of public.qa_t (transaction "),
        "{}",
        awaited.object
    );
    holder.batch_execute("ROLLBACK").await.unwrap();
    let (result, _) = waiting.await.unwrap();
    result.unwrap();
}
