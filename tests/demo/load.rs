//! The loader: consistent, deterministic data, and every planted problem where a DBA looks.

use tokio::sync::OnceCell;

use crate::{SCALE, connect, eventually, loaded_db};

/// One loaded database for the read-only catalog checks below.
async fn problems() -> tokio_postgres::Client {
    static CONNINFO: OnceCell<String> = OnceCell::const_new();
    connect(CONNINFO.get_or_init(|| loaded_db("problems")).await).await
}

#[tokio::test(flavor = "multi_thread")]
async fn data_is_deterministic_and_has_no_orphans() {
    let first = connect(&loaded_db("determinism_a").await).await;
    let second = connect(&loaded_db("determinism_b").await).await;
    let fingerprint = "SELECT (SELECT md5(string_agg(concat_ws(':', id, account_id, user_id, instrument_id, \
                       side, status, quantity, limit_price), ',' ORDER BY id)) FROM orders), \
                       (SELECT md5(string_agg(concat_ws(':', order_id, quantity, price, external_trade_id), \
                       ',' ORDER BY id)) FROM trades), \
                       (SELECT md5(string_agg(concat_ws(':', id, country, tier), ',' ORDER BY id)) FROM users)";
    let a = first.query_one(fingerprint, &[]).await.unwrap();
    let b = second.query_one(fingerprint, &[]).await.unwrap();
    for column in 0..3 {
        assert_eq!(
            a.get::<_, String>(column),
            b.get::<_, String>(column),
            "column {column}"
        );
    }

    // Foreign-key triggers were skipped during the load: prove every single-column key holds.
    let fks = first
        .query(
            "SELECT format('SELECT count(*) FROM %s AS c WHERE c.%I IS NOT NULL AND NOT EXISTS \
             (SELECT 1 FROM %s AS p WHERE p.%I = c.%I)', c.conrelid::regclass, ca.attname, \
             c.confrelid::regclass, pa.attname, ca.attname), c.conname \
             FROM pg_constraint c \
             JOIN pg_attribute ca ON ca.attrelid = c.conrelid AND ca.attnum = c.conkey[1] \
             JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = c.confkey[1] \
             WHERE c.contype = 'f' AND cardinality(c.conkey) = 1",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(fks.len(), 18, "foreign keys");
    for fk in &fks {
        let sql: String = fk.get(0);
        let orphans: i64 = first.query_one(&sql, &[]).await.unwrap().get(0);
        assert_eq!(orphans, 0, "{}: {sql}", fk.get::<_, String>(1));
    }

    // Row counts follow the scale (500k orders at 1.0).
    let orders: i64 = first
        .query_one("SELECT count(*) FROM orders", &[])
        .await
        .unwrap()
        .get(0);
    let expected = 500_000.0 * SCALE;
    assert!((orders as f64 - expected).abs() < 1.0, "{orders} orders");
    let trades: i64 = first
        .query_one("SELECT count(*) FROM trades", &[])
        .await
        .unwrap()
        .get(0);
    assert!(trades as f64 > expected, "{trades} trades");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invalid_index_is_left_by_the_failed_concurrent_build() {
    let db = problems().await;
    // A failed CREATE UNIQUE INDEX CONCURRENTLY left an invalid index.
    let invalid: Vec<String> = db
        .query(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
             WHERE NOT i.indisvalid",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(invalid, ["trades_external_trade_id_key"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn foreign_keys_without_a_supporting_index() {
    let db = problems().await;
    // Foreign keys whose columns lead no index.
    let unsupported: Vec<String> = db
        .query(
            "SELECT c.conrelid::regclass::text || '.' || a.attname FROM pg_constraint c \
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
             WHERE c.contype = 'f' AND NOT EXISTS ( \
               SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid \
               AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] = c.conkey) \
             ORDER BY 1",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    for fk in [
        "orders.user_id",
        "trades.order_id",
        "trades.instrument_id",
        "alerts.user_id",
    ] {
        assert!(
            unsupported.contains(&fk.to_owned()),
            "{fk} not in {unsupported:?}"
        );
    }
    for supported in ["orders.account_id", "trades.account_id", "accounts.user_id"] {
        assert!(
            !unsupported.contains(&supported.to_owned()),
            "{supported} in {unsupported:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn duplicate_and_redundant_indexes() {
    let db = problems().await;
    // Exact duplicates: same table, columns, opclasses, expressions and predicate.
    let duplicates: Vec<(String, String)> = db
        .query(
            "SELECT a.indexrelid::regclass::text, b.indexrelid::regclass::text \
             FROM pg_index a JOIN pg_index b ON a.indrelid = b.indrelid \
              AND a.indexrelid < b.indexrelid AND a.indkey = b.indkey AND a.indclass = b.indclass \
              AND a.indisvalid AND b.indisvalid \
              AND coalesce(pg_get_expr(a.indexprs, a.indrelid), '') = coalesce(pg_get_expr(b.indexprs, b.indrelid), '') \
              AND coalesce(pg_get_expr(a.indpred, a.indrelid), '') = coalesce(pg_get_expr(b.indpred, b.indrelid), '')",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(
        duplicates,
        [(
            "trades_account_id_executed_at_idx".to_owned(),
            "idx_trades_account_time".to_owned()
        )]
    );

    // A redundant index: its columns are a leading prefix of another index on the table.
    let redundant: Vec<(String, String)> = db
        .query(
            "SELECT a.indexrelid::regclass::text, b.indexrelid::regclass::text \
             FROM pg_index a JOIN pg_index b ON a.indrelid = b.indrelid AND a.indexrelid <> b.indexrelid \
             WHERE a.indnatts < b.indnatts AND NOT a.indisunique AND a.indexprs IS NULL AND a.indpred IS NULL \
               AND (b.indkey::int2[])[0:a.indnatts - 1] = (a.indkey::int2[])[0:a.indnatts - 1]",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert!(
        redundant.contains(&(
            "orders_account_id_idx".to_owned(),
            "orders_account_id_created_at_idx".to_owned()
        )),
        "{redundant:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn unused_indexes_back_no_constraint() {
    let db = problems().await;
    // Unused indexes (nothing ran yet, but they exist and back no constraint).
    let unused: Vec<String> = db
        .query(
            "SELECT s.indexrelid::regclass::text FROM pg_stat_user_indexes s \
             JOIN pg_index i USING (indexrelid) \
             WHERE s.idx_scan = 0 AND NOT i.indisunique AND NOT i.indisprimary ORDER BY 1",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    for index in [
        "trades_venue_idx",
        "audit_logs_ip_idx",
        "audit_logs_action_idx",
        r#""Snapshots by ""Best Bid""""#,
    ] {
        assert!(
            unused.contains(&index.to_owned()),
            "{index} not in {unused:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn positions_has_autovacuum_disabled_and_dead_tuples() {
    let db = problems().await;
    // positions: autovacuum disabled, and full of dead tuples.
    let reloptions: Vec<String> = db
        .query_one(
            "SELECT coalesce(reloptions, '{}') FROM pg_class WHERE oid = 'positions'::regclass",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(
        reloptions.contains(&"autovacuum_enabled=false".to_owned()),
        "{reloptions:?}"
    );
    let (dead, live) = eventually(20, "dead tuples in positions", || async {
        let row = db
            .query_one(
                "SELECT n_dead_tup, n_live_tup FROM pg_stat_user_tables WHERE relname = 'positions'",
                &[],
            )
            .await
            .unwrap();
        let (dead, live): (i64, i64) = (row.get(0), row.get(1));
        (dead > 0).then_some((dead, live))
    })
    .await;
    assert!(dead * 4 > live, "{dead} dead, {live} live");
    let has_pgstattuple: bool = db
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pgstattuple')",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    if has_pgstattuple {
        let dead_percent: f64 = db
            .query_one(
                "SELECT dead_tuple_percent FROM pgstattuple('positions')",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        assert!(dead_percent > 10.0, "{dead_percent}% dead");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_hostile_table_was_never_analyzed() {
    let db = problems().await;
    // The hostile table was never analyzed; every other table was.
    let hostile = db
        .query_one(
            "SELECT c.reltuples, s.last_analyze IS NULL AND s.last_autoanalyze IS NULL, \
                    c.reloptions \
             FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid \
             WHERE c.oid = to_regclass('\"Order \"\"Book\"\" Snapshots\"')",
            &[],
        )
        .await
        .unwrap();
    assert!(
        hostile.get::<_, f32>(0) < 0.0,
        "reltuples -1: never analyzed"
    );
    assert!(hostile.get::<_, bool>(1));
    assert_eq!(
        hostile.get::<_, Vec<String>>(2),
        ["autovacuum_enabled=false"]
    );
    let unanalyzed: Vec<String> = db
        .query(
            "SELECT relname FROM pg_stat_user_tables \
             WHERE last_analyze IS NULL AND last_autoanalyze IS NULL ORDER BY 1",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(unanalyzed, [r#"Order "Book" Snapshots"#]);
    let statistics: i64 = db
        .query_one(
            "SELECT count(*) FROM pg_stats WHERE schemaname = 'public' \
             AND tablename = 'Order \"Book\" Snapshots'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(statistics, 0, "the planner has no statistics for it");
}
