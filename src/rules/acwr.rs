//! `acwr` (RULES.md A): EWMA acute (7 d) : chronic (28 d) load, uncoupled.
//! Shown, never the only trigger: RUNSAFE and Impellizzeri et al. 2020 found
//! the ratio a weak predictor, so it is informational and at most a warning.

use super::{Context, Finding, RuleId, Severity};
use crate::baseline::DAY_MS;

const SOURCE: &str = "Williams et al., BJSM 2017 (EWMA); Lolli et al., BJSM 2019 (uncoupled ratio); \
    a weak predictor on its own (Frandsen et al. 2025, Impellizzeri et al. 2020)";
/// λ of the 7-day EWMA, to fold this run's km into the acute load.
const ACUTE_LAMBDA: f64 = 2.0 / 8.0;

pub fn check(ctx: &Context<'_>) -> Option<Finding> {
    let b = ctx.baseline;
    if b.chronic_km_per_day <= 0.05 {
        return None;
    }
    let acute = b.acute_km_per_day + ACUTE_LAMBDA * ctx.run.distance_m() / 1000.0;
    let ratio = acute / b.chronic_km_per_day;
    let (severity, threshold) = if ratio > ctx.t.acwr_warn {
        (Severity::Warn, ctx.t.acwr_warn)
    } else if ratio > ctx.t.acwr_info {
        (Severity::Info, ctx.t.acwr_info)
    } else {
        return None;
    };
    Some(
        ctx.finding(RuleId::Acwr, severity)
            .numbers(ratio, 1.0, threshold, "ratio")
            .week(ctx.week_cause(RuleId::Acwr), ctx.run.start_ms - 7 * DAY_MS)
            .text(
                format!(
                    "Acute load {acute:.1} km/day against a chronic {:.1} km/day: ratio {ratio:.2} (above {threshold}).",
                    b.chronic_km_per_day
                ),
                "Your recent load is running ahead of what you are used to; let the next days be easy and short.",
                SOURCE,
            )
            .build(),
    )
}
