//! Every theme file loads and has exactly the known keys; NO_COLOR means no colour at all.

use std::collections::BTreeSet;

use pgmedic::ui::Theme;
use pgmedic::ui::theme::BUILTIN;
use ratatui::style::Color;

use crate::fixtures::{busy, draw};

#[expect(
    clippy::unwrap_used,
    reason = "test helper: an unreadable themes/ must stop the test loudly"
)]
fn theme_files() -> Vec<std::path::PathBuf> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/themes");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_theme_file_has_exactly_the_known_keys() {
    let known: BTreeSet<&str> = Theme::KEYS.iter().copied().collect();
    let files = theme_files();
    assert!(files.len() >= 3);
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let table: toml::Table = toml::from_str(&text).unwrap();
        let keys: BTreeSet<&str> = table.keys().map(String::as_str).collect();
        assert_eq!(keys, known, "{}", path.display());
        Theme::file(path.to_str().unwrap()).unwrap();
    }
}

#[test]
fn every_theme_file_is_built_in_and_every_built_in_is_a_file() {
    let files: BTreeSet<String> = theme_files()
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    let builtins: BTreeSet<String> = BUILTIN.iter().map(|(n, _)| (*n).to_owned()).collect();
    assert_eq!(files, builtins);
    for (name, _) in BUILTIN {
        Theme::load_with(name, false).unwrap();
    }
}

#[test]
fn theme_keys() {
    insta::assert_snapshot!(Theme::KEYS.join("\n"));
}

#[test]
fn no_color_leaves_every_cell_uncoloured() {
    for name in ["dark", "light", "high-contrast"] {
        let theme = Theme::load_with(name, true).unwrap();
        for (w, h) in [(80, 24), (200, 60)] {
            let terminal = draw(&busy(), &theme, w, h);
            for cell in terminal.backend().buffer().content() {
                assert_eq!(
                    (cell.fg, cell.bg),
                    (Color::Reset, Color::Reset),
                    "{name} {w}x{h}: {cell:?}"
                );
            }
        }
    }
}

#[test]
fn no_color_still_checks_the_requested_theme() {
    assert!(Theme::load_with("neon", true).is_err());
}
