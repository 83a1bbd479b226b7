//! How figures are written on screen: sizes, durations, rates, counts, percents, bars.
//!
//! The one place numbers become text. Pure functions of their arguments; no styling (the
//! render functions add that), no terminal.

use std::borrow::Cow;
use std::time::Duration;

use ratatui::text::Span;

/// Bytes in binary units: `0 B`, `512 B`, `1.5 KiB`, `12.3 MiB`, `1.0 GiB`.
#[must_use]
pub fn bytes(n: f64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if !n.is_finite() || n.abs() < 1024.0 {
        return format!("{} B", n.round() as i64);
    }
    let mut value = n / 1024.0;
    let mut unit = UNITS[0];
    for next in &UNITS[1..] {
        if value.abs() < 1024.0 {
            break;
        }
        value /= 1024.0;
        unit = next;
    }
    if value.abs() < 10.0 {
        format!("{value:.1} {unit}")
    } else {
        format!("{value:.0} {unit}")
    }
}

/// Bytes per second: `3.2 MiB/s`.
#[must_use]
pub fn bytes_per_sec(n: f64) -> String {
    format!("{}/s", bytes(n))
}

/// An age or a wait, coarse as a DBA reads it: `0.4s`, `12s`, `3m12s`, `2h05m`, `3d04h`.
#[must_use]
pub fn age(secs: f64) -> String {
    if !secs.is_finite() || secs < 0.0 {
        return "-".to_owned();
    }
    if secs < 10.0 {
        return format!("{secs:.1}s");
    }
    let s = secs.round() as u64;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        3600..86_400 => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
        _ => format!("{}d{:02}h", s / 86_400, s % 86_400 / 3600),
    }
}

/// An optional age; `-` when there is nothing of the kind.
#[must_use]
pub fn age_opt(secs: Option<f64>) -> String {
    secs.map_or_else(|| "-".to_owned(), age)
}

/// How long ago something happened: `2s ago`, `3m12s ago`.
#[must_use]
pub fn ago(d: Duration) -> String {
    let secs = d.as_secs();
    if secs < 60 {
        format!("{secs}s ago")
    } else {
        format!("{} ago", age(secs as f64))
    }
}

/// Statement time from milliseconds: `0.12ms`, `4.5ms`, `340ms`, `1.23s`, `12.3s`, `3m12s`.
#[must_use]
pub fn millis(ms: f64) -> String {
    if !ms.is_finite() || ms < 0.0 {
        return "-".to_owned();
    }
    if ms < 1.0 {
        format!("{ms:.2}ms")
    } else if ms < 10.0 {
        format!("{ms:.1}ms")
    } else if ms < 1000.0 {
        format!("{ms:.0}ms")
    } else if ms < 10_000.0 {
        format!("{:.2}s", ms / 1000.0)
    } else if ms < 60_000.0 {
        format!("{:.1}s", ms / 1000.0)
    } else {
        age(ms / 1000.0)
    }
}

/// A count with thousands separators: `1,234,567`.
#[must_use]
pub fn count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A large count in at most three significant figures: `999`, `12.3k`, `1.23M`, `1.5G`, `2k`.
#[must_use]
pub fn compact(n: f64) -> String {
    let a = n.abs();
    let (value, unit) = if a < 1e3 {
        return format!("{}", n.round() as i64);
    } else if a < 1e6 {
        (n / 1e3, "k")
    } else if a < 1e9 {
        (n / 1e6, "M")
    } else {
        (n / 1e9, "G")
    };
    let digits = if value.abs() < 10.0 {
        format!("{value:.2}")
    } else if value.abs() < 100.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.0}")
    };
    let digits = if digits.contains('.') {
        digits.trim_end_matches('0').trim_end_matches('.')
    } else {
        &digits
    };
    format!("{digits}{unit}")
}

/// A per-second rate: `0.25`, `12.3`, `1,234`.
#[must_use]
pub fn rate(per_sec: f64) -> String {
    if !per_sec.is_finite() {
        "-".to_owned()
    } else if per_sec.abs() < 1.0 {
        format!("{per_sec:.2}")
    } else if per_sec.abs() < 100.0 {
        format!("{per_sec:.1}")
    } else {
        count(per_sec.round() as i64)
    }
}

/// A percentage with one decimal: `98.7%`; never rounds a value below 100 up to `100.0%`.
#[must_use]
pub fn percent(p: f64) -> String {
    if !p.is_finite() {
        "-".to_owned()
    } else if (99.95..100.0).contains(&p) {
        "99.9%".to_owned()
    } else {
        format!("{p:.1}%")
    }
}

/// The display width of a string in terminal columns.
#[must_use]
pub fn width(s: &str) -> usize {
    Span::raw(s).width()
}

/// Cuts `s` to at most `max` columns, ending with `…` when something was cut.
#[must_use]
pub fn truncate(s: &str, max: usize) -> Cow<'_, str> {
    if width(s) <= max {
        return Cow::Borrowed(s);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::new();
    let mut used = 0;
    let mut buf = [0u8; 4];
    for c in s.chars() {
        let w = width(c.encode_utf8(&mut buf));
        if used + w > max - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    Cow::Owned(out)
}

/// `text` in lines of at most `room` columns: whole ` · ` parts where they fit (a part that
/// starts a line drops its `·`), else words.
#[must_use]
pub fn wrap(text: &str, room: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for part in text.split(" · ") {
        if line.is_empty() && width(part) <= room {
            part.clone_into(&mut line);
            continue;
        }
        if !line.is_empty() && width(&line) + 3 + width(part) <= room {
            line.push_str(" · ");
            line.push_str(part);
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for word in part.split(' ') {
            if !line.is_empty() && width(&line) + 1 + width(word) > room {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// How many of `cells` a gauge fills for `fraction` (clamped to 0..=1; any non-zero value
/// shows at least one cell).
#[must_use]
pub fn filled_cells(fraction: f64, cells: usize) -> usize {
    if !fraction.is_finite() || fraction <= 0.0 {
        return 0;
    }
    let n = (fraction.min(1.0) * cells as f64).round() as usize;
    n.clamp(1, cells.max(1)).min(cells)
}

/// The cell of a gauge `cells` wide that marks `fraction` of it (e.g. the 80 % threshold).
#[must_use]
pub fn mark_cell(fraction: f64, cells: usize) -> Option<usize> {
    (cells > 0 && fraction.is_finite() && (0.0..=1.0).contains(&fraction))
        .then(|| ((fraction * cells as f64).round() as usize).min(cells - 1))
}

/// A round number at or above `x` for a chart's top: 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10ⁿ.
#[must_use]
pub fn nice_ceiling(x: f64) -> f64 {
    if !x.is_finite() || x <= 0.0 {
        return 1.0;
    }
    let scale = 10f64.powf(x.log10().floor());
    let steps = [1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0];
    let step = steps
        .iter()
        .find(|s| **s * scale >= x * (1.0 - 1e-9))
        .unwrap_or(&10.0);
    step * scale
}

/// The first word of a server version: `15.18 (Debian …)` → `15.18`.
#[must_use]
pub fn short_version(version: &str) -> &str {
    version.split_whitespace().next().unwrap_or(version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_use_binary_units() {
        assert_eq!(bytes(0.0), "0 B");
        assert_eq!(bytes(512.0), "512 B");
        assert_eq!(bytes(1536.0), "1.5 KiB");
        assert_eq!(bytes(3.2 * 1024.0 * 1024.0), "3.2 MiB");
        assert_eq!(bytes(123.0 * 1024.0 * 1024.0), "123 MiB");
        assert_eq!(bytes(1024.0_f64.powi(3)), "1.0 GiB");
        assert_eq!(bytes_per_sec(2048.0), "2.0 KiB/s");
    }

    #[test]
    fn ages_are_coarse() {
        assert_eq!(age(0.42), "0.4s");
        assert_eq!(age(12.0), "12s");
        assert_eq!(age(192.0), "3m12s");
        assert_eq!(age(7500.0), "2h05m");
        assert_eq!(age(3.0 * 86_400.0 + 4.0 * 3600.0), "3d04h");
        assert_eq!(age(-1.0), "-");
        assert_eq!(age_opt(None), "-");
        assert_eq!(ago(Duration::from_secs(2)), "2s ago");
        assert_eq!(ago(Duration::from_secs(192)), "3m12s ago");
    }

    #[test]
    fn millis_scale_to_seconds() {
        assert_eq!(millis(0.123), "0.12ms");
        assert_eq!(millis(4.54), "4.5ms");
        assert_eq!(millis(340.2), "340ms");
        assert_eq!(millis(1234.0), "1.23s");
        assert_eq!(millis(12_345.0), "12.3s");
        assert_eq!(millis(192_000.0), "3m12s");
    }

    #[test]
    fn counts_and_rates() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(-1_234_567), "-1,234,567");
        assert_eq!(compact(999.0), "999");
        assert_eq!(compact(12_345.0), "12.3k");
        assert_eq!(compact(1_234_567.0), "1.23M");
        assert_eq!(compact(1_500_000_000.0), "1.5G");
        assert_eq!(compact(2_000.0), "2k");
        assert_eq!(compact(1_203_456_789.0), "1.2G");
        assert_eq!(compact(200_000_000.0), "200M");
        assert_eq!(rate(0.25), "0.25");
        assert_eq!(rate(12.34), "12.3");
        assert_eq!(rate(1234.4), "1,234");
    }

    #[test]
    fn percents_never_round_up_to_full() {
        assert_eq!(percent(98.74), "98.7%");
        assert_eq!(percent(99.97), "99.9%");
        assert_eq!(percent(100.0), "100.0%");
        assert_eq!(percent(f64::NAN), "-");
    }

    #[test]
    fn truncation_counts_columns() {
        assert_eq!(truncate("select 1", 20), "select 1");
        assert_eq!(truncate("select 1", 8), "select 1");
        assert_eq!(truncate("select 1", 7), "select…");
        assert_eq!(truncate("select 1", 1), "…");
        assert_eq!(truncate("select 1", 0), "");
        assert_eq!(truncate("日本語テキスト", 5), "日本…");
    }

    #[test]
    fn gauges_fill_and_mark() {
        assert_eq!(filled_cells(0.0, 10), 0);
        assert_eq!(filled_cells(0.01, 10), 1);
        assert_eq!(filled_cells(0.5, 10), 5);
        assert_eq!(filled_cells(1.7, 10), 10);
        assert_eq!(filled_cells(0.5, 0), 0);
        assert_eq!(mark_cell(0.8, 30), Some(24));
        assert_eq!(mark_cell(1.0, 30), Some(29));
        assert_eq!(mark_cell(0.8, 0), None);
        assert!((nice_ceiling(95.0) - 100.0).abs() < 1e-9);
        assert!((nice_ceiling(100.0) - 100.0).abs() < 1e-9);
        assert!((nice_ceiling(1234.0) - 1500.0).abs() < 1e-9);
        assert!((nice_ceiling(0.3) - 0.3).abs() < 1e-9);
        assert!((nice_ceiling(0.0) - 1.0).abs() < 1e-9);
        assert_eq!(short_version("15.18 (Debian 15.18-0+deb12u1)"), "15.18");
    }
}
