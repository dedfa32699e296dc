//! A runner's own archive, the first hour (issue 21): what they read after
//! importing files nobody here wrote must be true.
//! - One instant, shown one way: a Garmin Connect GPX in UTC from a runner
//!   in Chengdu (UTC+8) and Slovenian GPX on both sides of both daylight-
//!   saving changes read in the runner's zone in every listing, page and
//!   export, and a new `time_zone` applies at once, without re-importing.
//! - History is history: two years of real runs imported today raise
//!   alerts about the past that are kept but not open; `status` says what
//!   the history holds; alerts are acknowledged in bulk.
//! - A recording too short to be a run is listed but never counted.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "util/dashboard.rs"]
mod dashboard;
mod util;

use chrono::{DateTime, Duration, Utc};
use dashboard::{Server, form_token, seed_season};
use std::path::{Path, PathBuf};
use util::{Run, Tw, gpx_run};

/// The real histories of `../shared/histories/` (gzip GPX, as published).
const HISTORIES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/histories");

fn config(tw: &Tw, zone: &str) -> PathBuf {
    tw.zone_config(zone)
}

fn run(tw: &Tw, config: &Path, args: &[&str]) -> Run {
    tw.run_with_config(config, args)
}

fn ok(tw: &Tw, config: &Path, args: &[&str]) -> String {
    run(tw, config, args).assert_ok().stdout.clone()
}

/// The one activity's id (the store holds one).
fn only_id(tw: &Tw, config: &Path) -> String {
    let list = run(tw, config, &["activities", "--all", "--json"]).json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    list[0]["id"].to_string()
}

/// A real GPX with every `<time>` moved by `by` (its points, paces and
/// climbs unchanged): a real recording on the day a test needs.
fn moved(text: &str, by: Duration) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("<time>") {
        let start = at + "<time>".len();
        let end = start + rest[start..].find("</time>").unwrap();
        out.push_str(&rest[..start]);
        let t = DateTime::parse_from_rfc3339(&rest[start..end]).unwrap();
        out.push_str(
            &(t.with_timezone(&Utc) + by)
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string(),
        );
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn a_utc_gpx_from_a_runner_in_utc_plus_8_reads_in_their_zone_everywhere() {
    let tw = Tw::new();
    let cfg = config(&tw, "Asia/Shanghai");
    // Garmin Connect, Chengdu: every time in UTC, the run at 00:08:43Z,
    // 08:08 on the runner's clock.
    let file = Path::new(HISTORIES).join("rp-asplitline/332436752.gpx.gz");
    run(&tw, &cfg, &["import", file.to_str().unwrap()]).assert_ok();
    let id = only_id(&tw, &cfg);

    let listed = ok(&tw, &cfg, &["activities"]);
    assert!(listed.contains("times in Asia/Shanghai"), "{listed}");
    assert!(listed.contains("2024-03-20 08:08"), "{listed}");
    let shown = ok(&tw, &cfg, &["show", &id]);
    assert!(
        shown.contains("2024-03-20 08:08 (Asia/Shanghai), morning"),
        "{shown}"
    );
    assert!(!shown.contains("zone unknown"), "{shown}");
    let json = run(&tw, &cfg, &["show", &id, "--json"]).json();
    assert_eq!(json["metrics"]["part_of_day"], "morning");

    {
        let server = Server::start(&tw, Some(&cfg));
        let runs = server.get("/activities", None);
        assert!(
            runs.body.contains("Wed 20 Mar 2024, 08:08"),
            "{}",
            runs.body
        );
        let page = server.get(&format!("/activity/{id}"), None);
        assert!(
            page.body.contains("Wed 20 Mar 2024, 08:08"),
            "{}",
            page.body
        );
        assert!(page.body.contains("(Asia/Shanghai)"), "{}", page.body);
        assert!(page.body.contains("morning"), "{}", page.body);
    }

    let export = tw.root().join("export");
    run(&tw, &cfg, &["export", export.to_str().unwrap()]).assert_ok();
    let runs_csv = std::fs::read_to_string(export.join("runs.csv")).unwrap();
    assert!(runs_csv.contains("2024-03-20T08:08:43+08:00"), "{runs_csv}");

    // The runner moves to Berlin and says so: what is shown follows at
    // once, the store untouched (01:08 CET, a night run).
    let cfg = config(&tw, "Europe/Berlin");
    let listed = ok(&tw, &cfg, &["activities"]);
    assert!(listed.contains("2024-03-20 01:08"), "{listed}");
    let shown = ok(&tw, &cfg, &["show", &id]);
    assert!(
        shown.contains("2024-03-20 01:08 (Europe/Berlin), night"),
        "{shown}"
    );
    let report = run(&tw, &cfg, &["report", "--json", "--weeks", "200"]).json();
    let parts = report["part_of_day"].to_string();
    assert!(!parts.contains("morning"), "{parts}");
}

#[test]
fn slovenian_runs_on_both_sides_of_both_clock_changes_read_at_the_same_local_hour() {
    let tw = Tw::new();
    let cfg = config(&tw, "Europe/Ljubljana");
    // (Slovenia and the Netherlands share one zone's rules: CET/CEST.)
    // A real GPX recorded in Slovenia, its track from 2010-10-03T09:36:30Z
    // (11:36 summer time), moved whole to the days around each change of
    // 2025: at 11:36 on the runner's clock each time, UTC+1 or UTC+2.
    let real = std::fs::read_to_string(util::real("gpx/korita-zbevnica.gpx")).unwrap();
    let first = DateTime::parse_from_rfc3339("2010-10-03T09:36:30Z")
        .unwrap()
        .with_timezone(&Utc);
    for (name, utc_start) in [
        ("before-spring", "2025-03-29T10:36:30Z"),
        ("after-spring", "2025-03-31T09:36:30Z"),
        ("before-autumn", "2025-10-25T09:36:30Z"),
        ("after-autumn", "2025-10-27T10:36:30Z"),
    ] {
        let to = DateTime::parse_from_rfc3339(utc_start)
            .unwrap()
            .with_timezone(&Utc);
        std::fs::write(
            tw.sync().join(format!("{name}.gpx")),
            moved(&real, to - first),
        )
        .unwrap();
    }
    // The file as recorded, and a real Dutch "Friday Evening Run" (Strava,
    // 2025-05-02T15:51:21Z: 17:51 in summer time).
    for (from, to) in [
        ("gpx/korita-zbevnica.gpx", "as-recorded.gpx"),
        ("gpx/Friday-Evening-Run.gpx", "friday.gpx"),
    ] {
        std::fs::copy(util::real(from), tw.sync().join(to)).unwrap();
    }
    run(&tw, &cfg, &["import", tw.sync().to_str().unwrap()]).assert_ok();

    let listed = ok(&tw, &cfg, &["activities", "--all"]);
    for local in [
        "2025-03-29 11:36",
        "2025-03-31 11:36",
        "2025-10-25 11:36",
        "2025-10-27 11:36",
        "2010-10-03 11:36",
        "2025-05-02 17:51",
    ] {
        assert!(listed.contains(local), "{local} missing:\n{listed}");
    }
    let server = Server::start(&tw, Some(&cfg));
    let page = server.get("/activities?all=1", None);
    for local in [
        "Sat 29 Mar 2025, 11:36",
        "Mon 31 Mar 2025, 11:36",
        "Sat 25 Oct 2025, 11:36",
        "Mon 27 Oct 2025, 11:36",
        "Sun 3 Oct 2010, 11:36",
        "Fri 2 May 2025, 17:51",
    ] {
        assert!(page.body.contains(local), "{local} missing:\n{}", page.body);
    }
}

#[test]
fn without_a_configured_zone_the_terminal_and_the_dashboard_read_the_machine_s_alike() {
    // (Which machine zone, or none — "UTC (zone unknown)" — is decided by
    // `Zone::from_system`, unit-tested with its inputs in src/zone.rs.)
    let tw = Tw::new();
    let file = Path::new(HISTORIES).join("rp-asplitline/332436752.gpx.gz");
    tw.import(&[file]).assert_ok();
    let listed = tw.run(&["activities"]).assert_ok().stdout.clone();
    let zone = listed
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("times in "))
        .unwrap_or_else(|| panic!("no zone line: {listed}"))
        .to_string();
    let shown = tw.run(&["show", "1"]).assert_ok().stdout.clone();
    assert!(shown.contains(&format!("({zone})")), "{shown}");
    let server = Server::start(&tw, None);
    let page = server.get("/activity/1", None);
    assert!(
        page.body.contains(&format!("({zone})")),
        "{zone}: {}",
        page.body
    );
}

/// Every file of one real history, into `tw`'s store.
fn import_history(tw: &Tw, cfg: &Path, name: &str) -> Run {
    let dir = Path::new(HISTORIES).join(name);
    let run = run(tw, cfg, &["import", dir.to_str().unwrap()]);
    run.assert_ok();
    run
}

#[test]
fn two_years_imported_today_are_history_not_open_and_status_says_what_they_hold() {
    let tw = Tw::new();
    let cfg = config(&tw, "Asia/Shanghai");
    let import = import_history(&tw, &cfg, "rp-asplitline");
    // The import names the history alerts by kind and does not print them.
    assert!(
        import
            .stdout
            .contains("about older runs, kept as history, not pushed"),
        "{}",
        import.stdout
    );
    assert!(!import.stdout.contains("    → "), "{}", import.stdout);

    assert_eq!(ok(&tw, &cfg, &["alerts"]).trim(), "no open alerts");
    let history = run(&tw, &cfg, &["alerts", "--state", "history", "--json"]).json();
    let history = history.as_array().unwrap();
    assert!(history.len() >= 5, "{history:?}");
    assert!(history.iter().all(|a| a["delivery"] == "too_old"));
    let all = run(&tw, &cfg, &["alerts", "--all", "--json"]).json();
    assert_eq!(all.as_array().unwrap().len(), history.len());

    let status = ok(&tw, &cfg, &["status"]);
    let runs = run(&tw, &cfg, &["activities", "--json"]).json();
    let counted = runs
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["too_short"] == false)
        .count();
    assert!(
        status.contains(&format!(
            "your history: {counted} runs since March 2024; last run "
        )),
        "{status}"
    );
    assert!(status.contains("months ago"), "{status}");
    assert!(!status.contains("so far"), "{status}");
    assert!(!status.contains("0 runs over"), "{status}");
    assert!(status.contains("no open alerts"), "{status}");
    assert!(
        status.contains(&format!(
            "{} older alerts about your history",
            history.len()
        )),
        "{status}"
    );
    assert!(status.contains("start short and easy"), "{status}");
    let json = run(&tw, &cfg, &["status", "--json"]).json();
    assert_eq!(json["history"]["runs"], counted);
    assert_eq!(json["open_alerts"].as_array().unwrap().len(), 0);

    // The dashboard agrees: nothing open, the history one click away.
    let server = Server::start(&tw, Some(&cfg));
    let page = server.get("/", None);
    assert!(page.body.contains("No open alerts."), "{}", page.body);
    assert!(
        page.body
            .contains(&format!("{} older alerts kept as history", history.len())),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains(&format!("{counted} runs since March 2024")),
        "{}",
        page.body
    );
    let alerts = server.get("/alerts", None);
    assert!(
        alerts
            .body
            .contains(&format!("{} older alerts kept as history", history.len())),
        "{}",
        alerts.body
    );
    let kept = server.get("/alerts?state=history", None);
    assert_eq!(
        kept.body.matches("data-alert-id=").count(),
        history.len(),
        "{}",
        kept.body
    );
}

/// Open alert ids, newest first.
fn open_ids(tw: &Tw) -> Vec<i64> {
    let list = tw.run(&["alerts", "--json"]).json();
    list.as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect()
}

#[test]
fn alerts_are_acknowledged_in_bulk_all_or_none_in_the_terminal_and_on_the_dashboard() {
    let tw = Tw::new();
    seed_season(&tw);
    // Three open alerts at least: the season's spike, and two stacked.
    let now = Utc::now();
    for (i, km) in [(1, 16.0), (2, 19.0)] {
        let start = now - Duration::hours(30 - i * 6);
        std::fs::write(
            tw.sync().join(format!("long-{i}.gpx")),
            gpx_run("long", None, start, km),
        )
        .unwrap();
    }
    tw.import(&[tw.sync()]).assert_ok();
    let open = open_ids(&tw);
    assert!(open.len() >= 3, "{open:?}");

    // An id that is not open refuses the whole set: nothing acknowledged.
    let refused = tw.run(&["alerts", "--ack", &open[0].to_string(), "999999"]);
    assert!(!refused.status.success());
    assert!(refused.stderr.contains("#999999"), "{}", refused.stderr);
    assert_eq!(open_ids(&tw), open);
    let typo = tw.run(&["alerts", "--ack", "3x"]);
    assert_eq!(typo.status.code(), Some(2), "{}", typo.stderr);

    // Two at once.
    let (a, b) = (open[0].to_string(), format!("#{}", open[1]));
    let done = tw.run(&["alerts", "--ack", &a, &b]);
    assert!(
        done.assert_ok().stdout.contains("acknowledged #"),
        "{}",
        done.stdout
    );
    assert_eq!(open_ids(&tw), open[2..].to_vec());

    // On the dashboard: the ticked one, then all the rest.
    let server = Server::start(&tw, None);
    let visitor = server.visit();
    let page = server.get("/alerts", Some(&visitor.cookie));
    assert!(page.body.contains("Acknowledge all open"), "{}", page.body);
    let token = form_token(&page.body).unwrap();
    let r = server.post_form(
        "/alerts/ack",
        Some(&visitor.cookie),
        &format!("csrf={token}&selected=1&id={}", open[2]),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(open_ids(&tw), open[3..].to_vec());
    let bad = server.post_form(
        "/alerts/ack",
        Some(&visitor.cookie),
        &format!("csrf={token}&selected=1&id=999999"),
    );
    assert_eq!(bad.status, 404, "{}", bad.body);
    let r = server.post_form(
        "/alerts/ack",
        Some(&visitor.cookie),
        &format!("csrf={token}&all=1"),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(open_ids(&tw).is_empty());
    drop(server);
    assert_eq!(
        tw.run(&["alerts", "--ack", "all"])
            .assert_ok()
            .stdout
            .trim(),
        "0 open alerts acknowledged"
    );
}

#[test]
fn a_recording_of_a_few_metres_is_listed_but_never_counted() {
    let tw = Tw::new();
    seed_season(&tw);
    let before = tw.run(&["status", "--json"]).json();
    // A cut-off recording of 30 m, a one-point GPX and a 0.11 km one
    // that climbs 80 m, all this morning.
    let now = Utc::now() - Duration::hours(2);
    std::fs::write(tw.sync().join("cut.gpx"), gpx_run("cut", None, now, 0.03)).unwrap();
    let steep = gpx_run("steep", None, now + Duration::minutes(20), 0.11);
    let mut ele = 300;
    let steep = steep
        .lines()
        .map(|l| {
            ele += 3;
            l.replace("<ele>300</ele>", &format!("<ele>{ele}</ele>"))
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(tw.sync().join("steep.gpx"), steep).unwrap();
    let one = gpx_run("one", None, now + Duration::minutes(40), 0.0);
    std::fs::write(tw.sync().join("one.gpx"), one).unwrap();
    let import = tw.import(&[tw.sync()]);
    import.assert_ok();

    let listed = tw.run(&["activities"]).assert_ok().stdout.clone();
    assert_eq!(
        listed.matches("(too short to count as a run)").count(),
        3,
        "{listed}"
    );
    let after = tw.run(&["status", "--json"]).json();
    for key in ["safe_ceiling_m", "acwr"] {
        assert_eq!(after[key], before[key], "{key}");
    }
    for key in ["last_7d_runs", "last_7d_m", "longest_30d_m", "learning"] {
        assert_eq!(after["baseline"][key], before["baseline"][key], "{key}");
    }
    // No alert about any of them.
    let ids: Vec<i64> = tw
        .run(&["activities", "--json"])
        .json()
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["too_short"] == true)
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 3);
    let alerts = tw.run(&["alerts", "--all", "--json"]).json();
    for a in alerts.as_array().unwrap() {
        assert!(
            !ids.contains(&a["activity_id"].as_i64().unwrap_or(-1)),
            "{a}"
        );
    }
    let shown = tw
        .run(&["show", &ids[0].to_string()])
        .assert_ok()
        .stdout
        .clone();
    assert!(shown.contains("too short to be a run"), "{shown}");
}
