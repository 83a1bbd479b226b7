use pgmedic::cluster::{Cluster, ClusterOptions};

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

#[tokio::test]
async fn socket_only_cluster_refuses_tcp_and_hands_out_its_socket() {
    let own = Cluster::start(ClusterOptions {
        tcp: false,
        ..ClusterOptions::default()
    })
    .unwrap();
    assert!(!own.tcp());
    let conninfo = own.conninfo("postgres");
    let socket = format!("host={} port={} ", own.socket_dir().display(), own.port());
    assert!(conninfo.starts_with(&socket), "{conninfo}");

    let (client, conn) = tokio_postgres::connect(&conninfo, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    let listen: String = client
        .query_one("SHOW listen_addresses", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(listen, "");
    drop(client);

    assert!(
        std::net::TcpStream::connect(("127.0.0.1", own.port())).is_err(),
        "something listens on 127.0.0.1:{}",
        own.port()
    );
    let tcp = format!(
        "host=127.0.0.1 port={} user=postgres dbname=postgres",
        own.port()
    );
    assert!(
        tokio_postgres::connect(&tcp, tokio_postgres::NoTls)
            .await
            .is_err()
    );
}
