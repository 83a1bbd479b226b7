//! The Overview at both reference sizes, and the figures that must be there.

use std::time::Duration;

use pgmedic::app::msg::Msg;
use pgmedic::snapshot::OverviewSnapshot;

use crate::fixtures::{self, busy, dark, draw, screen};

#[test]
fn busy_primary_80x24() {
    let terminal = draw(&busy(), &dark(), 80, 24);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn busy_primary_200x60() {
    let terminal = draw(&busy(), &dark(), 200, 60);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn standby_without_pg_stat_statements_80x24() {
    let terminal = draw(&fixtures::standby_model(), &dark(), 80, 24);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn standby_without_pg_stat_statements_200x60() {
    let terminal = draw(&fixtures::standby_model(), &dark(), 200, 60);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn first_sample_says_rates_need_a_second_one() {
    let (model, _) = fixtures::model_with(fixtures::primary(), [fixtures::busy_snapshot(0)]);
    let terminal = draw(&model, &dark(), 80, 24);
    insta::assert_snapshot!(terminal.backend());
    let text = screen(&terminal).join("\n");
    assert!(text.contains("rates need a second sample"), "{text}");
}

#[test]
fn crit_stands_next_to_connections_at_95_percent() {
    let terminal = draw(&busy(), &dark(), 80, 24);
    let lines = screen(&terminal);
    let used = lines
        .iter()
        .find(|l| l.contains("92 of 97 usable"))
        .unwrap();
    let left_box = used.split("││").next().unwrap();
    assert!(
        left_box.trim_end_matches(['│', ' ']).ends_with("CRIT"),
        "{used}"
    );
    assert!(lines.iter().any(|l| l.contains("94.8%")));
}

#[test]
fn every_judged_figure_carries_its_word() {
    let text = screen(&draw(&busy(), &dark(), 80, 24)).join("\n");
    for (figure, word) in [
        ("oldest idle in tx   6m12s", "CRIT"),
        ("waiting on locks    4 · longest 12s", "WARN"),
        ("oldest transaction  14m03s", "WARN"),
        ("cache hit  98.7%", "WARN"),
        ("deadlocks  0", "ok"),
        ("xid age  1.2G", "WARN"),
        ("replica-b  45s", "WARN"),
    ] {
        let line = text
            .lines()
            .find(|l| l.contains(figure))
            .unwrap_or_else(|| panic!("no {figure:?} in\n{text}"));
        let after = &line[line.find(figure).unwrap()..];
        let word_at = after
            .find(word)
            .unwrap_or_else(|| panic!("{figure:?} without {word}: {line}"));
        assert!(
            !after[..word_at].contains('│'),
            "{word} is not in {figure:?}'s box: {line}"
        );
    }
}

#[test]
fn the_selected_statement_is_highlighted_and_shown_whole() {
    let mut model = busy();
    model.update(Msg::Key(key('j')));
    let terminal = draw(&model, &dark(), 80, 24);
    let lines = screen(&terminal);
    let selected = lines
        .iter()
        .position(|l| l.contains('▸') && l.contains("UPDATE stock"))
        .unwrap();
    let buffer = terminal.backend().buffer();
    let theme = dark();
    assert_eq!(buffer[(10, selected as u16)].bg, theme.selected.bg.unwrap());
    assert!(lines.iter().any(|l| {
        l.contains("▸ UPDATE stock SET quantity = quantity - $1 WHERE product_id = $2 AND")
    }));
}

#[test]
fn stale_data_stays_on_screen_marked_stale() {
    let mut model = busy();
    model.update(Msg::Conn(pgmedic::app::msg::ConnEvent::Down {
        error: "connection refused".to_owned(),
        attempt: 3,
        retry_in: Duration::from_secs(4),
    }));
    model.update(Msg::Tick(model.now + Duration::from_secs(1)));
    let terminal = draw(&model, &dark(), 80, 24);
    insta::assert_snapshot!(terminal.backend());
    let lines = screen(&terminal);
    assert!(
        lines.iter().any(|l| l.contains("92 of 97 usable")),
        "the figures stay"
    );
    assert!(lines[1].contains(" stale "), "{}", lines[1]);
    let status = &lines[23];
    assert!(status.contains("STALE"), "{status}");
    assert!(status.contains("3s ago"), "{status}");
    assert!(
        status.contains("reconnecting in 3s (attempt 3): connection refused"),
        "{status}"
    );
}

#[test]
fn before_any_data_the_body_says_what_is_happening() {
    let (model, _) = fixtures::model_with(fixtures::primary(), Vec::<OverviewSnapshot>::new());
    let text = screen(&draw(&model, &dark(), 80, 24)).join("\n");
    assert!(
        text.contains("the first figures arrive within 2s"),
        "{text}"
    );
    assert!(text.contains("no data yet"), "{text}");
}

fn key(c: char) -> crossterm::event::KeyEvent {
    crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Char(c),
        crossterm::event::KeyModifiers::NONE,
    )
}
