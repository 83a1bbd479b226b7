//! One line for a tokio-postgres error: the server's own message where there is one, else the
//! error with its causes (tokio-postgres' Display alone is often just "db error").

use std::error::Error as _;

/// Renders an error as one line, as psql would word it.
#[must_use]
pub fn describe(err: &tokio_postgres::Error) -> String {
    if let Some(db) = err.as_db_error() {
        return db.message().to_owned();
    }
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text.replace('\n', " ")
}
