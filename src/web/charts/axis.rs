//! The axes of every chart: the linear scale from values to the plot's
//! units (clamped, so nothing is drawn outside the plot), round ticks in the
//! unit the labels show, the labels, and the axis drawn in SVG.
//!
//! A value axis is widened to whole ticks ([`Axis::rounded`]), so the
//! highest and lowest values lie on or inside the outer ticks: pace 4:12 to
//! 6:55 becomes an axis from 4:00 to 7:00 with a tick every 0:30, not ticks
//! at 6:40 and 13:20 with the line running past the top one. Which steps are
//! round depends on the unit ([`UnitKind`]). Dates take the runner's
//! calendar: days, Mondays, first days of months or of years
//! ([`date_ticks`]).

use chrono::{Datelike, Days, Months, NaiveDate};

use super::format::{DateStyle, N, Signed, fmt_date, local_date};
use super::svg::{line, text};
use super::{CHAR_W, VIEW_W};
use crate::zone::Zone;

/// What an axis's values are: it decides which steps are round and how a
/// tick reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    /// Plain numbers and distances: steps of 1, 2 or 5 × 10^k, at least
    /// 0.1 (the labels' one decimal); "12", "2.5".
    Number,
    /// A difference, labelled with its sign ("+1", "−0.5", "0"); steps as
    /// [`UnitKind::Number`].
    Difference,
    /// Seconds shown as a clock, m:ss (pace in s/km): steps of 0:10, 0:15,
    /// 0:30, 1:00, 2:00, 5:00, 10:00, 15:00, 30:00, then whole hours.
    Clock,
}

/// The round steps of [`UnitKind::Clock`] up to an hour, seconds.
const CLOCK_STEPS_S: [f64; 10] = [
    10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0,
];

/// More ticks than this on one axis mean the step is wrong: none are drawn.
const MAX_TICKS: f64 = 50.0;

/// Values beyond this size are treated as this size, so that spans and
/// steps stay finite.
const HUGE: f64 = 1e300;

impl UnitKind {
    /// The smallest round step of this kind that is at least `raw`.
    pub fn step(self, raw: f64) -> f64 {
        match self {
            UnitKind::Number | UnitKind::Difference => decimal_step(raw, 0.1),
            UnitKind::Clock => CLOCK_STEPS_S
                .iter()
                .copied()
                .find(|s| *s >= raw * (1.0 - 1e-9))
                .unwrap_or_else(|| 3600.0 * decimal_step(raw / 3600.0, 1.0)),
        }
    }

    /// A tick's label.
    pub fn label(self, v: f64) -> String {
        match self {
            UnitKind::Number => N(v).to_string(),
            UnitKind::Difference => Signed(v).to_string(),
            UnitKind::Clock => crate::units::clock(v),
        }
    }
}

/// The smallest 1, 2 or 5 × 10^k that is at least `raw` and at least `min`.
fn decimal_step(raw: f64, min: f64) -> f64 {
    if !(raw.is_finite() && raw > min) {
        return min;
    }
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * mag);
    if step.is_finite() { step } else { raw }
}

/// Where `v` lies between `lo` and `hi`, clamped to 0..=1 (0.5 when undefined).
pub fn frac(v: f64, lo: f64, hi: f64) -> f64 {
    let t = (v - lo) / (hi - lo);
    if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.5
    }
}

/// A linear map from values `lo..=hi` to the plot's units `from..=to`
/// (`to < from` for a y axis whose values grow upwards). A value outside the
/// domain lands on the nearer end, so nothing is drawn outside the plot.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    pub lo: f64,
    pub hi: f64,
    pub from: f64,
    pub to: f64,
}

impl Scale {
    /// Where `v` is drawn: within `from..=to`; the middle for a value it
    /// cannot place (NaN, or an empty domain).
    pub fn at(&self, v: f64) -> f64 {
        self.from + frac(v, self.lo, self.hi) * (self.to - self.from)
    }
}

/// A value axis: its scale, its ticks (values, ascending) and the kind of
/// its values.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub scale: Scale,
    pub ticks: Vec<f64>,
    pub kind: UnitKind,
}

impl Axis {
    /// An axis through `lo..=hi` with about `steps` round steps, widened to
    /// whole ticks: every value of `lo..=hi` is on or between the outer
    /// ticks, which are the ends of the plot. Bounds that are not numbers
    /// give 0..1; a single value gets a span around it.
    pub fn rounded(lo: f64, hi: f64, kind: UnitKind, steps: u32, from: f64, to: f64) -> Axis {
        let (lo, hi) = span(lo, hi);
        let step = kind.step((hi - lo) / f64::from(steps.max(1)));
        let (lo, hi) = (
            (lo / step + 1e-9).floor() * step,
            (hi / step - 1e-9).ceil() * step,
        );
        Axis::with_ticks(lo, hi, step, kind, from, to)
    }

    /// An axis over exactly `lo..=hi` with round ticks inside it (about
    /// `steps` steps): for a run's distance, which starts and ends where the
    /// run does.
    pub fn inside(lo: f64, hi: f64, kind: UnitKind, steps: u32, from: f64, to: f64) -> Axis {
        let (lo, hi) = span(lo, hi);
        let step = kind.step((hi - lo) / f64::from(steps.max(1)));
        Axis::with_ticks(lo, hi, step, kind, from, to)
    }

    fn with_ticks(lo: f64, hi: f64, step: f64, kind: UnitKind, from: f64, to: f64) -> Axis {
        let first = (lo / step - 1e-9).ceil();
        let last = (hi / step + 1e-9).floor();
        let ticks = if first.is_finite() && last.is_finite() && first <= last {
            if last - first > MAX_TICKS {
                Vec::new()
            } else {
                (first as i64..=last as i64)
                    .map(|k| k as f64 * step)
                    .collect()
            }
        } else {
            Vec::new()
        };
        Axis {
            scale: Scale { lo, hi, from, to },
            ticks,
            kind,
        }
    }

    /// Where `v` is drawn (see [`Scale::at`]).
    pub fn at(&self, v: f64) -> f64 {
        self.scale.at(v)
    }

    /// Each tick's place and label.
    pub fn labels(&self) -> Vec<(f64, String)> {
        self.ticks
            .iter()
            .map(|&v| (self.at(v), self.kind.label(v)))
            .collect()
    }
}

/// `lo..hi` made usable: finite, ordered, within ±1e300 and not empty.
fn span(lo: f64, hi: f64) -> (f64, f64) {
    let (lo, hi) = match (lo.is_nan(), hi.is_nan()) {
        (false, false) => (lo.min(hi), lo.max(hi)),
        (false, true) => (lo, lo),
        (true, false) => (hi, hi),
        (true, true) => (0.0, 1.0),
    };
    let (lo, hi) = (lo.clamp(-HUGE, HUGE), hi.clamp(-HUGE, HUGE));
    if hi - lo > hi.abs().max(lo.abs()) * 1e-9 {
        (lo, hi)
    } else {
        let half = (lo.abs() * 0.05).max(1.0);
        (lo - half, hi + half)
    }
}

/// Which side of the plot a value axis stands on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Labels left of the plot, a grid line across it at each tick.
    Left,
    /// Labels right of the plot with a short mark at each tick, no grid
    /// (a second axis over the left one's grid).
    Right,
}

/// Draws a value axis up the side of the plot that spans `x0..x1`: at each
/// tick a grid line (left) or a mark (right), and the label. No grid line
/// over the bottom edge, where the x axis runs.
pub fn y_axis(out: &mut String, axis: &Axis, x0: f64, x1: f64, side: Side) {
    let bottom = axis.scale.from.max(axis.scale.to);
    for (y, label) in axis.labels() {
        match side {
            Side::Left => {
                if bottom - y > 0.5 {
                    line(out, "grid", x0, y, x1, y);
                }
                text(out, "tick-label", x0 - 6.0, y + 5.0, "end", &label);
            }
            Side::Right => {
                line(out, "tick", x1, y, x1 + 5.0, y);
                text(out, "tick-label", x1 + 8.0, y + 5.0, "start", &label);
            }
        }
    }
}

/// Draws the x axis along `y` from `x0` to `x1` with `labels` (x, text), left
/// to right, and a tick at each; a label that would overlap the one before it
/// is left out, and labels stay inside the view. `centred`: the label is
/// centred on its x, else it starts there.
pub fn x_axis(out: &mut String, x0: f64, x1: f64, y: f64, labels: &[(f64, String)], centred: bool) {
    line(out, "axis", x0, y, x1, y);
    let mut prev_right = f64::NEG_INFINITY;
    for (x, label) in labels {
        let width = label.chars().count() as f64 * CHAR_W;
        let left = if centred { x - width / 2.0 } else { *x };
        let left = left.min(VIEW_W - 4.0 - width).max(4.0);
        if left < prev_right + 10.0 {
            continue;
        }
        prev_right = left + width;
        line(out, "tick", *x, y, *x, y + 5.0);
        text(out, "x-label", left, y + 22.0, "start", label);
    }
}

/// A round step between dates of the runner's calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateStep {
    /// Every n-th day (counted from 1 January of year 1, so the same days
    /// stay ticks as the span moves).
    Days(u32),
    /// Every n-th Monday (counted likewise).
    Weeks(u32),
    /// The first of every n-th month, starting with January.
    Months(u32),
    /// 1 January of every year divisible by n.
    Years(u32),
}

/// The steps [`date_ticks`] tries, finest first (years continue ×2, ×5, ×10).
const DATE_STEPS: [DateStep; 9] = [
    DateStep::Days(1),
    DateStep::Days(2),
    DateStep::Weeks(1),
    DateStep::Weeks(2),
    DateStep::Months(1),
    DateStep::Months(2),
    DateStep::Months(3),
    DateStep::Months(4),
    DateStep::Months(6),
];

impl DateStep {
    /// About how long the step is, days.
    fn days(self) -> f64 {
        match self {
            DateStep::Days(n) => f64::from(n),
            DateStep::Weeks(n) => 7.0 * f64::from(n),
            DateStep::Months(n) => 30.44 * f64::from(n),
            DateStep::Years(n) => 365.25 * f64::from(n),
        }
    }

    /// Whether `d` is one of this step's dates.
    fn is_tick(self, d: NaiveDate) -> bool {
        let day = i64::from(d.num_days_from_ce());
        match self {
            DateStep::Days(n) => day.rem_euclid(i64::from(n)) == 0,
            // 1 January of year 1 was a Monday (day 1).
            DateStep::Weeks(n) => {
                d.weekday().num_days_from_monday() == 0
                    && ((day - 1) / 7).rem_euclid(i64::from(n)) == 0
            }
            DateStep::Months(n) => d.day() == 1 && d.month0() % n == 0,
            DateStep::Years(n) => d.ordinal() == 1 && d.year().rem_euclid(n as i32) == 0,
        }
    }

    /// The date after `d` to look at: the next day, Monday, first of the
    /// month or 1 January.
    fn next(self, d: NaiveDate) -> Option<NaiveDate> {
        match self {
            DateStep::Days(_) => d.checked_add_days(Days::new(1)),
            DateStep::Weeks(_) => {
                d.checked_add_days(Days::new(7 - u64::from(d.weekday().num_days_from_monday())))
            }
            DateStep::Months(_) => d.with_day(1)?.checked_add_months(Months::new(1)),
            DateStep::Years(_) => NaiveDate::from_ymd_opt(d.year().checked_add(1)?, 1, 1),
        }
    }
}

/// Round dates from `t0` to `t1` (UTC milliseconds, both included) in the
/// runner's calendar, as (instant of local midnight, label): the finest step
/// no finer than `finest` that gives at most `max` of them. Days and weeks
/// read "14 Jan"; months "Jan", with the year on the first and at each new
/// year ("Jan 2027"); years "2027". A span without a round date in it gets
/// its first day as the one label; dates out of the calendar's range, none.
pub fn date_ticks(
    t0: i64,
    t1: i64,
    zone: Zone,
    max: usize,
    finest: DateStep,
) -> Vec<(i64, String)> {
    let (Some(d0), Some(d1)) = (local_date(t0, zone), local_date(t1, zone)) else {
        return Vec::new();
    };
    let span_days = (d1 - d0).num_days() as f64;
    let years = (0..6).flat_map(|k| [1, 2, 5].map(|m| DateStep::Years(m * 10u32.pow(k))));
    for step in DATE_STEPS.into_iter().chain(years) {
        if step.days() < finest.days() || span_days / step.days() > max as f64 + 1.0 {
            continue;
        }
        if let Some(ticks) = dates_every(step, d0, d1, max) {
            let in_span: Vec<(i64, NaiveDate)> = ticks
                .into_iter()
                .filter_map(|d| {
                    let t = zone.to_utc(d.and_hms_opt(0, 0, 0)?);
                    (t0..=t1).contains(&t).then_some((t, d))
                })
                .collect();
            if in_span.is_empty() {
                break;
            }
            return date_labels(step, &in_span);
        }
    }
    vec![(t0, fmt_date(Some(d0), DateStyle::DayMonth))]
}

/// The dates of `step` from `d0` to `d1`, or None when there are more than `max`.
fn dates_every(step: DateStep, d0: NaiveDate, d1: NaiveDate, max: usize) -> Option<Vec<NaiveDate>> {
    let mut out = Vec::new();
    let mut d = Some(d0);
    while let Some(day) = d.filter(|day| *day <= d1) {
        if step.is_tick(day) {
            if out.len() == max {
                return None;
            }
            out.push(day);
        }
        d = step.next(day);
    }
    Some(out)
}

fn date_labels(step: DateStep, ticks: &[(i64, NaiveDate)]) -> Vec<(i64, String)> {
    let mut prev_year = None;
    ticks
        .iter()
        .map(|&(t, d)| {
            let style = match step {
                DateStep::Days(_) | DateStep::Weeks(_) => DateStyle::DayMonth,
                DateStep::Months(_) if prev_year == Some(d.year()) => DateStyle::Month,
                DateStep::Months(_) => DateStyle::MonthYear,
                DateStep::Years(_) => DateStyle::Year,
            };
            prev_year = Some(d.year());
            (t, fmt_date(Some(d), style))
        })
        .collect()
}
