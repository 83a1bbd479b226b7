//! pgmedic — an interactive terminal DBA console for `PostgreSQL`.
//!
//! ```text
//!  cli ──► conn (psql-compatible connecting) ──► server (probe: version, standby, extensions, privileges)
//!           │
//!           ▼
//!  collect (tokio task, one read-only monitoring session) ── Msg::Snapshot ──► app (Model::update, pure)
//!                                                                               │
//!  crossterm events ─────────────────────────────── Msg::Key/Resize ──────────►│
//!                                                                               ▼
//!                                                           ui (pure render of &Model, themes)
//!  diagnose: pure analysis (rates between snapshots, health thresholds) used by app and ui.
//!  cluster: throwaway PostgreSQL for tests and `pgmedic demo`; demo: schema, data, workload.
//! ```

pub mod app;
pub mod cli;
pub mod cluster;
pub mod collect;
pub mod config;
pub mod conn;
pub mod demo;
pub mod diagnose;
pub mod explain;
pub mod jobs;
pub mod pgbouncer;
pub mod quote;
pub mod report;
pub mod server;
pub mod snapshot;
pub mod ui;
pub mod work;

use cli::{Cli, Command};

/// Everything that can end a pgmedic run, each rendered as one line.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Conn(#[from] conn::ConnError),
    #[error(transparent)]
    Cluster(#[from] cluster::ClusterError),
    #[error(transparent)]
    Collect(#[from] collect::CollectError),
    #[error(transparent)]
    Theme(#[from] ui::theme::ThemeError),
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error("{0}")]
    PgBouncer(String),
    #[error("demo: {0}")]
    Demo(String),
    #[error("terminal: {0}")]
    Terminal(#[from] std::io::Error),
}

/// Runs what the command line asked for.
pub async fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Some(Command::Demo(args)) => demo::run(args).await,
        None => {
            let params = conn::ConnParams::resolve(&cli.conn.request())?;
            console(params, &cli.tui).await
        }
    }
}

/// Connects (failing with one line before the terminal is touched) and runs the console.
pub async fn console(mut params: conn::ConnParams, tui: &cli::TuiArgs) -> Result<(), Error> {
    let settings = config::Settings::load(tui)?;
    if let Some(url) = &settings.pgbouncer {
        pgbouncer::admin_params(url).map_err(Error::PgBouncer)?;
    }
    let theme = ui::theme::Theme::load(&settings.theme)?;
    let mut monitoring = collect::monitoring_params(&params);
    let client = conn::connect_prompting(&mut monitoring, collect::APPLICATION_NAME)
        .await
        .map_err(collect::pooler_hint)?;
    params = monitoring; // keeps a password typed at the prompt for reconnections
    let session = collect::set_up_session(client).await?;
    app::run(params, session, &settings, theme).await?;
    Ok(())
}
