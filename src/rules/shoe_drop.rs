//! `shoe_drop` (RULES.md D): shoes with a heel drop ≥ 4 mm lower than the
//! shoes of the runner's baseline — a stimulus like the ones in B.

use super::articles::{ACHILLES_TENDONITIS, MANAGE_INJURIES, RECOVERY_AND_WORKOUTS};
use super::{AFTER_INTRO, Context, Finding, RuleId, Severity};

/// How loud it speaks (the rule table, `tendonwatch rules`, reads it here).
pub const SEVERITY: Severity = Severity::Warn;

/// Where the rule comes from (RULES.md), in words a runner can look up.
pub fn source() -> String {
    format!(
        "{MANAGE_INJURIES} (low heel-toe drop loads the Achilles); \
         {ACHILLES_TENDONITIS} (switching to minimalist shoes without adaptation); \
         {RECOVERY_AND_WORKOUTS} (new, too-tight shoes)"
    )
}

pub fn check(ctx: &Context<'_>) -> Option<Finding> {
    let drop = ctx.run.shoe_drop_mm?;
    let usual = ctx.baseline.shoe_drop_mm?;
    if usual - drop < ctx.t.shoe_drop_mm {
        return None;
    }
    let name = ctx
        .run
        .shoe_name
        .clone()
        .unwrap_or_else(|| "new shoes".to_string());
    Some(
        ctx.finding(RuleId::ShoeDrop, SEVERITY)
            .numbers(drop, usual, usual - ctx.t.shoe_drop_mm, "mm")
            .text(
                format!(
                    "Run in {name} with a {drop:.0} mm heel drop; your usual shoes have {usual:.0} mm ({:.0} mm lower).",
                    usual - drop
                ),
                AFTER_INTRO,
                &source(),
            )
            .week(format!("shoe_drop:{name}"), ctx.run.start_ms)
            .build(),
    )
}
