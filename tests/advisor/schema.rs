//! A small JSON Schema validator for the keywords docs/report-schema.md uses (type, enum,
//! required, properties, additionalProperties, items, minimum, format date-time), so the test
//! checks the output against the document itself.

use serde_json::Value;

/// The JSON Schema embedded in docs/report-schema.md (the ```json block after `<!-- schema -->`).
pub fn documented() -> Value {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/report-schema.md"
    ))
    .unwrap();
    let after = doc.split("<!-- schema -->").nth(1).expect("schema marker");
    let block = after
        .split("```json")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("json block");
    serde_json::from_str(block).unwrap()
}

/// Every violation of `schema` by `value`, with its path.
pub fn violations(schema: &Value, value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    check(schema, value, "$", &mut out);
    out
}

fn type_matches(name: &str, value: &Value) -> bool {
    match name {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        other => panic!("schema uses type {other:?}, which this validator does not know"),
    }
}

fn check(schema: &Value, value: &Value, path: &str, out: &mut Vec<String>) {
    let Some(schema) = schema.as_object() else {
        return;
    };
    for key in schema.keys() {
        assert!(
            matches!(
                key.as_str(),
                "$schema"
                    | "type"
                    | "enum"
                    | "required"
                    | "properties"
                    | "additionalProperties"
                    | "items"
                    | "minimum"
                    | "format"
            ),
            "schema keyword {key} is not checked by this validator"
        );
    }
    if let Some(t) = schema.get("type") {
        let names: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        if !names.iter().any(|n| type_matches(n, value)) {
            out.push(format!("{path}: {value} is not {names:?}"));
            return;
        }
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array)
        && !options.contains(value)
    {
        out.push(format!("{path}: {value} not in {options:?}"));
    }
    if let (Some(min), Some(n)) = (
        schema.get("minimum").and_then(Value::as_f64),
        value.as_f64(),
    ) && n < min
    {
        out.push(format!("{path}: {n} < {min}"));
    }
    if schema.get("format").and_then(Value::as_str) == Some("date-time")
        && let Some(s) = value.as_str()
        && humantime::parse_rfc3339(s).is_err()
    {
        out.push(format!("{path}: {s:?} is not an RFC 3339 time"));
    }
    if let Some(obj) = value.as_object() {
        for name in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !obj.contains_key(name) {
                out.push(format!("{path}: {name} is missing"));
            }
        }
        let props = schema.get("properties").and_then(Value::as_object);
        for (name, v) in obj {
            let sub = format!("{path}.{name}");
            let own = props.and_then(|p| p.get(name));
            match own.or_else(|| schema.get("additionalProperties")) {
                Some(Value::Bool(false)) => out.push(format!("{sub}: not in the schema")),
                Some(s) => check(s, v, &sub, out),
                None => {}
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), value.as_array()) {
        for (i, v) in arr.iter().enumerate() {
            check(items, v, &format!("{path}[{i}]"), out);
        }
    }
}

#[test]
fn the_validator_catches_what_it_should() {
    let schema = documented();
    let bad = serde_json::json!({
        "pgmedic_version": 1, "generated_at": "yesterday",
        "server": {"version": "15", "version_num": 150_000, "role": "leader", "extensions": {}},
        "findings": [{"kind": "index_suggestion"}], "extra": true
    });
    let found = violations(&schema, &bad);
    for expected in [
        "$.pgmedic_version",
        "$.generated_at",
        "$.server.role",
        "$.findings[0]: severity is missing",
        "$.extra",
    ] {
        assert!(
            found.iter().any(|v| v.starts_with(expected)),
            "{expected}: {found:#?}"
        );
    }
}
