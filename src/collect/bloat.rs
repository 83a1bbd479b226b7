//! Reads the Bloat & vacuum pane's snapshot on the monitoring session: the catalog (every
//! table and index with the raw inputs of the bloat estimate and the autovacuum triggers) on
//! a slow cadence, the vacuums in progress and the xmin horizon's holders every refresh.
//! I/O only: the arithmetic is in `diagnose::bloat` and `diagnose::vacuum`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio_postgres::{Client, Row, Statement};

#[path = "bloat_decode.rs"]
mod decode;

use crate::collect::{explain_failure, locked_relations};
use crate::diagnose::maintenance::{BloatSnapshot, Catalog, IndexRow, TableRow};
use crate::server::{ServerInfo, versioned};
use crate::snapshot::Part;

const SETTINGS: &str = include_str!("bloat_settings.sql");
/// Tables by server version (13 counts inserts since the last vacuum, 18 all-frozen pages).
pub const TABLES: &[(u32, &str)] = &[
    (0, include_str!("bloat_tables.sql")),
    (130_000, include_str!("bloat_tables_v13.sql")),
    (180_000, include_str!("bloat_tables_v18.sql")),
];
pub const COLUMNS: &str = include_str!("bloat_columns.sql");
/// Statistics by privilege: pg_statistic for a superuser (pg_stats checks the privilege on
/// every column of the catalog before it joins: seconds on 10,000 tables), pg_stats else.
pub const STATS: &str = include_str!("bloat_stats.sql");
pub const STATS_SUPERUSER: &str = include_str!("bloat_stats_superuser.sql");
const INDEXES: &str = include_str!("bloat_indexes.sql");
pub const EQUALIMAGE: &str = include_str!("bloat_equalimage.sql");
/// Vacuums in progress by server version (17 counts dead items in bytes, and indexes).
pub const PROGRESS: &[(u32, &str)] = &[
    (0, include_str!("bloat_progress.sql")),
    (170_000, include_str!("bloat_progress_v17.sql")),
];
const HORIZON: &str = include_str!("bloat_horizon.sql");
/// The catalog is re-read at most this often …
const CATALOG_EVERY: Duration = Duration::from_secs(10);
/// … and no more often than this many times its own reading time (a database of many
/// thousand tables is not read back to back).
const CATALOG_COST_FACTOR: u32 = 20;

/// The pane's statements, prepared once per monitoring session.
#[derive(Debug)]
struct Prepared {
    backend_pid: i32,
    settings: Statement,
    tables: Statement,
    columns: Statement,
    stats: Statement,
    indexes: Statement,
    equalimage: Statement,
    progress: Statement,
    horizon: Statement,
}

impl Prepared {
    async fn new(client: &Client, server: &ServerInfo) -> Result<Self, tokio_postgres::Error> {
        let version = server.version_num;
        let stats = if server.privileges.superuser {
            STATS_SUPERUSER
        } else {
            STATS
        };
        let (settings, tables, columns, stats, indexes, equalimage, progress, horizon) = tokio::try_join!(
            client.prepare(SETTINGS),
            client.prepare(versioned(TABLES, version).unwrap_or(TABLES[0].1)),
            client.prepare(COLUMNS),
            client.prepare(stats),
            client.prepare(INDEXES),
            client.prepare(EQUALIMAGE),
            client.prepare(versioned(PROGRESS, version).unwrap_or(PROGRESS[0].1)),
            client.prepare(HORIZON),
        )?;
        Ok(Self {
            backend_pid: server.backend_pid,
            settings,
            tables,
            columns,
            stats,
            indexes,
            equalimage,
            progress,
            horizon,
        })
    }
}

/// The pane's collector: its prepared statements and the last catalog read.
#[derive(Debug, Default)]
pub struct BloatCollector {
    prepared: Option<Prepared>,
    catalog: Option<(Instant, Duration, Arc<Catalog>)>,
    /// The next refresh re-reads the catalog whatever its age.
    stale: bool,
}

impl BloatCollector {
    /// Makes the next refresh re-read the catalog (after a VACUUM, ANALYZE or REINDEX).
    pub fn invalidate(&mut self) {
        self.stale = true;
    }

    /// Reads one snapshot; each part carries its data or the reason it is missing.
    pub async fn collect(&mut self, client: &Client, server: &ServerInfo) -> BloatSnapshot {
        let taken_at = epoch_now();
        let prepared = match self.prepare(client, server).await {
            Ok(prepared) => prepared,
            Err(why) => {
                return BloatSnapshot {
                    taken_at,
                    catalog: Err(why.clone()),
                    progress: Err(why.clone()),
                    horizon: Err(why),
                };
            }
        };
        let (progress, horizon) = tokio::join!(
            client.query(&prepared.progress, &[]),
            client.query(&prepared.horizon, &[]),
        );
        let progress = rows(client, progress, decode::progress).await;
        let horizon = rows(client, horizon, decode::holder).await;
        let catalog = self.catalog(client, server).await;
        BloatSnapshot {
            taken_at,
            catalog,
            progress,
            horizon,
        }
    }

    async fn prepare(&mut self, client: &Client, server: &ServerInfo) -> Result<&Prepared, String> {
        if self
            .prepared
            .as_ref()
            .is_none_or(|p| p.backend_pid != server.backend_pid)
        {
            let prepared = match Prepared::new(client, server).await {
                Ok(prepared) => prepared,
                Err(err) => return Err(explain_failure(client, &err).await),
            };
            self.prepared = Some(prepared);
            self.catalog = None;
        }
        self.prepared
            .as_ref()
            .ok_or_else(|| "statements not prepared".to_owned())
    }

    /// The last catalog, or a fresh one when it is due.
    async fn catalog(&mut self, client: &Client, server: &ServerInfo) -> Part<Arc<Catalog>> {
        if let Some((at, took, catalog)) = &self.catalog {
            let every = CATALOG_EVERY.max(*took * CATALOG_COST_FACTOR);
            if !self.stale && at.elapsed() < every {
                return Ok(Arc::clone(catalog));
            }
        }
        let Some(prepared) = &self.prepared else {
            return Err("statements not prepared".to_owned());
        };
        let started = Instant::now();
        let catalog = read_catalog(client, server, prepared).await?;
        let took = started.elapsed();
        let catalog = Arc::new(Catalog {
            read_ms: took.as_secs_f64() * 1000.0,
            ..catalog
        });
        self.catalog = Some((Instant::now(), took, Arc::clone(&catalog)));
        self.stale = false;
        Ok(catalog)
    }
}

/// Reads the settings, every table and every index.
async fn read_catalog(
    client: &Client,
    server: &ServerInfo,
    prepared: &Prepared,
) -> Result<Catalog, String> {
    let locked = locked_relations(client).await?;
    let params: [&(dyn tokio_postgres::types::ToSql + Sync); 1] = [&locked];
    let (settings, tables, columns, stats, indexes, equalimage) = tokio::join!(
        client.query(&prepared.settings, &[]),
        client.query(&prepared.tables, &params),
        client.query(&prepared.columns, &[]),
        client.query(&prepared.stats, &[]),
        client.query(&prepared.indexes, &params),
        client.query(&prepared.equalimage, &[]),
    );
    let settings = answered(client, settings).await?;
    let settings_row = settings.first().ok_or("no settings row")?;
    let (geometry, settings) = decode::settings(settings_row).map_err(unexpected)?;
    let server_now: f64 = settings_row.try_get("server_now").map_err(unexpected)?;
    let stats = decode::stats(&answered(client, stats).await?).map_err(unexpected)?;
    let layouts = decode::layouts(&answered(client, columns).await?).map_err(unexpected)?;
    let tables = rows(client, tables, |r| {
        decode::table(r, &layouts, &stats, geometry)
    })
    .await?;
    let equalimage = answered(client, equalimage)
        .await?
        .iter()
        .map(|r| r.try_get("oid"))
        .collect::<Result<_, _>>()
        .map_err(unexpected)?;
    let version = server.version_num;
    let cx = decode::IndexContext {
        version_num: version,
        layouts: &layouts,
        stats: &stats,
        equalimage: &equalimage,
    };
    let indexes = rows(client, indexes, |r| decode::index(r, &cx)).await?;
    let by_relid: HashMap<u32, &TableRow> = tables.iter().map(|t| (t.relid, t)).collect();
    let indexes = indexes
        .into_iter()
        .map(|mut i: IndexRow| {
            if let Some(t) = by_relid.get(&i.relid) {
                i.inputs.freshness = t.inputs.freshness;
                // A partial index holds its share of the dead tuples.
                let share = if t.inputs.reltuples > 0.0 {
                    (i.inputs.reltuples / t.inputs.reltuples).clamp(0.0, 1.0)
                } else {
                    1.0
                };
                i.inputs.dead_entries = t.counters.n_dead_tup as f64 * share;
            }
            i
        })
        .collect();
    Ok(Catalog {
        read_at: epoch_now(),
        read_ms: 0.0,
        version_num: version,
        server_now,
        geometry,
        settings,
        tables,
        indexes,
    })
}

/// The rows, or why the query failed.
async fn answered(
    client: &Client,
    result: Result<Vec<Row>, tokio_postgres::Error>,
) -> Part<Vec<Row>> {
    match result {
        Ok(rows) => Ok(rows),
        Err(err) => Err(explain_failure(client, &err).await),
    }
}

/// Decodes every row, or says why the query or a row failed.
async fn rows<T>(
    client: &Client,
    result: Result<Vec<Row>, tokio_postgres::Error>,
    decode: impl FnMut(&Row) -> Result<T, tokio_postgres::Error>,
) -> Part<Vec<T>> {
    answered(client, result)
        .await?
        .iter()
        .map(decode)
        .collect::<Result<_, _>>()
        .map_err(unexpected)
}

#[expect(
    clippy::needless_pass_by_value,
    reason = "used as map_err(unexpected), which hands the error over"
)]
fn unexpected(err: tokio_postgres::Error) -> String {
    format!("unexpected result: {err}")
}

fn epoch_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}
