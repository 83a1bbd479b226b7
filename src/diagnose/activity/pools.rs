//! Client connections grouped the way application pools open them — by application_name,
//! role, client address and database — to see which pool leaks or saturates.

use std::collections::BTreeMap;

use crate::diagnose::activity::usage::StateCounts;
use crate::diagnose::activity::{client_label, state_age};
use crate::diagnose::health::{Level, Thresholds};
use crate::snapshot::activity::{Session, SessionState};

/// What identifies a pool.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct PoolKey {
    pub application: String,
    pub user: String,
    pub client: String,
    pub database: String,
}

/// One pool's connections now.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Pool {
    pub key: PoolKey,
    pub counts: StateCounts,
    /// Sessions waiting for a lock.
    pub waiting: i64,
    /// Seconds the oldest idle-in-transaction session has been so.
    pub oldest_idle_in_transaction: Option<f64>,
    /// Seconds the longest-running active query has run.
    pub longest_query: Option<f64>,
    /// The worst of the two ages above, judged.
    pub level: Level,
}

impl Pool {
    #[must_use]
    pub fn total(&self) -> i64 {
        self.counts.total()
    }
}

/// The pools, largest first.
#[must_use]
pub fn pools(sessions: &[Session], thresholds: &Thresholds) -> Vec<Pool> {
    let mut by_key: BTreeMap<PoolKey, Pool> = BTreeMap::new();
    for session in sessions.iter().filter(|s| s.is_client() && !s.is_self) {
        let key = PoolKey {
            application: session.application.clone(),
            user: session.user.clone().unwrap_or_default(),
            client: client_label(session),
            database: session.database.clone().unwrap_or_default(),
        };
        let pool = by_key.entry(key).or_default();
        pool.counts.add(&session.state);
        if session.waits_for_lock() {
            pool.waiting += 1;
        }
        let age = state_age(session);
        if session.state.is_idle_in_transaction() {
            pool.oldest_idle_in_transaction = max(pool.oldest_idle_in_transaction, age);
        }
        if session.state == SessionState::Active {
            pool.longest_query = max(pool.longest_query, age);
        }
    }
    let mut pools: Vec<Pool> = by_key
        .into_iter()
        .map(|(key, mut pool)| {
            pool.key = key;
            pool.level = thresholds
                .idle_in_transaction_secs
                .judge_opt(pool.oldest_idle_in_transaction)
                .max(
                    thresholds
                        .transaction_age_secs
                        .judge_opt(pool.longest_query),
                );
            pool
        })
        .collect();
    pools.sort_by(|a, b| b.total().cmp(&a.total()).then_with(|| a.key.cmp(&b.key)));
    pools
}

fn max(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::activity::fixture::{client, idle_in_transaction, waiting};

    #[test]
    fn sessions_group_into_pools_with_their_worst_ages() {
        let mut sessions = vec![
            client(1, "api", SessionState::Idle),
            client(2, "api", SessionState::Idle),
            idle_in_transaction(3, "api", 400.0),
            idle_in_transaction(4, "api", 20.0),
            waiting(5, "api", &[3], 12.0),
            client(6, "reporting", SessionState::Active),
        ];
        sessions[5].query_secs = Some(30.0);
        let mut other_host = client(7, "api", SessionState::Idle);
        other_host.client_addr = Some("10.0.0.8".to_owned());
        sessions.push(other_host);
        let mut own = client(8, "pgmedic", SessionState::Active);
        own.is_self = true;
        sessions.push(own);

        let pools = pools(&sessions, &Thresholds::default());
        let names: Vec<(&str, &str, i64)> = pools
            .iter()
            .map(|p| (p.key.application.as_str(), p.key.client.as_str(), p.total()))
            .collect();
        assert_eq!(
            names,
            vec![
                ("api", "10.0.0.7", 5),
                ("api", "10.0.0.8", 1),
                ("reporting", "10.0.0.7", 1)
            ]
        );
        let api = &pools[0];
        assert_eq!(api.counts.idle, 2);
        assert_eq!(api.counts.idle_in_transaction, 2);
        assert_eq!(api.counts.active, 1);
        assert_eq!(api.waiting, 1);
        assert_eq!(api.oldest_idle_in_transaction, Some(400.0));
        assert_eq!(api.longest_query, Some(12.0));
        assert_eq!(api.level, Level::Critical, "idle in transaction for 400 s");
        assert_eq!(pools[2].longest_query, Some(30.0));
        assert_eq!(pools[2].level, Level::Ok);
    }
}
