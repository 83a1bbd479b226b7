//! What the Settings pane reads: the settings that matter for the other panes, as pg_settings
//! has them, the configuration files' values where the role may read them, and the
//! checkpointer's counters.

use super::Part;

/// One Settings refresh.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingsSnapshot {
    /// The server's clock when the checkpointer counters were read (epoch seconds).
    pub taken_at: f64,
    pub settings: Part<Vec<SettingRow>>,
    /// Settings made for this database with ALTER DATABASE … SET (every role).
    pub database: Part<Vec<(String, String)>>,
    /// The configuration files' entries for those settings: `Err` when the role may not read
    /// them (pg_file_settings is for superusers).
    pub files: Part<Vec<FileSetting>>,
    pub checkpoints: Part<CheckpointCounters>,
}

/// A row of pg_settings, as this session sees it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SettingRow {
    pub name: String,
    /// The value in the setting's base unit (`16384` with unit `8kB`), as pg_settings has it.
    pub setting: String,
    pub unit: Option<String>,
    /// bool, integer, real, string or enum.
    pub vartype: String,
    /// When a change takes effect: postmaster (restart), sighup (reload), user, superuser…
    pub context: String,
    /// default, configuration file, command line, database, user, client…
    pub source: String,
    /// The file that set it (NULL unless superuser or pg_read_all_settings).
    pub sourcefile: Option<String>,
    pub sourceline: Option<i32>,
    /// The built-in default.
    pub boot_val: Option<String>,
    /// The configuration files changed it and only a restart applies the change.
    pub pending_restart: bool,
    pub short_desc: String,
}

/// A setting as a configuration file says it (pg_file_settings).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FileSetting {
    pub name: String,
    pub setting: String,
    pub sourcefile: String,
    pub sourceline: i32,
    /// The running server took this value (false: overridden later, or waiting for a restart).
    pub applied: bool,
    pub error: Option<String>,
}

/// The checkpointer's cumulative counters, from pg_stat_bgwriter (up to 16) or
/// pg_stat_checkpointer (17 and later), with the WAL written (pg_stat_wal, 14 and later).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CheckpointCounters {
    /// Checkpoints started because checkpoint_timeout passed (17+: skipped ones included).
    pub timed: i64,
    /// Checkpoints requested: WAL reached max_wal_size, a CHECKPOINT command, a backup…
    pub requested: i64,
    /// Checkpoints completed (18 and later; `None` before).
    pub done: Option<i64>,
    /// Restartpoints on a standby (17 and later).
    pub restartpoints_timed: Option<i64>,
    pub restartpoints_requested: Option<i64>,
    pub restartpoints_done: Option<i64>,
    /// Milliseconds spent writing and syncing checkpoint files.
    pub write_time_ms: f64,
    pub sync_time_ms: f64,
    /// Shared buffers written by checkpoints.
    pub buffers_written: i64,
    /// When these counters were last reset (epoch seconds).
    pub stats_reset: Option<f64>,
    /// Bytes of WAL generated since pg_stat_wal was reset (14 and later).
    pub wal_bytes: Option<f64>,
    pub wal_stats_reset: Option<f64>,
}
