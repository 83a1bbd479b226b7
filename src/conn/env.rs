//! The parts of the process's surroundings that connecting depends on: environment variables,
//! the home directory, the OS user name and libpq's default socket directory.
//!
//! Resolution reads them only through `Env`, so tests describe a fake one instead of changing
//! the process environment.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Where libpq (as Debian builds it) looks for the server's socket by default.
pub const DEFAULT_SOCKET_DIR: &str = "/var/run/postgresql";
/// Where Debian's libpq looks for the system-wide `pg_service.conf` without `PGSYSCONFDIR`.
pub const DEFAULT_SYSCONF_DIR: &str = "/etc/postgresql-common";

/// A snapshot of the environment that connection settings are resolved against.
#[derive(Clone)]
pub struct Env {
    vars: HashMap<String, String>,
    home: Option<PathBuf>,
    os_user: Option<String>,
    socket_dir: PathBuf,
}

impl std::fmt::Debug for Env {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<&String> = self.vars.keys().collect();
        names.sort();
        f.debug_struct("Env")
            .field("vars", &names)
            .field("home", &self.home)
            .field("os_user", &self.os_user)
            .field("socket_dir", &self.socket_dir)
            .finish()
    }
}

impl Default for Env {
    fn default() -> Self {
        Self::empty()
    }
}

impl Env {
    /// No variables, no home directory, no OS user; the default socket directory.
    #[must_use]
    pub fn empty() -> Self {
        Env {
            vars: HashMap::new(),
            home: None,
            os_user: None,
            socket_dir: PathBuf::from(DEFAULT_SOCKET_DIR),
        }
    }

    /// The real environment of this process (variables that are not UTF-8 are left out).
    #[must_use]
    pub fn from_process() -> Self {
        let user = nix::unistd::User::from_uid(nix::unistd::geteuid())
            .ok()
            .flatten();
        let vars: HashMap<String, String> = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        let home = vars
            .get("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from)
            .or_else(|| user.as_ref().map(|u| u.dir.clone()));
        Env {
            vars,
            home,
            os_user: user.map(|u| u.name),
            socket_dir: PathBuf::from(DEFAULT_SOCKET_DIR),
        }
    }

    /// Sets a variable.
    #[must_use]
    pub fn with_var(mut self, name: &str, value: &str) -> Self {
        self.vars.insert(name.to_owned(), value.to_owned());
        self
    }

    /// Sets the home directory (where `.pgpass`, `.pg_service.conf` and `.postgresql/` live).
    #[must_use]
    pub fn with_home(mut self, home: impl Into<PathBuf>) -> Self {
        self.home = Some(home.into());
        self
    }

    /// Sets the OS user name (the default user).
    #[must_use]
    pub fn with_os_user(mut self, user: &str) -> Self {
        self.os_user = Some(user.to_owned());
        self
    }

    /// Sets the socket directory used when no host is given and the directory exists.
    #[must_use]
    pub fn with_socket_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.socket_dir = dir.into();
        self
    }

    /// A variable's value; an empty value counts as unset, as libpq treats it.
    #[must_use]
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    #[must_use]
    pub fn home(&self) -> Option<&Path> {
        self.home.as_deref()
    }

    #[must_use]
    pub fn os_user(&self) -> Option<&str> {
        self.os_user.as_deref()
    }

    #[must_use]
    pub fn socket_dir(&self) -> &Path {
        &self.socket_dir
    }

    /// A path under the home directory, e.g. `.pgpass`.
    #[must_use]
    pub fn in_home(&self, name: &str) -> Option<PathBuf> {
        self.home.as_ref().map(|h| h.join(name))
    }
}
