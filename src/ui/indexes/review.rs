//! The review session on the whole pane: where it is, the finding's evidence, the statement
//! and its rollback, what was decided, and the keys.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::diagnose::health::Level;
use crate::review::{Decision, Review, evidence};
use crate::ui::panel;
use crate::ui::theme::Theme;

/// Draws the item on screen of `review` over `area`.
pub fn render(frame: &mut Frame, area: Rect, review: &Review, scroll: u16, theme: &Theme) {
    let Some(item) = review.current() else {
        return;
    };
    let title = format!(
        " Review · {} of {} · {} applied, {} in the migration, {} skipped ",
        review.at + 1,
        review.items.len(),
        review.count(Decision::ApplyNow),
        review.count(Decision::Migration),
        review.count(Decision::Skip),
    );
    let block = panel::panel(title, theme, false);
    let f = &item.finding;
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("{} ", f.level.word()), theme.level(f.level)),
        Span::styled(
            format!(
                "{} · {} · {}",
                f.kind.word(),
                f.table_name(),
                super::object(f, item.suggestion.as_slice())
            ),
            theme.title,
        ),
    ])];
    lines.extend(
        evidence(item, review.taken_at, review.stats)
            .into_iter()
            .map(|l| Line::styled(l, theme.text)),
    );
    lines.push(Line::default());
    lines.extend(super::detail::sql_lines(&item.fix, theme));
    lines.extend(super::detail::plans(item.suggestion.as_ref(), theme));
    let decided = item.decision.map_or("undecided", Decision::word);
    let mut status = vec![Span::styled(format!("decision: {decided}"), theme.value)];
    if let Some(outcome) = &item.outcome {
        let level = if outcome.starts_with("ok") {
            Level::Ok
        } else {
            Level::Warn
        };
        status.push(Span::styled(
            format!(" · job {outcome}"),
            theme.level(level),
        ));
    }
    if !item.note.is_empty() {
        status.push(Span::styled(format!(" · note: {}", item.note), theme.text));
    }
    // The decision first: the plans below it can be scrolled to.
    lines.insert(1, Line::from(status));
    super::detail::scrolled(
        frame,
        area,
        block,
        lines,
        "a apply now · m add to migration · s skip · n note · w what if dropped · j/k move · \
         W write files · Esc pause",
        scroll,
        theme,
    );
}
