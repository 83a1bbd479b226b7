//! The demo, once per test binary, on a cluster of its own (its sessions would otherwise show
//! in every other test's report): the trading database with its planted problems and the
//! workload running, kept alive on a thread of its own until the binary exits.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use pgmedic::cluster::{Cluster, ClusterOptions};
use pgmedic::demo::{Workload, WorkloadOptions};

use crate::common::connect;

static DEMO: OnceLock<String> = OnceLock::new();

/// The demo's conninfo; loads it and starts the workload on first use.
#[must_use]
pub fn conninfo() -> &'static str {
    DEMO.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let cluster = Cluster::start(ClusterOptions::default()).unwrap();
                connect(&cluster.conninfo("postgres"))
                    .await
                    .batch_execute("CREATE DATABASE trading")
                    .await
                    .unwrap();
                let conninfo = cluster.conninfo("trading");
                pgmedic::demo::load(&conninfo, 0.02).await.unwrap();
                let options = WorkloadOptions {
                    chain_hold: Duration::from_secs(900),
                    chain_rebuild_after: Duration::from_secs(1),
                    idle_tx_hold: Duration::from_secs(900),
                };
                let workload = Workload::start(&conninfo, options).await.unwrap();
                tx.send(conninfo).unwrap();
                std::future::pending::<()>().await;
                drop((workload, cluster));
            });
        });
        rx.recv().unwrap()
    })
}

/// Waits until some session of the demo has waited for a lock at least `secs` seconds (the
/// lock chain), so that the lock wait is judged critical by the default thresholds.
pub async fn lock_wait_of_at_least(secs: f64) {
    let db = connect(conninfo()).await;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let waited: Option<f64> = db
            .query_one(
                "SELECT extract(epoch FROM max(clock_timestamp() - state_change))::float8 \
                 FROM pg_stat_activity WHERE wait_event_type = 'Lock'",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        if waited.is_some_and(|w| w >= secs) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "no lock wait of {secs} s within 120 s"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
