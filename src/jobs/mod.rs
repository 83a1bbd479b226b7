//! Actions on the server: proposed as a [`JobSpec`], confirmed by the DBA, run by the
//! [`Runner`] on a connection of their own (never the monitoring session), followed through
//! pg_stat_progress_*, cancellable, and written to the [`audit`] log.

pub mod audit;
pub mod backend;
mod runner;
pub mod spec;

pub use runner::{JobEvent, JobId, Outcome, Progress, Runner};
pub use spec::{JobKind, JobSpec, ProgressView, refusal};
