//! `ws-gateway`: what a websocket gateway reads for its subscribers — charts and book snapshots
//! (indexed), the trade tape of a symbol and a user's alerts (both lacking an index) — and the
//! market-data importer's snapshot inserts.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use tokio::time::{MissedTickBehavior, interval};
use tokio_postgres::Client;

use super::{Env, RECONNECT, Stop, close};
use crate::demo::statement;

pub(super) const APP: &str = "ws-gateway";
const TICK: Duration = Duration::from_millis(500);

const LATEST_CANDLES: &str = include_str!("latest_candles.sql");
const BOOK_SNAPSHOT: &str = include_str!("book_snapshot.sql");
const INSERT_SNAPSHOT: &str = include_str!("insert_snapshot.sql");
const TRADES_BY_SYMBOL_RANGE: &str = include_str!("trades_by_symbol_range.sql");
const ALERTS_BY_USER: &str = include_str!("alerts_by_user.sql");
const UNREAD_NOTIFICATIONS: &str = include_str!("unread_notifications.sql");

/// Instruments the importer has snapshots for (see problems.sql).
const SNAPSHOT_INSTRUMENTS: i32 = 200;

pub(super) async fn run(env: Arc<Env>, mut stop: Stop) {
    let mut rng = StdRng::seed_from_u64(11);
    let mut tick = interval(TICK);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut round: u64 = 0;
    while let Some(client) = env.session(&mut stop, APP).await {
        loop {
            if stop.run(tick.tick()).await.is_none() {
                break;
            }
            round += 1;
            match stop.run(step(&client, &env, &mut rng, round)).await {
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

async fn step(
    client: &Client,
    env: &Env,
    rng: &mut StdRng,
    round: u64,
) -> Result<u64, tokio_postgres::Error> {
    let universe = &env.universe;
    let snapshot_instruments = universe.instruments.min(SNAPSHOT_INSTRUMENTS);
    let instrument = rng.random_range(1..=universe.instruments.min(100));
    client
        .query(statement(LATEST_CANDLES), &[&instrument])
        .await?;
    let booked = rng.random_range(1..=snapshot_instruments);
    client.query(statement(BOOK_SNAPSHOT), &[&booked]).await?;
    let mut statements = 2;
    let user = 2 + (rng.random::<f64>().powi(2) * (universe.users - 1) as f64) as i64;
    if round % 2 == 0 {
        client
            .query(statement(UNREAD_NOTIFICATIONS), &[&user])
            .await?;
        let mid = f64::from(10 + (booked * 37) % 490) * rng.random_range(0.99..1.01);
        client
            .execute(
                statement(INSERT_SNAPSHOT),
                &[&booked, &(mid * 0.9998), &(mid * 1.0002)],
            )
            .await?;
        statements += 2;
    }
    if round % 6 == 0 {
        let pick = (rng.random::<f64>().powi(2) * universe.symbols.len() as f64) as usize;
        let symbol = &universe.symbols[pick.min(universe.symbols.len() - 1)];
        let days = rng.random_range(1..=7_u64);
        let to = SystemTime::now() - Duration::from_secs(rng.random_range(0..=20 * 86_400));
        let from = to - Duration::from_secs(days * 86_400);
        client
            .query(statement(TRADES_BY_SYMBOL_RANGE), &[symbol, &from, &to])
            .await?;
        statements += 1;
    }
    if round % 4 == 0 {
        client.query(statement(ALERTS_BY_USER), &[&user]).await?;
        statements += 1;
    }
    Ok(statements)
}
