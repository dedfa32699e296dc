//! A run's page has its charts — pace, cadence, elevation and heart rate
//! over the distance — for real FIT, GPX and TCX files of several producers
//! (issue 21, point 2): a line for every series the file records, the small
//! "No … recorded" chart for the others, and the API's `charts` and the
//! run list's `has_*` saying the same. GPX files carry positions but no
//! distance of the device's; their charts are drawn along the distance the
//! metrics measure from the positions, as is a TCX without DistanceMeters.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "util/charted_runs.rs"]
mod charted_runs;
#[path = "util/dashboard.rs"]
mod dashboard;
mod util;

use charted_runs::{RECORDINGS, Recording};
use dashboard::Server;
use util::Tw;

/// What one series chart of a page draws.
#[derive(Debug, Default)]
struct Drawn {
    /// Points of its lines plus its lone dots.
    points: usize,
    /// Separate lines and dots: a pause or a stop splits a line.
    pieces: usize,
    /// The chart says "No {title} recorded".
    no_data: bool,
}

/// The chart `<div id="series-{id}">` of an activity page, if it has one:
/// its first drawing (the phone's; the other draws the same points).
fn chart(html: &str, id: &str, title: &str) -> Option<Drawn> {
    let start = html.find(&format!(r#"id="series-{id}""#))?;
    let svg = &html[start..];
    let svg = &svg[..svg.find("</svg>").expect("the chart ends")];
    let lines: Vec<usize> = svg
        .split(r#"<polyline class="series-line""#)
        .skip(1)
        .map(|l| {
            let points = l.split(r#"points=""#).nth(1).unwrap_or("");
            points[..points.find('"').unwrap_or(0)]
                .split_whitespace()
                .count()
        })
        .collect();
    let dots = svg.matches(r#"<circle class="series-dot""#).count();
    Some(Drawn {
        points: lines.iter().sum::<usize>() + dots,
        pieces: lines.len() + dots,
        no_data: svg.contains(&format!("No {title} recorded")),
    })
}

/// The activity page of `id`, answered 200.
#[track_caller]
fn page(server: &Server, id: i64) -> String {
    let r = server.get(&format!("/activity/{id}"), None);
    assert_eq!(r.status, 200, "/activity/{id}: {}", r.body);
    r.body
}

/// Every way the page, the API and the run list can disagree with the file
/// about `recording`'s charts.
fn disagreements(tw: &Tw, server: &Server, recording: &Recording, id: i64) -> Vec<String> {
    let html = page(server, id);
    let api = server.get(&format!("/api/activities/{id}"), None).json();
    let listed = tw
        .activities_json()
        .into_iter()
        .find(|a| a["id"] == id)
        .unwrap();
    let mut wrong = Vec::new();
    let what = format!("{} ({})", recording.file, recording.producer);
    for (chart_id, title, recorded) in recording.charts() {
        let Some(drawn) = chart(&html, chart_id, title) else {
            wrong.push(format!("{what}: the page has no {title} chart"));
            continue;
        };
        let line = drawn.points >= 10 && !drawn.no_data;
        let nothing = drawn.points == 0 && drawn.no_data;
        if recorded && !line {
            wrong.push(format!(
                "{what}: {title} is recorded but not drawn: {drawn:?}"
            ));
        }
        if !recorded && !nothing {
            wrong.push(format!("{what}: {title} is not recorded, yet {drawn:?}"));
        }
        let key = chart_id.replace('-', "_");
        let counted = api["charts"][&key].as_u64();
        if counted.map(|n| n > 0) != Some(recorded) {
            wrong.push(format!("{what}: the API's charts.{key} is {counted:?}"));
        }
    }
    if recording.elevation && html.contains("no altitude in the file") {
        wrong.push(format!("{what}: the page says there is no altitude"));
    }
    for (flag, recorded) in [
        ("has_cadence", recording.cadence),
        ("has_altitude", recording.elevation),
        ("has_heart_rate", recording.heart_rate),
    ] {
        if listed[flag] != recorded {
            wrong.push(format!(
                "{what}: the run list says {flag} = {}",
                listed[flag]
            ));
        }
    }
    wrong
}

#[test]
fn every_real_run_has_a_line_for_each_series_it_records_and_no_other() {
    let tw = Tw::new();
    let runs = charted_runs::import(&tw, RECORDINGS);
    for format in ["fit", "gpx", "tcx"] {
        let producers = runs
            .iter()
            .filter(|(r, _)| r.file.starts_with(format))
            .count();
        assert!(producers >= 3, "{format}: {producers} files");
    }
    let server = Server::start(&tw, None);
    let wrong: Vec<String> = runs
        .iter()
        .flat_map(|(r, id)| disagreements(&tw, &server, r, *id))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_pause_breaks_the_pace_line_of_a_gpx_and_a_fit_run() {
    let by_name = |name: &str| *RECORDINGS.iter().find(|r| r.name() == name).unwrap();
    let tw = Tw::new();
    let runs = charted_runs::import(
        &tw,
        &[
            by_name("Friday-Evening-Run.gpx"),
            by_name("roznet__sample.fit"),
        ],
    );
    let server = Server::start(&tw, None);
    // Apple Watch: three <trkseg> (two pauses, 3:37 and 38:37 long) of 4,
    // 5 and 8 points: one line per segment, none across a pause.
    let friday = chart(&page(&server, runs[0].1), "pace", "Pace").unwrap();
    assert_eq!((friday.pieces, friday.points), (3, 14), "{friday:?}");
    // fenix 6X: three pauses of the timer inside the run.
    let fenix = chart(&page(&server, runs[1].1), "pace", "Pace").unwrap();
    assert!(fenix.pieces >= 4, "{fenix:?}");
}

/// `text` without any `<DistanceMeters>` inside a `<Trackpoint>` (the
/// laps keep theirs).
fn without_trackpoint_distances(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for piece in text.split_inclusive("</Trackpoint>") {
        let Some(at) = piece.find("<Trackpoint>") else {
            out.push_str(piece);
            continue;
        };
        let (before, mut point) = piece.split_at(at);
        out.push_str(before);
        while let Some(open) = point.find("<DistanceMeters>") {
            let close = point[open..].find("</DistanceMeters>").unwrap() + open;
            out.push_str(&point[..open]);
            point = &point[close + "</DistanceMeters>".len()..];
        }
        out.push_str(point);
    }
    out
}

#[test]
fn a_tcx_whose_points_have_positions_but_no_distance_is_charted_along_them() {
    // The Forerunner 410 run of `vkurup__test.tcx` (383 of its 384
    // trackpoints carry DistanceMeters, its 3 laps too), the trackpoints'
    // taken out: positions, altitude and HR are left.
    let original = charted_runs::OWN.to_owned() + "/tcx/vkurup__test.tcx";
    let text = std::fs::read_to_string(original).unwrap();
    let stripped = without_trackpoint_distances(&text);
    assert_eq!(text.matches("<DistanceMeters>").count(), 386);
    assert_eq!(stripped.matches("<DistanceMeters>").count(), 3, "the laps'");
    let tw = Tw::new();
    std::fs::write(tw.sync().join("no-distances.tcx"), stripped).unwrap();
    tw.import(&[tw.sync()]).assert_ok();
    let listed = tw.activities_json();
    assert_eq!(listed.len(), 1, "{listed:?}");
    let id = listed[0]["id"].as_i64().unwrap();
    let server = Server::start(&tw, None);
    let recording = Recording {
        file: "no-distances.tcx",
        producer: "Garmin Forerunner 410 without DistanceMeters",
        ..*RECORDINGS
            .iter()
            .find(|r| r.name() == "vkurup__test.tcx")
            .unwrap()
    };
    let wrong = disagreements(&tw, &server, &recording, id);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The x axis is the GPS track (4,688 m), not the laps' 4,689 m summary.
    let api = server.get(&format!("/api/activities/{id}"), None).json();
    let km = api["metrics"]["distance_m"].as_f64().unwrap() / 1000.0;
    assert!((4.6..4.8).contains(&km), "{km}");
    let html = page(&server, id);
    assert!(
        html.contains("Pace (min/km) along 4.7 km of the run"),
        "{html:.3000}"
    );
}
