//! The Indexes pane's findings — invalid, duplicate, redundant and unused indexes, foreign
//! keys without a supporting index — with the pane's own evidence lines and fixing SQL, and
//! the index advisor's suggestions as it writes them for `pgmedic advise`.

use crate::advisor::{Advice, output};
use crate::diagnose::health::{Level, Thresholds};
use crate::diagnose::indexes::fix::fix;
use crate::diagnose::indexes::{Finding as IndexFinding, FindingKind, IndexesSnapshot};
use crate::report::{Finding, Kind, Severity};
use crate::review::{ReviewItem, evidence};
use crate::ui::format;

/// Statements the advisor skipped are named up to this many in `not_checked`.
const SKIPPED_NAMED: usize = 3;

/// The Indexes pane's analysis: its snapshot, the advisor's answer and the findings of both.
#[derive(Debug, Clone, PartialEq)]
pub struct Indexes {
    pub snapshot: IndexesSnapshot,
    /// The advisor's suggestions, or why it could not run.
    pub advice: Result<Advice, String>,
    pub findings: Vec<IndexFinding>,
}

/// One finding per pane finding; suggestions as the advisor writes them.
#[must_use]
pub fn findings(indexes: &Indexes, _limits: &Thresholds) -> Vec<Finding> {
    let suggestions = indexes
        .advice
        .as_ref()
        .map(|a| a.suggestions.as_slice())
        .unwrap_or_default();
    let mut out: Vec<Finding> = indexes
        .findings
        .iter()
        .filter(|f| f.kind != FindingKind::Suggestion)
        .map(|f| finding(f, indexes))
        .collect();
    if !suggestions.is_empty()
        && let Ok(advice) = &indexes.advice
    {
        out.extend(output::findings(advice));
    }
    out
}

/// What the Indexes pane and the advisor could not see.
#[must_use]
pub fn not_checked(indexes: &Indexes) -> Vec<String> {
    let mut out = Vec::new();
    match &indexes.advice {
        Err(why) => out.push(format!("index suggestions: {why}")),
        Ok(advice) => {
            out.extend(advice.unverified_reason.iter().cloned());
            if !advice.skipped.is_empty() {
                let named: Vec<String> = advice
                    .skipped
                    .iter()
                    .take(SKIPPED_NAMED)
                    .map(|(queryid, why)| format!("{queryid}: {why}"))
                    .collect();
                out.push(format!(
                    "index suggestions: {} statements not analysed ({}{})",
                    advice.skipped.len(),
                    named.join("; "),
                    if advice.skipped.len() > SKIPPED_NAMED {
                        "; …"
                    } else {
                        ""
                    }
                ));
            }
        }
    }
    if indexes.snapshot.standbys > 0 {
        out.push(format!(
            "index scans on the {} standbys: an index unused here may serve their reads",
            indexes.snapshot.standbys
        ));
    }
    out
}

fn kind(kind: FindingKind) -> Kind {
    match kind {
        FindingKind::Invalid => Kind::InvalidIndex,
        FindingKind::Duplicate => Kind::DuplicateIndex,
        FindingKind::Redundant => Kind::RedundantIndex,
        FindingKind::Unused => Kind::UnusedIndex,
        FindingKind::MissingFkIndex => Kind::MissingFkIndex,
        FindingKind::Suggestion => Kind::IndexSuggestion,
    }
}

fn severity(level: Level) -> Severity {
    match level {
        Level::Critical => Severity::Critical,
        Level::Warn => Severity::Warning,
        Level::Ok | Level::Unknown => Severity::Info,
    }
}

fn finding(f: &IndexFinding, indexes: &Indexes) -> Finding {
    let suggestions = indexes
        .advice
        .as_ref()
        .map(|a| a.suggestions.as_slice())
        .unwrap_or_default();
    let resolution = fix(f, suggestions, &indexes.snapshot);
    let item = ReviewItem {
        finding: f.clone(),
        suggestion: None,
        fix: resolution.clone(),
        decision: None,
        note: String::new(),
        outcome: None,
        drop_check: None,
    };
    let details = evidence(&item, indexes.snapshot.taken_at, indexes.snapshot.stats());
    let mut out = Finding::new(kind(f.kind), severity(f.level), summary(f))
        .with("size_bytes", f.size_bytes)
        .with("table_size_bytes", f.table_size)
        .with("table_writes_per_sec", f.writes_per_sec)
        .with("details", details);
    out.schema = Some(f.schema.clone());
    out.table = Some(f.table.clone());
    if let Some(index) = &f.index {
        out.index = Some(index.name.clone());
        out.columns = index.columns[..index.key_count.min(index.columns.len())].to_vec();
        out = out
            .with("definition", index.definition.clone())
            .with("scans", index.scans)
            .with("valid", index.valid);
    }
    if let Some(kept) = &f.kept {
        out = out
            .with("kept_index", kept.name.clone())
            .with("kept_definition", kept.definition.clone());
    }
    if let Some(fk) = &f.foreign_key {
        out.columns.clone_from(&fk.columns);
        out = out
            .with("foreign_key", fk.name.clone())
            .with("references", fk.referenced.clone());
    }
    match resolution {
        Ok(resolution) => {
            out.sql = Some(format!("{};", resolution.apply.trim_end_matches(';')));
            out = out
                .with("rollback_sql", resolution.rollback)
                .with("warning", resolution.warning);
        }
        Err(why) => out = out.with("no_sql_because", why),
    }
    out
}

/// One sentence about the finding.
fn summary(f: &IndexFinding) -> String {
    let table = f.table_name();
    let index = f.index.as_ref().map_or("", |i| i.name.as_str());
    let kept = f.kept.as_ref().map_or("", |k| k.name.as_str());
    let size = f
        .size_bytes
        .map_or_else(String::new, |b| format!(" ({})", format::bytes(b as f64)));
    match f.kind {
        FindingKind::Invalid => format!(
            "invalid index {index}{size} on {table}: a failed CONCURRENTLY build left it; \
             every write maintains it, no query can use it"
        ),
        FindingKind::Duplicate => {
            format!("{index}{size} on {table} has the same definition as {kept}")
        }
        FindingKind::Redundant => format!(
            "{index}{size} on {table} is redundant: its keys lead {kept}, which serves the \
             same queries"
        ),
        FindingKind::Unused => format!(
            "{index}{size} on {table} has not been scanned since the statistics were reset, \
             yet every write maintains it"
        ),
        FindingKind::MissingFkIndex => {
            let fk = f.foreign_key.as_ref();
            format!(
                "foreign key {} on {table} ({}) has no index leading with its columns: every \
                 DELETE or key change on {} scans {table}",
                fk.map_or("", |k| k.name.as_str()),
                fk.map_or_else(String::new, |k| k.columns.join(", ")),
                fk.map_or("the referenced table", |k| k.referenced.as_str()),
            )
        }
        FindingKind::Suggestion => format!("a new index on {table}"),
    }
}
