//! The event loop and the model: messages in, effects out, a draw when something changed.

pub mod action;
pub mod effect;
pub mod keymap;
pub mod model;
pub mod msg;
pub mod pane;
