//! The Indexes pane's collector and findings against a database with planted problems.

use std::time::{Duration, Instant};

use pgmedic::app::indexes::IndexesEvent;
use pgmedic::app::msg::Msg;
use pgmedic::collect::{self, indexes::IndexesCollector};
use pgmedic::diagnose::indexes::IndexRef;
use pgmedic::diagnose::indexes::fix::{Fix, FixKind, NewIndex, fix};
use pgmedic::review::{Decision, Review, ReviewItem};
use pgmedic::work::indexes::{IndexesRequest, save_review, what_if_drop};

use pgmedic::diagnose::indexes::{FindingKind, IndexesSnapshot, findings};

use crate::common::{cluster, connect, fresh_db, params};

/// Every kind of problem once, next to indexes that must stay clean: primary keys, unique
/// constraints, an index the workload scans, a foreign key its primary key supports.
pub const PLANTED: &str = r#"
CREATE TABLE customers (
    id         bigint PRIMARY KEY,
    email      text NOT NULL UNIQUE,
    region     text NOT NULL
);
CREATE TABLE orders (
    id           bigint PRIMARY KEY,
    customer_id  bigint NOT NULL REFERENCES customers (id),
    status       text NOT NULL,
    placed_at    timestamptz NOT NULL,
    external_ref text NOT NULL
);
CREATE TABLE order_items (
    order_id bigint NOT NULL REFERENCES orders (id),
    line     int NOT NULL,
    sku      text NOT NULL,
    PRIMARY KEY (order_id, line)
);
CREATE TABLE shipments (
    id       bigint PRIMARY KEY,
    order_id bigint NOT NULL REFERENCES orders (id),
    carrier  text NOT NULL
);
CREATE TABLE "Weird ""T"";x" (id int PRIMARY KEY, "a b;c" int);
INSERT INTO customers SELECT g, 'c' || g || '@example.com', 'r' || g % 7 FROM generate_series(1, 2000) g;
INSERT INTO orders SELECT g, 1 + g % 2000, 'new', now() - g * interval '1 minute', 'x' || g % 4000
  FROM generate_series(1, 5000) g;
INSERT INTO order_items SELECT 1 + g % 5000, g, 's' FROM generate_series(1, 5000) g;
INSERT INTO shipments SELECT g, 1 + g % 5000, 'ups' FROM generate_series(1, 1000) g;
CREATE INDEX orders_customer_placed_idx ON orders (customer_id, placed_at);
CREATE INDEX orders_status_idx ON orders (status);
-- planted: redundant (prefix of orders_customer_placed_idx), duplicate, unused (twice)
CREATE INDEX orders_customer_idx ON orders (customer_id);
CREATE INDEX orders_customer_placed_again ON orders (customer_id, placed_at);
CREATE INDEX customers_region_idx ON customers (region);
CREATE INDEX "idx ""w"";drop" ON "Weird ""T"";x" ("a b;c");
ANALYZE;
"#;

/// The workload: scans of the indexes that must not look unused.
const WORKLOAD: &str = "
SET enable_seqscan = off;
SELECT count(*) FROM orders WHERE customer_id = 5 AND placed_at > now() - interval '1 day';
SELECT count(*) FROM orders WHERE status = 'new';
SELECT count(*) FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.id = 3;
";

/// Plants the problems (the invalid index by a UNIQUE build that fails) and runs the workload
/// on a session that then ends, so its scans are counted.
pub async fn plant(conninfo: &str) {
    let setup = connect(conninfo).await;
    setup.batch_execute(PLANTED).await.unwrap();
    let failed = setup
        .batch_execute(
            "CREATE UNIQUE INDEX CONCURRENTLY orders_external_ref_key ON orders (external_ref)",
        )
        .await;
    assert!(failed.is_err(), "external_ref has duplicates");
    let workload = connect(conninfo).await;
    workload.batch_execute(WORKLOAD).await.unwrap();
    drop(workload);
}

/// Collects until `ready` holds (statistics arrive asynchronously), bounded.
async fn collect_until(
    conninfo: &str,
    ready: impl Fn(&IndexesSnapshot) -> bool,
) -> IndexesSnapshot {
    let (client, info) = collect::open_session(&params(conninfo)).await.unwrap();
    let mut collector = IndexesCollector::default();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        collector.request_full();
        let snapshot = collector.collect(&client, &info).await.unwrap().unwrap();
        if ready(&snapshot) {
            return snapshot;
        }
        assert!(
            Instant::now() < deadline,
            "statistics never arrived: {snapshot:#?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn scans(snapshot: &IndexesSnapshot, name: &str) -> i64 {
    snapshot
        .indexes
        .iter()
        .find(|i| i.name == name)
        .map_or(0, |i| i.scans)
}

#[tokio::test]
async fn every_planted_problem_is_found_and_nothing_else() {
    let conninfo = fresh_db("planted").await;
    plant(&conninfo).await;
    let snapshot = collect_until(&conninfo, |s| {
        scans(s, "orders_status_idx") > 0
            && scans(s, "orders_customer_placed_idx") + scans(s, "orders_customer_placed_again") > 0
    })
    .await;
    // The test cluster never reset its statistics: they are dated by the server's
    // statistics start, which the cluster's creation precedes.
    let started = snapshot.stats_started.expect("the bgwriter's reset time");
    let created = snapshot.created_at.expect("pg_control_system()");
    assert!(
        created <= started && started <= snapshot.taken_at,
        "{snapshot:#?}"
    );
    assert!(
        snapshot.taken_at - created < 3600.0,
        "a cluster of this test run"
    );
    assert!(snapshot.stats().young(snapshot.taken_at));
    let found = findings(&snapshot, &[], snapshot.taken_at);
    let mut got: Vec<(FindingKind, String)> = found
        .iter()
        .map(|f| {
            let name = f.index.as_ref().map_or_else(
                || f.foreign_key.as_ref().unwrap().name.clone(),
                |i| i.name.clone(),
            );
            (f.kind, name)
        })
        .collect();
    got.sort();
    // Which of the two equal indexes the planner used decides which one is the duplicate.
    let used = if scans(&snapshot, "orders_customer_placed_idx") > 0 {
        "orders_customer_placed_idx"
    } else {
        "orders_customer_placed_again"
    };
    let duplicate = if used == "orders_customer_placed_idx" {
        "orders_customer_placed_again"
    } else {
        "orders_customer_placed_idx"
    };
    let mut want = vec![
        (FindingKind::Invalid, "orders_external_ref_key".to_owned()),
        (FindingKind::Duplicate, duplicate.to_owned()),
        (FindingKind::Redundant, "orders_customer_idx".to_owned()),
        (FindingKind::Unused, "customers_region_idx".to_owned()),
        (FindingKind::Unused, "idx \"w\";drop".to_owned()),
        (
            FindingKind::MissingFkIndex,
            "shipments_order_id_fkey".to_owned(),
        ),
    ];
    want.sort();
    assert_eq!(got, want, "{found:#?}");

    let redundant = found
        .iter()
        .find(|f| f.kind == FindingKind::Redundant)
        .unwrap();
    assert_eq!(redundant.kept.as_ref().unwrap().name, used);
    let weird = found
        .iter()
        .find(|f| f.table == "Weird \"T\";x")
        .expect("the hostile table's index");
    assert_eq!(weird.index.as_ref().unwrap().columns, vec!["\"a b;c\""]);
    // Measured everywhere; a UNIQUE build that failed early leaves an empty index behind.
    assert!(
        found.iter().all(|f| f
            .size_bytes
            .is_some_and(|s| s > 0 || f.kind == FindingKind::Invalid)),
        "{found:#?}"
    );
    let fk = found
        .iter()
        .find(|f| f.kind == FindingKind::MissingFkIndex)
        .unwrap();
    assert_eq!(fk.foreign_key.as_ref().unwrap().columns, vec!["order_id"]);
    assert_eq!(fk.foreign_key.as_ref().unwrap().referenced, "public.orders");
}

#[tokio::test]
async fn write_rates_come_from_two_samples_of_the_counters() {
    let conninfo = fresh_db("index_writes").await;
    let setup = connect(&conninfo).await;
    setup
        .batch_execute("CREATE TABLE w (id int); CREATE INDEX w_id ON w (id)")
        .await
        .unwrap();
    let (client, info) = collect::open_session(&params(&conninfo)).await.unwrap();
    let mut collector = IndexesCollector::default();
    let first = collector.collect(&client, &info).await.unwrap().unwrap();
    assert!(first.write_rates.is_empty(), "one sample has no rate");
    let writer = connect(&conninfo).await;
    writer
        .batch_execute("INSERT INTO w SELECT generate_series(1, 500)")
        .await
        .unwrap();
    drop(writer);
    let oid = first.tables.iter().find(|t| t.name == "w").unwrap().oid;
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        if let Some(Ok(next)) = collector.collect(&client, &info).await
            && next.write_rates.get(&oid).copied().unwrap_or(0.0) > 0.0
        {
            break;
        }
        assert!(Instant::now() < deadline, "no write rate for w");
    }
}

#[tokio::test]
async fn an_access_exclusive_lock_leaves_its_table_out_instead_of_blocking() {
    let conninfo = fresh_db("index_locked").await;
    plant(&conninfo).await;
    let holder = connect(&conninfo).await;
    holder
        .batch_execute("BEGIN; LOCK TABLE customers IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let (client, info) = collect::open_session(&params(&conninfo)).await.unwrap();
    let started = Instant::now();
    let snapshot = IndexesCollector::default()
        .collect(&client, &info)
        .await
        .unwrap()
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "it waited on the lock"
    );
    let region = snapshot
        .indexes
        .iter()
        .find(|i| i.name == "customers_region_idx")
        .unwrap();
    assert!(region.locked && region.size_bytes.is_none() && region.columns.is_empty());
    let customers = snapshot
        .tables
        .iter()
        .find(|t| t.name == "customers")
        .unwrap();
    assert_eq!(customers.size_bytes, None);
    let found = findings(&snapshot, &[], snapshot.taken_at);
    assert!(found.iter().all(|f| f.table != "customers"), "{found:#?}");
    assert!(
        found.iter().any(|f| f.kind == FindingKind::Invalid),
        "the rest is judged"
    );
    holder.batch_execute("ROLLBACK").await.unwrap();
}

#[tokio::test]
async fn what_if_dropped_replans_the_statements_on_the_table_and_says_what_hiding_needs() {
    let conninfo = fresh_db("index_what_if").await;
    let setup = connect(&conninfo).await;
    setup
        .batch_execute(
            "CREATE TABLE w (id int, b int);
             INSERT INTO w SELECT g, g % 10000 FROM generate_series(1, 100000) g;
             CREATE INDEX w_b ON w (b);
             CREATE TABLE other (id int);
             ANALYZE;",
        )
        .await
        .unwrap();
    let app = connect(&conninfo).await;
    for i in 0..5 {
        app.query("SELECT * FROM w WHERE b = $1", &[&i])
            .await
            .unwrap();
        app.query("SELECT count(*) FROM other WHERE id > $1", &[&i])
            .await
            .unwrap();
    }
    let oid: i64 = setup
        .query_one("SELECT 'w_b'::regclass::oid::int8", &[])
        .await
        .unwrap()
        .get(0);
    let index = IndexRef {
        oid,
        schema: "public".to_owned(),
        table: "w".to_owned(),
        name: "w_b".to_owned(),
        ..IndexRef::default()
    };
    let client = pgmedic::work::connect(&params(&conninfo), &[])
        .await
        .unwrap();
    let check = what_if_drop(&client, &index).await.unwrap();
    assert_eq!(check.no_statements, None);
    let queries: Vec<&str> = check
        .statements
        .iter()
        .map(|s| s.statement.query.as_str())
        .collect();
    assert_eq!(
        queries,
        vec!["SELECT * FROM w WHERE b = $1"],
        "only those on w"
    );
    assert!(check.statements[0].uses("w_b"), "{:?}", check.statements[0]);
    assert_eq!(check.statements[0].statement.calls, 5);
    // HypoPG 1.3.1 on Debian's 15 cannot hide an index; the 18 build has no HypoPG at all.
    let need = check.hiding.clone().unwrap_err();
    if cluster().version_num() / 10_000 == 15 {
        assert!(
            need.starts_with("HypoPG 1.3.1 cannot hide an index"),
            "{need}"
        );
    } else {
        assert!(need.starts_with("HypoPG is not installed"), "{need}");
    }
    assert!(
        check.statements[0].without_index.is_none(),
        "no emulated hiding"
    );
    assert!(
        check
            .verdict()
            .contains("1 of the 1 heaviest statements on public.w use w_b")
    );
    let still: bool = setup
        .query_one(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'w_b'::regclass",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(still, "the real index is untouched");
}

#[tokio::test]
async fn the_recheck_sees_an_index_that_appeared_meanwhile() {
    let conninfo = fresh_db("index_recheck").await;
    let setup = connect(&conninfo).await;
    setup
        .batch_execute("CREATE TABLE r (a int, b int)")
        .await
        .unwrap();
    let new = NewIndex {
        schema: "public".to_owned(),
        table: "r".to_owned(),
        name: "r_a_idx".to_owned(),
        columns: vec!["\"a\"".to_owned()],
        include: Vec::new(),
        predicate: None,
        method: "btree".to_owned(),
    };
    let fix = Fix {
        kind: FixKind::Create,
        target: new.target(),
        apply: new.create_sql(),
        rollback: new.drop_sql(),
        warning: String::new(),
        new_index: Some(new),
    };
    let recheck = async || {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let request = IndexesRequest::Recheck(Box::new(fix.clone()));
        pgmedic::work::indexes::run(request, &params(&conninfo), &tx).await;
        match rx.recv().await {
            Some(Msg::Indexes(event)) => match *event {
                IndexesEvent::Recheck { verdict, .. } => verdict.unwrap(),
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(recheck().await, None);
    setup
        .batch_execute("CREATE INDEX r_a_b ON r (a, b)")
        .await
        .unwrap();
    let covered = recheck().await.unwrap();
    assert!(covered.starts_with("r_a_b already covers it"), "{covered}");
}

#[tokio::test]
async fn a_reviewed_migration_applies_with_psql_and_resolves_what_it_was_for() {
    let reviewed = fresh_db("index_review_a").await;
    plant(&reviewed).await;
    let snapshot = collect_until(&reviewed, |s| scans(s, "orders_status_idx") > 0).await;
    let found = findings(&snapshot, &[], snapshot.taken_at);
    let fixes = found
        .iter()
        .map(|f| fix(f, &[], &snapshot))
        .collect::<Vec<_>>();
    let review = Review {
        database: snapshot.database.clone(),
        server_version: "test".to_owned(),
        target: "test".to_owned(),
        stats: snapshot.stats(),
        standbys: snapshot.standbys,
        taken_at: snapshot.taken_at,
        items: found
            .into_iter()
            .zip(fixes)
            .map(|(finding, fix)| ReviewItem {
                finding,
                suggestion: None,
                fix,
                decision: Some(Decision::Migration),
                note: "reviewed; it's \"fine\" -- really".to_owned(),
                outcome: None,
                drop_check: None,
            })
            .collect(),
        at: 0,
    };
    let dir = std::env::temp_dir().join(format!("pgmedic-review-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let saved = save_review(&review, &dir).unwrap();
    let report = std::fs::read_to_string(&saved.report).unwrap();
    assert!(
        report.contains("6 findings: 0 applied now, 6 in the migration"),
        "{report}"
    );

    // A fresh copy of the same database, as a deploy would meet it.
    let fresh = fresh_db("index_review_b").await;
    plant(&fresh).await;
    let psql = cluster().bin_dir().join("psql");
    let out = std::process::Command::new(&psql)
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f"])
        .arg(&saved.migration)
        .arg(&fresh)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "psql: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        std::fs::read_to_string(&saved.migration).unwrap_or_default()
    );
    let after = collect_until(&fresh, |_| true).await;
    let left: Vec<(FindingKind, String)> = findings(&after, &[], after.taken_at)
        .iter()
        .map(|f| {
            (
                f.kind,
                f.index.as_ref().map(|i| i.name.clone()).unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        left,
        Vec::new(),
        "nothing left: the foreign key's new index, not scanned yet, is what keeps it indexed"
    );
}
