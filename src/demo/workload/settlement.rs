//! `settlement`: now and then two workers settle the same two positions in opposite order. One
//! waits for the other, which then waits for the first: a deadlock, which the server breaks
//! after `deadlock_timeout` by failing one of them (counted in `pg_stat_database.deadlocks`).

use std::sync::Arc;
use std::time::Duration;

use tokio_postgres::Client;
use tokio_postgres::error::SqlState;

use super::{Env, Stop, close};
use crate::demo::statement;

pub(super) const APP: &str = "settlement";
const FIRST_AFTER: Duration = Duration::from_secs(5);
const EVERY: Duration = Duration::from_secs(120);
/// Between a worker's two updates: long enough for the other worker's first update.
const GAP: Duration = Duration::from_millis(300);
/// The two positions both workers settle (ids 1 and 2 always exist in the seed).
const PAIR: (i64, i64) = (1, 2);

const SETTLE_POSITION: &str = include_str!("settle_position.sql");

pub(super) async fn run(env: Arc<Env>, mut stop: Stop) {
    let mut pause = FIRST_AFTER;
    while stop.sleep(pause).await {
        pause = EVERY;
        let Some(mut first) = env.session(&mut stop, APP).await else {
            return;
        };
        let Some(mut second) = env.session(&mut stop, APP).await else {
            close(first).await;
            return;
        };
        let (a, b) = PAIR;
        let both = async {
            tokio::join!(
                settle(&mut first, a, b, stop.clone()),
                settle(&mut second, b, a, stop.clone())
            )
        };
        if let Some(results) = stop.clone().run(both).await {
            for (result, client) in [(results.0, &first), (results.1, &second)] {
                match result {
                    Ok(()) => env.stats.ran(4),
                    // The expected outcome for one of the two workers.
                    Err(err) if err.code() == Some(&SqlState::T_R_DEADLOCK_DETECTED) => {
                        env.stats.ran(2);
                    }
                    Err(err) => {
                        env.failed(APP, client, &err);
                    }
                }
            }
        }
        close(first).await;
        close(second).await;
    }
}

/// BEGIN; settle `one`; pause; settle `other`; COMMIT.
async fn settle(
    client: &mut Client,
    one: i64,
    other: i64,
    mut stop: Stop,
) -> Result<(), tokio_postgres::Error> {
    let tx = client.transaction().await?;
    tx.execute(statement(SETTLE_POSITION), &[&one]).await?;
    if !stop.sleep(GAP).await {
        return Ok(());
    }
    tx.execute(statement(SETTLE_POSITION), &[&other]).await?;
    tx.commit().await
}
