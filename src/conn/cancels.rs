//! The sessions pgmedic may have to stop — jobs, EXPLAINs — by the id of the task that runs
//! each: their cancel keys once they have a session, and the ids whose cancel came before
//! (such a task stops before its first statement).

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio_postgres::CancelToken;

use crate::conn::ConnParams;

/// How long one cancel request may take to reach the server.
const SEND_WITHIN: Duration = Duration::from_secs(5);

#[derive(Default)]
pub struct Cancels {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    tokens: HashMap<u64, CancelToken>,
    asked: HashSet<u64>,
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

impl Cancels {
    fn lock(&self) -> MutexGuard<'_, State> {
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

    /// Asks task `id` to stop, in the background.
    pub fn cancel(&self, id: u64, params: &ConnParams) {
        if let Some(token) = self.ask(id) {
            let tls = params.tls_connector();
            tokio::spawn(async move {
                let _ = tokio::time::timeout(SEND_WITHIN, token.cancel_query(tls)).await;
            });
        }
    }

    /// Asks every task of `ids` to stop, and waits (at most `within`) for the cancel requests
    /// of those with a session to be sent.
    pub async fn cancel_now(
        &self,
        ids: impl IntoIterator<Item = u64>,
        params: &ConnParams,
        within: Duration,
    ) {
        let cancels = ids.into_iter().filter_map(|id| self.ask(id)).map(|token| {
            let tls = params.tls_connector();
            async move { token.cancel_query(tls).await }
        });
        let sends = futures_util::future::join_all(cancels);
        let _ = tokio::time::timeout(within, sends).await;
    }

    /// [`Cancels::cancel_now`] for every task that has a session.
    pub async fn cancel_all(&self, params: &ConnParams, within: Duration) {
        let ids: Vec<u64> = self.lock().tokens.keys().copied().collect();
        self.cancel_now(ids, params, within).await;
    }

    /// Marks task `id` as asked to stop; its cancel key when it has a session.
    fn ask(&self, id: u64) -> Option<CancelToken> {
        let mut state = self.lock();
        state.asked.insert(id);
        state.tokens.get(&id).cloned()
    }
}
