//! The sessions list: every backend the filter keeps, in the chosen order, one line each.
//! Only the rows on screen are built, so a thousand sessions cost what a screenful does.

use std::fmt::Write as _;

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, HighlightSpacing, Row, Table, TableState};

use crate::app::activity::Section;
use crate::app::model::Model;
use crate::diagnose::activity::{client_label, kind_label, session_level, state_age, state_label};
use crate::diagnose::health::Level;
use crate::snapshot::activity::Session;
use crate::ui::activity::blocking::one_line;
use crate::ui::activity::title;
use crate::ui::format;
use crate::ui::panel;
use crate::ui::theme::Theme;

/// From this width the list also shows user, client, database and the query's age.
const WIDE: u16 = 120;

/// Draws the sessions box.
pub fn render(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let state = &model.activity;
    let focused = state.section == Section::Sessions;
    let total = state.snapshot.as_ref().map_or(0, |s| s.sessions.len());
    let order = if state.reverse { "↑" } else { "↓" };
    let mut text = format!(
        " Sessions · {} of {total} · sort {} {order} ",
        state.visible.len(),
        state.sort.label()
    );
    if !state.filter_text.is_empty() {
        let _ = write!(text, "· /{} ", state.filter_text);
    }
    let mut block = panel::panel(title(text, focused, theme), theme, model.is_stale());
    if let Some(why) = &state.error {
        block = block.title_bottom(Line::styled(
            format!(" last refresh failed: {why} "),
            theme.level(Level::Warn),
        ));
    } else if let Some(why) = &state.filter_error {
        block = block.title_bottom(Line::styled(
            format!(" filter: {why} "),
            theme.level(Level::Warn),
        ));
    } else if state.visible.is_empty() && total > 0 {
        block = block.title_bottom(Line::styled(" no session matches the filter ", theme.dim));
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let wide = area.width >= WIDE;
    let height = usize::from(inner.height.saturating_sub(1)).max(1);
    let start = (state.selected + 1).saturating_sub(height);
    let rows: Vec<Row> = state
        .listed()
        .skip(start)
        .take(height)
        .map(|s| row(s, model, wide, theme))
        .collect();
    let (header, widths) = columns(wide);
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.header))
        .row_highlight_style(theme.selected)
        .highlight_symbol("▸ ")
        .highlight_spacing(HighlightSpacing::Always)
        .column_spacing(1);
    let selected = focused.then_some(state.selected - start);
    frame.render_stateful_widget(table, inner, &mut TableState::new().with_selected(selected));
}

fn columns(wide: bool) -> (Vec<&'static str>, Vec<Constraint>) {
    if wide {
        (
            vec![
                "pid", "user", "app", "client", "db", "state", "wait", "xact", "query", "in state",
                "", "query",
            ],
            vec![
                Constraint::Length(7),
                Constraint::Length(10),
                Constraint::Length(16),
                Constraint::Length(15),
                Constraint::Length(10),
                Constraint::Length(10),
                Constraint::Length(18),
                Constraint::Length(7),
                Constraint::Length(7),
                Constraint::Length(8),
                Constraint::Length(4),
                Constraint::Fill(1),
            ],
        )
    } else {
        (
            vec!["pid", "app", "state", "xact", "in st", "", "query"],
            vec![
                Constraint::Length(6),
                Constraint::Length(11),
                Constraint::Length(12),
                Constraint::Length(6),
                Constraint::Length(6),
                Constraint::Length(4),
                Constraint::Fill(1),
            ],
        )
    }
}

fn row<'a>(s: &Session, model: &Model, wide: bool, theme: &Theme) -> Row<'a> {
    let level = session_level(s, &model.thresholds);
    let tint = |style: ratatui::style::Style| {
        if level >= Level::Warn {
            style.patch(theme.level_fg(level))
        } else {
            style
        }
    };
    let right = |text: String, style| Cell::from(Line::styled(text, style).right_aligned());
    let (app, app_style) = match kind_label(s) {
        Some(kind) => (format!("[{kind}]"), theme.dim),
        None if s.is_self => (s.application.clone(), theme.dim),
        None => (s.application.clone(), theme.text),
    };
    let wait = wait_text(s);
    let wait_style = if s.waits_for_lock() {
        tint(theme.value)
    } else {
        theme.dim
    };
    let mut cells = vec![right(s.pid.to_string(), theme.value)];
    if wide {
        cells.push(Cell::from(Span::styled(
            s.user.clone().unwrap_or_default(),
            theme.text,
        )));
    }
    cells.push(Cell::from(Span::styled(app, app_style)));
    if wide {
        cells.push(Cell::from(Span::styled(client_label(s), theme.text)));
        cells.push(Cell::from(Span::styled(
            s.database.clone().unwrap_or_default(),
            theme.text,
        )));
    }
    if wide {
        cells.push(Cell::from(Span::styled(
            state_label(&s.state).to_owned(),
            tint(theme.text),
        )));
        cells.push(Cell::from(Span::styled(wait, wait_style)));
    } else if s.waits_for_lock() {
        // Narrow: a lock wait says so in the state column, with who blocks it.
        let pids: Vec<String> = s.blocked_by.iter().map(ToString::to_string).collect();
        let text = format!("waits ←{}", pids.join(","));
        cells.push(Cell::from(Span::styled(text, wait_style)));
    } else {
        cells.push(Cell::from(Span::styled(
            state_label(&s.state).to_owned(),
            tint(theme.text),
        )));
    }
    cells.push(right(format::age_opt(s.xact_secs), theme.value));
    if wide {
        cells.push(right(format::age_opt(s.query_secs), theme.value));
    }
    cells.push(right(format::age_opt(state_age(s)), tint(theme.value)));
    cells.push(Cell::from(Span::styled(
        if level >= Level::Warn {
            level.word()
        } else {
            ""
        },
        theme.level(level),
    )));
    cells.push(Cell::from(Span::styled(one_line(&s.query), theme.dim)));
    Row::new(cells)
}

/// `←2403 relation` for a lock wait (who blocks it first, so that a narrow column cuts the
/// lock's kind and never a pid), `Client:ClientRead`, or nothing.
fn wait_text(s: &Session) -> String {
    if s.waits_for_lock() {
        let pids: Vec<String> = s.blocked_by.iter().map(ToString::to_string).collect();
        let event = s.wait_event.as_deref().unwrap_or("lock");
        return format!("←{} {event}", pids.join(","));
    }
    match (&s.wait_event_type, &s.wait_event) {
        (Some(kind), Some(event)) => format!("{kind}:{event}"),
        (Some(kind), None) => kind.clone(),
        _ => String::new(),
    }
}
