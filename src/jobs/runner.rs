//! Runs confirmed jobs. Each job gets a session of its own with the job's lock_timeout (none
//! for CONCURRENTLY statements) and statement_timeout as startup options; while it runs, a second (monitoring) session reads
//! its progress by pid twice a second. Statements run one by one through the simple query
//! protocol, each in its own implicit transaction, as CONCURRENTLY and VACUUM require.
//!
//! Everything reaches the app as [`JobEvent`]s: started (with the backend pid), progress,
//! finished (ok with the last statement's rows, failed with the server's message, or
//! cancelled). A job whose start cannot be written to the audit log does not run.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::mpsc::UnboundedSender;
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, SimpleQueryMessage};

use crate::app::msg::Msg;
use crate::collect::{APPLICATION_NAME, monitoring_params};
use crate::conn::{self, Cancels, ConnParams};
use crate::jobs::audit::{self, AuditEntry, AuditLog};
use crate::jobs::spec::{JobKind, JobSpec, ProgressView};

/// A job's number in this session, given by the model when the DBA confirms it.
pub type JobId = u64;

/// How often a running job's progress is read.
const PROGRESS_EVERY: Duration = Duration::from_millis(500);
/// At most this many result rows of the last statement are kept (a cancel returns one).
const MAX_ROWS: usize = 100;

/// Where a running job is, from its pg_stat_progress_* view.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Progress {
    pub phase: String,
    pub done: i64,
    /// 0 when unknown (the phase has no measure).
    pub total: i64,
    /// What `done` and `total` count ("blocks", "tuples").
    pub unit: String,
    /// Backends the job waits for (lock holders, old snapshots of CONCURRENTLY).
    pub waiting_for: Vec<i32>,
}

impl Progress {
    /// Done as a fraction of the total, when there is a total.
    #[must_use]
    pub fn fraction(&self) -> Option<f64> {
        (self.total > 0).then(|| (self.done as f64 / self.total as f64).clamp(0.0, 1.0))
    }
}

/// How a job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every statement succeeded; the rows of the last one, as text (NULL as `None`).
    Done {
        rows: Vec<Vec<Option<String>>>,
    },
    Failed {
        error: String,
    },
    Cancelled,
}

impl Outcome {
    #[must_use]
    pub fn word(&self) -> &'static str {
        match self {
            Outcome::Done { .. } => "ok",
            Outcome::Failed { .. } => "error",
            Outcome::Cancelled => "cancelled",
        }
    }
}

/// What the runner reports about a job.
#[derive(Debug, Clone, PartialEq)]
pub enum JobEvent {
    /// Connected; the job's statements run in backend `pid`.
    Started {
        id: JobId,
        pid: i32,
    },
    Progress {
        id: JobId,
        progress: Progress,
    },
    Finished {
        id: JobId,
        kind: JobKind,
        target: String,
        outcome: Outcome,
        elapsed: Duration,
    },
}

/// Starts and cancels jobs; owned by the event loop.
#[derive(Clone)]
pub struct Runner {
    params: ConnParams,
    role: String,
    /// This console session's id in the audit log.
    session: Arc<str>,
    version_num: u32,
    audit: Option<AuditLog>,
    tx: UnboundedSender<Msg>,
    /// Jobs from `start` until their end is logged.
    active: Arc<Mutex<HashSet<JobId>>>,
    /// Their sessions, to cancel.
    cancels: Arc<Cancels>,
}

impl Runner {
    /// A runner for the server `params` points at, as `role` (for the audit log).
    #[must_use]
    pub fn new(
        params: ConnParams,
        role: String,
        version_num: u32,
        audit: Option<AuditLog>,
        tx: UnboundedSender<Msg>,
    ) -> Self {
        Self {
            params,
            role,
            session: audit::session_id().into(),
            version_num,
            audit,
            tx,
            active: Arc::default(),
            cancels: Arc::default(),
        }
    }

    /// Runs `spec` as job `id` in the background.
    pub fn start(&self, id: JobId, spec: JobSpec) {
        self.active().insert(id);
        let runner = self.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            let (outcome, pid) = runner.run(id, &spec).await;
            let elapsed = started.elapsed();
            runner.cancels.forget(id);
            let logged = runner.log(
                id,
                &spec,
                &Logged::Finished {
                    outcome: &outcome,
                    pid,
                    elapsed,
                },
            );
            runner.active().remove(&id);
            let outcome = match (logged, outcome) {
                (Err(err), Outcome::Done { .. }) => Outcome::Failed {
                    error: format!("done, but the audit log could not be written: {err}"),
                },
                (_, outcome) => outcome,
            };
            let _ = runner.tx.send(Msg::Job(JobEvent::Finished {
                id,
                kind: spec.kind,
                target: spec.target.clone(),
                outcome,
                elapsed,
            }));
        });
    }

    /// Cancels job `id`: its running statement gets a cancel request; a job still connecting
    /// stops before its first statement.
    pub fn cancel(&self, id: JobId) {
        self.cancels.cancel(id, &self.params);
    }

    /// Cancels every job still running and waits, at most `within`, for their ends to be
    /// logged: what the console does before it quits, so that nothing it started goes on
    /// unwatched and unaudited.
    pub async fn cancel_all(&self, within: Duration) {
        let deadline = tokio::time::Instant::now() + within;
        let active: Vec<JobId> = self.active().iter().copied().collect();
        self.cancels.cancel_now(active, &self.params, within).await;
        while !self.active().is_empty() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn active(&self) -> std::sync::MutexGuard<'_, HashSet<JobId>> {
        self.active.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs the job; the outcome, and the backend pid once there was one.
    async fn run(&self, id: JobId, spec: &JobSpec) -> (Outcome, Option<i32>) {
        let params = match &spec.database {
            Some(db) => self.params.with_dbname(db),
            None => self.params.clone(),
        };
        // 0: none (CONCURRENTLY statements, see JobSpec::new)
        let lock_timeout = format!("{}ms", spec.lock_timeout.unwrap_or_default().as_millis());
        let statement_timeout = spec
            .statement_timeout
            .map_or_else(|| "0".to_owned(), |t| format!("{}ms", t.as_millis()));
        let settings = [
            ("lock_timeout", lock_timeout.as_str()),
            ("statement_timeout", statement_timeout.as_str()),
            ("idle_in_transaction_session_timeout", "30s"),
        ];
        let client =
            match conn::connect(&params.with_startup_settings(&settings), APPLICATION_NAME).await {
                Ok(client) => client,
                Err(err) => {
                    let error = err.to_string();
                    return (Outcome::Failed { error }, None);
                }
            };
        let pid = match backend_pid(&client).await {
            Ok(pid) => pid,
            Err(error) => return (Outcome::Failed { error }, None),
        };
        if let Err(err) = self.log(id, spec, &Logged::Started { pid }) {
            let error = format!("not started: the audit log could not be written: {err}");
            return (Outcome::Failed { error }, Some(pid));
        }
        if !self.cancels.register(id, client.cancel_token()) {
            return (Outcome::Cancelled, Some(pid));
        }
        let _ = self.tx.send(Msg::Job(JobEvent::Started { id, pid }));
        let watcher = tokio::spawn(watch(
            params,
            spec.kind.progress_view(self.version_num),
            id,
            pid,
            self.tx.clone(),
        ));
        let outcome = execute(&client, &spec.statements).await;
        watcher.abort();
        let outcome = match outcome {
            Outcome::Failed { .. } if self.cancels.asked(id) => Outcome::Cancelled,
            other => other,
        };
        (outcome, Some(pid))
    }

    /// Appends a job's start or end to the audit log.
    fn log(&self, id: JobId, spec: &JobSpec, event: &Logged<'_>) -> std::io::Result<()> {
        let Some(audit) = &self.audit else {
            return Ok(());
        };
        let server = self.params.summary();
        let sql = spec.sql();
        let (outcome, error, pid, duration_ms) = match event {
            Logged::Started { pid } => ("started", None, Some(*pid), None),
            Logged::Finished {
                outcome,
                pid,
                elapsed,
            } => (
                outcome.word(),
                match outcome {
                    Outcome::Failed { error } => Some(error.as_str()),
                    _ => None,
                },
                *pid,
                Some(audit::millis(*elapsed)),
            ),
        };
        audit.append(&AuditEntry {
            time: audit::now_rfc3339(),
            server: &server,
            role: &self.role,
            database: spec.database.as_deref().unwrap_or(self.params.dbname()),
            session: &self.session,
            job: id,
            kind: spec.kind.name(),
            target: &spec.target,
            sql: &sql,
            outcome,
            error,
            pid,
            duration_ms,
        })
    }
}

/// What the audit log records of a job.
enum Logged<'a> {
    Started {
        pid: i32,
    },
    Finished {
        outcome: &'a Outcome,
        /// `None` when the job never got a backend (the connection failed).
        pid: Option<i32>,
        elapsed: Duration,
    },
}

async fn backend_pid(client: &Client) -> Result<i32, String> {
    let row = client
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .map_err(|e| conn::describe(&e))?;
    row.try_get(0).map_err(|e| e.to_string())
}

/// Runs the statements one by one; stops at the first error.
async fn execute(client: &Client, statements: &[String]) -> Outcome {
    let mut rows = Vec::new();
    for statement in statements {
        match client.simple_query(statement).await {
            Ok(messages) => {
                rows = messages
                    .iter()
                    .filter_map(|m| match m {
                        SimpleQueryMessage::Row(row) => Some(
                            (0..row.len())
                                .map(|i| row.get(i).map(str::to_owned))
                                .collect(),
                        ),
                        _ => None,
                    })
                    .take(MAX_ROWS)
                    .collect();
            }
            Err(err) if err.code() == Some(&SqlState::QUERY_CANCELED) && is_user_cancel(&err) => {
                return Outcome::Cancelled;
            }
            Err(err) => {
                return Outcome::Failed {
                    error: with_detail(&err),
                };
            }
        }
    }
    Outcome::Done { rows }
}

/// The server's message with its DETAIL and HINT, as psql shows them (on one line): the
/// detail is often the answer (`Key (external_trade_id)=(42) is duplicated.`).
fn with_detail(err: &tokio_postgres::Error) -> String {
    let mut text = conn::describe(err);
    if let Some(db) = err.as_db_error() {
        for (label, part) in [("DETAIL", db.detail()), ("HINT", db.hint())] {
            if let Some(part) = part.filter(|p| !p.is_empty()) {
                let _ = write!(text, " · {label}: {}", part.replace('\n', " "));
            }
        }
    }
    text
}

/// A cancel request ("canceling statement due to user request"), not a statement_timeout.
fn is_user_cancel(err: &tokio_postgres::Error) -> bool {
    err.as_db_error()
        .is_some_and(|db| db.message().contains("user request"))
}

/// Reads the job's progress by pid until aborted; sends it whenever it changes.
async fn watch(
    params: ConnParams,
    view: Option<ProgressView>,
    id: JobId,
    pid: i32,
    tx: UnboundedSender<Msg>,
) {
    let Ok(client) = conn::connect(&monitoring_params(&params), APPLICATION_NAME).await else {
        return;
    };
    let sql = match view {
        Some(ProgressView::CreateIndex) => include_str!("progress_create_index.sql"),
        Some(ProgressView::Vacuum) => include_str!("progress_vacuum.sql"),
        Some(ProgressView::Cluster) => include_str!("progress_cluster.sql"),
        Some(ProgressView::Analyze) => include_str!("progress_analyze.sql"),
        None => include_str!("waiting.sql"),
    };
    let Ok(statement) = client.prepare(sql).await else {
        return;
    };
    let mut last = None;
    let mut ticker = tokio::time::interval(PROGRESS_EVERY);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let Ok(row) = client.query_opt(&statement, &[&pid]).await else {
            return;
        };
        let progress = row.map(|row| Progress {
            phase: row.try_get("phase").unwrap_or_default(),
            done: row.try_get("done").unwrap_or_default(),
            total: row.try_get("total").unwrap_or_default(),
            unit: row.try_get("unit").unwrap_or_default(),
            waiting_for: row.try_get("waiting_for").unwrap_or_default(),
        });
        let Some(progress) = progress else {
            continue;
        };
        if last.as_ref() != Some(&progress) {
            last = Some(progress.clone());
            if tx
                .send(Msg::Job(JobEvent::Progress { id, progress }))
                .is_err()
            {
                return;
            }
        }
    }
}
