//! On-demand work that is not monitoring: reads the DBA asked for (an EXPLAIN, an exact bloat
//! measurement, the index advisor's verification…), each in a task of its own on a connection
//! of its own, never the monitoring session. The result comes back as a message.
//!
//! A pane asks with `Effect::Work(Request::…)`; `spawn` starts the task for it.

pub mod bloat;
pub mod indexes;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;
use tokio_postgres::{CancelToken, Client};

use crate::advisor::{self, AdviseOptions};
use crate::app::msg::Msg;
use crate::collect::{APPLICATION_NAME, pooler_hint};
use crate::conn::{self, ConnError, ConnParams};
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

/// Cancel keys of the tasks running, by request id, and the ids whose cancel came before the
/// task had a session (it then stops before its first statement).
#[derive(Default)]
pub struct Cancels {
    state: Mutex<CancelState>,
}

impl std::fmt::Debug for Cancels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.lock();
        f.debug_struct("Cancels")
            .field("running", &state.tokens.keys().collect::<Vec<_>>())
            .field("asked", &state.asked)
            .finish()
    }
}

#[derive(Default)]
struct CancelState {
    tokens: HashMap<u64, CancelToken>,
    asked: HashSet<u64>,
}

impl Cancels {
    fn lock(&self) -> std::sync::MutexGuard<'_, CancelState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Registers the session of task `id`; false when its cancel was asked for already.
    pub fn register(&self, id: u64, token: CancelToken) -> bool {
        let mut state = self.lock();
        if state.asked.contains(&id) {
            return false;
        }
        state.tokens.insert(id, token);
        true
    }

    /// Whether a cancel was asked for task `id`.
    pub fn asked(&self, id: u64) -> bool {
        self.lock().asked.contains(&id)
    }

    /// The task ended: forget it.
    pub fn forget(&self, id: u64) {
        let mut state = self.lock();
        state.tokens.remove(&id);
        state.asked.remove(&id);
    }

    /// Asks task `id` to stop: a cancel request to its running statement, if it has one.
    fn cancel(&self, id: u64, params: &ConnParams) {
        if let Some(token) = self.ask(id) {
            let tls = params.tls_connector();
            tokio::spawn(async move {
                let _ = tokio::time::timeout(Duration::from_secs(5), token.cancel_query(tls)).await;
            });
        }
    }

    /// Cancels every task running, waiting (at most `within`) for the requests to be sent:
    /// before the console quits, so that no EXPLAIN ANALYZE goes on running on the server.
    pub async fn cancel_all(&self, params: &ConnParams, within: Duration) {
        let ids: Vec<u64> = self.lock().tokens.keys().copied().collect();
        let cancels = ids.into_iter().filter_map(|id| self.ask(id)).map(|token| {
            let tls = params.tls_connector();
            async move { token.cancel_query(tls).await }
        });
        let _ = tokio::time::timeout(within, futures_util::future::join_all(cancels)).await;
    }

    /// Marks task `id` as asked to stop; its cancel key when it has a session.
    fn ask(&self, id: u64) -> Option<CancelToken> {
        let mut state = self.lock();
        state.asked.insert(id);
        state.tokens.get(&id).cloned()
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
