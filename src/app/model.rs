//! The console's state and its one update function.
//!
//! `Model::update` is pure and synchronous: no I/O, no await, no terminal. It folds a message
//! into the state and returns what should happen next as `Effect`s. One helper per message
//! family keeps it small.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};

use crate::advisor::{Advice, AdviseOptions};
use crate::app::action::Action;
use crate::app::activity::{ActivityState, Scope};
use crate::app::bloat::BloatState;
use crate::app::effect::Effect;
use crate::app::explain::ExplainState;
use crate::app::indexes::{IndexesEvent, IndexesState};
use crate::app::jobs::JobsState;
use crate::app::keymap;
use crate::app::msg::{ConnEvent, Msg};
use crate::app::pane::Pane;
use crate::app::queries::QueriesState;
use crate::app::settings::SettingsState;
use crate::cli::parse_interval;
use crate::diagnose::health::{Level, Thresholds};
pub use crate::diagnose::history::HistoryPoint;
use crate::diagnose::overview::{self, Overview};
use crate::diagnose::window::Recent;
use crate::jobs::{JobEvent, JobKind, JobSpec, Outcome, refusal};
use crate::review::Decision;
use crate::server::ServerInfo;
use crate::snapshot::OverviewSnapshot;
use crate::snapshot::queries::QueriesSnapshot;
use crate::snapshot::settings::SettingsSnapshot;
use crate::work::Request;

/// How many history points the charts keep (10 minutes at a 1 s refresh).
pub const HISTORY_LEN: usize = 600;
/// Terminals smaller than this get a notice instead of a squeezed layout.
pub const MIN_SIZE: (u16, u16) = (80, 24);
/// How long a notice stays in the status bar.
const NOTICE_TTL: Duration = Duration::from_secs(5);

/// What the keyboard is talking to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Normal,
    /// The `?` help popup.
    Help,
    /// The `:` command line, with what has been typed.
    Command(String),
    /// `/`: typing into the focused pane's filter (`Model::filter_mut`).
    Filter,
    /// An action waits for the DBA's confirmation.
    Confirm(Confirm),
    /// Keys go to the focused pane's own input (the Explain pane's SQL editor, or its
    /// question before an EXPLAIN ANALYZE).
    Input,
    /// `q` while jobs run: quitting cancels them, so it asks first.
    ConfirmQuit,
}

/// An action shown with its exact SQL, waiting for a yes (or for its word, typed out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub spec: JobSpec,
    /// What has been typed so far, for kinds confirmed by typing a word.
    pub typed: String,
}

/// The monitoring connection as the status bar shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum ConnState {
    Connecting,
    Up {
        since: Instant,
    },
    Down {
        error: String,
        attempt: u32,
        retry_at: Instant,
    },
}

/// A one-line message in the status bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub level: Level,
    pub text: String,
    pub at: Instant,
}

/// The Overview pane's state.
#[derive(Debug, Clone)]
pub struct OverviewState {
    /// The figures of the latest refresh.
    pub view: Option<Overview>,
    /// The recent snapshots: the latest, the one before (rates) and the base of the
    /// statements' window.
    pub recent: Recent<OverviewSnapshot>,
    pub history: VecDeque<HistoryPoint>,
    /// When the latest snapshot arrived (local clock).
    pub updated_at: Option<Instant>,
    /// Selected row of the top statements.
    pub selected: usize,
}

impl Default for OverviewState {
    fn default() -> Self {
        Self {
            view: None,
            recent: Recent::new(overview::TOP_WINDOW_SECS, overview::TOP_WINDOW_SAMPLES),
            history: VecDeque::new(),
            updated_at: None,
            selected: 0,
        }
    }
}

/// The whole state of the console.
#[derive(Debug, Clone)]
pub struct Model {
    pub pane: Pane,
    pub mode: Mode,
    /// `user@host:port/db` of the monitored server (never with a password).
    pub target: String,
    pub server: Option<ServerInfo>,
    pub conn: ConnState,
    pub overview: OverviewState,
    pub queries: QueriesState,
    pub activity: ActivityState,
    pub jobs: JobsState,
    pub explain: ExplainState,
    pub indexes: IndexesState,
    pub bloat: BloatState,
    /// Boxed: the snapshots it keeps would make every model (and every copy in tests) large.
    pub settings: Box<SettingsState>,
    pub refresh: Duration,
    pub read_only: bool,
    pub thresholds: Thresholds,
    pub now: Instant,
    pub size: (u16, u16),
    pub notice: Option<Notice>,
    /// The index advisor's latest answer (see [`Model::request_advice`]).
    pub advice: Option<Result<Advice, String>>,
    /// Something visible changed since the last draw.
    pub dirty: bool,
}

impl Model {
    #[must_use]
    pub fn new(target: String, refresh: Duration, read_only: bool, now: Instant) -> Self {
        Self {
            pane: Pane::default(),
            mode: Mode::Normal,
            target,
            server: None,
            conn: ConnState::Connecting,
            overview: OverviewState::default(),
            queries: QueriesState::default(),
            activity: ActivityState::default(),
            jobs: JobsState::default(),
            explain: ExplainState::default(),
            indexes: IndexesState::default(),
            bloat: BloatState::default(),
            settings: Box::default(),
            refresh,
            read_only,
            thresholds: Thresholds::default(),
            now,
            size: MIN_SIZE,
            notice: None,
            advice: None,
            dirty: true,
        }
    }

    /// The effect that runs the index advisor on a session of its own (once the server is
    /// known), with the Indexes pane's write rates of the last minute; its answer arrives as
    /// `Msg::Advice` and lands in `advice`.
    #[must_use]
    pub fn request_advice(&self) -> Option<Effect> {
        let server = self.server.clone()?;
        Some(Effect::Work(Request::Advise {
            server: Box::new(server),
            options: AdviseOptions {
                table_writes: self.indexes.write_rates(),
                ..AdviseOptions::default()
            },
        }))
    }

    /// The advisor answered: its suggestions join the Indexes pane's findings, and why they
    /// are unverified (no HypoPG) is said there.
    fn on_advice(&mut self, advice: Result<Advice, String>) -> Vec<Effect> {
        let suggestions = advice
            .as_ref()
            .map(|a| a.suggestions.clone())
            .map_err(Clone::clone);
        let effects = self.on_indexes(IndexesEvent::Suggestions(suggestions));
        if let Ok(Advice {
            unverified_reason: Some(reason),
            ..
        }) = &advice
        {
            self.indexes.suggestions_note = Some(reason.clone());
        }
        self.advice = Some(advice);
        effects
    }

    /// Folds one message into the state; returns what the loop should do next.
    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Key(key) if key.kind != KeyEventKind::Release => self.on_key(key),
            Msg::Key(_) => Vec::new(),
            Msg::Mouse(mouse) => self.on_mouse(mouse),
            Msg::Resize(w, h) => {
                self.size = (w, h);
                self.dirty = true;
                Vec::new()
            }
            Msg::Tick(now) => self.on_tick(now),
            Msg::Snapshot(snapshot) => self.on_snapshot(*snapshot),
            Msg::Queries(snapshot) => self.on_queries(*snapshot),
            Msg::Settings(snapshot) => self.on_settings(*snapshot),
            Msg::Conn(event) => self.on_conn(event),
            Msg::Activity(part) => self.on_activity(*part),
            Msg::ActivityQuery { pid, query } => {
                self.activity.on_full_query(pid, query);
                self.dirty = true;
                Vec::new()
            }
            Msg::PgBouncer(result) => {
                self.activity.pgbouncer.latest = Some(*result);
                self.dirty = self.dirty || self.pane == Pane::Activity;
                Vec::new()
            }
            Msg::Job(event) => self.on_job(&event),
            Msg::Explain(outcome) => self.on_explain(*outcome),
            Msg::Advice(advice) => self.on_advice(*advice),
            Msg::Indexes(event) => self.on_indexes(*event),
            Msg::Bloat(snapshot) => self.on_bloat(*snapshot),
            Msg::BloatExact(reply) => self.on_bloat_exact(*reply),
            Msg::Shutdown => vec![Effect::Quit],
        }
    }

    /// The latest data is older than it should be (connection down or refreshes late).
    #[must_use]
    pub fn is_stale(&self) -> bool {
        match self.overview.updated_at {
            None => false,
            Some(at) => {
                !matches!(self.conn, ConnState::Up { .. })
                    || self.now.saturating_duration_since(at)
                        > self.refresh * 3 + Duration::from_secs(2)
            }
        }
    }

    /// Seconds since the latest refresh arrived.
    #[must_use]
    pub fn refresh_age(&self) -> Option<Duration> {
        self.overview
            .updated_at
            .map(|at| self.now.saturating_duration_since(at))
    }

    /// The columns of a tab bar `width` wide left for the tabs once the server's name
    /// (`user@host:port/db pgmedic `) has its place on the right.
    #[must_use]
    pub fn tab_room(&self, width: u16) -> u16 {
        let target = self.target.chars().count() + " pgmedic ".len();
        width.saturating_sub(u16::try_from(target).unwrap_or(u16::MAX))
    }

    /// True when the terminal is too small for the layout.
    #[must_use]
    pub fn too_small(&self) -> bool {
        self.size.0 < MIN_SIZE.0 || self.size.1 < MIN_SIZE.1
    }

    pub(crate) fn notify(&mut self, level: Level, text: impl Into<String>) {
        self.notice = Some(Notice {
            level,
            text: text.into(),
            at: self.now,
        });
        self.dirty = true;
    }

    // ─── Keys and mouse ─────────────────────────────────────────────────────────────────────

    fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        match &self.mode {
            Mode::Command(_) => self.on_command_key(key),
            Mode::Filter => self.on_filter_key(key),
            Mode::Confirm(_) => self.on_confirm_key(key),
            Mode::Input => self.on_pane_input(key),
            Mode::ConfirmQuit => {
                self.mode = Mode::Normal;
                self.dirty = true;
                match (key.code, keymap::lookup(self.pane, key)) {
                    (KeyCode::Char('y') | KeyCode::Enter, _) | (_, Some(Action::Quit)) => {
                        vec![Effect::Quit]
                    }
                    _ => {
                        self.notify(Level::Ok, "still here: the jobs go on");
                        Vec::new()
                    }
                }
            }
            Mode::Help => {
                self.mode = Mode::Normal;
                self.dirty = true;
                match keymap::lookup(self.pane, key) {
                    Some(Action::Quit) => self.quit(),
                    _ => Vec::new(),
                }
            }
            Mode::Normal => match keymap::lookup(self.pane, key) {
                Some(action) => self.apply(action),
                None => Vec::new(),
            },
        }
    }

    fn on_mouse(&mut self, mouse: MouseEvent) -> Vec<Effect> {
        match mouse.kind {
            MouseEventKind::ScrollDown => self.apply(Action::Down),
            MouseEventKind::ScrollUp => self.apply(Action::Up),
            MouseEventKind::Down(MouseButton::Left) if mouse.row == 0 => {
                match Pane::at_column(mouse.column, self.tab_room(self.size.0), self.pane) {
                    Some(pane) => self.apply(Action::GoTo(pane)),
                    None => Vec::new(),
                }
            }
            _ => Vec::new(),
        }
    }

    /// Carries out a user action.
    #[allow(
        clippy::too_many_lines,
        reason = "a dispatch table: one short arm per action"
    )]
    pub fn apply(&mut self, action: Action) -> Vec<Effect> {
        self.dirty = true;
        match action {
            Action::Quit => return self.quit(),
            Action::Help => self.mode = Mode::Help,
            Action::CommandLine => self.mode = Mode::Command(String::new()),
            Action::Refresh => {
                let mut effects = vec![Effect::RefreshNow];
                if self.pane == Pane::Indexes {
                    effects.extend(self.request_advice());
                }
                return effects;
            }
            Action::NextPane => return self.set_pane(self.pane.next()),
            Action::PrevPane => return self.set_pane(self.pane.prev()),
            Action::GoTo(pane) => return self.set_pane(pane),
            Action::Down => self.move_selection(1),
            Action::Up => self.move_selection(-1),
            Action::Top => self.select_edge(false),
            Action::Bottom => self.select_edge(true),
            Action::Copy => return self.copy_selected(),
            Action::Close => self.close(),
            Action::Filter => {
                // Bloat and Settings: `/` starts a new filter, as a search does.
                let fresh = matches!(self.pane, Pane::Bloat | Pane::Settings);
                if let Some(filter) = self.filter_mut() {
                    if fresh {
                        filter.clear();
                    }
                    self.mode = Mode::Filter;
                } else {
                    self.notify(Level::Warn, "nothing to filter here");
                }
            }
            Action::Open if self.pane == Pane::Activity => return self.open_activity(),
            Action::Open => self.open(),
            Action::PageDown | Action::PageUp
                if self.pane == Pane::Explain && self.explain.detail =>
            {
                let half = isize::try_from(self.page_rows() / 2).unwrap_or(1).max(1);
                let down = action == Action::PageDown;
                self.explain.scroll_detail(if down { half } else { -half });
            }
            Action::PageDown | Action::PageUp
                if self.pane == Pane::Indexes && self.indexes.scrolls() =>
            {
                let half = isize::try_from(self.page_rows() / 2).unwrap_or(1).max(1);
                let down = action == Action::PageDown;
                self.indexes.scroll_detail(if down { half } else { -half });
            }
            Action::PageDown => self.move_selection(isize::try_from(self.page_rows()).unwrap_or(1)),
            Action::PageUp => self.move_selection(-isize::try_from(self.page_rows()).unwrap_or(1)),
            Action::SortNext | Action::SortPrev | Action::SortReverse => self.sort_list(action),
            Action::CycleScope => self.queries.cycle_scope(),
            Action::Cumulative => self.queries.toggle_cumulative(),
            Action::ToggleIdle => self.queries.toggle_idle(),
            Action::ResetStatements => return self.propose_statements_reset(),
            Action::CancelJob => {
                if let Some(id) = self.jobs.cancel_selected() {
                    self.notify(Level::Warn, format!("cancelling job #{id}"));
                    return vec![Effect::CancelJob(id)];
                }
                self.notify(Level::Warn, "no running job selected");
            }
            Action::CancelBackend => return self.signal(JobKind::CancelBackend, Scope::Selected),
            Action::TerminateBackend => {
                return self.signal(JobKind::TerminateBackend, Scope::Selected);
            }
            Action::CancelListed => return self.signal(JobKind::CancelBackend, Scope::Filtered),
            Action::TerminateListed => {
                return self.signal(JobKind::TerminateBackend, Scope::Filtered);
            }
            Action::NextSection => self.activity.next_section(),
            Action::ExplainSelected | Action::ExplainAnalyzeSelected => {
                let analyze = action == Action::ExplainAnalyzeSelected;
                if let Some((_, sql)) = self.queries.selected_statement() {
                    return self.explain_statement(sql, analyze);
                }
                self.notify(Level::Warn, "no statement selected");
            }
            Action::ToggleNode
            | Action::ExpandAll
            | Action::CollapseOffPath
            | Action::FlatView
            | Action::ComparePlans
            | Action::OlderPlan
            | Action::EditSql
            | Action::RestoreSql
            | Action::Explain
            | Action::ExplainAnalyze => return self.explain_action(action),
            Action::CreateIndex => return self.indexes_create(),
            Action::DropIndex => return self.indexes_drop(),
            Action::Reindex if self.pane == Pane::Indexes => return self.indexes_reindex(),
            Action::WhatIfDrop => return self.indexes_what_if(),
            Action::CreateHypopg => return self.propose_hypopg(),
            Action::Review => return self.review_start(),
            Action::ReviewApply => return self.review_decide(Decision::ApplyNow),
            Action::ReviewMigration => return self.review_decide(Decision::Migration),
            Action::ReviewSkip => return self.review_decide(Decision::Skip),
            Action::ReviewNote => return self.review_note(),
            Action::ReviewWrite => return self.review_write(),
            Action::Measure
            | Action::Vacuum
            | Action::Analyze
            | Action::VacuumFull
            | Action::Reindex
            | Action::SwitchList => return self.bloat_action(action),
        }
        Vec::new()
    }

    /// `s` / `S` / `o`: the focused list sorted by the next or previous column, or reversed.
    fn sort_list(&mut self, action: Action) {
        let forward = action == Action::SortNext;
        match (self.pane, action) {
            (Pane::Queries, Action::SortReverse) => self.queries.reverse_sort(),
            (Pane::Queries, _) => self.queries.sort_step(forward),
            (Pane::Activity, Action::SortReverse) => self.activity.reverse_sort(),
            (Pane::Activity, _) => self.activity.sort_step(forward),
            (Pane::Bloat, Action::SortNext | Action::SortPrev) => self.bloat.next_sort(),
            _ => {}
        }
    }

    /// Quits, or asks first while jobs run: quitting cancels them (the console that started
    /// them is the one that watches, audits and cleans up after them).
    fn quit(&mut self) -> Vec<Effect> {
        if self.jobs.running() == 0 {
            return vec![Effect::Quit];
        }
        self.mode = Mode::ConfirmQuit;
        Vec::new()
    }

    /// Brings `pane` into sight; its collector starts at once.
    fn set_pane(&mut self, pane: Pane) -> Vec<Effect> {
        if pane == self.pane {
            return Vec::new();
        }
        self.pane = pane;
        let mut effects = vec![Effect::Focus(pane)];
        // The advisor runs once when the Indexes pane first comes into sight (then on Ctrl-r),
        // as soon as the pane has measured the tables' write rates.
        if pane == Pane::Indexes && self.advice.is_none() {
            effects.extend(self.advice_when_rates_are_known());
        }
        effects
    }

    /// Esc: closes the detail view of the pane, else the notice.
    fn close(&mut self) {
        self.mode = Mode::Normal;
        match self.pane {
            Pane::Jobs if self.jobs.detail => self.jobs.detail = false,
            Pane::Bloat if self.bloat.detail => self.bloat.detail = false,
            // Esc on a filtered list shows the whole list again.
            Pane::Bloat if !self.bloat.filter.is_empty() => self.bloat.filter.clear(),
            Pane::Settings if !self.settings.detail && !self.settings.filter.is_empty() => {
                self.settings.filter.clear();
            }
            Pane::Indexes => {
                if !self.review_pause() {
                    if self.indexes.detail {
                        self.indexes.detail = false;
                    } else {
                        self.notice = None;
                    }
                }
            }
            Pane::Queries if self.queries.detail.is_some() => self.queries.detail = None,
            Pane::Activity if self.activity.detail.is_some() => self.activity.detail = None,
            Pane::Explain if self.explain.detail => self.explain.detail = false,
            Pane::Settings if self.settings.detail => self.settings.detail = false,
            Pane::Overview
            | Pane::Queries
            | Pane::Activity
            | Pane::Jobs
            | Pane::Explain
            | Pane::Bloat
            | Pane::Settings => {
                self.notice = None;
            }
        }
    }

    /// Enter: the selected row's detail view.
    fn open(&mut self) {
        match self.pane {
            Pane::Overview | Pane::Activity => {}
            Pane::Queries => self.queries.toggle_detail(),
            Pane::Explain => {
                self.explain.detail =
                    !self.explain.detail && self.explain.selected_node().is_some();
                self.explain.detail_scroll = 0;
            }
            Pane::Indexes => {
                self.indexes.detail =
                    !self.indexes.detail && self.indexes.selected_finding().is_some();
                self.indexes.detail_scroll = 0;
            }
            Pane::Jobs => {
                self.jobs.detail = !self.jobs.detail && self.jobs.selected_job().is_some();
            }
            Pane::Bloat => {
                self.bloat.detail = !self.bloat.detail && self.bloat.selected().is_some();
            }
            Pane::Settings => {
                self.settings.detail =
                    !self.settings.detail && self.settings.selected_check().is_some();
            }
        }
    }

    /// The focused pane's filter text, if the pane filters.
    #[must_use]
    pub fn filter(&self) -> Option<&str> {
        match self.pane {
            Pane::Queries => Some(&self.queries.filter),
            Pane::Activity => Some(&self.activity.filter_text),
            Pane::Explain => Some(&self.explain.filter),
            Pane::Indexes => Some(self.indexes.typed()),
            Pane::Bloat => Some(&self.bloat.filter),
            Pane::Settings => Some(&self.settings.filter),
            Pane::Overview | Pane::Jobs => None,
        }
    }

    /// The focused pane's filter text, to edit, if the pane filters.
    pub fn filter_mut(&mut self) -> Option<&mut String> {
        match self.pane {
            Pane::Queries => Some(&mut self.queries.filter),
            Pane::Activity => Some(&mut self.activity.filter_text),
            Pane::Explain => Some(&mut self.explain.filter),
            Pane::Indexes => Some(self.indexes.typed_mut()),
            Pane::Bloat => Some(&mut self.bloat.filter),
            Pane::Settings => Some(&mut self.settings.filter),
            Pane::Overview | Pane::Jobs => None,
        }
    }

    /// The focused pane's filter text changed: the list follows as it is typed.
    fn filter_changed(&mut self) {
        match self.pane {
            Pane::Queries => self.queries.refilter(),
            Pane::Activity => self.activity.refilter(),
            Pane::Indexes => self.indexes.refilter(),
            // The Settings list filters as it is drawn.
            Pane::Overview | Pane::Jobs | Pane::Explain | Pane::Bloat | Pane::Settings => {}
        }
    }

    /// Proposes an action: refused with the reason when this session may not run it,
    /// else shown with its exact SQL for confirmation.
    pub fn propose(&mut self, spec: JobSpec) -> Vec<Effect> {
        if let Some(reason) = refusal(&spec, self.server.as_ref(), self.read_only) {
            self.notify(Level::Warn, reason);
            return Vec::new();
        }
        self.mode = Mode::Confirm(Confirm {
            spec,
            typed: String::new(),
        });
        self.dirty = true;
        Vec::new()
    }

    fn top_query_count(&self) -> usize {
        self.overview
            .view
            .as_ref()
            .and_then(|v| v.top_queries.as_ref().ok())
            .map_or(0, Vec::len)
    }

    /// Moves the focused pane's selection by `delta` rows.
    fn move_selection(&mut self, delta: isize) {
        match self.pane {
            Pane::Overview => {
                let count = self.top_query_count();
                let selected = self.overview.selected.saturating_add_signed(delta);
                self.overview.selected = selected.min(count.saturating_sub(1));
            }
            Pane::Queries => {
                let page = self.page_rows();
                self.queries.move_selection(delta, page);
            }
            Pane::Activity => self.activity.move_selection(delta),
            Pane::Indexes => self.indexes.move_selection(delta),
            Pane::Jobs => self.jobs.move_selection(delta),
            Pane::Explain => self.explain.move_selection(delta),
            Pane::Bloat => self.bloat.move_selection(delta),
            Pane::Settings => self.settings.move_selection(delta),
        }
    }

    /// Rows of a list that fit the body (tab bar, status bar, borders and header aside).
    fn page_rows(&self) -> usize {
        // The body is the terminal less the tab bar and the status bar.
        let body = self.size.1.saturating_sub(2);
        match self.pane {
            Pane::Queries => crate::app::queries::list_rows(body),
            _ => usize::from(body.saturating_sub(6)).max(1),
        }
    }

    /// Selects the focused pane's first (or last) row.
    fn select_edge(&mut self, last: bool) {
        match self.pane {
            Pane::Overview => {
                self.overview.selected = if last {
                    self.top_query_count().saturating_sub(1)
                } else {
                    0
                };
            }
            Pane::Queries => {
                let page = self.page_rows();
                self.queries.select_edge(last, page);
            }
            Pane::Activity => self.activity.select_edge(last),
            Pane::Indexes => self.indexes.select_edge(last),
            Pane::Jobs => self.jobs.select_edge(last),
            Pane::Explain => self.explain.select_edge(last),
            Pane::Bloat => self.bloat.select_edge(last),
            Pane::Settings => self.settings.select_edge(last),
        }
    }

    fn copy_selected(&mut self) -> Vec<Effect> {
        let text = match self.pane {
            Pane::Overview => self
                .overview
                .view
                .as_ref()
                .and_then(|v| v.top_queries.as_ref().ok())
                .and_then(|top| top.get(self.overview.selected))
                .filter(|q| q.key.is_some())
                .map(|q| q.query.clone()),
            Pane::Queries => self.queries.selected_statement().map(|(_, text)| text),
            Pane::Activity => self.activity.query_to_copy(),
            Pane::Indexes => self
                .indexes
                .selected_finding()
                .and_then(|f| self.fix_of(f).ok())
                .map(|fix| format!("{};\n-- rollback:\n{};", fix.apply, fix.rollback)),
            Pane::Jobs => self.jobs.selected_job().map(|j| j.spec.sql()),
            Pane::Explain => Some(self.explain.sql()).filter(|s| !s.trim().is_empty()),
            Pane::Bloat => self.bloat.selected_name(),
            Pane::Settings => self
                .settings
                .selected_check()
                .and_then(|s| s.attention.as_ref())
                .and_then(|a| a.sql.clone()),
        };
        if let Some(text) = text {
            self.notify(Level::Ok, "SQL copied to the clipboard (OSC 52)");
            vec![Effect::Copy(text)]
        } else {
            self.notify(Level::Warn, "no statement selected");
            Vec::new()
        }
    }

    fn on_filter_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        self.dirty = true;
        let Some(filter) = self.filter_mut() else {
            self.mode = Mode::Normal;
            return Vec::new();
        };
        match key.code {
            KeyCode::Esc => {
                filter.clear();
                self.mode = Mode::Normal;
                self.indexes.noting = false;
            }
            KeyCode::Enter => {
                self.mode = Mode::Normal;
                self.indexes.noting = false;
            }
            _ => {
                crate::app::line::edit(filter, key);
            }
        }
        self.filter_changed();
        Vec::new()
    }

    fn on_confirm_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Mode::Confirm(confirm) = &mut self.mode else {
            return Vec::new();
        };
        self.dirty = true;
        let word = confirm.spec.kind.typed_confirmation();
        let confirmed = match (key.code, word) {
            (KeyCode::Esc, _) | (KeyCode::Char('n'), None) => {
                self.mode = Mode::Normal;
                self.notify(Level::Ok, "cancelled: nothing was run");
                return Vec::new();
            }
            (KeyCode::Enter | KeyCode::Char('y'), None) => true,
            (KeyCode::Enter, Some(word)) => {
                if confirm.typed.trim() == word {
                    true
                } else {
                    confirm.typed.clear();
                    self.notify(
                        Level::Warn,
                        format!("type {word} and Enter to run it, Esc to cancel"),
                    );
                    return Vec::new();
                }
            }
            (_, Some(_)) => {
                crate::app::line::edit(&mut confirm.typed, key);
                false
            }
            _ => false,
        };
        if !confirmed {
            return Vec::new();
        }
        let Mode::Confirm(confirm) = std::mem::take(&mut self.mode) else {
            return Vec::new();
        };
        let spec = confirm.spec;
        let id = self.jobs.add(spec.clone(), self.now);
        self.notify(
            Level::Ok,
            format!(
                "job #{id} started: {} {} (7 Jobs)",
                spec.kind.name(),
                spec.target
            ),
        );
        vec![Effect::RunJob(id, spec)]
    }

    /// A key for the focused pane's own input (`Mode::Input`).
    fn on_pane_input(&mut self, key: KeyEvent) -> Vec<Effect> {
        self.dirty = true;
        match self.pane {
            Pane::Explain => self.explain_input(key),
            Pane::Overview
            | Pane::Queries
            | Pane::Activity
            | Pane::Indexes
            | Pane::Bloat
            | Pane::Jobs
            | Pane::Settings => {
                self.mode = Mode::Normal;
                Vec::new()
            }
        }
    }

    fn on_command_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Mode::Command(line) = &mut self.mode else {
            return Vec::new();
        };
        self.dirty = true;
        match key.code {
            KeyCode::Esc => self.mode = Mode::Normal,
            KeyCode::Backspace if line.is_empty() => self.mode = Mode::Normal,
            KeyCode::Enter => {
                let line = std::mem::take(line);
                self.mode = Mode::Normal;
                return self.run_command(&line);
            }
            _ => {
                crate::app::line::edit(line, key);
            }
        }
        Vec::new()
    }

    /// Runs a `:` command line.
    fn run_command(&mut self, line: &str) -> Vec<Effect> {
        let mut words = line.split_whitespace();
        match (words.next(), words.next(), words.next()) {
            (None, ..) => Vec::new(),
            (Some("q" | "quit"), None, _) => self.quit(),
            (Some("q!"), None, _) => vec![Effect::Quit],
            (Some("help" | "h"), None, _) => {
                self.mode = Mode::Help;
                Vec::new()
            }
            (Some("refresh"), None, _) => vec![Effect::RefreshNow],
            (Some("timeout"), value, None) => self.explain_timeout(value),
            (Some("refresh"), Some(value), None) => match parse_interval(value) {
                Ok(every) => {
                    self.refresh = every;
                    self.notify(Level::Ok, format!("refreshing every {}", humanize(every)));
                    vec![Effect::SetRefresh(every)]
                }
                Err(err) => {
                    self.notify(Level::Warn, err);
                    Vec::new()
                }
            },
            (Some(word), ..) => match word.chars().next().and_then(Pane::from_key) {
                Some(pane) if word.len() == 1 => self.apply(Action::GoTo(pane)),
                _ => {
                    self.notify(
                        Level::Warn,
                        format!("unknown command: {line} (try :refresh 5s, :help, :q)"),
                    );
                    Vec::new()
                }
            },
        }
    }

    // ─── Time, data and connection ──────────────────────────────────────────────────────────

    fn on_tick(&mut self, now: Instant) -> Vec<Effect> {
        let shown_age = self.refresh_age().map(|d| d.as_secs());
        self.now = now;
        if self.refresh_age().map(|d| d.as_secs()) != shown_age
            || !matches!(self.conn, ConnState::Up { .. })
        {
            self.dirty = true;
        }
        if self
            .notice
            .as_ref()
            .is_some_and(|n| now.saturating_duration_since(n.at) > NOTICE_TTL)
        {
            self.notice = None;
            self.dirty = true;
        }
        Vec::new()
    }

    fn on_snapshot(&mut self, snapshot: OverviewSnapshot) -> Vec<Effect> {
        let Some(server) = &self.server else {
            return Vec::new();
        };
        let taken_at = snapshot.taken_at;
        let recent = &mut self.overview.recent;
        recent.push(snapshot);
        let Some(latest) = recent.latest() else {
            return Vec::new();
        };
        let view = overview::build(
            recent.previous(),
            recent.base(),
            latest,
            server,
            &self.thresholds,
        );
        let point = HistoryPoint {
            taken_at,
            connections: view.connections.as_ref().ok().map(|c| c.used),
            tps: view.throughput.as_ref().ok().map(|t| t.tps.value),
        };
        if self.overview.history.len() == HISTORY_LEN {
            self.overview.history.pop_front();
        }
        self.overview.history.push_back(point);
        self.overview.selected = self.overview.selected.min(
            view.top_queries
                .as_ref()
                .map_or(0, Vec::len)
                .saturating_sub(1),
        );
        self.overview.view = Some(view);
        self.overview.updated_at = Some(self.now);
        self.dirty = true;
        Vec::new()
    }

    fn on_queries(&mut self, snapshot: QueriesSnapshot) -> Vec<Effect> {
        self.queries
            .on_snapshot(snapshot, self.pane == Pane::Queries);
        self.dirty |= self.pane == Pane::Queries;
        Vec::new()
    }

    /// `X` on the Queries pane: pg_stat_statements_reset(), after a typed confirmation.
    fn propose_statements_reset(&mut self) -> Vec<Effect> {
        let Some(sample) = self.queries.samples.latest() else {
            self.notify(
                Level::Warn,
                "pg_stat_statements is not readable here: nothing to reset",
            );
            return Vec::new();
        };
        let mut spec = JobSpec::new(
            JobKind::ResetStatements,
            "pg_stat_statements",
            vec!["SELECT pg_stat_statements_reset()".to_owned()],
        )
        .warning(
            "every statement's figures are lost, for every database and every tool that reads \
             them; pgmedic never needs this for its own windows",
        );
        if !sample.settings.can_reset {
            let role = self
                .server
                .as_ref()
                .map_or("this role", |s| s.role.as_str());
            spec.lacks_privilege = Some(format!(
                "{role} may not run pg_stat_statements_reset() (superuser only unless GRANT \
                 EXECUTE ON FUNCTION pg_stat_statements_reset TO {})",
                crate::quote::ident(role)
            ));
        }
        self.propose(spec)
    }

    fn on_settings(&mut self, snapshot: SettingsSnapshot) -> Vec<Effect> {
        let Some(server) = &self.server else {
            return Vec::new();
        };
        let view = self.overview.view.as_ref();
        let context = crate::diagnose::settings::Context {
            server,
            connections: view.and_then(|v| v.connections.as_ref().ok()),
            throughput: view.and_then(|v| v.throughput.as_ref().ok()),
            limits: &self.thresholds,
        };
        self.settings.push(snapshot, &context, self.now);
        self.dirty = true;
        Vec::new()
    }

    fn on_job(&mut self, event: &JobEvent) -> Vec<Effect> {
        self.dirty = true;
        let Some(job) = self.jobs.apply(event) else {
            return Vec::new();
        };
        let JobEvent::Finished { outcome, .. } = event else {
            return Vec::new();
        };
        let what = format!(
            "job #{} {} {}",
            job.id,
            job.spec.kind.name(),
            job.spec.target
        );
        let mut effects = Vec::new();
        if job.spec.kind == JobKind::ResetStatements && matches!(outcome, Outcome::Done { .. }) {
            // Counters start again from zero: rates restart from the next two samples.
            self.queries.restart();
            effects.push(Effect::RefreshNow);
        }
        if let JobEvent::Finished {
            kind: kind @ (JobKind::CancelBackend | JobKind::TerminateBackend),
            target,
            outcome,
            ..
        } = event
        {
            effects.extend(self.on_signal_finished(*kind, target, outcome));
            return effects;
        }
        match outcome {
            Outcome::Done { .. } => self.notify(Level::Ok, format!("{what}: done")),
            Outcome::Cancelled => self.notify(Level::Warn, format!("{what}: cancelled")),
            Outcome::Failed { error } => self.notify(Level::Critical, format!("{what}: {error}")),
        }
        // The Bloat pane first: it leaves the Indexes pane's own jobs to it.
        effects.extend(self.bloat_job_finished(event));
        effects.extend(self.indexes_on_job(event));
        // HypoPG created: the suggestions can now be verified.
        if let JobEvent::Finished {
            kind: JobKind::CreateExtension,
            target,
            outcome: Outcome::Done { .. },
            ..
        } = event
            && target == "hypopg"
        {
            effects.extend(self.request_advice());
        }
        effects
    }

    fn on_conn(&mut self, event: ConnEvent) -> Vec<Effect> {
        self.dirty = true;
        match event {
            ConnEvent::Up(info) => {
                if self
                    .server
                    .as_ref()
                    .is_some_and(|old| old.backend_pid != info.backend_pid)
                {
                    self.notify(Level::Ok, "reconnected");
                }
                // Counters may have been reset by a restart: rates start again from here.
                self.overview.recent.clear();
                self.queries.restart();
                self.settings.restart();
                self.server = Some(*info);
                self.conn = ConnState::Up { since: self.now };
            }
            ConnEvent::Down {
                error,
                attempt,
                retry_in,
            } => {
                self.conn = ConnState::Down {
                    error,
                    attempt,
                    retry_at: self.now + retry_in,
                };
            }
        }
        Vec::new()
    }
}

/// `2s`, `500ms`, `1m30s` — how the console writes an interval.
#[must_use]
pub fn humanize(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms}ms")
    } else if ms % 1000 != 0 {
        format!("{:.1}s", d.as_secs_f64())
    } else if d.as_secs() < 60 || d.as_secs() % 60 != 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}m", d.as_secs() / 60)
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyModifiers, MouseEventKind};

    use super::*;
    use crate::snapshot::ActivitySummary;

    fn info(pid: i32) -> ServerInfo {
        ServerInfo {
            backend_pid: pid,
            ..ServerInfo::example(150_018)
        }
    }

    fn snapshot(t: f64) -> OverviewSnapshot {
        OverviewSnapshot {
            taken_at: t,
            own_statements: 0,
            activity: Ok(ActivitySummary {
                connections: 7,
                ..Default::default()
            }),
            databases: Ok(Vec::new()),
            wraparound: Err("n/a".to_owned()),
            replication: Ok(Vec::new()),
            statements: Err("not loaded".to_owned()),
        }
    }

    fn key(c: char) -> Msg {
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
    }

    fn model() -> Model {
        let mut m = Model::new(
            "postgres@db:5432/trading".to_owned(),
            Duration::from_secs(2),
            false,
            Instant::now(),
        );
        m.update(Msg::Conn(ConnEvent::Up(Box::new(info(1)))));
        m
    }

    #[test]
    fn h_creates_hypopg_when_the_server_has_it_and_then_asks_for_verified_advice() {
        let mut m = model();
        let mut superuser = info(1);
        superuser.privileges.superuser = true;
        m.update(Msg::Conn(ConnEvent::Up(Box::new(superuser))));
        m.pane = Pane::Indexes;
        m.advice = Some(Ok(crate::advisor::Advice::default()));
        assert!(m.update(key('H')).is_empty());
        assert_eq!(m.mode, Mode::Normal, "nothing to offer: no question");
        assert!(
            m.notice
                .as_ref()
                .is_some_and(|n| n.text.contains("apt-get install")),
            "{:?}",
            m.notice
        );
        m.advice = Some(Ok(crate::advisor::Advice {
            create_extension: Some("CREATE EXTENSION IF NOT EXISTS hypopg".to_owned()),
            ..crate::advisor::Advice::default()
        }));
        m.update(key('H'));
        let Mode::Confirm(confirm) = &m.mode else {
            panic!("a confirmation: {:?}", m.mode)
        };
        assert_eq!(confirm.spec.kind, JobKind::CreateExtension);
        let effects = m.update(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
        let [Effect::RunJob(id, _)] = effects[..] else {
            panic!("{effects:?}")
        };
        let effects = m.update(Msg::Job(JobEvent::Finished {
            id,
            kind: JobKind::CreateExtension,
            target: "hypopg".to_owned(),
            outcome: Outcome::Done { rows: Vec::new() },
            elapsed: Duration::from_millis(40),
        }));
        assert!(
            effects
                .iter()
                .any(|e| matches!(e, Effect::Work(Request::Advise { .. }))),
            "the advice is asked again: {effects:?}"
        );
    }

    #[test]
    fn the_advisor_is_asked_once_the_server_is_known_and_its_answer_kept() {
        let fresh = Model::new(String::new(), Duration::from_secs(2), false, Instant::now());
        assert_eq!(fresh.request_advice(), None);
        let mut m = model();
        assert!(matches!(
            m.request_advice(),
            Some(Effect::Work(Request::Advise { server, .. })) if server.backend_pid == 1
        ));
        m.dirty = false;
        m.update(Msg::Advice(Box::new(Err(
            "pg_stat_statements is missing".to_owned()
        ))));
        assert!(m.dirty);
        assert_eq!(
            m.advice,
            Some(Err("pg_stat_statements is missing".to_owned()))
        );
    }

    #[test]
    fn snapshots_fill_the_view_and_the_history() {
        let mut m = model();
        m.update(Msg::Snapshot(Box::new(snapshot(1.0))));
        m.update(Msg::Snapshot(Box::new(snapshot(3.0))));
        assert_eq!(m.overview.history.len(), 2);
        assert_eq!(m.overview.history[1].connections, Some(7));
        assert!(m.overview.view.as_ref().unwrap().throughput.is_ok());
        assert!(!m.is_stale());
    }

    #[test]
    fn losing_the_connection_keeps_the_data_and_marks_it_stale() {
        let mut m = model();
        m.update(Msg::Snapshot(Box::new(snapshot(1.0))));
        m.update(Msg::Conn(ConnEvent::Down {
            error: "connection refused".to_owned(),
            attempt: 2,
            retry_in: Duration::from_secs(1),
        }));
        assert!(m.is_stale());
        assert!(m.overview.view.is_some(), "last data stays on screen");
        m.update(Msg::Conn(ConnEvent::Up(Box::new(info(2)))));
        assert_eq!(
            m.notice.as_ref().map(|n| n.text.as_str()),
            Some("reconnected")
        );
        assert!(
            m.overview.recent.latest().is_none(),
            "rates restart after a reconnect"
        );
    }

    #[test]
    fn data_that_stops_arriving_goes_stale() {
        let mut m = model();
        m.update(Msg::Snapshot(Box::new(snapshot(1.0))));
        let later = m.now + Duration::from_secs(30);
        m.update(Msg::Tick(later));
        assert!(m.is_stale());
    }

    #[test]
    fn quitting_while_a_job_runs_asks_first() {
        let mut m = model();
        let spec = crate::jobs::JobSpec::new(
            crate::jobs::JobKind::CreateIndex,
            "public.fills",
            vec!["CREATE INDEX CONCURRENTLY i ON fills (a)".to_owned()],
        );
        m.jobs.add(spec, m.now);
        assert!(m.update(key('q')).is_empty(), "not at once");
        assert_eq!(m.mode, Mode::ConfirmQuit);
        assert!(m.update(key('x')).is_empty(), "another key stays");
        assert_eq!(m.mode, Mode::Normal);
        m.update(key('q'));
        assert_eq!(m.update(key('q')), vec![Effect::Quit], "q again quits");
        m.update(key(':'));
        m.update(key('q'));
        let enter = Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
        assert!(m.update(enter.clone()).is_empty(), ":q asks too");
        assert_eq!(m.update(key('y')), vec![Effect::Quit]);
        for c in ":q!".chars() {
            m.update(key(c));
        }
        assert_eq!(m.update(enter), vec![Effect::Quit], ":q! does not ask");
    }

    #[test]
    fn keys_quit_help_and_the_command_line() {
        let mut m = model();
        assert_eq!(m.update(key('q')), vec![Effect::Quit]);
        m.update(key('?'));
        assert_eq!(m.mode, Mode::Help);
        m.update(key('x'));
        assert_eq!(m.mode, Mode::Normal, "any key closes help");
        m.update(key(':'));
        for c in "refresh 5s".chars() {
            m.update(key(c));
        }
        let effects = m.update(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
        assert_eq!(effects, vec![Effect::SetRefresh(Duration::from_secs(5))]);
        assert_eq!(m.refresh, Duration::from_secs(5));
        m.update(key(':'));
        m.update(key('z'));
        m.update(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
        assert_eq!(m.notice.as_ref().map(|n| n.level), Some(Level::Warn));
        m.update(key(':'));
        m.update(key('q'));
        assert_eq!(
            m.update(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE))),
            vec![Effect::Quit]
        );
    }

    #[test]
    fn copy_without_a_statement_says_so() {
        let mut m = model();
        assert!(m.update(key('y')).is_empty());
        assert_eq!(
            m.notice.as_ref().map(|n| n.text.as_str()),
            Some("no statement selected")
        );
    }

    #[test]
    fn small_terminals_and_mouse_clicks() {
        let mut m = model();
        m.update(Msg::Resize(79, 24));
        assert!(m.too_small());
        m.update(Msg::Resize(80, 24));
        assert!(!m.too_small());
        let click = MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: 3,
            row: 0,
            modifiers: KeyModifiers::NONE,
        };
        m.update(Msg::Mouse(click));
        assert_eq!(m.pane, Pane::Overview);
    }

    fn enter() -> Msg {
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE))
    }

    fn drop_spec() -> JobSpec {
        JobSpec::new(
            crate::jobs::JobKind::DropIndex,
            "public.orders_dup",
            vec!["DROP INDEX CONCURRENTLY \"public\".\"orders_dup\"".to_owned()],
        )
    }

    #[test]
    fn a_destructive_action_runs_only_once_its_word_is_typed() {
        let mut m = model();
        assert!(m.propose(drop_spec()).is_empty());
        assert!(matches!(m.mode, Mode::Confirm(_)));
        assert!(m.update(key('y')).is_empty(), "y is not enough for a drop");
        assert!(m.update(enter()).is_empty(), "\"y\" is not the word");
        assert!(matches!(m.mode, Mode::Confirm(_)), "still asking");
        for c in "drop".chars() {
            m.update(key(c));
        }
        let effects = m.update(enter());
        assert_eq!(effects, vec![Effect::RunJob(1, drop_spec())]);
        assert_eq!(m.mode, Mode::Normal);
        assert_eq!(m.jobs.running(), 1);
    }

    #[test]
    fn esc_cancels_an_action_and_read_only_mode_refuses_it() {
        let mut m = model();
        m.propose(drop_spec());
        assert!(
            m.update(Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)))
                .is_empty()
        );
        assert_eq!(m.mode, Mode::Normal);
        assert!(m.jobs.jobs.is_empty());
        m.read_only = true;
        assert!(m.propose(drop_spec()).is_empty());
        assert_eq!(m.mode, Mode::Normal);
        assert!(
            m.notice
                .as_ref()
                .is_some_and(|n| n.text.contains("--read-only"))
        );
    }

    #[test]
    fn a_plain_action_runs_on_y_and_its_end_is_announced() {
        let mut m = model();
        let spec = JobSpec::new(
            crate::jobs::JobKind::Analyze,
            "public.t",
            vec!["ANALYZE \"public\".\"t\"".to_owned()],
        );
        m.propose(spec.clone());
        assert_eq!(m.update(key('y')), vec![Effect::RunJob(1, spec)]);
        m.update(Msg::Job(JobEvent::Finished {
            id: 1,
            kind: crate::jobs::JobKind::Analyze,
            target: "public.t".to_owned(),
            outcome: Outcome::Failed {
                error: "permission denied".to_owned(),
            },
            elapsed: Duration::from_millis(5),
        }));
        let notice = m.notice.as_ref().unwrap();
        assert_eq!(notice.level, Level::Critical);
        assert!(notice.text.contains("permission denied"));
        assert_eq!(m.update(key('7')), vec![Effect::Focus(Pane::Jobs)]);
        assert!(
            m.update(key('x')).is_empty(),
            "a finished job cannot be cancelled"
        );
    }

    #[test]
    fn intervals_read_like_the_command_line_takes_them() {
        assert_eq!(humanize(Duration::from_millis(500)), "500ms");
        assert_eq!(humanize(Duration::from_secs(2)), "2s");
        assert_eq!(humanize(Duration::from_millis(1500)), "1.5s");
        assert_eq!(humanize(Duration::from_secs(120)), "2m");
    }
}
