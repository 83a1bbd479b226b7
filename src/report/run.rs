//! `pgmedic report` and `pgmedic check`: resolve the connection (profile included), the
//! thresholds (config file, then `--threshold`), gather, run the areas, write the result.

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use crate::Error;
use crate::cli::{CheckArgs, ConnArgs, Format, ReportArgs, ScopeArgs};
use crate::config::{self, Config};
use crate::conn::ConnParams;
use crate::diagnose::health::Thresholds;
use crate::report::areas::{self, Filter, Section};
use crate::report::{Report, Severity, check, gather, markdown};

/// How long a report watches unless `--interval` says otherwise.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);

/// What a report runs with, resolved from the command line and the config file.
struct Plan {
    params: ConnParams,
    limits: Thresholds,
    filter: Filter,
    interval: Duration,
}

fn plan(conn: &ConnArgs, scope: &ScopeArgs, min_severity: Severity) -> Result<Plan, Error> {
    let config = Config::load()?;
    let params = config.connection(conn)?;
    let mut limits = config.thresholds();
    for (name, bounds) in &scope.thresholds {
        // Names were checked when the flag was parsed; the order of the bounds only now,
        // over the config file's.
        config::set_threshold(&mut limits, name, *bounds)
            .map_err(|why| Error::Report(format!("--threshold {why}")))?;
    }
    Ok(Plan {
        params,
        limits,
        filter: Filter {
            only: scope.only.clone(),
            min_severity: scope.min_severity.unwrap_or(min_severity),
        },
        interval: scope.interval.unwrap_or(DEFAULT_INTERVAL),
    })
}

/// Gathers and runs every area: the report, and its findings by area.
async fn analyse(plan: &Plan) -> Result<(Report, Vec<Section>), Error> {
    let gathering = gather::gather(&plan.params, plan.interval, &plan.limits);
    let (server, analyses) = Box::pin(gathering).await?;
    let (sections, not_checked) =
        areas::run(&analyses, &plan.limits, &plan.filter, &server.database);
    let findings = sections.iter().flat_map(|s| s.findings.clone()).collect();
    Ok((Report::new(&server, findings, not_checked), sections))
}

/// `pgmedic report`: the report on standard output, exit 0; anything that keeps it from
/// reporting is one line on standard error and exit 3, as `check` does.
pub async fn report(args: &ReportArgs) -> ExitCode {
    match Box::pin(write_report(args)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "pgmedic: {err}");
            ExitCode::from(check::UNKNOWN)
        }
    }
}

async fn write_report(args: &ReportArgs) -> Result<(), Error> {
    let plan = plan(&args.conn, &args.scope, Severity::Info)?;
    let (report, sections) = Box::pin(analyse(&plan)).await?;
    let text = match args.format {
        Format::Json => {
            serde_json::to_string_pretty(&report).map_err(|e| Error::Report(e.to_string()))?
        }
        Format::Markdown => markdown::render(
            &report,
            &sections,
            &plan.params.summary(),
            &crate::app::model::humanize(plan.interval),
        ),
    };
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{}", text.trim_end()) {
        // A reader that stopped early (`| head`) is no error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        written => Ok(written?),
    }
}

/// `pgmedic check`: one line per problem on standard output and the exit code; anything
/// that keeps it from checking is one `UNKNOWN:` line and exit 3.
pub async fn check(args: &CheckArgs) -> ExitCode {
    let outcome = async {
        let plan = plan(&args.conn, &args.scope, Severity::Info)?;
        Box::pin(analyse(&plan)).await
    };
    let (lines, code) = match Box::pin(outcome).await {
        Ok((report, _)) => (
            check::lines(&report.findings, report.not_checked.len()),
            check::exit_code(&report.findings),
        ),
        Err(err) => (vec![format!("UNKNOWN: {err}")], check::UNKNOWN),
    };
    let mut out = std::io::stdout().lock();
    for line in lines {
        if writeln!(out, "{line}").is_err() {
            return ExitCode::from(check::UNKNOWN);
        }
    }
    ExitCode::from(code)
}
