//! The GPX and TCX decoders give, for every real XML file, exactly the result
//! they gave when this table was written: the same activities (every sample,
//! lap, pause, name, device and summary), the same `partial` reason and the
//! same warning text, for the whole file and for the file cut at a quarter,
//! half and three quarters of its bytes (where the salvage paths speak).
//!
//! This pins behaviour across refactors of the XML readers (the shared
//! `decode/xml.rs`): each row is the first 16 hex digits of a SHA-256 over
//! the `Debug` text of those four `decode_bytes` results. A row that changes
//! means some decoded output changed: find out why before updating it. When
//! `Activity` itself gains or renames a field, every row changes on purpose;
//! the failure message prints the whole table as it is now, to paste here.
#![allow(clippy::unwrap_used)]

use sha2::{Digest, Sha256};
use tendonwatch::decode::{Format, decode_bytes, format_of};

/// The folders read, relative to the project root.
const FOLDERS: &[&str] = &[
    "../shared/fixtures/real/gpx",
    "fixtures/real/gpx",
    "fixtures/real/tcx",
];

/// (folder/file, digest): one row per GPX/TCX file of [`FOLDERS`].
const EXPECTED: &[(&str, &str)] = &[
    (
        "../shared/fixtures/real/gpx/4801048867_strava.gpx",
        "931eed3382c4e814",
    ),
    (
        "../shared/fixtures/real/gpx/Friday-Evening-Run.gpx",
        "6be66f6248404fa1",
    ),
    (
        "../shared/fixtures/real/gpx/activity_5039744860.gpx",
        "5b4fef708e21affe",
    ),
    (
        "../shared/fixtures/real/gpx/apple_watch_route.gpx",
        "39fae067908b3e26",
    ),
    (
        "../shared/fixtures/real/gpx/empty_trk.gpx",
        "3bf9bca038bc936b",
    ),
    (
        "../shared/fixtures/real/gpx/garmin-activity.gpx",
        "97b0b6b41262c848",
    ),
    (
        "../shared/fixtures/real/gpx/gpx1.0_with_all_fields.gpx",
        "d8a608ea81e8dac7",
    ),
    (
        "../shared/fixtures/real/gpx/gpxpy__route.gpx",
        "9246767de1d96d0c",
    ),
    (
        "../shared/fixtures/real/gpx/korita-zbevnica.gpx",
        "fb1aea002786862d",
    ),
    (
        "../shared/fixtures/real/gpx/legacy_gpx_pause_resume.gpx",
        "c72efbea516a9046",
    ),
    (
        "../shared/fixtures/real/gpx/legacy_gpx_trackpointextensions_incorrect.gpx",
        "eeca9ca315ab64b1",
    ),
    (
        "../shared/fixtures/real/gpx/run_gpxtpx.gpx",
        "f577eedb17a3cf76",
    ),
    (
        "../shared/fixtures/real/gpx/strava_route_example.gpx",
        "2ce8c7aff67e143a",
    ),
    (
        "../shared/fixtures/real/gpx/togeojson__wpt.gpx",
        "9390839b605e5976",
    ),
    (
        "fixtures/real/gpx/georust__garmin_with_extensions.gpx",
        "856294c75ae42bf0",
    ),
    (
        "fixtures/real/gpx/georust__wahoo_example.gpx",
        "212b550ec1727a4b",
    ),
    (
        "fixtures/real/gpx/mapbox__blue_hills.gpx",
        "108260def823e0fd",
    ),
    (
        "fixtures/real/gpx/tkrajina__Mojstrovka.gpx",
        "38cef6e7879dab96",
    ),
    (
        "fixtures/real/gpx/tkrajina__around-visnjan-with-car.gpx",
        "fef0489146f936e8",
    ),
    (
        "fixtures/real/tcx/GoldenCheetah__activity_5039744860.tcx",
        "ab88c9db5fe65489",
    ),
    (
        "fixtures/real/tcx/Whiskey24__1_activity_1_track_1_lap_1_trackpoint.tcx",
        "0b83ede322e440c4",
    ),
    (
        "fixtures/real/tcx/alenrajsp__cross-country-skiing_activity_1.tcx",
        "66dd0c641a629b0c",
    ),
    (
        "fixtures/real/tcx/alenrajsp__mapmyride_biking.tcx",
        "fa0c9114febd3ba9",
    ),
    (
        "fixtures/real/tcx/keithdoggett__test_data.tcx",
        "5c0e552da89384d4",
    ),
    (
        "fixtures/real/tcx/stratis-vip__runtastic.tcx",
        "329370180f1c5147",
    ),
    (
        "fixtures/real/tcx/stratis-vip__tapirik.tcx",
        "bc37d6a2a779c76d",
    ),
    (
        "fixtures/real/tcx/vkurup__sup_activity_1.tcx",
        "44e1b8131d09419b",
    ),
    ("fixtures/real/tcx/vkurup__test.tcx", "7f18bd0e1d760080"),
];

fn digest(format: Format, bytes: &[u8]) -> String {
    let len = bytes.len();
    let mut hash = Sha256::new();
    for cut in [len, len / 4, len / 2, len * 3 / 4] {
        let decoded = decode_bytes(format, &bytes[..cut]);
        hash.update(format!("{cut}: {decoded:?}\n").as_bytes());
    }
    let hex: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    hex[..16].to_string()
}

fn current() -> Vec<(String, String)> {
    let mut rows = Vec::new();
    for folder in FOLDERS {
        let dir = format!("{}/{folder}", env!("CARGO_MANIFEST_DIR"));
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let Some((format @ (Format::Gpx | Format::Tcx), false)) = format_of(&name) else {
                continue;
            };
            let bytes = std::fs::read(&path).unwrap();
            rows.push((format!("{folder}/{name}"), digest(format, &bytes)));
        }
    }
    rows.sort();
    rows
}

#[test]
fn every_real_gpx_and_tcx_file_decodes_as_it_did() {
    let now = current();
    let expected: Vec<(String, String)> = EXPECTED
        .iter()
        .map(|(f, d)| (f.to_string(), d.to_string()))
        .collect();
    if now != expected {
        let changed: Vec<&String> = now
            .iter()
            .filter(|row| !expected.contains(row))
            .map(|(f, _)| f)
            .collect();
        let table: String = now
            .iter()
            .map(|(f, d)| format!("    (\"{f}\", \"{d}\"),\n"))
            .collect();
        panic!(
            "decoded output differs for {changed:?} (or a file was added or removed)\n\
             the table as it is now:\n{table}"
        );
    }
    assert!(now.len() >= 28, "only {} files read", now.len());
}
