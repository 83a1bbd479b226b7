//! The rows a plan viewer shows: the tree with collapsed subtrees hidden and its guide lines,
//! or the flat list of nodes by self time. Pure; the widget only formats these rows.

use crate::plan::metrics::weight;
use crate::plan::{NodeId, Plan};

/// One visible line of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub id: NodeId,
    /// Tree guides before the node: `│  ├─ `.
    pub guides: String,
    pub has_children: bool,
    pub collapsed: bool,
}

/// True when `id`'s line matches `filter` (case-insensitive, on the label and subplan name).
#[must_use]
pub fn matches(plan: &Plan, id: NodeId, filter: &str) -> bool {
    if filter.is_empty() {
        return true;
    }
    let node = &plan.nodes[id];
    let needle = filter.to_lowercase();
    node.label().to_lowercase().contains(&needle)
        || node
            .subplan_name()
            .is_some_and(|s| s.to_lowercase().contains(&needle))
}

/// The tree's visible rows: children of collapsed nodes are hidden; with a filter, only
/// matching nodes and their ancestors show.
#[must_use]
pub fn tree_rows(plan: &Plan, collapsed: &[bool], filter: &str) -> Vec<Row> {
    let keep = if filter.is_empty() {
        None
    } else {
        let mut keep = vec![false; plan.nodes.len()];
        for id in (0..plan.nodes.len()).rev() {
            if keep[id] || matches(plan, id, filter) {
                keep[id] = true;
                if let Some(parent) = plan.nodes[id].parent {
                    keep[parent] = true;
                }
            }
        }
        Some(keep)
    };
    let visible = |id: NodeId| keep.as_ref().is_none_or(|k| k[id]);
    let mut rows = Vec::new();
    if !visible(0) {
        return rows;
    }
    // (node, guides for its own line, guides for its children's lines)
    let mut stack: Vec<(NodeId, String, String)> = vec![(0, String::new(), String::new())];
    while let Some((id, guides, below)) = stack.pop() {
        let node = &plan.nodes[id];
        let is_collapsed = collapsed.get(id).copied().unwrap_or(false);
        let shown: Vec<NodeId> = node
            .children
            .iter()
            .copied()
            .filter(|c| visible(*c))
            .collect();
        rows.push(Row {
            id,
            guides,
            has_children: !node.children.is_empty(),
            collapsed: is_collapsed,
        });
        if is_collapsed {
            continue;
        }
        for (i, child) in shown.iter().enumerate().rev() {
            let last = i + 1 == shown.len();
            let own = format!("{below}{}", if last { "└─ " } else { "├─ " });
            let next = format!("{below}{}", if last { "   " } else { "│  " });
            stack.push((*child, own, next));
        }
    }
    rows
}

/// Every node matching `filter`, heaviest first (self time, else self cost).
#[must_use]
pub fn flat_rows(plan: &Plan, filter: &str) -> Vec<NodeId> {
    let mut ids: Vec<NodeId> = (0..plan.nodes.len())
        .filter(|id| matches(plan, *id, filter))
        .collect();
    ids.sort_by(|a, b| weight(plan, *b).total_cmp(&weight(plan, *a)).then(a.cmp(b)));
    ids
}

/// The collapse state that hides everything off the heaviest path.
#[must_use]
pub fn collapse_off_path(plan: &Plan) -> Vec<bool> {
    plan.nodes
        .iter()
        .map(|n| !n.metrics.heaviest && !n.children.is_empty())
        .collect()
}
