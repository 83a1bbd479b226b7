//! The Indexes pane's analysis on a large schema: 2,000 tables with 5 indexes and a foreign
//! key each (10,000 indexes), every kind of finding present.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use pgmedic::diagnose::indexes::{ForeignKey, IndexDef, IndexesSnapshot, TableInfo, findings};

const TABLES: i64 = 2_000;

fn index(oid: i64, table: i64, columns: &[&str], scans: i64) -> IndexDef {
    IndexDef {
        oid,
        table_oid: table,
        schema: "public".to_owned(),
        table: format!("t{table}"),
        name: format!("i{oid}"),
        method: "btree".to_owned(),
        key_count: columns.len(),
        attnums: (1..=columns.len() as i16).collect(),
        columns: columns.iter().map(|c| (*c).to_owned()).collect(),
        opclasses: vec![1978; columns.len()],
        collations: vec![0; columns.len()],
        options: vec![0; columns.len()],
        valid: oid % 97 != 0,
        scans,
        size_bytes: Some(8192 * oid),
        definition: format!("CREATE INDEX i{oid} ON public.t{table} USING btree (…)"),
        ..IndexDef::default()
    }
}

fn snapshot() -> IndexesSnapshot {
    let mut s = IndexesSnapshot {
        taken_at: 1e9,
        database: "big".to_owned(),
        ..IndexesSnapshot::default()
    };
    for t in 0..TABLES {
        let base = t * 10;
        s.indexes.extend([
            index(base + 1, t, &["a"], 10),
            index(base + 2, t, &["b", "c"], 10),
            index(base + 3, t, &["b"], 0),
            index(base + 4, t, &["b", "c"], 0),
            index(base + 5, t, &["d"], t % 3),
        ]);
        s.tables.push(TableInfo {
            oid: t,
            schema: "public".to_owned(),
            name: format!("t{t}"),
            size_bytes: Some(1 << 20),
            ..TableInfo::default()
        });
        s.foreign_keys.push(ForeignKey {
            oid: 100_000 + t,
            table_oid: t,
            attnums: vec![5],
            columns: vec!["e".to_owned()],
            ..ForeignKey::default()
        });
        s.write_rates.insert(t, 1.5);
    }
    s
}

fn benches(c: &mut Criterion) {
    let s = snapshot();
    c.bench_function("indexes findings, 10k indexes on 2k tables", |b| {
        b.iter(|| findings(black_box(&s), &[], 1e9));
    });
}

criterion_group!(indexes, benches);
criterion_main!(indexes);
