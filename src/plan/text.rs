//! EXPLAIN's default TEXT format, read into the same `RawNode` tree as the JSON reader builds.
//!
//! How the text is laid out (PostgreSQL's explain.c): a child node's line starts with `->`
//! at some column `c`; its properties and its own children's arrows sit at `c + 6`; a
//! subplan's label (`InitPlan 1`, `SubPlan 2`, `CTE name`) sits at its owner's property
//! column with the subplan's arrow two columns further in; a parallel worker's line
//! (`Worker 0:  actual time=…`) is followed by that worker's own lines, indented further.
//! The statement-level lines (`Planning Time`, `Execution Time`, `Planning:` and `JIT:`
//! blocks, triggers) start at the root's column. So the reader keeps a stack of open nodes
//! with the column of their arrow, and every line belongs to the innermost open node whose
//! arrow is left of it; nothing depends on the exact number of spaces.
//!
//! Node lines are turned into the JSON properties ("Hash Left Join" becomes "Node Type":
//! "Hash Join" with "Join Type": "Left"; "Partial HashAggregate" becomes "Aggregate" with
//! "Strategy": "Hashed" and "Partial Mode": "Partial"), and property lines into the JSON
//! names and numbers (`text_props`), so both formats give the same tree.

use serde_json::{Map, Value};

use crate::plan::source::{Line, Source};
use crate::plan::text_props::{self, number};
use crate::plan::{PlanError, Props, RawNode};

/// Node types as FORMAT JSON names them; the TEXT name starts with one of these (after the
/// special cases in `parse_name`).
const KINDS: &[&str] = &[
    "Result",
    "ProjectSet",
    "Append",
    "Merge Append",
    "Recursive Union",
    "BitmapAnd",
    "BitmapOr",
    "Seq Scan",
    "Sample Scan",
    "Gather Merge",
    "Gather",
    "Index Only Scan",
    "Index Scan",
    "Bitmap Index Scan",
    "Bitmap Heap Scan",
    "Tid Range Scan",
    "Tid Scan",
    "Subquery Scan",
    "Function Scan",
    "Table Function Scan",
    "Values Scan",
    "CTE Scan",
    "Named Tuplestore Scan",
    "WorkTable Scan",
    "Foreign Scan",
    "Materialize",
    "Memoize",
    "Incremental Sort",
    "Sort",
    "Group",
    "WindowAgg",
    "Unique",
    "LockRows",
    "Limit",
    "Hash",
];

/// The first plan of the input and its statement-level properties.
pub(crate) fn parse(source: &Source) -> Result<(RawNode, Props), PlanError> {
    let lines: Vec<Line> = source
        .lines
        .iter()
        .copied()
        .filter(|l| !l.text.trim().is_empty())
        .collect();
    let Some(first) = lines.first() else {
        return Err(PlanError::at(source.end_line, 1, "empty input: no plan"));
    };
    let mut reader = Reader::new(indent(first.text));
    for (i, line) in lines.iter().enumerate() {
        let next = lines.get(i + 1);
        reader.line(*line, next)?;
    }
    Ok(reader.finish())
}

fn indent(text: &str) -> usize {
    text.chars().take_while(|c| *c == ' ').count()
}

/// A node while the text is read: children are indexes into `Reader::nodes`.
#[derive(Debug, Default)]
struct Open {
    props: Props,
    children: Vec<usize>,
    workers: Vec<Map<String, Value>>,
    /// Column of the node's `->` (the root gets one left of its properties).
    anchor: isize,
    /// Children that are not subplans (they are Outer, Inner, or Member).
    plain_children: usize,
}

/// A statement-level block being read (`Planning:`, `JIT:`): its name and properties.
type Block = (String, Map<String, Value>);

/// Where a statement-level block's lines go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Planning,
    Jit,
    Other,
}

struct Reader {
    root_col: usize,
    nodes: Vec<Open>,
    /// Open nodes, innermost last.
    stack: Vec<usize>,
    /// A subplan label waiting for its node line.
    label: Option<String>,
    /// The worker whose lines follow: (node, worker, column of its line).
    worker: Option<(usize, usize, usize)>,
    /// Reading the statement-level lines after the tree.
    top: Option<(Props, Option<Block>)>,
}

impl Reader {
    fn new(root_col: usize) -> Self {
        Self {
            root_col,
            nodes: Vec::new(),
            stack: Vec::new(),
            label: None,
            worker: None,
            top: None,
        }
    }

    fn line(&mut self, line: Line, next: Option<&Line>) -> Result<(), PlanError> {
        let col = indent(line.text);
        let content = line.text[col..].trim_end();
        if self.nodes.is_empty() {
            let props = parse_node_line(content, line, col, true)?;
            self.nodes.push(Open {
                props,
                anchor: self.root_col as isize - 1,
                ..Open::default()
            });
            self.stack.push(0);
            return Ok(());
        }
        if self.top.is_some() || col <= self.root_col {
            self.top_line(content, col);
            return Ok(());
        }
        if let Some(rest) = content.strip_prefix("->") {
            return self.node_line(rest, line, col);
        }
        self.pop_to(col);
        if is_label(content)
            && next.is_some_and(|n| indent(n.text) > col && n.text.trim_start().starts_with("->"))
        {
            self.label = Some(content.to_owned());
            self.worker = None;
            return Ok(());
        }
        let owner = self.owner();
        if let Some((number, rest)) = worker_line(content) {
            let mut worker = Map::new();
            worker.insert("Worker Number".to_owned(), Value::from(number));
            let mut props = Props::default();
            let kind = self.kind_of(owner);
            parse_worker_rest(
                &mut props,
                &kind,
                rest,
                line,
                col + (content.len() - rest.len()),
            )?;
            worker.extend(props.0);
            self.nodes[owner].workers.push(worker);
            let index = self.nodes[owner].workers.len() - 1;
            self.worker = Some((owner, index, col));
            return Ok(());
        }
        let kind = self.kind_of(owner);
        let mut props = Props::default();
        text_props::parse_line(&mut props, &kind, content);
        match self.worker {
            Some((node, index, worker_col)) if node == owner && col > worker_col => {
                self.nodes[node].workers[index].extend(props.0);
            }
            _ => {
                self.worker = None;
                for (key, value) in props.0 {
                    self.nodes[owner].props.set(&key, value);
                }
            }
        }
        Ok(())
    }

    fn node_line(&mut self, rest: &str, line: Line, col: usize) -> Result<(), PlanError> {
        self.pop_to(col);
        self.worker = None;
        let header = rest.trim_start();
        let header_col = col + 2 + (rest.len() - header.len());
        let mut props = parse_node_line(header, line, header_col, false)?;
        let parent = self.owner();
        let relationship = if let Some(label) = self.label.take() {
            let rel = if label.starts_with("SubPlan") {
                "SubPlan"
            } else {
                "InitPlan"
            };
            props
                .0
                .insert(1, ("Subplan Name".to_owned(), Value::from(label)));
            rel
        } else {
            let open = &mut self.nodes[parent];
            open.plain_children += 1;
            match open.props.text("Node Type") {
                Some("Append" | "Merge Append" | "BitmapAnd" | "BitmapOr" | "Custom Scan") => {
                    "Member"
                }
                Some("Subquery Scan") => "Subquery",
                _ if open.plain_children == 1 => "Outer",
                _ => "Inner",
            }
        };
        props.0.insert(
            1,
            ("Parent Relationship".to_owned(), Value::from(relationship)),
        );
        let id = self.nodes.len();
        self.nodes.push(Open {
            props,
            anchor: col as isize,
            ..Open::default()
        });
        self.nodes[parent].children.push(id);
        self.stack.push(id);
        Ok(())
    }

    /// Closes the nodes whose arrow is at or right of `col`.
    fn pop_to(&mut self, col: usize) {
        while self.stack.len() > 1
            && self
                .stack
                .last()
                .is_some_and(|n| self.nodes[*n].anchor >= col as isize)
        {
            self.stack.pop();
        }
    }

    fn owner(&self) -> usize {
        self.stack.last().copied().unwrap_or(0)
    }

    fn kind_of(&self, node: usize) -> String {
        self.nodes[node]
            .props
            .text("Node Type")
            .unwrap_or_default()
            .to_owned()
    }

    /// A statement-level line: at the root's column, or inside a `Planning:` / `JIT:` block.
    fn top_line(&mut self, content: &str, col: usize) {
        let (top, block) = self.top.get_or_insert_with(|| (Props::default(), None));
        if col > self.root_col
            && let Some((_, map)) = block
        {
            let mut props = Props::default();
            text_props::parse_line(&mut props, "", content);
            map.extend(props.0);
            return;
        }
        if let Some((name, map)) = block.take() {
            top.set(&name, Value::Object(map));
        }
        let section = match content {
            "Planning:" => Section::Planning,
            "JIT:" => Section::Jit,
            _ => Section::Other,
        };
        match section {
            Section::Planning => *block = Some(("Planning".to_owned(), Map::new())),
            Section::Jit => *block = Some(("JIT".to_owned(), Map::new())),
            Section::Other => text_props::parse_top_line(top, content),
        }
    }

    fn finish(mut self) -> (RawNode, Props) {
        let mut top = match self.top.take() {
            Some((mut top, block)) => {
                if let Some((name, map)) = block {
                    top.set(&name, Value::Object(map));
                }
                top
            }
            None => Props::default(),
        };
        if let Some(Value::Array(_)) = top.get("Triggers") {
        } else if top.get("Execution Time").is_some() {
            top.set("Triggers", Value::Array(Vec::new()));
        }
        // Assemble bottom-up: children always come after their parent in `nodes`.
        let mut built: Vec<Option<RawNode>> = Vec::with_capacity(self.nodes.len());
        built.resize_with(self.nodes.len(), || None);
        for id in (0..self.nodes.len()).rev() {
            let open = std::mem::take(&mut self.nodes[id]);
            let mut props = open.props;
            if !open.workers.is_empty() {
                props.set(
                    "Workers",
                    Value::Array(open.workers.into_iter().map(Value::Object).collect()),
                );
            }
            let children = open
                .children
                .iter()
                .filter_map(|c| built[*c].take())
                .collect();
            built[id] = Some(RawNode { props, children });
        }
        let root = built.into_iter().next().flatten().unwrap_or_default();
        (root, top)
    }
}

/// `InitPlan 1 (returns $0)`, `SubPlan 2`, `CTE name`.
fn is_label(content: &str) -> bool {
    let numbered = |prefix: &str| {
        content
            .strip_prefix(prefix)
            .and_then(|rest| rest.split(' ').next())
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    };
    numbered("InitPlan ") || numbered("SubPlan ") || content.starts_with("CTE ")
}

/// `Worker 3:  …` → (3, `…`).
fn worker_line(content: &str) -> Option<(u64, &str)> {
    let rest = content.strip_prefix("Worker ")?;
    let (number, rest) = rest.split_once(':')?;
    let number = number.parse().ok()?;
    Some((number, rest.trim_start()))
}

/// What follows `Worker N:` — `actual time=… rows=… loops=…`, or a property (`Sort Method:
/// …` without VERBOSE).
fn parse_worker_rest(
    props: &mut Props,
    kind: &str,
    rest: &str,
    line: Line,
    col: usize,
) -> Result<(), PlanError> {
    if let Some(figures) = rest.strip_prefix("actual ") {
        actual_figures(props, figures, line, col + 7)
    } else {
        text_props::parse_line(props, kind, rest);
        Ok(())
    }
}

/// One node's line (without its `->`): its name, then the `(cost=…)`, `(actual …)` or
/// `(never executed)` groups.
fn parse_node_line(content: &str, line: Line, col: usize, root: bool) -> Result<Props, PlanError> {
    let groups_at = ["  (cost=", " (actual ", " (never executed)"]
        .iter()
        .filter_map(|g| content.find(g))
        .min();
    let (name, groups) = match groups_at {
        Some(at) => (&content[..at], &content[at..]),
        None => (content, ""),
    };
    let mut props = Props::default();
    if !parse_name(&mut props, name) {
        let what = if root {
            "not an EXPLAIN plan: the first line is not a plan node"
        } else {
            "not a plan node"
        };
        if groups.is_empty() {
            return Err(PlanError::at(line.number, col + 1, what));
        }
        props.0.clear();
        props.set("Node Type", Value::from(name.trim()));
    }
    let base = col + name.len();
    parse_groups(&mut props, groups, line, base)?;
    Ok(props)
}

/// `  (cost=1.00..2.00 rows=3 width=4) (actual time=… rows=… loops=…)`.
fn parse_groups(props: &mut Props, groups: &str, line: Line, col: usize) -> Result<(), PlanError> {
    let mut rest = groups;
    while !rest.trim().is_empty() {
        let trimmed = rest.trim_start();
        let at = col + (groups.len() - rest.len()) + (rest.len() - trimmed.len());
        let Some(body) = trimmed.strip_prefix('(') else {
            return Err(PlanError::at(
                line.number,
                at + 1,
                "unexpected text after the node's figures",
            ));
        };
        let Some(close) = body.find(')') else {
            return Err(PlanError::at(
                line.number,
                at + 1,
                "unfinished '(' group (is the line cut short?)",
            ));
        };
        let inner = &body[..close];
        if let Some(figures) = inner.strip_prefix("cost=") {
            cost_figures(props, figures, line, at + 6)?;
        } else if let Some(figures) = inner.strip_prefix("actual ") {
            actual_figures(props, figures, line, at + 8)?;
        } else if inner == "never executed" {
            for key in [
                "Actual Startup Time",
                "Actual Total Time",
                "Actual Rows",
                "Actual Loops",
            ] {
                props.set(key, Value::from(0));
            }
        } else {
            return Err(PlanError::at(
                line.number,
                at + 1,
                format!("unknown group ({inner})"),
            ));
        }
        rest = &body[close + 1..];
    }
    Ok(())
}

/// `0.00..35.50 rows=2550 width=4`.
fn cost_figures(props: &mut Props, figures: &str, line: Line, col: usize) -> Result<(), PlanError> {
    let mut words = figures.split(' ');
    let range = words.next().unwrap_or_default();
    let (startup, total) = range_of(range, line, col)?;
    props.set("Startup Cost", startup);
    props.set("Total Cost", total);
    let mut at = col + range.len() + 1;
    for word in words {
        let value = match word.split_once('=') {
            Some(("rows", v)) => ("Plan Rows", v),
            Some(("width", v)) => ("Plan Width", v),
            _ => {
                return Err(PlanError::at(
                    line.number,
                    at + 1,
                    format!("unexpected '{word}' in (cost=…)"),
                ));
            }
        };
        props.set(value.0, figure(value.1, line, at + value.0.len())?);
        at += word.len() + 1;
    }
    Ok(())
}

/// `time=0.01..1.20 rows=10 loops=1` (or `rows=10 loops=1` with TIMING OFF).
fn actual_figures(
    props: &mut Props,
    figures: &str,
    line: Line,
    col: usize,
) -> Result<(), PlanError> {
    let mut at = col;
    for word in figures.split(' ').filter(|w| !w.is_empty()) {
        match word.split_once('=') {
            Some(("time", v)) => {
                let (startup, total) = range_of(v, line, at + 5)?;
                props.set("Actual Startup Time", startup);
                props.set("Actual Total Time", total);
            }
            Some(("rows", v)) => props.set("Actual Rows", figure(v, line, at + 5)?),
            Some(("loops", v)) => props.set("Actual Loops", figure(v, line, at + 6)?),
            _ => {
                return Err(PlanError::at(
                    line.number,
                    at + 1,
                    format!("unexpected '{word}' in (actual …)"),
                ));
            }
        }
        at += word.len() + 1;
    }
    Ok(())
}

fn range_of(range: &str, line: Line, col: usize) -> Result<(Value, Value), PlanError> {
    let Some((a, b)) = range.split_once("..") else {
        return Err(PlanError::at(
            line.number,
            col + 1,
            format!("expected FROM..TO, found '{range}'"),
        ));
    };
    Ok((figure(a, line, col)?, figure(b, line, col + a.len() + 2)?))
}

fn figure(text: &str, line: Line, col: usize) -> Result<Value, PlanError> {
    number(text).ok_or_else(|| {
        PlanError::at(
            line.number,
            col + 1,
            format!("expected a number, found '{text}'"),
        )
    })
}

// ─── Node names ─────────────────────────────────────────────────────────────────────────────

/// Fills "Node Type" and the properties folded into a TEXT node name; false when `name` is
/// not a plan node.
fn parse_name(props: &mut Props, name: &str) -> bool {
    let mut rest = name.trim();
    let parallel = strip(&mut rest, "Parallel ");
    let async_capable = strip(&mut rest, "Async ");
    let Some(tail) = kind_of(props, rest) else {
        return false;
    };
    props.set("Parallel Aware", Value::Bool(parallel));
    props.set("Async Capable", Value::Bool(async_capable));
    let kind = props.text("Node Type").unwrap_or_default().to_owned();
    scan_target(props, &kind, tail);
    true
}

fn strip(rest: &mut &str, prefix: &str) -> bool {
    match rest.strip_prefix(prefix) {
        Some(r) => {
            *rest = r;
            true
        }
        None => false,
    }
}

/// Reads the node type from the start of `name`; returns what follows it.
fn kind_of<'a>(props: &mut Props, name: &'a str) -> Option<&'a str> {
    let set = |props: &mut Props, key: &str, value: &str| props.set(key, Value::from(value));
    let mut rest = name;
    let partial = if strip(&mut rest, "Partial ") {
        "Partial"
    } else if strip(&mut rest, "Finalize ") {
        "Finalize"
    } else {
        "Simple"
    };
    for (text, strategy) in [
        ("GroupAggregate", "Sorted"),
        ("HashAggregate", "Hashed"),
        ("MixedAggregate", "Mixed"),
        ("Aggregate", "Plain"),
    ] {
        if let Some(tail) = word_prefix(rest, text) {
            set(props, "Node Type", "Aggregate");
            set(props, "Strategy", strategy);
            set(props, "Partial Mode", partial);
            return Some(tail);
        }
    }
    if partial != "Simple" {
        return None;
    }
    for (text, strategy) in [("HashSetOp ", "Hashed"), ("SetOp ", "Sorted")] {
        if let Some(command) = rest.strip_prefix(text) {
            set(props, "Node Type", "SetOp");
            set(props, "Strategy", strategy);
            set(props, "Command", command);
            return Some("");
        }
    }
    if let Some(tail) = rest.strip_prefix("Nested Loop") {
        let join = tail.trim().strip_suffix(" Join").unwrap_or("Inner");
        set(props, "Node Type", "Nested Loop");
        set(
            props,
            "Join Type",
            if join.is_empty() { "Inner" } else { join },
        );
        return Some("");
    }
    for base in ["Hash", "Merge"] {
        if let Some(join) = rest
            .strip_prefix(base)
            .and_then(|t| t.strip_suffix("Join"))
            .filter(|t| t.starts_with(' ') && t.ends_with(' '))
        {
            let join = join.trim();
            set(props, "Node Type", &format!("{base} Join"));
            set(
                props,
                "Join Type",
                if join.is_empty() { "Inner" } else { join },
            );
            return Some("");
        }
    }
    for op in ["Insert", "Update", "Delete", "Merge"] {
        if let Some(tail) = word_prefix(rest, op).filter(|t| t.starts_with(" on ")) {
            set(props, "Node Type", "ModifyTable");
            set(props, "Operation", op);
            return Some(tail);
        }
        if let Some(tail) = rest
            .strip_prefix("Foreign ")
            .and_then(|r| word_prefix(r, op))
            .filter(|t| t.starts_with(" on "))
        {
            set(props, "Node Type", "Foreign Scan");
            set(props, "Operation", op);
            return Some(tail);
        }
    }
    if let Some(tail) = rest.strip_prefix("Custom Scan (") {
        let (provider, tail) = tail.split_once(')')?;
        set(props, "Node Type", "Custom Scan");
        set(props, "Custom Plan Provider", provider);
        return Some(tail);
    }
    let kind = KINDS.iter().find(|k| word_prefix(rest, k).is_some())?;
    set(props, "Node Type", kind);
    word_prefix(rest, kind)
}

/// `rest` without the leading `word` when the word ends there or at a space.
fn word_prefix<'a>(rest: &'a str, word: &str) -> Option<&'a str> {
    rest.strip_prefix(word)
        .filter(|tail| tail.is_empty() || tail.starts_with(' '))
}

/// ` Backward using idx on schema.rel alias` and its shorter forms.
fn scan_target(props: &mut Props, kind: &str, tail: &str) {
    let mut rest = tail.trim_start();
    if matches!(kind, "Index Scan" | "Index Only Scan") {
        let direction = if strip(&mut rest, "Backward ") {
            "Backward"
        } else {
            "Forward"
        };
        props.set("Scan Direction", Value::from(direction));
        if strip(&mut rest, "using ") {
            let (index, after) = identifier(rest);
            props.set("Index Name", Value::from(index));
            rest = after.trim_start();
        }
    }
    let Some(target) = rest.strip_prefix("on ") else {
        return;
    };
    if kind == "Bitmap Index Scan" {
        props.set("Index Name", Value::from(identifier(target).0));
        return;
    }
    let (first, after) = identifier(target);
    let (schema, object) = if let Some(qualified) = after.strip_prefix('.') {
        let (name, after_name) = identifier(qualified);
        rest = after_name;
        (Some(first), name)
    } else {
        rest = after;
        (None, first)
    };
    let alias = {
        let r = rest.trim_start();
        if r.is_empty() {
            None
        } else {
            Some(identifier(r).0)
        }
    };
    let tag = match kind {
        "CTE Scan" | "WorkTable Scan" => Some("CTE Name"),
        "Function Scan" => Some("Function Name"),
        "Table Function Scan" => Some("Table Function Name"),
        "Named Tuplestore Scan" => Some("Tuplestore Name"),
        "Subquery Scan" | "Values Scan" => None,
        _ => Some("Relation Name"),
    };
    match tag {
        Some(tag) => {
            props.set(tag, Value::from(object.clone()));
            if let Some(schema) = schema {
                props.set("Schema", Value::from(schema));
            }
            props.set("Alias", Value::from(alias.unwrap_or(object)));
        }
        None => props.set("Alias", Value::from(object)),
    }
}

/// One identifier as quote_identifier writes it (`name` or `"Odd ""name"""`), and the rest.
fn identifier(text: &str) -> (String, &str) {
    if let Some(quoted) = text.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = quoted.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            if c == '"' {
                if chars.peek().is_some_and(|(_, n)| *n == '"') {
                    chars.next();
                    out.push('"');
                } else {
                    return (out, &quoted[at + 1..]);
                }
            } else {
                out.push(c);
            }
        }
        return (out, "");
    }
    let end = text.find([' ', '.']).unwrap_or(text.len());
    (text[..end].to_owned(), &text[end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(text: &str) -> Props {
        let mut props = Props::default();
        assert!(parse_name(&mut props, text), "{text}");
        props
    }

    #[test]
    fn node_names_become_json_properties() {
        let p = name("Hash Left Join");
        assert_eq!(p.text("Node Type"), Some("Hash Join"));
        assert_eq!(p.text("Join Type"), Some("Left"));
        let p = name("Hash Right Anti Join");
        assert_eq!(p.text("Join Type"), Some("Right Anti"));
        let p = name("Nested Loop");
        assert_eq!(p.text("Join Type"), Some("Inner"));
        let p = name("Partial HashAggregate");
        assert_eq!(p.text("Node Type"), Some("Aggregate"));
        assert_eq!(p.text("Strategy"), Some("Hashed"));
        assert_eq!(p.text("Partial Mode"), Some("Partial"));
        let p = name("Parallel Seq Scan on public.orders o");
        assert!(p.flag("Parallel Aware"));
        assert_eq!(p.text("Schema"), Some("public"));
        assert_eq!(p.text("Relation Name"), Some("orders"));
        assert_eq!(p.text("Alias"), Some("o"));
        let p = name("Index Scan Backward using \"Odd \"\"ix\"\"\" on t");
        assert_eq!(p.text("Scan Direction"), Some("Backward"));
        assert_eq!(p.text("Index Name"), Some("Odd \"ix\""));
        assert_eq!(p.text("Alias"), Some("t"));
        let p = name("Bitmap Index Scan on orders_customer_idx");
        assert_eq!(p.text("Index Name"), Some("orders_customer_idx"));
        let p = name("Update on customers");
        assert_eq!(p.text("Node Type"), Some("ModifyTable"));
        assert_eq!(p.text("Operation"), Some("Update"));
        let p = name("HashSetOp Except All");
        assert_eq!(p.text("Command"), Some("Except All"));
        let p = name("CTE Scan on top t");
        assert_eq!(p.text("CTE Name"), Some("top"));
        let p = name("Subquery Scan on s");
        assert_eq!(p.text("Alias"), Some("s"));
        assert!(p.get("Relation Name").is_none());
        let p = name("Hash");
        assert_eq!(p.text("Node Type"), Some("Hash"));
        let mut props = Props::default();
        assert!(!parse_name(&mut props, "Hashish thing"));
        assert!(!parse_name(&mut props, "hello world"));
    }
}
