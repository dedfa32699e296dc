//! `tendonwatch demo` as a runner starts it: a temporary sync folder and
//! store, the 16-week season fed to the daemon, the dashboard's address on
//! the first line — and nothing of the runner's own touched. Bad values are
//! one line and exit code 2.
#![allow(clippy::unwrap_used)]

mod util;

use serde_json::Value;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use util::Tw;

/// The whole demo must be done within this (debug build, busy CI machine).
const DEADLINE: Duration = Duration::from_secs(180);

/// A started demo: its stdout lines as they come, stderr at the end.
struct Demo {
    child: Child,
    lines: mpsc::Receiver<String>,
    stdout: Vec<String>,
    stderr: std::thread::JoinHandle<String>,
}

impl Demo {
    fn start(tw: &Tw, tmp: &Path, args: &[&str]) -> Demo {
        let mut child = tw
            .bare_command()
            .arg("demo")
            .args(args)
            // The demo folder goes under the test's own temp dir.
            .env("TMPDIR", tmp)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let mut err = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = err.read_to_string(&mut text);
            text
        });
        Demo {
            child,
            lines,
            stdout: Vec::new(),
            stderr,
        }
    }

    /// The next stdout line, waiting until `deadline`.
    fn next_line(&mut self, deadline: Instant) -> Option<String> {
        let wait = deadline.saturating_duration_since(Instant::now());
        let line = self.lines.recv_timeout(wait).ok()?;
        self.stdout.push(line.clone());
        Some(line)
    }

    /// Wait for the exit (killing the demo after `deadline`); the exit
    /// code, all of stdout and stderr.
    fn finish(mut self, deadline: Instant) -> (Option<i32>, Vec<String>, String) {
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break Some(status);
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(5)) {
            self.stdout.push(line);
        }
        let stderr = self.stderr.join().unwrap();
        (status.and_then(|s| s.code()), self.stdout, stderr)
    }
}

/// "season fed: 48 runs, 118 pain entries, 9 alerts" → (48, 118, 9).
fn parse_fed(line: &str) -> (usize, usize, usize) {
    let numbers: Vec<usize> = line
        .trim_start_matches("season fed:")
        .split(',')
        .map(|part| part.split_whitespace().next().unwrap().parse().unwrap())
        .collect();
    (numbers[0], numbers[1], numbers[2])
}

#[test]
fn the_demo_feeds_sixteen_weeks_to_the_daemon_and_raises_the_seasons_alerts() {
    let tw = Tw::new();
    let tmp = tw.root().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let started = Instant::now();
    let deadline = started + DEADLINE;
    let mut demo = Demo::start(
        &tw,
        &tmp,
        &[
            "--bind",
            "127.0.0.1:0",
            "--week-seconds",
            "0.05",
            "--exit-after-feed",
            "--keep",
        ],
    );

    // First line: the dashboard's address, with the port actually bound.
    let first = demo.next_line(deadline).expect("a first line");
    let port: u16 = first
        .strip_prefix("dashboard: http://127.0.0.1:")
        .and_then(|rest| rest.strip_suffix('/'))
        .unwrap_or_else(|| panic!("not the dashboard line: {first}"))
        .parse()
        .unwrap();
    assert_ne!(port, 0, "{first}");
    // Listening while the season is fed.
    std::net::TcpStream::connect(("127.0.0.1", port)).expect("the dashboard's port is open");

    let (code, stdout, stderr) = demo.finish(deadline);
    let elapsed = started.elapsed();
    let text = stdout.join("\n");
    assert_eq!(
        code,
        Some(0),
        "exit after {elapsed:?}\n{text}\n--- stderr\n{stderr}"
    );
    assert!(elapsed < DEADLINE, "{elapsed:?}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    // The story is on standard output; the daemon's log only at WARN and
    // above (`-v` for the rest).
    assert!(
        !stderr.contains(" INFO ") && !stderr.contains("stored"),
        "{stderr}"
    );

    // Progress week by week, then the summary.
    for week in 1..=16 {
        assert!(
            stdout
                .iter()
                .any(|l| l.starts_with(&format!("week {week}/16: "))),
            "week {week}: {text}"
        );
    }
    let fed = stdout
        .iter()
        .find(|l| l.starts_with("season fed: "))
        .unwrap_or_else(|| panic!("no summary: {text}"));
    let (runs, pain, alert_count) = parse_fed(fed);
    assert_eq!(runs, 16 * 3, "{fed}");
    assert!(pain >= 16 * 6, "most mornings are logged: {fed}");

    // The kept folder: a sync folder of FIT files and the store.
    let folder: PathBuf = stdout
        .iter()
        .find_map(|l| l.strip_prefix("demo folder: "))
        .and_then(|rest| rest.split(" (").next())
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("no demo folder line: {text}"));
    assert!(folder.starts_with(&tmp), "{}", folder.display());
    let mut fit_files: Vec<String> = std::fs::read_dir(folder.join("sync"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    fit_files.sort();
    assert_eq!(fit_files.len(), 48, "{fit_files:?}");
    assert!(
        fit_files
            .iter()
            .all(|f| f.len() == "2026-03-14-0700.fit".len() && f.ends_with("-0700.fit")),
        "{fit_files:?}"
    );

    // The alerts, as the runner would list them from that store.
    let db = folder.join("tendonwatch.db");
    let json = tw
        .command_with_db(&db)
        .args(["alerts", "--json", "--all"])
        .output()
        .unwrap();
    assert!(json.status.success(), "{json:?}");
    let alerts: Vec<Value> = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(alerts.len(), alert_count, "{fed}");
    let kinds: BTreeSet<&str> = alerts.iter().map(|a| a["kind"].as_str().unwrap()).collect();
    for kind in ["run_spike", "hill_intro", "stacked_intro"] {
        assert!(kinds.contains(kind), "{kind} missing: {kinds:?}");
    }
    assert!(
        kinds.iter().any(|k| k.starts_with("pain_")),
        "a pain alert: {kinds:?}"
    );
    // Exactly the season's story (src/demo.rs): nothing else.
    let expected: BTreeSet<&str> = tendonwatch::demo::EXPECTED_ALERTS.into_iter().collect();
    assert_eq!(kinds, expected, "{alerts:#?}");
    // Shown as what a runner whose daemon ran all season was told: none is
    // held back as too old, none acknowledged.
    for a in &alerts {
        assert_eq!(a["delivery"], "queued", "{a:#}");
        assert!(a["acknowledged_ms"].is_null(), "{a:#}");
    }
    let summary = stdout
        .iter()
        .find(|l| l.starts_with("alerts by kind: "))
        .unwrap();
    assert!(summary.contains("run_spike 1"), "{summary}");
    assert!(summary.contains("stacked_intro 1"), "{summary}");

    // The report of the season, in the runner's words (issue 26): factors
    // by what they are, never by their ids, and the evening pain and the
    // morning stiffness the season logged, each with its own counts.
    let report = tw
        .command_with_db(&db)
        .args(["report", "--weeks", "17"])
        .output()
        .unwrap();
    assert!(report.status.success(), "{report:?}");
    let report = String::from_utf8(report.stdout).unwrap();
    for words in [
        "runs at or past your 30-day longest: ",
        "hilly runs: not enough data: 1 hilly run with a next-morning entry (need 3)",
        "Pain that evening:\n   ",
        "Morning stiffness:\n   ",
        "had a stiffness entry the morning before and after.",
    ] {
        assert!(report.contains(words), "{words:?} in\n{report}");
    }
    for id in [
        "long_run",
        "long_distance",
        "surface_",
        "new_shoes",
        "lower_cadence",
    ] {
        assert!(!report.contains(id), "{id} in\n{report}");
    }

    // Nothing of the runner's own: no store or config under $HOME.
    assert!(!tw.root().join(".local/state/tendonwatch").exists());
    assert!(!tw.root().join(".config/tendonwatch").exists());
    assert!(!tw.root().join("Sync").exists());
}

#[test]
fn the_demo_without_keep_removes_its_folder() {
    let tw = Tw::new();
    let tmp = tw.root().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let deadline = Instant::now() + DEADLINE;
    let demo = Demo::start(
        &tw,
        &tmp,
        &[
            "--bind",
            "127.0.0.1:0",
            "--week-seconds",
            "0",
            "--exit-after-feed",
        ],
    );
    let (code, stdout, stderr) = demo.finish(deadline);
    assert_eq!(code, Some(0), "{stdout:?}\n{stderr}");
    assert!(stdout.iter().any(|l| l.starts_with("season fed: 48 runs")));
    assert_eq!(
        std::fs::read_dir(&tmp).unwrap().count(),
        0,
        "the demo folder is removed"
    );
}

#[test]
fn bad_demo_values_are_one_line_and_nothing_is_created() {
    let tw = Tw::new();
    let tmp = tw.root().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let run = |args: &[&str]| {
        let out = tw
            .bare_command()
            .arg("demo")
            .args(args)
            .env("TMPDIR", &tmp)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    #[track_caller]
    fn one_line(stderr: &str, says: &str) {
        let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "{stderr}");
        assert!(lines[0].starts_with("tendonwatch: error: "), "{stderr}");
        assert!(lines[0].contains(says), "{stderr}");
    }
    for (args, says) in [
        (&["--bind", "nonsense"][..], "--bind 'nonsense'"),
        (&["--bind", "127.0.0.1"][..], "not an address and port"),
        (&["--bind", "0.0.0.0:8417"][..], "this machine only"),
        (&["--week-seconds", "-1"][..], "--week-seconds '-1'"),
        (&["--week-seconds", "fast"][..], "--week-seconds 'fast'"),
    ] {
        let (code, stderr) = run(args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        one_line(&stderr, says);
    }
    // A port in use: one line, exit 1.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let (code, stderr) = run(&["--bind", &addr, "--exit-after-feed"]);
    assert_eq!(code, Some(1), "{stderr}");
    one_line(&stderr, &format!("cannot listen on {addr}"));
    assert_eq!(
        std::fs::read_dir(&tmp).unwrap().count(),
        0,
        "nothing created"
    );
}
