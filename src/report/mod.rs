//! Findings as data for machines: the JSON document `pgmedic advise --format json` writes
//! (index suggestions) and `pgmedic report` extends with its other kinds. The schema is
//! documented in docs/report-schema.md; a test validates output against it.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::server::ServerInfo;

/// A whole report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub pgmedic_version: String,
    /// RFC 3339, UTC.
    pub generated_at: String,
    pub server: ServerSummary,
    pub findings: Vec<Finding>,
}

/// The server the findings are about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerSummary {
    /// `server_version`, e.g. "15.8 (Debian 15.8-0+deb12u1)".
    pub version: String,
    pub version_num: u32,
    pub role: Role,
    /// The extensions pgmedic uses that the server has: the installed version, or `null` when
    /// available but not created in this database.
    pub extensions: BTreeMap<String, Option<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Primary,
    Standby,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    IndexSuggestion,
}

/// One finding: what, where, how bad, the SQL that addresses it, and its evidence (whose
/// fields depend on the kind; see the schema document).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub kind: FindingKind,
    pub severity: Severity,
    pub schema: Option<String>,
    pub table: Option<String>,
    pub index: Option<String>,
    pub columns: Vec<String>,
    /// One sentence.
    pub summary: String,
    pub sql: Option<String>,
    pub evidence: serde_json::Value,
}

impl ServerSummary {
    #[must_use]
    pub fn of(server: &ServerInfo) -> Self {
        Self {
            version: server.version.clone(),
            version_num: server.version_num,
            role: if server.is_standby {
                Role::Standby
            } else {
                Role::Primary
            },
            extensions: server
                .extensions
                .iter()
                .map(|e| (e.name.clone(), e.installed.clone()))
                .collect(),
        }
    }
}

impl Report {
    /// A report generated now.
    #[must_use]
    pub fn new(server: &ServerInfo, findings: Vec<Finding>) -> Self {
        Self {
            pgmedic_version: env!("CARGO_PKG_VERSION").to_owned(),
            generated_at: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
            server: ServerSummary::of(server),
            findings,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_json_are_the_documented_ones() {
        let finding = Finding {
            kind: FindingKind::IndexSuggestion,
            severity: Severity::Warning,
            schema: Some("public".into()),
            table: Some("t".into()),
            index: None,
            columns: vec![],
            summary: "s".into(),
            sql: None,
            evidence: serde_json::json!({}),
        };
        let json = serde_json::to_value(&finding).unwrap();
        assert_eq!(json["kind"], "index_suggestion");
        assert_eq!(json["severity"], "warning");
        assert!(json["index"].is_null());
        assert_eq!(serde_json::to_value(Role::Standby).unwrap(), "standby");
        assert!(Severity::Critical > Severity::Warning && Severity::Warning > Severity::Info);
    }
}
