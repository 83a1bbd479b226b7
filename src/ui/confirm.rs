//! The confirmation popup of an action: its exact SQL, what it risks, and how to say yes
//! (a key, or a word typed out for destructive actions).

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use crate::app::jobs::JobsState;
use crate::app::model::{Confirm, humanize};
use crate::diagnose::health::Level;
use crate::jobs::JobKind;
use crate::ui::panel;
use crate::ui::sql;
use crate::ui::theme::Theme;

/// Draws the popup centered over `area`.
pub fn render(frame: &mut Frame, area: Rect, confirm: &Confirm, theme: &Theme) {
    let spec = &confirm.spec;
    let sql = spec.sql();
    let mut lines: Vec<Line> = Vec::new();
    lines.push(Line::styled(
        format!("{} {}", spec.kind.name(), spec.target),
        theme.popup.patch(theme.title),
    ));
    lines.push(Line::default());
    for line in sql.lines() {
        lines.push(Line::from(sql::spans(line, theme.popup, theme)));
    }
    lines.push(Line::default());
    if let Some(warning) = &spec.warning {
        lines.push(Line::styled(
            format!("WARN {warning}"),
            theme.popup.patch(theme.level(Level::Warn)),
        ));
    }
    let database = spec
        .database
        .as_deref()
        .map_or_else(String::new, |db| format!(" in database {db}"));
    let lock_timeout = spec.lock_timeout.map_or_else(
        || "no lock_timeout (it waits for older transactions: x in Jobs cancels it)".to_owned(),
        |t| format!("lock_timeout {}", humanize(t)),
    );
    lines.push(Line::styled(
        format!(
            "runs on a session of its own{database}, {lock_timeout}; appended to the audit log"
        ),
        theme.popup.patch(theme.dim),
    ));
    lines.push(Line::default());
    lines.push(match spec.kind.typed_confirmation() {
        Some(word) => Line::from(vec![
            Span::styled(
                format!("type {word} and Enter to run it, Esc to cancel: "),
                theme.popup,
            ),
            Span::styled(confirm.typed.clone(), theme.popup.patch(theme.key)),
            Span::styled("▏", theme.popup.patch(theme.key)),
        ]),
        None => Line::styled(
            "y / Enter runs it · n / Esc cancels",
            theme.popup.patch(theme.key),
        ),
    });
    popup(frame, area, " Confirm ", Text::from(lines), 100, theme);
}

/// The question before quitting while jobs run: which, and what cancelling them leaves.
pub fn render_quit(frame: &mut Frame, area: Rect, jobs: &JobsState, theme: &Theme) {
    let running: Vec<_> = jobs.jobs.iter().filter(|j| j.is_running()).collect();
    let mut lines: Vec<Line> = vec![
        Line::styled(
            match running.len() {
                1 => "1 job is still running:".to_owned(),
                n => format!("{n} jobs are still running:"),
            },
            theme.popup.patch(theme.title),
        ),
        Line::default(),
    ];
    for job in &running {
        let progress = job
            .progress
            .as_ref()
            .map_or_else(String::new, |p| match p.fraction() {
                Some(f) => format!(" · {} {:.0} %", p.phase, f * 100.0),
                None => format!(" · {}", p.phase),
            });
        lines.push(Line::styled(
            format!(
                "  #{} {} {}{progress}",
                job.id,
                job.spec.kind.name(),
                job.spec.target
            ),
            theme.popup,
        ));
    }
    lines.push(Line::default());
    lines.push(Line::styled(
        "Quitting cancels them (their end goes to the audit log).",
        theme.popup,
    ));
    if running
        .iter()
        .any(|j| matches!(j.spec.kind, JobKind::CreateIndex | JobKind::Reindex))
    {
        lines.push(Line::styled(
            "WARN a cancelled CONCURRENTLY build leaves an invalid index behind: drop it later \
             (the Indexes pane offers it)",
            theme.popup.patch(theme.level(Level::Warn)),
        ));
    }
    lines.push(Line::default());
    lines.push(Line::styled(
        "q / y / Enter cancels them and quits · any other key stays",
        theme.popup.patch(theme.key),
    ));
    popup(frame, area, " Quit? ", Text::from(lines), 90, theme);
}

/// Draws `text` in a popup titled `title`, centered over `area`, at most `max_width` wide
/// and as tall as the wrapped text.
pub fn popup(
    frame: &mut Frame,
    area: Rect,
    title: &str,
    text: Text,
    max_width: u16,
    theme: &Theme,
) {
    let width = area.width.saturating_sub(4).min(max_width);
    let inner_width = usize::from(width.saturating_sub(2)).max(1);
    let height: usize = text
        .lines
        .iter()
        .map(|l| l.width().div_ceil(inner_width).max(1))
        .sum();
    let height = (height as u16 + 2).min(area.height);
    let at = area.centered(Constraint::Length(width), Constraint::Length(height));
    let block = panel::panel(title.to_owned(), theme, false)
        .style(theme.popup)
        .border_style(theme.popup.patch(theme.border));
    frame.render_widget(Clear, at);
    frame.render_widget(
        Paragraph::new(text).wrap(Wrap { trim: false }).block(block),
        at,
    );
}
