//! Identifiers with quotes, spaces, semicolons and mixed case: the suggested index is created
//! and dropped by its own SQL, and nothing else happens.

use crate::support::{advise, database, on};

pub const HOSTILE: &str = r#"
CREATE SCHEMA "my schema";
CREATE TABLE "my schema"."we""ird; table" (
    id int PRIMARY KEY, "col; DROP TABLE x; --" int NOT NULL, "Mixed Case" text);
CREATE TABLE x (id int);
INSERT INTO "my schema"."we""ird; table"
SELECT g, g % 5000, 'v' || g FROM generate_series(1, 50000) g;
"#;

pub async fn run_hostile_workload(client: &tokio_postgres::Client) {
    for i in 0..20_i32 {
        client
            .query(
                r#"SELECT * FROM "my schema"."we""ird; table" WHERE "col; DROP TABLE x; --" = $1"#,
                &[&i],
            )
            .await
            .unwrap();
    }
}

async fn exists(client: &tokio_postgres::Client, sql: &str, name: &str) -> bool {
    client.query_one(sql, &[&name]).await.unwrap().get(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_identifiers_are_quoted_everywhere() {
    let (conninfo, client) = database("advisor_hostile", HOSTILE).await;
    run_hostile_workload(&client).await;
    let advice = advise(&conninfo).await;
    let s = on(&advice, "we\"ird; table");
    assert_eq!(s.schema, "my schema");
    assert_eq!(s.columns, [r#""col; DROP TABLE x; --""#]);
    assert_eq!(
        s.create_sql,
        format!(
            r#"CREATE INDEX CONCURRENTLY "{}" ON "my schema"."we""ird; table" USING btree ("col; DROP TABLE x; --")"#,
            s.name
        )
    );
    assert!(
        s.name.chars().all(|c| c.is_alphanumeric() || c == '_'),
        "{}",
        s.name
    );
    let index_exists = "SELECT EXISTS (SELECT FROM pg_class WHERE relname = $1)";
    let table_exists = "SELECT to_regclass($1) IS NOT NULL";
    client.batch_execute(&s.create_sql).await.unwrap();
    assert!(exists(&client, index_exists, &s.name).await);
    assert!(exists(&client, table_exists, "x").await);
    client.batch_execute(&s.rollback_sql).await.unwrap();
    assert!(!exists(&client, index_exists, &s.name).await);
    assert!(exists(&client, table_exists, "x").await);
    assert!(exists(&client, table_exists, r#""my schema"."we""ird; table""#).await);
}
