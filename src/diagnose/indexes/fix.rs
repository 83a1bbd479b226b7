//! The statements that resolve a finding and the ones that undo them, with every identifier
//! quoted; generated index names; and whether an index that would be created already exists
//! under another name.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::advisor::Suggestion;
use crate::diagnose::indexes::{
    Finding, FindingKind, ForeignKey, IndexDef, IndexRef, IndexesSnapshot,
};
use crate::quote::{ident, qualified};

/// PostgreSQL truncates identifiers to 63 bytes.
const MAX_IDENT: usize = 63;

/// What a fix does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixKind {
    Create,
    Drop,
    Reindex,
}

/// A finding's resolution: the statement, the one that undoes it, and what it risks.
#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    pub kind: FixKind,
    /// `schema.name` of the index, as the Jobs pane shows it.
    pub target: String,
    pub apply: String,
    pub rollback: String,
    pub warning: String,
    /// The index a Create builds, for the re-check before and the follow-up after.
    pub new_index: Option<NewIndex>,
}

/// An index to be created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIndex {
    pub schema: String,
    pub table: String,
    pub name: String,
    /// Key expressions as SQL (identifiers quoted, ASC/DESC when not default).
    pub columns: Vec<String>,
    pub include: Vec<String>,
    pub predicate: Option<String>,
    pub method: String,
}

impl NewIndex {
    /// The advisor's suggestion as an index to create.
    #[must_use]
    pub fn from_suggestion(s: &Suggestion) -> Self {
        Self {
            schema: s.schema.clone(),
            table: s.table.clone(),
            name: s.name.clone(),
            columns: s.columns.clone(),
            include: s.include.clone(),
            predicate: s.predicate.clone(),
            method: s.method.clone(),
        }
    }

    /// `CREATE INDEX CONCURRENTLY "name" ON "schema"."table" USING method (…) …`.
    #[must_use]
    pub fn create_sql(&self) -> String {
        let mut sql = format!(
            "CREATE INDEX CONCURRENTLY {} ON {} USING {} ({})",
            ident(&self.name),
            qualified(&self.schema, &self.table),
            ident(&self.method),
            self.columns.join(", ")
        );
        if !self.include.is_empty() {
            let _ = write!(sql, " INCLUDE ({})", self.include.join(", "));
        }
        if let Some(predicate) = &self.predicate {
            let _ = write!(sql, " WHERE {predicate}");
        }
        sql
    }

    /// `DROP INDEX CONCURRENTLY IF EXISTS "schema"."name"`.
    #[must_use]
    pub fn drop_sql(&self) -> String {
        drop_sql(&self.schema, &self.name)
    }

    /// `schema.name`.
    #[must_use]
    pub fn target(&self) -> String {
        format!("{}.{}", self.schema, self.name)
    }
}

/// How to resolve `finding`, or why pgmedic offers no statement for it.
pub fn fix(
    finding: &Finding,
    suggestions: &[Suggestion],
    snapshot: &IndexesSnapshot,
) -> Result<Fix, String> {
    if !finding.actionable {
        return Err(finding
            .notes
            .first()
            .cloned()
            .unwrap_or_else(|| "no statement of pgmedic resolves this".to_owned()));
    }
    match (finding.kind, &finding.index, &finding.foreign_key) {
        (FindingKind::Suggestion, ..) => {
            let s = finding
                .suggestion
                .and_then(|i| suggestions.get(i))
                .ok_or("the suggestion is gone (the advisor ran again)")?;
            let new = NewIndex::from_suggestion(s);
            Ok(create(new, s.create_sql.clone(), s.rollback_sql.clone()))
        }
        (FindingKind::MissingFkIndex, _, Some(_))
            if let Some(s) = finding.suggestion.and_then(|i| suggestions.get(i)) =>
        {
            // the suggested index leads with the key's columns: it resolves both
            let new = NewIndex::from_suggestion(s);
            Ok(create(new, s.create_sql.clone(), s.rollback_sql.clone()))
        }
        (FindingKind::MissingFkIndex, _, Some(fk)) => {
            let new = for_foreign_key(fk, &taken_names(snapshot, &fk.schema));
            let (apply, rollback) = (new.create_sql(), new.drop_sql());
            Ok(create(new, apply, rollback))
        }
        (FindingKind::Invalid, Some(index), _) => Ok(drop_invalid(index)),
        (_, Some(index), _) => Ok(drop_index(index)),
        _ => Err("nothing to act on".to_owned()),
    }
}

fn create(new: NewIndex, apply: String, rollback: String) -> Fix {
    Fix {
        kind: FixKind::Create,
        target: new.target(),
        apply,
        rollback,
        warning: format!(
            "builds without blocking writes, but reads all of {}.{} and waits for every \
             transaction older than it, however long (the Jobs pane shows the pids it waits \
             for); cancelling leaves an invalid index to drop",
            new.schema, new.table
        ),
        new_index: Some(new),
    }
}

/// DROP INDEX CONCURRENTLY of an existing index; undone by its definition, built concurrently.
#[must_use]
pub fn drop_index(index: &IndexRef) -> Fix {
    Fix {
        kind: FixKind::Drop,
        target: format!("{}.{}", index.schema, index.name),
        apply: drop_sql(&index.schema, &index.name),
        rollback: concurrent_definition(&index.definition),
        warning: "waits for every transaction older than it, however long (the Jobs pane \
                  shows the pids it waits for); queries that used the index plan without it \
                  from then on"
            .to_owned(),
        new_index: None,
    }
}

/// DROP INDEX CONCURRENTLY of an invalid index: no query used it, so there is nothing to undo;
/// building it again is a retry of the failed build (a UNIQUE one fails again until the
/// duplicate keys are gone).
#[must_use]
pub fn drop_invalid(index: &IndexRef) -> Fix {
    let retry = concurrent_definition(&index.definition);
    let rollback = if index.definition.starts_with("CREATE UNIQUE INDEX ") {
        format!(
            "-- nothing to undo (no query could use it); to retry the build, remove the \
             duplicate keys first: {retry}"
        )
    } else {
        format!("-- nothing to undo (no query could use it); to retry the build: {retry}")
    };
    Fix {
        rollback,
        warning: "waits for every transaction older than it, however long (the Jobs pane \
                  shows the pids it waits for); every write stops maintaining it"
            .to_owned(),
        ..drop_index(index)
    }
}

/// REINDEX INDEX CONCURRENTLY (12+): rebuilds without blocking writes; nothing to undo.
#[must_use]
pub fn reindex(index: &IndexRef) -> Fix {
    Fix {
        kind: FixKind::Reindex,
        target: format!("{}.{}", index.schema, index.name),
        apply: format!(
            "REINDEX INDEX CONCURRENTLY {}",
            qualified(&index.schema, &index.name)
        ),
        rollback: "-- nothing to undo: the index keeps its definition".to_owned(),
        warning: "builds a new copy beside the old one (twice the space meanwhile) and waits for \
                  every transaction older than it, however long (the Jobs pane shows the pids it \
                  waits for)"
            .to_owned(),
        new_index: None,
    }
}

fn drop_sql(schema: &str, name: &str) -> String {
    format!(
        "DROP INDEX CONCURRENTLY IF EXISTS {}",
        qualified(schema, name)
    )
}

/// pg_get_indexdef's `CREATE [UNIQUE] INDEX …` as a CONCURRENTLY build.
#[must_use]
pub fn concurrent_definition(definition: &str) -> String {
    for prefix in ["CREATE UNIQUE INDEX ", "CREATE INDEX "] {
        if let Some(rest) = definition.strip_prefix(prefix) {
            return format!("{prefix}CONCURRENTLY {rest}");
        }
    }
    definition.to_owned()
}

/// Names of the relations of `schema` pgmedic knows (indexes and tables share a namespace).
#[must_use]
pub fn taken_names(snapshot: &IndexesSnapshot, schema: &str) -> BTreeSet<String> {
    let indexes = snapshot
        .indexes
        .iter()
        .filter(|i| i.schema == schema)
        .map(|i| i.name.clone());
    let tables = snapshot
        .tables
        .iter()
        .filter(|t| t.schema == schema)
        .map(|t| t.name.clone());
    indexes.chain(tables).collect()
}

/// The index that supports `fk`: its columns in constraint order, named
/// `<table>_<columns>_idx` (cut to 63 bytes, numbered when taken).
#[must_use]
pub fn for_foreign_key(fk: &ForeignKey, taken: &BTreeSet<String>) -> NewIndex {
    let base = format!("{}_{}_idx", fk.table, fk.columns.join("_"));
    NewIndex {
        schema: fk.schema.clone(),
        table: fk.table.clone(),
        name: unique_name(&base, taken),
        columns: fk.columns.iter().map(|c| ident(c)).collect(),
        include: Vec::new(),
        predicate: None,
        method: "btree".to_owned(),
    }
}

/// `base`, or `base1`, `base2` … — each cut to 63 bytes on a character boundary — that is not
/// in `taken`.
#[must_use]
pub fn unique_name(base: &str, taken: &BTreeSet<String>) -> String {
    (0..10_000)
        .map(|n| {
            let suffix = if n == 0 { String::new() } else { n.to_string() };
            format!("{}{suffix}", cut(base, MAX_IDENT - suffix.len()))
        })
        .find(|name| !taken.contains(name))
        .unwrap_or_else(|| base.to_owned())
}

fn cut(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// An existing index of the table that makes `new` pointless, or stands in its way, in words:
/// one with the same leading keys (same method and predicate), or one with its name.
#[must_use]
pub fn already_there(new: &NewIndex, existing: &[IndexDef]) -> Option<String> {
    let wanted: Vec<(String, i16)> = new.columns.iter().map(|c| key_of_sql(c)).collect();
    for index in existing
        .iter()
        .filter(|i| i.schema == new.schema && i.table == new.table)
    {
        if index.name == new.name {
            let state = if index.valid { "" } else { "an invalid " };
            return Some(format!(
                "{state}index {} already exists{}",
                index.name,
                if index.valid {
                    ""
                } else {
                    ": drop it first (d)"
                }
            ));
        }
        let keys: Vec<(String, i16)> = (0..index.key_count)
            .filter_map(|i| index.key(i))
            .map(|k| (unquote(k.column), k.option & 1))
            .collect();
        let covers = index.valid
            && index.method == new.method
            && index.predicate.as_deref().map(normalize) == new.predicate.as_deref().map(normalize)
            && keys.len() >= wanted.len()
            && keys[..wanted.len()] == wanted[..];
        if covers {
            return Some(format!(
                "{} already covers it: {}",
                index.name, index.definition
            ));
        }
    }
    None
}

/// A key expression as SQL (`"user_id" DESC`) → its unquoted text and DESC bit.
pub(crate) fn key_of_sql(sql: &str) -> (String, i16) {
    let trimmed = sql.trim();
    let upper = trimmed.to_ascii_uppercase();
    let mut desc = 0;
    let mut body = trimmed;
    for (suffix, bit) in [(" DESC", 1), (" ASC", 0)] {
        if upper.ends_with(suffix) {
            desc = bit;
            body = trimmed[..trimmed.len() - suffix.len()].trim_end();
            break;
        }
    }
    (unquote(body), desc)
}

/// `"a ""b"""` → `a "b"`; anything else unchanged.
fn unquote(s: &str) -> String {
    let s = s.trim();
    match s.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        Some(inner) if !inner.replace("\"\"", "").contains('"') => inner.replace("\"\"", "\""),
        _ => s.to_owned(),
    }
}

/// A predicate without outer parentheses and with single spaces, for comparison.
fn normalize(predicate: &str) -> String {
    let mut p = predicate.trim();
    while p.starts_with('(') && p.ends_with(')') {
        p = p[1..p.len() - 1].trim();
    }
    p.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fk(table: &str, columns: &[&str]) -> ForeignKey {
        ForeignKey {
            schema: "we\"ird".to_owned(),
            table: table.to_owned(),
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            ..ForeignKey::default()
        }
    }

    #[test]
    fn foreign_key_indexes_are_named_quoted_and_unique() {
        let taken: BTreeSet<String> = ["orders_user_id_idx".to_owned()].into_iter().collect();
        let new = for_foreign_key(&fk("orders", &["user_id"]), &taken);
        assert_eq!(new.name, "orders_user_id_idx1");
        let hostile = for_foreign_key(&fk("T\"; DROP TABLE x; --", &["a b;c"]), &BTreeSet::new());
        assert_eq!(
            hostile.create_sql(),
            "CREATE INDEX CONCURRENTLY \"T\"\"; DROP TABLE x; --_a b;c_idx\" ON \
             \"we\"\"ird\".\"T\"\"; DROP TABLE x; --\" USING \"btree\" (\"a b;c\")"
        );
        assert_eq!(
            hostile.drop_sql(),
            "DROP INDEX CONCURRENTLY IF EXISTS \"we\"\"ird\".\"T\"\"; DROP TABLE x; --_a b;c_idx\""
        );
    }

    #[test]
    fn long_names_are_cut_to_63_bytes_on_a_character_boundary() {
        let base = format!("{}é_idx", "a".repeat(62));
        let name = unique_name(&base, &BTreeSet::new());
        assert!(name.len() <= 63 && name.ends_with('a'), "{name}");
        let taken: BTreeSet<String> = [name.clone()].into_iter().collect();
        let second = unique_name(&base, &taken);
        assert!(second.len() <= 63 && second.ends_with('1'), "{second}");
    }

    #[test]
    fn drops_are_undone_by_the_definition_built_concurrently() {
        let index = IndexRef {
            schema: "public".to_owned(),
            name: "Snapshots by \"Best Bid\"".to_owned(),
            definition: "CREATE UNIQUE INDEX \"x\" ON public.t USING btree (a)".to_owned(),
            ..IndexRef::default()
        };
        let fix = drop_index(&index);
        assert_eq!(
            fix.apply,
            "DROP INDEX CONCURRENTLY IF EXISTS \"public\".\"Snapshots by \"\"Best Bid\"\"\""
        );
        assert_eq!(
            fix.rollback,
            "CREATE UNIQUE INDEX CONCURRENTLY \"x\" ON public.t USING btree (a)"
        );
        assert_eq!(
            reindex(&index).apply,
            "REINDEX INDEX CONCURRENTLY \"public\".\"Snapshots by \"\"Best Bid\"\"\""
        );
    }

    fn existing(name: &str, columns: &[&str], options: &[i16]) -> IndexDef {
        IndexDef {
            schema: "public".to_owned(),
            table: "orders".to_owned(),
            name: name.to_owned(),
            method: "btree".to_owned(),
            key_count: columns.len(),
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            options: options.to_vec(),
            valid: true,
            definition: format!("CREATE INDEX {name} …"),
            ..IndexDef::default()
        }
    }

    #[test]
    fn an_index_with_the_same_leading_keys_makes_a_new_one_pointless() {
        let new = NewIndex {
            schema: "public".to_owned(),
            table: "orders".to_owned(),
            name: "orders_user_id_created_at_idx".to_owned(),
            columns: vec!["\"user_id\"".to_owned(), "\"created_at\" DESC".to_owned()],
            include: Vec::new(),
            predicate: None,
            method: "btree".to_owned(),
        };
        assert_eq!(
            already_there(&new, &[existing("o_u", &["user_id"], &[0])]),
            None
        );
        assert_eq!(
            already_there(
                &new,
                &[existing("o_u_c", &["user_id", "created_at"], &[0, 0])]
            ),
            None,
            "ascending is not the order asked for"
        );
        let covering = existing("o_u_c_s", &["user_id", "created_at", "status"], &[0, 3, 0]);
        assert!(
            already_there(&new, &[covering])
                .unwrap()
                .starts_with("o_u_c_s already covers")
        );
        let mut leftover = existing("orders_user_id_created_at_idx", &["x"], &[0]);
        leftover.valid = false;
        assert!(
            already_there(&new, &[leftover])
                .unwrap()
                .contains("invalid")
        );
        let mut partial = existing("p", &["user_id", "created_at"], &[0, 3]);
        partial.predicate = Some("(status = 'open'::text)".to_owned());
        assert_eq!(already_there(&new, &[partial]), None);
    }

    #[test]
    fn an_invalid_unique_index_is_not_undone_by_a_build_bound_to_fail() {
        let index = IndexRef {
            schema: "public".to_owned(),
            name: "trades_external_trade_id_key".to_owned(),
            definition: "CREATE UNIQUE INDEX trades_external_trade_id_key ON public.trades \
                         USING btree (external_trade_id)"
                .to_owned(),
            ..IndexRef::default()
        };
        let fix = drop_invalid(&index);
        assert!(
            fix.rollback.starts_with("-- nothing to undo"),
            "{}",
            fix.rollback
        );
        assert!(fix.rollback.contains("remove the duplicate keys first"));
        assert_eq!(fix.apply, drop_index(&index).apply);
    }

    #[test]
    fn quoted_keys_compare_with_what_pg_get_indexdef_writes() {
        assert_eq!(
            key_of_sql("\"a \"\"b\"\"\" DESC"),
            ("a \"b\"".to_owned(), 1)
        );
        assert_eq!(key_of_sql("lower(email)"), ("lower(email)".to_owned(), 0));
        assert_eq!(unquote("\"Best Bid\""), "Best Bid");
        assert_eq!(normalize("((a > 1))"), "a > 1");
    }
}
