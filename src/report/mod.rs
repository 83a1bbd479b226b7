//! Findings as data, for `pgmedic report`, `pgmedic check` and `pgmedic advise`: the same
//! analysis the panes show, written out in one documented, stable schema
//! (docs/report-schema.md). Every pane's findings are converted here from the pane's own
//! analysis — never computed a second time.

pub mod activity;
pub mod areas;
mod bloat;
pub mod check;
pub mod gather;
pub mod indexes;
pub mod markdown;
mod overview;
mod queries;
pub mod run;
mod settings;
#[cfg(test)]
mod thresholds_tests;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::server::ServerInfo;

/// How bad a finding is. `info` is advice only: it never changes `pgmedic check`'s exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

impl Severity {
    #[must_use]
    pub fn word(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }

    /// `info`, `warning` or `critical`, as `--min-severity` takes it.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "info" => Ok(Severity::Info),
            "warning" | "warn" => Ok(Severity::Warning),
            "critical" | "crit" => Ok(Severity::Critical),
            other => Err(format!(
                "unknown severity {other:?} (info, warning or critical)"
            )),
        }
    }
}

/// The kinds of finding, as the JSON writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    SlowQuery,
    QueryLint,
    UnusedIndex,
    DuplicateIndex,
    RedundantIndex,
    InvalidIndex,
    MissingFkIndex,
    IndexSuggestion,
    TableBloat,
    IndexBloat,
    VacuumOverdue,
    WraparoundRisk,
    IdleInTransaction,
    LongTransaction,
    BlockingChain,
    ConnectionSaturation,
    Deadlocks,
    CacheHitRatio,
    TempFiles,
    ReplicationLag,
    Setting,
}

impl Kind {
    pub const ALL: &'static [Kind] = &[
        Kind::SlowQuery,
        Kind::QueryLint,
        Kind::UnusedIndex,
        Kind::DuplicateIndex,
        Kind::RedundantIndex,
        Kind::InvalidIndex,
        Kind::MissingFkIndex,
        Kind::IndexSuggestion,
        Kind::TableBloat,
        Kind::IndexBloat,
        Kind::VacuumOverdue,
        Kind::WraparoundRisk,
        Kind::IdleInTransaction,
        Kind::LongTransaction,
        Kind::BlockingChain,
        Kind::ConnectionSaturation,
        Kind::Deadlocks,
        Kind::CacheHitRatio,
        Kind::TempFiles,
        Kind::ReplicationLag,
        Kind::Setting,
    ];

    /// The name as the JSON and `--only` write it (`unused_index`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Kind::SlowQuery => "slow_query",
            Kind::QueryLint => "query_lint",
            Kind::UnusedIndex => "unused_index",
            Kind::DuplicateIndex => "duplicate_index",
            Kind::RedundantIndex => "redundant_index",
            Kind::InvalidIndex => "invalid_index",
            Kind::MissingFkIndex => "missing_fk_index",
            Kind::IndexSuggestion => "index_suggestion",
            Kind::TableBloat => "table_bloat",
            Kind::IndexBloat => "index_bloat",
            Kind::VacuumOverdue => "vacuum_overdue",
            Kind::WraparoundRisk => "wraparound_risk",
            Kind::IdleInTransaction => "idle_in_transaction",
            Kind::LongTransaction => "long_transaction",
            Kind::BlockingChain => "blocking_chain",
            Kind::ConnectionSaturation => "connection_saturation",
            Kind::Deadlocks => "deadlocks",
            Kind::CacheHitRatio => "cache_hit_ratio",
            Kind::TempFiles => "temp_files",
            Kind::ReplicationLag => "replication_lag",
            Kind::Setting => "setting",
        }
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        Self::ALL
            .iter()
            .copied()
            .find(|k| k.name() == text)
            .ok_or_else(|| format!("unknown finding kind {text:?}"))
    }
}

/// One finding. `evidence` holds the figures behind it; the keys scripts rely on are
/// documented per kind in docs/report-schema.md.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub kind: Kind,
    pub severity: Severity,
    /// The database it is about; `None` for what concerns the whole cluster (connections,
    /// the rates of pg_stat_database, replication, settings).
    pub database: Option<String>,
    pub schema: Option<String>,
    pub table: Option<String>,
    pub index: Option<String>,
    pub columns: Vec<String>,
    /// One line a person reads.
    pub summary: String,
    /// The SQL that fixes it, where there is one.
    pub sql: Option<String>,
    pub evidence: serde_json::Map<String, serde_json::Value>,
}

impl Finding {
    /// A finding with no object, no columns, no SQL and no evidence yet.
    #[must_use]
    pub fn new(kind: Kind, severity: Severity, summary: impl Into<String>) -> Self {
        Self {
            kind,
            severity,
            database: None,
            schema: None,
            table: None,
            index: None,
            columns: Vec::new(),
            summary: summary.into(),
            sql: None,
            evidence: serde_json::Map::new(),
        }
    }

    /// The database it is about.
    #[must_use]
    pub fn in_database(mut self, database: Option<impl Into<String>>) -> Self {
        self.database = database.map(Into::into);
        self
    }

    /// Adds one evidence key.
    #[must_use]
    pub fn with(mut self, key: &str, value: impl Into<serde_json::Value>) -> Self {
        self.evidence.insert(key.to_owned(), value.into());
        self
    }
}

/// The server a report is about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerSummary {
    pub version: String,
    pub version_num: u32,
    /// `primary` or `standby`.
    pub role: &'static str,
    /// Installed extensions pgmedic knows of, with their version; `null` when available but
    /// not installed.
    pub extensions: BTreeMap<String, Option<String>>,
}

impl ServerSummary {
    #[must_use]
    pub fn of(server: &ServerInfo) -> Self {
        Self {
            version: server.version.clone(),
            version_num: server.version_num,
            role: if server.is_standby {
                "standby"
            } else {
                "primary"
            },
            extensions: server
                .extensions
                .iter()
                .map(|e| (e.name.clone(), e.installed.clone()))
                .collect(),
        }
    }
}

/// A whole report, as `--format json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub pgmedic_version: &'static str,
    /// RFC 3339.
    pub generated_at: String,
    pub server: ServerSummary,
    pub findings: Vec<Finding>,
    /// What could not be looked at, and why (no privilege, a standby, a missing extension).
    pub not_checked: Vec<String>,
}

impl Report {
    #[must_use]
    pub fn new(server: &ServerInfo, findings: Vec<Finding>, not_checked: Vec<String>) -> Self {
        Self {
            pgmedic_version: env!("CARGO_PKG_VERSION"),
            generated_at: crate::jobs::audit::now_rfc3339(),
            server: ServerSummary::of(server),
            findings,
            not_checked,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_severities_read_back_what_they_write() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.name()), Ok(*kind));
            let json = serde_json::to_value(kind).unwrap();
            assert_eq!(json, kind.name());
        }
        assert_eq!(Severity::parse("WARN"), Ok(Severity::Warning));
        assert!(Severity::parse("bad").is_err());
        assert!(Severity::Critical > Severity::Warning && Severity::Warning > Severity::Info);
    }

    #[test]
    fn a_finding_serialises_with_every_documented_key() {
        let finding = Finding::new(Kind::IdleInTransaction, Severity::Warning, "pid 42 idle")
            .with("pid", 42)
            .with("application_name", "api")
            .with("age_seconds", 372.5);
        let json = serde_json::to_value(&finding).unwrap();
        for key in [
            "kind", "severity", "database", "schema", "table", "index", "columns", "summary",
            "sql", "evidence",
        ] {
            assert!(json.get(key).is_some(), "{key}");
        }
        assert_eq!(json["kind"], "idle_in_transaction");
        assert_eq!(json["severity"], "warning");
        assert_eq!(json["evidence"]["pid"], 42);
    }
}
