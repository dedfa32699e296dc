//! `cadence_shift` (RULES.md B): cadence at matched pace below the runner's
//! baseline by ≥ 5 % — longer strides. Compared pace bin by pace bin, since
//! cadence rises with speed.

use super::articles::SOLVE_TENDON_PAIN;
use super::{Context, Finding, RuleId, Severity};

/// How loud it speaks (the rule table, `tendonwatch rules`, reads it here).
pub const SEVERITY: Severity = Severity::Warn;

/// Where the rule comes from (RULES.md), in words a runner can look up.
pub fn source() -> String {
    format!(
        "{SOLVE_TENDON_PAIN}: \"cadence of 180 … shorter strides … Longer strides can lead to higher peak impact forces\"; \
         Heiderscheit 2011, Lyght 2016 (+5 % step rate lowers Achilles stress)"
    )
}
/// A baseline pace bin needs this much data to compare with.
const MIN_BASELINE_BIN_S: f64 = 120.0;

/// Cadence at matched pace against the baseline: (this run's spm, the
/// baseline's spm over the same pace bins, seconds matched). Shared with the
/// correlation report.
pub fn matched_cadence(
    cadence: &crate::metrics::cadence::CadenceMetrics,
    baseline: &crate::baseline::Baseline,
) -> Option<(f64, f64, f64)> {
    let (mut run_weighted, mut base_weighted, mut matched_s) = (0.0, 0.0, 0.0);
    for bin in &cadence.at_pace {
        let key = bin.pace_s_per_km.round() as i64;
        if let Some(&(base_spm, base_s)) = baseline.cadence_at_pace.get(&key) {
            if base_s >= MIN_BASELINE_BIN_S {
                run_weighted += bin.cadence_spm * bin.seconds;
                base_weighted += base_spm * bin.seconds;
                matched_s += bin.seconds;
            }
        }
    }
    (matched_s > 0.0 && base_weighted > 0.0).then(|| {
        (
            run_weighted / matched_s,
            base_weighted / matched_s,
            matched_s,
        )
    })
}

pub fn check(ctx: &Context<'_>) -> Option<Finding> {
    let cadence = ctx.run.metrics.cadence.as_ref()?;
    let (run_spm, base_spm, matched_s) = matched_cadence(cadence, ctx.baseline)?;
    if matched_s < ctx.t.cadence_min_matched_s {
        return None;
    }
    let change_pct = (run_spm / base_spm - 1.0) * 100.0;
    if change_pct > -ctx.t.cadence_shift_pct {
        return None;
    }
    Some(
        ctx.finding(RuleId::CadenceShift, SEVERITY)
            .numbers(run_spm, base_spm, -ctx.t.cadence_shift_pct, "spm")
            .text(
                format!(
                    "At the same paces your cadence was {run_spm:.0} steps/min against your usual {base_spm:.0} ({change_pct:.1} %, over {:.0} minutes of matched pace): longer strides.",
                    matched_s / 60.0
                ),
                "Shorter, quicker steps load the Achilles less: aim back toward your usual cadence (a 5 % higher step rate lowers Achilles stress).",
                &source(),
            )
            .build(),
    )
}
