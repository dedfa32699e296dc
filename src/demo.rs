//! The demo season: sixteen weeks of a runner coming back from Achilles
//! tendinopathy, as `tendonwatch demo` feeds them to the daemon. Pure: the
//! season is a function of the instant it ends and the runner's UTC offset,
//! nothing here touches a file or the clock.
//!
//! The runner is in the `return` profile (the default, and the seeds' main
//! reader: someone coming back from Achilles pain, strict limits): three
//! runs a week at 07:00 local time on days 2, 4 and 7 of each seven-day
//! block (the weeks are counted back from the end, so that the last long run
//! falls on the day the season ends, or the day before when it has not been
//! run yet by then), easy 6:00/km at 168 spm, flat, from the simulator's
//! [`Runner`]. Week 1 begins 15 weeks and 6 days before the last run.
//!
//! | week | running (km) | what changes | alerts expected |
//! |---|---|---|---|
//! | 1–2 | 7.2 + 7.2 + 9.6 long = 24 | steady base; the baseline is being learned (14 days, 5 runs) | none |
//! | 3–6 | 24 | steady base | none |
//! | 7 | 5.5 + 5.5 + **13.0** long = 24 | long-run spike: +35 % on the longest run of the last 30 days (9.6 km), the week itself unchanged | `run_spike` (high) |
//! | 8 | 5.5 + 5.5 + 9.6 = 20.6 | the usual long run again, the easy runs still short (any 7 days holding the 13 km stay within +10 % of the usual 24 km), and a week between the spike and the next change so that they do not stack | none |
//! | 9 | **7.2 hilly** + 7.2 + 9.6 = 24 | hill introduction on day 2: rolling hills at 5 %, 25 m of climbing per km (180 m) | `hill_intro` |
//! | 10 | 4.2 + **6 × 800 m intervals** (10.2) + **9.6 trail** = 24 | stacked week: the first speed session (day 4, 4:00/km reps) and the first trail run (day 7), 9 days after the hills | `speed_intro`, `surface_change`, `stacked_intro` (high) |
//! | 11 | 3 + 5 + 7 = 15 | pain: morning 4–5/10 with 15–25 min of stiffness; running cut to 15 km, a short first run | `pain_limit` (the trail run's evening, 4/10, end of week 10), `pain_24h` (first morning of week 11: 4/10 against 1/10 before the trail run), `pain_trend` (this week's mornings against last week's: once or twice, one per calendar week the rise spans) |
//! | 12 | 5 + 5 + 7 = 17 | settling: mornings 3 → 2/10, stiffness 10 → 5 min | none |
//! | 13 | 5 + 5 + 7 = 17 | settling: 2 → 1/10 | none |
//! | 14 | 5 + 5.5 + 7 = 17.5 | back to the old 1/10 on getting up | none |
//! | 15 | 5 + 5.5 + 7 = 17.5 | pain-free mornings | none |
//! | 16 | 5.5 + 5.5 + 7 = 18 | pain-free; the last run is today or yesterday | none |
//!
//! No seven days hold more than about +6 % on the weekly mean of the four
//! weeks before them (`week_jump` in the return profile fires above +10 %,
//! and `pace_and_distance` needs +10 % too): the first run after the stacked
//! week is short because the intervals and the trail run are still in its
//! seven days, and the rebuild after the cut is slow because the four-week
//! mean keeps falling for a month after it — a faster return would (rightly)
//! raise `week_jump`.
//!
//! Pain: a morning entry ([`PainKind::Morning`], 06:30, left side) on most
//! days — 1/10 with 3 minutes of stiffness (5 after the long run) through
//! week 10, up to 5/10 and 25 minutes in week 11, back to 1/10 by week 14 and
//! 0 in weeks 15–16. A few mornings are not logged, never the morning after
//! a run that brought something new (that would raise `pain_reminder`).
//! From the worst morning on, scores only ever go down, and stiffness varies
//! by less than 2 minutes outside weeks 11–13, so the week-on-week trend rule
//! sees no rise but the real one whichever days it compares. A few `during`
//! and `after` entries: only the trail run's evening is above the return
//! profile's limit of 3.

use crate::activity::Activity;
use crate::pain::{PainKind, Side};
use crate::sim::training::{self, Event, Runner, Week};
use crate::store::pain::NewPain;
use crate::zone::DAY_MS;

/// Weeks in the season.
pub const WEEKS: usize = 16;
/// A week in ms.
pub const WEEK_MS: i64 = 7 * DAY_MS;
/// The runner's seed: the same season every time.
pub const SEED: u64 = 2026;
/// Days of each week with a run (0 = the first day of the block); the last
/// is the long run.
pub const RUN_DAYS: [u32; 3] = [1, 3, 6];
/// Local start hour of every run.
pub const RUN_HOUR: f64 = 7.0;
/// Local time of the morning entries.
pub const MORNING_HOUR: f64 = 6.5;
/// Local time of the evening (`after`) entries.
pub const EVENING_HOUR: f64 = 19.0;

const HOUR_MS: f64 = 3_600_000.0;

/// The alert kinds the season raises (see the module doc).
pub const EXPECTED_ALERTS: [&str; 8] = [
    "run_spike",
    "hill_intro",
    "speed_intro",
    "surface_change",
    "stacked_intro",
    "pain_limit",
    "pain_24h",
    "pain_trend",
];

/// One week of the season.
#[derive(Debug, Clone, PartialEq)]
pub struct WeekPlan {
    /// 1 to [`WEEKS`].
    pub number: usize,
    /// Local midnight of the week's first day, UTC ms.
    pub start_ms: i64,
    /// What the week is about, for progress lines.
    pub label: &'static str,
    /// One event per run day ([`RUN_DAYS`]).
    pub events: Vec<Event>,
    /// Planned running distance, km.
    pub km: f64,
}

/// The whole season: the runs (as the watch records them) and the pain log.
#[derive(Debug, Clone, PartialEq)]
pub struct Season {
    pub runner: Runner,
    /// Local midnight of week 1, UTC ms.
    pub start_ms: i64,
    /// The instant the season was asked to end at; nothing is later.
    pub end_ms: i64,
    pub weeks: Vec<WeekPlan>,
    /// In time order.
    pub runs: Vec<Activity>,
    /// In time order.
    pub pain: Vec<NewPain>,
}

impl Season {
    /// Index (0-based) of the week holding `t_ms`, clamped to the season.
    pub fn week_of(&self, t_ms: i64) -> usize {
        let week = (t_ms - self.start_ms).div_euclid(WEEK_MS);
        week.clamp(0, WEEKS as i64 - 1) as usize
    }
}

/// When a recording ends: its start plus its elapsed time.
pub fn run_end_ms(a: &Activity) -> i64 {
    a.start_ms + (a.elapsed_s() * 1000.0).round() as i64
}

fn easy(km: f64) -> Event {
    Event::Easy { km }
}

fn long(km: f64) -> Event {
    Event::Long { km }
}

/// The sixteen weeks: label and the three runs of each.
fn plan() -> Vec<(&'static str, Vec<Event>)> {
    let base = || vec![easy(7.2), easy(7.2), long(9.6)];
    vec![
        ("steady base (the baseline is being learned)", base()),
        ("steady base (the baseline is being learned)", base()),
        ("steady base", base()),
        ("steady base", base()),
        ("steady base", base()),
        ("steady base", base()),
        (
            "long-run spike: a 13.0 km long run, 35 % past the longest of the last 30 days",
            vec![easy(5.5), easy(5.5), long(13.0)],
        ),
        (
            "after the spike: the usual long run, shorter easy runs",
            vec![easy(5.5), easy(5.5), long(9.6)],
        ),
        (
            "hill introduction: the first run over rolling hills, 180 m of climbing",
            vec![
                Event::Hilly {
                    km: 7.2,
                    climb_m_per_km: 25.0,
                },
                easy(7.2),
                long(9.6),
            ],
        ),
        (
            "stacked week: the first interval session (6 × 800 m) and the first trail run",
            vec![
                easy(4.2),
                Event::Intervals {
                    reps: 6,
                    rep_m: 800.0,
                    rep_pace_s_per_km: 240.0,
                    recovery_s: 120.0,
                },
                Event::Trail { km: 9.6 },
            ],
        ),
        (
            "morning pain up to 5/10, stiff for 25 minutes: running cut to 15 km",
            vec![easy(3.0), easy(5.0), long(7.0)],
        ),
        (
            "pain settling (3 → 2/10), running held low",
            vec![easy(5.0), easy(5.0), long(7.0)],
        ),
        (
            "pain settling (2 → 1/10)",
            vec![easy(5.0), easy(5.0), long(7.0)],
        ),
        (
            "back to 1/10 on getting up",
            vec![easy(5.0), easy(5.5), long(7.0)],
        ),
        ("pain-free mornings", vec![easy(5.0), easy(5.5), long(7.0)]),
        ("pain-free mornings", vec![easy(5.5), easy(5.5), long(7.0)]),
    ]
}

/// Mornings not logged (0-based week, day): never the morning after a run
/// that brought something new.
const SKIPPED_MORNINGS: [(usize, u32); 6] = [(1, 5), (2, 2), (4, 5), (7, 5), (11, 4), (14, 5)];

/// The morning entry of (0-based) `week`, `day`: score, stiffness minutes,
/// and a note on the worst mornings.
fn morning(week: usize, day: u32) -> (f64, f64, Option<&'static str>) {
    const PEAK_SCORE: [f64; 7] = [4.0, 5.0, 5.0, 4.0, 4.0, 3.0, 3.0];
    const PEAK_STIFF: [f64; 7] = [15.0, 20.0, 25.0, 20.0, 15.0, 12.0, 10.0];
    const SETTLE1_SCORE: [f64; 7] = [3.0, 3.0, 2.0, 2.0, 2.0, 2.0, 2.0];
    const SETTLE1_STIFF: [f64; 7] = [10.0, 8.0, 8.0, 6.0, 6.0, 5.0, 5.0];
    const SETTLE2_SCORE: [f64; 7] = [2.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0];
    const SETTLE2_STIFF: [f64; 7] = [5.0, 4.0, 4.0, 4.0, 3.0, 3.0, 3.0];
    const FREE_SCORE: [f64; 7] = [1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0];
    let d = (day as usize).min(6);
    // The usual: 1/10, stiffer the morning after the long run.
    let usual_stiff = if day == 0 { 5.0 } else { 3.0 };
    let free_stiff = if day == 0 { 3.0 } else { 2.0 };
    match week {
        10 => {
            let note = match day {
                0 => Some("stiff and sore on the stairs after yesterday's trail run"),
                2 => Some("worst morning in months"),
                _ => None,
            };
            (PEAK_SCORE[d], PEAK_STIFF[d], note)
        }
        11 => (SETTLE1_SCORE[d], SETTLE1_STIFF[d], None),
        12 => (SETTLE2_SCORE[d], SETTLE2_STIFF[d], None),
        14 => (FREE_SCORE[d], free_stiff, None),
        15 => (0.0, free_stiff, None),
        _ => (1.0, usual_stiff, None),
    }
}

/// `during` and `after` entries: (0-based week, day, kind, local hour,
/// score, note).
type RunEntry = (usize, u32, PainKind, f64, f64, Option<&'static str>);

const RUN_ENTRIES: [RunEntry; 9] = [
    (2, 6, PainKind::After, EVENING_HOUR, 1.0, None),
    (
        6,
        6,
        PainKind::During,
        8.0,
        2.0,
        Some("the last kilometres of the long run"),
    ),
    (
        6,
        6,
        PainKind::After,
        EVENING_HOUR,
        2.0,
        Some("tight on the stairs"),
    ),
    (8, 1, PainKind::During, 7.5, 2.0, Some("on the climbs")),
    (
        9,
        3,
        PainKind::After,
        EVENING_HOUR,
        2.0,
        Some("after the intervals"),
    ),
    (
        9,
        6,
        PainKind::During,
        7.75,
        3.0,
        Some("roots and uneven ground"),
    ),
    (
        9,
        6,
        PainKind::After,
        EVENING_HOUR,
        4.0,
        Some("sore and a little swollen in the evening"),
    ),
    (12, 6, PainKind::After, EVENING_HOUR, 1.0, None),
    (15, 3, PainKind::After, EVENING_HOUR, 0.0, None),
];

/// The runner whose last long run is on local day `last_run_day` (days
/// since 1970-01-01, local).
fn runner_ending_on(last_run_day: i64, local_offset_s: i32) -> Runner {
    let days_before = (WEEKS as i64 - 1) * 7 + i64::from(RUN_DAYS[2]);
    let week1_day = last_run_day - days_before;
    Runner {
        start_ms: week1_day * DAY_MS - i64::from(local_offset_s) * 1000,
        local_offset_s,
        runs_per_week: RUN_DAYS.len() as u32,
        weekdays: RUN_DAYS.to_vec(),
        start_hour_local: RUN_HOUR,
        seed: SEED,
        ..Runner::default()
    }
}

/// The season ending at `end_ms` for a runner at UTC offset
/// `local_offset_s`: its last long run on the local day of `end_ms` if that
/// run is over by then, else the day before; nothing (run or pain entry)
/// later than `end_ms`.
pub fn season(end_ms: i64, local_offset_s: i32) -> Season {
    let offset_ms = i64::from(local_offset_s) * 1000;
    let today = (end_ms + offset_ms).div_euclid(DAY_MS);
    let plan = plan();
    let last_week = WEEKS - 1;
    let last_event = &plan[last_week].1[RUN_DAYS.len() - 1];
    let mut runner = runner_ending_on(today, local_offset_s);
    let last_run = training::on_day(&runner, last_week, RUN_DAYS[2], last_event);
    if run_end_ms(&last_run) > end_ms {
        runner = runner_ending_on(today - 1, local_offset_s);
    }
    let start_ms = runner.start_ms;
    let at = |week: usize, day: u32, hour: f64| -> i64 {
        start_ms + (week as i64 * 7 + i64::from(day)) * DAY_MS + (hour * HOUR_MS).round() as i64
    };

    let weeks: Vec<WeekPlan> = plan
        .into_iter()
        .enumerate()
        .map(|(i, (label, events))| {
            let km = Week {
                runs: events.clone(),
            }
            .km(&runner);
            WeekPlan {
                number: i + 1,
                start_ms: at(i, 0, 0.0),
                label,
                events,
                km,
            }
        })
        .collect();
    let week_events: Vec<Week> = weeks
        .iter()
        .map(|w| Week {
            runs: w.events.clone(),
        })
        .collect();
    let runs: Vec<Activity> = training::simulate(&runner, &week_events)
        .into_iter()
        .filter(|a| run_end_ms(a) <= end_ms)
        .collect();

    let mut pain = Vec::new();
    for week in 0..WEEKS {
        for day in 0..7u32 {
            if SKIPPED_MORNINGS.contains(&(week, day)) {
                continue;
            }
            let (score, stiffness, note) = morning(week, day);
            pain.push(NewPain {
                at_ms: at(week, day, MORNING_HOUR),
                score,
                kind: PainKind::Morning,
                stiffness_min: Some(stiffness),
                side: Some(Side::Left),
                note: note.map(str::to_string),
            });
        }
    }
    for (week, day, kind, hour, score, note) in RUN_ENTRIES {
        pain.push(NewPain {
            at_ms: at(week, day, hour),
            score,
            kind,
            stiffness_min: None,
            side: Some(Side::Left),
            note: note.map(str::to_string),
        });
    }
    pain.retain(|p| p.at_ms <= end_ms);
    pain.sort_by_key(|p| p.at_ms);

    Season {
        runner,
        start_ms,
        end_ms,
        weeks,
        runs,
        pain,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::metrics::surface::Surface;
    use crate::metrics::{self, MetricsInput};
    use crate::sim::fit_writer::encode;

    /// 2026-06-10T12:00:00Z, a Wednesday.
    const NOON_UTC: i64 = 1_781_092_800_000;
    const HOUR: i64 = 3_600_000;

    fn mornings_of(s: &Season, week: usize) -> Vec<&NewPain> {
        s.pain
            .iter()
            .filter(|p| p.kind == PainKind::Morning && s.week_of(p.at_ms) == week)
            .collect()
    }

    fn mean(values: impl Iterator<Item = f64>) -> f64 {
        let v: Vec<f64> = values.collect();
        v.iter().sum::<f64>() / v.len() as f64
    }

    #[test]
    fn sixteen_weeks_of_three_runs_ending_at_or_before_the_end() {
        // Several times of day and zones: the last run is today when it is
        // over, else yesterday; nothing is later than the end.
        for offset_h in [-8, -5, 0, 1, 2, 5, 9, 12] {
            for hour_utc in [0, 5, 6, 7, 9, 12, 18, 23] {
                let end = NOON_UTC + (hour_utc - 12) * HOUR + 17 * 60_000;
                let offset_s = offset_h * 3600;
                let s = season(end, offset_s);
                assert_eq!(s.weeks.len(), WEEKS);
                assert_eq!(s.runs.len(), 3 * WEEKS, "{offset_h} {hour_utc}");
                let first = &s.runs[0];
                let last = s.runs.last().unwrap();
                assert!(first.start_ms >= s.start_ms && first.start_ms < s.start_ms + WEEK_MS);
                assert!(last.start_ms >= s.start_ms + 15 * WEEK_MS);
                assert!(run_end_ms(last) <= end, "{offset_h} {hour_utc}");
                assert!(
                    end - run_end_ms(last) < 2 * DAY_MS,
                    "the last run within two days: {offset_h} {hour_utc}"
                );
                assert!(s.pain.iter().all(|p| p.at_ms <= end));
                assert!(s.pain.last().unwrap().at_ms > end - 2 * DAY_MS);
                for pair in s.runs.windows(2) {
                    assert!(run_end_ms(&pair[0]) < pair[1].start_ms);
                }
                for pair in s.pain.windows(2) {
                    assert!(pair[0].at_ms <= pair[1].at_ms);
                }
                // Every run at 07:00 local, on the plan's days.
                let local_offset_ms = i64::from(offset_s) * 1000;
                for (i, a) in s.runs.iter().enumerate() {
                    assert_eq!(a.local_offset_s, Some(offset_s));
                    let local = (a.start_ms + local_offset_ms).rem_euclid(DAY_MS);
                    assert_eq!(local, 7 * HOUR, "run {i}");
                    let day = (a.start_ms - s.start_ms).div_euclid(DAY_MS);
                    assert_eq!(day % 7, i64::from(RUN_DAYS[i % 3]), "run {i}");
                    assert_eq!(day / 7, (i / 3) as i64, "run {i}");
                }
            }
        }
    }

    #[test]
    fn an_early_end_puts_the_last_run_yesterday() {
        // 05:00 local at UTC+2: today's 07:00 run has not happened yet.
        let end = NOON_UTC - 9 * HOUR;
        let s = season(end, 7200);
        let last = s.runs.last().unwrap();
        let yesterday = (end + 7_200_000).div_euclid(DAY_MS) - 1;
        assert_eq!((last.start_ms + 7_200_000).div_euclid(DAY_MS), yesterday);
        // 09:30 local: the last run is this morning's.
        let end = NOON_UTC - 9 * HOUR + 4 * HOUR + 30 * 60_000;
        let s = season(end, 7200);
        let last = s.runs.last().unwrap();
        assert_eq!(
            (last.start_ms + 7_200_000).div_euclid(DAY_MS),
            (end + 7_200_000).div_euclid(DAY_MS)
        );
    }

    #[test]
    fn pain_rises_after_the_stacked_week_then_settles() {
        let s = season(NOON_UTC, 3600);
        let weekly: Vec<f64> = (0..WEEKS)
            .map(|w| mean(mornings_of(&s, w).iter().map(|p| p.score)))
            .collect();
        let stiffness: Vec<f64> = (0..WEEKS)
            .map(|w| mean(mornings_of(&s, w).iter().filter_map(|p| p.stiffness_min)))
            .collect();
        // Most mornings are logged.
        for w in 0..WEEKS {
            assert!(mornings_of(&s, w).len() >= 6, "week {}", w + 1);
        }
        // 0–1 before the stacked week.
        for (w, mean) in weekly.iter().enumerate().take(10) {
            assert!(*mean <= 1.0, "week {}: {mean}", w + 1);
        }
        let peak = mornings_of(&s, 10)
            .iter()
            .map(|p| p.score)
            .fold(0.0, f64::max);
        assert!((4.0..=5.0).contains(&peak), "{peak}");
        assert!(weekly[10] >= 3.5, "{weekly:?}");
        assert!(stiffness[10] >= 15.0, "{stiffness:?}");
        // Settles over three weeks: down every week, back to 0–1.
        assert!(
            weekly[10] > weekly[11] && weekly[11] > weekly[12],
            "{weekly:?}"
        );
        assert!(stiffness[10] > stiffness[11] && stiffness[11] > stiffness[12]);
        for (w, mean) in weekly.iter().enumerate().skip(13) {
            assert!(*mean <= 1.0, "week {}: {mean}", w + 1);
        }
        // From the worst morning on, no morning is worse than one before it.
        let later: Vec<&NewPain> = s
            .pain
            .iter()
            .filter(|p| p.kind == PainKind::Morning && p.at_ms >= s.start_ms + 10 * WEEK_MS)
            .collect();
        for pair in later.windows(2).skip(2) {
            assert!(pair[1].score <= pair[0].score, "{pair:?}");
        }
        // A few during/after entries; only the trail run's evening is over 3.
        let run_entries: Vec<&NewPain> = s
            .pain
            .iter()
            .filter(|p| p.kind != PainKind::Morning)
            .collect();
        assert!(run_entries.len() >= 5);
        let over: Vec<&&NewPain> = run_entries.iter().filter(|p| p.score > 3.0).collect();
        assert_eq!(over.len(), 1);
        assert_eq!(s.week_of(over[0].at_ms), 9);
    }

    #[test]
    fn the_morning_after_each_new_stimulus_is_logged() {
        let s = season(NOON_UTC, 3600);
        // Week 7 long run, week 9 hills, week 10 intervals and trail.
        for (week, day) in [(6usize, 6u32), (8, 1), (9, 3), (9, 6)] {
            let run = &s.runs[week * 3 + RUN_DAYS.iter().position(|d| *d == day).unwrap()];
            let end = run_end_ms(run);
            assert!(
                s.pain.iter().any(|p| p.kind == PainKind::Morning
                    && p.at_ms > end
                    && p.at_ms < end + DAY_MS),
                "week {} day {day}",
                week + 1
            );
        }
    }

    #[test]
    fn each_change_is_in_its_week() {
        let s = season(NOON_UTC, 3600);
        let m = |i: usize| metrics::compute(&s.runs[i], &MetricsInput::default());
        // Weeks 1–8: flat, no intervals, the same surface; 24 km a week
        // but the week after the spike.
        for w in 0..8 {
            for i in w * 3..w * 3 + 3 {
                let r = m(i);
                assert!(r.elevation.unwrap().climb_m < 5.0, "run {i}");
                assert!(r.pace.unwrap().intervals.is_none(), "run {i}");
                assert_eq!(r.surface, Surface::Unknown, "run {i}");
            }
            let want = if w == 7 { 20.6 } else { 24.0 };
            assert!((s.weeks[w].km - want).abs() < 1e-9);
        }
        // Week 7: a 13 km long run, the week still 24 km.
        assert!((m(20).distance_m - 13_000.0).abs() < 150.0);
        assert!((s.weeks[6].km - 24.0).abs() < 1e-9);
        // Week 9: the first run climbs ~25 m per km.
        let hills = m(24).elevation.unwrap();
        assert!((hills.climb_m_per_km - 25.0).abs() < 3.0, "{hills:?}");
        // Week 10: intervals on day 4, trail on day 7.
        assert_eq!(m(28).pace.unwrap().intervals.unwrap().reps, 6);
        assert_eq!(m(29).surface, Surface::Trail);
        assert!((s.weeks[9].km - 24.0).abs() < 0.05, "{}", s.weeks[9].km);
        // Week 11: cut to 15 km, then held below the stacked week's 24.
        assert!((s.weeks[10].km - 15.0).abs() < 1e-9);
        assert!(s.weeks[11..].iter().all(|w| w.km <= 18.0));
    }

    #[test]
    fn no_seven_days_run_far_above_the_four_weeks_before() {
        // The volume of week_jump (return profile: +10 %): the 7 days up to
        // each run against the mean week of the 28 days before them.
        let s = season(NOON_UTC, 3600);
        let limit = crate::rules::Thresholds::default().week_jump_return_pct;
        let km = |from: i64, to: i64| -> f64 {
            s.runs
                .iter()
                .filter(|a| a.start_ms > from && a.start_ms <= to)
                .map(Activity::distance_m)
                .sum::<f64>()
                / 1000.0
        };
        for a in s
            .runs
            .iter()
            .filter(|a| a.start_ms >= s.start_ms + 5 * WEEK_MS)
        {
            let t = a.start_ms;
            let last_7 = km(t - WEEK_MS, t - 1) + a.distance_m() / 1000.0;
            let weekly = km(t - 5 * WEEK_MS, t - WEEK_MS) / 4.0;
            let pct = (last_7 / weekly - 1.0) * 100.0;
            assert!(
                pct <= limit - 3.0,
                "week {}: {last_7:.1} km against {weekly:.1} ({pct:+.1} %)",
                s.week_of(t) + 1
            );
        }
    }

    #[test]
    fn the_season_is_deterministic() {
        let a = season(NOON_UTC, 3600);
        let b = season(NOON_UTC, 3600);
        assert_eq!(a, b);
        let bytes = |s: &Season| -> Vec<Vec<u8>> { s.runs.iter().take(6).map(encode).collect() };
        assert_eq!(bytes(&a), bytes(&b));
        // Another day: the same season, moved.
        let c = season(NOON_UTC + 3 * DAY_MS, 3600);
        assert_eq!(c.start_ms, a.start_ms + 3 * DAY_MS);
        assert_eq!(c.pain.len(), a.pain.len());
        for (p, q) in a.pain.iter().zip(&c.pain) {
            assert_eq!(q.at_ms - p.at_ms, 3 * DAY_MS);
            assert_eq!((p.score, p.kind), (q.score, q.kind));
        }
    }
}
