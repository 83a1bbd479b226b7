//! SQL against the real throwaway cluster: the cluster itself, and every .sql file of pgmedic.

#[path = "../common/mod.rs"]
mod common;

mod cluster;
