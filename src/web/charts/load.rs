//! The load chart: weekly running distance as bars over the runner's usual
//! range, the long run, morning pain on a second axis, and the alerts.

use std::fmt::Write as _;

use super::DAY_MS;
use super::axis::{
    Axis, DateStep, Side, UnitKind, date_ticks, frac, labels_w, max_steps, x_axis, x_axis_h, y_axis,
};
use super::format::{DateStyle, N, N1, class_word, fmt_date, local_date, plural};
use super::size::{Size, thin};
use super::svg::{figure, line, no_data_svg, open_svg, plot_box, polyline, text};
use crate::web::esc;
use crate::zone::Zone;

pub(super) const WEEK_MS: i64 = 7 * DAY_MS;
/// Morning-pain points further apart than this are not joined by the line.
const PAIN_BREAK_MS: i64 = 10 * DAY_MS;
/// At most this many dates along the x axis.
pub(super) const MAX_X_LABELS: usize = 7;

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

/// Lays the legend out in rows from the baseline `y0`, across `x0..x1`;
/// returns each entry's (x, baseline y).
fn legend_layout(y0: f64, x0: f64, x1: f64, size: Size) -> Vec<(f64, f64)> {
    let swatch = size.font * 1.3;
    let (mut x, mut y) = (x0, y0);
    let mut at = Vec::with_capacity(LEGEND.len());
    for (_, label) in LEGEND {
        let width = swatch + size.text_w(label);
        if x > x0 && x + width > x1 {
            x = x0;
            y += size.line_h();
        }
        at.push((x, y));
        x += width + size.font * 1.2;
    }
    at
}

fn legend(out: &mut String, at: &[(f64, f64)], size: Size) {
    // A swatch is as high as a capital letter and sits on the baseline.
    let h = (size.font * 0.75).round();
    out.push_str(r#"<g class="legend">"#);
    for ((kind, label), (x, y)) in LEGEND.iter().zip(at) {
        let (x, y) = (*x, *y);
        let mid = y - h / 2.0;
        match *kind {
            "bar" | "band" => w!(
                out,
                r#"<rect class="legend-{kind}" x="{}" y="{}" width="{}" height="{}"/>"#,
                N(x + 1.0),
                N(y - h),
                N(h),
                N(h)
            ),
            "long-run" => {
                line(out, "legend-long-run", x, mid, x + h * 1.2, mid);
                w!(
                    out,
                    r#"<circle class="legend-long-run-point" cx="{}" cy="{}" r="{}"/>"#,
                    N(x + h * 0.6),
                    N(mid),
                    N(h * 0.25)
                );
            }
            "pain" => w!(
                out,
                r#"<circle class="legend-pain" cx="{}" cy="{}" r="{}"/>"#,
                N(x + h * 0.6),
                N(mid),
                N(h * 0.35)
            ),
            _ => w!(
                out,
                r#"<path class="legend-alert" d="M{},{}H{}L{},{}Z"/>"#,
                N(x),
                N(y - h),
                N(x + h * 1.2),
                N(x + h * 0.6),
                N(y)
            ),
        }
        text(out, "legend-label", x + size.font * 1.3, y, "start", label);
    }
    out.push_str("</g>");
}

/// Weekly running distance as bars over the baseline band, the long run as
/// a line, morning pain (right axis, 0–10) and alert markers linking to
/// `/alerts#alert-{id}`. No weeks: a small chart saying "No runs yet".
pub fn load_chart(c: &LoadChart<'_>) -> String {
    let mut weeks: Vec<&LoadWeek> = c.weeks.iter().collect();
    weeks.sort_by_key(|w| w.start_ms);
    if weeks.is_empty() {
        return no_data_svg("load-chart", None, TITLE, "No runs yet");
    }
    figure(None, |size| draw(c, &weeks, size))
}

const TITLE: &str = "Weekly running distance and morning pain";

/// One drawing of [`load_chart`], of `weeks` (sorted, not empty).
fn draw(c: &LoadChart<'_>, weeks: &[&LoadWeek], size: Size) -> String {
    let (Some(first), Some(last)) = (weeks.first().copied(), weeks.last().copied()) else {
        return String::new();
    };
    let f = size.font;
    let pad = f * 0.3;
    // From the top: the axes' titles, the lane of alert marks, the plot,
    // the dates, the legend.
    let lane_top = size.line_h();
    let top = lane_top + f * 1.3;
    let bottom = top + (size.width * 0.3).max(200.0);

    let off = c.zone;
    let n = weeks.len();
    let span_start = first.start_ms;
    let span_end = last.start_ms.saturating_add(WEEK_MS);
    let in_span = |t: i64| t >= span_start && t < span_end;

    // Left axis: km in round steps up to the highest bar, band or long
    // run; right axis: morning pain 0–10 in round steps. The plot lies
    // between their labels.
    let max_km = weeks.iter().fold(0.0f64, |m, w| {
        let band_hi = band_km(w).map_or(0.0, |b| b.1);
        m.max(km(w.distance_m)).max(km(w.longest_m)).max(band_hi)
    });
    let steps = max_steps(bottom - top, size);
    let km_axis = Axis::rounded(0.0, max_km.max(1.0), UnitKind::Number, steps, bottom, top);
    let pain_axis = Axis::rounded(0.0, 10.0, UnitKind::Number, steps.min(5), bottom, top);
    let x0 = pad + labels_w(&km_axis, size).max(size.text_w("km")) + f * 0.4;
    let x1 = size.width - pad - labels_w(&pain_axis, size).max(size.text_w("pain")) - f * 0.8;
    let slot = (x1 - x0) / n as f64;
    let y_km = |k: f64| km_axis.at(k);
    let y_pain = |p: f64| pain_axis.at(p);
    let slot_left = |i: usize| x0 + i as f64 * slot;
    let slot_mid = |i: usize| x0 + (i as f64 + 0.5) * slot;
    // An instant's x: through the week it falls in, so points line up with bars.
    let x_time = |t: i64| {
        let i = weeks.partition_point(|w| w.start_ms <= t).saturating_sub(1);
        let start = weeks[i].start_ms;
        let end = weeks
            .get(i + 1)
            .map_or(start.saturating_add(WEEK_MS), |w| w.start_ms);
        x0 + (i as f64 + frac(t as f64, start as f64, end as f64)) * slot
    };

    let legend_at = legend_layout(
        bottom + x_axis_h(size) + f * 0.6 + size.ascent(),
        pad,
        size.width - pad,
        size,
    );
    let height = legend_at.last().map_or(bottom, |p| p.1) + size.descent() + pad;
    let mut out = String::with_capacity(4096 + n * 300 + c.pain.len() * 200 + c.alerts.len() * 250);
    let label = format!(
        "Weekly running distance over {} from {} to {}, with the long run, morning pain and alerts",
        plural(n, "week", "weeks"),
        fmt_date(local_date(first.start_ms, off), DateStyle::Full),
        fmt_date(local_date(last.start_ms, off), DateStyle::Full),
    );
    open_svg(&mut out, "load-chart", size, height, &label, TITLE);

    // Grid, axes and their labels; dates along x at round steps of the
    // runner's calendar, each where its instant falls in its week, as
    // many as there is room for.
    out.push_str(r#"<g class="axes">"#);
    y_axis(&mut out, &km_axis, x0, x1, Side::Left, size);
    y_axis(&mut out, &pain_axis, x0, x1, Side::Right, size);
    let room = ((x1 - x0) / (size.text_w("Sep 2026") + size.gap())).floor();
    let max_dates = if room.is_finite() {
        (room as usize).clamp(2, MAX_X_LABELS)
    } else {
        2
    };
    let dates: Vec<(f64, String)> =
        date_ticks(span_start, span_end - 1, off, max_dates, DateStep::Weeks(1))
            .into_iter()
            .map(|(t, label)| (x_time(t), label))
            .collect();
    x_axis(&mut out, x0, x1, bottom, &dates, false, size);
    let title_y = size.ascent();
    text(&mut out, "axis-title", x0 - f * 0.4, title_y, "end", "km");
    text(
        &mut out,
        "axis-title",
        x1 + f * 0.8,
        title_y,
        "start",
        "pain",
    );
    out.push_str("</g>");
    plot_box(&mut out, x0, top, x1, bottom);

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
    out.push_str(r#"<g class="marks">"#);
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
            N(bottom - y),
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
    let r_long = (f * 0.25).min(slot * 0.4).max(1.5);
    for &(i, k) in &long {
        w!(
            out,
            r#"<circle class="long-run-point" cx="{}" cy="{}" r="{}"><title>Longest run {} km, week of {}</title></circle>"#,
            N(slot_mid(i)),
            N(y_km(k)),
            N(r_long),
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
    let r_pain = (f * 0.28).min(slot / 7.0 * 1.5).max(1.5);
    for p in &pain {
        w!(
            out,
            r#"<circle class="pain-point" data-at-ms="{}" data-score="{}" cx="{}" cy="{}" r="{}"><title>Morning pain {} on {}</title></circle>"#,
            p.at_ms,
            N1(p.score),
            N(x_time(p.at_ms)),
            N(y_pain(p.score)),
            N(r_pain),
            N(p.score),
            fmt_date(local_date(p.at_ms, off), DateStyle::WeekdayDay)
        );
    }
    out.push_str("</g></g>");

    // The load ratio over the weeks that passed the runner's mark, above
    // their bars and inside the plot, the highest first while there is
    // room: on 104 narrow weeks one label takes the width of a dozen.
    let mut ratios: Vec<(usize, f64)> = weeks
        .iter()
        .enumerate()
        .filter_map(|(i, w)| match w.acwr {
            Some((ratio, true)) if ratio.is_finite() => Some((i, ratio)),
            _ => None,
        })
        .collect();
    ratios.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let labels: Vec<String> = ratios.iter().map(|(_, r)| format!("{r:.1}×")).collect();
    let boxes: Vec<(f64, f64)> = ratios
        .iter()
        .zip(&labels)
        .map(|(&(i, _), label)| {
            let half = size.text_w(label) / 2.0;
            (slot_mid(i) - half, slot_mid(i) + half)
        })
        .collect();
    let shown = thin(&boxes, size.gap() / 2.0, x0, x1);
    out.push_str(r#"<g class="acwr">"#);
    for ((&(i, _), label), shown) in ratios.iter().zip(&labels).zip(shown) {
        if shown {
            let above_bar = y_km(km(weeks[i].distance_m)) - f * 0.3 - size.descent();
            let y = above_bar.max(top + size.ascent() + 1.0);
            text(&mut out, "acwr-label", slot_mid(i), y, "middle", label);
        }
    }
    out.push_str("</g>");

    // Alerts: triangles in their lane above the plot, each a link to the alert.
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
    let half = f * 0.45;
    out.push_str(r#"<g class="alerts">"#);
    for a in &alerts {
        let x = x_time(a.at_ms);
        w!(
            out,
            r#"<a href="{}/alerts#alert-{id}"><path class="alert-mark sev-{}" data-alert-id="{id}" data-kind="{}" d="M{},{}H{}L{},{}Z"><title>{}</title></path></a>"#,
            esc(c.base),
            class_word(&a.severity),
            esc(&a.kind),
            N(x - half),
            N(lane_top),
            N(x + half),
            N(x),
            N(lane_top + half * 1.6),
            esc(&a.title),
            id = a.id,
        );
    }
    out.push_str("</g>");

    legend(&mut out, &legend_at, size);
    out.push_str("</svg>");
    out
}
