//! The Jobs pane: every action of this session — its SQL, state, progress, duration and
//! outcome — and where the audit log is written.
//!
//! ```text
//!  ╭ Jobs · 2 (1 running) ─────────────────────── audit log ~/.local/state/pgmedic/audit.log ╮
//!  │   #  kind          target          state      progress                  time      pid  │
//!  │ ▸ 2  vacuum        public.orders   running    ██████····  61% scanning    12s     4242  │
//!  │   1  create index  public.fills    ok                                     3.2s    4240  │
//!  ╰──────────────────────────────────────────────────────────────────────────────────────────╯
//!  ╭ Job #2 · vacuum public.orders ──────────────────────────────────────────────────────────╮
//!  │ VACUUM (ANALYZE) "public"."orders";          (highlighted)                              │
//!  │ phase scanning heap · 6,100 of 10,000 blocks · waiting for pid 4100                      │
//!  ╰──────────────────────────────────────────────────────────────────────────────────────────╯
//! ```
//! Enter gives the selected job the whole pane.

use std::fmt::Write as _;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Cell, HighlightSpacing, Paragraph, Row, Table, TableState, Wrap};

use crate::app::jobs::{Job, JobState};
use crate::app::model::Model;
use crate::diagnose::health::Level;
use crate::jobs::{Outcome, Progress};
use crate::ui::format;
use crate::ui::panel;
use crate::ui::sql;
use crate::ui::theme::Theme;

/// Width of the progress column's bar.
const BAR: usize = 10;

/// Draws the Jobs pane into `area`.
pub fn render(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let jobs = &model.jobs;
    let audit = jobs.audit_path.as_ref().map_or_else(
        || " no audit log (no home directory) ".to_owned(),
        |p| format!(" audit log {} ", tilde(&p.display().to_string())),
    );
    let title = format!(" Jobs · {} ({} running) ", jobs.jobs.len(), jobs.running());
    let block =
        panel::panel(title, theme, false).title_top(Line::styled(audit, theme.dim).right_aligned());
    if jobs.jobs.is_empty() {
        let why = "no action yet in this session: actions (create index, vacuum, cancel…) are \
                   started from the other panes, shown here with their SQL, progress and \
                   outcome, and appended to the audit log";
        frame.render_widget(panel::reason(why, block, theme), area);
        return;
    }
    let selected = jobs.selected_job();
    if jobs.detail
        && let Some(job) = selected
    {
        frame.render_widget(block, area);
        detail(frame, panel_inner(area), job, model, theme);
        return;
    }
    let rows = jobs.jobs.len() as u16 + 3;
    let [list_area, detail_area] = area.layout(&Layout::vertical([
        Constraint::Max(rows.max(5)),
        Constraint::Fill(1),
    ]));
    let inner = block.inner(list_area);
    frame.render_widget(block, list_area);
    // Newest first: the job just started is at the top.
    let order: Vec<&Job> = jobs.jobs.iter().rev().collect();
    let position = order.len().saturating_sub(1 + jobs.selected);
    let mut state = TableState::new().with_selected(Some(position));
    frame.render_stateful_widget(table(&order, model, theme), inner, &mut state);
    if let Some(job) = selected
        && !detail_area.is_empty()
    {
        let title = format!(
            " Job #{} · {} {} ",
            job.id,
            job.spec.kind.name(),
            job.spec.target
        );
        let block = panel::panel(title, theme, false);
        let inner = block.inner(detail_area);
        frame.render_widget(block, detail_area);
        detail(frame, inner, job, model, theme);
    }
}

fn panel_inner(area: Rect) -> Rect {
    Rect {
        x: area.x + 1,
        y: area.y + 1,
        width: area.width.saturating_sub(2),
        height: area.height.saturating_sub(2),
    }
}

fn table<'a>(jobs: &[&'a Job], model: &Model, theme: &Theme) -> Table<'a> {
    let header =
        Row::new(["#", "kind", "target", "state", "progress", "time", "pid"]).style(theme.header);
    let widths = [
        Constraint::Length(3),
        Constraint::Length(12),
        Constraint::Fill(2),
        Constraint::Length(10),
        Constraint::Fill(3),
        Constraint::Length(7),
        Constraint::Length(6),
    ];
    let rows = jobs.iter().map(|job| {
        let (state, level) = state_word(job);
        Row::new([
            Cell::from(Line::styled(job.id.to_string(), theme.dim).right_aligned()),
            Cell::from(Span::styled(job.spec.kind.name(), theme.text)),
            Cell::from(Span::styled(job.spec.target.as_str(), theme.text)),
            Cell::from(Span::styled(state, theme.level(level))),
            Cell::from(Line::from(progress_spans(job, theme))),
            Cell::from(
                Line::styled(
                    format::millis(job.duration(model.now).as_secs_f64() * 1000.0),
                    theme.value,
                )
                .right_aligned(),
            ),
            Cell::from(
                Line::styled(
                    job.pid.map_or_else(String::new, |p| p.to_string()),
                    theme.dim,
                )
                .right_aligned(),
            ),
        ])
    });
    Table::new(rows, widths)
        .header(header)
        .row_highlight_style(theme.selected)
        .highlight_symbol("▸ ")
        .highlight_spacing(HighlightSpacing::Always)
        .column_spacing(1)
}

/// The state as a word, and how it should look.
fn state_word(job: &Job) -> (&'static str, Level) {
    match &job.state {
        JobState::Starting => ("starting", Level::Unknown),
        JobState::Running { .. } if job.cancelling => ("cancelling", Level::Warn),
        JobState::Running { .. } => ("running", Level::Ok),
        JobState::Finished(Outcome::Done { .. }) => ("ok", Level::Ok),
        JobState::Finished(Outcome::Cancelled) => ("cancelled", Level::Warn),
        JobState::Finished(Outcome::Failed { .. }) => ("FAILED", Level::Critical),
    }
}

/// `██████····  61% scanning heap`, or what it waits for.
pub(crate) fn progress_spans<'a>(job: &Job, theme: &Theme) -> Vec<Span<'a>> {
    if let (false, Some(note)) = (job.is_running(), &job.note) {
        return vec![Span::styled(note.clone(), theme.level(Level::Warn))];
    }
    let Some(progress) = job.progress.as_ref().filter(|_| job.is_running()) else {
        return Vec::new();
    };
    let mut spans = Vec::new();
    if let Some(fraction) = progress.fraction() {
        spans.push(Span::styled(
            format!("{:>3.0}% ", fraction * 100.0),
            theme.value,
        ));
        spans.extend(panel::gauge(fraction, (2.0, 2.0), Level::Ok, BAR, theme));
        spans.push(Span::raw(" "));
    }
    spans.push(Span::styled(progress.phase.clone(), theme.text));
    if !progress.waiting_for.is_empty() {
        spans.push(Span::styled(
            format!(" · waiting for {}", pids(&progress.waiting_for)),
            theme.level(Level::Warn),
        ));
    }
    spans
}

/// The job's SQL, then its progress or outcome.
fn detail(frame: &mut Frame, area: Rect, job: &Job, model: &Model, theme: &Theme) {
    let sql = job.spec.sql();
    let mut lines: Vec<Line> = sql
        .lines()
        .map(|l| Line::from(sql::spans(l, theme.text, theme)))
        .collect();
    lines.push(Line::default());
    if let Some(warning) = &job.spec.warning {
        lines.push(Line::styled(warning.clone(), theme.level(Level::Warn)));
    }
    let (state, level) = state_word(job);
    let took = format::millis(job.duration(model.now).as_secs_f64() * 1000.0);
    let pid = job
        .pid
        .map_or_else(String::new, |p| format!(" · backend pid {p}"));
    lines.push(Line::from(vec![
        Span::styled(state, theme.level(level)),
        Span::styled(format!(" · {took}{pid}"), theme.dim),
    ]));
    match &job.state {
        JobState::Running { .. } | JobState::Starting => {
            if let Some(p) = &job.progress {
                lines.push(Line::styled(progress_text(p), theme.text));
            }
            lines.push(Line::styled("x cancels it", theme.dim));
        }
        JobState::Finished(Outcome::Failed { error }) => {
            lines.push(Line::styled(error.clone(), theme.level(Level::Critical)));
        }
        JobState::Finished(Outcome::Done { rows }) => {
            for row in rows.iter().take(usize::from(area.height)) {
                let cells: Vec<&str> = row.iter().map(|c| c.as_deref().unwrap_or("NULL")).collect();
                lines.push(Line::styled(cells.join(" | "), theme.value));
            }
            if let Some(note) = &job.note {
                lines.push(Line::styled(note.clone(), theme.level(Level::Warn)));
            }
        }
        JobState::Finished(Outcome::Cancelled) => {
            lines.push(Line::styled(
                "cancelled before it finished",
                theme.level(Level::Warn),
            ));
        }
    }
    frame.render_widget(
        Paragraph::new(Text::from(lines)).wrap(Wrap { trim: false }),
        area,
    );
}

/// `phase scanning heap · 6,100 of 10,000 blocks · waiting for pid 4100`.
fn progress_text(p: &Progress) -> String {
    let mut text = format!("phase {}", p.phase);
    if p.total > 0 {
        let _ = write!(
            text,
            " · {} of {} {}",
            format::count(p.done),
            format::count(p.total),
            p.unit
        );
    }
    if !p.waiting_for.is_empty() {
        let _ = write!(text, " · waiting for {}", pids(&p.waiting_for));
    }
    text
}

/// `pid 4100` / `pids 4100, 4101`.
fn pids(pids: &[i32]) -> String {
    let list: Vec<String> = pids.iter().map(ToString::to_string).collect();
    let noun = if pids.len() == 1 { "pid" } else { "pids" };
    format!("{noun} {}", list.join(", "))
}

/// The home directory as `~`.
fn tilde(path: &str) -> String {
    match std::env::var("HOME") {
        Ok(home) if !home.is_empty() && path.starts_with(&home) => {
            format!("~{}", &path[home.len()..])
        }
        _ => path.to_owned(),
    }
}
