//! Through a transaction-pooling PgBouncer the monitoring session's settings could land on
//! another client's server connection: pgmedic must refuse, in one line, and leave the
//! server's sessions as they were.

use std::os::unix::process::CommandExt as _;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use pgmedic::collect;
use pgmedic::conn::{ConnParams, ConnRequest};

use crate::common::cluster;

/// A pgbouncer in transaction mode in front of the test cluster; stopped when dropped.
struct Bouncer {
    child: Child,
    dir: std::path::PathBuf,
    port: u16,
}

impl Bouncer {
    fn start(extra: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "pgmedic-bouncer-{}-{}",
            std::process::id(),
            extra.len()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let ini = format!(
            "[databases]\npostgres = host=127.0.0.1 port={} dbname=postgres\n[pgbouncer]\n\
             listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir = {dir}\n\
             auth_type = trust\nauth_file = {dir}/users.txt\npool_mode = transaction\n{extra}\n",
            cluster().port(),
            dir = dir.display(),
        );
        std::fs::write(dir.join("pgbouncer.ini"), ini).unwrap();
        std::fs::write(dir.join("users.txt"), "\"postgres\" \"\"\n").unwrap();
        let mut cmd = Command::new("pgbouncer");
        cmd.arg(dir.join("pgbouncer.ini"))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if nix::unistd::geteuid().is_root() {
            let user = nix::unistd::User::from_name("postgres")
                .unwrap()
                .or(nix::unistd::User::from_name("nobody").unwrap())
                .unwrap();
            for file in ["", "pgbouncer.ini", "users.txt"] {
                std::os::unix::fs::chown(
                    dir.join(file),
                    Some(user.uid.as_raw()),
                    Some(user.gid.as_raw()),
                )
                .unwrap();
            }
            cmd.uid(user.uid.as_raw()).gid(user.gid.as_raw());
        }
        let child = cmd
            .spawn()
            .expect("pgbouncer is installed (apt-get install pgbouncer)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "pgbouncer did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, dir, port }
    }

    fn params(&self) -> ConnParams {
        let conninfo = format!(
            "host=127.0.0.1 port={} user=postgres dbname=postgres sslmode=disable",
            self.port
        );
        ConnParams::resolve(&ConnRequest {
            conninfo: Some(conninfo),
            ..Default::default()
        })
        .unwrap()
    }
}

impl Drop for Bouncer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test]
async fn a_transaction_pooler_is_refused_and_the_servers_sessions_keep_their_settings() {
    let refusing = Bouncer::start("");
    let err = collect::open_session(&refusing.params())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("unsupported startup parameter") && err.contains("connection pooler"),
        "{err}"
    );

    let ignoring = Bouncer::start("ignore_startup_parameters = options");
    let err = collect::open_session(&ignoring.params())
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("settings did not take effect"), "{err}");

    // An application behind the same pooler (which hands out its most recently used server
    // connection, the one pgmedic's probe ran on) can still write: nothing leaked to it.
    let (app, conn) = tokio_postgres::connect(
        &format!(
            "host=127.0.0.1 port={} user=postgres dbname=postgres",
            ignoring.port
        ),
        tokio_postgres::NoTls,
    )
    .await
    .unwrap();
    tokio::spawn(conn);
    let setting: String = app
        .query_one("SHOW default_transaction_read_only", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(setting, "off");
    app.simple_query("CREATE TABLE pooled_write (id int); DROP TABLE pooled_write")
        .await
        .unwrap();
}
