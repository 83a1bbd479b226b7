//! A pure render of the model: `render(frame, &model, &theme)` draws one frame and changes
//! nothing. No I/O, no clock (ages come from `model.now`), no state kept between frames.
//!
//! ```text
//!  col 0                                                                       col w-1
//!  ┌─────────────────────────────────────────────────────────────────────────────┐
//!  │ 1 Overview │ 2 … (tabs, one column apart)       user@host:5432/db  pgmedic   │ row 0    tab bar
//!  ├─────────────────────────────────────────────────────────────────────────────┤
//!  │                                                                             │
//!  │   pane body: ui::overview::render (one module per pane)                    │ rows 1…  body
//!  │                        ╭ Keys · Overview ╮                                  │
//!  │                        │ ? help popup    │  (Mode::Help, over the body)     │
//!  │                        ╰─────────────────╯                                  │
//!  ├─────────────────────────────────────────────────────────────────────────────┤
//!  │ up · 2s ago │ READ-ONLY │ notice             PG 15.4 · app@shop · primary   │ status bar: state left,
//!  │ :refresh 5s▏                                                                │   server right if it fits
//!  └─────────────────────────────────────────────────────────────────────────────┘ command line (Mode::Command)
//! ```
//!
//! Below 80x24 the whole frame is one centered notice instead.

mod activity;
mod bloat;
mod command_line;
mod confirm;
pub mod explain;
pub mod format;
mod help;
mod indexes;
mod jobs;
mod overview;
mod panel;
pub mod queries;
mod settings;
mod sql;
mod sql_view;
mod status_bar;
pub mod theme;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Tabs, Wrap};

use crate::app::model::{MIN_SIZE, Mode, Model};
use crate::app::pane::Pane;

pub use sql_view::warm_up;
pub use theme::{Theme, ThemeError};

/// Draws the whole console for `model`.
pub fn render(frame: &mut Frame, model: &Model, theme: &Theme) {
    let area = frame.area();
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        too_small(frame, area, theme);
        return;
    }
    let command = matches!(model.mode, Mode::Command(_) | Mode::Filter);
    let [tabs, body, status, command_row] = area.layout(&Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(u16::from(command)),
    ]));
    tab_bar(frame, tabs, model, theme);
    match model.pane {
        Pane::Overview => overview::render(frame, body, model, theme),
        Pane::Queries => queries::render(frame, body, model, theme),
        Pane::Activity => activity::render(frame, body, model, theme),
        Pane::Indexes => indexes::render(frame, body, model, theme),
        Pane::Jobs => jobs::render(frame, body, model, theme),
        Pane::Explain => explain::render(frame, body, model, theme),
        Pane::Bloat => bloat::render(frame, body, model, theme),
        Pane::Settings => settings::render(frame, body, model, theme),
    }
    status_bar::render(frame, status, model, theme);
    match &model.mode {
        // The pane draws its own input (the Explain pane's editor and question).
        Mode::Normal | Mode::Input => {}
        Mode::Help => help::render(frame, body, model.pane, theme),
        Mode::Command(line) => command_line::render(frame, command_row, ":", line, theme),
        Mode::Filter => {
            let typed = model.filter().unwrap_or_default();
            command_line::render(frame, command_row, model.filter_prompt(), typed, theme);
        }
        Mode::Confirm(confirm) => confirm::render(frame, body, confirm, theme),
        Mode::ConfirmQuit => confirm::render_quit(frame, body, &model.jobs, theme),
    }
}

/// Row 0: the tabs from column 0, one column apart (as `Pane::at_column` expects), and the
/// monitored server on the right.
fn tab_bar(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    frame.render_widget(Block::new().style(theme.tab_bar), area);
    let selected = Pane::ALL.iter().position(|p| *p == model.pane);
    let labels = Pane::labels(model.tab_room(area.width), model.pane);
    let tabs = Tabs::new(labels.iter().map(|(_, label)| label.clone()))
        .select(selected)
        .style(theme.tab)
        .highlight_style(theme.tab_active)
        .padding("", "")
        .divider(Span::styled(" ", theme.tab_bar));
    frame.render_widget(tabs, area);
    let target = Line::from(vec![
        Span::styled(model.target.as_str(), theme.tab_bar.patch(theme.dim)),
        Span::styled(" pgmedic ", theme.tab_bar.patch(theme.title)),
    ])
    .right_aligned();
    let tabs_width: u16 = labels
        .iter()
        .map(|(_, label)| format::width(label) as u16 + 1)
        .sum();
    let right = Rect {
        x: area.x + tabs_width,
        width: area.width.saturating_sub(tabs_width),
        ..area
    };
    frame.render_widget(target, right);
}

/// The notice shown instead of a squeezed layout.
fn too_small(frame: &mut Frame, area: Rect, theme: &Theme) {
    let text = format!(
        "pgmedic needs at least {}x{} (now {}x{})",
        MIN_SIZE.0, MIN_SIZE.1, area.width, area.height
    );
    let lines = (format::width(&text) as u16).div_ceil(area.width.max(1));
    let at = area.centered_vertically(Constraint::Length(lines.min(area.height)));
    let notice =
        Paragraph::new(Line::styled(text, theme.text).centered()).wrap(Wrap { trim: true });
    frame.render_widget(notice, at);
}
