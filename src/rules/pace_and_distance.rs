//! `pace_and_distance` (RULES.md A): in one week both the distance and the
//! pace rose above baseline.

use super::{Context, Finding, RuleId, Severity, km, pace};
use crate::baseline::DAY_MS;

const SOURCE: &str = "seed 000 step 5: \"Do not – increase pace and distance simultaneously\"";

pub fn check(ctx: &Context<'_>) -> Option<Finding> {
    let b = ctx.baseline;
    let base_pace = b.pace_s_per_km?;
    if b.weekly_m <= 0.0 {
        return None;
    }
    let run = ctx.run;
    let week_m = b.last_7d_m + run.distance_m();
    let week_s = b
        .last_7d_pace_s_per_km
        .map_or(0.0, |p| p * b.last_7d_m / 1000.0)
        + run.metrics.moving_s;
    if week_m <= 0.0 {
        return None;
    }
    let week_pace = week_s / week_m * 1000.0;
    let distance_up = (week_m / b.weekly_m - 1.0) * 100.0;
    let pace_up = (base_pace / week_pace - 1.0) * 100.0;
    if distance_up <= ctx.t.pace_and_distance_distance_pct
        || pace_up < ctx.t.pace_and_distance_pace_pct
    {
        return None;
    }
    Some(
        ctx.finding(RuleId::PaceAndDistance, Severity::Warn)
            .numbers(pace_up, 0.0, ctx.t.pace_and_distance_pace_pct, "% faster")
            .week(ctx.week_cause(RuleId::PaceAndDistance), run.start_ms - 7 * DAY_MS)
            .text(
                format!(
                    "This week both went up: distance {} against your usual {} a week (+{distance_up:.0} %), and pace {} against your usual {} ({pace_up:.0} % faster).",
                    km(week_m),
                    km(b.weekly_m),
                    pace(week_pace),
                    pace(base_pace)
                ),
                "Change one thing at a time: keep the longer week easy, or the faster running short.",
                SOURCE,
            )
            .build(),
    )
}
