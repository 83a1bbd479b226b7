//! The checkpointer's figures: timed against requested checkpoints since the statistics were
//! reset and over the last interval, and the WAL rate — the evidence behind max_wal_size and
//! checkpoint_timeout advice.
//!
//! Up to 17 a timed checkpoint that was skipped (an idle server) still counts as timed; 18
//! counts the completed ones apart (`num_done`), so there the timed checkpoints that really
//! ran are the completed ones less the requested ones.

use crate::snapshot::settings::CheckpointCounters;

/// At least this many checkpoints since the reset before their mix is judged.
pub const MIN_CHECKPOINTS: i64 = 10;
/// Requested checkpoints above this share of all of them mean max_wal_size is too small
/// (or CHECKPOINT commands and base backups ran).
pub const REQUESTED_PCT: f64 = 20.0;

/// Checkpoints over the last interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CheckpointInterval {
    pub secs: f64,
    pub timed: i64,
    pub requested: i64,
    /// WAL bytes per second over the interval (14 and later).
    pub wal_bytes_per_sec: Option<f64>,
}

/// The checkpointer as the Settings pane shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoints {
    pub counters: CheckpointCounters,
    /// Timed checkpoints that ran (on 18, skipped ones left out).
    pub timed: i64,
    pub requested: i64,
    /// Share of requested checkpoints among all that ran, percent (`None`: none yet).
    pub requested_pct: Option<f64>,
    /// Seconds the counters cover (since their reset).
    pub covered_secs: Option<f64>,
    /// Checkpoints per hour since the reset.
    pub per_hour: Option<f64>,
    /// Average WAL bytes per second since pg_stat_wal was reset (14 and later).
    pub wal_bytes_per_sec: Option<f64>,
    pub interval: Option<CheckpointInterval>,
    pub is_standby: bool,
}

impl Checkpoints {
    /// Figures from the latest counters (read at `taken_at`) and, for the interval, the ones
    /// read before (with their time).
    #[must_use]
    pub fn new(
        now: &CheckpointCounters,
        taken_at: f64,
        before: Option<(f64, &CheckpointCounters)>,
        is_standby: bool,
    ) -> Self {
        let timed = ran_timed(now);
        let all = timed + now.requested;
        let covered_secs = now
            .stats_reset
            .map(|reset| taken_at - reset)
            .filter(|s| *s > 0.0);
        let wal_bytes_per_sec = now
            .wal_bytes
            .zip(now.wal_stats_reset)
            .map(|(bytes, reset)| (bytes, taken_at - reset))
            .filter(|(_, secs)| *secs > 0.0)
            .map(|(bytes, secs)| bytes / secs);
        let interval = before.and_then(|(then_at, then)| {
            let secs = taken_at - then_at;
            (secs > 0.0 && now.requested >= then.requested).then(|| CheckpointInterval {
                secs,
                timed: (timed - ran_timed(then)).max(0),
                requested: now.requested - then.requested,
                wal_bytes_per_sec: now
                    .wal_bytes
                    .zip(then.wal_bytes)
                    .map(|(a, b)| (a - b).max(0.0) / secs),
            })
        });
        Self {
            counters: now.clone(),
            timed,
            requested: now.requested,
            requested_pct: (all > 0).then(|| 100.0 * now.requested as f64 / all as f64),
            covered_secs,
            per_hour: covered_secs.map(|secs| all as f64 * 3600.0 / secs),
            wal_bytes_per_sec,
            interval,
            is_standby,
        }
    }

    /// True when enough checkpoints ran and too many of them were requested.
    #[must_use]
    pub fn too_many_requested(&self) -> bool {
        !self.is_standby
            && self.timed + self.requested >= MIN_CHECKPOINTS
            && self.requested_pct.is_some_and(|p| p >= REQUESTED_PCT)
    }

    /// The max_wal_size that lets one checkpoint_timeout of WAL at the average rate pass
    /// before a checkpoint is forced: a checkpoint starts once WAL since the last one
    /// reaches max_wal_size / (1 + checkpoint_completion_target). Rounded up to a power of
    /// two megabytes.
    #[must_use]
    pub fn max_wal_size_for(&self, timeout_ms: f64, completion_target: f64) -> Option<f64> {
        let rate = self.wal_bytes_per_sec.filter(|r| *r > 0.0)?;
        let needed = rate * timeout_ms / 1000.0 * (1.0 + completion_target);
        let mb = (needed / 1_048_576.0).max(1.0);
        Some(2f64.powf(mb.log2().ceil()) * 1_048_576.0)
    }
}

/// Timed checkpoints that ran: on 18 the completed ones less the requested ones (skipped
/// timed checkpoints are not work), before 18 the timed counter as it is.
fn ran_timed(c: &CheckpointCounters) -> i64 {
    c.done
        .map_or(c.timed, |done| (done - c.requested).clamp(0, c.timed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counters(timed: i64, requested: i64) -> CheckpointCounters {
        CheckpointCounters {
            timed,
            requested,
            stats_reset: Some(0.0),
            wal_bytes: Some(3600.0 * 1_048_576.0),
            wal_stats_reset: Some(0.0),
            ..CheckpointCounters::default()
        }
    }

    #[test]
    fn requested_checkpoints_are_judged_once_there_are_enough() {
        let c = Checkpoints::new(&counters(6, 6), 3600.0, None, false);
        assert_eq!(c.requested_pct, Some(50.0));
        assert_eq!(c.per_hour, Some(12.0));
        assert!(c.too_many_requested());
        let few = Checkpoints::new(&counters(2, 3), 3600.0, None, false);
        assert!(
            !few.too_many_requested(),
            "five checkpoints are too few to judge"
        );
        let fine = Checkpoints::new(&counters(95, 5), 3600.0, None, false);
        assert!(!fine.too_many_requested());
        let standby = Checkpoints::new(&counters(6, 6), 3600.0, None, true);
        assert!(
            !standby.too_many_requested(),
            "a standby's restartpoints follow the primary"
        );
    }

    #[test]
    fn on_18_skipped_timed_checkpoints_do_not_count() {
        let mut c = counters(100, 10);
        c.done = Some(20);
        let view = Checkpoints::new(&c, 3600.0, None, false);
        assert_eq!((view.timed, view.requested), (10, 10));
        assert_eq!(view.requested_pct, Some(50.0));
    }

    #[test]
    fn the_interval_and_the_wal_rate() {
        let before = counters(6, 6);
        let mut now = counters(7, 8);
        now.wal_bytes = Some(3600.0 * 1_048_576.0 + 10.0 * 1_048_576.0);
        let view = Checkpoints::new(&now, 3610.0, Some((3600.0, &before)), false);
        let interval = view.interval.unwrap();
        assert_eq!((interval.timed, interval.requested), (1, 2));
        assert!((interval.wal_bytes_per_sec.unwrap() - 1_048_576.0).abs() < 1e-6);
        // About 1 MiB/s on average: 5 minutes of it, times 1.9, is 570 MiB → 1 GiB.
        let size = view.max_wal_size_for(300_000.0, 0.9).unwrap();
        assert!((size - 1024.0 * 1_048_576.0).abs() < 1.0, "{size}");
    }

    #[test]
    fn a_reset_between_samples_gives_no_interval() {
        let before = counters(50, 50);
        let now = counters(1, 0);
        let view = Checkpoints::new(&now, 10.0, Some((5.0, &before)), false);
        assert_eq!(view.interval, None);
    }
}
