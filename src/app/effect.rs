//! What the model asks the outside world to do; the loop carries these out without waiting.

use std::time::Duration;

/// A request from the model to the loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Ask the collector for a snapshot now.
    RefreshNow,
    /// Change the refresh interval.
    SetRefresh(Duration),
    /// Put text on the clipboard via OSC 52.
    Copy(String),
    Quit,
}
