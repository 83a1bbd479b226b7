//! A three-level lock chain on watchlists, rebuilt whenever it ends:
//!
//! ```text
//!  backoffice  BEGIN; UPDATE watchlists …      idle in transaction (RowExclusiveLock)
//!      ▲ blocks
//!  migrate     ALTER TABLE watchlists …        waits for AccessExclusiveLock
//!      ▲ blocks (queued behind the waiting migration)
//!  api         SELECT … FROM watchlists        waits for AccessShareLock
//! ```
//!
//! The chain ends when someone cancels or terminates one of them (pgmedic's Activity pane), or
//! when the holder commits after `chain_hold`; it is built again `chain_rebuild_after` later.

use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio_postgres::Client;

use super::{Env, Stop, api, close};
use crate::demo::statement;

/// `application_name` of the session at the root of the chain.
pub(super) const HOLDER: &str = "backoffice";
/// `application_name` of the waiting migration.
pub(super) const MIGRATION: &str = "migrate";
/// Lets the migration reach its lock wait before the reader queues behind it.
const SETTLE: Duration = Duration::from_millis(500);
const WATCH_EVERY: Duration = Duration::from_millis(250);
const TEARDOWN_TIMEOUT: Duration = Duration::from_secs(3);

const HOLD_WATCHLIST: &str = include_str!("hold_watchlist.sql");
const MIGRATION_SQL: &str = include_str!("migration.sql");
const WATCHLISTS_BY_USER: &str = include_str!("watchlists_by_user.sql");

pub(super) async fn run(env: Arc<Env>, mut stop: Stop) {
    loop {
        build_and_hold(&env, &mut stop).await;
        if !stop.sleep(env.opts.chain_rebuild_after).await {
            return;
        }
    }
}

/// A waiting statement on its own session, run as a task so the chain can be watched.
struct Waiter {
    task: JoinHandle<Result<(), tokio_postgres::Error>>,
    cancel: tokio_postgres::CancelToken,
}

impl Waiter {
    fn spawn(client: Client, sql: &'static str, user: Option<i64>) -> Self {
        let cancel = client.cancel_token();
        let task = tokio::spawn(async move {
            let result = match user {
                Some(user) => client.query(sql, &[&user]).await.map(drop),
                None => client.batch_execute(sql).await,
            };
            close(client).await;
            result
        });
        Self { task, cancel }
    }

    /// Cancels the statement if it still waits, then waits (bounded) for the session to close.
    async fn end(mut self) {
        if !self.task.is_finished() {
            let _ = self.cancel.cancel_query(tokio_postgres::NoTls).await;
        }
        if tokio::time::timeout(TEARDOWN_TIMEOUT, &mut self.task)
            .await
            .is_err()
        {
            self.task.abort();
        }
    }
}

/// Builds the chain, waits until it is broken (or held long enough, or the workload stops),
/// then takes down what is left of it.
async fn build_and_hold(env: &Env, stop: &mut Stop) {
    let Some(mut holder) = env.session(stop, HOLDER).await else {
        return;
    };
    let watchlist = 1 + env.universe.watchlists / 2;
    // Not wrapped in stop.run: `hold` watches the stop signal itself and always takes its
    // waiters down before returning, so no session outlives the workload.
    if let Err(err) = hold(&mut holder, env, stop, watchlist).await {
        env.failed(HOLDER, &holder, &err);
    }
    close(holder).await;
}

/// The holder's transaction, open while the waiters queue behind it; commits when it has been
/// held for `chain_hold`, rolls back otherwise (when dropped).
async fn hold(
    holder: &mut Client,
    env: &Env,
    stop: &mut Stop,
    watchlist: i64,
) -> Result<(), tokio_postgres::Error> {
    let tx = holder.transaction().await?;
    tx.execute(statement(HOLD_WATCHLIST), &[&watchlist]).await?;
    let mut waiters = Vec::new();
    if let Some(migration) = env.session(stop, MIGRATION).await {
        waiters.push(Waiter::spawn(migration, statement(MIGRATION_SQL), None));
    }
    if stop.sleep(SETTLE).await
        && let Some(reader) = env.session(stop, api::APP).await
    {
        let owner = watchlist_owner(env, watchlist);
        waiters.push(Waiter::spawn(
            reader,
            statement(WATCHLISTS_BY_USER),
            Some(owner),
        ));
    }
    env.stats.ran(3);
    // A terminated holder lets the migration through, so a finished waiter covers every way
    // the chain can be broken.
    let hold_until = tokio::time::Instant::now() + env.opts.chain_hold;
    let mut held = false;
    while waiters.iter().all(|w| !w.task.is_finished()) {
        if tokio::time::Instant::now() >= hold_until {
            held = true;
            break;
        }
        if !stop.sleep(WATCH_EVERY).await {
            break;
        }
    }
    for waiter in waiters {
        waiter.end().await;
    }
    if held {
        tx.commit().await?;
    }
    Ok(())
}

/// The seed gives watchlist `w` to user `1 + (7 w) mod users`.
fn watchlist_owner(env: &Env, watchlist: i64) -> i64 {
    1 + (watchlist * 7) % env.universe.users.max(1)
}
