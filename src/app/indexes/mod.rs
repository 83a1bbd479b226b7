//! The Indexes pane's state: the latest snapshot and its findings, the advisor's suggestions,
//! the selection and filter, "what if I drop it?" answers, the jobs it started and their
//! follow-ups, and the review session. Pure: the handlers in `actions` and `review` return
//! effects for the loop to carry out.

mod actions;
mod review;

pub(crate) use actions::reindex_leftover_checks;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::advisor::{Helped, Suggestion};
use crate::diagnose::indexes::fix::Fix;
use crate::diagnose::indexes::plans::{DropCheck, Followup};
use crate::diagnose::indexes::{Finding, FindingKind, IndexRef, IndexesSnapshot, findings};
use crate::jobs::JobKind;
use crate::review::Review;
use crate::snapshot::Part;

/// How long after a CREATE INDEX the statements it was for are timed.
pub const FOLLOW_UP: Duration = Duration::from_secs(60);

/// What the collector and the pane's on-demand work report.
#[derive(Debug, Clone, PartialEq)]
pub enum IndexesEvent {
    Snapshot(Part<IndexesSnapshot>),
    /// The advisor's suggestions (or why there are none).
    Suggestions(Part<Vec<Suggestion>>),
    /// "What if I drop it?" for the index `index_oid`.
    DropCheck {
        index_oid: i64,
        check: Part<DropCheck>,
    },
    /// The re-check before a CREATE INDEX: `Some(why)` when an index already covers it.
    Recheck {
        fix: Box<Fix>,
        verdict: Part<Option<String>>,
    },
    /// After a failed build: the invalid index it left behind, if any.
    Leftover {
        target: String,
        leftover: Part<Option<IndexRef>>,
    },
    Followup(Followup),
    /// The review's migration and report were written (or why not).
    Saved(Part<SavedReview>),
}

/// Where a review's files went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedReview {
    pub migration: PathBuf,
    pub report: PathBuf,
}

/// A job the pane proposed, to react to when it ends.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub kind: JobKind,
    pub target: String,
    pub fix: Fix,
    /// The statements a created index was for (the advisor's evidence), to follow up.
    pub helps: Vec<Helped>,
}

/// The Indexes pane.
#[derive(Debug, Clone, Default)]
pub struct IndexesState {
    pub snapshot: Option<IndexesSnapshot>,
    /// Why the latest refresh failed (the last good snapshot stays on screen).
    pub error: Option<String>,
    pub updated_at: Option<Instant>,
    pub suggestions: Vec<Suggestion>,
    /// Why there are no suggestions, when the advisor said so.
    pub suggestions_note: Option<String>,
    /// Every finding, in order of impact.
    pub findings: Vec<Finding>,
    /// The server's clock of the snapshot the findings were computed from.
    pub findings_at: f64,
    pub filter: String,
    /// Position in the filtered list.
    pub selected: usize,
    /// The selected finding's detail view is open.
    pub detail: bool,
    /// Lines of the detail (or the review's item) scrolled off its top (PgDn / PgUp,
    /// Ctrl-d / Ctrl-u): a suggestion's plans make it longer than a small screen.
    pub detail_scroll: u16,
    /// "What if I drop it?" answers, by index oid, and the ones being worked out.
    pub drop_checks: HashMap<i64, Part<DropCheck>>,
    pub checking: HashSet<i64>,
    pub pending: Vec<Pending>,
    pub followups: Vec<Followup>,
    pub review: Option<Review>,
    /// Esc left the review; `R` resumes it.
    pub review_paused: bool,
    /// The review's note is being typed (the `/` line edits it).
    pub noting: bool,
    pub saved: Option<Part<SavedReview>>,
    /// The advisor waits for the write rates: how many snapshots came without them since.
    pub advice_waiting: Option<u8>,
    /// Indexes this session built, `(schema, name)`: never scanned yet, and not "unused".
    pub built: HashSet<(String, String)>,
}

impl IndexesState {
    /// Rows written per second per table over the last minute, once two samples exist.
    #[must_use]
    pub fn write_rates(&self) -> Option<HashMap<i64, f64>> {
        self.snapshot
            .as_ref()
            .map(|s| &s.write_rates)
            .filter(|rates| !rates.is_empty())
            .cloned()
    }

    /// Findings that match the filter (kind, table, index or foreign key name).
    #[must_use]
    pub fn visible(&self) -> Vec<&Finding> {
        let needle = self.filter.to_lowercase();
        self.findings
            .iter()
            .filter(|f| needle.is_empty() || haystack(f).contains(&needle))
            .collect()
    }

    #[must_use]
    pub fn selected_finding(&self) -> Option<&Finding> {
        self.visible().get(self.selected).copied()
    }

    /// A new snapshot: findings again, the selection kept on the same finding if it is still
    /// there.
    pub fn apply_snapshot(&mut self, snapshot: IndexesSnapshot, now: Instant) {
        self.error = None;
        self.updated_at = Some(now);
        // Between full reads only the write rates move: the findings stay, their rates follow.
        // Ages in the notes ("reset 2 h ago") are redone at least once a minute.
        if let Some(old) = &self.snapshot
            && old.same_catalog(&snapshot)
            && snapshot.taken_at - self.findings_at < 60.0
        {
            for f in &mut self.findings {
                let own = f
                    .suggestion
                    .and_then(|i| self.suggestions.get(i))
                    .and_then(|s| s.table_writes_per_sec);
                f.writes_per_sec = own.or_else(|| {
                    f.table_oid
                        .and_then(|oid| snapshot.write_rates.get(&oid).copied())
                });
            }
            self.snapshot = Some(snapshot);
            return;
        }
        self.snapshot = Some(snapshot);
        self.rebuild();
    }

    /// Recomputes the findings from the snapshot and the suggestions.
    pub fn rebuild(&mut self) {
        let Some(snapshot) = &self.snapshot else {
            return;
        };
        self.findings_at = snapshot.taken_at;
        let key = self.selected_finding().map(Finding::key);
        self.findings = findings(snapshot, &self.suggestions, snapshot.taken_at);
        let built = &self.built;
        self.findings.retain(|f| {
            f.kind != FindingKind::Unused
                || f.index
                    .as_ref()
                    .is_none_or(|i| !built.contains(&(i.schema.clone(), i.name.clone())))
        });
        let visible = self.visible();
        self.selected = key
            .and_then(|key| visible.iter().position(|f| f.key() == key))
            .unwrap_or(self.selected)
            .min(visible.len().saturating_sub(1));
    }

    /// The filter changed: the selection stays within what is listed.
    pub fn refilter(&mut self) {
        if !self.noting {
            self.selected = self.selected.min(self.visible().len().saturating_sub(1));
        }
    }

    /// Scrolls the detail or the review's item by `delta` lines (the render stops at its
    /// last line).
    pub fn scroll_detail(&mut self, delta: isize) {
        let scrolled = usize::from(self.detail_scroll).saturating_add_signed(delta);
        self.detail_scroll = u16::try_from(scrolled).unwrap_or(u16::MAX);
    }

    /// The detail or the review is on screen: PgDn / PgUp scroll it.
    #[must_use]
    pub fn scrolls(&self) -> bool {
        self.detail || self.active_review().is_some()
    }

    pub fn move_selection(&mut self, delta: isize) {
        self.detail_scroll = 0;
        if self.active_review().is_some()
            && let Some(review) = &mut self.review
        {
            review.at = review
                .at
                .saturating_add_signed(delta)
                .min(review.items.len().saturating_sub(1));
            return;
        }
        let last = self.visible().len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    pub fn select_edge(&mut self, last: bool) {
        self.detail_scroll = 0;
        if self.active_review().is_some()
            && let Some(review) = &mut self.review
        {
            review.at = if last {
                review.items.len().saturating_sub(1)
            } else {
                0
            };
            return;
        }
        self.selected = if last {
            self.visible().len().saturating_sub(1)
        } else {
            0
        };
    }

    /// The review in progress (not yet past its last item).
    #[must_use]
    pub fn active_review(&self) -> Option<&Review> {
        self.review
            .as_ref()
            .filter(|r| !r.is_done() && !self.review_paused)
    }

    /// The text the `/` line edits: the review item's note while noting, else the filter.
    pub fn typed_mut(&mut self) -> &mut String {
        if self.noting
            && let Some(item) = self.review.as_mut().and_then(Review::current_mut)
        {
            return &mut item.note;
        }
        &mut self.filter
    }

    #[must_use]
    pub fn typed(&self) -> &str {
        if self.noting
            && let Some(item) = self.review.as_ref().and_then(Review::current)
        {
            return &item.note;
        }
        &self.filter
    }
}

fn haystack(f: &Finding) -> String {
    let mut text = format!("{} {}", f.kind.word(), f.table_name());
    if let Some(index) = &f.index {
        text.push(' ');
        text.push_str(&index.name);
    }
    if let Some(fk) = &f.foreign_key {
        text.push(' ');
        text.push_str(&fk.name);
    }
    text.to_lowercase()
}

#[cfg(test)]
mod tests;
