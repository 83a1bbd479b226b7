//! The verified index advisor.

pub mod parse;
