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
//!  advisor: index suggestions verified with HypoPG, on a session of its own (work::Request::Advise
//!  in the console, `pgmedic advise` on the command line); report: findings as JSON.
//! ```

pub mod advisor;
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
pub mod plan;
pub mod quote;
pub mod report;
pub mod review;
pub mod server;
pub mod snapshot;
pub mod sql_tree;
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
    /// A plan file that cannot be read: `FILE: line 3, column 7: …`.
    #[error("{0}")]
    Plan(String),
    #[error("{0}")]
    Advise(String),
    #[error("report: {0}")]
    Report(String),
    #[error("terminal: {0}")]
    Terminal(#[from] std::io::Error),
}

/// Runs what the command line asked for; the exit code is `check`'s, or success.
pub async fn run(cli: Cli) -> Result<std::process::ExitCode, Error> {
    let done = std::process::ExitCode::SUCCESS;
    match cli.command {
        Some(Command::Demo(args)) => demo::run(args).await.map(|()| done),
        Some(Command::Explain(args)) => explain_files(&args).map(|()| done),
        Some(Command::Advise(args)) => advisor::command::run(&args, &mut std::io::stdout())
            .await
            .map(|()| done),
        Some(Command::Report(args)) => Ok(report::run::report(&args).await),
        Some(Command::Check(args)) => Ok(report::run::check(&args).await),
        None => {
            let config = config::Config::load()?;
            let params = config.connection(&cli.conn)?;
            let profile = config.profile(cli.conn.profile.as_deref())?;
            let settings = config.settings(&cli.tui, profile)?;
            console_with(params, settings).await.map(|()| done)
        }
    }
}

/// `pgmedic explain FILE [FILE]`: reads the plans (failing with one line, file, line and
/// column, before the terminal is touched) and opens the viewer.
pub fn explain_files(args: &cli::ExplainArgs) -> Result<(), Error> {
    let tui = cli::TuiArgs {
        refresh: None,
        read_only: true,
        theme: args.theme.clone(),
        pgbouncer: None,
    };
    let settings = config::Settings::load(&tui)?;
    let theme = ui::theme::Theme::load(&settings.theme)?;
    let mut shown = Vec::new();
    for path in &args.files {
        let name = path.display().to_string();
        let text = std::fs::read(path).map_err(|e| Error::Plan(format!("{name}: {e}")))?;
        let text = String::from_utf8(text)
            .map_err(|_| Error::Plan(format!("{name}: not a text file (not UTF-8)")))?;
        let plan = plan::Plan::parse(&text).map_err(|e| Error::Plan(format!("{name}: {e}")))?;
        shown.push(app::explain::Shown {
            plan,
            sql: None,
            how: None,
            source: name,
        });
    }
    app::viewer::run(shown, &theme)?;
    Ok(())
}

/// Connects (failing with one line before the terminal is touched) and runs the console.
pub async fn console(params: conn::ConnParams, tui: &cli::TuiArgs) -> Result<(), Error> {
    console_with(params, config::Settings::load(tui)?).await
}

/// The console with settings already resolved (config file, profile, command line).
pub async fn console_with(
    mut params: conn::ConnParams,
    settings: config::Settings,
) -> Result<(), Error> {
    if let Some(url) = &settings.pgbouncer {
        pgbouncer::admin_params(url).map_err(Error::PgBouncer)?;
    }
    let theme = ui::theme::Theme::load(&settings.theme)?;
    let mut monitoring = collect::monitoring_params(&params);
    let client = conn::connect_prompting(&mut monitoring, collect::APPLICATION_NAME)
        .await
        .map_err(collect::pooler_hint)?;
    // A password typed at the prompt serves every later session. The other settings of the
    // monitoring session (read-only transactions, its timeouts) are its own: jobs, EXPLAIN and
    // the other work sessions start from the plain parameters and set their own.
    params.passwords_from(&monitoring);
    let session = collect::set_up_session(client).await?;
    app::run(params, session, &settings, theme).await?;
    Ok(())
}
