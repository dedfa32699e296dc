//! `hill_intro` (RULES.md B): climbing well above what the runner's own
//! stimulus window contains. Uphill is the calf and Achilles' hard work.

use super::articles::{ACHILLES_TENDONITIS, RECOVERY_AND_WORKOUTS, SOLVE_TENDON_PAIN};
use super::{AFTER_INTRO, Context, Finding, RuleId, Severity, back_to};

/// How loud it speaks (the rule table, `tendonwatch rules`, reads it here).
pub const SEVERITY: Severity = Severity::Warn;

/// Where the rule comes from (RULES.md), in words a runner can look up.
pub fn source() -> String {
    format!(
        "{RECOVERY_AND_WORKOUTS}, step 6; {ACHILLES_TENDONITIS} (\"especially uphill\"); \
         {SOLVE_TENDON_PAIN} (\"hill work\"); a reader's comment on {RECOVERY_AND_WORKOUTS}: \
         \"got AT from doing hill training every other day\""
    )
}

pub fn check(ctx: &Context<'_>) -> Option<Finding> {
    let e = ctx.run.metrics.elevation?;
    let p90 = ctx.baseline.climb_m_per_km_p90.unwrap_or(0.0);
    let limit = (p90 * ctx.t.intro_factor).max(ctx.t.hill_floor_m_per_km);
    if e.climb_m_per_km <= limit || e.climb_m < ctx.t.hill_floor_m {
        return None;
    }
    let f = ctx.finding(RuleId::HillIntro, SEVERITY)
            .numbers(e.climb_m_per_km, p90, limit, "m/km")
            .text(
                format!(
                    "This run climbed {:.0} m ({:.1} m per km, {} uphill at 4 % or steeper); your runs of the last 6 weeks climbed at most {p90:.1} m per km (90th percentile).",
                    e.climb_m,
                    e.climb_m_per_km,
                    crate::units::km(e.uphill_4pct_m)
                ),
                AFTER_INTRO,
                &source(),
            )
            .build();
    back_to(
        ctx,
        f,
        |m| m.hilliest,
        e.climb_m_per_km,
        ctx.t.hill_floor_m_per_km,
        "hills",
    )
}
