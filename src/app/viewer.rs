//! `pgmedic explain FILE [FILE]`: the Explain pane alone, on plans read from files, with no
//! server. The same model and keys as in the console, less what needs a server (running
//! EXPLAIN) or another pane.

use std::io::IsTerminal as _;
use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyEventKind};

use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::explain::Shown;
use crate::app::keymap;
use crate::app::model::{Mode, Model};
use crate::app::msg::Msg;
use crate::app::pane::Pane;
use crate::ui::theme::Theme;

/// A model showing `plans` (the last on screen, the one before it kept for comparing).
#[must_use]
pub fn model(mut plans: Vec<Shown>, now: Instant) -> Model {
    let name = plans
        .iter()
        .map(|s| s.source.as_str())
        .collect::<Vec<_>>()
        .join(" → ");
    let mut model = Model::new(name, Duration::from_secs(3600), true, now);
    model.pane = Pane::Explain;
    model.explain.viewer = true;
    match (plans.pop(), plans.pop()) {
        (Some(after), Some(before)) => model.explain.show_pair(before, after),
        (Some(only), None) => model.explain.show(only),
        _ => {}
    }
    model
}

/// True for keys the viewer leaves alone: other panes, refreshing, the command line.
fn ignored(model: &Model, event: crossterm::event::KeyEvent) -> bool {
    model.mode == Mode::Normal
        && matches!(
            keymap::lookup(Pane::Explain, event),
            Some(
                Action::GoTo(_)
                    | Action::NextPane
                    | Action::PrevPane
                    | Action::Refresh
                    | Action::CommandLine
            )
        )
}

/// Folds one terminal event into the model; true when the viewer should end.
pub fn handle(model: &mut Model, event: &Event) -> std::io::Result<bool> {
    let msg = match *event {
        Event::Key(key) if key.kind != KeyEventKind::Release && !ignored(model, key) => {
            Msg::Key(key)
        }
        Event::Resize(w, h) => Msg::Resize(w, h),
        _ => return Ok(false),
    };
    model.now = Instant::now();
    for effect in model.update(msg) {
        match effect {
            Effect::Quit => return Ok(true),
            Effect::Copy(text) => crate::app::copy_osc52(&text)?,
            _ => {}
        }
    }
    Ok(false)
}

/// Runs the viewer until `q`.
pub fn run(plans: Vec<Shown>, theme: &Theme) -> std::io::Result<()> {
    if !std::io::stdout().is_terminal() {
        return Err(std::io::Error::other(
            "the plan viewer needs a terminal on standard output",
        ));
    }
    let mut model = model(plans, Instant::now());
    let mut terminal = ratatui::try_init()?;
    let result = (|| -> std::io::Result<()> {
        let size = terminal.size()?;
        model.update(Msg::Resize(size.width, size.height));
        loop {
            if model.dirty {
                terminal.draw(|frame| crate::ui::explain::viewer::render(frame, &model, theme))?;
                model.dirty = false;
            }
            if handle(&mut model, &crossterm::event::read()?)? {
                return Ok(());
            }
        }
    })();
    ratatui::restore();
    result
}
