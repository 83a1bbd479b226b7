//! Reads the Overview's snapshot: a handful of cheap catalog queries, pipelined in one round
//! trip, each decoded into its typed part. One failing part does not spoil the others.

use std::collections::{HashMap, HashSet};
use std::time::{SystemTime, UNIX_EPOCH};

use tokio_postgres::{Client, Row, Statement};

use crate::collect::statements::{STATEMENT_TEXTS, STATEMENTS_INFO, TextCache, decode_key};
use crate::collect::{blockers, explain_failure, is_timeout};
use crate::diagnose::overview::{TOP_QUERIES, TOP_WINDOW_SAMPLES, TOP_WINDOW_SECS};
use crate::diagnose::rates;
use crate::diagnose::window::Recent;
use crate::server::{ServerInfo, versioned};
use crate::snapshot::{
    ActivitySummary, DatabaseCounters, OverviewSnapshot, Part, ReplicaLag, StatementCounters,
    StatementKey, StatementText, StatementsSample, Wraparound,
};

/// pg_stat_activity summarised, by server version (14 records when a lock wait began).
pub const ACTIVITY: &[(u32, &str)] = &[
    (0, include_str!("overview_activity.sql")),
    (140_000, include_str!("overview_activity_v14.sql")),
];
const DATABASES: &str = include_str!("overview_databases.sql");
const WRAPAROUND: &str = include_str!("overview_wraparound.sql");
const REPLICATION_PRIMARY: &str = include_str!("overview_replication_primary.sql");
const REPLICATION_STANDBY: &str = include_str!("overview_replication_standby.sql");
/// pg_stat_statements counters by installed extension version (total_time became
/// total_exec_time in 1.8; 1.9 keeps nested statements apart under `toplevel`).
pub const STATEMENTS: &[(u32, &str)] = &[
    (0, include_str!("overview_statements_pgss_1_0.sql")),
    (108, include_str!("overview_statements_pgss_1_8.sql")),
    (109, include_str!("overview_statements_pgss_1_9.sql")),
];
/// Every SQL text pgmedic runs starts with this comment and ends with a `-- pgmedic: end` line:
/// it is how the console recognises (and leaves out) its own statements in pg_stat_statements.
/// Up to 17 the stored text keeps the leading comment; 18 stores a statement from its first
/// token, so only the trailing line is left there.
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
            client.prepare(versioned(ACTIVITY, server.version_num).unwrap_or(ACTIVITY[0].1)),
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

/// State kept between refreshes: statement texts already fetched and the recent samples of
/// pg_stat_statements (the window the Overview ranks statements over).
#[derive(Debug)]
pub struct OverviewCollector {
    texts: TextCache<StatementText>,
    recent: Recent<(f64, StatementsSample)>,
    statements_run: u64,
    /// Server clock minus local clock, from the last refresh that read it.
    clock_offset: Option<f64>,
}

impl Default for OverviewCollector {
    fn default() -> Self {
        Self {
            texts: TextCache::default(),
            recent: Recent::new(TOP_WINDOW_SECS, TOP_WINDOW_SAMPLES),
            statements_run: 0,
            clock_offset: None,
        }
    }
}

impl OverviewCollector {
    /// Forgets the recent samples (after a reconnect the counters may have been reset).
    pub fn restart(&mut self) {
        self.recent.clear();
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
        let mut why = Explainer::default();
        let server_clock = activity
            .as_ref()
            .ok()
            .and_then(|row| row.try_get("taken_at").ok());
        let taken_at = self.clock(server_clock);
        let activity = match activity {
            Ok(row) => decode_activity(&row),
            Err(err) => Err(why.explain(client, &err).await),
        };
        let statements = match (statements, &prepared.statements) {
            (Ok(sample), Ok((_, _, texts))) => Ok(self.rank(client, texts, taken_at, sample).await),
            (Err(why), _) => Err(why),
            (_, Err(why)) => Err(why.clone()),
        };
        OverviewSnapshot {
            taken_at,
            own_statements: self.statements_run,
            activity,
            databases: why
                .part(client, databases, |rows| {
                    rows.iter().map(decode_database).collect()
                })
                .await,
            wraparound: why
                .part(client, wraparound, |row| decode_wraparound(&row))
                .await,
            replication: why
                .part(client, replication, |rows| {
                    rows.iter().map(decode_replica).collect()
                })
                .await,
            statements,
        }
    }

    /// The server's clock when it answered; when it did not, the local clock corrected by the
    /// last known difference between the two (client and server may be far apart).
    fn clock(&mut self, server: Option<f64>) -> f64 {
        let local = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        match server {
            Some(server) => {
                self.clock_offset = Some(server - local);
                server
            }
            None => local + self.clock_offset.unwrap_or(0.0),
        }
    }

    /// pg_stat_statements counters with the eviction count and reset time (1.9+); ranked and
    /// given texts once the snapshot's time is known (see `rank`).
    async fn read_statements(
        &mut self,
        client: &Client,
        prepared: &Part<(Statement, Option<Statement>, Statement)>,
    ) -> Part<StatementsSample> {
        let (counters, info, _) = prepared.as_ref().map_err(Clone::clone)?;
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
        let sample = StatementsSample {
            counters: rows
                .iter()
                .filter_map(|r| decode_statement(r).transpose())
                .collect::<Result<_, _>>()
                .map_err(|e| format!("unexpected pg_stat_statements result: {e}"))?,
            dealloc: info.as_ref().and_then(|r| r.try_get("dealloc").ok()),
            stats_reset: info.as_ref().and_then(|r| r.try_get("stats_reset").ok()),
            texts: HashMap::new(),
        };
        Ok(sample)
    }

    /// Learns the texts of the heaviest statements of the window (and which are pgmedic's own,
    /// to leave them out), attaches the texts, and keeps the sample for the next windows.
    async fn rank(
        &mut self,
        client: &Client,
        texts: &Statement,
        taken_at: f64,
        mut sample: StatementsSample,
    ) -> StatementsSample {
        self.recent.push((taken_at, sample.clone()));
        let wanted = self.heaviest(&sample, TOP_QUERIES * 2 + self.texts.own_count());
        let unknown: Vec<StatementKey> = wanted
            .into_iter()
            .filter(|k| !self.texts.knows(k))
            .collect();
        if !unknown.is_empty() {
            self.statements_run += 1;
            self.texts.fetch(client, texts, &unknown, |t| t).await;
        }
        let cache = &self.texts;
        sample.counters.retain(|c| !cache.is_own(&c.key));
        if let Some((_, kept)) = self.recent.latest_mut() {
            kept.counters.retain(|c| !cache.is_own(&c.key));
        }
        for key in self.heaviest(&sample, TOP_QUERIES * 2) {
            if let Some(text) = self.texts.get(&key) {
                sample.texts.insert(key, text.clone());
            }
        }
        let live: HashSet<StatementKey> = sample.counters.iter().map(|c| c.key).collect();
        self.texts.retain(&live);
        sample
    }

    /// The `n` statements with the most time over the window ending at `sample`.
    fn heaviest(&self, sample: &StatementsSample, n: usize) -> Vec<StatementKey> {
        let Some((_, base)) = self.recent.base() else {
            return Vec::new();
        };
        let deltas = rates::statement_deltas(base, sample);
        rates::top_by_time(&deltas, n)
            .into_iter()
            .map(|d| d.key)
            .collect()
    }
}

/// Puts failed parts in words, asking the server who blocks it at most once per refresh.
#[derive(Debug, Default)]
struct Explainer {
    blockers: Option<String>,
}

impl Explainer {
    async fn explain(&mut self, client: &Client, err: &tokio_postgres::Error) -> String {
        let text = crate::conn::describe(err);
        if !is_timeout(err) {
            return text;
        }
        if self.blockers.is_none() {
            self.blockers = Some(blockers(client).await);
        }
        match self.blockers.as_deref() {
            Some("") | None => text,
            Some(blockers) => format!("{text}: blocked by {blockers}"),
        }
    }

    async fn part<R, T>(
        &mut self,
        client: &Client,
        result: Result<R, tokio_postgres::Error>,
        decode: impl FnOnce(R) -> Result<T, tokio_postgres::Error>,
    ) -> Part<T> {
        match result {
            Ok(rows) => decode(rows).map_err(|e| format!("unexpected result: {e}")),
            Err(err) => Err(self.explain(client, &err).await),
        }
    }
}

// ─── Decoding ────────────────────────────────────────────────────────────────────────────────

fn decode_activity(row: &Row) -> Part<ActivitySummary> {
    let decode = || -> Result<ActivitySummary, tokio_postgres::Error> {
        Ok(ActivitySummary {
            is_standby: row.try_get("is_standby")?,
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
