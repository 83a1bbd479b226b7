//! The blocking tree from pg_blocking_pids: root blockers first, the sessions waiting on each
//! under it, with the locks involved and how long they have waited.
//!
//! A waiter may be blocked by several sessions (the holder, and others queued ahead of it in a
//! conflicting mode). It is drawn once, under the blocker nearest a root (breadth first), and
//! lists the others: a queue of fifty row updates stays two levels deep instead of fifty.
//! A cycle (a deadlock the detector has not broken yet) has no root: its lowest pid is drawn
//! as one, flagged.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use crate::diagnose::activity::locks::{LockIndex, LockRef};
use crate::diagnose::activity::state_age;
use crate::diagnose::health::{Level, Thresholds};
use crate::snapshot::activity::{ActivitySnapshot, Session, SessionState};

/// pg_blocking_pids names a prepared transaction as pid 0.
pub const PREPARED_PID: i32 = 0;

/// One row of the tree.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BlockNode {
    /// The backend; [`PREPARED_PID`] for a prepared transaction.
    pub pid: i32,
    /// 0 for a root blocker.
    pub depth: usize,
    /// The blocker it is drawn under (`None` for a root).
    pub parent: Option<i32>,
    /// Its other blockers.
    pub also_blocked_by: Vec<i32>,
    /// Sessions waiting under it, directly or not.
    pub blocked_count: usize,
    /// The lock it waits for.
    pub waits: Option<LockRef>,
    /// What it holds (or queues for) that its first waiter waits for.
    pub holds: Option<LockRef>,
    /// Seconds waited (pg_locks.waitstart on 14+, else the time in its current query).
    pub wait_secs: Option<f64>,
    pub state: SessionState,
    pub application: String,
    pub user: Option<String>,
    pub query: String,
    pub xact_secs: Option<f64>,
    /// Seconds in its current state (idle in transaction for so long, …).
    pub state_secs: Option<f64>,
    /// pg_stat_activity no longer lists it (or never did: a prepared transaction).
    pub gone: bool,
    /// A root that sits idle in a transaction: the application forgot to commit.
    pub idle_in_transaction_root: bool,
    /// Part of a wait cycle (a deadlock not yet broken).
    pub in_cycle: bool,
    /// Roots: the longest wait under them, judged; waiters: their own wait.
    pub level: Level,
}

/// The whole forest, flattened in drawing order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BlockingTree {
    pub rows: Vec<BlockNode>,
}

impl BlockingTree {
    /// The root blockers, in drawing order.
    pub fn roots(&self) -> impl Iterator<Item = &BlockNode> {
        self.rows.iter().filter(|r| r.depth == 0)
    }

    /// The root of the subtree row `index` belongs to.
    #[must_use]
    pub fn root_of(&self, index: usize) -> Option<&BlockNode> {
        self.rows.get(..=index)?.iter().rev().find(|r| r.depth == 0)
    }

    /// Sessions waiting for a lock.
    #[must_use]
    pub fn waiting(&self) -> usize {
        self.rows.iter().filter(|r| r.depth > 0).count()
    }
}

/// Builds the tree of one snapshot.
#[must_use]
pub fn tree(snapshot: &ActivitySnapshot, thresholds: &Thresholds) -> BlockingTree {
    let sessions: HashMap<i32, &Session> = snapshot.sessions.iter().map(|s| (s.pid, s)).collect();
    let waiters: BTreeMap<i32, &[i32]> = snapshot
        .sessions
        .iter()
        .filter(|s| !s.blocked_by.is_empty())
        .map(|s| (s.pid, s.blocked_by.as_slice()))
        .collect();
    let shape = Shape::of(&waiters);
    let no_locks = Vec::new();
    let locks = LockIndex::new(
        snapshot.locks.as_ref().unwrap_or(&no_locks),
        &snapshot.relations,
    );
    let mut rows = Vec::new();
    let mut roots = shape.roots.clone();
    let count = |pid: &i32| shape.count(*pid);
    let longest = |pid: &i32| shape.longest_wait(*pid, &sessions, &locks);
    roots.sort_by(|a, b| {
        count(b)
            .cmp(&count(a))
            .then_with(|| longest(b).total_cmp(&longest(a)))
            .then(a.cmp(b))
    });
    for root in roots {
        shape.flatten(root, 0, &mut rows, &|pid, depth| {
            node(pid, depth, &shape, &sessions, &locks, thresholds)
        });
    }
    BlockingTree { rows }
}

/// The forest's structure: who is drawn under whom.
struct Shape<'a> {
    waiters: &'a BTreeMap<i32, &'a [i32]>,
    roots: Vec<i32>,
    parent: HashMap<i32, i32>,
    children: BTreeMap<i32, Vec<i32>>,
    cycle_roots: BTreeSet<i32>,
}

impl<'a> Shape<'a> {
    fn of(waiters: &'a BTreeMap<i32, &'a [i32]>) -> Self {
        let mut nodes: BTreeSet<i32> = waiters.keys().copied().collect();
        let mut blocks: BTreeMap<i32, Vec<i32>> = BTreeMap::new();
        for (&waiter, blockers) in waiters {
            for &blocker in *blockers {
                nodes.insert(blocker);
                blocks.entry(blocker).or_default().push(waiter);
            }
        }
        let roots: Vec<i32> = nodes
            .iter()
            .copied()
            .filter(|p| !waiters.contains_key(p))
            .collect();
        let mut shape = Shape {
            waiters,
            roots: Vec::new(),
            parent: HashMap::new(),
            children: BTreeMap::new(),
            cycle_roots: BTreeSet::new(),
        };
        let mut depth: HashMap<i32, usize> = HashMap::new();
        for root in roots {
            shape.grow(root, &blocks, &mut depth);
        }
        // What no root reaches waits in a cycle, or behind one: the cycle's lowest pid
        // stands in for its root.
        while let Some(&start) = nodes.iter().find(|p| !depth.contains_key(p)) {
            let root = on_cycle(start, waiters);
            shape.cycle_roots.insert(root);
            shape.grow(root, &blocks, &mut depth);
        }
        shape
    }

    /// Breadth first from `root`: each session joins the tree under the first blocker that
    /// reaches it, the one nearest a root (among equals, the lowest pid, as blockers are
    /// visited in pid order).
    fn grow(
        &mut self,
        root: i32,
        blocks: &BTreeMap<i32, Vec<i32>>,
        depth: &mut HashMap<i32, usize>,
    ) {
        self.roots.push(root);
        depth.insert(root, 0);
        let mut queue = VecDeque::from([root]);
        while let Some(blocker) = queue.pop_front() {
            let level = depth[&blocker];
            for &waiter in blocks.get(&blocker).into_iter().flatten() {
                if depth.contains_key(&waiter) {
                    continue;
                }
                depth.insert(waiter, level + 1);
                self.parent.insert(waiter, blocker);
                self.children.entry(blocker).or_default().push(waiter);
                queue.push_back(waiter);
            }
        }
    }

    fn children(&self, pid: i32) -> &[i32] {
        self.children.get(&pid).map_or(&[], Vec::as_slice)
    }

    /// Sessions under `pid`, directly or not.
    fn count(&self, pid: i32) -> usize {
        self.children(pid).iter().map(|c| 1 + self.count(*c)).sum()
    }

    /// The longest wait under (and including) `pid`, in seconds.
    fn longest_wait(&self, pid: i32, sessions: &HashMap<i32, &Session>, locks: &LockIndex) -> f64 {
        let own = wait_secs(pid, sessions, locks).unwrap_or(0.0);
        self.children(pid)
            .iter()
            .map(|c| self.longest_wait(*c, sessions, locks))
            .fold(own, f64::max)
    }

    fn flatten(
        &self,
        pid: i32,
        depth: usize,
        rows: &mut Vec<BlockNode>,
        node: &dyn Fn(i32, usize) -> BlockNode,
    ) {
        rows.push(node(pid, depth));
        let mut children: Vec<(i32, BlockNode)> = self
            .children(pid)
            .iter()
            .map(|c| (*c, node(*c, depth + 1)))
            .collect();
        children.sort_by(|(a, na), (b, nb)| {
            let wait = |n: &BlockNode| n.wait_secs.unwrap_or(0.0);
            wait(nb).total_cmp(&wait(na)).then(a.cmp(b))
        });
        for (child, _) in children {
            self.flatten(child, depth + 1, rows, node);
        }
    }
}

/// The lowest pid of the cycle reached by following blockers from `start`. Every session no
/// root reaches waits, and so do all its blockers (a reached blocker would have reached it):
/// the walk must come back on itself.
fn on_cycle(start: i32, waiters: &BTreeMap<i32, &[i32]>) -> i32 {
    let mut path: Vec<i32> = Vec::new();
    let mut pid = start;
    loop {
        if let Some(at) = path.iter().position(|p| *p == pid) {
            return path[at..].iter().copied().min().unwrap_or(pid);
        }
        path.push(pid);
        match waiters.get(&pid).and_then(|b| b.first()) {
            Some(next) => pid = *next,
            None => return pid,
        }
    }
}

/// How long `pid` has waited: since its lock wait began (14+), else its current query's age.
fn wait_secs(pid: i32, sessions: &HashMap<i32, &Session>, locks: &LockIndex) -> Option<f64> {
    let session = sessions.get(&pid)?;
    if session.blocked_by.is_empty() {
        return None;
    }
    locks
        .awaited(pid)
        .and_then(|l| l.wait_secs)
        .or_else(|| state_age(session))
}

fn node(
    pid: i32,
    depth: usize,
    shape: &Shape,
    sessions: &HashMap<i32, &Session>,
    locks: &LockIndex,
    thresholds: &Thresholds,
) -> BlockNode {
    let session = sessions.get(&pid).copied();
    let parent = shape.parent.get(&pid).copied();
    let blockers = shape.waiters.get(&pid).copied().unwrap_or(&[]);
    let wait = wait_secs(pid, sessions, locks);
    let is_root = depth == 0;
    let state = session.map(|s| s.state.clone()).unwrap_or_default();
    let idle_root = is_root && state.is_idle_in_transaction();
    let level = if is_root {
        let longest = shape.longest_wait(pid, sessions, locks);
        let judged = thresholds.lock_wait_secs.judge(longest);
        if idle_root {
            judged.max(Level::Warn)
        } else {
            judged
        }
    } else {
        thresholds.lock_wait_secs.judge_opt(wait)
    };
    BlockNode {
        pid,
        depth,
        parent,
        also_blocked_by: blockers
            .iter()
            .copied()
            .filter(|b| Some(*b) != parent)
            .collect(),
        blocked_count: shape.count(pid),
        waits: locks.awaited_ref(pid),
        holds: shape
            .children(pid)
            .first()
            .and_then(|child| locks.blocking(pid, *child)),
        wait_secs: wait,
        application: session.map(|s| s.application.clone()).unwrap_or_default(),
        user: session.and_then(|s| s.user.clone()),
        query: session.map(|s| s.query.clone()).unwrap_or_default(),
        xact_secs: session.and_then(|s| s.xact_secs),
        state_secs: session.and_then(state_age),
        gone: session.is_none(),
        idle_in_transaction_root: idle_root,
        in_cycle: shape.cycle_roots.contains(&pid),
        state,
        level,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::activity::fixture::{client, idle_in_transaction, waiting};
    use crate::snapshot::activity::{Lock, LockObject};

    fn snapshot(sessions: Vec<Session>) -> ActivitySnapshot {
        ActivitySnapshot {
            sessions,
            ..ActivitySnapshot::default()
        }
    }

    fn shape(tree: &BlockingTree) -> Vec<(usize, i32)> {
        tree.rows.iter().map(|r| (r.depth, r.pid)).collect()
    }

    #[test]
    fn a_three_level_chain_under_its_idle_in_transaction_root() {
        let sessions = vec![
            client(1, "api", SessionState::Idle),
            waiting(30, "api", &[20], 5.0),
            idle_in_transaction(10, "backoffice", 60.0),
            waiting(20, "migrate", &[10], 40.0),
        ];
        let t = tree(&snapshot(sessions), &Thresholds::default());
        assert_eq!(shape(&t), vec![(0, 10), (1, 20), (2, 30)]);
        let root = &t.rows[0];
        assert!(root.idle_in_transaction_root);
        assert_eq!(root.blocked_count, 2);
        assert_eq!(root.level, Level::Critical, "a 40 s wait under it");
        assert_eq!(t.rows[1].parent, Some(10));
        assert_eq!(t.rows[2].parent, Some(20));
        assert_eq!(t.waiting(), 2);
        assert_eq!(t.root_of(2).map(|r| r.pid), Some(10));
    }

    #[test]
    fn a_queue_stays_shallow_and_names_the_other_blockers() {
        // 11 waits for 10's row; 12 and 13 queue behind both (tuple lock queue).
        let sessions = vec![
            client(10, "api", SessionState::Active),
            waiting(11, "api", &[10], 3.0),
            waiting(12, "api", &[10, 11], 2.0),
            waiting(13, "api", &[11, 12], 1.0),
        ];
        let t = tree(&snapshot(sessions), &Thresholds::default());
        assert_eq!(shape(&t), vec![(0, 10), (1, 11), (2, 13), (1, 12)]);
        assert_eq!(t.rows[3].also_blocked_by, vec![11]);
        assert_eq!(t.rows[2].parent, Some(11));
        assert_eq!(t.rows[2].also_blocked_by, vec![12]);
        assert_eq!(t.rows[0].blocked_count, 3);
    }

    #[test]
    fn roots_with_more_waiters_come_first_and_cycles_get_a_root() {
        let sessions = vec![
            client(5, "a", SessionState::Active),
            waiting(6, "a", &[5], 1.0),
            client(7, "b", SessionState::Active),
            waiting(8, "b", &[7], 1.0),
            waiting(9, "b", &[7], 1.0),
            waiting(3, "c", &[41], 1.0),
            waiting(40, "c", &[41], 1.0),
            waiting(41, "c", &[40], 1.0),
        ];
        let t = tree(&snapshot(sessions), &Thresholds::default());
        assert_eq!(
            shape(&t),
            vec![
                (0, 7),
                (1, 8),
                (1, 9),
                (0, 40),
                (1, 41),
                (2, 3),
                (0, 5),
                (1, 6)
            ]
        );
        let cycle = &t.rows[3];
        assert!(cycle.in_cycle);
        assert_eq!(cycle.also_blocked_by, vec![41]);
    }

    #[test]
    fn a_prepared_transaction_and_vanished_sessions_are_roots_too() {
        let sessions = vec![waiting(20, "api", &[PREPARED_PID], 2.0)];
        let mut snap = snapshot(sessions);
        let object = LockObject {
            locktype: "transactionid".to_owned(),
            transactionid: Some(900),
            ..LockObject::default()
        };
        snap.locks = Ok(vec![
            Lock {
                pid: None,
                mode: "ExclusiveLock".to_owned(),
                granted: true,
                object: object.clone(),
                ..Lock::default()
            },
            Lock {
                pid: Some(20),
                mode: "ShareLock".to_owned(),
                granted: false,
                wait_secs: Some(2.5),
                object,
                ..Lock::default()
            },
        ]);
        let t = tree(&snap, &Thresholds::default());
        assert_eq!(shape(&t), vec![(0, PREPARED_PID), (1, 20)]);
        assert!(t.rows[0].gone);
        let holds = t.rows[0].holds.as_ref().unwrap();
        assert_eq!(
            (holds.mode.as_str(), holds.object.as_str()),
            ("ExclusiveLock", "transaction 900")
        );
        let waits = t.rows[1].waits.as_ref().unwrap();
        assert_eq!(waits.mode, "ShareLock");
        assert_eq!(
            t.rows[1].wait_secs,
            Some(2.5),
            "waitstart wins over the query's age"
        );
        assert!(
            tree(&snapshot(Vec::new()), &Thresholds::default())
                .rows
                .is_empty()
        );
    }
}
