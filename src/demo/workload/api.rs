//! `api`: order entry and fills in transactions of several shapes (some rolled back), the
//! dashboard's order list that lacks an index, and an N+1 page.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use tokio::time::{MissedTickBehavior, interval};
use tokio_postgres::Client;

use super::{Env, RECONNECT, Stop, close};
use crate::demo::statement;

pub(super) const APP: &str = "api";
const TICK: Duration = Duration::from_secs(1);
/// Orders placed but not yet filled or cancelled, per worker.
const MAX_OPEN: usize = 200;

const ORDERS_BY_USER_STATUS: &str = include_str!("orders_by_user_status.sql");
const RECENT_ACCOUNT_TRADES: &str = include_str!("recent_account_trades.sql");
const INSTRUMENT_BY_ID: &str = include_str!("instrument_by_id.sql");
const USER_BY_ID: &str = include_str!("user_by_id.sql");
const PLACE_ORDER: &str = include_str!("place_order.sql");
const AUDIT_ORDER: &str = include_str!("audit_order.sql");
const FILL_ORDER: &str = include_str!("fill_order.sql");
const INSERT_TRADE: &str = include_str!("insert_trade.sql");
const UPSERT_POSITION: &str = include_str!("upsert_position.sql");
const CANCEL_ORDER: &str = include_str!("cancel_order.sql");

const STATUSES: &[&str] = &["filled", "new", "cancelled", "partially_filled", "rejected"];
const USER_AGENTS: &[&str] = &["ios/7.12", "android/7.11", "web/2025.11", "api/v3"];
const VENUES: &[&str] = &["XNAS", "XNYS", "ARCX", "BATS", "IEXG", "EDGX"];

/// One api worker (a pooled session); `worker` seeds its choices.
pub(super) async fn run(env: Arc<Env>, mut stop: Stop, worker: u64) {
    let mut rng = StdRng::seed_from_u64(worker);
    let mut open = VecDeque::new();
    let mut tick = interval(TICK);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    // Staggered so that the two workers take turns with the heavy query.
    let mut round: u64 = worker * 2 + 1;
    while let Some(mut client) = env.session(&mut stop, APP).await {
        loop {
            if stop.run(tick.tick()).await.is_none() {
                break;
            }
            round += 1;
            let traffic = step(&mut client, &env, &mut rng, &mut open, round);
            match stop.run(traffic).await {
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

/// One second of api traffic; returns the number of statements run.
async fn step(
    client: &mut Client,
    env: &Env,
    rng: &mut StdRng,
    open: &mut VecDeque<i64>,
    round: u64,
) -> Result<u64, tokio_postgres::Error> {
    let mut statements = 0;
    // Every fourth second per worker: the top query by total time, yet a modest CPU share.
    if round % 4 == 0 {
        let user = pick_user(env, rng);
        let status = STATUSES[rng.random_range(0..STATUSES.len())];
        client
            .query(statement(ORDERS_BY_USER_STATUS), &[&user, &status])
            .await?;
        statements += 1;
    }
    statements += n_plus_one_page(client, env, rng).await?;
    for _ in 0..2 {
        if let Some(order) = place_order(client, env, rng, true).await? {
            open.push_back(order);
        }
        statements += 4;
    }
    if round % 3 == 0 {
        // Rejected after the insert (insufficient buying power): rolled back.
        place_order(client, env, rng, false).await?;
        statements += 4;
    }
    for _ in 0..2 {
        if let Some(order) = open.pop_front() {
            fill(client, rng, order).await?;
            statements += 5;
        }
    }
    if round % 2 == 1
        && let Some(order) = open.pop_front()
    {
        client.execute(statement(CANCEL_ORDER), &[&order]).await?;
        statements += 1;
    }
    while open.len() > MAX_OPEN {
        open.pop_front();
    }
    Ok(statements)
}

/// An account's latest fills, then one query per row for its instrument and one per
/// counterparty: what an ORM's lazy loading produces.
async fn n_plus_one_page(
    client: &Client,
    env: &Env,
    rng: &mut StdRng,
) -> Result<u64, tokio_postgres::Error> {
    let account = pick_account(env, rng);
    let trades = client
        .query(statement(RECENT_ACCOUNT_TRADES), &[&account])
        .await?;
    let mut statements = 1;
    for row in &trades {
        let instrument: i32 = row.try_get(1)?;
        client
            .query_opt(statement(INSTRUMENT_BY_ID), &[&instrument])
            .await?;
        statements += 1;
    }
    for _ in 0..10 {
        let user = pick_user(env, rng);
        client.query_opt(statement(USER_BY_ID), &[&user]).await?;
        statements += 1;
    }
    Ok(statements)
}

/// BEGIN; INSERT order; INSERT audit; COMMIT (or ROLLBACK when `commit` is false).
async fn place_order(
    client: &mut Client,
    env: &Env,
    rng: &mut StdRng,
    commit: bool,
) -> Result<Option<i64>, tokio_postgres::Error> {
    let account = pick_account(env, rng);
    let instrument = rng.random_range(1..=env.universe.instruments);
    let side = if rng.random_bool(0.5) { "buy" } else { "sell" };
    let quantity = f64::from(rng.random_range(1..=200_u32));
    let price = f64::from(10 + (instrument * 37) % 490) * rng.random_range(0.97..1.03);
    let agent = USER_AGENTS[rng.random_range(0..USER_AGENTS.len())];
    let ip: i64 = rng.random_range(0..16_000_000);
    let tx = client.transaction().await?;
    let Some(row) = tx
        .query_opt(
            statement(PLACE_ORDER),
            &[&account, &instrument, &side, &quantity, &price],
        )
        .await?
    else {
        tx.rollback().await?;
        return Ok(None);
    };
    let order: i64 = row.try_get(0)?;
    let user: i64 = row.try_get(1)?;
    tx.execute(
        statement(AUDIT_ORDER),
        &[&user, &"order.place", &order, &ip, &agent],
    )
    .await?;
    if commit {
        tx.commit().await?;
        Ok(Some(order))
    } else {
        tx.rollback().await?;
        Ok(None)
    }
}

/// BEGIN; UPDATE order; INSERT trade; upsert position; COMMIT.
async fn fill(
    client: &mut Client,
    rng: &mut StdRng,
    order: i64,
) -> Result<(), tokio_postgres::Error> {
    let tx = client.transaction().await?;
    let Some(row) = tx.query_opt(statement(FILL_ORDER), &[&order]).await? else {
        return tx.rollback().await;
    };
    let account: i64 = row.try_get(0)?;
    let instrument: i32 = row.try_get(1)?;
    let side: String = row.try_get(2)?;
    let quantity: f64 = row.try_get(3)?;
    let price: f64 = row.try_get(4)?;
    let venue = VENUES[rng.random_range(0..VENUES.len())];
    tx.execute(
        statement(INSERT_TRADE),
        &[
            &order,
            &account,
            &instrument,
            &side,
            &quantity,
            &price,
            &venue,
        ],
    )
    .await?;
    let signed = if side == "buy" { quantity } else { -quantity };
    tx.execute(
        statement(UPSERT_POSITION),
        &[&account, &instrument, &signed, &price],
    )
    .await?;
    tx.commit().await
}

/// A user id, skewed towards the active ones (low ids, as in the seed).
fn pick_user(env: &Env, rng: &mut StdRng) -> i64 {
    skewed(rng, env.universe.users)
}

/// An account id other than 1 (risk-engine keeps account 1 locked for minutes).
fn pick_account(env: &Env, rng: &mut StdRng) -> i64 {
    skewed(rng, env.universe.accounts)
}

/// 2..=max with a power-law skew towards small ids.
fn skewed(rng: &mut StdRng, max: i64) -> i64 {
    let r: f64 = rng.random();
    let span = (max - 1).max(1) as f64;
    (2 + (r * r * span) as i64).min(max.max(2))
}
