//! The Jobs pane and the confirmation popup of an action.

use std::path::PathBuf;
use std::time::Duration;

use pgmedic::app::model::Model;
use pgmedic::app::msg::Msg;
use pgmedic::app::pane::Pane;
use pgmedic::jobs::{JobEvent, JobKind, JobSpec, Outcome, Progress};

use crate::fixtures::{busy, dark, draw, screen};

fn jobs_model() -> Model {
    let mut m = busy();
    m.jobs.audit_path = Some(PathBuf::from("/var/lib/pgmedic/state/audit.log"));
    let now = m.now;
    let index = JobSpec::new(
        JobKind::CreateIndex,
        "public.fills (account_id, placed_at)",
        vec![
            "CREATE INDEX CONCURRENTLY \"fills_account_id_placed_at_idx\" ON \"public\".\"fills\" (\"account_id\", \"placed_at\")"
                .to_owned(),
        ],
    );
    let id = m.jobs.add(index, now);
    m.update(Msg::Job(JobEvent::Started { id, pid: 4240 }));
    m.update(Msg::Job(JobEvent::Finished {
        id,
        kind: JobKind::CreateIndex,
        target: String::new(),
        outcome: Outcome::Done { rows: Vec::new() },
        elapsed: Duration::from_millis(3200),
    }));
    let drop = JobSpec::new(
        JobKind::DropIndex,
        "public.orders_dup",
        vec!["DROP INDEX CONCURRENTLY \"public\".\"orders_dup\"".to_owned()],
    );
    let id = m.jobs.add(drop, now);
    m.update(Msg::Job(JobEvent::Finished {
        id,
        kind: JobKind::DropIndex,
        target: String::new(),
        outcome: Outcome::Failed {
            error: "canceling statement due to lock timeout".to_owned(),
        },
        elapsed: Duration::from_secs(5),
    }));
    let vacuum = JobSpec::new(
        JobKind::Vacuum,
        "public.orders",
        vec!["VACUUM (ANALYZE) \"public\".\"orders\"".to_owned()],
    );
    let id = m.jobs.add(vacuum, now);
    m.update(Msg::Job(JobEvent::Started { id, pid: 4242 }));
    m.update(Msg::Job(JobEvent::Progress {
        id,
        progress: Progress {
            phase: "scanning heap".to_owned(),
            done: 6100,
            total: 10000,
            unit: "blocks".to_owned(),
            waiting_for: vec![4100],
        },
    }));
    m.notice = None;
    m.pane = Pane::Jobs;
    m
}

#[test]
fn jobs_80x24() {
    let terminal = draw(&jobs_model(), &dark(), 80, 24);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn jobs_160x50() {
    let terminal = draw(&jobs_model(), &dark(), 160, 50);
    let lines = screen(&terminal);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("61% ██████···· scanning heap"))
    );
    assert!(lines.iter().any(|l| l.contains("waiting for pid 4100")));
    assert!(lines.iter().any(|l| l.contains("FAILED")));
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn an_empty_jobs_pane_says_where_actions_come_from() {
    let mut m = busy();
    m.pane = Pane::Jobs;
    let lines = screen(&draw(&m, &dark(), 80, 24));
    assert!(lines.iter().any(|l| l.contains("no action yet")));
}

#[test]
fn a_destructive_action_shows_its_sql_and_asks_for_its_word() {
    let mut m = busy();
    m.notice = None;
    m.propose(
        JobSpec::new(
            JobKind::DropIndex,
            "public.orders_dup",
            vec!["DROP INDEX CONCURRENTLY \"public\".\"orders_dup\"".to_owned()],
        )
        .warning("the index is gone for every query that uses it"),
    );
    let terminal = draw(&m, &dark(), 80, 24);
    let lines = screen(&terminal);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("DROP INDEX CONCURRENTLY \"public\".\"orders_dup\";"))
    );
    assert!(lines.iter().any(|l| l.contains("type drop and Enter")));
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn quitting_while_a_job_runs_asks_and_says_what_it_cancels() {
    let mut m = jobs_model();
    let build = JobSpec::new(
        JobKind::CreateIndex,
        "public.trades (order_id)",
        vec!["CREATE INDEX CONCURRENTLY \"trades_order_id_idx\" ON \"public\".\"trades\" (\"order_id\")".to_owned()],
    );
    let now = m.now;
    m.jobs.add(build, now);
    m.update(Msg::Key(crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Char('q'),
        crossterm::event::KeyModifiers::NONE,
    )));
    let terminal = draw(&m, &dark(), 80, 24);
    let text = screen(&terminal).join("\n");
    for expected in [
        "2 jobs are still running:",
        "vacuum public.orders · scanning heap",
        "create index public.trades (order_id)",
        "Quitting cancels them",
        "invalid index behind",
        "q / y / Enter cancels them and quits",
    ] {
        assert!(text.contains(expected), "{expected:?} missing:\n{text}");
    }
}
