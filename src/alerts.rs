//! alerts: evaluate the rules for runs not yet evaluated, oldest first, as
//! if each had just synced (replay), and store the findings as alerts — a
//! cause never alerts twice, and alerts about runs older than the
//! notification horizon are stored but not queued for delivery (a ten-year
//! import sends nothing).
//!
//! "Now" comes in from the caller; nothing here reads the clock.

use crate::baseline::{self, BaselineSettings, HISTORY_DAYS};
use crate::finding::{Finding, RuleId};
use crate::rules::{self, Context, Profile, Thresholds};
use crate::store::alerts::{Alert, DELIVERY_QUEUED, DELIVERY_TOO_OLD};
use crate::store::{Store, StoreError};
use crate::zone::DAY_MS;

#[derive(Debug, Clone, PartialEq)]
pub struct RuleSettings {
    pub baseline: BaselineSettings,
    pub profile: Profile,
    pub thresholds: Thresholds,
    /// Alerts about runs that ended longer ago than this are not pushed.
    pub horizon_days: i64,
    /// Configured delivery sinks ("desktop", "ntfy", "gotify", "webhook"):
    /// a queued alert gets an outbox row for each.
    pub sinks: Vec<String>,
    /// The runner's time zone (`[profile] time_zone`).
    pub zone: crate::zone::Zone,
}

/// Evaluate every unevaluated run in time order. Returns the new alerts.
pub fn evaluate_pending(
    store: &mut Store,
    settings: &RuleSettings,
    now_ms: i64,
) -> Result<Vec<Alert>, StoreError> {
    let mut new_alerts = ask_about_unconfirmed(store, settings, now_ms)?;
    for (id, start_ms) in store.unevaluated_runs()? {
        new_alerts.extend(evaluate_run(store, id, start_ms, settings, now_ms)?);
        // The entries this run is judged with (pain during and after it,
        // the next mornings) are judged again with it.
        store.rejudge_pain(start_ms, start_ms + 2 * DAY_MS)?;
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
        .run_records(start_ms, start_ms + 1, &settings.zone)?
        .into_iter()
        .find(|r| r.activity_id == activity_id)
    else {
        return Ok(Vec::new());
    };
    let history = store.run_records(start_ms - HISTORY_DAYS * DAY_MS, start_ms, &settings.zone)?;
    let baseline = baseline::compute(&history, start_ms, &settings.baseline);
    let window_start = start_ms - settings.thresholds.stacked_window_days * DAY_MS;
    let recent: Vec<Finding> = store
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
        history: &history,
        settings: &settings.baseline,
    };
    let findings = rules::evaluate(&ctx);
    let delivery = if now_ms - run.end_ms() > settings.horizon_days * DAY_MS {
        DELIVERY_TOO_OLD
    } else {
        DELIVERY_QUEUED
    };
    store.record_findings(
        Some(activity_id),
        &findings,
        delivery,
        &settings.sinks,
        now_ms,
    )
}

/// One question per activity whose sport is unconfirmed (RULES.md F): it
/// stays out of the baseline until the runner answers, so they hear of it
/// once. About an activity older than the horizon: stored, not pushed.
pub fn ask_about_unconfirmed(
    store: &mut Store,
    settings: &RuleSettings,
    now_ms: i64,
) -> Result<Vec<Alert>, StoreError> {
    let mut new_alerts = Vec::new();
    for row in store.unasked_unconfirmed()? {
        let finding = sport_question(&row);
        let end_ms = finding.window_end_ms;
        let delivery = if now_ms - end_ms > settings.horizon_days * DAY_MS {
            DELIVERY_TOO_OLD
        } else {
            DELIVERY_QUEUED
        };
        new_alerts.extend(store.record_findings(
            None,
            &[finding],
            delivery,
            &settings.sinks,
            now_ms,
        )?);
    }
    Ok(new_alerts)
}

/// The question about one unconfirmed activity, as a finding.
pub fn sport_question(row: &crate::store::ActivityRow) -> Finding {
    let moving_s = row.moving_s.unwrap_or(row.elapsed_s);
    let what = row.sport_question();
    let why = if row.sport_evidence.is_empty() {
        String::new()
    } else {
        format!(" ({})", row.sport_evidence.join("; "))
    };
    Finding {
        kind: RuleId::SportQuestion,
        severity: rules::SPORT_QUESTION_SEVERITY,
        activity_id: Some(row.id),
        window_start_ms: row.start_ms,
        window_end_ms: row.start_ms + (row.elapsed_s * 1000.0) as i64,
        measured: if moving_s > 0.0 {
            row.distance_m / moving_s
        } else {
            0.0
        },
        baseline: 0.0,
        threshold: 0.0,
        unit: "m/s".to_string(),
        what_changed: format!("{what}{why}."),
        what_to_do: format!(
            "Until you answer it is left out of your running baseline and the rules. \
             Answer with `tendonwatch tag {id} --sport running` (or cycling, walking, hiking, other), \
             or on its page on the dashboard.",
            id = row.id
        ),
        source: rules::source(RuleId::SportQuestion),
        cause: format!("sport_question:{}", row.id),
    }
}

/// What changing an activity's sport did.
#[derive(Debug, Clone, PartialEq)]
pub struct SportChange {
    pub before: crate::activity::Sport,
    /// Alerts of this activity taken back because it is no longer a run.
    pub withdrawn: usize,
    /// Runs evaluated again (this one, if it became a run, and those of the
    /// four weeks after it, whose baselines it is part of).
    pub reevaluated: usize,
    pub new_alerts: Vec<Alert>,
}

/// The runner's word on an activity's sport: tag it, measure it again for
/// that sport, close its question, and run the rules again on what it
/// changes — its own alerts go when it is no longer a run; the runs of the
/// next four weeks (whose load and baselines include it) are evaluated
/// again. `None`: no such activity.
pub fn change_sport(
    store: &mut Store,
    activity_id: i64,
    sport: crate::activity::Sport,
    ingest: &crate::ingest::Settings,
    settings: &RuleSettings,
    now_ms: i64,
) -> Result<Option<SportChange>, StoreError> {
    let Some(before) = store.set_sport_tag(activity_id, sport, now_ms)? else {
        return Ok(None);
    };
    crate::ingest::remeasure(store, activity_id, ingest)?;
    store.withdraw_alerts(activity_id, &[RuleId::SportQuestion.as_str()], now_ms)?;
    let withdrawn = if before.is_running() && !sport.is_running() {
        let kinds: Vec<&str> = RuleId::ALL
            .iter()
            .filter(|k| **k != RuleId::SportQuestion)
            .map(|k| k.as_str())
            .collect();
        store.withdraw_alerts(activity_id, &kinds, now_ms)?
    } else {
        0
    };
    let start_ms = store.activity(activity_id)?.map_or(now_ms, |a| a.start_ms);
    let reevaluated = if before.is_running() == sport.is_running() {
        0
    } else {
        store.forget_evaluations(start_ms, start_ms + RE_EVALUATE_DAYS * DAY_MS)?
    };
    let new_alerts = evaluate_pending(store, settings, now_ms)?;
    Ok(Some(SportChange {
        before,
        withdrawn,
        reevaluated,
        new_alerts,
    }))
}

/// What a start given by the runner did.
#[derive(Debug)]
pub enum StartChange {
    NoSuchActivity,
    /// Moving it cannot make its time true (a track spanning months).
    Refused(String),
    Moved {
        /// The start before (the recording's clock, or an earlier answer).
        before_ms: i64,
        /// Why its time was unknown, if it was.
        was_unknown: Option<String>,
        /// Runs evaluated again around its new start and its old one
        /// (itself not counted).
        reevaluated: usize,
        new_alerts: Vec<Alert>,
    },
}

/// The runner's word on when an activity started (`tag ID --start`, the
/// run's page): move it there, measure it again, and run the rules on it
/// and on the runs of the four weeks after it — the ones whose load it is
/// part of now, and the ones it has left. Alerts already raised stay (a
/// cause is never raised twice).
pub fn change_start(
    store: &mut Store,
    activity_id: i64,
    start_ms: i64,
    local_offset_s: Option<i32>,
    ingest: &crate::ingest::Settings,
    settings: &RuleSettings,
    now_ms: i64,
) -> Result<StartChange, StoreError> {
    let Some(mut moved) = store.load_activity(activity_id)? else {
        return Ok(StartChange::NoSuchActivity);
    };
    let was_unknown = moved.time_unknown.clone();
    crate::clock::shift(&mut moved, start_ms);
    if let Some(why) = crate::clock::judge(&moved, now_ms) {
        return Ok(StartChange::Refused(why));
    }
    let Some(before_ms) = store.set_start_tag(activity_id, start_ms, local_offset_s, now_ms)?
    else {
        return Ok(StartChange::NoSuchActivity);
    };
    crate::ingest::remeasure(store, activity_id, ingest)?;
    let mut reevaluated = 0;
    for from in [start_ms, before_ms] {
        if crate::clock::plausible(from, now_ms) {
            reevaluated += store.forget_evaluations(from, from + RE_EVALUATE_DAYS * DAY_MS)?;
        }
    }
    let new_alerts = evaluate_pending(store, settings, now_ms)?;
    Ok(StartChange::Moved {
        before_ms,
        was_unknown,
        reevaluated,
        new_alerts,
    })
}

/// A run's distance is part of the load of the four weeks after it.
pub const RE_EVALUATE_DAYS: i64 = 28;

/// The reminders look this far back for runs that introduced something.
pub const PAIN_WINDOW_DAYS: i64 = 21;

/// Evaluate the pain rules (RULES.md C): every entry not judged yet — logged
/// now, typed in from an old paper diary, imported — against the runs and
/// mornings around *it*, and the reminders as of `now`. Called after a
/// pain entry is logged, after an import, and whenever the daemon ticks.
/// A run or an entry arriving near judged entries has them judged again
/// (`Store::rejudge_pain`), so the verdicts do not depend on the order in
/// which runs and entries arrived. A cause already alerted is never
/// alerted again; findings about windows older than the horizon are stored
/// and never pushed.
pub fn evaluate_pain(
    store: &mut Store,
    settings: &RuleSettings,
    pain_limit: f64,
    now_ms: i64,
) -> Result<Vec<Alert>, StoreError> {
    let to_judge = store.pain_to_judge()?;
    let recent = now_ms - PAIN_WINDOW_DAYS * DAY_MS;
    // Context: three weeks before the first entry judged (the trend reads
    // whole weeks), the runs of the two days before it, and everything up
    // to the last one (or now, for the reminders).
    let first = to_judge.first().map_or(recent, |e| e.1.min(recent));
    let last = to_judge.last().map_or(now_ms, |e| e.1.max(now_ms));
    let entries = store.pain_between(
        first - PAIN_WINDOW_DAYS * DAY_MS,
        last + crate::pain::FUTURE_SLACK_MS + 1,
    )?;
    let runs = store.run_records(first - 2 * DAY_MS, last + 1, &settings.zone)?;
    let introductions: Vec<rules::pain::Introduction> = store
        .alerts_between(recent, now_ms + 1)?
        .into_iter()
        .filter(|a| {
            RuleId::parse(&a.kind).is_some_and(|k| k.is_introduction() || k == RuleId::StackedIntro)
        })
        .filter_map(|a| {
            let run = runs.iter().find(|r| Some(r.activity_id) == a.activity_id)?;
            Some(rules::pain::Introduction {
                activity_id: run.activity_id,
                start_ms: run.start_ms,
                end_ms: run.end_ms(),
                what: a.kind.replace('_', " "),
            })
        })
        .fold(Vec::new(), |mut acc: Vec<rules::pain::Introduction>, i| {
            if !acc.iter().any(|x| x.activity_id == i.activity_id) {
                acc.push(i);
            }
            acc
        });
    let judge: std::collections::HashSet<i64> = to_judge.iter().map(|e| e.0).collect();
    let ctx = rules::pain::PainContext {
        entries: &entries,
        judge: &judge,
        runs: &runs,
        introductions: &introductions,
        now_ms,
        limit: pain_limit,
        zone: settings.zone,
    };
    let findings = rules::pain::evaluate(&ctx);
    let horizon = settings.horizon_days * DAY_MS;
    let (recent, old): (Vec<_>, Vec<_>) = findings
        .into_iter()
        .partition(|f| now_ms - f.window_end_ms <= horizon);
    let mut alerts =
        store.record_findings(None, &recent, DELIVERY_QUEUED, &settings.sinks, now_ms)?;
    alerts.extend(store.record_findings(None, &old, DELIVERY_TOO_OLD, &[], now_ms)?);
    let judged: Vec<i64> = to_judge.iter().map(|e| e.0).collect();
    store.mark_pain_judged(&judged, now_ms)?;
    Ok(alerts)
}
