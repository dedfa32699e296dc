//! `hill_intro` (RULES.md B): climbing well above what the runner's own
//! stimulus window contains. Uphill is the calf and Achilles' hard work.

use super::{AFTER_INTRO, Context, Finding, RuleId, Severity, back_to};

const SOURCE: &str = "seed 000 step 6; seed 001 (\"especially uphill\"); seed 003 (\"hill work\"); \
    seed 000 thread: \"got AT from doing hill training every other day\"";

pub fn check(ctx: &Context<'_>) -> Option<Finding> {
    let e = ctx.run.metrics.elevation?;
    let p90 = ctx.baseline.climb_m_per_km_p90.unwrap_or(0.0);
    let limit = (p90 * ctx.t.intro_factor).max(ctx.t.hill_floor_m_per_km);
    if e.climb_m_per_km <= limit || e.climb_m < ctx.t.hill_floor_m {
        return None;
    }
    let f = ctx.finding(RuleId::HillIntro, Severity::Warn)
            .numbers(e.climb_m_per_km, p90, limit, "m/km")
            .text(
                format!(
                    "This run climbed {:.0} m ({:.1} m per km, {:.1} km uphill at 4 % or steeper); your runs of the last 6 weeks climbed at most {p90:.1} m per km (90th percentile).",
                    e.climb_m,
                    e.climb_m_per_km,
                    e.uphill_4pct_m / 1000.0
                ),
                AFTER_INTRO,
                SOURCE,
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
