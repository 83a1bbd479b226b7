//! Candidate indexes for one statement: the columns each table occurrence is filtered,
//! joined, sorted and grouped on (from `parse`), resolved against the catalog, turned into
//! single-column, multi-column, covering (INCLUDE) and partial candidates. Pure: no IO.
//!
//! Multi-column candidates put the equality columns first, most selective first (pg_stats'
//! n_distinct and null_frac), then one range, ORDER BY or GROUP BY tail. What an existing
//! valid index already covers (same leading keys) is never a candidate.

use std::collections::BTreeSet;

use super::catalog::{Column, ExistingIndex, Table};
use super::parse::{Col, FilterOp, Owner, Parsed, StatementKind, Value};

/// n_distinct at or below which an equality-filtered column gets partial-index candidates.
pub const LOW_CARDINALITY: f64 = 10.0;
/// At most this many INCLUDE columns: a wider covering index costs more than it saves.
pub const MAX_INCLUDE: usize = 3;
/// Partial-index candidates per filtered column (one per constant).
pub const MAX_PARTIAL_VALUES: usize = 3;
/// A predicate matching more than this share of the rows makes no useful partial index.
pub const MAX_PARTIAL_FRACTION: f64 = 0.5;
/// Tables smaller than this (8 kB pages) are read whole faster than through any index.
pub const MIN_TABLE_PAGES: i64 = 8;
/// Range columns tried as the tail of a multi-column candidate.
const MAX_RANGE_TAILS: usize = 2;
/// The planner's own default selectivity of an equality without statistics.
const DEFAULT_EQ_SELECTIVITY: f64 = 0.005;

/// An index key column.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub column: String,
    pub desc: bool,
    pub nulls_first: bool,
}

impl Key {
    /// An ascending key with the default NULLS LAST.
    #[must_use]
    pub fn asc(column: &str) -> Self {
        Self {
            column: column.to_owned(),
            desc: false,
            nulls_first: false,
        }
    }

    /// The key as it is written in CREATE INDEX: quoted, with DESC / NULLS only when not the
    /// default.
    #[must_use]
    pub fn sql(&self) -> String {
        let mut text = crate::quote::ident(&self.column);
        if self.desc {
            text.push_str(" DESC");
        }
        if self.nulls_first != self.desc {
            text.push_str(if self.nulls_first {
                " NULLS FIRST"
            } else {
                " NULLS LAST"
            });
        }
        text
    }

    fn reversed(&self) -> Self {
        Self {
            column: self.column.clone(),
            desc: !self.desc,
            nulls_first: !self.nulls_first,
        }
    }
}

/// What the tail after the equality columns serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Shape {
    /// One column.
    Single,
    /// Equality columns only.
    Equality,
    /// Equality columns, then a range column.
    Range,
    /// Equality columns, then the ORDER BY keys (their directions matter).
    Order,
    /// Equality columns, then the GROUP BY columns.
    Group,
}

/// A partial index's predicate.
#[derive(Debug, Clone, PartialEq)]
pub struct Partial {
    /// The column the predicate is on.
    pub column: String,
    /// The WHERE clause of the index, quoted.
    pub predicate: String,
    /// When the statement compares the column with a parameter: that parameter and the
    /// literal to plan the statement with (a generic plan can never prove the predicate).
    pub substitute: Option<(i32, String)>,
    /// The share of the statement's calls the predicate is expected to serve (what the
    /// saving counts).
    pub share: f64,
    /// That share when it was measured (pg_qualstats); `None` when it is an assumption,
    /// which no note may state as a share of the calls.
    pub known_share: Option<f64>,
    /// Where the constant came from, in words.
    pub source: String,
}

/// A candidate index on one table.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub table: u32,
    pub keys: Vec<Key>,
    /// How many leading keys are compared by equality (their order among themselves is free).
    pub eq_len: usize,
    pub shape: Shape,
    pub include: Vec<String>,
    pub partial: Option<Partial>,
}

impl Candidate {
    /// The same index, for comparing candidates (keys, INCLUDE, predicate).
    #[must_use]
    pub fn same_index(&self, other: &Self) -> bool {
        self.table == other.table
            && self.keys == other.keys
            && self.include == other.include
            && self.partial.as_ref().map(|p| &p.predicate)
                == other.partial.as_ref().map(|p| &p.predicate)
    }

    /// The key columns, in order.
    pub fn columns(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|k| k.column.as_str())
    }
}

/// A constant pg_qualstats saw a statement compare a column with.
#[derive(Debug, Clone, PartialEq)]
pub struct QualConstant {
    pub table: u32,
    pub column: String,
    /// A checked SQL literal (e.g. `'pending'::text`).
    pub literal: String,
    /// Share of the statement's evaluations of that column that used this constant.
    pub share: f64,
}

// ─── Usage: the parse resolved against the catalog ───

/// How an equality-like column is compared.
#[derive(Debug, Clone, PartialEq)]
pub enum EqHow {
    /// `=` a parameter, a boolean or another value.
    Value(Value),
    In,
    IsNull,
    /// A join condition with another table occurrence.
    Join,
}

/// An equality-like use of a column.
#[derive(Debug, Clone, PartialEq)]
pub struct EqUse {
    pub column: String,
    pub how: EqHow,
}

/// Everything one statement does with one table occurrence.
#[derive(Debug, Clone, PartialEq)]
pub struct Usage {
    pub scan: usize,
    pub table: u32,
    pub eq: Vec<EqUse>,
    pub range: Vec<String>,
    /// ORDER BY keys when they all belong to this occurrence, and whether a LIMIT follows.
    pub order: Option<(Vec<Key>, bool)>,
    pub group: Vec<String>,
    /// The columns the statement reads from it; `None` when it reads `*`.
    pub reads: Option<BTreeSet<String>>,
    pub kind: StatementKind,
}

/// Resolves every column of a parsed statement to a table occurrence. `tables[i]` is the
/// catalog entry of scan `i` (`None`: not a table of this database, e.g. a view).
#[must_use]
pub fn usage(parsed: &Parsed, tables: &[Option<&Table>]) -> Vec<Usage> {
    let owner = |col: &Col| resolve(col, tables);
    let mut out: Vec<Usage> = tables
        .iter()
        .enumerate()
        .filter_map(|(scan, t)| {
            t.map(|t| Usage {
                scan,
                table: t.oid,
                eq: Vec::new(),
                range: Vec::new(),
                order: None,
                group: Vec::new(),
                reads: (!parsed.star_scans.contains(&scan)).then(BTreeSet::new),
                kind: parsed.kind,
            })
        })
        .collect();
    let slot = |out: &mut Vec<Usage>, scan: usize| out.iter().position(|u| u.scan == scan);
    for filter in &parsed.filters {
        let Some(scan) = owner(&filter.col) else {
            continue;
        };
        let Some(i) = slot(&mut out, scan) else {
            continue;
        };
        let column = filter.col.name.clone();
        let join = match &filter.value {
            Value::Columns(cols) => {
                if cols.iter().any(|c| owner(c) == Some(scan)) {
                    continue; // compares the table with itself: no index key
                }
                true
            }
            _ => false,
        };
        let u = &mut out[i];
        match (filter.op, join) {
            (FilterOp::Range, _) => u.range.push(column),
            (FilterOp::Eq, true) => u.eq.push(EqUse {
                column,
                how: EqHow::Join,
            }),
            (FilterOp::Eq, false) => u.eq.push(EqUse {
                column,
                how: EqHow::Value(filter.value.clone()),
            }),
            (FilterOp::In, _) => u.eq.push(EqUse {
                column,
                how: EqHow::In,
            }),
            (FilterOp::IsNull, _) => u.eq.push(EqUse {
                column,
                how: EqHow::IsNull,
            }),
        }
    }
    for order in &parsed.orders {
        let owners: Vec<Option<usize>> = order.keys.iter().map(|k| owner(&k.col)).collect();
        let Some(Some(first)) = owners.first().copied() else {
            continue;
        };
        if owners.iter().all(|o| *o == Some(first))
            && let Some(i) = slot(&mut out, first)
        {
            let keys = order
                .keys
                .iter()
                .map(|k| Key {
                    column: k.col.name.clone(),
                    desc: k.desc,
                    nulls_first: k.nulls_first.unwrap_or(k.desc),
                })
                .collect();
            out[i].order = Some((keys, order.limited));
        }
    }
    for group in &parsed.groups {
        for col in group {
            if let Some(i) = owner(col).and_then(|s| slot(&mut out, s)) {
                out[i].group.push(col.name.clone());
            }
        }
    }
    for col in &parsed.reads {
        if let Some(i) = owner(col).and_then(|s| slot(&mut out, s))
            && let Some(reads) = &mut out[i].reads
        {
            reads.insert(col.name.clone());
        }
    }
    out
}

/// The scan a column belongs to: a qualified one's own (when its table has the column), an
/// unqualified one's first level with exactly one table having it.
fn resolve(col: &Col, tables: &[Option<&Table>]) -> Option<usize> {
    let has = |scan: usize| {
        tables
            .get(scan)
            .copied()
            .flatten()
            .is_some_and(|t| t.column(&col.name).is_some())
    };
    match &col.owner {
        Owner::Scan(scan) => has(*scan).then_some(*scan),
        Owner::Search(levels) => {
            for level in levels {
                let found: Vec<usize> = level.iter().copied().filter(|s| has(*s)).collect();
                match found.as_slice() {
                    [one] => return Some(*one),
                    [] => {}
                    _ => return None, // ambiguous: PostgreSQL would refuse the statement
                }
            }
            None
        }
    }
}

// ─── Candidates ───

/// Candidate indexes for one table occurrence, none of them covered by an existing index.
#[must_use]
pub fn candidates(usage: &Usage, table: &Table, constants: &[QualConstant]) -> Vec<Candidate> {
    if table.pages < MIN_TABLE_PAGES {
        return Vec::new();
    }
    let eq = equality_columns(usage, table);
    let in_eq = |c: &str| eq.iter().any(|e| e == c);
    let range: Vec<String> = dedup(usage.range.iter().filter(|c| !in_eq(c)).cloned());
    let eq_keys: Vec<Key> = eq.iter().map(|c| Key::asc(c)).collect();
    let mut out = Vec::new();
    let mut push = |keys: Vec<Key>, eq_len: usize, shape: Shape| {
        out.push(Candidate {
            table: table.oid,
            keys,
            eq_len,
            shape,
            include: Vec::new(),
            partial: None,
        });
    };
    for c in &eq {
        push(vec![Key::asc(c)], 1, Shape::Single);
    }
    for c in &range {
        push(vec![Key::asc(c)], 0, Shape::Single);
    }
    if eq.len() >= 2 {
        push(eq_keys.clone(), eq.len(), Shape::Equality);
    }
    if !eq.is_empty() {
        for c in range.iter().take(MAX_RANGE_TAILS) {
            push(with(&eq_keys, [Key::asc(c)]), eq.len(), Shape::Range);
        }
    }
    if let Some((keys, limited)) = &usage.order {
        let tail: Vec<Key> = keys.iter().filter(|k| !in_eq(&k.column)).cloned().collect();
        if !tail.is_empty() && (*limited || !eq.is_empty()) && distinct(&tail) {
            push(with(&eq_keys, tail), eq.len(), Shape::Order);
        }
    }
    let group: Vec<String> = dedup(usage.group.iter().filter(|c| !in_eq(c)).cloned());
    if !eq.is_empty() && !group.is_empty() {
        push(
            with(&eq_keys, group.iter().map(|c| Key::asc(c))),
            eq.len(),
            Shape::Group,
        );
    }
    // a covering twin of an existing index (the primary key INCLUDE a few columns) is a
    // second copy of it: INCLUDE variants only for keys no index has yet
    let uncovered: Vec<Candidate> = out
        .iter()
        .filter(|c| !covered(c, &table.indexes))
        .cloned()
        .collect();
    let covering = covering_variants(&uncovered, usage, table);
    let partial = partial_variants(&out, usage, table, constants);
    out.extend(covering);
    out.extend(partial);
    let mut unique: Vec<Candidate> = Vec::new();
    for c in out {
        if !unique.iter().any(|u| u.same_index(&c)) && !covered(&c, &table.indexes) {
            unique.push(c);
        }
    }
    unique
}

/// The equality-like columns, most selective first.
fn equality_columns(usage: &Usage, table: &Table) -> Vec<String> {
    let mut cols: Vec<(f64, String)> = dedup(usage.eq.iter().map(|e| e.column.clone()))
        .into_iter()
        .map(|c| {
            let is_null = usage
                .eq
                .iter()
                .any(|e| e.column == c && e.how == EqHow::IsNull);
            let sel = table.column(&c).map_or(DEFAULT_EQ_SELECTIVITY, |col| {
                selectivity(col, table, is_null)
            });
            (sel, c)
        })
        .collect();
    cols.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    cols.into_iter().map(|(_, c)| c).collect()
}

/// The share of rows one equality (or IS NULL) on the column keeps.
#[must_use]
pub fn selectivity(col: &Column, table: &Table, is_null: bool) -> f64 {
    let Some(stats) = &col.stats else {
        return DEFAULT_EQ_SELECTIVITY;
    };
    if is_null {
        return stats.null_frac;
    }
    let distinct = distinct_values(stats.n_distinct, table.rows);
    if distinct <= 0.0 {
        return DEFAULT_EQ_SELECTIVITY;
    }
    (1.0 - stats.null_frac) / distinct
}

/// pg_stats' n_distinct as a count (negative values are a fraction of the rows).
#[must_use]
pub fn distinct_values(n_distinct: f64, rows: f64) -> f64 {
    if n_distinct < 0.0 {
        -n_distinct * rows.max(0.0)
    } else {
        n_distinct
    }
}

fn with(prefix: &[Key], tail: impl IntoIterator<Item = Key>) -> Vec<Key> {
    prefix.iter().cloned().chain(tail).collect()
}

fn dedup(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

fn distinct(keys: &[Key]) -> bool {
    let names: BTreeSet<&str> = keys.iter().map(|k| k.column.as_str()).collect();
    names.len() == keys.len()
}

/// INCLUDE variants that let a SELECT read only the index (when it reads few columns).
fn covering_variants(base: &[Candidate], usage: &Usage, table: &Table) -> Vec<Candidate> {
    let Some(reads) = &usage.reads else {
        return Vec::new();
    };
    if usage.kind != StatementKind::Select {
        return Vec::new();
    }
    base.iter()
        .filter_map(|c| {
            let extra: Vec<String> = table
                .columns
                .iter()
                .map(|col| col.name.clone())
                .filter(|name| reads.contains(name) && !c.columns().any(|k| k == name))
                .collect();
            (1..=MAX_INCLUDE).contains(&extra.len()).then(|| Candidate {
                include: extra,
                ..c.clone()
            })
        })
        .collect()
}

/// Partial-index variants for low-cardinality equality columns, IS NULL and boolean filters.
fn partial_variants(
    base: &[Candidate],
    usage: &Usage,
    table: &Table,
    constants: &[QualConstant],
) -> Vec<Candidate> {
    let Some(widest) = base.iter().max_by_key(|c| c.keys.len()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in &usage.eq {
        let Some(column) = table.column(&e.column) else {
            continue;
        };
        let predicates = match &e.how {
            EqHow::IsNull => vec![Partial {
                column: e.column.clone(),
                predicate: format!("{} IS NULL", crate::quote::ident(&e.column)),
                substitute: None,
                share: 1.0,
                known_share: Some(1.0),
                source: "the statement's IS NULL".to_owned(),
            }],
            EqHow::Value(Value::Bool(b)) => vec![Partial {
                column: e.column.clone(),
                predicate: format!(
                    "{}{}",
                    if *b { "" } else { "NOT " },
                    crate::quote::ident(&e.column)
                ),
                substitute: None,
                share: 1.0,
                known_share: Some(1.0),
                source: "the statement's boolean filter".to_owned(),
            }],
            EqHow::Value(Value::Param(n)) if low_cardinality(column, table) => {
                constant_predicates(*n, column, table, constants)
            }
            _ => continue,
        };
        let rest: Vec<Key> = widest
            .keys
            .iter()
            .filter(|k| k.column != e.column)
            .cloned()
            .collect();
        let (keys, eq_len) = if rest.is_empty() {
            (vec![Key::asc(&e.column)], 1)
        } else {
            let eq_len = widest.keys[..widest.eq_len]
                .iter()
                .filter(|k| k.column != e.column)
                .count();
            (rest, eq_len)
        };
        for partial in predicates {
            out.push(Candidate {
                table: table.oid,
                keys: keys.clone(),
                eq_len,
                shape: widest.shape,
                include: Vec::new(),
                partial: Some(partial),
            });
        }
    }
    out
}

fn low_cardinality(column: &Column, table: &Table) -> bool {
    column.type_name == "boolean"
        || column.stats.as_ref().is_some_and(|s| {
            let d = distinct_values(s.n_distinct, table.rows);
            d > 0.0 && d <= LOW_CARDINALITY
        })
}

/// `column = constant` predicates: the constants pg_qualstats saw, else the rarest of the
/// column's most common values (a predicate on a rare value is what a partial index is for).
fn constant_predicates(
    param: i32,
    column: &Column,
    table: &Table,
    constants: &[QualConstant],
) -> Vec<Partial> {
    let seen: Vec<&QualConstant> = constants
        .iter()
        .filter(|q| q.table == table.oid && q.column == column.name)
        .take(MAX_PARTIAL_VALUES)
        .collect();
    let ident = crate::quote::ident(&column.name);
    let partial = |literal: String, share: f64, known: bool, source: String| Partial {
        column: column.name.clone(),
        predicate: format!("{ident} = {literal}"),
        substitute: Some((param, literal)),
        share,
        known_share: known.then_some(share),
        source,
    };
    if !seen.is_empty() {
        return seen
            .into_iter()
            .map(|q| partial(q.literal.clone(), q.share, true, "pg_qualstats".to_owned()))
            .collect();
    }
    let Some(stats) = &column.stats else {
        return Vec::new();
    };
    let mut common: Vec<&(String, f64)> = stats
        .common_values
        .iter()
        .filter(|(_, freq)| *freq <= MAX_PARTIAL_FRACTION)
        .collect();
    common.sort_by(|a, b| a.1.total_cmp(&b.1));
    common
        .into_iter()
        .take(MAX_PARTIAL_VALUES)
        .map(|(value, freq)| {
            // Which values the calls use is unknown: counted as if they followed the rows.
            partial(
                crate::quote::literal(value),
                *freq,
                false,
                format!(
                    "pg_stats' most common values: {:.1} % of the rows; which values the \
                     statement runs with is not known without pg_qualstats",
                    freq * 100.0
                ),
            )
        })
        .collect()
}

// ─── Existing indexes ───

/// Whether an existing valid, non-partial btree index has the candidate's keys as its leading
/// keys (equality keys in any order; sort keys in the same or the fully reversed direction) and
/// carries its INCLUDE columns.
#[must_use]
pub fn covered(candidate: &Candidate, existing: &[ExistingIndex]) -> bool {
    existing.iter().any(|index| covers(index, candidate))
}

fn covers(index: &ExistingIndex, c: &Candidate) -> bool {
    if !index.valid || index.method != "btree" || index.predicate.is_some() {
        return false;
    }
    if index.keys.len() < c.keys.len() {
        return false;
    }
    let Some(leading) = index.keys[..c.keys.len()]
        .iter()
        .cloned()
        .collect::<Option<Vec<Key>>>()
    else {
        return false; // an expression among the leading keys
    };
    let eq: BTreeSet<&str> = c.keys[..c.eq_len]
        .iter()
        .map(|k| k.column.as_str())
        .collect();
    let have: BTreeSet<&str> = leading[..c.eq_len]
        .iter()
        .map(|k| k.column.as_str())
        .collect();
    if eq != have {
        return false;
    }
    let tail = &c.keys[c.eq_len..];
    let theirs = &leading[c.eq_len..];
    let same_columns = tail.iter().zip(theirs).all(|(a, b)| a.column == b.column);
    let ordered = c.shape == Shape::Order;
    let direction_ok = !ordered
        || tail.iter().zip(theirs).all(|(a, b)| a == b)
        || tail.iter().zip(theirs).all(|(a, b)| a.reversed() == *b);
    let carried = c.include.iter().all(|col| {
        index.keys.iter().flatten().any(|k| &k.column == col) || index.include.contains(col)
    });
    same_columns && direction_ok && carried
}

#[cfg(test)]
#[path = "candidates_tests.rs"]
mod tests;
