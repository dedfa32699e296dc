//! Words a runner can use (issue 21, point 7): what a runner reads cites an
//! article by its title or a study (RULES.md, the table at the top), never
//! a file number of ours — which means nothing to a runner — and an alert of
//! several parts reads as lines, not as one run-on paragraph.
//!
//! Checked where a runner reads them: the alerts raised on the simulated
//! season (`tendonwatch demo`) and on a real runner's history, every line of
//! `tendonwatch rules`, and the dashboard's pages served over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "util/dashboard.rs"]
mod dashboard;
mod util;

use dashboard::Server;
use serde_json::Value;
use std::path::Path;
use tendonwatch::rules::articles;
use tendonwatch::sim::fit_writer::encode;
use tendonwatch::sim::training::{self, Event, Runner, Week};
use util::Tw;

/// How our notes name the articles: never for a runner's eyes.
const FILE_NUMBERS: [&str; 2] = ["seed 0", "seeds 0"];

/// A real runner's history (230 GPX files, UTC+8): see its SOURCES.md.
const HISTORY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/histories/rp-asplitline"
);

/// The lines of `text` that name a file number (any case).
fn file_numbers(text: &str) -> Vec<String> {
    text.lines()
        .filter(|line| {
            let lower = line.to_lowercase();
            FILE_NUMBERS.iter().any(|n| lower.contains(n))
        })
        .map(str::to_string)
        .collect()
}

/// Every runner-facing text of every alert in `alerts` (JSON): none names
/// a file number. Returns how many sources cite an article by its title.
#[track_caller]
fn assert_words_of_alerts(alerts: &[Value], whose: &str) -> usize {
    assert!(!alerts.is_empty(), "{whose}: no alerts to read");
    let mut cited = 0;
    for a in alerts {
        for field in ["what_changed", "what_to_do", "source"] {
            let text = a[field].as_str().unwrap();
            let found = file_numbers(text);
            assert!(
                found.is_empty(),
                "{whose}: alert {} {} {field} names a file number: {found:?}",
                a["id"],
                a["kind"]
            );
        }
        let source = a["source"].as_str().unwrap();
        if [
            articles::RECOVERY_AND_WORKOUTS,
            articles::ACHILLES_TENDONITIS,
            articles::MANAGE_INJURIES,
            articles::SOLVE_TENDON_PAIN,
        ]
        .iter()
        .any(|title| source.contains(title))
        {
            cited += 1;
        }
    }
    cited
}

/// `tendonwatch --db DB alerts --all --json`.
fn alerts_json(tw: &Tw, db: &Path) -> Vec<Value> {
    let mut cmd = tw.command_with_db(db);
    cmd.args(["alerts", "--all", "--json"]);
    serde_json::from_value(Tw::run_command(cmd).assert_ok().json()).unwrap()
}

#[test]
fn the_demo_season_s_alerts_and_pages_cite_articles_by_title_not_file_numbers() {
    let tw = Tw::new();
    let db = tw.demo_store();
    let alerts = alerts_json(&tw, &db);
    let cited = assert_words_of_alerts(&alerts, "demo season");
    assert!(
        cited >= 5,
        "the hills, speed, surface, stacking and pain alerts cite an article: {cited} of {}",
        alerts.len()
    );

    // Every page of the dashboard on that store, each run with an alert
    // included: the alert cards show the same words.
    let mut cmd = tw.command_with_db(&db);
    cmd.args(["serve", "--bind", "127.0.0.1:0"]);
    let server = Server::spawn(cmd);
    let mut pages: Vec<String> = [
        "/",
        "/alerts?state=all",
        "/activities?all=1",
        "/load",
        "/pain",
        "/visa-a",
        "/report",
    ]
    .map(String::from)
    .to_vec();
    pages.extend(
        alerts
            .iter()
            .filter_map(|a| a["activity_id"].as_i64())
            .map(|id| format!("/activity/{id}")),
    );
    for page in &pages {
        let resp = server.get(page, None);
        assert_eq!(resp.status, 200, "{page}: {}", resp.body);
        let found = file_numbers(&resp.body);
        assert!(found.is_empty(), "{page} names a file number: {found:?}");
    }
    let listed = server.get("/alerts?state=all", None).body;
    assert!(
        listed.contains("Achilles Tendonitis – Recovery and Workouts"),
        "the alerts page cites the article by its title"
    );
}

#[test]
fn a_real_history_s_alerts_cite_articles_by_title_not_file_numbers() {
    assert!(
        Path::new(HISTORY).is_dir(),
        "the real history is missing: {HISTORY}"
    );
    let tw = Tw::new();
    let mut cmd = tw.command();
    cmd.env("TZ", "Asia/Shanghai").arg("import").arg(HISTORY);
    Tw::run_command(cmd).assert_ok();
    let alerts = alerts_json(&tw, &tw.db());
    let cited = assert_words_of_alerts(&alerts, "rp-asplitline");
    eprintln!(
        "rp-asplitline: {} alerts, {cited} cite an article by its title",
        alerts.len()
    );
    // As the terminal lists them.
    let listed = tw.run(&["alerts", "--all"]).assert_ok().stdout.clone();
    let found = file_numbers(&listed);
    assert!(
        found.is_empty(),
        "`alerts --all` names file numbers: {found:?}"
    );
}

#[test]
fn no_line_of_tendonwatch_rules_names_a_file_number() {
    let tw = Tw::new();
    for args in [&["rules"][..], &["rules", "--json"]] {
        let out = tw.run(args).assert_ok().stdout.clone();
        let found = file_numbers(&out);
        assert!(found.is_empty(), "{args:?}: {found:?}");
        assert!(
            out.contains(articles::RECOVERY_AND_WORKOUTS),
            "{args:?} cites the article by its title:\n{out}"
        );
    }
}

/// Eight steady weeks (7.2 + 7.2 + 9.6 km), then 8.2 + 8.2 + 10.5 km at
/// 5:30/km instead of 6:00: the last run takes the seven days past +10 %
/// (26.9 km against 24) while the week runs 8 % faster, so `week_jump` and
/// `pace_and_distance` are judged at the same run — one alert of two parts.
fn a_longer_and_faster_week() -> Vec<tendonwatch::activity::Activity> {
    let r = Runner::default();
    let mut weeks: Vec<Week> = (0..8).map(|_| training::steady_week(&r)).collect();
    weeks.push(Week {
        runs: [8.2, 8.2, 10.5]
            .map(|km| Event::Faster {
                km,
                pace_s_per_km: 330.0,
            })
            .to_vec(),
    });
    training::simulate(&r, &weeks)
}

#[test]
fn a_weekly_alert_of_several_parts_prints_each_part_on_its_own_line() {
    let tw = Tw::new();
    for (i, a) in a_longer_and_faster_week().iter().enumerate() {
        std::fs::write(tw.sync().join(format!("{i:03}.fit")), encode(a)).unwrap();
    }
    tw.import(&[tw.sync()]).assert_ok();
    let alerts = alerts_json(&tw, &tw.db());
    let several = alerts
        .iter()
        .find(|a| a["what_changed"].as_str().unwrap().contains("\nAlso: "))
        .unwrap_or_else(|| panic!("no weekly alert with another ratio: {alerts:#?}"));
    let parts: Vec<&str> = several["what_changed"].as_str().unwrap().lines().collect();
    assert!(parts.len() >= 2, "{parts:?}");

    // The terminal: each part a line of its own, under the alert's heading.
    let listed = tw.run(&["alerts", "--all"]).assert_ok().stdout.clone();
    let lines: Vec<&str> = listed.lines().collect();
    let first = lines
        .iter()
        .position(|l| *l == format!("    {}", parts[0]))
        .unwrap_or_else(|| panic!("no line {:?} in:\n{listed}", parts[0]));
    for (k, part) in parts.iter().enumerate() {
        assert_eq!(
            lines.get(first + k).copied(),
            Some(format!("    {part}").as_str()),
            "part {k} on its own line:\n{listed}"
        );
    }
    // No line carries two parts.
    assert!(
        lines.iter().all(|l| l.matches("Also: ").count() <= 1
            && (!l.contains("Also: ") || l.trim_start().starts_with("Also: "))),
        "{listed}"
    );

    // The dashboard: the parts separated by line breaks.
    let server = Server::start(&tw, None);
    let page = server.get("/alerts?state=all", None).body;
    let also = parts[1]
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    assert!(
        page.contains(&format!("<br>{also}")),
        "the second part starts a line on the alerts page:\n{page}"
    );
}
