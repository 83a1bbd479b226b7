//! A real pgbouncer in front of the test cluster, for the tests that need one.

use std::os::unix::process::CommandExt as _;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use pgmedic::conn::{ConnParams, ConnRequest};

use crate::common::cluster;

/// A pgbouncer in transaction mode in front of the test cluster; stopped when dropped.
pub struct Bouncer {
    child: Child,
    dir: std::path::PathBuf,
    pub port: u16,
}

impl Bouncer {
    /// Serves the cluster's `postgres` database; `extra` goes into the `[pgbouncer]` section.
    pub fn start(extra: &str) -> Self {
        Self::serving(
            "postgres = host=127.0.0.1 port={port} dbname=postgres",
            extra,
        )
    }

    /// `databases` is the `[databases]` section (`{port}` stands for the cluster's port).
    pub fn serving(databases: &str, extra: &str) -> Self {
        static SEQ: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "pgmedic-bouncer-{}-{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let ini = format!(
            "[databases]\n{}\n[pgbouncer]\n\
             listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir = {dir}\n\
             auth_type = trust\nauth_file = {dir}/users.txt\npool_mode = transaction\n{extra}\n",
            databases.replace("{port}", &cluster().port().to_string()),
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

    pub fn params(&self) -> ConnParams {
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
