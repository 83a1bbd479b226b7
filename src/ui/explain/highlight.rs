//! SQL highlighting for the editor with syntect's SQL grammar: keywords, literals and
//! comments take the theme's styles (so themes and NO_COLOR apply), the rest is plain text.

use std::sync::LazyLock;

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use syntect::parsing::{ParseState, ScopeStack, SyntaxSet};

use crate::ui::theme::Theme;

/// Loaded once: the grammars take a few milliseconds to load.
static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);

/// What a piece of SQL is, for styling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Keyword,
    Literal,
    Comment,
    Plain,
}

/// `text`'s lines cut into classified pieces.
#[must_use]
pub fn classify(text: &str) -> Vec<Vec<(Class, String)>> {
    let set = &*SYNTAXES;
    let Some(syntax) = set.find_syntax_by_extension("sql") else {
        return text
            .lines()
            .map(|l| vec![(Class::Plain, l.to_owned())])
            .collect();
    };
    let mut state = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    let mut out = Vec::new();
    for line in text.split('\n') {
        let with_newline = format!("{line}\n");
        let ops = state.parse_line(&with_newline, set).unwrap_or_default();
        let mut pieces: Vec<(Class, String)> = Vec::new();
        let mut at = 0;
        for (end, op) in ops {
            let end = end.min(line.len());
            if end > at {
                push(&mut pieces, class_of(&stack), &line[at..end]);
                at = end;
            }
            // A grammar error leaves the stack as it was: the rest is plain text.
            let _ = stack.apply(&op);
        }
        if at < line.len() {
            push(&mut pieces, class_of(&stack), &line[at..]);
        }
        out.push(pieces);
    }
    out
}

fn push(pieces: &mut Vec<(Class, String)>, class: Class, text: &str) {
    match pieces.last_mut() {
        Some((last, t)) if *last == class => t.push_str(text),
        _ => pieces.push((class, text.to_owned())),
    }
}

fn class_of(stack: &ScopeStack) -> Class {
    for scope in stack.as_slice().iter().rev() {
        let name = scope.build_string();
        if name.starts_with("comment") {
            return Class::Comment;
        }
        if name.starts_with("string") || name.starts_with("constant") {
            return Class::Literal;
        }
        if name.starts_with("keyword") || name.starts_with("storage") {
            return Class::Keyword;
        }
    }
    Class::Plain
}

/// The style of a class in `theme`, over `base`.
#[must_use]
pub fn style(class: Class, base: Style, theme: &Theme) -> Style {
    match class {
        Class::Keyword => base.patch(theme.sql_keyword),
        Class::Literal => base.patch(theme.sql_literal),
        Class::Comment => base.patch(theme.dim),
        Class::Plain => base,
    }
}

/// `text` as highlighted lines.
#[must_use]
pub fn lines(text: &str, theme: &Theme) -> Vec<Line<'static>> {
    classify(text)
        .into_iter()
        .map(|pieces| {
            Line::from(
                pieces
                    .into_iter()
                    .map(|(class, t)| Span::styled(t, style(class, theme.text, theme)))
                    .collect::<Vec<_>>(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_literals_and_comments() {
        let lines = classify("SELECT 'a;b', 42 -- note\nFROM orders");
        let first = &lines[0];
        assert!(
            first.contains(&(Class::Keyword, "SELECT".to_owned())),
            "{first:?}"
        );
        assert!(
            first
                .iter()
                .any(|(c, t)| *c == Class::Literal && t.contains("a;b")),
            "{first:?}"
        );
        assert!(
            first
                .iter()
                .any(|(c, t)| *c == Class::Comment && t.contains("note")),
            "{first:?}"
        );
        assert!(
            lines[1].contains(&(Class::Keyword, "FROM".to_owned())),
            "{:?}",
            lines[1]
        );
        let text: String = first.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(text, "SELECT 'a;b', 42 -- note");
    }
}
