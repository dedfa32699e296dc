//! The correlation report (`tendonwatch report`, RULES.md C `pain_link`)
//! told as stories about made-up runners: a runner whose tendon answers
//! only to hills, a runner whose pain is pure noise, a runner with too few
//! runs to say anything, a runner who hurts beyond 12 km.
//! Every generator below is seeded, so each story is the same every time.
#![allow(clippy::unwrap_used)]

#[path = "util/dice.rs"]
mod dice;

use dice::Dice;
use tendonwatch::metrics::PartOfDay;
use tendonwatch::metrics::surface::Surface;
use tendonwatch::report::{
    PartOfDayRow, Report, ReportSettings, RunFactors, RunOutcome, Verdict, report,
};

const DAY_MS: i64 = 86_400_000;

fn settings(seed: u64) -> ReportSettings {
    ReportSettings {
        seed,
        ..ReportSettings::default()
    }
}

fn run(i: usize, distance_m: f64) -> RunFactors {
    RunFactors {
        activity_id: i as i64 + 1,
        start_ms: 1_700_000_000_000 + i as i64 * 2 * DAY_MS,
        distance_m,
        distance_vs_longest_30d: None,
        climb_m_per_km: Some(2.0),
        minutes_faster_than_easy: 0.0,
        surface: Surface::Road,
        new_shoes: false,
        part_of_day: PartOfDay::Morning,
        cadence_shift_pct: Some(0.0),
    }
}

/// Fills `distance_vs_longest_30d` the way the caller does: against the
/// longest run of the 30 days before (RULES.md A `run_spike`).
fn with_longest_30d(mut runs: Vec<RunFactors>) -> Vec<RunFactors> {
    let snapshot: Vec<(i64, f64)> = runs.iter().map(|r| (r.start_ms, r.distance_m)).collect();
    for r in &mut runs {
        let longest = snapshot
            .iter()
            .filter(|(t, _)| *t < r.start_ms && *t >= r.start_ms - 30 * DAY_MS)
            .map(|(_, d)| *d)
            .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.max(d))));
        r.distance_vs_longest_30d = longest.map(|l| r.distance_m / l);
    }
    runs
}

/// 40 runs, one every two days. Every 4th run is hilly (15 m/km); the
/// others climb 1–4 m/km. Everything else is mixed at random: a quarter
/// fast, a quarter on trail, a few on the track, 5–16 km, mornings,
/// middays and evenings, two new pairs of shoes, some runs without
/// cadence data.
fn mixed_runner() -> Vec<RunFactors> {
    let mut dice = Dice::new(2024);
    let runs = (0..40)
        .map(|i| {
            let hilly = i % 4 == 3;
            let mut r = run(i, dice.between(5000.0, 16000.0));
            r.climb_m_per_km = Some(if hilly { 15.0 } else { dice.between(1.0, 4.0) });
            r.minutes_faster_than_easy = if dice.unit() < 0.25 {
                dice.between(6.0, 20.0)
            } else {
                dice.between(0.0, 2.0)
            };
            r.surface = match dice.unit() {
                u if u < 0.25 => Surface::Trail,
                u if u < 0.35 => Surface::Track,
                _ => Surface::Road,
            };
            r.new_shoes = matches!(i, 0..=2 | 20..=22);
            r.part_of_day = match dice.int(0, 2) {
                0 => PartOfDay::Morning,
                1 => PartOfDay::Midday,
                _ => PartOfDay::Evening,
            };
            r.cadence_shift_pct = (dice.unit() < 0.8).then(|| dice.between(-6.0, 2.0));
            r
        })
        .collect();
    with_longest_30d(runs)
}

fn is_hilly(r: &RunFactors) -> bool {
    r.climb_m_per_km == Some(15.0)
}

fn outcome(morning_change: f64) -> RunOutcome {
    RunOutcome {
        morning_change: Some(morning_change),
        ..RunOutcome::default()
    }
}

fn factor<'a>(report: &'a Report, name: &str) -> &'a tendonwatch::report::FactorResult {
    report
        .factors
        .iter()
        .find(|f| f.factor == name)
        .unwrap_or_else(|| panic!("no factor {name} in {:#?}", report.factors))
}

#[test]
fn pain_that_rises_only_after_hills_shows_a_hill_link_and_nothing_else() {
    let mut noise = Dice::new(7);
    let runs: Vec<(RunFactors, RunOutcome)> = mixed_runner()
        .into_iter()
        .map(|r| {
            let change = if is_hilly(&r) {
                3.0 + noise.between(-0.5, 0.5)
            } else {
                noise.between(-0.5, 0.5)
            };
            (r, outcome(change))
        })
        .collect();
    let report = report(&runs, &settings(1));

    let first = &report.factors[0];
    assert_eq!(first.factor, "hilly", "{:#?}", report.factors);
    assert_eq!(first.verdict, Verdict::Link);
    assert_eq!((first.n_with, first.n_without), (10, 30));
    assert_eq!(first.rises_with, 10);
    let (lo, hi) = first.interval.unwrap();
    assert!(lo > 0.0 && lo <= first.effect.unwrap() && hi >= first.effect.unwrap());
    assert!(
        first
            .words
            .starts_with("10 of 10 hilly runs were followed by a rise of ≥ 2 (mean +"),
        "{}",
        first.words
    );
    assert!(
        !first.words.contains("hint"),
        "10 runs are more than a hint"
    );
    for f in &report.factors[1..] {
        assert_ne!(f.verdict, Verdict::Link, "{f:#?}");
    }
    for f in &report.factors {
        assert!(!f.words.contains("cause"), "{}", f.words);
    }
    assert!(
        report
            .summary
            .starts_with("Next-morning pain rose more after hilly runs (mean +"),
        "{}",
        report.summary
    );
    assert!(
        report
            .summary
            .ends_with("40 of 40 runs had a next-morning entry.")
    );
}

/// Morning pain drawn at random, -2..=2 whole points (pain is logged in
/// whole points), independent of every factor: five noise draws over the
/// same runs, and no draw may show a link or a "protective" factor.
#[test]
fn pain_that_is_noise_shows_no_link() {
    let runs = mixed_runner();
    for noise_seed in 1..=5 {
        let mut noise = Dice::new(noise_seed);
        let with_noise: Vec<(RunFactors, RunOutcome)> = runs
            .iter()
            .map(|r| (r.clone(), outcome(noise.int(-2, 2) as f64)))
            .collect();
        let report = report(&with_noise, &settings(noise_seed));
        assert!(report.factors_compared >= 9, "{report:#?}");
        for f in &report.factors {
            assert!(
                matches!(
                    f.verdict,
                    Verdict::NoClearLink | Verdict::NotEnoughData | Verdict::Reference
                ),
                "noise seed {noise_seed}: {f:#?}"
            );
        }
        assert!(
            report
                .summary
                .starts_with("No factor shows a clear link yet.")
        );
    }
}

#[test]
fn two_runs_are_never_a_link_however_bad_they_were() {
    // Ten road runs, two of them on trail and followed by a jump of 8.
    let runs: Vec<(RunFactors, RunOutcome)> = (0..10)
        .map(|i| {
            let mut r = run(i, 8000.0);
            let trail = i == 4 || i == 7;
            if trail {
                r.surface = Surface::Trail;
            }
            (r, outcome(if trail { 8.0 } else { 0.0 }))
        })
        .collect();
    let report = report(&runs, &settings(3));

    let trail = factor(&report, "surface_trail");
    assert_eq!((trail.n_with, trail.n_without), (2, 8));
    assert_eq!(trail.effect, Some(8.0));
    assert_eq!(trail.verdict, Verdict::NotEnoughData);
    assert_eq!(trail.interval, None);
    assert_eq!(
        trail.words,
        "not enough data: 2 trail runs with a next-morning entry (need 3)"
    );
    // The mirror image: road runs have only two others to compare with.
    let road = factor(&report, "surface_road");
    assert_eq!(road.verdict, Verdict::NotEnoughData);
    assert_eq!(
        road.words,
        "not enough data: only 2 other runs with a next-morning entry to compare with (need 3)"
    );
    assert!(report.factors.iter().all(|f| f.verdict != Verdict::Link));
    assert!(
        report
            .summary
            .starts_with("No factor shows a clear link yet.")
    );
}

#[test]
fn runs_without_a_morning_entry_or_without_the_data_are_left_out() {
    // 12 runs; the hilly ones have no climb data on two of them, and three
    // runs have no next-morning entry.
    let runs: Vec<(RunFactors, RunOutcome)> = (0..12)
        .map(|i| {
            let mut r = run(i, 8000.0);
            if i % 3 == 0 {
                r.climb_m_per_km = Some(20.0);
            }
            if i == 0 || i == 3 {
                r.climb_m_per_km = None;
            }
            let o = if i >= 9 {
                RunOutcome::default()
            } else {
                outcome(1.0)
            };
            (r, o)
        })
        .collect();
    let report = report(&runs, &settings(4));
    assert_eq!((report.runs, report.runs_with_outcome), (12, 9));
    let hilly = factor(&report, "hilly");
    // Climbing runs 0, 3, 6, 9: 0 and 3 unknown, 9 without an entry.
    assert_eq!((hilly.n_with, hilly.n_without), (1, 6));
    assert_eq!(hilly.verdict, Verdict::NotEnoughData);
    assert_eq!(
        hilly.words,
        "not enough data: 1 hilly run with a next-morning entry (need 3)"
    );
    // No history, no long runs to speak of.
    let long = factor(&report, "long_run");
    assert_eq!((long.n_with, long.n_without), (0, 0));
    assert!(
        report
            .summary
            .ends_with("9 of 12 runs had a next-morning entry.")
    );
}

#[test]
fn a_link_from_few_runs_is_called_a_hint() {
    // 4 trail runs followed by +3, 16 road runs by 0 or +1: a clear
    // difference, but from four runs.
    let runs: Vec<(RunFactors, RunOutcome)> = (0..20)
        .map(|i| {
            let mut r = run(i, 8000.0);
            let trail = i % 5 == 2;
            if trail {
                r.surface = Surface::Trail;
            }
            let change = if trail { 3.0 } else { (i % 2) as f64 };
            (r, outcome(change))
        })
        .collect();
    let report = report(&runs, &settings(5));
    let trail = &report.factors[0];
    assert_eq!(trail.factor, "surface_trail");
    assert_eq!(trail.verdict, Verdict::Link);
    assert!(
        trail.words.starts_with(
            "4 of 4 trail runs were followed by a rise of ≥ 2 (mean +3.0 vs +0.5 otherwise; +2.5 against road runs beyond the other factors, 95 % interval +"
        ),
        "{}",
        trail.words
    );
    assert!(trail.words.ends_with("; few runs, so treat it as a hint"));
    // Road, the most common surface, is what trail is weighed against.
    let road = factor(&report, "surface_road");
    assert_eq!(road.verdict, Verdict::Reference);
    assert_eq!(trail.compared_with.as_deref(), Some("surface_road"));
    assert!(
        road.words.ends_with(
            "; the runs the other surfaces are compared with (mean +0.5 vs +3.0 otherwise)"
        ),
        "{}",
        road.words
    );
}

#[test]
fn the_same_input_and_seed_give_the_same_report() {
    let mut noise = Dice::new(11);
    let runs: Vec<(RunFactors, RunOutcome)> = mixed_runner()
        .into_iter()
        .map(|r| {
            let change = if is_hilly(&r) { 2.0 } else { 0.0 } + noise.int(-1, 1) as f64;
            let during = Some(noise.int(0, 4) as f64);
            (
                r,
                RunOutcome {
                    morning_change: Some(change),
                    during,
                    ..RunOutcome::default()
                },
            )
        })
        .collect();
    let a = report(&runs, &settings(99));
    let b = report(&runs, &settings(99));
    assert_eq!(a, b);
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
    // Another seed moves the intervals' ends a little, never the counts.
    let c = report(&runs, &settings(100));
    for (x, y) in a.factors.iter().zip(&c.factors) {
        assert_eq!(
            (&x.factor, x.n_with, x.rises_with),
            (&y.factor, y.n_with, y.rises_with)
        );
    }
}

/// "Stop before it hurts" ("Achilles Tendonitis – Recovery and Workouts"): 4 of the 5 runs of 12 km or more
/// were followed by a rise, 1 of the 9 shorter ones.
#[test]
fn a_distance_tolerance_shows_with_its_counts() {
    let long = [
        (12_000.0, 3.0),
        (13_000.0, 2.0),
        (14_000.0, 0.0),
        (15_000.0, 4.0),
        (16_000.0, 3.0),
    ];
    let short = [
        (5_000.0, 0.0),
        (5_500.0, 1.0),
        (6_000.0, 0.0),
        (6_500.0, -1.0),
        (7_000.0, 2.0),
        (8_000.0, 0.0),
        (8_500.0, 1.0),
        (9_000.0, 0.0),
        (10_000.0, 0.0),
    ];
    let runs: Vec<(RunFactors, RunOutcome)> = short
        .iter()
        .chain(&long)
        .enumerate()
        .map(|(i, (d, change))| {
            let mut r = run(i, *d);
            r.climb_m_per_km = None;
            (r, outcome(*change))
        })
        .collect();
    let report = report(&runs, &settings(6));

    assert_eq!(report.tolerance.len(), 1, "{:#?}", report.tolerance);
    let t = &report.tolerance[0];
    assert_eq!(t.measure, "distance");
    assert_eq!(t.threshold, 12_000.0);
    assert_eq!(
        (t.runs_beyond, t.rises_beyond, t.runs_below, t.rises_below),
        (5, 4, 9, 1)
    );
    assert_eq!(
        t.words,
        "4 of 5 runs of 12.0 km or more were followed by a rise of ≥ 2, against 1 of 9 shorter runs"
    );
}

#[test]
fn a_climb_tolerance_and_none_where_rises_are_spread() {
    // Climb: rises from 10 m/km up (3 of 4), 1 of 8 below. Distance: rises
    // spread evenly over all lengths, so no distance tolerance.
    let climbs = [
        1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 10.0, 12.0, 14.0, 16.0,
    ];
    let rose = [
        false, false, true, false, false, false, false, false, true, true, false, true,
    ];
    let distances = [
        9_000.0, 6_000.0, 12_000.0, 7_000.0, 11_000.0, 8_000.0, 10_000.0, 5_000.0, 6_500.0,
        9_500.0, 12_500.0, 7_500.0,
    ];
    let runs: Vec<(RunFactors, RunOutcome)> = (0..12)
        .map(|i| {
            let mut r = run(i, distances[i]);
            r.climb_m_per_km = Some(climbs[i]);
            (r, outcome(if rose[i] { 2.5 } else { 0.0 }))
        })
        .collect();
    let report = report(&runs, &settings(8));
    assert_eq!(report.tolerance.len(), 1, "{:#?}", report.tolerance);
    let t = &report.tolerance[0];
    assert_eq!(t.measure, "climb");
    assert_eq!(t.threshold, 10.0);
    assert_eq!(
        t.words,
        "3 of 4 runs with 10.0 m/km of climbing or more were followed by a rise of ≥ 2, against 1 of 8 flatter runs"
    );
}

#[test]
fn part_of_day_rows_count_and_average() {
    let rows_in = [
        (PartOfDay::Morning, Some(1.0), Some(2.0)),
        (PartOfDay::Evening, Some(0.0), None),
        (PartOfDay::Morning, Some(2.0), Some(4.0)),
        (PartOfDay::Evening, None, None),
        (PartOfDay::Morning, Some(3.0), None),
        (PartOfDay::Night, None, Some(5.0)),
    ];
    let runs: Vec<(RunFactors, RunOutcome)> = rows_in
        .iter()
        .enumerate()
        .map(|(i, (part, change, during))| {
            let mut r = run(i, 8000.0);
            r.part_of_day = *part;
            (
                r,
                RunOutcome {
                    morning_change: *change,
                    during: *during,
                    ..RunOutcome::default()
                },
            )
        })
        .collect();
    let report = report(&runs, &settings(9));
    assert_eq!(
        report.part_of_day,
        vec![
            PartOfDayRow {
                part: PartOfDay::Morning,
                runs: 3,
                runs_with_change: 3,
                mean_change: Some(2.0),
                mean_during: Some(3.0),
                mean_after: None,
            },
            PartOfDayRow {
                part: PartOfDay::Evening,
                runs: 2,
                runs_with_change: 1,
                mean_change: Some(0.0),
                mean_during: None,
                mean_after: None,
            },
            PartOfDayRow {
                part: PartOfDay::Night,
                runs: 1,
                runs_with_change: 0,
                mean_change: None,
                mean_during: Some(5.0),
                mean_after: None,
            },
        ]
    );
    // Parts of day are factors too, each against the rest.
    let morning = factor(&report, "morning");
    assert_eq!((morning.n_with, morning.n_without), (3, 1));
    assert!(report.factors.iter().all(|f| f.factor != "midday"));
}

#[test]
fn no_runs_no_claims() {
    let report = report(&[], &settings(0));
    assert_eq!(report.runs, 0);
    assert!(report.tolerance.is_empty() && report.part_of_day.is_empty());
    assert!(
        report
            .factors
            .iter()
            .all(|f| f.verdict == Verdict::NotEnoughData)
    );
    assert_eq!(
        report.summary,
        "No factor shows a clear link yet. 0 of 0 runs had a next-morning entry."
    );
}

/// Issue 26: a runner whose long runs are the hilly ones, and whose pain
/// rises only after long runs. Compared alone, hills look linked; beyond
/// the distance they are nothing, and the report says so in words.
#[test]
fn pain_after_long_runs_that_are_the_hilly_ones_names_the_distance_not_the_hills() {
    let mut dice = Dice::new(26);
    let runs: Vec<(RunFactors, RunOutcome)> = (0..80)
        .map(|i| {
            let long = i % 4 == 1;
            let mut r = run(
                i,
                if long {
                    dice.between(14_000.0, 18_000.0)
                } else {
                    dice.between(6_000.0, 10_000.0)
                },
            );
            let hilly = if long {
                dice.unit() < 0.8
            } else {
                dice.unit() < 0.1
            };
            r.climb_m_per_km = Some(if hilly {
                dice.between(12.0, 20.0)
            } else {
                dice.between(1.0, 4.0)
            });
            let change = if long { 3.0 } else { 0.0 } + dice.int(-1, 1) as f64;
            (r, outcome(change))
        })
        .collect();
    let runs: Vec<(RunFactors, RunOutcome)> = {
        let factors = with_longest_30d(runs.iter().map(|(r, _)| r.clone()).collect());
        factors
            .into_iter()
            .zip(runs.into_iter().map(|(_, o)| o))
            .collect()
    };
    let report = report(&runs, &settings(26));

    let long = &report.factors[0];
    assert_eq!(long.factor, "long_distance", "{:#?}", report.factors);
    assert_eq!(long.verdict, Verdict::Link);
    assert!(long.label.starts_with("long runs of 1"), "{}", long.label);
    let hilly = factor(&report, "hilly");
    assert_eq!(
        hilly.verdict_alone,
        Verdict::Link,
        "alone, hills look linked: {hilly:#?}"
    );
    assert_eq!(hilly.verdict, Verdict::NoClearLink, "{hilly:#?}");
    assert_eq!(hilly.explained_by.as_deref(), Some("long_distance"));
    assert!(
        hilly
            .words
            .starts_with("no rise beyond what their distance explains: "),
        "{}",
        hilly.words
    );
    let (lo, hi) = hilly.adjusted_interval.unwrap();
    assert!(lo < 0.0 && hi > 0.0, "({lo}, {hi})");
    assert!(
        report
            .summary
            .contains("Hilly runs: no rise beyond what their distance explains."),
        "{}",
        report.summary
    );
    for f in &report.factors[1..] {
        assert_ne!(f.verdict, Verdict::Link, "{f:#?}");
    }
}

/// New shoes worn on exactly the trail runs: the data cannot tell the two
/// apart, and says so instead of splitting the rise between them.
#[test]
fn a_factor_on_the_same_runs_as_another_cannot_be_told_apart() {
    let runs: Vec<(RunFactors, RunOutcome)> = (0..30)
        .map(|i| {
            let mut r = run(i, 8000.0);
            let trail = i % 5 == 0;
            if trail {
                r.surface = Surface::Trail;
                r.new_shoes = true;
            }
            (r, outcome(if trail { 3.0 } else { (i % 3) as f64 - 1.0 }))
        })
        .collect();
    let report = report(&runs, &settings(12));
    let shoes = factor(&report, "new_shoes");
    assert_eq!(shoes.verdict, Verdict::NotEnoughData, "{shoes:#?}");
    assert_eq!(shoes.same_runs_as.as_deref(), Some("surface_trail"));
    assert!(
        shoes
            .words
            .starts_with("cannot be told apart from trail runs: the same runs carry both (6 of 6 runs in new shoes were followed"),
        "{}",
        shoes.words
    );
    assert_eq!(factor(&report, "surface_trail").verdict, Verdict::Link);
}

/// Nine runs without altitude were followed by +3; the hilly and the flat
/// runs alike by nothing. The unknown runs are neither hilly nor flat:
/// counted as "not hilly" they would make hills look protective.
#[test]
fn runs_that_cannot_tell_are_not_counted_as_without() {
    let runs: Vec<(RunFactors, RunOutcome)> = (0..36)
        .map(|i| {
            let mut r = run(i, 8000.0);
            r.climb_m_per_km = match i % 4 {
                0 => Some(15.0),
                1 | 2 => Some(2.0),
                _ => None,
            };
            let change = if i % 4 == 3 { 3.0 } else { 0.0 } + ((i / 4) % 2) as f64;
            (r, outcome(change))
        })
        .collect();
    let report = report(&runs, &settings(13));
    let hilly = factor(&report, "hilly");
    assert_eq!((hilly.n_with, hilly.n_without), (9, 18));
    assert_eq!(hilly.verdict, Verdict::NoClearLink, "{hilly:#?}");
    assert!(hilly.adjusted_effect.unwrap().abs() < 0.5, "{hilly:#?}");
}

/// A small rise after the few runs in new shoes: not clear yet, and the
/// report says how many more such runs would tell.
#[test]
fn a_weak_rare_rise_says_how_many_more_runs_would_tell() {
    let mut noise = Dice::new(31);
    let runs: Vec<(RunFactors, RunOutcome)> = mixed_runner()
        .into_iter()
        .map(|mut r| {
            r.new_shoes = (21..=24).contains(&r.activity_id);
            let change = if r.new_shoes { 1.0 } else { 0.0 } + noise.int(-1, 1) as f64;
            (r, outcome(change))
        })
        .collect();
    let report = report(&runs, &settings(14));
    let shoes = factor(&report, "new_shoes");
    assert_eq!(shoes.verdict, Verdict::NoClearLink, "{shoes:#?}");
    let k = shoes
        .more_runs_needed
        .unwrap_or_else(|| panic!("{shoes:#?}"));
    eprintln!("{}", shoes.words);
    assert!(
        shoes.words.ends_with(&format!(
            "; {k} more {} with a next-morning entry would tell",
            if k == 1 {
                "run in new shoes"
            } else {
                "runs in new shoes"
            }
        )),
        "{}",
        shoes.words
    );
}

/// RULES.md C: the Silbernagel model reads pain during and after the run
/// and morning stiffness too. A runner whose pain during the run is high
/// on fast runs (logged on 30 of 40 runs) and whose morning stiffness
/// rises after hilly ones, and who never logs evening pain: each is
/// reported with its own counts, the evening not at all.
#[test]
fn pain_during_and_morning_stiffness_are_judged_with_their_own_counts() {
    let mut noise = Dice::new(44);
    let runs: Vec<(RunFactors, RunOutcome)> = mixed_runner()
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let fast = r.minutes_faster_than_easy >= 5.0;
            let during = (i % 4 != 0)
                .then(|| (if fast { 5.0 } else { 1.0 } + noise.int(-1, 1) as f64).max(0.0));
            let stiffness_before = 5.0 + noise.int(0, 2) as f64;
            let stiffness_change = if is_hilly(&r) { 10.0 } else { 0.0 } + noise.int(-2, 2) as f64;
            let outcome = RunOutcome {
                morning_change: Some(noise.int(-1, 1) as f64),
                morning_before: Some(1.0),
                during,
                stiffness_change: Some(stiffness_change),
                stiffness_before: Some(stiffness_before),
                ..RunOutcome::default()
            };
            (r, outcome)
        })
        .collect();
    let report = report(&runs, &settings(44));
    let kinds: Vec<&str> = report
        .other_pain
        .iter()
        .map(|o| o.outcome.as_str())
        .collect();
    assert_eq!(kinds, ["during", "morning_stiffness"]);

    let during = &report.other_pain[0];
    assert_eq!(during.runs_with_outcome, 30);
    let fast = &during.factors[0];
    assert_eq!(
        (fast.factor.as_str(), fast.verdict),
        ("fast", Verdict::Link),
        "{:#?}",
        during.factors
    );
    assert_eq!(fast.n_with + fast.n_without, 30);
    assert!(
        fast.words
            .contains("fast runs were followed by pain above 3 during the run (mean +"),
        "{}",
        fast.words
    );
    assert!(
        during
            .summary
            .starts_with("Pain during the run was higher in fast runs (mean +")
            && during
                .summary
                .ends_with("30 of 40 runs had a pain entry during the run."),
        "{}",
        during.summary
    );
    assert!(
        during.factors[1..]
            .iter()
            .all(|f| f.verdict != Verdict::Link)
    );

    let stiffness = &report.other_pain[1];
    assert_eq!(stiffness.runs_with_outcome, 40);
    assert_eq!(
        stiffness.factors[0].factor, "hilly",
        "{:#?}",
        stiffness.factors
    );
    assert_eq!(stiffness.factors[0].verdict, Verdict::Link);
    assert_eq!(
        stiffness.factors[0].rises_with, 10,
        "every hilly run: ≥ 5 min more"
    );
    assert!(
        stiffness.factors[1..]
            .iter()
            .all(|f| f.verdict != Verdict::Link)
    );
    // The morning pain itself was noise.
    assert!(report.factors.iter().all(|f| f.verdict != Verdict::Link));
}
