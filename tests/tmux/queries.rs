//! The Queries pane of the real binary on the demo: the slowest statement selected and its
//! detail opened, in a real terminal.

use std::time::{Duration, Instant};

use crate::screen::{Tmux, UP};

/// The demo loads its data before the first frame.
const DEMO_UP: Duration = Duration::from_secs(180);

/// "840ms", "1.23s", "0.04ms", "3m12s" → milliseconds (`None` for "-").
fn millis(text: &str) -> Option<f64> {
    if let Some(ms) = text.strip_suffix("ms") {
        return ms.parse().ok();
    }
    if let Some((m, s)) = text.split_once('m') {
        let s = s.strip_suffix('s')?;
        return Some((m.parse::<f64>().ok()? * 60.0 + s.parse::<f64>().ok()?) * 1000.0);
    }
    text.strip_suffix('s')?
        .parse::<f64>()
        .ok()
        .map(|s| s * 1000.0)
}

/// The list's rows: (mean in ms, the statement as far as it shows).
fn rows(screen: &str) -> Vec<(f64, String)> {
    let mut lines = screen.lines().skip_while(|l| !l.contains("rows/c"));
    let Some(header) = lines.next() else {
        return Vec::new();
    };
    let Some(query_at) = header
        .find("query")
        .map(|byte| header[..byte].chars().count())
    else {
        return Vec::new();
    };
    lines
        .take_while(|l| !l.starts_with('╰'))
        .filter_map(|l| {
            let cells: Vec<&str> = l
                .split_whitespace()
                .filter(|c| *c != "│" && *c != "▸")
                .collect();
            // calls, total, mean, rows/c, %time, …
            let mean = millis(cells.get(2)?)?;
            let query: String = l.chars().skip(query_at).collect();
            let query = query
                .trim_end_matches(['│', ' '])
                .trim_end_matches('…')
                .to_owned();
            (!query.is_empty()).then_some((mean, query))
        })
        .collect()
}

#[test]
fn on_the_demo_the_slowest_statement_is_selected_and_its_detail_opened() {
    let tmux = Tmux::start(
        "queries",
        100,
        32,
        &format!(
            "{} demo --scale 0.01 --refresh 1s",
            env!("CARGO_BIN_EXE_pgmedic")
        ),
    );
    tmux.wait_for("Top statements", DEMO_UP);
    tmux.keys(&["2"]);
    tmux.wait_for("Queries · last interval", UP);
    // Since the reset, by mean time: the slowest statement per call comes first.
    tmux.keys(&["c", "s", "s"]);
    let deadline = Instant::now() + UP;
    let list = loop {
        let screen = tmux.screen();
        if screen.contains("since the reset")
            && screen.contains("by mean ↓")
            && rows(&screen).len() >= 3
        {
            break screen;
        }
        assert!(Instant::now() < deadline, "no sorted list:\n{screen}");
        std::thread::sleep(Duration::from_millis(100));
    };
    let listed = rows(&list);
    let slowest = listed[0].0;
    assert!(
        listed.iter().all(|(mean, _)| *mean <= slowest),
        "the first row is the slowest per call: {listed:?}\n{list}"
    );
    let selected = list.lines().find(|l| l.contains('▸')).unwrap();
    assert!(
        selected.contains(listed[0].1.as_str()),
        "the top row is selected:\n{list}"
    );

    tmux.keys(&["Enter"]);
    let detail = tmux.wait_for("mean ± sd", UP);
    assert!(
        detail.contains("Figures") && detail.contains("Lints"),
        "{detail}"
    );
    assert!(detail.contains("since the reset"), "{detail}");
    assert!(detail.contains("j/k scroll"), "{detail}");
    // The detail lays the statement out on several lines: its first words open it.
    let first_words: String = listed[0]
        .1
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");
    let first_line = detail.lines().nth(2).unwrap();
    assert!(
        first_line.contains(&first_words),
        "the detail shows the selected statement: {first_line:?} for {:?}",
        listed[0].1
    );
    tmux.keys(&["Escape"]);
    tmux.wait_for("by mean ↓", UP);
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED 0", DEMO_UP);
}
