//! The workload: its sessions, the lock chain (and its rebuild), the slow queries in
//! `pg_stat_statements`, and a clean stop.

use std::time::Duration;

use pgmedic::demo::workload::APPLICATIONS;
use pgmedic::demo::{Workload, WorkloadOptions};

use crate::{connect, eventually, loaded_db};

/// The (holder, migration, reader) pids of a three-level chain, if there is one.
async fn lock_chain(db: &tokio_postgres::Client) -> Option<(i32, i32, i32)> {
    let row = db
        .query_opt(
            "SELECT a.pid, b.pid, c.pid \
             FROM pg_stat_activity c \
             JOIN pg_stat_activity b ON pg_blocking_pids(c.pid) = ARRAY[b.pid] \
             JOIN pg_stat_activity a ON pg_blocking_pids(b.pid) = ARRAY[a.pid] \
             WHERE c.datname = current_database() AND c.wait_event_type = 'Lock' \
               AND b.wait_event_type = 'Lock' AND a.state = 'idle in transaction' \
               AND cardinality(pg_blocking_pids(a.pid)) = 0 \
               AND a.application_name = 'backoffice' AND b.application_name = 'migrate' \
               AND c.application_name = 'api'",
            &[],
        )
        .await
        .unwrap()?;
    Some((row.get(0), row.get(1), row.get(2)))
}

async fn workload_sessions(db: &tokio_postgres::Client) -> i64 {
    db.query_one(
        "SELECT count(*) FROM pg_stat_activity \
         WHERE datname = current_database() AND application_name = ANY($1)",
        &[&APPLICATIONS],
    )
    .await
    .unwrap()
    .get(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn workload_builds_the_incident_and_stops_cleanly() {
    let conninfo = loaded_db("workload").await;
    let db = connect(&conninfo).await;
    let opts = WorkloadOptions {
        chain_hold: Duration::from_secs(120),
        chain_rebuild_after: Duration::from_secs(1),
        idle_tx_hold: Duration::from_secs(120),
    };
    let workload = Workload::start(&conninfo, opts).await.unwrap();

    // risk-engine holds a row lock, idle in transaction.
    eventually(
        20,
        "an idle-in-transaction session holding a row lock",
        || async {
            let n: i64 = db
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
                 AND application_name = 'risk-engine' AND state = 'idle in transaction' \
                 AND backend_xid IS NOT NULL",
                    &[],
                )
                .await
                .unwrap()
                .get(0);
            (n == 1).then_some(())
        },
    )
    .await;

    // backoffice ← migrate ← api.
    let (holder, migration, _reader) =
        eventually(20, "the three-level lock chain", || lock_chain(&db)).await;

    // The idle pool members and every application are there.
    let apps: Vec<String> = db
        .query(
            "SELECT DISTINCT application_name FROM pg_stat_activity \
             WHERE datname = current_database() ORDER BY 1",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    // (settlement's sessions live for a second every two minutes.)
    for app in APPLICATIONS.iter().filter(|app| **app != "settlement") {
        assert!(apps.contains(&(*app).to_owned()), "{app} not in {apps:?}");
    }

    // The missing-index queries reach pg_stat_statements, as the application sends them.
    let shapes = [
        "FROM orders\nWHERE user_id = $1 AND status = $2",
        "WHERE i.symbol = $1 AND t.executed_at >= $2",
        "FROM alerts\nWHERE user_id = $1",
    ];
    eventually(30, "the slow queries in pg_stat_statements", || async {
        let texts: Vec<String> = db
            .query(
                "SELECT query FROM pg_stat_statements \
                 WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) \
                   AND calls > 0",
                &[],
            )
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert!(
            texts.iter().all(|t| !t.starts_with("--")),
            "statements are sent without their file comments"
        );
        shapes
            .iter()
            .all(|shape| texts.iter().any(|t| t.contains(shape)))
            .then_some(())
    })
    .await;

    // Terminating the root breaks the chain; it is built again after a pause.
    let terminated: bool = db
        .query_one("SELECT pg_terminate_backend($1)", &[&holder])
        .await
        .unwrap()
        .get(0);
    assert!(terminated);
    let (new_holder, new_migration, _) = eventually(30, "the rebuilt lock chain", || async {
        lock_chain(&db).await.filter(|(a, _, _)| *a != holder)
    })
    .await;
    assert_ne!(new_holder, holder);
    assert_ne!(new_migration, migration);

    assert!(workload.stats().statements() > 0);
    assert!(workload_sessions(&db).await >= 15);
    workload.stop().await;
    eventually(10, "every workload session to end", || async {
        (workload_sessions(&db).await == 0).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn reporting_spills_to_temp_files_and_settlement_deadlocks() {
    let conninfo = loaded_db("spill").await;
    let db = connect(&conninfo).await;
    let workload = Workload::start(&conninfo, WorkloadOptions::default())
        .await
        .unwrap();
    let written: i64 = eventually(30, "temp blocks written by the report", || async {
        let row = db
            .query_opt(
                "SELECT temp_blks_written FROM pg_stat_statements \
                 WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) \
                   AND query LIKE '%percentile_cont(%' AND calls > 0",
                &[],
            )
            .await
            .unwrap()?;
        Some(row.get(0))
    })
    .await;
    assert!(written > 0, "the report did not spill");
    eventually(30, "a deadlock between the settlement workers", || async {
        let deadlocks: i64 = db
            .query_one(
                "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        (deadlocks > 0).then_some(())
    })
    .await;
    workload.stop().await;
}
