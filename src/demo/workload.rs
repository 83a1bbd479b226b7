//! The demo's background workload: tokio tasks on sessions of their own, each named by its
//! `application_name` as a real platform's services would be, each rate-limited so the whole
//! stays well under half a core, and all of them stopped (their sessions closed) by
//! [`Workload::stop`].
//!
//! | application    | what it does                                                              |
//! |----------------|---------------------------------------------------------------------------|
//! | `api`          | order entry and fills (several transaction shapes, some rolled back), the |
//! |                | orders-by-user query that lacks an index, an N+1 page; four idle sessions |
//! | `ws-gateway`   | candles and book snapshots (indexed), trades by symbol and time range and |
//! |                | alerts by user (both lacking an index), snapshot inserts                  |
//! | `risk-engine`  | single-row UPDATEs of positions in a loop; a margin reservation left idle |
//! |                | in transaction for minutes, holding a row lock                            |
//! | `reporting`    | a report whose sort spills to temp files (`work_mem` = 64kB); short idle  |
//! |                | in transaction pauses                                                     |
//! | `housekeeping` | purges expired orders: each delete scans trades (unindexed foreign key)   |
//! | `settlement`   | every two minutes, two workers deadlock on the same pair of positions     |
//! | `backoffice`,  | a lock chain: an idle transaction holds watchlists, a migration waits on  |
//! | `migrate`, `api` | it, an api read waits on the migration; rebuilt after it is broken      |

mod api;
mod housekeeping;
mod idle;
mod lock_chain;
mod reporting;
mod risk_engine;
mod settlement;
mod ws_gateway;

use std::future::Future;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_postgres::Client;

use super::{DemoError, describe, sql_error, statement};
use crate::conn::{self, ConnParams, ConnRequest};

/// Every `application_name` the workload's sessions use.
pub const APPLICATIONS: &[&str] = &[
    api::APP,
    ws_gateway::APP,
    risk_engine::APP,
    reporting::APP,
    housekeeping::APP,
    settlement::APP,
    lock_chain::HOLDER,
    lock_chain::MIGRATION,
];

const UNIVERSE: &str = include_str!("workload/universe.sql");
/// Pause before reconnecting after a session was lost.
const RECONNECT: Duration = Duration::from_secs(2);
/// How long `stop` waits for the tasks before aborting them.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// Timings of the long-lived situations (shortened by tests).
#[derive(Debug, Clone)]
pub struct WorkloadOptions {
    /// How long the lock chain's holder stays idle in transaction before it commits.
    pub chain_hold: Duration,
    /// Pause before the lock chain is built again after it ended (cancelled, terminated).
    pub chain_rebuild_after: Duration,
    /// How long risk-engine's margin reservation stays idle in transaction with its row lock.
    pub idle_tx_hold: Duration,
}

impl Default for WorkloadOptions {
    fn default() -> Self {
        Self {
            chain_hold: Duration::from_secs(600),
            chain_rebuild_after: Duration::from_secs(20),
            idle_tx_hold: Duration::from_secs(240),
        }
    }
}

/// Counters of the workload's own activity (what it ran, what failed).
#[derive(Debug, Default)]
pub struct Stats {
    statements: AtomicU64,
    errors: AtomicU64,
    last_error: Mutex<Option<String>>,
}

impl Stats {
    /// Statements (and transactions) the workload completed.
    #[must_use]
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// Failures: lost sessions, cancelled statements, refused connections.
    #[must_use]
    pub fn errors(&self) -> u64 {
        self.errors.load(Ordering::Relaxed)
    }

    /// The most recent failure, with the application that saw it.
    #[must_use]
    pub fn last_error(&self) -> Option<String> {
        self.last_error.lock().ok().and_then(|last| last.clone())
    }

    fn ran(&self, statements: u64) {
        self.statements.fetch_add(statements, Ordering::Relaxed);
    }

    fn failed(&self, app: &str, message: &str) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut last) = self.last_error.lock() {
            *last = Some(format!("{app}: {message}"));
        }
    }
}

/// The running workload; [`Workload::stop`] ends every task and closes its sessions.
#[derive(Debug)]
pub struct Workload {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    stats: Arc<Stats>,
}

impl Workload {
    /// Reads the id ranges of the loaded data and starts every task.
    pub async fn start(conninfo: &str, opts: WorkloadOptions) -> Result<Self, DemoError> {
        let params = ConnParams::resolve(&ConnRequest {
            conninfo: Some(conninfo.to_owned()),
            ..ConnRequest::default()
        })?;
        let universe = Universe::read(&params).await?;
        let stats = Arc::new(Stats::default());
        let env = Arc::new(Env {
            params,
            universe,
            opts,
            stats: Arc::clone(&stats),
        });
        let (stop, receiver) = watch::channel(false);
        let stop_rx = || Stop(receiver.clone());
        let mut tasks = vec![
            tokio::spawn(api::run(Arc::clone(&env), stop_rx(), 1)),
            tokio::spawn(api::run(Arc::clone(&env), stop_rx(), 2)),
            tokio::spawn(ws_gateway::run(Arc::clone(&env), stop_rx())),
            tokio::spawn(risk_engine::run(Arc::clone(&env), stop_rx())),
            tokio::spawn(risk_engine::hold_margin(Arc::clone(&env), stop_rx())),
            tokio::spawn(reporting::run(Arc::clone(&env), stop_rx())),
            tokio::spawn(reporting::pauses(Arc::clone(&env), stop_rx())),
            tokio::spawn(housekeeping::run(Arc::clone(&env), stop_rx())),
            tokio::spawn(lock_chain::run(Arc::clone(&env), stop_rx())),
            tokio::spawn(settlement::run(Arc::clone(&env), stop_rx())),
        ];
        for _ in 0..4 {
            tasks.push(tokio::spawn(idle::run(Arc::clone(&env), stop_rx())));
        }
        Ok(Self { stop, tasks, stats })
    }

    /// What the workload has done so far.
    #[must_use]
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Signals every task to stop and waits for them; their sessions are closed (statements in
    /// flight are cancelled) when this returns.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let deadline = tokio::time::Instant::now() + STOP_TIMEOUT;
        for mut task in self.tasks {
            if tokio::time::timeout_at(deadline, &mut task).await.is_err() {
                task.abort();
                let _ = task.await;
            }
        }
    }
}

/// What every task shares: where to connect, the data's id ranges, timings and counters.
#[derive(Debug)]
struct Env {
    params: ConnParams,
    universe: Universe,
    opts: WorkloadOptions,
    stats: Arc<Stats>,
}

impl Env {
    /// A new session for `app`, retried until it succeeds; `None` once the workload stops.
    async fn session(&self, stop: &mut Stop, app: &str) -> Option<Client> {
        loop {
            if stop.is_set() {
                return None;
            }
            match stop.run(conn::connect(&self.params, app)).await? {
                Ok(client) => return Some(client),
                Err(err) => {
                    self.stats.failed(app, &err.to_string());
                    if !stop.sleep(RECONNECT).await {
                        return None;
                    }
                }
            }
        }
    }

    /// Records a failed step; true when the session is gone and a new one is needed.
    fn failed(&self, app: &str, client: &Client, err: &tokio_postgres::Error) -> bool {
        self.stats.failed(app, &describe(err));
        client.is_closed()
    }
}

/// Closes a session, cancelling whatever it may still be running on the server.
async fn close(client: Client) {
    let _ = client
        .cancel_token()
        .cancel_query(tokio_postgres::NoTls)
        .await;
    drop(client);
}

/// The stop signal as each task sees it.
#[derive(Debug, Clone)]
struct Stop(watch::Receiver<bool>);

impl Stop {
    fn is_set(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once the workload stops (or its owner is gone).
    async fn wait(&mut self) {
        let _ = self.0.wait_for(|stopped| *stopped).await;
    }

    /// Sleeps; false when the workload stopped meanwhile.
    async fn sleep(&mut self, duration: Duration) -> bool {
        tokio::select! {
            () = self.wait() => false,
            () = tokio::time::sleep(duration) => true,
        }
    }

    /// Runs `work` unless the workload stops first (then `work` is dropped and `None` returned).
    async fn run<F: Future>(&mut self, work: F) -> Option<F::Output> {
        tokio::select! {
            () = self.wait() => None,
            out = work => Some(out),
        }
    }
}

/// Id ranges and symbols of the loaded data, read once at start.
#[derive(Debug, Clone)]
struct Universe {
    users: i64,
    accounts: i64,
    instruments: i32,
    positions: i64,
    watchlists: i64,
    symbols: Vec<String>,
}

impl Universe {
    async fn read(params: &ConnParams) -> Result<Self, DemoError> {
        let client = conn::connect(params, super::load::LOADER).await?;
        let row = client
            .query_one(statement(UNIVERSE), &[])
            .await
            .map_err(sql_error("workload/universe.sql"))?;
        let universe = Self {
            users: row.try_get(0).map_err(sql_error("users"))?,
            accounts: row.try_get(1).map_err(sql_error("accounts"))?,
            instruments: row.try_get(2).map_err(sql_error("instruments"))?,
            positions: row.try_get(3).map_err(sql_error("positions"))?,
            watchlists: row.try_get(4).map_err(sql_error("watchlists"))?,
            symbols: row.try_get(5).map_err(sql_error("symbols"))?,
        };
        if universe.users < 2 || universe.accounts < 2 || universe.symbols.is_empty() {
            return Err(DemoError::Setup(
                "the trading database has no data: load it first".to_owned(),
            ));
        }
        Ok(universe)
    }
}
