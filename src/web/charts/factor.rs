//! The factor chart of the correlation report: for each factor judged, how
//! much more (or less) next-morning pain followed runs with it beyond what
//! the other factors explain (issue 26), with its interval. Factors with
//! too few runs, or the level the others of their kind are weighed
//! against, have no effect of their own and are not drawn: the list beside
//! the chart says why in words.

use std::fmt::Write as _;

use super::axis::{Axis, UnitKind, x_axis, x_label_baseline};
use super::format::{N, Signed, class_word, plural};
use super::size::{Size, thin, wrap};
use super::svg::{figure, line, no_data_svg, open_svg, plot_box, text};
use crate::web::esc;

/// One factor of the correlation report: its effect on the next-morning
/// pain change beyond the other factors, and that effect's interval.
#[derive(Debug, Clone, Copy)]
pub struct FactorBar<'a> {
    /// The factor in words ("hilly runs").
    pub factor: &'a str,
    /// The effect beyond the other factors, pain points; None (or not
    /// finite) when it was not judged: the row is not drawn.
    pub effect: Option<f64>,
    /// Interval of the effect.
    pub interval: Option<(f64, f64)>,
    /// What a surface or part of day is weighed against ("road runs").
    pub against: Option<&'a str>,
    /// "link", "protective", "no_clear_link" or "not_enough_data".
    pub verdict: &'a str,
}

fn verdict_words(verdict: &str) -> &str {
    match verdict {
        "link" => "linked to more pain",
        "protective" => "linked to less pain",
        "no_clear_link" => "no clear link",
        "not_enough_data" => "not enough data",
        other => other,
    }
}

/// One row per judged factor: its name in words, its effect and interval
/// in numbers, a bar from 0 to the effect in pain points, the interval as
/// a whisker, and a zero line. Nothing judged: a small chart saying so.
pub fn factor_chart(rows: &[FactorBar<'_>]) -> String {
    let rows: Vec<&FactorBar<'_>> = rows.iter().filter(|r| effect(r).is_some()).collect();
    if rows.is_empty() {
        return no_data_svg(
            "factor-chart",
            None,
            TITLE,
            "Not enough runs to weigh the factors yet",
        );
    }
    figure(None, |size| draw(&rows, size))
}

const TITLE: &str = "Next-morning pain after runs with each factor, beyond the others";

fn effect(r: &FactorBar<'_>) -> Option<f64> {
    r.effect.filter(|d| d.is_finite())
}

fn interval(r: &FactorBar<'_>) -> Option<(f64, f64)> {
    r.interval
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .map(|(a, b)| (a.min(b), a.max(b)))
}

/// One drawing of [`factor_chart`], of the judged `rows` (not empty).
fn draw(rows: &[&FactorBar<'_>], size: Size) -> String {
    let f = size.font;
    let pad = f * 0.3;
    let extent = rows.iter().fold(0.0f64, |m, r| {
        let i = interval(r).map_or(0.0, |(a, b)| a.abs().max(b.abs()));
        m.max(effect(r).map_or(0.0, f64::abs)).max(i)
    });
    // Symmetric around no difference, at most two steps each way; the
    // outer tick labels ("−0.5") centred on the plot's ends stay inside.
    let extent = extent.clamp(0.5, 10.0);
    let end_label = size.text_w("\u{2212}0.5") / 2.0 + pad;
    let (x0, x1) = (end_label, size.width - end_label);
    let axis = Axis::rounded(-extent, extent, UnitKind::Difference, 4, x0, x1);
    let zero = axis.at(0.0);
    let x_of = |v: f64| axis.at(v);

    // Each row: the name (wrapped to the width), the numbers at the right
    // of its last line or on a line of their own, then the bar.
    let text_w = size.width - 2.0 * pad;
    let bar_h = (f * 0.8).round();
    let mut y = f * 0.4;
    let mut laid = Vec::with_capacity(rows.len());
    for r in rows {
        let value = value_words(r);
        let mut lines = wrap(size, r.factor, text_w);
        let last_w = lines.last().map_or(0.0, |l| size.text_w(l));
        let value_own_line = last_w + size.gap() * 2.0 + size.text_w(&value) > text_w;
        let first_baseline = y + size.ascent();
        let value_line = if value_own_line {
            lines.len()
        } else {
            lines.len() - 1
        };
        let n_lines = value_line + 1;
        lines.truncate(n_lines);
        let mid = first_baseline
            + (n_lines - 1) as f64 * size.line_h()
            + size.descent()
            + f * 0.3
            + bar_h / 2.0;
        laid.push((lines, value, first_baseline, value_line, mid));
        y = mid + bar_h / 2.0 + f * 1.3;
    }
    // The plot runs from the first bar down to the axis; grid and zero
    // lines are drawn across each row's bar only, never through a name.
    let plot_top = laid.first().map_or(0.0, |l| l.4) - bar_h;
    let axis_y = y;
    let titles_y = x_label_baseline(axis_y, size) + size.line_h();
    // "← less pain", "pain points" and "more pain →" on one line when they
    // fit, else the middle one on a line of its own.
    let middle = "pain points";
    let middle_w = size.text_w(middle) / 2.0;
    let fits = thin(
        &[
            (
                x0 - end_label + pad,
                x0 - end_label + pad + size.text_w(LESS),
            ),
            (size.width - pad - size.text_w(MORE), size.width - pad),
            (zero - middle_w, zero + middle_w),
        ],
        size.gap(),
        0.0,
        size.width,
    );
    let middle_y = if fits[2] {
        titles_y
    } else {
        titles_y + size.line_h()
    };
    let height = middle_y + size.descent() + pad;

    let mut out = String::with_capacity(1024 + rows.len() * 600);
    let label = format!(
        "Change in next-morning pain after runs with each of {}, beyond the others",
        plural(rows.len(), "factor", "factors")
    );
    open_svg(&mut out, "factor-chart", size, height, &label, TITLE);

    out.push_str(r#"<g class="axes">"#);
    let tick_labels = axis.labels();
    for (x, _) in &tick_labels {
        for (.., mid) in &laid {
            line(&mut out, "grid", *x, mid - bar_h, *x, mid + bar_h);
        }
        line(&mut out, "grid", *x, axis_y - bar_h * 0.6, *x, axis_y);
    }
    x_axis(&mut out, x0, x1, axis_y, &tick_labels, true, size);
    text(&mut out, "axis-title", pad, titles_y, "start", LESS);
    text(
        &mut out,
        "axis-title",
        size.width - pad,
        titles_y,
        "end",
        MORE,
    );
    text(&mut out, "axis-title", zero, middle_y, "middle", middle);
    out.push_str("</g>");
    plot_box(&mut out, x0, plot_top, x1, axis_y);

    out.push_str(r#"<g class="marks">"#);
    for (r, (lines, value, first_baseline, value_line, mid)) in rows.iter().zip(&laid) {
        let verdict = class_word(r.verdict);
        w!(
            out,
            r#"<g class="factor-row verdict-{verdict}"><title>{}</title>"#,
            esc(&row_title(r))
        );
        for (i, name) in lines.iter().enumerate() {
            let y = first_baseline + i as f64 * size.line_h();
            text(&mut out, "factor-name", pad, y, "start", name);
        }
        let value_y = first_baseline + *value_line as f64 * size.line_h();
        text(
            &mut out,
            "factor-value",
            size.width - pad,
            value_y,
            "end",
            value,
        );
        if let Some(d) = effect(r) {
            let (a, b) = (x_of(d.min(0.0)), x_of(d.max(0.0)));
            w!(
                out,
                r#"<rect class="effect verdict-{verdict}" x="{}" y="{}" width="{}" height="{}"/>"#,
                N(a),
                N(mid - bar_h / 2.0),
                N(b - a),
                N(bar_h)
            );
            if let Some((lo, hi)) = interval(r) {
                let (a, b) = (x_of(lo), x_of(hi));
                w!(
                    out,
                    r#"<path class="interval" fill="none" d="M{a},{top}V{bottom}M{a},{mid}H{b}M{b},{top}V{bottom}"/>"#,
                    a = N(a),
                    b = N(b),
                    top = N(mid - bar_h * 0.4),
                    bottom = N(mid + bar_h * 0.4),
                    mid = N(*mid),
                );
            }
        }
        out.push_str("</g>");
    }
    out.push_str("</g>");
    for (.., mid) in &laid {
        line(&mut out, "zero-line", zero, mid - bar_h, zero, mid + bar_h);
    }
    out.push_str("</svg>");
    out
}

const LESS: &str = "\u{2190} less pain";
const MORE: &str = "more pain \u{2192}";

/// The effect and its interval in numbers: "+1 (+0.3 to +1.7)".
fn value_words(r: &FactorBar<'_>) -> String {
    let mut value = String::new();
    if let Some(d) = effect(r) {
        w!(value, "{}", Signed(d));
        if let Some((a, b)) = interval(r) {
            w!(value, " ({} to {})", Signed(a), Signed(b));
        }
    }
    value
}

/// The row's tooltip: the whole finding in words.
fn row_title(r: &FactorBar<'_>) -> String {
    let mut title = String::new();
    if let Some(d) = effect(r) {
        let against = r
            .against
            .map(|a| format!(" against {a}"))
            .unwrap_or_default();
        w!(
            title,
            "{}: next-morning pain {}{against} beyond the other factors",
            r.factor,
            Signed(d),
        );
        if let Some((a, b)) = interval(r) {
            w!(title, ", interval {} to {}", Signed(a), Signed(b));
        }
        w!(title, "; {}", verdict_words(r.verdict));
    }
    title
}
