//! When a push may go (RULES.md H, "the evidence decides the channel"):
//! the daily digest's hour and the runner's quiet hours, in local time.
//!
//! Pure: "now" and the runner's UTC offset come in as data (the daemon reads
//! `config::local_offset_s()` at each delivery round, so a DST change is
//! picked up on the next round). Instants are UTC milliseconds.

use std::fmt;

const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 86_400_000;
const DAY_MIN: u16 = 24 * 60;

/// The hour (local) the daily digest goes at when the config does not say:
/// early evening, after most runners' day and before the usual quiet hours,
/// so a warning is read before the next morning's run.
pub const DEFAULT_DIGEST_HOUR: u8 = 19;

/// A daily range of local time in which nothing is pushed, e.g.
/// "22:00-07:00". `start` is inside, `end` is not; a range whose start is
/// after its end crosses midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    /// Minutes after local midnight, 0..1440.
    pub start_min: u16,
    /// Minutes after local midnight, 0..1440, never equal to `start_min`.
    pub end_min: u16,
}

impl QuietHours {
    /// "HH:MM-HH:MM" (24-hour clock, "24:00" not allowed; start ≠ end).
    pub fn parse(text: &str) -> Result<QuietHours, String> {
        let (start, end) = text.split_once('-').ok_or_else(|| {
            format!("\"{text}\" is not a range of two times like \"22:00-07:00\"")
        })?;
        let start_min = parse_clock(start.trim())?;
        let end_min = parse_clock(end.trim())?;
        if start_min == end_min {
            return Err(format!(
                "\"{text}\" starts and ends at the same time; leave quiet_hours unset for none"
            ));
        }
        Ok(QuietHours { start_min, end_min })
    }

    /// Whether `at_ms` falls inside the quiet hours at UTC offset `offset_s`.
    pub fn contains(&self, at_ms: i64, offset_s: i32) -> bool {
        let t = local_ms_of_day(at_ms, offset_s);
        let (start, end) = (
            i64::from(self.start_min) * MINUTE_MS,
            i64::from(self.end_min) * MINUTE_MS,
        );
        if start < end {
            start <= t && t < end
        } else {
            t >= start || t < end
        }
    }

    /// The instant the quiet period that `at_ms` falls in ends; `at_ms`
    /// itself when it is outside quiet hours.
    pub fn end_of(&self, at_ms: i64, offset_s: i32) -> i64 {
        if self.contains(at_ms, offset_s) {
            // `end` is outside the range, so its next occurrence is strictly
            // after `at_ms`: the end of this very period.
            next_local_time(at_ms, self.end_min, offset_s)
        } else {
            at_ms
        }
    }
}

impl fmt::Display for QuietHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}:{:02}-{:02}:{:02}",
            self.start_min / 60,
            self.start_min % 60,
            self.end_min / 60,
            self.end_min % 60
        )
    }
}

fn parse_clock(text: &str) -> Result<u16, String> {
    let bad = || format!("\"{text}\" is not a time like \"07:00\" (HH:MM, 00:00 to 23:59)");
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return Err(bad());
    }
    let h: u16 = h.parse().map_err(|_| bad())?;
    let m: u16 = m.parse().map_err(|_| bad())?;
    if h > 23 || m > 59 {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// Milliseconds since local midnight of `at_ms` at UTC offset `offset_s`.
fn local_ms_of_day(at_ms: i64, offset_s: i32) -> i64 {
    (at_ms + i64::from(offset_s) * 1000).rem_euclid(DAY_MS)
}

/// The first instant at or after `after_ms` whose local time of day (at
/// UTC offset `offset_s`) is `minute_of_day`.
pub fn next_local_time(after_ms: i64, minute_of_day: u16, offset_s: i32) -> i64 {
    let offset_ms = i64::from(offset_s) * 1000;
    let local = after_ms + offset_ms;
    let midnight = local - local.rem_euclid(DAY_MS);
    let mut at = midnight + i64::from(minute_of_day % DAY_MIN) * MINUTE_MS;
    if at < local {
        at += DAY_MS;
    }
    at - offset_ms
}

/// Which alerts are pushed when, as configured in `[notify]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Local hour (0–23) of the daily digest of `warn` alerts.
    pub digest_hour: u8,
    pub quiet_hours: Option<QuietHours>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            digest_hour: DEFAULT_DIGEST_HOUR,
            quiet_hours: None,
        }
    }
}

impl Policy {
    /// Whether nothing may be pushed at `at_ms`.
    pub fn is_quiet(&self, at_ms: i64, offset_s: i32) -> bool {
        self.quiet_hours
            .is_some_and(|q| q.contains(at_ms, offset_s))
    }

    /// The earliest instant at or after `due_ms` a push may go: `due_ms`,
    /// or the end of the quiet hours it falls in.
    pub fn push_at(&self, due_ms: i64, offset_s: i32) -> i64 {
        self.quiet_hours
            .map_or(due_ms, |q| q.end_of(due_ms, offset_s))
    }

    /// When the digest holding an alert queued at `queued_ms` goes: the
    /// first digest hour at or after it, moved to the end of the quiet
    /// hours when it falls inside them.
    pub fn digest_at(&self, queued_ms: i64, offset_s: i32) -> i64 {
        let hour = next_local_time(queued_ms, u16::from(self.digest_hour) * 60, offset_s);
        self.push_at(hour, offset_s)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// 2025-06-02 00:00 UTC, a Monday.
    const MIDNIGHT: i64 = 1_748_822_400_000;
    const H: i64 = 3_600_000;
    const M: i64 = MINUTE_MS;
    const IST: i32 = 5 * 3600 + 1800; // +05:30, no DST
    const NPT: i32 = 5 * 3600 + 2700; // +05:45
    const NEWFOUNDLAND: i32 = -(3 * 3600 + 1800); // -03:30

    fn quiet(text: &str) -> QuietHours {
        QuietHours::parse(text).unwrap()
    }

    #[test]
    fn quiet_hours_parse_and_print_back() {
        let q = quiet("22:00-07:00");
        assert_eq!((q.start_min, q.end_min), (22 * 60, 7 * 60));
        assert_eq!(q.to_string(), "22:00-07:00");
        assert_eq!(quiet(" 9:30 - 12:15 ").to_string(), "09:30-12:15");
        assert_eq!(quiet("00:00-23:59").to_string(), "00:00-23:59");
    }

    #[test]
    fn bad_quiet_hours_say_what_is_wrong() {
        for (text, says) in [
            ("22:00", "not a range"),
            ("22-07", "not a time"),
            ("24:00-07:00", "not a time"),
            ("22:60-07:00", "not a time"),
            ("22:0-07:00", "not a time"),
            ("ab:cd-07:00", "not a time"),
            ("07:00-07:00", "same time"),
        ] {
            let e = QuietHours::parse(text).unwrap_err();
            assert!(e.contains(says), "{text}: {e}");
        }
    }

    #[test]
    fn a_range_within_one_day() {
        let q = quiet("13:00-15:00");
        assert!(!q.contains(MIDNIGHT + 13 * H - 1, 0));
        assert!(q.contains(MIDNIGHT + 13 * H, 0), "start is inside");
        assert!(q.contains(MIDNIGHT + 15 * H - 1, 0));
        assert!(!q.contains(MIDNIGHT + 15 * H, 0), "end is outside");
        assert_eq!(q.end_of(MIDNIGHT + 14 * H, 0), MIDNIGHT + 15 * H);
        assert_eq!(q.end_of(MIDNIGHT + 16 * H, 0), MIDNIGHT + 16 * H);
    }

    #[test]
    fn a_range_across_midnight_ends_the_next_morning() {
        let q = quiet("22:00-07:00");
        assert!(q.contains(MIDNIGHT + 23 * H, 0));
        assert!(q.contains(MIDNIGHT + 3 * H, 0));
        assert!(!q.contains(MIDNIGHT + 7 * H, 0));
        assert!(!q.contains(MIDNIGHT + 21 * H + 59 * M, 0));
        // Late evening: the end is tomorrow at 07:00.
        assert_eq!(q.end_of(MIDNIGHT + 22 * H, 0), MIDNIGHT + 31 * H);
        assert_eq!(q.end_of(MIDNIGHT + 23 * H + 30 * M, 0), MIDNIGHT + 31 * H);
        // Small hours: the end is this morning.
        assert_eq!(q.end_of(MIDNIGHT + 3 * H, 0), MIDNIGHT + 7 * H);
        assert_eq!(q.end_of(MIDNIGHT, 0), MIDNIGHT + 7 * H);
    }

    #[test]
    fn half_hour_offsets_shift_local_time_without_dst() {
        // 22:00-07:00 in India (+05:30) is 16:30-01:30 UTC.
        let q = quiet("22:00-07:00");
        assert!(!q.contains(MIDNIGHT + 16 * H + 29 * M, IST));
        assert!(q.contains(MIDNIGHT + 16 * H + 30 * M, IST));
        assert!(q.contains(MIDNIGHT + 25 * H + 29 * M, IST));
        assert!(!q.contains(MIDNIGHT + 25 * H + 30 * M, IST));
        assert_eq!(q.end_of(MIDNIGHT + 20 * H, IST), MIDNIGHT + 25 * H + 30 * M);
        // 19:00 local: 13:30 UTC in India, 13:15 UTC in Nepal, 22:30 UTC in
        // Newfoundland.
        assert_eq!(
            next_local_time(MIDNIGHT, 19 * 60, IST),
            MIDNIGHT + 13 * H + 30 * M
        );
        assert_eq!(
            next_local_time(MIDNIGHT, 19 * 60, NPT),
            MIDNIGHT + 13 * H + 15 * M
        );
        assert_eq!(
            next_local_time(MIDNIGHT, 19 * 60, NEWFOUNDLAND),
            MIDNIGHT + 22 * H + 30 * M
        );
    }

    #[test]
    fn next_local_time_is_at_or_after_and_within_a_day() {
        // Exactly on the minute: that instant.
        assert_eq!(
            next_local_time(MIDNIGHT + 19 * H, 19 * 60, 0),
            MIDNIGHT + 19 * H
        );
        // A millisecond later: tomorrow.
        assert_eq!(
            next_local_time(MIDNIGHT + 19 * H + 1, 19 * 60, 0),
            MIDNIGHT + 43 * H
        );
        // Local date differs from the UTC date: 23:00 UTC is 04:30 the
        // next day in India; 19:00 local that day is 13:30 UTC.
        assert_eq!(
            next_local_time(MIDNIGHT + 23 * H, 19 * 60, IST),
            MIDNIGHT + 24 * H + 13 * H + 30 * M
        );
        for offset in [0, IST, NPT, NEWFOUNDLAND, -10 * 3600, 14 * 3600] {
            for step in 0..100 {
                let after = MIDNIGHT + step * 37 * M + 11;
                let at = next_local_time(after, 7 * 60, offset);
                assert!(at >= after && at < after + DAY_MS, "{offset} {step}");
                assert_eq!(local_ms_of_day(at, offset), 7 * H);
            }
        }
    }

    #[test]
    fn the_digest_goes_at_the_first_digest_hour_after_the_alert() {
        let p = Policy::default();
        assert_eq!(p.digest_hour, 19);
        // Queued in the morning: tonight at 19:00.
        assert_eq!(p.digest_at(MIDNIGHT + 8 * H, 0), MIDNIGHT + 19 * H);
        // Queued just after the hour: tomorrow's digest.
        assert_eq!(p.digest_at(MIDNIGHT + 19 * H + M, 0), MIDNIGHT + 43 * H);
        // In India, queued at 10:00 local (04:30 UTC): 19:00 local.
        assert_eq!(
            p.digest_at(MIDNIGHT + 4 * H + 30 * M, IST),
            MIDNIGHT + 13 * H + 30 * M
        );
    }

    #[test]
    fn a_digest_hour_inside_quiet_hours_goes_when_they_end() {
        let p = Policy {
            digest_hour: 23,
            quiet_hours: Some(quiet("22:00-07:00")),
        };
        assert_eq!(p.digest_at(MIDNIGHT + 8 * H, 0), MIDNIGHT + 31 * H);
        // The same in +05:30: 23:00 local is quiet, so 07:00 local next day.
        assert_eq!(
            p.digest_at(MIDNIGHT + 8 * H - IST as i64 * 1000, IST),
            MIDNIGHT + 31 * H - IST as i64 * 1000
        );
        // Outside quiet hours the hour stands.
        let p = Policy {
            digest_hour: 19,
            quiet_hours: Some(quiet("22:00-07:00")),
        };
        assert_eq!(p.digest_at(MIDNIGHT + 8 * H, 0), MIDNIGHT + 19 * H);
    }

    #[test]
    fn pushes_wait_for_the_end_of_quiet_hours() {
        let p = Policy {
            digest_hour: 19,
            quiet_hours: Some(quiet("22:00-07:00")),
        };
        assert!(p.is_quiet(MIDNIGHT + 23 * H, 0));
        assert!(!p.is_quiet(MIDNIGHT + 12 * H, 0));
        assert_eq!(p.push_at(MIDNIGHT + 23 * H, 0), MIDNIGHT + 31 * H);
        assert_eq!(p.push_at(MIDNIGHT + 12 * H, 0), MIDNIGHT + 12 * H);
        // No quiet hours: never held.
        let none = Policy::default();
        assert!(!none.is_quiet(MIDNIGHT + 23 * H, 0));
        assert_eq!(none.push_at(MIDNIGHT + 23 * H, 0), MIDNIGHT + 23 * H);
    }
}
