use super::*;
use crate::diagnose::health::Level;
use crate::diagnose::indexes::fix::{self, FixKind};
use crate::diagnose::indexes::{ForeignKey, IndexRef, IndexesSnapshot};

fn unused() -> Finding {
    Finding {
        kind: FindingKind::Unused,
        level: Level::Warn,
        table_oid: Some(1),
        schema: "public".to_owned(),
        table: "Order \"Book\" Snapshots".to_owned(),
        index: Some(IndexRef {
            schema: "public".to_owned(),
            table: "Order \"Book\" Snapshots".to_owned(),
            name: "Snapshots by \"Best Bid\"".to_owned(),
            definition: "CREATE INDEX \"Snapshots by \"\"Best Bid\"\"\" ON public.\"Order \
                         \"\"Book\"\" Snapshots\" USING btree (\"Best Bid\")"
                .to_owned(),
            valid: true,
            ..IndexRef::default()
        }),
        kept: None,
        foreign_key: None,
        suggestion: None,
        size_bytes: Some(2 << 20),
        table_size: Some(64 << 20),
        writes_per_sec: Some(3.5),
        actionable: true,
        notes: vec!["1 standby server streams from this one".to_owned()],
    }
}

fn missing_fk() -> Finding {
    Finding {
        kind: FindingKind::MissingFkIndex,
        index: None,
        foreign_key: Some(ForeignKey {
            oid: 9,
            name: "trades_order_id_fkey".to_owned(),
            schema: "public".to_owned(),
            table: "trades".to_owned(),
            attnums: vec![2],
            columns: vec!["order_id".to_owned()],
            referenced: "public.orders".to_owned(),
            referenced_columns: vec!["id".to_owned()],
            on_delete: 'a',
            ..ForeignKey::default()
        }),
        table: "trades".to_owned(),
        notes: Vec::new(),
        ..unused()
    }
}

pub(crate) fn item(finding: Finding, decision: Option<Decision>) -> ReviewItem {
    let fix = fix::fix(&finding, &[], &IndexesSnapshot::default());
    ReviewItem {
        finding,
        suggestion: None,
        fix,
        decision,
        note: String::new(),
        outcome: None,
        drop_check: None,
    }
}

pub(crate) fn review(items: Vec<ReviewItem>) -> Review {
    Review {
        database: "trading".to_owned(),
        server_version: "15.18".to_owned(),
        target: "postgres@/tmp:5432/trading".to_owned(),
        stats: crate::diagnose::indexes::StatsSince::default(),
        standbys: 1,
        taken_at: 1_000_000.0,
        items,
        at: 0,
    }
}

#[test]
fn decisions_move_through_the_items() {
    let mut r = review(vec![item(unused(), None), item(missing_fk(), None)]);
    assert_eq!(r.current().unwrap().finding.kind, FindingKind::Unused);
    r.decide(Decision::Migration);
    r.decide(Decision::Skip);
    assert!(r.is_done());
    r.decide(Decision::Skip);
    assert_eq!(r.at, 2, "past the end stays there");
    assert_eq!(r.count(Decision::Migration), 1);
}

#[test]
fn the_migration_has_each_statement_with_its_evidence_and_rollback_and_no_transaction() {
    let mut with_note = item(unused(), Some(Decision::Migration));
    with_note.note = "checked with the reporting team\nover lunch".to_owned();
    let mut fills = missing_fk();
    fills.table = "fills".to_owned();
    if let Some(fk) = &mut fills.foreign_key {
        fk.table = "fills".to_owned();
    }
    let mut applied = item(fills, Some(Decision::ApplyNow));
    applied.outcome = Some("ok in 1.2 s".to_owned());
    let r = review(vec![
        with_note,
        applied,
        item(missing_fk(), Some(Decision::Migration)),
        item(unused(), Some(Decision::Skip)),
    ]);
    let sql = migration::render(&r, "2026-11-22T19:30:00Z");
    assert!(!sql.contains("BEGIN") && !sql.contains("COMMIT"), "{sql}");
    assert!(sql.contains(
        "\nDROP INDEX CONCURRENTLY IF EXISTS \"public\".\"Snapshots by \"\"Best Bid\"\"\";\n"
    ));
    assert!(sql.contains("--    rollback: CREATE INDEX CONCURRENTLY \"Snapshots by"));
    assert!(sql.contains("--    note: checked with the reporting team over lunch\n"));
    assert!(sql.contains("--    1 standby server streams from this one\n"));
    assert!(sql.contains(
        "\nCREATE INDEX CONCURRENTLY \"trades_order_id_idx\" ON \"public\".\"trades\" USING \
         \"btree\" (\"order_id\");\n"
    ));
    assert!(sql.contains("-- (finding 2) applied during the review (ok in 1.2 s)"));
    let statements = sql
        .lines()
        .filter(|l| !l.starts_with("--") && l.ends_with(';'));
    assert_eq!(statements.count(), 2, "the two steps:\n{sql}");
    assert!(
        !sql.lines()
            .any(|l| !l.starts_with("--") && l.contains("lock_timeout")),
        "a lock_timeout would cut CONCURRENTLY's waits for older transactions:\n{sql}"
    );
    assert!(sql.contains(
        "--    rollback: DROP INDEX CONCURRENTLY IF EXISTS \"public\".\"trades_order_id_idx\";\n"
    ));
}

#[test]
fn the_report_tells_context_summary_and_each_decision() {
    let mut skipped = item(unused(), Some(Decision::Skip));
    skipped.note = "used by the month-end job".to_owned();
    let r = review(vec![skipped, item(missing_fk(), None)]);
    let md = report::render(&r, "2026-11-22T19:30:00Z", "/tmp/review.sql");
    assert!(md.starts_with("# Index review of database `trading`"));
    assert!(md.contains("- statistics: stats never reset"));
    assert!(md.contains("2 findings: 0 applied now, 0 in the migration, 1 skipped, 1 undecided."));
    assert!(md.contains("| 1 | unused | `public.Order \"Book\" Snapshots` |"));
    assert!(md.contains("Note: used by the month-end job"));
    assert!(md.contains("Decision: **undecided**"));
    assert!(
        md.contains("- foreign key trades_order_id_fkey (order_id) references public.orders (id)")
    );
    assert!(md.contains("- migration: `/tmp/review.sql`"));
}

#[test]
fn a_finding_without_a_statement_says_why_and_stays_out_of_the_migration() {
    let mut both = unused();
    both.kind = FindingKind::Duplicate;
    both.actionable = false;
    both.notes = vec!["both back constraints".to_owned()];
    let r = review(vec![item(both, Some(Decision::Migration))]);
    assert!(r.items[0].fix.is_err());
    let sql = migration::render(&r, "t");
    assert!(sql.contains("Nothing was added"));
    assert!(report::render(&r, "t", "m").contains("No statement: both back constraints"));
    assert_eq!(
        fix::fix(&unused(), &[], &IndexesSnapshot::default()).map(|f| f.kind),
        Ok(FixKind::Drop)
    );
}

#[test]
fn a_name_with_a_line_break_cannot_put_sql_into_the_migration() {
    let hostile = "x\nCREATE TABLE injected();\n--";
    let mut finding = unused();
    finding.table = hostile.to_owned();
    if let Some(index) = &mut finding.index {
        index.table = hostile.to_owned();
        index.name = format!("{hostile} idx");
        index.definition = format!(
            "CREATE INDEX {} ON public.{} USING btree (a)",
            crate::quote::ident(&index.name),
            crate::quote::ident(hostile)
        );
    }
    let mut r = review(vec![item(finding, Some(Decision::Migration))]);
    r.database = hostile.to_owned();
    r.target = hostile.to_owned();
    let sql = migration::render(&r, "t");
    // What psql would run: everything but its one meta-command, split by PostgreSQL's parser.
    let body = sql.replace("\\set ON_ERROR_STOP on\n", "");
    let statements = pg_query::split_with_parser(&body).expect("the migration parses");
    let firsts: Vec<String> = statements
        .iter()
        .map(|s| {
            let tree = pg_query::parse(s, pg_query::ParserOptions::DEFAULT)
                .expect("each statement parses");
            format!("{:?}", tree.statement_types())
        })
        .collect();
    assert_eq!(firsts, ["[\"DropStmt\"]"], "only the DROP:\n{sql}");
}

#[test]
fn one_index_resolving_two_findings_is_built_once() {
    let r = review(vec![
        item(missing_fk(), Some(Decision::Migration)),
        item(missing_fk(), Some(Decision::Migration)),
    ]);
    let sql = migration::render(&r, "t");
    let creates = sql
        .lines()
        .filter(|l| l.starts_with("CREATE INDEX CONCURRENTLY"))
        .count();
    assert_eq!(creates, 1, "{sql}");
    assert!(
        sql.contains("-- (finding 2) fk unindexed on public.trades: resolved by step 1"),
        "{sql}"
    );
}

fn suggested() -> ReviewItem {
    let s = Suggestion {
        schema: "public".to_owned(),
        table: "orders".to_owned(),
        columns: vec!["\"user_id\"".to_owned()],
        include: Vec::new(),
        predicate: None,
        method: "btree".to_owned(),
        name: "orders_user_id_idx".to_owned(),
        create_sql: "CREATE INDEX CONCURRENTLY \"orders_user_id_idx\" ON \"public\".\"orders\" \
                     USING btree (\"user_id\")"
            .to_owned(),
        rollback_sql: "DROP INDEX CONCURRENTLY IF EXISTS \"public\".\"orders_user_id_idx\""
            .to_owned(),
        helps: vec![crate::advisor::Helped {
            queryid: 42,
            query: "SELECT * FROM orders WHERE user_id = $1".to_owned(),
            share_of_total_time: 0.4,
            calls: 1000,
            mean_ms: 12.0,
            cost_before: 1200.0,
            cost_after: 8.0,
            // A relation name with a line break must stay inside its comment.
            plan_before: "Seq Scan on orders  (cost=0.00..1200.00 rows=5)\n      Filter: \
                          (user_id = $1)\n  -> Seq Scan on x\nDROP TABLE orders; --"
                .to_owned(),
            plan_after: "Index Scan using <1>btree_orders_user_id on orders  \
                         (cost=0.29..8.00 rows=5)"
                .to_owned(),
        }],
        estimated_size_bytes: Some(1 << 20),
        verified: true,
        table_writes_per_sec: Some(1.0),
        saving_ms_per_hour: 1000.0,
        note: None,
    };
    let finding = Finding {
        kind: FindingKind::Suggestion,
        index: None,
        table: "orders".to_owned(),
        suggestion: Some(0),
        notes: Vec::new(),
        ..unused()
    };
    let fix = fix::fix(
        &finding,
        std::slice::from_ref(&s),
        &IndexesSnapshot::default(),
    );
    ReviewItem {
        suggestion: Some(s),
        fix,
        ..item(finding, Some(Decision::Migration))
    }
}

#[test]
fn a_suggestion_shows_the_plans_before_and_after_in_both_files() {
    let r = review(vec![suggested()]);
    let sql = migration::render(&r, "t");
    assert!(sql.contains("--    plan before · queryid 42\n"), "{sql}");
    assert!(
        sql.contains("--      Seq Scan on orders  (cost=0.00..1200.00 rows=5)\n"),
        "{sql}"
    );
    assert!(
        sql.contains("--            Filter: (user_id = $1)\n"),
        "{sql}"
    );
    assert!(
        sql.contains(
            "--    plan after, with the hypothetical index · queryid 42\n\
             --      Index Scan using <1>btree_orders_user_id on orders  (cost=0.29..8.00 rows=5)\n"
        ),
        "{sql}"
    );
    // Every line of a plan is a comment: the only statement is the CREATE.
    let statements: Vec<&str> = sql
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with("--") && !l.starts_with('\\'))
        .collect();
    assert_eq!(
        statements,
        [
            "CREATE INDEX CONCURRENTLY \"orders_user_id_idx\" ON \"public\".\"orders\" USING btree (\"user_id\");"
        ]
    );
    let md = report::render(&r, "t", "m.sql");
    assert!(
        md.contains(
            "\n```text\nplan before · queryid 42\n  Seq Scan on orders  (cost=0.00..1200.00 rows=5)\n"
        ),
        "{md}"
    );
    assert!(
        md.contains("plan after, with the hypothetical index · queryid 42\n  Index Scan using"),
        "{md}"
    );
}

#[test]
fn an_unverified_suggestion_says_its_plan_after_is_not_known() {
    let mut item = suggested();
    if let Some(s) = &mut item.suggestion {
        s.verified = false;
        s.helps[0].plan_after = String::new();
        s.helps[0].cost_after = f64::NAN;
    }
    let shown = evidence(&item, 0.0, crate::diagnose::indexes::StatsSince::default()).join("\n");
    assert!(!shown.contains("NaN"), "{shown}");
    assert!(shown.contains("cost 1200 now"), "{shown}");
    let lines = plan_lines(item.suggestion.as_ref());
    assert_eq!(
        lines.last().map(String::as_str),
        Some("plan after · queryid 42: not known (no hypothetical index checked it)")
    );
}
