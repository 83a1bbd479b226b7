//! sslmode against a server with a certificate for `localhost`, and one without TLS.

use pgmedic::conn::ConnParams;

use crate::common::cluster;
use crate::secure::{BOB_PASSWORD, secure};
use crate::{Scratch, connect_err, connect_with, one, request, uses_tls};

/// A conninfo for bob on the secure cluster with extra settings.
fn bob(host: &str, extra: &str) -> String {
    format!(
        "host={host} port={} user=bob dbname=postgres password='{}' {extra}",
        secure().port(),
        BOB_PASSWORD.replace('\\', r"\\").replace('\'', r"\'")
    )
}

fn root() -> String {
    secure().root_cert.display().to_string()
}

#[tokio::test]
async fn modes_that_connect() {
    let scratch = Scratch::new("tls-ok");
    let root = root();
    let cases = [
        (bob("127.0.0.1", "sslmode=disable"), false),
        (bob("127.0.0.1", "sslmode=allow"), true),
        (bob("127.0.0.1", ""), true),
        (bob("127.0.0.1", "sslmode=require"), true),
        (
            bob("127.0.0.1", &format!("sslmode=require sslrootcert={root}")),
            true,
        ),
        (
            bob(
                "127.0.0.1",
                &format!("sslmode=verify-ca sslrootcert={root}"),
            ),
            true,
        ),
        (
            bob(
                "localhost",
                &format!("sslmode=verify-full sslrootcert={root}"),
            ),
            true,
        ),
        (bob(&secure().socket_dir(), "sslmode=verify-full"), false),
    ];
    for (text, encrypted) in cases {
        let client = connect_with(&request(&text), &scratch.env()).await;
        assert_eq!(uses_tls(&client).await, encrypted, "{text}");
    }
}

#[tokio::test]
async fn root_certificate_in_home_is_used_by_default() {
    let scratch = Scratch::new("tls-home-root");
    std::fs::create_dir(scratch.path().join(".postgresql")).unwrap();
    std::fs::copy(
        &secure().root_cert,
        scratch.path().join(".postgresql/root.crt"),
    )
    .unwrap();
    let client = connect_with(
        &request(&bob("localhost", "sslmode=verify-full")),
        &scratch.env(),
    )
    .await;
    assert!(uses_tls(&client).await);
    // With a root certificate present, libpq's require also verifies the chain.
    let other = secure().other_cert.display().to_string();
    let err = connect_err(
        &request(&bob(
            "127.0.0.1",
            &format!("sslmode=require sslrootcert={other}"),
        )),
        &scratch.env(),
    )
    .await;
    assert!(
        err.contains("server certificate verification failed"),
        "{err}"
    );
}

#[tokio::test]
async fn verification_failures_say_why() {
    let scratch = Scratch::new("tls-fail");
    let root = root();
    let other = secure().other_cert.display().to_string();
    let port = secure().port();
    let cases = [
        (
            bob(
                "127.0.0.1",
                &format!("sslmode=verify-full sslrootcert={root}"),
            ),
            format!(
                "could not connect to 127.0.0.1:{port}: server certificate verification failed: \
                 it does not match the host name \"127.0.0.1\""
            ),
        ),
        (
            bob(
                "127.0.0.1",
                &format!("sslmode=verify-ca sslrootcert={other}"),
            ),
            "the certificate is not signed by a trusted root".to_owned(),
        ),
        (
            bob("localhost", "sslmode=verify-full"),
            "the certificate is not signed by a trusted root".to_owned(),
        ),
    ];
    for (text, expected) in cases {
        let err = connect_err(&request(&text), &scratch.env()).await;
        assert!(err.contains(&expected), "{text}: {err}");
        assert!(!err.contains(BOB_PASSWORD), "{err}");
    }
}

#[tokio::test]
async fn tls_required_but_not_offered() {
    let scratch = Scratch::new("tls-none");
    let port = cluster().port();
    let text = format!("host=127.0.0.1 port={port} user=postgres dbname=postgres sslmode=require");
    let err = connect_err(&request(&text), &scratch.env()).await;
    assert_eq!(
        err,
        format!(
            "could not connect to 127.0.0.1:{port}: \
             the server does not support TLS, but sslmode=require requires it"
        )
    );
    let prefer = format!("host=127.0.0.1 port={port} user=postgres dbname=postgres");
    let client = connect_with(&request(&prefer), &scratch.env()).await;
    assert!(!uses_tls(&client).await);
}

#[tokio::test]
async fn cancel_over_tls_with_the_same_connector() {
    let scratch = Scratch::new("tls-cancel");
    let text = bob(
        "localhost",
        &format!("sslmode=verify-full sslrootcert={}", root()),
    );
    let params = ConnParams::resolve_with(&request(&text), &scratch.env()).unwrap();
    let client = pgmedic::conn::connect(&params, "pgmedic-test")
        .await
        .unwrap();
    let token = client.cancel_token();
    let sleeper = tokio::spawn(async move { client.batch_execute("SELECT pg_sleep(30)").await });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    token.cancel_query(params.tls_connector()).await.unwrap();
    let err = sleeper.await.unwrap().unwrap_err();
    let db = err.as_db_error().expect("a server error");
    assert!(
        db.message().contains("canceling statement"),
        "{}",
        db.message()
    );
}

/// carol on the secure cluster (`cert` authentication) with extra settings.
fn carol(extra: &str) -> String {
    format!(
        "host=localhost port={} user=carol dbname=postgres sslmode=verify-full sslrootcert={} {extra}",
        secure().port(),
        root()
    )
}

#[tokio::test]
async fn client_certificate_by_option_and_from_home() {
    let scratch = Scratch::new("tls-client-cert");
    let s = secure();
    let explicit = carol(&format!(
        "sslcert={} sslkey={}",
        s.carol_cert.display(),
        s.carol_key.display()
    ));
    let client = connect_with(&request(&explicit), &scratch.env()).await;
    assert_eq!(one(&client, "SELECT current_user::text").await, "carol");

    let dot = scratch.path().join(".postgresql");
    std::fs::create_dir(&dot).unwrap();
    std::fs::copy(&s.carol_cert, dot.join("postgresql.crt")).unwrap();
    std::fs::copy(&s.carol_key, dot.join("postgresql.key")).unwrap();
    let client = connect_with(&request(&carol("")), &scratch.env()).await;
    assert_eq!(one(&client, "SELECT current_user::text").await, "carol");

    let err = connect_err(&request(&carol("sslcertmode=disable")), &scratch.env()).await;
    assert!(
        err.ends_with("connection requires a valid client certificate"),
        "{err}"
    );
}

#[tokio::test]
async fn client_key_readable_by_others_is_refused() {
    use std::os::unix::fs::PermissionsExt as _;
    let scratch = Scratch::new("tls-open-key");
    let key = scratch.path().join("carol.key");
    std::fs::copy(&secure().carol_key, &key).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let text = carol(&format!(
        "sslcert={} sslkey={}",
        secure().carol_cert.display(),
        key.display()
    ));
    let err = connect_err(&request(&text), &scratch.env()).await;
    assert!(err.contains("has group or world access"), "{err}");
}
