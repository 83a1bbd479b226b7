//! One line per plan node, in columns that fit the width: the node (tree guides, fold mark,
//! subplan name, type and what it reads), inclusive and self time with its share as a bar,
//! rows per loop against the estimate with the misestimate factor, loops, shared buffers
//! hit / read, and WARN when the node has a warning. Without ANALYZE the time columns show
//! the planner's cost. The heaviest path is marked `»` at the left edge.
//!
//! ```text
//!    node                                      total     self  share        rows  est×   WARN
//!  » ▾ Aggregate                               167ms   0.18ms  ·····   0%      1/1
//!  » ├─ ▾ CTE s: HashAggregate                 149ms    118ms  ████·  71%  5.0k/5.0k
//! ```

use std::fmt::Write as _;

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::diagnose::health::Level;
use crate::plan::{NodeId, Plan, Warning};
use crate::ui::format;
use crate::ui::theme::Theme;

/// Cells of the share bar.
const BAR: usize = 5;

/// The columns shown at a width.
#[derive(Debug, Clone, Copy)]
pub struct Columns {
    pub total: bool,
    pub loops: bool,
    pub buffers: bool,
    /// Width of the node column.
    pub label: usize,
}

impl Columns {
    #[must_use]
    pub fn fit(width: usize) -> Self {
        let total = width >= 96;
        let loops = width >= 112;
        let buffers = width >= 128;
        let fixed = 2
            + 9
            + (BAR + 6)
            + 12
            + 7
            + 5
            + if total { 9 } else { 0 }
            + if loops { 7 } else { 0 }
            + if buffers { 14 } else { 0 };
        Self {
            total,
            loops,
            buffers,
            label: width.saturating_sub(fixed).max(10),
        }
    }
}

/// How a node's children are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fold {
    Leaf,
    Open,
    Closed,
    /// The flat view: no tree.
    None,
}

/// The column titles.
#[must_use]
pub fn header(cols: Columns, analyzed: bool, theme: &Theme) -> Line<'static> {
    let (total, own) = if analyzed {
        ("total", "self")
    } else {
        ("cost", "own cost")
    };
    let mut text = format!("  {:<w$}", "node", w = cols.label);
    if cols.total {
        let _ = write!(text, "{total:>9}");
    }
    let _ = write!(text, "{own:>9}");
    let _ = write!(text, "{:>w$}", "share", w = BAR + 6);
    let _ = write!(
        text,
        "{:>12}",
        if analyzed { "rows/est" } else { "est rows" }
    );
    let _ = write!(text, "{:>7}", if analyzed { "est×" } else { "" });
    if cols.loops {
        let _ = write!(text, "{:>7}", "loops");
    }
    if cols.buffers {
        let _ = write!(text, "{:>14}", "hit/read");
    }
    let _ = write!(text, "{:>5}", "warn");
    Line::styled(text, theme.header)
}

/// The node's name as the tree shows it: `CTE s: HashAggregate`, `Seq Scan on orders o`.
#[must_use]
pub fn name(plan: &Plan, id: NodeId) -> String {
    let node = &plan.nodes[id];
    match node.subplan_name() {
        Some(sub) => format!("{sub}: {}", node.label()),
        None => node.label(),
    }
}

/// One node's line.
#[must_use]
pub fn line(
    plan: &Plan,
    id: NodeId,
    guides: &str,
    fold: Fold,
    cols: Columns,
    theme: &Theme,
) -> Line<'static> {
    let node = &plan.nodes[id];
    let m = &node.metrics;
    let analyzed = plan.analyzed();
    let heavy = m.heaviest;
    let mut spans = vec![Span::styled(if heavy { "» " } else { "  " }, theme.title)];
    let mark = match fold {
        Fold::Leaf => "  ",
        Fold::Open => "▾ ",
        Fold::Closed => "▸ ",
        Fold::None => "",
    };
    let head = format!("{guides}{mark}");
    let label = name(plan, id);
    let room = cols.label.saturating_sub(format::width(&head));
    let label = format::truncate(&label, room).into_owned();
    let pad = room.saturating_sub(format::width(&label));
    spans.push(Span::styled(head, theme.dim));
    let name_style = if heavy { theme.value } else { theme.text };
    spans.push(Span::styled(label, name_style));
    spans.push(Span::raw(" ".repeat(pad)));
    let (total, own, share) = if analyzed {
        (
            m.inclusive_ms.map(format::millis),
            m.self_ms.map(format::millis),
            m.self_share,
        )
    } else {
        let whole = plan.root().est.total_cost.filter(|c| *c > 0.0);
        (
            node.est.total_cost.map(cost),
            m.self_cost.map(cost),
            m.self_cost.zip(whole).map(|(c, r)| (c / r).clamp(0.0, 1.0)),
        )
    };
    if cols.total {
        spans.push(Span::styled(
            format!("{:>9}", total.unwrap_or_else(|| "-".to_owned())),
            theme.dim,
        ));
    }
    spans.push(Span::styled(
        format!("{:>9}", own.unwrap_or_else(|| "-".to_owned())),
        theme.value,
    ));
    spans.push(Span::raw(" "));
    spans.extend(bar(share.unwrap_or(0.0), theme));
    spans.push(Span::styled(
        format!(
            "{:>5}",
            share.map_or_else(String::new, |s| format!("{:.0}%", s * 100.0))
        ),
        theme.text,
    ));
    let (rows, factor) = rows(plan, id);
    spans.push(Span::styled(format!("{rows:>12}"), theme.text));
    let misestimated = node
        .metrics
        .warnings
        .iter()
        .any(|w| matches!(w, Warning::Misestimate { .. }));
    let factor_style = if misestimated {
        theme.level_fg(Level::Warn)
    } else {
        theme.dim
    };
    spans.push(Span::styled(format!("{factor:>7}"), factor_style));
    if cols.loops {
        let loops = node
            .actual
            .map_or_else(String::new, |a| format::compact(a.loops));
        spans.push(Span::styled(format!("{loops:>7}"), theme.dim));
    }
    if cols.buffers {
        let b = node.buffers;
        let text = if b.is_zero() {
            String::new()
        } else {
            format!(
                "{}/{}",
                format::compact(b.shared_hit as f64),
                format::compact(b.shared_read as f64)
            )
        };
        spans.push(Span::styled(format!("{text:>14}"), theme.dim));
    }
    if m.warnings.is_empty() {
        spans.push(Span::raw("     "));
    } else {
        spans.push(Span::raw(" "));
        spans.push(Span::styled("WARN", theme.level(Level::Warn)));
    }
    Line::from(spans)
}

/// `12.3k` cost units.
fn cost(c: f64) -> String {
    if c < 100.0 {
        format!("{c:.2}")
    } else {
        format::compact(c)
    }
}

/// `5.0k/1.7k` and `3.0x↑` (more rows than estimated) or `66.7x↓` (fewer).
fn rows(plan: &Plan, id: NodeId) -> (String, String) {
    let node = &plan.nodes[id];
    let est = node
        .est
        .rows
        .map_or_else(|| "-".to_owned(), format::compact);
    match node.actual {
        None => (format!("~{est}"), String::new()),
        Some(a) if a.loops == 0.0 => ("never run".to_owned(), String::new()),
        Some(a) => {
            let actual = if a.rows > 0.0 && a.rows < 10.0 && a.rows.fract() != 0.0 {
                format!("{:.2}", a.rows)
            } else {
                format::compact(a.rows)
            };
            let factor = node.metrics.misestimate.map_or_else(String::new, |e| {
                if e.factor < 1.05 {
                    "1x".to_owned()
                } else {
                    let arrow = if e.under { '↑' } else { '↓' };
                    format!("{}x{arrow}", short(e.factor))
                }
            });
            (format!("{actual}/{est}"), factor)
        }
    }
}

/// A factor in at most four characters: `3.0`, `66.7`, `667`, `6.7k`.
fn short(f: f64) -> String {
    if f < 100.0 {
        format!("{f:.1}")
    } else {
        format::compact(f)
    }
}

/// The share bar: `BAR` cells filled to `share`.
fn bar(share: f64, theme: &Theme) -> Vec<Span<'static>> {
    // Rounded, not at least one cell: a node with 0.1% of the time shows an empty bar.
    let filled = ((share.clamp(0.0, 1.0) * BAR as f64).round() as usize).min(BAR);
    let fill: Style = if share >= 0.3 {
        theme.bar.patch(theme.level_fg(Level::Warn))
    } else {
        theme.bar
    };
    vec![
        Span::styled("█".repeat(filled), fill),
        Span::styled("·".repeat(BAR - filled), theme.bar_empty),
    ]
}
