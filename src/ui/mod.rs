pub mod theme;
use crate::app::model::Model;
use ratatui::Frame;
use ratatui::widgets::Paragraph;
pub fn render(frame: &mut Frame, model: &Model, _theme: &theme::Theme) {
    let text = format!("{:?}\n{:#?}", model.conn, model.overview.view);
    frame.render_widget(Paragraph::new(text), frame.area());
}
