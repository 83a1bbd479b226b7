//! `pgmedic check`: exit 2 on the demo, 0 on a fresh database, 1 when a threshold says so,
//! 3 with one line when it cannot check; thresholds and profiles from the config file.

use std::io::Write as _;

use crate::common::{cluster, fresh_db};
use crate::{demo, pgmedic, text};

#[tokio::test]
async fn check_exits_2_on_the_demo_and_0_on_a_fresh_database() {
    let conninfo = demo::conninfo();
    let out = pgmedic(&["check", conninfo, "--interval", "1s"], None);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    // positions: autovacuum switched off on it, dead rows past the threshold.
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("CRITICAL vacuum_overdue public.positions (db trading): ")),
        "{stdout}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with(
            "WARNING invalid_index public.trades.trades_external_trade_id_key (db trading): "
        )),
        "{stdout}"
    );
    assert!(
        lines[0].starts_with("CRITICAL "),
        "the worst first: {stdout}"
    );
    let (last, problems) = lines.split_last().unwrap();
    assert!(
        problems
            .iter()
            .all(|l| l.starts_with("CRITICAL ") || l.starts_with("WARNING ")),
        "one line per problem, advice left out: {stdout}"
    );
    assert!(
        last.starts_with("WARNING ") || last.starts_with("NOT CHECKED: "),
        "what could not be checked comes last: {stdout}"
    );
    // The lock chain's migration waits past the default critical threshold (30 s).
    demo::lock_wait_of_at_least(32.0).await;
    let out = pgmedic(
        &[
            "check",
            conninfo,
            "--interval",
            "1s",
            "--only",
            "blocking_chain",
        ],
        None,
    );
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(
        stdout.starts_with("CRITICAL blocking_chain (db trading): pid "),
        "{stdout}"
    );

    let fresh = fresh_db("check_ok").await;
    let out = pgmedic(&["check", &fresh, "--interval", "1s"], None);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with("OK: no problem found ("), "{stdout}");

    let out = pgmedic(
        &[
            "check",
            &fresh,
            "--interval",
            "1s",
            "--threshold",
            "connections_pct=0.1:99",
        ],
        None,
    );
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.starts_with("WARNING connection_saturation (cluster): "),
        "{stdout}"
    );
}

#[test]
fn check_that_cannot_check_exits_3_with_one_line() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let nowhere = format!("host=127.0.0.1 port={port} user=postgres dbname=x connect_timeout=2");
    let out = pgmedic(&["check", &nowhere, "--interval", "1s"], None);
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(3), "{stdout}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with("UNKNOWN: "), "{stdout}");

    let out = pgmedic(&["check", "--threshold", "nope=1:2"], None);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(3), "{stdout}{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("unknown threshold \"nope\""), "{stderr}");
    let out = pgmedic(&["report", "--format", "yaml"], None);
    assert_eq!(out.status.code(), Some(3), "report's code is check's");
    let out = pgmedic(&["advise", "--format", "yaml"], None);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a usage error elsewhere keeps clap's code"
    );
    let out = pgmedic(&["report", &nowhere, "--interval", "1s"], None);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(3), "{stdout}{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    for bad in ["connections_pct=90:80", "cache_hit_pct=90:95"] {
        let out = pgmedic(&["check", "--threshold", bad], None);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(3), "{stdout}{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains("it would never warn"), "{stderr}");
    }
}

#[tokio::test]
async fn profiles_and_thresholds_come_from_the_config_file() {
    let db = fresh_db("profile").await;
    let dbname = db.split("dbname=").nth(1).unwrap().to_owned();
    let dir = tempdir();
    let config = dir.join("config.toml");
    let write = |text: &str| {
        let mut file = std::fs::File::create(&config).unwrap();
        file.write_all(text.as_bytes()).unwrap();
    };
    write(&format!(
        "[profiles.test]\nhost = \"127.0.0.1\"\nport = {}\nuser = \"postgres\"\ndbname = \"{dbname}\"\n\n\
         [thresholds]\nconnections_pct = {{ warn = 0.1, critical = 99 }}\n",
        cluster().port()
    ));
    let out = pgmedic(
        &["check", "--profile", "test", "--interval", "1s"],
        Some(&config),
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stdout.starts_with("WARNING connection_saturation (cluster): "),
        "{stdout}"
    );

    write("[profiles.test]\nhost = \"127.0.0.1\"\npassword = \"hunter2\"\n");
    let out = pgmedic(&["check", "--profile", "test"], Some(&config));
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stdout.starts_with(&format!(
            "UNKNOWN: config file {}: line 3: password:",
            config.display()
        )),
        "{stdout}"
    );
    assert!(!stdout.contains("hunter2"));

    write("[profiles.other]\nhost = \"127.0.0.1\"\n");
    let out = pgmedic(&["report", "--profile", "test"], Some(&config));
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr.contains("no profile \"test\" (defined: other)"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("pgmedic-report-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn another_databases_statements_never_fail_the_check_of_this_one() {
    let trading = demo::conninfo();
    let admin = crate::common::connect(trading).await;
    admin
        .batch_execute("DROP DATABASE IF EXISTS check_fresh")
        .await
        .unwrap();
    admin
        .batch_execute("CREATE DATABASE check_fresh")
        .await
        .unwrap();
    // trading's statements are slow by a threshold that makes every one of them so.
    let fresh = trading.replace("dbname=trading", "dbname=check_fresh");
    let args = |db: &'static str| -> Vec<String> {
        let conninfo = if db == "trading" {
            trading
        } else {
            fresh.as_str()
        };
        [
            "check",
            conninfo,
            "--interval",
            "1s",
            "--only",
            "slow_query,query_lint,vacuum_overdue",
            "--threshold",
            "statement_mean_ms=0:1e12",
        ]
        .map(str::to_owned)
        .to_vec()
    };
    let run = |db| {
        let args = args(db);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        pgmedic(&args, None)
    };
    let out = run("trading");
    let (stdout, stderr) = text(&out);
    assert_ne!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains("WARNING slow_query (db trading): "),
        "{stdout}"
    );
    let out = run("check_fresh");
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.starts_with("OK: no problem found"), "{stdout}");
    let report = crate::json_report(
        &fresh,
        &[
            "--only",
            "slow_query",
            "--threshold",
            "statement_mean_ms=0:1e12",
        ],
    );
    let theirs = crate::of_kind(&report, "slow_query");
    assert!(
        theirs.iter().any(|f| f["database"] == "trading"
            && f["severity"] == "info"
            && f["evidence"]["severity_in_its_database"] == "warning"),
        "trading's statements are still reported, as advice about trading: {theirs:#?}"
    );
}
