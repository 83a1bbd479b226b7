//! The Indexes pane in a real terminal: a review session on the demo, where every finding goes
//! to the migration and psql applies it cleanly to a fresh copy of the demo database; and the
//! create and drop actions changing the server through the binary.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::common::{cluster, connect, fresh_db};
use crate::screen::{Scratch, Tmux, UP, pgmedic};

/// The demo's scale: a load of about a second, every planted problem present.
const SCALE: &str = "0.02";

/// The review's files in `dir` once both are written.
fn written(dir: &std::path::Path) -> Option<(PathBuf, PathBuf)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    let sql = files
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "sql"))?;
    let md = files
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "md"))?;
    Some((sql.clone(), md.clone()))
}

#[tokio::test]
async fn a_review_of_the_demo_ends_with_a_migration_psql_applies_to_a_fresh_copy() {
    let scratch = Scratch::new("review");
    let command = format!(
        "PGMEDIC_REVIEW_DIR='{}' {} demo --scale {SCALE} --pg-bindir '{}' --refresh 500ms",
        scratch.0.display(),
        env!("CARGO_BIN_EXE_pgmedic"),
        cluster().bin_dir().display()
    );
    let tmux = Tmux::start("review", 160, 50, &command);
    tmux.wait_for("Top statements", Duration::from_secs(120));
    tmux.keys(&["4"]);
    let list = tmux.wait_for("fk unindexed", UP);
    for kind in ["invalid", "duplicate", "redundant", "unused"] {
        assert!(list.contains(kind), "the demo plants {kind}:\n{list}");
    }
    assert!(
        list.contains("Snapshots by \"Best Bid\""),
        "the hostile index is listed:\n{list}"
    );
    tmux.keys(&["R"]);
    let mut screen = tmux.wait_for("Review · 1 of", UP);
    let deadline = Instant::now() + Duration::from_secs(120);
    let files = loop {
        if let Some(files) = written(&scratch.0) {
            break files;
        }
        assert!(
            Instant::now() < deadline,
            "the review never ended:\n{screen}"
        );
        let at = review_position(&screen);
        // A finding without a statement (none expected in the demo) can only be skipped.
        let key = if screen.contains("no statement:") {
            "s"
        } else {
            "m"
        };
        tmux.keys(&[key]);
        screen = wait_until(&tmux, |s| {
            review_position(s) != at
                || s.contains("review written")
                || written(&scratch.0).is_some()
        });
    };
    tmux.keys(&["q"]);
    tmux.assert_clean_exit();

    let migration = std::fs::read_to_string(&files.0).unwrap();
    let report = std::fs::read_to_string(&files.1).unwrap();
    assert!(
        migration.contains(
            "DROP INDEX CONCURRENTLY IF EXISTS \"public\".\"trades_external_trade_id_key\";"
        ),
        "{migration}"
    );
    assert!(
        migration.contains(
            "DROP INDEX CONCURRENTLY IF EXISTS \"public\".\"Snapshots by \"\"Best Bid\"\"\";"
        ),
        "{migration}"
    );
    assert!(
        migration
            .contains("CREATE INDEX CONCURRENTLY \"trades_order_id_idx\" ON \"public\".\"trades\""),
        "{migration}"
    );
    assert!(
        report.contains("# Index review of database `trading`"),
        "{report}"
    );

    // A fresh copy of the demo database, loaded as the demo loads it.
    let fresh = fresh_db("demo_copy").await;
    pgmedic::demo::load(&fresh, SCALE.parse().unwrap())
        .await
        .unwrap();
    let out = std::process::Command::new(cluster().bin_dir().join("psql"))
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f"])
        .arg(&files.0)
        .arg(&fresh)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "psql: {}\n{migration}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// "Review · 3 of 17" → 3.
fn review_position(screen: &str) -> Option<usize> {
    let rest = &screen[screen.find("Review · ")? + "Review · ".len()..];
    rest.split_whitespace().next()?.parse().ok()
}

fn wait_until(tmux: &Tmux, done: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + UP;
    loop {
        let screen = tmux.screen();
        if done(&screen) {
            return screen;
        }
        assert!(
            Instant::now() < deadline,
            "the screen did not change:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The index actions through the binary a DBA runs: its sessions, not a test harness's, must
/// be allowed to build and drop (the monitoring session's read-only transactions are its own).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_and_drop_from_the_pane_change_the_server() {
    let conninfo = fresh_db("tmux_index_actions").await;
    let db = connect(&conninfo).await;
    db.batch_execute(
        "CREATE TABLE desks (id int PRIMARY KEY, name text);
         CREATE TABLE fills (id int PRIMARY KEY, desk_id int REFERENCES desks, qty int);
         INSERT INTO desks SELECT g, 'desk ' || g FROM generate_series(1, 100) g;
         INSERT INTO fills SELECT g, 1 + g % 100, g FROM generate_series(1, 20000) g;
         CREATE INDEX fills_qty_idx ON fills (qty);
         ANALYZE;",
    )
    .await
    .unwrap();
    let scratch = Scratch::new("index-actions");
    let command = format!(
        "PGMEDIC_AUDIT_LOG='{}' {}",
        scratch.0.join("audit.log").display(),
        pgmedic(&conninfo, "")
    );
    let tmux = Tmux::start("index-actions", 160, 50, &command);
    tmux.wait_for("Top statements", UP);
    tmux.keys(&["4"]);
    tmux.wait_for("fk unindexed", UP);

    tmux.keys(&["/", "fills_desk_id_fkey", "Enter", "c"]);
    tmux.wait_for("CREATE INDEX CONCURRENTLY", UP);
    tmux.keys(&["y"]);
    tmux.wait_for("create index", UP);
    let done = tmux.wait_for(": done", Duration::from_secs(60));
    assert!(!done.contains("failed"), "{done}");
    let built: i64 = db
        .query_one(
            "SELECT count(*) FROM pg_index i JOIN pg_attribute a
                 ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
              WHERE i.indrelid = 'fills'::regclass AND a.attname = 'desk_id' AND i.indisvalid",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(built, 1, "the foreign key's index was built:\n{done}");

    // Esc clears the filter; sent on its own, or the terminal reads Esc and the next key as
    // one Alt key.
    tmux.keys(&["/", "Escape"]);
    std::thread::sleep(Duration::from_millis(300));
    tmux.keys(&["/", "fills_qty_idx", "Enter", "d"]);
    tmux.wait_for("DROP INDEX CONCURRENTLY", UP);
    tmux.keys(&["d", "r", "o", "p", "Enter"]);
    tmux.wait_for("drop index", UP);
    let dropped = tmux.wait_for(
        "drop index public.fills_qty_idx: done",
        Duration::from_secs(60),
    );
    let left: i64 = db
        .query_one(
            "SELECT count(*) FROM pg_class WHERE relname = 'fills_qty_idx'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(left, 0, "the unused index was dropped:\n{dropped}");

    tmux.keys(&["q"]);
    tmux.assert_clean_exit();
    let audit = std::fs::read_to_string(scratch.0.join("audit.log")).unwrap();
    assert_eq!(
        audit.lines().count(),
        4,
        "two jobs, started and ended:\n{audit}"
    );
}
