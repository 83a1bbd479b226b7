//! The Indexes pane's actions end to end, headless: the model takes keys, its effects are
//! carried out as the console's loop does (jobs on the runner, work on sessions of their own,
//! refreshes on the collector), and the server shows the result.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use pgmedic::advisor::{Helped, Suggestion};
use pgmedic::app::action::Action;
use pgmedic::app::effect::Effect;
use pgmedic::app::indexes::IndexesEvent;
use pgmedic::app::model::{Mode, Model};
use pgmedic::app::msg::{ConnEvent, Msg};
use pgmedic::app::pane::Pane;
use pgmedic::collect::{self, indexes::IndexesCollector};
use pgmedic::diagnose::indexes::FindingKind;
use pgmedic::jobs::{JobEvent, JobKind, Outcome, Progress, Runner};
use pgmedic::server::ServerInfo;
use pgmedic::work::{self, WorkContext};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};
use tokio_postgres::Client;

use crate::common::{connect, fresh_db, params};

/// The console without a terminal: model, runner, work and the Indexes collector.
struct Console {
    model: Model,
    runner: Runner,
    work: WorkContext,
    inbox: UnboundedReceiver<Msg>,
    monitoring: (Client, ServerInfo),
    collector: IndexesCollector,
    /// Every job progress seen.
    progress: Vec<Progress>,
}

impl Console {
    async fn on(conninfo: &str) -> Self {
        let (tx, inbox) = unbounded_channel();
        let monitoring = collect::open_session(&params(conninfo)).await.unwrap();
        let info = monitoring.1.clone();
        let mut model = Model::new(
            "test".to_owned(),
            Duration::from_secs(1),
            false,
            Instant::now(),
        );
        model.update(Msg::Conn(ConnEvent::Up(Box::new(info.clone()))));
        model.apply(Action::GoTo(Pane::Indexes));
        let mut console = Self {
            model,
            runner: Runner::new(
                params(conninfo),
                info.role.clone(),
                info.version_num,
                None,
                tx.clone(),
            ),
            work: WorkContext::new(params(conninfo), tx),
            inbox,
            monitoring,
            collector: IndexesCollector::default(),
            progress: Vec::new(),
        };
        console.refresh().await;
        console
    }

    async fn refresh(&mut self) {
        self.collector.request_full();
        let (client, info) = &self.monitoring;
        let part = self.collector.collect(client, info).await.unwrap();
        let effects = self
            .model
            .update(Msg::Indexes(Box::new(IndexesEvent::Snapshot(part))));
        self.carry_out(effects);
    }

    fn carry_out(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::RunJob(id, spec) => self.runner.start(id, spec),
                Effect::Work(request) => work::spawn(request, &self.work),
                _ => {}
            }
        }
    }

    fn press(&mut self, code: KeyCode) {
        let effects = self
            .model
            .update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        self.carry_out(effects);
    }

    fn typed(&mut self, text: &str) {
        for c in text.chars() {
            self.press(KeyCode::Char(c));
        }
    }

    fn select(&mut self, pick: impl Fn(&pgmedic::diagnose::indexes::Finding) -> bool) {
        self.model.indexes.selected = self
            .model
            .indexes
            .visible()
            .iter()
            .position(|f| pick(f))
            .unwrap_or_else(|| panic!("no such finding in {:#?}", self.model.indexes.findings));
    }

    /// Folds messages in (carrying out their effects) until `done` holds.
    async fn until(&mut self, what: &str, done: impl Fn(&Model) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !done(&self.model) {
            let left = deadline.saturating_duration_since(Instant::now());
            let Ok(Some(msg)) = tokio::time::timeout(left, self.inbox.recv()).await else {
                panic!(
                    "timed out waiting for {what}; notice {:?}",
                    self.model.notice
                );
            };
            if let Msg::Job(JobEvent::Progress { progress, .. }) = &msg {
                self.progress.push(progress.clone());
            }
            let effects = self.model.update(msg);
            let refresh = effects.contains(&Effect::RefreshNow);
            self.carry_out(effects);
            if refresh {
                self.refresh().await;
            }
        }
    }

    /// `c` on the selected finding, through the re-check, up to the confirmation.
    async fn create(&mut self) {
        self.press(KeyCode::Char('c'));
        self.until("the confirmation", confirming(JobKind::CreateIndex))
            .await;
    }

    /// Confirms the action on screen (typing its word, if it has one) and returns how its
    /// job ended.
    async fn confirm(&mut self, word: Option<&str>) -> Outcome {
        let finished = |m: &Model| m.jobs.jobs.iter().filter(|j| !j.is_running()).count();
        let before = finished(&self.model);
        if let Some(word) = word {
            self.typed(word);
        }
        self.press(KeyCode::Enter);
        self.until("the job", |m| finished(m) > before).await;
        match &self.model.jobs.jobs.last().unwrap().state {
            pgmedic::app::jobs::JobState::Finished(outcome) => outcome.clone(),
            other => panic!("{other:?}"),
        }
    }

    /// The latest outcome of a job of `kind`.
    fn outcome(&self, kind: JobKind) -> Option<Outcome> {
        self.model
            .jobs
            .jobs
            .iter()
            .rev()
            .find(|j| j.spec.kind == kind)
            .and_then(|j| match &j.state {
                pgmedic::app::jobs::JobState::Finished(outcome) => Some(outcome.clone()),
                _ => None,
            })
    }
}

fn confirming(kind: JobKind) -> impl Fn(&Model) -> bool {
    move |m| matches!(&m.mode, Mode::Confirm(c) if c.spec.kind == kind)
}

/// A fresh database set up with `sql`: its conninfo and the setup session.
async fn db_with(test: &str, sql: &str) -> (String, Client) {
    let conninfo = fresh_db(test).await;
    let setup = connect(&conninfo).await;
    setup.batch_execute(sql).await.unwrap();
    (conninfo, setup)
}

async fn index_state(client: &Client, name: &str) -> Option<bool> {
    client
        .query_opt(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
             WHERE c.relname = $1",
            &[&name],
        )
        .await
        .unwrap()
        .map(|r| r.get(0))
}

#[tokio::test]
async fn a_foreign_key_index_builds_concurrently_with_progress_under_a_write_workload() {
    let (conninfo, setup) = db_with("index_cic_load", "CREATE TABLE accounts (id int PRIMARY KEY);
             INSERT INTO accounts SELECT generate_series(1, 1000);
             CREATE TABLE fills (id bigserial PRIMARY KEY, account_id int NOT NULL REFERENCES accounts, qty int);
             INSERT INTO fills (account_id, qty) SELECT 1 + g % 1000, g FROM generate_series(1, 200000) g;").await;
    // Writers in transactions of 200 ms: the build waits for them, phase by phase.
    let writer = connect(&conninfo).await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writing = {
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut rows = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                writer
                    .batch_execute(
                        "BEGIN; INSERT INTO fills (account_id, qty) SELECT 1 + g % 1000, g \
                         FROM generate_series(1, 50) g; SELECT pg_sleep(0.2); COMMIT;",
                    )
                    .await
                    .unwrap();
                rows += 50;
            }
            rows
        })
    };
    let mut console = Box::pin(Console::on(&conninfo)).await;
    console.select(|f| f.kind == FindingKind::MissingFkIndex);
    console.create().await;
    let Mode::Confirm(confirm) = &console.model.mode else {
        unreachable!()
    };
    assert_eq!(
        confirm.spec.statements,
        vec!["CREATE INDEX CONCURRENTLY \"fills_account_id_idx\" ON \"public\".\"fills\" USING \"btree\" (\"account_id\")".to_owned()]
    );
    let built = console.confirm(None).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = writing.await.unwrap();
    assert_eq!(built, Outcome::Done { rows: Vec::new() });
    assert!(written > 0, "the workload kept writing");
    assert!(
        !console.progress.is_empty(),
        "progress came from pg_stat_progress_create_index"
    );
    assert!(
        console
            .progress
            .iter()
            .any(|p| p.phase.starts_with("waiting for") && !p.waiting_for.is_empty()),
        "the pids it waited for: {:?}",
        console.progress
    );
    // The locker it waits for is also among its blocking pids: each pid is named once.
    for p in &console.progress {
        let mut pids = p.waiting_for.clone();
        pids.sort_unstable();
        pids.dedup();
        assert_eq!(pids.len(), p.waiting_for.len(), "{p:?}");
    }
    assert_eq!(
        index_state(&setup, "fills_account_id_idx").await,
        Some(true)
    );
    console.refresh().await;
    assert!(
        console
            .model
            .indexes
            .findings
            .iter()
            .all(|f| f.kind != FindingKind::MissingFkIndex),
        "{:#?}",
        console.model.indexes.findings
    );
}

fn unique_suggestion() -> Suggestion {
    Suggestion {
        schema: "public".to_owned(),
        table: "trades".to_owned(),
        columns: vec!["\"external_id\"".to_owned()],
        include: Vec::new(),
        predicate: None,
        method: "btree".to_owned(),
        name: "trades_external_id_key".to_owned(),
        create_sql: "CREATE UNIQUE INDEX CONCURRENTLY \"trades_external_id_key\" ON \"public\".\"trades\" (\"external_id\")".to_owned(),
        rollback_sql: "DROP INDEX CONCURRENTLY IF EXISTS \"public\".\"trades_external_id_key\"".to_owned(),
        helps: Vec::new(),
        estimated_size_bytes: None,
        verified: false,
        table_writes_per_sec: None,
        saving_ms_per_hour: 0.0,
        note: None,
    }
}

#[tokio::test]
async fn a_failed_unique_build_leaves_nothing_once_the_offered_cleanup_is_accepted() {
    let (conninfo, setup) = db_with(
        "index_leftover",
        "CREATE TABLE trades (id int PRIMARY KEY, external_id text);
             INSERT INTO trades SELECT g, 'x' || g % 10 FROM generate_series(1, 1000) g;",
    )
    .await;
    let mut console = Box::pin(Console::on(&conninfo)).await;
    let effects = console
        .model
        .update(Msg::Indexes(Box::new(IndexesEvent::Suggestions(Ok(vec![
            unique_suggestion(),
        ])))));
    console.carry_out(effects);
    console.select(|f| f.kind == FindingKind::Suggestion);
    console.create().await;
    console.press(KeyCode::Enter);
    console
        .until("the offered cleanup", confirming(JobKind::DropIndex))
        .await;
    assert!(
        matches!(console.outcome(JobKind::CreateIndex), Some(Outcome::Failed { error }) if error.contains("could not create unique index")),
        "{:?}",
        console.outcome(JobKind::CreateIndex)
    );
    assert_eq!(
        index_state(&setup, "trades_external_id_key").await,
        Some(false),
        "left invalid"
    );
    assert_eq!(
        console.confirm(Some("drop")).await,
        Outcome::Done { rows: Vec::new() }
    );
    assert_eq!(
        index_state(&setup, "trades_external_id_key").await,
        None,
        "nothing left behind"
    );
}

#[tokio::test]
async fn a_table_and_column_with_quotes_spaces_and_semicolons_are_indexed_and_dropped() {
    let (conninfo, setup) = db_with("index_hostile", r#"CREATE TABLE parent (id int PRIMARY KEY);
               INSERT INTO parent SELECT generate_series(1, 10);
               CREATE TABLE "we""ird; DROP TABLE parent; --" ("a b;c" int REFERENCES parent, x int);
               INSERT INTO "we""ird; DROP TABLE parent; --" SELECT 1 + g % 10, g FROM generate_series(1, 100) g;"#).await;
    let mut console = Box::pin(Console::on(&conninfo)).await;
    console.select(|f| f.kind == FindingKind::MissingFkIndex);
    console.create().await;
    assert_eq!(
        console.confirm(None).await,
        Outcome::Done { rows: Vec::new() }
    );
    let name = "we\"ird; DROP TABLE parent; --_a b;c_idx";
    assert_eq!(index_state(&setup, name).await, Some(true));
    console.refresh().await;
    assert!(
        console.model.indexes.findings.is_empty(),
        "the new index, never scanned yet, keeps the foreign key indexed: {:#?}",
        console.model.indexes.findings
    );
    // A wider index on the same key makes it redundant: now it may go.
    setup
        .batch_execute(
            r#"CREATE INDEX "wide; idx" ON "we""ird; DROP TABLE parent; --" ("a b;c", x)"#,
        )
        .await
        .unwrap();
    console.refresh().await;
    console.select(|f| {
        f.kind == FindingKind::Redundant && f.index.as_ref().is_some_and(|i| i.name == name)
    });
    console.press(KeyCode::Char('d'));
    assert!(confirming(JobKind::DropIndex)(&console.model));
    assert_eq!(
        console.confirm(Some("drop")).await,
        Outcome::Done { rows: Vec::new() }
    );
    assert_eq!(index_state(&setup, name).await, None);
    let intact: i64 = setup
        .query_one(
            r#"SELECT (SELECT count(*) FROM parent) + (SELECT count(*) FROM "we""ird; DROP TABLE parent; --")"#,
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(intact, 110, "both tables and their rows are still there");
}

#[tokio::test]
async fn a_created_index_is_re_planned_and_timed_over_the_interval_after() {
    let (conninfo, setup) = db_with(
        "index_followup",
        "CREATE TABLE orders (id int PRIMARY KEY, user_id int, note text);
             INSERT INTO orders SELECT g, g % 500, repeat('x', 50) FROM generate_series(1, 20000) g;
             ANALYZE orders;",
    )
    .await;
    let app = connect(&conninfo).await;
    let query = "SELECT * FROM orders WHERE user_id = $1";
    for i in 0..20 {
        app.query(query, &[&i]).await.unwrap();
    }
    let (queryid, mean_ms): (i64, f64) = {
        let row = setup
            .query_one(
                "SELECT queryid, mean_exec_time FROM pg_stat_statements \
                 WHERE query = $1 AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())",
                &[&query],
            )
            .await
            .unwrap();
        (row.get(0), row.get(1))
    };
    setup
        .batch_execute("CREATE INDEX orders_user_id_idx ON orders (user_id)")
        .await
        .unwrap();
    let helped = Helped {
        queryid,
        query: query.to_owned(),
        share_of_total_time: 1.0,
        calls: 20,
        mean_ms,
        cost_before: 500.0,
        cost_after: 40.0,
        plan_before: String::new(),
        plan_after: String::new(),
    };
    // pg_stat_statements' text of `interval '5 min'` is `interval $2`: not SQL as it stands.
    let normalized = Helped {
        queryid: 1,
        query: "SELECT * FROM orders WHERE user_id = $1 AND now() - interval $2 < now()".to_owned(),
        ..helped.clone()
    };
    let (tx, mut rx) = unbounded_channel();
    let client = pgmedic::work::connect(&params(&conninfo), &[])
        .await
        .unwrap();
    let following = tokio::spawn(async move {
        pgmedic::work::indexes::follow_up(
            &client,
            "orders_user_id_idx",
            &[helped, normalized],
            Duration::from_millis(1500),
            &tx,
        )
        .await;
    });
    let next = async |rx: &mut UnboundedReceiver<Msg>| match tokio::time::timeout(
        Duration::from_secs(30),
        rx.recv(),
    )
    .await
    {
        Ok(Some(Msg::Indexes(event))) => match *event {
            IndexesEvent::Followup(f) => f,
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    };
    let planned = next(&mut rx).await;
    assert_eq!(planned.measured_over, None);
    let plan = planned.statements[0].plan_now.as_ref().unwrap();
    assert!(plan.uses("orders_user_id_idx"), "{plan:?}");
    let plan = planned.statements[1].plan_now.as_ref().unwrap();
    assert!(plan.uses("orders_user_id_idx"), "{plan:?}");
    for i in 0..10 {
        app.query(query, &[&i]).await.unwrap();
    }
    let measured = next(&mut rx).await;
    following.await.unwrap();
    assert_eq!(measured.measured_over, Some(1.5));
    assert_eq!(measured.statements[0].calls_after, Some(10));
    assert!(measured.statements[0].mean_after_ms.is_some());
}
