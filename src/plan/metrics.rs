//! Figures derived from a plan: how many processes ran each node, its inclusive and self
//! (exclusive) time, its share of the statement, the misestimate factor, the heaviest path,
//! and per-process shares under parallel nodes.
//!
//! # How self time is computed
//!
//! EXPLAIN ANALYZE prints, per node, the time of one loop (`actual time=startup..total`) and
//! the number of loops. Outside parallel plans the node's **inclusive time** is
//! `total × loops`: everything spent in the node and in what it called.
//!
//! **Parallel plans.** Under a Gather or Gather Merge, a node's figures are summed over every
//! process that ran it (the workers and, unless parallel_leader_participation is off, the
//! leader): `loops` counts the loops of all processes and `total` is the average per loop. So
//! `total × loops` is process time, not elapsed time. The processes running a parallel section
//! are `P = loops of the Gather's child / loops of the Gather` (2 workers + the leader give 3;
//! without the leader 2), and the elapsed inclusive time of a node in that section is
//! `total × loops / P` — the average process's share. The Gather itself is run by the leader
//! alone and keeps `total × loops`. (The slowest worker can take longer than the average: the
//! per-worker figures of VERBOSE show that skew.)
//!
//! **Self time** is the inclusive time less the inclusive time of what the node ran itself:
//! its plan children (outer, inner, members, subquery) and its SubPlans (a SubPlan hangs under
//! the node whose expression calls it, once per row). Two kinds of subplan are different:
//!
//! - **CTEs** (`CTE name`, shown under the node they are attached to) run when a CTE Scan pulls
//!   rows from them, so their time is already inside the CTE Scans' inclusive time, not the
//!   attaching node's. A CTE's time is taken off the CTE Scans of that name below the
//!   attaching node, the slowest scan first, each scan giving up at most its own inclusive time
//!   (with one scan: `self(scan) = inclusive(scan) − inclusive(CTE)`, floored at 0). It is
//!   counted once, under the CTE.
//! - **InitPlans** run once, lazily, when a node first evaluates the parameter they return, so
//!   their time is inside that node's inclusive time. It is taken off the node that references
//!   the InitPlan's output (`$0` up to 16, `(InitPlan 1).col1` from 17; a `One-Time Filter`
//!   is evaluated first, else the first reference in execution order: outer before inner,
//!   child before parent), or off a Gather between them (the leader evaluates parameters
//!   before starting workers); with no visible reference, off the node it is attached to.
//!
//! Rounding (EXPLAIN prints times to the microsecond, rows before 18 as integers) can make a
//! difference slightly negative: self time is floored at 0. The statement's total is the
//! reported Execution Time (else the root's inclusive time); each node's share is its self
//! time over that total.
//!
//! Without ANALYZE there are no times: self **cost** (total cost less the children's total
//! cost) takes their place, and the heaviest path follows it.
//!
//! # Nodes that stop early, and the misestimate factor
//!
//! The misestimate factor compares actual rows per loop with the planner's `rows`, and the
//! planner's `rows` is always for a run to the end. A node whose consumer stops asking for
//! rows never gets there, so fewer actual rows than estimated says nothing about the
//! statistics. A node **stops early** when:
//!
//! - its parent is a **Limit** (a top-N Sort, a scan under `LIMIT`, the index scan under a
//!   `max()`/`min()` InitPlan: `Limit → Index Only Scan Backward`);
//! - it is the **inner side of a Semi or Anti join** (Nested Loop, Merge Join): each loop stops
//!   at the first match;
//! - it is **either side of a Merge Join**: when one side ends the other is not read further;
//! - it is the root of a **SubPlan, InitPlan or CTE** that is not hashed: EXISTS, `= ANY` and
//!   scalar subqueries stop once they have their answer, and a CTE runs only as far as its
//!   scans read it (a `hashed SubPlan` reads everything into its hash table);
//! - its parent stops early and passes rows through as they come (everything but the
//!   **blocking** nodes: Sort, Hash, an Aggregate or SetOp of strategy Plain, Hashed or
//!   Mixed, which read their whole input before returning a first row). A Hash never stops
//!   early itself: its rows are the rows it read.
//!
//! On such a node only an **under**estimate (more rows than estimated, even though it
//! stopped) is flagged; an overestimate is shown but not warned about (`warnings.rs`).

use crate::plan::{NodeId, Plan, Warning};

/// Derived figures of one node.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metrics {
    /// Processes that ran the node at once (1 outside a parallel section).
    pub processes: f64,
    /// Elapsed time in the node and everything it ran, in ms (ANALYZE with timing only).
    pub inclusive_ms: Option<f64>,
    /// Elapsed time in the node alone, in ms.
    pub self_ms: Option<f64>,
    /// `self_ms` over the statement's total time (0..=1).
    pub self_share: Option<f64>,
    /// Self time summed over the node's subtree (what the subtree is responsible for).
    pub subtree_ms: Option<f64>,
    /// The planner's cost of the node alone: total cost less its children's.
    pub self_cost: Option<f64>,
    pub misestimate: Option<Misestimate>,
    /// The node's consumer may stop asking for rows before the end (see the module header):
    /// fewer rows than estimated is expected.
    pub stops_early: bool,
    /// On the path from the root to where most of the time (or cost) went.
    pub heaviest: bool,
    pub warnings: Vec<Warning>,
}

/// How far the planner's row estimate was from what ran.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Misestimate {
    /// max(actual, estimate) / max(min(actual, estimate), 1): 1 is exact.
    pub factor: f64,
    /// More rows came than the planner expected.
    pub under: bool,
}

/// `actual` and `estimated` rows per loop as a misestimate.
#[must_use]
pub fn misestimate(actual: f64, estimated: f64) -> Misestimate {
    let hi = actual.max(estimated);
    let lo = actual.min(estimated).max(1.0);
    Misestimate {
        factor: (hi / lo).max(1.0),
        under: actual > estimated,
    }
}

/// Fills every node's `metrics`.
pub(crate) fn compute(plan: &mut Plan) {
    processes(plan);
    inclusive(plan);
    self_times(plan);
    self_costs(plan);
    for node in &mut plan.nodes {
        node.metrics.misestimate = match (node.actual, node.est.rows) {
            (Some(a), Some(est)) if a.loops > 0.0 => Some(misestimate(a.rows, est)),
            _ => None,
        };
    }
    stops_early(plan);
    subtree_sums(plan);
    heaviest_path(plan);
}

/// Which nodes stop early (see the module header). Nodes are in pre-order: a parent's flag is
/// set before its children's.
fn stops_early(plan: &mut Plan) {
    for id in 0..plan.nodes.len() {
        let node = &plan.nodes[id];
        let stops = match node.parent {
            _ if node.kind == "Hash" => false,
            None => false,
            Some(parent) => {
                let parent = &plan.nodes[parent];
                let relationship = node.relationship();
                let subplan = matches!(relationship, Some("InitPlan" | "SubPlan"));
                let join = parent.props.text("Join Type");
                parent.kind == "Limit"
                    || (relationship == Some("Inner") && matches!(join, Some("Semi" | "Anti")))
                    || parent.kind == "Merge Join"
                    || (subplan && !node.subplan_name().is_some_and(|n| n.starts_with("hashed")))
                    || (!subplan && parent.metrics.stops_early && !is_blocking(parent))
            }
        };
        plan.nodes[id].metrics.stops_early = stops;
    }
}

/// A node that reads its whole input before returning its first row.
fn is_blocking(node: &crate::plan::Node) -> bool {
    let strategy = node.props.text("Strategy");
    match node.kind.as_str() {
        "Sort" | "Hash" => true,
        "Aggregate" | "SetOp" => matches!(strategy, Some("Plain" | "Hashed" | "Mixed")),
        _ => false,
    }
}

fn is_gather(kind: &str) -> bool {
    kind == "Gather" || kind == "Gather Merge"
}

/// A child that runs as part of its parent's rows (not an InitPlan or a CTE).
fn is_subplan(plan: &Plan, id: NodeId) -> bool {
    matches!(plan.nodes[id].relationship(), Some("InitPlan" | "SubPlan"))
}

/// P for every node under a Gather (see the module header).
fn processes(plan: &mut Plan) {
    for node in &mut plan.nodes {
        node.metrics.processes = 1.0;
    }
    for g in 0..plan.nodes.len() {
        if !is_gather(&plan.nodes[g].kind) {
            continue;
        }
        let gather = &plan.nodes[g];
        let child = gather
            .children
            .iter()
            .copied()
            .find(|c| !is_subplan(plan, *c));
        let by_loops = match (gather.actual, child.and_then(|c| plan.nodes[c].actual)) {
            (Some(g), Some(c)) if g.loops > 0.0 && c.loops > 0.0 => {
                Some((c.loops / g.loops).round())
            }
            _ => None,
        };
        let p = by_loops
            .or_else(|| gather.props.num("Workers Launched").map(|w| w + 1.0))
            .unwrap_or(1.0)
            .max(1.0);
        for child in gather.children.clone() {
            for n in plan.subtree(child) {
                plan.nodes[n].metrics.processes = p;
            }
        }
    }
}

fn inclusive(plan: &mut Plan) {
    for node in &mut plan.nodes {
        node.metrics.inclusive_ms = node
            .actual
            .and_then(|a| a.total_ms.map(|t| t * a.loops / node.metrics.processes));
    }
}

fn self_times(plan: &mut Plan) {
    if plan.root().metrics.inclusive_ms.is_none() {
        return;
    }
    let incl = |plan: &Plan, id: NodeId| plan.nodes[id].metrics.inclusive_ms.unwrap_or(0.0);
    let mut deduct = vec![0.0_f64; plan.nodes.len()];
    for id in 0..plan.nodes.len() {
        for &child in &plan.nodes[id].children {
            let node = &plan.nodes[child];
            match (node.relationship(), node.subplan_name()) {
                (Some("InitPlan"), Some(name)) if name.starts_with("CTE ") => {
                    let cte = &name[4..];
                    let mut left = incl(plan, child);
                    let mut scans: Vec<NodeId> = plan
                        .subtree(id)
                        .into_iter()
                        .filter(|n| {
                            plan.nodes[*n].kind == "CTE Scan"
                                && plan.nodes[*n].props.text("CTE Name") == Some(cte)
                        })
                        .collect();
                    if scans.is_empty() {
                        deduct[id] += left;
                        continue;
                    }
                    scans.sort_by(|a, b| incl(plan, *b).total_cmp(&incl(plan, *a)));
                    for scan in scans {
                        let take = left.min(incl(plan, scan));
                        deduct[scan] += take;
                        left -= take;
                    }
                }
                (Some("InitPlan"), name) => {
                    let at = initplan_evaluator(plan, id, child, name);
                    deduct[at] += incl(plan, child);
                }
                _ => deduct[id] += incl(plan, child),
            }
        }
    }
    let total = plan.total_ms();
    for (id, node) in plan.nodes.iter_mut().enumerate() {
        let own = node.metrics.inclusive_ms.map(|t| (t - deduct[id]).max(0.0));
        node.metrics.self_ms = own;
        node.metrics.self_share = match (own, total) {
            (Some(s), Some(t)) => Some((s / t).clamp(0.0, 1.0)),
            _ => None,
        };
    }
}

/// The node whose inclusive time holds the InitPlan `child` attached to `owner`.
fn initplan_evaluator(plan: &Plan, owner: NodeId, child: NodeId, name: Option<&str>) -> NodeId {
    let refs = initplan_refs(name);
    if refs.is_empty() {
        return owner;
    }
    let skip: Vec<NodeId> = plan.subtree(child);
    let mentions = |n: NodeId, only: Option<&str>| {
        plan.nodes[n].props.0.iter().any(|(k, v)| {
            only.is_none_or(|o| k.as_ref() == o) && refs.iter().any(|r| mentions_ref(v, r))
        })
    };
    let candidates: Vec<NodeId> = plan
        .subtree(owner)
        .into_iter()
        .filter(|n| !skip.contains(n) && mentions(*n, None))
        .collect();
    if let Some(first) = candidates
        .iter()
        .find(|n| mentions(**n, Some("One-Time Filter")))
    {
        return *first;
    }
    let Some(mut at) = candidates.first().copied() else {
        return owner;
    };
    // A reference deeper down the same branch is evaluated first.
    while let Some(deeper) = candidates
        .iter()
        .copied()
        .find(|c| *c != at && is_ancestor(plan, at, *c))
    {
        at = deeper;
    }
    let mut up = at;
    let mut gather = None;
    while up != owner {
        if is_gather(&plan.nodes[up].kind) {
            gather = Some(up);
        }
        match plan.nodes[up].parent {
            Some(p) => up = p,
            None => break,
        }
    }
    gather.unwrap_or(at)
}

fn is_ancestor(plan: &Plan, ancestor: NodeId, mut node: NodeId) -> bool {
    while let Some(p) = plan.nodes[node].parent {
        if p == ancestor {
            return true;
        }
        node = p;
    }
    false
}

/// How expressions refer to an InitPlan's output: `$0` (`InitPlan 1 (returns $0,$1)`, up to
/// 16) or `(InitPlan 1).` (17+, where the label is just `InitPlan 1`).
fn initplan_refs(name: Option<&str>) -> Vec<String> {
    let Some(name) = name else { return Vec::new() };
    if let Some((_, returns)) = name.split_once("(returns ") {
        return returns
            .trim_end_matches(')')
            .split(',')
            .map(|p| p.trim().to_owned())
            .filter(|p| p.starts_with('$'))
            .collect();
    }
    vec![format!("({name}).")]
}

/// True when a property value mentions `reference` (`$1` does not match `$10`).
fn mentions_ref(value: &serde_json::Value, reference: &str) -> bool {
    match value {
        serde_json::Value::String(s) => s.match_indices(reference).any(|(at, _)| {
            !reference.starts_with('$')
                || !s[at + reference.len()..].starts_with(|c: char| c.is_ascii_digit())
        }),
        serde_json::Value::Array(items) => items.iter().any(|v| mentions_ref(v, reference)),
        _ => false,
    }
}

fn self_costs(plan: &mut Plan) {
    for id in 0..plan.nodes.len() {
        let node = &plan.nodes[id];
        let children: f64 = node
            .children
            .iter()
            .filter_map(|c| plan.nodes[*c].est.total_cost)
            .sum();
        let own = node.est.total_cost.map(|t| (t - children).max(0.0));
        plan.nodes[id].metrics.self_cost = own;
    }
}

/// The figure the heaviest path and the flat view rank by: self time, else self cost.
#[must_use]
pub fn weight(plan: &Plan, id: NodeId) -> f64 {
    let m = &plan.nodes[id].metrics;
    m.self_ms.or(m.self_cost).unwrap_or(0.0)
}

fn subtree_sums(plan: &mut Plan) {
    if plan.root().metrics.self_ms.is_none() {
        return;
    }
    let mut sums = vec![0.0_f64; plan.nodes.len()];
    for id in (0..plan.nodes.len()).rev() {
        sums[id] += plan.nodes[id].metrics.self_ms.unwrap_or(0.0);
        if let Some(parent) = plan.nodes[id].parent {
            sums[parent] += sums[id];
        }
    }
    for (node, sum) in plan.nodes.iter_mut().zip(sums) {
        node.metrics.subtree_ms = Some(sum);
    }
}

/// From the root, into the child whose subtree holds the most self time (or self cost).
fn heaviest_path(plan: &mut Plan) {
    let mut sums = vec![0.0_f64; plan.nodes.len()];
    for id in (0..plan.nodes.len()).rev() {
        sums[id] += weight(plan, id);
        if let Some(parent) = plan.nodes[id].parent {
            sums[parent] += sums[id];
        }
    }
    let mut at = 0;
    loop {
        plan.nodes[at].metrics.heaviest = true;
        let next = plan.nodes[at]
            .children
            .iter()
            .copied()
            .max_by(|a, b| sums[*a].total_cmp(&sums[*b]));
        match next {
            Some(child) if sums[child] > 0.0 => at = child,
            _ => break,
        }
    }
}

/// Who ran part of a parallel node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Process {
    Leader,
    Worker(u32),
}

/// One process's share of a node.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Share {
    pub process: Process,
    pub rows: f64,
    pub loops: f64,
    /// Time over all its loops, in ms.
    pub total_ms: Option<f64>,
}

/// The per-process shares of a node with per-worker figures (EXPLAIN ANALYZE, VERBOSE): each
/// worker's, and the leader's as what is left of the node's totals (when anything is).
#[must_use]
pub fn shares(plan: &Plan, id: NodeId) -> Vec<Share> {
    let node = &plan.nodes[id];
    let Some(actual) = node.actual else {
        return Vec::new();
    };
    let mut out: Vec<Share> = node
        .workers
        .iter()
        .filter_map(|w| {
            let a = w.actual?;
            Some(Share {
                process: Process::Worker(w.number),
                rows: a.rows * a.loops,
                loops: a.loops,
                total_ms: a.total_ms.map(|t| t * a.loops),
            })
        })
        .collect();
    if out.is_empty() {
        return out;
    }
    let loops = actual.loops - out.iter().map(|s| s.loops).sum::<f64>();
    if loops >= 0.5 {
        let rows = actual.rows * actual.loops - out.iter().map(|s| s.rows).sum::<f64>();
        let total_ms = actual
            .total_ms
            .map(|t| t * actual.loops - out.iter().filter_map(|s| s.total_ms).sum::<f64>());
        out.insert(
            0,
            Share {
                process: Process::Leader,
                rows: rows.max(0.0).round(),
                loops: loops.round(),
                total_ms: total_ms.map(|t| t.max(0.0)),
            },
        );
    }
    out
}

/// The most rows a process handled over the fewest (1 is even), for nodes with per-worker
/// figures.
#[must_use]
pub fn skew(shares: &[Share]) -> Option<f64> {
    if shares.len() < 2 {
        return None;
    }
    let max = shares.iter().map(|s| s.rows).fold(0.0, f64::max);
    let min = shares.iter().map(|s| s.rows).fold(f64::INFINITY, f64::min);
    Some(max / min.max(1.0))
}
