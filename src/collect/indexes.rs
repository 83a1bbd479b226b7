//! Reads the Indexes pane's snapshot on the monitoring session: index definitions in parts,
//! tables, foreign keys and the database's stats context every [`FULL_EVERY`] (indexes change
//! rarely) or on request, and the tables' write counters at every refresh in between, so the
//! write rates are those of the last minute ([`RATE_WINDOW_SECS`]), not since the stats reset.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Row, Statement};

use crate::collect::{explain_failure, locked_relations};
use crate::diagnose::indexes::{
    ForeignKey, IndexDef, IndexesSnapshot, TableInfo, TableWrites, write_rates,
};
use crate::diagnose::window::Recent;
use crate::server::ServerInfo;
use crate::snapshot::Part;

const DEFINITIONS: &str = include_str!("indexes_definitions.sql");
const LAST_SCANS_V16: &str = include_str!("indexes_last_scans_v16.sql");
const TABLES: &str = include_str!("indexes_tables.sql");
const TABLE_WRITES: &str = include_str!("indexes_table_writes.sql");
const FOREIGN_KEYS: &str = include_str!("indexes_foreign_keys.sql");
const CONTEXT: &str = include_str!("indexes_context.sql");
const CREATED: &str = include_str!("indexes_created.sql");
/// How often definitions, sizes and foreign keys are read again.
pub const FULL_EVERY: Duration = Duration::from_secs(30);
/// Write rates are taken over about this long (one refresh is too noisy to weigh an index by).
pub const RATE_WINDOW_SECS: f64 = 60.0;
/// At most this many samples of the write counters are kept (a shorter window at fast refresh).
const RATE_SAMPLES: usize = 64;

/// The pane's statements, prepared once per monitoring session.
#[derive(Debug)]
struct Prepared {
    backend_pid: i32,
    definitions: Statement,
    last_scans: Option<Statement>,
    tables: Statement,
    table_writes: Statement,
    foreign_keys: Statement,
    context: Statement,
    /// When the cluster was created (read once; `None` where pg_control_system() is revoked).
    created_at: Option<f64>,
}

impl Prepared {
    async fn new(client: &Client, server: &ServerInfo) -> Result<Self, tokio_postgres::Error> {
        let (definitions, tables, table_writes, foreign_keys, context) = tokio::try_join!(
            client.prepare(DEFINITIONS),
            client.prepare(TABLES),
            client.prepare(TABLE_WRITES),
            client.prepare(FOREIGN_KEYS),
            client.prepare(CONTEXT),
        )?;
        let last_scans = if server.version_num >= 160_000 {
            Some(client.prepare(LAST_SCANS_V16).await?)
        } else {
            None
        };
        Ok(Self {
            created_at: cluster_created_at(client).await,
            backend_pid: server.backend_pid,
            definitions,
            last_scans,
            tables,
            table_writes,
            foreign_keys,
            context,
        })
    }
}

/// State between refreshes: the prepared statements, the last full read and the recent
/// samples of the write counters.
#[derive(Debug)]
pub struct IndexesCollector {
    prepared: Option<Prepared>,
    full: Option<(Instant, IndexesSnapshot)>,
    writes: Recent<(f64, Vec<TableWrites>)>,
    /// A full read was asked for (a refresh key, a finished job).
    pending: bool,
}

impl Default for IndexesCollector {
    fn default() -> Self {
        Self {
            prepared: None,
            full: None,
            writes: Recent::new(RATE_WINDOW_SECS, RATE_SAMPLES),
            pending: false,
        }
    }
}

impl IndexesCollector {
    /// The next collect reads everything again.
    pub fn request_full(&mut self) {
        self.pending = true;
    }

    /// Reads what is due: everything when the last full read is older than [`FULL_EVERY`] or
    /// was asked for, otherwise only the write counters (for the rates). `None` when there
    /// is nothing new to show.
    pub async fn collect(
        &mut self,
        client: &Client,
        server: &ServerInfo,
    ) -> Option<Part<IndexesSnapshot>> {
        if self
            .prepared
            .as_ref()
            .is_none_or(|p| p.backend_pid != server.backend_pid)
        {
            self.writes = Recent::new(RATE_WINDOW_SECS, RATE_SAMPLES);
            match Prepared::new(client, server).await {
                Ok(prepared) => self.prepared = Some(prepared),
                Err(err) => return Some(Err(explain_failure(client, &err).await)),
            }
        }
        let prepared = self.prepared.as_ref()?;
        let due = self.pending
            || self
                .full
                .as_ref()
                .is_none_or(|(at, _)| at.elapsed() >= FULL_EVERY);
        let rates = match sample_writes(client, prepared).await {
            Ok(sample) => rates_since_last(&mut self.writes, sample),
            Err(err) => return Some(Err(explain_failure(client, &err).await)),
        };
        if due {
            self.pending = false;
            match read_full(client, prepared).await {
                Ok(snapshot) => self.full = Some((Instant::now(), snapshot)),
                Err(err) => return Some(Err(err)),
            }
        } else if rates.is_empty() {
            return None;
        }
        let (_, snapshot) = self.full.as_mut()?;
        if !rates.is_empty() {
            snapshot.write_rates = rates;
        }
        Some(Ok(snapshot.clone()))
    }
}

/// Rates over the window ending with `sample`.
fn rates_since_last(
    recent: &mut Recent<(f64, Vec<TableWrites>)>,
    sample: (f64, Vec<TableWrites>),
) -> HashMap<i64, f64> {
    recent.push(sample);
    match (recent.base(), recent.latest()) {
        (Some((at, before)), Some((now, after))) => write_rates((*at, before), (*now, after)),
        _ => HashMap::new(),
    }
}

/// Every index of the database as the collector reads it, on any session (the re-check
/// before a CREATE INDEX); indexes under an ACCESS EXCLUSIVE lock come back marked locked.
pub async fn read_definitions(client: &Client) -> Part<Vec<IndexDef>> {
    let locked = locked_relations(client).await?;
    let rows = match client.query(DEFINITIONS, &[&locked]).await {
        Ok(rows) => rows,
        Err(err) => return Err(explain_failure(client, &err).await),
    };
    rows.iter()
        .map(decode_index)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("unexpected index catalog result: {e}"))
}

async fn sample_writes(
    client: &Client,
    prepared: &Prepared,
) -> Result<(f64, Vec<TableWrites>), tokio_postgres::Error> {
    decode_writes(&client.query(&prepared.table_writes, &[]).await?)
}

/// When the cluster was created, if this role may call pg_control_system().
async fn cluster_created_at(client: &Client) -> Option<f64> {
    let row = client.query_one(CREATED, &[]).await.ok()?;
    row.try_get("created_at").ok()
}

/// Rows written per second per table over `interval`, from two readings of the counters
/// (`pgmedic advise`: never the average since the statistics began).
pub async fn write_rates_over(
    client: &Client,
    interval: Duration,
) -> Result<HashMap<i64, f64>, tokio_postgres::Error> {
    let before = decode_writes(&client.query(TABLE_WRITES, &[]).await?)?;
    tokio::time::sleep(interval).await;
    let after = decode_writes(&client.query(TABLE_WRITES, &[]).await?)?;
    Ok(write_rates((before.0, &before.1), (after.0, &after.1)))
}

fn decode_writes(rows: &[Row]) -> Result<(f64, Vec<TableWrites>), tokio_postgres::Error> {
    let mut taken_at = 0.0;
    let mut writes = Vec::with_capacity(rows.len());
    for row in rows {
        taken_at = row.try_get("taken_at")?;
        writes.push(TableWrites {
            oid: row.try_get("table_oid")?,
            writes: row.try_get("writes")?,
        });
    }
    Ok((taken_at, writes))
}

/// Definitions, tables, foreign keys and context, pipelined; size functions skip the
/// relations locked ACCESS EXCLUSIVE.
async fn read_full(client: &Client, prepared: &Prepared) -> Part<IndexesSnapshot> {
    let locked = locked_relations(client).await?;
    let last_scans = async {
        match &prepared.last_scans {
            Some(statement) => client.query(statement, &[]).await,
            None => Ok(Vec::new()),
        }
    };
    let locked: [&(dyn ToSql + Sync); 1] = [&locked];
    let result = tokio::try_join!(
        client.query_one(&prepared.context, &[]),
        client.query(&prepared.definitions, &locked),
        last_scans,
        client.query(&prepared.tables, &locked),
        client.query(&prepared.foreign_keys, &[]),
    );
    let (context, definitions, last_scans, tables, foreign_keys) = match result {
        Ok(rows) => rows,
        Err(err) => return Err(explain_failure(client, &err).await),
    };
    let mut snapshot = decode(&context, &definitions, &last_scans, &tables, &foreign_keys)
        .map_err(|e| format!("unexpected index catalog result: {e}"))?;
    snapshot.created_at = prepared.created_at;
    Ok(snapshot)
}

fn decode(
    context: &Row,
    definitions: &[Row],
    last_scans: &[Row],
    tables: &[Row],
    foreign_keys: &[Row],
) -> Result<IndexesSnapshot, tokio_postgres::Error> {
    let last: HashMap<i64, f64> = last_scans
        .iter()
        .map(|r| Ok((r.try_get("index_oid")?, r.try_get("last_scan")?)))
        .collect::<Result<_, tokio_postgres::Error>>()?;
    let mut indexes = definitions
        .iter()
        .map(decode_index)
        .collect::<Result<Vec<_>, _>>()?;
    for index in &mut indexes {
        index.last_scan = last.get(&index.oid).copied();
    }
    Ok(IndexesSnapshot {
        taken_at: context.try_get("taken_at")?,
        database: context.try_get("database")?,
        stats_reset: context.try_get("stats_reset")?,
        stats_started: context.try_get("stats_started")?,
        created_at: None,
        standbys: context.try_get("standbys")?,
        indexes,
        tables: tables.iter().map(decode_table).collect::<Result<_, _>>()?,
        foreign_keys: foreign_keys
            .iter()
            .map(decode_foreign_key)
            .collect::<Result<_, _>>()?,
        write_rates: HashMap::new(),
    })
}

fn decode_index(row: &Row) -> Result<IndexDef, tokio_postgres::Error> {
    let key_count: i32 = row.try_get("key_count")?;
    Ok(IndexDef {
        oid: row.try_get("index_oid")?,
        table_oid: row.try_get("table_oid")?,
        schema: row.try_get("schema")?,
        table: row.try_get("table_name")?,
        name: row.try_get("index_name")?,
        method: row.try_get("method")?,
        key_count: usize::try_from(key_count).unwrap_or(0),
        attnums: row.try_get("attnums")?,
        locked: row.try_get("is_locked")?,
        columns: row
            .try_get::<_, Option<Vec<String>>>("columns")?
            .unwrap_or_default(),
        opclasses: row.try_get("opclasses")?,
        collations: row.try_get("collations")?,
        options: row.try_get("options")?,
        predicate: row.try_get("predicate")?,
        unique: row.try_get("is_unique")?,
        primary: row.try_get("is_primary")?,
        exclusion: row.try_get("is_exclusion")?,
        valid: row.try_get("is_valid")?,
        replica_identity: row.try_get("is_replica_identity")?,
        constraint: row.try_get("constraint_name")?,
        referenced_by_fk: row.try_get("referenced_by_fk")?,
        partitioned: row.try_get("is_partitioned")?,
        partition: row.try_get("is_partition")?,
        building: row.try_get("is_building")?,
        scans: row.try_get("scans")?,
        last_scan: None,
        size_bytes: row.try_get("size_bytes")?,
        definition: row
            .try_get::<_, Option<String>>("definition")?
            .unwrap_or_default(),
    })
}

fn decode_table(row: &Row) -> Result<TableInfo, tokio_postgres::Error> {
    Ok(TableInfo {
        oid: row.try_get("table_oid")?,
        schema: row.try_get("schema")?,
        name: row.try_get("table_name")?,
        size_bytes: row.try_get("size_bytes")?,
        live_rows: row.try_get("live_rows")?,
        seq_scans: row.try_get("seq_scans")?,
        may_alter: row.try_get("may_alter")?,
        owner: row.try_get("owner")?,
    })
}

fn decode_foreign_key(row: &Row) -> Result<ForeignKey, tokio_postgres::Error> {
    let on_delete: String = row.try_get("on_delete")?;
    Ok(ForeignKey {
        oid: row.try_get("fk_oid")?,
        name: row.try_get("name")?,
        table_oid: row.try_get("table_oid")?,
        schema: row.try_get("schema")?,
        table: row.try_get("table_name")?,
        attnums: row.try_get("attnums")?,
        columns: row.try_get("columns")?,
        referenced: row.try_get("referenced")?,
        referenced_columns: row.try_get("referenced_columns")?,
        on_delete: on_delete.chars().next().unwrap_or('a'),
    })
}
