//! Query lints: what a statement's shape and its figures say about how it is used.
//!
//! Each lint carries the numbers that made it fire; the pane writes the one-line reason from
//! them. The shape comes from the parser (`diagnose::statement`); the figures are those of the
//! view on screen (the last interval, a window, or since the reset), so a lint fires on what
//! happens now in the interval view and on the whole history in the cumulative one.

use crate::snapshot::queries::{StatementKind, StatementShape};

/// A SELECT without LIMIT returning at least this many rows per call is flagged.
pub const MANY_ROWS_PER_CALL: f64 = 1000.0;
/// A one-row statement is a loop suspect from this many calls in the view…
pub const LOOP_MIN_CALLS: i64 = 100;
/// …when it runs this many times more often than the median statement of its database.
pub const LOOP_FACTOR: f64 = 10.0;
/// The median needs at least this many other statements of the database to mean anything.
pub const LOOP_MIN_NEIGHBOURS: usize = 3;
/// Cache hit ratio (percent) under which a statement is flagged…
pub const LOW_HIT_PCT: f64 = 90.0;
/// …when it read at least this many blocks from outside shared buffers.
pub const LOW_HIT_MIN_READS: i64 = 1000;

/// One finding about a statement, with the numbers behind it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Lint {
    /// The outer select list is `*`.
    SelectStar { rows_per_call: Option<f64> },
    /// A SELECT without LIMIT returning many rows per call.
    NoLimit { rows_per_call: f64 },
    /// A one-row lookup called far more often than its neighbours (an N+1 pattern).
    NPlusOne {
        calls: i64,
        rows_per_call: f64,
        times_median: f64,
    },
    /// A single-row INSERT / UPDATE / DELETE called far more often than its neighbours.
    SingleRowLoop {
        kind: StatementKind,
        calls: i64,
        times_median: f64,
    },
    /// Sorts or hashes spilling to temporary files.
    TempSpill {
        bytes_per_call: f64,
        work_mem_bytes: Option<i64>,
    },
    /// Most blocks came from outside shared buffers.
    LowCacheHit { hit_pct: f64, blocks_read: i64 },
}

impl Lint {
    /// A short tag for the table column.
    #[must_use]
    pub fn tag(&self) -> &'static str {
        match self {
            Lint::SelectStar { .. } => "*",
            Lint::NoLimit { .. } => "NOLIM",
            Lint::NPlusOne { .. } => "N+1",
            Lint::SingleRowLoop { .. } => "LOOP",
            Lint::TempSpill { .. } => "TEMP",
            Lint::LowCacheHit { .. } => "HIT",
        }
    }
}

/// A statement's figures over the view, as the lints read them.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LintFigures {
    pub calls: i64,
    pub rows: i64,
    pub shared_blks_hit: i64,
    pub shared_blks_read: i64,
    pub temp_blks_written: i64,
    /// Median calls of the other statements of the same database in the view, and how many
    /// there are.
    pub neighbours: Option<(f64, usize)>,
}

/// The server settings the lints quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LintSettings {
    pub block_size: i64,
    pub work_mem_bytes: Option<i64>,
}

/// Every lint that fires for a statement of this shape with these figures, most pressing first.
#[must_use]
pub fn lints(shape: &StatementShape, f: &LintFigures, settings: LintSettings) -> Vec<Lint> {
    let mut found = Vec::new();
    let per_call = |n: i64| (f.calls > 0).then(|| n as f64 / f.calls as f64);
    let rows_per_call = per_call(f.rows);
    if let Some(bytes_per_call) = per_call(f.temp_blks_written * settings.block_size)
        && f.temp_blks_written > 0
    {
        found.push(Lint::TempSpill {
            bytes_per_call,
            work_mem_bytes: settings.work_mem_bytes,
        });
    }
    if let Some(loop_lint) = loop_suspect(shape, f, rows_per_call) {
        found.push(loop_lint);
    }
    if shape.kind == StatementKind::Select
        && !shape.has_limit
        && let Some(rows) = rows_per_call.filter(|r| *r >= MANY_ROWS_PER_CALL)
    {
        found.push(Lint::NoLimit {
            rows_per_call: rows,
        });
    }
    let blocks = f.shared_blks_hit + f.shared_blks_read;
    if f.shared_blks_read >= LOW_HIT_MIN_READS && blocks > 0 {
        let hit_pct = 100.0 * f.shared_blks_hit as f64 / blocks as f64;
        if hit_pct < LOW_HIT_PCT {
            found.push(Lint::LowCacheHit {
                hit_pct,
                blocks_read: f.shared_blks_read,
            });
        }
    }
    if shape.select_star {
        found.push(Lint::SelectStar { rows_per_call });
    }
    found
}

/// A one-row statement called far more often than the median of its database: an N+1 read or
/// a write in a loop.
fn loop_suspect(
    shape: &StatementShape,
    f: &LintFigures,
    rows_per_call: Option<f64>,
) -> Option<Lint> {
    let (median, count) = f.neighbours?;
    let rows_per_call = rows_per_call.filter(|r| *r <= 1.0)?;
    if f.calls < LOOP_MIN_CALLS || count < LOOP_MIN_NEIGHBOURS || median <= 0.0 {
        return None;
    }
    let times_median = f.calls as f64 / median;
    if times_median < LOOP_FACTOR {
        return None;
    }
    match shape.kind {
        StatementKind::Select if shape.key_lookup => Some(Lint::NPlusOne {
            calls: f.calls,
            rows_per_call,
            times_median,
        }),
        StatementKind::Insert if shape.single_row_values => Some(Lint::SingleRowLoop {
            kind: shape.kind,
            calls: f.calls,
            times_median,
        }),
        StatementKind::Update | StatementKind::Delete if shape.key_lookup => {
            Some(Lint::SingleRowLoop {
                kind: shape.kind,
                calls: f.calls,
                times_median,
            })
        }
        _ => None,
    }
}

/// The median of `calls` (those above zero) and how many there are; `None` when none ran.
#[must_use]
pub fn median_calls(calls: &[i64]) -> Option<(f64, usize)> {
    let mut ran: Vec<i64> = calls.iter().copied().filter(|c| *c > 0).collect();
    if ran.is_empty() {
        return None;
    }
    ran.sort_unstable();
    let mid = ran.len() / 2;
    let median = if ran.len() % 2 == 0 {
        (ran[mid - 1] + ran[mid]) as f64 / 2.0
    } else {
        ran[mid] as f64
    };
    Some((median, ran.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::statement::shape;

    const SETTINGS: LintSettings = LintSettings {
        block_size: 8192,
        work_mem_bytes: Some(4 * 1024 * 1024),
    };

    fn figures(calls: i64, rows: i64) -> LintFigures {
        LintFigures {
            calls,
            rows,
            shared_blks_hit: calls * 4,
            neighbours: Some((20.0, 12)),
            ..Default::default()
        }
    }

    fn tags(text: &str, f: &LintFigures) -> Vec<&'static str> {
        lints(&shape(text), f, SETTINGS)
            .iter()
            .map(Lint::tag)
            .collect()
    }

    #[test]
    fn select_star_fires_on_the_outer_list_only() {
        assert_eq!(
            tags(
                "SELECT * FROM orders WHERE status = $1 ORDER BY id LIMIT $2",
                &figures(10, 200)
            ),
            ["*"]
        );
        let clean = "SELECT count(*) FROM orders WHERE EXISTS (SELECT * FROM users WHERE users.id = orders.user_id)";
        assert!(tags(clean, &figures(10, 10)).is_empty());
    }

    #[test]
    fn no_limit_needs_many_rows_per_call() {
        let text = "SELECT id, price FROM trades WHERE symbol = $1 AND at > $2";
        assert_eq!(tags(text, &figures(10, 50_000)), ["NOLIM"]);
        assert!(
            tags(text, &figures(10, 300)).is_empty(),
            "30 rows per call is fine"
        );
        let limited = "SELECT id, price FROM trades WHERE symbol = $1 ORDER BY at DESC LIMIT $2";
        assert!(tags(limited, &figures(10, 50_000)).is_empty());
        let report = lints(&shape(text), &figures(10, 50_000), SETTINGS);
        assert_eq!(
            report,
            [Lint::NoLimit {
                rows_per_call: 5000.0
            }]
        );
    }

    #[test]
    fn n_plus_one_is_a_one_row_lookup_called_far_more_than_its_neighbours() {
        let text = "SELECT name, tier FROM users WHERE id = $1";
        let lint = lints(&shape(text), &figures(4_000, 4_000), SETTINGS);
        assert_eq!(
            lint,
            [Lint::NPlusOne {
                calls: 4_000,
                rows_per_call: 1.0,
                times_median: 200.0
            }]
        );
        assert!(
            tags(text, &figures(150, 150)).is_empty(),
            "7.5× the median is not far more"
        );
        assert!(
            tags(text, &figures(4_000, 40_000)).is_empty(),
            "ten rows per call"
        );
        let alone = LintFigures {
            neighbours: Some((1.0, 2)),
            ..figures(4_000, 4_000)
        };
        assert!(tags(text, &alone).is_empty(), "two neighbours tell nothing");
        assert!(
            tags("SELECT now()", &figures(4_000, 4_000)).is_empty(),
            "not a lookup"
        );
    }

    #[test]
    fn single_row_writes_in_a_loop_are_batching_candidates() {
        let insert = "INSERT INTO fills (order_id, qty, price) VALUES ($1, $2, $3)";
        assert_eq!(tags(insert, &figures(5_000, 5_000)), ["LOOP"]);
        let batch = "INSERT INTO fills (order_id, qty, price) VALUES ($1, $2, $3), ($4, $5, $6)";
        assert!(tags(batch, &figures(5_000, 10_000)).is_empty());
        let update = "UPDATE positions SET pnl = $1 WHERE id = $2";
        assert_eq!(
            lints(&shape(update), &figures(5_000, 5_000), SETTINGS),
            [Lint::SingleRowLoop {
                kind: StatementKind::Update,
                calls: 5_000,
                times_median: 250.0
            }]
        );
        let bulk = "UPDATE positions SET pnl = $1 WHERE account_id = $2";
        assert!(
            tags(bulk, &figures(5_000, 80_000)).is_empty(),
            "16 rows per call"
        );
    }

    #[test]
    fn temp_spills_and_low_cache_hits_come_from_the_figures() {
        let text = "SELECT user_id, sum(qty) FROM trades GROUP BY user_id ORDER BY 2 DESC LIMIT $1";
        let spilling = LintFigures {
            temp_blks_written: 3 * 1280,
            shared_blks_hit: 500,
            shared_blks_read: 4_500,
            ..figures(3, 3)
        };
        let found = lints(&shape(text), &spilling, SETTINGS);
        assert_eq!(
            found,
            [
                Lint::TempSpill {
                    bytes_per_call: 10.0 * 1024.0 * 1024.0,
                    work_mem_bytes: Some(4 * 1024 * 1024)
                },
                Lint::LowCacheHit {
                    hit_pct: 10.0,
                    blocks_read: 4_500
                }
            ]
        );
        let warm = LintFigures {
            shared_blks_hit: 99_000,
            shared_blks_read: 1_000,
            ..figures(3, 3)
        };
        assert!(lints(&shape(text), &warm, SETTINGS).is_empty(), "99 % hits");
    }

    #[test]
    fn utility_statements_and_idle_ones_have_no_lints() {
        assert!(tags("BEGIN", &figures(90_000, 0)).is_empty());
        assert!(tags("SELECT * FROM t", &figures(0, 0)) == ["*"]);
        assert!(
            lints(&shape("SELECT * FROM t"), &figures(0, 0), SETTINGS)
                .iter()
                .all(|l| matches!(
                    l,
                    Lint::SelectStar {
                        rows_per_call: None
                    }
                ))
        );
    }

    #[test]
    fn the_median_ignores_statements_that_did_not_run() {
        assert_eq!(median_calls(&[0, 5, 1, 3, 0]), Some((3.0, 3)));
        assert_eq!(median_calls(&[4, 2]), Some((3.0, 2)));
        assert_eq!(median_calls(&[0, 0]), None);
    }
}
