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
/// when there is none.
#[must_use]
pub fn lines(findings: &[Finding]) -> Vec<String> {
    let mut problems: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.severity > Severity::Info)
        .collect();
    problems.sort_by_key(|f| std::cmp::Reverse(f.severity));
    if problems.is_empty() {
        let advice = findings.len();
        return vec![format!(
            "OK: no problem found ({advice} piece{} of advice: pgmedic report)",
            if advice == 1 { "" } else { "s" }
        )];
    }
    problems.into_iter().map(line).collect()
}

/// `CRITICAL invalid_index public.trades.trades_external_trade_id_key: …`.
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
    let object = if object.is_empty() {
        String::new()
    } else {
        format!(" {}", object.join("."))
    };
    one_line(&format!(
        "{word} {}{object}: {}",
        finding.kind.name(),
        finding.summary
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
        assert_eq!(exit_code(&[]), OK);
        assert_eq!(exit_code(std::slice::from_ref(&info)), OK);
        assert_eq!(exit_code(&[info.clone(), warning.clone()]), WARNING);
        let all = [info.clone(), warning, critical];
        assert_eq!(exit_code(&all), CRITICAL);
        assert_eq!(
            lines(&all),
            [
                "CRITICAL invalid_index public.trades.trades_key: invalid index",
                "WARNING connection_saturation: 85 of 97"
            ]
        );
        assert_eq!(
            lines(&[info]),
            ["OK: no problem found (1 piece of advice: pgmedic report)"]
        );
    }
}
