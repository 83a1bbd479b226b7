//! Two plans of one statement side by side as a diff: nodes are matched by what they are
//! (type, relation, index, subplan) in tree order — the longest common subsequence of the two
//! pre-order lists — and every matched pair says whether its time or rows changed; the
//! nodes only one plan has are removed or added.

use crate::plan::{NodeId, Plan};

/// Above this many node pairs the alignment is greedy instead of an exact LCS.
const EXACT_LIMIT: usize = 4_000_000;

/// What happened to a node between the two plans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Same,
    /// Same node, time or rows changed noticeably.
    Changed,
    /// Only in the first plan.
    Removed,
    /// Only in the second plan.
    Added,
}

/// One line of the diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiffRow {
    pub change: Change,
    pub before: Option<NodeId>,
    pub after: Option<NodeId>,
    /// Depth in the plan the row comes from (the second one for matched pairs).
    pub depth: usize,
}

/// The statement-level figures and the node diff.
#[derive(Debug, Clone, PartialEq)]
pub struct Diff {
    pub rows: Vec<DiffRow>,
    /// (before, after) of the whole statement: time when both ran under ANALYZE, else cost.
    pub total: (Option<f64>, Option<f64>),
    pub timed: bool,
    pub planning_ms: (Option<f64>, Option<f64>),
    /// Shared blocks hit + read at the root.
    pub blocks: (u64, u64),
}

/// What identifies a node across two plans.
fn signature(plan: &Plan, id: NodeId) -> String {
    let node = &plan.nodes[id];
    // What the node does and reads, without the schema: only VERBOSE names it, and a plain
    // EXPLAIN compared with an EXPLAIN ANALYZE (VERBOSE) must still pair its nodes.
    let p = &node.props;
    let object = [
        "Relation Name",
        "CTE Name",
        "Function Name",
        "Index Name",
        "Alias",
    ]
    .map(|key| p.text(key).unwrap_or_default());
    format!(
        "{}|{}|{}|{}",
        node.title(),
        object.join("|"),
        node.relationship().unwrap_or_default(),
        node.subplan_name().unwrap_or_default()
    )
}

/// The figure a node is compared by: inclusive time with ANALYZE, else total cost.
fn figure(plan: &Plan, id: NodeId, timed: bool) -> Option<f64> {
    let node = &plan.nodes[id];
    if timed {
        node.metrics.inclusive_ms
    } else {
        node.est.total_cost
    }
}

/// True when `a` and `b` differ by more than 10% and more than `floor`.
#[must_use]
pub fn differs(a: f64, b: f64, floor: f64) -> bool {
    (a - b).abs() > floor && (a - b).abs() > 0.1 * a.abs().max(b.abs())
}

/// Compares `before` with `after`.
#[must_use]
pub fn compare(before: &Plan, after: &Plan) -> Diff {
    let timed =
        before.root().metrics.inclusive_ms.is_some() && after.root().metrics.inclusive_ms.is_some();
    let a: Vec<NodeId> = before.subtree(0);
    let b: Vec<NodeId> = after.subtree(0);
    let sa: Vec<String> = a.iter().map(|id| signature(before, *id)).collect();
    let sb: Vec<String> = b.iter().map(|id| signature(after, *id)).collect();
    let pairs = align(&sa, &sb);
    let mut rows = Vec::new();
    let (mut i, mut j) = (0, 0);
    for (pi, pj) in pairs.into_iter().chain(std::iter::once((a.len(), b.len()))) {
        while i < pi {
            rows.push(DiffRow {
                change: Change::Removed,
                before: Some(a[i]),
                after: None,
                depth: before.nodes[a[i]].depth,
            });
            i += 1;
        }
        while j < pj {
            rows.push(DiffRow {
                change: Change::Added,
                before: None,
                after: Some(b[j]),
                depth: after.nodes[b[j]].depth,
            });
            j += 1;
        }
        if pi < a.len() && pj < b.len() {
            let change = if changed(before, a[pi], after, b[pj], timed) {
                Change::Changed
            } else {
                Change::Same
            };
            rows.push(DiffRow {
                change,
                before: Some(a[pi]),
                after: Some(b[pj]),
                depth: after.nodes[b[pj]].depth,
            });
            i = pi + 1;
            j = pj + 1;
        }
    }
    let total = |p: &Plan| {
        if timed {
            p.total_ms()
        } else {
            p.root().est.total_cost
        }
    };
    let blocks = |p: &Plan| p.root().buffers.shared_hit + p.root().buffers.shared_read;
    Diff {
        rows,
        total: (total(before), total(after)),
        timed,
        planning_ms: (before.planning_ms(), after.planning_ms()),
        blocks: (blocks(before), blocks(after)),
    }
}

fn changed(before: &Plan, a: NodeId, after: &Plan, b: NodeId, timed: bool) -> bool {
    let floor = if timed { 0.05 } else { 0.5 };
    let time = match (figure(before, a, timed), figure(after, b, timed)) {
        (Some(x), Some(y)) => differs(x, y, floor),
        (x, y) => x.is_some() != y.is_some(),
    };
    let rows = match (before.nodes[a].total_rows(), after.nodes[b].total_rows()) {
        (Some(x), Some(y)) => differs(x, y, 0.5),
        _ => match (before.nodes[a].est.rows, after.nodes[b].est.rows) {
            (Some(x), Some(y)) => differs(x, y, 0.5),
            _ => false,
        },
    };
    time || rows
}

/// Index pairs of a longest common subsequence of `a` and `b` (greedy when too large).
fn align(left: &[String], right: &[String]) -> Vec<(usize, usize)> {
    if left.len().saturating_mul(right.len()) > EXACT_LIMIT {
        return greedy(left, right);
    }
    let width = right.len() + 1;
    // lcs[i * width + j]: LCS length of left[i..] and right[j..].
    let mut lcs = vec![0u32; (left.len() + 1) * width];
    for i in (0..left.len()).rev() {
        for j in (0..right.len()).rev() {
            lcs[i * width + j] = if left[i] == right[j] {
                lcs[(i + 1) * width + j + 1] + 1
            } else {
                lcs[(i + 1) * width + j].max(lcs[i * width + j + 1])
            };
        }
    }
    let mut pairs = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        if left[i] == right[j] {
            pairs.push((i, j));
            i += 1;
            j += 1;
        } else if lcs[(i + 1) * width + j] >= lcs[i * width + j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    pairs
}

/// Each element of `a` matched to the next equal element of `b`, in order.
fn greedy(a: &[String], b: &[String]) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    let mut from = 0;
    for (i, sig) in a.iter().enumerate() {
        if let Some(k) = b[from..].iter().position(|s| s == sig) {
            pairs.push((i, from + k));
            from += k + 1;
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_plan_and_a_verbose_one_of_the_same_statement_pair_their_nodes() {
        let plain = Plan::parse(
            r#"[{"Plan": {"Node Type": "ModifyTable", "Operation": "Update",
                "Relation Name": "items", "Alias": "items", "Total Cost": 339.5,
                "Plans": [{"Node Type": "Seq Scan", "Parent Relationship": "Outer",
                  "Relation Name": "items", "Alias": "items", "Total Cost": 339.5}]}}]"#,
        )
        .unwrap();
        let verbose = Plan::parse(
            r#"[{"Plan": {"Node Type": "ModifyTable", "Operation": "Update",
                "Relation Name": "items", "Schema": "public", "Alias": "items",
                "Total Cost": 339.5,
                "Plans": [{"Node Type": "Seq Scan", "Parent Relationship": "Outer",
                  "Relation Name": "items", "Schema": "public", "Alias": "items",
                  "Total Cost": 339.5}]}}]"#,
        )
        .unwrap();
        let diff = compare(&plain, &verbose);
        let changes: Vec<Change> = diff.rows.iter().map(|r| r.change).collect();
        assert_eq!(changes, [Change::Same, Change::Same]);
    }
}
