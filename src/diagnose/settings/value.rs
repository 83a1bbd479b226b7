//! A setting's value, typed by its unit, and written the way PostgreSQL writes it (`128MB`,
//! `5min`, `-1`): the notation a DBA types into postgresql.conf.

/// A setting's value in a unit pgmedic can compare.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Bool(bool),
    /// Bytes. Zero and negative values are the setting's own special values (-1: automatic
    /// or disabled) and are kept as they are.
    Bytes(f64),
    /// Milliseconds, with the same rule for zero and negative values (0: no limit, -1: off).
    Millis(f64),
    /// A number without a unit (a cost, a fraction, a count).
    Number(f64),
    Text(String),
}

/// Bytes per unit, largest first, as PostgreSQL names them.
const BYTE_UNITS: &[(&str, f64)] = &[
    ("TB", 1_099_511_627_776.0),
    ("GB", 1_073_741_824.0),
    ("MB", 1_048_576.0),
    ("kB", 1024.0),
];
/// Milliseconds per unit, largest first.
const TIME_UNITS: &[(&str, f64)] = &[
    ("d", 86_400_000.0),
    ("h", 3_600_000.0),
    ("min", 60_000.0),
    ("s", 1000.0),
];

impl Value {
    /// A value as pg_settings gives it: `setting` in the base `unit` (`16384` of `8kB`).
    #[must_use]
    pub fn from_setting(setting: &str, unit: Option<&str>, vartype: &str) -> Value {
        match vartype {
            "bool" => Value::Bool(setting == "on"),
            "integer" | "real" => match setting.trim().parse::<f64>() {
                Ok(n) => scaled(n, unit),
                Err(_) => Value::Text(setting.to_owned()),
            },
            _ => Value::Text(setting.to_owned()),
        }
    }

    /// A value as a configuration file or `ALTER … SET` writes it (`'256MB'`, `10min`, `on`),
    /// for a setting whose base unit is `unit`.
    #[must_use]
    pub fn from_input(text: &str, unit: Option<&str>, vartype: &str) -> Value {
        let text = text.trim().trim_matches('\'');
        match vartype {
            "bool" => match text.to_ascii_lowercase().as_str() {
                "on" | "true" | "yes" | "1" | "t" | "y" => Value::Bool(true),
                "off" | "false" | "no" | "0" | "f" | "n" => Value::Bool(false),
                _ => Value::Text(text.to_owned()),
            },
            "integer" | "real" => {
                parse_quantity(text, unit).unwrap_or(Value::Text(text.to_owned()))
            }
            _ => Value::Text(text.to_owned()),
        }
    }

    /// The value as a number in its unit (bytes, milliseconds), if it is one.
    #[must_use]
    pub fn number(&self) -> Option<f64> {
        match self {
            Value::Bytes(n) | Value::Millis(n) | Value::Number(n) => Some(*n),
            Value::Bool(_) | Value::Text(_) => None,
        }
    }

    /// The value as PostgreSQL writes it: `128MB`, `5min`, `0.9`, `on`, `-1`.
    #[must_use]
    pub fn show(&self) -> String {
        match self {
            Value::Bool(true) => "on".to_owned(),
            Value::Bool(false) => "off".to_owned(),
            Value::Bytes(n) => with_unit(*n, BYTE_UNITS, "B"),
            Value::Millis(n) => with_unit(*n, TIME_UNITS, "ms"),
            Value::Number(n) => number(*n),
            Value::Text(t) if t.is_empty() => "''".to_owned(),
            Value::Text(t) => t.clone(),
        }
    }
}

/// `n` base units of `unit` as a typed value.
fn scaled(n: f64, unit: Option<&str>) -> Value {
    let keep = |scale: f64| if n > 0.0 { n * scale } else { n };
    match unit {
        Some("B") => Value::Bytes(n),
        Some("kB") => Value::Bytes(keep(1024.0)),
        Some("8kB") => Value::Bytes(keep(8192.0)),
        Some("16kB") => Value::Bytes(keep(16_384.0)),
        Some("MB") => Value::Bytes(keep(1_048_576.0)),
        Some("GB") => Value::Bytes(keep(1_073_741_824.0)),
        Some("us") => Value::Millis(keep(0.001)),
        Some("ms") => Value::Millis(n),
        Some("s") => Value::Millis(keep(1000.0)),
        Some("min") => Value::Millis(keep(60_000.0)),
        _ => Value::Number(n),
    }
}

/// `256MB`, `10min`, `0.9`, or a bare number in the setting's base unit.
fn parse_quantity(text: &str, unit: Option<&str>) -> Option<Value> {
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    let n: f64 = number.trim().parse().ok()?;
    let suffix = suffix.trim();
    if suffix.is_empty() {
        return Some(scaled(n, unit));
    }
    let bytes = match suffix {
        "B" => Some(1.0),
        "kB" => Some(1024.0),
        "MB" => Some(1_048_576.0),
        "GB" => Some(1_073_741_824.0),
        "TB" => Some(1_099_511_627_776.0),
        _ => None,
    };
    if let Some(scale) = bytes {
        return Some(Value::Bytes(n * scale));
    }
    let millis = match suffix {
        "us" => 0.001,
        "ms" => 1.0,
        "s" => 1000.0,
        "min" => 60_000.0,
        "h" => 3_600_000.0,
        "d" => 86_400_000.0,
        _ => return None,
    };
    Some(Value::Millis(n * millis))
}

/// The largest unit that divides `n` exactly (`4GB`, not `4096MB`), as PostgreSQL shows it.
fn with_unit(n: f64, units: &[(&str, f64)], base: &str) -> String {
    if n <= 0.0 {
        return number(n);
    }
    for (name, size) in units {
        if n >= *size && (n / size).fract() == 0.0 {
            return format!("{}{name}", number(n / size));
        }
    }
    format!("{}{base}", number(n))
}

/// A number without a needless `.0`: `4`, `0.9`, `1.1`.
fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pg_settings_values_read_in_their_unit() {
        let shared = Value::from_setting("16384", Some("8kB"), "integer");
        assert_eq!(shared, Value::Bytes(128.0 * 1_048_576.0));
        assert_eq!(shared.show(), "128MB");
        assert_eq!(
            Value::from_setting("4096", Some("kB"), "integer").show(),
            "4MB"
        );
        assert_eq!(
            Value::from_setting("524288", Some("8kB"), "integer").show(),
            "4GB"
        );
        assert_eq!(
            Value::from_setting("1024", Some("MB"), "integer").show(),
            "1GB"
        );
        assert_eq!(
            Value::from_setting("-1", Some("8kB"), "integer").show(),
            "-1"
        );
        assert_eq!(
            Value::from_setting("300", Some("s"), "integer").show(),
            "5min"
        );
        assert_eq!(Value::from_setting("0", Some("ms"), "integer").show(), "0");
        assert_eq!(
            Value::from_setting("1500", Some("ms"), "integer").show(),
            "1500ms"
        );
        assert_eq!(Value::from_setting("0.9", None, "real").show(), "0.9");
        assert_eq!(Value::from_setting("4", None, "real").show(), "4");
        assert_eq!(Value::from_setting("on", None, "bool"), Value::Bool(true));
        assert_eq!(Value::from_setting("", None, "string").show(), "''");
    }

    #[test]
    fn configuration_file_values_read_with_their_suffix() {
        let unit = Some("ms");
        assert_eq!(
            Value::from_input("'10min'", unit, "integer"),
            Value::Millis(600_000.0)
        );
        assert_eq!(
            Value::from_input("250", unit, "integer"),
            Value::Millis(250.0)
        );
        assert_eq!(
            Value::from_input("256MB", Some("8kB"), "integer").show(),
            "256MB"
        );
        assert_eq!(
            Value::from_input("32768", Some("8kB"), "integer").show(),
            "256MB"
        );
        assert_eq!(Value::from_input("off", None, "bool"), Value::Bool(false));
        assert_eq!(
            Value::from_input("10 parsecs", unit, "integer"),
            Value::Text("10 parsecs".to_owned())
        );
    }
}
