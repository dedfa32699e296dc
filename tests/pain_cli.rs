//! The pain log from the command line, as a runner types it: every bad
//! value gets one clear line and exit code 2, and the store is unchanged.
//! Logging works while another tendonwatch process is writing the store.
#![allow(clippy::unwrap_used)]

mod util;

use util::{Tw, dump_table, open};

/// Everything the pain commands could touch.
fn snapshot(tw: &Tw) -> Vec<Vec<String>> {
    if !tw.db().exists() {
        return Vec::new();
    }
    let conn = open(&tw.db());
    ["pain", "visa_a", "alerts"]
        .iter()
        .map(|t| dump_table(&conn, t, &[]))
        .collect()
}

#[track_caller]
fn refused(tw: &Tw, args: &[&str], says: &str) {
    let before = snapshot(tw);
    let run = tw.run(args);
    assert_eq!(
        run.status.code(),
        Some(2),
        "{args:?}\n{}\n{}",
        run.stdout,
        run.stderr
    );
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(lines.len(), 1, "one line for {args:?}: {}", run.stderr);
    assert!(lines[0].starts_with("tendonwatch: error: "), "{}", lines[0]);
    assert!(lines[0].contains(says), "{args:?}: {}", lines[0]);
    assert!(!run.stderr.contains("panicked"));
    assert_eq!(snapshot(tw), before, "{args:?} changed the store");
}

#[test]
fn bad_pain_values_are_refused_and_change_nothing() {
    let tw = Tw::new();
    tw.run(&["pain", "2", "--kind", "morning"]).assert_ok();
    refused(&tw, &["pain", "11"], "0 (none) to 10");
    refused(&tw, &["pain", "-1"], "0 (none) to 10");
    refused(&tw, &["pain", "three"], "not a number");
    refused(&tw, &["pain", "3", "--side", "up"], "unknown side 'up'");
    refused(&tw, &["pain", "3", "--kind", "yesterday"], "unknown kind");
    refused(&tw, &["pain", "3", "--at", "2099-01-01"], "in the future");
    refused(
        &tw,
        &["pain", "3", "--at", "last tuesday"],
        "is not a time: use RFC 3339",
    );
    refused(&tw, &["pain", "3", "--stiffness", "-5"], "out of range");
    refused(
        &tw,
        &["pain", "edit", "999", "--score", "2"],
        "no pain entry 999",
    );
    refused(
        &tw,
        &["pain", "edit", "1", "--score", "12"],
        "0 (none) to 10",
    );
    refused(&tw, &["pain", "delete", "999"], "no pain entry 999");
    refused(&tw, &["pain", "list", "--days", "0"], "1 to 36500");
    refused(
        &tw,
        &[
            "visa-a", "--q1", "12", "--q2", "1", "--q3", "1", "--q4", "1", "--q5", "1", "--q6",
            "1", "--q7", "4", "--q8", "a:7",
        ],
        "question 1",
    );
    refused(&tw, &["visa-a", "--q1", "5"], "--q2 is missing");
    refused(&tw, &["report", "--weeks", "0"], "--weeks 0");
}

#[test]
fn log_list_edit_delete_and_undo() {
    let tw = Tw::new();
    let out = tw.run(&[
        "pain",
        "2",
        "--kind",
        "morning",
        "--stiffness",
        "10",
        "--side",
        "left",
        "--at",
        "2026-01-05T07:00",
    ]);
    out.assert_ok();
    assert!(
        out.stdout.contains("logged morning pain 2/10 as entry 1"),
        "{}",
        out.stdout
    );
    tw.run(&[
        "pain",
        "4",
        "--kind",
        "during",
        "--at",
        "2026-01-05T09:00",
        "--note",
        "hill reps",
    ])
    .assert_ok();

    let list = tw
        .run(&["pain", "list", "--json", "--days", "36500"])
        .json();
    let rows = list.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["kind"], "during");
    assert_eq!(rows[0]["note"], "hill reps");
    assert_eq!(rows[1]["stiffness_min"], 10.0);
    assert_eq!(rows[1]["side"], "left");
    assert_eq!(rows[1]["source"], "runner");

    tw.run(&["pain", "edit", "2", "--score", "3"]).assert_ok();
    tw.run(&["pain", "delete", "1"]).assert_ok();
    let list = tw
        .run(&["pain", "list", "--json", "--days", "36500"])
        .json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["score"], 3.0);
    // Deleted entries are kept; undo brings the entry back unchanged.
    assert_eq!(tw.count("pain"), 2);
    tw.run(&["pain", "undo"]).assert_ok();
    let list = tw
        .run(&["pain", "list", "--json", "--days", "36500"])
        .json();
    assert_eq!(list.as_array().unwrap().len(), 2);
}

#[test]
fn pain_above_the_limit_is_an_alert_at_once() {
    let tw = Tw::new();
    let out = tw.run(&["pain", "5", "--kind", "during"]);
    out.assert_ok();
    assert!(out.stdout.contains("pain_limit"), "{}", out.stdout);
    let alerts = tw.run(&["alerts", "--json"]).json();
    assert_eq!(alerts[0]["kind"], "pain_limit");
    assert_eq!(alerts[0]["delivery"], "queued");
}

#[test]
fn visa_a_from_flags_is_stored_with_its_trend() {
    let tw = Tw::new();
    let answers = [
        "--q1", "7", "--q2", "8", "--q3", "9", "--q4", "8", "--q5", "7", "--q6", "6", "--q7", "4",
        "--q8", "b:14",
    ];
    let mut args = vec!["visa-a"];
    args.extend(answers);
    let out = tw.run(&args);
    out.assert_ok();
    assert!(out.stdout.contains("VISA-A 63/100"), "{}", out.stdout);
    args[2] = "9";
    let out = tw.run(&args);
    assert!(
        out.stdout.contains("trend: better, 63 → 65"),
        "{}",
        out.stdout
    );
}

/// A runner in UTC+8 fills it in at 07:00 their time (23:00 UTC the day
/// before): the history says their date.
#[test]
fn visa_a_history_gives_the_runner_s_own_date() {
    let tw = Tw::new();
    let config = tw.zone_config("Asia/Shanghai");
    let answers = [
        "--q1", "7", "--q2", "8", "--q3", "9", "--q4", "8", "--q5", "7", "--q6", "6", "--q7", "4",
        "--q8", "b:14",
    ];
    let mut args = vec!["visa-a", "--at", "2026-03-02 07:00"];
    args.extend(answers);
    tw.run_with_config(&config, &args).assert_ok();
    let history = tw.run_with_config(&config, &["visa-a", "--history"]);
    history.assert_ok();
    assert!(
        history.stdout.contains("2026-03-02") && !history.stdout.contains("2026-03-01"),
        "{}",
        history.stdout
    );
}

#[test]
fn logging_pain_while_another_process_writes_the_store() {
    let tw = Tw::new();
    tw.copy_all_real();
    // An import (a long write) in one process, pain logged from another.
    let mut import = tw.command();
    import.args(["import", tw.sync().to_str().unwrap()]);
    let mut child = import.spawn().unwrap();
    for score in 0..5 {
        tw.run(&["pain", &score.to_string(), "--kind", "after"])
            .assert_ok();
    }
    assert!(child.wait().unwrap().success());
    assert_eq!(tw.count("pain"), 5);
    assert!(tw.count("activities") > 0);
}
