//! What a statement of pg_stat_statements looks like, read with the real PostgreSQL parser
//! (pg_query): its kind, its outer select list, LIMIT, a lookup by key, a one-row INSERT.
//!
//! A text that does not parse (another dialect, a cut-off text) still gets a shape, from
//! PostgreSQL's own scanner alone, which reads any text; the shape says so. Pure: no I/O; about 50 µs a statement, so it runs once per statement, where its
//! text is fetched.

use pg_query::NodeEnum;
use pg_query::protobuf::{self, Node, SelectStmt, Token};

use crate::snapshot::queries::{StatementKind, StatementShape};

/// The shape of `text` (a statement as pg_stat_statements stores it).
#[must_use]
pub fn shape(text: &str) -> StatementShape {
    let parsed = crate::sql_tree::with_tree(text, |parsed| {
        parsed.map_err(|e| e.to_string()).map(|result| {
            let mut shape = result
                .protobuf
                .stmts
                .first()
                .and_then(|raw| raw.stmt.as_deref())
                .and_then(|node| node.node.as_ref())
                .map(tree_shape)
                .unwrap_or_default();
            shape.relations = result.tables();
            shape.relations.sort();
            shape
        })
    });
    match parsed {
        Ok(Ok(shape)) => shape,
        Ok(Err(err)) | Err(err) => StatementShape {
            parse_error: Some(err),
            ..scanned_shape(text)
        },
    }
}

/// The statement laid out on several lines by the parser's deparser (comments kept); `None`
/// when it does not parse.
#[must_use]
pub fn pretty(text: &str) -> Option<String> {
    let formatted = crate::sql_tree::with_tree(text, |parsed| {
        let comments = pg_query::deparse_comments_for_query(text).unwrap_or_default();
        let options = pg_query::DeparseOptions {
            comments,
            pretty_print: true,
            indent_size: 2,
            max_line_length: 80,
            ..Default::default()
        };
        parsed.ok()?.deparse(options).ok()
    });
    formatted.ok().flatten().filter(|s| !s.trim().is_empty())
}

// ─── From the parse tree ─────────────────────────────────────────────────────────────────

fn tree_shape(node: &NodeEnum) -> StatementShape {
    match node {
        NodeEnum::SelectStmt(select) => StatementShape {
            kind: StatementKind::Select,
            select_star: select_star(select),
            has_limit: has_limit(select),
            key_lookup: outer_where(select).is_some_and(key_lookup),
            ..Default::default()
        },
        NodeEnum::InsertStmt(insert) => StatementShape {
            kind: StatementKind::Insert,
            single_row_values: insert
                .select_stmt
                .as_deref()
                .and_then(|n| n.node.as_ref())
                .is_some_and(|n| matches!(n, NodeEnum::SelectStmt(s) if s.values_lists.len() == 1)),
            ..Default::default()
        },
        NodeEnum::UpdateStmt(update) => StatementShape {
            kind: StatementKind::Update,
            key_lookup: update.where_clause.as_deref().is_some_and(key_lookup),
            ..Default::default()
        },
        NodeEnum::DeleteStmt(delete) => StatementShape {
            kind: StatementKind::Delete,
            key_lookup: delete.where_clause.as_deref().is_some_and(key_lookup),
            ..Default::default()
        },
        NodeEnum::MergeStmt(_) => StatementShape {
            kind: StatementKind::Merge,
            ..Default::default()
        },
        _ => StatementShape {
            kind: StatementKind::Utility,
            ..Default::default()
        },
    }
}

/// The select lists of a query's outer level (both sides of a UNION).
fn outer_selects(select: &SelectStmt) -> Vec<&SelectStmt> {
    match (select.larg.as_deref(), select.rarg.as_deref()) {
        (Some(left), Some(right)) => {
            let mut all = outer_selects(left);
            all.extend(outer_selects(right));
            all
        }
        _ => vec![select],
    }
}

fn select_star(select: &SelectStmt) -> bool {
    outer_selects(select).iter().any(|s| {
        s.target_list.iter().any(|target| {
            let Some(NodeEnum::ResTarget(target)) = &target.node else {
                return false;
            };
            let Some(NodeEnum::ColumnRef(column)) =
                target.val.as_deref().and_then(|v| v.node.as_ref())
            else {
                return false;
            };
            column
                .fields
                .last()
                .is_some_and(|f| matches!(f.node, Some(NodeEnum::AStar(_))))
        })
    })
}

/// A LIMIT or FETCH FIRST with a count (`LIMIT ALL` is a NULL count: no limit).
fn has_limit(select: &SelectStmt) -> bool {
    select
        .limit_count
        .as_deref()
        .and_then(|n| n.node.as_ref())
        .is_some_and(|count| !matches!(count, NodeEnum::AConst(c) if c.isnull))
}

/// The WHERE clause of a plain select (a set operation has one per side: none counts).
fn outer_where(select: &SelectStmt) -> Option<&Node> {
    select.where_clause.as_deref()
}

/// The clause (or one of its AND-ed terms) compares a column with a parameter.
fn key_lookup(clause: &Node) -> bool {
    match clause.node.as_ref() {
        Some(NodeEnum::BoolExpr(b)) if b.boolop == protobuf::BoolExprType::AndExpr as i32 => {
            b.args.iter().any(key_lookup)
        }
        Some(NodeEnum::AExpr(e)) if e.kind == protobuf::AExprKind::AexprOp as i32 => {
            let equals = e
                .name
                .iter()
                .any(|n| matches!(&n.node, Some(NodeEnum::String(s)) if s.sval == "="));
            let sides = [e.lexpr.as_deref(), e.rexpr.as_deref()];
            equals
                && sides.iter().any(|s| s.is_some_and(is_column))
                && sides.iter().any(|s| s.is_some_and(is_param))
        }
        _ => false,
    }
}

fn is_column(node: &Node) -> bool {
    match node.node.as_ref() {
        Some(NodeEnum::ColumnRef(_)) => true,
        Some(NodeEnum::TypeCast(c)) => c.arg.as_deref().is_some_and(is_column),
        _ => false,
    }
}

fn is_param(node: &Node) -> bool {
    match node.node.as_ref() {
        Some(NodeEnum::ParamRef(_)) => true,
        Some(NodeEnum::TypeCast(c)) => c.arg.as_deref().is_some_and(is_param),
        _ => false,
    }
}

// ─── From the scanner, when the text does not parse ──────────────────────────────────────

/// What the scanner's tokens tell about the outer level of the statement.
fn scanned_shape(text: &str) -> StatementShape {
    let Ok(tokens) = pg_query::scan_tokens(text) else {
        return StatementShape::default();
    };
    // Tokens at parenthesis depth 0, comments left out.
    let mut depth = 0i32;
    let mut outer = Vec::new();
    for t in &tokens {
        let token = Token::try_from(t.token).unwrap_or(Token::Nul);
        match token {
            Token::Ascii40 => depth += 1,
            Token::Ascii41 => depth -= 1,
            Token::SqlComment | Token::CComment => {}
            _ if depth == 0 => outer.push(token),
            _ => {}
        }
    }
    let kind = match outer.first() {
        Some(Token::Select) => StatementKind::Select,
        Some(Token::Insert) => StatementKind::Insert,
        Some(Token::Update) => StatementKind::Update,
        Some(Token::DeleteP) => StatementKind::Delete,
        Some(Token::Merge) => StatementKind::Merge,
        Some(Token::With) | None => StatementKind::Unknown,
        Some(_) => StatementKind::Utility,
    };
    let star_after_select = outer
        .windows(2)
        .any(|w| w == [Token::Select, Token::Ascii42])
        || outer
            .windows(3)
            .any(|w| w[0] == Token::Select && w[1] == Token::Ident && w[2] == Token::Ascii46);
    let lookup = tokens.windows(2).any(|w| {
        Token::try_from(w[0].token) == Ok(Token::Ascii61)
            && Token::try_from(w[1].token) == Ok(Token::Param)
    });
    StatementShape {
        kind,
        select_star: kind == StatementKind::Select && star_after_select,
        has_limit: outer.contains(&Token::Limit) || outer.contains(&Token::Fetch),
        key_lookup: lookup && kind != StatementKind::Insert,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_star_is_the_outer_select_list_only() {
        assert!(shape("SELECT * FROM orders WHERE id = $1").select_star);
        assert!(shape("SELECT o.* FROM orders o JOIN users u ON u.id = o.user_id").select_star);
        assert!(shape("SELECT id FROM a UNION ALL SELECT * FROM b").select_star);
        let clean = shape(
            "SELECT count(*) FROM orders o WHERE EXISTS (SELECT * FROM users u WHERE u.id = o.user_id)",
        );
        assert!(
            !clean.select_star,
            "count(*) and EXISTS (SELECT *) are fine"
        );
        assert_eq!(clean.kind, StatementKind::Select);
        assert_eq!(clean.relations, vec!["orders", "users"]);
    }

    #[test]
    fn deep_statements_get_a_parsed_shape_and_a_layout() {
        use crate::sql_tree::tests::{join_chain, long_sum};
        let sum = format!("{} from trades", long_sum(60));
        let shape = shape(&sum);
        assert_eq!(
            (shape.parse_error, shape.relations),
            (None, vec!["trades".to_owned()])
        );
        let joins = format!("select * from ({}) j", join_chain(50));
        let shape = super::shape(&joins);
        assert_eq!(shape.parse_error, None);
        assert!(shape.select_star);
        assert!(pretty(&joins).is_some_and(|p| p.contains("JOIN instruments i49")));
    }

    #[test]
    fn limits_and_fetch_first_count_limit_all_does_not() {
        assert!(shape("SELECT id FROM t ORDER BY id LIMIT $1").has_limit);
        assert!(shape("SELECT id FROM t FETCH FIRST 10 ROWS ONLY").has_limit);
        assert!(shape("SELECT id FROM t LIMIT $1 OFFSET $2").has_limit);
        assert!(!shape("SELECT id FROM t LIMIT ALL").has_limit);
        assert!(!shape("SELECT id FROM t WHERE x IN (SELECT y FROM u LIMIT 1)").has_limit);
    }

    #[test]
    fn key_lookups_compare_a_column_with_a_parameter() {
        assert!(shape("SELECT name FROM users WHERE id = $1").key_lookup);
        assert!(shape("SELECT name FROM users WHERE tenant = $1 AND id = $2::int8").key_lookup);
        assert!(shape("UPDATE positions SET qty = qty + $1 WHERE account_id = $2").key_lookup);
        assert!(shape("DELETE FROM sessions WHERE token = $1").key_lookup);
        assert!(!shape("SELECT name FROM users WHERE id > $1").key_lookup);
        assert!(!shape("SELECT name FROM users WHERE a = $1 OR b = $2").key_lookup);
        assert!(!shape("SELECT now()").key_lookup);
    }

    #[test]
    fn one_row_inserts_and_other_kinds() {
        let one = shape("INSERT INTO trades (a, b) VALUES ($1, $2)");
        assert_eq!(one.kind, StatementKind::Insert);
        assert!(one.single_row_values);
        assert!(!shape("INSERT INTO trades (a, b) VALUES ($1, $2), ($3, $4)").single_row_values);
        assert!(!shape("INSERT INTO trades SELECT * FROM staging").single_row_values);
        assert_eq!(shape("BEGIN").kind, StatementKind::Utility);
        assert_eq!(shape("SET work_mem = $1").kind, StatementKind::Utility);
        assert_eq!(
            shape("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DO NOTHING").kind,
            StatementKind::Merge
        );
    }

    #[test]
    fn text_that_does_not_parse_falls_back_to_the_scanner() {
        // A text cut off in the middle of its ORDER BY.
        let s =
            shape("SELECT * FROM orders WHERE created_at > now() - $1 AND user_id = $2 ORDER BY");
        assert!(s.parse_error.is_some());
        assert_eq!(s.kind, StatementKind::Select);
        assert!(s.select_star && !s.has_limit && s.key_lookup);
        let limited = shape("SELECT t.* FROM t WHERE at > $1 LIMIT $2 OFFSET");
        assert!(limited.select_star && limited.has_limit);
        let garbage = shape("'unterminated");
        assert_eq!(garbage.kind, StatementKind::Unknown);
        assert!(!garbage.select_star);
    }

    #[test]
    fn pretty_lays_the_statement_out_and_keeps_comments() {
        let text = "/* api:orders */ SELECT o.id, o.total FROM orders o JOIN users u ON u.id = o.user_id WHERE u.email = $1 ORDER BY o.id DESC LIMIT $2";
        let formatted = pretty(text).unwrap();
        assert!(formatted.lines().count() > 3, "{formatted}");
        assert!(formatted.contains("api:orders"), "{formatted}");
        assert!(
            formatted.contains("$1") && formatted.contains("LIMIT $2"),
            "{formatted}"
        );
        // pg_stat_statements writes `interval '5 min'` as `interval $1`: the deparser casts it.
        assert_eq!(
            pretty("SELECT * FROM t WHERE at > interval $1").as_deref(),
            Some("SELECT *\nFROM t\nWHERE at > $1::interval")
        );
        assert_eq!(pretty("SELECT * FROM t WHERE"), None);
    }
}
