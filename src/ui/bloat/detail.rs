//! The detail view of the selected table or index: every figure the pane has about it, the
//! estimate or why there is none, the exact measurement, and the autovacuum triggers in words.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::bloat::Selected;
use crate::app::model::Model;
use crate::diagnose::bloat::{Estimate, IndexExact, TableExact, Verdict};
use crate::diagnose::health::Level;
use crate::diagnose::maintenance::{Catalog, Exact, IndexRow, IndexView, TableRow, TableView};
use crate::diagnose::vacuum::{self, Trigger};
use crate::ui::format;
use crate::ui::theme::Theme;

/// Width of the label column.
const LABEL: usize = 11;

/// Draws the detail of the selected row into `area`.
pub fn render(frame: &mut Frame, area: Rect, model: &Model, catalog: &Catalog, theme: &Theme) {
    let lines = match model.bloat.selected() {
        None => vec![Line::styled("nothing selected", theme.dim)],
        Some(Selected::Table(t, v)) => table(model, catalog, t, v, theme),
        Some(Selected::Index(i, v, _)) => index(model, i, v, theme),
    };
    frame.render_widget(
        Paragraph::new(Text::from(lines)).wrap(Wrap { trim: false }),
        area,
    );
}

fn label<'a>(name: &str, theme: &Theme) -> Span<'a> {
    Span::styled(format!("{name:<LABEL$}"), theme.dim)
}

fn line<'a>(name: &str, text: String, theme: &Theme) -> Line<'a> {
    Line::from(vec![label(name, theme), Span::styled(text, theme.text)])
}

fn table<'a>(
    model: &Model,
    catalog: &Catalog,
    t: &TableRow,
    v: &TableView,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let c = &t.counters;
    let size = super::size_text(t.size);
    let kind = if t.matview {
        "materialized view"
    } else {
        "table"
    };
    let toast = t
        .toast_size
        .filter(|b| *b > 0)
        .map_or_else(String::new, |b| {
            format!(" (TOAST {})", format::bytes(b as f64))
        });
    let status = v.status.status;
    let mut lines = vec![
        Line::from(vec![
            Span::styled(
                crate::quote::shown_qualified(&t.schema, &t.name),
                theme.title,
            ),
            Span::styled(
                format!(
                    " · {kind} · {}{toast} · fillfactor {}",
                    size, t.inputs.fillfactor
                ),
                theme.dim,
            ),
        ]),
        Line::from(vec![
            label("status", theme),
            Span::styled(format!("{} ", status.word()), theme.level(status.level())),
            Span::styled(v.status.reason.clone(), theme.text),
        ]),
    ];
    lines.extend(freeze_holder(model, v, theme));
    lines.extend([
        estimate_line(&v.verdict, v.level, v.wasted, theme),
        exact_line(model.bloat.exact.get(&t.relid), theme),
        line(
            "tuples",
            format!(
                "live {} · dead {}{} · changed since ANALYZE {}{}",
                format::count(c.n_live_tup),
                format::count(c.n_dead_tup),
                v.dead_pct
                    .map_or_else(String::new, |p| format!(" ({p:.1}%)")),
                format::count(c.n_mod_since_analyze),
                c.n_ins_since_vacuum.map_or_else(String::new, |n| format!(
                    " · inserted since VACUUM {}",
                    format::count(n)
                )),
            ),
            theme,
        ),
    ]);
    lines.extend(triggers(catalog, t, v, theme));
    lines.push(line(
        "keys",
        "v VACUUM (ANALYZE) · a ANALYZE · F VACUUM FULL · x measure · Esc back".to_owned(),
        theme,
    ));
    lines
}

/// What keeps a table past its freeze max age from getting below it: the holder of the xmin
/// horizon whose age is already past the limit (relfrozenxid advances no further).
fn freeze_holder<'a>(model: &Model, v: &TableView, theme: &Theme) -> Option<Line<'a>> {
    let database = model.server.as_ref().map_or("", |s| s.database.as_str());
    let holders = model.bloat.horizon.as_ref()?.as_ref().ok()?;
    let h = holders
        .iter()
        .find(|h| h.holds(database) && h.blocks_freeze(&v.triggers))?;
    Some(Line::from(vec![
        label("held by", theme),
        Span::styled(
            format!(
                "{} {} ({} xids old): no VACUUM can freeze it below the limit until it ends \
                 (3 Activity to end a session)",
                h.kind,
                h.name,
                format::compact(h.xmin_age.unwrap_or(0) as f64)
            ),
            theme.level(Level::Critical),
        ),
    ]))
}

/// When autovacuum will act, the freeze ages, the last maintenance.
fn triggers<'a>(catalog: &Catalog, t: &TableRow, v: &TableView, theme: &Theme) -> Vec<Line<'a>> {
    let c = &t.counters;
    let tr = &v.triggers;
    let mut lines = vec![line("vacuum", trigger(tr.vacuum, "dead tuples"), theme)];
    if let Some(insert) = tr.insert {
        lines.push(line("insert", trigger(insert, "inserts"), theme));
    }
    lines.push(line("analyze", trigger(tr.analyze, "changed rows"), theme));
    if let Some(freeze) = tr.freeze {
        let age = freeze.value as i64;
        let to_forced = if freeze.fired() {
            "anti-wraparound vacuum due now".to_owned()
        } else {
            format!(
                "anti-wraparound vacuum in {} xids",
                format::compact(freeze.remaining())
            )
        };
        lines.push(line(
            "freeze",
            format!(
                "xid age {} of {}: {to_forced} · {} xids to wraparound",
                format::compact(freeze.value),
                format::compact(freeze.threshold),
                format::compact(vacuum::wraparound_headroom(age) as f64)
            ),
            theme,
        ));
    }
    if let Some(m) = tr.multixact {
        lines.push(line(
            "multixact",
            format!(
                "age {} of {}",
                format::compact(m.value),
                format::compact(m.threshold)
            ),
            theme,
        ));
    }
    let since = |at: Option<f64>| {
        at.map_or_else(
            || "never".to_owned(),
            |at| format!("{} ago", format::age(catalog.server_now - at)),
        )
    };
    lines.push(line(
        "last",
        format!(
            "vacuum {} · autovacuum {} · analyze {} · autoanalyze {}",
            since(c.last_vacuum),
            since(c.last_autovacuum),
            since(c.last_analyze),
            since(c.last_autoanalyze)
        ),
        theme,
    ));
    if !tr.effective.active {
        let why = if tr.effective.table_disabled {
            "autovacuum_enabled = off on this table"
        } else {
            "autovacuum or track_counts is off on the server"
        };
        lines.push(Line::from(vec![
            label("autovacuum", theme),
            Span::styled(
                format!("off ({why}): only anti-wraparound vacuums run"),
                theme.level(Level::Warn),
            ),
        ]));
    }
    lines
}

fn index<'a>(model: &Model, i: &IndexRow, v: &IndexView, theme: &Theme) -> Vec<Line<'a>> {
    let size = super::size_text(i.size);
    let kind = if i.primary {
        "primary key"
    } else if i.unique {
        "unique"
    } else {
        "index"
    };
    let dead = if i.inputs.dead_entries >= 1.0 {
        format!(
            " (+ {} of dead tuples VACUUM has not removed yet)",
            format::count(i.inputs.dead_entries.round() as i64)
        )
    } else {
        String::new()
    };
    vec![
        Line::from(vec![
            Span::styled(
                crate::quote::shown_qualified(&i.schema, &i.name),
                theme.title,
            ),
            Span::styled(
                format!(
                    " · {} {kind} on {} · {} · fillfactor {}",
                    i.inputs.access_method,
                    crate::quote::shown_qualified(&i.schema, &i.table),
                    size,
                    i.inputs.fillfactor
                ),
                theme.dim,
            ),
        ]),
        estimate_line(&v.verdict, v.level, v.wasted, theme),
        exact_line(model.bloat.exact.get(&i.indexrelid), theme),
        line(
            "entries",
            format!(
                "{}{dead}",
                format::count(i.inputs.reltuples.max(0.0).round() as i64)
            ),
            theme,
        ),
        line(
            "keys",
            "r REINDEX CONCURRENTLY · x measure · v a F act on the table · Esc back".to_owned(),
            theme,
        ),
    ]
}

/// `48% WARN · 590 MiB reclaimable · 12,000 of 23,000 pages needed · tuple ≈ 68 B`, or why not.
fn estimate_line<'a>(
    verdict: &Verdict,
    level: Level,
    wasted: Option<f64>,
    theme: &Theme,
) -> Line<'a> {
    let mut spans = vec![label("estimate", theme)];
    match verdict {
        Ok(e) => {
            spans.push(Span::styled(format!("{:.0}% ", e.wasted_pct), theme.value));
            spans.push(Span::styled(level.word(), theme.level(level)));
            spans.push(Span::styled(
                format!(
                    " · {} reclaimable · {} of {} pages needed{}",
                    wasted.map_or_else(|| "size locked, ? bytes".to_owned(), format::bytes),
                    format::count(e.expected_pages as i64),
                    format::count(e.actual_pages as i64),
                    tuple_size(e)
                ),
                theme.text,
            ));
        }
        Err(why) => spans.push(Span::styled(why.explain(), theme.unknown)),
    }
    Line::from(spans)
}

fn tuple_size(e: &Estimate) -> String {
    let mut text = if e.tuple_bytes > 0.0 {
        format!(" · entry ≈ {:.0} B", e.tuple_bytes)
    } else {
        String::new()
    };
    if e.from_live_counts {
        text.push_str(
            " · from the size and live rows now: many rows changed since the last ANALYZE, \
             whose row widths it assumes",
        );
    }
    text
}

fn exact_line<'a>(exact: Option<&Exact>, theme: &Theme) -> Line<'a> {
    let mut spans = vec![label("exact", theme)];
    match exact {
        None => spans.push(Span::styled(
            "x measures it (pgstattuple / pgstatindex read the whole relation)",
            theme.dim,
        )),
        Some(Exact::Running) => spans.push(Span::styled("measuring…", theme.dim)),
        Some(Exact::Failed(why)) => spans.push(Span::styled(why.clone(), theme.level(Level::Warn))),
        Some(Exact::Table(raw, e)) => {
            spans.push(Span::styled(format!("{:.0}% ", e.wasted_pct), theme.value));
            spans.push(Span::styled(table_raw(raw), theme.text));
        }
        Some(Exact::Index(raw, e)) => {
            spans.push(Span::styled(format!("{:.0}% ", e.wasted_pct), theme.value));
            spans.push(Span::styled(index_raw(raw), theme.text));
        }
    }
    Line::from(spans)
}

fn table_raw(raw: &TableExact) -> String {
    let len = raw.table_len.max(1.0);
    let how = if raw.approximate {
        "pgstattuple_approx"
    } else {
        "pgstattuple"
    };
    format!(
        "({how}: {} live, dead {:.1}%, free {:.1}%)",
        format::count(raw.tuple_count as i64),
        100.0 * raw.dead_tuple_len / len,
        100.0 * raw.free_space / len
    )
}

fn index_raw(raw: &IndexExact) -> String {
    format!(
        "(pgstatindex: leaf density {:.1}%, {} leaf, {} empty, {} deleted pages)",
        raw.avg_leaf_density,
        format::count(raw.leaf_pages as i64),
        format::count(raw.empty_pages as i64),
        format::count(raw.deleted_pages as i64)
    )
}

/// `after 205 more dead tuples (threshold 2,050; at 90%)`, or `due: 4,101 past 2,050`.
fn trigger(t: Trigger, what: &str) -> String {
    let pct = 100.0 * t.ratio();
    if t.fired() {
        format!(
            "due: {} {what}, past the threshold {} ({pct:.0}%)",
            format::count(t.value as i64),
            format::count(t.threshold as i64)
        )
    } else {
        format!(
            "after {} more {what} (threshold {}; at {pct:.0}%)",
            format::count(t.remaining().ceil() as i64),
            format::count(t.threshold as i64)
        )
    }
}
