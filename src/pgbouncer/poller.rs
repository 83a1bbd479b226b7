//! The task that reads the admin console: its own connection (never the monitoring session),
//! a read every refresh while the Activity pane is in sight, nothing otherwise. An unreachable
//! console is one message for the pane; the task keeps trying at the refresh interval.

use std::time::Duration;

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_postgres::Client;

use super::read::read;
use crate::app::msg::Msg;
use crate::collect::APPLICATION_NAME;
use crate::conn::{self, ConnParams};

/// A connect or a read that takes longer than this counts as unreachable.
const DEADLINE: Duration = Duration::from_secs(5);

enum Control {
    Visible(bool),
    RefreshNow,
    SetRefresh(Duration),
}

/// Tells the poller what the app does.
#[derive(Debug, Clone)]
pub struct PgBouncerHandle {
    control: UnboundedSender<Control>,
}

impl std::fmt::Debug for Control {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Control")
    }
}

impl PgBouncerHandle {
    /// Reads while the pane is in sight, and at once when it comes into sight.
    pub fn set_visible(&self, visible: bool) {
        let _ = self.control.send(Control::Visible(visible));
    }

    pub fn refresh_now(&self) {
        let _ = self.control.send(Control::RefreshNow);
    }

    pub fn set_refresh(&self, every: Duration) {
        let _ = self.control.send(Control::SetRefresh(every));
    }
}

/// Starts the poller; it reports through `tx` and ends when the app's inbox closes.
#[must_use]
pub fn spawn(
    params: ConnParams,
    refresh: Duration,
    tx: UnboundedSender<Msg>,
) -> (JoinHandle<()>, PgBouncerHandle) {
    let (control, rx) = tokio::sync::mpsc::unbounded_channel();
    let task = tokio::spawn(run(params, refresh, tx, rx));
    (task, PgBouncerHandle { control })
}

async fn run(
    params: ConnParams,
    mut refresh: Duration,
    tx: UnboundedSender<Msg>,
    mut control: UnboundedReceiver<Control>,
) {
    let mut visible = false;
    let mut client: Option<Client> = None;
    let mut next = Instant::now();
    loop {
        let wait = if visible {
            tokio::time::sleep_until(next)
        } else {
            tokio::time::sleep(Duration::from_secs(3600))
        };
        tokio::select! {
            () = wait => {}
            request = control.recv() => {
                match request {
                    None => return,
                    Some(Control::Visible(now)) => {
                        let appeared = now && !visible;
                        visible = now;
                        if !appeared {
                            continue;
                        }
                    }
                    Some(Control::RefreshNow) => {}
                    Some(Control::SetRefresh(every)) => {
                        refresh = every;
                        continue;
                    }
                }
                if !visible {
                    continue;
                }
            }
        }
        next = Instant::now() + refresh;
        let result = poll(&params, &mut client).await;
        if tx.send(Msg::PgBouncer(Box::new(result))).is_err() {
            return;
        }
    }
}

/// One read, connecting first when needed; a failure drops the connection.
async fn poll(
    params: &ConnParams,
    client: &mut Option<Client>,
) -> Result<super::PgBouncerSnapshot, String> {
    if client.as_ref().is_none_or(Client::is_closed) {
        let connecting = conn::connect(params, APPLICATION_NAME);
        *client = match tokio::time::timeout(DEADLINE, connecting).await {
            Ok(Ok(c)) => Some(c),
            Ok(Err(err)) => return Err(format!("PgBouncer admin console: {err}")),
            Err(_) => {
                return Err(format!(
                    "PgBouncer admin console: no answer in {}s",
                    DEADLINE.as_secs()
                ));
            }
        };
    }
    let Some(open) = client.as_ref() else {
        return Err("PgBouncer admin console: not connected".to_owned());
    };
    let result = match tokio::time::timeout(DEADLINE, read(open)).await {
        Ok(result) => result.map_err(|e| format!("PgBouncer admin console: {e}")),
        Err(_) => Err(format!(
            "PgBouncer admin console: no answer in {}s",
            DEADLINE.as_secs()
        )),
    };
    if result.is_err() {
        *client = None;
    }
    result
}
