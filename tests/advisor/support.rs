//! Helpers: a database with a workload recorded by pg_stat_statements, and the advisor on it.

use pgmedic::advisor::{self, Advice, AdviseOptions, Suggestion};
use pgmedic::conn::{ConnParams, ConnRequest};
use pgmedic::server::ServerInfo;

use crate::common::{cluster, connect, fresh_db};

/// Whether this installation has HypoPG (15 from Debian does, the 18 wheel does not).
pub fn has_hypopg() -> bool {
    cluster().extensions().iter().any(|e| e == "hypopg")
}

pub fn params(conninfo: &str) -> ConnParams {
    ConnParams::resolve(&ConnRequest {
        conninfo: Some(conninfo.to_owned()),
        ..Default::default()
    })
    .unwrap()
}

/// A fresh database with `schema` run in it and vacuumed (statistics, visibility map), and a
/// session on it.
pub async fn database(test: &str, schema: &str) -> (String, tokio_postgres::Client) {
    let conninfo = fresh_db(test).await;
    let client = connect(&conninfo).await;
    client.batch_execute(schema).await.unwrap();
    client.batch_execute("VACUUM ANALYZE").await.unwrap();
    // the load is no write rate: table counters start after it
    client
        .batch_execute("SELECT pg_stat_reset()")
        .await
        .unwrap();
    (conninfo, client)
}

/// The server as the console probes it.
pub async fn server(conninfo: &str) -> ServerInfo {
    let (_client, info) = pgmedic::collect::open_session(&params(conninfo))
        .await
        .unwrap();
    info
}

/// Runs the advisor on the database.
pub async fn advise(conninfo: &str) -> Advice {
    let info = server(conninfo).await;
    advisor::advise(&params(conninfo), &info, &AdviseOptions::default())
        .await
        .unwrap()
}

/// The suggestion on `table`, failing with the whole advice when there is none.
pub fn on<'a>(advice: &'a Advice, table: &str) -> &'a Suggestion {
    advice
        .suggestions
        .iter()
        .find(|s| s.table == table)
        .unwrap_or_else(|| panic!("no suggestion on {table}: {advice:#?}"))
}

/// (table, key columns) of every suggestion, sorted.
pub fn shapes(advice: &Advice) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = advice
        .suggestions
        .iter()
        .map(|s| (s.table.clone(), s.columns.clone()))
        .collect();
    out.sort();
    out
}

/// The queryid pg_stat_statements gave the statement whose text contains `needle`.
pub async fn queryid(client: &tokio_postgres::Client, needle: &str) -> i64 {
    client
        .query_one(
            "SELECT queryid FROM pg_stat_statements
              WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                AND query LIKE '%' || $1 || '%' AND query NOT LIKE '%pg_stat_statements%'
              ORDER BY calls DESC LIMIT 1",
            &[&needle],
        )
        .await
        .unwrap()
        .get(0)
}

/// EXPLAIN ANALYZE of `sql`: the fastest execution time of three runs, and the JSON plan.
pub async fn explain_analyze(client: &tokio_postgres::Client, sql: &str) -> (f64, String) {
    let mut best = f64::INFINITY;
    let mut plan = String::new();
    for _ in 0..3 {
        let messages = client
            .simple_query(&format!("EXPLAIN (ANALYZE, FORMAT JSON) {sql}"))
            .await
            .unwrap();
        let text = messages
            .iter()
            .find_map(|m| match m {
                tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_owned),
                _ => None,
            })
            .unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let ms = json[0]["Execution Time"].as_f64().unwrap();
        if ms < best {
            best = ms;
            plan = json.to_string();
        }
    }
    (best, plan)
}
