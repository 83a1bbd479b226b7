//! Locks in words: what a lock is on ("public.orders", "row (0,5) of public.orders",
//! "transaction 761", "advisory lock 42"), and which lock a session waits for or holds.

use std::collections::HashMap;

use crate::snapshot::activity::{Lock, LockObject};

/// A lock as the blocking tree shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct LockRef {
    /// "AccessExclusiveLock", "ShareLock", …
    pub mode: String,
    /// What it is on, in words.
    pub object: String,
    pub granted: bool,
    /// Seconds waited so far (14+, waiting locks only).
    pub wait_secs: Option<f64>,
}

impl LockRef {
    fn new(lock: &Lock, relations: &HashMap<u32, String>) -> Self {
        Self {
            mode: lock.mode.clone(),
            object: describe(&lock.object, relations),
            granted: lock.granted,
            wait_secs: lock.wait_secs,
        }
    }
}

/// The locks of one snapshot, indexed for the tree.
#[derive(Debug)]
pub struct LockIndex<'a> {
    locks: &'a [Lock],
    relations: &'a HashMap<u32, String>,
}

impl<'a> LockIndex<'a> {
    #[must_use]
    pub fn new(locks: &'a [Lock], relations: &'a HashMap<u32, String>) -> Self {
        Self { locks, relations }
    }

    /// The lock `pid` waits for (a backend waits for at most one); `pid` 0 is never waiting.
    #[must_use]
    pub fn awaited(&self, pid: i32) -> Option<&'a Lock> {
        self.locks.iter().find(|l| !l.granted && l.pid == Some(pid))
    }

    /// What `blocker` holds (or queues for, ahead of the waiter) on the object `waiter` waits
    /// for: the reason it blocks. `blocker` 0 is a prepared transaction.
    #[must_use]
    pub fn blocking(&self, blocker: i32, waiter: i32) -> Option<LockRef> {
        let object = &self.awaited(waiter)?.object;
        let owner = (blocker != 0).then_some(blocker);
        self.locks
            .iter()
            .filter(|l| l.pid == owner && &l.object == object)
            // The granted lock explains more than a queued request of the same session.
            .max_by_key(|l| l.granted)
            .map(|l| LockRef::new(l, self.relations))
    }

    /// The awaited lock of `pid`, in words. A wait for a transaction is a row-lock wait when
    /// the waiter holds the row's tuple lock: the row and its table are named with it.
    #[must_use]
    pub fn awaited_ref(&self, pid: i32) -> Option<LockRef> {
        let lock = self.awaited(pid)?;
        let mut awaited = LockRef::new(lock, self.relations);
        if lock.object.locktype == "transactionid"
            && let Some(row) = self
                .locks
                .iter()
                .find(|l| l.granted && l.pid == Some(pid) && l.object.locktype == "tuple")
        {
            awaited.object = format!(
                "{} ({})",
                describe(&row.object, self.relations),
                awaited.object
            );
        }
        Some(awaited)
    }
}

/// What a lock is on, in words; relations by name when known.
#[must_use]
pub fn describe<S: std::hash::BuildHasher>(
    object: &LockObject,
    relations: &HashMap<u32, String, S>,
) -> String {
    let relation = || match object.relation {
        Some(oid) => relations
            .get(&oid)
            .cloned()
            .unwrap_or_else(|| format!("relation oid {oid}")),
        None => "?".to_owned(),
    };
    let opt = |v: Option<i64>| v.map_or_else(|| "?".to_owned(), |v| v.to_string());
    match object.locktype.as_str() {
        "relation" => relation(),
        "extend" => format!("extension of {}", relation()),
        "page" => format!("page {} of {}", opt(object.page.map(i64::from)), relation()),
        "tuple" => format!(
            "row ({},{}) of {}",
            opt(object.page.map(i64::from)),
            opt(object.tuple.map(i64::from)),
            relation()
        ),
        "transactionid" => format!("transaction {}", opt(object.transactionid)),
        "virtualxid" => format!(
            "virtual transaction {}",
            object.virtualxid.as_deref().unwrap_or("?")
        ),
        "advisory" => advisory(object),
        "object" => format!(
            "object {}/{}/{}",
            opt(object.classid.map(i64::from)),
            opt(object.objid.map(i64::from)),
            opt(object.objsubid.map(i64::from))
        ),
        other => other.to_owned(),
    }
}

/// pg_advisory_lock(bigint) stores the key's halves in classid/objid with objsubid 1;
/// pg_advisory_lock(int, int) stores both ints with objsubid 2.
fn advisory(object: &LockObject) -> String {
    let high = i64::from(object.classid.unwrap_or(0));
    let low = i64::from(object.objid.unwrap_or(0));
    match object.objsubid {
        Some(1) => format!("advisory lock {}", (high << 32) | low),
        _ => format!("advisory lock ({high}, {low})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(locktype: &str) -> LockObject {
        LockObject {
            locktype: locktype.to_owned(),
            database: Some(5),
            relation: Some(16_638),
            ..LockObject::default()
        }
    }

    #[test]
    fn objects_read_as_words() {
        let names = HashMap::from([(16_638, "public.watchlists".to_owned())]);
        assert_eq!(describe(&on("relation"), &names), "public.watchlists");
        assert_eq!(
            describe(&on("relation"), &HashMap::new()),
            "relation oid 16638"
        );
        let tuple = LockObject {
            page: Some(0),
            tuple: Some(5),
            ..on("tuple")
        };
        assert_eq!(describe(&tuple, &names), "row (0,5) of public.watchlists");
        let xid = LockObject {
            locktype: "transactionid".to_owned(),
            transactionid: Some(761),
            ..LockObject::default()
        };
        assert_eq!(describe(&xid, &names), "transaction 761");
        let advisory = LockObject {
            locktype: "advisory".to_owned(),
            classid: Some(1),
            objid: Some(2),
            objsubid: Some(1),
            ..LockObject::default()
        };
        assert_eq!(describe(&advisory, &names), "advisory lock 4294967298");
        let pair = LockObject {
            objsubid: Some(2),
            ..advisory
        };
        assert_eq!(describe(&pair, &names), "advisory lock (1, 2)");
    }

    #[test]
    fn a_blocker_is_explained_by_its_lock_on_the_awaited_object() {
        let table = on("relation");
        let lock = |pid: Option<i32>, mode: &str, granted: bool| Lock {
            pid,
            mode: mode.to_owned(),
            granted,
            object: table.clone(),
            ..Lock::default()
        };
        let locks = vec![
            lock(Some(10), "RowExclusiveLock", true),
            lock(Some(11), "AccessExclusiveLock", false),
            lock(Some(12), "AccessShareLock", false),
            lock(None, "ShareLock", true),
        ];
        let names = HashMap::new();
        let index = LockIndex::new(&locks, &names);
        assert_eq!(
            index.awaited(11).map(|l| l.mode.as_str()),
            Some("AccessExclusiveLock")
        );
        assert!(index.awaited(10).is_none());
        let why = index.blocking(10, 11).unwrap();
        assert_eq!((why.mode.as_str(), why.granted), ("RowExclusiveLock", true));
        let queued = index.blocking(11, 12).unwrap();
        assert_eq!(
            (queued.mode.as_str(), queued.granted),
            ("AccessExclusiveLock", false),
            "a waiter queued ahead blocks by its request"
        );
        let prepared = index.blocking(0, 11).unwrap();
        assert_eq!(prepared.mode, "ShareLock");
    }

    #[test]
    fn a_row_lock_wait_names_the_row_and_its_table() {
        let xid = LockObject {
            locktype: "transactionid".to_owned(),
            transactionid: Some(1409),
            ..LockObject::default()
        };
        let row = LockObject {
            page: Some(0),
            tuple: Some(1),
            ..on("tuple")
        };
        let locks = vec![
            Lock {
                pid: Some(1069),
                mode: "ExclusiveLock".to_owned(),
                granted: true,
                object: xid.clone(),
                ..Lock::default()
            },
            Lock {
                pid: Some(1073),
                mode: "ShareLock".to_owned(),
                granted: false,
                object: xid,
                ..Lock::default()
            },
            Lock {
                pid: Some(1073),
                mode: "ExclusiveLock".to_owned(),
                granted: true,
                object: row,
                ..Lock::default()
            },
        ];
        let names = HashMap::from([(16_638, "public.qa_t".to_owned())]);
        let index = LockIndex::new(&locks, &names);
        let awaited = index.awaited_ref(1073).unwrap();
        assert_eq!(
            (awaited.mode.as_str(), awaited.object.as_str()),
            ("ShareLock", "row (0,1) of public.qa_t (transaction 1409)")
        );
        assert_eq!(
            index.blocking(1069, 1073).unwrap().object,
            "transaction 1409"
        );
    }
}
