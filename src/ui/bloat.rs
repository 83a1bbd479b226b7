//! The Bloat & vacuum pane: every table (or btree index) with its estimated bloat, its
//! vacuum status and the autovacuum trigger closest to firing; below, the vacuums running now
//! and what holds the xmin horizon back.
//!
//! ```text
//!  ╭ Tables 42 · by est. wasted · read in 120ms ────────────────────────────── /orders ╮
//!  │   status table               size     bloat         wasted  dead%  autovacuum  … │
//!  │ ▸ URGENT public.orders      1.2 GiB   48% WARN     590 MiB  31.0%  dead 205%   … │
//!  │   SOON   public.fills       240 MiB   stale stats       -   2.1%  dead 83%    … │
//!  ╰───────────────────────────────────────────────────────────────────────────────────╯
//!  ╭ Vacuum in progress ─────────────────╮╭ xmin horizon ───────────────────────────────╮
//!  │ autovacuum public.orders ███··· 45% ││ session 4242 · 1.2M xids · 12m · idle in tx │
//!  ╰──────────────────────────────────────╯╰─────────────────────────────────────────────╯
//! ```
//! Enter gives the selected row the list's place: every figure, the estimate's reason, the
//! exact measurement, the triggers in words. Wider terminals get more columns.

mod activity;
mod detail;

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, HighlightSpacing, Row, Table, TableState};

use crate::app::bloat::{BloatState, ListKind};
use crate::app::model::Model;
use crate::diagnose::bloat::Verdict;
use crate::diagnose::health::Level;
use crate::diagnose::maintenance::{self, Catalog, Exact, IndexView, TableView};
use crate::diagnose::vacuum;
use crate::quote;
use crate::ui::format;
use crate::ui::panel;
use crate::ui::theme::Theme;

/// The selected row's mark, and its width.
const HIGHLIGHT: &str = "▸ ";
const HIGHLIGHT_WIDTH: u16 = 2;
/// From this inner width the lists show every column.
const WIDE: u16 = 120;

/// Draws the pane into `area`.
pub fn render(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let state = &model.bloat;
    // The detail view takes the whole pane.
    let bottom = if state.detail {
        0
    } else {
        activity::height(state, area.height)
    };
    let [list, below] = area.layout(&Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(bottom),
    ]));
    let outdated = model.is_stale() || state.catalog_error.is_some();
    let block = panel::panel(title(state), theme, outdated)
        .title_top(Line::styled(filter_hint(state, area.width), theme.dim).right_aligned());
    match &state.catalog {
        None => {
            let why = state
                .catalog_error
                .as_deref()
                .unwrap_or("reading every table and index (sizes, statistics, vacuum counters)…");
            frame.render_widget(panel::reason(why, block, theme), list);
        }
        Some(catalog) if state.detail => {
            let inner = block.inner(list);
            frame.render_widget(block, list);
            detail::render(frame, inner, model, catalog, theme);
        }
        Some(catalog) => {
            let inner = block.inner(list);
            frame.render_widget(block, list);
            let visible = state.visible();
            let selected = state.selected.min(visible.len().saturating_sub(1));
            // Only the rows that fit are built (a database may have tens of thousands), the
            // window scrolled as the table widget would: the selection on its last row.
            let fit = usize::from(inner.height.saturating_sub(1)).max(1);
            let start = (selected + 1).saturating_sub(fit);
            let window = &visible[start..visible.len().min(start + fit)];
            let mut table_state = TableState::new().with_selected(Some(selected - start));
            let table = match state.list {
                ListKind::Tables => tables(state, catalog, window, inner.width, theme),
                ListKind::Indexes => indexes(state, catalog, window, inner.width, theme),
            };
            frame.render_stateful_widget(table, inner, &mut table_state);
        }
    }
    if !below.is_empty() {
        activity::render(frame, below, model, theme);
    }
}

/// `Tables 42 · by est. wasted · read in 120ms`.
fn title(state: &BloatState) -> String {
    let (what, all) = match state.list {
        ListKind::Tables => ("Tables", state.tables.len()),
        ListKind::Indexes => ("Indexes", state.indexes.len()),
    };
    let shown = state.visible().len();
    let count = if shown == all {
        all.to_string()
    } else {
        format!("{shown} of {all}")
    };
    let read = state.catalog.as_ref().map_or_else(String::new, |c| {
        format!(" · read in {}", format::millis(c.read_ms))
    });
    format!(" {what} {count} · by {}{read} ", state.sort.name())
}

/// The filter being applied, or (where there is room) the keys that change the list.
fn filter_hint(state: &BloatState, width: u16) -> String {
    if !state.filter.is_empty() {
        format!(" /{} ", state.filter)
    } else if width >= 100 {
        " i tables/indexes · s sort · / filter ".to_owned()
    } else {
        String::new()
    }
}

// ─── Tables ──────────────────────────────────────────────────────────────────────────────────

/// The tables list's columns, then those a wide terminal adds.
const TABLE_COLUMNS: &[(&str, Constraint)] = &[
    ("status", Constraint::Length(6)),
    ("table", Constraint::Fill(1)),
    ("size", Constraint::Length(8)),
    ("bloat", Constraint::Length(12)),
    ("wasted", Constraint::Length(8)),
    ("dead%", Constraint::Length(6)),
    ("autovacuum", Constraint::Length(12)),
];
const TABLE_WIDE: &[(&str, Constraint)] = &[
    ("exact", Constraint::Length(6)),
    ("dead", Constraint::Length(8)),
    ("xid age", Constraint::Length(8)),
    ("vacuumed", Constraint::Length(9)),
    ("analyzed", Constraint::Length(9)),
    ("toast", Constraint::Length(8)),
];
/// The indexes list's columns, then those a wide terminal adds.
const INDEX_COLUMNS: &[(&str, Constraint)] = &[
    ("index", Constraint::Fill(3)),
    ("table", Constraint::Fill(2)),
    ("size", Constraint::Length(8)),
    ("bloat", Constraint::Length(12)),
    ("wasted", Constraint::Length(8)),
];
const INDEX_WIDE: &[(&str, Constraint)] = &[
    ("exact", Constraint::Length(6)),
    ("type", Constraint::Length(8)),
    ("entries", Constraint::Length(8)),
];

fn tables<'a>(
    state: &'a BloatState,
    catalog: &'a Catalog,
    visible: &[usize],
    width: u16,
    theme: &Theme,
) -> Table<'a> {
    let wide = (width >= WIDE).then_some(TABLE_WIDE);
    let name_width = column_widths(TABLE_COLUMNS, wide, width)[1];
    let rows = visible.iter().map(|&i| {
        table_row(
            state,
            catalog,
            &state.tables[i],
            (wide.is_some(), name_width),
            theme,
        )
    });
    list(rows, TABLE_COLUMNS, wide, theme)
}

fn table_row<'a>(
    state: &BloatState,
    catalog: &Catalog,
    view: &TableView,
    (wide, name_width): (bool, usize),
    theme: &Theme,
) -> Row<'a> {
    let t = &catalog.tables[view.row];
    let c = &t.counters;
    let size = size_text(t.size);
    let status = view.status.status;
    let nearest = autovacuum_cell(&view.triggers);
    let mut cells = vec![
        Cell::from(Span::styled(status.word(), theme.level(status.level()))),
        Cell::from(Span::styled(
            cut(&quote::shown_qualified(&t.schema, &t.name), name_width),
            theme.text,
        )),
        right(size, theme.value),
        verdict_cell(&view.verdict, view.level, theme),
        right(
            view.wasted.map_or_else(|| "-".to_owned(), format::bytes),
            theme.value,
        ),
        right(
            view.dead_pct
                .map_or_else(|| "-".to_owned(), |p| format!("{p:.1}")),
            theme.value,
        ),
        Cell::from(Span::styled(nearest, theme.text)),
    ];
    if wide {
        let oldest = c.xid_age.max(c.toast_xid_age);
        cells.extend([
            exact_cell(state.exact.get(&t.relid), theme),
            right(format::compact(c.n_dead_tup as f64), theme.value),
            right(
                oldest.map_or_else(|| "-".to_owned(), |a| format::compact(a as f64)),
                theme.value,
            ),
            right(
                since(catalog.server_now, latest(c.last_vacuum, c.last_autovacuum)),
                theme.dim,
            ),
            right(
                since(
                    catalog.server_now,
                    latest(c.last_analyze, c.last_autoanalyze),
                ),
                theme.dim,
            ),
            right(
                t.toast_size
                    .map_or_else(|| "-".to_owned(), |b| format::bytes(b as f64)),
                theme.dim,
            ),
        ]);
    }
    Row::new(cells)
}

// ─── Indexes ─────────────────────────────────────────────────────────────────────────────────

fn indexes<'a>(
    state: &'a BloatState,
    catalog: &'a Catalog,
    visible: &[usize],
    width: u16,
    theme: &Theme,
) -> Table<'a> {
    let wide = (width >= WIDE).then_some(INDEX_WIDE);
    let widths = column_widths(INDEX_COLUMNS, wide, width);
    let rows = visible.iter().map(|&i| {
        index_row(
            state,
            catalog,
            &state.indexes[i],
            (wide.is_some(), widths[0], widths[1]),
            theme,
        )
    });
    list(rows, INDEX_COLUMNS, wide, theme)
}

fn index_row<'a>(
    state: &BloatState,
    catalog: &Catalog,
    view: &IndexView,
    (wide, name_width, table_width): (bool, usize, usize),
    theme: &Theme,
) -> Row<'a> {
    let i = &catalog.indexes[view.row];
    let size = size_text(i.size);
    let mut cells = vec![
        Cell::from(Span::styled(
            cut(&quote::shown_qualified(&i.schema, &i.name), name_width),
            theme.text,
        )),
        Cell::from(Span::styled(
            cut(&quote::shown(&i.table), table_width),
            theme.dim,
        )),
        right(size, theme.value),
        verdict_cell(&view.verdict, view.level, theme),
        right(
            view.wasted.map_or_else(|| "-".to_owned(), format::bytes),
            theme.value,
        ),
    ];
    if wide {
        let kind = if i.primary {
            "primary"
        } else if i.unique {
            "unique"
        } else {
            i.inputs.access_method.as_str()
        };
        cells.extend([
            exact_cell(state.exact.get(&i.indexrelid), theme),
            Cell::from(Span::styled(kind.to_owned(), theme.dim)),
            right(format::compact(i.inputs.reltuples.max(0.0)), theme.value),
        ]);
    }
    Row::new(cells)
}

// ─── Cells ───────────────────────────────────────────────────────────────────────────────────

fn list<'a>(
    rows: impl IntoIterator<Item = Row<'a>>,
    columns: &[(&'a str, Constraint)],
    wide: Option<&[(&'a str, Constraint)]>,
    theme: &Theme,
) -> Table<'a> {
    let all = || columns.iter().chain(wide.unwrap_or_default());
    Table::new(rows, all().map(|(_, width)| *width))
        .header(Row::new(all().map(|(name, _)| *name)).style(theme.header))
        .row_highlight_style(theme.selected)
        .highlight_symbol(HIGHLIGHT)
        .highlight_spacing(HighlightSpacing::Always)
        .column_spacing(1)
}

/// The widths the table widget gives `columns` (then `wide`) in `width` columns, after the
/// highlight symbol, as [`list`] lays them out.
fn column_widths(
    columns: &[(&str, Constraint)],
    wide: Option<&[(&str, Constraint)]>,
    width: u16,
) -> Vec<usize> {
    let constraints = columns
        .iter()
        .chain(wide.unwrap_or_default())
        .map(|(_, c)| *c);
    let area = Rect::new(0, 0, width.saturating_sub(HIGHLIGHT_WIDTH), 1);
    Layout::horizontal(constraints)
        .flex(Flex::Start)
        .spacing(1)
        .split(area)
        .iter()
        .map(|r| usize::from(r.width))
        .collect()
}

/// `text` cut to `width` columns, ending with `…` where it was cut.
fn cut(text: &str, width: usize) -> String {
    format::truncate(text, width).into_owned()
}

fn right<'a>(text: String, style: ratatui::style::Style) -> Cell<'a> {
    Cell::from(Line::styled(text, style).right_aligned())
}

/// `48% WARN`, `3% ok`, or the reason there is no number (`stale stats`).
fn verdict_cell<'a>(verdict: &Verdict, level: Level, theme: &Theme) -> Cell<'a> {
    match verdict {
        Ok(e) => Cell::from(Line::from(vec![
            Span::styled(format!("{:>3.0}% ", e.wasted_pct), theme.value),
            Span::styled(level.word(), theme.level(level)),
        ])),
        Err(why) => Cell::from(Span::styled(why.mark(), theme.unknown)),
    }
}

fn exact_cell<'a>(exact: Option<&Exact>, theme: &Theme) -> Cell<'a> {
    let (text, style) = match exact {
        None => (String::new(), theme.dim),
        Some(Exact::Running) => ("…".to_owned(), theme.dim),
        Some(Exact::Table(_, e) | Exact::Index(_, e)) => {
            (format!("{:.0}%", e.wasted_pct), theme.value)
        }
        Some(Exact::Failed(_)) => ("error".to_owned(), theme.level(Level::Warn)),
    };
    right(text, style)
}

/// The trigger closest to firing (`dead 83%`); with autovacuum off for the table, `off`, and
/// the anti-wraparound trigger that still fires when it is near (`off frz 127%`).
fn autovacuum_cell(triggers: &vacuum::Triggers) -> String {
    if triggers.effective.active {
        return vacuum::nearest(triggers).map_or_else(String::new, |(what, ratio)| {
            format!("{what} {:.0}%", ratio * 100.0)
        });
    }
    let forced = [("frz", triggers.freeze), ("mxid", triggers.multixact)]
        .into_iter()
        .filter_map(|(what, t)| t.map(|t| (what, t.ratio())))
        .filter(|(_, r)| r.is_finite() && *r >= vacuum::SOON_RATIO)
        .max_by(|a, b| a.1.total_cmp(&b.1));
    forced.map_or_else(
        || "off".to_owned(),
        |(what, ratio)| format!("off {what} {:.0}%", ratio * 100.0),
    )
}

/// The size measured with the catalog, or `locked` (an ACCESS EXCLUSIVE lock kept the size
/// functions off it).
pub(crate) fn size_text(size: Option<i64>) -> String {
    maintenance::relation_size(size).map_or_else(|| "locked".to_owned(), format::bytes)
}

/// The later of two optional times.
fn latest(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// `3h05m` since an epoch time, by the server's clock; `never` without one.
fn since(now: f64, at: Option<f64>) -> String {
    at.map_or_else(|| "never".to_owned(), |at| format::age(now - at))
}
