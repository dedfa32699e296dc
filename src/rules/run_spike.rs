//! `run_spike` (RULES.md A): one run's distance against the LONGEST run of
//! the previous 30 days.

use super::{Context, Finding, RuleId, Severity, acwr, add_line, km, pct};

pub const SOURCE: &str = "Garmin-RUNSAFE, Frandsen et al., Br J Sports Med 2025;59:1203 (5,205 runners): \
    injury hazard 1.64× for runs 10–30 % longer than the longest of the last 30 days, 1.52× for 30–100 %, 2.28× beyond";

pub fn check(ctx: &Context<'_>) -> Option<Finding> {
    let longest = ctx.baseline.longest_30d_m.filter(|m| *m > 0.0)?;
    let d = ctx.run.distance_m();
    let ratio = d / longest;
    let over = (ratio - 1.0) * 100.0;
    let t = ctx.t;
    let (severity, threshold, band) = if over > t.run_spike_severe_pct {
        (
            Severity::High,
            t.run_spike_severe_pct,
            "more than twice your longest: the highest-risk band",
        )
    } else if over > t.run_spike_high_pct {
        (
            Severity::High,
            t.run_spike_high_pct,
            "well past your longest",
        )
    } else if over > t.run_spike_warn_pct {
        (Severity::Warn, t.run_spike_warn_pct, "past the 10 % margin")
    } else {
        return None;
    };
    let mut what_changed = format!(
        "Longest run in 30 days {}; this run {}, {} ({band}).",
        km(longest),
        km(d),
        pct(ratio),
    );
    if let Some(load) = acwr::line(ctx) {
        add_line(&mut what_changed, &load);
    }
    Some(
        ctx.finding(RuleId::RunSpike, severity)
            .numbers(d, longest, threshold, "m")
            .text(
                what_changed,
                &format!(
                    "Keep the next runs at or under {} (1.1 × your longest) until this distance feels routine, and log your pain tomorrow morning.",
                    km(longest * 1.1)
                ),
                SOURCE,
            )
            .build(),
    )
}
