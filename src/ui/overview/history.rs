//! The Overview's history: connections and transactions per second over the kept points, as
//! sparklines inside the boxes on small terminals and as charts when there is room. Both draw
//! time buckets aligned to the server's clock (see `diagnose::history`), so a refresh changes
//! only the newest column until the next bucket begins.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Chart, Dataset, GraphType, Sparkline, SparklineBar};

use crate::app::model::{HISTORY_LEN, HistoryPoint, Model};
use crate::diagnose::health::Level;
use crate::diagnose::history::{self, Aggregate};
use crate::ui::format;
use crate::ui::panel;
use crate::ui::theme::Theme;

/// A line of a chart: its points and style.
type Series = (Vec<(f64, f64)>, Style);

/// A time window of `span` seconds in buckets `width` seconds wide (`count` of them, the
/// newest holding the newest sample).
#[derive(Debug, Clone, Copy)]
struct Window {
    span: f64,
    width: f64,
    count: usize,
}

impl Window {
    /// The window holding the kept history, in at most `columns` buckets.
    fn new(model: &Model, columns: usize) -> Self {
        let refresh = model.refresh.as_secs_f64();
        let span = history::window_secs(history_secs(model), refresh, HISTORY_LEN);
        let width = history::bucket_width(refresh, span, columns.max(2));
        let count = (span / width).floor() as usize + 1;
        Self { span, width, count }
    }

    /// Seconds from the oldest bucket to the newest.
    fn span(self) -> f64 {
        self.span
    }

    fn buckets(
        self,
        model: &Model,
        value: impl Fn(&HistoryPoint) -> Option<f64>,
        aggregate: Aggregate,
    ) -> Vec<Option<f64>> {
        let points = model.overview.history.iter();
        history::buckets(points, value, self.width, self.count, aggregate)
    }

    /// Chart points: (seconds before the newest bucket, value), empty buckets left out.
    fn series(
        self,
        model: &Model,
        value: impl Fn(&HistoryPoint) -> Option<f64>,
        aggregate: Aggregate,
    ) -> Vec<(f64, f64)> {
        let newest = (self.count - 1) as f64;
        self.buckets(model, value, aggregate)
            .into_iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| ((i as f64 - newest) * self.width, v)))
            .collect()
    }

    /// Sparkline bars, one per bucket (`scale` turns a fractional value into bar height units).
    fn bars(
        self,
        model: &Model,
        value: impl Fn(&HistoryPoint) -> Option<f64>,
        aggregate: Aggregate,
        scale: f64,
    ) -> Vec<SparklineBar> {
        self.buckets(model, value, aggregate)
            .into_iter()
            .map(|v| SparklineBar::from(v.map(|v| (v.max(0.0) * scale).round() as u64)))
            .collect()
    }
}

/// Seconds between the oldest and the newest point kept.
fn history_secs(model: &Model) -> f64 {
    let h = &model.overview.history;
    match (h.front(), h.back()) {
        (Some(a), Some(b)) => (b.taken_at - a.taken_at).max(0.0),
        _ => 0.0,
    }
}

/// ` used · last 5m `: what a sparkline shows and over how long (it changes only in steps).
pub fn span_title<'a>(what: &str, model: &Model, width: u16, theme: &Theme) -> Line<'a> {
    let span = Window::new(model, usize::from(width)).span();
    Line::styled(format!(" {what} · last {} ", format::age(span)), theme.dim)
}

/// Connections in use (the peak of each bucket), scaled to the usable limit, newest at the right.
pub fn connections_sparkline(
    frame: &mut Frame,
    area: Rect,
    model: &Model,
    usable: i64,
    theme: &Theme,
) {
    let window = Window::new(model, usize::from(area.width));
    let bars = window.bars(
        model,
        |p| p.connections.map(|c| c as f64),
        Aggregate::Max,
        1.0,
    );
    let spark = Sparkline::default()
        .data(bars)
        .max(usable.max(1) as u64)
        .style(theme.chart_connections)
        .absent_value_symbol(" ");
    frame.render_widget(spark, area);
}

/// Transactions per second (the mean of each bucket), newest at the right.
pub fn tps_sparkline(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let window = Window::new(model, usize::from(area.width));
    let bars = window.bars(model, |p| p.tps, Aggregate::Mean, 10.0);
    let spark = Sparkline::default()
        .data(bars)
        .style(theme.chart_tps)
        .absent_value_symbol(" ");
    frame.render_widget(spark, area);
}

/// Columns of a chart's plot area: the box less its borders and the y-axis labels.
const CHART_CHROME: u16 = 8;

/// The two charts side by side: connections against the limit, and transactions per second.
pub fn charts(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let [left, right] = area.layout(&Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Fill(1),
    ]));
    let window = Window::new(model, usize::from(left.width.saturating_sub(CHART_CHROME)));
    let span = window.span();
    let stale = model.is_stale();
    let used = window.series(model, |p| p.connections.map(|c| c as f64), Aggregate::Max);
    let connections = model
        .overview
        .view
        .as_ref()
        .and_then(|v| v.connections.as_ref().ok());
    let (limits, title) = match connections {
        Some(c) => limit_lines(c.usable as f64, span, model, theme),
        None => (Vec::new(), " Connections ".to_owned()),
    };
    let top = connections.map_or(0.0, |c| c.max as f64).max(max_of(&used));
    let mut sets: Vec<Dataset> = limits
        .iter()
        .map(|(data, style)| line(data, *style, Marker::Dot))
        .collect();
    sets.push(line(&used, theme.chart_connections, Marker::Braille));
    frame.render_widget(chart(title, sets, span, top, theme, stale), left);

    let tps = window.series(model, |p| p.tps, Aggregate::Mean);
    let now = model.overview.history.back().and_then(|p| p.tps);
    let title = match now {
        Some(now) => format!(" Transactions per second · now {} ", format::rate(now)),
        None => " Transactions per second ".to_owned(),
    };
    let sets = vec![line(&tps, theme.chart_tps, Marker::Braille)];
    frame.render_widget(
        chart(title, sets, span, max_of(&tps) * 1.1, theme, stale),
        right,
    );
}

/// Dotted lines across the connections chart at the usable limit and the critical and warn
/// thresholds (top to bottom, as the title names them).
fn limit_lines(usable: f64, span: f64, model: &Model, theme: &Theme) -> (Vec<Series>, String) {
    let pct = model.thresholds.connections_pct;
    let flat = |y: f64| vec![(-span, y), (0.0, y)];
    let now = model.overview.history.back().and_then(|p| p.connections);
    let title = format!(
        " Connections{} · dotted: {usable:.0} usable, {:.0}%, {:.0}% ",
        now.map_or_else(String::new, |n| format!(" · now {}", format::count(n))),
        pct.critical,
        pct.warn,
    );
    let lines = vec![
        (flat(usable), theme.chart_limit),
        (
            flat(usable * pct.critical / 100.0),
            theme.level_fg(Level::Critical),
        ),
        (flat(usable * pct.warn / 100.0), theme.level_fg(Level::Warn)),
    ];
    (lines, title)
}

fn line(data: &[(f64, f64)], style: Style, marker: Marker) -> Dataset<'_> {
    Dataset::default()
        .marker(marker)
        .graph_type(GraphType::Line)
        .style(style)
        .data(data)
}

fn chart<'a>(
    title: String,
    sets: Vec<Dataset<'a>>,
    span: f64,
    top: f64,
    theme: &Theme,
    stale: bool,
) -> Chart<'a> {
    let top = format::nice_ceiling(top.max(1.0));
    let label = |text: String| Span::styled(text, theme.chart_axis);
    Chart::new(sets)
        .block(panel::panel(title, theme, stale))
        .x_axis(
            Axis::default()
                .bounds([-span, 0.0])
                .style(theme.chart_axis)
                .labels([
                    label(format!("-{}", format::age(span))),
                    label(format!("-{}", format::age(span / 2.0))),
                    label("now".to_owned()),
                ]),
        )
        .y_axis(
            Axis::default()
                .bounds([0.0, top])
                .style(theme.chart_axis)
                .labels([
                    label("0".to_owned()),
                    label(format::compact(top / 2.0)),
                    label(format::compact(top)),
                ]),
        )
        .legend_position(None)
}

fn max_of(points: &[(f64, f64)]) -> f64 {
    points.iter().map(|(_, y)| *y).fold(0.0, f64::max)
}
