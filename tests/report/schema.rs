//! A small JSON Schema checker: the keywords docs/report-schema.json uses, and nothing else
//! (a keyword it does not know fails the test rather than passing silently).

use serde_json::Value;

/// The documented schema.
#[must_use]
pub fn schema() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/report-schema.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every violation of `schema` by `instance`, each with the path where it occurs.
#[must_use]
pub fn violations(schema: &Value, instance: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    check(schema, schema, instance, "", &mut errors);
    errors
}

const ANNOTATIONS: &[&str] = &["$schema", "title", "description", "$defs"];

fn check(root: &Value, schema: &Value, value: &Value, path: &str, errors: &mut Vec<String>) {
    let Some(rules) = schema.as_object() else {
        errors.push(format!("{path}: schema is not an object"));
        return;
    };
    for (keyword, rule) in rules {
        match keyword.as_str() {
            k if ANNOTATIONS.contains(&k) => {}
            "$ref" => {
                let name = rule.as_str().unwrap().trim_start_matches("#/$defs/");
                check(root, &root["$defs"][name], value, path, errors);
            }
            "type" => {
                let types: Vec<&str> = match rule {
                    Value::String(t) => vec![t.as_str()],
                    Value::Array(ts) => ts.iter().map(|t| t.as_str().unwrap()).collect(),
                    _ => panic!("bad type rule at {path}"),
                };
                if !types.iter().any(|t| is_type(value, t)) {
                    errors.push(format!("{path}: {value} is not {types:?}"));
                }
            }
            "enum" => {
                if !rule.as_array().unwrap().contains(value) {
                    errors.push(format!("{path}: {value} is not one of {rule}"));
                }
            }
            "const" => {
                if rule != value {
                    errors.push(format!("{path}: {value} is not {rule}"));
                }
            }
            "minimum" => {
                if value.as_f64().is_some_and(|v| v < rule.as_f64().unwrap()) {
                    errors.push(format!("{path}: {value} is below {rule}"));
                }
            }
            "format" => {
                assert_eq!(rule, "date-time", "unknown format at {path}");
                if let Some(text) = value.as_str()
                    && humantime::parse_rfc3339(text).is_err()
                {
                    errors.push(format!("{path}: {text:?} is not RFC 3339"));
                }
            }
            "required" | "properties" | "additionalProperties" => {
                if let Some(object) = value.as_object() {
                    check_object(root, rules, keyword, object, path, errors);
                }
            }
            "items" => {
                if let Some(items) = value.as_array() {
                    for (i, item) in items.iter().enumerate() {
                        check(root, rule, item, &format!("{path}/{i}"), errors);
                    }
                }
            }
            "allOf" => {
                for sub in rule.as_array().unwrap() {
                    check(root, sub, value, path, errors);
                }
            }
            "if" => {
                let mut probe = Vec::new();
                check(root, rule, value, path, &mut probe);
                if probe.is_empty()
                    && let Some(then) = rules.get("then")
                {
                    check(root, then, value, path, errors);
                }
            }
            "then" => {}
            other => panic!("the checker does not know the keyword {other:?} (at {path})"),
        }
    }
}

/// The keywords about an object's keys.
fn check_object(
    root: &Value,
    rules: &serde_json::Map<String, Value>,
    keyword: &str,
    object: &serde_json::Map<String, Value>,
    path: &str,
    errors: &mut Vec<String>,
) {
    let rule = &rules[keyword];
    match keyword {
        "required" => {
            for key in rule.as_array().unwrap() {
                let key = key.as_str().unwrap();
                if !object.contains_key(key) {
                    errors.push(format!("{path}: missing {key:?}"));
                }
            }
        }
        "properties" => {
            for (key, sub) in rule.as_object().unwrap() {
                if let Some(v) = object.get(key) {
                    check(root, sub, v, &format!("{path}/{key}"), errors);
                }
            }
        }
        _ => {
            let known = rules.get("properties").and_then(Value::as_object);
            for (key, v) in object {
                if known.is_some_and(|k| k.contains_key(key)) {
                    continue;
                }
                match rule {
                    Value::Bool(false) => errors.push(format!("{path}: unexpected key {key:?}")),
                    Value::Bool(true) => {}
                    sub => check(root, sub, v, &format!("{path}/{key}"), errors),
                }
            }
        }
    }
}

fn is_type(value: &Value, name: &str) -> bool {
    match name {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        other => panic!("unknown type {other:?}"),
    }
}

#[test]
fn the_schema_names_every_kind_and_the_checker_catches_what_breaks_it() {
    let schema = schema();
    let kinds: Vec<&str> = schema["$defs"]["finding"]["properties"]["kind"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    let ours: Vec<&str> = pgmedic::report::Kind::ALL
        .iter()
        .map(|k| k.name())
        .collect();
    assert_eq!(kinds, ours, "the schema and the code list the same kinds");

    let good = serde_json::json!({
        "pgmedic_version": "0.1.0",
        "generated_at": "2025-05-01T10:00:00.123Z",
        "server": {"version": "15.18", "version_num": 150_018, "role": "primary",
                   "extensions": {"pg_stat_statements": "1.10", "hypopg": null}},
        "findings": [{
            "kind": "idle_in_transaction", "severity": "warning", "database": "shop",
            "schema": null,
            "table": null, "index": null, "columns": [], "summary": "x", "sql": null,
            "evidence": {"pid": 42, "application_name": "api", "age_seconds": 372.5}
        }],
        "not_checked": []
    });
    assert_eq!(violations(&schema, &good), Vec::<String>::new());
    let broken = |edit: &dyn Fn(&mut Value)| {
        let mut bad = good.clone();
        edit(&mut bad);
        violations(&schema, &bad)
    };
    assert!(!broken(&|v| v["findings"][0]["kind"] = "slowness".into()).is_empty());
    assert!(
        !broken(&|v| {
            v["findings"][0]["evidence"]
                .as_object_mut()
                .unwrap()
                .remove("age_seconds");
        })
        .is_empty()
    );
    assert!(!broken(&|v| v["findings"][0]["severity"] = "fatal".into()).is_empty());
    assert!(!broken(&|v| v["server"]["role"] = "replica".into()).is_empty());
    assert!(!broken(&|v| v["generated_at"] = "yesterday".into()).is_empty());
    assert!(!broken(&|v| v["findings"][0]["columns"] = "a".into()).is_empty());
    assert!(!broken(&|v| v["surprise"] = 1.into()).is_empty());
    assert!(
        !broken(&|v| {
            v["findings"][0]["kind"] = "blocking_chain".into();
        })
        .is_empty(),
        "a blocking chain needs root_pid and chain"
    );
}
