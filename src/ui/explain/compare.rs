//! The compare view: its title says whether the two plans are of the same statement (plainly
//! "different statements" when not) and which earlier plan of the session is compared with;
//! the two statements unless they are the same text; the totals before and after, then the
//! two plans' nodes aligned, each marked `=` (same), `~` (time or rows changed), `-` (only
//! before) or `+` (only after), with both figures.
//!
//! ```text
//!  ╭ Compare · same statement, other values · before: 2 plans back (3 kept) · EXPLAIN ANALYZE ╮
//!  before: SELECT * FROM orders WHERE customer_id = 42
//!  after:  SELECT * FROM orders WHERE customer_id = 7
//!  before 166ms → after 90ms (−46%) · planning 0.42ms → 0.52ms · blocks 1.9k → 1.9k
//!    node                                     before      after   change       rows
//!  ~ Aggregate                                 167ms       90ms     −46%        1 → 1
//!  - Seq Scan on orders                       30.5ms                       200k →
//! ```

use ratatui::text::{Line, Span};

use crate::app::explain::{ExplainState, Shown};
use crate::diagnose::health::Level;
use crate::diagnose::overview::one_line;
use crate::explain::statement::Kinship;
use crate::plan::compare::{Change, Diff};
use crate::plan::{NodeId, Plan};
use crate::ui::explain::tree::name;
use crate::ui::format;
use crate::ui::theme::Theme;

/// The compare view's title in `room` columns: how the two statements relate — plainly
/// "different statements" when they are — and which earlier plan is compared with.
#[must_use]
pub fn title(state: &ExplainState, room: usize, theme: &Theme) -> Line<'static> {
    let mut spans = vec![Span::raw(" Compare · ")];
    match state.kinship {
        Some(Kinship::Different) => {
            spans.push(Span::styled(
                "different statements",
                theme.level_fg(Level::Warn),
            ));
            spans.push(Span::raw(" · "));
        }
        Some(Kinship::Same) => spans.push(Span::raw("same statement · ")),
        Some(Kinship::OtherValues) => spans.push(Span::raw("same statement, other values · ")),
        None => {}
    }
    if let Some((at, before)) = state.before() {
        let back = match at {
            0 => "the previous plan".to_owned(),
            n => format!("{} plans back", n + 1),
        };
        let kept = match state.history.len() {
            1 => String::new(),
            n => format!(" ({n} kept)"),
        };
        let whole = format!("before: {back}{kept} · {} ", before.source);
        let short = format!("before: {back}{kept} ");
        let used: usize = spans.iter().map(Span::width).sum();
        let fits = [whole, short]
            .into_iter()
            .find(|t| used + format::width(t) <= room);
        spans.push(Span::raw(fits.unwrap_or_default()));
    }
    Line::from(spans)
}

/// The two statements, one line each, above the figures, unless they are the same text.
#[must_use]
pub fn statements(
    kinship: Option<Kinship>,
    before: &Shown,
    after: &Shown,
    width: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let line = |label: &'static str, sql: &str| {
        let room = width.saturating_sub(label.len());
        Line::from(vec![
            Span::styled(label, theme.dim),
            Span::styled(
                format::truncate(&one_line(sql), room).into_owned(),
                theme.text,
            ),
        ])
    };
    if kinship == Some(Kinship::Same) {
        return Vec::new();
    }
    [("before: ", &before.sql), ("after:  ", &after.sql)]
        .into_iter()
        .filter_map(|(label, sql)| sql.as_deref().map(|sql| line(label, sql)))
        .collect()
}

/// The totals line.
#[must_use]
pub fn summary(diff: &Diff, theme: &Theme) -> Line<'static> {
    let show = |v: Option<f64>| {
        v.map_or_else(
            || "-".to_owned(),
            |v| {
                if diff.timed {
                    format::millis(v)
                } else {
                    format!("cost {v:.2}")
                }
            },
        )
    };
    let mut spans = vec![Span::styled(
        format!(
            "before {} → after {}",
            show(diff.total.0),
            show(diff.total.1)
        ),
        theme.value,
    )];
    if let (Some(a), Some(b)) = diff.total {
        spans.push(change_span(a, b, theme));
    }
    if let (Some(a), Some(b)) = diff.planning_ms {
        spans.push(Span::styled(
            format!(" · planning {} → {}", format::millis(a), format::millis(b)),
            theme.dim,
        ));
    }
    if diff.blocks.0 + diff.blocks.1 > 0 {
        spans.push(Span::styled(
            format!(
                " · shared blocks {} → {}",
                format::compact(diff.blocks.0 as f64),
                format::compact(diff.blocks.1 as f64)
            ),
            theme.dim,
        ));
    }
    Line::from(spans)
}

fn change_span(a: f64, b: f64, theme: &Theme) -> Span<'static> {
    if a <= 0.0 {
        return Span::raw("");
    }
    let pct = (b - a) / a * 100.0;
    let style = if pct > 10.0 {
        theme.level_fg(Level::Warn)
    } else if pct < -10.0 {
        theme.ok
    } else {
        theme.dim
    };
    Span::styled(format!(" ({pct:+.0}%)"), style)
}

/// The column titles.
#[must_use]
pub fn header(width: usize, theme: &Theme) -> Line<'static> {
    let label = label_width(width);
    Line::styled(
        format!(
            "  {:<label$}{:>10}{:>10}{:>8}{:>18}",
            "node", "before", "after", "change", "rows"
        ),
        theme.header,
    )
}

fn label_width(width: usize) -> usize {
    width.saturating_sub(2 + 10 + 10 + 8 + 18).max(10)
}

/// One aligned row.
#[must_use]
pub fn line(
    diff: &Diff,
    row: usize,
    before: &Plan,
    after: &Plan,
    width: usize,
    theme: &Theme,
) -> Line<'static> {
    let r = diff.rows[row];
    let (mark, style) = match r.change {
        Change::Same => ("= ", theme.dim),
        Change::Changed => ("~ ", theme.level_fg(Level::Warn)),
        Change::Removed => ("- ", theme.critical),
        Change::Added => ("+ ", theme.ok),
    };
    let label_w = label_width(width);
    let (plan, id) = match (r.after, r.before) {
        (Some(b), _) => (after, b),
        (None, Some(a)) => (before, a),
        (None, None) => return Line::default(),
    };
    let text = format!("{}{}", "  ".repeat(r.depth), name(plan, id));
    let text = format::truncate(&text, label_w).into_owned();
    let pad = label_w.saturating_sub(format::width(&text));
    let figure = |p: &Plan, n: Option<NodeId>| -> Option<f64> {
        let node = &p.nodes[n?];
        if diff.timed {
            node.metrics.inclusive_ms
        } else {
            node.est.total_cost
        }
    };
    let (a, b) = (figure(before, r.before), figure(after, r.after));
    let show = |v: Option<f64>| {
        v.map_or_else(String::new, |v| {
            if diff.timed {
                format::millis(v)
            } else {
                format!("{v:.2}")
            }
        })
    };
    let change = match (a, b) {
        (Some(a), Some(b)) if a > 0.0 => format!("{:+.0}%", (b - a) / a * 100.0),
        _ => String::new(),
    };
    let rows = |p: &Plan, n: Option<NodeId>| {
        n.map_or_else(String::new, |n| {
            let node = &p.nodes[n];
            node.total_rows()
                .or(node.est.rows)
                .map_or_else(String::new, format::compact)
        })
    };
    let rows = format!("{} → {}", rows(before, r.before), rows(after, r.after));
    Line::from(vec![
        Span::styled(mark, style),
        Span::styled(
            text,
            if r.change == Change::Same {
                theme.text
            } else {
                style
            },
        ),
        Span::raw(" ".repeat(pad)),
        Span::styled(format!("{:>10}", show(a)), theme.dim),
        Span::styled(format!("{:>10}", show(b)), theme.value),
        Span::styled(format!("{change:>8}"), style),
        Span::styled(format!("{rows:>18}"), theme.text),
    ])
}
