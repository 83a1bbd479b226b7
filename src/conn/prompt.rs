//! Asking for a password as psql does when the server wants one and none was given: only when
//! stdin and stderr are a terminal, before the console takes the screen, without echo.

use std::io::{IsTerminal as _, Read as _, Write as _};

use tokio_postgres::Client;

use super::params::ConnParams;
use super::{ConnError, Result, connect};

/// Connects; when the server asks for a password that nobody gave and a person is at the
/// terminal, asks for it once, keeps it in `params` (for later sessions) and tries again.
pub async fn connect_prompting(params: &mut ConnParams, application_name: &str) -> Result<Client> {
    match connect(params, application_name).await {
        Err(ConnError::PasswordRequired(line)) if at_terminal() => {
            let prompt = format!("Password for user {}: ", params.user());
            let password = tokio::task::spawn_blocking(move || ask(&prompt))
                .await
                .map_err(|e| ConnError::Connect(format!("password prompt failed: {e}")))?
                .ok_or(ConnError::PasswordRequired(line))?;
            params.set_password(&password);
            connect(params, application_name).await
        }
        other => other,
    }
}

fn at_terminal() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Shows `prompt` on stderr and reads a line from stdin without echo; `None` when the user
/// gives up (Ctrl-C, Ctrl-D on an empty line, end of input) or the terminal fails.
fn ask(prompt: &str) -> Option<String> {
    let mut stderr = std::io::stderr();
    stderr.write_all(prompt.as_bytes()).ok()?;
    stderr.flush().ok()?;
    let answer = {
        let _raw = RawMode::enable()?;
        let bytes = std::io::stdin()
            .lock()
            .bytes()
            .map_while(std::result::Result::ok);
        read_line(bytes)
    };
    let _ = stderr.write_all(b"\n");
    answer
}

/// Disables echo and line editing while alive (crossterm's raw mode).
struct RawMode;

impl RawMode {
    fn enable() -> Option<Self> {
        crossterm::terminal::enable_raw_mode()
            .ok()
            .map(|()| RawMode)
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ = crossterm::terminal::disable_raw_mode();
    }
}

/// One line of raw-mode input: Enter ends it, Backspace deletes a character, Ctrl-U the
/// line; Ctrl-C, or Ctrl-D / end of input on an empty line, abandon it.
fn read_line(bytes: impl Iterator<Item = u8>) -> Option<String> {
    let mut line: Vec<u8> = Vec::new();
    for byte in bytes {
        match byte {
            b'\r' | b'\n' => return String::from_utf8(line).ok(),
            0x03 => return None,
            0x04 if line.is_empty() => return None,
            0x15 => line.clear(),
            0x08 | 0x7f => {
                // Drop a whole UTF-8 character: continuation bytes, then its first byte.
                while line.pop().is_some_and(|b| b & 0xc0 == 0x80) {}
            }
            b => line.push(b),
        }
    }
    (!line.is_empty())
        .then(|| String::from_utf8(line).ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::read_line;

    #[test]
    fn line_editing() {
        let cases: [(&[u8], Option<&str>); 8] = [
            (b"secret\r", Some("secret")),
            (b"secret\n", Some("secret")),
            (b"secrex\x7ft\r", Some("secret")),
            ("pä\u{7f}ss\r".as_bytes(), Some("pss")),
            (b"wrong\x15right\r", Some("right")),
            (b"abc\x03", None),
            (b"\x04", None),
            (b"", None),
        ];
        for (input, expected) in cases {
            assert_eq!(
                read_line(input.iter().copied()).as_deref(),
                expected,
                "{input:?}"
            );
        }
    }
}
