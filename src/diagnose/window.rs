//! The recent samples a "last N seconds" figure is computed from.
//!
//! Keeps the newest sample and every one after the newest that is at least `secs` older, so
//! the oldest kept is the base of a window of at least `secs` (or of everything there is, while
//! the history is shorter). Bounded in count, so a very short refresh cannot grow it without
//! limit: the window is then shorter, and the figures say over how long.
//!
//! A thinned history ([`Recent::thinned`]) keeps older samples sparser — about one per tenth of
//! their age — so windows of 1, 5 and 15 minutes each have a base near their length (within a
//! tenth of it) from a few dozen samples, whatever the refresh interval.

use std::collections::VecDeque;

/// Something taken at a moment of the server's clock.
pub trait Timed {
    /// Epoch seconds.
    fn taken_at(&self) -> f64;
}

impl<T> Timed for (f64, T) {
    fn taken_at(&self) -> f64 {
        self.0
    }
}

impl<T: Timed> Timed for std::sync::Arc<T> {
    fn taken_at(&self) -> f64 {
        T::taken_at(self)
    }
}

impl Timed for crate::snapshot::queries::QueriesSample {
    fn taken_at(&self) -> f64 {
        self.taken_at
    }
}

impl Timed for crate::snapshot::OverviewSnapshot {
    fn taken_at(&self) -> f64 {
        self.taken_at
    }
}

/// The samples of the last `secs` seconds (plus the one just before), at most `cap` of them.
#[derive(Debug, Clone)]
pub struct Recent<T> {
    items: VecDeque<T>,
    secs: f64,
    cap: usize,
    /// Keep samples at least `age / per_age` apart (`None`: keep every one).
    per_age: Option<f64>,
}

impl<T: Timed> Recent<T> {
    #[must_use]
    pub fn new(secs: f64, cap: usize) -> Self {
        Self {
            items: VecDeque::new(),
            secs,
            cap: cap.max(2),
            per_age: None,
        }
    }

    /// Like [`Recent::new`], but a sample whose neighbours are less than a `per_age`th of its
    /// age apart is dropped (never the two newest nor the oldest).
    #[must_use]
    pub fn thinned(secs: f64, cap: usize, per_age: f64) -> Self {
        Self {
            per_age: Some(per_age),
            ..Self::new(secs, cap)
        }
    }

    /// Adds the newest sample and forgets those no window needs any more.
    pub fn push(&mut self, item: T) {
        let now = item.taken_at();
        self.items.push_back(item);
        if let Some(per_age) = self.per_age {
            self.thin(now, per_age);
        }
        while self.items.len() > self.cap
            || (self.items.len() > 2 && self.items[1].taken_at() <= now - self.secs)
        {
            self.items.pop_front();
        }
    }

    fn thin(&mut self, now: f64, per_age: f64) {
        let mut i = 1;
        while i + 2 < self.items.len() {
            let age = now - self.items[i].taken_at();
            let gap = self.items[i + 1].taken_at() - self.items[i - 1].taken_at();
            if gap <= age / per_age {
                self.items.remove(i);
            } else {
                i += 1;
            }
        }
    }

    /// The newest sample.
    #[must_use]
    pub fn latest(&self) -> Option<&T> {
        self.items.back()
    }

    /// The newest sample, to amend.
    pub fn latest_mut(&mut self) -> Option<&mut T> {
        self.items.back_mut()
    }

    /// The sample before the newest (the base of "the last interval").
    #[must_use]
    pub fn previous(&self) -> Option<&T> {
        self.items
            .len()
            .checked_sub(2)
            .and_then(|i| self.items.get(i))
    }

    /// The base of the window: the newest sample at least `secs` old, or the oldest kept.
    #[must_use]
    pub fn base(&self) -> Option<&T> {
        (self.items.len() >= 2)
            .then(|| self.items.front())
            .flatten()
    }

    /// The base of a window of `secs`: the newest sample at least that much older than the
    /// newest, or the oldest kept while the history is shorter (`None` with a single sample).
    #[must_use]
    pub fn at_least(&self, secs: f64) -> Option<&T> {
        let now = self.latest()?.taken_at();
        if self.items.len() < 2 {
            return None;
        }
        self.items
            .iter()
            .rev()
            .skip(1)
            .find(|s| s.taken_at() <= now - secs)
            .or_else(|| self.items.front())
    }

    /// How many samples are kept.
    #[must_use]
    pub fn len(&self) -> usize {
        self.items.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn clear(&mut self) {
        self.items.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pushed(times: &[f64], secs: f64, cap: usize) -> Recent<(f64, ())> {
        let mut recent = Recent::new(secs, cap);
        for t in times {
            recent.push((*t, ()));
        }
        recent
    }

    #[test]
    fn the_base_is_the_newest_sample_old_enough() {
        let r = pushed(&[0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0], 10.0, 32);
        assert_eq!(r.base().map(|s| s.0), Some(4.0));
        assert_eq!(r.previous().map(|s| s.0), Some(12.0));
        assert_eq!(r.latest().map(|s| s.0), Some(14.0));
    }

    #[test]
    fn a_short_history_is_used_whole_and_one_sample_has_no_base() {
        assert_eq!(
            pushed(&[0.0, 1.0, 2.0], 10.0, 32).base().map(|s| s.0),
            Some(0.0)
        );
        assert!(pushed(&[5.0], 10.0, 32).base().is_none());
        assert!(pushed(&[5.0], 10.0, 32).previous().is_none());
    }

    #[test]
    fn a_thinned_history_keeps_a_base_near_every_window_from_few_samples() {
        let mut r = Recent::thinned(900.0, 100, 10.0);
        for i in 0..3000 {
            r.push((f64::from(i) * 0.5, ()));
        }
        let now = 1499.5;
        assert!(r.len() <= 90, "{} samples for 15 minutes at 0.5 s", r.len());
        assert_eq!(
            r.previous().map(|s| s.0),
            Some(1499.0),
            "the last interval stays exact"
        );
        for window in [60.0, 300.0, 900.0] {
            let base = r.at_least(window).unwrap().0;
            let span = now - base;
            assert!(
                span >= window && span <= window * 1.12,
                "window {window}: base {span} s back"
            );
        }
    }

    #[test]
    fn a_short_history_gives_the_oldest_as_every_base() {
        let r = pushed(&[0.0, 2.0, 4.0], 900.0, 32);
        assert_eq!(r.at_least(60.0).map(|s| s.0), Some(0.0));
        assert_eq!(r.at_least(1.0).map(|s| s.0), Some(2.0));
        assert!(pushed(&[5.0], 900.0, 32).at_least(60.0).is_none());
    }

    #[test]
    fn the_cap_bounds_memory_at_very_short_refreshes() {
        let times: Vec<f64> = (0..1000).map(f64::from).collect();
        let r = pushed(&times, 100.0, 32);
        assert_eq!(
            r.base().map(|s| s.0),
            Some(968.0),
            "32 samples, not the 100 s asked for"
        );
    }
}
