//! `reporting`: an activity report whose sort spills to temp files (its session runs with a
//! 64kB `work_mem`), and a second session that pauses inside its transactions (short idle in
//! transaction spells).

use std::sync::Arc;
use std::time::Duration;

use tokio::time::{MissedTickBehavior, interval};

use super::{Env, RECONNECT, Stop, close};
use crate::demo::statement;

pub(super) const APP: &str = "reporting";
const REPORT_EVERY: Duration = Duration::from_secs(20);
const IDLE_IN_TRANSACTION: Duration = Duration::from_secs(15);
const BETWEEN_PAUSES: Duration = Duration::from_secs(10);

const REPORTING_SESSION: &str = include_str!("reporting_session.sql");
const ACCOUNT_ACTIVITY_REPORT: &str = include_str!("account_activity_report.sql");
const FROZEN_ACCOUNTS: &str = include_str!("frozen_accounts.sql");

pub(super) async fn run(env: Arc<Env>, mut stop: Stop) {
    let mut tick = interval(REPORT_EVERY);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    while let Some(client) = env.session(&mut stop, APP).await {
        match stop
            .run(client.batch_execute(statement(REPORTING_SESSION)))
            .await
        {
            None => {}
            Some(Err(err)) => {
                env.failed(APP, &client, &err);
            }
            Some(Ok(())) => loop {
                if stop.run(tick.tick()).await.is_none() {
                    break;
                }
                match stop
                    .run(client.query(statement(ACCOUNT_ACTIVITY_REPORT), &[]))
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
            },
        }
        close(client).await;
        if !stop.sleep(RECONNECT).await {
            return;
        }
    }
}

/// BEGIN; a read; idle in transaction for a while; COMMIT; pause.
pub(super) async fn pauses(env: Arc<Env>, mut stop: Stop) {
    while let Some(mut client) = env.session(&mut stop, APP).await {
        loop {
            let mut during = stop.clone();
            let round = async {
                let tx = client.transaction().await?;
                tx.query_one(statement(FROZEN_ACCOUNTS), &[]).await?;
                if !during.sleep(IDLE_IN_TRANSACTION).await {
                    return Ok(false);
                }
                tx.commit().await.map(|()| true)
            };
            match stop.run(round).await {
                None | Some(Ok(false)) => break,
                Some(Ok(true)) => env.stats.ran(3),
                Some(Err(err)) => {
                    if env.failed(APP, &client, &err) {
                        break;
                    }
                }
            }
            if !stop.sleep(BETWEEN_PAUSES).await {
                break;
            }
        }
        close(client).await;
        if !stop.sleep(RECONNECT).await {
            return;
        }
    }
}
