//! One throwaway cluster per test binary, shared by its tests; one database per test.

#![allow(
    dead_code,
    reason = "each test binary uses a different part of this module"
)]
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test setup: a failure must stop the test loudly"
)]

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use pgmedic::cluster::{Cluster, ClusterOptions};

static CLUSTER: OnceLock<Cluster> = OnceLock::new();

/// The shared cluster of this test binary, started on first use (fails, never skips, when
/// `PostgreSQL` is missing: the message names the package).
pub fn cluster() -> &'static Cluster {
    CLUSTER.get_or_init(|| match Cluster::start(ClusterOptions::default()) {
        Ok(cluster) => cluster,
        Err(err) => panic!("cannot start the test cluster: {err}"),
    })
}

/// A cluster of its own, for a test whose dead tuples must be removable when it says so: a
/// transaction left open by another test of the shared cluster can hold the horizon back and
/// VACUUM keeps what a snapshot might still see. Stopped when the value is dropped.
pub fn quiet_cluster() -> (Cluster, String) {
    let own = match Cluster::start(ClusterOptions::default()) {
        Ok(cluster) => cluster,
        Err(err) => panic!("cannot start a test cluster: {err}"),
    };
    let conninfo = own.conninfo("postgres");
    (own, conninfo)
}

/// Creates a fresh database named after the test and returns its conninfo.
pub async fn fresh_db(test: &str) -> String {
    static SEQ: AtomicU32 = AtomicU32::new(0);
    let name = format!("t_{}_{}", test, SEQ.fetch_add(1, Ordering::Relaxed));
    let admin = superuser_client("postgres").await;
    admin
        .batch_execute(&format!("CREATE DATABASE \"{name}\""))
        .await
        .unwrap();
    cluster().conninfo(&name)
}

/// A superuser session on `dbname` (test setup only; never the code under test).
pub async fn superuser_client(dbname: &str) -> tokio_postgres::Client {
    connect(&cluster().conninfo(dbname)).await
}

/// Connection parameters for pgmedic's own code, from a conninfo.
pub fn params(conninfo: &str) -> pgmedic::conn::ConnParams {
    pgmedic::conn::ConnParams::resolve(&pgmedic::conn::ConnRequest {
        conninfo: Some(conninfo.to_owned()),
        ..Default::default()
    })
    .unwrap()
}

/// A plain session on `conninfo` (test setup only; never the code under test).
pub async fn connect(conninfo: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(conninfo, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    client
}
