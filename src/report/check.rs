//! `pgmedic check`: one line per problem and an exit code for cron and monitoring systems —
//! 0 ok, 1 warning, 2 critical, 3 could not check (the Nagios convention). Advice (`info`)
//! is neither printed nor counted.

use crate::diagnose::overview::one_line;
use crate::report::{Finding, Severity};

/// Exit code: nothing worse than advice.
pub const OK: u8 = 0;
/// Exit code: at least one warning, no critical finding.
pub const WARNING: u8 = 1;
/// Exit code: at least one critical finding.
pub const CRITICAL: u8 = 2;
/// Exit code: the check could not run (connection, configuration, command line).
pub const UNKNOWN: u8 = 3;

/// The exit code for these findings.
#[must_use]
pub fn exit_code(findings: &[Finding]) -> u8 {
    match findings.iter().map(|f| f.severity).max() {
        Some(Severity::Critical) => CRITICAL,
        Some(Severity::Warning) => WARNING,
        Some(Severity::Info) | None => OK,
    }
}

/// One line per warning or critical finding, the worst first; `OK` and the count of advice
/// when there is none. What could not be checked (`not_checked` things: a role without
/// pg_monitor, a missing extension) is said on the OK line, or on a last line after the
/// problems: a check that ran partly blind never reads as a clean one.
#[must_use]
pub fn lines(findings: &[Finding], not_checked: usize) -> Vec<String> {
    let mut problems: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.severity > Severity::Info)
        .collect();
    problems.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let blind = (not_checked > 0).then(|| {
        format!(
            "{not_checked} thing{} could not be checked (pgmedic report lists them)",
            if not_checked == 1 { "" } else { "s" }
        )
    });
    if problems.is_empty() {
        let advice = findings.len();
        let advice = format!(
            "{advice} piece{} of advice: pgmedic report",
            if advice == 1 { "" } else { "s" }
        );
        return vec![match blind {
            Some(blind) => format!("OK: no problem found, but {blind} ({advice})"),
            None => format!("OK: no problem found ({advice})"),
        }];
    }
    let mut out: Vec<String> = problems.into_iter().map(line).collect();
    out.extend(blind.map(|b| format!("NOT CHECKED: {b}")));
    out
}

/// `CRITICAL invalid_index public.trades.trades_external_trade_id_key (db shop): …`; a finding
/// about the whole cluster says `(cluster)`.
fn line(finding: &Finding) -> String {
    let word = match finding.severity {
        Severity::Critical => "CRITICAL",
        Severity::Warning => "WARNING",
        Severity::Info => "INFO",
    };
    let object: Vec<&str> = [&finding.schema, &finding.table, &finding.index]
        .into_iter()
        .filter_map(|part| part.as_deref())
        .collect();
    let object = object.join(".");
    // The summary often starts with the object already.
    let summary = finding
        .summary
        .strip_prefix(&format!("{object}: "))
        .filter(|_| !object.is_empty())
        .unwrap_or(&finding.summary);
    let object = if object.is_empty() {
        String::new()
    } else {
        format!(" {object}")
    };
    let place = match &finding.database {
        Some(db) => format!("db {db}"),
        None => "cluster".to_owned(),
    };
    one_line(&format!(
        "{word} {}{object} ({place}): {summary}",
        finding.kind.name(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Kind;

    #[test]
    fn advice_does_not_count_and_the_worst_comes_first() {
        let info = Finding::new(Kind::Setting, Severity::Info, "track_io_timing = off");
        let warning = Finding::new(Kind::ConnectionSaturation, Severity::Warning, "85 of 97");
        let mut critical = Finding::new(Kind::InvalidIndex, Severity::Critical, "invalid\nindex");
        critical.schema = Some("public".to_owned());
        critical.table = Some("trades".to_owned());
        critical.index = Some("trades_key".to_owned());
        critical.database = Some("shop".to_owned());
        assert_eq!(exit_code(&[]), OK);
        assert_eq!(exit_code(std::slice::from_ref(&info)), OK);
        assert_eq!(exit_code(&[info.clone(), warning.clone()]), WARNING);
        let all = [info.clone(), warning, critical];
        assert_eq!(exit_code(&all), CRITICAL);
        assert_eq!(
            lines(&all, 0),
            [
                "CRITICAL invalid_index public.trades.trades_key (db shop): invalid index",
                "WARNING connection_saturation (cluster): 85 of 97"
            ]
        );
        assert_eq!(
            lines(std::slice::from_ref(&info), 0),
            ["OK: no problem found (1 piece of advice: pgmedic report)"]
        );
        assert_eq!(
            lines(&[info], 2),
            [
                "OK: no problem found, but 2 things could not be checked (pgmedic report lists \
                 them) (1 piece of advice: pgmedic report)"
            ]
        );
        assert_eq!(
            lines(&all, 1).last().map(String::as_str),
            Some("NOT CHECKED: 1 thing could not be checked (pgmedic report lists them)")
        );
    }

    #[test]
    fn the_object_is_not_said_twice() {
        let mut f = Finding::new(
            Kind::VacuumOverdue,
            Severity::Critical,
            "public.positions: dead tuples 47%",
        );
        f.schema = Some("public".to_owned());
        f.table = Some("positions".to_owned());
        f.database = Some("trading".to_owned());
        assert_eq!(
            lines(&[f], 0),
            ["CRITICAL vacuum_overdue public.positions (db trading): dead tuples 47%"]
        );
    }
}
