//! Resolving what the user gave into complete connection parameters, with libpq's precedence:
//! explicit (connection string, then -h/-p/-U/-d) > service file > environment > defaults.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use tokio_postgres_rustls::MakeRustlsConnect;

use super::env::Env;
use super::options::{self, Options};
use super::tls::{self, SslMode};
use super::{ConnError, ConnRequest, Result, argv, conninfo, pgpass, service};

/// How long to wait for each server address when `connect_timeout` is not set.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_PORT: u16 = 5432;

/// Fully resolved connection parameters (never shows the password in `Debug`).
#[derive(Clone)]
pub struct ConnParams {
    pub(super) targets: Vec<Target>,
    pub(super) user: String,
    pub(super) dbname: String,
    pub(super) sslmode: SslMode,
    pub(super) tls: MakeRustlsConnect,
    pub(super) connect_timeout: Option<Duration>,
    pub(super) application_name: Option<String>,
    pub(super) load_balance: bool,
    /// Session settings shared by every target (options, keepalives, `target_session_attrs`…).
    pub(super) base: tokio_postgres::Config,
}

/// One server to try: libpq's host / hostaddr / port triple, with the password for it.
#[derive(Clone)]
pub(super) struct Target {
    pub host: Host,
    pub hostaddr: Option<IpAddr>,
    pub port: u16,
    pub password: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Host {
    Tcp(String),
    /// A socket directory; the socket is `<dir>/.s.PGSQL.<port>`.
    Unix(PathBuf),
}

impl std::fmt::Display for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Host::Tcp(name) => f.write_str(name),
            Host::Unix(dir) => write!(f, "{}", dir.display()),
        }
    }
}

impl std::fmt::Debug for ConnParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ConnParams({} sslmode={})", self.summary(), self.sslmode)
    }
}

impl ConnParams {
    /// Resolves a request against the environment (PG* variables, service file, pgpass).
    pub fn resolve(req: &ConnRequest) -> Result<Self> {
        Self::resolve_with(req, &Env::from_process())
    }

    /// Resolves a request against the given environment instead of the process's.
    pub fn resolve_with(req: &ConnRequest, env: &Env) -> Result<Self> {
        Self::resolve_with_profile(req, &[], env)
    }

    /// Resolves a request with a named profile's connection strings below what the user gave
    /// (and above the service file and the environment); the first string that sets an option
    /// wins. A profile may not carry a password: ~/.pgpass and PGPASSWORD are for that.
    pub fn resolve_with_profile(req: &ConnRequest, profile: &[String], env: &Env) -> Result<Self> {
        let mut options = explicit_options(req, env)?;
        for text in profile {
            let defaults = conninfo::parse(text).map_err(ConnError::Invalid)?;
            if defaults.get("password").is_some() {
                return Err(ConnError::Invalid(
                    "a profile of the config file may not hold a password: use ~/.pgpass, \
                     PGPASSFILE or PGPASSWORD"
                        .to_owned(),
                ));
            }
            options.fill_from(defaults);
        }
        let service = options.get("service").or_else(|| env.var("PGSERVICE"));
        if let Some(name) = service {
            let defined = service::lookup(name, options.get("servicefile"), env)
                .map_err(ConnError::Service)?;
            options.fill_from(defined);
        }
        for (key, var) in options::with_env_vars() {
            if let Some(value) = env.var(var) {
                options.set_default(key, value);
            }
        }
        build(&options, env)
    }

    /// These parameters with `-c name=value` startup options added after the user's own, and
    /// keepalives so that a dead network is noticed in seconds rather than hours (unless the
    /// user chose otherwise). Startup options hold for the whole session and cannot leak into
    /// another client's session the way a `SET` through a transaction-pooling proxy would (a
    /// proxy refuses them, or drops them, which the caller can check).
    #[must_use]
    pub fn with_startup_settings(&self, settings: &[(&str, &str)]) -> ConnParams {
        let mut params = self.clone();
        let existing = params.base.get_options().unwrap_or_default().to_owned();
        // Idempotent: parameters that already carry a setting are not given it twice.
        let ours = settings
            .iter()
            .map(|(name, value)| format!("-c {name}={value}"))
            .filter(|option| !existing.contains(option.as_str()));
        let all: Vec<String> = Some(existing.clone())
            .filter(|e| !e.is_empty())
            .into_iter()
            .chain(ours)
            .collect();
        params.base.options(all.join(" "));
        if params.base.get_keepalives_idle() == Duration::from_secs(2 * 60 * 60) {
            params.base.keepalives_idle(Duration::from_secs(10));
        }
        if params.base.get_tcp_user_timeout().is_none() {
            params.base.tcp_user_timeout(Duration::from_secs(20));
        }
        params
    }

    /// `user@host:port/dbname` (every host when there are several), never with the password.
    #[must_use]
    pub fn summary(&self) -> String {
        let hosts: Vec<String> = self
            .targets
            .iter()
            .map(|t| format!("{}:{}", t.host, t.port))
            .collect();
        format!("{}@{}/{}", self.user, hosts.join(","), self.dbname)
    }

    /// The first host: a name, an IP address, or a socket directory (starting with `/`).
    #[must_use]
    pub fn host(&self) -> String {
        self.targets
            .first()
            .map_or_else(String::new, |t| t.host.to_string())
    }

    /// The port of the first host.
    #[must_use]
    pub fn port(&self) -> u16 {
        self.targets.first().map_or(DEFAULT_PORT, |t| t.port)
    }

    #[must_use]
    pub fn user(&self) -> &str {
        &self.user
    }

    #[must_use]
    pub fn dbname(&self) -> &str {
        &self.dbname
    }

    #[must_use]
    pub fn sslmode(&self) -> SslMode {
        self.sslmode
    }

    /// Whether the first host is reached through a unix socket.
    #[must_use]
    pub fn is_unix_socket(&self) -> bool {
        self.targets
            .first()
            .is_some_and(|t| matches!(t.host, Host::Unix(_)))
    }

    /// The same server and credentials, connected to another database of it.
    #[must_use]
    pub fn with_dbname(&self, dbname: &str) -> ConnParams {
        let mut params = self.clone();
        dbname.clone_into(&mut params.dbname);
        params
    }

    /// Uses `password` for every host from now on (e.g. after asking for it).
    pub fn set_password(&mut self, password: &str) {
        for target in &mut self.targets {
            target.password = Some(password.to_owned());
        }
    }

    /// The passwords of `other` (the same parameters with other startup settings, after a
    /// prompt), host by host.
    pub fn passwords_from(&mut self, other: &ConnParams) {
        for (target, theirs) in self.targets.iter_mut().zip(&other.targets) {
            target.password.clone_from(&theirs.password);
        }
    }

    /// The TLS connector sessions are opened with, e.g. for `CancelToken::cancel_query`.
    #[must_use]
    pub fn tls_connector(&self) -> MakeRustlsConnect {
        self.tls.clone()
    }
}

/// The connection string, then -d (itself a connection string when it looks like one), then
/// -h/-p/-U, then a password moved out of argv into the environment.
/// What the user gave, as psql combines it: -h/-p/-U/-d first, then the connection string(s)
/// on top (psql lets `"host=b"` win over `-h a`, since the string is expanded last).
fn explicit_options(req: &ConnRequest, env: &Env) -> Result<Options> {
    let mut options = Options::default();
    if let Some(host) = &req.host {
        options.set("host", host.as_str());
    }
    if let Some(port) = req.port {
        options.set("port", port.to_string());
    }
    if let Some(user) = &req.user {
        options.set("user", user.as_str());
    }
    if let Some(dbname) = &req.dbname {
        if conninfo::is_conninfo(dbname) {
            options.merge(conninfo::parse(dbname).map_err(ConnError::Invalid)?);
        } else {
            options.set("dbname", dbname.as_str());
        }
    }
    if let Some(text) = &req.conninfo {
        options.merge(conninfo::parse(text).map_err(ConnError::Invalid)?);
    }
    if let Some(password) = env.var(argv::PASSWORD_VAR) {
        options.set_default("password", password);
    }
    Ok(options)
}

fn build(options: &Options, env: &Env) -> Result<ConnParams> {
    reject_unsupported(options)?;
    let user = match nonempty(options, "user") {
        Some(user) => user.to_owned(),
        None => env.os_user().map(str::to_owned).ok_or_else(|| {
            ConnError::Invalid("could not determine the OS user name: give one with -U".into())
        })?,
    };
    let dbname = nonempty(options, "dbname").unwrap_or(&user).to_owned();
    let mut targets = targets(options, env)?;
    set_passwords(&mut targets, options, env, &user, &dbname);
    let sslmode: SslMode = options
        .get("sslmode")
        .unwrap_or("prefer")
        .parse()
        .map_err(ConnError::Invalid)?;
    let tls_options = tls::TlsOptions {
        mode: sslmode,
        rootcert: nonempty(options, "sslrootcert"),
        cert: options.get("sslcert"),
        key: nonempty(options, "sslkey"),
        send_cert: choice(options, "sslcertmode", &["allow", "disable", "require"])? != "disable",
    };
    let tls = tls::connector(tls_options, env).map_err(ConnError::Tls)?;
    let application_name = options
        .get("application_name")
        .or_else(|| options.get("fallback_application_name"))
        .map(str::to_owned);
    Ok(ConnParams {
        targets,
        user,
        dbname,
        sslmode,
        tls,
        connect_timeout: connect_timeout(options.get("connect_timeout"))?,
        application_name,
        load_balance: choice(options, "load_balance_hosts", &["disable", "random"])? == "random",
        base: super::settings::base_config(options)?,
    })
}

/// An option's value, an empty one counting as unset (as libpq treats most of them).
fn nonempty<'a>(options: &'a Options, key: &str) -> Option<&'a str> {
    options.get(key).filter(|v| !v.is_empty())
}

/// Options libpq has whose meaning pgmedic cannot deliver: refusing beats silently ignoring.
fn reject_unsupported(options: &Options) -> Result<()> {
    const UNSUPPORTED: &[&str] = &[
        "sslpassword",
        "sslcrl",
        "sslcrldir",
        "requirepeer",
        "require_auth",
        "replication",
    ];
    if let Some(key) = UNSUPPORTED.iter().find(|k| options.get(k).is_some()) {
        return Err(ConnError::Unsupported(format!(
            "the connection option \"{key}\" is not supported by pgmedic"
        )));
    }
    if options.get("gssencmode") == Some("require") {
        return Err(ConnError::Unsupported(
            "gssencmode=require is not supported by pgmedic (GSSAPI encryption)".into(),
        ));
    }
    if options.get("sslcertmode") == Some("require") {
        return Err(ConnError::Unsupported(
            "sslcertmode=require is not supported by pgmedic".into(),
        ));
    }
    Ok(())
}

/// The value of an option that must be one of `allowed` (the first is the default).
pub(super) fn choice<'a>(options: &'a Options, key: &str, allowed: &[&'a str]) -> Result<&'a str> {
    let value = options.get(key).unwrap_or(allowed[0]);
    if allowed.contains(&value) {
        Ok(value)
    } else {
        Err(ConnError::Invalid(format!(
            "invalid {key} value: \"{value}\""
        )))
    }
}

/// libpq's rule: none or ≤ 0 waits forever; 1 is raised to 2 s. pgmedic's default is 10 s.
fn connect_timeout(value: Option<&str>) -> Result<Option<Duration>> {
    let Some(text) = value else {
        return Ok(Some(DEFAULT_CONNECT_TIMEOUT));
    };
    let seconds: i64 = text.trim().parse().map_err(|_| {
        ConnError::Invalid(format!(
            "invalid integer value \"{text}\" for connection option \"connect_timeout\""
        ))
    })?;
    Ok(match seconds {
        ..=0 => None,
        1 => Some(Duration::from_secs(2)),
        s => Some(Duration::from_secs(s.unsigned_abs())),
    })
}

// ─── Hosts and ports ────────────────────────────────────────────────────────────────────────

fn list(value: Option<&str>) -> Vec<&str> {
    match value {
        None | Some("") => Vec::new(),
        Some(text) => text.split(',').map(str::trim).collect(),
    }
}

/// Pairs the host, hostaddr and port lists as libpq does.
fn targets(options: &Options, env: &Env) -> Result<Vec<Target>> {
    let hosts = list(options.get("host"));
    let hostaddrs = list(options.get("hostaddr"));
    let ports = list(options.get("port"));
    let count = hosts.len().max(hostaddrs.len()).max(1);
    if !hosts.is_empty() && !hostaddrs.is_empty() && hosts.len() != hostaddrs.len() {
        return Err(ConnError::Invalid(format!(
            "could not match {} host names to {} hostaddr values",
            hosts.len(),
            hostaddrs.len()
        )));
    }
    if ports.len() > 1 && ports.len() != count {
        return Err(ConnError::Invalid(format!(
            "could not match {} port numbers to {count} hosts",
            ports.len()
        )));
    }
    (0..count)
        .map(|i| {
            let hostaddr = match hostaddrs.get(i).filter(|a| !a.is_empty()) {
                Some(text) => Some(text.parse::<IpAddr>().map_err(|_| {
                    ConnError::Invalid(format!("invalid IP address in hostaddr: \"{text}\""))
                })?),
                None => None,
            };
            let host = match (hosts.get(i).filter(|h| !h.is_empty()), hostaddr) {
                (Some(h), _) if h.starts_with('/') => Host::Unix(PathBuf::from(h)),
                (Some(h), _) => Host::Tcp((*h).to_owned()),
                (None, Some(addr)) => Host::Tcp(addr.to_string()),
                (None, None) => default_host(env),
            };
            let port = ports
                .get(i)
                .or_else(|| ports.first().filter(|_| ports.len() == 1))
                .copied();
            Ok(Target {
                host,
                hostaddr,
                port: parse_port(port)?,
                password: None,
            })
        })
        .collect()
}

fn default_host(env: &Env) -> Host {
    if env.socket_dir().is_dir() {
        Host::Unix(env.socket_dir().to_path_buf())
    } else {
        Host::Tcp("localhost".to_owned())
    }
}

fn parse_port(text: Option<&str>) -> Result<u16> {
    match text.filter(|t| !t.is_empty()) {
        None => Ok(DEFAULT_PORT),
        Some(text) => text
            .parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| ConnError::Invalid(format!("invalid port number: \"{text}\""))),
    }
}

/// The given password for every target; else each target's line from the password file.
fn set_passwords(targets: &mut [Target], options: &Options, env: &Env, user: &str, dbname: &str) {
    if let Some(password) = nonempty(options, "password") {
        for target in targets.iter_mut() {
            target.password = Some(password.to_owned());
        }
        return;
    }
    let Some(path) = nonempty(options, "passfile")
        .map(PathBuf::from)
        .or_else(|| env.in_home(".pgpass"))
    else {
        return;
    };
    for target in targets.iter_mut() {
        let host = target.host.to_string();
        target.password = pgpass::find(
            &path,
            pgpass::Lookup {
                host: &host,
                port: target.port,
                dbname,
                user,
            },
        );
    }
}
