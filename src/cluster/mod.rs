//! A throwaway `PostgreSQL` cluster: initdb into a short temp dir, postgres on a unix socket in
//! that dir (and, unless socket-only, on a free loopback port), removed again when dropped.
//!
//! The cluster trusts every connection it accepts (initdb `--auth=trust`). Socket-only, that is
//! safe: the socket lives in the cluster's 0700 directory, which only the cluster's OS user and
//! root can enter. Over TCP any local user could connect as superuser, so only the test suites,
//! which need TCP and TLS, listen on 127.0.0.1.
//!
//! Used by the tests (one cluster per test binary) and by `pgmedic demo`. When the process runs
//! as root the cluster runs as an unprivileged user (initdb and postgres refuse root). The
//! postmaster is supervised by a small watchdog shell that stops it and removes the directory
//! when this process disappears without dropping the cluster (a `static` in a test binary, a
//! SIGKILL); stale directories of dead owners are reaped at the next start (only this user's or
//! the cluster user's, and only a process /proc shows to be their postmaster is killed).

mod reap;

use std::fs;
use std::io::Write as _;
use std::net::TcpListener;
use std::os::unix::fs::DirBuilderExt as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::{Pid, User};

use crate::conn::PASSWORD_VAR;

/// The superuser every throwaway cluster is initialised with.
pub const SUPERUSER: &str = "postgres";
/// Extensions loaded into `template1` when the installation has them (so every database has them).
const EXTENSIONS: &[&str] = &["pg_stat_statements", "hypopg", "pgstattuple"];
const DIR_PREFIX: &str = "pgmedic-";
const READY_TIMEOUT: Duration = Duration::from_secs(30);
const STOP_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error(
        "no PostgreSQL server binaries found (looked in $PGMEDIC_PG_BINDIR, pg_config --bindir, \
         /usr/lib/postgresql/*/bin and PATH); install them with: apt-get install postgresql"
    )]
    NoBinaries,
    #[error("{0} is not a PostgreSQL bin directory (no initdb and postgres in it)")]
    BadBinDir(PathBuf),
    #[error("the PostgreSQL in {0} was built without SSL; a TLS cluster needs one built with it")]
    NoSsl(PathBuf),
    #[error("cannot run the cluster as user {0:?}: {1}")]
    User(String, String),
    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
    #[error("initdb failed: {0}")]
    Initdb(String),
    #[error("postgres did not become ready: {0}")]
    Start(String),
    #[error("setting up the cluster failed: {0}")]
    Setup(String),
}

pub type Result<T> = std::result::Result<T, ClusterError>;

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> ClusterError {
    let what = what.into();
    move |source| ClusterError::Io { what, source }
}

/// How to start a throwaway cluster.
#[derive(Debug, Clone)]
pub struct ClusterOptions {
    /// `PostgreSQL` bin directory; found automatically when `None`.
    pub bin_dir: Option<PathBuf>,
    /// The port (TCP on 127.0.0.1, and the socket's `.s.PGSQL.<port>`); a free one when `None`.
    pub port: Option<u16>,
    /// Listen on 127.0.0.1 as well as the unix socket (default); `false` is socket-only.
    pub tcp: bool,
    /// Extra `-c name=value` server settings, applied after the defaults.
    pub settings: Vec<(String, String)>,
    /// Leave the cluster running when this process ends (for `pgmedic demo --keep`).
    pub keep: bool,
    /// Contents of `pg_hba.conf`, replacing initdb's (trust for everyone) when set.
    pub hba: Option<String>,
    /// A PEM server certificate and its private key: written into the data directory, and
    /// `ssl = on` is set.
    pub tls: Option<(String, String)>,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        Self {
            bin_dir: None,
            port: None,
            tcp: true,
            settings: Vec::new(),
            keep: false,
            hba: None,
            tls: None,
        }
    }
}

/// A running throwaway cluster; dropping it stops the server and removes its directory.
#[derive(Debug)]
pub struct Cluster {
    dir: PathBuf,
    bin_dir: PathBuf,
    port: u16,
    tcp: bool,
    version_num: u32,
    run_as: Option<(u32, u32)>,
    settings: Vec<(String, String)>,
    keep: bool,
    watchdog: Option<Child>,
    extensions: Vec<String>,
}

impl Cluster {
    /// Runs initdb, starts postgres and loads the monitoring extensions into `template1`.
    pub fn start(opts: ClusterOptions) -> Result<Self> {
        let bin_dir = match opts.bin_dir {
            Some(dir) => check_bin_dir(dir)?,
            None => find_bin_dir()?,
        };
        if opts.tls.is_some() && !supports_ssl(&bin_dir) {
            return Err(ClusterError::NoSsl(bin_dir));
        }
        let run_as = unprivileged_user()?;
        reap::reap_stale_dirs(run_as.map(|(uid, _)| uid));
        let dir = make_dir(run_as, opts.keep)?;
        let mut cluster = Cluster {
            dir,
            version_num: server_version_num(&bin_dir)?,
            bin_dir,
            port: 0,
            tcp: opts.tcp,
            run_as,
            settings: opts.settings,
            keep: opts.keep,
            watchdog: None,
            extensions: Vec::new(),
        };
        cluster.initdb()?;
        if let Some(hba) = &opts.hba {
            cluster.write_data_file("pg_hba.conf", hba)?;
        }
        if let Some((cert, key)) = &opts.tls {
            cluster.write_data_file("server.crt", cert)?;
            cluster.write_data_file("server.key", key)?;
            cluster.settings.push(("ssl".to_owned(), "on".to_owned()));
        }
        cluster.launch(opts.port)?;
        cluster.extensions = cluster.setup_extensions()?;
        Ok(cluster)
    }

    /// Starts a hot standby of this cluster, streaming from it: `pg_basebackup -R` into a
    /// directory of its own, then postgres on a free port with the same settings. It is
    /// stopped and removed when dropped, like any throwaway cluster.
    pub fn standby(&self) -> Result<Cluster> {
        let mut standby = Cluster {
            dir: make_dir(self.run_as, false)?,
            bin_dir: self.bin_dir.clone(),
            port: 0,
            tcp: self.tcp,
            version_num: self.version_num,
            run_as: self.run_as,
            settings: self.settings.clone(),
            keep: false,
            watchdog: None,
            extensions: self.extensions.clone(),
        };
        let out = standby
            .command("pg_basebackup")
            .arg("-D")
            .arg(standby.data_dir())
            .arg("-h")
            .arg(&self.dir)
            .arg("-p")
            .arg(self.port.to_string())
            .args(["-U", SUPERUSER, "-R", "-X", "stream", "--no-sync"])
            .stdin(Stdio::null())
            .output()
            .map_err(io("running pg_basebackup"))?;
        if !out.status.success() {
            return Err(ClusterError::Setup(format!(
                "pg_basebackup failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        standby.launch(None)?;
        Ok(standby)
    }

    /// The server's port: TCP on 127.0.0.1 unless socket-only, and the socket's `.s.PGSQL.<port>`.
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The directory holding the unix socket (`.s.PGSQL.<port>`).
    #[must_use]
    pub fn socket_dir(&self) -> &Path {
        &self.dir
    }

    /// The cluster's root directory (data/ and the server log live below it).
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The installation's bin directory (initdb, postgres, pgbench, psql).
    #[must_use]
    pub fn bin_dir(&self) -> &Path {
        &self.bin_dir
    }

    /// `server_version_num` of the installation, e.g. 150018.
    #[must_use]
    pub fn version_num(&self) -> u32 {
        self.version_num
    }

    /// Extensions that were created in `template1` (those the installation has).
    #[must_use]
    pub fn extensions(&self) -> &[String] {
        &self.extensions
    }

    /// Whether the server listens on 127.0.0.1 (otherwise only on its unix socket).
    #[must_use]
    pub fn tcp(&self) -> bool {
        self.tcp
    }

    /// A key=value conninfo for the superuser to `dbname`: over TCP when the server listens
    /// there, otherwise through the socket directory.
    #[must_use]
    pub fn conninfo(&self, dbname: &str) -> String {
        let host = if self.tcp {
            "127.0.0.1".to_owned()
        } else {
            quote_conninfo_value(&self.dir.display().to_string())
        };
        format!(
            "host={host} port={} user={SUPERUSER} dbname={dbname}",
            self.port
        )
    }

    /// The tail of the server log, for error messages.
    #[must_use]
    pub fn log_tail(&self) -> String {
        let log = fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }

    /// Stops the server (fast shutdown) and starts it again on the same port and directory.
    pub fn restart(&mut self) -> Result<()> {
        self.stop_server();
        self.launch(Some(self.port))
    }

    /// Stops the server now, leaving the directory (dropping removes it).
    pub fn stop_server(&mut self) {
        if let Some(pid) = self.postmaster_pid() {
            let _ = kill(pid, Signal::SIGINT);
        }
        if let Some(mut watchdog) = self.watchdog.take() {
            let deadline = Instant::now() + STOP_TIMEOUT;
            while Instant::now() < deadline {
                if matches!(watchdog.try_wait(), Ok(Some(_)) | Err(_)) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            if let Some(pid) = self.postmaster_pid() {
                let _ = kill(pid, Signal::SIGKILL);
            }
            let _ = watchdog.kill();
            let _ = watchdog.wait();
        }
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn command(&self, program: &str) -> Command {
        let mut cmd = command(self.bin_dir.join(program));
        if let Some((uid, gid)) = self.run_as {
            cmd.uid(uid).gid(gid);
        }
        cmd.env("LC_ALL", "C")
            .env_remove("PGDATA")
            .current_dir(&self.dir);
        cmd
    }

    fn initdb(&self) -> Result<()> {
        let out = self
            .command("initdb")
            .arg("-D")
            .arg(self.data_dir())
            .args([
                "-U",
                SUPERUSER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ])
            .stdin(Stdio::null())
            .output()
            .map_err(io("running initdb"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(ClusterError::Initdb(
                String::from_utf8_lossy(&out.stderr).trim().to_owned(),
            ))
        }
    }

    /// Writes a file into the data directory, 0600 and owned by the server's user (postgres
    /// refuses a private key that others can read).
    fn write_data_file(&self, name: &str, text: &str) -> Result<()> {
        use std::os::unix::fs::PermissionsExt as _;
        let path = self.data_dir().join(name);
        fs::write(&path, text).map_err(io(format!("writing {name}")))?;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600))
            .map_err(io(format!("chmod {name}")))?;
        if let Some((uid, gid)) = self.run_as {
            std::os::unix::fs::chown(&path, Some(uid), Some(gid))
                .map_err(io(format!("chown {name}")))?;
        }
        Ok(())
    }

    fn server_args(&self) -> Vec<String> {
        let mut preload = vec!["pg_stat_statements"];
        if self.has_library("pg_qualstats") {
            preload.push("pg_qualstats");
        }
        let mut settings: Vec<(String, String)> = [
            ("listen_addresses", if self.tcp { "127.0.0.1" } else { "" }),
            (
                "unix_socket_directories",
                self.dir.to_str().unwrap_or("/tmp"),
            ),
            ("shared_preload_libraries", &preload.join(",")),
            ("pg_stat_statements.track", "all"),
            ("track_io_timing", "on"),
            ("fsync", "off"),
            ("synchronous_commit", "off"),
            ("full_page_writes", "off"),
            ("max_connections", "100"),
            ("logging_collector", "off"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        settings.extend(self.settings.iter().cloned());
        settings
            .into_iter()
            .flat_map(|(k, v)| ["-c".to_owned(), format!("{k}={v}")])
            .collect()
    }

    fn has_library(&self, name: &str) -> bool {
        let Ok(out) = command(self.bin_dir.join("pg_config"))
            .arg("--pkglibdir")
            .output()
        else {
            return false;
        };
        let libdir = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        Path::new(&libdir).join(format!("{name}.so")).exists()
    }

    /// Starts the postmaster under the watchdog and waits until it accepts connections.
    fn launch(&mut self, port: Option<u16>) -> Result<()> {
        let mut last_error = String::new();
        for _attempt in 0..3 {
            self.port = match port {
                Some(port) => port,
                None => free_port()?,
            };
            let _ = fs::remove_file(self.data_dir().join("postmaster.pid"));
            self.watchdog = Some(self.spawn_watchdog()?);
            match self.wait_ready() {
                Ok(()) => return Ok(()),
                Err(err) => {
                    last_error = err;
                    self.stop_server();
                    if port.is_some() {
                        break;
                    }
                }
            }
        }
        Err(ClusterError::Start(format!(
            "{last_error}\n{}",
            self.log_tail()
        )))
    }

    fn spawn_watchdog(&self) -> Result<Child> {
        let owner = if self.keep { 0 } else { std::process::id() };
        // $1 owner pid (0: never), $2 cluster dir, $3 postgres binary, $4.. server arguments.
        let script = r#"owner=$1; dir=$2; bin=$3; shift 3
"$bin" "$@" &
pg=$!
if [ "$owner" != 0 ]; then
  ( while [ -d "/proc/$owner" ]; do sleep 0.5; done; kill -INT "$pg" 2>/dev/null ) &
  guard=$!
fi
wait "$pg"; status=$?
[ -n "${guard:-}" ] && kill "$guard" 2>/dev/null
if [ "$owner" != 0 ] && [ ! -d "/proc/$owner" ]; then rm -rf "$dir"; fi
exit $status"#;
        let log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("server.log"))
            .map_err(io("opening the server log"))?;
        if let Some((uid, gid)) = self.run_as {
            std::os::unix::fs::chown(self.dir.join("server.log"), Some(uid), Some(gid))
                .map_err(io("chown of the server log"))?;
        }
        let mut cmd = command("/bin/sh");
        if let Some((uid, gid)) = self.run_as {
            cmd.uid(uid).gid(gid);
        }
        cmd.arg("-c")
            .arg(script)
            .arg("pgmedic-cluster")
            .arg(owner.to_string())
            .arg(&self.dir)
            .arg(self.bin_dir.join("postgres"))
            .arg("-D")
            .arg(self.data_dir())
            .arg("-p")
            .arg(self.port.to_string())
            .args(self.server_args())
            .env("LC_ALL", "C")
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(io("cloning the log handle"))?)
            .stderr(log)
            .process_group(0);
        cmd.spawn().map_err(io("starting postgres"))
    }

    /// Polls postmaster.pid until its status line says `ready`, or `standby` for a hot standby
    /// that accepts connections (`PostgreSQL` 10+).
    fn wait_ready(&mut self) -> std::result::Result<(), String> {
        let deadline = Instant::now() + READY_TIMEOUT;
        let pid_file = self.data_dir().join("postmaster.pid");
        while Instant::now() < deadline {
            if let Some(watchdog) = self.watchdog.as_mut()
                && let Ok(Some(status)) = watchdog.try_wait()
            {
                return Err(format!("postgres exited ({status})"));
            }
            if let Ok(text) = fs::read_to_string(&pid_file)
                && text
                    .lines()
                    .nth(7)
                    .is_some_and(|l| matches!(l.trim(), "ready" | "standby"))
            {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err("timed out after 30 s".to_owned())
    }

    fn postmaster_pid(&self) -> Option<Pid> {
        postmaster_pid(&self.data_dir())
    }

    /// Creates the available monitoring extensions in template1; returns their names.
    fn setup_extensions(&self) -> Result<Vec<String>> {
        let conninfo = self.conninfo("template1");
        let work = move || -> std::result::Result<Vec<String>, String> {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            rt.block_on(async move {
                let (client, conn) = tokio_postgres::connect(&conninfo, tokio_postgres::NoTls)
                    .await
                    .map_err(|e| e.to_string())?;
                tokio::spawn(conn);
                let rows = client
                    .query(
                        "SELECT name FROM pg_available_extensions WHERE name = ANY($1)",
                        &[&EXTENSIONS],
                    )
                    .await
                    .map_err(|e| e.to_string())?;
                let mut created = Vec::new();
                for name in EXTENSIONS {
                    if rows.iter().any(|r| r.get::<_, &str>(0) == *name) {
                        client
                            .batch_execute(&format!("CREATE EXTENSION IF NOT EXISTS {name}"))
                            .await
                            .map_err(|e| format!("CREATE EXTENSION {name}: {e}"))?;
                        created.push((*name).to_owned());
                    }
                }
                Ok(created)
            })
        };
        std::thread::spawn(work)
            .join()
            .map_err(|_| ClusterError::Setup("setup thread panicked".to_owned()))?
            .map_err(ClusterError::Setup)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.keep {
            return;
        }
        self.stop_server();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// A command for `program` whose environment lacks the password pgmedic took out of its argv
/// (the process cannot unset it for itself; no server or tool of the cluster needs it).
fn command(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut cmd = Command::new(program);
    cmd.env_remove(PASSWORD_VAR);
    cmd
}

// ─── Finding the installation ───────────────────────────────────────────────────────────────

/// Finds a bin directory with initdb and postgres: `$PGMEDIC_PG_BINDIR`, `pg_config --bindir`,
/// the newest `/usr/lib/postgresql/*/bin`, then PATH.
pub fn find_bin_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("PGMEDIC_PG_BINDIR") {
        return check_bin_dir(PathBuf::from(dir));
    }
    find_installed_bin_dir()
}

/// Finds the machine's own installation, ignoring `$PGMEDIC_PG_BINDIR`: `pg_config --bindir`,
/// the newest `/usr/lib/postgresql/*/bin`, then PATH.
pub fn find_installed_bin_dir() -> Result<PathBuf> {
    let mut candidates = Vec::new();
    if let Ok(out) = command("pg_config").arg("--bindir").output() {
        candidates.push(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
    }
    if let Ok(entries) = fs::read_dir("/usr/lib/postgresql") {
        let mut versions: Vec<(u32, PathBuf)> = entries
            .filter_map(std::result::Result::ok)
            .filter_map(|e| {
                let v = e.file_name().to_str()?.parse::<u32>().ok()?;
                Some((v, e.path().join("bin")))
            })
            .collect();
        versions.sort_by_key(|(v, _)| std::cmp::Reverse(*v));
        candidates.extend(versions.into_iter().map(|(_, p)| p));
    }
    if let Some(path) = std::env::var_os("PATH") {
        candidates.extend(std::env::split_paths(&path));
    }
    candidates
        .into_iter()
        .find(|dir| is_bin_dir(dir))
        .ok_or(ClusterError::NoBinaries)
}

/// Whether the installation's server was built with SSL, as its `pg_config --configure` says
/// (`--with-ssl=openssl` from 14 on, `--with-openssl` before).
#[must_use]
pub fn supports_ssl(bin_dir: &Path) -> bool {
    command(bin_dir.join("pg_config"))
        .arg("--configure")
        .output()
        .is_ok_and(|out| {
            let text = String::from_utf8_lossy(&out.stdout);
            text.contains("--with-ssl=openssl") || text.contains("--with-openssl")
        })
}

fn is_bin_dir(dir: &Path) -> bool {
    dir.join("initdb").is_file() && dir.join("postgres").is_file()
}

fn check_bin_dir(dir: PathBuf) -> Result<PathBuf> {
    if is_bin_dir(&dir) {
        Ok(dir)
    } else {
        Err(ClusterError::BadBinDir(dir))
    }
}

fn server_version_num(bin_dir: &Path) -> Result<u32> {
    let out = command(bin_dir.join("postgres"))
        .arg("--version")
        .output()
        .map_err(io("running postgres --version"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    parse_version_num(&text)
        .ok_or_else(|| ClusterError::Start(format!("unrecognised postgres --version: {text}")))
}

/// `postgres (PostgreSQL) 15.18 (Debian …)` → 150018.
fn parse_version_num(text: &str) -> Option<u32> {
    let version = text
        .split_whitespace()
        .find(|w| w.starts_with(|c: char| c.is_ascii_digit()))?;
    let mut parts = version
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty());
    let major: u32 = parts.next()?.parse().ok()?;
    let minor: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    Some(major * 10_000 + minor)
}

// ─── Users, directories, ports ───────────────────────────────────────────────────────────────

/// When running as root: the uid/gid of `$PGMEDIC_CLUSTER_USER`, `postgres` or `nobody`.
fn unprivileged_user() -> Result<Option<(u32, u32)>> {
    if !nix::unistd::geteuid().is_root() {
        return Ok(None);
    }
    let names = match std::env::var("PGMEDIC_CLUSTER_USER") {
        Ok(name) => vec![name],
        Err(_) => vec!["postgres".to_owned(), "nobody".to_owned()],
    };
    for name in &names {
        match User::from_name(name) {
            Ok(Some(user)) => return Ok(Some((user.uid.as_raw(), user.gid.as_raw()))),
            Ok(None) => {}
            Err(err) => return Err(ClusterError::User(name.clone(), err.to_string())),
        }
    }
    Err(ClusterError::User(
        names.join(" or "),
        "no such user".to_owned(),
    ))
}

fn make_dir(run_as: Option<(u32, u32)>, keep: bool) -> Result<PathBuf> {
    for _ in 0..100 {
        let dir = std::env::temp_dir().join(format!("{DIR_PREFIX}{:08x}", rand::random::<u32>()));
        match fs::DirBuilder::new().mode(0o700).create(&dir) {
            Ok(()) => {
                if let Some((uid, gid)) = run_as {
                    std::os::unix::fs::chown(&dir, Some(uid), Some(gid))
                        .map_err(io(format!("chown {}", dir.display())))?;
                }
                let mut owner =
                    fs::File::create(dir.join("owner.pid")).map_err(io("writing owner.pid"))?;
                writeln!(owner, "{}", if keep { 0 } else { std::process::id() })
                    .map_err(io("writing owner.pid"))?;
                return Ok(dir);
            }
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(err) => return Err(io(format!("creating {}", dir.display()))(err)),
        }
    }
    Err(ClusterError::Setup(
        "could not create a temp directory".to_owned(),
    ))
}

fn postmaster_pid(data_dir: &Path) -> Option<Pid> {
    let text = fs::read_to_string(data_dir.join("postmaster.pid")).ok()?;
    let pid: i32 = text.lines().next()?.trim().parse().ok()?;
    Some(Pid::from_raw(pid))
}

/// A value for a key=value conninfo: single-quoted, with `\'` and `\\` escaped, when it holds
/// whitespace, a quote or a backslash.
fn quote_conninfo_value(value: &str) -> String {
    if !value.is_empty() && !value.contains(|c: char| c.is_whitespace() || c == '\'' || c == '\\') {
        return value.to_owned();
    }
    let escaped: String = value
        .chars()
        .flat_map(|c| {
            (c == '\'' || c == '\\')
                .then_some('\\')
                .into_iter()
                .chain([c])
        })
        .collect();
    format!("'{escaped}'")
}

fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(io("finding a free port"))?;
    Ok(listener
        .local_addr()
        .map_err(io("finding a free port"))?
        .port())
}

#[cfg(test)]
mod tests {
    use super::{parse_version_num, quote_conninfo_value};

    #[test]
    fn conninfo_values_are_quoted_only_when_they_must_be() {
        assert_eq!(
            quote_conninfo_value("/tmp/pgmedic-0a1b2c3d"),
            "/tmp/pgmedic-0a1b2c3d"
        );
        assert_eq!(quote_conninfo_value("/tmp/my dir"), "'/tmp/my dir'");
        assert_eq!(quote_conninfo_value(r"/tmp/it's\x"), r"'/tmp/it\'s\\x'");
        assert_eq!(quote_conninfo_value(""), "''");
    }

    #[test]
    fn version_numbers_from_postgres_version_output() {
        assert_eq!(
            parse_version_num("postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"),
            Some(150_018)
        );
        assert_eq!(
            parse_version_num("postgres (PostgreSQL) 18.6"),
            Some(180_006)
        );
        assert_eq!(
            parse_version_num("postgres (PostgreSQL) 16beta2"),
            Some(160_002)
        );
        assert_eq!(parse_version_num("nothing here"), None);
    }
}
