//! When autovacuum will act on a table, how far it is from transaction-id wraparound, and a
//! status per table — computed as the server's `relation_needs_vacanalyze` does, from the
//! global settings, the table's own reloptions and its counters. Pure; no I/O.
//!
//! Status of a table, from these figures (first that applies):
//! - **URGENT**: its transaction-id (or multixact) age is past the effective
//!   autovacuum_freeze_max_age (or the multixact one), so an anti-wraparound autovacuum is due or already overdue; or
//!   its dead tuples, inserts or rows changed since ANALYZE are past their threshold while
//!   autovacuum will not act on them (autovacuum or track_counts off, or autovacuum_enabled =
//!   off on the table); or one of them is past twice its threshold (autovacuum is not keeping
//!   up — blocked by a lock, too few workers, or something holding the xmin horizon back).
//! - **NEVER**: it holds rows but has never been vacuumed nor analyzed, manually or by
//!   autovacuum, since the statistics were last reset.
//! - **SOON**: a vacuum trigger (dead tuples, inserts, freeze age) has reached 80 % of its
//!   threshold, or the rows changed since the last ANALYZE have passed the analyze threshold.
//! - **OK**: none of the above.

use crate::diagnose::bloat::{reloption, reloption_bool};
use crate::diagnose::health::Level;
use crate::diagnose::overview::XID_WRAP_LIMIT;

/// A vacuum trigger counts as close (SOON) from this share of its threshold.
pub const SOON_RATIO: f64 = 0.8;
/// A trigger past this multiple of its threshold means autovacuum is not keeping up.
pub const BEHIND_RATIO: f64 = 2.0;

/// The server-wide autovacuum settings (pg_settings).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AutovacuumSettings {
    /// `autovacuum` is on.
    pub autovacuum: bool,
    /// `track_counts` is on (autovacuum is blind without it).
    pub track_counts: bool,
    pub vacuum_threshold: f64,
    pub vacuum_scale_factor: f64,
    /// autovacuum_vacuum_max_threshold (18+; -1 disables the cap).
    pub vacuum_max_threshold: Option<f64>,
    /// autovacuum_vacuum_insert_threshold (13+; -1 disables insert-triggered vacuums).
    pub insert_threshold: Option<f64>,
    pub insert_scale_factor: f64,
    pub analyze_threshold: f64,
    pub analyze_scale_factor: f64,
    pub freeze_max_age: i64,
    pub multixact_freeze_max_age: i64,
}

impl Default for AutovacuumSettings {
    /// PostgreSQL 15's defaults.
    fn default() -> Self {
        Self {
            autovacuum: true,
            track_counts: true,
            vacuum_threshold: 50.0,
            vacuum_scale_factor: 0.2,
            vacuum_max_threshold: None,
            insert_threshold: Some(1000.0),
            insert_scale_factor: 0.2,
            analyze_threshold: 50.0,
            analyze_scale_factor: 0.1,
            freeze_max_age: 200_000_000,
            multixact_freeze_max_age: 400_000_000,
        }
    }
}

/// A table's counters and ages, as the server keeps them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TableCounters {
    /// pg_class.reloptions, `name=value` strings.
    pub reloptions: Vec<String>,
    /// pg_class.reltuples (-1: never vacuumed nor analyzed, 14+).
    pub reltuples: f64,
    pub relpages: i64,
    /// pg_class.relallfrozen (18+).
    pub relallfrozen: Option<i64>,
    pub n_live_tup: i64,
    pub n_dead_tup: i64,
    pub n_mod_since_analyze: i64,
    /// pg_stat_user_tables.n_ins_since_vacuum (13+).
    pub n_ins_since_vacuum: Option<i64>,
    /// age(relfrozenxid) of the table and of its TOAST table (autovacuum freezes each on its
    /// own); `None` for a relation without one.
    pub xid_age: Option<i64>,
    pub toast_xid_age: Option<i64>,
    /// mxid_age(relminmxid).
    pub mxid_age: Option<i64>,
    /// Epoch seconds of the last manual / automatic vacuum and analyze.
    pub last_vacuum: Option<f64>,
    pub last_autovacuum: Option<f64>,
    pub last_analyze: Option<f64>,
    pub last_autoanalyze: Option<f64>,
}

/// One autovacuum trigger: where the counter is against the threshold that fires it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Trigger {
    pub value: f64,
    pub threshold: f64,
}

impl Trigger {
    /// Value over threshold (1.0: fires on autovacuum's next visit).
    #[must_use]
    pub fn ratio(&self) -> f64 {
        if self.threshold > 0.0 {
            self.value / self.threshold
        } else if self.value > 0.0 {
            f64::INFINITY
        } else {
            0.0
        }
    }

    /// How much more the counter may grow before the trigger fires (0 once it has).
    #[must_use]
    pub fn remaining(&self) -> f64 {
        (self.threshold - self.value).max(0.0)
    }

    /// The server fires when the value is strictly above the threshold.
    #[must_use]
    pub fn fired(&self) -> bool {
        self.value > self.threshold
    }
}

/// The table's settings after its reloptions override the globals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Effective {
    /// Autovacuum acts on this table's thresholds (globally on, track_counts on, not
    /// disabled on the table). Anti-wraparound vacuums run regardless.
    pub active: bool,
    /// The table disables autovacuum itself (autovacuum_enabled = off).
    pub table_disabled: bool,
    pub freeze_max_age: i64,
    pub multixact_freeze_max_age: i64,
}

/// Every trigger of one table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Triggers {
    pub effective: Effective,
    /// Dead tuples against the vacuum threshold.
    pub vacuum: Trigger,
    /// Inserts since the last vacuum against the insert threshold (13+, unless disabled).
    pub insert: Option<Trigger>,
    /// Rows changed since the last ANALYZE against the analyze threshold.
    pub analyze: Trigger,
    /// age(relfrozenxid) (table or TOAST, the older) against autovacuum_freeze_max_age.
    pub freeze: Option<Trigger>,
    /// mxid_age(relminmxid) against autovacuum_multixact_freeze_max_age.
    pub multixact: Option<Trigger>,
}

/// Computes when autovacuum will act on the table (see `relation_needs_vacanalyze`).
#[must_use]
pub fn triggers(t: &TableCounters, s: &AutovacuumSettings) -> Triggers {
    let opts = &t.reloptions;
    let num = |name: &str| reloption(opts, name).and_then(|v| v.parse::<f64>().ok());
    let non_negative = |name: &str, global: f64| num(name).filter(|v| *v >= 0.0).unwrap_or(global);
    let table_disabled = reloption_bool(opts, "autovacuum_enabled") == Some(false);
    let reltuples = t.reltuples.max(0.0);

    let mut vacuum_threshold = non_negative("autovacuum_vacuum_threshold", s.vacuum_threshold)
        + non_negative("autovacuum_vacuum_scale_factor", s.vacuum_scale_factor) * reltuples;
    let cap = s.vacuum_max_threshold.map(|global| {
        num("autovacuum_vacuum_max_threshold")
            .filter(|v| *v >= -1.0)
            .unwrap_or(global)
    });
    if let Some(cap) = cap.filter(|c| *c >= 0.0) {
        vacuum_threshold = vacuum_threshold.min(cap);
    }
    let insert = s.insert_threshold.and_then(|global| {
        let base = num("autovacuum_vacuum_insert_threshold")
            .filter(|v| *v >= -1.0)
            .unwrap_or(global);
        let scale = non_negative(
            "autovacuum_vacuum_insert_scale_factor",
            s.insert_scale_factor,
        );
        (base >= 0.0).then(|| Trigger {
            value: t.n_ins_since_vacuum.unwrap_or(0) as f64,
            threshold: base + scale * reltuples * unfrozen_share(t),
        })
    });
    let analyze_threshold = non_negative("autovacuum_analyze_threshold", s.analyze_threshold)
        + non_negative("autovacuum_analyze_scale_factor", s.analyze_scale_factor) * reltuples;
    // A table's freeze ages can only lower the global ones.
    let lowered = |name: &str, global: i64| {
        num(name)
            .filter(|v| *v >= 0.0)
            .map_or(global, |v| (v as i64).min(global))
    };
    let effective = Effective {
        active: s.autovacuum && s.track_counts && !table_disabled,
        table_disabled,
        freeze_max_age: lowered("autovacuum_freeze_max_age", s.freeze_max_age),
        multixact_freeze_max_age: lowered(
            "autovacuum_multixact_freeze_max_age",
            s.multixact_freeze_max_age,
        ),
    };
    let oldest = t.xid_age.max(t.toast_xid_age);
    Triggers {
        effective,
        vacuum: Trigger {
            value: t.n_dead_tup as f64,
            threshold: vacuum_threshold,
        },
        insert,
        analyze: Trigger {
            value: t.n_mod_since_analyze as f64,
            threshold: analyze_threshold,
        },
        freeze: oldest.map(|age| Trigger {
            value: age as f64,
            threshold: effective.freeze_max_age as f64,
        }),
        multixact: t.mxid_age.map(|age| Trigger {
            value: age as f64,
            threshold: effective.multixact_freeze_max_age as f64,
        }),
    }
}

/// The share of the table not marked all-frozen (18+ scales the insert threshold by it).
fn unfrozen_share(t: &TableCounters) -> f64 {
    match t.relallfrozen {
        Some(frozen) if t.relpages > 0 && frozen > 0 => {
            1.0 - frozen.min(t.relpages) as f64 / t.relpages as f64
        }
        _ => 1.0,
    }
}

/// The vacuum trigger closest to firing (dead tuples, inserts, freeze age), by its ratio.
#[must_use]
pub fn nearest(tr: &Triggers) -> Option<(&'static str, f64)> {
    [
        ("dead", Some(tr.vacuum)),
        ("ins", tr.insert),
        ("frz", tr.freeze),
        ("mxid", tr.multixact),
    ]
    .into_iter()
    .filter_map(|(what, t)| t.map(|t| (what, t.ratio())))
    .filter(|(_, r)| r.is_finite())
    .max_by(|a, b| a.1.total_cmp(&b.1))
}

/// Transaction ids left before the table's oldest unfrozen id reaches wraparound (2^31).
#[must_use]
pub fn wraparound_headroom(xid_age: i64) -> i64 {
    (XID_WRAP_LIMIT - xid_age).max(0)
}

/// Dead tuples as a share of all tuples, 0–100 (`None` for an empty table).
#[must_use]
pub fn dead_pct(t: &TableCounters) -> Option<f64> {
    let all = t.n_live_tup + t.n_dead_tup;
    (all > 0).then(|| 100.0 * t.n_dead_tup as f64 / all as f64)
}

// ─── Status ──────────────────────────────────────────────────────────────────────────────────

/// The table's vacuum status (see the module documentation for the definition).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Ok,
    Soon,
    Never,
    Urgent,
}

impl Status {
    /// The word shown in the pane.
    #[must_use]
    pub fn word(self) -> &'static str {
        match self {
            Status::Urgent => "URGENT",
            Status::Never => "NEVER",
            Status::Soon => "SOON",
            Status::Ok => "OK",
        }
    }

    /// The level it is coloured by.
    #[must_use]
    pub fn level(self) -> Level {
        match self {
            Status::Urgent => Level::Critical,
            Status::Never | Status::Soon => Level::Warn,
            Status::Ok => Level::Ok,
        }
    }
}

/// A status and the reason for it, in words.
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    pub status: Status,
    pub reason: String,
}

/// The table's status and why.
#[must_use]
pub fn status(t: &TableCounters, tr: &Triggers) -> Judged {
    let judged = |status, reason: String| Judged { status, reason };
    let ages = [("xid", tr.freeze), ("multixact", tr.multixact)];
    for (what, trigger) in ages {
        if let Some(age) = trigger.filter(Trigger::fired) {
            return judged(
                Status::Urgent,
                format!(
                    "{what} age {:.0} is past its freeze max age {:.0}: anti-wraparound \
                     vacuum due",
                    age.value, age.threshold
                ),
            );
        }
    }
    // Every trigger autovacuum acts on: past it while autovacuum will not act, it stays
    // past it. Dead tuples past twice their threshold: autovacuum is not keeping up (or
    // cannot: a lock, a worker shortage). Inserts and changed rows past twice theirs are only
    // SOON: after a bulk load or a batch they are, for the minute autovacuum takes to come
    // round, and a missed ANALYZE or insert vacuum is not an emergency.
    let acted_on = [
        ("dead tuples", "vacuum", Some(tr.vacuum), "VACUUM"),
        ("inserts", "insert vacuum", tr.insert, "VACUUM"),
        (
            "rows changed since ANALYZE",
            "analyze",
            Some(tr.analyze),
            "ANALYZE",
        ),
    ];
    for (what, threshold, trigger, command) in acted_on {
        let Some(trigger) = trigger else { continue };
        if trigger.fired() && !tr.effective.active {
            let why = if tr.effective.table_disabled {
                "autovacuum_enabled = off on the table"
            } else {
                "autovacuum is off"
            };
            return judged(
                Status::Urgent,
                format!(
                    "{what} past the {threshold} threshold and {why}: nothing will run \
                     {command} on it but you"
                ),
            );
        }
        if threshold == "vacuum" && trigger.ratio() >= BEHIND_RATIO {
            return judged(
                Status::Urgent,
                format!(
                    "{what} at {:.1}× the {threshold} threshold: autovacuum is not keeping \
                     up (blocked by a lock, or too few workers)",
                    trigger.ratio()
                ),
            );
        }
    }
    if never_maintained(t) {
        return judged(
            Status::Never,
            "never vacuumed nor analyzed since the statistics were reset".to_owned(),
        );
    }
    let near = [
        ("dead tuples", Some(tr.vacuum)),
        ("inserts", tr.insert),
        ("xid age", tr.freeze),
    ];
    for (what, trigger) in near {
        if let Some(trigger) = trigger.filter(|t| t.ratio() >= SOON_RATIO) {
            return judged(
                Status::Soon,
                format!(
                    "{what} at {:.0} % of the vacuum threshold",
                    100.0 * trigger.ratio()
                ),
            );
        }
    }
    if tr.analyze.fired() {
        return judged(
            Status::Soon,
            "rows changed since the last ANALYZE are past the analyze threshold".to_owned(),
        );
    }
    judged(Status::Ok, "no trigger close".to_owned())
}

/// Holds rows yet has no vacuum or analyze on record.
fn never_maintained(t: &TableCounters) -> bool {
    let has_rows = t.n_live_tup + t.n_dead_tup > 0 || t.reltuples > 0.0 || t.relpages > 0;
    has_rows
        && t.last_vacuum.is_none()
        && t.last_autovacuum.is_none()
        && t.last_analyze.is_none()
        && t.last_autoanalyze.is_none()
}

#[cfg(test)]
#[path = "vacuum_tests.rs"]
mod tests;
