//! The Explain pane: the plan tree, the flat view, a node's detail with per-worker figures,
//! two plans compared, the question before EXPLAIN ANALYZE, the editor, and the file viewer.

#![expect(
    clippy::expect_used,
    reason = "test fixtures: a broken fixture must stop the test loudly"
)]

use pgmedic::app::action::Action;
use pgmedic::app::explain::Shown;
use pgmedic::app::model::{Mode, Model};
use pgmedic::app::pane::Pane;
use pgmedic::plan::Plan;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::fixtures::{busy, dark, draw, screen};

const CTE2: &str = include_str!("../fixtures/plans/cte2.pg15.txt");
const CTE2_18: &str = include_str!("../fixtures/plans/cte2.pg18.json");
const PARALLEL: &str = include_str!("../fixtures/plans/parallel.pg15.txt");
const SQL: &str = "WITH s AS MATERIALIZED (SELECT customer_id, sum(amount) AS total FROM orders GROUP BY customer_id)\nSELECT count(*) FROM s a JOIN s b ON b.customer_id = a.customer_id + 1\nWHERE a.total > b.total";

fn shown(text: &str, source: &str) -> Shown {
    Shown {
        plan: Plan::parse(text).expect("a fixture plan"),
        sql: Some(SQL.to_owned()),
        how: None,
        source: source.to_owned(),
    }
}

/// The console on the Explain pane with the CTE plan and its SQL.
fn explain_model() -> Model {
    let mut m = busy();
    m.notice = None;
    m.pane = Pane::Explain;
    m.explain.set_sql(SQL);
    m.explain.show(shown(CTE2, "EXPLAIN ANALYZE (rolled back)"));
    m
}

#[test]
fn plan_tree_80x24() {
    let terminal = draw(&explain_model(), &dark(), 80, 24);
    let lines = screen(&terminal);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("» ├─ ▾ CTE s: HashAggregate")),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("WARN Hash Join: rows overestimated 12.3x"))
    );
    assert!(lines.iter().any(|l| l.contains("WITH s AS MATERIALIZED")));
    // The warning wraps rather than losing its end, here and at 120 columns.
    assert!(
        lines
            .iter()
            .any(|l| l.contains("per loop): statistics may be stale or too coarse")),
        "{lines:#?}"
    );
    let wide = screen(&draw(&explain_model(), &dark(), 120, 40)).join("\n");
    assert!(
        wide.contains("per loop): statistics may be stale or too"),
        "{wide}"
    );
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn plan_tree_160x50() {
    let mut m = explain_model();
    m.apply(Action::Down);
    m.apply(Action::ToggleNode);
    let terminal = draw(&m, &dark(), 160, 50);
    let lines = screen(&terminal);
    assert!(lines.iter().any(|l| l.contains("▸ CTE s: HashAggregate")));
    assert!(
        !lines.iter().any(|l| l.contains("Seq Scan on orders")),
        "collapsed"
    );
    assert!(
        lines.iter().any(|l| l.contains("hit/read")),
        "wide: buffers column"
    );
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn nodes_by_self_time_80x24() {
    let mut m = explain_model();
    m.apply(Action::FlatView);
    let terminal = draw(&m, &dark(), 80, 24);
    let lines = screen(&terminal);
    let first = lines
        .iter()
        .position(|l| l.contains("CTE s: HashAggregate"))
        .unwrap();
    let second = lines
        .iter()
        .position(|l| l.contains("Seq Scan on orders"))
        .unwrap();
    assert!(first < second, "heaviest self time first");
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn node_detail_with_per_worker_figures_160x50() {
    let mut m = busy();
    m.notice = None;
    m.pane = Pane::Explain;
    m.explain.show(shown(PARALLEL, "parallel.pg15.txt"));
    m.apply(Action::Bottom);
    m.apply(Action::Open);
    let terminal = draw(&m, &dark(), 160, 50);
    let lines = screen(&terminal);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("averaged over 3 processes")),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("leader") && l.contains("78,113"))
    );
    assert!(lines.iter().any(|l| l.contains("rows skew 1.48x")));
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn two_plans_compared_160x50() {
    let mut m = explain_model();
    m.explain
        .show(shown(CTE2_18, "EXPLAIN ANALYZE (rolled back)"));
    m.apply(Action::ComparePlans);
    let terminal = draw(&m, &dark(), 160, 50);
    let lines = screen(&terminal);
    assert!(
        lines.iter().any(|l| l.contains("before 167ms → after")),
        "{lines:#?}"
    );
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn plans_of_two_statements_are_compared_only_under_a_title_that_says_so() {
    let mut m = explain_model();
    let mut users = shown(CTE2_18, "EXPLAIN ANALYZE (rolled back)");
    users.sql = Some("select count(*) from users".to_owned());
    m.explain.show(users);
    m.apply(Action::ComparePlans);
    for (width, height) in [(80, 24), (120, 40)] {
        let lines = screen(&draw(&m, &dark(), width, height));
        assert!(
            lines[1].contains("Compare · different statements") && lines[1].contains("c tree"),
            "{width}: {lines:#?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.contains("after:  select count(*) from users")),
            "{lines:#?}"
        );
        assert!(lines.iter().any(|l| l.contains("before: WITH s AS")));
    }
    // The same statement again (the view stays on compare): its own plan is the one
    // compared, whatever ran in between.
    m.explain
        .show(shown(CTE2_18, "EXPLAIN ANALYZE (rolled back)"));
    let lines = screen(&draw(&m, &dark(), 120, 40));
    assert!(
        lines[1].contains("Compare · same statement · before: 2 plans back (2 kept)"),
        "{lines:#?}"
    );
    m.apply(Action::OlderPlan);
    let lines = screen(&draw(&m, &dark(), 120, 40));
    assert!(
        lines[1].contains("different statements · before: the previous plan (2 kept)"),
        "{lines:#?}"
    );
}

#[test]
fn a_plan_an_error_and_sql_of_different_statements_say_whose_they_are() {
    use pgmedic::explain::run::ExplainOutcome;
    let mut m = explain_model();
    // A failed EXPLAIN of another statement, then a statement from the Queries pane that
    // cannot be explained at all.
    m.explain
        .set_sql("update watchlists set name = name where id = 1");
    let request = m
        .explain
        .ask(false, 150_018, m.now)
        .expect("a statement EXPLAIN takes")
        .expect("x asks nothing first");
    m.explain.on_outcome(ExplainOutcome {
        id: request.id,
        result: Err("canceling statement due to lock timeout".to_owned()),
    });
    let lines = screen(&draw(&m, &dark(), 120, 40)).join("\n");
    assert!(
        lines.contains("EXPLAIN failed: canceling statement due to lock timeout"),
        "{lines}"
    );
    assert!(
        lines.contains("plan of another statement than the SQL below: WITH s AS MATERIALIZED"),
        "{lines}"
    );
    m.explain_statement("START TRANSACTION".to_owned(), false);
    for (width, height) in [(80, 24), (120, 40)] {
        let lines = screen(&draw(&m, &dark(), width, height)).join("\n");
        for what in [
            "EXPLAIN of another statement than the SQL below failed (update",
            "canceling statement due to",
            "plan of another statement than the SQL below:",
            "START TRANSACTION",
        ] {
            assert!(lines.contains(what), "{what:?} at {width}:\n{lines}");
        }
    }
}

#[test]
fn explain_analyze_of_an_update_says_what_it_will_do_first() {
    let mut m = explain_model();
    m.explain
        .set_sql("UPDATE orders SET amount = amount * 2 WHERE id < 100");
    let effects = m.apply(Action::ExplainAnalyze);
    assert!(effects.is_empty(), "nothing runs before the DBA says yes");
    assert_eq!(m.mode, Mode::Input);
    let terminal = draw(&m, &dark(), 80, 24);
    let lines = screen(&terminal).join("\n");
    assert!(
        lines.contains("EXPLAIN ANALYZE runs this UPDATE"),
        "{lines}"
    );
    assert!(lines.contains("rolled back"), "{lines}");
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn the_editor_shows_the_cursor_while_editing() {
    let mut m = explain_model();
    m.apply(Action::EditSql);
    let terminal = draw(&m, &dark(), 80, 24);
    let lines = screen(&terminal);
    assert!(lines.iter().any(|l| l.contains("Esc leaves the editor")));
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn an_empty_pane_says_how_to_get_a_plan() {
    let mut m = busy();
    m.pane = Pane::Explain;
    let lines = screen(&draw(&m, &dark(), 80, 24)).join(" ");
    assert!(lines.contains("No plan yet"), "{lines}");
    assert!(lines.contains("pgmedic explain FILE"), "{lines}");
}

#[test]
fn the_file_viewer_80x24() {
    let m = pgmedic::app::viewer::model(
        vec![shown(CTE2, "cte2.pg15.txt")],
        std::time::Instant::now(),
    );
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal
        .draw(|frame| pgmedic::ui::explain::viewer::render(frame, &m, &dark()))
        .unwrap();
    let lines = screen(&terminal);
    assert!(lines[0].contains("cte2.pg15.txt"));
    assert!(
        !lines.iter().any(|l| l.contains("statement_timeout")),
        "no editor without a server"
    );
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn tiny_terminals_do_not_panic() {
    let m = explain_model();
    for (w, h) in [(0, 0), (1, 1), (80, 24), (300, 100)] {
        draw(&m, &dark(), w, h);
    }
}

#[test]
fn the_node_detail_scrolls_to_every_property_80x24() {
    let mut m = busy();
    m.notice = None;
    m.pane = Pane::Explain;
    m.explain.show(shown(PARALLEL, "parallel.pg15.txt"));
    m.size = (80, 24);
    m.apply(Action::Bottom);
    m.apply(Action::Open);
    let before = screen(&draw(&m, &dark(), 80, 24));
    for _ in 0..8 {
        m.apply(Action::PageDown);
    }
    let after = screen(&draw(&m, &dark(), 80, 24));
    let shows = |lines: &[String], text: &str| lines.iter().any(|l| l.contains(text));
    assert!(!shows(&before, "Rows Removed by Filter"), "{before:#?}");
    assert!(shows(&after, "Rows Removed by Filter: 4000"), "{after:#?}");
    assert!(shows(&after, "Worker"), "{after:#?}");
    assert!(shows(&after, "Parallel Seq Scan on public.orders · line "));
    m.apply(Action::Up);
    let moved = screen(&draw(&m, &dark(), 80, 24));
    assert!(
        shows(&moved, "Partial HashAggregate") && shows(&moved, "time "),
        "k moves to the node above, its detail from the top: {moved:#?}"
    );
}
