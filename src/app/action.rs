//! What a user can ask for. The keymap turns keys into these; `?` help is generated from the
//! doc lines below, so they are written for the user.

use crate::app::pane::Pane;

/// A user request, independent of the key that made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Quit pgmedic.
    Quit,
    /// Show the keys of this pane.
    Help,
    /// Open the command line (:refresh 5s, :q, :help).
    CommandLine,
    /// Refresh now.
    Refresh,
    /// Next pane.
    NextPane,
    /// Previous pane.
    PrevPane,
    /// Go to a pane.
    GoTo(Pane),
    /// Move the selection down.
    Down,
    /// Move the selection up.
    Up,
    /// Jump to the first row.
    Top,
    /// Jump to the last row.
    Bottom,
    /// Copy the selected SQL to the clipboard (OSC 52, works over SSH).
    Copy,
    /// Close the popup or cancel.
    Close,
    /// Filter the list.
    Filter,
    /// Open the selected row's detail view.
    Open,
    /// Cancel the selected job.
    CancelJob,
    /// Move the selection a page down.
    PageDown,
    /// Move the selection a page up.
    PageUp,
    /// Sort by the next column.
    SortNext,
    /// Sort by the previous column.
    SortPrev,
    /// Reverse the order.
    SortReverse,
    /// Queries: the next scope (last interval, last 1 / 5 / 15 minutes, since the reset).
    CycleScope,
    /// Queries: since the statistics reset, or back to the last interval.
    Cumulative,
    /// Queries: list statements without calls in the scope too.
    ToggleIdle,
    /// Queries: reset pg_stat_statements for everyone (asks first).
    ResetStatements,
}

impl Action {
    /// One line for the help screen.
    #[must_use]
    pub fn describe(self) -> String {
        match self {
            Action::Quit => "quit".to_owned(),
            Action::Help => "show the keys of this pane".to_owned(),
            Action::CommandLine => "command line (:refresh 5s, :q, :help)".to_owned(),
            Action::Refresh => "refresh now".to_owned(),
            Action::NextPane => "next pane".to_owned(),
            Action::PrevPane => "previous pane".to_owned(),
            Action::GoTo(pane) => format!("go to {}", pane.title()),
            Action::Down => "move down".to_owned(),
            Action::Up => "move up".to_owned(),
            Action::Top => "first row".to_owned(),
            Action::Bottom => "last row".to_owned(),
            Action::Copy => "copy the selected statement (OSC 52)".to_owned(),
            Action::Close => "close / cancel".to_owned(),
            Action::Filter => "filter the list".to_owned(),
            Action::Open => "details of the selected row".to_owned(),
            Action::CancelJob => "cancel the selected job".to_owned(),
            Action::PageDown => "page down".to_owned(),
            Action::PageUp => "page up".to_owned(),
            Action::SortNext => "sort by the next column".to_owned(),
            Action::SortPrev => "sort by the previous column".to_owned(),
            Action::SortReverse => "reverse the order".to_owned(),
            Action::CycleScope => "last interval → 1 / 5 / 15 minutes → since the reset".to_owned(),
            Action::Cumulative => "since the statistics reset ⇄ last interval".to_owned(),
            Action::ToggleIdle => "show / hide statements that did not run".to_owned(),
            Action::ResetStatements => "reset pg_stat_statements (asks first)".to_owned(),
        }
    }
}
