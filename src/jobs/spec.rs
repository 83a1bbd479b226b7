//! What an action is, before it runs: its kind, its exact SQL, and the rules that decide
//! whether this session may run it at all.

use std::time::Duration;

use crate::server::ServerInfo;

/// The kinds of action pgmedic can take on a server. The kind decides the confirmation, the
/// refusals and the progress view; the SQL itself is built by the pane that proposes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobKind {
    CreateIndex,
    DropIndex,
    Reindex,
    Vacuum,
    VacuumFull,
    Analyze,
    CancelBackend,
    TerminateBackend,
    ResetStatements,
    CreateExtension,
}

/// Which pg_stat_progress_* view follows a job while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressView {
    CreateIndex,
    Vacuum,
    Cluster,
    Analyze,
}

impl JobKind {
    /// The kind in words, for the Jobs pane and the audit log.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            JobKind::CreateIndex => "create index",
            JobKind::DropIndex => "drop index",
            JobKind::Reindex => "reindex",
            JobKind::Vacuum => "vacuum",
            JobKind::VacuumFull => "vacuum full",
            JobKind::Analyze => "analyze",
            JobKind::CancelBackend => "cancel",
            JobKind::TerminateBackend => "terminate",
            JobKind::ResetStatements => "reset statements",
            JobKind::CreateExtension => "create extension",
        }
    }

    /// The word a destructive action must be confirmed with, typed out.
    #[must_use]
    pub fn typed_confirmation(self) -> Option<&'static str> {
        match self {
            JobKind::DropIndex => Some("drop"),
            JobKind::VacuumFull => Some("full"),
            JobKind::TerminateBackend => Some("terminate"),
            JobKind::ResetStatements => Some("reset"),
            _ => None,
        }
    }

    /// Signalling a backend changes no data: it works on a standby too.
    #[must_use]
    pub fn allowed_on_standby(self) -> bool {
        matches!(self, JobKind::CancelBackend | JobKind::TerminateBackend)
    }

    /// The progress view that follows this kind of job, if PostgreSQL has one for it on
    /// `version_num` (pg_stat_progress_analyze arrived in 13).
    #[must_use]
    pub fn progress_view(self, version_num: u32) -> Option<ProgressView> {
        match self {
            JobKind::CreateIndex | JobKind::Reindex => Some(ProgressView::CreateIndex),
            JobKind::Vacuum => Some(ProgressView::Vacuum),
            JobKind::VacuumFull => Some(ProgressView::Cluster),
            JobKind::Analyze if version_num >= 130_000 => Some(ProgressView::Analyze),
            _ => None,
        }
    }
}

/// An action as proposed to the DBA: shown exactly like this, then run exactly like this.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobSpec {
    pub kind: JobKind,
    /// What it acts on, as the Jobs pane shows it ("public.orders", "pids 4242, 4243").
    pub target: String,
    /// The statements, each run on its own outside any transaction block (CONCURRENTLY and
    /// VACUUM refuse to run inside one), stopping at the first error.
    pub statements: Vec<String>,
    /// One line beside the SQL in the confirmation: the lock it takes, what is lost.
    pub warning: Option<String>,
    /// `None`: no lock_timeout (see [`JobSpec::new`]).
    pub lock_timeout: Option<Duration>,
    /// `None`: no limit (a VACUUM of a large table takes as long as it takes).
    pub statement_timeout: Option<Duration>,
    /// Another database of the same server (`None`: the monitored one).
    pub database: Option<String>,
    /// Why this role may not run it, when the proposing pane knows (not the table's owner…).
    pub lacks_privilege: Option<String>,
}

impl JobSpec {
    /// A spec with the usual timeouts: no statement_timeout, and a 5 s lock_timeout (an
    /// action queued behind a lock would block everything queued behind it) — except for
    /// CONCURRENTLY statements, which run without one: after taking their SHARE UPDATE
    /// EXCLUSIVE lock (which queues no reads nor writes behind it) they wait for every
    /// transaction older than them, and lock_timeout bounds those waits too, so a build would
    /// be thrown away, half done, whenever a session sits idle in a transaction for 5 s. The
    /// job shows the pids it waits for and can be cancelled instead.
    #[must_use]
    pub fn new(kind: JobKind, target: impl Into<String>, statements: Vec<String>) -> Self {
        let lock_timeout =
            (!statements.iter().any(|s| concurrently(s))).then_some(Duration::from_secs(5));
        Self {
            kind,
            target: target.into(),
            statements,
            warning: None,
            lock_timeout,
            statement_timeout: None,
            database: None,
            lacks_privilege: None,
        }
    }

    #[must_use]
    pub fn warning(mut self, warning: impl Into<String>) -> Self {
        self.warning = Some(warning.into());
        self
    }

    #[must_use]
    pub fn in_database(mut self, database: impl Into<String>) -> Self {
        self.database = Some(database.into());
        self
    }

    /// All the SQL, as shown and logged.
    #[must_use]
    pub fn sql(&self) -> String {
        self.statements
            .iter()
            .map(|s| {
                let s = s.trim_end();
                if s.ends_with(';') {
                    s.to_owned()
                } else {
                    format!("{s};")
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// A `… CONCURRENTLY …` statement (the keyword outside quotes: identifiers in action SQL are
/// always quoted).
#[must_use]
pub fn concurrently(statement: &str) -> bool {
    // Quoted identifiers and literals become a blank: a name with spaces cannot pass a word.
    let mut quote = None;
    let bare: String = statement
        .chars()
        .map(|c| match (quote, c) {
            (None, '"' | '\'') => {
                quote = Some(c);
                ' '
            }
            (Some(q), _) if c == q => {
                quote = None;
                ' '
            }
            (Some(_), _) => ' ',
            (None, _) => c,
        })
        .collect();
    bare.split_whitespace()
        .any(|word| word.eq_ignore_ascii_case("CONCURRENTLY"))
}

/// Why this session must not run `spec`, in one line; `None` when it may.
#[must_use]
pub fn refusal(spec: &JobSpec, server: Option<&ServerInfo>, read_only: bool) -> Option<String> {
    let what = spec.kind.name();
    if read_only {
        return Some(format!(
            "refused: {what} — pgmedic runs in --read-only mode"
        ));
    }
    let Some(server) = server else {
        return Some(format!("refused: {what} — not connected"));
    };
    if server.is_standby && !spec.kind.allowed_on_standby() {
        return Some(format!(
            "refused: {what} — the server is a standby (read-only); run it on the primary"
        ));
    }
    if spec.statements.is_empty() {
        return Some(format!("refused: {what} — nothing to run"));
    }
    if let Some(reason) = &spec.lacks_privilege {
        return Some(format!("refused: {what} — {reason}"));
    }
    if spec.kind == JobKind::CreateExtension && !server.privileges.superuser {
        return Some(format!(
            "refused: {what} — {} is not a superuser (ask one to run it)",
            server.role
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::Privileges;

    fn server(standby: bool, superuser: bool) -> ServerInfo {
        ServerInfo {
            version_num: 150_000,
            version: "15".to_owned(),
            is_standby: standby,
            role: "app".to_owned(),
            database: "shop".to_owned(),
            backend_pid: 1,
            privileges: Privileges {
                superuser,
                ..Privileges::default()
            },
            max_connections: 100,
            superuser_reserved_connections: 3,
            shared_preload_libraries: None,
            read_only_session: true,
            extensions: Vec::new(),
        }
    }

    fn vacuum() -> JobSpec {
        JobSpec::new(
            JobKind::Vacuum,
            "public.orders",
            vec!["VACUUM (ANALYZE) \"public\".\"orders\"".to_owned()],
        )
    }

    #[test]
    fn read_only_mode_and_standbys_refuse_with_the_reason() {
        let primary = server(false, true);
        assert!(
            refusal(&vacuum(), Some(&primary), true).is_some_and(|r| r.contains("--read-only"))
        );
        let standby = server(true, true);
        assert!(refusal(&vacuum(), Some(&standby), false).is_some_and(|r| r.contains("standby")));
        let cancel = JobSpec::new(
            JobKind::CancelBackend,
            "pid 7",
            vec!["SELECT pg_cancel_backend(7)".to_owned()],
        );
        assert_eq!(refusal(&cancel, Some(&standby), false), None);
        assert_eq!(refusal(&vacuum(), Some(&primary), false), None);
        assert!(refusal(&vacuum(), None, false).is_some());
    }

    #[test]
    fn privileges_known_to_the_pane_or_the_server_refuse() {
        let mut spec = vacuum();
        spec.lacks_privilege = Some("app does not own public.orders".to_owned());
        assert_eq!(
            refusal(&spec, Some(&server(false, false)), false).as_deref(),
            Some("refused: vacuum — app does not own public.orders")
        );
        let ext = JobSpec::new(
            JobKind::CreateExtension,
            "hypopg",
            vec!["CREATE EXTENSION hypopg".to_owned()],
        );
        assert!(refusal(&ext, Some(&server(false, false)), false).is_some());
        assert_eq!(refusal(&ext, Some(&server(false, true)), false), None);
    }

    #[test]
    fn sql_is_shown_with_one_semicolon_per_statement() {
        let spec = JobSpec::new(
            JobKind::DropIndex,
            "i",
            vec![
                "DROP INDEX CONCURRENTLY \"i\"".to_owned(),
                "SELECT 1;".to_owned(),
            ],
        );
        assert_eq!(spec.sql(), "DROP INDEX CONCURRENTLY \"i\";\nSELECT 1;");
        assert_eq!(JobKind::DropIndex.typed_confirmation(), Some("drop"));
        assert_eq!(JobKind::Vacuum.typed_confirmation(), None);
    }

    #[test]
    fn concurrently_statements_run_without_a_lock_timeout() {
        assert_eq!(vacuum().lock_timeout, Some(Duration::from_secs(5)));
        for sql in [
            "CREATE INDEX CONCURRENTLY \"i\" ON \"t\" (a)",
            "drop index concurrently if exists \"s\".\"i\"",
            "REINDEX INDEX CONCURRENTLY \"s\".\"i\"",
        ] {
            let spec = JobSpec::new(JobKind::CreateIndex, "i", vec![sql.to_owned()]);
            assert_eq!(spec.lock_timeout, None, "{sql}");
        }
        let quoted = JobSpec::new(
            JobKind::DropIndex,
            "i",
            vec!["DROP INDEX \"concurrently\"".to_owned()],
        );
        assert_eq!(quoted.lock_timeout, Some(Duration::from_secs(5)));
        let spaced = JobSpec::new(
            JobKind::Vacuum,
            "t",
            vec!["VACUUM \"a concurrently \"\"b\"\"\"".to_owned()],
        );
        assert_eq!(spaced.lock_timeout, Some(Duration::from_secs(5)));
    }
}
