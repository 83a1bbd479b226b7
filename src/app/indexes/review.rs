//! The guided review on the model: `R` starts (or resumes) it over every finding in order of
//! impact; `a` apply now, `m` add to the migration, `s` skip, `n` note; after the last
//! decision (or on `W`) the migration and the report are written.

use crate::app::effect::Effect;
use crate::app::model::{Mode, Model};
use crate::diagnose::health::Level;
use crate::diagnose::indexes::Finding;
use crate::diagnose::indexes::fix::FixKind;
use crate::review::{Decision, Review, ReviewItem};
use crate::work::Request;
use crate::work::indexes::IndexesRequest;

impl Model {
    /// `R`: a new review of the current findings, or back to the one paused.
    pub(crate) fn review_start(&mut self) -> Vec<Effect> {
        if let Some(review) = &self.indexes.review
            && !review.is_done()
            && self.indexes.review_paused
        {
            self.indexes.review_paused = false;
            self.notify(Level::Ok, "review resumed");
            return Vec::new();
        }
        let Some(snapshot) = &self.indexes.snapshot else {
            self.notify(Level::Warn, "no findings yet: wait for the first refresh");
            return Vec::new();
        };
        if self.indexes.findings.is_empty() {
            self.notify(Level::Ok, "nothing to review: no finding on this database");
            return Vec::new();
        }
        let items = self
            .indexes
            .findings
            .iter()
            .map(|finding| self.review_item(finding))
            .collect();
        let server = self.server.as_ref();
        self.indexes.review = Some(Review {
            database: snapshot.database.clone(),
            server_version: server.map(|s| s.version.clone()).unwrap_or_default(),
            target: self.target.clone(),
            stats: snapshot.stats(),
            standbys: snapshot.standbys,
            taken_at: snapshot.taken_at,
            items,
            at: 0,
        });
        self.indexes.review_paused = false;
        self.indexes.saved = None;
        Vec::new()
    }

    /// `finding` with its suggestion, statements and "what if dropped" answer, undecided.
    #[must_use]
    pub fn review_item(&self, finding: &Finding) -> ReviewItem {
        ReviewItem {
            finding: finding.clone(),
            suggestion: finding
                .suggestion
                .and_then(|i| self.indexes.suggestions.get(i))
                .cloned(),
            fix: self.fix_of(finding),
            decision: None,
            note: String::new(),
            outcome: None,
            drop_check: finding
                .index
                .as_ref()
                .and_then(|i| self.indexes.drop_checks.get(&i.oid))
                .and_then(|c| c.as_ref().ok().cloned()),
        }
    }

    /// `a`, `m`, `s`: decides the item on screen and moves on; after the last one the files
    /// are written.
    pub(crate) fn review_decide(&mut self, decision: Decision) -> Vec<Effect> {
        self.indexes.noting = false;
        self.indexes.detail_scroll = 0;
        let Some(item) = self
            .indexes
            .active_review()
            .and_then(Review::current)
            .cloned()
        else {
            self.notify(Level::Warn, "R starts a review of every finding");
            return Vec::new();
        };
        let mut effects = Vec::new();
        if decision != Decision::Skip {
            let fix = match &item.fix {
                Ok(fix) => fix,
                Err(why) => {
                    self.notify(Level::Warn, format!("no statement for this one: {why}"));
                    return Vec::new();
                }
            };
            if decision == Decision::ApplyNow {
                effects = match fix.kind {
                    FixKind::Create => self.create_for(&item.finding),
                    FixKind::Drop | FixKind::Reindex => self.drop_for(&item.finding),
                };
            }
        }
        if let Some(review) = &mut self.indexes.review {
            review.decide(decision);
            if review.is_done() {
                effects.extend(self.review_write());
            }
        }
        effects
    }

    /// `n`: types a note for the item on screen (on the `/` line).
    pub(crate) fn review_note(&mut self) -> Vec<Effect> {
        if self.indexes.active_review().is_none() {
            self.notify(
                Level::Warn,
                "R starts a review; n notes on its current finding",
            );
            return Vec::new();
        }
        self.indexes.noting = true;
        self.mode = Mode::Filter;
        Vec::new()
    }

    /// `W`, or after the last decision: writes the migration and the report.
    pub(crate) fn review_write(&mut self) -> Vec<Effect> {
        let Some(review) = &mut self.indexes.review else {
            self.notify(Level::Warn, "R starts a review; W writes its files");
            return Vec::new();
        };
        for item in &mut review.items {
            if item.decision != Some(Decision::ApplyNow) || item.outcome.is_some() {
                continue;
            }
            let Ok(fix) = &item.fix else {
                continue;
            };
            let started = self.jobs.jobs.iter().any(|j| j.spec.target == fix.target);
            item.outcome = Some(
                if started {
                    "running when the review was written (see the Jobs pane and the audit log)"
                } else {
                    "not run: the confirmation was cancelled"
                }
                .to_owned(),
            );
        }
        let review = review.clone();
        self.notify(Level::Ok, "writing the migration and the review report …");
        vec![Effect::Work(Request::Indexes(IndexesRequest::SaveReview(
            Box::new(review),
        )))]
    }

    /// Esc in a review: pauses it (`R` resumes).
    pub(crate) fn review_pause(&mut self) -> bool {
        if self.indexes.active_review().is_some() {
            self.indexes.review_paused = true;
            self.indexes.noting = false;
            self.notify(Level::Ok, "review paused: R resumes it");
            return true;
        }
        false
    }

    /// The `/` line's prompt: a review note or the filter.
    #[must_use]
    pub fn filter_prompt(&self) -> &'static str {
        if self.indexes.noting { "note: " } else { "/" }
    }
}
