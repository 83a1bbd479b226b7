//! The bottom of the Bloat & vacuum pane: the vacuums running now (phase and progress bar)
//! beside what holds the xmin horizon back — the usual reason dead tuples stay.

use std::fmt::Write as _;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::Paragraph;

use crate::app::bloat::BloatState;
use crate::app::model::Model;
use crate::diagnose::health::Level;
use crate::diagnose::maintenance::{self, HorizonHolder, VacuumProgress};
use crate::ui::format;
use crate::ui::panel;
use crate::ui::theme::Theme;

/// Width of a progress bar.
const BAR: usize = 10;
/// At most this many lines in each box.
const MOST: usize = 6;

/// Rows the bottom boxes take in a body of `height` rows: their lines plus borders, at
/// least one line each, at most a third of the body.
#[must_use]
pub fn height(state: &BloatState, height: u16) -> u16 {
    let count = |part: Option<usize>| part.unwrap_or(1).clamp(1, MOST);
    let running = count(
        state
            .progress
            .as_ref()
            .and_then(|p| p.as_ref().ok())
            .map(Vec::len),
    );
    let holders = count(
        state
            .horizon
            .as_ref()
            .and_then(|h| h.as_ref().ok())
            .map(Vec::len),
    );
    let lines = running.max(holders) as u16 + 2;
    lines.min(height / 3).max(3.min(height))
}

/// Draws both boxes side by side into `area`.
pub fn render(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let [left, right] = area.layout(&Layout::horizontal([
        Constraint::Percentage(50),
        Constraint::Percentage(50),
    ]));
    let state = &model.bloat;
    let outdated = model.is_stale();
    let running = state.progress.as_ref().map(|p| p.as_ref().map(Vec::len));
    let title = match running {
        Some(Ok(n)) if n > 0 => format!(" Vacuum in progress · {n} "),
        _ => " Vacuum in progress ".to_owned(),
    };
    let block = panel::panel(title, theme, outdated);
    let inner = block.inner(left);
    frame.render_widget(block, left);
    let lines = match &state.progress {
        None => vec![Line::styled("…", theme.dim)],
        Some(Err(why)) => vec![Line::styled(why.clone(), theme.unknown)],
        Some(Ok(list)) if list.is_empty() => {
            vec![Line::styled("no VACUUM running on the server", theme.dim)]
        }
        Some(Ok(list)) => list
            .iter()
            .take(MOST)
            .map(|p| progress_line(p, inner.width, theme))
            .collect(),
    };
    frame.render_widget(Paragraph::new(Text::from(lines)), inner);

    let block = panel::panel(" xmin horizon ", theme, outdated);
    let inner = block.inner(right);
    frame.render_widget(block, right);
    let lines = match &state.horizon {
        None => vec![Line::styled("…", theme.dim)],
        Some(Err(why)) => vec![Line::styled(why.clone(), theme.unknown)],
        Some(Ok(list)) if list.is_empty() => vec![Line::styled(
            "nothing holds it back: VACUUM can remove every dead tuple",
            theme.level(Level::Ok),
        )],
        Some(Ok(list)) => list
            .iter()
            .take(MOST)
            .map(|h| holder_line(h, model, inner.width, theme))
            .collect(),
    };
    frame.render_widget(Paragraph::new(Text::from(lines)), inner);
}

/// ` 45% ███··· public.orders autovacuum · scanning heap · 2m03s`.
fn progress_line<'a>(p: &VacuumProgress, width: u16, theme: &Theme) -> Line<'a> {
    let who = if p.autovacuum {
        if p.wraparound {
            "autovacuum (wraparound)"
        } else {
            "autovacuum"
        }
    } else {
        p.command.as_str()
    };
    let relation = p
        .relation
        .clone()
        .unwrap_or_else(|| format!("{} (oid {})", p.database, p.relid));
    let mut spans = Vec::new();
    if let Some(fraction) = p.fraction() {
        let bar = if width < 60 { BAR / 2 } else { BAR };
        spans.push(Span::styled(
            format!("{:>3.0}% ", fraction * 100.0),
            theme.value,
        ));
        spans.extend(panel::gauge(fraction, (2.0, 2.0), Level::Ok, bar, theme));
        spans.push(Span::raw(" "));
    }
    spans.push(Span::styled(format!("{relation} "), theme.text));
    spans.push(Span::styled(format!("{who} · "), theme.dim));
    let mut tail = p.phase.clone();
    if p.index_passes > 0 && p.command == "vacuum" {
        let passes = if p.index_passes == 1 {
            "index pass"
        } else {
            "index passes"
        };
        let _ = write!(tail, " · {} {passes}", p.index_passes);
    }
    if let Some(secs) = p.running_secs {
        let _ = write!(tail, " · {}", format::age(secs));
    }
    if let (Some(kind), Some(event)) = (&p.wait_event_type, &p.wait_event)
        && kind != "Timeout"
    {
        let _ = write!(tail, " · waits on {kind}:{event}");
    }
    spans.push(Span::styled(tail, theme.text));
    fit(spans, width)
}

/// `WARN session 4242 · 1.2M xids · 12m · app idle in transaction: UPDATE …`; CRIT with the
/// tables it keeps past their freeze max age first.
fn holder_line<'a>(h: &HorizonHolder, model: &Model, width: u16, theme: &Theme) -> Line<'a> {
    let database = model.server.as_ref().map_or("", |s| s.database.as_str());
    let blocked = maintenance::freeze_blocked(h, database, &model.bloat.tables);
    let mut level = h.level(model.thresholds.transaction_age_secs);
    if !blocked.is_empty() {
        level = Level::Critical;
    }
    let mut spans = vec![
        Span::styled(format!("{:<4} ", level.word()), theme.level(level)),
        Span::styled(format!("{} {} ", h.kind, h.name), theme.text),
    ];
    if let Some(&first) = blocked.first() {
        let name = model.bloat.catalog.as_ref().map_or_else(String::new, |c| {
            let t = &c.tables[model.bloat.tables[first].row];
            crate::quote::shown_qualified(&t.schema, &t.name)
        });
        let more = if blocked.len() > 1 {
            format!(" +{}", blocked.len() - 1)
        } else {
            String::new()
        };
        spans.push(Span::styled(
            format!("keeps {name}{more} from freezing · "),
            theme.level(Level::Critical),
        ));
    }
    if let Some(age) = h.xmin_age {
        spans.push(Span::styled(
            format!("{} xids ", format::compact(age as f64)),
            theme.value,
        ));
    }
    if let Some(secs) = h.age_secs {
        spans.push(Span::styled(format!("{} ", format::age(secs)), theme.value));
    }
    spans.push(Span::styled(h.detail.replace('\n', " "), theme.dim));
    fit(spans, width)
}

/// Cuts the spans to `width` columns, ending with `…` when something was cut.
fn fit(spans: Vec<Span<'_>>, width: u16) -> Line<'_> {
    let mut left = usize::from(width);
    let mut out = Vec::new();
    for span in spans {
        let w = format::width(&span.content);
        if w <= left {
            left -= w;
            out.push(span);
            continue;
        }
        if left > 0 {
            let cut = format::truncate(&span.content, left).into_owned();
            out.push(Span::styled(cut, span.style));
        }
        break;
    }
    Line::from(out)
}
