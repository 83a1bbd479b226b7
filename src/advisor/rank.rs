//! Verdicts on verified candidates: which candidate serves a statement best, which two
//! suggestions one index can replace, and how much time a suggestion saves per hour once the
//! writes it slows down are weighed. Pure.

use super::candidates::{Candidate, Key, MAX_INCLUDE};

/// A candidate is kept only when it cuts the statement's plan cost by at least this share.
pub const MIN_COST_REDUCTION: f64 = 0.30;
/// A wider candidate (more keys or INCLUDE columns) is preferred only when the share of the
/// cost it leaves is this much smaller than what a narrower one leaves.
pub const WIDER_MARGIN: f64 = 0.20;
/// A merged index may cut a statement's cost by this much less than its own best did.
pub const MERGE_TOLERANCE: f64 = 0.10;
/// What one written row costs each btree index on its table, in milliseconds (an index
/// insertion with its WAL, a few microseconds, and its share of vacuuming), charged against a
/// suggestion's savings.
pub const WRITE_COST_MS: f64 = 0.005;

/// A statement that already reaches a table through an index and takes less than this per
/// call is well served there: no index is suggested for it on that table (a fraction of a
/// millisecond is all it could gain, while the index costs every write).
pub const WELL_SERVED_MS: f64 = 1.0;
/// A covering (INCLUDE) index larger than this share of its table is refused: an index-only
/// scan of it reads about as much as the table, for the price of a second copy of the rows.
pub const MAX_COVERING_SIZE: f64 = 0.5;
/// PostgreSQL's page size, for the table's size from its pages.
const PAGE_BYTES: f64 = 8192.0;

/// Whether a statement is already well served on a table: it reads the table through an index
/// (not whole) and a call takes under [`WELL_SERVED_MS`].
#[must_use]
pub fn well_served(mean_ms: f64, reads_table_whole: bool) -> bool {
    !reads_table_whole && mean_ms < WELL_SERVED_MS
}

/// Whether a covering candidate is too large for what it is: its estimated size is over
/// [`MAX_COVERING_SIZE`] of its table's (`table_pages` pages).
#[must_use]
pub fn covering_too_large(c: &Candidate, size_bytes: Option<i64>, table_pages: i64) -> bool {
    !c.include.is_empty()
        && size_bytes
            .is_some_and(|s| s as f64 > table_pages as f64 * PAGE_BYTES * MAX_COVERING_SIZE)
}

/// One candidate planned with one statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Index of the statement in the advisor's list.
    pub statement: usize,
    pub cost_before: f64,
    pub cost_after: f64,
    pub plan_before: String,
    pub plan_after: String,
    /// The plan used the hypothetical index.
    pub used: bool,
    /// The share of the statement's calls the index serves (below 1 for a partial index).
    pub share: f64,
}

impl Evaluation {
    /// The share of the plan cost the index takes away.
    #[must_use]
    pub fn reduction(&self) -> f64 {
        if self.cost_before > 0.0 && self.cost_after.is_finite() {
            (1.0 - self.cost_after / self.cost_before).max(0.0)
        } else {
            0.0
        }
    }

    /// Whether the index is worth it for this statement.
    #[must_use]
    pub fn passes(&self, min_reduction: f64) -> bool {
        self.used && self.reduction() >= min_reduction
    }

    /// The share of the cost left, counting only the calls the index serves.
    fn remaining(&self) -> f64 {
        1.0 - self.reduction() * self.share
    }
}

/// The best of a statement's evaluated candidates for one table: among those that pass, the
/// narrowest (fewest keys and INCLUDE columns) whose remaining cost is within `WIDER_MARGIN`
/// of the lowest, then the cheapest.
#[must_use]
pub fn best(evaluated: &[(Candidate, Evaluation)], min_reduction: f64) -> Option<usize> {
    let passing: Vec<usize> = (0..evaluated.len())
        .filter(|i| evaluated[*i].1.passes(min_reduction))
        .collect();
    let lowest = passing
        .iter()
        .map(|i| evaluated[*i].1.remaining())
        .fold(f64::INFINITY, f64::min);
    passing
        .into_iter()
        .filter(|i| evaluated[*i].1.remaining() <= lowest * (1.0 + WIDER_MARGIN) + 1e-12)
        .min_by(|a, b| {
            let (ca, ea) = &evaluated[*a];
            let (cb, eb) = &evaluated[*b];
            width(ca)
                .cmp(&width(cb))
                .then_with(|| ea.remaining().total_cmp(&eb.remaining()))
        })
}

fn width(c: &Candidate) -> usize {
    c.keys.len() + c.include.len()
}

/// An index that could replace two suggestions on the same table: the longer one when the
/// shorter one's keys lead it, or the longer one with its equality keys reordered so that the
/// shorter one's lead. `None` when they cannot share an index.
#[must_use]
pub fn merged(a: &Candidate, b: &Candidate) -> Option<Candidate> {
    let (short, long) = if a.keys.len() <= b.keys.len() {
        (a, b)
    } else {
        (b, a)
    };
    let same_predicate =
        short.partial.as_ref().map(|p| &p.predicate) == long.partial.as_ref().map(|p| &p.predicate);
    if short.table != long.table || !same_predicate || short.same_index(long) {
        return None;
    }
    let include = union_include(short, long)?;
    let n = short.keys.len();
    if long.keys[..n] == short.keys[..] {
        return Some(Candidate {
            include,
            ..long.clone()
        });
    }
    // The short one's keys are all equality keys of the long one: put them first.
    let short_all_eq = short.eq_len == n;
    let in_long_eq = |k: &Key| {
        long.keys[..long.eq_len]
            .iter()
            .any(|l| l.column == k.column)
    };
    if !short_all_eq || !short.keys.iter().all(in_long_eq) {
        return None;
    }
    let mut keys: Vec<Key> = short.keys.clone();
    keys.extend(
        long.keys[..long.eq_len]
            .iter()
            .filter(|k| !short.keys.iter().any(|s| s.column == k.column))
            .cloned(),
    );
    keys.extend(long.keys[long.eq_len..].iter().cloned());
    Some(Candidate {
        keys,
        include,
        ..long.clone()
    })
}

fn union_include(a: &Candidate, b: &Candidate) -> Option<Vec<String>> {
    let mut include = b.include.clone();
    for col in &a.include {
        if !include.contains(col) && !b.keys.iter().any(|k| &k.column == col) {
            include.push(col.clone());
        }
    }
    (include.len() <= MAX_INCLUDE).then_some(include)
}

/// Whether a merged index's evaluations keep every statement's benefit: each passes, and cuts
/// at most `MERGE_TOLERANCE` less than the statement's own best did.
#[must_use]
pub fn merge_keeps(own: &[Evaluation], merged: &[Evaluation], min_reduction: f64) -> bool {
    own.len() == merged.len()
        && own.iter().all(|o| {
            merged.iter().any(|m| {
                m.statement == o.statement
                    && m.passes(min_reduction)
                    && m.reduction() >= o.reduction() - MERGE_TOLERANCE
            })
        })
}

/// A statement's figures for the saving estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Load {
    pub calls_per_hour: f64,
    pub mean_ms: f64,
}

/// Estimated milliseconds saved per hour: for each statement, calls × mean time × the cost
/// reduction × the share of calls served, less the cost of maintaining the index on every
/// row written (the table's current write rate).
#[must_use]
pub fn saving_ms_per_hour(helped: &[(Load, &Evaluation)], writes_per_sec: f64) -> f64 {
    let gross: f64 = helped
        .iter()
        .map(|(load, e)| load.calls_per_hour * load.mean_ms * e.reduction() * e.share)
        .sum();
    gross - writes_per_sec.max(0.0) * 3600.0 * WRITE_COST_MS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_statement_reaching_its_table_through_an_index_in_under_a_millisecond_is_well_served() {
        // 0.11 ms through notifications (user_id, created_at): nothing to gain
        assert!(well_served(0.11, false));
        // the same time reading the table whole: an index may still pay over many calls
        assert!(!well_served(0.11, true));
        // through an index, but slow: a better one may help
        assert!(!well_served(38.0, false));
    }

    #[test]
    fn a_covering_index_over_half_its_table_is_too_large() {
        let mut c = cand(&["user_id", "read_at"], 2);
        let table_pages = 28 * 128; // 28 MiB
        assert!(
            !covering_too_large(&c, Some(31 << 20), table_pages),
            "no INCLUDE"
        );
        c.include = vec!["id".into(), "kind".into(), "title".into()];
        assert!(covering_too_large(&c, Some(31 << 20), table_pages));
        assert!(!covering_too_large(&c, Some(6 << 20), table_pages));
        assert!(!covering_too_large(&c, None, table_pages), "size not known");
    }
    use crate::advisor::candidates::Shape;

    fn cand(keys: &[&str], eq_len: usize) -> Candidate {
        Candidate {
            table: 1,
            keys: keys.iter().map(|k| Key::asc(k)).collect(),
            eq_len,
            shape: Shape::Equality,
            include: Vec::new(),
            partial: None,
        }
    }

    fn eval(statement: usize, before: f64, after: f64) -> Evaluation {
        Evaluation {
            statement,
            cost_before: before,
            cost_after: after,
            plan_before: String::new(),
            plan_after: String::new(),
            used: true,
            share: 1.0,
        }
    }

    #[test]
    fn reductions_and_the_threshold() {
        assert!((eval(0, 100.0, 25.0).reduction() - 0.75).abs() < 1e-9);
        assert!(eval(0, 100.0, 70.0).passes(MIN_COST_REDUCTION));
        assert!(!eval(0, 100.0, 71.0).passes(MIN_COST_REDUCTION));
        assert!(eval(0, 0.0, 0.0).reduction().abs() < 1e-12);
        assert!(eval(0, 10.0, f64::NAN).reduction().abs() < 1e-12);
        let mut unused = eval(0, 100.0, 1.0);
        unused.used = false;
        assert!(!unused.passes(MIN_COST_REDUCTION));
    }

    #[test]
    fn the_narrowest_near_best_candidate_wins() {
        let evaluated = vec![
            (cand(&["a", "b"], 2), eval(0, 100.0, 3.9)),
            (cand(&["a"], 1), eval(0, 100.0, 4.0)),
            (cand(&["c"], 1), eval(0, 100.0, 60.0)),
        ];
        assert_eq!(best(&evaluated, MIN_COST_REDUCTION), Some(1));
        // leaving half the cost of the narrower one is worth a wider index
        let evaluated = vec![
            (cand(&["a"], 1), eval(0, 1000.0, 80.0)),
            (cand(&["a", "b"], 2), eval(0, 1000.0, 40.0)),
        ];
        assert_eq!(best(&evaluated, MIN_COST_REDUCTION), Some(1));
        let evaluated = vec![
            (cand(&["a"], 1), eval(0, 100.0, 40.0)),
            (cand(&["a", "b"], 2), eval(0, 100.0, 2.0)),
        ];
        assert_eq!(best(&evaluated, MIN_COST_REDUCTION), Some(1));
        let evaluated = vec![(cand(&["a"], 1), eval(0, 100.0, 90.0))];
        assert_eq!(best(&evaluated, MIN_COST_REDUCTION), None);
    }

    #[test]
    fn a_partial_index_counts_only_for_its_share_of_calls() {
        let mut partial = eval(0, 100.0, 1.0);
        partial.share = 0.25;
        let evaluated = vec![
            (cand(&["s"], 1), partial),
            (cand(&["a", "s"], 2), eval(0, 100.0, 30.0)),
        ];
        assert_eq!(best(&evaluated, MIN_COST_REDUCTION), Some(1));
    }

    #[test]
    fn a_prefix_merges_into_the_longer_index() {
        let m = merged(&cand(&["a"], 1), &cand(&["a", "b"], 1)).unwrap();
        assert_eq!(m.keys, cand(&["a", "b"], 1).keys);
        // equality keys reorder so the shorter one's lead
        let m = merged(&cand(&["b"], 1), &cand(&["a", "b", "c"], 2)).unwrap();
        let cols: Vec<&str> = m.columns().collect();
        assert_eq!(cols, ["b", "a", "c"]);
        // a range key cannot move
        assert_eq!(merged(&cand(&["c"], 0), &cand(&["a", "c"], 1)), None);
        // other tables, the same index: nothing to merge
        let mut other = cand(&["a", "b"], 2);
        other.table = 2;
        assert_eq!(merged(&cand(&["a"], 1), &other), None);
        assert_eq!(merged(&cand(&["a"], 1), &cand(&["a"], 1)), None);
    }

    #[test]
    fn a_merge_must_keep_every_statements_benefit() {
        let own = [eval(0, 100.0, 5.0), eval(1, 100.0, 2.0)];
        assert!(merge_keeps(
            &own,
            &[eval(0, 100.0, 10.0), eval(1, 100.0, 2.0)],
            MIN_COST_REDUCTION
        ));
        assert!(!merge_keeps(
            &own,
            &[eval(0, 100.0, 20.0), eval(1, 100.0, 2.0)],
            MIN_COST_REDUCTION
        ));
        assert!(!merge_keeps(
            &own,
            &[eval(1, 100.0, 2.0)],
            MIN_COST_REDUCTION
        ));
    }

    #[test]
    fn savings_weigh_the_write_cost() {
        let e = eval(0, 100.0, 10.0);
        let load = Load {
            calls_per_hour: 3600.0,
            mean_ms: 2.0,
        };
        let saving = saving_ms_per_hour(&[(load, &e)], 0.0);
        assert!((saving - 3600.0 * 2.0 * 0.9).abs() < 1e-6);
        let with_writes = saving_ms_per_hour(&[(load, &e)], 100.0);
        assert!((saving - with_writes - 100.0 * 3600.0 * WRITE_COST_MS).abs() < 1e-6);
    }
}
