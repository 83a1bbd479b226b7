//! The Settings pane's state: the last two snapshots (checkpoints over the interval), the
//! judged view, the selection, the `/` filter and the detail view.

use std::time::Instant;

use crate::diagnose::settings::{self, Context, SettingCheck, SettingsView};
use crate::snapshot::settings::SettingsSnapshot;

/// The Settings pane.
#[derive(Debug, Clone, Default)]
pub struct SettingsState {
    pub latest: Option<SettingsSnapshot>,
    pub previous: Option<SettingsSnapshot>,
    pub view: Option<SettingsView>,
    /// Index of the selected setting among the visible (filtered) ones.
    pub selected: usize,
    /// `/`: settings whose name contains this (case-insensitive).
    pub filter: String,
    /// Enter: the selected setting has the whole pane.
    pub detail: bool,
    /// When the latest snapshot arrived (local clock).
    pub updated_at: Option<Instant>,
}

impl SettingsState {
    /// Takes a new snapshot and judges it.
    pub fn push(&mut self, snapshot: SettingsSnapshot, context: &Context, now: Instant) {
        self.previous = self.latest.take();
        self.latest = Some(snapshot);
        self.updated_at = Some(now);
        self.rebuild(context);
    }

    /// Judges the latest snapshot again (the Overview's figures it looks at changed).
    pub fn rebuild(&mut self, context: &Context) {
        if let Some(latest) = &self.latest {
            self.view = Some(settings::build(self.previous.as_ref(), latest, context));
        }
    }

    /// Forgets the snapshots (a reconnect: counters may have been reset).
    pub fn restart(&mut self) {
        self.previous = None;
    }

    /// The settings the filter lets through, in the pane's order.
    #[must_use]
    pub fn visible(&self) -> Vec<&SettingCheck> {
        let needle = self.filter.to_lowercase();
        self.view
            .as_ref()
            .and_then(|v| v.settings.as_ref().ok())
            .map(|all| {
                all.iter()
                    .filter(|s| needle.is_empty() || s.name.contains(needle.as_str()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The selected setting, if any is visible.
    #[must_use]
    pub fn selected_check(&self) -> Option<&SettingCheck> {
        let visible = self.visible();
        let last = visible.len().checked_sub(1)?;
        visible.get(self.selected.min(last)).copied()
    }

    pub fn move_selection(&mut self, delta: isize) {
        let last = self.visible().len().saturating_sub(1);
        self.selected = self
            .selected
            .min(last)
            .saturating_add_signed(delta)
            .min(last);
    }

    pub fn select_edge(&mut self, last: bool) {
        self.selected = if last {
            self.visible().len().saturating_sub(1)
        } else {
            0
        };
    }

    /// How many settings deserve attention.
    #[must_use]
    pub fn attention_count(&self) -> usize {
        self.view.as_ref().map_or(0, |v| v.attention().count())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::health::Thresholds;
    use crate::diagnose::settings::tests::server;
    use crate::snapshot::settings::{CheckpointCounters, SettingRow};

    fn snapshot(t: f64, requested: i64) -> SettingsSnapshot {
        let row = |name: &str, setting: &str| SettingRow {
            name: name.to_owned(),
            setting: setting.to_owned(),
            vartype: "integer".to_owned(),
            source: "default".to_owned(),
            ..SettingRow::default()
        };
        SettingsSnapshot {
            taken_at: t,
            settings: Ok(vec![
                row("work_mem", "4096"),
                row("max_connections", "100"),
                row("maintenance_work_mem", "65536"),
            ]),
            database: Ok(Vec::new()),
            files: Ok(Vec::new()),
            checkpoints: Ok(CheckpointCounters {
                timed: 5,
                requested,
                ..CheckpointCounters::default()
            }),
        }
    }

    #[test]
    fn the_filter_narrows_the_list_and_the_selection_follows() {
        let server = server();
        let limits = Thresholds::default();
        let context = Context {
            server: &server,
            connections: None,
            throughput: None,
            limits: &limits,
        };
        let mut state = SettingsState::default();
        state.push(snapshot(1.0, 0), &context, Instant::now());
        state.push(snapshot(11.0, 2), &context, Instant::now());
        let interval = state
            .view
            .as_ref()
            .and_then(|v| v.checkpoints.as_ref().ok())
            .and_then(|c| c.interval)
            .unwrap();
        assert_eq!(interval.requested, 2);
        assert_eq!(
            state.visible().len(),
            crate::diagnose::settings::SPECS.len(),
            "settings the server did not send are listed as hidden"
        );
        state.select_edge(true);
        state.filter = "WORK_MEM".to_owned();
        let names: Vec<&str> = state.visible().iter().map(|s| s.name).collect();
        assert_eq!(names, ["work_mem", "maintenance_work_mem"]);
        assert_eq!(
            state.selected_check().map(|s| s.name),
            Some("maintenance_work_mem"),
            "a selection past the end lands on the last visible row"
        );
        state.move_selection(-5);
        assert_eq!(state.selected_check().map(|s| s.name), Some("work_mem"));
        state.filter = "nothing".to_owned();
        assert_eq!(state.selected_check(), None);
    }
}
