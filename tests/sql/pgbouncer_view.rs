//! The Activity pane's PgBouncer view against a real pgbouncer with a bounded pgbench load
//! through it: the view shows what SHOW POOLS says, warns when clients wait, and the server's
//! side shows the pool's server connections.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use pgmedic::diagnose::health::Level;
use pgmedic::pgbouncer::{self, AdminUrl, BouncerPool, PgBouncerSnapshot};
use tokio_postgres::{Client, SimpleQueryMessage};

use crate::bouncer::Bouncer;
use crate::common::{cluster, fresh_db};

/// Two server connections for eight clients: clients must queue.
const POOL_SIZE: i64 = 2;
const CLIENTS: &str = "8";

fn has_pgbouncer() -> bool {
    Command::new("pgbouncer")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// SHOW POOLS read directly, the bench database's row, as text by column name.
async fn show_pools(admin: &Client) -> Vec<(String, String)> {
    let messages = admin.simple_query("SHOW POOLS").await.unwrap();
    messages
        .iter()
        .find_map(|m| match m {
            SimpleQueryMessage::Row(row) if row.get("database") == Some("bench") => Some(
                row.columns()
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (c.name().to_owned(), row.get(i).unwrap_or("").to_owned()))
                    .collect(),
            ),
            _ => None,
        })
        .unwrap()
}

fn bench(snapshot: &PgBouncerSnapshot) -> &BouncerPool {
    snapshot
        .pools
        .iter()
        .find(|p| p.database == "bench")
        .unwrap()
}

/// Reads until pgbench's clients are connected and have finished transactions (their start is
/// slow on a loaded machine): the pool exists once its first client has.
async fn until_clients(ours: &Client) -> PgBouncerSnapshot {
    let deadline = Instant::now() + Duration::from_secs(6);
    loop {
        let read = pgbouncer::read(ours).await.unwrap();
        let clients = read
            .pools
            .iter()
            .find(|p| p.database == "bench")
            .map_or(0, |p| p.cl_active + p.cl_waiting);
        let done = read
            .stats
            .iter()
            .any(|s| s.database == "bench" && s.total_xact_count.unwrap_or(0) > 0);
        if (clients > 0 && done) || Instant::now() > deadline {
            return read;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Where pgmedic's numbers differ from the ones SHOW POOLS gives (maxwait grows while we look:
/// within 1 s).
fn differences(ours: &BouncerPool, direct: &[(String, String)]) -> Vec<String> {
    let get = |name: &str| -> i64 {
        direct.iter().find(|(c, _)| c == name).map_or_else(
            || panic!("SHOW POOLS has no column {name}"),
            |(_, v)| v.parse().unwrap(),
        )
    };
    let mut out = Vec::new();
    if ours.user != "postgres" {
        out.push(format!("user {}", ours.user));
    }
    for (name, value) in [
        ("cl_active", ours.cl_active),
        ("cl_waiting", ours.cl_waiting),
        ("sv_active", ours.sv_active),
        ("sv_idle", ours.sv_idle),
        ("sv_used", ours.sv_used),
    ] {
        if value != get(name) {
            out.push(format!("{name}: ours {value}, SHOW POOLS {}", get(name)));
        }
    }
    let direct_wait = get("maxwait") as f64
        + direct
            .iter()
            .find(|(c, _)| c == "maxwait_us")
            .map_or(0.0, |(_, v)| v.parse::<f64>().unwrap() / 1e6);
    if (ours.maxwait_secs - direct_wait).abs() >= 1.0 {
        out.push(format!(
            "maxwait: ours {}, SHOW POOLS {direct_wait}",
            ours.maxwait_secs
        ));
    }
    out
}

fn same_numbers(ours: &BouncerPool, direct: &[(String, String)]) {
    let differ = differences(ours, direct);
    assert!(differ.is_empty(), "{differ:?}\n{ours:?}\n{direct:?}");
}

#[tokio::test]
async fn the_pgbouncer_view_shows_what_show_pools_says_under_a_pgbench_load() {
    if !has_pgbouncer() {
        eprintln!("SKIPPED: pgbouncer is not installed (apt-get install pgbouncer)");
        return;
    }
    let conninfo = fresh_db("bouncer_bench").await;
    let dbname = conninfo.rsplit("dbname=").next().unwrap().to_owned();
    let pgbench = cluster().bin_dir().join("pgbench");
    let init = Command::new(&pgbench)
        .args(["-i", "-q", "-s", "1", &conninfo])
        .output()
        .unwrap();
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    let bouncer = Bouncer::serving(
        &format!("bench = host=127.0.0.1 port={{port}} dbname={dbname}"),
        &format!("admin_users = postgres\ndefault_pool_size = {POOL_SIZE}\nmax_client_conn = 50"),
    );
    let url = AdminUrl(format!(
        "postgresql://postgres@127.0.0.1:{}/pgbouncer?sslmode=disable",
        bouncer.port
    ));
    let params = pgbouncer::admin_params(&url).unwrap();
    let ours = pgmedic::conn::connect(&params, "pgmedic").await.unwrap();
    let admin = crate::common::connect(&format!(
        "host=127.0.0.1 port={} user=postgres dbname=pgbouncer",
        bouncer.port
    ))
    .await;

    let mut load = tokio::process::Command::new(&pgbench)
        // Long enough to be still running when the pool is paused, on a loaded machine too.
        .args(["-n", "-c", CLIENTS, "-j", "2", "-T", "8"])
        .arg(format!(
            "host=127.0.0.1 port={} user=postgres dbname=bench",
            bouncer.port
        ))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let busy = until_clients(&ours).await;
    assert!(
        bench(&busy).cl_active + bench(&busy).cl_waiting > 0,
        "{busy:?}"
    );
    assert!(bench(&busy).servers() <= POOL_SIZE);

    // Paused, the pool stands still: every client queued, no server connection.
    admin.simple_query("PAUSE bench").await.unwrap();
    // Clients move from active to waiting as their transactions end: compare at a moment
    // both reads agree on, once some wait.
    let deadline = Instant::now() + Duration::from_secs(8);
    let (paused, direct) = loop {
        let read = pgbouncer::read(&ours).await.unwrap();
        let direct = show_pools(&admin).await;
        let settled = bench(&read).cl_waiting > 0 && differences(bench(&read), &direct).is_empty();
        if settled || Instant::now() > deadline {
            break (read, direct);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    same_numbers(bench(&paused), &direct);
    let lines = pgbouncer::pool_lines(&paused);
    let line = lines.iter().find(|l| l.pool.database == "bench").unwrap();
    assert!(line.level >= Level::Warn, "{line:?}");
    assert!(
        line.why
            .as_deref()
            .unwrap()
            .contains("waiting for a server"),
        "{line:?}"
    );
    assert_eq!(line.pool_size, Some(POOL_SIZE), "from SHOW DATABASES");
    assert!(
        paused
            .stats
            .iter()
            .any(|s| s.database == "bench" && s.total_xact_count.unwrap_or(0) > 0)
    );
    assert!(
        paused
            .clients
            .iter()
            .any(|c| c.database == "bench" && c.state.contains("waiting"))
    );

    admin.simple_query("RESUME bench").await.unwrap();
    let status = load.wait().await.unwrap();
    assert!(status.success(), "pgbench failed");

    // Afterwards: nothing waits, and the server lists the pool's server connections.
    let after = pgbouncer::read(&ours).await.unwrap();
    same_numbers(bench(&after), &show_pools(&admin).await);
    assert_eq!(bench(&after).cl_waiting, 0);
    let server = crate::common::superuser_client("postgres").await;
    let on_server: i64 = server
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'",
            &[&dbname],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(on_server, bench(&after).servers(), "{after:?}");
}

#[tokio::test]
async fn an_unreachable_admin_console_is_one_line() {
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = AdminUrl(format!(
        "postgresql://postgres@127.0.0.1:{free}/pgbouncer?connect_timeout=2"
    ));
    let params = pgbouncer::admin_params(&url).unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let (task, handle) = pgbouncer::spawn(params, Duration::from_millis(200), tx);
    handle.set_visible(true);
    let msg = tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .unwrap()
        .unwrap();
    let pgmedic::app::msg::Msg::PgBouncer(result) = msg else {
        panic!("not a PgBouncer message")
    };
    let why = result.unwrap_err();
    assert!(
        why.starts_with("PgBouncer admin console:") && !why.contains('\n'),
        "{why}"
    );
    task.abort();
    assert!(
        pgbouncer::admin_params(&AdminUrl("postgresql://[::1".to_owned())).is_err(),
        "a malformed URL is refused before anything starts"
    );
}
