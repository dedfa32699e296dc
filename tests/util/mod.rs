//! Helpers for integration tests that run the real `tendonwatch` binary on a
//! temp folder (in the style of ripgrep's `tests/util.rs`).
//!
//! `Tw::new()` makes a temp dir holding `sync/` (the watch's sync folder) and
//! `state/tw.db` (the store). Every command runs with `HOME` pointing at the
//! temp dir and the tendonwatch / XDG / systemd variables removed, so nothing
//! of the machine running the tests leaks in. Real fixtures are copied from
//! `../shared/fixtures/real` at run time, never kept in the repo.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use rusqlite::Connection;
use rusqlite::types::ValueRef;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::time::SystemTime;

/// The real FIT/GPX files (`fit/`, `gpx/`), shared by the team, outside the repo.
pub const REAL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/real");
/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_tendonwatch");

/// Environment variables that would change where tendonwatch looks for its
/// config and store, or how it logs.
const SCRUBBED_ENV: &[&str] = &[
    "TENDONWATCH_CONFIG",
    "TENDONWATCH_DB",
    "TENDONWATCH_LOG",
    "RUST_LOG",
    "XDG_CONFIG_HOME",
    "XDG_STATE_HOME",
    "CONFIGURATION_DIRECTORY",
    "STATE_DIRECTORY",
];

/// A real fixture by its path relative to [`REAL`] (`"fit/with_nones.fit"`).
pub fn real(rel: &str) -> PathBuf {
    Path::new(REAL).join(rel)
}

/// Every real fixture as `"fit/…"` / `"gpx/…"`, sorted.
pub fn real_files() -> Vec<String> {
    let mut all = Vec::new();
    for sub in ["fit", "gpx"] {
        for entry in std::fs::read_dir(real(sub)).expect("the real fixture folder") {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_file() {
                all.push(format!("{sub}/{}", entry.file_name().to_string_lossy()));
            }
        }
    }
    all.sort();
    all
}

/// What one run of the binary gave.
#[derive(Debug)]
pub struct Run {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Panic (showing both streams) unless the command exited 0.
    #[track_caller]
    pub fn assert_ok(&self) -> &Run {
        assert!(
            self.status.success(),
            "tendonwatch failed with {}\n--- stdout\n{}\n--- stderr\n{}",
            self.status,
            self.stdout,
            self.stderr
        );
        self
    }

    /// stdout parsed as JSON (after `assert_ok`).
    #[track_caller]
    pub fn json(&self) -> Value {
        self.assert_ok();
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// A temp dir with a sync folder and a store, and the binary pointed at them.
pub struct Tw {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Tw {
    pub fn new() -> Tw {
        let dir = tempfile::Builder::new()
            .prefix("tendonwatch-test-")
            .tempdir()
            .expect("a temp dir");
        let root = dir.path().to_path_buf();
        std::fs::create_dir_all(root.join("sync")).unwrap();
        std::fs::create_dir_all(root.join("state")).unwrap();
        Tw { _dir: dir, root }
    }

    /// The temp dir itself (also `$HOME` and the working directory).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The sync folder, `<root>/sync`.
    pub fn sync(&self) -> PathBuf {
        self.root.join("sync")
    }

    /// The store, `<root>/state/tw.db`.
    pub fn db(&self) -> PathBuf {
        self.root.join("state/tw.db")
    }

    /// Another store next to the default one: `<root>/state/<name>`.
    pub fn other_db(&self, name: &str) -> PathBuf {
        self.root.join("state").join(name)
    }

    /// The binary with a scrubbed environment, but no `--db`.
    pub fn bare_command(&self) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.current_dir(&self.root).env("HOME", &self.root);
        for var in SCRUBBED_ENV {
            cmd.env_remove(var);
        }
        cmd
    }

    /// The binary with `--db <db>`.
    pub fn command_with_db(&self, db: &Path) -> Command {
        let mut cmd = self.bare_command();
        cmd.arg("--db").arg(db);
        cmd
    }

    /// The binary with `--db state/tw.db`.
    pub fn command(&self) -> Command {
        self.command_with_db(&self.db())
    }

    /// Run a prepared command to completion.
    pub fn run_command(mut cmd: Command) -> Run {
        let out = cmd.output().expect("tendonwatch runs");
        Run {
            status: out.status,
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// A config in the root naming the runner's zone (`"Europe/Berlin"`);
    /// its path. Each zone has its own file.
    pub fn zone_config(&self, zone: &str) -> PathBuf {
        let path = self.root.join(format!("{}.toml", zone.replace('/', "-")));
        std::fs::write(&path, format!("[profile]\ntime_zone = \"{zone}\"\n")).unwrap();
        path
    }

    /// `tendonwatch --config CONFIG --db state/tw.db ARGS…`
    pub fn run_with_config(&self, config: &Path, args: &[&str]) -> Run {
        let mut cmd = self.command();
        cmd.arg("--config").arg(config).args(args);
        Tw::run_command(cmd)
    }

    /// `tendonwatch --db state/tw.db ARGS…`
    pub fn run(&self, args: &[&str]) -> Run {
        let mut cmd = self.command();
        cmd.args(args);
        Tw::run_command(cmd)
    }

    /// `tendonwatch ARGS…` (no `--db`).
    pub fn run_bare(&self, args: &[&str]) -> Run {
        let mut cmd = self.bare_command();
        cmd.args(args);
        Tw::run_command(cmd)
    }

    /// `tendonwatch demo` fed to the end as fast as it goes, its folder
    /// kept under the root: the store it leaves.
    #[track_caller]
    pub fn demo_store(&self) -> PathBuf {
        let tmp = self.root.join("demo-tmp");
        std::fs::create_dir_all(&tmp).unwrap();
        let mut cmd = self.bare_command();
        cmd.args([
            "demo",
            "--bind",
            "127.0.0.1:0",
            "--week-seconds",
            "0",
            "--exit-after-feed",
            "--keep",
        ])
        .env("TMPDIR", &tmp);
        let run = Tw::run_command(cmd);
        run.assert_ok();
        let folder = run
            .stdout
            .lines()
            .find_map(|l| l.strip_prefix("demo folder: "))
            .and_then(|rest| rest.split(" (").next())
            .map(PathBuf::from)
            .unwrap_or_else(|| panic!("no demo folder line:\n{}", run.stdout));
        folder.join("tendonwatch.db")
    }

    /// `tendonwatch import PATHS…` into `db`.
    pub fn import_into<P: AsRef<Path>>(&self, db: &Path, paths: &[P], json: bool) -> Run {
        let mut cmd = self.command_with_db(db);
        cmd.arg("import");
        for p in paths {
            cmd.arg(p.as_ref());
        }
        if json {
            cmd.arg("--json");
        }
        Tw::run_command(cmd)
    }

    /// `tendonwatch import PATHS…` (text summary).
    pub fn import<P: AsRef<Path>>(&self, paths: &[P]) -> Run {
        self.import_into(&self.db(), paths, false)
    }

    /// `tendonwatch import PATHS… --json`, which must succeed; the summary.
    #[track_caller]
    pub fn import_json<P: AsRef<Path>>(&self, paths: &[P]) -> Value {
        self.import_into(&self.db(), paths, true).json()
    }

    /// `tendonwatch activities --all --json` (every stored activity), which
    /// must succeed; stdout verbatim.
    #[track_caller]
    pub fn activities_raw(&self) -> String {
        let run = self.run(&["activities", "--all", "--json"]);
        run.assert_ok();
        run.stdout
    }

    /// `tendonwatch activities --all --json`, parsed.
    #[track_caller]
    pub fn activities_json(&self) -> Vec<Value> {
        match self.run(&["activities", "--all", "--json"]).json() {
            Value::Array(items) => items,
            other => panic!("activities --json is not an array: {other}"),
        }
    }

    /// Copy a real fixture (`"fit/with_nones.fit"`) into `sync/` under its
    /// own file name; returns the copy's path.
    pub fn copy_real(&self, rel: &str) -> PathBuf {
        let name = Path::new(rel).file_name().expect("a file name");
        self.copy_real_to(rel, Path::new(name))
    }

    /// Copy a real fixture to `sync/<dest>` (folders created as needed).
    pub fn copy_real_to(&self, rel: &str, dest: impl AsRef<Path>) -> PathBuf {
        let to = self.sync().join(dest);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(real(rel), &to)
            .unwrap_or_else(|e| panic!("copying {rel} to {}: {e}", to.display()));
        to
    }

    /// Copy every real fixture to `sync/fit/…` and `sync/gpx/…`.
    pub fn copy_all_real(&self) -> Vec<PathBuf> {
        real_files()
            .iter()
            .map(|f| self.copy_real_to(f, f))
            .collect()
    }

    /// Open the default store directly.
    pub fn conn(&self) -> Connection {
        open(&self.db())
    }

    /// `SELECT COUNT(*) FROM <table>` in the default store.
    pub fn count(&self, table: &str) -> i64 {
        count(&self.conn(), table)
    }
}

/// Open a store file with rusqlite (it must exist).
pub fn open(db: &Path) -> Connection {
    assert!(db.exists(), "no store at {}", db.display());
    Connection::open(db).unwrap_or_else(|e| panic!("opening {}: {e}", db.display()))
}

pub fn count(conn: &Connection, table: &str) -> i64 {
    conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

/// `PRAGMA integrity_check` as one string (`"ok"` when healthy).
pub fn integrity(conn: &Connection) -> String {
    let mut stmt = conn.prepare("PRAGMA integrity_check").unwrap();
    let rows: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    rows.join("\n")
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every row of `table`, all columns except `skip`, one line per row in
/// rowid order; blobs as length + SHA-256. For "nothing changed" snapshots.
/// The tables a refused form must leave as they were: pain, VISA-A,
/// alerts, the runner's tags and the activities.
pub const FORM_TABLES: &[&str] = &[
    "pain",
    "visa_a",
    "alerts",
    "surface_tags",
    "sport_tags",
    "start_tags",
    "activities",
];

/// Every row of each of `tables`, as text.
pub fn dump_tables(conn: &Connection, tables: &[&str]) -> Vec<Vec<String>> {
    tables.iter().map(|t| dump_table(conn, t, &[])).collect()
}

pub fn dump_table(conn: &Connection, table: &str, skip: &[&str]) -> Vec<String> {
    let mut stmt = conn
        .prepare(&format!("SELECT * FROM {table} ORDER BY rowid"))
        .unwrap();
    let names: Vec<String> = stmt.column_names().iter().map(|s| s.to_string()).collect();
    let mut rows = stmt.query([]).unwrap();
    let mut out = Vec::new();
    while let Some(row) = rows.next().unwrap() {
        let mut line = String::new();
        for (i, name) in names.iter().enumerate() {
            if skip.contains(&name.as_str()) {
                continue;
            }
            let value = match row.get_ref(i).unwrap() {
                ValueRef::Null => "NULL".to_string(),
                ValueRef::Integer(v) => v.to_string(),
                ValueRef::Real(v) => format!("{v:?}"),
                ValueRef::Text(t) => format!("{:?}", String::from_utf8_lossy(t)),
                ValueRef::Blob(b) => format!("blob[{}]:{}", b.len(), sha256_hex(b)),
            };
            line.push_str(&format!("{name}={value} "));
        }
        out.push(line);
    }
    out
}

/// What the file system shows of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileFacts {
    pub sha256: String,
    pub len: u64,
    pub modified: SystemTime,
    pub mode: u32,
}

/// Every entry under `dir` (recursively, hidden ones included): files with
/// their hash, size, mtime and mode; folders with their mode. Keyed by path.
pub fn tree_snapshot(dir: &Path) -> BTreeMap<PathBuf, FileFacts> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let facts = FileFacts {
                sha256: if meta.is_file() {
                    sha256_hex(&std::fs::read(&path).unwrap())
                } else {
                    String::new()
                },
                len: if meta.is_file() { meta.len() } else { 0 },
                modified: meta.modified().unwrap(),
                mode: meta.permissions().mode(),
            };
            if meta.is_dir() {
                stack.push(path.clone());
            }
            out.insert(path, facts);
        }
    }
    out
}

/// Paths (as tendonwatch spells them when given `dir`) of every regular file
/// under `dir`.
pub fn files_under(dir: &Path) -> BTreeSet<String> {
    tree_snapshot(dir)
        .into_iter()
        .filter(|(p, _)| p.is_file())
        .map(|(p, _)| p.to_string_lossy().into_owned())
        .collect()
}

/// Set permissions on every entry under `dir` (and `dir` itself): `dir_mode`
/// for folders, `file_mode` for files. Folders are changed after their
/// contents when locking and before them when unlocking.
pub fn chmod_tree(dir: &Path, dir_mode: u32, file_mode: u32) {
    let set = |p: &Path, mode: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode))
            .unwrap_or_else(|e| panic!("chmod {mode:o} {}: {e}", p.display()));
    };
    let unlocking = dir_mode & 0o200 != 0;
    if unlocking {
        set(dir, dir_mode);
    }
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if std::fs::symlink_metadata(&path).unwrap().is_dir() {
            chmod_tree(&path, dir_mode, file_mode);
        } else {
            set(&path, file_mode);
        }
    }
    if !unlocking {
        set(dir, dir_mode);
    }
}

/// Makes a folder tree read-only until dropped (then restores 0755 / 0644 so
/// the temp dir can be removed even when a test fails half-way).
pub struct ReadOnly(PathBuf);

impl ReadOnly {
    pub fn new(dir: &Path) -> ReadOnly {
        chmod_tree(dir, 0o555, 0o444);
        ReadOnly(dir.to_path_buf())
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        chmod_tree(&self.0, 0o755, 0o644);
    }
}

/// The keys of a JSON object, sorted.
pub fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .unwrap_or_else(|| panic!("not a JSON object: {v}"))
        .keys()
        .cloned()
        .collect()
}

/// A tiny deterministic PRNG (xorshift64*), for reproducible "random" delays.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// What a kept recording looks like: start, sport, sub-sport, session,
/// sample count, partial, format.
pub type ActivityFacts = (i64, String, String, i64, i64, bool, String);

/// Every activity's facts, sorted (a Vec, so a run stored twice shows).
pub fn activity_facts(conn: &Connection) -> Vec<ActivityFacts> {
    let mut stmt = conn
        .prepare(
            "SELECT start_ms, sport, sub_sport, session_index, sample_count, partial, format
             FROM activities ORDER BY start_ms, sport, session_index, sample_count",
        )
        .unwrap();
    stmt.query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
        ))
    })
    .unwrap()
    .collect::<rusqlite::Result<_>>()
    .unwrap()
}

/// The first column of every row of `sql`, as text.
pub fn strings(conn: &Connection, sql: &str) -> Vec<String> {
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

/// A GPX run: a straight line north at `pace_s_per_km`, one point every
/// 5 s from `start`, with the file's own `<metadata><time>` if given.
pub fn gpx_run(
    name: &str,
    metadata: Option<chrono::DateTime<chrono::Utc>>,
    start: chrono::DateTime<chrono::Utc>,
    km: f64,
) -> String {
    let pace_s_per_km = 330.0;
    let seconds = (km * pace_s_per_km) as i64;
    let mut points = String::new();
    for t in (0..=seconds).step_by(5) {
        let lat = 46.0 + (t as f64 / pace_s_per_km) * (1.0 / 111.195);
        let at = start + chrono::Duration::seconds(t);
        points.push_str(&format!(
            "<trkpt lat=\"{lat:.7}\" lon=\"14.5\"><ele>300</ele><time>{}</time></trkpt>\n",
            at.format("%Y-%m-%dT%H:%M:%SZ")
        ));
    }
    let metadata = metadata
        .map(|m| {
            format!(
                "<metadata><time>{}</time></metadata>",
                m.format("%Y-%m-%dT%H:%M:%SZ")
            )
        })
        .unwrap_or_default();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gpx version=\"1.1\" creator=\"test\" \
         xmlns=\"http://www.topografix.com/GPX/1/1\">{metadata}<trk><name>{name}</name>\
         <type>running</type><trkseg>\n{points}</trkseg></trk></gpx>\n"
    )
}

/// What a log line says past tracing's time and level
/// ("2026-05-02T07:00:00.1Z  WARN /sync/a.fit: failed: …" →
/// "/sync/a.fit: failed: …"); None for a line tracing did not write, such
/// as one a library printed to stderr on its own.
pub fn log_message(line: &str) -> Option<&str> {
    let (time, rest) = line.split_once(' ')?;
    if !(time.contains('T') && time.ends_with('Z')) {
        return None;
    }
    let (level, message) = rest.trim_start().split_once(' ')?;
    ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"]
        .contains(&level)
        .then(|| message.trim_start())
}

/// The lines of `log` about the file (or bundle entry) `path`: their
/// message starts with "PATH: ".
pub fn log_lines_about<'a>(log: &'a str, path: &str) -> Vec<&'a str> {
    let prefix = format!("{path}: ");
    log.lines()
        .filter(|l| log_message(l).is_some_and(|m| m.starts_with(&prefix)))
        .collect()
}

/// Every line of `log` was written by tracing, with its time and level:
/// none was printed bare by a decoding library.
#[track_caller]
pub fn assert_no_bare_lines(log: &str) {
    let bare: Vec<&str> = log
        .lines()
        .filter(|l| !l.trim().is_empty() && log_message(l).is_none())
        .collect();
    assert!(
        bare.is_empty(),
        "lines not written by the log: {bare:#?}\n--- log\n{log}"
    );
}

/// Each of `paths` has exactly one line in `log`: what became of it.
#[track_caller]
pub fn assert_one_line_per_file(log: &str, paths: &[String]) {
    for path in paths {
        let lines = log_lines_about(log, path);
        assert_eq!(
            lines.len(),
            1,
            "one line about {path}, got {lines:#?}\n--- log\n{log}"
        );
    }
}

/// The real FIT file on which fitparser prints `ERROR: field size …` to
/// stderr (five field definitions of 1 byte typed uint32).
pub const MISALIGNED_FIT: &str = "fit/coros-pace-2-cycling-misaligned-fields.fit";

/// Whether `ok` holds within `deadline_s` seconds, asked every 50 ms (a
/// daemon does things on its own time).
pub fn wait(deadline_s: u64, mut ok: impl FnMut() -> bool) -> bool {
    let t = std::time::Instant::now();
    while t.elapsed() < std::time::Duration::from_secs(deadline_s) {
        if ok() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    false
}
