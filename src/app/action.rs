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
    /// Measure the selected relation exactly (pgstattuple, pgstatindex).
    Measure,
    /// VACUUM (ANALYZE) the selected table.
    Vacuum,
    /// ANALYZE the selected table.
    Analyze,
    /// VACUUM FULL the selected table (ACCESS EXCLUSIVE lock).
    VacuumFull,
    /// REINDEX INDEX CONCURRENTLY the selected index.
    Reindex,
    /// Switch between the tables and the indexes list.
    SwitchList,
    /// Next sort order.
    Sort,
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
            Action::Measure => "measure exactly (pgstattuple, pgstatindex)".to_owned(),
            Action::Vacuum => "VACUUM (ANALYZE) the table".to_owned(),
            Action::Analyze => "ANALYZE the table".to_owned(),
            Action::VacuumFull => "VACUUM FULL the table (ACCESS EXCLUSIVE lock)".to_owned(),
            Action::Reindex => "REINDEX INDEX CONCURRENTLY the index".to_owned(),
            Action::SwitchList => "tables / indexes".to_owned(),
            Action::Sort => "next sort order".to_owned(),
        }
    }
}
