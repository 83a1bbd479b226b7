//! Plans as evidence: EXPLAIN (FORMAT JSON) boiled down to its cost, the indexes it uses and a
//! few readable lines; "what if I drop it?" (statements re-planned with the index hidden) and
//! the follow-up of a created index (re-planned, then timed over the next interval).

use std::fmt::Write as _;

use serde_json::Value;

/// A plan worse by more than this factor counts as worse (costs wobble a little).
pub const WORSE_FACTOR: f64 = 1.1;

/// One plan, as much of it as a verdict needs.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanSummary {
    pub total_cost: f64,
    /// Every index the plan scans.
    pub indexes: Vec<String>,
    /// One line per node, indented by depth.
    pub lines: Vec<String>,
}

impl PlanSummary {
    #[must_use]
    pub fn uses(&self, index: &str) -> bool {
        self.indexes.iter().any(|i| i == index)
    }
}

/// Summarises EXPLAIN (FORMAT JSON) output (`[{"Plan": …}]`).
#[must_use]
pub fn summarize(explain: &Value) -> Option<PlanSummary> {
    let root = explain.get(0)?.get("Plan")?;
    let mut summary = PlanSummary {
        total_cost: root.get("Total Cost")?.as_f64()?,
        indexes: Vec::new(),
        lines: Vec::new(),
    };
    walk(root, 0, &mut summary);
    Some(summary)
}

fn walk(node: &Value, depth: usize, out: &mut PlanSummary) {
    let text = |key: &str| node.get(key).and_then(Value::as_str);
    let mut line = format!("{}{}", "  ".repeat(depth), text("Node Type").unwrap_or("?"));
    if let Some(index) = text("Index Name") {
        out.indexes.push(index.to_owned());
        let _ = write!(line, " using {index}");
    }
    if let Some(relation) = text("Relation Name") {
        let _ = write!(line, " on {relation}");
    }
    let cost = node
        .get("Total Cost")
        .and_then(Value::as_f64)
        .unwrap_or(0.0);
    let rows = node.get("Plan Rows").and_then(Value::as_f64).unwrap_or(0.0);
    let _ = write!(line, "  (cost {cost:.2}, rows {rows:.0})");
    out.lines.push(line);
    for child in node
        .get("Plans")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        walk(child, depth + 1, out);
    }
}

/// A statement from pg_stat_statements with its figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub queryid: i64,
    pub query: String,
    pub calls: i64,
    pub total_ms: f64,
    pub mean_ms: f64,
}

/// A statement planned with the index and, where HypoPG can hide it, without.
#[derive(Debug, Clone, PartialEq)]
pub struct Replanned {
    pub statement: Statement,
    pub with_index: Result<PlanSummary, String>,
    /// `None` when the index could not be hidden (see [`DropCheck::hiding`]).
    pub without_index: Option<Result<PlanSummary, String>>,
}

impl Replanned {
    /// Its plan uses the index now.
    #[must_use]
    pub fn uses(&self, index: &str) -> bool {
        self.with_index.as_ref().is_ok_and(|p| p.uses(index))
    }

    /// Without the index the planner expects it to cost more than [`WORSE_FACTOR`] times as
    /// much; the factor when it does.
    #[must_use]
    pub fn worse_by(&self) -> Option<f64> {
        let (Ok(with), Some(Ok(without))) = (&self.with_index, &self.without_index) else {
            return None;
        };
        let factor = without.total_cost / with.total_cost.max(0.01);
        (factor > WORSE_FACTOR).then_some(factor)
    }
}

/// "What if I drop it?": the heaviest statements on the index's table, re-planned.
#[derive(Debug, Clone, PartialEq)]
pub struct DropCheck {
    pub index: String,
    pub table: String,
    /// `Ok` when HypoPG hid the index for the re-plans; otherwise what it takes to do so.
    pub hiding: Result<(), String>,
    pub statements: Vec<Replanned>,
    /// Why no statement could be looked at (no pg_stat_statements…), if so.
    pub no_statements: Option<String>,
}

impl DropCheck {
    /// The verdict in one line.
    #[must_use]
    pub fn verdict(&self) -> String {
        if let Some(why) = &self.no_statements {
            return why.clone();
        }
        if self.statements.is_empty() {
            return format!(
                "no statement in pg_stat_statements touches {}: nothing would plan differently",
                self.table
            );
        }
        let using = self
            .statements
            .iter()
            .filter(|s| s.uses(&self.index))
            .count();
        let n = self.statements.len();
        match &self.hiding {
            Ok(()) => {
                let worse: Vec<&Replanned> = self
                    .statements
                    .iter()
                    .filter(|s| s.worse_by().is_some())
                    .collect();
                if worse.is_empty() {
                    format!(
                        "with {} hidden, none of the {n} heaviest statements on {} plans worse",
                        self.index, self.table
                    )
                } else {
                    format!(
                        "with {} hidden, {} of the {n} heaviest statements on {} plan worse",
                        self.index,
                        worse.len(),
                        self.table
                    )
                }
            }
            Err(need) => format!(
                "{using} of the {n} heaviest statements on {} use {} in their plan now; {need}",
                self.table, self.index
            ),
        }
    }
}

/// Whether "what if I drop it?" can hide the index from the planner: HypoPG's
/// hypopg_hide_index (1.4+), created in this database; otherwise what it takes, in words.
/// pgmedic never emulates hiding by dropping or invalidating a real index.
pub fn hiding_support(
    installed: Option<&str>,
    can_hide: bool,
    available: Option<&str>,
) -> Result<(), String> {
    let hides = |v: &str| crate::server::extension_version_num(v).is_some_and(|n| n >= 104);
    match (installed, available) {
        (Some(_), _) if can_hide => Ok(()),
        (Some(v), _) => Err(format!(
            "HypoPG {v} cannot hide an index: hypopg_hide_index needs HypoPG 1.4 or newer \
             (install it on the server, then ALTER EXTENSION hypopg UPDATE)"
        )),
        (None, Some(v)) if hides(v) => Err(format!(
            "HypoPG {v} is on the server but not created in this database: CREATE EXTENSION \
             hypopg lets pgmedic re-plan with the index hidden"
        )),
        (None, Some(v)) => Err(format!(
            "HypoPG {v} is on the server but cannot hide an index: hypopg_hide_index needs \
             HypoPG 1.4 or newer"
        )),
        (None, None) => Err(
            "HypoPG is not installed on the server: with HypoPG 1.4 or newer (CREATE EXTENSION \
             hypopg) pgmedic re-plans the statements with the index hidden"
                .to_owned(),
        ),
    }
}

/// The follow-up of a created index: each statement it was for, re-planned, then timed.
#[derive(Debug, Clone, PartialEq)]
pub struct Followup {
    pub index: String,
    pub statements: Vec<Followed>,
    /// Seconds the mean times were measured over; `None` until the interval is over.
    pub measured_over: Option<f64>,
}

/// One statement after its index was created.
#[derive(Debug, Clone, PartialEq)]
pub struct Followed {
    pub queryid: i64,
    pub query: String,
    /// Mean time per call before (pg_stat_statements, since its reset).
    pub mean_before_ms: f64,
    pub cost_before: f64,
    pub plan_now: Result<PlanSummary, String>,
    /// Calls and mean time over the interval after the build.
    pub calls_after: Option<i64>,
    pub mean_after_ms: Option<f64>,
}

/// Mean time per call between two samples of (calls, total ms); `None` without calls.
#[must_use]
pub fn mean_between(before: (i64, f64), after: (i64, f64)) -> Option<(i64, f64)> {
    let calls = after.0 - before.0;
    (calls > 0).then(|| (calls, (after.1 - before.1) / calls as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(cost: f64, index: Option<&str>) -> Value {
        let mut scan = serde_json::json!({
            "Node Type": if index.is_some() { "Index Scan" } else { "Seq Scan" },
            "Relation Name": "orders",
            "Total Cost": cost,
            "Plan Rows": 10.0,
        });
        if let Some(index) = index {
            scan["Index Name"] = index.into();
        }
        serde_json::json!([{ "Plan": {
            "Node Type": "Limit", "Total Cost": cost, "Plan Rows": 10.0, "Plans": [scan]
        }}])
    }

    fn statement() -> Statement {
        Statement {
            queryid: 1,
            query: "SELECT * FROM orders WHERE user_id = $1".to_owned(),
            calls: 100,
            total_ms: 500.0,
            mean_ms: 5.0,
        }
    }

    #[test]
    fn plans_are_summarised_with_their_indexes() {
        let summary = summarize(&plan(8.3, Some("orders_user_id_idx"))).unwrap();
        assert!((summary.total_cost - 8.3).abs() < 1e-9);
        assert!(summary.uses("orders_user_id_idx"));
        assert_eq!(
            summary.lines,
            vec![
                "Limit  (cost 8.30, rows 10)",
                "  Index Scan using orders_user_id_idx on orders  (cost 8.30, rows 10)"
            ]
        );
        assert!(summarize(&serde_json::json!({})).is_none());
    }

    #[test]
    fn hiding_an_index_shows_which_plans_get_worse() {
        let hurt = Replanned {
            statement: statement(),
            with_index: Ok(summarize(&plan(8.0, Some("i"))).unwrap()),
            without_index: Some(Ok(summarize(&plan(1800.0, None)).unwrap())),
        };
        assert_eq!(hurt.worse_by(), Some(225.0));
        let same = Replanned {
            without_index: Some(Ok(summarize(&plan(8.5, None)).unwrap())),
            ..hurt.clone()
        };
        assert_eq!(same.worse_by(), None, "within the wobble");
        let check = DropCheck {
            index: "i".to_owned(),
            table: "public.orders".to_owned(),
            hiding: Ok(()),
            statements: vec![hurt.clone(), same],
            no_statements: None,
        };
        assert_eq!(
            check.verdict(),
            "with i hidden, 1 of the 2 heaviest statements on public.orders plan worse"
        );
    }

    #[test]
    fn without_hypopg_the_verdict_says_what_is_needed_and_what_is_known() {
        let check = DropCheck {
            index: "i".to_owned(),
            table: "public.orders".to_owned(),
            hiding: Err("hiding needs HypoPG 1.4+".to_owned()),
            statements: vec![Replanned {
                statement: statement(),
                with_index: Ok(summarize(&plan(8.0, Some("i"))).unwrap()),
                without_index: None,
            }],
            no_statements: None,
        };
        assert_eq!(
            check.verdict(),
            "1 of the 1 heaviest statements on public.orders use i in their plan now; hiding \
             needs HypoPG 1.4+"
        );
        assert_eq!(check.statements[0].worse_by(), None);
    }

    #[test]
    fn hiding_needs_hypopg_1_4_created_here() {
        assert_eq!(hiding_support(Some("1.4.1"), true, Some("1.4.1")), Ok(()));
        let old = hiding_support(Some("1.3.1"), false, Some("1.3.1")).unwrap_err();
        assert!(
            old.starts_with("HypoPG 1.3.1 cannot hide an index"),
            "{old}"
        );
        let not_created = hiding_support(None, false, Some("1.4.0")).unwrap_err();
        assert!(
            not_created.contains("CREATE EXTENSION hypopg"),
            "{not_created}"
        );
        let old_available = hiding_support(None, false, Some("1.3.1")).unwrap_err();
        assert!(old_available.contains("1.4 or newer"), "{old_available}");
        let none = hiding_support(None, false, None).unwrap_err();
        assert!(none.starts_with("HypoPG is not installed"), "{none}");
    }

    #[test]
    fn mean_times_come_from_the_calls_between_two_samples() {
        assert_eq!(mean_between((10, 100.0), (14, 108.0)), Some((4, 2.0)));
        assert_eq!(mean_between((10, 100.0), (10, 100.0)), None);
    }
}
