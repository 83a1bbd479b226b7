//! The real binary in a real terminal: tmux runs pgmedic against the throwaway cluster, keys go
//! in with send-keys, the screen comes back with capture-pane.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a failure must stop the test loudly"
)]

#[path = "../common/mod.rs"]
mod common;

mod activity;
mod bloat;
mod explain;
mod indexes;
mod screen;
