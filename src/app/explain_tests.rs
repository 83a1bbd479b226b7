//! The Explain pane's state and its keys through the model.

// ─── The pane's state ───

mod state {
    use super::super::*;

    const PLAN: &str = include_str!("../../tests/fixtures/plans/cte2.pg15.txt");

    fn state() -> ExplainState {
        let mut s = ExplainState::default();
        s.show(Shown {
            plan: Plan::parse(PLAN).unwrap(),
            sql: None,
            how: None,
            source: "cte2.pg15.txt".to_owned(),
        });
        s
    }

    #[test]
    fn collapsing_hides_children_and_keeps_the_selection() {
        let mut s = state();
        assert_eq!(s.rows.len(), 7);
        s.move_selection(1);
        assert!(s.toggle_selected(), "the CTE's aggregate has a child");
        assert_eq!(s.rows.len(), 6);
        assert_eq!(s.selected, 1);
        s.select_edge(true);
        assert!(!s.toggle_selected(), "a leaf does not collapse");
        s.expand_all();
        assert_eq!(s.rows.len(), 7);
        s.collapse_off_path();
        let shown: Vec<NodeId> = s.rows.iter().map(|r| r.id).collect();
        assert_eq!(
            shown,
            [0, 1, 2, 3],
            "the heaviest path, and the collapsed hash join"
        );
    }

    #[test]
    fn the_flat_view_and_the_filter() {
        let mut s = state();
        s.toggle_flat();
        let plan = &s.shown.as_ref().unwrap().plan;
        assert_eq!(plan.nodes[s.flat[0]].label(), "HashAggregate");
        s.filter = "cte scan".to_owned();
        s.relayout();
        assert_eq!(s.flat.len(), 2);
        s.toggle_flat();
        assert_eq!(s.rows.len(), 5, "matches and their ancestors");
    }

    #[test]
    fn analyze_asks_first_and_late_answers_are_dropped() {
        let mut s = ExplainState::default();
        s.set_sql("UPDATE t SET a = 1 WHERE id = 2");
        let now = Instant::now();
        assert_eq!(s.ask(true, 180_000, now), Ok(None));
        assert!(matches!(&s.input, Some(Input::ConfirmAnalyze(st)) if st.modifies));
        let request = s.confirmed(180_000, now).unwrap();
        assert!(request.analyze);
        let old = ExplainOutcome {
            id: request.id + 7,
            result: Err("late".to_owned()),
        };
        assert!(!s.on_outcome(old));
        assert!(s.running.is_some());
        let answer = ExplainOutcome {
            id: request.id,
            result: Err("relation \"t\" does not exist".to_owned()),
        };
        assert!(s.on_outcome(answer));
        assert!(s.running.is_none());
        assert!(
            s.error
                .as_deref()
                .is_some_and(|e| e.contains("does not exist"))
        );
        s.set_sql("SELECT 1; SELECT 2");
        assert!(
            s.ask(false, 180_000, now)
                .unwrap_err()
                .contains("2 statements")
        );
    }

    #[test]
    fn a_second_plan_can_be_compared_with_the_first() {
        let mut s = state();
        assert!(!s.toggle_compare(), "nothing to compare yet");
        s.show(Shown {
            plan: Plan::parse(include_str!("../../tests/fixtures/plans/cte2.pg18.txt")).unwrap(),
            sql: None,
            how: None,
            source: "cte2.pg18.txt".to_owned(),
        });
        assert!(s.toggle_compare());
        let diff = s.diff.as_ref().unwrap();
        assert_eq!(diff.rows.len(), 7, "the same nodes");
        assert!(diff.total.0.is_some() && diff.total.1.is_some());
    }

    fn of(sql: &str, source: &str) -> Shown {
        Shown {
            plan: Plan::parse(PLAN).unwrap(),
            sql: Some(sql.to_owned()),
            how: None,
            source: source.to_owned(),
        }
    }

    #[test]
    fn the_compare_view_says_when_the_statements_differ_and_any_earlier_plan_can_be_picked() {
        let mut s = ExplainState::default();
        s.show(of("select count(*) from trades where id = 1", "first"));
        s.show(of("select count(*) from users", "second"));
        assert!(s.toggle_compare());
        assert_eq!(s.kinship, Some(Kinship::Different));
        assert_eq!(
            s.before().map(|(at, b)| (at, b.source.as_str())),
            Some((0, "first"))
        );
        s.toggle_compare();
        // The same statement again, with another value: compared with its own earlier plan,
        // not with the plan just before.
        s.show(of("SELECT count(*) FROM trades WHERE id = 2", "third"));
        assert!(s.toggle_compare());
        assert_eq!(
            s.before().map(|(at, b)| (at, b.source.as_str())),
            Some((1, "first"))
        );
        assert_eq!(s.kinship, Some(Kinship::OtherValues));
        // C steps to older plans and round to the newest.
        assert!(s.older_plan());
        assert_eq!(
            s.before().map(|(at, _)| at),
            Some(0),
            "round from the oldest"
        );
        assert_eq!(s.kinship, Some(Kinship::Different));
        assert!(s.older_plan());
        assert_eq!(s.before().map(|(at, _)| at), Some(1));
        // A new plan forgets the pick; the history keeps the last few.
        for i in 0..HISTORY + 3 {
            s.show(of(&format!("select {i}"), "more"));
        }
        assert_eq!(s.history.len(), HISTORY);
        assert_eq!(s.before, None);
    }
}

// ─── Keys and answers through the model ───

mod model {
    use std::time::Duration;

    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::super::*;
    use crate::app::msg::{ConnEvent, Msg};
    use crate::server::ServerInfo;

    fn model(read_only: bool) -> Model {
        let mut m = Model::new(
            "db".to_owned(),
            Duration::from_secs(2),
            read_only,
            Instant::now(),
        );
        m.update(Msg::Conn(ConnEvent::Up(Box::new(ServerInfo::example(
            150_018,
        )))));
        m
    }

    fn key(code: KeyCode) -> Msg {
        Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    #[test]
    fn a_statement_from_another_pane_is_explained_at_once() {
        let mut m = model(false);
        let effects = m.explain_statement("SELECT * FROM orders WHERE id = $1".to_owned(), false);
        assert_eq!(m.pane, Pane::Explain);
        assert_eq!(effects[0], Effect::Focus(Pane::Explain));
        let Some(Effect::Work(Request::Explain(request))) = effects.get(1) else {
            panic!("no EXPLAIN asked for: {effects:?}")
        };
        assert!(!request.analyze, "a $n statement gets its generic plan");
        assert_eq!(request.server_version_num, 150_018);
        assert_eq!(request.timeout, DEFAULT_TIMEOUT);
    }

    #[test]
    fn a_statement_from_the_queries_pane_keeps_the_sql_the_dba_typed() {
        let mut m = model(false);
        m.explain_statement("SELECT 1".to_owned(), false);
        m.explain.running = None;
        m.explain_statement("SELECT 2".to_owned(), false);
        assert_eq!(m.explain.stash, None, "nothing typed: nothing to keep");
        m.explain.running = None;
        m.update(key(KeyCode::Char('e')));
        m.update(key(KeyCode::End));
        for c in " -- mine".chars() {
            m.update(key(KeyCode::Char(c)));
        }
        m.update(key(KeyCode::Esc));
        let mine = m.explain.sql();
        assert!(mine.ends_with("-- mine"), "{mine}");
        m.explain_statement("SELECT * FROM orders WHERE id = $1".to_owned(), true);
        assert_eq!(m.explain.stash.as_deref(), Some(mine.as_str()));
        let notice = m
            .notice
            .as_ref()
            .map(|n| n.text.as_str())
            .unwrap_or_default();
        assert!(
            notice.contains("fill in $1") && notice.contains("u brings it back"),
            "{notice}"
        );
        m.update(key(KeyCode::Esc));
        m.update(key(KeyCode::Char('u')));
        assert_eq!(m.explain.sql(), mine);
        m.update(key(KeyCode::Char('u')));
        assert_eq!(
            m.explain.sql(),
            "SELECT * FROM orders WHERE id = $1",
            "u swaps back"
        );
    }

    #[test]
    fn analyze_with_parameters_opens_the_editor_to_fill_them_in() {
        let mut m = model(false);
        let effects = m.explain_statement("SELECT * FROM orders WHERE id = $1".to_owned(), true);
        assert_eq!(effects, [Effect::Focus(Pane::Explain)], "nothing runs");
        assert_eq!(m.mode, Mode::Input);
        assert_eq!(m.explain.input, Some(Input::Editor));
        assert!(
            m.notice
                .as_ref()
                .is_some_and(|n| n.text.contains("fill in $1"))
        );
        // Typing replaces the parameter; Esc leaves the editor; a asks; y runs it.
        for _ in 0..2 {
            m.update(key(KeyCode::End));
        }
        m.update(key(KeyCode::Backspace));
        m.update(key(KeyCode::Backspace));
        m.update(key(KeyCode::Char('7')));
        assert_eq!(m.explain.sql(), "SELECT * FROM orders WHERE id = 7");
        m.update(key(KeyCode::Esc));
        assert_eq!(m.mode, Mode::Normal);
        assert!(m.update(key(KeyCode::Char('a'))).is_empty());
        assert_eq!(m.mode, Mode::Input);
        let effects = m.update(key(KeyCode::Char('y')));
        assert!(matches!(&effects[..], [Effect::Work(Request::Explain(r))] if r.analyze));
        assert!(m.explain.running.is_some());
    }

    #[test]
    fn read_only_refuses_to_analyze_a_statement_that_writes() {
        let mut m = model(true);
        m.pane = Pane::Explain;
        m.explain.set_sql("DELETE FROM orders WHERE id = 1");
        assert!(m.update(key(KeyCode::Char('a'))).is_empty());
        assert_eq!(m.mode, Mode::Normal, "no question: refused");
        assert!(
            m.notice
                .as_ref()
                .is_some_and(|n| n.text.contains("--read-only"))
        );
        let effects = m.update(key(KeyCode::Char('x')));
        assert!(matches!(&effects[..], [Effect::Work(Request::Explain(r))] if !r.analyze));
    }

    #[test]
    fn x_again_cancels_the_explain_running_and_its_answer_is_no_failure() {
        let mut m = model(false);
        m.pane = Pane::Explain;
        m.explain.set_sql("SELECT pg_sleep(60)");
        let effects = m.update(key(KeyCode::Char('x')));
        let [Effect::Work(Request::Explain(request))] = &effects[..] else {
            panic!("no EXPLAIN asked for: {effects:?}")
        };
        let id = request.id;
        assert!(
            m.update(key(KeyCode::Char('a'))).is_empty(),
            "a second one does not start"
        );
        let effects = m.update(key(KeyCode::Char('x')));
        assert_eq!(effects, [Effect::Work(Request::CancelExplain(id))]);
        assert!(m.explain.running.as_ref().is_some_and(|r| r.cancelling));
        m.update(Msg::Explain(Box::new(
            crate::explain::run::ExplainOutcome {
                id,
                result: Err(crate::explain::run::CANCELLED.to_owned()),
            },
        )));
        assert!(m.explain.running.is_none());
        assert_eq!(m.explain.error, None, "a cancel is not shown as a failure");
        assert!(
            m.notice
                .as_ref()
                .is_some_and(|n| n.text == "EXPLAIN cancelled")
        );
    }

    #[test]
    fn the_timeout_is_the_dbas() {
        let mut m = model(false);
        for c in ":timeout 2m".chars() {
            m.update(key(KeyCode::Char(c)));
        }
        m.update(key(KeyCode::Enter));
        assert_eq!(m.explain.timeout, Duration::from_secs(120));
    }
}

// ─── The file viewer ───

mod viewer {
    use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

    use super::super::*;
    use crate::app::viewer;

    #[test]
    fn the_viewer_keeps_to_its_plan() {
        let plan = Plan::parse(include_str!("../../tests/fixtures/plans/loops.pg15.txt")).unwrap();
        let shown = Shown {
            plan,
            sql: None,
            how: None,
            source: "loops.pg15.txt".to_owned(),
        };
        let mut m = viewer::model(vec![shown], Instant::now());
        let press = |m: &mut Model, code| {
            viewer::handle(m, &Event::Key(KeyEvent::new(code, KeyModifiers::NONE))).unwrap()
        };
        for code in [
            KeyCode::Char('1'),
            KeyCode::Tab,
            KeyCode::Char('e'),
            KeyCode::Char(':'),
        ] {
            assert!(!press(&mut m, code));
            assert_eq!(
                (m.pane, &m.mode),
                (Pane::Explain, &Mode::Normal),
                "{code:?}"
            );
        }
        assert!(!press(&mut m, KeyCode::Char('x')));
        assert!(
            m.notice
                .as_ref()
                .is_some_and(|n| n.text.contains("no server"))
        );
        assert!(!press(&mut m, KeyCode::Char(' ')));
        assert_eq!(m.explain.rows.len(), 1, "the root folded");
        assert!(press(&mut m, KeyCode::Char('q')));
    }
}
