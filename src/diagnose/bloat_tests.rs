use super::*;
use crate::diagnose::health::Level;

const G: Geometry = Geometry { block_size: 8192.0 };

fn fresh() -> Freshness {
    Freshness {
        analyzed: true,
        mod_since_analyze: 0,
        rls_hidden: false,
    }
}

fn int4() -> ColumnStats {
    ColumnStats::new(4, 4, 4.0, 0.0)
}

fn md5_text() -> ColumnStats {
    ColumnStats::new(-1, 4, 33.0, 0.0)
}

fn table_of(columns: Vec<ColumnStats>, relpages: i64, reltuples: f64) -> TableInputs {
    TableInputs {
        relpages,
        reltuples,
        fillfactor: 100,
        columns,
        freshness: fresh(),
        now: None,
    }
}

fn btree_of(columns: Vec<ColumnStats>, relpages: i64, reltuples: f64) -> IndexInputs {
    IndexInputs {
        access_method: "btree".to_owned(),
        relpages,
        reltuples,
        dead_entries: 0.0,
        fillfactor: 90,
        key_distinct: vec![Some(-1.0); columns.len()],
        columns,
        dedup_possible: true,
        freshness: fresh(),
    }
}

#[test]
fn an_int_and_md5_table_packs_120_tuples_a_page() {
    // 24-byte header + int4 (4) + text of 32 characters (1-byte header + 32) = 61 → 64,
    // plus the line pointer: (8192 − 24) / 68 = 120 per page; a million rows: 8334 pages
    // (the 65 MiB such a table measures).
    let cols = [int4(), md5_text()];
    assert!((heap_tuple_bytes(&cols) - 64.0).abs() < f64::EPSILON);
    assert!((heap_tuples_per_page(68.0, 100, G) - 120.0).abs() < f64::EPSILON);
    let clean = table(&table_of(cols.to_vec(), 8334, 1e6), G).unwrap();
    assert!((clean.expected_pages - 8334.0).abs() < f64::EPSILON);
    assert!(clean.wasted_pct.abs() < f64::EPSILON);
    let half_deleted = table(&table_of(cols.to_vec(), 8334, 5e5), G).unwrap();
    assert!(
        (half_deleted.wasted_pct - 50.0).abs() < 0.1,
        "{half_deleted:?}"
    );
}

#[test]
fn fillfactor_leaves_its_share_of_each_page_free() {
    // 70 %: 2457 bytes of each page are kept for updates.
    assert!((heap_tuples_per_page(68.0, 70, G) - 83.0).abs() < f64::EPSILON);
    let cols = vec![int4(), md5_text()];
    let mut t = table_of(cols, 12_049, 1e6);
    t.fillfactor = 70;
    let e = table(&t, G).unwrap();
    assert!(
        e.wasted_pct < 0.1,
        "a clean fillfactor-70 table is not bloated: {e:?}"
    );
}

#[test]
fn null_bitmaps_and_alignment_count() {
    // Nine columns, a tenth of them null: the bitmap (2 bytes) pushes the header to 32.
    let cols: Vec<_> = (0..9).map(|_| ColumnStats::new(8, 8, 8.0, 0.1)).collect();
    let any_null = 1.0 - 0.9_f64.powi(9);
    let data = 0.9 * 72.0;
    // Each case is a multiple of 8 already: the averages are not rounded up again.
    let expected = 24.0 * (1.0 - any_null) + 32.0 * any_null + data;
    assert!((heap_tuple_bytes(&cols) - expected).abs() < 1e-9);
    // A bool then an int8: the int8 starts at offset 8, not 1.
    let padded = [
        ColumnStats::new(1, 1, 1.0, 0.0),
        ColumnStats::new(8, 8, 8.0, 0.0),
    ];
    assert!((heap_tuple_bytes(&padded) - 40.0).abs() < f64::EPSILON);
    // A 10-byte varlena ends at offset 10: the int8 after it is padded by 6.
    let after_text = [
        ColumnStats::new(-1, 4, 10.0, 0.0),
        ColumnStats::new(8, 8, 8.0, 0.0),
    ];
    assert!((heap_tuple_bytes(&after_text) - 48.0).abs() < 1e-9);
    // A nullable int2 then an int8: 16 data bytes with the int2 (2, 6 of padding, 8), 8
    // without; half of each is 12, not 16 (averaging the padding, then rounding up).
    let after_int2 = [
        ColumnStats::new(2, 2, 2.0, 0.5),
        ColumnStats::new(8, 8, 8.0, 0.0),
    ];
    assert!((heap_tuple_bytes(&after_int2) - 36.0).abs() < 1e-9);
    // A varlena of 3.5 bytes on average: half its values take 3 bytes, half 4; an int4
    // before it and a timestamptz after it, every case is 16 bytes of data.
    let between = [
        int4(),
        ColumnStats::new(-1, 4, 3.5, 0.0),
        ColumnStats::new(8, 8, 8.0, 0.0),
    ];
    assert!((heap_tuple_bytes(&between) - 40.0).abs() < 1e-9);
    // Long varlenas have a 4-byte header and are int-aligned; short ones are not aligned.
    let long = [
        ColumnStats::new(1, 1, 1.0, 0.0),
        ColumnStats::new(-1, 4, 200.0, 0.0),
    ];
    assert!((heap_tuple_bytes(&long) - align_up(24.0 + 4.0 + 200.0, 8.0)).abs() < 1e-9);
}

#[test]
fn an_int4_btree_of_a_million_rows_is_2745_pages() {
    // 366 int4 entries a leaf at 90 %, 284 an internal page at 70 %: 2733 leaves, 10 + 1
    // internal pages and the metapage (the 21 MiB such an index measures).
    let cols = vec![int4()];
    assert!((btree_tuple_bytes(&cols) - 16.0).abs() < f64::EPSILON);
    assert!((btree_pages(1e6, 20.0, 90, G) - 2745.0).abs() < f64::EPSILON);
    let e = index(&btree_of(cols, 2745, 1e6), G).unwrap();
    assert!(e.wasted_pct.abs() < f64::EPSILON);
}

#[test]
fn an_int4_text_timestamptz_key_is_24_bytes_as_in_the_leaf() {
    // (instrument_id int4, "interval" text, bucket timestamptz) with intervals like '1m',
    // '15m': 8-byte header, 4, 3 or 4, padded to 16, 8: 24 bytes in every case (pgstatindex
    // agrees), not 32 (3.5 bytes of average padding rounded up with the rest).
    let cols = vec![
        int4(),
        ColumnStats::new(-1, 4, 3.2, 0.0),
        ColumnStats::new(8, 8, 8.0, 0.0),
    ];
    assert!((btree_tuple_bytes(&cols) - 24.0).abs() < 1e-9);
    // 31 % of a fresh build's leaves wasted reads as about 31 %.
    let entries = 500_000.0;
    let clean = btree_pages(entries, 28.0, 90, G);
    let pages = (clean / 0.69).round() as i64;
    let e = index(&btree_of(cols, pages, entries), G).unwrap();
    assert!((e.wasted_pct - 31.0).abs() < 1.5, "{e:?}");
}

#[test]
fn an_index_with_half_its_entries_gone_is_half_bloat() {
    let e = index(&btree_of(vec![int4()], 2745, 5e5), G).unwrap();
    assert!((e.wasted_pct - 50.0).abs() < 0.5, "{e:?}");
    assert_eq!(judge(&e, 2745.0 * 8192.0), Level::Warn);
}

#[test]
fn entries_of_dead_tuples_not_yet_vacuumed_still_fill_the_index() {
    let mut i = btree_of(vec![int4()], 2745, 5e5);
    i.dead_entries = 5e5;
    assert!(index(&i, G).unwrap().wasted_pct.abs() < f64::EPSILON);
}

#[test]
fn nullable_keys_get_the_index_null_bitmap() {
    let cols = vec![ColumnStats::new(4, 4, 4.0, 1.0)];
    // Every entry null: a 16-byte header and no data.
    assert!((btree_tuple_bytes(&cols) - 16.0).abs() < f64::EPSILON);
    let half = vec![ColumnStats::new(8, 8, 8.0, 0.5)];
    assert!((btree_tuple_bytes(&half) - 16.0).abs() < f64::EPSILON);
}

#[test]
fn an_update_heavy_table_is_estimated_from_its_size_and_live_rows_now() {
    // Analyzed at a million rows in 8,334 pages; since then 3 million updates, autovacuum
    // off: the table is 25,000 pages now for the same million live rows.
    let mut t = table_of(vec![int4(), md5_text()], 8334, 1e6);
    t.freshness.mod_since_analyze = 3_000_000;
    assert!(
        matches!(table(&t, G), Err(Unsupported::Stale { .. })),
        "without the figures of now, no number"
    );
    t.now = Some(LiveCounts {
        pages: 25_000.0,
        live_tuples: 1e6,
    });
    let e = table(&t, G).unwrap();
    assert!(e.from_live_counts);
    assert!((e.actual_pages - 25_000.0).abs() < f64::EPSILON);
    assert!((e.expected_pages - 8334.0).abs() < f64::EPSILON);
    assert!((e.wasted_pct - 66.7).abs() < 0.1, "{e:?}");
    // Columns ANALYZE never saw still stop it.
    t.columns.push(ColumnStats {
        avg_width: None,
        ..int4()
    });
    assert!(table(&t, G).is_err());
}

#[test]
fn statistics_that_cannot_carry_a_number_say_why() {
    let cols = vec![int4(), md5_text()];
    let mut t = table_of(cols.clone(), 100, 1e4);
    t.freshness.analyzed = false;
    assert_eq!(table(&t, G), Err(Unsupported::NeverAnalyzed));

    let mut t = table_of(cols.clone(), 100, 1e4);
    t.freshness.mod_since_analyze = 5_000;
    assert!(matches!(table(&t, G), Err(Unsupported::Stale { .. })));
    t.freshness.mod_since_analyze = 2_000; // autoanalyze's own pace is not stale
    assert!(table(&t, G).is_ok());

    let mut hidden = cols.clone();
    for c in &mut hidden {
        c.visible = false;
        c.avg_width = None;
    }
    assert_eq!(
        table(&table_of(hidden, 100, 1e4), G),
        Err(Unsupported::StatsHidden)
    );
    let mut rls = table_of(cols.clone(), 100, 1e4);
    rls.freshness.rls_hidden = true;
    assert_eq!(table(&rls, G), Err(Unsupported::StatsHidden));

    let mut added = cols.clone();
    added.push(ColumnStats {
        avg_width: None,
        ..int4()
    });
    assert_eq!(
        table(&table_of(added, 100, 1e4), G),
        Err(Unsupported::ColumnsWithoutStats {
            missing: 1,
            total: 3
        })
    );
    let never = table_of(
        vec![ColumnStats {
            avg_width: None,
            ..int4()
        }],
        100,
        -1.0,
    );
    assert_eq!(table(&never, G), Err(Unsupported::NeverAnalyzed));
}

#[test]
fn an_emptied_table_is_all_bloat_without_column_stats() {
    let t = table_of(
        vec![ColumnStats {
            avg_width: None,
            ..int4()
        }],
        640,
        0.0,
    );
    let e = table(&t, G).unwrap();
    assert!((e.wasted_pct - 100.0).abs() < f64::EPSILON);
    assert_eq!(judge(&e, 640.0 * 8192.0), Level::Critical);
    assert_eq!(judge(&e, 64.0 * 8192.0), Level::Ok, "half a MiB is noise");
}

#[test]
fn other_access_methods_and_deduplication_are_marked() {
    let mut gin = btree_of(vec![int4()], 10, 1000.0);
    gin.access_method = "gin".to_owned();
    assert_eq!(index(&gin, G), Err(Unsupported::NotBtree("gin".to_owned())));
    let mut status = btree_of(vec![int4()], 900, 1e6);
    status.key_distinct = vec![Some(5.0)];
    let verdict = index(&status, G);
    assert!(
        matches!(verdict, Err(Unsupported::Dedup { .. })),
        "{verdict:?}"
    );
    status.dedup_possible = false; // unique, INCLUDE, numeric keys or deduplicate_items off
    assert!(index(&status, G).is_ok());
    let mut pair = btree_of(vec![int4(), int4()], 2745, 1e6);
    pair.key_distinct = vec![Some(5.0), Some(-0.95)];
    assert!(
        index(&pair, G).is_ok(),
        "one near-unique key column: no duplicates"
    );
    // Unique values, but 30 % NULLs: one posting list swallows them.
    let mut nullable = btree_of(vec![ColumnStats::new(4, 4, 4.0, 0.3)], 2745, 1e6);
    nullable.key_distinct = vec![Some(-0.7)];
    assert!(matches!(
        index(&nullable, G),
        Err(Unsupported::Dedup { .. })
    ));
}

#[test]
fn exact_figures_use_the_same_packing() {
    // pgstattuple of a million (int, md5) rows with every other one deleted.
    let half = TableExact {
        approximate: false,
        table_len: 8334.0 * 8192.0,
        tuple_count: 5e5,
        tuple_len: 5e5 * 61.0,
        dead_tuple_count: 5e5,
        dead_tuple_len: 5e5 * 61.0,
        free_space: 8334.0 * 300.0,
    };
    let e = table_exact(&half, 100, G);
    assert!((e.expected_pages - 4167.0).abs() < f64::EPSILON);
    assert!((e.wasted_pct - 50.0).abs() < 0.1);
    let gone = TableExact {
        table_len: 8192.0 * 10.0,
        ..Default::default()
    };
    assert!((table_exact(&gone, 100, G).wasted_pct - 100.0).abs() < f64::EPSILON);

    // pgstatindex: leaves half as dense as the build left them.
    let idx = IndexExact {
        index_size: 2745.0 * 8192.0,
        internal_pages: 11.0,
        leaf_pages: 2733.0,
        avg_leaf_density: 45.0,
        ..Default::default()
    };
    let e = index_exact(&idx, 90, G);
    assert!((e.wasted_pct - 49.8).abs() < 0.1, "{e:?}");
    let fresh = IndexExact {
        avg_leaf_density: 90.1,
        ..idx
    };
    assert!(index_exact(&fresh, 90, G).wasted_pct.abs() < f64::EPSILON);
}

#[test]
fn reloptions_parse_like_the_server() {
    let opts = vec![
        "fillfactor=70".to_owned(),
        "autovacuum_enabled=off".to_owned(),
        "deduplicate_items=false".to_owned(),
    ];
    assert_eq!(fillfactor(&opts, 100), 70);
    assert_eq!(fillfactor(&[], 90), 90);
    assert_eq!(reloption_bool(&opts, "autovacuum_enabled"), Some(false));
    assert_eq!(reloption_bool(&opts, "deduplicate_items"), Some(false));
    assert_eq!(reloption(&opts, "toast.fillfactor"), None);
}
