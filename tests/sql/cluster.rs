use std::fs;
use std::process::Command;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use pgmedic::cluster::{Cluster, ClusterOptions};

use crate::common::{cluster, fresh_db, superuser_client};

#[tokio::test]
async fn cluster_has_the_monitoring_extensions_in_new_databases() {
    let conninfo = fresh_db("extensions").await;
    let client = crate::common::connect(&conninfo).await;
    let rows = client
        .query("SELECT extname FROM pg_extension ORDER BY 1", &[])
        .await
        .unwrap();
    let names: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    assert!(
        names.contains(&"pg_stat_statements".to_owned()),
        "{names:?}"
    );
    for ext in cluster().extensions() {
        assert!(names.contains(ext), "{ext} missing from {names:?}");
    }
    let preload: String = client
        .query_one("SHOW shared_preload_libraries", &[])
        .await
        .unwrap()
        .get(0);
    assert!(preload.contains("pg_stat_statements"), "{preload}");
}

#[tokio::test]
async fn cluster_listens_on_its_unix_socket_too() {
    let c = cluster();
    let conninfo = format!(
        "host={} port={} user=postgres dbname=postgres",
        c.socket_dir().display(),
        c.port()
    );
    let client = crate::common::connect(&conninfo).await;
    let addr: Option<String> = client
        .query_one("SELECT inet_client_addr()::text", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(addr, None, "a unix-socket session has no client address");
    let admin = superuser_client("postgres").await;
    let n: i64 = admin
        .query_one("SELECT count(*) FROM pg_stat_activity", &[])
        .await
        .unwrap()
        .get(0);
    assert!(n >= 2);
}

#[tokio::test]
async fn socket_only_cluster_refuses_tcp_and_hands_out_its_socket() {
    let own = Cluster::start(ClusterOptions {
        tcp: false,
        ..ClusterOptions::default()
    })
    .unwrap();
    assert!(!own.tcp());
    let conninfo = own.conninfo("postgres");
    let socket = format!("host={} port={} ", own.socket_dir().display(), own.port());
    assert!(conninfo.starts_with(&socket), "{conninfo}");

    let client = crate::common::connect(&conninfo).await;
    let listen: String = client
        .query_one("SHOW listen_addresses", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(listen, "");
    drop(client);

    assert!(
        std::net::TcpStream::connect(("127.0.0.1", own.port())).is_err(),
        "something listens on 127.0.0.1:{}",
        own.port()
    );
    let tcp = format!(
        "host=127.0.0.1 port={} user=postgres dbname=postgres",
        own.port()
    );
    assert!(
        tokio_postgres::connect(&tcp, tokio_postgres::NoTls)
            .await
            .is_err()
    );
}

/// The pid of a process that has exited.
fn dead_pid() -> u32 {
    let mut child = Command::new("true").spawn().unwrap();
    child.wait().unwrap();
    child.id()
}

/// The parent pid and state letter of `pid`, from /proc/<pid>/stat; `None` once it is gone.
fn stat(pid: i32) -> Option<(i32, char)> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let mut fields = text.rsplit_once(')')?.1.split_whitespace();
    let state = fields.next()?.chars().next()?;
    Some((fields.next()?.parse().ok()?, state))
}

fn children(parent: i32) -> Vec<i32> {
    fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| stat(*pid).is_some_and(|(ppid, _)| ppid == parent))
        .collect()
}

#[test]
fn reaping_a_planted_directory_never_kills_the_process_it_names() {
    let mut bystander = Command::new("sleep").arg("60").spawn().unwrap();
    let dir = std::env::temp_dir().join(format!("pgmedic-planted-{}", std::process::id()));
    fs::create_dir_all(dir.join("data")).unwrap();
    fs::write(dir.join("owner.pid"), format!("{}\n", dead_pid())).unwrap();
    fs::write(
        dir.join("data/postmaster.pid"),
        format!("{}\n", bystander.id()),
    )
    .unwrap();

    drop(Cluster::start(ClusterOptions::default()).unwrap());

    let survived = bystander.try_wait().unwrap().is_none();
    let _ = bystander.kill();
    let _ = bystander.wait();
    let _ = fs::remove_dir_all(&dir);
    assert!(
        survived,
        "reaping {dir:?} killed the process its pid file named"
    );
}

#[test]
fn a_stale_cluster_whose_owner_vanished_is_stopped_and_removed() {
    let stale = Cluster::start(ClusterOptions::default()).unwrap();
    let dir = stale.dir().to_owned();
    let postmaster: i32 = fs::read_to_string(dir.join("data/postmaster.pid"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    // The supervising shell and its guard die without stopping postgres, as under SIGKILL.
    let supervisor = stat(postmaster).unwrap().0;
    for pid in children(supervisor)
        .into_iter()
        .filter(|p| *p != postmaster)
    {
        kill(Pid::from_raw(pid), Signal::SIGKILL).unwrap();
    }
    kill(Pid::from_raw(supervisor), Signal::SIGKILL).unwrap();
    fs::write(dir.join("owner.pid"), format!("{}\n", dead_pid())).unwrap();

    drop(Cluster::start(ClusterOptions::default()).unwrap());

    assert!(!dir.exists(), "{dir:?} is still there");
    assert!(
        stat(postmaster).is_none_or(|(_, state)| state == 'Z'),
        "the stale postmaster {postmaster} still runs"
    );
    drop(stale);
}
