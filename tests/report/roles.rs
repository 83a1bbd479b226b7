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
        not_checked
            .iter()
            .any(|l| l.starts_with("Connections and sessions: the state of ")
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
