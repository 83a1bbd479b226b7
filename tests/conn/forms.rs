//! Every way of saying where to connect reaches the server: URL, key=value, flags,
//! environment, service file, unix socket, several hosts.

use clap::Parser as _;
use pgmedic::conn::{ConnParams, ConnRequest};

use crate::common::{cluster, fresh_db};
use crate::{Scratch, connect_with, one, request};

/// The database name in a `conninfo()` string from `fresh_db`.
fn db_of(conninfo: &str) -> String {
    conninfo.rsplit("dbname=").next().unwrap().to_owned()
}

#[tokio::test]
async fn url() {
    let db = db_of(&fresh_db("url").await);
    let scratch = Scratch::new("url");
    let url = format!(
        "postgresql://postgres@127.0.0.1:{}/{db}?application_name=from%20url",
        cluster().port()
    );
    let client = connect_with(&request(&url), &scratch.env()).await;
    assert_eq!(one(&client, "SELECT current_database()::text").await, db);
    assert_eq!(one(&client, "SHOW application_name").await, "from url");
}

#[tokio::test]
async fn keyvalue_with_quoting() {
    let db = db_of(&fresh_db("kv").await);
    let scratch = Scratch::new("kv");
    let text = format!(
        "host = '127.0.0.1' port={} user=postgres dbname='{db}' \
         application_name='it\\'s pgmedic' options='-c work_mem=7MB'",
        cluster().port()
    );
    let client = connect_with(&request(&text), &scratch.env()).await;
    assert_eq!(one(&client, "SELECT current_database()::text").await, db);
    assert_eq!(one(&client, "SHOW application_name").await, "it's pgmedic");
    assert_eq!(one(&client, "SHOW work_mem").await, "7MB");
}

#[tokio::test]
async fn flags_as_the_cli_parses_them() {
    let db = db_of(&fresh_db("flags").await);
    let scratch = Scratch::new("flags");
    let port = cluster().port().to_string();
    // As in psql, what the connection string says wins over the flags; here it says only
    // what the flags leave open.
    let cli = pgmedic::cli::Cli::try_parse_from([
        "pgmedic",
        "connect_timeout=5",
        "-h",
        "127.0.0.1",
        "-p",
        &port,
        "-U",
        "postgres",
        "-d",
        &db,
    ])
    .unwrap();
    let client = connect_with(&cli.conn.request(), &scratch.env()).await;
    assert_eq!(one(&client, "SELECT current_database()::text").await, db);
    assert_eq!(one(&client, "SHOW application_name").await, "pgmedic-test");
}

#[tokio::test]
async fn the_connection_string_wins_over_flags_as_in_psql() {
    let db = db_of(&fresh_db("string_wins").await);
    let scratch = Scratch::new("string_wins");
    let conninfo = format!(
        "host=127.0.0.1 port={} user=postgres dbname={db}",
        cluster().port()
    );
    let cli = pgmedic::cli::Cli::try_parse_from([
        "pgmedic",
        &conninfo,
        "-h",
        "nowhere.invalid",
        "-p",
        "1",
        "-U",
        "nobody",
        "-d",
        "nothing",
    ])
    .unwrap();
    let client = connect_with(&cli.conn.request(), &scratch.env()).await;
    assert_eq!(one(&client, "SELECT current_database()::text").await, db);
}

#[tokio::test]
async fn environment_variables() {
    let db = db_of(&fresh_db("env").await);
    let scratch = Scratch::new("env");
    let env = scratch
        .env()
        .with_var("PGHOST", "127.0.0.1")
        .with_var("PGPORT", &cluster().port().to_string())
        .with_var("PGUSER", "postgres")
        .with_var("PGDATABASE", &db)
        .with_var("PGAPPNAME", "from env")
        .with_var("PGCONNECT_TIMEOUT", "5")
        .with_var("PGSSLMODE", "disable");
    let client = connect_with(&ConnRequest::default(), &env).await;
    assert_eq!(one(&client, "SELECT current_database()::text").await, db);
    assert_eq!(one(&client, "SHOW application_name").await, "from env");
}

#[tokio::test]
async fn service_file_in_home_and_by_pgservicefile() {
    let db = db_of(&fresh_db("service").await);
    let scratch = Scratch::new("service");
    let service = format!(
        "# test services\n[medic]\nhost=127.0.0.1\nport={}\nuser=postgres\ndbname={db}\n",
        cluster().port()
    );
    scratch.write(".pg_service.conf", &service, 0o644);
    let client = connect_with(&request("service=medic"), &scratch.env()).await;
    assert_eq!(one(&client, "SELECT current_database()::text").await, db);

    let elsewhere = Scratch::new("service-file");
    let file = elsewhere.write("services.conf", &service, 0o644);
    let env = elsewhere
        .env()
        .with_var("PGSERVICEFILE", file.to_str().unwrap())
        .with_var("PGSERVICE", "medic");
    let client = connect_with(&ConnRequest::default(), &env).await;
    assert_eq!(one(&client, "SELECT current_database()::text").await, db);
}

#[tokio::test]
async fn unix_socket_by_path_encoded_url_and_query_host() {
    let c = cluster();
    let dir = c.socket_dir().display().to_string();
    let encoded = dir.replace('/', "%2F");
    let scratch = Scratch::new("socket");
    let forms = [
        format!("host={dir} port={} user=postgres dbname=postgres", c.port()),
        format!("postgresql://postgres@{encoded}:{}/postgres", c.port()),
        format!(
            "postgresql:///postgres?host={dir}&port={}&user=postgres",
            c.port()
        ),
    ];
    for form in forms {
        let params = ConnParams::resolve_with(&request(&form), &scratch.env()).unwrap();
        assert!(params.is_unix_socket(), "{form}");
        assert_eq!(params.host(), dir);
        let client = connect_with(&request(&form), &scratch.env()).await;
        let addr: Option<String> = client
            .query_one("SELECT inet_client_addr()::text", &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(addr, None, "{form} did not use the socket");
    }
}

#[tokio::test]
async fn default_socket_directory_when_no_host_is_given() {
    let c = cluster();
    let scratch = Scratch::new("default-socket");
    let env = scratch
        .env()
        .with_socket_dir(c.socket_dir())
        .with_os_user("postgres");
    let req = request(&format!("port={}", c.port()));
    let client = connect_with(&req, &env).await;
    assert_eq!(one(&client, "SELECT current_user::text").await, "postgres");
    assert_eq!(
        one(&client, "SELECT current_database()::text").await,
        "postgres"
    );
}

#[tokio::test]
async fn several_hosts_first_that_answers_wins() {
    let c = cluster();
    let scratch = Scratch::new("hosts");
    let text = format!(
        "host=127.0.0.1,localhost port=1,{} user=postgres dbname=postgres",
        c.port()
    );
    let client = connect_with(&request(&text), &scratch.env()).await;
    assert_eq!(one(&client, "SELECT current_user::text").await, "postgres");
}
