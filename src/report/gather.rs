//! Collects what a report needs with the console's own collectors, on a monitoring session
//! (read-only, statement_timeout, lock_timeout): two samples `interval` apart, so that rates
//! are those of the interval and not of the time since the statistics were reset.

use std::sync::Arc;
use std::time::Duration;

use crate::advisor::{self, AdviseOptions};
use crate::collect::activity::ActivityCollector;
use crate::collect::bloat::BloatCollector;
use crate::collect::indexes::IndexesCollector;
use crate::collect::overview::{OverviewCollector, Prepared};
use crate::collect::queries::QueriesCollector;
use crate::collect::settings::SettingsCollector;
use crate::collect::{self, CollectError};
use crate::conn::ConnParams;
use crate::diagnose::health::Thresholds;
use crate::diagnose::queries::Scope;
use crate::diagnose::{activity, overview, queries, settings};
use crate::report::activity::Activity;
use crate::report::areas::Analyses;
use crate::report::bloat::Bloat;
use crate::report::indexes::Indexes;
use crate::server::ServerInfo;

/// A report gives up when the server has not answered a whole sample in this long (every
/// statement is bounded by the session's statement_timeout; this covers a dead network).
const SAMPLE_DEADLINE: Duration = Duration::from_secs(60);

/// Opens a monitoring session, takes two samples `interval` apart and analyses them.
pub async fn gather(
    params: &ConnParams,
    interval: Duration,
    limits: &Thresholds,
) -> Result<(ServerInfo, Analyses), CollectError> {
    let (client, server) = collect::open_session(params).await?;
    let prepared = match Prepared::new(&client, &server).await {
        Ok(prepared) => prepared,
        Err(err) => {
            return Err(CollectError::Session(
                collect::explain_failure(&client, &err).await,
            ));
        }
    };
    let mut overview_collector = OverviewCollector::default();
    let mut settings_collector = SettingsCollector::default();
    let mut indexes_collector = IndexesCollector::default();
    let mut sample = async || {
        let overview = overview_collector.collect(&client, &prepared).await;
        let settings = settings_collector.read(&client, &server).await;
        // Index definitions on the first reading, the tables' write rates on the second.
        let indexes = indexes_collector.collect(&client, &server).await;
        (overview, settings, indexes)
    };
    let (first, settings_first, indexes_first) = bounded(sample()).await?;
    tokio::time::sleep(interval).await;
    let (second, settings_second, indexes_second) = bounded(sample()).await?;
    // Sessions and locks are judged as they are now, slow statements and lints on the
    // figures since the reset: one reading each.
    let sessions = bounded(ActivityCollector::default().collect(&client, &server)).await?;
    let statements = bounded(QueriesCollector::default().collect(&client, &server)).await?;
    let mut bloat_collector = BloatCollector::default();
    let catalog = Box::pin(bounded(bloat_collector.collect(&client, &server)))
        .await?
        .catalog;
    // The advisor plans with hypothetical indexes on a session of its own, weighing the
    // tables' writes of the interval.
    let options = AdviseOptions {
        table_writes: indexes_second
            .as_ref()
            .and_then(|s| s.as_ref().ok())
            .map(|s| s.write_rates.clone()),
        ..AdviseOptions::default()
    };
    let advice = bounded(advisor::advise(params, &server, &options))
        .await?
        .map_err(|e| e.to_string());
    let indexes = indexes_second
        .or(indexes_first)
        .unwrap_or_else(|| Err("the indexes were not read".to_owned()))
        .map(|snapshot| {
            let suggestions = advice.as_ref().map(|a| a.suggestions.as_slice());
            let findings = crate::diagnose::indexes::findings(
                &snapshot,
                suggestions.unwrap_or_default(),
                snapshot.taken_at,
            );
            Indexes {
                snapshot,
                advice,
                findings,
            }
        });
    let overview = overview::build(Some(&first), Some(&first), &second, &server, limits);
    let context = settings::Context {
        server: &server,
        connections: overview.connections.as_ref().ok(),
        throughput: overview.throughput.as_ref().ok(),
        limits,
    };
    let settings = settings::build(Some(&settings_first), &settings_second, &context);
    let analyses = Analyses {
        overview: Ok(overview),
        activity: sessions.map(|snapshot| Activity {
            view: activity::build(&snapshot, &server, limits),
            snapshot,
        }),
        indexes,
        bloat: catalog.map(Bloat::of),
        queries: statements
            .statements
            .map(|latest| queries::build(None, &Arc::new(latest), Scope::Cumulative)),
        settings: Ok(settings),
    };
    Ok((server, analyses))
}

/// `reading`, given up after [`SAMPLE_DEADLINE`].
async fn bounded<T>(reading: impl Future<Output = T>) -> Result<T, CollectError> {
    tokio::time::timeout(SAMPLE_DEADLINE, reading)
        .await
        .map_err(|_| {
            CollectError::Session(format!(
                "no answer from the server in {}s",
                SAMPLE_DEADLINE.as_secs()
            ))
        })
}
