//! The `:` command line and the `/` filter line, vim-style, on the bottom row while the model
//! is in command or filter mode.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::ui::format;
use crate::ui::theme::Theme;

/// Draws the prompt (`:` or `/`) and what has been typed, with the terminal cursor after it.
pub fn render(frame: &mut Frame, area: Rect, prompt: &str, typed: &str, theme: &Theme) {
    if area.is_empty() {
        return;
    }
    let line = Line::from(vec![Span::styled(prompt, theme.key), Span::raw(typed)]);
    frame.render_widget(Paragraph::new(line).style(theme.command_line), area);
    let x = area.x.saturating_add(1 + format::width(typed) as u16);
    frame.set_cursor_position(Position::new(x.min(area.right().saturating_sub(1)), area.y));
}
