//! Connecting to a real server in every form psql accepts, and failing with one clear line.
//!
//! Two clusters: the shared one of this binary (trust auth, no TLS) and a dedicated one with
//! password authentication and a server certificate (see `secure`).

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers: a failure must stop the test loudly"
)]

#[path = "../common/mod.rs"]
mod common;

mod binary;
mod forms;
mod passwords;
mod secure;
mod tls;

use std::path::{Path, PathBuf};

use pgmedic::conn::{ConnParams, ConnRequest, Env};

/// A scratch directory (a fake `$HOME`, a place for files), removed on drop.
pub(crate) struct Scratch(PathBuf);

impl Scratch {
    pub(crate) fn new(name: &str) -> Self {
        static SEQ: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let pid = std::process::id();
        let dir = std::env::temp_dir().join(format!("pgmedic-t-{name}-{pid}-{n}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }

    /// Writes a file with the given mode and returns its path.
    pub(crate) fn write(&self, name: &str, text: &str, mode: u32) -> PathBuf {
        use std::os::unix::fs::PermissionsExt as _;
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        path
    }

    /// An environment with only this directory as `$HOME` (no PG* variables, no system
    /// service file, no default socket directory).
    pub(crate) fn env(&self) -> Env {
        Env::empty()
            .with_home(&self.0)
            .with_os_user("nobody-in-particular")
            .with_socket_dir(self.0.join("no-socket"))
            .with_var("PGSYSCONFDIR", self.0.join("no-sysconf").to_str().unwrap())
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A request holding just a connection string.
pub(crate) fn request(conninfo: &str) -> ConnRequest {
    ConnRequest {
        conninfo: Some(conninfo.to_owned()),
        ..ConnRequest::default()
    }
}

/// Resolves against `env`, connects, and returns the session.
pub(crate) async fn connect_with(req: &ConnRequest, env: &Env) -> tokio_postgres::Client {
    let params = ConnParams::resolve_with(req, env).unwrap_or_else(|e| panic!("{req:?}: {e}"));
    pgmedic::conn::connect(&params, "pgmedic-test")
        .await
        .unwrap_or_else(|e| panic!("{params:?}: {e}"))
}

/// Resolves and connects, expecting a failure; returns its message.
pub(crate) async fn connect_err(req: &ConnRequest, env: &Env) -> String {
    let params = match ConnParams::resolve_with(req, env) {
        Ok(params) => params,
        Err(err) => return err.to_string(),
    };
    match pgmedic::conn::connect(&params, "pgmedic-test").await {
        Ok(_) => panic!("{params:?} connected"),
        Err(err) => err.to_string(),
    }
}

/// One text value from a query.
pub(crate) async fn one(client: &tokio_postgres::Client, sql: &str) -> String {
    client.query_one(sql, &[]).await.unwrap().get(0)
}

/// Whether the session is encrypted.
pub(crate) async fn uses_tls(client: &tokio_postgres::Client) -> bool {
    client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .unwrap()
        .get(0)
}
