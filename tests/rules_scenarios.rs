//! One story per rule, end to end: the training simulator writes a runner's
//! weeks as real FIT files, ingest stores and measures them, the rules are
//! replayed in time order — and each test asserts the exact alerts raised,
//! nothing else.
//!
//! The runner (sim::training defaults): three runs a week (Tue 7.2 km, Thu
//! 7.2 km, Sun 9.6 km long run), easy 6:00/km, 168 spm, flat.
#![allow(clippy::unwrap_used)]

use tendonwatch::activity::Activity;
use tendonwatch::alerts::{RuleSettings, evaluate_pending};
use tendonwatch::baseline::BaselineSettings;
use tendonwatch::ingest::{self, Settings};
use tendonwatch::metrics::surface::{NamedArea, Surface};
use tendonwatch::rules::{Mode, Profile, Thresholds};
use tendonwatch::sim::fit_writer::encode;
use tendonwatch::sim::training::{self, Event, Runner, Week};
use tendonwatch::store::Store;
use tendonwatch::store::alerts::Alert;

fn settings(mode: Mode) -> RuleSettings {
    RuleSettings {
        baseline: BaselineSettings::default(),
        profile: Profile { mode, age: None },
        thresholds: Thresholds::default(),
        horizon_days: 3,
        sinks: Vec::new(),
        zone: tendonwatch::zone::Zone::Fixed(3600),
    }
}

/// A story: activities → FIT files in a sync folder → ingest → replay.
struct Story {
    _dir: tempfile::TempDir,
    store: Store,
    sync: std::path::PathBuf,
    areas: Vec<NamedArea>,
    written: usize,
}

impl Story {
    fn new() -> Story {
        let dir = tempfile::tempdir().unwrap();
        let sync = dir.path().join("sync");
        std::fs::create_dir(&sync).unwrap();
        let store = Store::open(&dir.path().join("tw.db")).unwrap();
        Story {
            _dir: dir,
            store,
            sync,
            areas: Vec::new(),
            written: 0,
        }
    }

    fn runs(&mut self, activities: &[Activity]) -> &mut Story {
        for a in activities {
            std::fs::write(
                self.sync.join(format!("{:04}.fit", self.written)),
                encode(a),
            )
            .unwrap();
            self.written += 1;
        }
        self
    }

    /// Ingest everything written so far and replay the rules; "now" is just
    /// after the last run, so every alert is recent.
    fn replay(&mut self, settings: &RuleSettings) -> Vec<Alert> {
        let (files, problems) = ingest::discover(std::slice::from_ref(&self.sync));
        assert!(problems.is_empty());
        let ingest_settings = Settings {
            areas: std::sync::Arc::new(self.areas.clone()),
            zone: tendonwatch::zone::Zone::Fixed(3600),
            ..Settings::default()
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .build()
            .unwrap();
        runtime
            .block_on(ingest::ingest_files(
                &mut self.store,
                files,
                &ingest_settings,
                2,
                0,
                &mut |_, _| {},
            ))
            .unwrap();
        let now = self
            .store
            .activities()
            .unwrap()
            .iter()
            .map(|a| a.start_ms + (a.elapsed_s * 1000.0) as i64)
            .max()
            .unwrap_or(0)
            + 3_600_000;
        let alerts = evaluate_pending(&mut self.store, settings, now).unwrap();
        // The rule table (what `tendonwatch rules` prints) lists the
        // severity of every alert the rules raised, and no alert of a rule
        // it calls context only (`acwr`).
        let table = tendonwatch::rules::table::table(&settings.thresholds, &settings.profile, 3.0);
        for a in &alerts {
            let row = table
                .iter()
                .find(|r| r.rule.as_str() == a.kind)
                .unwrap_or_else(|| panic!("{} is not in the rule table", a.kind));
            assert!(
                row.severities
                    .iter()
                    .any(|l| l.severity.as_str() == a.severity),
                "{} raised {}, the table says {}",
                a.kind,
                a.severity,
                row.severity_words()
            );
        }
        // RULES.md G: every alert names its numbers, what to do, its source.
        for a in &alerts {
            assert!(a.what_changed.chars().any(|c| c.is_ascii_digit()), "{a:?}");
            assert!(!a.what_to_do.is_empty() && !a.source.is_empty(), "{a:?}");
            assert!(
                a.measured.is_finite() && a.baseline.is_finite() && a.threshold.is_finite(),
                "{a:?}"
            );
        }
        alerts
    }
}

fn kinds(alerts: &[Alert]) -> Vec<String> {
    let mut k: Vec<String> = alerts.iter().map(|a| a.kind.clone()).collect();
    k.sort();
    k
}

fn base_weeks(r: &Runner, n: usize) -> Vec<Week> {
    (0..n).map(|_| training::steady_week(r)).collect()
}

/// Eight steady weeks, then week 9 as given.
fn eight_weeks_then(r: &Runner, week9: Week) -> Vec<Activity> {
    let mut weeks = base_weeks(r, 8);
    weeks.push(week9);
    training::simulate(r, &weeks)
}

#[test]
fn eight_steady_flat_weeks_raise_no_alert() {
    let r = Runner::default();
    let alerts = Story::new()
        .runs(&training::simulate(&r, &base_weeks(&r, 8)))
        .replay(&settings(Mode::Return));
    assert_eq!(kinds(&alerts), Vec::<String>::new(), "{alerts:#?}");
}

#[test]
fn a_run_35_percent_longer_than_the_longest_is_one_high_run_spike() {
    let r = Runner::default();
    // Same 24 km week, but the long run is 13 km instead of 9.6 km.
    let week9 = Week {
        runs: vec![
            Event::Easy { km: 5.5 },
            Event::Easy { km: 5.5 },
            Event::Long { km: 12.96 },
        ],
    };
    let alerts = Story::new()
        .runs(&eight_weeks_then(&r, week9))
        .replay(&settings(Mode::Return));
    assert_eq!(kinds(&alerts), ["run_spike"], "{alerts:#?}");
    let a = &alerts[0];
    assert_eq!(a.severity, "high");
    assert!(
        a.what_changed
            .contains("Longest run in 30 days 9.6 km; this run 13.0 km, +35 %"),
        "{}",
        a.what_changed
    );
    assert!(a.source.contains("RUNSAFE"));
    assert!(a.what_to_do.contains("10.6 km"), "{}", a.what_to_do);
}

/// Each of `run_spike`'s bands raises the severity the rule table gives
/// it: +15 % warn, +35 % high, +150 % high (RUNSAFE's highest band is
/// `high` too: there is nothing above it).
#[test]
fn run_spike_raises_the_severity_of_its_band_in_the_rule_table() {
    let r = Runner::default();
    let table = tendonwatch::rules::table::table(
        &Thresholds::default(),
        &Profile {
            mode: Mode::Return,
            age: None,
        },
        3.0,
    );
    let spike = table
        .iter()
        .find(|row| row.rule.as_str() == "run_spike")
        .unwrap();
    let bands: Vec<(f64, &str)> = spike
        .severities
        .iter()
        .map(|l| {
            let pct: f64 = l
                .when
                .trim_start_matches("> +")
                .trim_end_matches(" %")
                .parse()
                .unwrap();
            (pct, l.severity.as_str())
        })
        .collect();
    assert_eq!(bands, [(10.0, "warn"), (30.0, "high"), (100.0, "high")]);
    for over_pct in [15.0, 35.0, 150.0] {
        let long_km = 9.6 * (1.0 + over_pct / 100.0);
        let week9 = Week {
            runs: vec![Event::Easy { km: 5.5 }, Event::Long { km: long_km }],
        };
        let alerts = Story::new()
            .runs(&eight_weeks_then(&r, week9))
            .replay(&settings(Mode::Return));
        let spikes: Vec<&Alert> = alerts.iter().filter(|a| a.kind == "run_spike").collect();
        assert_eq!(spikes.len(), 1, "+{over_pct} %: {alerts:#?}");
        let band = bands.iter().rev().find(|(pct, _)| over_pct > *pct).unwrap();
        assert_eq!(spikes[0].severity, band.1, "+{over_pct} %");
    }
}

#[test]
fn a_first_hilly_run_after_flat_weeks_is_one_hill_intro() {
    let r = Runner::default();
    // 150 m of climbing per 10 km on the usual long run.
    let week9 = Week {
        runs: vec![
            Event::Easy { km: 7.2 },
            Event::Easy { km: 7.2 },
            Event::Hilly {
                km: 9.6,
                climb_m_per_km: 15.0,
            },
        ],
    };
    let alerts = Story::new()
        .runs(&eight_weeks_then(&r, week9))
        .replay(&settings(Mode::Return));
    assert_eq!(kinds(&alerts), ["hill_intro"], "{alerts:#?}");
    assert!(
        alerts[0].what_changed.contains("m per km"),
        "{}",
        alerts[0].what_changed
    );
    assert!(alerts[0].what_to_do.contains("24 hours"));
}

#[test]
fn a_first_interval_session_is_one_speed_intro() {
    let r = Runner::default();
    // 6 × 800 m at 4:00/km with 2 km warm-up and cool-down is 10.2 km: the
    // Tuesday run is shortened to keep the week at its usual 24 km.
    let week9 = Week {
        runs: vec![
            Event::Easy { km: 4.2 },
            Event::Intervals {
                reps: 6,
                rep_m: 800.0,
                rep_pace_s_per_km: 240.0,
                recovery_s: 120.0,
            },
            Event::Long { km: 9.6 },
        ],
    };
    let alerts = Story::new()
        .runs(&eight_weeks_then(&r, week9))
        .replay(&settings(Mode::Return));
    assert_eq!(kinds(&alerts), ["speed_intro"], "{alerts:#?}");
    assert!(
        alerts[0].what_changed.contains("6 reps"),
        "{}",
        alerts[0].what_changed
    );
}

#[test]
fn hills_and_speed_in_the_same_week_are_stacked() {
    let r = Runner::default();
    let week9 = Week {
        runs: vec![
            Event::Hilly {
                km: 4.2,
                climb_m_per_km: 15.0,
            },
            Event::Intervals {
                reps: 6,
                rep_m: 800.0,
                rep_pace_s_per_km: 240.0,
                recovery_s: 120.0,
            },
            Event::Long { km: 9.6 },
        ],
    };
    let alerts = Story::new()
        .runs(&eight_weeks_then(&r, week9))
        .replay(&settings(Mode::Return));
    assert_eq!(
        kinds(&alerts),
        ["hill_intro", "speed_intro", "stacked_intro"],
        "{alerts:#?}"
    );
    let stacked = alerts.iter().find(|a| a.kind == "stacked_intro").unwrap();
    assert_eq!(stacked.severity, "high", "above either alone");
    assert!(
        stacked.what_changed.contains("hill intro + speed intro"),
        "{}",
        stacked.what_changed
    );
}

#[test]
fn distance_and_pace_up_in_one_week_is_pace_and_distance() {
    let r = Runner::default();
    // +15 % distance (normal profile: below its 30 % week_jump), all at
    // 5:30/km instead of 6:00 (8 % faster, not 10 %: no speed stimulus).
    let week9 = Week {
        runs: vec![
            Event::Faster {
                km: 9.0,
                pace_s_per_km: 330.0,
            },
            Event::Faster {
                km: 9.0,
                pace_s_per_km: 330.0,
            },
            Event::Faster {
                km: 9.6,
                pace_s_per_km: 330.0,
            },
        ],
    };
    let alerts = Story::new()
        .runs(&eight_weeks_then(&r, week9))
        .replay(&settings(Mode::Normal));
    assert_eq!(kinds(&alerts), ["pace_and_distance"], "{alerts:#?}");
    assert!(
        alerts[0]
            .what_changed
            .contains("distance 27.6 km against your usual 24.0 km a week (+15 %)"),
        "{}",
        alerts[0].what_changed
    );
}

fn one_surface_change(event: Event, areas: Vec<NamedArea>, surface: &str) {
    let r = Runner::default();
    let week9 = Week {
        runs: vec![Event::Easy { km: 7.2 }, event, Event::Long { km: 9.6 }],
    };
    let mut story = Story::new();
    story.areas = areas;
    let alerts = story
        .runs(&eight_weeks_then(&r, week9))
        .replay(&settings(Mode::Return));
    assert_eq!(kinds(&alerts), ["surface_change"], "{alerts:#?}");
    assert!(
        alerts[0]
            .what_changed
            .contains(&format!("A run on {surface}")),
        "{}",
        alerts[0].what_changed
    );
}

#[test]
fn a_first_trail_run_is_a_surface_change() {
    one_surface_change(Event::Trail { km: 7.2 }, vec![], "trail");
}

#[test]
fn a_first_treadmill_run_is_a_surface_change() {
    one_surface_change(Event::Treadmill { km: 7.2 }, vec![], "treadmill");
}

#[test]
fn a_first_run_in_the_beach_area_is_a_surface_change_to_sand() {
    let beach_origin = (52.3, 4.5);
    let beach = NamedArea {
        name: "the beach".into(),
        surface: Surface::Sand,
        polygon: training::area_around(beach_origin, 6000.0),
    };
    one_surface_change(
        Event::InArea {
            km: 7.2,
            origin: beach_origin,
        },
        vec![beach],
        "sand",
    );
}

#[test]
fn cadence_6_percent_lower_at_the_same_pace_is_a_cadence_shift() {
    let r = Runner::default();
    let week9 = Week {
        runs: vec![
            Event::Easy { km: 7.2 },
            Event::LowCadence {
                km: 7.2,
                cadence_drop_pct: 6.0,
            },
            Event::Long { km: 9.6 },
        ],
    };
    let alerts = Story::new()
        .runs(&eight_weeks_then(&r, week9))
        .replay(&settings(Mode::Return));
    assert_eq!(kinds(&alerts), ["cadence_shift"], "{alerts:#?}");
    assert!(alerts[0].what_changed.contains("longer strides"));
}

/// Eight flat road weeks, then two weeks whose Thursday is a trail run of
/// four hiked 1 km climbs (12 %, 13:00/km): in week 9 hiked at 120 spm,
/// in week 10 at `hike_cadence_spm` with running parts `drop_pct` lower.
/// The cadence_shift alerts of that last trail run.
fn trail_after_trail(hike_cadence_spm: f64, drop_pct: f64) -> Vec<Alert> {
    let r = Runner::default();
    let trail = |hike_cadence_spm: f64, cadence_drop_pct: f64| Week {
        runs: vec![
            Event::Easy { km: 7.2 },
            Event::HikedTrail {
                km: 10.0,
                climbs: 4,
                hike_cadence_spm,
                cadence_drop_pct,
            },
            Event::Long { km: 9.6 },
        ],
    };
    let mut weeks = base_weeks(&r, 8);
    weeks.push(trail(120.0, 0.0));
    weeks.push(trail(hike_cadence_spm, drop_pct));
    let runs = training::simulate(&r, &weeks);
    let last_trail = runs[runs.len() - 2].start_ms;
    let mut story = Story::new();
    let alerts = story.runs(&runs).replay(&settings(Mode::Return));
    let id = story
        .store
        .activities()
        .unwrap()
        .iter()
        .find(|a| a.start_ms == last_trail)
        .unwrap()
        .id;
    alerts
        .into_iter()
        .filter(|a| a.kind == "cadence_shift" && a.activity_id == Some(id))
        .collect()
}

#[test]
fn hiking_the_climbs_at_105_spm_is_not_a_cadence_shift() {
    // RULES.md B: 105 against the last trail run's 120 spm on the climbs
    // is walking, not longer strides; the running parts hold 168 spm.
    let alerts = trail_after_trail(105.0, 0.0);
    assert!(alerts.is_empty(), "{alerts:#?}");
}

#[test]
fn running_strides_6_percent_lower_on_a_hiked_trail_run_are_still_a_cadence_shift() {
    let alerts = trail_after_trail(120.0, 6.0);
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    // Only running strides compared: 168 → ≈ 158 spm, not the hikes.
    assert_eq!(alerts[0].baseline.round(), 168.0, "{:?}", alerts[0]);
    assert!(
        (alerts[0].measured - 168.0 * 0.94).abs() < 1.5,
        "{:?}",
        alerts[0]
    );
}

#[test]
fn two_extra_running_days_are_a_frequency_jump() {
    let r = Runner {
        runs_per_week: 3,
        weekdays: vec![1, 3, 6, 0, 4],
        ..Runner::default()
    };
    let five = Runner {
        runs_per_week: 5,
        ..r.clone()
    };
    // Five running days in week 9; every rolling 7 days stays within 10 %
    // of the usual 24 km (a Monday run right after last week's three would
    // otherwise be a week_jump of its own).
    let mut activities = training::simulate(&r, &base_weeks(&r, 8));
    for (day, km) in [(0, 2.0), (1, 4.0), (3, 4.0), (4, 3.0), (6, 9.6)] {
        activities.push(training::on_day(&five, 8, day, &Event::Easy { km }));
    }
    activities.sort_by_key(|a| a.start_ms);
    let alerts = Story::new()
        .runs(&activities)
        .replay(&settings(Mode::Return));
    assert_eq!(kinds(&alerts), ["frequency_jump"], "{alerts:#?}");
}

#[test]
fn ten_percent_a_week_is_fine_for_normal_and_too_much_for_return() {
    let r = Runner::default();
    let mut weeks = base_weeks(&r, 4);
    weeks.extend(training::progression(&r, 5, 0.10));
    let activities = training::simulate(&r, &weeks);

    let normal = Story::new()
        .runs(&activities)
        .replay(&settings(Mode::Normal));
    assert!(
        !kinds(&normal).contains(&"week_jump".to_string()),
        "{normal:#?}"
    );

    let ret = Story::new()
        .runs(&activities)
        .replay(&settings(Mode::Return));
    let jumps: Vec<&Alert> = ret.iter().filter(|a| a.kind == "week_jump").collect();
    assert!(!jumps.is_empty(), "{ret:#?}");
    assert!(jumps.iter().all(|a| a.severity == "warn"));
    // The progression's other findings are the same under both profiles
    // (acwr only ever accompanies a week_jump).
    let others = |alerts: &[Alert]| -> Vec<String> {
        kinds(alerts)
            .into_iter()
            .filter(|k| k != "week_jump" && k != "acwr")
            .collect()
    };
    assert_eq!(others(&normal), others(&ret));
}

#[test]
fn a_masters_runner_gets_return_limits_in_normal_mode() {
    let r = Runner::default();
    let mut weeks = base_weeks(&r, 4);
    weeks.extend(training::progression(&r, 5, 0.10));
    let activities = training::simulate(&r, &weeks);
    let mut masters = settings(Mode::Normal);
    masters.profile.age = Some(52);
    let alerts = Story::new().runs(&activities).replay(&masters);
    assert!(
        kinds(&alerts).contains(&"week_jump".to_string()),
        "{alerts:#?}"
    );
}

#[test]
fn nothing_compares_with_the_baseline_while_it_is_learned() {
    let r = Runner::default();
    // Week 1: a hilly interval session on the third run — no history yet.
    let week1 = Week {
        runs: vec![
            Event::Easy { km: 7.2 },
            Event::Intervals {
                reps: 6,
                rep_m: 800.0,
                rep_pace_s_per_km: 240.0,
                recovery_s: 120.0,
            },
            Event::Hilly {
                km: 14.0,
                climb_m_per_km: 20.0,
            },
        ],
    };
    let alerts = Story::new()
        .runs(&training::simulate(&r, &[week1]))
        .replay(&settings(Mode::Return));
    assert_eq!(kinds(&alerts), Vec::<String>::new(), "{alerts:#?}");
}

#[test]
fn lower_drop_shoes_are_a_shoe_drop_stimulus() {
    let r = Runner::default();
    let activities = eight_weeks_then(&r, training::steady_week(&r));
    let mut story = Story::new();
    story.runs(&activities);
    story.store.add_shoe("daily trainer", 10.0, 0).unwrap();
    story.store.use_shoe("daily trainer", 0).unwrap();
    story.store.add_shoe("racing flat", 4.0, 0).unwrap();
    // Switch on the Monday of week 9.
    story
        .store
        .use_shoe("racing flat", r.start_of(8, 0))
        .unwrap();
    let alerts = story.replay(&settings(Mode::Return));
    assert_eq!(
        kinds(&alerts),
        ["shoe_drop"],
        "one alert for the new shoes, not one per run: {alerts:#?}"
    );
    assert!(
        alerts[0]
            .what_changed
            .contains("racing flat with a 4 mm heel drop; your usual shoes have 10 mm")
    );
}

#[test]
fn replaying_the_same_history_gives_identical_alerts() {
    let r = Runner::default();
    let week9 = Week {
        runs: vec![
            Event::Hilly {
                km: 7.2,
                climb_m_per_km: 15.0,
            },
            Event::Intervals {
                reps: 6,
                rep_m: 800.0,
                rep_pace_s_per_km: 240.0,
                recovery_s: 120.0,
            },
            Event::Long { km: 13.0 },
        ],
    };
    let activities = eight_weeks_then(&r, week9);
    let strip = |alerts: Vec<Alert>| -> Vec<String> {
        alerts
            .into_iter()
            .map(|a| {
                format!(
                    "{} {} {} {} {} {}",
                    a.kind, a.severity, a.cause, a.measured, a.what_changed, a.delivery
                )
            })
            .collect()
    };
    let first = strip(
        Story::new()
            .runs(&activities)
            .replay(&settings(Mode::Return)),
    );
    let second = strip(
        Story::new()
            .runs(&activities)
            .replay(&settings(Mode::Return)),
    );
    assert!(!first.is_empty());
    assert_eq!(first, second);
}

#[test]
fn importing_again_never_repeats_an_alert() {
    let r = Runner::default();
    let week9 = Week {
        runs: vec![
            Event::Easy { km: 5.5 },
            Event::Easy { km: 5.5 },
            Event::Long { km: 13.0 },
        ],
    };
    let mut story = Story::new();
    story.runs(&eight_weeks_then(&r, week9));
    assert_eq!(story.replay(&settings(Mode::Return)).len(), 1);
    assert!(story.replay(&settings(Mode::Return)).is_empty());
    assert_eq!(story.store.alerts(true).unwrap().len(), 1);
}

#[test]
fn alerts_about_old_runs_are_stored_but_not_queued() {
    let r = Runner::default();
    let week9 = Week {
        runs: vec![
            Event::Easy { km: 5.5 },
            Event::Easy { km: 5.5 },
            Event::Long { km: 13.0 },
        ],
    };
    let mut story = Story::new();
    story.runs(&eight_weeks_then(&r, week9));
    let (files, _) = ingest::discover(std::slice::from_ref(&story.sync));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    runtime
        .block_on(ingest::ingest_files(
            &mut story.store,
            files,
            &Settings::default(),
            2,
            0,
            &mut |_, _| {},
        ))
        .unwrap();
    // A year later: the history is imported, the alert kept, nothing pushed.
    let a_year_later = r.start_of(60, 0);
    let alerts = evaluate_pending(&mut story.store, &settings(Mode::Return), a_year_later).unwrap();
    assert_eq!(kinds(&alerts), ["run_spike"]);
    assert_eq!(alerts[0].delivery, "too_old");
}

// RULES.md H: the alert budget. A warning only works while the runner still
// listens.

fn count(alerts: &[Alert], kind: &str) -> usize {
    alerts.iter().filter(|a| a.kind == kind).count()
}

#[test]
fn a_rising_block_of_weeks_is_one_week_jump() {
    // Four steady weeks, then +20 % a week for three weeks: one episode
    // spanning three calendar weeks and many rolling windows.
    let r = Runner::default();
    let mut weeks = base_weeks(&r, 4);
    weeks.extend(training::progression(&r, 4, 0.20));
    let alerts = Story::new()
        .runs(&training::simulate(&r, &weeks))
        .replay(&settings(Mode::Return));
    assert_eq!(count(&alerts, "week_jump"), 1, "{alerts:#?}");
    let jump = alerts.iter().find(|a| a.kind == "week_jump").unwrap();
    assert!(
        jump.what_changed
            .contains("over your highest 7 days of the last 12 weeks"),
        "the alert says which comparison it made: {}",
        jump.what_changed
    );
    // RULES.md A: the load ratio is context, never an alert of its own.
    assert_eq!(count(&alerts, "acwr"), 0, "{alerts:#?}");
    assert!(
        alerts
            .iter()
            .any(|a| a.what_changed.contains("Load ratio (7-day : 28-day)")),
        "{alerts:#?}"
    );
}

#[test]
fn a_comeback_after_a_month_of_one_jog_is_a_run_spike_without_a_load_ratio() {
    // Three steady weeks, then four weeks with one 0.8 km jog, then 5 km:
    // a run_spike on the 30-day longest. The 28 days before the comeback
    // week hold that one jog: no ratio to stand on (RULES.md F), so the
    // alert carries none (it said "1.8, above 1.5" before).
    let r = Runner::default();
    let mut weeks = base_weeks(&r, 3);
    let rest = || Week {
        runs: vec![Event::Rest, Event::Rest, Event::Rest],
    };
    weeks.extend([rest(), rest()]);
    weeks.push(Week {
        runs: vec![Event::Easy { km: 0.8 }, Event::Rest, Event::Rest],
    });
    weeks.extend([rest(), rest()]);
    weeks.push(Week {
        runs: vec![Event::Easy { km: 5.0 }],
    });
    let runs = training::simulate(&r, &weeks);
    let comeback = runs.last().unwrap().start_ms;
    let mut story = Story::new();
    let alerts = story.runs(&runs).replay(&settings(Mode::Return));
    let spike = alerts
        .iter()
        .find(|a| a.kind == "run_spike" && a.window_end_ms >= comeback)
        .unwrap_or_else(|| panic!("{alerts:#?}"));
    assert!(
        !spike.what_changed.contains("Load ratio"),
        "{}",
        spike.what_changed
    );
    // Where the status stands at that run: no ratio, and why.
    let history = story
        .store
        .run_records(i64::MIN, i64::MAX, &tendonwatch::zone::Zone::Fixed(3600))
        .unwrap();
    let b = tendonwatch::baseline::compute(&history, comeback, &BaselineSettings::default());
    assert_eq!((b.chronic_runs, b.acwr()), (1, None), "{b:#?}");
    assert!(
        b.load_ratio_missing()
            .starts_with("not enough running yet (1 run, 0.80 km"),
        "{}",
        b.load_ratio_missing()
    );
}

#[test]
fn a_usual_week_after_a_light_one_is_not_a_jump() {
    // Six steady 24 km weeks, a 12 km week (a cold, a busy week), then the
    // usual 24 km again: +43 % on the 4-week mean, but no higher than the
    // runner's own weeks — nothing to say.
    let r = Runner::default();
    let mut weeks = base_weeks(&r, 6);
    weeks.push(Week {
        runs: vec![
            Event::Easy { km: 3.6 },
            Event::Easy { km: 3.6 },
            Event::Long { km: 4.8 },
        ],
    });
    weeks.push(training::steady_week(&r));
    weeks.push(training::steady_week(&r));
    let alerts = Story::new()
        .runs(&training::simulate(&r, &weeks))
        .replay(&settings(Mode::Return));
    assert_eq!(kinds(&alerts), Vec::<String>::new(), "{alerts:#?}");
}

/// Two steady weeks, week 3 with a hilly long run of `first_climb` m/km,
/// twelve flat weeks (the hills leave the 6-week window), then the long
/// run with 15 m/km.
fn hills_again_after_three_months(first_climb: f64) -> Vec<Alert> {
    let r = Runner::default();
    let hilly = |climb_m_per_km: f64| Week {
        runs: vec![
            Event::Easy { km: 7.2 },
            Event::Easy { km: 7.2 },
            Event::Hilly {
                km: 9.6,
                climb_m_per_km,
            },
        ],
    };
    let mut weeks = base_weeks(&r, 2);
    weeks.push(hilly(first_climb));
    weeks.extend(base_weeks(&r, 12));
    weeks.push(hilly(15.0));
    Story::new()
        .runs(&training::simulate(&r, &weeks))
        .replay(&settings(Mode::Return))
}

#[test]
fn hills_like_those_of_the_last_six_months_are_not_new() {
    let alerts = hills_again_after_three_months(15.0);
    // The first hills are new; the same hills twelve weeks later are not.
    assert_eq!(kinds(&alerts), ["hill_intro"], "{alerts:#?}");
    assert_eq!(alerts[0].severity, "warn");
}

#[test]
fn more_hills_than_six_months_held_are_an_info_back_to_hills() {
    let alerts = hills_again_after_three_months(7.0);
    let hills: Vec<&Alert> = alerts.iter().filter(|a| a.kind == "hill_intro").collect();
    assert_eq!(hills.len(), 2, "{alerts:#?}");
    assert_eq!(hills[0].severity, "warn");
    assert_eq!(hills[1].severity, "info");
    assert!(
        hills[1].what_changed.starts_with("Back to hills"),
        "{}",
        hills[1].what_changed
    );
}
