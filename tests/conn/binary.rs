//! The real binary on bad input: a non-zero exit, exactly one line on stderr starting with
//! `pgmedic: ` and saying why, and never the password — on stdout, stderr, or the process's
//! command line.

use std::io::Read as _;
use std::net::TcpListener;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::Scratch;
use crate::common::cluster;
use crate::secure::{BOB_PASSWORD, BOB_PASSWORD_URL, secure};

/// The binary with a clean environment: only `vars`, and an empty scratch `$HOME`.
fn pgmedic(scratch: &Scratch, args: &[&str], vars: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pgmedic"));
    cmd.args(args)
        .env_clear()
        .env("HOME", scratch.path())
        .env("PGSYSCONFDIR", scratch.path().join("no-sysconf"))
        .envs(vars.iter().copied())
        .stdin(Stdio::null());
    cmd
}

fn run(args: &[&str], vars: &[(&str, &str)]) -> Output {
    let scratch = Scratch::new("bin");
    pgmedic(&scratch, args, vars).output().unwrap()
}

/// Asserts the one-line failure containing `reason`, with none of `secrets` anywhere.
fn assert_fails(out: &Output, reason: &str, secrets: &[&str]) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "exit {:?}, stderr {stderr}",
        out.status
    );
    assert!(stderr.ends_with('\n'), "{stderr:?}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "not one line: {stderr:?}");
    assert!(lines[0].starts_with("pgmedic: "), "{stderr:?}");
    assert!(lines[0].contains(reason), "wanted {reason:?} in {stderr:?}");
    for secret in secrets {
        assert!(
            !stderr.contains(secret) && !stdout.contains(secret),
            "{secret} shown"
        );
    }
}

#[test]
fn unreachable_host() {
    let out = run(&["host=127.0.0.1 port=1 user=x dbname=y"], &[]);
    assert_fails(
        &out,
        "could not connect to 127.0.0.1:1: connection refused",
        &[],
    );
}

#[test]
fn unknown_host_name() {
    let out = run(&["-h", "no-such-host.invalid", "-U", "x"], &[]);
    assert_fails(
        &out,
        "could not translate host name \"no-such-host.invalid\"",
        &[],
    );
}

#[test]
fn wrong_password_in_a_url() {
    let port = secure().port().to_string();
    let url = format!("postgresql://bob:Wr0ngPassw0rd@127.0.0.1:{port}/postgres");
    let out = run(&[&url], &[]);
    assert_fails(
        &out,
        "password authentication failed for user \"bob\"",
        &["Wr0ngPassw0rd"],
    );
}

#[test]
fn wrong_password_from_pgpassword() {
    let port = secure().port().to_string();
    let out = run(
        &[
            "-h",
            "127.0.0.1",
            "-p",
            &port,
            "-U",
            "bob",
            "-d",
            "postgres",
        ],
        &[("PGPASSWORD", "Wr0ngPassw0rd")],
    );
    assert_fails(
        &out,
        "password authentication failed for user \"bob\"",
        &["Wr0ngPassw0rd"],
    );
}

#[test]
fn right_password_survives_the_scrub_and_reaches_the_server() {
    let port = secure().port().to_string();
    let url = format!("postgresql://bob:{BOB_PASSWORD_URL}@127.0.0.1:{port}/nosuchdb");
    let out = run(&[&url], &[]);
    assert_fails(
        &out,
        "database \"nosuchdb\" does not exist",
        &[BOB_PASSWORD, BOB_PASSWORD_URL],
    );
}

#[test]
fn flags_reach_the_server() {
    let port = cluster().port().to_string();
    let out = run(
        &[
            "-h",
            "127.0.0.1",
            "-p",
            &port,
            "-U",
            "postgres",
            "-d",
            "nosuchdb",
        ],
        &[],
    );
    assert_fails(&out, "database \"nosuchdb\" does not exist", &[]);
    let out = run(&["-h", "127.0.0.1", "-p", &port, "-U", "nosuchrole"], &[]);
    assert_fails(&out, "role \"nosuchrole\" does not exist", &[]);
}

#[test]
fn environment_reaches_the_server() {
    let port = cluster().port().to_string();
    let out = run(
        &[],
        &[
            ("PGHOST", "127.0.0.1"),
            ("PGPORT", &port),
            ("PGUSER", "postgres"),
            ("PGDATABASE", "nosuchdb_env"),
        ],
    );
    assert_fails(&out, "database \"nosuchdb_env\" does not exist", &[]);
}

#[test]
fn malformed_connection_strings() {
    let cases = [
        ("host=db1 prot=5432", "invalid connection option \"prot\""),
        ("host=db1 port", "missing \"=\" after \"port\""),
        ("host=db1 port=abc", "invalid port number: \"abc\""),
        (
            "postgresql://db1:99999/app",
            "invalid port number: \"99999\"",
        ),
        (
            "postgresql://db1/app?sslmode=sometimes",
            "invalid sslmode value",
        ),
        (
            "postgresql://db1/app?colour=blue",
            "invalid URL query parameter \"colour\"",
        ),
        ("host='db1", "unterminated quoted string"),
        (
            "service=nosuchservice",
            "definition of service \"nosuchservice\" not found",
        ),
    ];
    for (text, reason) in cases {
        assert_fails(&run(&[text], &[]), reason, &[]);
    }
}

#[test]
fn malformed_strings_with_a_password_do_not_show_it() {
    let cases = [
        (
            "postgresql://u:Sekr1tPw@db1/app?colour=blue",
            "invalid URL query parameter",
        ),
        (
            "password=Sekr1tPw host=db1 colour=blue",
            "invalid connection option",
        ),
        ("password=Sekr1tPw Pw2", "missing \"=\""),
    ];
    for (text, reason) in cases {
        assert_fails(&run(&[text], &[]), reason, &["Sekr1tPw", "Pw2"]);
    }
}

#[test]
fn tls_required_but_not_offered() {
    let port = cluster().port().to_string();
    let text = format!("host=127.0.0.1 port={port} user=postgres sslmode=require");
    assert_fails(
        &run(&[&text], &[]),
        "the server does not support TLS, but sslmode=require requires it",
        &[],
    );
}

#[test]
fn certificate_that_does_not_match_the_host() {
    let root = secure().root_cert.display().to_string();
    let port = secure().port().to_string();
    let out = run(
        &["-h", "127.0.0.1", "-p", &port, "-U", "bob"],
        &[("PGSSLMODE", "verify-full"), ("PGSSLROOTCERT", &root)],
    );
    assert_fails(
        &out,
        "server certificate verification failed: it does not match the host name \"127.0.0.1\"",
        &[],
    );
}

/// A server that accepts and never answers: the connection must give up on its own, and
/// meanwhile the command line must not show the password.
#[test]
fn silent_server_times_out_and_argv_holds_no_password() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let url = format!("postgresql://bob:Sekr1tPw@127.0.0.1:{port}/app?connect_timeout=2");
    let scratch = Scratch::new("bin-silent");
    let started = Instant::now();
    let mut child = pgmedic(&scratch, &[&url], &[])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (_socket, _) = listener.accept().unwrap();
    let cmdline = std::fs::read(format!("/proc/{}/cmdline", child.id())).unwrap();
    let cmdline = String::from_utf8_lossy(&cmdline);
    assert!(!cmdline.contains("Sekr1tPw"), "{cmdline:?}");
    assert!(cmdline.contains("user=bob"), "{cmdline:?}");
    let status = child.wait().unwrap();
    let elapsed = started.elapsed();
    let mut stderr = Vec::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_end(&mut stderr)
        .unwrap();
    let out = Output {
        status,
        stdout: Vec::new(),
        stderr,
    };
    assert_fails(
        &out,
        &format!("could not connect to 127.0.0.1:{port}: timeout expired after 2 s"),
        &["Sekr1tPw"],
    );
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
}

/// Something that is not a `PostgreSQL` server on the port: say so rather than a protocol detail.
#[test]
fn not_a_postgres_server() {
    use std::io::Write as _;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        for _ in 0..2 {
            let (mut socket, _) = listener.accept().unwrap();
            let mut buf = [0; 4096];
            let _ = socket.read(&mut buf);
            let _ = socket.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
            let _ = socket.shutdown(std::net::Shutdown::Write);
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    let text = format!("host=127.0.0.1 port={port} user=x sslmode=disable");
    assert_fails(
        &run(&[&text], &[]),
        "the answer is not PostgreSQL's protocol",
        &[],
    );
    let text = format!("host=127.0.0.1 port={port} user=x sslmode=prefer");
    let out = run(&[&text], &[]);
    server.join().unwrap();
    assert_fails(
        &out,
        &format!("could not connect to 127.0.0.1:{port}: "),
        &[],
    );
}
