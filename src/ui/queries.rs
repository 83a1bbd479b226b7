//! The Queries pane: pg_stat_statements over the scope on screen, sorted and filtered, with the
//! selected statement and its lints below; Enter gives the statement the whole pane.
//!
//! ```text
//!  ╭ Queries · last interval 2.0s · 42 of 1,234 · by time ↓ ──────────── / db:shop orders ╮
//!  │   calls/s  time/s    mean  rows/c   hit%  %time  lint   query                        │
//!  │ ▸   1,234   820ms  0.66ms     1.0  99.9%  41.2%  N+1    SELECT name FROM users WHERE… │
//!  │        12   310ms    26ms   5,000  71.3%  15.6%  NOLIM  SELECT * FROM trades WHERE …  │
//!  ╰──────────────────────────── 4,812 of 5,000 entries · 12 evicted · 3 hidden ─────────╯
//!  ╭ shop / app · queryid 4242 ─────────────────────────────────────────────────────────╮
//!  │ SELECT name FROM users WHERE id = $1                                                  │
//!  │ WARN N+1 suspect: 2,468 calls of a one-row lookup (1.0 row per call), 120× the …      │
//!  ╰───────────────────────────────────────────────────────────────────────────────────────╯
//! ```
//! Wider terminals add columns: hit%, max and stddev, then read/s, temp/s, WAL/s and I/O time (with
//! track_io_timing), then database/role. Only the rows on screen are laid out, so a server
//! with thousands of statements draws as fast as one with ten.

mod detail;
pub mod lint;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Cell, HighlightSpacing, Paragraph, Row, Table, TableState, Wrap};

use crate::app::model::Model;
use crate::app::queries::{Column, QueriesState};
use crate::diagnose::overview::one_line;
use crate::diagnose::queries::{QueriesFigures, QueryRow, Scope};
use crate::server::ServerInfo;
use crate::ui::format;
use crate::ui::panel;
use crate::ui::sql;
use crate::ui::theme::Theme;

/// Inner widths from which the table adds min, max, stddev and hit%; read, temp, WAL and I/O;
/// rows, database and role.
const WIDER: (u16, u16, u16) = (110, 150, 190);
/// Width of the database and role columns.
const WHO: u16 = 10;

/// Draws the Queries pane into `area`.
pub fn render(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let queries = &model.queries;
    let old = model.is_stale() || queries.error.is_some() && queries.figures.is_some();
    let Some(figures) = &queries.figures else {
        let why = queries.error.as_deref().unwrap_or(
            "reading pg_stat_statements… (the pane's figures arrive with the next refresh)",
        );
        let block = panel::panel(" Queries ", theme, false);
        frame.render_widget(panel::reason(why, block, theme), area);
        return;
    };
    if queries.detail.is_some()
        && let Some(row) = queries.selected_row()
    {
        detail::render(frame, area, queries, figures, row, theme, old);
        return;
    }
    let preview = crate::app::queries::preview_rows(area.height);
    let [list, below] = area.layout(&Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(preview),
    ]));
    let note = model
        .server
        .as_ref()
        .and_then(ServerInfo::pg_stat_statements_privilege_note);
    table(frame, list, queries, figures, note.as_deref(), theme, old);
    if let Some(row) = queries.selected_row() {
        selected(frame, below, row, theme);
    }
}

/// The scope in words: "last interval 2.0s", "last 5m (1m20s so far)", "since the reset 3d04h".
#[must_use]
pub fn scope_words(figures: &QueriesFigures) -> String {
    let secs = figures.seconds;
    match (figures.scope, secs) {
        (Scope::Interval, Some(s)) => format!("last interval {}", format::age(s)),
        (Scope::Interval, None) => "last interval".to_owned(),
        (Scope::Minutes(m), Some(s)) if s + 1.0 < f64::from(m) * 60.0 => {
            format!("last {m}m ({} so far)", format::age(s))
        }
        (Scope::Minutes(m), Some(s)) => format!("last {m}m ({})", format::age(s)),
        (Scope::Minutes(m), None) => format!("last {m}m"),
        (Scope::Cumulative, Some(s)) => format!("since the reset {} ago", format::age(s)),
        (Scope::Cumulative, None) => "since the reset".to_owned(),
    }
}

fn table(
    frame: &mut Frame,
    area: Rect,
    queries: &QueriesState,
    figures: &QueriesFigures,
    privilege_note: Option<&str>,
    theme: &Theme,
    old: bool,
) {
    let order = if queries.sort.descending {
        "↓"
    } else {
        "↑"
    };
    let title = format!(
        " Queries · {} · {} of {} · by {} {order} ",
        scope_words(figures),
        format::count(queries.visible.len() as i64),
        format::count(figures.rows.len() as i64),
        queries.sort.column.name(),
    );
    let mut block = panel::panel(title, theme, old);
    if !queries.filter.is_empty() {
        let filter = format!(" / {} ", format::truncate(&queries.filter, 30));
        block = block.title_top(Line::styled(filter, theme.notice).right_aligned());
    }
    let room = usize::from(area.width).saturating_sub(2);
    block = block.title_bottom(
        Line::styled(footer(queries, figures, privilege_note, room), theme.dim).right_aligned(),
    );
    if figures.scope.is_rate() && figures.seconds.is_none() {
        let why = "rates need a second sample: the figures of the last interval arrive with the \
                   next refresh (c: since the reset, now)";
        frame.render_widget(panel::reason(why, block, theme), area);
        return;
    }
    if figures.latest.settings.track.as_deref() == Some("none") {
        let why = "pg_stat_statements.track is none: no statement is recorded. ALTER SYSTEM SET \
                   pg_stat_statements.track = 'top'; SELECT pg_reload_conf()";
        frame.render_widget(panel::reason(why, block, theme), area);
        return;
    }
    if queries.visible.is_empty() {
        let why = if queries.filter.is_empty() {
            "no statement ran in this span (a: list the idle ones too, v: a longer window)"
        } else {
            "no statement matches the filter (/ to change it, Esc in the filter clears it)"
        };
        frame.render_widget(panel::reason(why, block, theme), area);
        return;
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let columns = columns(inner.width, figures);
    // Only the rows on screen are laid out: the selection stays in sight.
    let height = usize::from(inner.height.saturating_sub(1)).max(1);
    let offset = queries
        .offset
        .max((queries.selected + 1).saturating_sub(height))
        .min(queries.selected);
    let rows: Vec<Row> = queries
        .rows()
        .skip(offset)
        .take(height)
        .map(|r| row(r, &columns, figures, usize::from(inner.width), theme))
        .collect();
    let header = Row::new(columns.iter().map(|c| {
        let mut name = column_header(*c, figures.scope.is_rate()).to_owned();
        if *c == queries.sort.column {
            name.push_str(if queries.sort.descending {
                "↓"
            } else {
                "↑"
            });
        }
        Cell::from(if numeric(*c) {
            Line::from(name).right_aligned()
        } else {
            Line::from(name)
        })
    }))
    .style(theme.header);
    // Room for the header, and the sort arrow on the sorted column.
    let widths: Vec<Constraint> = columns
        .iter()
        .map(|c| match width(*c) {
            Constraint::Length(n) => {
                let named = format::width(column_header(*c, figures.scope.is_rate()))
                    + usize::from(*c == queries.sort.column);
                Constraint::Length(n.max(u16::try_from(named).unwrap_or(n)))
            }
            fill => fill,
        })
        .collect();
    let table = Table::new(rows, widths)
        .header(header)
        .row_highlight_style(theme.selected)
        .highlight_symbol("▸ ")
        .highlight_spacing(HighlightSpacing::Always)
        .column_spacing(1);
    let mut table_state = TableState::new().with_selected(Some(queries.selected - offset));
    frame.render_stateful_widget(table, inner, &mut table_state);
}

/// The bottom border in `room` columns: how full pg_stat_statements is, evictions, what this
/// role cannot see. Where it does not fit, the GRANT is kept: the other parts give way first.
fn footer(
    state: &QueriesState,
    figures: &QueriesFigures,
    privilege_note: Option<&str>,
    room: usize,
) -> String {
    let sample = &figures.latest;
    // (part, a shorter one, how long it stays: higher stays longer)
    let mut parts: Vec<(String, Option<String>, u8)> = Vec::new();
    let entries = format::count(sample.entries.len() as i64);
    let whole = match sample.settings.max_entries {
        Some(max) => format!("{entries} of {} entries", format::count(max)),
        None => format!("{entries} entries"),
    };
    parts.push((whole, Some(format!("{entries} entries")), 1));
    if let Some(dealloc) = sample.dealloc.filter(|d| *d > 0) {
        parts.push((format!("{} evicted", format::count(dealloc)), None, 2));
    }
    if sample.hidden > 0 {
        let grant = privilege_note.unwrap_or("GRANT pg_read_all_stats");
        let hidden = format!("{} of other roles hidden", format::count(sample.hidden));
        let short = grant
            .find("GRANT")
            .map(|at| format!("{hidden}: {}", &grant[at..]));
        parts.push((format!("{hidden}: {grant}"), short, 5));
    }
    if !sample.settings.track_io_timing {
        parts.push(("track_io_timing off".to_owned(), None, 3));
    }
    if let Some(error) = &state.error {
        let text = format!("last read failed: {}", format::truncate(error, 60));
        parts.push((text, None, 4));
    }
    let joined = |parts: &[(String, Option<String>, u8)]| {
        let texts: Vec<&str> = parts.iter().map(|(text, ..)| text.as_str()).collect();
        format!(" {} ", texts.join(" · "))
    };
    while format::width(&joined(&parts)) > room {
        if let Some(part) = parts.iter_mut().find(|(_, short, _)| short.is_some()) {
            if let Some(short) = part.1.take() {
                part.0 = short;
            }
        } else if parts.len() > 1
            && let Some(least) = (0..parts.len()).min_by_key(|i| parts[*i].2)
        {
            parts.remove(least);
        } else {
            break;
        }
    }
    format::truncate(&joined(&parts), room).into_owned()
}

/// The column's header: per second over a rate scope.
fn column_header(column: Column, rate: bool) -> &'static str {
    match (column, rate) {
        (Column::Calls, true) => "calls/s",
        (Column::Time, true) => "time/s",
        (Column::Time, false) => "total",
        (Column::Rows, true) => "rows/s",
        (Column::RowsPerCall, _) => "rows/c",
        (Column::Read, true) => "read/s",
        (Column::Temp, true) => "temp/s",
        (Column::Wal, true) => "WAL/s",
        (Column::Io, true) => "I/O/s",
        (column, _) => column.name(),
    }
}

fn width(column: Column) -> Constraint {
    match column {
        Column::RowsPerCall | Column::HitPct | Column::Share => Constraint::Length(6),
        Column::Min | Column::Max | Column::Rows | Column::Read | Column::Temp | Column::Wal => {
            Constraint::Length(8)
        }
        Column::Database | Column::Role => Constraint::Length(WHO),
        Column::Query => Constraint::Fill(1),
        _ => Constraint::Length(7),
    }
}

fn numeric(column: Column) -> bool {
    !matches!(
        column,
        Column::Lint | Column::Database | Column::Role | Column::Query
    )
}

/// The columns that fit `width`: the essentials at 80 columns, more as the terminal widens.
fn columns(width: u16, figures: &QueriesFigures) -> Vec<Column> {
    let sample = &figures.latest;
    let mut cols = vec![Column::Calls, Column::Time, Column::Mean];
    if width >= WIDER.0 {
        cols.extend([Column::Min, Column::Max, Column::Stddev]);
    }
    if width >= WIDER.2 {
        cols.push(Column::Rows);
    }
    cols.push(Column::RowsPerCall);
    if width >= WIDER.0 {
        cols.push(Column::HitPct);
    }
    cols.push(Column::Share);
    if width >= WIDER.1 {
        cols.extend([Column::Read, Column::Temp]);
        if sample.columns.wal {
            cols.push(Column::Wal);
        }
        if sample.settings.track_io_timing {
            cols.push(Column::Io);
        }
    }
    cols.push(Column::Lint);
    if width >= WIDER.2 {
        cols.extend([Column::Database, Column::Role]);
    }
    cols.push(Column::Query);
    cols
}

/// One statement's row; its text is cut to `width`, the most the query column can show.
fn row<'a>(
    r: &'a QueryRow,
    cols: &[Column],
    figures: &QueriesFigures,
    width: usize,
    theme: &Theme,
) -> Row<'a> {
    Row::new(cols.iter().map(|c| cell(*c, r, figures, width, theme)))
}

fn cell<'a>(
    col: Column,
    r: &'a QueryRow,
    figures: &QueriesFigures,
    width: usize,
    theme: &Theme,
) -> Cell<'a> {
    let number = |text: String| Cell::from(Line::styled(text, theme.value).right_aligned());
    if numeric(col) && r.is_unknown() {
        return Cell::from(Line::styled("-", theme.dim).right_aligned());
    }
    let per = Per::new(figures);
    let block = figures.latest.settings.block_size as f64;
    match col {
        Column::Calls => number(per.count(r.calls as f64)),
        Column::Time => number(format::millis(per.value(r.total_ms))),
        Column::Mean => number(r.mean_ms().map_or_else(|| "-".to_owned(), format::millis)),
        Column::Min => number(format::millis(r.min_ms)),
        Column::Max => number(format::millis(r.max_ms)),
        Column::Stddev => number(r.stddev_ms.map_or_else(|| "-".to_owned(), format::millis)),
        Column::Rows => number(per.count(r.rows as f64)),
        Column::RowsPerCall => number(r.rows_per_call().map_or_else(|| "-".to_owned(), rows)),
        Column::HitPct => number(r.hit_pct().map_or_else(|| "-".to_owned(), format::percent)),
        Column::Share => {
            Cell::from(Line::styled(format!("{:.1}%", r.share_pct), theme.text).right_aligned())
        }
        Column::Read => number(per.bytes(r.shared_blks_read as f64 * block)),
        Column::Temp => number(per.bytes(r.temp_blks_written as f64 * block)),
        Column::Wal => number(r.wal_bytes.map_or_else(|| "-".to_owned(), |w| per.bytes(w))),
        Column::Io => number(format::millis(per.value(r.io_ms()))),
        Column::Lint => Cell::from(lint::tags(r, theme)),
        Column::Database | Column::Role => {
            let who = r.text.as_ref().map_or("", |t| {
                if col == Column::Database {
                    t.text.database.as_str()
                } else {
                    t.text.role.as_str()
                }
            });
            Cell::from(Span::styled(
                format::truncate(who, usize::from(WHO)).into_owned(),
                theme.dim,
            ))
        }
        Column::Query => {
            let mut spans = Vec::new();
            if !r.toplevel() {
                spans.push(Span::styled("(nested) ", theme.dim));
            }
            // The cell shows a line's worth: lay out and highlight no more than that (a long
            // statement's whitespace is collapsed only as far as it can show).
            let query = r.query();
            let head = query
                .char_indices()
                .nth(width * 4)
                .map_or(query.as_ref(), |(at, _)| &query[..at]);
            let text = format::truncate(&one_line(head), width).into_owned();
            spans.extend(
                sql::tokens(&text)
                    .into_iter()
                    .map(|(kind, piece)| sql_span(kind, piece.to_owned(), theme)),
            );
            Cell::from(Line::from(spans))
        }
    }
}

fn sql_span(kind: sql::Token, piece: String, theme: &Theme) -> Span<'static> {
    match kind {
        sql::Token::Keyword => Span::styled(piece, theme.text.patch(theme.sql_keyword)),
        sql::Token::Literal => Span::styled(piece, theme.text.patch(theme.sql_literal)),
        sql::Token::Other => Span::styled(piece, theme.text),
    }
}

/// Rows per call: `1.0`, `12.5`, `5,000`, `1.2M`.
fn rows(per_call: f64) -> String {
    if per_call < 100.0 {
        format!("{per_call:.1}")
    } else if per_call < 100_000.0 {
        format::count(per_call.round() as i64)
    } else {
        format::compact(per_call)
    }
}

/// Figures per second over a rate scope, totals over the cumulative one.
#[derive(Debug, Clone, Copy)]
struct Per {
    seconds: Option<f64>,
}

impl Per {
    fn new(figures: &QueriesFigures) -> Self {
        Self {
            seconds: figures.seconds.filter(|_| figures.scope.is_rate()),
        }
    }

    fn value(self, total: f64) -> f64 {
        self.seconds.map_or(total, |s| total / s)
    }

    fn count(self, total: f64) -> String {
        match self.seconds {
            Some(s) => format::rate(total / s),
            None => format::compact(total),
        }
    }

    fn bytes(self, total: f64) -> String {
        match self.seconds {
            Some(s) => format::bytes(total / s),
            None => format::bytes(total),
        }
    }
}

/// The box under the table: the selected statement, wrapped, and its lints.
fn selected(frame: &mut Frame, area: Rect, r: &QueryRow, theme: &Theme) {
    if area.height < 3 {
        return;
    }
    let title = detail::title(r);
    let block = panel::panel(title, theme, false)
        .title_bottom(Line::styled(" Enter: the whole statement ", theme.dim).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let lints = lint::lines(r, usize::from(inner.width), theme);
    let sql_rows = inner
        .height
        .saturating_sub(lints.len().min(usize::from(inner.height) / 2) as u16);
    let [sql_area, lint_area] = inner.layout(&Layout::vertical([
        Constraint::Length(sql_rows.max(1)),
        Constraint::Fill(1),
    ]));
    let text = one_line(&r.query());
    let spans: Vec<Span> = sql::tokens(&text)
        .into_iter()
        .map(|(kind, piece)| sql_span(kind, piece.to_owned(), theme))
        .collect();
    frame.render_widget(
        Paragraph::new(Text::from(Line::from(spans))).wrap(Wrap { trim: true }),
        sql_area,
    );
    frame.render_widget(Paragraph::new(lints), lint_area);
}
