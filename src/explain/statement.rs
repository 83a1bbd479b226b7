//! What the DBA typed, checked by PostgreSQL's own parser (pg_query) before anything runs:
//! exactly one statement (a `;` inside a string or a comment is not a second one), of a kind
//! EXPLAIN takes, with an `EXPLAIN [ANALYZE | ANALYSE] …` the DBA typed stripped (pgmedic
//! adds its own options), whether it changes data (INSERT, UPDATE, DELETE, MERGE — also
//! inside a WITH), and its highest `$n` parameter. A statement with parameters comes back as
//! the parser writes it again (pg_stat_statements' `interval $1` becomes `$1::interval`).
//!
//! Pure: no server, no I/O.

use pg_query::NodeRef;
use pg_query::protobuf::Token;

/// What kind of statement it is, for the UI's wording and the transaction it runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Select,
    Insert,
    Update,
    Delete,
    Merge,
    /// CREATE TABLE … AS, CREATE MATERIALIZED VIEW … AS, SELECT … INTO.
    CreateAs,
    /// EXECUTE of a prepared statement.
    Execute,
}

impl Kind {
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Kind::Select => "SELECT",
            Kind::Insert => "INSERT",
            Kind::Update => "UPDATE",
            Kind::Delete => "DELETE",
            Kind::Merge => "MERGE",
            Kind::CreateAs => "CREATE … AS",
            Kind::Execute => "EXECUTE",
        }
    }
}

/// A statement ready to be explained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The statement alone: no EXPLAIN, no trailing semicolon.
    pub text: String,
    pub kind: Kind,
    /// It writes (a data-modifying statement, or one inside a WITH).
    pub modifies: bool,
    /// The highest `$n` in the text (0: none).
    pub params: u32,
    /// The DBA's text started with EXPLAIN, which pgmedic replaced with its own.
    pub had_explain: bool,
}

/// How two explained texts relate, for the compare view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kinship {
    /// The same text, but for spacing.
    Same,
    /// The same statement with other constants or parameters (pg_query's fingerprint).
    OtherValues,
    /// Two different statements: their plans are not before and after of one thing.
    Different,
}

/// `a` and `b` are the same text but for spacing (runs of blanks and line breaks).
#[must_use]
pub fn same_text(a: &str, b: &str) -> bool {
    a.split_whitespace().eq(b.split_whitespace())
}

/// How `a` and `b` relate (see [`Kinship`]); a text the parser refuses is only the same as an
/// identical one.
#[must_use]
pub fn kinship(a: &str, b: &str) -> Kinship {
    if same_text(a, b) {
        return Kinship::Same;
    }
    let prints = crate::sql_tree::on_parser_thread(|| {
        let print = |s: &str| pg_query::fingerprint(s, 0, 0).ok().map(|f| f.value);
        (print(a), print(b))
    });
    match prints {
        Ok((Some(x), Some(y))) if x == y => Kinship::OtherValues,
        _ => Kinship::Different,
    }
}

/// Checks `sql` (see the module header); the error is one line for the status bar.
pub fn check(sql: &str) -> Result<Statement, String> {
    crate::sql_tree::with_tree(sql, |parsed| checked(sql, parsed))?
}

fn checked(
    sql: &str,
    parsed: pg_query::Result<pg_query::ParseResult>,
) -> Result<Statement, String> {
    let parsed = parsed.map_err(|e| crate::sql_tree::refusal(&e))?;
    let stmts = &parsed.protobuf.stmts;
    let raw = match stmts.as_slice() {
        [only] => only,
        [] => return Err("nothing to explain: type a statement first".to_owned()),
        many => {
            return Err(format!(
                "{} statements: EXPLAIN takes one at a time",
                many.len()
            ));
        }
    };
    let start = usize::try_from(raw.stmt_location).unwrap_or(0);
    let end = match usize::try_from(raw.stmt_len) {
        Ok(0) | Err(_) => sql.len(),
        Ok(len) => start.saturating_add(len).min(sql.len()),
    };
    let mut text = sql.get(start..end).unwrap_or(sql).trim().to_owned();
    let top = raw
        .stmt
        .as_ref()
        .and_then(|n| n.node.as_ref())
        .ok_or("nothing to explain: type a statement first")?;
    let mut had_explain = false;
    let mut node = top.to_ref();
    if let NodeRef::ExplainStmt(explain) = node {
        had_explain = true;
        let inner = explain
            .query
            .as_ref()
            .and_then(|n| n.node.as_ref())
            .ok_or("EXPLAIN of nothing")?;
        text = inner
            .deparse(pg_query::DeparseOptions::default())
            .map_err(|e| format!("cannot read the statement after EXPLAIN: {e}"))?;
        node = inner.to_ref();
    }
    let kind = kind_of(node)?;
    if !had_explain && highest_param(&text) > 0 {
        // pg_stat_statements' text can hold `interval $1`, which only pg_query's parser takes:
        // its deparse writes `$1::interval`, which the server takes too.
        text = node
            .deparse(pg_query::DeparseOptions::default())
            .map_err(|e| format!("cannot read the statement: {e}"))?;
    }
    let reparsed = pg_query::parse(&text, pg_query::ParserOptions::DEFAULT)
        .map_err(|e| crate::sql_tree::refusal(&e))?;
    let modifies = matches!(
        kind,
        Kind::Insert | Kind::Update | Kind::Delete | Kind::Merge | Kind::CreateAs
    ) || reparsed.protobuf.nodes().iter().any(|(n, ..)| {
        matches!(
            n,
            NodeRef::InsertStmt(_)
                | NodeRef::UpdateStmt(_)
                | NodeRef::DeleteStmt(_)
                | NodeRef::MergeStmt(_)
        )
    });
    Ok(Statement {
        params: highest_param(&text),
        text,
        kind,
        modifies,
        had_explain,
    })
}

fn kind_of(node: NodeRef) -> Result<Kind, String> {
    Ok(match node {
        // SELECT … INTO creates a table, as CREATE TABLE … AS does.
        NodeRef::SelectStmt(select) if select.into_clause.is_some() => Kind::CreateAs,
        NodeRef::SelectStmt(_) => Kind::Select,
        NodeRef::InsertStmt(_) => Kind::Insert,
        NodeRef::UpdateStmt(_) => Kind::Update,
        NodeRef::DeleteStmt(_) => Kind::Delete,
        NodeRef::MergeStmt(_) => Kind::Merge,
        NodeRef::CreateTableAsStmt(_) => Kind::CreateAs,
        NodeRef::ExecuteStmt(_) => Kind::Execute,
        other => {
            let name = format!("{other:?}");
            let name = name.split('(').next().unwrap_or("that statement");
            return Err(format!(
                "EXPLAIN takes SELECT, INSERT, UPDATE, DELETE, MERGE, VALUES, EXECUTE or CREATE … AS, not {name}"
            ));
        }
    })
}

/// The highest `$n` in `sql` (0 when there is none), from PostgreSQL's own scanner.
#[must_use]
pub fn highest_param(sql: &str) -> u32 {
    let Ok(scanned) = pg_query::scan(sql) else {
        return 0;
    };
    scanned
        .tokens
        .iter()
        .filter(|t| t.token == Token::Param as i32)
        .filter_map(|t| {
            let (start, end) = (usize::try_from(t.start).ok()?, usize::try_from(t.end).ok()?);
            sql.get(start..end)?.trim_start_matches('$').parse().ok()
        })
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_statement_of_a_kind_explain_takes() {
        let s = check("SELECT * FROM orders WHERE customer_id = $1 AND amount > $2;").unwrap();
        assert_eq!(
            s.text,
            "SELECT * FROM orders WHERE customer_id = $1 AND amount > $2"
        );
        assert_eq!((s.kind, s.modifies, s.params), (Kind::Select, false, 2));
        let s = check("select ';' as semi -- ; drop table t\n").unwrap();
        assert_eq!(s.kind, Kind::Select);
        assert_eq!(s.params, 0);
        let s = check("/* ; */ VALUES (1), (2)").unwrap();
        assert_eq!(s.kind, Kind::Select);
        let s = check("SELECT '$1', \"$2\" FROM t WHERE a = $3").unwrap();
        assert_eq!(
            s.params, 3,
            "a $n in a string or an identifier is not a parameter"
        );
        let s = check("SELECT count(*) FROM t WHERE at >= now() - interval $1 LIMIT $2").unwrap();
        assert_eq!(
            s.text,
            "SELECT count(*) FROM t WHERE at >= now() - $1::interval LIMIT $2"
        );
    }

    #[test]
    fn several_statements_are_rejected_by_the_parser() {
        for sql in [
            "SELECT 1; SELECT 2",
            "EXPLAIN ANALYSE SELECT 1; DELETE FROM t",
            "SELECT ';'; DELETE FROM t -- ;",
            "UPDATE t SET a = 1;\nCOMMIT",
        ] {
            let err = check(sql).unwrap_err();
            assert!(err.contains("2 statements"), "{sql}: {err}");
        }
        assert!(check("  ;  ").unwrap_err().contains("nothing to explain"));
        assert!(check("SELEC 1").unwrap_err().contains("not valid SQL"));
        assert!(check("VACUUM t").unwrap_err().contains("EXPLAIN takes"));
        let deep = crate::sql_tree::tests::long_sum(100_000);
        assert!(check(&deep).unwrap_err().starts_with("nested too deeply"));
        assert!(check("BEGIN").unwrap_err().contains("EXPLAIN takes"));
    }

    #[test]
    fn deep_statements_are_checked_like_any_other() {
        use crate::sql_tree::tests::{join_chain, long_sum};
        let s = check(&long_sum(60)).unwrap();
        assert_eq!((s.kind, s.modifies), (Kind::Select, false));
        let s = check(&format!("EXPLAIN ANALYZE {}", join_chain(50))).unwrap();
        assert!(
            s.had_explain
                && s.text
                    .starts_with("SELECT count(*) FROM instruments i0 JOIN")
        );
        let update = format!(
            "update t set a = {} where id = $1",
            long_sum(200).replacen("select ", "", 1)
        );
        let s = check(&update).unwrap();
        assert_eq!((s.kind, s.modifies, s.params), (Kind::Update, true, 1));
    }

    #[test]
    fn data_changes_are_found_by_parsing() {
        let s = check("EXPLAIN ANALYSE DELETE FROM orders WHERE id = 1").unwrap();
        assert!(s.had_explain);
        assert_eq!((s.kind, s.modifies), (Kind::Delete, true));
        assert_eq!(s.text, "DELETE FROM orders WHERE id = 1");
        let s = check("explain (analyze, buffers) update t set a = a + 1").unwrap();
        assert_eq!((s.kind, s.modifies), (Kind::Update, true));
        let s =
            check("WITH gone AS (DELETE FROM t RETURNING *) SELECT count(*) FROM gone").unwrap();
        assert_eq!((s.kind, s.modifies), (Kind::Select, true));
        let s = check("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE").unwrap();
        assert_eq!((s.kind, s.modifies), (Kind::Merge, true));
        let s = check("INSERT INTO t VALUES ($1)").unwrap();
        assert_eq!((s.kind, s.modifies, s.params), (Kind::Insert, true, 1));
        let s = check("CREATE TABLE x AS SELECT 1").unwrap();
        assert_eq!((s.kind, s.modifies), (Kind::CreateAs, true));
        let s = check("select * into qa_tbl from instruments").unwrap();
        assert_eq!((s.kind, s.modifies), (Kind::CreateAs, true));
    }

    #[test]
    fn two_texts_are_the_same_statement_other_values_or_different() {
        assert_eq!(
            kinship(
                "select count(*)\n  from users",
                "select count(*) from users"
            ),
            Kinship::Same
        );
        assert_eq!(
            kinship(
                "select * from trades where id = 1",
                "SELECT * FROM trades WHERE id = $1"
            ),
            Kinship::OtherValues
        );
        assert_eq!(
            kinship(
                "select count(*) from trades where executed_at > now() - interval '1 hour'",
                "select count(*) from users"
            ),
            Kinship::Different
        );
        assert_eq!(kinship("selec 1", "selec 2"), Kinship::Different);
    }
}
