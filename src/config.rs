//! The console's settings: the command line over the config file over the defaults.
//!
//! The file is TOML at `$PGMEDIC_CONFIG`, else `$XDG_CONFIG_HOME/pgmedic/config.toml`, else
//! `~/.config/pgmedic/config.toml`; a missing file is no error, a malformed one is one line
//! naming the file.
//!
//! ```toml
//! theme = "light"      # or high-contrast, no-color, or a path to a theme file
//! refresh = "5s"
//! read_only = true
//! pgbouncer = "postgresql://admin@127.0.0.1:6432/pgbouncer"
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::cli::{TuiArgs, parse_interval};
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
#[derive(Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub theme: Option<String>,
    pub refresh: Option<String>,
    pub read_only: Option<bool>,
    pub pgbouncer: Option<AdminUrl>,
}

/// The settings the console runs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub refresh: Duration,
    pub read_only: bool,
    pub theme: String,
    /// PgBouncer's admin console, if any.
    pub pgbouncer: Option<AdminUrl>,
}

impl Settings {
    /// Reads the config file (if any) and lets the command line override it.
    pub fn load(args: &TuiArgs) -> Result<Self, ConfigError> {
        let file = match config_path() {
            Some(path) => read(&path)?,
            None => ConfigFile::default(),
        };
        Self::resolve(args, &file, config_path().as_deref())
    }

    /// Combines the command line and a parsed file (`path` only names it in errors).
    pub fn resolve(
        args: &TuiArgs,
        file: &ConfigFile,
        path: Option<&Path>,
    ) -> Result<Self, ConfigError> {
        let from_file = match &file.refresh {
            Some(text) => Some(parse_interval(text).map_err(|reason| ConfigError::File {
                path: path.map_or_else(|| "?".to_owned(), |p| p.display().to_string()),
                reason: format!("refresh: {reason}"),
            })?),
            None => None,
        };
        Ok(Self {
            refresh: args.refresh.or(from_file).unwrap_or(DEFAULT_REFRESH),
            read_only: args.read_only || file.read_only.unwrap_or(false),
            theme: args
                .theme
                .clone()
                .or_else(|| file.theme.clone())
                .unwrap_or_else(|| DEFAULT_THEME.to_owned()),
            pgbouncer: args.pgbouncer.clone().or_else(|| file.pgbouncer.clone()),
        })
    }
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

fn read(path: &Path) -> Result<ConfigFile, ConfigError> {
    let error = |reason: String| ConfigError::File {
        path: path.display().to_string(),
        reason,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => toml::from_str(&text).map_err(|e| error(e.message().to_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ConfigFile::default()),
        Err(e) => Err(error(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(refresh: Option<u64>, theme: Option<&str>, read_only: bool) -> TuiArgs {
        TuiArgs {
            refresh: refresh.map(Duration::from_secs),
            read_only,
            theme: theme.map(str::to_owned),
            pgbouncer: None,
        }
    }

    #[test]
    fn the_command_line_beats_the_file_which_beats_the_defaults() {
        let file: ConfigFile =
            toml::from_str("theme = \"light\"\nrefresh = \"5s\"\nread_only = true").unwrap();
        let s = Settings::resolve(&args(None, None, false), &file, None).unwrap();
        assert_eq!(
            s,
            Settings {
                refresh: Duration::from_secs(5),
                read_only: true,
                theme: "light".into(),
                pgbouncer: None,
            }
        );
        let s = Settings::resolve(&args(Some(1), Some("dark"), false), &file, None).unwrap();
        assert_eq!(
            (s.refresh, s.theme.as_str(), s.read_only),
            (Duration::from_secs(1), "dark", true)
        );
        let s = Settings::resolve(&args(None, None, false), &ConfigFile::default(), None).unwrap();
        assert_eq!(
            (s.refresh, s.theme.as_str(), s.read_only),
            (DEFAULT_REFRESH, DEFAULT_THEME, false)
        );
    }

    #[test]
    fn bad_files_are_one_line_errors() {
        assert!(
            toml::from_str::<ConfigFile>("colour = \"red\"").is_err(),
            "unknown keys are refused"
        );
        let file = ConfigFile {
            refresh: Some("soon".into()),
            ..ConfigFile::default()
        };
        let err = Settings::resolve(
            &args(None, None, false),
            &file,
            Some(Path::new("/x/config.toml")),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("config file /x/config.toml: refresh:"),
            "{err}"
        );
        assert!(!err.contains('\n'));
    }

    #[test]
    fn a_missing_file_is_no_error() {
        assert_eq!(
            read(Path::new("/nonexistent/pgmedic.toml")).unwrap(),
            ConfigFile::default()
        );
    }
}
