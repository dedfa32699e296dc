//! The runner's own clock and history (issue 12, points 1–3), through the
//! real binary: every typed time takes RFC 3339 and the local forms; local
//! times are read in the runner's IANA zone at the offset of that instant
//! (both daylight-saving changes of Europe/Berlin and Australia/Sydney);
//! pain entries about any date are judged against the runs and mornings
//! around them, with the same verdicts whatever order runs and entries
//! arrived in.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;
use util::{Run, Tw, gpx_run};

fn config(tw: &Tw, zone: &str) -> PathBuf {
    tw.zone_config(zone)
}

fn run(tw: &Tw, config: &std::path::Path, args: &[&str]) -> Run {
    tw.run_with_config(config, args)
}

fn utc(text: &str) -> i64 {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .timestamp_millis()
}

fn pain_at(tw: &Tw, config: &std::path::Path) -> Vec<(i64, String)> {
    let list = run(tw, config, &["pain", "list", "--json", "--days", "36500"]).json();
    let mut out: Vec<(i64, String)> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["source"] == "runner")
        .map(|r| {
            (
                r["at_ms"].as_i64().unwrap(),
                r["at_local"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_typed_time_takes_rfc3339_and_the_local_forms_and_refuses_the_rest() {
    let tw = Tw::new();
    let cfg = config(&tw, "Europe/Berlin");
    for (at, want) in [
        ("2026-10-01T05:30:00Z", "2026-10-01T05:30:00Z"),
        ("2026-10-02T05:30Z", "2026-10-02T05:30:00Z"),
        ("2026-10-03T07:30:00+02:00", "2026-10-03T05:30:00Z"),
        ("2026-10-04T07:30+02:00", "2026-10-04T05:30:00Z"),
        ("2026-10-05T07:30", "2026-10-05T05:30:00Z"),
        ("2026-10-06", "2026-10-05T22:00:00Z"),
    ] {
        run(&tw, &cfg, &["pain", "1", "--kind", "morning", "--at", at]).assert_ok();
        assert!(
            pain_at(&tw, &cfg).iter().any(|(ms, _)| *ms == utc(want)),
            "{at} → {want}"
        );
    }
    run(
        &tw,
        &cfg,
        &[
            "gear",
            "add",
            "Flats",
            "--drop",
            "4",
            "--from",
            "2026-09-01T06:00Z",
        ],
    )
    .assert_ok();
    run(
        &tw,
        &cfg,
        &["gear", "use", "Flats", "--from", "2026-09-02T08:00+02:00"],
    )
    .assert_ok();
    let shoes = run(&tw, &cfg, &["gear", "list", "--json"]).json();
    assert_eq!(shoes[0]["in_use_from_ms"], utc("2026-09-02T06:00:00Z"));
    run(
        &tw,
        &cfg,
        &[
            "visa-a",
            "--q1",
            "7",
            "--q2",
            "7",
            "--q3",
            "7",
            "--q4",
            "7",
            "--q5",
            "7",
            "--q6",
            "7",
            "--q7",
            "4",
            "--q8",
            "b:14",
            "--at",
            "2026-10-01T18:00+02:00",
        ],
    )
    .assert_ok();

    // A wrong one: one line naming the forms, exit 2, nothing written.
    let before = util::dump_table(&tw.conn(), "pain", &[]);
    for (args, what) in [
        (vec!["pain", "1", "--at", "last tuesday"], "pain --at"),
        (
            vec!["pain", "1", "--at", "2026-10-01T07:30+25:00"],
            "pain --at",
        ),
        (
            vec!["gear", "use", "Flats", "--from", "soon"],
            "gear --from",
        ),
        (
            vec![
                "gear",
                "add",
                "Spikes",
                "--drop",
                "2",
                "--from",
                "2026-02-30",
            ],
            "gear --from",
        ),
    ] {
        let r = run(&tw, &cfg, &args);
        assert_eq!(r.status.code(), Some(2), "{what}: {}", r.stderr);
        assert_eq!(r.stderr.trim().lines().count(), 1, "{what}: {}", r.stderr);
        assert!(
            r.stderr.contains("RFC 3339") && r.stderr.contains("YYYY-MM-DDTHH:MM"),
            "{what}: {}",
            r.stderr
        );
    }
    assert_eq!(util::dump_table(&tw.conn(), "pain", &[]), before);
    assert_eq!(
        run(&tw, &cfg, &["gear", "list", "--json"])
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // The config's return start and time zone are checked the same way.
    for (text, ok) in [
        (
            "[profile]\nreturn_start = \"2026-09-01T06:00:00+02:00\"\n",
            true,
        ),
        ("[profile]\nreturn_start = \"2026-09-01\"\n", true),
        ("[profile]\nreturn_start = \"September\"\n", false),
        ("[profile]\ntime_zone = \"Europe/Berlin\"\n", true),
        ("[profile]\ntime_zone = \"Mars/Olympus\"\n", false),
    ] {
        let path = tw.root().join("check.toml");
        std::fs::write(&path, text).unwrap();
        let r = tw.run_bare(&["--config", path.to_str().unwrap(), "config", "check"]);
        assert_eq!(r.status.success(), ok, "{text}: {}{}", r.stdout, r.stderr);
    }
}

#[test]
fn local_times_take_the_offset_of_their_own_instant_north_and_south() {
    for (zone, january, july) in [
        (
            "Europe/Berlin",
            "2026-01-15T06:00:00Z",
            "2026-07-15T05:00:00Z",
        ),
        (
            "Australia/Sydney",
            "2026-01-14T20:00:00Z",
            "2026-07-14T21:00:00Z",
        ),
    ] {
        let tw = Tw::new();
        let cfg = config(&tw, zone);
        for day in ["2026-01-15T07:00", "2026-07-15T07:00"] {
            run(&tw, &cfg, &["pain", "2", "--kind", "morning", "--at", day]).assert_ok();
        }
        let at = pain_at(&tw, &cfg);
        assert_eq!(
            at.iter().map(|a| a.0).collect::<Vec<_>>(),
            vec![utc(january), utc(july)],
            "{zone}"
        );
        // Listed back at 07:00 local, both sides of the change.
        assert!(
            at.iter().all(|(_, local)| local.ends_with("07:00")),
            "{zone}: {at:?}"
        );
    }
}

/// A local wall-clock time in `zone` → UTC.
fn local(zone: chrono_tz::Tz, text: &str) -> DateTime<Utc> {
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").unwrap();
    zone.from_local_datetime(&naive)
        .earliest()
        .unwrap()
        .with_timezone(&Utc)
}

#[test]
fn an_evening_run_before_each_clock_change_pairs_with_the_morning_after_it() {
    // Both changes of a northern and a southern zone (2026): the run on the
    // evening before, the morning entry after the clocks moved.
    for (zone, before, after) in [
        ("Europe/Berlin", "2026-03-28", "2026-03-29"),
        ("Europe/Berlin", "2026-10-24", "2026-10-25"),
        ("Australia/Sydney", "2026-04-04", "2026-04-05"),
        ("Australia/Sydney", "2026-10-03", "2026-10-04"),
    ] {
        let tz: chrono_tz::Tz = zone.parse().unwrap();
        let tw = Tw::new();
        let cfg = config(&tw, zone);
        let start = local(tz, &format!("{before}T19:00"));
        let file = tw.sync().join("evening.gpx");
        std::fs::write(&file, gpx_run("evening", None, start, 8.0)).unwrap();
        run(&tw, &cfg, &["import", file.to_str().unwrap()]).assert_ok();
        let id = tw.activities_json()[0]["id"].as_i64().unwrap();
        let day_before = (start - Duration::days(1)).format("%Y-%m-%d").to_string();
        let mornings = [
            (format!("{day_before}T07:00"), "1"),
            (format!("{after}T07:00"), "4"),
        ];
        for (at, score) in &mornings {
            run(&tw, &cfg, &["pain", score, "--kind", "morning", "--at", at]).assert_ok();
        }
        let alerts = run(&tw, &cfg, &["alerts", "--all", "--json"]).json();
        let paired: Vec<&Value> = alerts
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["kind"] == "pain_24h")
            .collect();
        assert_eq!(paired.len(), 1, "{zone} {after}: {alerts}");
        assert_eq!(paired[0]["activity_id"], id, "{zone} {after}");
        assert_eq!(
            paired[0]["window_end_ms"].as_i64().unwrap(),
            local(tz, &format!("{after}T07:00")).timestamp_millis(),
            "{zone} {after}: the morning at 07:00 local after the change"
        );
    }
}

/// A paper diary and a run history seven weeks old, entered in `order`:
/// returns the store's alerts as (kind, cause, severity, delivery).
fn history_in_order(order: &[usize]) -> BTreeSet<(String, String, String, String)> {
    let tw = Tw::new();
    let cfg = config(&tw, "Europe/Berlin");
    let tz = chrono_tz::Europe::Berlin;
    let weeks_ago = Utc::now() - Duration::weeks(7);
    let day = |k: i64, hm: &str| {
        let d = (weeks_ago + Duration::days(k)).format("%Y-%m-%d");
        format!("{d}T{hm}")
    };
    // Runs every other day, a hill-less 8 km, then one of 14 km on day 6.
    let runs: Vec<(String, f64)> = vec![
        (day(0, "18:00"), 8.0),
        (day(2, "18:00"), 8.0),
        (day(4, "18:00"), 8.0),
        (day(6, "18:00"), 14.0),
        (day(9, "18:00"), 8.0),
    ];
    // Mornings: 1/10, then 5/10 the morning after the long run, pain 6
    // after the long run (over the limit of 3).
    let entries: Vec<(String, &str, &str)> = vec![
        (day(1, "07:00"), "1", "morning"),
        (day(3, "07:00"), "1", "morning"),
        (day(5, "07:00"), "1", "morning"),
        (day(6, "20:00"), "6", "after"),
        (day(7, "07:00"), "5", "morning"),
        (day(8, "07:00"), "3", "morning"),
        (day(10, "07:00"), "1", "morning"),
    ];
    for &i in order {
        if let Some((at, km)) = runs.get(i) {
            let file = tw.sync().join(format!("run-{i}.gpx"));
            std::fs::write(&file, gpx_run("run", None, local(tz, at), *km)).unwrap();
            run(&tw, &cfg, &["import", file.to_str().unwrap()]).assert_ok();
        } else {
            let (at, score, kind) = &entries[i - runs.len()];
            run(&tw, &cfg, &["pain", score, "--kind", kind, "--at", at]).assert_ok();
        }
    }
    let alerts = run(&tw, &cfg, &["alerts", "--all", "--json"]).json();
    let list: Vec<(String, String, String, String)> = alerts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["kind"].as_str().unwrap().to_string(),
                a["cause"].as_str().unwrap().to_string(),
                a["severity"].as_str().unwrap().to_string(),
                a["delivery"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let set: BTreeSet<_> = list.iter().cloned().collect();
    assert_eq!(set.len(), list.len(), "none raised twice: {list:?}");
    set
}

#[test]
fn an_old_diary_is_judged_like_the_present_whatever_the_order_it_arrives_in() {
    let n = 5 + 7;
    let runs_first: Vec<usize> = (0..n).collect();
    let entries_first: Vec<usize> = (5..n).chain(0..5).collect();
    let want = history_in_order(&runs_first);
    let pain: Vec<&(String, String, String, String)> =
        want.iter().filter(|a| a.0.starts_with("pain_")).collect();
    let kinds: BTreeSet<&str> = pain.iter().map(|a| a.0.as_str()).collect();
    assert!(
        kinds.contains("pain_24h") && kinds.contains("pain_limit"),
        "seven weeks ago: the morning after the long run and the pain after it: {want:?}"
    );
    assert!(
        pain.iter().all(|a| a.3 == "too_old"),
        "old windows are stored, never pushed: {pain:?}"
    );
    assert_eq!(history_in_order(&entries_first), want, "entries first");
    // A shuffled order (a fixed permutation: every run between entries).
    let shuffled = [7, 0, 11, 3, 5, 9, 1, 10, 4, 8, 2, 6];
    assert_eq!(history_in_order(&shuffled), want, "shuffled");
}
