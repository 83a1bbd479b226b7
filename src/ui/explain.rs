//! The Explain pane: the plan (tree, flat by self time, or compared with the plan before),
//! the warnings, and the SQL editor; Enter trades the warnings and editor for the selected
//! node's detail.
//!
//! ```text
//!  ╭ Plan · EXPLAIN ANALYZE (rolled back) · 167ms · planning 0.42ms ──── tree · f flat ─╮
//!  │   node                          self  share        rows  est×  warn                  │
//!  │ » ▾ Aggregate                 0.18ms  ·····  0%     1/1    1x                      │
//!  │ » ├─ ▾ CTE s: HashAggregate    118ms  ████· 71% 5.0k/5.0k   1x                      │
//!  ╰──────────────────────────────────────────────────────────────────────────────────────╯
//!  ╭ Warnings · 1 ────────────────────────────────────────────────────────────────────────╮
//!  │ WARN Seq Scan on orders: seq scan read 200,000 rows to keep 2,000 (99% removed…)      │
//!  ╰──────────────────────────────────────────────────────────────────────────────────────╯
//!  ╭ SQL · statement_timeout 30s ──────────────────── e edit · x EXPLAIN · a ANALYZE ─────╮
//!  │ WITH s AS MATERIALIZED (SELECT customer_id, sum(amount) AS total FROM orders …        │
//!  ╰──────────────────────────────────────────────────────────────────────────────────────╯
//! ```

use std::fmt::Write as _;

mod compare;
mod detail;
pub mod highlight;
pub mod tree;
pub mod viewer;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::explain::{ExplainState, Input, Shown, View};
use crate::app::model::{Model, humanize};
use crate::diagnose::health::Level;
use crate::diagnose::overview::one_line;
use crate::plan::Plan;
use crate::ui::format;
use crate::ui::panel;
use crate::ui::theme::Theme;
use tree::{Columns, Fold};

/// Rows of the editor box while it is not being edited, and while it is.
const EDITOR_ROWS: (u16, u16) = (5, 12);
/// Rows of warnings under the plan at least (a fifth of the pane on tall terminals).
const WARNING_LINES: usize = 3;

/// Draws the Explain pane into `area`.
pub fn render(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let state = &model.explain;
    let editing = state.input == Some(Input::Editor);
    if state.detail
        && let (Some(shown), Some(id)) = (&state.shown, state.selected_node())
    {
        let [top, bottom] = area.layout(&Layout::vertical([
            Constraint::Percentage(45),
            Constraint::Fill(1),
        ]));
        plan_panel(frame, top, model, theme);
        let lines = detail::lines(&shown.plan, id, theme);
        let scroll = state
            .detail_scroll
            .min(u16::try_from(lines.len().saturating_sub(1)).unwrap_or(u16::MAX));
        let at = if scroll > 0 {
            format!(" · line {}", scroll + 1)
        } else {
            String::new()
        };
        let title = format!(
            " {}{at} · PgDn PgUp scroll · Esc closes ",
            tree::name(&shown.plan, id)
        );
        let block = panel::panel(title, theme, false);
        frame.render_widget(
            Paragraph::new(Text::from(lines))
                .wrap(Wrap { trim: false })
                .scroll((scroll, 0))
                .block(block),
            bottom,
        );
        return;
    }
    let warnings = warning_lines(state, theme);
    // Each warning wraps inside the box; as many whole ones as the rows allow.
    let width = usize::from(area.width.saturating_sub(2)).max(1);
    let limit = WARNING_LINES.max(usize::from(area.height) / 5);
    let mut used = 0;
    let mut whole = 0;
    for line in &warnings {
        let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
        let rows = format::wrap(&text, width).len();
        if used + rows > limit {
            break;
        }
        used += rows;
        whole += 1;
    }
    let warn_rows = if warnings.is_empty() {
        0
    } else {
        used.max(1) as u16 + 2
    };
    let editor_rows = if state.viewer {
        0
    } else if editing {
        EDITOR_ROWS.1.min(area.height / 2)
    } else {
        EDITOR_ROWS.0
    };
    let [plan_area, warn_area, editor_area] = area.layout(&Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(warn_rows),
        Constraint::Length(editor_rows),
    ]));
    plan_panel(frame, plan_area, model, theme);
    if warn_rows > 0 {
        let title = if whole < warnings.len() {
            format!(
                " Warnings · {whole} of {} (the selected node's first; Enter: its detail) ",
                warnings.len()
            )
        } else {
            format!(" Warnings · {} ", warnings.len())
        };
        let block = panel::panel(title, theme, false);
        let shown: Vec<Line> = warnings.into_iter().take(whole.max(1)).collect();
        frame.render_widget(
            Paragraph::new(shown).block(block).wrap(Wrap { trim: true }),
            warn_area,
        );
    }
    if !state.viewer {
        editor(frame, editor_area, model, theme);
    }
    if let Some(Input::ConfirmAnalyze(statement)) = &state.input {
        confirm(frame, area, statement, state.timeout, theme);
    }
}

/// `Plan · EXPLAIN ANALYZE (rolled back) · 167ms · planning 0.42ms (hit 165, read 0)`, in
/// `room` columns: the planning buffers, then the planning time give way first.
fn title(shown: &Shown, room: usize) -> String {
    let plan = &shown.plan;
    let mut text = format!(" Plan · {}", shown.source);
    if let Some(exec) = plan.execution_ms() {
        let _ = write!(text, " · {}", format::millis(exec));
    } else if let Some(cost) = plan.root().est.total_cost {
        let _ = write!(text, " · cost {cost:.2}");
    }
    if plan.more_plans > 0 {
        let _ = write!(text, " · first of {} plans", plan.more_plans + 1);
    }
    if let Some(planning) = plan.planning_ms() {
        let mut more = format!(" · planning {}", format::millis(planning));
        let short = more.clone();
        if let Some(b) = plan.planning_buffers() {
            let _ = write!(
                more,
                " (hit {}, read {})",
                format::compact(b.shared_hit as f64),
                format::compact(b.shared_read as f64)
            );
        }
        if let Some(fits) = [more, short]
            .into_iter()
            .find(|more| format::width(&text) + format::width(more) < room)
        {
            text.push_str(&fits);
        }
    }
    text.push(' ');
    text
}

fn plan_panel(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let state = &model.explain;
    let views = match state.view {
        View::Tree => " f flat · c compare ",
        View::Flat => " by self time · f tree ",
        View::Compare => " C older · c tree ",
    };
    // The title and the keys share the top border.
    let room = usize::from(area.width).saturating_sub(format::width(views) + 3);
    let head = match (&state.shown, state.view) {
        (Some(_), View::Compare) => compare::title(state, room, theme),
        (Some(shown), _) => Line::from(title(shown, room)),
        (None, _) => Line::from(" Plan "),
    };
    let block =
        panel::panel(head, theme, false).title_top(Line::styled(views, theme.dim).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut status: Vec<Line> = Vec::new();
    if let Some(running) = &state.running {
        let what = if running.analyze {
            "EXPLAIN ANALYZE"
        } else {
            "EXPLAIN"
        };
        let secs = model.now.saturating_duration_since(running.since).as_secs();
        let text = if running.cancelling {
            format!("cancelling {what}… {secs}s")
        } else {
            format!(
                "running {what}… {secs}s (statement_timeout {}) · x cancels",
                humanize(state.timeout)
            )
        };
        status.push(Line::styled(text, theme.notice));
    }
    // A plan, an error and the SQL below that are not of one statement say whose they are.
    if let Some(error) = &state.error {
        let whose = match state.failure_of_another() {
            Some(sql) => format!(
                "EXPLAIN of another statement than the SQL below failed ({}): ",
                format::truncate(&one_line(sql), 60)
            ),
            None => "EXPLAIN failed: ".to_owned(),
        };
        status.push(Line::from(vec![
            Span::styled("WARN ", theme.level(Level::Warn)),
            Span::styled(whose, theme.text),
            Span::styled(error.clone(), theme.text),
        ]));
    }
    if state.running.is_none()
        && let Some(sql) = state.plan_of_another()
    {
        status.push(Line::from(vec![
            Span::styled(
                "plan of another statement than the SQL below: ",
                theme.notice,
            ),
            Span::styled(format::truncate(&one_line(sql), 60).into_owned(), theme.dim),
        ]));
    }
    // Each status line wraps rather than losing its end.
    let width = usize::from(inner.width).max(1);
    let status_rows: usize = status
        .iter()
        .map(|l| {
            let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
            format::wrap(&text, width).len()
        })
        .sum();
    let [status_area, body] = inner.layout(&Layout::vertical([
        Constraint::Length(u16::try_from(status_rows).unwrap_or(u16::MAX)),
        Constraint::Fill(1),
    ]));
    frame.render_widget(
        Paragraph::new(status).wrap(Wrap { trim: true }),
        status_area,
    );
    let Some(shown) = &state.shown else {
        let why = "No plan yet. e: write a statement, then x to EXPLAIN it (the generic plan when \
                   it has $1, $2…) or a to EXPLAIN ANALYZE it (it runs, inside a transaction that \
                   is rolled back). From the Queries pane, e and E open a statement here. A saved \
                   plan opens with pgmedic explain FILE.";
        frame.render_widget(
            Paragraph::new(Line::styled(why, theme.dim)).wrap(Wrap { trim: true }),
            body,
        );
        return;
    };
    match state.view {
        View::Tree | View::Flat => rows(frame, body, state, &shown.plan, theme),
        View::Compare => compared(frame, body, state, theme),
    }
}

/// The first row shown so that `selected` is visible in `height` rows.
fn offset(selected: usize, height: usize) -> usize {
    (selected + 1).saturating_sub(height.max(1))
}

fn rows(frame: &mut Frame, area: Rect, state: &ExplainState, plan: &Plan, theme: &Theme) {
    let cols = Columns::fit(usize::from(area.width));
    let height = usize::from(area.height.saturating_sub(1));
    let first = offset(state.selected, height);
    let mut lines = vec![tree::header(cols, plan.analyzed(), theme)];
    let count = state.row_count();
    for index in first..count.min(first + height) {
        let mut line = if state.view == View::Tree {
            let row = &state.rows[index];
            let fold = match (row.has_children, row.collapsed) {
                (false, _) => Fold::Leaf,
                (true, false) => Fold::Open,
                (true, true) => Fold::Closed,
            };
            tree::line(plan, row.id, &row.guides, fold, cols, theme)
        } else {
            tree::line(plan, state.flat[index], "", Fold::None, cols, theme)
        };
        if index == state.selected {
            line = line.patch_style(theme.selected);
        }
        lines.push(line);
    }
    if count == 0 {
        lines.push(Line::styled(
            format!("no node matches /{}", state.filter),
            theme.dim,
        ));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn compared(frame: &mut Frame, area: Rect, state: &ExplainState, theme: &Theme) {
    let (Some(diff), Some((_, before)), Some(after)) = (&state.diff, state.before(), &state.shown)
    else {
        return;
    };
    let width = usize::from(area.width);
    let mut lines = compare::statements(state.kinship, before, after, width, theme);
    lines.extend([compare::summary(diff, theme), compare::header(width, theme)]);
    let height = usize::from(area.height).saturating_sub(lines.len());
    let first = offset(state.selected, height);
    for index in first..diff.rows.len().min(first + height) {
        let mut line = compare::line(diff, index, &before.plan, &after.plan, width, theme);
        if index == state.selected {
            line = line.patch_style(theme.selected);
        }
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// `WARN node: what` for every warning of the plan, the selected node's first.
fn warning_lines(state: &ExplainState, theme: &Theme) -> Vec<Line<'static>> {
    let Some(shown) = &state.shown else {
        return Vec::new();
    };
    if state.view == View::Compare {
        return Vec::new();
    }
    let plan = &shown.plan;
    let selected = state.selected_node();
    let mut ids: Vec<usize> = (0..plan.nodes.len()).collect();
    ids.sort_by_key(|id| Some(*id) != selected);
    ids.into_iter()
        .flat_map(|id| {
            plan.nodes[id].metrics.warnings.iter().map(move |w| {
                Line::from(vec![
                    Span::styled("WARN ", theme.level(Level::Warn)),
                    Span::styled(format!("{}: ", tree::name(plan, id)), theme.value),
                    Span::styled(w.describe(), theme.text),
                ])
            })
        })
        .collect()
}

fn editor(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let state = &model.explain;
    let editing = state.input == Some(Input::Editor);
    let keys = if editing {
        " editing · Esc leaves the editor "
    } else {
        " e edit · x EXPLAIN · a ANALYZE "
    };
    let mut title = format!(" SQL · statement_timeout {} ", humanize(state.timeout));
    if state.stash.is_some() {
        title.push_str("· u: the other SQL kept ");
    }
    let block =
        panel::panel(title, theme, false).title_top(Line::styled(keys, theme.key).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let text = state.sql();
    if text.is_empty() && !editing {
        frame.render_widget(
            Paragraph::new(Line::styled(
                "no statement: e to write one (or e / E on a statement in the Queries pane)",
                theme.dim,
            )),
            inner,
        );
        return;
    }
    let mut lines = highlight::lines(&text, theme);
    let cursor = state.editor.cursor();
    let (row, col) = (cursor.0, cursor.1);
    if editing {
        put_cursor(&mut lines, row, col, theme);
    }
    let height = usize::from(inner.height);
    let first = if editing { offset(row, height) } else { 0 };
    let shown: Vec<Line> = lines.into_iter().skip(first).take(height).collect();
    frame.render_widget(Paragraph::new(shown), inner);
}

/// Shows the editor's cursor as a reversed cell at (`row`, `col` in characters).
fn put_cursor(lines: &mut [Line<'static>], row: usize, col: usize, theme: &Theme) {
    let Some(line) = lines.get_mut(row) else {
        return;
    };
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut at = 0;
    let mut placed = false;
    for span in line.spans.drain(..) {
        let len = span.content.chars().count();
        if !placed && col < at + len {
            let chars: Vec<char> = span.content.chars().collect();
            let cut = col - at;
            let before: String = chars[..cut].iter().collect();
            let under: String = chars[cut..=cut].iter().collect();
            let after: String = chars[cut + 1..].iter().collect();
            spans.push(Span::styled(before, span.style));
            spans.push(Span::styled(
                under,
                span.style.add_modifier(Modifier::REVERSED),
            ));
            spans.push(Span::styled(after, span.style));
            placed = true;
        } else {
            spans.push(span);
        }
        at += len;
    }
    if !placed {
        spans.push(Span::styled(
            " ",
            theme.text.add_modifier(Modifier::REVERSED),
        ));
    }
    line.spans = spans;
}

/// The question before EXPLAIN ANALYZE runs the statement.
fn confirm(
    frame: &mut Frame,
    area: Rect,
    statement: &crate::explain::statement::Statement,
    timeout: std::time::Duration,
    theme: &Theme,
) {
    let mut lines = vec![
        Line::styled(
            format!("EXPLAIN ANALYZE runs this {}:", statement.kind.name()),
            theme.popup.patch(theme.title),
        ),
        Line::default(),
    ];
    for line in highlight::lines(&statement.text, theme).into_iter().take(6) {
        lines.push(line.patch_style(theme.popup));
    }
    lines.push(Line::default());
    let how = if statement.modifies {
        vec![Line::from(vec![
            Span::styled("WARN ", theme.popup.patch(theme.level(Level::Warn))),
            Span::styled(
                "it changes data: it runs inside a transaction that is rolled back, so the \
                     changes are undone — but its row locks are held while it runs, triggers \
                     fire, and sequences still advance.",
                theme.popup,
            ),
        ])]
    } else {
        vec![Line::styled(
            "It runs inside a READ ONLY transaction that is rolled back.",
            theme.popup,
        )]
    };
    lines.extend(how);
    lines.push(Line::styled(
        format!(
            "On a session of its own: statement_timeout {} (:timeout to change), lock_timeout {}.",
            humanize(timeout),
            crate::explain::run::LOCK_TIMEOUT
        ),
        theme.popup.patch(theme.dim),
    ));
    lines.push(Line::default());
    lines.push(Line::styled(
        "y / Enter runs it · any other key cancels",
        theme.popup.patch(theme.key),
    ));
    super::confirm::popup(
        frame,
        area,
        " EXPLAIN ANALYZE ",
        Text::from(lines),
        90,
        theme,
    );
}
