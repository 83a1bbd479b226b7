use super::*;

fn filters_of(p: &Parsed) -> Vec<(String, FilterOp, Value)> {
    p.filters
        .iter()
        .map(|f| (f.col.name.clone(), f.op, f.value.clone()))
        .collect()
}

#[test]
fn equality_order_by_and_limit() {
    let p = parse(
        "SELECT * FROM orders WHERE customer_id = $1 AND status = $2 \
         ORDER BY created_at DESC LIMIT $3",
    )
    .unwrap();
    assert_eq!(p.kind, StatementKind::Select);
    assert_eq!(
        p.scans,
        vec![Scan {
            schema: None,
            name: "orders".into()
        }]
    );
    assert_eq!(
        filters_of(&p),
        vec![
            ("customer_id".into(), FilterOp::Eq, Value::Param(1)),
            ("status".into(), FilterOp::Eq, Value::Param(2)),
        ]
    );
    assert_eq!(p.orders.len(), 1);
    let order = &p.orders[0];
    assert!(order.limited);
    assert_eq!(order.keys[0].col.name, "created_at");
    assert!(order.keys[0].desc);
    assert_eq!(order.keys[0].nulls_first, None);
    assert_eq!(p.star_scans, vec![0]);
}

#[test]
fn normalized_interval_is_deparsed_into_plannable_sql() {
    let p = parse("SELECT id FROM events WHERE created_at > now() - interval $1").unwrap();
    assert!(p.plan_sql.contains("$1::interval"), "{}", p.plan_sql);
    assert_eq!(
        filters_of(&p),
        vec![("created_at".into(), FilterOp::Range, Value::Opaque)]
    );
}

#[test]
fn in_lists_any_is_null_and_between() {
    let p = parse(
        "SELECT a FROM t WHERE a IN ($1, $2, $3) AND b = ANY($4) AND c IS NULL \
         AND d BETWEEN $5 AND $6 AND e IS NOT NULL AND f <> $7 AND g NOT IN ($8)",
    )
    .unwrap();
    assert_eq!(
        filters_of(&p),
        vec![
            ("a".into(), FilterOp::In, Value::Opaque),
            ("b".into(), FilterOp::In, Value::Param(4)),
            ("c".into(), FilterOp::IsNull, Value::Opaque),
            ("d".into(), FilterOp::Range, Value::Opaque),
        ]
    );
    assert!(p.star_scans.is_empty());
}

#[test]
fn squashed_in_list_of_postgres_18() {
    let p = parse("SELECT * FROM t WHERE a IN ($1 /*, ... */)").unwrap();
    assert_eq!(
        filters_of(&p),
        vec![("a".into(), FilterOp::In, Value::Opaque)]
    );
}

#[test]
fn parameter_on_the_left_and_casts() {
    let p = parse("SELECT 1 FROM t WHERE $1::date <= day AND ref = $2::text").unwrap();
    assert_eq!(
        filters_of(&p),
        vec![
            ("day".into(), FilterOp::Range, Value::Param(1)),
            ("ref".into(), FilterOp::Eq, Value::Param(2)),
        ]
    );
}

#[test]
fn booleans() {
    let p = parse("SELECT 1 FROM t WHERE active AND NOT archived AND flagged IS TRUE").unwrap();
    assert_eq!(
        filters_of(&p),
        vec![
            ("active".into(), FilterOp::Eq, Value::Bool(true)),
            ("archived".into(), FilterOp::Eq, Value::Bool(false)),
            ("flagged".into(), FilterOp::Eq, Value::Bool(true)),
        ]
    );
}

#[test]
fn or_and_expressions_on_columns_are_not_indexable_filters() {
    let p =
        parse("SELECT 1 FROM t WHERE (a = $1 OR b = $2) AND lower(c) = $3 AND d + 1 = $4").unwrap();
    assert!(p.filters.is_empty(), "{:?}", p.filters);
    let read: Vec<&str> = p.reads.iter().map(|c| c.name.as_str()).collect();
    for col in ["a", "b", "c", "d"] {
        assert!(read.contains(&col), "{col} not read: {read:?}");
    }
}

#[test]
fn join_with_aliases_resolves_owners() {
    let p =
        parse("SELECT i.* FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.id = $1")
            .unwrap();
    assert_eq!(p.scans.len(), 2);
    let (orders, items) = (0, 1);
    assert_eq!(p.scans[items].name, "order_items");
    let join: Vec<&Filter> = p
        .filters
        .iter()
        .filter(|f| matches!(f.value, Value::Columns(_)))
        .collect();
    assert_eq!(join.len(), 2);
    assert_eq!(join[0].col.owner, Owner::Scan(items));
    assert_eq!(join[0].col.name, "order_id");
    assert_eq!(
        join[0].value,
        Value::Columns(vec![Col {
            owner: Owner::Scan(orders),
            name: "id".into()
        }])
    );
    assert!(p.filters.iter().any(|f| f.col.owner == Owner::Scan(orders)
        && f.col.name == "id"
        && f.value == Value::Param(1)));
    assert_eq!(p.star_scans, vec![items]);
}

#[test]
fn implicit_join_and_schema_qualified_tables() {
    let p = parse(
        "SELECT a.x FROM app.accounts a, app.trades t WHERE t.account_id = a.id AND a.region = $1",
    )
    .unwrap();
    assert_eq!(p.scans[0].schema.as_deref(), Some("app"));
    assert_eq!(p.scans[1].name, "trades");
    assert!(p.filters.iter().any(|f| f.col.owner == Owner::Scan(1)
        && f.col.name == "account_id"
        && matches!(f.value, Value::Columns(_))));
}

#[test]
fn join_using() {
    let p = parse("SELECT * FROM a JOIN b USING (k) WHERE a.v = $1").unwrap();
    let joins: Vec<&Filter> = p.filters.iter().filter(|f| f.col.name == "k").collect();
    assert_eq!(joins.len(), 2);
    assert_eq!(joins[0].col.owner, Owner::Search(vec![vec![0]]));
    assert_eq!(joins[1].col.owner, Owner::Search(vec![vec![1]]));
}

#[test]
fn unqualified_columns_search_inner_levels_first() {
    let p = parse(
        "SELECT * FROM customers c WHERE EXISTS \
         (SELECT 1 FROM orders WHERE customer_id = c.id AND status = $1)",
    )
    .unwrap();
    let status = p.filters.iter().find(|f| f.col.name == "status").unwrap();
    assert_eq!(status.col.owner, Owner::Search(vec![vec![1], vec![0]]));
    let correlated = p
        .filters
        .iter()
        .find(|f| f.col.name == "customer_id")
        .unwrap();
    assert_eq!(
        correlated.value,
        Value::Columns(vec![Col {
            owner: Owner::Scan(0),
            name: "id".into()
        }])
    );
}

#[test]
fn ctes_are_not_tables_and_their_bodies_are_analysed() {
    let p = parse(
        "WITH recent AS (SELECT * FROM trades WHERE traded_at >= $1) \
         SELECT r.symbol, count(*) FROM recent r GROUP BY r.symbol",
    )
    .unwrap();
    assert_eq!(p.scans.len(), 1);
    assert_eq!(p.scans[0].name, "trades");
    assert_eq!(
        filters_of(&p),
        vec![("traded_at".into(), FilterOp::Range, Value::Param(1))]
    );
    assert!(p.groups.is_empty(), "groups over a CTE are not a table's");
}

#[test]
fn group_by_and_order_by_expression() {
    let p = parse(
        "SELECT account_id, sum(qty) FROM fills WHERE venue = $1 \
         GROUP BY account_id ORDER BY sum(qty) DESC",
    )
    .unwrap();
    assert_eq!(p.groups.len(), 1);
    assert_eq!(p.groups[0][0].name, "account_id");
    assert!(
        p.orders.is_empty(),
        "an ORDER BY on an aggregate is no index order"
    );
}

#[test]
fn order_by_nulls_and_mixed_directions() {
    let p = parse("SELECT 1 FROM t ORDER BY a ASC NULLS FIRST, b DESC NULLS LAST").unwrap();
    let keys = &p.orders[0].keys;
    assert!(!keys[0].desc);
    assert_eq!(keys[0].nulls_first, Some(true));
    assert!(keys[1].desc);
    assert_eq!(keys[1].nulls_first, Some(false));
    assert!(!p.orders[0].limited);
}

#[test]
fn update_and_delete() {
    let p = parse("UPDATE jobs SET state = $1, tries = tries + $2 WHERE id = $3").unwrap();
    assert_eq!(p.kind, StatementKind::Update);
    assert_eq!(
        filters_of(&p),
        vec![("id".into(), FilterOp::Eq, Value::Param(3))]
    );
    let p =
        parse("DELETE FROM sessions s USING users u WHERE s.user_id = u.id AND u.gone").unwrap();
    assert_eq!(p.kind, StatementKind::Delete);
    assert_eq!(p.scans.len(), 2);
    assert!(p.filters.iter().any(|f| f.col.name == "gone"));
}

#[test]
fn insert_select_is_analysed_and_insert_values_is_not_a_query() {
    let p = parse("INSERT INTO archive SELECT * FROM orders WHERE created_at < $1").unwrap();
    assert_eq!(p.kind, StatementKind::Insert);
    assert!(p.scans.iter().any(|s| s.name == "orders"));
    assert_eq!(
        parse("INSERT INTO t (a) VALUES ($1)"),
        Err(ParseError::NotAQuery)
    );
}

#[test]
fn utility_several_and_broken_statements() {
    assert_eq!(parse("COMMIT"), Err(ParseError::NotAQuery));
    assert_eq!(parse("SET work_mem = $1"), Err(ParseError::NotAQuery));
    assert_eq!(parse("SELECT $1"), Err(ParseError::NotAQuery));
    assert_eq!(
        parse("SELECT 1 FROM a; SELECT 2 FROM b"),
        Err(ParseError::Several(2))
    );
    assert!(matches!(parse("SELEC 1"), Err(ParseError::Syntax(_))));
}

#[test]
fn union_arms_and_subqueries_in_from() {
    let p = parse(
        "SELECT * FROM (SELECT id FROM a WHERE x = $1) s \
         UNION ALL SELECT id FROM b WHERE y > $2",
    )
    .unwrap();
    let names: Vec<&str> = p.scans.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(p.filters.len(), 2);
}

#[test]
fn hostile_identifiers_survive_parsing() {
    let p = parse(r#"SELECT * FROM "we""ird; table" WHERE "col; DROP TABLE x" = $1"#).unwrap();
    assert_eq!(p.scans[0].name, "we\"ird; table");
    assert_eq!(p.filters[0].col.name, "col; DROP TABLE x");
}

#[test]
fn a_parameter_is_substituted_and_later_ones_renumbered() {
    let sql = "SELECT * FROM t WHERE a = $1 AND s = $2 AND x = '$2' LIMIT $3";
    assert_eq!(
        substitute_param(sql, 2, "'it''s'").as_deref(),
        Some("SELECT * FROM t WHERE a = $1 AND s = ('it''s') AND x = '$2' LIMIT $2")
    );
    assert_eq!(substitute_param(sql, 7, "1"), None);
    assert_eq!(
        substitute_param("SELECT 1 FROM t WHERE b = $12", 12, "true").as_deref(),
        Some("SELECT 1 FROM t WHERE b = (true)")
    );
}

#[test]
fn deep_statements_are_read_like_any_other() {
    let sum = crate::sql_tree::tests::long_sum(60).replacen("select 1", "select a", 1);
    let p = parse(&format!("{sum} FROM orders WHERE customer_id = $1")).unwrap();
    assert_eq!(
        filters_of(&p),
        vec![("customer_id".into(), FilterOp::Eq, Value::Param(1))]
    );
    let p = parse(&crate::sql_tree::tests::join_chain(50)).unwrap();
    assert_eq!(p.scans.len(), 50);
}
