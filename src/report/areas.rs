//! The report's areas, in the order the markdown shows them. Each area turns one pane's
//! analysis into findings with that pane's own `findings(&Analysis, &Thresholds)`, and says
//! what it could not see; adding a pane to the report is one line here (and one field of
//! [`Analyses`] filled by `gather`).

use crate::diagnose::health::Thresholds;
use crate::diagnose::overview::Overview;
use crate::diagnose::queries::QueriesFigures;
use crate::diagnose::settings::SettingsView;
use crate::report::activity::{self, Activity};
use crate::report::bloat::{self, Bloat};
use crate::report::indexes::{self, Indexes};
use crate::report::{Finding, Kind, Severity, overview, queries, settings};
use crate::snapshot::Part;

/// Every pane's analysis, as `gather` built it from the same collectors the console uses.
#[derive(Debug, Clone)]
pub struct Analyses {
    pub overview: Part<Overview>,
    pub activity: Part<Activity>,
    /// pg_stat_statements since its reset, as the Queries pane figures it.
    pub queries: Part<QueriesFigures>,
    pub indexes: Part<Indexes>,
    pub bloat: Part<Bloat>,
    pub settings: Part<SettingsView>,
}

/// What one area found, and what it could not look at.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub not_checked: Vec<String>,
}

impl Outcome {
    /// The findings and gaps of an analysis, or why there is none.
    fn of<T>(
        part: &Part<T>,
        findings: impl FnOnce(&T) -> Vec<Finding>,
        not_checked: impl FnOnce(&T) -> Vec<String>,
    ) -> Self {
        match part {
            Ok(analysis) => Self {
                findings: findings(analysis),
                not_checked: not_checked(analysis),
            },
            Err(why) => Self {
                findings: Vec::new(),
                not_checked: vec![why.clone()],
            },
        }
    }
}

/// Which database an area's findings are about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The catalog of the database pgmedic connected to (tables, indexes).
    ThisDatabase,
    /// Each finding names its own database, or none for the whole cluster.
    Own,
}

/// One area of the report.
pub struct Area {
    pub title: &'static str,
    /// The kinds of finding it can give (its gaps are listed only when `--only` keeps one).
    pub kinds: &'static [Kind],
    pub scope: Scope,
    pub run: fn(&Analyses, &Thresholds) -> Outcome,
}

/// An area from an [`Analyses`] field and the module with its `findings` and `not_checked`.
macro_rules! area {
    ($title:literal, $field:ident, $module:ident, $scope:ident, [$($kind:ident),*]) => {
        Area {
            title: $title,
            kinds: &[$(Kind::$kind),*],
            scope: Scope::$scope,
            run: |a, t| Outcome::of(&a.$field, |x| $module::findings(x, t), $module::not_checked),
        }
    };
}

/// The areas, in report order: one line each.
pub const AREAS: &[Area] = &[
    area!(
        "Connections and sessions",
        activity,
        activity,
        Own,
        [
            ConnectionSaturation,
            IdleInTransaction,
            LongTransaction,
            BlockingChain
        ]
    ),
    area!("Queries", queries, queries, Own, [SlowQuery, QueryLint]),
    area!(
        "Indexes",
        indexes,
        indexes,
        ThisDatabase,
        [
            UnusedIndex,
            DuplicateIndex,
            RedundantIndex,
            InvalidIndex,
            MissingFkIndex,
            IndexSuggestion
        ]
    ),
    area!(
        "Bloat and vacuum",
        bloat,
        bloat,
        ThisDatabase,
        [TableBloat, IndexBloat, VacuumOverdue, WraparoundRisk]
    ),
    area!(
        "Cluster",
        overview,
        overview,
        Own,
        [
            Deadlocks,
            CacheHitRatio,
            TempFiles,
            ReplicationLag,
            WraparoundRisk
        ]
    ),
    area!("Settings", settings, settings, Own, [Setting]),
];

/// Which findings a report keeps: `--only` and `--min-severity`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// Only these kinds (empty: every kind).
    pub only: Vec<Kind>,
    pub min_severity: Severity,
}

impl Filter {
    #[must_use]
    pub fn keeps(&self, finding: &Finding) -> bool {
        finding.severity >= self.min_severity
            && (self.only.is_empty() || self.only.contains(&finding.kind))
    }
}

/// One area's findings as the report shows them.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub title: &'static str,
    pub findings: Vec<Finding>,
}

/// Runs every area for a report on `database`: the kept findings by area (worst first within
/// each), and what could not be checked, each line naming its area. Each finding names its
/// database; a statement of another database is told apart and only ever advice, so that a
/// check of one database is not failed by another's statements.
#[must_use]
pub fn run(
    analyses: &Analyses,
    limits: &Thresholds,
    filter: &Filter,
    database: &str,
) -> (Vec<Section>, Vec<String>) {
    let mut sections = Vec::new();
    let mut not_checked = Vec::new();
    for area in AREAS {
        let outcome = (area.run)(analyses, limits);
        let mut findings: Vec<Finding> = outcome
            .findings
            .into_iter()
            .map(|f| placed(f, area.scope, database))
            .filter(|f| filter.keeps(f))
            .collect();
        findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
        let asked = filter.only.is_empty() || area.kinds.iter().any(|k| filter.only.contains(k));
        not_checked.extend(
            outcome
                .not_checked
                .into_iter()
                .filter(|_| asked)
                .map(|why| format!("{}: {why}", area.title)),
        );
        sections.push(Section {
            title: area.title,
            findings,
        });
    }
    (sections, not_checked)
}

/// `finding` with its database: this one for the catalog's findings; a statement names its
/// own, and one of another database is advice about that database.
fn placed(mut finding: Finding, scope: Scope, database: &str) -> Finding {
    if scope == Scope::ThisDatabase && finding.database.is_none() {
        finding.database = Some(database.to_owned());
    }
    if matches!(finding.kind, Kind::SlowQuery | Kind::QueryLint) {
        let own = finding.evidence.get("database").and_then(|d| d.as_str());
        finding.database = own.map(str::to_owned);
        if own.is_some_and(|d| d != database) && finding.severity > Severity::Info {
            finding.evidence.insert(
                "severity_in_its_database".to_owned(),
                finding.severity.word().into(),
            );
            finding.severity = Severity::Info;
            finding.summary = format!(
                "(another database: {} there) {}",
                finding.evidence["severity_in_its_database"]
                    .as_str()
                    .unwrap_or_default(),
                finding.summary
            );
        }
    }
    finding
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_analysis_that_failed_is_not_checked_and_filters_keep_what_was_asked() {
        let analyses = Analyses {
            overview: Err("permission denied for view pg_stat_database".to_owned()),
            activity: Err("permission denied for view pg_stat_activity".to_owned()),
            queries: Err("pg_stat_statements is not loaded".to_owned()),
            indexes: Err("canceling statement due to lock timeout".to_owned()),
            bloat: Err("permission denied for table pg_statistic".to_owned()),
            settings: Err("canceling statement due to statement timeout".to_owned()),
        };
        let filter = Filter {
            only: Vec::new(),
            min_severity: Severity::Info,
        };
        let (sections, not_checked) = run(&analyses, &Thresholds::default(), &filter, "shop");
        assert_eq!(sections.len(), AREAS.len());
        assert!(sections.iter().all(|s| s.findings.is_empty()));
        assert_eq!(
            not_checked,
            [
                "Connections and sessions: permission denied for view pg_stat_activity",
                "Queries: pg_stat_statements is not loaded",
                "Indexes: canceling statement due to lock timeout",
                "Bloat and vacuum: permission denied for table pg_statistic",
                "Cluster: permission denied for view pg_stat_database",
                "Settings: canceling statement due to statement timeout"
            ]
        );
        let info = Finding::new(Kind::Setting, Severity::Info, "x");
        let warning = Finding::new(Kind::UnusedIndex, Severity::Warning, "y");
        let only = Filter {
            only: vec![Kind::Setting],
            min_severity: Severity::Info,
        };
        assert!(only.keeps(&info) && !only.keeps(&warning));
        let serious = Filter {
            only: Vec::new(),
            min_severity: Severity::Warning,
        };
        assert!(!serious.keeps(&info) && serious.keeps(&warning));
    }
}
