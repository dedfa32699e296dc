//! Climbing: total climb and descent with noise handling, climb per km, time
//! and distance on uphill grades, the steepest sustained 200 m.
//!
//! Barometric altitude is smooth with slow drift; GPS altitude jumps metres
//! from one second to the next. Both are smoothed over distance, then climb
//! is counted with hysteresis: a rise counts only once the profile has moved
//! more than the noise band from its last turning point. The band is chosen
//! from the signal's own noise, so a barometric watch gets a tight band and a
//! phone's GPS a wide one. No altitude gives `None` ("unknown"), never zero.

use super::track::Track;
use serde::{Deserialize, Serialize};

/// Resampling step along the path.
const STEP_M: f64 = 10.0;
/// How the profile is cleaned before climbing is counted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ElevationParams {
    /// Smoothing half-window along the path.
    pub smooth_half_m: f64,
    /// Hysteresis band for a smooth (barometric) signal.
    pub band_smooth_m: f64,
    /// Hysteresis band for a noisy (GPS) signal.
    pub band_noisy_m: f64,
}

impl Default for ElevationParams {
    fn default() -> Self {
        ElevationParams {
            // Chosen against seven real watch files' own total_ascent: all
            // within 15 % but a 7 m-climb run (see tests/real_metrics.rs).
            smooth_half_m: 20.0,
            band_smooth_m: 1.0,
            band_noisy_m: 4.0,
        }
    }
}
/// Grade is measured over this run (± half on each side).
const GRADE_SPAN_M: f64 = 40.0;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Elevation {
    pub climb_m: f64,
    pub descent_m: f64,
    pub climb_m_per_km: f64,
    /// Time and distance going up grades of at least 4 % and 8 %.
    pub uphill_4pct_s: f64,
    pub uphill_4pct_m: f64,
    pub uphill_8pct_s: f64,
    pub uphill_8pct_m: f64,
    /// Steepest 200 m stretch, percent grade (None below 200 m of profile).
    pub steepest_200m_pct: Option<f64>,
    /// The hysteresis band used, metres (shows whether the signal was
    /// treated as barometric or GPS altitude).
    pub noise_band_m: f64,
}

/// Altitude profile resampled every STEP_M metres of distance, with the
/// time at which each point was passed.
struct Profile {
    alt: Vec<f64>,
    time: Vec<f64>,
    step_m: f64,
}

fn profile(track: &Track) -> Option<Profile> {
    // (distance, altitude, time) of points that have an altitude.
    let pts: Vec<(f64, f64, f64)> = track
        .points
        .iter()
        .filter_map(|p| p.altitude_m.map(|a| (p.dist_m, a, p.t_s)))
        .collect();
    if pts.len() < 2 || pts.len() * 2 < track.points.len() {
        return None;
    }
    let total = pts.last().map_or(0.0, |p| p.0) - pts[0].0;
    if total < STEP_M {
        return None;
    }
    // Evenly spaced over exactly the whole path, so the same route run the
    // other way gives the same profile reversed.
    let n = (total / STEP_M).ceil() as usize + 1;
    let step = total / (n - 1) as f64;
    let mut alt = Vec::with_capacity(n);
    let mut time = Vec::with_capacity(n);
    let mut j = 0;
    for k in 0..n {
        let d = pts[0].0 + k as f64 * step;
        while j + 2 < pts.len() && pts[j + 1].0 < d {
            j += 1;
        }
        let (a, b) = (pts[j], pts[j + 1]);
        let span = b.0 - a.0;
        let f = if span > 0.0 {
            ((d - a.0) / span).clamp(0.0, 1.0)
        } else {
            0.0
        };
        alt.push(a.1 + f * (b.1 - a.1));
        time.push(a.2 + f * (b.2 - a.2));
    }
    Some(Profile {
        alt,
        time,
        step_m: step,
    })
}

fn smooth(values: &[f64], half: usize) -> Vec<f64> {
    let n = values.len();
    let mut prefix = vec![0.0; n + 1];
    for (i, v) in values.iter().enumerate() {
        prefix[i + 1] = prefix[i] + v;
    }
    (0..n)
        .map(|i| {
            let lo = i.saturating_sub(half);
            let hi = (i + half + 1).min(n);
            (prefix[hi] - prefix[lo]) / (hi - lo) as f64
        })
        .collect()
}

/// Noise of the raw signal: median absolute second difference of altitude
/// per sample (GPS altitude: metres; barometric: centimetres).
fn noise_m(track: &Track) -> f64 {
    let alts: Vec<f64> = track.points.iter().filter_map(|p| p.altitude_m).collect();
    let mut d2: Vec<f64> = alts
        .windows(3)
        .map(|w| (w[2] - 2.0 * w[1] + w[0]).abs())
        .collect();
    if d2.is_empty() {
        return 0.0;
    }
    let mid = d2.len() / 2;
    *d2.select_nth_unstable_by(mid, f64::total_cmp).1
}

/// Climb and descent of a profile with a hysteresis band: the profile is
/// reduced to its turning points — extremes that differ from the previous
/// turning point by at least the band — and the swings between them are
/// summed. Wiggles inside the band never count, whole hills always do, and
/// the same route run backwards swaps climb and descent.
pub fn climb_descent(alt: &[f64], band_m: f64) -> (f64, f64) {
    #[derive(PartialEq)]
    enum Going {
        Unknown,
        Up,
        Down,
    }
    let Some(&first) = alt.first() else {
        return (0.0, 0.0);
    };
    let (mut climb, mut descent) = (0.0, 0.0);
    let (mut turn, mut extreme, mut going) = (first, first, Going::Unknown);
    for &a in alt {
        match going {
            Going::Unknown => {
                if a >= turn + band_m {
                    (going, extreme) = (Going::Up, a);
                } else if a <= turn - band_m {
                    (going, extreme) = (Going::Down, a);
                }
            }
            Going::Up if a > extreme => extreme = a,
            Going::Up if a <= extreme - band_m => {
                climb += extreme - turn;
                (turn, extreme, going) = (extreme, a, Going::Down);
            }
            Going::Down if a < extreme => extreme = a,
            Going::Down if a >= extreme + band_m => {
                descent += turn - extreme;
                (turn, extreme, going) = (extreme, a, Going::Up);
            }
            _ => {}
        }
    }
    match going {
        Going::Up => climb += extreme - turn,
        Going::Down => descent += turn - extreme,
        Going::Unknown => {}
    }
    (climb, descent)
}

pub fn elevation(track: &Track) -> Option<Elevation> {
    elevation_with(track, &ElevationParams::default())
}

pub fn elevation_with(track: &Track, params: &ElevationParams) -> Option<Elevation> {
    let p = profile(track)?;
    let half = (params.smooth_half_m / p.step_m).round() as usize;
    let alt = smooth(&p.alt, half);
    let band = if noise_m(track) < 0.25 {
        params.band_smooth_m
    } else {
        params.band_noisy_m
    };
    let (climb_m, descent_m) = climb_descent(&alt, band);
    let km = track.distance_m() / 1000.0;

    let step_m = p.step_m;
    let span = ((GRADE_SPAN_M / step_m) as usize / 2).max(1);
    let (mut up4_s, mut up4_m, mut up8_s, mut up8_m) = (0.0, 0.0, 0.0, 0.0);
    for i in 1..alt.len() {
        let lo = i.saturating_sub(span);
        let hi = (i + span).min(alt.len() - 1);
        if hi <= lo {
            continue;
        }
        let grade = (alt[hi] - alt[lo]) / ((hi - lo) as f64 * step_m);
        let dt = (p.time[i] - p.time[i - 1]).max(0.0);
        if grade >= 0.04 {
            up4_s += dt;
            up4_m += step_m;
        }
        if grade >= 0.08 {
            up8_s += dt;
            up8_m += step_m;
        }
    }
    let w = (200.0 / step_m).round() as usize;
    let steepest_200m_pct = (alt.len() > w && w > 0).then(|| {
        alt.windows(w + 1)
            .map(|win| (win[w] - win[0]) / (w as f64 * step_m) * 100.0)
            .fold(f64::NEG_INFINITY, f64::max)
    });
    Some(Elevation {
        climb_m,
        descent_m,
        climb_m_per_km: if km > 0.0 { climb_m / km } else { 0.0 },
        uphill_4pct_s: up4_s,
        uphill_4pct_m: up4_m,
        uphill_8pct_s: up8_s,
        uphill_8pct_m: up8_m,
        steepest_200m_pct,
        noise_band_m: band,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hysteresis_ignores_wiggles_smaller_than_the_band() {
        let wiggle: Vec<f64> = (0..100)
            .map(|i| if i % 2 == 0 { 0.0 } else { 0.5 })
            .collect();
        assert_eq!(climb_descent(&wiggle, 1.0), (0.0, 0.0));
        let hill = [0.0, 5.0, 10.0, 5.0, 0.0];
        assert_eq!(climb_descent(&hill, 1.0), (10.0, 10.0));
    }
}
