//! `frequency_jump` (RULES.md A, H): runs per 7 days against the 28-day
//! mean, when it is also more runs than any week of the last 12 held.

use super::articles::RECOVERY_AND_WORKOUTS;
use super::{Context, Judgement, RuleId, Severity};
use crate::baseline::OWN_MAX_WEEKS;
use crate::zone::DAY_MS;

/// How loud it speaks (the rule table, `tendonwatch rules`, reads it here).
pub const SEVERITY: Severity = Severity::Warn;

/// Where the rule comes from (RULES.md), in words a runner can look up.
pub fn source() -> String {
    format!(
        "Jack Davis, in the readers' comments on {RECOVERY_AND_WORKOUTS}: \
         \"over doubled my mileage and days running\""
    )
}

pub fn judge(ctx: &Context<'_>) -> Judgement {
    let b = ctx.baseline;
    let runs = (b.last_7d_runs + 1) as f64;
    let over = b.runs_per_week > 0.0 && runs - b.runs_per_week >= ctx.t.frequency_jump_runs;
    if !over || b.last_7d_runs < b.max_week_runs {
        return Judgement {
            over,
            finding: None,
        };
    }
    let finding = ctx
        .finding(RuleId::FrequencyJump, SEVERITY)
        .numbers(runs, b.runs_per_week, ctx.t.frequency_jump_runs, "runs/week")
        .week(ctx.week_cause(RuleId::FrequencyJump), ctx.run.start_ms - 7 * DAY_MS)
        .text(
            format!(
                "{runs:.0} runs in the last 7 days against your usual {:.1} a week (+{:.1}), and more than any week of the last {OWN_MAX_WEEKS} ({}).",
                b.runs_per_week,
                runs - b.runs_per_week,
                b.max_week_runs,
            ),
            "Add running days one at a time, and keep a rest or cross-training day between the new ones.",
            &source(),
        )
        .build();
    Judgement {
        over,
        finding: Some(finding),
    }
}
