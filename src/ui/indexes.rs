//! The Indexes pane: findings in order of impact, the selected one's evidence and keys, the
//! follow-up of indexes created in this session; Enter gives a finding the whole pane (its
//! SQL, rollback and "what if I drop it?"); `R` turns the pane into the review session.
//!
//! ```text
//!  ╭ Indexes · 12 findings · stats reset 3 days ago · no standbys ──── refreshed 4s ago ╮
//!  │   level kind          table               index / foreign key        size  writes/s │
//!  │ ▸ WARN  invalid       public.trades       trades_external_trade_i…    0 B     35/s  │
//!  │   WARN  duplicate     public.trades       idx_trades_account_time   16 MiB    35/s  │
//!  ╰────────────────────────────────────────────────────────────────────────────────────╯
//!  ╭ invalid · public.trades · trades_external_trade_id_key ─────────────────────────────╮
//!  │ CREATE UNIQUE INDEX trades_external_trade_id_key ON public.trades …                 │
//!  │ d drop · r reindex · w what if dropped · Enter details · R review                   │
//!  ╰────────────────────────────────────────────────────────────────────────────────────╯
//! ```

mod detail;
mod review;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, HighlightSpacing, Paragraph, Row, Table, TableState, Wrap};

use crate::advisor::Suggestion;
use crate::app::indexes::IndexesState;
use crate::app::model::Model;
use crate::diagnose::health::Level;
use crate::diagnose::indexes::plans::Followup;
use crate::diagnose::indexes::{Finding, FindingKind};
use crate::ui::format;
use crate::ui::panel;
use crate::ui::theme::Theme;

/// Draws the Indexes pane into `area`.
pub fn render(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let state = &model.indexes;
    if let Some(review) = state.active_review() {
        review::render(frame, area, review, state.detail_scroll, theme);
        return;
    }
    let block = panel::panel(title(state), theme, model.is_stale())
        .title_top(Line::styled(refreshed(model), theme.dim).right_aligned());
    let Some(snapshot) = &state.snapshot else {
        let why = state.error.as_deref().unwrap_or(
            "reading the index catalog … (definitions every 30 s, write rates every refresh)",
        );
        frame.render_widget(panel::reason(why, block, theme), area);
        return;
    };
    let visible = state.visible();
    let selected = visible
        .get(state.selected.min(visible.len().saturating_sub(1)))
        .copied();
    if state.detail
        && let Some(finding) = selected
    {
        detail::render(frame, area, model, finding, theme);
        return;
    }
    if visible.is_empty() {
        let why = empty_reason(state, snapshot.indexes.len());
        frame.render_widget(panel::reason(&why, block, theme), area);
        return;
    }
    let activity = activity_lines(model, theme);
    let rows = visible.len() as u16 + 3;
    let [list, preview, activity_area] = area.layout(&Layout::vertical([
        Constraint::Max(rows),
        Constraint::Min(5),
        Constraint::Length(if activity.is_empty() {
            0
        } else {
            activity.len().min(4) as u16 + 2
        }),
    ]));
    let inner = block.inner(list);
    frame.render_widget(block, list);
    let mut table_state =
        TableState::new().with_selected(Some(state.selected.min(visible.len() - 1)));
    frame.render_stateful_widget(
        table(&visible, &state.suggestions, theme),
        inner,
        &mut table_state,
    );
    if let Some(finding) = selected {
        preview_box(frame, preview, model, finding, theme);
    }
    if !activity.is_empty() {
        let block = panel::panel(" Jobs of this pane · after CREATE INDEX ", theme, false);
        frame.render_widget(Paragraph::new(activity).block(block), activity_area);
    }
}

fn title(state: &IndexesState) -> String {
    let Some(snapshot) = &state.snapshot else {
        return " Indexes ".to_owned();
    };
    let reset = snapshot.stats().short(snapshot.taken_at);
    let standbys = match snapshot.standbys {
        0 => "no standbys".to_owned(),
        1 => "1 standby".to_owned(),
        n => format!("{n} standbys"),
    };
    let filter = if state.filter.is_empty() {
        String::new()
    } else {
        format!(" · /{}", state.filter)
    };
    format!(
        " Indexes · {} findings · {reset} · {standbys}{filter} ",
        state.findings.len()
    )
}

fn refreshed(model: &Model) -> String {
    model.indexes.updated_at.map_or_else(String::new, |at| {
        format!(
            " refreshed {} ",
            format::ago(model.now.saturating_duration_since(at))
        )
    })
}

fn empty_reason(state: &IndexesState, indexes: usize) -> String {
    if !state.filter.is_empty() {
        return format!("no finding matches /{}", state.filter);
    }
    let mut why = format!(
        "no findings among {indexes} indexes: none invalid, duplicate, redundant or unused, and \
         every foreign key has a supporting index"
    );
    if let Some(note) = &state.suggestions_note {
        why = format!("{why}. Suggestions: {note}");
    }
    why
}

fn table<'a>(findings: &[&'a Finding], suggestions: &[Suggestion], theme: &Theme) -> Table<'a> {
    let header = Row::new([
        "level",
        "kind",
        "table",
        "index / foreign key",
        "size",
        "writes/s",
    ])
    .style(theme.header);
    let widths = [
        Constraint::Length(5),
        Constraint::Length(12),
        Constraint::Fill(2),
        Constraint::Fill(3),
        Constraint::Length(8),
        Constraint::Length(8),
    ];
    let rows = findings.iter().map(|f| {
        Row::new([
            Cell::from(Span::styled(f.level.word(), theme.level(f.level))),
            Cell::from(Span::styled(f.kind.word(), theme.text)),
            Cell::from(Span::styled(f.table_name(), theme.text)),
            Cell::from(Span::styled(object(f, suggestions), theme.text)),
            Cell::from(Line::styled(size(f.size_bytes), theme.value).right_aligned()),
            Cell::from(
                Line::styled(
                    f.writes_per_sec
                        .map_or_else(|| "-".to_owned(), format::rate),
                    theme.value,
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

/// What the finding is about: the index, the foreign key and its columns, or the
/// suggested index's columns.
fn object(f: &Finding, suggestions: &[Suggestion]) -> String {
    if let Some(index) = &f.index {
        return index.name.clone();
    }
    if let Some(fk) = &f.foreign_key {
        return format!("{} ({})", fk.name, fk.columns.join(", "));
    }
    f.suggestion
        .and_then(|i| suggestions.get(i))
        .map(|s| format!("new ({})", s.columns.join(", ")))
        .unwrap_or_default()
}

fn size(bytes: Option<i64>) -> String {
    bytes.map_or_else(|| "?".to_owned(), |b| format::bytes(b as f64))
}

/// The selected finding's evidence and what can be done about it.
fn preview_box(frame: &mut Frame, area: Rect, model: &Model, finding: &Finding, theme: &Theme) {
    let title = format!(
        " {} · {} · {} ",
        finding.kind.word(),
        finding.table_name(),
        object(finding, &model.indexes.suggestions)
    );
    let block = panel::panel(title, theme, false);
    let item = model.review_item(finding);
    let snapshot = model.indexes.snapshot.as_ref();
    let taken_at = snapshot.map_or(0.0, |s| s.taken_at);
    let stats = snapshot
        .map(crate::diagnose::indexes::IndexesSnapshot::stats)
        .unwrap_or_default();
    let mut lines: Vec<Line> = Vec::new();
    if let Some(error) = &model.indexes.error {
        lines.push(Line::styled(
            format!("refresh failed, showing the last data: {error}"),
            theme.level(Level::Warn),
        ));
    }
    lines.extend(
        crate::review::evidence(&item, taken_at, stats)
            .into_iter()
            .map(|l| Line::styled(l, theme.text)),
    );
    let inner_height = usize::from(area.height.saturating_sub(3));
    lines.truncate(inner_height);
    lines.push(Line::styled(
        format!(
            "{} · Enter details · y copy SQL · R review · / filter",
            keys_for(finding)
        ),
        theme.key,
    ));
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: true }).block(block),
        area,
    );
}

/// What can be done about the finding, as keys.
fn keys_for(f: &Finding) -> String {
    let action = match f.kind {
        FindingKind::Suggestion | FindingKind::MissingFkIndex => "c create",
        _ if !f.actionable => "no action",
        _ => "d drop · r reindex · w what if dropped",
    };
    action.to_owned()
}

/// The pane's jobs still running, with their progress, then how the statements of the last
/// created index fare.
fn activity_lines<'a>(model: &'a Model, theme: &Theme) -> Vec<Line<'a>> {
    let mut lines: Vec<Line> = model
        .jobs
        .jobs
        .iter()
        .filter(|j| j.is_running())
        .filter(|j| {
            model
                .indexes
                .pending
                .iter()
                .any(|p| p.target == j.spec.target)
        })
        .map(|j| {
            let mut spans = vec![Span::styled(
                format!("{} {}: ", j.spec.kind.name(), j.spec.target),
                theme.text,
            )];
            spans.extend(crate::ui::jobs::progress_spans(j, theme));
            Line::from(spans)
        })
        .collect();
    if let Some(followup) = model.indexes.followups.last() {
        lines.extend(followup_lines(followup, theme));
    }
    lines
}

fn followup_lines<'a>(followup: &'a Followup, theme: &Theme) -> Vec<Line<'a>> {
    let when = followup.measured_over.map_or_else(
        || "timing the next minute …".to_owned(),
        |secs| format!("timed over {}", format::age(secs)),
    );
    let mut lines = vec![Line::styled(
        format!("after {} · {when}", followup.index),
        theme.title,
    )];
    lines.extend(followup.statements.iter().map(|s| {
        let plan = match &s.plan_now {
            Ok(plan) if plan.uses(&followup.index) => {
                format!(
                    "cost {:.0} → {:.0}, uses it",
                    s.cost_before, plan.total_cost
                )
            }
            Ok(plan) => format!(
                "cost {:.0} → {:.0}, NOT used",
                s.cost_before, plan.total_cost
            ),
            Err(e) => format!("not re-planned: {e}"),
        };
        let mean = match (s.mean_after_ms, s.calls_after) {
            (Some(after), Some(calls)) => format!(
                "mean {} → {} ({} calls)",
                format::millis(s.mean_before_ms),
                format::millis(after),
                format::count(calls)
            ),
            (None, Some(0)) => "no call since".to_owned(),
            _ => format!("mean before {}", format::millis(s.mean_before_ms)),
        };
        let level = if s.plan_now.as_ref().is_ok_and(|p| p.uses(&followup.index)) {
            Level::Ok
        } else {
            Level::Warn
        };
        Line::from(vec![
            Span::styled(format!("{} ", level.word()), theme.level(level)),
            Span::styled(format!("{plan} · {mean} · "), theme.text),
            Span::styled(crate::review::one_line(&s.query), theme.dim),
        ])
    }));
    lines
}
