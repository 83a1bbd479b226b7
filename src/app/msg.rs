//! Everything that can happen to the console, as data. Model::update takes one at a time.

use std::time::{Duration, Instant};

use crossterm::event::{KeyEvent, MouseEvent};

use crate::advisor::Advice;
use crate::app::indexes::IndexesEvent;
use crate::diagnose::maintenance::BloatSnapshot;
use crate::jobs::JobEvent;
use crate::server::ServerInfo;
use crate::snapshot::OverviewSnapshot;
use crate::snapshot::Part;
use crate::snapshot::activity::ActivitySnapshot;
use crate::snapshot::queries::QueriesSnapshot;
use crate::snapshot::settings::SettingsSnapshot;
use crate::work::bloat::ExactReply;

/// An event for the model.
#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// The clock moved (ages and "refreshed n s ago" only).
    Tick(Instant),
    /// A new Overview snapshot from the collector.
    Snapshot(Box<OverviewSnapshot>),
    /// A new Queries snapshot (pg_stat_statements), while the pane is in sight.
    Queries(Box<QueriesSnapshot>),
    /// A new Settings snapshot from the collector.
    Settings(Box<SettingsSnapshot>),
    /// The monitoring connection changed state.
    Conn(ConnEvent),
    /// A new Activity snapshot (or why it could not be read).
    Activity(Box<Part<ActivitySnapshot>>),
    /// The full text of a session's query, for the Activity detail view.
    ActivityQuery {
        pid: i32,
        query: Result<Option<String>, String>,
    },
    /// A read of PgBouncer's admin console (or why it failed).
    PgBouncer(Box<Result<crate::pgbouncer::PgBouncerSnapshot, String>>),
    /// A new Bloat & vacuum snapshot from its collector.
    Bloat(Box<BloatSnapshot>),
    /// An exact bloat measurement (pgstattuple) came back.
    BloatExact(Box<ExactReply>),
    /// A job started, progressed or finished.
    Job(JobEvent),
    /// An EXPLAIN came back (Explain pane).
    Explain(Box<crate::explain::run::ExplainOutcome>),
    /// The index advisor's answer to `work::Request::Advise` (the Indexes pane shows it).
    Advice(Box<Result<Advice, String>>),
    /// The Indexes pane's snapshot, or the answer to its on-demand work.
    Indexes(Box<IndexesEvent>),
    /// The terminal went away or the process was asked to stop (SIGTERM, SIGHUP).
    Shutdown,
}

/// What the collector reports about its connection.
#[derive(Debug, Clone, PartialEq)]
pub enum ConnEvent {
    /// Connected and probed; the session is set up.
    Up(Box<ServerInfo>),
    /// The connection failed or was lost; the next attempt is in `retry_in`.
    Down {
        error: String,
        attempt: u32,
        retry_in: Duration,
    },
}
