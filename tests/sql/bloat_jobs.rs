//! The Bloat & vacuum pane's actions end to end: keys on the model propose the job, the
//! confirmation runs it through the job runner on the real cluster, and the server shows the
//! effect (dead tuples gone, the table and the index smaller).

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use pgmedic::app::effect::Effect;
use pgmedic::app::model::{Mode, Model};
use pgmedic::app::msg::{ConnEvent, Msg};
use pgmedic::diagnose::maintenance::Exact;
use pgmedic::jobs::{JobEvent, JobKind, JobSpec, Outcome, Progress, Runner};
use pgmedic::work::{self, Request, WorkContext};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use crate::bloat::{BloatWatch, settle};

use crate::common::{connect, fresh_db, params, quiet_cluster};

/// The console's model on the Bloat pane of `conninfo`, fed by the real collector.
struct Console {
    model: Model,
    watch: BloatWatch,
    conninfo: String,
    /// What the model asked for when the last job ended.
    after: Vec<Effect>,
}

impl Console {
    async fn on(conninfo: &str) -> Self {
        let watch = BloatWatch::on(conninfo).await;
        let mut model = Model::new(
            "test".to_owned(),
            Duration::from_secs(2),
            false,
            Instant::now(),
        );
        model.update(Msg::Conn(ConnEvent::Up(Box::new(watch.info.clone()))));
        let mut console = Self {
            model,
            watch,
            conninfo: conninfo.to_owned(),
            after: Vec::new(),
        };
        console.keys("5");
        console.refresh().await;
        console
    }

    async fn refresh(&mut self) {
        let snapshot = self.watch.collect().await;
        self.model.update(Msg::Bloat(Box::new(snapshot)));
    }

    fn key(&mut self, code: KeyCode) -> Vec<Effect> {
        self.model
            .update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
    }

    fn keys(&mut self, keys: &str) -> Vec<Effect> {
        keys.chars()
            .flat_map(|c| self.key(KeyCode::Char(c)))
            .collect()
    }

    /// Filters the list down to `name` (`/name` Enter).
    fn select(&mut self, name: &str) {
        self.keys("/");
        self.keys(name);
        self.key(KeyCode::Enter);
    }

    /// The job the last key proposed.
    fn proposed(&self) -> JobSpec {
        match &self.model.mode {
            Mode::Confirm(confirm) => confirm.spec.clone(),
            other => panic!(
                "expected a confirmation, got {other:?} ({:?})",
                self.model.notice
            ),
        }
    }

    /// Confirms (typing `word` when the kind asks for it) and runs the job to its end.
    async fn confirm_and_run(&mut self, word: Option<&str>) -> (Vec<Progress>, Outcome) {
        let mut effects = match word {
            Some(word) => self.keys(word),
            None => Vec::new(),
        };
        effects.extend(self.key(KeyCode::Enter));
        let Some(Effect::RunJob(id, spec)) = effects.into_iter().next() else {
            panic!(
                "the confirmation must start the job: {:?}",
                self.model.notice
            );
        };
        let (tx, mut rx) = unbounded_channel();
        let runner = Runner::new(
            params(&self.conninfo),
            "postgres".to_owned(),
            self.watch.info.version_num,
            None,
            tx,
        );
        runner.start(id, spec);
        self.until_finished(&mut rx).await
    }

    async fn until_finished(
        &mut self,
        rx: &mut UnboundedReceiver<Msg>,
    ) -> (Vec<Progress>, Outcome) {
        let mut seen = Vec::new();
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(120), rx.recv())
                .await
                .unwrap()
                .unwrap();
            let Msg::Job(event) = msg.clone() else {
                continue;
            };
            let effects = self.model.update(msg);
            match event {
                JobEvent::Progress { progress, .. } => seen.push(progress),
                JobEvent::Finished { outcome, kind, .. } => {
                    // A maintained relation is read again at once.
                    if matches!(outcome, Outcome::Done { .. }) && kind != JobKind::CreateExtension {
                        assert!(effects.contains(&Effect::RefreshNow), "{effects:?}");
                    }
                    self.after = effects;
                    return (seen, outcome);
                }
                JobEvent::Started { .. } => {}
            }
        }
    }
}

async fn size_of(conninfo: &str, relation: &str) -> i64 {
    connect(conninfo)
        .await
        .query_one("SELECT pg_relation_size($1::text::regclass)", &[&relation])
        .await
        .unwrap()
        .get(0)
}

#[tokio::test]
async fn vacuum_from_the_pane_removes_the_dead_tuples_with_its_progress_in_sight() {
    let (_cluster, conninfo) = quiet_cluster();
    let db = "postgres";
    // Throttled like a busy server's vacuum, so that it runs long enough to be watched.
    settle(
        &conninfo,
        &format!(
            "ALTER DATABASE \"{db}\" SET vacuum_cost_delay = '2ms';
             ALTER DATABASE \"{db}\" SET vacuum_cost_limit = 60;
             CREATE TABLE big_vacuum (id int, pad text) WITH (autovacuum_enabled = off);
             INSERT INTO big_vacuum SELECT g, repeat('x', 150) FROM generate_series(1, 200000) g;
             CREATE INDEX big_vacuum_id ON big_vacuum (id);
             DELETE FROM big_vacuum WHERE id % 2 = 0"
        ),
        false,
    )
    .await;
    let mut console = Box::pin(Console::on(&conninfo)).await;
    console.select("big_vacuum");
    console.keys("v");
    let spec = console.proposed();
    assert_eq!(spec.kind, JobKind::Vacuum);
    assert_eq!(
        spec.statements[0],
        "VACUUM (ANALYZE) \"public\".\"big_vacuum\""
    );
    let watcher_conninfo = conninfo.clone();
    // While the job runs, the pane's own collector sees it in pg_stat_progress_vacuum.
    let watching = tokio::spawn(async move {
        let mut watch = BloatWatch::on(&watcher_conninfo).await;
        for _ in 0..200 {
            let snapshot = watch.collector.collect(&watch.client, &watch.info).await;
            if let Some(p) = snapshot
                .progress
                .unwrap()
                .into_iter()
                .find(|p| p.relation.as_deref() == Some("public.big_vacuum"))
                && p.fraction().is_some()
            {
                return Some(p);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        None
    });
    let (progress, outcome) = console.confirm_and_run(None).await;
    let left = vec![vec![Some("0".to_owned())]];
    assert_eq!(outcome, Outcome::Done { rows: left }, "none left");
    let seen = watching
        .await
        .unwrap()
        .expect("the pane saw the vacuum running");
    assert_eq!(seen.command, "vacuum");
    assert!(!seen.autovacuum && seen.blks_total > 0, "{seen:?}");
    assert!(
        progress
            .iter()
            .any(|p| p.phase.starts_with("scanning heap") && p.total > 0),
        "the job's progress: {progress:?}"
    );
    let dead: i64 = connect(&conninfo)
        .await
        .query_one(
            "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'big_vacuum'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(dead, 0, "the vacuum removed the dead tuples");
    console.refresh().await;
    let table = console
        .model
        .bloat
        .catalog
        .as_ref()
        .unwrap()
        .tables
        .iter()
        .find(|t| t.name == "big_vacuum")
        .unwrap()
        .clone();
    assert_eq!(table.counters.n_dead_tup, 0);
    assert!(table.counters.last_vacuum.is_some() && table.counters.last_analyze.is_some());
}

#[tokio::test]
async fn vacuum_full_from_the_pane_shrinks_the_table_after_its_word_is_typed() {
    let (_cluster, conninfo) = quiet_cluster();
    settle(
        &conninfo,
        "CREATE TABLE shrink_me (id int, pad text) WITH (autovacuum_enabled = off);
         INSERT INTO shrink_me SELECT g, md5(g::text) FROM generate_series(1, 100000) g;
         DELETE FROM shrink_me WHERE id % 10 < 6",
        true,
    )
    .await;
    let before = size_of(&conninfo, "shrink_me").await;
    let mut console = Box::pin(Console::on(&conninfo)).await;
    console.select("shrink_me");
    console.keys("F");
    let spec = console.proposed();
    assert_eq!(
        spec.sql(),
        "VACUUM (FULL, ANALYZE) \"public\".\"shrink_me\";"
    );
    assert!(
        spec.warning
            .as_deref()
            .unwrap()
            .contains("ACCESS EXCLUSIVE"),
        "{spec:?}"
    );
    // Enter alone does not run it: the word must be typed.
    assert!(console.key(KeyCode::Enter).is_empty());
    let (_, outcome) = console.confirm_and_run(Some("full")).await;
    assert_eq!(outcome, Outcome::Done { rows: Vec::new() });
    let after = size_of(&conninfo, "shrink_me").await;
    assert!(
        (after as f64) < before as f64 * 0.5,
        "{before} → {after} bytes"
    );
}

#[tokio::test]
async fn reindex_concurrently_from_the_pane_shrinks_a_bloated_index() {
    let (_cluster, conninfo) = quiet_cluster();
    settle(
        &conninfo,
        "CREATE TABLE keyed (id int, pad text) WITH (autovacuum_enabled = off);
         INSERT INTO keyed SELECT g, md5(g::text) FROM generate_series(1, 100000) g;
         CREATE INDEX keyed_pad ON keyed (pad);
         DELETE FROM keyed WHERE id % 10 < 7;
         VACUUM keyed",
        true,
    )
    .await;
    let before = size_of(&conninfo, "keyed_pad").await;
    let mut console = Box::pin(Console::on(&conninfo)).await;
    console.keys("r");
    assert!(
        console
            .model
            .notice
            .as_ref()
            .is_some_and(|n| n.text.contains("select an index")),
        "r on a table asks for an index"
    );
    console.keys("i");
    console.select("keyed_pad");
    console.keys("r");
    let spec = console.proposed();
    assert_eq!(
        spec.sql(),
        "REINDEX INDEX CONCURRENTLY \"public\".\"keyed_pad\";"
    );
    let (_, outcome) = console.confirm_and_run(None).await;
    assert_eq!(outcome, Outcome::Done { rows: Vec::new() });
    let after = size_of(&conninfo, "keyed_pad").await;
    assert!(
        (after as f64) < before as f64 * 0.5,
        "{before} → {after} bytes"
    );
}

#[tokio::test]
async fn hostile_names_are_vacuumed_as_names() {
    let conninfo = fresh_db("bloat_hostile").await;
    settle(
        &conninfo,
        "CREATE TABLE victim (id int);
         CREATE TABLE \"v\"\"; DROP TABLE victim; --\" (id int);
         INSERT INTO \"v\"\"; DROP TABLE victim; --\" SELECT generate_series(1, 100)",
        true,
    )
    .await;
    let mut console = Box::pin(Console::on(&conninfo)).await;
    console.select("drop table");
    console.keys("a");
    let spec = console.proposed();
    assert_eq!(
        spec.sql(),
        "ANALYZE \"public\".\"v\"\"; DROP TABLE victim; --\";"
    );
    let (_, outcome) = console.confirm_and_run(None).await;
    assert_eq!(outcome, Outcome::Done { rows: Vec::new() });
    let victim: bool = connect(&conninfo)
        .await
        .query_one("SELECT to_regclass('victim') IS NOT NULL", &[])
        .await
        .unwrap()
        .get(0);
    assert!(victim, "the name stayed a name");
}

#[tokio::test]
async fn x_offers_pgstattuple_then_measures_exactly() {
    let conninfo = fresh_db("bloat_exact").await;
    settle(
        &conninfo,
        "DROP EXTENSION pgstattuple;
         CREATE TABLE measured (id int PRIMARY KEY, pad text) WITH (autovacuum_enabled = off);
         INSERT INTO measured SELECT g, md5(g::text) FROM generate_series(1, 20000) g;
         DELETE FROM measured WHERE id % 4 = 0",
        true,
    )
    .await;
    let mut console = Box::pin(Console::on(&conninfo)).await;
    console.select("measured");
    console.keys("x");
    let spec = console.proposed();
    assert_eq!(spec.kind, JobKind::CreateExtension);
    assert_eq!(spec.sql(), "CREATE EXTENSION pgstattuple;");
    let (_, outcome) = console.confirm_and_run(None).await;
    assert_eq!(outcome, Outcome::Done { rows: Vec::new() });
    let effects = console.keys("x");
    let Some(Effect::Work(Request::BloatExact(request))) = effects.into_iter().next() else {
        panic!(
            "x measures once pgstattuple exists: {:?}",
            console.model.notice
        );
    };
    let reply = pgmedic::work::bloat::measure(&params(&conninfo), request).await;
    let oid = reply.oid;
    console.model.update(Msg::BloatExact(Box::new(reply)));
    let Some(Exact::Table(raw, exact)) = console.model.bloat.exact.get(&oid) else {
        panic!("{:?}", console.model.bloat.exact);
    };
    assert!((raw.dead_tuple_count - 5000.0).abs() < 1.0, "{raw:?}");
    assert!((exact.wasted_pct - 25.0).abs() < 3.0, "{exact:?}");
}

/// Runs the model's on-demand work (as the console does) and folds its `count` answers in.
async fn carry_out_work(console: &mut Console, count: usize) {
    let (tx, mut rx) = unbounded_channel();
    let context = WorkContext::new(params(&console.conninfo), tx);
    for effect in std::mem::take(&mut console.after) {
        if let Effect::Work(request) = effect {
            work::spawn(request, &context);
        }
    }
    for _ in 0..count {
        let msg = tokio::time::timeout(Duration::from_secs(60), rx.recv())
            .await
            .unwrap()
            .unwrap();
        console.model.update(msg);
    }
}

async fn is_valid(conninfo: &str, index: &str) -> Option<bool> {
    connect(conninfo)
        .await
        .query_opt(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass($1)",
            &[&index],
        )
        .await
        .unwrap()
        .map(|r| r.get(0))
}

#[tokio::test]
async fn a_reindex_that_is_cancelled_offers_to_drop_the_invalid_copy_it_leaves() {
    let conninfo = fresh_db("bloat_reindex_leftover").await;
    settle(
        &conninfo,
        "CREATE TABLE held (id int PRIMARY KEY, pad text);
         INSERT INTO held SELECT g, md5(g::text) FROM generate_series(1, 10000) g",
        true,
    )
    .await;
    // A report's old snapshot: REINDEX CONCURRENTLY waits for it (with no lock_timeout, as
    // every CONCURRENTLY job) until someone cancels it — here another session, as a DBA would.
    let report = connect(&conninfo).await;
    report
        .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM held")
        .await
        .unwrap();
    let canceller = connect(&conninfo).await;
    let cancel = tokio::spawn(async move {
        for _ in 0..600 {
            let signalled: i64 = canceller
                .query_one(
                    "SELECT count(pg_cancel_backend(pid)) FROM pg_stat_activity \
                      WHERE query LIKE 'REINDEX INDEX CONCURRENTLY%held_pkey%' \
                        AND wait_event_type IS NOT NULL AND pid <> pg_backend_pid()",
                    &[],
                )
                .await
                .unwrap()
                .get(0);
            if signalled > 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let mut console = Box::pin(Console::on(&conninfo)).await;
    console.keys("i");
    console.select("held_pkey");
    console.keys("r");
    let (_, outcome) = console.confirm_and_run(None).await;
    cancel.await.unwrap();
    assert_eq!(outcome, Outcome::Cancelled, "a cancel is told as such");
    assert_eq!(is_valid(&conninfo, "held_pkey_ccnew").await, Some(false));
    carry_out_work(&mut console, 2).await;
    let spec = console.proposed();
    assert_eq!(spec.kind, JobKind::DropIndex);
    assert_eq!(
        spec.sql(),
        "DROP INDEX CONCURRENTLY IF EXISTS \"public\".\"held_pkey_ccnew\";"
    );
    report.batch_execute("COMMIT").await.unwrap();
    let (_, outcome) = console.confirm_and_run(Some("drop")).await;
    assert_eq!(outcome, Outcome::Done { rows: Vec::new() });
    assert_eq!(is_valid(&conninfo, "held_pkey_ccnew").await, None);
    assert_eq!(is_valid(&conninfo, "held_pkey").await, Some(true));
}

#[tokio::test]
async fn a_vacuum_that_leaves_dead_tuples_says_how_many_and_who_holds_them() {
    let conninfo = fresh_db("bloat_vacuum_held").await;
    settle(
        &conninfo,
        "CREATE TABLE kept (id int, pad text) WITH (autovacuum_enabled = off);
         INSERT INTO kept SELECT g, md5(g::text) FROM generate_series(1, 10000) g",
        true,
    )
    .await;
    let report = connect(&conninfo).await;
    report
        .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM kept")
        .await
        .unwrap();
    let pid: i32 = report
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0);
    settle(&conninfo, "DELETE FROM kept WHERE id % 2 = 0", false).await;
    let mut console = Box::pin(Console::on(&conninfo)).await;
    console.select("kept");
    console.keys("v");
    let (_, outcome) = console.confirm_and_run(None).await;
    assert_eq!(
        outcome,
        Outcome::Done {
            rows: vec![vec![Some("5000".to_owned())]]
        }
    );
    let notice = console.model.notice.clone().unwrap();
    assert!(
        notice.text.contains("5000 dead tuples left")
            && notice.text.contains(&format!("session {pid}")),
        "{}",
        notice.text
    );
    let job = console.model.jobs.jobs.last().unwrap();
    assert!(
        job.note
            .as_deref()
            .is_some_and(|n| n.contains(&format!("session {pid}")))
    );
    report.batch_execute("COMMIT").await.unwrap();
}
