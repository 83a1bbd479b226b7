//! `pgmedic advise` as a user runs it: JSON that matches the documented schema, and a migration
//! that psql applies to a fresh database of the same schema.

use std::process::Command;

use crate::common::{cluster, connect, fresh_db};
use crate::hostile::{HOSTILE, run_hostile_workload};
use crate::schema::{documented, violations};
use crate::support::database;
use crate::workload::{SHOP, run_workload};

fn advise(conninfo: &str, format: &str) -> String {
    advise_with(conninfo, &["--format", format])
}

fn advise_with(conninfo: &str, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_pgmedic"))
        .arg("advise")
        .arg(conninfo)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pgmedic advise failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

async fn busy_database(test: &str) -> String {
    let (conninfo, client) = database(test, &format!("{SHOP}{HOSTILE}")).await;
    run_workload(&client).await;
    run_hostile_workload(&client).await;
    conninfo
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_output_matches_the_documented_schema() {
    let conninfo = busy_database("advisor_cli_json").await;
    let text = advise(&conninfo, "json");
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let problems = violations(&documented(), &json);
    assert!(problems.is_empty(), "{problems:#?}\n{text}");
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 4, "{text}");
    assert!(findings.iter().all(|f| f["kind"] == "index_suggestion"));
    assert!(
        json["server"]["extensions"]
            .as_object()
            .unwrap()
            .contains_key("pg_stat_statements")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sql_output_is_a_migration_psql_applies() {
    let conninfo = busy_database("advisor_cli_sql").await;
    let migration = advise(&conninfo, "sql");
    let creates = migration
        .lines()
        .filter(|l| l.starts_with("CREATE INDEX CONCURRENTLY "))
        .count();
    assert_eq!(creates, 4, "{migration}");
    let fresh = fresh_db("advisor_cli_fresh").await;
    let client = connect(&fresh).await;
    client
        .batch_execute(&format!("{SHOP}{HOSTILE}"))
        .await
        .unwrap();
    let file = std::env::temp_dir().join(format!("pgmedic-advise-{}.sql", std::process::id()));
    std::fs::write(&file, &migration).unwrap();
    let out = Command::new(cluster().bin_dir().join("psql"))
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", &fresh, "-f"])
        .arg(&file)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&file);
    assert!(
        out.status.success(),
        "psql: {}\n{migration}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let names: Vec<String> = migration
        .lines()
        .filter_map(|l| l.strip_prefix("CREATE INDEX CONCURRENTLY \""))
        .filter_map(|l| l.split('"').next())
        .map(str::to_owned)
        .collect();
    let valid = "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                  WHERE i.indisvalid AND c.relname = ANY($1)";
    let built: i64 = client.query_one(valid, &[&names]).await.unwrap().get(0);
    assert_eq!(built, 4, "{migration}");
    // and each rollback statement undoes its index
    for line in migration
        .lines()
        .filter_map(|l| l.strip_prefix("-- rollback: "))
    {
        client.batch_execute(line).await.unwrap();
    }
    let left: i64 = client.query_one(valid, &[&names]).await.unwrap().get(0);
    assert_eq!(left, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_pg_stat_statements_it_says_what_to_run_in_one_line() {
    let (conninfo, client) = database("advisor_cli_no_pgss", "CREATE TABLE t (a int)").await;
    client
        .batch_execute("DROP EXTENSION pg_stat_statements")
        .await
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_pgmedic"))
        .args(["advise", &conninfo])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("CREATE EXTENSION pg_stat_statements"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn write_rates_are_those_of_the_interval_not_of_a_bulk_load_before_it() {
    let conninfo = busy_database("advisor_cli_rates").await;
    // A burst of writes on every table, then quiet: the tables are not written to now.
    let client = connect(&conninfo).await;
    client
        .batch_execute(
            "UPDATE orders SET note = note; UPDATE order_items SET qty = qty;
             UPDATE events SET payload = payload; UPDATE customers SET region = region;",
        )
        .await
        .unwrap();
    let text = advise_with(&conninfo, &["--format", "json", "--interval", "1s"]);
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert!(!findings.is_empty(), "{text}");
    for f in findings {
        assert_eq!(
            f["evidence"]["table_writes_per_sec"].as_f64(),
            Some(0.0),
            "no write happened during the interval: {f:#}"
        );
    }
}
