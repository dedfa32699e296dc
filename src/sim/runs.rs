//! Deterministic run generators: plausible [`Activity`] values for tests,
//! benchmarks and the demo, with the channels a running watch records.
//!
//! Every generator is a pure function of its arguments: the same spec and
//! seed give the same activity, bit for bit. Mild noise (cadence ±2 spm,
//! speed ±1.5 %, heart rate ±1 bpm, optional GPS jitter) comes from
//! [`SimRng`], a splitmix64 generator, so no `rand` dependency is needed.
//!
//! What is exact, so that tests can rely on it: samples are 1 Hz at whole
//! seconds from a whole-second start; pace is constant within a stretch
//! (grades do not slow the runner); the cumulative `distance_m` of the
//! samples is the exact integral of the stretch speeds and ends at exactly the
//! requested distance; positions lie on the route (before jitter); heart rate
//! and temperature are whole numbers, as a watch records them. Only the
//! reported instantaneous speed, cadence and heart rate carry noise.
//!
//! Positions come from a local flat-earth projection around an origin
//! (default 52.0° N, 5.0° E): metres east/north → degrees.

use crate::activity::{Activity, DeviceSummary, Lap, Pause, Sample, Sport, SubSport};
use crate::metrics::pace::{distance_m_in, speed_m_per_s};
use crate::sim::fit_writer::sport_label;

/// Default start: Monday 2024-03-04 07:00:00 UTC.
pub const DEFAULT_START_MS: i64 = 1_709_535_600_000;
/// Default UTC offset of the runner: +01:00 (central Europe in winter).
pub const DEFAULT_LOCAL_OFFSET_S: i32 = 3600;
/// Default route origin (latitude, longitude) in degrees.
pub const DEFAULT_ORIGIN: (f64, f64) = (52.0, 5.0);
/// Pace of warm-ups and cool-downs in [`track_intervals`].
pub const EASY_PACE_S_PER_KM: f64 = 360.0;
/// Cadence of easy running and jog recoveries in [`track_intervals`].
pub const EASY_CADENCE_SPM: f64 = 165.0;
/// Cadence of the fast repetitions in [`track_intervals`].
pub const FAST_CADENCE_SPM: f64 = 185.0;
/// Length of each straight of a standard 400 m track.
pub const TRACK_STRAIGHT_M: f64 = 84.39;
/// Radius of the running line on the bends: kerb radius 36.50 m plus the
/// 0.30 m at which lane 1 is measured, which makes the lap 400 m.
pub const TRACK_RADIUS_M: f64 = 36.80;
/// One lap of the running line of lane 1 (≈ 400.00 m).
pub const TRACK_LAP_M: f64 = 2.0 * TRACK_STRAIGHT_M + 2.0 * std::f64::consts::PI * TRACK_RADIUS_M;
/// Altitude of the simulated track (flat).
pub const TRACK_ALTITUDE_M: f64 = 3.0;
/// Altitude at the foot of an [`Altitude::Grade`] profile.
pub const GRADE_BASE_ALTITUDE_M: f64 = 10.0;

/// Mean earth radius, the same as `activity::haversine_m` uses, so that the
/// projection and the track length agree.
const EARTH_RADIUS_M: f64 = 6_371_008.8;
/// Direction of the out-and-back route, degrees counter-clockwise from east
/// (so that both latitude and longitude change).
const OUT_AND_BACK_ANGLE_DEG: f64 = 30.0;
/// Direction of the track's straights, degrees counter-clockwise from east.
const TRACK_ANGLE_DEG: f64 = 20.0;
/// Heart rate at the start of every simulated run.
const START_HEART_RATE_BPM: f64 = 95.0;
/// Time constant of the heart rate's response to a change of speed.
const HEART_RATE_TAU_S: f64 = 25.0;
/// Cardiac drift: steady-state heart rate rises this much per minute.
const HEART_RATE_DRIFT_BPM_PER_MIN: f64 = 0.08;

/// A small deterministic PRNG (splitmix64). Not for cryptography; for noise
/// that is the same on every machine and every run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimRng {
    state: u64,
}

impl SimRng {
    pub fn new(seed: u64) -> SimRng {
        SimRng { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [lo, hi).
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.next_f64()
    }
}

/// The altitude channel of a simulated run, as a function of route distance.
#[derive(Debug, Clone, PartialEq)]
pub enum Altitude {
    /// No altitude channel (no barometer, no GPS altitude).
    None,
    /// The same altitude everywhere, in metres.
    Flat(f64),
    /// Hill repeats: from [`GRADE_BASE_ALTITUDE_M`], climb `segment_m` of
    /// route at `percent` grade, descend the same, repeat. A negative grade
    /// descends first.
    Grade { percent: f64, segment_m: f64 },
    /// Piecewise linear through (route distance m, altitude m) points, sorted
    /// by distance; constant before the first and after the last.
    Profile(Vec<(f64, f64)>),
}

impl Altitude {
    /// Altitude at `distance_m` along the route; `None` without a channel.
    pub fn at(&self, distance_m: f64) -> Option<f64> {
        match self {
            Altitude::None => None,
            Altitude::Flat(m) => Some(*m),
            Altitude::Grade { percent, segment_m } => {
                if !(segment_m.is_finite() && *segment_m > 0.0) {
                    return Some(GRADE_BASE_ALTITUDE_M);
                }
                let rise = segment_m * percent / 100.0;
                let phase = (distance_m / segment_m).rem_euclid(2.0);
                let up = if phase <= 1.0 { phase } else { 2.0 - phase };
                Some(GRADE_BASE_ALTITUDE_M + rise * up)
            }
            Altitude::Profile(points) => {
                let &(first_d, first_alt) = points.first()?;
                if distance_m <= first_d {
                    return Some(first_alt);
                }
                for pair in points.windows(2) {
                    if let [(d0, a0), (d1, a1)] = *pair {
                        if distance_m <= d1 {
                            if d1 <= d0 {
                                return Some(a1);
                            }
                            return Some(a0 + (a1 - a0) * (distance_m - d0) / (d1 - d0));
                        }
                    }
                }
                points.last().map(|p| p.1)
            }
        }
    }
}

/// What a steady run looks like. Build one with struct update syntax:
/// `RunSpec { distance_m: 10_000.0, ..RunSpec::default() }`.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSpec {
    /// Start instant, UTC ms; rounded down to a whole second (FIT's
    /// resolution).
    pub start_ms: i64,
    /// The runner's UTC offset, written to the FIT activity message.
    pub local_offset_s: Option<i32>,
    pub sport: Sport,
    pub sub_sport: SubSport,
    pub distance_m: f64,
    /// Constant pace; grades do not change it.
    pub pace_s_per_km: f64,
    /// Steps per minute (both feet) for foot sports, rpm otherwise.
    pub cadence_spm: f64,
    pub seed: u64,
    /// Record positions (an out-and-back route from `origin`).
    pub gps: bool,
    /// Correlated GPS error of up to this many metres per axis; 0 for exact
    /// positions on the route.
    pub gps_jitter_m: f64,
    /// (latitude, longitude) of the start, degrees.
    pub origin: (f64, f64),
    pub altitude: Altitude,
    /// Noise on reported speed, cadence and heart rate.
    pub noise: bool,
    /// Constant temperature channel (whole degrees), or none.
    pub temperature_c: Option<f64>,
    /// Auto-lap distance (1 km on most watches); `None`: one lap.
    pub auto_lap_m: Option<f64>,
}

impl Default for RunSpec {
    /// An easy 5 km road-ish run at 5:30/km and 170 spm, flat at 2 m, with
    /// GPS, noise, 12 °C and 1 km auto-laps, on [`DEFAULT_START_MS`].
    fn default() -> RunSpec {
        RunSpec {
            start_ms: DEFAULT_START_MS,
            local_offset_s: Some(DEFAULT_LOCAL_OFFSET_S),
            sport: Sport::Running,
            sub_sport: SubSport::Generic,
            distance_m: 5000.0,
            pace_s_per_km: 330.0,
            cadence_spm: 170.0,
            seed: 1,
            gps: true,
            gps_jitter_m: 0.0,
            origin: DEFAULT_ORIGIN,
            altitude: Altitude::Flat(2.0),
            noise: true,
            temperature_c: Some(12.0),
            auto_lap_m: Some(1000.0),
        }
    }
}

impl RunSpec {
    /// The default spec with another distance and pace.
    pub fn new(distance_m: f64, pace_s_per_km: f64) -> RunSpec {
        RunSpec {
            distance_m,
            pace_s_per_km,
            ..RunSpec::default()
        }
    }

    /// What [`simulate`] takes from this spec, for an out-and-back route
    /// of `route_m` (when the spec records positions) over `altitude`.
    fn sim_config<'a>(
        &self,
        route_m: f64,
        altitude: &'a Altitude,
        auto_lap_m: Option<f64>,
    ) -> SimConfig<'a> {
        SimConfig {
            start_ms: self.start_ms,
            local_offset_s: self.local_offset_s,
            sport: self.sport,
            sub_sport: self.sub_sport,
            seed: self.seed,
            noise: self.noise,
            route: self.gps.then_some(Route::OutAndBack { total_m: route_m }),
            origin: self.origin,
            altitude,
            temperature_c: self.temperature_c,
            auto_lap_m,
        }
    }

    /// `a` with this spec's GPS jitter, if it asks for any.
    fn jittered(&self, a: Activity) -> Activity {
        if self.gps && self.gps_jitter_m > 0.0 {
            with_gps_jitter(a, self.gps_jitter_m, self.seed)
        } else {
            a
        }
    }
}

/// A steady run: `spec.distance_m` out and back along a straight road at
/// `spec.pace_s_per_km`, with the channels the spec asks for, 1 km auto-laps
/// (per `spec.auto_lap_m`) and a watch-like session summary.
pub fn steady_run(spec: &RunSpec) -> Activity {
    let stretch = Stretch::at_pace(spec.distance_m, spec.pace_s_per_km, spec.cadence_spm, true);
    let config = spec.sim_config(spec.distance_m, &spec.altitude, spec.auto_lap_m);
    spec.jittered(simulate(&config, &[stretch]))
}

/// A treadmill-like run measured by a footpod: distance, speed, cadence and
/// heart rate, but no positions and no altitude; sub-sport generic (nothing
/// in the label says "indoor"). Otherwise as [`steady_run`].
pub fn footpod_run(spec: &RunSpec) -> Activity {
    steady_run(&RunSpec {
        gps: false,
        gps_jitter_m: 0.0,
        altitude: Altitude::None,
        sub_sport: SubSport::Generic,
        ..spec.clone()
    })
}

/// A track session on a standard 400 m oval (see [`oval_xy`]), labelled
/// sub-sport *generic*: only the geometry says "track". `warmup_m` at
/// [`EASY_PACE_S_PER_KM`], then `reps` × `rep_m` at `fast_pace_s_per_km`
/// ([`FAST_CADENCE_SPM`]) with `recovery_s` jogs at `recovery_pace_s_per_km`
/// between them, then a cool-down as long as the warm-up. Easy running and
/// jogs at [`EASY_CADENCE_SPM`]. Each part is a lap (lap-button style).
/// Starts at `start_ms` (whole second), [`DEFAULT_LOCAL_OFFSET_S`],
/// [`DEFAULT_ORIGIN`] as the track's centre.
#[allow(clippy::too_many_arguments)]
pub fn track_intervals(
    start_ms: i64,
    reps: u32,
    rep_m: f64,
    fast_pace_s_per_km: f64,
    recovery_s: f64,
    recovery_pace_s_per_km: f64,
    warmup_m: f64,
    seed: u64,
) -> Activity {
    let easy =
        |distance_m: f64, pace: f64| Stretch::at_pace(distance_m, pace, EASY_CADENCE_SPM, true);
    let mut stretches = vec![easy(warmup_m, EASY_PACE_S_PER_KM)];
    for rep in 0..reps {
        if rep > 0 {
            let jog_m = distance_m_in(recovery_s, recovery_pace_s_per_km);
            stretches.push(easy(jog_m, recovery_pace_s_per_km));
        }
        stretches.push(Stretch::at_pace(
            rep_m,
            fast_pace_s_per_km,
            FAST_CADENCE_SPM,
            true,
        ));
    }
    stretches.push(easy(warmup_m, EASY_PACE_S_PER_KM));
    let altitude = Altitude::Flat(TRACK_ALTITUDE_M);
    let config = SimConfig {
        start_ms,
        local_offset_s: Some(DEFAULT_LOCAL_OFFSET_S),
        sport: Sport::Running,
        sub_sport: SubSport::Generic,
        seed,
        noise: true,
        route: Some(Route::Oval),
        origin: DEFAULT_ORIGIN,
        altitude: &altitude,
        temperature_c: Some(14.0),
        auto_lap_m: None,
    };
    simulate(&config, &stretches)
}

/// The workout of a [`road_intervals`] session. Warm-up and cool-down run at
/// the pace and cadence of the [`RunSpec`] it is used with.
#[derive(Debug, Clone, PartialEq)]
pub struct IntervalPlan {
    pub warmup_m: f64,
    pub reps: u32,
    pub rep_m: f64,
    pub rep_pace_s_per_km: f64,
    pub rep_cadence_spm: f64,
    /// Jog recovery between reps (none after the last one).
    pub recovery_s: f64,
    pub recovery_pace_s_per_km: f64,
    pub recovery_cadence_spm: f64,
    pub cooldown_m: f64,
}

/// An interval session on the road: `spec`'s out-and-back route from
/// `spec.origin` (a straight line, never an oval), `plan.warmup_m` at
/// `spec.pace_s_per_km` and `spec.cadence_spm`, then `plan.reps` ×
/// `plan.rep_m` with jog recoveries between them, then the cool-down. Each
/// part is a lap (lap-button style: `spec.auto_lap_m` is not used), and
/// `spec.distance_m` is ignored: the plan decides the distance. Everything
/// else (start, offset, sport and sub-sport, seed, noise, GPS and jitter,
/// altitude, temperature) comes from `spec`, as in [`steady_run`].
pub fn road_intervals(spec: &RunSpec, plan: &IntervalPlan) -> Activity {
    let part = |distance_m: f64, pace: f64, cadence_spm: f64| {
        Stretch::at_pace(distance_m, pace, cadence_spm, true)
    };
    let mut stretches = vec![part(plan.warmup_m, spec.pace_s_per_km, spec.cadence_spm)];
    for rep in 0..plan.reps {
        if rep > 0 {
            let jog_m = distance_m_in(plan.recovery_s, plan.recovery_pace_s_per_km);
            stretches.push(part(
                jog_m,
                plan.recovery_pace_s_per_km,
                plan.recovery_cadence_spm,
            ));
        }
        stretches.push(part(
            plan.rep_m,
            plan.rep_pace_s_per_km,
            plan.rep_cadence_spm,
        ));
    }
    stretches.push(part(plan.cooldown_m, spec.pace_s_per_km, spec.cadence_spm));
    // The route is as long as the parts that are run, so that the runner
    // comes back to the start.
    let total_m: f64 = stretches
        .iter()
        .filter(|s| s.is_run())
        .map(|s| s.distance_m)
        .sum();
    let config = spec.sim_config(total_m, &spec.altitude, None);
    spec.jittered(simulate(&config, &stretches))
}

/// A trail runner's climbs, hiked: see [`hiked_trail`].
#[derive(Debug, Clone, PartialEq)]
pub struct HikePlan {
    /// Number of climb–descent cycles.
    pub climbs: u32,
    /// Route length of each climb (and each descent).
    pub climb_m: f64,
    pub grade_pct: f64,
    pub hike_pace_s_per_km: f64,
    pub hike_cadence_spm: f64,
}

/// A trail run whose climbs are hiked (an ultra runner's power-hiking):
/// `plan.climbs` times, a climb of `plan.climb_m` at `plan.grade_pct`
/// walked at the hiking pace and cadence, then the same descent run at
/// `spec`'s pace and cadence; whatever is left of `spec.distance_m` is run
/// on the flat at the start. Sub-sport trail; `spec.altitude` is replaced
/// by the climbs' profile. Everything else as in [`steady_run`].
pub fn hiked_trail(spec: &RunSpec, plan: &HikePlan) -> Activity {
    let part = |distance_m: f64, pace: f64, cadence_spm: f64| {
        Stretch::at_pace(distance_m, pace, cadence_spm, false)
    };
    let hills_m = 2.0 * plan.climb_m * f64::from(plan.climbs);
    let flat_m = (spec.distance_m - hills_m).max(0.0);
    let rise_m = plan.climb_m * plan.grade_pct / 100.0;
    let mut stretches = vec![part(flat_m, spec.pace_s_per_km, spec.cadence_spm)];
    let mut profile = vec![
        (0.0, GRADE_BASE_ALTITUDE_M),
        (flat_m, GRADE_BASE_ALTITUDE_M),
    ];
    let mut at_m = flat_m;
    for _ in 0..plan.climbs {
        stretches.push(part(
            plan.climb_m,
            plan.hike_pace_s_per_km,
            plan.hike_cadence_spm,
        ));
        stretches.push(part(plan.climb_m, spec.pace_s_per_km, spec.cadence_spm));
        profile.push((at_m + plan.climb_m, GRADE_BASE_ALTITUDE_M + rise_m));
        profile.push((at_m + 2.0 * plan.climb_m, GRADE_BASE_ALTITUDE_M));
        at_m += 2.0 * plan.climb_m;
    }
    let altitude = Altitude::Profile(profile);
    let config = SimConfig {
        sub_sport: SubSport::Trail,
        ..spec.sim_config(flat_m + hills_m, &altitude, spec.auto_lap_m)
    };
    spec.jittered(simulate(&config, &stretches))
}

/// Insert a timer pause of `pause_s` after `at_s` seconds of the activity
/// (both rounded to whole seconds: FIT timer events have 1 s resolution).
/// Samples after the pause point are shifted by `pause_s`, distance continues
/// where it stopped, a [`Pause`] is recorded, the lap holding the pause and
/// the summary's elapsed time grow by `pause_s`; timer time does not change.
/// Returns `a` unchanged when `pause_s` is not positive or no sample comes
/// after `at_s`.
pub fn with_pause(mut a: Activity, at_s: f64, pause_s: f64) -> Activity {
    let pause_ms = (pause_s.round() * 1000.0) as i64;
    let cut_ms = a.start_ms.saturating_add((at_s.round() * 1000.0) as i64);
    if pause_ms <= 0 || !a.samples.iter().any(|s| s.time_ms > cut_ms) {
        return a;
    }
    for s in a.samples.iter_mut().filter(|s| s.time_ms > cut_ms) {
        s.time_ms = s.time_ms.saturating_add(pause_ms);
    }
    for p in a.pauses.iter_mut().filter(|p| p.start_ms > cut_ms) {
        p.start_ms = p.start_ms.saturating_add(pause_ms);
        p.end_ms = p.end_ms.saturating_add(pause_ms);
    }
    a.pauses.push(Pause {
        start_ms: cut_ms,
        end_ms: cut_ms.saturating_add(pause_ms),
    });
    a.pauses.sort_by_key(|p| p.start_ms);
    let added_s = pause_ms as f64 / 1000.0;
    for lap in &mut a.laps {
        if lap.start_ms > cut_ms {
            lap.start_ms = lap.start_ms.saturating_add(pause_ms);
        } else if let Some(elapsed) = lap.elapsed_s.as_mut() {
            let end_ms = lap
                .start_ms
                .saturating_add((*elapsed * 1000.0).round() as i64);
            if end_ms > cut_ms {
                *elapsed += added_s;
            }
        }
    }
    if let Some(elapsed) = a.summary.total_elapsed_s.as_mut() {
        *elapsed += added_s;
    }
    a
}

/// Add correlated GPS error to every positioned sample: a random walk per
/// axis, pulled back towards the route and kept within ±`jitter_m` metres.
/// Distance, speed and the other channels are untouched (they come from the
/// watch's filtered track or a footpod).
pub fn with_gps_jitter(mut a: Activity, jitter_m: f64, seed: u64) -> Activity {
    if !(jitter_m.is_finite() && jitter_m > 0.0) {
        return a;
    }
    let mut rng = SimRng::new(seed ^ 0x6A09_E667_F3BC_C908);
    let (mut east, mut north) = (0.0_f64, 0.0_f64);
    for s in &mut a.samples {
        let (Some(lat), Some(lon)) = (s.lat_deg, s.lon_deg) else {
            continue;
        };
        east = (0.9 * east + rng.uniform(-0.3, 0.3) * jitter_m).clamp(-jitter_m, jitter_m);
        north = (0.9 * north + rng.uniform(-0.3, 0.3) * jitter_m).clamp(-jitter_m, jitter_m);
        let (jlat, jlon) = project((lat, lon), east, north);
        s.lat_deg = Some(jlat);
        s.lon_deg = Some(jlon);
    }
    a
}

/// A point of the running line of lane 1 of a standard 400 m track,
/// `distance_m` along it (any distance: laps repeat), in metres east and
/// north of the track's centre. Counter-clockwise, starting at the beginning
/// of the back straight; straights [`TRACK_STRAIGHT_M`], bends of radius
/// [`TRACK_RADIUS_M`], the straights 20° from east.
pub fn oval_xy(distance_m: f64) -> (f64, f64) {
    use std::f64::consts::PI;
    let (l, r) = (TRACK_STRAIGHT_M, TRACK_RADIUS_M);
    let bend = PI * r;
    let s = distance_m.rem_euclid(TRACK_LAP_M);
    // (along the straights, across them), centre of the track at (0, 0).
    let (u, v) = if s < l {
        (-l / 2.0 + s, -r)
    } else if s < l + bend {
        let theta = -PI / 2.0 + (s - l) / r;
        (l / 2.0 + r * theta.cos(), r * theta.sin())
    } else if s < 2.0 * l + bend {
        (l / 2.0 - (s - l - bend), r)
    } else {
        let theta = PI / 2.0 + (s - 2.0 * l - bend) / r;
        (-l / 2.0 + r * theta.cos(), r * theta.sin())
    };
    let (sin, cos) = TRACK_ANGLE_DEG.to_radians().sin_cos();
    (u * cos - v * sin, u * sin + v * cos)
}

/// `origin` moved `east_m` and `north_m` on a local flat earth.
pub fn project(origin: (f64, f64), east_m: f64, north_m: f64) -> (f64, f64) {
    let lat = origin.0 + (north_m / EARTH_RADIUS_M).to_degrees();
    let lon = origin.1 + (east_m / (EARTH_RADIUS_M * lat.to_radians().cos())).to_degrees();
    (lat, lon)
}

/// Metres east and north of `origin` (the inverse of [`project`]).
pub fn unproject(origin: (f64, f64), lat: f64, lon: f64) -> (f64, f64) {
    let north = (lat - origin.0).to_radians() * EARTH_RADIUS_M;
    let east = (lon - origin.1).to_radians() * EARTH_RADIUS_M * lat.to_radians().cos();
    (east, north)
}

/// The shape the positions follow, in metres from the origin.
#[derive(Debug, Clone, Copy)]
enum Route {
    /// Straight out for half the distance, straight back.
    OutAndBack { total_m: f64 },
    /// Laps of [`oval_xy`] around the origin.
    Oval,
}

impl Route {
    fn xy(self, distance_m: f64) -> (f64, f64) {
        match self {
            Route::OutAndBack { total_m } => {
                let along = if distance_m <= total_m / 2.0 {
                    distance_m
                } else {
                    total_m - distance_m
                };
                let (sin, cos) = OUT_AND_BACK_ANGLE_DEG.to_radians().sin_cos();
                (along * cos, along * sin)
            }
            Route::Oval => oval_xy(distance_m),
        }
    }
}

/// A part of a run at constant speed and cadence.
#[derive(Debug, Clone, Copy)]
struct Stretch {
    distance_m: f64,
    speed_m_per_s: f64,
    cadence_spm: f64,
    /// This stretch starts a new lap.
    new_lap: bool,
}

impl Stretch {
    /// `distance_m` at `pace_s_per_km`: runs are planned in paces, samples
    /// carry speeds.
    fn at_pace(distance_m: f64, pace_s_per_km: f64, cadence_spm: f64, new_lap: bool) -> Stretch {
        Stretch {
            distance_m,
            speed_m_per_s: speed_m_per_s(pace_s_per_km),
            cadence_spm,
            new_lap,
        }
    }

    /// A stretch with a finite, positive length and speed; [`simulate`]
    /// drops the others (a pace of 0 or a negative distance).
    fn is_run(&self) -> bool {
        self.distance_m.is_finite()
            && self.distance_m > 0.0
            && self.speed_m_per_s.is_finite()
            && self.speed_m_per_s > 0.0
    }
}

/// Everything [`simulate`] needs besides the stretches.
struct SimConfig<'a> {
    start_ms: i64,
    local_offset_s: Option<i32>,
    sport: Sport,
    sub_sport: SubSport,
    seed: u64,
    noise: bool,
    route: Option<Route>,
    origin: (f64, f64),
    altitude: &'a Altitude,
    temperature_c: Option<f64>,
    auto_lap_m: Option<f64>,
}

/// Sample the stretches at 1 Hz into an activity with laps and summary.
fn simulate(config: &SimConfig<'_>, stretches: &[Stretch]) -> Activity {
    let start_ms = config.start_ms.div_euclid(1000) * 1000;
    let stretches: Vec<Stretch> = stretches.iter().copied().filter(Stretch::is_run).collect();
    // (start time s, start distance m) of each stretch.
    let mut starts = Vec::with_capacity(stretches.len());
    let (mut total_s, mut total_m) = (0.0, 0.0);
    for s in &stretches {
        starts.push((total_s, total_m));
        total_s += s.distance_m / s.speed_m_per_s;
        total_m += s.distance_m;
    }
    let last = (total_s - 1e-9).ceil().max(0.0) as usize;

    let mut rng = SimRng::new(config.seed);
    let mut heart_rate = START_HEART_RATE_BPM;
    let hr_step = 1.0 - (-1.0 / HEART_RATE_TAU_S).exp();
    let mut samples = Vec::with_capacity(last + 1);
    let mut k = 0usize;
    for i in 0..=last {
        let t = (i as f64).min(total_s);
        while k + 1 < stretches.len() && starts.get(k + 1).is_some_and(|&(t0, _)| t >= t0) {
            k += 1;
        }
        let (distance, stretch) = match (stretches.get(k), starts.get(k)) {
            (Some(s), Some(&(t0, d0))) if i < last => {
                ((d0 + (t - t0) * s.speed_m_per_s).min(total_m), Some(*s))
            }
            (s, _) => (total_m, s.copied()),
        };
        let speed = stretch.map_or(0.0, |s| s.speed_m_per_s);
        let cadence = stretch.map_or(0.0, |s| s.cadence_spm);

        let target = 40.0 + 28.0 * speed + HEART_RATE_DRIFT_BPM_PER_MIN * t / 60.0;
        heart_rate += (target - heart_rate) * hr_step;
        let (speed_noise, cadence_noise, hr_noise) = if config.noise {
            (
                rng.uniform(-0.015, 0.015),
                rng.uniform(-2.0, 2.0),
                rng.uniform(-1.0, 1.0),
            )
        } else {
            (0.0, 0.0, 0.0)
        };

        let mut sample = Sample::at(start_ms + i as i64 * 1000);
        if let Some(route) = config.route {
            let (east, north) = route.xy(distance);
            let (lat, lon) = project(config.origin, east, north);
            sample.lat_deg = Some(lat);
            sample.lon_deg = Some(lon);
        }
        sample.distance_m = Some(distance);
        sample.speed_m_per_s = Some((speed * (1.0 + speed_noise)) as f32);
        sample.altitude_m = config.altitude.at(distance).map(|a| a as f32);
        sample.cadence_spm = (cadence > 0.0).then_some((cadence + cadence_noise) as f32);
        sample.heart_rate_bpm = Some((heart_rate + hr_noise).round() as f32);
        sample.temperature_c = config.temperature_c.map(|c| c.round() as f32);
        samples.push(sample);
    }

    // Lap boundaries: stretch starts marked as laps, and auto-laps.
    let mut boundaries: Vec<f64> = stretches
        .iter()
        .zip(&starts)
        .filter(|(s, _)| s.new_lap)
        .map(|(_, &(t0, _))| t0)
        .collect();
    if let Some(lap_m) = config.auto_lap_m.filter(|m| m.is_finite() && *m > 0.0) {
        let mut mark = lap_m;
        while mark < total_m {
            if let Some((s, &(t0, d0))) = stretches
                .iter()
                .zip(&starts)
                .find(|(s, (_, d0))| mark < d0 + s.distance_m)
            {
                boundaries.push(t0 + (mark - d0) / s.speed_m_per_s);
            }
            mark += lap_m;
        }
    }
    let mut lap_starts: Vec<usize> = boundaries
        .iter()
        .map(|t| (t - 1e-9).ceil().max(0.0) as usize)
        .filter(|&i| i < last)
        .chain([0])
        .collect();
    lap_starts.sort_unstable();
    lap_starts.dedup();
    let laps = lap_starts
        .iter()
        .enumerate()
        .filter_map(|(j, &from)| {
            let to = lap_starts.get(j + 1).copied().unwrap_or(last);
            let (a, b) = (samples.get(from)?, samples.get(to)?);
            let elapsed_s = (b.time_ms - a.time_ms) as f64 / 1000.0;
            Some(Lap {
                start_ms: a.time_ms,
                elapsed_s: Some(elapsed_s),
                timer_s: Some(elapsed_s),
                distance_m: Some(b.distance_m.unwrap_or(0.0) - a.distance_m.unwrap_or(0.0)),
            })
        })
        .collect();

    let mut a = Activity::new(config.sport, start_ms);
    a.sub_sport = config.sub_sport;
    a.sport_label = sport_label(config.sport, config.sub_sport);
    a.local_offset_s = config.local_offset_s;
    a.summary = watch_summary(&samples, last as f64);
    a.samples = samples;
    a.laps = laps;
    a
}

/// The session summary a watch would write for these samples.
fn watch_summary(samples: &[Sample], elapsed_s: f64) -> DeviceSummary {
    let mean = |values: Vec<f64>| {
        (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
    };
    let altitudes: Vec<f64> = samples
        .iter()
        .filter_map(|s| s.altitude_m.map(f64::from))
        .collect();
    let (mut ascent, mut descent) = (0.0, 0.0);
    for pair in altitudes.windows(2) {
        if let [a, b] = *pair {
            if b > a {
                ascent += b - a;
            } else {
                descent += a - b;
            }
        }
    }
    let has_altitude = !altitudes.is_empty();
    DeviceSummary {
        total_distance_m: samples.iter().rev().find_map(|s| s.distance_m),
        total_timer_s: Some(elapsed_s),
        total_elapsed_s: Some(elapsed_s),
        total_ascent_m: has_altitude.then_some(ascent),
        total_descent_m: has_altitude.then_some(descent),
        avg_cadence_spm: mean(
            samples
                .iter()
                .filter_map(|s| s.cadence_spm.map(f64::from))
                .collect(),
        ),
        avg_heart_rate_bpm: mean(
            samples
                .iter()
                .filter_map(|s| s.heart_rate_bpm.map(f64::from))
                .collect(),
        )
        .map(f64::round),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::activity::{haversine_m, moving_track_length_m, track_length_m};

    fn within(value: f64, want: f64, fraction: f64) -> bool {
        (value - want).abs() <= want.abs() * fraction
    }

    /// An out-and-back run: its last position is its first.
    fn assert_ends_where_it_started(a: &Activity) {
        let (first, last) = (a.samples[0], *a.samples.last().unwrap());
        let home = haversine_m(
            first.lat_deg.unwrap(),
            first.lon_deg.unwrap(),
            last.lat_deg.unwrap(),
            last.lon_deg.unwrap(),
        );
        assert!(home < 0.01, "{home}");
    }

    #[test]
    fn rng_is_deterministic_and_in_range() {
        let mut a = SimRng::new(42);
        let mut b = SimRng::new(42);
        for _ in 0..1000 {
            let x = a.uniform(-2.0, 2.0);
            assert_eq!(x, b.uniform(-2.0, 2.0));
            assert!((-2.0..2.0).contains(&x));
        }
        assert_ne!(SimRng::new(1).next_u64(), SimRng::new(2).next_u64());
    }

    #[test]
    fn steady_run_has_the_asked_distance_and_duration() {
        let spec = RunSpec::new(10_000.0, 300.0);
        let a = steady_run(&spec);
        assert_eq!(a.samples.len(), 3001);
        assert_eq!(a.start_ms, DEFAULT_START_MS);
        assert!(within(a.elapsed_s(), 3000.0, 0.005));
        assert_eq!(a.samples.last().unwrap().distance_m, Some(10_000.0));
        assert!(within(a.distance_m(), 10_000.0, 0.005));
        assert!(within(track_length_m(&a.samples), 10_000.0, 0.005));
        assert_eq!(a.summary.total_timer_s, Some(3000.0));
        assert_eq!(a.summary.total_elapsed_s, Some(3000.0));
        assert!(within(a.summary.avg_cadence_spm.unwrap(), 170.0, 0.005));
        // 1 Hz, whole seconds, cumulative distance never goes back.
        for pair in a.samples.windows(2) {
            assert_eq!(pair[1].time_ms - pair[0].time_ms, 1000);
            assert!(pair[1].distance_m >= pair[0].distance_m);
        }
        assert_ends_where_it_started(&a);
        // Ten 1 km auto-laps covering the whole run.
        assert_eq!(a.laps.len(), 10);
        let lap_sum: f64 = a.laps.iter().map(|l| l.distance_m.unwrap()).sum();
        assert!((lap_sum - 10_000.0).abs() < 1e-6);
        for lap in &a.laps {
            assert!((lap.distance_m.unwrap() - 1000.0).abs() <= 3.34, "{lap:?}");
        }
        // Heart rate settles near the steady-state value for 3.33 m/s.
        let hr = a.samples[1500].heart_rate_bpm.unwrap();
        assert!((125.0..140.0).contains(&hr), "{hr}");
    }

    #[test]
    fn noise_is_mild_and_seeded() {
        let spec = RunSpec::default();
        let a = steady_run(&spec);
        assert_eq!(a, steady_run(&spec), "same seed, same run");
        let other = steady_run(&RunSpec { seed: 2, ..spec });
        assert_ne!(a.samples, other.samples);
        for s in &a.samples {
            let c = s.cadence_spm.unwrap();
            assert!((168.0..=172.0).contains(&c), "{c}");
        }
        let quiet = steady_run(&RunSpec {
            noise: false,
            ..RunSpec::default()
        });
        assert!(quiet.samples.iter().all(|s| s.cadence_spm == Some(170.0)));
    }

    #[test]
    fn gps_jitter_stays_within_bounds() {
        let exact = steady_run(&RunSpec::default());
        let jittered = steady_run(&RunSpec {
            gps_jitter_m: 2.0,
            ..RunSpec::default()
        });
        let mut max = 0.0_f64;
        for (a, b) in exact.samples.iter().zip(&jittered.samples) {
            let d = haversine_m(
                a.lat_deg.unwrap(),
                a.lon_deg.unwrap(),
                b.lat_deg.unwrap(),
                b.lon_deg.unwrap(),
            );
            max = max.max(d);
            assert_eq!(a.distance_m, b.distance_m);
        }
        assert!(max > 0.5 && max <= 2.0 * 2f64.sqrt() + 1e-6, "{max}");
    }

    #[test]
    fn altitude_profiles() {
        let grade = Altitude::Grade {
            percent: 6.0,
            segment_m: 400.0,
        };
        assert_eq!(grade.at(0.0), Some(10.0));
        assert!((grade.at(400.0).unwrap() - 34.0).abs() < 1e-9);
        assert!((grade.at(600.0).unwrap() - 22.0).abs() < 1e-9);
        assert!((grade.at(800.0).unwrap() - 10.0).abs() < 1e-9);
        let profile = Altitude::Profile(vec![(0.0, 5.0), (1000.0, 55.0), (2000.0, 5.0)]);
        assert_eq!(profile.at(-10.0), Some(5.0));
        assert_eq!(profile.at(500.0), Some(30.0));
        assert_eq!(profile.at(1500.0), Some(30.0));
        assert_eq!(profile.at(5000.0), Some(5.0));
        assert_eq!(Altitude::Profile(Vec::new()).at(1.0), None);
        assert_eq!(Altitude::None.at(1.0), None);

        // 5 km of 6 % repeats over 400 m: 6 full climbs of 24 m and a
        // quarter-cycle (200 m climbing, 12 m).
        let a = steady_run(&RunSpec {
            altitude: grade,
            ..RunSpec::default()
        });
        let ascent = a.summary.total_ascent_m.unwrap();
        assert!((ascent - 156.0).abs() < 1.5, "{ascent}");
        let descent = a.summary.total_descent_m.unwrap();
        assert!((descent - 144.0).abs() < 1.5, "{descent}");
    }

    #[test]
    fn the_oval_is_a_400_m_track() {
        assert!((TRACK_LAP_M - 400.0).abs() < 0.01, "{TRACK_LAP_M}");
        // Walk the running line in 1 cm steps.
        let mut length = 0.0;
        let mut prev = oval_xy(0.0);
        for i in 1..=40_000 {
            let p = oval_xy(i as f64 * TRACK_LAP_M / 40_000.0);
            length += ((p.0 - prev.0).powi(2) + (p.1 - prev.1).powi(2)).sqrt();
            prev = p;
        }
        assert!((length - 400.0).abs() < 0.01, "{length}");
        let (a, b) = (oval_xy(0.0), oval_xy(TRACK_LAP_M));
        assert!((a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9);
        // Every point is 36.8 m from the axis of the straights or on a bend.
        let (sin, cos) = TRACK_ANGLE_DEG.to_radians().sin_cos();
        for i in 0..400 {
            let (x, y) = oval_xy(i as f64);
            let (u, v) = (x * cos + y * sin, -x * sin + y * cos);
            let off_axis = if u.abs() <= TRACK_STRAIGHT_M / 2.0 {
                v.abs()
            } else {
                (u.abs() - TRACK_STRAIGHT_M / 2.0).hypot(v)
            };
            assert!((off_axis - TRACK_RADIUS_M).abs() < 1e-9, "{i}: {u} {v}");
        }
    }

    #[test]
    fn track_intervals_run_laps_of_the_oval() {
        let a = track_intervals(DEFAULT_START_MS, 6, 800.0, 200.0, 120.0, 450.0, 2000.0, 3);
        let jog_m = 120.0 * 1000.0 / 450.0;
        let want_m = 2.0 * 2000.0 + 6.0 * 800.0 + 5.0 * jog_m;
        let want_s = 2.0 * 2000.0 * 0.36 + 6.0 * 800.0 * 0.2 + 5.0 * 120.0;
        assert!(within(a.distance_m(), want_m, 0.005));
        assert!(within(a.elapsed_s(), want_s, 0.005));
        assert_eq!(a.sub_sport, SubSport::Generic);
        // Warm-up, 6 reps, 5 jogs, cool-down.
        assert_eq!(a.laps.len(), 13);
        for (j, lap) in a.laps.iter().enumerate() {
            let (from, to) = (
                lap.start_ms,
                lap.start_ms + (lap.elapsed_s.unwrap() * 1000.0) as i64,
            );
            let cadences: Vec<f64> = a
                .samples
                .iter()
                .filter(|s| s.time_ms > from && s.time_ms < to)
                .filter_map(|s| s.cadence_spm.map(f64::from))
                .collect();
            let mean = cadences.iter().sum::<f64>() / cadences.len() as f64;
            let fast = j % 2 == 1 && j < 12;
            let want = if fast {
                FAST_CADENCE_SPM
            } else {
                EASY_CADENCE_SPM
            };
            assert!((mean - want).abs() < 1.0, "lap {j}: {mean}");
            if fast {
                assert!((lap.distance_m.unwrap() - 800.0).abs() < 5.1, "{lap:?}");
            }
        }
        // The GPS track is the distance, and every lap of it is 400 m of
        // track that comes back to where it began.
        assert!(within(track_length_m(&a.samples), want_m, 0.005));
        let mut checked = 0;
        for (i, s) in a.samples.iter().enumerate().step_by(97) {
            let d0 = s.distance_m.unwrap();
            let Some(j) = a.samples[i..]
                .iter()
                .position(|t| t.distance_m.unwrap() >= d0 + TRACK_LAP_M)
            else {
                break;
            };
            let lap = &a.samples[i..=i + j];
            let dd = lap.last().unwrap().distance_m.unwrap() - d0;
            assert!(within(track_length_m(lap), dd, 0.005));
            let e = lap.last().unwrap();
            let gap = haversine_m(
                s.lat_deg.unwrap(),
                s.lon_deg.unwrap(),
                e.lat_deg.unwrap(),
                e.lon_deg.unwrap(),
            );
            assert!(gap <= dd - TRACK_LAP_M + 1e-3, "{gap} {dd}");
            checked += 1;
        }
        assert!(checked > 20);
        // All positions on the oval around the origin.
        for s in &a.samples {
            let (x, y) = unproject(DEFAULT_ORIGIN, s.lat_deg.unwrap(), s.lon_deg.unwrap());
            let (want_x, want_y) = oval_xy(s.distance_m.unwrap());
            assert!((x - want_x).hypot(y - want_y) < 0.01);
        }
    }

    #[test]
    fn road_intervals_run_out_and_back_with_a_lap_per_part() {
        let plan = IntervalPlan {
            warmup_m: 2000.0,
            reps: 5,
            rep_m: 1000.0,
            rep_pace_s_per_km: 240.0,
            rep_cadence_spm: 184.0,
            recovery_s: 90.0,
            recovery_pace_s_per_km: 450.0,
            recovery_cadence_spm: 160.0,
            cooldown_m: 1500.0,
        };
        let spec = RunSpec::new(1.0, 360.0);
        let a = road_intervals(&spec, &plan);
        let jog_m = 90.0 * 1000.0 / 450.0;
        let want_m = 3500.0 + 5000.0 + 4.0 * jog_m;
        let want_s = 3500.0 * 0.36 + 5000.0 * 0.24 + 4.0 * 90.0;
        assert!(within(a.distance_m(), want_m, 0.005));
        assert!(within(a.elapsed_s(), want_s, 0.005));
        assert_eq!(a.sub_sport, SubSport::Generic);
        // Warm-up, 5 reps, 4 jogs, cool-down.
        assert_eq!(a.laps.len(), 11);
        for lap in a.laps.iter().skip(1).step_by(2).take(5) {
            assert!((lap.distance_m.unwrap() - 1000.0).abs() < 5.0, "{lap:?}");
        }
        // A straight line out and back: home at the end, every point on
        // the line from the origin.
        assert_ends_where_it_started(&a);
        let (sin, cos) = OUT_AND_BACK_ANGLE_DEG.to_radians().sin_cos();
        for s in &a.samples {
            let (x, y) = unproject(DEFAULT_ORIGIN, s.lat_deg.unwrap(), s.lon_deg.unwrap());
            assert!((-x * sin + y * cos).abs() < 0.01, "{x} {y}");
        }
    }

    #[test]
    fn footpod_run_has_no_positions() {
        let spec = RunSpec {
            sub_sport: SubSport::Treadmill,
            altitude: Altitude::Grade {
                percent: 3.0,
                segment_m: 100.0,
            },
            ..RunSpec::new(8000.0, 315.0)
        };
        let a = footpod_run(&spec);
        let c = a.channels();
        assert!(!c.gps && !c.altitude);
        assert!(c.distance && c.cadence && c.heart_rate);
        assert!(a.samples.iter().all(|s| s.speed_m_per_s.is_some()));
        assert_eq!(a.sub_sport, SubSport::Generic);
        assert_eq!(a.summary.total_ascent_m, None);
        assert!(within(a.distance_m(), 8000.0, 0.005));
        assert!(within(a.elapsed_s(), 8.0 * 315.0, 0.005));
    }

    #[test]
    fn a_pause_is_elapsed_but_not_timer_time() {
        let plain = steady_run(&RunSpec::default());
        let a = with_pause(plain.clone(), 600.0, 95.0);
        assert_eq!(a.samples.len(), plain.samples.len());
        assert_eq!(
            a.pauses,
            vec![Pause {
                start_ms: DEFAULT_START_MS + 600_000,
                end_ms: DEFAULT_START_MS + 695_000,
            }]
        );
        let s = a.summary;
        assert_eq!(s.total_elapsed_s.unwrap() - s.total_timer_s.unwrap(), 95.0);
        assert_eq!(a.elapsed_s() - plain.elapsed_s(), 95.0);
        // Samples stop at the pause and go on one second after it, with the
        // distance where it stopped.
        let before = a.samples[600];
        let after = a.samples[601];
        assert_eq!(before.time_ms, DEFAULT_START_MS + 600_000);
        assert_eq!(after.time_ms, DEFAULT_START_MS + 696_000);
        assert_eq!(after.distance_m, plain.samples[601].distance_m);
        // Laps still tile the run; the one holding the pause is longer.
        let lap_elapsed: f64 = a.laps.iter().map(|l| l.elapsed_s.unwrap()).sum();
        assert_eq!(lap_elapsed, s.total_elapsed_s.unwrap());
        let lap_timer: f64 = a.laps.iter().map(|l| l.timer_s.unwrap()).sum();
        assert_eq!(lap_timer, s.total_timer_s.unwrap());
        for pair in a.laps.windows(2) {
            let end = pair[0].start_ms + (pair[0].elapsed_s.unwrap() * 1000.0) as i64;
            assert_eq!(end, pair[1].start_ms);
        }
        // The standing still does not add GPS distance.
        assert!(within(
            moving_track_length_m(&a.samples, &a.pauses),
            5000.0,
            0.005
        ));
        // Nothing to pause after the end, or for no time.
        assert_eq!(with_pause(plain.clone(), 1e6, 10.0), plain);
        assert_eq!(with_pause(plain.clone(), 100.0, 0.0), plain);
    }
}
