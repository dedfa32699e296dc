//! metrics: `Activity` → `RunMetrics`, the numbers every baseline and rule
//! is built on. Pure: no clock, no I/O.
//!
//! Each concern has its own file: the cleaned path (`track`), pace and
//! intervals, cadence and stride, elevation, surface.

pub mod cadence;
pub mod elevation;
pub mod pace;
pub mod record;
pub mod surface;
pub mod track;

use crate::activity::Activity;
use cadence::CadenceMetrics;
use elevation::Elevation;
use pace::PaceMetrics;
use serde::{Deserialize, Serialize};
use surface::{Evidence, NamedArea, Surface};
use track::Track;

/// Bump when a computation changes, so stored metrics are recomputed.
pub const METRICS_VERSION: u32 = 2;
/// Samples covering less than this share of the device's summary distance
/// are a salvaged remnant, not the run.
const SALVAGED_SHARE: f64 = 2.0 / 3.0;

/// The runner's part of day, in their local time ("Achilles Tendonitis – Recovery and Workouts", step 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartOfDay {
    /// 04:00–10:59
    Morning,
    /// 11:00–14:59
    Midday,
    /// 15:00–21:59
    Evening,
    /// 22:00–03:59
    Night,
}

impl PartOfDay {
    pub fn of_hour(hour: u32) -> PartOfDay {
        match hour {
            4..=10 => PartOfDay::Morning,
            11..=14 => PartOfDay::Midday,
            15..=21 => PartOfDay::Evening,
            _ => PartOfDay::Night,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PartOfDay::Morning => "morning",
            PartOfDay::Midday => "midday",
            PartOfDay::Evening => "evening",
            PartOfDay::Night => "night",
        }
    }
}

/// What the runner knows that the file does not: their own surface tag and
/// their named areas.
#[derive(Debug, Clone, Default)]
pub struct MetricsInput<'a> {
    pub surface_tag: Option<Surface>,
    pub areas: &'a [NamedArea],
    /// The runner's zone: where the local start hour is read.
    pub zone: crate::zone::Zone,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunMetrics {
    pub version: u32,
    /// Not a run: volume only, never running distance (RULES.md D).
    pub cross_training: bool,
    pub distance_m: f64,
    pub elapsed_s: f64,
    /// Timer running: elapsed minus pauses and recording gaps (the watch's
    /// `total_timer_time`).
    pub timer_s: f64,
    /// Timer running and not standing still.
    pub moving_s: f64,
    pub pace: Option<PaceMetrics>,
    pub cadence: Option<CadenceMetrics>,
    /// `None` when the file has no altitude: unknown, never zero.
    pub elevation: Option<Elevation>,
    pub surface: Surface,
    pub surface_evidence: Evidence,
    pub local_start_hour: f64,
    pub part_of_day: PartOfDay,
    pub temperature_mean_c: Option<f64>,
    pub temperature_max_c: Option<f64>,
    pub heart_rate_mean_bpm: Option<f64>,
}

/// The local hour (fractional) and part of day a run started, in the
/// runner's zone at that instant (RULES.md D). Derived from the instant
/// and the zone alone, never from the offset a file recorded: every reader
/// shows one instant one way, and a new `time_zone` applies at once.
pub fn local_start(start_ms: i64, zone: &crate::zone::Zone) -> (f64, PartOfDay) {
    let local_ms = zone.local_ms(start_ms);
    let hour = (local_ms.rem_euclid(86_400_000)) as f64 / 3_600_000.0;
    (hour, PartOfDay::of_hour(hour as u32))
}

/// A recording shorter than this is kept and listed but is not a run
/// (RULES.md F): it never enters the baseline, the rules or the ceiling.
pub const MIN_RUN_M: f64 = 500.0;
/// The same for moving time: under three minutes is not a run.
pub const MIN_RUN_MOVING_S: f64 = 180.0;

impl RunMetrics {
    /// Too short to be a run (RULES.md F): a cut-off file, a recording of
    /// a few metres. (`store::COUNTED_RUN` asks the same of stored rows.)
    pub fn too_short(&self) -> bool {
        self.distance_m < MIN_RUN_M || self.moving_s < MIN_RUN_MOVING_S
    }

    /// Re-derive the local start from the runner's zone as it is now
    /// (stored metrics keep the zone of the day they were measured).
    pub fn localise(&mut self, start_ms: i64, zone: &crate::zone::Zone) {
        (self.local_start_hour, self.part_of_day) = local_start(start_ms, zone);
    }
}

pub fn compute(activity: &Activity, input: &MetricsInput<'_>) -> RunMetrics {
    let track = Track::build(&activity.samples, &activity.pauses);
    let (local_start_hour, part_of_day) = local_start(activity.start_ms, &input.zone);

    let (distance_m, elapsed_s, timer_s, moving_s) = volume(activity, &track);

    let mean_of = |get: fn(&track::Point) -> Option<f64>| {
        let mut n = 0usize;
        let mut sum = 0.0;
        let mut max = f64::NEG_INFINITY;
        for p in &track.points {
            if let Some(v) = get(p) {
                n += 1;
                sum += v;
                max = max.max(v);
            }
        }
        (n > 0).then(|| (sum / n as f64, max))
    };
    let temperature = mean_of(|p| p.temperature_c);
    let heart_rate = mean_of(|p| p.heart_rate_bpm);

    let cross_training = !activity.sport.is_running();
    let (pace, cadence, elevation) = if cross_training {
        (None, None, None)
    } else {
        let speed = track.smoothed_speed(15.0);
        (
            Some(pace::pace(&track, moving_s, distance_m)),
            cadence::cadence(&track, &speed),
            elevation::elevation(&track),
        )
    };
    let (surface, surface_evidence) = if cross_training {
        (Surface::Unknown, Evidence::None)
    } else {
        surface::classify(activity.sub_sport, &track, input.surface_tag, input.areas)
    };

    RunMetrics {
        version: METRICS_VERSION,
        cross_training,
        distance_m,
        elapsed_s,
        timer_s,
        moving_s,
        pace,
        cadence,
        elevation,
        surface,
        surface_evidence,
        local_start_hour,
        part_of_day,
        temperature_mean_c: temperature.map(|t| t.0),
        temperature_max_c: temperature.map(|t| t.1),
        heart_rate_mean_bpm: heart_rate.map(|h| h.0),
    }
}

/// Distance, elapsed, timer and moving time of the run, with
/// moving ≤ timer ≤ elapsed, each finite and ≥ 0.
///
/// From the track they hold by construction: elapsed is last − first
/// sample, timer leaves out the pauses and gaps, moving also the standing
/// still. They broke where the records are mostly lost (a file broken
/// early whose session message came first, like the Strava app file with
/// 473 of its records: 11.27 km, timer 59:18, records over 5:14): the
/// distance and timer then come from the watch's summary, and elapsed,
/// taken from the remnant, was shorter than the timer. There the watch's
/// own elapsed is the source (at least its timer, when it wrote no
/// elapsed). Elsewhere elapsed stays the track's: a summary's elapsed can
/// be wrong where the records are right (TCX laps that start hours before
/// their points).
fn volume(activity: &Activity, track: &Track) -> (f64, f64, f64, f64) {
    let s = &activity.summary;
    let watch = |v: Option<f64>| v.filter(|x| x.is_finite() && *x >= 0.0);
    let summary_m = watch(s.total_distance_m).unwrap_or(0.0);
    let distance_m = track.distance_m();
    if track.points.len() < 2 || distance_m < summary_m * SALVAGED_SHARE {
        // The watch's own volume is the truth for the load.
        let timer_s = watch(s.total_timer_s).unwrap_or(0.0);
        let elapsed_s = track
            .elapsed_s()
            .max(watch(s.total_elapsed_s).unwrap_or(0.0))
            .max(timer_s);
        return (summary_m, elapsed_s, timer_s, timer_s);
    }
    let elapsed_s = track.elapsed_s();
    let timer_s = track.timer_s().min(elapsed_s);
    (
        distance_m,
        elapsed_s,
        timer_s,
        track.moving_s().min(timer_s),
    )
}

impl RunMetrics {
    pub fn climb_m_per_km(&self) -> Option<f64> {
        self.elevation.map(|e| e.climb_m_per_km)
    }
}
