//! The console's settings: the command line over the chosen profile over the config file
//! over the defaults.
//!
//! The file is TOML at `$PGMEDIC_CONFIG`, else `$XDG_CONFIG_HOME/pgmedic/config.toml`, else
//! `~/.config/pgmedic/config.toml`; a missing file is no error, a malformed one is one line
//! naming the file and the line.
//!
//! ```toml
//! theme = "light"      # or high-contrast, no-color, or a path to a theme file
//! refresh = "5s"
//! read_only = true
//! pgbouncer = "postgresql://admin@127.0.0.1:6432/pgbouncer"
//!
//! [profiles.prod]      # pgmedic --profile prod (also for report and check)
//! host = "db1.internal"
//! dbname = "shop"
//! user = "dba"
//! sslmode = "verify-full"
//! read_only = true
//!
//! [thresholds]         # what check and the panes judge by
//! connections_pct = { warn = 70, critical = 85 }
//! idle_in_transaction_secs = { critical = 120 }
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::cli::{ConnArgs, TuiArgs, parse_interval};
use crate::conn::{ConnParams, Env};
use crate::diagnose::health::Thresholds;
use crate::pgbouncer::AdminUrl;

/// Defaults when neither the command line nor the file says.
pub const DEFAULT_REFRESH: Duration = Duration::from_secs(2);
pub const DEFAULT_THEME: &str = "dark";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config file {path}: {reason}")]
    File { path: String, reason: String },
}

/// What the config file may say.
#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub theme: Option<String>,
    pub refresh: Option<String>,
    pub read_only: Option<bool>,
    pub pgbouncer: Option<AdminUrl>,
    /// Named connections: `[profiles.NAME]`.
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
    /// Threshold overrides by name (see [`THRESHOLDS`]).
    #[serde(default)]
    pub thresholds: BTreeMap<String, Bounds>,
}

/// A named connection, and how the console behaves on it. Any libpq option not listed here
/// goes into `conninfo`; a password never goes into the file (~/.pgpass is for that).
#[derive(Debug, Default, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// A URL or key=value connection string; the keys below win over it.
    pub conninfo: Option<String>,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub user: Option<String>,
    pub dbname: Option<String>,
    pub service: Option<String>,
    pub sslmode: Option<String>,
    pub sslrootcert: Option<String>,
    pub sslcert: Option<String>,
    pub sslkey: Option<String>,
    pub connect_timeout: Option<u32>,
    pub theme: Option<String>,
    pub refresh: Option<String>,
    pub read_only: Option<bool>,
    /// PgBouncer's admin console in front of this server.
    pub pgbouncer: Option<AdminUrl>,
    /// Refused with a reason: a password does not belong in a config file.
    password: Option<toml::Value>,
}

impl Profile {
    /// The profile's connection options as connection strings, the first winning: its own
    /// keys, then its `conninfo`.
    #[must_use]
    pub fn connection_strings(&self) -> Vec<String> {
        let port = self.port.map(|p| p.to_string());
        let timeout = self.connect_timeout.map(|t| t.to_string());
        let keys: Vec<String> = [
            ("host", self.host.as_deref()),
            ("port", port.as_deref()),
            ("user", self.user.as_deref()),
            ("dbname", self.dbname.as_deref()),
            ("service", self.service.as_deref()),
            ("sslmode", self.sslmode.as_deref()),
            ("sslrootcert", self.sslrootcert.as_deref()),
            ("sslcert", self.sslcert.as_deref()),
            ("sslkey", self.sslkey.as_deref()),
            ("connect_timeout", timeout.as_deref()),
        ]
        .into_iter()
        .filter_map(|(key, value)| Some(format!("{key}={}", crate::conn::quote_value(value?))))
        .collect();
        let mut strings = Vec::new();
        if !keys.is_empty() {
            strings.push(keys.join(" "));
        }
        strings.extend(self.conninfo.clone());
        strings
    }
}

/// A threshold's bounds as the file gives them; either may be left out.
#[derive(Debug, Default, Clone, Copy, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Bounds {
    pub warn: Option<f64>,
    pub critical: Option<f64>,
}

/// A threshold that the file and `check --threshold` can set.
pub struct Threshold {
    pub name: &'static str,
    pub about: &'static str,
    /// Its warn and critical bounds in [`Thresholds`].
    pub bounds: fn(&mut Thresholds) -> (&mut f64, &mut f64),
    /// Higher values are worse (all but the cache hit ratio).
    pub higher_is_worse: bool,
}

/// One [`Threshold`] per field of [`Thresholds`], named after it.
macro_rules! thresholds {
    ($($field:ident: $about:literal,)*) => {
        &[$(Threshold {
            name: stringify!($field),
            about: $about,
            bounds: |t| {
                let bounds = &mut t.$field;
                (&mut bounds.warn, &mut bounds.critical)
            },
            higher_is_worse: {
                const DEFAULTS: Thresholds = Thresholds::DEFAULT;
                DEFAULTS.$field.higher_is_worse()
            },
        },)*]
    };
}

/// Every threshold by name, in the order `--help` lists them.
pub const THRESHOLDS: &[Threshold] = thresholds! {
    connections_pct: "connections in use, % of max_connections less the superuser reserve",
    idle_in_transaction_secs: "oldest session idle in transaction, seconds",
    lock_wait_secs: "longest wait for a lock, seconds",
    transaction_age_secs: "oldest open transaction, seconds",
    cache_hit_pct: "buffer cache hit ratio over the interval, % (lower is worse)",
    temp_bytes_per_sec: "temporary file bytes written per second",
    deadlocks: "deadlocks in the interval",
    xid_age: "transaction id age of the oldest database",
    mxid_age: "multixact id age of the oldest database",
    replication_lag_secs: "replication replay lag, seconds",
    replication_lag_bytes: "replication lag, bytes of WAL",
    statement_mean_ms: "a statement's mean execution time since the statistics reset, ms",
};

/// Sets one threshold by name; an unknown name is an error listing the known ones, and so is
/// a warning bound past the critical one (with the bounds it would leave).
pub fn set_threshold(
    thresholds: &mut Thresholds,
    name: &str,
    bounds: Bounds,
) -> Result<(), String> {
    let threshold = THRESHOLDS.iter().find(|t| t.name == name).ok_or_else(|| {
        let known: Vec<&str> = THRESHOLDS.iter().map(|t| t.name).collect();
        format!("unknown threshold {name:?} (known: {})", known.join(", "))
    })?;
    let (warn, critical) = (threshold.bounds)(thresholds);
    let new_warn = bounds.warn.unwrap_or(*warn);
    let new_critical = bounds.critical.unwrap_or(*critical);
    let (past, worse) = if threshold.higher_is_worse {
        (new_warn > new_critical, "above")
    } else {
        (new_warn < new_critical, "below")
    };
    if past {
        return Err(format!(
            "{name}: warning {new_warn} is {worse} critical {new_critical} (it would never \
             warn before it is critical)"
        ));
    }
    *warn = new_warn;
    *critical = new_critical;
    Ok(())
}

/// Parses `NAME=WARN:CRITICAL` (either side may be empty: `xid_age=:1.2e9`).
pub fn parse_threshold(text: &str) -> Result<(String, Bounds), String> {
    let (name, values) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?} is not NAME=WARN:CRITICAL"))?;
    let (warn, critical) = values.split_once(':').unwrap_or((values, ""));
    let number = |s: &str| -> Result<Option<f64>, String> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        s.parse::<f64>()
            .map(Some)
            .map_err(|_| format!("{s:?} is not a number in {text:?}"))
    };
    let bounds = Bounds {
        warn: number(warn)?,
        critical: number(critical)?,
    };
    if bounds.warn.is_none() && bounds.critical.is_none() {
        return Err(format!("{text:?} sets neither bound (NAME=WARN:CRITICAL)"));
    }
    set_threshold(&mut Thresholds::default(), name.trim(), bounds)?;
    Ok((name.trim().to_owned(), bounds))
}

/// The settings the console runs with.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub refresh: Duration,
    pub read_only: bool,
    pub theme: String,
    pub thresholds: Thresholds,
    /// PgBouncer's admin console, if any.
    pub pgbouncer: Option<AdminUrl>,
}

/// The config file as read, with where it came from (for messages).
#[derive(Debug, Default)]
pub struct Config {
    pub file: ConfigFile,
    path: Option<PathBuf>,
    text: String,
}

impl Config {
    /// Reads the config file, if there is one.
    pub fn load() -> Result<Self, ConfigError> {
        match config_path() {
            Some(path) => Self::read(&path),
            None => Ok(Self::default()),
        }
    }

    /// Reads the file at `path` (a missing file is an empty configuration).
    pub fn read(path: &Path) -> Result<Self, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text, Some(path)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self {
                path: Some(path.to_owned()),
                ..Self::default()
            }),
            Err(e) => Err(ConfigError::File {
                path: path.display().to_string(),
                reason: e.to_string(),
            }),
        }
    }

    /// Parses the text of a config file and checks what serde cannot (intervals, threshold
    /// names, passwords); errors name the line.
    pub fn parse(text: &str, path: Option<&Path>) -> Result<Self, ConfigError> {
        let file: ConfigFile = toml::from_str(text).map_err(|e| {
            let at = e.span().map_or_else(String::new, |s| {
                format!("line {}: ", line_at(text, s.start))
            });
            ConfigError::File {
                path: shown(path),
                reason: format!("{at}{}", e.message().trim()),
            }
        })?;
        let config = Self {
            file,
            path: path.map(Path::to_owned),
            text: text.to_owned(),
        };
        config.check()?;
        Ok(config)
    }

    fn error(&self, section: Option<&str>, key: &str, reason: &str) -> ConfigError {
        let line =
            line_of(&self.text, section, key).map_or_else(String::new, |l| format!("line {l}: "));
        ConfigError::File {
            path: shown(self.path.as_deref()),
            reason: format!("{line}{key}: {reason}"),
        }
    }

    fn check(&self) -> Result<(), ConfigError> {
        if let Some(refresh) = &self.file.refresh {
            parse_interval(refresh).map_err(|r| self.error(None, "refresh", &r))?;
        }
        for (name, profile) in &self.file.profiles {
            let section = format!("profiles.{name}");
            if profile.password.is_some() {
                return Err(self.error(
                    Some(&section),
                    "password",
                    "a password does not belong in the config file: use ~/.pgpass, PGPASSFILE \
                     or PGPASSWORD",
                ));
            }
            if let Some(refresh) = &profile.refresh {
                parse_interval(refresh).map_err(|r| self.error(Some(&section), "refresh", &r))?;
            }
        }
        let mut thresholds = Thresholds::default();
        for (name, bounds) in &self.file.thresholds {
            set_threshold(&mut thresholds, name, *bounds)
                .map_err(|r| self.error(Some("thresholds"), name, &r))?;
        }
        Ok(())
    }

    /// The profile called `name` (`None` asked, `None` given); an unknown name is an error
    /// listing the defined ones.
    pub fn profile(&self, name: Option<&str>) -> Result<Option<&Profile>, ConfigError> {
        let Some(name) = name else {
            return Ok(None);
        };
        self.file.profiles.get(name).map(Some).ok_or_else(|| {
            let known: Vec<&str> = self.file.profiles.keys().map(String::as_str).collect();
            let defined = if known.is_empty() {
                "none is defined".to_owned()
            } else {
                format!("defined: {}", known.join(", "))
            };
            ConfigError::File {
                path: shown(self.path.as_deref()),
                reason: format!("no profile {name:?} ({defined})"),
            }
        })
    }

    /// The connection parameters of `conn`, with its `--profile` below what it gives.
    pub fn connection(&self, conn: &ConnArgs) -> Result<ConnParams, crate::Error> {
        let profile = self.profile(conn.profile.as_deref())?;
        let strings = profile.map(Profile::connection_strings).unwrap_or_default();
        Ok(ConnParams::resolve_with_profile(
            &conn.request(),
            &strings,
            &Env::from_process(),
        )?)
    }

    /// The thresholds: the defaults with the file's overrides.
    #[must_use]
    pub fn thresholds(&self) -> Thresholds {
        let mut thresholds = Thresholds::default();
        for (name, bounds) in &self.file.thresholds {
            // Names were checked when the file was parsed.
            let _ = set_threshold(&mut thresholds, name, *bounds);
        }
        thresholds
    }

    /// The console's settings: the command line over the profile over the file.
    pub fn settings(
        &self,
        args: &TuiArgs,
        profile: Option<&Profile>,
    ) -> Result<Settings, ConfigError> {
        let file = &self.file;
        let refresh = profile
            .and_then(|p| p.refresh.as_deref())
            .or(file.refresh.as_deref())
            .map(parse_interval)
            .transpose()
            .map_err(|r| self.error(None, "refresh", &r))?;
        Ok(Settings {
            refresh: args.refresh.or(refresh).unwrap_or(DEFAULT_REFRESH),
            read_only: args.read_only
                || profile
                    .and_then(|p| p.read_only)
                    .or(file.read_only)
                    .unwrap_or(false),
            theme: args
                .theme
                .clone()
                .or_else(|| profile.and_then(|p| p.theme.clone()))
                .or_else(|| file.theme.clone())
                .unwrap_or_else(|| DEFAULT_THEME.to_owned()),
            thresholds: self.thresholds(),
            pgbouncer: args
                .pgbouncer
                .clone()
                .or_else(|| profile.and_then(|p| p.pgbouncer.clone()))
                .or_else(|| file.pgbouncer.clone()),
        })
    }
}

impl Settings {
    /// Reads the config file (if any) and lets the command line override it.
    pub fn load(args: &TuiArgs) -> Result<Self, ConfigError> {
        Config::load()?.settings(args, None)
    }
}

fn shown(path: Option<&Path>) -> String {
    path.map_or_else(|| "?".to_owned(), |p| p.display().to_string())
}

/// The 1-based line of byte offset `at`.
fn line_at(text: &str, at: usize) -> usize {
    text.get(..at).unwrap_or(text).matches('\n').count() + 1
}

/// The line where `key` is set, inside `[section]` when given.
fn line_of(text: &str, section: Option<&str>, key: &str) -> Option<usize> {
    let mut inside = section.is_none();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if let Some(header) = line.strip_prefix('[') {
            let name = header.trim_end_matches(']').trim();
            inside = section == Some(name);
            continue;
        }
        let is_key = line
            .strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with('='));
        if inside && is_key {
            return Some(i + 1);
        }
    }
    None
}

/// Where the config file is looked for (it may not exist).
fn config_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("PGMEDIC_CONFIG") {
        return Some(PathBuf::from(path));
    }
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("pgmedic").join("config.toml"))
}

#[cfg(test)]
mod tests;
