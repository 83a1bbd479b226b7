//! The Queries pane's state: the samples of pg_stat_statements kept in memory (a thinned ring
//! of 15 minutes, never a reset of the server's statistics), the scope, sort and filter the DBA
//! chose, the selection and the detail view. Pure: the figures come from `diagnose::queries`.

use std::borrow::Cow;
use std::sync::Arc;

use crate::diagnose::lints::Lint;
use crate::diagnose::queries::{self, QueriesFigures, QueryRow, RowId, Scope};
use crate::diagnose::statement;
use crate::diagnose::window::Recent;
use crate::snapshot::StatementKey;
use crate::snapshot::queries::{QueriesSample, QueriesSnapshot};

/// The longest window (15 minutes) plus a refresh or two.
const RING_SECS: f64 = 15.0 * 60.0;
/// At most this many samples; thinning keeps about 60 for 15 minutes at any refresh.
const RING_CAP: usize = 96;
/// Older samples are kept about a tenth of their age apart.
const RING_PER_AGE: f64 = 10.0;

/// Height of the selected statement's box under the list (borders included) in a pane body
/// `body` rows high: at most 7 rows, a third of the body at most.
#[must_use]
pub fn preview_rows(body: u16) -> u16 {
    7.min(body / 3)
}

/// Rows of statements the list shows in a pane body `body` rows high (borders and header
/// aside).
#[must_use]
pub fn list_rows(body: u16) -> usize {
    usize::from(body.saturating_sub(preview_rows(body) + 3)).max(1)
}

/// A column of the list; the list sorts by any of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Calls,
    Time,
    Mean,
    /// Fastest execution since the entry began (pg_stat_statements keeps no per-span extremes).
    Min,
    /// Slowest execution since the entry began.
    Max,
    Stddev,
    Rows,
    RowsPerCall,
    HitPct,
    /// Share of all top-level time.
    Share,
    Read,
    Temp,
    Wal,
    Io,
    Lint,
    Database,
    Role,
    Query,
}

impl Column {
    /// Every column, in the order `s` steps through them.
    pub const ALL: [Column; 18] = [
        Column::Time,
        Column::Calls,
        Column::Mean,
        Column::Min,
        Column::Max,
        Column::Stddev,
        Column::Rows,
        Column::RowsPerCall,
        Column::HitPct,
        Column::Share,
        Column::Read,
        Column::Temp,
        Column::Wal,
        Column::Io,
        Column::Lint,
        Column::Database,
        Column::Role,
        Column::Query,
    ];

    /// The column's name, as the header and the sort notice show it; min and max say they are
    /// all-time figures, since pg_stat_statements keeps no extremes per span.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Column::Calls => "calls",
            Column::Time => "time",
            Column::Mean => "mean",
            Column::Min => "min ever",
            Column::Max => "max ever",
            Column::Stddev => "stddev",
            Column::Rows => "rows",
            Column::RowsPerCall => "rows/call",
            Column::HitPct => "hit%",
            Column::Share => "%time",
            Column::Read => "read",
            Column::Temp => "temp",
            Column::Wal => "WAL",
            Column::Io => "I/O",
            Column::Lint => "lint",
            Column::Database => "db",
            Column::Role => "role",
            Column::Query => "query",
        }
    }

    fn step(self, forward: bool) -> Column {
        let i = Column::ALL.iter().position(|c| *c == self).unwrap_or(0);
        let n = Column::ALL.len();
        Column::ALL[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }]
    }

    /// The row's value in a numeric column, for sorting (`None` sorts last).
    fn value(self, r: &QueryRow) -> Option<f64> {
        match self {
            Column::Calls => Some(r.calls as f64),
            Column::Time => Some(r.total_ms),
            Column::Mean => r.mean_ms(),
            Column::Min => Some(r.min_ms),
            Column::Max => Some(r.max_ms),
            Column::Stddev => r.stddev_ms,
            Column::Rows => Some(r.rows as f64),
            Column::RowsPerCall => r.rows_per_call(),
            Column::HitPct => r.hit_pct(),
            Column::Share => Some(r.share_pct),
            Column::Read => Some(r.shared_blks_read as f64),
            Column::Temp => Some(r.temp_blks_written as f64),
            Column::Wal => r.wal_bytes,
            Column::Io => Some(r.io_ms()),
            // Descending puts the statements with the most lints first.
            Column::Lint => Some(r.lints.len() as f64),
            Column::Database | Column::Role | Column::Query => None,
        }
    }

    /// The row's text in a text column, for sorting (`None`: a numeric column).
    fn text(self, r: &QueryRow) -> Option<Cow<'_, str>> {
        let text = r.text.as_ref().map(|t| &t.text);
        match self {
            Column::Query => Some(r.query()),
            Column::Database => Some(Cow::Borrowed(text.map_or("", |t| t.database.as_str()))),
            Column::Role => Some(Cow::Borrowed(text.map_or("", |t| t.role.as_str()))),
            _ => None,
        }
    }
}

/// The order of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub column: Column,
    pub descending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Self {
            column: Column::Time,
            descending: true,
        }
    }
}

/// What `/` typed, read: `db:NAME`, `role:NAME` and `lint:TAG` narrow by database, role and
/// lint; every other word must appear in the statement (all case-insensitive).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    pub words: Vec<String>,
    pub database: Option<String>,
    pub role: Option<String>,
    pub lint: Option<String>,
}

impl Filter {
    #[must_use]
    pub fn parse(text: &str) -> Self {
        let mut filter = Filter::default();
        for word in text.split_whitespace() {
            let lower = word.to_lowercase();
            if let Some(db) = lower.strip_prefix("db:") {
                filter.database = Some(db.to_owned());
            } else if let Some(role) = lower.strip_prefix("role:") {
                filter.role = Some(role.to_owned());
            } else if let Some(lint) = lower.strip_prefix("lint:") {
                filter.lint = Some(lint.to_owned());
            } else {
                filter.words.push(lower);
            }
        }
        filter
    }

    /// The row passes every part of the filter.
    #[must_use]
    pub fn matches(&self, r: &QueryRow) -> bool {
        let text = r.text.as_ref().map(|t| &t.text);
        let has = |field: Option<&String>, wanted: &Option<String>| match wanted {
            None => true,
            Some(w) => field.is_some_and(|f| f.to_lowercase().contains(w.as_str())),
        };
        if !has(text.map(|t| &t.database), &self.database)
            || !has(text.map(|t| &t.role), &self.role)
        {
            return false;
        }
        if let Some(tag) = &self.lint
            && !r
                .lints
                .iter()
                .any(|l| l.tag().to_lowercase().contains(tag.as_str()))
        {
            return false;
        }
        if self.words.is_empty() {
            return true;
        }
        let query = r.query().to_lowercase();
        self.words.iter().all(|w| query.contains(w.as_str()))
    }
}

/// The detail view of one statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    pub id: RowId,
    /// The statement laid out by the parser's deparser (`None`: it does not parse; the text is
    /// shown as it is).
    pub formatted: Option<String>,
    /// Lines scrolled down.
    pub scroll: u16,
}

/// The Queries pane.
#[derive(Debug, Clone)]
pub struct QueriesState {
    /// Samples of the last 15 minutes (sparser as they age).
    pub samples: Recent<Arc<QueriesSample>>,
    /// Why the latest read failed (the last figures stay on screen).
    pub error: Option<String>,
    pub scope: Scope,
    pub sort: Sort,
    /// The `/` filter as typed.
    pub filter: String,
    /// Statements without a call in the scope are listed too.
    pub show_idle: bool,
    /// Every statement over the scope.
    pub figures: Option<QueriesFigures>,
    /// Indexes into `figures.rows` of the rows listed, in order.
    pub visible: Vec<usize>,
    /// Index into `visible`.
    pub selected: usize,
    /// First listed row on screen (the table keeps the selection in sight).
    pub offset: usize,
    pub detail: Option<Detail>,
    selected_id: Option<RowId>,
}

impl Default for QueriesState {
    fn default() -> Self {
        Self {
            samples: Recent::thinned(RING_SECS, RING_CAP, RING_PER_AGE),
            error: None,
            scope: Scope::default(),
            sort: Sort::default(),
            filter: String::new(),
            show_idle: false,
            figures: None,
            visible: Vec::new(),
            selected: 0,
            offset: 0,
            detail: None,
            selected_id: None,
        }
    }
}

impl QueriesState {
    /// Takes a new snapshot: a sample joins the ring and, when the pane is `in_sight`, the
    /// figures are rebuilt (samples taken out of sight have no texts for new statements: the
    /// figures wait for the sample the pane reads as it comes into sight); a failure is kept
    /// to show, with the last figures.
    pub fn on_snapshot(&mut self, snapshot: QueriesSnapshot, in_sight: bool) {
        match snapshot.statements {
            Ok(sample) => {
                self.error = None;
                self.samples.push(Arc::new(sample));
                if in_sight {
                    self.rebuild();
                }
            }
            Err(why) => self.error = Some(why),
        }
    }

    /// Forgets the samples (after a reconnect or a reset: counters start again).
    pub fn restart(&mut self) {
        self.samples.clear();
    }

    /// Recomputes the figures for the scope from the samples kept.
    pub fn rebuild(&mut self) {
        let Some(latest) = self.samples.latest() else {
            return;
        };
        let base = match self.scope {
            Scope::Interval => self.samples.previous(),
            Scope::Minutes(m) => self.samples.at_least(f64::from(m) * 60.0),
            Scope::Cumulative => None,
        };
        self.figures = Some(queries::build(base.map(AsRef::as_ref), latest, self.scope));
        self.refilter();
    }

    /// Re-applies filter and sort, keeping the selected statement selected.
    pub fn refilter(&mut self) {
        let Some(figures) = &self.figures else {
            self.visible.clear();
            return;
        };
        let filter = Filter::parse(&self.filter);
        let show_idle = self.show_idle || self.scope == Scope::Cumulative;
        let mut visible: Vec<usize> = figures
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                // The row the DBA chose stays listed while it idles.
                show_idle || r.calls > 0 || r.is_new() || Some(r.id) == self.selected_id
            })
            .filter(|(_, r)| filter.matches(r))
            .map(|(i, _)| i)
            .collect();
        let sort = self.sort;
        let rows = &figures.rows;
        visible.sort_by(|a, b| compare(&rows[*a], &rows[*b], sort));
        self.visible = visible;
        let at = self
            .selected_id
            .and_then(|id| self.visible.iter().position(|i| rows[*i].id == id));
        self.selected = at
            .unwrap_or(self.selected)
            .min(self.visible.len().saturating_sub(1));
        if let Some(detail) = &self.detail
            && Some(detail.id) != self.selected_row().map(|r| r.id)
        {
            self.detail = None;
        }
    }

    /// The DBA chose this row: it stays selected as the list reorders (until then the
    /// selection stays on the top row).
    fn remember_selection(&mut self) {
        self.selected_id = self.selected_row().map(|r| r.id);
    }

    /// The selected row, if any.
    #[must_use]
    pub fn selected_row(&self) -> Option<&QueryRow> {
        let figures = self.figures.as_ref()?;
        figures.rows.get(*self.visible.get(self.selected)?)
    }

    /// The selected statement's key and whole text (for EXPLAIN).
    #[must_use]
    pub fn selected_statement(&self) -> Option<(StatementKey, String)> {
        let row = self.selected_row()?;
        let text = row.text.as_ref()?;
        Some((row.key(), text.text.query.clone()))
    }

    /// The listed rows, in order.
    pub fn rows(&self) -> impl Iterator<Item = &QueryRow> {
        let rows = self.figures.as_ref().map_or(&[][..], |f| &f.rows);
        self.visible.iter().filter_map(|i| rows.get(*i))
    }

    /// Moves the selection by `delta` rows (or scrolls the detail view), keeping it within a
    /// table of `page` rows.
    pub fn move_selection(&mut self, delta: isize, page: usize) {
        if let Some(detail) = &mut self.detail {
            let lines = i32::from(detail.scroll) + i32::try_from(delta).unwrap_or(0);
            detail.scroll = u16::try_from(lines.max(0)).unwrap_or(u16::MAX);
            return;
        }
        let last = self.visible.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
        self.follow(page);
        self.remember_selection();
    }

    /// Selects the first (or last) row.
    pub fn select_edge(&mut self, last: bool, page: usize) {
        if let Some(detail) = &mut self.detail {
            detail.scroll = if last { u16::MAX / 2 } else { 0 };
            return;
        }
        self.selected = if last {
            self.visible.len().saturating_sub(1)
        } else {
            0
        };
        self.follow(page);
        self.remember_selection();
    }

    /// Scrolls so the selection is on a table of `page` rows.
    fn follow(&mut self, page: usize) {
        let page = page.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + page {
            self.offset = self.selected + 1 - page;
        }
    }

    /// Enter: opens the selected statement's detail, or closes it.
    pub fn toggle_detail(&mut self) {
        if self.detail.is_some() {
            self.detail = None;
            return;
        }
        self.remember_selection();
        self.detail = self.selected_row().map(|row| Detail {
            id: row.id,
            formatted: row
                .text
                .as_ref()
                .and_then(|t| statement::pretty(&t.text.query)),
            scroll: 0,
        });
    }

    /// Next scope in the cycle (interval, 1, 5, 15 minutes, cumulative).
    pub fn cycle_scope(&mut self) {
        self.scope = self.scope.next();
        self.rebuild();
    }

    /// Cumulative since the reset, or back to the last interval.
    pub fn toggle_cumulative(&mut self) {
        self.scope = if self.scope == Scope::Cumulative {
            Scope::Interval
        } else {
            Scope::Cumulative
        };
        self.rebuild();
    }

    /// Sorts by the next (or previous) column, largest first.
    pub fn sort_step(&mut self, forward: bool) {
        self.sort = Sort {
            column: self.sort.column.step(forward),
            descending: true,
        };
        self.refilter();
    }

    pub fn reverse_sort(&mut self) {
        self.sort.descending = !self.sort.descending;
        self.refilter();
    }

    pub fn toggle_idle(&mut self) {
        self.show_idle = !self.show_idle;
        self.refilter();
    }

    /// The lints of the selected statement.
    #[must_use]
    pub fn selected_lints(&self) -> &[Lint] {
        self.selected_row().map_or(&[], |r| r.lints.as_slice())
    }
}

/// Rows by the sort column (text by the statement), ties by time then key, stable across
/// refreshes so equal rows do not swap places.
fn compare(a: &QueryRow, b: &QueryRow, sort: Sort) -> std::cmp::Ordering {
    let column = sort.column;
    let by_column = match (column.text(a), column.text(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => match (column.value(a), column.value(b)) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Greater,
            (None, Some(_)) => std::cmp::Ordering::Less,
            (None, None) => std::cmp::Ordering::Equal,
        },
    };
    let by_column = if sort.descending {
        by_column.reverse()
    } else {
        by_column
    };
    by_column
        .then_with(|| b.total_ms.total_cmp(&a.total_ms))
        .then_with(|| a.id.cmp(&b.id))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::diagnose::statement::shape;
    use crate::snapshot::StatementText;
    use crate::snapshot::queries::{Columns, QueryText, StatementStats, StatementsSettings};

    fn key(q: i64, dbid: i64) -> StatementKey {
        StatementKey {
            userid: 10,
            dbid,
            queryid: q,
        }
    }

    /// Statement `q` of database `db` after `n` refreshes: `calls·n` calls of `ms` each.
    fn snapshot(t: f64, statements: &[(i64, i64, &str, i64, f64)]) -> QueriesSnapshot {
        let n = t as i64;
        let entries: Vec<StatementStats> = statements
            .iter()
            .map(|(q, db, _, calls, ms)| StatementStats {
                key: key(*q, *db),
                toplevel: true,
                calls: calls * n,
                total_ms: (calls * n) as f64 * ms,
                rows: calls * n,
                ..Default::default()
            })
            .collect();
        let texts: HashMap<StatementKey, Arc<QueryText>> = statements
            .iter()
            .map(|(q, db, sql, ..)| {
                let text = StatementText {
                    query: (*sql).to_owned(),
                    database: if *db == 1 { "shop" } else { "crm" }.to_owned(),
                    role: "app".to_owned(),
                };
                let shape = shape(sql);
                (key(*q, *db), Arc::new(QueryText { text, shape }))
            })
            .collect();
        QueriesSnapshot {
            taken_at: t,
            statements: Ok(QueriesSample {
                taken_at: t,
                entries,
                dealloc: Some(0),
                stats_reset: Some(0.0),
                hidden: 0,
                settings: StatementsSettings {
                    block_size: 8192,
                    ..Default::default()
                },
                columns: Columns::for_version(110),
                texts: Arc::new(texts),
            }),
        }
    }

    const WORKLOAD: &[(i64, i64, &str, i64, f64)] = &[
        (1, 1, "SELECT * FROM orders WHERE id = $1", 10, 1.0),
        (2, 1, "SELECT sum(total) FROM orders", 1, 300.0),
        (
            3,
            2,
            "UPDATE contacts SET seen = now() WHERE id = $1",
            5,
            3.0,
        ),
        (4, 2, "SELECT 1", 0, 0.0),
    ];

    fn state(refreshes: u32) -> QueriesState {
        let mut s = QueriesState::default();
        for t in 1..=refreshes {
            s.on_snapshot(snapshot(f64::from(t), WORKLOAD), true);
        }
        s
    }

    fn listed(s: &QueriesState) -> Vec<i64> {
        s.rows().map(|r| r.key().queryid).collect()
    }

    #[test]
    fn rows_are_sorted_by_time_and_idle_ones_hidden() {
        let s = state(3);
        assert_eq!(listed(&s), [2, 3, 1], "statement 4 did not run");
        let mut all = s.clone();
        all.toggle_idle();
        assert_eq!(listed(&all), [2, 3, 1, 4]);
    }

    #[test]
    fn sorting_steps_through_columns_and_reverses() {
        let mut s = state(3);
        s.sort_step(true);
        assert_eq!(s.sort.column, Column::Calls);
        assert_eq!(listed(&s), [1, 3, 2]);
        s.reverse_sort();
        assert_eq!(listed(&s), [2, 3, 1]);
        s.sort_step(false);
        s.sort_step(false);
        assert_eq!(s.sort.column, Column::Query);
        assert_eq!(listed(&s), [3, 2, 1], "text, descending");
    }

    /// Steps `s` until the list is sorted by `column`.
    fn sort_by(s: &mut QueriesState, column: Column) {
        for _ in 0..Column::ALL.len() {
            if s.sort.column == column {
                return;
            }
            s.sort_step(true);
        }
        panic!("{column:?} is not in the sort cycle");
    }

    #[test]
    fn every_column_shown_is_in_the_sort_cycle() {
        let mut s = state(3);
        // Fastest execution ever: statement 2 is the slowest to start with, 1 the quickest.
        let mut last = snapshot(4.0, WORKLOAD);
        if let Ok(sample) = &mut last.statements {
            for (e, min) in sample.entries.iter_mut().zip([0.2, 90.0, 1.5, 0.01]) {
                e.min_ms = min;
                e.max_ms = min * 10.0;
            }
        }
        s.on_snapshot(last, true);
        sort_by(&mut s, Column::Min);
        assert_eq!(listed(&s), [2, 3, 1], "slowest fastest run first");
        s.reverse_sort();
        assert_eq!(listed(&s), [1, 3, 2]);
        sort_by(&mut s, Column::Rows);
        assert_eq!(listed(&s), [1, 3, 2], "10, 5 and 1 rows a refresh");
        sort_by(&mut s, Column::Lint);
        assert_eq!(
            listed(&s)[0],
            1,
            "the SELECT * first, the only one with lints"
        );
        sort_by(&mut s, Column::Database);
        assert_eq!(listed(&s), [2, 1, 3], "shop, then crm");
        s.reverse_sort();
        assert_eq!(listed(&s)[0], 3, "crm first ascending");
        sort_by(&mut s, Column::Role);
        assert_eq!(
            s.sort,
            Sort {
                column: Column::Role,
                descending: true
            }
        );
        assert_eq!(listed(&s), [2, 3, 1], "one role: ties by time");
    }

    #[test]
    fn the_filter_reads_words_databases_roles_and_lints() {
        let mut s = state(3);
        s.filter = "orders".to_owned();
        s.refilter();
        assert_eq!(listed(&s), [2, 1]);
        s.filter = "db:crm".to_owned();
        s.refilter();
        assert_eq!(listed(&s), [3]);
        s.filter = "ORDERS db:shop role:app lint:*".to_owned();
        s.refilter();
        assert_eq!(listed(&s), [1], "only statement 1 selects *");
        s.filter = "role:nobody".to_owned();
        s.refilter();
        assert!(listed(&s).is_empty());
        assert_eq!(s.selected_row(), None);
    }

    #[test]
    fn the_selection_follows_its_statement_across_refreshes_and_sorts() {
        let mut s = state(3);
        s.move_selection(1, 10);
        assert_eq!(s.selected_row().map(|r| r.key().queryid), Some(3));
        s.sort_step(true);
        assert_eq!(s.selected_row().map(|r| r.key().queryid), Some(3));
        s.on_snapshot(snapshot(4.0, WORKLOAD), true);
        assert_eq!(s.selected_row().map(|r| r.key().queryid), Some(3));
        let (key, text) = s.selected_statement().unwrap();
        assert_eq!((key.queryid, text.as_str()), (3, WORKLOAD[2].2));
    }

    #[test]
    fn the_table_scrolls_to_keep_the_selection_in_sight() {
        let mut s = state(3);
        s.toggle_idle();
        s.move_selection(3, 2);
        assert_eq!((s.selected, s.offset), (3, 2));
        s.move_selection(-2, 2);
        assert_eq!((s.selected, s.offset), (1, 1));
        s.select_edge(false, 2);
        assert_eq!((s.selected, s.offset), (0, 0));
        s.move_selection(100, 2);
        assert_eq!(s.selected, 3, "clamped to the last row");
    }

    #[test]
    fn scopes_and_windows_cover_the_time_asked_for() {
        let mut s = QueriesState::default();
        for t in 1..=400 {
            s.on_snapshot(snapshot(f64::from(t), WORKLOAD), true);
        }
        assert_eq!(s.figures.as_ref().unwrap().seconds, Some(1.0));
        s.cycle_scope();
        assert_eq!(s.scope, Scope::Minutes(1));
        let secs = s.figures.as_ref().unwrap().seconds.unwrap();
        assert!((60.0..=66.0).contains(&secs), "{secs}");
        let calls = s.rows().find(|r| r.key().queryid == 1).unwrap().calls;
        assert_eq!(calls, 10 * secs as i64);
        s.cycle_scope();
        s.cycle_scope();
        assert_eq!(s.scope, Scope::Minutes(15));
        let secs = s.figures.as_ref().unwrap().seconds.unwrap();
        assert!(
            (399.0 - secs).abs() < 1e-9,
            "the whole history while it is short: {secs}"
        );
        s.toggle_cumulative();
        assert_eq!(s.scope, Scope::Cumulative);
        assert_eq!(s.rows().find(|r| r.key().queryid == 1).unwrap().calls, 4000);
        s.toggle_cumulative();
        assert_eq!(s.scope, Scope::Interval);
    }

    #[test]
    fn samples_taken_out_of_sight_give_the_windows_when_the_pane_comes_into_sight() {
        let mut s = QueriesState::default();
        // Five minutes on other panes: a sample every 10 s, no figures built.
        for t in 0..=30 {
            s.on_snapshot(snapshot(f64::from(t * 10), WORKLOAD), false);
        }
        assert!(s.figures.is_none());
        s.rebuild();
        assert_eq!(s.figures.as_ref().unwrap().seconds, Some(10.0));
        s.cycle_scope();
        s.cycle_scope();
        assert_eq!(s.scope, Scope::Minutes(5));
        let secs = s.figures.as_ref().unwrap().seconds.unwrap();
        assert!((300.0..=330.0).contains(&secs), "{secs}");
    }

    #[test]
    fn the_detail_view_formats_the_statement_and_scrolls() {
        let mut s = state(3);
        s.move_selection(2, 10);
        s.toggle_detail();
        let detail = s.detail.as_ref().unwrap();
        assert_eq!(detail.id.0.queryid, 1);
        assert_eq!(
            detail.formatted.as_deref(),
            Some("SELECT *\nFROM orders\nWHERE id = $1")
        );
        s.move_selection(3, 10);
        assert_eq!(s.detail.as_ref().unwrap().scroll, 3);
        assert_eq!(
            s.selected_row().unwrap().key().queryid,
            1,
            "j scrolls the detail"
        );
        s.toggle_detail();
        assert!(s.detail.is_none());
    }

    #[test]
    fn the_detail_view_stays_open_across_refreshes() {
        let mut s = state(3);
        s.toggle_detail();
        let id = s.detail.as_ref().unwrap().id;
        for t in 4..8 {
            s.on_snapshot(snapshot(f64::from(t), WORKLOAD), true);
            assert_eq!(s.detail.as_ref().map(|d| d.id), Some(id), "refresh {t}");
        }
    }

    #[test]
    fn a_failed_read_keeps_the_figures_and_says_why() {
        let mut s = state(2);
        s.on_snapshot(
            QueriesSnapshot {
                taken_at: 3.0,
                statements: Err("canceling statement due to statement timeout".to_owned()),
            },
            true,
        );
        assert!(s.error.as_deref().unwrap().contains("timeout"));
        assert_eq!(listed(&s), [2, 3, 1]);
    }
}
