//! The Overview's heaviest statements of the last interval, and the selected one's SQL.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Cell, HighlightSpacing, Paragraph, Row, Table, TableState, Wrap};

use crate::diagnose::overview::{Overview, TopQuery};
use crate::ui::format;
use crate::ui::panel;
use crate::ui::sql;
use crate::ui::theme::Theme;

/// Columns before the query: calls, total, mean, share of time, new marker, db/role.
const NUMBER_WIDTHS: [u16; 5] = [7, 7, 7, 6, 3];
/// The db/role column: narrow terminals, wide ones.
const WHO_WIDTH: (u16, u16) = (12, 24);
/// From this inner width the db/role column gets its wide size.
const WIDE_INNER: u16 = 150;

/// Draws the statements box: a table and, below it, the selected statement's SQL.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    view: &Overview,
    selected: usize,
    theme: &Theme,
    stale: bool,
) {
    let title = match (&view.top_queries, view.top_window_secs) {
        (Ok(_), Some(secs)) => format!(
            " Top statements · last {} · by total time ",
            format::age(secs)
        ),
        _ => " Top statements ".to_owned(),
    };
    let block = panel::panel(title, theme, stale);
    let top = match &view.top_queries {
        Ok(top) if top.is_empty() => {
            let why = "no statement ran in the window";
            return frame.render_widget(panel::reason(why, block, theme), area);
        }
        Ok(top) => top,
        Err(why) => return frame.render_widget(panel::reason(why, block, theme), area),
    };
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let rows = top.len() as u16 + 1;
    // As many statements as fit, keeping a line for the selected one's SQL; the table
    // scrolls to keep the selection visible.
    let [table_area, sql_area] = inner.layout(&Layout::vertical([
        Constraint::Max(rows),
        Constraint::Min(1),
    ]));
    let who_width = if inner.width >= WIDE_INNER {
        WHO_WIDTH.1
    } else {
        WHO_WIDTH.0
    };
    let mut table_state =
        TableState::new().with_selected(Some(selected.min(top.len().saturating_sub(1))));
    frame.render_stateful_widget(table(top, who_width, theme), table_area, &mut table_state);
    if let Some(query) = top.get(selected) {
        sql_preview(frame, sql_area, query, theme);
    }
}

fn table<'a>(top: &'a [TopQuery], who_width: u16, theme: &Theme) -> Table<'a> {
    let header = Row::new(
        ["calls", "total", "mean", "time", "", "db/role", "query"]
            .into_iter()
            .enumerate()
            .map(|(i, h)| {
                Cell::from(if i < 4 {
                    Line::from(h).right_aligned()
                } else {
                    Line::from(h)
                })
            }),
    )
    .style(theme.header);
    let mut widths: Vec<Constraint> = NUMBER_WIDTHS
        .iter()
        .map(|w| Constraint::Length(*w))
        .collect();
    widths.push(Constraint::Length(who_width));
    widths.push(Constraint::Fill(1));
    Table::new(top.iter().map(|q| row(q, who_width, theme)), widths)
        .header(header)
        .row_highlight_style(theme.selected)
        .highlight_symbol("▸ ")
        .highlight_spacing(HighlightSpacing::Always)
        .column_spacing(1)
}

fn row<'a>(q: &'a TopQuery, who_width: u16, theme: &Theme) -> Row<'a> {
    let number = |text: String| Cell::from(Line::styled(text, theme.value).right_aligned());
    let who = format!("{}/{}", q.database, q.role);
    let who = format::truncate(&who, usize::from(who_width)).into_owned();
    Row::new([
        number(format::count(q.calls)),
        number(format::millis(q.total_ms)),
        number(format::millis(q.mean_ms)),
        Cell::from(Line::styled(format!("{:.1}%", q.share_pct), theme.text).right_aligned()),
        Cell::from(if q.is_new {
            Span::styled("new", theme.new_statement)
        } else {
            Span::raw("")
        }),
        Cell::from(Span::styled(who, theme.dim)),
        Cell::from(Line::from(sql::spans(&q.query, theme.text, theme))),
    ])
}

/// The selected statement's SQL, wrapped over what is left of the box.
fn sql_preview(frame: &mut Frame, area: Rect, q: &TopQuery, theme: &Theme) {
    if area.is_empty() {
        return;
    }
    let mut spans = vec![Span::styled("▸ ", theme.dim)];
    spans.extend(sql::spans(&q.query, theme.text, theme));
    let text = Text::from(Line::from(spans));
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
}
