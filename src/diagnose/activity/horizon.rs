//! Who holds back the xmin horizon — the reasons VACUUM cannot remove dead rows: sessions
//! with an old snapshot or an old transaction id (idle in transaction ones above all),
//! replication slots' xmin and catalog_xmin, and prepared transactions.

use crate::diagnose::health::{Level, Thresholds};
use crate::snapshot::activity::{ActivitySnapshot, SessionState};

/// At most this many holders are listed (the oldest).
pub const HOLDERS: usize = 10;

/// What holds the horizon.
#[derive(Debug, Clone, PartialEq)]
pub enum HorizonKind {
    Session {
        pid: i32,
        state: SessionState,
        application: String,
        user: Option<String>,
        /// Seconds its transaction has been open.
        xact_secs: Option<f64>,
        /// Seconds in its current state.
        state_secs: Option<f64>,
        /// "walsender", "autovacuum", … for other backends.
        kind: Option<String>,
    },
    Slot {
        name: String,
        slot_type: String,
        active: bool,
        /// catalog_xmin (logical decoding) rather than xmin (hot_standby_feedback).
        catalog: bool,
    },
    Prepared {
        gid: String,
        owner: String,
        prepared_secs: f64,
    },
}

/// One holder of the horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct HorizonHolder {
    pub kind: HorizonKind,
    /// The transaction id it holds the horizon at.
    pub xid: i64,
    /// Transactions since then.
    pub age: i32,
    pub level: Level,
}

/// The oldest holders, oldest first (the first one is where the horizon is). Among holders at
/// the same transaction id, the one whose own transaction it is (a session's `backend_xid`, a
/// prepared transaction) comes first: the snapshots of the others only see it running, and
/// they stop holding the horizon once it ends, not before.
#[must_use]
pub fn holders(snapshot: &ActivitySnapshot, thresholds: &Thresholds) -> Vec<HorizonHolder> {
    // Each holder with whether the id it holds is its own transaction's.
    let mut out: Vec<(HorizonHolder, bool)> = Vec::new();
    for s in snapshot.sessions.iter().filter(|s| !s.is_self) {
        // The older of its own xid and its snapshot's xmin.
        let held = [(s.backend_xid, s.xid_age), (s.backend_xmin, s.xmin_age)]
            .into_iter()
            .filter_map(|(xid, age)| Some((xid?, age?)))
            .max_by_key(|(_, age)| *age);
        let Some((xid, age)) = held else { continue };
        let level = if s.state.is_idle_in_transaction() {
            thresholds.idle_in_transaction_secs.judge_opt(s.state_secs)
        } else {
            thresholds.transaction_age_secs.judge_opt(s.xact_secs)
        };
        let owns = s.backend_xid == Some(xid);
        out.push((
            HorizonHolder {
                kind: HorizonKind::Session {
                    pid: s.pid,
                    state: s.state.clone(),
                    application: s.application.clone(),
                    user: s.user.clone(),
                    xact_secs: s.xact_secs,
                    state_secs: crate::diagnose::activity::state_age(s),
                    kind: crate::diagnose::activity::kind_label(s),
                },
                xid,
                age,
                level,
            },
            owns,
        ));
    }
    for slot in snapshot.slots.iter().flatten() {
        for (xid, age, catalog) in [
            (slot.xmin, slot.xmin_age, false),
            (slot.catalog_xmin, slot.catalog_xmin_age, true),
        ] {
            let (Some(xid), Some(age)) = (xid, age) else {
                continue;
            };
            out.push((
                HorizonHolder {
                    kind: HorizonKind::Slot {
                        name: slot.name.clone(),
                        slot_type: slot.slot_type.clone(),
                        active: slot.active,
                        catalog,
                    },
                    xid,
                    age,
                    // Nobody reads from an inactive slot: it holds the horizon until dropped.
                    level: if slot.active { Level::Ok } else { Level::Warn },
                },
                false,
            ));
        }
    }
    for p in snapshot.prepared.iter().flatten() {
        out.push((
            HorizonHolder {
                kind: HorizonKind::Prepared {
                    gid: p.gid.clone(),
                    owner: p.owner.clone(),
                    prepared_secs: p.prepared_secs,
                },
                xid: p.xid,
                age: p.xid_age,
                level: thresholds.transaction_age_secs.judge(p.prepared_secs),
            },
            true,
        ));
    }
    out.sort_by_key(|(h, owns)| (std::cmp::Reverse(h.age), !owns));
    out.truncate(HOLDERS);
    out.into_iter().map(|(h, _)| h).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::activity::fixture::{client, idle_in_transaction};
    use crate::snapshot::activity::{PreparedXact, SlotHorizon};

    #[test]
    fn the_oldest_holders_come_first_whatever_they_are() {
        let mut reader = client(1, "reporting", SessionState::Active);
        reader.backend_xmin = Some(700);
        reader.xmin_age = Some(50);
        reader.xact_secs = Some(2.0);
        let mut writer = idle_in_transaction(2, "risk", 400.0);
        writer.backend_xid = Some(650);
        writer.xid_age = Some(100);
        let mut own = client(3, "pgmedic", SessionState::Active);
        own.backend_xmin = Some(600);
        own.xmin_age = Some(150);
        own.is_self = true;
        let snapshot = ActivitySnapshot {
            sessions: vec![reader, writer, own, client(4, "api", SessionState::Idle)],
            slots: Ok(vec![SlotHorizon {
                name: "cdc".to_owned(),
                slot_type: "logical".to_owned(),
                active: false,
                catalog_xmin: Some(500),
                catalog_xmin_age: Some(250),
                ..SlotHorizon::default()
            }]),
            prepared: Ok(vec![PreparedXact {
                gid: "tx-1".to_owned(),
                owner: "app".to_owned(),
                database: "shop".to_owned(),
                xid: 640,
                xid_age: 110,
                prepared_secs: 3600.0,
            }]),
            ..ActivitySnapshot::default()
        };
        let holders = holders(&snapshot, &Thresholds::default());
        let ages: Vec<i32> = holders.iter().map(|h| h.age).collect();
        assert_eq!(
            ages,
            vec![250, 110, 100, 50],
            "the console's own session is left out"
        );
        assert!(matches!(
            &holders[0].kind,
            HorizonKind::Slot {
                catalog: true,
                active: false,
                ..
            }
        ));
        assert_eq!(holders[0].level, Level::Warn);
        assert_eq!(holders[1].level, Level::Critical, "prepared an hour ago");
        assert!(matches!(
            &holders[2].kind,
            HorizonKind::Session { pid: 2, .. }
        ));
        assert_eq!(
            holders[2].level,
            Level::Critical,
            "idle in transaction for 400 s"
        );
        assert_eq!(holders[3].level, Level::Ok);
    }

    #[test]
    fn the_owner_of_the_xid_comes_before_the_snapshots_that_wait_on_it() {
        // The reporting session's snapshot and a long query both have xmin 738 because the
        // backoffice session's transaction 738 is still open: ending reporting frees nothing.
        let mut reporting = idle_in_transaction(32_385, "reporting", 6.0);
        reporting.backend_xmin = Some(738);
        reporting.xmin_age = Some(779);
        let mut sleeper = client(1078, "qa_sleep", SessionState::Active);
        sleeper.backend_xmin = Some(738);
        sleeper.xmin_age = Some(779);
        let mut backoffice = idle_in_transaction(32_386, "backoffice", 78.0);
        backoffice.backend_xid = Some(738);
        backoffice.xid_age = Some(779);
        let snapshot = ActivitySnapshot {
            sessions: vec![sleeper, reporting, backoffice],
            ..ActivitySnapshot::default()
        };
        let pids: Vec<i32> = holders(&snapshot, &Thresholds::default())
            .iter()
            .filter_map(|h| match h.kind {
                HorizonKind::Session { pid, .. } => Some(pid),
                _ => None,
            })
            .collect();
        assert_eq!(pids, [32_386, 1078, 32_385]);
    }
}
