//! The migration a review leaves: the statements decided "migration", in review order, each
//! preceded by its evidence and its rollback as comments. CONCURRENTLY statements cannot run
//! inside a transaction block, so the file has none: psql runs it statement by statement and
//! stops at the first error.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::review::{Decision, Review, evidence, plan_lines};

/// The migration file's text; `generated_at` is an RFC 3339 time.
#[must_use]
pub fn render(review: &Review, generated_at: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "-- pgmedic index review of database {} ({}), PostgreSQL {}, {generated_at}",
        comment(&review.database),
        comment(&review.target),
        comment(&review.server_version)
    );
    out.push_str(
        "-- Apply with: psql -X -v ON_ERROR_STOP=1 -f <this file> <database>\n\
         -- No transaction block: CREATE/DROP INDEX CONCURRENTLY cannot run inside one. A CREATE\n\
         -- that fails leaves an invalid index behind: drop it (its rollback) before a retry.\n\
         -- Each step carries its evidence and, commented out, the statement that undoes it.\n\
         -- No lock_timeout is set: a CONCURRENTLY statement waits for every transaction older\n\
         -- than it, and lock_timeout would cut those waits too (a build thrown away half done\n\
         -- because a session sat idle in a transaction). Its table lock (SHARE UPDATE EXCLUSIVE)\n\
         -- queues no reads nor writes behind it. Watch pg_stat_progress_create_index (pgmedic's\n\
         -- Jobs pane) for the pids it waits for; Ctrl-C in psql cancels the statement. A\n\
         -- lock_timeout set for the role or the database applies too: run with PGOPTIONS='-c\n\
         -- lock_timeout=0' where one is.\n\n",
    );
    out.push_str("\\set ON_ERROR_STOP on\n");
    let mut steps = 0;
    // What each statement's target got: its step, or "applied during the review".
    let mut done: HashMap<&str, String> = HashMap::new();
    for (i, item) in review.items.iter().enumerate() {
        let Ok(fix) = &item.fix else {
            continue;
        };
        let f = &item.finding;
        if matches!(
            item.decision,
            Some(Decision::Migration | Decision::ApplyNow)
        ) && let Some(earlier) = done.get(fix.target.as_str())
        {
            // One index can resolve two findings (a foreign key and a suggestion).
            let _ = writeln!(
                out,
                "\n-- (finding {}) {} on {}: resolved by {earlier}",
                i + 1,
                f.kind.word(),
                comment(&f.table_name())
            );
            continue;
        }
        match item.decision {
            Some(Decision::Migration) => {
                steps += 1;
                done.insert(&fix.target, format!("step {steps}"));
                let _ = writeln!(
                    out,
                    "\n-- {steps}. (finding {}) {} on {}: {}",
                    i + 1,
                    f.kind.word(),
                    comment(&f.table_name()),
                    comment(&fix.target)
                );
                for line in evidence(item, review.taken_at, review.stats)
                    .into_iter()
                    .chain(plan_lines(item.suggestion.as_ref()))
                {
                    let _ = writeln!(out, "--    {}", comment(&line));
                }
                if !item.note.is_empty() {
                    let _ = writeln!(out, "--    note: {}", comment(&item.note));
                }
                let _ = writeln!(out, "--    rollback: {};", comment(fix.rollback.trim()));
                let _ = writeln!(out, "{};", fix.apply.trim_end_matches(';'));
            }
            Some(Decision::ApplyNow) => {
                if item.outcome.as_deref().is_some_and(|o| o.starts_with("ok")) {
                    done.insert(
                        &fix.target,
                        format!("finding {}, applied during the review", i + 1),
                    );
                }
                let outcome = item.outcome.as_deref().unwrap_or("not run");
                let _ = writeln!(
                    out,
                    "\n-- (finding {}) applied during the review ({}): {};",
                    i + 1,
                    comment(outcome),
                    comment(&fix.apply)
                );
            }
            _ => {}
        }
    }
    if steps == 0 {
        out.push_str("\n-- Nothing was added to the migration.\n");
    }
    out
}

/// Text safe inside a `--` comment: one line. Every name and word that goes into a comment
/// passes here: a name with a line break would otherwise end the comment and put the rest of
/// the name in the file as SQL.
fn comment(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}
