use super::*;
use crate::diagnose::indexes::TableInfo;

const NOW: f64 = 1_000_000_000.0;
const T: i64 = 100;

/// A valid, used btree on table `T` over plain columns named a, b, c … (attnum = position in
/// the alphabet).
fn idx(oid: i64, name: &str, columns: &[&str]) -> IndexDef {
    IndexDef {
        oid,
        table_oid: T,
        schema: "public".to_owned(),
        table: "t".to_owned(),
        name: name.to_owned(),
        method: "btree".to_owned(),
        key_count: columns.len(),
        attnums: columns.iter().map(|c| attnum(c)).collect(),
        columns: columns.iter().map(|c| (*c).to_owned()).collect(),
        opclasses: vec![1978; columns.len()],
        collations: vec![0; columns.len()],
        options: vec![0; columns.len()],
        valid: true,
        scans: 5,
        size_bytes: Some(8192 * oid),
        definition: format!(
            "CREATE INDEX {name} ON public.t USING btree ({})",
            columns.join(", ")
        ),
        ..IndexDef::default()
    }
}

fn attnum(column: &str) -> i16 {
    match column.as_bytes() {
        [c] if c.is_ascii_lowercase() => i16::from(*c - b'a' + 1),
        _ => 0,
    }
}

fn snapshot(indexes: Vec<IndexDef>) -> IndexesSnapshot {
    IndexesSnapshot {
        taken_at: NOW,
        database: "db".to_owned(),
        stats_reset: Some(NOW - 30.0 * 86_400.0),
        stats_started: Some(NOW - 90.0 * 86_400.0),
        created_at: Some(NOW - 400.0 * 86_400.0),
        standbys: 0,
        indexes,
        tables: vec![TableInfo {
            oid: T,
            schema: "public".to_owned(),
            name: "t".to_owned(),
            size_bytes: Some(1 << 30),
            live_rows: 1_000_000,
            seq_scans: 3,
            may_alter: true,
            owner: "app".to_owned(),
        }],
        foreign_keys: Vec::new(),
        write_rates: [(T, 12.5)].into_iter().collect(),
    }
}

fn fk(oid: i64, columns: &[&str]) -> ForeignKey {
    ForeignKey {
        oid,
        name: format!("t_{}_fkey", columns.join("_")),
        table_oid: T,
        schema: "public".to_owned(),
        table: "t".to_owned(),
        attnums: columns.iter().map(|c| attnum(c)).collect(),
        columns: columns.iter().map(|c| (*c).to_owned()).collect(),
        referenced: "public.parent".to_owned(),
        referenced_columns: vec!["id".to_owned(); columns.len()],
        on_delete: 'a',
    }
}

fn kinds(found: &[Finding]) -> Vec<(FindingKind, String)> {
    found
        .iter()
        .map(|f| {
            let name = f
                .index
                .as_ref()
                .map(|i| i.name.clone())
                .or_else(|| f.foreign_key.as_ref().map(|k| k.name.clone()))
                .unwrap_or_default();
            (f.kind, name)
        })
        .collect()
}

fn pk(oid: i64, columns: &[&str]) -> IndexDef {
    IndexDef {
        primary: true,
        unique: true,
        constraint: Some("t_pkey".to_owned()),
        ..idx(oid, "t_pkey", columns)
    }
}

#[test]
fn a_healthy_table_has_no_findings() {
    let mut s = snapshot(vec![pk(1, &["a"]), idx(2, "t_b_c", &["b", "c"])]);
    s.foreign_keys.push(fk(50, &["b"]));
    assert!(findings(&s, &[], NOW).is_empty());
}

#[test]
fn unused_means_never_scanned_and_backing_nothing() {
    let mut unused = idx(2, "t_b", &["b"]);
    unused.scans = 0;
    let mut pk = pk(1, &["a"]);
    pk.scans = 0;
    let mut unique = idx(3, "t_c_key", &["c"]);
    unique.unique = true;
    unique.scans = 0;
    let mut replica = idx(4, "t_d_ri", &["d"]);
    replica.replica_identity = true;
    replica.unique = true;
    replica.scans = 0;
    let mut excl = idx(5, "t_e_excl", &["e"]);
    excl.exclusion = true;
    excl.method = "gist".to_owned();
    excl.constraint = Some("t_e_excl".to_owned());
    excl.scans = 0;
    let found = findings(&snapshot(vec![pk, unused, unique, replica, excl]), &[], NOW);
    assert_eq!(kinds(&found), vec![(FindingKind::Unused, "t_b".to_owned())]);
    let f = &found[0];
    assert_eq!(f.size_bytes, Some(8192 * 2));
    assert_eq!(f.writes_per_sec, Some(12.5));
    assert_eq!(f.table_size, Some(1 << 30));
    assert!(f.notes.is_empty(), "{:?}", f.notes);
}

#[test]
fn young_stats_and_standbys_weaken_unused() {
    let mut unused = idx(2, "t_b", &["b"]);
    unused.scans = 0;
    let mut s = snapshot(vec![unused]);
    s.stats_reset = Some(NOW - 7200.0);
    s.standbys = 2;
    let found = findings(&s, &[], NOW);
    let notes = found[0].notes.join(" | ");
    assert!(notes.contains("reset only 2 h ago"), "{notes}");
    assert!(notes.contains("2 standby servers stream"), "{notes}");
    assert_eq!(found[0].level, Level::Unknown, "too young to judge: advice");
}

#[test]
fn never_reset_statistics_are_dated_by_the_servers_statistics_start() {
    let mut unused = idx(2, "t_b", &["b"]);
    unused.scans = 0;
    // A cluster created three minutes ago: its statistics were never reset.
    let mut s = snapshot(vec![unused]);
    s.stats_reset = None;
    s.stats_started = Some(NOW - 180.0);
    s.created_at = Some(NOW - 185.0);
    let found = findings(&s, &[], NOW);
    let notes = found[0].notes.join(" | ");
    assert!(
        notes.contains(
            "never reset here, but count only since the server's statistics started 3 min ago"
        ),
        "{notes}"
    );
    assert_eq!(found[0].level, Level::Unknown);
    assert_eq!(s.stats().short(NOW), "stats never reset, from 3 min ago");
    // Old enough: a warning, dated.
    s.stats_started = Some(NOW - 30.0 * 86_400.0);
    let found = findings(&s, &[], NOW);
    assert_eq!(found[0].level, Level::Warn);
    assert!(
        found[0].notes[0].contains("started 30 days ago"),
        "{:?}",
        found[0].notes
    );
    // Only the creation known (the bgwriter's reset unreadable): it bounds the age.
    s.stats_started = None;
    s.created_at = Some(NOW - 600.0);
    assert!(s.stats().young(NOW));
}

#[test]
fn duplicates_keep_the_constraint_then_the_most_used() {
    let mut twin = idx(3, "t_a_again", &["a"]);
    twin.scans = 0;
    let mut b1 = idx(4, "t_b_1", &["b"]);
    b1.scans = 1;
    let mut b2 = idx(5, "t_b_2", &["b"]);
    b2.scans = 100;
    let found = findings(&snapshot(vec![pk(1, &["a"]), twin, b1, b2]), &[], NOW);
    assert_eq!(
        kinds(&found),
        vec![
            (FindingKind::Duplicate, "t_b_1".to_owned()),
            (FindingKind::Duplicate, "t_a_again".to_owned()),
        ]
    );
    assert_eq!(found[1].kept.as_ref().unwrap().name, "t_pkey");
    assert_eq!(found[0].kept.as_ref().unwrap().name, "t_b_2");
    assert!(found.iter().all(|f| f.actionable));
}

#[test]
fn different_opclass_collation_order_predicate_or_method_is_not_a_duplicate() {
    let base = idx(2, "t_b", &["b"]);
    let mut opclass = idx(3, "t_b_pattern", &["b"]);
    opclass.opclasses = vec![10_000];
    let mut collation = idx(4, "t_b_c", &["b"]);
    collation.collations = vec![950];
    let mut desc = idx(5, "t_b_desc", &["b"]);
    desc.options = vec![3];
    let mut partial = idx(6, "t_b_partial", &["b"]);
    partial.predicate = Some("(b > 0)".to_owned());
    let mut hash = idx(7, "t_b_hash", &["b"]);
    hash.method = "hash".to_owned();
    let mut other_table = idx(8, "u_b", &["b"]);
    other_table.table_oid = 101;
    let s = snapshot(vec![
        base,
        opclass,
        collation,
        desc,
        partial,
        hash,
        other_table,
    ]);
    assert!(findings(&s, &[], NOW).is_empty());
}

#[test]
fn expressions_compare_by_their_text() {
    let lower = idx(2, "t_lower_b", &["lower(b)"]);
    let again = idx(3, "t_lower_b2", &["lower(b)"]);
    let upper = idx(4, "t_upper_b", &["upper(b)"]);
    let found = findings(&snapshot(vec![lower, again, upper]), &[], NOW);
    assert_eq!(
        kinds(&found),
        vec![(FindingKind::Duplicate, "t_lower_b2".to_owned())]
    );
}

#[test]
fn two_unique_constraints_on_the_same_keys_are_reported_without_an_action() {
    let mut other = idx(2, "t_a_key", &["a"]);
    other.unique = true;
    other.constraint = Some("t_a_key".to_owned());
    let found = findings(&snapshot(vec![pk(1, &["a"]), other]), &[], NOW);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].kind, FindingKind::Duplicate);
    assert!(!found[0].actionable);
    assert!(
        found[0].notes[0].contains("ALTER TABLE"),
        "{:?}",
        found[0].notes
    );
}

#[test]
fn a_plain_unique_index_duplicating_a_unique_constraint_can_go() {
    let mut plain = idx(2, "t_a_uniq", &["a"]);
    plain.unique = true;
    let found = findings(&snapshot(vec![pk(1, &["a"]), plain]), &[], NOW);
    assert_eq!(
        kinds(&found),
        vec![(FindingKind::Duplicate, "t_a_uniq".to_owned())]
    );
    assert!(found[0].actionable);
}

#[test]
fn a_leading_prefix_is_redundant() {
    let short = idx(2, "t_b", &["b"]);
    let long = idx(3, "t_b_c", &["b", "c"]);
    let longer = idx(4, "t_b_c_d", &["b", "c", "d"]);
    let not_prefix = idx(5, "t_c_b", &["c", "b"]);
    let found = findings(&snapshot(vec![short, long, longer, not_prefix]), &[], NOW);
    assert_eq!(
        kinds(&found),
        vec![
            (FindingKind::Redundant, "t_b_c".to_owned()),
            (FindingKind::Redundant, "t_b".to_owned()),
        ]
    );
    let t_b = found
        .iter()
        .find(|f| f.index.as_ref().unwrap().name == "t_b")
        .unwrap();
    assert_eq!(
        t_b.kept.as_ref().unwrap().name,
        "t_b_c_d",
        "the cover that stays when both redundant ones go"
    );
}

#[test]
fn redundancy_needs_the_same_predicate_btree_and_no_uniqueness_to_lose() {
    let mut partial = idx(2, "t_b_partial", &["b"]);
    partial.predicate = Some("(b > 0)".to_owned());
    let mut unique = idx(3, "t_c_key", &["c"]);
    unique.unique = true;
    let mut gin = idx(6, "t_e_gin", &["e"]);
    gin.method = "gin".to_owned();
    let mut gin_long = idx(7, "t_e_f_gin", &["e", "f"]);
    gin_long.method = "gin".to_owned();
    let mut desc = idx(8, "t_g_desc", &["g"]);
    desc.options = vec![3];
    let s = snapshot(vec![
        partial,
        idx(4, "t_b_c", &["b", "c"]),
        unique,
        idx(5, "t_c_d", &["c", "d"]),
        gin,
        gin_long,
        desc,
        idx(9, "t_g_h", &["g", "h"]),
    ]);
    assert!(findings(&s, &[], NOW).is_empty());
}

#[test]
fn include_columns_count_for_redundancy() {
    let mut with_include = idx(2, "t_b_inc_x", &["b", "x"]);
    with_include.key_count = 1;
    let covering = idx(3, "t_b_c", &["b", "c"]);
    let mut covering_include = idx(4, "t_b_c_inc_x", &["b", "c", "x"]);
    covering_include.key_count = 2;
    let only_first = findings(&snapshot(vec![with_include.clone(), covering]), &[], NOW);
    assert!(only_first.is_empty(), "x is not in (b, c)");
    let found = findings(&snapshot(vec![with_include, covering_include]), &[], NOW);
    assert_eq!(
        kinds(&found),
        vec![(FindingKind::Redundant, "t_b_inc_x".to_owned())]
    );
}

#[test]
fn invalid_indexes_come_first_and_builds_in_progress_are_left_alone() {
    let mut invalid = idx(2, "t_b_key", &["b"]);
    invalid.valid = false;
    invalid.unique = true;
    invalid.scans = 0;
    let mut building = idx(3, "t_c", &["c"]);
    building.valid = false;
    building.building = true;
    let mut unused = idx(4, "t_d", &["d"]);
    unused.scans = 0;
    let found = findings(&snapshot(vec![unused, invalid, building]), &[], NOW);
    assert_eq!(
        kinds(&found),
        vec![
            (FindingKind::Invalid, "t_b_key".to_owned()),
            (FindingKind::Unused, "t_d".to_owned()),
        ]
    );
    assert!(found[0].notes.iter().any(|n| n.contains("duplicate keys")));
}

#[test]
fn an_invalid_index_never_serves_a_foreign_key_or_covers_another() {
    let mut invalid = idx(2, "t_b_c", &["b", "c"]);
    invalid.valid = false;
    let mut s = snapshot(vec![invalid, idx(3, "t_b", &["b"])]);
    s.foreign_keys.push(fk(50, &["b"]));
    let found = findings(&s, &[], NOW);
    assert_eq!(
        kinds(&found),
        vec![(FindingKind::Invalid, "t_b_c".to_owned())],
        "t_b supports the fk and is covered by nothing valid"
    );
}

#[test]
fn foreign_keys_need_their_columns_leading_a_valid_plain_index() {
    let mut s = snapshot(vec![
        pk(1, &["a", "b"]),
        idx(2, "t_d_c", &["d", "c"]),
        idx(3, "t_e_f", &["f", "e"]),
    ]);
    let mut partial = idx(4, "t_g_partial", &["g"]);
    partial.predicate = Some("(g IS NOT NULL)".to_owned());
    s.indexes.push(partial);
    let mut expression = idx(5, "t_h_expr", &["(h + 0)"]);
    expression.attnums = vec![0];
    s.indexes.push(expression);
    s.foreign_keys = vec![
        fk(50, &["a"]),      // leads the primary key
        fk(51, &["b"]),      // second column only
        fk(52, &["c", "d"]), // (d, c): any order of the fk's columns
        fk(53, &["e"]),      // second column of (f, e)
        fk(54, &["g"]),      // only a partial index
        fk(55, &["h"]),      // only an expression
    ];
    let found = findings(&s, &[], NOW);
    let unindexed: Vec<String> = kinds(&found)
        .into_iter()
        .filter(|(k, _)| *k == FindingKind::MissingFkIndex)
        .map(|(_, n)| n)
        .collect();
    assert_eq!(
        unindexed,
        vec!["t_b_fkey", "t_e_fkey", "t_g_fkey", "t_h_fkey"]
    );
    let f = found
        .iter()
        .find(|f| f.kind == FindingKind::MissingFkIndex)
        .unwrap();
    assert_eq!(f.size_bytes, Some(1 << 30), "weighed by the table it scans");
    assert!(f.notes[0].contains("public.parent"), "{:?}", f.notes);
}

#[test]
fn partitioned_indexes_support_foreign_keys_but_are_never_findings() {
    let mut parent = idx(2, "t_b_parted", &["b"]);
    parent.partitioned = true;
    parent.scans = 0;
    let mut child = idx(3, "t_p1_b", &["b"]);
    child.partition = true;
    child.scans = 0;
    let mut s = snapshot(vec![parent, child]);
    s.foreign_keys.push(fk(50, &["b"]));
    assert!(findings(&s, &[], NOW).is_empty());
}

#[test]
fn each_index_is_reported_once() {
    let mut dup = idx(3, "t_b_again", &["b"]);
    dup.scans = 0;
    let mut redundant_and_unused = idx(4, "t_c", &["c"]);
    redundant_and_unused.scans = 0;
    let s = snapshot(vec![
        idx(2, "t_b", &["b"]),
        dup,
        redundant_and_unused,
        idx(5, "t_c_d", &["c", "d"]),
    ]);
    let found = findings(&s, &[], NOW);
    assert_eq!(
        kinds(&found),
        vec![
            (FindingKind::Duplicate, "t_b_again".to_owned()),
            (FindingKind::Redundant, "t_c".to_owned()),
        ]
    );
}

fn suggestion(name: &str, verified: bool) -> Suggestion {
    Suggestion {
        schema: "public".to_owned(),
        table: "t".to_owned(),
        columns: vec!["b".to_owned()],
        include: Vec::new(),
        predicate: None,
        method: "btree".to_owned(),
        name: name.to_owned(),
        create_sql: format!("CREATE INDEX CONCURRENTLY {name} ON public.t (b)"),
        rollback_sql: format!("DROP INDEX CONCURRENTLY IF EXISTS public.{name}"),
        helps: Vec::new(),
        estimated_size_bytes: Some(1),
        verified,
        table_writes_per_sec: None,
        saving_ms_per_hour: 10.0,
        note: (!verified).then(|| "HypoPG is not installed".to_owned()),
    }
}

#[test]
fn suggestions_come_last_in_the_advisors_order_and_unverified_ones_say_so() {
    let mut unused = idx(2, "t_c", &["c"]);
    unused.scans = 0;
    let found = findings(
        &snapshot(vec![unused]),
        &[suggestion("t_b_idx", true), suggestion("t_d_idx", false)],
        NOW,
    );
    assert_eq!(found.len(), 3);
    assert_eq!(found[0].kind, FindingKind::Unused);
    assert_eq!(found[1].suggestion, Some(0));
    assert_eq!(found[2].suggestion, Some(1));
    assert_eq!(found[1].writes_per_sec, Some(12.5), "the table's rate");
    assert_eq!(found[1].table_oid, Some(T));
    assert!(found[2].notes[0].starts_with("UNVERIFIED"));
    assert_eq!(found[2].level, Level::Unknown);
}

#[test]
fn indexes_under_ddl_wait_for_the_next_refresh() {
    let mut locked = idx(2, "t_b", &["b"]);
    locked.scans = 0;
    locked.locked = true;
    locked.columns = Vec::new();
    locked.definition = String::new();
    let mut s = snapshot(vec![locked]);
    s.foreign_keys.push(fk(50, &["c"]));
    assert!(findings(&s, &[], NOW).is_empty());
}

#[test]
fn a_used_prefix_of_an_unused_index_stays_and_the_unused_one_goes() {
    let short = idx(2, "t_b", &["b"]);
    let mut long = idx(3, "t_b_c", &["b", "c"]);
    long.scans = 0;
    let found = findings(&snapshot(vec![short, long]), &[], NOW);
    assert_eq!(
        kinds(&found),
        vec![(FindingKind::Unused, "t_b_c".to_owned())]
    );
    let mut neither = idx(2, "t_b", &["b"]);
    neither.scans = 0;
    let mut long = idx(3, "t_b_c", &["b", "c"]);
    long.scans = 0;
    let found = findings(&snapshot(vec![neither.clone(), long.clone()]), &[], NOW);
    assert_eq!(
        kinds(&found),
        vec![
            (FindingKind::Unused, "t_b_c".to_owned()),
            (FindingKind::Unused, "t_b".to_owned()),
        ],
        "both unused: both go, neither said to be kept"
    );
    // A foreign key on b: one of the two must stay, the wider (it serves more), and the
    // review must not drop both.
    let mut s = snapshot(vec![neither, long]);
    s.foreign_keys.push(fk(50, &["b"]));
    let found = findings(&s, &[], NOW);
    assert_eq!(
        kinds(&found),
        vec![(FindingKind::Redundant, "t_b".to_owned())],
        "t_b_c keeps the foreign key indexed"
    );
    assert_eq!(found[0].kept.as_ref().unwrap().name, "t_b_c");
}

#[test]
fn the_only_index_of_a_foreign_key_is_never_unused() {
    let mut only = idx(2, "t_b", &["b"]);
    only.scans = 0;
    let mut other = idx(3, "t_c", &["c"]);
    other.scans = 0;
    let mut s = snapshot(vec![only, other]);
    s.foreign_keys.push(fk(50, &["b"]));
    let found = findings(&s, &[], NOW);
    assert_eq!(
        kinds(&found),
        vec![(FindingKind::Unused, "t_c".to_owned())],
        "t_b makes a DELETE on the referenced table cheap"
    );
    // Two supports of the same foreign key (b, c) and (c, b), both unused: one may go.
    let mut bc = idx(4, "t_b_c", &["b", "c"]);
    bc.scans = 0;
    let mut cb = idx(5, "t_c_b", &["c", "b"]);
    cb.scans = 0;
    let mut s = snapshot(vec![bc, cb]);
    s.foreign_keys.push(fk(51, &["b", "c"]));
    let found = findings(&s, &[], NOW);
    assert_eq!(
        kinds(&found),
        vec![(FindingKind::Unused, "t_c_b".to_owned())],
        "the other one keeps the foreign key indexed"
    );
}

#[test]
fn a_suggestion_that_also_indexes_a_foreign_key_resolves_both() {
    let mut s = snapshot(vec![pk(1, &["a"])]);
    s.foreign_keys.push(fk(50, &["b"]));
    s.foreign_keys.push(fk(51, &["c"]));
    let mut wider = suggestion("t_b_c_idx", true);
    wider.columns = vec!["\"b\"".to_owned(), "\"c\" DESC".to_owned()];
    let found = findings(&s, &[wider], NOW);
    let fk_b = found
        .iter()
        .find(|f| f.foreign_key.as_ref().is_some_and(|k| k.oid == 50))
        .unwrap();
    assert_eq!(fk_b.suggestion, Some(0), "points at the suggestion");
    assert!(
        fk_b.notes.iter().any(|n| n.contains("t_b_c_idx")),
        "{:?}",
        fk_b.notes
    );
    let fk_c = found
        .iter()
        .find(|f| f.foreign_key.as_ref().is_some_and(|k| k.oid == 51))
        .unwrap();
    assert_eq!(fk_c.suggestion, None, "c does not lead the suggestion");
    let sugg = found
        .iter()
        .find(|f| f.kind == FindingKind::Suggestion)
        .unwrap();
    assert!(
        sugg.notes.iter().any(|n| n.contains("t_b_fkey")),
        "{:?}",
        sugg.notes
    );
    let fix = crate::diagnose::indexes::fix::fix(fk_b, &[suggestion_b_c()], &s).unwrap();
    assert_eq!(fix.target, "public.t_b_c_idx", "one index for both");
}

fn suggestion_b_c() -> Suggestion {
    let mut wider = suggestion("t_b_c_idx", true);
    wider.columns = vec!["\"b\"".to_owned(), "\"c\" DESC".to_owned()];
    wider
}

#[test]
fn never_scanned_duplicates_are_all_unused_unless_one_keeps_a_foreign_key_indexed() {
    let mut one = idx(2, "t_b", &["b"]);
    one.scans = 0;
    let mut two = idx(3, "t_b_again", &["b"]);
    two.scans = 0;
    let found = findings(&snapshot(vec![one.clone(), two.clone()]), &[], NOW);
    assert_eq!(
        kinds(&found),
        vec![
            (FindingKind::Unused, "t_b_again".to_owned()),
            (FindingKind::Unused, "t_b".to_owned()),
        ]
    );
    let mut s = snapshot(vec![one, two]);
    s.foreign_keys.push(fk(50, &["b"]));
    let found = findings(&s, &[], NOW);
    assert_eq!(
        kinds(&found),
        vec![(FindingKind::Duplicate, "t_b_again".to_owned())],
        "the kept one indexes the foreign key"
    );
}
