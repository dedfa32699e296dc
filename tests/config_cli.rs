//! `config init` writes the documented default file; `config check` says
//! which line is wrong; poll mode (NFS/SMB shares send no events) still
//! finds new files.
#![allow(clippy::unwrap_used)]

mod util;

use std::time::{Duration, Instant};
use util::Tw;

#[test]
fn config_init_writes_the_documented_file_and_check_accepts_it() {
    let tw = Tw::new();
    let path = tw.root().join("conf/tendonwatch.toml");
    let out = tw.run(&["config", "init", path.to_str().unwrap()]);
    out.assert_ok();
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text, tendonwatch::config::DEFAULT_CONFIG_TEXT);
    for key in [
        "folders",
        "mode",
        "rescan_s",
        "notification_horizon_days",
        "run_spike_warn_pct",
        "desktop",
    ] {
        assert!(text.contains(key), "{key} documented");
    }
    let check = tw.run(&["config", "check", path.to_str().unwrap()]);
    check.assert_ok();
    assert!(check.stdout.contains(": ok"), "{}", check.stdout);
    // Never overwritten by accident.
    let again = tw.run(&["config", "init", path.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2));
    assert!(again.stderr.contains("--force"), "{}", again.stderr);
    tw.run(&["config", "init", path.to_str().unwrap(), "--force"])
        .assert_ok();
}

#[test]
fn config_check_names_the_wrong_line_even_when_the_config_in_use_is_broken() {
    let tw = Tw::new();
    let path = tw.root().join("broken.toml");
    std::fs::write(
        &path,
        "[watch]\nfolders = [\"/x\"]\n\n[rules]\nrun_spike_warn_pct = \"ten\"\n",
    )
    .unwrap();
    // Through --config too: the broken file must not stop `config check`.
    let check = tw.run(&["--config", path.to_str().unwrap(), "config", "check"]);
    assert_eq!(check.status.code(), Some(2), "{}", check.stderr);
    assert!(check.stderr.contains("line 5"), "{}", check.stderr);
    let lines: Vec<&str> = check.stderr.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 1, "{}", check.stderr);
    let unknown_mode = tw.root().join("mode.toml");
    std::fs::write(&unknown_mode, "[watch]\nmode = \"sometimes\"\n").unwrap();
    let check = tw.run(&["config", "check", unknown_mode.to_str().unwrap()]);
    assert!(
        check.stderr.contains("use \"native\" or \"poll\""),
        "{}",
        check.stderr
    );
}

#[test]
fn poll_mode_finds_new_files_without_events() {
    let tw = Tw::new();
    let config = tw.root().join("poll.toml");
    std::fs::write(
        &config,
        "[watch]\nmode = \"poll\"\npoll_interval_s = 1\ndebounce_ms = 100\nrescan_s = 3600\n",
    )
    .unwrap();
    let mut cmd = tw.command();
    cmd.args([
        "--config",
        config.to_str().unwrap(),
        "watch",
        tw.sync().to_str().unwrap(),
    ]);
    cmd.stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut daemon = cmd.spawn().unwrap();
    std::thread::sleep(Duration::from_millis(800));
    tw.copy_real("fit/with_nones.fit");
    let start = Instant::now();
    let mut stored = false;
    while start.elapsed() < Duration::from_secs(30) {
        if tw.db().exists() && tw.count("activities") == 1 {
            stored = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = std::process::Command::new("kill")
        .arg("-TERM")
        .arg(daemon.id().to_string())
        .status();
    assert!(daemon.wait().unwrap().success());
    assert!(stored, "the poll watcher saw the new file");
}
