//! pgmedic: parse the command line, run, and turn any error into one line and a non-zero exit.

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    pgmedic::conn::scrub_password_from_argv();
    let cli = match pgmedic::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) if !err.use_stderr() => err.exit(), // --help, --version
        Err(err) => {
            eprintln!("pgmedic: {}", pgmedic::cli::one_line(&err));
            // A usage error, as clap and psql report it; report's and check's own code for
            // "could not check".
            let args: Vec<_> = std::env::args_os().skip(1).collect();
            return ExitCode::from(if pgmedic::cli::is_check(&args) { 3 } else { 2 });
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => return fail(&err),
    };
    match runtime.block_on(pgmedic::run(cli)) {
        Ok(code) => code,
        Err(err) => fail(&err),
    }
}

fn fail(err: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("pgmedic: {err}");
    ExitCode::FAILURE
}
