//! `week_jump` (RULES.md A, H): the last 7 days' distance against the mean
//! weekly distance of the 28 days before them (uncoupled) — and against the
//! runner's own highest 7 days of the last 12 weeks: both must be passed by
//! the profile's limit. A week no higher than the runner's recent best is
//! their normal variation, not a jump.

use super::articles::RECOVERY_AND_WORKOUTS;
use super::{Context, Judgement, RuleId, Severity, km, pct};
use crate::baseline::OWN_MAX_WEEKS;
use crate::zone::DAY_MS;

/// How loud it speaks (the rule table, `tendonwatch rules`, reads it here).
pub const SEVERITY: Severity = Severity::Warn;

/// Where the rule comes from (RULES.md), in words a runner can look up.
pub fn source() -> String {
    format!(
        "{RECOVERY_AND_WORKOUTS}, step 5 (\"the old 10 % rule may not apply to you any more\"); \
         Nielsen et al., JOSPT 2014 (> 30 % over two weeks: hazard 1.59 for distance-related injuries)"
    )
}

pub fn judge(ctx: &Context<'_>) -> Judgement {
    let b = ctx.baseline;
    let week_m = b.last_7d_m + ctx.run.distance_m();
    let limit_pct = week_limit_pct(ctx);
    let ratio = week_m / b.weekly_m;
    let over = b.weekly_m > 0.0 && (ratio - 1.0) * 100.0 > limit_pct;
    // RULES.md H: a jump is growth past the runner's own recent variation
    // by the profile's limit, not a return to it.
    if !over || !past_own_highest(week_m, b.max_week_m, limit_pct) {
        return Judgement {
            over,
            finding: None,
        };
    }
    let finding = ctx
        .finding(RuleId::WeekJump, SEVERITY)
        .numbers(week_m, b.weekly_m, limit_pct, "m")
        .week(ctx.week_cause(RuleId::WeekJump), ctx.run.start_ms - 7 * DAY_MS)
        .text(
            format!(
                "Last 7 days {}: {} over your weekly mean of the 4 weeks before ({}) and {} over your highest 7 days of the last {OWN_MAX_WEEKS} weeks ({}); the limit for your profile is +{limit_pct:.0} %.",
                km(week_m),
                pct(ratio),
                km(b.weekly_m),
                pct(week_m / b.max_week_m),
                km(b.max_week_m),
            ),
            "Hold next week at this week's distance or a little less, and grow again in small steps once morning pain and stiffness stay at baseline.",
            &source(),
        )
        .build();
    Judgement {
        over,
        finding: Some(finding),
    }
}

/// Is `week_m` at least `limit_pct` above the runner's highest 7 days
/// (RULES.md H)? Whole percent, as the alert prints it: a week that reads
/// "+10 %" against a 10 % limit has reached it.
pub fn past_own_highest(week_m: f64, highest_m: f64, limit_pct: f64) -> bool {
    highest_m <= 0.0 || ((week_m / highest_m - 1.0) * 100.0).round() >= limit_pct
}

/// The profile's weekly limit, % over the 4-week mean.
pub fn week_limit_pct(ctx: &Context<'_>) -> f64 {
    if ctx.profile.strict_progression() {
        ctx.t.week_jump_return_pct
    } else {
        ctx.t.week_jump_normal_pct
    }
}
