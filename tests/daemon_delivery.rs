//! Crash safety of delivery, on the real daemon and a real HTTP server on
//! loopback: kill the daemon between storing an alert and delivering it,
//! and the alert is delivered exactly once after restart; kill it between
//! bundling a digest and sending it, and that same digest is sent once.
#![allow(clippy::unwrap_used)]

mod util;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tendonwatch::sim::fit_writer::encode;
use tendonwatch::sim::training::{self, Event, Runner, Week};
use util::wait;

const DAY_MS: i64 = 86_400_000;

/// A webhook receiver on 127.0.0.1 that records every POST body and its
/// `Idempotency-Key`: one thread per connection, never failing on a
/// request it does not understand.
fn webhook_server(listener: TcpListener) -> Arc<Mutex<Vec<(String, String)>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let record = record.clone();
            std::thread::spawn(move || {
                let Ok(clone) = stream.try_clone() else {
                    return;
                };
                let mut reader = BufReader::new(clone);
                let mut length = 0usize;
                let mut key = String::new();
                let mut line = String::new();
                while reader.read_line(&mut line).unwrap_or(0) > 0 {
                    if line == "\r\n" {
                        break;
                    }
                    let lower = line.to_ascii_lowercase();
                    if let Some(v) = lower.strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                    if lower.starts_with("idempotency-key:") {
                        key = line["idempotency-key:".len()..].trim().to_string();
                    }
                    line.clear();
                }
                let mut body = vec![0u8; length];
                if reader.read_exact(&mut body).is_ok() {
                    record
                        .lock()
                        .unwrap()
                        .push((key, String::from_utf8_lossy(&body).into_owned()));
                }
                let mut stream = stream;
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                );
            });
        }
    });
    seen
}

/// A local hour of the day twelve hours from now: a digest at that hour is
/// far from any alert queued now.
fn digest_hour_far_from_now() -> u32 {
    let now = chrono::Utc::now().timestamp_millis();
    let local_hour = tendonwatch::zone::Zone::system()
        .local_ms(now)
        .rem_euclid(DAY_MS)
        / 3_600_000;
    ((local_hour + 12) % 24) as u32
}

fn start(root: &Path, port: u16) -> Child {
    start_with(root, port, &[])
}

/// The daemon on `root`'s store and sync folder, its webhook on `port`,
/// its digest hour twelve hours from now; `env` added to its environment.
fn start_with(root: &Path, port: u16, env: &[(&str, &str)]) -> Child {
    let config = root.join("tw.toml");
    std::fs::write(
        &config,
        format!(
            "[watch]\ndebounce_ms = 100\n[notify]\ndigest_hour = {}\n\
             [notify.webhook]\nurl = \"http://127.0.0.1:{port}/hook\"\n",
            digest_hour_far_from_now()
        ),
    )
    .unwrap();
    Command::new(env!("CARGO_BIN_EXE_tendonwatch"))
        .envs(env.iter().copied())
        .args([
            "--db",
            root.join("tw.db").to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
            "watch",
        ])
        .arg(root.join("sync"))
        .env("HOME", root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn query(root: &Path, sql: &str) -> i64 {
    rusqlite::Connection::open(root.join("tw.db"))
        .and_then(|c| c.query_row(sql, [], |r| r.get(0)))
        .unwrap_or(0)
}

#[test]
fn an_alert_stored_but_not_delivered_before_a_kill_is_delivered_once_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let sync = root.join("sync");
    std::fs::create_dir(&sync).unwrap();

    // Eight steady weeks, then a 35 % long-run spike yesterday (within the
    // 3-day notification horizon, so the alert is queued for delivery).
    let now = chrono::Utc::now().timestamp_millis();
    let r = Runner {
        start_ms: (now - (8 * 7 + 1) * DAY_MS).div_euclid(DAY_MS) * DAY_MS,
        ..Runner::default()
    };
    let weeks: Vec<Week> = (0..8).map(|_| training::steady_week(&r)).collect();
    for (i, a) in training::simulate(&r, &weeks).iter().enumerate() {
        std::fs::write(sync.join(format!("{i:02}.fit")), encode(a)).unwrap();
    }
    std::fs::write(
        sync.join("spike.fit"),
        encode(&training::on_day(&r, 8, 0, &Event::Long { km: 12.96 })),
    )
    .unwrap();

    // The receiver's port is reserved but nobody listens yet: delivery fails.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let mut daemon = start(root, port);
    assert!(
        wait(60, || query(
            root,
            "SELECT COUNT(*) FROM outbox WHERE attempts >= 1"
        ) >= 1),
        "the alert is stored and its first delivery attempt failed"
    );
    assert_eq!(
        query(
            root,
            "SELECT COUNT(*) FROM outbox WHERE delivered_ms IS NOT NULL"
        ),
        0
    );
    daemon.kill().unwrap(); // SIGKILL: no goodbye.
    daemon.wait().unwrap();

    // The receiver comes up; the daemon restarts.
    let seen = webhook_server(TcpListener::bind(("127.0.0.1", port)).unwrap());
    let mut daemon = start(root, port);
    // The spike week raises its alerts (run_spike, and the week's jump):
    // after restart every high one is delivered, each exactly once; the
    // warn ones wait for the digest, twelve hours away (RULES.md H).
    let alerts = query(
        root,
        "SELECT COUNT(*) FROM alerts WHERE delivery = 'queued' AND severity = 'high'",
    );
    assert!(alerts >= 1);
    let delivered = wait(60, || {
        query(
            root,
            "SELECT COUNT(*) FROM outbox WHERE delivered_ms IS NOT NULL",
        ) == alerts
    });
    assert!(
        delivered,
        "all {alerts} high alerts delivered after restart"
    );
    // Give it time to (wrongly) deliver again, then check: exactly once.
    std::thread::sleep(Duration::from_secs(2));
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(daemon.id().to_string())
        .status();
    assert!(daemon.wait().unwrap().success(), "SIGTERM: clean exit");
    assert_eq!(
        query(
            root,
            "SELECT COUNT(*) FROM outbox o JOIN alerts a ON a.id = o.alert_id
             WHERE a.severity <> 'high' AND (o.delivered_ms IS NOT NULL OR o.digest_id IS NOT NULL)"
        ),
        0,
        "warn alerts wait for the digest hour"
    );
    let bodies: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|(_, b)| b.clone())
        .collect();
    assert_eq!(bodies.len() as i64, alerts, "{bodies:#?}");
    let mut ids: Vec<i64> = bodies
        .iter()
        .map(|b| {
            serde_json::from_str::<serde_json::Value>(b).unwrap()["id"]
                .as_i64()
                .unwrap()
        })
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len() as i64, alerts, "each alert exactly once");
    assert!(
        bodies.iter().any(|b| b.contains("\"kind\":\"run_spike\"")),
        "{bodies:#?}"
    );
}

/// Three warn alerts queued yesterday (so today's digest hour has passed
/// for them), each with a webhook row, as the daemon would have queued
/// them; returns their ids.
fn queue_yesterday(root: &Path) -> Vec<i64> {
    use tendonwatch::finding::{Finding, RuleId, Severity};
    let mut store = tendonwatch::store::Store::open(&root.join("tw.db")).unwrap();
    let yesterday = chrono::Utc::now().timestamp_millis() - 25 * 3_600_000;
    let findings: Vec<Finding> = [RuleId::HillIntro, RuleId::SpeedIntro, RuleId::ShoeDrop]
        .into_iter()
        .enumerate()
        .map(|(i, kind)| Finding {
            kind,
            severity: Severity::Warn,
            activity_id: None,
            window_start_ms: yesterday - 3_600_000,
            window_end_ms: yesterday,
            measured: 1.0,
            baseline: 0.0,
            threshold: 0.5,
            unit: String::new(),
            what_changed: format!("warning number {i}"),
            what_to_do: "Easy for a few days.".to_string(),
            source: "RULES.md B".to_string(),
            cause: format!("run:{i}"),
        })
        .collect();
    store
        .record_findings(
            None,
            &findings,
            "queued",
            &["webhook".to_string()],
            yesterday,
        )
        .unwrap()
        .iter()
        .map(|a| a.id)
        .collect()
}

#[test]
fn a_digest_bundled_but_not_sent_before_a_kill_is_sent_once_as_bundled_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join("sync")).unwrap();
    let bundled_ids = queue_yesterday(root);

    // The receiver is up from the start: anything sent before the kill
    // would be seen.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = webhook_server(listener);

    // The test-only hook stops delivery right after the bundling
    // transaction commits; then SIGKILL.
    let mut daemon = start_with(root, port, &[("TENDONWATCH_TEST_STALL_AFTER_BUNDLE", "1")]);
    assert!(
        wait(60, || query(root, "SELECT COUNT(*) FROM digests") == 1),
        "the digest is bundled"
    );
    let digest_id = query(root, "SELECT id FROM digests");
    assert_eq!(
        query(
            root,
            &format!("SELECT COUNT(*) FROM outbox WHERE digest_id = {digest_id}")
        ),
        3
    );
    std::thread::sleep(Duration::from_millis(500));
    daemon.kill().unwrap(); // SIGKILL
    daemon.wait().unwrap();
    assert!(
        seen.lock().unwrap().is_empty(),
        "nothing sent before the kill"
    );
    assert_eq!(
        query(
            root,
            "SELECT COUNT(*) FROM digests WHERE delivered_ms IS NULL"
        ),
        1
    );

    // While it is down, a new warning is queued: it belongs to the next
    // digest, not to the one already bundled.
    let late = {
        use tendonwatch::finding::{Finding, RuleId, Severity};
        let mut store = tendonwatch::store::Store::open(&root.join("tw.db")).unwrap();
        let now = chrono::Utc::now().timestamp_millis();
        let f = Finding {
            kind: RuleId::SurfaceChange,
            severity: Severity::Warn,
            activity_id: None,
            window_start_ms: now - 3_600_000,
            window_end_ms: now,
            measured: 1.0,
            baseline: 0.0,
            threshold: 0.5,
            unit: String::new(),
            what_changed: "a late warning".to_string(),
            what_to_do: "Easy.".to_string(),
            source: "RULES.md E".to_string(),
            cause: "run:late".to_string(),
        };
        store
            .record_findings(None, &[f], "queued", &["webhook".to_string()], now)
            .unwrap()[0]
            .id
    };

    // Restarted without the hook: the bundled digest goes, once.
    let mut daemon = start(root, port);
    assert!(
        wait(60, || query(
            root,
            "SELECT COUNT(*) FROM digests WHERE delivered_ms IS NOT NULL"
        ) >= 1),
        "the digest is delivered after restart"
    );
    // Give it time to (wrongly) send again or bundle anew, then check.
    std::thread::sleep(Duration::from_secs(2));
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(daemon.id().to_string())
        .status();
    assert!(daemon.wait().unwrap().success(), "SIGTERM: clean exit");

    let received = seen.lock().unwrap().clone();
    assert_eq!(received.len(), 1, "one digest message: {received:#?}");
    let (key, body) = &received[0];
    assert_eq!(key, &format!("tendonwatch-digest-{digest_id}"));
    let body: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(body["kind"], "digest");
    assert_eq!(body["id"].as_i64(), Some(digest_id));
    assert_eq!(body["title"], "tendonwatch: 3 warnings");
    let ids: Vec<i64> = body["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, bundled_ids, "the bundled alerts, each once");
    let message = body["message"].as_str().unwrap();
    for i in 0..3 {
        assert_eq!(
            message.matches(&format!("warning number {i}")).count(),
            1,
            "{message}"
        );
    }
    assert!(!message.contains("a late warning"), "{message}");
    assert_eq!(
        query(root, "SELECT COUNT(*) FROM digests"),
        1,
        "no second digest"
    );
    assert_eq!(
        query(
            root,
            &format!(
                "SELECT COUNT(*) FROM outbox WHERE alert_id = {late}
                 AND digest_id IS NULL AND delivered_ms IS NULL"
            )
        ),
        1,
        "the late warning waits for the next digest"
    );
}

/// An alert another writer queues while the daemon runs — here the pain
/// rules of `tendonwatch pain` (an after-run score over the limit) — is delivered by
/// the running daemon, which never heard of it: it looks at every store
/// that changed on disk (issue 25: one delivery thread for every runner
/// looks at an outbox only when poked, due, or changed).
#[test]
fn an_alert_the_cli_queues_while_the_daemon_runs_is_delivered_by_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join("sync")).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = webhook_server(listener);
    let mut daemon = start(root, port);
    assert!(
        wait(30, || root.join("tw.db").exists()),
        "the daemon made its store"
    );
    std::thread::sleep(Duration::from_millis(500));
    let pain = Command::new(env!("CARGO_BIN_EXE_tendonwatch"))
        .args([
            "--db",
            root.join("tw.db").to_str().unwrap(),
            "--config",
            root.join("tw.toml").to_str().unwrap(),
            "pain",
            "9",
            "--kind",
            "after",
        ])
        .env("HOME", root)
        .output()
        .unwrap();
    assert!(pain.status.success(), "{pain:?}");
    let queued = query(
        root,
        "SELECT COUNT(*) FROM outbox o JOIN alerts a ON a.id = o.alert_id WHERE a.severity = 'high'",
    );
    assert!(queued >= 1, "the CLI queued a high pain alert");
    let delivered = wait(60, || seen.lock().unwrap().len() as i64 >= queued);
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(daemon.id().to_string())
        .status();
    assert!(daemon.wait().unwrap().success(), "SIGTERM: clean exit");
    assert!(
        delivered,
        "the running daemon delivered what the CLI queued: {:?}",
        seen.lock().unwrap()
    );
    assert_eq!(
        query(
            root,
            "SELECT COUNT(*) FROM outbox WHERE delivered_ms IS NOT NULL"
        ),
        queued
    );
}
