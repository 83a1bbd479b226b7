//! The connection options libpq knows, the environment variable that supplies each one's
//! default, and `Options`: a set of them keyed by canonical name.
//!
//! Only names from this table can be stored, so a typo is caught where it is parsed.

use std::collections::BTreeMap;

/// Every option libpq accepts, with its environment variable (`None`: no variable).
const KEYS: &[(&str, Option<&str>)] = &[
    ("host", Some("PGHOST")),
    ("hostaddr", Some("PGHOSTADDR")),
    ("port", Some("PGPORT")),
    ("dbname", Some("PGDATABASE")),
    ("user", Some("PGUSER")),
    ("password", Some("PGPASSWORD")),
    ("passfile", Some("PGPASSFILE")),
    ("service", Some("PGSERVICE")),
    ("servicefile", None),
    ("connect_timeout", Some("PGCONNECT_TIMEOUT")),
    ("options", Some("PGOPTIONS")),
    ("application_name", Some("PGAPPNAME")),
    ("fallback_application_name", None),
    ("client_encoding", Some("PGCLIENTENCODING")),
    ("sslmode", Some("PGSSLMODE")),
    ("sslrootcert", Some("PGSSLROOTCERT")),
    ("sslcert", Some("PGSSLCERT")),
    ("sslkey", Some("PGSSLKEY")),
    ("sslpassword", None),
    ("sslcrl", Some("PGSSLCRL")),
    ("sslcrldir", Some("PGSSLCRLDIR")),
    ("sslcompression", Some("PGSSLCOMPRESSION")),
    ("sslsni", Some("PGSSLSNI")),
    ("sslnegotiation", Some("PGSSLNEGOTIATION")),
    ("sslcertmode", Some("PGSSLCERTMODE")),
    ("ssl_min_protocol_version", Some("PGSSLMINPROTOCOLVERSION")),
    ("ssl_max_protocol_version", Some("PGSSLMAXPROTOCOLVERSION")),
    ("requirepeer", Some("PGREQUIREPEER")),
    ("require_auth", Some("PGREQUIREAUTH")),
    ("channel_binding", Some("PGCHANNELBINDING")),
    ("gssencmode", Some("PGGSSENCMODE")),
    ("krbsrvname", Some("PGKRBSRVNAME")),
    ("gsslib", Some("PGGSSLIB")),
    ("gssdelegation", Some("PGGSSDELEGATION")),
    ("target_session_attrs", Some("PGTARGETSESSIONATTRS")),
    ("load_balance_hosts", Some("PGLOADBALANCEHOSTS")),
    ("keepalives", None),
    ("keepalives_idle", None),
    ("keepalives_interval", None),
    ("keepalives_count", None),
    ("tcp_user_timeout", None),
    ("replication", None),
    ("min_protocol_version", Some("PGMINPROTOCOLVERSION")),
    ("max_protocol_version", Some("PGMAXPROTOCOLVERSION")),
];

/// The canonical `'static` name of a known option, or `None` for an unknown one.
#[must_use]
pub fn known(name: &str) -> Option<&'static str> {
    KEYS.iter().find(|(k, _)| *k == name).map(|(k, _)| *k)
}

/// Every known option with its environment variable, in libpq's order.
pub fn with_env_vars() -> impl Iterator<Item = (&'static str, &'static str)> {
    KEYS.iter().filter_map(|(k, v)| v.map(|v| (*k, v)))
}

/// A set of connection options; a later value for the same option replaces the earlier one.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Options {
    values: BTreeMap<&'static str, String>,
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = self.values.iter().map(|(k, v)| {
            let v = if *k == "password" { "<hidden>" } else { v };
            (*k, v)
        });
        f.debug_map().entries(shown).finish()
    }
}

impl Options {
    /// Sets a known option (the name must come from the table: see [`known`]).
    pub fn set(&mut self, key: &'static str, value: impl Into<String>) {
        self.values.insert(key, value.into());
    }

    /// Sets an option only when it has no value yet.
    pub fn set_default(&mut self, key: &'static str, value: impl Into<String>) {
        self.values.entry(key).or_insert_with(|| value.into());
    }

    #[must_use]
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    pub fn remove(&mut self, key: &str) -> Option<String> {
        self.values.remove(key)
    }

    /// Copies every option of `other` over this one.
    pub fn merge(&mut self, other: Options) {
        self.values.extend(other.values);
    }

    /// Copies the options of `other` that this one has no value for.
    pub fn fill_from(&mut self, other: Options) {
        for (key, value) in other.values {
            self.values.entry(key).or_insert(value);
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.values.iter().map(|(k, v)| (*k, v.as_str()))
    }

    /// Renders as a key=value conninfo string that parses back to the same options.
    #[must_use]
    pub fn to_conninfo(&self) -> String {
        self.iter()
            .map(|(k, v)| format!("{k}={}", quote(v)))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Quotes a value for a key=value conninfo string (single quotes, `\'` and `\\` escaped).
#[must_use]
pub fn quote(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| !c.is_whitespace() && c != '\'' && c != '\\');
    if plain {
        return value.to_owned();
    }
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if c == '\'' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        for (value, quoted) in [
            ("plain", "plain"),
            ("", "''"),
            ("two words", "'two words'"),
            ("it's", r"'it\'s'"),
            (r"back\slash", r"'back\\slash'"),
        ] {
            assert_eq!(quote(value), quoted, "{value:?}");
        }
    }

    #[test]
    fn debug_hides_the_password() {
        let mut o = Options::default();
        o.set("user", "bob");
        o.set("password", "hunter2");
        let shown = format!("{o:?}");
        assert!(
            shown.contains("bob") && !shown.contains("hunter2"),
            "{shown}"
        );
    }

    #[test]
    fn only_known_names() {
        assert_eq!(known("sslmode"), Some("sslmode"));
        assert_eq!(known("sslmod"), None);
        assert!(with_env_vars().any(|(k, v)| k == "application_name" && v == "PGAPPNAME"));
    }
}
