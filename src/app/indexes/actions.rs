//! The Indexes pane's handlers on the model: its events, `c` create (after a re-check), `d`
//! drop, `r` reindex, `w` what if dropped, and what follows a job it started (refresh, the
//! follow-up of a new index, the cleanup of a failed build's leftover).

use std::time::Duration;

use crate::app::effect::Effect;
use crate::app::indexes::{FOLLOW_UP, IndexesEvent, Pending, SavedReview};
use crate::app::model::Model;
use crate::diagnose::health::Level;
use crate::diagnose::indexes::fix::{self, Fix, FixKind};
use crate::diagnose::indexes::plans::Followup;
use crate::diagnose::indexes::{Finding, FindingKind, IndexRef};
use crate::jobs::{JobEvent, JobKind, JobSpec, Outcome, refusal};
use crate::snapshot::Part;
use crate::work::Request;
use crate::work::indexes::IndexesRequest;

impl Model {
    /// Folds in what the collector or the pane's work reported.
    pub(crate) fn on_indexes(&mut self, event: IndexesEvent) -> Vec<Effect> {
        self.dirty = true;
        let state = &mut self.indexes;
        match event {
            IndexesEvent::Snapshot(Ok(snapshot)) => {
                state.apply_snapshot(snapshot, self.now);
                if let Some(seen) = state.advice_waiting {
                    // A database whose tables give no rates still gets its advice.
                    if state.write_rates().is_some() || seen >= 1 {
                        state.advice_waiting = None;
                        return self.request_advice().into_iter().collect();
                    }
                    state.advice_waiting = Some(seen + 1);
                }
            }
            IndexesEvent::Snapshot(Err(error)) => state.error = Some(error),
            IndexesEvent::Suggestions(suggestions) => {
                match suggestions {
                    Ok(list) => {
                        state.suggestions = list;
                        state.suggestions_note = None;
                    }
                    Err(why) => {
                        state.suggestions.clear();
                        state.suggestions_note = Some(why);
                    }
                }
                state.rebuild();
            }
            IndexesEvent::DropCheck { index_oid, check } => {
                state.checking.remove(&index_oid);
                if let Some(review) = &mut state.review {
                    for item in &mut review.items {
                        if item
                            .finding
                            .index
                            .as_ref()
                            .is_some_and(|i| i.oid == index_oid)
                        {
                            item.drop_check = check.as_ref().ok().cloned();
                        }
                    }
                }
                state.drop_checks.insert(index_oid, check);
            }
            IndexesEvent::Recheck { fix, verdict } => return self.after_recheck(*fix, verdict),
            IndexesEvent::Leftover { target, leftover } => {
                return self.after_leftover(&target, leftover);
            }
            IndexesEvent::Followup(followup) => self.after_followup(followup),
            IndexesEvent::Saved(saved) => self.after_saved(saved),
        }
        Vec::new()
    }

    /// The advisor's run, now if the pane knows the tables' write rates (what an index costs
    /// to keep), else as soon as a snapshot brings them.
    pub(crate) fn advice_when_rates_are_known(&mut self) -> Option<Effect> {
        if self.indexes.write_rates().is_some() {
            return self.request_advice();
        }
        self.indexes.advice_waiting = Some(0);
        None
    }

    /// `c`: a suggestion's or a foreign key's index, re-checked first.
    pub(crate) fn indexes_create(&mut self) -> Vec<Effect> {
        let Some(finding) = self.indexes.selected_finding().cloned() else {
            self.notify(Level::Warn, "no finding selected");
            return Vec::new();
        };
        self.create_for(&finding)
    }

    pub(crate) fn create_for(&mut self, finding: &Finding) -> Vec<Effect> {
        if !matches!(
            finding.kind,
            FindingKind::Suggestion | FindingKind::MissingFkIndex
        ) {
            self.notify(
                Level::Warn,
                "c creates a suggested index or a foreign key's index; this finding is resolved \
                 by d (drop)",
            );
            return Vec::new();
        }
        let fix = match self.fix_of(finding) {
            Ok(fix) => fix,
            Err(why) => {
                self.notify(Level::Warn, why);
                return Vec::new();
            }
        };
        let spec = self.spec(&fix, finding);
        if let Some(reason) = refusal(&spec, self.server.as_ref(), self.read_only) {
            self.notify(Level::Warn, reason);
            return Vec::new();
        }
        self.notify(
            Level::Ok,
            format!(
                "re-checking that no index on {} covers it already …",
                finding.table_name()
            ),
        );
        vec![Effect::Work(Request::Indexes(IndexesRequest::Recheck(
            Box::new(fix),
        )))]
    }

    /// `d`: DROP INDEX CONCURRENTLY of the selected finding's index (typed confirmation).
    pub(crate) fn indexes_drop(&mut self) -> Vec<Effect> {
        let Some(finding) = self.indexes.selected_finding().cloned() else {
            self.notify(Level::Warn, "no finding selected");
            return Vec::new();
        };
        self.drop_for(&finding)
    }

    pub(crate) fn drop_for(&mut self, finding: &Finding) -> Vec<Effect> {
        if finding.index.is_none() {
            self.notify(
                Level::Warn,
                "d drops an existing index; this finding is resolved by c (create)",
            );
            return Vec::new();
        }
        match self.fix_of(finding) {
            Ok(fix) if fix.kind == FixKind::Drop => self.propose_fix(fix, finding),
            Ok(_) => Vec::new(),
            Err(why) => {
                self.notify(Level::Warn, format!("not dropped: {why}"));
                Vec::new()
            }
        }
    }

    /// `r`: REINDEX INDEX CONCURRENTLY of the selected finding's index.
    pub(crate) fn indexes_reindex(&mut self) -> Vec<Effect> {
        let finding = self.indexes.selected_finding().cloned();
        let Some((finding, index)) = finding.and_then(|f| f.index.clone().map(|i| (f, i))) else {
            self.notify(Level::Warn, "r rebuilds an existing index: select one");
            return Vec::new();
        };
        if self
            .server
            .as_ref()
            .is_some_and(|s| s.version_num < 120_000)
        {
            self.notify(Level::Warn, "REINDEX CONCURRENTLY needs PostgreSQL 12");
            return Vec::new();
        }
        let mut rebuild = fix::reindex(&index);
        if !index.valid && index.definition.starts_with("CREATE UNIQUE INDEX ") {
            rebuild.warning = format!(
                "{}; it is an invalid UNIQUE index: while the duplicate keys that failed its \
                 build remain, the rebuild fails too and leaves a copy (_ccnew) to drop",
                rebuild.warning
            );
        }
        self.propose_fix(rebuild, &finding)
    }

    /// `w`: re-plan the heaviest statements on the table with the index hidden (HypoPG).
    /// `H`: CREATE EXTENSION hypopg, when the advice says the server has its files and this
    /// database lacks it; else why not.
    pub(crate) fn propose_hypopg(&mut self) -> Vec<Effect> {
        let offer = match &self.advice {
            Some(Ok(advice)) => advice.create_extension.is_some(),
            _ => false,
        };
        if offer {
            return self.propose(crate::advisor::create_hypopg_job());
        }
        let installed = self
            .server
            .as_ref()
            .is_some_and(|s| s.installed_version("hypopg").is_some());
        let why = if installed {
            "HypoPG is installed in this database already"
        } else {
            "HypoPG's files are not on the server: install its package there (Debian: \
             apt-get install postgresql-<version>-hypopg), then H creates the extension"
        };
        self.notify(crate::diagnose::health::Level::Warn, why);
        Vec::new()
    }

    pub(crate) fn indexes_what_if(&mut self) -> Vec<Effect> {
        let index = match self.indexes.active_review() {
            Some(review) => review.current().and_then(|i| i.finding.index.clone()),
            None => self
                .indexes
                .selected_finding()
                .and_then(|f| f.index.clone()),
        };
        let Some(index) = index else {
            self.notify(
                Level::Warn,
                "w asks what if an existing index were dropped: select one",
            );
            return Vec::new();
        };
        if !self.indexes.checking.insert(index.oid) {
            return Vec::new();
        }
        self.notify(
            Level::Ok,
            format!(
                "re-planning the heaviest statements on {}.{} without {} …",
                index.schema, index.table, index.name
            ),
        );
        vec![Effect::Work(Request::Indexes(IndexesRequest::WhatIfDrop(
            index,
        )))]
    }

    /// The statements resolving `finding`, given the pane's suggestions and snapshot.
    pub fn fix_of(&self, finding: &Finding) -> Result<Fix, String> {
        let snapshot = self.indexes.snapshot.clone().unwrap_or_default();
        fix::fix(finding, &self.indexes.suggestions, &snapshot)
    }

    /// The job for `fix`, refused beforehand when this role does not own the table.
    fn spec(&self, fix: &Fix, finding: &Finding) -> JobSpec {
        let kind = match fix.kind {
            FixKind::Create => JobKind::CreateIndex,
            FixKind::Drop => JobKind::DropIndex,
            FixKind::Reindex => JobKind::Reindex,
        };
        let mut spec = JobSpec::new(kind, fix.target.clone(), vec![fix.apply.clone()])
            .warning(format!("{}; undo: {}", fix.warning, fix.rollback));
        let table = self.indexes.snapshot.as_ref().and_then(|s| {
            s.tables
                .iter()
                .find(|t| t.schema == finding.schema && t.name == finding.table)
        });
        if let (Some(table), Some(server)) = (table, &self.server)
            && !table.may_alter
        {
            spec.lacks_privilege = Some(format!(
                "{} does not own {} (its owner {} or a superuser can)",
                server.role,
                finding.table_name(),
                table.owner
            ));
        }
        spec
    }

    /// Shows the fix's job for confirmation and remembers it, to react to its end.
    fn propose_fix(&mut self, fix: Fix, finding: &Finding) -> Vec<Effect> {
        let spec = self.spec(&fix, finding);
        let helps = finding
            .suggestion
            .and_then(|i| self.indexes.suggestions.get(i))
            .map(|s| s.helps.clone())
            .unwrap_or_default();
        self.indexes
            .pending
            .retain(|p| !(p.kind == spec.kind && p.target == spec.target));
        self.indexes.pending.push(Pending {
            kind: spec.kind,
            target: spec.target.clone(),
            fix,
            helps,
        });
        self.propose(spec)
    }

    fn after_recheck(&mut self, fix: Fix, verdict: Part<Option<String>>) -> Vec<Effect> {
        match verdict {
            Ok(None) => {
                let finding = self
                    .indexes
                    .findings
                    .iter()
                    .find(|f| self.fix_of(f).is_ok_and(|other| other.target == fix.target))
                    .cloned();
                if let Some(finding) = finding {
                    self.propose_fix(fix, &finding)
                } else {
                    self.notify(Level::Warn, "the finding is gone since the last refresh");
                    Vec::new()
                }
            }
            Ok(Some(why)) => {
                self.notify(Level::Warn, format!("not created: {why}"));
                vec![Effect::RefreshNow]
            }
            Err(err) => {
                self.notify(
                    Level::Warn,
                    format!("not created: the re-check failed: {err}"),
                );
                Vec::new()
            }
        }
    }

    /// What the pane does when one of its jobs ends.
    pub(crate) fn indexes_on_job(&mut self, event: &JobEvent) -> Vec<Effect> {
        let JobEvent::Finished {
            kind,
            target,
            outcome,
            elapsed,
            ..
        } = event
        else {
            return Vec::new();
        };
        let Some(at) = self
            .indexes
            .pending
            .iter()
            .position(|p| p.kind == *kind && p.target == *target)
        else {
            return Vec::new();
        };
        let pending = self.indexes.pending.remove(at);
        self.record_outcome(&pending.fix, outcome, *elapsed);
        if let (Outcome::Done { .. }, Some(new)) = (outcome, &pending.fix.new_index) {
            // Built: no longer a suggestion, and not "unused" for having no scans yet.
            let state = &mut self.indexes;
            state.built.insert((new.schema.clone(), new.name.clone()));
            state
                .suggestions
                .retain(|s| !(s.schema == new.schema && s.name == new.name));
            state.rebuild();
        }
        let mut effects = vec![Effect::RefreshNow];
        match (outcome, &pending.fix.new_index) {
            (Outcome::Done { .. }, Some(new)) if !pending.helps.is_empty() => {
                effects.push(Effect::Work(Request::Indexes(IndexesRequest::Followup {
                    index: new.name.clone(),
                    helps: pending.helps,
                    interval: FOLLOW_UP,
                })));
            }
            (Outcome::Done { .. }, _) => {}
            (_, Some(new)) => effects.push(leftover_check(target, &new.schema, &new.name)),
            (_, None) if *kind == JobKind::Reindex => {
                if let Some((schema, name)) = target.split_once('.') {
                    effects.extend(reindex_leftover_checks(target, schema, name));
                }
            }
            _ => {}
        }
        effects
    }

    /// An "apply now" of the review learns how its job went.
    fn record_outcome(&mut self, fix: &Fix, outcome: &Outcome, elapsed: Duration) {
        let Some(review) = &mut self.indexes.review else {
            return;
        };
        let words = match outcome {
            Outcome::Done { .. } => format!("ok in {:.1} s", elapsed.as_secs_f64()),
            Outcome::Failed { error } => format!("failed: {error}"),
            Outcome::Cancelled => "cancelled".to_owned(),
        };
        for item in &mut review.items {
            if item.fix.as_ref().is_ok_and(|f| f.target == fix.target) {
                item.outcome = Some(words.clone());
            }
        }
    }

    fn after_leftover(&mut self, target: &str, leftover: Part<Option<IndexRef>>) -> Vec<Effect> {
        match leftover {
            Ok(Some(index)) if !index.valid => {
                let fix = fix::drop_invalid(&index);
                let left = format!("{}.{}", index.schema, index.name);
                let finding = Finding {
                    kind: FindingKind::Invalid,
                    level: Level::Warn,
                    table_oid: None,
                    schema: index.schema.clone(),
                    table: index.table.clone(),
                    index: Some(index),
                    kept: None,
                    foreign_key: None,
                    suggestion: None,
                    size_bytes: None,
                    table_size: None,
                    writes_per_sec: None,
                    actionable: true,
                    notes: Vec::new(),
                };
                let mut effects = self.propose_fix(fix, &finding);
                if matches!(self.mode, crate::app::model::Mode::Confirm(_)) {
                    self.notify(
                        Level::Warn,
                        format!("{target} failed and left the invalid index {left}: drop it?"),
                    );
                }
                effects.push(Effect::RefreshNow);
                effects
            }
            Ok(_) => Vec::new(),
            Err(err) => {
                self.notify(
                    Level::Warn,
                    format!("{target} failed; looking for an invalid leftover failed: {err}"),
                );
                Vec::new()
            }
        }
    }

    fn after_followup(&mut self, followup: Followup) {
        let followups = &mut self.indexes.followups;
        followups.retain(|f| f.index != followup.index);
        if followup.measured_over.is_some() {
            self.notify(
                Level::Ok,
                format!(
                    "{}: statements timed over the interval since it was built (4 Indexes)",
                    followup.index
                ),
            );
        }
        self.indexes.followups.push(followup);
    }

    fn after_saved(&mut self, saved: Part<SavedReview>) {
        match &saved {
            Ok(files) => self.notify(
                Level::Ok,
                format!(
                    "review written: {} and {}",
                    files.migration.display(),
                    files.report.display()
                ),
            ),
            Err(err) => self.notify(
                Level::Critical,
                format!("the review could not be written: {err}"),
            ),
        }
        self.indexes.saved = Some(saved);
    }
}

/// A REINDEX CONCURRENTLY that failed or was cancelled leaves an invalid index behind: its
/// new copy (`<name>_ccnew`) when it stopped before the swap, the old one (`<name>_ccold`)
/// when it stopped after. Looks for both; what is found is offered for DROP INDEX
/// CONCURRENTLY (by whichever pane started the REINDEX).
pub(crate) fn reindex_leftover_checks(target: &str, schema: &str, name: &str) -> Vec<Effect> {
    ["ccnew", "ccold"]
        .into_iter()
        .map(|label| leftover_check(target, schema, &concurrent_copy_name(name, label)))
        .collect()
}

/// The name PostgreSQL gives a concurrent copy of index `name` (ChooseRelationName): the name
/// cut at a character boundary so that `_label` fits in NAMEDATALEN − 1 (63) bytes.
pub(crate) fn concurrent_copy_name(name: &str, label: &str) -> String {
    const MAX_NAME_BYTES: usize = 63;
    let room = MAX_NAME_BYTES.saturating_sub(label.len() + 1);
    let mut cut = name.len().min(room);
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}_{label}", &name[..cut])
}

fn leftover_check(target: &str, schema: &str, name: &str) -> Effect {
    Effect::Work(Request::Indexes(IndexesRequest::Leftover {
        target: target.to_owned(),
        schema: schema.to_owned(),
        name: name.to_owned(),
    }))
}
