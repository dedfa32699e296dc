//! What the benches read about a running process from /proc, and a poll.
//! Included with `#[path = "util/proc.rs"] mod proc;`.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// One number from `/proc/PID/status` (`key` with its colon, e.g.
/// `"VmRSS:"`), in that file's unit (kB for memory); NaN when absent.
pub fn status(pid: u32, key: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|v| v.parse::<f64>().ok())
        })
        .unwrap_or(f64::NAN)
}

/// Context switches of every thread (each is a wake-up), by thread id.
pub fn wakeups(pid: u32) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let switches: u64 = std::fs::read_to_string(task.path().join("status"))
            .unwrap_or_default()
            .lines()
            .filter(|l| {
                l.starts_with("voluntary_ctxt_switches")
                    || l.starts_with("nonvoluntary_ctxt_switches")
            })
            .filter_map(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse::<u64>().ok())
            })
            .sum();
        out.insert(task.file_name().to_string_lossy().into_owned(), switches);
    }
    out
}

/// Poll `ok` every 2 ms until it holds (how long it took) or `deadline`.
pub fn wait_for(deadline: Duration, mut ok: impl FnMut() -> bool) -> Option<Duration> {
    let t = Instant::now();
    while t.elapsed() < deadline {
        if ok() {
            return Some(t.elapsed());
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    None
}

/// User + system CPU ticks the process spent so far (0 when it is gone).
pub fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
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
pub fn fds(pid: u32) -> (usize, usize) {
    let mut all = 0;
    let mut inotify = 0;
    for fd in std::fs::read_dir(format!("/proc/{pid}/fd"))
        .into_iter()
        .flatten()
        .flatten()
    {
        all += 1;
        if std::fs::read_link(fd.path()).is_ok_and(|t| t.as_os_str() == "anon_inode:inotify") {
            inotify += 1;
        }
    }
    (all, inotify)
}

/// The soft limit on open files the process runs with, as
/// `/proc/PID/limits` words it ("1024", "unlimited"); "?" when unreadable.
pub fn open_files_soft_limit(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/limits"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("Max open files"))
        .and_then(|rest| rest.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".to_string())
}
