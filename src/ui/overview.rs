//! The Overview pane: the triage screen that answers "what is wrong right now".
//!
//! ```text
//!  80x24 (narrow, no charts)                 200x60 (wide, charts)
//!  ╭ Connections ───────╮╭ Throughput ─╮     ╭ Connections ╮╭ Throughput ╮╭ Wraparound ╮╭ Replication ╮
//!  │ figures + gauge    ││ figures     │     │             ││            ││            ││ one line    │
//!  │ sparkline          │╰─────────────╯     ╰─────────────╯╰────────────╯╰────────────╯╰─ per replica╯
//!  │                    │╭ Wraparound ·╮     ╭ Top statements ─────────────────────────────────────────╮
//!  ╰────────────────────╯╰ Replication ╯     │ table, then the selected statement's SQL, wrapped       │
//!  ╭ Top statements ──────────────────╮     ╰─────────────────────────────────────────────────────────╯
//!  │ table + selected SQL on one line │     ╭ Connections chart ─────────╮╭ Transactions/s chart ──────╮
//!  ╰──────────────────────────────────╯     ╰────────────────────────────╯╰────────────────────────────╯
//! ```
//!
//! Narrow terminals fold the history into sparklines inside the boxes; once there is room for
//! charts they get their own row. Every figure carries its level as a word, not only a colour.

mod health;
mod history;
mod replication;
mod statements;
mod wraparound;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::model::{ConnState, Model};
use crate::ui::format;
use crate::ui::theme::Theme;

/// Height of the figure boxes with the history as sparklines inside (or stacked in two columns).
const HEALTH_HEIGHT: u16 = 13;
/// Height of the figure boxes side by side when the history has its own charts.
const HEALTH_COMPACT: u16 = 10;
/// The statements box when charts also fit: borders, header, five rows, three lines of SQL.
const STATEMENTS_ROOMY: u16 = 11;
/// Charts are drawn only when they get at least this many rows.
const CHARTS_MIN: u16 = 10;
/// From this width the four figure boxes stand side by side.
const WIDE: u16 = 160;

/// How the pane is arranged for the space it has.
#[derive(Debug, Clone, Copy)]
struct Shape {
    /// Four figure boxes in a row (else two columns).
    wide: bool,
    /// A row of history charts (else sparklines inside the boxes).
    charts: bool,
}

/// Draws the Overview into `area`.
pub fn render(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let Some(view) = &model.overview.view else {
        waiting(frame, area, model, theme);
        return;
    };
    let wide = area.width >= WIDE;
    let compact = if wide { HEALTH_COMPACT } else { HEALTH_HEIGHT };
    let charts = area.height >= compact + STATEMENTS_ROOMY + CHARTS_MIN;
    let shape = Shape { wide, charts };
    let health_height = if charts { compact } else { HEALTH_HEIGHT };
    let (statements_height, charts_height) = if charts {
        (Constraint::Length(STATEMENTS_ROOMY), Constraint::Fill(1))
    } else {
        (Constraint::Fill(1), Constraint::Length(0))
    };
    let [health_area, statements_area, charts_area] = area.layout(&Layout::vertical([
        Constraint::Length(health_height),
        statements_height,
        charts_height,
    ]));
    let stale = model.is_stale();
    health::render(frame, health_area, view, model, theme, shape);
    statements::render(
        frame,
        statements_area,
        view,
        model.overview.selected,
        theme,
        stale,
    );
    if shape.charts {
        history::charts(frame, charts_area, model, theme);
    }
}

/// Before the first figures: where pgmedic is connecting, or why it cannot.
fn waiting(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let mut lines = vec![Line::from(vec![
        Span::styled("pgmedic ", theme.title),
        Span::styled(model.target.as_str(), theme.value),
    ])];
    lines.push(match &model.conn {
        ConnState::Connecting => Line::styled("connecting…", theme.dim),
        ConnState::Up { .. } => Line::styled(
            format!(
                "connected; the first figures arrive within {}",
                crate::app::model::humanize(model.refresh)
            ),
            theme.dim,
        ),
        ConnState::Down {
            error,
            attempt,
            retry_at,
        } => Line::from(vec![
            Span::styled("cannot connect: ", theme.warn),
            Span::styled(error.as_str(), theme.text),
            Span::styled(
                format!(
                    " — retrying in {} (attempt {attempt})",
                    format::age(retry_at.saturating_duration_since(model.now).as_secs_f64())
                ),
                theme.dim,
            ),
        ]),
    });
    let at = area.centered_vertically(Constraint::Length(lines.len() as u16 + 1));
    frame.render_widget(
        Paragraph::new(lines).centered().wrap(Wrap { trim: true }),
        at,
    );
}
