//! Statements already well served get no suggestion: one that reaches its table through an
//! index in a fraction of a millisecond, however much a wider index would cut its plan cost.

use crate::common::connect;
use crate::support::{advise, database, has_hypopg, on};

const SCHEMA: &str = "
CREATE TABLE notifications (
    id bigint PRIMARY KEY, user_id int NOT NULL, kind text NOT NULL, title text NOT NULL,
    read_at timestamptz, created_at timestamptz NOT NULL);
INSERT INTO notifications
SELECT g, 1 + floor(power(random(), 2) * 50000)::int, 'kind' || g % 7, repeat('t', 40) || g,
       CASE WHEN random() < 0.8 THEN now() END, now() - random() * interval '90 days'
  FROM generate_series(1, 200000) g;
CREATE INDEX notifications_user_id_created_at_idx ON notifications (user_id, created_at);
CREATE TABLE events (id bigint PRIMARY KEY, account_id int NOT NULL, payload text);
INSERT INTO events SELECT g, g % 500, repeat('e', 60) FROM generate_series(1, 100000) g;
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_served_by_an_index_in_a_fraction_of_a_millisecond_gets_nothing() {
    let (conninfo, _setup) = database("advisor_well_served", SCHEMA).await;
    let client = connect(&conninfo).await;
    for user in 0..300 {
        client
            .batch_execute(&format!(
                "SELECT id, kind, title, created_at FROM notifications \
                 WHERE user_id = {user} AND read_at IS NULL ORDER BY created_at DESC LIMIT 20"
            ))
            .await
            .unwrap();
    }
    for account in 0..20 {
        client
            .batch_execute(&format!(
                "SELECT * FROM events WHERE account_id = {account}"
            ))
            .await
            .unwrap();
    }
    let advice = advise(&conninfo).await;
    // the table read whole still gets its index: the advisor ran and saw the workload
    assert_eq!(on(&advice, "events").columns, [r#""account_id""#]);
    assert!(
        advice
            .suggestions
            .iter()
            .all(|s| s.table != "notifications"),
        "notifications is served by its (user_id, created_at) index: {advice:#?}"
    );
    assert!(has_hypopg() || advice.suggestions.iter().all(|s| !s.verified));
}
