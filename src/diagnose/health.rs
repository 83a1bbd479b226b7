//! ok / warn / critical: the thresholds every figure is judged by, in one place.

/// How a figure should worry the DBA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Level {
    /// Not enough data to judge (e.g. the first sample, no privilege).
    #[default]
    Unknown,
    Ok,
    Warn,
    Critical,
}

impl Level {
    /// A word that carries the level without colour (NO_COLOR, screen readers, reports).
    #[must_use]
    pub fn word(self) -> &'static str {
        match self {
            Level::Unknown => "n/a",
            Level::Ok => "ok",
            Level::Warn => "WARN",
            Level::Critical => "CRIT",
        }
    }
}

/// A figure and how it is judged.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Figure<T> {
    pub value: T,
    pub level: Level,
}

impl<T> Figure<T> {
    pub fn new(value: T, level: Level) -> Self {
        Self { value, level }
    }
}

/// Warn and critical bounds for a figure where higher is worse.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Above {
    pub warn: f64,
    pub critical: f64,
}

impl Above {
    #[must_use]
    pub fn judge(self, value: f64) -> Level {
        if value >= self.critical {
            Level::Critical
        } else if value >= self.warn {
            Level::Warn
        } else {
            Level::Ok
        }
    }

    /// Higher values are worse.
    #[must_use]
    pub const fn higher_is_worse(self) -> bool {
        true
    }

    /// Judges an optional value; `None` (nothing of the kind) is fine.
    #[must_use]
    pub fn judge_opt(self, value: Option<f64>) -> Level {
        value.map_or(Level::Ok, |v| self.judge(v))
    }
}

/// Warn and critical bounds for a figure where lower is worse.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Below {
    pub warn: f64,
    pub critical: f64,
}

impl Below {
    /// Lower values are worse.
    #[must_use]
    pub const fn higher_is_worse(self) -> bool {
        false
    }

    #[must_use]
    pub fn judge(self, value: f64) -> Level {
        if value <= self.critical {
            Level::Critical
        } else if value <= self.warn {
            Level::Warn
        } else {
            Level::Ok
        }
    }
}

/// The thresholds of the Overview (the reference reports' pool targets: 80 % / 90 %).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// Connections in use, percent of max_connections less the superuser reserve.
    pub connections_pct: Above,
    /// Oldest idle-in-transaction session, seconds.
    pub idle_in_transaction_secs: Above,
    /// Longest wait for a lock, seconds.
    pub lock_wait_secs: Above,
    /// Oldest open transaction, seconds.
    pub transaction_age_secs: Above,
    /// Buffer cache hit ratio over the interval, percent.
    pub cache_hit_pct: Below,
    /// Temporary file bytes written per second.
    pub temp_bytes_per_sec: Above,
    /// Deadlocks in the interval.
    pub deadlocks: Above,
    /// Transaction-id age of the oldest database (wraparound at 2^31).
    pub xid_age: Above,
    /// Multixact age of the oldest database.
    pub mxid_age: Above,
    /// Replication replay lag, seconds.
    pub replication_lag_secs: Above,
    /// Replication lag, bytes of WAL.
    pub replication_lag_bytes: Above,
    /// A statement's mean execution time since the statistics reset, milliseconds.
    pub statement_mean_ms: Above,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl Thresholds {
    /// The defaults.
    pub const DEFAULT: Thresholds = Thresholds {
        connections_pct: Above {
            warn: 80.0,
            critical: 90.0,
        },
        idle_in_transaction_secs: Above {
            warn: 60.0,
            critical: 300.0,
        },
        lock_wait_secs: Above {
            warn: 5.0,
            critical: 30.0,
        },
        transaction_age_secs: Above {
            warn: 300.0,
            critical: 1800.0,
        },
        cache_hit_pct: Below {
            warn: 99.0,
            critical: 95.0,
        },
        temp_bytes_per_sec: Above {
            warn: 1024.0 * 1024.0,
            critical: 64.0 * 1024.0 * 1024.0,
        },
        deadlocks: Above {
            warn: 1.0,
            critical: 5.0,
        },
        xid_age: Above {
            warn: 1.0e9,
            critical: 1.5e9,
        },
        mxid_age: Above {
            warn: 1.0e9,
            critical: 1.5e9,
        },
        replication_lag_secs: Above {
            warn: 30.0,
            critical: 300.0,
        },
        replication_lag_bytes: Above {
            warn: 64.0 * 1024.0 * 1024.0,
            critical: 1024.0 * 1024.0 * 1024.0,
        },
        statement_mean_ms: Above {
            warn: 1000.0,
            critical: 10_000.0,
        },
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_inclusive_and_ordered() {
        let t = Thresholds::default();
        assert_eq!(t.connections_pct.judge(79.9), Level::Ok);
        assert_eq!(t.connections_pct.judge(80.0), Level::Warn);
        assert_eq!(t.connections_pct.judge(90.0), Level::Critical);
        assert_eq!(t.cache_hit_pct.judge(99.5), Level::Ok);
        assert_eq!(t.cache_hit_pct.judge(98.0), Level::Warn);
        assert_eq!(t.cache_hit_pct.judge(90.0), Level::Critical);
        assert_eq!(t.idle_in_transaction_secs.judge_opt(None), Level::Ok);
        assert!(
            Level::Critical > Level::Warn && Level::Warn > Level::Ok && Level::Ok > Level::Unknown
        );
    }
}
