//! `frequency_jump` (RULES.md A): runs per 7 days against the 28-day mean.

use super::{Context, Finding, RuleId, Severity};
use crate::baseline::DAY_MS;

const SOURCE: &str = "seed 000, Jack Davis: \"over doubled my mileage and days running\"";

pub fn check(ctx: &Context<'_>) -> Option<Finding> {
    let b = ctx.baseline;
    if b.runs_per_week <= 0.0 {
        return None;
    }
    let runs = (b.last_7d_runs + 1) as f64;
    if runs - b.runs_per_week < ctx.t.frequency_jump_runs {
        return None;
    }
    Some(
        ctx.finding(RuleId::FrequencyJump, Severity::Warn)
            .numbers(runs, b.runs_per_week, ctx.t.frequency_jump_runs, "runs/week")
            .week(ctx.week_cause(RuleId::FrequencyJump), ctx.run.start_ms - 7 * DAY_MS)
            .text(
                format!(
                    "{runs:.0} runs in the last 7 days against your usual {:.1} a week: +{:.1}.",
                    b.runs_per_week,
                    runs - b.runs_per_week
                ),
                "Add running days one at a time, and keep a rest or cross-training day between the new ones.",
                SOURCE,
            )
            .build(),
    )
}
