//! The index advisor's pure hot path: parsing 1,000 normalized statements with the PostgreSQL
//! grammar, resolving their columns against the catalog and generating candidate indexes —
//! what runs before any statement is planned.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use pgmedic::advisor::candidates::{Key, candidates, usage};
use pgmedic::advisor::catalog::{Column, ColumnStats, ExistingIndex, Table};
use pgmedic::advisor::parse::parse;

const TEMPLATES: &[&str] = &[
    "SELECT * FROM {t} WHERE customer_id = $1 ORDER BY created_at DESC LIMIT $2",
    "SELECT id, status FROM {t} WHERE status = $1 AND region = $2 AND created_at >= $3",
    "SELECT o.*, c.email FROM {t} o JOIN customers c ON c.id = o.customer_id WHERE c.region = $1",
    "SELECT count(*) FROM {t} WHERE created_at > now() - interval $1",
    "UPDATE {t} SET status = $1 WHERE id = $2",
    "DELETE FROM {t} WHERE created_at < $1 AND status IN ($2, $3, $4)",
    "SELECT region, sum(total) FROM {t} WHERE status = $1 GROUP BY region",
    "WITH r AS (SELECT * FROM {t} WHERE deleted_at IS NULL) SELECT * FROM r WHERE total > $1",
    "SELECT * FROM {t} WHERE id IN (SELECT order_id FROM items WHERE sku = ANY($1))",
    "SELECT * FROM {t} WHERE NOT archived AND customer_id = $1 ORDER BY id LIMIT 50",
];

fn column(name: &str, n_distinct: f64) -> Column {
    Column {
        name: name.to_owned(),
        type_name: if name == "archived" {
            "boolean"
        } else {
            "integer"
        }
        .to_owned(),
        stats: Some(ColumnStats {
            null_frac: 0.01,
            n_distinct,
            common_values: vec![
                ("a".to_owned(), 0.6),
                ("b".to_owned(), 0.3),
                ("c".to_owned(), 0.1),
            ],
        }),
    }
}

fn table(oid: u32, name: &str) -> Table {
    let names = [
        ("id", -1.0),
        ("customer_id", 5_000.0),
        ("status", 4.0),
        ("region", 20.0),
        ("created_at", -0.9),
        ("total", -0.4),
        ("deleted_at", -0.01),
        ("archived", 2.0),
        ("email", -1.0),
        ("order_id", -0.3),
        ("sku", 10_000.0),
    ];
    Table {
        oid,
        schema: "public".to_owned(),
        name: name.to_owned(),
        kind: 'r',
        rows: 1_000_000.0,
        pages: 20_000,
        columns: names.iter().map(|(n, d)| column(n, *d)).collect(),
        indexes: vec![ExistingIndex {
            name: format!("{name}_pkey"),
            method: "btree".to_owned(),
            valid: true,
            keys: vec![Some(Key::asc("id"))],
            include: Vec::new(),
            predicate: None,
        }],
        writes_per_sec: Some(10.0),
    }
}

fn statements() -> Vec<String> {
    (0..1_000)
        .map(|i| TEMPLATES[i % TEMPLATES.len()].replace("{t}", &format!("orders_{}", i % 100)))
        .collect()
}

fn bench(c: &mut Criterion) {
    let texts = statements();
    let mut tables: Vec<Table> = (0..100)
        .map(|i| table(i + 1, &format!("orders_{i}")))
        .collect();
    tables.push(table(200, "customers"));
    tables.push(table(201, "items"));
    c.bench_function("advisor: parse only, 1000 statements", |b| {
        b.iter(|| {
            texts
                .iter()
                .filter(|t| parse(black_box(t.as_str())).is_ok())
                .count()
        });
    });
    c.bench_function("advisor: parse + candidates, 1000 statements", |b| {
        b.iter(|| {
            let mut count = 0;
            for text in &texts {
                let Ok(parsed) = parse(black_box(text)) else {
                    continue;
                };
                let by_scan: Vec<Option<&Table>> = parsed
                    .scans
                    .iter()
                    .map(|s| tables.iter().find(|t| t.name == s.name))
                    .collect();
                for u in usage(&parsed, &by_scan) {
                    if let Some(t) = by_scan[u.scan] {
                        count += candidates(&u, t, &[]).len();
                    }
                }
            }
            black_box(count)
        });
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
