//! The Activity pane's findings: connections near the limit, each session idle in a
//! transaction past the threshold (by pid), each other transaction open past the threshold
//! (and whether it holds back the xmin horizon), and each blocking tree whose longest wait
//! passes the threshold (its root blocker and the pids under it) — as the pane judged them.
//! Sessions are named with their database; they concern the whole cluster (connections,
//! the xmin horizon and the lock waits of every database are the DBA's problem wherever
//! pgmedic connected).

use serde_json::json;

use crate::diagnose::activity::filter::{Mutable, Recheck};
use crate::diagnose::activity::signal::Target;
use crate::diagnose::activity::{
    self, ActivityView, BlockNode, BlockingTree, HorizonKind, client_label,
};
use crate::diagnose::health::Thresholds;
use crate::diagnose::overview::one_line;
use crate::jobs::{JobKind, backend};
use crate::report::overview::severity;
use crate::report::{Finding, Kind};
use crate::snapshot::activity::{ActivitySnapshot, Session, SessionState};
use crate::ui::format;

/// A session's query in a summary is cut to this many characters.
const SUMMARY_TEXT: usize = 120;

/// The Activity pane's analysis, with the snapshot it was built from.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    pub snapshot: ActivitySnapshot,
    pub view: ActivityView,
}

/// Saturation, sessions idle in transaction, blocking trees.
#[must_use]
pub fn findings(a: &Activity, limits: &Thresholds) -> Vec<Finding> {
    let mut out = Vec::new();
    out.extend(saturation(&a.view));
    out.extend(
        a.snapshot
            .sessions
            .iter()
            .filter(|s| s.is_client() && !s.is_self && s.state.is_idle_in_transaction())
            .filter_map(|s| idle_in_transaction(s, limits)),
    );
    out.extend(long_transactions(a, limits));
    out.extend(chains(&a.snapshot, &a.view.blocking));
    out
}

/// What the Activity pane could not see.
#[must_use]
pub fn not_checked(a: &Activity) -> Vec<String> {
    let mut out = Vec::new();
    let hidden = a
        .snapshot
        .sessions
        .iter()
        .filter(|s| s.state == SessionState::Unknown && s.is_client())
        .count();
    if hidden > 0 {
        out.push(format!(
            "the state, query and durations of {hidden} sessions of other roles are hidden \
             from this role (sessions idle in transaction or in long transactions among them \
             are not seen; their lock waits are, from pg_locks): grant it pg_monitor"
        ));
    }
    if let Err(why) = &a.snapshot.locks {
        out.push(format!("locks: {why}"));
    }
    out
}

fn saturation(view: &ActivityView) -> Option<Finding> {
    let u = &view.usage;
    let severity = severity(u.used_pct.level)?;
    let summary = format!(
        "{} of {} usable connections in use ({:.0}%; max_connections {} less the superuser \
         reserve)",
        u.used, u.usable, u.used_pct.value, u.max
    );
    Some(
        Finding::new(Kind::ConnectionSaturation, severity, summary)
            .with("used", u.used)
            .with("usable", u.usable)
            .with("max_connections", u.max)
            .with("used_pct", u.used_pct.value)
            .with("active", u.by_state.active)
            .with("idle", u.by_state.idle)
            .with("idle_in_transaction", u.by_state.idle_in_transaction)
            .with("waiting", u.waiting),
    )
}

fn idle_in_transaction(s: &Session, limits: &Thresholds) -> Option<Finding> {
    let severity = severity(activity::session_level(s, limits))?;
    let age = s.state_secs?;
    let aborted = if s.state == SessionState::IdleInTransactionAborted {
        " (aborted)"
    } else {
        ""
    };
    let summary = format!(
        "pid {} ({}) idle in transaction{aborted} for {}; last statement: {}",
        s.pid,
        who(s),
        format::age(age),
        format::truncate(&one_line(&s.query), SUMMARY_TEXT)
    );
    let mut finding = Finding::new(Kind::IdleInTransaction, severity, summary)
        .in_database(s.database.clone())
        .with("pid", s.pid)
        .with("application_name", s.application.clone())
        .with("age_seconds", age)
        .with("transaction_seconds", json!(s.xact_secs))
        .with("user", s.user.clone())
        .with("database", s.database.clone())
        .with("client", client_label(s))
        .with("query", s.query.clone());
    finding.sql = Some(terminate(s, "idle in transaction"));
    Some(finding)
}

/// Client sessions whose transaction has been open past `transaction_age_secs` (those idle
/// in it have their own finding), the oldest first, and whether each holds back the xmin
/// horizon — VACUUM of every table it can see keeps the dead rows younger than it.
fn long_transactions(a: &Activity, limits: &Thresholds) -> Vec<Finding> {
    let horizon = a.view.horizon.first().and_then(|h| match h.kind {
        HorizonKind::Session { pid, .. } => Some((pid, h.age)),
        _ => None,
    });
    let mut sessions: Vec<&Session> = a
        .snapshot
        .sessions
        .iter()
        .filter(|s| s.is_client() && !s.is_self && !s.state.is_idle_in_transaction())
        .collect();
    sessions.sort_by(|x, y| {
        y.xact_secs
            .unwrap_or(0.0)
            .total_cmp(&x.xact_secs.unwrap_or(0.0))
    });
    sessions
        .into_iter()
        .filter_map(|s| {
            let age = s.xact_secs?;
            let severity = severity(limits.transaction_age_secs.judge(age))?;
            let holds = horizon.filter(|(pid, _)| *pid == s.pid);
            let horizon_words = match holds {
                Some((_, xids)) => format!(
                    "; it holds back the xmin horizon ({} transactions): VACUUM cannot remove \
                     newer dead rows",
                    format::count(i64::from(xids))
                ),
                None => String::new(),
            };
            let summary = format!(
                "pid {} ({}) has had a transaction open for {} (warn {}, critical {}), {}{}: {}",
                s.pid,
                who(s),
                format::age(age),
                format::age(limits.transaction_age_secs.warn),
                format::age(limits.transaction_age_secs.critical),
                activity::state_label(&s.state),
                horizon_words,
                format::truncate(&one_line(&s.query), SUMMARY_TEXT)
            );
            let mut finding = Finding::new(Kind::LongTransaction, severity, summary)
                .in_database(s.database.clone())
                .with("pid", s.pid)
                .with("application_name", s.application.clone())
                .with("transaction_seconds", age)
                .with("query_seconds", json!(s.query_secs))
                .with("state", s.state.as_str())
                .with("holds_xmin_horizon", holds.is_some())
                .with("xmin_age", json!(holds.map(|(_, xids)| xids)))
                .with("user", s.user.clone())
                .with("database", s.database.clone())
                .with("query", s.query.clone());
            finding.sql = Some(cancel(s));
            Some(finding)
        })
        .collect()
}

/// "api, app, shop": application, user, database.
fn who(s: &Session) -> String {
    let who = [
        Some(s.application.as_str()).filter(|a| !a.is_empty()),
        s.user.as_deref(),
        s.database.as_deref(),
    ];
    who.into_iter().flatten().collect::<Vec<_>>().join(", ")
}

/// One finding per root blocker whose tree waits past the lock-wait threshold.
fn chains(snapshot: &ActivitySnapshot, tree: &BlockingTree) -> Vec<Finding> {
    let mut out = Vec::new();
    let rows = &tree.rows;
    for (i, root) in rows.iter().enumerate().filter(|(_, r)| r.depth == 0) {
        let Some(severity) = severity(root.level) else {
            continue;
        };
        let under: Vec<&BlockNode> = rows[i + 1..].iter().take_while(|r| r.depth > 0).collect();
        let chain: Vec<i32> = std::iter::once(root.pid)
            .chain(under.iter().map(|r| r.pid))
            .collect();
        let longest = under
            .iter()
            .filter_map(|r| r.wait_secs)
            .fold(0.0_f64, f64::max);
        let what = if root.idle_in_transaction_root {
            "idle in transaction".to_owned()
        } else if root.state == SessionState::Unknown {
            "state hidden from this role".to_owned()
        } else {
            root.state.as_str().to_owned()
        };
        let runs = if root.state == SessionState::Active {
            "it runs"
        } else {
            "its last statement"
        };
        let holds = root
            .holds
            .as_ref()
            .map(|l| format!(", holding {} on {}", l.mode, l.object))
            .unwrap_or_default();
        let query = if root.query.is_empty() || root.state == SessionState::Unknown {
            String::new()
        } else {
            format!(
                "; {runs}: {}",
                format::truncate(&one_line(&root.query), SUMMARY_TEXT)
            )
        };
        let summary = format!(
            "pid {} ({}, {what}{holds}) blocks {} session{}, the longest waiting {}{query}",
            root.pid,
            if root.application.is_empty() {
                "no application_name"
            } else {
                root.application.as_str()
            },
            under.len(),
            if under.len() == 1 { "" } else { "s" },
            format::age(longest),
        );
        let session = snapshot.sessions.iter().find(|s| s.pid == root.pid);
        let waiters: Vec<serde_json::Value> = under
            .iter()
            .map(|r| {
                json!({
                    "pid": r.pid,
                    "depth": r.depth,
                    "blocked_by": r.parent,
                    "application_name": r.application,
                    "waits_for": r.waits.as_ref().map(|l| format!("{} on {}", l.mode, l.object)),
                    "wait_seconds": r.wait_secs,
                    "query": r.query,
                })
            })
            .collect();
        let mut finding = Finding::new(Kind::BlockingChain, severity, summary)
            .in_database(session.and_then(|s| s.database.clone()))
            .with("root_pid", root.pid)
            .with("chain", chain)
            .with("waiting", under.len())
            .with("longest_wait_seconds", longest)
            .with("root_application_name", root.application.clone())
            .with("root_state", what)
            .with("root_query", root.query.clone())
            .with(
                "root_holds",
                json!(
                    root.holds
                        .as_ref()
                        .map(|l| format!("{} on {}", l.mode, l.object))
                ),
            )
            .with("waiters", waiters)
            .with("in_cycle", root.in_cycle);
        // A root idle in its transaction ignores a cancel: only ending the session frees the
        // locks. An active root's statement can be cancelled. A prepared transaction (pid 0)
        // is ended with ROLLBACK PREPARED, which needs its gid (the Activity pane shows it).
        finding.sql = match (root.pid, session) {
            (activity::blocking::PREPARED_PID, _) | (_, None) => None,
            (_, Some(s)) if root.idle_in_transaction_root => {
                Some(terminate(s, "idle in transaction"))
            }
            (_, Some(s)) => Some(cancel(s)),
        };
        out.push(finding);
    }
    out
}

/// The guarded signal for `s`: by pid and start time (a pid reused since is left alone), and
/// only while its state still contains `state` — a report is read, pasted and run later.
fn signal(kind: JobKind, s: &Session, state: &str, comment: &str) -> String {
    let target = Target {
        pid: s.pid,
        backend_start: s.backend_start.clone(),
        recheck: vec![Recheck::Contains(vec![Mutable::State], state.to_owned())],
    };
    format!(
        "-- {comment}; nothing happens if pid {} is another session by now, or no longer {state}\n{};",
        s.pid,
        backend::statement(kind, &[target])
    )
}

fn terminate(s: &Session, state: &str) -> String {
    signal(
        JobKind::TerminateBackend,
        s,
        state,
        "ends the session: its open transaction is rolled back",
    )
}

fn cancel(s: &Session) -> String {
    signal(
        JobKind::CancelBackend,
        s,
        "active",
        "cancels its statement: its transaction is rolled back",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::activity::fixture::{client, idle_in_transaction, waiting};
    use crate::report::Severity;
    use crate::server::ServerInfo;

    #[test]
    fn idle_sessions_by_pid_and_blocking_trees_by_root() {
        let mut root = idle_in_transaction(100, "backoffice", 400.0);
        root.query = "UPDATE watchlists SET name = name WHERE id = 1".to_owned();
        let snapshot = ActivitySnapshot {
            sessions: vec![
                root,
                waiting(101, "migrate", &[100], 41.0),
                waiting(102, "api", &[101], 12.0),
                idle_in_transaction(200, "risk-engine", 70.0),
                idle_in_transaction(300, "reporting", 3.0),
                client(400, "api", SessionState::Idle),
            ],
            ..ActivitySnapshot::default()
        };
        let limits = Thresholds::default();
        let view = activity::build(&snapshot, &ServerInfo::example(150_018), &limits);
        let found = findings(&Activity { snapshot, view }, &limits);
        let idle: Vec<(i64, Severity)> = found
            .iter()
            .filter(|f| f.kind == Kind::IdleInTransaction)
            .map(|f| (f.evidence["pid"].as_i64().unwrap(), f.severity))
            .collect();
        assert_eq!(
            idle,
            [(100, Severity::Critical), (200, Severity::Warning)],
            "3 s idle is an application at work"
        );
        let chains: Vec<&Finding> = found
            .iter()
            .filter(|f| f.kind == Kind::BlockingChain)
            .collect();
        assert_eq!(chains.len(), 1);
        let chain = chains[0];
        assert_eq!(chain.severity, Severity::Critical, "a 41 s wait under it");
        assert_eq!(chain.evidence["root_pid"], 100);
        assert_eq!(chain.evidence["chain"], serde_json::json!([100, 101, 102]));
        let sql = chain.sql.as_deref().unwrap();
        assert!(
            sql.contains("pg_terminate_backend(pid)")
                && sql.contains("(pid = 100 AND backend_start = '2025-01-01T00:00:00.000001Z'")
                && sql.contains("lower('idle in transaction')"),
            "an idle root ignores a cancel; a reused pid or a session that moved on is left \
             alone: {sql}"
        );
        assert_eq!(chain.database.as_deref(), Some("shop"));
        assert!(
            chain
                .summary
                .starts_with("pid 100 (backoffice, idle in transaction) blocks 2")
        );
    }
}
