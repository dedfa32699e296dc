//! Export bundles: a Strava bulk export or a Garmin Connect export (a zip)
//! given to `tendonwatch import` or dropped into a sync folder. Every zip
//! is built at test time in the test's temp dir (never in a sync fixture
//! folder) from the real files of `../shared/fixtures/real/` and
//! `fixtures/real/tcx/`, by a small zip writer below that can also write
//! what no honest tool writes (lying sizes, hostile names, encrypted or
//! bzip2 entries).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tendonwatch::bundle::{Item, Limits, read_bundle};
use util::{Tw, dump_table, files_under, real};

const TCX_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/real/tcx/");

// ---------------------------------------------------------------------------
// A zip writer that does what it is told.
// ---------------------------------------------------------------------------

/// One entry as it will be written: `size` and `crc` are what the headers
/// declare, whatever the data.
struct Raw {
    name: Vec<u8>,
    method: u16,
    flags: u16,
    crc: u32,
    size: u32,
    data: Vec<u8>,
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(bytes);
    crc.sum()
}

impl Raw {
    fn stored(name: &str, bytes: &[u8]) -> Raw {
        Raw {
            name: name.as_bytes().to_vec(),
            method: 0,
            flags: 0,
            crc: crc32(bytes),
            size: bytes.len() as u32,
            data: bytes.to_vec(),
        }
    }

    fn deflated(name: &str, bytes: &[u8]) -> Raw {
        let mut enc =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(bytes).unwrap();
        Raw {
            method: 8,
            data: enc.finish().unwrap(),
            ..Raw::stored(name, bytes)
        }
    }
}

fn zip_of(entries: &[Raw]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let offset = out.len() as u32;
        let common = |buf: &mut Vec<u8>| {
            for v in [e.flags, e.method, 0, 0x21] {
                buf.extend_from_slice(&v.to_le_bytes());
            }
            for v in [e.crc, e.data.len() as u32, e.size] {
                buf.extend_from_slice(&v.to_le_bytes());
            }
            buf.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
            buf.extend_from_slice(&0u16.to_le_bytes());
        };
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&20u16.to_le_bytes());
        common(&mut out);
        out.extend_from_slice(&e.name);
        out.extend_from_slice(&e.data);

        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes());
        common(&mut central);
        central.extend_from_slice(&[0; 8]); // comment, disk, internal, external attributes
        central.extend_from_slice(&[0; 2]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(&e.name);
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

fn read_real(rel: &str) -> Vec<u8> {
    std::fs::read(real(rel)).unwrap()
}

fn read_tcx(name: &str) -> Vec<u8> {
    std::fs::read(format!("{TCX_DIR}{name}")).unwrap()
}

// ---------------------------------------------------------------------------
// Strava's activities.csv.
// ---------------------------------------------------------------------------

/// The header of a real Strava bulk export (English, 103 columns, 2024),
/// as quoted verbatim by public tools that read these exports (found by
/// code search for "Activity ID,Activity Date,Activity Name": a Rust
/// importer's `HEADER_ENGLISH_103` test constant; a Zig and a Java reader
/// quote the older 94- and 86-column forms, identical up to "Total Cycles").
/// "Elapsed Time", "Distance", "Max Heart Rate", "Relative Effort" and
/// "Commute" appear twice.
const STRAVA_HEADER: &str = "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,Distance,Max Heart Rate,Relative Effort,Commute,Activity Private Note,Activity Gear,Filename,Athlete Weight,Bike Weight,Elapsed Time,Moving Time,Distance,Max Speed,Average Speed,Elevation Gain,Elevation Loss,Elevation Low,Elevation High,Max Grade,Average Grade,Average Positive Grade,Average Negative Grade,Max Cadence,Average Cadence,Max Heart Rate,Average Heart Rate,Max Watts,Average Watts,Calories,Max Temperature,Average Temperature,Relative Effort,Total Work,Number of Runs,Uphill Time,Downhill Time,Other Time,Perceived Exertion,Type,Start Time,Weighted Average Power,Power Count,Prefer Perceived Exertion,Perceived Relative Effort,Commute,Total Weight Lifted,From Upload,Grade Adjusted Distance,Weather Observation Time,Weather Condition,Weather Temperature,Apparent Temperature,Dewpoint,Humidity,Weather Pressure,Wind Speed,Wind Gust,Wind Bearing,Precipitation Intensity,Sunrise Time,Sunset Time,Moon Phase,Bike,Gear,Precipitation Probability,Precipitation Type,Cloud Cover,Weather Visibility,UV Index,Weather Ozone,Jump Count,Total Grit,Average Flow,Flagged,Average Elapsed Speed,Dirt Distance,Newly Explored Distance,Newly Explored Dirt Distance,Activity Count,Total Steps,Carbon Saved,Pool Length,Training Load,Intensity,Average Grade Adjusted Pace,Timer Time,Total Cycles,Recovery,With Pet,Competition,Long Run,For a Cause,With Kid,Downhill Distance,Total Sets,Total Reps,Media";

/// One row of Strava's layout: `values` by (column, occurrence), the rest
/// empty; quoted the way Strava quotes (commas, quotes, line breaks).
fn strava_row(values: &[(&str, usize, &str)]) -> String {
    let mut seen: Vec<&str> = Vec::new();
    let fields: Vec<String> = STRAVA_HEADER
        .split(',')
        .map(|col| {
            seen.push(col);
            let nth = seen.iter().filter(|c| **c == col).count();
            let value = values
                .iter()
                .find(|(c, n, _)| *c == col && *n == nth)
                .map_or("", |v| v.2);
            if value.contains([',', '"', '\n']) {
                format!("\"{}\"", value.replace('"', "\"\""))
            } else {
                value.to_string()
            }
        })
        .collect();
    fields.join(",")
}

/// A Strava row for one file: id, type, name, file; a date and a
/// description that need quoting, and both "Distance" columns filled
/// differently (the first is km, the second m).
fn strava_activity(id: &str, kind: &str, name: &str, file: &str) -> String {
    strava_row(&[
        ("Activity ID", 1, id),
        ("Activity Date", 1, "Aug 15, 2015, 2:45:08 PM"),
        ("Activity Name", 1, name),
        ("Activity Type", 1, kind),
        (
            "Activity Description",
            1,
            "Legs \"heavy\", calves tight\nsecond line, still the description",
        ),
        ("Elapsed Time", 1, "2832"),
        ("Distance", 1, "9.01"),
        ("Elapsed Time", 2, "2832.0"),
        ("Distance", 2, "9010.0"),
        ("Filename", 1, file),
        ("Media", 1, "media/1.jpg"),
    ])
}

/// A Strava export: five activity files (FIT runs gzipped and plain, a GPX
/// run and a GPX ride that do not say so — the list does, a TCX run), the
/// list with a BOM and CRLF line ends, and what else an export holds.
fn strava_export() -> Vec<u8> {
    let rows = [
        STRAVA_HEADER.to_string(),
        strava_activity("101", "Run", "Lunch Run", "activities/101.fit.gz"),
        // run_gpxtpx.gpx has no <type>: the list says it was a ride.
        strava_activity("102", "Ride", "Greeting SF", "activities/102.gpx.gz"),
        strava_activity("103", "Run", "Stop and go", "activities/103.fit"),
        strava_activity("104", "Run", "Tapiriik run", "activities/104.tcx.gz"),
        strava_activity("105", "Ride", "Rondje achterhoek", "activities/105.gpx.gz"),
        // A manual entry: no file.
        strava_activity("106", "Run", "Treadmill, typed in", ""),
    ];
    let csv = format!("\u{feff}{}\r\n", rows.join("\r\n"));
    zip_of(&[
        Raw::stored("activities/", b""),
        Raw::deflated("activities.csv", csv.as_bytes()),
        Raw::stored(
            "activities/101.fit.gz",
            &gzip(&read_real("fit/activity-small-fenix2-run.fit")),
        ),
        Raw::stored(
            "activities/102.gpx.gz",
            &gzip(&read_real("gpx/run_gpxtpx.gpx")),
        ),
        Raw::deflated("activities/103.fit", &read_real("fit/with_nones.fit")),
        Raw::stored(
            "activities/104.tcx.gz",
            &gzip(&read_tcx("stratis-vip__tapirik.tcx")),
        ),
        Raw::stored(
            "activities/105.gpx.gz",
            &gzip(&read_real("gpx/4801048867_strava.gpx")),
        ),
        Raw::deflated("profile.csv", b"Athlete ID,Email Address\n1,a@b.c\n"),
        Raw::stored("media/1.jpg", b"\xff\xd8\xff\xe0 not really a jpeg"),
        Raw::deflated("routes/1.gpx.json", b"{}"),
    ])
}

/// Write `bytes` as `<root>/exports/<name>` (outside the sync folder).
fn write_export(tw: &Tw, name: &str, bytes: &[u8]) -> PathBuf {
    let dir = tw.root().join("exports");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn by_key<'a>(activities: &'a [Value], key: &str) -> Vec<&'a Value> {
    activities
        .iter()
        .filter(|a| a["source_path"].as_str() == Some(key))
        .collect()
}

/// Every file under the temp dir but the store's own.
fn files_outside_the_store(tw: &Tw) -> std::collections::BTreeSet<String> {
    let state = tw.root().join("state").to_string_lossy().into_owned();
    files_under(tw.root())
        .into_iter()
        .filter(|p| !p.starts_with(&state))
        .collect()
}

fn files_rows(tw: &Tw) -> Vec<String> {
    dump_table(&tw.conn(), "files", &["first_seen_ms", "ingested_ms"])
}

// ---------------------------------------------------------------------------
// Strava.
// ---------------------------------------------------------------------------

#[test]
fn a_strava_export_is_imported_entry_by_entry_and_its_list_names_the_sport_and_title() {
    let tw = Tw::new();
    let zip = write_export(&tw, "export_12345.zip", &strava_export());
    let before = files_outside_the_store(&tw);

    let summary = tw.import_json(&[&zip]);
    assert_eq!(summary["imported"], 3, "{summary}");
    assert_eq!(summary["non_running"], 2, "the two rides: {summary}");
    assert_eq!(summary["already_known"], 0, "{summary}");
    assert_eq!(summary["failed"], serde_json::json!([]), "{summary}");
    assert_eq!(summary["skipped"], serde_json::json!([]), "{summary}");
    assert_eq!(
        summary["bundle_other_entries"], 3,
        "profile.csv, a photo, a route: counted, not read (activities.csv was read): {summary}"
    );
    assert_eq!(before, files_outside_the_store(&tw), "nothing was unpacked");

    let zip_text = zip.to_string_lossy().into_owned();
    let key = |entry: &str| format!("{zip_text}!/{entry}");
    let activities = tw.activities_json();
    assert_eq!(activities.len(), 5, "{activities:#?}");

    // The GPX run without a <type>: the list says Ride, and the list wins.
    let ride = by_key(&activities, &key("activities/102.gpx.gz"));
    assert_eq!(ride.len(), 1, "{activities:#?}");
    assert_eq!(ride[0]["sport"], "cycling", "{:#}", ride[0]);
    assert_eq!(ride[0]["sport_status"], "bundle", "{:#}", ride[0]);
    assert!(
        ride[0]["sport_evidence"][0]
            .as_str()
            .unwrap()
            .contains("\"Ride\""),
        "{:#}",
        ride[0]
    );
    // The file has a name of its own: it stays.
    assert_eq!(ride[0]["name"], "Greeting SF with a dumb, dumb route");

    // The FIT runs say they are runs; the fenix file has no name: the
    // export's title is shown.
    let fenix = by_key(&activities, &key("activities/101.fit.gz"));
    assert_eq!(fenix.len(), 1, "{activities:#?}");
    assert_eq!(fenix[0]["sport"], "running");
    assert_eq!(fenix[0]["sport_status"], "file");
    assert_eq!(fenix[0]["name"], "Lunch Run");
    assert!((fenix[0]["distance_m"].as_f64().unwrap() - 9010.0).abs() < 100.0);
    for entry in ["activities/103.fit", "activities/104.tcx.gz"] {
        let run = by_key(&activities, &key(entry));
        assert_eq!(run.len(), 1, "{entry}: {activities:#?}");
        assert_eq!(run[0]["sport"], "running", "{entry}");
    }
    let tcx = by_key(&activities, &key("activities/104.tcx.gz"));
    assert_eq!(tcx[0]["format"], "tcx");
    let strava_ride = by_key(&activities, &key("activities/105.gpx.gz"));
    assert_eq!(strava_ride[0]["sport"], "cycling");

    // The bundle's own row: skipped on size and time next time.
    let conn = tw.conn();
    let (outcome, format): (String, String) = conn
        .query_row(
            "SELECT outcome, format FROM files WHERE path = ?1",
            [&zip_text],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((outcome.as_str(), format.as_str()), ("bundle", "zip"));
    assert_eq!(
        tw.count("files"),
        6,
        "the bundle and its five activity files"
    );
}

#[test]
fn importing_the_same_export_twice_reports_nothing_new() {
    let tw = Tw::new();
    let zip = write_export(&tw, "export_12345.zip", &strava_export());
    let first = tw.import(&[&zip]);
    first.assert_ok();
    assert!(
        first.stdout.starts_with(
            "5 files: 3 imported, 0 already known, 2 non-running (stored, not counted), 0 skipped, 0 failed"
        ),
        "{}",
        first.stdout
    );
    // Issue 22: `activities.csv` was read (for sports and names), so it
    // is not among the entries not read: a profile, a photo, a route.
    assert!(
        first.stdout.contains("3 other entries of export bundles"),
        "{}",
        first.stdout
    );
    let key = std::fs::canonicalize(&zip).unwrap();
    let bundle = util::log_lines_about(&first.stderr, &key.to_string_lossy()).join("");
    assert!(
        bundle.contains(
            "5 activity entries (each on its own line), its activity list; 3 other entries not read"
        ),
        "{bundle}"
    );
    let rows = files_rows(&tw);
    let listing = tw.activities_raw();

    let second = tw.import(&[&zip]);
    second.assert_ok();
    assert!(
        second.stdout.starts_with(
            "5 files: 0 imported, 5 already known, 0 non-running (stored, not counted), 0 skipped, 0 failed"
        ),
        "{}",
        second.stdout
    );
    assert_eq!(rows, files_rows(&tw));
    assert_eq!(listing, tw.activities_raw());

    // Touched, not changed: opened again, every entry known by its bytes.
    let later = std::time::SystemTime::now() + Duration::from_secs(5);
    std::fs::File::options()
        .append(true)
        .open(&zip)
        .unwrap()
        .set_modified(later)
        .unwrap();
    let third = tw.import_json(&[&zip]);
    assert_eq!(third["imported"], 0, "{third}");
    assert_eq!(third["already_known"], 5, "{third}");
    assert_eq!(listing, tw.activities_raw());
}

#[test]
fn a_run_already_stored_from_the_watch_is_not_stored_again_from_the_export() {
    let tw = Tw::new();
    // The watch's own FIT, synced first…
    tw.copy_real("fit/activity-small-fenix2-run.fit");
    let first = tw.import_json(&[tw.sync()]);
    assert_eq!(first["imported"], 1, "{first}");
    // …then the export that holds it gzipped under Strava's name.
    let zip = write_export(&tw, "export.zip", &strava_export());
    let summary = tw.import_json(&[&zip]);
    assert_eq!(summary["imported"], 2, "{summary}");
    assert_eq!(summary["already_known"], 1, "{summary}");
    let activities = tw.activities_json();
    assert_eq!(activities.len(), 5, "{activities:#?}");
    let fenix: Vec<&Value> = activities
        .iter()
        .filter(|a| a["start_utc"].as_str().unwrap().starts_with("2015-08-15"))
        .collect();
    assert_eq!(
        fenix.len(),
        1,
        "one run, whichever file keeps it: {fenix:#?}"
    );
}

// ---------------------------------------------------------------------------
// Garmin.
// ---------------------------------------------------------------------------

#[test]
fn a_garmin_export_reads_the_fit_files_of_its_nested_zips() {
    let tw = Tw::new();
    let part1 = zip_of(&[
        Raw::deflated(
            "ann@example.com_1001_ACTIVITY.fit",
            &read_real("fit/run_with_coordinates.fit"),
        ),
        Raw::deflated(
            "ann@example.com_1002_ACTIVITY.fit",
            &read_real("fit/garmin-fenix-5-walk.fit"),
        ),
        // An archive two levels down is not read.
        Raw::stored("deeper.zip", &zip_of(&[])),
    ]);
    let part2 = zip_of(&[Raw::deflated(
        "ann@example.com_1003_ACTIVITY.fit",
        &read_real("fit/with_nones.fit"),
    )]);
    let export = zip_of(&[
        Raw::deflated(
            "DI_CONNECT/DI-Connect-Fitness/ann_0_summarizedActivities.json",
            b"[{\"summarizedActivitiesExport\": []}]",
        ),
        Raw::deflated("DI_CONNECT/DI-Connect-User/user_profile.json", b"{}"),
        // Stored (read in place) and deflated (inflated into memory).
        Raw::stored(
            "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip",
            &part1,
        ),
        Raw::deflated(
            "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part2.zip",
            &part2,
        ),
    ]);
    let zip = write_export(&tw, "garmin.zip", &export);
    let summary = tw.import_json(&[&zip]);
    assert_eq!(summary["imported"], 2, "{summary}");
    assert_eq!(summary["non_running"], 1, "the walk: {summary}");
    assert_eq!(summary["failed"], serde_json::json!([]), "{summary}");
    assert_eq!(summary["bundle_other_entries"], 2, "{summary}");
    let skipped = summary["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{summary}");
    assert!(
        skipped[0]["path"]
            .as_str()
            .unwrap()
            .ends_with("Part1.zip!/deeper.zip")
            && skipped[0]["reason"]
                .as_str()
                .unwrap()
                .contains("only one level"),
        "{summary}"
    );
    let zip_text = zip.to_string_lossy().into_owned();
    let activities = tw.activities_json();
    let keys: Vec<&str> = activities
        .iter()
        .map(|a| a["source_path"].as_str().unwrap())
        .collect();
    let uploaded = format!("{zip_text}!/DI_CONNECT/DI-Connect-Uploaded-Files");
    for key in [
        format!("{uploaded}/UploadedFiles_0-_Part1.zip!/ann@example.com_1001_ACTIVITY.fit"),
        format!("{uploaded}/UploadedFiles_0-_Part1.zip!/ann@example.com_1002_ACTIVITY.fit"),
        format!("{uploaded}/UploadedFiles_0-_Part2.zip!/ann@example.com_1003_ACTIVITY.fit"),
    ] {
        assert!(keys.contains(&key.as_str()), "{key} in {keys:#?}");
    }
}

// ---------------------------------------------------------------------------
// Hostile and broken archives.
// ---------------------------------------------------------------------------

#[test]
fn hostile_entries_are_refused_by_name_and_nothing_of_them_is_stored_or_written() {
    let tw = Tw::new();
    let run = read_real("fit/with_nones.fit");
    // 80 MiB of zeros deflate to ~80 KB; the headers claim 1 KB.
    let zeros = vec![0u8; 80 * 1024 * 1024];
    let mut lying_bomb = Raw::deflated("activities/bomb.gpx", &zeros);
    lying_bomb.size = 1024;
    // Honest about its size, which is too large for an activity file.
    let mut honest_bomb = Raw::deflated("activities/big.fit", b"");
    honest_bomb.size = 100 * 1024 * 1024;
    let mut encrypted = Raw::stored("activities/secret.fit", &run);
    encrypted.flags = 1;
    let mut bzip2 = Raw::stored("activities/bzip.fit", &run);
    bzip2.method = 12;
    let mut corrupt = Raw::deflated("activities/crc.fit", &run);
    corrupt.crc ^= 1;
    let export = zip_of(&[
        lying_bomb,
        honest_bomb,
        Raw::stored("../escape.fit", &run),
        Raw::stored("activities/../../escape.gpx", &run),
        Raw::stored("/etc/escape.fit", &run),
        Raw::stored("activities\\..\\escape.fit", &run),
        Raw::stored("C:/escape.fit", &run),
        encrypted,
        bzip2,
        corrupt,
        Raw::stored("notes.txt", b"not an activity"),
        Raw::stored("activities/ok.fit", &run),
    ]);
    let zip = write_export(&tw, "hostile.zip", &export);
    let before = files_outside_the_store(&tw);

    let run_out = tw.import_into(&tw.db(), &[&zip], true);
    let summary = run_out.json();
    assert!(!run_out.stderr.contains("panick"), "{}", run_out.stderr);
    assert_eq!(summary["imported"], 1, "only ok.fit: {summary}");
    let zip_text = zip.to_string_lossy().into_owned();
    let reasons = |list: &str| -> Vec<(String, String)> {
        summary[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["path"]
                        .as_str()
                        .unwrap()
                        .strip_prefix(&format!("{zip_text}!/"))
                        .unwrap_or_else(|| panic!("a key under the zip: {p}"))
                        .to_string(),
                    p["reason"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let failed = reasons("failed");
    let expect_failed = [
        ("activities/bomb.gpx", "zip bomb"),
        ("activities/big.fit", "declares 100 MiB"),
        ("../escape.fit", "leaves the archive"),
        ("activities/../../escape.gpx", "leaves the archive"),
        ("/etc/escape.fit", "absolute path"),
        ("activities\\\\..\\\\escape.fit", "backslash"),
        ("C:/escape.fit", "drive letter"),
        ("activities/crc.fit", "corrupt entry"),
    ];
    assert_eq!(failed.len(), expect_failed.len(), "{failed:#?}");
    for ((key, reason), (want_key, want_reason)) in failed.iter().zip(expect_failed) {
        assert_eq!(key, want_key, "{failed:#?}");
        assert!(reason.contains(want_reason), "{key}: {reason}");
    }
    let skipped = reasons("skipped");
    assert_eq!(skipped.len(), 2, "{skipped:#?}");
    assert!(skipped[0].0 == "activities/secret.fit" && skipped[0].1.contains("encrypted"));
    assert!(skipped[1].0 == "activities/bzip.fit" && skipped[1].1.contains("does not read"));
    assert_eq!(summary["bundle_other_entries"], 1, "notes.txt: {summary}");

    // Nothing of a refused entry in the store; nothing written anywhere.
    let paths = util::strings(&tw.conn(), "SELECT path FROM files ORDER BY path");
    assert_eq!(
        paths,
        vec![zip_text.clone(), format!("{zip_text}!/activities/ok.fit")]
    );
    assert_eq!(before, files_outside_the_store(&tw));
}

#[test]
fn a_truncated_export_is_a_clear_failure_and_an_empty_one_a_clear_skip() {
    let tw = Tw::new();
    let whole = strava_export();
    let cut = write_export(&tw, "cut.zip", &whole[..whole.len() / 2]);
    let empty = write_export(&tw, "empty.zip", &zip_of(&[]));
    let nothing = write_export(&tw, "nothing.zip", b"");
    let summary = tw.import_json(&[&cut, &empty, &nothing]);
    assert_eq!(summary["imported"], 0, "{summary}");
    let failed = summary["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 2, "{summary}");
    for (p, path) in failed.iter().zip([&cut, &nothing]) {
        assert_eq!(p["path"], path.to_string_lossy().as_ref(), "{summary}");
        assert_eq!(p["outcome"], "truncated", "{summary}");
        assert!(
            p["reason"]
                .as_str()
                .unwrap()
                .contains("not a complete zip archive"),
            "{summary}"
        );
    }
    let skipped = summary["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{summary}");
    assert_eq!(skipped[0]["path"], empty.to_string_lossy().as_ref());
    assert!(
        skipped[0]["reason"]
            .as_str()
            .unwrap()
            .contains("no activity files among its 0 entries")
    );
    assert_eq!(tw.count("activities"), 0);

    // Unchanged, they are not opened again, nor reported again.
    let again = tw.import_json(&[&cut, &empty, &nothing]);
    assert_eq!(again["already_known"], 3, "{again}");
    assert_eq!(again["failed"], serde_json::json!([]), "{again}");
    assert_eq!(again["skipped"], serde_json::json!([]), "{again}");
}

/// The log of a bundle (issue 21, point 8): one line for the bundle, one
/// per activity entry, each starting with its key (`export.zip!/entry`) —
/// so fitparser's complaint about the COROS ride's fields is a note on that
/// entry's line, not a bare `ERROR: field size …` on stderr.
#[test]
fn each_entry_of_a_bundle_is_one_log_line_naming_the_bundle_and_the_entry() {
    let tw = Tw::new();
    let zip = write_export(
        &tw,
        "export.zip",
        &zip_of(&[
            Raw::deflated("activities/coros.fit", &read_real(util::MISALIGNED_FIT)),
            Raw::deflated("activities/run.fit", &read_real("fit/with_nones.fit")),
            Raw::stored(
                "activities/broken.fit",
                &read_real("fit/activity-filecrc.fit"),
            ),
            Raw::deflated("profile.json", b"{}"),
        ]),
    );
    let zip = std::fs::canonicalize(zip)
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let run = tw.import(&[&zip]);
    run.assert_ok();
    let log = &run.stderr;
    util::assert_no_bare_lines(log);
    let entry = |name: &str| format!("{zip}!/activities/{name}");
    let paths = [
        zip.clone(),
        entry("coros.fit"),
        entry("run.fit"),
        entry("broken.fit"),
    ];
    util::assert_one_line_per_file(log, &paths);
    assert_eq!(log.lines().count(), paths.len(), "{log}");
    let coros = util::log_lines_about(log, &entry("coros.fit")).join("");
    assert!(
        coros.contains("stored as activity") && coros.contains("read as bytes"),
        "{coros}"
    );
    let broken = util::log_lines_about(log, &entry("broken.fit")).join("");
    assert!(
        broken.contains(" WARN ") && broken.contains("data CRC mismatch"),
        "{broken}"
    );
    let bundle = util::log_lines_about(log, &zip).join("");
    assert!(
        bundle.contains("3 activity entries") && bundle.contains("1 other entry not read"),
        "{bundle}"
    );
}

/// Many entries, each within its own limit, add up past the bundle's.
#[test]
fn the_total_limit_stops_the_read_and_says_where() {
    let run = read_real("fit/with_nones.fit");
    let entries: Vec<Raw> = (0..10)
        .map(|i| Raw::deflated(&format!("activities/{i}.fit"), &run))
        .collect();
    let zip = zip_of(&entries);
    let limits = Limits {
        max_total_bytes: 3 * run.len() as u64 + 10,
        ..Limits::DEFAULT
    };
    let mut items = Vec::new();
    let tally = read_bundle(
        std::io::Cursor::new(&zip),
        "t.zip!/",
        &limits,
        &mut |item| {
            items.push(item);
            true
        },
    )
    .unwrap();
    assert_eq!(tally.activities, 3);
    assert!(
        tally
            .stopped
            .as_deref()
            .unwrap()
            .contains("stopped reading")
    );
    assert_eq!(items.len(), 4, "three runs and the refusal of the fourth");
    match &items[3] {
        Item::Refused(r) => assert_eq!(r.key, "t.zip!/activities/3.fit"),
        other => panic!("{other:?}"),
    }
}

/// Whatever a zip is cut to or whichever byte is flipped, the reader
/// returns (an error, refusals or entries), never panics.
#[test]
fn mangled_exports_never_panic_the_reader() {
    let small = zip_of(&[
        Raw::deflated(
            "activities.csv",
            b"Activity Type,Filename\nRun,activities/1.fit\n",
        ),
        Raw::deflated(
            "activities/1.fit",
            &read_real("fit/activity_multisport.fit"),
        ),
        Raw::stored("a.zip", &zip_of(&[Raw::deflated("2.gpx", b"<gpx/>")])),
    ]);
    let mut tried = 0;
    for cut in 0..small.len() {
        let _ = read_bundle(
            std::io::Cursor::new(&small[..cut]),
            "m.zip!/",
            &Limits::DEFAULT,
            &mut |_| true,
        );
        tried += 1;
    }
    for at in 0..small.len() {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut bytes = small.clone();
            bytes[at] ^= flip;
            let _ = read_bundle(
                std::io::Cursor::new(&bytes),
                "m.zip!/",
                &Limits::DEFAULT,
                &mut |_| true,
            );
            tried += 1;
        }
    }
    assert!(tried > 1000);
}

// ---------------------------------------------------------------------------
// The daemon.
// ---------------------------------------------------------------------------

/// The daemon as a child process, killed when dropped.
struct Watch(Child);

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn paths_in_store(db: &Path) -> Vec<(String, String)> {
    let Ok(conn) =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return Vec::new();
    };
    let Ok(mut stmt) = conn.prepare("SELECT path, outcome FROM files ORDER BY path") else {
        return Vec::new();
    };
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .map(|rows| rows.filter_map(Result::ok).collect())
        .unwrap_or_default()
}

#[test]
fn a_zip_dropped_into_the_sync_folder_is_ingested_by_the_daemon_once_it_is_whole() {
    let tw = Tw::new();
    let config = tw.root().join("tendonwatch.toml");
    std::fs::write(
        &config,
        "[watch]\nmode = \"native\"\nrescan_s = 2\ndebounce_ms = 200\nsettle_s = 4\n",
    )
    .unwrap();
    let log = tw.root().join("daemon.log");
    let mut cmd: Command = tw.command();
    cmd.arg("--config")
        .arg(&config)
        .arg("watch")
        .arg(tw.sync())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap());
    let mut daemon = Watch(cmd.spawn().unwrap());
    let wait_for = |what: &str, daemon: &mut Watch, check: &dyn Fn() -> bool| {
        let started = Instant::now();
        while !check() {
            assert!(
                daemon.0.try_wait().unwrap().is_none(),
                "the daemon exited\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "timed out waiting for {what}\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    wait_for("the daemon to watch", &mut daemon, &|| {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .contains("watching ")
    });

    // The first half arrives: no central directory yet.
    let whole = strava_export();
    let zip = tw.sync().join("export_12345.zip");
    std::fs::write(&zip, &whole[..whole.len() / 2]).unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        paths_in_store(&tw.db()),
        vec![],
        "a zip still arriving is neither read nor recorded as failed"
    );

    // The rest arrives.
    std::fs::write(&zip, &whole).unwrap();
    let zip_text = zip.to_string_lossy().into_owned();
    wait_for("the export's six rows", &mut daemon, &|| {
        paths_in_store(&tw.db()).len() == 6
    });
    let rows = paths_in_store(&tw.db());
    assert_eq!(
        rows[0],
        (zip_text.clone(), "bundle".to_string()),
        "{rows:#?}"
    );
    assert!(
        rows[1..]
            .iter()
            .all(|(p, o)| p.starts_with(&format!("{zip_text}!/activities/")) && o == "complete"),
        "{rows:#?}"
    );
    let ride = tw
        .activities_json()
        .into_iter()
        .find(|a| a["source_path"].as_str().unwrap().ends_with("102.gpx.gz"))
        .unwrap();
    assert_eq!(
        (ride["sport"].as_str(), ride["sport_status"].as_str()),
        (Some("cycling"), Some("bundle"))
    );

    let pid = daemon.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = daemon.0.wait().unwrap();
    assert!(status.success(), "{status}");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains("panicked"), "{text}");
}
