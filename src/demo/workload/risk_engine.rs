//! `risk-engine`: marks positions to market one single-row UPDATE at a time (positions has
//! autovacuum disabled, so its dead tuples keep growing), and reserves margin on account 1 in
//! a transaction it then leaves idle for minutes, holding the row lock.

use std::sync::Arc;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use tokio::time::{MissedTickBehavior, interval};
use tokio_postgres::Client;

use super::{Env, RECONNECT, Stop, close};
use crate::demo::statement;

pub(super) const APP: &str = "risk-engine";
const TICK: Duration = Duration::from_secs(2);
const POSITIONS_PER_TICK: usize = 25;
/// The account whose row stays locked (the api never picks it).
pub(super) const LOCKED_ACCOUNT: i64 = 1;
/// Pause between two margin reservations.
const BETWEEN_HOLDS: Duration = Duration::from_secs(30);

const UPDATE_POSITION_PNL: &str = include_str!("update_position_pnl.sql");
const RESERVE_MARGIN: &str = include_str!("reserve_margin.sql");

pub(super) async fn run(env: Arc<Env>, mut stop: Stop) {
    let mut rng = StdRng::seed_from_u64(21);
    let mut tick = interval(TICK);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    while let Some(client) = env.session(&mut stop, APP).await {
        loop {
            if stop.run(tick.tick()).await.is_none() {
                break;
            }
            match stop.run(mark_to_market(&client, &env, &mut rng)).await {
                None => break,
                Some(Ok(statements)) => env.stats.ran(statements),
                Some(Err(err)) => {
                    if env.failed(APP, &client, &err) {
                        break;
                    }
                }
            }
        }
        close(client).await;
        if !stop.sleep(RECONNECT).await {
            return;
        }
    }
}

/// One UPDATE per position, autocommitted: the "single-row update in a loop" shape.
async fn mark_to_market(
    client: &Client,
    env: &Env,
    rng: &mut StdRng,
) -> Result<u64, tokio_postgres::Error> {
    for _ in 0..POSITIONS_PER_TICK {
        let position = rng.random_range(1..=env.universe.positions.max(1));
        let pnl = rng.random_range(-2000.0..2000.0_f64);
        client
            .execute(statement(UPDATE_POSITION_PNL), &[&position, &pnl])
            .await?;
    }
    Ok(POSITIONS_PER_TICK as u64)
}

/// BEGIN; UPDATE accounts …; then idle in transaction for `idle_tx_hold`; COMMIT; pause.
pub(super) async fn hold_margin(env: Arc<Env>, mut stop: Stop) {
    while let Some(mut client) = env.session(&mut stop, APP).await {
        loop {
            let mut during = stop.clone();
            match stop.run(hold_once(&mut client, &env, &mut during)).await {
                None | Some(Ok(false)) => break,
                Some(Ok(true)) => env.stats.ran(3),
                Some(Err(err)) => {
                    if env.failed(APP, &client, &err) {
                        break;
                    }
                }
            }
            if !stop.sleep(BETWEEN_HOLDS).await {
                break;
            }
        }
        close(client).await;
        if !stop.sleep(RECONNECT).await {
            return;
        }
    }
}

/// One reservation held idle; false when the workload stopped during the hold.
async fn hold_once(
    client: &mut Client,
    env: &Env,
    stop: &mut Stop,
) -> Result<bool, tokio_postgres::Error> {
    let tx = client.transaction().await?;
    tx.execute(statement(RESERVE_MARGIN), &[&LOCKED_ACCOUNT, &250.0_f64])
        .await?;
    if !stop.sleep(env.opts.idle_tx_hold).await {
        return Ok(false);
    }
    tx.commit().await?;
    Ok(true)
}
