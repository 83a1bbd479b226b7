//! The command line: `pgmedic [CONN] [-h -p -U -d] [--profile] [--refresh] [--read-only]
//! [--theme]`, `pgmedic demo`, `pgmedic report`, `pgmedic check`, `pgmedic advise [CONN]
//! --format sql|json` and `pgmedic explain FILE`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::Bounds;
use crate::conn::ConnRequest;
use crate::report::{Kind, Severity};

/// An interactive terminal DBA console for `PostgreSQL`.
#[derive(Debug, Parser)]
#[command(
    name = "pgmedic",
    version,
    disable_help_flag = true,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub conn: ConnArgs,
    #[command(flatten)]
    pub tui: TuiArgs,
    /// Print help.
    #[arg(long, action = clap::ArgAction::Help, global = true)]
    help: Option<bool>,
}

/// True when the arguments (without the program name) ask for `pgmedic check` or `pgmedic
/// report`, so that a usage error can exit with their "could not check" code (3).
#[must_use]
pub fn is_check(args: &[std::ffi::OsString]) -> bool {
    args.iter()
        .find(|a| !a.to_string_lossy().starts_with('-'))
        .is_some_and(|a| a == "check" || a == "report")
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start a throwaway local cluster with a realistic workload, then the console on it.
    Demo(DemoArgs),
    /// Suggest indexes for the heaviest statements (verified with HypoPG where installed).
    #[command(disable_help_flag = true)]
    Advise(AdviseArgs),
    /// Open a saved EXPLAIN (JSON or TEXT, as psql prints it) in the plan viewer; with two
    /// files, compare them. No server needed.
    Explain(ExplainArgs),
    /// Every finding, as markdown or JSON, without the console.
    #[command(disable_help_flag = true)]
    Report(ReportArgs),
    /// One line per problem; exit 0 ok, 1 warning, 2 critical, 3 could not check.
    #[command(disable_help_flag = true)]
    Check(CheckArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ExplainArgs {
    /// The plan file; a second one is compared with the first (before, after).
    #[arg(value_name = "FILE", required = true, num_args = 1..=2)]
    pub files: Vec<PathBuf>,
    /// Theme: dark, light, high-contrast, no-color, or a path to a TOML file [default: dark].
    #[arg(long)]
    pub theme: Option<String>,
}

/// `pgmedic advise`: where to connect and what to write.
#[derive(Debug, Clone, Args)]
pub struct AdviseArgs {
    #[command(flatten)]
    pub conn: ConnArgs,
    /// Output: a migration psql applies, or index_suggestion findings as JSON.
    #[arg(long, value_enum, default_value_t = AdviseFormat::Sql)]
    pub format: AdviseFormat,
    /// How many of the heaviest statements (by total time) to analyse.
    #[arg(long, default_value_t = crate::advisor::DEFAULT_MAX_STATEMENTS, value_parser = parse_statements)]
    pub statements: usize,
    /// How long to watch the tables' writes (what an index costs to keep), e.g. 5s [default: 5s].
    #[arg(long, value_parser = parse_interval)]
    pub interval: Option<Duration>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AdviseFormat {
    Sql,
    Json,
}

/// `pgmedic report`.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub conn: ConnArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: Format,
    #[command(flatten)]
    pub scope: ScopeArgs,
}

/// `pgmedic check`.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub conn: ConnArgs,
    #[command(flatten)]
    pub scope: ScopeArgs,
}

/// How a report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Markdown,
    Json,
}

/// What report and check look at, and how long they watch.
#[derive(Debug, Clone, Args)]
pub struct ScopeArgs {
    /// Only these kinds of finding, comma-separated (e.g. unused_index,setting).
    #[arg(long, value_delimiter = ',', value_parser = Kind::parse, value_name = "KIND,...")]
    pub only: Vec<Kind>,
    /// Leave out findings below this severity: info, warning, critical [default: info].
    #[arg(long, value_parser = Severity::parse, value_name = "SEVERITY")]
    pub min_severity: Option<Severity>,
    /// How long to watch for figures that need two samples (rates), e.g. 5s [default: 5s].
    #[arg(long, value_parser = parse_interval)]
    pub interval: Option<Duration>,
    /// Override a threshold, e.g. connections_pct=70:85 or xid_age=:1.2e9 (repeatable).
    #[arg(long = "threshold", value_name = "NAME=WARN:CRIT", value_parser = crate::config::parse_threshold)]
    pub thresholds: Vec<(String, Bounds)>,
}

/// Where to connect, as psql takes it.
#[derive(Clone, Args, Default)]
pub struct ConnArgs {
    /// A postgres:// URL or a key=value conninfo string (e.g. "host=db1 dbname=app").
    #[arg(value_name = "CONNINFO | URL")]
    pub conninfo: Option<String>,
    /// Server host name or unix socket directory (starting with /).
    #[arg(short = 'h', long)]
    pub host: Option<String>,
    /// Server port.
    #[arg(short = 'p', long)]
    pub port: Option<u16>,
    /// Role to connect as.
    #[arg(short = 'U', long = "username")]
    pub user: Option<String>,
    /// Database to connect to.
    #[arg(short = 'd', long)]
    pub dbname: Option<String>,
    /// A named connection profile of the config file ([profiles.NAME]).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
}

impl std::fmt::Debug for ConnArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.request().fmt(f)
    }
}

impl ConnArgs {
    #[must_use]
    pub fn request(&self) -> ConnRequest {
        ConnRequest {
            conninfo: self.conninfo.clone(),
            host: self.host.clone(),
            port: self.port,
            user: self.user.clone(),
            dbname: self.dbname.clone(),
        }
    }
}

/// How the console behaves (each also settable in the config file; see `config`).
#[derive(Debug, Clone, Args)]
pub struct TuiArgs {
    /// Refresh interval, e.g. 2s, 500ms, 1m [default: 2s].
    #[arg(long, value_parser = parse_interval)]
    pub refresh: Option<Duration>,
    /// Refuse every action that changes the server.
    #[arg(long)]
    pub read_only: bool,
    /// Theme: dark, light, high-contrast, no-color, or a path to a TOML file [default: dark].
    #[arg(long)]
    pub theme: Option<String>,
    /// PgBouncer's admin console (e.g. postgresql://admin@127.0.0.1:6432/pgbouncer): its
    /// pools beside the server's sessions in the Activity pane.
    #[arg(long, value_name = "URL")]
    pub pgbouncer: Option<crate::pgbouncer::AdminUrl>,
}

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Leave the cluster running after the console exits (prints how to reach and stop it).
    #[arg(long)]
    pub keep: bool,
    /// Port number of the demo cluster's unix socket (a free one by default).
    #[arg(long)]
    pub port: Option<u16>,
    /// `PostgreSQL` bin directory to run the cluster from (found automatically by default).
    #[arg(long, value_name = "DIR")]
    pub pg_bindir: Option<PathBuf>,
    /// Load the data and run the workload, but do not open the console (for scripts).
    #[arg(long)]
    pub no_tui: bool,
    /// Size of the demo data: a factor on the row counts (1 = 50k users, 500k orders).
    #[arg(long, default_value = "1", value_parser = crate::demo::parse_scale)]
    pub scale: f64,
    #[command(flatten)]
    pub tui: TuiArgs,
}

/// `--statements`: 1 to 1000.
fn parse_statements(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if (1..=1000).contains(&n) => Ok(n),
        _ => Err(format!("{text:?} is not a number from 1 to 1000")),
    }
}

/// A command-line error as one line: clap's message without its "error:" prefix and usage tail.
#[must_use]
pub fn one_line(err: &clap::Error) -> String {
    let text = err.to_string();
    let first = text.lines().next().unwrap_or_default();
    format!(
        "{} (see pgmedic --help)",
        first.trim_start_matches("error: ").trim()
    )
}

/// Parses `2s`, `500ms`, `1m`, `1h`, or a bare number of seconds.
pub fn parse_interval(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("not a duration: {text:?}"))?;
    let seconds = match unit.trim() {
        "" | "s" => value,
        "ms" => value / 1000.0,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        _ => return Err(format!("unknown unit in {text:?} (use ms, s, m or h)")),
    };
    if !(0.1..=3600.0).contains(&seconds) {
        return Err(format!("{text:?} is out of range (100ms to 1h)"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_upper_bound_is_written_in_a_unit_that_is_accepted() {
        assert_eq!(parse_interval("1h"), Ok(Duration::from_secs(3600)));
        assert!(
            parse_interval("2h")
                .unwrap_err()
                .contains("out of range (100ms to 1h)")
        );
    }

    #[test]
    fn intervals() {
        assert_eq!(parse_interval("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_interval("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_interval("1m"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_interval("3"), Ok(Duration::from_secs(3)));
        assert!(parse_interval("0s").is_err());
        assert!(parse_interval("fast").is_err());
        assert!(parse_interval("2h").is_err());
    }

    #[test]
    fn conn_flags_like_psql() {
        let cli = Cli::try_parse_from([
            "pgmedic", "-h", "/tmp", "-p", "5433", "-U", "bob", "-d", "app",
        ])
        .unwrap();
        assert!(cli.command.is_none());
        let req = cli.conn.request();
        assert_eq!(req.host.as_deref(), Some("/tmp"));
        assert_eq!(req.port, Some(5433));
        assert_eq!(req.user.as_deref(), Some("bob"));
        assert_eq!(req.dbname.as_deref(), Some("app"));
    }

    #[test]
    fn bad_flags_are_one_line() {
        let err = Cli::try_parse_from(["pgmedic", "-p", "abc"]).unwrap_err();
        let line = one_line(&err);
        assert!(!line.contains('\n'), "{line}");
        assert!(line.contains("invalid value 'abc'"), "{line}");
    }

    #[test]
    fn debug_output_hides_passwords() {
        let cli = Cli::try_parse_from(["pgmedic", "postgres://u:s3cret@h/d"]).unwrap();
        assert!(!format!("{cli:?}").contains("s3cret"));
    }

    #[test]
    fn explain_subcommand_takes_one_or_two_files() {
        let cli = Cli::try_parse_from(["pgmedic", "explain", "plan.json"]).unwrap();
        let Some(Command::Explain(args)) = cli.command else {
            panic!("not explain")
        };
        assert_eq!(args.files, [PathBuf::from("plan.json")]);
        assert!(Cli::try_parse_from(["pgmedic", "explain", "a", "b"]).is_ok());
        assert!(Cli::try_parse_from(["pgmedic", "explain"]).is_err());
        assert!(Cli::try_parse_from(["pgmedic", "explain", "a", "b", "c"]).is_err());
    }

    #[test]
    fn advise_subcommand_takes_connection_flags_like_psql() {
        let cli = Cli::try_parse_from([
            "pgmedic", "advise", "-h", "/tmp", "-d", "shop", "--format", "json",
        ])
        .unwrap();
        let Some(Command::Advise(args)) = cli.command else {
            panic!("not advise")
        };
        assert_eq!(args.format, AdviseFormat::Json);
        assert_eq!(args.conn.request().host.as_deref(), Some("/tmp"));
        assert_eq!(args.statements, crate::advisor::DEFAULT_MAX_STATEMENTS);
        let cli = Cli::try_parse_from(["pgmedic", "advise", "dbname=x"]).unwrap();
        let Some(Command::Advise(args)) = cli.command else {
            panic!("not advise")
        };
        assert_eq!(args.format, AdviseFormat::Sql);
        assert!(Cli::try_parse_from(["pgmedic", "advise", "--format", "xml"]).is_err());
        assert!(Cli::try_parse_from(["pgmedic", "advise", "--statements", "0"]).is_err());
    }

    #[test]
    fn demo_subcommand() {
        let cli = Cli::try_parse_from(["pgmedic", "demo", "--keep", "--port", "6543"]).unwrap();
        let Some(Command::Demo(demo)) = cli.command else {
            panic!("not demo")
        };
        assert!(demo.keep);
        assert_eq!(demo.port, Some(6543));
    }
}
