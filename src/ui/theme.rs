//! The console's look: a struct of named styles, loaded from a TOML theme file.
//!
//! Built-in themes live in `themes/` and are embedded, so the binary needs no files at run time;
//! `--theme` also takes a path to a `.toml` file of the same shape. A theme file has exactly one
//! key per field of [`Theme`] (a missing or unknown key is an error in one line), each an inline
//! table of `fg`, `bg` and `modifiers`. With `NO_COLOR` set (and not empty) the modifiers-only
//! built-in theme is used whatever was asked for: no colour reaches the terminal.
//!
//! No I/O beyond reading the one theme file; no rendering.

use std::collections::BTreeMap;
use std::path::Path;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

use crate::diagnose::health::Level;

/// The built-in themes: name and embedded TOML text.
pub const BUILTIN: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("no-color", include_str!("../../themes/no-color.toml")),
];

/// The theme used when `NO_COLOR` asks for no colour.
const NO_COLOR_THEME: &str = "no-color";

/// Why a theme could not be loaded, in one line.
#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error(
        "unknown theme {0:?}: use dark, light, high-contrast, no-color or a path to a .toml file"
    )]
    Unknown(String),
    #[error("theme {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("theme {theme}: {message}")]
    Invalid { theme: String, message: String },
}

/// One style as a theme file writes it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StyleSpec {
    fg: Option<String>,
    bg: Option<String>,
    #[serde(default)]
    modifiers: Vec<String>,
}

/// Declares `Theme` and its list of keys from one list, so the two cannot drift.
macro_rules! theme {
    ($( $(#[$doc:meta])* $field:ident, )*) => {
        /// Every style the console draws with, by what it is used for.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct Theme {
            $( $(#[$doc])* pub $field: Style, )*
        }

        impl Theme {
            /// Every key of a theme file, in the order of the struct's fields.
            pub const KEYS: &'static [&'static str] = &[$(stringify!($field)),*];

            fn from_styles(mut styles: BTreeMap<String, Style>) -> Result<Self, String> {
                Ok(Self {
                    $( $field: styles
                        .remove(stringify!($field))
                        .ok_or_else(|| format!("missing key `{}`", stringify!($field)))?, )*
                })
            }

            /// A theme with no styling at all (the terminal's defaults everywhere).
            #[must_use]
            pub fn plain() -> Self {
                Self { $( $field: Style::default(), )* }
            }

            fn styles_mut(&mut self) -> [&mut Style; Self::KEYS.len()] {
                [$(&mut self.$field),*]
            }
        }
    };
}

theme! {
    // ─── Text ───
    /// Ordinary text.
    text,
    /// Labels, units and other secondary text.
    dim,
    /// The figures themselves (numbers the eye looks for).
    value,
    /// Box titles.
    title,
    /// Box borders.
    border,
    // ─── Tabs ───
    /// The whole tab bar row (row 0).
    tab_bar,
    /// An inactive tab.
    tab,
    /// The tab of the pane on screen.
    tab_active,
    // ─── Levels ───
    /// A figure judged ok.
    ok,
    /// A figure judged worth a look (warn).
    warn,
    /// A figure judged critical.
    critical,
    /// A figure that cannot be judged (no data, no privilege).
    unknown,
    // ─── Tables ───
    /// Column headers.
    header,
    /// The selected row.
    selected,
    /// The marker of a statement first seen in the last interval.
    new_statement,
    // ─── Gauges and charts ───
    /// The filled part of a gauge while its level is ok.
    bar,
    /// The empty part of a gauge.
    bar_empty,
    /// Connections in use, in charts and sparklines.
    chart_connections,
    /// Transactions per second, in charts and sparklines.
    chart_tps,
    /// Limits drawn across a chart (usable connections).
    chart_limit,
    /// Chart axes and their labels.
    chart_axis,
    // ─── Status bar and popups ───
    /// The status bar row.
    status_bar,
    /// A notice in the status bar.
    notice,
    /// The marker of data that is no longer current, and the borders of stale boxes.
    stale,
    /// The read-only marker.
    read_only,
    /// Popups (help): their background and border.
    popup,
    /// Keys as the help popup lists them.
    key,
    /// The `:` command line.
    command_line,
    // ─── SQL ───
    /// SQL keywords.
    sql_keyword,
    /// SQL literals and `$n` parameters.
    sql_literal,
}

impl Default for Theme {
    fn default() -> Self {
        Self::builtin("dark").unwrap_or_else(|_| Self::plain())
    }
}

impl Theme {
    /// Loads a built-in theme by name or a theme file by path, honouring `NO_COLOR`.
    pub fn load(name_or_path: &str) -> Result<Theme, ThemeError> {
        Self::load_with(name_or_path, no_color_requested())
    }

    /// Loads a theme; with `no_color` the requested theme is still checked, then the
    /// modifiers-only theme is returned.
    pub fn load_with(name_or_path: &str, no_color: bool) -> Result<Theme, ThemeError> {
        let theme = Self::builtin(name_or_path).or_else(|err| match err {
            ThemeError::Unknown(_) if looks_like_path(name_or_path) => Self::file(name_or_path),
            other => Err(other),
        })?;
        if no_color {
            Ok(Self::builtin(NO_COLOR_THEME)?.without_colors())
        } else {
            Ok(theme)
        }
    }

    /// A built-in theme by name.
    pub fn builtin(name: &str) -> Result<Theme, ThemeError> {
        let (_, text) = BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .ok_or_else(|| ThemeError::Unknown(name.to_owned()))?;
        Self::parse(name, text)
    }

    /// A theme from a TOML file.
    pub fn file(path: &str) -> Result<Theme, ThemeError> {
        let text = std::fs::read_to_string(path).map_err(|source| ThemeError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(path, &text)
    }

    /// Parses theme text; `theme` names it in errors.
    pub fn parse(theme: &str, text: &str) -> Result<Theme, ThemeError> {
        let invalid = |message: String| ThemeError::Invalid {
            theme: theme.to_owned(),
            message,
        };
        let table: toml::Table = toml::from_str(text).map_err(|e| invalid(toml_error(text, &e)))?;
        let mut styles = BTreeMap::new();
        for (key, value) in table {
            if !Self::KEYS.contains(&key.as_str()) {
                return Err(invalid(format!("unknown key `{key}`")));
            }
            let spec: StyleSpec = value
                .try_into()
                .map_err(|e: toml::de::Error| invalid(format!("key `{key}`: {}", e.message())))?;
            let style = spec
                .to_style()
                .map_err(|e| invalid(format!("key `{key}`: {e}")))?;
            styles.insert(key, style);
        }
        Self::from_styles(styles).map_err(invalid)
    }

    /// The same theme with every colour removed (modifiers kept).
    #[must_use]
    pub fn without_colors(mut self) -> Theme {
        for style in self.styles_mut() {
            style.fg = None;
            style.bg = None;
            style.underline_color = None;
        }
        self
    }

    /// The style of a level's word or symbol.
    #[must_use]
    pub fn level(&self, level: Level) -> Style {
        match level {
            Level::Unknown => self.unknown,
            Level::Ok => self.ok,
            Level::Warn => self.warn,
            Level::Critical => self.critical,
        }
    }

    /// The colour of a level alone (no modifiers), for values and gauge fills.
    #[must_use]
    pub fn level_fg(&self, level: Level) -> Style {
        Style {
            fg: self.level(level).fg,
            ..Style::default()
        }
    }
}

/// True when `NO_COLOR` is set to something (see no-color.org).
#[must_use]
pub fn no_color_requested() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

fn looks_like_path(name: &str) -> bool {
    Path::new(name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
        || name.contains(std::path::MAIN_SEPARATOR)
}

impl StyleSpec {
    fn to_style(&self) -> Result<Style, String> {
        let mut style = Style::default();
        if let Some(fg) = &self.fg {
            style = style.fg(color(fg)?);
        }
        if let Some(bg) = &self.bg {
            style = style.bg(color(bg)?);
        }
        for name in &self.modifiers {
            style = style.add_modifier(modifier(name)?);
        }
        Ok(style)
    }
}

fn color(name: &str) -> Result<Color, String> {
    name.parse().map_err(|_| {
        format!("unknown colour {name:?} (a name like \"dark_gray\", 0-255 or #rrggbb)")
    })
}

fn modifier(name: &str) -> Result<Modifier, String> {
    Ok(match name {
        "bold" => Modifier::BOLD,
        "dim" => Modifier::DIM,
        "italic" => Modifier::ITALIC,
        "underlined" => Modifier::UNDERLINED,
        "reversed" => Modifier::REVERSED,
        "crossed_out" => Modifier::CROSSED_OUT,
        other => {
            return Err(format!(
                "unknown modifier {other:?} (bold, dim, italic, underlined, reversed, crossed_out)"
            ));
        }
    })
}

/// A TOML syntax error as "line N: message" (the library's own text spans several lines).
fn toml_error(text: &str, err: &toml::de::Error) -> String {
    match err.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("line {line}: {}", err.message())
        }
        None => err.message().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_one_line_and_name_the_key() {
        let dark = BUILTIN[0].1;
        let unknown = format!("{dark}\nsparkle = {{ fg = \"red\" }}\n");
        let err = Theme::parse("t", &unknown).unwrap_err().to_string();
        assert_eq!(err, "theme t: unknown key `sparkle`");

        let missing: String = dark
            .lines()
            .filter(|l| !l.starts_with("warn "))
            .collect::<Vec<_>>()
            .join("\n");
        let err = Theme::parse("t", &missing).unwrap_err().to_string();
        assert_eq!(err, "theme t: missing key `warn`");

        let bad = dark.replace("dim = { fg = \"dark_gray\" }", "dim = { fg = \"glitter\" }");
        let err = Theme::parse("t", &bad).unwrap_err().to_string();
        assert!(
            err.starts_with("theme t: key `dim`: unknown colour \"glitter\""),
            "{err}"
        );

        let err = Theme::parse("t", "text = {").unwrap_err().to_string();
        assert!(
            err.starts_with("theme t: line 1:") && !err.contains('\n'),
            "{err}"
        );
    }

    #[test]
    fn names_and_paths() {
        assert!(matches!(
            Theme::load_with("neon", false),
            Err(ThemeError::Unknown(_))
        ));
        assert!(matches!(
            Theme::load_with("/nonexistent/x.toml", false),
            Err(ThemeError::Read { .. })
        ));
    }
}
