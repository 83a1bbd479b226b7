//! The Overview's figures: what is wrong right now, judged against the thresholds.

use crate::diagnose::health::{Figure, Level, Thresholds};
use crate::diagnose::rates::{self, DatabaseRates, DeltaOrigin};
use crate::server::ServerInfo;
use crate::snapshot::{OverviewSnapshot, Part, StatementKey};

/// Transaction ids wrap around at 2^31: the headroom is measured against this.
pub const XID_WRAP_LIMIT: i64 = 2_147_483_648;
/// How many statements the Overview lists.
pub const TOP_QUERIES: usize = 15;
/// The heaviest statements are ranked over at least this many seconds (or one refresh, if
/// longer): over a single one-second interval the ranking is noise that reorders every refresh.
pub const TOP_WINDOW_SECS: f64 = 10.0;
/// At most this many samples are kept for that window.
pub const TOP_WINDOW_SAMPLES: usize = 32;

/// The triage screen's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Overview {
    /// Seconds between the two samples the rates come from (`None` on the first sample).
    pub interval_secs: Option<f64>,
    /// Seconds the heaviest statements are ranked over (`None` on the first sample).
    pub top_window_secs: Option<f64>,
    pub connections: Part<Connections>,
    /// Rates need two samples; the first refresh says so.
    pub throughput: Part<Throughput>,
    pub wraparound: Part<WraparoundFigures>,
    pub replication: Part<Replication>,
    pub top_queries: Part<Vec<TopQuery>>,
}

/// Connections by state against the limit, and the sessions that hurt.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Connections {
    pub used: i64,
    /// max_connections less superuser_reserved_connections.
    pub usable: i64,
    pub max: i64,
    pub used_pct: Figure<f64>,
    pub active: i64,
    pub idle: i64,
    pub idle_in_transaction: Figure<i64>,
    pub idle_in_transaction_aborted: i64,
    pub fastpath: i64,
    /// Sessions whose state this role cannot see (without pg_read_all_stats).
    pub state_hidden: i64,
    pub oldest_idle_in_transaction: Figure<Option<f64>>,
    pub waiting_on_locks: Figure<i64>,
    pub longest_lock_wait: Option<f64>,
    pub oldest_transaction: Figure<Option<f64>>,
    pub autovacuum_workers: i64,
}

/// Work done over the last interval.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Throughput {
    pub tps: Figure<f64>,
    pub commits_per_sec: f64,
    pub rollbacks_per_sec: f64,
    /// Percent of block requests served from shared buffers (`None`: no block requests).
    pub cache_hit_pct: Figure<Option<f64>>,
    pub temp_bytes_per_sec: Figure<f64>,
    pub deadlocks: Figure<i64>,
}

/// Distance to transaction-id and multixact wraparound.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WraparoundFigures {
    pub xid_age: Figure<i64>,
    /// Transaction ids left before wraparound.
    pub xid_headroom: i64,
    /// Percent of the id space still free.
    pub xid_headroom_pct: f64,
    pub mxid_age: Figure<i64>,
    pub oldest_database: String,
    /// autovacuum_freeze_max_age: past it, anti-wraparound autovacuum starts.
    pub freeze_max_age: i64,
}

/// Replication as seen from this server.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Replication {
    pub is_standby: bool,
    pub replicas: Vec<ReplicaFigures>,
    /// The worst level among the replicas (Ok when there are none).
    pub level: Level,
}

/// One standby's lag (on a standby: this server's own).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReplicaFigures {
    pub name: String,
    pub client: String,
    pub state: String,
    pub lag_seconds: Option<f64>,
    pub lag_bytes: Option<f64>,
    pub level: Level,
}

/// One of the heaviest statements of the interval.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TopQuery {
    pub key: Option<StatementKey>,
    /// The statement on one line (whitespace collapsed).
    pub query: String,
    pub database: String,
    pub role: String,
    pub calls: i64,
    pub total_ms: f64,
    pub mean_ms: f64,
    /// Share of all statements' execution time in the interval, percent.
    pub share_pct: f64,
    /// The statement first appeared in this interval.
    pub is_new: bool,
}

/// Builds the Overview from the latest snapshot, the one before it (for rates over the last
/// interval) and the base of the statements' window (see [`TOP_WINDOW_SECS`]).
#[must_use]
pub fn build(
    prev: Option<&OverviewSnapshot>,
    window_base: Option<&OverviewSnapshot>,
    next: &OverviewSnapshot,
    server: &ServerInfo,
    limits: &Thresholds,
) -> Overview {
    let since = |base: Option<&OverviewSnapshot>| {
        base.map(|b| next.taken_at - b.taken_at)
            .filter(|s| *s > 0.0)
    };
    let interval = since(prev);
    Overview {
        interval_secs: interval,
        top_window_secs: since(window_base),
        connections: next.activity.as_ref().map_err(Clone::clone).map(|a| {
            let usable = i64::from(server.usable_connections());
            let pct = 100.0 * a.connections as f64 / usable as f64;
            let idle_tx = a.idle_in_transaction + a.idle_in_transaction_aborted;
            let idle_tx_level = limits
                .idle_in_transaction_secs
                .judge_opt(a.oldest_idle_in_transaction);
            Connections {
                used: a.connections,
                usable,
                max: i64::from(server.max_connections),
                used_pct: Figure::new(pct, limits.connections_pct.judge(pct)),
                active: a.active,
                idle: a.idle,
                idle_in_transaction: Figure::new(a.idle_in_transaction, idle_tx_level),
                idle_in_transaction_aborted: a.idle_in_transaction_aborted,
                fastpath: a.fastpath,
                state_hidden: a.state_hidden,
                oldest_idle_in_transaction: Figure::new(
                    a.oldest_idle_in_transaction.filter(|_| idle_tx > 0),
                    idle_tx_level,
                ),
                waiting_on_locks: Figure::new(
                    a.waiting_on_locks,
                    limits.lock_wait_secs.judge_opt(a.longest_lock_wait),
                ),
                longest_lock_wait: a.longest_lock_wait,
                oldest_transaction: Figure::new(
                    a.oldest_transaction,
                    limits.transaction_age_secs.judge_opt(a.oldest_transaction),
                ),
                autovacuum_workers: a.autovacuum_workers,
            }
        }),
        throughput: throughput(prev, next, interval, limits),
        wraparound: next.wraparound.as_ref().map_err(Clone::clone).map(|w| {
            let headroom = (XID_WRAP_LIMIT - w.xid_age).max(0);
            WraparoundFigures {
                xid_age: Figure::new(w.xid_age, limits.xid_age.judge(w.xid_age as f64)),
                xid_headroom: headroom,
                xid_headroom_pct: 100.0 * headroom as f64 / XID_WRAP_LIMIT as f64,
                mxid_age: Figure::new(w.mxid_age, limits.mxid_age.judge(w.mxid_age as f64)),
                oldest_database: w.oldest_database.clone(),
                freeze_max_age: w.freeze_max_age,
            }
        }),
        replication: next.replication.as_ref().map_err(Clone::clone).map(|lags| {
            let replicas: Vec<ReplicaFigures> = lags
                .iter()
                .map(|r| ReplicaFigures {
                    name: r.name.clone(),
                    client: r.client.clone(),
                    state: r.state.clone(),
                    lag_seconds: r.lag_seconds,
                    lag_bytes: r.lag_bytes,
                    level: limits
                        .replication_lag_secs
                        .judge_opt(r.lag_seconds)
                        .max(limits.replication_lag_bytes.judge_opt(r.lag_bytes)),
                })
                .collect();
            let level = replicas.iter().map(|r| r.level).max().unwrap_or(Level::Ok);
            Replication {
                is_standby: server.is_standby,
                replicas,
                level,
            }
        }),
        top_queries: top_queries(window_base, next),
    }
}

fn throughput(
    prev: Option<&OverviewSnapshot>,
    next: &OverviewSnapshot,
    interval: Option<f64>,
    limits: &Thresholds,
) -> Part<Throughput> {
    let now = next.databases.as_ref().map_err(Clone::clone)?;
    let (Some(prev), Some(seconds)) = (prev, interval) else {
        return Err("rates need a second sample".to_owned());
    };
    let then = prev.databases.as_ref().map_err(Clone::clone)?;
    let own = next.own_statements.saturating_sub(prev.own_statements);
    let r: DatabaseRates = rates::database_rates(then, now, seconds, own)
        .ok_or_else(|| "rates need a second sample".to_owned())?;
    let hit = r.cache_hit_pct();
    Ok(Throughput {
        tps: Figure::new(r.tps(), Level::Ok),
        commits_per_sec: r.commits_per_sec,
        rollbacks_per_sec: r.rollbacks_per_sec,
        cache_hit_pct: Figure::new(
            hit,
            hit.map_or(Level::Ok, |h| limits.cache_hit_pct.judge(h)),
        ),
        temp_bytes_per_sec: Figure::new(
            r.temp_bytes_per_sec,
            limits.temp_bytes_per_sec.judge(r.temp_bytes_per_sec),
        ),
        deadlocks: Figure::new(r.deadlocks, limits.deadlocks.judge(r.deadlocks as f64)),
    })
}

fn top_queries(base: Option<&OverviewSnapshot>, next: &OverviewSnapshot) -> Part<Vec<TopQuery>> {
    let now = next.statements.as_ref().map_err(Clone::clone)?;
    let Some(then) = base.and_then(|p| p.statements.as_ref().ok()) else {
        return Err("the heaviest statements of the interval need a second sample".to_owned());
    };
    let deltas = rates::statement_deltas(then, now);
    let total: f64 = deltas
        .iter()
        .filter(|d| d.origin != DeltaOrigin::Unknown)
        .map(|d| d.total_ms)
        .sum();
    Ok(rates::top_by_time(&deltas, TOP_QUERIES)
        .into_iter()
        .map(|d| {
            let text = now.texts.get(&d.key);
            TopQuery {
                key: Some(d.key),
                query: text.map_or_else(
                    || format!("queryid {}", d.key.queryid),
                    |t| one_line(&t.query),
                ),
                database: text.map(|t| t.database.clone()).unwrap_or_default(),
                role: text.map(|t| t.role.clone()).unwrap_or_default(),
                calls: d.calls,
                total_ms: d.total_ms,
                mean_ms: d.total_ms / d.calls.max(1) as f64,
                share_pct: if total > 0.0 {
                    100.0 * d.total_ms / total
                } else {
                    0.0
                },
                is_new: d.origin == DeltaOrigin::Created,
            }
        })
        .collect())
}

/// Collapses whitespace runs (newlines included) to single spaces and replaces other control
/// characters: a statement's comments are anyone's text, and an escape sequence in one must
/// never reach the DBA's terminal.
#[must_use]
pub fn one_line(text: &str) -> String {
    text.split_whitespace()
        .map(|word| word.replace(char::is_control, "\u{fffd}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::server::Privileges;
    use crate::snapshot::{
        ActivitySummary, DatabaseCounters, ReplicaLag, StatementCounters, StatementText,
        StatementsSample, Wraparound,
    };

    fn server(max_connections: i32, reserved: i32) -> ServerInfo {
        ServerInfo {
            version_num: 150_018,
            version: "15.18".to_owned(),
            is_standby: false,
            role: "postgres".to_owned(),
            database: "trading".to_owned(),
            backend_pid: 4242,
            privileges: Privileges {
                superuser: true,
                ..Default::default()
            },
            max_connections,
            superuser_reserved_connections: reserved,
            shared_preload_libraries: Some(vec!["pg_stat_statements".to_owned()]),
            read_only_session: true,
            extensions: Vec::new(),
        }
    }

    fn key(q: i64) -> StatementKey {
        StatementKey {
            userid: 10,
            dbid: 5,
            queryid: q,
        }
    }

    /// A sample at `t` seconds with `commits` transactions so far and `calls` of statement 1.
    fn snapshot(t: f64, connections: i64, commits: i64, calls: i64) -> OverviewSnapshot {
        let text = StatementText {
            query: "SELECT *\n  FROM orders\n WHERE user_id = $1".to_owned(),
            database: "trading".to_owned(),
            role: "api".to_owned(),
        };
        OverviewSnapshot {
            taken_at: t,
            own_statements: t as u64 * 6,
            activity: Ok(ActivitySummary {
                connections,
                active: 3,
                idle_in_transaction: 1,
                oldest_idle_in_transaction: Some(400.0),
                ..Default::default()
            }),
            databases: Ok(vec![DatabaseCounters {
                datid: 5,
                datname: "trading".to_owned(),
                xact_commit: commits,
                blks_hit: commits * 90,
                blks_read: commits * 10,
                temp_bytes: commits * 1024,
                ..Default::default()
            }]),
            wraparound: Ok(Wraparound {
                xid_age: 1_600_000_000,
                mxid_age: 10,
                oldest_database: "trading".to_owned(),
                freeze_max_age: 200_000_000,
            }),
            replication: Ok(vec![ReplicaLag {
                name: "replica1".to_owned(),
                lag_seconds: Some(45.0),
                lag_bytes: Some(1.0),
                ..Default::default()
            }]),
            statements: Ok(StatementsSample {
                counters: vec![
                    StatementCounters {
                        key: key(1),
                        calls,
                        total_ms: calls as f64 * 3.0,
                        rows: calls,
                    },
                    StatementCounters {
                        key: key(2),
                        calls: 10,
                        total_ms: 10.0,
                        rows: 10,
                    },
                ],
                dealloc: Some(0),
                stats_reset: None,
                texts: HashMap::from([(key(1), text)]),
            }),
        }
    }

    #[test]
    fn first_sample_has_levels_but_no_rates() {
        let view = build(
            None,
            None,
            &snapshot(100.0, 50, 1000, 10),
            &server(100, 3),
            &Thresholds::default(),
        );
        let c = view.connections.unwrap();
        assert_eq!((c.used, c.usable, c.max), (50, 97, 100));
        assert_eq!(c.used_pct.level, Level::Ok);
        assert_eq!(
            c.oldest_idle_in_transaction,
            Figure::new(Some(400.0), Level::Critical)
        );
        assert!(view.throughput.unwrap_err().contains("second sample"));
        assert!(view.top_queries.is_err());
        assert_eq!(view.interval_secs, None);
    }

    #[test]
    fn rates_over_the_interval_with_own_transactions_left_out() {
        let prev = snapshot(100.0, 50, 1000, 10);
        let next = snapshot(102.0, 90, 1212, 30);
        let view = build(
            Some(&prev),
            Some(&prev),
            &next,
            &server(100, 3),
            &Thresholds::default(),
        );
        assert_eq!(view.interval_secs, Some(2.0));
        let t = view.throughput.unwrap();
        // 212 commits in 2 s, 12 of them the console's own.
        assert!((t.tps.value - 100.0).abs() < 1e-9, "{t:?}");
        assert_eq!(t.cache_hit_pct, Figure::new(Some(90.0), Level::Critical));
        assert!((t.temp_bytes_per_sec.value - 106.0 * 1024.0).abs() < 1e-9);
        let c = view.connections.unwrap();
        assert_eq!(
            c.used_pct.level,
            Level::Critical,
            "90 of 97 usable is over 90 %"
        );
    }

    #[test]
    fn wraparound_and_replication_are_judged() {
        let view = build(
            None,
            None,
            &snapshot(1.0, 1, 1, 1),
            &server(100, 3),
            &Thresholds::default(),
        );
        let w = view.wraparound.unwrap();
        assert_eq!(w.xid_age.level, Level::Critical);
        assert_eq!(w.xid_headroom, XID_WRAP_LIMIT - 1_600_000_000);
        assert!(
            (w.xid_headroom_pct - 25.49).abs() < 0.01,
            "{}",
            w.xid_headroom_pct
        );
        let r = view.replication.unwrap();
        assert_eq!(r.level, Level::Warn);
        assert_eq!(r.replicas[0].level, Level::Warn);
    }

    #[test]
    fn top_queries_carry_interval_figures_and_one_line_text() {
        let prev = snapshot(100.0, 5, 1000, 10);
        let next = snapshot(101.0, 5, 1010, 40);
        let top = build(
            Some(&prev),
            Some(&prev),
            &next,
            &server(100, 3),
            &Thresholds::default(),
        )
        .top_queries
        .unwrap();
        assert_eq!(top.len(), 1, "statement 2 did not run in the interval");
        assert_eq!(top[0].query, "SELECT * FROM orders WHERE user_id = $1");
        assert_eq!((top[0].calls, top[0].role.as_str()), (30, "api"));
        assert!((top[0].mean_ms - 3.0).abs() < 1e-9);
        assert!((top[0].share_pct - 100.0).abs() < 1e-9);
    }

    #[test]
    fn statements_are_ranked_over_the_window_rates_over_the_interval() {
        let base = snapshot(100.0, 5, 1000, 10);
        let prev = snapshot(109.0, 5, 1090, 100);
        let next = snapshot(110.0, 5, 1100, 101);
        let view = build(
            Some(&prev),
            Some(&base),
            &next,
            &server(100, 3),
            &Thresholds::default(),
        );
        assert_eq!(
            (view.interval_secs, view.top_window_secs),
            (Some(1.0), Some(10.0))
        );
        let top = view.top_queries.unwrap();
        assert_eq!(
            top[0].calls, 91,
            "calls over the 10 s window, not the last second"
        );
    }

    #[test]
    fn statement_text_is_one_line_without_control_characters() {
        let text = "SELECT 1 /* \u{1b}]52;c;QUJD\u{7} */\n\t FROM  t";
        assert_eq!(
            one_line(text),
            "SELECT 1 /* \u{fffd}]52;c;QUJD\u{fffd} */ FROM t"
        );
    }

    #[test]
    fn a_missing_part_is_explained_not_fatal() {
        let mut next = snapshot(1.0, 1, 1, 1);
        next.statements = Err("pg_stat_statements is not loaded: …".to_owned());
        next.wraparound = Err("canceling statement due to statement timeout".to_owned());
        let view = build(None, None, &next, &server(100, 3), &Thresholds::default());
        assert!(
            view.top_queries
                .unwrap_err()
                .starts_with("pg_stat_statements is not loaded")
        );
        assert!(view.wraparound.is_err());
        assert!(view.connections.is_ok());
    }
}
