//! Every real FIT file in ../shared/fixtures/real/fit has a pinned outcome.
//!
//! Distances are the values in SOURCES.md (measured with fitdecode and
//! python-fitparse), checked within 1 %. Sample counts equal SOURCES.md's
//! record counts except where noted: records written at the same instant are
//! merged into one sample (the Strava app writes position and distance as two
//! records per second; a pool swim and nick.fit repeat a few timestamps).
#![allow(clippy::unwrap_used)]

use tendonwatch::activity::{Sport, SubSport};
use tendonwatch::decode::{DecodeError, Decoded, decode_file};

fn real(name: &str) -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/real/fit/");
    std::fs::read(format!("{path}{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn decoded(name: &str) -> Decoded {
    decode_file(name, &real(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// One expected activity: sport, sub-sport, km from SOURCES.md (None: not
/// stated there), sample count, and GPS / cadence / altitude presence.
struct Pin {
    sport: Sport,
    sub: SubSport,
    km: Option<f64>,
    samples: usize,
    gps: bool,
    cadence: bool,
    altitude: bool,
}

const fn pin(
    sport: Sport,
    sub: SubSport,
    km: Option<f64>,
    samples: usize,
    channels: (bool, bool, bool),
) -> Pin {
    Pin {
        sport,
        sub,
        km,
        samples,
        gps: channels.0,
        cadence: channels.1,
        altitude: channels.2,
    }
}

fn check(name: &str, d: &Decoded, pins: &[Pin]) {
    assert_eq!(d.activities.len(), pins.len(), "{name}: activity count");
    for (i, (a, p)) in d.activities.iter().zip(pins).enumerate() {
        let ctx = format!("{name} session {i}");
        assert_eq!(a.sport, p.sport, "{ctx}: sport");
        assert_eq!(a.sub_sport, p.sub, "{ctx}: sub-sport");
        assert_eq!(a.samples.len(), p.samples, "{ctx}: samples");
        let ch = a.channels();
        assert_eq!(
            (ch.gps, ch.cadence, ch.altitude),
            (p.gps, p.cadence, p.altitude),
            "{ctx}: gps/cadence/altitude"
        );
        if let Some(km) = p.km {
            // 1 %, or SOURCES.md's own rounding to 10 m for tiny files.
            let got = a.distance_m() / 1000.0;
            assert!(
                (got - km).abs() <= (0.01 * km).max(0.005),
                "{ctx}: {got:.3} km, SOURCES.md says {km} km"
            );
        }
        assert!(
            a.samples.windows(2).all(|w| w[0].time_ms < w[1].time_ms),
            "{ctx}: samples in time order"
        );
    }
}

use Sport::*;
use SubSport::{Generic, Other as OtherSub, Trail, Virtual};

#[test]
fn single_session_runs_match_sources_md() {
    let cases: &[(&str, Pin)] = &[
        (
            "activity-small-fenix2-run.fit",
            pin(Running, Generic, Some(9.01), 2809, (true, true, true)),
        ),
        (
            "roznet__sample.fit",
            pin(Running, Trail, Some(9.40), 4276, (true, true, true)),
        ),
        (
            "roznet__large.fit",
            pin(Running, Generic, Some(84.21), 42709, (true, true, true)),
        ),
        (
            "with_nones.fit",
            pin(Running, Generic, Some(4.54), 427, (true, true, false)),
        ),
        (
            "run_with_coordinates.fit",
            pin(Running, Generic, Some(6.00), 1945, (true, true, true)),
        ),
        (
            "developer-types-sample.fit",
            pin(Running, Generic, Some(6.75), 3424, (true, true, true)),
        ),
        // Footpod run: no GPS, no altitude, distance from the compressed
        // speed/distance counter (fitparser's own accumulation gives 93.7 km).
        (
            "compressed-speed-distance.fit",
            pin(Running, Generic, Some(10.25), 755, (false, true, false)),
        ),
    ];
    for (name, p) in cases {
        let d = decoded(name);
        assert!(d.is_complete(), "{name}: {:?}", d.partial);
        check(name, &d, std::slice::from_ref(p));
    }
}

#[test]
fn non_running_single_sessions_are_kept_with_their_sport() {
    let cases: &[(&str, Pin)] = &[
        // 3501 records, 13 share a timestamp with another.
        (
            "activity_poolswim_with_hr.fit",
            pin(Swimming, OtherSub, Some(1.70), 3488, (false, true, false)),
        ),
        (
            "garmin-fenix6-swim.fit",
            pin(Swimming, OtherSub, Some(0.50), 658, (true, true, false)),
        ),
        (
            "coros-pace-2-cycling-misaligned-fields.fit",
            pin(Cycling, Generic, Some(32.15), 11272, (true, false, true)),
        ),
        (
            "null_compressed_speed_dist.fit",
            pin(Cycling, Virtual, Some(13.40), 1808, (true, true, true)),
        ),
        (
            "elemnt-bolt-no-application-id-inside-developer-data-id.fit",
            pin(Cycling, Generic, Some(0.96), 132, (true, true, true)),
        ),
        (
            "garmin-fenix-5-walk.fit",
            pin(Walking, Generic, Some(0.07), 17, (true, true, true)),
        ),
        (
            "20170518-191602-1740899583.fit",
            pin(Rowing, OtherSub, Some(0.0), 1641, (false, true, true)),
        ),
        (
            // SDK sample on the prime meridian or equator (SOURCES.md: GPS 100 %).
            "ActivityDevFields.fit",
            pin(Other, Generic, None, 3601, (true, true, true)),
        ),
    ];
    for (name, p) in cases {
        let d = decoded(name);
        assert!(d.is_complete(), "{name}: {:?}", d.partial);
        check(name, &d, std::slice::from_ref(p));
    }
}

#[test]
fn multisport_and_chained_files_give_one_activity_per_session() {
    // 7 sessions, 69.83 km in all. 2,110 of the 24,239 records come 45 minutes
    // before the first session starts and belong to no session.
    let d = decoded("activity-large-fenxi2-multisport.fit");
    check(
        "fenix2 multisport",
        &d,
        &[
            pin(Other, Generic, Some(25.07), 9579, (true, true, true)),
            pin(Transition, Generic, None, 283, (true, true, true)),
            pin(Running, Generic, Some(2.245), 2197, (true, true, true)),
            pin(Transition, Generic, None, 5, (true, true, true)),
            pin(Running, Generic, Some(12.74), 6694, (true, true, true)),
            pin(Transition, Generic, None, 240, (true, true, true)),
            pin(Cycling, Generic, Some(28.93), 3131, (true, false, true)),
        ],
    );
    let total: f64 = d.activities.iter().map(|a| a.distance_m()).sum();
    assert!((total / 1000.0 - 69.83).abs() < 0.7, "{total}");

    // Chained FIT: 4 headers, 5 sessions, all 1,773 records, 52.53 km.
    let d = decoded("sample_mulitple_header.fit");
    check(
        "chained triathlon",
        &d,
        &[
            pin(Swimming, OtherSub, Some(1.645), 349, (true, true, false)),
            pin(Transition, Generic, None, 38, (true, true, true)),
            pin(Cycling, Generic, Some(40.91), 854, (true, true, true)),
            pin(Transition, Generic, None, 14, (true, true, true)),
            pin(Running, Generic, Some(9.806), 518, (true, true, true)),
        ],
    );
    assert!(d.is_complete());
    assert_eq!(
        d.activities.iter().map(|a| a.samples.len()).sum::<usize>(),
        1773
    );

    // Summary messages before the records: 5 sessions, all 4,043 records.
    let d = decoded("triathlon_summary_first.fit");
    assert_eq!(d.activities.len(), 5);
    assert_eq!(
        d.activities.iter().map(|a| a.samples.len()).sum::<usize>(),
        4043
    );
    assert_eq!(d.activities[4].sport, Running);
    let total: f64 = d.activities.iter().map(|a| a.distance_m()).sum();
    assert!((total / 1000.0 - 18.73).abs() < 0.19, "{total}");

    // Garmin SDK sample: cycling/mountain then running/trail, no distance.
    let d = decoded("activity_multisport.fit");
    check(
        "sdk multisport",
        &d,
        &[
            pin(Cycling, OtherSub, Some(0.0), 55, (false, false, false)),
            pin(Running, Trail, Some(0.0), 23, (false, true, false)),
        ],
    );
}

#[test]
fn broken_files_have_their_exact_outcome() {
    // Wrong file CRC: the content cannot be trusted.
    let r = decode_file("activity-filecrc.fit", &real("activity-filecrc.fit"));
    assert!(
        matches!(&r, Err(DecodeError::Corrupt(m)) if m.contains("CRC")),
        "{r:?}"
    );

    // Last byte cut: no final CRC → partial, the 14 records salvaged.
    let d = decoded("activity-unexpected-eof.fit");
    assert!(
        d.partial.as_deref().unwrap().contains("ends inside"),
        "{:?}",
        d.partial
    );
    check(
        "eof",
        &d,
        &[pin(Running, Generic, Some(0.01), 14, (true, false, true))],
    );

    // Well-formed container, but the content stops before any summary.
    let d = decoded("activity_truncated.fit");
    assert!(
        d.partial.as_deref().unwrap().contains("no session"),
        "{:?}",
        d.partial
    );
    assert_eq!(d.activities[0].samples.len(), 14);

    // A complete activity followed by a chained segment with a corrupt
    // header: the activity is whole (its CRC matched); the rest is noted.
    let d = decoded("activity-settings-corruptheader.fit");
    assert!(d.is_complete());
    assert!(d.warning.as_deref().unwrap().contains("trailing bytes"));
    check(
        "corrupt header",
        &d,
        &[pin(Running, Generic, Some(0.01), 14, (true, false, true))],
    );

    // Sigma Sport file with no summary whose last message runs into the CRC:
    // a partial cycling activity with 14,391 records (8 repeat a timestamp).
    let d = decoded("nick.fit");
    assert!(d.partial.is_some());
    check(
        "nick",
        &d,
        &[pin(Cycling, Generic, None, 14383, (true, true, true))],
    );
    assert_eq!(d.activities[0].pauses.len(), 8, "9 starts, 8 stops");

    // Strava app file broken at byte 7,471: the summary came first and is
    // salvaged (11.27 km, 59.3 min) with the 473 records before the break
    // (merged pairwise into 235 samples; a garbage record from 2085 dropped).
    let d = decoded("strava-android-app-201.10-b1218918.fit");
    assert!(
        d.partial
            .as_deref()
            .unwrap()
            .contains("local message type 11"),
        "{:?}",
        d.partial
    );
    check(
        "strava",
        &d,
        &[pin(Running, Generic, Some(11.27), 235, (true, false, true))],
    );
    assert_eq!(d.activities[0].summary.total_timer_s, Some(3558.0));

    // A monitoring file is not an activity.
    let r = decode_file("MonitoringFile.fit", &real("MonitoringFile.fit"));
    assert_eq!(
        r,
        Err(DecodeError::NotActivity(
            "FIT file type monitoring_b".to_string()
        ))
    );

    // The 0-byte case.
    assert_eq!(decode_file("empty.fit", &[]), Err(DecodeError::Empty));
}

#[test]
fn every_real_fit_file_is_pinned_by_a_test_above() {
    let pinned = [
        "activity-small-fenix2-run.fit",
        "roznet__sample.fit",
        "roznet__large.fit",
        "with_nones.fit",
        "run_with_coordinates.fit",
        "developer-types-sample.fit",
        "compressed-speed-distance.fit",
        "activity_poolswim_with_hr.fit",
        "garmin-fenix6-swim.fit",
        "coros-pace-2-cycling-misaligned-fields.fit",
        "null_compressed_speed_dist.fit",
        "elemnt-bolt-no-application-id-inside-developer-data-id.fit",
        "garmin-fenix-5-walk.fit",
        "20170518-191602-1740899583.fit",
        "ActivityDevFields.fit",
        "activity-large-fenxi2-multisport.fit",
        "sample_mulitple_header.fit",
        "triathlon_summary_first.fit",
        "activity_multisport.fit",
        "activity-filecrc.fit",
        "activity-unexpected-eof.fit",
        "activity_truncated.fit",
        "activity-settings-corruptheader.fit",
        "nick.fit",
        "strava-android-app-201.10-b1218918.fit",
        "MonitoringFile.fit",
    ];
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/real/fit/");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut pinned: Vec<String> = pinned.iter().map(|s| s.to_string()).collect();
    pinned.sort();
    assert_eq!(on_disk, pinned);
}

#[test]
fn cadence_is_steps_per_minute_and_offsets_come_from_the_file() {
    // fenix2 run: the watch's own average (per leg 81) doubled.
    let d = decoded("activity-small-fenix2-run.fit");
    let a = &d.activities[0];
    assert_eq!(a.summary.avg_cadence_spm, Some(162.0));
    let mut cad: Vec<f32> = a
        .samples
        .iter()
        .filter_map(|s| s.cadence_spm)
        .filter(|c| *c > 100.0)
        .collect();
    cad.sort_by(f32::total_cmp);
    let median = cad[cad.len() / 2];
    assert!((150.0..180.0).contains(&median), "{median}");
    // Summer in central Europe: UTC+2, from local_timestamp − timestamp of
    // the activity message, whatever this machine's zone is.
    assert_eq!(a.local_offset_s, Some(7200));
    // A November run in the US east: UTC−5.
    assert_eq!(
        decoded("roznet__large.fit").activities[0].local_offset_s,
        Some(-5 * 3600)
    );
    // Pauses: 4 start / 4 stop_all timer events → 3 pauses.
    assert_eq!(decoded("roznet__sample.fit").activities[0].pauses.len(), 3);
}

/// Regression: zero bytes after a complete FIT file (a sync tool padding a
/// block) made fitparser's header parser panic on a length underflow, and
/// the whole run was thrown away as "corrupt".
#[test]
fn trailing_zero_bytes_after_a_complete_file_keep_the_run() {
    let mut bytes = real("with_nones.fit");
    let whole = decoded("with_nones.fit");
    for pad in [1usize, 2, 8, 13, 100] {
        let mut padded = bytes.clone();
        padded.extend(std::iter::repeat_n(0u8, pad));
        let d = decode_file("with_nones.fit", &padded).unwrap();
        assert!(d.is_complete(), "{pad} zero bytes: {:?}", d.partial);
        assert_eq!(d.activities, whole.activities, "{pad} zero bytes");
        assert!(d.warning.as_deref().unwrap().contains("trailing bytes"));
    }
    // Garbage instead of a header at the very start is corrupt, not a panic.
    bytes[0] = 1;
    assert!(matches!(
        decode_file("x.fit", &bytes),
        Err(DecodeError::Corrupt(_))
    ));
    // A file shorter than a header is still arriving.
    assert!(matches!(
        decode_file("x.fit", &bytes[..7]),
        Err(DecodeError::Truncated(_) | DecodeError::Corrupt(_))
    ));
}

/// Regression (found by cargo fuzz): a message running past its segment's
/// declared data size made fitparser parse the leftovers as a chained
/// header and underflow — a panic in debug builds (the run lost as
/// "corrupt"), a silent partial result in release. Now the walk stops at the
/// segment's end with the same partial result in every build.
#[test]
fn a_message_running_past_the_declared_data_size_is_partial_not_a_panic() {
    // The valid 771-byte activity at the start of this file.
    let whole = real("activity-settings-corruptheader.fit");
    let header_size = usize::from(whole[0]);
    let data_size = u32::from_le_bytes(whole[4..8].try_into().unwrap());
    let activity = &whole[..header_size + data_size as usize + 2];
    for shrink in 1..=60u32 {
        // The fuzzer's case: the CRC replaced by a 3-byte tail whose first
        // byte (a header size of 1) is smaller than the tail itself.
        let mut bytes = activity[..activity.len() - 2].to_vec();
        bytes.extend([0x01, 0x00, 0x1a]);
        bytes[4..8].copy_from_slice(&(data_size - shrink).to_le_bytes());
        if header_size == 14 {
            bytes[12] = 0; // header CRC 0 = absent
            bytes[13] = 0;
        }
        match decode_file("x.fit", &bytes) {
            Ok(d) => assert!(
                d.partial.is_some() || d.warning.is_some(),
                "shrink {shrink}: {d:?}"
            ),
            Err(DecodeError::Corrupt(m)) => {
                assert!(!m.contains("panicked"), "shrink {shrink}: {m}")
            }
            Err(DecodeError::Truncated(_)) => {}
            Err(other) => panic!("shrink {shrink}: {other}"),
        }
    }
}
