//! Charts as SVG strings, drawn on the server.
//!
//! Each function returns one `<svg class="chart …" role="img" aria-label="…">`
//! element with a `<title>`, ready to be placed in a page. The output obeys
//! the dashboard's Content-Security-Policy: no `style` attributes, no
//! `<style>` elements, no script. Geometry is given with presentation
//! attributes; colours come from the stylesheet through class names:
//!
//! - every chart: `chart`, `grid`, `axis`, `tick`, `tick-label`, `x-label`,
//!   `axis-title`, `no-data`;
//! - [`load_chart`]: `load-chart`, `band`, `bar` (plus `over`), `long-run`,
//!   `long-run-point`, `pain-line`, `pain-point`, `alert-mark`,
//!   `sev-{severity}`, `legend`, `legend-bar`, `legend-band`,
//!   `legend-long-run`, `legend-long-run-point`, `legend-pain`,
//!   `legend-alert`, `legend-label`;
//! - [`series_chart`]: `series-chart`, `series-{id}`, `series-line`,
//!   `series-dot` (a lone point between two gaps);
//! - [`factor_chart`]: `factor-chart`, `factor-row`, `factor-name`,
//!   `factor-value`, `effect`, `verdict-{verdict}`, `interval`, `zero-line`;
//! - [`trend_chart`]: `trend-chart`, `trend-{id}`, `trend-line`,
//!   `trend-point`.
//!
//! Every chart is 640 user units wide with no width or height, so it scales
//! to its column; text is 15 units, readable on a 360 px phone. Output is
//! deterministic, numbers have at most one decimal, and non-finite input
//! values are skipped.

use crate::zone::Zone;
use std::fmt::{self, Write as _};

use chrono::{DateTime, Datelike, NaiveDate};

use crate::web::esc;

/// `write!` into a `String`, which cannot fail.
macro_rules! w {
    ($out:expr, $($arg:tt)*) => {{
        let _ = write!($out, $($arg)*);
    }};
}

const VIEW_W: f64 = 640.0;
const FONT_SIZE: u32 = 15;
/// Rough width of one character at `FONT_SIZE`, for laying out labels.
const CHAR_W: f64 = 8.0;
const DAY_MS: i64 = 86_400_000;
const WEEK_MS: i64 = 7 * DAY_MS;
/// Morning-pain points further apart than this are not joined by the line.
const PAIN_BREAK_MS: i64 = 10 * DAY_MS;
const MAX_X_LABELS: usize = 7;
const MAX_SERIES_POINTS: usize = 400;

/// One calendar week of running (weeks start Monday 00:00 local time).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LoadWeek {
    /// Monday 00:00 local, as UTC milliseconds.
    pub start_ms: i64,
    /// Running distance that week, metres.
    pub distance_m: f64,
    /// Number of runs that week.
    pub runs: usize,
    /// The week's longest run in metres, 0 when none.
    pub longest_m: f64,
    /// The runner's baseline band for that week: (usual weekly distance,
    /// the most the rules allow: usual × (1 + week-jump threshold)), metres.
    /// None while the baseline is still being learned.
    pub band_m: Option<(f64, f64)>,
    /// The acute:chronic load ratio at the week's end (RULES.md A: context,
    /// never an alert) and whether it passed the runner's mark (`acwr_info`):
    /// such weeks get the ratio printed over their bar.
    pub acwr: Option<(f64, bool)>,
}

/// One morning-pain entry.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PainPoint {
    /// When it was recorded, UTC milliseconds.
    pub at_ms: i64,
    /// Morning pain, 0–10.
    pub score: f64,
}

/// An alert shown as a marker on the load chart, linking to its page.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AlertMark {
    /// The alert's id (`/alerts#alert-{id}`).
    pub id: i64,
    /// When it was raised, UTC milliseconds.
    pub at_ms: i64,
    /// The rule that raised it (kept as `data-kind`).
    pub kind: String,
    /// Severity; letters and `_` of it become the class `sev-{severity}`.
    pub severity: String,
    /// Shown as the marker's tooltip.
    pub title: String,
}

/// Input of [`load_chart`].
#[derive(Debug, Clone, Copy)]
pub struct LoadChart<'a> {
    /// Consecutive weeks, oldest first (may be empty).
    pub weeks: &'a [LoadWeek],
    /// Any order; points outside the weeks' span are dropped.
    pub pain: &'a [PainPoint],
    /// Any order; alerts outside the weeks' span are dropped.
    pub alerts: &'a [AlertMark],
    /// The runner's zone, for date labels (each at its instant's offset).
    pub zone: Zone,
    /// What the alert marks' links start with ("" or "/r/NAME").
    pub base: &'a str,
}

/// A value over the distance of one run (pace, cadence, elevation).
#[derive(Debug, Clone, Copy)]
pub struct Series<'a> {
    /// Used for the svg id `series-{id}` and class `series-{id}`
    /// (reduced to `[a-z0-9_-]`).
    pub id: &'a str,
    /// E.g. "Pace".
    pub title: &'a str,
    /// E.g. "min/km".
    pub unit: &'a str,
    /// (distance km, value), distance non-decreasing; a non-finite value
    /// is a gap in the line.
    pub points: &'a [(f64, f64)],
    /// True for pace: faster (smaller) is up.
    pub invert_y: bool,
    /// Axis tick label for a value (e.g. 330.0 → "5:30").
    pub label: fn(f64) -> String,
}

/// One factor of the correlation report: mean change in next-morning pain
/// after runs with the factor vs without, and the interval of the difference.
#[derive(Debug, Clone, Copy)]
pub struct FactorBar<'a> {
    /// The factor's name as shown.
    pub factor: &'a str,
    /// Mean change in next-morning pain after runs with the factor.
    pub mean_with: Option<f64>,
    /// Mean change in next-morning pain after runs without it.
    pub mean_without: Option<f64>,
    /// Interval of (with − without).
    pub interval: Option<(f64, f64)>,
    /// "link", "protective", "no_clear_link" or "not_enough_data".
    pub verdict: &'a str,
}

// ---------------------------------------------------------------------------
// Formatting helpers

/// A number with at most one decimal, a trailing `.0` dropped; non-finite → 0.
struct N(f64);

/// A number with exactly one decimal (data attributes); non-finite → 0.0.
struct N1(f64);

/// A difference with its sign: `+1.2`, `−0.4`, `0`.
struct Signed(f64);

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
enum DateStyle {
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
}

/// The runner's calendar date at `ms`.
fn local_date(ms: i64, zone: Zone) -> Option<NaiveDate> {
    let local = ms.checked_add(i64::from(zone.offset_s_at(ms)) * 1000)?;
    DateTime::from_timestamp_millis(local).map(|d| d.date_naive())
}

fn fmt_date(date: Option<NaiveDate>, style: DateStyle) -> String {
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
    }
}

/// `s` reduced to `[a-z_]` for use in a class name; "unknown" when nothing is left.
fn class_word(s: &str) -> String {
    let word: String = s
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .filter(|c| c.is_ascii_lowercase() || *c == '_')
        .take(40)
        .collect();
    if word.is_empty() {
        "unknown".to_owned()
    } else {
        word
    }
}

/// `s` reduced to `[a-z0-9_-]` for use in an id and a class name.
fn id_word(s: &str) -> String {
    let word: String = s
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == '-')
        .take(40)
        .collect();
    if word.is_empty() {
        "chart".to_owned()
    } else {
        word
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

// ---------------------------------------------------------------------------
// Geometry helpers

/// Where `v` lies between `lo` and `hi`, clamped to 0..=1 (0.5 when undefined).
fn frac(v: f64, lo: f64, hi: f64) -> f64 {
    let t = (v - lo) / (hi - lo);
    if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.5
    }
}

/// The smallest `m × 10^k` (m from `mults`, ascending) at least `raw`.
fn nice_step(raw: f64, mults: &[f64]) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let mag = 10f64.powf(raw.log10().floor());
    let step = mults
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * mag);
    if step.is_finite() && step > 0.0 {
        step
    } else {
        raw
    }
}

/// Multiples of `step` within `lo..=hi` (none when that would be absurdly many).
fn ticks(lo: f64, hi: f64, step: f64) -> Vec<f64> {
    let first = (lo / step - 1e-9).ceil();
    let last = (hi / step + 1e-9).floor();
    if !(first.is_finite() && last.is_finite()) || last < first || last - first > 50.0 {
        return Vec::new();
    }
    let (first, last) = (first as i64, last as i64);
    (first..=last).map(|k| k as f64 * step).collect()
}

fn open_svg(
    out: &mut String,
    class: &str,
    id: Option<&str>,
    height: f64,
    label: &str,
    title: &str,
) {
    w!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart {class}""#
    );
    if let Some(id) = id {
        w!(out, r#" id="{id}""#);
    }
    w!(
        out,
        r#" viewBox="0 0 {} {}" preserveAspectRatio="xMidYMid meet" role="img" aria-label="{}" font-size="{FONT_SIZE}"><title>{}</title>"#,
        N(VIEW_W),
        N(height),
        esc(label),
        esc(title)
    );
}

/// A small chart that only says `message`.
fn no_data_svg(class: &str, id: Option<&str>, title: &str, message: &str) -> String {
    let mut out = String::with_capacity(512);
    open_svg(&mut out, class, id, 120.0, message, title);
    text(&mut out, "no-data", VIEW_W / 2.0, 66.0, "middle", message);
    out.push_str("</svg>");
    out
}

/// `<text>` with escaped content.
fn text(out: &mut String, class: &str, x: f64, y: f64, anchor: &str, content: &str) {
    w!(out, r#"<text class="{class}" x="{}" y="{}""#, N(x), N(y));
    if anchor != "start" {
        w!(out, r#" text-anchor="{anchor}""#);
    }
    w!(out, ">{}</text>", esc(content));
}

fn line(out: &mut String, class: &str, x1: f64, y1: f64, x2: f64, y2: f64) {
    w!(
        out,
        r#"<line class="{class}" x1="{}" y1="{}" x2="{}" y2="{}"/>"#,
        N(x1),
        N(y1),
        N(x2),
        N(y2)
    );
}

/// `<polyline>` through `points` (nothing for fewer than two).
fn polyline(out: &mut String, class: &str, points: &[(f64, f64)]) {
    if points.len() < 2 {
        return;
    }
    w!(out, r#"<polyline class="{class}" fill="none" points=""#);
    for (i, (x, y)) in points.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        w!(out, "{},{}", N(*x), N(*y));
    }
    out.push_str(r#""/>"#);
}

/// Labels along the x axis, left to right, with a tick at each; a label that
/// would overlap the one before it is left out, and labels stay inside the
/// view. `centred`: the label is centred on its x, else it starts there.
fn x_labels(out: &mut String, labels: &[(f64, String)], axis_y: f64, centred: bool) {
    let mut prev_right = f64::NEG_INFINITY;
    for (x, label) in labels {
        let width = label.chars().count() as f64 * CHAR_W;
        let left = if centred { x - width / 2.0 } else { *x };
        let left = left.min(VIEW_W - 4.0 - width).max(4.0);
        if left < prev_right + 10.0 {
            continue;
        }
        prev_right = left + width;
        line(out, "tick", *x, axis_y, *x, axis_y + 5.0);
        text(out, "x-label", left, axis_y + 22.0, "start", label);
    }
}

// ---------------------------------------------------------------------------
// Load chart

fn km(m: f64) -> f64 {
    if m.is_finite() && m > 0.0 {
        m / 1000.0
    } else {
        0.0
    }
}

/// A week's band as (low, high) km, when it has a usable one.
fn band_km(w: &LoadWeek) -> Option<(f64, f64)> {
    let (a, b) = w.band_m?;
    (a.is_finite() && b.is_finite()).then(|| (km(a.min(b)), km(a.max(b))))
}

/// Legend entries of the load chart: (swatch kind, label).
const LEGEND: [(&str, &str); 5] = [
    ("bar", "weekly km"),
    ("band", "your usual range"),
    ("long-run", "long run"),
    ("pain", "morning pain"),
    ("alert", "alerts"),
];

/// Lays the legend out in rows from `y0`; returns each entry's (x, baseline y).
fn legend_layout(y0: f64) -> Vec<(f64, f64)> {
    let (mut x, mut y) = (16.0, y0);
    let mut at = Vec::with_capacity(LEGEND.len());
    for (_, label) in LEGEND {
        let width = 20.0 + label.chars().count() as f64 * CHAR_W;
        if x > 16.0 && x + width > VIEW_W - 8.0 {
            x = 16.0;
            y += 24.0;
        }
        at.push((x, y));
        x += width + 18.0;
    }
    at
}

fn legend(out: &mut String, at: &[(f64, f64)]) {
    out.push_str(r#"<g class="legend">"#);
    for ((kind, label), (x, y)) in LEGEND.iter().zip(at) {
        let (x, y) = (*x, *y);
        match *kind {
            "bar" | "band" => w!(
                out,
                r#"<rect class="legend-{kind}" x="{}" y="{}" width="12" height="12"/>"#,
                N(x + 1.0),
                N(y - 11.0)
            ),
            "long-run" => {
                line(out, "legend-long-run", x, y - 5.0, x + 14.0, y - 5.0);
                w!(
                    out,
                    r#"<circle class="legend-long-run-point" cx="{}" cy="{}" r="3"/>"#,
                    N(x + 7.0),
                    N(y - 5.0)
                );
            }
            "pain" => w!(
                out,
                r#"<circle class="legend-pain" cx="{}" cy="{}" r="4"/>"#,
                N(x + 7.0),
                N(y - 5.0)
            ),
            _ => w!(
                out,
                r#"<path class="legend-alert" d="M{},{}H{}L{},{}Z"/>"#,
                N(x),
                N(y - 12.0),
                N(x + 14.0),
                N(x + 7.0),
                N(y)
            ),
        }
        text(out, "legend-label", x + 20.0, y, "start", label);
    }
    out.push_str("</g>");
}

/// Weekly running distance as bars over the baseline band, the long run as
/// a line, morning pain (right axis, 0–10) and alert markers linking to
/// `/alerts#alert-{id}`. No weeks: a small chart saying "No runs yet".
pub fn load_chart(c: &LoadChart<'_>) -> String {
    const X0: f64 = 50.0;
    const X1: f64 = 590.0;
    const TOP: f64 = 40.0;
    const BOTTOM: f64 = 290.0;
    const TITLE: &str = "Weekly running distance and morning pain";

    let mut weeks: Vec<&LoadWeek> = c.weeks.iter().collect();
    weeks.sort_by_key(|w| w.start_ms);
    let (Some(first), Some(last)) = (weeks.first().copied(), weeks.last().copied()) else {
        return no_data_svg("load-chart", None, TITLE, "No runs yet");
    };
    let off = c.zone;
    let n = weeks.len();
    let span_start = first.start_ms;
    let span_end = last.start_ms.saturating_add(WEEK_MS);
    let in_span = |t: i64| t >= span_start && t < span_end;
    let slot = (X1 - X0) / n as f64;

    // Left axis: km in five steps, so the pain ticks (0, 2, … 10) share the grid.
    let max_km = weeks.iter().fold(0.0f64, |m, w| {
        let band_hi = band_km(w).map_or(0.0, |b| b.1);
        m.max(km(w.distance_m)).max(km(w.longest_m)).max(band_hi)
    });
    let step = if max_km > 0.0 {
        nice_step(max_km / 5.0, &[1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0]).max(0.5)
    } else {
        2.0
    };
    let top_km = step * 5.0;
    let y_km = |k: f64| BOTTOM - frac(k, 0.0, top_km) * (BOTTOM - TOP);
    let y_pain = |p: f64| BOTTOM - frac(p, 0.0, 10.0) * (BOTTOM - TOP);
    let slot_left = |i: usize| X0 + i as f64 * slot;
    let slot_mid = |i: usize| X0 + (i as f64 + 0.5) * slot;
    // An instant's x: through the week it falls in, so points line up with bars.
    let x_time = |t: i64| {
        let i = weeks.partition_point(|w| w.start_ms <= t).saturating_sub(1);
        let start = weeks[i].start_ms;
        let end = weeks
            .get(i + 1)
            .map_or(start.saturating_add(WEEK_MS), |w| w.start_ms);
        X0 + (i as f64 + frac(t as f64, start as f64, end as f64)) * slot
    };

    let legend_at = legend_layout(BOTTOM + 56.0);
    let height = legend_at.last().map_or(BOTTOM + 56.0, |p| p.1) + 14.0;
    let mut out = String::with_capacity(4096 + n * 300 + c.pain.len() * 200 + c.alerts.len() * 250);
    let label = format!(
        "Weekly running distance over {} from {} to {}, with the long run, morning pain and alerts",
        plural(n, "week", "weeks"),
        fmt_date(local_date(first.start_ms, off), DateStyle::Full),
        fmt_date(local_date(last.start_ms, off), DateStyle::Full),
    );
    open_svg(&mut out, "load-chart", None, height, &label, TITLE);

    // Grid, axes and their labels.
    out.push_str(r#"<g class="axes">"#);
    for k in 0..=5 {
        let y = BOTTOM - f64::from(k) * (BOTTOM - TOP) / 5.0;
        if k > 0 {
            line(&mut out, "grid", X0, y, X1, y);
        }
        text(
            &mut out,
            "tick-label",
            X0 - 6.0,
            y + 5.0,
            "end",
            &N(step * f64::from(k)).to_string(),
        );
        text(
            &mut out,
            "tick-label",
            X1 + 6.0,
            y + 5.0,
            "start",
            &(2 * k).to_string(),
        );
    }
    line(&mut out, "axis", X0, BOTTOM, X1, BOTTOM);
    text(&mut out, "axis-title", X0 - 6.0, TOP - 16.0, "end", "km");
    text(
        &mut out,
        "axis-title",
        X1 + 10.0,
        TOP - 16.0,
        "start",
        "pain",
    );
    out.push_str("</g>");

    // The baseline band: one stepped area per run of weeks that have one.
    let bands: Vec<Option<(f64, f64)>> = weeks.iter().map(|w| band_km(w)).collect();
    let mut d = String::new();
    let mut i = 0;
    while i < n {
        if bands[i].is_none() {
            i += 1;
            continue;
        }
        let a = i;
        while i + 1 < n && bands[i + 1].is_some() {
            i += 1;
        }
        let b = i;
        let run: Vec<(f64, f64)> = bands[a..=b].iter().flatten().copied().collect();
        w!(d, "M{},{}", N(slot_left(a)), N(y_km(run[0].1)));
        for (j, (_, hi)) in run.iter().enumerate() {
            if j > 0 {
                w!(d, "V{}", N(y_km(*hi)));
            }
            w!(d, "H{}", N(slot_left(a + j + 1)));
        }
        for (j, (lo, _)) in run.iter().enumerate().rev() {
            w!(d, "V{}", N(y_km(*lo)));
            w!(d, "H{}", N(slot_left(a + j)));
        }
        d.push('Z');
        i += 1;
    }
    if !d.is_empty() {
        w!(
            out,
            r#"<path class="band" d="{d}"><title>Your usual weekly range, up to the most the rules allow</title></path>"#
        );
    }

    // One bar per week.
    out.push_str(r#"<g class="bars">"#);
    for (i, w) in weeks.iter().enumerate() {
        let dist = km(w.distance_m);
        let band = bands[i];
        let over = band.is_some_and(|(_, hi)| dist > hi);
        let date = local_date(w.start_ms, off);
        let y = y_km(dist);
        w!(
            out,
            r#"<rect class="bar{}" data-week="{}" data-km="{}" x="{}" y="{}" width="{}" height="{}"><title>Week of {}: "#,
            if over { " over" } else { "" },
            fmt_date(date, DateStyle::Iso),
            N1(dist),
            N(slot_left(i) + slot * 0.15),
            N(y),
            N(slot * 0.7),
            N(BOTTOM - y),
            fmt_date(date, DateStyle::Full),
        );
        if w.runs == 0 && dist == 0.0 {
            out.push_str("no runs");
        } else {
            w!(
                out,
                "{} km in {}, longest {} km",
                N1(dist),
                plural(w.runs, "run", "runs"),
                N1(km(w.longest_m))
            );
        }
        if let Some((lo, hi)) = band {
            w!(out, "; usual {}–{} km", N1(lo), N1(hi));
            if over {
                out.push_str(", above the range");
            }
        }
        if let Some((ratio, _)) = w.acwr.filter(|(r, _)| r.is_finite()) {
            w!(out, "; load ratio {:.2}", ratio);
        }
        out.push_str("</title></rect>");
    }
    out.push_str("</g>");

    // The load ratio over the weeks that passed the runner's mark.
    out.push_str(r#"<g class="acwr">"#);
    for (i, w) in weeks.iter().enumerate() {
        if let Some((ratio, true)) = w.acwr.filter(|(r, _)| r.is_finite()) {
            let top = y_km(km(w.distance_m)).max(TOP + 12.0);
            text(
                &mut out,
                "acwr-label",
                slot_mid(i),
                top - 4.0,
                "middle",
                &format!("{ratio:.1}×"),
            );
        }
    }
    out.push_str("</g>");

    // The long run: a line through consecutive weeks that had a run.
    let long: Vec<(usize, f64)> = weeks
        .iter()
        .enumerate()
        .filter(|(_, w)| w.runs > 0 && km(w.longest_m) > 0.0)
        .map(|(i, w)| (i, km(w.longest_m)))
        .collect();
    let mut seg: Vec<(f64, f64)> = Vec::new();
    for (j, &(i, k)) in long.iter().enumerate() {
        if j > 0 && long[j - 1].0 + 1 != i {
            polyline(&mut out, "long-run", &seg);
            seg.clear();
        }
        seg.push((slot_mid(i), y_km(k)));
    }
    polyline(&mut out, "long-run", &seg);
    for &(i, k) in &long {
        w!(
            out,
            r#"<circle class="long-run-point" cx="{}" cy="{}" r="3.5"><title>Longest run {} km, week of {}</title></circle>"#,
            N(slot_mid(i)),
            N(y_km(k)),
            N1(k),
            fmt_date(local_date(weeks[i].start_ms, off), DateStyle::Full)
        );
    }

    // Morning pain, in time order; the line breaks across long silences.
    let mut pain: Vec<&PainPoint> = c
        .pain
        .iter()
        .filter(|p| p.score.is_finite() && in_span(p.at_ms))
        .collect();
    pain.sort_by(|a, b| a.at_ms.cmp(&b.at_ms).then(a.score.total_cmp(&b.score)));
    let mut seg: Vec<(f64, f64)> = Vec::new();
    for (j, p) in pain.iter().enumerate() {
        if j > 0 && p.at_ms - pain[j - 1].at_ms > PAIN_BREAK_MS {
            polyline(&mut out, "pain-line", &seg);
            seg.clear();
        }
        seg.push((x_time(p.at_ms), y_pain(p.score)));
    }
    polyline(&mut out, "pain-line", &seg);
    out.push_str(r#"<g class="pain">"#);
    for p in &pain {
        w!(
            out,
            r#"<circle class="pain-point" data-at-ms="{}" data-score="{}" cx="{}" cy="{}" r="4"><title>Morning pain {} on {}</title></circle>"#,
            p.at_ms,
            N1(p.score),
            N(x_time(p.at_ms)),
            N(y_pain(p.score)),
            N(p.score),
            fmt_date(local_date(p.at_ms, off), DateStyle::WeekdayDay)
        );
    }
    out.push_str("</g>");

    // Alerts: triangles along the top edge, each a link to the alert.
    let mut alerts: Vec<&AlertMark> = c.alerts.iter().filter(|a| in_span(a.at_ms)).collect();
    alerts.sort_by(|a, b| {
        (a.at_ms, a.id, &a.title, &a.severity, &a.kind).cmp(&(
            b.at_ms,
            b.id,
            &b.title,
            &b.severity,
            &b.kind,
        ))
    });
    out.push_str(r#"<g class="alerts">"#);
    for a in &alerts {
        let x = x_time(a.at_ms);
        w!(
            out,
            r#"<a href="{}/alerts#alert-{id}"><path class="alert-mark sev-{}" data-alert-id="{id}" data-kind="{}" d="M{},{}H{}L{},{}Z"><title>{}</title></path></a>"#,
            esc(c.base),
            class_word(&a.severity),
            esc(&a.kind),
            N(x - 7.0),
            N(TOP - 20.0),
            N(x + 7.0),
            N(x),
            N(TOP - 6.0),
            esc(&a.title),
            id = a.id,
        );
    }
    out.push_str("</g>");

    // Dates along x: a few weeks when the span is short, else months.
    let mut labels: Vec<(f64, String)> = Vec::new();
    if n <= 26 {
        for (i, w) in weeks.iter().enumerate().step_by(n.div_ceil(MAX_X_LABELS)) {
            let date = local_date(w.start_ms, off);
            labels.push((slot_left(i), fmt_date(date, DateStyle::DayMonth)));
        }
    } else {
        let mut months: Vec<NaiveDate> = Vec::new();
        for w in &weeks {
            let Some(d) = local_date(w.start_ms, off) else {
                continue;
            };
            if months
                .last()
                .is_none_or(|m| (m.year(), m.month()) != (d.year(), d.month()))
            {
                months.push(d);
            }
        }
        let mut prev_year = None;
        for d in months
            .iter()
            .step_by(months.len().div_ceil(MAX_X_LABELS).max(1))
        {
            let first_of_month = NaiveDate::from_ymd_opt(d.year(), d.month(), 1)
                .and_then(|m| m.and_hms_opt(0, 0, 0))
                .map(|m| off.to_utc(m));
            let x = first_of_month.map_or(X0, |t| x_time(t.max(span_start)));
            let style = if prev_year == Some(d.year()) {
                DateStyle::Month
            } else {
                DateStyle::MonthYear
            };
            prev_year = Some(d.year());
            labels.push((x, fmt_date(Some(*d), style)));
        }
    }
    x_labels(&mut out, &labels, BOTTOM, false);

    legend(&mut out, &legend_at);
    out.push_str("</svg>");
    out
}

// ---------------------------------------------------------------------------
// Series chart

/// Running sums of one distance bucket while downsampling.
#[derive(Clone, Copy, Default)]
struct Bucket {
    sum_x: f64,
    sum_y: f64,
    count: u32,
    /// A gap came in this bucket before any value did.
    gap_before: bool,
    /// A gap came in this bucket after a value.
    gap_after: bool,
}

/// The points to draw, as gap-free segments with at most
/// `MAX_SERIES_POINTS` points in all: the mean per distance bucket when
/// there are more.
fn series_segments(points: &[(f64, f64)]) -> Vec<Vec<(f64, f64)>> {
    let plotted = |p: &(f64, f64)| p.0.is_finite() && p.1.is_finite();
    let count = points.iter().filter(|p| plotted(p)).count();
    let mut segments = Vec::new();
    let mut cur: Vec<(f64, f64)> = Vec::new();
    if count <= MAX_SERIES_POINTS {
        for p in points {
            if plotted(p) {
                cur.push(*p);
            } else if !cur.is_empty() {
                segments.push(std::mem::take(&mut cur));
            }
        }
    } else {
        let (lo, hi) = points
            .iter()
            .filter(|p| plotted(p))
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
                (lo.min(p.0), hi.max(p.0))
            });
        let index = |x: f64| {
            // `as` saturates: below the range → 0.
            ((frac(x, lo, hi) * MAX_SERIES_POINTS as f64) as usize).min(MAX_SERIES_POINTS - 1)
        };
        let mut buckets = vec![Bucket::default(); MAX_SERIES_POINTS];
        let mut last = 0;
        for p in points {
            let b = if p.0.is_finite() { index(p.0) } else { last };
            let bucket = &mut buckets[b];
            if plotted(p) {
                bucket.sum_x += p.0;
                bucket.sum_y += p.1;
                bucket.count += 1;
            } else if bucket.count == 0 {
                bucket.gap_before = true;
            } else {
                bucket.gap_after = true;
            }
            last = b;
        }
        for b in &buckets {
            if b.gap_before && !cur.is_empty() {
                segments.push(std::mem::take(&mut cur));
            }
            if b.count > 0 {
                let n = f64::from(b.count);
                let p = (b.sum_x / n, b.sum_y / n);
                if p.0.is_finite() && p.1.is_finite() {
                    cur.push(p);
                } else if !cur.is_empty() {
                    segments.push(std::mem::take(&mut cur));
                }
            }
            if b.gap_after && !cur.is_empty() {
                segments.push(std::mem::take(&mut cur));
            }
        }
    }
    if !cur.is_empty() {
        segments.push(cur);
    }
    segments
}

/// The 2nd and 98th percentiles of `values` (not empty).
fn percentile_range(values: &mut [f64]) -> (f64, f64) {
    let last = values.len() - 1;
    let lo_i = (last as f64 * 0.02).floor() as usize;
    let hi_i = ((last as f64 * 0.98).ceil() as usize).min(last);
    let lo = *values.select_nth_unstable_by(lo_i, f64::total_cmp).1;
    let hi = *values.select_nth_unstable_by(hi_i, f64::total_cmp).1;
    (lo, hi)
}

/// A value over the distance of one run: at most 400 points drawn, the
/// y range from the 2nd–98th percentile (padded) so one GPS spike does not
/// flatten the rest. Nothing to draw: a small chart saying "No {title} recorded".
pub fn series_chart(s: &Series<'_>) -> String {
    const X0: f64 = 66.0;
    const X1: f64 = 616.0;
    const TOP: f64 = 40.0;
    const BOTTOM: f64 = 270.0;
    const HEIGHT: f64 = 322.0;

    let id = id_word(s.id);
    let class = format!("series-chart series-{id}");
    let svg_id = format!("series-{id}");
    let segments = series_segments(s.points);
    let mut values: Vec<f64> = s
        .points
        .iter()
        .filter(|p| p.0.is_finite() && p.1.is_finite())
        .map(|p| p.1)
        .collect();
    if segments.is_empty() || values.is_empty() {
        let message = format!("No {} recorded", s.title);
        return no_data_svg(&class, Some(&svg_id), s.title, &message);
    }

    let (lo, hi) = percentile_range(&mut values);
    // A nearly steady value (cadence 169–170) keeps a readable span, so
    // noise does not look like change: at least 6 % of the value, and 4 units.
    let min_span = (((lo + hi) / 2.0).abs() * 0.06).max(4.0);
    let (lo, hi) = if hi - lo < min_span {
        let mid = (lo + hi) / 2.0;
        (mid - min_span / 2.0, mid + min_span / 2.0)
    } else {
        (lo, hi)
    };
    let pad = if hi - lo > 1e-9 {
        (hi - lo) * 0.08
    } else {
        (lo.abs() * 0.05).max(1.0)
    };
    let (lo, hi) = (lo - pad, hi + pad);
    // The x axis spans the raw points (a run's axis starts at 0).
    let (x_lo, x_hi) = s
        .points
        .iter()
        .filter(|p| p.0.is_finite() && p.1.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            (a.min(p.0), b.max(p.0))
        });
    let x_lo = if x_lo > 0.0 && x_lo <= x_hi * 0.05 {
        0.0
    } else {
        x_lo
    };
    let (x_lo, x_hi) = if x_hi - x_lo > 1e-9 {
        (x_lo, x_hi)
    } else {
        (x_lo - 0.5, x_lo + 0.5)
    };
    let x_of = |d: f64| X0 + frac(d, x_lo, x_hi) * (X1 - X0);
    let y_of = |v: f64| {
        let t = frac(v, lo, hi);
        if s.invert_y {
            TOP + t * (BOTTOM - TOP)
        } else {
            BOTTOM - t * (BOTTOM - TOP)
        }
    };

    let mut out = String::with_capacity(8192);
    let heading = if s.unit.is_empty() {
        s.title.to_owned()
    } else {
        format!("{} ({})", s.title, s.unit)
    };
    let label = format!("{heading} along {} km of the run", N(x_hi.max(0.0)));
    open_svg(&mut out, &class, Some(&svg_id), HEIGHT, &label, s.title);

    out.push_str(r#"<g class="axes">"#);
    for v in ticks(lo, hi, nice_step((hi - lo) / 6.0, &[1.0, 2.0, 2.5, 5.0])) {
        let y = y_of(v);
        line(&mut out, "grid", X0, y, X1, y);
        text(
            &mut out,
            "tick-label",
            X0 - 6.0,
            y + 5.0,
            "end",
            &(s.label)(v),
        );
    }
    line(&mut out, "axis", X0, BOTTOM, X1, BOTTOM);
    let x_step = nice_step((x_hi - x_lo) / 5.0, &[1.0, 2.0, 5.0]).max(0.1);
    let labels: Vec<(f64, String)> = ticks(x_lo, x_hi, x_step)
        .into_iter()
        .map(|d| (x_of(d), N(d).to_string()))
        .collect();
    x_labels(&mut out, &labels, BOTTOM, true);
    text(&mut out, "axis-title", 8.0, TOP - 16.0, "start", &heading);
    text(
        &mut out,
        "axis-title",
        (X0 + X1) / 2.0,
        HEIGHT - 6.0,
        "middle",
        "distance (km)",
    );
    out.push_str("</g>");

    for seg in &segments {
        if let [(d, v)] = seg.as_slice() {
            w!(
                out,
                r#"<circle class="series-dot" cx="{}" cy="{}" r="2.5"/>"#,
                N(x_of(*d)),
                N(y_of(*v))
            );
        } else {
            let pts: Vec<(f64, f64)> = seg.iter().map(|&(d, v)| (x_of(d), y_of(v))).collect();
            polyline(&mut out, "series-line", &pts);
        }
    }
    out.push_str("</svg>");
    out
}

// ---------------------------------------------------------------------------
// Factor chart

fn verdict_words(verdict: &str) -> &str {
    match verdict {
        "link" => "linked to more pain",
        "protective" => "linked to less pain",
        "no_clear_link" => "no clear link",
        "not_enough_data" => "not enough data",
        other => other,
    }
}

/// One row per factor: a bar from 0 to (with − without) in pain points,
/// the interval of that difference as a whisker, and a zero line.
/// No rows: a small chart saying so.
pub fn factor_chart(rows: &[FactorBar<'_>]) -> String {
    const X0: f64 = 40.0;
    const X1: f64 = 600.0;
    const TOP: f64 = 12.0;
    const ROW_H: f64 = 56.0;
    const TITLE: &str = "Next-morning pain after runs with and without each factor";

    if rows.is_empty() {
        return no_data_svg(
            "factor-chart",
            None,
            TITLE,
            "Not enough runs to compare yet",
        );
    }
    let diff = |r: &FactorBar<'_>| match (r.mean_with, r.mean_without) {
        (Some(a), Some(b)) => Some(a - b).filter(|d| d.is_finite()),
        _ => None,
    };
    let interval = |r: &FactorBar<'_>| {
        r.interval
            .filter(|(a, b)| a.is_finite() && b.is_finite())
            .map(|(a, b)| (a.min(b), a.max(b)))
    };
    let extent = rows.iter().fold(0.0f64, |m, r| {
        let i = interval(r).map_or(0.0, |(a, b)| a.abs().max(b.abs()));
        m.max(diff(r).map_or(0.0, f64::abs)).max(i)
    });
    let extent = extent.clamp(0.5, 10.0);
    let step = nice_step(extent / 2.0, &[1.0, 2.0, 5.0]).max(0.1);
    let extent = (extent / step).ceil() * step;
    let zero = (X0 + X1) / 2.0;
    let x_of = |v: f64| zero + (frac(v, -extent, extent) - 0.5) * (X1 - X0);
    let axis_y = TOP + rows.len() as f64 * ROW_H + 4.0;
    let height = axis_y + 50.0;

    let mut out = String::with_capacity(1024 + rows.len() * 600);
    let label = format!(
        "Change in next-morning pain after runs with each of {} versus without",
        plural(rows.len(), "factor", "factors")
    );
    open_svg(&mut out, "factor-chart", None, height, &label, TITLE);

    out.push_str(r#"<g class="axes">"#);
    let mut tick_labels = Vec::new();
    for v in ticks(-extent, extent, step) {
        let x = x_of(v);
        line(&mut out, "grid", x, TOP, x, axis_y);
        tick_labels.push((x, Signed(v).to_string()));
    }
    line(&mut out, "axis", X0, axis_y, X1, axis_y);
    x_labels(&mut out, &tick_labels, axis_y, true);
    text(
        &mut out,
        "axis-title",
        X0,
        axis_y + 44.0,
        "start",
        "\u{2190} less pain",
    );
    text(
        &mut out,
        "axis-title",
        X1,
        axis_y + 44.0,
        "end",
        "more pain \u{2192}",
    );
    text(
        &mut out,
        "axis-title",
        zero,
        axis_y + 44.0,
        "middle",
        "pain points",
    );
    out.push_str("</g>");

    for (i, r) in rows.iter().enumerate() {
        let y0 = TOP + i as f64 * ROW_H;
        let mid = y0 + 34.0;
        let verdict = class_word(r.verdict);
        let d = diff(r);
        let iv = interval(r);

        let mut title = String::new();
        let mut value = String::new();
        match d {
            Some(d) => {
                w!(
                    title,
                    "{}: next-morning pain {} after runs with it than without (with {}, without {})",
                    r.factor,
                    Signed(d),
                    Signed(r.mean_with.unwrap_or(0.0)),
                    Signed(r.mean_without.unwrap_or(0.0)),
                );
                w!(value, "{}", Signed(d));
                if let Some((a, b)) = iv {
                    w!(title, ", interval {} to {}", Signed(a), Signed(b));
                    w!(value, " ({} to {})", Signed(a), Signed(b));
                }
                w!(title, "; {}", verdict_words(r.verdict));
            }
            None => w!(title, "{}: not enough data", r.factor),
        }
        let room = ((X1 - X0 - 16.0) / CHAR_W) as usize;
        let max_name = room.saturating_sub(value.chars().count()).max(8);
        let name: String = if r.factor.chars().count() > max_name {
            let mut s: String = r.factor.chars().take(max_name - 1).collect();
            s.push('\u{2026}');
            s
        } else {
            r.factor.to_owned()
        };

        w!(
            out,
            r#"<g class="factor-row verdict-{verdict}"><title>{}</title>"#,
            esc(&title)
        );
        text(&mut out, "factor-name", X0, y0 + 18.0, "start", &name);
        if !value.is_empty() {
            text(&mut out, "factor-value", X1, y0 + 18.0, "end", &value);
        }
        match d {
            Some(d) => {
                let (a, b) = (x_of(d.min(0.0)), x_of(d.max(0.0)));
                w!(
                    out,
                    r#"<rect class="effect verdict-{verdict}" x="{}" y="{}" width="{}" height="16"/>"#,
                    N(a),
                    N(mid - 8.0),
                    N(b - a)
                );
                if let Some((lo, hi)) = iv {
                    let (a, b) = (x_of(lo), x_of(hi));
                    w!(
                        out,
                        r#"<path class="interval" fill="none" d="M{a},{top}V{bottom}M{a},{mid}H{b}M{b},{top}V{bottom}"/>"#,
                        a = N(a),
                        b = N(b),
                        top = N(mid - 6.0),
                        bottom = N(mid + 6.0),
                        mid = N(mid),
                    );
                }
            }
            None => text(
                &mut out,
                "no-data",
                zero + 8.0,
                mid + 5.0,
                "start",
                "not enough data",
            ),
        }
        out.push_str("</g>");
    }
    line(&mut out, "zero-line", zero, TOP, zero, axis_y);
    out.push_str("</svg>");
    out
}

// ---------------------------------------------------------------------------
// Trend chart

/// Scores over time (VISA-A 0–100, or pain 0–10): dots joined by a line,
/// dates along x, 0..`y_max` up the side. Nothing to draw: a small chart
/// saying "No {title} recorded yet".
pub fn trend_chart(
    id: &str,
    title: &str,
    points: &[(i64, f64)],
    y_max: f64,
    zone: impl Into<Zone>,
) -> String {
    const X0: f64 = 52.0;
    const X1: f64 = 612.0;
    const TOP: f64 = 40.0;
    const BOTTOM: f64 = 250.0;
    const HEIGHT: f64 = 282.0;

    let idw = id_word(id);
    let class = format!("trend-chart trend-{idw}");
    let svg_id = format!("trend-{idw}");
    let mut pts: Vec<(i64, f64)> = points.iter().copied().filter(|p| p.1.is_finite()).collect();
    let (Some(&(t_min, _)), Some(&(t_max, _))) = (
        pts.iter().min_by_key(|p| p.0),
        pts.iter().max_by_key(|p| p.0),
    ) else {
        let message = format!("No {title} recorded yet");
        return no_data_svg(&class, Some(&svg_id), title, &message);
    };
    pts.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let y_max = if y_max.is_finite() && y_max > 0.0 {
        y_max
    } else {
        pts.iter().fold(1.0f64, |m, p| m.max(p.1))
    };
    let (xi0, xi1) = (X0 + 14.0, X1 - 14.0);
    let x_of = |t: i64| xi0 + frac(t as f64, t_min as f64, t_max as f64) * (xi1 - xi0);
    let y_of = |v: f64| BOTTOM - frac(v, 0.0, y_max) * (BOTTOM - TOP);
    let off: Zone = zone.into();

    let mut out = String::with_capacity(2048 + pts.len() * 160);
    let latest = pts.last().map_or(0.0, |p| p.1);
    let label = format!(
        "{title}: {} from {} to {}, latest {}",
        plural(pts.len(), "score", "scores"),
        fmt_date(local_date(t_min, off), DateStyle::Full),
        fmt_date(local_date(t_max, off), DateStyle::Full),
        N(latest)
    );
    open_svg(&mut out, &class, Some(&svg_id), HEIGHT, &label, title);

    out.push_str(r#"<g class="axes">"#);
    let step = nice_step(y_max / 5.0, &[1.0, 2.0, 2.5, 5.0]).max(0.1);
    for v in ticks(0.0, y_max, step) {
        let y = y_of(v);
        if v > 0.0 {
            line(&mut out, "grid", X0, y, X1, y);
        }
        text(
            &mut out,
            "tick-label",
            X0 - 6.0,
            y + 5.0,
            "end",
            &N(v).to_string(),
        );
    }
    line(&mut out, "axis", X0, BOTTOM, X1, BOTTOM);
    let span_days = (t_max as f64 - t_min as f64) / DAY_MS as f64;
    let style = if span_days > 300.0 {
        DateStyle::MonthYear
    } else {
        DateStyle::DayMonth
    };
    let mut labels: Vec<(f64, String)> = Vec::new();
    let count = if t_max > t_min { 5 } else { 1 };
    for k in 0..count {
        let t = if count == 1 {
            t_min
        } else {
            let f = f64::from(k) / f64::from(count - 1);
            (t_min as f64 + f * (t_max as f64 - t_min as f64)) as i64
        };
        let label = fmt_date(local_date(t, off), style);
        if labels.last().is_none_or(|l| l.1 != label) {
            labels.push((x_of(t), label));
        }
    }
    x_labels(&mut out, &labels, BOTTOM, true);
    text(&mut out, "axis-title", 8.0, TOP - 16.0, "start", title);
    out.push_str("</g>");

    let line_pts: Vec<(f64, f64)> = pts.iter().map(|&(t, v)| (x_of(t), y_of(v))).collect();
    polyline(&mut out, "trend-line", &line_pts);
    let name = esc(title);
    for (&(t, v), &(x, y)) in pts.iter().zip(&line_pts) {
        w!(
            out,
            r#"<circle class="trend-point" data-at-ms="{t}" data-value="{}" cx="{}" cy="{}" r="5"><title>{name} {} on {}</title></circle>"#,
            N1(v),
            N(x),
            N(y),
            N(v),
            fmt_date(local_date(t, off), DateStyle::Full)
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use quick_xml::Reader;
    use quick_xml::events::Event;

    const MON_5_JAN_2026: i64 = 1_767_571_200_000; // 2026-01-05T00:00:00Z, a Monday

    /// Parses `svg` and asserts it is one well-formed element, with every
    /// attribute and entity valid, no style and no NaN/inf.
    fn check(svg: &str) {
        let mut reader = Reader::from_str(svg);
        let mut stack: Vec<Vec<u8>> = Vec::new();
        let mut roots = 0;
        loop {
            let event = match reader.read_event() {
                Ok(e) => e,
                Err(e) => panic!("XML error at {}: {e}\n{svg}", reader.buffer_position()),
            };
            match event {
                Event::Eof => break,
                Event::Start(e) => {
                    for a in e.attributes() {
                        let a = a.expect("attribute");
                        a.unescape_value().expect("attribute value");
                    }
                    if stack.is_empty() {
                        roots += 1;
                        assert_eq!(e.name().as_ref(), b"svg");
                    }
                    stack.push(e.name().as_ref().to_vec());
                }
                Event::Empty(e) => {
                    for a in e.attributes() {
                        let a = a.expect("attribute");
                        a.unescape_value().expect("attribute value");
                    }
                    assert!(!stack.is_empty(), "element outside the root");
                }
                Event::End(e) => {
                    let open = stack.pop().expect("end tag without start");
                    assert_eq!(open, e.name().as_ref(), "mismatched end tag");
                }
                Event::Text(t) => {
                    let t = t.decode().expect("text");
                    assert!(
                        !stack.is_empty() || t.trim().is_empty(),
                        "text outside the root"
                    );
                }
                Event::GeneralRef(r) => {
                    if r.is_char_ref() {
                        assert!(r.resolve_char_ref().expect("char ref").is_some());
                    } else {
                        let name = r.decode().expect("ref");
                        assert!(
                            ["amp", "lt", "gt", "quot", "apos"].contains(&name.as_ref()),
                            "unknown entity {name}"
                        );
                    }
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        assert!(stack.is_empty(), "unclosed tags: {stack:?}");
        assert_eq!(roots, 1);
        assert!(!svg.contains("style"), "style in {svg}");
        assert!(
            !svg.contains("NaN") && !svg.contains("inf"),
            "non-finite in {svg}"
        );
        assert!(svg.contains(r#"preserveAspectRatio="xMidYMid meet""#));
        assert!(svg.contains(r#"role="img""#) && svg.contains("aria-label=\""));
        assert!(!svg.contains(" width=\"640\"") && !svg.contains("<svg width"));
        assert!(svg.starts_with("<svg ") && svg.contains("<title>"));
    }

    fn count(svg: &str, needle: &str) -> usize {
        svg.matches(needle).count()
    }

    fn week(i: i64, km: f64, runs: usize, band: Option<(f64, f64)>) -> LoadWeek {
        LoadWeek {
            start_ms: MON_5_JAN_2026 + i * WEEK_MS,
            distance_m: km * 1000.0,
            runs,
            longest_m: if runs > 0 { km * 400.0 } else { 0.0 },
            band_m: band.map(|(a, b)| (a * 1000.0, b * 1000.0)),
            acwr: None,
        }
    }

    fn weeks(n: i64) -> Vec<LoadWeek> {
        (0..n)
            .map(|i| {
                let band = (i >= 4).then_some((20.0, 26.0));
                let km = 15.0 + (i % 7) as f64 * 2.5;
                week(i, km, (i % 4) as usize + 1, band)
            })
            .collect()
    }

    fn pains(weeks: &[LoadWeek], every_h: i64) -> Vec<PainPoint> {
        let (Some(first), Some(last)) = (weeks.first(), weeks.last()) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut t = first.start_ms + 7 * 3_600_000;
        let mut k = 0;
        while t < last.start_ms + WEEK_MS {
            out.push(PainPoint {
                at_ms: t,
                score: (k % 11) as f64 * 0.5,
            });
            t += every_h * 3_600_000;
            k += 1;
        }
        out
    }

    fn alert(id: i64, at_ms: i64, title: &str) -> AlertMark {
        AlertMark {
            id,
            at_ms,
            kind: "week_jump".into(),
            severity: "warning".into(),
            title: title.into(),
        }
    }

    fn pace(v: f64) -> String {
        let s = v.round() as i64;
        format!("{}:{:02}", s / 60, s % 60)
    }

    #[test]
    fn load_chart_normal() {
        let ws = weeks(12);
        let pain = pains(&ws, 24);
        let alerts = vec![alert(7, ws[5].start_ms + DAY_MS, "Week jump")];
        let svg = load_chart(&LoadChart {
            base: "",
            weeks: &ws,
            pain: &pain,
            alerts: &alerts,
            zone: Zone::Fixed(3600),
        });
        check(&svg);
        assert_eq!(count(&svg, "<rect class=\"bar"), 12);
        assert_eq!(count(&svg, "class=\"pain-point\""), pain.len());
        assert_eq!(count(&svg, "<path class=\"band\""), 1);
        assert!(svg.contains(
            r#"<a href="/alerts#alert-7"><path class="alert-mark sev-warning" data-alert-id="7""#
        ));
        assert!(svg.contains(r#"data-week="2026-01-05" data-km="15.0""#));
        assert!(svg.contains("Week of 5 Jan 2026: 15.0 km in 1 run, longest 6.0 km"));
        assert!(svg.contains("Morning pain 0 on Mon 5 Jan"));
        assert!(svg.contains("class=\"legend-label\""));
        for needle in ["long-run\"", "long-run-point", "pain-line", "no-data"] {
            assert_eq!(svg.contains(needle), needle != "no-data", "{needle}");
        }
        // Draw order: band, bars, long run, pain, alerts.
        let pos = |s: &str| svg.find(s).expect(s);
        assert!(pos("class=\"band\"") < pos("class=\"bar"));
        assert!(pos("class=\"bar") < pos("class=\"long-run\""));
        assert!(pos("class=\"long-run\"") < pos("class=\"pain-line\""));
        assert!(pos("class=\"pain-point\"") < pos("class=\"alert-mark"));
        // At most seven date labels.
        assert!(count(&svg, "class=\"x-label\"") <= MAX_X_LABELS);
    }

    #[test]
    fn load_chart_empty_and_single() {
        let svg = load_chart(&LoadChart {
            base: "",
            weeks: &[],
            pain: &[PainPoint {
                at_ms: 0,
                score: 3.0,
            }],
            alerts: &[],
            zone: Zone::Fixed(0),
        });
        check(&svg);
        assert!(svg.contains(r#"class="no-data""#) && svg.contains("No runs yet"));

        let ws = [week(0, 0.0, 0, None)];
        let svg = load_chart(&LoadChart {
            base: "",
            weeks: &ws,
            pain: &[PainPoint {
                at_ms: MON_5_JAN_2026 + 1000,
                score: 2.0,
            }],
            alerts: &[],
            zone: Zone::Fixed(0),
        });
        check(&svg);
        assert_eq!(count(&svg, "<rect class=\"bar"), 1);
        assert!(svg.contains("no runs"));
        assert!(!svg.contains("<polyline"));
        assert_eq!(count(&svg, "class=\"pain-point\""), 1);
    }

    #[test]
    fn load_chart_drops_outside_span_and_nan() {
        let ws = weeks(3);
        let end = ws[2].start_ms + WEEK_MS;
        let pain = vec![
            PainPoint {
                at_ms: ws[0].start_ms - 1,
                score: 4.0,
            },
            PainPoint {
                at_ms: ws[0].start_ms,
                score: 4.0,
            },
            PainPoint {
                at_ms: ws[1].start_ms,
                score: f64::NAN,
            },
            PainPoint {
                at_ms: ws[1].start_ms + 5,
                score: f64::INFINITY,
            },
            PainPoint {
                at_ms: end - 1,
                score: 5.0,
            },
            PainPoint {
                at_ms: end,
                score: 6.0,
            },
        ];
        let alerts = vec![
            alert(1, end, "late"),
            alert(2, ws[0].start_ms - 1, "early"),
            alert(3, end - 1, "in"),
        ];
        let mut ws_nan = ws.clone();
        ws_nan[1].distance_m = f64::NAN;
        ws_nan[1].longest_m = f64::INFINITY;
        ws_nan[2].band_m = Some((f64::NAN, 3.0));
        let svg = load_chart(&LoadChart {
            base: "",
            weeks: &ws_nan,
            pain: &pain,
            alerts: &alerts,
            zone: Zone::Fixed(0),
        });
        check(&svg);
        assert_eq!(count(&svg, "class=\"pain-point\""), 2);
        assert_eq!(count(&svg, "class=\"alert-mark"), 1);
        assert!(svg.contains("alert-3"));
        assert_eq!(count(&svg, "<rect class=\"bar"), 3);
    }

    #[test]
    fn over_class_above_band() {
        let ws = vec![
            week(0, 20.0, 3, Some((18.0, 22.0))),
            week(1, 30.0, 4, Some((18.0, 22.0))),
            week(2, 40.0, 4, None),
        ];
        let svg = load_chart(&LoadChart {
            base: "",
            weeks: &ws,
            pain: &[],
            alerts: &[],
            zone: Zone::Fixed(0),
        });
        check(&svg);
        assert_eq!(count(&svg, "<rect class=\"bar over\""), 1);
        assert!(svg.contains(r#"<rect class="bar over" data-week="2026-01-12" data-km="30.0""#));
        assert!(svg.contains("above the range"));
        // The km axis reaches the highest bar.
        assert!(svg.contains(">40</text>") || svg.contains(">50</text>"));
    }

    #[test]
    fn pain_line_breaks_after_ten_days() {
        let ws = weeks(6);
        let day = |d: i64| MON_5_JAN_2026 + d * DAY_MS + 3_600_000;
        let pain: Vec<PainPoint> = [0, 1, 2, 14, 15, 30]
            .iter()
            .map(|&d| PainPoint {
                at_ms: day(d),
                score: 2.0,
            })
            .collect();
        let svg = load_chart(&LoadChart {
            base: "",
            weeks: &ws,
            pain: &pain,
            alerts: &[],
            zone: Zone::Fixed(0),
        });
        check(&svg);
        // [0,1,2] and [14,15]; 30 stands alone.
        assert_eq!(count(&svg, "class=\"pain-line\""), 2);
    }

    #[test]
    fn hostile_text_is_escaped() {
        let evil = "<script>&\"'";
        let escaped = "&lt;script&gt;&amp;&quot;&#39;";
        let ws = weeks(2);
        let alerts = vec![AlertMark {
            id: 9,
            at_ms: ws[0].start_ms + 10,
            kind: evil.into(),
            severity: "high\" onload=\"x".into(),
            title: evil.into(),
        }];
        let svgs = [
            load_chart(&LoadChart {
                base: "",
                weeks: &ws,
                pain: &[],
                alerts: &alerts,
                zone: Zone::Fixed(0),
            }),
            series_chart(&Series {
                id: evil,
                title: evil,
                unit: evil,
                points: &[(0.0, 1.0), (1.0, 2.0)],
                invert_y: false,
                label: |_| "<script>&\"'".to_owned(),
            }),
            series_chart(&Series {
                id: evil,
                title: evil,
                unit: evil,
                points: &[],
                invert_y: false,
                label: pace,
            }),
            factor_chart(&[FactorBar {
                factor: evil,
                mean_with: Some(1.0),
                mean_without: Some(0.5),
                interval: Some((-0.2, 1.2)),
                verdict: evil,
            }]),
            trend_chart(evil, evil, &[(MON_5_JAN_2026, 50.0)], 100.0, 0),
            trend_chart(evil, evil, &[], 100.0, 0),
        ];
        for svg in &svgs {
            check(svg);
            assert!(!svg.contains("<script"), "{svg}");
            assert!(svg.contains(escaped), "{svg}");
        }
        assert!(svgs[0].contains("class=\"alert-mark sev-highonloadx\""));
        assert!(svgs[3].contains("verdict-script"));
    }

    #[test]
    fn deterministic_whatever_the_order() {
        let ws = weeks(40);
        let mut pain = pains(&ws, 30);
        let mut alerts: Vec<AlertMark> = (0..20)
            .map(|i| alert(i, ws[0].start_ms + i * 5 * DAY_MS, "a"))
            .collect();
        let make = |pain: &[PainPoint], alerts: &[AlertMark]| {
            load_chart(&LoadChart {
                base: "",
                weeks: &ws,
                pain,
                alerts,
                zone: Zone::Fixed(-18_000),
            })
        };
        let a = make(&pain, &alerts);
        assert_eq!(a, make(&pain, &alerts));
        pain.reverse();
        alerts.reverse();
        assert_eq!(a, make(&pain, &alerts));
        check(&a);

        let pts: Vec<(f64, f64)> = (0..5000)
            .map(|i| (i as f64 * 0.002, 300.0 + (i % 50) as f64))
            .collect();
        let s = Series {
            id: "pace",
            title: "Pace",
            unit: "min/km",
            points: &pts,
            invert_y: true,
            label: pace,
        };
        assert_eq!(series_chart(&s), series_chart(&s));
        let rows = [FactorBar {
            factor: "hills",
            mean_with: Some(0.8),
            mean_without: Some(0.1),
            interval: Some((0.2, 1.3)),
            verdict: "link",
        }];
        assert_eq!(factor_chart(&rows), factor_chart(&rows));
        let t = [(MON_5_JAN_2026, 40.0), (MON_5_JAN_2026 + 30 * DAY_MS, 55.0)];
        assert_eq!(
            trend_chart("visa", "VISA-A", &t, 100.0, 0),
            trend_chart("visa", "VISA-A", &t, 100.0, 0)
        );
    }

    #[test]
    fn huge_inputs() {
        let ws = weeks(150);
        let mut pain = pains(&ws, 8);
        pain.truncate(3000);
        let alerts: Vec<AlertMark> = (0..300)
            .map(|i| alert(i, ws[0].start_ms + i * 3 * DAY_MS + 1, "Long-run spike"))
            .collect();
        let svg = load_chart(&LoadChart {
            base: "",
            weeks: &ws,
            pain: &pain,
            alerts: &alerts,
            zone: Zone::Fixed(3600),
        });
        check(&svg);
        assert_eq!(count(&svg, "<rect class=\"bar"), 150);
        assert_eq!(count(&svg, "class=\"pain-point\""), 3000);
        assert_eq!(count(&svg, "class=\"alert-mark"), 300);
        assert!(count(&svg, "class=\"x-label\"") <= MAX_X_LABELS);

        // Absurd magnitudes stay finite.
        let ws = vec![
            LoadWeek {
                start_ms: MON_5_JAN_2026,
                distance_m: f64::MAX,
                runs: usize::MAX,
                longest_m: f64::MAX,
                band_m: Some((f64::MAX, -f64::MAX)),
                acwr: Some((f64::MAX, true)),
            },
            LoadWeek {
                start_ms: i64::MAX - 5,
                distance_m: 1e300,
                runs: 1,
                longest_m: 1e-300,
                band_m: None,
                acwr: Some((f64::NAN, true)),
            },
        ];
        let pain = [PainPoint {
            at_ms: i64::MAX - 1,
            score: 1e300,
        }];
        check(&load_chart(&LoadChart {
            base: "",
            weeks: &ws,
            pain: &pain,
            alerts: &[alert(i64::MIN, i64::MAX - 2, "x")],
            zone: Zone::Fixed(i32::MAX),
        }));

        let pts: Vec<(f64, f64)> = (0..100_000)
            .map(|i| {
                let v = if i % 997 == 0 {
                    f64::NAN
                } else {
                    1e300 * if i % 2 == 0 { 1.0 } else { -1.0 }
                };
                (i as f64 * 1e-4, v)
            })
            .collect();
        check(&series_chart(&Series {
            id: "elev",
            title: "Elevation",
            unit: "m",
            points: &pts,
            invert_y: false,
            label: |v| format!("{v:.0}"),
        }));

        let rows: Vec<FactorBar<'_>> = (0..200)
            .map(|i| FactorBar {
                factor: "a factor with a rather long name that keeps going and going",
                mean_with: Some(i as f64 * 1e10),
                mean_without: if i % 3 == 0 { None } else { Some(-1e300) },
                interval: Some((f64::MIN, f64::MAX)),
                verdict: "no_clear_link",
            })
            .collect();
        check(&factor_chart(&rows));

        let t: Vec<(i64, f64)> = (0..20_000)
            .map(|i| (i64::MAX - i * 1000, 1e200 * i as f64))
            .collect();
        check(&trend_chart("pain", "Pain", &t, f64::INFINITY, i32::MIN));
    }

    #[test]
    fn series_downsamples_keeps_gaps_and_ignores_spikes() {
        let pts: Vec<(f64, f64)> = (0..10_000)
            .map(|i| {
                let d = i as f64 * 0.001;
                let v = if (4000..4100).contains(&i) {
                    f64::NAN
                } else if i == 7000 {
                    5000.0
                } else {
                    300.0 + (i % 60) as f64
                };
                (d, v)
            })
            .collect();
        let svg = series_chart(&Series {
            id: "pace",
            title: "Pace",
            unit: "min/km",
            points: &pts,
            invert_y: true,
            label: pace,
        });
        check(&svg);
        assert!(svg.contains(r#"id="series-pace""#) && svg.contains("series-chart series-pace"));
        assert_eq!(count(&svg, "class=\"series-line\""), 2);
        let drawn: usize = svg
            .split("points=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap_or("").split(' ').count())
            .sum();
        assert!(drawn <= MAX_SERIES_POINTS && drawn > 300, "{drawn}");
        // The spike (5000 s = 83:20) does not set the range.
        assert!(!svg.contains(">83:") && !svg.contains(">20:"), "{svg}");
        assert!(svg.contains(">5:"));

        // Few points are drawn as they are; a lone point between gaps is a dot.
        let pts = [
            (0.0, 1.0),
            (0.5, 2.0),
            (1.0, f64::NAN),
            (1.5, 3.0),
            (2.0, f64::INFINITY),
            (f64::NAN, 4.0),
            (3.0, 5.0),
            (3.5, 4.0),
        ];
        let svg = series_chart(&Series {
            id: "cad",
            title: "Cadence",
            unit: "spm",
            points: &pts,
            invert_y: false,
            label: |v| format!("{v:.0}"),
        });
        check(&svg);
        assert_eq!(count(&svg, "class=\"series-line\""), 2);
        assert_eq!(count(&svg, "class=\"series-dot\""), 1);
    }

    #[test]
    fn series_empty_single_and_all_gaps() {
        for pts in [vec![], vec![(0.0, f64::NAN), (1.0, f64::NAN)]] {
            let svg = series_chart(&Series {
                id: "pace",
                title: "Pace",
                unit: "min/km",
                points: &pts,
                invert_y: true,
                label: pace,
            });
            check(&svg);
            assert!(svg.contains(r#"<text class="no-data""#) && svg.contains("No Pace recorded"));
        }
        let svg = series_chart(&Series {
            id: "pace",
            title: "Pace",
            unit: "min/km",
            points: &[(2.0, 330.0)],
            invert_y: true,
            label: pace,
        });
        check(&svg);
        assert_eq!(count(&svg, "series-dot"), 1);
        assert!(svg.contains(">5:30<"), "{svg}");
    }

    #[test]
    fn factor_chart_rows() {
        let rows = [
            FactorBar {
                factor: "hills",
                mean_with: Some(1.2),
                mean_without: Some(0.2),
                interval: Some((0.3, 1.7)),
                verdict: "link",
            },
            FactorBar {
                factor: "soft surface",
                mean_with: Some(-0.4),
                mean_without: Some(0.3),
                interval: Some((f64::NAN, 0.1)),
                verdict: "protective",
            },
            FactorBar {
                factor: "speed work",
                mean_with: None,
                mean_without: Some(0.3),
                interval: None,
                verdict: "not_enough_data",
            },
            FactorBar {
                factor: "new shoes",
                mean_with: Some(f64::NAN),
                mean_without: Some(0.3),
                interval: None,
                verdict: "not_enough_data",
            },
        ];
        let svg = factor_chart(&rows);
        check(&svg);
        assert_eq!(count(&svg, "class=\"effect verdict-link\""), 1);
        assert_eq!(count(&svg, "class=\"effect verdict-protective\""), 1);
        assert_eq!(count(&svg, "class=\"interval\""), 1);
        assert_eq!(count(&svg, ">not enough data<"), 2);
        assert_eq!(count(&svg, "class=\"zero-line\""), 1);
        assert!(svg.contains("hills: next-morning pain +1 after runs with it than without (with +1.2, without +0.2), interval +0.3 to +1.7; linked to more pain"));
        assert!(svg.contains(">+1 (+0.3 to +1.7)<"));

        let svg = factor_chart(&[]);
        check(&svg);
        assert!(svg.contains("class=\"no-data\""));
    }

    #[test]
    fn trend_chart_cases() {
        let t: Vec<(i64, f64)> = (0..10)
            .map(|i| (MON_5_JAN_2026 + i * 14 * DAY_MS, 40.0 + i as f64 * 3.0))
            .chain([(MON_5_JAN_2026 + DAY_MS, f64::NAN)])
            .collect();
        let svg = trend_chart("visa", "VISA-A", &t, 100.0, 3600);
        check(&svg);
        assert_eq!(count(&svg, "class=\"trend-point\""), 10);
        assert_eq!(count(&svg, "class=\"trend-line\""), 1);
        assert!(svg.contains(">100</text>") && svg.contains("VISA-A 40 on 5 Jan 2026"));

        let one = trend_chart("pain", "Pain", &[(MON_5_JAN_2026, 3.0)], 10.0, 0);
        check(&one);
        assert_eq!(count(&one, "class=\"trend-point\""), 1);
        assert!(!one.contains("trend-line"));

        let none = trend_chart("pain", "Pain", &[(0, f64::NAN)], 10.0, 0);
        check(&none);
        assert!(none.contains("class=\"no-data\"") && none.contains("No Pain recorded yet"));
    }

    #[test]
    fn numbers_have_at_most_one_decimal() {
        assert_eq!(N(1.25).to_string(), "1.3");
        assert_eq!(N(2.0).to_string(), "2");
        assert_eq!(N(-0.04).to_string(), "0");
        assert_eq!(N(-0.5).to_string(), "-0.5");
        assert_eq!(N(f64::NAN).to_string(), "0");
        assert_eq!(N1(12.0).to_string(), "12.0");
        assert_eq!(N1(-0.01).to_string(), "0.0");
        assert_eq!(Signed(-0.4).to_string(), "\u{2212}0.4");
        assert_eq!(Signed(0.02).to_string(), "0");
    }
}
