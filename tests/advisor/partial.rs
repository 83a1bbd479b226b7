//! Partial-index candidates: normalized statements hide their constants, so the constants come
//! from pg_qualstats when it is installed, else from the most common values in pg_stats.

use crate::common::connect;
use crate::support::{advise, database, has_hypopg, on, server};

const JOBS: &str = "
CREATE TABLE jobs (id int PRIMARY KEY, status text NOT NULL, payload text);
INSERT INTO jobs
SELECT g, CASE WHEN g % 100 = 0 THEN 'pending' WHEN g % 50 = 0 THEN 'failed' ELSE 'done' END,
       repeat('j', 60)
  FROM generate_series(1, 100000) g;
";

async fn run_jobs_workload(conninfo: &str) {
    let client = connect(conninfo).await;
    for _ in 0..10 {
        client
            .batch_execute("SELECT * FROM jobs WHERE status = 'pending'")
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partial_index_from_the_most_common_values() {
    let (conninfo, _client) = database("advisor_partial_mcv", JOBS).await;
    run_jobs_workload(&conninfo).await;
    let advice = advise(&conninfo).await;
    let s = on(&advice, "jobs");
    if has_hypopg() {
        let predicate = s.predicate.as_deref().unwrap_or_default();
        assert!(
            [r#""status" = 'pending'"#, r#""status" = 'failed'"#].contains(&predicate),
            "{s:#?}"
        );
        assert!(s.verified);
        let note = s.note.as_deref().unwrap_or_default();
        assert!(note.contains("most common values"), "{note}");
        // which values the calls use is not known here: no share of the calls is claimed
        assert!(!note.contains("of its calls"), "{note}");
        assert!(note.contains("% of the rows"), "{note}");
        assert!(
            s.create_sql.ends_with(&format!(" WHERE {predicate}")),
            "{}",
            s.create_sql
        );
    } else {
        // unverified: the plain candidate, labelled as such
        assert_eq!(s.columns, [r#""status""#]);
        assert!(!s.verified);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partial_index_from_pg_qualstats_constants() {
    let (conninfo, client) = database("advisor_partial_qualstats", JOBS).await;
    let available = server(&conninfo).await.extension("pg_qualstats").is_some();
    if !available {
        // this installation has no pg_qualstats: the advice falls back to pg_stats
        assert!(
            advise(&conninfo)
                .await
                .suggestions
                .iter()
                .all(|s| s.table == "jobs")
        );
        return;
    }
    let db: String = client
        .query_one("SELECT current_database()", &[])
        .await
        .unwrap()
        .get(0);
    client
        .batch_execute(&format!(
            "CREATE EXTENSION pg_qualstats; \
             ALTER DATABASE \"{db}\" SET pg_qualstats.sample_rate = 1"
        ))
        .await
        .unwrap();
    run_jobs_workload(&conninfo).await;
    let advice = advise(&conninfo).await;
    let s = on(&advice, "jobs");
    assert_eq!(
        s.predicate.as_deref(),
        Some(r#""status" = 'pending'::text"#),
        "{s:#?}"
    );
    assert!(
        s.note
            .as_deref()
            .unwrap_or_default()
            .contains("pg_qualstats")
    );
    assert_eq!(s.verified, has_hypopg());
}
