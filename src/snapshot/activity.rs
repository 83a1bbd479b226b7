//! What the Activity pane reads from the server: every backend, the contested locks, and the
//! other holders of the xmin horizon (replication slots, prepared transactions).
//!
//! Plain data, as read: durations in seconds by the server's clock, ids as numbers.

use std::collections::HashMap;

use crate::snapshot::Part;

/// One refresh of the Activity pane.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivitySnapshot {
    /// The server's clock_timestamp() when pg_stat_activity was read, in epoch seconds.
    pub taken_at: f64,
    pub sessions: Vec<Session>,
    /// Every lock, granted or not, on an object some session waits for.
    pub locks: Part<Vec<Lock>>,
    /// `schema.name` of the relations in `locks`, by oid (missing: another database's, or
    /// the catalog could not be read).
    pub relations: HashMap<u32, String>,
    pub slots: Part<Vec<SlotHorizon>>,
    pub prepared: Part<Vec<PreparedXact>>,
}

impl Default for ActivitySnapshot {
    fn default() -> Self {
        Self {
            taken_at: 0.0,
            sessions: Vec::new(),
            locks: Ok(Vec::new()),
            relations: HashMap::new(),
            slots: Ok(Vec::new()),
            prepared: Ok(Vec::new()),
        }
    }
}

/// A backend's state as pg_stat_activity says it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum SessionState {
    Active,
    Idle,
    IdleInTransaction,
    IdleInTransactionAborted,
    Fastpath,
    Disabled,
    /// No state: a background process, or a session this role may not see.
    #[default]
    Unknown,
    Other(String),
}

impl SessionState {
    /// The state from pg_stat_activity.state.
    #[must_use]
    pub fn parse(state: Option<&str>) -> Self {
        match state {
            None => Self::Unknown,
            Some("active") => Self::Active,
            Some("idle") => Self::Idle,
            Some("idle in transaction") => Self::IdleInTransaction,
            Some("idle in transaction (aborted)") => Self::IdleInTransactionAborted,
            Some("fastpath function call") => Self::Fastpath,
            Some("disabled") => Self::Disabled,
            Some(other) => Self::Other(other.to_owned()),
        }
    }

    /// The state as pg_stat_activity writes it ("" when unknown).
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Active => "active",
            Self::Idle => "idle",
            Self::IdleInTransaction => "idle in transaction",
            Self::IdleInTransactionAborted => "idle in transaction (aborted)",
            Self::Fastpath => "fastpath function call",
            Self::Disabled => "disabled",
            Self::Unknown => "",
            Self::Other(other) => other,
        }
    }

    /// Idle in transaction, aborted or not: holding a snapshot and locks while doing nothing.
    #[must_use]
    pub fn is_idle_in_transaction(&self) -> bool {
        matches!(
            self,
            Self::IdleInTransaction | Self::IdleInTransactionAborted
        )
    }
}

/// One row of pg_stat_activity.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Session {
    pub pid: i32,
    /// The leader of a parallel worker (13+).
    pub leader_pid: Option<i32>,
    /// "client backend", "autovacuum worker", "background worker", …; `None` when hidden.
    pub backend_type: Option<String>,
    pub database: Option<String>,
    pub user: Option<String>,
    pub application: String,
    pub client_addr: Option<String>,
    pub client_hostname: Option<String>,
    pub client_port: Option<i32>,
    pub state: SessionState,
    pub wait_event_type: Option<String>,
    pub wait_event: Option<String>,
    /// Seconds since the backend, its transaction, its query and its state started.
    pub backend_secs: Option<f64>,
    pub xact_secs: Option<f64>,
    pub query_secs: Option<f64>,
    pub state_secs: Option<f64>,
    /// backend_start in RFC 3339 UTC with microseconds: with the pid, names this backend.
    pub backend_start: Option<String>,
    pub query_id: Option<i64>,
    /// The query, cut to the first characters.
    pub query: String,
    /// The whole query's length in characters.
    pub query_length: i32,
    /// pg_blocking_pids (lock waiters only; 0 stands for a prepared transaction).
    pub blocked_by: Vec<i32>,
    pub backend_xid: Option<i64>,
    pub backend_xmin: Option<i64>,
    /// age(backend_xid): transactions since this one's own id was assigned.
    pub xid_age: Option<i32>,
    /// age(backend_xmin): transactions since its snapshot's horizon.
    pub xmin_age: Option<i32>,
    /// The session's role is a superuser (`None`: no role, or a dropped one).
    pub role_superuser: Option<bool>,
    /// This console's role has the privileges of the session's role (may signal it).
    pub role_member: bool,
    /// The monitoring session itself.
    pub is_self: bool,
}

impl Session {
    /// A client connection (what counts against max_connections). Without pg_read_all_stats
    /// other roles' sessions have no backend_type: connected to a database as a role, they
    /// are clients.
    #[must_use]
    pub fn is_client(&self) -> bool {
        match self.backend_type.as_deref() {
            Some(t) => t == "client backend",
            None => self.database.is_some() && self.user.is_some(),
        }
    }

    /// Waiting for a heavyweight lock (seen in pg_locks when the wait itself is hidden).
    #[must_use]
    pub fn waits_for_lock(&self) -> bool {
        self.wait_event_type.as_deref() == Some("Lock") || !self.blocked_by.is_empty()
    }
}

/// What a lock is on: pg_locks' object columns.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct LockObject {
    pub locktype: String,
    pub database: Option<u32>,
    pub relation: Option<u32>,
    pub page: Option<i32>,
    pub tuple: Option<i32>,
    pub virtualxid: Option<String>,
    pub transactionid: Option<i64>,
    pub classid: Option<u32>,
    pub objid: Option<u32>,
    pub objsubid: Option<i32>,
}

/// One row of pg_locks.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Lock {
    /// `None` for a prepared transaction's locks.
    pub pid: Option<i32>,
    pub virtual_transaction: Option<String>,
    pub mode: String,
    pub granted: bool,
    /// Seconds since the wait began (14+; `None` when granted or unknown).
    pub wait_secs: Option<f64>,
    pub object: LockObject,
}

/// A replication slot that holds back the horizon.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SlotHorizon {
    pub name: String,
    pub slot_type: String,
    pub database: Option<String>,
    pub active: bool,
    pub active_pid: Option<i32>,
    pub xmin: Option<i64>,
    pub xmin_age: Option<i32>,
    pub catalog_xmin: Option<i64>,
    pub catalog_xmin_age: Option<i32>,
}

/// A prepared (two-phase) transaction.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PreparedXact {
    pub gid: String,
    pub owner: String,
    pub database: String,
    pub xid: i64,
    pub xid_age: i32,
    pub prepared_secs: f64,
}
