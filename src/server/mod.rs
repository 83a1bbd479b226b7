//! What the server is and what this role may do, probed once per connection, and the one helper
//! that picks a SQL variant for it.
//!
//! Panes never guess from `server_version_num` alone where an extension's own version decides
//! the columns (an upgraded server often carries an old pg_stat_statements).

use tokio_postgres::Client;
use tokio_postgres::Row;

const PROBE: &str = include_str!("probe.sql");
const EXTENSIONS: &str = include_str!("extensions.sql");
/// The settings of every monitoring session, given as startup options so they hold for the
/// session's whole life: read-only, and bounded in time and in lock waits (catalog size
/// functions block behind ACCESS EXCLUSIVE locks).
pub const MONITORING_SETTINGS: &[(&str, &str)] = &[
    ("statement_timeout", "3s"),
    ("lock_timeout", "500ms"),
    ("idle_in_transaction_session_timeout", "30s"),
    ("default_transaction_read_only", "on"),
    // Catalog reads over many thousand relations cost enough to be JIT-compiled, which
    // takes longer than running them.
    ("jit", "off"),
];

/// The extensions pgmedic uses when they are there.
pub const KNOWN_EXTENSIONS: &[&str] = &[
    "pg_stat_statements",
    "hypopg",
    "pgstattuple",
    "pg_qualstats",
];

/// Oldest server version pgmedic supports.
pub const MIN_VERSION_NUM: u32 = 120_000;

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("{0}")]
    Query(String),
    #[error("PostgreSQL {0} is not supported (pgmedic needs 12 or newer)")]
    TooOld(String),
    #[error("the server returned no row for the current role")]
    NoRole,
    #[error(
        "the monitoring session's settings did not take effect (default_transaction_read_only \
         is {0}): is this a connection pooler? Connect to PostgreSQL directly"
    )]
    SettingsIgnored(String),
}

/// An extension pgmedic knows, as this database sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    pub name: String,
    /// Version installed in this database (`CREATE EXTENSION` done), if any.
    pub installed: Option<String>,
    /// Version `CREATE EXTENSION` would install (the files are on the server).
    pub available: String,
}

/// The role's monitoring-relevant privileges.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "each flag is an independent privilege"
)]
pub struct Privileges {
    pub superuser: bool,
    pub pg_monitor: bool,
    pub pg_read_all_stats: bool,
    pub pg_signal_backend: bool,
}

impl Privileges {
    /// True when other roles' queries and states in pg_stat_activity are visible.
    #[must_use]
    pub fn sees_all_activity(self) -> bool {
        self.superuser || self.pg_monitor || self.pg_read_all_stats
    }
}

/// Everything probed about the server at connect time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerInfo {
    pub version_num: u32,
    /// `server_version`, e.g. "15.18 (Debian 15.18-0+deb12u1)".
    pub version: String,
    pub is_standby: bool,
    pub role: String,
    pub database: String,
    /// The monitoring session's own backend pid.
    pub backend_pid: i32,
    pub privileges: Privileges,
    pub max_connections: i32,
    pub superuser_reserved_connections: i32,
    /// `None` when the role may not read the setting (superuser or pg_read_all_settings only).
    pub shared_preload_libraries: Option<Vec<String>>,
    /// The session's own `default_transaction_read_only`, as the server applies it.
    pub read_only_session: bool,
    pub extensions: Vec<Extension>,
}

impl ServerInfo {
    /// A primary of `version_num` reached as `postgres`, with nothing else probed: for tests
    /// and benchmarks that need a server's description, not a server.
    #[doc(hidden)]
    #[must_use]
    pub fn example(version_num: u32) -> Self {
        Self {
            version_num,
            version: format!("{}.{}", version_num / 10_000, version_num % 100),
            is_standby: false,
            role: "postgres".to_owned(),
            database: "trading".to_owned(),
            backend_pid: 1,
            privileges: Privileges::default(),
            max_connections: 100,
            superuser_reserved_connections: 3,
            shared_preload_libraries: Some(Vec::new()),
            read_only_session: true,
            extensions: Vec::new(),
        }
    }

    /// Probes the server on an open session.
    pub async fn probe(client: &Client) -> Result<Self, ServerError> {
        let row = client
            .query_opt(PROBE, &[])
            .await
            .map_err(|e| ServerError::Query(crate::conn::describe(&e)))?
            .ok_or(ServerError::NoRole)?;
        let mut info = Self::from_row(&row).map_err(|e| ServerError::Query(e.to_string()))?;
        if info.version_num < MIN_VERSION_NUM {
            return Err(ServerError::TooOld(info.version));
        }
        info.extensions = Self::read_extensions(client).await?;
        Ok(info)
    }

    /// The extensions pgmedic uses as this database has them now (one may have been created
    /// or dropped since the probe).
    pub async fn read_extensions(client: &Client) -> Result<Vec<Extension>, ServerError> {
        let rows = client
            .query(EXTENSIONS, &[&KNOWN_EXTENSIONS])
            .await
            .map_err(|e| ServerError::Query(crate::conn::describe(&e)))?;
        rows.iter()
            .map(|r| {
                Ok(Extension {
                    name: r.try_get("name")?,
                    installed: r.try_get("installed_version")?,
                    available: r.try_get("default_version")?,
                })
            })
            .collect::<Result<_, tokio_postgres::Error>>()
            .map_err(|e| ServerError::Query(e.to_string()))
    }

    fn from_row(row: &Row) -> Result<Self, tokio_postgres::Error> {
        let preload: Option<String> = row.try_get("shared_preload_libraries")?;
        Ok(Self {
            version_num: u32::try_from(row.try_get::<_, i32>("version_num")?).unwrap_or(0),
            version: row.try_get("version")?,
            is_standby: row.try_get("is_standby")?,
            role: row.try_get("role")?,
            database: row.try_get("database")?,
            backend_pid: row.try_get("backend_pid")?,
            privileges: Privileges {
                superuser: row.try_get("superuser")?,
                pg_monitor: row.try_get("pg_monitor")?,
                pg_read_all_stats: row.try_get("pg_read_all_stats")?,
                pg_signal_backend: row.try_get("pg_signal_backend")?,
            },
            max_connections: row.try_get("max_connections")?,
            superuser_reserved_connections: row.try_get("superuser_reserved_connections")?,
            shared_preload_libraries: preload.map(|list| {
                list.split(',')
                    .map(|s| s.trim().trim_matches('"').to_owned())
                    .filter(|s| !s.is_empty())
                    .collect()
            }),
            read_only_session: row.try_get::<_, String>("default_transaction_read_only")? == "on",
            extensions: Vec::new(),
        })
    }

    /// The extension as this database sees it (`None`: its files are not on the server).
    #[must_use]
    pub fn extension(&self, name: &str) -> Option<&Extension> {
        self.extensions.iter().find(|e| e.name == name)
    }

    /// The installed version of an extension as a number (1.10 → 110), if installed.
    #[must_use]
    pub fn installed_version(&self, name: &str) -> Option<u32> {
        self.extension(name)?
            .installed
            .as_deref()
            .and_then(extension_version_num)
    }

    /// Major version, e.g. 15.
    #[must_use]
    pub fn major(&self) -> u32 {
        self.version_num / 10_000
    }

    /// Connections ordinary roles can use: max_connections less the superuser reserve.
    #[must_use]
    pub fn usable_connections(&self) -> i32 {
        (self.max_connections - self.superuser_reserved_connections).max(1)
    }

    /// What pg_stat_statements needs before it can be used here, in words; `None` when usable.
    #[must_use]
    pub fn pg_stat_statements_problem(&self) -> Option<String> {
        // A role that cannot read shared_preload_libraries cannot tell: if the extension is
        // created, reading it will say whether the library is loaded.
        let loaded = self
            .shared_preload_libraries
            .as_ref()
            .is_none_or(|libs| libs.iter().any(|l| l == "pg_stat_statements"));
        match self.extension("pg_stat_statements") {
            None => Some(
                "pg_stat_statements is not available on the server: install the PostgreSQL \
                 contrib package, add it to shared_preload_libraries, restart, then CREATE \
                 EXTENSION pg_stat_statements"
                    .to_owned(),
            ),
            Some(_) if !loaded => Some(
                "pg_stat_statements is not loaded: ALTER SYSTEM SET shared_preload_libraries = \
                 'pg_stat_statements' (keep any existing entries), restart the server, then \
                 CREATE EXTENSION pg_stat_statements"
                    .to_owned(),
            ),
            Some(ext) if ext.installed.is_none() => Some(format!(
                "pg_stat_statements is loaded but not created in database {}: run CREATE \
                 EXTENSION pg_stat_statements",
                self.database
            )),
            Some(_) => None,
        }
    }
    /// Without pg_read_all_stats (or pg_monitor, or superuser) pg_stat_statements shows other
    /// roles' statements without text or queryid: what to grant, in words; `None` when it sees
    /// everything.
    #[must_use]
    pub fn pg_stat_statements_privilege_note(&self) -> Option<String> {
        (!self.privileges.sees_all_activity()).then(|| {
            format!(
                "{} sees only its own statements: GRANT pg_read_all_stats TO {}",
                self.role,
                crate::quote::ident(&self.role)
            )
        })
    }
}

/// "1.10" → 110, "1.9" → 109, "2" → 200; `None` for anything else.
#[must_use]
pub fn extension_version_num(text: &str) -> Option<u32> {
    let mut parts = text.split('.');
    let major: u32 = parts.next()?.parse().ok()?;
    let minor: u32 = parts.next().map_or(Some(0), |p| p.parse().ok())?;
    (minor < 100).then_some(major * 100 + minor)
}

/// The variant for the highest minimum version not above what the server has, if any.
///
/// `variants` are `(minimum version, SQL)`; versions are `server_version_num` or an extension
/// version number from [`extension_version_num`], whichever the variants are keyed by.
#[must_use]
pub fn versioned<'a>(variants: &[(u32, &'a str)], have: u32) -> Option<&'a str> {
    variants
        .iter()
        .filter(|(min, _)| *min <= have)
        .max_by_key(|(min, _)| *min)
        .map(|(_, sql)| *sql)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_versions_compare_numerically() {
        assert_eq!(extension_version_num("1.10"), Some(110));
        assert_eq!(extension_version_num("1.9"), Some(109));
        assert!(extension_version_num("1.10") > extension_version_num("1.9"));
        assert_eq!(extension_version_num("2"), Some(200));
        assert_eq!(extension_version_num("1.3.1"), Some(103));
        assert_eq!(extension_version_num("x"), None);
    }

    #[test]
    fn versioned_picks_the_highest_variant_not_above_the_server() {
        let variants = [(0, "old"), (108, "1.8"), (111, "1.11")];
        assert_eq!(versioned(&variants, 107), Some("old"));
        assert_eq!(versioned(&variants, 108), Some("1.8"));
        assert_eq!(versioned(&variants, 110), Some("1.8"));
        assert_eq!(versioned(&variants, 112), Some("1.11"));
        assert_eq!(versioned(&[(130_000, "13")], 120_000), None);
    }
}
