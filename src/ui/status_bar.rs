//! The status bar: which server, how fresh the data is, the connection, and the latest notice.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::model::{ConnState, Model};
use crate::diagnose::health::Level;
use crate::ui::format;
use crate::ui::theme::Theme;

/// Draws the status bar into its row.
pub fn render(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let base = theme.status_bar;
    let mut items: Vec<Vec<Span>> = Vec::new();
    if let Some(server) = &model.server {
        items.push(vec![Span::raw(format!(
            "PG {}",
            format::short_version(&server.version)
        ))]);
        items.push(vec![Span::raw(format!(
            "{}@{}",
            server.role, server.database
        ))]);
        items.push(vec![Span::raw(if server.is_standby {
            "standby"
        } else {
            "primary"
        })]);
    }
    items.push(freshness(model, theme));
    if let ConnState::Down { .. } = model.conn {
        items.push(vec![Span::styled(
            connection(model),
            base.patch(theme.warn),
        )]);
    }
    if model.read_only {
        items.push(vec![Span::styled(" READ-ONLY ", theme.read_only)]);
    }
    if let Some(notice) = &model.notice {
        let mut spans = Vec::new();
        if notice.level >= Level::Warn {
            spans.push(Span::styled(
                notice.level.word(),
                base.patch(theme.level(notice.level)),
            ));
            spans.push(Span::raw(" "));
        }
        spans.push(Span::styled(notice.text.as_str(), theme.notice));
        items.push(spans);
    }
    let mut spans = vec![Span::raw(" ")];
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" │ ", base.patch(theme.dim)));
        }
        spans.extend(item);
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(base), area);
}

/// `up · 2s ago`, `connecting…`, `STALE · 34s ago`: the state of the data on screen.
fn freshness<'a>(model: &Model, theme: &Theme) -> Vec<Span<'a>> {
    let age = model
        .refresh_age()
        .map_or_else(|| "no data yet".to_owned(), format::ago);
    let state = match model.conn {
        ConnState::Connecting => "connecting…",
        ConnState::Up { .. } => "up",
        ConnState::Down { .. } => "down",
    };
    let mut spans = Vec::new();
    if model.is_stale() {
        spans.push(Span::styled(" STALE ", theme.stale));
        spans.push(Span::raw(" "));
    } else {
        spans.push(Span::raw(format!("{state} · ")));
    }
    spans.push(Span::raw(age));
    spans
}

/// `reconnecting in 3s (attempt 2): connection refused`.
fn connection(model: &Model) -> String {
    let ConnState::Down {
        error,
        attempt,
        retry_at,
    } = &model.conn
    else {
        return String::new();
    };
    let wait = retry_at.saturating_duration_since(model.now).as_secs();
    let when = if wait == 0 {
        "reconnecting now".to_owned()
    } else {
        format!("reconnecting in {wait}s")
    };
    format!("{when} (attempt {attempt}): {error}")
}
