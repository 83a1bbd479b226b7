//! The Bloat & vacuum pane's findings: estimated table and btree index bloat past the pane's
//! bounds, tables whose vacuum is overdue (autovacuum off on them, falling behind, never
//! vacuumed nor analyzed), and tables past their freeze age (wraparound) — as the pane judged
//! them. The estimates are statistical; an exact figure (pgstattuple) is taken in the pane.

use std::sync::Arc;

use crate::diagnose::health::{Level, Thresholds};
use crate::diagnose::maintenance::{self, Catalog, IndexView, TableRow, TableView, relation_size};
use crate::diagnose::vacuum::{Status, Trigger, Triggers};
use crate::quote::qualified;
use crate::report::{Finding, Kind, Severity};
use crate::ui::format;

/// The Bloat & vacuum pane's analysis of one catalog read.
#[derive(Debug, Clone, PartialEq)]
pub struct Bloat {
    pub catalog: Arc<Catalog>,
    pub tables: Vec<TableView>,
    pub indexes: Vec<IndexView>,
}

impl Bloat {
    /// Judges every table and index of `catalog`, as the pane does.
    #[must_use]
    pub fn of(catalog: Arc<Catalog>) -> Self {
        Self {
            tables: maintenance::tables(&catalog),
            indexes: maintenance::indexes(&catalog),
            catalog,
        }
    }
}

/// Bloat, overdue vacuums and tables past their freeze age.
#[must_use]
pub fn findings(b: &Bloat, _limits: &Thresholds) -> Vec<Finding> {
    let mut out = Vec::new();
    for view in &b.tables {
        let Some(table) = b.catalog.tables.get(view.row) else {
            continue;
        };
        out.extend(table_bloat(view, table));
        out.extend(vacuum(view, table));
    }
    for view in &b.indexes {
        out.extend(index_bloat(b, view));
    }
    out
}

/// What the estimates could not cover.
#[must_use]
pub fn not_checked(b: &Bloat) -> Vec<String> {
    let tables = b.tables.iter().filter(|t| t.verdict.is_err()).count();
    let indexes = b.indexes.iter().filter(|i| i.verdict.is_err()).count();
    if tables + indexes == 0 {
        return Vec::new();
    }
    vec![format!(
        "bloat of {tables} tables and {indexes} indexes: the statistics give no estimate (never \
         analyzed, or a type the estimate cannot size; the Bloat pane says which, and measures \
         them exactly with pgstattuple)"
    )]
}

fn severity(level: Level) -> Option<Severity> {
    match level {
        Level::Critical => Some(Severity::Critical),
        Level::Warn => Some(Severity::Warning),
        Level::Ok | Level::Unknown => None,
    }
}

/// A finding about `schema.name`, with the keys every bloat finding carries.
fn bloat_finding(kind: Kind, severity: Severity, summary: String, pct: f64, bytes: f64) -> Finding {
    Finding::new(kind, severity, summary)
        .with("estimated_bloat_bytes", bytes.round())
        .with("estimated_bloat_pct", pct)
        .with("exact_bloat_bytes", serde_json::Value::Null)
        .with("exact_bloat_pct", serde_json::Value::Null)
}

fn table_bloat(view: &TableView, table: &TableRow) -> Option<Finding> {
    let severity = severity(view.level)?;
    let estimate = view.verdict.as_ref().ok()?;
    let size = relation_size(table.size)?;
    let wasted = view.wasted.unwrap_or(0.0);
    let name = format!("{}.{}", table.schema, table.name);
    let summary = format!(
        "{name}: about {:.0}% of its {} is bloat ({}, estimated from the statistics); VACUUM \
         makes it reusable, only a rewrite returns it",
        estimate.wasted_pct,
        format::bytes(size),
        format::bytes(wasted)
    );
    let mut f = bloat_finding(
        Kind::TableBloat,
        severity,
        summary,
        estimate.wasted_pct,
        wasted,
    )
    .with("size_bytes", size)
    .with("dead_pct", view.dead_pct)
    .with("n_dead_tup", table.counters.n_dead_tup);
    f.schema = Some(table.schema.clone());
    f.table = Some(table.name.clone());
    f.sql = Some(format!(
        "VACUUM (FULL, ANALYZE) {};  -- rewrites it under an ACCESS EXCLUSIVE lock: every \
         read and write of it waits",
        qualified(&table.schema, &table.name)
    ));
    Some(f)
}

fn index_bloat(b: &Bloat, view: &IndexView) -> Option<Finding> {
    let severity = severity(view.level)?;
    let estimate = view.verdict.as_ref().ok()?;
    let index = b.catalog.indexes.get(view.row)?;
    let size = relation_size(index.size)?;
    let wasted = view.wasted.unwrap_or(0.0);
    let summary = format!(
        "index {}.{} on {}: about {:.0}% of its {} is bloat ({}, estimated from the \
         statistics)",
        index.schema,
        index.name,
        index.table,
        estimate.wasted_pct,
        format::bytes(size),
        format::bytes(wasted)
    );
    let mut f = bloat_finding(
        Kind::IndexBloat,
        severity,
        summary,
        estimate.wasted_pct,
        wasted,
    )
    .with("size_bytes", size);
    f.schema = Some(index.schema.clone());
    f.table = Some(index.table.clone());
    f.index = Some(index.name.clone());
    f.sql = Some(format!(
        "REINDEX INDEX CONCURRENTLY {};",
        qualified(&index.schema, &index.name)
    ));
    Some(f)
}

/// A table never vacuumed nor analyzed is overdue only once autovacuum should have come: past
/// its vacuum, insert or analyze threshold. Below them (a small lookup table, or any table just
/// after a statistics reset) autovacuum rightly leaves it alone, and a check must not warn
/// about it forever.
fn autovacuum_due(triggers: &Triggers) -> bool {
    triggers.vacuum.fired()
        || triggers.analyze.fired()
        || triggers.insert.is_some_and(|t| t.fired())
}

/// An overdue vacuum, or (past the freeze age) wraparound ahead.
fn vacuum(view: &TableView, table: &TableRow) -> Option<Finding> {
    let status = view.status.status;
    let severity = match status {
        Status::Urgent => Severity::Critical,
        Status::Never if autovacuum_due(&view.triggers) => Severity::Warning,
        Status::Never | Status::Soon | Status::Ok => return None,
    };
    let past = |t: Option<Trigger>| t.filter(Trigger::fired);
    let freeze = past(view.triggers.freeze).or(past(view.triggers.multixact));
    let name = format!("{}.{}", table.schema, table.name);
    let quoted = qualified(&table.schema, &table.name);
    let c = &table.counters;
    let (kind, sql) = if freeze.is_some() {
        (
            Kind::WraparoundRisk,
            format!("VACUUM (FREEZE, ANALYZE) {quoted};"),
        )
    } else {
        (Kind::VacuumOverdue, format!("VACUUM (ANALYZE) {quoted};"))
    };
    let mut f = Finding::new(kind, severity, format!("{name}: {}", view.status.reason))
        .with("status", status.word())
        .with("n_dead_tup", c.n_dead_tup)
        .with("n_live_tup", c.n_live_tup)
        .with("dead_pct", view.dead_pct)
        .with("xid_age", c.xid_age)
        .with("mxid_age", c.mxid_age)
        .with("autovacuum_active", view.triggers.effective.active)
        .with("last_vacuum", c.last_vacuum)
        .with("last_autovacuum", c.last_autovacuum)
        .with("last_analyze", c.last_analyze)
        .with("last_autoanalyze", c.last_autoanalyze);
    if let Some(freeze) = freeze {
        f = f.with("freeze_max_age", freeze.threshold);
    }
    f.schema = Some(table.schema.clone());
    f.table = Some(table.name.clone());
    f.sql = Some(sql);
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::vacuum::{AutovacuumSettings, TableCounters, status, triggers};

    #[test]
    fn a_small_table_autovacuum_never_needs_to_touch_is_not_overdue() {
        // Five rows in a fresh table: under 50 + 10 % changed rows autovacuum never analyzes
        // it, under 50 + 20 % dead rows never vacuums it.
        let small = TableCounters {
            reltuples: -1.0,
            relpages: 1,
            n_live_tup: 5,
            n_mod_since_analyze: 5,
            n_ins_since_vacuum: Some(5),
            xid_age: Some(10),
            mxid_age: Some(1),
            ..TableCounters::default()
        };
        let settings = AutovacuumSettings::default();
        let tr = triggers(&small, &settings);
        assert_eq!(status(&small, &tr).status, Status::Never);
        assert!(!autovacuum_due(&tr));
        // 50,000 rows loaded and never analyzed: past the analyze threshold long ago.
        let loaded = TableCounters {
            n_live_tup: 50_000,
            n_mod_since_analyze: 50_000,
            n_ins_since_vacuum: Some(50_000),
            relpages: 900,
            ..small
        };
        assert!(autovacuum_due(&triggers(&loaded, &settings)));
    }
}
