//! The `?` popup: the keys of the current pane, generated from the keymap (never written by
//! hand, so what is shown is what is bound).

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Padding, Paragraph};

use crate::app::keymap;
use crate::app::pane::Pane;
use crate::ui::format;
use crate::ui::panel;
use crate::ui::theme::Theme;

/// Draws the help popup centered over `area` (over the whole screen when it needs the rows).
/// When even the screen has fewer rows than the pane has keys, the keys that work everywhere
/// fold into a wrapped line at the end.
pub fn render(frame: &mut Frame, area: Rect, pane: Pane, theme: &Theme) {
    let (own, global) = keymap::help_sections(pane);
    let fold = own.len() + global.len() + 2 > usize::from(frame.area().height);
    let entries: Vec<&(String, String)> = if fold {
        own.iter().collect()
    } else {
        own.iter().chain(&global).collect()
    };
    let keys_width = entries
        .iter()
        .map(|(k, _)| format::width(k))
        .max()
        .unwrap_or(0);
    let text_width = entries
        .iter()
        .map(|(_, d)| format::width(d))
        .max()
        .unwrap_or(0);
    let mut lines: Vec<Line> = entries
        .iter()
        .map(|(keys, what)| {
            Line::from(vec![
                Span::styled(format!("{keys:>keys_width$}"), theme.popup.patch(theme.key)),
                Span::raw("   "),
                Span::styled(what.as_str(), theme.popup),
            ])
        })
        .collect();
    let width = (keys_width + 3 + text_width + 4) as u16;
    let mut height = lines.len() as u16 + 2;
    // Too many keys for the screen: the ones that work everywhere fold into one line.
    if fold {
        let mut spans = vec![Span::styled("everywhere: ", theme.popup.patch(theme.dim))];
        for (i, (keys, what)) in global.iter().enumerate() {
            if i > 0 {
                spans.push(Span::styled(" · ", theme.popup.patch(theme.dim)));
            }
            // Folded: the first key of each, its words without the parenthesis.
            let key = keys.split(' ').next().unwrap_or(keys);
            let what = what.split(" (").next().unwrap_or(what);
            spans.push(Span::styled(key.to_owned(), theme.popup.patch(theme.key)));
            spans.push(Span::styled(format!(" {what}"), theme.popup));
        }
        let folded = Line::from(spans);
        // Words wrap whole: a line more than the plain division, in case.
        height += folded
            .width()
            .div_ceil(usize::from(width.saturating_sub(4)).max(1)) as u16
            + 1;
        lines.push(folded);
    }
    // A pane with many keys may use the tab and status rows too, and when even that is too
    // little, the popup drops its top and bottom borders (and the titles on them).
    let area = if height > area.height {
        frame.area()
    } else {
        area
    };
    let mut block = panel::panel(format!(" Keys · {} ", pane.title()), theme, false)
        .title_bottom(
            Line::styled(" any key closes ", theme.popup.patch(theme.dim)).right_aligned(),
        )
        .style(theme.popup)
        .border_style(theme.popup.patch(theme.border));
    if height > area.height {
        height -= 2;
        block = Block::new()
            .borders(Borders::LEFT | Borders::RIGHT)
            .padding(Padding::horizontal(1))
            .style(theme.popup)
            .border_style(theme.popup.patch(theme.border));
    }
    let popup = area.centered(Constraint::Length(width), Constraint::Length(height));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(ratatui::widgets::Wrap { trim: false }),
        popup,
    );
}
