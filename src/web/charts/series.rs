//! The series chart: one value (pace, cadence, elevation, heart rate) over
//! the distance of one run.

use std::fmt::Write as _;

use super::axis::{Axis, Side, UnitKind, frac, labels_w, max_steps, x_axis, x_axis_h, y_axis};
use super::format::{N, id_word};
use super::size::Size;
use super::svg::{figure, no_data_svg, open_svg, plot_box, polyline, text};

/// At most this many points are drawn; more are averaged per distance bucket.
pub(super) const MAX_SERIES_POINTS: usize = 400;

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
    /// What the values are, for round ticks and their labels
    /// ([`UnitKind::Pace`] for pace: 330.0 → "5:30").
    pub kind: UnitKind,
}

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
/// y range from the 2nd–98th percentile (out to whole ticks) so one GPS
/// spike does not flatten the rest. Nothing to draw: a small chart saying "No {title} recorded".
pub fn series_chart(s: &Series<'_>) -> String {
    let id = id_word(s.id);
    let class = format!("series-chart series-{id}");
    let box_id = format!("series-{id}");
    let segments = series_segments(s.points);
    let mut values: Vec<f64> = s
        .points
        .iter()
        .filter(|p| p.0.is_finite() && p.1.is_finite())
        .map(|p| p.1)
        .collect();
    if segments.is_empty() || values.is_empty() {
        let message = format!("No {} recorded", s.title);
        return no_data_svg(&class, Some(&box_id), s.title, &message);
    }

    let median = {
        let mid = values.len() / 2;
        *values.select_nth_unstable_by(mid, f64::total_cmp).1
    };
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
    let drawn = Drawn {
        segments: &segments,
        values: (lo, hi),
        median,
        km: (x_lo, x_hi),
    };
    figure(Some(&box_id), |size| draw(s, &class, &drawn, size))
}

/// The pace range a value axis of `steps` steps shows. Pace is read on
/// ticks every 0:30 or 1:00: a run whose paces span more than `steps`
/// minutes (walk breaks at 14:00/km, a GPS spike at 2:00/km) is shown over
/// the `steps` minutes around its median pace, and what lies beyond runs
/// along the edge of the plot.
pub(super) fn pace_window((lo, hi): (f64, f64), median: f64, steps: u32) -> (f64, f64) {
    let room = 60.0 * f64::from(steps.max(1));
    if !(hi - lo > room && median.is_finite()) {
        return (lo, hi);
    }
    // Whole minutes, so that the window's ends are ticks and no widening
    // to round values pushes the axis past `steps` minute steps.
    let from = ((median - room / 2.0) / 60.0).round() * 60.0;
    let from = from.clamp(lo.min(hi - room), hi - room);
    let from = (from / 60.0).ceil() * 60.0;
    (from, from + room)
}

/// What both drawings of a series chart show.
struct Drawn<'a> {
    segments: &'a [Vec<(f64, f64)>],
    /// The range the value axis must hold.
    values: (f64, f64),
    /// The median value: where a pace axis too narrow for them all is centred.
    median: f64,
    /// The distance along the bottom, km.
    km: (f64, f64),
}

fn draw(s: &Series<'_>, class: &str, d: &Drawn<'_>, size: Size) -> String {
    let f = size.font;
    let pad = f * 0.3;
    let top = size.line_h() + f * 0.6;
    let bottom = top + (size.width * 0.26).max(180.0);
    // Up the side: whole ticks around the values, so the line stays
    // between the outer ones (a spike beyond the percentiles runs along the
    // edge); along the bottom: the run's distance as it is.
    let (from, to) = if s.invert_y {
        (top, bottom)
    } else {
        (bottom, top)
    };
    let steps = max_steps(bottom - top, size);
    let (lo, hi) = match s.kind {
        UnitKind::Pace => pace_window(d.values, d.median, steps),
        _ => d.values,
    };
    let value_axis = Axis::rounded(lo, hi, s.kind, steps, from, to);
    let x0 = pad + labels_w(&value_axis, size) + f * 0.4;
    let x1 = size.width - pad - f;
    let km_room = ((x1 - x0) / (size.text_w("10.5") + size.gap() * 2.0)).floor();
    let km_steps = if km_room.is_finite() {
        km_room.clamp(2.0, 10.0) as u32
    } else {
        2
    };
    let km_axis = Axis::inside(d.km.0, d.km.1, UnitKind::Number, km_steps, x0, x1);
    let x_of = |d: f64| km_axis.at(d);
    let y_of = |v: f64| value_axis.at(v);
    let km_title_y = bottom + x_axis_h(size) + f * 0.3 + size.ascent();
    let height = km_title_y + size.descent() + pad;

    let mut out = String::with_capacity(8192);
    let heading = if s.unit.is_empty() {
        s.title.to_owned()
    } else {
        format!("{} ({})", s.title, s.unit)
    };
    let label = format!("{heading} along {} km of the run", N(d.km.1.max(0.0)));
    open_svg(&mut out, class, size, height, &label, s.title);

    out.push_str(r#"<g class="axes">"#);
    y_axis(&mut out, &value_axis, x0, x1, Side::Left, size);
    x_axis(&mut out, x0, x1, bottom, &km_axis.labels(), true, size);
    text(
        &mut out,
        "axis-title",
        pad,
        size.ascent(),
        "start",
        &heading,
    );
    text(
        &mut out,
        "axis-title",
        (x0 + x1) / 2.0,
        km_title_y,
        "middle",
        "distance (km)",
    );
    out.push_str("</g>");
    plot_box(&mut out, x0, top, x1, bottom);

    out.push_str(r#"<g class="marks">"#);
    for seg in d.segments {
        if let [(d, v)] = seg.as_slice() {
            w!(
                out,
                r#"<circle class="series-dot" cx="{}" cy="{}" r="{}"/>"#,
                N(x_of(*d)),
                N(y_of(*v)),
                N(f * 0.2)
            );
        } else {
            let pts: Vec<(f64, f64)> = seg.iter().map(|&(d, v)| (x_of(d), y_of(v))).collect();
            polyline(&mut out, "series-line", &pts);
        }
    }
    out.push_str("</g></svg>");
    out
}
