//! The findings: invalid, duplicate, redundant and unused indexes, foreign keys without a
//! supporting index, and the advisor's suggestions — each index at most once, in order of
//! impact (the order of [`FindingKind`], then size).

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::advisor::Suggestion;
use crate::diagnose::health::Level;
use crate::diagnose::indexes::{ForeignKey, IndexDef, IndexesSnapshot, TableInfo, age_words, fix};

/// What is wrong, in the order a review walks through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FindingKind {
    /// indisvalid = false: a failed CONCURRENTLY build, maintained but never used.
    Invalid,
    /// Same table, keys, expressions, predicate, operator classes, collations and method as
    /// another index.
    Duplicate,
    /// A btree whose keys are a leading prefix of another's, with the same predicate.
    Redundant,
    /// Never scanned since the statistics were reset, and backing no constraint.
    Unused,
    /// A foreign key whose columns lead no valid index.
    MissingFkIndex,
    /// A new index the advisor verified (or could not verify: see its note).
    Suggestion,
}

impl FindingKind {
    /// The word the pane, the review and the report use.
    #[must_use]
    pub fn word(self) -> &'static str {
        match self {
            FindingKind::Invalid => "invalid",
            FindingKind::Duplicate => "duplicate",
            FindingKind::Redundant => "redundant",
            FindingKind::Unused => "unused",
            FindingKind::MissingFkIndex => "fk unindexed",
            FindingKind::Suggestion => "suggestion",
        }
    }
}

/// An existing index, as a finding names it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndexRef {
    pub oid: i64,
    pub schema: String,
    pub table: String,
    pub name: String,
    pub definition: String,
    /// Key columns, then INCLUDE columns.
    pub columns: Vec<String>,
    pub key_count: usize,
    pub predicate: Option<String>,
    pub size_bytes: Option<i64>,
    pub scans: i64,
    pub last_scan: Option<f64>,
    pub valid: bool,
}

impl From<&IndexDef> for IndexRef {
    fn from(def: &IndexDef) -> Self {
        Self {
            oid: def.oid,
            schema: def.schema.clone(),
            table: def.table.clone(),
            name: def.name.clone(),
            definition: def.definition.clone(),
            columns: def.columns.clone(),
            key_count: def.key_count,
            predicate: def.predicate.clone(),
            size_bytes: def.size_bytes,
            scans: def.scans,
            last_scan: def.last_scan,
            valid: def.valid,
        }
    }
}

/// One thing worth a DBA's decision, with its evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub kind: FindingKind,
    pub level: Level,
    pub table_oid: Option<i64>,
    pub schema: String,
    pub table: String,
    /// The index the finding is about (the one to drop or rebuild).
    pub index: Option<IndexRef>,
    /// The index that makes it a duplicate or redundant (the one to keep).
    pub kept: Option<IndexRef>,
    pub foreign_key: Option<ForeignKey>,
    /// Position in the suggestions the findings were built with.
    pub suggestion: Option<usize>,
    /// What the finding weighs: the index's size (estimated for a suggestion), or for a
    /// foreign key the referencing table's.
    pub size_bytes: Option<i64>,
    pub table_size: Option<i64>,
    pub writes_per_sec: Option<f64>,
    /// False when no statement of pgmedic's may resolve it (both duplicates back constraints).
    pub actionable: bool,
    /// Warnings and context, one sentence each.
    pub notes: Vec<String>,
}

impl Finding {
    /// A stable identity across refreshes (kind and the object it is about).
    #[must_use]
    pub fn key(&self) -> (FindingKind, String) {
        let object = match (&self.index, &self.foreign_key, self.suggestion) {
            (Some(index), _, _) => index.oid.to_string(),
            (None, Some(fk), _) => fk.oid.to_string(),
            (None, None, position) => format!("{}.{}:{position:?}", self.schema, self.table),
        };
        (self.kind, object)
    }

    /// `schema.table`.
    #[must_use]
    pub fn table_name(&self) -> String {
        format!("{}.{}", self.schema, self.table)
    }
}

/// Every finding of `snapshot` plus the advisor's `suggestions`, ordered by impact;
/// `now` (epoch seconds, the server's clock) dates the statistics.
#[must_use]
pub fn findings(snapshot: &IndexesSnapshot, suggestions: &[Suggestion], now: f64) -> Vec<Finding> {
    let judge = Judge {
        snapshot,
        now,
        tables: snapshot.tables.iter().map(|t| (t.oid, t)).collect(),
        indexes: by_table(snapshot.indexes.iter()),
    };
    let mut reported: HashSet<i64> = HashSet::new();
    let mut out = Vec::new();
    out.extend(judge.invalid(&mut reported));
    out.extend(judge.duplicates(&mut reported));
    out.extend(judge.redundant(&mut reported));
    out.extend(judge.unused(&mut reported));
    let mut unindexed = judge.unindexed_foreign_keys();
    let mut suggested: Vec<Finding> = suggestions
        .iter()
        .enumerate()
        .map(|(i, s)| judge.suggestion(i, s))
        .collect();
    resolve_together(&mut unindexed, &mut suggested, suggestions);
    out.extend(unindexed);
    out.extend(suggested);
    out.sort_by_cached_key(|f| {
        (
            f.kind,
            std::cmp::Reverse(f.size_bytes.unwrap_or(-1)),
            f.table_name(),
        )
    });
    // Suggestions keep the advisor's ranking (estimated time saved), not size.
    let first = out.iter().position(|f| f.kind == FindingKind::Suggestion);
    if let Some(first) = first {
        out[first..].sort_by_key(|f| f.suggestion);
    }
    out
}

struct Judge<'a> {
    snapshot: &'a IndexesSnapshot,
    now: f64,
    tables: HashMap<i64, &'a TableInfo>,
    /// Every index (settled or not), by table.
    indexes: BTreeMap<i64, Vec<&'a IndexDef>>,
}

impl Judge<'_> {
    /// Indexes a finding may be about: settled (not being built nor locked by DDL), with
    /// storage of their own.
    fn settled(&self) -> impl Iterator<Item = &IndexDef> {
        self.snapshot
            .indexes
            .iter()
            .filter(|i| !i.building && !i.locked && !i.partitioned)
    }

    fn about(&self, kind: FindingKind, index: &IndexDef) -> Finding {
        let table = self.tables.get(&index.table_oid);
        Finding {
            kind,
            level: Level::Warn,
            table_oid: Some(index.table_oid),
            schema: index.schema.clone(),
            table: index.table.clone(),
            index: Some(IndexRef::from(index)),
            kept: None,
            foreign_key: None,
            suggestion: None,
            size_bytes: index.size_bytes,
            table_size: table.and_then(|t| t.size_bytes),
            writes_per_sec: self.snapshot.write_rates.get(&index.table_oid).copied(),
            actionable: true,
            notes: Vec::new(),
        }
    }

    fn invalid(&self, reported: &mut HashSet<i64>) -> Vec<Finding> {
        self.settled()
            .filter(|i| !i.valid && !i.partition)
            .map(|i| {
                reported.insert(i.oid);
                let mut f = self.about(FindingKind::Invalid, i);
                f.notes.push(
                    "left by a failed CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY: every \
                     write maintains it, no query can use it"
                        .to_owned(),
                );
                if i.unique {
                    f.notes.push(
                        "a UNIQUE build fails on duplicate keys: remove them before a retry"
                            .to_owned(),
                    );
                }
                f
            })
            .collect()
    }

    fn duplicates(&self, reported: &mut HashSet<i64>) -> Vec<Finding> {
        let tables = by_table(
            self.settled()
                .filter(|i| i.valid && !i.partition && !reported.contains(&i.oid)),
        );
        let mut grouped: HashSet<i64> = HashSet::new();
        let mut out = Vec::new();
        for (index, candidates) in tables
            .values()
            .flat_map(|on_table| on_table.iter().map(move |i| (i, on_table)))
        {
            if grouped.contains(&index.oid) {
                continue;
            }
            let mut group: Vec<&IndexDef> = candidates
                .iter()
                .copied()
                .filter(|other| same_definition(index, other))
                .collect();
            if group.len() < 2 {
                continue;
            }
            group.sort_by_key(|i| std::cmp::Reverse(keep_rank(i)));
            let keeper = group[0];
            grouped.extend(group.iter().map(|i| i.oid));
            if keeper.scans == 0
                && keeper.protected_by().is_none()
                && !self.indexes_a_foreign_key(keeper)
            {
                // Nothing scans any of them and none needs to stay: all are unused, none is
                // "kept" only to be dropped as unused next.
                continue;
            }
            for extra in &group[1..] {
                grouped.insert(extra.oid);
                reported.insert(extra.oid);
                let mut f = self.about(FindingKind::Duplicate, extra);
                f.kept = Some(IndexRef::from(keeper));
                let protected = extra
                    .protected_by()
                    .filter(|_| !(extra.unique && keeper.unique && !constraint_like(extra)));
                if let Some(why) = protected {
                    f.actionable = false;
                    f.notes.push(format!(
                        "both are needed as they stand: it {why}; drop the duplicate constraint \
                         with ALTER TABLE once nothing relies on its name"
                    ));
                }
                out.push(f);
            }
            grouped.insert(keeper.oid);
        }
        out
    }

    fn redundant(&self, reported: &mut HashSet<i64>) -> Vec<Finding> {
        let tables = by_table(
            self.settled()
                .filter(|i| i.valid && !i.partition && i.method == "btree"),
        );
        let mut out = Vec::new();
        for (short, btrees) in tables
            .values()
            .flat_map(|on_table| on_table.iter().map(move |i| (i, on_table)))
        {
            if reported.contains(&short.oid) || short.protected_by().is_some() {
                continue;
            }
            // The longest cover: the one that stays when every redundant index goes. A cover
            // nothing scans would itself be reported unused: when `short` is the one in use,
            // `short` stays and the cover goes, not both.
            // Both unused and neither keeps a foreign key indexed: both are reported unused
            // instead (a redundant finding would say the other one is kept).
            let cover = btrees
                .iter()
                .filter(|long| long.oid != short.oid && !reported.contains(&long.oid))
                .filter(|long| {
                    long.scans > 0
                        || long.protected_by().is_some()
                        || (short.scans == 0 && self.indexes_a_foreign_key(long))
                })
                .filter(|long| covers(long, short))
                .max_by_key(|long| (long.key_count, std::cmp::Reverse(long.oid)));
            if let Some(long) = cover {
                reported.insert(short.oid);
                let mut f = self.about(FindingKind::Redundant, short);
                f.kept = Some(IndexRef::from(*long));
                out.push(f);
            }
        }
        out
    }

    /// Never-scanned indexes backing nothing — save the one index that keeps a foreign key
    /// indexed (it is what makes a DELETE of the referenced row cheap; its scans come only
    /// with such deletes). Of two that support the same foreign key, the larger is reported.
    fn unused(&self, reported: &mut HashSet<i64>) -> Vec<Finding> {
        let mut candidates: Vec<&IndexDef> = self
            .settled()
            .filter(|i| i.valid && i.scans == 0 && !reported.contains(&i.oid))
            .filter(|i| i.protected_by().is_none())
            .collect();
        candidates.sort_by_key(|i| (std::cmp::Reverse(i.size_bytes.unwrap_or(0)), i.oid));
        let mut unused = Vec::new();
        for index in candidates {
            if self.only_support_of_a_foreign_key(index, reported) {
                continue;
            }
            reported.insert(index.oid);
            unused.push(index);
        }
        unused
            .into_iter()
            .map(|i| {
                let mut f = self.about(FindingKind::Unused, i);
                if self.snapshot.stats().young(self.now) {
                    // too young to judge: advice, not a warning
                    f.level = Level::Unknown;
                }
                f.notes.extend(self.usage_caveats());
                f
            })
            .collect()
    }

    /// The foreign keys of `index`'s table whose columns lead it.
    fn foreign_keys_of<'s>(&'s self, index: &'s IndexDef) -> impl Iterator<Item = &'s ForeignKey> {
        self.snapshot
            .foreign_keys
            .iter()
            .filter(move |fk| fk.table_oid == index.table_oid && supports(index, fk))
    }

    fn indexes_a_foreign_key(&self, index: &IndexDef) -> bool {
        self.foreign_keys_of(index).next().is_some()
    }

    /// `index` supports a foreign key that no other index left standing supports (the ones
    /// already reported are to be dropped).
    fn only_support_of_a_foreign_key(&self, index: &IndexDef, reported: &HashSet<i64>) -> bool {
        let on_table = self
            .indexes
            .get(&index.table_oid)
            .map_or(&[][..], Vec::as_slice);
        self.foreign_keys_of(index).any(|fk| {
            !on_table.iter().any(|other| {
                other.oid != index.oid && !reported.contains(&other.oid) && supports(other, fk)
            })
        })
    }

    /// Why "never scanned" may not mean "not needed".
    fn usage_caveats(&self) -> Vec<String> {
        let mut notes = Vec::new();
        let stats = self.snapshot.stats();
        let young = ": an index used by a weekly or monthly job looks unused";
        match (stats.reset, stats.at()) {
            (Some(at), _) if stats.young(self.now) => notes.push(format!(
                "statistics were reset only {} ago{young}",
                age_words(self.now - at)
            )),
            (Some(_), _) => {}
            (None, Some(at)) if stats.young(self.now) => notes.push(format!(
                "statistics were never reset here, but count only since the server's \
                 statistics started {} ago (its creation, a crash recovery or an upgrade){young}",
                age_words(self.now - at)
            )),
            (None, Some(at)) => notes.push(format!(
                "statistics were never reset here: scans count since the server's statistics \
                 started {} ago (its creation, a crash recovery or an upgrade)",
                age_words(self.now - at)
            )),
            (None, None) => notes.push(
                "statistics were never reset here: scans count since the cluster was created \
                 or last recovered from a crash (when, this role cannot tell)"
                    .to_owned(),
            ),
        }
        match self.snapshot.standbys {
            0 => {}
            n => notes.push(format!(
                "{n} standby server{} stream{} from this one: queries there may use it, and \
                 their scans are not counted here",
                if n == 1 { "" } else { "s" },
                if n == 1 { "s" } else { "" },
            )),
        }
        notes
    }

    fn unindexed_foreign_keys(&self) -> Vec<Finding> {
        self.snapshot
            .foreign_keys
            .iter()
            .filter(|fk| !fk.attnums.is_empty())
            .filter(|fk| {
                let on_table = self
                    .indexes
                    .get(&fk.table_oid)
                    .map_or(&[][..], Vec::as_slice);
                // A table under DDL is judged at the next refresh.
                !on_table.iter().any(|i| i.locked || supports(i, fk))
            })
            .map(|fk| self.unindexed(fk))
            .collect()
    }

    fn unindexed(&self, fk: &ForeignKey) -> Finding {
        let table = self.tables.get(&fk.table_oid);
        let size = table.and_then(|t| t.size_bytes);
        let action = match fk.on_delete {
            'c' => "deletes the matching rows of",
            'n' | 'd' => "updates the matching rows of",
            _ => "checks",
        };
        let notes = vec![format!(
            "every DELETE from {} (or change of its key) {action} {}.{} by scanning it, \
             without an index on ({})",
            fk.referenced,
            fk.schema,
            fk.table,
            fk.columns.join(", ")
        )];
        Finding {
            kind: FindingKind::MissingFkIndex,
            level: Level::Warn,
            table_oid: Some(fk.table_oid),
            schema: fk.schema.clone(),
            table: fk.table.clone(),
            index: None,
            kept: None,
            foreign_key: Some(fk.clone()),
            suggestion: None,
            size_bytes: size,
            table_size: size,
            writes_per_sec: self.snapshot.write_rates.get(&fk.table_oid).copied(),
            actionable: true,
            notes,
        }
    }

    fn suggestion(&self, position: usize, s: &Suggestion) -> Finding {
        let table = self
            .snapshot
            .tables
            .iter()
            .find(|t| t.schema == s.schema && t.name == s.table);
        let mut notes: Vec<String> = s.note.iter().cloned().collect();
        if !s.verified {
            notes.insert(
                0,
                "UNVERIFIED: no hypothetical index checked that the planner would use it"
                    .to_owned(),
            );
        }
        Finding {
            kind: FindingKind::Suggestion,
            level: if s.verified {
                Level::Warn
            } else {
                Level::Unknown
            },
            table_oid: table.map(|t| t.oid),
            schema: s.schema.clone(),
            table: s.table.clone(),
            index: None,
            kept: None,
            foreign_key: None,
            suggestion: Some(position),
            size_bytes: s.estimated_size_bytes,
            table_size: table.and_then(|t| t.size_bytes),
            writes_per_sec: s
                .table_writes_per_sec
                .or_else(|| table.and_then(|t| self.snapshot.write_rates.get(&t.oid).copied())),
            actionable: true,
            notes,
        }
    }
}

/// A foreign key whose columns lead a suggested index is resolved by that index: the
/// foreign key's finding points at the suggestion (its fix builds it), and each says so —
/// one index, not a narrow one for the key and a wide one for the statements.
fn resolve_together(
    unindexed: &mut [Finding],
    suggested: &mut [Finding],
    suggestions: &[Suggestion],
) {
    for f in unindexed {
        let Some(fk) = &f.foreign_key else { continue };
        let found = suggestions
            .iter()
            .enumerate()
            .find(|(_, s)| s.schema == fk.schema && s.table == fk.table && leads(s, &fk.columns));
        let Some((position, s)) = found else { continue };
        f.suggestion = Some(position);
        f.notes.push(format!(
            "the suggested index {} ({}) also indexes this foreign key: creating it resolves both",
            s.name,
            s.columns.join(", ")
        ));
        if let Some(sf) = suggested
            .iter_mut()
            .find(|x| x.suggestion == Some(position))
        {
            sf.notes.push(format!(
                "it also indexes the foreign key {} ({})",
                fk.name,
                fk.columns.join(", ")
            ));
        }
    }
}

/// `columns` lead the suggested index's keys, in any order (a plain, non-partial btree).
fn leads(s: &Suggestion, columns: &[String]) -> bool {
    if s.predicate.is_some() || s.method != "btree" || s.columns.len() < columns.len() {
        return false;
    }
    let mut leading: Vec<String> = s.columns[..columns.len()]
        .iter()
        .map(|c| fix::key_of_sql(c).0)
        .collect();
    let mut wanted = columns.to_vec();
    leading.sort();
    wanted.sort();
    leading == wanted
}

/// Indexes grouped by their table, in table oid order.
fn by_table<'a>(indexes: impl Iterator<Item = &'a IndexDef>) -> BTreeMap<i64, Vec<&'a IndexDef>> {
    let mut tables: BTreeMap<i64, Vec<&IndexDef>> = BTreeMap::new();
    for index in indexes {
        tables.entry(index.table_oid).or_default().push(index);
    }
    tables
}

/// Same table, method, key columns (with operator classes, collations and ordering),
/// INCLUDE columns and predicate.
fn same_definition(a: &IndexDef, b: &IndexDef) -> bool {
    a.table_oid == b.table_oid
        && a.method == b.method
        && a.key_count == b.key_count
        && (0..a.key_count).all(|i| a.key(i) == b.key(i))
        && a.predicate == b.predicate
        && sorted(a.included()) == sorted(b.included())
}

/// `long` serves every query `short` can: same table and predicate, `short`'s keys are a
/// leading prefix of `long`'s (or all of them), and `short`'s INCLUDE columns are among
/// `long`'s columns. Equal definitions are duplicates, not this.
fn covers(long: &IndexDef, short: &IndexDef) -> bool {
    long.table_oid == short.table_oid
        && long.predicate == short.predicate
        && short.key_count <= long.key_count
        && (0..short.key_count).all(|i| short.key(i) == long.key(i))
        && short.included().iter().all(|c| long.columns.contains(c))
        && !same_definition(long, short)
}

/// A valid, settled index whose leading key columns are exactly the foreign key's columns, in
/// any order (a partial index does not serve the checks; nor does an expression).
fn supports(index: &IndexDef, fk: &ForeignKey) -> bool {
    let n = fk.attnums.len();
    let method_ok = index.method == "btree" || (index.method == "hash" && n == 1);
    if !index.valid || index.building || index.predicate.is_some() || !method_ok {
        return false;
    }
    if index.key_count < n || index.attnums.len() < n {
        return false;
    }
    let mut leading: Vec<i16> = index.attnums[..n].to_vec();
    let mut wanted = fk.attnums.clone();
    leading.sort_unstable();
    wanted.sort_unstable();
    leading == wanted
}

/// Which of equal indexes to keep: the one that backs something, then the most used, then the
/// oldest.
fn keep_rank(i: &IndexDef) -> (bool, bool, bool, bool, bool, i64, std::cmp::Reverse<i64>) {
    (
        i.primary,
        i.constraint.is_some(),
        i.replica_identity,
        i.referenced_by_fk,
        i.unique,
        i.scans,
        std::cmp::Reverse(i.oid),
    )
}

/// Backs something a DROP INDEX would break beyond uniqueness itself.
fn constraint_like(i: &IndexDef) -> bool {
    i.primary || i.constraint.is_some() || i.replica_identity || i.referenced_by_fk || i.partition
}

fn sorted(columns: &[String]) -> Vec<&String> {
    let mut v: Vec<&String> = columns.iter().collect();
    v.sort();
    v
}

#[cfg(test)]
#[path = "findings_tests.rs"]
mod tests;
