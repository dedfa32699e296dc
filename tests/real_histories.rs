//! The alert budget (RULES.md H) on real runners' own histories: years of
//! GPX files from personal running_page sites (fixtures/real-histories.md:
//! repositories, commits, licences). They are not in this repository.
//! Three come beside it, gzip GPX as published (`../shared/histories/`):
//! every test run reads them and none is ever skipped. The others are
//! optional: `scripts/real-histories` fetches them with git at a pinned
//! commit into `target/real-histories/` (or `$TENDONWATCH_HISTORIES`), and
//! a test of one that is absent says so and passes.
//!
//! Each history goes through the real binary (`import`, `alerts --stats`),
//! in the runners' own time zone (UTC+8).
#![allow(clippy::unwrap_used)]

mod util;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use tendonwatch::baseline::{self, BaselineSettings};
use tendonwatch::metrics::record::RunRecord;
use tendonwatch::store::Store;
use tendonwatch::store::alerts::Alert;
use tendonwatch::zone::DAY_MS;
use util::Tw;

/// The runners' zone (China).
const UTC8: tendonwatch::zone::Zone = tendonwatch::zone::Zone::Fixed(8 * 3600);

/// The steady recreational runners the budget is defined on (RULES.md H):
/// two to seven runs a week for one to two years.
const STEADY: [&str; 3] = ["rp-asplitline", "rp-tang-hi", "rp-clf3"];

/// The histories every test run reads: gzip GPX as published, beside the
/// project (`../shared/histories/`, with their `SOURCES.md`). Never skipped.
const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/histories");
const ALWAYS: [&str; 3] = ["rp-asplitline", "rp-tang-hi", "rp-helloo2020"];

/// Where one runner's files are: the shared folder for [`ALWAYS`], else the
/// optional ones `scripts/real-histories` extracts (`$TENDONWATCH_HISTORIES`,
/// default `target/real-histories`).
fn history_dir(id: &str) -> PathBuf {
    if ALWAYS.contains(&id) {
        return PathBuf::from(SHARED).join(id);
    }
    std::env::var_os("TENDONWATCH_HISTORIES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/real-histories"))
        .join(id)
}

/// A history file's text, gzip or plain.
fn text_of(path: &std::path::Path) -> Option<String> {
    use std::io::Read;
    let bytes = std::fs::read(path).ok()?;
    if path.extension().is_some_and(|e| e == "gz") {
        let mut text = String::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut text)
            .ok()?;
        Some(text)
    } else {
        String::from_utf8(bytes).ok()
    }
}

/// One runner's history imported into a fresh store, or None (with a
/// message) when the files are absent.
struct History {
    id: &'static str,
    tw: Tw,
}

impl History {
    fn load(id: &'static str) -> Option<History> {
        let dir = history_dir(id);
        let files = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
        assert!(
            files > 0 || !ALWAYS.contains(&id),
            "the real history {id} must be at {}: it comes beside the project (SOURCES.md there)",
            dir.display()
        );
        if files == 0 {
            eprintln!(
                "SKIPPED: the real history {id} is not at {} — run scripts/real-histories \
                 (sources in fixtures/real-histories.md)",
                dir.display()
            );
            return None;
        }
        let tw = Tw::new();
        let mut cmd = tw.command();
        cmd.env("TZ", "Asia/Shanghai").arg("import").arg(&dir);
        Tw::run_command(cmd).assert_ok();
        Some(History { id, tw })
    }

    fn stats(&self) -> Value {
        let mut cmd = self.tw.command();
        cmd.env("TZ", "Asia/Shanghai")
            .args(["alerts", "--stats", "--json"]);
        Tw::run_command(cmd).assert_ok().json()
    }

    fn store(&self) -> Store {
        Store::open(&self.tw.db()).unwrap()
    }
}

#[test]
fn steady_runners_stay_within_the_alert_budget() {
    for id in STEADY {
        let Some(h) = History::load(id) else { continue };
        let s = h.stats();
        let runs = s["runs"].as_u64().unwrap();
        assert!(runs >= 200, "{id}: {runs} runs");
        let per_100 = s["per_100_runs"].as_f64().unwrap();
        eprintln!("{id}: {runs} runs, {per_100:.1} alerts per 100 runs");
        assert!(
            per_100 <= 10.0,
            "{id}: {per_100:.1} alerts per 100 runs\n{s:#}"
        );
        for (rule, c) in s["by_rule"].as_object().unwrap() {
            if rule == "run_spike" {
                continue;
            }
            let n = c["per_100_runs"].as_f64().unwrap();
            assert!(n <= 3.0, "{id}: {rule} {n:.1} per 100 runs\n{s:#}");
        }
        // RULES.md A: the load ratio is never an alert of its own.
        assert!(s["by_rule"].get("acwr").is_none(), "{id}\n{s:#}");
        // Pushes: high at once, warnings in one digest a day.
        assert!(
            s["pushes_per_week_max"].as_u64().unwrap() <= 7,
            "{id}\n{s:#}"
        );
    }
}

#[test]
fn every_run_30_percent_past_the_longest_of_30_days_still_raises_run_spike() {
    // RUNSAFE's strongest signal must not be traded for quiet.
    for id in STEADY {
        let Some(h) = History::load(id) else { continue };
        let store = h.store();
        let runs = store.run_records(i64::MIN, i64::MAX, &UTC8).unwrap();
        let spikes: BTreeSet<i64> = store
            .alerts(true)
            .unwrap()
            .iter()
            .filter(|a| a.kind == "run_spike")
            .filter_map(|a| a.activity_id)
            .collect();
        let mut checked = 0;
        for r in &runs {
            let b = baseline::compute(&runs, r.start_ms, &BaselineSettings::default());
            let Some(longest) = b.longest_30d_m.filter(|m| *m > 0.0) else {
                continue;
            };
            if b.learning.learning || r.distance_m() < 1.3 * longest {
                continue;
            }
            checked += 1;
            assert!(
                spikes.contains(&r.activity_id),
                "{}: activity {} ran {:.1} km after a 30-day longest of {:.1} km, and no run_spike",
                h.id,
                r.activity_id,
                r.distance_m() / 1000.0,
                longest / 1000.0
            );
        }
        eprintln!("{id}: {checked} runs ≥ +30 % over the 30-day longest, each a run_spike");
        assert!(checked > 0, "{id}: the history should hold such runs");
    }
}

/// The week_jump measure, computed here on its own: the last 7 days
/// (this run included) against the mean week of the 28 days before them.
fn week_ratio(runs: &[RunRecord], at: &RunRecord) -> f64 {
    let s = at.start_ms;
    let sum = |from: i64, to: i64| -> f64 {
        runs.iter()
            .filter(|r| r.start_ms > from && r.start_ms <= to)
            .map(|r| r.distance_m())
            .sum()
    };
    let week = sum(s - 7 * DAY_MS, s);
    let mean = sum(s - 35 * DAY_MS, s - 7 * DAY_MS) / 4.0;
    if mean > 0.0 {
        week / mean
    } else {
        f64::INFINITY
    }
}

#[test]
fn week_jump_fires_once_per_episode_on_a_real_history() {
    // RULES.md H: between two week_jump alerts the measure came back under
    // its threshold (+10 %, the default return profile) at some run.
    for id in STEADY {
        let Some(h) = History::load(id) else { continue };
        let store = h.store();
        let runs = store.run_records(i64::MIN, i64::MAX, &UTC8).unwrap();
        let start: BTreeMap<i64, i64> = runs.iter().map(|r| (r.activity_id, r.start_ms)).collect();
        let mut jumps: Vec<i64> = store
            .alerts(true)
            .unwrap()
            .iter()
            .filter(|a: &&Alert| a.kind == "week_jump")
            .filter_map(|a| a.activity_id.and_then(|id| start.get(&id).copied()))
            .collect();
        jumps.sort_unstable();
        for pair in jumps.windows(2) {
            let between: Vec<&RunRecord> = runs
                .iter()
                .filter(|r| r.start_ms > pair[0] && r.start_ms < pair[1])
                .collect();
            let came_back = between.iter().any(|r| week_ratio(&runs, r) <= 1.10);
            assert!(
                came_back,
                "{id}: week_jump at {} and again at {} without the week coming back under +10 %",
                pair[0], pair[1]
            );
        }
        eprintln!("{id}: {} week_jump episodes", jumps.len());
    }
}

/// The 20 broken Keep exports of rp-helloo2020 (a first point in the year
/// 7564 or so, the rest counting from 1970-01-01): twenty runs of unknown
/// time, each with its own track's duration, none merged with another,
/// none seen by the rules (issue 15; fixtures/real-histories.md).
#[test]
fn the_clock_less_keep_exports_are_twenty_runs_of_unknown_time() {
    let dir = history_dir("rp-helloo2020");
    let broken: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| Some(e.ok()?.path())).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .filter(|p| text_of(p).is_some_and(|t| t.contains("<time>1970-01-01T")))
        .collect();
    assert_eq!(broken.len(), 20, "the pinned commit holds 20 such files");
    let tw = Tw::new();
    tw.import(&broken).assert_ok();
    let items = tw.activities_json();
    assert_eq!(items.len(), 20, "none taken for another: same 1970 start");
    for a in &items {
        let why = a["time_unknown"].as_str().unwrap_or_default();
        assert!(why.contains("dated 1970-01-01, before 1990"), "{a}");
        let elapsed = a["elapsed_s"].as_f64().unwrap();
        assert!(
            (60.0..3.0 * 3600.0).contains(&elapsed),
            "elapsed from the track, not from the year 7564: {elapsed} s"
        );
    }
    let stray_notes: i64 = tw
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM files WHERE error LIKE 'left out 1 track point dated 7%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        stray_notes, 20,
        "each file says its stray point was left out"
    );
    assert_eq!(tw.count("rule_evaluations"), 0);
    assert_eq!(tw.count("alerts"), 0);
}

/// RULES.md B: `cadence_shift` compares running strides only. rp-gezip
/// runs trail races with hiked climbs (16 `trail_running` files; in
/// 523287329.gpx, 10.2 km with 571 m of climbing, 82 % of the steps
/// are under 140 spm). Before running strides were told apart, the
/// history raised 7 cadence_shift alerts, most of them hiking steps
/// against hiking steps ("110 against 119"); now every one left compares
/// running strides, and the hike-heavy race raises none.
#[test]
fn hiked_climbs_of_a_real_trail_runner_raise_no_cadence_shift() {
    let Some(h) = History::load("rp-gezip") else {
        return;
    };
    let files: BTreeMap<i64, String> =
        h.tw.activities_json()
            .iter()
            .map(|a| {
                (
                    a["id"].as_i64().unwrap(),
                    a["source_path"].as_str().unwrap().to_string(),
                )
            })
            .collect();
    let shifts: Vec<Alert> = h
        .store()
        .alerts(true)
        .unwrap()
        .into_iter()
        .filter(|a| a.kind == "cadence_shift")
        .collect();
    for a in &shifts {
        let file = a.activity_id.and_then(|id| files.get(&id)).unwrap();
        assert!(!file.ends_with("/523287329.gpx"), "{a:#?}");
        assert!(
            a.measured >= 140.0 && a.baseline >= 140.0,
            "{file}: walking steps compared: {a:#?}"
        );
    }
    eprintln!("rp-gezip: {} cadence_shift alerts", shifts.len());
    assert!(shifts.len() <= 2, "{shifts:#?}");
}
