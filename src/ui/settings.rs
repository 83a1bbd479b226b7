//! The Settings pane: the settings the other panes depend on, grouped, each with its value,
//! source, a pending restart and its level as a word; the selected one's advice and SQL; the
//! checkpointer's figures as the evidence for checkpoint advice.
//!
//! ```text
//!  80x24                                        160x50
//!  ╭ Settings · 26 · 3 need attention ─────╮    ╭ Settings ──────────────────╮╭ Checkpoints ───╮
//!  │ setting         value  source  ⟳  lvl │    │ memory                     ││ timed/requested│
//!  │ memory                                │    │ ▸ shared_buffers 128MB …   │╰────────────────╯
//!  │ ▸ shared_buffers 128MB default    info│    │   …                        │╭ shared_buffers ╮
//!  ╰───────────────────────────────────────╯    │                            ││ about, advice, │
//!  ╭ shared_buffers ───────────────────────╮    │                            ││ SQL            │
//!  │ about · source · advice · SQL         │    ╰────────────────────────────╯╰────────────────╯
//!  ╰───────────────────────────────────────╯
//!  ╭ Checkpoints ──────────────────────────╮
//!  ╰───────────────────────────────────────╯
//! ```
//! Enter gives the selected setting the whole pane.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Cell, HighlightSpacing, Paragraph, Row, Table, TableState, Wrap};

use crate::app::model::Model;
use crate::diagnose::health::Level;
use crate::diagnose::settings::{Checkpoints, Group, SettingCheck, SettingsView};
use crate::report::Severity;
use crate::ui::format;
use crate::ui::panel::{self, Figures};
use crate::ui::sql;
use crate::ui::theme::Theme;

/// From this width the checkpoints and the detail stand right of the list.
const WIDE: u16 = 120;
/// Width of the right column when wide.
const SIDE: u16 = 56;
/// Height of the detail box under the list when narrow (it also holds the checkpoints'
/// figures when a checkpoint setting is selected).
const DETAIL_HEIGHT: u16 = 9;
/// Height of the checkpoints box when wide.
const CHECKPOINTS_HEIGHT: u16 = 8;

/// Draws the Settings pane into `area`.
pub fn render(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let pane = &model.settings;
    let stale = model.is_stale();
    let Some(view) = &pane.view else {
        let block = panel::panel(" Settings ", theme, stale);
        let why = "reading the settings… (pg_settings, the configuration files where this role \
                   may read them, and the checkpointer's counters)";
        frame.render_widget(panel::reason(why, block, theme), area);
        return;
    };
    if pane.detail
        && let Some(check) = pane.selected_check()
    {
        detail(frame, area, check, theme, stale);
        return;
    }
    let wide = area.width >= WIDE;
    let (list_area, detail_area) = if wide {
        let [list, side] = area.layout(&Layout::horizontal([
            Constraint::Fill(1),
            Constraint::Length(SIDE),
        ]));
        let [checkpoints_area, detail] = side.layout(&Layout::vertical([
            Constraint::Length(CHECKPOINTS_HEIGHT),
            Constraint::Fill(1),
        ]));
        checkpoints(frame, checkpoints_area, view, theme, stale);
        (list, detail)
    } else {
        let [list, detail] = area.layout(&Layout::vertical([
            Constraint::Fill(1),
            Constraint::Length(DETAIL_HEIGHT),
        ]));
        (list, detail)
    };
    list(frame, list_area, model, view, theme);
    match pane.selected_check() {
        // Narrow, the checkpoints' figures come with the checkpoint settings.
        Some(check) if !wide && check.group == Group::Checkpoints => {
            let [detail_area, checkpoints_area] = detail_area.layout(&Layout::horizontal([
                Constraint::Fill(1),
                Constraint::Fill(1),
            ]));
            detail(frame, detail_area, check, theme, stale);
            checkpoints(frame, checkpoints_area, view, theme, stale);
        }
        Some(check) => detail(frame, detail_area, check, theme, stale),
        None => {
            let block = panel::panel(" Setting ", theme, stale);
            let why = "no setting matches the filter (/ to change it, Esc in it to clear it)";
            frame.render_widget(panel::reason(why, block, theme), detail_area);
        }
    }
}

/// The level of a setting as a word and its style: ok, info, WARN, CRIT, or n/a when hidden.
fn level(check: &SettingCheck, theme: &Theme) -> (&'static str, Style) {
    match (&check.value, check.attention.as_ref().map(|a| a.severity)) {
        (_, Some(Severity::Critical)) => ("CRIT", theme.level(Level::Critical)),
        (_, Some(Severity::Warning)) => ("WARN", theme.level(Level::Warn)),
        (_, Some(Severity::Info)) => info(theme),
        (None, None) => ("n/a", theme.level(Level::Unknown)),
        (Some(_), None) => ("ok", theme.level(Level::Ok)),
    }
}

/// The word of advice and its style ([`Level`] has none: advice is not a judged figure).
fn info(theme: &Theme) -> (&'static str, Style) {
    ("info", theme.key)
}

/// `line` with `word` at the right edge of `width` columns.
fn with_word<'a>(mut line: Line<'a>, width: u16, word: &'a str, style: Style) -> Line<'a> {
    let pad = usize::from(width)
        .saturating_sub(line.width() + word.len())
        .max(1);
    line.spans.push(Span::raw(" ".repeat(pad)));
    line.spans.push(Span::styled(word, style));
    line
}

fn list(frame: &mut Frame, area: Rect, model: &Model, view: &SettingsView, theme: &Theme) {
    let state = &model.settings;
    let visible = state.visible();
    let mut title = format!(
        " Settings · {} · {} need attention ",
        visible.len(),
        state.attention_count()
    );
    if !state.filter.is_empty() {
        title = format!(" Settings · /{} · {} shown ", state.filter, visible.len());
    }
    let mut block = panel::panel(title, theme, model.is_stale());
    if view.files_unreadable.is_some() {
        block = block.title_bottom(
            Line::styled(" configuration files: superusers only ", theme.dim).right_aligned(),
        );
    }
    if let Err(why) = &view.settings {
        frame.render_widget(panel::reason(why, block, theme), area);
        return;
    }
    let mut rows = Vec::new();
    let mut selected_row = None;
    let mut group: Option<Group> = None;
    let selected = state.selected_check().map(|c| c.name);
    for check in &visible {
        if group != Some(check.group) {
            group = Some(check.group);
            rows.push(Row::new([Cell::from(Span::styled(
                check.group.title(),
                theme.title,
            ))]));
        }
        if Some(check.name) == selected {
            selected_row = Some(rows.len());
        }
        rows.push(row(check, value_width(area), theme));
    }
    let header = Row::new(["setting", "value", "source", "restart", "level"]).style(theme.header);
    let widths = [
        Constraint::Fill(1),
        Constraint::Length(value_width(area)),
        Constraint::Length(12),
        Constraint::Length(7),
        Constraint::Length(5),
    ];
    let table = Table::new(rows, widths)
        .header(header)
        .row_highlight_style(theme.selected)
        .highlight_symbol("▸ ")
        .highlight_spacing(HighlightSpacing::Always)
        .column_spacing(1)
        .block(block);
    let mut table_state = TableState::new().with_selected(selected_row);
    frame.render_stateful_widget(table, area, &mut table_state);
}

/// The setting column's width when the value column can have the rest: the longest name.
const NAME_WIDTH: u16 = 40;
/// The source, restart and level columns with the spaces between the five, plus the borders
/// and the highlight symbol.
const OTHER_COLUMNS: u16 = 12 + 7 + 5 + 4 + 2 + 2;

/// The value column: whatever the names leave (lists such as shared_preload_libraries are
/// long), at least 9 columns.
fn value_width(area: Rect) -> u16 {
    area.width.saturating_sub(OTHER_COLUMNS + NAME_WIDTH).max(9)
}

fn row<'a>(check: &SettingCheck, width: u16, theme: &Theme) -> Row<'a> {
    let (word, style) = level(check, theme);
    let value_style = match check.attention.as_ref().map(|a| a.severity) {
        Some(Severity::Warning) => theme.value.patch(theme.level_fg(Level::Warn)),
        Some(Severity::Critical) => theme.value.patch(theme.level_fg(Level::Critical)),
        _ if check.value.is_none() => theme.unknown,
        _ => theme.value,
    };
    Row::new([
        Cell::from(Span::styled(check.name, theme.text)),
        Cell::from(
            Line::styled(
                format::truncate(&check.shown(), usize::from(width)).into_owned(),
                value_style,
            )
            .right_aligned(),
        ),
        Cell::from(Span::styled(check.source.word().to_owned(), theme.dim)),
        Cell::from(Span::styled(
            if check.pending_restart {
                "pending"
            } else if check.overridden.is_some() {
                "ignored"
            } else {
                ""
            },
            theme.level(Level::Warn),
        )),
        Cell::from(Line::styled(word, style).right_aligned()),
    ])
}

/// When a change of the setting takes effect, from pg_settings.context.
fn takes_effect(context: &str) -> &'static str {
    match context {
        "postmaster" => "at a server restart",
        "sighup" => "on reload (SELECT pg_reload_conf())",
        "backend" | "superuser-backend" => "for new sessions",
        "internal" => "never (fixed when the server was built or initialised)",
        "" => "",
        _ => "on reload, or per session with SET",
    }
}

fn detail(frame: &mut Frame, area: Rect, check: &SettingCheck, theme: &Theme, stale: bool) {
    let block = panel::panel(format!(" {} ", check.name), theme, stale);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let figures = Figures::new(inner.width, 0, theme);
    let (word, word_style) = level(check, theme);
    let mut value = vec![
        figures.dim(format!("{} = ", check.name)),
        figures.plain(check.shown()),
    ];
    if let Some(pending) = &check.pending_value {
        value.push(Span::styled(
            format!(" → {} after a restart", pending.show()),
            theme.level(Level::Warn),
        ));
    } else if check.pending_restart {
        value.push(Span::styled(" (restart pending)", theme.level(Level::Warn)));
    }
    let overridden = check.overridden.as_ref().map(|o| {
        let what = o.value.as_ref().map_or_else(
            || "the configuration files give it another value".to_owned(),
            |(v, source)| format!("{} sets {}", source.detail(), v.show()),
        );
        Line::styled(
            format!(
                "{what}, but the command line (-c) outranks the files: no restart applies it \
                 (change the server's command line, or drop it there)"
            ),
            theme.level(Level::Warn),
        )
    });
    let mut lines = vec![with_word(Line::from(value), inner.width, word, word_style)];
    lines.extend(overridden);
    lines.push(Line::styled(check.about, theme.dim));
    let effect = takes_effect(&check.context);
    let mut source = vec![
        Span::styled("source ", theme.dim),
        Span::styled(check.source.detail(), theme.text),
    ];
    if !effect.is_empty() {
        source.push(Span::styled(
            format!(" · a change applies {effect}"),
            theme.dim,
        ));
    }
    lines.push(Line::from(source));
    if let Some(attention) = &check.attention {
        lines.push(Line::styled(attention.reason.clone(), word_style));
        if let Some(sql) = &attention.sql {
            for line in sql.lines() {
                lines.push(Line::from(sql::spans(line, theme.text, theme)).style(theme.text));
            }
            lines.push(Line::styled("y copies the SQL", theme.dim));
        }
    }
    frame.render_widget(
        Paragraph::new(Text::from(lines)).wrap(Wrap { trim: false }),
        inner,
    );
}

fn checkpoints(frame: &mut Frame, area: Rect, view: &SettingsView, theme: &Theme, stale: bool) {
    let c = match &view.checkpoints {
        Ok(c) => c,
        Err(why) => {
            let block = panel::panel(" Checkpoints ", theme, stale);
            frame.render_widget(panel::reason(why, block, theme), area);
            return;
        }
    };
    let since = c.covered_secs.map_or_else(String::new, |s| {
        format!("· since reset {} ago ", format::age(s))
    });
    let block = panel::panel(format!(" Checkpoints {since}"), theme, stale);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let figures = Figures::new(inner.width, 0, theme);
    frame.render_widget(
        Paragraph::new(checkpoint_lines(c, &figures)).wrap(Wrap { trim: false }),
        inner,
    );
}

fn checkpoint_lines<'a>(c: &Checkpoints, figures: &Figures) -> Vec<Line<'a>> {
    let theme = figures.theme;
    let (word, style) = if c.too_many_requested() {
        info(theme)
    } else {
        ("ok", theme.level(Level::Ok))
    };
    let counts = Line::from(vec![
        figures.dim("timed "),
        figures.plain(format::count(c.timed)),
        figures.dim(" · requested "),
        figures.plain(format::count(c.requested)),
    ]);
    let mut lines = vec![with_word(counts, figures.width as u16, word, style)];
    let mut rates = Vec::new();
    if let Some(pct) = c.requested_pct {
        rates.push(figures.plain(format::percent(pct)));
        rates.push(figures.dim(" requested"));
    }
    if let Some(per_hour) = c.per_hour {
        rates.push(figures.dim(" · "));
        rates.push(figures.plain(format!("{}/h", format::rate(per_hour))));
        rates.push(figures.dim(" in all"));
    }
    lines.push(Line::from(rates));
    lines.push(Line::from(vec![
        figures.dim("write "),
        figures.plain(format::millis(c.counters.write_time_ms)),
        figures.dim(" · sync "),
        figures.plain(format::millis(c.counters.sync_time_ms)),
    ]));
    if let Some(wal) = c.wal_bytes_per_sec {
        lines.push(Line::from(vec![
            figures.dim("WAL "),
            figures.plain(format::bytes_per_sec(wal)),
            figures.dim(" on average since reset"),
        ]));
    }
    lines.push(match c.interval {
        Some(i) => Line::from(vec![
            figures.dim(format!("last {}: ", format::age(i.secs))),
            figures.plain(format!("{} timed, {} requested", i.timed, i.requested)),
            figures.dim(i.wal_bytes_per_sec.map_or_else(String::new, |w| {
                format!(" · WAL {}", format::bytes_per_sec(w))
            })),
        ]),
        None => Line::from(figures.dim("the last interval needs a second reading")),
    });
    if let (true, Some(timed), Some(requested)) = (
        c.is_standby,
        c.counters.restartpoints_timed,
        c.counters.restartpoints_requested,
    ) {
        lines.push(Line::from(vec![
            figures.dim("restartpoints "),
            figures.plain(format!("{timed} timed, {requested} requested")),
        ]));
    }
    lines
}
