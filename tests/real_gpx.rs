//! Every real GPX file of `../shared/fixtures/real/gpx/` through the decoder,
//! with the facts measured in `../shared/fixtures/real/SOURCES.md` pinned.
//!
//! Sample count = timed trkpt minus OpenTracks pause sentinels. Lengths are
//! `track_length_m` over the samples: it joins consecutive samples across
//! segment and track breaks, so files whose segments jump (Apple pauses,
//! OpenTracks segments, korita's dropped untimed track) differ from the
//! per-segment "2D length" gpxpy measured; those are pinned as measured here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use tendonwatch::activity::{Activity, Sport, SubSport, track_length_m};
use tendonwatch::decode::{DecodeError, Decoded, Format, decode_file};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/real/gpx/");

/// Where a pinned track length comes from.
#[derive(Debug, Clone, Copy)]
enum Length {
    /// SOURCES.md "2D length" in km: within 1 %.
    Sources(f64),
    /// Measured by this decoder (SOURCES.md differs for the reason given in
    /// the table): within 0.1 %.
    Measured(f64),
}

#[derive(Debug, Clone, Copy)]
struct Recording {
    sport: Sport,
    sub_sport: SubSport,
    label: &'static str,
    samples: usize,
    gps: bool,
    cadence: bool,
    altitude: bool,
    heart_rate: bool,
    pauses: usize,
    length: Length,
}

#[derive(Debug, Clone, Copy)]
enum Expected {
    Recording(Recording),
    /// `DecodeError::NoTrack` whose reason contains this text.
    NoTrack(&'static str),
}

const fn run(samples: usize, length: Length) -> Recording {
    Recording {
        sport: Sport::Running,
        sub_sport: SubSport::Generic,
        // No <type>: a run until the evidence says otherwise.
        label: "",
        samples,
        gps: true,
        cadence: false,
        altitude: true,
        heart_rate: false,
        pauses: 0,
        length,
    }
}

/// One row per file of the folder; `every_real_gpx_file_is_pinned` fails when
/// a file is added or removed without updating this table.
const EXPECTED: &[(&str, Expected)] = &[
    // Garmin Connect run: 988 points, hr + cad on every one, 12.84 km.
    (
        "garmin-activity.gpx",
        Expected::Recording(Recording {
            cadence: true,
            heart_rate: true,
            label: "running",
            ..run(988, Length::Sources(12.84))
        }),
    ),
    // Strava run export: no <type> (assumed running), hr, 3.57 km.
    (
        "run_gpxtpx.gpx",
        Expected::Recording(Recording {
            heart_rate: true,
            ..run(1118, Length::Sources(3.57))
        }),
    ),
    // Apple Watch run, 3 trkseg → 2 pauses. SOURCES' 0.09 km sums the
    // segments alone; the joined track adds the two jumps across the pauses.
    (
        "Friday-Evening-Run.gpx",
        Expected::Recording(Recording {
            cadence: true,
            heart_rate: true,
            pauses: 2,
            label: "running",
            ..run(17, Length::Measured(796.1))
        }),
    ),
    // Apple Health route, no <type> (assumed running), speed only.
    // SOURCES: 0.07 km (two digits); measured 68.4 m.
    (
        "apple_watch_route.gpx",
        Expected::Recording(run(44, Length::Measured(68.4))),
    ),
    // Strava ride, <type>1</type>.
    (
        "4801048867_strava.gpx",
        Expected::Recording(Recording {
            sport: Sport::Cycling,
            label: "1",
            heart_rate: true,
            ..run(5159, Length::Sources(36.31))
        }),
    ),
    // Garmin Connect ride: cad kept per crank revolution.
    (
        "activity_5039744860.gpx",
        Expected::Recording(Recording {
            sport: Sport::Cycling,
            label: "cycling",
            cadence: true,
            heart_rate: true,
            ..run(96, Length::Sources(0.90))
        }),
    ),
    // OpenTracks sentinels: 6 trkpt − 2 sentinels = 4 samples, 1 pause. gpxpy
    // counts the sentinels' lat 100/200 (39,506 km); without them: 333 m.
    (
        "legacy_gpx_pause_resume.gpx",
        Expected::Recording(Recording {
            sport: Sport::Other,
            label: "the category",
            pauses: 1,
            ..run(4, Length::Measured(333.1))
        }),
    ),
    // OpenTracks, 3 trkseg → 2 pauses (64 s, then 1 s around the one-point
    // middle segment), +01:00 times. The third segment starts 2° of longitude
    // east: the joined track has a 222 km jump that gpxpy's per-segment
    // 0.22 km leaves out.
    (
        "legacy_gpx_trackpointextensions_incorrect.gpx",
        Expected::Recording(Recording {
            sport: Sport::Cycling,
            label: "mountain biking",
            cadence: true,
            heart_rate: true,
            pauses: 2,
            ..run(5, Length::Measured(222_196.4))
        }),
    ),
    // GPX 1.0 with every element: 1 timed trkpt, no <type>.
    (
        "gpx1.0_with_all_fields.gpx",
        Expected::Recording(run(1, Length::Measured(0.0))),
    ),
    // GPX 1.0, 4 trk, 513 of 871 points timed (59 %): the untimed track is
    // dropped, so the length (6.28 km) is not SOURCES' 14.91 km of all points.
    (
        "korita-zbevnica.gpx",
        Expected::Recording(Recording {
            sport: Sport::Other,
            label: "jkljkl",
            pauses: 1,
            ..run(513, Length::Measured(6281.9))
        }),
    ),
    (
        "strava_route_example.gpx",
        Expected::NoTrack("track has no timestamps (a planned route, not a recording)"),
    ),
    ("gpxpy__route.gpx", Expected::NoTrack("route only")),
    ("togeojson__wpt.gpx", Expected::NoTrack("waypoints only")),
    ("empty_trk.gpx", Expected::NoTrack("no points")),
];

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DIR}{name}")).unwrap_or_else(|e| panic!("{DIR}{name}: {e}"))
}

fn decode(name: &str) -> Result<Decoded, DecodeError> {
    decode_file(name, &read(name))
}

fn the_activity(name: &str) -> Activity {
    let decoded = decode(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(decoded.activities.len(), 1, "{name}");
    decoded.activities.into_iter().next().unwrap()
}

#[test]
fn every_real_gpx_file_is_pinned() {
    let mut on_disk: Vec<String> = std::fs::read_dir(DIR)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".gpx"))
        .collect();
    on_disk.sort();
    let mut pinned: Vec<String> = EXPECTED.iter().map(|(n, _)| n.to_string()).collect();
    pinned.sort();
    assert_eq!(on_disk, pinned);
}

#[test]
fn each_real_gpx_file_decodes_to_its_measured_facts() {
    for &(name, expected) in EXPECTED {
        let result = decode(name);
        let want = match expected {
            Expected::NoTrack(reason) => {
                assert!(
                    matches!(&result, Err(DecodeError::NoTrack(m)) if m.contains(reason)),
                    "{name}: {result:?}"
                );
                continue;
            }
            Expected::Recording(want) => want,
        };
        let decoded = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(decoded.format, Format::Gpx, "{name}");
        assert!(decoded.is_complete(), "{name}: {:?}", decoded.partial);
        assert_eq!(decoded.activities.len(), 1, "{name}");
        let a = &decoded.activities[0];
        assert_eq!(
            (a.sport, a.sub_sport, a.sport_label.as_str()),
            (want.sport, want.sub_sport, want.label),
            "{name}"
        );
        assert_eq!(a.samples.len(), want.samples, "{name}");
        let c = a.channels();
        assert_eq!(
            (c.gps, c.cadence, c.altitude, c.heart_rate),
            (want.gps, want.cadence, want.altitude, want.heart_rate),
            "{name}: gps, cadence, altitude, heart rate"
        );
        assert_eq!(a.pauses.len(), want.pauses, "{name}: {:?}", a.pauses);
        assert_eq!(a.start_ms, a.samples[0].time_ms, "{name}");
        assert!(
            a.samples.windows(2).all(|w| w[0].time_ms <= w[1].time_ms),
            "{name}: samples in time order"
        );
        assert!(a.laps.is_empty(), "{name}");
        let length_m = track_length_m(&a.samples);
        let (target_m, tolerance) = match want.length {
            Length::Sources(km) => (km * 1000.0, 0.01),
            Length::Measured(m) => (m, 0.001),
        };
        assert!(
            (length_m - target_m).abs() <= target_m * tolerance + 0.05,
            "{name}: track length {length_m:.1} m, expected {target_m} m ± {}%",
            tolerance * 100.0
        );
    }
}

#[test]
fn gzipped_copies_decode_identically() {
    for &(name, _) in EXPECTED {
        let plain = read(name);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&plain).unwrap();
        let gz = gz.finish().unwrap();
        assert_eq!(
            decode_file(&format!("{name}.gz"), &gz),
            decode_file(name, &plain),
            "{name}.gz"
        );
    }
}

#[test]
fn creator_and_name_come_from_the_file() {
    let a = the_activity("garmin-activity.gpx");
    assert_eq!(a.device.creator.as_deref(), Some("Garmin Connect"));
    assert_eq!(a.name.as_deref(), Some("casual stroll"));
    let a = the_activity("Friday-Evening-Run.gpx");
    assert_eq!(a.device.creator.as_deref(), Some("Apple Watch"));
    assert_eq!(a.name.as_deref(), Some("Friday Evening Run"));
}

/// Garmin Connect writes cad per leg (77–82 on most points of this run):
/// doubled, the run sits at ~160 steps/min.
#[test]
fn garmin_run_cadence_is_doubled_to_steps_per_minute() {
    let a = the_activity("garmin-activity.gpx");
    let mut cadence: Vec<f32> = a.samples.iter().filter_map(|s| s.cadence_spm).collect();
    cadence.sort_by(f32::total_cmp);
    assert_eq!(cadence.len(), 988);
    assert_eq!(cadence[cadence.len() / 2], 160.0);
}

/// Apple Watch writes cad per leg too (see gpx.rs): the last segment of this
/// run, at HR 164–171, is 148–164 steps/min after doubling. Fractional-second
/// times are kept; heart rate is on 13 of 17 points (76 %).
#[test]
fn apple_watch_run_three_segments_two_pauses_doubled_cadence() {
    let a = the_activity("Friday-Evening-Run.gpx");
    assert_eq!(a.start_ms, 1_746_201_075_692); // 2025-05-02T15:51:15.692Z
    assert_eq!(a.local_offset_s, None);
    let last_segment: Vec<f32> = a.samples[9..]
        .iter()
        .filter_map(|s| s.cadence_spm)
        .collect();
    assert_eq!(last_segment.len(), 8);
    assert!(
        last_segment.iter().all(|c| (148.0..=164.0).contains(c)),
        "{last_segment:?}"
    );
    assert_eq!(
        a.samples
            .iter()
            .filter(|s| s.heart_rate_bpm.is_some())
            .count(),
        13
    );
    assert!(a.samples.iter().all(|s| s.power_w.is_some()));
    // Pauses: 15:51:26.195 → 15:55:03 and 15:55:10 → 16:33:47.
    let pauses: Vec<(i64, i64)> = a.pauses.iter().map(|p| (p.start_ms, p.end_ms)).collect();
    assert_eq!(
        pauses,
        vec![
            (1_746_201_086_195, 1_746_201_303_000),
            (1_746_201_310_000, 1_746_203_627_000)
        ]
    );
}

/// Pause at 21:52:02.658Z (lat 100), resume at 21:52:03.873Z (lat 200); the
/// sentinels are not samples, so no point sits at latitude 100 or 200.
#[test]
fn opentracks_sentinels_become_one_pause() {
    let a = the_activity("legacy_gpx_pause_resume.gpx");
    assert!(a.samples.iter().all(|s| s.lat_deg == Some(3.0)));
    assert_eq!(a.pauses.len(), 1);
    assert_eq!(
        (a.pauses[0].start_ms, a.pauses[0].end_ms),
        (1_610_056_322_658, 1_610_056_323_873)
    );
}

/// Times written as 03:02:03+01:00: stored as 02:02:03Z with the runner's
/// offset beside them. The odd v2 extension content still gives speed, hr,
/// cad (3, a ride: not doubled) and PowerInWatts on the second point.
#[test]
fn opentracks_offset_times_and_odd_extensions() {
    let a = the_activity("legacy_gpx_trackpointextensions_incorrect.gpx");
    assert_eq!(a.start_ms, 1_580_608_923_000); // 2020-02-02T02:02:03Z
    assert_eq!(a.local_offset_s, Some(3600));
    assert!(a.samples.iter().all(|s| s.speed_m_per_s.is_some()));
    let second = a.samples[1];
    assert_eq!(second.heart_rate_bpm, Some(69.0));
    assert_eq!(second.cadence_spm, Some(3.0));
    assert_eq!(second.power_w, Some(50.0));
    assert_eq!(second.speed_m_per_s, Some(5.0));
}

/// 358 of 871 points have no <time>: kept out, and the decoder says so.
#[test]
fn partly_timed_gpx_1_0_keeps_the_timed_points_and_warns() {
    let decoded = decode("korita-zbevnica.gpx").unwrap();
    let warning = decoded.warning.unwrap();
    assert!(
        warning.contains("358 of 871 track points have no <time>"),
        "{warning}"
    );
    let a = &decoded.activities[0];
    assert_eq!(a.start_ms, 1_286_098_590_000); // 2010-10-03T09:36:30Z
    assert_eq!(a.samples.last().unwrap().time_ms, 1_286_111_971_000); // 13:19:31Z
}

/// A GPX being written is truncated, not corrupt: cut the Garmin run halfway
/// and the first half is kept, marked partial.
#[test]
fn a_real_file_cut_in_half_is_partial_with_the_first_half() {
    let bytes = read("garmin-activity.gpx");
    let cut = &bytes[..bytes.len() / 2];
    let decoded = decode_file("garmin-activity.gpx", cut).unwrap();
    let reason = decoded.partial.as_deref().unwrap();
    assert!(reason.starts_with("file ends inside <trk>"), "{reason}");
    let n = decoded.activities[0].samples.len();
    assert!((400..600).contains(&n), "{n}");
}
