//! The Overview's findings: connections near the limit, sessions idle in transaction,
//! sessions waiting for locks, and transaction-id or multixact wraparound ahead — each judged
//! by the Overview itself. The Overview counts sessions; it does not know their pids, so
//! `pid` and `root_pid` are null in these findings.

use serde_json::json;

use crate::diagnose::health::{Level, Thresholds};
use crate::diagnose::overview::{Connections, Overview, WraparoundFigures};
use crate::report::{Finding, Kind, Severity};
use crate::ui::format;

/// The findings of the Overview's figures (the thresholds already judged them).
#[must_use]
pub fn findings(view: &Overview, _limits: &Thresholds) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Ok(c) = &view.connections {
        out.extend(saturation(c));
        out.extend(idle_in_transaction(c));
        out.extend(lock_waits(c));
    }
    if let Ok(w) = &view.wraparound {
        out.extend(wraparound(w));
    }
    out
}

/// What the Overview could not see.
#[must_use]
pub fn not_checked(view: &Overview) -> Vec<String> {
    let mut out = Vec::new();
    if let Err(why) = &view.connections {
        out.push(format!("connections: {why}"));
    }
    if let Ok(c) = &view.connections
        && c.state_hidden > 0
    {
        out.push(format!(
            "the state of {} sessions of other roles is hidden from this role (idle in \
             transaction among them is not seen): grant it pg_monitor",
            c.state_hidden
        ));
    }
    if let Err(why) = &view.wraparound {
        out.push(format!("wraparound: {why}"));
    }
    if let Ok(r) = &view.replication
        && r.is_standby
    {
        out.push(
            "the primary: this is a standby, so its sessions, locks and statements are its own \
             (run pgmedic on the primary for the write load)"
                .to_owned(),
        );
    }
    out
}

/// ok → none, WARN → warning, CRIT → critical.
#[must_use]
pub(crate) fn severity(level: Level) -> Option<Severity> {
    match level {
        Level::Warn => Some(Severity::Warning),
        Level::Critical => Some(Severity::Critical),
        Level::Unknown | Level::Ok => None,
    }
}

fn saturation(c: &Connections) -> Option<Finding> {
    let severity = severity(c.used_pct.level)?;
    let summary = format!(
        "{} of {} usable connections in use ({:.0}%; max_connections {} less the superuser \
         reserve)",
        c.used, c.usable, c.used_pct.value, c.max
    );
    Some(
        Finding::new(Kind::ConnectionSaturation, severity, summary)
            .with("used", c.used)
            .with("usable", c.usable)
            .with("max_connections", c.max)
            .with("used_pct", c.used_pct.value)
            .with("active", c.active)
            .with("idle", c.idle)
            .with("idle_in_transaction", c.idle_in_transaction.value),
    )
}

/// The Overview knows how many sessions sit idle in transaction and the oldest's age, not
/// which one it is: `pid` and `application_name` are null here.
fn idle_in_transaction(c: &Connections) -> Option<Finding> {
    let severity = severity(c.oldest_idle_in_transaction.level)?;
    let age = c.oldest_idle_in_transaction.value?;
    let sessions = c.idle_in_transaction.value + c.idle_in_transaction_aborted;
    let summary = format!(
        "{sessions} session{} idle in transaction, the oldest for {}: an open transaction keeps \
         its locks and holds back vacuum",
        if sessions == 1 { "" } else { "s" },
        format::age(age)
    );
    Some(
        Finding::new(Kind::IdleInTransaction, severity, summary)
            .with("pid", serde_json::Value::Null)
            .with("application_name", serde_json::Value::Null)
            .with("age_seconds", age)
            .with("sessions", sessions),
    )
}

/// Sessions waiting for locks, judged by the longest wait; which session blocks them is
/// not known here (`root_pid` null, `chain` empty).
fn lock_waits(c: &Connections) -> Option<Finding> {
    let severity = severity(c.waiting_on_locks.level)?;
    let wait = c.longest_lock_wait?;
    let waiting = c.waiting_on_locks.value;
    let summary = format!(
        "{waiting} session{} waiting for locks, the longest for {}",
        if waiting == 1 { "" } else { "s" },
        format::age(wait)
    );
    Some(
        Finding::new(Kind::BlockingChain, severity, summary)
            .with("root_pid", serde_json::Value::Null)
            .with("chain", json!([]))
            .with("waiting", waiting)
            .with("longest_wait_seconds", wait),
    )
}

fn wraparound(w: &WraparoundFigures) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(severity) = severity(w.xid_age.level) {
        let summary = format!(
            "database {}: transaction id age {:.2} billion, {:.0}% of the id space left before \
             wraparound (autovacuum_freeze_max_age {:.0} million)",
            w.oldest_database,
            w.xid_age.value as f64 / 1e9,
            w.xid_headroom_pct,
            w.freeze_max_age as f64 / 1e6
        );
        out.push(
            Finding::new(Kind::WraparoundRisk, severity, summary)
                .with("database", w.oldest_database.clone())
                .with("xid_age", w.xid_age.value)
                .with("xid_headroom", w.xid_headroom)
                .with("xid_headroom_pct", w.xid_headroom_pct)
                .with("freeze_max_age", w.freeze_max_age),
        );
    }
    if let Some(severity) = severity(w.mxid_age.level) {
        let summary = format!(
            "multixact id age {:.2} billion: wraparound of multixacts ahead",
            w.mxid_age.value as f64 / 1e9
        );
        out.push(
            Finding::new(Kind::WraparoundRisk, severity, summary)
                .with("database", w.oldest_database.clone())
                .with("mxid_age", json!(w.mxid_age.value)),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::health::Figure;

    fn view(connections: Connections, wraparound: WraparoundFigures) -> Overview {
        Overview {
            interval_secs: Some(5.0),
            top_window_secs: Some(5.0),
            connections: Ok(connections),
            throughput: Err("n/a".to_owned()),
            wraparound: Ok(wraparound),
            replication: Err("n/a".to_owned()),
            top_queries: Err("n/a".to_owned()),
        }
    }

    #[test]
    fn judged_figures_become_findings_with_the_documented_evidence() {
        let connections = Connections {
            used: 90,
            usable: 97,
            max: 100,
            used_pct: Figure::new(92.8, Level::Critical),
            idle_in_transaction: Figure::new(2, Level::Warn),
            oldest_idle_in_transaction: Figure::new(Some(372.0), Level::Critical),
            waiting_on_locks: Figure::new(3, Level::Critical),
            longest_lock_wait: Some(41.0),
            ..Connections::default()
        };
        let wrap = WraparoundFigures {
            xid_age: Figure::new(1_200_000_000, Level::Warn),
            oldest_database: "shop".to_owned(),
            ..WraparoundFigures::default()
        };
        let found = findings(&view(connections, wrap), &Thresholds::default());
        let kinds: Vec<(Kind, Severity)> = found.iter().map(|f| (f.kind, f.severity)).collect();
        assert_eq!(
            kinds,
            [
                (Kind::ConnectionSaturation, Severity::Critical),
                (Kind::IdleInTransaction, Severity::Critical),
                (Kind::BlockingChain, Severity::Critical),
                (Kind::WraparoundRisk, Severity::Warning),
            ]
        );
        let idle = &found[1];
        assert_eq!(idle.evidence["age_seconds"], 372.0);
        assert!(idle.evidence["pid"].is_null());
        assert!(
            idle.summary
                .starts_with("2 sessions idle in transaction, the oldest for 6m12s")
        );
    }

    #[test]
    fn figures_within_their_thresholds_give_nothing() {
        let connections = Connections {
            used_pct: Figure::new(10.0, Level::Ok),
            ..Connections::default()
        };
        let found = findings(
            &view(connections, WraparoundFigures::default()),
            &Thresholds::default(),
        );
        assert!(found.is_empty(), "{found:?}");
    }
}
