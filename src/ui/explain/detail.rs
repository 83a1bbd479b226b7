//! The detail panel of the selected node: its figures worked out (inclusive and self time,
//! rows against the estimate, cost, buffers, I/O time), its warnings, the share of each
//! parallel process with the skew, and then every property EXPLAIN printed for it.

use std::fmt::Write as _;

use ratatui::text::{Line, Span};
use serde_json::Value;

use crate::diagnose::health::Level;
use crate::plan::metrics::{Process, shares, skew};
use crate::plan::warnings::thousands;
use crate::plan::{Node, NodeId, Plan, io_ms};
use crate::ui::format;
use crate::ui::theme::Theme;

/// The panel's lines for node `id`.
#[must_use]
pub fn lines(plan: &Plan, id: NodeId, theme: &Theme) -> Vec<Line<'static>> {
    let node = &plan.nodes[id];
    let m = &node.metrics;
    let mut out = Vec::new();
    let label = |text: &str| Span::styled(format!("{text:<10}"), theme.dim);
    if let Some(incl) = m.inclusive_ms {
        let mut text = format!("{} inclusive", format::millis(incl));
        if let Some(own) = m.self_ms {
            let _ = write!(text, ", {} self", format::millis(own));
        }
        if let Some(share) = m.self_share {
            let _ = write!(text, " ({:.1}% of the statement)", share * 100.0);
        }
        if m.processes > 1.0 {
            let _ = write!(text, ", averaged over {} processes", m.processes);
        }
        out.push(Line::from(vec![
            label("time"),
            Span::styled(text, theme.value),
        ]));
    }
    let est = node.est.rows.map_or_else(|| "-".to_owned(), thousands);
    let rows = match node.actual {
        Some(a) if a.loops == 0.0 => format!("never executed (estimated {est})"),
        Some(a) => {
            let mut text = format!(
                "{} per loop × {} loops = {}, estimated {est} per loop",
                thousands(a.rows),
                thousands(a.loops),
                thousands(a.rows * a.loops)
            );
            if let Some(e) = m.misestimate.filter(|e| e.factor >= 1.05) {
                let how = if e.under { "under" } else { "over" };
                let _ = write!(text, " ({:.1}x {how}estimated", e.factor);
                if m.stops_early && !e.under {
                    text.push_str(": it stopped early, as its parent asked for no more rows");
                }
                text.push(')');
            }
            text
        }
        None => format!("estimated {est} per loop"),
    };
    out.push(Line::from(vec![
        label("rows"),
        Span::styled(rows, theme.text),
    ]));
    if let (Some(start), Some(total)) = (node.est.startup_cost, node.est.total_cost) {
        let own = m
            .self_cost
            .map_or_else(String::new, |c| format!(", {c:.2} its own"));
        out.push(Line::from(vec![
            label("cost"),
            Span::styled(format!("{start:.2}..{total:.2}{own}"), theme.text),
        ]));
    }
    out.extend(buffers(node, theme));
    for warning in &m.warnings {
        out.push(Line::from(vec![
            Span::styled("WARN ", theme.level(Level::Warn)),
            Span::styled(warning.describe(), theme.text),
        ]));
    }
    out.extend(processes(plan, id, theme));
    out.push(Line::styled("properties", theme.header));
    for (key, value) in &node.props.0 {
        out.push(Line::from(vec![
            Span::styled(format!("{key}: "), theme.dim),
            Span::styled(show(value), theme.text),
        ]));
    }
    out
}

/// `shared hit … read …, temp …, local …, I/O …` when the node touched any buffer.
fn buffers(node: &Node, theme: &Theme) -> Option<Line<'static>> {
    let b = node.buffers;
    if b.is_zero() {
        return None;
    }
    let mut text = format!(
        "shared hit {} read {} dirtied {} written {}",
        thousands(b.shared_hit as f64),
        thousands(b.shared_read as f64),
        thousands(b.shared_dirtied as f64),
        thousands(b.shared_written as f64)
    );
    for (first_name, first, second_name, second) in [
        ("temp read", b.temp_read, "written", b.temp_written),
        ("local hit", b.local_hit, "read", b.local_read),
    ] {
        if first + second > 0 {
            let _ = write!(
                text,
                ", {first_name} {} {second_name} {}",
                thousands(first as f64),
                thousands(second as f64)
            );
        }
    }
    let io = io_ms(&node.props);
    if io > 0.0 {
        let _ = write!(text, ", I/O {}", format::millis(io));
    }
    Some(Line::from(vec![
        Span::styled(format!("{:<10}", "buffers"), theme.dim),
        Span::styled(text, theme.text),
    ]))
}

/// The per-process shares under a parallel node, with the skew.
fn processes(plan: &Plan, id: NodeId, theme: &Theme) -> Vec<Line<'static>> {
    let shares = shares(plan, id);
    if shares.is_empty() {
        return Vec::new();
    }
    let skew = skew(&shares).map_or_else(String::new, |s| format!(" · rows skew {s:.2}x"));
    let mut out = vec![Line::styled(
        format!(
            "{:<10}{:>12}{:>8}{:>10}{skew}",
            "process", "rows", "loops", "time"
        ),
        theme.header,
    )];
    for share in shares {
        let who = match share.process {
            Process::Leader => "leader".to_owned(),
            Process::Worker(n) => format!("worker {n}"),
        };
        let time = share
            .total_ms
            .map_or_else(|| "-".to_owned(), format::millis);
        out.push(Line::styled(
            format!(
                "{who:<10}{:>12}{:>8}{time:>10}",
                thousands(share.rows),
                thousands(share.loops)
            ),
            theme.text,
        ));
    }
    out
}

/// A property value as one line: text as is, lists joined, objects as compact JSON.
#[must_use]
pub fn show(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Array(items) => items.iter().map(show).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}
