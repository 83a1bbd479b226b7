//! The Activity pane's state: the latest snapshot and its figures, the usage history, the
//! sessions list (filtered, sorted, the selection following its pid across refreshes), the
//! blocking tree and pools selections, the detail view, and the PgBouncer view.
//!
//! Pure: the model calls in, and gets back the job to propose or the read to start.

mod handlers;
#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::time::Instant;

use crate::diagnose::activity::filter::{Filter, SortKey, select};
use crate::diagnose::activity::signal::{self, Signal, Target};
use crate::diagnose::activity::{self, ActivityView, UsagePoint};
use crate::diagnose::health::Thresholds;
use crate::jobs::{JobKind, JobSpec, backend};
use crate::pgbouncer::PgBouncerSnapshot;
use crate::server::ServerInfo;
use crate::snapshot::Part;
use crate::snapshot::activity::{ActivitySnapshot, Session};

/// How many usage samples the chart keeps (10 minutes at a 1 s refresh).
pub const HISTORY_LEN: usize = 600;

/// The list the selection keys move in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Section {
    #[default]
    Sessions,
    Blocking,
    Pools,
}

impl Section {
    #[must_use]
    pub fn next(self) -> Self {
        match self {
            Section::Sessions => Section::Blocking,
            Section::Blocking => Section::Pools,
            Section::Pools => Section::Sessions,
        }
    }

    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Section::Sessions => "sessions",
            Section::Blocking => "blocking tree",
            Section::Pools => "pools",
        }
    }
}

/// What `k` / `K` act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The selected session, or the selected row of the blocking tree.
    Selected,
    /// Every session the filter lists.
    Filtered,
}

/// The detail view of one session.
#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    pub pid: i32,
    /// The whole query, once read (the list carries its first characters only).
    pub full_query: Option<Result<Option<String>, String>>,
}

/// A read the pane wants done off the monitoring session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryRead {
    pub pid: i32,
    pub backend_start: String,
}

/// The PgBouncer view: its latest read, or why there is none.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PgBouncerState {
    /// `--pgbouncer` was given.
    pub configured: bool,
    pub latest: Option<Result<PgBouncerSnapshot, String>>,
}

/// The Activity pane.
#[derive(Debug, Clone, Default)]
pub struct ActivityState {
    pub snapshot: Option<ActivitySnapshot>,
    pub view: Option<ActivityView>,
    /// Why the latest refresh failed (the previous data stays on screen).
    pub error: Option<String>,
    pub updated_at: Option<Instant>,
    pub history: VecDeque<UsagePoint>,
    pub section: Section,
    pub filter_text: String,
    pub filter: Filter,
    /// What is wrong with the filter text (nothing is listed then).
    pub filter_error: Option<String>,
    pub sort: SortKey,
    pub reverse: bool,
    /// Indices into the snapshot's sessions, as listed.
    pub visible: Vec<usize>,
    /// Row of `visible` selected.
    pub selected: usize,
    selected_pid: Option<i32>,
    pub tree_selected: usize,
    /// The pid selected in the tree and its root's: the selection follows them.
    tree_pids: Option<(i32, i32)>,
    pub pool_selected: usize,
    pub detail: Option<Detail>,
    pub pgbouncer: PgBouncerState,
    /// Signals proposed, by the target text shown for them: the pids they name.
    proposed: Vec<(String, Vec<i32>)>,
}

impl ActivityState {
    /// Folds a refresh in.
    pub fn on_snapshot(
        &mut self,
        part: Part<ActivitySnapshot>,
        server: &ServerInfo,
        thresholds: &Thresholds,
        now: Instant,
    ) {
        let snapshot = match part {
            Ok(snapshot) => snapshot,
            Err(error) => {
                self.error = Some(error);
                return;
            }
        };
        self.error = None;
        let view = activity::build(&snapshot, server, thresholds);
        if self.history.len() == HISTORY_LEN {
            self.history.pop_front();
        }
        self.history.push_back(UsagePoint {
            taken_at: snapshot.taken_at,
            by_state: view.usage.by_state,
        });
        let rows = &view.blocking.rows;
        let at = |pid: i32| rows.iter().position(|r| r.pid == pid);
        // The selected session where it is now; gone, its root; else the same row.
        self.tree_selected = self
            .tree_pids
            .and_then(|(pid, root)| at(pid).or_else(|| at(root)))
            .unwrap_or(self.tree_selected)
            .min(rows.len().saturating_sub(1));
        self.pool_selected = self.pool_selected.min(view.pools.len().saturating_sub(1));
        self.snapshot = Some(snapshot);
        self.view = Some(view);
        self.updated_at = Some(now);
        self.relist();
        self.remember_tree_selection();
    }

    /// The filter text changed: parse it again and list anew.
    pub fn refilter(&mut self) {
        match Filter::parse(&self.filter_text) {
            Ok(filter) => {
                self.filter = filter;
                self.filter_error = None;
            }
            Err(why) => self.filter_error = Some(why),
        }
        self.relist();
    }

    /// Lists the sessions for the filter and order, keeping the selected pid selected.
    fn relist(&mut self) {
        let Some(snapshot) = &self.snapshot else {
            return;
        };
        self.visible = if self.filter_error.is_some() {
            Vec::new()
        } else {
            select(&snapshot.sessions, &self.filter, self.sort, self.reverse)
        };
        let at = self.selected_pid.and_then(|pid| {
            self.visible
                .iter()
                .position(|i| snapshot.sessions[*i].pid == pid)
        });
        self.selected = at.unwrap_or(self.selected.min(self.visible.len().saturating_sub(1)));
        self.remember_selection();
    }

    fn remember_selection(&mut self) {
        self.selected_pid = self.selected_session().map(|s| s.pid);
        self.remember_tree_selection();
    }

    fn remember_tree_selection(&mut self) {
        let Some(tree) = self.view.as_ref().map(|v| &v.blocking) else {
            return;
        };
        self.tree_pids = tree.rows.get(self.tree_selected).map(|row| {
            let root = tree.root_of(self.tree_selected).map_or(row.pid, |r| r.pid);
            (row.pid, root)
        });
    }

    /// The sessions as listed.
    pub fn listed(&self) -> impl Iterator<Item = &Session> {
        let sessions = self.snapshot.as_ref().map_or(&[][..], |s| &s.sessions[..]);
        self.visible.iter().filter_map(|i| sessions.get(*i))
    }

    #[must_use]
    pub fn selected_session(&self) -> Option<&Session> {
        let index = *self.visible.get(self.selected)?;
        self.snapshot.as_ref()?.sessions.get(index)
    }

    /// The session with `pid`, if the snapshot lists it.
    #[must_use]
    pub fn session(&self, pid: i32) -> Option<&Session> {
        self.snapshot
            .as_ref()?
            .sessions
            .iter()
            .find(|s| s.pid == pid)
    }

    /// The pid the selection points at, in the focused list.
    #[must_use]
    pub fn selected_pid(&self) -> Option<i32> {
        match self.section {
            Section::Sessions => self.selected_session().map(|s| s.pid),
            Section::Blocking => Some(
                self.view
                    .as_ref()?
                    .blocking
                    .rows
                    .get(self.tree_selected)?
                    .pid,
            ),
            Section::Pools => None,
        }
    }

    fn rows(&self) -> usize {
        match self.section {
            Section::Sessions => self.visible.len(),
            Section::Blocking => self.view.as_ref().map_or(0, |v| v.blocking.rows.len()),
            Section::Pools => self.view.as_ref().map_or(0, |v| v.pools.len()),
        }
    }

    fn cursor(&mut self) -> &mut usize {
        match self.section {
            Section::Sessions => &mut self.selected,
            Section::Blocking => &mut self.tree_selected,
            Section::Pools => &mut self.pool_selected,
        }
    }

    pub fn move_selection(&mut self, delta: isize) {
        let last = self.rows().saturating_sub(1);
        let cursor = self.cursor();
        *cursor = cursor.saturating_add_signed(delta).min(last);
        self.remember_selection();
    }

    pub fn select_edge(&mut self, last: bool) {
        let row = if last {
            self.rows().saturating_sub(1)
        } else {
            0
        };
        *self.cursor() = row;
        self.remember_selection();
    }

    pub fn next_section(&mut self) {
        self.section = self.section.next();
    }

    /// Sorts by the next column (or the previous one).
    pub fn sort_step(&mut self, forward: bool) {
        self.sort = if forward {
            self.sort.next()
        } else {
            self.sort.prev()
        };
        self.relist();
    }

    pub fn reverse_sort(&mut self) {
        self.reverse = !self.reverse;
        self.relist();
    }

    /// Enter: a session's detail (and the read of its whole query when the list cut it),
    /// or, on a pool, the sessions list filtered to that pool.
    pub fn open(&mut self) -> Option<QueryRead> {
        if self.detail.is_some() {
            self.detail = None;
            return None;
        }
        if self.section == Section::Pools {
            self.filter_to_pool();
            return None;
        }
        let session = self.session(self.selected_pid()?)?;
        let cut = session.query_length > i32::try_from(session.query.chars().count()).unwrap_or(0);
        let read = match (&session.backend_start, cut) {
            (Some(start), true) => Some(QueryRead {
                pid: session.pid,
                backend_start: start.clone(),
            }),
            _ => None,
        };
        self.detail = Some(Detail {
            pid: session.pid,
            full_query: None,
        });
        read
    }

    fn filter_to_pool(&mut self) {
        let Some(pool) = self
            .view
            .as_ref()
            .and_then(|v| v.pools.get(self.pool_selected))
        else {
            return;
        };
        let key = &pool.key;
        let mut words = vec![format!("app:{}", quoted(&key.application))];
        if !key.user.is_empty() {
            words.push(format!("user:{}", quoted(&key.user)));
        }
        if !key.client.is_empty() {
            words.push(format!("client:{}", quoted(&key.client)));
        }
        if !key.database.is_empty() {
            words.push(format!("db:{}", quoted(&key.database)));
        }
        self.filter_text = words.join(" ");
        self.section = Section::Sessions;
        self.refilter();
    }

    /// The whole query of the session in the detail view arrived.
    pub fn on_full_query(&mut self, pid: i32, query: Result<Option<String>, String>) {
        if let Some(detail) = &mut self.detail
            && detail.pid == pid
        {
            detail.full_query = Some(query);
        }
    }

    /// The query to copy: the detail view's whole text, else the selected session's.
    #[must_use]
    pub fn query_to_copy(&self) -> Option<String> {
        if let Some(Detail {
            full_query: Some(Ok(Some(text))),
            ..
        }) = &self.detail
        {
            return Some(text.clone());
        }
        let session = self.session(self.selected_pid()?)?;
        (!session.query.is_empty()).then(|| session.query.clone())
    }

    /// The cancel or terminate job for `scope`, or why there is none. `own` are the console's
    /// other sessions (its jobs).
    pub fn signal(
        &mut self,
        kind: JobKind,
        scope: Scope,
        server: &ServerInfo,
        own: &[i32],
    ) -> Result<JobSpec, String> {
        let what = kind.name();
        let chosen: Vec<&Session> = match scope {
            Scope::Selected => {
                let pid = self.selected_pid().ok_or_else(|| {
                    format!("{what}: select a session or a blocking tree row first")
                })?;
                vec![self.session(pid).ok_or_else(|| {
                    format!("{what}: pid {pid} is not in pg_stat_activity any more")
                })?]
            }
            Scope::Filtered => {
                if let Some(why) = &self.filter_error {
                    return Err(format!("{what}: the filter is wrong: {why}"));
                }
                if self.filter.is_empty() {
                    return Err(format!(
                        "{what} every listed session: set a filter first with / (e.g. \
                         state:\"idle in transaction\" state>5m)"
                    ));
                }
                self.listed().collect()
            }
        };
        let signal = match kind {
            JobKind::TerminateBackend => Signal::Terminate,
            _ => Signal::Cancel,
        };
        let listed = chosen.len();
        let mut targets = signal::targets(chosen, signal, server.privileges, own);
        if targets.allowed.is_empty() {
            return Err(match (scope, targets.refused.as_slice()) {
                (_, []) => format!("{what}: no session is listed"),
                (Scope::Selected, [(pid, why), ..]) => format!("{what} pid {pid}: {why}"),
                (Scope::Filtered, refused) => none_qualifies(what, signal, listed, refused),
            });
        }
        if scope == Scope::Filtered {
            for target in &mut targets.allowed {
                if let Some(session) = self.session(target.pid) {
                    target.recheck = self.filter.recheck(session);
                }
            }
        }
        let label = self.describe_targets(&targets.allowed);
        let mut spec = backend::spec(kind, &targets.allowed, label.clone());
        if scope == Scope::Filtered {
            let warning = spec.warning.take().unwrap_or_default();
            spec.warning = Some(format!(
                "{warning}; each only if it still matches the filter when you confirm (the \
                 server checks it in the same statement): a session that changed since is left \
                 alone"
            ));
        }
        if !targets.refused.is_empty() {
            let left: Vec<String> = targets
                .refused
                .iter()
                .map(|(pid, why)| format!("{pid} ({why})"))
                .collect();
            let warning = spec.warning.take().unwrap_or_default();
            spec.warning = Some(format!("{warning}; left out: {}", left.join(", ")));
        }
        self.proposed
            .push((label, targets.allowed.iter().map(|t| t.pid).collect()));
        if self.proposed.len() > 16 {
            self.proposed.remove(0);
        }
        Ok(spec)
    }

    /// "pid 4242 (backoffice, idle in transaction; blocks 2 sessions)", or the pids.
    fn describe_targets(&self, targets: &[Target]) -> String {
        let pids = backend::pids_label(targets);
        let [one] = targets else {
            return pids;
        };
        let Some(session) = self.session(one.pid) else {
            return pids;
        };
        let mut about = vec![];
        if !session.application.is_empty() {
            about.push(session.application.clone());
        }
        if !session.state.as_str().is_empty() {
            about.push(session.state.as_str().to_owned());
        }
        let blocks = self
            .view
            .as_ref()
            .and_then(|v| v.blocking.rows.iter().find(|r| r.pid == one.pid))
            .map_or(0, |r| r.blocked_count);
        let mut text = format!("{pids} ({}", about.join(", "));
        if blocks > 0 {
            let _ = write!(text, "; blocks {blocks} session{}", plural(blocks));
        }
        text.push(')');
        text
    }

    /// The pids a proposed signal named, by its target text.
    #[must_use]
    pub fn proposed_pids(&self, target: &str) -> Option<&[i32]> {
        self.proposed
            .iter()
            .rev()
            .find(|(t, _)| t == target)
            .map(|(_, pids)| pids.as_slice())
    }
}

/// Why a signal for the listed sessions has nothing to do: "none of the 5 listed sessions is
/// running a statement", or the first reasons.
fn none_qualifies(what: &str, signal: Signal, listed: usize, refused: &[(i32, String)]) -> String {
    let (sessions, not) = if listed == 1 {
        ("the listed session".to_owned(), "not ")
    } else {
        (format!("none of the {listed} listed sessions"), "")
    };
    if signal == Signal::Cancel && refused.iter().all(|(_, why)| why.starts_with("idle")) {
        return format!(
            "{what}: {sessions} is {not}running a statement (a cancel stops a running \
             statement only; X terminates)"
        );
    }
    let reasons: Vec<String> = refused
        .iter()
        .take(3)
        .map(|(pid, why)| format!("{pid}: {why}"))
        .collect();
    let more = match refused.len().saturating_sub(3) {
        0 => String::new(),
        n => format!("; {n} more"),
    };
    let may = if listed == 1 { "may not" } else { "may" };
    format!(
        "{what}: {sessions} {may} be signalled ({}{more})",
        reasons.join("; ")
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A filter value, quoted when it has spaces.
fn quoted(value: &str) -> String {
    if value.contains(char::is_whitespace) {
        format!("\"{value}\"")
    } else {
        value.to_owned()
    }
}
