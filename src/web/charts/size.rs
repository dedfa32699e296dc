//! The two drawings of every chart and how much room their text takes.
//!
//! A drawing's user units are meant as CSS pixels: [`NARROW`] is 360 wide,
//! the column of a 390 px phone; [`WIDE`] is 928 wide, the column of the
//! dashboard on a desktop. The stylesheet shows one of them by the
//! screen's width and, where the column is wider than the drawing, sets
//! its text smaller in units so that it reads at about the same size; it
//! never sets it larger than [`Size::font`], the size the layout here
//! makes room for, so a label laid out clear of another stays clear.

/// One drawing of a chart: its width and its text size, in user units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Size {
    /// The class of the drawing's `<svg>` (`narrow`, `wide`).
    pub name: &'static str,
    pub width: f64,
    /// The largest text size the stylesheet may give the drawing's text.
    pub font: f64,
}

/// Phones: 360 units across 288–567 px (screens below 600 px), text of
/// 14 units, 14 px on a 390 px phone (style.css makes it smaller on
/// the wider screens of this range).
pub const NARROW: Size = Size {
    name: "narrow",
    width: 360.0,
    font: 14.0,
};

/// Tablets and desktops: 928 units across 568–928 px (screens of 600 px
/// and more), text of 18 units, 11 px on a 600 px screen (style.css sets
/// 14 units from 760 px on: 14 px on a desktop, below the page's 16).
pub const WIDE: Size = Size {
    name: "wide",
    width: 928.0,
    font: 18.0,
};

/// Every drawing, in page order.
pub const SIZES: [Size; 2] = [NARROW, WIDE];

/// Advance widths of DejaVu Sans in em, the face `system-ui` falls back
/// to on Linux and one of the widest sans faces: a label laid out with
/// these takes no more room in Roboto, San Francisco or Segoe UI.
fn em(c: char) -> f64 {
    match c {
        ' ' | '.' | ',' | ':' | ';' | '\'' | 'i' | 'j' | 'l' | '|' | '!' => 0.34,
        'f' | 't' | 'r' | '(' | ')' | '[' | ']' | '-' | '/' | 'I' => 0.42,
        '0'..='9' | 'a'..='e' | 'g' | 'h' | 'k' | 'n'..='q' | 's' | 'u' | 'v' | 'x'..='z' => 0.64,
        '–' | '?' | '"' => 0.64,
        'm' | 'M' | 'W' | 'w' | '%' | '…' | '—' | '@' => 1.0,
        '+' | '−' | '×' | '←' | '→' | '=' | '<' | '>' => 0.84,
        c if c.is_ascii_uppercase() => 0.78,
        _ => 0.9,
    }
}

impl Size {
    /// About how wide `text` is drawn, units (a little more than it is).
    pub fn text_w(&self, text: &str) -> f64 {
        text.chars().map(em).sum::<f64>() * self.font
    }

    /// From a text's baseline up to the top of its box (the face's ascent).
    pub fn ascent(&self) -> f64 {
        self.font * 0.93
    }

    /// From a text's baseline down to the bottom of its box.
    pub fn descent(&self) -> f64 {
        self.font * 0.24
    }

    /// Baseline to baseline of two rows of text that must not touch.
    pub fn line_h(&self) -> f64 {
        self.font * 1.3
    }

    /// The baseline that centres a line of text on `y`.
    pub fn centred(&self, y: f64) -> f64 {
        y + (self.ascent() - self.descent()) / 2.0
    }

    /// Room between two labels side by side.
    pub fn gap(&self) -> f64 {
        self.font * 0.6
    }
}

/// Labels along a line, each wanting `[left, right)`: which of them to
/// draw so that none touches another (`gap` apart) or leaves `lo..hi`.
/// Earlier entries win: put the ones that matter most first.
pub fn thin(wanted: &[(f64, f64)], gap: f64, lo: f64, hi: f64) -> Vec<bool> {
    let mut placed: Vec<(f64, f64)> = Vec::new();
    wanted
        .iter()
        .map(|&(left, right)| {
            let fits = left >= lo
                && right <= hi
                && placed
                    .iter()
                    .all(|&(l, r)| right + gap <= l || r + gap <= left);
            if fits {
                placed.push((left, right));
            }
            fits
        })
        .collect()
}

/// `text` broken at spaces into lines of at most `width` units each (a
/// word longer than that is a line of its own).
pub fn wrap(size: Size, text: &str, width: f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && size.text_w(&format!("{line} {word}")) > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}
