//! Keys to actions, per mode. The help screen and the status-bar hints are generated from this
//! table, so what is documented is what is bound.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::action::Action;
use crate::app::pane::Pane;

/// A key as shown in help ("j", "Down", "Ctrl-c").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    pub code: KeyCode,
    pub ctrl: bool,
    pub action: Action,
}

const fn key(code: KeyCode, action: Action) -> Binding {
    Binding {
        code,
        ctrl: false,
        action,
    }
}

/// Bindings that work in every pane, in help order.
pub const GLOBAL: &[Binding] = &[
    key(KeyCode::Char('q'), Action::Quit),
    Binding {
        code: KeyCode::Char('c'),
        ctrl: true,
        action: Action::Quit,
    },
    key(KeyCode::Char('?'), Action::Help),
    key(KeyCode::Char(':'), Action::CommandLine),
    key(KeyCode::Char('r'), Action::Refresh),
    key(KeyCode::Tab, Action::NextPane),
    key(KeyCode::BackTab, Action::PrevPane),
    key(KeyCode::Char('l'), Action::NextPane),
    key(KeyCode::Char('h'), Action::PrevPane),
    key(KeyCode::Right, Action::NextPane),
    key(KeyCode::Left, Action::PrevPane),
    key(KeyCode::Esc, Action::Close),
];

/// Moving in a list: vim keys and arrows.
pub const MOVE: &[Binding] = &[
    key(KeyCode::Char('j'), Action::Down),
    key(KeyCode::Down, Action::Down),
    key(KeyCode::Char('k'), Action::Up),
    key(KeyCode::Up, Action::Up),
    key(KeyCode::Char('g'), Action::Top),
    key(KeyCode::Home, Action::Top),
    key(KeyCode::Char('G'), Action::Bottom),
    key(KeyCode::End, Action::Bottom),
];

/// Bindings of list panes (the Overview's top statements), after `MOVE`.
pub const LIST: &[Binding] = &[key(KeyCode::Char('y'), Action::Copy)];

/// Bindings of the Jobs pane, after `MOVE`.
pub const JOBS: &[Binding] = &[
    key(KeyCode::Enter, Action::Open),
    key(KeyCode::Char('x'), Action::CancelJob),
    key(KeyCode::Char('y'), Action::Copy),
];

/// Paging: a page of the list, or a scroll of the detail on screen (Explain's node detail,
/// where j / k still move from node to node; an index finding or review item with its plans).
pub const PAGE: &[Binding] = &[
    key(KeyCode::PageDown, Action::PageDown),
    key(KeyCode::PageUp, Action::PageUp),
    Binding {
        code: KeyCode::Char('d'),
        ctrl: true,
        action: Action::PageDown,
    },
    Binding {
        code: KeyCode::Char('u'),
        ctrl: true,
        action: Action::PageUp,
    },
];

/// Bindings of the Explain pane (after `MOVE`, then `PAGE`).
pub const EXPLAIN: &[Binding] = &[
    key(KeyCode::Char(' '), Action::ToggleNode),
    key(KeyCode::Char('+'), Action::ExpandAll),
    key(KeyCode::Char('-'), Action::CollapseOffPath),
    key(KeyCode::Enter, Action::Open),
    key(KeyCode::Char('f'), Action::FlatView),
    key(KeyCode::Char('c'), Action::ComparePlans),
    key(KeyCode::Char('C'), Action::OlderPlan),
    key(KeyCode::Char('/'), Action::Filter),
    key(KeyCode::Char('e'), Action::EditSql),
    key(KeyCode::Char('u'), Action::RestoreSql),
    key(KeyCode::Char('x'), Action::Explain),
    key(KeyCode::Char('a'), Action::ExplainAnalyze),
    key(KeyCode::Char('y'), Action::Copy),
];

/// Bindings of the Queries pane beyond the list's (`/` filters: words, db:NAME, role:NAME,
/// lint:TAG).
pub const QUERIES: &[Binding] = &[
    key(KeyCode::Enter, Action::Open),
    key(KeyCode::Char('/'), Action::Filter),
    key(KeyCode::Char('s'), Action::SortNext),
    key(KeyCode::Char('S'), Action::SortPrev),
    key(KeyCode::Char('o'), Action::SortReverse),
    key(KeyCode::Char('v'), Action::CycleScope),
    key(KeyCode::Char('c'), Action::Cumulative),
    key(KeyCode::Char('a'), Action::ToggleIdle),
    key(KeyCode::Char('X'), Action::ResetStatements),
    key(KeyCode::Char('e'), Action::ExplainSelected),
    key(KeyCode::Char('E'), Action::ExplainAnalyzeSelected),
];

/// Bindings of the Activity pane: `k` cancels here, so Up is the arrow only.
pub const ACTIVITY: &[Binding] = &[
    key(KeyCode::Char('j'), Action::Down),
    key(KeyCode::Down, Action::Down),
    key(KeyCode::Up, Action::Up),
    key(KeyCode::Char('g'), Action::Top),
    key(KeyCode::Home, Action::Top),
    key(KeyCode::Char('G'), Action::Bottom),
    key(KeyCode::End, Action::Bottom),
    key(KeyCode::Enter, Action::Open),
    key(KeyCode::Char('/'), Action::Filter),
    key(KeyCode::Char('v'), Action::NextSection),
    key(KeyCode::Char('s'), Action::SortNext),
    key(KeyCode::Char('S'), Action::SortPrev),
    key(KeyCode::Char('o'), Action::SortReverse),
    key(KeyCode::Char('k'), Action::CancelBackend),
    key(KeyCode::Char('K'), Action::TerminateBackend),
    key(KeyCode::Char('x'), Action::CancelListed),
    key(KeyCode::Char('X'), Action::TerminateListed),
    key(KeyCode::Char('y'), Action::Copy),
];

/// Bindings of the Indexes pane: the list, its actions and the review's (`r` rebuilds an
/// index here, so Ctrl-r refreshes).
pub const INDEXES: &[Binding] = &[
    key(KeyCode::Enter, Action::Open),
    key(KeyCode::Char('/'), Action::Filter),
    key(KeyCode::Char('y'), Action::Copy),
    key(KeyCode::Char('c'), Action::CreateIndex),
    key(KeyCode::Char('d'), Action::DropIndex),
    key(KeyCode::Char('r'), Action::Reindex),
    key(KeyCode::Char('w'), Action::WhatIfDrop),
    key(KeyCode::Char('H'), Action::CreateHypopg),
    key(KeyCode::Char('R'), Action::Review),
    key(KeyCode::Char('a'), Action::ReviewApply),
    key(KeyCode::Char('m'), Action::ReviewMigration),
    key(KeyCode::Char('s'), Action::ReviewSkip),
    key(KeyCode::Char('n'), Action::ReviewNote),
    key(KeyCode::Char('W'), Action::ReviewWrite),
    Binding {
        code: KeyCode::Char('r'),
        ctrl: true,
        action: Action::Refresh,
    },
];

/// Bindings of the Bloat & vacuum pane (`r` is REINDEX here: `R` refreshes).
pub const BLOAT: &[Binding] = &[
    key(KeyCode::Char('j'), Action::Down),
    key(KeyCode::Down, Action::Down),
    key(KeyCode::Char('k'), Action::Up),
    key(KeyCode::Up, Action::Up),
    key(KeyCode::Char('g'), Action::Top),
    key(KeyCode::Home, Action::Top),
    key(KeyCode::Char('G'), Action::Bottom),
    key(KeyCode::End, Action::Bottom),
    key(KeyCode::Enter, Action::Open),
    key(KeyCode::Char('/'), Action::Filter),
    key(KeyCode::Char('i'), Action::SwitchList),
    key(KeyCode::Char('s'), Action::SortNext),
    key(KeyCode::Char('x'), Action::Measure),
    key(KeyCode::Char('v'), Action::Vacuum),
    key(KeyCode::Char('a'), Action::Analyze),
    key(KeyCode::Char('F'), Action::VacuumFull),
    key(KeyCode::Char('r'), Action::Reindex),
    key(KeyCode::Char('R'), Action::Refresh),
    key(KeyCode::Char('y'), Action::Copy),
];

/// Bindings of the Settings pane (after the shared movement keys).
pub const SETTINGS: &[Binding] = &[
    key(KeyCode::Enter, Action::Open),
    key(KeyCode::Char('/'), Action::Filter),
    key(KeyCode::Char('y'), Action::Copy),
];
/// The bindings of a pane: its own, then the global ones.
#[must_use]
pub fn bindings(pane: Pane) -> Vec<Binding> {
    let own: Vec<Binding> = match pane {
        Pane::Overview => [MOVE, LIST].concat(),
        Pane::Jobs => [MOVE, JOBS].concat(),
        Pane::Explain => [MOVE, EXPLAIN, PAGE].concat(),
        Pane::Queries => [MOVE, LIST, PAGE, QUERIES].concat(),
        // Its own movement keys: `k` cancels a backend in Activity.
        Pane::Activity => ACTIVITY.to_vec(),
        Pane::Indexes => [MOVE, INDEXES, PAGE].concat(),
        Pane::Bloat => BLOAT.to_vec(),
        Pane::Settings => [MOVE, SETTINGS].concat(),
    };
    // A pane's own key wins over a global one (`r` rebuilds an index in Indexes), and help
    // lists only what is bound.
    let global = GLOBAL
        .iter()
        .filter(|g| !own.iter().any(|o| o.code == g.code && o.ctrl == g.ctrl))
        .copied()
        .collect::<Vec<_>>();
    [own, global].concat()
}

/// The action for a key in normal mode on `pane`, if any (number keys select panes).
#[must_use]
pub fn lookup(pane: Pane, event: KeyEvent) -> Option<Action> {
    let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    if let KeyCode::Char(c) = event.code
        && !ctrl
        && let Some(target) = Pane::from_key(c)
    {
        return Some(Action::GoTo(target));
    }
    bindings(pane)
        .into_iter()
        .find(|b| b.code == event.code && b.ctrl == ctrl)
        .map(|b| b.action)
}

/// The key as help shows it.
#[must_use]
pub fn key_name(binding: &Binding) -> String {
    let name = match binding.code {
        KeyCode::Char(' ') => "Space".to_owned(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Tab => "Tab".to_owned(),
        KeyCode::BackTab => "Shift-Tab".to_owned(),
        KeyCode::Esc => "Esc".to_owned(),
        KeyCode::Up => "Up".to_owned(),
        KeyCode::Down => "Down".to_owned(),
        KeyCode::Left => "Left".to_owned(),
        KeyCode::Right => "Right".to_owned(),
        KeyCode::Home => "Home".to_owned(),
        KeyCode::End => "End".to_owned(),
        KeyCode::Enter => "Enter".to_owned(),
        KeyCode::PageDown => "PgDn".to_owned(),
        KeyCode::PageUp => "PgUp".to_owned(),
        other => format!("{other:?}"),
    };
    if binding.ctrl {
        format!("Ctrl-{name}")
    } else {
        name
    }
}

/// One line of help: the keys, and what they do.
pub type HelpLine = (String, String);

/// Help lines for a pane: keys grouped by action, e.g. ("j Down", "move down").
#[must_use]
pub fn help_lines(pane: Pane) -> Vec<HelpLine> {
    let (mut own, global) = help_sections(pane);
    own.extend(global);
    own
}

/// Help lines in two parts: going to panes and the pane's own keys; then the keys that work
/// everywhere (a short popup folds these into a line).
#[must_use]
pub fn help_sections(pane: Pane) -> (Vec<HelpLine>, Vec<HelpLine>) {
    let all = bindings(pane);
    // The global bindings come last (those a pane's own key overrides are left out).
    let global_count = all.iter().rev().take_while(|b| GLOBAL.contains(b)).count();
    let own_count = all.len() - global_count;
    let panes = Pane::ALL
        .iter()
        .map(|p| p.key().to_string())
        .collect::<Vec<_>>()
        .join(" ");
    let mut own = vec![(panes, "go to pane by number".to_owned())];
    own.extend(grouped(&all[..own_count]));
    let mut global = Vec::new();
    for (keys, what) in grouped(&all[own_count..]) {
        match own.iter_mut().find(|(_, w)| *w == what) {
            Some((own_keys, _)) => {
                own_keys.push(' ');
                own_keys.push_str(&keys);
            }
            None => global.push((keys, what)),
        }
    }
    (own, global)
}

/// Keys grouped by action, in the order the actions first appear.
fn grouped(bindings: &[Binding]) -> Vec<HelpLine> {
    let mut lines: Vec<(String, Action)> = Vec::new();
    for binding in bindings {
        match lines.iter_mut().find(|(_, a)| *a == binding.action) {
            Some((keys, _)) => {
                keys.push(' ');
                keys.push_str(&key_name(binding));
            }
            None => lines.push((key_name(binding), binding.action)),
        }
    }
    lines.into_iter().map(|(k, a)| (k, a.describe())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vim_keys_and_arrows_both_work() {
        let j = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
        let down = KeyEvent::new(KeyCode::Down, KeyModifiers::NONE);
        assert_eq!(lookup(Pane::Overview, j), Some(Action::Down));
        assert_eq!(lookup(Pane::Overview, down), Some(Action::Down));
        let one = KeyEvent::new(KeyCode::Char('1'), KeyModifiers::NONE);
        assert_eq!(
            lookup(Pane::Overview, one),
            Some(Action::GoTo(Pane::Overview))
        );
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(lookup(Pane::Overview, ctrl_c), Some(Action::Quit));
        let nine = KeyEvent::new(KeyCode::Char('9'), KeyModifiers::NONE);
        assert_eq!(lookup(Pane::Overview, nine), None);
    }

    #[test]
    fn help_lists_every_bound_action_once() {
        let lines = help_lines(Pane::Overview);
        let down = lines.iter().find(|(_, d)| d == "move down").unwrap();
        assert_eq!(down.0, "j Down");
        let quits = lines.iter().filter(|(_, d)| d == "quit").count();
        assert_eq!(quits, 1);
    }
}
