use super::*;
use crate::advisor::catalog::ColumnStats;
use crate::advisor::parse::parse;

fn col(name: &str, n_distinct: f64) -> Column {
    Column {
        name: name.into(),
        type_name: "integer".into(),
        stats: Some(ColumnStats {
            null_frac: 0.0,
            n_distinct,
            common_values: Vec::new(),
        }),
    }
}

fn table(oid: u32, name: &str, columns: Vec<Column>) -> Table {
    Table {
        oid,
        schema: "public".into(),
        name: name.into(),
        kind: 'r',
        rows: 100_000.0,
        pages: 1_000,
        columns,
        indexes: Vec::new(),
        writes_per_sec: None,
    }
}

fn orders() -> Table {
    table(
        1,
        "orders",
        vec![
            col("id", -1.0),
            col("customer_id", 5_000.0),
            col("status", 4.0),
            col("created_at", -0.9),
            col("total", -0.5),
        ],
    )
}

fn index(name: &str, keys: &[&str]) -> ExistingIndex {
    ExistingIndex {
        name: name.into(),
        method: "btree".into(),
        valid: true,
        keys: keys.iter().map(|k| Some(Key::asc(k))).collect(),
        include: Vec::new(),
        predicate: None,
    }
}

fn keys_of(c: &Candidate) -> Vec<String> {
    c.keys.iter().map(Key::sql).collect()
}

fn generate(sql: &str, tables: &[&Table]) -> Vec<Candidate> {
    let parsed = parse(sql).unwrap();
    let by_scan: Vec<Option<&Table>> = parsed
        .scans
        .iter()
        .map(|s| tables.iter().copied().find(|t| t.name == s.name))
        .collect();
    usage(&parsed, &by_scan)
        .iter()
        .flat_map(|u| {
            let t = by_scan[u.scan].unwrap();
            candidates(u, t, &[])
        })
        .collect()
}

fn non_partial(cands: &[Candidate]) -> Vec<(Vec<String>, Vec<String>)> {
    cands
        .iter()
        .filter(|c| c.partial.is_none())
        .map(|c| (keys_of(c), c.include.clone()))
        .collect()
}

#[test]
fn equality_then_order_by_with_its_direction() {
    let t = orders();
    let got = generate(
        "SELECT * FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT $2",
        &[&t],
    );
    assert_eq!(
        non_partial(&got),
        vec![
            (vec![r#""customer_id""#.into()], vec![]),
            (
                vec![r#""customer_id""#.into(), r#""created_at" DESC"#.into()],
                vec![]
            ),
        ]
    );
    let order = got.iter().find(|c| c.shape == Shape::Order).unwrap();
    assert_eq!(order.eq_len, 1);
}

#[test]
fn equality_columns_most_selective_first_then_range() {
    let t = orders();
    let got = generate(
        "SELECT id FROM orders WHERE status = $1 AND customer_id = $2 AND created_at >= $3",
        &[&t],
    );
    let all = non_partial(&got);
    let keys: Vec<&Vec<String>> = all.iter().map(|(k, _)| k).collect();
    assert!(keys.contains(&&vec![
        r#""customer_id""#.to_owned(),
        r#""status""#.to_owned()
    ]));
    assert!(keys.contains(&&vec![
        r#""customer_id""#.to_owned(),
        r#""status""#.to_owned(),
        r#""created_at""#.to_owned()
    ]));
    assert!(keys.contains(&&vec![r#""created_at""#.to_owned()]));
    // id is read but is not a key: covering variants carry it
    assert!(all.iter().any(|(_, inc)| inc == &vec!["id".to_owned()]));
}

#[test]
fn join_on_a_foreign_key_column() {
    let o = orders();
    let items = table(
        2,
        "order_items",
        vec![col("id", -1.0), col("order_id", -0.2), col("sku", 900.0)],
    );
    let mut o = o;
    o.indexes.push(index("orders_pkey", &["id"]));
    let got = generate(
        "SELECT i.* FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.id = $1",
        &[&o, &items],
    );
    assert_eq!(
        non_partial(&got),
        vec![(vec![r#""order_id""#.into()], vec![])]
    );
    assert_eq!(got[0].table, 2);
}

#[test]
fn a_full_aggregate_has_no_candidates() {
    let t = orders();
    assert!(generate("SELECT count(*), sum(total) FROM orders", &[&t]).is_empty());
    assert!(generate("SELECT status, count(*) FROM orders GROUP BY status", &[&t]).is_empty());
}

#[test]
fn what_an_existing_index_covers_is_no_candidate() {
    let mut t = orders();
    t.indexes.push(index(
        "orders_customer_created",
        &["customer_id", "created_at"],
    ));
    let got = generate(
        "SELECT * FROM orders WHERE customer_id = $1 ORDER BY created_at LIMIT 10",
        &[&t],
    );
    assert!(non_partial(&got).is_empty(), "{got:?}");
    // a descending ORDER BY is served by the same index scanned backwards
    let got = generate(
        "SELECT * FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 10",
        &[&t],
    );
    assert!(non_partial(&got).is_empty(), "{got:?}");
    // but not a mixed direction
    let mut t = orders();
    t.indexes
        .push(index("x", &["customer_id", "status", "created_at"]));
    let got = generate(
        "SELECT * FROM orders WHERE customer_id = $1 ORDER BY status, created_at DESC LIMIT 10",
        &[&t],
    );
    assert!(got.iter().any(|c| c.shape == Shape::Order));
}

#[test]
fn no_covering_twin_of_an_existing_index() {
    let mut t = orders();
    t.indexes.push(index("orders_pkey", &["id"]));
    let got = generate("SELECT id, status, total FROM orders WHERE id = $1", &[&t]);
    assert!(got.is_empty(), "{got:?}");
    let got = generate("SELECT id, total FROM orders WHERE customer_id = $1", &[&t]);
    assert!(
        got.iter().any(|c| c.include == ["id", "total"]),
        "keys no index has may carry INCLUDE columns: {got:?}"
    );
}

#[test]
fn equality_keys_match_in_any_order_but_invalid_or_partial_indexes_cover_nothing() {
    let mut t = orders();
    t.indexes.push(index("a", &["status", "customer_id"]));
    let got = generate(
        "SELECT * FROM orders WHERE customer_id = $1 AND status = $2",
        &[&t],
    );
    assert!(
        !non_partial(&got).iter().any(|(k, _)| k.len() == 2),
        "{got:?}"
    );
    let mut t = orders();
    let mut invalid = index("b", &["customer_id"]);
    invalid.valid = false;
    let mut partial = index("c", &["customer_id"]);
    partial.predicate = Some("status = 1".into());
    t.indexes.extend([invalid, partial]);
    let got = generate("SELECT * FROM orders WHERE customer_id = $1", &[&t]);
    assert_eq!(non_partial(&got).len(), 1);
}

#[test]
fn small_tables_get_nothing() {
    let mut t = orders();
    t.pages = 3;
    assert!(generate("SELECT * FROM orders WHERE customer_id = $1", &[&t]).is_empty());
}

#[test]
fn partial_candidates_from_common_values_rarest_first() {
    let mut t = orders();
    t.columns[2].stats = Some(ColumnStats {
        null_frac: 0.0,
        n_distinct: 3.0,
        common_values: vec![
            ("done".into(), 0.9),
            ("open".into(), 0.08),
            ("it's".into(), 0.02),
        ],
    });
    let got = generate(
        "SELECT * FROM orders WHERE status = $1 ORDER BY created_at LIMIT 20",
        &[&t],
    );
    let partial: Vec<(&Vec<Key>, &Partial)> = got
        .iter()
        .filter_map(|c| c.partial.as_ref().map(|p| (&c.keys, p)))
        .collect();
    assert_eq!(partial.len(), 2, "the 90% value makes no partial index");
    assert_eq!(partial[0].1.predicate, r#""status" = 'it''s'"#);
    assert_eq!(partial[0].1.substitute, Some((1, "'it''s'".into())));
    assert_eq!(partial[0].0, &vec![Key::asc("created_at")]);
    // Which values the calls use is not known without pg_qualstats: counted as if they
    // followed the rows, the share of rows holding the value, never 1 / n_distinct.
    assert!((partial[0].1.share - 0.02).abs() < 1e-9);
    assert!(partial[0].1.known_share.is_none());
    assert!(
        partial[0].1.source.contains("2.0 % of the rows"),
        "{}",
        partial[0].1.source
    );
}

#[test]
fn partial_candidates_prefer_pg_qualstats_constants() {
    let t = orders();
    let seen = [QualConstant {
        table: 1,
        column: "status".into(),
        literal: "'pending'::text".into(),
        share: 0.7,
    }];
    let parsed = parse("SELECT * FROM orders WHERE status = $1 AND customer_id = $2").unwrap();
    let u = &usage(&parsed, &[Some(&t)])[0];
    let got = candidates(u, &t, &seen);
    let partial: Vec<&Candidate> = got.iter().filter(|c| c.partial.is_some()).collect();
    assert_eq!(partial.len(), 1);
    let p = partial[0].partial.as_ref().unwrap();
    assert_eq!(p.predicate, r#""status" = 'pending'::text"#);
    assert_eq!(p.source, "pg_qualstats");
    assert_eq!(p.known_share, Some(0.7));
    assert_eq!(keys_of(partial[0]), vec![r#""customer_id""#.to_owned()]);
}

#[test]
fn is_null_and_boolean_filters_make_partial_candidates() {
    let mut t = orders();
    t.columns.push(Column {
        name: "deleted_at".into(),
        type_name: "timestamp with time zone".into(),
        stats: None,
    });
    t.columns.push(Column {
        name: "archived".into(),
        type_name: "boolean".into(),
        stats: None,
    });
    let got = generate(
        "SELECT * FROM orders WHERE customer_id = $1 AND deleted_at IS NULL AND NOT archived",
        &[&t],
    );
    let predicates: Vec<&str> = got
        .iter()
        .filter_map(|c| c.partial.as_ref().map(|p| p.predicate.as_str()))
        .collect();
    assert!(
        predicates.contains(&r#""deleted_at" IS NULL"#),
        "{predicates:?}"
    );
    assert!(predicates.contains(&r#"NOT "archived""#), "{predicates:?}");
}

#[test]
fn keys_render_quoted_with_non_default_directions() {
    let k = |desc, nulls_first| {
        Key {
            column: "a\"b".into(),
            desc,
            nulls_first,
        }
        .sql()
    };
    assert_eq!(k(false, false), r#""a""b""#);
    assert_eq!(k(true, true), r#""a""b" DESC"#);
    assert_eq!(k(true, false), r#""a""b" DESC NULLS LAST"#);
    assert_eq!(k(false, true), r#""a""b" NULLS FIRST"#);
}

#[test]
fn unqualified_columns_resolve_to_the_table_that_has_them() {
    let o = orders();
    let c = table(3, "customers", vec![col("id", -1.0), col("region", 12.0)]);
    let parsed = parse(
        "SELECT * FROM orders JOIN customers ON customers.id = customer_id WHERE region = $1",
    )
    .unwrap();
    let u = usage(&parsed, &[Some(&o), Some(&c)]);
    let cust = u.iter().find(|u| u.table == 3).unwrap();
    assert!(cust.eq.iter().any(|e| e.column == "region"));
    let ord = u.iter().find(|u| u.table == 1).unwrap();
    assert_eq!(ord.eq[0].column, "customer_id");
    assert_eq!(ord.eq[0].how, EqHow::Join);
}

#[test]
fn ambiguous_columns_are_dropped() {
    let a = table(1, "a", vec![col("id", -1.0), col("k", 10.0)]);
    let b = table(2, "b", vec![col("id", -1.0), col("k", 10.0)]);
    let parsed = parse("SELECT 1 FROM a, b WHERE k = $1").unwrap();
    let u = usage(&parsed, &[Some(&a), Some(&b)]);
    assert!(u.iter().all(|u| u.eq.is_empty()));
}
