//! EXPLAIN as the Explain pane runs it, against the real cluster: on a session of its own,
//! estimates, generic plans, and ANALYZE inside a transaction that is always rolled back.

use std::time::{Duration, Instant};

use pgmedic::app::msg::Msg;
use pgmedic::explain::run::{CANCELLED, ExplainRequest, Explained, How, task};
use pgmedic::work::{self, Request, WorkContext};
use tokio::sync::mpsc::unbounded_channel;

use crate::common::{connect, fresh_db, params};

async fn setup(test: &str) -> (String, tokio_postgres::Client, u32) {
    let conninfo = fresh_db(test).await;
    let client = connect(&conninfo).await;
    client
        .batch_execute(
            "CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL, balance numeric NOT NULL);
             INSERT INTO accounts SELECT g, 'owner ' || g, g * 10 FROM generate_series(1, 5000) g;
             CREATE TABLE audit (at timestamptz DEFAULT now(), what text);
             CREATE FUNCTION note(t text) RETURNS int LANGUAGE sql AS
               $$ INSERT INTO audit (what) VALUES (t) RETURNING 1 $$;
             ANALYZE accounts;",
        )
        .await
        .unwrap();
    let version: i32 = client
        .query_one("SELECT current_setting('server_version_num')::int", &[])
        .await
        .unwrap()
        .get(0);
    (conninfo, client, u32::try_from(version).unwrap())
}

/// Runs one request as the pane does (the work task) and waits for its answer.
async fn explain(
    conninfo: &str,
    sql: &str,
    analyze: bool,
    timeout: Duration,
    version: u32,
) -> Result<Explained, String> {
    let (tx, mut rx) = unbounded_channel();
    let request = ExplainRequest {
        id: 7,
        sql: sql.to_owned(),
        analyze,
        timeout,
        server_version_num: version,
    };
    // The console hands work tasks its monitoring parameters (read-only transactions and a
    // 3 s statement_timeout as startup options): the EXPLAIN session must override them.
    let context = WorkContext::new(pgmedic::collect::monitoring_params(&params(conninfo)), tx);
    tokio::spawn(task(request, context));
    match tokio::time::timeout(Duration::from_secs(30), rx.recv()).await {
        Ok(Some(Msg::Explain(outcome))) => {
            assert_eq!(outcome.id, 7);
            outcome.result
        }
        other => panic!("expected an EXPLAIN answer, got {other:?}"),
    }
}

/// Everything in the table, as one text (to see that nothing changed).
async fn contents(client: &tokio_postgres::Client) -> (String, i64) {
    let row = client
        .query_one(
            "SELECT md5(string_agg(a::text, ',' ORDER BY id)), (SELECT count(*) FROM audit) FROM accounts a",
            &[],
        )
        .await
        .unwrap();
    (row.get(0), row.get(1))
}

const LONG: Duration = Duration::from_secs(30);

#[tokio::test]
async fn explain_analyze_of_an_update_leaves_the_table_unchanged() {
    let (conninfo, client, version) = setup("explain_update").await;
    let before = contents(&client).await;
    let sql = "UPDATE accounts SET balance = balance * 2, owner = 'x' WHERE id <= 2500";
    let done = explain(&conninfo, sql, true, LONG, version).await.unwrap();
    assert_eq!(done.how, How::Analyze { modifies: true });
    let root = done.plan.root();
    assert_eq!(root.title(), "Update");
    let scan = &done.plan.nodes[1];
    assert_eq!(
        scan.total_rows(),
        Some(2500.0),
        "it really ran: 2500 rows updated"
    );
    assert_eq!(contents(&client).await, before, "and it was rolled back");
    // A DELETE typed with EXPLAIN ANALYSE (British), and one hidden in a WITH.
    for sql in [
        "EXPLAIN ANALYSE DELETE FROM accounts WHERE id % 2 = 0",
        "WITH gone AS (DELETE FROM accounts RETURNING id) SELECT count(*) FROM gone",
        "INSERT INTO accounts SELECT g, 'new', 0 FROM generate_series(5001, 6000) g",
    ] {
        let done = explain(&conninfo, sql, true, LONG, version).await.unwrap();
        assert_eq!(done.how, How::Analyze { modifies: true }, "{sql}");
        assert!(done.plan.analyzed(), "{sql}");
        assert_eq!(contents(&client).await, before, "{sql}");
    }
}

#[tokio::test]
async fn a_select_runs_read_only_so_a_function_cannot_write() {
    let (conninfo, client, version) = setup("explain_read_only").await;
    let before = contents(&client).await;
    let err = explain(&conninfo, "SELECT note('explained')", true, LONG, version)
        .await
        .unwrap_err();
    assert!(err.contains("read-only transaction"), "{err}");
    assert_eq!(contents(&client).await, before);
    let done = explain(
        &conninfo,
        "SELECT count(*) FROM accounts WHERE balance > 100",
        true,
        LONG,
        version,
    )
    .await
    .unwrap();
    assert_eq!(done.how, How::Analyze { modifies: false });
    let plan = &done.plan;
    assert!(plan.analyzed() && plan.execution_ms().is_some() && plan.planning_ms().is_some());
    assert!(!plan.root().buffers.is_zero(), "BUFFERS on every version");
    let seq = plan.nodes.iter().find(|n| n.kind == "Seq Scan").unwrap();
    // VERBOSE: schema-qualified.
    assert_eq!(seq.props.text("Schema"), Some("public"));
    assert_eq!(seq.total_rows(), Some(4990.0));
    // The transaction around it is marked as pgmedic's own in pg_stat_statements.
    let unmarked: Vec<String> = client
        .query(
            "SELECT query FROM pg_stat_statements
              WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                AND query ~* '^\\s*(begin|rollback)' AND query NOT LIKE '%pgmedic:%'",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let expected: &[&str] = if version < 160_000 {
        &[]
    } else {
        &["ROLLBACK"]
    };
    assert_eq!(unmarked, expected);
}

#[tokio::test]
async fn estimates_and_generic_plans_run_nothing() {
    let (conninfo, client, version) = setup("explain_estimate").await;
    let before = contents(&client).await;
    let done = explain(
        &conninfo,
        "DELETE FROM accounts WHERE id = 5",
        false,
        LONG,
        version,
    )
    .await
    .unwrap();
    assert_eq!(done.how, How::Estimate);
    assert!(!done.plan.analyzed());
    assert_eq!(done.plan.root().title(), "Delete");
    let done = explain(
        &conninfo,
        "SELECT * FROM accounts WHERE id = $1 AND balance > $2",
        false,
        LONG,
        version,
    )
    .await
    .unwrap();
    assert_eq!(done.how, How::Generic);
    assert_eq!(done.plan.root().kind, "Index Scan");
    assert!(done.plan.root().metrics.self_cost.is_some());
    let err = explain(
        &conninfo,
        "SELECT * FROM accounts WHERE id = $1",
        true,
        LONG,
        version,
    )
    .await
    .unwrap_err();
    assert!(err.contains("fill in $1"), "{err}");
    assert_eq!(contents(&client).await, before);
}

#[tokio::test]
async fn several_statements_never_reach_the_server() {
    let (conninfo, client, version) = setup("explain_several").await;
    for sql in [
        "SELECT 1; DROP TABLE accounts",
        "EXPLAIN ANALYSE SELECT 1; DROP TABLE accounts",
        "SELECT ';' ; DROP TABLE accounts -- ;",
    ] {
        for analyze in [false, true] {
            let err = explain(&conninfo, sql, analyze, LONG, version)
                .await
                .unwrap_err();
            assert!(err.contains("2 statements"), "{sql}: {err}");
        }
    }
    let still_there: bool = client
        .query_one("SELECT to_regclass('accounts') IS NOT NULL", &[])
        .await
        .unwrap()
        .get(0);
    assert!(still_there);
    let done = explain(
        &conninfo,
        "SELECT ';' AS semicolon -- ; DROP TABLE accounts",
        true,
        LONG,
        version,
    )
    .await
    .unwrap();
    assert_eq!(done.plan.root().kind, "Result");
}

#[tokio::test]
async fn the_chosen_statement_timeout_applies() {
    let (conninfo, _client, version) = setup("explain_timeout").await;
    let started = Instant::now();
    let err = explain(
        &conninfo,
        "SELECT pg_sleep(5)",
        true,
        Duration::from_millis(300),
        version,
    )
    .await
    .unwrap_err();
    assert!(err.contains("statement timeout"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    // Longer than the monitoring session's 3 s: the DBA's timeout wins.
    let done = explain(
        &conninfo,
        "SELECT pg_sleep(3.2)",
        true,
        Duration::from_secs(10),
        version,
    )
    .await
    .unwrap();
    assert!(done.plan.execution_ms().unwrap() > 3000.0);
}

#[tokio::test]
async fn a_running_explain_analyze_is_cancelled_and_its_changes_are_not_kept() {
    let (conninfo, client, version) = setup("explain_cancel").await;
    let before = contents(&client).await;
    let (tx, mut rx) = unbounded_channel();
    let context = WorkContext::new(params(&conninfo), tx);
    // 5,000 rows at 10 ms each: 50 s, far beyond the test, unless cancelled.
    let sql = "UPDATE accounts SET balance = balance + 1 WHERE pg_sleep(0.01) IS NOT NULL";
    let request = ExplainRequest {
        id: 3,
        sql: sql.to_owned(),
        analyze: true,
        timeout: Duration::from_secs(120),
        server_version_num: version,
    };
    work::spawn(Request::Explain(request), &context);
    let running = "SELECT count(*) FROM pg_stat_activity \
                   WHERE query LIKE '%EXPLAIN (ANALYZE%pg_sleep(0.01)%' AND pid <> pg_backend_pid()";
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let n: i64 = client.query_one(running, &[]).await.unwrap().get(0);
        if n == 1 {
            break;
        }
        assert!(Instant::now() < deadline, "the EXPLAIN never started");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let asked = Instant::now();
    work::spawn(Request::CancelExplain(3), &context);
    let outcome = match tokio::time::timeout(Duration::from_secs(20), rx.recv()).await {
        Ok(Some(Msg::Explain(outcome))) => outcome,
        other => panic!("expected the EXPLAIN's answer, got {other:?}"),
    };
    assert_eq!(outcome.id, 3);
    assert_eq!(outcome.result.unwrap_err(), CANCELLED);
    assert!(
        asked.elapsed() < Duration::from_secs(20),
        "the cancel, not the statement's end, stopped it"
    );
    assert_eq!(
        contents(&client).await,
        before,
        "nothing it changed was kept"
    );
    let n: i64 = client.query_one(running, &[]).await.unwrap().get(0);
    assert_eq!(n, 0, "no session still runs it");
}

#[tokio::test]
async fn a_cancel_before_the_session_is_up_runs_nothing() {
    let (conninfo, client, version) = setup("explain_cancel_early").await;
    let before = contents(&client).await;
    let (tx, mut rx) = unbounded_channel();
    let context = WorkContext::new(params(&conninfo), tx);
    // Asked before the task even starts: it must stop before its first statement.
    work::spawn(Request::CancelExplain(4), &context);
    let request = ExplainRequest {
        id: 4,
        sql: "UPDATE accounts SET balance = 0".to_owned(),
        analyze: true,
        timeout: LONG,
        server_version_num: version,
    };
    work::spawn(Request::Explain(request), &context);
    let outcome = match tokio::time::timeout(LONG, rx.recv()).await {
        Ok(Some(Msg::Explain(outcome))) => outcome,
        other => panic!("expected the EXPLAIN's answer, got {other:?}"),
    };
    assert_eq!(outcome.result.unwrap_err(), CANCELLED);
    assert_eq!(contents(&client).await, before);
}
