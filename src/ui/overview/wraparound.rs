//! The Overview's distance to transaction-id and multixact wraparound.

use ratatui::text::Line;

use crate::diagnose::health::Thresholds;
use crate::diagnose::overview::{WraparoundFigures, XID_WRAP_LIMIT};
use crate::snapshot::Part;
use crate::ui::format;
use crate::ui::panel::{self, Figures};

/// Label column of the wraparound figures.
pub const LABEL: usize = 9;
/// From this inner width the oldest database line says so in full.
const ROOMY_LINE: usize = 44;

/// xid age and headroom, where the oldest database is, multixact age; with `gauge_limits`,
/// also a gauge of the xid space used with the warn and critical marks.
pub fn lines<'a>(
    part: &'a Part<WraparoundFigures>,
    fig: Figures,
    gauge_limits: Option<&Thresholds>,
) -> Vec<Line<'a>> {
    let w = match part {
        Ok(w) => w,
        Err(why) => return vec![Line::styled(why.as_str(), fig.theme.unknown)],
    };
    let level = w.xid_age.level;
    let xid = vec![
        fig.value(format::compact(w.xid_age.value as f64), level),
        fig.dim(format!(" ({} left)", format::percent(w.xid_headroom_pct))),
    ];
    let mut lines = vec![fig.line("xid age", xid, Some(level))];
    if let Some(limits) = gauge_limits {
        let limit = XID_WRAP_LIMIT as f64;
        let marks = (limits.xid_age.warn / limit, limits.xid_age.critical / limit);
        let cells = fig.width.saturating_sub(LABEL);
        let mut spans = vec![fig.dim(format!("{:<LABEL$}", "used"))];
        spans.extend(panel::gauge(
            w.xid_age.value as f64 / limit,
            marks,
            level,
            cells,
            fig.theme,
        ));
        lines.push(Line::from(spans));
    }
    let (lead, room) = if fig.width >= ROOMY_LINE {
        ("oldest database ", 16)
    } else {
        ("in ", 3)
    };
    let forced = format!(
        " · forced vacuum at {}",
        format::compact(w.freeze_max_age as f64)
    );
    let db_room = fig.width.saturating_sub(room + forced.len()).max(4);
    lines.push(Line::from(vec![
        fig.dim(lead),
        fig.plain(format::truncate(&w.oldest_database, db_room).into_owned()),
        fig.dim(forced),
    ]));
    lines.push(fig.figure(
        "mxid age",
        format::compact(w.mxid_age.value as f64),
        w.mxid_age.level,
    ));
    lines
}
