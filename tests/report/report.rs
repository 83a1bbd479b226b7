//! `pgmedic report` on the demo: JSON by the schema, markdown by area, --only and
//! --min-severity.

use crate::{demo, json_report, of_kind, pgmedic, text};

#[tokio::test]
async fn the_json_report_on_the_demo_lists_its_problems_and_follows_the_schema() {
    let conninfo = demo::conninfo();
    demo::lock_wait_of_at_least(6.0).await;
    // Idle in transaction is a warning after 60 s by default; lowered so the test need not
    // wait a minute (the flag is part of what is tested).
    let report = json_report(conninfo, &["--threshold", "idle_in_transaction_secs=5:600"]);
    assert_eq!(report["server"]["role"], "primary");
    assert!(report["server"]["version_num"].as_u64().unwrap() >= 150_000);
    assert!(report["server"]["extensions"]["pg_stat_statements"].is_string());
    sessions_and_settings(&report);
    statements(&report);
    indexes(&report);
    vacuum(&report);
    let hidden = report["not_checked"].to_string();
    assert!(
        !hidden.contains("grant") && !hidden.contains("hidden"),
        "a superuser on a primary is refused nothing: {hidden}"
    );
}

/// The lock chain and the idle transactions, with no timeout to end them.
fn sessions_and_settings(report: &serde_json::Value) {
    // The lock chain: backoffice idle in transaction ← migrate ← api, one tree by its root.
    let chains = of_kind(report, "blocking_chain");
    assert_eq!(chains.len(), 1, "{report:#}");
    let chain = &chains[0]["evidence"];
    let root = chain["root_pid"].as_i64().unwrap();
    assert_eq!(chain["chain"].as_array().unwrap().len(), 3, "{chain}");
    assert_eq!(chain["chain"][0], root);
    assert_eq!(chain["root_application_name"], "backoffice");
    let sql = chains[0]["sql"].as_str().unwrap();
    assert!(
        sql.contains("pg_terminate_backend(pid)")
            && sql.contains(&format!("(pid = {root} AND backend_start = "))
            && sql.contains("lower('idle in transaction')"),
        "an idle root is ended, not cancelled, and only while it is the same session, still \
         idle in its transaction: {sql}"
    );
    assert_eq!(chains[0]["database"], "trading");
    // The chain's holder sits idle in transaction: found by its pid.
    let idle = of_kind(report, "idle_in_transaction");
    let holder = idle
        .iter()
        .find(|f| f["evidence"]["pid"] == root)
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(holder["evidence"]["application_name"], "backoffice");
    assert!(holder["evidence"]["age_seconds"].as_f64().unwrap() >= 5.0);
    // …with no idle_in_transaction_session_timeout to end them.
    let settings = of_kind(report, "setting");
    let timeout = settings
        .iter()
        .find(|f| f["evidence"]["setting"] == "idle_in_transaction_session_timeout")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(timeout["severity"], "warning");
    assert_eq!(timeout["evidence"]["value"], "0");
    assert!(
        timeout["sql"]
            .as_str()
            .unwrap()
            .starts_with("ALTER SYSTEM SET \"idle_in_transaction_session_timeout\"")
    );
}

/// The reporting job's sort spills (work_mem 64kB), and some statement holds a large share of
/// all statement time.
fn statements(report: &serde_json::Value) {
    let lints = of_kind(report, "query_lint");
    assert!(
        lints.iter().any(|f| f["evidence"]["lint"] == "TEMP"
            && f["evidence"]["query"]
                .as_str()
                .unwrap()
                .contains("WITHIN GROUP (ORDER BY price)")),
        "{report:#}"
    );
    assert!(!of_kind(report, "slow_query").is_empty(), "{report:#}");
}

/// The planted index problems, each with its object, and the advisor's suggestions for the
/// statements that lack an index.
fn indexes(report: &serde_json::Value) {
    let object = |f: &&serde_json::Value| {
        (
            f["table"].as_str().unwrap_or_default().to_owned(),
            f["index"].as_str().unwrap_or_default().to_owned(),
        )
    };
    let objects = |kind: &str| -> Vec<(String, String)> {
        of_kind(report, kind).iter().map(object).collect()
    };
    let has = |kind: &str, table: &str, index: &str| {
        objects(kind).contains(&(table.to_owned(), index.to_owned()))
    };
    assert!(
        has("invalid_index", "trades", "trades_external_trade_id_key"),
        "{report:#}"
    );
    assert!(
        has("duplicate_index", "trades", "idx_trades_account_time")
            || has(
                "duplicate_index",
                "trades",
                "trades_account_id_executed_at_idx"
            ),
        "{report:#}"
    );
    assert!(
        has("redundant_index", "orders", "orders_account_id_idx"),
        "{report:#}"
    );
    for (table, index) in [
        ("trades", "trades_venue_idx"),
        ("audit_logs", "audit_logs_ip_idx"),
        ("audit_logs", "audit_logs_action_idx"),
        ("Order \"Book\" Snapshots", "Snapshots by \"Best Bid\""),
    ] {
        assert!(
            has("unused_index", table, index),
            "{table}.{index}: {report:#}"
        );
    }
    let fks: Vec<(String, Vec<serde_json::Value>)> = of_kind(report, "missing_fk_index")
        .iter()
        .map(|f| {
            (
                f["table"].as_str().unwrap().to_owned(),
                f["columns"].as_array().unwrap().clone(),
            )
        })
        .collect();
    for (table, column) in [
        ("orders", "user_id"),
        ("trades", "order_id"),
        ("trades", "instrument_id"),
        ("alerts", "user_id"),
    ] {
        assert!(
            fks.contains(&(table.to_owned(), vec![column.into()])),
            "{table}.{column}: {fks:?}"
        );
    }

    let suggested: Vec<String> = of_kind(report, "index_suggestion")
        .iter()
        .map(|f| f["table"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        suggested
            .iter()
            .any(|t| ["orders", "trades", "alerts"].contains(&t.as_str())),
        "{suggested:?}"
    );
}

/// The tables autovacuum does not look after.
fn vacuum(report: &serde_json::Value) {
    let overdue: Vec<(String, String)> = of_kind(report, "vacuum_overdue")
        .iter()
        .map(|f| {
            (
                f["table"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        overdue.contains(&("positions".to_owned(), "critical".to_owned())),
        "{overdue:?}"
    );
    assert!(
        overdue.iter().any(|(t, _)| t == "Order \"Book\" Snapshots"),
        "never analyzed: {overdue:?}"
    );
}

#[tokio::test]
async fn the_markdown_report_reads_by_area_and_the_filters_keep_what_was_asked() {
    let conninfo = demo::conninfo();
    demo::lock_wait_of_at_least(6.0).await;
    let out = pgmedic(&["report", conninfo, "--interval", "1s"], None);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.starts_with("# pgmedic report: `postgres@"),
        "{stdout}"
    );
    for heading in [
        "## Connections and sessions\n",
        "## Queries\n",
        "## Indexes\n",
        "## Bloat and vacuum\n",
        "## Cluster\n",
        "### info · query_lint · db `trading`\n",
        "## Settings\n",
        " · blocking_chain · root pid ",
        "### info · setting · `log_min_duration_statement` · cluster\n",
        "```sql\nALTER SYSTEM SET \"log_min_duration_statement\" = '1s';\n",
    ] {
        assert!(
            stdout.contains(heading),
            "{heading:?} missing from\n{stdout}"
        );
    }
    let connections = stdout.find("## Connections and sessions").unwrap();
    let queries = stdout.find("## Queries").unwrap();
    let settings = stdout.find("## Settings").unwrap();
    assert!(
        connections < queries && queries < settings,
        "areas in report order"
    );

    let only = json_report(
        conninfo,
        &[
            "--only",
            "setting,blocking_chain",
            "--min-severity",
            "warning",
        ],
    );
    let findings = only["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    for f in findings {
        assert!(
            f["kind"] == "setting" || f["kind"] == "blocking_chain",
            "{f}"
        );
        assert_ne!(f["severity"], "info", "{f}");
    }
}
