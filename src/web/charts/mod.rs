//! Charts as SVG strings, drawn on the server.
//!
//! Each function returns one `<div class="chart-box">` holding the chart's
//! drawings, each an `<svg class="chart … narrow|wide" role="img"
//! aria-label="…">` with a `<title>`, ready to be placed in a page. The output obeys
//! the dashboard's Content-Security-Policy: no `style` attributes, no
//! `<style>` elements, no script. Geometry is given with presentation
//! attributes; colours come from the stylesheet through class names:
//!
//! - every chart: `chart-box` (the `div`, with the chart's id), `chart`,
//!   `narrow` or `wide`, `grid`, `axis`, `tick`, `tick-label`, `x-label`,
//!   `axis-title`, `no-data`; `plot` (an unpainted rect: the axes' extent)
//!   and `marks` (the group of data marks, all inside it);
//! - [`load_chart`]: `load-chart`, `band`, `bar` (plus `over`), `long-run`,
//!   `long-run-point`, `pain-line`, `pain-point`, `acwr`, `acwr-label`,
//!   `alert-mark`,
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
//! Every chart is drawn twice, for two widths of screen
//! ([`Size`]): [`NARROW`] (360 units, phones) and [`WIDE`] (928 units,
//! the dashboard's column on a desktop), both placed in one
//! `<div class="chart-box">`; the stylesheet shows the drawing that fits
//! the screen. A drawing's user units are about the CSS pixels of the
//! screens it is shown on, so its text is laid out at the size it is read
//! at: labels that would overlap are thinned by the room they take, never
//! drawn over each other. SVG text scales with the drawing; one drawing
//! for every screen put 7–8 px axis labels on a phone and 22 px ones on a
//! desktop. Output is deterministic, numbers have at most one decimal, and
//! non-finite input values are skipped.
//!
//! One file per chart (`load`, `series`, `factor`, `trend`); they
//! share `axis` (scales, round ticks, their labels, the axes drawn),
//! `size` (the two drawings, the room text takes, thinning and wrapping),
//! `svg` (the elements) and `format` (numbers, dates, names).

/// `write!` into a `String`, which cannot fail.
macro_rules! w {
    ($out:expr, $($arg:tt)*) => {{
        let _ = write!($out, $($arg)*);
    }};
}

mod axis;
mod factor;
mod format;
mod load;
mod series;
mod size;
mod svg;
#[cfg(test)]
mod tests;
mod trend;

pub use axis::UnitKind;
pub use factor::{FactorBar, factor_chart};
pub use load::{AlertMark, LoadChart, LoadWeek, PainPoint, load_chart};
pub use series::{Series, series_chart};
pub use trend::trend_chart;

pub use size::{NARROW, SIZES, Size, WIDE};

const DAY_MS: i64 = 86_400_000;
