//! The cleaned-up path every metric is computed on: samples in time order
//! with finite values, and the steps between consecutive samples with their
//! duration, distance and whether the runner was moving.

use crate::activity::{Pause, Sample, haversine_m};

/// Below this speed a step is standing still (≈ 40 min/km): traffic lights,
/// a shoelace, the watch left running at the door.
pub const STILL_M_PER_S: f64 = 0.4;
/// The window over which standing still is judged.
pub const STILL_WINDOW_S: f64 = 10.0;
/// A recording gap longer than this (and longer than 5× the usual sample
/// interval) without a timer event is an auto-pause or a lost signal.
pub const MIN_GAP_S: f64 = 30.0;
/// A step faster than this is a GPS jump, not running (≈ 1:40 min/km).
pub const MAX_RUN_M_PER_S: f64 = 10.0;

/// One sample, cleaned: time in seconds from the start, cumulative moving
/// distance along the path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub t_s: f64,
    /// Cumulative distance along the path (pauses and gaps add nothing).
    pub dist_m: f64,
    pub altitude_m: Option<f64>,
    pub cadence_spm: Option<f64>,
    pub heart_rate_bpm: Option<f64>,
    pub temperature_c: Option<f64>,
    pub lat_deg: Option<f64>,
    pub lon_deg: Option<f64>,
}

/// The step from point `i-1` to point `i`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Step {
    pub dt_s: f64,
    pub dd_m: f64,
    /// Not across a pause or a gap, and faster than standing still.
    pub moving: bool,
    /// Across a timer pause or a recording gap: neither time nor distance.
    pub stopped: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Track {
    pub points: Vec<Point>,
    /// `steps[i]` leads from `points[i]` to `points[i + 1]`.
    pub steps: Vec<Step>,
    pub start_ms: i64,
    pub has_positions: bool,
    pub has_device_distance: bool,
}

fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

fn finite32(v: Option<f32>) -> Option<f64> {
    v.map(f64::from).filter(|x| x.is_finite())
}

impl Track {
    /// Clean samples: sort by time, drop repeated instants, drop non-finite
    /// and impossible values (latitude beyond ±90, negative cadence).
    pub fn build(samples: &[Sample], pauses: &[Pause]) -> Track {
        let mut sorted: Vec<&Sample> = samples.iter().collect();
        sorted.sort_by_key(|s| s.time_ms);
        sorted.dedup_by_key(|s| s.time_ms);
        let Some(first) = sorted.first() else {
            return Track::default();
        };
        let start_ms = first.time_ms;

        let mut points = Vec::with_capacity(sorted.len());
        let mut device_distance = Vec::with_capacity(sorted.len());
        let mut has_positions = false;
        for s in &sorted {
            let position = match (finite(s.lat_deg), finite(s.lon_deg)) {
                (Some(lat), Some(lon)) if lat.abs() <= 90.0 && lon.abs() <= 180.0 => {
                    Some((lat, lon))
                }
                _ => None,
            };
            has_positions |= position.is_some();
            device_distance.push(finite(s.distance_m).filter(|d| *d >= 0.0));
            points.push(Point {
                t_s: s.time_ms.saturating_sub(start_ms) as f64 / 1000.0,
                dist_m: 0.0,
                altitude_m: finite32(s.altitude_m).filter(|a| (-500.0..9000.0).contains(a)),
                cadence_spm: finite32(s.cadence_spm).filter(|c| (0.0..400.0).contains(c)),
                heart_rate_bpm: finite32(s.heart_rate_bpm).filter(|h| (20.0..260.0).contains(h)),
                temperature_c: finite32(s.temperature_c).filter(|t| (-60.0..70.0).contains(t)),
                lat_deg: position.map(|p| p.0),
                lon_deg: position.map(|p| p.1),
            });
        }
        let has_device_distance =
            device_distance.iter().filter(|d| d.is_some()).count() * 2 >= points.len().max(1);

        // Usual sample interval, for telling a gap from a slow recorder.
        let mut intervals: Vec<f64> = points.windows(2).map(|w| w[1].t_s - w[0].t_s).collect();
        let gap_s = if intervals.is_empty() {
            MIN_GAP_S
        } else {
            let mid = intervals.len() / 2;
            let (_, median, _) = intervals.select_nth_unstable_by(mid, f64::total_cmp);
            (*median * 5.0).max(MIN_GAP_S)
        };

        let pause_spans: Vec<(f64, f64)> = pauses
            .iter()
            .map(|p| {
                (
                    p.start_ms.saturating_sub(start_ms) as f64 / 1000.0,
                    p.end_ms.saturating_sub(start_ms) as f64 / 1000.0,
                )
            })
            .collect();

        let mut steps = Vec::with_capacity(points.len().saturating_sub(1));
        let mut last_position: Option<(f64, f64)> =
            points.first().and_then(|p| p.lat_deg.zip(p.lon_deg));
        let mut last_device: Option<f64> = device_distance.first().copied().flatten();
        let mut dist = 0.0;
        for i in 1..points.len() {
            let (a, b) = (points[i - 1], points[i]);
            let dt = b.t_s - a.t_s;
            let across_pause = pause_spans
                .iter()
                .any(|&(ps, pe)| ps < b.t_s && pe > a.t_s && pe - ps > 0.0);
            let stopped = across_pause || dt > gap_s;

            // Distance of this step: the device's own cumulative distance
            // when it has one (footpod, GPS smoothed on the watch), else the
            // great-circle step, else nothing.
            let position = b.lat_deg.zip(b.lon_deg);
            let device = device_distance[i];
            let mut dd = match (has_device_distance, device, last_device) {
                (true, Some(d), Some(prev)) => (d - prev).max(0.0),
                (true, _, _) => 0.0,
                (false, _, _) => match (position, last_position) {
                    (Some((lat, lon)), Some((plat, plon))) => haversine_m(plat, plon, lat, lon),
                    _ => 0.0,
                },
            };
            if device.is_some() {
                last_device = device;
            }
            if position.is_some() {
                last_position = position;
            }
            // A jump across a pause or gap, or a GPS glitch, is not running
            // (the device's own distance is trusted: it filters already).
            if stopped || (!has_device_distance && dd / dt > MAX_RUN_M_PER_S) {
                dd = 0.0;
            }
            dist += dd;
            points[i].dist_m = dist;
            steps.push(Step {
                dt_s: dt,
                dd_m: dd,
                moving: false,
                stopped,
            });
        }
        let mut track = Track {
            points,
            steps,
            start_ms,
            has_positions,
            has_device_distance,
        };
        // Moving is judged on speed smoothed over a few seconds: watches
        // update distance in bursts, so one second of zero distance while
        // running is not standing still.
        let speed = track.smoothed_speed(STILL_WINDOW_S);
        for (step, v) in track.steps.iter_mut().zip(speed) {
            step.moving = !step.stopped && v >= STILL_M_PER_S;
        }
        track
    }

    pub fn distance_m(&self) -> f64 {
        self.points.last().map_or(0.0, |p| p.dist_m)
    }

    pub fn elapsed_s(&self) -> f64 {
        self.points.last().map_or(0.0, |p| p.t_s)
    }

    /// Time spent moving: timer pauses, gaps and standing still excluded.
    pub fn moving_s(&self) -> f64 {
        self.steps.iter().filter(|s| s.moving).map(|s| s.dt_s).sum()
    }

    /// Time the timer ran: everything but pauses and gaps.
    pub fn timer_s(&self) -> f64 {
        self.steps
            .iter()
            .filter(|s| !s.stopped)
            .map(|s| s.dt_s)
            .sum()
    }

    /// Grade of each step (rise over run, 0.10 = 10 %) over `span_m` of path
    /// centred on the step's end point: long enough that a metre of
    /// altitude noise is not a climb. `None` where an end of the span has
    /// no altitude or the path there is shorter than half the span (the
    /// start, the end, standing still).
    pub fn step_grades(&self, span_m: f64) -> Vec<Option<f64>> {
        let half = span_m / 2.0;
        let last = self.points.len().saturating_sub(1);
        let (mut lo, mut hi) = (0usize, 0usize);
        self.steps
            .iter()
            .enumerate()
            .map(|(i, _)| {
                let centre = self.points[i + 1].dist_m;
                while lo < i + 1 && self.points[lo + 1].dist_m <= centre - half {
                    lo += 1;
                }
                hi = hi.max(i + 1);
                while hi < last && self.points[hi].dist_m < centre + half {
                    hi += 1;
                }
                let (a, b) = (self.points[lo], self.points[hi]);
                let run = b.dist_m - a.dist_m;
                match (a.altitude_m, b.altitude_m) {
                    (Some(from), Some(to)) if run >= half => Some((to - from) / run),
                    _ => None,
                }
            })
            .collect()
    }

    /// Speed of each step (m/s), smoothed over a centered window of
    /// `window_s` seconds of timer time; stopped steps are 0.
    pub fn smoothed_speed(&self, window_s: f64) -> Vec<f64> {
        let n = self.steps.len();
        let mut out = vec![0.0; n];
        // Prefix sums over time and distance of running steps.
        let mut t = vec![0.0; n + 1];
        let mut d = vec![0.0; n + 1];
        for (i, s) in self.steps.iter().enumerate() {
            let (dt, dd) = if s.stopped {
                (0.0, 0.0)
            } else {
                (s.dt_s, s.dd_m)
            };
            t[i + 1] = t[i] + dt;
            d[i + 1] = d[i] + dd;
        }
        let half = window_s / 2.0;
        let (mut lo, mut hi) = (0usize, 0usize);
        for i in 0..n {
            if self.steps[i].stopped {
                continue;
            }
            let center = (t[i] + t[i + 1]) / 2.0;
            while lo < i && t[lo + 1] < center - half {
                lo += 1;
            }
            if hi < i + 1 {
                hi = i + 1;
            }
            while hi < n && t[hi] < center + half {
                hi += 1;
            }
            let span = t[hi] - t[lo];
            if span > 0.0 {
                out[i] = (d[hi] - d[lo]) / span;
            }
        }
        out
    }
}
