//! PostgreSQL's parser (pg_query) for every place that reads a statement's tree: the EXPLAIN
//! check, the Queries pane's shape, lints and formatting, the index advisor.
//!
//! Generated SQL nests deeply: each term of `a + b + …` or `'x' || y || …` and each table of a
//! join chain is one more level of the tree. pg_query hands the tree over as protobuf, and
//! pgmedic builds prost without its 100-level recursion limit (Cargo.toml), so a 60-term sum
//! or a 50-table join reads like any other statement. The depth is still bounded: libpg_query
//! refuses a tree deeper than its own stack budget (at most 2 MiB of C frames) with "stack
//! depth limit exceeded". Decoding, walking and dropping such a tree in Rust takes several
//! times that stack, more than a runtime worker thread has (2 MiB), so the parse and
//! everything done with its tree run on a thread of their own with [`STACK`] bytes of stack
//! (reserved, touched only as deep as the tree goes).

/// The parser thread's stack: the deepest tree libpg_query accepts needs under 16 MiB in a
/// debug build, under 8 MiB in a release build (measured); 64 MiB for headroom.
pub const STACK: usize = 64 << 20;

/// Parses `sql` and hands the result to `f`, both on the parser thread (see the module
/// header); the tree is dropped there too, so `f` returns only owned values. `Err` when the
/// thread cannot start or the parser gives up on the text abnormally (a panic), in words.
pub fn with_tree<T, F>(sql: &str, f: F) -> Result<T, String>
where
    T: Send,
    F: FnOnce(pg_query::Result<pg_query::ParseResult>) -> T + Send,
{
    on_parser_thread(move || f(pg_query::parse(sql, 0)))
}

/// Runs `f` (a call into libpg_query: a parse, a fingerprint) on the parser thread; `Err` as
/// for [`with_tree`].
pub fn on_parser_thread<T, F>(f: F) -> Result<T, String>
where
    T: Send,
    F: FnOnce() -> T + Send,
{
    std::thread::scope(|scope| {
        let parser = std::thread::Builder::new()
            .name("pgmedic-parser".to_owned())
            .stack_size(STACK)
            .spawn_scoped(scope, f);
        match parser {
            Ok(parser) => parser
                .join()
                .map_err(|_| "the parser failed on this text".to_owned()),
            Err(err) => Err(format!("the parser could not start: {err}")),
        }
    })
}

/// The parser's refusal in words: too deep for it (valid SQL all the same, which the server
/// refuses too) is not called invalid.
#[must_use]
pub fn refusal(err: &pg_query::Error) -> String {
    let text = err.to_string();
    if text.contains("stack depth limit exceeded") {
        "nested too deeply for PostgreSQL's parser (stack depth limit exceeded)".to_owned()
    } else {
        format!("not valid SQL: {text}")
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// `select 1+1+…+1` with `terms` terms.
    pub(crate) fn long_sum(terms: usize) -> String {
        format!("select 1{}", "+1".repeat(terms - 1))
    }

    /// An inner-join chain of `tables` tables, each joined to the one before.
    pub(crate) fn join_chain(tables: usize) -> String {
        use std::fmt::Write as _;
        let mut sql = "select count(*) from instruments i0".to_owned();
        for i in 1..tables {
            write!(sql, " join instruments i{i} on i{i}.id = i{}.id", i - 1).unwrap();
        }
        sql
    }

    #[test]
    fn deep_statements_parse() {
        for sql in [long_sum(60), long_sum(500), join_chain(50), join_chain(300)] {
            let stmts = with_tree(&sql, |tree| tree.map(|t| t.protobuf.stmts.len())).unwrap();
            assert_eq!(stmts, Ok(1), "{}", &sql[..60]);
        }
    }

    #[test]
    fn too_deep_for_the_parser_is_its_error_not_a_crash() {
        let err = with_tree(&long_sum(100_000), |tree| tree.map(|_| ()))
            .unwrap()
            .unwrap_err();
        assert!(refusal(&err).starts_with("nested too deeply"), "{err}");
    }

    #[test]
    fn syntax_errors_come_back_as_errors() {
        let err = with_tree("selec 1", |tree| tree.map(|_| ()))
            .unwrap()
            .unwrap_err();
        let refusal = refusal(&err);
        assert!(
            refusal.starts_with("not valid SQL") && refusal.contains("syntax error"),
            "{refusal}"
        );
    }
}
