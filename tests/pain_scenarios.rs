//! Pain stories end to end: generated runs through real FIT files and the
//! store, pain entries in the store, the pain rules and the correlation
//! report as `tendonwatch` runs them.
#![allow(clippy::unwrap_used)]

use tendonwatch::alerts::{RuleSettings, evaluate_pain, evaluate_pending};
use tendonwatch::baseline::{BaselineSettings, HISTORY_DAYS};
use tendonwatch::ingest::{self, Settings};
use tendonwatch::pain::PainKind;
use tendonwatch::report::{ReportSettings, Verdict, report};
use tendonwatch::rules::{Mode, Profile, Thresholds};
use tendonwatch::sim::fit_writer::encode;
use tendonwatch::sim::training::{self, Event, Runner, Week};
use tendonwatch::store::Store;
use tendonwatch::store::alerts::Alert;
use tendonwatch::store::pain::NewPain;
use tendonwatch::zone::DAY_MS;

const HOUR: i64 = 3_600_000;

fn settings(mode: Mode) -> RuleSettings {
    RuleSettings {
        baseline: BaselineSettings::default(),
        profile: Profile { mode, age: None },
        thresholds: Thresholds::default(),
        horizon_days: 3,
        sinks: Vec::new(),
        zone: tendonwatch::zone::Zone::Fixed(0),
    }
}

struct Story {
    _dir: tempfile::TempDir,
    store: Store,
    runner: Runner,
}

impl Story {
    /// The runner's weeks as FIT files, ingested and evaluated.
    fn with_weeks(weeks: &[Week]) -> Story {
        let dir = tempfile::tempdir().unwrap();
        let sync = dir.path().join("sync");
        std::fs::create_dir(&sync).unwrap();
        let runner = Runner::default();
        for (i, a) in training::simulate(&runner, weeks).iter().enumerate() {
            std::fs::write(sync.join(format!("{i:04}.fit")), encode(a)).unwrap();
        }
        let mut store = Store::open(&dir.path().join("tw.db")).unwrap();
        let (files, _) = ingest::discover(&[sync]);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .build()
            .unwrap();
        rt.block_on(ingest::ingest_files(
            &mut store,
            files,
            &Settings::default(),
            2,
            0,
            &mut |_, _| {},
        ))
        .unwrap();
        Story {
            _dir: dir,
            store,
            runner,
        }
    }

    /// Local 06:30 of day `day` (0 = Monday) of week `week`.
    fn morning(&self, week: usize, day: u32) -> i64 {
        self.runner.start_of(week, day) - 30 * 60 * 1000
    }

    fn log(&mut self, at_ms: i64, score: f64, kind: PainKind, stiffness: Option<f64>) {
        let p = NewPain {
            at_ms,
            score,
            kind,
            stiffness_min: stiffness,
            side: None,
            note: None,
        };
        self.store.add_pain(&p, at_ms).unwrap();
    }

    fn pain_rules(&mut self, mode: Mode, now_ms: i64) -> Vec<Alert> {
        let limit = if mode == Mode::Return { 3.0 } else { 5.0 };
        let mut s = settings(mode);
        s.zone = tendonwatch::zone::Zone::Fixed(self.runner.local_offset_s);
        evaluate_pain(&mut self.store, &s, limit, now_ms).unwrap()
    }
}

fn kinds(alerts: &[Alert]) -> Vec<&str> {
    let mut k: Vec<&str> = alerts.iter().map(|a| a.kind.as_str()).collect();
    k.sort_unstable();
    k
}

fn steady(n: usize) -> Vec<Week> {
    let r = Runner::default();
    (0..n).map(|_| training::steady_week(&r)).collect()
}

#[test]
fn morning_pain_5_after_a_run_against_a_baseline_of_1_is_pain_24h() {
    let mut s = Story::with_weeks(&steady(3));
    // Week 3: Tuesday morning 1/10 before the run, Wednesday morning 5/10.
    s.log(s.morning(2, 1), 1.0, PainKind::Morning, None);
    s.log(s.morning(2, 2), 5.0, PainKind::Morning, None);
    let alerts = s.pain_rules(Mode::Return, s.morning(2, 2) + HOUR);
    assert_eq!(kinds(&alerts), ["pain_24h"], "{alerts:#?}");
    let a = &alerts[0];
    assert!(
        a.what_changed.contains("Morning pain 5/10"),
        "{}",
        a.what_changed
    );
    assert!(
        a.what_changed
            .contains("the last morning before it was 1/10"),
        "{}",
        a.what_changed
    );
    assert!(a.activity_id.is_some(), "the run it followed");
    assert!(
        a.source
            .contains(tendonwatch::rules::articles::MANAGE_INJURIES),
        "{}",
        a.source
    );
    // Evaluated again (another entry, an import): never repeated.
    assert!(
        s.pain_rules(Mode::Return, s.morning(2, 2) + 2 * HOUR)
            .is_empty()
    );
}

#[test]
fn a_morning_back_at_baseline_raises_nothing() {
    let mut s = Story::with_weeks(&steady(3));
    s.log(s.morning(2, 1), 2.0, PainKind::Morning, None);
    s.log(s.morning(2, 2), 2.0, PainKind::Morning, None);
    assert!(
        s.pain_rules(Mode::Return, s.morning(2, 2) + HOUR)
            .is_empty()
    );
}

#[test]
fn during_4_is_over_the_limit_for_return_but_not_for_normal() {
    let mut s = Story::with_weeks(&steady(3));
    let after_run = s.runner.start_of(2, 1) + HOUR;
    s.log(after_run, 4.0, PainKind::During, None);
    let normal = s.pain_rules(Mode::Normal, after_run + HOUR);
    assert!(normal.is_empty(), "limit 5 in normal mode: {normal:#?}");
    // The same entry judged again, as in a return profile (an entry is
    // judged once; here the profile changed).
    s.store.rejudge_pain(0, i64::MAX).unwrap();
    let ret = s.pain_rules(Mode::Return, after_run + HOUR);
    assert_eq!(kinds(&ret), ["pain_limit"], "{ret:#?}");
    assert!(
        ret[0].what_changed.contains("Pain 4/10 during your "),
        "{}",
        ret[0].what_changed
    );
    assert!(ret[0].what_changed.contains("limit of 3"));
}

#[test]
fn three_weeks_of_rising_morning_stiffness_is_a_pain_trend() {
    let mut s = Story::with_weeks(&steady(4));
    // Same pain every morning; stiffness 5 → 10 → 20 minutes over three weeks.
    for (week, stiffness) in [(1usize, 5.0), (2, 10.0), (3, 20.0)] {
        for day in 0..7 {
            s.log(
                s.morning(week, day),
                2.0,
                PainKind::Morning,
                Some(stiffness),
            );
        }
    }
    let alerts = s.pain_rules(Mode::Return, s.morning(3, 6) + HOUR);
    let trend: Vec<&Alert> = alerts.iter().filter(|a| a.kind == "pain_trend").collect();
    assert!(!trend.is_empty(), "{alerts:#?}");
    assert!(
        trend
            .iter()
            .all(|a| a.what_changed.contains("morning stiffness")),
        "{trend:#?}"
    );
    assert_eq!(
        kinds(&alerts)
            .into_iter()
            .filter(|k| *k != "pain_trend")
            .count(),
        0,
        "{alerts:#?}"
    );
}

#[test]
fn a_hill_introduction_with_no_morning_entry_brings_a_reminder() {
    let r = Runner::default();
    let mut weeks = steady(8);
    weeks.push(Week {
        runs: vec![
            Event::Easy { km: 7.2 },
            Event::Easy { km: 7.2 },
            Event::Hilly {
                km: 9.6,
                climb_m_per_km: 15.0,
            },
        ],
    });
    let mut s = Story::with_weeks(&weeks);
    let hill_day_end = r.start_of(8, 6) + 2 * HOUR;
    let intro = evaluate_pending(&mut s.store, &settings(Mode::Return), hill_day_end).unwrap();
    assert_eq!(kinds(&intro), ["hill_intro"]);
    // Monday 09:00: the morning has not passed noon yet — no reminder.
    assert!(
        s.pain_rules(Mode::Return, s.morning(9, 0) + 2 * HOUR)
            .is_empty()
    );
    // Monday 14:00, nothing logged: one reminder.
    let reminder = s.pain_rules(Mode::Return, s.morning(9, 0) + 7 * HOUR);
    assert_eq!(kinds(&reminder), ["pain_reminder"], "{reminder:#?}");
    assert_eq!(reminder[0].severity, "info");
}

#[test]
fn a_logged_morning_after_the_hill_run_means_no_reminder() {
    let mut weeks = steady(8);
    weeks.push(Week {
        runs: vec![
            Event::Easy { km: 7.2 },
            Event::Easy { km: 7.2 },
            Event::Hilly {
                km: 9.6,
                climb_m_per_km: 15.0,
            },
        ],
    });
    let mut s = Story::with_weeks(&weeks);
    let r = Runner::default();
    evaluate_pending(
        &mut s.store,
        &settings(Mode::Return),
        r.start_of(8, 6) + 2 * HOUR,
    )
    .unwrap();
    s.log(s.morning(9, 0), 1.0, PainKind::Morning, None);
    assert!(
        s.pain_rules(Mode::Return, s.morning(9, 0) + 7 * HOUR)
            .is_empty()
    );
}

/// Twelve weeks, one run in three on a hill; a morning entry every day.
/// `pain_of(day_after_hill, rng)` gives each morning's score.
fn report_for(seed: u64, hill_hurts: bool) -> tendonwatch::report::Report {
    let r = Runner::default();
    let mut weeks = Vec::new();
    for w in 0..12 {
        let mut runs = vec![
            Event::Easy { km: 7.2 },
            Event::Easy { km: 7.2 },
            Event::Long { km: 9.6 },
        ];
        // A hill in every week after the first two, on a rotating day.
        if w >= 2 {
            runs[w % 3] = Event::Hilly {
                km: if w % 3 == 2 { 9.6 } else { 7.2 },
                climb_m_per_km: 15.0,
            };
        }
        weeks.push(Week { runs });
    }
    let mut s = Story::with_weeks(&weeks);
    let hill_days: Vec<(usize, u32)> = (2..12).map(|w| (w, [1u32, 3, 6][w % 3])).collect();
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut noise = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % 1000) as f64 / 1000.0
    };
    for week in 0..12 {
        for day in 0..7u32 {
            // The morning after a hill day: day+1 (Sunday's hill → Monday of
            // the next week).
            let after_hill = hill_days.iter().any(|&(w, d)| {
                let (nw, nd) = if d == 6 { (w + 1, 0) } else { (w, d + 1) };
                nw == week && nd == day
            });
            let score = if hill_hurts {
                if after_hill {
                    4.0 + noise().round()
                } else {
                    1.0 + (noise() - 0.5).round()
                }
            } else {
                (noise() * 4.0).floor()
            };
            s.log(s.morning(week, day), score, PainKind::Morning, None);
        }
    }
    let now = r.start_of(12, 0) + 12 * HOUR;
    let history = s
        .store
        .run_records(
            now - 200 * DAY_MS,
            now,
            &tendonwatch::zone::Zone::Fixed(s.runner.local_offset_s),
        )
        .unwrap();
    let pain = s.store.pain_between(now - 200 * DAY_MS, now).unwrap();
    let rows = tendonwatch::report_input::build(
        &history,
        &pain,
        &BaselineSettings::default(),
        now - HISTORY_DAYS * DAY_MS,
    );
    report(&rows, &ReportSettings::default())
}

#[test]
fn pain_that_rises_only_after_hilly_runs_ranks_hills_first() {
    let r = report_for(7, true);
    let first = &r.factors[0];
    assert_eq!(first.factor, "hilly", "{:#?}", r.factors);
    assert_eq!(first.verdict, Verdict::Link, "{first:#?}");
    let (lo, hi) = first.interval.unwrap();
    assert!(lo > 0.0 && hi > lo, "interval {lo}..{hi} excludes zero");
    assert!(
        r.factors.iter().skip(1).all(|f| f.verdict != Verdict::Link),
        "only hills: {:#?}",
        r.factors
    );
    assert!(r.summary.contains("hilly"), "{}", r.summary);
}

#[test]
fn random_pain_ranks_no_factor() {
    for seed in [1, 2, 3, 4, 5] {
        let r = report_for(seed, false);
        let claimed: Vec<&str> = r
            .factors
            .iter()
            .filter(|f| matches!(f.verdict, Verdict::Link | Verdict::Protective))
            .map(|f| f.factor.as_str())
            .collect();
        assert!(
            claimed.is_empty(),
            "seed {seed}: {claimed:?} {:#?}",
            r.factors
        );
    }
}
