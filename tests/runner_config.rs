//! Several runners in one config (issue 13, the part built so far):
//! `[[runner]]` tables with their own sync folders, profile and store,
//! `--runner NAME` for every command, a clear error when several exist and
//! none is named, and a config check that names a shared sync folder. A
//! config without `[[runner]]` works exactly as before.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "util/dashboard.rs"]
mod dashboard;
mod util;

use dashboard::write_season;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use util::{Run, Tw};

fn household(tw: &Tw, extra: &str) -> PathBuf {
    let root = tw.root();
    for who in ["anna", "ben"] {
        std::fs::create_dir_all(root.join(format!("sync-{who}"))).unwrap();
    }
    let path = root.join("household.toml");
    std::fs::write(
        &path,
        format!(
            "# a household\n\
             [[runner]]\nname = \"anna\"\nsync_folders = [\"{0}/sync-anna\"]\n\
             [runner.profile]\nmode = \"return\"\ntime_zone = \"Europe/Berlin\"\n\n\
             [[runner]]\nname = \"ben\"\nsync_folders = [\"{0}/sync-ben\"]\n\
             [runner.profile]\nmode = \"normal\"\n{extra}",
            root.display()
        ),
    )
    .unwrap();
    path
}

/// A real FIT run into anna's folder, a real GPX run into ben's.
fn one_real_run_each(root: &Path) {
    for (from, to) in [
        ("fit/activity-small-fenix2-run.fit", "sync-anna/run.fit"),
        ("gpx/run_gpxtpx.gpx", "sync-ben/run.gpx"),
    ] {
        std::fs::copy(util::real(from), root.join(to)).unwrap();
    }
}

/// `tendonwatch --config CONFIG ARGS…` with the home and state in `tw`
/// (no `--db`: each runner's store is found from the config).
fn run(tw: &Tw, config: &Path, args: &[&str]) -> Run {
    let mut cmd = tw.bare_command();
    cmd.env("STATE_DIRECTORY", tw.root().join("state"))
        .arg("--config")
        .arg(config)
        .args(args);
    Tw::run_command(cmd)
}

#[test]
fn each_runner_has_their_own_store_and_commands_name_the_runner() {
    let tw = Tw::new();
    let cfg = household(&tw, "");
    let root = tw.root();
    one_real_run_each(root);
    // `import` with no path reads the runner's own sync folders.
    run(&tw, &cfg, &["--runner", "anna", "import"]).assert_ok();
    run(&tw, &cfg, &["--runner", "ben", "import"]).assert_ok();
    let ids = |who: &str| -> Vec<String> {
        run(&tw, &cfg, &["--runner", who, "activities", "--json"])
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["source_path"].as_str().unwrap().to_string())
            .collect()
    };
    let anna = ids("anna");
    let ben = ids("ben");
    assert_eq!(anna.len(), 1);
    assert!(anna[0].ends_with("sync-anna/run.fit"), "{anna:?}");
    assert_eq!(ben.len(), 1);
    assert!(ben[0].ends_with("sync-ben/run.gpx"), "{ben:?}");
    for who in ["anna", "ben"] {
        assert!(
            root.join(format!("state/runners/{who}.db")).exists(),
            "{who}'s store"
        );
    }
    // Pain is one runner's: ben's log stays empty.
    run(
        &tw,
        &cfg,
        &["--runner", "anna", "pain", "2", "--kind", "morning"],
    )
    .assert_ok();
    let pain = |who: &str| {
        run(&tw, &cfg, &["--runner", who, "pain", "list", "--json"])
            .json()
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!((pain("anna"), pain("ben")), (1, 0));
    // TENDONWATCH_RUNNER works like --runner.
    let mut cmd = tw.bare_command();
    cmd.env("STATE_DIRECTORY", root.join("state"))
        .env("TENDONWATCH_RUNNER", "ben")
        .arg("--config")
        .arg(&cfg)
        .args(["activities", "--json"]);
    assert_eq!(Tw::run_command(cmd).json().as_array().unwrap().len(), 1);

    // Several runners and none named: one line that names them, exit 2.
    for args in [&["activities"][..], &["status"][..], &["watch", "."][..]] {
        let r = run(&tw, &cfg, args);
        assert_eq!(r.status.code(), Some(2), "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("anna, ben"), "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("--runner"), "{}", r.stderr);
    }
    let r = run(&tw, &cfg, &["--runner", "carl", "activities"]);
    assert_eq!(r.status.code(), Some(2));
    assert!(r.stderr.contains("no such runner") && r.stderr.contains("anna, ben"));
}

#[test]
fn the_config_check_names_a_shared_sync_folder_and_a_bad_name() {
    let tw = Tw::new();
    let clash = household(
        &tw,
        &format!(
            "\n[[runner]]\nname = \"carl\"\nsync_folders = [\"{}/sync-ben/carl\"]\n",
            tw.root().display()
        ),
    );
    let r = run(&tw, &clash, &["config", "check"]);
    assert!(!r.status.success());
    let said = format!("{}{}", r.stdout, r.stderr);
    assert!(
        said.contains("\"ben\" and \"carl\" share the sync folder"),
        "{said}"
    );
    let bad = tw.root().join("bad.toml");
    std::fs::write(
        &bad,
        "[[runner]]\nname = \"anna smith\"\nsync_folders = []\n",
    )
    .unwrap();
    let said = run(&tw, &bad, &["config", "check"]);
    assert!(!said.status.success());
    assert!(format!("{}{}", said.stdout, said.stderr).contains("letters, digits"));
    let twice = tw.root().join("twice.toml");
    std::fs::write(
        &twice,
        "[[runner]]\nname = \"anna\"\nsync_folders = []\n[[runner]]\nname = \"anna\"\nsync_folders = []\n",
    )
    .unwrap();
    let said = run(&tw, &twice, &["config", "check"]);
    assert!(format!("{}{}", said.stdout, said.stderr).contains("used twice"));
    // A runner's own profile is checked like the top-level one.
    let zone = tw.root().join("zone.toml");
    std::fs::write(
        &zone,
        "[[runner]]\nname = \"anna\"\nsync_folders = []\n[runner.profile]\ntime_zone = \"Mars/Olympus\"\n",
    )
    .unwrap();
    let said = run(&tw, &zone, &["config", "check"]);
    assert!(format!("{}{}", said.stdout, said.stderr).contains("IANA"));
    // Coaches: each naming runners who are there, with a login name of
    // their own; a household binds beyond loopback without [web]
    // password_hash (everyone logs in), a single runner does not.
    for (extra, words) in [
        (
            "\n[[coach]]\nname = \"kim\"\nrunners = [\"anna\", \"zed\"]\n",
            "runners names \"zed\", who is not a [[runner]] here (they are anna, ben)",
        ),
        (
            "\n[[coach]]\nname = \"ben\"\nrunners = [\"anna\"]\n",
            "\"ben\" is also a runner's",
        ),
        (
            "\n[[coach]]\nname = \"kim\"\nrunners = [\"anna\"]\npassword_hash = \"plain\"\n",
            "[[coach]] kim password_hash is not an argon2 hash",
        ),
    ] {
        let cfg = household(&tw, extra);
        let said = run(&tw, &cfg, &["config", "check"]);
        assert_eq!(said.status.code(), Some(2), "{extra}");
        assert!(
            format!("{}{}", said.stdout, said.stderr).contains(words),
            "{extra}: {said:?}"
        );
    }
    let open = household(
        &tw,
        "\n[[coach]]\nname = \"kim\"\nrunners = [\"anna\"]\n[web]\nbind = \"0.0.0.0:8417\"\n",
    );
    run(&tw, &open, &["config", "check"]).assert_ok();
    let alone = tw.root().join("alone.toml");
    std::fs::write(&alone, "[web]\nbind = \"0.0.0.0:8417\"\n").unwrap();
    let said = run(&tw, &alone, &["config", "check"]);
    assert!(format!("{}{}", said.stdout, said.stderr).contains("set a password first"));
}

#[test]
fn one_runner_table_is_used_without_naming_it_and_no_table_refuses_a_name() {
    let tw = Tw::new();
    std::fs::create_dir_all(tw.root().join("sync-solo")).unwrap();
    let solo = tw.root().join("solo.toml");
    std::fs::write(
        &solo,
        format!(
            "[[runner]]\nname = \"solo\"\nsync_folders = [\"{}/sync-solo\"]\n",
            tw.root().display()
        ),
    )
    .unwrap();
    run(&tw, &solo, &["status"]).assert_ok();
    assert!(tw.root().join("state/runners/solo.db").exists());
    let plain = tw.root().join("plain.toml");
    std::fs::write(&plain, "[profile]\nmode = \"normal\"\n").unwrap();
    run(&tw, &plain, &["status"]).assert_ok();
    assert!(
        tw.root().join("state/tendonwatch.db").exists(),
        "the store as before"
    );
    let r = run(&tw, &plain, &["--runner", "solo", "status"]);
    assert_eq!(r.status.code(), Some(2));
    assert!(r.stderr.contains("no [[runner]] tables"), "{}", r.stderr);
}

/// What a `Type=notify` service manager hears on its socket, gathered by a
/// thread.
struct NotifySocket {
    path: PathBuf,
    heard: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl NotifySocket {
    fn bind(path: PathBuf) -> NotifySocket {
        let socket = std::os::unix::net::UnixDatagram::bind(&path).unwrap();
        let heard = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let h = heard.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = socket.recv(&mut buf) {
                let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                h.lock().unwrap().extend(text.lines().map(str::to_string));
            }
        });
        NotifySocket { path, heard }
    }

    fn count(&self, line: &str) -> usize {
        self.heard
            .lock()
            .unwrap()
            .iter()
            .filter(|l| *l == line)
            .count()
    }

    /// Wait (up to a minute) until `line` was heard `n` times.
    fn wait_for(&self, line: &str, n: usize) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while self.count(line) < n {
            assert!(
                std::time::Instant::now() < deadline,
                "{line} heard {} times, not {n}: {:?}",
                self.count(line),
                self.heard.lock().unwrap()
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

/// One `watch` for the household, as the system unit runs it: one service
/// to systemd (ready once, the watchdog fed, stopping once), the
/// household's dashboard beside the daemons, and each runner's new file in
/// that runner's store only.
#[test]
fn one_watch_files_each_new_run_under_its_runner() {
    let tw = Tw::new();
    let cfg = household(&tw, "\n[web]\nenabled = true\nbind = \"127.0.0.1:0\"\n");
    let root = tw.root().to_path_buf();
    let systemd = NotifySocket::bind(root.join("notify.sock"));
    let mut cmd = tw.bare_command();
    cmd.env("STATE_DIRECTORY", root.join("state"))
        .env("NOTIFY_SOCKET", &systemd.path)
        .env("WATCHDOG_USEC", "400000")
        .env("TENDONWATCH_LOG", "info")
        .arg("--config")
        .arg(&cfg)
        .arg("watch")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(root.join("watch.log")).unwrap());
    let mut child = cmd.spawn().unwrap();
    // Both daemons are up once both stores exist.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !(root.join("state/runners/anna.db").exists()
        && root.join("state/runners/ben.db").exists())
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the stores never appeared"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // Ready once, when both runners' folders are watched; then fed.
    systemd.wait_for("READY=1", 1);
    systemd.wait_for("WATCHDOG=1", 3);
    assert_eq!(systemd.count("READY=1"), 1);
    // The household's dashboard, in the same process: every page wants a
    // login, and the login asks for a name.
    let log = std::fs::read_to_string(root.join("watch.log")).unwrap();
    let addr = log
        .split("dashboard on http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no dashboard in the log: {log}"));
    let server = dashboard::Server::attach(addr.parse().unwrap());
    let r = server.get("/r/anna/", None);
    assert_eq!(r.header("location"), Some("/login"), "{r:?}");
    assert!(server.get("/login", None).body.contains("name=\"name\""));
    one_real_run_each(&root);
    let listed = |who: &str| -> Vec<String> {
        let r = run(&tw, &cfg, &["--runner", who, "activities", "--json"]);
        if !r.status.success() {
            return Vec::new();
        }
        r.json()
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["source_path"].as_str().unwrap().to_string())
            .collect()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let (anna, ben) = (listed("anna"), listed("ben"));
        if anna.len() == 1 && ben.len() == 1 {
            assert!(anna[0].ends_with("sync-anna/run.fit"), "{anna:?}");
            assert!(ben[0].ends_with("sync-ben/run.gpx"), "{ben:?}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not filed: anna {anna:?}, ben {ben:?}\n{}",
            std::fs::read_to_string(root.join("watch.log")).unwrap_or_default()
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    // SIGTERM: both finish and the process exits cleanly.
    let pid = child.id().to_string();
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert!(
        status.success(),
        "{status}: {}",
        std::fs::read_to_string(root.join("watch.log")).unwrap_or_default()
    );
    systemd.wait_for("STOPPING=1", 1);
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert_eq!(systemd.count("STOPPING=1"), 1);
    assert_eq!(systemd.count("READY=1"), 1);
}

fn alert_set(r: Run) -> BTreeSet<(String, String, String)> {
    r.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["kind"].as_str().unwrap().to_string(),
                a["cause"].as_str().unwrap().to_string(),
                a["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Two runners whose histories raise different alerts: each runner's
/// alerts are exactly those of the same files imported alone.
#[test]
fn each_runners_rules_read_only_their_own_history() {
    let tw = Tw::new();
    let cfg = household(&tw, "");
    write_season(&tw.root().join("sync-anna"), true);
    write_season(&tw.root().join("sync-ben"), false);
    for who in ["anna", "ben"] {
        run(&tw, &cfg, &["--runner", who, "import"]).assert_ok();
    }
    for (who, spike, profile) in [
        (
            "anna",
            true,
            "mode = \"return\"\ntime_zone = \"Europe/Berlin\"\n",
        ),
        ("ben", false, "mode = \"normal\"\n"),
    ] {
        // The same files and profile, alone in a single-runner config.
        let alone = Tw::new();
        write_season(&alone.sync(), spike);
        let single = alone.root().join("single.toml");
        std::fs::write(&single, format!("[profile]\n{profile}")).unwrap();
        let sync = alone.sync();
        let with = |args: &[&str]| {
            let mut cmd = alone.command();
            cmd.arg("--config").arg(&single).args(args);
            Tw::run_command(cmd)
        };
        with(&["import", sync.to_str().unwrap()]).assert_ok();
        let want = alert_set(with(&["alerts", "--all", "--json"]));
        let got = alert_set(run(
            &tw,
            &cfg,
            &["--runner", who, "alerts", "--all", "--json"],
        ));
        assert_eq!(got, want, "{who}");
        assert_eq!(
            got.iter().any(|a| a.0 == "run_spike"),
            spike,
            "{who}: {got:?}"
        );
    }
}

/// `runner add`: a runner joins a config that served one runner; the one
/// served so far keeps their runs; every comment stays; a clash is refused
/// and nothing changes.
#[test]
fn runner_add_keeps_the_first_runners_runs_and_every_comment() {
    let tw = Tw::new();
    let root = tw.root().to_path_buf();
    for d in ["sync-me", "sync-ben"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    let cfg = root.join("mine.toml");
    std::fs::write(
        &cfg,
        format!(
            "# my own notes about this config\n[watch]\nfolders = [\"{}/sync-me\"] # my watch\n",
            root.display()
        ),
    )
    .unwrap();
    std::fs::copy(
        util::real("fit/activity-small-fenix2-run.fit"),
        root.join("sync-me/run.fit"),
    )
    .unwrap();
    run(&tw, &cfg, &["import"]).assert_ok();
    // Their dashboard password so far becomes their own login.
    let mut cmd = tw.bare_command();
    cmd.arg("--config").arg(&cfg).args(["web", "set-password"]);
    dashboard::set_password(cmd, "my heel is fine");
    let before = std::fs::read_to_string(&cfg).unwrap();
    let hash = before
        .lines()
        .find(|l| l.starts_with("password_hash = "))
        .unwrap()
        .to_string();
    let ben = format!("{}/sync-ben", root.display());

    let r = run(&tw, &cfg, &["runner", "add", "ben", "--sync", &ben]);
    assert_eq!(r.status.code(), Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("--existing-as"), "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(&cfg).unwrap(),
        before,
        "nothing changed"
    );

    run(
        &tw,
        &cfg,
        &[
            "runner",
            "add",
            "ben",
            "--sync",
            &ben,
            "--existing-as",
            "me",
        ],
    )
    .assert_ok();
    let after = std::fs::read_to_string(&cfg).unwrap();
    // Every line kept; the one served so far is the default runner, a
    // top-level key before the first table (issue 22).
    assert!(
        after
            .replacen("default_runner = \"me\"\n\n[watch]", "[watch]", 1)
            .starts_with(&before),
        "every line kept:\n{after}"
    );
    let me = &after[after.find("name = \"me\"").unwrap()..after.find("name = \"ben\"").unwrap()];
    assert!(me.contains(&hash), "{after}");
    run(&tw, &cfg, &["config", "check"]).assert_ok();
    let count = |who: &str| {
        run(&tw, &cfg, &["--runner", who, "activities", "--json"])
            .json()
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(count("me"), 1, "the first runner keeps their run");
    assert_eq!(count("ben"), 0);

    // A third runner inside ben's folder: refused, the file unchanged.
    let r = run(
        &tw,
        &cfg,
        &["runner", "add", "carl", "--sync", &format!("{ben}/carl")],
    );
    assert!(!r.status.success());
    assert!(r.stderr.contains("share the sync folder"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&cfg).unwrap(), after);
}

#[test]
fn coach_add_appends_a_checked_table_and_keeps_every_line() {
    let tw = Tw::new();
    let cfg = household(&tw, "");
    let before = std::fs::read_to_string(&cfg).unwrap();
    for (args, words) in [
        (
            vec!["coach", "add", "kim", "--sees", "zed"],
            "runners names \"zed\", who is not a [[runner]] here",
        ),
        (
            vec!["coach", "add", "ben", "--sees", "anna"],
            "\"ben\" is also a runner's",
        ),
        (
            vec!["coach", "add", "kim ly", "--sees", "anna"],
            "letters, digits",
        ),
    ] {
        let r = run(&tw, &cfg, &args);
        assert_eq!(r.status.code(), Some(2), "{args:?}: {r:?}");
        assert!(r.stderr.contains(words), "{args:?}: {}", r.stderr);
        assert_eq!(std::fs::read_to_string(&cfg).unwrap(), before);
    }
    let r = run(
        &tw,
        &cfg,
        &["coach", "add", "kim", "--sees", "anna", "--sees", "ben"],
    );
    r.assert_ok();
    assert!(
        r.stdout.contains("web set-password --coach kim"),
        "{}",
        r.stdout
    );
    let after = std::fs::read_to_string(&cfg).unwrap();
    assert!(after.starts_with(&before), "every line kept:\n{after}");
    assert!(
        after.ends_with("\n[[coach]]\nname = \"kim\"\nrunners = [\"anna\", \"ben\"]\n"),
        "{after}"
    );
    run(&tw, &cfg, &["config", "check"]).assert_ok();
}
