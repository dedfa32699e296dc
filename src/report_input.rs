//! report_input: stored runs and pain entries → the correlation report's
//! per-run factors and outcomes. `build` is pure; `from_store` reads the
//! store for it and runs the report.
//!
//! A run's outcome (RULES.md C): the next morning's pain minus the last
//! morning before the run (and that morning's score), the same for morning
//! stiffness, and the `during` / `after` scores of that run.

use crate::baseline::{self, BaselineSettings};
use crate::metrics::record::RunRecord;
use crate::pain::{PainEntry, PainKind};
use crate::report::{RunFactors, RunOutcome};
use crate::rules::cadence_shift::matched_cadence;
use crate::zone::DAY_MS;

const NEXT_MORNING_WITHIN_MS: i64 = 30 * 3600 * 1000;
const PRE_RUN_WITHIN_MS: i64 = 7 * DAY_MS;
const DURING_WITHIN_MS: i64 = 3 * 3600 * 1000;
const AFTER_WITHIN_MS: i64 = 16 * 3600 * 1000;
/// The first this many runs in a pair of shoes are "new shoes".
const NEW_SHOE_RUNS: usize = 3;

/// The correlation report over the last `weeks` weeks as of `now_ms`, read
/// from the store (what `tendonwatch report` and the dashboard show).
pub fn from_store(
    store: &crate::store::Store,
    baseline: &BaselineSettings,
    zone: &crate::zone::Zone,
    weeks: i64,
    settings: &crate::report::ReportSettings,
    now_ms: i64,
) -> Result<crate::report::Report, crate::store::StoreError> {
    let from = now_ms - weeks * 7 * DAY_MS;
    let history = store.run_records(from - baseline::HISTORY_DAYS * DAY_MS, now_ms + 1, zone)?;
    let pain = store.pain_between(from - 8 * DAY_MS, now_ms + DAY_MS)?;
    let rows = build(&history, &pain, baseline, from);
    Ok(crate::report::report(&rows, settings))
}

/// `history`: every run from well before `from_ms` (120 days, for the
/// baselines) up to now; `pain`: entries over the same span. Returns one row
/// per run that started at or after `from_ms`, oldest first.
pub fn build(
    history: &[RunRecord],
    pain: &[PainEntry],
    settings: &BaselineSettings,
    from_ms: i64,
) -> Vec<(RunFactors, RunOutcome)> {
    let mut runs: Vec<&RunRecord> = history.iter().collect();
    runs.sort_by_key(|r| r.start_ms);
    let mornings: Vec<&PainEntry> = pain
        .iter()
        .filter(|e| e.kind == PainKind::Morning)
        .collect();
    let mut out = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        if run.start_ms < from_ms {
            continue;
        }
        let b = baseline::compute(history, run.start_ms, settings);
        let easy = b.easy_pace_s_per_km;
        let shoe_runs_before = run.shoe_name.as_ref().map(|name| {
            runs[..i]
                .iter()
                .filter(|r| r.shoe_name.as_ref() == Some(name))
                .count()
        });
        let factors = RunFactors {
            activity_id: run.activity_id,
            start_ms: run.start_ms,
            distance_m: run.distance_m(),
            distance_vs_longest_30d: b
                .longest_30d_m
                .filter(|m| *m > 0.0)
                .map(|m| run.distance_m() / m),
            climb_m_per_km: run.metrics.climb_m_per_km(),
            // No easy pace yet (the first runs): neither fast nor not,
            // never silently "not fast" (report: unknown runs keep a
            // column of their own).
            minutes_faster_than_easy: easy.map_or(f64::NAN, |e| run.minutes_faster_than(e, 0.10)),
            surface: run.metrics.surface,
            new_shoes: shoe_runs_before.is_some_and(|n| n < NEW_SHOE_RUNS),
            part_of_day: run.metrics.part_of_day,
            cadence_shift_pct: run
                .metrics
                .cadence
                .as_ref()
                .and_then(|c| matched_cadence(c, &b))
                .filter(|(_, _, matched_s)| *matched_s >= 300.0)
                .map(|(spm, base, _)| (spm / base - 1.0) * 100.0),
        };
        let end = run.end_ms();
        let before = mornings
            .iter()
            .filter(|e| e.at_ms < run.start_ms && e.at_ms > run.start_ms - PRE_RUN_WITHIN_MS)
            .max_by_key(|e| e.at_ms);
        let next = mornings
            .iter()
            .filter(|e| e.at_ms > end && e.at_ms <= end + NEXT_MORNING_WITHIN_MS)
            .min_by_key(|e| e.at_ms);
        let score_of = |kind: PainKind, from: i64, to: i64| {
            pain.iter()
                .filter(|e| e.kind == kind && e.at_ms >= from && e.at_ms <= to)
                .map(|e| e.score)
                .fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.max(s))))
        };
        // Morning stiffness (RULES.md C), from the same two mornings.
        let stiffness = before
            .and_then(|b| b.stiffness_min)
            .zip(next.and_then(|n| n.stiffness_min));
        let outcome = RunOutcome {
            morning_change: before.zip(next).map(|(b, n)| n.score - b.score),
            morning_before: before.zip(next).map(|(b, _)| b.score),
            during: score_of(PainKind::During, run.start_ms, end + DURING_WITHIN_MS),
            after: score_of(PainKind::After, end, end + AFTER_WITHIN_MS),
            stiffness_change: stiffness.map(|(b, n)| n - b),
            stiffness_before: stiffness.map(|(b, _)| b),
        };
        out.push((factors, outcome));
    }
    out
}
