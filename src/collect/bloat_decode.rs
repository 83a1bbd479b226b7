//! Rows of the Bloat & vacuum queries into the pane's typed snapshot. Columns and index keys
//! take their statistics from the one statistics read, by (relation, attnum).

use std::collections::{HashMap, HashSet};

use tokio_postgres::Row;

use crate::diagnose::bloat::{
    BTREE_DEFAULT_FILLFACTOR, ColumnStats, Freshness, Geometry, HEAP_DEFAULT_FILLFACTOR,
    IndexInputs, LiveCounts, TableInputs, fillfactor, reloption_bool,
};
use crate::diagnose::maintenance::{HorizonHolder, IndexRow, TableRow, VacuumProgress};
use crate::diagnose::vacuum::{AutovacuumSettings, TableCounters};

/// One column's planner statistics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stat {
    pub avg_width: i32,
    pub null_frac: f32,
    pub n_distinct: f32,
}

/// Every column's statistics this role may read, by (relation, attnum).
pub type Stats = HashMap<(u32, i16), Stat>;

pub fn stats(rows: &[Row]) -> Result<Stats, tokio_postgres::Error> {
    rows.iter()
        .map(|r| {
            let key = (r.try_get("relid")?, r.try_get("attnum")?);
            let stat = Stat {
                avg_width: r.try_get("avg_width")?,
                null_frac: r.try_get("null_frac")?,
                n_distinct: r.try_get("n_distinct")?,
            };
            Ok((key, stat))
        })
        .collect()
}

/// How one relation's columns are stored, in attnum order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Layout {
    pub attnums: Vec<i16>,
    pub typlens: Vec<i16>,
    pub aligns: Vec<char>,
    /// The role may see the column's statistics (tables only).
    pub visible: Vec<bool>,
}

impl Layout {
    /// The column `attnum` may be seen (false when there is no such column).
    fn visible(&self, attnum: i16) -> bool {
        self.attnums
            .iter()
            .position(|a| *a == attnum)
            .is_some_and(|i| self.visible.get(i).copied().unwrap_or(false))
    }

    /// The columns with the statistics of `refs`, one (relation, attnum) per column.
    fn with_stats(
        &self,
        refs: &[(u32, i16)],
        visible: impl Fn(usize) -> bool,
        stats: &Stats,
    ) -> Vec<ColumnStats> {
        self.typlens
            .iter()
            .zip(&self.aligns)
            .zip(refs)
            .enumerate()
            .map(|(i, ((typlen, align), key))| {
                let stat = stats.get(key);
                ColumnStats {
                    typlen: *typlen,
                    align: ColumnStats::align_of(*align),
                    avg_width: stat.map(|s| f64::from(s.avg_width)),
                    null_frac: stat.map_or(0.0, |s| f64::from(s.null_frac)),
                    visible: visible(i),
                }
            })
            .collect()
    }
}

/// Every relation's layout, by relid.
pub fn layouts(rows: &[Row]) -> Result<HashMap<u32, Layout>, tokio_postgres::Error> {
    rows.iter()
        .map(|r| {
            let layout = Layout {
                attnums: r.try_get("attnums")?,
                typlens: r.try_get("typlens")?,
                aligns: r.try_get::<_, String>("aligns")?.chars().collect(),
                visible: r.try_get("visible")?,
            };
            Ok((r.try_get("relid")?, layout))
        })
        .collect()
}

/// A table's columns with their statistics.
fn table_columns(relid: u32, layout: Option<&Layout>, stats: &Stats) -> Vec<ColumnStats> {
    let Some(layout) = layout else {
        return Vec::new();
    };
    let refs: Vec<(u32, i16)> = layout.attnums.iter().map(|a| (relid, *a)).collect();
    layout.with_stats(
        &refs,
        |i| layout.visible.get(i).copied().unwrap_or(false),
        stats,
    )
}

pub fn settings(row: &Row) -> Result<(Geometry, AutovacuumSettings), tokio_postgres::Error> {
    let geometry = Geometry {
        block_size: f64::from(row.try_get::<_, i32>("block_size")?),
    };
    let insert: Option<f64> = row.try_get("insert_threshold")?;
    let settings = AutovacuumSettings {
        autovacuum: row.try_get("autovacuum")?,
        track_counts: row.try_get("track_counts")?,
        vacuum_threshold: row.try_get("vacuum_threshold")?,
        vacuum_scale_factor: row.try_get("vacuum_scale_factor")?,
        vacuum_max_threshold: row.try_get("vacuum_max_threshold")?,
        insert_threshold: insert,
        insert_scale_factor: row
            .try_get::<_, Option<f64>>("insert_scale_factor")?
            .unwrap_or(0.0),
        analyze_threshold: row.try_get("analyze_threshold")?,
        analyze_scale_factor: row.try_get("analyze_scale_factor")?,
        freeze_max_age: row.try_get("freeze_max_age")?,
        multixact_freeze_max_age: row.try_get("multixact_freeze_max_age")?,
    };
    Ok((geometry, settings))
}

pub fn table(
    row: &Row,
    layouts: &HashMap<u32, Layout>,
    stats: &Stats,
    geometry: Geometry,
) -> Result<TableRow, tokio_postgres::Error> {
    let relid: u32 = row.try_get("relid")?;
    let reloptions: Vec<String> = row.try_get("reloptions")?;
    let reltuples: f64 = row.try_get("reltuples")?;
    let relpages: i64 = row.try_get("relpages")?;
    let counters = TableCounters {
        reltuples,
        relpages,
        relallfrozen: row.try_get("relallfrozen")?,
        n_live_tup: row.try_get("n_live_tup")?,
        n_dead_tup: row.try_get("n_dead_tup")?,
        n_mod_since_analyze: row.try_get("n_mod_since_analyze")?,
        n_ins_since_vacuum: row.try_get("n_ins_since_vacuum")?,
        xid_age: row.try_get("xid_age")?,
        toast_xid_age: row.try_get("toast_xid_age")?,
        mxid_age: row.try_get("mxid_age")?,
        last_vacuum: row.try_get("last_vacuum")?,
        last_autovacuum: row.try_get("last_autovacuum")?,
        last_analyze: row.try_get("last_analyze")?,
        last_autoanalyze: row.try_get("last_autoanalyze")?,
        reloptions: Vec::new(),
    };
    let columns = table_columns(relid, layouts.get(&relid), stats);
    let freshness = Freshness {
        // Statistics survive a reset of the counters that date the last ANALYZE.
        analyzed: counters.last_analyze.is_some()
            || counters.last_autoanalyze.is_some()
            || columns.iter().any(|c| c.avg_width.is_some()),
        mod_since_analyze: counters.n_mod_since_analyze,
        rls_hidden: row.try_get("rls_hidden")?,
    };
    let size: Option<i64> = row.try_get("size")?;
    // n_live_tup counts from the last VACUUM or ANALYZE that set it: not before one has run
    // since the counters were reset.
    let counted = counters.last_vacuum.is_some()
        || counters.last_autovacuum.is_some()
        || counters.last_analyze.is_some()
        || counters.last_autoanalyze.is_some();
    let now = size.filter(|_| counted).map(|bytes| LiveCounts {
        pages: (bytes as f64 / geometry.block_size).ceil(),
        live_tuples: counters.n_live_tup as f64,
    });
    Ok(TableRow {
        relid,
        schema: row.try_get("schema")?,
        name: row.try_get("name")?,
        matview: row.try_get::<_, String>("relkind")? == "m",
        maintain: row.try_get("maintain")?,
        database_owner: row.try_get("database_owner")?,
        size,
        toast_size: row.try_get("toast_size")?,
        inputs: TableInputs {
            relpages,
            reltuples,
            fillfactor: fillfactor(&reloptions, HEAP_DEFAULT_FILLFACTOR),
            columns,
            freshness,
            now,
        },
        counters: TableCounters {
            reloptions,
            ..counters
        },
    })
}

/// Where the statistics of an index's stored columns are: a plain column's are the table's,
/// an expression's (key 0) the index's own, at its position.
fn stat_refs(relid: u32, indexrelid: u32, indkey: &[i16]) -> Vec<(u32, i16)> {
    indkey
        .iter()
        .zip(1i16..)
        .map(|(attnum, pos)| {
            if *attnum == 0 {
                (indexrelid, pos)
            } else {
                (relid, *attnum)
            }
        })
        .collect()
}

/// What the index estimate needs besides the row: every layout, the statistics, and the
/// btree operator classes deduplication accepts.
pub struct IndexContext<'a> {
    pub version_num: u32,
    pub layouts: &'a HashMap<u32, Layout>,
    pub stats: &'a Stats,
    pub equalimage: &'a HashSet<u32>,
}

pub fn index(row: &Row, cx: &IndexContext<'_>) -> Result<IndexRow, tokio_postgres::Error> {
    let indexrelid: u32 = row.try_get("indexrelid")?;
    let relid: u32 = row.try_get("relid")?;
    let reloptions: Vec<String> = row.try_get("reloptions")?;
    let unique: bool = row.try_get("is_unique")?;
    let keys = usize::try_from(row.try_get::<_, i32>("key_columns")?).unwrap_or(0);
    let indkey: Vec<i16> = row.try_get("indkey")?;
    let indclass: Vec<u32> = row.try_get("indclass")?;
    let refs = stat_refs(relid, indexrelid, &indkey);
    let empty = Layout::default();
    let table = cx.layouts.get(&relid).unwrap_or(&empty);
    // An expression's statistics are shown to those who may read the whole table.
    let whole_table = table.visible.iter().all(|v| *v);
    let visible = |i: usize| match indkey.get(i) {
        Some(0) | None => whole_table,
        Some(attnum) => table.visible(*attnum),
    };
    let columns = cx
        .layouts
        .get(&indexrelid)
        .map_or_else(Vec::new, |l| l.with_stats(&refs, visible, cx.stats));
    let has_include = indkey.len() > keys;
    let dedup_on = reloption_bool(&reloptions, "deduplicate_items") != Some(false);
    let equalimage = indclass
        .iter()
        .take(keys)
        .all(|c| cx.equalimage.contains(c));
    let key_distinct = refs
        .iter()
        .take(keys)
        .map(|key| cx.stats.get(key).map(|s| f64::from(s.n_distinct)))
        .collect();
    Ok(IndexRow {
        indexrelid,
        relid,
        schema: row.try_get("schema")?,
        name: row.try_get("name")?,
        table: row.try_get("table_name")?,
        unique,
        primary: row.try_get("is_primary")?,
        size: row.try_get("size")?,
        inputs: IndexInputs {
            access_method: row.try_get("access_method")?,
            relpages: row.try_get("relpages")?,
            reltuples: row.try_get("reltuples")?,
            dead_entries: 0.0,
            fillfactor: fillfactor(&reloptions, BTREE_DEFAULT_FILLFACTOR),
            columns,
            key_distinct,
            dedup_possible: cx.version_num >= 130_000
                && dedup_on
                && equalimage
                && !has_include
                && !unique,
            // The table's, once both are read.
            freshness: Freshness {
                analyzed: false,
                mod_since_analyze: 0,
                rls_hidden: false,
            },
        },
    })
}

pub fn progress(row: &Row) -> Result<VacuumProgress, tokio_postgres::Error> {
    let schema: Option<String> = row.try_get("schema")?;
    let name: Option<String> = row.try_get("name")?;
    Ok(VacuumProgress {
        command: row.try_get("command")?,
        pid: row.try_get("pid")?,
        database: row
            .try_get::<_, Option<String>>("database")?
            .unwrap_or_default(),
        relid: row.try_get("relid")?,
        relation: schema.zip(name).map(|(s, n)| format!("{s}.{n}")),
        phase: row.try_get("phase")?,
        blks_total: row.try_get::<_, Option<i64>>("blks_total")?.unwrap_or(0),
        blks_scanned: row.try_get::<_, Option<i64>>("blks_scanned")?.unwrap_or(0),
        blks_vacuumed: row.try_get::<_, Option<i64>>("blks_vacuumed")?.unwrap_or(0),
        index_passes: row.try_get::<_, Option<i64>>("index_passes")?.unwrap_or(0),
        dead_items: row.try_get("dead_items")?,
        memory_fill: row.try_get("memory_fill")?,
        indexes_total: row.try_get("indexes_total")?,
        indexes_processed: row.try_get("indexes_processed")?,
        autovacuum: row
            .try_get::<_, Option<bool>>("autovacuum")?
            .unwrap_or(false),
        wraparound: row.try_get("wraparound")?,
        running_secs: row.try_get("running_secs")?,
        wait_event_type: row.try_get("wait_event_type")?,
        wait_event: row.try_get("wait_event")?,
    })
}

pub fn holder(row: &Row) -> Result<HorizonHolder, tokio_postgres::Error> {
    Ok(HorizonHolder {
        kind: row.try_get("kind")?,
        name: row
            .try_get::<_, Option<String>>("name")?
            .unwrap_or_default(),
        database: row
            .try_get::<_, Option<String>>("database")?
            .unwrap_or_default(),
        detail: row
            .try_get::<_, Option<String>>("detail")?
            .unwrap_or_default(),
        xmin_age: row.try_get("xmin_age")?,
        age_secs: row.try_get("age_secs")?,
    })
}
