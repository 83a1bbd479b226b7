//! The boxes around the sessions: who holds back the xmin horizon, the pools (client
//! connections grouped by application, user, client and database), and PgBouncer's pools
//! beside the server's sessions of the same database and user.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, HighlightSpacing, Paragraph, Row, Table, TableState};

use crate::app::activity::Section;
use crate::app::model::Model;
use crate::diagnose::activity::{ActivityView, HorizonHolder, HorizonKind, state_label};
use crate::diagnose::health::Level;
use crate::pgbouncer::{self, PoolLine};
use crate::ui::activity::title;
use crate::ui::format;
use crate::ui::panel::{self, Figures};
use crate::ui::theme::Theme;

// ─── xmin horizon ────────────────────────────────────────────────────────────────────────────

/// Draws the horizon box: its oldest holders, oldest first.
pub fn horizon_box(
    frame: &mut Frame,
    area: Rect,
    model: &Model,
    view: &ActivityView,
    theme: &Theme,
) {
    let block = panel::panel(
        " xmin horizon · held back by (age in xids) ",
        theme,
        model.is_stale(),
    );
    let inner = block.inner(area);
    let figures = Figures::new(inner.width, 0, theme);
    let mut lines: Vec<Line> = view
        .horizon
        .iter()
        .map(|h| {
            let mut spans = vec![Span::styled(
                format!("{:>5} ", format::compact(f64::from(h.age))),
                theme.value,
            )];
            spans.extend(holder_spans(h, theme));
            figures.line("", spans, Some(h.level))
        })
        .collect();
    if lines.is_empty() {
        lines.push(Line::styled(
            "nothing holds it: VACUUM can clean every dead row",
            theme.dim,
        ));
    }
    if let Some(snapshot) = &model.activity.snapshot {
        let errors = [
            snapshot.slots.as_ref().err(),
            snapshot.prepared.as_ref().err(),
        ];
        for why in errors.into_iter().flatten() {
            lines.push(Line::styled(why.clone(), theme.unknown));
        }
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// One line for the narrow layout: the oldest holder, if any.
pub fn horizon_line<'a>(
    _model: &Model,
    view: &ActivityView,
    width: u16,
    theme: &'a Theme,
) -> Option<Line<'a>> {
    let oldest = view.horizon.first()?;
    let mut spans = vec![Span::styled("xmin horizon: ", theme.dim)];
    spans.extend(holder_spans(oldest, theme));
    spans.push(Span::styled(
        format!(" · age {}", format::compact(f64::from(oldest.age))),
        theme.dim,
    ));
    Some(Figures::new(width, 0, theme).line("", spans, Some(oldest.level)))
}

/// `pid 2392 risk-engine idle in tx 40s`, `slot cdc INACTIVE logical · catalog_xmin`, …
fn holder_spans<'a>(holder: &HorizonHolder, theme: &Theme) -> Vec<Span<'a>> {
    match &holder.kind {
        HorizonKind::Session {
            pid,
            state,
            application,
            state_secs,
            kind,
            ..
        } => {
            let who = kind.clone().unwrap_or_else(|| application.clone());
            let age = state_secs.map_or_else(String::new, |s| format!(" {}", format::age(s)));
            vec![
                Span::styled(format!("pid {pid}"), theme.value),
                Span::styled(format!(" {who} {}{age}", state_label(state)), theme.text),
            ]
        }
        HorizonKind::Slot {
            name,
            slot_type,
            active,
            catalog,
        } => vec![
            Span::styled(format!("slot {name}"), theme.value),
            Span::styled(
                format!(
                    " {}{slot_type} · {}",
                    if *active { "" } else { "INACTIVE " },
                    if *catalog { "catalog_xmin" } else { "xmin" }
                ),
                theme.text,
            ),
        ],
        HorizonKind::Prepared {
            gid,
            owner,
            prepared_secs,
        } => vec![
            Span::styled(format!("prepared {gid:?}"), theme.value),
            Span::styled(
                format!(" by {owner}, {} ago", format::age(*prepared_secs)),
                theme.text,
            ),
        ],
    }
}

// ─── Pools ───────────────────────────────────────────────────────────────────────────────────

/// From this width the pools table gives app, user, client and database a column each.
const POOLS_WIDE: u16 = 110;

/// Draws the pools table.
pub fn pools_box(frame: &mut Frame, area: Rect, model: &Model, view: &ActivityView, theme: &Theme) {
    let focused = model.activity.section == Section::Pools;
    let text = format!(
        " Pools · {} by app, user, client, database ",
        view.pools.len()
    );
    let block = panel::panel(title(text, focused, theme), theme, model.is_stale());
    let wide = area.width >= POOLS_WIDE;
    let counts = [
        "conns", "active", "idle", "in tx", "waits", "tx idle", "longest", "",
    ];
    let count_widths = [5, 6, 5, 5, 5, 7, 7, 4].map(Constraint::Length);
    let (names, name_widths): (Vec<&str>, Vec<Constraint>) = if wide {
        (
            vec!["app", "user", "client", "db"],
            vec![
                Constraint::Fill(3),
                Constraint::Fill(2),
                Constraint::Fill(2),
                Constraint::Fill(2),
            ],
        )
    } else {
        (vec!["app user@db client"], vec![Constraint::Fill(1)])
    };
    let header = Row::new(names.into_iter().chain(counts)).style(theme.header);
    let widths: Vec<Constraint> = name_widths.into_iter().chain(count_widths).collect();
    let number = |n: i64, level: Level| {
        let style = if n > 0 && level >= Level::Warn {
            theme.level_fg(level)
        } else if n == 0 {
            theme.dim
        } else {
            theme.value
        };
        Cell::from(Line::styled(n.to_string(), style).right_aligned())
    };
    let age = |secs: Option<f64>| {
        Cell::from(Line::styled(format::age_opt(secs), theme.value).right_aligned())
    };
    let rows = view.pools.iter().map(|p| {
        let app = if p.key.application.is_empty() {
            "(no name)"
        } else {
            p.key.application.as_str()
        };
        let mut cells: Vec<Cell> = if wide {
            [app, &p.key.user, &p.key.client, &p.key.database]
                .into_iter()
                .map(|t| Cell::from(Span::styled(t.to_owned(), theme.text)))
                .collect()
        } else {
            let key = format!("{app} {}@{} {}", p.key.user, p.key.database, p.key.client);
            vec![Cell::from(Span::styled(key, theme.text))]
        };
        cells.extend([
            number(p.total(), Level::Ok),
            number(p.counts.active, Level::Ok),
            number(p.counts.idle, Level::Ok),
            number(
                p.counts.idle_in_transaction + p.counts.idle_in_transaction_aborted,
                Level::Warn,
            ),
            number(p.waiting, Level::Warn),
            age(p.oldest_idle_in_transaction),
            age(p.longest_query),
            Cell::from(Span::styled(level_word(p.level), theme.level(p.level))),
        ]);
        Row::new(cells)
    });
    let table = Table::new(rows, widths)
        .header(header)
        .block(block)
        .row_highlight_style(theme.selected)
        .highlight_symbol("▸ ")
        .highlight_spacing(HighlightSpacing::Always);
    let mut state =
        TableState::new().with_selected(focused.then_some(model.activity.pool_selected));
    frame.render_stateful_widget(table, area, &mut state);
}

/// The level word a table shows (nothing when ok, so the worrying rows stand out).
fn level_word(level: Level) -> &'static str {
    if level >= Level::Warn {
        level.word()
    } else {
        ""
    }
}

// ─── PgBouncer ───────────────────────────────────────────────────────────────────────────────

/// Draws PgBouncer's pools with the server's sessions of the same database and user.
pub fn pgbouncer_box(
    frame: &mut Frame,
    area: Rect,
    model: &Model,
    view: &ActivityView,
    theme: &Theme,
) {
    let _ = view;
    let block = panel::panel(" PgBouncer · SHOW POOLS ", theme, false);
    let snapshot = match &model.activity.pgbouncer.latest {
        None => {
            let text = "connecting to the admin console…";
            frame.render_widget(panel::reason(text, block, theme), area);
            return;
        }
        Some(Err(why)) => {
            frame.render_widget(panel::reason(why, block, theme), area);
            return;
        }
        Some(Ok(snapshot)) => snapshot,
    };
    let lines = pgbouncer::pool_lines(snapshot);
    let header = Row::new([
        "db", "user", "cl act", "cl wait", "maxwait", "sv act", "sv idle", "size", "server",
        "xact/s", "",
    ])
    .style(theme.header);
    let widths = [
        Constraint::Fill(2),
        Constraint::Fill(2),
        Constraint::Length(6),
        Constraint::Length(7),
        Constraint::Length(7),
        Constraint::Length(6),
        Constraint::Length(7),
        Constraint::Length(4),
        Constraint::Length(6),
        Constraint::Length(7),
        Constraint::Length(4),
    ];
    let rows = lines
        .iter()
        .map(|line| bouncer_row(line, model, snapshot, theme));
    let worst = lines
        .iter()
        .find_map(|l| l.why.as_ref().filter(|_| l.level >= Level::Warn));
    let block = match worst {
        Some(why) => block.title_bottom(Line::styled(format!(" {why} "), theme.level(Level::Warn))),
        None => block,
    };
    frame.render_widget(Table::new(rows, widths).header(header).block(block), area);
}

fn bouncer_row<'a>(
    line: &PoolLine,
    model: &Model,
    snapshot: &pgbouncer::PgBouncerSnapshot,
    theme: &Theme,
) -> Row<'a> {
    let p = &line.pool;
    let right = |text: String, style| Cell::from(Line::styled(text, style).right_aligned());
    let waiting = if p.cl_waiting > 0 {
        theme.level_fg(line.level)
    } else {
        theme.dim
    };
    let server = server_sessions(model, &p.database, &p.user);
    let xacts = snapshot
        .stats
        .iter()
        .find(|s| s.database == p.database)
        .and_then(|s| s.xacts_per_sec)
        .map_or_else(|| "-".to_owned(), format::rate);
    Row::new([
        Cell::from(Span::styled(p.database.clone(), theme.text)),
        Cell::from(Span::styled(p.user.clone(), theme.text)),
        right(p.cl_active.to_string(), theme.value),
        right(p.cl_waiting.to_string(), waiting),
        right(format::age(p.maxwait_secs), waiting),
        right(p.sv_active.to_string(), theme.value),
        right(p.sv_idle.to_string(), theme.value),
        right(
            line.pool_size
                .map_or_else(|| "-".to_owned(), |s| s.to_string()),
            theme.dim,
        ),
        right(server.to_string(), theme.value),
        right(xacts, theme.value),
        Cell::from(Span::styled(
            level_word(line.level),
            theme.level(line.level),
        )),
    ])
}

/// Sessions the server lists for `database` and `user` (what PgBouncer's servers look like
/// from the other side).
fn server_sessions(model: &Model, database: &str, user: &str) -> usize {
    model.activity.snapshot.as_ref().map_or(0, |s| {
        s.sessions
            .iter()
            .filter(|s| {
                s.is_client()
                    && s.database.as_deref() == Some(database)
                    && s.user.as_deref() == Some(user)
            })
            .count()
    })
}

/// One line for the narrow layout: the worst pool, or that all is well, or why unreadable.
pub fn pgbouncer_line<'a>(
    model: &Model,
    _view: &ActivityView,
    width: u16,
    theme: &'a Theme,
) -> Option<Line<'a>> {
    let state = &model.activity.pgbouncer;
    if !state.configured {
        return None;
    }
    let figures = Figures::new(width, 0, theme);
    let label = Span::styled("pgbouncer ", theme.dim);
    Some(match &state.latest {
        None => Line::from(vec![label, Span::styled("connecting…", theme.dim)]),
        Some(Err(why)) => figures.line(
            "",
            vec![label, Span::styled(why.clone(), theme.text)],
            Some(Level::Unknown),
        ),
        Some(Ok(snapshot)) => {
            let lines = pgbouncer::pool_lines(snapshot);
            let waiting: i64 = lines.iter().map(|l| l.pool.cl_waiting).sum();
            let level = lines.iter().map(|l| l.level).max().unwrap_or(Level::Ok);
            let text = match lines.first().filter(|l| l.level >= Level::Warn) {
                Some(worst) => format!(
                    "{}/{}: {}",
                    worst.pool.database,
                    worst.pool.user,
                    worst.why.clone().unwrap_or_default()
                ),
                None => format!("{} pools, {waiting} clients waiting", lines.len()),
            };
            figures.line("", vec![label, Span::styled(text, theme.text)], Some(level))
        }
    })
}
