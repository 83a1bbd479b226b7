//! SQL against the real throwaway cluster: the cluster itself, and every .sql file of pgmedic.

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
mod bloat_jobs;
mod bouncer;
mod cluster;
mod collect;
mod explain;
mod index_actions;
mod indexes;
mod jobs;
mod pgbouncer_view;
mod pooler;
mod queries;
mod settings;
