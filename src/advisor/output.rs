//! The advice as `pgmedic advise` writes it: a migration that psql applies (CONCURRENTLY
//! statements outside any transaction block, each with its rollback and its evidence as
//! comments), or index_suggestion findings in the report schema. Pure.

use std::fmt::Write as _;

use serde_json::json;

use super::{Advice, Suggestion};
use crate::report::{Finding, Kind, Report, Severity};
use crate::server::ServerInfo;

/// Suggestions whose statements take at least this share of all statement time are a warning…
const WARNING_SHARE: f64 = 0.10;
/// …and at least this share, critical (verified ones that save time only).
const CRITICAL_SHARE: f64 = 0.50;
/// Statement texts in comments are cut to this many characters.
const COMMENT_QUERY_CHARS: usize = 160;

/// The share of all statement time the suggestion's statements take.
fn share(s: &Suggestion) -> f64 {
    s.helps.iter().map(|h| h.share_of_total_time).sum()
}

/// The statement taking the largest share of time.
fn main_statement(s: &Suggestion) -> Option<&super::Helped> {
    s.helps
        .iter()
        .max_by(|a, b| a.share_of_total_time.total_cmp(&b.share_of_total_time))
}

fn severity(s: &Suggestion) -> Severity {
    let share = share(s);
    if !s.verified || s.saving_ms_per_hour <= 0.0 {
        Severity::Info
    } else if share >= CRITICAL_SHARE {
        Severity::Critical
    } else if share >= WARNING_SHARE {
        Severity::Warning
    } else {
        Severity::Info
    }
}

/// A finite number, or JSON null (NaN for "not measured").
fn number(value: f64) -> serde_json::Value {
    if value.is_finite() {
        json!(value)
    } else {
        serde_json::Value::Null
    }
}

/// One sentence: where, which keys, for what, and the measured effect.
#[must_use]
pub fn summary(s: &Suggestion) -> String {
    let mut keys = s.columns.join(", ");
    if !s.include.is_empty() {
        let _ = write!(keys, " INCLUDE ({})", s.include.join(", "));
    }
    if let Some(p) = &s.predicate {
        let _ = write!(keys, " WHERE {p}");
    }
    let statements = match s.helps.len() {
        1 => "1 statement".to_owned(),
        n => format!("{n} statements"),
    };
    let mut text = format!(
        "index on {}.{} ({keys}) for {statements} taking {:.1} % of statement time",
        s.schema,
        s.table,
        share(s) * 100.0
    );
    match main_statement(s) {
        Some(h) if s.verified && h.cost_before > 0.0 => {
            let _ = write!(
                text,
                ": plan cost {:.0} → {:.0} (−{:.0} %)",
                h.cost_before,
                h.cost_after,
                (1.0 - h.cost_after / h.cost_before) * 100.0
            );
        }
        _ => text.push_str(" (not verified)"),
    }
    one_line(&text)
}

/// The suggestions as index_suggestion findings.
#[must_use]
pub fn findings(advice: &Advice) -> Vec<Finding> {
    advice.suggestions.iter().map(finding).collect()
}

fn finding(s: &Suggestion) -> Finding {
    let main = main_statement(s);
    let statements: Vec<serde_json::Value> = s
        .helps
        .iter()
        .map(|h| {
            json!({
                "queryid": h.queryid,
                "query": h.query,
                "share_of_total_time": number(h.share_of_total_time),
                "calls": h.calls,
                "mean_ms": number(h.mean_ms),
                "cost_before": number(h.cost_before),
                "cost_after": number(h.cost_after),
                "plan_before": h.plan_before,
                "plan_after": (!h.plan_after.is_empty()).then_some(&h.plan_after),
            })
        })
        .collect();
    let evidence = json!({
        "queryids": s.helps.iter().map(|h| h.queryid).collect::<Vec<_>>(),
        "cost_before": main.map_or(serde_json::Value::Null, |h| number(h.cost_before)),
        "cost_after": main.map_or(serde_json::Value::Null, |h| number(h.cost_after)),
        "verified": s.verified,
        "estimated_size_bytes": s.estimated_size_bytes,
        "include": s.include,
        "predicate": s.predicate,
        "method": s.method,
        "rollback_sql": s.rollback_sql,
        "saving_ms_per_hour": number(s.saving_ms_per_hour),
        "table_writes_per_sec": s.table_writes_per_sec.map(number),
        "note": s.note,
        "statements": statements,
    });
    let mut f = Finding::new(Kind::IndexSuggestion, severity(s), summary(s));
    f.schema = Some(s.schema.clone());
    f.table = Some(s.table.clone());
    f.index = Some(s.name.clone());
    f.columns.clone_from(&s.columns);
    f.sql = Some(s.create_sql.clone());
    if let serde_json::Value::Object(map) = evidence {
        f.evidence = map;
    }
    f
}

/// The advice as a report document; statements not analysed and the reason suggestions are
/// unverified go to `not_checked`.
#[must_use]
pub fn report(advice: &Advice, server: &ServerInfo) -> Report {
    let mut not_checked: Vec<String> = advice.unverified_reason.iter().cloned().collect();
    not_checked.extend(
        advice
            .skipped
            .iter()
            .map(|(queryid, why)| format!("statement {queryid}: {why}")),
    );
    Report::new(server, findings(advice), not_checked)
}

/// Text for a `--` comment: one line, no control characters (a newline in a table name or a
/// statement would end the comment and turn the rest into SQL).
fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_control() || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn short(text: &str) -> String {
    let line = one_line(text);
    match line.char_indices().nth(COMMENT_QUERY_CHARS) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line,
    }
}

/// A migration psql applies as it is: `psql -v ON_ERROR_STOP=1 -f FILE` (never with
/// --single-transaction: CREATE INDEX CONCURRENTLY refuses to run in a transaction block).
#[must_use]
pub fn migration(advice: &Advice, server: &ServerInfo, generated_at: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "-- pgmedic advise: index suggestions for database {} on PostgreSQL {}, {}",
        one_line(&server.database),
        one_line(&server.version),
        one_line(generated_at)
    );
    out.push_str(
        "-- Apply with: psql -v ON_ERROR_STOP=1 -f THIS_FILE (not --single-transaction: each\n\
         -- CREATE INDEX CONCURRENTLY runs on its own, outside any transaction block).\n\
         -- Every index is followed by the statement that rolls it back, commented out.\n\
         -- No lock_timeout is set: CREATE INDEX CONCURRENTLY waits for every transaction older\n\
         -- than it, and lock_timeout would cut those waits too (a build thrown away half done\n\
         -- because a session sat idle in a transaction). Its table lock (SHARE UPDATE EXCLUSIVE)\n\
         -- queues no reads nor writes behind it; pg_stat_progress_create_index shows the pids it\n\
         -- waits for. A lock_timeout set for the role or the database applies too: run with\n\
         -- PGOPTIONS='-c lock_timeout=0' where one is.\n",
    );
    if let Some(reason) = &advice.unverified_reason {
        let _ = writeln!(out, "-- NOT VERIFIED: {}", one_line(reason));
    }
    if advice.suggestions.is_empty() {
        out.push_str("-- No index suggestions.\n");
    }
    for (i, s) in advice.suggestions.iter().enumerate() {
        out.push('\n');
        suggestion_block(&mut out, i + 1, s);
    }
    if !advice.skipped.is_empty() {
        out.push_str("\n-- Statements not analysed:\n");
        for (queryid, why) in &advice.skipped {
            let _ = writeln!(out, "--   queryid {queryid}: {}", short(why));
        }
    }
    out
}

fn suggestion_block(out: &mut String, n: usize, s: &Suggestion) {
    // An unverified summary already ends "(not verified)".
    let verified = if s.verified {
        " (verified with HypoPG)"
    } else {
        ""
    };
    let _ = writeln!(out, "-- {n}. {}{verified}", summary(s));
    if let Some(size) = s.estimated_size_bytes {
        let _ = writeln!(out, "--    estimated size: {size} bytes");
    }
    if let Some(writes) = s.table_writes_per_sec {
        let _ = writeln!(out, "--    table writes: {writes:.1} rows/s");
    }
    let _ = writeln!(
        out,
        "--    estimated time saved: {:.0} ms per hour",
        s.saving_ms_per_hour
    );
    if let Some(note) = &s.note {
        let _ = writeln!(out, "--    note: {}", one_line(note));
    }
    for h in &s.helps {
        let cost = if h.cost_after.is_finite() {
            format!("cost {:.0} → {:.0}", h.cost_before, h.cost_after)
        } else {
            format!("cost {:.0}", h.cost_before)
        };
        let _ = writeln!(
            out,
            "--    queryid {} ({:.1} % of time, {} calls, {:.2} ms mean, {cost}): {}",
            h.queryid,
            h.share_of_total_time * 100.0,
            h.calls,
            h.mean_ms,
            short(&h.query)
        );
    }
    let _ = writeln!(out, "{};", s.create_sql);
    let _ = writeln!(out, "-- rollback: {};", one_line(&s.rollback_sql));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::advisor::Helped;

    fn server() -> ServerInfo {
        ServerInfo {
            database: "shop\nDROP".into(),
            ..ServerInfo::example(150_000)
        }
    }

    fn suggestion() -> Suggestion {
        Suggestion {
            schema: "app".into(),
            table: "t\n; DROP TABLE x; --".into(),
            columns: vec![r#""a""#.into(), r#""b" DESC"#.into()],
            include: vec![],
            predicate: None,
            method: "btree".into(),
            name: "t_a_b_idx".into(),
            create_sql:
                r#"CREATE INDEX CONCURRENTLY "t_a_b_idx" ON "app"."t" USING btree ("a", "b" DESC)"#
                    .into(),
            rollback_sql: r#"DROP INDEX CONCURRENTLY IF EXISTS "app"."t_a_b_idx""#.into(),
            helps: vec![Helped {
                queryid: 42,
                query: "SELECT *\nFROM t -- x\nWHERE a = $1".into(),
                share_of_total_time: 0.2,
                calls: 10,
                mean_ms: 3.5,
                cost_before: 1000.0,
                cost_after: 10.0,
                plan_before: "Seq Scan".into(),
                plan_after: "Index Scan".into(),
            }],
            estimated_size_bytes: Some(8192),
            verified: true,
            table_writes_per_sec: Some(1.5),
            saving_ms_per_hour: 100.0,
            note: None,
        }
    }

    #[test]
    fn comments_stay_comments() {
        let advice = Advice {
            suggestions: vec![suggestion()],
            ..Advice::default()
        };
        let server = server();
        let sql = migration(&advice, &server, "2026-01-01T00:00:00Z");
        let statements: Vec<&str> = sql
            .lines()
            .filter(|l| !l.starts_with("--") && !l.is_empty())
            .collect();
        assert_eq!(statements, [format!("{};", suggestion().create_sql)]);
        assert!(sql.contains(&format!("-- rollback: {};", suggestion().rollback_sql)));
        assert!(sql.contains("SELECT * FROM t -- x WHERE a = $1"), "{sql}");
    }

    #[test]
    fn severity_and_summary() {
        let s = suggestion();
        assert_eq!(severity(&s), Severity::Warning);
        assert_eq!(
            summary(&s),
            r#"index on app.t ; DROP TABLE x; -- ("a", "b" DESC) for 1 statement taking 20.0 % of statement time: plan cost 1000 → 10 (−99 %)"#
        );
        let mut unverified = suggestion();
        unverified.verified = false;
        assert_eq!(severity(&unverified), Severity::Info);
        assert!(summary(&unverified).ends_with("(not verified)"));
        let mut heavy = suggestion();
        heavy.helps[0].share_of_total_time = 0.6;
        assert_eq!(severity(&heavy), Severity::Critical);
    }

    #[test]
    fn an_unverified_suggestion_says_so_once() {
        let mut s = suggestion();
        s.verified = false;
        s.helps[0].cost_after = f64::NAN;
        let advice = Advice {
            suggestions: vec![s],
            ..Advice::default()
        };
        let sql = migration(&advice, &server(), "t");
        let header = sql
            .lines()
            .find(|l| l.starts_with("-- 1. "))
            .unwrap_or_default();
        assert_eq!(
            header.to_lowercase().matches("verified").count(),
            1,
            "{header}"
        );
        assert!(header.ends_with("(not verified)"), "{header}");
        assert!(!sql.contains("NaN"), "{sql}");
    }

    #[test]
    fn evidence_uses_null_for_what_was_not_measured() {
        let mut s = suggestion();
        s.helps[0].cost_after = f64::NAN;
        s.helps[0].plan_after = String::new();
        let f = finding(&s);
        assert!(f.evidence["cost_after"].is_null());
        assert!(f.evidence["statements"][0]["plan_after"].is_null());
        assert_eq!(f.evidence["queryids"], json!([42]));
    }
}
