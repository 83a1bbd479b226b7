//! Connections in use against what ordinary roles may open (max_connections less the
//! superuser reserve), by state, and their history bucketed for a stacked chart.

use crate::diagnose::health::{Figure, Thresholds};
use crate::server::ServerInfo;
use crate::snapshot::activity::{Session, SessionState};

/// Client connections by state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StateCounts {
    pub active: i64,
    pub idle_in_transaction: i64,
    pub idle_in_transaction_aborted: i64,
    pub fastpath: i64,
    pub idle: i64,
    /// Disabled tracking, an unknown state, or a session this role may not see.
    pub other: i64,
}

impl StateCounts {
    pub fn add(&mut self, state: &SessionState) {
        let slot = match state {
            SessionState::Active => &mut self.active,
            SessionState::Idle => &mut self.idle,
            SessionState::IdleInTransaction => &mut self.idle_in_transaction,
            SessionState::IdleInTransactionAborted => &mut self.idle_in_transaction_aborted,
            SessionState::Fastpath => &mut self.fastpath,
            SessionState::Disabled | SessionState::Unknown | SessionState::Other(_) => {
                &mut self.other
            }
        };
        *slot += 1;
    }

    #[must_use]
    pub fn total(&self) -> i64 {
        self.active
            + self.idle_in_transaction
            + self.idle_in_transaction_aborted
            + self.fastpath
            + self.idle
            + self.other
    }

    /// The counts in stacking order (bottom first) with their names: the states that hurt
    /// sit at the bottom of the chart, where they are easiest to compare.
    #[must_use]
    pub fn stacked(&self) -> [(&'static str, i64); 6] {
        [
            ("active", self.active),
            ("idle in transaction", self.idle_in_transaction),
            (
                "idle in transaction (aborted)",
                self.idle_in_transaction_aborted,
            ),
            ("fastpath", self.fastpath),
            ("idle", self.idle),
            ("other", self.other),
        ]
    }
}

/// Connection usage now.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Usage {
    /// Client connections.
    pub used: i64,
    /// max_connections less superuser_reserved_connections.
    pub usable: i64,
    pub max: i64,
    pub used_pct: Figure<f64>,
    pub by_state: StateCounts,
    /// Backends that are not client connections (autovacuum, walsenders, workers, …).
    pub background: i64,
    /// Sessions waiting for a lock.
    pub waiting: i64,
}

/// One sample of the usage history.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct UsagePoint {
    /// Server clock, epoch seconds.
    pub taken_at: f64,
    pub by_state: StateCounts,
}

/// Usage from the sessions of one snapshot.
#[must_use]
pub fn usage(sessions: &[Session], server: &ServerInfo, thresholds: &Thresholds) -> Usage {
    let mut by_state = StateCounts::default();
    let mut background = 0;
    for session in sessions {
        if session.is_client() {
            by_state.add(&session.state);
        } else {
            background += 1;
        }
    }
    let used = by_state.total();
    let usable = i64::from(server.usable_connections());
    let pct = used as f64 * 100.0 / usable.max(1) as f64;
    Usage {
        used,
        usable,
        max: i64::from(server.max_connections),
        used_pct: Figure::new(pct, thresholds.connections_pct.judge(pct)),
        by_state,
        background,
        waiting: sessions.iter().filter(|s| s.waits_for_lock()).count() as i64,
    }
}

/// `count` buckets of `width_secs` ending with the newest sample's, oldest first: in each, the
/// sample with the most connections (peaks matter), or `None` where no sample fell.
#[must_use]
pub fn buckets(points: &[UsagePoint], width_secs: f64, count: usize) -> Vec<Option<StateCounts>> {
    let mut out: Vec<Option<StateCounts>> = vec![None; count];
    let Some(newest) = points.last() else {
        return out;
    };
    let width = width_secs.max(f64::MIN_POSITIVE);
    let last = (newest.taken_at / width).floor() as i64;
    for point in points {
        let back = last - (point.taken_at / width).floor() as i64;
        let Some(index) = usize::try_from(back)
            .ok()
            .filter(|b| *b < count)
            .map(|b| count - 1 - b)
        else {
            continue;
        };
        let slot = &mut out[index];
        if slot.is_none_or(|kept| point.by_state.total() >= kept.total()) {
            *slot = Some(point.by_state);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::activity::fixture::client;
    use crate::diagnose::health::Level;

    fn server(max: i32, reserved: i32) -> ServerInfo {
        ServerInfo {
            version_num: 150_000,
            version: "15".to_owned(),
            is_standby: false,
            role: "postgres".to_owned(),
            database: "shop".to_owned(),
            backend_pid: 1,
            privileges: crate::server::Privileges::default(),
            max_connections: max,
            superuser_reserved_connections: reserved,
            shared_preload_libraries: None,
            read_only_session: true,
            extensions: Vec::new(),
        }
    }

    #[test]
    fn usage_counts_clients_by_state_against_the_usable_limit() {
        let mut sessions: Vec<Session> = (0..7)
            .map(|pid| client(pid, "api", SessionState::Idle))
            .collect();
        sessions.push(client(10, "api", SessionState::Active));
        sessions.push(client(11, "api", SessionState::IdleInTransaction));
        let mut autovacuum = client(12, "", SessionState::Active);
        autovacuum.backend_type = Some("autovacuum worker".to_owned());
        sessions.push(autovacuum);
        let u = usage(&sessions, &server(13, 3), &Thresholds::default());
        assert_eq!(u.used, 9);
        assert_eq!(u.usable, 10);
        assert_eq!(u.by_state.idle, 7);
        assert_eq!(u.by_state.active, 1);
        assert_eq!(u.by_state.idle_in_transaction, 1);
        assert_eq!(u.background, 1);
        assert!((u.used_pct.value - 90.0).abs() < 1e-9);
        assert_eq!(u.used_pct.level, Level::Critical);
        let u = usage(&sessions[..8], &server(13, 3), &Thresholds::default());
        assert_eq!(u.used_pct.level, Level::Warn, "8 of 10 is 80 %");
        let u = usage(&sessions[..7], &server(13, 3), &Thresholds::default());
        assert_eq!(u.used_pct.level, Level::Ok);
    }

    #[test]
    fn buckets_keep_the_peak_of_each_interval() {
        let point = |t: f64, active: i64| UsagePoint {
            taken_at: t,
            by_state: StateCounts {
                active,
                ..StateCounts::default()
            },
        };
        let points = [
            point(100.0, 1),
            point(101.0, 5),
            point(102.5, 2),
            point(110.0, 3),
        ];
        let b = buckets(&points, 2.0, 4);
        let active: Vec<Option<i64>> = b.iter().map(|c| c.map(|c| c.active)).collect();
        // Buckets of 2 s ending at [110, 112): 104-106 and 106-108 and 108-110 saw no sample.
        assert_eq!(active, vec![None, None, None, Some(3)]);
        let b = buckets(&points, 2.0, 6);
        let active: Vec<Option<i64>> = b.iter().map(|c| c.map(|c| c.active)).collect();
        assert_eq!(active, vec![Some(5), Some(2), None, None, None, Some(3)]);
        assert!(buckets(&[], 2.0, 3).iter().all(Option::is_none));
    }
}
