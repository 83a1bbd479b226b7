//! The input as lines, without what psql wraps around a plan: the `QUERY PLAN` header and its
//! dashes, the `(1 row)` footer, and the `+` that aligned output puts at the end of each line
//! of a multi-line value (JSON). Line numbers stay those of the input, so errors point at the
//! file the DBA has open.

/// One line of the plan proper.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line<'a> {
    pub text: &'a str,
    /// 1-based line number in the input.
    pub number: usize,
}

#[derive(Debug, Clone)]
pub(crate) struct Source<'a> {
    pub lines: Vec<Line<'a>>,
    /// The line after the last one, for errors at the end of the input.
    pub end_line: usize,
}

impl<'a> Source<'a> {
    pub fn new(input: &'a str) -> Self {
        let all: Vec<Line<'a>> = input
            .lines()
            .enumerate()
            .map(|(i, text)| Line {
                text: text.strip_suffix('\r').unwrap_or(text),
                number: i + 1,
            })
            .collect();
        let end_line = all.len() + 1;
        let mut lines: Vec<Line<'a>> = all;
        let first = lines.iter().position(|l| !l.text.trim().is_empty());
        if let Some(first) = first
            && lines[first].text.trim() == "QUERY PLAN"
        {
            let mut drop = first + 1;
            if lines.get(drop).is_some_and(|l| {
                !l.text.trim().is_empty() && l.text.trim().chars().all(|c| c == '-')
            }) {
                drop += 1;
            }
            lines.drain(..drop);
        }
        while lines.last().is_some_and(|l| l.text.trim().is_empty()) {
            lines.pop();
        }
        if lines.last().is_some_and(|l| is_row_count(l.text)) {
            lines.pop();
        }
        let mut source = Self { lines, end_line };
        if source.is_json() {
            for line in &mut source.lines {
                let trimmed = line.text.trim_end();
                line.text = trimmed.strip_suffix('+').unwrap_or(trimmed).trim_end();
            }
        }
        source
    }

    /// True when the plan proper starts with `[` or `{`.
    pub fn is_json(&self) -> bool {
        self.lines
            .iter()
            .find_map(|l| l.text.trim_start().chars().next())
            .is_some_and(|c| c == '[' || c == '{')
    }

    /// The lines joined again, for a parser that wants one string; `Source::locate` maps its
    /// positions back.
    pub fn joined(&self) -> String {
        let mut out = String::new();
        for (i, line) in self.lines.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(line.text);
        }
        out
    }

    /// The input line and character column of a 1-based (line, byte column) position in
    /// `joined()`.
    pub fn locate(&self, line: usize, byte_column: usize) -> (usize, usize) {
        match line.checked_sub(1).and_then(|i| self.lines.get(i)) {
            Some(l) => {
                let upto = byte_column.saturating_sub(1).min(l.text.len());
                let chars = l
                    .text
                    .char_indices()
                    .take_while(|(at, _)| *at < upto)
                    .count();
                (l.number, chars + 1)
            }
            None => (self.lines.last().map_or(self.end_line, |l| l.number), 1),
        }
    }
}

/// psql's `(1 row)` / `(12 rows)` footer.
fn is_row_count(text: &str) -> bool {
    let t = text.trim();
    t.strip_prefix('(')
        .and_then(|t| t.strip_suffix(')'))
        .and_then(|t| t.strip_suffix(" rows").or_else(|| t.strip_suffix(" row")))
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psql_wrapping_is_removed_and_line_numbers_kept() {
        let input = "      QUERY PLAN      \n----------------\n [              +\n   {}           +\n ]\n(1 row)\n\n";
        let source = Source::new(input);
        assert!(source.is_json());
        assert_eq!(source.joined(), " [\n   {}\n ]");
        assert_eq!(source.locate(2, 4), (4, 4));
    }

    #[test]
    fn text_keeps_its_indentation() {
        let input = "QUERY PLAN\n----\n Seq Scan on t\n   Filter: (a > 1)\n(2 rows)";
        let source = Source::new(input);
        assert!(!source.is_json());
        let texts: Vec<&str> = source.lines.iter().map(|l| l.text).collect();
        assert_eq!(texts, [" Seq Scan on t", "   Filter: (a > 1)"]);
        assert_eq!(source.lines[0].number, 3);
        assert!(is_row_count("(12 rows)"));
        assert!(!is_row_count("(rows)"));
    }
}
