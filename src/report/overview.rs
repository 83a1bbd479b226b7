//! The Overview's findings, judged by the Overview itself: the rates of the interval
//! (deadlocks, cache hit ratio, temporary files — pg_stat_database summed over every database,
//! so they concern the cluster), replication lag, and transaction-id and multixact wraparound
//! ahead. Connections, sessions, long transactions and lock waits come from the Activity
//! pane's analysis, which sees each session.

use serde_json::json;

use crate::diagnose::health::{Level, Thresholds};
use crate::diagnose::overview::{Overview, Replication, Throughput, WraparoundFigures};
use crate::report::{Finding, Kind, Severity};
use crate::ui::format;

/// The findings of the Overview's figures (the thresholds already judged them).
#[must_use]
pub fn findings(view: &Overview, limits: &Thresholds) -> Vec<Finding> {
    let mut out = Vec::new();
    if let (Ok(t), Some(secs)) = (&view.throughput, view.interval_secs) {
        out.extend(throughput(t, secs, limits));
    }
    if let Ok(r) = &view.replication {
        out.extend(replication(r, limits));
    }
    if let Ok(w) = &view.wraparound {
        out.extend(wraparound(w));
    }
    out
}

/// Deadlocks, cache hit ratio and temporary files over the interval.
fn throughput(t: &Throughput, secs: f64, limits: &Thresholds) -> Vec<Finding> {
    let interval = format::age(secs);
    let mut out = Vec::new();
    if let Some(severity) = severity(t.deadlocks.level) {
        let n = t.deadlocks.value;
        out.push(
            Finding::new(
                Kind::Deadlocks,
                severity,
                format!(
                    "{n} deadlock{} in {interval} (threshold {}): the server's log names the \
                     sessions and statements",
                    if n == 1 { "" } else { "s" },
                    bounds(
                        limits.deadlocks.warn,
                        limits.deadlocks.critical,
                        |v| format!("{v}")
                    )
                ),
            )
            .with("deadlocks", n)
            .with("interval_seconds", secs)
            .with("warn", limits.deadlocks.warn)
            .with("critical", limits.deadlocks.critical),
        );
    }
    if let (Some(severity), Some(hit)) = (severity(t.cache_hit_pct.level), t.cache_hit_pct.value) {
        let limit = limits.cache_hit_pct;
        out.push(
            Finding::new(
                Kind::CacheHitRatio,
                severity,
                format!(
                    "{} of block reads served from shared buffers in {interval} (warn under {}, \
                     critical under {}): the working set does not fit shared_buffers, or \
                     something reads a large table whole",
                    format::percent(hit),
                    format::percent(limit.warn),
                    format::percent(limit.critical)
                ),
            )
            .with("cache_hit_pct", hit)
            .with("interval_seconds", secs)
            .with("warn", limit.warn)
            .with("critical", limit.critical),
        );
    }
    if let Some(severity) = severity(t.temp_bytes_per_sec.level) {
        let rate = t.temp_bytes_per_sec.value;
        let limit = limits.temp_bytes_per_sec;
        out.push(
            Finding::new(
                Kind::TempFiles,
                severity,
                format!(
                    "{} written to temporary files in {interval} (threshold {}): sorts and \
                     hashes spill past work_mem (query_lint TEMP names the statements)",
                    format::bytes_per_sec(rate),
                    bounds(limit.warn, limit.critical, format::bytes_per_sec)
                ),
            )
            .with("temp_bytes_per_sec", rate)
            .with("interval_seconds", secs)
            .with("warn", limit.warn)
            .with("critical", limit.critical),
        );
    }
    out
}

/// Each standby (or this standby) past the lag thresholds.
fn replication(r: &Replication, limits: &Thresholds) -> Vec<Finding> {
    r.replicas
        .iter()
        .filter_map(|replica| {
            let severity = severity(replica.level)?;
            let lag = [
                replica.lag_seconds.map(format::age),
                replica.lag_bytes.map(format::bytes),
            ];
            let lag: Vec<String> = lag.into_iter().flatten().collect();
            let who = if r.is_standby {
                "this standby".to_owned()
            } else {
                format!("standby {} ({})", replica.name, replica.client)
            };
            let summary = format!(
                "{who} is {} behind (thresholds {} / {})",
                lag.join(", "),
                bounds(
                    limits.replication_lag_secs.warn,
                    limits.replication_lag_secs.critical,
                    format::age
                ),
                bounds(
                    limits.replication_lag_bytes.warn,
                    limits.replication_lag_bytes.critical,
                    format::bytes
                )
            );
            Some(
                Finding::new(Kind::ReplicationLag, severity, summary)
                    .with("name", replica.name.clone())
                    .with("client", replica.client.clone())
                    .with("state", replica.state.clone())
                    .with("lag_seconds", json!(replica.lag_seconds))
                    .with("lag_bytes", json!(replica.lag_bytes)),
            )
        })
        .collect()
}

/// "warn 1, critical 5", each bound written by `show`.
fn bounds(warn: f64, critical: f64, show: impl Fn(f64) -> String) -> String {
    format!("warn {}, critical {}", show(warn), show(critical))
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
                .in_database(Some(w.oldest_database.clone()))
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
                .in_database(Some(w.oldest_database.clone()))
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
