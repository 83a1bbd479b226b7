//! The event loop and the model: messages in, effects out, a draw when something changed.

pub mod action;
pub mod activity;
pub mod bloat;
pub mod effect;
pub mod explain;
pub mod indexes;
pub mod jobs;
pub mod keymap;
pub mod line;
pub mod model;
pub mod msg;
pub mod pane;
pub mod queries;
pub mod settings;
pub mod viewer;

use std::io::{IsTerminal as _, Write as _};
use std::time::{Duration, Instant};

use base64::Engine as _;
use crossterm::event::{Event, EventStream};
use crossterm::{ExecutableCommand as _, QueueableCommand as _};
use futures_util::StreamExt as _;
use tokio::sync::mpsc::{self, UnboundedSender};

use crate::app::effect::Effect;
use crate::app::model::Model;
use crate::app::msg::{ConnEvent, Msg};
use crate::app::pane::Pane;
use crate::collect::{self, Control};
use crate::config::Settings;
use crate::conn::ConnParams;
use crate::jobs::Runner;
use crate::jobs::audit::AuditLog;
use crate::pgbouncer::{self, PgBouncerHandle};
use crate::server::ServerInfo;
use crate::ui::theme::Theme;
use crate::work::{self, WorkContext};

/// How long quitting waits for the cancels of the jobs and EXPLAINs still running, and for
/// the jobs' ends to reach the audit log.
const QUIT_GRACE: Duration = Duration::from_secs(3);

/// How many messages the loop folds in before drawing once.
const BATCH: usize = 256;

/// Runs the console on an open monitoring session until the user quits.
pub async fn run(
    params: ConnParams,
    session: (tokio_postgres::Client, ServerInfo),
    settings: &Settings,
    theme: Theme,
) -> std::io::Result<()> {
    if !std::io::stdout().is_terminal() {
        return Err(std::io::Error::other(
            "the console needs a terminal on standard output",
        ));
    }
    let bouncer_params = match &settings.pgbouncer {
        Some(url) => Some(pgbouncer::admin_params(url).map_err(std::io::Error::other)?),
        None => None,
    };
    let connected_at = Instant::now();
    let (tx, mut inbox) = mpsc::unbounded_channel();
    let info = session.1.clone();
    let (collector, control) =
        collect::spawn(params.clone(), session, settings.refresh, tx.clone());
    let mut model = Model::new(
        params.summary(),
        settings.refresh,
        settings.read_only,
        Instant::now(),
    );
    model.thresholds = settings.thresholds;
    let audit = AuditLog::from_env();
    model.jobs.audit_path = audit.as_ref().map(|a| a.path().to_path_buf());
    let (bouncer_task, pgbouncer) = match bouncer_params {
        Some(admin) => {
            model.activity.pgbouncer.configured = true;
            let (task, handle) = pgbouncer::spawn(admin, settings.refresh, tx.clone());
            (Some(task), Some(handle))
        }
        None => (None, None),
    };
    let outside = Outside {
        pgbouncer,
        control,
        runner: Runner::new(
            params.clone(),
            info.role.clone(),
            info.version_num,
            audit,
            tx.clone(),
        ),
        work: WorkContext::new(params.clone(), tx.clone()),
    };
    model.update(Msg::Conn(ConnEvent::Up(Box::new(info))));

    let mut terminal = match ratatui::try_init() {
        Ok(terminal) => terminal,
        Err(err) => {
            ratatui::restore();
            collector.abort();
            return Err(err);
        }
    };
    let _ = std::io::stdout().execute(crossterm::event::EnableMouseCapture);
    // The SQL grammar compiles on a thread of its own, not in the first frame that needs it.
    std::thread::spawn(crate::ui::warm_up);
    end_on_panic();
    let input = tokio::spawn(read_terminal(tx.clone()));
    let signals = tokio::spawn(stop_signals(tx.clone()));
    let clock = tokio::spawn(tick(tx));

    let result = match terminal.size() {
        Ok(size) => {
            model.update(Msg::Resize(size.width, size.height));
            let inbox = &mut inbox;
            event_loop(
                &mut terminal,
                &mut model,
                &theme,
                inbox,
                &outside,
                connected_at,
            )
            .await
        }
        Err(err) => Err(err),
    };

    input.abort();
    signals.abort();
    clock.abort();
    collector.abort();
    if let Some(task) = bouncer_task {
        task.abort();
    }
    let _ = std::io::stdout().execute(crossterm::event::DisableMouseCapture);
    ratatui::restore();
    result
}

/// What the loop hands effects to: the collector, the job runner, on-demand work.
struct Outside {
    control: UnboundedSender<Control>,
    /// The PgBouncer admin console's reader, with `--pgbouncer`.
    pgbouncer: Option<PgBouncerHandle>,
    runner: Runner,
    work: WorkContext,
}

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    model: &mut Model,
    theme: &Theme,
    inbox: &mut mpsc::UnboundedReceiver<Msg>,
    outside: &Outside,
    connected_at: Instant,
) -> std::io::Result<()> {
    let mut batch = Vec::with_capacity(BATCH);
    let mut first_data_frame = true;
    loop {
        if model.dirty {
            draw(terminal, model, theme)?;
            model.dirty = false;
            if first_data_frame && model.overview.view.is_some() {
                first_data_frame = false;
                record_first_frame(connected_at.elapsed());
            }
        }
        if inbox.recv_many(&mut batch, BATCH).await == 0 {
            return Ok(());
        }
        model.now = Instant::now();
        let effects: Vec<Effect> = batch.drain(..).flat_map(|msg| model.update(msg)).collect();
        for effect in effects {
            match effect {
                Effect::Quit => {
                    // Nothing pgmedic started may go on running once it is gone.
                    tokio::join!(
                        outside.runner.cancel_all(QUIT_GRACE),
                        outside
                            .work
                            .explains
                            .cancel_all(&outside.work.params, QUIT_GRACE)
                    );
                    return Ok(());
                }
                Effect::RefreshNow => {
                    let _ = outside.control.send(Control::RefreshNow);
                    if let Some(bouncer) = &outside.pgbouncer {
                        bouncer.refresh_now();
                    }
                }
                Effect::SetRefresh(every) => {
                    let _ = outside.control.send(Control::SetRefresh(every));
                    if let Some(bouncer) = &outside.pgbouncer {
                        bouncer.set_refresh(every);
                    }
                }
                Effect::Focus(pane) => {
                    let _ = outside.control.send(Control::Focus(pane));
                    if let Some(bouncer) = &outside.pgbouncer {
                        bouncer.set_visible(pane == Pane::Activity);
                    }
                }
                Effect::Copy(text) => copy_osc52(&text)?,
                Effect::RunJob(id, spec) => outside.runner.start(id, spec),
                Effect::CancelJob(id) => outside.runner.cancel(id),
                Effect::Work(request) => work::spawn(request, &outside.work),
            }
        }
    }
}

/// Draws one frame inside a synchronized update, so slow links never show half a frame.
fn draw(
    terminal: &mut ratatui::DefaultTerminal,
    model: &Model,
    theme: &Theme,
) -> std::io::Result<()> {
    let mut out = std::io::stdout();
    out.queue(crossterm::terminal::BeginSynchronizedUpdate)?;
    terminal.draw(|frame| crate::ui::render(frame, model, theme))?;
    out.queue(crossterm::terminal::EndSynchronizedUpdate)?;
    out.flush()
}

/// With `PGMEDIC_STARTUP_LOG=FILE`, appends how long the first frame with data took after
/// the connection was up (read by scripts/overhead; nothing is written otherwise).
fn record_first_frame(elapsed: Duration) {
    let Some(path) = std::env::var_os("PGMEDIC_STARTUP_LOG") else {
        return;
    };
    let line = format!(
        "first_frame_after_connect_ms {:.1}\n",
        elapsed.as_secs_f64() * 1000.0
    );
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path);
    if let Ok(mut file) = file {
        let _ = file.write_all(line.as_bytes());
    }
}

/// Puts text on the terminal's clipboard with OSC 52 (passes through SSH; tmux needs
/// `set -g set-clipboard on`).
pub(crate) fn copy_osc52(text: &str) -> std::io::Result<()> {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    let mut out = std::io::stdout();
    write!(out, "\x1b]52;c;{encoded}\x07")?;
    out.flush()
}

/// A panic anywhere — the UI or a background task — ends the console: mouse reporting off,
/// ratatui's hook restores the screen and prints the panic, then the process exits (a demo
/// cluster is stopped and removed by its watchdog). Carrying on would draw into a restored
/// terminal.
fn end_on_panic() {
    let restore_screen = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = std::io::stdout().execute(crossterm::event::DisableMouseCapture);
        restore_screen(info);
        std::process::exit(101);
    }));
}

async fn read_terminal(tx: UnboundedSender<Msg>) {
    let mut events = EventStream::new();
    while let Some(Ok(event)) = events.next().await {
        let msg = match event {
            Event::Key(key) => Msg::Key(key),
            Event::Mouse(mouse) => Msg::Mouse(mouse),
            Event::Resize(w, h) => Msg::Resize(w, h),
            _ => continue,
        };
        if tx.send(msg).is_err() {
            return;
        }
    }
    // The terminal is gone (an SSH session that dropped): nobody is watching any more.
    let _ = tx.send(Msg::Shutdown);
}

/// SIGTERM and SIGHUP end the console as `q` does, so the terminal and a demo cluster are
/// cleaned up.
async fn stop_signals(tx: UnboundedSender<Msg>) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut hup)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::hangup()),
    ) else {
        return;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = hup.recv() => {}
    }
    let _ = tx.send(Msg::Shutdown);
}

async fn tick(tx: UnboundedSender<Msg>) {
    let mut every = tokio::time::interval(Duration::from_secs(1));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        every.tick().await;
        if tx.send(Msg::Tick(Instant::now())).is_err() {
            return;
        }
    }
}
