//! The Overview's figure boxes: connections and throughput here; wraparound and replication
//! lines come from their own modules.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::app::model::Model;
use crate::diagnose::health::{Level, Thresholds};
use crate::diagnose::overview::{Connections, Overview, Throughput};
use crate::ui::format;
use crate::ui::overview::{Shape, history, replication, wraparound};
use crate::ui::panel::{self, Figures};
use crate::ui::theme::Theme;

/// Label column of the connections box.
const CONN_LABEL: usize = 20;
/// Label column of the throughput box.
const RATE_LABEL: usize = 11;
/// Height of the throughput box when it shares a column (five figures).
const THROUGHPUT_HEIGHT: u16 = 7;

/// Draws the figure boxes: four across when wide, else two columns.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    view: &Overview,
    model: &Model,
    theme: &Theme,
    shape: Shape,
) {
    let stale = model.is_stale();
    let sparklines = !shape.charts;
    if shape.wide {
        let [c, t, w, r] = area.layout(&Layout::horizontal([
            Constraint::Percentage(28),
            Constraint::Percentage(22),
            Constraint::Percentage(22),
            Constraint::Fill(1),
        ]));
        connections(frame, c, view, model, theme, sparklines);
        throughput(frame, t, view, model, theme, sparklines);
        let block = panel::panel(" Wraparound ", theme, stale);
        let fig = Figures::new(block.inner(w).width, wraparound::LABEL, theme);
        boxed(
            frame,
            w,
            block,
            wraparound::lines(&view.wraparound, fig, Some(&model.thresholds)),
        );
        let block = panel::panel(replication::title(&view.replication), theme, stale);
        let inner = block.inner(r);
        let fig = Figures::new(inner.width, replication::LABEL, theme);
        boxed(
            frame,
            r,
            block,
            replication::lines(&view.replication, fig, inner.height),
        );
    } else {
        let [left, right] = area.layout(&Layout::horizontal([
            Constraint::Percentage(55),
            Constraint::Fill(1),
        ]));
        let [t, wr] = right.layout(&Layout::vertical([
            Constraint::Length(THROUGHPUT_HEIGHT),
            Constraint::Fill(1),
        ]));
        connections(frame, left, view, model, theme, sparklines);
        throughput(frame, t, view, model, theme, sparklines);
        let block = panel::panel(" Wraparound · Replication ", theme, stale);
        let width = block.inner(wr).width;
        let mut lines = wraparound::lines(
            &view.wraparound,
            Figures::new(width, wraparound::LABEL, theme),
            None,
        );
        lines.extend(replication::lines(
            &view.replication,
            Figures::new(width, replication::LABEL, theme),
            1,
        ));
        boxed(frame, wr, block, lines);
    }
}

fn boxed(frame: &mut Frame, area: Rect, block: Block, lines: Vec<Line>) {
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
}

// ─── Connections ────────────────────────────────────────────────────────────────────────────

fn connections(
    frame: &mut Frame,
    area: Rect,
    view: &Overview,
    model: &Model,
    theme: &Theme,
    sparkline: bool,
) {
    let mut block = panel::panel(" Connections ", theme, model.is_stale());
    let c = match &view.connections {
        Ok(c) => c,
        Err(why) => return frame.render_widget(panel::reason(why, block, theme), area),
    };
    if sparkline {
        block = block.title_bottom(history::span_title(
            "used",
            model,
            area.width.saturating_sub(2),
            theme,
        ));
    }
    let pct = model.thresholds.connections_pct;
    let marks = format!(" ┊ {:.0}% · {:.0}% ", pct.warn, pct.critical);
    block = block.title_bottom(Line::styled(marks, theme.dim).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let fig = Figures::new(inner.width, CONN_LABEL, theme);
    let mut lines = vec![used_line(c, fig), gauge_line(c, fig, &model.thresholds)];
    lines.extend(state_lines(c, fig));
    let [text, spark] = inner.layout(&Layout::vertical([
        Constraint::Length(lines.len() as u16),
        Constraint::Fill(1),
    ]));
    frame.render_widget(Paragraph::new(lines), text);
    if sparkline {
        history::connections_sparkline(frame, spark, model, c.usable, theme);
    }
}

/// `95 of 95 usable · max 100        CRIT`
fn used_line<'a>(c: &Connections, fig: Figures) -> Line<'a> {
    let level = c.used_pct.level;
    let spans = vec![
        fig.value(format::count(c.used), level),
        fig.dim(" of "),
        fig.plain(format::count(c.usable)),
        fig.dim(format!(" usable · max {}", format::count(c.max))),
    ];
    Figures { label: 0, ..fig }.line("", spans, Some(level))
}

/// `████████████████┊··┊···   85.3%`: use against the usable limit, marks at warn and critical.
fn gauge_line<'a>(c: &Connections, fig: Figures, limits: &Thresholds) -> Line<'a> {
    let level = c.used_pct.level;
    let marks = (
        limits.connections_pct.warn / 100.0,
        limits.connections_pct.critical / 100.0,
    );
    let cells = fig.width.saturating_sub(7);
    let mut spans = panel::gauge(c.used_pct.value / 100.0, marks, level, cells, fig.theme);
    spans.push(fig.value(format!("{:>7}", format::percent(c.used_pct.value)), level));
    Line::from(spans)
}

/// Sessions by state, the sessions that hurt, and the background workers.
fn state_lines<'a>(c: &Connections, fig: Figures) -> Vec<Line<'a>> {
    let idle_tx = &c.idle_in_transaction;
    let mut in_tx = vec![fig.value(format::count(idle_tx.value), idle_tx.level)];
    if c.idle_in_transaction_aborted > 0 {
        in_tx.push(fig.dim(format!(" +{} aborted", c.idle_in_transaction_aborted)));
    }
    let locks = &c.waiting_on_locks;
    let mut waiting = vec![fig.value(format::count(locks.value), locks.level)];
    if let Some(longest) = c.longest_lock_wait {
        waiting.push(fig.dim(format!(" · longest {}", format::age(longest))));
    }
    let mut workers = vec![
        fig.dim("autovacuum "),
        fig.plain(format::count(c.autovacuum_workers)),
    ];
    if c.state_hidden > 0 {
        workers.push(fig.dim("   "));
        workers.push(fig.value(format::count(c.state_hidden), Level::Unknown));
        workers.push(fig.dim(if fig.width >= 56 {
            " hidden (the role lacks pg_read_all_stats)"
        } else {
            " hidden (no privilege)"
        }));
    }
    let oldest_idle = &c.oldest_idle_in_transaction;
    let oldest_tx = &c.oldest_transaction;
    vec![
        Line::from(vec![
            fig.dim("active "),
            fig.plain(format::count(c.active)),
            fig.dim("   idle "),
            fig.plain(format::count(c.idle)),
            fig.dim("   fastpath "),
            fig.plain(format::count(c.fastpath)),
        ]),
        fig.line("idle in transaction", in_tx, Some(idle_tx.level)),
        fig.figure(
            "oldest idle in tx",
            format::age_opt(oldest_idle.value),
            oldest_idle.level,
        ),
        fig.line("waiting on locks", waiting, Some(locks.level)),
        fig.figure(
            "oldest transaction",
            format::age_opt(oldest_tx.value),
            oldest_tx.level,
        ),
        Line::from(workers),
    ]
}

// ─── Throughput ─────────────────────────────────────────────────────────────────────────────

fn throughput(
    frame: &mut Frame,
    area: Rect,
    view: &Overview,
    model: &Model,
    theme: &Theme,
    sparkline: bool,
) {
    let title = match view.interval_secs {
        Some(secs) => format!(" Throughput · last {} ", format::age(secs)),
        None => " Throughput ".to_owned(),
    };
    let block = panel::panel(title, theme, model.is_stale());
    let t = match &view.throughput {
        Ok(t) => t,
        Err(why) => return frame.render_widget(panel::reason(why, block, theme), area),
    };
    let inner = block.inner(area);
    frame.render_widget(block, area);
    frame.render_widget(
        Paragraph::new(throughput_lines(
            t,
            Figures::new(inner.width, RATE_LABEL, theme),
        )),
        inner,
    );
    if sparkline {
        // Between the TPS figure and its level word.
        let from = (RATE_LABEL + format::width(&format::rate(t.tps.value)) + 1) as u16;
        let spark = Rect {
            x: inner.x + from.min(inner.width),
            width: inner.width.saturating_sub(from + 5),
            height: inner.height.min(1),
            ..inner
        };
        history::tps_sparkline(frame, spark, model, theme);
    }
}

fn throughput_lines<'a>(t: &Throughput, fig: Figures) -> Vec<Line<'a>> {
    let hit = &t.cache_hit_pct;
    let temp = &t.temp_bytes_per_sec;
    vec![
        fig.figure("TPS", format::rate(t.tps.value), t.tps.level),
        Line::from(vec![
            fig.dim("commit "),
            fig.plain(format::rate(t.commits_per_sec)),
            fig.dim("/s  rollback "),
            fig.plain(format::rate(t.rollbacks_per_sec)),
            fig.dim("/s"),
        ]),
        fig.figure(
            "cache hit",
            hit.value
                .map_or_else(|| "no reads".to_owned(), format::percent),
            hit.level,
        ),
        fig.figure("temp files", format::bytes_per_sec(temp.value), temp.level),
        fig.figure(
            "deadlocks",
            format::count(t.deadlocks.value),
            t.deadlocks.level,
        ),
    ]
}
