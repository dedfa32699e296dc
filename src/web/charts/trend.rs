//! The trend chart: scores over time (VISA-A 0–100, morning pain 0–10).

use std::fmt::Write as _;

use super::axis::{
    Axis, DateStep, Scale, Side, UnitKind, date_ticks, labels_w, max_steps, x_axis, x_axis_h,
    y_axis,
};
use super::format::{DateStyle, N, N1, fmt_date, id_word, local_date, plural};
use super::size::Size;
use super::svg::{figure, no_data_svg, open_svg, plot_box, polyline, text};
use crate::web::esc;
use crate::zone::Zone;

/// At most this many dates along the x axis.
const MAX_X_LABELS: usize = 6;

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
    let idw = id_word(id);
    let class = format!("trend-chart trend-{idw}");
    let box_id = format!("trend-{idw}");
    let mut pts: Vec<(i64, f64)> = points.iter().copied().filter(|p| p.1.is_finite()).collect();
    if pts.is_empty() {
        let message = format!("No {title} recorded yet");
        return no_data_svg(&class, Some(&box_id), title, &message);
    }
    pts.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let y_max = if y_max.is_finite() && y_max > 0.0 {
        y_max
    } else {
        pts.iter().fold(1.0f64, |m, p| m.max(p.1))
    };
    let zone: Zone = zone.into();
    figure(Some(&box_id), |size| {
        draw(&class, title, &pts, y_max, zone, size)
    })
}

/// One drawing of [`trend_chart`], of `pts` (sorted by time, not empty).
fn draw(class: &str, title: &str, pts: &[(i64, f64)], y_max: f64, off: Zone, size: Size) -> String {
    let (Some(&(t_min, _)), Some(&(t_max, latest))) = (pts.first(), pts.last()) else {
        return String::new();
    };
    let f = size.font;
    let pad = f * 0.3;
    let top = size.line_h() + f * 0.6;
    let bottom = top + (size.width * 0.22).max(160.0);
    // Scores from 0 up to whole ticks past `y_max`; time runs from the
    // first score to the last, a dot's radius and more inside the plot.
    let score_axis = Axis::rounded(
        0.0,
        y_max,
        UnitKind::Number,
        max_steps(bottom - top, size).min(5),
        bottom,
        top,
    );
    let x0 = pad + labels_w(&score_axis, size) + f * 0.4;
    let x1 = size.width - pad - f;
    // Dots as large as the text allows, smaller where they crowd.
    let r = ((x1 - x0) / pts.len() as f64 * 0.45).clamp(f * 0.15, f * 0.32);
    let time = Scale {
        lo: t_min as f64,
        hi: t_max as f64,
        from: x0 + r * 2.0,
        to: x1 - r * 2.0,
    };
    let x_of = |t: i64| time.at(t as f64);
    let y_of = |v: f64| score_axis.at(v);
    let height = bottom + x_axis_h(size) + pad;

    let mut out = String::with_capacity(2048 + pts.len() * 160);
    let label = format!(
        "{title}: {} from {} to {}, latest {}",
        plural(pts.len(), "score", "scores"),
        fmt_date(local_date(t_min, off), DateStyle::Full),
        fmt_date(local_date(t_max, off), DateStyle::Full),
        N(latest)
    );
    open_svg(&mut out, class, size, height, &label, title);

    out.push_str(r#"<g class="axes">"#);
    y_axis(&mut out, &score_axis, x0, x1, Side::Left, size);
    let room = ((x1 - x0) / (size.text_w("30 Sep") + size.gap())).floor();
    let max_dates = if room.is_finite() {
        (room as usize).clamp(2, MAX_X_LABELS)
    } else {
        2
    };
    let dates: Vec<(f64, String)> = date_ticks(t_min, t_max, off, max_dates, DateStep::Days(1))
        .into_iter()
        .map(|(t, label)| (x_of(t), label))
        .collect();
    x_axis(&mut out, x0, x1, bottom, &dates, true, size);
    text(&mut out, "axis-title", pad, size.ascent(), "start", title);
    out.push_str("</g>");
    plot_box(&mut out, x0, top, x1, bottom);

    out.push_str(r#"<g class="marks">"#);
    let line_pts: Vec<(f64, f64)> = pts.iter().map(|&(t, v)| (x_of(t), y_of(v))).collect();
    polyline(&mut out, "trend-line", &line_pts);
    let name = esc(title);
    for (&(t, v), &(x, y)) in pts.iter().zip(&line_pts) {
        w!(
            out,
            r#"<circle class="trend-point" data-at-ms="{t}" data-value="{}" cx="{}" cy="{}" r="{}"><title>{name} {} on {}</title></circle>"#,
            N1(v),
            N(x),
            N(y),
            N(r),
            N(v),
            fmt_date(local_date(t, off), DateStyle::Full)
        );
    }
    out.push_str("</g></svg>");
    out
}
