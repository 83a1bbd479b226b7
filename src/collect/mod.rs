//! Collectors: one tokio task owns the monitoring session, reads snapshots every refresh and
//! sends them to the app as messages. I/O only — the analysis lives in `diagnose`.
//!
//! The monitoring session cannot make an incident worse: application_name pgmedic, a
//! statement_timeout, a lock_timeout under a second, default_transaction_read_only. When the
//! server goes away the task reports it, backs off exponentially with jitter, reconnects and
//! resumes by itself; the app keeps the last data on screen, marked stale.

pub mod activity;
pub mod bloat;
pub mod indexes;
pub mod overview;
pub mod panes;
pub mod queries;
pub mod settings;
pub mod statements;

use std::time::Duration;

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tokio::task::JoinHandle;
use tokio::time::{Instant, MissedTickBehavior};
use tokio_postgres::Client;
use tokio_postgres::error::SqlState;

use crate::app::msg::{ConnEvent, Msg};
use crate::app::pane::Pane;
use crate::conn::{self, ConnParams};
use crate::server::{MONITORING_SETTINGS, ServerError, ServerInfo};

const LOCK_HOLDERS: &str = include_str!("lock_holders.sql");
const LOCKED_RELATIONS: &str = include_str!("locked_relations.sql");
const RELATION_NAME: &str = include_str!("relation_name.sql");
/// The application_name of every pgmedic session.
pub const APPLICATION_NAME: &str = "pgmedic";
/// A refresh that takes longer than this means the server or the network is gone: every
/// statement is bounded by the session's statement_timeout (3 s), and a refresh runs a handful
/// of them one after the other, plus at most one query to name a blocker.
const COLLECT_DEADLINE: Duration = Duration::from_secs(30);
const BACKOFF_FIRST: Duration = Duration::from_millis(500);
const BACKOFF_MAX: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error(transparent)]
    Conn(#[from] conn::ConnError),
    #[error("{0}")]
    Session(String),
    #[error(transparent)]
    Server(#[from] crate::server::ServerError),
}

/// What the app can ask of the collector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    RefreshNow,
    SetRefresh(Duration),
    /// The pane in sight changed: its collector runs from now on, starting at once.
    Focus(Pane),
}

/// The connection parameters of a monitoring session: the user's, plus the settings that
/// make it harmless (see [`MONITORING_SETTINGS`]).
#[must_use]
pub fn monitoring_params(params: &ConnParams) -> ConnParams {
    params.with_startup_settings(MONITORING_SETTINGS)
}

/// Opens a monitoring session and probes the server.
pub async fn open_session(params: &ConnParams) -> Result<(Client, ServerInfo), CollectError> {
    let client = conn::connect(&monitoring_params(params), APPLICATION_NAME).await;
    set_up_session(client.map_err(pooler_hint)?).await
}

/// A proxy that refuses the monitoring session's startup options gets named as such.
#[must_use]
pub fn pooler_hint(err: conn::ConnError) -> conn::ConnError {
    match err {
        conn::ConnError::Connect(line) if line.contains("unsupported startup parameter") => {
            conn::ConnError::Connect(format!(
                "{line} (a connection pooler? pgmedic needs a direct connection to PostgreSQL)"
            ))
        }
        other => other,
    }
}

/// Probes the server on a freshly opened monitoring session, and refuses it when its settings
/// did not take effect (a proxy that drops startup options).
pub async fn set_up_session(client: Client) -> Result<(Client, ServerInfo), CollectError> {
    let info = ServerInfo::probe(&client).await?;
    if !info.read_only_session {
        return Err(ServerError::SettingsIgnored("off".to_owned()).into());
    }
    Ok((client, info))
}

#[must_use]
/// Starts the collector task with an already open session; it reports through `tx` and
/// takes requests on the returned channel. It ends when the app's inbox is closed.
pub fn spawn(
    params: ConnParams,
    session: (Client, ServerInfo),
    refresh: Duration,
    tx: UnboundedSender<Msg>,
) -> (JoinHandle<()>, UnboundedSender<Control>) {
    let (control_tx, control_rx) = tokio::sync::mpsc::unbounded_channel();
    let task = tokio::spawn(run(params, session, refresh, tx, control_rx));
    (task, control_tx)
}

async fn run(
    params: ConnParams,
    session: (Client, ServerInfo),
    mut refresh: Duration,
    tx: UnboundedSender<Msg>,
    mut control: UnboundedReceiver<Control>,
) {
    let mut collector = overview::OverviewCollector::default();
    let mut panes = panes::PaneCollectors::default();
    let mut focus = Pane::default();
    let mut session = Some(session);
    let mut attempt: u32 = 0;
    loop {
        let opened = match session.take() {
            Some(open) => Ok(open),
            None => open_session(&params).await,
        };
        let error = match opened {
            Ok((client, info)) => {
                collector.restart();
                panes.restart();
                if tx
                    .send(Msg::Conn(ConnEvent::Up(Box::new(info.clone()))))
                    .is_err()
                {
                    return;
                }
                let mut state = Monitoring {
                    refresh: &mut refresh,
                    focus: &mut focus,
                    overview: &mut collector,
                    panes: &mut panes,
                    attempt: &mut attempt,
                };
                let monitored = monitor(&client, &info, &mut state, &tx, &mut control);
                match monitored.await {
                    Some(error) => {
                        // Whatever still runs on the server for this session is abandoned.
                        let cancel = client.cancel_token();
                        let tls = params.tls_connector();
                        tokio::spawn(async move {
                            let wait = Duration::from_secs(5);
                            let _ = tokio::time::timeout(wait, cancel.cancel_query(tls)).await;
                        });
                        error
                    }
                    None => return,
                }
            }
            Err(err) => err.to_string(),
        };
        attempt = attempt.saturating_add(1);
        let retry_in = backoff(attempt, rand::random::<f64>());
        let down = ConnEvent::Down {
            error,
            attempt,
            retry_in,
        };
        if tx.send(Msg::Conn(down)).is_err() {
            return;
        }
        // Wait, but let "refresh now" retry at once and notice when the app is gone.
        let deadline = Instant::now() + retry_in;
        loop {
            tokio::select! {
                () = tokio::time::sleep_until(deadline) => break,
                request = control.recv() => match request {
                    None => return,
                    Some(Control::RefreshNow) => break,
                    Some(Control::SetRefresh(every)) => refresh = every,
                    Some(Control::Focus(pane)) => focus = pane,
                },
            }
        }
    }
}

/// What the monitoring loop keeps across refreshes and reconnects.
struct Monitoring<'a> {
    refresh: &'a mut Duration,
    focus: &'a mut Pane,
    overview: &'a mut overview::OverviewCollector,
    panes: &'a mut panes::PaneCollectors,
    attempt: &'a mut u32,
}

/// Refreshes until the connection is lost (returns why) or the app is gone (returns `None`).
async fn monitor(
    client: &Client,
    info: &ServerInfo,
    state: &mut Monitoring<'_>,
    tx: &UnboundedSender<Msg>,
    control: &mut UnboundedReceiver<Control>,
) -> Option<String> {
    let prepared = match overview::Prepared::new(client, info).await {
        Ok(prepared) => prepared,
        Err(err) => return Some(explain_failure(client, &err).await),
    };
    let mut ticker = ticker(*state.refresh);
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            request = control.recv() => match request {
                None => return None,
                Some(Control::RefreshNow) => state.panes.refresh_requested(),
                Some(Control::SetRefresh(every)) => {
                    *state.refresh = every;
                    ticker = ticker_after(every);
                    continue;
                }
                Some(Control::Focus(pane)) => *state.focus = pane,
            },
        }
        let collecting = state.overview.collect(client, &prepared);
        let Ok(snapshot) = tokio::time::timeout(COLLECT_DEADLINE, collecting).await else {
            let secs = COLLECT_DEADLINE.as_secs();
            return Some(format!("no answer from the server in {secs}s"));
        };
        if let Ok(activity) = &snapshot.activity
            && activity.is_standby != info.is_standby
        {
            let now = if activity.is_standby {
                "a standby"
            } else {
                "a primary"
            };
            return Some(format!(
                "the server is now {now}: reconnecting to probe it again"
            ));
        }
        if client.is_closed() {
            let reason = snapshot
                .activity
                .err()
                .unwrap_or_else(|| "connection closed".to_owned());
            return Some(reason);
        }
        // Back off afresh only once the server has answered a whole refresh again.
        *state.attempt = 0;
        if tx.send(Msg::Snapshot(Box::new(snapshot))).is_err() {
            return None;
        }
        let focused = state.panes.collect(client, info, *state.focus, tx);
        match tokio::time::timeout(COLLECT_DEADLINE, focused).await {
            Ok(true) => {}
            Ok(false) => return None,
            Err(_) => {
                let secs = COLLECT_DEADLINE.as_secs();
                return Some(format!("no answer from the server in {secs}s"));
            }
        }
        if client.is_closed() {
            return Some("connection closed".to_owned());
        }
    }
}

fn ticker(every: Duration) -> tokio::time::Interval {
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    ticker
}

fn ticker_after(every: Duration) -> tokio::time::Interval {
    let mut ticker = tokio::time::interval_at(Instant::now() + every, every);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    ticker
}

/// Exponential backoff from 0.5 s to 30 s, with ±25 % jitter (`unit` is uniform in [0, 1)).
#[must_use]
pub fn backoff(attempt: u32, unit: f64) -> Duration {
    let exp = BACKOFF_FIRST.saturating_mul(1u32 << attempt.saturating_sub(1).min(10));
    let base = exp.min(BACKOFF_MAX).as_secs_f64();
    Duration::from_secs_f64(base * (0.75 + 0.5 * unit.clamp(0.0, 1.0)))
}

/// A failed monitoring query in words. A lock or statement timeout names the sessions holding
/// ACCESS EXCLUSIVE locks, the usual reason ("blocked by pid 4242 (… on orders): ALTER TABLE …").
pub async fn explain_failure(client: &Client, err: &tokio_postgres::Error) -> String {
    let text = conn::describe(err);
    if !is_timeout(err) {
        return text;
    }
    match blockers(client).await {
        holders if holders.is_empty() => text,
        holders => format!("{text}: blocked by {holders}"),
    }
}

/// The query was cancelled by the session's lock_timeout or statement_timeout.
pub(crate) fn is_timeout(err: &tokio_postgres::Error) -> bool {
    matches!(err.code(), Some(c) if *c == SqlState::LOCK_NOT_AVAILABLE || *c == SqlState::QUERY_CANCELED)
}

/// The sessions holding ACCESS EXCLUSIVE locks, in words ("" when none or unknown).
pub(crate) async fn blockers(client: &Client) -> String {
    if client.is_closed() {
        return String::new();
    }
    let Ok(rows) = client.query(LOCK_HOLDERS, &[]).await else {
        return String::new();
    };
    let mut holders = Vec::new();
    for row in rows {
        let (Ok(pid), Ok(relid), Ok(query)) = (
            row.try_get::<_, i32>("pid"),
            row.try_get::<_, i64>("relid"),
            row.try_get::<_, String>("query"),
        ) else {
            continue;
        };
        let relation = relation_name(client, relid).await;
        holders.push(format!(
            "pid {pid} (ACCESS EXCLUSIVE on {relation}): {query}"
        ));
    }
    holders.join("; ")
}

/// A relation's name, or its oid when the name cannot be read (its catalog may be the locked one).
async fn relation_name(client: &Client, relid: i64) -> String {
    let fallback = || format!("relation {relid}");
    let Ok(oid) = u32::try_from(relid) else {
        return fallback();
    };
    match client.query_one(RELATION_NAME, &[&oid]).await {
        Ok(row) => row.try_get("name").unwrap_or_else(|_| fallback()),
        Err(_) => fallback(),
    }
}

/// Relations of this database on which an ACCESS EXCLUSIVE lock is held or awaited; size
/// functions on them would block, so collectors leave them out (pass as `relid <> ALL($n)`).
pub async fn locked_relations(client: &Client) -> Result<Vec<u32>, String> {
    let rows = client
        .query(LOCKED_RELATIONS, &[])
        .await
        .map_err(|e| conn::describe(&e))?;
    Ok(rows
        .iter()
        .filter_map(|r| r.try_get::<_, i64>("relid").ok())
        .filter_map(|oid| u32::try_from(oid).ok())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_exponentially_with_jitter_and_a_cap() {
        assert_eq!(backoff(1, 0.5), Duration::from_millis(500));
        assert_eq!(backoff(2, 0.5), Duration::from_secs(1));
        assert_eq!(backoff(4, 0.5), Duration::from_secs(4));
        assert_eq!(backoff(20, 0.5), Duration::from_secs(30));
        assert!(backoff(3, 0.0) < backoff(3, 0.99));
        assert!(backoff(3, 0.0) >= Duration::from_millis(1500));
        assert!(backoff(3, 0.99) <= Duration::from_millis(2500));
    }
}
