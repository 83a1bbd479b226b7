//! Parsing a connection string as libpq does: a `postgres://` / `postgresql://` URL, a
//! key=value conninfo, or (neither) a plain database name.
//!
//! Pure: no environment, no files. Errors are one phrase saying what is wrong; when the text
//! carries a password they never quote a fragment of it.

use super::options::{self, Options};

/// Parses a URL, a key=value conninfo, or a bare database name.
pub fn parse(text: &str) -> Result<Options, String> {
    if let Some(rest) = strip_url_prefix(text) {
        parse_url(rest, may_quote(text))
    } else if text.contains('=') {
        parse_keyvalue(text, may_quote(text))
    } else {
        let mut options = Options::default();
        if !text.is_empty() {
            options.set("dbname", text);
        }
        Ok(options)
    }
}

/// Whether `text` is a connection string rather than a plain database name (as libpq decides).
#[must_use]
pub fn is_conninfo(text: &str) -> bool {
    strip_url_prefix(text).is_some() || text.contains('=')
}

/// The text as it may be shown: a connection string with its password replaced by `***`.
#[must_use]
pub fn redacted(text: &str) -> String {
    if may_quote(text) {
        return text.to_owned();
    }
    match parse(text) {
        Ok(mut options) => {
            options.set("password", "***");
            options.to_conninfo()
        }
        Err(_) => "(not shown: holds a password)".to_owned(),
    }
}

fn strip_url_prefix(text: &str) -> Option<&str> {
    text.strip_prefix("postgresql://")
        .or_else(|| text.strip_prefix("postgres://"))
}

/// Error messages may quote fragments of the input only when it cannot hold a password.
fn may_quote(text: &str) -> bool {
    let has_password_key = text.to_ascii_lowercase().contains("password");
    let has_userinfo = strip_url_prefix(text).is_some() && text.contains('@');
    !has_password_key && !has_userinfo
}

fn shown(fragment: &str, may_quote: bool) -> String {
    if may_quote {
        format!("{fragment:?}")
    } else {
        "a word (not shown: the string holds a password)".to_owned()
    }
}

fn known_key(key: &str, may_quote: bool) -> Result<&'static str, String> {
    options::known(key)
        .ok_or_else(|| format!("invalid connection option {}", shown(key, may_quote)))
}

// ─── key=value ──────────────────────────────────────────────────────────────────────────────

fn parse_keyvalue(text: &str, may_quote: bool) -> Result<Options, String> {
    let mut options = Options::default();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            return Ok(options);
        }
        let mut key = String::new();
        while let Some(c) = chars.next_if(|c| *c != '=' && !c.is_whitespace()) {
            key.push(c);
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.next() != Some('=') {
            return Err(format!("missing \"=\" after {}", shown(&key, may_quote)));
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let value = if chars.next_if_eq(&'\'').is_some() {
            quoted_value(&mut chars)?
        } else {
            plain_value(&mut chars)
        };
        options.set(known_key(&key, may_quote)?, value);
    }
}

fn quoted_value(chars: &mut impl Iterator<Item = char>) -> Result<String, String> {
    let mut value = String::new();
    loop {
        match chars.next() {
            None => return Err("unterminated quoted string".to_owned()),
            Some('\'') => return Ok(value),
            Some('\\') => match chars.next() {
                Some(c) => value.push(c),
                None => return Err("unterminated quoted string".to_owned()),
            },
            Some(c) => value.push(c),
        }
    }
}

fn plain_value(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> String {
    let mut value = String::new();
    while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
        if c == '\\' {
            if let Some(escaped) = chars.next() {
                value.push(escaped);
            }
        } else {
            value.push(c);
        }
    }
    value
}

// ─── URL ────────────────────────────────────────────────────────────────────────────────────

/// `[user[:password]@][host][:port][,...][/dbname][?key=value&...]`, after the scheme.
fn parse_url(rest: &str, may_quote: bool) -> Result<Options, String> {
    let mut options = Options::default();
    // As libpq: user info is whatever precedes an '@' that comes before any '/'.
    let rest = match rest.find(['@', '/']) {
        Some(at) if rest[at..].starts_with('@') => {
            parse_userinfo(&rest[..at], &mut options)?;
            &rest[at + 1..]
        }
        _ => rest,
    };
    let host_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (hosts, after) = rest.split_at(host_end);
    let (path, query) = match after.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (after, None),
    };
    let path = path.strip_prefix('/');
    parse_hosts(hosts, &mut options, may_quote)?;
    if let Some(path) = path.filter(|p| !p.is_empty()) {
        options.set("dbname", decode(path, may_quote)?);
    }
    if let Some(query) = query {
        parse_query(query, &mut options, may_quote)?;
    }
    Ok(options)
}

fn parse_userinfo(userinfo: &str, options: &mut Options) -> Result<(), String> {
    let bad = |_| "invalid percent-encoding in the user name or password".to_owned();
    let (user, password) = match userinfo.split_once(':') {
        Some((u, p)) => (u, Some(p)),
        None => (userinfo, None),
    };
    if !user.is_empty() {
        options.set("user", decode(user, false).map_err(bad)?);
    }
    if let Some(password) = password {
        options.set("password", decode(password, false).map_err(bad)?);
    }
    Ok(())
}

/// Comma-separated `host[:port]` entries; `[v6]` brackets; either part may be empty.
fn parse_hosts(text: &str, options: &mut Options, may_quote: bool) -> Result<(), String> {
    if text.is_empty() {
        return Ok(());
    }
    let mut hosts = Vec::new();
    let mut ports = Vec::new();
    for entry in text.split(',') {
        let (host, port) = split_host_port(entry, may_quote)?;
        hosts.push(decode(host, may_quote)?);
        ports.push(decode(port.unwrap_or(""), may_quote)?);
    }
    if hosts.iter().any(|h| !h.is_empty()) {
        options.set("host", hosts.join(","));
    }
    if ports.iter().any(|p| !p.is_empty()) {
        options.set("port", ports.join(","));
    }
    Ok(())
}

fn split_host_port(entry: &str, may_quote: bool) -> Result<(&str, Option<&str>), String> {
    if let Some(v6) = entry.strip_prefix('[') {
        let (host, after) = v6.split_once(']').ok_or_else(|| {
            format!(
                "unterminated IPv6 host address (missing \"]\") in {}",
                shown(entry, may_quote)
            )
        })?;
        return match after {
            "" => Ok((host, None)),
            _ => match after.strip_prefix(':') {
                Some(port) => Ok((host, Some(port))),
                None => Err(format!(
                    "unexpected text after the IPv6 host address in {}",
                    shown(entry, may_quote)
                )),
            },
        };
    }
    Ok(match entry.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (entry, None),
    })
}

fn parse_query(query: &str, options: &mut Options, may_quote: bool) -> Result<(), String> {
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').ok_or_else(|| {
            format!(
                "missing \"=\" in URL query parameter {}",
                shown(pair, may_quote)
            )
        })?;
        let key = decode(key, may_quote)?;
        let value = decode(value, may_quote)?;
        if key == "ssl" && value == "true" {
            options.set("sslmode", "require");
            continue;
        }
        let key = options::known(&key)
            .ok_or_else(|| format!("invalid URL query parameter {}", shown(&key, may_quote)))?;
        options.set(key, value);
    }
    Ok(())
}

/// Percent-decodes, refusing a `%` not followed by two hex digits and non-UTF-8 results.
fn decode(text: &str, may_quote: bool) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            let Some(byte) = hex else {
                return Err(format!(
                    "invalid percent-encoded token in {}",
                    shown(text, may_quote)
                ));
            };
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| {
        format!(
            "percent-decoding {} gives invalid UTF-8",
            shown(text, may_quote)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(String, String)> {
        parse(text)
            .unwrap_or_else(|e| panic!("{text}: {e}"))
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }

    fn kv(list: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut v: Vec<_> = list
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn urls() {
        let cases: &[(&str, &[(&str, &str)])] = &[
            ("postgresql://", &[]),
            ("postgres://db1", &[("host", "db1")]),
            (
                "postgresql://bob:s%40cret@db1:5433/app",
                &[
                    ("user", "bob"),
                    ("password", "s@cret"),
                    ("host", "db1"),
                    ("port", "5433"),
                    ("dbname", "app"),
                ],
            ),
            (
                "postgresql://bob@/app",
                &[("user", "bob"), ("dbname", "app")],
            ),
            (
                "postgresql:///app?host=/tmp",
                &[("dbname", "app"), ("host", "/tmp")],
            ),
            (
                "postgresql://%2Fvar%2Frun%2Fpostgresql/app",
                &[("host", "/var/run/postgresql"), ("dbname", "app")],
            ),
            (
                "postgresql://[::1]:5433/app",
                &[("host", "::1"), ("port", "5433"), ("dbname", "app")],
            ),
            (
                "postgresql://a:1,b,[::1]:3/app",
                &[("host", "a,b,::1"), ("port", "1,,3"), ("dbname", "app")],
            ),
            (
                "postgresql://h/app?sslmode=verify-full&application_name=my%20app",
                &[
                    ("host", "h"),
                    ("dbname", "app"),
                    ("sslmode", "verify-full"),
                    ("application_name", "my app"),
                ],
            ),
            (
                "postgresql://h?ssl=true",
                &[("host", "h"), ("sslmode", "require")],
            ),
            (
                "postgresql://u:a?b@h",
                &[("user", "u"), ("password", "a?b"), ("host", "h")],
            ),
            (
                "postgresql://u:p:q@h/d",
                &[
                    ("user", "u"),
                    ("password", "p:q"),
                    ("host", "h"),
                    ("dbname", "d"),
                ],
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(pairs(text), kv(expected), "{text}");
        }
    }

    #[test]
    fn keyvalue_strings() {
        let cases: &[(&str, &[(&str, &str)])] = &[
            ("host=db1 port=5433", &[("host", "db1"), ("port", "5433")]),
            (
                "  host = db1\tport =5433  ",
                &[("host", "db1"), ("port", "5433")],
            ),
            (
                "password='it\\'s a \\\\ secret' user=bob",
                &[("password", "it's a \\ secret"), ("user", "bob")],
            ),
            ("dbname=''", &[("dbname", "")]),
            (
                "options='-c statement_timeout=5s'",
                &[("options", "-c statement_timeout=5s")],
            ),
            ("host=a\\ b", &[("host", "a b")]),
            ("host=first host=second", &[("host", "second")]),
            ("app", &[("dbname", "app")]),
            ("", &[]),
        ];
        for (text, expected) in cases {
            assert_eq!(pairs(text), kv(expected), "{text}");
        }
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let cases = [
            ("host=db1 prot=5432", "invalid connection option \"prot\""),
            ("host=db1 port", "missing \"=\" after \"port\""),
            ("host='db1", "unterminated quoted string"),
            (
                "postgresql://h/d?foo=1",
                "invalid URL query parameter \"foo\"",
            ),
            (
                "postgresql://h/d?sslmode",
                "missing \"=\" in URL query parameter \"sslmode\"",
            ),
            ("postgresql://[::1/d", "unterminated IPv6 host address"),
            (
                "postgresql://h/d%zz",
                "invalid percent-encoded token in \"d%zz\"",
            ),
        ];
        for (text, expected) in cases {
            let err = parse(text).expect_err(text);
            assert!(err.contains(expected), "{text}: {err}");
        }
    }

    #[test]
    fn errors_never_quote_a_password() {
        for text in [
            "password=abc def=1",
            "password=topsecret x",
            "postgresql://u:topsecret%zz@h/d",
            "postgresql://u:topsecret@h/d?topsecret",
        ] {
            let err = parse(text).expect_err(text);
            assert!(!err.contains("topsecret") && !err.contains("def"), "{err}");
        }
    }

    #[test]
    fn redaction() {
        assert_eq!(redacted("host=h"), "host=h");
        assert_eq!(
            redacted("postgresql://u:pw@h"),
            "host=h password=*** user=u"
        );
        assert_eq!(
            redacted("password='a b' x"),
            "(not shown: holds a password)"
        );
        let req = super::super::ConnRequest {
            conninfo: Some("host=h password=hunter2".into()),
            dbname: Some("postgres://u:hunter3@h/d".into()),
            ..Default::default()
        };
        let shown = format!("{req:?}");
        assert!(!shown.contains("hunter"), "{shown}");
    }

    #[test]
    fn conninfo_or_dbname() {
        assert!(is_conninfo("postgres://x"));
        assert!(is_conninfo("host=x"));
        assert!(!is_conninfo("mydb"));
    }
}
