//! Reaping what a killed process left behind: cluster directories whose owner is gone, and
//! their postmasters — never a process some planted file names.

use std::fs;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use super::{DIR_PREFIX, postmaster_pid};

/// Removes cluster directories left by processes that no longer exist (a `SIGKILLed` test), and
/// kills their postmasters — but only directories of this user or the cluster's user, and only a
/// process that really is that directory's postmaster: anyone can plant a `/tmp/pgmedic-*`
/// directory whose postmaster.pid names some other process.
pub(super) fn reap_stale_dirs(run_as: Option<u32>) {
    let Ok(entries) = fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    let me = nix::unistd::geteuid().as_raw();
    for entry in entries.filter_map(std::result::Result::ok) {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !name.starts_with(DIR_PREFIX) {
            continue;
        }
        let dir = entry.path();
        // lstat: a symlink is never a cluster directory.
        let Ok(meta) = fs::symlink_metadata(&dir) else {
            continue;
        };
        if !meta.is_dir() || !may_reap(meta.uid(), me, run_as) || !owner_is_gone(&dir) {
            continue;
        }
        let data_dir = dir.join("data");
        let pid = postmaster_pid(&data_dir);
        let canonical_data = fs::canonicalize(&data_dir).ok();
        let view = pid.map(ProcView::read).unwrap_or_default();
        match reap_decision(meta.uid(), me, run_as, &view, canonical_data.as_deref()) {
            Reap::Leave => {}
            Reap::Remove => {
                let _ = fs::remove_dir_all(&dir);
            }
            Reap::KillThenRemove => {
                if let Some(pid) = pid
                    && kill_postmaster(pid, canonical_data.as_deref())
                {
                    let _ = fs::remove_dir_all(&dir);
                }
            }
        }
    }
}

/// Whether `owner.pid` names a process that is gone (0 means `--keep`: never gone).
fn owner_is_gone(dir: &Path) -> bool {
    let Ok(owner) = fs::read_to_string(dir.join("owner.pid")) else {
        return false;
    };
    match owner.trim().parse::<u32>() {
        Ok(0) | Err(_) => false,
        Ok(owner) => !Path::new(&format!("/proc/{owner}")).exists(),
    }
}

/// SIGKILLs the postmaster and waits (up to 2 s) until it is no longer one; true when it is not.
fn kill_postmaster(pid: Pid, data_dir: Option<&Path>) -> bool {
    let _ = kill(pid, Signal::SIGKILL);
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        if !ProcView::read(pid).is_postmaster_of(data_dir) {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// What /proc says about the pid a directory's postmaster.pid names.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct ProcView {
    /// `/proc/<pid>` exists.
    alive: bool,
    /// `/proc/<pid>/comm` without its newline, when readable.
    comm: Option<String>,
    /// Where `/proc/<pid>/cwd` points, when readable (not for a zombie).
    cwd: Option<PathBuf>,
}

impl ProcView {
    fn read(pid: Pid) -> Self {
        let proc = PathBuf::from(format!("/proc/{pid}"));
        Self {
            alive: fs::symlink_metadata(&proc).is_ok(),
            comm: fs::read_to_string(proc.join("comm"))
                .ok()
                .map(|comm| comm.trim_end_matches('\n').to_owned()),
            cwd: fs::read_link(proc.join("cwd")).ok(),
        }
    }

    /// A live `postgres` whose working directory is `data_dir` (the postmaster chdirs there).
    fn is_postmaster_of(&self, data_dir: Option<&Path>) -> bool {
        self.alive
            && self.comm.as_deref() == Some("postgres")
            && data_dir.is_some_and(|data| self.cwd.as_deref() == Some(data))
    }
}

/// What to do with a directory whose owner process is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reap {
    /// Not ours, or a live process we cannot identify: touch nothing.
    Leave,
    /// No live postmaster belongs to it: remove it (any process its pid file names is left alone).
    Remove,
    /// Its postmaster still runs: kill it, then remove the directory.
    KillThenRemove,
}

/// Only this user's or the cluster user's directories are reaped (root's own included).
fn may_reap(dir_uid: u32, me: u32, run_as: Option<u32>) -> bool {
    dir_uid == me || Some(dir_uid) == run_as
}

/// Decides the fate of a stale directory owned by `dir_uid`, from what /proc says about the
/// pid in its postmaster.pid and its (canonical) data directory.
fn reap_decision(
    dir_uid: u32,
    me: u32,
    run_as: Option<u32>,
    postmaster: &ProcView,
    data_dir: Option<&Path>,
) -> Reap {
    if !may_reap(dir_uid, me, run_as) {
        Reap::Leave
    } else if postmaster.is_postmaster_of(data_dir) {
        Reap::KillThenRemove
    } else if postmaster.alive && (postmaster.comm.is_none() || postmaster.cwd.is_none()) {
        Reap::Leave
    } else {
        Reap::Remove
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::{ProcView, Reap, reap_decision};

    const ROOT: u32 = 0;
    const ME: u32 = 1000;
    const POSTGRES: u32 = 999;
    const STRANGER: u32 = 1001;
    const DATA: &str = "/tmp/pgmedic-0a1b2c3d/data";

    fn process(comm: &str, cwd: &str) -> ProcView {
        ProcView {
            alive: true,
            comm: Some(comm.to_owned()),
            cwd: Some(PathBuf::from(cwd)),
        }
    }

    fn postmaster() -> ProcView {
        process("postgres", DATA)
    }

    fn decide(dir_uid: u32, me: u32, run_as: Option<u32>, view: &ProcView) -> Reap {
        reap_decision(dir_uid, me, run_as, view, Some(Path::new(DATA)))
    }

    #[test]
    fn only_own_or_the_cluster_users_directories_are_touched() {
        // A directory planted by another user, naming a real postmaster: left alone, as root too.
        assert_eq!(
            decide(STRANGER, ROOT, Some(POSTGRES), &postmaster()),
            Reap::Leave
        );
        assert_eq!(decide(STRANGER, ME, None, &postmaster()), Reap::Leave);
        assert_eq!(decide(ROOT, ME, None, &ProcView::default()), Reap::Leave);
        // Root reaps the cluster user's directories and its own.
        assert_eq!(
            decide(POSTGRES, ROOT, Some(POSTGRES), &postmaster()),
            Reap::KillThenRemove
        );
        assert_eq!(
            decide(ROOT, ROOT, Some(POSTGRES), &ProcView::default()),
            Reap::Remove
        );
        assert_eq!(decide(ME, ME, None, &postmaster()), Reap::KillThenRemove);
    }

    #[test]
    fn only_the_directorys_own_postmaster_is_killed() {
        // Its pid is gone (or there is no pid file): just remove the directory.
        assert_eq!(decide(ME, ME, None, &ProcView::default()), Reap::Remove);
        // A pid reused by, or planted for, another process: remove, leave the process alone.
        for other in [
            process("bash", DATA),
            process("postgres", "/var/lib/postgresql/15/main"),
            process("postgres", "/tmp/pgmedic-0a1b2c3d"),
            process("sshd", "/"),
        ] {
            assert_eq!(decide(ME, ME, None, &other), Reap::Remove, "{other:?}");
            assert_eq!(decide(POSTGRES, ROOT, Some(POSTGRES), &other), Reap::Remove);
        }
        // No data directory to compare with: never a kill.
        let view = postmaster();
        assert_eq!(reap_decision(ME, ME, None, &view, None), Reap::Remove);
    }

    #[test]
    fn a_live_process_proc_will_not_describe_is_left_with_its_directory() {
        let hidden = ProcView {
            alive: true,
            comm: Some("postgres".to_owned()),
            cwd: None,
        };
        assert_eq!(decide(ME, ME, None, &hidden), Reap::Leave);
        let nameless = ProcView {
            alive: true,
            comm: None,
            cwd: Some(PathBuf::from(DATA)),
        };
        assert_eq!(decide(ME, ME, None, &nameless), Reap::Leave);
    }
}
