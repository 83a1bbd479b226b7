//! What the advisor reads from the server besides plans: the heaviest statements of
//! pg_stat_statements, the tables they name (resolved as the planner does), their columns with
//! planner statistics and their indexes, and pg_qualstats' constants.

use std::collections::HashMap;

use tokio_postgres::{Client, Row};

use super::candidates::{Key, QualConstant};
use super::parse::Scan;
use crate::server::{ServerInfo, versioned};

/// The heaviest statements, by the installed pg_stat_statements version.
pub const STATEMENTS: &[(u32, &str)] = &[
    (0, include_str!("statements_pgss_1_0.sql")),
    (108, include_str!("statements_pgss_1_8.sql")),
];
/// Seconds pg_stat_statements has been counting, by its version (1.9 records its last reset).
pub const SINCE: &[(u32, &str)] = &[
    (0, include_str!("since_pgss_1_0.sql")),
    (109, include_str!("since_pgss_1_9.sql")),
];
pub const RESOLVE_TABLES: &str = include_str!("resolve_tables.sql");
pub const TABLES: &str = include_str!("tables.sql");
pub const COLUMNS: &str = include_str!("columns.sql");
pub const INDEXES: &str = include_str!("indexes.sql");
pub const QUALSTATS: &str = include_str!("qualstats.sql");
pub const RELATION_NAMES: &str = include_str!("relation_names.sql");

/// pg_index.indoption bits.
const INDOPTION_DESC: i16 = 1;
const INDOPTION_NULLS_FIRST: i16 = 2;

/// A statement of pg_stat_statements, summed over the roles that ran it.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub queryid: i64,
    pub query: String,
    pub calls: i64,
    pub total_ms: f64,
    /// Share of the database's total statement time.
    pub share: f64,
}

impl Statement {
    /// Mean execution time of one call.
    #[must_use]
    pub fn mean_ms(&self) -> f64 {
        if self.calls > 0 {
            self.total_ms / self.calls as f64
        } else {
            0.0
        }
    }
}

/// A table's column with the planner's statistics on it, if ANALYZE ran.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub type_name: String,
    pub stats: Option<ColumnStats>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ColumnStats {
    pub null_frac: f64,
    /// pg_stats' n_distinct: a count, or minus a fraction of the rows.
    pub n_distinct: f64,
    /// Most common values (as text) with their frequencies.
    pub common_values: Vec<(String, f64)>,
}

/// An index that exists on the table.
#[derive(Debug, Clone, PartialEq)]
pub struct ExistingIndex {
    pub name: String,
    pub method: String,
    pub valid: bool,
    /// Key columns; `None` for an expression.
    pub keys: Vec<Option<Key>>,
    pub include: Vec<String>,
    pub predicate: Option<String>,
}

/// A table a statement reads, as the catalog describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub oid: u32,
    pub schema: String,
    pub name: String,
    /// pg_class.relkind: r table, p partitioned table, m materialized view, v view, f foreign.
    pub kind: char,
    /// pg_class.reltuples (-1 or 0 before the first VACUUM / ANALYZE).
    pub rows: f64,
    pub pages: i64,
    pub columns: Vec<Column>,
    pub indexes: Vec<ExistingIndex>,
    /// Rows inserted, updated and deleted per second over a recent interval, as the caller
    /// measured it ([`super::AdviseOptions::table_writes`]); `None`: not measured.
    pub writes_per_sec: Option<f64>,
}

impl Table {
    #[must_use]
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

type Result<T> = std::result::Result<T, String>;

fn describe(err: &tokio_postgres::Error) -> String {
    crate::conn::describe(err)
}

/// The heaviest `limit` statements of this database by total time, and the seconds
/// pg_stat_statements has been counting.
pub async fn statements(
    client: &Client,
    server: &ServerInfo,
    limit: usize,
) -> Result<(Vec<Statement>, f64)> {
    let version = server.installed_version("pg_stat_statements").unwrap_or(0);
    let sql = versioned(STATEMENTS, version).unwrap_or(STATEMENTS[0].1);
    let since = versioned(SINCE, version).unwrap_or(SINCE[0].1);
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = client
        .query(sql, &[&limit])
        .await
        .map_err(|e| describe(&e))?;
    let statements = rows
        .iter()
        .map(|r| {
            Ok(Statement {
                queryid: r.try_get("queryid")?,
                query: r.try_get("query")?,
                calls: r.try_get("calls")?,
                total_ms: r.try_get("total_ms")?,
                share: r.try_get("share")?,
            })
        })
        .collect::<std::result::Result<Vec<_>, tokio_postgres::Error>>()
        .map_err(|e| e.to_string())?;
    let seconds: Option<f64> = client
        .query_one(since, &[])
        .await
        .map_err(|e| describe(&e))?
        .try_get("seconds")
        .map_err(|e| e.to_string())?;
    Ok((statements, seconds.unwrap_or(0.0)))
}

/// The oid of every scan's relation as the planner would resolve it (`None`: not found).
pub async fn resolve(client: &Client, scans: &[Scan]) -> Result<Vec<Option<u32>>> {
    let schemas: Vec<Option<&str>> = scans.iter().map(|s| s.schema.as_deref()).collect();
    let names: Vec<&str> = scans.iter().map(|s| s.name.as_str()).collect();
    let rows = client
        .query(RESOLVE_TABLES, &[&schemas, &names])
        .await
        .map_err(|e| describe(&e))?;
    let mut out = vec![None; scans.len()];
    for row in rows {
        let ord: i32 = row.try_get("ord").map_err(|e| e.to_string())?;
        let oid: Option<i64> = row.try_get("oid").map_err(|e| e.to_string())?;
        if let Some(slot) = usize::try_from(ord - 1).ok().and_then(|i| out.get_mut(i)) {
            *slot = oid.and_then(|o| u32::try_from(o).ok());
        }
    }
    Ok(out)
}

/// The tables with these oids, with their columns, statistics, indexes and write rates.
pub async fn tables(client: &Client, oids: &[u32]) -> Result<Vec<Table>> {
    let params: [&(dyn tokio_postgres::types::ToSql + Sync); 1] = [&oids];
    let (tables, columns, indexes) = tokio::try_join!(
        client.query(TABLES, &params),
        client.query(COLUMNS, &params),
        client.query(INDEXES, &params),
    )
    .map_err(|e| describe(&e))?;
    let mut by_oid: HashMap<u32, Table> = HashMap::new();
    for row in &tables {
        let table = table_row(row).map_err(|e| e.to_string())?;
        by_oid.insert(table.oid, table);
    }
    for row in &columns {
        let (oid, column) = column_row(row).map_err(|e| e.to_string())?;
        if let Some(t) = by_oid.get_mut(&oid) {
            t.columns.push(column);
        }
    }
    for row in &indexes {
        let (oid, index) = index_row(row).map_err(|e| e.to_string())?;
        if let Some(t) = by_oid.get_mut(&oid) {
            t.indexes.push(index);
        }
    }
    Ok(oids.iter().filter_map(|o| by_oid.remove(o)).collect())
}

fn oid(row: &Row, column: &str) -> std::result::Result<u32, tokio_postgres::Error> {
    let value: i64 = row.try_get(column)?;
    Ok(u32::try_from(value).unwrap_or(0))
}

fn table_row(row: &Row) -> std::result::Result<Table, tokio_postgres::Error> {
    let kind: String = row.try_get("kind")?;
    Ok(Table {
        oid: oid(row, "oid")?,
        schema: row.try_get("schema")?,
        name: row.try_get("name")?,
        kind: kind.chars().next().unwrap_or('?'),
        rows: row.try_get("rows")?,
        pages: row.try_get("pages")?,
        columns: Vec::new(),
        indexes: Vec::new(),
        writes_per_sec: None,
    })
}

fn column_row(row: &Row) -> std::result::Result<(u32, Column), tokio_postgres::Error> {
    let null_frac: Option<f64> = row.try_get("null_frac")?;
    let n_distinct: Option<f64> = row.try_get("n_distinct")?;
    let values: Option<Vec<String>> = row.try_get("common_values")?;
    let freqs: Option<Vec<f64>> = row.try_get("common_freqs")?;
    let stats = null_frac
        .zip(n_distinct)
        .map(|(null_frac, n_distinct)| ColumnStats {
            null_frac,
            n_distinct,
            common_values: values
                .unwrap_or_default()
                .into_iter()
                .zip(freqs.unwrap_or_default())
                .collect(),
        });
    Ok((
        oid(row, "table_oid")?,
        Column {
            name: row.try_get("name")?,
            type_name: row.try_get("type_name")?,
            stats,
        },
    ))
}

fn index_row(row: &Row) -> std::result::Result<(u32, ExistingIndex), tokio_postgres::Error> {
    let key_count: i32 = row.try_get("key_count")?;
    let columns: Vec<Option<String>> = row.try_get("columns")?;
    let options: Vec<i16> = row.try_get("options")?;
    let key_count = usize::try_from(key_count).unwrap_or(0).min(columns.len());
    let keys = columns[..key_count]
        .iter()
        .enumerate()
        .map(|(i, col)| {
            let option = options.get(i).copied().unwrap_or(0);
            col.as_ref().map(|column| Key {
                column: column.clone(),
                desc: option & INDOPTION_DESC != 0,
                nulls_first: option & INDOPTION_NULLS_FIRST != 0,
            })
        })
        .collect();
    Ok((
        oid(row, "table_oid")?,
        ExistingIndex {
            name: row.try_get("name")?,
            method: row.try_get("method")?,
            valid: row.try_get("valid")?,
            keys,
            include: columns[key_count..].iter().flatten().cloned().collect(),
            predicate: row.try_get("predicate")?,
        },
    ))
}

/// The constants pg_qualstats recorded for these statements and tables, as checked SQL
/// literals with their share among the column's recorded constants, by queryid.
pub async fn qual_constants(
    client: &Client,
    tables: &[u32],
    queryids: &[i64],
) -> Result<HashMap<i64, Vec<QualConstant>>> {
    let rows = client
        .query(QUALSTATS, &[&tables, &queryids])
        .await
        .map_err(|e| describe(&e))?;
    let mut seen: Vec<(i64, QualConstant, i64)> = Vec::new();
    for row in &rows {
        let queryid: i64 = row.try_get("queryid").map_err(|e| e.to_string())?;
        let constant: String = row.try_get("constant").map_err(|e| e.to_string())?;
        let occurrences: i64 = row.try_get("occurrences").map_err(|e| e.to_string())?;
        let Some(literal) = checked_literal(&constant) else {
            continue;
        };
        seen.push((
            queryid,
            QualConstant {
                table: oid(row, "table_oid").map_err(|e| e.to_string())?,
                column: row.try_get("column_name").map_err(|e| e.to_string())?,
                literal,
                share: 0.0,
            },
            occurrences,
        ));
    }
    Ok(with_shares(seen))
}

/// Each constant's share among the constants recorded for the same statement and column.
fn with_shares(seen: Vec<(i64, QualConstant, i64)>) -> HashMap<i64, Vec<QualConstant>> {
    let mut totals: HashMap<(i64, u32, String), i64> = HashMap::new();
    for (q, c, n) in &seen {
        *totals.entry((*q, c.table, c.column.clone())).or_default() += n;
    }
    let mut out: HashMap<i64, Vec<QualConstant>> = HashMap::new();
    for (q, mut c, n) in seen {
        let total = totals
            .get(&(q, c.table, c.column.clone()))
            .copied()
            .unwrap_or(0);
        c.share = if total > 0 {
            n as f64 / total as f64
        } else {
            0.0
        };
        out.entry(q).or_default().push(c);
    }
    out
}

/// A constant as pg_qualstats prints it (`'pending'::text`, `2::integer`), accepted only when
/// PostgreSQL's parser reads it as exactly one constant (possibly cast), and re-printed by it.
#[must_use]
pub fn checked_literal(text: &str) -> Option<String> {
    use pg_query::NodeEnum;
    let tree = pg_query::parse(&format!("SELECT {text}"), 0).ok()?;
    let [stmt] = tree.protobuf.stmts.as_slice() else {
        return None;
    };
    let Some(NodeEnum::SelectStmt(select)) = stmt.stmt.as_deref().and_then(|n| n.node.as_ref())
    else {
        return None;
    };
    let [target] = select.target_list.as_slice() else {
        return None;
    };
    let Some(NodeEnum::ResTarget(target)) = target.node.as_ref() else {
        return None;
    };
    let value = target.val.as_deref()?.node.as_ref()?;
    let constant = match value {
        NodeEnum::AConst(_) => true,
        NodeEnum::TypeCast(cast) => matches!(
            cast.arg.as_deref().and_then(|a| a.node.as_ref()),
            Some(NodeEnum::AConst(_))
        ),
        _ => false,
    };
    if !constant || !target.name.is_empty() || **select != only_target(select) {
        return None;
    }
    let text = tree.deparse(pg_query::DeparseOptions::default()).ok()?;
    text.strip_prefix("SELECT ").map(str::to_owned)
}

/// The same SELECT with nothing but its target list (to check that nothing else was given).
fn only_target(select: &pg_query::protobuf::SelectStmt) -> pg_query::protobuf::SelectStmt {
    pg_query::protobuf::SelectStmt {
        target_list: select.target_list.clone(),
        op: select.op,
        limit_option: select.limit_option,
        ..Default::default()
    }
}

/// Which of `names` are already taken by a relation in `schema`.
pub async fn taken_names(client: &Client, schema: &str, names: &[String]) -> Result<Vec<String>> {
    let rows = client
        .query(RELATION_NAMES, &[&schema, &names])
        .await
        .map_err(|e| describe(&e))?;
    rows.iter()
        .map(|r| {
            r.try_get("name")
                .map_err(|e: tokio_postgres::Error| e.to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualstats_constants_are_checked_by_the_parser() {
        assert_eq!(
            checked_literal("'pending'::text").as_deref(),
            Some("'pending'::text")
        );
        assert_eq!(checked_literal("2::integer").as_deref(), Some("2::int"));
        assert_eq!(checked_literal("'it''s'").as_deref(), Some("'it''s'"));
        assert_eq!(checked_literal("1; DROP TABLE t"), None);
        assert_eq!(checked_literal("(SELECT 1)"), None);
        assert_eq!(checked_literal("1 FROM pg_authid"), None);
        assert_eq!(checked_literal("now()"), None);
    }

    #[test]
    fn constant_shares_are_per_statement_and_column() {
        let c = |col: &str, lit: &str| QualConstant {
            table: 1,
            column: col.into(),
            literal: lit.into(),
            share: 0.0,
        };
        let shares = with_shares(vec![
            (7, c("status", "'a'"), 3),
            (7, c("status", "'b'"), 1),
            (7, c("kind", "'x'"), 5),
        ]);
        let got: Vec<(String, f64)> = shares[&7]
            .iter()
            .map(|q| (q.literal.clone(), q.share))
            .collect();
        assert_eq!(
            got,
            vec![
                ("'a'".into(), 0.75),
                ("'b'".into(), 0.25),
                ("'x'".into(), 1.0)
            ]
        );
    }
}
