//! The job runner against the real cluster: actions run on sessions of their own, report
//! progress and waits, can be cancelled, stop at the first error, and are audited.

use std::path::PathBuf;
use std::time::Duration;

use pgmedic::app::msg::Msg;
use pgmedic::explain::generic::generic_plan;
use pgmedic::jobs::audit::AuditLog;
use pgmedic::jobs::{JobEvent, JobKind, JobSpec, Outcome, Progress, Runner};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use crate::common::{connect, fresh_db, params, quiet_cluster};

/// A scratch directory removed when the test ends, whether it passes or not.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A runner on `conninfo` whose audit log is a fresh file in a scratch directory, and its
/// inbox.
fn runner(conninfo: &str, test: &str) -> (Runner, UnboundedReceiver<Msg>, PathBuf, Scratch) {
    let (tx, rx) = unbounded_channel();
    let dir = std::env::temp_dir().join(format!("pgmedic-jobs-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.join("audit.log");
    let runner = Runner::new(
        params(conninfo),
        "postgres".to_owned(),
        150_000,
        Some(AuditLog::at(path.clone())),
        tx,
    );
    (runner, rx, path, Scratch(dir))
}

/// The next job event (bounded wait).
async fn next(rx: &mut UnboundedReceiver<Msg>) -> JobEvent {
    match tokio::time::timeout(Duration::from_secs(30), rx.recv()).await {
        Ok(Some(Msg::Job(event))) => event,
        other => panic!("expected a job event, got {other:?}"),
    }
}

/// Events until the job finishes; returns the progress seen and the outcome.
async fn until_finished(rx: &mut UnboundedReceiver<Msg>) -> (Vec<Progress>, Outcome) {
    let mut seen = Vec::new();
    loop {
        match next(rx).await {
            JobEvent::Progress { progress, .. } => seen.push(progress),
            JobEvent::Finished { outcome, .. } => return (seen, outcome),
            JobEvent::Started { .. } => {}
        }
    }
}

/// A table `fills` of 20,000 rows, and a session idle in a transaction that wrote to it.
async fn fills_and_an_open_transaction(
    conninfo: &str,
) -> (tokio_postgres::Client, tokio_postgres::Client) {
    let setup = connect(conninfo).await;
    setup
        .batch_execute(
            "CREATE TABLE fills (id int, account int);
             INSERT INTO fills SELECT g, g % 100 FROM generate_series(1, 20000) g;",
        )
        .await
        .unwrap();
    let holder = connect(conninfo).await;
    holder
        .batch_execute("BEGIN; INSERT INTO fills VALUES (0, 0);")
        .await
        .unwrap();
    (setup, holder)
}

async fn index_is_valid(client: &tokio_postgres::Client, name: &str) -> bool {
    client
        .query_one(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = $1::text::regclass",
            &[&name],
        )
        .await
        .unwrap()
        .get(0)
}

fn audit_lines(path: &PathBuf) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test]
async fn a_vacuum_job_runs_on_its_own_session_and_is_audited() {
    let (_own, conninfo) = quiet_cluster();
    let setup = connect(&conninfo).await;
    setup
        .batch_execute(
            "CREATE TABLE \"odd \"\"name\"\"; x\" (id int) WITH (autovacuum_enabled = off);
             INSERT INTO \"odd \"\"name\"\"; x\" SELECT generate_series(1, 10000);
             DELETE FROM \"odd \"\"name\"\"; x\" WHERE id % 2 = 0;",
        )
        .await
        .unwrap();
    let table = pgmedic::quote::qualified("public", "odd \"name\"; x");
    let (runner, mut rx, audit, _scratch) = runner(&conninfo, "vacuum");
    let spec = JobSpec::new(JobKind::Vacuum, "odd", vec![format!("VACUUM {table}")]);
    runner.start(1, spec);
    let JobEvent::Started { id: 1, pid } = next(&mut rx).await else {
        panic!("the job must start first");
    };
    let (_, outcome) = until_finished(&mut rx).await;
    assert_eq!(outcome, Outcome::Done { rows: Vec::new() });
    let dead: i64 = setup
        .query_one(
            "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'odd \"name\"; x'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(dead, 0, "the vacuum removed the dead tuples");
    let lines = audit_lines(&audit);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["outcome"], "started");
    assert_eq!(lines[0]["pid"], pid);
    assert_eq!(lines[1]["outcome"], "ok");
    assert_eq!(lines[1]["sql"], format!("VACUUM {table};"));
    assert_eq!(lines[1]["role"], "postgres");
}

#[tokio::test]
async fn a_running_job_can_be_cancelled_and_the_next_statement_never_runs() {
    let conninfo = fresh_db("job_cancel").await;
    let (runner, mut rx, audit, _scratch) = runner(&conninfo, "cancel");
    let spec = JobSpec::new(
        JobKind::Analyze,
        "sleep",
        vec![
            "SELECT pg_sleep(60)".to_owned(),
            "CREATE TABLE must_not_exist ()".to_owned(),
        ],
    );
    runner.start(7, spec);
    let JobEvent::Started { id: 7, .. } = next(&mut rx).await else {
        panic!("the job must start first");
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    runner.cancel(7);
    let (_, outcome) = until_finished(&mut rx).await;
    assert_eq!(outcome, Outcome::Cancelled);
    let exists: bool = connect(&conninfo)
        .await
        .query_one("SELECT to_regclass('must_not_exist') IS NOT NULL", &[])
        .await
        .unwrap()
        .get(0);
    assert!(!exists);
    let lines = audit_lines(&audit);
    assert_eq!(lines.last().unwrap()["outcome"], "cancelled");
}

#[tokio::test]
async fn quitting_cancels_every_job_and_waits_for_their_ends_in_the_audit_log() {
    let conninfo = fresh_db("job_cancel_all").await;
    let (runner, mut rx, audit, _scratch) = runner(&conninfo, "cancel_all");
    for id in [1, 2] {
        let spec = JobSpec::new(
            JobKind::Analyze,
            "sleep",
            vec![format!("SELECT pg_sleep(60) /* cancel_all {id} */")],
        );
        runner.start(id, spec);
        assert!(matches!(next(&mut rx).await, JobEvent::Started { .. }));
    }
    runner.cancel_all(Duration::from_secs(10)).await;
    // Both ends are logged by the time cancel_all returns, not later.
    let lines = audit_lines(&audit);
    let ends: Vec<&serde_json::Value> =
        lines.iter().filter(|l| l["outcome"] != "started").collect();
    assert_eq!(ends.len(), 2, "{lines:#?}");
    assert!(
        ends.iter().all(|l| l["outcome"] == "cancelled"),
        "{lines:#?}"
    );
    let left: i64 = connect(&conninfo)
        .await
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%/* cancel_all %' \
             AND state = 'active' AND pid <> pg_backend_pid()",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(left, 0, "nothing goes on running on the server");
}

#[tokio::test]
async fn a_failing_statement_stops_the_job_with_the_servers_message() {
    let conninfo = fresh_db("job_fail").await;
    let (runner, mut rx, audit, _scratch) = runner(&conninfo, "fail");
    let spec = JobSpec::new(
        JobKind::DropIndex,
        "nope",
        vec![
            "DROP INDEX CONCURRENTLY \"public\".\"nope\"".to_owned(),
            "CREATE TABLE must_not_exist ()".to_owned(),
        ],
    );
    runner.start(2, spec);
    let (_, outcome) = until_finished(&mut rx).await;
    let Outcome::Failed { error } = outcome else {
        panic!("expected a failure, got {outcome:?}");
    };
    assert!(error.contains("does not exist"), "{error}");
    let lines = audit_lines(&audit);
    assert_eq!(lines.last().unwrap()["outcome"], "error");
    assert!(
        lines.last().unwrap()["error"]
            .as_str()
            .unwrap()
            .contains("does not exist")
    );
    let exists: bool = connect(&conninfo)
        .await
        .query_one("SELECT to_regclass('must_not_exist') IS NOT NULL", &[])
        .await
        .unwrap()
        .get(0);
    assert!(!exists);
}

#[tokio::test]
async fn create_index_concurrently_reports_its_phase_and_who_it_waits_for() {
    let conninfo = fresh_db("job_cic").await;
    // An open transaction with an xid: CONCURRENTLY must wait for it before it can finish.
    let (setup, holder) = fills_and_an_open_transaction(&conninfo).await;
    let holder_pid: i32 = holder
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0);
    let (runner, mut rx, _, _scratch) = runner(&conninfo, "cic");
    let spec = JobSpec::new(
        JobKind::CreateIndex,
        "fills",
        vec!["CREATE INDEX CONCURRENTLY fills_account ON fills (account)".to_owned()],
    );
    runner.start(3, spec);
    let waiting = loop {
        match next(&mut rx).await {
            JobEvent::Progress { progress, .. } if !progress.waiting_for.is_empty() => {
                break progress;
            }
            JobEvent::Finished { outcome, .. } => panic!("finished without waiting: {outcome:?}"),
            _ => {}
        }
    };
    assert!(waiting.phase.starts_with("waiting for"), "{waiting:?}");
    assert!(waiting.waiting_for.contains(&holder_pid), "{waiting:?}");
    holder.batch_execute("COMMIT").await.unwrap();
    let (_, outcome) = until_finished(&mut rx).await;
    assert_eq!(outcome, Outcome::Done { rows: Vec::new() });
    assert!(index_is_valid(&setup, "fills_account").await);
}

#[tokio::test]
async fn a_job_behind_a_lock_gives_up_after_its_lock_timeout() {
    let conninfo = fresh_db("job_lock").await;
    let setup = connect(&conninfo).await;
    setup
        .batch_execute("CREATE TABLE t (id int)")
        .await
        .unwrap();
    let holder = connect(&conninfo).await;
    holder
        .batch_execute("BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE;")
        .await
        .unwrap();
    let (runner, mut rx, _, _scratch) = runner(&conninfo, "lock");
    let mut spec = JobSpec::new(JobKind::Analyze, "t", vec!["ANALYZE t".to_owned()]);
    spec.lock_timeout = Some(Duration::from_millis(300));
    runner.start(4, spec);
    let (_, outcome) = until_finished(&mut rx).await;
    let Outcome::Failed { error } = outcome else {
        panic!("expected a lock timeout, got {outcome:?}");
    };
    assert!(error.contains("lock timeout"), "{error}");
    holder.batch_execute("ROLLBACK").await.unwrap();
}

#[tokio::test]
async fn a_job_in_another_database_runs_there() {
    let conninfo = fresh_db("job_db_a").await;
    let other = fresh_db("job_db_b").await;
    let other_name: String = connect(&other)
        .await
        .query_one("SELECT current_database()", &[])
        .await
        .unwrap()
        .get(0);
    let (runner, mut rx, _, _scratch) = runner(&conninfo, "db");
    let spec = JobSpec::new(
        JobKind::Analyze,
        "db",
        vec!["SELECT current_database()".to_owned()],
    )
    .in_database(other_name.clone());
    runner.start(5, spec);
    let (_, outcome) = until_finished(&mut rx).await;
    assert_eq!(
        outcome,
        Outcome::Done {
            rows: vec![vec![Some(other_name)]]
        }
    );
}

#[tokio::test]
async fn generic_plans_of_parameterised_statements_on_this_server() {
    let conninfo = fresh_db("generic_plan").await;
    let client = connect(&conninfo).await;
    client
        .batch_execute(
            "CREATE TABLE orders (id int PRIMARY KEY, account int, placed timestamptz);
             INSERT INTO orders SELECT g, g % 50, now() FROM generate_series(1, 1000) g;
             ANALYZE orders;",
        )
        .await
        .unwrap();
    let version: i32 = client
        .query_one("SELECT current_setting('server_version_num')::int", &[])
        .await
        .unwrap()
        .get(0);
    let version = u32::try_from(version).unwrap();
    for sql in [
        "SELECT * FROM orders WHERE id = $1",
        "SELECT count(*) FROM orders WHERE account = $1 AND placed > $2;",
        "SELECT 1",
    ] {
        let plan = generic_plan(&client, sql, version)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        assert!(plan[0]["Plan"]["Node Type"].is_string(), "{sql}: {plan}");
    }
    let by_id = generic_plan(&client, "SELECT * FROM orders WHERE id = $1", version)
        .await
        .unwrap();
    assert_eq!(by_id[0]["Plan"]["Node Type"], "Index Scan");
    assert!(
        generic_plan(&client, "SELECT 1; DROP TABLE orders", version)
            .await
            .is_err()
    );
    let still_there: bool = client
        .query_one("SELECT to_regclass('orders') IS NOT NULL", &[])
        .await
        .unwrap()
        .get(0);
    assert!(still_there);
    // Nothing is left behind on the session: no SQL-level prepared statement (the client
    // library's own protocol-level ones aside), the usual plan cache mode.
    let leftovers: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_prepared_statements WHERE NOT from_sql",
            &[],
        )
        .await
        .map_or(0, |r| r.get(0));
    let sql_level: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_prepared_statements WHERE from_sql",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(sql_level, 0, "({leftovers} protocol-level statements)");
    let mode: String = client
        .query_one("SELECT current_setting('plan_cache_mode')", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(mode, "auto");
}

#[tokio::test]
async fn a_concurrent_build_waits_for_an_older_transaction_longer_than_any_lock_timeout() {
    let conninfo = fresh_db("job_cic_old").await;
    // A session idle in a transaction that has an xid: the build waits for it to end.
    let (setup, holder) = fills_and_an_open_transaction(&conninfo).await;
    let (runner, mut rx, _, _scratch) = runner(&conninfo, "cic_old");
    let spec = JobSpec::new(
        JobKind::CreateIndex,
        "fills",
        vec!["CREATE INDEX CONCURRENTLY fills_account ON fills (account)".to_owned()],
    );
    assert_eq!(spec.lock_timeout, None);
    runner.start(5, spec);
    // Longer than the 5 s lock_timeout of other jobs: the build must still be waiting.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(7);
    let mut waited = false;
    while let Ok(event) = tokio::time::timeout_at(deadline, rx.recv()).await {
        match event {
            Some(Msg::Job(JobEvent::Progress { progress, .. })) => {
                waited |= !progress.waiting_for.is_empty();
            }
            Some(Msg::Job(JobEvent::Finished { outcome, .. })) => {
                panic!("the build gave up while an older transaction was open: {outcome:?}")
            }
            _ => {}
        }
    }
    assert!(waited, "the build showed whom it waits for");
    holder.batch_execute("COMMIT").await.unwrap();
    let (_, outcome) = until_finished(&mut rx).await;
    assert_eq!(outcome, Outcome::Done { rows: Vec::new() });
    assert!(index_is_valid(&setup, "fills_account").await);
}

#[tokio::test]
async fn a_failed_unique_build_keeps_the_servers_detail_and_its_audit_lines_pair_up() {
    let conninfo = fresh_db("job_unique").await;
    let setup = connect(&conninfo).await;
    setup
        .batch_execute("CREATE TABLE t (k int); INSERT INTO t VALUES (1), (2), (2);")
        .await
        .unwrap();
    let (runner, mut rx, audit, _scratch) = runner(&conninfo, "unique");
    let spec = JobSpec::new(
        JobKind::CreateIndex,
        "t_k",
        vec!["CREATE UNIQUE INDEX CONCURRENTLY t_k ON t (k)".to_owned()],
    );
    runner.start(1, spec);
    let JobEvent::Started { pid, .. } = next(&mut rx).await else {
        panic!("the job must start first");
    };
    let (_, outcome) = until_finished(&mut rx).await;
    let Outcome::Failed { error } = outcome else {
        panic!("expected a failure, got {outcome:?}");
    };
    assert!(
        error.contains("could not create unique index")
            && error.contains("DETAIL: Key (k)=(2) is duplicated"),
        "{error}"
    );
    let lines = audit_lines(&audit);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["outcome"], "error");
    assert_eq!(lines[1]["pid"], pid, "the end line names the backend too");
    assert!(
        lines[1]["error"]
            .as_str()
            .unwrap()
            .contains("is duplicated")
    );
    let session = lines[0]["session"].as_str().unwrap();
    assert!(!session.is_empty());
    assert_eq!(lines[1]["session"], session);
    // Another console on the same log numbers its jobs from 1 too, in a session of its own.
    let (tx, mut other_rx) = unbounded_channel();
    let other = Runner::new(
        params(&conninfo),
        "postgres".to_owned(),
        150_000,
        Some(AuditLog::at(audit.clone())),
        tx,
    );
    other.start(
        1,
        JobSpec::new(JobKind::Analyze, "t", vec!["ANALYZE t".to_owned()]),
    );
    let _ = until_finished(&mut other_rx).await;
    let lines = audit_lines(&audit);
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[3]["job"], 1);
    assert_ne!(lines[3]["session"], session);
}
