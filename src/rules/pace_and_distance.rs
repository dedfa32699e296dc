//! `pace_and_distance` (RULES.md A, H): in one week both the distance and
//! the pace rose above baseline, the distance also above the runner's
//! highest week of the last 12.

use super::articles::RECOVERY_AND_WORKOUTS;
use super::{Context, Judgement, RuleId, Severity, km, pace};
use crate::baseline::OWN_MAX_WEEKS;
use crate::metrics::pace::{pace_over, seconds_for};
use crate::zone::DAY_MS;

/// How loud it speaks (the rule table, `tendonwatch rules`, reads it here).
pub const SEVERITY: Severity = Severity::Warn;

/// Where the rule comes from (RULES.md), in words a runner can look up.
pub fn source() -> String {
    format!(
        "{RECOVERY_AND_WORKOUTS}, step 5: \"Do not – increase pace and distance simultaneously\""
    )
}

pub fn judge(ctx: &Context<'_>) -> Judgement {
    let b = ctx.baseline;
    let run = ctx.run;
    let week_m = b.last_7d_m + run.distance_m();
    let week_s = b
        .last_7d_pace_s_per_km
        .map_or(0.0, |p| seconds_for(b.last_7d_m, p))
        + run.metrics.moving_s;
    let (Some(base_pace), true, Some(week_pace)) =
        (b.pace_s_per_km, b.weekly_m > 0.0, pace_over(week_s, week_m))
    else {
        return Judgement {
            over: false,
            finding: None,
        };
    };
    let distance_up = (week_m / b.weekly_m - 1.0) * 100.0;
    let pace_up = (base_pace / week_pace - 1.0) * 100.0;
    let over = distance_up > ctx.t.pace_and_distance_distance_pct
        && pace_up >= ctx.t.pace_and_distance_pace_pct;
    // As week_jump (RULES.md H): past the runner's highest week by the limit.
    let limit_pct = ctx.t.pace_and_distance_distance_pct;
    if !over || !super::week_jump::past_own_highest(week_m, b.max_week_m, limit_pct) {
        return Judgement {
            over,
            finding: None,
        };
    }
    let finding = ctx
        .finding(RuleId::PaceAndDistance, SEVERITY)
        .numbers(pace_up, 0.0, ctx.t.pace_and_distance_pace_pct, "% faster")
        .week(ctx.week_cause(RuleId::PaceAndDistance), run.start_ms - 7 * DAY_MS)
        .text(
            format!(
                "This week both went up: distance {} against your usual {} a week (+{distance_up:.0} %) and {} over your highest 7 days of the last {OWN_MAX_WEEKS} weeks ({}), and pace {} against your usual {} ({pace_up:.0} % faster).",
                km(week_m),
                km(b.weekly_m),
                super::pct(week_m / b.max_week_m),
                km(b.max_week_m),
                pace(week_pace),
                pace(base_pace),
            ),
            "Change one thing at a time: keep the longer week easy, or the faster running short.",
            &source(),
        )
        .build();
    Judgement {
        over,
        finding: Some(finding),
    }
}
