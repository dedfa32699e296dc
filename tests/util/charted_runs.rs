//! Real recordings of the three formats from several producers, with the
//! series each one records, for the tests of a run's charts (pace,
//! cadence, elevation, heart rate over the distance). Included with
//! `#[path = "util/charted_runs.rs"] mod charted_runs;` next to `mod util;`.
//!
//! The facts were measured on the files (the per-point channels of
//! `../shared/fixtures/real/SOURCES.md` and `fixtures/real/SOURCES.md`, and
//! `tendonwatch activities --all --json`: `has_cadence`, `has_altitude`,
//! `has_heart_rate`). Every file moves far enough to have a pace line.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use super::util::{self, Tw};
use std::path::PathBuf;

/// The project's own real files (TCX, and a few GPX and FIT).
pub const OWN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/real");

/// Where a real file is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// `../shared/fixtures/real/…`
    Shared,
    /// `fixtures/real/…`
    Own,
}

/// One real recording and the series it has.
#[derive(Debug, Clone, Copy)]
pub struct Recording {
    pub kept: Kept,
    /// `"gpx/run_gpxtpx.gpx"`
    pub file: &'static str,
    pub producer: &'static str,
    pub cadence: bool,
    pub elevation: bool,
    pub heart_rate: bool,
    /// Opened in the browser test too (at least two producers per format,
    /// each with hundreds of points so that a line has many).
    pub in_browser: bool,
}

impl Recording {
    pub fn path(&self) -> PathBuf {
        match self.kept {
            Kept::Shared => util::real(self.file),
            Kept::Own => PathBuf::from(OWN).join(self.file),
        }
    }

    /// The file's name, as it lands in the sync folder.
    pub fn name(&self) -> &'static str {
        self.file.rsplit('/').next().unwrap_or(self.file)
    }

    /// `(chart id, chart title, whether the file records it)` for the four
    /// charts of the activity page, in page order.
    pub fn charts(&self) -> [(&'static str, &'static str, bool); 4] {
        [
            ("pace", "Pace", true),
            ("cadence", "Cadence", self.cadence),
            ("elevation", "Elevation", self.elevation),
            ("heart-rate", "Heart rate", self.heart_rate),
        ]
    }
}

const fn rec(
    kept: Kept,
    file: &'static str,
    producer: &'static str,
    [cadence, elevation, heart_rate]: [bool; 3],
    in_browser: bool,
) -> Recording {
    Recording {
        kept,
        file,
        producer,
        cadence,
        elevation,
        heart_rate,
        in_browser,
    }
}

/// Channel sets, `[cadence, elevation, heart rate]`.
const ALL: [bool; 3] = [true, true, true];
const ELE_HR: [bool; 3] = [false, true, true];
const CAD_HR: [bool; 3] = [true, false, true];
const ELE: [bool; 3] = [false, true, false];

#[rustfmt::skip]
pub const RECORDINGS: &[Recording] = &[
    // GPX: positions and times, no distance of the device's.
    rec(Kept::Shared, "gpx/run_gpxtpx.gpx", "StravaGPX, 1,118 points", ELE_HR, true),
    rec(Kept::Shared, "gpx/garmin-activity.gpx", "Garmin Connect, 988 points", ALL, true),
    // Three segments (two pauses) of 4, 5 and 8 points; HR on 13 of 17.
    rec(Kept::Shared, "gpx/Friday-Evening-Run.gpx", "Apple Watch, 17 points", ALL, false),
    rec(Kept::Own, "gpx/georust__garmin_with_extensions.gpx", "Garmin GPSMAP 64s, 3,540 points", ELE, true),
    // TCX: trackpoints with DistanceMeters.
    rec(Kept::Own, "tcx/vkurup__test.tcx", "Garmin Forerunner 410, 384 points", ELE_HR, true),
    rec(Kept::Own, "tcx/alenrajsp__mapmyride_biking.tcx", "MapMyRide, 3,112 points", ELE, true),
    rec(Kept::Own, "tcx/alenrajsp__cross-country-skiing_activity_1.tcx", "Garmin Connect (vivoactive HR), 486 points", ALL, false),
    rec(Kept::Own, "tcx/GoldenCheetah__activity_5039744860.tcx", "Garmin Connect (Edge 1000), 96 points", ALL, false),
    // FIT
    rec(Kept::Shared, "fit/activity-small-fenix2-run.fit", "Garmin fenix 2, 2,809 records", ALL, true),
    // Half its records have a fix and altitude; no cadence, no HR.
    rec(Kept::Shared, "fit/strava-android-app-201.10-b1218918.fit", "Strava Android app, 473 records", ELE, true),
    // A footpod's distance, no GPS, no altitude.
    rec(Kept::Shared, "fit/compressed-speed-distance.fit", "Garmin Forerunner 70, 755 records", CAD_HR, false),
    rec(Kept::Shared, "fit/with_nones.fit", "Garmin Forerunner 25, 427 records", CAD_HR, false),
    rec(Kept::Shared, "fit/developer-types-sample.fit", "Stryd, 3,424 records", ALL, false),
    // Four timer starts and stops: three pauses inside the run.
    rec(Kept::Shared, "fit/roznet__sample.fit", "Garmin fenix 6X, 4,276 records", ALL, false),
];

/// Copies `recordings` into `tw`'s sync folder, imports them, and returns
/// each with the id of its activity (one activity per file).
pub fn import(tw: &Tw, recordings: &[Recording]) -> Vec<(Recording, i64)> {
    for r in recordings {
        let to = tw.sync().join(r.name());
        std::fs::copy(r.path(), &to).unwrap_or_else(|e| panic!("copying {}: {e}", r.file));
    }
    tw.import(&[tw.sync()]).assert_ok();
    let listed = tw.activities_json();
    recordings
        .iter()
        .map(|r| {
            let ids: Vec<i64> = listed
                .iter()
                .filter(|a| {
                    a["source_path"]
                        .as_str()
                        .is_some_and(|p| p.ends_with(&format!("/{}", r.name())))
                })
                .map(|a| a["id"].as_i64().unwrap())
                .collect();
            assert_eq!(ids.len(), 1, "{}: activities {ids:?} in {listed:?}", r.file);
            (*r, ids[0])
        })
        .collect()
}
