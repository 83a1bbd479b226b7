//! placeholder
use crate::app::model::Model;
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
pub fn render(_frame: &mut Frame, _area: Rect, _model: &Model, _theme: &Theme) {}
