//! Reading the admin console: one SHOW per view through the simple query protocol, every
//! column by name.

use std::collections::HashMap;

use tokio_postgres::{Client, SimpleQueryMessage};

use super::{
    AdminUrl, BouncerClient, BouncerDatabase, BouncerPool, BouncerStats, PgBouncerSnapshot,
};
use crate::conn::{ConnParams, ConnRequest};

/// Connection parameters of the admin console: the URL, with the database `pgbouncer` unless
/// it names one.
pub fn admin_params(url: &AdminUrl) -> Result<ConnParams, String> {
    ConnParams::resolve(&ConnRequest {
        conninfo: Some(url.0.clone()),
        dbname: Some("pgbouncer".to_owned()),
        ..ConnRequest::default()
    })
    .map_err(|e| format!("--pgbouncer: {e}"))
}

/// One row of a SHOW, by column name.
struct Row(HashMap<String, Option<String>>);

impl Row {
    fn text(&self, column: &str) -> String {
        self.0.get(column).cloned().flatten().unwrap_or_default()
    }

    fn opt_text(&self, column: &str) -> Option<String> {
        self.0.get(column).cloned().flatten()
    }

    fn number(&self, column: &str) -> Option<f64> {
        self.0.get(column)?.as_deref()?.trim().parse().ok()
    }

    fn int(&self, column: &str) -> Option<i64> {
        self.0.get(column)?.as_deref()?.trim().parse().ok()
    }

    fn count(&self, column: &str) -> i64 {
        self.int(column).unwrap_or(0)
    }

    fn flag(&self, column: &str) -> bool {
        self.int(column).is_some_and(|v| v != 0)
    }
}

async fn show(client: &Client, what: &str) -> Result<Vec<Row>, String> {
    let messages = client
        .simple_query(&format!("SHOW {what}"))
        .await
        .map_err(|e| format!("SHOW {what}: {}", crate::conn::describe(&e)))?;
    Ok(messages
        .iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(row) => Some(Row(row
                .columns()
                .iter()
                .enumerate()
                .map(|(i, c)| (c.name().to_owned(), row.get(i).map(str::to_owned)))
                .collect())),
            _ => None,
        })
        .collect())
}

/// Reads the four views.
pub async fn read(client: &Client) -> Result<PgBouncerSnapshot, String> {
    let pools = show(client, "POOLS").await?;
    let databases = show(client, "DATABASES").await?;
    let stats = show(client, "STATS").await?;
    let clients = show(client, "CLIENTS").await?;
    Ok(PgBouncerSnapshot {
        pools: pools.iter().map(pool).collect(),
        databases: databases.iter().map(database).collect(),
        stats: stats.iter().map(stat).collect(),
        clients: clients.iter().map(bouncer_client).collect(),
    })
}

/// Seconds from a whole-seconds column and its microseconds companion.
fn seconds(row: &Row, secs: &str, micros: &str) -> f64 {
    row.number(secs).unwrap_or(0.0) + row.number(micros).unwrap_or(0.0) / 1e6
}

fn pool(row: &Row) -> BouncerPool {
    BouncerPool {
        database: row.text("database"),
        user: row.text("user"),
        cl_active: row.count("cl_active"),
        cl_waiting: row.count("cl_waiting"),
        sv_active: row.count("sv_active"),
        sv_idle: row.count("sv_idle"),
        sv_used: row.count("sv_used"),
        sv_tested: row.count("sv_tested"),
        sv_login: row.count("sv_login"),
        maxwait_secs: seconds(row, "maxwait", "maxwait_us"),
        pool_mode: row.text("pool_mode"),
    }
}

fn database(row: &Row) -> BouncerDatabase {
    BouncerDatabase {
        name: row.text("name"),
        pool_size: row.int("pool_size"),
        reserve_pool: row
            .int("reserve_pool")
            .or_else(|| row.int("reserve_pool_size")),
        max_connections: row.int("max_connections"),
        current_connections: row.int("current_connections"),
        paused: row.flag("paused"),
        disabled: row.flag("disabled"),
    }
}

fn stat(row: &Row) -> BouncerStats {
    BouncerStats {
        database: row.text("database"),
        xacts_per_sec: row.number("avg_xact_count"),
        queries_per_sec: row.number("avg_query_count"),
        avg_xact_us: row.number("avg_xact_time"),
        avg_query_us: row.number("avg_query_time"),
        avg_wait_us: row.number("avg_wait_time"),
        total_xact_count: row.int("total_xact_count"),
        total_query_count: row.int("total_query_count"),
    }
}

fn bouncer_client(row: &Row) -> BouncerClient {
    BouncerClient {
        user: row.text("user"),
        database: row.text("database"),
        state: row.text("state"),
        addr: row.text("addr"),
        port: row.int("port"),
        application_name: row.opt_text("application_name"),
        wait_secs: seconds(row, "wait", "wait_us"),
    }
}
