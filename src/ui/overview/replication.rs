//! The Overview's replication: each standby's lag, or a standby's own.

use ratatui::text::Line;

use crate::diagnose::overview::Replication;
use crate::snapshot::Part;
use crate::ui::format;
use crate::ui::panel::Figures;

/// Label column of the replica lines.
pub const LABEL: usize = 11;
/// From this inner width a replica line also shows its state and client.
const ROOMY_LINE: usize = 44;

pub fn title(part: &Part<Replication>) -> &'static str {
    match part {
        Ok(r) if r.is_standby => " Replication · this server is a standby ",
        _ => " Replication ",
    }
}

/// The replicas, worst first, at most `room` lines (the last says how many more there are);
/// on a standby, its own replay lag.
pub fn lines<'a>(part: &'a Part<Replication>, fig: Figures, room: u16) -> Vec<Line<'a>> {
    let r = match part {
        Ok(r) => r,
        Err(why) => return vec![Line::styled(why.as_str(), fig.theme.unknown)],
    };
    if r.replicas.is_empty() {
        let what = if r.is_standby {
            "replay lag"
        } else {
            "standbys"
        };
        return vec![fig.line(what, vec![fig.dim("none")], Some(r.level))];
    }
    let mut replicas: Vec<_> = r.replicas.iter().collect();
    replicas.sort_by_key(|rep| std::cmp::Reverse(rep.level));
    let shown = replicas.len().min(usize::from(room.max(1)));
    let hidden = replicas.len() - shown;
    replicas
        .iter()
        .take(shown)
        .enumerate()
        .map(|(i, rep)| {
            let name = if r.is_standby {
                "replay lag"
            } else {
                rep.name.as_str()
            };
            let mut spans = vec![
                fig.value(format::age_opt(rep.lag_seconds), rep.level),
                fig.dim(" · "),
                fig.value(
                    rep.lag_bytes.map_or_else(|| "-".to_owned(), format::bytes),
                    rep.level,
                ),
            ];
            // The count of replicas not shown goes before state and client, which are cut first.
            if i + 1 == shown && hidden > 0 {
                let more = if fig.width >= ROOMY_LINE { " more" } else { "" };
                spans.push(fig.dim(format!(" +{hidden}{more}")));
            }
            if fig.width >= ROOMY_LINE {
                spans.push(fig.dim(format!("  {} {}", rep.state, rep.client)));
            }
            fig.line(
                &format::truncate(name, fig.label - 1),
                spans,
                Some(rep.level),
            )
        })
        .collect()
}
