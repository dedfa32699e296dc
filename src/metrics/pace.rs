//! Pace: mean moving pace, the distribution of moving time over pace, time
//! faster than a reference pace, walk breaks, and interval structure
//! (repeated fast segments separated by recoveries: a track session's
//! 6 × 400 m).
//!
//! It also holds the one conversion between pace (s/km), speed (m/s), time
//! and distance: the baseline, the rules and the simulator use it too, so
//! that a pace is computed the same everywhere (`units` writes it).

use super::track::Track;
use serde::{Deserialize, Serialize};

/// Pace histogram bins: 5 s/km wide, from 2:00/km; slower than 15:00/km
/// goes into the last bin.
pub const PACE_BIN_S_PER_KM: f64 = 5.0;
pub const PACE_MIN_S_PER_KM: f64 = 120.0;
pub const PACE_BINS: usize = 157;
/// Speed is smoothed over this many seconds before it is binned: one GPS
/// second is too noisy to say "faster than easy pace". The activity
/// page's pace chart draws the same smoothed speed.
pub const SPEED_WINDOW_S: f64 = 15.0;
/// Walking: slower than this without cadence (≈ 8:45 min/km)…
const WALK_M_PER_S: f64 = 1.9;
/// …or a cadence below this.
const WALK_CADENCE_SPM: f64 = 135.0;
/// A walk break lasts at least this long (run/walk breaks are 30 s – 2 min).
const MIN_WALK_S: f64 = 20.0;
/// An interval rep lasts at least this long (20 s strides are not reps)…
const MIN_REP_S: f64 = 30.0;
/// …and runs this much faster than the run's typical speed.
const FAST_FACTOR: f64 = 1.2;
/// A "rep" descending more than this grade is a downhill, not a rep.
const DOWNHILL_GRADE: f64 = 0.02;
/// Speed for interval detection is smoothed over this window.
const REP_WINDOW_S: f64 = 20.0;

/// Paces are per kilometre.
const M_PER_KM: f64 = 1000.0;

/// The pace of a speed; `None` standing still (or going backwards).
pub fn pace_s_per_km(speed_m_per_s: f64) -> Option<f64> {
    (speed_m_per_s > 0.0).then(|| M_PER_KM / speed_m_per_s)
}

/// The speed of a pace. Not checked: a pace of 0 gives an infinite speed
/// (the simulator drops such a stretch).
pub fn speed_m_per_s(pace_s_per_km: f64) -> f64 {
    M_PER_KM / pace_s_per_km
}

/// The mean pace of covering `distance_m` in `seconds`; `None` without
/// distance.
pub fn pace_over(seconds: f64, distance_m: f64) -> Option<f64> {
    (distance_m > 0.0).then(|| seconds / distance_m * M_PER_KM)
}

/// How far `seconds` at `pace_s_per_km` go.
pub fn distance_m_in(seconds: f64, pace_s_per_km: f64) -> f64 {
    seconds * M_PER_KM / pace_s_per_km
}

/// How long `distance_m` at `pace_s_per_km` takes.
pub fn seconds_for(distance_m: f64, pace_s_per_km: f64) -> f64 {
    pace_s_per_km * distance_m / M_PER_KM
}

/// Moving seconds per pace bin; bin `i` holds paces in
/// [PACE_MIN + i·5, PACE_MIN + (i+1)·5) s/km.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaceHistogram {
    pub seconds: Vec<f64>,
}

impl PaceHistogram {
    fn bin(pace_s_per_km: f64) -> usize {
        (((pace_s_per_km - PACE_MIN_S_PER_KM) / PACE_BIN_S_PER_KM)
            .floor()
            .max(0.0) as usize)
            .min(PACE_BINS - 1)
    }

    /// Moving seconds faster than `reference_s_per_km` by at least
    /// `margin` (0.10 = 10 % faster), at bin resolution.
    pub fn seconds_faster_than(&self, reference_s_per_km: f64, margin: f64) -> f64 {
        let limit = reference_s_per_km / (1.0 + margin);
        self.seconds
            .iter()
            .enumerate()
            .filter(|(i, _)| PACE_MIN_S_PER_KM + (*i as f64 + 1.0) * PACE_BIN_S_PER_KM <= limit)
            .map(|(_, s)| s)
            .sum()
    }

    /// The pace below which `fraction` of the moving time was run.
    pub fn quantile_s_per_km(&self, fraction: f64) -> Option<f64> {
        let total: f64 = self.seconds.iter().sum();
        if total <= 0.0 {
            return None;
        }
        let mut acc = 0.0;
        for (i, s) in self.seconds.iter().enumerate() {
            acc += s;
            if acc >= fraction * total {
                return Some(PACE_MIN_S_PER_KM + (i as f64 + 0.5) * PACE_BIN_S_PER_KM);
            }
        }
        None
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Intervals {
    pub reps: u32,
    pub rep_distances_m: Vec<f64>,
    pub rep_durations_s: Vec<f64>,
    /// Mean pace of the reps.
    pub rep_pace_s_per_km: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaceMetrics {
    pub mean_pace_s_per_km: Option<f64>,
    pub histogram: PaceHistogram,
    /// Pace of each minute of moving time, in order.
    pub per_minute_s_per_km: Vec<f64>,
    pub walk_breaks: u32,
    pub intervals: Option<Intervals>,
}

pub fn pace(track: &Track, moving_s: f64, distance_m: f64) -> PaceMetrics {
    let speed = track.smoothed_speed(SPEED_WINDOW_S);
    let mut histogram = PaceHistogram {
        seconds: vec![0.0; PACE_BINS],
    };
    for (step, v) in track.steps.iter().zip(&speed) {
        if step.moving {
            if let Some(p) = pace_s_per_km(*v) {
                histogram.seconds[PaceHistogram::bin(p)] += step.dt_s;
            }
        }
    }

    let mut per_minute = Vec::new();
    let (mut t, mut d) = (0.0, 0.0);
    for step in track.steps.iter().filter(|s| s.moving) {
        t += step.dt_s;
        d += step.dd_m;
        if t >= 60.0 {
            if let Some(p) = pace_s_per_km(d / t) {
                per_minute.push(p);
            }
            (t, d) = (0.0, 0.0);
        }
    }

    PaceMetrics {
        mean_pace_s_per_km: pace_over(moving_s, distance_m).filter(|_| moving_s > 0.0),
        histogram,
        per_minute_s_per_km: per_minute,
        walk_breaks: walk_breaks(track, &speed),
        intervals: intervals(track, &track.smoothed_speed(REP_WINDOW_S)),
    }
}

/// Runs of consecutive steps (timer running) where `pred` holds, as
/// (first step, last step, seconds, metres).
fn segments(track: &Track, pred: impl Fn(usize) -> bool) -> Vec<(usize, usize, f64, f64)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, usize, f64, f64)> = None;
    for (i, step) in track.steps.iter().enumerate() {
        if step.stopped {
            out.extend(current.take());
            continue;
        }
        if pred(i) {
            let c = current.get_or_insert((i, i, 0.0, 0.0));
            c.1 = i;
            c.2 += step.dt_s;
            c.3 += step.dd_m;
        } else {
            out.extend(current.take());
        }
    }
    out.extend(current);
    out
}

/// Walk breaks: walking stretches of ≥ 15 s between running (the run/walk
/// method of a returning runner).
fn walk_breaks(track: &Track, speed: &[f64]) -> u32 {
    let walking = |i: usize| {
        let cadence = track
            .points
            .get(i + 1)
            .and_then(|p| p.cadence_spm)
            .filter(|c| *c > 0.0);
        let slow = speed[i] < WALK_M_PER_S;
        match cadence {
            Some(c) => c < WALK_CADENCE_SPM && speed[i] > 0.3,
            None => slow && speed[i] > 0.3,
        }
    };
    let breaks = segments(track, walking);
    let last = track.steps.len().saturating_sub(1);
    breaks
        .iter()
        .filter(|(first, end, secs, _)| *secs >= MIN_WALK_S && *first > 0 && *end < last)
        .count() as u32
}

/// Running fast down a hill is gravity, not a speed session.
fn is_downhill(track: &Track, from: usize, to: usize, metres: f64) -> bool {
    let altitude_near = |i: usize| {
        track.points[..=i.min(track.points.len() - 1)]
            .iter()
            .rev()
            .find_map(|p| p.altitude_m)
    };
    match (altitude_near(from), altitude_near(to)) {
        (Some(a), Some(b)) if metres > 0.0 => (b - a) / metres < -DOWNHILL_GRADE,
        _ => false,
    }
}

/// Repeated fast segments: at least 3 reps of ≥ 15 s, ≥ 12 % faster than the
/// run's typical (median moving) speed, with recoveries between them.
fn intervals(track: &Track, speed: &[f64]) -> Option<Intervals> {
    let mut moving: Vec<f64> = track
        .steps
        .iter()
        .zip(speed)
        .filter(|(s, _)| s.moving)
        .map(|(_, v)| *v)
        .collect();
    if moving.len() < 10 {
        return None;
    }
    let mid = moving.len() / 2;
    let typical = *moving.select_nth_unstable_by(mid, f64::total_cmp).1;
    let fast = typical * FAST_FACTOR;
    let candidates: Vec<(usize, usize, f64, f64)> = segments(track, |i| speed[i] >= fast)
        .into_iter()
        .filter(|r| {
            r.2 >= MIN_REP_S && r.2 <= 20.0 * 60.0 && !is_downhill(track, r.0, r.1 + 1, r.3)
        })
        .collect();
    if candidates.len() < 3 {
        return None;
    }
    // A session repeats similar efforts: keep the reps within a factor two
    // of the median rep's distance (hills and traffic make one-offs).
    let mut lengths: Vec<f64> = candidates.iter().map(|r| r.3).collect();
    let mid = lengths.len() / 2;
    let median = *lengths.select_nth_unstable_by(mid, f64::total_cmp).1;
    let reps: Vec<(usize, usize, f64, f64)> = candidates
        .into_iter()
        .filter(|r| r.3 >= median / 2.0 && r.3 <= median * 2.0)
        .collect();
    if reps.len() < 3 {
        return None;
    }
    let (secs, metres): (f64, f64) = reps
        .iter()
        .fold((0.0, 0.0), |acc, r| (acc.0 + r.2, acc.1 + r.3));
    Some(Intervals {
        reps: reps.len() as u32,
        rep_distances_m: reps.iter().map(|r| r.3).collect(),
        rep_durations_s: reps.iter().map(|r| r.2).collect(),
        rep_pace_s_per_km: pace_over(secs, metres).unwrap_or(0.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_counts_time_faster_than_a_reference() {
        let mut h = PaceHistogram {
            seconds: vec![0.0; PACE_BINS],
        };
        h.seconds[PaceHistogram::bin(240.0)] = 600.0; // 4:00/km
        h.seconds[PaceHistogram::bin(330.0)] = 1200.0; // 5:30/km
        // Easy 5:30: 10 % faster is ≤ 5:00/km → only the 4:00 minutes.
        assert_eq!(h.seconds_faster_than(330.0, 0.10), 600.0);
        assert_eq!(h.seconds_faster_than(200.0, 0.10), 0.0);
    }

    #[test]
    fn pace_speed_time_and_distance_are_one_conversion() {
        // 5:00/km is 3.33 m/s, and 3.33 m/s is 5:00/km.
        assert_eq!(speed_m_per_s(300.0), 1000.0 / 300.0);
        let back = pace_s_per_km(speed_m_per_s(300.0));
        assert!(back.is_some_and(|p| (p - 300.0).abs() < 1e-9), "{back:?}");
        assert_eq!(pace_s_per_km(4.0), Some(250.0));
        assert_eq!(pace_s_per_km(0.0), None);
        // 10 km in 50 minutes: 5:00/km; no distance, no pace.
        assert_eq!(pace_over(3000.0, 10_000.0), Some(300.0));
        assert_eq!(pace_over(3000.0, 0.0), None);
        // A 90 s jog at 7:30/km covers 200 m, and 200 m at 7:30/km take 90 s.
        assert_eq!(distance_m_in(90.0, 450.0), 200.0);
        assert_eq!(seconds_for(200.0, 450.0), 90.0);
    }
}
