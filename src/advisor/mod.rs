//! The verified index advisor.

pub mod candidates;
pub mod catalog;
pub mod parse;
