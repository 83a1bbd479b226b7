//! Bloat estimation: how big a table or btree index would be if freshly packed, from the
//! planner's statistics, against how big it is. Pure arithmetic on raw per-relation inputs
//! (widths, null fractions, tuple and page counts, fillfactor, block size) read by
//! `collect::bloat`; no I/O.
//!
//! The statistical method: a heap tuple is its 23-byte header plus the null bitmap (when the
//! row has nulls), padded to MAXALIGN (8), plus the columns' average stored widths from
//! pg_stats (the widths as stored in the heap, so TOASTed values count as their 18-byte
//! pointer: TOAST is left aside), each aligned as its type demands and the whole padded to
//! MAXALIGN (padding is counted case by case, never rounded up from an average), plus a
//! 4-byte line pointer. A page holds
//! `(block size − 24-byte header − fillfactor reserve) / that` tuples; the table needs
//! `reltuples / tuples per page` pages. A btree leaf tuple is its 8-byte header (16 with a
//! null bitmap) plus the key widths, padded, plus a line pointer; leaves are built 90 % full
//! (the btree default fillfactor), internal levels 70 %, plus the metapage; its entries are
//! the live rows plus the dead ones VACUUM has not removed yet (their entries are still
//! there, and become bloat once it has). Whatever the relation has beyond that is the
//! estimated bloat.
//!
//! Where the statistics cannot support a number, the estimate says why instead: never
//! analyzed, stale (many changes since the last ANALYZE), pg_stats hidden from this role,
//! columns without statistics, an index that is not a btree, or btree deduplication (13+),
//! which packs duplicates into posting lists so the real index is smaller than this method's
//! expected size and real bloat would read as none.

/// Heap tuple header size before the null bitmap (offsetof(HeapTupleHeaderData, t_bits)).
const HEAP_TUPLE_HEADER: f64 = 23.0;
/// Page header (SizeOfPageHeaderData).
const PAGE_HEADER: f64 = 24.0;
/// A line pointer (ItemIdData).
const ITEM_POINTER: f64 = 4.0;
/// MAXALIGN on every 64-bit platform PostgreSQL supports.
pub const MAX_ALIGN: f64 = 8.0;
/// Index tuple header (IndexTupleData: a TID and t_info).
const INDEX_TUPLE_HEADER: f64 = 8.0;
/// The index null bitmap (IndexAttributeBitMapData), present only in tuples with a null.
const INDEX_NULL_BITMAP: f64 = 4.0;
/// The btree page's special space (BTPageOpaqueData, MAXALIGNed).
const BTREE_SPECIAL: f64 = 16.0;
/// Default btree leaf fillfactor.
pub const BTREE_DEFAULT_FILLFACTOR: u32 = 90;
/// Fillfactor of btree internal pages at build (BTREE_NONLEAF_FILLFACTOR).
const BTREE_NONLEAF_FILLFACTOR: f64 = 70.0;
/// Default heap fillfactor.
pub const HEAP_DEFAULT_FILLFACTOR: u32 = 100;
/// Statistics are stale when more rows changed since the last ANALYZE than this fraction of
/// the table (plus [`STALE_MIN_ROWS`]): twice autovacuum's default analyze scale factor, so
/// a table autoanalyze keeps up with is never called stale.
pub const STALE_FRACTION: f64 = 0.2;
/// See [`STALE_FRACTION`]: small tables may change this many rows before they count as stale.
pub const STALE_MIN_ROWS: f64 = 100.0;
/// Estimated bloat is flagged WARN from this share of the relation …
pub const WARN_PCT: f64 = 30.0;
/// … CRIT from this one …
pub const CRIT_PCT: f64 = 60.0;
/// … and only when at least this many bytes would be reclaimed (a few pages of a tiny table
/// are noise, not bloat).
pub const MIN_WASTED_BYTES: f64 = 1024.0 * 1024.0;

// ─── Inputs ──────────────────────────────────────────────────────────────────────────────────

/// How a column's values are stored (pg_attribute.attlen / attalign).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ColumnStats {
    /// attlen: bytes of a fixed-width type, -1 varlena, -2 cstring.
    pub typlen: i16,
    /// attalign: alignment in bytes (1, 2, 4 or 8).
    pub align: u8,
    /// pg_stats.avg_width: average stored width of the non-null values; `None` when the
    /// column has no statistics row this role can see.
    pub avg_width: Option<f64>,
    /// pg_stats.null_frac.
    pub null_frac: f64,
    /// This role may read the column's statistics (SELECT privilege on the column).
    pub visible: bool,
}

impl ColumnStats {
    /// A column with statistics.
    #[must_use]
    pub fn new(typlen: i16, align: u8, avg_width: f64, null_frac: f64) -> Self {
        Self {
            typlen,
            align,
            avg_width: Some(avg_width),
            null_frac,
            visible: true,
        }
    }

    /// attalign as pg_attribute writes it ('c', 's', 'i', 'd') in bytes.
    #[must_use]
    pub fn align_of(attalign: char) -> u8 {
        match attalign {
            's' => 2,
            'i' => 4,
            'd' => 8,
            _ => 1,
        }
    }
}

/// What the statistics of a relation are worth, from the table's analyze history.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Freshness {
    /// ANALYZE (manual or auto) has run on the table since the statistics were reset.
    pub analyzed: bool,
    /// pg_stat_user_tables.n_mod_since_analyze.
    pub mod_since_analyze: i64,
    /// Row-level security hides this table's pg_stats rows from the role.
    pub rls_hidden: bool,
}

/// A table as the estimate sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct TableInputs {
    /// pg_class.relpages and reltuples, set together by the last VACUUM or ANALYZE
    /// (reltuples -1: never vacuumed nor analyzed, 14+).
    pub relpages: i64,
    pub reltuples: f64,
    /// Heap fillfactor from reloptions (100 by default).
    pub fillfactor: u32,
    /// Every live column in attnum order.
    pub columns: Vec<ColumnStats>,
    pub freshness: Freshness,
    /// The table now, when both figures can be trusted: what the estimate uses when many rows
    /// changed since the last ANALYZE (an update-heavy table whose relpages and reltuples are
    /// those of long ago, often the most bloated of all).
    pub now: Option<LiveCounts>,
}

/// A table's size now and its live rows as the statistics count them now
/// (pg_stat_user_tables.n_live_tup, trusted only once a VACUUM or ANALYZE has set it since
/// the counters were reset).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LiveCounts {
    pub pages: f64,
    pub live_tuples: f64,
}

/// A btree (or other) index as the estimate sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexInputs {
    /// pg_am.amname.
    pub access_method: String,
    pub relpages: i64,
    pub reltuples: f64,
    /// Dead tuples of the table not yet vacuumed, in this index's share: their entries still
    /// take room in the index until VACUUM removes them (then they are bloat).
    pub dead_entries: f64,
    /// Leaf fillfactor from reloptions (90 by default).
    pub fillfactor: u32,
    /// The stored columns (keys then INCLUDE columns), with the statistics of the table
    /// column or of the index expression each comes from.
    pub columns: Vec<ColumnStats>,
    /// How many distinct values each key column has (pg_stats.n_distinct: negative is a
    /// fraction of the rows); `None` without statistics.
    pub key_distinct: Vec<Option<f64>>,
    /// Deduplication can apply (13+, deduplicate_items on, no INCLUDE columns, every key
    /// opclass supports equalimage) and the index is not unique.
    pub dedup_possible: bool,
    /// The statistics of the table the index belongs to.
    pub freshness: Freshness,
}

/// The block size (current_setting('block_size')).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geometry {
    pub block_size: f64,
}

impl Default for Geometry {
    fn default() -> Self {
        Self { block_size: 8192.0 }
    }
}

// ─── Verdicts ────────────────────────────────────────────────────────────────────────────────

/// Why there is no number.
#[derive(Debug, Clone, PartialEq)]
pub enum Unsupported {
    /// No ANALYZE has given the table statistics yet.
    NeverAnalyzed,
    /// More rows changed since the last ANALYZE than the statistics can absorb.
    Stale {
        mod_since_analyze: i64,
        reltuples: f64,
    },
    /// This role may not read the table's pg_stats rows (no SELECT on its columns, or
    /// row-level security).
    StatsHidden,
    /// Some columns have no statistics (added since the last ANALYZE, or an index
    /// expression never analyzed).
    ColumnsWithoutStats { missing: usize, total: usize },
    /// Only btree indexes have a layout this method knows.
    NotBtree(String),
    /// Btree deduplication (13+) packs duplicates: the real index is smaller than the
    /// estimate expects, so bloat would be under-estimated. `lower_bound` is the bloat the
    /// method finds anyway, which real bloat is at least.
    Dedup { lower_bound: Estimate },
}

impl Unsupported {
    /// A short mark for a table cell.
    #[must_use]
    pub fn mark(&self) -> &'static str {
        match self {
            Unsupported::NeverAnalyzed => "no ANALYZE",
            Unsupported::Stale { .. } => "stale stats",
            Unsupported::StatsHidden => "stats hidden",
            Unsupported::ColumnsWithoutStats { .. } => "cols w/o stats",
            Unsupported::NotBtree(_) => "not btree",
            Unsupported::Dedup { .. } => "dedup",
        }
    }

    /// The reason in a sentence, with what to do about it.
    #[must_use]
    pub fn explain(&self) -> String {
        match self {
            Unsupported::NeverAnalyzed => {
                "never analyzed: no statistics to estimate from (run ANALYZE)".to_owned()
            }
            Unsupported::Stale {
                mod_since_analyze,
                reltuples,
            } => format!(
                "statistics are stale: {mod_since_analyze} rows changed since the last \
                 ANALYZE, against {:.0} rows then (run ANALYZE)",
                reltuples.max(0.0)
            ),
            Unsupported::StatsHidden => "statistics not visible to this role: pg_stats shows \
                 only columns the role may SELECT (pg_monitor is not enough); measure exactly \
                 with x, or connect as the owner"
                .to_owned(),
            Unsupported::ColumnsWithoutStats { missing, total } => format!(
                "{missing} of {total} columns have no statistics (added since the last \
                 ANALYZE, or an expression never analyzed): run ANALYZE"
            ),
            Unsupported::NotBtree(am) => {
                format!("{am} index: only btree layouts can be estimated; measure with x")
            }
            Unsupported::Dedup { lower_bound } => format!(
                "btree deduplication packs this index's duplicate keys: the estimate would \
                 under-state bloat (at least {:.0} %); measure with x",
                lower_bound.wasted_pct
            ),
        }
    }
}

/// An estimate the statistics support.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Estimate {
    /// Pages the relation has (relpages).
    pub actual_pages: f64,
    /// Pages it would have freshly packed.
    pub expected_pages: f64,
    /// Share of the relation that is bloat, 0–100.
    pub wasted_pct: f64,
    /// Estimated tuple size, line pointer included, in bytes.
    pub tuple_bytes: f64,
    /// Worked out from the size and live rows now, the row shape from an older ANALYZE
    /// (many rows changed since): the rows' widths are assumed unchanged.
    pub from_live_counts: bool,
}

impl Estimate {
    fn new(actual_pages: f64, expected_pages: f64, tuple_bytes: f64) -> Self {
        let wasted = (actual_pages - expected_pages).max(0.0);
        let wasted_pct = if actual_pages > 0.0 {
            100.0 * wasted / actual_pages
        } else {
            0.0
        };
        Self {
            actual_pages,
            expected_pages,
            wasted_pct,
            tuple_bytes,
            from_live_counts: false,
        }
    }

    /// Wasted bytes in a relation of `size` bytes (its current size: the share applies to
    /// what is there now, the pages and tuples it was measured on date from the same moment).
    #[must_use]
    pub fn wasted_bytes(&self, size: f64) -> f64 {
        size * self.wasted_pct / 100.0
    }
}

/// An estimate, or why there is none.
pub type Verdict = Result<Estimate, Unsupported>;

/// How much the estimated bloat should worry the DBA.
#[must_use]
pub fn judge(estimate: &Estimate, size: f64) -> crate::diagnose::health::Level {
    use crate::diagnose::health::Level;
    if estimate.wasted_bytes(size) < MIN_WASTED_BYTES {
        Level::Ok
    } else if estimate.wasted_pct >= CRIT_PCT {
        Level::Critical
    } else if estimate.wasted_pct >= WARN_PCT {
        Level::Warn
    } else {
        Level::Ok
    }
}

// ─── Tables ──────────────────────────────────────────────────────────────────────────────────

/// Estimates a table's bloat, or says why the statistics cannot.
pub fn table(t: &TableInputs, g: Geometry) -> Verdict {
    let pages = t.relpages.max(0) as f64;
    if t.reltuples == 0.0 && t.freshness.analyzed {
        // Known empty: every page is reclaimable (ANALYZE stores no stats for no rows).
        return Ok(Estimate::new(pages, 0.0, 0.0));
    }
    // Many rows changed since the last ANALYZE: relpages and reltuples are of then, but the
    // size and the live rows now still give a number, with the row shape ANALYZE saw.
    let (pages, tuples, from_live_counts) =
        match (usable_stats(&t.columns, t.freshness, t.reltuples), t.now) {
            (Ok(()), _) => (pages, t.reltuples, false),
            (Err(Unsupported::Stale { .. }), Some(now))
                if t.columns.iter().all(|c| c.avg_width.is_some()) =>
            {
                (now.pages, now.live_tuples, true)
            }
            (Err(why), _) => return Err(why),
        };
    let tuple = heap_tuple_bytes(&t.columns) + ITEM_POINTER;
    let per_page = heap_tuples_per_page(tuple, t.fillfactor, g);
    let expected = (tuples.max(0.0) / per_page).ceil();
    Ok(Estimate {
        from_live_counts,
        ..Estimate::new(pages, expected, tuple)
    })
}

/// Bytes of an average heap tuple, MAXALIGNed, without its line pointer.
#[must_use]
pub fn heap_tuple_bytes(columns: &[ColumnStats]) -> f64 {
    let any_null = 1.0 - columns.iter().map(|c| 1.0 - c.null_frac).product::<f64>();
    let bitmap = (columns.len() as f64 / 8.0).ceil();
    // Each case's header is MAXALIGNed, so the data starts aligned in both.
    let header = (1.0 - any_null) * align_up(HEAP_TUPLE_HEADER, MAX_ALIGN)
        + any_null * align_up(HEAP_TUPLE_HEADER + bitmap, MAX_ALIGN);
    header + data_bytes(columns)
}

/// Heap tuples (line pointer included in `tuple`) that fit on a page filled to `fillfactor`.
#[must_use]
pub fn heap_tuples_per_page(tuple: f64, fillfactor: u32, g: Geometry) -> f64 {
    let reserve = (g.block_size * f64::from(100 - fillfactor.clamp(10, 100)) / 100.0).floor();
    let usable = g.block_size - PAGE_HEADER - reserve;
    // MaxHeapTuplesPerPage: line pointers to empty tuples bound it.
    let max =
        ((g.block_size - PAGE_HEADER) / (align_up(HEAP_TUPLE_HEADER, MAX_ALIGN) + 4.0)).floor();
    (usable / tuple).floor().clamp(1.0, max)
}

/// Average bytes of the column data, MAXALIGNed as the tuple is: each value aligned as its
/// type demands (a varlena of at most 126 bytes has a one-byte header and no alignment),
/// present as often as it is not null. The padding depends on where each value starts, so
/// the offset is followed as a distribution over its residues modulo MAXALIGN and each case
/// is padded exactly (averaging the padding first and rounding the average up afterwards
/// over-counts it). A varlena's width is its average, split between the two whole widths
/// around it.
fn data_bytes(columns: &[ColumnStats]) -> f64 {
    const SLOTS: usize = 8;
    let mut residues = [0.0_f64; SLOTS];
    residues[0] = 1.0;
    let mut expected = 0.0;
    for c in columns {
        let width = c.avg_width.unwrap_or(0.0).max(0.0);
        let unaligned = c.typlen == -1 && width <= 127.0;
        let align = if unaligned {
            1
        } else {
            usize::from(c.align.max(1))
        };
        let present = 1.0 - c.null_frac.clamp(0.0, 1.0);
        let widths = whole_widths(c.typlen, width);
        let mut next = [0.0_f64; SLOTS];
        for (r, &p) in residues.iter().enumerate() {
            if p == 0.0 {
                continue;
            }
            next[r] += p * (1.0 - present);
            let padding = (align - r % align) % align;
            expected += p * present * (padding as f64 + width);
            for &(w, share) in &widths {
                next[(r + padding + w) % SLOTS] += p * present * share;
            }
        }
        residues = next;
    }
    let tail: f64 = residues
        .iter()
        .enumerate()
        .map(|(r, p)| p * ((SLOTS - r) % SLOTS) as f64)
        .sum();
    expected + tail
}

/// The whole widths (modulo MAXALIGN) a value of average `width` takes, with their shares:
/// exact for a fixed-width type, the two whole numbers around the average for a varlena.
fn whole_widths(typlen: i16, width: f64) -> [(usize, f64); 2] {
    if typlen > 0 {
        return [(usize::from(typlen.unsigned_abs()) % 8, 1.0), (0, 0.0)];
    }
    let floor = width.floor();
    let above = width - floor;
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a non-negative average width, taken modulo 8"
    )]
    let low = (floor as u64 % 8) as usize;
    [(low, 1.0 - above), ((low + 1) % 8, above)]
}

/// Rounds `x` up to a multiple of `align`.
fn align_up(x: f64, align: f64) -> f64 {
    (x / align).ceil() * align
}

/// Checks the statistics can carry an estimate.
fn usable_stats(
    columns: &[ColumnStats],
    freshness: Freshness,
    reltuples: f64,
) -> Result<(), Unsupported> {
    if freshness.rls_hidden || columns.iter().any(|c| !c.visible) {
        return Err(Unsupported::StatsHidden);
    }
    let missing = columns.iter().filter(|c| c.avg_width.is_none()).count();
    if !freshness.analyzed || reltuples < 0.0 || (missing == columns.len() && missing > 0) {
        return Err(Unsupported::NeverAnalyzed);
    }
    let mods = freshness.mod_since_analyze as f64;
    if mods > STALE_FRACTION * reltuples.max(0.0) + STALE_MIN_ROWS {
        return Err(Unsupported::Stale {
            mod_since_analyze: freshness.mod_since_analyze,
            reltuples,
        });
    }
    if missing > 0 {
        return Err(Unsupported::ColumnsWithoutStats {
            missing,
            total: columns.len(),
        });
    }
    Ok(())
}

// ─── Btree indexes ───────────────────────────────────────────────────────────────────────────

/// Estimates a btree index's bloat, or says why the statistics cannot.
pub fn index(i: &IndexInputs, g: Geometry) -> Verdict {
    if i.access_method != "btree" {
        return Err(Unsupported::NotBtree(i.access_method.clone()));
    }
    let pages = i.relpages.max(0) as f64;
    if i.reltuples == 0.0 && i.freshness.analyzed {
        return Ok(Estimate::new(pages, 1.0_f64.min(pages), 0.0));
    }
    usable_stats(&i.columns, i.freshness, i.reltuples)?;
    let tuple = btree_tuple_bytes(&i.columns) + ITEM_POINTER;
    let entries = i.reltuples.max(0.0) + i.dead_entries.max(0.0);
    let expected = btree_pages(entries, tuple, i.fillfactor, g);
    let estimate = Estimate::new(pages, expected, tuple);
    if i.dedup_possible && has_duplicates(&i.key_distinct, &i.columns, i.reltuples) {
        return Err(Unsupported::Dedup {
            lower_bound: estimate,
        });
    }
    Ok(estimate)
}

/// Bytes of an average btree leaf tuple, MAXALIGNed, without its line pointer.
#[must_use]
pub fn btree_tuple_bytes(columns: &[ColumnStats]) -> f64 {
    let any_null = 1.0 - columns.iter().map(|c| 1.0 - c.null_frac).product::<f64>();
    let header = INDEX_TUPLE_HEADER
        + any_null
            * (align_up(INDEX_TUPLE_HEADER + INDEX_NULL_BITMAP, MAX_ALIGN) - INDEX_TUPLE_HEADER);
    header + data_bytes(columns)
}

/// Pages of a freshly built btree of `tuples` entries of `tuple` bytes (line pointer
/// included): the metapage, leaves filled to `fillfactor` less a high key each, and internal
/// levels filled to 70 % up to a single root.
#[must_use]
pub fn btree_pages(tuples: f64, tuple: f64, fillfactor: u32, g: Geometry) -> f64 {
    let usable = g.block_size - PAGE_HEADER - BTREE_SPECIAL;
    let fill = |ff: f64| {
        let reserve = (g.block_size * (100.0 - ff) / 100.0).floor();
        // The build adds items while the free space is at least the reserve, and each page
        // keeps one slot for its high key.
        ((usable - reserve) / tuple).floor().max(2.0)
    };
    let leaves = (tuples / fill(f64::from(fillfactor.clamp(10, 100))))
        .ceil()
        .max(1.0);
    let fanout = fill(BTREE_NONLEAF_FILLFACTOR);
    let mut internal = 0.0;
    let mut level = leaves;
    while level > 1.0 {
        level = (level / fanout).ceil();
        internal += level;
    }
    1.0 + leaves + internal
}

/// Share of an index's entries that repeat another's key (NULLs, all equal for
/// deduplication, count as one more value) from which deduplication shifts the estimate too
/// much to print it.
pub const DEDUP_SHARE: f64 = 0.1;

/// The keys repeat often enough for deduplication to shrink the index: in every key column
/// at least [`DEDUP_SHARE`] of the entries repeat a value (a column of nearly unique values
/// makes whole keys unique).
fn has_duplicates(key_distinct: &[Option<f64>], columns: &[ColumnStats], reltuples: f64) -> bool {
    if reltuples <= 0.0 {
        return false;
    }
    key_distinct.iter().zip(columns).all(|(d, c)| match d {
        None => true,
        Some(n) => {
            let distinct = if *n < 0.0 { -n * reltuples } else { *n };
            let groups = distinct + if c.null_frac > 0.0 { 1.0 } else { 0.0 };
            1.0 - groups / reltuples >= DEDUP_SHARE
        }
    })
}

// ─── Exact measurement ───────────────────────────────────────────────────────────────────────

/// pgstattuple / pgstattuple_approx of a table.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TableExact {
    /// The approximate function was used (large table): figures from the visibility map.
    pub approximate: bool,
    pub table_len: f64,
    pub tuple_count: f64,
    pub tuple_len: f64,
    pub dead_tuple_count: f64,
    pub dead_tuple_len: f64,
    pub free_space: f64,
}

/// pgstatindex of a btree index.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct IndexExact {
    pub index_size: f64,
    pub internal_pages: f64,
    pub leaf_pages: f64,
    pub empty_pages: f64,
    pub deleted_pages: f64,
    /// Percent of the leaf pages' space in use.
    pub avg_leaf_density: f64,
    pub leaf_fragmentation: f64,
}

/// The exact bloat of a table: its size against the pages its live tuples, at their real
/// total length, would need freshly packed (the same packing as the estimate, so the two
/// compare; dead tuples and free space beyond the fillfactor reserve are the difference).
#[must_use]
pub fn table_exact(e: &TableExact, fillfactor: u32, g: Geometry) -> Estimate {
    let pages = (e.table_len / g.block_size).round();
    if e.tuple_count <= 0.0 {
        return Estimate::new(pages, 0.0, 0.0);
    }
    let tuple = align_up(e.tuple_len / e.tuple_count, MAX_ALIGN) + ITEM_POINTER;
    let per_page = heap_tuples_per_page(tuple, fillfactor, g);
    Estimate::new(pages, (e.tuple_count / per_page).ceil(), tuple)
}

/// The exact bloat of a btree index: leaf pages beyond what their entries would fill at the
/// leaf fillfactor, plus empty and deleted pages.
#[must_use]
pub fn index_exact(e: &IndexExact, fillfactor: u32, g: Geometry) -> Estimate {
    let pages = (e.index_size / g.block_size).round();
    let ff = f64::from(fillfactor.clamp(10, 100));
    let needed_leaves = (e.leaf_pages * (e.avg_leaf_density / ff).min(1.0)).ceil();
    let expected = pages - (e.leaf_pages - needed_leaves) - e.empty_pages - e.deleted_pages;
    Estimate::new(pages, expected, 0.0)
}

// ─── reloptions ──────────────────────────────────────────────────────────────────────────────

/// The value of `name` in a reloptions array (`{fillfactor=70,autovacuum_enabled=off}`).
#[must_use]
pub fn reloption<'a>(options: &'a [String], name: &str) -> Option<&'a str> {
    options.iter().find_map(|o| {
        let (key, value) = o.split_once('=')?;
        (key == name).then_some(value)
    })
}

/// A fillfactor reloption, or `default`.
#[must_use]
pub fn fillfactor(options: &[String], default: u32) -> u32 {
    reloption(options, "fillfactor")
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A boolean reloption as PostgreSQL parses it (on/off, true/false, yes/no, 1/0).
#[must_use]
pub fn reloption_bool(options: &[String], name: &str) -> Option<bool> {
    match reloption(options, name)?.to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" | "1" | "t" | "y" => Some(true),
        "off" | "false" | "no" | "0" | "f" | "n" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
#[path = "bloat_tests.rs"]
mod tests;
