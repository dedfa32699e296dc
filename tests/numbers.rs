//! Numbers say what they are (issue 22, point 3), through the real binary
//! on a small real store: a pain score is echoed, listed, charted and
//! exported as it is stored (half points kept, finer fractions refused);
//! no "-0.0" in any JSON or text; distances in km; "1 file", "2 files";
//! an import counts its own copies as duplicates; a stored activity name
//! is shown.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "util/dashboard.rs"]
mod dashboard;
mod util;

use dashboard::Server;
use util::Tw;

/// Every line of `text` holding a negative zero ("-0", "-0.0", "-0.00").
fn negative_zeros(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|line| {
            line.match_indices("-0").any(|(i, _)| {
                let rest = &line[i + 2..];
                let digits: String = rest
                    .chars()
                    .take_while(|c| *c == '.' || *c == '0')
                    .collect();
                let after = rest[digits.len()..].chars().next();
                // "-0" then only zeros, then no other digit: a zero.
                !after.is_some_and(|c| c.is_ascii_digit())
                    // not a date or a range ("2026-01-05", "10-05")
                    && !line[..i].ends_with(|c: char| c.is_ascii_digit())
            })
        })
        .collect()
}

#[test]
fn negative_zeros_are_found() {
    assert_eq!(
        negative_zeros("\"last_7d_m\": -0.0,"),
        ["\"last_7d_m\": -0.0,"]
    );
    assert_eq!(negative_zeros("-0 km").len(), 1);
    assert!(negative_zeros("2026-01-05 -0.5 -05:00 -0.01").is_empty());
}

/// A real store: three runs of three devices and a ride, imported.
fn real_store() -> Tw {
    let tw = Tw::new();
    for f in [
        "fit/activity-small-fenix2-run.fit",
        "gpx/Friday-Evening-Run.gpx",
        "gpx/run_gpxtpx.gpx",
    ] {
        tw.copy_real(f);
    }
    tw.import(&[tw.sync()]).assert_ok();
    tw
}

#[test]
fn a_half_point_is_echoed_listed_charted_and_exported_as_stored() {
    let tw = real_store();
    let logged = tw.run(&["pain", "3.5", "--kind", "morning"]);
    logged.assert_ok();
    assert!(
        logged
            .stdout
            .starts_with("logged morning pain 3.5/10 as entry 1"),
        "{}",
        logged.stdout
    );
    let stored: f64 = tw
        .conn()
        .query_row("SELECT score FROM pain", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, 3.5);
    let list = tw.run(&["pain", "list"]);
    assert!(
        list.assert_ok().stdout.contains(" 3.5/10"),
        "{}",
        list.stdout
    );
    let json = tw.run(&["pain", "list", "--json"]).json();
    assert_eq!(json[0]["score"], 3.5);
    let export = tw.run(&["pain", "export"]);
    assert!(
        export.assert_ok().stdout.contains(",morning,3.5,"),
        "{}",
        export.stdout
    );
    // The dashboard: the pain table and the chart's point.
    let server = Server::start(&tw, None);
    let page = server.get("/pain", None);
    let cell = page
        .body
        .split("<td class=\"score\"")
        .nth(1)
        .and_then(|rest| rest.split("</td>").next())
        .unwrap_or_default();
    assert!(cell.ends_with(">3.5"), "the pain table shows 3.5: {cell}");
    assert!(
        page.body.contains("data-value=\"3.5\"") && page.body.contains("latest 3.5"),
        "the chart shows 3.5"
    );

    // A finer fraction is refused in one line, nothing stored.
    let before = tw.count("pain");
    for (score, says) in [
        ("3.3", "whole or half points"),
        ("2.25", "whole or half points"),
    ] {
        let run = tw.run(&["pain", score]);
        assert_eq!(run.status.code(), Some(2), "{score}: {}", run.stderr);
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        assert!(run.stderr.contains(says), "{}", run.stderr);
    }
    assert_eq!(tw.count("pain"), before);
}

#[test]
fn no_negative_zero_in_json_or_text_of_a_store_without_recent_runs() {
    // The real runs are years old: every "last 7 days" and "28 days" sum
    // is a sum of nothing, which Rust makes -0.0.
    let tw = real_store();
    let mut said = String::new();
    for args in [
        &["status", "--json"][..],
        &["status"],
        &["activities", "--all", "--json"],
        &["activities", "--all"],
        &["show", "1"],
        &["show", "1", "--json"],
        &["alerts", "--all", "--json"],
        &["report", "--json"],
        &["report"],
        &["export", "out"],
    ] {
        let run = tw.run(args);
        run.assert_ok();
        said.push_str(&run.stdout);
    }
    for file in ["runs.csv", "pain.csv", "alerts.csv"] {
        said.push_str(&std::fs::read_to_string(tw.root().join("out").join(file)).unwrap());
    }
    let server = Server::start(&tw, None);
    for path in ["/api/status", "/api/load", "/api/activities", "/api/report"] {
        said.push_str(&server.get(path, None).body);
    }
    assert!(said.contains("\"last_7d_m\""), "status --json was read");
    let found = negative_zeros(&said);
    assert!(found.is_empty(), "negative zeros: {found:#?}");
}

#[test]
fn status_speaks_of_km_and_counts_in_words() {
    let tw = real_store();
    tw.run(&["pain", "4", "--kind", "after"]).assert_ok();
    let status = tw.run(&["status"]);
    let text = &status.assert_ok().stdout;
    assert!(text.contains("last 7 days: 0 km in 0 runs"), "{text}");
    assert!(text.contains("1 open alert:"), "{text}");
    assert!(!text.contains(" 0 m "), "{text}");
    assert!(!text.contains("1 open alerts"), "{text}");
}

#[test]
fn copies_inside_one_import_are_duplicates_not_already_known() {
    let tw = Tw::new();
    let original = tw.copy_real("fit/activity-small-fenix2-run.fit");
    std::fs::copy(&original, tw.sync().join("copy-of-the-run.fit")).unwrap();
    tw.copy_real("gpx/run_gpxtpx.gpx");
    let first = tw.import(&[tw.sync()]);
    first.assert_ok();
    assert!(
        first.stdout.starts_with(
            "3 files: 2 imported, 1 duplicate of another file in this import, 0 already known,"
        ),
        "{}",
        first.stdout
    );
    let log = first
        .stderr
        .lines()
        .filter(|l| l.contains("a duplicate of"))
        .count();
    assert_eq!(log, 1, "{}", first.stderr);
    let json = tw.import_json(&[tw.sync()]);
    assert_eq!(json["already_known"], 3, "unchanged now: {json}");
    assert!(json.get("duplicates").is_none(), "{json}");

    // A copy of a file stored by an earlier import is already known.
    std::fs::copy(&original, tw.sync().join("another-copy.fit")).unwrap();
    let again = tw.import_json(&[tw.sync().join("another-copy.fit")]);
    assert_eq!(again["already_known"], 1, "{again}");

    // One file: "1 file".
    let one = tw.import(&[tw.sync().join("another-copy.fit")]);
    assert!(
        one.assert_ok().stdout.starts_with("1 file: "),
        "{}",
        one.stdout
    );
}

#[test]
fn the_activity_name_the_file_gave_is_shown() {
    let tw = real_store();
    let rows = tw.activities_json();
    let named = rows
        .iter()
        .find(|a| a["name"] == "Friday Evening Run")
        .expect("the GPX's <name> is stored");
    let id = named["id"].to_string();
    let list = tw.run(&["activities", "--all"]);
    assert!(
        list.assert_ok()
            .stdout
            .contains("\"Friday Evening Run\" · "),
        "{}",
        list.stdout
    );
    let show = tw.run(&["show", &id]);
    assert!(
        show.assert_ok()
            .stdout
            .contains("\n  name      Friday Evening Run\n"),
        "{}",
        show.stdout
    );
}
