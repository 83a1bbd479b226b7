//! Index health, pure: what the Indexes pane's collector read (definitions in parts, scans,
//! sizes, foreign keys, table write counters) and the findings drawn from it — invalid,
//! duplicate, redundant, unused indexes and foreign keys without a supporting index.
//!
//! No I/O, no async, no terminal. The collector fills [`IndexesSnapshot`]; [`findings`] judges
//! it; [`fix`] turns a finding into the statements that would resolve it (and undo that).

mod findings;
pub mod fix;
pub mod plans;

use std::collections::HashMap;

pub use findings::{Finding, FindingKind, IndexRef, findings};

/// Stats younger than this make "never scanned" weak evidence (a weekly job may not have run).
pub const YOUNG_STATS_SECS: f64 = 7.0 * 86_400.0;

/// Everything the Indexes pane reads in one (slow-cadence) refresh.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndexesSnapshot {
    /// The server's clock when it was read, epoch seconds.
    pub taken_at: f64,
    pub database: String,
    /// When this database's statistics were last reset (epoch seconds); `None`: never.
    pub stats_reset: Option<f64>,
    /// When the server's statistics last started from nothing (initdb, a crash recovery, an
    /// upgrade): the earliest reset time of pg_stat_bgwriter and pg_stat_archiver, which
    /// those events set (a manual reset of either only moves it later).
    pub stats_started: Option<f64>,
    /// When the cluster was created (initdb): the time in pg_control_system()'s
    /// system_identifier; `None` where the function may not be called.
    pub created_at: Option<f64>,
    /// Standbys streaming from this server: their index scans are not counted here.
    pub standbys: i64,
    pub indexes: Vec<IndexDef>,
    pub tables: Vec<TableInfo>,
    pub foreign_keys: Vec<ForeignKey>,
    /// Rows inserted, updated and deleted per second over the last interval, by table oid
    /// (empty until two samples of the counters exist).
    pub write_rates: HashMap<i64, f64>,
}

impl IndexesSnapshot {
    /// Everything but the write rates (and the clock) is the same: the findings are too.
    #[must_use]
    pub fn same_catalog(&self, other: &Self) -> bool {
        // created_at never changes
        self.database == other.database
            && self.stats_reset == other.stats_reset
            && self.stats_started == other.stats_started
            && self.standbys == other.standbys
            && self.indexes == other.indexes
            && self.tables == other.tables
            && self.foreign_keys == other.foreign_keys
    }
}

impl IndexesSnapshot {
    /// Since when the scan counters count.
    #[must_use]
    pub fn stats(&self) -> StatsSince {
        StatsSince {
            reset: self.stats_reset,
            started: self.stats_started,
            created: self.created_at,
        }
    }
}

/// Since when the statistics of a database count (epoch seconds).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StatsSince {
    /// The database's statistics were reset then (pg_stat_database.stats_reset).
    pub reset: Option<f64>,
    /// Never reset: the server's statistics started then (see [`IndexesSnapshot`]).
    pub started: Option<f64>,
    /// The cluster was created then: the counters cannot be older.
    pub created: Option<f64>,
}

impl StatsSince {
    /// When the counters started, as far as the server tells: the reset, else the last
    /// start of the server's statistics, else the cluster's creation.
    #[must_use]
    pub fn at(&self) -> Option<f64> {
        self.reset.or(self.started).or(self.created)
    }

    /// Younger than a week at `now`: "never scanned" is weak evidence.
    #[must_use]
    pub fn young(&self, now: f64) -> bool {
        self.at().is_some_and(|at| now - at < YOUNG_STATS_SECS)
    }

    /// A few words for a title: `stats reset 3 days ago`, `stats from 4 min ago`.
    #[must_use]
    pub fn short(&self, now: f64) -> String {
        match (self.reset, self.at()) {
            (Some(at), _) => format!("stats reset {} ago", age_words(now - at)),
            (None, Some(at)) => format!("stats never reset, from {} ago", age_words(now - at)),
            (None, None) => "stats never reset".to_owned(),
        }
    }

    /// What "0 scans" covers, as a sentence's tail: `since the statistics reset 3 days ago`.
    #[must_use]
    pub fn since(&self, now: f64) -> String {
        match (self.reset, self.at()) {
            (Some(at), _) => format!("since the statistics reset {} ago", age_words(now - at)),
            (None, Some(at)) => format!(
                "in the {} the statistics have counted (never reset: since the server's \
                 statistics started, at its creation, a crash recovery or an upgrade)",
                age_words(now - at)
            ),
            (None, None) => "since statistics began (never reset)".to_owned(),
        }
    }
}

/// One index, its definition taken apart the way pg_index stores it.
#[derive(Debug, Clone, Default, PartialEq)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "pg_index's flags, each independent"
)]
pub struct IndexDef {
    pub oid: i64,
    pub table_oid: i64,
    pub schema: String,
    pub table: String,
    pub name: String,
    /// Access method: btree, hash, gin, gist, brin, …
    pub method: String,
    /// How many of `columns` are key columns; the rest are INCLUDE columns.
    pub key_count: usize,
    /// Per column: the table's attnum, or 0 for an expression.
    pub attnums: Vec<i16>,
    /// Per column: the column's name or the expression, as pg_get_indexdef writes it.
    pub columns: Vec<String>,
    /// Per key column: operator class, collation (0: none) and indoption (DESC, NULLS FIRST).
    pub opclasses: Vec<i64>,
    pub collations: Vec<i64>,
    pub options: Vec<i16>,
    /// The WHERE of a partial index.
    pub predicate: Option<String>,
    pub unique: bool,
    pub primary: bool,
    pub exclusion: bool,
    pub valid: bool,
    pub replica_identity: bool,
    /// The primary key, unique or exclusion constraint the index backs.
    pub constraint: Option<String>,
    /// A foreign key references the table through this (unique) index.
    pub referenced_by_fk: bool,
    /// An index of a partitioned table (no storage of its own).
    pub partitioned: bool,
    /// One partition's part of a partitioned index (dropped only with its parent).
    pub partition: bool,
    /// A CREATE INDEX or REINDEX is building it right now.
    pub building: bool,
    /// It or its table is locked ACCESS EXCLUSIVE (being altered or dropped): its columns,
    /// predicate, definition and size could not be read without waiting.
    pub locked: bool,
    /// Index scans since the statistics were reset.
    pub scans: i64,
    /// When it was last scanned (16+), epoch seconds.
    pub last_scan: Option<f64>,
    /// `None` when it was not measured (a lock on it or its table would have blocked).
    pub size_bytes: Option<i64>,
    /// `CREATE [UNIQUE] INDEX …` as pg_get_indexdef writes it.
    pub definition: String,
}

impl IndexDef {
    /// The key columns (without INCLUDE columns).
    #[must_use]
    pub fn keys(&self) -> &[String] {
        &self.columns[..self.key_count.min(self.columns.len())]
    }

    /// The INCLUDE columns.
    #[must_use]
    pub fn included(&self) -> &[String] {
        &self.columns[self.key_count.min(self.columns.len())..]
    }

    /// Key column `i` with everything that decides what it can serve: the column or
    /// expression, operator class, collation and ordering options.
    #[must_use]
    pub fn key(&self, i: usize) -> Option<KeyColumn<'_>> {
        (i < self.key_count).then(|| KeyColumn {
            column: self.columns.get(i).map_or("", String::as_str),
            opclass: self.opclasses.get(i).copied().unwrap_or(0),
            collation: self.collations.get(i).copied().unwrap_or(0),
            option: self.options.get(i).copied().unwrap_or(0),
        })
    }

    /// The constraint-like role that forbids dropping it, in words.
    #[must_use]
    pub fn protected_by(&self) -> Option<String> {
        if self.primary {
            Some(format!(
                "backs the primary key {}",
                self.constraint.as_deref().unwrap_or("")
            ))
        } else if let Some(constraint) = &self.constraint {
            let kind = if self.exclusion {
                "exclusion"
            } else {
                "unique"
            };
            Some(format!("backs the {kind} constraint {constraint}"))
        } else if self.replica_identity {
            Some("is the table's replica identity".to_owned())
        } else if self.unique {
            Some("enforces uniqueness".to_owned())
        } else if self.exclusion {
            Some("enforces an exclusion constraint".to_owned())
        } else if self.referenced_by_fk {
            Some("a foreign key references the table through it".to_owned())
        } else if self.partitioned || self.partition {
            Some("belongs to a partitioned index (drop it on the partitioned table)".to_owned())
        } else {
            None
        }
    }

    /// `schema.table`.
    #[must_use]
    pub fn table_name(&self) -> String {
        format!("{}.{}", self.schema, self.table)
    }
}

/// One key column of an index, as far as what it can serve is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyColumn<'a> {
    pub column: &'a str,
    pub opclass: i64,
    pub collation: i64,
    pub option: i16,
}

/// A table (or partitioned table, or materialized view) with its size and write counters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableInfo {
    pub oid: i64,
    pub schema: String,
    pub name: String,
    /// Heap and TOAST, without indexes; `None` when not measured (locked).
    pub size_bytes: Option<i64>,
    /// Estimated live rows.
    pub live_rows: i64,
    pub seq_scans: i64,
    /// This role may create and drop its indexes (it owns the table, by membership, or is
    /// a superuser).
    pub may_alter: bool,
    pub owner: String,
}

/// Cumulative write counters of one table, for a write rate between two samples.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TableWrites {
    pub oid: i64,
    /// n_tup_ins + n_tup_upd + n_tup_del.
    pub writes: i64,
}

/// A foreign key, on the referencing table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ForeignKey {
    pub oid: i64,
    pub name: String,
    pub table_oid: i64,
    pub schema: String,
    pub table: String,
    /// Referencing columns, in constraint order: attnums and names.
    pub attnums: Vec<i16>,
    pub columns: Vec<String>,
    /// `schema.table` it references, and the referenced columns.
    pub referenced: String,
    pub referenced_columns: Vec<String>,
    /// ON DELETE action as pg_constraint.confdeltype (a, r, c, n, d).
    pub on_delete: char,
}

/// A span of time as a review reads it: `40 min`, `5 h`, `3 days`.
#[must_use]
pub fn age_words(secs: f64) -> String {
    let secs = secs.max(0.0);
    if secs < 3600.0 {
        format!("{} min", (secs / 60.0).round() as i64)
    } else if secs < 2.0 * 86_400.0 {
        format!("{} h", (secs / 3600.0).round() as i64)
    } else {
        format!("{} days", (secs / 86_400.0).round() as i64)
    }
}

/// Writes per second per table between two samples of the counters; tables whose counters
/// went backwards (a stats reset) or that are new get no rate.
#[must_use]
pub fn write_rates(
    before: (f64, &[TableWrites]),
    after: (f64, &[TableWrites]),
) -> HashMap<i64, f64> {
    let seconds = after.0 - before.0;
    if seconds <= 0.0 || !seconds.is_finite() {
        return HashMap::new();
    }
    let old: HashMap<i64, i64> = before.1.iter().map(|t| (t.oid, t.writes)).collect();
    after
        .1
        .iter()
        .filter_map(|t| {
            let delta = t.writes - *old.get(&t.oid)?;
            (delta >= 0).then(|| (t.oid, delta as f64 / seconds))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_rates_need_two_samples_and_skip_resets() {
        let a = [
            TableWrites {
                oid: 1,
                writes: 100,
            },
            TableWrites { oid: 2, writes: 50 },
        ];
        let b = [
            TableWrites {
                oid: 1,
                writes: 160,
            },
            TableWrites { oid: 2, writes: 10 },
            TableWrites { oid: 3, writes: 5 },
        ];
        let rates = write_rates((10.0, &a), (40.0, &b));
        assert_eq!(rates.get(&1), Some(&2.0));
        assert_eq!(rates.get(&2), None, "counters reset");
        assert_eq!(rates.get(&3), None, "no earlier sample");
        assert!(write_rates((10.0, &a), (10.0, &b)).is_empty());
    }

    #[test]
    fn protected_indexes_say_why() {
        let pk = IndexDef {
            primary: true,
            unique: true,
            constraint: Some("t_pkey".to_owned()),
            ..IndexDef::default()
        };
        assert_eq!(
            pk.protected_by().as_deref(),
            Some("backs the primary key t_pkey")
        );
        let plain = IndexDef::default();
        assert_eq!(plain.protected_by(), None);
        let ri = IndexDef {
            replica_identity: true,
            ..IndexDef::default()
        };
        assert!(ri.protected_by().unwrap().contains("replica identity"));
    }
}
