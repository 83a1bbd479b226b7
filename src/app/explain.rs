//! The Explain pane's state: the plan on screen (and the one before it, for comparing), the
//! tree's collapsed nodes, the selection, the SQL editor, and the EXPLAIN in flight.
//!
//! Pure: no I/O. The model turns the DBA's keys into calls here and the requests these
//! return into `Effect::Work`.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent};
use ratatui_textarea::TextArea;

use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::model::{Mode, Model, humanize};
use crate::app::pane::Pane;
use crate::cli::parse_interval;
use crate::diagnose::health::Level;
use crate::explain::run::{ExplainOutcome, ExplainRequest, How, prepare};
use crate::explain::statement::{Kinship, Statement, kinship, same_text};
use crate::plan::compare::{self, Diff};
use crate::plan::layout::{self, Row};
use crate::plan::{NodeId, Plan};
use crate::work::Request;

/// statement_timeout of an EXPLAIN unless the DBA sets another (`:timeout 2m`).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The notice when a statement from the Queries pane replaced SQL the DBA typed.
const KEPT: &str = "the SQL you typed is kept: u brings it back";
/// Earlier plans kept for comparing (this session's last ones).
pub const HISTORY: usize = 8;

/// How the plan is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    /// The plan tree, collapsible.
    #[default]
    Tree,
    /// Every node, heaviest self time first.
    Flat,
    /// An earlier plan against this one.
    Compare,
}

/// A plan on screen, with where it came from.
#[derive(Debug, Clone)]
pub struct Shown {
    pub plan: Plan,
    /// The statement explained (none for a plan read from a file).
    pub sql: Option<String>,
    /// How it was obtained (none for a file).
    pub how: Option<How>,
    /// "EXPLAIN ANALYZE", "generic plan", a file name.
    pub source: String,
}

/// What keys typed into the pane go to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// The SQL editor.
    Editor,
    /// The question before an EXPLAIN ANALYZE runs the statement.
    ConfirmAnalyze(Statement),
}

/// An EXPLAIN in flight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Running {
    pub id: u64,
    pub analyze: bool,
    pub since: Instant,
    /// The DBA asked to cancel it; the answer is on its way.
    pub cancelling: bool,
    /// The editor's text it was asked for.
    pub asked: String,
}

/// The Explain pane.
#[derive(Debug, Clone)]
pub struct ExplainState {
    pub editor: TextArea<'static>,
    pub view: View,
    pub shown: Option<Shown>,
    /// The plans shown before the current one this session, newest first (at most
    /// [`HISTORY`]), for comparing.
    pub history: VecDeque<Shown>,
    /// Index into `history` of the plan compared with; `None` until the DBA picks one (`C`),
    /// then the latest plan of the same statement, else the plan just before.
    pub before: Option<usize>,
    /// How the compared plans' statements relate (`None`: a plan read from a file has none).
    pub kinship: Option<Kinship>,
    /// Per node of the shown plan: its children are hidden.
    pub collapsed: Vec<bool>,
    /// Selected row of the current view.
    pub selected: usize,
    /// The detail panel of the selected node is open.
    pub detail: bool,
    /// Lines of the detail panel scrolled off its top (PgDn / PgUp, Ctrl-d / Ctrl-u).
    pub detail_scroll: u16,
    pub filter: String,
    pub timeout: Duration,
    pub input: Option<Input>,
    pub running: Option<Running>,
    next_id: u64,
    /// The last EXPLAIN's error, shown until the next one.
    pub error: Option<String>,
    /// The editor's text the failed EXPLAIN was asked for.
    pub failed: Option<String>,
    /// The editor's text the plan on screen was asked for (a plan shown otherwise: its SQL).
    pub asked: Option<String>,
    /// The DBA changed the editor's text since it was last set.
    pub typed: bool,
    /// The DBA's text that a statement from the Queries pane replaced (`u` brings it back).
    pub stash: Option<String>,
    /// Rows of the current view (tree or flat), kept in step with the plan, the collapsed
    /// nodes and the filter.
    pub rows: Vec<Row>,
    pub flat: Vec<NodeId>,
    pub diff: Option<Diff>,
    /// Plans read from files, no server: no editor.
    pub viewer: bool,
}

impl Default for ExplainState {
    fn default() -> Self {
        let mut editor = TextArea::default();
        editor.set_placeholder_text("type a statement, Esc, then x to EXPLAIN it or a to ANALYZE");
        Self {
            editor,
            view: View::Tree,
            shown: None,
            history: VecDeque::new(),
            before: None,
            kinship: None,
            collapsed: Vec::new(),
            selected: 0,
            detail: false,
            detail_scroll: 0,
            filter: String::new(),
            timeout: DEFAULT_TIMEOUT,
            input: None,
            running: None,
            next_id: 1,
            error: None,
            failed: None,
            asked: None,
            typed: false,
            stash: None,
            rows: Vec::new(),
            flat: Vec::new(),
            diff: None,
            viewer: false,
        }
    }
}

impl ExplainState {
    /// The editor's text.
    #[must_use]
    pub fn sql(&self) -> String {
        self.editor.lines().join("\n")
    }

    /// Replaces the editor's text.
    pub fn set_sql(&mut self, sql: impl Into<String>) {
        let sql: String = sql.into();
        let mut editor = TextArea::new(sql.lines().map(str::to_owned).collect());
        editor.set_placeholder_text("type a statement, Esc, then x to EXPLAIN it or a to ANALYZE");
        self.editor = editor;
        self.typed = false;
    }

    /// Puts a statement from another pane in the editor; text the DBA typed there is kept
    /// for `u` (true when it was).
    pub fn replace_sql(&mut self, sql: String) -> bool {
        let mine = self.sql();
        let keep = self.typed && !mine.trim().is_empty() && !same_text(&mine, &sql);
        if keep {
            self.stash = Some(mine);
        }
        self.set_sql(sql);
        keep
    }

    /// `u`: swaps the editor's text with the one kept (`u` again swaps back); false when
    /// nothing is kept.
    pub fn restore_sql(&mut self) -> bool {
        let Some(kept) = self.stash.take() else {
            return false;
        };
        self.stash = Some(self.sql());
        self.set_sql(kept);
        self.typed = true;
        true
    }

    /// The plan on screen was asked for another text than the one in the editor (`None`: it
    /// was not, the editor is empty, or there is no editor).
    #[must_use]
    pub fn plan_of_another(&self) -> Option<&str> {
        self.shown.as_ref()?;
        let asked = self.asked.as_deref()?;
        let sql = self.sql();
        (!self.viewer && !sql.trim().is_empty() && !same_text(asked, &sql)).then_some(asked)
    }

    /// The failed EXPLAIN was asked for another text than the editor's.
    #[must_use]
    pub fn failure_of_another(&self) -> Option<&str> {
        let failed = self.failed.as_deref()?;
        (!same_text(failed, &self.sql())).then_some(failed)
    }

    /// Shows `shown`, keeping the plans before it for comparing.
    pub fn show(&mut self, shown: Shown) {
        self.collapsed = vec![false; shown.plan.nodes.len()];
        if let Some(old) = self.shown.take() {
            self.history.push_front(old);
            self.history.truncate(HISTORY);
        }
        self.asked.clone_from(&shown.sql);
        self.shown = Some(shown);
        self.before = None;
        self.selected = 0;
        if self.view == View::Compare && self.history.is_empty() {
            self.view = View::Tree;
        }
        self.relayout();
    }

    /// The plan the compare view compares with: the one the DBA picked, else the latest
    /// earlier plan of the same statement, else the plan just before.
    #[must_use]
    pub fn before(&self) -> Option<(usize, &Shown)> {
        let at = self
            .before
            .unwrap_or_else(|| self.same_statement().unwrap_or(0));
        self.history.get(at).map(|shown| (at, shown))
    }

    /// The latest earlier plan of the statement on screen (other values count as the same).
    fn same_statement(&self) -> Option<usize> {
        let now = self.shown.as_ref()?.sql.as_deref()?;
        self.history.iter().position(|old| {
            old.sql
                .as_deref()
                .is_some_and(|sql| kinship(sql, now) != Kinship::Different)
        })
    }

    /// `C`: compares with the next older plan of the session (round to the newest after the
    /// oldest); false when there is none to compare with.
    pub fn older_plan(&mut self) -> bool {
        if self.history.is_empty() || self.shown.is_none() {
            return false;
        }
        let next = if self.view == View::Compare {
            self.before()
                .map_or(0, |(at, _)| (at + 1) % self.history.len())
        } else {
            self.before().map_or(0, |(at, _)| at)
        };
        self.before = Some(next);
        self.view = View::Compare;
        self.selected = 0;
        self.relayout();
        true
    }

    /// Shows two plans read from files: `before` kept for comparing, `after` on screen.
    pub fn show_pair(&mut self, before: Shown, after: Shown) {
        self.show(before);
        self.show(after);
        self.view = View::Compare;
        self.relayout();
    }

    /// Recomputes the rows after the plan, the collapsed nodes, the view or the filter
    /// changed, keeping the selected node selected where it is still visible.
    pub fn relayout(&mut self) {
        let keep = self.selected_node();
        self.rows.clear();
        self.flat.clear();
        self.diff = None;
        let Some(shown) = &self.shown else {
            self.selected = 0;
            return;
        };
        let plan = &shown.plan;
        match self.view {
            View::Tree => self.rows = layout::tree_rows(plan, &self.collapsed, &self.filter),
            View::Flat => self.flat = layout::flat_rows(plan, &self.filter),
            View::Compare => {
                let before = self.before().map(|(_, before)| before);
                let diff = before.map(|before| compare::compare(&before.plan, plan));
                let kin = before
                    .and_then(|before| before.sql.as_deref().zip(shown.sql.as_deref()))
                    .map(|(a, b)| kinship(a, b));
                (self.diff, self.kinship) = (diff, kin);
            }
        }
        let count = self.row_count();
        self.selected = keep
            .and_then(|id| self.position_of(id))
            .unwrap_or(self.selected)
            .min(count.saturating_sub(1));
    }

    /// Rows in the current view.
    #[must_use]
    pub fn row_count(&self) -> usize {
        match self.view {
            View::Tree => self.rows.len(),
            View::Flat => self.flat.len(),
            View::Compare => self.diff.as_ref().map_or(0, |d| d.rows.len()),
        }
    }

    fn position_of(&self, id: NodeId) -> Option<usize> {
        match self.view {
            View::Tree => self.rows.iter().position(|r| r.id == id),
            View::Flat => self.flat.iter().position(|n| *n == id),
            View::Compare => None,
        }
    }

    /// The node of the shown plan under the selection (none in the compare view).
    #[must_use]
    pub fn selected_node(&self) -> Option<NodeId> {
        match self.view {
            View::Tree => self.rows.get(self.selected).map(|r| r.id),
            View::Flat => self.flat.get(self.selected).copied(),
            View::Compare => self
                .diff
                .as_ref()
                .and_then(|d| d.rows.get(self.selected))
                .and_then(|r| r.after),
        }
    }

    pub fn move_selection(&mut self, delta: isize) {
        let last = self.row_count().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
        self.detail_scroll = 0;
    }

    /// Scrolls the detail panel by `delta` lines, no further than the selected node's
    /// properties go (the panel never shows fewer than its last lines).
    pub fn scroll_detail(&mut self, delta: isize) {
        let most = self
            .shown
            .as_ref()
            .zip(self.selected_node())
            .map_or(0, |(shown, id)| shown.plan.nodes[id].props.0.len() + 20);
        let scrolled = usize::from(self.detail_scroll).saturating_add_signed(delta);
        self.detail_scroll = u16::try_from(scrolled.min(most)).unwrap_or(u16::MAX);
    }

    pub fn select_edge(&mut self, last: bool) {
        self.selected = if last {
            self.row_count().saturating_sub(1)
        } else {
            0
        };
    }

    /// Space: hides or shows the selected node's children.
    pub fn toggle_selected(&mut self) -> bool {
        let Some(id) = self.selected_node().filter(|_| self.view == View::Tree) else {
            return false;
        };
        let has_children = self
            .shown
            .as_ref()
            .is_some_and(|s| !s.plan.nodes[id].children.is_empty());
        if !has_children {
            return false;
        }
        if let Some(c) = self.collapsed.get_mut(id) {
            *c = !*c;
        }
        self.relayout();
        true
    }

    pub fn expand_all(&mut self) {
        self.collapsed.iter_mut().for_each(|c| *c = false);
        self.view = View::Tree;
        self.relayout();
    }

    /// Collapses every subtree off the heaviest path.
    pub fn collapse_off_path(&mut self) {
        if let Some(shown) = &self.shown {
            self.collapsed = layout::collapse_off_path(&shown.plan);
            self.view = View::Tree;
            self.relayout();
        }
    }

    /// Switches between the tree and the flat view.
    pub fn toggle_flat(&mut self) {
        self.view = if self.view == View::Flat {
            View::Tree
        } else {
            View::Flat
        };
        self.selected = 0;
        self.relayout();
    }

    /// Switches the compare view on or off; false when there is no previous plan.
    pub fn toggle_compare(&mut self) -> bool {
        if self.view == View::Compare {
            self.view = View::Tree;
        } else if !self.history.is_empty() && self.shown.is_some() {
            self.view = View::Compare;
            self.selected = 0;
        } else {
            return false;
        }
        self.relayout();
        true
    }

    /// A request for the editor's SQL, or why it cannot run; an ANALYZE first asks (see
    /// `Input::ConfirmAnalyze`) and returns nothing yet.
    pub fn ask(
        &mut self,
        analyze: bool,
        server_version_num: u32,
        now: Instant,
    ) -> Result<Option<ExplainRequest>, String> {
        let statement = prepare(&self.sql(), analyze)?;
        if analyze {
            self.input = Some(Input::ConfirmAnalyze(statement));
            return Ok(None);
        }
        Ok(Some(self.request(
            statement.text,
            false,
            server_version_num,
            now,
        )))
    }

    /// The DBA said yes to the ANALYZE waiting for it.
    pub fn confirmed(&mut self, server_version_num: u32, now: Instant) -> Option<ExplainRequest> {
        match self.input.take() {
            Some(Input::ConfirmAnalyze(statement)) => {
                Some(self.request(statement.text, true, server_version_num, now))
            }
            other => {
                self.input = other;
                None
            }
        }
    }

    fn request(
        &mut self,
        sql: String,
        analyze: bool,
        server_version_num: u32,
        now: Instant,
    ) -> ExplainRequest {
        let id = self.next_id;
        self.next_id += 1;
        self.running = Some(Running {
            id,
            analyze,
            since: now,
            cancelling: false,
            asked: self.sql(),
        });
        self.error = None;
        self.failed = None;
        ExplainRequest {
            id,
            sql,
            analyze,
            timeout: self.timeout,
            server_version_num,
        }
    }

    /// An answer came back; false when it was for an older request (dropped).
    pub fn on_outcome(&mut self, outcome: ExplainOutcome) -> bool {
        let Some(running) = self.running.take_if(|r| r.id == outcome.id) else {
            return false;
        };
        match outcome.result {
            Ok(explained) => {
                let source = match explained.how {
                    How::Estimate => "EXPLAIN".to_owned(),
                    How::Generic => "EXPLAIN (generic plan)".to_owned(),
                    How::Analyze { modifies: false } => "EXPLAIN ANALYZE (rolled back)".to_owned(),
                    How::Analyze { modifies: true } => {
                        "EXPLAIN ANALYZE (changes rolled back)".to_owned()
                    }
                };
                self.show(Shown {
                    plan: explained.plan,
                    sql: Some(explained.sql),
                    how: Some(explained.how),
                    source,
                });
                self.asked = Some(running.asked);
            }
            Err(error) => {
                self.error = Some(error);
                self.failed = Some(running.asked);
            }
        }
        true
    }

    /// A key typed while the pane has the keyboard (editor or confirmation); returns what it
    /// means for the model.
    pub fn on_input_key(&mut self, key: KeyEvent) -> InputOutcome {
        match &self.input {
            Some(Input::Editor) => {
                if key.code == KeyCode::Esc {
                    self.input = None;
                    return InputOutcome::Done;
                }
                if self.editor.input(key) {
                    self.typed = true;
                }
                InputOutcome::Typing
            }
            Some(Input::ConfirmAnalyze(_)) => match key.code {
                KeyCode::Char('y') | KeyCode::Enter => InputOutcome::Confirmed,
                _ => {
                    self.input = None;
                    InputOutcome::Cancelled
                }
            },
            None => InputOutcome::Done,
        }
    }
}

/// What a key typed into the pane's input came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputOutcome {
    /// Still typing.
    Typing,
    /// The input closed.
    Done,
    /// The ANALYZE waiting for a yes got it.
    Confirmed,
    /// The ANALYZE waiting for a yes was refused.
    Cancelled,
}

// ─── The model's side ───────────────────────────────────────────────────────────────────────

impl Model {
    /// Opens `sql` in the Explain pane (the Queries pane's `e` / `E`): the pane comes into
    /// sight with the SQL in the editor. Without `analyze` it is explained at once (the
    /// generic plan when it has `$n` parameters); with `analyze` the DBA first fills in the
    /// parameters (the editor opens) and confirms, since ANALYZE runs the statement.
    pub fn explain_statement(&mut self, sql: String, analyze: bool) -> Vec<Effect> {
        let mut effects = self.apply(Action::GoTo(Pane::Explain));
        let kept = self.explain.replace_sql(sql);
        self.explain.input = None;
        self.mode = Mode::Normal;
        let action = if analyze {
            Action::ExplainAnalyze
        } else {
            Action::Explain
        };
        if kept {
            self.notify(Level::Ok, KEPT);
        }
        let notice = self.notice.clone();
        effects.extend(self.explain_action(action));
        // What the EXPLAIN says (fill in $1…) comes first; the kept SQL is not forgotten.
        if kept
            && self.notice != notice
            && let Some(said) = &mut self.notice
        {
            said.text = format!("{} · {KEPT}", said.text);
        }
        effects
    }

    /// The Explain pane's own actions.
    pub(crate) fn explain_action(&mut self, action: Action) -> Vec<Effect> {
        self.dirty = true;
        let state = &mut self.explain;
        match action {
            Action::ToggleNode => {
                state.toggle_selected();
            }
            Action::ExpandAll => state.expand_all(),
            Action::CollapseOffPath => state.collapse_off_path(),
            Action::FlatView => state.toggle_flat(),
            Action::ComparePlans if !state.toggle_compare() => {
                self.notify(
                    Level::Warn,
                    "nothing to compare yet: the plan before this one is compared with it",
                );
            }
            Action::OlderPlan if !state.older_plan() => {
                self.notify(
                    Level::Warn,
                    "nothing to compare yet: C picks which earlier plan of this session to compare",
                );
            }
            Action::RestoreSql if !state.restore_sql() => {
                self.notify(
                    Level::Warn,
                    "no other SQL kept: u brings back the SQL you typed \
                     after e or E in the Queries pane replaced it",
                );
            }
            Action::EditSql => {
                state.input = Some(Input::Editor);
                self.mode = Mode::Input;
            }
            Action::Explain => return self.start_explain(false),
            Action::ExplainAnalyze => return self.start_explain(true),
            _ => {}
        }
        Vec::new()
    }

    /// Checks the editor's SQL and starts an EXPLAIN (or asks before an ANALYZE).
    fn start_explain(&mut self, analyze: bool) -> Vec<Effect> {
        if let Some(running) = &mut self.explain.running {
            // `x` again cancels the one running.
            if analyze {
                self.notify(Level::Warn, "an EXPLAIN is running already: x cancels it");
                return Vec::new();
            }
            running.cancelling = true;
            let id = running.id;
            self.notify(Level::Ok, "cancelling the EXPLAIN…");
            return vec![Effect::Work(Request::CancelExplain(id))];
        }
        let Some(server) = self.server.clone() else {
            self.notify(Level::Warn, "no server: this plan viewer only reads plans");
            return Vec::new();
        };
        match self.explain.ask(analyze, server.version_num, self.now) {
            Ok(Some(request)) => vec![Effect::Work(Request::Explain(request))],
            Ok(None) => {
                if let Some(Input::ConfirmAnalyze(statement)) = &self.explain.input
                    && statement.modifies
                    && let Some(reason) = self.refuse_changes(server.is_standby)
                {
                    self.explain.input = None;
                    self.notify(Level::Warn, reason);
                    return Vec::new();
                }
                self.mode = Mode::Input;
                Vec::new()
            }
            Err(reason) => {
                if reason.starts_with("fill in") || self.explain.sql().trim().is_empty() {
                    self.explain.input = Some(Input::Editor);
                    self.mode = Mode::Input;
                }
                self.notify(Level::Warn, reason);
                Vec::new()
            }
        }
    }

    /// Why a data-changing statement may not run under ANALYZE here, even rolled back.
    fn refuse_changes(&self, standby: bool) -> Option<String> {
        if self.read_only {
            Some(
                "--read-only: EXPLAIN ANALYZE of a statement that changes data is refused \
                 (x explains it without running it)"
                    .to_owned(),
            )
        } else if standby {
            Some("a standby cannot run a statement that changes data (x explains it)".to_owned())
        } else {
            None
        }
    }

    /// A key while the pane has the keyboard (`Mode::Input`).
    pub(crate) fn explain_input(&mut self, key: KeyEvent) -> Vec<Effect> {
        match self.explain.on_input_key(key) {
            InputOutcome::Typing => Vec::new(),
            InputOutcome::Done => {
                self.mode = Mode::Normal;
                Vec::new()
            }
            InputOutcome::Cancelled => {
                self.mode = Mode::Normal;
                self.notify(Level::Ok, "cancelled: nothing was run");
                Vec::new()
            }
            InputOutcome::Confirmed => {
                self.mode = Mode::Normal;
                let version = self.server.as_ref().map_or(0, |s| s.version_num);
                match self.explain.confirmed(version, self.now) {
                    Some(request) => vec![Effect::Work(Request::Explain(request))],
                    None => Vec::new(),
                }
            }
        }
    }

    /// An EXPLAIN came back.
    pub(crate) fn on_explain(&mut self, outcome: ExplainOutcome) -> Vec<Effect> {
        if !self.explain.on_outcome(outcome) {
            return Vec::new();
        }
        self.dirty = true;
        if self.explain.error.as_deref() == Some(crate::explain::run::CANCELLED) {
            self.explain.error = None;
            self.explain.failed = None;
            self.notify(Level::Ok, "EXPLAIN cancelled");
        } else if let Some(error) = &self.explain.error {
            let text = format!("EXPLAIN failed: {error}");
            self.notify(Level::Warn, text);
        } else {
            let warnings = self.explain.shown.as_ref().map_or(0, |s| {
                s.plan.nodes.iter().map(|n| n.metrics.warnings.len()).sum()
            });
            let text = match warnings {
                0 => "plan ready".to_owned(),
                1 => "plan ready: 1 warning".to_owned(),
                n => format!("plan ready: {n} warnings"),
            };
            self.notify(Level::Ok, text);
        }
        Vec::new()
    }

    /// `:timeout` shows the EXPLAIN statement_timeout, `:timeout 2m` sets it.
    pub(crate) fn explain_timeout(&mut self, value: Option<&str>) -> Vec<Effect> {
        match value.map(parse_interval) {
            None => {
                let text = format!("EXPLAIN timeout {}", humanize(self.explain.timeout));
                self.notify(Level::Ok, text);
            }
            Some(Ok(timeout)) => {
                self.explain.timeout = timeout;
                let text = format!("EXPLAIN timeout set to {}", humanize(timeout));
                self.notify(Level::Ok, text);
            }
            Some(Err(err)) => self.notify(Level::Warn, err),
        }
        Vec::new()
    }
}

#[cfg(test)]
#[path = "explain_tests.rs"]
mod tests;
