//! The blocking tree: root blockers first, each with what it holds and how many wait on it,
//! the waiting chain indented under it with the lock each waits for and for how long.
//!
//! ```text
//!  2403 backoffice ROOT blocks 2 IDLE IN TX 33s holds RowExclusiveLock on public.watchlists  CRIT
//!  └ 2407 migrate waits AccessExclusiveLock on public.watchlists 30s  ALTER TABLE watchlists …  CRIT
//!    └ 2423 api waits AccessShareLock on public.watchlists 29s  SELECT id, name …             WARN
//! ```

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState};

use crate::app::activity::Section;
use crate::app::model::Model;
use crate::diagnose::activity::blocking::PREPARED_PID;
use crate::diagnose::activity::{ActivityView, BlockNode, state_label};
use crate::diagnose::health::Level;
use crate::ui::activity::title;
use crate::ui::format;
use crate::ui::panel::{self, Figures};
use crate::ui::theme::Theme;

/// Draws the blocking tree box.
pub fn render(frame: &mut Frame, area: Rect, model: &Model, view: &ActivityView, theme: &Theme) {
    let tree = &view.blocking;
    let roots = tree.roots().count();
    let focused = model.activity.section == Section::Blocking;
    let text = if tree.rows.is_empty() {
        " Blocking · nobody waits for a lock ".to_owned()
    } else {
        format!(
            " Blocking · {roots} root{}, {} waiting ",
            if roots == 1 { "" } else { "s" },
            tree.waiting()
        )
    };
    let block = panel::panel(title(text, focused, theme), theme, model.is_stale());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if tree.rows.is_empty() {
        return;
    }
    let figures = Figures::new(inner.width.saturating_sub(2), 0, theme);
    let items: Vec<ListItem> = tree
        .rows
        .iter()
        .map(|node| ListItem::new(row(node, &figures, theme)))
        .collect();
    let mut state =
        ListState::default().with_selected(focused.then_some(model.activity.tree_selected));
    let list = List::new(items)
        .highlight_style(theme.selected)
        .highlight_symbol("▸ ")
        .highlight_spacing(ratatui::widgets::HighlightSpacing::Always);
    frame.render_stateful_widget(list, inner, &mut state);
}

/// One node: indent, pid, who, what it holds or waits for, the query; flags and level right.
fn row<'a>(node: &BlockNode, figures: &Figures, theme: &Theme) -> Line<'a> {
    let mut spans = Vec::new();
    if node.depth > 0 {
        spans.push(Span::styled(
            format!("{}└ ", "  ".repeat(node.depth - 1)),
            theme.dim,
        ));
    }
    let pid = if node.pid == PREPARED_PID {
        "prepared xact".to_owned()
    } else {
        node.pid.to_string()
    };
    spans.push(Span::styled(pid, theme.value));
    if !node.application.is_empty() {
        spans.push(Span::styled(format!(" {}", node.application), theme.text));
    }
    if node.depth == 0 {
        root_spans(node, &mut spans, theme);
    } else if let Some(lock) = &node.waits {
        spans.push(Span::styled(" waits ", theme.dim));
        spans.push(Span::styled(
            lock.mode.clone(),
            theme.level_fg(node.level.max(Level::Warn)),
        ));
        spans.push(Span::styled(format!(" on {}", lock.object), theme.text));
    } else {
        spans.push(Span::styled(" waits", theme.dim));
    }
    if let Some(wait) = node.wait_secs {
        spans.push(Span::styled(format!(" {}", format::age(wait)), theme.value));
    }
    if !node.also_blocked_by.is_empty() {
        let others: Vec<String> = node
            .also_blocked_by
            .iter()
            .map(ToString::to_string)
            .collect();
        spans.push(Span::styled(
            format!(" (also {})", others.join(", ")),
            theme.dim,
        ));
    }
    if !node.query.is_empty() {
        spans.push(Span::styled(
            format!("  {}", one_line(&node.query)),
            theme.dim,
        ));
    }
    figures.line("", spans, Some(node.level))
}

/// `ROOT blocks 2 IDLE IN TX 1m30s holds RowExclusiveLock on public.watchlists`: the flags
/// first, so a narrow box cuts the lock, not the diagnosis.
fn root_spans(node: &BlockNode, spans: &mut Vec<Span<'_>>, theme: &Theme) {
    let age = node
        .state_secs
        .map_or_else(String::new, |s| format!(" {}", format::age(s)));
    let mut flags = format!(" ROOT blocks {}", node.blocked_count);
    if node.in_cycle {
        flags.push_str(" DEADLOCK-CYCLE");
    }
    if node.idle_in_transaction_root {
        flags.push_str(" IDLE IN TX");
        flags.push_str(&age);
    }
    spans.push(Span::styled(
        flags,
        theme.level_fg(node.level.max(Level::Warn)),
    ));
    let state = state_label(&node.state);
    if node.gone && node.pid != PREPARED_PID {
        spans.push(Span::styled(" (gone)", theme.dim));
    } else if !node.idle_in_transaction_root && !state.is_empty() {
        spans.push(Span::styled(format!(" {state}{age}"), theme.text));
    }
    if let Some(lock) = &node.holds {
        let verb = if lock.granted { "holds" } else { "queued for" };
        spans.push(Span::styled(format!(" {verb} "), theme.dim));
        spans.push(Span::styled(lock.mode.clone(), theme.value));
        spans.push(Span::styled(format!(" on {}", lock.object), theme.text));
    }
}

/// A query on one line: whitespace runs collapsed.
pub fn one_line(query: &str) -> String {
    query.split_whitespace().collect::<Vec<_>>().join(" ")
}
