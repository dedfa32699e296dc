//! A club on one server (issue 25): one `watch` process for many runners
//! shares one watcher, one debouncer and one delivery thread, and holds a
//! runner's store only while that runner has work.
//!
//! - More runners than the kernel's 128 inotify instances per user: one
//!   instance, a handful of threads and descriptors for all of them, and
//!   each new run still lands in its own runner's store only.
//! - A runner whose store is broken stops alone, and one whose folder is
//!   missing waits alone: the others' runs are stored, the coach's overview shows the others and says which one
//!   cannot be read, the broken file is left as it was.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "util/dashboard.rs"]
mod dashboard;
#[path = "util/household.rs"]
mod household;
#[path = "../benches/util/proc.rs"]
mod proc;
mod util;

use household::{Household, KIM_PASSWORD, login};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use util::Tw;

/// `watch` with its log in `log`, at info level.
fn spawn_watch(mut cmd: Command, log: &Path) -> Child {
    cmd.env("TENDONWATCH_LOG", "info")
        .arg("watch")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap());
    cmd.spawn().expect("watch starts")
}

/// Wait (up to a minute) until `ok` holds; the log says what was awaited.
fn wait(what: &str, log: &Path, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !ok() {
        assert!(
            Instant::now() < deadline,
            "{what} never happened; the log:\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn log_has(log: &Path, needle: &str) -> usize {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .matches(needle)
        .count()
}

/// Where the `watch`'s dashboard listens, from its log.
fn dashboard_addr(log: &Path) -> std::net::SocketAddr {
    wait("the dashboard", log, || {
        log_has(log, "dashboard on http://") == 1
    });
    std::fs::read_to_string(log)
        .unwrap()
        .split("dashboard on http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|addr| addr.parse().ok())
        .unwrap()
}

/// SIGTERM, and the process ends cleanly.
fn stop(mut child: Child, log: &Path) {
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert!(
        status.success(),
        "{status}; the log:\n{}",
        std::fs::read_to_string(log).unwrap_or_default()
    );
}

fn activities(db: &Path) -> i64 {
    if !db.exists() {
        return 0;
    }
    util::count(&util::open(db), "activities")
}

const RUNNERS: usize = 150;

#[test]
fn one_watcher_serves_more_runners_than_the_kernel_has_inotify_instances_for() {
    let tw = Tw::new();
    let root = tw.root().to_path_buf();
    let sync = |i: usize| root.join(format!("sync/r{i:03}"));
    let db = |i: usize| root.join(format!("stores/r{i:03}.db"));
    let mut config = String::from("[watch]\ndebounce_ms = 100\n");
    for i in 0..RUNNERS {
        std::fs::create_dir_all(sync(i)).unwrap();
        config.push_str(&format!(
            "\n[[runner]]\nname = \"r{i:03}\"\nsync_folders = [\"{}\"]\ndb = \"{}\"\n",
            sync(i).display(),
            db(i).display()
        ));
    }
    let names: Vec<String> = (0..RUNNERS).map(|i| format!("\"r{i:03}\"")).collect();
    config.push_str(&format!(
        "\n[[coach]]\nname = \"kim\"\nrunners = [{}]\n\n[web]\nenabled = true\nbind = \"127.0.0.1:0\"\n",
        names.join(", ")
    ));
    let config_path = root.join("club.toml");
    std::fs::write(&config_path, config).unwrap();
    let command = || {
        let mut cmd = tw.bare_command();
        cmd.env("STATE_DIRECTORY", root.join("state"))
            .arg("--config")
            .arg(&config_path);
        cmd
    };
    let mut set = command();
    set.args(["web", "set-password", "--coach", "kim"]);
    dashboard::set_password(set, KIM_PASSWORD);
    let log = root.join("watch.log");
    let child = spawn_watch(command(), &log);
    let pid = child.id();
    wait("every runner watching", &log, || {
        log_has(&log, ", store ") == RUNNERS
    });

    let (fds, inotify) = proc::fds(pid);
    assert_eq!(inotify, 1, "one inotify instance for {RUNNERS} runners");
    // stdio, the log, the runtime's and the watcher's own: a few dozen at
    // most, whatever the number of runners (per runner there were 8).
    assert!(fds < 40, "{fds} descriptors for {RUNNERS} runners");
    let threads = proc::status(pid, "Threads:");
    assert!(threads <= 8.0, "{threads} threads for {RUNNERS} runners");

    // The last runner's new run: in their store, nobody else's.
    std::fs::copy(
        util::real("fit/activity-small-fenix2-run.fit"),
        sync(RUNNERS - 1).join("run.fit"),
    )
    .unwrap();
    wait("the run stored", &log, || activities(&db(RUNNERS - 1)) == 1);
    for i in [0, RUNNERS / 2, RUNNERS - 2] {
        assert_eq!(activities(&db(i)), 0, "runner {i} has nothing new");
    }

    // The coach's overview of 150 athletes comes in pages of 50.
    let server = dashboard::Server::attach(dashboard_addr(&log));
    let kim = login(&server, "kim", KIM_PASSWORD);
    let cards = |path: &str| {
        let r = server.get(path, Some(&kim.cookie));
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        let names: Vec<String> = r
            .body
            .split("data-runner=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .map(str::to_string)
            .collect();
        (names, r.body)
    };
    let (first, body) = cards("/athletes");
    assert_eq!(first.len(), 50);
    assert_eq!((first[0].as_str(), first[49].as_str()), ("r000", "r049"));
    assert!(body.contains("Athletes 1–50 of 150"), "{body}");
    let (last, body) = cards("/athletes?page=3");
    assert_eq!((last[0].as_str(), last[49].as_str()), ("r100", "r149"));
    assert!(body.contains("Athletes 101–150 of 150"), "{body}");
    assert_eq!(
        cards("/athletes?page=9").0,
        last,
        "past the end: the last page"
    );
    assert_eq!(
        server.get("/athletes?page=many", Some(&kim.cookie)).status,
        400
    );
    stop(child, &log);
}

#[test]
fn a_runner_whose_store_is_broken_or_folder_missing_does_not_stop_the_others() {
    let h = Household::new();
    let root = h.tw.root().to_path_buf();
    // Bob's store is not a database any more; its bytes must stay as they
    // are (nothing of his is lost by us).
    let broken: Vec<u8> = b"this is not a database ".repeat(200);
    for ext in ["-wal", "-shm"] {
        let mut p = h.store("bob").into_os_string();
        p.push(ext);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
    std::fs::write(h.store("bob"), &broken).unwrap();
    let mut config = std::fs::read_to_string(&h.config).unwrap();
    config.push_str("\n[web]\nenabled = true\nbind = \"127.0.0.1:0\"\n");
    std::fs::write(&h.config, config).unwrap();

    // Cy's folder is not there yet (a mount that comes later).
    std::fs::remove_dir(root.join("sync-cy")).unwrap();

    let log = root.join("watch.log");
    let child = spawn_watch(h.command(), &log);
    wait("cy's folder waited for", &log, || {
        log_has(&log, "sync-cy is missing") == 1
    });
    wait("bob stopped alone", &log, || {
        log_has(&log, "runner bob stopped: ") == 1
    });
    assert!(
        log_has(&log, "the other runners go on") == 1,
        "the log says the others go on"
    );

    // Ann and cy go on: their new runs are stored, cy's once the folder
    // is there.
    let ann_before = activities(&h.store("ann"));
    std::fs::create_dir(root.join("sync-cy")).unwrap();
    std::fs::copy(
        util::real("fit/activity-small-fenix2-run.fit"),
        root.join("sync-cy/run.fit"),
    )
    .unwrap();
    std::fs::copy(
        util::real("gpx/run_gpxtpx.gpx"),
        root.join("sync-ann/new.gpx"),
    )
    .unwrap();
    wait("cy's and ann's runs stored", &log, || {
        activities(&h.store("cy")) == 1 && activities(&h.store("ann")) == ann_before + 1
    });

    // The coach sees ann, and that bob cannot be read now.
    let server = dashboard::Server::attach(dashboard_addr(&log));
    let kim = login(&server, "kim", KIM_PASSWORD);
    let overview = server.get("/athletes", Some(&kim.cookie));
    assert_eq!(overview.status, 200, "{}", overview.body);
    let card = |who: &str| {
        overview
            .body
            .split(&format!("data-runner=\"{who}\""))
            .nth(1)
            .and_then(|rest| rest.split("</section>").next())
            .unwrap_or_else(|| panic!("no card for {who}: {}", overview.body))
            .to_string()
    };
    assert!(card("ann").contains("Last 7 days"), "{}", card("ann"));
    assert!(
        card("bob").contains("cannot be read now"),
        "{}",
        card("bob")
    );
    assert_eq!(server.get("/r/ann/", Some(&kim.cookie)).status, 200);
    assert_eq!(server.get("/r/bob/", Some(&kim.cookie)).status, 500);

    stop(child, &log);
    assert_eq!(std::fs::read(h.store("bob")).unwrap(), broken);
}
