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

use super::Size;
use super::format::{DateStyle, N, Signed, fmt_date, local_date};
use super::size::thin;
use super::svg::{line, text};
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
    /// Seconds shown as a clock, m:ss: steps of 0:10, 0:15, 0:30, 1:00,
    /// 2:00, 5:00, 10:00, 15:00, 30:00, then whole hours.
    Clock,
    /// A pace in s/km, shown as a clock: the steps of [`UnitKind::Clock`]
    /// from 0:30 on. A steady run's pace wanders by a few seconds; on ticks
    /// every 0:10 that noise would fill the plot and read as change.
    Pace,
}

/// The finest step of [`UnitKind::Pace`], seconds.
const PACE_MIN_STEP_S: f64 = 30.0;

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
            UnitKind::Clock if !(raw.is_finite() && raw > 0.0) => CLOCK_STEPS_S[0],
            UnitKind::Clock => CLOCK_STEPS_S
                .iter()
                .copied()
                .find(|s| *s >= raw * (1.0 - 1e-9))
                .unwrap_or_else(|| 3600.0 * decimal_step(raw / 3600.0, 1.0)),
            UnitKind::Pace => UnitKind::Clock.step(if raw > PACE_MIN_STEP_S {
                raw
            } else {
                PACE_MIN_STEP_S
            }),
        }
    }

    /// A tick's label.
    pub fn label(self, v: f64) -> String {
        match self {
            UnitKind::Number => N(v).to_string(),
            UnitKind::Difference => Signed(v).to_string(),
            UnitKind::Clock | UnitKind::Pace => crate::units::clock(v),
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
    /// An axis through `lo..=hi` widened to whole ticks, with the finest
    /// round step that needs no more than `max_steps` steps: every value of
    /// `lo..=hi` is on or between the outer ticks, which are the ends of the
    /// plot, and the values fill as much of it as round ticks allow. Bounds
    /// that are not numbers give 0..1; a single value gets a span around it.
    pub fn rounded(lo: f64, hi: f64, kind: UnitKind, max_steps: u32, from: f64, to: f64) -> Axis {
        let (lo, hi) = span(lo, hi);
        let max_steps = f64::from(max_steps.max(1));
        // No step finer than this fits; widening may need the next one up.
        let mut step = kind.step((hi - lo) / max_steps);
        loop {
            // A hair of slack, so a value on a tick does not reach for the next.
            let first = (lo / step + 1e-9).floor();
            let last = (hi / step - 1e-9).ceil().max(first + 1.0);
            let next = kind.step(step * (1.0 + 1e-6));
            if last - first <= max_steps || !(next > step && next.is_finite()) {
                return Axis::with_ticks(first * step, last * step, step, kind, from, to);
            }
            step = next;
        }
    }

    /// An axis over exactly `lo..=hi` with round ticks inside it, at most
    /// `max_steps` steps apart from end to end: for a run's distance, which
    /// starts and ends where the run does.
    pub fn inside(lo: f64, hi: f64, kind: UnitKind, max_steps: u32, from: f64, to: f64) -> Axis {
        let (lo, hi) = span(lo, hi);
        let step = kind.step((hi - lo) / f64::from(max_steps.max(1)));
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

/// The most steps a value axis `length` units long may have: its labels,
/// one text line high, stay clear of each other.
pub fn max_steps(length: f64, size: Size) -> u32 {
    let steps = (length.abs() / (size.line_h() * 1.25)).floor();
    if steps.is_finite() {
        steps.clamp(1.0, 10.0) as u32
    } else {
        1
    }
}

/// How wide the widest label of `axis` is drawn.
pub fn labels_w(axis: &Axis, size: Size) -> f64 {
    axis.labels()
        .iter()
        .map(|(_, label)| size.text_w(label))
        .fold(0.0, f64::max)
}

/// Draws a value axis up the side of the plot that spans `x0..x1`: at each
/// tick a grid line (left) or a mark (right), and the label, centred on
/// the tick. No grid line over the bottom edge, where the x axis runs.
pub fn y_axis(out: &mut String, axis: &Axis, x0: f64, x1: f64, side: Side, size: Size) {
    let bottom = axis.scale.from.max(axis.scale.to);
    let gap = size.font * 0.4;
    for (y, label) in axis.labels() {
        match side {
            Side::Left => {
                if bottom - y > 0.5 {
                    line(out, "grid", x0, y, x1, y);
                }
                text(out, "tick-label", x0 - gap, size.centred(y), "end", &label);
            }
            Side::Right => {
                line(out, "tick", x1, y, x1 + gap, y);
                text(
                    out,
                    "tick-label",
                    x1 + gap * 2.0,
                    size.centred(y),
                    "start",
                    &label,
                );
            }
        }
    }
}

/// Draws the x axis along `y` from `x0` to `x1` with `labels` (x, text), left
/// to right, and a tick at each; a label that would overlap the one before it
/// is left out, and labels stay inside the drawing. `centred`: the label is
/// centred on its x, else it starts there.
pub fn x_axis(
    out: &mut String,
    x0: f64,
    x1: f64,
    y: f64,
    labels: &[(f64, String)],
    centred: bool,
    size: Size,
) {
    line(out, "axis", x0, y, x1, y);
    let boxes: Vec<(f64, f64)> = labels
        .iter()
        .map(|(x, label)| {
            let width = size.text_w(label);
            let left = if centred { x - width / 2.0 } else { *x };
            let left = left.min(size.width - 2.0 - width).max(2.0);
            (left, left + width)
        })
        .collect();
    let shown = thin(&boxes, size.gap(), 0.0, size.width);
    for (((x, label), (left, _)), shown) in labels.iter().zip(&boxes).zip(shown) {
        if shown {
            line(out, "tick", *x, y, *x, y + size.font * 0.35);
            text(
                out,
                "x-label",
                *left,
                x_label_baseline(y, size),
                "start",
                label,
            );
        }
    }
}

/// The baseline of the labels under an x axis along `y`: their boxes
/// start below those of the value labels centred on the bottom tick, so a
/// date pushed to a corner of the drawing does not run into the "0".
pub fn x_label_baseline(y: f64, size: Size) -> f64 {
    y + (size.ascent() + size.descent()) / 2.0 + size.font * 0.1 + size.ascent()
}

/// How much room an x axis along `y` takes below it, to the bottom of its labels.
pub fn x_axis_h(size: Size) -> f64 {
    x_label_baseline(0.0, size) + size.descent()
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

#[cfg(test)]
mod tests {
    use super::*;

    const MON_5_JAN_2026: i64 = 1_767_571_200_000; // 2026-01-05T00:00:00Z, a Monday
    const DAY_MS: i64 = 86_400_000;

    /// The gaps between the ticks (all equal: the step).
    fn steps(axis: &Axis) -> Vec<f64> {
        axis.ticks.windows(2).map(|w| w[1] - w[0]).collect()
    }

    /// The axis's ends are its outer ticks, every value of `lo..=hi` is
    /// between them, and each is drawn inside the plot.
    #[track_caller]
    fn holds(axis: &Axis, lo: f64, hi: f64) {
        let (Some(&first), Some(&last)) = (axis.ticks.first(), axis.ticks.last()) else {
            panic!("no ticks: {axis:?}");
        };
        let eps = (last - first).abs() * 1e-9;
        assert!((first - axis.scale.lo).abs() <= eps, "{axis:?}");
        assert!((last - axis.scale.hi).abs() <= eps, "{axis:?}");
        assert!(
            first <= lo + eps && hi - eps <= last,
            "{lo}..{hi} outside {axis:?}"
        );
        let (a, b) = (
            axis.scale.from.min(axis.scale.to),
            axis.scale.from.max(axis.scale.to),
        );
        for k in 0..=20 {
            let y = axis.at(lo + (hi - lo) * f64::from(k) / 20.0);
            assert!((a..=b).contains(&y), "{y} outside {a}..{b}");
        }
    }

    #[test]
    fn pace_from_4_12_to_6_55_ticks_every_half_minute_from_4_00_to_7_00() {
        // Before: 6:40, 10:00, 13:20, 16:40 (decimal steps of 200 s) and
        // the line running past the top tick.
        let axis = Axis::rounded(252.0, 415.0, UnitKind::Clock, 6, 40.0, 270.0);
        holds(&axis, 252.0, 415.0);
        let labels: Vec<String> = axis.labels().into_iter().map(|l| l.1).collect();
        assert_eq!(
            labels,
            ["4:00", "4:30", "5:00", "5:30", "6:00", "6:30", "7:00"]
        );
        // A trail run with walking, 4:40 to 19:10: two-minute steps from
        // 4:00, not five-minute steps from 0:00 that leave a quarter empty.
        let axis = Axis::rounded(280.0, 1150.0, UnitKind::Clock, 8, 40.0, 270.0);
        holds(&axis, 280.0, 1150.0);
        assert_eq!(
            (axis.ticks[0], steps(&axis)[0], axis.ticks.len()),
            (240.0, 120.0, 9)
        );
        // Fewer steps wanted: whole minutes.
        let axis = Axis::rounded(252.0, 415.0, UnitKind::Clock, 3, 40.0, 270.0);
        holds(&axis, 252.0, 415.0);
        assert!(steps(&axis).iter().all(|s| *s == 60.0), "{axis:?}");
    }

    #[test]
    fn a_clock_steps_by_round_minutes_and_seconds() {
        let cases = [
            (3.0, 10.0),
            (10.0, 10.0),
            (11.0, 15.0),
            (16.0, 30.0),
            (31.0, 60.0),
            (61.0, 120.0),
            (121.0, 300.0),
            (301.0, 600.0),
            (700.0, 900.0),
            (1000.0, 1800.0),
            (2000.0, 3600.0),
            (5000.0, 7200.0),
            (f64::NAN, 10.0),
            (-5.0, 10.0),
        ];
        for (raw, step) in cases {
            assert_eq!(UnitKind::Clock.step(raw), step, "{raw}");
        }
        // Every pace range a runner may see ticks on a clock step.
        for lo in (150..900).step_by(37) {
            for span in [5, 20, 45, 90, 163, 300, 700] {
                let (lo, hi) = (f64::from(lo), f64::from(lo + span));
                let axis = Axis::rounded(lo, hi, UnitKind::Clock, 6, 40.0, 270.0);
                holds(&axis, lo, hi);
                let step = steps(&axis)[0];
                assert!(CLOCK_STEPS_S.contains(&step), "{lo}..{hi}: {axis:?}");
                assert!(axis.ticks.len() <= 9, "{lo}..{hi}: {axis:?}");
            }
        }
    }

    #[test]
    fn distances_and_numbers_step_by_1_2_or_5() {
        for (hi, step) in [
            (0.8, 0.2),
            (4.69, 1.0),
            (12.3, 5.0),
            (21.1, 5.0),
            (42.2, 10.0),
            (63.0, 20.0),
            (150.0, 50.0),
            (1234.0, 500.0),
        ] {
            let axis = Axis::rounded(0.0, hi, UnitKind::Number, 5, 290.0, 40.0);
            holds(&axis, 0.0, hi);
            assert_eq!(axis.ticks[0], 0.0);
            assert!(
                steps(&axis).iter().all(|s| (s - step).abs() < 1e-9),
                "{hi}: {axis:?}"
            );
        }
        // A run's distance: ticks inside it, the axis ends where the run does.
        let axis = Axis::inside(0.0, 4.69, UnitKind::Number, 5, 66.0, 616.0);
        assert_eq!(axis.ticks, [0.0, 1.0, 2.0, 3.0, 4.0]);
        assert_eq!((axis.scale.lo, axis.scale.hi), (0.0, 4.69));
        assert_eq!(axis.at(4.69), 616.0);
        // Steps stay at a tenth or more: labels have one decimal.
        assert_eq!(UnitKind::Number.step(0.003), 0.1);
        let labels: Vec<String> = Axis::rounded(-0.9, 1.2, UnitKind::Difference, 4, 40.0, 600.0)
            .labels()
            .into_iter()
            .map(|l| l.1)
            .collect();
        assert_eq!(labels, ["\u{2212}1", "0", "+1", "+2"]);
    }

    #[test]
    fn flat_single_and_non_finite_values_give_a_finite_axis_that_holds_them() {
        // A flat series or a single point: a span around it, ticks on it.
        let axis = Axis::rounded(330.0, 330.0, UnitKind::Clock, 6, 40.0, 270.0);
        holds(&axis, 330.0, 330.0);
        assert!(axis.labels().iter().any(|l| l.1 == "5:30"), "{axis:?}");
        let axis = Axis::rounded(0.0, 0.0, UnitKind::Number, 5, 290.0, 40.0);
        holds(&axis, 0.0, 0.0);
        // Bounds swapped, NaN, infinite, absurd: finite, in the plot.
        for (lo, hi) in [
            (10.0, 2.0),
            (f64::NAN, f64::NAN),
            (f64::NAN, 5.0),
            (5.0, f64::NAN),
            (f64::NEG_INFINITY, f64::INFINITY),
            (f64::INFINITY, f64::INFINITY),
            (-f64::MAX, f64::MAX),
            (1e-300, 2e-300),
        ] {
            for kind in [UnitKind::Number, UnitKind::Difference, UnitKind::Clock] {
                let axis = Axis::rounded(lo, hi, kind, 6, 40.0, 270.0);
                assert!(axis.scale.lo.is_finite() && axis.scale.hi.is_finite());
                assert!(axis.scale.lo < axis.scale.hi, "{lo}..{hi}: {axis:?}");
                assert!(!axis.ticks.is_empty() && axis.ticks.len() <= 51, "{axis:?}");
                for v in [lo, hi, f64::NAN, 0.0, -1e308, 1e308] {
                    let y = axis.at(v);
                    assert!((40.0..=270.0).contains(&y), "{v} → {y}: {axis:?}");
                }
                let inside = Axis::inside(lo, hi, kind, 5, 40.0, 270.0);
                assert!(inside.ticks.iter().all(|t| t.is_finite()), "{inside:?}");
            }
        }
        // The scale clamps: nothing is drawn outside the plot.
        let axis = Axis::rounded(10.0, 20.0, UnitKind::Number, 5, 290.0, 40.0);
        assert_eq!((axis.at(-1e9), axis.at(1e9)), (290.0, 40.0));
        assert_eq!(axis.at(f64::NAN), 165.0);
    }

    #[test]
    fn dates_tick_at_days_mondays_months_or_years_of_the_runners_calendar() {
        let labels = |ticks: Vec<(i64, String)>| ticks.into_iter().map(|t| t.1).collect::<Vec<_>>();
        // 104 weeks from Monday 5 Jan 2026: the first of every fourth month.
        let end = MON_5_JAN_2026 + 104 * 7 * DAY_MS - 1;
        let ticks = date_ticks(MON_5_JAN_2026, end, Zone::Fixed(0), 7, DateStep::Weeks(1));
        assert_eq!(
            labels(ticks),
            ["May 2026", "Sep", "Jan 2027", "May", "Sep", "Jan 2028"]
        );
        // 12 weeks: every other Monday.
        let end = MON_5_JAN_2026 + 12 * 7 * DAY_MS - 1;
        let ticks = date_ticks(MON_5_JAN_2026, end, Zone::Fixed(0), 7, DateStep::Weeks(1));
        assert_eq!(
            labels(ticks),
            ["5 Jan", "19 Jan", "2 Feb", "16 Feb", "2 Mar", "16 Mar"]
        );
        // Ten days of scores: every other day, at the runner's midnight.
        let zone = Zone::Fixed(-5 * 3600);
        let end = MON_5_JAN_2026 + 10 * DAY_MS;
        let ticks = date_ticks(MON_5_JAN_2026, end, zone, 6, DateStep::Days(1));
        assert_eq!(ticks.len(), 5, "{ticks:?}");
        for (t, _) in &ticks {
            assert_eq!((t - 5 * 3_600_000).rem_euclid(DAY_MS), 0, "{ticks:?}");
        }
        // Eight years: every other 1 January.
        let end = MON_5_JAN_2026 + 8 * 366 * DAY_MS;
        let ticks = date_ticks(MON_5_JAN_2026, end, Zone::Fixed(0), 6, DateStep::Days(1));
        assert_eq!(labels(ticks), ["2028", "2030", "2032", "2034"]);
        // One instant, or less than a day: its own date.
        let one = date_ticks(
            MON_5_JAN_2026 + 7,
            MON_5_JAN_2026 + 7,
            Zone::Fixed(0),
            6,
            DateStep::Days(1),
        );
        assert_eq!(one, [(MON_5_JAN_2026 + 7, "5 Jan".to_owned())]);
        // Backwards or out of the calendar: no panic.
        let back = date_ticks(
            MON_5_JAN_2026,
            MON_5_JAN_2026 - 100 * DAY_MS,
            Zone::Fixed(0),
            6,
            DateStep::Days(1),
        );
        assert_eq!(back.len(), 1);
        assert!(date_ticks(0, i64::MAX, Zone::Fixed(i32::MAX), 6, DateStep::Days(1)).is_empty());
        assert!(date_ticks(i64::MIN, 0, Zone::Fixed(0), 7, DateStep::Weeks(1)).is_empty());
    }
}
