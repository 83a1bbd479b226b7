//! The guided index review: every finding with its evidence and the DBA's decision, and what
//! the session leaves behind — a migration of CONCURRENTLY statements (each with its rollback
//! and its evidence as comments) and a markdown report.
//!
//! Pure: the app keeps a [`Review`] in its state; writing the files is on-demand work that
//! calls [`migration::render`] and [`report::render`].

pub mod migration;
pub mod report;

use std::fmt::Write as _;

use crate::advisor::Suggestion;
use crate::diagnose::indexes::fix::Fix;
use crate::diagnose::indexes::plans::DropCheck;
use crate::diagnose::indexes::{Finding, FindingKind, StatsSince, age_words};
use crate::ui::format;

/// What the DBA decided for a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Run it now, as a job (after the usual confirmation).
    ApplyNow,
    /// Write it into the migration file.
    Migration,
    Skip,
}

impl Decision {
    #[must_use]
    pub fn word(self) -> &'static str {
        match self {
            Decision::ApplyNow => "apply now",
            Decision::Migration => "migration",
            Decision::Skip => "skip",
        }
    }
}

/// One finding of a review, with what is known about it and what was decided.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewItem {
    pub finding: Finding,
    pub suggestion: Option<Suggestion>,
    /// The statements that resolve it, or why there are none.
    pub fix: Result<Fix, String>,
    pub decision: Option<Decision>,
    pub note: String,
    /// How the job went, for "apply now" (filled in when the job ends).
    pub outcome: Option<String>,
    /// "What if I drop it?", when it was asked during the review.
    pub drop_check: Option<DropCheck>,
}

/// A review in progress, or finished.
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    pub database: String,
    pub server_version: String,
    pub target: String,
    /// Since when the scan counters count.
    pub stats: StatsSince,
    pub standbys: i64,
    /// The server's clock when the findings were read.
    pub taken_at: f64,
    pub items: Vec<ReviewItem>,
    /// The item on screen.
    pub at: usize,
}

impl Review {
    #[must_use]
    pub fn current(&self) -> Option<&ReviewItem> {
        self.items.get(self.at)
    }

    pub fn current_mut(&mut self) -> Option<&mut ReviewItem> {
        self.items.get_mut(self.at)
    }

    /// Records `decision` for the item on screen and moves to the next one.
    pub fn decide(&mut self, decision: Decision) {
        if let Some(item) = self.current_mut() {
            item.decision = Some(decision);
        }
        self.at = (self.at + 1).min(self.items.len());
    }

    /// Every item has a decision (the cursor went past the last one).
    #[must_use]
    pub fn is_done(&self) -> bool {
        self.at >= self.items.len()
    }

    /// Items decided so far, by decision.
    #[must_use]
    pub fn count(&self, decision: Decision) -> usize {
        self.items
            .iter()
            .filter(|i| i.decision == Some(decision))
            .count()
    }
}

/// The evidence for a finding, one line each, as the review screen and the files show it.
#[must_use]
pub fn evidence(item: &ReviewItem, taken_at: f64, stats: StatsSince) -> Vec<String> {
    let f = &item.finding;
    let mut lines = Vec::new();
    if let Some(index) = &f.index {
        lines.push(index.definition.clone());
    }
    match f.kind {
        FindingKind::Duplicate | FindingKind::Redundant => {
            if let Some(kept) = &f.kept {
                let how = if f.kind == FindingKind::Duplicate {
                    "same definition as"
                } else {
                    "its keys lead"
                };
                lines.push(format!(
                    "{how} {} ({} scans, kept): {}",
                    kept.name,
                    format::count(kept.scans),
                    kept.definition
                ));
            }
        }
        FindingKind::Unused => {
            lines.push(format!("0 scans {}", stats.since(taken_at)));
        }
        FindingKind::MissingFkIndex => {
            if let Some(fk) = &f.foreign_key {
                lines.push(format!(
                    "foreign key {} ({}) references {} ({})",
                    fk.name,
                    fk.columns.join(", "),
                    fk.referenced,
                    fk.referenced_columns.join(", ")
                ));
            }
        }
        FindingKind::Suggestion => lines.extend(suggestion_evidence(item.suggestion.as_ref())),
        FindingKind::Invalid => {}
    }
    if let Some(index) = f.index.as_ref().filter(|i| i.scans > 0) {
        let last = index.last_scan.map_or_else(String::new, |at| {
            format!(", the last {} ago", age_words(taken_at - at))
        });
        lines.push(format!(
            "{} scans of it since the statistics reset{last}",
            format::count(index.scans)
        ));
    }
    lines.push(weights(f));
    lines.extend(f.notes.iter().cloned());
    if let Some(check) = &item.drop_check {
        lines.push(format!("what if dropped: {}", check.verdict()));
    }
    lines
}

/// Size, table size and write rate in one line.
fn weights(f: &Finding) -> String {
    let size = |b: Option<i64>| b.map_or_else(|| "?".to_owned(), |b| format::bytes(b as f64));
    let what = match f.kind {
        FindingKind::MissingFkIndex => "table",
        FindingKind::Suggestion => "estimated size",
        _ => "size",
    };
    let mut line = format!("{what} {}", size(f.size_bytes));
    if f.kind != FindingKind::MissingFkIndex {
        let _ = write!(line, " · table {}", size(f.table_size));
    }
    let writes = f
        .writes_per_sec
        .map_or_else(|| "not measured yet".to_owned(), format::rate);
    let _ = write!(line, " · table writes/s {writes}");
    line
}

fn suggestion_evidence(s: Option<&Suggestion>) -> Vec<String> {
    let Some(s) = s else {
        return Vec::new();
    };
    let mut lines = vec![if s.verified && s.predicate.is_some() {
        // A partial index on `column = $n` is planned with the value in place (see the note).
        "verified with a hypothetical index (HypoPG) against the statements' plans".to_owned()
    } else if s.verified {
        "verified with a hypothetical index (HypoPG) against the generic plans".to_owned()
    } else {
        "UNVERIFIED: no hypothetical index checked it".to_owned()
    }];
    lines.push(format!(
        "estimated saving {} per hour",
        format::millis(s.saving_ms_per_hour)
    ));
    for h in &s.helps {
        // Unverified, the cost after is not known (NaN): only the cost now is shown.
        let cost = if h.cost_after.is_finite() {
            format!("cost {:.0} → {:.0}", h.cost_before, h.cost_after)
        } else {
            format!("cost {:.0} now", h.cost_before)
        };
        lines.push(format!(
            "helps {} of all time, {} calls, mean {}: {cost}: {}",
            format::percent(h.share_of_total_time * 100.0),
            format::count(h.calls),
            format::millis(h.mean_ms),
            one_line(&h.query)
        ));
    }
    lines
}

/// The plans before and after of every statement a suggestion helps, one line each, plan
/// lines indented under their heading (the review screen, the pane's detail and both files
/// show them; the migration puts each line in a comment).
#[must_use]
pub fn plan_lines(s: Option<&Suggestion>) -> Vec<String> {
    let Some(s) = s else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    for h in s.helps.iter().filter(|h| !h.plan_before.is_empty()) {
        lines.push(format!("plan before · queryid {}", h.queryid));
        lines.extend(h.plan_before.lines().map(|l| format!("  {l}")));
        if h.plan_after.is_empty() {
            lines.push(format!(
                "plan after · queryid {}: not known (no hypothetical index checked it)",
                h.queryid
            ));
        } else {
            lines.push(format!(
                "plan after, with the hypothetical index · queryid {}",
                h.queryid
            ));
            lines.extend(h.plan_after.lines().map(|l| format!("  {l}")));
        }
    }
    lines
}

/// A statement on one line, whitespace collapsed.
#[must_use]
pub fn one_line(sql: &str) -> String {
    sql.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
pub(crate) mod tests;
