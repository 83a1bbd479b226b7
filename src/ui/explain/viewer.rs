//! The frame of `pgmedic explain FILE`: a title row naming the file, the Explain pane, and a
//! status row with the latest notice and the keys to start from.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::app::model::{MIN_SIZE, Mode, Model};
use crate::diagnose::health::Level;
use crate::ui::theme::Theme;
use crate::ui::{command_line, help, too_small};

/// Draws the viewer for `model`.
pub fn render(frame: &mut Frame, model: &Model, theme: &Theme) {
    let area = frame.area();
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        too_small(frame, area, theme);
        return;
    }
    let filtering = model.mode == Mode::Filter;
    let [top, body, status, filter_row] = area.layout(&Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(u16::from(filtering)),
    ]));
    frame.render_widget(Block::new().style(theme.tab_bar), top);
    let title = Line::from(vec![
        Span::styled(" Plan viewer ", theme.tab_active),
        Span::styled(
            format!(" {} ", model.target),
            theme.tab_bar.patch(theme.dim),
        ),
    ]);
    frame.render_widget(Paragraph::new(title), top);
    frame.render_widget(
        Line::styled(" pgmedic ", theme.tab_bar.patch(theme.title)).right_aligned(),
        top,
    );
    super::render(frame, body, model, theme);
    let mut spans = vec![Span::raw(" ")];
    match &model.notice {
        Some(notice) => {
            if notice.level >= Level::Warn {
                spans.push(Span::styled(notice.level.word(), theme.level(notice.level)));
                spans.push(Span::raw(" "));
            }
            spans.push(Span::styled(notice.text.as_str(), theme.notice));
        }
        None => spans.push(Span::styled(
            "Space expand/collapse · Enter details · f by self time · c compare · / filter · ? keys · q quit",
            theme.status_bar,
        )),
    }
    frame.render_widget(
        Paragraph::new(Line::from(spans)).style(theme.status_bar),
        status,
    );
    match &model.mode {
        Mode::Help => help::render(frame, body, model.pane, theme),
        Mode::Filter => {
            command_line::render(
                frame,
                filter_row,
                "/",
                model.filter().unwrap_or_default(),
                theme,
            );
        }
        _ => {}
    }
}
