//! Every listing holds the same items whatever the output: the CLI's text,
//! the CLI's `--json` and the dashboard's page and JSON API, under each of
//! their filters (issue 15, point 1). One store, a mixed archive: a
//! simulated season of runs with one alert, real rides, walks, a car and a
//! walk at a pace that raises the sport question.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "util/dashboard.rs"]
mod dashboard;
mod util;

use dashboard::Server;
use serde_json::Value;
use std::collections::BTreeSet;
use util::Tw;

const DAY_MS: i64 = 86_400_000;

/// Real files beside the season, from `../shared/fixtures/real/`: a ride,
/// a short walk and two runs.
const SHARED: [&str; 4] = [
    "fit/coros-pace-2-cycling-misaligned-fields.fit",
    "fit/garmin-fenix-5-walk.fit",
    "fit/activity-small-fenix2-run.fit",
    "gpx/run_gpxtpx.gpx",
];

/// From the project's `fixtures/real/`: a car and a day on foot, neither
/// saying its sport (the day on foot raises the sport question).
const OWN: [&str; 2] = [
    "gpx/tkrajina__around-visnjan-with-car.gpx",
    "gpx/georust__garmin_with_extensions.gpx",
];

fn mixed_store() -> Tw {
    let tw = Tw::new();
    dashboard::seed_season(&tw);
    let extra = tw.root().join("extra");
    std::fs::create_dir_all(&extra).unwrap();
    let own = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/real");
    let files = SHARED
        .iter()
        .map(|rel| util::real(rel))
        .chain(OWN.iter().map(|rel| own.join(rel)));
    for from in files {
        std::fs::copy(&from, extra.join(from.file_name().unwrap())).unwrap();
    }
    tw.import(&[extra]).assert_ok();
    tw
}

/// The numbers in the first column of every line that starts with one
/// (after an optional `#`): the ids a text listing shows.
fn text_ids(text: &str) -> BTreeSet<i64> {
    text.lines()
        .filter_map(|l| {
            l.trim_start()
                .trim_start_matches('#')
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
        .collect()
}

fn json_ids(v: &Value) -> BTreeSet<i64> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect()
}

fn cli_text(tw: &Tw, args: &[&str]) -> String {
    let run = tw.run(args);
    run.assert_ok();
    run.stdout.clone()
}

fn cli_json(tw: &Tw, args: &[&str]) -> Value {
    let mut args = args.to_vec();
    args.push("--json");
    tw.run(&args).json()
}

#[test]
fn activities_list_the_same_runs_in_text_json_page_and_api_under_every_filter() {
    let tw = mixed_store();
    let all = cli_json(&tw, &["activities", "--all"]);
    let sports: BTreeSet<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["sport"].as_str().unwrap())
        .collect();
    assert_eq!(
        sports,
        BTreeSet::from(["cycling", "other", "running", "walking"]),
        "the archive is mixed"
    );
    let server = Server::start(&tw, None);
    for (cli, query) in [
        (&["activities"][..], ""),
        (&["activities", "--all"][..], "?all=1"),
        (&["activities", "--unconfirmed"][..], "?unconfirmed=1"),
    ] {
        let text = text_ids(&cli_text(&tw, cli));
        let json = cli_json(&tw, cli);
        assert_eq!(text, json_ids(&json), "{cli:?}: text and JSON differ");
        let api = server.get(&format!("/api/activities{query}"), None);
        assert_eq!(api.status, 200, "{}", api.body);
        let api = api.json();
        assert_eq!(
            json_ids(&api["activities"]),
            text,
            "{cli:?}: the API lists other activities"
        );
        assert_eq!(api["total"].as_u64().unwrap() as usize, text.len());
        let page = server.get(&format!("/activities{query}"), None);
        assert_eq!(page.status, 200);
        let linked: BTreeSet<i64> = page
            .body
            .split("href=\"/activity/")
            .skip(1)
            .filter_map(|rest| rest.split('"').next()?.parse().ok())
            .collect();
        assert_eq!(linked, text, "{cli:?}: the page lists other activities");
        let sports: BTreeSet<String> = json
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                format!(
                    "{}/{}",
                    a["sport"].as_str().unwrap(),
                    a["sport_status"].as_str().unwrap()
                )
            })
            .collect();
        match query {
            "" => assert!(
                sports
                    .iter()
                    .all(|s| s.starts_with("running/") || s.ends_with("/unconfirmed")),
                "runs by default: {sports:?}"
            ),
            "?unconfirmed=1" => {
                assert_eq!(sports, BTreeSet::from(["walking/unconfirmed".to_string()]))
            }
            _ => assert_eq!(text, json_ids(&all)),
        }
    }
    // The default holds the runs and the question, not the ride or the car.
    let runs = json_ids(&cli_json(&tw, &["activities"]));
    assert!(runs.len() < json_ids(&all).len());
    assert_eq!(server.get("/api/activities?all=maybe", None).status, 400);
    let bad = tw.run(&["activities", "--all", "--unconfirmed"]);
    assert_eq!(bad.status.code(), Some(2), "{}", bad.stderr);
}

#[test]
fn alerts_list_the_same_alerts_in_text_json_page_and_api_under_every_filter() {
    let tw = mixed_store();
    let open = cli_json(&tw, &["alerts"]);
    let first = open.as_array().unwrap()[0]["id"].as_i64().unwrap();
    let kind = open.as_array().unwrap()[0]["kind"]
        .as_str()
        .unwrap()
        .to_string();
    tw.run(&["alerts", "--ack", &first.to_string()]).assert_ok();
    let server = Server::start(&tw, None);
    for (cli, query) in [
        (vec!["alerts"], String::new()),
        (vec!["alerts", "--all"], "?state=all".to_string()),
        (vec!["alerts", "--state", "all"], "?state=all".to_string()),
        (
            vec!["alerts", "--state", "acknowledged"],
            "?state=acknowledged".to_string(),
        ),
        (
            vec!["alerts", "--state", "all", "--kind", &kind],
            format!("?state=all&kind={kind}"),
        ),
        (
            vec!["alerts", "--state", "all", "--severity", "info"],
            "?state=all&severity=info".to_string(),
        ),
    ] {
        let text = text_ids(&cli_text(&tw, &cli));
        assert_eq!(
            text,
            json_ids(&cli_json(&tw, &cli)),
            "{cli:?}: text and JSON differ"
        );
        let api = server.get(&format!("/api/alerts{query}"), None);
        assert_eq!(api.status, 200, "{}", api.body);
        assert_eq!(json_ids(&api.json()), text, "{cli:?}: the API differs");
        let page = server.get(&format!("/alerts{query}"), None);
        assert_eq!(page.status, 200);
        let n = text.len();
        let count = format!("<p>{n} {}</p>", if n == 1 { "alert" } else { "alerts" });
        assert!(page.body.contains(&count), "{cli:?}: page lacks {count}");
    }
    let acked = json_ids(&cli_json(&tw, &["alerts", "--state", "acknowledged"]));
    assert_eq!(acked, BTreeSet::from([first]));
    assert!(!json_ids(&cli_json(&tw, &["alerts"])).contains(&first));
    for bad in [
        &["alerts", "--state", "closed"][..],
        &["alerts", "--kind", "spike"][..],
        &["alerts", "--severity", "loud"][..],
        &["alerts", "--all", "--state", "open"][..],
    ] {
        let run = tw.run(bad);
        assert_eq!(run.status.code(), Some(2), "{bad:?}: {}", run.stderr);
        assert!(run.stdout.is_empty());
    }
    let bad = tw.run(&["alerts", "--kind", "spike"]);
    assert!(
        bad.stderr.contains("run_spike"),
        "names the rules: {}",
        bad.stderr
    );
    assert_eq!(server.get("/api/alerts?state=closed", None).status, 400);
}

#[test]
fn the_pain_log_lists_the_same_days_in_text_json_page_and_api() {
    let tw = mixed_store();
    let now = chrono::Utc::now().timestamp_millis();
    let mut ids = Vec::new();
    for days_ago in [2, 20, 45, 75] {
        let at = chrono::DateTime::from_timestamp_millis(now - days_ago * DAY_MS)
            .unwrap()
            .format("%Y-%m-%d")
            .to_string();
        let run = tw.run(&["pain", "2", "--kind", "morning", "--at", &at]);
        run.assert_ok();
        let id = run.stdout.split("as entry ").nth(1).unwrap();
        ids.push(id.split_whitespace().next().unwrap().parse().unwrap());
    }
    let server = Server::start(&tw, None);
    for (cli, query, want) in [
        (vec!["pain", "list"], "", &ids[..3]),
        (vec!["pain", "list", "--days", "90"], "?days=90", &ids[..]),
        (vec!["pain", "list", "--days", "10"], "?days=10", &ids[..1]),
    ] {
        let want: BTreeSet<i64> = want.iter().copied().collect();
        let text = text_ids(&cli_text(&tw, &cli));
        let json: BTreeSet<i64> = cli_json(&tw, &cli)
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["id"].as_i64())
            .collect();
        assert_eq!(text, want, "{cli:?}: text");
        assert_eq!(json, want, "{cli:?}: JSON");
        let api = server.get(&format!("/api/pain{query}"), None);
        assert_eq!(api.status, 200, "{}", api.body);
        assert_eq!(json_ids(&api.json()["entries"]), want, "{cli:?}: API");
    }
    // The page shows the default window: the entry 45 days ago, not the one
    // 75 days ago.
    let page = server.get("/pain", None);
    assert_eq!(page.status, 200);
    let rows: BTreeSet<i64> = page
        .body
        .split("data-pain-id=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next()?.parse().ok())
        .collect();
    assert_eq!(rows, ids[..3].iter().copied().collect());
    for bad in ["0", "-3", "99999", "soon"] {
        let run = tw.run(&["pain", "list", "--days", bad]);
        assert_eq!(run.status.code(), Some(2), "--days {bad}");
        assert_eq!(
            server.get(&format!("/api/pain?days={bad}"), None).status,
            400
        );
    }
}

#[test]
fn gear_lists_the_same_shoes_in_text_and_json() {
    let tw = Tw::new();
    let empty = cli_text(&tw, &["gear", "list"]);
    assert!(empty.contains("no shoes yet"), "{empty}");
    assert_eq!(cli_json(&tw, &["gear", "list"]), Value::Array(vec![]));
    tw.run(&[
        "gear",
        "add",
        "Trainers",
        "--drop",
        "10",
        "--from",
        "2026-01-05",
    ])
    .assert_ok();
    tw.run(&["gear", "add", "Flats", "--drop", "4"]).assert_ok();
    tw.run(&[
        "gear",
        "add",
        "Racers",
        "--drop",
        "6",
        "--from",
        "2026-03-01",
    ])
    .assert_ok();
    let text = cli_text(&tw, &["gear", "list"]);
    let json = cli_json(&tw, &["gear", "list"]);
    let names: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Trainers", "Flats", "Racers"]);
    let text_names: Vec<&str> = text
        .lines()
        .map(|l| l.split(" — ").next().unwrap())
        .collect();
    assert_eq!(text_names, names);
    let current: Vec<bool> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["current"].as_bool().unwrap())
        .collect();
    assert_eq!(
        current,
        [false, false, true],
        "the latest switch is worn now"
    );
    assert!(
        text.lines().nth(2).unwrap().ends_with("(wearing now)"),
        "{text}"
    );
}
