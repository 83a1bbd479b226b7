//! The Queries pane at 80x24 and 160x50: the list, the detail view, the filter, the scopes,
//! and what it says without pg_stat_statements.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use pgmedic::app::model::Model;
use pgmedic::app::msg::Msg;
use pgmedic::snapshot::queries::QueriesSnapshot;

use crate::fixtures::{dark, draw, screen};
use crate::queries_fixtures::{WORKLOAD, listed, model, server, shop};

fn press(model: &mut Model, code: KeyCode) {
    model.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn type_keys(model: &mut Model, text: &str) {
    for c in text.chars() {
        press(model, KeyCode::Char(c));
    }
}

fn text(model: &Model, width: u16, height: u16) -> String {
    screen(&draw(model, &dark(), width, height)).join("\n")
}

#[test]
fn queries_80x24() {
    let terminal = draw(&shop(), &dark(), 80, 24);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn queries_160x50() {
    let terminal = draw(&shop(), &dark(), 160, 50);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn detail_80x24() {
    let mut m = shop();
    press(&mut m, KeyCode::Enter);
    let terminal = draw(&m, &dark(), 80, 24);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn detail_160x50() {
    let mut m = shop();
    press(&mut m, KeyCode::Char('j'));
    press(&mut m, KeyCode::Enter);
    let terminal = draw(&m, &dark(), 160, 50);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn the_slowest_statement_comes_first_with_its_rates_and_lints() {
    let m = shop();
    assert_eq!(
        listed(&m)[0],
        202,
        "the report has the most time per second"
    );
    assert!(
        !listed(&m).contains(&209),
        "a statement without calls is not listed"
    );
    let screen = text(&m, 160, 50);
    let report = screen
        .lines()
        .find(|l| l.contains("SELECT o.customer_id"))
        .unwrap();
    // 2 calls of 840 ms every 2 s: 1 call/s and 840 ms of execution per second.
    assert!(
        report.contains("1.0") && report.contains("840ms"),
        "{report}"
    );
    assert!(report.contains("TEMP+2"), "{report}");
    let lookup = screen
        .lines()
        .find(|l| l.contains("SELECT name, tier"))
        .unwrap();
    assert!(
        lookup.contains("1,200") && lookup.contains("N+1"),
        "{lookup}"
    );
    assert!(
        screen.contains("WARN temp spill: 20 MiB of temporary files per call"),
        "{screen}"
    );
    assert!(screen.contains("9 of 5,000 entries"), "{screen}");
    assert!(screen.contains("12 evicted"), "{screen}");
}

#[test]
fn the_detail_view_shows_the_whole_statement_formatted_its_figures_and_lints() {
    let mut m = shop();
    press(&mut m, KeyCode::Enter);
    let screen = text(&m, 160, 50);
    for line in [
        "SELECT o.customer_id, sum(l.quantity * l.price) AS revenue",
        "  JOIN order_lines l ON l.order_id = o.id",
        "WHERE o.created_at >= $1",
        "GROUP BY o.customer_id",
        "ORDER BY revenue DESC",
    ] {
        assert!(screen.contains(line), "{line:?} in\n{screen}");
    }
    for figure in [
        "calls        2 (1.0/s) · rows 9,600 (4,800 per call)",
        "time         1.68s (840ms/s) · 74.7% of all time",
        "mean ± sd    840ms ± 504ms",
        "min / max    168ms / 11.8s · all-time, since 1h00m ago; not kept per span",
        "shared       480 hit · 1,800 read (21.1% hits) · I/O read 90ms write 0.00ms",
        "temp · WAL   40 MiB (20 MiB/s) · 0 B (0 B/s)",
    ] {
        assert!(screen.contains(figure), "{figure:?} in\n{screen}");
    }
    assert!(
        screen.contains("WARN no LIMIT and 4,800 rows per call"),
        "{screen}"
    );
    press(&mut m, KeyCode::Esc);
    assert!(m.queries.detail.is_none());
}

#[test]
fn min_and_max_are_columns_labelled_all_time_and_the_list_sorts_by_them() {
    let mut m = shop();
    let screen = text(&m, 120, 40);
    let header = screen.lines().find(|l| l.contains("calls/s")).unwrap();
    assert!(
        header.contains("min ever") && header.contains("max ever"),
        "{header}"
    );
    let wide = text(&m, 200, 50);
    let header = wide.lines().find(|l| l.contains("calls/s")).unwrap();
    for column in ["rows/s", "db", "role"] {
        assert!(header.contains(column), "{column} in {header}");
    }
    // s steps time → calls → mean → min ever.
    type_keys(&mut m, "sss");
    let screen = text(&m, 120, 40);
    assert!(screen.contains("by min ever ↓"), "{screen}");
    let header = screen.lines().find(|l| l.contains("calls/s")).unwrap();
    assert!(header.contains("min ever↓"), "{header}");
    let mins: Vec<f64> = m.queries.rows().map(|r| r.min_ms).collect();
    assert!(mins.is_sorted_by(|a, b| a >= b), "{mins:?}");
}

#[test]
fn a_role_without_pg_read_all_stats_reads_the_grant_at_any_width() {
    let mut m = shop();
    if let Some(server) = &mut m.server {
        server.role = "qa_other".to_owned();
        server.privileges = pgmedic::server::Privileges::default();
    }
    let texts = crate::queries_fixtures::texts(WORKLOAD);
    let mut snapshot = crate::queries_fixtures::snapshot(4, WORKLOAD, &texts);
    if let Ok(sample) = &mut snapshot.statements {
        sample.hidden = 244;
    }
    m.update(Msg::Queries(Box::new(snapshot)));
    for width in [80, 120, 200] {
        let screen = text(&m, width, 30);
        let footer = screen
            .lines()
            .find(|l| l.contains("hidden"))
            .unwrap_or_else(|| panic!("no footer at {width}:\n{screen}"));
        assert!(
            footer.contains("244 of other roles hidden")
                && footer.contains("GRANT pg_read_all_stats TO \"qa_other\" ╯"),
            "{width}: {footer}"
        );
        assert!(footer.starts_with("╰─"), "{width}: {footer}");
    }
    let wide = text(&m, 200, 30);
    assert!(
        wide.contains("9 of 5,000 entries · 12 evicted · 244 of other roles hidden: qa_other sees"),
        "{wide}"
    );
}

#[test]
fn the_detail_figures_wrap_rather_than_lose_their_ends() {
    let mut m = shop();
    press(&mut m, KeyCode::Enter);
    for (width, height) in [(80, 40), (120, 40)] {
        let screen = text(&m, width, height);
        for part in [
            "I/O read 90ms write 0.00ms",
            "168ms / 11.8s",
            "all-time, since 1h00m ago",
            "temp · WAL   40 MiB (20 MiB/s) · 0 B (0 B/s)",
        ] {
            assert!(screen.contains(part), "{part:?} at {width}:\n{screen}");
        }
    }
}

#[test]
fn the_filter_narrows_as_it_is_typed_and_the_scope_changes_on_keys() {
    let mut m = shop();
    type_keys(&mut m, "/db:crm");
    assert_eq!(listed(&m), [206]);
    let terminal = draw(&m, &dark(), 80, 24);
    insta::assert_snapshot!(terminal.backend());
    press(&mut m, KeyCode::Esc);
    assert_eq!(listed(&m).len(), 8, "Esc clears the filter");
    type_keys(&mut m, "/lint:n+1");
    press(&mut m, KeyCode::Enter);
    assert_eq!(listed(&m), [201]);
    type_keys(&mut m, "/");
    for _ in 0.."lint:n+1".len() {
        press(&mut m, KeyCode::Backspace);
    }
    press(&mut m, KeyCode::Enter);
    press(&mut m, KeyCode::Char('c'));
    let screen = text(&m, 80, 24);
    assert!(
        screen.contains("Queries · since the reset 1d00h ago"),
        "{screen}"
    );
    assert!(
        listed(&m).contains(&209),
        "the cumulative view lists every statement"
    );
    press(&mut m, KeyCode::Char('s'));
    assert!(text(&m, 80, 24).contains("by calls ↓"));
    assert_eq!(listed(&m)[0], 201);
}

#[test]
fn the_first_sample_says_rates_need_a_second_one() {
    let m = model(WORKLOAD, 1);
    let screen = text(&m, 80, 24);
    assert!(screen.contains("rates need a second sample"), "{screen}");
}

#[test]
fn without_pg_stat_statements_the_pane_says_what_to_run() {
    let mut m = model(WORKLOAD, 0);
    let why = server().pg_stat_statements_problem();
    assert_eq!(why, None);
    m.update(Msg::Queries(Box::new(QueriesSnapshot {
        taken_at: 0.0,
        statements: Err(
            "pg_stat_statements is not loaded: ALTER SYSTEM SET shared_preload_libraries = \
             'pg_stat_statements' (keep any existing entries), restart the server, then CREATE \
             EXTENSION pg_stat_statements"
                .to_owned(),
        ),
    })));
    let terminal = draw(&m, &dark(), 80, 24);
    insta::assert_snapshot!(terminal.backend());
    let screen = screen(&terminal).join(" ");
    assert!(screen.contains("shared_preload_libraries"), "{screen}");
}

#[test]
fn the_reset_key_asks_for_the_typed_word_before_anything_runs() {
    let mut m = shop();
    press(&mut m, KeyCode::Char('X'));
    let screen = text(&m, 80, 24);
    assert!(
        screen.contains("SELECT pg_stat_statements_reset();"),
        "{screen}"
    );
    let effects = m.update(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    assert!(effects.is_empty(), "Enter alone runs nothing");
    type_keys(&mut m, "reset");
    let effects = m.update(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    assert!(
        matches!(effects.as_slice(), [pgmedic::app::effect::Effect::RunJob(_, spec)] if spec.sql() == "SELECT pg_stat_statements_reset();"),
        "{effects:?}"
    );
}

#[test]
fn help_at_80x24_lists_every_key_of_the_pane() {
    let mut m = shop();
    press(&mut m, KeyCode::Char('?'));
    let terminal = draw(&m, &dark(), 80, 24);
    insta::assert_snapshot!(terminal.backend());
    let screen = screen(&terminal).join("\n");
    for what in [
        "reset pg_stat_statements (asks first)",
        "since the statistics reset",
        "sort by the next column",
        "everywhere:",
        "quit",
    ] {
        assert!(screen.contains(what), "{what:?} in\n{screen}");
    }
}

#[test]
fn a_server_that_records_nothing_says_how_to_start() {
    let mut m = shop();
    let texts = crate::queries_fixtures::texts(WORKLOAD);
    let mut snapshot = crate::queries_fixtures::snapshot(9, WORKLOAD, &texts);
    if let Ok(sample) = &mut snapshot.statements {
        sample.settings.track = Some("none".to_owned());
    }
    m.update(Msg::Queries(Box::new(snapshot)));
    let screen = text(&m, 80, 24);
    assert!(
        screen.contains("pg_stat_statements.track is none"),
        "{screen}"
    );
    assert!(screen.contains("pg_reload_conf()"), "{screen}");
}

#[test]
fn pages_move_by_the_rows_on_screen_and_the_selection_stays_in_sight() {
    let workload = crate::queries_fixtures::many(60);
    let mut m = model(&workload, 3);
    m.update(Msg::Resize(80, 24));
    press(&mut m, KeyCode::PageDown);
    press(&mut m, KeyCode::PageDown);
    assert_eq!(m.queries.selected, 24, "12 rows a page at 80x24");
    let selected = m.queries.selected_row().unwrap().query().into_owned();
    let lines = screen(&draw(&m, &dark(), 80, 24));
    let row = lines.iter().find(|l| l.contains('▸')).unwrap();
    let start: String = selected.chars().take(25).collect();
    assert!(row.contains(&start), "{row} for {selected}");
    press(&mut m, KeyCode::PageUp);
    assert_eq!(m.queries.selected, 12);
    press(&mut m, KeyCode::Char('G'));
    assert_eq!(m.queries.selected, m.queries.visible.len() - 1);
    assert!(
        screen(&draw(&m, &dark(), 80, 24))
            .iter()
            .any(|l| l.contains('▸'))
    );
}
