//! The data of each page, read from the store. The HTML pages and the JSON
//! API both serve these, so they always agree.

use super::charts::{AlertMark, LoadWeek as Week, PainPoint};
use super::{WebError, WebOptions};
use crate::baseline::{self, Baseline, DAY_MS, HISTORY_DAYS, RunRecord};
use crate::metrics::RunMetrics;
use crate::pain::{PainEntry, PainKind};
use crate::store::alerts::{Alert, AlertFilter};
use crate::store::pain::{VisaARecord, WatchFeel};
use crate::store::{ActivityFilter, ActivityRow, Store};
use serde::Serialize;

const WEEK_MS: i64 = 7 * DAY_MS;

/// `/` and `/api/status`: where the runner stands today.
#[derive(Debug, Serialize)]
pub struct Status {
    pub now_ms: i64,
    pub baseline: Baseline,
    /// Every counted run before now, beyond the baseline's window.
    pub history: crate::baseline::RunHistory,
    /// Alerts kept as history (about runs before the horizon), not open.
    pub history_alerts: usize,
    /// Today's safe ceiling for the next run (1.1 × the longest of 30 days).
    pub safe_ceiling_m: Option<f64>,
    pub acwr: Option<f64>,
    /// The last 7 days against the usual week (1.0 = usual).
    pub week_ratio: Option<f64>,
    /// The most the rules allow this week: usual × (1 + week-jump limit).
    pub week_limit_m: Option<f64>,
    pub last_morning_pain: Option<PainEntry>,
    pub open_alerts: Vec<Alert>,
}

pub fn status(store: &Store, opts: &WebOptions, now: i64) -> Result<Status, WebError> {
    let history = store.run_records(now - HISTORY_DAYS * DAY_MS, now + 1, &opts.zone)?;
    let b = baseline::compute(&history, now, &opts.rules.baseline);
    let usual = (b.weekly_m > 0.0 && !b.learning.learning).then_some(b.weekly_m);
    let pain = store.pain_between(now - 14 * DAY_MS, now + DAY_MS)?;
    Ok(Status {
        now_ms: now,
        safe_ceiling_m: b.safe_ceiling_m(),
        acwr: b.acwr(),
        week_ratio: usual.map(|u| b.last_7d_m / u),
        week_limit_m: usual.map(|u| u * (1.0 + week_jump_pct(opts) / 100.0)),
        last_morning_pain: pain
            .into_iter()
            .filter(|p| p.kind == PainKind::Morning)
            .max_by_key(|p| p.at_ms),
        open_alerts: store.alerts(false)?,
        history: store.run_history(now + 1)?,
        history_alerts: store.history_alert_count()?,
        baseline: b,
    })
}

fn week_jump_pct(opts: &WebOptions) -> f64 {
    let t = &opts.rules.thresholds;
    if opts.rules.profile.strict_progression() {
        t.week_jump_return_pct
    } else {
        t.week_jump_normal_pct
    }
}

/// `/load` and `/api/load`: weekly distance, the baseline band, the long
/// run, morning pain and alerts on one time axis.
#[derive(Debug, Serialize)]
pub struct Load {
    pub weeks: Vec<Week>,
    pub morning_pain: Vec<PainPoint>,
    pub alerts: Vec<AlertMark>,
}

/// Monday 00:00 local of the week holding `ms`, as UTC ms (at that
/// Monday's own offset).
pub fn week_start(ms: i64, zone: impl Into<crate::zone::Zone>) -> i64 {
    let zone = zone.into();
    let day = zone.local_ms(ms).div_euclid(DAY_MS);
    // 1970-01-01 was a Thursday: Monday is 3 days before.
    let monday = day - (day + 3).rem_euclid(7);
    chrono::DateTime::from_timestamp_millis(monday * DAY_MS)
        .map_or(monday * DAY_MS, |t| zone.to_utc(t.naive_utc()))
}

pub fn load(store: &Store, opts: &WebOptions, weeks: i64, now: i64) -> Result<Load, WebError> {
    let last = week_start(now, opts.zone);
    let first = last - (weeks - 1) * WEEK_MS;
    let history = store.run_records(first - HISTORY_DAYS * DAY_MS, now + 1, &opts.zone)?;
    Ok(Load {
        weeks: weekly(&history, opts, first, weeks),
        morning_pain: store
            .pain_between(first, now + DAY_MS)?
            .into_iter()
            .filter(|p| p.kind == PainKind::Morning)
            .map(|p| PainPoint {
                at_ms: p.at_ms,
                score: p.score,
            })
            .collect(),
        alerts: store
            .alerts_between(first - WEEK_MS, now + DAY_MS)?
            .into_iter()
            .map(|a| AlertMark {
                id: a.id,
                at_ms: a.window_end_ms,
                title: format!("{}: {}", a.kind.replace('_', " "), a.what_changed),
                kind: a.kind,
                severity: a.severity,
            })
            .collect(),
    })
}

fn weekly(history: &[RunRecord], opts: &WebOptions, first: i64, weeks: i64) -> Vec<Week> {
    let mut out: Vec<Week> = (0..weeks)
        .map(|i| {
            let start_ms = first + i * WEEK_MS;
            let b = baseline::compute(history, start_ms, &opts.rules.baseline);
            let band_m = (!b.learning.learning && b.weekly_m > 0.0)
                .then(|| (b.weekly_m, b.weekly_m * (1.0 + week_jump_pct(opts) / 100.0)));
            // RULES.md A: the load ratio is context on the chart.
            let acwr = baseline::compute(history, start_ms + WEEK_MS, &opts.rules.baseline)
                .acwr()
                .map(|r| (r, r > opts.rules.thresholds.acwr_info));
            Week {
                start_ms,
                distance_m: 0.0,
                runs: 0,
                longest_m: 0.0,
                band_m,
                acwr,
            }
        })
        .collect();
    // Weeks of local days: a daylight-saving change does not move a run
    // across a Monday.
    let local_first = opts.zone.local_ms(first);
    for r in history.iter().filter(|r| !r.metrics.cross_training) {
        let i = (opts.zone.local_ms(r.start_ms) - local_first).div_euclid(WEEK_MS);
        if let Some(w) = usize::try_from(i).ok().and_then(|i| out.get_mut(i)) {
            w.distance_m += r.distance_m();
            w.runs += 1;
            w.longest_m = w.longest_m.max(r.distance_m());
        }
    }
    out
}

/// Runs listed per page.
pub const RUNS_PER_PAGE: usize = 50;

/// `/activities` and `/api/activities`: newest first, a page at a time.
#[derive(Debug, Serialize)]
pub struct ActivityList {
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    /// `runs` (the default), `all` or `unconfirmed`.
    pub showing: &'static str,
    pub activities: Vec<ActivityRow>,
}

pub fn activities(store: &Store, q: &PageQuery) -> Result<ActivityList, WebError> {
    let page = page_param(q.page.as_deref())?;
    let filter = ActivityFilter::from_flags(
        switch("all", q.all.as_deref())?,
        switch("unconfirmed", q.unconfirmed.as_deref())?,
    );
    let offset = (page.saturating_sub(1) * RUNS_PER_PAGE) as i64;
    let (activities, total) = store.activities_newest(filter, RUNS_PER_PAGE as i64, offset)?;
    Ok(ActivityList {
        total: usize::try_from(total).unwrap_or(0),
        page,
        per_page: RUNS_PER_PAGE,
        showing: match filter {
            ActivityFilter::Runs => "runs",
            ActivityFilter::All => "all",
            ActivityFilter::Unconfirmed => "unconfirmed",
        },
        activities,
    })
}

/// `?page=` as a page number (1 when absent).
pub fn page_param(text: Option<&str>) -> Result<usize, WebError> {
    match text.filter(|p| !p.is_empty()) {
        None => Ok(1),
        Some(p) => p
            .parse::<usize>()
            .ok()
            .filter(|p| (1..=100_000).contains(p))
            .ok_or_else(|| WebError::BadRequest(format!("page={p}: give a page number"))),
    }
}

/// A query switch such as `?all=1`: absent or empty is off.
fn switch(name: &str, text: Option<&str>) -> Result<bool, WebError> {
    match text.unwrap_or("") {
        "" | "0" | "false" | "no" => Ok(false),
        "1" | "true" | "yes" => Ok(true),
        other => Err(WebError::BadRequest(format!("{name}={other}: use 1 or 0"))),
    }
}

/// `/activity/{id}` and `/api/activities/{id}`.
#[derive(Debug, Serialize)]
pub struct ActivityPage {
    pub activity: ActivityRow,
    pub metrics: RunMetrics,
    pub surface_evidence_text: String,
    pub tagged: bool,
    pub alerts: Vec<Alert>,
    /// Pain logged from two days before to three days after.
    pub pain_around: Vec<PainEntry>,
    #[serde(skip)]
    pub series: Series,
}

/// Values over distance, for the activity's charts: (km, value).
#[derive(Debug, Default)]
pub struct Series {
    pub pace_s_per_km: Vec<(f64, f64)>,
    pub cadence_spm: Vec<(f64, f64)>,
    pub altitude_m: Vec<(f64, f64)>,
}

pub fn activity(store: &mut Store, opts: &WebOptions, id: i64) -> Result<ActivityPage, WebError> {
    let not_found = || WebError::NotFound(format!("There is no activity {id}."));
    let row = store.activity(id)?.ok_or_else(not_found)?;
    let metrics = crate::ingest::current_metrics(store, id, &opts.ingest)?.ok_or_else(not_found)?;
    let samples = store.samples(id)?;
    let alerts = store
        .alerts_between(row.start_ms - 60 * DAY_MS, row.start_ms + 60 * DAY_MS)?
        .into_iter()
        .filter(|a| a.activity_id == Some(id))
        .collect();
    let pain_around = store.pain_between(row.start_ms - 2 * DAY_MS, row.start_ms + 3 * DAY_MS)?;
    Ok(ActivityPage {
        surface_evidence_text: metrics.surface_evidence.describe(),
        tagged: store.surface_tag(id)?.is_some(),
        series: series(&samples),
        activity: row,
        metrics,
        alerts,
        pain_around,
    })
}

/// Pace from distance over time in 10 s steps (the watch's instant speed is
/// noisy), cadence and altitude as recorded.
fn series(samples: &[crate::activity::Sample]) -> Series {
    let mut s = Series::default();
    let mut last: Option<(i64, f64)> = None;
    for x in samples {
        let Some(d) = x.distance_m else { continue };
        let km = d / 1000.0;
        if let Some(c) = x.cadence_spm.filter(|c| *c > 0.0) {
            s.cadence_spm.push((km, f64::from(c)));
        }
        if let Some(a) = x.altitude_m {
            s.altitude_m.push((km, f64::from(a)));
        }
        match last {
            Some((t0, d0)) if x.time_ms - t0 >= 10_000 => {
                let dd = d - d0;
                let pace = if dd > 1.0 {
                    (x.time_ms - t0) as f64 / 1000.0 / (dd / 1000.0)
                } else {
                    f64::NAN
                };
                // Slower than 20 min/km is standing or walking: a gap.
                s.pace_s_per_km
                    .push((km, if pace < 1200.0 { pace } else { f64::NAN }));
                last = Some((x.time_ms, d));
            }
            None => last = Some((x.time_ms, d)),
            _ => {}
        }
    }
    s
}

/// `/pain` and `/api/pain`.
#[derive(Debug, Serialize)]
pub struct PainLog {
    pub entries: Vec<PainEntry>,
    pub watch: Vec<WatchFeel>,
    pub visa_a: Vec<VisaARecord>,
    /// What the form proposes when the runner says nothing.
    pub guessed_kind: PainKind,
}

pub fn pain(store: &Store, opts: &WebOptions, days: i64, now: i64) -> Result<PainLog, WebError> {
    let (entries, watch) = store.pain_listed(days, now)?;
    Ok(PainLog {
        entries,
        watch,
        visa_a: store.visa_a_scores()?,
        guessed_kind: crate::pain::guess_kind(
            now,
            opts.zone.offset_s_at(now),
            store.last_run_end(now)?,
        ),
    })
}

/// `?state=&kind=&severity=` on the alert list and its API.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct AlertQuery {
    /// A rule id (`run_spike`, …); empty = all.
    pub kind: Option<String>,
    /// `open` (default), `acknowledged` or `all`.
    pub state: Option<String>,
    /// `info`, `warn`, `high`; empty = all.
    pub severity: Option<String>,
}

impl AlertQuery {
    pub fn filter(&self) -> Result<AlertFilter, WebError> {
        AlertFilter::parse(
            self.state.as_deref(),
            self.kind.as_deref(),
            self.severity.as_deref(),
        )
        .map_err(WebError::BadRequest)
    }
}

pub fn alerts(store: &Store, f: &AlertFilter) -> Result<Vec<Alert>, WebError> {
    Ok(store.alerts_listed(f)?)
}

/// `?weeks=N`, for the load chart and the report.
#[derive(Debug, serde::Deserialize)]
pub struct WeeksQuery {
    pub weeks: Option<String>,
}

/// `?page=N`, for the list of runs.
#[derive(Debug, serde::Deserialize)]
pub struct PageQuery {
    pub page: Option<String>,
    /// `1`: every sport, not only runs.
    pub all: Option<String>,
    /// `1`: only the activities whose sport is still a question.
    pub unconfirmed: Option<String>,
}

/// `?weeks=` as a number of weeks, 1 to 520 (`default` when absent).
pub fn weeks_of(q: &WeeksQuery, default: i64) -> Result<i64, WebError> {
    let w = match q.weeks.as_deref().filter(|w| !w.is_empty()) {
        None => default,
        Some(w) => w
            .parse::<i64>()
            .map_err(|_| WebError::BadRequest(format!("weeks={w}: give a number of weeks")))?,
    };
    if (1..=520).contains(&w) {
        Ok(w)
    } else {
        Err(WebError::BadRequest(format!(
            "weeks={w}: give 1 to 520 weeks"
        )))
    }
}

pub fn report(
    store: &Store,
    opts: &WebOptions,
    weeks: i64,
    now: i64,
) -> Result<crate::report::Report, WebError> {
    Ok(crate::report_input::from_store(
        store,
        &opts.rules.baseline,
        &opts.zone,
        weeks,
        &crate::report::ReportSettings::default(),
        now,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday_in_local_time() {
        // Wed 2026-01-07 12:00 UTC → Mon 2026-01-05 00:00 local.
        let wed = 1_767_787_200_000;
        assert_eq!(week_start(wed, 0), 1_767_571_200_000);
        // At UTC+1 local midnight is 23:00 UTC the day before.
        assert_eq!(week_start(wed, 3600), 1_767_571_200_000 - 3_600_000);
        // Monday 00:30 local is in its own week.
        let monday = 1_767_571_200_000 + 1_800_000;
        assert_eq!(week_start(monday, 0), 1_767_571_200_000);
    }
}
