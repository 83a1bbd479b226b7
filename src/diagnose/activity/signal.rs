//! Which sessions cancel and terminate may act on, checked the way PostgreSQL checks them
//! (pg_signal_backend in signalfuncs.c), so a refusal comes with its reason before anything is
//! sent: a superuser may signal any backend; another role only non-superuser sessions of roles
//! whose privileges it has, or any of them with pg_signal_backend. Never the console's own
//! sessions, never the server's own processes.

use crate::diagnose::activity::filter::Recheck;
use crate::server::Privileges;
use crate::snapshot::activity::{Session, SessionState};

/// Backend types pg_cancel_backend and pg_terminate_backend can act on usefully; the others
/// (checkpointer, walwriter, the launchers, …) are the server's own processes.
const SIGNALLABLE: &[&str] = &[
    "client backend",
    "autovacuum worker",
    "background worker",
    "parallel worker",
    "walsender",
    "logical replication worker",
    "logical replication apply worker",
    "logical replication tablesync worker",
    "logical replication parallel worker",
];

/// A session an action will signal: enough to name it exactly in the SQL.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub pid: i32,
    /// With the pid, names the backend: a pid reused in the meantime is left alone.
    pub backend_start: Option<String>,
    /// What must still be true of it when the signal runs (the filter that listed it).
    pub recheck: Vec<Recheck>,
}

/// The sessions split into those the action may signal and those it may not, with why.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Targets {
    pub allowed: Vec<Target>,
    pub refused: Vec<(i32, String)>,
}

/// Checks each session for `kind`; `own` are pids of the console's other sessions (jobs,
/// readers).
#[must_use]
pub fn targets<'a>(
    sessions: impl IntoIterator<Item = &'a Session>,
    kind: Signal,
    privileges: Privileges,
    own: &[i32],
) -> Targets {
    let mut out = Targets::default();
    for session in sessions {
        let why = refusal(session, privileges, own).or_else(|| match kind {
            Signal::Cancel => cancel_is_useless(session),
            Signal::Terminate => None,
        });
        match why {
            None => out.allowed.push(Target {
                pid: session.pid,
                backend_start: session.backend_start.clone(),
                recheck: Vec::new(),
            }),
            Some(why) => out.refused.push((session.pid, why)),
        }
    }
    out
}

/// Which signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Cancel,
    Terminate,
}

/// A cancel only interrupts a running statement: a session idle (in a transaction or not)
/// ignores it, so proposing one would end in "done" with nothing changed.
#[must_use]
pub fn cancel_is_useless(session: &Session) -> Option<String> {
    match session.state {
        SessionState::Idle => Some("idle, no statement to cancel".to_owned()),
        SessionState::IdleInTransaction | SessionState::IdleInTransactionAborted => {
            Some("idle in transaction: K terminates it (a cancel does nothing)".to_owned())
        }
        _ => None,
    }
}

/// Why `session` may not be signalled, or `None` when it may.
#[must_use]
pub fn refusal(session: &Session, privileges: Privileges, own: &[i32]) -> Option<String> {
    if session.is_self || own.contains(&session.pid) {
        return Some("pgmedic's own session".to_owned());
    }
    if let Some(kind) = session.backend_type.as_deref()
        && !SIGNALLABLE.contains(&kind)
    {
        return Some(format!("a server process ({kind}), not a session"));
    }
    if privileges.superuser {
        return None;
    }
    match (session.role_superuser, session.user.as_deref()) {
        (Some(true), _) => Some("a superuser's session: only a superuser may signal it".to_owned()),
        (None, _) | (_, None) => {
            Some("its role is not visible: only a superuser may signal it".to_owned())
        }
        (Some(false), Some(_)) if session.role_member || privileges.pg_signal_backend => None,
        (Some(false), Some(user)) => Some(format!(
            "a session of role {user}: needs that role's privileges or pg_signal_backend"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::activity::fixture::client;
    use crate::snapshot::activity::SessionState;

    fn plain() -> Privileges {
        Privileges::default()
    }

    #[test]
    fn privileges_follow_postgres() {
        let mut own_role = client(10, "api", SessionState::Idle);
        own_role.role_member = true;
        assert_eq!(refusal(&own_role, plain(), &[]), None);

        let mut other = client(11, "api", SessionState::Idle);
        other.role_member = false;
        other.user = Some("billing".to_owned());
        assert!(
            refusal(&other, plain(), &[])
                .unwrap()
                .contains("role billing")
        );
        let signaller = Privileges {
            pg_signal_backend: true,
            ..plain()
        };
        assert_eq!(refusal(&other, signaller, &[]), None);

        let mut admin = client(12, "psql", SessionState::Idle);
        admin.role_superuser = Some(true);
        assert!(
            refusal(&admin, signaller, &[])
                .unwrap()
                .contains("superuser")
        );
        let superuser = Privileges {
            superuser: true,
            ..plain()
        };
        assert_eq!(refusal(&admin, superuser, &[]), None);

        let mut autovacuum = client(13, "", SessionState::Active);
        autovacuum.backend_type = Some("autovacuum worker".to_owned());
        autovacuum.user = None;
        autovacuum.role_superuser = None;
        assert!(refusal(&autovacuum, signaller, &[]).is_some());
        assert_eq!(refusal(&autovacuum, superuser, &[]), None);
    }

    #[test]
    fn never_the_console_or_the_servers_processes() {
        let superuser = Privileges {
            superuser: true,
            ..plain()
        };
        let mut monitoring = client(1, "pgmedic", SessionState::Active);
        monitoring.is_self = true;
        let job = client(2, "pgmedic", SessionState::Active);
        let mut checkpointer = client(3, "", SessionState::Unknown);
        checkpointer.backend_type = Some("checkpointer".to_owned());
        let victim = client(4, "api", SessionState::IdleInTransaction);
        let sessions = [monitoring, job, checkpointer, victim];
        let t = targets(&sessions, Signal::Terminate, superuser, &[2]);
        assert_eq!(
            t.allowed,
            vec![Target {
                pid: 4,
                backend_start: Some("2025-01-01T00:00:00.000001Z".to_owned()),
                recheck: Vec::new(),
            }]
        );
        let refused: Vec<i32> = t.refused.iter().map(|(p, _)| *p).collect();
        assert_eq!(refused, vec![1, 2, 3]);
        assert!(t.refused[2].1.contains("checkpointer"));
        let t = targets(&sessions[3..], Signal::Cancel, superuser, &[]);
        assert!(t.allowed.is_empty(), "an idle session ignores a cancel");
        assert!(
            t.refused[0].1.contains("K terminates it"),
            "{:?}",
            t.refused
        );
    }
}
