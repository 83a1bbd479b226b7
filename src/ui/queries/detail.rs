//! The detail view of one statement (Enter): the whole statement laid out by the parser and
//! highlighted with syntect, every figure over the scope, and its lints.
//!
//! ```text
//!  ╭ shop / app · queryid 4242 · last interval 2.0s ─────────────────────── j/k scroll ╮
//!  │ SELECT name, tier                                                                  │
//!  │ FROM users                                                                         │
//!  │ WHERE id = $1                                                                      │
//!  ╰────────────────────────────────────────────────────────────────────────────────────╯
//!  ╭ Figures ───────────────────────────────────────────────────────────────────────────╮
//!  │ calls        2,468 (1,234/s)             rows         2,468 (1.0 per call)          │
//!  │ time         820ms (410ms/s) · 41.2% …   shared       12,345 hit · 10 read (99.9%)  │
//!  ╰────────────────────────────────────────────────────────────────────────────────────╯
//!  ╭ Lints ─────────────────────────────────────────────────────────────────────────────╮
//!  │ WARN N+1 suspect: 2,468 calls of a one-row lookup (1.0 row per call), 120x the …    │
//!  ╰────────────────────────────────────────────────────────────────────────────────────╯
//! ```

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::queries::QueriesState;
use crate::diagnose::queries::{QueriesFigures, QueryRow};
use crate::ui::format;
use crate::ui::panel;
use crate::ui::queries::{lint, scope_words};
use crate::ui::sql_view;
use crate::ui::theme::Theme;

/// From this inner width the figures stand in two columns.
const TWO_COLUMNS: u16 = 100;
/// Width of a figure's label.
const LABEL: usize = 13;

/// The statement box's title: where it runs and which entry it is.
#[must_use]
pub fn title(r: &QueryRow) -> String {
    let who = r
        .text
        .as_ref()
        .map(|t| format!("{} / {} · ", t.text.database, t.text.role))
        .unwrap_or_default();
    let nested = if r.toplevel() {
        ""
    } else {
        " · inside a function"
    };
    format!(" {who}queryid {}{nested} ", r.key().queryid)
}

/// Draws the detail view of `r` over the whole pane.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    queries: &QueriesState,
    figures: &QueriesFigures,
    r: &QueryRow,
    theme: &Theme,
    stale: bool,
) {
    let facts = facts(r, figures);
    // Two columns only where every figure fits its half whole; else one, each figure wrapped
    // under its label rather than cut.
    let inner_width = usize::from(area.width.saturating_sub(4)).max(1);
    let half = inner_width.saturating_sub(1) / 2;
    let two = inner_width >= usize::from(TWO_COLUMNS)
        && facts
            .iter()
            .all(|(_, value)| LABEL + format::width(value) <= half);
    let fact_rows = if two {
        facts.len().div_ceil(2)
    } else {
        fact_lines(&facts, inner_width, theme).len()
    };
    let findings = lint::lines(r, usize::MAX, theme);
    // Each lint wraps inside the box rather than losing its numbers.
    let lint_rows: usize = findings
        .iter()
        .map(|l| l.width().div_ceil(inner_width).max(1))
        .sum();
    let [sql_area, figures_area, lints_area] = area.layout(&Layout::vertical([
        Constraint::Min(3),
        Constraint::Length(fact_rows as u16 + 2),
        Constraint::Length(lint_rows as u16 + 2),
    ]));

    let title = format!("{}· {} ", title(r), scope_words(figures));
    let block = panel::panel(title, theme, stale).title_bottom(
        Line::styled(" j/k scroll · Enter/Esc back · y copy ", theme.dim).right_aligned(),
    );
    let text = r.query();
    let shown = queries
        .detail
        .as_ref()
        .and_then(|d| d.formatted.as_deref())
        .unwrap_or(&text);
    let lines = sql_view::lines(shown, theme.text, theme);
    let scroll = queries
        .detail
        .as_ref()
        .map_or(0, |d| d.scroll)
        .min(lines.len().saturating_sub(1) as u16);
    let sql = Paragraph::new(lines)
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((scroll, 0));
    frame.render_widget(sql, sql_area);

    let block = panel::panel(" Figures ", theme, stale);
    let inner = block.inner(figures_area);
    frame.render_widget(block, figures_area);
    if two {
        let [left, right] = inner.layout(&Layout::horizontal([
            Constraint::Fill(1),
            Constraint::Fill(1),
        ]));
        let (first, second) = facts.split_at(fact_rows.min(facts.len()));
        frame.render_widget(Paragraph::new(fact_lines(first, half, theme)), left);
        frame.render_widget(Paragraph::new(fact_lines(second, half, theme)), right);
    } else {
        frame.render_widget(
            Paragraph::new(fact_lines(&facts, inner_width, theme)),
            inner,
        );
    }

    let block = panel::panel(" Lints ", theme, false);
    frame.render_widget(
        Paragraph::new(findings)
            .block(block)
            .wrap(Wrap { trim: true }),
        lints_area,
    );
}

/// The figures under their labels, each wrapped to `width` (at its ` · ` separators first,
/// then between words) with its continuation lines under the value.
fn fact_lines<'a>(facts: &[(&'static str, String)], width: usize, theme: &Theme) -> Vec<Line<'a>> {
    let room = width.saturating_sub(LABEL).max(12);
    facts
        .iter()
        .flat_map(|(label, value)| {
            format::wrap(value, room)
                .into_iter()
                .enumerate()
                .map(move |(i, piece)| {
                    let label = if i == 0 { *label } else { "" };
                    Line::from(vec![
                        Span::styled(format!("{label:<LABEL$}"), theme.dim),
                        Span::styled(piece, theme.value),
                    ])
                })
        })
        .collect()
}

/// Every figure of the statement over the scope, as (label, value), six lines.
fn facts(r: &QueryRow, figures: &QueriesFigures) -> Vec<(&'static str, String)> {
    if r.is_unknown() {
        return vec![(
            "this span",
            "new: it was evicted or reset meanwhile, so its figures over the span are unknown \
             (c: since it began)"
                .to_owned(),
        )];
    }
    let sample = &figures.latest;
    let seconds = figures.seconds.filter(|_| figures.scope.is_rate());
    let per_sec = |total: f64, text: &dyn Fn(f64) -> String| match seconds {
        Some(s) => format!("{} ({}/s)", text(total), text(total / s)),
        None => text(total),
    };
    let calls = match seconds {
        Some(s) => format!(
            "{} ({}/s)",
            format::count(r.calls),
            format::rate(r.calls as f64 / s)
        ),
        None => format::count(r.calls),
    };
    let rows = r.rows_per_call().map_or_else(
        || format::count(r.rows),
        |per| format!("{} ({} per call)", format::count(r.rows), per_call(per)),
    );
    let block = sample.settings.block_size as f64;
    let mut facts = vec![
        ("calls", format!("{calls} · rows {rows}")),
        (
            "time",
            format!(
                "{} · {:.1}% of all time",
                per_sec(r.total_ms, &format::millis),
                r.share_pct
            ),
        ),
        (
            "mean ± sd",
            match (r.mean_ms(), r.stddev_ms) {
                (Some(mean), Some(sd)) => {
                    format!("{} ± {}", format::millis(mean), format::millis(sd))
                }
                _ => "no call in this span".to_owned(),
            },
        ),
        ("min / max", min_max(r, sample.taken_at)),
        (
            "shared",
            format!(
                "{} hit · {} read{} · I/O {}",
                format::count(r.shared_blks_hit),
                format::count(r.shared_blks_read),
                r.hit_pct()
                    .map(|p| format!(" ({} hits)", format::percent(p)))
                    .unwrap_or_default(),
                if sample.settings.track_io_timing {
                    format!(
                        "read {} write {}",
                        format::millis(r.blk_read_ms),
                        format::millis(r.blk_write_ms)
                    )
                } else {
                    "not timed (track_io_timing off)".to_owned()
                }
            ),
        ),
        (
            "temp · WAL",
            format!(
                "{} · {}",
                per_sec(r.temp_blks_written as f64 * block, &format::bytes),
                r.wal_bytes.map_or_else(
                    || "no WAL figures before pg_stat_statements 1.8".to_owned(),
                    |w| per_sec(w, &format::bytes),
                )
            ),
        ),
    ];
    if r.is_new() {
        facts.push((
            "new",
            "first seen in this span: every call is in it".to_owned(),
        ));
    }
    facts
}

fn per_call(value: f64) -> String {
    if value < 100.0 {
        format!("{value:.1}")
    } else {
        format::count(value.round() as i64)
    }
}

/// min / max are all-time figures: pg_stat_statements keeps them since the entry (or, 1.11+,
/// its min/max) began, never per span.
fn min_max(r: &QueryRow, now: f64) -> String {
    let since = r.minmax_since.map_or_else(
        || "since the entry began".to_owned(),
        |at| format!("since {} ago", format::age(now - at)),
    );
    format!(
        "{} / {} · all-time, {since}; not kept per span",
        format::millis(r.min_ms),
        format::millis(r.max_ms)
    )
}
