//! The sport of a file that does not say it (issue 11, RULES.md F), and the
//! same activity arriving in several formats: real files from other apps
//! first, then a runner's story through ingest, the rules and the answer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use tendonwatch::activity::{Activity, Sport};
use tendonwatch::alerts::{self, RuleSettings};
use tendonwatch::baseline::BaselineSettings;
use tendonwatch::ingest::{self, Settings};
use tendonwatch::rules::{Mode, Profile, Thresholds};
use tendonwatch::sim::fit_writer::encode;
use tendonwatch::sim::runs::{RunSpec, steady_run};
use tendonwatch::store::{ActivityRow, Store};
use tendonwatch::zone::DAY_MS;
use tendonwatch::zone::Zone;

const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/real/");
const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/real/");

fn rule_settings() -> RuleSettings {
    RuleSettings {
        baseline: BaselineSettings::default(),
        profile: Profile {
            mode: Mode::Normal,
            age: None,
        },
        thresholds: Thresholds::default(),
        horizon_days: 3,
        sinks: vec!["webhook".to_string()],
        zone: tendonwatch::zone::Zone::Fixed(0),
    }
}

fn ingest_paths(store: &mut Store, paths: Vec<PathBuf>, now_ms: i64) -> ingest::Summary {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    runtime
        .block_on(ingest::ingest_files(
            store,
            paths,
            &Settings::default(),
            1,
            now_ms,
            &mut |_, _| {},
        ))
        .unwrap()
}

fn ingest_dir(store: &mut Store, dir: &Path, now_ms: i64) -> ingest::Summary {
    let (files, problems) = ingest::discover(&[dir.to_path_buf()]);
    assert!(problems.is_empty(), "{problems:?}");
    ingest_paths(store, files, now_ms)
}

fn by_source<'a>(rows: &'a [ActivityRow], file: &str) -> &'a ActivityRow {
    rows.iter()
        .find(|r| r.source_path.ends_with(file))
        .unwrap_or_else(|| panic!("{file} not stored: {rows:#?}"))
}

/// A GPX of an activity as an app that does not name the sport writes it:
/// no `<type>`, an optional track name.
fn untyped_gpx(a: &Activity, name: Option<&str>) -> Vec<u8> {
    let mut g = String::from(
        "<?xml version=\"1.0\"?>\n<gpx version=\"1.1\" creator=\"Some GPS app\" \
         xmlns=\"http://www.topografix.com/GPX/1/1\">\n<trk>",
    );
    if let Some(n) = name {
        write!(g, "<name>{n}</name>").unwrap();
    }
    g.push_str("<trkseg>\n");
    for s in a.samples.iter().filter(|s| s.has_position()) {
        let t = chrono::DateTime::from_timestamp_millis(s.time_ms).unwrap();
        writeln!(
            g,
            "<trkpt lat=\"{:.7}\" lon=\"{:.7}\"><time>{}</time></trkpt>",
            s.lat_deg.unwrap(),
            s.lon_deg.unwrap(),
            t.format("%Y-%m-%dT%H:%M:%SZ"),
        )
        .unwrap();
    }
    g.push_str("</trkseg></trk></gpx>\n");
    g.into_bytes()
}

fn run_at(start_ms: i64, distance_m: f64, pace_s_per_km: f64, seed: u64) -> Activity {
    steady_run(&RunSpec {
        start_ms,
        seed,
        ..RunSpec::new(distance_m, pace_s_per_km)
    })
}

/// Eight 8 km runs at 5:30/km, every other day, the last two days before
/// `now`, as the watch's FIT files.
fn write_runs(dir: &Path, now_ms: i64) {
    for i in 0..8 {
        let start = now_ms - (2 + 2 * (7 - i)) * DAY_MS;
        let a = run_at(start, 8000.0, 330.0, i as u64 + 1);
        std::fs::write(dir.join(format!("run{i:02}.fit")), encode(&a)).unwrap();
    }
}

#[test]
fn real_files_without_a_sport_are_settled_with_their_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let sync = dir.path().join("sync");
    std::fs::create_dir(&sync).unwrap();
    // A Strava ride export with its `<type>1</type>` taken out: what an app
    // that never names the sport writes. 36 km in 86 min.
    let ride = std::fs::read_to_string(format!("{SHARED}gpx/4801048867_strava.gpx")).unwrap();
    assert!(ride.contains("<type>1</type>"));
    std::fs::write(
        sync.join("4801048867.gpx"),
        ride.replace("<type>1</type>", ""),
    )
    .unwrap();
    for (from, to) in [
        // Named as Strava names the files of a bulk export.
        (format!("{SHARED}gpx/run_gpxtpx.gpx"), "3521857434.gpx"),
        (
            format!("{REPO}gpx/tkrajina__around-visnjan-with-car.gpx"),
            "around-visnjan-with-car.gpx",
        ),
        (
            format!("{REPO}gpx/georust__garmin_with_extensions.gpx"),
            "garmin_with_extensions.gpx",
        ),
    ] {
        std::fs::copy(from, sync.join(to)).unwrap();
    }
    let mut store = Store::open(&dir.path().join("tw.db")).unwrap();
    ingest_dir(&mut store, &sync, 1_790_000_000_000);
    let rows = store.activities().unwrap();

    let ride = by_source(&rows, "4801048867.gpx");
    assert_eq!(
        (ride.sport.as_str(), ride.sport_status.as_str()),
        ("cycling", "inferred")
    );
    assert!(
        ride.sport_evidence[0].contains("faster than the running world record"),
        "{:?}",
        ride.sport_evidence
    );

    // Strava's run export says nothing either, and nothing speaks against it.
    let run = by_source(&rows, "3521857434.gpx");
    assert_eq!(
        (run.sport.as_str(), run.sport_status.as_str()),
        ("running", "assumed")
    );

    // The file's own name says what it was.
    let car = by_source(&rows, "around-visnjan-with-car.gpx");
    assert_eq!(
        (car.sport.as_str(), car.sport_status.as_str()),
        ("other", "inferred")
    );
    assert!(
        car.sport_evidence[0].contains("file name"),
        "{:?}",
        car.sport_evidence
    );

    // A day on foot at well under walking-to-running pace: asked about.
    let walk = by_source(&rows, "garmin_with_extensions.gpx");
    assert_eq!(
        (walk.sport.as_str(), walk.sport_status.as_str()),
        ("walking", "unconfirmed")
    );
    assert!(
        walk.sport_evidence
            .iter()
            .any(|e| e.contains("walking pace"))
    );

    // Only the run counts as running.
    let runs = store.run_records(0, i64::MAX, &Zone::Fixed(0)).unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].activity_id, run.id);
}

#[test]
fn a_ride_far_faster_than_the_runners_own_runs_is_asked_about_once_then_answered() {
    let now = 1_790_000_000_000;
    let dir = tempfile::tempdir().unwrap();
    let sync = dir.path().join("sync");
    std::fs::create_dir(&sync).unwrap();
    write_runs(&sync, now);
    let mut store = Store::open(&dir.path().join("tw.db")).unwrap();
    let settings = rule_settings();
    ingest_dir(&mut store, &sync, now);
    alerts::evaluate_pending(&mut store, &settings, now).unwrap();

    // Yesterday: 21 km at 3:02/km in a file that names nothing. Possible for
    // an elite, not for someone whose runs are at 5:30/km.
    let ride = run_at(now - DAY_MS, 21_000.0, 182.0, 99);
    std::fs::write(sync.join("track.gpx"), untyped_gpx(&ride, None)).unwrap();
    ingest_dir(&mut store, &sync, now);
    let rows = store.activities().unwrap();
    let row = by_source(&rows, "track.gpx").clone();
    assert_eq!(
        (row.sport.as_str(), row.sport_status.as_str()),
        ("cycling", "unconfirmed")
    );
    assert!(
        row.sport_evidence[0].contains("far faster than your usual runs"),
        "{:?}",
        row.sport_evidence
    );
    let in_baseline = |store: &Store| {
        store
            .run_records(0, i64::MAX, &Zone::Fixed(0))
            .unwrap()
            .iter()
            .any(|r| r.activity_id == row.id)
    };
    assert!(
        !in_baseline(&store),
        "unconfirmed is kept out of the baseline"
    );

    // One question, queued for delivery, never twice.
    let asked = alerts::evaluate_pending(&mut store, &settings, now).unwrap();
    assert_eq!(asked.len(), 1, "{asked:#?}");
    let q = &asked[0];
    assert_eq!(
        (q.kind.as_str(), q.delivery.as_str()),
        ("sport_question", "queued")
    );
    assert!(
        q.what_changed.starts_with(&format!(
            "Was activity {} a run? It looks like a ride: 21.0 km at 3:02/km",
            row.id
        )),
        "{}",
        q.what_changed
    );
    assert!(
        alerts::evaluate_pending(&mut store, &settings, now)
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.outbox_rows().unwrap().len(), 1);

    // "It was a run": it joins the baseline, the question closes, and the
    // rules judge it — 21 km against 8 km runs is a run_spike.
    let change = alerts::change_sport(
        &mut store,
        row.id,
        Sport::Running,
        &Settings::default(),
        &settings,
        now,
    )
    .unwrap()
    .unwrap();
    assert_eq!(change.before, Sport::Cycling);
    assert!(in_baseline(&store));
    assert!(
        change
            .new_alerts
            .iter()
            .any(|a| a.kind == "run_spike" && a.activity_id == Some(row.id)),
        "{:#?}",
        change.new_alerts
    );
    let open: Vec<String> = store
        .alerts(false)
        .unwrap()
        .into_iter()
        .map(|a| a.kind)
        .collect();
    assert!(!open.contains(&"sport_question".to_string()), "{open:?}");
    assert!(
        store.unconfirmed().unwrap().is_empty(),
        "answered: no longer waiting"
    );

    // "No, a ride after all": its run alerts are withdrawn, it leaves the
    // baseline again.
    let change = alerts::change_sport(
        &mut store,
        row.id,
        Sport::Cycling,
        &Settings::default(),
        &settings,
        now,
    )
    .unwrap()
    .unwrap();
    assert!(change.withdrawn >= 1, "{change:?}");
    assert!(!in_baseline(&store));
    assert!(
        store
            .alerts(false)
            .unwrap()
            .iter()
            .all(|a| a.activity_id != Some(row.id)),
        "no open alert about a ride"
    );

    // The runner's word outlives the file changing (a re-sync with one more
    // point): still cycling, measured as such.
    let mut longer = ride.clone();
    let mut last = *longer.samples.last().unwrap();
    last.time_ms += 1000;
    longer.samples.push(last);
    std::fs::write(sync.join("track.gpx"), untyped_gpx(&longer, None)).unwrap();
    ingest_dir(&mut store, &sync, now);
    let again = store.activity(row.id).unwrap().unwrap();
    assert_eq!(
        (again.sport.as_str(), again.sport_status.as_str()),
        ("cycling", "runner")
    );
    assert!(store.metrics(row.id).unwrap().unwrap().cross_training);
    assert!(!in_baseline(&store));
}

#[test]
fn a_first_import_asks_about_a_ride_that_sorted_before_the_runs() {
    // The ride's file comes first in path order, before any run has shown
    // how fast this runner goes: the pass after the import catches it.
    let now = 1_790_000_000_000;
    let dir = tempfile::tempdir().unwrap();
    let sync = dir.path().join("sync");
    std::fs::create_dir(&sync).unwrap();
    write_runs(&sync, now);
    let ride = run_at(now - DAY_MS, 21_000.0, 182.0, 99);
    std::fs::write(sync.join("0000.gpx"), untyped_gpx(&ride, Some("Saturday"))).unwrap();
    let mut store = Store::open(&dir.path().join("tw.db")).unwrap();
    ingest_dir(&mut store, &sync, now);
    let rows = store.activities().unwrap();
    let row = by_source(&rows, "0000.gpx");
    assert_eq!(
        (row.sport.as_str(), row.sport_status.as_str()),
        ("cycling", "unconfirmed")
    );
    assert!(store.metrics(row.id).unwrap().unwrap().cross_training);
}

#[test]
fn a_track_name_that_names_a_ride_settles_it_at_any_speed() {
    // Runkeeper names an untyped export after its activity type.
    let now = 1_790_000_000_000;
    let dir = tempfile::tempdir().unwrap();
    let sync = dir.path().join("sync");
    std::fs::create_dir(&sync).unwrap();
    let slow_ride = run_at(now - DAY_MS, 12_000.0, 300.0, 5);
    std::fs::write(
        sync.join("2017-10-02-0812.gpx"),
        untyped_gpx(&slow_ride, Some("Cycling 10/2/17")),
    )
    .unwrap();
    let mut store = Store::open(&dir.path().join("tw.db")).unwrap();
    let summary = ingest_dir(&mut store, &sync, now);
    assert_eq!(summary.non_running, 1, "{summary:?}");
    let rows = store.activities().unwrap();
    assert_eq!(
        (rows[0].sport.as_str(), rows[0].sport_status.as_str()),
        ("cycling", "inferred")
    );
    assert_eq!(
        rows[0].sport_evidence,
        vec!["track name \"Cycling 10/2/17\" names ride"]
    );
}

/// The same real ride as the Edge 1000's FIT, Garmin Connect's TCX export
/// and its GPX export: one activity, kept from the richest file whatever the
/// order, the other two recorded as its duplicates; importing again changes
/// nothing.
#[test]
fn one_real_ride_in_three_formats_is_stored_once_from_the_richest_file() {
    let files = [
        format!("{REPO}fit/GoldenCheetah__2020-06-01-16-52-40.fit"),
        format!("{REPO}tcx/GoldenCheetah__activity_5039744860.tcx"),
        format!("{SHARED}gpx/activity_5039744860.gpx"),
    ];
    let orders: [[usize; 3]; 3] = [[0, 1, 2], [2, 1, 0], [1, 2, 0]];
    let mut kept = Vec::new();
    for order in orders {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("tw.db")).unwrap();
        for &i in &order {
            // One file at a time, in this order, as separate syncs.
            let name = Path::new(&files[i]).file_name().unwrap();
            let copy = dir.path().join(name);
            std::fs::copy(&files[i], &copy).unwrap();
            ingest_paths(&mut store, vec![copy], 1_790_000_000_000);
        }
        let rows = store.activities().unwrap();
        assert_eq!(rows.len(), 1, "order {order:?}: {rows:#?}");
        let a = &rows[0];
        assert_eq!(
            a.format, "fit",
            "order {order:?}: the watch's own file is the richest"
        );
        assert_eq!(a.sport, "cycling");
        let conn = rusqlite::Connection::open(dir.path().join("tw.db")).unwrap();
        let mut stmt = conn
            .prepare("SELECT format_of_path, outcome, duplicate_of FROM (SELECT path AS format_of_path, outcome, duplicate_of FROM files) ORDER BY format_of_path")
            .unwrap();
        let files_rows: Vec<(String, String, Option<i64>)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let dups: Vec<&(String, String, Option<i64>)> =
            files_rows.iter().filter(|f| f.1 == "duplicate").collect();
        assert_eq!(dups.len(), 2, "order {order:?}: {files_rows:#?}");
        assert!(dups.iter().all(|f| f.2 == Some(a.id)), "{files_rows:#?}");
        assert!(dups.iter().all(|f| !f.0.ends_with(".fit")));

        // Importing all three again is a no-op.
        let before = store.activities().unwrap();
        let paths: Vec<PathBuf> = order
            .iter()
            .map(|&i| dir.path().join(Path::new(&files[i]).file_name().unwrap()))
            .collect();
        let summary = ingest_paths(&mut store, paths, 1_790_000_000_000);
        assert_eq!(
            (summary.imported, summary.non_running, summary.already_known),
            (0, 0, 3)
        );
        assert_eq!(store.activities().unwrap(), before);
        kept.push((a.start_ms, a.sample_count));
    }
    assert!(kept.windows(2).all(|w| w[0] == w[1]), "{kept:?}");
}
