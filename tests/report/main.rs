//! `pgmedic report` and `pgmedic check`, the real binary against real servers: the demo with
//! its planted problems and workload (a cluster of its own), a fresh database, a role without
//! pg_monitor, a hot standby; the JSON checked against the documented schema.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::missing_panics_doc,
    reason = "test helpers: a failure must stop the test loudly"
)]

#[path = "../common/mod.rs"]
mod common;

mod check;
mod demo;
mod report;
mod roles;
mod schema;

use std::path::Path;
use std::process::{Command, Output};

/// Runs the pgmedic binary with `args`; the config file is `config` (none by default, so the
/// user's own never leaks in).
#[must_use]
pub fn pgmedic(args: &[&str], config: Option<&Path>) -> Output {
    let config = config.map_or_else(|| "/nonexistent/pgmedic.toml".into(), Path::to_path_buf);
    Command::new(env!("CARGO_BIN_EXE_pgmedic"))
        .args(args)
        .env("PGMEDIC_CONFIG", config)
        .env_remove("PGSERVICE")
        .output()
        .unwrap()
}

/// Standard output (and error, on failure) as text.
#[must_use]
pub fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `pgmedic report --format json` with `extra` arguments, parsed and checked against the
/// documented schema.
#[must_use]
pub fn json_report(conninfo: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["report", conninfo, "--format", "json", "--interval", "1s"];
    args.extend_from_slice(extra);
    let out = pgmedic(&args, None);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let violations = schema::violations(&schema::schema(), &report);
    assert!(violations.is_empty(), "{violations:#?}\n{stdout}");
    report
}

/// The findings of `kind` in a JSON report.
#[must_use]
pub fn of_kind<'a>(report: &'a serde_json::Value, kind: &str) -> Vec<&'a serde_json::Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == kind)
        .collect()
}
