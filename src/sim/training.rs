//! Training weeks: a deterministic runner who runs scripted weeks, for
//! scenario tests of the alert rules (RULES.md), benchmarks and the
//! `tendonwatch demo` command.
//!
//! A [`Runner`] has a schedule (weekdays, start hour, UTC offset) and habits
//! (easy pace, cadence, weekly distance, share of the long run). A [`Week`]
//! says what each scheduled run is ([`Event`]); [`simulate`] turns weeks into
//! [`Activity`] values, each a complete watch recording (1 Hz samples, laps,
//! device summary) that [`encode`](crate::sim::fit_writer::encode) writes as
//! FIT bytes. [`on_day`] scripts one extra run.
//!
//! Everything is a pure function of its arguments: the same runner and weeks
//! give the same activities, bit for bit. Each run draws its own seed from
//! the runner's seed and its day, so adding a run on one day changes no
//! other run.
//!
//! The runner's normal running stays below every rule's threshold: runs at
//! the runner's own pace (± [`PACE_NOISE`]) and cadence, flat at
//! [`FLAT_ALTITUDE_M`] (no climb at all), no fast segments, positions on a
//! straight out-and-back road from the runner's origin (surface unknown, as
//! a generic watch file says nothing more). Each [`Event`] other than
//! [`Event::Easy`] and [`Event::Long`] changes one thing, so that a scenario
//! triggers exactly the rule it is about.

use crate::activity::{Activity, Sport, SubSport};
use crate::metrics::pace::distance_m_in;
use crate::sim::runs::{
    self, Altitude, IntervalPlan, RunSpec, SimRng, footpod_run, road_intervals, steady_run,
};

/// Monday 2026-01-05 00:00 at UTC+01:00, as UTC ms (2026-01-04T23:00:00Z).
pub const DEFAULT_WEEK1_MS: i64 = 1_767_567_600_000;
/// Altitude of the runner's flat runs.
pub const FLAT_ALTITUDE_M: f64 = 5.0;
/// Largest relative deviation of a run's pace from the runner's easy pace
/// (seeded, per run): far below the 10 % of `speed_intro`.
pub const PACE_NOISE: f64 = 0.01;
/// Warm-up and cool-down of interval sessions, each.
pub const WARMUP_M: f64 = 2000.0;
/// Jog recoveries between reps run this much slower than easy pace.
pub const RECOVERY_PACE_FACTOR: f64 = 1.2;
/// Cadence rises with speed: cadence ∝ speed^this (≈ +6 % for +20 %
/// speed), for runs at a pace other than the runner's easy pace.
pub const CADENCE_SPEED_EXPONENT: f64 = 0.3;
/// Preferred length of one climb (and one descent) of [`Event::Hilly`].
pub const HILL_SEGMENT_M: f64 = 500.0;
/// Length of each hiked climb of [`Event::HikedTrail`] (and of its descent).
pub const HIKE_CLIMB_M: f64 = 1000.0;
/// Grade of those climbs: steep enough that a trail runner walks.
pub const HIKE_GRADE_PCT: f64 = 12.0;
/// Power-hiking pace on those climbs (13:00/km).
pub const HIKE_PACE_S_PER_KM: f64 = 780.0;
/// Temperature of every simulated run.
pub const TEMPERATURE_C: f64 = 12.0;

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: f64 = 3_600_000.0;

/// A runner's schedule and habits.
#[derive(Debug, Clone, PartialEq)]
pub struct Runner {
    /// Monday 00:00 local time of week 1, as UTC ms (see
    /// [`Runner::start_of`]).
    pub start_ms: i64,
    /// The runner's UTC offset, written to every activity.
    pub local_offset_s: i32,
    /// Runs per week: the first `runs_per_week` of `weekdays` are used.
    pub runs_per_week: u32,
    /// Days with a run, 0 = Monday … 6 = Sunday, in order; as many as
    /// `runs_per_week`.
    pub weekdays: Vec<u32>,
    /// Local start hour of every run (7.5 = 07:30).
    pub start_hour_local: f64,
    pub easy_pace_s_per_km: f64,
    /// Steps per minute at easy pace.
    pub cadence_spm: f64,
    pub weekly_km: f64,
    /// Share of the weekly distance run in the long run, on the last
    /// scheduled weekday.
    pub long_run_share: f64,
    /// (latitude, longitude) where every run starts, degrees.
    pub origin: (f64, f64),
    pub seed: u64,
}

impl Default for Runner {
    /// Three runs a week (Tuesday, Thursday, Sunday) at 07:00 at UTC+01:00,
    /// easy 6:00/km at 168 spm, 24 km a week with a 40 % long run, flat at
    /// 5 m from 52.0° N 5.0° E; week 1 starts Monday 2026-01-05.
    fn default() -> Runner {
        Runner {
            start_ms: DEFAULT_WEEK1_MS,
            local_offset_s: 3600,
            runs_per_week: 3,
            weekdays: vec![1, 3, 6],
            start_hour_local: 7.0,
            easy_pace_s_per_km: 360.0,
            cadence_spm: 168.0,
            weekly_km: 24.0,
            long_run_share: 0.4,
            origin: runs::DEFAULT_ORIGIN,
            seed: 1,
        }
    }
}

impl Runner {
    /// The scheduled weekdays: the first `runs_per_week` of `weekdays`.
    pub fn run_days(&self) -> &[u32] {
        let n = (self.runs_per_week as usize).min(self.weekdays.len());
        self.weekdays.get(..n).unwrap_or(&self.weekdays)
    }

    /// Pace of the jog recoveries between reps ([`RECOVERY_PACE_FACTOR`] ×
    /// easy pace).
    pub fn recovery_pace_s_per_km(&self) -> f64 {
        self.easy_pace_s_per_km * RECOVERY_PACE_FACTOR
    }

    /// Cadence at `pace_s_per_km`: the runner's cadence at easy pace, scaled
    /// by speed^[`CADENCE_SPEED_EXPONENT`].
    pub fn cadence_at(&self, pace_s_per_km: f64) -> f64 {
        let ratio = self.easy_pace_s_per_km / pace_s_per_km;
        if ratio.is_finite() && ratio > 0.0 {
            self.cadence_spm * ratio.powf(CADENCE_SPEED_EXPONENT)
        } else {
            self.cadence_spm
        }
    }

    /// Start of a run in week `week` (0 = week 1) on `weekday` (0 = Monday;
    /// 7 and above spill into the following weeks) at `start_hour_local`,
    /// converted to UTC with `local_offset_s`: UTC ms, whole second. Week 1
    /// begins at the local midnight nearest to `start_ms`, so that changing
    /// `local_offset_s` alone (by less than 12 h) keeps the runs at
    /// `start_hour_local` on the same local days. No daylight saving: the
    /// offset is fixed.
    pub fn start_of(&self, week: usize, weekday: u32) -> i64 {
        let offset_ms = i64::from(self.local_offset_s) * 1000;
        let local_ms = self.start_ms.saturating_add(offset_ms);
        let monday_local_ms = local_ms.saturating_add(DAY_MS / 2).div_euclid(DAY_MS) * DAY_MS;
        let days = (week as i64)
            .saturating_mul(7)
            .saturating_add(i64::from(weekday));
        let ms = monday_local_ms
            .saturating_add(days.saturating_mul(DAY_MS))
            .saturating_add((self.start_hour_local * HOUR_MS).round() as i64)
            .saturating_sub(offset_ms);
        ms.div_euclid(1000) * 1000
    }
}

/// What one scripted run is. Distances in km; every run starts at the
/// runner's start hour from the runner's origin (but [`Event::InArea`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Flat easy run at the runner's easy pace (± [`PACE_NOISE`]) and
    /// cadence: no climb, no intervals, surface unknown.
    Easy { km: f64 },
    /// The long run: as [`Event::Easy`], longer.
    Long { km: f64 },
    /// An easy run over rolling hills ([`Altitude::Grade`]): half the
    /// distance climbs, so `climb_m_per_km` needs a grade of
    /// `climb_m_per_km / 5` %. Climbs of about [`HILL_SEGMENT_M`], a whole
    /// number of hills.
    Hilly { km: f64, climb_m_per_km: f64 },
    /// Intervals on the road ([`runs::road_intervals`]): [`WARMUP_M`] easy,
    /// `reps` × `rep_m` at `rep_pace_s_per_km` with `recovery_s` jogs at
    /// [`RECOVERY_PACE_FACTOR`] × easy pace, [`WARMUP_M`] easy. Sub-sport
    /// generic, a straight out-and-back route: not a track.
    Intervals {
        reps: u32,
        rep_m: f64,
        rep_pace_s_per_km: f64,
        recovery_s: f64,
    },
    /// The same session on a 400 m track ([`runs::track_intervals`]),
    /// centred on the runner's origin; sub-sport generic, only the oval
    /// says "track".
    Track {
        reps: u32,
        rep_m: f64,
        rep_pace_s_per_km: f64,
        recovery_s: f64,
    },
    /// An easy run labelled sub-sport trail; flat, so only the surface
    /// changes.
    Trail { km: f64 },
    /// An easy run on a treadmill ([`runs::footpod_run`]): no positions, no
    /// altitude, sub-sport generic.
    Treadmill { km: f64 },
    /// An easy run starting at `origin` instead of the runner's origin. The
    /// route goes `km / 2` straight out (30° north of east) and back: see
    /// [`area_around`] for a polygon that holds it.
    InArea { km: f64, origin: (f64, f64) },
    /// A flat steady run at `pace_s_per_km`, cadence per
    /// [`Runner::cadence_at`].
    Faster { km: f64, pace_s_per_km: f64 },
    /// An easy run at the same pace with cadence `cadence_drop_pct` percent
    /// lower: longer strides.
    LowCadence { km: f64, cadence_drop_pct: f64 },
    /// A trail run of `climbs` climbs of [`HIKE_CLIMB_M`] at
    /// [`HIKE_GRADE_PCT`], each hiked at [`HIKE_PACE_S_PER_KM`] and
    /// `hike_cadence_spm`, then run down at easy pace; the rest of `km` run
    /// flat first ([`runs::hiked_trail`]). Running parts at the runner's
    /// cadence less `cadence_drop_pct` percent.
    HikedTrail {
        km: f64,
        climbs: u32,
        hike_cadence_spm: f64,
        cadence_drop_pct: f64,
    },
    /// No run that day.
    Rest,
}

/// One week: an [`Event`] per scheduled weekday of the runner
/// ([`Runner::run_days`]), in order. Events beyond the scheduled days are
/// not run (use [`on_day`] for extra runs).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Week {
    pub runs: Vec<Event>,
}

impl Week {
    /// Planned running distance of the week for runner `r`, km.
    pub fn km(&self, r: &Runner) -> f64 {
        self.runs
            .iter()
            .take(r.run_days().len())
            .map(|e| e.km(r))
            .sum()
    }
}

impl Event {
    /// Planned distance of the run for runner `r`, km; for intervals the
    /// warm-up, reps, jog recoveries and cool-down.
    pub fn km(&self, r: &Runner) -> f64 {
        match *self {
            Event::Easy { km }
            | Event::Long { km }
            | Event::Hilly { km, .. }
            | Event::Trail { km }
            | Event::Treadmill { km }
            | Event::InArea { km, .. }
            | Event::Faster { km, .. }
            | Event::LowCadence { km, .. }
            | Event::HikedTrail { km, .. } => km,
            Event::Intervals {
                reps,
                rep_m,
                recovery_s,
                ..
            }
            | Event::Track {
                reps,
                rep_m,
                recovery_s,
                ..
            } => {
                let jog_m = distance_m_in(recovery_s, r.recovery_pace_s_per_km());
                (2.0 * WARMUP_M
                    + f64::from(reps) * rep_m
                    + f64::from(reps.saturating_sub(1)) * jog_m)
                    / 1000.0
            }
            Event::Rest => 0.0,
        }
    }
}

/// The runner's normal week: easy runs of equal length and, on the last
/// scheduled weekday, a long run of `long_run_share` × `weekly_km`; in all
/// `weekly_km`. A single weekly run is the whole distance.
pub fn steady_week(r: &Runner) -> Week {
    week_of(r, r.weekly_km)
}

/// `weeks` weeks of the runner's normal structure, the weekly distance
/// growing by the fraction `pct_per_week` each week (0.10: +10 % a week;
/// week 1 has `weekly_km`, week k `weekly_km × (1 + pct_per_week)^(k-1)`).
pub fn progression(r: &Runner, weeks: usize, pct_per_week: f64) -> Vec<Week> {
    let mut weekly_km = r.weekly_km;
    let mut out = Vec::with_capacity(weeks);
    for _ in 0..weeks {
        out.push(week_of(r, weekly_km));
        weekly_km *= 1.0 + pct_per_week;
    }
    out
}

fn week_of(r: &Runner, weekly_km: f64) -> Week {
    let n = r.run_days().len();
    let runs = match n {
        0 => Vec::new(),
        1 => vec![Event::Long { km: weekly_km }],
        _ => {
            let long_km = weekly_km * r.long_run_share;
            let easy_km = (weekly_km - long_km) / (n - 1) as f64;
            let mut runs = vec![Event::Easy { km: easy_km }; n - 1];
            runs.push(Event::Long { km: long_km });
            runs
        }
    };
    Week { runs }
}

/// Run the weeks: week `i` (0 = the week starting at `r.start_ms`), the
/// events on the runner's scheduled weekdays at the start hour, `Rest`
/// skipped. Activities in time order.
pub fn simulate(r: &Runner, weeks: &[Week]) -> Vec<Activity> {
    let days = r.run_days();
    let mut out: Vec<Activity> = weeks
        .iter()
        .enumerate()
        .flat_map(|(week, w)| {
            days.iter()
                .zip(&w.runs)
                .filter_map(move |(&day, event)| run_on(r, week, day, event))
        })
        .collect();
    out.sort_by_key(|a| a.start_ms);
    out
}

/// One run in week `week` (0-based) on `weekday` (0 = Monday) at the
/// runner's start hour: the same activity [`simulate`] makes for that day
/// and event. [`Event::Rest`] gives a recording without samples (the watch
/// started and stopped at once); [`simulate`] skips rests instead.
pub fn on_day(r: &Runner, week: usize, weekday: u32, event: &Event) -> Activity {
    run_on(r, week, weekday, event).unwrap_or_else(|| {
        let mut a = Activity::new(Sport::Running, r.start_of(week, weekday));
        a.local_offset_s = Some(r.local_offset_s);
        a
    })
}

/// A square polygon, `[[lat, lon], …]` as [`NamedArea`](crate::metrics::surface::NamedArea)
/// wants it, of `half_side_m` either side of `center` (north, south, east,
/// west). `area_around(origin, km * 500.0 + 50.0)` holds the whole route of
/// an [`Event::InArea`] run.
pub fn area_around(center: (f64, f64), half_side_m: f64) -> Vec<[f64; 2]> {
    [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)]
        .into_iter()
        .map(|(east, north)| {
            let (lat, lon) = runs::project(center, east * half_side_m, north * half_side_m);
            [lat, lon]
        })
        .collect()
}

/// The run scheduled for this day, `None` on a rest day.
fn run_on(r: &Runner, week: usize, weekday: u32, event: &Event) -> Option<Activity> {
    let day = (week as u64)
        .wrapping_mul(7)
        .wrapping_add(u64::from(weekday));
    let mut rng = SimRng::new(r.seed ^ day.wrapping_mul(0xD1B5_4A32_D192_ED03));
    let seed = rng.next_u64();
    let easy_pace = r.easy_pace_s_per_km * (1.0 + rng.uniform(-PACE_NOISE, PACE_NOISE));
    let start_ms = r.start_of(week, weekday);
    let spec = |km: f64| RunSpec {
        start_ms,
        local_offset_s: Some(r.local_offset_s),
        sport: Sport::Running,
        sub_sport: SubSport::Generic,
        distance_m: km * 1000.0,
        pace_s_per_km: easy_pace,
        cadence_spm: r.cadence_spm,
        seed,
        gps: true,
        gps_jitter_m: 0.0,
        origin: r.origin,
        altitude: Altitude::Flat(FLAT_ALTITUDE_M),
        noise: true,
        temperature_c: Some(TEMPERATURE_C),
        auto_lap_m: Some(1000.0),
    };
    let activity = match *event {
        Event::Rest => return None,
        Event::Easy { km } | Event::Long { km } => steady_run(&spec(km)),
        Event::Hilly { km, climb_m_per_km } => steady_run(&RunSpec {
            altitude: rolling_hills(km * 1000.0, climb_m_per_km),
            ..spec(km)
        }),
        Event::Intervals {
            reps,
            rep_m,
            rep_pace_s_per_km,
            recovery_s,
        } => {
            let recovery_pace = r.recovery_pace_s_per_km();
            let plan = IntervalPlan {
                warmup_m: WARMUP_M,
                reps,
                rep_m,
                rep_pace_s_per_km,
                rep_cadence_spm: r.cadence_at(rep_pace_s_per_km),
                recovery_s,
                recovery_pace_s_per_km: recovery_pace,
                recovery_cadence_spm: r.cadence_at(recovery_pace),
                cooldown_m: WARMUP_M,
            };
            road_intervals(&spec(0.0), &plan)
        }
        Event::Track {
            reps,
            rep_m,
            rep_pace_s_per_km,
            recovery_s,
        } => {
            let a = runs::track_intervals(
                start_ms,
                reps,
                rep_m,
                rep_pace_s_per_km,
                recovery_s,
                r.recovery_pace_s_per_km(),
                WARMUP_M,
                seed,
            );
            adapt_track_session(a, r)
        }
        Event::Trail { km } => steady_run(&RunSpec {
            sub_sport: SubSport::Trail,
            ..spec(km)
        }),
        Event::Treadmill { km } => footpod_run(&spec(km)),
        Event::InArea { km, origin } => steady_run(&RunSpec { origin, ..spec(km) }),
        Event::Faster { km, pace_s_per_km } => steady_run(&RunSpec {
            pace_s_per_km,
            cadence_spm: r.cadence_at(pace_s_per_km),
            ..spec(km)
        }),
        Event::LowCadence {
            km,
            cadence_drop_pct,
        } => steady_run(&lower_cadence(spec(km), cadence_drop_pct)),
        Event::HikedTrail {
            km,
            climbs,
            hike_cadence_spm,
            cadence_drop_pct,
        } => runs::hiked_trail(
            &lower_cadence(spec(km), cadence_drop_pct),
            &runs::HikePlan {
                climbs,
                climb_m: HIKE_CLIMB_M,
                grade_pct: HIKE_GRADE_PCT,
                hike_pace_s_per_km: HIKE_PACE_S_PER_KM,
                hike_cadence_spm,
            },
        ),
    };
    Some(activity)
}

/// `spec` with its cadence `drop_pct` percent lower: longer strides.
fn lower_cadence(spec: RunSpec, drop_pct: f64) -> RunSpec {
    RunSpec {
        cadence_spm: spec.cadence_spm * (1.0 - drop_pct / 100.0),
        ..spec
    }
}

/// Rolling hills over `distance_m` climbing `climb_m_per_km`: a whole
/// number of up-and-down cycles of about [`HILL_SEGMENT_M`] each way, so
/// the run climbs exactly `climb_m_per_km` per km. Flat when there is
/// nothing to climb.
fn rolling_hills(distance_m: f64, climb_m_per_km: f64) -> Altitude {
    if !(climb_m_per_km.is_finite() && climb_m_per_km > 0.0 && distance_m.is_finite()) {
        return Altitude::Flat(FLAT_ALTITUDE_M);
    }
    let cycles = (distance_m / (2.0 * HILL_SEGMENT_M)).round().max(1.0);
    Altitude::Grade {
        // Half of each cycle climbs: climb per km = percent / 100 / 2 × 1000.
        percent: climb_m_per_km / 5.0,
        segment_m: (distance_m / (2.0 * cycles)).max(0.0),
    }
}

/// A [`runs::track_intervals`] session made the runner's: their UTC offset,
/// the track moved to their origin, cadence scaled to theirs (the generator
/// runs easy at [`runs::EASY_CADENCE_SPM`]).
fn adapt_track_session(mut a: Activity, r: &Runner) -> Activity {
    a.local_offset_s = Some(r.local_offset_s);
    if r.origin != runs::DEFAULT_ORIGIN {
        for s in &mut a.samples {
            if let (Some(lat), Some(lon)) = (s.lat_deg, s.lon_deg) {
                let (east, north) = runs::unproject(runs::DEFAULT_ORIGIN, lat, lon);
                let (lat, lon) = runs::project(r.origin, east, north);
                s.lat_deg = Some(lat);
                s.lon_deg = Some(lon);
            }
        }
    }
    let factor = r.cadence_spm / runs::EASY_CADENCE_SPM;
    if factor.is_finite() && factor > 0.0 && factor != 1.0 {
        for s in &mut a.samples {
            s.cadence_spm = s.cadence_spm.map(|c| (f64::from(c) * factor) as f32);
        }
        let cadences: Vec<f64> = a
            .samples
            .iter()
            .filter_map(|s| s.cadence_spm.map(f64::from))
            .collect();
        a.summary.avg_cadence_spm =
            (!cadences.is_empty()).then(|| cadences.iter().sum::<f64>() / cadences.len() as f64);
    }
    a
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::metrics::surface::{Evidence, NamedArea, Surface};
    use crate::metrics::{self, MetricsInput, PartOfDay, RunMetrics};
    use crate::sim::fit_writer::encode;

    /// Measured as the runner sees it: in the zone whose offset the
    /// simulated watch recorded.
    fn measure(a: &Activity) -> RunMetrics {
        let zone = crate::zone::Zone::Fixed(a.local_offset_s.unwrap_or(0));
        metrics::compute(
            a,
            &MetricsInput {
                zone,
                ..MetricsInput::default()
            },
        )
    }

    fn within(value: f64, want: f64, fraction: f64) -> bool {
        (value - want).abs() <= want.abs() * fraction
    }

    #[test]
    fn the_default_runner_starts_monday_5_january_2026_at_7_local() {
        let r = Runner::default();
        // 2026-01-05T00:00+01:00; 1970-01-01 was a Thursday.
        assert_eq!(r.start_ms, 1_767_567_600_000);
        let local_days = (r.start_ms + 3_600_000).div_euclid(DAY_MS);
        assert_eq!((local_days + 3).rem_euclid(7), 0, "a Monday");
        assert_eq!(r.run_days(), &[1, 3, 6]);
        // Week 2, Thursday 07:00 local = 06:00 UTC.
        assert_eq!(r.start_of(1, 3), r.start_ms + 10 * DAY_MS + 7 * 3_600_000);
        // Another offset alone: still 07:00 local on the same local days.
        for offset_h in [-11, -5, 0, 2, 9, 12] {
            let moved = Runner {
                local_offset_s: offset_h * 3600,
                ..Runner::default()
            };
            let local_ms = moved.start_of(1, 3) + i64::from(offset_h) * 3_600_000;
            let week1_local_ms = r.start_ms + 3_600_000;
            assert_eq!(local_ms, week1_local_ms + 10 * DAY_MS + 7 * 3_600_000);
        }
        // Half hours and whole seconds.
        let late = Runner {
            start_hour_local: 18.5,
            ..Runner::default()
        };
        assert_eq!(late.start_of(0, 0), r.start_ms + 18 * 3_600_000 + 1_800_000);
    }

    #[test]
    fn a_steady_week_totals_the_weekly_distance() {
        let r = Runner::default();
        let week = steady_week(&r);
        let [
            Event::Easy { km: a },
            Event::Easy { km: b },
            Event::Long { km: long },
        ] = week.runs[..]
        else {
            panic!("{week:?}")
        };
        assert!(within(a, 7.2, 1e-9) && within(b, 7.2, 1e-9), "{week:?}");
        assert!(within(long, 9.6, 1e-9), "{week:?}");
        assert!(within(week.km(&r), 24.0, 1e-9));
        let runs = simulate(&r, &[week]);
        assert_eq!(runs.len(), 3);
        let total_km: f64 = runs.iter().map(|a| measure(a).distance_m).sum::<f64>() / 1000.0;
        assert!(within(total_km, 24.0, 0.01), "{total_km}");
        // One run a week: all of it.
        let once = Runner {
            runs_per_week: 1,
            weekdays: vec![5],
            ..Runner::default()
        };
        assert_eq!(steady_week(&once).runs, vec![Event::Long { km: 24.0 }]);
    }

    #[test]
    fn eight_steady_weeks_are_24_flat_easy_runs() {
        let r = Runner::default();
        let runs = simulate(&r, &vec![steady_week(&r); 8]);
        assert_eq!(runs.len(), 24);
        let mut longest_m = 0.0_f64;
        for (i, a) in runs.iter().enumerate() {
            // Week i / 3, on Tuesday, Thursday, Sunday at 07:00 local.
            let (week, day) = (i / 3, [1, 3, 6][i % 3]);
            assert_eq!(a.start_ms, r.start_of(week, day));
            assert_eq!(a.local_offset_s, Some(3600));
            assert_eq!(a.sport, Sport::Running);
            assert_eq!(a.sub_sport, SubSport::Generic);
            // A watch's own summary.
            let s = a.summary;
            assert!(s.total_distance_m.is_some() && s.total_timer_s.is_some());
            assert!(s.avg_cadence_spm.is_some() && s.avg_heart_rate_bpm.is_some());
            assert!(s.total_ascent_m.unwrap() < 5.0);

            let m = measure(a);
            assert_eq!(m.local_start_hour, 7.0);
            assert_eq!(m.part_of_day, PartOfDay::Morning);
            let climb = m.elevation.unwrap();
            assert!(climb.climb_m < 5.0, "run {i}: {climb:?}");
            assert!(climb.climb_m_per_km < 2.0, "run {i}: {climb:?}");
            let pace = m.pace.as_ref().unwrap();
            assert_eq!(pace.intervals, None, "run {i}");
            let mean = pace.mean_pace_s_per_km.unwrap();
            assert!(within(mean, 360.0, 0.011), "run {i}: {mean}");
            let cadence = m.cadence.unwrap().running_spm;
            assert!(within(cadence, 168.0, 0.005), "run {i}: {cadence}");
            assert_eq!(m.surface, Surface::Unknown);
            longest_m = longest_m.max(m.distance_m);
        }
        for pair in runs.windows(2) {
            assert!(pair[0].start_ms < pair[1].start_ms);
        }
        assert!(within(longest_m, 0.4 * 24_000.0, 0.002), "{longest_m}");
    }

    #[test]
    fn progression_grows_the_week_by_the_fraction() {
        let r = Runner::default();
        let weeks = progression(&r, 4, 0.10);
        assert_eq!(weeks.len(), 4);
        for (k, w) in weeks.iter().enumerate() {
            let want = 24.0 * 1.1_f64.powi(k as i32);
            assert!(within(w.km(&r), want, 1e-9), "week {k}: {}", w.km(&r));
            assert_eq!(w.runs.len(), 3);
            assert!(matches!(w.runs[2], Event::Long { km } if within(km, 0.4 * want, 1e-9)));
        }
        let runs = simulate(&r, &weeks);
        let last_week_km: f64 = runs[9..].iter().map(Activity::distance_m).sum::<f64>() / 1000.0;
        assert!(within(last_week_km, 24.0 * 1.331, 0.01), "{last_week_km}");
    }

    #[test]
    fn rest_days_are_skipped_and_on_day_is_the_same_run() {
        let r = Runner::default();
        let week = Week {
            runs: vec![
                Event::Easy { km: 6.0 },
                Event::Rest,
                Event::Hilly {
                    km: 8.0,
                    climb_m_per_km: 10.0,
                },
            ],
        };
        let runs = simulate(&r, &[steady_week(&r), week.clone()]);
        assert_eq!(runs.len(), 5);
        assert_eq!(runs[3], on_day(&r, 1, 1, &week.runs[0]));
        assert_eq!(runs[4], on_day(&r, 1, 6, &week.runs[2]));
        // An extra run on a Wednesday lands between them in time.
        let extra = on_day(&r, 1, 2, &Event::Easy { km: 5.0 });
        assert!(runs[3].start_ms < extra.start_ms && extra.start_ms < runs[4].start_ms);
        // Rest through on_day: a recording without samples.
        let rest = on_day(&r, 1, 2, &Event::Rest);
        assert!(rest.samples.is_empty());
        assert_eq!(rest.start_ms, extra.start_ms);
    }

    #[test]
    fn hilly_climbs_as_asked() {
        let r = Runner::default();
        let a = on_day(
            &r,
            0,
            1,
            &Event::Hilly {
                km: 10.0,
                climb_m_per_km: 15.0,
            },
        );
        let e = measure(&a).elevation.unwrap();
        assert!((e.climb_m_per_km - 15.0).abs() <= 1.5, "{e:?}");
        // The watch's own ascent is the exact profile: 10 hills of 15 m.
        let ascent = a.summary.total_ascent_m.unwrap();
        assert!((ascent - 150.0).abs() < 1.0, "{ascent}");
        assert!(measure(&a).pace.unwrap().intervals.is_none());
    }

    #[test]
    fn road_intervals_are_intervals_but_not_a_track() {
        let r = Runner::default();
        let event = Event::Intervals {
            reps: 6,
            rep_m: 800.0,
            rep_pace_s_per_km: 240.0,
            recovery_s: 120.0,
        };
        let a = on_day(&r, 0, 3, &event);
        assert_eq!(a.sub_sport, SubSport::Generic);
        assert!(within(a.distance_m(), event.km(&r) * 1000.0, 0.005));
        let m = measure(&a);
        let iv = m.pace.as_ref().unwrap().intervals.as_ref().unwrap();
        assert_eq!(iv.reps, 6, "{iv:?}");
        for d in &iv.rep_distances_m {
            assert!((d - 800.0).abs() < 60.0, "rep of {d} m");
        }
        assert!((iv.rep_pace_s_per_km - 240.0).abs() < 10.0, "{iv:?}");
        assert_ne!(m.surface, Surface::Track, "{:?}", m.surface_evidence);
        assert!(!matches!(m.surface_evidence, Evidence::Oval { .. }));
        // Positions on one straight line from the origin (30° north of east).
        for s in &a.samples {
            let (lat, lon) = (s.lat_deg.unwrap(), s.lon_deg.unwrap());
            let (east, north) = runs::unproject(r.origin, lat, lon);
            let (sin, cos) = 30_f64.to_radians().sin_cos();
            assert!((-east * sin + north * cos).abs() < 0.01, "{east} {north}");
        }
    }

    #[test]
    fn a_track_session_is_a_track_at_the_runners_home() {
        let r = Runner {
            origin: (51.5, 4.2),
            local_offset_s: 7200,
            cadence_spm: 176.0,
            ..Runner::default()
        };
        let a = on_day(
            &r,
            2,
            3,
            &Event::Track {
                reps: 6,
                rep_m: 400.0,
                rep_pace_s_per_km: 210.0,
                recovery_s: 90.0,
            },
        );
        assert_eq!(a.local_offset_s, Some(7200));
        let m = measure(&a);
        assert_eq!(m.surface, Surface::Track, "{:?}", m.surface_evidence);
        let Evidence::Oval { lap_m, .. } = m.surface_evidence else {
            unreachable!()
        };
        assert!((lap_m - 400.0).abs() < 10.0, "{lap_m}");
        assert_eq!(m.pace.unwrap().intervals.unwrap().reps, 6);
        let first = a.samples[0];
        let d = crate::activity::haversine_m(
            first.lat_deg.unwrap(),
            first.lon_deg.unwrap(),
            r.origin.0,
            r.origin.1,
        );
        assert!(d < 100.0, "{d}");
        // Easy parts at the runner's cadence, not the generator's 165.
        let easy = m
            .cadence
            .unwrap()
            .at_pace
            .iter()
            .max_by(|a, b| a.seconds.total_cmp(&b.seconds))
            .copied()
            .unwrap();
        assert!((easy.cadence_spm - 176.0).abs() < 1.0, "{easy:?}");
        assert_eq!(m.local_start_hour, 7.0);
    }

    #[test]
    fn surfaces_of_treadmill_trail_and_a_named_area() {
        let r = Runner::default();
        let treadmill = on_day(&r, 0, 1, &Event::Treadmill { km: 6.0 });
        assert_eq!(treadmill.sub_sport, SubSport::Generic);
        assert!(!treadmill.channels().gps);
        let m = measure(&treadmill);
        assert_eq!(m.surface, Surface::Treadmill);
        assert_eq!(m.surface_evidence, Evidence::NoPositions);
        assert!(within(m.distance_m, 6000.0, 0.005));

        let trail = on_day(&r, 0, 3, &Event::Trail { km: 8.0 });
        let m = measure(&trail);
        assert_eq!(m.surface, Surface::Trail);
        assert!(m.elevation.unwrap().climb_m < 5.0);

        let beach = (52.1, 4.4);
        let sandy = on_day(
            &r,
            0,
            6,
            &Event::InArea {
                km: 6.0,
                origin: beach,
            },
        );
        let areas = [NamedArea {
            name: "the beach".into(),
            surface: Surface::Sand,
            polygon: area_around(beach, 6.0 * 500.0 + 50.0),
        }];
        let input = MetricsInput {
            areas: &areas,
            ..MetricsInput::default()
        };
        let m = metrics::compute(&sandy, &input);
        assert_eq!(m.surface, Surface::Sand, "{:?}", m.surface_evidence);
        // The runner's usual runs are not on the beach.
        let usual = on_day(&r, 0, 6, &Event::Easy { km: 6.0 });
        assert_eq!(metrics::compute(&usual, &input).surface, Surface::Unknown);
    }

    #[test]
    fn faster_runs_at_the_asked_pace() {
        let r = Runner::default();
        let a = on_day(
            &r,
            0,
            1,
            &Event::Faster {
                km: 8.0,
                pace_s_per_km: 320.0,
            },
        );
        let m = measure(&a);
        let pace = m.pace.as_ref().unwrap();
        assert!(within(pace.mean_pace_s_per_km.unwrap(), 320.0, 0.005));
        assert!(pace.intervals.is_none());
        // More than 10 % faster than easy for most of the run.
        assert!(pace.histogram.seconds_faster_than(360.0, 0.10) > 0.9 * m.moving_s);
        let cadence = m.cadence.unwrap().running_spm;
        assert!(cadence > 168.0 && cadence < 168.0 * 1.05, "{cadence}");
    }

    #[test]
    fn low_cadence_is_lower_by_the_percent_at_the_same_pace() {
        let r = Runner::default();
        let easy = measure(&on_day(&r, 0, 3, &Event::Easy { km: 8.0 }));
        let low = measure(&on_day(
            &r,
            0,
            3,
            &Event::LowCadence {
                km: 8.0,
                cadence_drop_pct: 6.0,
            },
        ));
        let (p_easy, p_low) = (
            easy.pace.unwrap().mean_pace_s_per_km.unwrap(),
            low.pace.unwrap().mean_pace_s_per_km.unwrap(),
        );
        assert!(within(p_low, p_easy, 0.001), "{p_low} {p_easy}");
        let (c_easy, c_low) = (
            easy.cadence.unwrap().running_spm,
            low.cadence.unwrap().running_spm,
        );
        let drop = 1.0 - c_low / c_easy;
        assert!((drop - 0.06).abs() < 0.002, "{c_easy} → {c_low}: {drop}");
    }

    #[test]
    fn simulate_is_deterministic_down_to_the_fit_bytes() {
        let r = Runner::default();
        let mut weeks = progression(&r, 3, 0.05);
        weeks.push(Week {
            runs: vec![
                Event::Intervals {
                    reps: 5,
                    rep_m: 1000.0,
                    rep_pace_s_per_km: 250.0,
                    recovery_s: 90.0,
                },
                Event::Track {
                    reps: 8,
                    rep_m: 400.0,
                    rep_pace_s_per_km: 220.0,
                    recovery_s: 60.0,
                },
                Event::Hilly {
                    km: 12.0,
                    climb_m_per_km: 20.0,
                },
            ],
        });
        let bytes =
            |r: &Runner| -> Vec<Vec<u8>> { simulate(r, &weeks).iter().map(encode).collect() };
        let first = bytes(&r);
        assert_eq!(first.len(), 12);
        assert_eq!(first, bytes(&r));
        // Another seed: other noise, the same plan.
        let other = bytes(&Runner {
            seed: 2,
            ..Runner::default()
        });
        assert_eq!(other.len(), 12);
        assert!(first.iter().zip(&other).all(|(a, b)| a != b));
    }
}
