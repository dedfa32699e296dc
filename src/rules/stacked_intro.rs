//! `stacked_intro` (RULES.md B): two or more new stimuli (hills, speed,
//! surface, long-run spike, lower-drop shoes) in one run or within 7 days.
//! Severity above either alone.

use super::articles::RECOVERY_AND_WORKOUTS;
use super::{Context, Finding, RuleId, Severity};

/// Above either stimulus alone (the rule table, `tendonwatch rules`,
/// reads it here).
pub const SEVERITY: Severity = Severity::High;

/// Where the rule comes from (RULES.md), in words a runner can look up.
pub fn source() -> String {
    format!(
        "{RECOVERY_AND_WORKOUTS}, step 6: \"avoid introducing any two of these at the same time\""
    )
}

pub fn check(ctx: &Context<'_>, this_run: &[Finding]) -> Option<Finding> {
    // A "back to …" (info) is something the runner has done before: it does
    // not stack (RULES.md H).
    let new = |f: &&Finding| f.kind.is_introduction() && f.severity > Severity::Info;
    let now: Vec<&Finding> = this_run.iter().filter(new).collect();
    if now.is_empty() {
        return None;
    }
    let window_start = ctx.run.start_ms - ctx.t.stacked_window_days * crate::zone::DAY_MS;
    let earlier: Vec<&Finding> = ctx
        .recent_introductions
        .iter()
        .filter(|f| {
            new(f)
                && f.window_start_ms >= window_start
                && f.activity_id != Some(ctx.run.activity_id)
        })
        .collect();
    let mut kinds: Vec<&str> = now
        .iter()
        .chain(&earlier)
        .map(|f| f.kind.as_str())
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    if kinds.len() < 2 {
        return None;
    }
    // One alert per stack: named after its first introduction.
    let first = earlier
        .iter()
        .chain(&now)
        .map(|f| f.window_start_ms)
        .min()
        .unwrap_or(ctx.run.start_ms);
    let what = kinds
        .iter()
        .map(|k| k.replace('_', " "))
        .collect::<Vec<_>>()
        .join(" + ");
    Some(Finding {
        kind: RuleId::StackedIntro,
        severity: SEVERITY,
        activity_id: Some(ctx.run.activity_id),
        window_start_ms: window_start.max(earlier.iter().map(|f| f.window_start_ms).min().unwrap_or(ctx.run.start_ms)),
        window_end_ms: ctx.run.end_ms(),
        measured: kinds.len() as f64,
        baseline: 1.0,
        threshold: 2.0,
        unit: "new stimuli".to_string(),
        what_changed: format!("{} new things within {} days: {what}.", kinds.len(), ctx.t.stacked_window_days),
        what_to_do: "Introduce one change at a time: drop back to familiar running for a few days, log your pain each morning, then add one of them again."
            .to_string(),
        source: source(),
        cause: format!("stacked:{}", super::run_cause(first)),
    })
}
