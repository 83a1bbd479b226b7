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
    let compared = tmux.wait_for("Compare · same statement", UP);
    assert!(
        !compared.contains("- Update on"),
        "the nodes pair up, VERBOSE or not:\n{compared}"
    );
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

/// An EXPLAIN ANALYZE running when the DBA cancels it with `x`, then one running when the DBA
/// quits: neither goes on running on the server.
#[tokio::test]
async fn a_running_explain_analyze_is_cancelled_by_x_and_by_quitting() {
    let conninfo = fresh_db("tmux_explain_cancel").await;
    let db = connect(&conninfo).await;
    let running = |marker: &'static str| {
        let db = &db;
        async move {
            let n: i64 = db
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' \
                     AND query LIKE '%pg_sleep(60)%' AND query LIKE '%' || $1 || '%' \
                     AND pid <> pg_backend_pid()",
                    &[&marker],
                )
                .await
                .unwrap()
                .get(0);
            n
        }
    };
    let tmux = Tmux::start("explain-cancel", 120, 40, &pgmedic(&conninfo, ""));
    tmux.wait_for("1 Overview", UP);
    tmux.keys(&["6"]);
    tmux.wait_for("No plan yet", UP);
    for (marker, stop) in [("by_x", "x"), ("by_quit", "q")] {
        tmux.keys(&["e"]);
        tmux.wait_for("Esc leaves the editor", UP);
        tmux.keys(&["C-a", "C-k"]);
        let sql = format!("SELECT pg_sleep(60) AS {marker}");
        tmux.keys(&["-l", &sql]);
        tmux.keys(&["Escape"]);
        tmux.wait_for("e edit · x EXPLAIN", UP);
        tmux.keys(&["a"]);
        tmux.wait_for("EXPLAIN ANALYZE runs", UP);
        tmux.keys(&["y"]);
        tmux.wait_for("x cancels", UP);
        let deadline = std::time::Instant::now() + UP;
        while running(marker).await == 0 {
            assert!(std::time::Instant::now() < deadline, "{marker}: never ran");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tmux.keys(&[stop]);
        if stop == "x" {
            tmux.wait_for("EXPLAIN cancelled", UP);
        } else {
            tmux.assert_clean_exit();
        }
        assert_eq!(
            running(marker).await,
            0,
            "{marker}: still running on the server"
        );
    }
}

#[test]
fn on_the_demo_a_slow_report_is_explained_from_the_queries_pane() {
    let command = format!("{} demo --scale 0.02", env!("CARGO_BIN_EXE_pgmedic"));
    let tmux = Tmux::start("explain-demo", 160, 50, &command);
    let long = Duration::from_secs(180);
    tmux.wait_for("Throughput · last", long);
    tmux.keys(&["2"]);
    tmux.wait_for("Queries", UP);
    // Cumulative figures list every statement; the monthly activity report is the slow one.
    tmux.keys(&["c", "/"]);
    tmux.keys(&["-l", "percentile_cont"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("percentile_cont(", long);
    tmux.keys(&["e"]);
    let plan = tmux.wait_for("Plan · EXPLAIN (generic plan)", long);
    assert!(plan.contains("6 Explain"), "{plan}");
    assert!(plan.contains("on trades"), "{plan}");
    assert!(plan.contains("▾ Limit"), "{plan}");
    tmux.keys(&["Space"]);
    let folded = wait_gone(&tmux, "on trades");
    assert!(folded.contains("▸ Limit"), "{folded}");
    tmux.keys(&["Space"]);
    tmux.wait_for("on trades", UP);
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED 0", long);
}
