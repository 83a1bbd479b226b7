//! Reads the Settings pane's snapshot on the monitoring session: the settings it judges from
//! pg_settings, this database's own settings, the configuration files' entries (superusers
//! only) and the checkpointer's counters, chosen by server version (17 moved them from
//! pg_stat_bgwriter to pg_stat_checkpointer). Settings change rarely: they are read again
//! every [`EVERY`], or when asked.

use std::time::{Duration, Instant};

use tokio_postgres::{Client, Row, Statement};

use crate::collect::explain_failure;
use crate::diagnose::settings::NAMES;
use crate::server::{ServerInfo, versioned};
use crate::snapshot::Part;
use crate::snapshot::settings::{CheckpointCounters, FileSetting, SettingRow, SettingsSnapshot};

const SETTINGS: &str = include_str!("settings.sql");
const DATABASE: &str = include_str!("settings_database.sql");
const FILES_ALLOWED: &str = include_str!("settings_files_allowed.sql");
const FILES: &str = include_str!("settings_files.sql");
/// The checkpointer's counters by server version: pg_stat_wal arrived in 14, the counters
/// moved to pg_stat_checkpointer in 17, and 18 counts completed checkpoints apart.
pub const CHECKPOINTER: &[(u32, &str)] = &[
    (0, include_str!("checkpointer.sql")),
    (140_000, include_str!("checkpointer_v14.sql")),
    (170_000, include_str!("checkpointer_v17.sql")),
    (180_000, include_str!("checkpointer_v18.sql")),
];
/// How often the settings are read again while the pane is in sight.
pub const EVERY: Duration = Duration::from_secs(10);

/// The pane's statements, prepared once per monitoring session.
#[derive(Debug)]
struct Prepared {
    backend_pid: i32,
    settings: Statement,
    database: Statement,
    /// `None` when the role may not read pg_file_settings.
    files: Option<Statement>,
    checkpointer: Statement,
}

impl Prepared {
    async fn new(client: &Client, server: &ServerInfo) -> Result<Self, tokio_postgres::Error> {
        let checkpointer = versioned(CHECKPOINTER, server.version_num).unwrap_or(CHECKPOINTER[0].1);
        let (settings, database, checkpointer, allowed) = tokio::try_join!(
            client.prepare(SETTINGS),
            client.prepare(DATABASE),
            client.prepare(checkpointer),
            client.query_one(FILES_ALLOWED, &[]),
        )?;
        let files = if allowed.try_get::<_, bool>("allowed")? {
            Some(client.prepare(FILES).await?)
        } else {
            None
        };
        Ok(Self {
            backend_pid: server.backend_pid,
            settings,
            database,
            files,
            checkpointer,
        })
    }
}

/// State between refreshes: the prepared statements and when the settings were last read.
#[derive(Debug, Default)]
pub struct SettingsCollector {
    prepared: Option<Prepared>,
    last: Option<Instant>,
    /// A read was asked for (the `r` key).
    pending: bool,
}

impl SettingsCollector {
    /// The next collect reads everything again.
    pub fn request(&mut self) {
        self.pending = true;
    }

    /// Reads the snapshot when it is due (every [`EVERY`], or when asked); `None` when
    /// the last one is still current.
    pub async fn collect(
        &mut self,
        client: &Client,
        server: &ServerInfo,
    ) -> Option<SettingsSnapshot> {
        let due = self.pending || self.last.is_none_or(|at| at.elapsed() >= EVERY);
        if !due {
            return None;
        }
        self.pending = false;
        self.last = Some(Instant::now());
        Some(self.read(client, server).await)
    }

    /// Reads the snapshot now; every part carries its data or the reason it is missing.
    pub async fn read(&mut self, client: &Client, server: &ServerInfo) -> SettingsSnapshot {
        if self
            .prepared
            .as_ref()
            .is_none_or(|p| p.backend_pid != server.backend_pid)
        {
            match Prepared::new(client, server).await {
                Ok(prepared) => self.prepared = Some(prepared),
                Err(err) => return failed(explain_failure(client, &err).await),
            }
        }
        let Some(prepared) = &self.prepared else {
            return failed("not prepared".to_owned());
        };
        read(client, prepared).await
    }
}

/// A snapshot whose every part failed for `why`.
fn failed(why: String) -> SettingsSnapshot {
    SettingsSnapshot {
        taken_at: 0.0,
        settings: Err(why.clone()),
        database: Err(why.clone()),
        files: Err(why.clone()),
        checkpoints: Err(why),
    }
}

async fn read(client: &Client, prepared: &Prepared) -> SettingsSnapshot {
    let names: Vec<&str> = NAMES.to_vec();
    let params: [&(dyn tokio_postgres::types::ToSql + Sync); 1] = [&names];
    let files = async {
        match &prepared.files {
            Some(files) => Some(client.query(files, &params).await),
            None => None,
        }
    };
    let (settings, database, files, checkpoints) = tokio::join!(
        client.query(&prepared.settings, &params),
        client.query(&prepared.database, &[]),
        files,
        client.query_one(&prepared.checkpointer, &[]),
    );
    let taken_at = checkpoints
        .as_ref()
        .ok()
        .and_then(|row| row.try_get::<_, f64>("taken_at").ok())
        .unwrap_or(0.0);
    SettingsSnapshot {
        taken_at,
        settings: part(client, settings, |rows| rows.iter().map(decode_setting).collect()).await,
        database: part(client, database, |rows| {
            rows.iter()
                .map(|r| Ok((r.try_get("name")?, r.try_get("setting")?)))
                .collect()
        })
        .await,
        files: match files {
            Some(result) => part(client, result, |rows| rows.iter().map(decode_file).collect()).await,
            None => Err(
                "the configuration files' values are readable by superusers only (pg_file_settings)"
                    .to_owned(),
            ),
        },
        checkpoints: part(client, checkpoints, |row| decode_checkpoints(&row)).await,
    }
}

/// One part of the snapshot: decoded, or why it failed, in words.
async fn part<R, T>(
    client: &Client,
    result: Result<R, tokio_postgres::Error>,
    decode: impl FnOnce(R) -> Result<T, tokio_postgres::Error>,
) -> Part<T> {
    match result {
        Ok(rows) => decode(rows).map_err(|e| format!("unexpected result: {e}")),
        Err(err) => Err(explain_failure(client, &err).await),
    }
}

// ─── Decoding ────────────────────────────────────────────────────────────────────────────────

fn decode_setting(row: &Row) -> Result<SettingRow, tokio_postgres::Error> {
    Ok(SettingRow {
        name: row.try_get("name")?,
        setting: row
            .try_get::<_, Option<String>>("setting")?
            .unwrap_or_default(),
        unit: row.try_get("unit")?,
        vartype: row.try_get("vartype")?,
        context: row.try_get("context")?,
        source: row.try_get("source")?,
        sourcefile: row.try_get("sourcefile")?,
        sourceline: row.try_get("sourceline")?,
        boot_val: row.try_get("boot_val")?,
        pending_restart: row.try_get("pending_restart")?,
        short_desc: row
            .try_get::<_, Option<String>>("short_desc")?
            .unwrap_or_default(),
    })
}

fn decode_file(row: &Row) -> Result<FileSetting, tokio_postgres::Error> {
    Ok(FileSetting {
        name: row.try_get("name")?,
        setting: row
            .try_get::<_, Option<String>>("setting")?
            .unwrap_or_default(),
        sourcefile: row
            .try_get::<_, Option<String>>("sourcefile")?
            .unwrap_or_default(),
        sourceline: row.try_get::<_, Option<i32>>("sourceline")?.unwrap_or(0),
        applied: row.try_get("applied")?,
        error: row.try_get("error")?,
    })
}

/// Decodes the checkpointer row of any version's variant (same column names in each).
pub fn decode_checkpoints(row: &Row) -> Result<CheckpointCounters, tokio_postgres::Error> {
    Ok(CheckpointCounters {
        timed: row.try_get("timed")?,
        requested: row.try_get("requested")?,
        done: row.try_get("done")?,
        restartpoints_timed: row.try_get("restartpoints_timed")?,
        restartpoints_requested: row.try_get("restartpoints_requested")?,
        restartpoints_done: row.try_get("restartpoints_done")?,
        write_time_ms: row.try_get("write_time_ms")?,
        sync_time_ms: row.try_get("sync_time_ms")?,
        buffers_written: row.try_get("buffers_written")?,
        stats_reset: row.try_get("stats_reset")?,
        wal_bytes: row.try_get("wal_bytes")?,
        wal_stats_reset: row.try_get("wal_stats_reset")?,
    })
}
