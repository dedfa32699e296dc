//! Whether an activity's clock can be believed (RULES.md F, "times that
//! cannot be true"). Pure: an `Activity` in, the same activity with stray
//! points left out and, when its time cannot be true, the reason out.
//!
//! A device without a clock writes 1970 or 1901; a phone app that confuses
//! milliseconds with seconds writes the year 7572; a route compiled from
//! several rides spans months. Such an activity is kept (its distance,
//! pace and climbing are real) but its *time* is unknown: the rules and the
//! baseline leave it out until the runner says when it was
//! (`tendonwatch tag ID --start …`). Elapsed and moving time always come
//! from the track itself, never from a time the file declares elsewhere.

use crate::activity::Activity;
use crate::zone::DAY_MS;

/// 1990-01-01T00:00:00Z: no GPS watch recorded a run before it (the FIT
/// epoch is 1989-12-31, where a watch without a clock starts counting).
pub const EARLIEST_MS: i64 = 631_152_000_000;
/// A start more than a day ahead of this machine's clock is in the future
/// whatever the time zones involved.
pub const AHEAD_MS: i64 = DAY_MS;
/// Longer than a week is no single activity's clock (multi-day ultras and
/// hikes last days, not weeks).
pub const LONGEST_MS: i64 = 7 * DAY_MS;
/// A file's declared time and its track a year apart contradict each
/// other: one of the two clocks is wrong and nothing says which.
pub const DISAGREE_MS: i64 = 365 * DAY_MS;
/// Points far (more than [`LONGEST_MS`]) from the rest of the track that
/// make up at most this share of it are strays of a broken clock and are
/// left out; a larger share means the track itself is a patchwork.
pub const STRAY_SHARE: f64 = 0.05;
/// A start declared up to an hour before the first point is a watch that
/// started its timer before the first fix; farther, the first point wins.
const START_LEAD_MS: i64 = 3_600_000;

/// What [`settle`] did and found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Settled {
    /// Why the start cannot be trusted; None when it can.
    pub unknown: Option<String>,
    /// Points left out as strays, said once in the file's warning.
    pub note: Option<String>,
}

/// Leave out stray points, re-anchor the start on the track when the start
/// came from one of them, and judge the clock against `now_ms`. The result
/// is also written into `a.time_unknown`.
pub fn settle(a: &mut Activity, now_ms: i64) -> Settled {
    let note = drop_strays(a);
    let unknown = judge(a, now_ms);
    a.time_unknown = unknown.clone();
    Settled { unknown, note }
}

/// The reason an activity's time cannot be true, or None.
pub fn judge(a: &Activity, now_ms: i64) -> Option<String> {
    let start = a.start_ms;
    let (first, last) = match (a.samples.first(), a.samples.last()) {
        (Some(f), Some(l)) => (f.time_ms.min(start), l.time_ms),
        _ => {
            let elapsed_ms = a.summary.total_elapsed_s.map_or(0.0, |s| s * 1000.0) as i64;
            (start, start.saturating_add(elapsed_ms))
        }
    };
    let declared = a.declared_start_ms.filter(|&d| plausible(d, now_ms));
    let hint = match declared {
        Some(d) if day(d) != day(start) => format!("; the file itself is dated {}", day(d)),
        _ => String::new(),
    };
    if start < EARLIEST_MS {
        return Some(format!(
            "the track is dated {}, before 1990: the device's clock was not set{hint}",
            day(start)
        ));
    }
    if start > now_ms.saturating_add(AHEAD_MS) {
        return Some(format!(
            "the track is dated {}, after today: the device's clock was wrong{hint}",
            day(start)
        ));
    }
    if last.saturating_sub(first) > LONGEST_MS {
        return Some(format!(
            "the track's times run from {} to {} ({} days): no single activity lasts that long",
            day(first),
            day(last),
            (last - first) / DAY_MS
        ));
    }
    if let Some(d) = declared {
        if (d - start).abs() > DISAGREE_MS {
            return Some(format!(
                "the file says {} but its track is dated {}: one of its clocks is wrong",
                day(d),
                day(start)
            ));
        }
    }
    None
}

/// A time that could be a recording's: from 1990 to a day from now.
pub fn plausible(ms: i64, now_ms: i64) -> bool {
    (EARLIEST_MS..=now_ms.saturating_add(AHEAD_MS)).contains(&ms)
}

/// Points separated from the bulk of the track by more than a week, when
/// they are a small share of it: left out, laps and pauses with them. The
/// start follows the track when it sat outside the kept span.
fn drop_strays(a: &mut Activity) -> Option<String> {
    let n = a.samples.len();
    if n < 2 {
        return None;
    }
    // Decoders sort samples by time: clusters are split by long gaps.
    let mut clusters: Vec<(usize, usize)> = Vec::new();
    let mut from = 0;
    for i in 1..n {
        if a.samples[i].time_ms - a.samples[i - 1].time_ms > LONGEST_MS {
            clusters.push((from, i));
            from = i;
        }
    }
    clusters.push((from, n));
    if clusters.len() < 2 {
        return None;
    }
    let &(keep_from, keep_to) = clusters.iter().max_by_key(|(f, t)| t - f)?;
    let strays = n - (keep_to - keep_from);
    if strays as f64 > STRAY_SHARE * n as f64 {
        return None;
    }
    let stray_days: Vec<String> = clusters
        .iter()
        .filter(|&&c| c != (keep_from, keep_to))
        .map(|&(f, _)| day(a.samples[f].time_ms))
        .collect();
    a.samples.truncate(keep_to);
    a.samples.drain(..keep_from);
    let (first, last) = (a.samples[0].time_ms, a.samples[a.samples.len() - 1].time_ms);
    a.laps
        .retain(|l| (first - START_LEAD_MS..=last).contains(&l.start_ms));
    a.pauses
        .retain(|p| p.start_ms >= first - START_LEAD_MS && p.end_ms <= last);
    if !(first - START_LEAD_MS..=first).contains(&a.start_ms) {
        a.start_ms = first;
    }
    Some(format!(
        "left out {} dated {}, more than a week from the other {} points",
        crate::units::plural(strays, "track point", "track points"),
        stray_days.join(", "),
        a.samples.len()
    ))
}

/// Move a whole activity in time: the runner said when it really started.
/// Every instant moves by the same amount, so durations, pace and pauses
/// stay exactly what the track says.
pub fn shift(a: &mut Activity, new_start_ms: i64) {
    let delta = new_start_ms - a.start_ms;
    a.start_ms = new_start_ms;
    for s in &mut a.samples {
        s.time_ms += delta;
    }
    for l in &mut a.laps {
        l.start_ms += delta;
    }
    for p in &mut a.pauses {
        p.start_ms += delta;
        p.end_ms += delta;
    }
    a.time_unknown = None;
}

/// A start the runner typed: RFC 3339 with `Z` or an offset (kept as the
/// run's offset), or a local time in `zone` (every form
/// [`crate::zone::parse_instant`] takes); a time a recording could have,
/// 1990 to a day from now. Returns the instant and the offset it was given
/// at.
pub fn parse_start(
    text: &str,
    zone: &crate::zone::Zone,
    now_ms: i64,
) -> Result<(i64, i32), String> {
    let ms = crate::zone::parse_instant(text, zone, now_ms)?;
    let offset = match chrono::DateTime::parse_from_rfc3339(text.trim()) {
        Ok(t) => t.offset().local_minus_utc(),
        Err(_) => zone.offset_s_at(ms),
    };
    if !plausible(ms, now_ms) {
        return Err(format!("'{}': give a time from 1990 to today", text.trim()));
    }
    Ok((ms, offset))
}

/// `YYYY-MM-DD` (UTC) of an instant, for reasons; years past 9999 and
/// before year 0 are written as chrono writes them.
fn day(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map_or_else(|| format!("{ms} ms"), |t| t.format("%Y-%m-%d").to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::activity::{Activity, Pause, Sample, Sport};

    const NOW: i64 = 1_796_000_000_000; // 2026-11-30

    fn track(times: &[i64]) -> Activity {
        let mut a = Activity::new(Sport::Running, times[0]);
        a.samples = times.iter().map(|&t| Sample::at(t)).collect();
        a
    }

    fn run_at(start: i64, minutes: i64) -> Activity {
        track(
            &(0..=minutes)
                .map(|m| start + m * 60_000)
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn an_ordinary_run_is_left_alone() {
        let mut a = run_at(NOW - 5 * DAY_MS, 45);
        let before = a.clone();
        assert_eq!(settle(&mut a, NOW), Settled::default());
        assert_eq!(a, before);
    }

    #[test]
    fn a_track_from_1970_or_1901_is_time_unknown_and_keeps_its_duration() {
        for start in [1_000, -2_147_483_000_000] {
            let mut a = run_at(start, 30);
            let s = settle(&mut a, NOW);
            let why = s.unknown.unwrap();
            assert!(why.contains("before 1990"), "{why}");
            assert_eq!(a.elapsed_s(), 1800.0);
            assert_eq!(a.time_unknown.as_deref(), Some(why.as_str()));
        }
    }

    #[test]
    fn the_future_a_month_long_track_and_a_disagreeing_file_are_time_unknown() {
        let mut future = run_at(NOW + 2 * DAY_MS, 30);
        assert!(judge(&future, NOW).unwrap().contains("after today"));
        future.start_ms = NOW + 12 * 3_600_000;
        for s in &mut future.samples {
            s.time_ms -= 2 * DAY_MS - 12 * 3_600_000;
        }
        assert_eq!(judge(&future, NOW), None, "within a day ahead: time zones");

        let start = NOW - 400 * DAY_MS;
        let mut patchwork = track(&[
            start,
            start + 60_000,
            start + 40 * DAY_MS,
            start + 90 * DAY_MS,
        ]);
        assert_eq!(
            drop_strays(&mut patchwork),
            None,
            "half the points: not strays"
        );
        let why = judge(&patchwork, NOW).unwrap();
        assert!(why.contains("90 days"), "{why}");

        let start = NOW - 900 * DAY_MS;
        let mut disagree = run_at(start, 30);
        disagree.declared_start_ms = Some(start + 2 * DISAGREE_MS);
        assert!(judge(&disagree, NOW).unwrap().contains("one of its clocks"));
        disagree.declared_start_ms = Some(start + DAY_MS);
        assert_eq!(judge(&disagree, NOW), None, "an export a day later");
        disagree.declared_start_ms = Some(i64::MAX / 4);
        assert_eq!(
            judge(&disagree, NOW),
            None,
            "an impossible declaration is no evidence"
        );
    }

    #[test]
    fn a_stray_point_years_away_is_left_out_and_the_start_follows_the_track() {
        // A Keep export: one point in the year 7571, the rest from 1970.
        let mut times: Vec<i64> = (0..100).map(|i| 900 + i * 1000).collect();
        times.push(176_782_000_000_000); // 7571-11

        let mut a = track(&times);
        a.pauses.push(Pause {
            start_ms: 10_000,
            end_ms: 20_000,
        });
        a.start_ms = 176_782_000_000_000;
        let s = settle(&mut a, NOW);
        let note = s.note.unwrap();
        assert!(
            note.starts_with("left out 1 track point dated 7571-"),
            "{note}"
        );
        assert_eq!(a.samples.len(), 100);
        assert_eq!(a.start_ms, 900);
        assert_eq!(a.elapsed_s(), 99.0);
        assert_eq!(a.pauses.len(), 1);
        assert!(s.unknown.unwrap().contains("1970-01-01"));
    }

    #[test]
    fn shifting_keeps_every_duration_and_clears_the_unknown() {
        let mut a = run_at(1_000, 30);
        a.pauses.push(Pause {
            start_ms: 61_000,
            end_ms: 121_000,
        });
        settle(&mut a, NOW);
        let elapsed = a.elapsed_s();
        shift(&mut a, NOW - DAY_MS);
        assert_eq!(a.start_ms, NOW - DAY_MS);
        assert_eq!(a.samples[0].time_ms, NOW - DAY_MS);
        assert_eq!(a.elapsed_s(), elapsed);
        assert_eq!(a.pauses[0].end_ms - a.pauses[0].start_ms, 60_000);
        assert_eq!(a.time_unknown, None);
        assert_eq!(judge(&a, NOW), None);
    }
}
