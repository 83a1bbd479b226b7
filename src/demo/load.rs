//! Loads the trading database: schema, deterministic data (two sessions in parallel), the
//! application's indexes, then the planted problems — including an INVALID index, which only a
//! failed `CREATE INDEX CONCURRENTLY` outside a transaction block can leave behind.

use std::time::{Duration, Instant};

use tokio_postgres::Client;
use tokio_postgres::error::SqlState;

use super::{DemoError, sql_error, statement};
use crate::conn::{self, ConnParams, ConnRequest};

const SCHEMA: &str = include_str!("schema.sql");
const SEED_SIZE: &str = include_str!("seed_size.sql");
const SEED_ACCOUNTS: &str = include_str!("seed_accounts.sql");
const SEED_MARKET: &str = include_str!("seed_market.sql");
const INDEXES: &str = include_str!("indexes.sql");
const PROBLEMS: &str = include_str!("problems.sql");
const INVALID_INDEX: &str = include_str!("invalid_index.sql");
const SET_SCALE: &str = include_str!("set_scale.sql");
const HAS_STATEMENTS: &str = include_str!("has_statements.sql");
const RESET_STATEMENTS: &str = include_str!("reset_statements.sql");

/// `application_name` of the loading sessions.
pub const LOADER: &str = "pgmedic-demo-load";

/// Loads schema, data and planted problems into the (empty) database `conninfo` names, at
/// `scale` (1.0 = 500k orders; tests use 0.01–0.05). Returns how long it took.
pub async fn load(conninfo: &str, scale: f64) -> Result<Duration, DemoError> {
    let started = Instant::now();
    let params = ConnParams::resolve(&ConnRequest {
        conninfo: Some(conninfo.to_owned()),
        ..ConnRequest::default()
    })?;
    let first = conn::connect(&params, LOADER).await?;
    let second = conn::connect(&params, LOADER).await?;
    first
        .batch_execute(SCHEMA)
        .await
        .map_err(sql_error("schema.sql"))?;
    for client in [&first, &second] {
        prepare_session(client, scale).await?;
    }
    tokio::try_join!(
        async {
            first
                .batch_execute(SEED_ACCOUNTS)
                .await
                .map_err(sql_error("seed_accounts.sql"))
        },
        async {
            second
                .batch_execute(SEED_MARKET)
                .await
                .map_err(sql_error("seed_market.sql"))
        },
    )?;
    drop(second);
    first
        .batch_execute(INDEXES)
        .await
        .map_err(sql_error("indexes.sql"))?;
    first
        .batch_execute(PROBLEMS)
        .await
        .map_err(sql_error("problems.sql"))?;
    plant_invalid_index(&first).await?;
    forget_own_statements(&first).await?;
    Ok(started.elapsed())
}

/// The scale as a session setting (read by the .sql files) and the row counts derived from it.
async fn prepare_session(client: &Client, scale: f64) -> Result<(), DemoError> {
    client
        .execute(SET_SCALE, &[&scale.to_string()])
        .await
        .map_err(sql_error("set_scale.sql"))?;
    client
        .batch_execute(SEED_SIZE)
        .await
        .map_err(sql_error("seed_size.sql"))
}

/// Runs the concurrent unique build that must fail on the duplicated external trade ids.
async fn plant_invalid_index(client: &Client) -> Result<(), DemoError> {
    match client.batch_execute(INVALID_INDEX).await {
        Err(err) if err.code() == Some(&SqlState::UNIQUE_VIOLATION) => Ok(()),
        Err(err) => Err(sql_error("invalid_index.sql")(err)),
        Ok(()) => Err(DemoError::Setup(
            "invalid_index.sql succeeded: the seed has no duplicate external_trade_id".to_owned(),
        )),
    }
}

/// Removes the loader's statements from `pg_stat_statements` (this database only), so that the
/// top queries are the workload's, not the bulk load's.
async fn forget_own_statements(client: &Client) -> Result<(), DemoError> {
    let installed: bool = client
        .query_one(HAS_STATEMENTS, &[])
        .await
        .and_then(|row| row.try_get(0))
        .map_err(sql_error("has_statements.sql"))?;
    if installed {
        client
            .query(statement(RESET_STATEMENTS), &[])
            .await
            .map_err(sql_error("reset_statements.sql"))?;
    }
    Ok(())
}
