//! Rates over the last interval, from two snapshots of cumulative counters.
//!
//! Counters go backwards when statistics are reset, a database is dropped and re-created, or
//! pg_stat_statements evicts and re-adds an entry. None of those may show up as a huge rate:
//! such entries are left out of the interval, or marked as unknown.

use std::collections::HashMap;
use std::hash::Hash;

use crate::snapshot::{DatabaseCounters, StatementCounters, StatementKey, StatementsSample};

/// Database-wide rates over one interval.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DatabaseRates {
    pub seconds: f64,
    pub commits_per_sec: f64,
    pub rollbacks_per_sec: f64,
    /// Blocks found in shared buffers / read from the OS during the interval.
    pub blks_hit: i64,
    pub blks_read: i64,
    pub temp_bytes_per_sec: f64,
    pub temp_files: i64,
    pub deadlocks: i64,
}

impl DatabaseRates {
    /// Transactions (commits and rollbacks) per second.
    #[must_use]
    pub fn tps(&self) -> f64 {
        self.commits_per_sec + self.rollbacks_per_sec
    }

    /// Share of block requests served from shared buffers, percent; `None` without any.
    #[must_use]
    pub fn cache_hit_pct(&self) -> Option<f64> {
        let total = self.blks_hit + self.blks_read;
        (total > 0).then(|| 100.0 * self.blks_hit as f64 / total as f64)
    }
}

/// Rates between two samples of pg_stat_database, over databases present in both with the same
/// stats_reset and no counter going backwards. `own_xacts` are the monitoring session's own
/// transactions in the interval, left out of the commit rate.
#[must_use]
pub fn database_rates(
    prev: &[DatabaseCounters],
    next: &[DatabaseCounters],
    seconds: f64,
    own_xacts: u64,
) -> Option<DatabaseRates> {
    if seconds <= 0.0 {
        return None;
    }
    let before: HashMap<i64, &DatabaseCounters> = prev.iter().map(|d| (d.datid, d)).collect();
    let mut sum = DatabaseCounters::default();
    for now in next {
        let Some(then) = before.get(&now.datid) else {
            continue;
        };
        let deltas = [
            now.xact_commit - then.xact_commit,
            now.xact_rollback - then.xact_rollback,
            now.blks_hit - then.blks_hit,
            now.blks_read - then.blks_read,
            now.temp_files - then.temp_files,
            now.temp_bytes - then.temp_bytes,
            now.deadlocks - then.deadlocks,
        ];
        if now.stats_reset != then.stats_reset || deltas.iter().any(|d| *d < 0) {
            continue;
        }
        sum.xact_commit += deltas[0];
        sum.xact_rollback += deltas[1];
        sum.blks_hit += deltas[2];
        sum.blks_read += deltas[3];
        sum.temp_files += deltas[4];
        sum.temp_bytes += deltas[5];
        sum.deadlocks += deltas[6];
    }
    let commits = (sum.xact_commit - i64::try_from(own_xacts).unwrap_or(0)).max(0);
    Some(DatabaseRates {
        seconds,
        commits_per_sec: commits as f64 / seconds,
        rollbacks_per_sec: sum.xact_rollback as f64 / seconds,
        blks_hit: sum.blks_hit,
        blks_read: sum.blks_read,
        temp_bytes_per_sec: sum.temp_bytes as f64 / seconds,
        temp_files: sum.temp_files,
        deadlocks: sum.deadlocks,
    })
}

/// Where a statement's interval figures come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeltaOrigin {
    /// The difference between two samples of the same entry.
    Interval,
    /// The entry appeared during the interval and nothing was evicted or reset, so all of its
    /// counters belong to the interval.
    Created,
    /// The entry is new but entries were evicted or statistics reset meanwhile (or the
    /// extension cannot tell): its history is unknown, so it carries no figures.
    Unknown,
}

/// One statement's activity during the interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StatementDelta {
    pub key: StatementKey,
    pub calls: i64,
    pub total_ms: f64,
    pub rows: i64,
    pub origin: DeltaOrigin,
}

/// A cumulative entry of pg_stat_statements, compared between two samples.
pub trait Cumulative {
    /// What identifies the entry across samples.
    type Id: Copy + Eq + Hash;
    fn id(&self) -> Self::Id;
    /// No counter of `self` is below `then`'s (a negative delta means the entry was reset).
    fn covers(&self, then: &Self) -> bool;
    /// When the entry's counters began (stats_since, 1.11+), epoch seconds; `None` unknown.
    fn since(&self) -> Option<f64> {
        None
    }
}

/// pg_stat_statements as a whole at one sample: what tells entries that were evicted or reset
/// from entries that simply went on.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Epoch {
    /// The server's clock when the sample was read (needed to use stats_since).
    pub taken_at: Option<f64>,
    pub dealloc: Option<i64>,
    pub stats_reset: Option<f64>,
}

/// For each entry of `next`, in order: the entry of `prev` its interval starts from (`None`:
/// every counter of the entry belongs to the interval, or none does) and where its figures
/// come from.
///
/// With stats_since (1.11+) an entry that began after `prev` was read is [`DeltaOrigin::Created`]
/// whatever else happened (evictions, a reset): its counters are exactly the interval's.
/// Without it, a new entry is trusted only when nothing was evicted or reset meanwhile.
/// An entry whose stats_since moved or whose counters went backwards was reset: unknown.
#[must_use]
pub fn pair<'a, T: Cumulative>(
    prev: &'a [T],
    prev_epoch: Epoch,
    next: &'a [T],
    next_epoch: Epoch,
) -> Vec<(Option<&'a T>, DeltaOrigin)> {
    let before: HashMap<T::Id, &T> = prev.iter().map(|e| (e.id(), e)).collect();
    let reset = prev_epoch.stats_reset != next_epoch.stats_reset;
    let evicted = prev_epoch.dealloc.is_none() || prev_epoch.dealloc != next_epoch.dealloc;
    next.iter()
        .map(|now| {
            let then = before.get(&now.id()).copied();
            if let (Some(since), Some(read)) = (now.since(), prev_epoch.taken_at) {
                return match then {
                    _ if since > read => (None, DeltaOrigin::Created),
                    Some(then) if then.since() == Some(since) && now.covers(then) => {
                        (Some(then), DeltaOrigin::Interval)
                    }
                    _ => (None, DeltaOrigin::Unknown),
                };
            }
            match then {
                Some(then) if !reset && now.covers(then) => (Some(then), DeltaOrigin::Interval),
                None if !reset && !evicted => (None, DeltaOrigin::Created),
                _ => (None, DeltaOrigin::Unknown),
            }
        })
        .collect()
}

impl Cumulative for StatementCounters {
    type Id = StatementKey;

    fn id(&self) -> StatementKey {
        self.key
    }

    fn covers(&self, then: &Self) -> bool {
        self.calls >= then.calls && self.total_ms >= then.total_ms && self.rows >= then.rows
    }
}

impl StatementsSample {
    fn epoch(&self) -> Epoch {
        Epoch {
            taken_at: None,
            dealloc: self.dealloc,
            stats_reset: self.stats_reset,
        }
    }
}

/// Per-statement activity between two samples of pg_stat_statements.
#[must_use]
pub fn statement_deltas(prev: &StatementsSample, next: &StatementsSample) -> Vec<StatementDelta> {
    pair(&prev.counters, prev.epoch(), &next.counters, next.epoch())
        .into_iter()
        .zip(&next.counters)
        .map(|((then, origin), now)| match (origin, then) {
            (DeltaOrigin::Unknown, _) => StatementDelta {
                key: now.key,
                calls: 0,
                total_ms: 0.0,
                rows: 0,
                origin,
            },
            (_, Some(then)) => StatementDelta {
                key: now.key,
                calls: now.calls - then.calls,
                total_ms: now.total_ms - then.total_ms,
                rows: now.rows - then.rows,
                origin,
            },
            (_, None) => StatementDelta {
                key: now.key,
                calls: now.calls,
                total_ms: now.total_ms,
                rows: now.rows,
                origin,
            },
        })
        .collect()
}

/// The `n` statements with the most execution time in the interval (ties by key, stable).
#[must_use]
pub fn top_by_time(deltas: &[StatementDelta], n: usize) -> Vec<StatementDelta> {
    let mut busy: Vec<StatementDelta> = deltas
        .iter()
        .filter(|d| d.calls > 0 && d.origin != DeltaOrigin::Unknown)
        .copied()
        .collect();
    busy.sort_by(|a, b| b.total_ms.total_cmp(&a.total_ms).then(a.key.cmp(&b.key)));
    busy.truncate(n);
    busy
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db(datid: i64, commits: i64, hit: i64, read: i64) -> DatabaseCounters {
        DatabaseCounters {
            datid,
            xact_commit: commits,
            blks_hit: hit,
            blks_read: read,
            ..Default::default()
        }
    }

    #[test]
    fn database_rates_subtract_own_transactions_and_skip_resets() {
        let prev = [
            db(1, 100, 900, 100),
            db(2, 50, 0, 0),
            db(3, 1_000_000, 0, 0),
        ];
        let mut reset = db(2, 10, 0, 0);
        reset.stats_reset = Some(1.0);
        // db 3 was dropped and re-created under the same oid? No: its counter went backwards.
        let next = [
            db(1, 130, 1890, 110),
            reset,
            db(3, 5, 0, 0),
            db(4, 999, 0, 0),
        ];
        let r = database_rates(&prev, &next, 2.0, 4).unwrap();
        assert!((r.commits_per_sec - 13.0).abs() < 1e-9, "{r:?}");
        assert_eq!(r.cache_hit_pct(), Some(99.0));
        assert_eq!(database_rates(&prev, &next, 0.0, 0), None);
    }

    fn stmt(q: i64, calls: i64, ms: f64) -> StatementCounters {
        StatementCounters {
            key: StatementKey {
                userid: 10,
                dbid: 5,
                queryid: q,
            },
            calls,
            total_ms: ms,
            rows: calls,
        }
    }

    fn sample(counters: Vec<StatementCounters>, dealloc: Option<i64>) -> StatementsSample {
        StatementsSample {
            counters,
            dealloc,
            ..Default::default()
        }
    }

    #[test]
    fn new_entries_count_only_when_nothing_was_evicted() {
        let prev = sample(vec![stmt(1, 10, 100.0)], Some(0));
        let next = sample(vec![stmt(1, 15, 160.0), stmt(2, 3, 30.0)], Some(0));
        let d = statement_deltas(&prev, &next);
        assert_eq!((d[0].calls, d[0].origin), (5, DeltaOrigin::Interval));
        assert!((d[0].total_ms - 60.0).abs() < 1e-9);
        assert_eq!((d[1].calls, d[1].origin), (3, DeltaOrigin::Created));

        let evicted = sample(next.counters.clone(), Some(7));
        let d = statement_deltas(&prev, &evicted);
        assert_eq!((d[1].calls, d[1].origin), (0, DeltaOrigin::Unknown));
    }

    #[test]
    fn counters_going_backwards_are_unknown_not_huge() {
        let prev = sample(vec![stmt(1, 1000, 9000.0)], Some(0));
        let next = sample(vec![stmt(1, 2, 5.0)], Some(1));
        let d = statement_deltas(&prev, &next);
        assert_eq!(d[0].origin, DeltaOrigin::Unknown);
        assert!(top_by_time(&d, 5).is_empty());
    }

    #[test]
    fn a_reset_makes_every_entry_unknown() {
        let prev = StatementsSample {
            counters: vec![stmt(1, 1, 1.0)],
            stats_reset: Some(1.0),
            ..Default::default()
        };
        let next = StatementsSample {
            counters: vec![stmt(1, 5, 9.0)],
            stats_reset: Some(2.0),
            ..Default::default()
        };
        assert_eq!(
            statement_deltas(&prev, &next)[0].origin,
            DeltaOrigin::Unknown
        );
    }

    #[test]
    fn top_by_time_orders_by_interval_time() {
        let prev = sample(
            vec![stmt(1, 1, 1.0), stmt(2, 1, 1.0), stmt(3, 1, 1.0)],
            Some(0),
        );
        let next = sample(
            vec![stmt(1, 2, 11.0), stmt(2, 9, 501.0), stmt(3, 1, 1.0)],
            Some(0),
        );
        let top = top_by_time(&statement_deltas(&prev, &next), 5);
        let ids: Vec<i64> = top.iter().map(|d| d.key.queryid).collect();
        assert_eq!(ids, vec![2, 1]);
    }
}
