//! One-line SQL highlighting for statement previews: keywords, literals, the rest.
//!
//! A tokenizer good enough for pg_stat_statements' normalised text (`$1` parameters, quoted
//! literals, quoted identifiers); the full editor and detail views use a real grammar.

use ratatui::text::Span;

use crate::ui::theme::Theme;

/// What a piece of SQL text is, for styling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    Keyword,
    Literal,
    Other,
}

/// Keywords that shape a statement (upper case; matched case-insensitively).
const KEYWORDS: &[&str] = &[
    "ALL",
    "ALTER",
    "AND",
    "ANALYZE",
    "AS",
    "ASC",
    "BEGIN",
    "BETWEEN",
    "BY",
    "CASE",
    "COMMIT",
    "CONFLICT",
    "COPY",
    "CREATE",
    "CROSS",
    "DELETE",
    "DESC",
    "DISTINCT",
    "DO",
    "DROP",
    "ELSE",
    "END",
    "EXCEPT",
    "EXISTS",
    "EXPLAIN",
    "FALSE",
    "FETCH",
    "FOR",
    "FROM",
    "FULL",
    "GROUP",
    "HAVING",
    "IN",
    "INDEX",
    "INNER",
    "INSERT",
    "INTERSECT",
    "INTO",
    "IS",
    "JOIN",
    "LATERAL",
    "LEFT",
    "LIKE",
    "ILIKE",
    "LIMIT",
    "NOT",
    "NOTHING",
    "NULL",
    "OFFSET",
    "ON",
    "OR",
    "ORDER",
    "OUTER",
    "OVER",
    "PARTITION",
    "RETURNING",
    "RIGHT",
    "ROLLBACK",
    "SELECT",
    "SET",
    "SKIP",
    "TABLE",
    "THEN",
    "TRUE",
    "TRUNCATE",
    "UNION",
    "UPDATE",
    "USING",
    "VACUUM",
    "VALUES",
    "WHEN",
    "WHERE",
    "WINDOW",
    "WITH",
    "LOCKED",
    "SHARE",
    "NOWAIT",
];

/// Splits SQL into styled pieces; concatenated they give back `text` exactly.
#[must_use]
pub fn tokens(text: &str) -> Vec<(Token, &str)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let end = if c == b'\'' || c == b'"' {
            closing_quote(bytes, i)
        } else if c.is_ascii_alphabetic() || c == b'_' {
            run(bytes, i, |b| {
                b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
            })
        } else if c.is_ascii_digit()
            || (c == b'$' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            run(bytes, i + 1, |b| b.is_ascii_digit() || b == b'.')
        } else {
            i += 1;
            continue;
        };
        let word = &text[i..end];
        let kind = match c {
            b'\'' | b'$' | b'0'..=b'9' => Token::Literal,
            b'"' => Token::Other,
            _ if KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word)) => Token::Keyword,
            _ => Token::Other,
        };
        if kind != Token::Other {
            if start < i {
                out.push((Token::Other, &text[start..i]));
            }
            out.push((kind, word));
            start = end;
        }
        i = end;
    }
    if start < text.len() {
        out.push((Token::Other, &text[start..]));
    }
    out
}

/// The SQL as spans in the theme's SQL styles over `base`.
#[must_use]
pub fn spans<'a>(text: &'a str, base: ratatui::style::Style, theme: &Theme) -> Vec<Span<'a>> {
    tokens(text)
        .into_iter()
        .map(|(kind, piece)| match kind {
            Token::Keyword => Span::styled(piece, base.patch(theme.sql_keyword)),
            Token::Literal => Span::styled(piece, base.patch(theme.sql_literal)),
            Token::Other => Span::styled(piece, base),
        })
        .collect()
}

fn run(bytes: &[u8], from: usize, keep: impl Fn(u8) -> bool) -> usize {
    bytes[from..]
        .iter()
        .position(|b| !keep(*b))
        .map_or(bytes.len(), |n| from + n)
}

/// The index after the quote that closes the one at `open` (doubled quotes stay inside).
fn closing_quote(bytes: &[u8], open: usize) -> usize {
    let quote = bytes[open];
    let mut i = open + 1;
    while i < bytes.len() {
        if bytes[i] == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_literals_and_the_rest() {
        let sql = "select * from \"Order\" where id = $1 and note = 'it''s' limit 10";
        let t = tokens(sql);
        assert_eq!(t.iter().map(|(_, s)| *s).collect::<String>(), sql);
        let kinds: Vec<_> = t.iter().filter(|(k, _)| *k != Token::Other).collect();
        assert_eq!(
            kinds,
            [
                &(Token::Keyword, "select"),
                &(Token::Keyword, "from"),
                &(Token::Keyword, "where"),
                &(Token::Literal, "$1"),
                &(Token::Keyword, "and"),
                &(Token::Literal, "'it''s'"),
                &(Token::Keyword, "limit"),
                &(Token::Literal, "10"),
            ]
        );
    }

    #[test]
    fn identifiers_are_not_keywords() {
        let t = tokens("select order_id, t1.from_x from \"select\"");
        let keywords: Vec<&str> = t
            .iter()
            .filter(|(k, _)| *k == Token::Keyword)
            .map(|(_, s)| *s)
            .collect();
        assert_eq!(keywords, ["select", "from"]);
        assert_eq!(
            tokens("ünïcode 'x"),
            [(Token::Other, "ünïcode "), (Token::Literal, "'x")]
        );
    }
}
