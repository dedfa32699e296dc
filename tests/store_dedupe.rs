//! The same run arriving twice — as the watch's FIT and as a GPX export of
//! it, in either order — is one activity, and the richer recording is kept
//! under the same id.
#![allow(clippy::unwrap_used)]

use std::fmt::Write;
use tendonwatch::activity::Activity;
use tendonwatch::decode::decode_file;
use tendonwatch::ingest::sha256_hex;
use tendonwatch::store::{FileVersion, Store};

fn real_fit() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/fixtures/real/fit/activity-small-fenix2-run.fit"
    ))
    .unwrap()
}

/// A GPX export of an activity (position, elevation, time, heart rate), as
/// Strava would write it from the watch's upload.
fn gpx_of(a: &Activity) -> Vec<u8> {
    let mut g = String::from(
        "<?xml version=\"1.0\"?>\n<gpx version=\"1.1\" creator=\"StravaGPX\" xmlns=\"http://www.topografix.com/GPX/1/1\" \
         xmlns:gpxtpx=\"http://www.garmin.com/xmlschemas/TrackPointExtension/v1\">\n<trk><type>running</type><trkseg>\n",
    );
    for s in a.samples.iter().filter(|s| s.has_position()) {
        let t = chrono::DateTime::from_timestamp_millis(s.time_ms).unwrap();
        writeln!(
            g,
            "<trkpt lat=\"{}\" lon=\"{}\"><ele>{}</ele><time>{}</time><extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{}</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions></trkpt>",
            s.lat_deg.unwrap(),
            s.lon_deg.unwrap(),
            s.altitude_m.unwrap_or(0.0),
            t.format("%Y-%m-%dT%H:%M:%SZ"),
            s.heart_rate_bpm.unwrap_or(0.0)
        )
        .unwrap();
    }
    g.push_str("</trkseg></trk></gpx>\n");
    g.into_bytes()
}

fn version(path: &str, bytes: &[u8]) -> FileVersion {
    FileVersion {
        path: path.to_string(),
        size: bytes.len() as u64,
        mtime_ns: 1,
        content_hash: sha256_hex(bytes),
    }
}

#[test]
fn fit_then_gpx_of_the_same_run_keeps_the_fit() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("tw.db")).unwrap();
    let fit = real_fit();
    let fit_decoded = decode_file("run.fit", &fit);
    let gpx = gpx_of(&fit_decoded.as_ref().unwrap().activities[0]);

    let first = store
        .record_file(&version("/sync/run.fit", &fit), &fit_decoded, &[], 0)
        .unwrap();
    assert_eq!(first.added.len(), 1);
    let second = store
        .record_file(
            &version("/sync/run.gpx", &gpx),
            &decode_file("run.gpx", &gpx),
            &[],
            0,
        )
        .unwrap();
    assert!(second.added.is_empty() && second.upgraded.is_empty());
    assert_eq!(second.duplicate_of, vec![first.added[0].0]);

    let rows = store.activities().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].format, "fit");
    assert!(rows[0].has_cadence, "the FIT has cadence, the GPX does not");
}

#[test]
fn gpx_first_then_the_watch_fit_upgrades_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("tw.db")).unwrap();
    let fit = real_fit();
    let fit_decoded = decode_file("run.fit", &fit);
    let gpx = gpx_of(&fit_decoded.as_ref().unwrap().activities[0]);

    let first = store
        .record_file(
            &version("/sync/run.gpx", &gpx),
            &decode_file("run.gpx", &gpx),
            &[],
            0,
        )
        .unwrap();
    let id = first.added[0].0;
    assert_eq!(store.activities().unwrap()[0].format, "gpx");

    let second = store
        .record_file(&version("/sync/run.fit", &fit), &fit_decoded, &[], 0)
        .unwrap();
    assert_eq!(second.upgraded, vec![id], "same id, richer content");
    let rows = store.activities().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].id, rows[0].format.as_str()), (id, "fit"));
    assert_eq!(rows[0].source_path, "/sync/run.fit");
    assert_eq!(store.samples(id).unwrap().len(), 2809);
}

#[test]
fn a_different_run_starting_at_the_same_minute_is_not_merged() {
    // Same start, but 10 % shorter: another activity (a warm-up recorded
    // separately), not a copy.
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("tw.db")).unwrap();
    let fit = real_fit();
    let fit_decoded = decode_file("run.fit", &fit);
    let mut short = fit_decoded.as_ref().unwrap().activities[0].clone();
    let keep = short.samples.len() * 9 / 10;
    short.samples.truncate(keep);
    let gpx = gpx_of(&short);

    store
        .record_file(&version("/sync/run.fit", &fit), &fit_decoded, &[], 0)
        .unwrap();
    let r = store
        .record_file(
            &version("/sync/short.gpx", &gpx),
            &decode_file("short.gpx", &gpx),
            &[],
            0,
        )
        .unwrap();
    assert_eq!(r.added.len(), 1);
    assert_eq!(store.activities().unwrap().len(), 2);
}

#[test]
fn a_file_that_grows_from_partial_to_complete_replaces_its_activity_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("tw.db")).unwrap();
    let fit = real_fit();
    let half = &fit[..fit.len() / 2];
    let partial = store
        .record_file(
            &version("/sync/run.fit", half),
            &decode_file("run.fit", half),
            &[],
            0,
        )
        .unwrap();
    assert_eq!(partial.outcome, "truncated");
    let id = partial.added[0].0;
    assert!(store.activities().unwrap()[0].partial);

    let whole = store
        .record_file(
            &version("/sync/run.fit", &fit),
            &decode_file("run.fit", &fit),
            &[],
            0,
        )
        .unwrap();
    assert_eq!(whole.outcome, "complete");
    assert_eq!(whole.upgraded, vec![id]);
    let rows = store.activities().unwrap();
    assert_eq!(rows.len(), 1);
    assert!(!rows[0].partial);
    assert_eq!(rows[0].sample_count, 2809);
}

/// Regression: two processes opening a fresh store at once (the daemon
/// starting while `tendonwatch pain` runs) both migrated it, and the second
/// failed with "table files already exists".
#[test]
fn many_openers_of_a_fresh_store_migrate_it_once() {
    for round in 0..20 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tw.db");
        let handles: Vec<_> = (0..6)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || Store::open(&path).map(|s| s.schema_version().unwrap()))
            })
            .collect();
        for h in handles {
            let version = h
                .join()
                .unwrap()
                .unwrap_or_else(|e| panic!("round {round}: {e}"));
            assert!(version >= 5);
        }
    }
}
