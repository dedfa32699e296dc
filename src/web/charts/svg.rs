//! The SVG elements every chart is made of: the root element with its title,
//! the small "nothing to draw" chart, text, lines and polylines, and the
//! box holding a chart's drawings.

use std::fmt::Write as _;

use super::Size;
use super::format::N;
use super::size::wrap;
use crate::web::esc;

/// The chart as a page places it: one drawing per [`Size`] (see
/// [`super::SIZES`]) in a `<div class="chart-box">` with the chart's `id`;
/// the stylesheet shows the drawing that fits the screen.
pub fn figure(id: Option<&str>, draw: impl Fn(Size) -> String) -> String {
    let drawings: Vec<String> = super::SIZES.iter().map(|s| draw(*s)).collect();
    let mut out = String::with_capacity(64 + drawings.iter().map(String::len).sum::<usize>());
    out.push_str(r#"<div class="chart-box""#);
    if let Some(id) = id {
        w!(out, r#" id="{id}""#);
    }
    out.push('>');
    for d in &drawings {
        out.push_str(d);
    }
    out.push_str("</div>");
    out
}

/// Opens the root `<svg class="chart {class} {size}">`, `size.width`
/// units wide and `height` high, with its accessible label and its title.
pub fn open_svg(out: &mut String, class: &str, size: Size, height: f64, label: &str, title: &str) {
    w!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart {class} {}" viewBox="0 0 {} {}" preserveAspectRatio="xMidYMid meet" role="img" aria-label="{}" font-size="{}"><title>{}</title>"#,
        size.name,
        N(size.width),
        N(height),
        esc(label),
        N(size.font),
        esc(title)
    );
}

/// The box data is drawn in (`<rect class="plot">`, not painted): a test
/// can tell from it that every mark lies inside the axes.
pub fn plot_box(out: &mut String, x0: f64, y0: f64, x1: f64, y1: f64) {
    w!(
        out,
        r#"<rect class="plot" x="{}" y="{}" width="{}" height="{}" fill="none"/>"#,
        N(x0),
        N(y0),
        N(x1 - x0),
        N(y1 - y0)
    );
}

/// A small chart that only says `message`.
pub fn no_data_svg(class: &str, id: Option<&str>, title: &str, message: &str) -> String {
    figure(id, |size| {
        let lines = wrap(size, message, size.width - 2.0 * size.font);
        let height = size.line_h() * (lines.len() as f64 + 2.0);
        let mut out = String::with_capacity(512);
        open_svg(&mut out, class, size, height, message, title);
        for (i, line) in lines.iter().enumerate() {
            let y = size.line_h() * (i as f64 + 1.5);
            text(
                &mut out,
                "no-data",
                size.width / 2.0,
                size.centred(y),
                "middle",
                line,
            );
        }
        out.push_str("</svg>");
        out
    })
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
