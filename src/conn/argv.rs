//! Keeping a password out of the process title: anyone on the host can read a process's
//! command line, while its environment is readable only by its owner.
//!
//! When a connection string in argv carries a password (`postgres://u:pw@…` or
//! `password=…`), the program re-executes itself with that argument rewritten without the
//! password, and hands the password over in [`PASSWORD_VAR`], which resolution treats
//! exactly like the password in the connection string.

use std::ffi::OsString;
use std::os::unix::process::CommandExt as _;

use super::conninfo;

/// The variable a password taken out of argv travels in across the re-exec.
pub const PASSWORD_VAR: &str = "PGMEDIC_CONNINFO_PASSWORD";

/// Re-executes the program without the password in argv, when there is one; returns when
/// there is nothing to scrub (or the re-exec failed, which leaves the arguments as they were).
pub fn scrub_password_from_argv() {
    let args: Vec<OsString> = std::env::args_os().collect();
    let Some((clean, password)) = scrub(&args) else {
        return;
    };
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let mut command = std::process::Command::new(exe);
    if let Some(arg0) = args.first() {
        command.arg0(arg0);
    }
    let _failed = command
        .args(clean.iter().skip(1))
        .env(PASSWORD_VAR, password)
        .exec();
}

/// The arguments with every password removed, and the (last) password; `None` when no
/// argument carries one.
#[must_use]
pub fn scrub(args: &[OsString]) -> Option<(Vec<OsString>, String)> {
    let mut password = None;
    let clean = args
        .iter()
        .enumerate()
        .map(|(i, arg)| {
            let scrubbed = (i > 0).then(|| arg.to_str().and_then(scrub_one)).flatten();
            match scrubbed {
                Some((text, found)) => {
                    password = Some(found);
                    OsString::from(text)
                }
                None => arg.clone(),
            }
        })
        .collect();
    password.map(|p| (clean, p))
}

/// One argument (`CONN`, `--dbname=CONN` or `-dCONN`) rewritten without its password.
fn scrub_one(arg: &str) -> Option<(String, String)> {
    let (prefix, value) = if let Some(value) = arg.strip_prefix("--dbname=") {
        ("--dbname=", value)
    } else if let Some(value) = arg.strip_prefix("-d").filter(|v| !v.is_empty()) {
        ("--dbname=", value)
    } else {
        ("", arg)
    };
    if !conninfo::is_conninfo(value) {
        return None;
    }
    let mut options = conninfo::parse(value).ok()?;
    let password = options.remove("password")?;
    Some((format!("{prefix}{}", options.to_conninfo()), password))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Option<(Vec<String>, String)> {
        let args: Vec<OsString> = args.iter().map(OsString::from).collect();
        scrub(&args).map(|(clean, pw)| {
            let clean = clean
                .into_iter()
                .map(|a| a.into_string().unwrap())
                .collect();
            (clean, pw)
        })
    }

    #[test]
    fn passwords_leave_argv() {
        type Case<'a> = (&'a [&'a str], Option<(&'a [&'a str], &'a str)>);
        let cases: &[Case] = &[
            (&["pgmedic", "-h", "db1", "app"], None),
            (&["pgmedic", "host=db1 dbname=app"], None),
            (&["pgmedic", "postgresql://bob@db1/app"], None),
            (
                &[
                    "pgmedic",
                    "postgresql://bob:s%3Acret@db1:5433/app?sslmode=require",
                ],
                Some((
                    &[
                        "pgmedic",
                        "dbname=app host=db1 port=5433 sslmode=require user=bob",
                    ],
                    "s:cret",
                )),
            ),
            (
                &["pgmedic", "host=db1 password='a b\\'c'", "--refresh", "1s"],
                Some((&["pgmedic", "host=db1", "--refresh", "1s"], "a b'c")),
            ),
            (
                &["pgmedic", "--dbname=password=x user=u"],
                Some((&["pgmedic", "--dbname=user=u"], "x")),
            ),
            (
                &["pgmedic", "-dpassword=x"],
                Some((&["pgmedic", "--dbname="], "x")),
            ),
            (&["password=x"], None),
        ];
        for (args, expected) in cases {
            let expected = expected.map(|(clean, pw)| {
                (
                    clean.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
                    pw.to_owned(),
                )
            });
            assert_eq!(run(args), expected, "{args:?}");
        }
    }

    #[test]
    fn the_scrubbed_string_means_the_same() {
        let url = "postgresql://u:p@[::1]:5,h2/d?application_name=a%20b";
        let (clean, _) = run(&["pgmedic", url]).unwrap();
        let mut original = conninfo::parse(url).unwrap();
        original.remove("password");
        assert_eq!(conninfo::parse(&clean[1]).unwrap(), original);
    }
}
