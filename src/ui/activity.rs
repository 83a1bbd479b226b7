//! The Activity & pool pane: who holds the connections, who blocks whom, who holds back the
//! xmin horizon, and every session.
//!
//! ```text
//!  wide (≥ 150 x 40)
//!  ╭ Connections ────────╮╭ Blocking · 1 root, 2 waiting ──────╮╭ xmin horizon ──────────╮
//!  │ used, gauge, states ││ 2403 backoffice idle in tx  ROOT   ││ oldest holders, ages   │
//!  │ stacked chart       ││ └ 2407 migrate waits AccessExcl…   ││                        │
//!  ╰─────────────────────╯╰────────────────────────────────────╯╰────────────────────────╯
//!  ╭ Pools ──────────────────────────────────╮╭ PgBouncer ─────────────────────────────────╮
//!  ╰─────────────────────────────────────────╯╰────────────────────────────────────────────╯
//!  ╭ Sessions · 21 of 21 · sort XACT ────────────────────────────────────────────────────────╮
//!  ╰──────────────────────────────────────────────────────────────────────────────────────────╯
//!
//!  narrow (80 x 24)
//!  conn 17/97 17% ok · active 3 · idle in tx 2 · idle 12 · waiting 2     (one line each)
//!  xmin horizon: pid 2392 risk-engine idle in tx 40s, 371 xids           WARN
//!  pgbouncer: 3 clients waiting in shop/app, oldest 1.5s                 WARN
//!  ╭ Blocking (only when someone waits) ╮
//!  ╭ Sessions, or Pools (v), or the detail of one session (Enter) ╮
//! ```
//!
//! `v` moves the selection between the sessions, the blocking tree and the pools; the focused
//! box has a highlighted title. Every level is written as a word.

mod blocking;
mod chart;
mod detail;
mod sessions;
mod side;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::activity::Section;
use crate::app::model::Model;
use crate::diagnose::activity::ActivityView;
use crate::diagnose::health::Level;
use crate::ui::format;
use crate::ui::panel::{self, Figures};
use crate::ui::theme::Theme;

/// From this size the pane has boxes for usage, horizon, pools and PgBouncer.
const WIDE: (u16, u16) = (150, 40);
/// Height of the top row of boxes in the wide layout.
const TOP_HEIGHT: u16 = 12;
/// Height of the pools row in the wide layout.
const POOLS_HEIGHT: u16 = 9;
/// The blocking tree box never takes more than this in the narrow layout.
const TREE_MAX: u16 = 8;

/// Draws the Activity pane into `area`.
pub fn render(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let state = &model.activity;
    let Some(view) = &state.view else {
        let text = state
            .error
            .as_deref()
            .unwrap_or("reading pg_stat_activity…");
        let block = panel::panel(" Activity ", theme, false);
        frame.render_widget(panel::reason(text, block, theme), area);
        return;
    };
    if area.width >= WIDE.0 && area.height >= WIDE.1 {
        wide(frame, area, model, view, theme);
    } else {
        narrow(frame, area, model, view, theme);
    }
}

fn wide(frame: &mut Frame, area: Rect, model: &Model, view: &ActivityView, theme: &Theme) {
    let [top, middle, bottom] = area.layout(&Layout::vertical([
        Constraint::Length(TOP_HEIGHT),
        Constraint::Length(POOLS_HEIGHT),
        Constraint::Fill(1),
    ]));
    let [usage, tree, horizon] = top.layout(&Layout::horizontal([
        Constraint::Percentage(28),
        Constraint::Percentage(40),
        Constraint::Fill(1),
    ]));
    chart::usage_box(frame, usage, model, view, theme);
    blocking::render(frame, tree, model, view, theme);
    side::horizon_box(frame, horizon, model, view, theme);
    if model.activity.pgbouncer.configured {
        let [pools, bouncer] = middle.layout(&Layout::horizontal([
            Constraint::Percentage(50),
            Constraint::Fill(1),
        ]));
        side::pools_box(frame, pools, model, view, theme);
        side::pgbouncer_box(frame, bouncer, model, view, theme);
    } else {
        side::pools_box(frame, middle, model, view, theme);
    }
    body(frame, bottom, model, view, theme);
}

fn narrow(frame: &mut Frame, area: Rect, model: &Model, view: &ActivityView, theme: &Theme) {
    let mut lines = vec![usage_line(model, view, area.width, theme)];
    if let Some(line) = side::horizon_line(model, view, area.width, theme) {
        lines.push(line);
    }
    if let Some(line) = side::pgbouncer_line(model, view, area.width, theme) {
        lines.push(line);
    }
    if let Some(why) = &model.activity.error {
        lines.push(Line::styled(
            format::truncate(
                &format!("last refresh failed: {why}"),
                usize::from(area.width),
            )
            .into_owned(),
            theme.level(Level::Warn),
        ));
    }
    let waiting = !view.blocking.rows.is_empty();
    let tree_height = if waiting || model.activity.section == Section::Blocking {
        (view.blocking.rows.len() as u16 + 2).clamp(3, TREE_MAX)
    } else {
        0
    };
    let [header, tree, rest] = area.layout(&Layout::vertical([
        Constraint::Length(lines.len() as u16),
        Constraint::Length(tree_height),
        Constraint::Fill(1),
    ]));
    frame.render_widget(Paragraph::new(lines), header);
    if tree_height > 0 {
        blocking::render(frame, tree, model, view, theme);
    }
    if model.activity.section == Section::Pools && model.activity.detail.is_none() {
        pools_and_bouncer(frame, rest, model, view, theme);
    } else {
        body(frame, rest, model, view, theme);
    }
}

/// The narrow layout's pools: the server's, then PgBouncer's when configured.
fn pools_and_bouncer(
    frame: &mut Frame,
    area: Rect,
    model: &Model,
    view: &ActivityView,
    theme: &Theme,
) {
    if model.activity.pgbouncer.configured {
        let [pools, bouncer] = area.layout(&Layout::vertical([
            Constraint::Percentage(55),
            Constraint::Fill(1),
        ]));
        side::pools_box(frame, pools, model, view, theme);
        side::pgbouncer_box(frame, bouncer, model, view, theme);
    } else {
        side::pools_box(frame, area, model, view, theme);
    }
}

/// The sessions list, or the detail of one session.
fn body(frame: &mut Frame, area: Rect, model: &Model, view: &ActivityView, theme: &Theme) {
    match &model.activity.detail {
        Some(detail) => detail::render(frame, area, model, view, detail, theme),
        None => sessions::render(frame, area, model, theme),
    }
}

/// `connections 17/97 17.5% ok · active 3 · idle in tx 2 · idle 12 · waiting 2`, the level
/// word at the right edge.
fn usage_line<'a>(model: &Model, view: &ActivityView, width: u16, theme: &'a Theme) -> Line<'a> {
    let usage = &view.usage;
    let figures = Figures::new(width, 0, theme);
    let s = &usage.by_state;
    let mut spans = Vec::new();
    if model.is_stale() {
        spans.push(Span::styled("STALE ", theme.stale));
    }
    spans.extend([
        Span::styled("conns ", theme.dim),
        figures.value(
            format!(
                "{}/{} {}",
                usage.used,
                usage.usable,
                format::percent(usage.used_pct.value)
            ),
            usage.used_pct.level,
        ),
    ]);
    let mut part = |label: &str, n: i64, level: Level| {
        if n > 0 {
            spans.push(Span::styled(format!(" · {label} "), theme.dim));
            spans.push(figures.value(n.to_string(), level));
        }
    };
    part("active", s.active, Level::Ok);
    part("idle in tx", s.idle_in_transaction, Level::Warn);
    part("aborted tx", s.idle_in_transaction_aborted, Level::Warn);
    part("idle", s.idle, Level::Ok);
    part("waiting", usage.waiting, Level::Warn);
    figures.line("", spans, Some(usage.used_pct.level))
}

/// A box title, highlighted when its list has the selection.
fn title<'a>(text: String, focused: bool, theme: &Theme) -> Line<'a> {
    if focused {
        Line::from(Span::styled(
            format!("▸{text}"),
            theme.title.patch(theme.key),
        ))
    } else {
        Line::from(text)
    }
}
