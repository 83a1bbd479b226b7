//! `pgmedic demo`: a throwaway cluster with a trading-platform database, planted problems and a
//! bounded background workload, then the console on it.

use crate::Error;
use crate::cli::DemoArgs;

pub async fn run(args: DemoArgs) -> Result<(), Error> {
    let _ = args;
    Err(Error::Demo("not built yet".to_owned()))
}
