//! The Queries pane's figures: every statement over the scope on screen — the last interval
//! (the default: what is slow right now), a window of the last 1, 5 or 15 minutes, or
//! everything since the statistics were reset — with its share of all time and its lints.
//!
//! Interval and window figures are differences between two samples (see `rates::pair`): an
//! entry that appeared, was evicted and re-added, or reset in between is shown as new, with
//! figures only when they are known to belong to the span, never as a huge rate. The standard
//! deviation over a span comes from the sums of squares both samples imply
//! (n·(σ² + μ²) is Σx²), so it is exact up to rounding. Lints judge each statement's whole
//! history, whatever the scope.

use std::collections::HashMap;
use std::sync::Arc;

use crate::diagnose::lints::{Lint, LintFigures, LintSettings, lints, median_calls};
use crate::diagnose::rates::{Cumulative, DeltaOrigin, Epoch, pair};
use crate::snapshot::StatementKey;
use crate::snapshot::queries::{QueriesSample, QueryText, StatementKind, StatementStats};

/// What span the figures cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    /// Between the last two refreshes.
    #[default]
    Interval,
    /// The last `n` minutes, from the samples kept in memory.
    Minutes(u16),
    /// Since pg_stat_statements was last reset (or the entry was created).
    Cumulative,
}

/// The windows the DBA can pick, in minutes.
pub const WINDOW_MINUTES: [u16; 3] = [1, 5, 15];

impl Scope {
    /// The next scope in the cycle: interval, 1, 5, 15 minutes, cumulative.
    #[must_use]
    pub fn next(self) -> Scope {
        match self {
            Scope::Interval => Scope::Minutes(WINDOW_MINUTES[0]),
            Scope::Minutes(m) => WINDOW_MINUTES
                .iter()
                .find(|w| **w > m)
                .map_or(Scope::Cumulative, |w| Scope::Minutes(*w)),
            Scope::Cumulative => Scope::Interval,
        }
    }

    /// Figures are per second (interval, windows) rather than totals.
    #[must_use]
    pub fn is_rate(self) -> bool {
        self != Scope::Cumulative
    }
}

/// A statement is identified by its key and whether it ran at top level (1.9+ keeps the same
/// statement run inside functions apart).
pub type RowId = (StatementKey, bool);

/// One statement over the scope.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryRow {
    pub id: RowId,
    pub origin: DeltaOrigin,
    pub calls: i64,
    pub total_ms: f64,
    pub rows: i64,
    pub shared_blks_hit: i64,
    pub shared_blks_read: i64,
    pub temp_blks_written: i64,
    pub blk_read_ms: f64,
    pub blk_write_ms: f64,
    pub wal_bytes: Option<f64>,
    /// Standard deviation of the execution time over the scope (`None`: no call in it).
    pub stddev_ms: Option<f64>,
    /// Fastest and slowest execution since the entry (or its min/max) began: pg_stat_statements
    /// keeps no per-interval extremes.
    pub min_ms: f64,
    pub max_ms: f64,
    /// When min / max began (1.11+), epoch seconds.
    pub minmax_since: Option<f64>,
    /// Share of all top-level statements' time in the scope, percent.
    pub share_pct: f64,
    pub text: Option<Arc<QueryText>>,
    pub lints: Vec<Lint>,
}

impl QueryRow {
    #[must_use]
    pub fn key(&self) -> StatementKey {
        self.id.0
    }

    #[must_use]
    pub fn toplevel(&self) -> bool {
        self.id.1
    }

    /// The statement first appeared (or was reset) during the scope.
    #[must_use]
    pub fn is_new(&self) -> bool {
        self.origin != DeltaOrigin::Interval
    }

    /// Its figures over the scope are unknown (it was evicted or reset meanwhile).
    #[must_use]
    pub fn is_unknown(&self) -> bool {
        self.origin == DeltaOrigin::Unknown
    }

    #[must_use]
    pub fn mean_ms(&self) -> Option<f64> {
        (self.calls > 0).then(|| self.total_ms / self.calls as f64)
    }

    #[must_use]
    pub fn rows_per_call(&self) -> Option<f64> {
        (self.calls > 0).then(|| self.rows as f64 / self.calls as f64)
    }

    /// Shared buffer hits, percent of the blocks it asked for (`None`: none).
    #[must_use]
    pub fn hit_pct(&self) -> Option<f64> {
        let blocks = self.shared_blks_hit + self.shared_blks_read;
        (blocks > 0).then(|| 100.0 * self.shared_blks_hit as f64 / blocks as f64)
    }

    /// Time in shared block I/O (zero unless track_io_timing is on), ms.
    #[must_use]
    pub fn io_ms(&self) -> f64 {
        self.blk_read_ms + self.blk_write_ms
    }

    /// The statement text, or its queryid while the text is not known.
    #[must_use]
    pub fn query(&self) -> std::borrow::Cow<'_, str> {
        match &self.text {
            Some(t) if !t.text.query.is_empty() => {
                std::borrow::Cow::Borrowed(t.text.query.as_str())
            }
            // pg_stat_statements lost the text (its file was rewritten or could not be read).
            Some(_) => std::borrow::Cow::Owned(format!(
                "queryid {} (pg_stat_statements has no text for it)",
                self.id.0.queryid
            )),
            None => std::borrow::Cow::Owned(format!("queryid {}", self.id.0.queryid)),
        }
    }
}

/// Every statement over one scope.
#[derive(Debug, Clone, PartialEq)]
pub struct QueriesFigures {
    pub scope: Scope,
    /// Seconds the figures cover: `None` for a rate scope on the first sample, and for the
    /// cumulative scope when the reset time is unknown (before 1.9).
    pub seconds: Option<f64>,
    pub rows: Vec<QueryRow>,
    /// Execution time of all top-level statements in the scope, ms.
    pub total_ms: f64,
    /// The sample the figures end at.
    pub latest: Arc<QueriesSample>,
}

impl Cumulative for StatementStats {
    type Id = RowId;

    fn id(&self) -> RowId {
        (self.key, self.toplevel)
    }

    fn covers(&self, then: &Self) -> bool {
        self.calls >= then.calls
            && self.total_ms >= then.total_ms
            && self.rows >= then.rows
            && self.shared_blks_hit >= then.shared_blks_hit
            && self.shared_blks_read >= then.shared_blks_read
            && self.temp_blks_written >= then.temp_blks_written
            && self.wal_bytes.unwrap_or(0.0) >= then.wal_bytes.unwrap_or(0.0)
    }

    fn since(&self) -> Option<f64> {
        self.stats_since
    }
}

impl QueriesSample {
    fn epoch(&self) -> Epoch {
        Epoch {
            taken_at: Some(self.taken_at),
            dealloc: self.dealloc,
            stats_reset: self.stats_reset,
        }
    }
}

/// The figures of `next` over `scope`; `base` is the sample the scope starts at (ignored for
/// the cumulative scope).
#[must_use]
pub fn build(
    base: Option<&QueriesSample>,
    next: &Arc<QueriesSample>,
    scope: Scope,
) -> QueriesFigures {
    let texts = &next.texts;
    let mut rows: Vec<QueryRow> = match (scope, base) {
        (Scope::Cumulative, _) => next
            .entries
            .iter()
            .map(|now| row(now, None, DeltaOrigin::Interval, texts))
            .collect(),
        (_, Some(base)) => pair(&base.entries, base.epoch(), &next.entries, next.epoch())
            .into_iter()
            .zip(&next.entries)
            .map(|((then, origin), now)| row(now, then, origin, texts))
            .collect(),
        (_, None) => next
            .entries
            .iter()
            .map(|now| row(now, None, DeltaOrigin::Unknown, texts))
            .collect(),
    };
    let total_ms: f64 = rows
        .iter()
        .filter(|r| r.toplevel())
        .map(|r| r.total_ms)
        .sum();
    for r in &mut rows {
        r.share_pct = if total_ms > 0.0 {
            100.0 * r.total_ms / total_ms
        } else {
            0.0
        };
    }
    add_lints(&mut rows, next);
    let seconds = match scope {
        Scope::Cumulative => next.stats_reset.map(|reset| next.taken_at - reset),
        _ => base.map(|b| next.taken_at - b.taken_at),
    }
    .filter(|s| *s > 0.0);
    QueriesFigures {
        scope,
        seconds,
        rows,
        total_ms,
        latest: Arc::clone(next),
    }
}

/// One statement's figures: `now` less `then`, all of `now` (new, or cumulative), or nothing
/// (unknown).
fn row(
    now: &StatementStats,
    then: Option<&StatementStats>,
    origin: DeltaOrigin,
    texts: &HashMap<StatementKey, Arc<QueryText>>,
) -> QueryRow {
    let zero = StatementStats {
        key: now.key,
        toplevel: now.toplevel,
        wal_bytes: now.wal_bytes.map(|_| 0.0),
        ..StatementStats::default()
    };
    let base = match origin {
        DeltaOrigin::Unknown => now,
        _ => then.unwrap_or(&zero),
    };
    let calls = now.calls - base.calls;
    let total_ms = now.total_ms - base.total_ms;
    QueryRow {
        id: (now.key, now.toplevel),
        origin,
        calls,
        total_ms,
        rows: now.rows - base.rows,
        shared_blks_hit: now.shared_blks_hit - base.shared_blks_hit,
        shared_blks_read: now.shared_blks_read - base.shared_blks_read,
        temp_blks_written: now.temp_blks_written - base.temp_blks_written,
        blk_read_ms: (now.blk_read_ms - base.blk_read_ms).max(0.0),
        blk_write_ms: (now.blk_write_ms - base.blk_write_ms).max(0.0),
        wal_bytes: now.wal_bytes.map(|w| w - base.wal_bytes.unwrap_or(0.0)),
        stddev_ms: stddev(calls, total_ms, now, base),
        min_ms: now.min_ms,
        max_ms: now.max_ms,
        minmax_since: now.minmax_stats_since,
        share_pct: 0.0,
        text: texts.get(&now.key).cloned(),
        lints: Vec::new(),
    }
}

/// The standard deviation of the `calls` executions between `base` and `now`, from the sums
/// of squares each implies (pg_stat_statements keeps the population deviation).
fn stddev(calls: i64, total_ms: f64, now: &StatementStats, base: &StatementStats) -> Option<f64> {
    let sum_sq = |s: &StatementStats| {
        let n = s.calls as f64;
        if n == 0.0 {
            return 0.0;
        }
        let mean = s.total_ms / n;
        n * (s.stddev_ms * s.stddev_ms + mean * mean)
    };
    if calls <= 0 {
        return None;
    }
    let n = calls as f64;
    let mean = total_ms / n;
    let variance = (sum_sq(now) - sum_sq(base)) / n - mean * mean;
    Some(variance.max(0.0).sqrt())
}

/// The lints of every statement, from its whole history in `sample` (since the reset or since
/// it appeared: steadier evidence than one interval, so lints do not flicker with the scope),
/// judged against the other statements of its database.
///
/// The median a loop suspect is compared with is the workload's: top-level statements the
/// planner plans (no BEGIN, SET or DDL) that ran more than once, so one-off statements (an
/// extension's DDL, a query typed in psql) do not drag it down. Statements run inside
/// functions or triggers (nested), and PostgreSQL's own foreign-key checks, are never loop
/// suspects: the application cannot batch them.
fn add_lints(rows: &mut [QueryRow], sample: &QueriesSample) {
    debug_assert_eq!(rows.len(), sample.entries.len());
    let mut by_database: HashMap<i64, Vec<i64>> = HashMap::new();
    for (r, e) in rows.iter().zip(&sample.entries) {
        let planned = r.text.as_ref().is_some_and(|t| {
            !matches!(
                t.shape.kind,
                StatementKind::Utility | StatementKind::Unknown
            )
        });
        if e.toplevel && planned && e.calls > 1 {
            by_database.entry(e.key.dbid).or_default().push(e.calls);
        }
    }
    let medians: HashMap<i64, (f64, usize)> = by_database
        .into_iter()
        .filter_map(|(db, calls)| median_calls(&calls).map(|m| (db, m)))
        .collect();
    let settings = LintSettings {
        block_size: sample.settings.block_size,
        work_mem_bytes: sample.settings.work_mem_bytes,
    };
    // The rows are the sample's entries, in the same order, whatever the scope.
    for (r, e) in rows.iter_mut().zip(&sample.entries) {
        let Some(text) = &r.text else {
            continue;
        };
        let batchable = e.toplevel && !foreign_key_check(&text.text.query);
        let figures = LintFigures {
            calls: e.calls,
            rows: e.rows,
            shared_blks_hit: e.shared_blks_hit,
            shared_blks_read: e.shared_blks_read,
            temp_blks_written: e.temp_blks_written,
            // The others' median, without the statement itself pulling it up.
            neighbours: medians
                .get(&e.key.dbid)
                .filter(|_| batchable)
                .map(|(median, count)| (*median, count.saturating_sub(1))),
        };
        r.lints = lints(&text.shape, &figures, settings);
    }
}

/// The lookup PostgreSQL's foreign-key triggers run for every row written
/// (`SELECT 1 FROM ONLY "public"."users" x WHERE "id" OPERATOR(pg_catalog.=) $1 FOR KEY SHARE
/// OF x`; pg_stat_statements shows `$2` for the 1).
fn foreign_key_check(query: &str) -> bool {
    query.contains("FROM ONLY ")
        && query.contains("OPERATOR(pg_catalog.=)")
        && query.trim_end().ends_with("FOR KEY SHARE OF x")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::statement::shape;
    use crate::snapshot::StatementText;
    use crate::snapshot::queries::StatementsSettings;

    fn key(q: i64) -> StatementKey {
        StatementKey {
            userid: 10,
            dbid: 5,
            queryid: q,
        }
    }

    fn stats(q: i64, calls: i64, total_ms: f64, stddev_ms: f64) -> StatementStats {
        StatementStats {
            key: key(q),
            toplevel: true,
            calls,
            total_ms,
            mean_ms: total_ms / calls.max(1) as f64,
            stddev_ms,
            rows: calls,
            shared_blks_hit: calls * 3,
            wal_bytes: Some(calls as f64 * 100.0),
            ..Default::default()
        }
    }

    fn sample(t: f64, entries: Vec<StatementStats>, dealloc: i64) -> Arc<QueriesSample> {
        let texts = entries
            .iter()
            .map(|e| {
                let query = format!("SELECT name FROM t{} WHERE id = $1", e.key.queryid);
                let text = QueryText {
                    shape: shape(&query),
                    text: StatementText {
                        query,
                        database: "shop".to_owned(),
                        role: "app".to_owned(),
                    },
                };
                (e.key, Arc::new(text))
            })
            .collect();
        Arc::new(QueriesSample {
            taken_at: t,
            entries,
            dealloc: Some(dealloc),
            stats_reset: Some(0.0),
            hidden: 0,
            settings: StatementsSettings {
                block_size: 8192,
                ..Default::default()
            },
            columns: crate::snapshot::queries::Columns::for_version(111),
            texts: Arc::new(texts),
        })
    }

    #[test]
    fn interval_figures_are_differences_and_shares_of_the_interval() {
        let prev = sample(
            100.0,
            vec![stats(1, 10, 100.0, 0.0), stats(2, 5, 50.0, 0.0)],
            0,
        );
        let next = sample(
            102.0,
            vec![stats(1, 40, 400.0, 0.0), stats(2, 15, 150.0, 0.0)],
            0,
        );
        let f = build(Some(&prev), &next, Scope::Interval);
        assert_eq!(f.seconds, Some(2.0));
        let r = &f.rows[0];
        assert_eq!((r.calls, r.rows, r.shared_blks_hit), (30, 30, 90));
        assert!((r.total_ms - 300.0).abs() < 1e-9);
        assert_eq!(r.wal_bytes, Some(3000.0));
        assert!((r.share_pct - 75.0).abs() < 1e-9, "{}", r.share_pct);
        assert!(!r.is_new());
        assert_eq!(r.text.as_ref().unwrap().text.database, "shop");
    }

    #[test]
    fn the_standard_deviation_of_the_interval_comes_from_the_sums_of_squares() {
        // Calls of 10 ms, 10 ms, then 30 ms and 50 ms: the last two alone deviate by 10 ms.
        let two = |xs: &[f64]| {
            let n = xs.len() as f64;
            let mean = xs.iter().sum::<f64>() / n;
            (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt()
        };
        let prev = stats(1, 2, 20.0, two(&[10.0, 10.0]));
        let next = stats(1, 4, 100.0, two(&[10.0, 10.0, 30.0, 50.0]));
        let f = build(
            Some(&sample(0.0, vec![prev], 0)),
            &sample(1.0, vec![next], 0),
            Scope::Interval,
        );
        let sd = f.rows[0].stddev_ms.unwrap();
        assert!((sd - 10.0).abs() < 1e-9, "{sd}");
        let cumulative = build(None, &sample(1.0, vec![next], 0), Scope::Cumulative);
        assert!((cumulative.rows[0].stddev_ms.unwrap() - next.stddev_ms).abs() < 1e-9);
    }

    #[test]
    fn new_evicted_and_reset_entries_are_new_never_huge() {
        let prev = sample(100.0, vec![stats(1, 1000, 9000.0, 0.0)], 3);
        // 1 was reset (counters went back), 2 appeared while entries were evicted.
        let next = sample(
            102.0,
            vec![stats(1, 2, 5.0, 0.0), stats(2, 50, 500.0, 0.0)],
            4,
        );
        let f = build(Some(&prev), &next, Scope::Interval);
        assert!(
            f.rows
                .iter()
                .all(|r| r.is_unknown() && r.calls == 0 && r.total_ms == 0.0)
        );
        assert!(f.total_ms.abs() < f64::EPSILON);
        // Nothing evicted: the new entry's counters all belong to the interval.
        let calm = sample(
            102.0,
            vec![stats(1, 1010, 9100.0, 0.0), stats(2, 50, 500.0, 0.0)],
            3,
        );
        let f = build(Some(&prev), &calm, Scope::Interval);
        assert_eq!(f.rows[1].origin, DeltaOrigin::Created);
        assert_eq!(f.rows[1].calls, 50);
    }

    #[test]
    fn stats_since_tells_entries_created_during_the_interval_despite_evictions() {
        let mut old = stats(1, 1000, 9000.0, 0.0);
        old.stats_since = Some(50.0);
        let prev = sample(100.0, vec![old], 3);
        let mut readded = stats(1, 7, 70.0, 0.0);
        readded.stats_since = Some(101.0);
        let mut created = stats(2, 9, 90.0, 0.0);
        created.stats_since = Some(100.5);
        let mut went_on = stats(3, 20, 20.0, 0.0);
        went_on.stats_since = Some(99.0);
        let next = sample(102.0, vec![readded, created, went_on], 9);
        let f = build(Some(&prev), &next, Scope::Interval);
        let origins: Vec<_> = f.rows.iter().map(|r| (r.origin, r.calls)).collect();
        assert_eq!(
            origins,
            [
                (DeltaOrigin::Created, 7),
                (DeltaOrigin::Created, 9),
                (DeltaOrigin::Unknown, 0)
            ],
            "3 existed before the base but is not in it: unknown"
        );
    }

    #[test]
    fn nested_statements_are_kept_apart_and_outside_the_share() {
        let mut nested = stats(1, 10, 100.0, 0.0);
        nested.toplevel = false;
        let prev = sample(0.0, vec![stats(1, 0, 0.0, 0.0), nested], 0);
        let mut nested_next = nested;
        nested_next.calls = 20;
        nested_next.total_ms = 200.0;
        let next = sample(1.0, vec![stats(1, 10, 300.0, 0.0), nested_next], 0);
        let f = build(Some(&prev), &next, Scope::Interval);
        assert_eq!(f.rows.len(), 2);
        assert!((f.total_ms - 300.0).abs() < 1e-9, "only the top-level time");
        assert!((f.rows[1].share_pct - 100.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn the_first_sample_has_no_rates_and_cumulative_needs_no_base() {
        let next = sample(1.0, vec![stats(1, 10, 100.0, 1.0)], 0);
        let first = build(None, &next, Scope::Interval);
        assert_eq!(first.seconds, None);
        assert!(first.rows.iter().all(QueryRow::is_unknown));
        let all = build(None, &next, Scope::Cumulative);
        assert_eq!(all.seconds, Some(1.0), "since the stats reset at 0");
        assert_eq!(all.rows[0].calls, 10);
    }

    #[test]
    fn lints_judge_the_whole_history_against_the_other_statements_of_the_database() {
        let mut entries: Vec<StatementStats> = (2..8).map(|q| stats(q, 30, 30.0, 0.0)).collect();
        entries.push(stats(1, 5000, 500.0, 0.0));
        // Statement 1 ran only 10 times in the interval: its history still makes it a suspect.
        let mut before = entries.clone();
        before[6].calls = 4990;
        before[6].rows = 4990;
        let f = build(
            Some(&sample(0.0, before, 0)),
            &sample(10.0, entries, 0),
            Scope::Interval,
        );
        let flagged: Vec<(i64, i64)> = f
            .rows
            .iter()
            .filter(|r| r.lints.iter().any(|l| matches!(l, Lint::NPlusOne { .. })))
            .map(|r| (r.key().queryid, r.calls))
            .collect();
        assert_eq!(flagged, [(1, 10)]);
    }

    /// Rows flagged N+1 when `query` (queryid 1) ran 5,000 times among six statements run 30
    /// times, with `extra` statements (query, calls) besides.
    fn n_plus_one_of(query: &str, toplevel: bool, extra: &[(&str, i64)]) -> Vec<i64> {
        let mut entries: Vec<StatementStats> = (2..8).map(|q| stats(q, 30, 30.0, 0.0)).collect();
        let mut texts: Vec<String> = (2..8)
            .map(|q| format!("SELECT name FROM t{q} WHERE id = $1"))
            .collect();
        entries.push(StatementStats {
            toplevel,
            ..stats(1, 5000, 500.0, 0.0)
        });
        texts.push(query.to_owned());
        for (i, (text, calls)) in extra.iter().enumerate() {
            entries.push(stats(100 + i as i64, *calls, 1.0, 0.0));
            texts.push((*text).to_owned());
        }
        let mut next = (*sample(10.0, entries, 0)).clone();
        for (e, query) in next.entries.iter().zip(texts) {
            let text = QueryText {
                shape: shape(&query),
                text: StatementText {
                    query,
                    database: "shop".to_owned(),
                    role: "app".to_owned(),
                },
            };
            Arc::make_mut(&mut next.texts).insert(e.key, Arc::new(text));
        }
        build(None, &Arc::new(next), Scope::Cumulative)
            .rows
            .iter()
            .filter(|r| r.lints.iter().any(|l| matches!(l, Lint::NPlusOne { .. })))
            .map(|r| r.key().queryid)
            .collect()
    }

    #[test]
    fn foreign_key_checks_and_nested_statements_are_not_loop_suspects() {
        let lookup = "SELECT name FROM users WHERE id = $1";
        assert_eq!(n_plus_one_of(lookup, true, &[]), [1]);
        assert_eq!(n_plus_one_of(lookup, false, &[]), [] as [i64; 0]);
        let ri = "SELECT $2 FROM ONLY public.users x WHERE id OPERATOR(pg_catalog.=) $1 FOR KEY SHARE OF x";
        assert_eq!(n_plus_one_of(ri, true, &[]), [] as [i64; 0]);
    }

    #[test]
    fn one_off_and_utility_statements_do_not_drag_the_median_down() {
        // 600 calls against a median of 30: 20x, a suspect. Twenty one-off statements and
        // twenty BEGINs would make the median 1 (600x) if they counted; they do not, and a
        // statement at 200 calls (6.7x the workload's median) stays clean.
        let mut noise: Vec<(&str, i64)> = vec![("CREATE EXTENSION x", 1); 20];
        noise.extend([("SELECT now()", 1); 20]);
        noise.extend([("BEGIN", 2); 20]);
        noise.push(("SELECT name FROM t9 WHERE id = $1", 200));
        assert_eq!(
            n_plus_one_of("SELECT name FROM users WHERE id = $1", true, &noise),
            [1]
        );
    }

    #[test]
    fn scopes_cycle_through_the_windows() {
        let mut s = Scope::Interval;
        let mut seen = vec![s];
        for _ in 0..5 {
            s = s.next();
            seen.push(s);
        }
        assert_eq!(
            seen,
            [
                Scope::Interval,
                Scope::Minutes(1),
                Scope::Minutes(5),
                Scope::Minutes(15),
                Scope::Cumulative,
                Scope::Interval
            ]
        );
    }
}
