//! The Activity pane's analysis: connection usage by state, pools, the blocking tree, who holds
//! back the xmin horizon, the sessions filter, and who may be signalled. Pure: a snapshot in,
//! figures out; no I/O, no clock.

pub mod blocking;
pub mod filter;
pub mod horizon;
pub mod locks;
pub mod pools;
pub mod signal;
pub mod usage;

use crate::diagnose::health::{Level, Thresholds};
use crate::server::ServerInfo;
use crate::snapshot::activity::{ActivitySnapshot, Session, SessionState};

pub use blocking::{BlockNode, BlockingTree};
pub use horizon::{HorizonHolder, HorizonKind};
pub use pools::{Pool, PoolKey};
pub use usage::{StateCounts, Usage, UsagePoint};

/// Everything the pane shows that is derived from one snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityView {
    pub usage: Usage,
    pub pools: Vec<Pool>,
    pub blocking: BlockingTree,
    pub horizon: Vec<HorizonHolder>,
}

/// Builds the pane's figures from a snapshot.
#[must_use]
pub fn build(
    snapshot: &ActivitySnapshot,
    server: &ServerInfo,
    thresholds: &Thresholds,
) -> ActivityView {
    ActivityView {
        usage: usage::usage(&snapshot.sessions, server, thresholds),
        pools: pools::pools(&snapshot.sessions, thresholds),
        blocking: blocking::tree(snapshot, thresholds),
        horizon: horizon::holders(snapshot, thresholds),
    }
}

/// What kind of backend a session is, when it is not an ordinary client connection
/// ("autovacuum", "parallel worker of 4242", "walsender", "checkpointer", …).
#[must_use]
pub fn kind_label(session: &Session) -> Option<String> {
    let kind = session.backend_type.as_deref()?;
    match kind {
        "client backend" => None,
        "autovacuum worker" => Some("autovacuum".to_owned()),
        "parallel worker" => Some(match session.leader_pid {
            Some(leader) => format!("parallel worker of {leader}"),
            None => "parallel worker".to_owned(),
        }),
        "background worker" => Some(if session.application.is_empty() {
            "background worker".to_owned()
        } else {
            format!("background worker: {}", session.application)
        }),
        other => Some(other.to_owned()),
    }
}

/// The client as a DBA names it: address, host name, or "local" for a unix socket.
#[must_use]
pub fn client_label(session: &Session) -> String {
    match (&session.client_hostname, &session.client_addr) {
        (Some(host), _) if !host.is_empty() => host.clone(),
        (_, Some(addr)) => addr.clone(),
        // A unix-socket client has no address and port -1; a hidden session has neither.
        (_, None) if session.client_port == Some(-1) => "local".to_owned(),
        (_, None) if session.is_client() && session.state != SessionState::Unknown => {
            "local".to_owned()
        }
        _ => String::new(),
    }
}

/// How worried a session row should make the DBA: a lock wait, an idle transaction, or a
/// query running for long, judged by the Overview's thresholds.
#[must_use]
pub fn session_level(session: &Session, thresholds: &Thresholds) -> Level {
    if session.waits_for_lock() {
        thresholds.lock_wait_secs.judge_opt(state_age(session))
    } else if session.state.is_idle_in_transaction() {
        thresholds
            .idle_in_transaction_secs
            .judge_opt(session.state_secs)
    } else if session.state == SessionState::Active && session.is_client() {
        thresholds
            .transaction_age_secs
            .judge_opt(session.query_secs)
    } else {
        Level::Ok
    }
}

/// A state as the sessions list writes it, short.
#[must_use]
pub fn state_label(state: &SessionState) -> &str {
    match state {
        SessionState::IdleInTransaction => "idle in tx",
        SessionState::IdleInTransactionAborted => "aborted tx",
        SessionState::Fastpath => "fastpath",
        SessionState::Unknown => "",
        other => other.as_str(),
    }
}

/// The time a session has spent in its current state, as the sessions list and filters read
/// it: the query's time while active, else the time since the state changed.
#[must_use]
pub fn state_age(session: &Session) -> Option<f64> {
    match session.state {
        SessionState::Active => session.query_secs,
        _ => session.state_secs,
    }
}

#[cfg(test)]
pub(crate) mod fixture {
    //! Sessions for the analysis tests.

    use crate::snapshot::activity::{Session, SessionState};

    pub fn client(pid: i32, app: &str, state: SessionState) -> Session {
        Session {
            pid,
            backend_type: Some("client backend".to_owned()),
            database: Some("shop".to_owned()),
            user: Some("app".to_owned()),
            application: app.to_owned(),
            client_addr: Some("10.0.0.7".to_owned()),
            client_port: Some(50_000),
            state,
            backend_start: Some("2025-01-01T00:00:00.000001Z".to_owned()),
            role_superuser: Some(false),
            role_member: true,
            ..Session::default()
        }
    }

    pub fn waiting(pid: i32, app: &str, blocked_by: &[i32], secs: f64) -> Session {
        Session {
            wait_event_type: Some("Lock".to_owned()),
            wait_event: Some("relation".to_owned()),
            blocked_by: blocked_by.to_vec(),
            query_secs: Some(secs),
            state_secs: Some(secs),
            ..client(pid, app, SessionState::Active)
        }
    }

    pub fn idle_in_transaction(pid: i32, app: &str, secs: f64) -> Session {
        Session {
            xact_secs: Some(secs + 1.0),
            state_secs: Some(secs),
            ..client(pid, app, SessionState::IdleInTransaction)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixture::client;
    use super::*;

    #[test]
    fn background_processes_are_labelled() {
        let mut s = client(1, "", SessionState::Active);
        assert_eq!(kind_label(&s), None);
        s.backend_type = Some("autovacuum worker".to_owned());
        assert_eq!(kind_label(&s).as_deref(), Some("autovacuum"));
        s.backend_type = Some("parallel worker".to_owned());
        s.leader_pid = Some(42);
        assert_eq!(kind_label(&s).as_deref(), Some("parallel worker of 42"));
        s.backend_type = Some("background worker".to_owned());
        s.application = "TimescaleDB Background Worker Scheduler".to_owned();
        assert_eq!(
            kind_label(&s).as_deref(),
            Some("background worker: TimescaleDB Background Worker Scheduler")
        );
    }

    #[test]
    fn sessions_are_judged_by_what_they_do() {
        use super::fixture::{idle_in_transaction, waiting};
        let t = Thresholds::default();
        assert_eq!(
            session_level(&client(1, "", SessionState::Idle), &t),
            Level::Ok
        );
        assert_eq!(
            session_level(&idle_in_transaction(2, "", 400.0), &t),
            Level::Critical
        );
        assert_eq!(session_level(&waiting(3, "", &[2], 6.0), &t), Level::Warn);
        let mut long = client(4, "", SessionState::Active);
        long.query_secs = Some(301.0);
        assert_eq!(session_level(&long, &t), Level::Warn);
        assert_eq!(state_label(&SessionState::IdleInTransaction), "idle in tx");
    }

    #[test]
    fn clients_are_named_by_host_address_or_socket() {
        let mut s = client(1, "", SessionState::Idle);
        assert_eq!(client_label(&s), "10.0.0.7");
        s.client_hostname = Some("app-3.internal".to_owned());
        assert_eq!(client_label(&s), "app-3.internal");
        s.client_hostname = None;
        s.client_addr = None;
        s.client_port = Some(-1);
        assert_eq!(client_label(&s), "local");
        s.backend_type = None;
        s.state = SessionState::Unknown;
        s.client_port = None;
        assert_eq!(client_label(&s), "", "a hidden session's client is unknown");
    }
}
