//! Through a transaction-pooling PgBouncer the monitoring session's settings could land on
//! another client's server connection: pgmedic must refuse, in one line, and leave the
//! server's sessions as they were.

use pgmedic::collect;

use crate::bouncer::Bouncer;

#[tokio::test]
async fn a_transaction_pooler_is_refused_and_the_servers_sessions_keep_their_settings() {
    let refusing = Bouncer::start("");
    let err = collect::open_session(&refusing.params())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("unsupported startup parameter") && err.contains("connection pooler"),
        "{err}"
    );

    let ignoring = Bouncer::start("ignore_startup_parameters = options");
    let err = collect::open_session(&ignoring.params())
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("settings did not take effect"), "{err}");

    // An application behind the same pooler (which hands out its most recently used server
    // connection, the one pgmedic's probe ran on) can still write: nothing leaked to it.
    let (app, conn) = tokio_postgres::connect(
        &format!(
            "host=127.0.0.1 port={} user=postgres dbname=postgres",
            ignoring.port
        ),
        tokio_postgres::NoTls,
    )
    .await
    .unwrap();
    tokio::spawn(conn);
    // The simple protocol: under transaction pooling a statement prepared on one server
    // connection may be executed on another.
    let shown = app
        .simple_query("SHOW default_transaction_read_only")
        .await
        .unwrap();
    let setting = shown.iter().find_map(|m| match m {
        tokio_postgres::SimpleQueryMessage::Row(row) => row.get(0).map(str::to_owned),
        _ => None,
    });
    assert_eq!(setting.as_deref(), Some("off"));
    app.simple_query("CREATE TABLE pooled_write (id int); DROP TABLE pooled_write")
        .await
        .unwrap();
}
