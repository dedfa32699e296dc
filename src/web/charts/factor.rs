//! The factor chart of the correlation report: for each factor judged, how
//! much more (or less) next-morning pain followed runs with it beyond what
//! the other factors explain (issue 26), with its interval. Factors with
//! too few runs, or the level the others of their kind are weighed
//! against, have no effect of their own and are not drawn: the list beside
//! the chart says why in words.

use std::fmt::Write as _;

use super::CHAR_W;
use super::axis::{Axis, UnitKind, x_axis};
use super::format::{N, Signed, class_word, plural};
use super::svg::{line, no_data_svg, open_svg, text};
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

/// One row per judged factor: a bar from 0 to its effect in pain points,
/// the interval as a whisker, and a zero line. Nothing judged: a small
/// chart saying so.
pub fn factor_chart(rows: &[FactorBar<'_>]) -> String {
    const X0: f64 = 40.0;
    const X1: f64 = 600.0;
    const TOP: f64 = 12.0;
    const ROW_H: f64 = 56.0;
    const TITLE: &str = "Next-morning pain after runs with each factor, beyond the others";

    let diff = |r: &FactorBar<'_>| r.effect.filter(|d| d.is_finite());
    let rows: Vec<&FactorBar<'_>> = rows.iter().filter(|r| diff(r).is_some()).collect();
    if rows.is_empty() {
        return no_data_svg(
            "factor-chart",
            None,
            TITLE,
            "Not enough runs to weigh the factors yet",
        );
    }
    let interval = |r: &FactorBar<'_>| {
        r.interval
            .filter(|(a, b)| a.is_finite() && b.is_finite())
            .map(|(a, b)| (a.min(b), a.max(b)))
    };
    let extent = rows.iter().fold(0.0f64, |m, r| {
        let i = interval(r).map_or(0.0, |(a, b)| a.abs().max(b.abs()));
        m.max(diff(r).map_or(0.0, f64::abs)).max(i)
    });
    // Symmetric around no difference, at most two steps each way.
    let extent = extent.clamp(0.5, 10.0);
    let axis = Axis::rounded(-extent, extent, UnitKind::Difference, 4, X0, X1);
    let zero = axis.at(0.0);
    let x_of = |v: f64| axis.at(v);
    let axis_y = TOP + rows.len() as f64 * ROW_H + 4.0;
    let height = axis_y + 50.0;

    let mut out = String::with_capacity(1024 + rows.len() * 600);
    let label = format!(
        "Change in next-morning pain after runs with each of {}, beyond the others",
        plural(rows.len(), "factor", "factors")
    );
    open_svg(&mut out, "factor-chart", None, height, &label, TITLE);

    out.push_str(r#"<g class="axes">"#);
    let tick_labels = axis.labels();
    for (x, _) in &tick_labels {
        line(&mut out, "grid", *x, TOP, *x, axis_y);
    }
    x_axis(&mut out, X0, X1, axis_y, &tick_labels, true);
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
        if let Some(d) = d {
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
            w!(value, "{}", Signed(d));
            if let Some((a, b)) = iv {
                w!(title, ", interval {} to {}", Signed(a), Signed(b));
                w!(value, " ({} to {})", Signed(a), Signed(b));
            }
            w!(title, "; {}", verdict_words(r.verdict));
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
        if let Some(d) = d {
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
        out.push_str("</g>");
    }
    line(&mut out, "zero-line", zero, TOP, zero, axis_y);
    out.push_str("</svg>");
    out
}
