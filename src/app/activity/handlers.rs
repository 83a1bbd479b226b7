//! The model's Activity handlers: refreshes, Enter, and cancel / terminate from proposal to
//! outcome.

use std::fmt::Write as _;

use crate::app::activity::Scope;
use crate::app::effect::Effect;
use crate::app::model::Model;
use crate::collect::APPLICATION_NAME;
use crate::diagnose::health::Level;
use crate::jobs::{JobKind, Outcome, backend};
use crate::snapshot::Part;
use crate::snapshot::activity::ActivitySnapshot;
use crate::work::Request;

impl Model {
    /// A refresh of the Activity pane arrived.
    pub(crate) fn on_activity(&mut self, part: Part<ActivitySnapshot>) -> Vec<Effect> {
        let Some(server) = &self.server else {
            return Vec::new();
        };
        self.activity
            .on_snapshot(part, server, &self.thresholds, self.now);
        self.dirty = true;
        Vec::new()
    }

    /// Enter on the Activity pane.
    pub(crate) fn open_activity(&mut self) -> Vec<Effect> {
        match self.activity.open() {
            Some(read) => vec![Effect::Work(Request::ActivityQuery {
                pid: read.pid,
                backend_start: read.backend_start,
            })],
            None => Vec::new(),
        }
    }

    /// `k` / `K` / `x` / `X`: proposes the signal, or says why not.
    pub(crate) fn signal(&mut self, kind: JobKind, scope: Scope) -> Vec<Effect> {
        let Some(server) = self.server.clone() else {
            self.notify(Level::Warn, format!("{}: not connected", kind.name()));
            return Vec::new();
        };
        // What refuses every signal (read-only mode, a standby) comes before any reason about
        // the sessions themselves.
        let placeholder = backend::spec(kind, &[], String::new());
        if let Some(reason) = crate::jobs::refusal(&placeholder, Some(&server), self.read_only) {
            self.notify(Level::Warn, reason);
            return Vec::new();
        }
        let own = self.own_pids();
        match self.activity.signal(kind, scope, &server, &own) {
            Ok(spec) => self.propose(spec),
            Err(why) => {
                self.notify(Level::Warn, why);
                Vec::new()
            }
        }
    }

    /// The console's sessions besides the monitoring one: its jobs, and every session
    /// named like it (the jobs' progress readers, on-demand reads).
    fn own_pids(&self) -> Vec<i32> {
        let jobs = self
            .jobs
            .jobs
            .iter()
            .filter(|j| j.is_running())
            .filter_map(|j| j.pid);
        let named = self
            .activity
            .snapshot
            .iter()
            .flat_map(|s| &s.sessions)
            .filter(|s| s.application == APPLICATION_NAME)
            .map(|s| s.pid);
        jobs.chain(named).collect()
    }

    /// A cancel or terminate finished: say which sessions it reached, and look again at once.
    pub(crate) fn on_signal_finished(
        &mut self,
        kind: JobKind,
        target: &str,
        outcome: &Outcome,
    ) -> Vec<Effect> {
        let what = format!("{} {target}", kind.name());
        match outcome {
            Outcome::Done { rows } => {
                let done = backend::signalled(rows);
                let asked = self.activity.proposed_pids(target).unwrap_or_default();
                let gone: Vec<String> = asked
                    .iter()
                    .filter(|p| !done.contains(p))
                    .map(ToString::to_string)
                    .collect();
                let verb = match kind {
                    JobKind::TerminateBackend => "terminated",
                    _ => "cancelled",
                };
                let done: Vec<String> = done.iter().map(ToString::to_string).collect();
                let mut text = if done.is_empty() {
                    format!("{}: no session signalled", kind.name())
                } else {
                    format!("{verb} {}", done.join(", "))
                };
                if !gone.is_empty() {
                    let _ = write!(
                        text,
                        " ({} left alone: ended, or no longer as listed)",
                        gone.join(", ")
                    );
                }
                let level = if gone.is_empty() {
                    Level::Ok
                } else {
                    Level::Warn
                };
                self.notify(level, text);
            }
            Outcome::Cancelled => self.notify(Level::Warn, format!("{what}: cancelled")),
            Outcome::Failed { error } => self.notify(Level::Critical, format!("{what}: {error}")),
        }
        vec![Effect::RefreshNow]
    }
}
