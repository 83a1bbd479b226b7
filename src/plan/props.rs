//! A plan node's properties as EXPLAIN (FORMAT JSON) names them, in the order it printed
//! them; the names EXPLAIN uses are shared rather than copied into every node.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::LazyLock;

use serde_json::Value;

/// A property's name: EXPLAIN's own names are shared, not copied into every node (a large
/// plan has hundreds of thousands of properties).
pub type Key = Cow<'static, str>;

/// Every property name EXPLAIN (FORMAT JSON) prints, from PostgreSQL 12 to 18.
const KNOWN_KEYS: &[&str] = &[
    "Node Type",
    "Parent Relationship",
    "Subplan Name",
    "Parallel Aware",
    "Async Capable",
    "Startup Cost",
    "Total Cost",
    "Plan Rows",
    "Plan Width",
    "Actual Startup Time",
    "Actual Total Time",
    "Actual Rows",
    "Actual Loops",
    "Disabled",
    "Disabled Nodes",
    "Output",
    "Relation Name",
    "Schema",
    "Alias",
    "Index Name",
    "Scan Direction",
    "CTE Name",
    "Function Name",
    "Table Function Name",
    "Tuplestore Name",
    "Join Type",
    "Strategy",
    "Partial Mode",
    "Operation",
    "Command",
    "Custom Plan Provider",
    "Inner Unique",
    "Filter",
    "Rows Removed by Filter",
    "Join Filter",
    "Rows Removed by Join Filter",
    "Index Cond",
    "Rows Removed by Index Recheck",
    "Recheck Cond",
    "Hash Cond",
    "Merge Cond",
    "One-Time Filter",
    "Order By",
    "TID Cond",
    "Heap Fetches",
    "Index Searches",
    "Exact Heap Blocks",
    "Lossy Heap Blocks",
    "Sort Key",
    "Presorted Key",
    "Group Key",
    "Grouping Sets",
    "Sort Method",
    "Sort Space Used",
    "Sort Space Type",
    "Hash Buckets",
    "Original Hash Buckets",
    "Hash Batches",
    "Original Hash Batches",
    "Peak Memory Usage",
    "HashAgg Batches",
    "Disk Usage",
    "Planned Partitions",
    "Cache Key",
    "Cache Mode",
    "Cache Hits",
    "Cache Misses",
    "Cache Evictions",
    "Cache Overflows",
    "Storage",
    "Maximum Storage",
    "Workers Planned",
    "Workers Launched",
    "Workers",
    "Worker Number",
    "Single Copy",
    "Shared Hit Blocks",
    "Shared Read Blocks",
    "Shared Dirtied Blocks",
    "Shared Written Blocks",
    "Local Hit Blocks",
    "Local Read Blocks",
    "Local Dirtied Blocks",
    "Local Written Blocks",
    "Temp Read Blocks",
    "Temp Written Blocks",
    "I/O Read Time",
    "I/O Write Time",
    "Shared I/O Read Time",
    "Shared I/O Write Time",
    "Local I/O Read Time",
    "Local I/O Write Time",
    "Temp I/O Read Time",
    "Temp I/O Write Time",
    "WAL Records",
    "WAL FPI",
    "WAL Bytes",
    "WAL Buffers Full",
    "Conflict Resolution",
    "Conflict Arbiter Indexes",
    "Tuples Inserted",
    "Conflicting Tuples",
    "Sampling Method",
    "Sampling Parameters",
    "Repeatable Seed",
    "Table Function Call",
    "Function Call",
    "Params Evaluated",
    "Subplans Removed",
    "Query Identifier",
    "Planning Time",
    "Execution Time",
    "Planning",
    "Triggers",
    "JIT",
    "Settings",
    "Serialization",
    "Window",
];

static KEYS: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| KNOWN_KEYS.iter().copied().collect());

/// `name` as a `Key`: shared when it is one of EXPLAIN's own names.
#[must_use]
pub fn key(name: &str) -> Key {
    match KEYS.get(name) {
        Some(known) => Cow::Borrowed(known),
        None => Cow::Owned(name.to_owned()),
    }
}

/// Named properties in the order EXPLAIN printed them, keyed as FORMAT JSON names them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Props(pub Vec<(Key, Value)>);

impl Props {
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Properties from a JSON object (a worker's, the planning buffers).
    pub(crate) fn from_map(map: &serde_json::Map<String, Value>) -> Self {
        Props(map.iter().map(|(k, v)| (key(k), v.clone())).collect())
    }

    /// A numeric property (numbers written as strings count too).
    #[must_use]
    pub fn num(&self, key: &str) -> Option<f64> {
        number(self.get(key)?)
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
            None => self.0.push((self::key(key), value)),
        }
    }
}

/// A number, or a string holding one.
pub(crate) fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}
