//! The runner's everyday commands on the real binary: `show`, `tag`,
//! `status`, `alerts`, `rules`, after importing a generated training
//! history (nine weeks, the last long run 35 % longer).
#![allow(clippy::unwrap_used)]

mod util;

use tendonwatch::sim::fit_writer::encode;
use tendonwatch::sim::training::{self, Event, Runner, Week};
use util::Tw;

fn with_history() -> Tw {
    let tw = Tw::new();
    let r = Runner::default();
    let mut weeks: Vec<Week> = (0..8).map(|_| training::steady_week(&r)).collect();
    weeks.push(Week {
        runs: vec![
            Event::Easy { km: 5.5 },
            Event::Trail { km: 5.5 },
            Event::Long { km: 12.96 },
        ],
    });
    for (i, a) in training::simulate(&r, &weeks).iter().enumerate() {
        std::fs::write(tw.sync().join(format!("run-{i:02}.fit")), encode(a)).unwrap();
    }
    tw.import(&[tw.sync()]).assert_ok();
    tw
}

fn id_of_last_run(tw: &Tw) -> String {
    let all = tw.activities_json();
    all.last().unwrap()["id"].to_string()
}

#[test]
fn show_prints_the_metrics_and_json_for_machines() {
    let tw = with_history();
    let id = id_of_last_run(&tw);
    let out = tw.run(&["show", &id]);
    out.assert_ok();
    for line in [
        "volume    12.96 km",
        "pace      5:5",
        "cadence   168 spm",
        "climbing  ",
        "surface   unknown",
    ] {
        assert!(
            out.stdout.contains(line),
            "missing {line:?}:\n{}",
            out.stdout
        );
    }
    let json = tw.run(&["show", &id, "--json"]).json();
    assert_eq!(json["activity"]["id"].to_string(), id);
    assert!((json["metrics"]["distance_m"].as_f64().unwrap() - 12_960.0).abs() < 30.0);
    assert_eq!(json["metrics"]["surface"], "unknown");
    assert_eq!(json["metrics"]["part_of_day"], "morning");
    let missing = tw.run(&["show", "99999"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(missing.stderr.contains("no activity 99999"));
}

#[test]
fn a_tag_overrides_the_file_and_clearing_it_gives_the_file_back() {
    let tw = with_history();
    let id = id_of_last_run(&tw);
    let out = tw.run(&["tag", &id, "--surface", "sand"]);
    out.assert_ok();
    assert!(
        out.stdout.contains("surface sand (your tag), was unknown"),
        "{}",
        out.stdout
    );
    let json = tw.run(&["show", &id, "--json"]).json();
    assert_eq!(json["metrics"]["surface"], "sand");
    assert_eq!(json["metrics"]["surface_evidence"]["kind"], "runner_tag");
    tw.run(&["tag", &id, "--clear"]).assert_ok();
    let json = tw.run(&["show", &id, "--json"]).json();
    assert_eq!(json["metrics"]["surface"], "unknown");
    let bad = tw.run(&["tag", &id, "--surface", "lava"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        bad.stderr.contains("unknown surface 'lava'"),
        "{}",
        bad.stderr
    );
}

#[test]
fn alerts_list_the_rule_ids_with_numbers_and_sources() {
    let tw = with_history();
    // A history imported at once: its alerts are history, not open.
    assert_eq!(tw.run(&["alerts", "--json"]).json(), serde_json::json!([]));
    let alerts = tw.run(&["alerts", "--state", "history", "--json"]).json();
    let kinds: Vec<&str> = alerts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    // Week 9: a first trail run and a 35 % long-run spike within 7 days.
    assert!(
        kinds.contains(&"run_spike") && kinds.contains(&"surface_change"),
        "{kinds:?}"
    );
    assert!(kinds.contains(&"stacked_intro"), "{kinds:?}");
    for a in alerts.as_array().unwrap() {
        assert!(!a["source"].as_str().unwrap().is_empty());
        // Runs from 2026 are older than the 3-day horizon: stored, not pushed.
        assert_eq!(a["delivery"], "too_old");
    }
    let text = tw.run(&["alerts", "--state", "history"]);
    assert!(text.stdout.contains("run_spike [high]"), "{}", text.stdout);
    assert!(text.stdout.contains("(history)"), "{}", text.stdout);
    let first = alerts[0]["id"].to_string();
    tw.run(&["alerts", "--ack", &first]).assert_ok();
    let history = tw.run(&["alerts", "--state", "history", "--json"]).json();
    assert_eq!(
        history.as_array().unwrap().len(),
        alerts.as_array().unwrap().len() - 1
    );
    let all = tw.run(&["alerts", "--all", "--json"]).json();
    assert_eq!(
        all.as_array().unwrap().len(),
        alerts.as_array().unwrap().len()
    );
}

#[test]
fn status_and_rules_speak_plainly() {
    let tw = with_history();
    let status = tw.run(&["status"]);
    status.assert_ok();
    // The generated runs are in 2026, months before "now": nothing in the
    // last 30 days, so no ceiling; their alerts are history, not open.
    assert!(status.stdout.contains("next run:"), "{}", status.stdout);
    assert!(
        status.stdout.contains("no open alerts"),
        "{}",
        status.stdout
    );
    assert!(
        status.stdout.contains("older alerts about your history"),
        "{}",
        status.stdout
    );
    let json = tw.run(&["status", "--json"]).json();
    assert!(json["baseline"]["learning"]["learning"].is_boolean());
    // RULES.md F: nothing in the last weeks, so no load ratio, and why.
    assert!(
        status
            .stdout
            .contains("load ratio (acute:chronic): not enough running yet (0 runs"),
        "{}",
        status.stdout
    );
    assert_eq!(json["acwr"], serde_json::Value::Null, "{json:#}");

    let rules = tw.run(&["rules"]);
    rules.assert_ok();
    for id in [
        "run_spike",
        "week_jump",
        "acwr",
        "frequency_jump",
        "pace_and_distance",
        "hill_intro",
        "speed_intro",
        "surface_change",
        "cadence_shift",
        "stacked_intro",
        "shoe_drop",
    ] {
        assert!(rules.stdout.contains(id), "{id} missing:\n{}", rules.stdout);
    }
    assert!(
        rules.stdout.contains("> +10 %"),
        "return profile limits: {}",
        rules.stdout
    );
}

#[test]
fn gear_add_use_and_list() {
    let tw = Tw::new();
    tw.run(&[
        "gear",
        "add",
        "Pegasus",
        "--drop",
        "10",
        "--from",
        "2026-01-01",
    ])
    .assert_ok();
    tw.run(&["gear", "add", "Racer", "--drop", "4"]).assert_ok();
    tw.run(&["gear", "use", "Racer", "--from", "2026-03-01"])
        .assert_ok();
    let list = tw.run(&["gear", "list"]);
    assert!(
        list.stdout
            .contains("Pegasus — 10 mm drop, worn since 2026-01-01"),
        "{}",
        list.stdout
    );
    assert!(
        list.stdout.contains("Racer — 4 mm drop, worn since 2026-0"),
        "{}",
        list.stdout
    );
    let dup = tw.run(&["gear", "add", "Racer", "--drop", "4"]);
    assert_eq!(dup.status.code(), Some(1));
    let bad = tw.run(&["gear", "add", "Boot", "--drop", "40"]);
    assert!(bad.stderr.contains("between 0 and 20 mm"), "{}", bad.stderr);
    let unknown = tw.run(&["gear", "use", "Nope"]);
    assert!(
        unknown.stderr.contains("no shoes named 'Nope'"),
        "{}",
        unknown.stderr
    );
}
