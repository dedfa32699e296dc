//! Delivery: queued alerts reach ntfy, Gotify, a webhook and the desktop —
//! once each — across refused connections, 5xx answers and restarts, and a
//! 4xx is given up instead of retried forever. The channel follows the
//! evidence (RULES.md H): `high` at once, `warn` in one daily digest per
//! sink at the digest hour, `info` never pushed, nothing in quiet hours.
//!
//! Real components on loopback only: a small HTTP/1.1 server on 127.0.0.1
//! stands in for the three push receivers, and a private `dbus-daemon` with
//! a test `org.freedesktop.Notifications` service for the desktop.
#![allow(clippy::unwrap_used)]

#[path = "util/http_server.rs"]
mod http_server;

use chrono::NaiveDate;
use http_server::{HttpServer, Request, refused_port};
use serde_json::Value;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tendonwatch::checkin::token::{Grant, Key};
use tendonwatch::checkin::{Checkin, CheckinConfig};
use tendonwatch::config::{GotifyConfig, NotifyConfig, NtfyConfig, WebhookConfig};
use tendonwatch::finding::{Finding, RuleId, Severity};
use tendonwatch::notify::{
    self, DeliveryReport, DesktopSink, MAX_ATTEMPTS, Policy, Question, QuietHours, Sink, SinkError,
    sinks_from_config,
};
use tendonwatch::rules::Mode;
use tendonwatch::store::Store;
use tendonwatch::store::alerts::{Alert, DELIVERY_QUEUED, DELIVERY_SHOWN};
use tendonwatch::store::outbox::{GAVE_UP_MS, OutboxRow};
use tendonwatch::store::pain::NewPain;
use tendonwatch::zone::Zone;

type Sinks = Vec<Box<dyn Sink + Send + Sync>>;

/// 2025-06-02 07:00 UTC, a Monday-morning run.
const T0: i64 = 1_748_847_600_000;
const HOUR_MS: i64 = 3_600_000;
/// 19:00 UTC that day: the default digest hour for a runner on UTC.
const DIGEST_T0: i64 = T0 + 12 * HOUR_MS;

/// One delivery round with the default policy (digest at 19:00, no quiet
/// hours) for a runner on UTC.
fn deliver_due(store: &mut Store, sinks: &Sinks, now_ms: i64) -> Result<DeliveryReport, String> {
    notify::deliver_due(store, sinks, &Policy::default(), 0, now_ms).map_err(|e| e.to_string())
}

// ---------------------------------------------------------------------------
// Store helpers.

fn finding(kind: RuleId, severity: Severity, cause: &str) -> Finding {
    Finding {
        kind,
        severity,
        activity_id: None,
        window_start_ms: T0 - 3_600_000,
        window_end_ms: T0,
        measured: 23.1,
        baseline: 16.0,
        threshold: 17.6,
        unit: "km".to_string(),
        what_changed: format!("Longest run 23.1 km, 44 % over your 30-day longest ({cause})."),
        what_to_do: "Keep the next long run at 16 km or less; log your pain tomorrow morning."
            .to_string(),
        source: "RULES.md A: run_spike".to_string(),
        cause: cause.to_string(),
    }
}

fn queue(store: &mut Store, findings: &[Finding], sinks: &[&str]) -> Vec<Alert> {
    let sinks: Vec<String> = sinks.iter().map(|s| s.to_string()).collect();
    store
        .record_findings(None, findings, DELIVERY_QUEUED, &sinks, T0)
        .unwrap()
}

fn rows_of(store: &Store, sink: &str) -> Vec<OutboxRow> {
    store
        .outbox_rows()
        .unwrap()
        .into_iter()
        .filter(|r| r.sink == sink)
        .collect()
}

fn only_webhook(server: &HttpServer) -> NotifyConfig {
    NotifyConfig {
        webhook: Some(WebhookConfig {
            url: server.url("/hook"),
        }),
        ..NotifyConfig::default()
    }
}

/// ntfy at the server's root, topic "tendon", no token.
fn only_ntfy(server: &HttpServer) -> NotifyConfig {
    NotifyConfig {
        ntfy: Some(NtfyConfig {
            url: server.url(""),
            topic: "tendon".to_string(),
            token: None,
        }),
        ..NotifyConfig::default()
    }
}

/// All three push receivers on one server: ntfy under `/ntfy/` with a
/// token, Gotify under `/gotify`, a webhook at `/hook?src=tw`.
fn every_receiver(server: &HttpServer) -> NotifyConfig {
    NotifyConfig {
        ntfy: Some(NtfyConfig {
            url: server.url("/ntfy/"),
            topic: "achilles-left".to_string(),
            token: Some("tk_secret".to_string()),
        }),
        gotify: Some(GotifyConfig {
            url: server.url("/gotify"),
            token: "AppToken.1".to_string(),
        }),
        webhook: Some(WebhookConfig {
            url: server.url("/hook?src=tw"),
        }),
        ..NotifyConfig::default()
    }
}

// ---------------------------------------------------------------------------
// HTTP sinks.

#[test]
fn each_push_receiver_gets_the_alert_in_its_own_format_once() {
    let server = HttpServer::start();
    let cfg = every_receiver(&server);
    let sinks = sinks_from_config(&cfg);
    assert_eq!(
        sinks.iter().map(|s| s.name()).collect::<Vec<_>>(),
        cfg.sinks()
    );
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("tw.db")).unwrap();
    let alerts = queue(
        &mut store,
        &[
            finding(RuleId::RunSpike, Severity::Warn, "run:1"),
            finding(RuleId::Pain24h, Severity::High, "pain:2"),
            finding(RuleId::Acwr, Severity::Info, "week:3"),
        ],
        &["ntfy", "gotify", "webhook"],
    );
    assert_eq!(alerts.len(), 3);
    let (warn, high, info) = (&alerts[0], &alerts[1], &alerts[2]);
    // info: stored and shown, never pushed — no outbox row at all.
    assert_eq!(info.delivery, DELIVERY_SHOWN);
    assert_eq!(store.outbox_rows().unwrap().len(), 6);

    // The morning: the high alert goes at once, to every receiver.
    let report = deliver_due(&mut store, &sinks, T0).unwrap();
    assert_eq!(
        report,
        DeliveryReport {
            delivered: 3,
            ..DeliveryReport::default()
        }
    );
    // The warn alert waits for the 19:00 digest; nothing before.
    assert_eq!(
        deliver_due(&mut store, &sinks, DIGEST_T0 - 1).unwrap(),
        DeliveryReport::default()
    );
    // 19:00: one digest per receiver, bundling the warn alert.
    let report = deliver_due(&mut store, &sinks, DIGEST_T0).unwrap();
    assert_eq!(
        report,
        DeliveryReport {
            delivered: 3,
            ..DeliveryReport::default()
        }
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 6);
    assert!(
        requests
            .iter()
            .all(|r| r.method == "POST" && r.status == 200)
    );
    let digests = store.digests().unwrap();
    assert_eq!(digests.len(), 3);
    let digest_text = format!(
        "- 2025-06-02 long-run spike: {}\n{}",
        warn.what_changed,
        notify::DIGEST_READ_MORE
    );

    // ntfy: POST {url}/{topic}, text body, the rest in headers.
    let ntfy: Vec<_> = requests
        .iter()
        .filter(|r| r.path == "/ntfy/achilles-left")
        .collect();
    assert_eq!(ntfy.len(), 2);
    for r in &ntfy {
        assert_eq!(r.header("Authorization"), Some("Bearer tk_secret"));
    }
    assert_eq!(
        ntfy[0].header("Title"),
        Some("tendonwatch: pain not settled in 24 h")
    );
    assert_eq!(ntfy[0].header("Priority"), Some("4"));
    assert_eq!(ntfy[0].header("Tags"), Some("rotating_light,pain_24h"));
    assert_eq!(
        ntfy[0].text(),
        format!("{}\n{}", high.what_changed, high.what_to_do)
    );
    assert_eq!(ntfy[1].header("Title"), Some("tendonwatch: 1 warning"));
    assert_eq!(ntfy[1].header("Priority"), Some("3"));
    assert_eq!(ntfy[1].header("Tags"), Some("warning,digest"));
    assert_eq!(ntfy[1].text(), digest_text);

    // Gotify: POST {url}/message, token header, JSON body.
    let gotify: Vec<_> = requests
        .iter()
        .filter(|r| r.path == "/gotify/message")
        .collect();
    assert_eq!(gotify.len(), 2);
    for r in &gotify {
        assert_eq!(r.header("X-Gotify-Key"), Some("AppToken.1"));
        assert_eq!(r.header("Content-Type"), Some("application/json"));
    }
    assert_eq!(
        gotify[0].json(),
        serde_json::json!({
            "title": notify::title(high),
            "message": format!("{}\n{}", high.what_changed, high.what_to_do),
            "priority": 8,
        })
    );
    assert_eq!(
        gotify[1].json(),
        serde_json::json!({
            "title": "tendonwatch: 1 warning",
            "message": digest_text,
            "priority": 5,
        })
    );

    // Webhook: the whole stored alert as JSON, keyed for deduplication; a
    // digest as its alerts with a title and the text, keyed by the digest.
    let hooks: Vec<_> = requests
        .iter()
        .filter(|r| r.path == "/hook?src=tw")
        .collect();
    assert_eq!(hooks.len(), 2);
    assert_eq!(hooks[0].header("Content-Type"), Some("application/json"));
    assert_eq!(
        hooks[0].header("Idempotency-Key"),
        Some(format!("tendonwatch-alert-{}", high.id).as_str())
    );
    assert_eq!(hooks[0].json(), serde_json::to_value(high).unwrap());
    let webhook_digest = digests.iter().find(|d| d.sink == "webhook").unwrap();
    assert_eq!(
        hooks[1].header("Idempotency-Key"),
        Some(format!("tendonwatch-digest-{}", webhook_digest.id).as_str())
    );
    let mut warn_now = warn.clone();
    warn_now.delivery = DELIVERY_QUEUED.to_string();
    assert_eq!(
        hooks[1].json(),
        serde_json::json!({
            "kind": "digest",
            "id": webhook_digest.id,
            "title": "tendonwatch: 1 warning",
            "message": digest_text,
            "alerts": [warn_now],
        })
    );

    // Every row delivered, once; a later round sends nothing more.
    let rows = store.outbox_rows().unwrap();
    assert_eq!(rows.len(), 6);
    for r in &rows {
        let when = if r.alert_id == high.id { T0 } else { DIGEST_T0 };
        assert_eq!(
            (r.delivered_ms, r.attempts, r.last_error.as_deref()),
            (Some(when), 1, None),
            "{r:?}"
        );
    }
    assert_eq!(store.next_due_ms().unwrap(), None);
    assert_eq!(
        notify::next_due_ms(&store, &sinks, &Policy::default(), 0, DIGEST_T0).unwrap(),
        None
    );
    let later = deliver_due(&mut store, &sinks, T0 + 86_400_000 * 2).unwrap();
    assert_eq!(later, DeliveryReport::default());
    assert_eq!(server.requests().len(), 6);
}

#[test]
fn a_503_is_retried_with_backoff_and_each_alert_delivered_exactly_once() {
    let server = HttpServer::start();
    let sinks = sinks_from_config(&only_webhook(&server));
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("tw.db")).unwrap();
    let alerts = queue(
        &mut store,
        // `high`: each sent on its own (a digest's retries: below).
        &[
            finding(RuleId::RunSpike, Severity::High, "run:1"),
            finding(RuleId::StackedIntro, Severity::High, "run:2"),
        ],
        &["webhook"],
    );
    server.fail_next(&[(503, "{\"error\":\"maintenance\"}"), (503, "")]);

    // First round: the first alert fails; the second is not even tried
    // against a server that just said 503, but waits for the same retry.
    let r1 = deliver_due(&mut store, &sinks, T0).unwrap();
    assert_eq!(
        (r1.delivered, r1.retried, r1.postponed, r1.failed),
        (0, 1, 1, 0)
    );
    let rows = rows_of(&store, "webhook");
    assert_eq!(rows[0].attempts, 1);
    assert_eq!(rows[0].next_attempt_ms, T0 + 10_000);
    assert_eq!(
        rows[0].last_error.as_deref(),
        Some("webhook: HTTP 503: {\"error\":\"maintenance\"}")
    );
    assert_eq!(rows[1].attempts, 0);
    assert_eq!(rows[1].next_attempt_ms, T0 + 10_000);
    assert!(
        rows[1]
            .last_error
            .as_deref()
            .unwrap()
            .starts_with("not tried")
    );
    assert!(rows.iter().all(|r| r.delivered_ms.is_none()));
    assert_eq!(store.next_due_ms().unwrap(), Some(T0 + 10_000));

    // Before the retry time nothing is sent.
    let early = deliver_due(&mut store, &sinks, T0 + 9_999).unwrap();
    assert_eq!(early, DeliveryReport::default());
    assert_eq!(server.requests().len(), 1);

    // Second try: 503 again; the wait doubles.
    let r2 = deliver_due(&mut store, &sinks, T0 + 10_000).unwrap();
    assert_eq!((r2.retried, r2.postponed), (1, 1));
    let rows = rows_of(&store, "webhook");
    assert_eq!(rows[0].attempts, 2);
    assert_eq!(rows[0].next_attempt_ms, T0 + 10_000 + 20_000);
    assert_eq!(rows[0].last_error.as_deref(), Some("webhook: HTTP 503"));

    // The server is back: both go, once.
    let r3 = deliver_due(&mut store, &sinks, T0 + 30_000).unwrap();
    assert_eq!((r3.delivered, r3.retried, r3.postponed), (2, 0, 0));
    let rows = rows_of(&store, "webhook");
    assert!(rows.iter().all(|r| r.delivered_ms == Some(T0 + 30_000)));
    assert_eq!((rows[0].attempts, rows[1].attempts), (3, 1));
    assert_eq!(store.next_due_ms().unwrap(), None);
    assert_eq!(
        deliver_due(&mut store, &sinks, T0 + 3_600_000).unwrap(),
        DeliveryReport::default()
    );

    let requests = server.requests();
    let statuses: Vec<u16> = requests.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 503, 200, 200]);
    for alert in &alerts {
        let key = format!("tendonwatch-alert-{}", alert.id);
        let ok = requests
            .iter()
            .filter(|r| r.status == 200 && r.header("Idempotency-Key") == Some(key.as_str()))
            .count();
        assert_eq!(ok, 1, "alert {} delivered once", alert.id);
    }
}

#[test]
fn a_refused_connection_is_retried_and_delivered_when_the_server_comes_up() {
    let port = refused_port();
    let addr = port.local_addr().unwrap();
    drop(port);
    let cfg = NotifyConfig {
        ntfy: Some(NtfyConfig {
            url: format!("http://{addr}"),
            topic: "tendon".to_string(),
            token: None,
        }),
        ..NotifyConfig::default()
    };
    let sinks = sinks_from_config(&cfg);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tw.db");
    let mut store = Store::open(&db).unwrap();
    let alerts = queue(
        &mut store,
        &[finding(RuleId::SpeedIntro, Severity::High, "run:7")],
        &["ntfy"],
    );

    let r1 = deliver_due(&mut store, &sinks, T0).unwrap();
    assert_eq!((r1.delivered, r1.retried), (0, 1));
    let row = &rows_of(&store, "ntfy")[0];
    assert_eq!(row.attempts, 1);
    assert!(row.delivered_ms.is_none());
    assert!(row.next_attempt_ms > T0);
    let error = row.last_error.clone().unwrap();
    assert!(error.starts_with("ntfy: "), "{error}");
    assert!(
        !error.contains("tendon"),
        "the topic stays out of errors: {error}"
    );

    // A restart in between: the outbox is in the database, not in memory.
    drop(store);
    let mut store = Store::open(&db).unwrap();
    let server = HttpServer::start_on(TcpListener::bind(addr).unwrap());
    let due = store.next_due_ms().unwrap().unwrap();
    let r2 = deliver_due(&mut store, &sinks, due).unwrap();
    assert_eq!(r2.delivered, 1);
    let row = &rows_of(&store, "ntfy")[0];
    assert_eq!((row.attempts, row.delivered_ms), (2, Some(due)));

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/tendon");
    assert_eq!(requests[0].header("Authorization"), None);
    assert_eq!(requests[0].header("Priority"), Some("4"));
    assert_eq!(
        requests[0].text(),
        format!("{}\n{}", alerts[0].what_changed, alerts[0].what_to_do)
    );
}

#[test]
fn a_400_is_a_permanent_failure_and_never_retried() {
    let server = HttpServer::start();
    let cfg = NotifyConfig {
        gotify: Some(GotifyConfig {
            url: server.url(""),
            token: "wrong".to_string(),
        }),
        ..NotifyConfig::default()
    };
    let sinks = sinks_from_config(&cfg);
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("tw.db")).unwrap();
    queue(
        &mut store,
        &[finding(RuleId::StackedIntro, Severity::High, "shoe:1")],
        &["gotify"],
    );
    server.fail_next(&[(400, "{\"error\":\"Bad Request\",\"errorCode\":400}")]);

    let report = deliver_due(&mut store, &sinks, T0).unwrap();
    assert_eq!((report.delivered, report.retried, report.failed), (0, 0, 1));
    let row = &rows_of(&store, "gotify")[0];
    assert!(row.gave_up());
    assert_eq!(row.next_attempt_ms, GAVE_UP_MS);
    assert_eq!(row.attempts, 1);
    assert!(
        row.last_error
            .as_deref()
            .unwrap()
            .starts_with("gotify: HTTP 400: {\"error\":\"Bad Request\"")
    );
    assert_eq!(store.next_due_ms().unwrap(), None);

    // Ten days on, the server would answer 200 — but nothing is resent.
    let later = deliver_due(&mut store, &sinks, T0 + 10 * 86_400_000).unwrap();
    assert_eq!(later, DeliveryReport::default());
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn status_codes_are_graded_retry_or_permanent() {
    let server = HttpServer::start();
    let sinks = sinks_from_config(&only_webhook(&server));
    let alert = notify::test_alert(T0);
    for (status, permanent) in [
        (408, false),
        (429, false),
        (500, false),
        (502, false),
        (401, true),
        (404, true),
        (301, true),
    ] {
        server.fail_next(&[(status, "")]);
        let error = sinks[0].send(&alert).unwrap_err();
        assert_eq!(error.is_permanent(), permanent, "HTTP {status}: {error}");
    }
    // A URL that cannot be requested at all is a configuration error.
    let bad = sinks_from_config(&NotifyConfig {
        webhook: Some(WebhookConfig {
            url: "not a url".to_string(),
        }),
        ..NotifyConfig::default()
    });
    assert!(matches!(bad[0].send(&alert), Err(SinkError::Permanent(_))));
}

#[test]
fn a_failing_sink_is_given_up_after_max_attempts() {
    let server = HttpServer::start();
    let sinks = sinks_from_config(&only_webhook(&server));
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("tw.db")).unwrap();
    queue(
        &mut store,
        &[finding(RuleId::RunSpike, Severity::High, "run:1")],
        &["webhook"],
    );
    let always_down: Vec<(u16, &str)> = vec![(503, ""); MAX_ATTEMPTS as usize];
    server.fail_next(&always_down);
    let mut now = T0;
    let mut rounds = 0;
    while let Some(due) = store.next_due_ms().unwrap() {
        now = now.max(due);
        deliver_due(&mut store, &sinks, now).unwrap();
        rounds += 1;
        assert!(rounds <= MAX_ATTEMPTS, "never gave up");
    }
    let row = &rows_of(&store, "webhook")[0];
    assert!(row.gave_up());
    assert_eq!(row.attempts, MAX_ATTEMPTS);
    assert!(row.last_error.as_deref().unwrap().starts_with(&format!(
        "gave up after {MAX_ATTEMPTS} attempts: webhook: HTTP 503"
    )));
    assert_eq!(server.requests().len(), MAX_ATTEMPTS as usize);
    // About a day of retries: the backoff is capped at an hour.
    let hours = (now - T0) as f64 / 3_600_000.0;
    assert!((20.0..24.0).contains(&hours), "{hours} h");
}

#[test]
fn no_sink_configured_is_not_an_error_and_unconfigured_sinks_rows_wait() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("tw.db")).unwrap();
    // Queued with no sinks at all: stored, nothing to deliver.
    let alerts = queue(
        &mut store,
        &[finding(RuleId::RunSpike, Severity::Warn, "run:1")],
        &[],
    );
    assert_eq!(alerts.len(), 1);
    assert!(store.outbox_rows().unwrap().is_empty());
    let none: Sinks = sinks_from_config(&NotifyConfig::default());
    assert!(none.is_empty());
    assert_eq!(
        deliver_due(&mut store, &none, T0).unwrap(),
        DeliveryReport::default()
    );
    assert!(notify::send_test(&none, T0).is_empty());

    // Queued for a webhook that has since been removed from the config:
    // the row is left as it is (not failed, not dropped).
    queue(
        &mut store,
        &[finding(RuleId::StackedIntro, Severity::High, "run:2")],
        &["webhook"],
    );
    let server = HttpServer::start();
    let ntfy_only = sinks_from_config(&only_ntfy(&server));
    assert_eq!(
        deliver_due(&mut store, &ntfy_only, T0).unwrap(),
        DeliveryReport::default()
    );
    let row = &rows_of(&store, "webhook")[0];
    assert_eq!(
        (row.attempts, row.delivered_ms, row.last_error.as_deref()),
        (0, None, None)
    );
    assert_eq!(store.next_due_ms().unwrap(), Some(T0));
    assert!(server.requests().is_empty());
}

#[test]
fn send_test_reaches_every_sink_and_stores_nothing() {
    let server = HttpServer::start();
    let cfg = NotifyConfig {
        ntfy: Some(NtfyConfig {
            url: server.url(""),
            topic: "t".to_string(),
            token: None,
        }),
        webhook: Some(WebhookConfig {
            url: server.url("/hook"),
        }),
        ..NotifyConfig::default()
    };
    let sinks = sinks_from_config(&cfg);
    let results = notify::send_test(&sinks, T0);
    assert_eq!(
        results,
        vec![
            ("ntfy".to_string(), Ok(())),
            ("webhook".to_string(), Ok(()))
        ]
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[0].header("Title"),
        Some("tendonwatch: test notification")
    );
    assert!(
        requests[0]
            .text()
            .starts_with("tendonwatch test notification")
    );
    assert_eq!(
        requests[1].header("Idempotency-Key"),
        Some(format!("tendonwatch-test-{T0}").as_str())
    );
    // A failing sink is reported, not hidden.
    server.fail_next(&[(503, "")]);
    let results = notify::send_test(&sinks[..1], T0);
    assert!(matches!(&results[0].1, Err(SinkError::Retry(e)) if e == "ntfy: HTTP 503"));
}

// ---------------------------------------------------------------------------
// The channel follows the evidence: high at once, warn as a daily digest,
// info never, nothing in quiet hours.

fn queue_at(store: &mut Store, findings: &[Finding], sinks: &[&str], now_ms: i64) -> Vec<Alert> {
    let sinks: Vec<String> = sinks.iter().map(|s| s.to_string()).collect();
    store
        .record_findings(None, findings, DELIVERY_QUEUED, &sinks, now_ms)
        .unwrap()
}

fn webhook_and_ntfy(server: &HttpServer) -> Sinks {
    sinks_from_config(&NotifyConfig {
        webhook: only_webhook(server).webhook,
        ..only_ntfy(server)
    })
}

/// The alert ids a webhook digest body lists.
fn digest_ids(request: &Request) -> Vec<i64> {
    let body = request.json();
    assert_eq!(body["kind"], "digest", "{body}");
    body["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect()
}

#[test]
fn three_warnings_in_a_day_arrive_as_one_digest_at_the_digest_hour_and_high_at_once() {
    let server = HttpServer::start();
    let sinks = webhook_and_ntfy(&server);
    let both = ["ntfy", "webhook"];
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("tw.db")).unwrap();
    let policy = Policy::default();

    // Through the day, each alert queued and a delivery round run as the
    // daemon would: a hill at 07:00, a long-run spike at 08:00 (high), new
    // speed work at 10:00, a load ratio note at 11:00 (info), new shoes at
    // 12:00.
    let mut warn_ids = Vec::new();
    let mut high_id = 0;
    for (hours, kind, severity) in [
        (0, RuleId::HillIntro, Severity::Warn),
        (1, RuleId::RunSpike, Severity::High),
        (3, RuleId::SpeedIntro, Severity::Warn),
        (4, RuleId::Acwr, Severity::Info),
        (5, RuleId::ShoeDrop, Severity::Warn),
    ] {
        let now = T0 + hours * HOUR_MS;
        let mut f = finding(kind, severity, &format!("cause:{hours}"));
        f.what_changed = format!("{} changed at {hours}", kind.as_str());
        let alert = queue_at(&mut store, &[f], &both, now).remove(0);
        match severity {
            Severity::Warn => warn_ids.push(alert.id),
            Severity::High => high_id = alert.id,
            Severity::Info => assert_eq!(alert.delivery, DELIVERY_SHOWN),
        }
        let report = deliver_due(&mut store, &sinks, now).unwrap();
        let expected = if severity == Severity::High { 2 } else { 0 };
        assert_eq!(report.delivered, expected, "{kind:?} at +{hours} h");
    }
    // The high alert went at 08:00, to both receivers, on its own.
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[0].header("Title"),
        Some("tendonwatch: long-run spike")
    );
    assert_eq!(requests[1].json()["id"].as_i64(), Some(high_id));
    // The daemon would sleep until 19:00.
    assert_eq!(
        notify::next_due_ms(&store, &sinks, &policy, 0, T0 + 5 * HOUR_MS).unwrap(),
        Some(DIGEST_T0)
    );
    assert_eq!(
        deliver_due(&mut store, &sinks, DIGEST_T0 - 1).unwrap(),
        DeliveryReport::default()
    );

    // 19:00: one message per receiver, all three warnings in it.
    let report = deliver_due(&mut store, &sinks, DIGEST_T0).unwrap();
    assert_eq!(report.delivered, 2, "{report:?}");
    let requests = server.requests();
    assert_eq!(requests.len(), 4);
    let ntfy = &requests[2];
    assert_eq!(ntfy.header("Title"), Some("tendonwatch: 3 warnings"));
    assert_eq!(
        ntfy.text(),
        format!(
            "- 2025-06-02 new hills: hill_intro changed at 0\n\
             - 2025-06-02 new speed work: speed_intro changed at 3\n\
             - 2025-06-02 lower-drop shoes: shoe_drop changed at 5\n{}",
            notify::DIGEST_READ_MORE
        )
    );
    assert!(ntfy.text().contains("tendonwatch alerts") && ntfy.text().contains("dashboard"));
    assert_eq!(digest_ids(&requests[3]), warn_ids);
    assert_eq!(requests[3].json()["title"], "tendonwatch: 3 warnings");
    // Nothing about the info alert, ever.
    assert!(requests.iter().all(|r| !r.text().contains("acwr changed")));
    assert_eq!(store.digests().unwrap().len(), 2);
    assert!(
        store
            .outbox_rows()
            .unwrap()
            .iter()
            .all(|r| r.delivered_ms.is_some())
    );

    // A warning a minute after the digest went waits for tomorrow's.
    let late = queue_at(
        &mut store,
        &[finding(RuleId::SurfaceChange, Severity::Warn, "late")],
        &both,
        DIGEST_T0 + 60_000,
    );
    assert_eq!(
        notify::next_due_ms(&store, &sinks, &policy, 0, DIGEST_T0 + 60_000).unwrap(),
        Some(DIGEST_T0 + 24 * HOUR_MS)
    );
    assert_eq!(
        deliver_due(&mut store, &sinks, DIGEST_T0 + 23 * HOUR_MS).unwrap(),
        DeliveryReport::default()
    );
    let report = deliver_due(&mut store, &sinks, DIGEST_T0 + 24 * HOUR_MS).unwrap();
    assert_eq!(report.delivered, 2);
    let requests = server.requests();
    assert_eq!(requests.len(), 6);
    assert_eq!(requests[4].header("Title"), Some("tendonwatch: 1 warning"));
    assert_eq!(digest_ids(&requests[5]), vec![late[0].id]);
}

#[test]
fn the_digest_hour_and_the_dates_are_the_runners_local_time() {
    // A runner in India (+05:30, no DST): 19:00 there is 13:30 UTC, and a
    // run ending 20:00 UTC on 2 June is dated 3 June.
    const IST: i32 = 5 * 3600 + 1800;
    let server = HttpServer::start();
    let sinks = sinks_from_config(&only_webhook(&server));
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("tw.db")).unwrap();
    let policy = Policy::default();
    let mut f = finding(RuleId::HillIntro, Severity::Warn, "run:1");
    f.window_end_ms = T0 + 13 * HOUR_MS; // 20:00 UTC, 01:30 on 3 June in India
    let queued = T0 + 14 * HOUR_MS; // 21:00 UTC = 02:30 IST on 3 June
    queue_at(&mut store, &[f], &["webhook"], queued);
    let digest_at = T0 + 24 * HOUR_MS + 6 * HOUR_MS + 30 * 60_000; // 3 June 13:30 UTC
    assert_eq!(
        notify::next_due_ms(&store, &sinks, &policy, IST, queued).unwrap(),
        Some(digest_at)
    );
    let early = notify::deliver_due(&mut store, &sinks, &policy, IST, digest_at - 1).unwrap();
    assert_eq!(early, DeliveryReport::default());
    let report = notify::deliver_due(&mut store, &sinks, &policy, IST, digest_at).unwrap();
    assert_eq!(report.delivered, 1);
    let message = server.requests()[0].json()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.starts_with("- 2025-06-03 new hills: "), "{message}");
}

#[test]
fn a_digest_bundled_before_a_crash_is_sent_as_it_was_bundled_after_the_restart() {
    let server = HttpServer::start();
    let sinks = sinks_from_config(&only_webhook(&server));
    let policy = Policy::default();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tw.db");
    let mut store = Store::open(&db).unwrap();
    let first: Vec<i64> = queue(
        &mut store,
        &[
            finding(RuleId::HillIntro, Severity::Warn, "run:1"),
            finding(RuleId::SpeedIntro, Severity::Warn, "run:2"),
        ],
        &["webhook"],
    )
    .iter()
    .map(|a| a.id)
    .collect();

    // 19:00: bundled (one transaction) — and the process dies before
    // sending anything.
    let bundled = notify::bundle_due(&mut store, &sinks, &policy, 0, DIGEST_T0).unwrap();
    assert_eq!(bundled.len(), 1);
    let digest = bundled[0].clone();
    let rows = store.outbox_rows().unwrap();
    assert!(rows.iter().all(|r| r.digest_id == Some(digest.id)));
    drop(store);
    assert!(server.requests().is_empty());

    // Restarted a minute later; meanwhile a new warning was queued.
    let mut store = Store::open(&db).unwrap();
    let after = queue_at(
        &mut store,
        &[finding(RuleId::ShoeDrop, Severity::Warn, "shoe:1")],
        &["webhook"],
        DIGEST_T0 + 30_000,
    );
    let restart = DIGEST_T0 + 60_000;
    // Nothing new is bundled while the first digest is on its way.
    assert!(
        notify::bundle_due(&mut store, &sinks, &policy, 0, restart)
            .unwrap()
            .is_empty()
    );
    let report = deliver_due(&mut store, &sinks, restart).unwrap();
    assert_eq!(report.delivered, 1);
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "one digest, not two");
    assert_eq!(
        requests[0].header("Idempotency-Key"),
        Some(format!("tendonwatch-digest-{}", digest.id).as_str())
    );
    assert_eq!(digest_ids(&requests[0]), first, "the same members");
    let stored = store.digests().unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].delivered_ms, Some(restart));

    // The late warning waits for tomorrow's digest, alone.
    let tomorrow = DIGEST_T0 + 24 * HOUR_MS;
    assert_eq!(
        notify::next_due_ms(&store, &sinks, &policy, 0, restart).unwrap(),
        Some(tomorrow)
    );
    deliver_due(&mut store, &sinks, tomorrow).unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(digest_ids(&requests[1]), vec![after[0].id]);
}

#[test]
fn a_digest_is_retried_with_backoff_and_given_up_like_a_single_row() {
    let server = HttpServer::start();
    let sinks = sinks_from_config(&only_webhook(&server));
    let policy = Policy::default();
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("tw.db")).unwrap();
    queue(
        &mut store,
        &[
            finding(RuleId::HillIntro, Severity::Warn, "run:1"),
            finding(RuleId::SpeedIntro, Severity::Warn, "run:2"),
        ],
        &["webhook"],
    );
    server.fail_next(&[(503, ""), (503, "")]);
    let r1 = deliver_due(&mut store, &sinks, DIGEST_T0).unwrap();
    assert_eq!((r1.delivered, r1.retried), (0, 1));
    let d = &store.digests().unwrap()[0];
    assert_eq!((d.attempts, d.next_attempt_ms), (1, DIGEST_T0 + 10_000));
    assert_eq!(d.last_error.as_deref(), Some("webhook: HTTP 503"));
    // Each member says the same.
    for r in rows_of(&store, "webhook") {
        assert_eq!(
            (r.attempts, r.next_attempt_ms, r.delivered_ms),
            (1, DIGEST_T0 + 10_000, None)
        );
    }
    assert_eq!(
        notify::next_due_ms(&store, &sinks, &policy, 0, DIGEST_T0).unwrap(),
        Some(DIGEST_T0 + 10_000)
    );
    let r2 = deliver_due(&mut store, &sinks, DIGEST_T0 + 10_000).unwrap();
    assert_eq!(r2.retried, 1);
    assert_eq!(
        store.digests().unwrap()[0].next_attempt_ms,
        DIGEST_T0 + 30_000,
        "the wait doubles"
    );
    let r3 = deliver_due(&mut store, &sinks, DIGEST_T0 + 30_000).unwrap();
    assert_eq!(r3.delivered, 1);
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    let key = format!("tendonwatch-digest-{}", store.digests().unwrap()[0].id);
    assert!(
        requests
            .iter()
            .all(|r| r.header("Idempotency-Key") == Some(key.as_str())),
        "every try is the same digest"
    );
    assert!(requests.iter().all(|r| digest_ids(r).len() == 2));
    for r in rows_of(&store, "webhook") {
        assert_eq!((r.attempts, r.delivered_ms), (3, Some(DIGEST_T0 + 30_000)));
    }

    // The next day a receiver that refuses (4xx): given up, members too.
    let day2 = DIGEST_T0 + 24 * HOUR_MS;
    queue_at(
        &mut store,
        &[finding(RuleId::ShoeDrop, Severity::Warn, "shoe:1")],
        &["webhook"],
        day2 - HOUR_MS,
    );
    server.fail_next(&[(410, "gone")]);
    let r = deliver_due(&mut store, &sinks, day2).unwrap();
    assert_eq!(r.failed, 1);
    let d = &store.digests().unwrap()[1];
    assert!(d.gave_up());
    let row = rows_of(&store, "webhook").pop().unwrap();
    assert!(row.gave_up(), "{row:?}");
    assert_eq!(
        notify::next_due_ms(&store, &sinks, &policy, 0, day2).unwrap(),
        None
    );
    // A digest given up does not hold the next one back.
    let late = queue_at(
        &mut store,
        &[finding(RuleId::SurfaceChange, Severity::Warn, "s:1")],
        &["webhook"],
        day2 + HOUR_MS,
    );
    deliver_due(&mut store, &sinks, day2 + 24 * HOUR_MS).unwrap();
    let last = server.requests().pop().unwrap();
    assert_eq!(digest_ids(&last), vec![late[0].id]);
    assert_eq!(last.status, 200);
}

#[test]
fn a_high_alert_raised_in_quiet_hours_goes_when_they_end() {
    let server = HttpServer::start();
    let sinks = sinks_from_config(&only_webhook(&server));
    let policy = Policy {
        digest_hour: 23,
        quiet_hours: Some(QuietHours::parse("22:00-07:00").unwrap()),
    };
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("tw.db")).unwrap();
    let midnight = T0 - 7 * HOUR_MS;
    // 23:30: pain that did not settle (high), and a warning.
    let raised = midnight + 23 * HOUR_MS + 30 * 60_000;
    let alerts = queue_at(
        &mut store,
        &[
            finding(RuleId::Pain24h, Severity::High, "pain:1"),
            finding(RuleId::HillIntro, Severity::Warn, "run:1"),
        ],
        &["webhook"],
        raised,
    );
    let report = notify::deliver_due(&mut store, &sinks, &policy, 0, raised).unwrap();
    assert_eq!(report, DeliveryReport::default());
    let morning = midnight + 31 * HOUR_MS; // 07:00 the next day
    assert_eq!(
        notify::next_due_ms(&store, &sinks, &policy, 0, raised).unwrap(),
        Some(morning)
    );
    let early = notify::deliver_due(&mut store, &sinks, &policy, 0, morning - 1).unwrap();
    assert_eq!(early, DeliveryReport::default());
    assert!(server.requests().is_empty());
    // 07:00: the high alert goes. The warning's digest hour (23:00) next
    // falls tomorrow night inside quiet hours, so its digest goes at the
    // end of those: 07:00 the day after.
    let report = notify::deliver_due(&mut store, &sinks, &policy, 0, morning).unwrap();
    assert_eq!(report.delivered, 1);
    let requests = server.requests();
    assert_eq!(requests[0].json()["id"].as_i64(), Some(alerts[0].id));
    let digest_at = morning + 24 * HOUR_MS;
    assert_eq!(
        notify::next_due_ms(&store, &sinks, &policy, 0, morning).unwrap(),
        Some(digest_at)
    );
    assert_eq!(
        notify::deliver_due(&mut store, &sinks, &policy, 0, digest_at - 1).unwrap(),
        DeliveryReport::default()
    );
    let report = notify::deliver_due(&mut store, &sinks, &policy, 0, digest_at).unwrap();
    assert_eq!(report.delivered, 1);
    assert_eq!(digest_ids(&server.requests()[1]), vec![alerts[1].id]);

    // A retry that falls due in quiet hours also waits for their end.
    // 21:59:55 on day 2: the send fails; its retry 10 s later is quiet.
    let late = midnight + 24 * HOUR_MS + 22 * HOUR_MS - 5_000;
    let more = queue_at(
        &mut store,
        &[finding(RuleId::StackedIntro, Severity::High, "run:9")],
        &["webhook"],
        late,
    );
    server.fail_next(&[(503, "")]);
    let r = notify::deliver_due(&mut store, &sinks, &policy, 0, late).unwrap();
    assert_eq!(r.retried, 1);
    let retry_end = midnight + 48 * HOUR_MS + 7 * HOUR_MS;
    assert_eq!(
        notify::next_due_ms(&store, &sinks, &policy, 0, late).unwrap(),
        Some(retry_end)
    );
    notify::deliver_due(&mut store, &sinks, &policy, 0, retry_end).unwrap();
    let last = server.requests().pop().unwrap();
    assert_eq!(last.json()["id"].as_i64(), Some(more[0].id));
    assert_eq!(last.status, 200);
}

// ---------------------------------------------------------------------------
// The morning check-in on each push receiver (RULES.md I): the question,
// its one-tap link where a tap lands, and "Same as yesterday (N)" where
// the channel can send a request by itself (ntfy).

/// 2025-06-02 09:00 in Berlin: a Monday morning.
const MORNING: &str = "2025-06-02";

/// The check-in of a runner in Berlin whose phone reaches the dashboard at
/// `http://nas.local:8417` (`[web] public_url`), as the daemon builds it.
fn berlin_checkin(runner: Option<&str>) -> Checkin {
    Checkin {
        plan: CheckinConfig::default().plan(Mode::Return, None).unwrap(),
        zone: Zone::from_name("Europe/Berlin").unwrap(),
        public_url: "http://nas.local:8417".to_string(),
        key: Key::from_bytes([7; 32]),
        runner: runner.map(str::to_string),
    }
}

/// Yesterday's morning entry: 2025-06-01 08:30 in Berlin, `score`.
fn log_yesterday(store: &mut Store, score: f64) {
    let at_ms = T0 - 24 * HOUR_MS - 30 * 60_000;
    let entry = NewPain::morning(at_ms, score);
    let day = (at_ms - HOUR_MS, at_ms + HOUR_MS);
    store
        .answer_checkin("2025-06-01", day, &entry, at_ms)
        .unwrap();
}

/// Ask `MORNING`'s question on `sinks` (one `checkin_outbox` row each) and
/// send it as the daemon does: `Checkin::send_due`, each row through
/// `Round::attempt`.
fn ask(store: &mut Store, checkin: &Checkin, sinks: &Sinks) -> DeliveryReport {
    let names: Vec<&str> = sinks.iter().map(|s| s.name()).collect();
    assert!(store.decide_checkin(MORNING, &names, T0).unwrap());
    checkin
        .send_due(store, sinks, &Policy::default(), T0)
        .unwrap()
}

/// The token of a check-in link, checked with the install's key: it is
/// the runner's capability for that morning.
fn grant_of(checkin: &Checkin, url: &str) -> Grant {
    let token = url
        .strip_prefix("http://nas.local:8417/checkin/")
        .unwrap_or_else(|| panic!("not a check-in link: {url}"));
    let token = token.strip_suffix("/same").unwrap_or(token);
    checkin
        .key
        .verify(token, T0, |_| Some(checkin.zone))
        .unwrap()
}

#[test]
fn the_morning_question_reaches_each_push_receiver_with_its_one_tap_link() {
    let server = HttpServer::start();
    let sinks = sinks_from_config(&every_receiver(&server));
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("tw.db")).unwrap();
    // A household runner who logged 2 yesterday morning.
    log_yesterday(&mut store, 2.0);
    let checkin = berlin_checkin(Some("ana"));

    let report = ask(&mut store, &checkin, &sinks);
    assert_eq!(
        report,
        DeliveryReport {
            delivered: 3,
            ..DeliveryReport::default()
        }
    );
    let rows = store.checkin_rows().unwrap();
    assert!(rows.iter().all(|r| r.delivered_ms == Some(T0)), "{rows:?}");

    let page = checkin.page_url(NaiveDate::from_ymd_opt(2025, 6, 2).unwrap());
    let same = format!("{page}/same");
    let grant = grant_of(&checkin, &page);
    assert_eq!(
        (grant.runner.as_str(), grant.date.to_string()),
        ("ana", MORNING.to_string())
    );
    assert_eq!(grant_of(&checkin, &same), grant);
    let title = "tendonwatch: ana's morning check-in";
    let text = format!("How is your Achilles this morning?\nOne tap to answer: {page}");
    let requests = server.requests();
    assert_eq!(requests.len(), 3);

    // ntfy: a tap on the notification opens the page (Click); "Answer"
    // opens it too (view); "Same as yesterday (2)" POSTs to /same from the
    // phone (http) without opening anything.
    let ntfy = &requests[0];
    assert_eq!(
        (ntfy.method.as_str(), ntfy.path.as_str()),
        ("POST", "/ntfy/achilles-left")
    );
    assert_eq!(ntfy.header("Authorization"), Some("Bearer tk_secret"));
    assert_eq!(ntfy.header("Title"), Some(title));
    assert_eq!(ntfy.header("Priority"), Some("3"));
    assert_eq!(ntfy.header("Tags"), Some("wave,checkin"));
    assert_eq!(ntfy.header("Click"), Some(page.as_str()));
    assert_eq!(
        ntfy.header("Actions"),
        Some(
            format!(
                "view, \"Answer\", \"{page}\", clear=true; \
                 http, \"Same as yesterday (2)\", \"{same}\", method=POST, clear=true"
            )
            .as_str()
        )
    );
    assert_eq!(ntfy.text(), text);

    // Gotify: the page as the click URL, in the message's extras.
    let gotify = &requests[1];
    assert_eq!(gotify.path, "/gotify/message");
    assert_eq!(gotify.header("X-Gotify-Key"), Some("AppToken.1"));
    assert_eq!(
        gotify.json(),
        serde_json::json!({
            "title": title,
            "message": text,
            "priority": 5,
            "extras": {"client::notification": {"click": {"url": page}}},
        })
    );

    // Webhook: the whole question as JSON, keyed by runner and morning.
    let hook = &requests[2];
    assert_eq!(hook.path, "/hook?src=tw");
    assert_eq!(
        hook.header("Idempotency-Key"),
        Some("tendonwatch-checkin-ana-2025-06-02")
    );
    assert_eq!(
        hook.json(),
        serde_json::json!({
            "kind": "checkin",
            "title": title,
            "message": text,
            "date": MORNING,
            "runner": "ana",
            "url": page,
            "same": {"score": 2.0, "url": same},
        })
    );

    // Delivered is done: the next round asks nothing again.
    let again = checkin
        .send_due(&mut store, &sinks, &Policy::default(), T0 + HOUR_MS)
        .unwrap();
    assert_eq!(again, DeliveryReport::default());
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn without_a_score_yesterday_ntfy_offers_only_the_page() {
    let server = HttpServer::start();
    let sinks = webhook_and_ntfy(&server);
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("tw.db")).unwrap();
    let checkin = berlin_checkin(None);
    let report = ask(&mut store, &checkin, &sinks);
    assert_eq!(report.delivered, 2, "{report:?}");

    let page = checkin.page_url(NaiveDate::from_ymd_opt(2025, 6, 2).unwrap());
    assert_eq!(grant_of(&checkin, &page).runner, "");
    let requests = server.requests();
    assert_eq!(
        requests[0].header("Title"),
        Some("tendonwatch: morning check-in")
    );
    assert_eq!(requests[0].header("Click"), Some(page.as_str()));
    assert_eq!(
        requests[0].header("Actions"),
        Some(format!("view, \"Answer\", \"{page}\", clear=true").as_str())
    );
    assert_eq!(
        requests[1].header("Idempotency-Key"),
        Some("tendonwatch-checkin-2025-06-02")
    );
    let hook = requests[1].json();
    assert_eq!(
        (hook["url"].as_str(), &hook["same"]),
        (Some(page.as_str()), &Value::Null)
    );
}

#[test]
fn a_checkin_the_receiver_fails_is_retried_with_backoff_and_a_400_is_given_up() {
    let server = HttpServer::start();
    let sinks = sinks_from_config(&only_ntfy(&server));
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("tw.db")).unwrap();
    log_yesterday(&mut store, 1.0);
    let checkin = berlin_checkin(None);
    let policy = Policy::default();

    // 500 twice: retried after 10 s, then after 20 s more.
    server.fail_next(&[(500, "down"), (500, "down")]);
    let first = ask(&mut store, &checkin, &sinks);
    assert_eq!((first.delivered, first.retried), (0, 1));
    let row = store.checkin_rows().unwrap().remove(0);
    assert_eq!((row.attempts, row.delivered_ms), (1, None));
    assert_eq!(row.next_attempt_ms, T0 + notify::FIRST_RETRY_MS);
    assert_eq!(row.last_error.as_deref(), Some("ntfy: HTTP 500: down"));
    // Not before its time.
    let early = checkin
        .send_due(&mut store, &sinks, &policy, row.next_attempt_ms - 1)
        .unwrap();
    assert_eq!(early, DeliveryReport::default());
    let second = checkin
        .send_due(&mut store, &sinks, &policy, row.next_attempt_ms)
        .unwrap();
    assert_eq!(second.retried, 1);
    let row = store.checkin_rows().unwrap().remove(0);
    assert_eq!(row.attempts, 2);
    let third_at = T0 + notify::FIRST_RETRY_MS + 2 * notify::FIRST_RETRY_MS;
    assert_eq!(row.next_attempt_ms, third_at);
    let third = checkin
        .send_due(&mut store, &sinks, &policy, third_at)
        .unwrap();
    assert_eq!(third.delivered, 1);
    let row = store.checkin_rows().unwrap().remove(0);
    assert_eq!((row.attempts, row.delivered_ms), (3, Some(third_at)));
    // Three tries of the same message: the same link and actions each time.
    let requests = server.requests();
    assert_eq!(
        requests.iter().map(|r| r.status).collect::<Vec<_>>(),
        [500, 500, 200]
    );
    for r in &requests[1..] {
        assert_eq!(r.header("Actions"), requests[0].header("Actions"));
        assert_eq!(r.text(), requests[0].text());
    }

    // The next morning the receiver refuses (400): given up, never resent.
    let tomorrow = berlin_checkin(None);
    let next_morning = T0 + 24 * HOUR_MS;
    assert!(
        store
            .decide_checkin("2025-06-03", &["ntfy"], next_morning)
            .unwrap()
    );
    server.fail_next(&[(
        400,
        "{\"code\":40007,\"error\":\"invalid request: actions invalid\"}",
    )]);
    let refused = tomorrow
        .send_due(&mut store, &sinks, &policy, next_morning)
        .unwrap();
    assert_eq!((refused.failed, refused.retried), (1, 0));
    let row = store.checkin_rows().unwrap().remove(1);
    assert_eq!((row.attempts, row.next_attempt_ms), (1, GAVE_UP_MS));
    assert!(
        row.last_error
            .as_deref()
            .unwrap()
            .starts_with("ntfy: HTTP 400: "),
        "{row:?}"
    );
    assert_eq!(store.next_checkin_due_ms_for(&["ntfy"]).unwrap(), None);
    let later = tomorrow
        .send_due(&mut store, &sinks, &policy, next_morning + HOUR_MS)
        .unwrap();
    assert_eq!(later, DeliveryReport::default());
    assert_eq!(server.requests().len(), 4);
}

// ---------------------------------------------------------------------------
// Desktop: a private session bus.
//
// notify-rust always connects to the bus that `DBUS_SESSION_BUS_ADDRESS`
// names; it takes no address. Setting the variable in this process would
// race with the other tests (and `set_var` is unsafe, which this crate
// forbids), so the delivering half runs as a child process of this test
// binary (`desktop_child`) with the variable set on the child only.

/// A `dbus-daemon` on a socket in a temp dir, with no service files (so
/// nothing is auto-started) — stopped on drop.
struct SessionBus {
    child: Child,
    address: String,
    _dir: tempfile::TempDir,
}

impl SessionBus {
    fn start() -> SessionBus {
        let found = Command::new("dbus-daemon")
            .arg("--version")
            .stdout(Stdio::null())
            .status();
        assert!(
            found.is_ok(),
            "dbus-daemon is not installed: the desktop notification tests need it; \
             run scripts/test, which installs it (Debian package `dbus`)"
        );
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("session.conf");
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                dir.path().join("bus").display()
            ),
        )
        .unwrap();
        let mut child = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--print-address", "--nofork"])
            .stdout(Stdio::piped())
            // As root it warns that it cannot raise its fd limit: noise.
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut address = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut address)
            .unwrap();
        let address = address.trim().to_string();
        assert!(
            address.starts_with("unix:"),
            "dbus-daemon printed {address:?}"
        );
        SessionBus {
            child,
            address,
            _dir: dir,
        }
    }
}

impl Drop for SessionBus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Shown {
    app_name: String,
    summary: String,
    body: String,
    urgency: Option<u8>,
    /// Action keys and labels, alternating, as the spec sends them.
    actions: Vec<String>,
}

/// A stand-in notification server (what GNOME Shell, dunst or mako are).
/// Notification ids are 1, 2, … in the order shown.
struct Notifications {
    shown: Arc<Mutex<Vec<Shown>>>,
    /// What `GetCapabilities` answers: "actions" among them or not.
    capabilities: Vec<String>,
}

/// `Notifications` served on `bus` with `capabilities`, until the returned
/// connection is dropped; what it shows goes to the returned list.
fn serve_notifications(
    bus: &SessionBus,
    capabilities: &[&str],
) -> (zbus::blocking::Connection, Arc<Mutex<Vec<Shown>>>) {
    let shown = Arc::new(Mutex::new(Vec::new()));
    let server = zbus::blocking::connection::Builder::address(bus.address.as_str())
        .unwrap()
        .name("org.freedesktop.Notifications")
        .unwrap()
        .serve_at(
            "/org/freedesktop/Notifications",
            Notifications {
                shown: shown.clone(),
                capabilities: capabilities.iter().map(|c| c.to_string()).collect(),
            },
        )
        .unwrap()
        .build()
        .unwrap();
    (server, shown)
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Notifications {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        hints: HashMap<String, zbus::zvariant::OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let urgency = hints.get("urgency").and_then(|v| match &**v {
            zbus::zvariant::Value::U8(b) => Some(*b),
            _ => None,
        });
        let mut shown = self.shown.lock().unwrap();
        shown.push(Shown {
            app_name,
            summary,
            body,
            urgency,
            actions,
        });
        shown.len() as u32
    }

    fn get_capabilities(&self) -> Vec<String> {
        self.capabilities.clone()
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "test-notifications".to_string(),
            "tendonwatch".to_string(),
            "1".to_string(),
            "1.2".to_string(),
        )
    }
}

/// Run `deliver_due` with the desktop sink in a child process on `bus`.
fn deliver_in_child(db: &Path, bus: &str, now_ms: i64) -> DeliveryReport {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "desktop_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("DBUS_SESSION_BUS_ADDRESS", bus)
        .env("TENDONWATCH_TEST_DB", db)
        .env("TENDONWATCH_TEST_NOW_MS", now_ms.to_string())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "child failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout
        .lines()
        .find_map(|l| l.split_once("REPORT ").map(|(_, report)| report))
        .unwrap_or_else(|| panic!("no report from the child:\n{stdout}"));
    let v: Value = serde_json::from_str(line).unwrap();
    let n = |k: &str| v[k].as_u64().unwrap() as usize;
    DeliveryReport {
        delivered: n("delivered"),
        retried: n("retried"),
        postponed: n("postponed"),
        failed: n("failed"),
    }
}

/// The delivering half of the desktop tests: run as a child process by
/// them (with their bus and database in its environment). Started on its
/// own, as every test run does, it has nothing to do and passes.
#[test]
fn desktop_child() {
    let (Ok(db), Ok(now)) = (
        std::env::var("TENDONWATCH_TEST_DB"),
        std::env::var("TENDONWATCH_TEST_NOW_MS"),
    ) else {
        return;
    };
    let mut store = Store::open(Path::new(&db)).unwrap();
    let sinks: Sinks = vec![Box::new(DesktopSink::new())];
    let report = notify::deliver_due(
        &mut store,
        &sinks,
        &Policy::default(),
        0,
        now.parse().unwrap(),
    )
    .unwrap();
    println!("REPORT {}", serde_json::to_string(&report).unwrap());
}

#[test]
fn desktop_notifications_arrive_on_the_session_bus_with_title_and_urgency() {
    let bus = SessionBus::start();
    let (_server, shown) = serve_notifications(&bus, &["body"]);

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tw.db");
    let mut store = Store::open(&db).unwrap();
    let alerts = queue(
        &mut store,
        &[
            finding(RuleId::Acwr, Severity::Info, "week:1"),
            finding(RuleId::RunSpike, Severity::Warn, "run:2"),
            finding(RuleId::Pain24h, Severity::High, "pain:3"),
        ],
        &["desktop"],
    );

    assert_eq!(alerts[0].delivery, DELIVERY_SHOWN, "info: never pushed");

    // The morning: the high alert at once; the warn one waits for 19:00.
    let report = deliver_in_child(&db, &bus.address, T0);
    assert_eq!(report.delivered, 1, "{report:?}");
    let report = deliver_in_child(&db, &bus.address, DIGEST_T0);
    assert_eq!(report.delivered, 1, "{report:?}");
    let shown = shown.lock().unwrap().clone();
    let high = &alerts[2];
    let expected = vec![
        Shown {
            app_name: "tendonwatch".to_string(),
            summary: "tendonwatch: pain not settled in 24 h".to_string(),
            // What changed, then what to do, each on its own line.
            body: format!("{}\n{}", high.what_changed, high.what_to_do),
            urgency: Some(2),
            actions: vec![],
        },
        Shown {
            app_name: "tendonwatch".to_string(),
            summary: "tendonwatch: 1 warning".to_string(),
            body: format!(
                "- 2025-06-02 long-run spike: {}\n{}",
                alerts[1].what_changed,
                notify::DIGEST_READ_MORE
            ),
            urgency: Some(1),
            actions: vec![],
        },
    ];
    assert_eq!(shown, expected);
    let rows = store.outbox_rows().unwrap();
    assert_eq!(rows.len(), 2);
    assert!(
        rows.iter()
            .all(|r| r.delivered_ms.is_some() && r.attempts == 1)
    );

    // Delivered means done: a second round shows nothing again.
    let again = deliver_in_child(&db, &bus.address, DIGEST_T0 + 60_000);
    assert_eq!(again, DeliveryReport::default());
}

#[test]
fn desktop_without_a_session_bus_is_retried_and_nothing_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tw.db");
    let mut store = Store::open(&db).unwrap();
    queue(
        &mut store,
        &[finding(RuleId::RunSpike, Severity::High, "run:1")],
        &["desktop"],
    );
    let nowhere = format!("unix:path={}", dir.path().join("no-bus-here").display());
    let report = deliver_in_child(&db, &nowhere, T0);
    assert_eq!((report.delivered, report.retried), (0, 1));
    let row = &rows_of(&store, "desktop")[0];
    assert_eq!((row.attempts, row.delivered_ms), (1, None));
    assert!(row.next_attempt_ms > T0 && !row.gave_up());
    let error = row.last_error.as_deref().unwrap();
    assert!(error.starts_with("no session D-Bus: "), "{error}");

    // A bus with nobody serving notifications yet (the desktop not up):
    // also a retry. Then the server appears and the alert is shown once.
    let bus = SessionBus::start();
    let due = store.next_due_ms().unwrap().unwrap();
    let report = deliver_in_child(&db, &bus.address, due);
    assert_eq!(report.retried, 1, "{report:?}");
    let row = &rows_of(&store, "desktop")[0];
    let error = row.last_error.as_deref().unwrap();
    assert!(
        error.starts_with("desktop: no notification server on the session D-Bus: "),
        "{error}"
    );

    let (_server, shown) = serve_notifications(&bus, &["body"]);
    let due = store.next_due_ms().unwrap().unwrap();
    let started = Instant::now();
    let report = deliver_in_child(&db, &bus.address, due);
    assert_eq!(report.delivered, 1, "{report:?}");
    assert!(started.elapsed() < Duration::from_secs(15));
    assert_eq!(shown.lock().unwrap().len(), 1);
    let row = &rows_of(&store, "desktop")[0];
    assert_eq!((row.attempts, row.delivered_ms), (3, Some(due)));
}

// ---------------------------------------------------------------------------
// The check-in on the desktop: an "Answer" action where the notification
// server supports actions (invoking it opens the page with `xdg-open`),
// the link in the text either way.

/// The delivering half of the desktop check-in tests, run as a child
/// process on the test's bus (like `desktop_child`): shows the check-in
/// whose link is `TENDONWATCH_TEST_PAGE`. With `TENDONWATCH_TEST_OPENED`
/// set it stays until that file appears (the action's listener is a thread
/// of this process), so the parent can click.
#[test]
fn desktop_checkin_child() {
    let Ok(page) = std::env::var("TENDONWATCH_TEST_PAGE") else {
        return;
    };
    let question = Question {
        date: MORNING.to_string(),
        runner: None,
        url: page,
        same: None,
    };
    let sent = DesktopSink::new().send_question(&question);
    println!("SENT {sent:?}");
    if let Ok(opened) = std::env::var("TENDONWATCH_TEST_OPENED") {
        // A bound for a broken build, not a measured time.
        let deadline = Instant::now() + Duration::from_secs(120);
        while !Path::new(&opened).exists() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// An `xdg-open` stand-in in a dir of its own: writes the URL it is given
/// to `opened` (whole, by a rename). Returns the dir, for `PATH`.
fn fake_xdg_open(dir: &Path, opened: &Path) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let bin = dir.join("bin");
    std::fs::create_dir(&bin).unwrap();
    let script = bin.join("xdg-open");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s' \"$1\" > '{0}.part' && mv '{0}.part' '{0}'\n",
            opened.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

/// Start `desktop_checkin_child` on `bus` for `page`, with `xdg-open`
/// found first in `bin`; `wait_for` makes it stay until that file exists.
fn checkin_child(bus: &SessionBus, bin: &Path, page: &str, wait_for: Option<&Path>) -> Child {
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut child = Command::new(std::env::current_exe().unwrap());
    child
        .args([
            "--exact",
            "desktop_checkin_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .env("TENDONWATCH_TEST_PAGE", page)
        .env("PATH", path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(file) = wait_for {
        child.env("TENDONWATCH_TEST_OPENED", file);
    }
    child.spawn().unwrap()
}

/// The child's outcome: it sent the check-in without error.
fn assert_sent(child: Child) {
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("SENT Ok(())"),
        "child:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

const PAGE: &str = "http://127.0.0.1:8417/checkin/2025-06-02.00112233445566778899aabbccddeeff";

#[test]
fn a_desktop_checkin_answers_from_its_action_where_the_server_supports_actions() {
    let bus = SessionBus::start();
    let (server, shown) = serve_notifications(&bus, &["actions", "body"]);
    let dir = tempfile::tempdir().unwrap();
    let opened = dir.path().join("opened");
    let bin = fake_xdg_open(dir.path(), &opened);
    let child = checkin_child(&bus, &bin, PAGE, Some(&opened));

    // The runner clicks "Answer" once the notification is up. A click
    // before the sink listens is lost (as on a real desktop), so click
    // until the page opens.
    let deadline = Instant::now() + Duration::from_secs(120);
    while !opened.exists() {
        assert!(Instant::now() < deadline, "the page was never opened");
        if !shown.lock().unwrap().is_empty() {
            server
                .emit_signal(
                    None::<zbus::names::BusName<'_>>,
                    "/org/freedesktop/Notifications",
                    "org.freedesktop.Notifications",
                    "ActionInvoked",
                    &(1_u32, "answer"),
                )
                .unwrap();
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_sent(child);
    assert_eq!(std::fs::read_to_string(&opened).unwrap(), PAGE);
    let shown = shown.lock().unwrap().clone();
    assert_eq!(
        shown,
        [Shown {
            app_name: "tendonwatch".to_string(),
            summary: "tendonwatch: morning check-in".to_string(),
            body: format!("How is your Achilles this morning?\nOne tap to answer: {PAGE}"),
            urgency: Some(1),
            // A click on the notification and its button both open the page.
            actions: ["default", "Answer", "answer", "Answer"]
                .map(String::from)
                .to_vec(),
        }]
    );
}

#[test]
fn a_desktop_checkin_keeps_its_link_in_the_text_where_the_server_has_no_actions() {
    let bus = SessionBus::start();
    let (_server, shown) = serve_notifications(&bus, &["body"]);
    let dir = tempfile::tempdir().unwrap();
    let opened = dir.path().join("opened");
    let bin = fake_xdg_open(dir.path(), &opened);
    assert_sent(checkin_child(&bus, &bin, PAGE, None));
    let shown = shown.lock().unwrap().clone();
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].actions, Vec::<String>::new());
    assert_eq!(
        shown[0].body,
        format!("How is your Achilles this morning?\nOne tap to answer: {PAGE}")
    );
    // Nothing to click, nothing opened: the child has ended.
    assert!(!opened.exists());
}
