//! The Bloat & vacuum pane's data: the snapshot its collector reads (plain typed rows) and
//! the judged rows the pane shows (estimates, triggers, statuses), built once per catalog
//! read. Pure; no I/O.

use std::sync::Arc;

use crate::diagnose::bloat::{self, Estimate, Geometry, IndexInputs, TableInputs, Verdict};
use crate::diagnose::health::Level;
use crate::diagnose::vacuum::{self, AutovacuumSettings, Judged, TableCounters, Triggers};
use crate::snapshot::Part;

/// One refresh of the Bloat & vacuum pane.
#[derive(Debug, Clone, PartialEq)]
pub struct BloatSnapshot {
    /// Local clock, epoch seconds.
    pub taken_at: f64,
    /// Tables, indexes and settings: re-read on a slower cadence than the rest, so the same
    /// catalog (same `Arc`) comes back in several snapshots.
    pub catalog: Part<Arc<Catalog>>,
    /// Every VACUUM, VACUUM FULL and CLUSTER running on the server.
    pub progress: Part<Vec<VacuumProgress>>,
    /// What holds the xmin horizon back, oldest first.
    pub horizon: Part<Vec<HorizonHolder>>,
}

/// Every table and index of the database with the inputs of their estimates.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Catalog {
    /// When it was read (local clock, epoch seconds) and how long the reading took.
    pub read_at: f64,
    pub read_ms: f64,
    /// server_version_num.
    pub version_num: u32,
    /// The server's clock when the catalog was read (epoch seconds): the last vacuum and
    /// analyze times are measured against it.
    pub server_now: f64,
    pub geometry: Geometry,
    pub settings: AutovacuumSettings,
    pub tables: Vec<TableRow>,
    pub indexes: Vec<IndexRow>,
}

/// A table or materialized view.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRow {
    pub relid: u32,
    pub schema: String,
    pub name: String,
    /// A materialized view rather than a table.
    pub matview: bool,
    /// The role may VACUUM, ANALYZE and REINDEX it (owner, superuser; MAINTAIN on 17+).
    pub maintain: bool,
    /// The role owns the database (VACUUM and ANALYZE of any table in it).
    pub database_owner: bool,
    /// Main fork bytes now (`None` while an ACCESS EXCLUSIVE lock is held or awaited on it).
    pub size: Option<i64>,
    /// TOAST table and its index, bytes.
    pub toast_size: Option<i64>,
    pub inputs: TableInputs,
    pub counters: TableCounters,
}

/// An index.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexRow {
    pub indexrelid: u32,
    /// The table it indexes.
    pub relid: u32,
    pub schema: String,
    pub name: String,
    pub table: String,
    pub unique: bool,
    pub primary: bool,
    pub size: Option<i64>,
    pub inputs: IndexInputs,
}

/// A VACUUM, VACUUM FULL or CLUSTER in progress.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VacuumProgress {
    /// "vacuum", "vacuum full" or "cluster".
    pub command: String,
    pub pid: i32,
    pub database: String,
    pub relid: u32,
    /// `schema.name` when the relation is in this database.
    pub relation: Option<String>,
    pub phase: String,
    pub blks_total: i64,
    pub blks_scanned: i64,
    /// Heap blocks vacuumed (VACUUM) or tuples written (VACUUM FULL, CLUSTER).
    pub blks_vacuumed: i64,
    /// Index vacuum passes (VACUUM) or indexes rebuilt (VACUUM FULL, CLUSTER).
    pub index_passes: i64,
    /// Dead tuples collected so far for removal from the indexes.
    pub dead_items: Option<i64>,
    /// Share of the memory for them in use (maintenance_work_mem): full means an index pass.
    pub memory_fill: Option<f64>,
    /// Indexes to vacuum and vacuumed in this pass (17+).
    pub indexes_total: Option<i64>,
    pub indexes_processed: Option<i64>,
    pub autovacuum: bool,
    /// An autovacuum to prevent wraparound (it does not give way to lock requests).
    pub wraparound: bool,
    pub running_secs: Option<f64>,
    pub wait_event_type: Option<String>,
    pub wait_event: Option<String>,
}

impl VacuumProgress {
    /// How far the current phase is, 0–1, when the phase has a measure.
    #[must_use]
    pub fn fraction(&self) -> Option<f64> {
        let of = |done: i64, total: i64| {
            (total > 0).then(|| (done as f64 / total as f64).clamp(0.0, 1.0))
        };
        match self.phase.as_str() {
            "scanning heap" | "seq scanning heap" | "index scanning heap" => {
                of(self.blks_scanned, self.blks_total)
            }
            "vacuuming heap" => of(self.blks_vacuumed, self.blks_total),
            "vacuuming indexes" | "cleaning up indexes" => {
                of(self.indexes_processed?, self.indexes_total?)
            }
            _ => None,
        }
    }
}

/// Something that keeps VACUUM from removing recently dead tuples.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HorizonHolder {
    /// "session", "slot", "prepared" or "standby".
    pub kind: String,
    /// The pid, slot name, prepared transaction's gid or standby's name.
    pub name: String,
    pub database: String,
    pub detail: String,
    /// Transactions since its xmin: the tuples that died after it stay.
    pub xmin_age: Option<i64>,
    /// How long its transaction has been open (sessions, prepared transactions).
    pub age_secs: Option<f64>,
}

impl HorizonHolder {
    /// How much it should worry the DBA: by how many transactions it holds the horizon back
    /// (10 M WARN, 100 M CRIT), how long a session or prepared transaction has been open
    /// (against the Overview's oldest-transaction thresholds), and an inactive slot (WARN:
    /// nothing will ever move it).
    #[must_use]
    pub fn level(&self, transaction_age_secs: crate::diagnose::health::Above) -> Level {
        let by_xids = crate::diagnose::health::Above {
            warn: 10_000_000.0,
            critical: 100_000_000.0,
        }
        .judge_opt(self.xmin_age.map(|a| a as f64));
        let by_time = transaction_age_secs.judge_opt(self.age_secs);
        let inactive_slot = if self.kind == "slot" && self.detail.contains("inactive") {
            Level::Warn
        } else {
            Level::Ok
        };
        by_xids.max(by_time).max(inactive_slot)
    }

    /// It holds back the horizon of `database`'s tables: a session of another database does
    /// not (VACUUM leaves it out for them); slots, prepared transactions and standbys do.
    #[must_use]
    pub fn holds(&self, database: &str) -> bool {
        self.kind != "session" || self.database.is_empty() || self.database == database
    }

    /// It keeps a table whose anti-wraparound trigger fired from getting back below it: a
    /// VACUUM can advance relfrozenxid no further than the oldest xmin, which this holder's
    /// age already puts past the table's freeze max age.
    #[must_use]
    pub fn blocks_freeze(&self, triggers: &Triggers) -> bool {
        match (self.xmin_age, triggers.freeze) {
            (Some(age), Some(freeze)) => freeze.fired() && age as f64 >= freeze.threshold,
            _ => false,
        }
    }
}

/// The tables `holder` keeps past their freeze max age (see [`HorizonHolder::blocks_freeze`]),
/// as positions in `views`.
#[must_use]
pub fn freeze_blocked(holder: &HorizonHolder, database: &str, views: &[TableView]) -> Vec<usize> {
    if !holder.holds(database) {
        return Vec::new();
    }
    (0..views.len())
        .filter(|&i| holder.blocks_freeze(&views[i].triggers))
        .collect()
}

// ─── Judged rows ─────────────────────────────────────────────────────────────────────────────

/// A table as the pane shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct TableView {
    /// Position in `Catalog::tables`.
    pub row: usize,
    pub verdict: Verdict,
    /// Estimated wasted bytes (when there is an estimate).
    pub wasted: Option<f64>,
    pub level: Level,
    pub triggers: Triggers,
    pub status: Judged,
    pub dead_pct: Option<f64>,
}

/// An index as the pane shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexView {
    /// Position in `Catalog::indexes`.
    pub row: usize,
    pub verdict: Verdict,
    pub wasted: Option<f64>,
    pub level: Level,
}

/// Judges every table of the catalog.
#[must_use]
pub fn tables(catalog: &Catalog) -> Vec<TableView> {
    catalog
        .tables
        .iter()
        .enumerate()
        .map(|(row, t)| {
            let verdict = bloat::table(&t.inputs, catalog.geometry);
            let size = relation_size(t.size);
            let triggers = vacuum::triggers(&t.counters, &catalog.settings);
            TableView {
                row,
                wasted: wasted(&verdict, size),
                level: judge(&verdict, size),
                status: vacuum::status(&t.counters, &triggers),
                dead_pct: vacuum::dead_pct(&t.counters),
                triggers,
                verdict,
            }
        })
        .collect()
}

/// Judges every index of the catalog.
#[must_use]
pub fn indexes(catalog: &Catalog) -> Vec<IndexView> {
    catalog
        .indexes
        .iter()
        .enumerate()
        .map(|(row, i)| {
            let verdict = bloat::index(&i.inputs, catalog.geometry);
            let size = relation_size(i.size);
            IndexView {
                row,
                wasted: wasted(&verdict, size),
                level: judge(&verdict, size),
                verdict,
            }
        })
        .collect()
}

/// The size measured with the catalog; `None` while an ACCESS EXCLUSIVE lock is held or
/// awaited on the relation (the size functions would wait for it). Never relpages: that is
/// only as recent as the last VACUUM or ANALYZE.
#[must_use]
pub fn relation_size(size: Option<i64>) -> Option<f64> {
    size.map(|s| s as f64)
}

/// The estimated bloat in bytes of a relation of `size` bytes, when both are known.
fn wasted(verdict: &Verdict, size: Option<f64>) -> Option<f64> {
    Some(verdict.as_ref().ok()?.wasted_bytes(size?))
}

fn judge(verdict: &Verdict, size: Option<f64>) -> Level {
    match (verdict, size) {
        (Ok(estimate), Some(size)) => bloat::judge(estimate, size),
        _ => Level::Unknown,
    }
}

/// The exact measurement of one relation, as the pane keeps it.
#[derive(Debug, Clone, PartialEq)]
pub enum Exact {
    /// Asked for; the answer has not come back yet.
    Running,
    Table(bloat::TableExact, Estimate),
    Index(bloat::IndexExact, Estimate),
    Failed(String),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::bloat::{ColumnStats, Freshness};

    fn catalog() -> Catalog {
        let fresh = Freshness {
            analyzed: true,
            mod_since_analyze: 0,
            rls_hidden: false,
        };
        Catalog {
            tables: vec![TableRow {
                relid: 1,
                schema: "public".to_owned(),
                name: "orders".to_owned(),
                matview: false,
                maintain: true,
                database_owner: false,
                size: Some(8334 * 8192),
                toast_size: Some(0),
                inputs: TableInputs {
                    relpages: 8334,
                    reltuples: 5e5,
                    fillfactor: 100,
                    columns: vec![
                        ColumnStats::new(4, 4, 4.0, 0.0),
                        ColumnStats::new(-1, 4, 33.0, 0.0),
                    ],
                    freshness: fresh,
                    now: None,
                },
                counters: TableCounters {
                    n_live_tup: 500_000,
                    n_dead_tup: 500_000,
                    xid_age: Some(100),
                    ..Default::default()
                },
            }],
            indexes: vec![IndexRow {
                indexrelid: 2,
                relid: 1,
                schema: "public".to_owned(),
                name: "orders_doc".to_owned(),
                table: "orders".to_owned(),
                unique: false,
                primary: false,
                size: None,
                inputs: IndexInputs {
                    access_method: "gin".to_owned(),
                    relpages: 10,
                    reltuples: 5e5,
                    dead_entries: 0.0,
                    fillfactor: 90,
                    columns: Vec::new(),
                    key_distinct: Vec::new(),
                    dedup_possible: false,
                    freshness: fresh,
                },
            }],
            ..Default::default()
        }
    }

    #[test]
    fn rows_are_judged_from_their_inputs() {
        let c = catalog();
        let t = &tables(&c)[0];
        assert!((t.wasted.unwrap() - 8334.0 * 8192.0 * 0.5).abs() < 8192.0 * 2.0);
        assert_eq!(t.level, Level::Warn);
        assert_eq!(t.status.status, vacuum::Status::Urgent, "{:?}", t.status);
        assert_eq!(t.dead_pct, Some(50.0));
        let i = &indexes(&c)[0];
        assert!(i.verdict.is_err() && i.wasted.is_none());
        assert_eq!(i.level, Level::Unknown);
    }

    #[test]
    fn a_holder_past_a_table_s_freeze_max_age_keeps_it_from_freezing() {
        let mut c = catalog();
        c.tables[0].counters.reloptions = vec!["autovacuum_freeze_max_age=100000".to_owned()];
        c.tables[0].counters.xid_age = Some(127_983);
        let views = tables(&c);
        assert_eq!(views[0].status.status, vacuum::Status::Urgent);
        let mut holder = HorizonHolder {
            kind: "session".to_owned(),
            name: "23717".to_owned(),
            database: "trading".to_owned(),
            xmin_age: Some(127_000),
            ..Default::default()
        };
        assert_eq!(freeze_blocked(&holder, "trading", &views), vec![0]);
        // A session of another database does not hold this one's tables back.
        assert!(freeze_blocked(&holder, "other", &views).is_empty());
        // Younger than the limit: a vacuum can freeze the table below it.
        holder.xmin_age = Some(90_000);
        assert!(freeze_blocked(&holder, "trading", &views).is_empty());
    }

    #[test]
    fn a_size_is_measured_or_unknown_never_the_pages_of_the_last_vacuum() {
        let mut c = catalog();
        c.tables[0].size = None;
        let t = &tables(&c)[0];
        assert!(t.verdict.is_ok() && t.wasted.is_none(), "{t:?}");
        assert_eq!(t.level, Level::Unknown);
        assert_eq!(relation_size(None), None);
        assert_eq!(relation_size(Some(7_561_216)), Some(7_561_216.0));
    }

    #[test]
    fn vacuum_progress_measures_the_phase_it_is_in() {
        let mut p = VacuumProgress {
            phase: "scanning heap".to_owned(),
            blks_total: 200,
            blks_scanned: 50,
            ..Default::default()
        };
        assert_eq!(p.fraction(), Some(0.25));
        p.phase = "vacuuming indexes".to_owned();
        assert_eq!(p.fraction(), None, "before 17 index passes have no measure");
        p.indexes_total = Some(4);
        p.indexes_processed = Some(1);
        assert_eq!(p.fraction(), Some(0.25));
        p.phase = "truncating heap".to_owned();
        assert_eq!(p.fraction(), None);
    }
}
