//! Numbers, dates and names as the charts write them: at most one decimal,
//! the runner's calendar date, and words safe for class names and ids.

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate};

use crate::zone::Zone;
/// A number with at most one decimal, a trailing `.0` dropped; non-finite → 0.
pub struct N(pub f64);

/// A number with exactly one decimal (data attributes); non-finite → 0.0.
pub struct N1(pub f64);

/// A difference with its sign: `+1.2`, `−0.4`, `0`.
pub struct Signed(pub f64);

fn tenths(f: &mut fmt::Formatter<'_>, v: f64, always_decimal: bool) -> fmt::Result {
    let t = if v.is_finite() {
        (v * 10.0).round() as i64
    } else {
        0
    };
    let a = t.unsigned_abs();
    if t < 0 {
        f.write_str("-")?;
    }
    write!(f, "{}", a / 10)?;
    if always_decimal || a % 10 != 0 {
        write!(f, ".{}", a % 10)?;
    }
    Ok(())
}

impl fmt::Display for N {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        tenths(f, self.0, false)
    }
}

impl fmt::Display for N1 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        tenths(f, self.0, true)
    }
}

impl fmt::Display for Signed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = if self.0.is_finite() {
            (self.0 * 10.0).round()
        } else {
            0.0
        };
        if t > 0.0 {
            f.write_str("+")?;
        } else if t < 0.0 {
            f.write_str("\u{2212}")?;
        }
        tenths(f, self.0.abs(), false)
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

#[derive(Clone, Copy)]
pub enum DateStyle {
    /// 2026-01-12
    Iso,
    /// 12 Jan 2026
    Full,
    /// Tue 14 Jan
    WeekdayDay,
    /// 14 Jan
    DayMonth,
    /// Jan
    Month,
    /// Jan 2026
    MonthYear,
    /// 2026
    Year,
}

/// The runner's calendar date at `ms`.
pub fn local_date(ms: i64, zone: Zone) -> Option<NaiveDate> {
    let local = ms.checked_add(i64::from(zone.offset_s_at(ms)) * 1000)?;
    DateTime::from_timestamp_millis(local).map(|d| d.date_naive())
}

pub fn fmt_date(date: Option<NaiveDate>, style: DateStyle) -> String {
    let Some(d) = date else {
        return "unknown date".to_owned();
    };
    let month = MONTHS[d.month0() as usize % 12];
    match style {
        DateStyle::Iso => format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
        DateStyle::Full => format!("{} {month} {}", d.day(), d.year()),
        DateStyle::WeekdayDay => format!(
            "{} {} {month}",
            WEEKDAYS[d.weekday().num_days_from_monday() as usize % 7],
            d.day()
        ),
        DateStyle::DayMonth => format!("{} {month}", d.day()),
        DateStyle::Month => month.to_owned(),
        DateStyle::MonthYear => format!("{month} {}", d.year()),
        DateStyle::Year => d.year().to_string(),
    }
}

/// `s` lower-cased and kept to the characters `keep` allows, at most 40;
/// `empty` when nothing is left.
fn word(s: &str, keep: impl Fn(char) -> bool, empty: &str) -> String {
    let word: String = s
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .filter(|c| keep(*c))
        .take(40)
        .collect();
    if word.is_empty() {
        empty.to_owned()
    } else {
        word
    }
}

/// `s` reduced to `[a-z_]` for use in a class name; "unknown" when nothing is left.
pub fn class_word(s: &str) -> String {
    word(s, |c| c.is_ascii_lowercase() || c == '_', "unknown")
}

/// `s` reduced to `[a-z0-9_-]` for use in an id and a class name.
pub fn id_word(s: &str) -> String {
    word(
        s,
        |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-',
        "chart",
    )
}

/// "1 week", "3 weeks".
pub fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}
