//! When the morning check-in asks (RULES.md I). Pure: the plan, the
//! runner's zone, the quiet hours, the instant and what the runner did in;
//! the morning the question is for, and when it goes out, out.
//!
//! The hour is a wall-clock time in the runner's zone, so 07:30 stays 07:30
//! across a clock change (a time a spring change skips is read an hour
//! later, as a clock shows it). A check-in falling in quiet hours waits for
//! their end. A morning whose question could not go out before
//! [`LATEST_LOCAL_MIN`] (the daemon was down, the quiet hours ran long) is
//! not asked any more: "this morning" at night is a question about another
//! day.

use crate::notify::QuietHours;
use crate::zone::{DAY_MS, Zone};
use chrono::{Duration, NaiveDate, NaiveTime};

/// Past this local time (13:00) a morning is not asked about any more.
pub const LATEST_LOCAL_MIN: u16 = 13 * 60;

/// Which mornings ask (`[checkin] days`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Days {
    /// Every morning: the `return` profile's default (RULES.md I: the
    /// Silbernagel model reads every morning during a return).
    Daily,
    /// The morning after a day with a run: the `normal` profile's default.
    AfterRuns,
    Off,
}

impl Days {
    pub const NAMES: [&'static str; 3] = ["daily", "after-runs", "off"];

    pub fn parse(text: &str) -> Result<Days, String> {
        match text.trim() {
            "daily" => Ok(Days::Daily),
            "after-runs" => Ok(Days::AfterRuns),
            "off" => Ok(Days::Off),
            other => Err(format!(
                "\"{other}\" is not one of {}",
                Days::NAMES.join(", ")
            )),
        }
    }
}

/// The runner's check-in plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Minutes after local midnight, before [`LATEST_LOCAL_MIN`].
    pub minute_of_day: u16,
    pub days: Days,
    pub quiet: Option<QuietHours>,
}

/// A "HH:MM" check-in hour, in the morning (before 13:00).
pub fn parse_hour(text: &str) -> Result<u16, String> {
    let t = NaiveTime::parse_from_str(text.trim(), "%H:%M")
        .map_err(|_| format!("\"{text}\" is not a time like \"07:30\""))?;
    let minute = chrono::Timelike::hour(&t) * 60 + chrono::Timelike::minute(&t);
    let minute = u16::try_from(minute).unwrap_or(u16::MAX);
    if minute >= LATEST_LOCAL_MIN {
        return Err(format!(
            "\"{text}\" is not a morning: the check-in asks about this morning, before 13:00"
        ));
    }
    Ok(minute)
}

/// One morning's question: the runner's local date it is about and the
/// instant it goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Morning {
    pub date: NaiveDate,
    pub send_at_ms: i64,
}

impl Plan {
    /// The instant of `date`'s question, after quiet hours; None when that
    /// is past the morning.
    fn send_at(&self, date: NaiveDate, zone: &Zone) -> Option<i64> {
        let planned = wall_clock(zone, date, self.minute_of_day);
        let send = match self.quiet {
            Some(q) => q.end_of(planned, zone.offset_s_at(planned)),
            None => planned,
        };
        (send < morning_over_ms(zone, date)).then_some(send)
    }

    /// Does `date` ask at all? `ran_on` says whether the runner ran on a
    /// local date.
    fn asks_on(&self, date: NaiveDate, ran_on: &dyn Fn(NaiveDate) -> bool) -> bool {
        match self.days {
            Days::Daily => true,
            Days::AfterRuns => date.pred_opt().is_some_and(ran_on),
            Days::Off => false,
        }
    }

    /// The question due at `now_ms`: today's (in the runner's zone), when
    /// its instant has come, the morning is not over, the plan asks today
    /// and the runner has not answered yet. Whether it was already sent is
    /// the store's business (one row per morning).
    pub fn due(
        &self,
        zone: &Zone,
        now_ms: i64,
        ran_on: &dyn Fn(NaiveDate) -> bool,
        answered: &dyn Fn(NaiveDate) -> bool,
    ) -> Option<Morning> {
        let date = local_date(zone, now_ms)?;
        let send_at_ms = self.send_at(date, zone)?;
        (now_ms >= send_at_ms
            && now_ms < morning_over_ms(zone, date)
            && self.asks_on(date, ran_on)
            && !answered(date))
        .then_some(Morning { date, send_at_ms })
    }

    /// The next question after `now_ms` as things stand (a run today
    /// makes tomorrow ask in `after-runs`), within two weeks; None when
    /// the plan is off or nothing asks.
    pub fn next(
        &self,
        zone: &Zone,
        now_ms: i64,
        ran_on: &dyn Fn(NaiveDate) -> bool,
    ) -> Option<Morning> {
        let today = local_date(zone, now_ms)?;
        (0..14)
            .filter_map(|d| today.checked_add_signed(Duration::days(d)))
            .filter(|date| self.asks_on(*date, ran_on))
            .filter_map(|date| {
                let send_at_ms = self.send_at(date, zone)?;
                (send_at_ms > now_ms).then_some(Morning { date, send_at_ms })
            })
            .next()
    }
}

/// The instant `date`'s morning is over in `zone` ([`LATEST_LOCAL_MIN`],
/// 13:00 on the wall clock: on a clock-change day that is not 13 hours
/// after midnight).
pub fn morning_over_ms(zone: &Zone, date: NaiveDate) -> i64 {
    wall_clock(zone, date, LATEST_LOCAL_MIN)
}

/// The instant the runner's clock shows `minute` minutes past midnight on
/// `date` (a time a spring change skips is read an hour later).
fn wall_clock(zone: &Zone, date: NaiveDate, minute: u16) -> i64 {
    zone.to_utc(date.and_time(NaiveTime::MIN) + Duration::minutes(i64::from(minute)))
}

/// The runner's local date of an instant.
pub fn local_date(zone: &Zone, utc_ms: i64) -> Option<NaiveDate> {
    chrono::DateTime::from_timestamp_millis(zone.local_ms(utc_ms).div_euclid(DAY_MS) * DAY_MS)
        .map(|t| t.date_naive())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn berlin() -> Zone {
        Zone::from_name("Europe/Berlin").unwrap()
    }

    fn utc(text: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(text)
            .unwrap()
            .timestamp_millis()
    }

    fn plan(days: Days) -> Plan {
        Plan {
            minute_of_day: parse_hour("07:30").unwrap(),
            days,
            quiet: None,
        }
    }

    const NEVER: &dyn Fn(NaiveDate) -> bool = &|_| false;
    const ALWAYS: &dyn Fn(NaiveDate) -> bool = &|_| true;

    #[test]
    fn seven_thirty_stays_seven_thirty_across_both_berlin_clock_changes() {
        let p = plan(Days::Daily);
        // Winter (+01:00), the spring change on 29 March 2026 (+02:00 from
        // 02:00), summer, and the autumn change on 25 October 2026.
        for (now, want) in [
            ("2026-03-28T00:00:00Z", "2026-03-28T06:30:00Z"),
            ("2026-03-29T00:00:00Z", "2026-03-29T05:30:00Z"),
            ("2026-07-01T00:00:00Z", "2026-07-01T05:30:00Z"),
            ("2026-10-25T00:00:00Z", "2026-10-25T06:30:00Z"),
        ] {
            let m = p.next(&berlin(), utc(now), NEVER).unwrap();
            assert_eq!(m.send_at_ms, utc(want), "from {now}");
        }
    }

    #[test]
    fn a_check_in_hour_skipped_by_the_spring_change_is_read_an_hour_later() {
        let p = Plan {
            minute_of_day: parse_hour("02:30").unwrap(),
            ..plan(Days::Daily)
        };
        let m = p
            .next(&berlin(), utc("2026-03-28T23:00:00Z"), NEVER)
            .unwrap();
        // 02:30 does not exist on 29 March; 03:30 CEST is 01:30 UTC.
        assert_eq!(m.send_at_ms, utc("2026-03-29T01:30:00Z"));
    }

    #[test]
    fn due_once_the_hour_comes_and_only_that_morning() {
        let p = plan(Days::Daily);
        let z = berlin();
        assert_eq!(p.due(&z, utc("2026-07-01T05:29:00Z"), NEVER, NEVER), None);
        let m = p
            .due(&z, utc("2026-07-01T05:30:00Z"), NEVER, NEVER)
            .unwrap();
        assert_eq!(m.date, NaiveDate::from_ymd_opt(2026, 7, 1).unwrap());
        // Still due at 12:59 local, not at 13:00: the morning is over.
        assert!(
            p.due(&z, utc("2026-07-01T10:59:00Z"), NEVER, NEVER)
                .is_some()
        );
        assert_eq!(p.due(&z, utc("2026-07-01T11:00:00Z"), NEVER, NEVER), None);
    }

    #[test]
    fn an_answered_morning_is_not_asked() {
        let p = plan(Days::Daily);
        assert_eq!(
            p.due(&berlin(), utc("2026-07-01T06:00:00Z"), NEVER, ALWAYS),
            None
        );
    }

    #[test]
    fn after_runs_asks_only_the_morning_after_a_run_day() {
        let p = plan(Days::AfterRuns);
        let z = berlin();
        let ran_tuesday = |d: NaiveDate| d == NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        assert!(
            p.due(&z, utc("2026-07-01T06:00:00Z"), &ran_tuesday, NEVER)
                .is_some()
        );
        assert_eq!(
            p.due(&z, utc("2026-07-02T06:00:00Z"), &ran_tuesday, NEVER),
            None
        );
        let next = p
            .next(&z, utc("2026-06-29T12:00:00Z"), &ran_tuesday)
            .unwrap();
        assert_eq!(next.date, NaiveDate::from_ymd_opt(2026, 7, 1).unwrap());
        assert_eq!(
            plan(Days::Off).next(&z, utc("2026-06-29T12:00:00Z"), ALWAYS),
            None
        );
    }

    #[test]
    fn quiet_hours_hold_the_question_until_they_end_or_the_morning_is_over() {
        let z = berlin();
        let p = Plan {
            quiet: Some(QuietHours::parse("22:00-08:15").unwrap()),
            ..plan(Days::Daily)
        };
        assert_eq!(p.due(&z, utc("2026-07-01T06:00:00Z"), NEVER, NEVER), None);
        let m = p
            .due(&z, utc("2026-07-01T06:15:00Z"), NEVER, NEVER)
            .unwrap();
        assert_eq!(m.send_at_ms, utc("2026-07-01T06:15:00Z"));
        let late = Plan {
            quiet: Some(QuietHours::parse("22:00-13:30").unwrap()),
            ..plan(Days::Daily)
        };
        assert_eq!(late.next(&z, utc("2026-07-01T00:00:00Z"), NEVER), None);
    }

    #[test]
    fn the_hour_and_days_say_what_is_wrong() {
        assert_eq!(parse_hour("7:05"), Ok(425));
        assert!(parse_hour("19:00").unwrap_err().contains("morning"));
        assert!(parse_hour("soon").unwrap_err().contains("07:30"));
        assert_eq!(Days::parse("after-runs"), Ok(Days::AfterRuns));
        assert!(
            Days::parse("weekly")
                .unwrap_err()
                .contains("daily, after-runs, off")
        );
    }
}
