//! `week_jump` (RULES.md A): the last 7 days' distance against the mean
//! weekly distance of the 28 days before them (uncoupled).

use super::{Context, Finding, RuleId, Severity, km, pct};
use crate::baseline::DAY_MS;

const SOURCE: &str = "seed 000 step 5 (\"the old 10 % rule may not apply to you any more\"); \
    Nielsen et al., JOSPT 2014 (> 30 % over two weeks: hazard 1.59 for distance-related injuries)";

pub fn check(ctx: &Context<'_>) -> Option<Finding> {
    let b = ctx.baseline;
    if b.weekly_m <= 0.0 {
        return None;
    }
    let week_m = b.last_7d_m + ctx.run.distance_m();
    let limit_pct = if ctx.profile.strict_progression() {
        ctx.t.week_jump_return_pct
    } else {
        ctx.t.week_jump_normal_pct
    };
    let ratio = week_m / b.weekly_m;
    if (ratio - 1.0) * 100.0 <= limit_pct {
        return None;
    }
    Some(
        ctx.finding(RuleId::WeekJump, Severity::Warn)
            .numbers(week_m, b.weekly_m, limit_pct, "m")
            .week(ctx.week_cause(RuleId::WeekJump), ctx.run.start_ms - 7 * DAY_MS)
            .text(
                format!(
                    "Last 7 days {}; your weekly mean over the 4 weeks before {}, {} (limit +{limit_pct:.0} % for your profile).",
                    km(week_m),
                    km(b.weekly_m),
                    pct(ratio)
                ),
                "Hold next week at this week's distance or a little less, and grow again in small steps once morning pain and stiffness stay at baseline.",
                SOURCE,
            )
            .build(),
    )
}
