//! The markdown report of a review: the context the findings were judged in, a summary table,
//! then every finding with its evidence, its statements and the decision taken.

use std::fmt::Write as _;

use crate::review::{Decision, Review, evidence, plan_lines};
use crate::ui::format;

/// The report's text; `generated_at` is an RFC 3339 time, `migration` the migration's path.
#[must_use]
pub fn render(review: &Review, generated_at: &str, migration: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Index review of database `{}`\n", review.database);
    let stats = review.stats.short(review.taken_at);
    let _ = writeln!(
        out,
        "- server: {} (PostgreSQL {})\n- reviewed: {generated_at}\n- statistics: {stats}\n\
         - standbys streaming from it: {}\n- migration: `{migration}`\n",
        review.target, review.server_version, review.standbys
    );
    let _ = writeln!(
        out,
        "{} findings: {} applied now, {} in the migration, {} skipped, {} undecided.\n",
        review.items.len(),
        review.count(Decision::ApplyNow),
        review.count(Decision::Migration),
        review.count(Decision::Skip),
        review.items.iter().filter(|i| i.decision.is_none()).count()
    );
    out.push_str("| # | finding | table | object | size | decision |\n|---|---|---|---|---|---|\n");
    for (i, item) in review.items.iter().enumerate() {
        let f = &item.finding;
        let object = item
            .fix
            .as_ref()
            .map_or_else(|_| object_name(item), |fix| fix.target.clone());
        let _ = writeln!(
            out,
            "| {} | {} | `{}` | `{}` | {} | {} |",
            i + 1,
            f.kind.word(),
            cell(&f.table_name()),
            cell(&object),
            f.size_bytes
                .map_or_else(|| "?".to_owned(), |b| format::bytes(b as f64)),
            decision(item.decision)
        );
    }
    for (i, item) in review.items.iter().enumerate() {
        let f = &item.finding;
        let _ = writeln!(
            out,
            "\n## {}. {} — {} `{}`\n",
            i + 1,
            f.kind.word(),
            f.table_name(),
            object_name(item)
        );
        for line in evidence(item, review.taken_at, review.stats) {
            let _ = writeln!(out, "- {line}");
        }
        let plans = plan_lines(item.suggestion.as_ref());
        if !plans.is_empty() {
            // A name with a backquote cannot close the block early.
            let _ = writeln!(
                out,
                "\n```text\n{}\n```",
                plans.join("\n").replace('`', "'")
            );
        }
        match &item.fix {
            Ok(fix) => {
                let _ = writeln!(
                    out,
                    "\n```sql\n{};\n-- rollback:\n{};\n```",
                    fix.apply, fix.rollback
                );
            }
            Err(why) => {
                let _ = writeln!(out, "\nNo statement: {why}");
            }
        }
        let _ = writeln!(out, "\nDecision: **{}**", decision(item.decision));
        if let Some(outcome) = &item.outcome {
            let _ = writeln!(out, "\nOutcome: {outcome}");
        }
        if !item.note.is_empty() {
            let _ = writeln!(out, "\nNote: {}", item.note);
        }
    }
    out
}

fn decision(d: Option<Decision>) -> &'static str {
    d.map_or("undecided", Decision::word)
}

fn object_name(item: &crate::review::ReviewItem) -> String {
    let f = &item.finding;
    f.index
        .as_ref()
        .map(|i| i.name.clone())
        .or_else(|| f.foreign_key.as_ref().map(|k| k.name.clone()))
        .or_else(|| item.suggestion.as_ref().map(|s| s.name.clone()))
        .unwrap_or_default()
}

/// Text safe inside a markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '`'], " ")
}
