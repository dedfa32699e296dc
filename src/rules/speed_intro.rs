//! `speed_intro` (RULES.md B): running clearly faster than the runner's easy
//! pace for longer than the baseline holds, or a first interval session.
//! Achilles force rises ~20 % from 3.3 to 5.6 m/s.

use super::articles::{RECOVERY_AND_WORKOUTS, SOLVE_TENDON_PAIN};
use super::{AFTER_INTRO, Context, Finding, RuleId, Severity, back_to, pace};

/// How loud it speaks (the rule table, `tendonwatch rules`, reads it here).
pub const SEVERITY: Severity = Severity::Warn;

/// Where the rule comes from (RULES.md), in words a runner can look up.
pub fn source() -> String {
    format!(
        "{RECOVERY_AND_WORKOUTS}, steps 5–6; {SOLVE_TENDON_PAIN} (\"increasing speed\"); \
         Achilles force rises about 20 % from 3.3 to 5.6 m/s"
    )
}

pub fn check(ctx: &Context<'_>) -> Option<Finding> {
    let b = ctx.baseline;
    let easy = b.easy_pace_s_per_km?;
    let margin = ctx.t.speed_margin_pct / 100.0;
    let fast_min = ctx.run.minutes_faster_than(easy, margin);
    let p90 = b.fast_minutes_p90.unwrap_or(0.0);
    let limit = (p90 * ctx.t.intro_factor).max(ctx.t.speed_floor_min);
    let intervals = ctx
        .run
        .metrics
        .pace
        .as_ref()
        .and_then(|p| p.intervals.as_ref())
        .filter(|iv| iv.rep_pace_s_per_km <= easy / (1.0 + margin));
    let first_session = intervals.is_some() && b.interval_sessions == 0;
    if fast_min <= limit && !first_session {
        return None;
    }
    let session = intervals
        .map(|iv| format!(" in {} reps at {}", iv.reps, pace(iv.rep_pace_s_per_km)))
        .unwrap_or_default();
    let f = ctx.finding(RuleId::SpeedIntro, SEVERITY)
            .numbers(fast_min, p90, limit, "min")
            .text(
                format!(
                    "{fast_min:.0} minutes faster than {} (10 % quicker than your easy {}){session}; your runs of the last 6 weeks held at most {p90:.0} such minutes{}.",
                    pace(easy / (1.0 + margin)),
                    pace(easy),
                    if b.interval_sessions == 0 { " and no interval session" } else { "" }
                ),
                AFTER_INTRO,
                &source(),
            )
            .build();
    // An interval session is remembered by the latest one; steady fast
    // running by the most fast minutes of one run.
    if first_session && fast_min <= limit {
        back_to(ctx, f, |m| m.intervals, 1.0, 1.0, "interval sessions")
    } else {
        let floor = ctx.t.speed_floor_min;
        back_to(ctx, f, |m| m.fastest, fast_min, floor, "fast running")
    }
}
