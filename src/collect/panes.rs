//! The collectors of the panes beyond the Overview. After every Overview refresh the
//! monitoring task asks the focused pane's collector for its snapshot, on the same
//! monitoring session; panes out of sight cost nothing, but for a sample of
//! pg_stat_statements' counters every 10 s that keeps the Queries pane's windows filled. Each
//! collector keeps its own state
//! (prepared statements, texts already fetched, the previous counters) and chooses its own
//! cadence: an expensive read can run every few refreshes, or when asked.

use std::time::{Duration, Instant};

use tokio::sync::mpsc::UnboundedSender;
use tokio_postgres::Client;

use crate::app::indexes::IndexesEvent;
use crate::app::msg::Msg;
use crate::app::pane::Pane;
use crate::collect::activity::ActivityCollector;
use crate::collect::bloat::BloatCollector;
use crate::collect::queries::QueriesCollector;
use crate::collect::settings::SettingsCollector;
use crate::server::ServerInfo;

/// While the Queries pane is out of sight, its ring of samples still gets one this often, so
/// that the last 1, 5 and 15 minutes are there when the DBA turns to it.
pub const QUERIES_BACKGROUND_EVERY: Duration = Duration::from_secs(10);

/// One field per pane collector.
#[derive(Debug, Default)]
pub struct PaneCollectors {
    queries: QueriesCollector,
    /// When the Queries collector last read a sample.
    queries_sampled: Option<Instant>,
    activity: ActivityCollector,
    indexes: crate::collect::indexes::IndexesCollector,
    bloat: BloatCollector,
    settings: SettingsCollector,
}

impl PaneCollectors {
    /// Forgets what was read on the previous session (prepared statements, counters).
    pub fn restart(&mut self) {
        *self = Self::default();
    }

    /// The DBA asked for a refresh (or an action finished): collectors with a slow cadence
    /// read everything again now.
    pub fn refresh_requested(&mut self) {
        self.indexes.request_full();
        self.bloat.invalidate();
        self.settings.request();
    }

    /// Reads the focused pane's snapshot and sends it; `false` once the app is gone.
    pub async fn collect(
        &mut self,
        client: &Client,
        server: &ServerInfo,
        focus: Pane,
        tx: &UnboundedSender<Msg>,
    ) -> bool {
        if focus != Pane::Queries
            && server.pg_stat_statements_problem().is_none()
            && self
                .queries_sampled
                .is_none_or(|at| at.elapsed() >= QUERIES_BACKGROUND_EVERY)
        {
            self.queries_sampled = Some(Instant::now());
            let snapshot = self.queries.collect_counters(client, server).await;
            if tx.send(Msg::Queries(Box::new(snapshot))).is_err() {
                return false;
            }
        }
        match focus {
            // The Overview's snapshot is read on every refresh anyway; the Jobs pane shows
            // the job runner's events; the Explain pane runs its EXPLAINs on sessions of
            // their own (work::Request).
            Pane::Overview | Pane::Jobs | Pane::Explain => true,
            Pane::Queries => {
                self.queries_sampled = Some(Instant::now());
                let snapshot = self.queries.collect(client, server).await;
                tx.send(Msg::Queries(Box::new(snapshot))).is_ok()
            }
            Pane::Activity => {
                let snapshot = self.activity.collect(client, server).await;
                tx.send(Msg::Activity(Box::new(snapshot))).is_ok()
            }
            Pane::Indexes => match self.indexes.collect(client, server).await {
                Some(part) => tx
                    .send(Msg::Indexes(Box::new(IndexesEvent::Snapshot(part))))
                    .is_ok(),
                None => true,
            },
            Pane::Bloat => {
                let snapshot = self.bloat.collect(client, server).await;
                tx.send(Msg::Bloat(Box::new(snapshot))).is_ok()
            }
            Pane::Settings => match self.settings.collect(client, server).await {
                Some(snapshot) => tx.send(Msg::Settings(Box::new(snapshot))).is_ok(),
                None => true,
            },
        }
    }
}
