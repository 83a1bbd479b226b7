//! EXPLAIN plans: one tree model for the JSON and the TEXT format, and the analysis of it.
//!
//! Pure code: no I/O, no async, no terminal. `Plan::parse` takes what a DBA saved (JSON with
//! or without the surrounding array, psql's aligned or unaligned output with its `QUERY PLAN`
//! header, or the default TEXT format) and builds the same tree from either format: every
//! property is kept under the name EXPLAIN (FORMAT JSON) gives it, and the figures the
//! analysis needs are read once into typed fields. `metrics` computes self time, misestimates
//! and the heaviest path, `warnings` what deserves a look, `layout` the rows a viewer shows,
//! `compare` what changed between two plans of one statement.

pub mod compare;
mod json;
pub mod layout;
pub mod metrics;
mod source;
mod text;
mod text_props;
pub mod warnings;

use serde_json::Value;

pub use metrics::Metrics;
pub use warnings::Warning;

/// Index of a node in `Plan::nodes` (pre-order: the root is 0, a parent comes before its
/// children).
pub type NodeId = usize;

/// A plan that could not be read, with the place in the input where reading stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct PlanError {
    /// 1-based line of the input.
    pub line: usize,
    /// 1-based column (in characters) of that line.
    pub column: usize,
    pub message: String,
}

impl PlanError {
    pub(crate) fn at(line: usize, column: usize, message: impl Into<String>) -> Self {
        Self {
            line,
            column,
            message: message.into(),
        }
    }
}

/// The format a plan was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Text,
}

/// Named properties in the order EXPLAIN printed them, keyed as FORMAT JSON names them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Props(pub Vec<(String, Value)>);

impl Props {
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// A numeric property (numbers written as strings count too).
    #[must_use]
    pub fn num(&self, key: &str) -> Option<f64> {
        match self.get(key)? {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    #[must_use]
    pub fn text(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }

    #[must_use]
    pub fn flag(&self, key: &str) -> bool {
        matches!(self.get(key), Some(Value::Bool(true)))
    }

    /// Sets `key`, replacing an earlier value.
    pub fn set(&mut self, key: &str, value: Value) {
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => *v = value,
            None => self.0.push((key.to_owned(), value)),
        }
    }
}

/// The planner's estimates for one execution of a node.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Estimates {
    pub startup_cost: Option<f64>,
    pub total_cost: Option<f64>,
    pub rows: Option<f64>,
    pub width: Option<f64>,
}

/// What EXPLAIN ANALYZE measured. Times and rows are averages per loop, as EXPLAIN prints
/// them; `loops` is the number of executions (summed over the processes of a parallel plan).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Actual {
    /// Absent with TIMING OFF.
    pub startup_ms: Option<f64>,
    pub total_ms: Option<f64>,
    pub rows: f64,
    pub loops: f64,
}

/// Block counts of a node (all zero when BUFFERS was not asked for).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Buffers {
    pub shared_hit: u64,
    pub shared_read: u64,
    pub shared_dirtied: u64,
    pub shared_written: u64,
    pub local_hit: u64,
    pub local_read: u64,
    pub local_dirtied: u64,
    pub local_written: u64,
    pub temp_read: u64,
    pub temp_written: u64,
}

impl Buffers {
    fn from_props(props: &Props) -> Self {
        let n = |key| props.num(key).map_or(0, |v| v.max(0.0) as u64);
        Self {
            shared_hit: n("Shared Hit Blocks"),
            shared_read: n("Shared Read Blocks"),
            shared_dirtied: n("Shared Dirtied Blocks"),
            shared_written: n("Shared Written Blocks"),
            local_hit: n("Local Hit Blocks"),
            local_read: n("Local Read Blocks"),
            local_dirtied: n("Local Dirtied Blocks"),
            local_written: n("Local Written Blocks"),
            temp_read: n("Temp Read Blocks"),
            temp_written: n("Temp Written Blocks"),
        }
    }

    #[must_use]
    pub fn is_zero(&self) -> bool {
        *self == Self::default()
    }
}

/// Time spent in I/O (track_io_timing on), in milliseconds.
#[must_use]
pub fn io_ms(props: &Props) -> f64 {
    [
        "I/O Read Time",
        "I/O Write Time",
        "Shared I/O Read Time",
        "Shared I/O Write Time",
        "Local I/O Read Time",
        "Local I/O Write Time",
        "Temp I/O Read Time",
        "Temp I/O Write Time",
    ]
    .iter()
    .filter_map(|k| props.num(k))
    .sum()
}

/// One parallel worker's share of a node (EXPLAIN ANALYZE, VERBOSE).
#[derive(Debug, Clone, PartialEq)]
pub struct Worker {
    pub number: u32,
    pub actual: Option<Actual>,
    pub buffers: Buffers,
    pub props: Props,
}

/// One plan node.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// "Node Type" as FORMAT JSON names it ("Hash Join", "Aggregate", "ModifyTable").
    pub kind: String,
    /// Every property but the child plans, in EXPLAIN's order.
    pub props: Props,
    pub parent: Option<NodeId>,
    pub children: Vec<NodeId>,
    /// 0 for the root.
    pub depth: usize,
    pub est: Estimates,
    /// Absent without ANALYZE.
    pub actual: Option<Actual>,
    pub buffers: Buffers,
    pub workers: Vec<Worker>,
    /// Derived figures (see `metrics`).
    pub metrics: Metrics,
}

impl Node {
    fn new(props: Props, parent: Option<NodeId>, depth: usize) -> Self {
        let kind = props.text("Node Type").unwrap_or("?").to_owned();
        let est = Estimates {
            startup_cost: props.num("Startup Cost"),
            total_cost: props.num("Total Cost"),
            rows: props.num("Plan Rows"),
            width: props.num("Plan Width"),
        };
        let actual = actual_of(&props);
        let buffers = Buffers::from_props(&props);
        let workers = workers_of(&props);
        Self {
            kind,
            props,
            parent,
            children: Vec::new(),
            depth,
            est,
            actual,
            buffers,
            workers,
            metrics: Metrics::default(),
        }
    }

    /// The node as EXPLAIN's TEXT format names it: "Parallel Seq Scan", "Hash Left Join",
    /// "HashAggregate", "Update".
    #[must_use]
    pub fn title(&self) -> String {
        let p = &self.props;
        let mut out = String::new();
        if p.flag("Parallel Aware") {
            out.push_str("Parallel ");
        }
        if p.flag("Async Capable") {
            out.push_str("Async ");
        }
        match self.kind.as_str() {
            "Aggregate" => {
                match p.text("Partial Mode") {
                    Some("Partial") => out.push_str("Partial "),
                    Some("Finalize") => out.push_str("Finalize "),
                    _ => {}
                }
                out.push_str(match p.text("Strategy") {
                    Some("Sorted") => "GroupAggregate",
                    Some("Hashed") => "HashAggregate",
                    Some("Mixed") => "MixedAggregate",
                    _ => "Aggregate",
                });
            }
            "SetOp" => {
                out.push_str(if p.text("Strategy") == Some("Hashed") {
                    "HashSetOp"
                } else {
                    "SetOp"
                });
                if let Some(command) = p.text("Command") {
                    out.push(' ');
                    out.push_str(command);
                }
            }
            "Nested Loop" | "Hash Join" | "Merge Join" => {
                let join = p.text("Join Type").unwrap_or("Inner");
                let base = self.kind.trim_end_matches(" Join");
                out.push_str(base);
                if join != "Inner" {
                    out.push(' ');
                    out.push_str(join);
                    out.push_str(" Join");
                } else if self.kind != "Nested Loop" {
                    out.push_str(" Join");
                }
            }
            "ModifyTable" => out.push_str(p.text("Operation").unwrap_or("ModifyTable")),
            "Foreign Scan" => match p.text("Operation") {
                Some(op) if op != "Select" => {
                    out.push_str("Foreign ");
                    out.push_str(op);
                }
                _ => out.push_str("Foreign Scan"),
            },
            "Custom Scan" => {
                out.push_str("Custom Scan");
                if let Some(provider) = p.text("Custom Plan Provider") {
                    out.push_str(" (");
                    out.push_str(provider);
                    out.push(')');
                }
            }
            other => out.push_str(other),
        }
        out
    }

    /// What the node reads: "orders o", "using orders_pkey on orders", "top t" (CTE),
    /// "generate_series g"; empty when it reads from its children only.
    #[must_use]
    pub fn target(&self) -> String {
        let p = &self.props;
        let object = p
            .text("Relation Name")
            .or_else(|| p.text("CTE Name"))
            .or_else(|| p.text("Function Name"))
            .or_else(|| p.text("Tuplestore Name"))
            .or_else(|| p.text("Table Function Name"));
        let mut out = String::new();
        if p.text("Scan Direction") == Some("Backward") {
            out.push_str("Backward ");
        }
        if let Some(index) = p.text("Index Name") {
            if self.kind == "Bitmap Index Scan" {
                return index.to_owned();
            }
            out.push_str("using ");
            out.push_str(index);
            if object.is_some() || p.text("Alias").is_some() {
                out.push_str(" on ");
            }
        }
        if let Some(object) = object {
            if let Some(schema) = p.text("Schema") {
                out.push_str(schema);
                out.push('.');
            }
            out.push_str(object);
        }
        if let Some(alias) = p.text("Alias")
            && Some(alias) != object
        {
            if object.is_some() {
                out.push(' ');
            }
            out.push_str(alias);
        }
        out
    }

    /// The node as one line: "Index Scan using orders_pkey on orders o", "Hash Join".
    #[must_use]
    pub fn label(&self) -> String {
        let title = self.title();
        let target = self.target();
        if target.is_empty() {
            title
        } else if target.starts_with("using ") || target.starts_with("Backward ") {
            format!("{title} {target}")
        } else {
            format!("{title} on {target}")
        }
    }

    /// "InitPlan 1 (returns $0)", "SubPlan 2", "CTE top" for subplans; None otherwise.
    #[must_use]
    pub fn subplan_name(&self) -> Option<&str> {
        self.props.text("Subplan Name")
    }

    /// "Outer", "Inner", "Member", "Subquery", "InitPlan", "SubPlan" (None for the root).
    #[must_use]
    pub fn relationship(&self) -> Option<&str> {
        self.props.text("Parent Relationship")
    }

    /// Rows over all loops (the per-loop average times the loops).
    #[must_use]
    pub fn total_rows(&self) -> Option<f64> {
        self.actual.map(|a| a.rows * a.loops)
    }

    /// True when EXPLAIN ANALYZE ran the plan but never this node.
    #[must_use]
    pub fn never_executed(&self) -> bool {
        self.actual.is_some_and(|a| a.loops == 0.0)
    }
}

fn actual_of(props: &Props) -> Option<Actual> {
    let loops = props.num("Actual Loops")?;
    Some(Actual {
        startup_ms: props.num("Actual Startup Time"),
        total_ms: props.num("Actual Total Time"),
        rows: props.num("Actual Rows").unwrap_or(0.0),
        loops,
    })
}

fn workers_of(props: &Props) -> Vec<Worker> {
    let Some(Value::Array(list)) = props.get("Workers") else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|w| {
            let Value::Object(map) = w else { return None };
            let props = Props(map.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
            Some(Worker {
                number: props.num("Worker Number").map_or(0, |n| n as u32),
                actual: actual_of(&props),
                buffers: Buffers::from_props(&props),
                props,
            })
        })
        .collect()
}

/// A whole EXPLAIN output: the node tree and the statement-level figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Pre-order: `nodes[0]` is the root.
    pub nodes: Vec<Node>,
    /// Statement-level properties: "Planning Time", "Execution Time", "Planning" (buffers),
    /// "Triggers", "JIT", "Settings", "Query Identifier".
    pub top: Props,
    pub format: Format,
    /// Plans after the first in the same input (a rule can make one statement run several).
    pub more_plans: usize,
}

/// A node as a parser hands it over: its properties and its child plans.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawNode {
    pub props: Props,
    pub children: Vec<RawNode>,
}

impl Plan {
    /// Reads a plan in any of the forms a DBA may have saved (see the module header).
    pub fn parse(input: &str) -> Result<Plan, PlanError> {
        let source = source::Source::new(input);
        let (raw, top, format, more_plans) = if source.is_json() {
            let (raw, top, more) = json::parse(&source)?;
            (raw, top, Format::Json, more)
        } else {
            let (raw, top) = text::parse(&source)?;
            (raw, top, Format::Text, 0)
        };
        Ok(Plan::build(raw, top, format, more_plans))
    }

    pub(crate) fn build(root: RawNode, top: Props, format: Format, more_plans: usize) -> Plan {
        let mut nodes = Vec::new();
        // Iterative pre-order flattening: plans can be deep.
        let mut stack: Vec<(RawNode, Option<NodeId>, usize)> = vec![(root, None, 0)];
        while let Some((raw, parent, depth)) = stack.pop() {
            let id = nodes.len();
            nodes.push(Node::new(raw.props, parent, depth));
            if let Some(parent) = parent {
                let node: &mut Node = &mut nodes[parent];
                node.children.push(id);
            }
            for child in raw.children.into_iter().rev() {
                stack.push((child, Some(id), depth + 1));
            }
        }
        let mut plan = Plan {
            nodes,
            top,
            format,
            more_plans,
        };
        metrics::compute(&mut plan);
        warnings::compute(&mut plan);
        plan
    }

    #[must_use]
    pub fn root(&self) -> &Node {
        &self.nodes[0]
    }

    /// True when the plan carries EXPLAIN ANALYZE figures.
    #[must_use]
    pub fn analyzed(&self) -> bool {
        self.root().actual.is_some()
    }

    #[must_use]
    pub fn planning_ms(&self) -> Option<f64> {
        self.top.num("Planning Time")
    }

    #[must_use]
    pub fn execution_ms(&self) -> Option<f64> {
        self.top.num("Execution Time")
    }

    /// Buffers used while planning (EXPLAIN (ANALYZE, BUFFERS) on 13+).
    #[must_use]
    pub fn planning_buffers(&self) -> Option<Buffers> {
        match self.top.get("Planning") {
            Some(Value::Object(map)) => {
                let props = Props(map.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
                Some(Buffers::from_props(&props))
            }
            _ => None,
        }
    }

    /// The time the shares of the total are taken of: the execution time when EXPLAIN
    /// ANALYZE reported it, else the root's inclusive time.
    #[must_use]
    pub fn total_ms(&self) -> Option<f64> {
        self.execution_ms()
            .or(self.root().metrics.inclusive_ms)
            .filter(|t| *t > 0.0)
    }

    /// The children of `id`, in EXPLAIN's order.
    #[must_use]
    pub fn children(&self, id: NodeId) -> &[NodeId] {
        &self.nodes[id].children
    }

    /// `id` and everything below it, in pre-order.
    #[must_use]
    pub fn subtree(&self, id: NodeId) -> Vec<NodeId> {
        let mut out = Vec::new();
        let mut stack = vec![id];
        while let Some(n) = stack.pop() {
            out.push(n);
            stack.extend(self.nodes[n].children.iter().rev());
        }
        out
    }
}

#[cfg(test)]
mod tests;
