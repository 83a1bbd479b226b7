//! Reports that cannot see everything still succeed and say what they could not see: a role
//! without pg_monitor, and a hot standby.

use pgmedic::cluster::{Cluster, ClusterOptions};

use crate::common::{fresh_db, superuser_client};
use crate::{json_report, pgmedic};

#[tokio::test]
async fn a_role_without_pg_monitor_gets_a_report_that_says_what_it_could_not_see() {
    let conninfo = fresh_db("plain_role").await;
    let admin = superuser_client("postgres").await;
    admin
        .batch_execute("DROP ROLE IF EXISTS report_plain; CREATE ROLE report_plain LOGIN")
        .await
        .unwrap();
    let as_plain = conninfo.replace("user=postgres", "user=report_plain");
    let report = json_report(&as_plain, &[]);
    let not_checked: Vec<&str> = report["not_checked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(
        not_checked.iter().any(|l| l
            .starts_with("Connections and sessions: the state, query and durations of ")
            && l.contains("pg_monitor")),
        "{not_checked:#?}"
    );
    assert!(
        not_checked.iter().any(
            |l| l.starts_with("Settings: settings hidden from this role: ")
                && l.contains("shared_preload_libraries")
        ),
        "{not_checked:#?}"
    );
    drop(admin);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_role_without_pg_monitor_still_finds_the_blocking_chain() {
    let conninfo = fresh_db("plain_chain").await;
    let admin = superuser_client("postgres").await;
    admin
        .batch_execute(
            "DROP ROLE IF EXISTS report_plain_chain; CREATE ROLE report_plain_chain LOGIN",
        )
        .await
        .unwrap();
    let setup = crate::common::connect(&conninfo).await;
    setup
        .batch_execute("CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t VALUES (1, 0)")
        .await
        .unwrap();
    // postgres holds the row; another postgres session waits for it.
    let holder = crate::common::connect(&format!("{conninfo} application_name=chain_root")).await;
    holder
        .batch_execute("BEGIN; UPDATE t SET v = 1 WHERE id = 1")
        .await
        .unwrap();
    let root_pid: i32 = holder
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0);
    let waiter = crate::common::connect(&conninfo).await;
    let waiting = tokio::spawn(async move {
        let _ = waiter
            .batch_execute("UPDATE t SET v = 2 WHERE id = 1")
            .await;
        waiter
    });
    // The binary runs only once the update waits.
    for _ in 0..100 {
        let row = setup
            .query_one(
                "SELECT count(*) FROM pg_locks WHERE NOT granted AND pid IN \
                 (SELECT pid FROM pg_stat_activity WHERE datname = current_database())",
                &[],
            )
            .await
            .unwrap();
        if row.get::<_, i64>(0) > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let as_plain = conninfo.replace("user=postgres", "user=report_plain_chain");
    let dbname = conninfo.split("dbname=").nth(1).unwrap().to_owned();
    let out = pgmedic(
        &[
            "check",
            &as_plain,
            "--interval",
            "1s",
            "--only",
            "blocking_chain",
            "--threshold",
            "lock_wait_secs=0:3600",
        ],
        None,
    );
    let (stdout, stderr) = crate::text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stdout.starts_with(&format!(
            "WARNING blocking_chain (db {dbname}): pid {root_pid} ("
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("ExclusiveLock on transaction"),
        "what the root holds comes from pg_locks: {stdout}"
    );
    assert!(
        stdout
            .lines()
            .last()
            .is_some_and(|l| l.starts_with("NOT CHECKED: 1 thing could not be checked")),
        "{stdout}"
    );
    holder.batch_execute("ROLLBACK").await.unwrap();
    drop(waiting.await.unwrap());
    drop(admin);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_standby_gets_a_report_that_says_what_it_could_not_see() {
    let (primary, standby) = tokio::task::spawn_blocking(|| {
        let primary = Cluster::start(ClusterOptions::default()).unwrap();
        let standby = primary.standby().unwrap();
        (primary, standby)
    })
    .await
    .unwrap();
    let report = json_report(&standby.conninfo("postgres"), &[]);
    assert_eq!(report["server"]["role"], "standby");
    let not_checked = report["not_checked"].to_string();
    assert!(not_checked.contains("this is a standby"), "{not_checked}");
    assert!(
        not_checked.contains("restartpoints follow the primary"),
        "{not_checked}"
    );
    let out = pgmedic(
        &["check", &standby.conninfo("postgres"), "--interval", "1s"],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    drop((standby, primary));
}
