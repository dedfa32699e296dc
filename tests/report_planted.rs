//! Planted causes on real runs (issue 26): the correlation report must name
//! the one factor that pain followed, and no other, on real runners' own
//! histories, where factors travel together as they do in life (long runs
//! are the hilly ones, the weekend runs the long ones).
//!
//! The runs are real: the three histories beside the project
//! (`../shared/histories/`, fixtures/real-histories.md), each file decoded
//! and measured as import does, and each run's factors computed by
//! `report_input::build` from the history before it (distance, 30-day
//! longest, climb, pace against easy, part of day, cadence where the file
//! has it). What a GPX cannot carry is given per run from seeded dice:
//! the shoes (a new pair every 30–60 runs), the surface (trail more often
//! on a climbing run) and, where the file has none, the cadence shift
//! (lower on long runs, as fatigue does).
//!
//! The pain is a morning diary, one entry a day at 04:30 local time: a
//! baseline of 1 with noise of −1, 0 or +1 (whole points), and +3 on the
//! morning after a run with the planted factor. The factor is decided the
//! report's own way (its thresholds), since the test is of the statistics
//! telling factors apart, not of where the thresholds lie. Outcomes go
//! through `report_input::build` like a runner's log.
//!
//! The report runs with 400 resampling rounds instead of the default 2000,
//! to keep the run time of a few hundred reports reasonable: the smallest
//! p-value is then 1/401, far below the 0.05 the family is held to, and the
//! intervals' ends are the more extreme (so, if anything, fewer links).
#![allow(clippy::unwrap_used)]

#[path = "util/dice.rs"]
mod dice;

use dice::Dice;
use std::path::PathBuf;
use tendonwatch::baseline::BaselineSettings;
use tendonwatch::metrics::record::RunRecord;
use tendonwatch::metrics::surface::Surface;
use tendonwatch::metrics::{self, MetricsInput, PartOfDay};
use tendonwatch::pain::{PainEntry, PainKind};
use tendonwatch::report::{self, Report, ReportSettings, RunFactors, RunOutcome, Verdict};
use tendonwatch::zone::{DAY_MS, Zone};

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/histories");
const HISTORIES: [&str; 3] = ["rp-asplitline", "rp-tang-hi", "rp-helloo2020"];
/// The runners' zone (China).
const UTC8: Zone = Zone::Fixed(8 * 3600);
const ROUNDS: usize = 400;
/// Seeds of the pain diary's noise per planted cause, and for nothing planted.
const PLANT_SEEDS: u64 = 5;
const NULL_SEEDS: u64 = 50;
/// A cause carried by fewer runs than this is not expected to be named
/// (a flat city's two hilly runs): the report must then claim nothing else.
const MIN_PLANTED_RUNS: usize = 10;

/// One runner's real runs with the factors the report sees.
struct History {
    records: Vec<RunRecord>,
    /// Per record, the same order.
    factors: Vec<RunFactors>,
}

impl History {
    /// Every running activity of the history, measured as import measures
    /// it, with shoes given by dice; then each run's factors from the
    /// history before it, with surface and (where missing) cadence given.
    fn load(id: &str) -> History {
        let dir = PathBuf::from(SHARED).join(id);
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("the real history {id} must be at {}: {e}", dir.display()))
            .filter_map(|e| Some(e.ok()?.path()))
            .collect();
        paths.sort();
        let mut records: Vec<RunRecord> = Vec::new();
        for path in &paths {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let Ok(bytes) = std::fs::read(path) else {
                continue;
            };
            let Ok(decoded) = tendonwatch::decode::decode_file(&name, &bytes) else {
                continue;
            };
            for a in decoded.activities {
                let input = MetricsInput {
                    zone: UTC8,
                    ..MetricsInput::default()
                };
                let m = metrics::compute(&a, &input);
                // The broken Keep exports start in 1970 (issue 15): no time, no morning after.
                let sane = a.start_ms > 1_262_304_000_000 && m.elapsed_s < 6.0 * 3600.0;
                if m.cross_training || m.too_short() || !sane {
                    continue;
                }
                records.push(RunRecord {
                    activity_id: 0,
                    start_ms: a.start_ms,
                    local_offset_s: 8 * 3600,
                    metrics: m,
                    shoe_drop_mm: None,
                    shoe_name: None,
                });
            }
        }
        records.sort_by_key(|r| r.start_ms);
        let mut dice = Dice::new(0x5E0E5 ^ records.len() as u64);
        let mut pair = 0;
        let mut left_in_pair = 0;
        for (i, r) in records.iter_mut().enumerate() {
            r.activity_id = i as i64 + 1;
            if left_in_pair == 0 {
                pair += 1;
                left_in_pair = dice.int(30, 60);
            }
            left_in_pair -= 1;
            r.shoe_name = Some(format!("pair {pair}"));
        }
        let from = records.first().map_or(0, |r| r.start_ms);
        let mut factors: Vec<RunFactors> =
            tendonwatch::report_input::build(&records, &[], &BaselineSettings::default(), from)
                .into_iter()
                .map(|(f, _)| f)
                .collect();
        let climbs: Vec<f64> = factors.iter().filter_map(|f| f.climb_m_per_km).collect();
        let climbing = 2.0 * median_exact(&climbs);
        let long = 1.3 * median_exact(&factors.iter().map(|f| f.distance_m).collect::<Vec<_>>());
        for f in &mut factors {
            let trail_odds = if f.climb_m_per_km.is_some_and(|c| c > climbing) {
                0.4
            } else {
                0.1
            };
            f.surface = if dice.unit() < trail_odds {
                Surface::Trail
            } else {
                Surface::Road
            };
            if f.cadence_shift_pct.is_none() {
                let tired = if f.distance_m > long { 1.0 } else { 0.0 };
                f.cadence_shift_pct = Some(dice.between(-4.0, 2.0) - tired);
            }
        }
        History { records, factors }
    }

    /// The report on this history with `planted` (None: nothing) followed
    /// by +3 the next morning, the diary's noise drawn from `seed`.
    fn report(&self, planted: Option<&Plant>, effect: f64, seed: u64) -> Report {
        let with: Vec<bool> = self
            .factors
            .iter()
            .map(|f| planted.is_some_and(|p| p.holds(self, f)))
            .collect();
        let pain = diary(&self.records, &with, effect, seed);
        let from = self.records.first().map_or(0, |r| r.start_ms);
        let rows: Vec<(RunFactors, RunOutcome)> = tendonwatch::report_input::build(
            &self.records,
            &pain,
            &BaselineSettings::default(),
            from,
        )
        .into_iter()
        .zip(&self.factors)
        .map(|((_, outcome), factors)| (factors.clone(), outcome))
        .collect();
        report::report(
            &rows,
            &ReportSettings {
                bootstrap_rounds: ROUNDS,
                seed,
                ..ReportSettings::default()
            },
        )
    }

    /// The part of day the report does not compare others with: the second
    /// most common (the most common is the reference).
    fn second_part_of_day(&self) -> PartOfDay {
        let mut counts: Vec<(usize, PartOfDay)> = [
            PartOfDay::Morning,
            PartOfDay::Midday,
            PartOfDay::Evening,
            PartOfDay::Night,
        ]
        .into_iter()
        .map(|p| {
            (
                self.factors.iter().filter(|f| f.part_of_day == p).count(),
                p,
            )
        })
        .collect();
        counts.sort_by_key(|c| std::cmp::Reverse(c.0));
        counts[1].1
    }
}

/// A morning entry every local day at 04:30 (before nearly every run), from
/// the day of the first run to the day after the last: 1 ± 1, and
/// `effect` more on the first morning after a run in `with`; stiffness
/// 5 ± 3 minutes, and 3 × `effect` minutes more on those mornings.
fn diary(records: &[RunRecord], with: &[bool], effect: f64, seed: u64) -> Vec<PainEntry> {
    let local_day = |ms: i64| UTC8.local_ms(ms).div_euclid(DAY_MS);
    let (Some(first), Some(last)) = (records.first(), records.last()) else {
        return Vec::new();
    };
    let at = |day: i64| day * DAY_MS + 4 * 3_600_000 + 1_800_000 - 8 * 3_600_000;
    let first_day = local_day(first.start_ms);
    let mornings: Vec<i64> = (first_day..=local_day(last.end_ms()) + 1).map(at).collect();
    let mut raised = vec![false; mornings.len()];
    for (r, planted) in records.iter().zip(with) {
        if *planted && let Some(i) = mornings.iter().position(|m| *m > r.end_ms()) {
            raised[i] = true;
        }
    }
    let mut noise = Dice::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1A7);
    let mut stiffness_noise = Dice::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5717);
    let up = |u: bool| if u { effect } else { 0.0 };
    mornings
        .iter()
        .zip(&raised)
        .enumerate()
        .map(|(i, (at_ms, u))| PainEntry {
            id: i as i64 + 1,
            at_ms: *at_ms,
            score: (1.0 + up(*u) + noise.int(-1, 1) as f64).clamp(0.0, 10.0),
            kind: PainKind::Morning,
            stiffness_min: Some((5.0 + 3.0 * up(*u) + stiffness_noise.int(-3, 3) as f64).max(0.0)),
            side: None,
            note: None,
        })
        .collect()
}

/// A cause planted in the diary, and the factor id the report must name.
struct Plant {
    factor: String,
    holds: fn(&History, &RunFactors) -> bool,
}

impl Plant {
    fn holds(&self, h: &History, f: &RunFactors) -> bool {
        (self.holds)(h, f)
    }
}

/// The report's own thresholds (report.rs): distance at least 1.5 × the
/// median run, climbing at least 2 × the median climb and 6 m/km, at least
/// 5 minutes 10 % faster than easy, cadence 3 % or more below usual.
fn plants(h: &History) -> Vec<Plant> {
    let part = h.second_part_of_day();
    fn long(h: &History, f: &RunFactors) -> bool {
        let d: Vec<f64> = h.factors.iter().map(|f| f.distance_m).collect();
        f.distance_m >= report::LONG_DISTANCE_MEDIAN_FACTOR * median_exact(&d)
    }
    fn hilly(h: &History, f: &RunFactors) -> bool {
        let c: Vec<f64> = h.factors.iter().filter_map(|f| f.climb_m_per_km).collect();
        let threshold =
            report::HILLY_MIN_M_PER_KM.max(report::HILLY_MEDIAN_FACTOR * median_exact(&c));
        f.climb_m_per_km.is_some_and(|c| c >= threshold)
    }
    let mut all = vec![
        Plant {
            factor: "long_distance".into(),
            holds: long,
        },
        Plant {
            factor: "hilly".into(),
            holds: hilly,
        },
        Plant {
            factor: "fast".into(),
            holds: |_, f| f.minutes_faster_than_easy >= report::FAST_MIN_MINUTES,
        },
        Plant {
            factor: "surface_trail".into(),
            holds: |_, f| f.surface == Surface::Trail,
        },
        Plant {
            factor: "new_shoes".into(),
            holds: |_, f| f.new_shoes,
        },
        Plant {
            factor: "lower_cadence".into(),
            holds: |_, f| {
                f.cadence_shift_pct
                    .is_some_and(|p| p <= report::LOWER_CADENCE_PCT)
            },
        },
    ];
    let time_of_day: fn(&History, &RunFactors) -> bool =
        |h, f| f.part_of_day == h.second_part_of_day();
    all.push(Plant {
        factor: part.as_str().into(),
        holds: time_of_day,
    });
    all
}

/// The median as the report takes it (the mean of the middle two of an
/// even count).
fn median_exact(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[mid],
        _ => (v[mid - 1] + v[mid]) / 2.0,
    }
}

/// The factors a report claims something of: a link, or less pain.
fn claims(r: &Report) -> Vec<String> {
    r.factors
        .iter()
        .filter(|f| matches!(f.verdict, Verdict::Link | Verdict::Protective))
        .map(|f| format!("{} ({})", f.factor, f.verdict.as_str()))
        .collect()
}

/// Each cause carried by enough runs is named, in every report, by the
/// morning pain and by the morning stiffness alike; another
/// factor is claimed as rarely as on pure noise: the family of factors is
/// held at 5 % together, so "no other" can hold only at that rate.
#[test]
fn each_planted_cause_is_named_and_no_other() {
    let mut missed = Vec::new();
    let mut other_links = Vec::new();
    let mut other_less = Vec::new();
    let mut named_somewhere: Vec<String> = Vec::new();
    let (mut reports, mut expected_reports, mut too_few) = (0, 0, 0);
    for id in HISTORIES {
        let h = History::load(id);
        for (k, plant) in plants(&h).iter().enumerate() {
            let n = h.factors.iter().filter(|f| plant.holds(&h, f)).count();
            let expected = n >= MIN_PLANTED_RUNS;
            let mut every_seed = expected;
            for s in 1..=PLANT_SEEDS {
                // Each cause its own diaries: one unlucky noise draw is one report.
                let seed = 100 * (k as u64 + 1) + s;
                let r = h.report(Some(plant), 3.0, seed);
                reports += 1;
                let is_planted = |f: &&report::FactorResult| f.factor == plant.factor;
                let stiffness = r
                    .other_pain
                    .iter()
                    .find(|o| o.outcome == "morning_stiffness")
                    .unwrap();
                let named = r
                    .factors
                    .iter()
                    .find(is_planted)
                    .is_some_and(|f| f.verdict == Verdict::Link)
                    && stiffness
                        .factors
                        .iter()
                        .find(is_planted)
                        .is_some_and(|f| f.verdict == Verdict::Link);
                let others: Vec<String> = claims(&r)
                    .into_iter()
                    .filter(|c| !c.starts_with(&format!("{} (", plant.factor)))
                    .collect();
                eprintln!(
                    "{id}: {} planted on {n} of {} runs, seed {seed}: named {named} (pain and stiffness), others {others:?}",
                    plant.factor,
                    h.factors.len()
                );
                let what = format!("{id}, {} on {n} runs, seed {seed}", plant.factor);
                if expected {
                    expected_reports += 1;
                } else {
                    too_few += 1;
                }
                if expected && !named {
                    let words: Vec<String> = r
                        .factors
                        .iter()
                        .map(|f| format!("{}: {}", f.label, f.words))
                        .collect();
                    missed.push(format!("{what}\n  {}", words.join("\n  ")));
                }
                if others.iter().any(|c| c.ends_with("(link)")) {
                    other_links.push(format!("{what}: {others:?}"));
                } else if !others.is_empty() {
                    other_less.push(format!("{what}: {others:?}"));
                }
                every_seed &= named;
            }
            if every_seed {
                named_somewhere.push(plant.factor.clone());
            }
        }
    }
    let percent = |n: usize| 100.0 * n as f64 / reports as f64;
    eprintln!(
        "planted causes: named in {} of {expected_reports} reports of a cause on {MIN_PLANTED_RUNS} \
         runs or more ({too_few} more on fewer runs); another factor linked in {} of {reports} \
         ({:.1} %), only less pain claimed of another in {} more\n  other links: {other_links:?}\n  \
         less pain: {other_less:?}",
        expected_reports - missed.len(),
        other_links.len(),
        percent(other_links.len()),
        other_less.len(),
    );
    assert!(missed.is_empty(), "not named:\n{}", missed.join("\n"));
    assert!(percent(other_links.len()) <= 5.0, "{other_links:#?}");
    // Every kind of cause was planted on enough runs somewhere (the part
    // of day differs by runner: any one of them counts).
    for kind in [
        "long_distance",
        "hilly",
        "fast",
        "surface_trail",
        "new_shoes",
        "lower_cadence",
    ] {
        assert!(
            named_somewhere.iter().any(|n| n == kind),
            "{kind} named in no history: {named_somewhere:?}"
        );
    }
    assert!(
        named_somewhere
            .iter()
            .any(|n| ["morning", "midday", "evening", "night"].contains(&n.as_str())),
        "{named_somewhere:?}"
    );
}

/// A family of factors held at 5 % together, both ways (a rise, or less
/// pain): about 5 % of reports on pure noise claim something, about half
/// of those a rise. A false link is a claimed rise.
#[test]
fn a_planted_nothing_gives_a_false_link_in_at_most_5_percent_of_reports() {
    let mut links = Vec::new();
    let mut less_pain = Vec::new();
    let mut stiffness_links = Vec::new();
    let mut reports = 0;
    for id in HISTORIES {
        let h = History::load(id);
        for seed in 1..=NULL_SEEDS {
            let r = h.report(None, 0.0, seed);
            reports += 1;
            let stiffness = r
                .other_pain
                .iter()
                .find(|o| o.outcome == "morning_stiffness")
                .unwrap();
            if let Some(f) = stiffness
                .factors
                .iter()
                .find(|f| f.verdict == Verdict::Link)
            {
                stiffness_links.push(format!("{id} seed {seed}: {}", f.factor));
            }
            let c = claims(&r);
            if c.iter().any(|c| c.ends_with("(link)")) {
                links.push(format!("{id} seed {seed}: {c:?}"));
            } else if !c.is_empty() {
                less_pain.push(format!("{id} seed {seed}: {c:?}"));
            }
        }
    }
    let percent = |n: usize| 100.0 * n as f64 / reports as f64;
    eprintln!(
        "nothing planted: {} of {reports} reports claimed a link ({:.1} %), {} more only less pain \
         (any claim {:.1} %); morning stiffness: a link in {} ({:.1} %)\n  links: {links:?}\n  \
         less pain: {less_pain:?}\n  stiffness: {stiffness_links:?}",
        links.len(),
        percent(links.len()),
        less_pain.len(),
        percent(links.len() + less_pain.len()),
        stiffness_links.len(),
        percent(stiffness_links.len()),
    );
    assert!(percent(links.len()) <= 5.0, "{links:#?}");
    assert!(
        percent(stiffness_links.len()) <= 5.0,
        "{stiffness_links:#?}"
    );
    // Both ways together are held at 5 % in expectation; over these seeds
    // a little above it would still be chance, far above it would not.
    assert!(
        percent(links.len() + less_pain.len()) <= 7.5,
        "{links:#?}\n{less_pain:#?}"
    );
}

/// A weak cause (+0.5 instead of +3) on the long runs: where the report
/// cannot tell it yet, it says how many more runs would, and the counts
/// are those of the history as it is.
#[test]
fn a_weak_cause_says_how_many_more_runs_would_tell() {
    let mut told = Vec::new();
    for id in HISTORIES {
        let h = History::load(id);
        let plant = plants(&h).into_iter().next().unwrap();
        assert_eq!(plant.factor, "long_distance");
        for seed in 1..=PLANT_SEEDS {
            let r = h.report(Some(&plant), 0.5, seed);
            let long = r
                .factors
                .iter()
                .find(|f| f.factor == "long_distance")
                .unwrap();
            eprintln!("{id} seed {seed}: {:?}: {}", long.verdict, long.words);
            if long.verdict == Verdict::NoClearLink {
                let k = long.more_runs_needed.unwrap_or_else(|| panic!("{long:#?}"));
                assert!(long.words.contains(" would tell"), "{}", long.words);
                assert!(long.words.contains(&format!(" {k} ")), "{}", long.words);
                told.push(format!("{id} seed {seed}: {k} more"));
            }
        }
    }
    eprintln!("weak cause not yet clear, with the runs that would tell: {told:?}");
    assert!(
        !told.is_empty(),
        "a weak cause was always clear: make it weaker"
    );
}
