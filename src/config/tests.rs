use super::*;

fn args(refresh: Option<u64>, theme: Option<&str>, read_only: bool) -> TuiArgs {
    TuiArgs {
        refresh: refresh.map(Duration::from_secs),
        read_only,
        theme: theme.map(str::to_owned),
        pgbouncer: None,
    }
}

fn parse(text: &str) -> Result<Config, String> {
    Config::parse(text, Some(Path::new("/x/config.toml"))).map_err(|e| e.to_string())
}

#[test]
fn the_command_line_beats_the_profile_which_beats_the_file() {
    let config = parse(
        "theme = \"light\"\nrefresh = \"5s\"\n\n[profiles.prod]\nhost = \"db1\"\nread_only = true\nrefresh = \"10s\"\n",
    )
    .unwrap();
    let s = config.settings(&args(None, None, false), None).unwrap();
    assert_eq!(
        (s.refresh, s.theme.as_str(), s.read_only),
        (Duration::from_secs(5), "light", false)
    );
    let prod = config.profile(Some("prod")).unwrap();
    let s = config.settings(&args(None, None, false), prod).unwrap();
    assert_eq!((s.refresh, s.read_only), (Duration::from_secs(10), true));
    let s = config
        .settings(&args(Some(1), Some("dark"), false), prod)
        .unwrap();
    assert_eq!(
        (s.refresh, s.theme.as_str()),
        (Duration::from_secs(1), "dark")
    );
    let s = Config::default()
        .settings(&args(None, None, false), None)
        .unwrap();
    assert_eq!(
        (s.refresh, s.theme.as_str(), s.read_only),
        (DEFAULT_REFRESH, DEFAULT_THEME, false)
    );
}

#[test]
fn a_profile_becomes_connection_strings_its_keys_first() {
    let config = parse(
        "[profiles.prod]\nconninfo = \"postgresql://app@db0/shop?sslmode=require\"\nhost = \"db 1\"\nport = 6432\n",
    )
    .unwrap();
    let prod = config.profile(Some("prod")).unwrap().unwrap();
    assert_eq!(
        prod.connection_strings(),
        [
            "host='db 1' port=6432".to_owned(),
            "postgresql://app@db0/shop?sslmode=require".to_owned()
        ]
    );
    let err = config.profile(Some("staging")).unwrap_err().to_string();
    assert!(
        err.contains("no profile \"staging\" (defined: prod)"),
        "{err}"
    );
}

#[test]
fn a_password_in_a_profile_is_refused_naming_its_line() {
    let err = parse("[profiles.prod]\nhost = \"db1\"\npassword = \"hunter2\"\n").unwrap_err();
    assert!(
        err.starts_with("config file /x/config.toml: line 3: password: a password does not belong"),
        "{err}"
    );
    assert!(!err.contains("hunter2"));
}

#[test]
fn thresholds_come_from_the_file_and_unknown_ones_are_refused() {
    let config =
        parse("[thresholds]\nconnections_pct = { warn = 70, critical = 85 }\nxid_age = { critical = 1.2e9 }\n")
            .unwrap();
    let t = config.thresholds();
    assert_eq!(
        (t.connections_pct.warn, t.connections_pct.critical),
        (70.0, 85.0)
    );
    assert_eq!((t.xid_age.warn, t.xid_age.critical), (1.0e9, 1.2e9));
    let err = parse("[thresholds]\n\nconections_pct = { warn = 70 }\n").unwrap_err();
    assert!(
        err.starts_with("config file /x/config.toml: line 3: conections_pct: unknown threshold"),
        "{err}"
    );
}

#[test]
fn check_flags_set_thresholds_by_name() {
    assert_eq!(
        parse_threshold("lock_wait_secs=1:5").unwrap(),
        (
            "lock_wait_secs".to_owned(),
            Bounds {
                warn: Some(1.0),
                critical: Some(5.0)
            }
        )
    );
    assert_eq!(
        parse_threshold("xid_age=:1.2e9").unwrap().1,
        Bounds {
            warn: None,
            critical: Some(1.2e9)
        }
    );
    assert!(parse_threshold("lock_wait_secs").is_err());
    assert!(parse_threshold("lock_wait_secs=:").is_err());
    assert!(
        parse_threshold("nope=1:2")
            .unwrap_err()
            .contains("unknown threshold")
    );
    assert!(
        parse_threshold("deadlocks=x:2")
            .unwrap_err()
            .contains("not a number")
    );
    assert_eq!(
        parse_threshold("connections_pct=90:80").unwrap_err(),
        "connections_pct: warning 90 is above critical 80 (it would never warn before it is \
         critical)"
    );
    assert!(
        parse_threshold("connections_pct=95")
            .unwrap_err()
            .contains("warning 95 is above critical 90"),
        "a bound given alone is weighed against the other one's default"
    );
    assert!(
        parse_threshold("cache_hit_pct=90:95")
            .unwrap_err()
            .contains("warning 90 is below critical 95"),
        "lower is worse for the cache hit ratio"
    );
    assert!(parse_threshold("cache_hit_pct=100:100").is_ok());
}

#[test]
fn broken_files_are_one_line_errors_naming_the_line() {
    let err = parse("theme = \"light\"\ncolour = \"red\"\n").unwrap_err();
    assert!(
        err.starts_with("config file /x/config.toml: line 2: unknown field `colour`"),
        "{err}"
    );
    assert!(!err.contains('\n'), "{err}");
    let err = parse("theme = \"light\"\nrefresh = \"soon\"\n").unwrap_err();
    assert!(
        err.starts_with("config file /x/config.toml: line 2: refresh:"),
        "{err}"
    );
    let err = parse("[profiles.a]\nport = \"x\"\n").unwrap_err();
    assert!(err.contains("line 2:"), "{err}");
    let err = parse("theme = \n").unwrap_err();
    assert!(err.contains("line 1:") && !err.contains('\n'), "{err}");
}

#[test]
fn a_missing_file_is_no_error() {
    let config = Config::read(Path::new("/nonexistent/pgmedic.toml")).unwrap();
    assert_eq!(config.file, ConfigFile::default());
}
