//! The advice, one rule per setting. A rule speaks only when it holds without knowing the
//! machine's RAM or storage, or says what it assumes; `info` is advice, a warning means
//! something goes wrong now (sessions left idle in transaction with no timeout, autovacuum
//! off, a restart pending).

use serde_json::json;

use super::{Attention, Checkpoints, Context, SettingCheck, Value};
use crate::diagnose::health::Level;
use crate::quote;
use crate::report::Severity;

const MIB: f64 = 1_048_576.0;
const GIB: f64 = 1_073_741_824.0;

/// What a rule may look at: the setting, its value, the other settings, the checkpoints.
struct Facts<'a> {
    check: &'a SettingCheck,
    value: &'a Value,
    number: Option<f64>,
    all: &'a [SettingCheck],
    checkpoints: Option<&'a Checkpoints>,
    context: &'a Context<'a>,
}

impl Facts<'_> {
    /// Another setting's value as a number.
    fn other(&self, name: &str) -> Option<f64> {
        self.all
            .iter()
            .find(|c| c.name == name)
            .and_then(|c| c.value.as_ref())
            .and_then(Value::number)
    }
}

/// The attention `check` deserves among `all` the settings, if any.
pub fn attention(
    check: &SettingCheck,
    all: &[SettingCheck],
    checkpoints: Option<&Checkpoints>,
    context: &Context,
) -> Option<Attention> {
    if check.pending_restart {
        return Some(pending_restart(check));
    }
    let value = check.value.as_ref()?;
    let facts = Facts {
        check,
        value,
        number: value.number(),
        all,
        checkpoints,
        context,
    };
    resources(&facts).or_else(|| behaviour(&facts))
}

/// Memory, connections, the planner's costs and checkpoints.
fn resources(facts: &Facts) -> Option<Attention> {
    let (check, value, number, context) = (facts.check, facts.value, facts.number, facts.context);
    let other = |name: &str| facts.other(name);
    let checkpoints = facts.checkpoints;
    match check.name {
        "shared_buffers" => number
            .filter(|n| *n <= 128.0 * MIB)
            .map(|_| shared_buffers_default()),
        "effective_cache_size" => number
            .zip(other("shared_buffers"))
            .filter(|(cache, shared)| cache < shared)
            .map(|_| {
                info(
                    "below shared_buffers: the planner assumes less cache than PostgreSQL's own; \
                 it should count shared_buffers plus the OS page cache",
                    None,
                )
            }),
        "work_mem" => work_mem(value, other("max_connections"), context),
        "maintenance_work_mem" => number.filter(|n| *n <= 64.0 * MIB).map(|_| {
            info(
                "VACUUM passes over large tables' indexes more often and CREATE INDEX sorts in \
                 small runs; 1GB is common where a few GB of RAM are free (pgmedic cannot see \
                 the RAM)",
                None,
            )
        }),
        "wal_buffers" => number
            .filter(|n| *n > 0.0 && *n < 16.0 * MIB)
            .filter(|_| check.source != super::Source::Default)
            .map(|_| {
                info(
                    "set by hand below 16MB; -1 (the default) sizes it from shared_buffers up to \
                 16MB, which suits most servers",
                    Some(alter_system("wal_buffers", "-1", false)),
                )
            }),
        "max_connections" => number.filter(|n| *n >= 500.0).map(|_| {
            info(
                "each session is a server process, and snapshots and lock tables grow with the \
                 limit; a connection pooler (PgBouncer) in transaction mode serves many clients \
                 with few sessions",
                None,
            )
        }),
        "random_page_cost" => number
            .zip(other("seq_page_cost"))
            .filter(|(random, seq)| random < seq)
            .map(|_| {
                info(
                    "below seq_page_cost: the planner takes random reads for cheaper than \
                 sequential ones, which no storage is",
                    None,
                )
            }),
        "max_wal_size" => checkpoints.and_then(|c| {
            max_wal_size(
                c,
                number?,
                other("checkpoint_timeout")?,
                other("checkpoint_completion_target").unwrap_or(0.9),
            )
        }),
        "checkpoint_completion_target" => number.filter(|n| *n < 0.9).map(|_| {
            info(
                "checkpoint writes are squeezed into part of the interval, an I/O burst at \
                 every checkpoint; 0.9 (the default since 14) spreads them",
                Some(alter_system("checkpoint_completion_target", "0.9", true)),
            )
        }),
        _ => None,
    }
}

/// Timeouts, logging and statistics, extensions and autovacuum.
fn behaviour(facts: &Facts) -> Option<Attention> {
    let (value, number, context) = (facts.value, facts.number, facts.context);
    match facts.check.name {
        "idle_in_transaction_session_timeout" => idle_in_transaction(value, context),
        "log_min_duration_statement" => log_min_duration(number?),
        "track_io_timing" => (value == &Value::Bool(false)).then(|| {
            info(
                "statements and plans show no I/O time (pg_stat_statements, EXPLAIN \
                 BUFFERS); the cost is low on most platforms (pg_test_timing measures it)",
                Some(alter_system("track_io_timing", "on", true)),
            )
        }),
        "track_counts" => (value == &Value::Bool(false)).then(|| {
            warning(
                "autovacuum cannot tell which tables need vacuuming or analyzing",
                Some(alter_system("track_counts", "on", true)),
            )
        }),
        "shared_preload_libraries" => preload(value, context),
        "autovacuum" => (value == &Value::Bool(false)).then(|| {
            warning(
                "dead rows pile up and statistics go stale; only anti-wraparound vacuums \
                 still run (per-table opt-outs are ALTER TABLE … SET (autovacuum_enabled = \
                 false), not this)",
                Some(alter_system("autovacuum", "on", true)),
            )
        }),
        "autovacuum_vacuum_scale_factor" => number.filter(|n| *n > 0.2).map(|n| {
            info(
                format!(
                    "vacuum waits until {:.0}% of a table is dead; large tables are better \
                     served by a lower per-table value (ALTER TABLE … SET \
                     (autovacuum_vacuum_scale_factor = 0.01))",
                    n * 100.0
                ),
                None,
            )
        }),
        "autovacuum_analyze_scale_factor" => number.filter(|n| *n > 0.1).map(|n| {
            info(
                format!(
                    "statistics are refreshed only after {:.0}% of a table changed: plans go \
                     stale on large tables",
                    n * 100.0
                ),
                None,
            )
        }),
        "autovacuum_freeze_max_age" => number.filter(|n| *n > 1.0e9).map(|n| {
            info(
                format!(
                    "anti-wraparound vacuums start only at {:.1} billion transactions, leaving \
                     little headroom before the 2.1 billion limit",
                    n / 1.0e9
                ),
                None,
            )
        }),
        _ => None,
    }
}

fn info(reason: impl Into<String>, sql: Option<String>) -> Attention {
    Attention {
        severity: Severity::Info,
        reason: reason.into(),
        sql,
        evidence: Vec::new(),
    }
}

fn warning(reason: impl Into<String>, sql: Option<String>) -> Attention {
    Attention {
        severity: Severity::Warning,
        ..info(reason, sql)
    }
}

/// `ALTER SYSTEM SET name = 'value';` and, for settings a reload applies, the reload.
fn alter_system(name: &str, value: &str, reload: bool) -> String {
    let set = format!(
        "ALTER SYSTEM SET {} = {};",
        quote::ident(name),
        quote::literal(value)
    );
    if reload {
        format!("{set}\nSELECT pg_reload_conf();")
    } else {
        format!("{set}\n-- takes effect at the next server restart")
    }
}

fn pending_restart(check: &SettingCheck) -> Attention {
    let configured = check
        .pending_value
        .as_ref()
        .map_or_else(String::new, |v| format!(" to {}", v.show()));
    let mut attention = warning(
        format!(
            "changed{configured} in the configuration, but the server keeps {} until it is \
             restarted",
            check.shown()
        ),
        None,
    );
    attention.evidence.push((
        "pending_value",
        check
            .pending_value
            .as_ref()
            .map_or(serde_json::Value::Null, |v| json!(v.show())),
    ));
    attention
}

fn shared_buffers_default() -> Attention {
    info(
        "no more than initdb's default (128MB), sized for a small machine; on a dedicated \
         database server 25% of RAM is the usual start (pgmedic cannot see the RAM; a restart \
         applies it)",
        None,
    )
}

/// Temporary files written over the interval mean sorts and hashes spill; a large work_mem
/// with many connections can take more memory than the machine has.
fn work_mem(value: &Value, max_connections: Option<f64>, context: &Context) -> Option<Attention> {
    let bytes = value.number()?;
    if let Some(t) = context.throughput
        && t.temp_bytes_per_sec.level >= Level::Warn
    {
        let mut attention = info(
            format!(
                "{}/s written to temporary files over the last interval: sorts and hashes \
                 larger than work_mem ({}) spill to disk; raise it for the roles or statements \
                 that spill (ALTER ROLE … SET work_mem) rather than for every session",
                Value::Bytes(t.temp_bytes_per_sec.value.round()).show(),
                value.show()
            ),
            None,
        );
        attention
            .evidence
            .push(("temp_bytes_per_sec", json!(t.temp_bytes_per_sec.value)));
        return Some(attention);
    }
    let connections = max_connections?;
    let worst = bytes * connections;
    (bytes >= 256.0 * MIB && worst >= 64.0 * GIB).then(|| {
        info(
            format!(
                "{} for each sort or hash: with max_connections {connections} that is up to {} \
                 if every session ran one at once (queries can run several)",
                value.show(),
                Value::Bytes((worst / GIB).ceil() * GIB).show()
            ),
            None,
        )
    })
}

/// No timeout while sessions sit idle in transaction past the warning threshold.
fn idle_in_transaction(value: &Value, context: &Context) -> Option<Attention> {
    if value.number()? != 0.0 {
        return None;
    }
    let c = context.connections?;
    let sessions = c.idle_in_transaction.value + c.idle_in_transaction_aborted;
    let oldest = c.oldest_idle_in_transaction.value?;
    if sessions == 0 || oldest < context.limits.idle_in_transaction_secs.warn {
        return None;
    }
    let mut attention = warning(
        format!(
            "no timeout while {sessions} session{} sit idle in transaction, the oldest for \
             {:.0}s: they keep their locks and hold back vacuum until someone ends them",
            if sessions == 1 { "" } else { "s" },
            oldest
        ),
        Some(alter_system(
            "idle_in_transaction_session_timeout",
            "10min",
            true,
        )),
    );
    attention.evidence.push(("sessions", json!(sessions)));
    attention.evidence.push(("oldest_seconds", json!(oldest)));
    Some(attention)
}

fn log_min_duration(ms: f64) -> Option<Attention> {
    if ms < 0.0 {
        Some(info(
            "no statement is logged for its duration; with a limit the log names the slow \
             ones with their parameters, which pg_stat_statements does not keep",
            Some(alter_system("log_min_duration_statement", "1s", true)),
        ))
    } else if ms == 0.0 {
        Some(info(
            "every statement is logged; on a busy server the log's volume costs I/O",
            Some(alter_system("log_min_duration_statement", "1s", true)),
        ))
    } else {
        None
    }
}

/// pg_stat_statements not loaded (or not created here): the exact steps.
fn preload(value: &Value, context: &Context) -> Option<Attention> {
    let problem = context.server.pg_stat_statements_problem()?;
    let Value::Text(list) = value else {
        return None;
    };
    let libraries: Vec<&str> = list
        .split(',')
        .map(|l| l.trim().trim_matches('"'))
        .filter(|l| !l.is_empty())
        .collect();
    let sql = if libraries.contains(&"pg_stat_statements") {
        "CREATE EXTENSION pg_stat_statements;".to_owned()
    } else {
        let wanted: Vec<&str> = libraries
            .iter()
            .copied()
            .chain(["pg_stat_statements"])
            .collect();
        format!(
            "{}\n-- after the restart, in each database to watch:\nCREATE EXTENSION \
             pg_stat_statements;",
            alter_system("shared_preload_libraries", &wanted.join(","), false)
        )
    };
    Some(info(problem, Some(sql)))
}

/// Requested checkpoints dominate: raise max_wal_size, to the size one checkpoint_timeout of
/// WAL needs at the average rate where it is known, else to twice the current one.
fn max_wal_size(
    c: &Checkpoints,
    current: f64,
    timeout_ms: f64,
    completion_target: f64,
) -> Option<Attention> {
    if !c.too_many_requested() {
        return None;
    }
    let all = c.timed + c.requested;
    let needed = c.max_wal_size_for(timeout_ms, completion_target);
    let target = needed.filter(|n| *n > current).unwrap_or(current * 2.0);
    let target_text = Value::Bytes(target).show();
    let why = match (needed, c.wal_bytes_per_sec) {
        (Some(n), Some(rate)) if n > current => format!(
            "; at the average WAL rate ({}/s) one checkpoint_timeout ({}) needs {target_text}",
            Value::Bytes(rate.round()).show(),
            Value::Millis(timeout_ms).show()
        ),
        _ => String::new(),
    };
    let mut attention = info(
        format!(
            "{} of {all} checkpoints since the statistics reset ({:.0}%) were requested, not \
             timed: WAL reached max_wal_size ({}) before checkpoint_timeout, or CHECKPOINT \
             commands and base backups ran{why}",
            c.requested,
            c.requested_pct.unwrap_or(0.0),
            Value::Bytes(current).show()
        ),
        Some(alter_system("max_wal_size", &target_text, true)),
    );
    attention.evidence.extend([
        ("checkpoints_timed", json!(c.timed)),
        ("checkpoints_requested", json!(c.requested)),
        ("requested_pct", json!(c.requested_pct)),
        ("wal_bytes_per_sec", json!(c.wal_bytes_per_sec)),
        ("suggested_bytes", json!(target)),
    ]);
    Some(attention)
}
