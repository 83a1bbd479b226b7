//! The real binary: `pgmedic demo --no-tui` prints its conninfo (through the socket: the
//! cluster refuses TCP), runs until SIGINT, then stops the workload and removes its cluster.

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
    // The demo runs on the installation the suite runs on ($PGMEDIC_PG_BINDIR: 15, then 18).
    let version: String = db
        .query_one("SHOW server_version_num", &[])
        .await
        .unwrap()
        .get(0);
    let bin_dir = pgmedic::cluster::find_bin_dir().unwrap();
    let expected = std::process::Command::new(bin_dir.join("postgres"))
        .arg("--version")
        .output()
        .unwrap();
    let expected = String::from_utf8_lossy(&expected.stdout).into_owned();
    let major = version.parse::<u32>().unwrap() / 10_000;
    assert!(
        expected.contains(&format!(") {major}.")),
        "demo on {version}, installation says {expected}"
    );
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

#[tokio::test(flavor = "multi_thread")]
async fn demo_with_keep_leaves_the_cluster_and_prints_how_to_stop_it() {
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_pgmedic"))
        .args(["demo", "--no-tui", "--keep", "--scale", "0.01"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let pid = Pid::from_raw(child.id().unwrap() as i32);
    let mut child = child;
    let stdout = child.stdout.take().unwrap();
    let conninfo = tokio::time::timeout(
        Duration::from_secs(120),
        BufReader::new(stdout).lines().next_line(),
    )
    .await
    .expect("no conninfo within 120 s")
    .unwrap()
    .expect("stdout closed before the conninfo");
    kill(pid, Signal::SIGINT).unwrap();
    let output = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
        .await
        .expect("pgmedic demo --keep did not exit within 30 s of SIGINT")
        .unwrap();
    let told = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{}\n{told}", output.status);

    // The cluster outlives the process, with its data.
    let db = connect(&conninfo).await;
    let orders: i64 = db
        .query_one("SELECT count(*) FROM orders", &[])
        .await
        .unwrap()
        .get(0);
    assert!(orders > 0);
    let data_dir: String = db
        .query_one("SHOW data_directory", &[])
        .await
        .unwrap()
        .get(0);
    drop(db);
    let cluster_dir = PathBuf::from(&data_dir).parent().unwrap().to_owned();
    assert!(told.contains(&format!("\"{conninfo}\"")), "{told}");

    // The printed stop command stops it and removes it.
    let stop = told
        .lines()
        .find_map(|line| line.trim_start().strip_prefix("stop:"))
        .unwrap_or_else(|| panic!("no stop command in:\n{told}"))
        .trim()
        .to_owned();
    let status = tokio::time::timeout(
        Duration::from_secs(30),
        tokio::process::Command::new("sh")
            .args(["-c", &stop])
            .status(),
    )
    .await
    .expect("the stop command did not finish within 30 s")
    .unwrap();
    assert!(status.success(), "{stop}");
    assert!(!cluster_dir.exists(), "{cluster_dir:?} is still there");
    assert!(
        tokio_postgres::connect(&conninfo, tokio_postgres::NoTls)
            .await
            .is_err(),
        "the server still answers"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_cluster_is_socket_only_and_its_processes_never_see_the_argv_password() {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_pgmedic"))
        .args(["demo", "--no-tui", "--scale", "0.01"])
        .env(pgmedic::conn::PASSWORD_VAR, "not-for-the-server")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let conninfo = tokio::time::timeout(
        Duration::from_secs(120),
        BufReader::new(stdout).lines().next_line(),
    )
    .await
    .expect("no conninfo within 120 s")
    .unwrap()
    .expect("stdout closed before the conninfo");

    let db = connect(&conninfo).await;
    let row = db
        .query_one(
            "SELECT current_setting('listen_addresses'), current_setting('data_directory')",
            &[],
        )
        .await
        .unwrap();
    let (listen, data_dir): (String, String) = (row.get(0), row.get(1));
    drop(db);
    assert_eq!(listen, "", "the demo cluster listens on TCP");
    let cluster_dir = PathBuf::from(&data_dir).parent().unwrap().to_owned();
    let port = conninfo
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix("port="))
        .unwrap_or_else(|| panic!("no port in {conninfo}"));
    assert!(
        conninfo.starts_with(&format!("host={} port={port} ", cluster_dir.display())),
        "{conninfo}"
    );
    let port: u16 = port.parse().unwrap();
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "the demo cluster accepts TCP on 127.0.0.1:{port}"
    );

    // The shell supervising the postmaster (postgres itself overwrites its environment block
    // with its process title, so /proc shows nothing there).
    let postmaster = std::fs::read_to_string(cluster_dir.join("data/postmaster.pid")).unwrap();
    let postmaster = postmaster.lines().next().unwrap().trim();
    let stat = std::fs::read_to_string(format!("/proc/{postmaster}/stat")).unwrap();
    let supervisor = stat
        .rsplit(')')
        .next()
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap();
    let environ = std::fs::read(format!("/proc/{supervisor}/environ")).unwrap();
    let leaked = environ
        .split(|b| *b == 0)
        .any(|var| var.starts_with(format!("{}=", pgmedic::conn::PASSWORD_VAR).as_bytes()));
    assert!(
        !leaked,
        "the cluster inherited {}",
        pgmedic::conn::PASSWORD_VAR
    );

    kill(Pid::from_raw(child.id().unwrap() as i32), Signal::SIGINT).unwrap();
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("pgmedic demo did not exit within 30 s of SIGINT")
        .unwrap();
    assert!(status.success(), "{status}");
}
