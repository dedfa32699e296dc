//! `tendonwatch watch`, the daemon, end to end: the real binary runs as a
//! child process on a temp sync folder and a temp store, the test acts like a
//! sync tool (copies, slow writes, temp-file renames, new folders, bursts,
//! deletions, restarts, crashes) and reads the store with rusqlite while the
//! daemon runs (WAL allows it). Every wait polls the store (or the log) up to
//! a deadline; fixed sleeps only pace the "sync tool" or give the daemon a
//! chance to do something it must not do.
//!
//! Each test checks the same two promises at the end: every file is stored
//! exactly once, as a one-shot `tendonwatch import` of the same folder into a
//! separate store would store it, and every failure has a reason. The daemon
//! is then stopped with SIGTERM and must exit 0 within a few seconds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

use rusqlite::{Connection, OpenFlags};
use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant, UNIX_EPOCH};
use util::{Tw, activity_facts, files_under, integrity, real, real_files, sha256_hex, strings};

/// How long a condition may take to become true before the test fails.
const DEADLINE: Duration = Duration::from_secs(30);
/// How often conditions are polled.
const POLL: Duration = Duration::from_millis(100);
/// How long the daemon gets to exit after SIGTERM.
const EXIT_WITHIN: Duration = Duration::from_secs(10);
/// `[watch] debounce_ms` in every test config.
const DEBOUNCE_MS: u64 = 200;

/// Small real running files (a few KB each).
const SMALL_RUNS: [&str; 2] = ["fit/with_nones.fit", "fit/compressed-speed-distance.fit"];
/// A real running FIT of ~120 KB: big enough to arrive in slow chunks.
const MEDIUM_RUN: &str = "fit/activity-small-fenix2-run.fit";

// ---------------------------------------------------------------------------
// The daemon as a child process.
// ---------------------------------------------------------------------------

/// A config file with the given `[watch]` timings (debounce 200 ms).
fn write_config(tw: &Tw, rescan_s: u64, settle_s: u64) -> PathBuf {
    let path = tw.root().join("tendonwatch.toml");
    std::fs::write(
        &path,
        format!(
            "[watch]\nmode = \"native\"\nrescan_s = {rescan_s}\ndebounce_ms = {DEBOUNCE_MS}\nsettle_s = {settle_s}\n"
        ),
    )
    .unwrap();
    path
}

/// `tendonwatch --db <tw.db> --config <config> watch <folder>`, stderr to
/// `<root>/<name>.log`. Killed (SIGKILL) when dropped still running, so a
/// failing test leaves no daemon behind.
struct Daemon {
    child: Option<Child>,
    pid: u32,
    log: PathBuf,
}

impl Daemon {
    /// Start the daemon and wait until it says it is watching.
    fn start(tw: &Tw, config: &Path, folder: &Path, name: &str) -> Daemon {
        Daemon::start_as(tw, config, folder, name, None)
    }

    /// [`Daemon::start`] as the user `uid` (its group the same number).
    fn start_as(tw: &Tw, config: &Path, folder: &Path, name: &str, uid: Option<u32>) -> Daemon {
        let log = tw.root().join(format!("{name}.log"));
        let stderr = File::create(&log).unwrap();
        let mut cmd = tw.command();
        if let Some(uid) = uid {
            use std::os::unix::process::CommandExt;
            cmd.uid(uid).gid(uid);
        }
        cmd.arg("--config")
            .arg(config)
            .arg("watch")
            .arg(folder)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(stderr));
        let child = cmd.spawn().expect("the daemon starts");
        let pid = child.id();
        let mut daemon = Daemon {
            child: Some(child),
            pid,
            log,
        };
        daemon.wait_for_log("watching ");
        daemon
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The last lines of the log, for failure messages.
    fn log_tail(&self) -> String {
        let text = self.log_text();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(60)..].join("\n")
    }

    fn child(&mut self) -> &mut Child {
        self.child.as_mut().expect("the daemon is running")
    }

    /// Poll `check` until it gives a value; fail if the daemon exits or the
    /// deadline passes (the error text says what was last seen).
    #[track_caller]
    fn wait_within<T>(
        &mut self,
        what: &str,
        deadline: Duration,
        mut check: impl FnMut() -> Result<T, String>,
    ) -> T {
        let started = Instant::now();
        loop {
            let state = match check() {
                Ok(v) => return v,
                Err(state) => state,
            };
            if let Some(status) = self.child().try_wait().unwrap() {
                panic!(
                    "the daemon exited ({status}) while waiting for {what}; last seen: {state}\n--- log\n{}",
                    self.log_tail()
                );
            }
            if started.elapsed() > deadline {
                panic!(
                    "timed out after {deadline:?} waiting for {what}; last seen: {state}\n--- log\n{}",
                    self.log_tail()
                );
            }
            std::thread::sleep(POLL);
        }
    }

    #[track_caller]
    fn wait_until<T>(&mut self, what: &str, check: impl FnMut() -> Result<T, String>) -> T {
        self.wait_within(what, DEADLINE, check)
    }

    #[track_caller]
    fn wait_for_log(&mut self, needle: &str) {
        let log = self.log.clone();
        self.wait_until(&format!("{needle:?} in the log"), || {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if text.contains(needle) {
                Ok(())
            } else {
                Err(format!("{} log lines", text.lines().count()))
            }
        });
    }

    /// Wait until the store holds exactly these paths. A stored path that is
    /// not expected fails at once.
    #[track_caller]
    fn wait_for_paths(&mut self, db: &Path, want: &BTreeSet<String>) {
        self.wait_for_paths_within(db, want, DEADLINE, |_| {});
    }

    #[track_caller]
    fn wait_for_paths_within(
        &mut self,
        db: &Path,
        want: &BTreeSet<String>,
        deadline: Duration,
        mut on_poll: impl FnMut(u32),
    ) {
        let pid = self.pid;
        let log = self.log.clone();
        self.wait_within(&format!("{} files rows", want.len()), deadline, || {
            on_poll(pid);
            let got = stored_paths(db)?;
            let extra: Vec<&String> = got.difference(want).collect();
            assert!(
                extra.is_empty(),
                "stored paths that are not activity files on disk: {extra:?}\n--- log\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
            if got == *want {
                Ok(())
            } else {
                let missing: Vec<&String> = want.difference(&got).take(5).collect();
                Err(format!(
                    "{} of {} stored; missing e.g. {missing:?}",
                    got.len(),
                    want.len()
                ))
            }
        });
    }

    /// The daemon must still be running.
    #[track_caller]
    fn assert_running(&mut self) {
        if let Some(status) = self.child().try_wait().unwrap() {
            panic!("the daemon exited ({status})\n--- log\n{}", self.log_tail());
        }
    }

    /// SIGTERM; it must exit 0 within [`EXIT_WITHIN`]. Returns the log.
    #[track_caller]
    fn terminate(mut self) -> String {
        let mut child = self.child.take().expect("the daemon is running");
        if let Some(status) = child.try_wait().unwrap() {
            panic!(
                "the daemon had already exited ({status})\n--- log\n{}",
                self.log_tail()
            );
        }
        let sent = Command::new("kill")
            .arg("-TERM")
            .arg(self.pid.to_string())
            .status()
            .unwrap();
        assert!(sent.success(), "kill -TERM {} failed", self.pid);
        let t = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if t.elapsed() > EXIT_WITHIN {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "the daemon did not exit within {EXIT_WITHIN:?} of SIGTERM\n--- log\n{}",
                    self.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let log = self.log_text();
        assert!(
            status.success(),
            "the daemon exited with {status} after SIGTERM (want 0)\n--- log\n{}",
            self.log_tail()
        );
        assert!(
            log.contains("SIGTERM") && log.lines().last().unwrap_or("").contains("stopped"),
            "the log should end with the SIGTERM and 'stopped' lines\n--- log\n{}",
            self.log_tail()
        );
        assert_no_panic(&log);
        log
    }

    /// SIGKILL (a crash, a power cut for the process).
    fn sigkill(mut self) -> ExitStatus {
        let mut child = self.child.take().expect("the daemon is running");
        child.kill().unwrap();
        child.wait().unwrap()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A field of `/proc/<pid>/status` in kB (VmRSS, VmHWM).
fn proc_status_kb(pid: u32, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = text.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Bytes the process has read with read(2) and friends (`/proc/<pid>/io`).
fn proc_rchar(pid: u32) -> u64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/io")).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("rchar:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[track_caller]
fn assert_no_panic(log: &str) {
    assert!(
        !log.contains("panicked") && !log.contains("RUST_BACKTRACE"),
        "panic in the daemon's log:\n{log}"
    );
}

// ---------------------------------------------------------------------------
// The store, read while the daemon runs.
// ---------------------------------------------------------------------------

/// Open a store without creating it; None until the daemon has set it up.
fn try_open(db: &Path) -> Result<Connection, String> {
    if !db.exists() {
        return Err("no store file yet".into());
    }
    let conn = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| e.to_string())?;
    conn.busy_timeout(Duration::from_secs(10))
        .map_err(|e| e.to_string())?;
    let ready: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('files', 'activities')",
            [],
            |r| r.get(0),
        )
        .map_err(|e| e.to_string())?;
    if ready == 2 {
        Ok(conn)
    } else {
        Err("store not set up yet".into())
    }
}

#[track_caller]
fn open_store(db: &Path) -> Connection {
    try_open(db).unwrap_or_else(|e| panic!("{}: {e}", db.display()))
}

fn stored_paths(db: &Path) -> Result<BTreeSet<String>, String> {
    let conn = try_open(db)?;
    let mut stmt = conn
        .prepare("SELECT path FROM files")
        .map_err(|e| e.to_string())?;
    let rows = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .map_err(|e| e.to_string())?;
    rows.collect::<rusqlite::Result<_>>()
        .map_err(|e| e.to_string())
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct FileRow {
    id: i64,
    size: i64,
    mtime_ns: i64,
    content_hash: String,
    outcome: String,
    error: Option<String>,
    ingested_ms: i64,
}

/// Every files row by path.
fn file_rows(conn: &Connection) -> BTreeMap<String, FileRow> {
    let mut stmt = conn
        .prepare(
            "SELECT path, id, size, mtime_ns, content_hash, outcome, error, ingested_ms FROM files",
        )
        .unwrap();
    stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            FileRow {
                id: r.get(1)?,
                size: r.get(2)?,
                mtime_ns: r.get(3)?,
                content_hash: r.get(4)?,
                outcome: r.get(5)?,
                error: r.get(6)?,
                ingested_ms: r.get(7)?,
            },
        ))
    })
    .unwrap()
    .collect::<rusqlite::Result<_>>()
    .unwrap()
}

fn file_row(db: &Path, path: &Path) -> Result<FileRow, String> {
    let conn = try_open(db)?;
    file_rows(&conn)
        .remove(&*path.to_string_lossy())
        .ok_or_else(|| format!("no files row for {}", path.display()))
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Activity files (as the daemon names them) under `folder`: `.fit`/`.gpx`
/// names that are not hidden and not in a hidden folder.
fn candidates(folder: &Path) -> BTreeSet<String> {
    let folder = std::fs::canonicalize(folder).unwrap();
    files_under(&folder)
        .into_iter()
        .filter(|p| {
            let rel = Path::new(p).strip_prefix(&folder).unwrap();
            let hidden = rel
                .components()
                .any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
            let name = rel.to_string_lossy().to_ascii_lowercase();
            !hidden && (name.ends_with(".fit") || name.ends_with(".gpx"))
        })
        .collect()
}

/// The store the daemon built must be what a one-shot `tendonwatch import`
/// of `folder` builds in a fresh store: every activity file stored exactly
/// once, the same outcome per file (which of several byte-identical copies
/// is the 'duplicate' may differ), the same activities, no run twice, and a
/// reason on every row that is not plainly complete.
#[track_caller]
fn assert_like_one_shot(tw: &Tw, folder: &Path, reference_name: &str) {
    let want = candidates(folder);
    let daemon = open_store(&tw.db());
    let reference_db = tw.other_db(reference_name);
    assert!(!reference_db.exists(), "reuse of {reference_name}");
    tw.import_into(&reference_db, &[folder], true).json();
    let reference = open_store(&reference_db);

    assert_eq!(
        integrity(&daemon),
        "ok",
        "integrity_check of the daemon's store"
    );
    let fk = strings(
        &daemon,
        "SELECT \"table\" || ' ' || rowid FROM pragma_foreign_key_check",
    );
    assert!(fk.is_empty(), "foreign key violations {fk:?}");

    // Every file exactly once.
    let twice = strings(
        &daemon,
        "SELECT path || ' x' || COUNT(*) FROM files GROUP BY path HAVING COUNT(*) <> 1",
    );
    assert!(twice.is_empty(), "paths stored more than once: {twice:?}");
    let rows = file_rows(&daemon);
    let paths: BTreeSet<String> = rows.keys().cloned().collect();
    assert_eq!(
        paths,
        want,
        "files rows != activity files on disk\nmissing: {:?}\nextra: {:?}",
        want.difference(&paths).collect::<Vec<_>>(),
        paths.difference(&want).collect::<Vec<_>>()
    );

    // Every failure (and every duplicate or partial) says why.
    let no_reason: Vec<String> = rows
        .iter()
        .filter(|(_, r)| r.outcome != "complete")
        .filter(|(_, r)| r.error.as_deref().unwrap_or("").trim().is_empty())
        .map(|(p, r)| format!("{p}: {}", r.outcome))
        .collect();
    assert!(no_reason.is_empty(), "rows without a reason: {no_reason:?}");

    // The same outcome per file as the one-shot import.
    let reference_rows = file_rows(&reference);
    assert_eq!(
        reference_rows.keys().collect::<BTreeSet<_>>(),
        rows.keys().collect::<BTreeSet<_>>(),
        "the one-shot import stored other paths"
    );
    let mut differing = Vec::new();
    for (path, row) in &rows {
        let other = &reference_rows[path];
        assert_eq!(row.content_hash, other.content_hash, "{path}: content hash");
        if row.outcome != "duplicate"
            && other.outcome != "duplicate"
            && (row.outcome != other.outcome || row.error != other.error)
        {
            differing.push(format!(
                "{path}: daemon {} {:?}, import {} {:?}",
                row.outcome, row.error, other.outcome, other.error
            ));
        }
    }
    assert!(
        differing.is_empty(),
        "outcomes differ from a one-shot import:\n{}",
        differing.join("\n")
    );
    let duplicates = |rows: &BTreeMap<String, FileRow>| {
        rows.values().filter(|r| r.outcome == "duplicate").count()
    };
    assert_eq!(
        duplicates(&rows),
        duplicates(&reference_rows),
        "number of 'duplicate' rows"
    );

    // The same activities, none twice, none owned by a file that was not decoded.
    let got = activity_facts(&daemon);
    let expected = activity_facts(&reference);
    assert_eq!(
        got, expected,
        "activities differ from a one-shot import of the same files"
    );
    let dup_sessions = strings(
        &daemon,
        "SELECT start_ms || ' ' || sport || ' #' || session_index FROM activities
         GROUP BY start_ms, sport, session_index HAVING COUNT(*) > 1",
    );
    assert!(
        dup_sessions.is_empty(),
        "runs stored twice: {dup_sessions:?}"
    );
    let bad_owner = strings(
        &daemon,
        "SELECT f.path || ' ' || f.outcome FROM activities a JOIN files f ON f.id = a.file_id
         WHERE f.outcome NOT IN ('complete', 'truncated')",
    );
    assert!(bad_owner.is_empty(), "activities owned by {bad_owner:?}");
    assert_eq!(
        count(&daemon, "SELECT COUNT(*) FROM samples"),
        count(&daemon, "SELECT COUNT(*) FROM activities"),
        "one samples row per activity"
    );
}

/// Lines of the log that contain `needle`.
fn log_lines<'a>(log: &'a str, needle: &str) -> Vec<&'a str> {
    log.lines().filter(|l| l.contains(needle)).collect()
}

fn ms_since_epoch(t: std::time::SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

fn done(test: &str, started: Instant) {
    eprintln!("{test}: {:.1} s", started.elapsed().as_secs_f64());
}

// ---------------------------------------------------------------------------
// 1. Every real file.
// ---------------------------------------------------------------------------

#[test]
fn every_real_fixture_copied_in_is_stored_as_a_one_shot_import_would() {
    let started = Instant::now();
    let tw = Tw::new();
    let config = write_config(&tw, 2, 2);
    let mut daemon = Daemon::start(&tw, &config, &tw.sync(), "daemon");

    let copied = tw.copy_all_real();
    assert_eq!(copied.len(), 40, "SOURCES.md promises 40 real files");
    let want = candidates(&tw.sync());
    assert_eq!(want.len(), 40);
    daemon.wait_for_paths(&tw.db(), &want);

    daemon.assert_running();
    assert_like_one_shot(&tw, &tw.sync(), "oneshot.db");
    let log = daemon.terminate();
    done("every_real_fixture", started);

    // A broken file (corrupt, unreadable, or cut short with nothing to
    // salvage) is also a warning in the log, with its reason: the runner
    // reads the journal, not the store.
    let conn = open_store(&tw.db());
    let broken = strings(
        &conn,
        "SELECT f.path || char(9) || f.outcome || char(9) || COALESCE(f.error, '') FROM files f
         WHERE f.outcome IN ('corrupt', 'unreadable', 'truncated')
           AND NOT EXISTS (SELECT 1 FROM activities a WHERE a.file_id = f.id)
         ORDER BY f.path",
    );
    assert!(
        broken.len() >= 3,
        "the fixtures hold a corrupt and two unsalvageable truncated files: {broken:?}"
    );
    let unreported: Vec<&String> = broken
        .iter()
        .filter(|row| {
            let path = row.split('\t').next().unwrap();
            !log_lines(&log, path)
                .iter()
                .any(|l| l.contains("WARN") && l.contains(path))
        })
        .collect();
    assert!(
        unreported.is_empty(),
        "broken files stored without a warning in the log (path, outcome, reason): {unreported:#?}\n--- log\n{log}"
    );
}

// ---------------------------------------------------------------------------
// 2. A slow writer.
// ---------------------------------------------------------------------------

#[test]
fn a_file_written_in_ten_slow_chunks_is_stored_once_and_complete() {
    let started = Instant::now();
    let tw = Tw::new();
    let config = write_config(&tw, 2, 2);
    let mut daemon = Daemon::start(&tw, &config, &tw.sync(), "daemon");

    let bytes = std::fs::read(real(MEDIUM_RUN)).unwrap();
    let path = tw.sync().join("slow.fit");
    let mut file = File::create(&path).unwrap();
    let chunk = bytes.len().div_ceil(10);
    for (i, part) in bytes.chunks(chunk).enumerate() {
        file.write_all(part).unwrap();
        file.flush().unwrap();
        if (i + 1) * chunk < bytes.len() {
            // While the file is still arriving (and changing more often than
            // settle_s), nothing of it may be stored.
            let until = Instant::now() + Duration::from_millis(300);
            while Instant::now() < until {
                let rows = stored_paths(&tw.db()).unwrap_or_default();
                assert!(
                    rows.is_empty(),
                    "stored after chunk {} of 10, while still being written: {rows:?}\n--- log\n{}",
                    i + 1,
                    daemon.log_tail()
                );
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
    drop(file);

    let row = daemon.wait_until("slow.fit stored complete", || {
        file_row(&tw.db(), &path).and_then(|r| {
            if r.outcome == "complete" {
                Ok(r)
            } else {
                Err(format!("outcome {}", r.outcome))
            }
        })
    });
    assert_eq!(row.size, bytes.len() as i64, "stored size");
    assert_eq!(
        row.content_hash,
        sha256_hex(&bytes),
        "stored the whole file"
    );
    let conn = open_store(&tw.db());
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM files"), 1);
    let facts = activity_facts(&conn);
    assert_eq!(facts.len(), 1, "one activity: {facts:?}");
    assert!(!facts[0].5, "the activity is not partial: {facts:?}");
    drop(conn);

    // The deferred looks at the half-written file come due after settle_s:
    // they find the file unchanged and change nothing.
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(
        file_row(&tw.db(), &path).unwrap(),
        row,
        "the row changed after it was stored"
    );
    assert_like_one_shot(&tw, &tw.sync(), "oneshot.db");
    daemon.terminate();
    done("ten_slow_chunks", started);
}

// ---------------------------------------------------------------------------
// 3. Syncthing's temp file and rename.
// ---------------------------------------------------------------------------

#[test]
fn a_syncthing_temp_file_renamed_into_place_is_stored_once_under_its_final_name() {
    let started = Instant::now();
    let tw = Tw::new();
    let config = write_config(&tw, 2, 2);
    let mut daemon = Daemon::start(&tw, &config, &tw.sync(), "daemon");

    let bytes = std::fs::read(real(MEDIUM_RUN)).unwrap();
    let tmp = tw.sync().join(".syncthing.run.fit.tmp");
    let done_path = tw.sync().join("run.fit");
    let no_temp_row = |db: &Path| {
        let rows = stored_paths(db).unwrap_or_default();
        let temp: Vec<&String> = rows.iter().filter(|p| p.contains(".syncthing.")).collect();
        assert!(temp.is_empty(), "the temp name was stored: {temp:?}");
    };
    // Syncthing writes blocks into the temp file, sets the source's mtime,
    // then renames it to the final name.
    let mut file = File::create(&tmp).unwrap();
    for part in bytes.chunks(bytes.len().div_ceil(4)) {
        file.write_all(part).unwrap();
        std::thread::sleep(Duration::from_millis(150));
        no_temp_row(&tw.db());
    }
    file.set_modified(UNIX_EPOCH + Duration::from_secs(1_600_000_000))
        .unwrap();
    drop(file);
    std::thread::sleep(Duration::from_millis(400));
    no_temp_row(&tw.db());
    assert!(
        stored_paths(&tw.db()).unwrap_or_default().is_empty(),
        "something was stored before the rename"
    );
    std::fs::rename(&tmp, &done_path).unwrap();

    let want: BTreeSet<String> = [done_path.to_string_lossy().into_owned()].into();
    daemon.wait_for_paths(&tw.db(), &want);
    let row = file_row(&tw.db(), &done_path).unwrap();
    assert_eq!(row.outcome, "complete", "{row:?}");
    assert_eq!(row.content_hash, sha256_hex(&bytes));
    // A rescan tick later, still one row and no temp name.
    std::thread::sleep(Duration::from_millis(2500));
    no_temp_row(&tw.db());
    assert_eq!(file_row(&tw.db(), &done_path).unwrap(), row);
    let conn = open_store(&tw.db());
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM files"), 1);
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM activities"), 1);
    drop(conn);
    assert_like_one_shot(&tw, &tw.sync(), "oneshot.db");
    daemon.terminate();
    done("syncthing_rename", started);
}

// ---------------------------------------------------------------------------
// 4. New folders with a file written at once.
// ---------------------------------------------------------------------------

#[test]
fn two_hundred_new_folders_each_with_a_file_copied_in_at_once_are_all_stored() {
    let started = Instant::now();
    let tw = Tw::new();
    let config = write_config(&tw, 2, 2);
    let mut daemon = Daemon::start(&tw, &config, &tw.sync(), "daemon");

    let sources: Vec<Vec<u8>> = SMALL_RUNS
        .iter()
        .map(|f| std::fs::read(real(f)).unwrap())
        .collect();
    for i in 0..200 {
        let dir = tw.sync().join(format!("sub{i}"));
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("run.fit"), &sources[i % sources.len()]).unwrap();
    }
    let want = candidates(&tw.sync());
    assert_eq!(want.len(), 200);
    daemon.wait_for_paths(&tw.db(), &want);

    let conn = open_store(&tw.db());
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM files"), 200);
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM files WHERE outcome = 'duplicate'"
        ),
        198,
        "two distinct files, the other copies are byte duplicates"
    );
    drop(conn);
    assert_like_one_shot(&tw, &tw.sync(), "oneshot.db");
    daemon.terminate();
    done("two_hundred_new_folders", started);
}

// ---------------------------------------------------------------------------
// 5. A burst.
// ---------------------------------------------------------------------------

#[test]
fn a_burst_of_two_thousand_files_is_all_stored_in_bounded_memory_with_progress_lines() {
    let started = Instant::now();
    let tw = Tw::new();
    let config = write_config(&tw, 2, 2);
    let mut daemon = Daemon::start(&tw, &config, &tw.sync(), "daemon");

    let sources: Vec<(&str, Vec<u8>)> = [
        "fit/with_nones.fit",
        "fit/compressed-speed-distance.fit",
        "fit/garmin-fenix-5-walk.fit",
        "gpx/Friday-Evening-Run.gpx",
    ]
    .iter()
    .map(|f| (*f, std::fs::read(real(f)).unwrap()))
    .collect();
    let mut max_rss_kb = 0u64;
    let mut sample = |pid: u32| {
        if let Some(kb) = proc_status_kb(pid, "VmRSS:") {
            max_rss_kb = max_rss_kb.max(kb);
        }
    };
    for i in 0..2000 {
        let (name, bytes) = &sources[i % sources.len()];
        let ext = Path::new(name).extension().unwrap().to_string_lossy();
        std::fs::write(tw.sync().join(format!("burst-{i:04}.{ext}")), bytes).unwrap();
        if i % 100 == 0 {
            sample(daemon.pid);
        }
    }
    let want = candidates(&tw.sync());
    assert_eq!(want.len(), 2000);
    daemon.wait_for_paths_within(&tw.db(), &want, Duration::from_secs(90), &mut sample);
    sample(daemon.pid);
    let hwm_kb = proc_status_kb(daemon.pid, "VmHWM:").unwrap_or(0);
    eprintln!(
        "burst: {} s to store 2000 files, max VmRSS seen {} MB, VmHWM {} MB",
        started.elapsed().as_secs(),
        max_rss_kb / 1024,
        hwm_kb / 1024
    );
    assert!(
        max_rss_kb > 0 && max_rss_kb < 300 * 1024,
        "VmRSS {max_rss_kb} kB"
    );
    assert!(hwm_kb < 300 * 1024, "VmHWM {hwm_kb} kB");

    let log = daemon.log_text();
    let progress = log_lines(&log, "files so far");
    assert!(
        !progress.is_empty(),
        "no 'processed N files so far' progress line\n--- log\n{}",
        daemon.log_tail()
    );
    eprintln!(
        "burst: {} progress lines, first {:?}, last {:?}",
        progress.len(),
        progress.first(),
        progress.last()
    );
    assert_like_one_shot(&tw, &tw.sync(), "oneshot.db");
    daemon.terminate();

    done("burst_2000", started);

    // The lines show progress: when the backlog went down by a batch with no
    // new events in between, the count of files processed so far went up.
    let parsed: Vec<(u64, u64)> = progress
        .iter()
        .map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            let at = words.iter().position(|w| *w == "processed").unwrap();
            (
                words[at + 1].parse().unwrap(),
                words[at + 5].parse().unwrap(),
            )
        })
        .collect();
    let stuck: Vec<String> = parsed
        .windows(2)
        .filter(|w| w[1].1 < w[0].1 && w[1].0 <= w[0].0)
        .map(|w| {
            format!(
                "{} so far, {} waiting -> {} so far, {} waiting",
                w[0].0, w[0].1, w[1].0, w[1].1
            )
        })
        .collect();
    assert!(
        stuck.is_empty(),
        "{} of {} consecutive progress lines show files leaving the backlog but no more files \
         'processed so far', e.g. {:?}",
        stuck.len(),
        parsed.len().saturating_sub(1),
        &stuck[..stuck.len().min(3)]
    );
}

// ---------------------------------------------------------------------------
// 6. The sync folder deleted and created again.
// ---------------------------------------------------------------------------

#[test]
fn a_sync_folder_deleted_and_created_again_is_watched_again() {
    let started = Instant::now();
    let tw = Tw::new();
    let rescan_s = 4;
    let config = write_config(&tw, rescan_s, 2);
    let sync = tw.sync();
    tw.copy_real_to(SMALL_RUNS[0], "before.fit");
    let mut daemon = Daemon::start(&tw, &config, &sync, "daemon");
    daemon.wait_for_paths(&tw.db(), &candidates(&sync));

    // The sync tool drops the folder and builds it again (Syncthing's
    // folder removed and re-added): everything comes back, plus new files.
    let inode_before = std::fs::metadata(&sync).unwrap().ino();
    std::fs::remove_dir_all(&sync).unwrap();
    std::fs::create_dir(&sync).unwrap();
    let inode_after = std::fs::metadata(&sync).unwrap().ino();
    tw.copy_real_to(SMALL_RUNS[0], "before.fit");
    tw.copy_real_to(SMALL_RUNS[1], "after.fit");
    tw.copy_real_to("gpx/Friday-Evening-Run.gpx", "after.gpx");
    daemon.wait_for_paths(&tw.db(), &candidates(&sync));

    // A file added now must come through the watch, not wait for the next
    // reconciliation scan (rescan_s later; 15 minutes by default).
    let late = tw.copy_real_to("fit/garmin-fenix-5-walk.fit", "late.fit");
    let added = Instant::now();
    let within = Duration::from_secs(rescan_s) / 2;
    let mut stored_in = None;
    while added.elapsed() < Duration::from_secs(3 * rescan_s) {
        if file_row(&tw.db(), &late).is_ok() {
            stored_in = Some(added.elapsed());
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // Whichever way it came, it is stored once, like everything else.
    daemon.wait_for_paths(&tw.db(), &candidates(&sync));
    assert_like_one_shot(&tw, &sync, "oneshot.db");
    let log = daemon.terminate();
    let rewatched = log_lines(&log, "is ready (again)").len();
    done("sync_folder_recreated", started);
    assert!(
        stored_in.is_some_and(|t| t <= within),
        "a file added after the sync folder was deleted and created again was stored after {stored_in:?} \
         (want within {within:?}, rescan_s = {rescan_s}): the folder is no longer watched, only the \
         reconciliation scan finds new files. inode before {inode_before}, after {inode_after}; \
         'is ready (again)' lines in the log: {rewatched}\n--- log\n{log}"
    );
}

// ---------------------------------------------------------------------------
// 7. Files that arrive while the daemon is stopped.
// ---------------------------------------------------------------------------

#[test]
fn files_added_while_the_daemon_is_stopped_are_stored_when_it_starts_again() {
    let started = Instant::now();
    let tw = Tw::new();
    let config = write_config(&tw, 2, 2);
    let sync = tw.sync();
    let mut daemon = Daemon::start(&tw, &config, &sync, "daemon-1");
    for f in ["fit/with_nones.fit", "gpx/Friday-Evening-Run.gpx"] {
        tw.copy_real_to(
            f,
            Path::new("first").join(Path::new(f).file_name().unwrap()),
        );
    }
    daemon.wait_for_paths(&tw.db(), &candidates(&sync));
    let first_rows = file_rows(&open_store(&tw.db()));
    daemon.terminate();

    // While it is stopped: new files, a new folder, a byte copy of a known file.
    tw.copy_real_to("fit/compressed-speed-distance.fit", "second/a.fit");
    tw.copy_real_to("gpx/run_gpxtpx.gpx", "second/deeper/b.gpx");
    tw.copy_real_to("fit/with_nones.fit", "second/copy-of-first.fit");
    tw.copy_real_to("fit/activity-filecrc.fit", "second/broken.fit");

    let mut daemon = Daemon::start(&tw, &config, &sync, "daemon-2");
    daemon.wait_for_paths(&tw.db(), &candidates(&sync));
    let rows = file_rows(&open_store(&tw.db()));
    for (path, row) in &first_rows {
        assert_eq!(
            &rows[path], row,
            "{path} was ingested again after the restart"
        );
    }
    assert_eq!(
        rows[&*sync.join("second/copy-of-first.fit").to_string_lossy()].outcome,
        "duplicate"
    );
    assert_like_one_shot(&tw, &sync, "oneshot.db");
    daemon.terminate();
    done("stopped_then_restarted", started);
}

// ---------------------------------------------------------------------------
// 8. SIGKILL in a burst.
// ---------------------------------------------------------------------------

/// A few hundred files: the 40 real files in `orig/`, byte copies of the
/// smaller ones in `same0..2/` and copies with a few bytes appended in
/// `var0..2/` (new hashes, same runs). Relative path and bytes.
fn crowded_files() -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let files = real_files();
    for f in &files {
        let name = Path::new(f).file_name().unwrap();
        out.push((
            Path::new("orig").join(name),
            std::fs::read(real(f)).unwrap(),
        ));
    }
    let small: Vec<&String> = files
        .iter()
        .filter(|f| std::fs::metadata(real(f)).unwrap().len() < 300_000)
        .collect();
    for k in 0..3 {
        for f in &small {
            let name = Path::new(f.as_str()).file_name().unwrap();
            let bytes = std::fs::read(real(f)).unwrap();
            out.push((Path::new(&format!("same{k}")).join(name), bytes));
        }
    }
    for k in 0..3 {
        for f in &small {
            let name = Path::new(f.as_str()).file_name().unwrap();
            let mut bytes = std::fs::read(real(f)).unwrap();
            if f.ends_with(".gpx") {
                bytes.extend_from_slice(format!("\n<!-- copy {k} -->\n").as_bytes());
            } else {
                bytes.extend_from_slice(format!("copy {k}").as_bytes());
            }
            out.push((Path::new(&format!("var{k}")).join(name), bytes));
        }
    }
    out
}

#[test]
fn sigkill_during_a_burst_then_restart_loses_nothing_and_duplicates_nothing() {
    let started = Instant::now();
    let tw = Tw::new();
    let config = write_config(&tw, 2, 2);
    let sync = tw.sync();
    let plan = crowded_files();
    let n = plan.len();
    assert!(n >= 200, "a few hundred files, got {n}");
    let want: BTreeSet<String> = plan
        .iter()
        .map(|(rel, _)| sync.join(rel).to_string_lossy().into_owned())
        .collect();

    let mut daemon = Daemon::start(&tw, &config, &sync, "daemon-1");
    // The sync tool writes the files over a second or two.
    let copier = {
        let sync = sync.clone();
        std::thread::spawn(move || {
            for (i, (rel, bytes)) in plan.iter().enumerate() {
                let to = sync.join(rel);
                std::fs::create_dir_all(to.parent().unwrap()).unwrap();
                std::fs::write(&to, bytes).unwrap();
                if i % 10 == 9 {
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        })
    };
    // Kill it once it is well into the burst.
    let at_kill = daemon.wait_within("the first files stored", DEADLINE, || {
        let got = stored_paths(&tw.db())?.len();
        if got >= 20 {
            Ok(got)
        } else {
            Err(format!("{got} stored"))
        }
    });
    let status = daemon.sigkill();
    let copier_done_at_kill = copier.is_finished();
    let recorded = stored_paths(&tw.db()).unwrap().len();
    eprintln!(
        "sigkill: killed ({status}) with {recorded}/{n} files stored (copier done: {copier_done_at_kill})"
    );
    assert!(
        recorded < n,
        "the kill came after everything was stored ({at_kill}/{n}): the test proved nothing"
    );
    assert_eq!(
        integrity(&open_store(&tw.db())),
        "ok",
        "integrity right after SIGKILL"
    );

    let mut daemon = Daemon::start(&tw, &config, &sync, "daemon-2");
    copier.join().unwrap();
    assert_eq!(candidates(&sync), want);
    daemon.wait_for_paths(&tw.db(), &want);
    assert_like_one_shot(&tw, &sync, "oneshot.db");
    daemon.terminate();
    done("sigkill_in_burst", started);
}

// ---------------------------------------------------------------------------
// 9. A cut-short file, and later the rest of it.
// ---------------------------------------------------------------------------

#[test]
fn a_truncated_file_is_stored_after_settling_and_completed_in_place_when_the_rest_arrives() {
    let started = Instant::now();
    let tw = Tw::new();
    let settle_s = 2;
    let config = write_config(&tw, 2, settle_s);
    let mut daemon = Daemon::start(&tw, &config, &tw.sync(), "daemon");

    let whole = std::fs::read(real(MEDIUM_RUN)).unwrap();
    let half = &whole[..whole.len() / 2];
    let path = tw.sync().join("cut.fit");
    std::fs::write(&path, half).unwrap();
    let mtime_ms = ms_since_epoch(std::fs::metadata(&path).unwrap().modified().unwrap());

    let cut = daemon.wait_until("cut.fit stored", || file_row(&tw.db(), &path));
    assert_eq!(cut.outcome, "truncated", "{cut:?}");
    assert!(
        cut.error.as_deref().is_some_and(|e| !e.trim().is_empty()),
        "a truncated file needs a reason: {cut:?}"
    );
    assert_eq!(cut.content_hash, sha256_hex(half));
    assert!(
        cut.ingested_ms >= mtime_ms + settle_s as i64 * 1000,
        "stored {} ms after its last change; settle_s = {settle_s}",
        cut.ingested_ms - mtime_ms
    );
    let conn = open_store(&tw.db());
    let partial_facts = activity_facts(&conn);
    drop(conn);
    assert!(
        partial_facts.len() <= 1 && partial_facts.iter().all(|f| f.5),
        "a cut-short file stores at most one partial activity: {partial_facts:?}"
    );
    assert_like_one_shot(&tw, &tw.sync(), "oneshot-cut.db");

    // The rest arrives: the file is written again, whole.
    std::fs::write(&path, &whole).unwrap();
    let full = daemon.wait_until("cut.fit complete", || {
        file_row(&tw.db(), &path).and_then(|r| {
            if r.outcome == "complete" {
                Ok(r)
            } else {
                Err(format!("outcome {}", r.outcome))
            }
        })
    });
    assert_eq!(full.id, cut.id, "the same files row is completed");
    assert_eq!(full.content_hash, sha256_hex(&whole));
    let conn = open_store(&tw.db());
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM files"), 1);
    let facts = activity_facts(&conn);
    assert_eq!(facts.len(), 1, "one activity: {facts:?}");
    assert!(!facts[0].5, "no longer partial: {facts:?}");
    assert_eq!(
        count(
            &conn,
            &format!(
                "SELECT COUNT(*) FROM activities WHERE file_id = {}",
                full.id
            )
        ),
        1
    );
    drop(conn);
    assert_like_one_shot(&tw, &tw.sync(), "oneshot-whole.db");
    daemon.terminate();
    done("truncated_then_whole", started);
}

// ---------------------------------------------------------------------------
// 10. Reads are not changes.
// ---------------------------------------------------------------------------

#[test]
fn reading_a_stored_file_never_makes_the_daemon_ingest_it_again() {
    let started = Instant::now();
    let tw = Tw::new();
    let rescan_s = 1;
    let config = write_config(&tw, rescan_s, 2);
    let mut daemon = Daemon::start(&tw, &config, &tw.sync(), "daemon");

    let path = tw.copy_real_to("fit/roznet__sample.fit", "run.fit");
    let size = std::fs::metadata(&path).unwrap().len();
    let row = daemon.wait_until("run.fit stored", || file_row(&tw.db(), &path));
    assert_eq!(row.outcome, "complete");
    // Let it go idle: its own read of the file, the rules, a rescan tick.
    std::thread::sleep(Duration::from_millis(1500));
    let before_rows = file_rows(&open_store(&tw.db()));
    let before_acts = activity_facts(&open_store(&tw.db()));
    let before_log = daemon.log_text();
    let before_rchar = proc_rchar(daemon.pid);

    for _ in 0..5 {
        let out = Command::new("cat")
            .arg(&path)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(out.success());
        assert_eq!(std::fs::read(&path).unwrap().len() as u64, size);
    }
    // Give it every chance to react: the debounce, then two rescan ticks.
    std::thread::sleep(Duration::from_millis(DEBOUNCE_MS + 2500 * rescan_s));
    daemon.assert_running();

    let read_by_daemon = proc_rchar(daemon.pid) - before_rchar;
    let after_rows = file_rows(&open_store(&tw.db()));
    assert_eq!(
        after_rows, before_rows,
        "reading the file changed the files rows"
    );
    assert_eq!(
        after_rows[&*path.to_string_lossy()].ingested_ms,
        row.ingested_ms
    );
    assert_eq!(activity_facts(&open_store(&tw.db())), before_acts);
    let after_log = daemon.log_text();
    assert_eq!(
        after_log.get(before_log.len()..).unwrap_or(""),
        "",
        "the daemon logged something after the file was only read"
    );
    eprintln!(
        "reads: the daemon read {read_by_daemon} bytes while the {size}-byte file was read 10 times"
    );
    assert!(
        read_by_daemon < size / 2,
        "the daemon read {read_by_daemon} bytes after the file was only read (file: {size} bytes)"
    );
    assert_like_one_shot(&tw, &tw.sync(), "oneshot.db");
    daemon.terminate();
    done("reads_are_not_changes", started);
}

// ---------------------------------------------------------------------------
// 11. Configuration and a missing folder.
// ---------------------------------------------------------------------------

#[test]
fn a_bad_watch_mode_fails_fast_with_one_line_naming_the_key() {
    let started = Instant::now();
    let tw = Tw::new();
    let config = tw.root().join("tendonwatch.toml");
    std::fs::write(&config, "[watch]\nmode = \"sometimes\"\n").unwrap();
    let mut cmd = tw.command();
    cmd.arg("--config")
        .arg(&config)
        .arg("watch")
        .arg(tw.sync())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let t = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if t.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`watch` with a bad config is still running after 10 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let took = t.elapsed();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "exit {}: {stderr}", out.status);
    assert!(took < Duration::from_secs(5), "took {took:?} to fail");
    assert_no_panic(&stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one error line, got:\n{stderr}");
    let line = lines[0];
    assert!(line.starts_with("tendonwatch: error: "), "{line}");
    assert!(line.contains("mode"), "should name the key: {line}");
    assert!(line.contains("sometimes"), "should name the value: {line}");
    assert!(
        line.contains(&*config.to_string_lossy()),
        "should name the file: {line}"
    );
    assert!(out.stdout.is_empty());
    done("bad_config", started);
}

/// How a sync folder can be out of reach when the daemon starts.
#[derive(Debug, Clone, Copy, PartialEq)]
enum OutOfReach {
    /// Not there (not mounted yet, a typo).
    Missing,
    /// There, but not readable by the daemon's user.
    Unreadable,
}

/// Issue 22, point 5: a sync folder missing or unreadable at start is
/// handled the same way — the daemon keeps running, says in one readable
/// line which folder and why (in its log, and on `status` and `status
/// --json` from another process), watches for it, and reads it once it
/// is there; then `status` says nothing about it any more.
fn an_out_of_reach_folder_is_waited_for(case: OutOfReach) {
    let started = Instant::now();
    let tw = Tw::new();
    let config = write_config(&tw, 1, 2);
    let folder = tw.root().join("nas/runs");
    // Unreadable: a folder with mode 000 stops any user but root, so as
    // root the daemon runs as `nobody`, on a store it can write.
    let as_root = std::fs::metadata(tw.root()).unwrap().uid() == 0;
    let uid = (case == OutOfReach::Unreadable && as_root).then_some(65534);
    if uid.is_some() {
        for dir in [tw.root(), &tw.root().join("state")] {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        }
    }
    if case == OutOfReach::Unreadable {
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o000)).unwrap();
    }
    let (kind, words) = match case {
        OutOfReach::Missing => ("missing", "is missing (not mounted yet"),
        OutOfReach::Unreadable => ("unreadable", "is unreadable (permission denied)"),
    };
    let line = format!("sync folder {} {words}", folder.display());

    let mut daemon = Daemon::start_as(&tw, &config, &folder, "daemon", uid);
    daemon.wait_for_log(&line);
    let said = log_lines(&daemon.log_text(), &line).join("\n");
    assert!(
        said.contains(" WARN ") && said.ends_with("; waiting for it"),
        "{said}"
    );
    let log = daemon.log_text();
    assert!(!log.contains("[\"") && !log.contains("os error"), "{log}");
    // It keeps running without the folder.
    std::thread::sleep(Duration::from_millis(1500));
    daemon.assert_running();

    // `status` says it, in the same words, from another process.
    let status = tw.run_with_config(&config, &["status"]);
    let first = status
        .assert_ok()
        .stdout
        .lines()
        .next()
        .unwrap_or("")
        .to_string();
    assert!(
        first.starts_with(&line) && first.ends_with("; waiting for it"),
        "{}",
        status.stdout
    );
    let json = tw.run_with_config(&config, &["status", "--json"]).json();
    let waiting = &json["sync_folders_waiting"];
    assert_eq!(waiting.as_array().map(Vec::len), Some(1), "{waiting}");
    assert_eq!(
        waiting[0]["path"],
        folder.to_string_lossy().as_ref(),
        "{waiting}"
    );
    assert_eq!(waiting[0]["kind"], kind, "{waiting}");
    assert_eq!(waiting[0]["line"], first.as_str(), "{waiting}");

    // Mounted (created, or opened up): read within a moment.
    std::fs::create_dir_all(&folder).unwrap();
    for f in SMALL_RUNS {
        let name = Path::new(f).file_name().unwrap();
        std::fs::copy(real(f), folder.join(name)).unwrap();
    }
    std::fs::create_dir(folder.join("2024")).unwrap();
    std::fs::copy(real("gpx/run_gpxtpx.gpx"), folder.join("2024/run.gpx")).unwrap();
    if case == OutOfReach::Unreadable {
        util::chmod_tree(&folder, 0o755, 0o644);
    }
    daemon.wait_for_paths(&tw.db(), &candidates(&folder));
    assert_like_one_shot(&tw, &folder, "oneshot.db");
    let status = tw.run_with_config(&config, &["status"]);
    assert!(
        !status.assert_ok().stdout.contains("sync folder"),
        "{}",
        status.stdout
    );
    let json = tw.run_with_config(&config, &["status", "--json"]).json();
    assert_eq!(json["sync_folders_waiting"], serde_json::json!([]));
    daemon.terminate();
    done(&format!("{case:?} sync folder"), started);
}

#[test]
fn a_missing_sync_folder_is_waited_for_and_read_once_it_is_created() {
    an_out_of_reach_folder_is_waited_for(OutOfReach::Missing);
}

#[test]
fn an_unreadable_sync_folder_is_waited_for_like_a_missing_one() {
    an_out_of_reach_folder_is_waited_for(OutOfReach::Unreadable);
}

// ---------------------------------------------------------------------------
// 12. The log names the file (issue 21, point 8).
// ---------------------------------------------------------------------------

/// An export bundle of `entries` (name, bytes), stored uncompressed.
fn zip_of(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in entries {
        zip.start_file(*name, stored).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// At the default level the daemon says, for each file and each entry of
/// a bundle, what became of it in exactly one line that starts with its
/// path: stored (with fitparser's complaint about the COROS ride's fields
/// as a note, never as its bare `ERROR: field size …` line), already known,
/// skipped or failed. Rescans of the unchanged files add nothing.
#[test]
fn the_daemon_says_what_became_of_each_file_in_one_line_naming_it() {
    let started = Instant::now();
    let tw = Tw::new();
    let config = write_config(&tw, 1, 1);
    tw.copy_real_to(util::MISALIGNED_FIT, "coros.fit");
    tw.copy_real_to("fit/activity-filecrc.fit", "broken/activity-filecrc.fit");
    tw.copy_real_to("fit/MonitoringFile.fit", "MonitoringFile.fit");
    tw.copy_real_to("fit/with_nones.fit", "with_nones.fit");
    tw.copy_real_to("fit/with_nones.fit", "copy/with_nones.fit");
    let coros = std::fs::read(real(util::MISALIGNED_FIT)).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&coros).unwrap();
    std::fs::write(
        tw.sync().join("export.zip"),
        zip_of(&[
            ("activities/coros.fit.gz", gz.finish().unwrap()),
            (
                "activities/ride.fit",
                std::fs::read(real("fit/compressed-speed-distance.fit")).unwrap(),
            ),
            ("profile.json", b"{}".to_vec()),
        ]),
    )
    .unwrap();
    let sync = std::fs::canonicalize(tw.sync()).unwrap();
    let at = |rel: &str| sync.join(rel).to_string_lossy().into_owned();
    let entry = |name: &str| format!("{}!/activities/{name}", at("export.zip"));
    let paths = [
        at("coros.fit"),
        at("broken/activity-filecrc.fit"),
        at("MonitoringFile.fit"),
        at("with_nones.fit"),
        at("copy/with_nones.fit"),
        at("export.zip"),
        entry("coros.fit.gz"),
        entry("ride.fit"),
    ];

    let mut daemon = Daemon::start(&tw, &config, &tw.sync(), "daemon");
    let log = daemon.log.clone();
    daemon.wait_until("a line about every file", || {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let missing: Vec<&String> = paths
            .iter()
            .filter(|p| util::log_lines_about(&text, p).is_empty())
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(format!("no line yet about {missing:?}"))
        }
    });
    // Rescans (every second) find every file unchanged: nothing to say.
    std::thread::sleep(Duration::from_millis(2500));
    let log = daemon.terminate();
    done("file_lines", started);

    util::assert_no_bare_lines(&log);
    util::assert_one_line_per_file(&log, &paths);
    // Every line about a decoding problem is a file's line.
    let about_decoding = ["field", "CRC", "corrupt", "truncated", "not an activity"];
    let unnamed: Vec<&str> = log
        .lines()
        .filter(|l| about_decoding.iter().any(|w| l.contains(w)))
        .filter(|l| {
            let message = util::log_message(l).unwrap_or(l);
            !paths.iter().any(|p| message.starts_with(&format!("{p}: ")))
        })
        .collect();
    assert!(unnamed.is_empty(), "{unnamed:#?}\n--- log\n{log}");
    let line = |path: &str| util::log_lines_about(&log, path).join("");
    // The ride is in the folder and (gzipped) in the bundle: whichever is
    // read first is stored, with the note, the other is a duplicate of it
    // (read in the same batch) or already known (a later one).
    let rides = [line(&paths[0]), line(&paths[6])];
    let stored: Vec<&String> = rides
        .iter()
        .filter(|l| l.contains(": stored as activity"))
        .collect();
    assert_eq!(stored.len(), 1, "{rides:#?}");
    assert!(
        stored[0].contains(" INFO ")
            && stored[0].contains("(cycling, 32.1 km)")
            && stored[0].contains("read as bytes"),
        "{}",
        stored[0]
    );
    assert!(
        rides
            .iter()
            .any(|l| l.contains("already known") || l.contains(": a duplicate of activity")),
        "{rides:#?}"
    );
    assert!(line(&paths[1]).contains(" WARN "), "{log}");
    assert!(
        line(&paths[2]).contains("skipped: not an activity"),
        "{log}"
    );
    // Two copies of one file in one batch: one stored, the other named
    // a duplicate of it (issue 22: not "already known").
    assert!(
        [(&paths[3], &paths[4]), (&paths[4], &paths[3])]
            .iter()
            .any(|(p, of)| line(p).contains(&format!(": a duplicate of {of} (the same bytes)"))),
        "{log}"
    );
    assert!(line(&paths[7]).contains("stored as activity"), "{log}");
}
