//! The recent samples a "last N seconds" figure is computed from.
//!
//! Keeps the newest sample and every one after the newest that is at least `secs` older, so
//! the oldest kept is the base of a window of at least `secs` (or of everything there is, while
//! the history is shorter). Bounded in count, so a very short refresh cannot grow it without
//! limit: the window is then shorter, and the figures say over how long.

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
}

impl<T: Timed> Recent<T> {
    #[must_use]
    pub fn new(secs: f64, cap: usize) -> Self {
        Self {
            items: VecDeque::new(),
            secs,
            cap: cap.max(2),
        }
    }

    /// Adds the newest sample and forgets those no window needs any more.
    pub fn push(&mut self, item: T) {
        let now = item.taken_at();
        self.items.push_back(item);
        while self.items.len() > self.cap
            || (self.items.len() > 2 && self.items[1].taken_at() <= now - self.secs)
        {
            self.items.pop_front();
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
