use std::process::Command;
use std::time::{Duration, Instant};

use pgmedic::cluster::{Cluster, ClusterOptions};

use crate::common::cluster;

/// A tmux session running one command; killed when dropped.
pub(crate) struct Tmux {
    name: String,
}

impl Tmux {
    pub(crate) fn start(name: &str, width: u16, height: u16, command: &str) -> Self {
        let name = format!("pgmedic-test-{name}-{}", std::process::id());
        let status = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &name,
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
            ])
            .arg(format!("{command}; echo EXITED $?; sleep 60"))
            .env_remove("TMUX")
            .status()
            .expect("tmux is installed (apt-get install tmux)");
        assert!(status.success());
        Self { name }
    }

    pub(crate) fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.name])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the screen contains `text` (bounded), returning the screen once it stands
    /// still: a capture can catch a frame half written, its lower rows not there yet.
    pub(crate) fn wait_for(&self, text: &str, within: Duration) -> String {
        let deadline = Instant::now() + within;
        let mut last = String::new();
        loop {
            let screen = self.screen();
            if screen.contains(text) && (screen == last || Instant::now() >= deadline) {
                return screen;
            }
            last.clone_from(&screen);
            assert!(
                Instant::now() < deadline,
                "{text:?} did not appear within {within:?}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits for the program to end and checks it exited 0 and left the alternate screen.
    pub(crate) fn assert_clean_exit(&self) {
        let end = self.wait_for("EXITED", UP);
        assert!(end.contains("EXITED 0"), "{end}");
        assert!(
            !end.contains("Connections"),
            "the alternate screen is gone:\n{end}"
        );
    }

    pub(crate) fn keys(&self, keys: &[&str]) {
        let status = Command::new("tmux")
            .args(["send-keys", "-t", &self.name])
            .args(keys)
            .status()
            .unwrap();
        assert!(status.success());
    }
}

/// A directory of the test's own, removed when dropped (a failing test too).
pub(crate) struct Scratch(pub(crate) std::path::PathBuf);

impl Scratch {
    pub(crate) fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("pgmedic-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.name])
            .status();
    }
}

pub(crate) fn pgmedic(conninfo: &str, extra: &str) -> String {
    format!(
        "{} '{conninfo}' --refresh 500ms {extra}",
        env!("CARGO_BIN_EXE_pgmedic")
    )
}

pub(crate) const UP: Duration = Duration::from_secs(20);

#[test]
fn overview_help_command_line_and_quit() {
    let tmux = Tmux::start(
        "keys",
        120,
        40,
        &pgmedic(&cluster().conninfo("postgres"), ""),
    );
    let screen = tmux.wait_for("Top statements", UP);
    assert!(screen.contains("1 Overview"), "{screen}");
    assert!(screen.contains("Connections"), "{screen}");
    tmux.wait_for("Throughput · last", UP);

    tmux.keys(&["?"]);
    let help = tmux.wait_for("show the keys of this pane", UP);
    assert!(
        help.contains("j Down"),
        "help comes from the keymap:\n{help}"
    );
    tmux.keys(&["Escape"]);
    let deadline = Instant::now() + UP;
    while tmux.screen().contains("show the keys of this pane") {
        assert!(Instant::now() < deadline, "help did not close");
        std::thread::sleep(Duration::from_millis(50));
    }

    tmux.keys(&[":", "refresh 2s", "Enter"]);
    tmux.wait_for("refreshing every 2s", UP);
    tmux.keys(&[":", "bogus", "Enter"]);
    tmux.wait_for("unknown command: bogus", UP);

    tmux.keys(&["q"]);
    tmux.assert_clean_exit();
}

#[test]
fn a_small_terminal_gets_a_notice() {
    let tmux = Tmux::start(
        "small",
        70,
        20,
        &pgmedic(&cluster().conninfo("postgres"), ""),
    );
    let screen = tmux.wait_for("80x24", UP);
    assert!(screen.contains("70x20"), "{screen}");
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED 0", UP);
}

#[test]
fn bad_input_is_one_line_and_the_terminal_is_untouched() {
    let tmux = Tmux::start(
        "bad",
        100,
        30,
        &format!(
            "{} 'host=127.0.0.1 port=1 user=x dbname=x'",
            env!("CARGO_BIN_EXE_pgmedic")
        ),
    );
    let screen = tmux.wait_for("EXITED", UP);
    let lines: Vec<&str> = screen
        .lines()
        .filter(|l| l.starts_with("pgmedic: "))
        .collect();
    assert_eq!(lines.len(), 1, "{screen}");
    assert!(screen.contains("EXITED 1"), "{screen}");
}

#[test]
fn the_console_survives_a_server_restart() {
    let mut own = Cluster::start(ClusterOptions::default()).unwrap();
    let tmux = Tmux::start("restart", 120, 40, &pgmedic(&own.conninfo("postgres"), ""));
    tmux.wait_for("Throughput · last", UP);
    own.stop_server();
    let down = tmux.wait_for("STALE", UP);
    assert!(
        down.contains("attempt"),
        "the status bar says it is reconnecting:\n{down}"
    );
    assert!(
        down.contains("Connections"),
        "the last data stays on screen:\n{down}"
    );
    own.restart().unwrap();
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let screen = tmux.screen();
        if !screen.contains("STALE") && screen.contains(" up ·") {
            break;
        }
        assert!(Instant::now() < deadline, "did not recover:\n{screen}");
        std::thread::sleep(Duration::from_millis(100));
    }
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED 0", UP);
}

#[test]
fn sigterm_ends_the_console_cleanly() {
    let tmux = Tmux::start(
        "sigterm",
        100,
        30,
        &pgmedic(&cluster().conninfo("postgres"), ""),
    );
    tmux.wait_for("Throughput · last", UP);
    let shell = Command::new("tmux")
        .args(["display", "-p", "-t", &tmux.name, "#{pane_pid}"])
        .output()
        .unwrap();
    let shell = String::from_utf8_lossy(&shell.stdout).trim().to_owned();
    let status = Command::new("pkill")
        .args(["-TERM", "-P", &shell, "pgmedic"])
        .status()
        .unwrap();
    assert!(status.success(), "pgmedic was found under the pane's shell");
    tmux.assert_clean_exit();
}

#[test]
fn a_bad_config_file_or_theme_is_one_line_before_anything_else() {
    let scratch = Scratch::new("config");
    let dir = scratch.0.clone();
    let bad = dir.join("config.toml");
    std::fs::write(&bad, "refresh = \"soon\"\n").unwrap();
    let run = |envs: &[(&str, &std::path::Path)], args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_pgmedic"))
            .arg(cluster().conninfo("postgres"))
            .args(args)
            .envs(envs.iter().copied())
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert!(!out.status.success());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let err = run(&[("PGMEDIC_CONFIG", &bad)], &[]);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("pgmedic: config file ") && err.contains("refresh"),
        "{err}"
    );
    let err = run(
        &[("PGMEDIC_CONFIG", &dir.join("none.toml"))],
        &["--theme", "nosuch"],
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("nosuch"), "{err}");
}

#[test]
fn the_config_file_is_read_at_start() {
    let scratch = Scratch::new("config-ok");
    let dir = scratch.0.clone();
    let file = dir.join("config.toml");
    std::fs::write(&file, "theme = \"high-contrast\"\nread_only = true\n").unwrap();
    let command = format!(
        "PGMEDIC_CONFIG={} {}",
        file.display(),
        pgmedic(&cluster().conninfo("postgres"), "")
    );
    let tmux = Tmux::start("config", 100, 30, &command);
    let screen = tmux.wait_for("Throughput · last", UP);
    assert!(
        screen.contains("READ-ONLY"),
        "read_only = true in the file:\n{screen}"
    );
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED 0", UP);
}

#[test]
fn without_a_terminal_the_console_says_so_in_one_line() {
    let out = Command::new(env!("CARGO_BIN_EXE_pgmedic"))
        .arg(cluster().conninfo("postgres"))
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("needs a terminal"), "{stderr}");
}

#[test]
fn the_settings_pane_through_a_profile_of_the_config_file() {
    let scratch = Scratch::new("settings");
    let file = scratch.0.join("config.toml");
    std::fs::write(
        &file,
        format!(
            "[profiles.local]\nhost = \"127.0.0.1\"\nport = {}\nuser = \"postgres\"\n\
             dbname = \"postgres\"\nrefresh = \"500ms\"\n",
            cluster().port()
        ),
    )
    .unwrap();
    let command = format!(
        "PGMEDIC_CONFIG={} {} --profile local",
        file.display(),
        env!("CARGO_BIN_EXE_pgmedic")
    );
    let tmux = Tmux::start("settings", 100, 30, &command);
    tmux.wait_for("Throughput · last", UP);
    tmux.keys(&["8"]);
    let screen = tmux.wait_for("shared_buffers", UP);
    assert!(screen.contains("8 Settings"), "{screen}");
    tmux.keys(&["/", "max_wal", "Enter"]);
    tmux.wait_for("Checkpoints · since reset", UP);
    tmux.keys(&[
        "/", "BSpace", "BSpace", "BSpace", "BSpace", "BSpace", "BSpace", "BSpace",
    ]);
    tmux.keys(&["track_io", "Enter", "Enter"]);
    let detail = tmux.wait_for("times block reads", UP);
    assert!(
        detail.contains("track_io_timing = on") && detail.contains("command line"),
        "the test cluster turns it on with -c:\n{detail}"
    );
    tmux.keys(&["q"]);
    tmux.assert_clean_exit();
}
