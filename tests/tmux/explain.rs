//! The Explain pane in the real binary: `pgmedic explain FILE` (expand, collapse, the flat
//! view, a node's detail, a bad file), and EXPLAIN / EXPLAIN ANALYZE from the console's editor
//! against the throwaway cluster.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::{cluster, connect, fresh_db};
use crate::screen::{Tmux, UP, pgmedic};

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/plans/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Waits until `text` is gone from the screen.
fn wait_gone(tmux: &Tmux, text: &str) -> String {
    let deadline = Instant::now() + UP;
    loop {
        let screen = tmux.screen();
        if !screen.contains(text) {
            return screen;
        }
        assert!(Instant::now() < deadline, "{text:?} stayed:\n{screen}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_saved_plan_expands_and_collapses() {
    let command = format!(
        "{} explain {}",
        env!("CARGO_BIN_EXE_pgmedic"),
        fixture("cte2.pg15.txt")
    );
    let tmux = Tmux::start("explain-file", 100, 30, &command);
    let screen = tmux.wait_for("CTE s: HashAggregate", UP);
    assert!(screen.contains("Seq Scan on orders"), "{screen}");
    assert!(screen.contains("WARN"), "{screen}");
    tmux.keys(&["j", "Space"]);
    let collapsed = wait_gone(&tmux, "Seq Scan on orders");
    assert!(collapsed.contains("▸ CTE s: HashAggregate"), "{collapsed}");
    tmux.keys(&["Space"]);
    tmux.wait_for("Seq Scan on orders", UP);
    tmux.keys(&["-"]);
    let off_path = wait_gone(&tmux, "CTE Scan on s a");
    assert!(off_path.contains("▸ Hash Join"), "{off_path}");
    tmux.keys(&["+", "f"]);
    tmux.wait_for("by self time", UP);
    tmux.keys(&["Enter"]);
    tmux.wait_for("Esc closes", UP);
    tmux.keys(&["Escape"]);
    wait_gone(&tmux, "Esc closes");
    tmux.keys(&["q"]);
    tmux.assert_clean_exit();
}

#[test]
fn a_bad_plan_file_is_one_line_with_its_place() {
    let dir = std::env::temp_dir().join(format!("pgmedic-badplan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("cut.json");
    let json = std::fs::read_to_string(fixture("cte.pg18.json")).unwrap();
    std::fs::write(&path, &json[..json.len() / 3]).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_pgmedic"))
        .args(["explain", path.to_str().unwrap()])
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("pgmedic: "), "{err}");
    assert!(err.contains("cut.json: line "), "{err}");
    assert!(err.contains(", column "), "{err}");
    assert!(err.contains("truncated"), "{err}");
    assert!(out.stdout.is_empty(), "the terminal is untouched");
    let missing = Command::new(env!("CARGO_BIN_EXE_pgmedic"))
        .args(["explain", "/nonexistent/plan.json"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/plan.json"));
}

#[tokio::test]
async fn explain_and_analyze_from_the_editor() {
    let conninfo = fresh_db("tmux_explain").await;
    connect(&conninfo)
        .await
        .batch_execute(
            "CREATE TABLE items (id int PRIMARY KEY, price int);
             INSERT INTO items SELECT g, g % 100 FROM generate_series(1, 20000) g;
             ANALYZE items;",
        )
        .await
        .unwrap();
    let _ = cluster();
    let tmux = Tmux::start("explain-run", 120, 40, &pgmedic(&conninfo, ""));
    tmux.wait_for("1 Overview", UP);
    tmux.keys(&["6"]);
    tmux.wait_for("No plan yet", UP);
    tmux.keys(&["e"]);
    tmux.wait_for("Esc leaves the editor", UP);
    tmux.keys(&["-l", "UPDATE items SET price = price + 1 WHERE price = 7"]);
    // Esc and a key sent at once read as Alt-key: wait for the editor to close first.
    tmux.keys(&["Escape"]);
    tmux.wait_for("e edit · x EXPLAIN", UP);
    tmux.keys(&["x"]);
    let plan = tmux.wait_for("Plan · EXPLAIN ·", UP);
    assert!(plan.contains("Update on items"), "{plan}");
    tmux.keys(&["a"]);
    tmux.wait_for("EXPLAIN ANALYZE runs this UPDATE", UP);
    tmux.keys(&["y"]);
    let analyzed = tmux.wait_for("changes rolled back", UP);
    assert!(analyzed.contains("Seq Scan on public.items"), "{analyzed}");
    assert!(
        analyzed.contains("WARN"),
        "99% of the rows removed by the filter:\n{analyzed}"
    );
    tmux.keys(&["c"]);
    tmux.wait_for("compared with the plan before", UP);
    tmux.keys(&["q"]);
    tmux.assert_clean_exit();
    let changed: i64 = connect(&conninfo)
        .await
        .query_one("SELECT count(*) FROM items WHERE price = 8", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(changed, 200, "the UPDATE was rolled back");
}
