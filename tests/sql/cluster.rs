use crate::common::{cluster, fresh_db, superuser_client};

#[tokio::test]
async fn cluster_has_the_monitoring_extensions_in_new_databases() {
    let conninfo = fresh_db("extensions").await;
    let (client, conn) = tokio_postgres::connect(&conninfo, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    let rows = client
        .query("SELECT extname FROM pg_extension ORDER BY 1", &[])
        .await
        .unwrap();
    let names: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    assert!(
        names.contains(&"pg_stat_statements".to_owned()),
        "{names:?}"
    );
    for ext in cluster().extensions() {
        assert!(names.contains(ext), "{ext} missing from {names:?}");
    }
    let preload: String = client
        .query_one("SHOW shared_preload_libraries", &[])
        .await
        .unwrap()
        .get(0);
    assert!(preload.contains("pg_stat_statements"), "{preload}");
}

#[tokio::test]
async fn cluster_listens_on_its_unix_socket_too() {
    let c = cluster();
    let conninfo = format!(
        "host={} port={} user=postgres dbname=postgres",
        c.socket_dir().display(),
        c.port()
    );
    let (client, conn) = tokio_postgres::connect(&conninfo, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    let addr: Option<String> = client
        .query_one("SELECT inet_client_addr()::text", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(addr, None, "a unix-socket session has no client address");
    let admin = superuser_client("postgres").await;
    let n: i64 = admin
        .query_one("SELECT count(*) FROM pg_stat_activity", &[])
        .await
        .unwrap()
        .get(0);
    assert!(n >= 2);
}
