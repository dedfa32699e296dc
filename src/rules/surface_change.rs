//! `surface_change` (RULES.md B, E): a surface the runner's recent running
//! barely contains.

use super::articles::RECOVERY_AND_WORKOUTS;
use super::{AFTER_INTRO, Context, Finding, RuleId, Severity, back_to};
use crate::baseline::surface_share;
use crate::metrics::surface::Surface;

/// How loud it speaks (the rule table, `tendonwatch rules`, reads it here).
pub const SEVERITY: Severity = Severity::Warn;

/// Where the rule comes from (RULES.md), in words a runner can look up.
pub fn source() -> String {
    format!(
        "{RECOVERY_AND_WORKOUTS}, step 5: \"Do not change running surfaces dramatically and avoid trails and sand\"; \
         Knobloch 2008: sand RR 10 for mid-portion tendinopathy in masters runners"
    )
}

pub fn check(ctx: &Context<'_>) -> Option<Finding> {
    let s = ctx.run.metrics.surface;
    if s == Surface::Unknown {
        return None;
    }
    let share = surface_share(ctx.baseline, s);
    if share >= ctx.t.surface_new_share {
        return None;
    }
    let f = ctx.finding(RuleId::SurfaceChange, SEVERITY)
            .numbers(0.0, share * 100.0, ctx.t.surface_new_share * 100.0, "% of distance")
            .text(
                format!(
                    "A run on {}: {:.0} % of your last 6 weeks' distance was on {} (new below {:.0} %).",
                    s.as_str(),
                    share * 100.0,
                    s.as_str(),
                    ctx.t.surface_new_share * 100.0
                ),
                AFTER_INTRO,
                &source(),
            )
            .build();
    let on = |m: &crate::baseline::Memory| m.longest_on_surface.get(s.as_str()).copied();
    back_to(ctx, f, on, ctx.run.distance_m(), 0.0, s.as_str())
}
