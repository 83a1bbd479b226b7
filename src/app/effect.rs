//! What the model asks the outside world to do; the loop carries these out without waiting.

use std::time::Duration;

use crate::app::pane::Pane;
use crate::jobs::{JobId, JobSpec};
use crate::work::Request;

/// A request from the model to the loop.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Ask the collector for a snapshot now.
    RefreshNow,
    /// Change the refresh interval.
    SetRefresh(Duration),
    /// Put text on the clipboard via OSC 52.
    Copy(String),
    /// The pane in sight changed: collect its data from now on, starting now.
    Focus(Pane),
    /// Run a confirmed action as job `id` on a connection of its own.
    RunJob(JobId, JobSpec),
    /// Cancel a running job.
    CancelJob(JobId),
    /// Start on-demand work (an EXPLAIN, a measurement…) on a connection of its own.
    Work(Request),
    Quit,
}
