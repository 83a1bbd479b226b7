//! The real binary: `pgmedic demo --no-tui` prints its conninfo, runs until SIGINT, then stops
//! the workload and removes its cluster.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use tokio::io::{AsyncBufReadExt as _, BufReader};

use crate::{connect, eventually};

#[tokio::test(flavor = "multi_thread")]
async fn demo_without_tui_runs_until_sigint_and_removes_its_cluster() {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_pgmedic"))
        .args(["demo", "--no-tui", "--scale", &crate::SCALE.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    // What the demo tells its user, shown when an assertion fails.
    let stderr = child.stderr.take().unwrap();
    let told = tokio::spawn(async move {
        let mut text = String::new();
        let mut lines = BufReader::new(stderr).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            text.push_str(&line);
            text.push('\n');
        }
        text
    });
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let conninfo = tokio::time::timeout(Duration::from_secs(120), lines.next_line())
        .await
        .expect("no conninfo within 120 s")
        .unwrap()
        .expect("stdout closed before the conninfo");
    assert!(conninfo.contains("dbname=trading"), "{conninfo}");

    let db = connect(&conninfo).await;
    let data_dir: String = db
        .query_one("SHOW data_directory", &[])
        .await
        .unwrap()
        .get(0);
    let cluster_dir: PathBuf = PathBuf::from(&data_dir).parent().unwrap().to_owned();
    assert!(
        cluster_dir.starts_with(std::env::temp_dir()),
        "{cluster_dir:?}"
    );
    eventually(20, "the workload's sessions", || async {
        let n: i64 = db
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = 'trading' \
                 AND application_name IN ('api', 'ws-gateway', 'risk-engine')",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        (n >= 3).then_some(())
    })
    .await;
    drop(db);

    let pid = Pid::from_raw(child.id().unwrap() as i32);
    kill(pid, Signal::SIGINT).unwrap();
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("pgmedic demo did not exit within 30 s of SIGINT")
        .unwrap();
    let told = told.await.unwrap();
    assert!(status.success(), "{status}\n{told}");
    assert!(
        !cluster_dir.exists(),
        "{cluster_dir:?} is still there\n{told}"
    );
    assert!(told.contains("pgmedic demo: stopping"), "{told}");
}
