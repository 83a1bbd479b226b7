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
        }
    }
}
