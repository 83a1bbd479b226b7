//! The audit log: one JSON object per line for every action pgmedic starts and finishes, in
//! the user's state directory (`$XDG_STATE_HOME/pgmedic/audit.log`, by default
//! `~/.local/state/pgmedic/audit.log`; `PGMEDIC_AUDIT_LOG` overrides the path). The file is
//! created private (0600) and only ever appended to.

use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime};

use serde::Serialize;

/// One line of the audit log.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry<'a> {
    /// RFC 3339, UTC.
    pub time: String,
    /// `user@host:port/db` of the monitored server (never a password).
    pub server: &'a str,
    pub role: &'a str,
    pub database: &'a str,
    /// The console session that ran the job (see [`session_id`]): with `job`, it pairs a
    /// job's start and end when several consoles append to one log.
    pub session: &'a str,
    pub job: u64,
    pub kind: &'a str,
    pub target: &'a str,
    pub sql: &'a str,
    /// `started`, then one of `ok`, `error`, `cancelled`.
    pub outcome: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
}

/// Where the audit log goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditLog {
    path: PathBuf,
}

impl AuditLog {
    #[must_use]
    pub fn at(path: PathBuf) -> Self {
        Self { path }
    }

    /// The path from the environment (see the module documentation); `None` without a home.
    #[must_use]
    pub fn from_env() -> Option<Self> {
        let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
        if let Some(path) = var("PGMEDIC_AUDIT_LOG") {
            return Some(Self::at(PathBuf::from(path)));
        }
        let state = var("XDG_STATE_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| var("HOME").map(|home| Path::new(&home).join(".local/state")))?;
        Some(Self::at(state.join("pgmedic").join("audit.log")))
    }

    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one entry as a line of JSON (the directory is created 0700 when missing).
    pub fn append(&self, entry: &AuditEntry<'_>) -> std::io::Result<()> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)?;
        }
        let mut line = serde_json::to_string(entry).map_err(std::io::Error::other)?;
        line.push('\n');
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(&self.path)?;
        file.write_all(line.as_bytes())
    }
}

/// An id for this console session: the process id and the time in milliseconds, as
/// `<pid>-<millis>` (`-<n>` after it for a second session of the same process) — unique
/// among the consoles that share a log.
#[must_use]
pub fn session_id() -> String {
    static SESSIONS: AtomicU32 = AtomicU32::new(0);
    let millis = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    match SESSIONS.fetch_add(1, Ordering::Relaxed) {
        0 => format!("{}-{millis}", std::process::id()),
        n => format!("{}-{millis}-{n}", std::process::id()),
    }
}

/// Now, as RFC 3339 in UTC with milliseconds.
#[must_use]
pub fn now_rfc3339() -> String {
    humantime::format_rfc3339_millis(SystemTime::now()).to_string()
}

/// A duration in whole milliseconds for the log.
#[must_use]
pub fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    #[test]
    fn entries_are_appended_as_json_lines_to_a_private_file() {
        let dir = std::env::temp_dir().join(format!("pgmedic-audit-{}", std::process::id()));
        let log = AuditLog::at(dir.join("state/audit.log"));
        let entry = AuditEntry {
            time: now_rfc3339(),
            server: "app@db:5432/shop",
            role: "app",
            database: "shop",
            session: "4242-1700000000000",
            job: 1,
            kind: "vacuum",
            target: "public.\"odd\"\"name\"",
            sql: "VACUUM \"public\".\"odd\"\"name\";",
            outcome: "started",
            error: None,
            pid: Some(42),
            duration_ms: None,
        };
        log.append(&entry).unwrap();
        log.append(&AuditEntry {
            outcome: "ok",
            duration_ms: Some(12),
            ..entry.clone()
        })
        .unwrap();
        let text = std::fs::read_to_string(log.path()).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["outcome"], "started");
        assert_eq!(lines[1]["duration_ms"], 12);
        assert_eq!(lines[1]["sql"], "VACUUM \"public\".\"odd\"\"name\";");
        assert!(lines[0]["time"].as_str().unwrap().ends_with('Z'));
        let mode = std::fs::metadata(log.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
