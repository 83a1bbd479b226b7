//! The pieces every box of the console is made of: a titled panel, a figure line with its
//! level word right-aligned, a threshold gauge, a reason shown in words.
//!
//! Pure functions from data to ratatui text and blocks; they draw nothing themselves.

use std::borrow::Cow;

use ratatui::layout::Alignment;
use ratatui::style::Style;
use ratatui::symbols::border;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Padding, Paragraph, Wrap};

use crate::diagnose::health::Level;
use crate::ui::format;
use crate::ui::theme::Theme;

/// A box with a title; stale boxes say so on their top-right border.
#[must_use]
pub fn panel<'a>(title: impl Into<Line<'a>>, theme: &Theme, stale: bool) -> Block<'a> {
    let block = Block::new()
        .borders(Borders::ALL)
        .border_set(border::ROUNDED)
        .border_style(theme.border)
        .title(title.into().style(theme.title))
        .padding(Padding::horizontal(1));
    if stale {
        block
            .title_top(Line::from(Span::styled(" stale ", theme.stale)).alignment(Alignment::Right))
    } else {
        block
    }
}

/// Builds the lines of one box: labels padded to one column so figures line up, and each
/// figure's level word at the right edge.
#[derive(Debug, Clone, Copy)]
pub struct Figures<'t> {
    /// Inner width of the box.
    pub width: usize,
    /// Width of the label column.
    pub label: usize,
    pub theme: &'t Theme,
}

impl<'t> Figures<'t> {
    #[must_use]
    pub fn new(width: u16, label: usize, theme: &'t Theme) -> Self {
        Self {
            width: usize::from(width),
            label,
            theme,
        }
    }

    /// `label  value…      WORD`; without a level the line ends after the value. The level
    /// word always shows: content too wide for the box is cut (with `…`) to make room for it.
    #[must_use]
    pub fn line<'a>(&self, label: &str, value: Vec<Span<'a>>, level: Option<Level>) -> Line<'a> {
        let label_width = self.label;
        let mut spans = Vec::with_capacity(value.len() + 3);
        if label_width > 0 || !label.is_empty() {
            spans.push(Span::styled(
                format!("{label:<label_width$}"),
                self.theme.dim,
            ));
        }
        spans.extend(value);
        if let Some(level) = level {
            let word = level.word();
            fit(&mut spans, self.width.saturating_sub(word.len() + 1));
            let used: usize = spans.iter().map(Span::width).sum();
            let pad = self.width.saturating_sub(used + word.len()).max(1);
            spans.push(Span::raw(" ".repeat(pad)));
            spans.push(Span::styled(word, self.theme.level(level)));
        }
        Line::from(spans)
    }

    /// A judged figure: its text tinted with its level, and the level word.
    #[must_use]
    pub fn figure<'a>(&self, label: &str, text: String, level: Level) -> Line<'a> {
        self.line(label, vec![self.value(text, level)], Some(level))
    }

    /// A figure's value, in the value style tinted with its level's colour when it is bad.
    #[must_use]
    pub fn value<'a>(&self, text: impl Into<Cow<'a, str>>, level: Level) -> Span<'a> {
        let tint = if level >= Level::Warn {
            self.theme.level_fg(level)
        } else {
            Style::default()
        };
        Span::styled(text, self.theme.value.patch(tint))
    }

    /// A plain (unjudged) value.
    #[must_use]
    pub fn plain<'a>(&self, text: impl Into<Cow<'a, str>>) -> Span<'a> {
        Span::styled(text, self.theme.value)
    }

    /// Secondary text.
    #[must_use]
    pub fn dim<'a>(&self, text: impl Into<Cow<'a, str>>) -> Span<'a> {
        Span::styled(text, self.theme.dim)
    }
}

/// Cuts `spans` to at most `max` columns, the last kept span ending with `…`.
fn fit(spans: &mut Vec<Span>, max: usize) {
    let mut used = 0;
    for i in 0..spans.len() {
        let width = spans[i].width();
        if used + width > max {
            let cut = format::truncate(&spans[i].content, max - used).into_owned();
            spans[i].content = cut.into();
            spans.truncate(i + 1);
            return;
        }
        used += width;
    }
}

/// A gauge of `width` cells filled to `fraction`, with marks at the warn and critical
/// fractions where the fill has not reached them; the fill takes its level's colour.
#[must_use]
pub fn gauge<'a>(
    fraction: f64,
    marks: (f64, f64),
    level: Level,
    width: usize,
    theme: &Theme,
) -> Vec<Span<'a>> {
    let filled = format::filled_cells(fraction, width);
    let warn = format::mark_cell(marks.0, width);
    let critical = format::mark_cell(marks.1, width);
    let fill = if level >= Level::Warn {
        theme.bar.patch(theme.level_fg(level))
    } else {
        theme.bar
    };
    let mut spans = vec![Span::styled("█".repeat(filled), fill)];
    for cell in filled..width {
        spans.push(if Some(cell) == warn {
            Span::styled("┊", theme.level_fg(Level::Warn))
        } else if Some(cell) == critical {
            Span::styled("┊", theme.level_fg(Level::Critical))
        } else {
            Span::styled("·", theme.bar_empty)
        });
    }
    spans
}

/// Why a part has no figures, in words, wrapped inside its box.
#[must_use]
pub fn reason<'a>(text: &'a str, block: Block<'a>, theme: &Theme) -> Paragraph<'a> {
    Paragraph::new(Line::from(Span::styled(text, theme.unknown)))
        .wrap(Wrap { trim: true })
        .block(block)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(line: &Line) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn the_level_word_sits_at_the_right_edge_and_always_shows() {
        let theme = Theme::plain();
        let fig = Figures::new(24, 10, &theme);
        let line = fig.figure("cache hit", "98.7%".to_owned(), Level::Warn);
        assert_eq!(text(&line), "cache hit 98.7%     WARN");
        let long = fig.line(
            "replica",
            vec![fig.plain("a very long value indeed")],
            Some(Level::Critical),
        );
        assert_eq!(text(&long), "replica   a very l… CRIT");
        assert_eq!(long.width(), 24);
        let plain = fig.line("workers", vec![fig.plain("2")], None);
        assert_eq!(text(&plain), "workers   2");
    }

    #[test]
    fn gauges_mark_thresholds_the_fill_has_not_reached() {
        let theme = Theme::plain();
        let cells = |f| {
            gauge(f, (0.8, 0.9), Level::Ok, 10, &theme)
                .iter()
                .map(|s| s.content.to_string())
                .collect::<String>()
        };
        assert_eq!(cells(0.5), "█████···┊┊");
        assert_eq!(cells(0.0), "········┊┊");
        assert_eq!(cells(0.84), "████████┊┊");
        assert_eq!(cells(0.86), "█████████┊");
        assert_eq!(cells(0.97), "██████████");
    }
}
