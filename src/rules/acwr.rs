//! `acwr` (RULES.md A): EWMA acute (7 d) : chronic (28 d) load, uncoupled.
//! Context only: RUNSAFE and Impellizzeri et al. 2020 found the ratio a weak
//! predictor, so it is never an alert of its own. It is shown on `status`
//! and the load chart, and added as a line to the load alerts.

use super::Context;

pub const SOURCE: &str = "Williams et al. BJSM 2017; Lolli et al. BJSM 2019";

/// λ of the 7-day EWMA, to fold this run's km into the acute load.
const ACUTE_LAMBDA: f64 = 2.0 / 8.0;

/// The ratio with this run folded into the acute load (None while the
/// chronic load is too small to carry one, RULES.md F).
pub fn with_run(ctx: &Context<'_>) -> Option<f64> {
    let b = ctx.baseline;
    b.carries_load_ratio().then(|| {
        (b.acute_km_per_day + ACUTE_LAMBDA * ctx.run.distance_m() / 1000.0) / b.chronic_km_per_day
    })
}

/// "Load ratio (7-day : 28-day) 1.52, above 1.5." — none below the
/// `acwr_info` mark.
pub fn line(ctx: &Context<'_>) -> Option<String> {
    match with_run(ctx) {
        Some(ratio) if ratio > ctx.t.acwr_info => {
            let mark = if ratio > ctx.t.acwr_warn {
                ctx.t.acwr_warn
            } else {
                ctx.t.acwr_info
            };
            Some(format!(
                "Load ratio (7-day : 28-day) {ratio:.2}, above {mark}."
            ))
        }
        _ => None,
    }
}
