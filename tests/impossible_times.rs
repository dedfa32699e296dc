//! Times that cannot be true (issue 15, point 2; RULES.md F): a track from
//! a device without a clock, dated in the future, spanning months, or a
//! year away from the file's own date is stored and listed as "time
//! unknown" with the reason, kept out of the baseline and the rules, never
//! merged with another run by its start, and the runner can give its
//! start (`tag ID --start`), which then runs the rules. Real files
//! (`fixtures/real/gpx/`: Mojstrovka dated 1901, Blue Hills spanning 140
//! days) and crafted ones, through the real binary.
//!
//! No impossible duration either (issue 21, point 6): moving ≤ timer ≤
//! elapsed for every activity of every real file the tests know.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "util/dashboard.rs"]
mod dashboard;
mod util;

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;
use std::path::{Path, PathBuf};
use util::{Tw, gpx_run};

fn own_fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/real")
        .join(rel)
}

/// Every file of `dir`'s `subs` folders, sorted.
fn files_in(dir: &Path, subs: &[&str]) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = subs
        .iter()
        .flat_map(|sub| std::fs::read_dir(dir.join(sub)).unwrap())
        .map(|e| e.unwrap().path())
        .collect();
    out.sort();
    out
}

#[test]
fn moving_never_exceeds_timer_nor_timer_elapsed_in_any_real_file() {
    // The shared set, this repository's own, and one real runner's whole
    // history (the Keep exports with broken clocks among them).
    let shared = Path::new(util::REAL);
    let history = shared.join("../../histories");
    let mut paths = files_in(shared, &["fit", "gpx"]);
    paths.extend(files_in(&own_fixture(""), &["fit", "gpx", "tcx"]));
    paths.extend(files_in(&history, &["rp-helloo2020"]));
    let settings = tendonwatch::ingest::Settings::default();
    let (mut measured, mut broken) = (0, Vec::new());
    for path in &paths {
        // The path ingest takes: decode, settle clock and sport, measure.
        let read = tendonwatch::ingest::read_and_decode(path, &settings);
        for m in &read.metrics {
            measured += 1;
            let (moving, timer, elapsed) = (m.moving_s, m.timer_s, m.elapsed_s);
            let sane = [moving, timer, elapsed]
                .iter()
                .all(|s| s.is_finite() && *s >= 0.0);
            if !(sane && moving <= timer && timer <= elapsed) {
                broken.push(format!(
                    "{}: moving {moving} s, timer {timer} s, elapsed {elapsed} s ({:.2} km)",
                    path.display(),
                    m.distance_m / 1000.0
                ));
            }
        }
    }
    assert!(measured >= 500, "only {measured} activities measured");
    assert!(broken.is_empty(), "{broken:#?}");
}

fn epoch() -> DateTime<Utc> {
    DateTime::from_timestamp(0, 0).unwrap()
}

fn all(tw: &Tw) -> Vec<Value> {
    tw.activities_json()
}

fn by_path<'a>(items: &'a [Value], file: &str) -> &'a Value {
    items
        .iter()
        .find(|a| a["source_path"].as_str().unwrap().ends_with(file))
        .unwrap_or_else(|| panic!("no activity from {file}"))
}

fn evaluated(tw: &Tw, id: i64) -> bool {
    tw.conn()
        .query_row(
            "SELECT COUNT(*) FROM rule_evaluations WHERE activity_id = ?1",
            [id],
            |r| r.get::<_, i64>(0),
        )
        .unwrap()
        > 0
}

fn alert_ids(tw: &Tw) -> Vec<i64> {
    tw.run(&["alerts", "--all", "--json"])
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect()
}

#[test]
fn impossible_times_are_stored_as_unknown_with_the_reason_and_kept_out_of_the_rules() {
    let tw = Tw::new();
    dashboard::seed_season(&tw);
    let alerts_before = alert_ids(&tw);
    let runs_before = tw.run(&["alerts", "--stats", "--json"]).json()["runs"].clone();
    let now = Utc::now();
    let dir = tw.root().join("odd");
    std::fs::create_dir_all(&dir).unwrap();
    for real in ["gpx/tkrajina__Mojstrovka.gpx", "gpx/mapbox__blue_hills.gpx"] {
        let from = own_fixture(real);
        std::fs::copy(&from, dir.join(from.file_name().unwrap())).unwrap();
    }
    // Each 25 km: counted, any of them would be a long-run spike.
    let crafted = [
        ("future.gpx", None, now + Duration::days(3)),
        ("clockless.gpx", None, epoch() + Duration::seconds(1)),
        (
            "exported-years-later.gpx",
            Some(now - Duration::days(5 * 365)),
            now - Duration::days(2),
        ),
    ];
    for (file, metadata, start) in &crafted {
        std::fs::write(dir.join(file), gpx_run(file, *metadata, *start, 25.0)).unwrap();
    }
    tw.import(&[&dir]).assert_ok();

    let items = all(&tw);
    for (file, reason) in [
        ("tkrajina__Mojstrovka.gpx", "dated 1901-12-13, before 1990"),
        (
            "tkrajina__Mojstrovka.gpx",
            "the file itself is dated 2010-12-14",
        ),
        (
            "mapbox__blue_hills.gpx",
            "from 2001-05-26 to 2001-10-13 (140 days)",
        ),
        ("future.gpx", "after today"),
        ("clockless.gpx", "dated 1970-01-01, before 1990"),
        ("exported-years-later.gpx", "one of its clocks is wrong"),
    ] {
        let a = by_path(&items, file);
        let why = a["time_unknown"].as_str().unwrap_or_default();
        assert!(why.contains(reason), "{file}: {why:?} lacks {reason:?}");
        let id = a["id"].as_i64().unwrap();
        assert!(!evaluated(&tw, id), "{file}: the rules saw it");
        let show = tw.run(&["show", &id.to_string()]);
        show.assert_ok();
        assert!(
            show.stdout.contains("time unknown") && show.stdout.contains("--start"),
            "{file}: {}",
            show.stdout
        );
    }
    // Elapsed time comes from the track, never from a declared time.
    let elapsed = |file: &str| by_path(&items, file)["elapsed_s"].as_f64().unwrap();
    assert_eq!(elapsed("tkrajina__Mojstrovka.gpx"), 0.0);
    // What SOURCES.md measured: every point kept, the track's distance.
    for (file, samples, km) in [
        ("tkrajina__Mojstrovka.gpx", 184, 2.70),
        ("mapbox__blue_hills.gpx", 1243, 52.42),
    ] {
        let a = by_path(&items, file);
        assert_eq!(a["sample_count"], samples, "{file}");
        let d = a["distance_m"].as_f64().unwrap() / 1000.0;
        assert!((d - km).abs() <= km * 0.01, "{file}: {d} km");
    }
    for (file, _, _) in &crafted {
        assert!(
            (elapsed(file) - 8250.0).abs() <= 5.0,
            "{file}: {}",
            elapsed(file)
        );
    }
    // The listing says so on each line; the ordinary runs keep their dates.
    let text = tw.run(&["activities", "--all"]);
    let unknown_lines = text
        .stdout
        .lines()
        .filter(|l| l.contains("time unknown"))
        .count();
    assert_eq!(unknown_lines, 5, "{}", text.stdout);
    // `status` says how many wait for a start, and how to give one.
    let status = tw.run(&["status"]);
    status.assert_ok();
    assert!(
        status
            .stdout
            .contains("5 runs with a time that cannot be true"),
        "{}",
        status.stdout
    );
    let ids = tw.run(&["status", "--json"]).json()["time_unknown"].clone();
    assert_eq!(ids.as_array().unwrap().len(), 5, "{ids}");
    // No alert, and the budget's run count is the season's.
    assert_eq!(alert_ids(&tw), alerts_before);
    assert_eq!(
        tw.run(&["alerts", "--stats", "--json"]).json()["runs"],
        runs_before
    );
}

#[test]
fn clock_less_recordings_are_never_taken_for_the_same_run() {
    let tw = Tw::new();
    // Three different runs (in three places) from a device without a
    // clock: all start at 1970-01-01T00:00:01Z and last as long.
    for (i, km) in [(0, 5.0), (1, 5.0), (2, 5.0)] {
        let text = gpx_run("no clock", None, epoch() + Duration::seconds(1), km)
            .replace("lon=\"14.5\"", &format!("lon=\"{}\"", 14.5 + i as f64));
        std::fs::write(tw.sync().join(format!("run-{i}.gpx")), text).unwrap();
    }
    let summary = tw.import_json(&[tw.sync()]);
    assert_eq!(summary["imported"], 3, "{summary}");
    assert_eq!(summary["already_known"], 0, "{summary}");
    assert_eq!(all(&tw).len(), 3);
}

#[test]
fn a_start_given_by_the_runner_runs_the_rules_and_outlives_a_new_version_of_the_file() {
    let tw = Tw::new();
    dashboard::seed_season(&tw);
    // 16 km, longer than the season's longest (12.96 km) by 23 %: once its
    // time is known, a long-run spike.
    let file = tw.sync().join("keep-export.gpx");
    let text = gpx_run("no clock", None, epoch() + Duration::seconds(1), 16.0);
    std::fs::write(&file, &text).unwrap();
    tw.import(&[&file]).assert_ok();
    let a = by_path(&all(&tw), "keep-export.gpx").clone();
    let id = a["id"].as_i64().unwrap();
    assert!(a["time_unknown"].is_string());
    assert_eq!(a["start_status"], "file");
    let alerts_before = alert_ids(&tw);

    // Wrong values change nothing: one line, exit 2.
    let row_before = util::dump_table(&tw.conn(), "activities", &[]);
    for bad in ["yesterday", "1985-06-01T07:00", "2099-01-01T07:00"] {
        let run = tw.run(&["tag", &id.to_string(), "--start", bad]);
        assert_eq!(run.status.code(), Some(2), "{bad}: {}", run.stderr);
        assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
    }
    assert_eq!(util::dump_table(&tw.conn(), "activities", &[]), row_before);

    let start = (Utc::now() - Duration::days(1))
        .date_naive()
        .and_hms_opt(7, 0, 0)
        .unwrap()
        .and_utc();
    let given = start.to_rfc3339();
    let run = tw.run(&["tag", &id.to_string(), "--start", &given]);
    run.assert_ok();
    assert!(run.stdout.contains("(your word)"), "{}", run.stdout);
    let a = by_path(&all(&tw), "keep-export.gpx").clone();
    assert_eq!(a["time_unknown"], Value::Null);
    assert_eq!(a["start_status"], "runner");
    assert_eq!(a["start_ms"].as_i64().unwrap(), start.timestamp_millis());
    assert!((a["elapsed_s"].as_f64().unwrap() - 5280.0).abs() <= 5.0);
    assert!(evaluated(&tw, id), "the rules ran on it");
    let alerts = tw.run(&["alerts", "--all", "--json"]).json();
    let spikes: Vec<&Value> = alerts
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| !alerts_before.contains(&x["id"].as_i64().unwrap()))
        .filter(|x| x["kind"] == "run_spike" && x["activity_id"] == id)
        .collect();
    assert_eq!(spikes.len(), 1, "one long-run spike: {alerts}");
    let show = tw.run(&["show", &id.to_string(), "--json"]).json();
    assert_eq!(show["metrics"]["part_of_day"], "morning");

    // A new version of the file (the app re-exported it) keeps the start.
    std::fs::write(&file, format!("{text}<!-- re-exported -->\n")).unwrap();
    let summary = tw.import_json(&[&file]);
    assert_eq!(summary["imported"], 0, "{summary}");
    let again = by_path(&all(&tw), "keep-export.gpx").clone();
    assert_eq!(again["id"], id);
    assert_eq!(again["start_ms"], a["start_ms"]);
    assert_eq!(again["time_unknown"], Value::Null);
    assert_eq!(again["start_status"], "runner");
    let samples: i64 = tw
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM activities WHERE id = ?1 AND start_ms = ?2",
            rusqlite::params![id, start.timestamp_millis()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(samples, 1);
    assert_eq!(
        tw.run(&["show", &id.to_string(), "--json"]).json()["metrics"]["part_of_day"],
        "morning",
        "measured again at its new time"
    );
}

#[test]
fn a_track_spanning_months_cannot_be_fixed_by_a_start() {
    let tw = Tw::new();
    let file = tw.sync().join("blue_hills.gpx");
    std::fs::copy(own_fixture("gpx/mapbox__blue_hills.gpx"), &file).unwrap();
    tw.import(&[&file]).assert_ok();
    let id = all(&tw)[0]["id"].as_i64().unwrap();
    let before = util::dump_table(&tw.conn(), "activities", &[]);
    let run = tw.run(&["tag", &id.to_string(), "--start", "2024-05-26T15:15"]);
    assert_eq!(run.status.code(), Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("140 days"), "{}", run.stderr);
    assert!(run.stderr.contains("nothing changed"), "{}", run.stderr);
    assert_eq!(util::dump_table(&tw.conn(), "activities", &[]), before);
    assert_eq!(tw.count("start_tags"), 0);
}

#[test]
fn the_runs_page_asks_when_a_clock_less_run_started_and_takes_the_answer() {
    let tw = Tw::new();
    dashboard::seed_season(&tw);
    let file = tw.sync().join("no-clock.gpx");
    std::fs::write(
        &file,
        gpx_run("no clock", None, epoch() + Duration::seconds(1), 8.0),
    )
    .unwrap();
    tw.import(&[&file]).assert_ok();
    let id = by_path(&all(&tw), "no-clock.gpx")["id"].as_i64().unwrap();
    let server = dashboard::Server::start(&tw, None);
    let list = server.get("/activities", None);
    assert!(
        list.body.contains(&format!(
            "href=\"/activity/{id}\"><span class=\"date\">time unknown"
        )),
        "{}",
        list.body
    );
    let page = server.get(&format!("/activity/{id}"), None);
    assert!(page.body.contains("When did it start?"), "{}", page.body);
    assert!(page.body.contains("before 1990"), "{}", page.body);
    assert!(
        !page.body.contains("Time of day"),
        "a clock-less run has none"
    );

    let v = server.visit();
    let day = (Utc::now() - Duration::days(2)).format("%Y-%m-%d");
    let r = server.post_form(
        &format!("/activity/{id}/start"),
        Some(&v.cookie),
        &v.form(&format!("start={day}T18%3A30")),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let saved = server.get(r.header("location").unwrap(), Some(&v.cookie));
    assert!(saved.body.contains("Start saved"), "{}", saved.body);
    assert!(!saved.body.contains("When did it start?"));
    assert!(saved.body.contains("Time of day"));
    let api = server.get(&format!("/api/activities/{id}"), None).json();
    assert_eq!(api["activity"]["time_unknown"], Value::Null);
    assert_eq!(api["activity"]["start_status"], "runner");
    assert_eq!(api["metrics"]["part_of_day"], "evening");
    assert!(evaluated(&tw, id));
}
