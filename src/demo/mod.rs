//! `pgmedic demo`: a throwaway cluster with a trading-platform database, planted problems and a
//! bounded background workload, then the console on it.
//!
//! ```text
//!  run ─► Cluster::start (spawn_blocking) ─► CREATE DATABASE trading
//!      ─► load::load: schema.sql ─► seed_accounts.sql ∥ seed_market.sql ─► indexes.sql
//!                     ─► problems.sql ─► invalid_index.sql (CONCURRENTLY, outside a transaction)
//!      ─► Workload::start (tokio tasks, their own sessions: api, ws-gateway, risk-engine, …)
//!      ─► console (or, with --no-tui, wait for Ctrl-C) ─► Workload::stop ─► drop the cluster
//! ```

pub mod load;
pub mod workload;

use std::io::Write as _;
use std::time::Instant;

use crate::Error;
use crate::cli::DemoArgs;
use crate::cluster::{Cluster, ClusterError, ClusterOptions};
use crate::conn::{self, ConnError, ConnParams, ConnRequest};

pub use load::load;
pub use workload::{Workload, WorkloadOptions};

/// The database the demo creates and loads.
pub const DATABASE: &str = "trading";

/// Everything that can go wrong while setting up or running the demo.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("{what}: {message}")]
    Sql { what: String, message: String },
    #[error(transparent)]
    Conn(#[from] ConnError),
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    #[error("{0}")]
    Setup(String),
    #[error("writing to the terminal: {0}")]
    Io(#[from] std::io::Error),
}

/// Maps a driver error to a one-line message that keeps the server's text (and detail).
pub(crate) fn sql_error(
    what: impl Into<String>,
) -> impl FnOnce(tokio_postgres::Error) -> DemoError {
    let what = what.into();
    move |err| DemoError::Sql {
        what,
        message: describe(&err),
    }
}

/// The server's message and detail when there is one, the driver's text otherwise.
#[must_use]
pub fn describe(err: &tokio_postgres::Error) -> String {
    match err.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{} ({detail})", db.message()),
            None => db.message().to_owned(),
        },
        None => err.to_string(),
    }
}

/// A .sql file without its leading `--` lines: the bare statement, as an application sends it
/// (and as `pg_stat_statements` then shows it).
pub(crate) fn statement(file: &'static str) -> &'static str {
    let mut rest = file.trim_start();
    while rest.starts_with("--") {
        rest = rest
            .find('\n')
            .map_or("", |end| &rest[end + 1..])
            .trim_start();
    }
    rest.trim_end()
}

/// Parses `--scale`: a positive factor on the demo's row counts (1 = 500k orders).
pub fn parse_scale(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("not a number: {text:?}"))?;
    if (0.001..=20.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("{text:?} is out of range (0.001 to 20)"))
    }
}

/// Runs `pgmedic demo`: cluster, data, workload, then the console (or Ctrl-C with `--no-tui`).
pub async fn run(args: DemoArgs) -> Result<(), Error> {
    let opts = ClusterOptions {
        bin_dir: args.pg_bindir.clone(),
        port: args.port,
        // Socket-only: the cluster trusts every connection, and only the cluster's OS user and
        // root can reach a socket in its 0700 directory; any local user could reach 127.0.0.1.
        tcp: false,
        settings: cluster_settings(),
        keep: args.keep,
        ..ClusterOptions::default()
    };
    eprintln!("pgmedic demo: starting a throwaway PostgreSQL cluster …");
    let cluster = tokio::task::spawn_blocking(move || Cluster::start(opts))
        .await
        .map_err(|err| Error::Demo(format!("starting the cluster: {err}")))??;
    let result = session(&cluster, &args).await;
    if args.keep {
        if let Err(err) = print_kept(&cluster) {
            eprintln!("pgmedic demo: {err}");
        }
    }
    // Stopping the server waits for it: keep that off the async workers.
    let _ = tokio::task::spawn_blocking(move || drop(cluster)).await;
    result
}

impl From<DemoError> for Error {
    fn from(err: DemoError) -> Self {
        match err {
            DemoError::Cluster(err) => Error::Cluster(err),
            DemoError::Conn(err) => Error::Conn(err),
            other => Error::Demo(other.to_string()),
        }
    }
}

/// Server settings of the demo cluster: enough memory that the load stays quick, while the
/// data (≈ 450 MB at scale 1) is still larger than `shared_buffers`, so the cache hit ratio means
/// something.
fn cluster_settings() -> Vec<(String, String)> {
    [
        ("shared_buffers", "256MB"),
        ("wal_buffers", "32MB"),
        ("max_wal_size", "4GB"),
        ("checkpoint_timeout", "15min"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

/// Everything between a running cluster and its removal.
async fn session(cluster: &Cluster, args: &DemoArgs) -> Result<(), Error> {
    create_database(cluster).await?;
    let conninfo = cluster.conninfo(DATABASE);
    eprintln!(
        "pgmedic demo: loading the {DATABASE} database (scale {}) …",
        args.scale
    );
    let started = Instant::now();
    load(&conninfo, args.scale).await?;
    eprintln!(
        "pgmedic demo: loaded in {:.1} s; starting the workload",
        started.elapsed().as_secs_f64()
    );
    let workload = Workload::start(&conninfo, WorkloadOptions::default()).await?;
    let outcome = if args.no_tui {
        wait_for_signal(&conninfo, args.keep)
            .await
            .map_err(Error::from)
    } else {
        let params = ConnParams::resolve(&ConnRequest {
            conninfo: Some(conninfo.clone()),
            ..ConnRequest::default()
        })?;
        crate::console(params, &args.tui).await
    };
    workload.stop().await;
    outcome
}

async fn create_database(cluster: &Cluster) -> Result<(), DemoError> {
    let params = ConnParams::resolve(&ConnRequest {
        conninfo: Some(cluster.conninfo("postgres")),
        ..ConnRequest::default()
    })?;
    let admin = conn::connect(&params, "pgmedic-demo").await?;
    admin
        .batch_execute(include_str!("create_database.sql"))
        .await
        .map_err(sql_error("creating the trading database"))
}

/// `--no-tui`: the conninfo on stdout (for scripts), then the workload runs until SIGINT or
/// SIGTERM.
async fn wait_for_signal(conninfo: &str, keep: bool) -> Result<(), DemoError> {
    use tokio::signal::unix::{SignalKind, signal};
    // Registered before the conninfo is printed: whoever reads it may signal right away.
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{conninfo}")?;
    out.flush()?;
    drop(out);
    let after = if keep {
        "stops the workload (the cluster keeps running: --keep)"
    } else {
        "stops the workload and removes the cluster"
    };
    eprintln!("pgmedic demo: running; connect with pgmedic \"{conninfo}\" — Ctrl-C {after}");
    tokio::select! {
        _ = interrupt.recv() => {}
        _ = terminate.recv() => {}
    }
    eprintln!("pgmedic demo: stopping");
    Ok(())
}

/// `--keep`: how to reach the cluster that outlives this process, and how to stop it.
fn print_kept(cluster: &Cluster) -> std::io::Result<()> {
    let psql = cluster.bin_dir().join("psql");
    let psql = if psql.is_file() {
        psql.display().to_string()
    } else {
        "psql".to_owned()
    };
    let dir = cluster.dir().display().to_string();
    let mut err = std::io::stderr().lock();
    writeln!(err, "pgmedic demo: the cluster keeps running (--keep).")?;
    writeln!(err, "  connect:  {psql} \"{}\"", cluster.conninfo(DATABASE))?;
    writeln!(
        err,
        "  console:  pgmedic \"{}\"",
        cluster.conninfo(DATABASE)
    )?;
    writeln!(
        err,
        "  stop:     kill -INT \"$(head -1 '{dir}/data/postmaster.pid')\" && \
         while [ -e '{dir}/data/postmaster.pid' ]; do sleep 0.2; done && rm -rf '{dir}'"
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{parse_scale, statement};

    #[test]
    fn statements_lose_their_leading_comments() {
        assert_eq!(
            statement("-- what\n-- more\nSELECT 1\n-- x\n"),
            "SELECT 1\n-- x"
        );
        assert_eq!(statement("SELECT 2"), "SELECT 2");
        assert_eq!(statement("-- only a comment"), "");
    }

    #[test]
    fn scales() {
        assert_eq!(parse_scale("1"), Ok(1.0));
        assert_eq!(parse_scale("0.02"), Ok(0.02));
        assert!(parse_scale("0").is_err());
        assert!(parse_scale("-1").is_err());
        assert!(parse_scale("many").is_err());
        assert!(parse_scale("100").is_err());
    }
}
