//! The Indexes pane: its findings list, a finding's detail with "what if I drop it?", the
//! review session, the follow-up of a created index, and its empty and loading states.

use crossterm::event::{KeyCode, KeyEvent};
use pgmedic::advisor::{Helped, Suggestion};
use pgmedic::app::indexes::IndexesEvent;
use pgmedic::app::model::Model;
use pgmedic::app::msg::Msg;
use pgmedic::app::pane::Pane;
use pgmedic::diagnose::indexes::plans::{
    DropCheck, Followed, Followup, PlanSummary, Replanned, Statement,
};
use pgmedic::diagnose::indexes::{FindingKind, ForeignKey, IndexDef, IndexesSnapshot, TableInfo};

use crate::fixtures::{busy, dark, draw, screen};

const TAKEN_AT: f64 = 1_763_800_090.0;

fn table(oid: i64, name: &str, size: i64) -> TableInfo {
    TableInfo {
        oid,
        schema: "public".to_owned(),
        name: name.to_owned(),
        size_bytes: Some(size),
        live_rows: size / 100,
        seq_scans: 12,
        may_alter: true,
        owner: "app".to_owned(),
    }
}

fn index(oid: i64, table: (i64, &str), name: &str, columns: &[&str], scans: i64) -> IndexDef {
    IndexDef {
        oid,
        table_oid: table.0,
        schema: "public".to_owned(),
        table: table.1.to_owned(),
        name: name.to_owned(),
        method: "btree".to_owned(),
        key_count: columns.len(),
        attnums: (1..=columns.len() as i16).collect(),
        columns: columns.iter().map(|c| (*c).to_owned()).collect(),
        opclasses: vec![1978; columns.len()],
        collations: vec![0; columns.len()],
        options: vec![0; columns.len()],
        valid: true,
        scans,
        size_bytes: Some(oid * 1_048_576),
        definition: format!(
            "CREATE INDEX {name} ON public.{} USING btree ({})",
            table.1,
            columns.join(", ")
        ),
        ..IndexDef::default()
    }
}

fn snapshot() -> IndexesSnapshot {
    let trades = (20, "trades");
    let orders = (21, "orders");
    let snaps = (22, "Order \"Book\" Snapshots");
    let mut invalid = index(
        3,
        trades,
        "trades_external_trade_id_key",
        &["external_trade_id"],
        0,
    );
    invalid.valid = false;
    invalid.unique = true;
    invalid.size_bytes = Some(0);
    "CREATE UNIQUE INDEX trades_external_trade_id_key ON public.trades USING btree \
     (external_trade_id)"
        .clone_into(&mut invalid.definition);
    let hostile = index(4, snaps, "Snapshots by \"Best Bid\"", &["\"Best Bid\""], 0);
    IndexesSnapshot {
        taken_at: TAKEN_AT,
        database: "trading".to_owned(),
        stats_reset: Some(TAKEN_AT - 3.0 * 86_400.0),
        stats_started: Some(TAKEN_AT - 40.0 * 86_400.0),
        created_at: Some(TAKEN_AT - 400.0 * 86_400.0),
        standbys: 1,
        indexes: vec![
            index(
                16,
                trades,
                "trades_account_id_executed_at_idx",
                &["account_id", "executed_at"],
                812,
            ),
            index(
                17,
                trades,
                "idx_trades_account_time",
                &["account_id", "executed_at"],
                0,
            ),
            index(
                9,
                orders,
                "orders_account_id_created_at_idx",
                &["account_id", "created_at"],
                55,
            ),
            index(8, orders, "orders_account_id_idx", &["account_id"], 3),
            index(6, trades, "trades_venue_idx", &["venue"], 0),
            invalid,
            hostile,
        ],
        tables: vec![
            table(20, "trades", 310 << 20),
            table(21, "orders", 120 << 20),
            table(22, "Order \"Book\" Snapshots", 3 << 20),
        ],
        foreign_keys: vec![ForeignKey {
            oid: 90,
            name: "trades_order_id_fkey".to_owned(),
            table_oid: 20,
            schema: "public".to_owned(),
            table: "trades".to_owned(),
            attnums: vec![2],
            columns: vec!["order_id".to_owned()],
            referenced: "public.orders".to_owned(),
            referenced_columns: vec!["id".to_owned()],
            on_delete: 'a',
        }],
        write_rates: [(20, 35.2), (21, 12.0), (22, 0.0)].into_iter().collect(),
    }
}

fn suggestion() -> Suggestion {
    Suggestion {
        schema: "public".to_owned(),
        table: "orders".to_owned(),
        columns: vec![
            "\"user_id\"".to_owned(),
            "\"status\"".to_owned(),
            "\"created_at\" DESC".to_owned(),
        ],
        include: Vec::new(),
        predicate: None,
        method: "btree".to_owned(),
        name: "orders_user_id_status_created_at_idx".to_owned(),
        create_sql: "CREATE INDEX CONCURRENTLY \"orders_user_id_status_created_at_idx\" ON \
                     \"public\".\"orders\" (\"user_id\", \"status\", \"created_at\" DESC)"
            .to_owned(),
        rollback_sql: "DROP INDEX CONCURRENTLY IF EXISTS \
                       \"public\".\"orders_user_id_status_created_at_idx\""
            .to_owned(),
        helps: vec![Helped {
            queryid: 42,
            query: "SELECT * FROM orders WHERE user_id = $1 AND status = $2 ORDER BY created_at \
                    DESC LIMIT $3"
                .to_owned(),
            share_of_total_time: 0.41,
            calls: 18_200,
            mean_ms: 38.5,
            cost_before: 12_450.0,
            cost_after: 8.6,
            plan_before: "Limit  (cost=12450.10..12450.12 rows=10)\n  \
                          -> Sort  (cost=12450.10..12450.60 rows=200)\n        \
                          Sort Key: created_at DESC\n    \
                          -> Seq Scan on orders  (cost=0.00..12440.00 rows=200)\n          \
                          Filter: ((user_id = $1) AND (status = $2))"
                .to_owned(),
            plan_after: "Limit  (cost=0.42..8.60 rows=10)\n  \
                         -> Index Scan using <14001>btree_orders_user_id_status_created_at on \
                         orders  (cost=0.42..163.99 rows=200)\n        \
                         Index Cond: ((user_id = $1) AND (status = $2))"
                .to_owned(),
        }],
        estimated_size_bytes: Some(24 << 20),
        verified: true,
        table_writes_per_sec: Some(12.0),
        saving_ms_per_hour: 2_500_000.0,
        note: None,
    }
}

fn indexes_model() -> Model {
    let mut m = busy();
    m.update(Msg::Indexes(Box::new(IndexesEvent::Snapshot(Ok(
        snapshot(),
    )))));
    m.update(Msg::Indexes(Box::new(IndexesEvent::Suggestions(Ok(vec![
        suggestion(),
    ])))));
    m.indexes.updated_at = Some(m.now);
    m.notice = None;
    m.pane = Pane::Indexes;
    m
}

#[test]
fn indexes_80x24() {
    let terminal = draw(&indexes_model(), &dark(), 80, 24);
    let lines = screen(&terminal);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("invalid") && l.contains("WARN"))
    );
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn indexes_160x50() {
    let terminal = draw(&indexes_model(), &dark(), 160, 50);
    let lines = screen(&terminal);
    for kind in [
        "invalid",
        "duplicate",
        "redundant",
        "unused",
        "fk unindexed",
        "suggestion",
    ] {
        assert!(lines.iter().any(|l| l.contains(kind)), "{kind} is listed");
    }
    assert!(
        lines
            .iter()
            .any(|l| l.contains("stats reset 3 days ago · 1 standby"))
    );
    insta::assert_snapshot!(terminal.backend());
}

fn replanned(with: f64, without: Option<f64>, index: &str) -> Replanned {
    let summary = |cost: f64, uses: bool| PlanSummary {
        total_cost: cost,
        indexes: if uses {
            vec![index.to_owned()]
        } else {
            Vec::new()
        },
        lines: Vec::new(),
    };
    Replanned {
        statement: Statement {
            queryid: 7,
            query: "SELECT * FROM trades WHERE venue = $1".to_owned(),
            calls: 3_100,
            total_ms: 9_300.0,
            mean_ms: 3.0,
        },
        with_index: Ok(summary(with, true)),
        without_index: without.map(|cost| Ok(summary(cost, false))),
    }
}

#[test]
fn a_finding_in_detail_shows_its_sql_rollback_and_what_if_dropped() {
    let mut m = indexes_model();
    m.indexes.selected = m
        .indexes
        .visible()
        .iter()
        .position(|f| {
            f.index
                .as_ref()
                .is_some_and(|i| i.name == "trades_venue_idx")
        })
        .unwrap();
    m.indexes.detail = true;
    m.update(Msg::Indexes(Box::new(IndexesEvent::DropCheck {
        index_oid: 6,
        check: Ok(DropCheck {
            index: "trades_venue_idx".to_owned(),
            table: "public.trades".to_owned(),
            hiding: Ok(()),
            statements: vec![replanned(8.4, Some(5_210.0), "trades_venue_idx")],
            no_statements: None,
        }),
    })));
    m.notice = None;
    let terminal = draw(&m, &dark(), 100, 30);
    let lines = screen(&terminal).join("\n");
    assert!(lines.contains("DROP INDEX CONCURRENTLY IF EXISTS \"public\".\"trades_venue_idx\""));
    assert!(lines.contains("undo  CREATE INDEX CONCURRENTLY trades_venue_idx"));
    assert!(lines.contains("WORSE ×620.2"), "{lines}");
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn without_hypopg_the_detail_says_what_is_needed() {
    let mut m = indexes_model();
    m.indexes.selected = 0;
    m.indexes.detail = true;
    let oid = m
        .indexes
        .selected_finding()
        .unwrap()
        .index
        .as_ref()
        .unwrap()
        .oid;
    m.update(Msg::Indexes(Box::new(IndexesEvent::DropCheck {
        index_oid: oid,
        check: Ok(DropCheck {
            index: "trades_external_trade_id_key".to_owned(),
            table: "public.trades".to_owned(),
            hiding: Err(
                "HypoPG 1.3.1 cannot hide an index: hypopg_hide_index needs HypoPG 1.4 \
                         or newer"
                    .to_owned(),
            ),
            statements: vec![replanned(8.4, None, "other")],
            no_statements: None,
        }),
    })));
    let lines = screen(&draw(&m, &dark(), 120, 30)).join("\n");
    assert!(lines.contains("needs HypoPG 1.4 or newer"), "{lines}");
    assert!(lines.contains("0 of the 1 heaviest statements"), "{lines}");
}

#[test]
fn the_review_shows_one_finding_its_evidence_and_the_keys() {
    let mut m = indexes_model();
    m.apply(pgmedic::app::action::Action::Review);
    m.apply(pgmedic::app::action::Action::ReviewMigration);
    m.notice = None;
    let terminal = draw(&m, &dark(), 80, 24);
    let lines = screen(&terminal).join("\n");
    assert!(
        lines.contains("Review · 2 of 7 · 0 applied, 1 in the migration"),
        "{lines}"
    );
    assert!(
        lines.contains("a apply now · m add to migration · s skip"),
        "{lines}"
    );
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn a_suggestion_in_detail_shows_its_plans_before_and_after_and_scrolls_to_them() {
    let mut m = indexes_model();
    m.indexes.selected = m
        .indexes
        .visible()
        .iter()
        .position(|f| f.kind == FindingKind::Suggestion)
        .unwrap();
    m.apply(pgmedic::app::action::Action::Open);
    m.notice = None;
    let terminal = draw(&m, &dark(), 120, 40);
    let lines = screen(&terminal).join("\n");
    assert!(lines.contains("plan before · queryid 42"), "{lines}");
    assert!(
        lines.contains("-> Seq Scan on orders  (cost=0.00..12440.00 rows=200)"),
        "{lines}"
    );
    assert!(
        lines.contains("-> Index Scan using <14001>btree_orders_user_id_status_created_at"),
        "{lines}"
    );
    insta::assert_snapshot!(terminal.backend());
    // At 80x24 the plans are below the fold: the keys stay in sight and say how to get there.
    let small = screen(&draw(&m, &dark(), 80, 24)).join("\n");
    assert!(!small.contains("Index Cond: ((user_id"), "{small}");
    assert!(small.contains("PgDn PgUp scroll"), "{small}");
    assert!(small.contains("c create"), "{small}");
    for _ in 0..3 {
        m.update(Msg::Key(KeyEvent::from(KeyCode::PageDown)));
    }
    let scrolled = screen(&draw(&m, &dark(), 80, 24)).join("\n");
    assert!(scrolled.contains("Index Cond: ((user_id"), "{scrolled}");
    // In the review too.
    m.apply(pgmedic::app::action::Action::Close);
    m.apply(pgmedic::app::action::Action::Review);
    while m
        .indexes
        .review
        .as_ref()
        .and_then(|r| r.current())
        .is_some_and(|i| i.finding.kind != FindingKind::Suggestion)
    {
        m.apply(pgmedic::app::action::Action::ReviewSkip);
    }
    let review = screen(&draw(&m, &dark(), 120, 40)).join("\n");
    assert!(
        review.contains("plan after, with the hypothetical index · queryid 42"),
        "{review}"
    );
}

#[test]
fn a_created_index_is_followed_up() {
    let mut m = indexes_model();
    let plan = PlanSummary {
        total_cost: 8.6,
        indexes: vec!["orders_user_id_status_created_at_idx".to_owned()],
        lines: Vec::new(),
    };
    m.update(Msg::Indexes(Box::new(IndexesEvent::Followup(Followup {
        index: "orders_user_id_status_created_at_idx".to_owned(),
        statements: vec![Followed {
            queryid: 42,
            query: suggestion().helps[0].query.clone(),
            mean_before_ms: 38.5,
            cost_before: 12_450.0,
            plan_now: Ok(plan),
            calls_after: Some(310),
            mean_after_ms: Some(0.42),
        }],
        measured_over: Some(60.0),
    }))));
    m.notice = None;
    let terminal = draw(&m, &dark(), 120, 30);
    let lines = screen(&terminal).join("\n");
    assert!(lines.contains("after orders_user_id_status_created_at_idx · timed over 1m00s"));
    assert!(
        lines.contains("ok cost 12450 → 9, uses it · mean 38ms → 0.42ms (310 calls)"),
        "{lines}"
    );
}

#[test]
fn before_the_first_refresh_and_without_findings_the_pane_says_so() {
    let mut m = busy();
    m.pane = Pane::Indexes;
    let lines = screen(&draw(&m, &dark(), 80, 24)).join("\n");
    assert!(lines.contains("reading the index catalog"), "{lines}");
    m.update(Msg::Indexes(Box::new(IndexesEvent::Snapshot(Ok(
        IndexesSnapshot {
            taken_at: TAKEN_AT,
            ..IndexesSnapshot::default()
        },
    )))));
    let lines = screen(&draw(&m, &dark(), 80, 24)).join("\n");
    assert!(lines.contains("no findings among 0 indexes"), "{lines}");
}

#[test]
fn tiny_areas_do_not_panic() {
    let m = indexes_model();
    for (w, h) in [(0, 0), (1, 1), (80, 24)] {
        draw(&m, &dark(), w, h);
    }
}

#[test]
fn a_build_started_here_shows_its_progress_and_what_it_waits_for() {
    let mut m = indexes_model();
    m.indexes.selected = m
        .indexes
        .visible()
        .iter()
        .position(|f| f.kind == pgmedic::diagnose::indexes::FindingKind::MissingFkIndex)
        .unwrap();
    m.apply(pgmedic::app::action::Action::CreateIndex);
    let finding = m.indexes.selected_finding().unwrap().clone();
    let fix = m.fix_of(&finding).unwrap();
    m.update(Msg::Indexes(Box::new(IndexesEvent::Recheck {
        fix: Box::new(fix),
        verdict: Ok(None),
    })));
    let effects = m.update(Msg::Key(crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Enter,
        crossterm::event::KeyModifiers::NONE,
    )));
    let [pgmedic::app::effect::Effect::RunJob(id, _)] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    m.update(Msg::Job(pgmedic::jobs::JobEvent::Started {
        id: *id,
        pid: 4300,
    }));
    m.update(Msg::Job(pgmedic::jobs::JobEvent::Progress {
        id: *id,
        progress: pgmedic::jobs::Progress {
            phase: "waiting for writers before build".to_owned(),
            waiting_for: vec![4100, 4101],
            ..pgmedic::jobs::Progress::default()
        },
    }));
    m.notice = None;
    let lines = screen(&draw(&m, &dark(), 160, 50)).join("\n");
    assert!(
        lines.contains(
            "create index public.trades_order_id_idx: waiting for writers before build · waiting \
             for pids 4100, 4101"
        ),
        "{lines}"
    );
}
