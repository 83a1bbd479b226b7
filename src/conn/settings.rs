//! The session settings every target shares, from the less common libpq options: `options`,
//! keepalives, `tcp_user_timeout`, `target_session_attrs`, `channel_binding`,
//! `sslnegotiation`. Options that only tune what tokio-postgres does anyway are accepted and
//! have no effect (`client_encoding`: sessions are always UTF-8; `sslsni`, `sslcompression`,
//! GSSAPI options, protocol version bounds).

use std::time::Duration;

use tokio_postgres::config::{ChannelBinding, SslNegotiation, TargetSessionAttrs};

use super::options::Options;
use super::params::choice;
use super::{ConnError, Result};

/// A `tokio_postgres::Config` carrying the shared settings (no host, user or password yet).
pub fn base_config(options: &Options) -> Result<tokio_postgres::Config> {
    let mut config = tokio_postgres::Config::new();
    if let Some(value) = options.get("options") {
        config.options(value);
    }
    config.keepalives(choice(options, "keepalives", &["1", "0"])? == "1");
    if let Some(idle) = seconds(options, "keepalives_idle")? {
        config.keepalives_idle(idle);
    }
    if let Some(interval) = seconds(options, "keepalives_interval")? {
        config.keepalives_interval(interval);
    }
    if let Some(count) = integer(options, "keepalives_count")? {
        config.keepalives_retries(count);
    }
    if let Some(ms) = integer(options, "tcp_user_timeout")? {
        config.tcp_user_timeout(Duration::from_millis(u64::from(ms)));
    }
    config.target_session_attrs(
        match choice(
            options,
            "target_session_attrs",
            &["any", "read-write", "read-only"],
        )? {
            "read-write" => TargetSessionAttrs::ReadWrite,
            "read-only" => TargetSessionAttrs::ReadOnly,
            _ => TargetSessionAttrs::Any,
        },
    );
    config.channel_binding(
        match choice(
            options,
            "channel_binding",
            &["prefer", "disable", "require"],
        )? {
            "disable" => ChannelBinding::Disable,
            "require" => ChannelBinding::Require,
            _ => ChannelBinding::Prefer,
        },
    );
    config.ssl_negotiation(
        match choice(options, "sslnegotiation", &["postgres", "direct"])? {
            "direct" => SslNegotiation::Direct,
            _ => SslNegotiation::Postgres,
        },
    );
    Ok(config)
}

fn integer(options: &Options, key: &str) -> Result<Option<u32>> {
    options
        .get(key)
        .map(|text| {
            text.trim().parse::<u32>().map_err(|_| {
                ConnError::Invalid(format!(
                    "invalid integer value \"{text}\" for connection option \"{key}\""
                ))
            })
        })
        .transpose()
}

fn seconds(options: &Options, key: &str) -> Result<Option<Duration>> {
    Ok(integer(options, key)?.map(|s| Duration::from_secs(u64::from(s))))
}
