//! A household keeps its first runner's habits (issue 22, point 1): after
//! `runner add ben … --existing-as anna`, Anna's plain commands (no
//! `--runner`) are still hers, and say so in one line on stderr; `--db X`
//! still works; `runner add` works on a fresh home; every path the config
//! gains is written in one style; `config check` names the default runner
//! and refuses one that names nobody. All on the real binary with a
//! temporary `$HOME`, and no `--db` or `--config` unless a test says so:
//! the config and stores are where a fresh machine keeps them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

use std::io::Write;
use std::path::{Path, PathBuf};
use util::{Run, Tw};

/// `~/.config/tendonwatch/tendonwatch.toml` of the temporary home.
fn config_file(tw: &Tw) -> PathBuf {
    tw.root().join(".config/tendonwatch/tendonwatch.toml")
}

/// The lines of stderr that say whose command this was.
fn notes(run: &Run) -> Vec<&str> {
    run.stderr
        .lines()
        .filter(|l| l.contains("the default runner"))
        .collect()
}

/// A string value of a `key = [..]` or `key = ".."` line in one
/// `[[runner]]` table of `text`.
fn runner_line<'a>(text: &'a str, runner: &str, key: &str) -> &'a str {
    let table = text
        .split("\n[[runner]]\n")
        .find(|t| t.starts_with(&format!("name = \"{runner}\"")))
        .unwrap_or_else(|| panic!("no table for {runner}:\n{text}"));
    table
        .lines()
        .find(|l| l.starts_with(&format!("{key} = ")))
        .unwrap_or_else(|| panic!("{runner} has no {key}:\n{text}"))
}

/// `web set-password` with a password on stdin; it must succeed and say
/// once whose it is.
fn set_password(mut cmd: std::process::Command) {
    cmd.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    writeln!(child.stdin.take().unwrap(), "anna's long password").unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        stderr
            .lines()
            .filter(|l| l.contains("the default runner"))
            .count(),
        1,
        "{stderr}"
    );
}

fn count(run: Run) -> usize {
    run.json().as_array().unwrap().len()
}

#[test]
fn anna_s_plain_commands_stay_hers_after_ben_joins() {
    let tw = Tw::new();
    let home = tw.root();
    // Anna, alone: the default config, her watch's folder, a run, a pain entry.
    tw.run_bare(&["config", "init"]).assert_ok();
    let anna_sync = home.join("Sync/watch");
    std::fs::create_dir_all(&anna_sync).unwrap();
    std::fs::copy(
        util::real("fit/activity-small-fenix2-run.fit"),
        anna_sync.join("run.fit"),
    )
    .unwrap();
    tw.run_bare(&["import"]).assert_ok();
    tw.run_bare(&["pain", "2", "--kind", "morning"]).assert_ok();
    let her_store = home.join(".local/state/tendonwatch/tendonwatch.db");
    assert!(her_store.exists());

    // Ben joins; the shell hands his folder over as an absolute path, and a
    // second runner's folder comes relative to where the command was typed.
    let ben_sync = home.join("Sync/ben");
    std::fs::create_dir_all(&ben_sync).unwrap();
    let added = tw.run_bare(&[
        "runner",
        "add",
        "ben",
        "--sync",
        ben_sync.to_str().unwrap(),
        "--existing-as",
        "anna",
    ]);
    let said = &added.assert_ok().stdout;
    assert!(said.contains("anna is the default runner"), "{said}");
    let text = std::fs::read_to_string(config_file(&tw)).unwrap();
    // One style: under the home folder, `~/…`, for both runners.
    assert_eq!(
        runner_line(&text, "anna", "sync_folders"),
        "sync_folders = [\"~/Sync/watch\"]"
    );
    assert_eq!(
        runner_line(&text, "anna", "db"),
        "db = \"~/.local/state/tendonwatch/tendonwatch.db\""
    );
    assert_eq!(
        runner_line(&text, "ben", "sync_folders"),
        "sync_folders = [\"~/Sync/ben\"]"
    );
    // The key is a top-level one, in place of its documented example.
    let key = text.find("\ndefault_runner = \"anna\"\n").expect(&text);
    assert!(key < text.find("\n[watch]").unwrap(), "{text}");
    assert!(!text.contains("# default_runner ="), "{text}");

    // Anna's habits: the same commands, the same answers, one line that
    // says for whom.
    let activities = tw.run_bare(&["activities", "--json"]);
    assert_eq!(
        notes(&activities),
        ["tendonwatch: for anna (the default runner; --runner NAME for another)"],
        "{}",
        activities.stderr
    );
    assert_eq!(count(activities), 1);
    let pain = tw.run_bare(&["pain", "3", "--kind", "morning"]);
    pain.assert_ok();
    assert_eq!(notes(&pain).len(), 1, "{}", pain.stderr);
    assert_eq!(count(tw.run_bare(&["pain", "list", "--json"])), 2);
    let status = tw.run_bare(&["status"]);
    status.assert_ok();
    assert_eq!(notes(&status).len(), 1, "{}", status.stderr);
    // Named, no note; ben's store is his own.
    let ben = tw.run_bare(&["--runner", "ben", "activities", "--json"]);
    assert!(notes(&ben).is_empty(), "{}", ben.stderr);
    assert_eq!(count(ben), 0);
    assert_eq!(
        count(tw.run_bare(&["--runner", "anna", "pain", "list", "--json"])),
        2
    );

    // --db X: the store given is used, the default runner lends her settings.
    let other = home.join("elsewhere.db");
    let into_other = tw.run_bare(&[
        "--db",
        other.to_str().unwrap(),
        "import",
        anna_sync.join("run.fit").to_str().unwrap(),
    ]);
    into_other.assert_ok();
    assert_eq!(
        notes(&into_other),
        [format!(
            "tendonwatch: the store {} with anna's settings (the default runner; --runner NAME for another)",
            other.display()
        )],
        "{}",
        into_other.stderr
    );
    assert_eq!(util::count(&util::open(&other), "activities"), 1);
    assert_eq!(util::count(&util::open(&her_store), "activities"), 1);

    // Her dashboard password too: `web set-password` sets her login.
    let mut cmd = tw.bare_command();
    cmd.args(["web", "set-password"]);
    let before = std::fs::read_to_string(config_file(&tw)).unwrap();
    assert!(
        !before.lines().any(|l| l.starts_with("password_hash")),
        "{before}"
    );
    set_password(cmd);
    let text = std::fs::read_to_string(config_file(&tw)).unwrap();
    assert!(
        runner_line(&text, "anna", "password_hash").starts_with("password_hash = \"$argon2"),
        "{text}"
    );

    // The config check names the default runner.
    let check = tw.run_bare(&["config", "check"]);
    check.assert_ok();
    assert!(
        check
            .stdout
            .contains("runners: anna, ben; the default runner: anna"),
        "{}",
        check.stdout
    );

    // A third runner typed relative to here: written the same way.
    std::fs::create_dir_all(home.join("Sync/carl")).unwrap();
    tw.run_bare(&["runner", "add", "carl", "--sync", "./Sync/carl"])
        .assert_ok();
    let text = std::fs::read_to_string(config_file(&tw)).unwrap();
    assert_eq!(
        runner_line(&text, "carl", "sync_folders"),
        "sync_folders = [\"~/Sync/carl\"]"
    );
    assert_eq!(text.matches("default_runner =").count(), 1, "{text}");
}

#[test]
fn runner_add_on_a_fresh_home_writes_the_config_config_init_would() {
    let tw = Tw::new();
    let ben = tw.root().join("Sync/ben");
    std::fs::create_dir_all(&ben).unwrap();
    let added = tw.run_bare(&["runner", "add", "ben", "--sync", ben.to_str().unwrap()]);
    added.assert_ok();
    let path = config_file(&tw);
    assert!(
        added.stdout.contains(&format!("wrote {}", path.display())),
        "{}",
        added.stdout
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.starts_with(tendonwatch::config::DEFAULT_CONFIG_TEXT),
        "{text}"
    );
    assert!(text.ends_with("\n[[runner]]\nname = \"ben\"\nsync_folders = [\"~/Sync/ben\"]\n"));
    // One runner: no default needed, none written; his commands just work.
    assert!(!text.contains("\ndefault_runner"), "{text}");
    let check = tw.run_bare(&["config", "check"]);
    check.assert_ok();
    assert!(check.stdout.contains("runner: ben"), "{}", check.stdout);
    let status = tw.run_bare(&["status"]);
    status.assert_ok();
    assert!(notes(&status).is_empty(), "{}", status.stderr);
    assert!(
        tw.root()
            .join(".local/state/tendonwatch/runners/ben.db")
            .exists()
    );
}

#[test]
fn a_second_runner_table_makes_the_first_the_default() {
    let tw = Tw::new();
    let home = tw.root();
    for d in ["Sync/solo", "Sync/ben"] {
        std::fs::create_dir_all(home.join(d)).unwrap();
    }
    tw.run_bare(&[
        "runner",
        "add",
        "solo",
        "--sync",
        home.join("Sync/solo").to_str().unwrap(),
    ])
    .assert_ok();
    tw.run_bare(&["pain", "1", "--kind", "morning"]).assert_ok();
    let added = tw.run_bare(&[
        "runner",
        "add",
        "ben",
        "--sync",
        home.join("Sync/ben").to_str().unwrap(),
    ]);
    added.assert_ok();
    assert!(added.stdout.contains("solo is the default runner"));
    let list = tw.run_bare(&["pain", "list", "--json"]);
    assert_eq!(
        notes(&list),
        ["tendonwatch: for solo (the default runner; --runner NAME for another)"]
    );
    assert_eq!(count(list), 1);
}

/// A config the service reads (`/etc/…`, outside the home of whoever types
/// the command): absolute paths, never a `~` the service would read as
/// its own home.
#[test]
fn a_config_outside_the_home_gets_absolute_paths() {
    let tw = Tw::new();
    let root = tw.root();
    let home = root.join("admin");
    let etc = root.join("etc/tendonwatch.toml");
    std::fs::create_dir_all(home.join("Sync/ben")).unwrap();
    std::fs::create_dir_all(etc.parent().unwrap()).unwrap();
    let mut cmd = tw.bare_command();
    cmd.env("HOME", &home).arg("--config").arg(&etc).args([
        "runner",
        "add",
        "ben",
        "--sync",
        home.join("Sync/ben").to_str().unwrap(),
    ]);
    Tw::run_command(cmd).assert_ok();
    let text = std::fs::read_to_string(&etc).unwrap();
    assert_eq!(
        runner_line(&text, "ben", "sync_folders"),
        format!("sync_folders = [\"{}\"]", home.join("Sync/ben").display())
    );
}

fn household(tw: &Tw, top: &str) -> PathBuf {
    let path = tw.root().join("household.toml");
    let sync = |who: &str| format!("{}/sync-{who}", tw.root().display());
    std::fs::write(
        &path,
        format!(
            "{top}\n[[runner]]\nname = \"anna\"\nsync_folders = [\"{}\"]\n\n\
             [[runner]]\nname = \"ben\"\nsync_folders = [\"{}\"]\n",
            sync("anna"),
            sync("ben")
        ),
    )
    .unwrap();
    path
}

fn with_config(tw: &Tw, config: &Path, args: &[&str]) -> Run {
    let mut cmd = tw.bare_command();
    cmd.arg("--config").arg(config).args(args);
    Tw::run_command(cmd)
}

#[test]
fn a_default_runner_must_name_a_runner_and_none_keeps_the_clear_error() {
    let tw = Tw::new();
    let zed = household(&tw, "default_runner = \"zed\"");
    for args in [&["config", "check"][..], &["status"][..]] {
        let r = with_config(&tw, &zed, args);
        assert!(!r.status.success(), "{args:?}: {r:?}");
        assert!(
            r.stderr
                .contains("default_runner = \"zed\" names no [[runner]] here (they are anna, ben)"),
            "{args:?}: {}",
            r.stderr
        );
    }
    let lone = tw.root().join("lone.toml");
    std::fs::write(&lone, "default_runner = \"anna\"\n").unwrap();
    let r = with_config(&tw, &lone, &["config", "check"]);
    assert_eq!(r.status.code(), Some(2));
    assert!(r.stderr.contains("no [[runner]] tables"), "{}", r.stderr);

    // Several runners, no default: today's one line, exit 2.
    let none = household(&tw, "");
    let r = with_config(&tw, &none, &["status"]);
    assert_eq!(r.status.code(), Some(2));
    let said: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(said.len(), 1, "{}", r.stderr);
    assert!(
        said[0].contains("several runners (anna, ben): say which with --runner NAME"),
        "{}",
        r.stderr
    );
    let check = with_config(&tw, &none, &["config", "check"]);
    check.assert_ok();
    assert!(
        check.stdout.contains("no default runner"),
        "{}",
        check.stdout
    );
    // A default: plain commands are for them.
    let anna = household(&tw, "default_runner = \"anna\"");
    let r = with_config(&tw, &anna, &["status"]);
    r.assert_ok();
    assert_eq!(notes(&r).len(), 1, "{}", r.stderr);
}
