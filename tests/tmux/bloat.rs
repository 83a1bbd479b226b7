//! The Bloat & vacuum pane in the real binary, on the demo: its planted bloat (positions,
//! autovacuum off, dead tuples) and its never-analyzed table show up, and VACUUM from the pane
//! runs after its confirmation.

use std::time::Duration;

use crate::screen::{Tmux, UP};

/// The demo loads its data before the console starts.
const DEMO_UP: Duration = Duration::from_secs(120);

#[test]
fn the_demo_s_bloat_shows_and_vacuum_runs_from_the_pane() {
    let command = format!("{} demo --scale 0.02", env!("CARGO_BIN_EXE_pgmedic"));
    let tmux = Tmux::start("bloat-demo", 160, 50, &command);
    tmux.wait_for("Top statements", DEMO_UP);
    tmux.keys(&["5"]);
    // The list's last rows (the never-analyzed table sorts last): a capture taken while the
    // frame is still being written could miss them.
    let screen = tmux.wait_for("no ANALYZE", UP);
    let positions = screen
        .lines()
        .find(|l| l.contains("public.positions"))
        .unwrap_or_default();
    assert!(
        positions.contains("URGENT") && positions.contains("off"),
        "dead tuples past the threshold with autovacuum off:\n{screen}"
    );
    assert!(
        screen
            .lines()
            .any(|l| l.contains("Snapshots") && l.contains("no ANALYZE")),
        "the never-analyzed table has no estimate:\n{screen}"
    );
    assert!(screen.contains("xmin horizon"), "{screen}");

    tmux.keys(&["/", "positions", "Enter", "Enter"]);
    tmux.wait_for("autovacuum_enabled = off on this table", UP);
    tmux.keys(&["Escape", "v"]);
    tmux.wait_for("VACUUM (ANALYZE) \"public\".\"positions\";", UP);
    tmux.keys(&["y"]);
    // Done; on the demo its idle transactions often keep dead tuples, which the notice then
    // counts and names the holder of.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let screen = tmux.screen();
        if screen.contains("vacuum public.positions: done")
            || screen.contains("VACUUM of public.positions:")
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the VACUUM never ended:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let after = tmux.wait_for("public.positions", UP);
    assert!(after.contains("/positions"), "{after}");

    tmux.keys(&["q"]);
    tmux.assert_clean_exit();
}
