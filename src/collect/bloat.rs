//! Reads the Bloat & vacuum pane's snapshot on the monitoring session: the catalog (every
//! table and index with the raw inputs of the bloat estimate and the autovacuum triggers) on
//! a slow cadence, the vacuums in progress and the xmin horizon's holders every refresh.
//! I/O only: the arithmetic is in `diagnose::bloat` and `diagnose::vacuum`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio_postgres::{Client, Row, Statement};

use crate::collect::{explain_failure, locked_relations};
use crate::diagnose::bloat::{
    BTREE_DEFAULT_FILLFACTOR, ColumnStats, Freshness, Geometry, HEAP_DEFAULT_FILLFACTOR,
    IndexInputs, TableInputs, fillfactor, reloption_bool,
};
use crate::diagnose::maintenance::{
    BloatSnapshot, Catalog, HorizonHolder, IndexRow, TableRow, VacuumProgress,
};
use crate::diagnose::vacuum::{AutovacuumSettings, TableCounters};
use crate::server::{ServerInfo, versioned};
use crate::snapshot::Part;

const SETTINGS: &str = include_str!("bloat_settings.sql");
/// Tables by server version (13 counts inserts since the last vacuum, 17 has the MAINTAIN
/// privilege, 18 counts all-frozen pages).
pub const TABLES: &[(u32, &str)] = &[
    (0, include_str!("bloat_tables.sql")),
    (130_000, include_str!("bloat_tables_v13.sql")),
    (170_000, include_str!("bloat_tables_v17.sql")),
    (180_000, include_str!("bloat_tables_v18.sql")),
];
const INDEXES: &str = include_str!("bloat_indexes.sql");
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
    indexes: Statement,
    progress: Statement,
    horizon: Statement,
}

impl Prepared {
    async fn new(client: &Client, server: &ServerInfo) -> Result<Self, tokio_postgres::Error> {
        let version = server.version_num;
        let (settings, tables, indexes, progress, horizon) = tokio::try_join!(
            client.prepare(SETTINGS),
            client.prepare(versioned(TABLES, version).unwrap_or(TABLES[0].1)),
            client.prepare(INDEXES),
            client.prepare(versioned(PROGRESS, version).unwrap_or(PROGRESS[0].1)),
            client.prepare(HORIZON),
        )?;
        Ok(Self {
            backend_pid: server.backend_pid,
            settings,
            tables,
            indexes,
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
        let progress = rows(client, progress, decode_progress).await;
        let horizon = rows(client, horizon, decode_holder).await;
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
    let (settings, tables, indexes) = tokio::join!(
        client.query_one(&prepared.settings, &[]),
        client.query(&prepared.tables, &params),
        client.query(&prepared.indexes, &params),
    );
    let settings_row = match settings {
        Ok(row) => row,
        Err(err) => return Err(explain_failure(client, &err).await),
    };
    let (geometry, settings) = decode_settings(&settings_row).map_err(unexpected)?;
    let server_now: f64 = settings_row.try_get("server_now").map_err(unexpected)?;
    let tables = rows(client, tables, decode_table).await?;
    let version = server.version_num;
    let indexes = rows(client, indexes, |r| decode_index(r, version)).await?;
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

/// Decodes every row, or says why the query or a row failed.
async fn rows<T>(
    client: &Client,
    result: Result<Vec<Row>, tokio_postgres::Error>,
    decode: impl Fn(&Row) -> Result<T, tokio_postgres::Error>,
) -> Part<Vec<T>> {
    match result {
        Ok(rows) => rows
            .iter()
            .map(decode)
            .collect::<Result<_, _>>()
            .map_err(unexpected),
        Err(err) => Err(explain_failure(client, &err).await),
    }
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

// ─── Decoding ────────────────────────────────────────────────────────────────────────────────

fn decode_settings(row: &Row) -> Result<(Geometry, AutovacuumSettings), tokio_postgres::Error> {
    let geometry = Geometry {
        block_size: f64::from(row.try_get::<_, i32>("block_size")?),
    };
    let insert: Option<f64> = row.try_get("insert_threshold")?;
    let settings = AutovacuumSettings {
        autovacuum: row.try_get("autovacuum")?,
        track_counts: row.try_get("track_counts")?,
        vacuum_threshold: row.try_get("vacuum_threshold")?,
        vacuum_scale_factor: row.try_get("vacuum_scale_factor")?,
        vacuum_max_threshold: row.try_get("vacuum_max_threshold")?,
        insert_threshold: insert,
        insert_scale_factor: row
            .try_get::<_, Option<f64>>("insert_scale_factor")?
            .unwrap_or(0.0),
        analyze_threshold: row.try_get("analyze_threshold")?,
        analyze_scale_factor: row.try_get("analyze_scale_factor")?,
        freeze_max_age: row.try_get("freeze_max_age")?,
        multixact_freeze_max_age: row.try_get("multixact_freeze_max_age")?,
    };
    Ok((geometry, settings))
}

/// The per-column arrays of a table or index row, zipped into column statistics.
fn decode_columns(row: &Row) -> Result<Vec<ColumnStats>, tokio_postgres::Error> {
    let typlens: Vec<i16> = row.try_get("typlens")?;
    let aligns: String = row.try_get("aligns")?;
    let widths: Vec<Option<i32>> = row.try_get("widths")?;
    let null_fracs: Vec<Option<f32>> = row.try_get("null_fracs")?;
    let visible: Vec<bool> = row.try_get("visible")?;
    Ok(typlens
        .iter()
        .zip(aligns.chars())
        .zip(widths.iter().zip(null_fracs.iter()).zip(visible.iter()))
        .map(
            |((typlen, align), ((width, null_frac), visible))| ColumnStats {
                typlen: *typlen,
                align: ColumnStats::align_of(align),
                avg_width: width.map(f64::from),
                null_frac: null_frac.map_or(0.0, f64::from),
                visible: *visible,
            },
        )
        .collect())
}

fn decode_table(row: &Row) -> Result<TableRow, tokio_postgres::Error> {
    let reloptions: Vec<String> = row.try_get("reloptions")?;
    let reltuples: f64 = row.try_get("reltuples")?;
    let relpages: i64 = row.try_get("relpages")?;
    let counters = TableCounters {
        reltuples,
        relpages,
        relallfrozen: row.try_get("relallfrozen")?,
        n_live_tup: row.try_get("n_live_tup")?,
        n_dead_tup: row.try_get("n_dead_tup")?,
        n_mod_since_analyze: row.try_get("n_mod_since_analyze")?,
        n_ins_since_vacuum: row.try_get("n_ins_since_vacuum")?,
        xid_age: row.try_get("xid_age")?,
        toast_xid_age: row.try_get("toast_xid_age")?,
        mxid_age: row.try_get("mxid_age")?,
        last_vacuum: row.try_get("last_vacuum")?,
        last_autovacuum: row.try_get("last_autovacuum")?,
        last_analyze: row.try_get("last_analyze")?,
        last_autoanalyze: row.try_get("last_autoanalyze")?,
        reloptions: Vec::new(),
    };
    let columns = decode_columns(row)?;
    let freshness = Freshness {
        // Statistics survive a reset of the counters that date the last ANALYZE.
        analyzed: counters.last_analyze.is_some()
            || counters.last_autoanalyze.is_some()
            || columns.iter().any(|c| c.avg_width.is_some()),
        mod_since_analyze: counters.n_mod_since_analyze,
        rls_hidden: row.try_get("rls_hidden")?,
    };
    Ok(TableRow {
        relid: row.try_get("relid")?,
        schema: row.try_get("schema")?,
        name: row.try_get("name")?,
        matview: row.try_get::<_, String>("relkind")? == "m",
        maintain: row.try_get("maintain")?,
        database_owner: row.try_get("database_owner")?,
        size: row.try_get("size")?,
        toast_size: row.try_get("toast_size")?,
        inputs: TableInputs {
            relpages,
            reltuples,
            fillfactor: fillfactor(&reloptions, HEAP_DEFAULT_FILLFACTOR),
            columns,
            freshness,
        },
        counters: TableCounters {
            reloptions,
            ..counters
        },
    })
}

fn decode_index(row: &Row, version_num: u32) -> Result<IndexRow, tokio_postgres::Error> {
    let reloptions: Vec<String> = row.try_get("reloptions")?;
    let unique: bool = row.try_get("is_unique")?;
    let has_include: bool = row.try_get("has_include")?;
    let equalimage: bool = row.try_get("equalimage")?;
    let dedup_on = reloption_bool(&reloptions, "deduplicate_items") != Some(false);
    let key_distinct: Vec<Option<f32>> = row.try_get("key_distinct")?;
    Ok(IndexRow {
        indexrelid: row.try_get("indexrelid")?,
        relid: row.try_get("relid")?,
        schema: row.try_get("schema")?,
        name: row.try_get("name")?,
        table: row.try_get("table_name")?,
        unique,
        primary: row.try_get("is_primary")?,
        size: row.try_get("size")?,
        inputs: IndexInputs {
            access_method: row.try_get("access_method")?,
            relpages: row.try_get("relpages")?,
            reltuples: row.try_get("reltuples")?,
            dead_entries: 0.0,
            fillfactor: fillfactor(&reloptions, BTREE_DEFAULT_FILLFACTOR),
            columns: decode_columns(row)?,
            key_distinct: key_distinct.into_iter().map(|d| d.map(f64::from)).collect(),
            dedup_possible: version_num >= 130_000
                && dedup_on
                && equalimage
                && !has_include
                && !unique,
            // The table's, once both are read.
            freshness: Freshness {
                analyzed: false,
                mod_since_analyze: 0,
                rls_hidden: false,
            },
        },
    })
}

fn decode_progress(row: &Row) -> Result<VacuumProgress, tokio_postgres::Error> {
    let schema: Option<String> = row.try_get("schema")?;
    let name: Option<String> = row.try_get("name")?;
    Ok(VacuumProgress {
        command: row.try_get("command")?,
        pid: row.try_get("pid")?,
        database: row
            .try_get::<_, Option<String>>("database")?
            .unwrap_or_default(),
        relid: row.try_get("relid")?,
        relation: schema.zip(name).map(|(s, n)| format!("{s}.{n}")),
        phase: row.try_get("phase")?,
        blks_total: row.try_get::<_, Option<i64>>("blks_total")?.unwrap_or(0),
        blks_scanned: row.try_get::<_, Option<i64>>("blks_scanned")?.unwrap_or(0),
        blks_vacuumed: row.try_get::<_, Option<i64>>("blks_vacuumed")?.unwrap_or(0),
        index_passes: row.try_get::<_, Option<i64>>("index_passes")?.unwrap_or(0),
        dead_items: row.try_get("dead_items")?,
        memory_fill: row.try_get("memory_fill")?,
        indexes_total: row.try_get("indexes_total")?,
        indexes_processed: row.try_get("indexes_processed")?,
        autovacuum: row
            .try_get::<_, Option<bool>>("autovacuum")?
            .unwrap_or(false),
        wraparound: row.try_get("wraparound")?,
        running_secs: row.try_get("running_secs")?,
        wait_event_type: row.try_get("wait_event_type")?,
        wait_event: row.try_get("wait_event")?,
    })
}

fn decode_holder(row: &Row) -> Result<HorizonHolder, tokio_postgres::Error> {
    Ok(HorizonHolder {
        kind: row.try_get("kind")?,
        name: row
            .try_get::<_, Option<String>>("name")?
            .unwrap_or_default(),
        database: row
            .try_get::<_, Option<String>>("database")?
            .unwrap_or_default(),
        detail: row
            .try_get::<_, Option<String>>("detail")?
            .unwrap_or_default(),
        xmin_age: row.try_get("xmin_age")?,
        age_secs: row.try_get("age_secs")?,
    })
}
