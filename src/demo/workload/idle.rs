//! Idle members of the api's connection pool: connected, checked now and then, otherwise idle.

use std::sync::Arc;
use std::time::Duration;

use super::{Env, RECONNECT, Stop, api, close};
use crate::demo::statement;

const HEALTH_CHECK_EVERY: Duration = Duration::from_secs(30);
const PING: &str = include_str!("ping.sql");

pub(super) async fn run(env: Arc<Env>, mut stop: Stop) {
    while let Some(client) = env.session(&mut stop, api::APP).await {
        while stop.sleep(HEALTH_CHECK_EVERY).await {
            match stop.run(client.simple_query(statement(PING))).await {
                None => break,
                Some(Ok(_)) => env.stats.ran(1),
                Some(Err(err)) => {
                    if env.failed(api::APP, &client, &err) {
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
