//! The daemon as a runner's machine sees it, on the real binary:
//! - latency from a run file appearing in the sync folder to its alert in
//!   the outbox (p50/p95; target p95 < 1 s including debounce);
//! - a 2,000-file burst fully ingested;
//! - idle RSS (target < 30 MB) and idle wake-ups (no busy polling).
//!
//! Run: `cargo bench --bench daemon` (about 2 minutes).
#![allow(clippy::unwrap_used)]

#[path = "util/proc.rs"]
mod proc;
use proc::wait_for;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tendonwatch::sim::fit_writer::encode;
use tendonwatch::sim::training::{self, Event, Runner, Week};

const BIN: &str = env!("CARGO_BIN_EXE_tendonwatch");
const DAY_MS: i64 = 86_400_000;

struct Daemon {
    child: Child,
    db: PathBuf,
}

impl Daemon {
    fn start(root: &Path) -> Daemon {
        let config = root.join("tw.toml");
        std::fs::write(
            &config,
            "[watch]\ndebounce_ms = 200\nrescan_s = 3600\n[notify.webhook]\nurl = \"http://127.0.0.1:9/closed\"\n",
        )
        .unwrap();
        let db = root.join("tw.db");
        let child = Command::new(BIN)
            .args([
                "--db",
                db.to_str().unwrap(),
                "--config",
                config.to_str().unwrap(),
                "watch",
            ])
            .arg(root.join("sync"))
            .env("TENDONWATCH_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let d = Daemon { child, db };
        // Ready: the startup reconciliation has stored what was there.
        std::thread::sleep(Duration::from_millis(300));
        d
    }

    fn count(&self, sql: &str) -> i64 {
        match rusqlite::Connection::open(&self.db) {
            Ok(c) => c.query_row(sql, [], |r| r.get(0)).unwrap_or(0),
            Err(_) => 0,
        }
    }

    fn rss_mb(&self) -> f64 {
        proc::status(self.child.id(), "VmRSS:") / 1024.0
    }

    fn wakeups_now(&self) -> std::collections::BTreeMap<String, u64> {
        proc::wakeups(self.child.id())
    }

    fn stop(mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

/// A runner whose eight steady weeks ended two days ago; week 9 starts
/// yesterday (runs there are recent enough to be notified).
fn recent_runner() -> Runner {
    let now = chrono::Utc::now().timestamp_millis();
    Runner {
        start_ms: (now - (8 * 7 + 1) * DAY_MS).div_euclid(DAY_MS) * DAY_MS,
        ..Runner::default()
    }
}

fn latency() -> Vec<f64> {
    let r = recent_runner();
    let weeks: Vec<Week> = (0..8).map(|_| training::steady_week(&r)).collect();
    let history = training::simulate(&r, &weeks);
    // The spike: a run 35 % longer than the longest, early in week 9.
    let spike = encode(&training::on_day(&r, 8, 0, &Event::Long { km: 12.96 }));
    let mut ms = Vec::new();
    for trial in 0..15 {
        let dir = tempfile::tempdir().unwrap();
        let sync = dir.path().join("sync");
        std::fs::create_dir(&sync).unwrap();
        for (i, a) in history.iter().enumerate() {
            std::fs::write(sync.join(format!("{i:02}.fit")), encode(a)).unwrap();
        }
        let d = Daemon::start(dir.path());
        wait_for(Duration::from_secs(60), || {
            d.count("SELECT COUNT(*) FROM activities") == history.len() as i64
        })
        .expect("history ingested");
        std::thread::sleep(Duration::from_millis(300));
        // Write under a temp name and rename, as a sync tool does.
        let tmp = sync.join(".syncthing.spike.fit.tmp");
        std::fs::write(&tmp, &spike).unwrap();
        let t = Instant::now();
        std::fs::rename(&tmp, sync.join(format!("spike-{trial}.fit"))).unwrap();
        let seen = wait_for(Duration::from_secs(10), || {
            d.count("SELECT COUNT(*) FROM outbox") > 0
        });
        if seen.is_some() {
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
        } else {
            eprintln!("trial {trial}: no alert in the outbox within 10 s");
        }
        d.stop();
    }
    ms.sort_by(f64::total_cmp);
    ms
}

fn burst_and_idle() -> (f64, f64, f64, f64, f64) {
    let dir = tempfile::tempdir().unwrap();
    let sync = dir.path().join("sync");
    std::fs::create_dir(&sync).unwrap();
    let d = Daemon::start(dir.path());
    std::thread::sleep(Duration::from_secs(2));
    let idle_rss_empty = d.rss_mb();
    // 2,000 distinct small runs (3 km each, a day apart).
    let r = Runner::default();
    let files: Vec<Vec<u8>> = (0..2000)
        .map(|i| {
            encode(&training::on_day(
                &r,
                i / 7,
                (i % 7) as u32,
                &Event::Easy { km: 3.0 },
            ))
        })
        .collect();
    let staging = dir.path().join("staging");
    std::fs::create_dir(&staging).unwrap();
    for (i, bytes) in files.iter().enumerate() {
        std::fs::write(staging.join(format!("{i:04}.fit")), bytes).unwrap();
    }
    let t = Instant::now();
    for i in 0..files.len() {
        let name = format!("{i:04}.fit");
        std::fs::rename(staging.join(&name), sync.join(&name)).unwrap();
    }
    let took = wait_for(Duration::from_secs(600), || {
        d.count("SELECT COUNT(*) FROM files") == 2000
    })
    .map_or(f64::NAN, |_| t.elapsed().as_secs_f64());
    // Idle: let it settle, then count wake-ups over 10 s.
    std::thread::sleep(Duration::from_secs(3));
    let before = d.wakeups_now();
    std::thread::sleep(Duration::from_secs(10));
    // Threads that lived through the whole window (the blocking pool's idle
    // threads may exit meanwhile).
    let after = d.wakeups_now();
    let woke: u64 = after
        .iter()
        .filter_map(|(tid, n)| before.get(tid).map(|b| n.saturating_sub(*b)))
        .sum();
    let per_s = woke as f64 / 10.0;
    let idle_rss = d.rss_mb();
    d.stop();
    (took, 2000.0 / took, idle_rss_empty, idle_rss, per_s)
}

fn main() {
    let ms = latency();
    let p = |q: f64| {
        ms.get(((ms.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or(f64::NAN)
    };
    println!(
        "file appears → alert in the outbox ({} trials, debounce 200 ms):",
        ms.len()
    );
    println!(
        "  p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms — target p95 < 1000 ms: {}",
        p(0.5),
        p(0.95),
        p(1.0),
        if p(0.95) < 1000.0 { "PASS" } else { "FAIL" }
    );
    let (took, rate, rss_empty, rss, wakeups) = burst_and_idle();
    println!(
        "2,000-file burst (3 km runs, renamed into the folder at once): all stored in {took:.1} s = {rate:.0} files/s"
    );
    println!(
        "idle RSS: {rss_empty:.1} MB fresh, {rss:.1} MB after the burst — target < 30 MB: {}",
        if rss_empty.max(rss) < 30.0 {
            "PASS"
        } else {
            "FAIL"
        }
    );
    println!("idle wake-ups (all threads, context switches): {wakeups:.1} per second");
}
