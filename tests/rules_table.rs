//! `tendonwatch rules` tells what the program does (issue 22, point 4):
//! its text and its JSON are the rule table the rules judge by — every
//! rule, each with the severities the program raises (`acwr` never an
//! alert; `run_spike` warn, then high) — for the runner's own config.
//! (That the rules raise exactly the table's severities is checked on
//! every story of `rules_scenarios.rs`.)
#![allow(clippy::unwrap_used)]

mod util;

use serde_json::Value;
use tendonwatch::finding::RuleId;
use tendonwatch::rules::table::table;
use tendonwatch::rules::{Mode, Profile, Thresholds};
use util::Tw;

fn normal_config(tw: &Tw) -> std::path::PathBuf {
    let path = tw.root().join("normal.toml");
    std::fs::write(&path, "[profile]\nmode = \"normal\"\n").unwrap();
    path
}

#[test]
fn rules_json_is_the_rule_table_the_program_runs() {
    let tw = Tw::new();
    for (config, mode, limit) in [
        (None, Mode::Return, 3.0),
        (Some(normal_config(&tw)), Mode::Normal, 5.0),
    ] {
        let run = match &config {
            Some(c) => tw.run_with_config(c, &["rules", "--json"]),
            None => tw.run(&["rules", "--json"]),
        };
        let got = run.json();
        let want = table(&Thresholds::default(), &Profile { mode, age: None }, limit);
        assert_eq!(got, serde_json::to_value(&want).unwrap(), "{mode:?}");
        let ids: Vec<&str> = got
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["rule"].as_str().unwrap())
            .collect();
        let all: Vec<&str> = RuleId::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(ids, all, "every rule the program has, once");
    }
}

/// The row of `rule` in `rules --json`.
fn row<'a>(rows: &'a Value, rule: &str) -> &'a Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == rule)
        .unwrap()
}

#[test]
fn rules_says_acwr_never_alerts_and_run_spike_is_warn_then_high() {
    let tw = Tw::new();
    let rows = tw.run(&["rules", "--json"]).json();
    let acwr = row(&rows, "acwr");
    assert_eq!(acwr["severities"], serde_json::json!([]), "{acwr}");
    assert!(acwr["shown"].as_str().unwrap().contains("status"), "{acwr}");
    let severities = |rule: &str| -> Vec<String> {
        row(&rows, rule)["severities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["severity"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(severities("run_spike"), ["warn", "high", "high"]);
    assert_eq!(severities("stacked_intro"), ["high"]);
    assert_eq!(severities("pain_limit"), ["warn", "high"]);

    let text = tw.run(&["rules"]).assert_ok().stdout.clone();
    assert!(
        text.contains("warn > +10 %, high > +30 %, high > +100 %"),
        "{text}"
    );
    assert!(text.contains("never an alert: shown on `status`"), "{text}");
    assert!(
        !text.contains("severe"),
        "no severity the program lacks:\n{text}"
    );
    // Every rule of the table is a paragraph of the text, with its words.
    for r in rows.as_array().unwrap() {
        let id = r["rule"].as_str().unwrap();
        let start = text
            .lines()
            .position(|l| l.starts_with(&format!("{id} ")))
            .unwrap_or_else(|| panic!("{id} missing:\n{text}"));
        let para: Vec<&str> = text.lines().skip(start).take(3).collect();
        assert!(
            para[0].contains(r["threshold"].as_str().unwrap()),
            "{para:?}"
        );
        for l in r["severities"].as_array().unwrap() {
            let words = format!(
                "{} {}",
                l["severity"].as_str().unwrap(),
                l["when"].as_str().unwrap()
            );
            assert!(para[1].contains(&words), "{id}: {words} not in {para:?}");
        }
        assert!(para[2].trim_start().starts_with("source: "), "{para:?}");
    }
}
