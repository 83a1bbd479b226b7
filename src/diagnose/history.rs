//! The Overview's history, bucketed on the server's clock.
//!
//! Charts are drawn from fixed time buckets aligned to absolute time (bucket `i` covers
//! `[i·w, (i+1)·w)` seconds since the epoch), not from the raw samples: between two bucket
//! boundaries only the newest bucket changes, so a redraw touches one column of the chart
//! instead of shifting every cell each refresh — what keeps the terminal output small on a
//! slow SSH link.

/// One sample of the Overview's history.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HistoryPoint {
    /// Server clock, epoch seconds.
    pub taken_at: f64,
    pub connections: Option<i64>,
    pub tps: Option<f64>,
}

/// How the samples of one bucket become its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    /// The highest sample (peaks matter: connections).
    Max,
    /// The mean of the samples (rates).
    Mean,
}

/// Time spans a chart may show, in seconds: it keeps the shortest that holds the history so
/// far, so the axis only rescales at these steps (never less than 5 minutes: shorter spans
/// need buckets so narrow that every refresh shifts the whole chart).
const WINDOWS: &[f64] = &[
    300.0, 600.0, 1200.0, 1800.0, 3600.0, 7200.0, 14_400.0, 43_200.0, 86_400.0,
];

/// The span a chart shows: the shortest window holding the `kept_secs` of history, at most
/// what `history_len` refreshes can hold (and at least the first window).
#[must_use]
pub fn window_secs(kept_secs: f64, refresh_secs: f64, history_len: usize) -> f64 {
    let most = (refresh_secs * history_len as f64).max(WINDOWS[0]);
    WINDOWS
        .iter()
        .copied()
        .find(|w| *w >= kept_secs)
        .unwrap_or(most)
        .min(most)
}

/// Bucket widths a chart may use, in seconds: round numbers a DBA reads at a glance.
const NICE_WIDTHS: &[f64] = &[1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0];

/// The narrowest round bucket width that fits `window_secs` into `count` buckets, and never
/// narrower than one refresh.
#[must_use]
pub fn bucket_width(refresh_secs: f64, window_secs: f64, count: usize) -> f64 {
    let needed = (window_secs / count.max(1) as f64).max(refresh_secs);
    NICE_WIDTHS
        .iter()
        .copied()
        .find(|w| *w >= needed)
        .unwrap_or(needed.ceil())
}

/// `count` buckets ending with the bucket of the newest sample, oldest first; a bucket without
/// samples is `None`.
#[must_use]
pub fn buckets<'a>(
    points: impl DoubleEndedIterator<Item = &'a HistoryPoint>,
    value: impl Fn(&HistoryPoint) -> Option<f64>,
    width_secs: f64,
    count: usize,
    aggregate: Aggregate,
) -> Vec<Option<f64>> {
    let mut out: Vec<Option<(f64, u32)>> = vec![None; count];
    let mut newest: Option<i64> = None;
    for point in points.rev() {
        let bucket = (point.taken_at / width_secs).floor() as i64;
        let last = *newest.get_or_insert(bucket);
        let Ok(back) = usize::try_from(last - bucket) else {
            continue;
        };
        if back >= count {
            break;
        }
        let Some(v) = value(point) else { continue };
        let slot = &mut out[count - 1 - back];
        *slot = Some(match (*slot, aggregate) {
            (None, _) => (v, 1),
            (Some((m, n)), Aggregate::Max) => (m.max(v), n + 1),
            (Some((sum, n)), Aggregate::Mean) => (sum + v, n + 1),
        });
    }
    out.into_iter()
        .map(|slot| {
            slot.map(|(v, n)| match aggregate {
                Aggregate::Max => v,
                Aggregate::Mean => v / f64::from(n),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(t: f64, connections: i64) -> HistoryPoint {
        HistoryPoint {
            taken_at: t,
            connections: Some(connections),
            tps: Some(connections as f64),
        }
    }

    #[test]
    fn windows_grow_in_steps_up_to_what_the_history_holds() {
        assert!((window_secs(10.0, 1.0, 600) - 300.0).abs() < 1e-9);
        assert!((window_secs(301.0, 1.0, 600) - 600.0).abs() < 1e-9);
        assert!(
            (window_secs(900.0, 1.0, 600) - 600.0).abs() < 1e-9,
            "capped by the history"
        );
        assert!((window_secs(900.0, 2.0, 600) - 1200.0).abs() < 1e-9);
        assert!(
            (window_secs(5.0, 0.1, 600) - 300.0).abs() < 1e-9,
            "never below the first step"
        );
    }

    #[test]
    fn widths_are_round_and_never_below_the_refresh() {
        assert!((bucket_width(1.0, 600.0, 72) - 10.0).abs() < 1e-9);
        assert!((bucket_width(1.0, 60.0, 120) - 1.0).abs() < 1e-9);
        assert!((bucket_width(5.0, 60.0, 120) - 5.0).abs() < 1e-9);
        assert!((bucket_width(1.0, 36_000.0, 10) - 3600.0).abs() < 1e-9);
    }

    #[test]
    fn buckets_align_to_absolute_time_and_aggregate() {
        let h = [
            point(100.0, 1),
            point(104.0, 5),
            point(109.9, 3),
            point(110.0, 2),
            point(121.0, 7),
        ];
        let max = buckets(
            h.iter(),
            |p| p.connections.map(|c| c as f64),
            10.0,
            4,
            Aggregate::Max,
        );
        assert_eq!(max, vec![None, Some(5.0), Some(2.0), Some(7.0)]);
        let mean = buckets(h.iter(), |p| p.tps, 10.0, 3, Aggregate::Mean);
        assert_eq!(mean, vec![Some(3.0), Some(2.0), Some(7.0)]);
    }

    #[test]
    fn only_the_newest_bucket_changes_until_the_next_boundary() {
        let mut h = vec![point(100.0, 1), point(111.0, 2)];
        let before = buckets(h.iter(), |p| p.tps, 10.0, 5, Aggregate::Mean);
        h.push(point(112.0, 4));
        let after = buckets(h.iter(), |p| p.tps, 10.0, 5, Aggregate::Mean);
        assert_eq!(before[..4], after[..4]);
        assert_eq!(after[4], Some(3.0));
        assert!(
            buckets([].iter(), |p| p.tps, 10.0, 3, Aggregate::Mean)
                .iter()
                .all(Option::is_none)
        );
    }
}
