//! Normalized statement texts: `interval $1`, IN lists (squashed on 18), IS NULL; statements
//! whose parameters cannot be typed are skipped with the reason, not guessed.

use crate::support::{advise, database, on, queryid};
use crate::workload::SHOP;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn normalized_texts_are_planned() {
    let schema = format!(
        "{SHOP}
ALTER TABLE orders ADD COLUMN shipped_at timestamptz;
UPDATE orders SET shipped_at = created_at + interval '1 day' WHERE id % 200 <> 0;"
    );
    let (conninfo, client) = database("advisor_texts", &schema).await;
    // literal constants, as ORMs and psql send them: pg_stat_statements stores `$n`
    for i in 0..10 {
        client
            .batch_execute(&format!(
                "SELECT * FROM events WHERE kind = 'k{i}' \
                 AND created_at > now() - interval '5 minutes'"
            ))
            .await
            .unwrap();
        client
            .batch_execute(&format!(
                "SELECT * FROM order_items WHERE sku IN ('sku{i}', 'sku{}', 'sku{}')",
                i + 1,
                i + 2
            ))
            .await
            .unwrap();
        // a DELETE is planned like a query (EXPLAIN only: nothing is deleted by the advisor)
        client
            .batch_execute(&format!("DELETE FROM order_items WHERE sku = 'gone{i}'"))
            .await
            .unwrap();
        client
            .batch_execute("SELECT id, customer_id FROM orders WHERE shipped_at IS NULL")
            .await
            .unwrap();
        // normalized to `generate_series($2, $3)`: nothing types them (which
        // generate_series?), so no generic plan exists
        client
            .batch_execute(&format!(
                "SELECT * FROM orders WHERE customer_id = {i} \
                 AND total > (SELECT max(x) FROM generate_series(1, 3) x)"
            ))
            .await
            .unwrap();
    }
    let interval = queryid(&client, "interval").await;
    let untyped = queryid(&client, "generate_series($2, $3)").await;
    let advice = advise(&conninfo).await;
    let skipped: Vec<i64> = advice.skipped.iter().map(|(q, _)| *q).collect();
    assert!(!skipped.contains(&interval), "{advice:#?}");
    let events = on(&advice, "events");
    assert_eq!(events.columns[0], r#""kind""#, "{events:#?}");
    assert!(
        events.helps.iter().any(|h| h.query.contains("interval $")),
        "{events:#?}"
    );
    let items = on(&advice, "order_items");
    assert_eq!(items.columns, [r#""sku""#], "{items:#?}");
    assert!(
        items.helps.iter().any(|h| h.query.starts_with("DELETE")),
        "{items:#?}"
    );
    assert!(
        items.helps.iter().any(|h| h.query.contains("IN ($")),
        "{items:#?}"
    );
    let orders = on(&advice, "orders");
    assert!(
        orders.columns[0] == r#""shipped_at""#
            || orders.predicate.as_deref() == Some(r#""shipped_at" IS NULL"#),
        "{orders:#?}"
    );
    assert!(
        advice
            .suggestions
            .iter()
            .all(|s| s.helps.iter().all(|h| h.queryid != untyped)),
        "{advice:#?}"
    );
    let reason = advice
        .skipped
        .iter()
        .find(|(q, _)| *q == untyped)
        .map(|(_, why)| why.as_str());
    assert!(
        reason.is_some_and(|r| r.starts_with("cannot be planned: ")),
        "{reason:?}"
    );
}
