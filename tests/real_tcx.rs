//! TCX through the decoder: every real file of `fixtures/real/tcx/` with the
//! facts of `fixtures/real/SOURCES.md` pinned, then one crafted file per
//! thing a TCX reader must get right (multisport legs, a route, a treadmill,
//! a file cut short, a gzip bomb, times without a zone, an empty first point,
//! cadence already in steps), and `tendonwatch import` storing a TCX run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

use std::io::Write;
use tendonwatch::activity::{Activity, Sport, track_length_m};
use tendonwatch::decode::{DecodeError, Decoded, Format, MAX_INFLATED_BYTES, decode_file};
use util::Tw;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/real/tcx/");

/// What SOURCES.md measured for a real file.
#[derive(Debug, Clone, Copy)]
struct Facts {
    sport: Sport,
    label: &'static str,
    activities: usize,
    samples: usize,
    laps: usize,
    /// `Activity::distance_m()` (the laps' DistanceMeters), within 0.5 %.
    distance_m: f64,
    gps: bool,
    cadence: bool,
    heart_rate: bool,
}

/// One row per file of the folder; `every_real_tcx_file_is_pinned` fails when
/// a file is added or removed without updating this table.
const EXPECTED: &[(&str, Facts)] = &[
    // Garmin Connect export of a fenix 5 Plus run, cut by its repository to
    // one lap and one point: RunCadence 54 (per leg), TPX speed, HR 74.
    (
        "Whiskey24__1_activity_1_track_1_lap_1_trackpoint.tcx",
        Facts {
            sport: Sport::Running,
            label: "Running",
            activities: 1,
            samples: 1,
            laps: 1,
            distance_m: 1000.0,
            gps: true,
            cadence: true,
            heart_rate: true,
        },
    ),
    // Runtastic export, `Sport="running"` in lower case, fields in an order
    // of its own, cut to 4 points (14 m) under a lap that says 7,009 m.
    (
        "stratis-vip__runtastic.tcx",
        Facts {
            sport: Sport::Running,
            label: "running",
            activities: 1,
            samples: 4,
            laps: 1,
            distance_m: 7009.0,
            gps: true,
            cadence: false,
            heart_rate: true,
        },
    ),
    // tapiriik's copy of a Garmin run: TPX without prefix (default
    // namespace), RunCadence 91/93, 2 points of a 1,000 m lap, Greek notes.
    (
        "stratis-vip__tapirik.tcx",
        Facts {
            sport: Sport::Running,
            label: "Running",
            activities: 1,
            samples: 2,
            laps: 1,
            distance_m: 1000.0,
            gps: true,
            cadence: true,
            heart_rate: true,
        },
    ),
    // A Fitbit Ionic export edited by hand for a parser's tests (MIT):
    // a run and a ride in one file, -05:00 offsets, CRLF line ends, laps
    // that start two hours before their points, a 1° jump in the second
    // lap. Facts of the first activity (the run): 2 laps of 5,782.82 m.
    (
        "keithdoggett__test_data.tcx",
        Facts {
            sport: Sport::Running,
            label: "Running",
            activities: 2,
            samples: 4,
            laps: 2,
            distance_m: 11_565.64,
            gps: true,
            cadence: false,
            heart_rate: true,
        },
    ),
    // Garmin Forerunner 410 run (python-tcxparser's test.tcx, BSD-2-Clause):
    // 3 laps of a mile-ish, 384 points, HR, no cadence, `<Notes>Aerobics`,
    // no Author.
    (
        "vkurup__test.tcx",
        Facts {
            sport: Sport::Running,
            label: "Running",
            activities: 1,
            samples: 384,
            laps: 3,
            distance_m: 4689.24,
            gps: true,
            cadence: false,
            heart_rate: true,
        },
    ),
    // Garmin Connect export of a vívoactive HR stand-up-paddle session:
    // `Sport="Other"`, never running.
    (
        "vkurup__sup_activity_1.tcx",
        Facts {
            sport: Sport::Other,
            label: "Other",
            activities: 1,
            samples: 111,
            laps: 2,
            distance_m: 1157.51,
            gps: true,
            cadence: false,
            heart_rate: true,
        },
    ),
    // Garmin Connect export of a vívoactive HR cross-country ski session:
    // `Sport="Other"` with a cadence the foot-sport rule must not touch.
    (
        "alenrajsp__cross-country-skiing_activity_1.tcx",
        Facts {
            sport: Sport::Other,
            label: "Other",
            activities: 1,
            samples: 486,
            laps: 2,
            distance_m: 5692.01,
            gps: true,
            cadence: true,
            heart_rate: true,
        },
    ),
    // MapMyRide export of a ride: one 880 KB line, no Author or Creator,
    // microsecond times with +00:00, the first 7 points without position.
    (
        "alenrajsp__mapmyride_biking.tcx",
        Facts {
            sport: Sport::Cycling,
            label: "Biking",
            activities: 1,
            samples: 3112,
            laps: 1,
            distance_m: 15_350.42,
            gps: true,
            cadence: false,
            heart_rate: false,
        },
    ),
    // Garmin Connect export of a Garmin Edge 1000 ride (sweatpy, MIT): the
    // same ride as fixtures/real/fit/GoldenCheetah__2020-06-01-16-52-40.fit
    // and ../shared gpx/activity_5039744860.gpx. 100 track points, of which
    // 4 repeat the lap-boundary point: 96 samples, as in the FIT.
    (
        "GoldenCheetah__activity_5039744860.tcx",
        Facts {
            sport: Sport::Cycling,
            label: "Biking",
            activities: 1,
            samples: 96,
            laps: 5,
            distance_m: 668.19,
            gps: true,
            cadence: true,
            heart_rate: true,
        },
    ),
];

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DIR}{name}")).unwrap_or_else(|e| panic!("{DIR}{name}: {e}"))
}

fn decode_real(name: &str) -> Decoded {
    decode_file(name, &read(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn ms(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .timestamp_millis()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

#[test]
fn every_real_tcx_file_is_pinned() {
    let mut on_disk: Vec<String> = std::fs::read_dir(DIR)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".tcx"))
        .collect();
    on_disk.sort();
    let mut pinned: Vec<String> = EXPECTED.iter().map(|(n, _)| n.to_string()).collect();
    pinned.sort();
    assert_eq!(on_disk, pinned);
    for name in &on_disk {
        assert!(decode_file(name, &read(name)).is_ok(), "{name}");
    }
}

#[test]
fn each_real_tcx_file_decodes_to_its_measured_facts() {
    for &(name, want) in EXPECTED {
        let decoded = decode_real(name);
        assert_eq!(decoded.format, Format::Tcx, "{name}");
        assert!(decoded.is_complete(), "{name}: {:?}", decoded.partial);
        assert_eq!(decoded.activities.len(), want.activities, "{name}");
        let a = &decoded.activities[0];
        assert_eq!(
            (a.sport, a.sport_label.as_str()),
            (want.sport, want.label),
            "{name}"
        );
        assert_eq!(a.samples.len(), want.samples, "{name}");
        let d = a.distance_m();
        assert!(
            (d - want.distance_m).abs() <= want.distance_m * 0.005,
            "{name}: distance {d} m, expected {} m",
            want.distance_m
        );
        let c = a.channels();
        assert_eq!(
            (c.gps, c.cadence, c.heart_rate),
            (want.gps, want.cadence, want.heart_rate),
            "{name}: gps, cadence, heart rate"
        );
        assert_eq!(a.laps.len(), want.laps, "{name}");
        assert!(a.samples.iter().all(|s| s.time_ms >= a.start_ms), "{name}");
    }
}

#[test]
fn gzipped_real_files_decode_identically_in_any_case_of_name() {
    for &(name, _) in EXPECTED {
        let plain = read(name);
        let upper = format!("{}.GZ", name.to_uppercase());
        let gz = decode_file(&upper, &gzip(&plain));
        assert!(gz.is_ok(), "{upper}: {gz:?}");
        assert_eq!(gz, decode_file(name, &plain), "{upper}");
    }
}

/// Garmin's RunCadence is per leg: 54 → 108 steps/min (the first second of a
/// run); speed from TPX; the watch is the product, Connect the creator.
#[test]
fn garmin_connect_point_doubles_run_cadence_and_keeps_speed() {
    let a = &decode_real("Whiskey24__1_activity_1_track_1_lap_1_trackpoint.tcx").activities[0];
    let s = a.samples[0];
    assert_eq!(s.cadence_spm, Some(108.0));
    assert_eq!(s.speed_m_per_s, Some(0.998));
    assert_eq!(s.heart_rate_bpm, Some(74.0));
    assert_eq!(s.distance_m, Some(0.0));
    assert_eq!(a.start_ms, ms("2020-09-23T15:31:31Z"));
    assert_eq!(a.device.product.as_deref(), Some("fenix 5 Plus"));
    assert_eq!(a.device.creator.as_deref(), Some("Connect Api"));
    assert_eq!(a.summary.total_timer_s, Some(340.0));
    assert_eq!(a.summary.avg_heart_rate_bpm, Some(141.0));
}

/// tapiriik writes `<TPX xmlns="…">` without a prefix: still read. The lap
/// starts 84 s before the first point, and the activity starts with the lap.
#[test]
fn tapiriik_unprefixed_tpx_and_lap_start_before_the_first_point() {
    let a = &decode_real("stratis-vip__tapirik.tcx").activities[0];
    let cadence: Vec<f32> = a.samples.iter().filter_map(|s| s.cadence_spm).collect();
    assert_eq!(cadence, vec![182.0, 186.0]);
    assert_eq!(a.samples[1].speed_m_per_s, Some(2.482));
    assert_eq!(a.start_ms, ms("2017-10-29T07:11:03Z"));
    assert_eq!(a.samples[0].time_ms, ms("2017-10-29T07:12:27Z"));
    assert_eq!(a.name.as_deref(), Some("Veria Τρέξιμο"));
    assert_eq!(a.device.creator.as_deref(), Some("tapiriik"));
}

/// Runtastic names itself in the root's `creator` attribute and writes the
/// sport in lower case.
#[test]
fn runtastic_root_creator_and_lower_case_sport() {
    let a = &decode_real("stratis-vip__runtastic.tcx").activities[0];
    assert!(
        a.device
            .creator
            .as_deref()
            .unwrap()
            .starts_with("Runtastic")
    );
    assert_eq!(a.samples.last().unwrap().distance_m, Some(14.0));
    assert_eq!(a.summary.total_distance_m, Some(7009.0));
    assert_eq!(a.summary.total_timer_s, Some(2901.0));
}

/// Two `<Activity>` in one file (a run, then a ride): two activities, the
/// ride never running; times with -05:00 give UTC and the runner's offset.
#[test]
fn fitbit_file_with_a_run_and_a_ride_is_two_activities() {
    let decoded = decode_real("keithdoggett__test_data.tcx");
    let [run, ride] = &decoded.activities[..] else {
        panic!("{decoded:?}")
    };
    assert_eq!((run.sport, ride.sport), (Sport::Running, Sport::Cycling));
    assert_eq!((run.session_index, ride.session_index), (0, 1));
    assert_eq!(run.local_offset_s, Some(-5 * 3600));
    assert_eq!(run.start_ms, ms("2020-02-12T00:40:22Z"));
    assert_eq!(run.samples[0].time_ms, ms("2020-02-12T02:44:03Z"));
    assert_eq!(ride.summary.total_distance_m, Some(6782.82 + 5782.82));
    assert_eq!(ride.samples.len(), 4);
    assert_eq!(run.device.product.as_deref(), Some("Fitbit Ionic"));
}

/// Garmin Connect's TCX export writes each lap-boundary point twice (last
/// point of a lap, first point of the next: same time, same values). Kept
/// once, the ride has the 96 samples of its FIT, no zero-second step, and
/// the warning says what was dropped. Fails without the repeat check in
/// tcx.rs `finish_point` (100 samples).
#[test]
fn garmin_connect_repeated_lap_boundary_points_are_kept_once() {
    let decoded = decode_real("GoldenCheetah__activity_5039744860.tcx");
    let a = &decoded.activities[0];
    assert_eq!(a.samples.len(), 96);
    assert!(
        a.samples.windows(2).all(|w| w[1].time_ms > w[0].time_ms),
        "no two samples share a time"
    );
    let warning = decoded.warning.as_deref().unwrap_or_default();
    assert!(warning.contains("4 repeated track points"), "{warning}");
    // The lap boundaries are still there: 5 laps, starting on those points.
    let lap_starts: Vec<i64> = a.laps.iter().map(|l| l.start_ms).collect();
    assert_eq!(
        lap_starts,
        [
            "2020-06-01T14:52:40Z",
            "2020-06-01T14:53:06Z",
            "2020-06-01T14:53:20Z",
            "2020-06-01T14:54:05Z",
            "2020-06-01T14:54:22Z"
        ]
        .map(ms)
    );
    // A bike's crank cadence is rpm: 90 on the first point, not doubled.
    assert_eq!(a.samples[0].cadence_spm, Some(90.0));
    assert_eq!(a.samples[0].power_w, Some(162.0));
    assert_eq!(a.device.product.as_deref(), Some("Garmin Edge 1000"));
    assert_eq!(a.device.creator.as_deref(), Some("Connect Api"));
}

/// A repeat is dropped only when everything matches: the same time with a
/// different value is kept (and sorted as it came).
#[test]
fn only_an_exact_repeat_is_dropped() {
    let p0 = point(0, Some((52.0, 4.0)), Some(0.0), 85);
    let p1 = point(1, Some((52.0, 4.00005)), Some(3.0), 85);
    let p1_other = point(1, Some((52.0, 4.00005)), Some(3.5), 85);
    let lap = |a: &str, b: &str| {
        format!(
            "<Lap StartTime=\"{t}\"><TotalTimeSeconds>1</TotalTimeSeconds><Track>{a}{b}</Track></Lap>",
            t = "2024-05-01T10:00:00Z"
        )
    };
    let file = |second_lap: String| {
        tcx(&format!(
            r#"<Activities><Activity Sport="Running"><Id>2024-05-01T10:00:00Z</Id>{}{second_lap}</Activity></Activities>"#,
            lap(&p0, &p1)
        ))
    };
    let (a, d) = only_activity(&file(lap(&p1, "")));
    assert_eq!(a.samples.len(), 2);
    assert!(d.warning.unwrap().contains("1 repeated track points"));
    let (a, d) = only_activity(&file(lap(&p1_other, "")));
    assert_eq!(a.samples.len(), 3);
    assert_eq!(d.warning, None);
}

/// Real files of producers the first four did not cover.
#[test]
fn forerunner_410_run_has_its_notes_laps_and_heart_rate() {
    let decoded = decode_real("vkurup__test.tcx");
    let a = &decoded.activities[0];
    assert_eq!(decoded.warning, None);
    assert_eq!(a.start_ms, ms("2012-12-26T21:29:53Z"));
    assert_eq!(a.name.as_deref(), Some("Aerobics"));
    assert_eq!(
        a.device.product.as_deref(),
        Some("Forerunner 410 Software Version 2.20")
    );
    assert_eq!(a.device.creator, None);
    assert_eq!(a.summary.total_timer_s.map(|t| t.round()), Some(1993.0));
    assert!(a.samples.iter().all(|s| s.cadence_spm.is_none()));
    let hr: Vec<f32> = a.samples.iter().filter_map(|s| s.heart_rate_bpm).collect();
    assert_eq!(hr.len(), 383, "one point of the 384 has no <HeartRateBpm>");
    assert!(hr.iter().all(|h| (50.0..=200.0).contains(h)), "{hr:?}");
    assert_eq!(a.samples[0].heart_rate_bpm, Some(62.0));
}

/// `Sport="Other"` (stand-up paddling, cross-country skiing) is never
/// running, and its cadence is kept as written: the per-leg doubling is for
/// foot sports only.
#[test]
fn other_sports_stay_other_and_keep_their_cadence() {
    let sup = &decode_real("vkurup__sup_activity_1.tcx").activities[0];
    assert!(!sup.sport.is_running());
    assert_eq!(sup.start_ms, ms("2022-07-16T16:08:25Z"));
    assert_eq!(sup.device.product.as_deref(), Some("vívoactive HR"));

    let ski = &decode_real("alenrajsp__cross-country-skiing_activity_1.tcx").activities[0];
    assert!(!ski.sport.is_running());
    let cadence: Vec<f32> = ski.samples.iter().filter_map(|s| s.cadence_spm).collect();
    let max = cadence.iter().copied().fold(0.0, f32::max);
    assert_eq!(max, 95.0, "the written maximum, not doubled to 190");
}

/// MapMyRide: everything on one line, no Author or Creator, times with
/// microseconds and `+00:00`, the first points without a position.
#[test]
fn mapmyride_ride_on_one_line_with_microsecond_times() {
    let decoded = decode_real("alenrajsp__mapmyride_biking.tcx");
    let a = &decoded.activities[0];
    assert_eq!(decoded.warning, None);
    assert_eq!(a.sport, Sport::Cycling);
    assert_eq!(a.start_ms, ms("2022-11-12T15:58:25Z"));
    assert_eq!(a.samples[0].time_ms, ms("2022-11-12T15:58:25.849Z"));
    assert_eq!(a.local_offset_s, Some(0));
    assert_eq!(
        (a.device.product.as_ref(), a.device.creator.as_ref()),
        (None, None)
    );
    let positioned = a.samples.iter().filter(|s| s.has_position()).count();
    assert_eq!(positioned, 3105);
    assert!(a.samples[..6].iter().all(|s| !s.has_position()));
    assert_eq!(a.summary.total_timer_s, Some(3111.0));
    // Its GPS track is 10 % longer than the lap's distance (jitter).
    let track = track_length_m(&a.samples);
    assert!((16_900.0..17_000.0).contains(&track), "{track}");
}

#[test]
fn real_files_cut_anywhere_never_panic_and_keep_complete_points() {
    for &(name, want) in EXPECTED {
        let bytes = read(name);
        // Every byte of the small files; about 1,500 cuts of the large ones
        // (every cut of an 880 KB file would take hours).
        let step = if bytes.len() <= 16_384 {
            1
        } else {
            bytes.len() / 1500
        };
        for cut in (0..bytes.len()).step_by(step) {
            if bytes[cut..].iter().all(u8::is_ascii_whitespace) {
                continue; // only the final newline is missing: complete
            }
            match decode_file(name, &bytes[..cut]) {
                Ok(d) => {
                    assert!(d.partial.is_some(), "{name} cut at {cut} is not partial");
                    assert!(d.activities[0].samples.len() <= want.samples);
                }
                Err(e) => assert!(
                    matches!(e, DecodeError::Corrupt(_) | DecodeError::Empty),
                    "{name} cut at {cut}: {e}"
                ),
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Crafted files, one per rule.
// ---------------------------------------------------------------------------

const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
  xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#;

fn tcx(body: &str) -> String {
    format!("{HEAD}{body}</TrainingCenterDatabase>")
}

/// A track point: `secs` after 10:00:00 on 2024-05-01, at `lat`/`lon` (none
/// when `None`), with cumulative distance, heart rate and RunCadence.
fn point(secs: u32, position: Option<(f64, f64)>, dist: Option<f64>, run_cadence: u32) -> String {
    let position = position
        .map(|(lat, lon)| {
            format!(
                "<Position><LatitudeDegrees>{lat}</LatitudeDegrees><LongitudeDegrees>{lon}</LongitudeDegrees></Position>"
            )
        })
        .unwrap_or_default();
    let dist = dist
        .map(|d| format!("<DistanceMeters>{d}</DistanceMeters>"))
        .unwrap_or_default();
    format!(
        "<Trackpoint><Time>2024-05-01T10:{:02}:{:02}Z</Time>{position}<AltitudeMeters>12.5</AltitudeMeters>{dist}\
         <HeartRateBpm><Value>150</Value></HeartRateBpm>\
         <Extensions><ns3:TPX><ns3:Speed>3.1</ns3:Speed><ns3:RunCadence>{run_cadence}</ns3:RunCadence></ns3:TPX></Extensions></Trackpoint>",
        secs / 60,
        secs % 60
    )
}

/// `n` points from `from_s` on, 3 m apart, positioned and with distance.
fn points(from_s: u32, n: u32, run_cadence: u32) -> String {
    (0..n)
        .map(|i| {
            let d = f64::from(i) * 3.0;
            point(
                from_s + i,
                Some((52.0, 4.0 + d / 68_400.0)),
                Some(d),
                run_cadence,
            )
        })
        .collect()
}

fn activity(sport: &str, start: &str, lap_inner: &str) -> String {
    format!(
        r#"<Activity Sport="{sport}"><Id>{start}</Id><Lap StartTime="{start}"><TotalTimeSeconds>60</TotalTimeSeconds><DistanceMeters>180</DistanceMeters>{lap_inner}</Lap></Activity>"#
    )
}

fn decode_tcx(xml: &str) -> Result<Decoded, DecodeError> {
    decode_file("crafted.tcx", xml.as_bytes())
}

fn only_activity(xml: &str) -> (Activity, Decoded) {
    let decoded = decode_tcx(xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    assert_eq!(decoded.activities.len(), 1, "{decoded:?}");
    (decoded.activities[0].clone(), decoded)
}

/// A triathlon-style multisport file: run, transition, bike, run. Three
/// activities, each with its own sport, in order; the bike's crank cadence
/// is kept as rpm while the runs' per-leg cadence is doubled; the transition
/// is no activity.
#[test]
fn multisport_legs_are_separate_activities_and_the_bike_is_never_running() {
    let bike = format!(
        r#"<Activity Sport="Biking"><Id>2024-05-01T10:01:00Z</Id><Lap StartTime="2024-05-01T10:01:00Z"><TotalTimeSeconds>60</TotalTimeSeconds><DistanceMeters>600</DistanceMeters><Cadence>88</Cadence><Track>{}</Track></Lap></Activity>"#,
        (60..63)
            .map(|s| format!(
                "<Trackpoint><Time>2024-05-01T10:01:{:02}Z</Time><DistanceMeters>{}</DistanceMeters><Cadence>88</Cadence></Trackpoint>",
                s - 60,
                (s - 60) * 10
            ))
            .collect::<String>()
    );
    let xml = tcx(&format!(
        "<Activities><MultiSportSession><Id>2024-05-01T10:00:00Z</Id>\
         <FirstSport>{}</FirstSport>\
         <NextSport><Transition StartTime=\"2024-05-01T10:00:50Z\"><TotalTimeSeconds>10</TotalTimeSeconds><DistanceMeters>20</DistanceMeters></Transition>{bike}</NextSport>\
         <NextSport>{}</NextSport>\
         </MultiSportSession></Activities>",
        activity(
            "Running",
            "2024-05-01T10:00:00Z",
            &format!("<Track>{}</Track>", points(0, 5, 85))
        ),
        activity(
            "Running",
            "2024-05-01T10:02:00Z",
            &format!("<Track>{}</Track>", points(120, 4, 80))
        ),
    ));
    let decoded = decode_tcx(&xml).unwrap();
    let sports: Vec<Sport> = decoded.activities.iter().map(|a| a.sport).collect();
    assert_eq!(sports, vec![Sport::Running, Sport::Cycling, Sport::Running]);
    let indexes: Vec<u32> = decoded.activities.iter().map(|a| a.session_index).collect();
    assert_eq!(indexes, vec![0, 1, 2]);
    let counts: Vec<usize> = decoded.activities.iter().map(|a| a.samples.len()).collect();
    assert_eq!(counts, vec![5, 3, 4]);
    let bike = &decoded.activities[1];
    assert_eq!(bike.sport_label, "Biking");
    assert!(bike.samples.iter().all(|s| s.cadence_spm == Some(88.0)));
    assert_eq!(bike.summary.total_distance_m, Some(600.0));
    assert_eq!(bike.summary.avg_cadence_spm, Some(88.0));
    assert_eq!(decoded.activities[0].samples[0].cadence_spm, Some(170.0));
    assert_eq!(decoded.activities[2].samples[0].cadence_spm, Some(160.0));
    assert_eq!(decoded.activities[2].start_ms, ms("2024-05-01T10:02:00Z"));
    assert!(decoded.is_complete());
    assert!(
        decoded
            .warning
            .as_deref()
            .unwrap()
            .contains("1 multisport transitions"),
        "{:?}",
        decoded.warning
    );
}

/// Two plain `<Activity>` in one file: two activities.
#[test]
fn two_activities_in_one_file_are_two_activities() {
    let xml = tcx(&format!(
        "<Activities>{}{}</Activities>",
        activity(
            "Running",
            "2024-05-01T10:00:00Z",
            &format!("<Track>{}</Track>", points(0, 3, 85))
        ),
        activity(
            "Other",
            "2024-05-01T10:05:00Z",
            &format!("<Track>{}</Track>", points(300, 3, 85))
        ),
    ));
    let decoded = decode_tcx(&xml).unwrap();
    assert_eq!(decoded.activities.len(), 2);
    let other = &decoded.activities[1];
    assert_eq!(
        (other.sport, other.sport_label.as_str()),
        (Sport::Other, "Other")
    );
    // Not a foot sport: RunCadence kept as written.
    assert_eq!(other.samples[0].cadence_spm, Some(85.0));
}

/// A Garmin course (a planned route) has no recorded activity: the same
/// "no recorded track" outcome as a GPX route, skipped, not a failure.
#[test]
fn a_course_without_activities_is_no_recorded_track() {
    let xml = tcx(r#"<Folders/><Courses><Course><Name>Loop</Name>
        <Lap><TotalTimeSeconds>600</TotalTimeSeconds><DistanceMeters>2000</DistanceMeters></Lap>
        <Track><Trackpoint><Time>2024-05-01T10:00:00Z</Time><Position><LatitudeDegrees>52</LatitudeDegrees><LongitudeDegrees>4</LongitudeDegrees></Position></Trackpoint>
        <Trackpoint><Time>2024-05-01T10:00:10Z</Time><Position><LatitudeDegrees>52</LatitudeDegrees><LongitudeDegrees>4.001</LongitudeDegrees></Position></Trackpoint></Track>
        <CoursePoint><Name>Turn</Name><Time>2024-05-01T10:00:05Z</Time></CoursePoint>
        </Course></Courses>"#);
    let err = decode_tcx(&xml).unwrap_err();
    assert_eq!(
        err,
        DecodeError::NoTrack(
            "route only (1 course, 2 course points, no recorded activity)".to_string()
        )
    );
    assert_eq!(err.outcome(), "no_track");
    assert!(!err.is_failure());

    let empty = tcx("<Activities></Activities>");
    assert_eq!(
        decode_tcx(&empty),
        Err(DecodeError::NoTrack(
            "no activity, course or workout".to_string()
        ))
    );
}

/// A treadmill run: no `<Position>` anywhere, the footpod's cumulative
/// distance on each point and the lap's DistanceMeters. An activity without
/// GPS whose distance is the lap's; the per-leg cadence doubled.
#[test]
fn treadmill_without_positions_keeps_distance_from_distance_meters() {
    let track: String = (0..30)
        .map(|i| point(i * 2, None, Some(f64::from(i) * 6.0), 84))
        .collect();
    let xml = tcx(&format!(
        "<Activities>{}</Activities>",
        activity(
            "Running",
            "2024-05-01T10:00:00Z",
            &format!("<Track>{track}</Track>")
        )
    ));
    let (a, _) = only_activity(&xml);
    assert_eq!(a.samples.len(), 30);
    assert!(!a.channels().gps);
    assert!(a.channels().distance);
    assert_eq!(a.distance_m(), 180.0);
    assert_eq!(a.samples.last().unwrap().distance_m, Some(174.0));
    assert!(a.samples.iter().all(|s| s.cadence_spm == Some(168.0)));

    // An indoor session written as laps only (no track at all): the laps
    // still say how far and how long.
    let laps_only = tcx(
        r#"<Activities><Activity Sport="Running"><Id>2024-05-01T07:00:00Z</Id>
        <Lap StartTime="2024-05-01T07:00:00Z"><TotalTimeSeconds>600</TotalTimeSeconds><DistanceMeters>2000</DistanceMeters></Lap>
        <Lap StartTime="2024-05-01T07:10:00Z"><TotalTimeSeconds>630.5</TotalTimeSeconds><DistanceMeters>2000</DistanceMeters></Lap>
        </Activity></Activities>"#,
    );
    let (a, _) = only_activity(&laps_only);
    assert!(a.samples.is_empty());
    assert_eq!(a.laps.len(), 2);
    assert_eq!(a.distance_m(), 4000.0);
    assert_eq!(a.summary.total_timer_s, Some(1230.5));
    assert_eq!(a.elapsed_s(), 1230.5);
    assert_eq!(a.start_ms, ms("2024-05-01T07:00:00Z"));
}

/// Points without DistanceMeters and a lap without it: the distance comes
/// from the positions, as for GPX.
#[test]
fn missing_distances_come_from_positions() {
    let track: String = (0..10)
        .map(|i| point(i, Some((52.0, 4.0 + f64::from(i) * 0.0001)), None, 85))
        .collect();
    let xml = tcx(&format!(
        r#"<Activities><Activity Sport="Running"><Id>2024-05-01T10:00:00Z</Id><Lap StartTime="2024-05-01T10:00:00Z"><TotalTimeSeconds>9</TotalTimeSeconds><Track>{track}</Track></Lap></Activity></Activities>"#
    ));
    let (a, _) = only_activity(&xml);
    assert!(!a.channels().distance);
    assert_eq!(a.summary.total_distance_m, None);
    let expected = track_length_m(&a.samples);
    assert!((expected - 61.9).abs() < 0.5, "{expected}");
    assert_eq!(a.distance_m(), expected);
}

/// A file cut mid-point (a sync in progress) keeps the points before the
/// cut, marked partial; cut before any point it is corrupt.
#[test]
fn a_file_cut_short_keeps_the_points_read_and_is_partial() {
    let xml = tcx(&format!(
        "<Activities>{}</Activities>",
        activity(
            "Running",
            "2024-05-01T10:00:00Z",
            &format!("<Track>{}</Track>", points(0, 10, 85))
        )
    ));
    let cut_at = xml.find("10:00:07Z").unwrap();
    for cut in [cut_at, cut_at - 8, cut_at + 30] {
        let decoded = decode_tcx(&xml[..cut]).unwrap();
        let reason = decoded.partial.as_deref().unwrap();
        assert!(
            reason.starts_with("file ends inside <Activity>"),
            "{reason}"
        );
        assert_eq!(decoded.activities[0].samples.len(), 7, "cut at {cut}");
        // The lap summary, written before the track, is kept.
        assert_eq!(decoded.activities[0].distance_m(), 180.0);
    }
    let before_points = xml.find("<Trackpoint>").unwrap() + 5;
    let r = decode_tcx(&xml[..before_points]);
    assert!(
        matches!(&r, Ok(d) if d.partial.is_some() && d.activities[0].samples.is_empty()),
        "a cut after the lap summary keeps the lap: {r:?}"
    );
    let before_lap = xml.find("<Lap ").unwrap() + 3;
    let r = decode_tcx(&xml[..before_lap]);
    assert!(
        matches!(&r, Err(DecodeError::Corrupt(m)) if m.contains("no activity")),
        "{r:?}"
    );
    let missing_end = xml.strip_suffix("</TrainingCenterDatabase>").unwrap();
    let decoded = decode_tcx(missing_end).unwrap();
    assert_eq!(
        decoded.partial.as_deref(),
        Some(
            format!(
                "missing </TrainingCenterDatabase> at byte {}",
                missing_end.len()
            )
            .as_str()
        )
    );
    assert_eq!(decoded.activities[0].samples.len(), 10);
}

/// Broken mid-file (a mismatched end tag): what came before is kept.
#[test]
fn malformed_xml_mid_file_keeps_what_came_before() {
    let xml = tcx(&format!(
        "<Activities>{}</Activities>",
        activity(
            "Running",
            "2024-05-01T10:00:00Z",
            &format!(
                "<Track>{}</Trackpoint>{}</Track>",
                points(0, 3, 85),
                points(3, 3, 85)
            )
        )
    ));
    let decoded = decode_tcx(&xml).unwrap();
    assert!(
        decoded
            .partial
            .as_deref()
            .unwrap()
            .starts_with("malformed XML at byte"),
        "{:?}",
        decoded.partial
    );
    assert_eq!(decoded.activities[0].samples.len(), 3);
}

/// A `.tcx.gz` that inflates past the limit is refused, as for GPX and FIT,
/// while a small one is read.
#[test]
fn a_gzip_bomb_is_refused() {
    let small = tcx(&format!(
        "<Activities>{}</Activities>",
        activity(
            "Running",
            "2024-05-01T10:00:00Z",
            &format!("<Track>{}</Track>", points(0, 3, 85))
        )
    ));
    let read = decode_file("small.tcx.gz", &gzip(small.as_bytes())).unwrap();
    assert_eq!(read.activities[0].samples.len(), 3);

    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(HEAD.as_bytes()).unwrap();
    let zeros = vec![b' '; 1 << 20];
    let mut written = HEAD.len() as u64;
    while written <= MAX_INFLATED_BYTES {
        gz.write_all(&zeros).unwrap();
        written += zeros.len() as u64;
    }
    let bomb = gz.finish().unwrap();
    assert!(bomb.len() < 4 << 20, "{} bytes", bomb.len());
    let r = decode_file("bomb.tcx.gz", &bomb);
    assert!(
        matches!(&r, Err(DecodeError::Corrupt(m)) if m.contains("gzip inflates past 256 MiB")),
        "{r:?}"
    );
}

/// Times written without any zone are read as UTC and the decoder says so;
/// an explicit offset becomes UTC plus the runner's local offset.
#[test]
fn zone_less_times_are_utc_and_noted_offsets_set_the_local_offset() {
    let zoneless = tcx(
        r#"<Activities><Activity Sport="Running"><Id>2024-05-01T10:00:00</Id><Lap StartTime="2024-05-01T10:00:00">
        <TotalTimeSeconds>2</TotalTimeSeconds><Track>
        <Trackpoint><Time>2024-05-01T10:00:00</Time><HeartRateBpm><Value>120</Value></HeartRateBpm></Trackpoint>
        <Trackpoint><Time>2024-05-01T10:00:01.5</Time><HeartRateBpm><Value>121</Value></HeartRateBpm></Trackpoint>
        </Track></Lap></Activity></Activities>"#,
    );
    let (a, decoded) = only_activity(&zoneless);
    assert_eq!(a.start_ms, ms("2024-05-01T10:00:00Z"));
    assert_eq!(a.samples[1].time_ms, ms("2024-05-01T10:00:01.500Z"));
    assert_eq!(a.local_offset_s, None);
    let warning = decoded.warning.unwrap();
    assert!(
        warning.contains("4 times carry no time zone: read as UTC"),
        "{warning}"
    );

    let offset = zoneless.replace("2024-05-01T10:00:0", "2024-05-01T12:00:0");
    let offset = offset
        .replace("12:00:00<", "12:00:00+02:00<")
        .replace("12:00:00\"", "12:00:00+02:00\"")
        .replace("12:00:01.5<", "12:00:01.5+02:00<");
    let (a, decoded) = only_activity(&offset);
    assert_eq!(a.start_ms, ms("2024-05-01T10:00:00Z"));
    assert_eq!(a.samples[1].time_ms, ms("2024-05-01T10:00:01.500Z"));
    assert_eq!(a.local_offset_s, Some(7200));
    assert_eq!(decoded.warning, None);
}

/// Exporters start a track with a point that holds nothing but its time (or
/// nothing at all, or 0/0 for "no fix yet"): the run is read all the same,
/// its distance is not thrown to null island, nothing panics.
#[test]
fn an_empty_first_point_does_not_spoil_the_run() {
    let xml = tcx(&format!(
        "<Activities>{}</Activities>",
        activity(
            "Running",
            "2024-05-01T10:00:00Z",
            &format!(
                "<Track><Trackpoint/><Trackpoint><Time>2024-05-01T10:00:00Z</Time><Position><LatitudeDegrees>0</LatitudeDegrees><LongitudeDegrees>0</LongitudeDegrees></Position><DistanceMeters></DistanceMeters><HeartRateBpm><Value></Value></HeartRateBpm></Trackpoint>{}</Track>",
                points(1, 5, 85)
            )
        )
    ));
    let (a, decoded) = only_activity(&xml);
    assert!(decoded.is_complete());
    assert_eq!(a.samples.len(), 6);
    let first = a.samples[0];
    assert_eq!(first.time_ms, ms("2024-05-01T10:00:00Z"));
    assert!(!first.has_position());
    assert_eq!((first.distance_m, first.heart_rate_bpm), (None, None));
    assert_eq!(a.start_ms, first.time_ms);
    assert!(track_length_m(&a.samples) < 20.0);
    let warning = decoded.warning.unwrap();
    assert!(
        warning.contains("1 of 7 track points have no <Time>"),
        "{warning}"
    );
    assert!(
        warning.contains("1 points at latitude 0, longitude 0"),
        "{warning}"
    );
}

/// The cadence rule (tcx.rs `ALREADY_STEPS_MEDIAN`): RunCadence written per
/// leg (≈ 85) is doubled; a treadmill app that already wrote steps per minute
/// (≈ 170 sustained) is not doubled again to 340; a median at the threshold
/// (120 per leg = 240 steps/min) still counts as per leg.
#[test]
fn cadence_already_in_steps_per_minute_is_not_doubled_again() {
    let with_cadence = |values: &[u32]| {
        let track: String = values
            .iter()
            .enumerate()
            .map(|(i, c)| point(i as u32, None, Some(i as f64 * 3.0), *c))
            .collect();
        tcx(&format!(
            "<Activities>{}</Activities>",
            activity(
                "Running",
                "2024-05-01T10:00:00Z",
                &format!("<Track>{track}</Track>")
            )
        ))
    };
    let cadence = |xml: &str| -> (Vec<f32>, Option<String>) {
        let (a, d) = only_activity(xml);
        (
            a.samples.iter().filter_map(|s| s.cadence_spm).collect(),
            d.warning,
        )
    };

    let (per_leg, warning) = cadence(&with_cadence(&[0, 84, 86, 85, 88]));
    assert_eq!(per_leg, vec![0.0, 168.0, 172.0, 170.0, 176.0]);
    assert_eq!(warning, None);

    let (steps, warning) = cadence(&with_cadence(&[0, 168, 172, 170, 90, 176]));
    assert_eq!(steps, vec![0.0, 168.0, 172.0, 170.0, 90.0, 176.0]);
    assert!(
        warning
            .unwrap()
            .contains("already steps per minute: not doubled"),
        "the rule is said"
    );

    let (edge, _) = cadence(&with_cadence(&[120, 120, 120]));
    assert_eq!(edge, vec![240.0, 240.0, 240.0]);

    // A trackpoint <Cadence> on a run (some exporters write it there) follows
    // the same rule.
    let xml = with_cadence(&[85, 85]).replace("ns3:RunCadence", "ns3:Other");
    let xml = xml.replace("<HeartRateBpm>", "<Cadence>86</Cadence><HeartRateBpm>");
    let (from_cadence, _) = cadence(&xml);
    assert_eq!(from_cadence, vec![172.0, 172.0]);
}

/// Garmin starts a new `<Track>` inside a lap after the timer was stopped:
/// a pause, as a GPX segment break is; a new lap is not a pause.
#[test]
fn a_second_track_in_a_lap_is_a_pause_a_new_lap_is_not() {
    let xml = tcx(&format!(
        r#"<Activities><Activity Sport="Running"><Id>2024-05-01T10:00:00Z</Id>
        <Lap StartTime="2024-05-01T10:00:00Z"><TotalTimeSeconds>50</TotalTimeSeconds><Track>{}</Track><Track>{}</Track></Lap>
        <Lap StartTime="2024-05-01T10:01:00Z"><TotalTimeSeconds>5</TotalTimeSeconds><Track>{}</Track></Lap>
        </Activity></Activities>"#,
        points(0, 5, 85),
        points(40, 5, 85),
        points(60, 5, 85),
    ));
    let (a, _) = only_activity(&xml);
    assert_eq!(a.samples.len(), 15);
    assert_eq!(a.laps.len(), 2);
    let pauses: Vec<(i64, i64)> = a.pauses.iter().map(|p| (p.start_ms, p.end_ms)).collect();
    assert_eq!(
        pauses,
        vec![(ms("2024-05-01T10:00:04Z"), ms("2024-05-01T10:00:40Z"))]
    );
}

/// `Sport` names as exporters write them; no attribute at all is "other".
#[test]
fn sport_attribute_names_map_to_sports() {
    for (attr, sport, label) in [
        (r#"Sport="Running""#, Sport::Running, "Running"),
        (r#"Sport="running""#, Sport::Running, "running"),
        (r#"Sport="Biking""#, Sport::Cycling, "Biking"),
        (r#"Sport="Walking""#, Sport::Walking, "Walking"),
        (r#"Sport="Other""#, Sport::Other, "Other"),
        ("", Sport::Other, "other"),
    ] {
        let xml = tcx(&format!(
            r#"<Activities><Activity {attr}><Lap StartTime="2024-05-01T10:00:00Z"><TotalTimeSeconds>1</TotalTimeSeconds><Track>{}</Track></Lap></Activity></Activities>"#,
            points(0, 2, 80)
        ));
        let (a, _) = only_activity(&xml);
        assert_eq!((a.sport, a.sport_label.as_str()), (sport, label), "{attr}");
    }
}

/// Garmin Connect's old exports start with blank lines before `<?xml`, and
/// .NET exporters write a byte-order mark; element names with a prefix on
/// the root and any case still match.
#[test]
fn leading_blanks_byte_order_mark_and_prefixed_root() {
    let body = format!(
        "<Activities>{}</Activities>",
        activity(
            "Running",
            "2024-05-01T10:00:00Z",
            &format!("<Track>{}</Track>", points(0, 3, 85))
        )
    );
    let blank = format!("\n  \n{}", tcx(&body));
    assert_eq!(only_activity(&blank).0.samples.len(), 3);
    let bom = format!("\u{feff}{}", tcx(&body));
    assert_eq!(only_activity(&bom).0.samples.len(), 3);
    let prefixed = format!(
        r#"<t:TrainingCenterDatabase xmlns:t="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" xmlns:ns3="x">{}</t:TrainingCenterDatabase>"#,
        body.replace("<Activities>", "<t:Activities>")
            .replace("</Activities>", "</t:Activities>")
    );
    assert_eq!(only_activity(&prefixed).0.samples.len(), 3);
}

// ---------------------------------------------------------------------------
// The real binary.
// ---------------------------------------------------------------------------

/// `tendonwatch import` on a sync folder holding a TCX run, a gzipped
/// multisport TCX and a TCX course: the run is stored as a TCX running
/// activity, the bike leg as cross-training, the course skipped.
#[test]
fn tendonwatch_import_stores_a_tcx_run() {
    let tw = Tw::new();
    let run = tcx(&format!(
        "<Activities>{}</Activities>",
        activity(
            "Running",
            "2024-05-01T10:00:00Z",
            &format!("<Track>{}</Track>", points(0, 61, 85))
        )
    ));
    std::fs::write(tw.sync().join("Morning_Run.TCX"), run).unwrap();
    let multisport = tcx(&format!(
        "<Activities><MultiSportSession><FirstSport>{}</FirstSport><NextSport>{}</NextSport></MultiSportSession></Activities>",
        activity(
            "Biking",
            "2024-05-03T09:00:00Z",
            &format!("<Track>{}</Track>", points(0, 20, 80))
        )
        .replace("2024-05-01T10:", "2024-05-03T09:"),
        activity(
            "Running",
            "2024-05-03T09:01:00Z",
            &format!("<Track>{}</Track>", points(60, 20, 85))
        )
        .replace("2024-05-01T10:", "2024-05-03T09:"),
    ));
    std::fs::write(tw.sync().join("brick.tcx.gz"), gzip(multisport.as_bytes())).unwrap();
    let course = tcx("<Courses><Course><Name>x</Name></Course></Courses>");
    std::fs::write(tw.sync().join("route.tcx"), course).unwrap();

    let summary = tw.import_json(&[tw.sync()]);
    assert_eq!(summary["imported"], 2, "{summary}");
    assert_eq!(summary["failed"].as_array().unwrap().len(), 0, "{summary}");
    let skipped = summary["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{summary}");
    assert_eq!(skipped[0]["outcome"], "no_track", "{summary}");
    assert!(
        skipped[0]["path"].as_str().unwrap().ends_with("route.tcx"),
        "{summary}"
    );

    let items = tw.activities_json();
    let runs: Vec<_> = items.iter().filter(|a| a["sport"] == "running").collect();
    assert_eq!(runs.len(), 2, "{items:?}");
    for run in &runs {
        assert_eq!(run["format"], "tcx", "{run}");
        assert_eq!(run["has_gps"], true, "{run}");
        assert_eq!(run["has_cadence"], true, "{run}");
        assert_eq!(run["has_heart_rate"], true, "{run}");
        assert_eq!(run["partial"], false, "{run}");
    }
    let morning = runs
        .iter()
        .find(|a| {
            a["source_path"]
                .as_str()
                .unwrap()
                .ends_with("Morning_Run.TCX")
        })
        .unwrap();
    assert_eq!(morning["start_utc"], "2024-05-01T10:00:00Z");
    assert_eq!(morning["sample_count"], 61);
    assert_eq!(morning["distance_m"], 180.0);
    let rides: Vec<_> = items.iter().filter(|a| a["sport"] == "cycling").collect();
    assert_eq!(rides.len(), 1, "{items:?}");
    assert_eq!(rides[0]["format"], "tcx");
}
