//! `pgmedic demo` against the real throwaway cluster: the loaded data, the planted problems as a
//! DBA finds them in the catalogs, the workload's sessions, and the binary end to end.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::missing_panics_doc,
    reason = "test helpers: a failure must stop the test loudly"
)]

#[path = "../common/mod.rs"]
mod common;

mod binary;
mod load;
mod workload;

/// A small scale keeps each load around a second; every planted problem exists at any scale.
pub const SCALE: f64 = 0.02;

/// A session on `conninfo` (test setup and inspection only).
pub async fn connect(conninfo: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(conninfo, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    client
}

/// A fresh database named after the test, loaded at [`SCALE`]; returns its conninfo.
pub async fn loaded_db(test: &str) -> String {
    let conninfo = common::fresh_db(test).await;
    pgmedic::demo::load(&conninfo, SCALE).await.unwrap();
    conninfo
}

/// Polls `check` every 200 ms until it returns `Some`, failing after `seconds`.
pub async fn eventually<T, F, Fut>(seconds: u64, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out after {seconds} s waiting for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}
