//! One `tendonwatch watch` for a club, on the real binary, with 1
//! (reference), 10, 50 and 500 runners of 300 runs each:
//! - startup: from spawn until every runner logged that it is watching
//!   (" watching …, store …", once per runner), and until the process went
//!   quiet (every runner's startup reconciliation has stat'ed its 300 files
//!   against its store);
//! - idle: RSS (VmRSS, and the peak VmHWM so far), threads, open fds and
//!   how many are inotify instances, wake-ups per second over 10 s, and the
//!   soft open-file limit the daemon ran with;
//! - file → alert latency: a long-run spike renamed into one runner's sync
//!   folder until its first alert is in that runner's outbox (10 trials
//!   spread over the runners, the last one included; the spike raises
//!   run_spike and week_jump), and no other runner's store gained an alert;
//! - RSS and fds after the trials;
//! - with 10, 50 and 500 runners, the dashboard: the same `watch` started
//!   again with `[web] enabled = true` (on the stores the trials left), one
//!   login per account over HTTP, then request → last byte over loopback,
//!   30 requests each, for a runner's status page, runs list, newest run
//!   (the spike) and `/api/status`, and the overview `/athletes` of a coach
//!   who sees all N runners (its first page of 50 timed; every page walked
//!   once to check that each athlete is on one).
//!
//! A size whose daemon does not get every runner watched (it exits, or
//! waits for ever) is a result, not a panic: its row says how many runners
//! were watching and the daemon's last error line, and the bench goes on.
//!
//! The daemon runs under a soft limit of 1024 open files (set by the shell's
//! `ulimit -Sn` before it execs the binary): the default soft limit of a
//! systemd service that does not raise `LimitNOFILE`. Every row says the
//! limit read back from `/proc/PID/limits`.
//!
//! How the runners are made. Every runner has their own sync folder holding
//! the same 300 FIT files (hard links of one staging set) and their own
//! store:
//! - runners 0–9: `tendonwatch --runner NAME import` from their folder, the
//!   way a runner's store gets its history (~2.6 s and ~48 MB each); a
//!   pristine copy of each is put back before every size;
//! - runners 10–49: a copy of r00's imported store, with every column that
//!   names r00's folder (found by scanning every text column of the store)
//!   rewritten to name the runner's own folder; since their files are hard
//!   links of the same inodes, size and mtime match and startup
//!   reconciliation finds all 300 unchanged;
//! - runners 50–499: the same, from a slimmed copy of r00's store *without
//!   per-second samples* (the `samples` table, ~90 % of a store, read only
//!   by a run's own page and re-measuring): 500 full stores would be 24 GB
//!   and 22 minutes of imports. Everything the daemon, the rules and the
//!   coach overview read is there.
//!
//! After each size the bench checks every cloned store: nothing new was
//! ingested at startup (the 300 rows of `files` are the template's, each
//! naming a file in the runner's own folder with the stored size and mtime,
//! i.e. reconciliation's stat-only check finds it unchanged) — otherwise the
//! clone, and the numbers, would be wrong.
//!
//! Run: `cargo bench --bench household` (about 5–10 minutes on 2 cores;
//! it prints its wall time). Everything lives in one temp dir, removed at
//! the end.
#![allow(clippy::unwrap_used)]

#[path = "util/proc.rs"]
mod proc;
use proc::wait_for;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tendonwatch::sim::fit_writer::encode;
use tendonwatch::sim::training::{self, Event, Runner, Week};

const BIN: &str = env!("CARGO_BIN_EXE_tendonwatch");
const DAY_MS: i64 = 86_400_000;
/// 100 steady weeks of three runs (7.2, 7.2 and 9.6 km).
const WEEKS: usize = 100;
const RUNS: usize = 300;
const SIZES: [usize; 4] = [1, 10, 50, 500];
/// Runners whose store `import` builds; the others are clones.
const IMPORTED: usize = 10;
/// Clones from here on are slim (no per-second samples).
const SLIM_FROM: usize = 50;
const TRIALS: usize = 10;
/// The sizes whose dashboard is timed, and the requests per page.
const PAGE_SIZES: [usize; 3] = [10, 50, 500];
const PAGE_ROUNDS: usize = 30;
/// Idle wake-ups are counted over this long: at 500 runners ~1 a second is
/// expected, so a shorter window is coarse.
const WAKE_WINDOW: Duration = Duration::from_secs(10);
/// How long a size may take until every runner is watching.
const STARTUP_DEADLINE: Duration = Duration::from_secs(240);
/// The soft open-file limit the daemon runs under: systemd's default for a
/// service.
const OPEN_FILES_SOFT: u32 = 1024;
/// Every account's dashboard password (one hash for all, in the config).
const PASSWORD: &str = "household-bench-password";
/// The coach who sees every runner.
const COACH: &str = "coach";

/// Runner `i`'s name, folder and store.
fn name(i: usize) -> String {
    format!("r{i:02}")
}

struct Layout {
    root: PathBuf,
}

impl Layout {
    fn sync(&self, i: usize) -> PathBuf {
        self.root.join("sync").join(name(i))
    }
    fn db(&self, i: usize) -> PathBuf {
        self.root.join("stores").join(format!("{}.db", name(i)))
    }
    fn pristine(&self, i: usize) -> PathBuf {
        self.root.join("pristine").join(format!("{}.db", name(i)))
    }
    /// The store runner `i` is cloned from (r00's, full or slim).
    fn template(&self, i: usize) -> PathBuf {
        if i < SLIM_FROM {
            self.pristine(0)
        } else {
            self.root.join("pristine").join("slim.db")
        }
    }
    fn config(&self, n: usize) -> PathBuf {
        self.root.join(format!("household-{n}.toml"))
    }

    /// A household config with runners 0..n, each on their own folder and
    /// store; the webhook goes nowhere (delivery fails and retries later),
    /// as in the daemon bench. With `web` (a password hash): the dashboard
    /// on a loopback port of the system's choosing, every runner's login,
    /// and a coach who sees them all.
    fn write_config(&self, n: usize, web: Option<&str>) -> PathBuf {
        let mut toml = String::from(
            "[watch]\ndebounce_ms = 200\nrescan_s = 3600\n\n[notify.webhook]\nurl = \"http://127.0.0.1:9/closed\"\n",
        );
        if web.is_some() {
            toml.push_str("\n[web]\nenabled = true\nbind = \"127.0.0.1:0\"\n");
        }
        for i in 0..n {
            toml.push_str(&format!(
                "\n[[runner]]\nname = \"{}\"\nsync_folders = [\"{}\"]\ndb = \"{}\"\n",
                name(i),
                self.sync(i).display(),
                self.db(i).display()
            ));
            if let Some(hash) = web {
                toml.push_str(&format!("password_hash = \"{hash}\"\n"));
            }
        }
        let path = if let Some(hash) = web {
            let all: Vec<String> = (0..n).map(|i| format!("\"{}\"", name(i))).collect();
            toml.push_str(&format!(
                "\n[[coach]]\nname = \"{COACH}\"\nrunners = [{}]\npassword_hash = \"{hash}\"\n",
                all.join(", ")
            ));
            self.root.join(format!("household-{n}-web.toml"))
        } else {
            self.config(n)
        };
        std::fs::write(&path, toml).unwrap();
        path
    }

    /// Where `household.db` (the dashboard's logins) goes:
    /// `$STATE_DIRECTORY` of the daemon.
    fn state(&self) -> PathBuf {
        self.root.join("state")
    }

    fn outbox(&self, i: usize) -> i64 {
        match rusqlite::Connection::open(self.db(i)) {
            Ok(c) => c
                .query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get(0))
                .unwrap_or(0),
            Err(_) => 0,
        }
    }

    fn count(&self, i: usize, sql: &str) -> i64 {
        let c = rusqlite::Connection::open(self.db(i)).unwrap();
        c.query_row(sql, [], |r| r.get(0)).unwrap()
    }
}

/// Week 1 starts 100 weeks and a day before today: the last history run
/// (a Sunday) was two days ago, the spike (Monday of week 101) yesterday,
/// inside the notification horizon.
fn household_runner() -> Runner {
    let now = chrono::Utc::now().timestamp_millis();
    Runner {
        start_ms: (now - (WEEKS as i64 * 7 + 1) * DAY_MS).div_euclid(DAY_MS) * DAY_MS,
        ..Runner::default()
    }
}

/// The text columns of r00's store that name its sync folder, as
/// (table, column): what a clone rewrites.
type PathColumns = Vec<(String, String)>;

/// A folder as stored paths spell it inside: with its trailing slash, so
/// that r00's folder is never taken for a prefix of another name.
fn inside(folder: &Path) -> String {
    format!("{}/", folder.display())
}

/// The runs as FIT files in `staging`, hard-linked into every runner's
/// folder; the stores of runners 0–9 built by `import` (pristine copies
/// kept), the slim template, and the columns that name r00's folder.
fn prepare(l: &Layout, runners: usize) -> PathColumns {
    let r = household_runner();
    let weeks: Vec<Week> = (0..WEEKS).map(|_| training::steady_week(&r)).collect();
    let history = training::simulate(&r, &weeks);
    assert_eq!(history.len(), RUNS);
    let staging = l.root.join("staging");
    std::fs::create_dir_all(&staging).unwrap();
    let mut bytes = 0;
    for (i, a) in history.iter().enumerate() {
        let fit = encode(a);
        bytes += fit.len();
        std::fs::write(staging.join(format!("{i:03}.fit")), fit).unwrap();
    }
    println!(
        "history: {RUNS} runs ({WEEKS} steady weeks, 24 km a week), {:.1} MB of FIT",
        bytes as f64 / 1e6
    );
    let t = Instant::now();
    for i in 0..runners {
        let sync = l.sync(i);
        std::fs::create_dir_all(&sync).unwrap();
        for f in 0..RUNS {
            let n = format!("{f:03}.fit");
            std::fs::hard_link(staging.join(&n), sync.join(&n)).unwrap();
        }
    }
    println!(
        "folders: {runners} × {RUNS} hard links in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let imported = runners.min(IMPORTED);
    let config = l.write_config(imported, None);
    std::fs::create_dir_all(l.root.join("stores")).unwrap();
    std::fs::create_dir_all(l.root.join("pristine")).unwrap();
    let t = Instant::now();
    for i in 0..imported {
        let out = Command::new(BIN)
            .arg("--config")
            .arg(&config)
            .args(["--runner", &name(i), "import", "--json"])
            .env("TENDONWATCH_LOG", "warn")
            .stderr(Stdio::inherit())
            .output()
            .unwrap();
        assert!(out.status.success(), "import for {}", name(i));
        assert_eq!(
            l.count(i, "SELECT COUNT(*) FROM activities"),
            RUNS as i64,
            "{} has its runs",
            name(i)
        );
        std::fs::copy(l.db(i), l.pristine(i)).unwrap();
    }
    let mb = |p: &Path| std::fs::metadata(p).map_or(f64::NAN, |m| m.len() as f64 / 1e6);
    println!(
        "stores 0–{}: `tendonwatch --runner NAME import` of {RUNS} files, {:.1} s ({:.2} s each), {:.1} MB each",
        imported - 1,
        t.elapsed().as_secs_f64(),
        t.elapsed().as_secs_f64() / imported as f64,
        mb(&l.pristine(0))
    );

    let slim = l.template(SLIM_FROM);
    std::fs::copy(l.pristine(0), &slim).unwrap();
    let c = rusqlite::Connection::open(&slim).unwrap();
    c.execute_batch("DELETE FROM samples; VACUUM;").unwrap();
    drop(c);
    let columns = path_columns(&l.pristine(0), &inside(&l.sync(0)));
    let shown: Vec<String> = columns.iter().map(|(t, c)| format!("{t}.{c}")).collect();
    println!(
        "clones: runners {IMPORTED}–{} copy r00's store, {}–{} its slim copy without samples ({:.1} MB); the columns naming r00's folder, rewritten: {}",
        SLIM_FROM - 1,
        SLIM_FROM,
        runners.max(SLIM_FROM + 1) - 1,
        mb(&slim),
        shown.join(", ")
    );
    assert!(
        columns.contains(&("files".to_string(), "path".to_string())),
        "files.path names r00's folder"
    );
    columns
}

/// Every text column of the store at `db` in which some row mentions
/// `folder` (a table scan each, done once on the template).
fn path_columns(db: &Path, folder: &str) -> PathColumns {
    let c = rusqlite::Connection::open(db).unwrap();
    let tables: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut found = Vec::new();
    for table in tables {
        let columns: Vec<(String, String)> = c
            .prepare(&format!(
                "SELECT name, type FROM pragma_table_info('{table}')"
            ))
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for (column, kind) in columns {
            if !(kind.is_empty() || kind.to_ascii_uppercase().contains("TEXT")) {
                continue;
            }
            let hits: i64 = c
                .query_row(
                    &format!("SELECT COUNT(*) FROM \"{table}\" WHERE instr(\"{column}\", ?1) > 0"),
                    [folder],
                    |r| r.get(0),
                )
                .unwrap();
            if hits > 0 {
                found.push((table.clone(), column));
            }
        }
    }
    found
}

/// Give runner `i` back the store they start each size with, and take the
/// spike out of their folder: the pristine import for runners 0–9, a fresh
/// clone for the others.
fn restore(l: &Layout, columns: &PathColumns, i: usize) {
    let _ = std::fs::remove_file(l.sync(i).join("spike.fit"));
    for ext in ["-wal", "-shm"] {
        let mut p = l.db(i).into_os_string();
        p.push(ext);
        let _ = std::fs::remove_file(p);
    }
    if i < IMPORTED {
        std::fs::copy(l.pristine(i), l.db(i)).unwrap();
        return;
    }
    std::fs::copy(l.template(i), l.db(i)).unwrap();
    let (from, to) = (inside(&l.sync(0)), inside(&l.sync(i)));
    let mut c = rusqlite::Connection::open(l.db(i)).unwrap();
    let tx = c.transaction().unwrap();
    for (table, column) in columns {
        tx.execute(
            &format!(
                "UPDATE \"{table}\" SET \"{column}\" = replace(\"{column}\", ?1, ?2) WHERE instr(\"{column}\", ?1) > 0"
            ),
            [&from, &to],
        )
        .unwrap();
    }
    tx.commit().unwrap();
}

/// A cloned runner's store after a run of the daemon: its startup ingested
/// nothing. Its `files` rows other than the spike are the template's 300,
/// none stored since `started_ms`, each naming a file in the runner's own
/// folder whose size and mtime are the stored ones (reconciliation's
/// stat-only check finds it unchanged). Panics otherwise: the clone is
/// wrong.
fn check_clone(l: &Layout, i: usize, started_ms: i64) {
    let c = rusqlite::Connection::open(l.db(i)).unwrap();
    let own = inside(&l.sync(i));
    let mut q = c
        .prepare(
            "SELECT path, size, mtime_ns, ingested_ms FROM files WHERE path NOT LIKE '%/spike.fit'",
        )
        .unwrap();
    let rows: Vec<(String, i64, i64, i64)> = q
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        rows.len(),
        RUNS,
        "{}: a clone's files are the template's",
        name(i)
    );
    for (path, size, mtime_ns, ingested_ms) in rows {
        assert!(
            path.starts_with(&own),
            "{}: {path} is not in its folder",
            name(i)
        );
        assert!(
            ingested_ms < started_ms,
            "{}: {path} was ingested at startup",
            name(i)
        );
        let stat = tendonwatch::ingest::stat(Path::new(&path)).unwrap();
        assert_eq!(
            stat,
            (size as u64, mtime_ns),
            "{}: {path} unchanged",
            name(i)
        );
    }
}

struct Daemon {
    child: Child,
    watching: Arc<AtomicUsize>,
    /// Where the dashboard listens, once it logged "dashboard on http://…/".
    dashboard: Arc<Mutex<Option<SocketAddr>>>,
    /// The last line of its log that says "error" (any case), or else its
    /// last line: what a failed start is reported with.
    last_error: Arc<Mutex<Option<String>>>,
    last_line: Arc<Mutex<Option<String>>>,
    /// The soft open-file limit, read when the first log line came (the
    /// shell has exec'd the binary by then), so a daemon that exits soon
    /// still says what it ran with.
    open_files_limit: Arc<Mutex<Option<String>>>,
    log_reader: Option<JoinHandle<()>>,
}

impl Daemon {
    /// `tendonwatch --config CFG watch` (`$STATE_DIRECTORY` set to
    /// `state`) under a soft limit of [`OPEN_FILES_SOFT`] open files; counts
    /// the runners that logged "watching …, store …" from its stderr.
    fn start(config: &Path, state: &Path) -> Daemon {
        let mut child = Command::new("/bin/sh")
            .arg("-c")
            .arg(format!(
                "ulimit -Sn {OPEN_FILES_SOFT} 2>/dev/null; exec \"$0\" \"$@\""
            ))
            .arg(BIN)
            .arg("--config")
            .arg(config)
            .arg("watch")
            .env("TENDONWATCH_LOG", "info")
            .env("STATE_DIRECTORY", state)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let watching = Arc::new(AtomicUsize::new(0));
        let dashboard = Arc::new(Mutex::new(None));
        let last_error = Arc::new(Mutex::new(None));
        let last_line = Arc::new(Mutex::new(None));
        let open_files_limit = Arc::new(Mutex::new(None));
        let stderr = child.stderr.take().unwrap();
        let (w, web, err, last, limit) = (
            watching.clone(),
            dashboard.clone(),
            last_error.clone(),
            last_line.clone(),
            open_files_limit.clone(),
        );
        let pid = child.id();
        // Drain stderr to the end, so the daemon never blocks on the pipe.
        let log_reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                limit
                    .lock()
                    .unwrap()
                    .get_or_insert_with(|| proc::open_files_soft_limit(pid));
                if line.contains(" watching ") && line.contains(", store ") {
                    w.fetch_add(1, Ordering::SeqCst);
                } else if let Some((_, rest)) = line.split_once("dashboard on http://") {
                    let addr = rest.split('/').next().and_then(|a| a.parse().ok());
                    *web.lock().unwrap() = addr;
                } else if line.to_ascii_lowercase().contains("error") {
                    if line.contains("ERROR") {
                        eprintln!("daemon: {line}");
                    }
                    *err.lock().unwrap() = Some(line.clone());
                }
                *last.lock().unwrap() = Some(line);
            }
        });
        Daemon {
            child,
            watching,
            dashboard,
            last_error,
            last_line,
            open_files_limit,
            log_reader: Some(log_reader),
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn open_files_limit(&self) -> String {
        self.open_files_limit
            .lock()
            .unwrap()
            .clone()
            .unwrap_or_else(|| "?".to_string())
    }

    /// Wait until all `n` runners are watching, then until the process went
    /// quiet: the start of the first 300 ms without a CPU tick spent (the
    /// reconciliations are done). Both from `t`. A daemon that exits or
    /// does not get there in time: why, in one line.
    fn settle(&mut self, n: usize, t: Instant) -> Result<(Duration, f64), String> {
        let mut exited = None;
        let ready = wait_for(STARTUP_DEADLINE, || {
            exited = self.child.try_wait().ok().flatten();
            exited.is_some() || self.watching.load(Ordering::SeqCst) == n
        });
        let watching = self.watching.load(Ordering::SeqCst);
        let why = match (ready, exited) {
            (Some(ready), None) => {
                let mut last = proc::cpu_ticks(self.pid());
                let mut quiet_from = t.elapsed();
                loop {
                    std::thread::sleep(Duration::from_millis(300));
                    let now = proc::cpu_ticks(self.pid());
                    if now == last {
                        break;
                    }
                    last = now;
                    quiet_from = t.elapsed();
                }
                return Ok((ready, quiet_from.as_secs_f64()));
            }
            (_, Some(status)) => {
                // Its last words are in the pipe until the reader is done.
                if let Some(r) = self.log_reader.take() {
                    let _ = r.join();
                }
                format!(
                    "the daemon exited ({status}) after {:.1} s with {watching} of {n} runners watching",
                    t.elapsed().as_secs_f64()
                )
            }
            (None, None) => format!(
                "only {watching} of {n} runners watching after {} s",
                STARTUP_DEADLINE.as_secs()
            ),
        };
        let said = self
            .last_error
            .lock()
            .unwrap()
            .clone()
            .or_else(|| self.last_line.lock().unwrap().clone())
            .unwrap_or_default();
        Err(format!("{why}: {said}"))
    }

    fn status(&self, key: &str) -> f64 {
        proc::status(self.pid(), key)
    }

    /// (VmRSS, VmHWM) in MB.
    fn rss_mb(&self) -> (f64, f64) {
        (
            self.status("VmRSS:") / 1024.0,
            self.status("VmHWM:") / 1024.0,
        )
    }

    /// Wake-ups per second (context switches of all threads) over
    /// [`WAKE_WINDOW`].
    fn wakeups_per_s(&self) -> f64 {
        let w0 = proc::wakeups(self.pid());
        std::thread::sleep(WAKE_WINDOW);
        let w1 = proc::wakeups(self.pid());
        let woke: u64 = w1
            .iter()
            .filter_map(|(tid, v)| w0.get(tid).map(|b| v.saturating_sub(*b)))
            .sum();
        woke as f64 / WAKE_WINDOW.as_secs_f64()
    }

    fn stop(mut self) -> f64 {
        let t = Instant::now();
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(self.pid().to_string())
                .status();
        }
        let _ = self.child.wait();
        t.elapsed().as_secs_f64()
    }
}

/// What the daemon looked like, idle.
struct Idle {
    rss: f64,
    hwm: f64,
    threads: f64,
    fds: usize,
    inotify: usize,
    wakeups: f64,
    open_files_limit: String,
}

impl Idle {
    /// One second after it went quiet, then wake-ups over the window.
    fn of(d: &Daemon) -> Idle {
        std::thread::sleep(Duration::from_secs(1));
        let (rss, hwm) = d.rss_mb();
        let threads = d.status("Threads:");
        let (fds, inotify) = proc::fds(d.pid());
        Idle {
            rss,
            hwm,
            threads,
            fds,
            inotify,
            wakeups: d.wakeups_per_s(),
            open_files_limit: d.open_files_limit(),
        }
    }
}

struct Row {
    runners: usize,
    ready_s: f64,
    settled_s: f64,
    idle: Idle,
    after_rss: f64,
    after_hwm: f64,
    after_fds: usize,
    ms: Vec<f64>,
    stop_s: f64,
}

/// The runners that get a spike: `TRIALS` spread evenly over 0..n, the
/// first and the last included, each at most once (one spike per store:
/// a second one of the same length is no longer a spike).
fn trial_runners(n: usize) -> Vec<usize> {
    let k = TRIALS.min(n);
    if k == 1 {
        return vec![n - 1];
    }
    (0..k)
        .map(|t| (t * (n - 1) + (k - 1) / 2) / (k - 1))
        .collect()
}

fn measure(l: &Layout, n: usize, spike: &[u8]) -> Result<Row, String> {
    let config = l.write_config(n, None);
    let before: Vec<i64> = (0..n).map(|i| l.outbox(i)).collect();
    println!("\n{n} runner(s): `tendonwatch --config household-{n}.toml watch`");

    let started_ms = chrono::Utc::now().timestamp_millis();
    let t = Instant::now();
    let mut d = Daemon::start(&config, &l.state());
    let (ready, settled) = match d.settle(n, t) {
        Ok(times) => times,
        Err(why) => {
            let limit = d.open_files_limit();
            d.stop();
            println!("  failed: {why}");
            return Err(format!("{why} (open files soft limit {limit})"));
        }
    };
    println!(
        "  all {n} watching after {:.2} s, quiet after {settled:.2} s",
        ready.as_secs_f64()
    );
    let idle = Idle::of(&d);
    println!(
        "  idle: RSS {:.1} MB (peak {:.1} MB), {} threads, {:.1} wake-ups/s over {} s, {} open fds of which {} inotify instances (soft limit {})",
        idle.rss,
        idle.hwm,
        idle.threads,
        idle.wakeups,
        WAKE_WINDOW.as_secs(),
        idle.fds,
        idle.inotify,
        idle.open_files_limit
    );

    let mut ms = Vec::new();
    for &i in &trial_runners(n) {
        let other = if i + 1 < n { i + 1 } else { 0 };
        let (mine, theirs) = (l.outbox(i), l.outbox(other));
        let tmp = l.sync(i).join(".syncthing.spike.fit.tmp");
        std::fs::write(&tmp, spike).unwrap();
        let t = Instant::now();
        std::fs::rename(&tmp, l.sync(i).join("spike.fit")).unwrap();
        match wait_for(Duration::from_secs(20), || l.outbox(i) > mine) {
            Some(_) => {
                let took = t.elapsed().as_secs_f64() * 1000.0;
                println!(
                    "  spike into {}: alert in its outbox after {took:.0} ms",
                    name(i)
                );
                ms.push(took);
            }
            None => eprintln!("  spike into {}: no alert within 20 s", name(i)),
        }
        if other != i {
            assert_eq!(l.outbox(other), theirs, "{}'s store untouched", name(other));
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    std::thread::sleep(Duration::from_secs(1));
    let (after_rss, after_hwm) = d.rss_mb();
    let (after_fds, _) = proc::fds(d.pid());
    println!(
        "  after the trials: RSS {after_rss:.1} MB (peak {after_hwm:.1} MB), {after_fds} open fds"
    );
    let stop_s = d.stop();
    // Every runner's store: the spiked runners have their run_spike alert
    // (and the week_jump it brings), the others not one alert more.
    let spiked = trial_runners(n);
    for (i, b) in before.iter().enumerate() {
        if spiked.contains(&i) {
            let spikes = l.count(
                i,
                "SELECT COUNT(*) FROM outbox o JOIN alerts a ON a.id = o.alert_id WHERE a.kind = 'run_spike'",
            );
            assert_eq!(spikes, 1, "{}'s run_spike alert", name(i));
        } else {
            assert_eq!(l.outbox(i), *b, "{}'s outbox untouched", name(i));
        }
        if i >= IMPORTED {
            check_clone(l, i, started_ms);
        }
    }
    println!("  stopped in {stop_s:.2} s; every outbox holds exactly its own runner's alerts");
    if n > IMPORTED {
        println!(
            "  the {} cloned runners' startup ingested nothing: each store's {RUNS} files found unchanged in its own folder",
            n - IMPORTED
        );
    }
    ms.sort_by(f64::total_cmp);
    Ok(Row {
        runners: n,
        ready_s: ready.as_secs_f64(),
        settled_s: settled,
        idle,
        after_rss,
        after_hwm,
        after_fds,
        ms,
        stop_s,
    })
}

/// An answer: status, head, body.
struct Resp {
    status: u16,
    head: String,
    body: String,
}

impl Resp {
    fn parse(raw: &[u8]) -> Resp {
        let text = String::from_utf8_lossy(raw);
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        Resp {
            status: head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0),
            head: head.to_string(),
            body: body.to_string(),
        }
    }

    /// The value of the cookie `name` this answer sets.
    fn set_cookie(&self, name: &str) -> Option<String> {
        self.header("set-cookie").find_map(|v| {
            let (k, v) = v.split(';').next()?.split_once('=')?;
            (k.trim() == name).then(|| v.to_string())
        })
    }

    fn location(&self) -> Option<&str> {
        self.header("location").next()
    }

    /// The values of the header `name`, in order.
    fn header<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.head.lines().filter_map(move |l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

/// One request on a fresh connection, as a browser's first one would be:
/// the raw answer to its last byte.
fn exchange(addr: SocketAddr, method: &str, path: &str, cookie: &str, body: &str) -> Vec<u8> {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if !cookie.is_empty() {
        req.push_str(&format!("Cookie: {cookie}\r\n"));
    }
    if method == "POST" {
        req.push_str(&format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    raw
}

fn get(addr: SocketAddr, path: &str, cookie: &str) -> Resp {
    Resp::parse(&exchange(addr, "GET", path, cookie, ""))
}

/// Log `account` in (GET /login for the CSRF cookie, POST /login) and
/// follow `/` to their landing page; their cookies, the landing page and
/// how long the POST took (the argon2 check) in ms.
fn login(addr: SocketAddr, account: &str) -> (String, String, f64) {
    let csrf = get(addr, "/login", "")
        .set_cookie("tw_csrf")
        .expect("a CSRF cookie from /login");
    let t = Instant::now();
    let r = Resp::parse(&exchange(
        addr,
        "POST",
        "/login",
        &format!("tw_csrf={csrf}"),
        &format!("csrf={csrf}&name={account}&password={PASSWORD}"),
    ));
    let took = t.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(r.status, 303, "{account}'s login: {}", r.body);
    let session = r.set_cookie("tw_session").expect("a session cookie");
    let cookie = format!("tw_csrf={csrf}; tw_session={session}");
    let home = get(addr, "/", &cookie);
    assert_eq!(home.status, 303, "{account}: / sends them on");
    let landing = home.location().unwrap().to_string();
    (cookie, landing, took)
}

struct PageTime {
    page: String,
    median: f64,
    p95: f64,
    kib: f64,
}

struct PageRow {
    runners: usize,
    /// The idle RSS of the same `watch` without the dashboard.
    plain_rss: f64,
    start_s: f64,
    login_ms: f64,
    idle_rss: f64,
    after_rss: f64,
    threads: f64,
    fds: usize,
    pages: Vec<PageTime>,
}

impl PageRow {
    fn median(&self, page: &str) -> f64 {
        self.pages
            .iter()
            .find(|p| p.page == page)
            .map_or(f64::NAN, |p| p.median)
    }
}

/// The household's `watch` again, now with `[web] enabled`: log in as
/// runner 0 and as the coach who sees all `n`, and time their pages.
fn measure_pages(l: &Layout, n: usize, hash: &str, plain_rss: f64) -> Result<PageRow, String> {
    let config = l.write_config(n, Some(hash));
    let runner = name(0);
    let run = l.count(0, "SELECT MAX(id) FROM activities");
    println!(
        "\n{n} runner(s), dashboard: `tendonwatch --config household-{n}-web.toml watch` ([web] enabled, a coach who sees all {n})"
    );
    let t = Instant::now();
    let mut d = Daemon::start(&config, &l.state());
    let settled = match d.settle(n, t) {
        Ok((_, settled)) => settled,
        Err(why) => {
            d.stop();
            println!("  failed: {why}");
            return Err(why);
        }
    };
    let addr = wait_for(Duration::from_secs(30), || {
        d.dashboard.lock().unwrap().is_some()
    })
    .and_then(|_| *d.dashboard.lock().unwrap())
    .expect("the dashboard's address in the log");
    std::thread::sleep(Duration::from_secs(1));
    let (idle_rss, _) = d.rss_mb();
    let threads = d.status("Threads:");
    let (fds, _) = proc::fds(d.pid());
    println!(
        "  quiet after {settled:.2} s, dashboard on {addr}; idle: RSS {idle_rss:.1} MB, {threads} threads, {fds} open fds"
    );

    let (mine, landing, runner_ms) = login(addr, &runner);
    assert_eq!(landing, format!("/r/{runner}/"));
    let (coach, landing, coach_ms) = login(addr, COACH);
    assert_eq!(landing, "/athletes");
    println!(
        "  logins (POST /login, argon2 check): {runner} {runner_ms:.0} ms, {COACH} {coach_ms:.0} ms"
    );

    let pages = [
        (format!("/r/{runner}/"), &mine),
        (format!("/r/{runner}/activities"), &mine),
        (format!("/r/{runner}/activity/{run}"), &mine),
        (format!("/r/{runner}/api/status"), &mine),
        ("/athletes".to_string(), &coach),
    ];
    let mut times = Vec::new();
    for (page, cookie) in pages {
        for _ in 0..3 {
            let r = get(addr, &page, cookie);
            assert_eq!(r.status, 200, "{page}: {}", r.body);
        }
        if page == "/athletes" {
            // 50 athletes a page: every one of the N is on one of them.
            let mut seen = std::collections::BTreeSet::new();
            for k in 1..=n.div_ceil(50) {
                let r = get(addr, &format!("/athletes?page={k}"), cookie);
                assert_eq!(r.status, 200, "/athletes?page={k}: {}", r.body);
                for card in r.body.split("data-runner=\"").skip(1) {
                    seen.insert(card.split('"').next().unwrap_or("").to_string());
                }
            }
            assert_eq!(seen.len(), n, "the coach sees every athlete");
        }
        let mut bytes = 0;
        let mut ms: Vec<f64> = (0..PAGE_ROUNDS)
            .map(|_| {
                let t = Instant::now();
                let raw = exchange(addr, "GET", &page, cookie, "");
                let took = t.elapsed().as_secs_f64() * 1000.0;
                bytes = raw.len();
                took
            })
            .collect();
        ms.sort_by(f64::total_cmp);
        let (median, p95) = (ms[PAGE_ROUNDS / 2], ms[PAGE_ROUNDS * 95 / 100]);
        let kib = bytes as f64 / 1024.0;
        println!("  {page:<24} median {median:7.2} ms, p95 {p95:7.2} ms, {kib:5.1} KiB");
        times.push(PageTime {
            page: page
                .replace(&format!("/r/{runner}"), "/r/NAME")
                .replace(&format!("/{run}"), "/ID"),
            median,
            p95,
            kib,
        });
    }
    let (after_rss, _) = d.rss_mb();
    let (after_fds, _) = proc::fds(d.pid());
    println!("  after the pages: RSS {after_rss:.1} MB, {after_fds} open fds");
    d.stop();
    Ok(PageRow {
        runners: n,
        plain_rss,
        start_s: settled,
        login_ms: runner_ms.max(coach_ms),
        idle_rss,
        after_rss,
        threads,
        fds,
        pages: times,
    })
}

/// What each runner more costs the idle daemon, from size `a` to `b`.
fn per_added_runner(a: &Row, b: &Row) {
    let added = (b.runners - a.runners) as f64;
    println!(
        "per added runner ({} → {}): idle RSS {:.3} MB, RSS after trials {:.3} MB, {:.3} threads, {:.3} fds, {:.3} inotify instances, {:.3} wake-ups/s",
        a.runners,
        b.runners,
        (b.idle.rss - a.idle.rss) / added,
        (b.after_rss - a.after_rss) / added,
        (b.idle.threads - a.idle.threads) / added,
        (b.idle.fds as f64 - a.idle.fds as f64) / added,
        (b.idle.inotify as f64 - a.idle.inotify as f64) / added,
        (b.idle.wakeups - a.idle.wakeups) / added
    );
}

fn main() {
    let total = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let l = Layout {
        root: std::fs::canonicalize(dir.path()).unwrap(),
    };
    let most = *SIZES.iter().max().unwrap();
    let columns = prepare(&l, most);
    let r = household_runner();
    // The spike: a 12.96 km long run, 35 % over the longest of the last
    // 30 days (9.6 km), the day after the last history run.
    let spike = encode(&training::on_day(&r, WEEKS, 0, &Event::Long { km: 12.96 }));
    let hash = tendonwatch::web::security::hash_password(PASSWORD).unwrap();
    std::fs::create_dir_all(l.state()).unwrap();
    let inotify_instances = std::fs::read_to_string("/proc/sys/fs/inotify/max_user_instances")
        .map_or("?".to_string(), |s| s.trim().to_string());
    let mut rows: Vec<Result<Row, (usize, String)>> = Vec::new();
    let mut page_rows: Vec<Result<PageRow, (usize, String)>> = Vec::new();
    for &n in &SIZES {
        let t = Instant::now();
        for i in 0..n {
            restore(&l, &columns, i);
        }
        println!(
            "\nstores of {n} runner(s) put back in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        let row = measure(&l, n, &spike).map_err(|why| (n, why));
        if let (Ok(row), true) = (&row, PAGE_SIZES.contains(&n)) {
            page_rows.push(measure_pages(&l, n, &hash, row.idle.rss).map_err(|why| (n, why)));
        }
        rows.push(row);
    }

    let p = |ms: &[f64], q: f64| {
        ms.get(((ms.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or(f64::NAN)
    };
    println!(
        "\nhousehold daemon, {RUNS} runs per runner, debounce 200 ms, open files soft limit {OPEN_FILES_SOFT} asked (column \"limit\": as read back), inotify instances per user {inotify_instances} (RSS in MB; wake-ups over {} s; latency: spike renamed in → alert in that runner's outbox):",
        WAKE_WINDOW.as_secs()
    );
    println!(
        "runners | trials | startup: watching / quiet | idle RSS (peak) | threads | fds (inotify) | limit | idle wake-ups/s | RSS after trials (peak) | fds after | latency p50 | p95 | max | stop"
    );
    for row in &rows {
        let row = match row {
            Ok(row) => row,
            Err((n, why)) => {
                println!("{n:>7} | failed: {why}");
                continue;
            }
        };
        println!(
            "{:>7} | {:>6} | {:>6.2} s / {:>5.2} s | {:>6.1} ({:.1}) | {:>7} | {:>5} ({:>3}) | {:>5} | {:>15.1} | {:>6.1} ({:.1}) | {:>9} | {:>6.0} ms | {:>4.0} ms | {:>4.0} ms | {:.2} s",
            row.runners,
            row.ms.len(),
            row.ready_s,
            row.settled_s,
            row.idle.rss,
            row.idle.hwm,
            row.idle.threads,
            row.idle.fds,
            row.idle.inotify,
            row.idle.open_files_limit,
            row.idle.wakeups,
            row.after_rss,
            row.after_hwm,
            row.after_fds,
            p(&row.ms, 0.5),
            p(&row.ms, 0.95),
            p(&row.ms, 1.0),
            row.stop_s,
        );
    }
    let size = |n: usize| rows.iter().flatten().find(|r| r.runners == n);
    for (a, b) in [(10, 50), (50, 500)] {
        if let (Some(a), Some(b)) = (size(a), size(b)) {
            per_added_runner(a, b);
        }
    }
    if let Some(big) = size(500) {
        println!(
            "500 runners: {} open fds idle, {} after the trials, against the systemd default soft limit of {OPEN_FILES_SOFT}",
            big.idle.fds, big.after_fds
        );
    } else if let Some(Err((_, why))) = rows.iter().find(|r| matches!(r, Err((500, _)))) {
        println!("500 runners did not start: {why}");
    }

    println!(
        "\nhousehold dashboard (`watch` with [web] enabled), runner {}'s pages ({RUNS} runs and the spike) and a coach's overview of all N, request → last byte over loopback, {PAGE_ROUNDS} requests each, median / p95 in ms:",
        name(0)
    );
    print!("runners | quiet after | idle RSS (after pages) | threads | fds | login");
    if let Some(first) = page_rows.iter().flatten().next() {
        for p in &first.pages {
            print!(" | {}", p.page);
        }
    }
    println!();
    for row in &page_rows {
        let row = match row {
            Ok(row) => row,
            Err((n, why)) => {
                println!("{n:>7} | failed: {why}");
                continue;
            }
        };
        print!(
            "{:>7} | {:>9.2} s | {:>6.1} ({:.1}) MB | {:>7} | {:>3} | {:>3.0} ms",
            row.runners,
            row.start_s,
            row.idle_rss,
            row.after_rss,
            row.threads,
            row.fds,
            row.login_ms
        );
        for p in &row.pages {
            print!(" | {:.2} / {:.2} ({:.0} KiB)", p.median, p.p95, p.kib);
        }
        println!();
    }
    let measured: Vec<&PageRow> = page_rows.iter().flatten().collect();
    for pair in measured.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let added = (b.runners - a.runners) as f64;
        println!(
            "per added athlete ({} → {} runners): /athletes {:.3} ms (median); the dashboard adds {:.3} MB idle RSS per runner to the `watch` ({:.1} / {:.1} MB without it)",
            a.runners,
            b.runners,
            (b.median("/athletes") - a.median("/athletes")) / added,
            ((b.idle_rss - b.plain_rss) - (a.idle_rss - a.plain_rss)) / added,
            a.plain_rss,
            b.plain_rss,
        );
    }
    drop(dir);
    println!(
        "whole bench: {:.0} s (temp dir removed)",
        total.elapsed().as_secs_f64()
    );
}
