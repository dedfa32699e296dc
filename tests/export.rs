//! Taking everything out (issue 12, points 4 and 5), through the real
//! binary: `pain import`/`pain export`, `export DIR` and the dashboard's
//! `/export.zip`, each read back and compared with the store's own
//! listings.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "util/dashboard.rs"]
mod dashboard;
mod util;

use dashboard::{Server, seed_season};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use util::{Run, Tw};

/// A config naming a zone with summer time, so offsets change within a file.
fn berlin(tw: &Tw) -> PathBuf {
    let path = tw.root().join("berlin.toml");
    std::fs::write(&path, "[profile]\ntime_zone = \"Europe/Berlin\"\n").unwrap();
    path
}

/// `tendonwatch --db <db> --config <config> ARGS…`
fn run_with(tw: &Tw, db: &Path, config: &Path, args: &[&str]) -> Run {
    let mut cmd = tw.command_with_db(db);
    cmd.arg("--config").arg(config).args(args);
    Tw::run_command(cmd)
}

/// `pain import FILE` into `db`, which must succeed; its summary line
/// must start with `summary`. Returns stdout.
#[track_caller]
fn import_pain(tw: &Tw, db: &Path, config: &Path, file: &Path, summary: &str) -> String {
    let run = run_with(tw, db, config, &["pain", "import", file.to_str().unwrap()]);
    run.assert_ok();
    assert!(run.stdout.starts_with(summary), "{}", run.stdout);
    run.stdout
}

/// A CSV file as its header and rows of named fields.
fn read_csv(bytes: &[u8]) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut r = csv::Reader::from_reader(bytes);
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            assert_eq!(rec.len(), header.len(), "a row as long as the header");
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_string))
                .collect()
        })
        .collect();
    (header, rows)
}

fn array(v: Value) -> Vec<Value> {
    match v {
        Value::Array(items) => items,
        other => panic!("not an array: {other}"),
    }
}

fn f(text: &str) -> f64 {
    text.parse()
        .unwrap_or_else(|_| panic!("not a number: {text:?}"))
}

fn pain_table(tw: &Tw) -> Vec<String> {
    util::dump_table(&tw.conn(), "pain", &[])
}

/// Pain entries over two time offsets, with notes a CSV must quote.
fn log_pain(tw: &Tw, config: &Path) {
    for args in [
        &[
            "pain",
            "2",
            "--kind",
            "morning",
            "--at",
            "2026-01-05T07:00",
            "--stiffness",
            "10",
            "--side",
            "left",
        ][..],
        &[
            "pain",
            "4",
            "--kind",
            "during",
            "--at",
            "2026-07-15T18:30",
            "--note",
            "last hill rep, \"steep\"",
        ],
        &[
            "pain",
            "1.5",
            "--kind",
            "after",
            "--at",
            "2026-07-15T21:00",
            "--side",
            "both",
            "--note",
            "calf raises;\nthen ice",
        ],
        &["pain", "0", "--kind", "morning", "--at", "2026-07-16T07:10"],
    ] {
        run_with(tw, &tw.db(), config, args).assert_ok();
    }
}

#[test]
fn a_pain_export_imports_back_byte_for_byte_and_twice_adds_nothing() {
    let tw = Tw::new();
    let config = berlin(&tw);
    log_pain(&tw, &config);
    // One deleted entry stays out of the export.
    run_with(
        &tw,
        &tw.db(),
        &config,
        &["pain", "7", "--kind", "after", "--at", "2026-02-01T12:00"],
    )
    .assert_ok();
    let id = tw.count("pain").to_string();
    run_with(&tw, &tw.db(), &config, &["pain", "delete", &id]).assert_ok();

    let first = run_with(&tw, &tw.db(), &config, &["pain", "export"]);
    first.assert_ok();
    let (header, rows) = read_csv(first.stdout.as_bytes());
    assert_eq!(
        header,
        ["at", "kind", "score", "stiffness_min", "side", "note"]
    );
    assert_eq!(rows.len(), 4);
    // Each at the zone's offset of its own instant (winter, then summer).
    assert!(rows[0]["at"].starts_with("2026-01-05T") && rows[0]["at"].ends_with("+01:00"));
    assert!(rows[1]["at"].starts_with("2026-07-15T") && rows[1]["at"].ends_with("+02:00"));
    assert_eq!(rows[1]["note"], "last hill rep, \"steep\"");
    assert_eq!(rows[2]["note"], "calf raises;\nthen ice");
    assert_eq!(rows[2]["score"], "1.5");

    let file = tw.root().join("pain.csv");
    std::fs::write(&file, &first.stdout).unwrap();
    let fresh = tw.other_db("fresh.db");
    import_pain(
        &tw,
        &fresh,
        &config,
        &file,
        "4 entries imported, 0 already there",
    );
    let second = run_with(&tw, &fresh, &config, &["pain", "export"]);
    second.assert_ok();
    assert_eq!(second.stdout, first.stdout, "byte for byte");

    // The same file again, into either store: nothing new.
    let before = util::dump_table(&util::open(&fresh), "pain", &[]);
    import_pain(
        &tw,
        &fresh,
        &config,
        &file,
        "0 entries imported, 4 already there",
    );
    assert_eq!(util::dump_table(&util::open(&fresh), "pain", &[]), before);
    import_pain(
        &tw,
        &tw.db(),
        &config,
        &file,
        "0 entries imported, 4 already there",
    );

    // A changed score is the same entry: kept as stored, and said.
    let changed = first
        .stdout
        .replace(",morning,2,10,left,", ",morning,3,10,left,");
    std::fs::write(&file, changed).unwrap();
    let said = import_pain(
        &tw,
        &fresh,
        &config,
        &file,
        "0 entries imported, 4 already there (1 of them differ",
    );
    assert!(
        said.contains("morning): the file differs in score"),
        "{said}"
    );
    assert_eq!(util::dump_table(&util::open(&fresh), "pain", &[]), before);

    // --json: the same entries.
    let json = array(run_with(&tw, &tw.db(), &config, &["pain", "export", "--json"]).json());
    assert_eq!(json.len(), 4);
    for (j, r) in json.iter().zip(&rows) {
        assert_eq!(j["at"], r["at"].as_str());
        assert_eq!(j["kind"], r["kind"].as_str());
        assert_eq!(j["score"].as_f64().unwrap(), f(&r["score"]));
    }
}

#[test]
fn a_semicolon_file_with_a_bom_and_extra_columns_imports() {
    let tw = Tw::new();
    let config = berlin(&tw);
    let file = tw.root().join("diary.csv");
    std::fs::write(
        &file,
        "\u{feff}Note;SCORE;weather;Kind;at;Side\n\
         \"easy; flat\";2;sunny;morning;2026-01-05T07:00;right\n\
         ;3.5;rain;after;2026-07-15 19:00;\n",
    )
    .unwrap();
    import_pain(
        &tw,
        &tw.db(),
        &config,
        &file,
        "2 entries imported, 0 already there",
    );
    let out = run_with(&tw, &tw.db(), &config, &["pain", "export"]);
    assert_eq!(
        out.assert_ok().stdout,
        "at,kind,score,stiffness_min,side,note\n\
         2026-01-05T07:00:00+01:00,morning,2,,right,easy; flat\n\
         2026-07-15T19:00:00+02:00,after,3.5,,,\n"
    );
    let list = array(
        run_with(
            &tw,
            &tw.db(),
            &config,
            &["pain", "list", "--json", "--days", "36500"],
        )
        .json(),
    );
    assert_eq!(list.len(), 2);
}

#[test]
fn one_bad_row_refuses_the_whole_file_with_its_line() {
    let tw = Tw::new();
    let config = berlin(&tw);
    log_pain(&tw, &config);
    let before = pain_table(&tw);
    let file = tw.root().join("pain.csv");
    let future = (chrono::Utc::now() + chrono::Duration::days(2))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    for (bad_row, says) in [
        (
            "2026-02-03T07:00,morning,12,,,".to_string(),
            "12 is out of range",
        ),
        (format!("{future},morning,2,,,"), "in the future"),
        (
            "2026-02-03T07:00,sometimes,2,,,".to_string(),
            "unknown kind 'sometimes'",
        ),
    ] {
        std::fs::write(
            &file,
            format!(
                "at,kind,score,stiffness_min,side,note\n\
                 2026-02-01T07:00,morning,1,,,\n\
                 2026-02-02T07:00,morning,1,,,\"a note\nover two lines\"\n\
                 {bad_row}\n\
                 2026-02-04T07:00,morning,1,,,\n"
            ),
        )
        .unwrap();
        let run = run_with(
            &tw,
            &tw.db(),
            &config,
            &["pain", "import", file.to_str().unwrap()],
        );
        assert_eq!(run.status.code(), Some(2), "{bad_row}: {run:?}");
        let message = run.stderr.trim();
        assert_eq!(message.lines().count(), 1, "{message}");
        assert!(message.contains("pain.csv line 5: "), "{message}");
        assert!(message.contains(says), "{message}");
        assert!(run.stdout.is_empty(), "{}", run.stdout);
        assert_eq!(pain_table(&tw), before, "{bad_row}: nothing written");
    }
}

/// The five files of an export folder, by name.
fn read_dir(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn an_export_holds_every_row_of_the_store_and_the_download_the_same_bytes() {
    let tw = Tw::new();
    let config = berlin(&tw);
    seed_season(&tw);
    tw.copy_real("fit/activity-small-fenix2-run.fit");
    tw.import(&[tw.sync()]).assert_ok();
    log_pain(&tw, &config);
    let cmd = |args: &[&str]| run_with(&tw, &tw.db(), &config, args);
    cmd(&[
        "gear",
        "add",
        "Pegasus 41",
        "--drop",
        "10",
        "--from",
        "2025-12-15",
    ])
    .assert_ok();
    cmd(&["gear", "add", "Racer, \"fast\"", "--drop", "4"]).assert_ok();
    cmd(&["gear", "add", "Spare", "--drop", "8"]).assert_ok();
    cmd(&["gear", "use", "Racer, \"fast\"", "--from", "2026-03-01"]).assert_ok();
    let alerts = array(cmd(&["alerts", "--all", "--json"]).json());
    assert!(!alerts.is_empty(), "the season raises an alert");
    let acked = alerts[0]["id"].as_i64().unwrap().to_string();
    cmd(&["alerts", "--ack", &acked]).assert_ok();

    let out = tw.root().join("out");
    cmd(&["export", out.to_str().unwrap()]).assert_ok();
    let files = read_dir(&out);
    assert_eq!(
        files.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "README.md",
            "alerts.csv",
            "gear.csv",
            "pain.csv",
            "runs.csv"
        ],
        "no temp file left"
    );
    let readme = String::from_utf8(files["README.md"].clone()).unwrap();

    // runs.csv: every activity, every sport, with its id and distance.
    let activities = tw.activities_json();
    let (header, runs) = read_csv(&files["runs.csv"]);
    for name in ["runs.csv", "pain.csv", "alerts.csv", "gear.csv"] {
        assert!(readme.contains(&format!("## {name}")), "README has {name}");
        for column in read_csv(&files[name]).0 {
            assert!(
                readme.contains(&format!("| `{column}` |")),
                "README names {name} {column}"
            );
        }
    }
    assert_eq!(header.len(), 62);
    assert_eq!(runs.len(), activities.len());
    assert!(runs.len() >= 28, "{}", runs.len());
    for (row, a) in runs.iter().zip(&activities) {
        assert_eq!(row["id"], a["id"].to_string());
        assert_eq!(row["start_ms"], a["start_ms"].to_string());
        assert_eq!(f(&row["distance_m"]), a["distance_m"].as_f64().unwrap());
        assert_eq!(row["sport"], a["sport"].as_str().unwrap());
        assert_eq!(row["source_path"], a["source_path"].as_str().unwrap());
        assert_eq!(row["device"], a["device"].as_str().unwrap());
        let shown = cmd(&["show", &row["id"], "--json"]).json();
        let m = &shown["metrics"];
        assert_eq!(row["surface"], m["surface"].as_str().unwrap());
        assert_eq!(row["part_of_day"], m["part_of_day"].as_str().unwrap());
        if let Some(c) = m["cadence"].as_object() {
            assert_eq!(
                f(&row["cadence_running_spm"]),
                c["running_spm"].as_f64().unwrap()
            );
        }
        if let Some(p) = m["pace"]["mean_pace_s_per_km"].as_f64() {
            assert_eq!(f(&row["mean_pace_s_per_km"]), p);
        }
    }
    let real = runs
        .iter()
        .find(|r| r["source_path"].ends_with("activity-small-fenix2-run.fit"))
        .expect("the real FIT run");
    assert_eq!(real["format"], "fit");
    assert!(f(&real["distance_m"]) > 1000.0, "{real:?}");
    assert!(real["start"].len() >= 20, "{real:?}");

    // pain.csv: exactly `pain export`, and every entry of `pain list`.
    assert_eq!(
        files["pain.csv"],
        cmd(&["pain", "export"]).assert_ok().stdout.as_bytes()
    );
    let (_, pain) = read_csv(&files["pain.csv"]);
    let mut listed = array(cmd(&["pain", "list", "--json", "--days", "36500"]).json());
    listed.retain(|e| e["source"] == "runner");
    listed.reverse();
    assert_eq!(pain.len(), listed.len());
    for (row, e) in pain.iter().zip(&listed) {
        assert_eq!(row["kind"], e["kind"].as_str().unwrap());
        assert_eq!(f(&row["score"]), e["score"].as_f64().unwrap());
        assert_eq!(row["note"], e["note"].as_str().unwrap_or(""));
    }

    // alerts.csv: every alert, the acknowledged one too.
    let (_, exported) = read_csv(&files["alerts.csv"]);
    let mut alerts = array(cmd(&["alerts", "--all", "--json"]).json());
    alerts.sort_by_key(|a| a["id"].as_i64().unwrap());
    assert_eq!(exported.len(), alerts.len());
    for (row, a) in exported.iter().zip(&alerts) {
        assert_eq!(row["id"], a["id"].to_string());
        assert_eq!(row["kind"], a["kind"].as_str().unwrap());
        assert_eq!(row["severity"], a["severity"].as_str().unwrap());
        assert_eq!(f(&row["measured"]), a["measured"].as_f64().unwrap());
        assert_eq!(
            row["acknowledged_ms"].is_empty(),
            a["acknowledged_ms"].is_null()
        );
    }
    assert!(
        exported
            .iter()
            .any(|r| r["id"] == acked && !r["acknowledged"].is_empty())
    );

    // gear.csv: each pair, each time it was put on.
    let (_, gear) = read_csv(&files["gear.csv"]);
    let shoes = array(cmd(&["gear", "list", "--json"]).json());
    let uses: i64 = tw
        .conn()
        .query_row("SELECT COUNT(*) FROM gear_use", [], |r| r.get(0))
        .unwrap();
    assert_eq!(uses, 2);
    assert_eq!(gear.len(), 3, "two worn pairs, one never worn");
    for s in &shoes {
        let name = s["name"].as_str().unwrap();
        let row = gear
            .iter()
            .find(|g| g["name"] == name)
            .unwrap_or_else(|| panic!("{name}"));
        assert_eq!(f(&row["drop_mm"]), s["drop_mm"].as_f64().unwrap());
        assert_eq!(row["current"], s["current"].to_string());
    }
    let pegasus = gear.iter().find(|g| g["name"] == "Pegasus 41").unwrap();
    let from: i64 = tw
        .conn()
        .query_row("SELECT MIN(from_ms) FROM gear_use", [], |r| r.get(0))
        .unwrap();
    assert_eq!(pegasus["use_from_ms"], from.to_string());
    assert!(
        pegasus["use_from"].starts_with("2025-12-15T0"),
        "{pegasus:?}"
    );
    assert!(
        !pegasus["use_until_ms"].is_empty(),
        "until the switch to the racers"
    );

    // A folder that holds something: refused, untouched; --force writes
    // over the export's own files only.
    std::fs::write(out.join("mine.txt"), "keep me").unwrap();
    std::fs::write(out.join("runs.csv"), "old").unwrap();
    let refused = cmd(&["export", out.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    assert!(refused.stderr.contains("not empty"), "{}", refused.stderr);
    assert_eq!(std::fs::read(out.join("runs.csv")).unwrap(), b"old");
    cmd(&["export", out.to_str().unwrap(), "--force"]).assert_ok();
    let again = read_dir(&out);
    assert_eq!(again["mine.txt"], b"keep me");
    assert_eq!(again["runs.csv"], files["runs.csv"]);

    // The dashboard's download: the same five files, byte for byte.
    let server = Server::start(&tw, Some(&config));
    let r = server.get("/export.zip", None);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("content-type"), Some("application/zip"));
    let disposition = r.header("content-disposition").unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"tendonwatch-export-20")
            && disposition.ends_with(".zip\""),
        "{disposition}"
    );
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(r.raw.clone())).unwrap();
    let mut unzipped = BTreeMap::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        unzipped.insert(entry.name().to_string(), bytes);
    }
    assert_eq!(unzipped, files);
    assert!(server.get("/", None).body.contains("href=\"/export.zip\""));
}

#[test]
fn with_a_password_the_download_needs_a_login() {
    let tw = Tw::new();
    let config = dashboard::config_with_password(&tw, "heel drop 8");
    let server = Server::start(&tw, Some(&config));
    let r = server.get("/export.zip", None);
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/login"));
    assert!(r.raw.is_empty() || !r.raw.starts_with(b"PK"));
}

/// Issue 22, point 7: two entries of one kind in one second (two quick
/// entries from the command line) exported and imported into a fresh
/// store come back as two, every field of every entry as it was — and
/// importing the file again adds nothing.
#[test]
fn two_entries_in_one_second_round_trip_exactly() {
    let tw = Tw::new();
    let config = berlin(&tw);
    // In one second for sure: the same second, a quarter and three
    // quarters in, typed with their milliseconds; the same score, so
    // only their instants tell them apart.
    for (score, at) in [
        ("2.5", "2026-03-02T07:00:05.250+01:00"),
        ("2.5", "2026-03-02T07:00:05.750+01:00"),
    ] {
        run_with(
            &tw,
            &tw.db(),
            &config,
            &["pain", score, "--kind", "morning", "--at", at],
        )
        .assert_ok();
    }
    // Two quick entries as a runner types them (now, to the millisecond;
    // often in one second), and one on a whole second.
    for _ in 0..2 {
        run_with(&tw, &tw.db(), &config, &["pain", "1", "--kind", "after"]).assert_ok();
    }
    run_with(
        &tw,
        &tw.db(),
        &config,
        &[
            "pain",
            "0",
            "--kind",
            "after",
            "--at",
            "2026-03-02T19:00",
            "--side",
            "left",
            "--note",
            "ok, \"fine\"",
        ],
    )
    .assert_ok();
    let entries = |db: &Path| {
        util::strings(
            &util::open(db),
            "SELECT at_ms || '|' || kind || '|' || score || '|' || ifnull(stiffness_min, '') || '|' \
             || ifnull(side, '') || '|' || ifnull(note, '') FROM pain WHERE deleted_ms IS NULL ORDER BY at_ms, id",
        )
    };
    let original = entries(&tw.db());
    assert_eq!(original.len(), 5);

    let export = run_with(&tw, &tw.db(), &config, &["pain", "export"]);
    let file = tw.root().join("pain.csv");
    std::fs::write(&file, &export.assert_ok().stdout).unwrap();
    assert!(
        export
            .stdout
            .contains("2026-03-02T07:00:05.250+01:00,morning,2.5,")
            && export
                .stdout
                .contains("2026-03-02T07:00:05.750+01:00,morning,2.5,"),
        "milliseconds kept: {}",
        export.stdout
    );
    assert!(
        export
            .stdout
            .contains("2026-03-02T19:00:00+01:00,after,0,,left,"),
        "a whole second stays as it was: {}",
        export.stdout
    );
    let fresh = tw.other_db("fresh.db");
    import_pain(
        &tw,
        &fresh,
        &config,
        &file,
        "5 entries imported, 0 already there",
    );
    assert_eq!(entries(&fresh), original, "every entry, every field");
    import_pain(
        &tw,
        &fresh,
        &config,
        &file,
        "0 entries imported, 5 already there",
    );
    assert_eq!(entries(&fresh), original);

    // An older export (whole seconds) of the two same-second entries still
    // finds both, each once.
    let whole_seconds = export
        .stdout
        .replace("07:00:05.250+01:00", "07:00:05+01:00")
        .replace("07:00:05.750+01:00", "07:00:05+01:00");
    std::fs::write(&file, whole_seconds).unwrap();
    import_pain(
        &tw,
        &fresh,
        &config,
        &file,
        "0 entries imported, 5 already there",
    );
}
