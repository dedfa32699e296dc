//! Crash safety of delivery, on the real daemon and a real HTTP server on
//! loopback: kill the daemon between storing an alert and delivering it,
//! and the alert is delivered exactly once after restart.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tendonwatch::sim::fit_writer::encode;
use tendonwatch::sim::training::{self, Event, Runner, Week};

const DAY_MS: i64 = 86_400_000;

/// A webhook receiver on 127.0.0.1 that records every POST body: one thread
/// per connection, never failing on a request it does not understand.
fn webhook_server(listener: TcpListener) -> Arc<Mutex<Vec<String>>> {
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
                let mut line = String::new();
                while reader.read_line(&mut line).unwrap_or(0) > 0 {
                    if line == "\r\n" {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                    line.clear();
                }
                let mut body = vec![0u8; length];
                if reader.read_exact(&mut body).is_ok() {
                    record
                        .lock()
                        .unwrap()
                        .push(String::from_utf8_lossy(&body).into_owned());
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

fn start(root: &Path, port: u16) -> Child {
    let config = root.join("tw.toml");
    std::fs::write(
        &config,
        format!(
            "[watch]\ndebounce_ms = 100\n[notify.webhook]\nurl = \"http://127.0.0.1:{port}/hook\"\n"
        ),
    )
    .unwrap();
    Command::new(env!("CARGO_BIN_EXE_tendonwatch"))
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

fn wait(deadline_s: u64, mut ok: impl FnMut() -> bool) -> bool {
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(deadline_s) {
        if ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
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
    // after restart every one of them is delivered, each exactly once.
    let alerts = query(
        root,
        "SELECT COUNT(*) FROM alerts WHERE delivery = 'queued'",
    );
    assert!(alerts >= 1);
    let delivered = wait(60, || {
        query(
            root,
            "SELECT COUNT(*) FROM outbox WHERE delivered_ms IS NOT NULL",
        ) == alerts
    });
    assert!(delivered, "all {alerts} alerts delivered after restart");
    // Give it time to (wrongly) deliver again, then check: exactly once.
    std::thread::sleep(Duration::from_secs(2));
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(daemon.id().to_string())
        .status();
    assert!(daemon.wait().unwrap().success(), "SIGTERM: clean exit");
    let bodies = seen.lock().unwrap().clone();
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
