//! Passwords against a server that asks for them: in the URL, in a conninfo, from
//! PGPASSWORD, from the password file (over TCP and the socket), and wrong ones.

use crate::secure::{BOB_PASSWORD, BOB_PASSWORD_URL, secure};
use crate::{Scratch, connect_err, connect_with, one, request};
use pgmedic::conn::{ConnError, ConnParams, ConnRequest};

/// A pgpass line for bob: `:` and `\` escaped.
fn pgpass_line(host: &str, port: u16) -> String {
    let escaped = BOB_PASSWORD.replace('\\', r"\\").replace(':', r"\:");
    format!("# bob\n{host}:{port}:*:bob:{escaped}\n")
}

#[tokio::test]
async fn percent_encoded_password_in_a_url() {
    let scratch = Scratch::new("pw-url");
    let url = format!(
        "postgresql://bob:{BOB_PASSWORD_URL}@127.0.0.1:{}/postgres",
        secure().port()
    );
    let client = connect_with(&request(&url), &scratch.env()).await;
    assert_eq!(one(&client, "SELECT current_user::text").await, "bob");
}

#[tokio::test]
async fn quoted_password_in_a_conninfo() {
    let scratch = Scratch::new("pw-kv");
    let quoted = BOB_PASSWORD.replace('\\', r"\\").replace('\'', r"\'");
    let text = format!(
        "host=127.0.0.1 port={} user=bob dbname=postgres password='{quoted}'",
        secure().port()
    );
    let client = connect_with(&request(&text), &scratch.env()).await;
    assert_eq!(one(&client, "SELECT current_user::text").await, "bob");
}

#[tokio::test]
async fn pgpassword_variable() {
    let scratch = Scratch::new("pw-env");
    let env = scratch.env().with_var("PGPASSWORD", BOB_PASSWORD);
    let text = format!(
        "host=127.0.0.1 port={} user=bob dbname=postgres",
        secure().port()
    );
    let client = connect_with(&request(&text), &env).await;
    assert_eq!(one(&client, "SELECT current_user::text").await, "bob");
}

#[tokio::test]
async fn pgpass_in_home_with_escapes() {
    let scratch = Scratch::new("pgpass");
    scratch.write(".pgpass", &pgpass_line("127.0.0.1", secure().port()), 0o600);
    let text = format!(
        "host=127.0.0.1 port={} user=bob dbname=postgres",
        secure().port()
    );
    let client = connect_with(&request(&text), &scratch.env()).await;
    assert_eq!(one(&client, "SELECT current_user::text").await, "bob");
}

#[tokio::test]
async fn pgpass_localhost_entry_serves_the_unix_socket() {
    let scratch = Scratch::new("pgpass-socket");
    let file = scratch.write(
        "passwords",
        &pgpass_line("localhost", secure().port()),
        0o600,
    );
    let env = scratch.env().with_var("PGPASSFILE", file.to_str().unwrap());
    let req = ConnRequest {
        host: Some(secure().socket_dir()),
        port: Some(secure().port()),
        user: Some("bob".into()),
        dbname: Some("postgres".into()),
        ..ConnRequest::default()
    };
    let client = connect_with(&req, &env).await;
    let addr: Option<String> = client
        .query_one("SELECT inet_client_addr()::text", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(addr, None);
}

#[tokio::test]
async fn pgpass_readable_by_others_is_ignored() {
    let scratch = Scratch::new("pgpass-open");
    scratch.write(".pgpass", &pgpass_line("*", secure().port()), 0o644);
    let text = format!(
        "host=127.0.0.1 port={} user=bob dbname=postgres",
        secure().port()
    );
    let err = connect_err(&request(&text), &scratch.env()).await;
    assert!(
        err.contains("the server asks for a password and none was given"),
        "{err}"
    );
}

#[tokio::test]
async fn a_missing_password_is_told_apart_so_it_can_be_asked_for() {
    let scratch = Scratch::new("pw-missing");
    let text = format!(
        "host=127.0.0.1 port={} user=bob dbname=postgres",
        secure().port()
    );
    let mut params = ConnParams::resolve_with(&request(&text), &scratch.env()).unwrap();
    let err = pgmedic::conn::connect(&params, "pgmedic-test")
        .await
        .unwrap_err();
    assert!(matches!(err, ConnError::PasswordRequired(_)), "{err:?}");
    params.set_password(BOB_PASSWORD);
    let client = pgmedic::conn::connect(&params, "pgmedic-test")
        .await
        .unwrap();
    assert_eq!(one(&client, "SELECT current_user::text").await, "bob");
    let wrong = format!("{text} password=nope");
    let params = ConnParams::resolve_with(&request(&wrong), &scratch.env()).unwrap();
    let err = pgmedic::conn::connect(&params, "pgmedic-test")
        .await
        .unwrap_err();
    assert!(matches!(err, ConnError::Connect(_)), "{err:?}");
}

#[tokio::test]
async fn wrong_password_is_reported_by_the_server() {
    let scratch = Scratch::new("pw-wrong");
    let text = format!(
        "host=127.0.0.1 port={} user=bob dbname=postgres password=not-it",
        secure().port()
    );
    let err = connect_err(&request(&text), &scratch.env()).await;
    assert_eq!(
        err,
        format!(
            "could not connect to 127.0.0.1:{}: password authentication failed for user \"bob\"",
            secure().port()
        )
    );
}
