//! The Connections box: usage against the usable limit with its level word, a gauge with the
//! 80 % / 90 % marks, the counts by state, and a chart of the last minutes with the states
//! stacked — each state drawn with its own symbol, so the chart reads without colour.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::activity::HISTORY_LEN;
use crate::app::model::Model;
use crate::diagnose::activity::ActivityView;
use crate::diagnose::activity::usage::{self, StateCounts};
use crate::diagnose::health::Level;
use crate::diagnose::history;
use crate::ui::format;
use crate::ui::panel::{self, Figures};
use crate::ui::theme::Theme;

/// Columns left of the chart for its scale.
const GUTTER: u16 = 5;

/// The symbol and style of each stacked state, bottom first (as `StateCounts::stacked`).
fn looks(theme: &Theme) -> [(&'static str, Style); 6] {
    [
        ("█", theme.chart_connections),
        ("▓", theme.level_fg(Level::Warn)),
        ("▒", theme.level_fg(Level::Critical)),
        ("▚", theme.value),
        ("░", theme.dim),
        ("·", theme.bar_empty),
    ]
}

/// Draws the Connections box.
pub fn usage_box(frame: &mut Frame, area: Rect, model: &Model, view: &ActivityView, theme: &Theme) {
    let block = panel::panel(" Connections ", theme, model.is_stale());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let usage = &view.usage;
    let figures = Figures::new(inner.width, 6, theme);
    let width = usize::from(inner.width);
    let mut lines = vec![
        figures.figure(
            "used",
            format!(
                "{} of {} ({})",
                usage.used,
                usage.usable,
                format::percent(usage.used_pct.value)
            ),
            usage.used_pct.level,
        ),
        Line::from(panel::gauge(
            usage.used_pct.value / 100.0,
            (0.8, 0.9),
            usage.used_pct.level,
            width,
            theme,
        )),
    ];
    lines.extend(legend(&usage.by_state, width, theme));
    lines.push(Line::from(vec![
        Span::styled("waiting for locks ", theme.dim),
        figures.value(
            usage.waiting.to_string(),
            if usage.waiting > 0 {
                Level::Warn
            } else {
                Level::Ok
            },
        ),
        Span::styled(format!(" · background {}", usage.background), theme.dim),
    ]));
    let used = lines.len() as u16;
    frame.render_widget(Paragraph::new(lines), inner);
    let chart = Rect {
        y: inner.y + used,
        height: inner.height.saturating_sub(used),
        ..inner
    };
    if chart.height >= 3 && chart.width > GUTTER + 4 {
        stacked(frame, chart, model, usage.usable, theme);
    }
}

/// `█ active 3  ▓ idle in tx 2  …`, wrapped to the box.
fn legend<'a>(counts: &StateCounts, width: usize, theme: &Theme) -> Vec<Line<'a>> {
    let names = [
        "active",
        "idle in tx",
        "aborted tx",
        "fastpath",
        "idle",
        "other",
    ];
    let mut lines = vec![Vec::new()];
    let mut used = 0;
    for (((_, n), name), (symbol, style)) in counts.stacked().iter().zip(names).zip(looks(theme)) {
        if *n == 0 && !matches!(name, "active" | "idle" | "idle in tx") {
            continue;
        }
        let text = format!("{name} {n}  ");
        let cell = 2 + format::width(&text);
        if used + cell > width && used > 0 {
            lines.push(Vec::new());
            used = 0;
        }
        used += cell;
        if let Some(line) = lines.last_mut() {
            line.push(Span::styled(symbol, style));
            line.push(Span::styled(format!(" {text}"), theme.text));
        }
    }
    lines.into_iter().map(Line::from).collect()
}

/// The history as stacked columns, the newest at the right; the scale on the left, the span
/// below, the usable limit as a dashed line when it is in range.
fn stacked(frame: &mut Frame, area: Rect, model: &Model, usable: i64, theme: &Theme) {
    let plot = Rect {
        x: area.x + GUTTER,
        width: area.width - GUTTER,
        height: area.height - 1,
        ..area
    };
    let points: Vec<usage::UsagePoint> = model.activity.history.iter().copied().collect();
    let refresh = model.refresh.as_secs_f64();
    let kept = match (points.first(), points.last()) {
        (Some(a), Some(b)) => b.taken_at - a.taken_at,
        _ => 0.0,
    };
    let span = history::window_secs(kept, refresh, HISTORY_LEN);
    let columns = usize::from(plot.width);
    let width = history::bucket_width(refresh, span, columns);
    let count = ((span / width).floor() as usize + 1).min(columns);
    let buckets = usage::buckets(&points, width, count);
    let peak = buckets
        .iter()
        .flatten()
        .map(StateCounts::total)
        .max()
        .unwrap_or(0);
    let top = format::nice_ceiling(peak.max(1) as f64);
    let rows = f64::from(plot.height);
    let looks = looks(theme);
    let buf = frame.buffer_mut();
    let limit_row = (usable as f64 <= top).then(|| (usable as f64 / top * rows).round() as u16);
    let left = plot.x + plot.width - count as u16;
    for (i, bucket) in buckets.iter().enumerate() {
        let x = left + i as u16;
        let mut filled = 0u16;
        if let Some(counts) = bucket {
            let mut sum = 0i64;
            for ((_, n), (symbol, style)) in counts.stacked().iter().zip(looks) {
                sum += n;
                let upto = ((sum as f64 / top * rows).round() as u16).min(plot.height);
                for h in filled..upto {
                    buf[(x, plot.y + plot.height - 1 - h)]
                        .set_symbol(symbol)
                        .set_style(style);
                }
                filled = filled.max(upto);
            }
        }
        if let Some(limit) = limit_row.filter(|l| *l > filled && *l <= plot.height) {
            buf[(x, plot.y + plot.height - limit)]
                .set_symbol("┄")
                .set_style(theme.chart_limit);
        }
    }
    let scale = Paragraph::new(vec![Line::styled(format::compact(top), theme.chart_axis)]);
    frame.render_widget(
        scale,
        Rect {
            width: GUTTER,
            height: 1,
            ..area
        },
    );
    let axis = Line::styled(
        format!("last {} · ┄ usable {usable}", format::age(span)),
        theme.chart_axis,
    )
    .right_aligned();
    frame.render_widget(
        Paragraph::new(axis),
        Rect {
            y: area.y + area.height - 1,
            height: 1,
            ..area
        },
    );
}
