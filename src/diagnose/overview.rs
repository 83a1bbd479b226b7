//! The Overview's figures: what is wrong right now, judged against the thresholds.

use crate::diagnose::health::{Figure, Level, Thresholds};
use crate::diagnose::rates::{self, DatabaseRates, DeltaOrigin};
use crate::server::ServerInfo;
use crate::snapshot::{OverviewSnapshot, Part, StatementKey};

/// Transaction ids wrap around at 2^31: the headroom is measured against this.
pub const XID_WRAP_LIMIT: i64 = 2_147_483_648;
/// How many statements the Overview lists.
pub const TOP_QUERIES: usize = 5;

/// The triage screen's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Overview {
    /// Seconds between the two samples the rates come from (`None` on the first sample).
    pub interval_secs: Option<f64>,
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

/// Builds the Overview from the latest snapshot and, for rates, the one before it.
#[must_use]
pub fn build(
    prev: Option<&OverviewSnapshot>,
    next: &OverviewSnapshot,
    server: &ServerInfo,
    limits: &Thresholds,
) -> Overview {
    let interval = prev
        .map(|p| next.taken_at - p.taken_at)
        .filter(|s| *s > 0.0);
    Overview {
        interval_secs: interval,
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
        top_queries: top_queries(prev, next),
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

fn top_queries(prev: Option<&OverviewSnapshot>, next: &OverviewSnapshot) -> Part<Vec<TopQuery>> {
    let now = next.statements.as_ref().map_err(Clone::clone)?;
    let Some(then) = prev.and_then(|p| p.statements.as_ref().ok()) else {
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

/// Collapses whitespace runs (newlines included) to single spaces.
#[must_use]
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
