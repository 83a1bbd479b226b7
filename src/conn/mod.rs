//! Connecting as psql does: URL or key=value conninfo, -h/-p/-U/-d, the PG* environment,
//! ~/.pgpass, `pg_service.conf`, unix sockets, TLS by sslmode and client certificates.
//!
//! `ConnParams::resolve` turns what the user gave into complete parameters (no I/O beyond
//! reading the environment and those files); `connect` opens a session and spawns its
//! connection task, so no caller can forget to. Precedence is libpq's — what the user gave
//! (-h/-p/-U/-d, overridden by the connection string, as in psql) over the service file over the
//! environment over the defaults — and the password file is read only when no password was
//! given at all. Errors are one line each; a password never appears in a message, in `Debug`
//! output, or (see [`scrub_password_from_argv`]) in the process's command line.

mod argv;
mod cancels;
mod connect;
mod conninfo;
mod describe;
mod env;
mod options;
mod params;
mod pem;
mod pgpass;
mod prompt;
#[cfg(test)]
mod resolve_tests;
mod service;
mod settings;
mod tls;

pub use argv::{PASSWORD_VAR, scrub_password_from_argv};
pub use cancels::Cancels;
pub use connect::connect;
pub use describe::describe;
pub use env::Env;
pub use options::quote as quote_value;
pub use params::ConnParams;
pub use prompt::connect_prompting;
pub use tls::SslMode;

/// What the user asked for on the command line; anything missing comes from the environment.
#[derive(Clone, Default)]
pub struct ConnRequest {
    /// A `postgres://` URL or a key=value conninfo string.
    pub conninfo: Option<String>,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub user: Option<String>,
    pub dbname: Option<String>,
}

impl std::fmt::Debug for ConnRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnRequest")
            .field(
                "conninfo",
                &self.conninfo.as_deref().map(conninfo::redacted),
            )
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("dbname", &self.dbname.as_deref().map(conninfo::redacted))
            .finish()
    }
}

/// Why connection settings could not be resolved or a session could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum ConnError {
    /// A malformed URL or conninfo string, or an invalid option value.
    #[error("invalid connection string: {0}")]
    Invalid(String),
    /// A service that is not defined, or a malformed service file.
    #[error("{0}")]
    Service(String),
    /// An option libpq has that pgmedic cannot honour.
    #[error("{0}")]
    Unsupported(String),
    /// The TLS settings cannot be used (e.g. an unreadable root certificate file).
    #[error("{0}")]
    Tls(String),
    /// No session could be opened; the text names the server and the reason.
    #[error("{0}")]
    Connect(String),
    /// The server asks for a password and none was given (see [`connect_prompting`]).
    #[error("{0}")]
    PasswordRequired(String),
}

pub type Result<T> = std::result::Result<T, ConnError>;

/// An I/O error in words: "connection refused", without the "(os error 111)" tail.
pub(crate) fn io_reason(err: &std::io::Error) -> String {
    let text = err.to_string();
    let text = match text.find(" (os error") {
        Some(at) => &text[..at],
        None => &text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => format!("{:?}", err.kind()).to_lowercase(),
    }
}
