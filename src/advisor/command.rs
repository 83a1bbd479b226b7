//! `pgmedic advise`: connect as psql would, run the advisor, write the migration or the JSON
//! findings to the given writer (stdout from main). Nothing on the server changes.

use std::io::Write;

use crate::cli::{AdviseArgs, AdviseFormat};
use crate::{Error, collect, conn};

/// Runs the advisor for the command line and writes its output.
pub async fn run(args: &AdviseArgs, out: &mut impl Write) -> Result<(), Error> {
    let params = crate::config::Config::load()?.connection(&args.conn)?;
    let mut monitoring = collect::monitoring_params(&params);
    let client = conn::connect_prompting(&mut monitoring, collect::APPLICATION_NAME)
        .await
        .map_err(collect::pooler_hint)?;
    let (client, server) = collect::set_up_session(client).await?;
    // What keeping an index up to date costs: the tables' writes over the interval.
    let interval = args
        .interval
        .unwrap_or(crate::report::run::DEFAULT_INTERVAL);
    let rates = collect::indexes::write_rates_over(&client, interval)
        .await
        .map_err(|e| {
            Error::Advise(format!(
                "reading the tables' write counters: {}",
                conn::describe(&e)
            ))
        })?;
    let options = super::AdviseOptions {
        max_statements: args.statements,
        table_writes: Some(rates),
        ..super::AdviseOptions::default()
    };
    // `monitoring` carries a password typed at the prompt
    let advice = super::advise(&monitoring, &server, &options)
        .await
        .map_err(|e| Error::Advise(e.to_string()))?;
    let report = super::output::report(&advice, &server);
    let text = match args.format {
        AdviseFormat::Sql => super::output::migration(&advice, &server, &report.generated_at),
        AdviseFormat::Json => {
            let mut json =
                serde_json::to_string_pretty(&report).map_err(|e| Error::Advise(e.to_string()))?;
            json.push('\n');
            json
        }
    };
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}
