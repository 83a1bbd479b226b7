//! Quoting of identifiers and literals for the SQL that actions run. Every name that reaches
//! an action's SQL goes through here, so a table called `a"; DROP TABLE b; --` stays a name.

/// A quoted identifier: `orders` → `"orders"`, `we"ird` → `"we""ird"`. Always quoted, so
/// case and reserved words survive too.
#[must_use]
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `"schema"."name"`.
#[must_use]
pub fn qualified(schema: &str, name: &str) -> String {
    format!("{}.{}", ident(schema), ident(name))
}

/// A string literal: `it's` → `'it''s'`; one with a backslash becomes an escape string
/// (`E'a\\b'`) so the result is the same whatever standard_conforming_strings says.
#[must_use]
pub fn literal(value: &str) -> String {
    let doubled = value.replace('\'', "''");
    if value.contains('\\') {
        format!("E'{}'", doubled.replace('\\', "\\\\"))
    } else {
        format!("'{doubled}'")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_always_quoted_and_quotes_doubled() {
        assert_eq!(ident("orders"), "\"orders\"");
        assert_eq!(ident("Order Lines"), "\"Order Lines\"");
        assert_eq!(
            ident("a\"; DROP TABLE b; --"),
            "\"a\"\"; DROP TABLE b; --\""
        );
        assert_eq!(qualified("public", "x"), "\"public\".\"x\"");
    }

    #[test]
    fn literals_escape_quotes_and_backslashes() {
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(literal(r"a\b'"), r"E'a\\b'''");
        assert_eq!(literal(""), "''");
    }
}
