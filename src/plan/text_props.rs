//! TEXT property lines into FORMAT JSON properties: `Buffers: shared hit=5 read=2, temp
//! written=3` becomes "Shared Hit Blocks": 5, "Shared Read Blocks": 2, "Temp Written Blocks": 3;
//! `Buckets: 4096  Batches: 128  Memory Usage: 100kB` on a Hash becomes "Hash Buckets",
//! "Hash Batches", "Peak Memory Usage"; the same `Batches:` on an aggregate is "HashAgg
//! Batches". Lines the table below does not know keep their label and their text.

use serde_json::{Map, Value};

use crate::plan::Props;

/// Labels whose line carries more `Label: value` pairs, two spaces apart.
const MULTI: &[&str] = &[
    "Sort Method",
    "Buckets",
    "Batches",
    "Planned Partitions",
    "Hits",
    "Storage",
];

/// A number as EXPLAIN prints one (integers stay integers).
pub(crate) fn number(text: &str) -> Option<Value> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(n) = text.parse::<i64>() {
        return Some(Value::from(n));
    }
    if text.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.') {
        let f: f64 = text.parse().ok()?;
        return serde_json::Number::from_f64(f).map(Value::Number);
    }
    None
}

/// `25kB` → 25.
fn kilobytes(text: &str) -> Value {
    let t = text.trim();
    number(t.strip_suffix("kB").unwrap_or(t)).unwrap_or_else(|| Value::from(t))
}

/// `0.442 ms` → 0.442.
fn millis(text: &str) -> Value {
    let t = text.trim();
    number(t.strip_suffix(" ms").unwrap_or(t)).unwrap_or_else(|| Value::from(t))
}

/// One property line of a node of type `kind` (`""` for statement-level blocks).
pub(crate) fn parse_line(props: &mut Props, kind: &str, content: &str) {
    let Some((label, value)) = content.split_once(": ") else {
        let label = content.trim_end_matches(':');
        props.set(label, Value::Null);
        return;
    };
    if MULTI.contains(&label) {
        let mut parts = value.split("  ").filter(|p| !p.is_empty());
        if let Some(first) = parts.next() {
            pair(props, kind, label, first);
        }
        for part in parts {
            match part.split_once(": ") {
                Some((l, v)) => pair(props, kind, l, v),
                None => props.set(part, Value::Null),
            }
        }
    } else {
        pair(props, kind, label, value);
    }
}

/// One `label: value` pair into its JSON properties.
fn pair(props: &mut Props, kind: &str, label: &str, value: &str) {
    let mut set = |key: &str, v: Value| props.set(key, v);
    match label {
        "Buffers" => buffers(props, value),
        "I/O Timings" => io_timings(props, value),
        "WAL" => counters(
            props,
            value,
            &[
                ("records", "WAL Records"),
                ("fpi", "WAL FPI"),
                ("bytes", "WAL Bytes"),
                ("buffers full", "WAL Buffers Full"),
            ],
        ),
        "Heap Blocks" => counters(
            props,
            value,
            &[
                ("exact", "Exact Heap Blocks"),
                ("lossy", "Lossy Heap Blocks"),
            ],
        ),
        "Memory" | "Disk" => {
            set("Sort Space Used", kilobytes(value));
            set("Sort Space Type", Value::from(label));
        }
        "Buckets" => originally(props, value, "Hash Buckets", "Original Hash Buckets"),
        "Batches" if kind == "Hash" => {
            originally(props, value, "Hash Batches", "Original Hash Batches");
        }
        "Batches" => set("HashAgg Batches", typed(value)),
        "Memory Usage" => set("Peak Memory Usage", kilobytes(value)),
        "Disk Usage" | "Maximum Storage" => set(label, kilobytes(value)),
        "Hits" | "Misses" | "Evictions" | "Overflows" => {
            set(&format!("Cache {label}"), typed(value));
        }
        "Planning Time" | "Execution Time" => set(label, millis(value)),
        _ => set(label, typed(value)),
    }
}

/// A value: a number when it is one, true/false, else the text.
fn typed(value: &str) -> Value {
    match value {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => number(value).unwrap_or_else(|| Value::from(value)),
    }
}

/// `65536 (originally 1024)` → the two properties; the original is the same when not given.
fn originally(props: &mut Props, value: &str, now: &str, original: &str) {
    let (current, before) = match value.split_once(" (originally ") {
        Some((c, b)) => (c, b.trim_end_matches(')')),
        None => (value, value),
    };
    props.set(now, typed(current));
    props.set(original, typed(before));
}

/// `shared hit=5 read=2 dirtied=1, local hit=1, temp read=3 written=3`.
fn buffers(props: &mut Props, value: &str) {
    for (scope, key, n) in scoped_counters(value) {
        let scope = match scope {
            "shared" => "Shared",
            "local" => "Local",
            "temp" => "Temp",
            _ => continue,
        };
        let what = capitalized(&key);
        props.set(&format!("{scope} {what} Blocks"), n);
    }
}

/// `shared read=1.0 write=2.0, local …, temp read=… write=…` (16+) or `read=… write=…, temp
/// read=…` (up to 15).
fn io_timings(props: &mut Props, value: &str) {
    for (scope, key, n) in scoped_counters(value) {
        let what = match key.as_str() {
            "read" => "Read",
            "write" => "Write",
            _ => continue,
        };
        let name = match scope {
            "shared" => format!("Shared I/O {what} Time"),
            "local" => format!("Local I/O {what} Time"),
            "temp" => format!("Temp I/O {what} Time"),
            _ => format!("I/O {what} Time"),
        };
        props.set(&name, n);
    }
}

/// `records=1 fpi=0 bytes=120` into the given names.
fn counters(props: &mut Props, value: &str, names: &[(&str, &str)]) {
    for (_, key, n) in scoped_counters(value) {
        if let Some((_, name)) = names.iter().find(|(k, _)| *k == key.as_str()) {
            props.set(name, n);
        }
    }
}

/// Splits `scope k=v k=v, scope k=v` into (scope, k, v); the scope is "" when a section has
/// none. Keys may have a space (`buffers full=3`).
fn scoped_counters(value: &str) -> Vec<(&str, String, Value)> {
    let mut out = Vec::new();
    for section in value.split(", ") {
        let mut words = section.split(' ').filter(|w| !w.is_empty()).peekable();
        let scope = match words.peek() {
            Some(w) if !w.contains('=') => words.next().unwrap_or_default(),
            _ => "",
        };
        let mut key: Vec<&str> = Vec::new();
        for word in words {
            match word.split_once('=') {
                Some((k, v)) => {
                    key.push(k);
                    out.push((scope, key.join(" "), number(v).unwrap_or(Value::from(v))));
                    key.clear();
                }
                None => key.push(word),
            }
        }
    }
    out
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().chain(chars).collect::<String>()
    })
}

/// A statement-level line at the root's column.
pub(crate) fn parse_top_line(top: &mut Props, content: &str) {
    if let Some(trigger) = content.strip_prefix("Trigger ") {
        let mut entry = Map::new();
        let (name, figures) = trigger.rsplit_once(": ").unwrap_or((trigger, ""));
        let (name, relation) = match name.split_once(" on ") {
            Some((n, r)) => (n, Some(r)),
            None => (name, None),
        };
        entry.insert("Trigger Name".to_owned(), Value::from(name));
        if let Some(relation) = relation {
            entry.insert("Relation".to_owned(), Value::from(relation));
        }
        for word in figures.split(' ') {
            match word.split_once('=') {
                Some(("time", v)) => entry.insert("Time".to_owned(), millis(v)),
                Some(("calls", v)) => entry.insert("Calls".to_owned(), typed(v)),
                _ => None,
            };
        }
        match top.0.iter_mut().find(|(k, _)| k == "Triggers") {
            Some((_, Value::Array(list))) => list.push(Value::Object(entry)),
            _ => top.set("Triggers", Value::Array(vec![Value::Object(entry)])),
        }
        return;
    }
    parse_line(top, "", content);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(kind: &str, text: &str) -> Props {
        let mut props = Props::default();
        parse_line(&mut props, kind, text);
        props
    }

    #[test]
    fn buffers_and_io_timings() {
        let p = line(
            "Sort",
            "Buffers: shared hit=2825 read=3 dirtied=1, local written=2, temp read=3544 written=3758",
        );
        assert_eq!(p.num("Shared Hit Blocks"), Some(2825.0));
        assert_eq!(p.num("Shared Read Blocks"), Some(3.0));
        assert_eq!(p.num("Shared Dirtied Blocks"), Some(1.0));
        assert_eq!(p.num("Local Written Blocks"), Some(2.0));
        assert_eq!(p.num("Temp Read Blocks"), Some(3544.0));
        assert_eq!(p.num("Temp Written Blocks"), Some(3758.0));
        let p = line("Sort", "I/O Timings: temp read=6.342 write=17.318");
        assert_eq!(p.num("Temp I/O Read Time"), Some(6.342));
        assert_eq!(p.num("Temp I/O Write Time"), Some(17.318));
        let p = line("Seq Scan", "I/O Timings: read=1.5 write=0.5");
        assert_eq!(p.num("I/O Read Time"), Some(1.5));
        let p = line("Seq Scan", "I/O Timings: shared read=1.5, local write=0.25");
        assert_eq!(p.num("Shared I/O Read Time"), Some(1.5));
        assert_eq!(p.num("Local I/O Write Time"), Some(0.25));
        let p = line(
            "ModifyTable",
            "WAL: records=3 fpi=1 bytes=300 buffers full=2",
        );
        assert_eq!(p.num("WAL Records"), Some(3.0));
        assert_eq!(p.num("WAL Bytes"), Some(300.0));
        assert_eq!(p.num("WAL Buffers Full"), Some(2.0));
    }

    #[test]
    fn lines_with_several_figures() {
        let p = line("Sort", "Sort Method: external merge  Disk: 5328kB");
        assert_eq!(p.text("Sort Method"), Some("external merge"));
        assert_eq!(p.num("Sort Space Used"), Some(5328.0));
        assert_eq!(p.text("Sort Space Type"), Some("Disk"));
        let p = line(
            "Hash",
            "Buckets: 65536 (originally 1024)  Batches: 4 (originally 1)  Memory Usage: 4065kB",
        );
        assert_eq!(p.num("Hash Buckets"), Some(65536.0));
        assert_eq!(p.num("Original Hash Buckets"), Some(1024.0));
        assert_eq!(p.num("Hash Batches"), Some(4.0));
        assert_eq!(p.num("Original Hash Batches"), Some(1.0));
        assert_eq!(p.num("Peak Memory Usage"), Some(4065.0));
        let p = line(
            "Aggregate",
            "Planned Partitions: 4  Batches: 5  Memory Usage: 4177kB  Disk Usage: 2048kB",
        );
        assert_eq!(p.num("HashAgg Batches"), Some(5.0));
        assert_eq!(p.num("Disk Usage"), Some(2048.0));
        assert_eq!(p.num("Planned Partitions"), Some(4.0));
        let p = line(
            "Memoize",
            "Hits: 15000  Misses: 5000  Evictions: 0  Overflows: 0  Memory Usage: 420kB",
        );
        assert_eq!(p.num("Cache Hits"), Some(15000.0));
        assert_eq!(p.num("Cache Misses"), Some(5000.0));
        let p = line("CTE Scan", "Storage: Memory  Maximum Storage: 260kB");
        assert_eq!(p.text("Storage"), Some("Memory"));
        assert_eq!(p.num("Maximum Storage"), Some(260.0));
        let p = line("Seq Scan", "Filter: (note ~~ '%a:  b%'::text)");
        assert_eq!(p.text("Filter"), Some("(note ~~ '%a:  b%'::text)"));
        let p = line("Hash Join", "Inner Unique: true");
        assert!(p.flag("Inner Unique"));
    }

    #[test]
    fn statement_lines() {
        let mut top = Props::default();
        parse_top_line(&mut top, "Planning Time: 0.442 ms");
        parse_top_line(
            &mut top,
            "Trigger RI_ConstraintTrigger_c_1 on orders: time=0.5 calls=10",
        );
        parse_top_line(&mut top, "Trigger audit: time=1.250 calls=2");
        assert_eq!(top.num("Planning Time"), Some(0.442));
        let Some(Value::Array(triggers)) = top.get("Triggers") else {
            panic!("no triggers")
        };
        assert_eq!(triggers.len(), 2);
        assert_eq!(triggers[0]["Relation"], "orders");
        assert_eq!(triggers[1]["Time"], 1.25);
    }
}
