//! The Settings pane's findings: each setting that deserves attention, as the pane judged it.

use crate::diagnose::health::Thresholds;
use crate::diagnose::settings::{Attention, SettingCheck, SettingsView};
use crate::report::{Finding, Kind};

/// One `setting` finding per setting that deserves attention.
#[must_use]
pub fn findings(view: &SettingsView, _limits: &Thresholds) -> Vec<Finding> {
    view.attention().map(|(s, a)| finding(s, a)).collect()
}

/// What the Settings pane could not see.
#[must_use]
pub fn not_checked(view: &SettingsView) -> Vec<String> {
    let mut out = Vec::new();
    if let Err(why) = &view.settings {
        out.push(format!("settings: {why}"));
    }
    match &view.checkpoints {
        Err(why) => out.push(format!("checkpoints: {why}")),
        Ok(c) if c.is_standby => out.push(
            "checkpoint advice: a standby's restartpoints follow the primary's checkpoints; \
             judge max_wal_size on the primary"
                .to_owned(),
        ),
        Ok(_) => {}
    }
    let hidden: Vec<&str> = view
        .settings
        .iter()
        .flatten()
        .filter(|s| s.value.is_none())
        .map(|s| s.name)
        .collect();
    if !hidden.is_empty() {
        out.push(format!(
            "settings hidden from this role: {} (superuser, or pg_read_all_settings for most \
             of them)",
            hidden.join(", ")
        ));
    }
    out
}

fn finding(setting: &SettingCheck, attention: &Attention) -> Finding {
    let summary = format!(
        "{} = {}: {}",
        setting.name,
        setting.shown(),
        attention.reason
    );
    let mut finding = Finding::new(Kind::Setting, attention.severity, summary)
        .with("setting", setting.name)
        .with("value", setting.shown())
        .with("source", setting.source.detail())
        .with("pending_restart", setting.pending_restart);
    finding.sql.clone_from(&attention.sql);
    for (key, value) in &attention.evidence {
        finding = finding.with(key, value.clone());
    }
    finding
}
