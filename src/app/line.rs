//! The one-line inputs (the `:` command line, a `/` filter, a confirmation word) edit as a
//! shell's line does: Backspace, Ctrl-U clears the line, Ctrl-W deletes the word before the
//! end. Other control keys type nothing.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Applies `key` to `line`; false when the key is not an editing key (Enter, Esc, arrows…),
/// which the caller then handles.
pub fn edit(line: &mut String, key: KeyEvent) -> bool {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Backspace | KeyCode::Char('w') if ctrl => delete_word(line),
        // Ctrl-H is Backspace on some terminals.
        KeyCode::Backspace => {
            line.pop();
        }
        KeyCode::Char('h') if ctrl => {
            line.pop();
        }
        KeyCode::Char('u') if ctrl => line.clear(),
        KeyCode::Char(_) if ctrl => {}
        KeyCode::Char(c) => line.push(c),
        _ => return false,
    }
    true
}

/// Deletes the spaces at the end, then the word before them.
fn delete_word(line: &mut String) {
    let kept = line.trim_end().len();
    line.truncate(kept);
    let start = line
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map_or(0, |(i, c)| i + c.len_utf8());
    line.truncate(start);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    fn typed(keys: &[KeyEvent]) -> String {
        let mut line = String::new();
        for k in keys {
            edit(&mut line, *k);
        }
        line
    }

    #[test]
    fn keys_edit_the_line_as_a_shell_does() {
        let none = KeyModifiers::NONE;
        let ctrl = KeyModifiers::CONTROL;
        let mut keys: Vec<KeyEvent> = "state:idle xact>5m  "
            .chars()
            .map(|c| key(KeyCode::Char(c), none))
            .collect();
        keys.push(key(KeyCode::Char('w'), ctrl));
        assert_eq!(typed(&keys), "state:idle ", "Ctrl-W: the last word");
        keys.push(key(KeyCode::Char('w'), ctrl));
        assert_eq!(typed(&keys), "");
        keys.extend("dröp".chars().map(|c| key(KeyCode::Char(c), none)));
        keys.push(key(KeyCode::Backspace, none));
        assert_eq!(typed(&keys), "drö", "Backspace: one character");
        keys.push(key(KeyCode::Char('x'), ctrl));
        assert_eq!(typed(&keys), "drö", "other control keys type nothing");
        keys.push(key(KeyCode::Char('u'), ctrl));
        assert_eq!(typed(&keys), "", "Ctrl-U: the whole line");
        let mut line = "x".to_owned();
        assert!(!edit(&mut line, key(KeyCode::Enter, none)));
        assert!(!edit(&mut line, key(KeyCode::Esc, none)));
        assert_eq!(line, "x");
    }
}
