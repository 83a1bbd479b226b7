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

/// A name as a DBA reads it: bare when PostgreSQL would read it back unquoted (lower case
/// letters, digits, `_`, `$`, not starting with a digit or `$`), quoted otherwise:
/// `orders`, `"Order ""Book"" Snapshots"`. For display only; SQL uses [`ident`].
#[must_use]
pub fn shown(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
    if plain { name.to_owned() } else { ident(name) }
}

/// `schema.name` as a DBA reads it (see [`shown`]).
#[must_use]
pub fn shown_qualified(schema: &str, name: &str) -> String {
    format!("{}.{}", shown(schema), shown(name))
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
    fn shown_names_are_quoted_only_where_postgresql_needs_it() {
        assert_eq!(shown("orders_2024$x"), "orders_2024$x");
        assert_eq!(
            shown_qualified("public", "Order \"Book\" Snapshots_pkey"),
            "public.\"Order \"\"Book\"\" Snapshots_pkey\""
        );
        assert_eq!(shown("1st"), "\"1st\"");
        assert_eq!(shown(""), "\"\"");
    }

    #[test]
    fn literals_escape_quotes_and_backslashes() {
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(literal(r"a\b'"), r"E'a\\b'''");
        assert_eq!(literal(""), "''");
    }
}
