//! Reads the Queries pane's snapshot: every statement of pg_stat_statements with every column
//! the installed extension version has, the eviction count and reset time (1.9+), the
//! settings the figures are read against, and the texts of statements not seen before (each
//! fetched once, parsed once for the lints). Runs on the monitoring session while the pane is
//! in sight; rates are computed by the app from consecutive snapshots.

use std::collections::HashSet;
use std::sync::Arc;

use tokio_postgres::{Client, Row, Statement};

use crate::collect::explain_failure;
use crate::collect::statements::{STATEMENT_TEXTS, STATEMENTS_INFO, TextCache, decode_key};
use crate::diagnose::statement::shape;
use crate::server::{ServerInfo, versioned};
use crate::snapshot::queries::{
    Columns, QueriesSample, QueriesSnapshot, QueryText, StatementStats, StatementsSettings,
};
use crate::snapshot::{Part, StatementKey};

/// pg_stat_statements' figures by installed extension version: total_time became
/// total_exec_time and WAL arrived in 1.8, toplevel in 1.9, blk_read_time became
/// shared_blk_read_time and stats_since arrived in 1.11.
pub const STATEMENTS: &[(u32, &str)] = &[
    (0, include_str!("queries_pgss_1_0.sql")),
    (108, include_str!("queries_pgss_1_8.sql")),
    (109, include_str!("queries_pgss_1_9.sql")),
    (111, include_str!("queries_pgss_1_11.sql")),
];
pub const SETTINGS: &str = include_str!("queries_settings.sql");

/// The pane's statements, prepared once per session.
#[derive(Debug)]
struct Prepared {
    counters: Statement,
    info: Option<Statement>,
    settings: Statement,
    texts: Statement,
    columns: Columns,
}

/// State kept between refreshes of the pane: its prepared statements and the texts known.
#[derive(Debug, Default)]
pub struct QueriesCollector {
    prepared: Option<Prepared>,
    texts: TextCache<Arc<QueryText>>,
}

impl QueriesCollector {
    /// Reads one snapshot; a pane that cannot read pg_stat_statements says what to run.
    pub async fn collect(&mut self, client: &Client, server: &ServerInfo) -> QueriesSnapshot {
        self.read(client, server, true).await
    }

    /// Reads the counters only, for the ring of samples while the pane is out of sight: the
    /// texts of new statements (reading them reads the server's whole query-text file) wait
    /// until the pane is in sight.
    pub async fn collect_counters(
        &mut self,
        client: &Client,
        server: &ServerInfo,
    ) -> QueriesSnapshot {
        self.read(client, server, false).await
    }

    async fn read(
        &mut self,
        client: &Client,
        server: &ServerInfo,
        with_texts: bool,
    ) -> QueriesSnapshot {
        if let Some(problem) = server.pg_stat_statements_problem() {
            return failed(problem);
        }
        if self.prepared.is_none() {
            // A failure (a timeout, a lock) is tried again at the next refresh.
            match prepare(client, server).await {
                Ok(prepared) => self.prepared = Some(prepared),
                Err(why) => return failed(why),
            }
        }
        let Some(prepared) = self.prepared.as_ref() else {
            return failed("not prepared".to_owned());
        };
        let (counters, info, settings) = tokio::join!(
            client.query(&prepared.counters, &[]),
            async {
                match &prepared.info {
                    Some(info) => client.query_opt(info, &[]).await.ok().flatten(),
                    None => None,
                }
            },
            client.query_one(&prepared.settings, &[]),
        );
        let rows = match counters {
            Ok(rows) => rows,
            Err(err) => {
                let why = explain_failure(client, &err).await;
                return failed(not_loaded_hint(why, server));
            }
        };
        let settings = match settings {
            Ok(row) => row,
            Err(err) => return failed(explain_failure(client, &err).await),
        };
        let read = sample(
            &mut self.texts,
            client,
            prepared,
            &rows,
            info.as_ref(),
            &settings,
            with_texts,
        );
        match read.await {
            Ok(sample) => QueriesSnapshot {
                taken_at: sample.taken_at,
                statements: Ok(sample),
            },
            Err(err) => failed(format!("unexpected pg_stat_statements result: {err}")),
        }
    }
}

/// The sample from the rows read, with the texts of statements not seen before.
async fn sample(
    texts: &mut TextCache<Arc<QueryText>>,
    client: &Client,
    prepared: &Prepared,
    rows: &[Row],
    info: Option<&Row>,
    settings: &Row,
    with_texts: bool,
) -> Result<QueriesSample, tokio_postgres::Error> {
    let mut entries = Vec::with_capacity(rows.len());
    let mut hidden = 0;
    // The clock of the counters' own query; the settings' (read beside it) when there are none.
    let mut taken_at: Option<f64> = None;
    for row in rows {
        let at: f64 = row.try_get("taken_at")?;
        taken_at = Some(taken_at.map_or(at, |t| t.max(at)));
        match decode_stats(row)? {
            Some(stats) => entries.push(stats),
            None => hidden += 1,
        }
    }
    let unknown: Vec<StatementKey> = entries
        .iter()
        .map(|e| e.key)
        .filter(|k| !texts.knows(k))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    if with_texts && !unknown.is_empty() {
        texts
            .fetch(client, &prepared.texts, &unknown, |text| {
                let shape = shape(&text.query);
                Arc::new(QueryText { text, shape })
            })
            .await;
    }
    entries.retain(|e| !texts.is_own(&e.key));
    if with_texts {
        let live: HashSet<StatementKey> = entries.iter().map(|e| e.key).collect();
        texts.retain(&live);
    }
    Ok(QueriesSample {
        taken_at: match taken_at {
            Some(at) => at,
            None => settings.try_get("taken_at")?,
        },
        entries,
        dealloc: info.and_then(|r| r.try_get("dealloc").ok()),
        stats_reset: info.and_then(|r| r.try_get("stats_reset").ok()),
        hidden,
        settings: decode_settings(settings)?,
        columns: prepared.columns,
        texts: texts.shared(),
    })
}

fn failed(why: String) -> QueriesSnapshot {
    QueriesSnapshot {
        taken_at: 0.0,
        statements: Err(why),
    }
}

/// The statements this server's installed pg_stat_statements calls for, or what it needs
/// before it can be read.
async fn prepare(client: &Client, server: &ServerInfo) -> Part<Prepared> {
    let version = server.installed_version("pg_stat_statements").unwrap_or(0);
    let sql = versioned(STATEMENTS, version).unwrap_or(STATEMENTS[0].1);
    let prepared = async {
        let (counters, settings, texts) = tokio::try_join!(
            client.prepare(sql),
            client.prepare(SETTINGS),
            client.prepare(STATEMENT_TEXTS),
        )?;
        let info = if version >= 109 {
            Some(client.prepare(STATEMENTS_INFO).await?)
        } else {
            None
        };
        Ok::<_, tokio_postgres::Error>(Prepared {
            counters,
            info,
            settings,
            texts,
            columns: Columns::for_version(version),
        })
    };
    match prepared.await {
        Ok(prepared) => Ok(prepared),
        Err(err) => Err(not_loaded_hint(explain_failure(client, &err).await, server)),
    }
}

/// "pg_stat_statements must be loaded via shared_preload_libraries" (a role that cannot read
/// the setting only learns it here) becomes what to run.
fn not_loaded_hint(why: String, server: &ServerInfo) -> String {
    if why.contains("shared_preload_libraries") {
        let database = &server.database;
        format!(
            "pg_stat_statements is created in {database} but its library is not loaded: ALTER \
             SYSTEM SET shared_preload_libraries = 'pg_stat_statements' (keep any existing \
             entries) and restart the server ({why})"
        )
    } else {
        why
    }
}

// ─── Decoding ────────────────────────────────────────────────────────────────────────────────

/// One row of pg_stat_statements; `None` for another role's statement this role may not see.
fn decode_stats(row: &Row) -> Result<Option<StatementStats>, tokio_postgres::Error> {
    let Some(key) = decode_key(row)? else {
        return Ok(None);
    };
    Ok(Some(StatementStats {
        key,
        toplevel: row.try_get("toplevel")?,
        calls: row.try_get("calls")?,
        total_ms: row.try_get("total_ms")?,
        min_ms: row.try_get("min_ms")?,
        max_ms: row.try_get("max_ms")?,
        mean_ms: row.try_get("mean_ms")?,
        stddev_ms: row.try_get("stddev_ms")?,
        rows: row.try_get("rows")?,
        shared_blks_hit: row.try_get("shared_blks_hit")?,
        shared_blks_read: row.try_get("shared_blks_read")?,
        temp_blks_written: row.try_get("temp_blks_written")?,
        blk_read_ms: row.try_get("blk_read_ms")?,
        blk_write_ms: row.try_get("blk_write_ms")?,
        wal_bytes: row.try_get("wal_bytes")?,
        stats_since: row.try_get("stats_since")?,
        minmax_stats_since: row.try_get("minmax_stats_since")?,
    }))
}

fn decode_settings(row: &Row) -> Result<StatementsSettings, tokio_postgres::Error> {
    Ok(StatementsSettings {
        track_io_timing: row.try_get("track_io_timing")?,
        work_mem_bytes: row.try_get("work_mem_bytes")?,
        block_size: row.try_get("block_size")?,
        max_entries: row.try_get("max_entries")?,
        track: row.try_get("track")?,
        can_reset: row.try_get("can_reset")?,
    })
}
