//! The compare view: the statement's totals before and after, then the two plans' nodes
//! aligned, each marked `=` (same), `~` (time or rows changed), `-` (only before) or `+` (only
//! after), with both figures.
//!
//! ```text
//!  before 166ms → after 90ms (−46%) · planning 0.42ms → 0.52ms · blocks 1.9k → 1.9k
//!    node                                     before      after   change       rows
//!  ~ Aggregate                                 167ms       90ms     −46%        1 → 1
//!  - Seq Scan on orders                       30.5ms                       200k →
//! ```

use ratatui::text::{Line, Span};

use crate::diagnose::health::Level;
use crate::plan::compare::{Change, Diff};
use crate::plan::{NodeId, Plan};
use crate::ui::explain::tree::name;
use crate::ui::format;
use crate::ui::theme::Theme;

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
