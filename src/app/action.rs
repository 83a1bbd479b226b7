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
    /// Cancel the selected session's statement.
    CancelBackend,
    /// Terminate the selected session.
    TerminateBackend,
    /// Cancel every session the filter lists.
    CancelListed,
    /// Terminate every session the filter lists.
    TerminateListed,
    /// Move between the sessions, the blocking tree and the pools.
    NextSection,
    /// Queries: the selected statement's plan in the Explain pane.
    ExplainSelected,
    /// Queries: EXPLAIN ANALYZE the selected statement (fill in its parameters first).
    ExplainAnalyzeSelected,
    /// Expand or collapse the selected plan node.
    ToggleNode,
    /// Expand every plan node.
    ExpandAll,
    /// Collapse everything off the heaviest path.
    CollapseOffPath,
    /// Switch between the plan tree and the nodes by self time.
    FlatView,
    /// Compare the plan with the one before it.
    ComparePlans,
    /// Compare the plan with an older one of this session.
    OlderPlan,
    /// Edit the SQL.
    EditSql,
    /// Bring back the SQL a statement from the Queries pane replaced.
    RestoreSql,
    /// EXPLAIN the SQL (the generic plan when it has $n parameters).
    Explain,
    /// EXPLAIN ANALYZE the SQL: runs it, in a transaction that is rolled back.
    ExplainAnalyze,
    /// Create the selected suggestion or foreign key's index.
    CreateIndex,
    /// Drop the selected index.
    DropIndex,
    /// Rebuild the selected index.
    Reindex,
    /// Re-plan the heaviest statements on the table with the selected index hidden.
    WhatIfDrop,
    /// Indexes: CREATE EXTENSION hypopg, so that suggestions can be verified.
    CreateHypopg,
    /// Start or resume the guided index review.
    Review,
    /// Review: apply the current finding now.
    ReviewApply,
    /// Review: add the current finding to the migration.
    ReviewMigration,
    /// Review: skip the current finding.
    ReviewSkip,
    /// Review: note on the current finding.
    ReviewNote,
    /// Review: write the migration and the report now.
    ReviewWrite,
    /// Measure the selected relation exactly (pgstattuple, pgstatindex).
    Measure,
    /// VACUUM (ANALYZE) the selected table.
    Vacuum,
    /// ANALYZE the selected table.
    Analyze,
    /// VACUUM FULL the selected table (ACCESS EXCLUSIVE lock).
    VacuumFull,
    /// Switch between the tables and the indexes list.
    SwitchList,
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
            Action::CancelBackend => "cancel the selected session's statement".to_owned(),
            Action::TerminateBackend => "terminate the selected session".to_owned(),
            Action::CancelListed => "cancel every session listed".to_owned(),
            Action::TerminateListed => "terminate every session listed".to_owned(),
            Action::NextSection => "list: sessions, blocking tree, pools".to_owned(),
            Action::ExplainSelected => {
                "its plan in the Explain pane (generic plan for $n statements)".to_owned()
            }
            Action::ExplainAnalyzeSelected => {
                "EXPLAIN ANALYZE it: fill in the parameters, runs rolled back".to_owned()
            }
            Action::ToggleNode => "expand / collapse the selected node".to_owned(),
            Action::ExpandAll => "expand every node".to_owned(),
            Action::CollapseOffPath => "collapse everything off the heaviest path".to_owned(),
            Action::FlatView => "tree / nodes by self time".to_owned(),
            Action::ComparePlans => {
                "compare with an earlier plan (of this statement if any)".to_owned()
            }
            Action::OlderPlan => "compare with an older plan of this session".to_owned(),
            Action::EditSql => "edit the SQL (Esc leaves the editor)".to_owned(),
            Action::RestoreSql => {
                "back to the SQL you typed, after e / E in Queries replaced it".to_owned()
            }
            Action::Explain => {
                "EXPLAIN (generic plan for $n statements); again: cancel it".to_owned()
            }
            Action::ExplainAnalyze => "EXPLAIN ANALYZE: runs the statement, rolled back".to_owned(),
            Action::CreateIndex => {
                "create the suggested / foreign key's index (CONCURRENTLY, re-checked first)"
                    .to_owned()
            }
            Action::DropIndex => "drop the index (CONCURRENTLY, typed confirmation)".to_owned(),
            Action::Reindex => "rebuild the index (REINDEX CONCURRENTLY)".to_owned(),
            Action::WhatIfDrop => "what if I drop it? (re-plan with it hidden, HypoPG)".to_owned(),
            Action::CreateHypopg => "CREATE EXTENSION hypopg, to verify the suggestions".to_owned(),
            Action::Review => "start / resume the guided review".to_owned(),
            Action::ReviewApply => "review: apply now".to_owned(),
            Action::ReviewMigration => "review: add to the migration".to_owned(),
            Action::ReviewSkip => "review: skip".to_owned(),
            Action::ReviewNote => "review: note (Enter ends it)".to_owned(),
            Action::ReviewWrite => "review: write the migration and report now".to_owned(),
            Action::Measure => "measure exactly (pgstattuple, pgstatindex)".to_owned(),
            Action::Vacuum => "VACUUM (ANALYZE) the table".to_owned(),
            Action::Analyze => "ANALYZE the table".to_owned(),
            Action::VacuumFull => "VACUUM FULL the table (ACCESS EXCLUSIVE lock)".to_owned(),
            Action::SwitchList => "tables / indexes".to_owned(),
        }
    }
}
