//! What the advisor reads from an EXPLAIN (FORMAT JSON) plan: its total cost, whether it uses
//! an index or reads a table whole, and a short text rendering for the evidence. Pure.

use std::fmt::Write as _;

use serde_json::Value;

/// The conditions shown under a node in the text rendering, as EXPLAIN's text format names
/// them.
const CONDITIONS: &[&str] = &[
    "Index Cond",
    "Recheck Cond",
    "Hash Cond",
    "Merge Cond",
    "Join Filter",
    "Filter",
    "Sort Key",
    "Group Key",
];

/// The root node of EXPLAIN's JSON (`[{"Plan": {…}}]`).
fn root(plan: &Value) -> Option<&Value> {
    plan.get(0).and_then(|p| p.get("Plan"))
}

/// The planner's total cost estimate of the whole statement.
#[must_use]
pub fn total_cost(plan: &Value) -> Option<f64> {
    root(plan)?.get("Total Cost")?.as_f64()
}

fn nodes<'a>(node: &'a Value, out: &mut Vec<&'a Value>) {
    out.push(node);
    if let Some(children) = node.get("Plans").and_then(Value::as_array) {
        for child in children {
            nodes(child, out);
        }
    }
}

fn all_nodes(plan: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    if let Some(root) = root(plan) {
        nodes(root, &mut out);
    }
    out
}

fn field<'a>(node: &'a Value, name: &str) -> Option<&'a str> {
    node.get(name).and_then(Value::as_str)
}

/// Whether any node scans the index named `index`.
#[must_use]
pub fn uses_index(plan: &Value, index: &str) -> bool {
    all_nodes(plan)
        .iter()
        .any(|n| field(n, "Index Name") == Some(index))
}

/// Whether the plan reads the table named `table` whole (a sequential scan).
#[must_use]
pub fn reads_whole(plan: &Value, table: &str) -> bool {
    all_nodes(plan).iter().any(|n| {
        field(n, "Node Type") == Some("Seq Scan") && field(n, "Relation Name") == Some(table)
    })
}

/// The plan as indented lines, like EXPLAIN's text format without the details.
#[must_use]
pub fn text(plan: &Value) -> String {
    let mut out = String::new();
    if let Some(root) = root(plan) {
        render(root, 0, &mut out);
    }
    out.trim_end().to_owned()
}

fn render(node: &Value, depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    let arrow = if depth == 0 { "" } else { "-> " };
    let mut line = field(node, "Node Type").unwrap_or("?").to_owned();
    if let Some(index) = field(node, "Index Name") {
        let _ = write!(line, " using {index}");
    }
    if let Some(rel) = field(node, "Relation Name") {
        let _ = write!(line, " on {rel}");
        if let Some(alias) = field(node, "Alias").filter(|a| *a != rel) {
            let _ = write!(line, " {alias}");
        }
    }
    let cost = |name: &str| node.get(name).and_then(Value::as_f64).unwrap_or(0.0);
    let rows = node.get("Plan Rows").and_then(Value::as_f64).unwrap_or(0.0);
    let _ = writeln!(
        out,
        "{pad}{arrow}{line}  (cost={:.2}..{:.2} rows={rows:.0})",
        cost("Startup Cost"),
        cost("Total Cost"),
    );
    for name in CONDITIONS {
        let value = match node.get(*name) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", "),
            _ => continue,
        };
        let _ = writeln!(out, "{pad}      {name}: {value}");
    }
    if let Some(children) = node.get("Plans").and_then(Value::as_array) {
        for child in children {
            render(child, depth + 1, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Value {
        serde_json::json!([{ "Plan": {
            "Node Type": "Limit", "Startup Cost": 0.29, "Total Cost": 8.31, "Plan Rows": 10.0,
            "Plans": [{
                "Node Type": "Index Scan", "Index Name": "<13541>btree_orders_customer_id",
                "Relation Name": "orders", "Alias": "o", "Startup Cost": 0.29,
                "Total Cost": 80.1, "Plan Rows": 98.0,
                "Index Cond": "(customer_id = $1)"
            }, {
                "Node Type": "Seq Scan", "Relation Name": "items", "Alias": "items",
                "Startup Cost": 0.0, "Total Cost": 1.0, "Plan Rows": 1.0,
                "Filter": "(sku = $2)"
            }]
        }}])
    }

    #[test]
    fn cost_index_use_and_whole_reads() {
        let plan = sample();
        assert_eq!(total_cost(&plan), Some(8.31));
        assert!(uses_index(&plan, "<13541>btree_orders_customer_id"));
        assert!(!uses_index(&plan, "orders_pkey"));
        assert!(reads_whole(&plan, "items"));
        assert!(!reads_whole(&plan, "orders"));
        assert_eq!(total_cost(&serde_json::json!({})), None);
    }

    #[test]
    fn text_rendering() {
        assert_eq!(
            text(&sample()),
            "Limit  (cost=0.29..8.31 rows=10)\n\
             \x20 -> Index Scan using <13541>btree_orders_customer_id on orders o  (cost=0.29..80.10 rows=98)\n\
             \x20       Index Cond: (customer_id = $1)\n\
             \x20 -> Seq Scan on items  (cost=0.00..1.00 rows=1)\n\
             \x20       Filter: (sku = $2)"
        );
    }
}
