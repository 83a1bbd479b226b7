//! The frame around the panes: tabs, status bar, help, command line, too-small notice.

use pgmedic::app::msg::Msg;
use pgmedic::app::pane::Pane;
use pgmedic::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Position;

use crate::fixtures::{busy, dark, draw, screen};

fn press(model: &mut pgmedic::app::model::Model, c: char) {
    let key = crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Char(c),
        crossterm::event::KeyModifiers::NONE,
    );
    model.update(Msg::Key(key));
}

#[test]
fn too_small_gets_a_notice() {
    let terminal = draw(&busy(), &dark(), 79, 24);
    let lines = screen(&terminal);
    let notice = "pgmedic needs at least 80x24 (now 79x24)";
    let row = lines.iter().position(|l| l.contains(notice)).unwrap();
    assert!((11..=12).contains(&row), "row {row}");
    let col = lines[row].find(notice).unwrap();
    assert!(
        col.abs_diff((79 - notice.len()) / 2) <= 1,
        "centered: column {col}"
    );
    assert_eq!(
        lines.iter().filter(|l| !l.trim().is_empty()).count(),
        1,
        "nothing else"
    );
    let lines = screen(&draw(&busy(), &dark(), 200, 23));
    assert!(lines.iter().any(|l| l.contains("(now 200x23)")));
}

#[test]
fn tiny_and_empty_terminals_do_not_panic() {
    for (w, h) in [(0, 0), (1, 1), (0, 24), (80, 0), (1, 24), (80, 1), (20, 3)] {
        draw(&busy(), &dark(), w, h);
        draw(&fixtures_standby(), &dark(), w, h);
    }
}

fn fixtures_standby() -> pgmedic::app::model::Model {
    crate::fixtures::standby_model()
}

#[test]
fn tabs_sit_where_the_mouse_looks_for_them() {
    for width in [80, 200] {
        let model = busy();
        let lines = screen(&draw(&model, &dark(), width, 24));
        let room = model.tab_room(width);
        let mut x = 0usize;
        for (pane, label) in Pane::labels(room, model.pane) {
            assert_eq!(
                &lines[0][x..x + label.len()],
                label,
                "{pane:?} at column {x}"
            );
            for col in x..x + label.len() {
                assert_eq!(Pane::at_column(col as u16, room, model.pane), Some(pane));
            }
            x += label.len() + 1;
        }
        assert!(
            lines[0]
                .trim_end()
                .ends_with("app@db1.prod.example:5432/shop pgmedic")
        );
    }
    // Narrow: the pane in sight keeps its name, the others their number.
    let narrow = Pane::labels(20, Pane::Overview);
    assert_eq!(narrow[0].1, " 1 Overview ");
    assert!(
        narrow[1..]
            .iter()
            .all(|(p, l)| *l == format!(" {} ", p.key()))
    );
    assert_eq!(Pane::labels(200, Pane::Overview)[1].1, Pane::ALL[1].label());
}

#[test]
fn help_lists_the_keymap() {
    let mut model = busy();
    press(&mut model, '?');
    let terminal = draw(&model, &dark(), 80, 24);
    insta::assert_snapshot!(terminal.backend());
    let text = screen(&terminal).join("\n");
    for (keys, what) in pgmedic::app::keymap::help_lines(Pane::Overview) {
        assert!(
            text.contains(&format!("{keys}   {what}")),
            "{keys} {what} missing:\n{text}"
        );
    }
}

#[test]
fn command_line_takes_the_bottom_row() {
    let mut model = busy();
    for c in ":refresh 5s".chars() {
        press(&mut model, c);
    }
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal
        .draw(|frame| ui::render(frame, &model, &dark()))
        .unwrap();
    let lines = screen(&terminal);
    assert_eq!(lines[23].trim_end(), ":refresh 5s");
    assert!(
        lines[22].contains("up · 2s ago"),
        "the status bar moves up: {}",
        lines[22]
    );
    assert_eq!(
        terminal.get_cursor_position().unwrap(),
        Position::new(11, 23)
    );
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn status_bar_names_the_server_and_the_read_only_mode() {
    let mut model = busy();
    model.read_only = true;
    let lines = screen(&draw(&model, &dark(), 80, 24));
    let status = &lines[23];
    assert!(status.starts_with(" up · 2s ago │  READ-ONLY "), "{status}");
    assert!(
        status.ends_with("PG 15.18 · app@shop · primary "),
        "{status}"
    );
}

#[test]
fn every_size_from_the_minimum_up_renders() {
    let model = busy();
    let theme = dark();
    for w in (80..=220).step_by(7) {
        for h in (24..=70).step_by(5) {
            let lines = screen(&draw(&model, &theme, w, h));
            let text = lines.join("\n");
            assert!(text.contains("92 of 97 usable"), "{w}x{h}\n{text}");
            assert!(text.contains("CRIT"), "{w}x{h}");
            assert!(text.contains("SELECT o.id"), "{w}x{h}\n{text}");
        }
    }
}

#[test]
fn a_notice_shows_with_its_level_word() {
    let mut model = busy();
    for c in ":bogus".chars() {
        press(&mut model, c);
    }
    model.update(Msg::Key(crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Enter,
        crossterm::event::KeyModifiers::NONE,
    )));
    let lines = screen(&draw(&model, &dark(), 80, 24));
    let status = &lines[23];
    assert!(
        status.starts_with(" up · 2s ago │ WARN unknown command: bogus (try :refresh 5s"),
        "{status}"
    );
}
