//! The Settings pane's analysis: the settings the other panes depend on, each with the value
//! ordinary sessions get, where it was set (default, configuration file, ALTER SYSTEM,
//! command line, ALTER DATABASE), whether a restart is pending, and — only where it holds
//! without knowing the machine, or says what it assumes — one line of advice.
//!
//! pgmedic's own monitoring session sets statement_timeout, lock_timeout and
//! idle_in_transaction_session_timeout for itself, so pg_settings shows pgmedic's values for
//! them; the values every other session gets are taken from ALTER DATABASE settings and the
//! configuration files (superusers), and said to be hidden otherwise.

mod checkpoints;
mod checks;
mod value;

pub use checkpoints::{CheckpointInterval, Checkpoints};
pub use value::Value;

use crate::diagnose::health::Thresholds;
use crate::diagnose::overview::{Connections, Throughput};
use crate::report::Severity;
use crate::server::ServerInfo;
use crate::snapshot::Part;
use crate::snapshot::settings::{FileSetting, SettingRow, SettingsSnapshot};

/// The pane's groups, in the order they are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    Memory,
    Connections,
    Timeouts,
    Planner,
    Checkpoints,
    Statistics,
    Autovacuum,
}

impl Group {
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Group::Memory => "memory",
            Group::Connections => "connections",
            Group::Timeouts => "timeouts",
            Group::Planner => "planner",
            Group::Checkpoints => "checkpoints and WAL",
            Group::Statistics => "logging and statistics",
            Group::Autovacuum => "autovacuum",
        }
    }
}

/// A setting the pane shows: its group, the oldest server version that has it, and what it
/// does in one line.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub name: &'static str,
    pub group: Group,
    pub since: u32,
    pub about: &'static str,
}

const fn spec(name: &'static str, group: Group, since: u32, about: &'static str) -> Spec {
    Spec {
        name,
        group,
        since,
        about,
    }
}

/// Every setting the pane shows, in order.
pub const SPECS: &[Spec] = &[
    spec(
        "shared_buffers",
        Group::Memory,
        0,
        "PostgreSQL's own page cache; a change needs a restart",
    ),
    spec(
        "effective_cache_size",
        Group::Memory,
        0,
        "the cache the planner may assume (shared_buffers plus the OS page cache); allocates nothing",
    ),
    spec(
        "work_mem",
        Group::Memory,
        0,
        "memory for each sort or hash of a query before it spills to temporary files",
    ),
    spec(
        "maintenance_work_mem",
        Group::Memory,
        0,
        "memory for VACUUM, CREATE INDEX and ADD FOREIGN KEY",
    ),
    spec(
        "wal_buffers",
        Group::Memory,
        0,
        "WAL held in memory before it is written; -1 sizes it from shared_buffers (up to 16MB)",
    ),
    spec(
        "max_connections",
        Group::Connections,
        0,
        "the most sessions at once, each a server process; a change needs a restart",
    ),
    spec(
        "statement_timeout",
        Group::Timeouts,
        0,
        "cancels a statement running longer than this; 0 is no limit (per role is safer than server-wide)",
    ),
    spec(
        "lock_timeout",
        Group::Timeouts,
        0,
        "gives up waiting for a lock after this long; 0 waits for ever",
    ),
    spec(
        "idle_in_transaction_session_timeout",
        Group::Timeouts,
        0,
        "ends a session left idle inside an open transaction this long; 0 never does",
    ),
    spec(
        "idle_session_timeout",
        Group::Timeouts,
        140_000,
        "ends a session idle outside a transaction this long; 0 never does",
    ),
    spec(
        "random_page_cost",
        Group::Planner,
        0,
        "the planner's cost of a random page read; 4 models spinning disks, SSD setups often use 1.1 (pgmedic cannot see the storage)",
    ),
    spec(
        "seq_page_cost",
        Group::Planner,
        0,
        "the planner's cost of a sequential page read, the unit of the other costs",
    ),
    spec(
        "checkpoint_timeout",
        Group::Checkpoints,
        0,
        "the longest time between automatic checkpoints",
    ),
    spec(
        "max_wal_size",
        Group::Checkpoints,
        0,
        "WAL that may pile up before a checkpoint is forced (a soft limit)",
    ),
    spec(
        "checkpoint_completion_target",
        Group::Checkpoints,
        0,
        "the share of the checkpoint interval over which checkpoint writes are spread",
    ),
    spec(
        "log_min_duration_statement",
        Group::Statistics,
        0,
        "logs each statement that runs at least this long; -1 logs none",
    ),
    spec(
        "track_io_timing",
        Group::Statistics,
        0,
        "times block reads and writes (EXPLAIN BUFFERS, pg_stat_statements, pg_stat_database)",
    ),
    spec(
        "track_counts",
        Group::Statistics,
        0,
        "collects the table statistics autovacuum decides by",
    ),
    spec(
        "shared_preload_libraries",
        Group::Statistics,
        0,
        "libraries loaded at server start; pg_stat_statements must be one of them",
    ),
    spec(
        "autovacuum",
        Group::Autovacuum,
        0,
        "starts automatic VACUUM and ANALYZE",
    ),
    spec(
        "autovacuum_max_workers",
        Group::Autovacuum,
        0,
        "how many tables autovacuum works on at once",
    ),
    spec(
        "autovacuum_naptime",
        Group::Autovacuum,
        0,
        "the pause between autovacuum's rounds over each database",
    ),
    spec(
        "autovacuum_vacuum_scale_factor",
        Group::Autovacuum,
        0,
        "share of a table's rows that must be dead (plus 50) before it is vacuumed",
    ),
    spec(
        "autovacuum_vacuum_insert_scale_factor",
        Group::Autovacuum,
        130_000,
        "share of a table's rows inserted since the last vacuum that triggers one",
    ),
    spec(
        "autovacuum_analyze_scale_factor",
        Group::Autovacuum,
        0,
        "share of a table's rows changed (plus 50) before it is analyzed",
    ),
    spec(
        "autovacuum_freeze_max_age",
        Group::Autovacuum,
        0,
        "transaction age at which a table is vacuumed against wraparound, even with autovacuum off",
    ),
];

/// The names the collector reads, in the pane's order.
pub const NAMES: &[&str] = &{
    let mut names = [""; SPECS.len()];
    let mut i = 0;
    while i < SPECS.len() {
        names[i] = SPECS[i].name;
        i += 1;
    }
    names
};

/// Where the value ordinary sessions get was set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Default,
    /// postgresql.conf or a file it includes (file and line when the role may see them).
    ConfigFile {
        file: Option<String>,
        line: Option<i32>,
    },
    /// postgresql.auto.conf, which ALTER SYSTEM writes.
    AlterSystem,
    /// `postgres -c name=value` or PGOPTIONS of the postmaster.
    CommandLine,
    /// ALTER DATABASE … SET, for this database.
    Database,
    /// Any other source pg_settings names (environment variable, user, override…).
    Other(String),
    /// The value cannot be read by this role; the text says why.
    Hidden(String),
}

impl Source {
    /// The source in a word or two.
    #[must_use]
    pub fn word(&self) -> &str {
        match self {
            Source::Default => "default",
            Source::ConfigFile { .. } => "config file",
            Source::AlterSystem => "ALTER SYSTEM",
            Source::CommandLine => "command line",
            Source::Database => "database",
            Source::Other(text) => text,
            Source::Hidden(_) => "hidden",
        }
    }

    /// The source with its file and line where known: `postgresql.conf:64`.
    #[must_use]
    pub fn detail(&self) -> String {
        match self {
            Source::ConfigFile {
                file: Some(file),
                line,
            } => line.map_or_else(|| file.clone(), |l| format!("{file}:{l}")),
            Source::ConfigFile { file: None, .. } => {
                "a configuration file (which one is shown to superusers and \
                 pg_read_all_settings only)"
                    .to_owned()
            }
            Source::AlterSystem => "ALTER SYSTEM (postgresql.auto.conf)".to_owned(),
            Source::Database => "ALTER DATABASE … SET".to_owned(),
            Source::Hidden(why) => why.clone(),
            other => other.word().to_owned(),
        }
    }
}

/// Why a setting deserves attention, and what to do.
#[derive(Debug, Clone, PartialEq)]
pub struct Attention {
    /// `info` is advice only; a warning means something is wrong now.
    pub severity: Severity,
    /// One line.
    pub reason: String,
    /// The SQL that applies the advice, where it is certain.
    pub sql: Option<String>,
    /// The figures behind it (they go into the report's evidence).
    pub evidence: Vec<(&'static str, serde_json::Value)>,
}

/// One setting as the pane shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingCheck {
    pub name: &'static str,
    pub group: Group,
    pub about: &'static str,
    /// The value ordinary sessions get (`None`: hidden from this role).
    pub value: Option<Value>,
    pub source: Source,
    /// When a change takes effect: postmaster (restart), sighup (reload), user…
    pub context: String,
    pub pending_restart: bool,
    /// The value the configuration files hold, waiting for a restart (superusers only).
    pub pending_value: Option<Value>,
    /// Set on the command line, which outranks the files: a value ALTER SYSTEM or a
    /// configuration file gives it that no restart will apply.
    pub overridden: Option<Overridden>,
    pub attention: Option<Attention>,
}

/// A file's value for a setting that the command line outranks.
#[derive(Debug, Clone, PartialEq)]
pub struct Overridden {
    /// The file's value and where it is (`None`: the files are readable by superusers only;
    /// the server only says they differ).
    pub value: Option<(Value, Source)>,
}

impl SettingCheck {
    /// The value as PostgreSQL writes it, or `?` when hidden.
    #[must_use]
    pub fn shown(&self) -> String {
        self.value
            .as_ref()
            .map_or_else(|| "?".to_owned(), Value::show)
    }
}

/// The pane's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingsView {
    pub settings: Part<Vec<SettingCheck>>,
    pub checkpoints: Part<Checkpoints>,
    /// Why the configuration files could not be read, when they could not.
    pub files_unreadable: Option<String>,
}

impl SettingsView {
    /// The settings that deserve attention.
    pub fn attention(&self) -> impl Iterator<Item = (&SettingCheck, &Attention)> {
        self.settings
            .iter()
            .flatten()
            .filter_map(|s| s.attention.as_ref().map(|a| (s, a)))
    }
}

/// What the checks may look at beyond the settings themselves.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub server: &'a ServerInfo,
    /// The Overview's connections (sessions idle in transaction), when read.
    pub connections: Option<&'a Connections>,
    /// The Overview's rates over the last interval (temporary files), when known.
    pub throughput: Option<&'a Throughput>,
    pub limits: &'a Thresholds,
}

/// Builds the pane's figures from the latest snapshot and the one before (for the
/// checkpoints of the interval).
#[must_use]
pub fn build(
    prev: Option<&SettingsSnapshot>,
    next: &SettingsSnapshot,
    context: &Context,
) -> SettingsView {
    let checkpoints = next.checkpoints.as_ref().map_err(Clone::clone).map(|now| {
        let before = prev
            .and_then(|p| p.checkpoints.as_ref().ok().map(|c| (p.taken_at, c)))
            .filter(|(at, _)| *at < next.taken_at);
        Checkpoints::new(now, next.taken_at, before, context.server.is_standby)
    });
    let settings = next.settings.as_ref().map_err(Clone::clone).map(|rows| {
        let mut checks: Vec<SettingCheck> = SPECS
            .iter()
            .filter(|s| s.since <= context.server.version_num)
            .map(|spec| resolve(spec, rows, next))
            .collect();
        let advice: Vec<Option<Attention>> = checks
            .iter()
            .map(|s| checks::attention(s, &checks, checkpoints.as_ref().ok(), context))
            .collect();
        for (check, attention) in checks.iter_mut().zip(advice) {
            check.attention = attention;
        }
        checks
    });
    SettingsView {
        settings,
        checkpoints,
        files_unreadable: next.files.as_ref().err().cloned(),
    }
}

/// The value ordinary sessions get for `spec`, and where it comes from.
fn resolve(spec: &Spec, rows: &[SettingRow], snapshot: &SettingsSnapshot) -> SettingCheck {
    let hidden = |why: &str| SettingCheck {
        name: spec.name,
        group: spec.group,
        about: spec.about,
        value: None,
        source: Source::Hidden(why.to_owned()),
        context: String::new(),
        pending_restart: false,
        pending_value: None,
        overridden: None,
        attention: None,
    };
    let Some(row) = rows.iter().find(|r| r.name == spec.name) else {
        return hidden(
            "not visible to this role: reading it needs pg_read_all_settings (part of \
             pg_monitor)",
        );
    };
    let files = snapshot.files.as_ref().ok();
    let input = |text: &str| Value::from_input(text, row.unit.as_deref(), &row.vartype);
    let (value, source) = if row.source == "client" {
        let Some((text, source)) = own_override(row, snapshot, files) else {
            let mut check = hidden(
                "pgmedic's own session sets it; the value other sessions get is read from \
                 pg_file_settings, which only superusers may read",
            );
            check.context.clone_from(&row.context);
            return check;
        };
        (Some(input(&text)), source)
    } else {
        (
            Some(Value::from_setting(
                &row.setting,
                row.unit.as_deref(),
                &row.vartype,
            )),
            source_of(row),
        )
    };
    // A postmaster setting given on the command line outranks the files: the server reports
    // a pending restart when the files say otherwise, but a restart would not change it.
    let pending_restart = row.pending_restart && row.source != "command line";
    let pending_value = files
        .filter(|_| pending_restart)
        .and_then(|files| files.iter().rev().find(|f| f.name == row.name))
        .filter(|f| !f.applied)
        .map(|f| input(&f.setting));
    // The server reports it pending all the same: the files hold another value.
    let overridden = (row.pending_restart && row.source == "command line").then(|| Overridden {
        value: files
            .and_then(|files| files.iter().rev().find(|f| f.name == row.name))
            .map(|f| {
                (
                    input(&f.setting),
                    file_source(&f.sourcefile, Some(f.sourceline)),
                )
            }),
    });
    SettingCheck {
        name: spec.name,
        group: spec.group,
        about: spec.about,
        value,
        source,
        context: row.context.clone(),
        pending_restart,
        pending_value,
        overridden,
        attention: None,
    }
}

/// For a setting pgmedic's session sets itself: the value other sessions of this database
/// get, from ALTER DATABASE, else the configuration files, else the built-in default (a
/// postmaster command-line value cannot be seen from here). `None` when the files are
/// unreadable.
fn own_override(
    row: &SettingRow,
    snapshot: &SettingsSnapshot,
    files: Option<&Vec<FileSetting>>,
) -> Option<(String, Source)> {
    if let Some((_, text)) = snapshot
        .database
        .iter()
        .flatten()
        .find(|(name, _)| *name == row.name)
    {
        return Some((text.clone(), Source::Database));
    }
    let files = files?;
    match files.iter().rev().find(|f| f.name == row.name && f.applied) {
        Some(entry) => Some((
            entry.setting.clone(),
            file_source(&entry.sourcefile, Some(entry.sourceline)),
        )),
        None => Some((row.boot_val.clone().unwrap_or_default(), Source::Default)),
    }
}

/// pg_settings.source in pgmedic's words, telling ALTER SYSTEM apart by its file.
fn source_of(row: &SettingRow) -> Source {
    match row.source.as_str() {
        "default" => Source::Default,
        "configuration file" => match &row.sourcefile {
            Some(file) => file_source(file, row.sourceline),
            None => Source::ConfigFile {
                file: None,
                line: None,
            },
        },
        "command line" => Source::CommandLine,
        "database" => Source::Database,
        other => Source::Other(other.to_owned()),
    }
}

fn file_source(file: &str, line: Option<i32>) -> Source {
    if file.ends_with("postgresql.auto.conf") {
        Source::AlterSystem
    } else {
        Source::ConfigFile {
            file: Some(file.to_owned()),
            line,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
