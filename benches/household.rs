//! One `tendonwatch watch` for a whole household, on the real binary, with
//! 1 (reference), 10 and 50 runners of 300 runs each:
//! - startup: from spawn until every runner's daemon logged that it is
//!   watching and the process went quiet (each runner's startup
//!   reconciliation has stat'ed its 300 files against its store);
//! - idle RSS (VmRSS, and the peak VmHWM so far), threads, idle wake-ups;
//! - file → alert latency: a long-run spike renamed into one runner's sync
//!   folder until its first alert is in that runner's outbox (10 trials
//!   spread over the runners, the last runner included; the spike raises
//!   run_spike and week_jump), and no other runner's store gained an alert;
//! - RSS after the trials;
//! - with 10 and 50 runners, the dashboard: the same `watch` started again
//!   with `[web] enabled = true` (the real daemon + dashboard process, on
//!   the stores the trials left), one login per account over HTTP, then
//!   request → last byte over loopback, 30 requests each, for a runner's
//!   status page, runs list, newest run (the spike) and `/api/status`, and
//!   the overview `/athletes` of a coach who sees all N runners (it
//!   computes every athlete's status).
//!
//! Every runner has their own sync folder holding their 300 runs (FIT
//! files hard-linked from one staging set) and their own store, built by
//! `tendonwatch --runner NAME import` from that folder — the way a runner's
//! store gets its history. The stores of runners 0–9 serve all three sizes:
//! a pristine copy is put back before each size, so every runner starts
//! with exactly 300 runs.
//!
//! Run: `cargo bench --bench household` (3–4 minutes on 2 cores, most of it
//! building the 50 stores).
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
use std::time::{Duration, Instant};
use tendonwatch::sim::fit_writer::encode;
use tendonwatch::sim::training::{self, Event, Runner, Week};

const BIN: &str = env!("CARGO_BIN_EXE_tendonwatch");
const DAY_MS: i64 = 86_400_000;
/// 100 steady weeks of three runs (7.2, 7.2 and 9.6 km).
const WEEKS: usize = 100;
const RUNS: usize = 300;
const SIZES: [usize; 3] = [1, 10, 50];
const TRIALS: usize = 10;
/// The sizes whose dashboard is timed, and the requests per page.
const PAGE_SIZES: [usize; 2] = [10, 50];
const PAGE_ROUNDS: usize = 30;
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

/// The runs as FIT files in `staging`, the stores built by `import` from
/// each runner's folder, pristine copies of the stores of runners 0–9.
fn prepare(l: &Layout, runners: usize) {
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
    let config = l.write_config(runners, None);
    std::fs::create_dir_all(l.root.join("pristine")).unwrap();
    let t = Instant::now();
    for i in 0..runners {
        let sync = l.sync(i);
        std::fs::create_dir_all(&sync).unwrap();
        for f in 0..RUNS {
            let n = format!("{f:03}.fit");
            std::fs::hard_link(staging.join(&n), sync.join(&n)).unwrap();
        }
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
        if i < 10 {
            std::fs::copy(l.db(i), l.pristine(i)).unwrap();
        }
    }
    let store_mb = std::fs::metadata(l.db(0)).unwrap().len() as f64 / 1e6;
    println!(
        "stores: {runners} × `tendonwatch --runner NAME import` of {RUNS} files in {:.1} s ({:.2} s each), {store_mb:.1} MB each",
        t.elapsed().as_secs_f64(),
        t.elapsed().as_secs_f64() / runners as f64
    );
}

/// Put back runner `i`'s 300-run store and take the spike out of their
/// folder.
fn restore(l: &Layout, i: usize) {
    let _ = std::fs::remove_file(l.sync(i).join("spike.fit"));
    for ext in ["-wal", "-shm"] {
        let mut p = l.db(i).into_os_string();
        p.push(ext);
        let _ = std::fs::remove_file(p);
    }
    std::fs::copy(l.pristine(i), l.db(i)).unwrap();
}

struct Daemon {
    child: Child,
    watching: Arc<AtomicUsize>,
    /// Where the dashboard listens, once it logged "dashboard on http://…/".
    dashboard: Arc<Mutex<Option<SocketAddr>>>,
}

impl Daemon {
    /// `tendonwatch --config CFG watch` (`$STATE_DIRECTORY` set to
    /// `state`); counts the daemons that logged "watching …, store …" (one
    /// per runner) from its stderr.
    fn start(config: &Path, state: &Path) -> Daemon {
        let mut child = Command::new(BIN)
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
        let stderr = child.stderr.take().unwrap();
        let (w, web) = (watching.clone(), dashboard.clone());
        // Drain stderr to the end, so the daemon never blocks on the pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.contains(" watching ") && line.contains(", store ") {
                    w.fetch_add(1, Ordering::SeqCst);
                } else if let Some((_, rest)) = line.split_once("dashboard on http://") {
                    let addr = rest.split('/').next().and_then(|a| a.parse().ok());
                    *web.lock().unwrap() = addr;
                } else if line.contains("ERROR") {
                    eprintln!("daemon: {line}");
                }
            }
        });
        Daemon {
            child,
            watching,
            dashboard,
        }
    }

    /// Wait until all `n` runners' daemons are watching, then until the
    /// process went quiet: the start of the first 300 ms without a CPU
    /// tick spent (the reconciliations are done). Both from `t`.
    fn settle(&self, n: usize, t: Instant) -> (Duration, f64) {
        let ready = wait_for(Duration::from_secs(180), || {
            self.watching.load(Ordering::SeqCst) == n
        })
        .unwrap_or_else(|| panic!("{n} daemons watching"));
        let mut last = self.cpu_ticks();
        let mut quiet_from = t.elapsed();
        loop {
            std::thread::sleep(Duration::from_millis(300));
            let now = self.cpu_ticks();
            if now == last {
                break;
            }
            last = now;
            quiet_from = t.elapsed();
        }
        (ready, quiet_from.as_secs_f64())
    }

    fn status(&self, key: &str) -> f64 {
        proc::status(self.child.id(), key)
    }

    fn wakeups_now(&self) -> std::collections::BTreeMap<String, u64> {
        proc::wakeups(self.child.id())
    }

    /// (VmRSS, VmHWM) in MB.
    fn rss_mb(&self) -> (f64, f64) {
        (
            self.status("VmRSS:") / 1024.0,
            self.status("VmHWM:") / 1024.0,
        )
    }

    /// User + system CPU ticks so far.
    fn cpu_ticks(&self) -> u64 {
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap_or_default();
        // After the ")" closing the command name: state is field 3, utime 14.
        let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
        let f: Vec<&str> = rest.split_whitespace().collect();
        let field = |n: usize| {
            f.get(n - 3)
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0)
        };
        field(14) + field(15)
    }

    /// Open file descriptors, and how many of them are inotify instances.
    fn fds(&self) -> (usize, usize) {
        let mut all = 0;
        let mut inotify = 0;
        let dir = format!("/proc/{}/fd", self.child.id());
        for fd in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            all += 1;
            if std::fs::read_link(fd.path()).is_ok_and(|t| t.as_os_str() == "anon_inode:inotify") {
                inotify += 1;
            }
        }
        (all, inotify)
    }

    fn stop(mut self) -> f64 {
        let t = Instant::now();
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
        t.elapsed().as_secs_f64()
    }
}

struct Row {
    runners: usize,
    ready_s: f64,
    settled_s: f64,
    idle_rss: f64,
    idle_hwm: f64,
    threads: f64,
    fds: usize,
    inotify: usize,
    wakeups: f64,
    after_rss: f64,
    after_hwm: f64,
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

fn measure(l: &Layout, n: usize, spike: &[u8]) -> Row {
    let config = l.write_config(n, None);
    let before: Vec<i64> = (0..n).map(|i| l.outbox(i)).collect();
    println!("\n{n} runner(s): `tendonwatch --config household-{n}.toml watch`");

    let t = Instant::now();
    let d = Daemon::start(&config, &l.state());
    let (ready, settled) = d.settle(n, t);
    println!(
        "  all {n} watching after {:.2} s, quiet after {settled:.2} s",
        ready.as_secs_f64()
    );
    std::thread::sleep(Duration::from_secs(1));
    let (idle_rss, idle_hwm) = d.rss_mb();
    let threads = d.status("Threads:");
    let (fds, inotify) = d.fds();
    let w0 = d.wakeups_now();
    std::thread::sleep(Duration::from_secs(5));
    let w1 = d.wakeups_now();
    let woke: u64 = w1
        .iter()
        .filter_map(|(tid, v)| w0.get(tid).map(|b| v.saturating_sub(*b)))
        .sum();
    let wakeups = woke as f64 / 5.0;
    println!(
        "  idle: RSS {idle_rss:.1} MB (peak {idle_hwm:.1} MB), {threads} threads, {wakeups:.0} wake-ups/s, {fds} open fds of which {inotify} inotify instances"
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
    println!("  after the trials: RSS {after_rss:.1} MB (peak {after_hwm:.1} MB)");
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
    }
    println!("  stopped in {stop_s:.2} s; every outbox holds exactly its own runner's alerts");
    ms.sort_by(f64::total_cmp);
    Row {
        runners: n,
        ready_s: ready.as_secs_f64(),
        settled_s: settled,
        idle_rss,
        idle_hwm,
        threads,
        fds,
        inotify,
        wakeups,
        after_rss,
        after_hwm,
        ms,
        stop_s,
    }
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

/// The household's `watch` again, now with `[web] enabled`: log in as
/// runner 0 and as the coach who sees all `n`, and time their pages.
fn measure_pages(l: &Layout, n: usize, hash: &str, plain_rss: f64) -> PageRow {
    let config = l.write_config(n, Some(hash));
    let runner = name(0);
    let run = l.count(0, "SELECT MAX(id) FROM activities");
    println!(
        "\n{n} runner(s), dashboard: `tendonwatch --config household-{n}-web.toml watch` ([web] enabled, a coach who sees all {n})"
    );
    let t = Instant::now();
    let d = Daemon::start(&config, &l.state());
    let (_, settled) = d.settle(n, t);
    let addr = wait_for(Duration::from_secs(30), || {
        d.dashboard.lock().unwrap().is_some()
    })
    .and_then(|_| *d.dashboard.lock().unwrap())
    .expect("the dashboard's address in the log");
    std::thread::sleep(Duration::from_secs(1));
    let (idle_rss, _) = d.rss_mb();
    let threads = d.status("Threads:");
    let (fds, _) = d.fds();
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
            if page == "/athletes" {
                assert_eq!(
                    r.body.matches("data-runner=").count(),
                    n,
                    "the coach sees every athlete"
                );
            }
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
    println!("  RSS after the pages {after_rss:.1} MB");
    d.stop();
    PageRow {
        runners: n,
        plain_rss,
        start_s: settled,
        login_ms: runner_ms.max(coach_ms),
        idle_rss,
        after_rss,
        threads,
        fds,
        pages: times,
    }
}

fn main() {
    let total = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let l = Layout {
        root: std::fs::canonicalize(dir.path()).unwrap(),
    };
    let most = *SIZES.iter().max().unwrap();
    prepare(&l, most);
    let r = household_runner();
    // The spike: a 12.96 km long run, 35 % over the longest of the last
    // 30 days (9.6 km), the day after the last history run.
    let spike = encode(&training::on_day(&r, WEEKS, 0, &Event::Long { km: 12.96 }));
    let hash = tendonwatch::web::security::hash_password(PASSWORD).unwrap();
    std::fs::create_dir_all(l.state()).unwrap();
    let mut rows = Vec::new();
    let mut page_rows = Vec::new();
    for &n in &SIZES {
        for i in 0..n.min(10) {
            restore(&l, i);
        }
        let row = measure(&l, n, &spike);
        if PAGE_SIZES.contains(&n) {
            page_rows.push(measure_pages(&l, n, &hash, row.idle_rss));
        }
        rows.push(row);
    }

    let p = |ms: &[f64], q: f64| {
        ms.get(((ms.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or(f64::NAN)
    };
    println!(
        "\nhousehold daemon, {RUNS} runs per runner, debounce 200 ms (RSS in MB; latency: spike renamed in → alert in that runner's outbox):"
    );
    println!(
        "runners | trials | startup: watching / quiet | idle RSS (peak) | threads | fds (inotify) | idle wake-ups/s | RSS after trials (peak) | latency p50 | p95 | max | stop"
    );
    for row in &rows {
        println!(
            "{:>7} | {:>6} | {:>6.2} s / {:>5.2} s | {:>6.1} ({:.1}) | {:>7} | {:>5} ({:>3}) | {:>15.0} | {:>6.1} ({:.1}) | {:>6.0} ms | {:>4.0} ms | {:>4.0} ms | {:.2} s",
            row.runners,
            row.ms.len(),
            row.ready_s,
            row.settled_s,
            row.idle_rss,
            row.idle_hwm,
            row.threads,
            row.fds,
            row.inotify,
            row.wakeups,
            row.after_rss,
            row.after_hwm,
            p(&row.ms, 0.5),
            p(&row.ms, 0.95),
            p(&row.ms, 1.0),
            row.stop_s,
        );
    }
    if let (Some(a), Some(b)) = (
        rows.iter().find(|r| r.runners == 10),
        rows.iter().find(|r| r.runners == 50),
    ) {
        println!(
            "per added runner (10 → 50): idle RSS {:.2} MB, RSS after trials {:.2} MB, {:.2} threads, {:.2} fds, {:.2} inotify instances, {:.1} wake-ups/s",
            (b.idle_rss - a.idle_rss) / 40.0,
            (b.after_rss - a.after_rss) / 40.0,
            (b.threads - a.threads) / 40.0,
            (b.fds - a.fds) as f64 / 40.0,
            (b.inotify - a.inotify) as f64 / 40.0,
            (b.wakeups - a.wakeups) / 40.0
        );
    }
    println!(
        "\nhousehold dashboard (`watch` with [web] enabled), runner {}'s pages ({RUNS} runs and the spike) and a coach's overview of all N, request → last byte over loopback, {PAGE_ROUNDS} requests each, median / p95 in ms:",
        name(0)
    );
    print!("runners | quiet after | idle RSS (after pages) | threads | fds | login");
    if let Some(first) = page_rows.first() {
        for p in &first.pages {
            print!(" | {}", p.page);
        }
    }
    println!();
    for row in &page_rows {
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
    if let [a, .., b] = page_rows.as_slice() {
        let athletes = |r: &PageRow| {
            r.pages
                .iter()
                .find(|p| p.page == "/athletes")
                .map_or(f64::NAN, |p| p.median)
        };
        let added = (b.runners - a.runners) as f64;
        println!(
            "per added athlete ({} → {} runners): /athletes {:.2} ms (median); the dashboard adds {:.2} MB idle RSS per runner to the `watch` ({:.1} / {:.1} MB without it)",
            a.runners,
            b.runners,
            (athletes(b) - athletes(a)) / added,
            ((b.idle_rss - b.plain_rss) - (a.idle_rss - a.plain_rss)) / added,
            a.plain_rss,
            b.plain_rss,
        );
    }
    println!("whole bench: {:.0} s", total.elapsed().as_secs_f64());
}
