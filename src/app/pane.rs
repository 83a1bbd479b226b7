//! The panes, in tab order. A pane joins this enum when it lands; its number key is fixed by
//! DESIGN.md (1 Overview … 8 Settings), so the keys never move as panes arrive.

/// A pane of the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Pane {
    #[default]
    Overview,
    Queries,
    Activity,
    Indexes,
    Bloat,
    Explain,
    Jobs,
    Settings,
}

impl Pane {
    /// Every pane that exists, in tab order.
    pub const ALL: &'static [Pane] = &[
        Pane::Overview,
        Pane::Queries,
        Pane::Activity,
        Pane::Indexes,
        Pane::Bloat,
        Pane::Explain,
        Pane::Jobs,
        Pane::Settings,
    ];

    /// The number key that selects the pane (DESIGN.md order).
    #[must_use]
    pub fn key(self) -> char {
        match self {
            Pane::Overview => '1',
            Pane::Queries => '2',
            Pane::Activity => '3',
            Pane::Indexes => '4',
            Pane::Bloat => '5',
            Pane::Explain => '6',
            Pane::Jobs => '7',
            Pane::Settings => '8',
        }
    }

    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Pane::Overview => "Overview",
            Pane::Queries => "Queries",
            Pane::Activity => "Activity",
            Pane::Indexes => "Indexes",
            Pane::Bloat => "Bloat",
            Pane::Explain => "Explain",
            Pane::Jobs => "Jobs",
            Pane::Settings => "Settings",
        }
    }

    /// The pane whose number key is `key`, if it exists in this build.
    #[must_use]
    pub fn from_key(key: char) -> Option<Pane> {
        Self::ALL.iter().copied().find(|p| p.key() == key)
    }

    /// The tab label in full: ` 2 Queries `.
    #[must_use]
    pub fn label(self) -> String {
        format!(" {} {} ", self.key(), self.title())
    }

    /// The tab labels as drawn in a tab bar `width` columns wide with `active` in sight: in
    /// full when they all fit, else only the active one in full and the others by number.
    #[must_use]
    pub fn labels(width: u16, active: Pane) -> Vec<(Pane, String)> {
        let full: Vec<(Pane, String)> = Self::ALL.iter().map(|p| (*p, p.label())).collect();
        let needed: usize = full.iter().map(|(_, l)| l.chars().count() + 1).sum();
        if needed <= usize::from(width) {
            return full;
        }
        full.into_iter()
            .map(|(p, label)| {
                if p == active {
                    (p, label)
                } else {
                    (p, format!(" {} ", p.key()))
                }
            })
            .collect()
    }

    /// The pane whose tab covers column `x` of the tab bar as [`Pane::labels`] lays it out
    /// (tabs drawn left to right, one column apart).
    #[must_use]
    pub fn at_column(x: u16, width: u16, active: Pane) -> Option<Pane> {
        let mut start = 0u16;
        for (pane, label) in Self::labels(width, active) {
            let label_width = label.chars().count() as u16;
            if (start..start + label_width).contains(&x) {
                return Some(pane);
            }
            start += label_width + 1;
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
