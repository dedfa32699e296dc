//! baseline: the runner's own recent running, from a window of history
//! before a run (RULES.md F). Pure: it takes the runs and the instant, and
//! reads nothing else.
//!
//! Cost does not grow with history: callers pass only the runs of the
//! longest window (EWMA included, see [`HISTORY_DAYS`]).

use crate::metrics::cadence::MATCH_BIN_S_PER_KM;
use crate::metrics::pace::{PaceHistogram, pace_over};
use crate::metrics::record::{RunHistory, RunRecord};
use crate::metrics::surface::Surface;
use crate::zone::DAY_MS;
use serde::Serialize;
use std::collections::BTreeMap;

/// History a baseline ever looks at: the six months an introduction is
/// remembered for ([`MEMORY_DAYS`]); the chronic EWMA's weight of a day 120
/// days back is already (1 − 2/29)^120 ≈ 0.02 %.
pub const HISTORY_DAYS: i64 = MEMORY_DAYS;
/// How long the runner's body remembers a kind of session (RULES.md H: a
/// runner who ran hills, fast or on trail in the last six months is "back
/// to" it, not new to it).
pub const MEMORY_DAYS: i64 = 183;
/// Weeks of the runner's own normal variation (RULES.md H): a week no
/// higher than the highest of these is not a jump.
pub const OWN_MAX_WEEKS: i64 = 12;
const EWMA_DAYS: i64 = 120;
/// RULES.md F: the load ratio needs a chronic load of at least a few runs
/// in its 28 days; on fewer it is noise (a "21.63" on one 800 m run).
pub const LOAD_RATIO_MIN_CHRONIC_RUNS: usize = 3;
/// …and at least this much running in them: three jogs round the block
/// carry no ratio either.
pub const LOAD_RATIO_MIN_CHRONIC_M: f64 = 10_000.0;
/// The chronic load's window (RULES.md A: 28 days, ending where the acute
/// week begins).
const CHRONIC_DAYS: i64 = 28;

impl Learning {
    /// Runs in the whole history beyond the baseline's window: the runner
    /// is coming back after a break, not new.
    pub fn is_after_a_break(&self, history: &RunHistory) -> bool {
        history.runs > self.runs
    }

    /// What is still needed: "3 more runs and 9 more days", "2 more days".
    pub fn needs_words(&self) -> String {
        use crate::units::plural;
        let runs =
            (self.runs_needed > 0).then(|| plural(self.runs_needed, "more run", "more runs"));
        let days =
            (self.days_needed > 0).then(|| plural(self.days_needed, "more day", "more days"));
        match (runs, days) {
            (Some(r), Some(d)) => format!("{r} and {d}"),
            (Some(x), None) | (None, Some(x)) => x,
            (None, None) => "nothing more".to_string(),
        }
    }
}

/// Window lengths and learning requirements (RULES.md F), from the config.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BaselineSettings {
    pub volume_window_days: i64,
    pub stimulus_window_days: i64,
    pub learning_min_days: i64,
    pub learning_min_runs: usize,
    /// Only runs on or after this instant count (return-to-running mode).
    pub return_start_ms: Option<i64>,
}

impl Default for BaselineSettings {
    fn default() -> Self {
        BaselineSettings {
            volume_window_days: 28,
            stimulus_window_days: 42,
            learning_min_days: 14,
            learning_min_runs: 5,
            return_start_ms: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Learning {
    pub learning: bool,
    pub days_spanned: i64,
    pub runs: usize,
    pub days_needed: i64,
    pub runs_needed: usize,
}

/// The runner's baseline just before an instant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Baseline {
    pub at_ms: i64,
    pub learning: Learning,
    /// Longest run in the 30 days before.
    pub longest_30d_m: Option<f64>,
    /// Distance of the 7 days up to `at_ms`.
    pub last_7d_m: f64,
    pub last_7d_runs: usize,
    /// Mean pace of the last 7 days' runs (moving time over distance).
    pub last_7d_pace_s_per_km: Option<f64>,
    /// Mean weekly distance over the volume window before the last 7 days
    /// (uncoupled: the last week is not part of its own reference).
    pub weekly_m: f64,
    pub runs_per_week: f64,
    pub pace_s_per_km: Option<f64>,
    /// A robust low-intensity pace: the median of moving time over pace in
    /// the stimulus window, interval sessions left out.
    pub easy_pace_s_per_km: Option<f64>,
    /// 90th percentile over the stimulus window's runs.
    pub climb_m_per_km_p90: Option<f64>,
    pub fast_minutes_p90: Option<f64>,
    pub interval_sessions: usize,
    /// Share of the stimulus window's distance per surface.
    pub surface_share: BTreeMap<String, f64>,
    /// Running cadence per 15 s/km pace bin (bin lower edge, s/km → spm,
    /// seconds of data).
    pub cadence_at_pace: BTreeMap<i64, (f64, f64)>,
    /// Median heel drop of the shoes worn in the stimulus window.
    pub shoe_drop_mm: Option<f64>,
    /// EWMA loads in km/day: acute 7 d, chronic 28 d ending a week earlier.
    pub acute_km_per_day: f64,
    pub chronic_km_per_day: f64,
    /// Runs and distance in the chronic load's 28 days: whether the ratio
    /// has anything to stand on ([`Baseline::acwr`]).
    pub chronic_runs: usize,
    pub chronic_m: f64,
    pub stimulus_runs: usize,
    /// The highest distance and run count of any 7 days (ending at a run)
    /// in the [`OWN_MAX_WEEKS`] weeks before the last 7 days: the runner's
    /// own normal variation (RULES.md H).
    pub max_week_m: f64,
    pub max_week_runs: usize,
    /// What the last six months held (RULES.md H), for "back to …".
    pub memory: Memory,
}

/// The most of each kind of session in the [`MEMORY_DAYS`] before a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Memory {
    /// The hilliest run (climb per km).
    pub hilliest: Option<Remembered>,
    /// The run with the most minutes 10 % faster than today's easy pace.
    pub fastest: Option<Remembered>,
    /// The latest interval session (value: 1).
    pub intervals: Option<Remembered>,
    /// The longest run on each surface (value: its distance, m).
    pub longest_on_surface: BTreeMap<String, Remembered>,
}

/// One remembered run: its measure and when it started.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Remembered {
    pub value: f64,
    pub start_ms: i64,
}

impl Baseline {
    /// Acute:chronic ratio; None while the chronic load is too small to
    /// carry one ([`Baseline::carries_load_ratio`]).
    pub fn acwr(&self) -> Option<f64> {
        self.carries_load_ratio()
            .then(|| self.acute_km_per_day / self.chronic_km_per_day)
    }

    /// RULES.md F: a load ratio is shown only on a chronic load of at least
    /// [`LOAD_RATIO_MIN_CHRONIC_RUNS`] runs and [`LOAD_RATIO_MIN_CHRONIC_M`]
    /// in its 28 days. Every place that shows a ratio asks this.
    pub fn carries_load_ratio(&self) -> bool {
        self.chronic_runs >= LOAD_RATIO_MIN_CHRONIC_RUNS
            && self.chronic_m >= LOAD_RATIO_MIN_CHRONIC_M
            && self.chronic_km_per_day > 0.0
    }

    /// What `status` and the dashboard say instead of a ratio the chronic
    /// load cannot carry.
    pub fn load_ratio_missing(&self) -> String {
        format!(
            "not enough running yet ({} in the 28 days before this week; \
             the ratio needs {LOAD_RATIO_MIN_CHRONIC_RUNS} runs and {})",
            crate::units::plural(self.chronic_runs, "run, ", "runs, ")
                + &crate::units::km(self.chronic_m),
            crate::units::km(LOAD_RATIO_MIN_CHRONIC_M)
        )
    }

    /// Today's safe ceiling for the next run: 1.10 × the longest run of the
    /// last 30 days (RULES.md A).
    pub fn safe_ceiling_m(&self) -> Option<f64> {
        self.longest_30d_m.map(|m| m * 1.10)
    }
}

fn quantile(mut values: Vec<f64>, q: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let i = ((values.len() - 1) as f64 * q).round() as usize;
    values.get(i).copied()
}

/// Compute the baseline at `at_ms` from `history`: runs that started before
/// `at_ms` (others are ignored), in any order.
pub fn compute(history: &[RunRecord], at_ms: i64, settings: &BaselineSettings) -> Baseline {
    let since = settings.return_start_ms.unwrap_or(i64::MIN);
    let runs: Vec<&RunRecord> = history
        .iter()
        .filter(|r| r.start_ms < at_ms && r.start_ms >= since && !r.metrics.cross_training)
        .filter(|r| r.start_ms >= at_ms - HISTORY_DAYS * DAY_MS)
        .collect();
    // A window of N days holds the runs after (not at) N days before: the
    // run on this weekday last week belongs to last week.
    let within = |days: i64| {
        runs.iter()
            .copied()
            .filter(move |r| r.start_ms > at_ms - days * DAY_MS)
    };

    // Learning (RULES.md F): history must span 14 days and hold 5 runs.
    let first = runs.iter().map(|r| r.start_ms).min();
    let days_spanned = first.map_or(0, |f| (at_ms - f) / DAY_MS);
    let learning = Learning {
        learning: days_spanned < settings.learning_min_days
            || runs.len() < settings.learning_min_runs,
        days_spanned,
        runs: runs.len(),
        days_needed: (settings.learning_min_days - days_spanned).max(0),
        runs_needed: settings.learning_min_runs.saturating_sub(runs.len()),
    };

    let longest_30d_m = within(30)
        .map(|r| r.distance_m())
        .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.max(d))));
    let last_7: Vec<&RunRecord> = within(7).collect();
    let last_7d_m: f64 = last_7.iter().map(|r| r.distance_m()).sum();
    let last_7d_pace_s_per_km = mean_pace(&last_7);

    // Volume reference: whole 7-day buckets before the last 7 days, aligned
    // to this instant; only buckets the history fully covers count, so a
    // runner two and a half weeks in is compared with two whole weeks, not
    // with a mean diluted by the days before they started.
    let ref_end = at_ms - 7 * DAY_MS;
    let first_start = runs.iter().map(|r| r.start_ms).min().unwrap_or(at_ms);
    let full_buckets = (0..settings.volume_window_days / 7)
        .filter(|k| ref_end - (k + 1) * 7 * DAY_MS >= first_start - DAY_MS)
        .count() as i64;
    let reference: Vec<&RunRecord> = runs
        .iter()
        .copied()
        .filter(|r| r.start_ms <= ref_end && r.start_ms > ref_end - full_buckets * 7 * DAY_MS)
        .collect();
    let weeks = full_buckets.max(1) as f64;
    let (weekly_m, runs_per_week) = if full_buckets == 0 {
        (0.0, 0.0)
    } else {
        (
            reference.iter().map(|r| r.distance_m()).sum::<f64>() / weeks,
            reference.len() as f64 / weeks,
        )
    };
    let pace_s_per_km = mean_pace(&reference);

    // Stimuli: the longer window.
    let stimulus: Vec<&RunRecord> = within(settings.stimulus_window_days).collect();
    let mut pooled = PaceHistogram {
        seconds: Vec::new(),
    };
    let mut interval_sessions = 0;
    for r in &stimulus {
        let Some(p) = &r.metrics.pace else { continue };
        if p.intervals.is_some() {
            interval_sessions += 1;
            continue;
        }
        if pooled.seconds.len() < p.histogram.seconds.len() {
            pooled.seconds.resize(p.histogram.seconds.len(), 0.0);
        }
        for (acc, s) in pooled.seconds.iter_mut().zip(&p.histogram.seconds) {
            *acc += s;
        }
    }
    let easy_pace_s_per_km = pooled.quantile_s_per_km(0.5);
    let climb_m_per_km_p90 = quantile(
        stimulus
            .iter()
            .filter_map(|r| r.metrics.climb_m_per_km())
            .collect(),
        0.9,
    );
    let fast_minutes_p90 = easy_pace_s_per_km.and_then(|easy| {
        quantile(
            stimulus
                .iter()
                .map(|r| r.minutes_faster_than(easy, 0.10))
                .collect(),
            0.9,
        )
    });

    let total_m: f64 = stimulus.iter().map(|r| r.distance_m()).sum();
    let mut surface_share: BTreeMap<String, f64> = BTreeMap::new();
    for r in &stimulus {
        *surface_share
            .entry(r.metrics.surface.as_str().to_string())
            .or_insert(0.0) += r.distance_m();
    }
    if total_m > 0.0 {
        for v in surface_share.values_mut() {
            *v /= total_m;
        }
    }

    let mut cadence_at_pace: BTreeMap<i64, (f64, f64)> = BTreeMap::new();
    for r in &stimulus {
        for bin in r.metrics.cadence.iter().flat_map(|c| &c.at_pace) {
            let key =
                (bin.pace_s_per_km / MATCH_BIN_S_PER_KM).round() as i64 * MATCH_BIN_S_PER_KM as i64;
            let e = cadence_at_pace.entry(key).or_insert((0.0, 0.0));
            e.0 += bin.cadence_spm * bin.seconds;
            e.1 += bin.seconds;
        }
    }
    for v in cadence_at_pace.values_mut() {
        v.0 /= v.1.max(1e-9);
    }

    let shoe_drop_mm = quantile(
        stimulus.iter().filter_map(|r| r.shoe_drop_mm).collect(),
        0.5,
    );
    let (acute_km_per_day, chronic_km_per_day) = ewma_loads(&runs, at_ms);
    let chronic: Vec<&RunRecord> = runs
        .iter()
        .copied()
        .filter(|r| chronic_window(at_ms).contains(&r.start_ms.div_euclid(DAY_MS)))
        .collect();

    let (max_week_m, max_week_runs) = highest_week(&runs, at_ms);
    let memory = remember(&runs, easy_pace_s_per_km);

    Baseline {
        at_ms,
        learning,
        longest_30d_m,
        last_7d_m,
        last_7d_runs: last_7.len(),
        last_7d_pace_s_per_km,
        weekly_m,
        runs_per_week,
        pace_s_per_km,
        easy_pace_s_per_km,
        climb_m_per_km_p90,
        fast_minutes_p90,
        interval_sessions,
        surface_share,
        cadence_at_pace,
        shoe_drop_mm,
        acute_km_per_day,
        chronic_km_per_day,
        chronic_runs: chronic.len(),
        chronic_m: chronic.iter().map(|r| r.distance_m()).sum(),
        stimulus_runs: stimulus.len(),
        max_week_m,
        max_week_runs,
        memory,
    }
}

/// The most distance and runs of any 7 days ending at a run of the
/// [`OWN_MAX_WEEKS`] weeks before the last 7 days (the run included, "after,
/// not at" its start 7 days earlier, like every window here). Rolling, not
/// calendar weeks: a busy stretch split by a week boundary still counts
/// whole; and none overlaps the week being judged, which would make a
/// steady rise its own reference.
fn highest_week(runs: &[&RunRecord], at_ms: i64) -> (f64, usize) {
    let mut sorted: Vec<&RunRecord> = runs.to_vec();
    sorted.sort_by_key(|r| r.start_ms);
    let since = at_ms - OWN_MAX_WEEKS * 7 * DAY_MS;
    let (mut most_m, mut most_runs) = (0.0_f64, 0_usize);
    let (mut first, mut sum_m) = (0, 0.0);
    for (i, r) in sorted.iter().enumerate() {
        sum_m += r.distance_m();
        while sorted[first].start_ms <= r.start_ms - 7 * DAY_MS {
            sum_m -= sorted[first].distance_m();
            first += 1;
        }
        if r.start_ms > since && r.start_ms <= at_ms - 7 * DAY_MS {
            most_m = most_m.max(sum_m);
            most_runs = most_runs.max(i + 1 - first);
        }
    }
    (most_m, most_runs)
}

/// The most of each kind of session in the runs.
fn remember(runs: &[&RunRecord], easy_s_per_km: Option<f64>) -> Memory {
    let most = |slot: &mut Option<Remembered>, value: f64, start_ms: i64| {
        if value > 0.0 && slot.is_none_or(|m| value > m.value) {
            *slot = Some(Remembered { value, start_ms });
        }
    };
    let latest = |slot: &mut Option<Remembered>, value: f64, start_ms: i64| {
        if slot.is_none_or(|m| start_ms > m.start_ms) {
            *slot = Some(Remembered { value, start_ms });
        }
    };
    let mut memory = Memory::default();
    for r in runs {
        if let Some(climb) = r.metrics.climb_m_per_km() {
            most(&mut memory.hilliest, climb, r.start_ms);
        }
        if let Some(easy) = easy_s_per_km {
            most(
                &mut memory.fastest,
                r.minutes_faster_than(easy, 0.10),
                r.start_ms,
            );
        }
        if r.metrics
            .pace
            .as_ref()
            .is_some_and(|p| p.intervals.is_some())
        {
            latest(&mut memory.intervals, 1.0, r.start_ms);
        }
        let surface = r.metrics.surface.as_str();
        let mut slot = memory.longest_on_surface.get(surface).copied();
        most(&mut slot, r.distance_m(), r.start_ms);
        if let Some(m) = slot {
            memory.longest_on_surface.insert(surface.to_string(), m);
        }
    }
    memory
}

fn mean_pace(runs: &[&RunRecord]) -> Option<f64> {
    let (s, m) = runs.iter().fold((0.0, 0.0), |acc, r| {
        (acc.0 + r.metrics.moving_s, acc.1 + r.distance_m())
    });
    pace_over(s, m)
}

/// EWMA of daily running km (λ = 2/(N+1)), uncoupled (Lolli et al. 2019):
/// acute over 7 days up to the day of `at_ms`; chronic over 28 days ending
/// where the acute week begins, so the week being judged is not part of its
/// own reference.
fn ewma_loads(runs: &[&RunRecord], at_ms: i64) -> (f64, f64) {
    let today = at_ms.div_euclid(DAY_MS);
    let first = today - EWMA_DAYS;
    let mut daily = vec![0.0; (EWMA_DAYS + 1) as usize];
    for r in runs {
        let day = r.start_ms.div_euclid(DAY_MS);
        if (first..=today).contains(&day) {
            daily[(day - first) as usize] += r.distance_m() / 1000.0;
        }
    }
    let ewma = |days: &[f64], n: f64| {
        let lambda = 2.0 / (n + 1.0);
        days.iter()
            .fold(0.0, |acc, d| lambda * d + (1.0 - lambda) * acc)
    };
    let split = daily.len().saturating_sub(7);
    (ewma(&daily, 7.0), ewma(&daily[..split], 28.0))
}

/// The days (since 1970-01-01, as [`ewma_loads`] counts them) of the
/// chronic load's last 28 days: those before the acute week.
fn chronic_window(at_ms: i64) -> std::ops::RangeInclusive<i64> {
    let acute_first = at_ms.div_euclid(DAY_MS) - 6;
    acute_first - CHRONIC_DAYS..=acute_first - 1
}

/// Share of a surface in the baseline mix (0 when never run on).
pub fn surface_share(b: &Baseline, s: Surface) -> f64 {
    b.surface_share.get(s.as_str()).copied().unwrap_or(0.0)
}
