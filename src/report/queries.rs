//! The Queries pane's findings, from its figures since the statistics reset: statements whose
//! mean time passes the threshold (`slow_query`, judged), the heaviest statements by share
//! of all statement time (`slow_query`, advice), and each statement's lints (`query_lint`,
//! advice, worded as the pane words them).

use serde_json::json;

use crate::diagnose::health::Thresholds;
use crate::diagnose::overview::one_line;
use crate::diagnose::queries::{QueriesFigures, QueryRow};
use crate::report::overview::severity;
use crate::report::{Finding, Kind, Severity};
use crate::ui::format;
use crate::ui::queries::lint::why;

/// The heaviest statements listed as advice: at most this many…
const HEAVIEST: usize = 5;
/// …each with at least this share of all statement time, percent.
const HEAVY_SHARE_PCT: f64 = 10.0;
/// Lints of at most this many statements (the heaviest) are listed.
const LINTED: usize = 200;
/// A statement's text in a summary is cut to this many characters.
const SUMMARY_TEXT: usize = 160;

/// Slow statements and lints, heaviest statements first.
#[must_use]
pub fn findings(view: &QueriesFigures, limits: &Thresholds) -> Vec<Finding> {
    let rows = heaviest_first(view);
    let mut out = Vec::new();
    let mut heavy = 0;
    for r in &rows {
        let mean = r.mean_ms().unwrap_or(0.0);
        let judged = severity(limits.statement_mean_ms.judge(mean));
        let heaviest = heavy < HEAVIEST && r.share_pct >= HEAVY_SHARE_PCT;
        let Some(severity) = judged.or(heaviest.then_some(Severity::Info)) else {
            continue;
        };
        if judged.is_none() {
            heavy += 1;
        }
        let summary = format!(
            "mean {} over {} calls, {} of all statement time: {}",
            format::millis(mean),
            format::count(r.calls),
            format::percent(r.share_pct),
            text(r)
        );
        out.push(statement(r, Kind::SlowQuery, severity, summary));
    }
    for r in rows.iter().take(LINTED) {
        for lint in &r.lints {
            let summary = format!("{}: {}", why(lint), text(r));
            out.push(
                statement(r, Kind::QueryLint, Severity::Info, summary).with("lint", lint.tag()),
            );
        }
    }
    out
}

/// What the Queries pane could not see.
#[must_use]
pub fn not_checked(view: &QueriesFigures) -> Vec<String> {
    let mut out = Vec::new();
    let hidden = view.latest.hidden;
    if hidden > 0 {
        out.push(format!(
            "{hidden} statements of other roles are hidden from this role: grant it \
             pg_read_all_stats (or pg_monitor)"
        ));
    }
    let unlisted = heaviest_first(view)
        .iter()
        .skip(LINTED)
        .filter(|r| !r.lints.is_empty())
        .count();
    if unlisted > 0 {
        out.push(format!(
            "query lints: only those of the {LINTED} heaviest statements are listed; {unlisted} \
             lighter statements have lints too (the Queries pane shows them)"
        ));
    }
    out
}

/// The statements that ran, the most total time first.
fn heaviest_first(view: &QueriesFigures) -> Vec<&QueryRow> {
    let mut rows: Vec<&QueryRow> = view.rows.iter().filter(|r| r.calls > 0).collect();
    rows.sort_by(|a, b| b.total_ms.total_cmp(&a.total_ms));
    rows
}

/// A statement's finding with the figures every statement finding carries.
fn statement(r: &QueryRow, kind: Kind, severity: Severity, summary: String) -> Finding {
    let text = r.text.as_ref();
    Finding::new(kind, severity, summary)
        .with("queryid", r.key().queryid)
        .with("database", text.map(|t| t.text.database.clone()))
        .with("role", text.map(|t| t.text.role.clone()))
        .with("toplevel", r.toplevel())
        .with("calls", r.calls)
        .with("total_ms", r.total_ms)
        .with("mean_ms", json!(r.mean_ms()))
        .with("max_ms", r.max_ms)
        .with("stddev_ms", json!(r.stddev_ms))
        .with("rows_per_call", json!(r.rows_per_call()))
        .with("share_pct", r.share_pct)
        .with("query", r.query().into_owned())
}

/// The statement on one line, cut for a summary.
fn text(r: &QueryRow) -> String {
    format::truncate(&one_line(&r.query()), SUMMARY_TEXT).into_owned()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Arc;

    use super::*;
    use crate::diagnose::queries::{Scope, build};
    use crate::diagnose::statement::shape;
    use crate::snapshot::queries::{QueriesSample, QueryText, StatementStats, StatementsSettings};
    use crate::snapshot::{StatementKey, StatementText};

    fn stats(queryid: i64, calls: i64, total_ms: f64, rows: i64) -> StatementStats {
        StatementStats {
            key: StatementKey {
                userid: 10,
                dbid: 5,
                queryid,
            },
            toplevel: true,
            calls,
            total_ms,
            rows,
            ..StatementStats::default()
        }
    }

    #[test]
    fn slow_and_heavy_statements_and_their_lints_become_findings() {
        let statements = [
            (
                1,
                "SELECT * FROM orders WHERE created_at > $1",
                stats(1, 10, 25_000.0, 50_000),
            ),
            (
                2,
                "SELECT id FROM users WHERE id = $1",
                stats(2, 90_000, 9_000.0, 90_000),
            ),
            (3, "SELECT 1", stats(3, 100, 1.0, 100)),
            (4, "SELECT 2", stats(4, 100, 1.0, 100)),
            (5, "SELECT 3", stats(5, 100, 1.0, 100)),
        ];
        let texts = statements
            .iter()
            .map(|(_, sql, s)| {
                let text = StatementText {
                    query: (*sql).to_owned(),
                    database: "shop".to_owned(),
                    role: "app".to_owned(),
                };
                (
                    s.key,
                    Arc::new(QueryText {
                        text,
                        shape: shape(sql),
                    }),
                )
            })
            .collect::<HashMap<_, _>>();
        let sample = QueriesSample {
            taken_at: 100.0,
            entries: statements.iter().map(|(_, _, s)| *s).collect(),
            dealloc: None,
            stats_reset: None,
            hidden: 3,
            settings: StatementsSettings {
                block_size: 8192,
                ..StatementsSettings::default()
            },
            columns: crate::snapshot::queries::Columns::default(),
            texts: Arc::new(texts),
        };
        let view = build(None, &Arc::new(sample), Scope::Cumulative);
        let found = findings(&view, &Thresholds::default());
        let slow: Vec<(Severity, i64)> = found
            .iter()
            .filter(|f| f.kind == Kind::SlowQuery)
            .map(|f| (f.severity, f.evidence["queryid"].as_i64().unwrap()))
            .collect();
        assert_eq!(
            slow,
            [(Severity::Warning, 1), (Severity::Info, 2)],
            "2.5 s mean is past the warning; the one-row lookup holds 26% of all time"
        );
        let lints: Vec<(&str, i64)> = found
            .iter()
            .filter(|f| f.kind == Kind::QueryLint)
            .map(|f| {
                (
                    f.evidence["lint"].as_str().unwrap(),
                    f.evidence["queryid"].as_i64().unwrap(),
                )
            })
            .collect();
        assert!(
            lints.contains(&("NOLIM", 1)) && lints.contains(&("*", 1)),
            "{lints:?}"
        );
        assert!(lints.contains(&("N+1", 2)), "{lints:?}");
        assert!(
            found[0].summary.starts_with("mean 2.50s over 10 calls"),
            "{}",
            found[0].summary
        );
        assert_eq!(found[0].evidence["database"], "shop");
        assert_eq!(
            not_checked(&view),
            [
                "3 statements of other roles are hidden from this role: grant it pg_read_all_stats \
              (or pg_monitor)"
            ]
        );
    }
}
