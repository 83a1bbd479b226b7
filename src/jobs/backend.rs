//! Cancel and terminate: one statement that signals exactly the listed backends, each named
//! by its pid and its start time, so a pid the server has reused for a new connection since
//! the DBA looked is left alone — and, for sessions a filter listed, only while what the filter
//! asked still holds (its state, wait, query, application, ages), checked by the server in the
//! same statement. It returns one row per backend it found and signalled.

use std::time::Duration;

use crate::diagnose::activity::filter::{Clock, Mutable, Recheck};
use crate::diagnose::activity::signal::Target;
use crate::jobs::spec::{JobKind, JobSpec};
use crate::quote;

/// Signalling returns at once; a server that does not answer in this long is in trouble.
const STATEMENT_TIMEOUT: Duration = Duration::from_secs(10);

/// The statement that signals `targets` with the function of `kind`.
#[must_use]
pub fn statement(kind: JobKind, targets: &[Target]) -> String {
    let function = match kind {
        JobKind::TerminateBackend => "pg_terminate_backend",
        _ => "pg_cancel_backend",
    };
    let which = targets
        .iter()
        .map(|t| {
            let mut all = vec![format!("pid = {}", t.pid)];
            if let Some(start) = &t.backend_start {
                all.push(format!(
                    "backend_start = {}::timestamptz",
                    quote::literal(start)
                ));
            }
            all.extend(t.recheck.iter().map(condition));
            match all.as_slice() {
                [one] => one.clone(),
                _ => format!("({})", all.join(" AND ")),
            }
        })
        .collect::<Vec<_>>()
        .join("\n    OR ");
    format!(
        "SELECT pid, {function}(pid) AS signalled\n  FROM pg_stat_activity\n WHERE {which}\n ORDER BY pid"
    )
}

/// A filter's condition as the server checks it, on the columns the sessions list reads.
fn condition(recheck: &Recheck) -> String {
    match recheck {
        Recheck::Contains(fields, needle) => {
            let any: Vec<String> = fields
                .iter()
                .map(|f| {
                    format!(
                        "strpos(lower({}), lower({})) > 0",
                        column(*f),
                        quote::literal(needle)
                    )
                })
                .collect();
            match any.as_slice() {
                [one] => one.clone(),
                _ => format!("({})", any.join(" OR ")),
            }
        }
        Recheck::Longer(clock, secs) => format!("{} > {}", age(*clock), seconds(*secs)),
        Recheck::Shorter(clock, secs) => format!("{} < {}", age(*clock), seconds(*secs)),
    }
}

fn column(field: Mutable) -> &'static str {
    match field {
        Mutable::App => "coalesce(application_name, '')",
        Mutable::State => "coalesce(state, '')",
        Mutable::Wait => "coalesce(wait_event_type, '') || ' ' || coalesce(wait_event, '')",
        Mutable::Query => "coalesce(query, '')",
    }
}

/// The age a filter compares, by the server's clock (as the sessions list reads it).
fn age(clock: Clock) -> &'static str {
    match clock {
        Clock::Xact => "clock_timestamp() - xact_start",
        Clock::Query => "clock_timestamp() - query_start",
        Clock::State => {
            "clock_timestamp() - CASE WHEN state = 'active' THEN query_start ELSE state_change END"
        }
        Clock::Backend => "clock_timestamp() - backend_start",
    }
}

fn seconds(secs: f64) -> String {
    format!("make_interval(secs => {secs})")
}

/// "pid 4242" or "pids 4242, 4243".
#[must_use]
pub fn pids_label(targets: &[Target]) -> String {
    let pids: Vec<String> = targets.iter().map(|t| t.pid.to_string()).collect();
    match pids.as_slice() {
        [one] => format!("pid {one}"),
        many => format!("pids {}", many.join(", ")),
    }
}

/// The job that cancels (or terminates) `targets`; `target` names them for the Jobs pane.
#[must_use]
pub fn spec(kind: JobKind, targets: &[Target], target: String) -> JobSpec {
    let mut spec = JobSpec::new(kind, target, vec![statement(kind, targets)]).warning(
        match kind {
            JobKind::TerminateBackend => {
                "ends each session: its open transaction is rolled back and its client disconnected"
            }
            _ => "cancels each session's running statement (an open transaction is aborted); the sessions stay connected",
        },
    );
    spec.statement_timeout = Some(STATEMENT_TIMEOUT);
    spec
}

/// The pids a finished job's rows say were signalled (`signalled` true).
#[must_use]
pub fn signalled(rows: &[Vec<Option<String>>]) -> Vec<i32> {
    rows.iter()
        .filter(|row| row.get(1).and_then(Option::as_deref) == Some("t"))
        .filter_map(|row| row.first()?.as_deref()?.parse().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(pid: i32, start: Option<&str>) -> Target {
        Target {
            pid,
            backend_start: start.map(str::to_owned),
            recheck: Vec::new(),
        }
    }

    #[test]
    fn each_backend_is_named_by_pid_and_start() {
        let targets = [
            target(4242, Some("2025-01-01T00:00:00.000001Z")),
            target(4243, None),
        ];
        assert_eq!(
            statement(JobKind::CancelBackend, &targets),
            "SELECT pid, pg_cancel_backend(pid) AS signalled\n  FROM pg_stat_activity\n \
             WHERE (pid = 4242 AND backend_start = '2025-01-01T00:00:00.000001Z'::timestamptz)\n    \
             OR pid = 4243\n ORDER BY pid"
        );
        assert!(
            statement(JobKind::TerminateBackend, &targets).contains("pg_terminate_backend(pid)")
        );
        assert_eq!(pids_label(&targets), "pids 4242, 4243");
        assert_eq!(pids_label(&targets[..1]), "pid 4242");
    }

    #[test]
    fn a_filtered_session_is_signalled_only_while_the_filter_still_holds() {
        let mut t = target(4242, Some("2025-01-01T00:00:00.000001Z"));
        t.recheck = vec![
            Recheck::Contains(vec![Mutable::State], "idle in transaction".to_owned()),
            Recheck::Longer(Clock::Xact, 60.0),
            Recheck::Contains(vec![Mutable::App, Mutable::Query], "it's".to_owned()),
        ];
        assert_eq!(
            statement(JobKind::TerminateBackend, &[t]),
            "SELECT pid, pg_terminate_backend(pid) AS signalled\n  FROM pg_stat_activity\n \
             WHERE (pid = 4242 AND backend_start = '2025-01-01T00:00:00.000001Z'::timestamptz \
             AND strpos(lower(coalesce(state, '')), lower('idle in transaction')) > 0 \
             AND clock_timestamp() - xact_start > make_interval(secs => 60) \
             AND (strpos(lower(coalesce(application_name, '')), lower('it''s')) > 0 \
             OR strpos(lower(coalesce(query, '')), lower('it''s')) > 0))\n ORDER BY pid"
        );
    }

    #[test]
    fn a_hostile_start_time_stays_a_literal() {
        let sql = statement(
            JobKind::CancelBackend,
            &[target(1, Some("x'; DROP TABLE t; --"))],
        );
        assert!(
            sql.contains("'x''; DROP TABLE t; --'::timestamptz"),
            "{sql}"
        );
    }

    #[test]
    fn the_rows_say_who_was_signalled() {
        let rows = vec![
            vec![Some("10".to_owned()), Some("t".to_owned())],
            vec![Some("11".to_owned()), Some("f".to_owned())],
        ];
        assert_eq!(signalled(&rows), vec![10]);
        let spec = spec(
            JobKind::TerminateBackend,
            &[target(10, None)],
            "pid 10".to_owned(),
        );
        assert_eq!(spec.kind.typed_confirmation(), Some("terminate"));
        assert_eq!(spec.statement_timeout, Some(STATEMENT_TIMEOUT));
    }
}
