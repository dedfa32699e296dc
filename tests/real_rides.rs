//! Real GPX files of things that are not runs and do not say so (no `<type>`
//! in the track), kept for the sport-inference feature, and one real ride in
//! three formats (FIT, TCX, GPX) for "the same activity twice is stored
//! once". Sources and measured facts: `fixtures/real/SOURCES.md`.
//!
//! What is pinned is what the decoders read today: distance (within 1 %),
//! duration, the track's name (`Activity::name`) and the file's creator
//! (`device.creator`). The sport these files settle to, and why, is pinned
//! in `tests/sport_inference.rs` (the decoder only says "not stated").
#![allow(clippy::unwrap_used, clippy::expect_used)]

use tendonwatch::activity::{Activity, track_length_m};
use tendonwatch::decode::{Decoded, Format, decode_file};

const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/real/");
/// The team's shared FIT/GPX set, outside the repository.
const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/real/");

/// What SOURCES.md measured for an untyped GPX file.
struct Ride {
    file: &'static str,
    samples: usize,
    /// `Activity::distance_m()`, within 1 %.
    distance_m: f64,
    /// Last point minus first point.
    duration_s: f64,
    name: &'static str,
    creator: &'static str,
}

const UNTYPED: &[Ride] = &[
    // A car (its repository's name for it) recorded by a Garmin eTrex 20x:
    // 2.73 km in 8 min 34 s, 19.1 km/h on average: cycling speed, not a run.
    Ride {
        file: "gpx/tkrajina__around-visnjan-with-car.gpx",
        samples: 104,
        distance_m: 2733.2,
        duration_s: 514.0,
        name: "2020-12-18 07:24:29",
        creator: "eTrex 20x",
    },
    // A day out on foot with a Garmin GPSMAP 64s ("Tag" = day): 18.2 km in
    // 10 h 10 min, two segments, 1.8 km/h overall.
    Ride {
        file: "gpx/georust__garmin_with_extensions.gpx",
        samples: 3540,
        distance_m: 18_188.0,
        duration_s: 36_624.0,
        name: "2019-05-01 06:31:11 Tag",
        creator: "GPSMAP 64s",
    },
    // A RideWithGPS export (a cycling service) cut to 3 points that do not
    // move: name is the date, no type.
    Ride {
        file: "gpx/georust__wahoo_example.gpx",
        samples: 3,
        distance_m: 0.0,
        duration_s: 2.0,
        name: "04/24/22",
        creator: "http://ridewithgps.com/",
    },
];

fn decode(path: &str) -> Decoded {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let name = path.rsplit('/').next().unwrap();
    decode_file(name, &bytes).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn only(decoded: &Decoded, what: &str) -> Activity {
    assert_eq!(decoded.activities.len(), 1, "{what}");
    decoded.activities[0].clone()
}

fn ms(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .timestamp_millis()
}

#[test]
fn every_untyped_gpx_here_is_pinned() {
    let mut on_disk: Vec<String> = std::fs::read_dir(format!("{REPO}gpx"))
        .unwrap()
        .map(|e| format!("gpx/{}", e.unwrap().file_name().into_string().unwrap()))
        .collect();
    on_disk.sort();
    // The files whose clock cannot be true are pinned by
    // tests/impossible_times.rs.
    let clocks = ["gpx/mapbox__blue_hills.gpx", "gpx/tkrajina__Mojstrovka.gpx"];
    let mut pinned: Vec<String> = UNTYPED
        .iter()
        .map(|r| r.file)
        .chain(clocks)
        .map(str::to_string)
        .collect();
    pinned.sort();
    assert_eq!(on_disk, pinned);
}

#[test]
fn untyped_gpx_files_decode_to_their_measured_facts() {
    for r in UNTYPED {
        let decoded = decode(&format!("{REPO}{}", r.file));
        let a = only(&decoded, r.file);
        assert_eq!(decoded.format, Format::Gpx, "{}", r.file);
        assert!(decoded.is_complete(), "{}: {:?}", r.file, decoded.partial);
        assert_eq!(a.samples.len(), r.samples, "{}", r.file);
        let d = a.distance_m();
        assert!(
            (d - r.distance_m).abs() <= (r.distance_m * 0.01).max(1.0),
            "{}: distance {d} m, expected {} m",
            r.file,
            r.distance_m
        );
        let duration = (a.samples.last().unwrap().time_ms - a.samples[0].time_ms) as f64 / 1000.0;
        assert_eq!(duration, r.duration_s, "{}", r.file);
        assert_eq!(a.elapsed_s(), r.duration_s, "{}", r.file);
        assert_eq!(a.name.as_deref(), Some(r.name), "{}", r.file);
        assert_eq!(a.device.creator.as_deref(), Some(r.creator), "{}", r.file);
        assert!(a.channels().gps, "{}", r.file);
        assert!(!a.channels().heart_rate, "{}", r.file);
        assert!(!a.channels().cadence, "{}", r.file);
    }
}

/// The speeds that make these files evidence for inference: the car at
/// cycling speed, the walker far below any run.
#[test]
fn untyped_files_have_the_speeds_documented() {
    let speed = |file: &str| {
        let a = only(&decode(&format!("{REPO}{file}")), file);
        track_length_m(&a.samples) / a.elapsed_s()
    };
    let car = speed("gpx/tkrajina__around-visnjan-with-car.gpx");
    assert!((5.2..5.4).contains(&car), "{car} m/s");
    let walk = speed("gpx/georust__garmin_with_extensions.gpx");
    assert!((0.45..0.55).contains(&walk), "{walk} m/s");
}

/// The same Garmin Edge 1000 ride of 2020-06-01 (sweatpy's example data):
/// the device's FIT, Garmin Connect's TCX export and Garmin Connect's GPX
/// export (in ../shared). All three start at the same instant, end at the
/// same instant, hold the same 96 points (once the TCX's repeated
/// lap-boundary points are kept once) and agree on the distance: what "the
/// same activity twice" looks like across formats.
#[test]
fn one_ride_in_three_formats_decodes_to_the_same_activity() {
    let fit = only(
        &decode(&format!("{REPO}fit/GoldenCheetah__2020-06-01-16-52-40.fit")),
        "fit",
    );
    let tcx = only(
        &decode(&format!("{REPO}tcx/GoldenCheetah__activity_5039744860.tcx")),
        "tcx",
    );
    let gpx_path = format!("{SHARED}gpx/activity_5039744860.gpx");
    let start = ms("2020-06-01T14:52:40Z");
    let end = ms("2020-06-01T14:54:46Z");
    for (what, a) in [("fit", &fit), ("tcx", &tcx)] {
        assert!(!a.sport.is_running(), "{what}");
        assert_eq!(a.start_ms, start, "{what}");
        assert_eq!(a.samples.last().unwrap().time_ms, end, "{what}");
        assert_eq!(a.samples.len(), 96, "{what}");
        let d = a.summary.total_distance_m.unwrap();
        assert!((d - 668.19).abs() < 0.001, "{what}: {d}");
        assert_eq!(a.laps.len(), 5, "{what}");
    }
    let fit_times: Vec<i64> = fit.samples.iter().map(|s| s.time_ms).collect();
    let tcx_times: Vec<i64> = tcx.samples.iter().map(|s| s.time_ms).collect();
    assert_eq!(fit_times, tcx_times);
    // Same GPS track to the centimetre.
    let (f, t) = (track_length_m(&fit.samples), track_length_m(&tcx.samples));
    assert!((f - t).abs() < 0.01, "fit {f} m, tcx {t} m");

    // The GPX export lives in the shared set; skip quietly when it is absent.
    if std::path::Path::new(&gpx_path).exists() {
        let gpx = only(&decode(&gpx_path), "gpx");
        assert_eq!(gpx.start_ms, start);
        assert_eq!(gpx.samples.last().unwrap().time_ms, end);
        assert_eq!(gpx.samples.len(), 96);
        let gpx_times: Vec<i64> = gpx.samples.iter().map(|s| s.time_ms).collect();
        assert_eq!(gpx_times, fit_times);
        let g = track_length_m(&gpx.samples);
        assert!((g - f).abs() < 1.0, "gpx {g} m, fit {f} m");
        assert_eq!(gpx.name.as_deref(), Some("Leiden Fietsen"));
    }
}
