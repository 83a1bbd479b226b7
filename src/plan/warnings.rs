//! What in a plan deserves a look, per node, each with the figures that triggered it and one
//! sentence of why.

use crate::plan::metrics::{self, Misestimate};
use crate::plan::{NodeId, Plan};

/// A seq scan this large that throws this much away by its filter is worth an index.
pub const SEQ_SCAN_ROWS: f64 = 10_000.0;
/// Share of the scanned rows a filter must remove to call it "most".
pub const SEQ_SCAN_REMOVED: f64 = 0.9;
/// Row estimates further off than this are flagged.
pub const MISESTIMATE: f64 = 10.0;
/// A nested loop running its inner side this often is flagged.
pub const MANY_LOOPS: f64 = 10_000.0;
/// Worker rows further apart than this are flagged.
pub const WORKER_SKEW: f64 = 2.0;

/// One finding on a node.
#[derive(Debug, Clone, PartialEq)]
pub enum Warning {
    /// A seq scan that reads many rows and keeps few.
    SeqScanFilter { scanned: f64, kept: f64 },
    /// A sort that did not fit in work_mem.
    SortSpill { kb: f64, method: String },
    /// A hash table built in several batches (spilled to temp files).
    HashBatches { batches: f64, planned: f64 },
    /// A hash aggregate that spilled to disk.
    HashAggSpill { batches: f64, kb: f64 },
    /// Rows per loop far from the planner's estimate.
    Misestimate {
        factor: f64,
        under: bool,
        actual: f64,
        estimated: f64,
    },
    /// A nested loop whose inner side ran very many times.
    ManyLoops { loops: f64 },
    /// Fewer parallel workers started than planned.
    WorkersShort { planned: f64, launched: f64 },
    /// Parallel processes handled very different numbers of rows.
    WorkerSkew { skew: f64 },
}

impl Warning {
    /// One line: what happened, with its figures, and what it usually means.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Warning::SeqScanFilter { scanned, kept } => format!(
                "seq scan read {} rows to keep {} ({:.0}% removed by the filter): an index may help",
                thousands(*scanned),
                thousands(*kept),
                100.0 * (1.0 - kept / scanned.max(1.0))
            ),
            Warning::SortSpill { kb, method } => format!(
                "sort spilled to disk ({method}, {} kB): more work_mem would keep it in memory",
                thousands(*kb)
            ),
            Warning::HashBatches { batches, planned } => format!(
                "hash built in {} batches (planned {}): it spilled to temp files; work_mem is too small",
                thousands(*batches),
                thousands(*planned)
            ),
            Warning::HashAggSpill { batches, kb } => format!(
                "hash aggregate spilled to disk ({} batches, {} kB): work_mem is too small",
                thousands(*batches),
                thousands(*kb)
            ),
            Warning::Misestimate {
                factor,
                under,
                actual,
                estimated,
            } => format!(
                "rows {} {factor:.1}x ({} actual vs {} estimated per loop): statistics may be stale or too coarse",
                if *under {
                    "underestimated"
                } else {
                    "overestimated"
                },
                thousands(*actual),
                thousands(*estimated)
            ),
            Warning::ManyLoops { loops } => format!(
                "nested loop ran its inner side {} times: a hash or merge join may do better",
                thousands(*loops)
            ),
            Warning::WorkersShort { planned, launched } => format!(
                "{} parallel workers planned, {} launched: max_parallel_workers was reached",
                thousands(*planned),
                thousands(*launched)
            ),
            Warning::WorkerSkew { skew } => {
                format!("parallel processes uneven: one handled {skew:.1}x the rows of another")
            }
        }
    }

    /// A short tag for narrow places ("spill", "misestimate").
    #[must_use]
    pub fn tag(&self) -> &'static str {
        match self {
            Warning::SeqScanFilter { .. } => "filter",
            Warning::SortSpill { .. } | Warning::HashAggSpill { .. } => "spill",
            Warning::HashBatches { .. } => "batches",
            Warning::Misestimate { .. } => "estimate",
            Warning::ManyLoops { .. } => "loops",
            Warning::WorkersShort { .. } => "workers",
            Warning::WorkerSkew { .. } => "skew",
        }
    }
}

/// `1234567.0` → `1,234,567` (fractions rounded; small fractions kept to two places).
#[must_use]
pub fn thousands(n: f64) -> String {
    if n.fract() != 0.0 && n.abs() < 100.0 {
        return format!("{n:.2}");
    }
    let digits = format!("{:.0}", n.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0.0 { format!("-{out}") } else { out }
}

/// Fills every node's warnings.
pub(crate) fn compute(plan: &mut Plan) {
    for id in 0..plan.nodes.len() {
        let found = node_warnings(plan, id);
        plan.nodes[id].metrics.warnings = found;
    }
}

fn node_warnings(plan: &Plan, id: NodeId) -> Vec<Warning> {
    let node = &plan.nodes[id];
    let p = &node.props;
    let mut out = Vec::new();
    if node.kind == "Seq Scan"
        && let Some(a) = node.actual
    {
        let kept = a.rows * a.loops;
        let removed = p.num("Rows Removed by Filter").unwrap_or(0.0) * a.loops;
        let scanned = kept + removed;
        if scanned >= SEQ_SCAN_ROWS && removed / scanned >= SEQ_SCAN_REMOVED {
            out.push(Warning::SeqScanFilter { scanned, kept });
        }
    }
    let spilled_sort = p.text("Sort Space Type") == Some("Disk")
        || p.text("Sort Method")
            .is_some_and(|m| m.starts_with("external"));
    if spilled_sort {
        out.push(Warning::SortSpill {
            kb: p.num("Sort Space Used").unwrap_or(0.0),
            method: p.text("Sort Method").unwrap_or("external").to_owned(),
        });
    }
    if let Some(batches) = p.num("Hash Batches").filter(|b| *b > 1.0) {
        out.push(Warning::HashBatches {
            batches,
            planned: p.num("Original Hash Batches").unwrap_or(batches),
        });
    }
    let agg_disk = p.num("Disk Usage").unwrap_or(0.0);
    let agg_batches = p.num("HashAgg Batches").unwrap_or(0.0);
    if agg_disk > 0.0 || agg_batches > 1.0 {
        out.push(Warning::HashAggSpill {
            batches: agg_batches,
            kb: agg_disk,
        });
    }
    // A node that stops early (metrics.rs) is expected to return fewer rows than estimated.
    if let (Some(Misestimate { factor, under }), Some(a), Some(est)) =
        (node.metrics.misestimate, node.actual, node.est.rows)
        && factor > MISESTIMATE
        && (under || !node.metrics.stops_early)
    {
        out.push(Warning::Misestimate {
            factor,
            under,
            actual: a.rows,
            estimated: est,
        });
    }
    if node.kind == "Nested Loop"
        && let Some(inner) = node
            .children
            .iter()
            .filter(|c| plan.nodes[**c].relationship() == Some("Inner"))
            .find_map(|c| plan.nodes[*c].actual)
        && inner.loops >= MANY_LOOPS
    {
        out.push(Warning::ManyLoops { loops: inner.loops });
    }
    if let (Some(planned), Some(launched)) = (p.num("Workers Planned"), p.num("Workers Launched"))
        && launched < planned
    {
        out.push(Warning::WorkersShort { planned, launched });
    }
    if let Some(skew) = metrics::skew(&metrics::shares(plan, id)).filter(|s| *s >= WORKER_SKEW) {
        out.push(Warning::WorkerSkew { skew });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(1_234_567.0), "1,234,567");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(0.5), "0.50");
        assert_eq!(thousands(-1000.0), "-1,000");
    }
}
