//! PgBouncer's admin console (`--pgbouncer URL`): SHOW POOLS, SHOW DATABASES, SHOW STATS and
//! SHOW CLIENTS, read on a connection of its own at the refresh interval while the Activity
//! pane is in sight, and summarised beside the server's own view of its sessions.
//!
//! The console accepts only the simple query protocol, and its columns differ between
//! versions: every column is read by name, and one a version lacks is simply absent.

mod poller;
mod read;

use std::collections::HashMap;

pub use poller::{PgBouncerHandle, spawn};
pub use read::{admin_params, read};

use crate::diagnose::health::Level;

/// The admin console's connection string; its `Debug` hides a password.
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(transparent)]
pub struct AdminUrl(pub String);

impl std::fmt::Debug for AdminUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let request = crate::conn::ConnRequest {
            conninfo: Some(self.0.clone()),
            ..Default::default()
        };
        f.debug_tuple("AdminUrl").field(&request).finish()
    }
}

impl std::str::FromStr for AdminUrl {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        if text.trim().is_empty() {
            return Err("the PgBouncer admin URL is empty".to_owned());
        }
        Ok(Self(text.to_owned()))
    }
}

/// One pool (database, user) from SHOW POOLS.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BouncerPool {
    pub database: String,
    pub user: String,
    pub cl_active: i64,
    pub cl_waiting: i64,
    pub sv_active: i64,
    pub sv_idle: i64,
    pub sv_used: i64,
    pub sv_tested: i64,
    pub sv_login: i64,
    /// How long the oldest waiting client has waited, seconds (maxwait + maxwait_us).
    pub maxwait_secs: f64,
    pub pool_mode: String,
}

impl BouncerPool {
    /// Server connections the pool holds, whatever their state.
    #[must_use]
    pub fn servers(&self) -> i64 {
        self.sv_active + self.sv_idle + self.sv_used + self.sv_tested + self.sv_login
    }
}

/// One database of SHOW DATABASES: its pool limits.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BouncerDatabase {
    pub name: String,
    pub pool_size: Option<i64>,
    /// reserve_pool (reserve_pool_size from 1.23).
    pub reserve_pool: Option<i64>,
    pub max_connections: Option<i64>,
    pub current_connections: Option<i64>,
    pub paused: bool,
    pub disabled: bool,
}

/// One database's averages from SHOW STATS (per second, microseconds).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BouncerStats {
    pub database: String,
    pub xacts_per_sec: Option<f64>,
    pub queries_per_sec: Option<f64>,
    pub avg_xact_us: Option<f64>,
    pub avg_query_us: Option<f64>,
    /// Time clients waited for a server, per second of wall time (µs/s).
    pub avg_wait_us: Option<f64>,
    pub total_xact_count: Option<i64>,
    pub total_query_count: Option<i64>,
}

/// One client of SHOW CLIENTS.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BouncerClient {
    pub user: String,
    pub database: String,
    /// "active", "waiting", "idle", "used", …
    pub state: String,
    pub addr: String,
    pub port: Option<i64>,
    pub application_name: Option<String>,
    /// Seconds it has waited for a server (wait + wait_us), when waiting.
    pub wait_secs: f64,
}

/// One read of the admin console.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PgBouncerSnapshot {
    pub pools: Vec<BouncerPool>,
    pub databases: Vec<BouncerDatabase>,
    pub stats: Vec<BouncerStats>,
    pub clients: Vec<BouncerClient>,
}

/// A pool as the pane shows it: PgBouncer's numbers, its limit, and how worried to be.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolLine {
    pub pool: BouncerPool,
    pub pool_size: Option<i64>,
    pub level: Level,
    /// Why, in words, when not ok.
    pub why: Option<String>,
}

/// Clients waiting this long for a server connection is an incident.
pub const MAXWAIT_CRITICAL_SECS: f64 = 5.0;

/// The pools worth showing (the admin database `pgbouncer` left out), the worst first.
#[must_use]
pub fn pool_lines(snapshot: &PgBouncerSnapshot) -> Vec<PoolLine> {
    let sizes: HashMap<&str, Option<i64>> = snapshot
        .databases
        .iter()
        .map(|d| (d.name.as_str(), d.pool_size))
        .collect();
    let mut lines: Vec<PoolLine> = snapshot
        .pools
        .iter()
        .filter(|p| p.database != "pgbouncer")
        .map(|pool| {
            let pool_size = sizes.get(pool.database.as_str()).copied().flatten();
            let (level, why) = judge(pool, pool_size);
            PoolLine {
                pool: pool.clone(),
                pool_size,
                level,
                why,
            }
        })
        .collect();
    lines.sort_by(|a, b| {
        b.level
            .cmp(&a.level)
            .then(b.pool.cl_waiting.cmp(&a.pool.cl_waiting))
            .then_with(|| (&a.pool.database, &a.pool.user).cmp(&(&b.pool.database, &b.pool.user)))
    });
    lines
}

fn judge(pool: &BouncerPool, pool_size: Option<i64>) -> (Level, Option<String>) {
    let full = pool_size.is_some_and(|size| size > 0 && pool.servers() >= size);
    if pool.cl_waiting > 0 {
        let waited = format!(
            "{} client{} waiting for a server, the oldest {:.1}s{}",
            pool.cl_waiting,
            if pool.cl_waiting == 1 { "" } else { "s" },
            pool.maxwait_secs,
            if full { " (the pool is full)" } else { "" }
        );
        let level = if pool.maxwait_secs >= MAXWAIT_CRITICAL_SECS {
            Level::Critical
        } else {
            Level::Warn
        };
        return (level, Some(waited));
    }
    if full {
        return (
            Level::Ok,
            Some("every server connection of the pool is open".to_owned()),
        );
    }
    (Level::Ok, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(db: &str, waiting: i64, maxwait: f64, active: i64) -> BouncerPool {
        BouncerPool {
            database: db.to_owned(),
            user: "app".to_owned(),
            cl_active: active,
            cl_waiting: waiting,
            sv_active: active,
            maxwait_secs: maxwait,
            ..BouncerPool::default()
        }
    }

    #[test]
    fn waiting_clients_are_warned_about_and_come_first() {
        let snapshot = PgBouncerSnapshot {
            pools: vec![
                pool("pgbouncer", 0, 0.0, 1),
                pool("calm", 0, 0.0, 1),
                pool("busy", 3, 1.5, 4),
                pool("stuck", 1, 9.0, 4),
            ],
            databases: vec![BouncerDatabase {
                name: "busy".to_owned(),
                pool_size: Some(4),
                ..BouncerDatabase::default()
            }],
            ..PgBouncerSnapshot::default()
        };
        let lines = pool_lines(&snapshot);
        let names: Vec<(&str, Level)> = lines
            .iter()
            .map(|l| (l.pool.database.as_str(), l.level))
            .collect();
        assert_eq!(
            names,
            vec![
                ("stuck", Level::Critical),
                ("busy", Level::Warn),
                ("calm", Level::Ok)
            ]
        );
        assert_eq!(
            lines[1].why.as_deref(),
            Some("3 clients waiting for a server, the oldest 1.5s (the pool is full)")
        );
        assert_eq!(lines[1].pool_size, Some(4));
    }

    #[test]
    fn the_url_never_shows_its_password() {
        let url: AdminUrl = "postgresql://admin:s3cret@127.0.0.1:6432/pgbouncer"
            .parse()
            .unwrap();
        assert!(!format!("{url:?}").contains("s3cret"));
        assert!("  ".parse::<AdminUrl>().is_err());
    }
}
