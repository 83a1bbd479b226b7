//! `housekeeping`: purges a few expired orders every half minute. `trades.order_id` has no index,
//! so the foreign-key check behind each deleted order scans all of trades — visible in
//! `pg_stat_statements` as the RI query, not as the DELETE.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::{MissedTickBehavior, interval};

use super::{Env, RECONNECT, Stop, close};
use crate::demo::statement;

pub(super) const APP: &str = "housekeeping";
const EVERY: Duration = Duration::from_secs(30);

const PURGE_EXPIRED_ORDERS: &str = include_str!("purge_expired_orders.sql");

pub(super) async fn run(env: Arc<Env>, mut stop: Stop) {
    let mut tick = interval(EVERY);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    while let Some(client) = env.session(&mut stop, APP).await {
        loop {
            if stop.run(tick.tick()).await.is_none() {
                break;
            }
            match stop
                .run(client.execute(statement(PURGE_EXPIRED_ORDERS), &[]))
                .await
            {
                None => break,
                Some(Ok(_)) => env.stats.ran(1),
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
