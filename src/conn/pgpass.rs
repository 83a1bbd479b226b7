//! The password file (`~/.pgpass`, `PGPASSFILE`, `passfile=`), read as libpq reads it.
//!
//! Lines are `hostname:port:database:username:password`; a field of just `*` matches
//! anything; `\:` and `\\` escape. The first matching line wins. A file that the group or
//! others may access at all is skipped, as libpq refuses it; so is one that cannot be read.

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

/// What a password file line is matched against.
#[derive(Debug, Clone, Copy)]
pub struct Lookup<'a> {
    /// The host name, IP address or socket directory the connection goes to.
    pub host: &'a str,
    pub port: u16,
    pub dbname: &'a str,
    pub user: &'a str,
}

/// The password for `lookup` from the file at `path`, if the file is usable and a line matches.
#[must_use]
pub fn find(path: &Path, lookup: Lookup<'_>) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.permissions().mode() & 0o077 != 0 {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    find_in(&text, lookup)
}

/// The password of the first line of `text` that matches `lookup`.
#[must_use]
pub fn find_in(text: &str, lookup: Lookup<'_>) -> Option<String> {
    let port = lookup.port.to_string();
    // A socket directory also matches the conventional "localhost" entry.
    let socket = lookup.host.starts_with('/');
    text.lines()
        .map(|line| line.trim_end_matches('\r'))
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .find_map(|line| {
            let fields = split(line)?;
            let host_ok =
                matches(&fields[0], lookup.host) || (socket && matches(&fields[0], "localhost"));
            let all = host_ok
                && matches(&fields[1], &port)
                && matches(&fields[2], lookup.dbname)
                && matches(&fields[3], lookup.user);
            all.then(|| fields[4].text.clone())
        })
}

fn matches(field: &Field, value: &str) -> bool {
    field.wildcard || field.text == value
}

#[derive(Debug, Clone)]
struct Field {
    text: String,
    /// The field was exactly an unescaped `*`.
    wildcard: bool,
}

/// Splits a line into four matching fields and the password (the rest, de-escaped).
fn split(line: &str) -> Option<[Field; 5]> {
    let mut fields: Vec<Field> = Vec::with_capacity(5);
    let mut current = String::new();
    let mut escaped_any = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                current.push(chars.next().unwrap_or('\\'));
                escaped_any = true;
            }
            ':' if fields.len() < 4 => {
                fields.push(field(std::mem::take(&mut current), escaped_any));
                escaped_any = false;
            }
            c => current.push(c),
        }
    }
    if fields.len() < 4 {
        return None;
    }
    fields.push(field(current, escaped_any));
    fields.try_into().ok()
}

fn field(text: String, escaped: bool) -> Field {
    let wildcard = !escaped && text == "*";
    Field { text, wildcard }
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;

    const FILE: &str = r"# comment line
db1:5432:app:bob:first
db1:*:*:bob:second
*:*:*:alice:pass\:with\\escapes
h\:colon:5432:*:carol:colon-host
localhost:5432:*:dave:socket-or-localhost
/tmp/sock:5432:*:erin:exact-socket
*:*:*:frank:rest:of:line
short:line
";

    fn lookup<'a>(host: &'a str, port: u16, dbname: &'a str, user: &'a str) -> Lookup<'a> {
        Lookup {
            host,
            port,
            dbname,
            user,
        }
    }

    #[test]
    fn matching() {
        let cases = [
            (lookup("db1", 5432, "app", "bob"), Some("first")),
            (lookup("db1", 5433, "app", "bob"), Some("second")),
            (lookup("db2", 5432, "app", "bob"), None),
            (lookup("any", 1, "x", "alice"), Some(r"pass:with\escapes")),
            (lookup("h:colon", 5432, "x", "carol"), Some("colon-host")),
            (
                lookup("/var/run/postgresql", 5432, "x", "dave"),
                Some("socket-or-localhost"),
            ),
            (
                lookup("localhost", 5432, "x", "dave"),
                Some("socket-or-localhost"),
            ),
            (lookup("127.0.0.1", 5432, "x", "dave"), None),
            (lookup("/tmp/sock", 5432, "x", "erin"), Some("exact-socket")),
            (lookup("h", 1, "d", "frank"), Some("rest:of:line")),
            (lookup("short", 1, "line", "x"), None),
        ];
        for (l, expected) in cases {
            assert_eq!(find_in(FILE, l).as_deref(), expected, "{l:?}");
        }
    }

    #[test]
    fn escaped_star_is_literal() {
        let text = "\\*:*:*:u:literal\n*:*:*:u:wild\n";
        assert_eq!(
            find_in(text, lookup("h", 1, "d", "u")).as_deref(),
            Some("wild")
        );
        assert_eq!(
            find_in(text, lookup("*", 1, "d", "u")).as_deref(),
            Some("literal")
        );
    }

    #[test]
    fn file_readable_by_others_is_ignored() {
        let dir = std::env::temp_dir().join(format!("pgmedic-pgpass-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("pgpass");
        let mut f = std::fs::File::create(&path).unwrap();
        f.write_all(b"*:*:*:*:secret\n").unwrap();
        let l = lookup("h", 1, "d", "u");
        for (mode, expected) in [(0o600, Some("secret")), (0o640, None), (0o604, None)] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            assert_eq!(find(&path, l).as_deref(), expected, "mode {mode:o}");
        }
        assert_eq!(find(&dir.join("missing"), l), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
