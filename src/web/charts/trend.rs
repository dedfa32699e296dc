//! The trend chart: scores over time (VISA-A 0–100, morning pain 0–10).

use std::fmt::Write as _;

use super::axis::{Axis, DateStep, Scale, Side, UnitKind, date_ticks, x_axis, y_axis};
use super::format::{DateStyle, N, N1, fmt_date, id_word, local_date, plural};
use super::svg::{no_data_svg, open_svg, polyline, text};
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
    // Time runs from the first score to the last, a dot's radius and more
    // inside the plot; scores from 0 up to whole ticks past `y_max`.
    let time = Scale {
        lo: t_min as f64,
        hi: t_max as f64,
        from: X0 + 14.0,
        to: X1 - 14.0,
    };
    let x_of = |t: i64| time.at(t as f64);
    let score_axis = Axis::rounded(0.0, y_max, UnitKind::Number, 5, BOTTOM, TOP);
    let y_of = |v: f64| score_axis.at(v);
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
    y_axis(&mut out, &score_axis, X0, X1, Side::Left);
    let dates: Vec<(f64, String)> = date_ticks(t_min, t_max, off, MAX_X_LABELS, DateStep::Days(1))
        .into_iter()
        .map(|(t, label)| (x_of(t), label))
        .collect();
    x_axis(&mut out, X0, X1, BOTTOM, &dates, true);
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
