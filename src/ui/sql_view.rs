//! Whole statements highlighted with syntect's SQL grammar, in the theme's SQL styles (never
//! syntect's own colours: NO_COLOR and the high-contrast theme hold here too).
//!
//! The grammar is loaded once; a statement is classified once and kept in a small cache keyed
//! by its text, so redrawing the same statement does not parse it again. The cache is a
//! memo only: what is drawn depends on the text and the theme alone.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::LazyLock;

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use syntect::parsing::{ParseState, Scope, ScopeStack, SyntaxSet};

use crate::ui::theme::Theme;

/// What a piece of SQL is, for styling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Keyword,
    Literal,
    Comment,
    Other,
}

/// A statement's lines, each as classified pieces.
pub type Classified = Vec<Vec<(Kind, String)>>;

static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);

/// How many statements the cache keeps.
const CACHED: usize = 8;

thread_local! {
    static CACHE: RefCell<VecDeque<(String, Rc<Classified>)>> = const { RefCell::new(VecDeque::new()) };
}

/// Loads the grammar and compiles its patterns (about 50 ms in a release build, seconds in a
/// debug one): run it on a thread of its own at startup so the first statement shown does not
/// stall a frame.
pub fn warm_up() {
    let _ = classify(
        "SELECT a.id, count(*) FROM t a JOIN u ON u.id = a.id -- c\n\
         WHERE a.x = $1 AND a.y IN ('z', 2.5) /* c */ GROUP BY 1 ORDER BY 2 DESC LIMIT 10",
    );
}

/// The statement's lines as styled text in `theme`, over `base`.
#[must_use]
pub fn lines(text: &str, base: Style, theme: &Theme) -> Vec<Line<'static>> {
    classified(text)
        .iter()
        .map(|pieces| {
            Line::from(
                pieces
                    .iter()
                    .map(|(kind, piece)| {
                        let style = match kind {
                            Kind::Keyword => base.patch(theme.sql_keyword),
                            Kind::Literal => base.patch(theme.sql_literal),
                            Kind::Comment => base.patch(theme.dim),
                            Kind::Other => base,
                        };
                        Span::styled(piece.clone(), style)
                    })
                    .collect::<Vec<_>>(),
            )
        })
        .collect()
}

/// The statement classified, from the cache when it was seen lately.
#[must_use]
pub fn classified(text: &str) -> Rc<Classified> {
    if let Some(hit) =
        CACHE.with_borrow(|c| c.iter().find(|(t, _)| t == text).map(|(_, v)| Rc::clone(v)))
    {
        return hit;
    }
    let value = Rc::new(classify(text));
    CACHE.with_borrow_mut(|c| {
        if c.len() == CACHED {
            c.pop_front();
        }
        c.push_back((text.to_owned(), Rc::clone(&value)));
    });
    value
}

/// Classifies every piece of `text` with the SQL grammar; `$n` parameters count as literals.
/// Control characters (a comment is anyone's text) become U+FFFD.
#[must_use]
pub fn classify(text: &str) -> Classified {
    let clean: String = text
        .chars()
        .map(|c| {
            if c.is_control() && c != '\n' {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect();
    let Some(syntax) = SYNTAXES.find_syntax_by_extension("sql") else {
        return clean
            .lines()
            .map(|l| vec![(Kind::Other, l.to_owned())])
            .collect();
    };
    let scopes = Scopes::new();
    let mut state = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    let mut out = Vec::new();
    for line in clean.lines() {
        let with_newline = format!("{line}\n");
        let ops = state
            .parse_line(&with_newline, &SYNTAXES)
            .unwrap_or_default();
        // The kind of every byte of the line, then runs of one kind as pieces.
        let mut kinds = vec![Kind::Other; line.len()];
        let mut at = 0;
        for (pos, op) in ops {
            let pos = pos.min(line.len());
            if pos > at {
                kinds[at..pos].fill(scopes.kind(&stack));
                at = pos;
            }
            if stack.apply(&op).is_err() {
                stack = ScopeStack::new();
            }
        }
        kinds[at..].fill(scopes.kind(&stack));
        mark_parameters(line, &mut kinds);
        out.push(runs(line, &kinds));
    }
    out
}

/// `$1`, `$2`… (pg_stat_statements' parameters) are literals.
fn mark_parameters(line: &str, kinds: &mut [Kind]) {
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
            let end = bytes[i + 1..]
                .iter()
                .position(|b| !b.is_ascii_digit())
                .map_or(bytes.len(), |n| i + 1 + n);
            kinds[i..end].fill(Kind::Literal);
            i = end;
        } else {
            i += 1;
        }
    }
}

/// The line cut where the kind changes (never inside a character).
fn runs(line: &str, kinds: &[Kind]) -> Vec<(Kind, String)> {
    let mut pieces: Vec<(Kind, String)> = Vec::new();
    for (i, c) in line.char_indices() {
        let kind = kinds.get(i).copied().unwrap_or(Kind::Other);
        match pieces.last_mut() {
            Some((last, text)) if *last == kind => text.push(c),
            _ => pieces.push((kind, c.to_string())),
        }
    }
    pieces
}

/// The scope prefixes that decide a piece's kind.
struct Scopes {
    comment: Option<Scope>,
    string: Option<Scope>,
    number: Option<Scope>,
    keyword: Option<Scope>,
    operator: Option<Scope>,
    storage: Option<Scope>,
    constant: Option<Scope>,
}

impl Scopes {
    fn new() -> Self {
        Self {
            comment: Scope::new("comment").ok(),
            string: Scope::new("string").ok(),
            number: Scope::new("constant.numeric").ok(),
            keyword: Scope::new("keyword").ok(),
            operator: Scope::new("keyword.operator").ok(),
            storage: Scope::new("storage").ok(),
            constant: Scope::new("constant.language").ok(),
        }
    }

    fn kind(&self, stack: &ScopeStack) -> Kind {
        let has = |prefix: Option<Scope>| {
            prefix.is_some_and(|p| stack.as_slice().iter().any(|s| p.is_prefix_of(*s)))
        };
        if has(self.comment) {
            Kind::Comment
        } else if has(self.string) || has(self.number) {
            Kind::Literal
        } else if has(self.operator) {
            Kind::Other
        } else if has(self.keyword) || has(self.storage) || has(self.constant) {
            Kind::Keyword
        } else {
            Kind::Other
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str, kind: Kind) -> Vec<String> {
        classify(text)
            .into_iter()
            .flatten()
            .filter(|(k, _)| *k == kind)
            .map(|(_, s)| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    }

    #[test]
    fn keywords_literals_parameters_and_comments() {
        let sql = "SELECT o.id -- newest first\nFROM orders o\nWHERE o.status = 'open' AND o.user_id = $1\nLIMIT 10";
        let lines = classify(sql);
        assert_eq!(lines.len(), 4);
        let text: Vec<String> = lines
            .iter()
            .map(|l| l.iter().map(|(_, s)| s.as_str()).collect())
            .collect();
        assert_eq!(text.join("\n"), sql, "nothing lost or added");
        let keywords = kinds(sql, Kind::Keyword);
        for k in ["SELECT", "FROM", "WHERE", "AND", "LIMIT"] {
            assert!(keywords.iter().any(|w| w == k), "{k} in {keywords:?}");
        }
        let literals = kinds(sql, Kind::Literal);
        assert!(
            literals.iter().any(|l| l.contains("'open'")),
            "{literals:?}"
        );
        assert!(literals.contains(&"$1".to_owned()), "{literals:?}");
        assert!(literals.contains(&"10".to_owned()), "{literals:?}");
        assert_eq!(kinds(sql, Kind::Comment), ["-- newest first"]);
        assert!(
            !keywords.contains(&"=".to_owned()),
            "operators are plain text"
        );
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        let lines = classify("SELECT 1 /* \u{1b}]52;c;QUJD\u{7} */");
        let all: String = lines.iter().flatten().map(|(_, s)| s.as_str()).collect();
        assert!(!all.chars().any(char::is_control), "{all:?}");
    }

    #[test]
    fn the_cache_returns_the_same_classification() {
        let a = classified("SELECT 1");
        let b = classified("SELECT 1");
        assert!(Rc::ptr_eq(&a, &b));
    }
}
