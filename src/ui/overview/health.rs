//! The Overview's figure boxes: connections, throughput, wraparound and replication.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::app::model::Model;
use crate::diagnose::health::{Level, Thresholds};
use crate::diagnose::overview::{
    Connections, Overview, Replication, Throughput, WraparoundFigures, XID_WRAP_LIMIT,
};
use crate::snapshot::Part;
use crate::ui::format;
use crate::ui::overview::{Shape, history};
use crate::ui::panel::{self, Figures};
use crate::ui::theme::Theme;

/// Label column of the connections box.
const CONN_LABEL: usize = 20;
/// Label column of the throughput and replication boxes.
const RATE_LABEL: usize = 11;
/// Label column of the wraparound figures.
const WRAP_LABEL: usize = 9;
/// Height of the throughput box when it shares a column (five figures).
const THROUGHPUT_HEIGHT: u16 = 7;
/// From this inner width a replica line also shows its state and client.
const ROOMY_LINE: usize = 44;

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
        let fig = Figures::new(block.inner(w).width, WRAP_LABEL, theme);
        boxed(
            frame,
            w,
            block,
            wraparound_lines(&view.wraparound, fig, Some(&model.thresholds)),
        );
        let block = panel::panel(replication_title(&view.replication), theme, stale);
        let inner = block.inner(r);
        let fig = Figures::new(inner.width, RATE_LABEL, theme);
        boxed(
            frame,
            r,
            block,
            replication_lines(&view.replication, fig, inner.height),
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
        let mut lines = wraparound_lines(
            &view.wraparound,
            Figures::new(width, WRAP_LABEL, theme),
            None,
        );
        lines.extend(replication_lines(
            &view.replication,
            Figures::new(width, RATE_LABEL, theme),
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
        block = block.title_bottom(history::span_title("used", model, theme));
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

// ─── Wraparound ─────────────────────────────────────────────────────────────────────────────

/// xid age and headroom, where the oldest database is, multixact age; with `gauge_limits`,
/// also a gauge of the xid space used with the warn and critical marks.
fn wraparound_lines<'a>(
    part: &'a Part<WraparoundFigures>,
    fig: Figures,
    gauge_limits: Option<&Thresholds>,
) -> Vec<Line<'a>> {
    let w = match part {
        Ok(w) => w,
        Err(why) => return vec![Line::styled(why.as_str(), fig.theme.unknown)],
    };
    let level = w.xid_age.level;
    let xid = vec![
        fig.value(format::compact(w.xid_age.value as f64), level),
        fig.dim(format!(" ({} left)", format::percent(w.xid_headroom_pct))),
    ];
    let mut lines = vec![fig.line("xid age", xid, Some(level))];
    if let Some(limits) = gauge_limits {
        let limit = XID_WRAP_LIMIT as f64;
        let marks = (limits.xid_age.warn / limit, limits.xid_age.critical / limit);
        let cells = fig.width.saturating_sub(WRAP_LABEL);
        let mut spans = vec![fig.dim(format!("{:<WRAP_LABEL$}", "used"))];
        spans.extend(panel::gauge(
            w.xid_age.value as f64 / limit,
            marks,
            level,
            cells,
            fig.theme,
        ));
        lines.push(Line::from(spans));
    }
    let (lead, room) = if fig.width >= ROOMY_LINE {
        ("oldest database ", 16)
    } else {
        ("in ", 3)
    };
    let forced = format!(
        " · forced vacuum at {}",
        format::compact(w.freeze_max_age as f64)
    );
    let db_room = fig.width.saturating_sub(room + forced.len()).max(4);
    lines.push(Line::from(vec![
        fig.dim(lead),
        fig.plain(format::truncate(&w.oldest_database, db_room).into_owned()),
        fig.dim(forced),
    ]));
    lines.push(fig.figure(
        "mxid age",
        format::compact(w.mxid_age.value as f64),
        w.mxid_age.level,
    ));
    lines
}

// ─── Replication ────────────────────────────────────────────────────────────────────────────

fn replication_title(part: &Part<Replication>) -> &'static str {
    match part {
        Ok(r) if r.is_standby => " Replication · this server is a standby ",
        _ => " Replication ",
    }
}

/// The replicas, worst first, at most `room` lines (the last says how many more there are);
/// on a standby, its own replay lag.
fn replication_lines<'a>(part: &'a Part<Replication>, fig: Figures, room: u16) -> Vec<Line<'a>> {
    let r = match part {
        Ok(r) => r,
        Err(why) => return vec![Line::styled(why.as_str(), fig.theme.unknown)],
    };
    if r.replicas.is_empty() {
        let what = if r.is_standby {
            "replay lag"
        } else {
            "standbys"
        };
        return vec![fig.line(what, vec![fig.dim("none")], Some(r.level))];
    }
    let mut replicas: Vec<_> = r.replicas.iter().collect();
    replicas.sort_by_key(|rep| std::cmp::Reverse(rep.level));
    let shown = replicas.len().min(usize::from(room.max(1)));
    let hidden = replicas.len() - shown;
    replicas
        .iter()
        .take(shown)
        .enumerate()
        .map(|(i, rep)| {
            let name = if r.is_standby {
                "replay lag"
            } else {
                rep.name.as_str()
            };
            let mut spans = vec![
                fig.value(format::age_opt(rep.lag_seconds), rep.level),
                fig.dim(" · "),
                fig.value(
                    rep.lag_bytes.map_or_else(|| "-".to_owned(), format::bytes),
                    rep.level,
                ),
            ];
            // The count of replicas not shown goes before state and client, which are cut first.
            if i + 1 == shown && hidden > 0 {
                let more = if fig.width >= ROOMY_LINE { " more" } else { "" };
                spans.push(fig.dim(format!(" +{hidden}{more}")));
            }
            if fig.width >= ROOMY_LINE {
                spans.push(fig.dim(format!("  {} {}", rep.state, rep.client)));
            }
            fig.line(
                &format::truncate(name, fig.label - 1),
                spans,
                Some(rep.level),
            )
        })
        .collect()
}
