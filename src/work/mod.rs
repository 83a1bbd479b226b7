//! On-demand work that is not monitoring: reads the DBA asked for (an EXPLAIN, an exact bloat
//! measurement, the index advisor's verification…), each in a task of its own on a connection
//! of its own, never the monitoring session. The result comes back as a message.
//!
//! A pane asks with `Effect::Work(Request::…)`; `spawn` starts the task for it.

pub mod bloat;
pub mod indexes;

use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;
use tokio_postgres::Client;

use crate::advisor::{self, AdviseOptions};
use crate::app::msg::Msg;
use crate::collect::{APPLICATION_NAME, pooler_hint};
use crate::conn::{self, Cancels, ConnError, ConnParams};
use crate::server::ServerInfo;

/// A piece of on-demand work, with everything it needs from the model.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// pgstattuple / pgstatindex of one relation (the Bloat & vacuum pane's `x`).
    BloatExact(bloat::ExactRequest),
    /// The whole query of one backend, for the Activity detail view.
    ActivityQuery { pid: i32, backend_start: String },
    /// EXPLAIN a statement (Explain pane).
    Explain(crate::explain::run::ExplainRequest),
    /// Cancel the EXPLAIN of that request id: its statement gets a cancel request, or, still
    /// connecting, it stops before running anything.
    CancelExplain(u64),
    /// The index advisor, verifying with HypoPG on a session of its own; answers with
    /// `Msg::Advice`.
    Advise {
        server: Box<ServerInfo>,
        options: AdviseOptions,
    },
    /// The Indexes pane's: what if dropped, re-check, leftover, follow-up, review files.
    Indexes(indexes::IndexesRequest),
}

/// What every task gets: the server's connection parameters and the app's inbox.
#[derive(Debug, Clone)]
pub struct WorkContext {
    pub params: ConnParams,
    pub tx: UnboundedSender<Msg>,
    /// The EXPLAINs that can be cancelled.
    pub explains: Arc<Cancels>,
}

impl WorkContext {
    #[must_use]
    pub fn new(params: ConnParams, tx: UnboundedSender<Msg>) -> Self {
        Self {
            params,
            tx,
            explains: Arc::default(),
        }
    }
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
        Request::Indexes(request) => indexes::spawn(request, context),
        Request::Advise { server, options } => {
            let (params, tx) = (context.params.clone(), context.tx.clone());
            tokio::spawn(async move {
                let advice = advisor::advise(&params, &server, &options)
                    .await
                    .map_err(|e| e.to_string());
                let _ = tx.send(Msg::Advice(Box::new(advice)));
            });
        }
        Request::Explain(request) => {
            tokio::spawn(crate::explain::run::task(request, context.clone()));
        }
        Request::CancelExplain(id) => context.explains.cancel(id, &context.params),
        Request::ActivityQuery { pid, backend_start } => {
            let context = context.clone();
            tokio::spawn(async move {
                let query = full_query(&context.params, pid, &backend_start).await;
                let _ = context.tx.send(Msg::ActivityQuery { pid, query });
            });
        }
    }
}

/// One backend's whole query, read on a short read-only session of its own.
async fn full_query(
    params: &ConnParams,
    pid: i32,
    backend_start: &str,
) -> Result<Option<String>, String> {
    let client = connect(params, crate::server::MONITORING_SETTINGS)
        .await
        .map_err(|e| e.to_string())?;
    crate::collect::activity::full_query(&client, pid, backend_start).await
}

/// A session of its own for a task, with `settings` as startup options (e.g. a
/// statement_timeout, `default_transaction_read_only=on`).
pub async fn connect(params: &ConnParams, settings: &[(&str, &str)]) -> Result<Client, ConnError> {
    conn::connect(&params.with_startup_settings(settings), APPLICATION_NAME)
        .await
        .map_err(pooler_hint)
}
