//! The index advisor against real throwaway clusters: known best indexes for a workload, the
//! statements no index helps, normalized texts, hostile names, pg_qualstats constants, the
//! path without HypoPG, and `pgmedic advise` output.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a failure must stop the test loudly"
)]

#[path = "../common/mod.rs"]
mod common;

mod cli;

mod hostile;
mod partial;
mod schema;
mod support;
mod texts;
mod variants;
mod well_served;
mod without_hypopg;
mod workload;
