//! The runner's clock (issue 12): an IANA time zone, resolved with
//! chrono-tz's bundled database, and the one parser for every time a
//! runner types (CLI flags, config values, form fields).
//!
//! Local times are converted with the offset *of that instant*, never with
//! today's: a morning entry at 07:00 in January in Europe/Berlin is 06:00Z,
//! in July 05:00Z. A run keeps the offset its file recorded; everything the
//! runner types or reads is in this zone.

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc};
use std::path::Path;

/// A time zone: a named IANA zone, or a fixed offset (a test, a file that
/// only knows its offset, a machine without zone data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    Named(chrono_tz::Tz),
    /// Seconds east of UTC.
    Fixed(i32),
    /// No zone configured and none on this machine: times are read and
    /// shown as UTC, and every reader says the zone is unknown.
    Unknown,
}

/// A fixed offset (a run's own recorded offset) where a zone is expected.
impl From<i32> for Zone {
    fn from(offset_s: i32) -> Self {
        Zone::Fixed(offset_s)
    }
}

impl Default for Zone {
    fn default() -> Self {
        Zone::Fixed(0)
    }
}

/// What every time field accepts, for error messages.
pub const ACCEPTED: &str = "use RFC 3339 (2026-10-01T05:30:00Z, 2026-10-01T07:30+02:00), \
     YYYY-MM-DD, YYYY-MM-DDTHH:MM or HH:MM (today), local times in your time zone";

impl Zone {
    /// An IANA name ("Europe/Berlin", "UTC"), as in `[profile] time_zone`.
    pub fn from_name(name: &str) -> Result<Zone, String> {
        let name = name.trim();
        name.parse::<chrono_tz::Tz>().map(Zone::Named).map_err(|_| {
            format!("'{name}' is not an IANA time zone (like Europe/Berlin or America/New_York)")
        })
    }

    /// This machine's zone: `TZ` (a name, `:name` or a zoneinfo path),
    /// then the `/etc/localtime` link, then `/etc/timezone`;
    /// [`Zone::Unknown`] (read as UTC) when none names a zone the database
    /// knows.
    pub fn system() -> Zone {
        Self::from_system(
            std::env::var("TZ").ok().as_deref(),
            Path::new("/etc/localtime"),
            Path::new("/etc/timezone"),
        )
    }

    /// [`Zone::system`] with its inputs given (for tests).
    pub fn from_system(tz: Option<&str>, localtime: &Path, timezone_file: &Path) -> Zone {
        if let Some(tz) = tz.map(str::trim).filter(|t| !t.is_empty()) {
            let name = tz.trim_start_matches(':');
            if let Some(z) = zone_in_path(name).or_else(|| Zone::from_name(name).ok()) {
                return z;
            }
        }
        if let Ok(target) = std::fs::read_link(localtime) {
            if let Some(z) = zone_in_path(&target.to_string_lossy()) {
                return z;
            }
        }
        if let Ok(text) = std::fs::read_to_string(timezone_file) {
            if let Ok(z) = Zone::from_name(text.trim()) {
                return z;
            }
        }
        Zone::Unknown
    }

    /// The zone's name: "Europe/Berlin", or "UTC+02:00" for a fixed offset.
    pub fn name(&self) -> String {
        match self {
            Zone::Named(tz) => tz.name().to_string(),
            Zone::Fixed(s) => format!("UTC{}", offset_text(*s)),
            Zone::Unknown => "UTC (zone unknown)".to_string(),
        }
    }

    /// The offset from UTC at an instant, in seconds east.
    pub fn offset_s_at(&self, utc_ms: i64) -> i32 {
        match self {
            Zone::Fixed(s) => *s,
            Zone::Unknown => 0,
            Zone::Named(tz) => match DateTime::from_timestamp_millis(utc_ms) {
                Some(t) => tz
                    .offset_from_utc_datetime(&t.naive_utc())
                    .fix()
                    .local_minus_utc(),
                None => 0,
            },
        }
    }

    /// The local wall-clock time of an instant, as milliseconds on a UTC
    /// scale (what day and hour arithmetic works on).
    pub fn local_ms(&self, utc_ms: i64) -> i64 {
        utc_ms + i64::from(self.offset_s_at(utc_ms)) * 1000
    }

    /// The instant of a local wall-clock time. A time skipped by a spring
    /// change (02:30 in Berlin on the last Sunday of March) is read one
    /// hour later, as a clock would show it; a time that happens twice in
    /// autumn is the first one.
    pub fn to_utc(&self, local: NaiveDateTime) -> i64 {
        match self {
            Zone::Fixed(s) => local.and_utc().timestamp_millis() - i64::from(*s) * 1000,
            Zone::Unknown => local.and_utc().timestamp_millis(),
            Zone::Named(tz) => match tz.from_local_datetime(&local) {
                LocalResult::Single(t) => t.timestamp_millis(),
                LocalResult::Ambiguous(first, _) => first.timestamp_millis(),
                LocalResult::None => {
                    let later = local + chrono::Duration::hours(1);
                    match tz.from_local_datetime(&later) {
                        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => {
                            t.timestamp_millis()
                        }
                        LocalResult::None => later.and_utc().timestamp_millis(),
                    }
                }
            },
        }
    }

    /// Midnight (local) starting the local day of an instant.
    pub fn day_start(&self, utc_ms: i64) -> i64 {
        let local = self.local_ms(utc_ms);
        let day = local.div_euclid(86_400_000) * 86_400_000;
        let naive = DateTime::from_timestamp_millis(day)
            .map_or_else(NaiveDateTime::default, |t| t.naive_utc());
        self.to_utc(naive)
    }

    /// RFC 3339 with the zone's offset at that instant, seconds precision:
    /// `2026-07-01T07:00:00+02:00` (`Z` in UTC).
    pub fn rfc3339(&self, utc_ms: i64) -> String {
        rfc3339_at(utc_ms, self.offset_s_at(utc_ms))
    }

    /// [`rfc3339`](Self::rfc3339) with the milliseconds when there are
    /// any (`2026-07-01T07:00:00.315+02:00`): an instant that reads back
    /// exactly (the pain export, so two entries in one second stay two).
    pub fn rfc3339_exact(&self, utc_ms: i64) -> String {
        let format = if utc_ms.rem_euclid(1000) == 0 {
            SECONDS
        } else {
            MILLISECONDS
        };
        rfc3339_formatted(utc_ms, self.offset_s_at(utc_ms), format)
    }

    /// `YYYY-MM-DD HH:MM` in this zone, for listings.
    pub fn minute(&self, utc_ms: i64) -> String {
        format_local(utc_ms, self, "%Y-%m-%d %H:%M")
    }
}

/// An instant in `zone`, by a chrono format ("%B %Y": "March 2024").
pub fn format_local(utc_ms: i64, zone: &Zone, format: &str) -> String {
    DateTime::from_timestamp_millis(zone.local_ms(utc_ms))
        .map(|t| t.format(format).to_string())
        .unwrap_or_default()
}

/// RFC 3339 at a given offset (a run's own recorded offset).
pub fn rfc3339_at(utc_ms: i64, offset_s: i32) -> String {
    rfc3339_formatted(utc_ms, offset_s, SECONDS)
}

const SECONDS: &str = "%Y-%m-%dT%H:%M:%S";
const MILLISECONDS: &str = "%Y-%m-%dT%H:%M:%S%.3f";

fn rfc3339_formatted(utc_ms: i64, offset_s: i32, format: &str) -> String {
    let Some(t) = DateTime::from_timestamp_millis(utc_ms + i64::from(offset_s) * 1000) else {
        return String::new();
    };
    let zone = if offset_s == 0 {
        "Z".to_string()
    } else {
        offset_text(offset_s)
    };
    format!("{}{zone}", t.format(format))
}

/// `+02:00`, `-03:30`.
fn offset_text(s: i32) -> String {
    format!(
        "{}{:02}:{:02}",
        if s < 0 { '-' } else { '+' },
        s.abs() / 3600,
        s.abs() / 60 % 60
    )
}

/// A zone named by a zoneinfo path (`/usr/share/zoneinfo/Europe/Berlin`,
/// `../usr/share/zoneinfo/America/Sao_Paulo`) or a bare name.
fn zone_in_path(path: &str) -> Option<Zone> {
    let name = match path.rfind("zoneinfo/") {
        Some(i) => &path[i + "zoneinfo/".len()..],
        None => path,
    };
    let name = name.strip_prefix("posix/").unwrap_or(name);
    Zone::from_name(name).ok()
}

/// Every time a runner types, in one parser: RFC 3339 with `Z` or an offset
/// (seconds optional), or a local date, date-time or `HH:MM` (today) in
/// `zone`. The error names the accepted forms.
pub fn parse_instant(text: &str, zone: &Zone, now_ms: i64) -> Result<i64, String> {
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Ok(d.timestamp_millis());
    }
    // RFC 3339 without seconds: 2026-10-01T05:30Z, 2026-10-01T07:30+02:00.
    for format in ["%Y-%m-%dT%H:%M%#z", "%Y-%m-%d %H:%M%#z"] {
        if let Ok(d) = DateTime::parse_from_str(t, format) {
            return Ok(d.timestamp_millis());
        }
    }
    if let Some(rest) = t.strip_suffix('Z').or_else(|| t.strip_suffix('z')) {
        for format in ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
            if let Ok(n) = NaiveDateTime::parse_from_str(rest, format) {
                return Ok(n.and_utc().timestamp_millis());
            }
        }
    }
    if let Ok(day) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(zone.to_utc(day.and_time(NaiveTime::MIN)));
    }
    for format in [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S%.f",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(t, format) {
            return Ok(zone.to_utc(n));
        }
    }
    if let Ok(time) = NaiveTime::parse_from_str(t, "%H:%M") {
        let today = DateTime::from_timestamp_millis(zone.local_ms(now_ms))
            .map_or_else(|| Utc::now().date_naive(), |d| d.date_naive());
        return Ok(zone.to_utc(today.and_time(time)));
    }
    Err(format!("'{t}' is not a time: {ACCEPTED}"))
}

/// One day.
pub const DAY_MS: i64 = 86_400_000;

/// "today", "yesterday", "5 days ago", "3 weeks ago", "7 months ago", "2 years ago".
pub fn ago(ms: i64) -> String {
    let days = ms.max(0) / DAY_MS;
    let (n, unit) = match days {
        0 => return "today".to_string(),
        1 => return "yesterday".to_string(),
        2..=13 => (days, "day"),
        14..=59 => (days / 7, "week"),
        60..=729 => (days * 12 / 365, "month"),
        _ => (days / 365, "year"),
    };
    format!("{} ago", crate::units::plural(n, unit, &format!("{unit}s")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn berlin() -> Zone {
        Zone::from_name("Europe/Berlin").unwrap()
    }

    fn utc(text: &str) -> i64 {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn seven_in_the_morning_in_berlin_is_six_in_winter_and_five_in_summer() {
        let now = utc("2026-12-01T12:00:00Z");
        let z = berlin();
        assert_eq!(
            parse_instant("2026-01-15T07:00", &z, now).unwrap(),
            utc("2026-01-15T06:00:00Z")
        );
        assert_eq!(
            parse_instant("2026-07-15T07:00", &z, now).unwrap(),
            utc("2026-07-15T05:00:00Z")
        );
        assert_eq!(
            z.rfc3339(utc("2026-07-15T05:00:00Z")),
            "2026-07-15T07:00:00+02:00"
        );
        assert_eq!(
            z.rfc3339(utc("2026-01-15T06:00:00Z")),
            "2026-01-15T07:00:00+01:00"
        );
    }

    #[test]
    fn a_southern_zone_changes_the_other_way() {
        // Sydney: +11 in January (summer), +10 in July.
        let z = Zone::from_name("Australia/Sydney").unwrap();
        let now = utc("2026-12-01T12:00:00Z");
        assert_eq!(
            parse_instant("2026-01-15T07:00", &z, now).unwrap(),
            utc("2026-01-14T20:00:00Z")
        );
        assert_eq!(
            parse_instant("2026-07-15T07:00", &z, now).unwrap(),
            utc("2026-07-14T21:00:00Z")
        );
    }

    #[test]
    fn the_skipped_and_the_repeated_hour() {
        let z = berlin();
        let now = utc("2026-12-01T12:00:00Z");
        // 2026-03-29 02:30 does not exist in Berlin: read as 03:30 CEST.
        assert_eq!(
            parse_instant("2026-03-29T02:30", &z, now).unwrap(),
            utc("2026-03-29T01:30:00Z")
        );
        // 2026-10-25 02:30 happens twice: the first (CEST).
        assert_eq!(
            parse_instant("2026-10-25T02:30", &z, now).unwrap(),
            utc("2026-10-25T00:30:00Z")
        );
    }

    #[test]
    fn every_accepted_form_and_a_clear_refusal() {
        let z = berlin();
        let now = utc("2026-07-10T12:00:00Z");
        for (text, want) in [
            ("2026-10-01T05:30:00Z", "2026-10-01T05:30:00Z"),
            ("2026-10-01T05:30Z", "2026-10-01T05:30:00Z"),
            ("2026-10-01T07:30:00+02:00", "2026-10-01T05:30:00Z"),
            ("2026-10-01T07:30+02:00", "2026-10-01T05:30:00Z"),
            ("2026-10-01T07:30:00.250+02:00", "2026-10-01T05:30:00.250Z"),
            ("2026-10-01", "2026-09-30T22:00:00Z"),
            ("2026-10-01T07:30", "2026-10-01T05:30:00Z"),
            ("2026-10-01 07:30", "2026-10-01T05:30:00Z"),
            ("2026-10-01T07:30:15", "2026-10-01T05:30:15Z"),
            ("06:15", "2026-07-10T04:15:00Z"),
        ] {
            assert_eq!(parse_instant(text, &z, now), Ok(utc(want)), "{text}");
        }
        for bad in [
            "last tuesday",
            "2026-13-01",
            "25:00",
            "2026-10-01T07:30+25:00",
            "",
        ] {
            let e = parse_instant(bad, &z, now).unwrap_err();
            assert!(e.contains("RFC 3339") && e.contains("HH:MM"), "{bad}: {e}");
        }
    }

    #[test]
    fn the_system_zone_comes_from_tz_then_the_localtime_link() {
        let dir = tempfile::tempdir().unwrap();
        let none = dir.path().join("absent");
        assert_eq!(
            Zone::from_system(Some("Europe/Berlin"), &none, &none),
            berlin()
        );
        assert_eq!(
            Zone::from_system(Some(":/usr/share/zoneinfo/Europe/Berlin"), &none, &none),
            berlin()
        );
        let link = dir.path().join("localtime");
        std::os::unix::fs::symlink("/usr/share/zoneinfo/America/Sao_Paulo", &link).unwrap();
        assert_eq!(
            Zone::from_system(None, &link, &none).name(),
            "America/Sao_Paulo"
        );
        let file = dir.path().join("timezone");
        std::fs::write(&file, "Asia/Shanghai\n").unwrap();
        assert_eq!(
            Zone::from_system(None, &none, &file).name(),
            "Asia/Shanghai"
        );
        assert_eq!(
            Zone::from_system(Some("Mars/Olympus"), &none, &none).name(),
            "UTC (zone unknown)"
        );
        assert!(
            Zone::from_name("Mars/Olympus")
                .unwrap_err()
                .contains("IANA")
        );
    }

    #[test]
    fn day_starts_follow_the_offset_of_the_day() {
        let z = berlin();
        assert_eq!(
            z.day_start(utc("2026-07-15T10:00:00Z")),
            utc("2026-07-14T22:00:00Z")
        );
        assert_eq!(
            z.day_start(utc("2026-01-15T10:00:00Z")),
            utc("2026-01-14T23:00:00Z")
        );
    }
}
