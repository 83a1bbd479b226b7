//! Pure analysis: no I/O, no async, no terminal. Rates between snapshots, health thresholds,
//! and the Overview's figures. Everything here is unit-tested beside the code.

pub mod activity;
pub mod bloat;
pub mod health;
pub mod history;
pub mod indexes;
pub mod lints;
pub mod maintenance;
pub mod overview;
pub mod queries;
pub mod rates;
pub mod settings;
pub mod statement;
pub mod vacuum;
pub mod window;
