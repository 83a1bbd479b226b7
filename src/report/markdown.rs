//! The report as markdown, for incident tickets: a header naming the server, the counts, then
//! one section per area with each finding's summary, object, evidence and fixing SQL, and what
//! could not be checked. Names and texts from the server are quoted or escaped so that a
//! hostile name cannot change the document's structure.

use std::fmt::Write as _;

use crate::diagnose::overview::one_line;
use crate::report::areas::Section;
use crate::report::{Finding, Report, Severity};

/// Writes the whole report. `target` is `user@host:port/db`; `watched` how long it sampled.
#[must_use]
pub fn render(report: &Report, sections: &[Section], target: &str, watched: &str) -> String {
    let mut out = String::new();
    header(&mut out, report, target, watched);
    for section in sections {
        let _ = writeln!(out, "## {}\n", section.title);
        if section.findings.is_empty() {
            out.push_str("Nothing found.\n\n");
        }
        for finding in &section.findings {
            write_finding(&mut out, finding);
        }
    }
    if !report.not_checked.is_empty() {
        out.push_str("## Not checked\n\n");
        for line in &report.not_checked {
            let _ = writeln!(out, "- {}", escape(line));
        }
    }
    out
}

fn header(out: &mut String, report: &Report, target: &str, watched: &str) {
    let server = &report.server;
    let _ = writeln!(out, "# pgmedic report: {}\n", code(target));
    let _ = writeln!(
        out,
        "PostgreSQL {} · {} · generated {} by pgmedic {} · watched for {watched}\n",
        escape(&server.version),
        server.role,
        report.generated_at,
        report.pgmedic_version,
    );
    let extensions: Vec<String> = server
        .extensions
        .iter()
        .map(|(name, version)| match version {
            Some(v) => format!("{name} {v}"),
            None => format!("{name} (available, not installed)"),
        })
        .collect();
    if !extensions.is_empty() {
        let _ = writeln!(out, "Extensions: {}\n", escape(&extensions.join(", ")));
    }
    let count = |s: Severity| report.findings.iter().filter(|f| f.severity == s).count();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut counts = format!(
        "**{} critical · {} · {} advice**",
        count(Severity::Critical),
        plural(count(Severity::Warning), "warning"),
        count(Severity::Info),
    );
    if !report.not_checked.is_empty() {
        let _ = write!(
            counts,
            " · {} not checked (see the end)",
            plural(report.not_checked.len(), "thing")
        );
    }
    let _ = writeln!(out, "{counts}\n");
}

fn write_finding(out: &mut String, finding: &Finding) {
    let word = match finding.severity {
        Severity::Critical => "CRITICAL",
        Severity::Warning => "WARNING",
        Severity::Info => "info",
    };
    let object = object(finding);
    let place = match &finding.database {
        Some(db) => format!("db {}", code(db)),
        None => "cluster".to_owned(),
    };
    let _ = writeln!(
        out,
        "### {word} · {}{} · {place}\n",
        finding.kind.name(),
        if object.is_empty() {
            String::new()
        } else {
            format!(" · {object}")
        }
    );
    let _ = writeln!(out, "{}\n", escape(&one_line(&finding.summary)));
    if !finding.columns.is_empty() {
        let columns: Vec<String> = finding.columns.iter().map(|c| code(c)).collect();
        let _ = writeln!(out, "Columns: {}\n", columns.join(", "));
    }
    // Figures on one line; long texts and lists one per line below it; a statement's text
    // as a block of its own.
    let (short, long): (Vec<_>, Vec<_>) = finding
        .evidence
        .iter()
        .filter(|(key, _)| *key != "query")
        .partition(|(_, value)| is_short(value));
    let items: Vec<String> = short
        .iter()
        .map(|(key, value)| format!("{key} {}", code(&shown(key, value))))
        .collect();
    if !items.is_empty() {
        let _ = writeln!(out, "Evidence: {}\n", items.join(" · "));
    }
    for (key, value) in &long {
        match value {
            serde_json::Value::Array(list) => {
                let _ = writeln!(out, "- {key}:");
                for item in list {
                    let line = match item {
                        serde_json::Value::Object(fields) => fields
                            .iter()
                            .filter(|(_, v)| !v.is_null())
                            .map(|(k, v)| format!("{k} {}", code(&shown(k, v))))
                            .collect::<Vec<_>>()
                            .join(" · "),
                        other => escape(&evidence_value(other)),
                    };
                    let _ = writeln!(out, "  - {line}");
                }
            }
            other => {
                let _ = writeln!(out, "- {key}: {}", code(&shown(key, other)));
            }
        }
    }
    if !long.is_empty() {
        out.push('\n');
    }
    if let Some(serde_json::Value::String(query)) = finding.evidence.get("query") {
        out.push_str("Statement:\n\n");
        sql_block(out, query);
    }
    if let Some(sql) = &finding.sql {
        if finding.evidence.contains_key("query") {
            out.push_str("Fix:\n\n");
        }
        sql_block(out, sql);
    }
}

/// A figure or a short word, for the evidence line (longer texts and lists go below it).
fn is_short(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(text) => text.chars().count() <= 60,
        serde_json::Value::Array(list) => list.iter().all(|v| !v.is_string()) && list.len() <= 8,
        serde_json::Value::Object(_) => false,
        _ => true,
    }
}

/// A fenced SQL block no backtick run inside can close early.
fn sql_block(out: &mut String, sql: &str) {
    let fence = "`".repeat(longest_run(sql, '`').max(2) + 1);
    let _ = writeln!(out, "{fence}sql\n{}\n{fence}\n", sql.trim_end());
}

/// `public.orders`, index `orders_dup` — or, for findings about no relation, the setting,
/// the session (`pid 4242`, `root pid 4242`) or the database.
fn object(finding: &Finding) -> String {
    if finding.table.is_none() {
        let evidence = |key: &str| finding.evidence.get(key).filter(|v| !v.is_null());
        if let Some(serde_json::Value::String(name)) = evidence("setting") {
            return code(name);
        }
        if let Some(pid) = evidence("root_pid") {
            return format!("root pid {pid}");
        }
        if let Some(pid) = evidence("pid") {
            return format!("pid {pid}");
        }
        if let Some(serde_json::Value::String(name)) = evidence("database")
            && finding.database.is_none()
        {
            return code(name);
        }
    }
    let table = match (&finding.schema, &finding.table) {
        (Some(schema), Some(table)) => Some(format!("{schema}.{table}")),
        (None, Some(table)) => Some(table.clone()),
        _ => None,
    };
    let mut parts = Vec::new();
    if let Some(table) = table {
        parts.push(code(&table));
    }
    if let Some(index) = &finding.index {
        parts.push(format!("index {}", code(index)));
    }
    parts.join(" ")
}

/// An evidence value by what its key says it is: times since the epoch as UTC times, bytes
/// and bytes per second in units, seconds as ages, a chain of pids with arrows; else as
/// [`evidence_value`] writes it.
fn shown(key: &str, value: &serde_json::Value) -> String {
    use crate::ui::format;
    if let serde_json::Value::Array(list) = value
        && key == "chain"
    {
        let pids: Vec<String> = list.iter().map(evidence_value).collect();
        return pids.join(" → ");
    }
    let Some(n) = value.as_f64() else {
        return evidence_value(value);
    };
    if key.starts_with("last_") && n > 0.0 {
        let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs_f64(n);
        return humantime::format_rfc3339_seconds(at).to_string();
    }
    if key.ends_with("_bytes_per_sec") {
        return format::bytes_per_sec(n);
    }
    if key.ends_with("_bytes") {
        return format::bytes(n);
    }
    if key.ends_with("_seconds") {
        return format::age(n);
    }
    evidence_value(value)
}

/// A JSON evidence value as a reader wants it: numbers without float noise, strings bare.
fn evidence_value(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => one_line(s),
        serde_json::Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            (None, Some(f)) => format!("{f:.2}"),
            _ => n.to_string(),
        },
        other => one_line(&other.to_string()),
    }
}

/// `text` as an inline code span that no backtick inside can end early.
fn code(text: &str) -> String {
    let text = one_line(text);
    let fence = "`".repeat(longest_run(&text, '`') + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

fn longest_run(text: &str, c: char) -> usize {
    let mut longest = 0;
    let mut run = 0;
    for ch in text.chars() {
        run = if ch == c { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

/// Prose from the server (summaries, reasons) with the characters that would make markdown
/// out of it escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in one_line(text).chars() {
        if matches!(c, '\\' | '*' | '`' | '<' | '>' | '[' | ']' | '|' | '#') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Kind;

    #[test]
    fn hostile_names_stay_inside_their_code_spans() {
        assert_eq!(code("orders"), "`orders`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(escape("1 * 2 <b>|# x"), "1 \\* 2 \\<b\\>\\|\\# x");
        assert_eq!(escape("two\nlines"), "two lines");
    }

    #[test]
    fn a_finding_reads_with_its_object_evidence_and_sql() {
        let mut finding = Finding::new(Kind::DuplicateIndex, Severity::Warning, "same as x")
            .with("size_bytes", 8192)
            .with("ratio", 0.123_456)
            .with("last_analyze", 1_795_386_124.54)
            .with("temp_bytes_per_sec", 1_873_387.0)
            .with("chain", vec![1, 2, 3]);
        finding.database = Some("shop".to_owned());
        finding.schema = Some("public".to_owned());
        finding.table = Some("Order \"Book\"".to_owned());
        finding.index = Some("dup".to_owned());
        finding.sql = Some("DROP INDEX CONCURRENTLY \"public\".\"dup\";".to_owned());
        let mut out = String::new();
        write_finding(&mut out, &finding);
        assert_eq!(
            out,
            "### WARNING · duplicate_index · `public.Order \"Book\"` index `dup` · db `shop`\n\n\
             same as x\n\n\
             Evidence: chain `1 → 2 → 3` · last_analyze `2026-11-22T22:22:04Z` · ratio `0.12` · \
             size_bytes `8.0 KiB` · temp_bytes_per_sec `1.8 MiB/s`\n\n\
             ```sql\nDROP INDEX CONCURRENTLY \"public\".\"dup\";\n```\n\n"
        );
    }
}
