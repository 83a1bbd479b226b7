//! The Bloat & vacuum pane.

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::app::model::Model;
use crate::ui::theme::Theme;

/// Draws the pane into `area`.
pub fn render(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let _ = (frame, area, model, theme);
}
