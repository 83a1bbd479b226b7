//! Connection services (`service=name`, `PGSERVICE`) from `pg_service.conf`, as libpq finds
//! them: the per-user file (`servicefile=`, `PGSERVICEFILE`, else `~/.pg_service.conf`), then
//! `pg_service.conf` in `PGSYSCONFDIR` (Debian's `/etc/postgresql-common` without it).
//!
//! The first file that defines the service wins; a file that does not exist is skipped.

use std::path::{Path, PathBuf};

use super::env::{DEFAULT_SYSCONF_DIR, Env};
use super::options::{self, Options};

/// The options service `name` defines, or why they cannot be had.
pub fn lookup(name: &str, servicefile: Option<&str>, env: &Env) -> Result<Options, String> {
    for path in files(servicefile, env) {
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
            Err(err) => {
                return Err(format!(
                    "could not read service file \"{}\": {err}",
                    path.display()
                ));
            }
        };
        if let Some(options) = parse(&text, name, &path)? {
            return Ok(options);
        }
    }
    Err(format!("definition of service \"{name}\" not found"))
}

fn files(servicefile: Option<&str>, env: &Env) -> Vec<PathBuf> {
    let user = servicefile
        .or_else(|| env.var("PGSERVICEFILE"))
        .map(PathBuf::from)
        .or_else(|| env.in_home(".pg_service.conf"));
    let sysconf = env.var("PGSYSCONFDIR").unwrap_or(DEFAULT_SYSCONF_DIR);
    user.into_iter()
        .chain([Path::new(sysconf).join("pg_service.conf")])
        .collect()
}

/// The options of section `[name]` in `text`, `None` when the file has no such section.
fn parse(text: &str, name: &str, path: &Path) -> Result<Option<Options>, String> {
    let mut found: Option<Options> = None;
    let mut in_section = false;
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = || {
            format!(
                "in service file \"{}\", line {}",
                path.display(),
                number + 1
            )
        };
        if let Some(section) = line.strip_prefix('[') {
            let section = section
                .strip_suffix(']')
                .ok_or_else(|| format!("syntax error {}", at()))?;
            if found.is_some() {
                break;
            }
            in_section = section == name;
            if in_section {
                found = Some(Options::default());
            }
            continue;
        }
        let Some(options) = found.as_mut().filter(|_| in_section) else {
            continue;
        };
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| format!("syntax error {}", at()))?;
        let key = key.trim();
        if key == "service" {
            return Err(format!(
                "nested service specifications not supported {}",
                at()
            ));
        }
        let key = options::known(key)
            .ok_or_else(|| format!("invalid connection option \"{key}\" {}", at()))?;
        options.set(key, value.trim());
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "# services
[prod]
host=db1.example.com
port = 5433
dbname=app

[staging]
host=db2
";

    fn pairs(options: &Options) -> Vec<(String, String)> {
        options
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }

    #[test]
    fn sections() {
        let path = Path::new("f");
        let prod = parse(FILE, "prod", path).unwrap().unwrap();
        assert_eq!(
            pairs(&prod),
            [
                ("dbname", "app"),
                ("host", "db1.example.com"),
                ("port", "5433")
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
        );
        let staging = parse(FILE, "staging", path).unwrap().unwrap();
        assert_eq!(staging.get("host"), Some("db2"));
        assert_eq!(parse(FILE, "dev", path).unwrap(), None);
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let path = Path::new("/etc/x.conf");
        let cases = [
            (
                "[a]\nhost db1\n",
                "syntax error in service file \"/etc/x.conf\", line 2",
            ),
            (
                "[a]\nservice=b\n",
                "nested service specifications not supported",
            ),
            ("[a]\nhots=db1\n", "invalid connection option \"hots\""),
            (
                "[a\n",
                "syntax error in service file \"/etc/x.conf\", line 1",
            ),
        ];
        for (text, expected) in cases {
            let err = parse(text, "a", path).unwrap_err();
            assert!(err.contains(expected), "{err}");
        }
    }

    #[test]
    fn file_order() {
        let dir = std::env::temp_dir().join(format!("pgmedic-service-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sys")).unwrap();
        std::fs::write(dir.join(".pg_service.conf"), "[a]\nhost=from-home\n").unwrap();
        std::fs::write(dir.join("own.conf"), "[a]\nhost=from-own\n").unwrap();
        std::fs::write(
            dir.join("sys/pg_service.conf"),
            "[a]\nhost=from-sys\n[b]\nhost=sys-b\n",
        )
        .unwrap();
        let env = Env::empty()
            .with_home(&dir)
            .with_var("PGSYSCONFDIR", dir.join("sys").to_str().unwrap());
        let host = |name: &str, file: Option<&str>, env: &Env| {
            lookup(name, file, env).map(|o| o.get("host").unwrap_or_default().to_owned())
        };
        assert_eq!(host("a", None, &env).unwrap(), "from-home");
        assert_eq!(host("b", None, &env).unwrap(), "sys-b");
        let own = dir.join("own.conf");
        let own = own.to_str().unwrap();
        assert_eq!(host("a", Some(own), &env).unwrap(), "from-own");
        let via_env = env.clone().with_var("PGSERVICEFILE", own);
        assert_eq!(host("a", None, &via_env).unwrap(), "from-own");
        assert_eq!(
            host("c", None, &env).unwrap_err(),
            "definition of service \"c\" not found"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
