//! Every version variant of the advisor's pg_stat_statements SQL runs and decodes here, with
//! the extension version it was written for installed on purpose.

use pgmedic::advisor::catalog;
use pgmedic::server::versioned;

use crate::common::connect;
use crate::support::{database, params};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_statements_variant_runs_and_decodes_on_this_server() {
    // The oldest extension version of each variant's range (the newest: what the server has).
    let versions = [(0, Some("1.7")), (108, Some("1.8")), (109, None)];
    for (min, create) in versions {
        let (conninfo, admin) = database(
            &format!("advisor_pgss_{min}"),
            "CREATE TABLE t (a int); INSERT INTO t SELECT generate_series(1, 100);",
        )
        .await;
        if let Some(version) = create {
            admin
                .batch_execute(&format!(
                    "DROP EXTENSION pg_stat_statements; \
                     CREATE EXTENSION pg_stat_statements VERSION '{version}'"
                ))
                .await
                .unwrap();
        }
        let app = connect(&conninfo).await;
        for i in 0..3 {
            app.query("SELECT count(*) FROM t WHERE a = $1", &[&i])
                .await
                .unwrap();
        }
        let (client, server) = pgmedic::collect::open_session(&params(&conninfo))
            .await
            .unwrap();
        let installed = server.installed_version("pg_stat_statements").unwrap();
        assert!(installed >= min, "variant {min} on {installed}");
        if min > 0 {
            assert_eq!(
                versioned(catalog::STATEMENTS, installed),
                versioned(catalog::STATEMENTS, min)
            );
        }
        let (statements, seconds) = catalog::statements(&client, &server, 100)
            .await
            .unwrap_or_else(|e| panic!("variant {min} on extension {installed}: {e}"));
        let ours = statements
            .iter()
            .find(|s| s.query.contains("FROM t WHERE a = $1"))
            .unwrap_or_else(|| panic!("variant {min}: {statements:#?}"));
        assert_eq!(ours.calls, 3);
        assert!(ours.share > 0.0 && ours.share <= 1.0);
        assert!(statements.iter().all(|s| !s.query.contains("-- pgmedic:")));
        assert!(seconds > 0.0, "variant {min}: {seconds}");
    }
}
