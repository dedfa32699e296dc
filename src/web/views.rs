//! The data of each page, read from the store. The HTML pages and the JSON
//! API both serve these, so they always agree.

use super::charts::{AlertMark, LoadWeek as Week, PainPoint};
use super::{WebError, WebOptions};
use crate::baseline::{self, Baseline, HISTORY_DAYS};
use crate::metrics::RunMetrics;
use crate::metrics::pace;
use crate::metrics::record::RunRecord;
use crate::metrics::track::Track;
use crate::pain::{PainEntry, PainKind};
use crate::store::alerts::{Alert, AlertFilter};
use crate::store::pain::{VisaARecord, WatchFeel};
use crate::store::{ActivityFilter, ActivityRow, Store};
use crate::zone::DAY_MS;
use serde::Serialize;

const WEEK_MS: i64 = 7 * DAY_MS;

/// `/` and `/api/status`: where the runner stands today.
#[derive(Debug, Serialize)]
pub struct Status {
    pub now_ms: i64,
    pub baseline: Baseline,
    /// Every counted run before now, beyond the baseline's window.
    pub history: crate::metrics::record::RunHistory,
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
    /// Sync folders the daemon is waiting for (missing or unreadable),
    /// each with the one line its log says.
    pub sync_folders_waiting: Vec<crate::watch::WaitingFolder>,
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
        sync_folders_waiting: crate::watch::waiting_folders(store)?,
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
    /// How many values each chart of the page is drawn from (0: the page
    /// says "No … recorded"), so the API says what the page shows.
    pub charts: SeriesCounts,
    #[serde(skip)]
    pub series: Series,
}

/// Values over distance, for the activity's charts: (km, value). Distance
/// is the one metrics measure the run with (`Track::build`): the device's
/// own where the file has it, else the GPS path, pauses adding nothing.
#[derive(Debug, Default)]
pub struct Series {
    /// A pause, a recording gap or standing still is a gap (NaN).
    pub pace_s_per_km: Vec<(f64, f64)>,
    pub cadence_spm: Vec<(f64, f64)>,
    pub altitude_m: Vec<(f64, f64)>,
    pub heart_rate_bpm: Vec<(f64, f64)>,
}

/// The number of drawn (finite) values of each [`Series`].
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SeriesCounts {
    pub pace: usize,
    pub cadence: usize,
    pub elevation: usize,
    pub heart_rate: usize,
}

impl Series {
    pub fn counts(&self) -> SeriesCounts {
        let drawn = |v: &[(f64, f64)]| {
            v.iter()
                .filter(|p| p.0.is_finite() && p.1.is_finite())
                .count()
        };
        SeriesCounts {
            pace: drawn(&self.pace_s_per_km),
            cadence: drawn(&self.cadence_spm),
            elevation: drawn(&self.altitude_m),
            heart_rate: drawn(&self.heart_rate_bpm),
        }
    }
}

pub fn activity(store: &mut Store, opts: &WebOptions, id: i64) -> Result<ActivityPage, WebError> {
    let not_found = || WebError::NotFound(format!("There is no activity {id}."));
    let row = store.activity(id)?.ok_or_else(not_found)?;
    let metrics = crate::ingest::current_metrics(store, id, &opts.ingest)?.ok_or_else(not_found)?;
    let recorded = store.load_activity(id)?.ok_or_else(not_found)?;
    let series = series(&Track::build(&recorded.samples, &recorded.pauses));
    let alerts = store
        .alerts_between(row.start_ms - 60 * DAY_MS, row.start_ms + 60 * DAY_MS)?
        .into_iter()
        .filter(|a| a.activity_id == Some(id))
        .collect();
    let pain_around = store.pain_between(row.start_ms - 2 * DAY_MS, row.start_ms + 3 * DAY_MS)?;
    Ok(ActivityPage {
        surface_evidence_text: metrics.surface_evidence.describe(),
        tagged: store.surface_tag(id)?.is_some(),
        charts: series.counts(),
        series,
        activity: row,
        metrics,
        alerts,
        pain_around,
    })
}

/// Slower than 20 min/km is standing or walking: a gap in the pace line.
const SLOWEST_CHARTED_S_PER_KM: f64 = 1200.0;

/// The charts' values along the run's distance, from the track metrics are
/// measured on. Pace is the speed the pace metrics bin (smoothed over
/// `SPEED_WINDOW_S`), drawn only where the runner was moving: a pause, a
/// gap, standing still or walking breaks the line. A track without any distance
/// (no positions, no device distance) has nothing to draw along it.
fn series(track: &Track) -> Series {
    let mut s = Series::default();
    if track.distance_m() <= 0.0 {
        return s;
    }
    let speed = track.smoothed_speed(pace::SPEED_WINDOW_S);
    for (i, p) in track.points.iter().enumerate() {
        let km = p.dist_m / 1000.0;
        if let Some(c) = p.cadence_spm.filter(|c| *c > 0.0) {
            s.cadence_spm.push((km, c));
        }
        if let Some(a) = p.altitude_m {
            s.altitude_m.push((km, a));
        }
        if let Some(h) = p.heart_rate_bpm {
            s.heart_rate_bpm.push((km, h));
        }
        // The step that ends at this point.
        if let Some(step) = i.checked_sub(1).and_then(|j| track.steps.get(j)) {
            let pace = speed
                .get(i - 1)
                .filter(|_| step.moving)
                .and_then(|v| pace::pace_s_per_km(*v))
                .filter(|p| *p < SLOWEST_CHARTED_S_PER_KM);
            s.pace_s_per_km.push((km, pace.unwrap_or(f64::NAN)));
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

    /// Ten minutes at 3 m/s due east along the equator, one sample a
    /// second with positions, altitude and heart rate but no device
    /// distance (as a GPX file gives), and a two-minute timer pause after
    /// five minutes.
    fn gpx_like_run() -> (Vec<crate::activity::Sample>, Vec<crate::activity::Pause>) {
        use crate::activity::{Pause, Sample};
        const M_PER_DEG: f64 = 111_195.0;
        let mut samples = Vec::new();
        let mut lon = 0.0;
        for t in 0..=720_i64 {
            let paused = (300..420).contains(&t);
            if t > 0 && !paused {
                lon += 3.0 / M_PER_DEG;
            }
            samples.push(Sample {
                lat_deg: Some(0.0),
                lon_deg: Some(lon),
                altitude_m: Some(10.0 + (t as f32) / 60.0),
                heart_rate_bpm: Some(150.0),
                ..Sample::at(1_700_000_000_000 + t * 1000)
            });
        }
        let pause = Pause {
            start_ms: 1_700_000_000_000 + 300_000,
            end_ms: 1_700_000_000_000 + 420_000,
        };
        (samples, vec![pause])
    }

    #[test]
    fn a_run_with_positions_and_no_device_distance_has_its_charts() {
        let (samples, pauses) = gpx_like_run();
        let track = Track::build(&samples, &pauses);
        let s = series(&track);
        // Drawn along the distance metrics measure (≈ 1.8 km), not skipped.
        let last_km = s.altitude_m.last().map(|p| p.0).unwrap_or(0.0);
        assert!((last_km - track.distance_m() / 1000.0).abs() < 1e-9);
        assert!((1.75..1.85).contains(&last_km), "{last_km}");
        assert_eq!(s.altitude_m.len(), samples.len());
        assert_eq!(s.heart_rate_bpm.len(), samples.len());
        assert!(s.cadence_spm.is_empty(), "no cadence in the file");
        let counts = s.counts();
        assert_eq!(
            (counts.elevation, counts.heart_rate, counts.cadence),
            (721, 721, 0)
        );
        // 3 m/s is 5:33 /km wherever the runner ran.
        let paces: Vec<f64> = s
            .pace_s_per_km
            .iter()
            .map(|p| p.1)
            .filter(|p| p.is_finite())
            .collect();
        assert!(paces.len() > 500, "{}", paces.len());
        assert!(
            paces.iter().all(|p| (300.0..370.0).contains(p)),
            "{paces:?}"
        );
    }

    #[test]
    fn a_pause_breaks_the_pace_line_and_adds_no_distance() {
        let (samples, pauses) = gpx_like_run();
        let s = series(&Track::build(&samples, &pauses));
        // The pace line is two pieces: before and after the pause, with
        // no value at all in the two paused minutes.
        let drawn: Vec<bool> = s.pace_s_per_km.iter().map(|p| p.1.is_finite()).collect();
        let pieces = drawn
            .iter()
            .zip(std::iter::once(&false).chain(&drawn))
            .filter(|(now, before)| **now && !**before)
            .count();
        assert_eq!(pieces, 2, "{drawn:?}");
        let paused = &s.pace_s_per_km[300..419];
        assert!(paused.iter().all(|p| p.1.is_nan()), "{paused:?}");
        // Standing at one spot for two minutes: one distance for all of it.
        assert!(paused.iter().all(|p| p.0 == paused[0].0), "{paused:?}");
    }

    #[test]
    fn a_track_without_any_distance_draws_nothing_along_it() {
        let samples: Vec<crate::activity::Sample> = (0..600)
            .map(|t| crate::activity::Sample {
                cadence_spm: Some(170.0),
                heart_rate_bpm: Some(140.0),
                ..crate::activity::Sample::at(t * 1000)
            })
            .collect();
        let s = series(&Track::build(&samples, &[]));
        assert_eq!(s.counts(), SeriesCounts::default());
    }
}
