//! The status bar: how fresh the data is, the connection, read-only mode and the latest
//! notice on the left; which server on the right, when there is room for it.

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
    let left = Line::from(state(model, theme));
    let right = identity(model, theme);
    frame.render_widget(Paragraph::new(left.clone()).style(theme.status_bar), area);
    if left.width() + right.width() < usize::from(area.width) {
        frame.render_widget(right.right_aligned(), area);
    }
}

/// `up · 2s ago │ READ-ONLY │ notice`, or `STALE 34s ago │ reconnecting in 3s (attempt 2): …`.
fn state<'a>(model: &'a Model, theme: &Theme) -> Vec<Span<'a>> {
    let base = theme.status_bar;
    let mut items: Vec<Vec<Span>> = vec![freshness(model, theme)];
    if let ConnState::Down { .. } = model.conn {
        items.push(vec![Span::styled(
            connection(model),
            base.patch(theme.warn),
        )]);
    }
    if model.read_only {
        items.push(vec![Span::styled(" READ-ONLY ", theme.read_only)]);
    }
    let running = model.jobs.running();
    if running > 0 {
        let noun = if running == 1 { "job" } else { "jobs" };
        items.push(vec![Span::styled(
            format!("{running} {noun} running (7)"),
            base.patch(theme.notice),
        )]);
    }
    if let Some(notice) = &model.notice {
        let mut spans = Vec::new();
        if notice.level >= Level::Warn {
            let style = base.patch(theme.level(notice.level));
            spans.push(Span::styled(notice.level.word(), style));
            spans.push(Span::styled(" ", base));
        }
        spans.push(Span::styled(notice.text.as_str(), base.patch(theme.notice)));
        items.push(spans);
    }
    let mut spans = vec![Span::raw(" ")];
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" │ ", base.patch(theme.dim)));
        }
        spans.extend(item);
    }
    spans
}

/// `PG 15.4 · app@shop · primary `.
fn identity<'a>(model: &Model, theme: &Theme) -> Line<'a> {
    let Some(server) = &model.server else {
        return Line::default();
    };
    let text = format!(
        "PG {} · {}@{} · {} ",
        format::short_version(&server.version),
        server.role,
        server.database,
        if server.is_standby {
            "standby"
        } else {
            "primary"
        }
    );
    Line::styled(text, theme.status_bar)
}

/// `up · 2s ago`, `connecting… · no data yet`, or a `STALE` badge and the age of the data.
fn freshness<'a>(model: &Model, theme: &Theme) -> Vec<Span<'a>> {
    let age = model
        .refresh_age()
        .map_or_else(|| "no data yet".to_owned(), format::ago);
    if model.is_stale() {
        return vec![
            Span::styled(" STALE ", theme.stale),
            Span::raw(format!(" {age}")),
        ];
    }
    let state = match model.conn {
        ConnState::Connecting => "connecting…",
        ConnState::Up { .. } => "up",
        ConnState::Down { .. } => "down",
    };
    vec![Span::raw(format!("{state} · {age}"))]
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
