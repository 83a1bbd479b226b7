//! The detail of one session (Enter): who and where, its state and ages, what it waits for
//! and whom it blocks, its xid and xmin, and the whole query, highlighted.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::activity::Detail;
use crate::app::model::Model;
use crate::diagnose::activity::{ActivityView, client_label, kind_label, session_level, state_age};
use crate::diagnose::health::Level;
use crate::snapshot::activity::Session;
use crate::ui::format;
use crate::ui::panel::{self, Figures};
use crate::ui::sql;
use crate::ui::theme::Theme;

/// Width of the label column.
const LABEL: usize = 14;

/// Draws the detail of `detail.pid` into `area`.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    model: &Model,
    view: &ActivityView,
    detail: &Detail,
    theme: &Theme,
) {
    let block = panel::panel(format!(" Session {} ", detail.pid), theme, model.is_stale())
        .title_bottom(Line::styled(
            " k cancel · K terminate · y copy the query · Esc back ",
            theme.dim,
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(s) = model.activity.session(detail.pid) else {
        let text = "this session has ended (pg_stat_activity no longer lists it)";
        frame.render_widget(Paragraph::new(Line::styled(text, theme.dim)), inner);
        return;
    };
    let figures = Figures::new(inner.width, LABEL, theme);
    let mut lines = fields(s, model, &figures);
    lines.extend(locks(s, view, &figures));
    lines.push(Line::default());
    lines.extend(query(s, detail, theme));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// Who, where, state, ages, wait, xid and xmin.
fn fields<'a>(s: &Session, model: &Model, figures: &Figures) -> Vec<Line<'a>> {
    let plain = |label: &str, text: String| figures.line(label, vec![figures.plain(text)], None);
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_owned());
    let level = session_level(s, &model.thresholds);
    let mut lines = vec![
        plain(
            "who",
            format!(
                "{} @ {} · app {} · client {}",
                opt(&s.user),
                opt(&s.database),
                if s.application.is_empty() {
                    "-"
                } else {
                    &s.application
                },
                client_label(s)
            ),
        ),
        plain(
            "kind",
            kind_label(s).unwrap_or_else(|| "client backend".to_owned()),
        ),
        figures.figure(
            "state",
            format!(
                "{} for {}",
                if s.state.as_str().is_empty() {
                    "-"
                } else {
                    s.state.as_str()
                },
                format::age_opt(state_age(s))
            ),
            level,
        ),
        plain(
            "ages",
            format!(
                "transaction {} · query {} · connection {}",
                format::age_opt(s.xact_secs),
                format::age_opt(s.query_secs),
                format::age_opt(s.backend_secs)
            ),
        ),
        plain(
            "wait",
            match (&s.wait_event_type, &s.wait_event) {
                (Some(kind), Some(event)) => format!("{kind}: {event}"),
                _ => "-".to_owned(),
            },
        ),
        plain(
            "xid / xmin",
            format!(
                "{} / {}",
                s.backend_xid
                    .map_or_else(|| "-".to_owned(), |x| x.to_string()),
                s.backend_xmin
                    .map_or_else(|| "-".to_owned(), |x| x.to_string())
            ),
        ),
    ];
    if let Some(id) = s.query_id {
        lines.push(plain("query_id", id.to_string()));
    }
    lines
}

/// What it waits for and how many wait on it, from the blocking tree.
fn locks<'a>(s: &Session, view: &ActivityView, figures: &Figures) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    if let Some(node) = view.blocking.rows.iter().find(|r| r.pid == s.pid) {
        if let Some(lock) = &node.waits {
            lines.push(figures.line(
                "waits for",
                vec![figures.value(format!("{} on {}", lock.mode, lock.object), node.level)],
                Some(node.level),
            ));
            lines.push(figures.line("blocked by", vec![figures.plain(pids(&s.blocked_by))], None));
        }
        if node.blocked_count > 0 {
            lines.push(figures.line(
                "blocks",
                vec![figures.value(
                    format!(
                        "{} session{}",
                        node.blocked_count,
                        if node.blocked_count == 1 { "" } else { "s" }
                    ),
                    Level::Warn,
                )],
                Some(node.level),
            ));
        }
    }
    lines
}

/// The whole query (once read), highlighted.
fn query<'a>(s: &Session, detail: &Detail, theme: &Theme) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    let query = match &detail.full_query {
        Some(Ok(Some(text))) => text.clone(),
        Some(Err(why)) => {
            lines.push(Line::styled(
                format!("the whole query could not be read: {why}"),
                theme.unknown,
            ));
            s.query.clone()
        }
        None if s.query_length > s.query.chars().count() as i32 => {
            lines.push(Line::styled("reading the whole query…", theme.dim));
            s.query.clone()
        }
        _ => s.query.clone(),
    };
    for line in query.lines() {
        lines.push(Line::from(
            sql::spans(line, theme.text, theme)
                .into_iter()
                .map(|span| Span::styled(span.content.into_owned(), span.style))
                .collect::<Vec<_>>(),
        ));
    }
    lines
}

fn pids(pids: &[i32]) -> String {
    pids.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
