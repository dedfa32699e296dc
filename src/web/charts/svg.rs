//! The SVG elements every chart is made of: the root element with its title,
//! the small "nothing to draw" chart, text, lines and polylines.

use std::fmt::Write as _;

use super::format::N;
use super::{FONT_SIZE, VIEW_W};
use crate::web::esc;

/// Opens the root `<svg class="chart {class}">`, 640 units wide and `height`
/// high, with its accessible label and its title.
pub fn open_svg(
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
pub fn no_data_svg(class: &str, id: Option<&str>, title: &str, message: &str) -> String {
    let mut out = String::with_capacity(512);
    open_svg(&mut out, class, id, 120.0, message, title);
    text(&mut out, "no-data", VIEW_W / 2.0, 66.0, "middle", message);
    out.push_str("</svg>");
    out
}

/// `<text>` with escaped content.
pub fn text(out: &mut String, class: &str, x: f64, y: f64, anchor: &str, content: &str) {
    w!(out, r#"<text class="{class}" x="{}" y="{}""#, N(x), N(y));
    if anchor != "start" {
        w!(out, r#" text-anchor="{anchor}""#);
    }
    w!(out, ">{}</text>", esc(content));
}

pub fn line(out: &mut String, class: &str, x1: f64, y1: f64, x2: f64, y2: f64) {
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
pub fn polyline(out: &mut String, class: &str, points: &[(f64, f64)]) {
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
