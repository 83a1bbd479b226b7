//! The Jobs pane's state: every action of this session, from confirmation to its outcome.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::jobs::{JobEvent, JobId, JobSpec, Outcome, Progress};

/// Where a job is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobState {
    /// Confirmed; its session is being opened.
    Starting,
    /// Running in backend `pid`.
    Running {
        pid: i32,
    },
    Finished(Outcome),
}

/// One action of this session.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: JobId,
    pub spec: JobSpec,
    pub state: JobState,
    pub progress: Option<Progress>,
    pub started_at: Instant,
    /// How long it ran, once finished (measured by the runner).
    pub elapsed: Option<Duration>,
    /// The backend it ran in, kept after it finished.
    pub pid: Option<i32>,
    /// A cancel was asked for.
    pub cancelling: bool,
    /// What the proposing pane read in the result, when it deserves a word (a VACUUM that
    /// left dead tuples behind, and why).
    pub note: Option<String>,
}

impl Job {
    #[must_use]
    pub fn is_running(&self) -> bool {
        !matches!(self.state, JobState::Finished(_))
    }

    /// How long it has run (until `now` while running).
    #[must_use]
    pub fn duration(&self, now: Instant) -> Duration {
        self.elapsed
            .unwrap_or_else(|| now.saturating_duration_since(self.started_at))
    }
}

/// The Jobs pane.
#[derive(Debug, Clone, Default)]
pub struct JobsState {
    /// Oldest first.
    pub jobs: Vec<Job>,
    /// Index into `jobs` of the selected row.
    pub selected: usize,
    /// The detail view of the selected job is open.
    pub detail: bool,
    /// Where the audit log is written (`None`: no home directory, nothing is logged).
    pub audit_path: Option<PathBuf>,
    next_id: JobId,
}

impl JobsState {
    /// Records a confirmed job and selects it; returns its id for the runner.
    pub fn add(&mut self, spec: JobSpec, now: Instant) -> JobId {
        self.next_id += 1;
        let id = self.next_id;
        self.jobs.push(Job {
            id,
            spec,
            state: JobState::Starting,
            progress: None,
            started_at: now,
            elapsed: None,
            pid: None,
            cancelling: false,
            note: None,
        });
        self.selected = self.jobs.len() - 1;
        id
    }

    /// Folds a runner event in; returns the job it concerns.
    pub fn apply(&mut self, event: &JobEvent) -> Option<&Job> {
        let id = match event {
            JobEvent::Started { id, .. }
            | JobEvent::Progress { id, .. }
            | JobEvent::Finished { id, .. } => *id,
        };
        let job = self.jobs.iter_mut().find(|j| j.id == id)?;
        match event {
            JobEvent::Started { pid, .. } => {
                job.state = JobState::Running { pid: *pid };
                job.pid = Some(*pid);
            }
            JobEvent::Progress { progress, .. } => job.progress = Some(progress.clone()),
            JobEvent::Finished {
                outcome, elapsed, ..
            } => {
                job.state = JobState::Finished(outcome.clone());
                job.elapsed = Some(*elapsed);
            }
        }
        Some(job)
    }

    /// Adds the proposing pane's reading of job `id`'s result.
    pub fn note(&mut self, id: JobId, note: String) {
        if let Some(job) = self.jobs.iter_mut().find(|j| j.id == id) {
            job.note = Some(note);
        }
    }

    #[must_use]
    pub fn selected_job(&self) -> Option<&Job> {
        self.jobs.get(self.selected)
    }

    /// Marks the selected job as being cancelled; its id when it is still running.
    pub fn cancel_selected(&mut self) -> Option<JobId> {
        let job = self.jobs.get_mut(self.selected)?;
        if !job.is_running() {
            return None;
        }
        job.cancelling = true;
        Some(job.id)
    }

    pub fn move_selection(&mut self, delta: isize) {
        let last = self.jobs.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    pub fn select_edge(&mut self, last: bool) {
        self.selected = if last {
            self.jobs.len().saturating_sub(1)
        } else {
            0
        };
    }

    /// Jobs still running.
    #[must_use]
    pub fn running(&self) -> usize {
        self.jobs.iter().filter(|j| j.is_running()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::JobKind;

    fn spec() -> JobSpec {
        JobSpec::new(
            JobKind::Analyze,
            "public.t",
            vec!["ANALYZE \"public\".\"t\"".to_owned()],
        )
    }

    #[test]
    fn a_job_goes_from_starting_to_running_to_finished() {
        let mut jobs = JobsState::default();
        let now = Instant::now();
        let id = jobs.add(spec(), now);
        assert_eq!(jobs.jobs[0].state, JobState::Starting);
        jobs.apply(&JobEvent::Started { id, pid: 42 });
        assert_eq!(jobs.running(), 1);
        assert_eq!(jobs.cancel_selected(), Some(id));
        jobs.apply(&JobEvent::Finished {
            id,
            kind: JobKind::Analyze,
            target: "public.t".to_owned(),
            outcome: Outcome::Cancelled,
            elapsed: Duration::from_millis(30),
        });
        assert_eq!(jobs.running(), 0);
        assert_eq!(jobs.jobs[0].pid, Some(42));
        assert_eq!(jobs.cancel_selected(), None, "nothing to cancel any more");
        assert_eq!(jobs.jobs[0].duration(now), Duration::from_millis(30));
        assert!(jobs.apply(&JobEvent::Started { id: 99, pid: 1 }).is_none());
    }
}
