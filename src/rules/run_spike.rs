//! `run_spike` (RULES.md A): one run's distance against the LONGEST run of
//! the previous 30 days.

use super::{Context, Finding, RuleId, Severity, Thresholds, acwr, add_line, km, pct};

pub const SOURCE: &str = "Garmin-RUNSAFE, Frandsen et al., Br J Sports Med 2025;59:1203 (5,205 runners): \
    injury hazard 1.64× for runs 10–30 % longer than the longest of the last 30 days, 1.52× for 30–100 %, 2.28× beyond";

/// One band of the rule: a run more than `over_pct` % longer than the
/// longest of the last 30 days raises `severity`; `words` say which band.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    pub over_pct: f64,
    pub severity: Severity,
    pub words: &'static str,
}

/// The bands, highest first (RUNSAFE's three hazard bands; the top two
/// are both `high`, there is no severity above it). What `check` judges
/// by and what `tendonwatch rules` lists.
pub fn bands(t: &Thresholds) -> [Band; 3] {
    [
        Band {
            over_pct: t.run_spike_severe_pct,
            severity: Severity::High,
            words: "more than twice your longest: the highest-risk band",
        },
        Band {
            over_pct: t.run_spike_high_pct,
            severity: Severity::High,
            words: "well past your longest",
        },
        Band {
            over_pct: t.run_spike_warn_pct,
            severity: Severity::Warn,
            words: "past the 10 % margin",
        },
    ]
}

pub fn check(ctx: &Context<'_>) -> Option<Finding> {
    let longest = ctx.baseline.longest_30d_m.filter(|m| *m > 0.0)?;
    let d = ctx.run.distance_m();
    let ratio = d / longest;
    let over = (ratio - 1.0) * 100.0;
    let Band {
        over_pct: threshold,
        severity,
        words: band,
    } = bands(ctx.t).into_iter().find(|b| over > b.over_pct)?;
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
