//! Reads the Overview's snapshot: a handful of cheap catalog queries, pipelined in one round
//! trip, each decoded into its typed part. One failing part does not spoil the others.

use std::collections::{HashMap, HashSet};

use tokio_postgres::{Client, Row, Statement};

use crate::collect::explain_failure;
use crate::diagnose::overview::TOP_QUERIES;
use crate::diagnose::rates;
use crate::server::{ServerInfo, versioned};
use crate::snapshot::{
    ActivitySummary, DatabaseCounters, OverviewSnapshot, Part, ReplicaLag, StatementCounters,
    StatementKey, StatementText, StatementsSample, Wraparound,
};

const ACTIVITY: &str = include_str!("overview_activity.sql");
const DATABASES: &str = include_str!("overview_databases.sql");
const WRAPAROUND: &str = include_str!("overview_wraparound.sql");
const REPLICATION_PRIMARY: &str = include_str!("overview_replication_primary.sql");
const REPLICATION_STANDBY: &str = include_str!("overview_replication_standby.sql");
/// pg_stat_statements counters by installed extension version (total_time became
/// total_exec_time in 1.8).
pub const STATEMENTS: &[(u32, &str)] = &[
    (0, include_str!("overview_statements_pgss_1_0.sql")),
    (108, include_str!("overview_statements_pgss_1_8.sql")),
];
const STATEMENTS_INFO: &str = include_str!("statements_info.sql");
const STATEMENT_TEXTS: &str = include_str!("statement_texts.sql");
/// Every SQL text pgmedic runs starts with this comment, which pg_stat_statements keeps: it is
/// how the console recognises (and leaves out) its own statements.
pub const OWN_MARKER: &str = "-- pgmedic:";

/// The Overview's statements, prepared once per session: a refresh is then one
/// Bind/Execute per query, with no parsing or planning on the server and no extra transaction.
#[derive(Debug)]
pub struct Prepared {
    activity: Statement,
    databases: Statement,
    wraparound: Statement,
    replication: Statement,
    /// pg_stat_statements counters, info (1.9+) and texts, or why they cannot be read.
    statements: Part<(Statement, Option<Statement>, Statement)>,
}

impl Prepared {
    /// Prepares the statements this server's version and extensions call for.
    pub async fn new(client: &Client, server: &ServerInfo) -> Result<Self, tokio_postgres::Error> {
        let replication = if server.is_standby {
            REPLICATION_STANDBY
        } else {
            REPLICATION_PRIMARY
        };
        let (activity, databases, wraparound, replication) = tokio::try_join!(
            client.prepare(ACTIVITY),
            client.prepare(DATABASES),
            client.prepare(WRAPAROUND),
            client.prepare(replication),
        )?;
        let statements = if let Some(problem) = server.pg_stat_statements_problem() {
            Err(problem)
        } else {
            prepare_statements(client, server)
                .await
                .map_err(|e| crate::conn::describe(&e))
        };
        Ok(Self {
            activity,
            databases,
            wraparound,
            replication,
            statements,
        })
    }
}

/// pg_stat_statements' counters (by the installed version), info (1.9+) and texts queries.
async fn prepare_statements(
    client: &Client,
    server: &ServerInfo,
) -> Result<(Statement, Option<Statement>, Statement), tokio_postgres::Error> {
    let version = server.installed_version("pg_stat_statements").unwrap_or(0);
    let sql = versioned(STATEMENTS, version).unwrap_or(STATEMENTS[0].1);
    let counters = client.prepare(sql).await?;
    let texts = client.prepare(STATEMENT_TEXTS).await?;
    let info = if version >= 109 {
        Some(client.prepare(STATEMENTS_INFO).await?)
    } else {
        None
    };
    Ok((counters, info, texts))
}

/// State kept between refreshes: statement texts already fetched and the previous sample.
#[derive(Debug, Default)]
pub struct OverviewCollector {
    texts: HashMap<StatementKey, StatementText>,
    own: HashSet<StatementKey>,
    previous: Option<StatementsSample>,
    statements_run: u64,
}

impl OverviewCollector {
    /// Forgets the previous sample (after a reconnect the counters may have been reset).
    pub fn restart(&mut self) {
        self.previous = None;
    }

    /// Reads one snapshot; every part carries its data or the reason it is missing.
    pub async fn collect(&mut self, client: &Client, prepared: &Prepared) -> OverviewSnapshot {
        let (activity, databases, wraparound, replication, statements) = tokio::join!(
            client.query_one(&prepared.activity, &[]),
            client.query(&prepared.databases, &[]),
            client.query_one(&prepared.wraparound, &[]),
            client.query(&prepared.replication, &[]),
            self.read_statements(client, &prepared.statements),
        );
        self.statements_run += 4;
        let (taken_at, activity) = match activity {
            Ok(row) => (
                row.try_get("taken_at").unwrap_or(0.0),
                decode_activity(&row),
            ),
            Err(err) => (0.0, Err(explain_failure(client, &err).await)),
        };
        OverviewSnapshot {
            taken_at,
            own_statements: self.statements_run,
            activity,
            databases: self
                .part(client, databases, |rows| {
                    rows.iter().map(decode_database).collect()
                })
                .await,
            wraparound: self
                .part(client, wraparound, |row| decode_wraparound(&row))
                .await,
            replication: self
                .part(client, replication, |rows| {
                    rows.iter().map(decode_replica).collect()
                })
                .await,
            statements,
        }
    }

    async fn part<R, T>(
        &self,
        client: &Client,
        result: Result<R, tokio_postgres::Error>,
        decode: impl FnOnce(R) -> Result<T, tokio_postgres::Error>,
    ) -> Part<T> {
        match result {
            Ok(rows) => decode(rows).map_err(|e| format!("unexpected result: {e}")),
            Err(err) => Err(explain_failure(client, &err).await),
        }
    }

    /// pg_stat_statements counters (own statements left out) plus texts of the heaviest.
    async fn read_statements(
        &mut self,
        client: &Client,
        prepared: &Part<(Statement, Option<Statement>, Statement)>,
    ) -> Part<StatementsSample> {
        let (counters, info, texts) = prepared.as_ref().map_err(Clone::clone)?;
        let (rows, info) = if let Some(info) = info {
            let (rows, info) =
                tokio::join!(client.query(counters, &[]), client.query_opt(info, &[]));
            self.statements_run += 2;
            (rows, info.ok().flatten())
        } else {
            self.statements_run += 1;
            (client.query(counters, &[]).await, None)
        };
        let rows = match rows {
            Ok(rows) => rows,
            Err(err) => return Err(explain_failure(client, &err).await),
        };
        let mut sample = StatementsSample {
            counters: rows
                .iter()
                .filter_map(|r| decode_statement(r).transpose())
                .collect::<Result<_, _>>()
                .map_err(|e| format!("unexpected pg_stat_statements result: {e}"))?,
            dealloc: info.as_ref().and_then(|r| r.try_get("dealloc").ok()),
            stats_reset: info.as_ref().and_then(|r| r.try_get("stats_reset").ok()),
            texts: HashMap::new(),
        };
        self.fetch_texts(client, texts, &sample).await;
        sample.counters.retain(|c| !self.own.contains(&c.key));
        let previous = self.previous.replace(sample.clone());
        if let Some(previous) = previous {
            let deltas = rates::statement_deltas(&previous, &sample);
            for top in rates::top_by_time(&deltas, TOP_QUERIES * 2) {
                if let Some(text) = self.texts.get(&top.key) {
                    sample.texts.insert(top.key, text.clone());
                }
            }
        }
        let live: HashSet<StatementKey> = sample.counters.iter().map(|c| c.key).collect();
        self.texts.retain(|k, _| live.contains(k));
        Ok(sample)
    }

    /// Fetches texts for the heaviest statements of the interval not yet known, and learns
    /// which of them are pgmedic's own.
    async fn fetch_texts(&mut self, client: &Client, texts: &Statement, sample: &StatementsSample) {
        let Some(previous) = &self.previous else {
            return;
        };
        let deltas = rates::statement_deltas(previous, sample);
        let wanted: Vec<StatementKey> =
            rates::top_by_time(&deltas, TOP_QUERIES * 2 + self.own.len())
                .into_iter()
                .map(|d| d.key)
                .filter(|k| !self.texts.contains_key(k) && !self.own.contains(k))
                .collect();
        if wanted.is_empty() {
            return;
        }
        let ids: Vec<i64> = wanted.iter().map(|k| k.queryid).collect();
        self.statements_run += 1;
        let Ok(rows) = client.query(texts, &[&ids]).await else {
            return;
        };
        for row in rows {
            let Ok(Some(key)) = decode_key(&row) else {
                continue;
            };
            if !wanted.contains(&key) {
                continue;
            }
            let query: String = row.try_get("query").unwrap_or_default();
            if query.starts_with(OWN_MARKER) {
                self.own.insert(key);
            } else {
                self.texts.insert(
                    key,
                    StatementText {
                        query,
                        database: row
                            .try_get::<_, Option<String>>("datname")
                            .ok()
                            .flatten()
                            .unwrap_or_default(),
                        role: row
                            .try_get::<_, Option<String>>("rolname")
                            .ok()
                            .flatten()
                            .unwrap_or_default(),
                    },
                );
            }
        }
    }
}

// ─── Decoding ────────────────────────────────────────────────────────────────────────────────

fn decode_activity(row: &Row) -> Part<ActivitySummary> {
    let decode = || -> Result<ActivitySummary, tokio_postgres::Error> {
        Ok(ActivitySummary {
            connections: row.try_get("connections")?,
            active: row.try_get("active")?,
            idle: row.try_get("idle")?,
            idle_in_transaction: row.try_get("idle_in_transaction")?,
            idle_in_transaction_aborted: row.try_get("idle_in_transaction_aborted")?,
            fastpath: row.try_get("fastpath")?,
            state_hidden: row.try_get("state_hidden")?,
            waiting_on_locks: row.try_get("waiting_on_locks")?,
            longest_lock_wait: row.try_get("longest_lock_wait")?,
            oldest_idle_in_transaction: row.try_get("oldest_idle_in_transaction")?,
            oldest_transaction: row.try_get("oldest_transaction")?,
            autovacuum_workers: row.try_get("autovacuum_workers")?,
        })
    };
    decode().map_err(|e| format!("unexpected pg_stat_activity result: {e}"))
}

fn decode_database(row: &Row) -> Result<DatabaseCounters, tokio_postgres::Error> {
    Ok(DatabaseCounters {
        datid: row.try_get("datid")?,
        datname: row.try_get("datname")?,
        stats_reset: row.try_get("stats_reset")?,
        xact_commit: row.try_get("xact_commit")?,
        xact_rollback: row.try_get("xact_rollback")?,
        blks_hit: row.try_get("blks_hit")?,
        blks_read: row.try_get("blks_read")?,
        temp_files: row.try_get("temp_files")?,
        temp_bytes: row.try_get("temp_bytes")?,
        deadlocks: row.try_get("deadlocks")?,
    })
}

fn decode_wraparound(row: &Row) -> Result<Wraparound, tokio_postgres::Error> {
    Ok(Wraparound {
        xid_age: row.try_get("xid_age")?,
        mxid_age: row.try_get("mxid_age")?,
        oldest_database: row
            .try_get::<_, Option<String>>("oldest_database")?
            .unwrap_or_default(),
        freeze_max_age: row.try_get("freeze_max_age")?,
    })
}

fn decode_replica(row: &Row) -> Result<ReplicaLag, tokio_postgres::Error> {
    Ok(ReplicaLag {
        name: row.try_get("name")?,
        client: row.try_get("client")?,
        state: row.try_get("state")?,
        lag_seconds: row.try_get("lag_seconds")?,
        lag_bytes: row.try_get("lag_bytes")?,
    })
}

/// The statement's key; `None` when the role may not see it (queryid is NULL then).
fn decode_key(row: &Row) -> Result<Option<StatementKey>, tokio_postgres::Error> {
    let queryid: Option<i64> = row.try_get("queryid")?;
    Ok(match queryid {
        Some(queryid) => Some(StatementKey {
            userid: row.try_get("userid")?,
            dbid: row.try_get("dbid")?,
            queryid,
        }),
        None => None,
    })
}

fn decode_statement(row: &Row) -> Result<Option<StatementCounters>, tokio_postgres::Error> {
    let Some(key) = decode_key(row)? else {
        return Ok(None);
    };
    Ok(Some(StatementCounters {
        key,
        calls: row.try_get("calls")?,
        total_ms: row.try_get("total_ms")?,
        rows: row.try_get("rows")?,
    }))
}
