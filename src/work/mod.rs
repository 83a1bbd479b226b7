//! On-demand work that is not monitoring: reads the DBA asked for (an EXPLAIN, an exact bloat
//! measurement, the index advisor's verification…), each in a task of its own on a connection
//! of its own, never the monitoring session. The result comes back as a message.
//!
//! A pane asks with `Effect::Work(Request::…)`; `spawn` starts the task for it.

pub mod bloat;

use tokio::sync::mpsc::UnboundedSender;
use tokio_postgres::Client;

use crate::app::msg::Msg;
use crate::collect::{APPLICATION_NAME, pooler_hint};
use crate::conn::{self, ConnError, ConnParams};

/// A piece of on-demand work, with everything it needs from the model.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// pgstattuple / pgstatindex of one relation (the Bloat & vacuum pane's `x`).
    BloatExact(bloat::ExactRequest),
}

/// What every task gets: the server's connection parameters and the app's inbox.
#[derive(Debug, Clone)]
pub struct WorkContext {
    pub params: ConnParams,
    pub tx: UnboundedSender<Msg>,
}

/// Starts the task for `request`; it reports through `context.tx`.
pub fn spawn(request: Request, context: &WorkContext) {
    match request {
        Request::BloatExact(request) => {
            let context = context.clone();
            tokio::spawn(async move {
                let reply = bloat::measure(&context.params, request).await;
                let _ = context.tx.send(Msg::BloatExact(Box::new(reply)));
            });
        }
    }
}

/// A session of its own for a task, with `settings` as startup options (e.g. a
/// statement_timeout, `default_transaction_read_only=on`).
pub async fn connect(params: &ConnParams, settings: &[(&str, &str)]) -> Result<Client, ConnError> {
    conn::connect(&params.with_startup_settings(settings), APPLICATION_NAME)
        .await
        .map_err(pooler_hint)
}
