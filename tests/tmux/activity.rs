//! The Activity pane driven in a real terminal on `pgmedic demo`, whose workload builds a
//! three-level lock chain (backoffice idle in a transaction ← a migration ← an API read):
//! find the root blocker in the tree, cancel the waiting migration and watch the chain clear;
//! when the chain is back, see that a cancel cannot end the idle root, terminate it, and watch
//! the chain clear again.

use std::time::Duration;

use crate::screen::Tmux;

/// Cluster start, data load and the first frames.
const START: Duration = Duration::from_secs(90);
/// The demo rebuilds its chain 20 s after it ends.
const REBUILD: Duration = Duration::from_secs(60);
const SOON: Duration = Duration::from_secs(20);

/// The pid at the start of the tree row that contains `marker` (the row shares its screen
/// line with the boxes beside it: only the tree's box is read).
fn pid_of(screen: &str, marker: &str) -> String {
    let line = screen
        .lines()
        .find(|l| l.contains(marker))
        .unwrap_or_else(|| panic!("no row with {marker:?}:\n{screen}"));
    let at = line.find(marker).unwrap_or(0);
    let start = line[..at].rfind('│').map_or(0, |i| i + '│'.len_utf8());
    line[start..at]
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| !w.is_empty())
        .unwrap_or_else(|| panic!("no pid in {line:?}"))
        .to_owned()
}

#[test]
fn on_the_demo_the_root_blocker_is_found_and_the_chain_cleared() {
    let command = format!(
        "{} demo --scale 0.02 --refresh 500ms",
        env!("CARGO_BIN_EXE_pgmedic")
    );
    let tmux = Tmux::start("activity-demo", 160, 50, &command);
    tmux.wait_for("Top statements", START);
    tmux.keys(&["3"]);
    let screen = tmux.wait_for("ROOT blocks 2 IDLE IN TX", START);
    assert!(
        screen.contains("migrate waits AccessExclusiveLock on public."),
        "{screen}"
    );
    let root = pid_of(&screen, "ROOT blocks 2");
    let migration = pid_of(&screen, "waits AccessExclusiveLock");

    // The tree has the selection; the root is first, the migration under it.
    tmux.keys(&["v"]);
    tmux.wait_for(&format!("▸ {root} backoffice"), SOON);
    tmux.keys(&["Down"]);
    tmux.wait_for(&format!("▸ └ {migration} migrate"), SOON);
    tmux.keys(&["k"]);
    tmux.wait_for(
        &format!("cancel pid {migration} (migrate, active; blocks 1 session)"),
        SOON,
    );
    tmux.keys(&["y"]);
    tmux.wait_for(&format!("cancelled {migration}"), SOON);
    tmux.wait_for("Blocking · nobody waits for a lock", SOON);

    // The chain comes back; a cancel cannot end its idle root, a terminate does.
    let screen = tmux.wait_for("ROOT blocks 2 IDLE IN TX", REBUILD);
    let root = pid_of(&screen, "ROOT blocks 2");
    tmux.keys(&["g"]);
    tmux.wait_for(&format!("▸ {root} backoffice"), SOON);
    tmux.keys(&["k"]);
    tmux.wait_for("idle in transaction: K terminates it", SOON);
    tmux.keys(&["K"]);
    tmux.wait_for("type terminate and Enter", SOON);
    tmux.keys(&["terminate", "Enter"]);
    tmux.wait_for(&format!("terminated {root}"), SOON);
    tmux.wait_for("Blocking · nobody waits for a lock", SOON);

    tmux.keys(&["7"]);
    let jobs = tmux.wait_for("Jobs · 2 (0 running)", SOON);
    let row = |needle: String| {
        jobs.lines()
            .find(|l| l.contains(&needle))
            .unwrap_or_else(|| panic!("no job row with {needle:?}:\n{jobs}"))
            .to_owned()
    };
    let cancel = row(format!("pid {migration} (migrate"));
    assert!(
        cancel.contains(" cancel ") && cancel.contains(" ok "),
        "{cancel}"
    );
    let terminate = row(format!("pid {root} (backoffice"));
    assert!(
        terminate.contains(" terminate ") && terminate.contains(" ok "),
        "{terminate}"
    );
    tmux.keys(&["q"]);
    tmux.assert_clean_exit();
}

#[test]
fn a_malformed_pgbouncer_url_is_one_line_before_anything_else() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pgmedic"))
        .args([
            "--pgbouncer",
            "postgresql://[::1",
            "host=/nonexistent-pgmedic",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("--pgbouncer: invalid connection string"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "the terminal is untouched");
}
