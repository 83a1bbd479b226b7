//! A finding on the whole pane: its evidence, the statement that resolves it and the one that
//! undoes it, and "what if I drop it?" statement by statement.

use std::fmt::Write as _;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::app::model::Model;
use crate::diagnose::health::Level;
use crate::diagnose::indexes::Finding;
use crate::diagnose::indexes::plans::{DropCheck, Replanned};
use crate::review::{evidence, one_line, plan_lines};
use crate::ui::format;
use crate::ui::panel;
use crate::ui::sql;
use crate::ui::theme::Theme;

/// Draws `finding` over the whole of `area`.
pub fn render(frame: &mut Frame, area: Rect, model: &Model, finding: &Finding, theme: &Theme) {
    let mut item = model.review_item(finding);
    // "What if dropped" has its own section below, statement by statement.
    item.drop_check = None;
    let title = format!(
        " {} · {} · {} ",
        finding.kind.word(),
        finding.table_name(),
        super::object(finding, &model.indexes.suggestions)
    );
    let block = panel::panel(title, theme, model.is_stale());
    let snapshot = model.indexes.snapshot.as_ref();
    let mut lines: Vec<Line> = evidence(
        &item,
        snapshot.map_or(0.0, |s| s.taken_at),
        snapshot
            .map(crate::diagnose::indexes::IndexesSnapshot::stats)
            .unwrap_or_default(),
    )
    .into_iter()
    .map(|l| Line::styled(l, theme.text))
    .collect();
    lines.push(Line::default());
    lines.extend(sql_lines(&item.fix, theme));
    lines.extend(plans(item.suggestion.as_ref(), theme));
    if let Some(index) = &finding.index {
        lines.push(Line::default());
        match model.indexes.drop_checks.get(&index.oid) {
            _ if model.indexes.checking.contains(&index.oid) => {
                lines.push(Line::styled("what if dropped: re-planning …", theme.dim));
            }
            Some(Ok(check)) => lines.extend(drop_check_lines(check, theme)),
            Some(Err(e)) => lines.push(Line::styled(
                format!("what if dropped: {e}"),
                theme.level(Level::Warn),
            )),
            None => lines.push(Line::styled(
                "w: what if I drop it? (re-plans the heaviest statements on the table)",
                theme.key,
            )),
        }
    }
    let keys = format!("{} · y copy SQL · Esc back", super::keys_for(finding));
    scrolled(
        frame,
        area,
        block,
        lines,
        &keys,
        model.indexes.detail_scroll,
        theme,
    );
}

/// A suggestion's plans before and after, statement by statement, after a blank line.
pub(super) fn plans<'a>(s: Option<&crate::advisor::Suggestion>, theme: &Theme) -> Vec<Line<'a>> {
    let lines = plan_lines(s);
    if lines.is_empty() {
        return Vec::new();
    }
    let mut out = vec![Line::default()];
    out.extend(lines.into_iter().map(|l| {
        if l.starts_with(' ') {
            Line::styled(l, theme.text)
        } else {
            Line::styled(l, theme.dim)
        }
    }));
    out
}

/// Rows `lines` take at `width` once wrapped (at least one each; an estimate that counts
/// characters, close to what word wrapping gives).
fn rows(lines: &[Line], width: u16) -> usize {
    let width = usize::from(width.max(1));
    lines.iter().map(|l| l.width().div_ceil(width).max(1)).sum()
}

/// `body` in `block` scrolled down `scroll` lines (at most to its end), with `keys` kept on
/// the bottom line, and the scroll keys named when the body does not fit.
pub(super) fn scrolled(
    frame: &mut Frame,
    area: Rect,
    block: Block<'_>,
    body: Vec<Line<'_>>,
    keys: &str,
    scroll: u16,
    theme: &Theme,
) {
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let needed = rows(&body, inner.width);
    let mut keys = keys.to_owned();
    let room = usize::from(inner.height.saturating_sub(2));
    if needed > room {
        keys.push_str(" · PgDn PgUp scroll");
    }
    let keys = vec![Line::styled(keys, theme.key)];
    let key_rows = u16::try_from(rows(&keys, inner.width)).unwrap_or(1);
    let [top, _, bottom] = inner.layout(&Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(key_rows),
    ]));
    let most = needed.saturating_sub(usize::from(top.height));
    let scroll = scroll.min(u16::try_from(most).unwrap_or(u16::MAX));
    frame.render_widget(
        Paragraph::new(body)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        top,
    );
    frame.render_widget(Paragraph::new(keys).wrap(Wrap { trim: false }), bottom);
}

/// The statement and its rollback, highlighted.
pub(super) fn sql_lines<'a>(
    fix: &'a Result<crate::diagnose::indexes::fix::Fix, String>,
    theme: &Theme,
) -> Vec<Line<'a>> {
    match fix {
        Ok(fix) => {
            let mut apply = vec![Span::styled("sql   ", theme.dim)];
            apply.extend(sql::spans(&fix.apply, theme.text, theme));
            let mut undo = vec![Span::styled("undo  ", theme.dim)];
            undo.extend(sql::spans(&fix.rollback, theme.text, theme));
            vec![Line::from(apply), Line::from(undo)]
        }
        Err(why) => vec![Line::styled(
            format!("no statement: {why}"),
            theme.level(Level::Warn),
        )],
    }
}

fn drop_check_lines<'a>(check: &DropCheck, theme: &Theme) -> Vec<Line<'a>> {
    let worse = check.statements.iter().any(|s| s.worse_by().is_some());
    let level = if worse { Level::Warn } else { Level::Ok };
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("{} ", level.word()), theme.level(level)),
        Span::styled(format!("what if dropped: {}", check.verdict()), theme.text),
    ])];
    lines.extend(
        check
            .statements
            .iter()
            .map(|s| statement_line(s, &check.index, theme)),
    );
    lines
}

fn statement_line<'a>(s: &Replanned, index: &str, theme: &Theme) -> Line<'a> {
    let cost = |p: &Result<crate::diagnose::indexes::plans::PlanSummary, String>| {
        p.as_ref()
            .map_or_else(|e| format!("({e})"), |p| format!("{:.0}", p.total_cost))
    };
    let mut text = format!("  cost {}", cost(&s.with_index));
    if let Some(without) = &s.without_index {
        let _ = write!(text, " → {} without it", cost(without));
    }
    let verdict = match s.worse_by() {
        Some(factor) => format!(" WORSE ×{factor:.1}"),
        None if s.uses(index) => " uses it".to_owned(),
        None => String::new(),
    };
    Line::from(vec![
        Span::styled(text, theme.text),
        Span::styled(verdict, theme.level(Level::Warn)),
        Span::styled(
            format!(
                " · {} calls, mean {} · ",
                format::count(s.statement.calls),
                format::millis(s.statement.mean_ms)
            ),
            theme.dim,
        ),
        Span::styled(one_line(&s.statement.query), theme.dim),
    ])
}
