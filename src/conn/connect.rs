//! Opening a session: every target in turn (every address of a host name in turn), each
//! within `connect_timeout`; the first that works wins. When none does, the error names the
//! server and says why as specifically as psql would — the server's own message, the
//! certificate problem, or the socket error — preferring a failure the server itself reported.

use std::net::IpAddr;
use std::time::Duration;

use tokio_postgres::Client;

use super::params::{ConnParams, Host, Target};
use super::tls::{self, SslMode};
use super::{ConnError, Result, io_reason};

/// Opens a session and spawns its connection task. `application_name` is used unless the
/// user set one (`application_name=`, `PGAPPNAME`), like libpq's `fallback_application_name`.
pub async fn connect(params: &ConnParams, application_name: &str) -> Result<Client> {
    let mut targets: Vec<&Target> = params.targets.iter().collect();
    if params.load_balance {
        rand::seq::SliceRandom::shuffle(targets.as_mut_slice(), &mut rand::rng());
    }
    let mut best: Option<Failure> = None;
    for target in targets {
        match connect_target(params, target, application_name).await {
            Ok(client) => return Ok(client),
            Err(failure) => keep(&mut best, failure),
        }
    }
    Err(match best {
        None => ConnError::Connect("no host to connect to".to_owned()),
        Some(f) => {
            let line = format!("could not connect to {}: {}", f.target, f.reason);
            if f.needs_password {
                ConnError::PasswordRequired(line)
            } else {
                ConnError::Connect(line)
            }
        }
    })
}

/// Why one address failed; `from_server` when the server answered (it outranks socket errors).
struct Failure {
    target: String,
    reason: String,
    from_server: bool,
    needs_password: bool,
}

fn keep(best: &mut Option<Failure>, failure: Failure) {
    if best
        .as_ref()
        .is_none_or(|b| failure.from_server || !b.from_server)
    {
        *best = Some(failure);
    }
}

async fn connect_target(
    params: &ConnParams,
    target: &Target,
    application_name: &str,
) -> std::result::Result<Client, Failure> {
    let mut best = None;
    for addr in addresses(target, params.connect_timeout).await? {
        match attempt(params, target, addr, application_name).await {
            Ok(client) => return Ok(client),
            Err(failure) => keep(&mut best, failure),
        }
    }
    Err(best.unwrap_or_else(|| Failure {
        target: target.host.to_string(),
        reason: "the host name has no addresses".to_owned(),
        from_server: false,
        needs_password: false,
    }))
}

/// The addresses to try: the hostaddr, the literal IP, or every address the name resolves to
/// (`None` for a unix socket).
async fn addresses(
    target: &Target,
    timeout: Option<Duration>,
) -> std::result::Result<Vec<Option<IpAddr>>, Failure> {
    let name = match (&target.host, target.hostaddr) {
        (Host::Unix(_), _) => return Ok(vec![None]),
        (_, Some(addr)) => return Ok(vec![Some(addr)]),
        (Host::Tcp(name), None) => name,
    };
    if let Ok(ip) = name.parse::<IpAddr>() {
        return Ok(vec![Some(ip)]);
    }
    let lookup = tokio::net::lookup_host((name.as_str(), target.port));
    let resolved = match timeout {
        Some(limit) => tokio::time::timeout(limit, lookup)
            .await
            .unwrap_or_else(|_| Err(std::io::ErrorKind::TimedOut.into())),
        None => lookup.await,
    };
    let failed = |reason: String| Failure {
        target: format!("{name}:{}", target.port),
        reason,
        from_server: false,
        needs_password: false,
    };
    let mut ips: Vec<Option<IpAddr>> = Vec::new();
    for addr in resolved.map_err(|e| {
        let reason = io_reason(&e);
        let reason = reason
            .strip_prefix("failed to lookup address information: ")
            .unwrap_or(&reason);
        failed(format!(
            "could not translate host name \"{name}\" to address: {reason}"
        ))
    })? {
        if !ips.contains(&Some(addr.ip())) {
            ips.push(Some(addr.ip()));
        }
    }
    Ok(ips)
}

/// One address; under `prefer`/`allow` a failed TLS handshake is retried without TLS, as
/// libpq does.
async fn attempt(
    params: &ConnParams,
    target: &Target,
    addr: Option<IpAddr>,
    application_name: &str,
) -> std::result::Result<Client, Failure> {
    let mode = match target.host {
        Host::Unix(_) => SslMode::Disable,
        Host::Tcp(_) => params.sslmode,
    };
    let label = label(target, addr);
    let first = once(params, target, addr, application_name, mode).await;
    let result = match first {
        Err(Attempt::Pg(err))
            if matches!(mode, SslMode::Allow | SslMode::Prefer) && is_tls_handshake(&err) =>
        {
            once(params, target, addr, application_name, SslMode::Disable).await
        }
        other => other,
    };
    result.map_err(|err| err.into_failure(label, mode))
}

enum Attempt {
    Pg(tokio_postgres::Error),
    Timeout(Duration),
}

async fn once(
    params: &ConnParams,
    target: &Target,
    addr: Option<IpAddr>,
    application_name: &str,
    mode: SslMode,
) -> std::result::Result<Client, Attempt> {
    let mut config = params.base.clone();
    match &target.host {
        Host::Unix(dir) => config.host_path(dir),
        Host::Tcp(name) => config.host(name),
    };
    if let Some(ip) = addr {
        config.hostaddr(ip);
    }
    config
        .port(target.port)
        .user(&params.user)
        .dbname(&params.dbname)
        .application_name(
            params
                .application_name
                .as_deref()
                .unwrap_or(application_name),
        )
        .ssl_mode(mode.negotiation());
    if let Some(password) = &target.password {
        config.password(password);
    }
    if let Some(limit) = params.connect_timeout {
        config.connect_timeout(limit);
    }
    let connecting = config.connect(params.tls.clone());
    let connected = match params.connect_timeout {
        Some(limit) => tokio::time::timeout(limit, connecting)
            .await
            .map_err(|_| Attempt::Timeout(limit))?,
        None => connecting.await,
    };
    let (client, connection) = connected.map_err(Attempt::Pg)?;
    tokio::spawn(connection);
    Ok(client)
}

/// `host:port`, `name:port (ip)` or `socket "/dir/.s.PGSQL.port"`.
fn label(target: &Target, addr: Option<IpAddr>) -> String {
    let port = target.port;
    let ip = |ip: IpAddr| match ip {
        IpAddr::V4(v4) => format!("{v4}:{port}"),
        IpAddr::V6(v6) => format!("[{v6}]:{port}"),
    };
    match (&target.host, addr) {
        (Host::Unix(dir), _) => format!("socket \"{}/.s.PGSQL.{port}\"", dir.display()),
        (Host::Tcp(name), Some(addr)) if *name == addr.to_string() => ip(addr),
        (Host::Tcp(name), Some(addr)) => format!("{name}:{port} ({addr})"),
        (Host::Tcp(name), None) => format!("{name}:{port}"),
    }
}

/// tokio-postgres has no public error kind; its TLS handshake failures read like this.
fn is_tls_handshake(err: &tokio_postgres::Error) -> bool {
    err.to_string() == "error performing TLS handshake"
}

impl Attempt {
    fn into_failure(self, target: String, mode: SslMode) -> Failure {
        let (reason, from_server) = match self {
            Attempt::Timeout(limit) => (
                format!("timeout expired after {} s", limit.as_secs()),
                false,
            ),
            Attempt::Pg(err) => reason(&err, mode),
        };
        Failure {
            needs_password: reason == NO_PASSWORD,
            target,
            reason,
            from_server,
        }
    }
}

const NO_PASSWORD: &str = "the server asks for a password and none was given \
                           (use ~/.pgpass, PGPASSWORD or password=)";

/// The most specific words for a tokio-postgres error, and whether the server answered.
fn reason(err: &tokio_postgres::Error, mode: SslMode) -> (String, bool) {
    if let Some(db) = err.as_db_error() {
        return (db.message().to_owned(), true);
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(err);
    while let Some(cause) = source {
        if let Some(tls_err) = rustls_error(cause) {
            return (tls::describe(tls_err), true);
        }
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return io_failure(io);
        }
        match cause.to_string().as_str() {
            "server does not support TLS" => {
                let why =
                    format!("the server does not support TLS, but sslmode={mode} requires it");
                return (why, true);
            }
            "password missing" => return (NO_PASSWORD.to_owned(), true),
            _ => {}
        }
        source = cause.source();
    }
    let text = match std::error::Error::source(err) {
        Some(cause) => format!("{err}: {cause}"),
        None => err.to_string(),
    };
    let from_server = text != "error connecting to server";
    (text, from_server)
}

/// A socket error; garbage where the protocol was expected means something else listens there.
fn io_failure(io: &std::io::Error) -> (String, bool) {
    let garbled = io.kind() == std::io::ErrorKind::InvalidData
        || io.to_string() == "bytes remaining on stream";
    if garbled {
        let why = "the answer is not PostgreSQL's protocol (is this the right host and port?)";
        (why.to_owned(), true)
    } else {
        (io_reason(io), false)
    }
}

/// A rustls error, directly or inside the `io::Error` tokio-rustls wraps it in.
fn rustls_error<'a>(cause: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    cause.downcast_ref::<rustls::Error>().or_else(|| {
        cause
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    })
}
