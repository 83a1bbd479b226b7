//! TEXT node names into FORMAT JSON properties: "Hash Left Join" is "Node Type": "Hash Join"
//! with "Join Type": "Left"; "Partial HashAggregate" is "Aggregate" with "Strategy":
//! "Hashed" and "Partial Mode": "Partial"; "Index Scan Backward using idx on public.t x" gives
//! "Scan Direction", "Index Name", "Schema", "Relation Name" and "Alias" (identifiers unquoted
//! as quote_identifier wrote them).

use serde_json::Value;

use crate::plan::Props;

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

/// Fills "Node Type" and the properties folded into a TEXT node name; false when `name` is
/// not a plan node.
pub(crate) fn parse_name(props: &mut Props, name: &str) -> bool {
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
