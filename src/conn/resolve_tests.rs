//! Precedence and defaults of `ConnParams::resolve_with`, against a fake environment.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::params::Host;
use super::{ConnError, ConnParams, ConnRequest, Env, PASSWORD_VAR, SslMode};

/// A scratch directory used as `$HOME`, removed on drop.
struct Home(PathBuf);

impl Home {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("pgmedic-resolve-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Home(dir)
    }

    fn write(&self, name: &str, text: &str, mode: u32) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        path
    }

    fn env(&self) -> Env {
        Env::empty()
            .with_home(&self.0)
            .with_os_user("osuser")
            .with_socket_dir(self.0.join("no-socket-dir"))
            .with_var("PGSYSCONFDIR", self.0.join("no-sysconf").to_str().unwrap())
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn request(conninfo: Option<&str>) -> ConnRequest {
    ConnRequest {
        conninfo: conninfo.map(str::to_owned),
        ..ConnRequest::default()
    }
}

fn resolve(req: &ConnRequest, env: &Env) -> ConnParams {
    ConnParams::resolve_with(req, env).unwrap_or_else(|e| panic!("{req:?}: {e}"))
}

fn password(params: &ConnParams) -> Option<&str> {
    params.targets[0].password.as_deref()
}

#[test]
fn defaults_are_libpqs() {
    let home = Home::new("defaults");
    let p = resolve(&request(None), &home.env());
    assert_eq!(p.summary(), "osuser@localhost:5432/osuser");
    assert_eq!(p.sslmode(), SslMode::Prefer);
    assert_eq!(p.connect_timeout, Some(Duration::from_secs(10)));
    assert_eq!(password(&p), None);

    let with_socket = home.env().with_socket_dir(&home.0);
    let p = resolve(&request(None), &with_socket);
    assert!(p.is_unix_socket());
    assert_eq!(p.host(), home.0.display().to_string());
}

#[test]
fn explicit_beats_environment_and_the_string_beats_flags_as_in_psql() {
    let home = Home::new("precedence");
    let env = home
        .env()
        .with_var("PGHOST", "envhost")
        .with_var("PGPORT", "6000")
        .with_var("PGUSER", "envuser")
        .with_var("PGDATABASE", "envdb")
        .with_var("PGSSLMODE", "disable")
        .with_var("PGAPPNAME", "envapp");
    let cases: &[(ConnRequest, &str)] = &[
        (request(None), "envuser@envhost:6000/envdb"),
        (request(Some("appdb")), "envuser@envhost:6000/appdb"),
        (request(Some("host=h1 user=u1")), "u1@h1:6000/envdb"),
        (request(Some("postgresql://u2@h2:7000/d2")), "u2@h2:7000/d2"),
        (
            ConnRequest {
                conninfo: Some("postgresql://u2@h2:7000/d2".into()),
                host: Some("/tmp".into()),
                port: Some(7100),
                user: Some("u3".into()),
                dbname: Some("d3".into()),
            },
            "u2@h2:7000/d2",
        ),
        (
            ConnRequest {
                conninfo: Some("dbname=d5".into()),
                host: Some("h5".into()),
                user: Some("u5".into()),
                ..ConnRequest::default()
            },
            "u5@h5:6000/d5",
        ),
        (
            ConnRequest {
                conninfo: Some("host=h1".into()),
                dbname: Some("port=7200 dbname=d4".into()),
                ..ConnRequest::default()
            },
            "envuser@h1:7200/d4",
        ),
    ];
    for (req, expected) in cases {
        let p = resolve(req, &env);
        assert_eq!(p.summary(), *expected, "{req:?}");
        assert_eq!(p.sslmode(), SslMode::Disable);
        assert_eq!(p.application_name.as_deref(), Some("envapp"));
    }
}

#[test]
fn service_sits_between_explicit_and_environment() {
    let home = Home::new("service");
    home.write(
        ".pg_service.conf",
        "[prod]\nhost=svchost\nport=6500\ndbname=svcdb\npassword=svcpw\n",
        0o644,
    );
    let env = home
        .env()
        .with_var("PGHOST", "envhost")
        .with_var("PGUSER", "envuser")
        .with_var("PGPASSWORD", "envpw");
    let p = resolve(&request(Some("service=prod dbname=own")), &env);
    assert_eq!(p.summary(), "envuser@svchost:6500/own");
    assert_eq!(password(&p), Some("svcpw"));

    let p = resolve(&request(None), &env.clone().with_var("PGSERVICE", "prod"));
    assert_eq!(p.summary(), "envuser@svchost:6500/svcdb");

    let err = ConnParams::resolve_with(&request(Some("service=nope")), &env).unwrap_err();
    assert_eq!(err.to_string(), "definition of service \"nope\" not found");
}

#[test]
fn password_precedence() {
    let home = Home::new("passwords");
    home.write(".pgpass", "*:*:*:*:frompgpass\n", 0o600);
    let env = home.env();
    let cases: &[(&str, Env, Option<&str>)] = &[
        ("host=h", env.clone(), Some("frompgpass")),
        (
            "host=h",
            env.clone().with_var("PGPASSWORD", "fromenv"),
            Some("fromenv"),
        ),
        (
            "host=h password=fromstring",
            env.clone().with_var("PGPASSWORD", "fromenv"),
            Some("fromstring"),
        ),
        (
            "host=h",
            env.clone()
                .with_var(PASSWORD_VAR, "fromargv")
                .with_var("PGPASSWORD", "fromenv"),
            Some("fromargv"),
        ),
        ("host=h passfile=/nonexistent", env.clone(), None),
        (
            "host=h",
            env.clone().with_var("PGPASSFILE", "/nonexistent"),
            None,
        ),
    ];
    for (conninfo, env, expected) in cases {
        let p = resolve(&request(Some(conninfo)), env);
        assert_eq!(password(&p), *expected, "{conninfo} {env:?}");
        assert!(!format!("{p:?}").contains("from"), "{p:?}");
    }
}

#[test]
fn pgpass_is_matched_per_host() {
    let home = Home::new("pgpass-hosts");
    let pgpass = home.write(
        "mypass",
        "a:5432:*:*:pw-a\nb:6000:*:*:pw-b\nlocalhost:5432:*:*:pw-local\n",
        0o600,
    );
    let env = home.env().with_var("PGPASSFILE", pgpass.to_str().unwrap());
    let p = resolve(
        &request(Some("host=a,b,/tmp,c port=5432,6000,5432,1")),
        &env,
    );
    let passwords: Vec<Option<&str>> = p.targets.iter().map(|t| t.password.as_deref()).collect();
    assert_eq!(
        passwords,
        [Some("pw-a"), Some("pw-b"), Some("pw-local"), None]
    );
    assert_eq!(
        p.targets[2].host,
        Host::Unix(Path::new("/tmp").to_path_buf())
    );
}

#[test]
fn hosts_and_ports_pair_up_as_in_libpq() {
    let env = Home::new("hosts").env();
    let cases = [
        ("host=a,b port=5", "osuser@a:5,b:5/osuser"),
        ("host=a,b port=5,6", "osuser@a:5,b:6/osuser"),
        ("host=a,b", "osuser@a:5432,b:5432/osuser"),
        ("hostaddr=10.0.0.1", "osuser@10.0.0.1:5432/osuser"),
        ("host=db hostaddr=10.0.0.1", "osuser@db:5432/osuser"),
    ];
    for (conninfo, expected) in cases {
        assert_eq!(resolve(&request(Some(conninfo)), &env).summary(), expected);
    }
}

#[test]
fn bad_values_are_named() {
    let env = Home::new("bad").env();
    let cases = [
        (
            "port=abc",
            "invalid connection string: invalid port number: \"abc\"",
        ),
        ("port=0", "invalid port number: \"0\""),
        (
            "host=a,b,c port=1,2",
            "could not match 2 port numbers to 3 hosts",
        ),
        (
            "host=a,b hostaddr=1.2.3.4",
            "could not match 2 host names to 1 hostaddr values",
        ),
        ("hostaddr=db.example.com", "invalid IP address in hostaddr"),
        ("sslmode=on", "invalid sslmode value: \"on\""),
        (
            "connect_timeout=soon",
            "for connection option \"connect_timeout\"",
        ),
        (
            "target_session_attrs=primary",
            "invalid target_session_attrs value",
        ),
        ("sslcrl=/x.crl", "\"sslcrl\" is not supported"),
        (
            "sslmode=verify-ca sslrootcert=/nonexistent.crt",
            "could not read root certificate file",
        ),
    ];
    for (conninfo, expected) in cases {
        let err = ConnParams::resolve_with(&request(Some(conninfo)), &env).unwrap_err();
        assert!(err.to_string().contains(expected), "{conninfo}: {err}");
    }
    let no_user = Env::empty().with_socket_dir("/nonexistent");
    let err = ConnParams::resolve_with(&request(None), &no_user).unwrap_err();
    assert!(matches!(err, ConnError::Invalid(_)), "{err}");
}

#[test]
fn connect_timeout_follows_libpq() {
    let env = Home::new("timeout").env();
    let cases = [
        ("connect_timeout=0", None),
        ("connect_timeout=-3", None),
        ("connect_timeout=1", Some(2)),
        ("connect_timeout=30", Some(30)),
    ];
    for (conninfo, expected) in cases {
        let p = resolve(&request(Some(conninfo)), &env);
        assert_eq!(
            p.connect_timeout,
            expected.map(Duration::from_secs),
            "{conninfo}"
        );
    }
    let p = resolve(
        &request(None),
        &env.clone().with_var("PGCONNECT_TIMEOUT", "4"),
    );
    assert_eq!(p.connect_timeout, Some(Duration::from_secs(4)));
}

#[test]
fn startup_settings_follow_the_users_options_once() {
    let home = Home::new("startup");
    let p = resolve(
        &request(Some("host=h options='-c work_mem=8MB'")),
        &home.env(),
    );
    let settings = [("statement_timeout", "3s"), ("lock_timeout", "500ms")];
    let once = p.with_startup_settings(&settings);
    let twice = once.with_startup_settings(&settings);
    let expected = "-c work_mem=8MB -c statement_timeout=3s -c lock_timeout=500ms";
    assert_eq!(once.base.get_options(), Some(expected));
    assert_eq!(twice.base.get_options(), Some(expected));
    assert_eq!(once.base.get_keepalives_idle(), Duration::from_secs(10));
}
