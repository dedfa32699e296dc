//! Cadence and stride: steps per minute while running, its spread, stride
//! length, and cadence at matched pace (cadence rises with speed, so a later
//! rule compares like with like — RULES.md B `cadence_shift`).
//!
//! Cadence at matched pace counts running strides only: a trail runner's
//! hiked climbs (105 spm at 13:00/km) are not "longer strides", and a
//! baseline full of them is no reference for running. Which step is a
//! running stride is judged here, per sample, so that the run and every
//! baseline built from stored runs leave out the same steps.

use super::pace::{PACE_BIN_S_PER_KM, pace_s_per_km};
use super::track::Track;
use serde::{Deserialize, Serialize};

/// Cadence below this is standing or a glitch and stays out of the
/// running cadence (Garmin's average running cadence leaves zeros out too).
const RUNNING_MIN_SPM: f64 = 60.0;
/// Pace bins for cadence at matched pace: 15 s/km.
pub const MATCH_BIN_S_PER_KM: f64 = 3.0 * PACE_BIN_S_PER_KM;
/// RULES.md B: a step under about 140 spm is a walking step. Runners'
/// slowest jogging sits above it (measured on real trail files: running
/// stretches 150–175 spm, hiked climbs 100–130 spm).
pub const RUNNING_STRIDE_MIN_SPM: f64 = 140.0;
/// RULES.md B: slower than 12:00/km (5 km/h, an ordinary walk) is walking,
/// whatever the cadence sensor says (a wrist counts arm swings too).
pub const WALKING_PACE_S_PER_KM: f64 = 720.0;
/// RULES.md B: power-hiking is a climb of at least this grade…
pub const POWER_HIKE_GRADE: f64 = 0.10;
/// …at a pace slower than this (6 km/h): a runner still running up a 10 %
/// climb is faster, a hiker with quick steps is not.
pub const POWER_HIKE_PACE_S_PER_KM: f64 = 600.0;
/// Grade for power-hiking is measured over this much path.
const HIKE_GRADE_SPAN_M: f64 = 60.0;

/// Whether one moving step is a running stride (RULES.md B
/// `cadence_shift`): a running cadence, a running pace, and not a steep
/// climb taken at a hiker's pace. `grade` is `None` without altitude.
pub fn is_running_stride(cadence_spm: f64, speed_m_per_s: f64, grade: Option<f64>) -> bool {
    let Some(pace) = pace_s_per_km(speed_m_per_s) else {
        return false;
    };
    let power_hike =
        grade.is_some_and(|g| g >= POWER_HIKE_GRADE) && pace > POWER_HIKE_PACE_S_PER_KM;
    cadence_spm >= RUNNING_STRIDE_MIN_SPM && pace <= WALKING_PACE_S_PER_KM && !power_hike
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CadenceAtPace {
    /// Lower edge of the pace bin, s/km.
    pub pace_s_per_km: f64,
    pub seconds: f64,
    pub cadence_spm: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CadenceMetrics {
    /// Mean over every sample that carries a cadence, standing seconds (0)
    /// included: the watch's own `avg_running_cadence` definition.
    pub mean_spm: f64,
    /// Mean while actually running (moving, ≥ 60 spm): what the runner's
    /// stride is doing. The spread and stride below use this.
    pub running_spm: f64,
    pub p10_spm: f64,
    pub p50_spm: f64,
    pub p90_spm: f64,
    /// Metres per step.
    pub stride_m: Option<f64>,
    /// Cadence per pace bin over running strides only
    /// ([`is_running_stride`]): walking steps and power-hiking left out.
    pub at_pace: Vec<CadenceAtPace>,
}

pub fn cadence(track: &Track, speed: &[f64]) -> Option<CadenceMetrics> {
    // (cadence, seconds, speed, grade) per moving step with a cadence.
    let grades = track.step_grades(HIKE_GRADE_SPAN_M);
    let mut samples: Vec<(f64, f64, f64, Option<f64>)> = Vec::new();
    for (i, step) in track.steps.iter().enumerate() {
        if !step.moving {
            continue;
        }
        let Some(c) = track.points[i + 1]
            .cadence_spm
            .filter(|c| *c >= RUNNING_MIN_SPM)
        else {
            continue;
        };
        samples.push((
            c,
            step.dt_s,
            speed.get(i).copied().unwrap_or(0.0),
            grades.get(i).copied().flatten(),
        ));
    }
    let total_s: f64 = samples.iter().map(|s| s.1).sum();
    if total_s <= 0.0 {
        return None;
    }
    let running_spm = samples.iter().map(|s| s.0 * s.1).sum::<f64>() / total_s;
    let all: Vec<f64> = track.points.iter().filter_map(|p| p.cadence_spm).collect();
    let mean_spm = all.iter().sum::<f64>() / all.len().max(1) as f64;
    let mut by_cadence = samples.clone();
    by_cadence.sort_by(|a, b| a.0.total_cmp(&b.0));
    let quantile = |q: f64| {
        let mut acc = 0.0;
        for s in &by_cadence {
            acc += s.1;
            if acc >= q * total_s {
                return s.0;
            }
        }
        by_cadence.last().map_or(0.0, |s| s.0)
    };
    let steps: f64 = samples.iter().map(|s| s.0 / 60.0 * s.1).sum();
    let metres: f64 = samples.iter().map(|s| s.2 * s.1).sum();

    let mut bins: std::collections::BTreeMap<i64, (f64, f64)> = std::collections::BTreeMap::new();
    for &(c, dt, v, grade) in &samples {
        if !is_running_stride(c, v, grade) {
            continue;
        }
        if let Some(p) = pace_s_per_km(v) {
            let key = (p / MATCH_BIN_S_PER_KM).floor() as i64;
            let e = bins.entry(key).or_insert((0.0, 0.0));
            e.0 += dt;
            e.1 += c * dt;
        }
    }
    Some(CadenceMetrics {
        mean_spm,
        running_spm,
        p10_spm: quantile(0.1),
        p50_spm: quantile(0.5),
        p90_spm: quantile(0.9),
        stride_m: (steps > 0.0 && metres > 0.0).then(|| metres / steps),
        at_pace: bins
            .into_iter()
            .filter(|(_, (secs, _))| *secs >= 30.0)
            .map(|(k, (secs, weighted))| CadenceAtPace {
                pace_s_per_km: k as f64 * MATCH_BIN_S_PER_KM,
                seconds: secs,
                cadence_spm: weighted / secs,
            })
            .collect(),
    })
}
