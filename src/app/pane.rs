//! The panes, in tab order. A pane joins this enum when it lands; its number key is fixed by
//! DESIGN.md (1 Overview … 8 Settings), so the keys never move as panes arrive.

/// A pane of the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Pane {
    #[default]
    Overview,
    Queries,
    Jobs,
    Settings,
}

impl Pane {
    /// Every pane that exists, in tab order.
    pub const ALL: &'static [Pane] = &[Pane::Overview, Pane::Queries, Pane::Jobs, Pane::Settings];

    /// The number key that selects the pane (DESIGN.md order).
    #[must_use]
    pub fn key(self) -> char {
        match self {
            Pane::Overview => '1',
            Pane::Queries => '2',
            Pane::Jobs => '7',
            Pane::Settings => '8',
        }
    }

    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Pane::Overview => "Overview",
            Pane::Queries => "Queries",
            Pane::Jobs => "Jobs",
            Pane::Settings => "Settings",
        }
    }

    /// The pane whose number key is `key`, if it exists in this build.
    #[must_use]
    pub fn from_key(key: char) -> Option<Pane> {
        Self::ALL.iter().copied().find(|p| p.key() == key)
    }

    /// The tab label as drawn in the tab bar.
    #[must_use]
    pub fn label(self) -> String {
        format!(" {} {} ", self.key(), self.title())
    }

    /// The pane whose tab covers column `x` of the tab bar (tabs drawn left to right, one
    /// column apart).
    #[must_use]
    pub fn at_column(x: u16) -> Option<Pane> {
        let mut start = 0u16;
        for pane in Self::ALL {
            let width = pane.label().chars().count() as u16;
            if (start..start + width).contains(&x) {
                return Some(*pane);
            }
            start += width + 1;
        }
        None
    }

    #[must_use]
    pub fn next(self) -> Pane {
        let i = Self::ALL.iter().position(|p| *p == self).unwrap_or(0);
        Self::ALL[(i + 1) % Self::ALL.len()]
    }

    #[must_use]
    pub fn prev(self) -> Pane {
        let i = Self::ALL.iter().position(|p| *p == self).unwrap_or(0);
        Self::ALL[(i + Self::ALL.len() - 1) % Self::ALL.len()]
    }
}
