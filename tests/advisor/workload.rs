//! A workload whose best indexes are known: the advisor must suggest exactly those (verified
//! where HypoPG is installed), nothing for what no index helps, and the indexes must work.

use crate::support::{advise, database, explain_analyze, has_hypopg, on, shapes};

pub const SHOP: &str = "
CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL UNIQUE, region text);
CREATE TABLE orders (
    id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customers (id),
    status text NOT NULL, total numeric NOT NULL, created_at timestamptz NOT NULL, note text);
CREATE TABLE order_items (
    id int PRIMARY KEY, order_id int NOT NULL REFERENCES orders (id), sku text NOT NULL,
    qty int NOT NULL);
CREATE TABLE events (id bigint PRIMARY KEY, kind text NOT NULL, created_at timestamptz NOT NULL,
    payload text);
INSERT INTO customers
SELECT g, 'c' || g || '@example.com', 'r' || g % 20 FROM generate_series(1, 5000) g;
INSERT INTO orders
SELECT g, 1 + (g * 7919) % 5000, (ARRAY['new', 'paid', 'shipped', 'done'])[1 + g % 4],
       (g % 1000) / 10.0, timestamptz '2024-01-01' + g * interval '1 minute', repeat('x', 40)
  FROM generate_series(1, 100000) g;
INSERT INTO order_items
SELECT g, 1 + (g::int8 * 104729) % 100000, 'sku' || g % 10000, 1 + g % 5
  FROM generate_series(1, 200000) g;
INSERT INTO events
SELECT g, 'k' || g % 1000, timestamptz '2024-01-01' + g * interval '1 second', repeat('p', 60)
  FROM generate_series(1, 100000) g;
";

/// The statements, as an application sends them (extended protocol: pg_stat_statements
/// records them with `$n`).
pub async fn run_workload(client: &tokio_postgres::Client) {
    // 2024-01-01 00:00 UTC, then a ten-minute window every hour
    let at = |hour: u64, minutes: u64| {
        std::time::UNIX_EPOCH
            + std::time::Duration::from_secs(1_704_067_200 + hour * 3600 + minutes * 60)
    };
    for i in 0..20_i32 {
        let customer = 1 + i * 37;
        client
            .query(
                "SELECT * FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 10",
                &[&customer],
            )
            .await
            .unwrap();
        client
            .query("SELECT * FROM orders WHERE customer_id = $1", &[&customer])
            .await
            .unwrap();
        client
            .query(
                "SELECT i.* FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.id = $1",
                &[&(i * 997 + 1)],
            )
            .await
            .unwrap();
        client
            .query(
                "SELECT * FROM events WHERE created_at >= $1 AND created_at < $2",
                &[
                    &at(u64::from(i.unsigned_abs()), 0),
                    &at(u64::from(i.unsigned_abs()), 10),
                ],
            )
            .await
            .unwrap();
        client
            .query(
                "SELECT * FROM customers WHERE email = $1",
                &[&format!("c{customer}@example.com")],
            )
            .await
            .unwrap();
    }
    for _ in 0..5 {
        client
            .query("SELECT count(*), sum(total) FROM orders", &[])
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suggests_exactly_the_known_best_indexes() {
    let (conninfo, client) = database("advisor_known_best", SHOP).await;
    run_workload(&client).await;
    let advice = advise(&conninfo).await;
    assert_eq!(
        shapes(&advice),
        vec![
            ("events".to_owned(), vec![r#""created_at""#.to_owned()]),
            ("order_items".to_owned(), vec![r#""order_id""#.to_owned()]),
            (
                "orders".to_owned(),
                vec![
                    r#""customer_id""#.to_owned(),
                    r#""created_at" DESC"#.to_owned()
                ]
            ),
        ],
        "{advice:#?}"
    );
    let verified = has_hypopg();
    for s in &advice.suggestions {
        assert_eq!(s.verified, verified, "{s:#?}");
        assert!(
            s.create_sql.starts_with("CREATE INDEX CONCURRENTLY "),
            "{}",
            s.create_sql
        );
        assert!(
            s.rollback_sql
                .starts_with("DROP INDEX CONCURRENTLY IF EXISTS ")
        );
        assert!(s.helps.iter().all(|h| !h.query.contains("count(*)")));
        assert!(s.helps.iter().all(|h| !h.query.contains("email")));
        if verified {
            assert!(s.estimated_size_bytes.unwrap_or(0) > 0, "{s:#?}");
            for h in &s.helps {
                assert!(h.cost_after <= h.cost_before * 0.7, "{h:#?}");
                assert!(h.plan_after.contains("btree"), "{}", h.plan_after);
            }
        } else {
            assert!(s.note.as_deref().unwrap_or("").contains("not verified"));
            assert!(
                s.helps
                    .iter()
                    .all(|h| h.cost_after.is_nan() && h.plan_after.is_empty())
            );
        }
    }
    assert_eq!(advice.unverified_reason.is_none(), verified);
    // one index serves both statements on orders
    let orders = on(&advice, "orders");
    assert_eq!(orders.helps.len(), 2, "{orders:#?}");
    // applied, the statements' real plans use the indexes and get faster
    let checks = [
        (
            "orders",
            "SELECT * FROM orders WHERE customer_id = 1 ORDER BY created_at DESC LIMIT 10",
        ),
        (
            "order_items",
            "SELECT i.* FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.id = 4242",
        ),
        (
            "events",
            "SELECT * FROM events WHERE created_at >= '2024-01-01 10:00+00' \
             AND created_at < '2024-01-01 10:10+00'",
        ),
    ];
    let mut before = Vec::new();
    for (_, sql) in checks {
        before.push(explain_analyze(&client, sql).await.0);
    }
    for s in &advice.suggestions {
        client.batch_execute(&s.create_sql).await.unwrap();
    }
    for ((table, sql), before_ms) in checks.iter().zip(before) {
        let (after_ms, plan) = explain_analyze(&client, sql).await;
        let name = &on(&advice, table).name;
        assert!(
            plan.contains(name.as_str()),
            "{table}: {name} not in {plan}"
        );
        assert!(
            after_ms < before_ms,
            "{table}: {after_ms} ms after, {before_ms} ms before"
        );
    }
}

/// The console asks with `work::Request::Advise` and gets `Msg::Advice` back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_gets_the_advice_as_a_message() {
    use pgmedic::app::msg::Msg;
    use pgmedic::work::{Request, WorkContext, spawn};

    let (conninfo, client) = database("advisor_request", SHOP).await;
    run_workload(&client).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let context = WorkContext::new(crate::support::params(&conninfo), tx);
    let request = Request::Advise {
        server: Box::new(crate::support::server(&conninfo).await),
        options: pgmedic::advisor::AdviseOptions::default(),
    };
    spawn(request, &context);
    let msg = tokio::time::timeout(std::time::Duration::from_secs(60), rx.recv())
        .await
        .unwrap()
        .unwrap();
    let Msg::Advice(advice) = msg else {
        panic!("not advice: {msg:?}")
    };
    let advice = (*advice).unwrap();
    assert_eq!(advice.suggestions.len(), 3, "{advice:#?}");
}
