//! Lints in words: a short tag for the table, one line of why (with the numbers) for the
//! statement's box and its detail view.

use ratatui::text::{Line, Span};

use crate::diagnose::health::Level;
use crate::diagnose::lints::Lint;
use crate::diagnose::queries::QueryRow;
use crate::snapshot::queries::StatementKind;
use crate::ui::format;
use crate::ui::theme::Theme;

/// Lints are advice: each one is worth a look.
const LEVEL: Level = Level::Warn;

/// The table cell: `new` for a statement that appeared in the span, then the first lint's tag
/// and how many more there are (`TEMP+1`).
#[must_use]
pub fn tags<'a>(r: &QueryRow, theme: &Theme) -> Line<'a> {
    let mut spans = Vec::new();
    if r.is_new() {
        spans.push(Span::styled("new", theme.new_statement));
    }
    if let Some(first) = r.lints.first() {
        if !spans.is_empty() {
            spans.push(Span::raw(" "));
        }
        let more = r.lints.len() - 1;
        let tag = if more > 0 {
            format!("{}+{more}", first.tag())
        } else {
            first.tag().to_owned()
        };
        spans.push(Span::styled(tag, theme.level_fg(LEVEL)));
    }
    Line::from(spans)
}

/// One line per lint: its level word, then why; a statement without lints says so.
#[must_use]
pub fn lines<'a>(r: &QueryRow, width: usize, theme: &Theme) -> Vec<Line<'a>> {
    if r.text.is_none() {
        return vec![Line::styled(
            "the text of this statement is not known yet: no lints",
            theme.dim,
        )];
    }
    if r.lints.is_empty() {
        let note = match &r.text {
            Some(t) if t.shape.parse_error.is_some() => {
                "no lint (the text does not parse: checked with the scanner only)"
            }
            _ => "no lint",
        };
        return vec![Line::from(vec![
            Span::styled("ok ", theme.level_fg(Level::Ok)),
            Span::styled(note, theme.dim),
        ])];
    }
    r.lints
        .iter()
        .map(|lint| {
            let why = format::truncate(&why(lint), width.saturating_sub(5)).into_owned();
            Line::from(vec![
                Span::styled(format!("{} ", LEVEL.word()), theme.level(LEVEL)),
                Span::styled(why, theme.text),
            ])
        })
        .collect()
}

/// Why the lint fired, in one line with its numbers.
#[must_use]
pub fn why(lint: &Lint) -> String {
    match *lint {
        Lint::SelectStar { rows_per_call } => {
            let rows = rows_per_call
                .map(|r| format!(" ({} rows per call)", per_call(r)))
                .unwrap_or_default();
            format!("SELECT * reads every column{rows}: name the columns the caller uses")
        }
        Lint::NoLimit { rows_per_call } => format!(
            "no LIMIT and {} rows per call: page it (LIMIT, keyset) or aggregate in SQL",
            per_call(rows_per_call)
        ),
        Lint::NPlusOne {
            calls,
            rows_per_call,
            times_median,
        } => format!(
            "N+1 suspect: {} calls so far of a one-row lookup ({} row per call), {:.0}x the \
             median statement of its database: fetch them in one query (= ANY($1), a JOIN)",
            format::count(calls),
            per_call(rows_per_call),
            times_median
        ),
        Lint::SingleRowLoop {
            kind,
            calls,
            times_median,
        } => {
            let what = match kind {
                StatementKind::Insert => "INSERT",
                StatementKind::Update => "UPDATE",
                StatementKind::Delete => "DELETE",
                _ => "write",
            };
            format!(
                "single-row {what} in a loop: {} calls so far, {:.0}x the median statement of \
                 its database: batch them (multi-row VALUES, COPY, = ANY($1))",
                format::count(calls),
                times_median
            )
        }
        Lint::TempSpill {
            bytes_per_call,
            work_mem_bytes,
        } => {
            let work_mem = work_mem_bytes
                .map(|w| format!(" ({})", format::bytes(w as f64)))
                .unwrap_or_default();
            format!(
                "temp spill: {} of temporary files per call: a sort or hash does not fit in \
                 work_mem{work_mem}",
                format::bytes(bytes_per_call)
            )
        }
        Lint::LowCacheHit {
            hit_pct,
            blocks_read,
        } => format!(
            "cache hit {}: {} blocks read from outside shared buffers (disk or the OS cache)",
            format::percent(hit_pct),
            format::count(blocks_read)
        ),
    }
}

fn per_call(value: f64) -> String {
    if value < 10.0 {
        format!("{value:.1}")
    } else {
        format::count(value.round() as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lint_says_why_with_its_numbers() {
        assert_eq!(
            why(&Lint::NPlusOne {
                calls: 48_210,
                rows_per_call: 1.0,
                times_median: 120.4
            }),
            "N+1 suspect: 48,210 calls so far of a one-row lookup (1.0 row per call), 120x the \
             median statement of its database: fetch them in one query (= ANY($1), a JOIN)"
        );
        assert_eq!(
            why(&Lint::TempSpill {
                bytes_per_call: 24.0 * 1024.0 * 1024.0,
                work_mem_bytes: Some(4 * 1024 * 1024)
            }),
            "temp spill: 24 MiB of temporary files per call: a sort or hash does not fit in \
             work_mem (4.0 MiB)"
        );
        assert!(
            why(&Lint::NoLimit {
                rows_per_call: 12_400.0
            })
            .contains("12,400 rows per call")
        );
        assert!(
            why(&Lint::SelectStar {
                rows_per_call: None
            })
            .starts_with("SELECT * reads")
        );
        assert!(
            why(&Lint::LowCacheHit {
                hit_pct: 71.34,
                blocks_read: 12_345
            })
            .starts_with("cache hit 71.3%: 12,345 blocks")
        );
        assert!(
            why(&Lint::SingleRowLoop {
                kind: StatementKind::Insert,
                calls: 9_000,
                times_median: 40.0
            })
            .starts_with("single-row INSERT in a loop: 9,000 calls so far, 40x")
        );
    }
}
