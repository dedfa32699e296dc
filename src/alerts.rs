//! alerts: evaluate the rules for runs not yet evaluated, oldest first, as
//! if each had just synced (replay), and store the findings as alerts — a
//! cause never alerts twice, and alerts about runs older than the
//! notification horizon are stored but not queued for delivery (a ten-year
//! import sends nothing).
//!
//! "Now" comes in from the caller; nothing here reads the clock.

use crate::baseline::{self, BaselineSettings, DAY_MS, HISTORY_DAYS};
use crate::rules::{self, Context, Profile, Thresholds};
use crate::store::alerts::{Alert, DELIVERY_QUEUED, DELIVERY_TOO_OLD};
use crate::store::{Store, StoreError};

#[derive(Debug, Clone, PartialEq)]
pub struct RuleSettings {
    pub baseline: BaselineSettings,
    pub profile: Profile,
    pub thresholds: Thresholds,
    /// Alerts about runs that ended longer ago than this are not pushed.
    pub horizon_days: i64,
}

/// Evaluate every unevaluated run in time order. Returns the new alerts.
pub fn evaluate_pending(
    store: &mut Store,
    settings: &RuleSettings,
    now_ms: i64,
) -> Result<Vec<Alert>, StoreError> {
    let mut new_alerts = Vec::new();
    for (id, start_ms) in store.unevaluated_runs()? {
        new_alerts.extend(evaluate_run(store, id, start_ms, settings, now_ms)?);
    }
    Ok(new_alerts)
}

/// Evaluate one run against the baseline just before it.
pub fn evaluate_run(
    store: &mut Store,
    activity_id: i64,
    start_ms: i64,
    settings: &RuleSettings,
    now_ms: i64,
) -> Result<Vec<Alert>, StoreError> {
    let Some(run) = store
        .run_records(start_ms, start_ms + 1)?
        .into_iter()
        .find(|r| r.activity_id == activity_id)
    else {
        return Ok(Vec::new());
    };
    let history = store.run_records(start_ms - HISTORY_DAYS * DAY_MS, start_ms)?;
    let baseline = baseline::compute(&history, start_ms, &settings.baseline);
    let window_start = start_ms - settings.thresholds.stacked_window_days * DAY_MS;
    let recent: Vec<rules::Finding> = store
        .alerts_between(window_start, start_ms + 1)?
        .iter()
        .filter(|a| a.activity_id != Some(activity_id))
        .filter_map(Alert::finding)
        .collect();
    let ctx = Context {
        run: &run,
        baseline: &baseline,
        profile: &settings.profile,
        t: &settings.thresholds,
        recent_introductions: &recent,
    };
    let findings = rules::evaluate(&ctx);
    let delivery = if now_ms - run.end_ms() > settings.horizon_days * DAY_MS {
        DELIVERY_TOO_OLD
    } else {
        DELIVERY_QUEUED
    };
    store.record_findings(activity_id, &findings, delivery, now_ms)
}
