//! The Overview's findings: transaction-id and multixact wraparound ahead, judged by the
//! Overview itself (connections, sessions and locks come from the Activity pane's analysis).

use serde_json::json;

use crate::diagnose::health::{Level, Thresholds};
use crate::diagnose::overview::{Overview, WraparoundFigures};
use crate::report::{Finding, Kind, Severity};

/// The findings of the Overview's figures (the thresholds already judged them).
#[must_use]
pub fn findings(view: &Overview, _limits: &Thresholds) -> Vec<Finding> {
    match &view.wraparound {
        Ok(w) => wraparound(w),
        Err(_) => Vec::new(),
    }
}

/// What the Overview could not see.
#[must_use]
pub fn not_checked(view: &Overview) -> Vec<String> {
    let mut out = Vec::new();
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

    fn view(wraparound: WraparoundFigures) -> Overview {
        Overview {
            interval_secs: Some(5.0),
            top_window_secs: Some(5.0),
            connections: Err("n/a".to_owned()),
            throughput: Err("n/a".to_owned()),
            wraparound: Ok(wraparound),
            replication: Err("n/a".to_owned()),
            top_queries: Err("n/a".to_owned()),
        }
    }

    #[test]
    fn wraparound_ahead_is_a_finding_and_headroom_is_none() {
        let wrap = WraparoundFigures {
            xid_age: Figure::new(1_200_000_000, Level::Warn),
            mxid_age: Figure::new(1_600_000_000, Level::Critical),
            oldest_database: "shop".to_owned(),
            ..WraparoundFigures::default()
        };
        let found = findings(&view(wrap), &Thresholds::default());
        let kinds: Vec<(Kind, Severity)> = found.iter().map(|f| (f.kind, f.severity)).collect();
        assert_eq!(
            kinds,
            [
                (Kind::WraparoundRisk, Severity::Warning),
                (Kind::WraparoundRisk, Severity::Critical)
            ]
        );
        assert_eq!(found[0].evidence["database"], "shop");
        let calm = findings(&view(WraparoundFigures::default()), &Thresholds::default());
        assert!(calm.is_empty(), "{calm:?}");
    }
}
