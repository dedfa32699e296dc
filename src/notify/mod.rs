//! notify: the outbox → the runner. Each configured sink (desktop, ntfy,
//! Gotify, webhook) gets every queued alert once, with retries and backoff
//! across outages and restarts (DESIGN.md "Notifications").
//!
//! Sinks are blocking (one HTTP request or one D-Bus call each): the daemon
//! calls `deliver_due` on the blocking pool, never on an async worker.
//! Delivery is at-least-once: a crash between a successful send and
//! `mark_delivered` sends that alert again after the restart — the webhook
//! carries an `Idempotency-Key` so a receiver can drop the repeat.

pub mod desktop;
pub mod gotify;
pub mod ntfy;
pub mod webhook;

use crate::config::NotifyConfig;
use crate::store::alerts::Alert;
use crate::store::outbox::GAVE_UP_MS;
use crate::store::{Store, StoreError};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::time::Duration;

pub use desktop::DesktopSink;
pub use gotify::GotifySink;
pub use ntfy::NtfySink;
pub use webhook::WebhookSink;

/// Why a send failed, and whether trying again can help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SinkError {
    /// Network down, timeout, HTTP 408/429/5xx, no session bus yet: the
    /// same alert is tried again later.
    #[error("{0}")]
    Retry(String),
    /// HTTP 4xx (but 408/429), a redirect, a malformed URL: the receiver or
    /// the config must change first; the alert is not tried again.
    #[error("{0}")]
    Permanent(String),
}

impl SinkError {
    pub fn is_permanent(&self) -> bool {
        matches!(self, SinkError::Permanent(_))
    }
}

/// Somewhere an alert can be shown. `send` blocks (bounded by the sink's
/// timeouts) and must not be called from an async worker thread.
pub trait Sink {
    /// The outbox `sink` name this sink delivers ("desktop", "ntfy", …).
    fn name(&self) -> &'static str;
    fn send(&self, alert: &Alert) -> Result<(), SinkError>;
}

/// Failed tries of one row before it is given up: with the backoff below
/// (10 s doubling, at most an hour) that is about a day of outage.
pub const MAX_ATTEMPTS: i64 = 30;
/// First retry delay; doubles with every failed try…
pub const FIRST_RETRY_MS: i64 = 10_000;
/// …up to this.
pub const MAX_RETRY_MS: i64 = 3_600_000;
/// HTTP: time to establish the connection (DNS, TCP, TLS)…
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// …and for the whole request, response included. Also bounds a D-Bus call.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(15);

/// Rows read per query while delivering.
const BATCH: usize = 32;

/// The wait before the next try of a row that has failed `failed_before`
/// times already (0 for the first failure): 10 s, 20 s, 40 s, … ≤ 1 h.
pub fn retry_delay_ms(failed_before: i64) -> i64 {
    let doublings = failed_before.clamp(0, 20) as u32;
    FIRST_RETRY_MS
        .saturating_mul(1_i64 << doublings)
        .min(MAX_RETRY_MS)
}

/// What one `deliver_due` round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryReport {
    /// Sent and marked delivered.
    pub delivered: usize,
    /// Tried, failed, to be tried again after a backoff.
    pub retried: usize,
    /// Not tried: their sink had just failed with a retryable error in this
    /// round, so they wait for the same retry time instead of hammering (or
    /// timing out on) a server that is down.
    pub postponed: usize,
    /// Failed permanently, or for the last allowed time: never tried again.
    pub failed: usize,
}

/// The configured sinks, in `NotifyConfig::sinks` order.
pub fn sinks_from_config(cfg: &NotifyConfig) -> Vec<Box<dyn Sink + Send + Sync>> {
    let mut out: Vec<Box<dyn Sink + Send + Sync>> = Vec::new();
    if cfg.desktop {
        out.push(Box::new(DesktopSink::new()));
    }
    if let Some(c) = &cfg.ntfy {
        out.push(Box::new(NtfySink::new(c)));
    }
    if let Some(c) = &cfg.gotify {
        out.push(Box::new(GotifySink::new(c)));
    }
    if let Some(c) = &cfg.webhook {
        out.push(Box::new(WebhookSink::new(c)));
    }
    out
}

/// Send every outbox row that is due at `now_ms` to its sink and record the
/// outcome. Rows of sinks not in `sinks` (no longer configured) are left as
/// they are. Once a sink fails with a retryable error, its remaining rows
/// in this round are postponed to the same retry time without a try.
pub fn deliver_due(
    store: &mut Store,
    sinks: &[Box<dyn Sink + Send + Sync>],
    now_ms: i64,
) -> Result<DeliveryReport, StoreError> {
    let mut report = DeliveryReport::default();
    let names: Vec<&str> = sinks.iter().map(|s| s.name()).collect();
    if names.is_empty() {
        return Ok(report);
    }
    // Sink name → (retry time, error) of its failure in this round.
    let mut down: HashMap<&str, (i64, String)> = HashMap::new();
    let mut seen: HashSet<i64> = HashSet::new();
    loop {
        let batch = store.due_deliveries_for(now_ms, &names, BATCH)?;
        // Every handled row leaves the due set (delivered, or its next try
        // is later than now); a row seen twice means it did not, so stop
        // rather than loop.
        if batch.is_empty() || batch.iter().any(|(row, _)| !seen.insert(row.id)) {
            break;
        }
        for (row, alert) in batch {
            let Some(sink) = sinks.iter().find(|s| s.name() == row.sink) else {
                continue;
            };
            if let Some((retry_at, error)) = down.get(sink.name()) {
                store.postpone(row.id, *retry_at, &format!("not tried ({error})"))?;
                report.postponed += 1;
                continue;
            }
            match sink.send(&alert) {
                Ok(()) => {
                    store.mark_delivered(row.id, now_ms)?;
                    report.delivered += 1;
                }
                Err(SinkError::Retry(error)) => {
                    let tries = row.attempts + 1;
                    if tries >= MAX_ATTEMPTS {
                        let error = format!("gave up after {tries} attempts: {error}");
                        store.mark_failed(row.id, &error, GAVE_UP_MS)?;
                        report.failed += 1;
                    } else {
                        let retry_at = now_ms.saturating_add(retry_delay_ms(row.attempts));
                        store.mark_failed(row.id, &error, retry_at)?;
                        report.retried += 1;
                        down.insert(sink.name(), (retry_at, error));
                    }
                }
                Err(SinkError::Permanent(error)) => {
                    store.mark_failed(row.id, &error, GAVE_UP_MS)?;
                    report.failed += 1;
                }
            }
        }
    }
    Ok(report)
}

/// Send a test alert to every sink (for `tendonwatch notify-test`). Nothing
/// is stored. One result per sink, in order.
pub fn send_test(
    sinks: &[Box<dyn Sink + Send + Sync>],
    now_ms: i64,
) -> Vec<(String, Result<(), SinkError>)> {
    let alert = test_alert(now_ms);
    sinks
        .iter()
        .map(|s| (s.name().to_string(), s.send(&alert)))
        .collect()
}

/// `Alert::kind` of the alert `send_test` sends.
pub const TEST_KIND: &str = "test";

/// The alert `send_test` sends: id 0, never stored.
pub fn test_alert(now_ms: i64) -> Alert {
    Alert {
        id: 0,
        kind: TEST_KIND.to_string(),
        severity: "info".to_string(),
        activity_id: None,
        window_start_ms: now_ms,
        window_end_ms: now_ms,
        measured: 0.0,
        baseline: 0.0,
        threshold: 0.0,
        unit: String::new(),
        what_changed: "tendonwatch test notification.".to_string(),
        what_to_do: "Nothing to do: alerts will reach you here.".to_string(),
        source: "tendonwatch notify-test".to_string(),
        cause: format!("test:{now_ms}"),
        created_ms: now_ms,
        delivery: TEST_KIND.to_string(),
        acknowledged_ms: None,
    }
}

/// The alert's kind for a person: "long-run spike" for `run_spike`.
pub fn kind_in_words(kind: &str) -> String {
    // RULES.md A–D: the rule ids.
    let words = match kind {
        "run_spike" => "long-run spike",
        "week_jump" => "weekly-mileage jump",
        "acwr" => "load ratio up",
        "frequency_jump" => "more runs per week",
        "pace_and_distance" => "faster and longer at once",
        "hill_intro" => "new hills",
        "speed_intro" => "new speed work",
        "surface_change" => "new surface",
        "cadence_shift" => "longer strides",
        "stacked_intro" => "two new things at once",
        "shoe_drop" => "lower-drop shoes",
        "pain_limit" => "pain above your limit",
        "pain_24h" => "pain not settled in 24 h",
        "pain_trend" => "pain rising this week",
        "pain_reminder" => "log your pain",
        TEST_KIND => "test notification",
        other => return other.replace('_', " "),
    };
    words.to_string()
}

/// "tendonwatch: long-run spike" — the title every sink shows. Plain ASCII
/// for a known kind, so it can travel in an HTTP header (ntfy `Title`).
pub fn title(alert: &Alert) -> String {
    format!("tendonwatch: {}", kind_in_words(&alert.kind))
}

/// The three severities of `rules::Severity`, as the sinks grade them.
/// Unknown text counts as `warn`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    Info,
    Warn,
    High,
}

impl Level {
    pub(crate) fn of(alert: &Alert) -> Level {
        match alert.severity.as_str() {
            "info" => Level::Info,
            "high" => Level::High,
            _ => Level::Warn,
        }
    }
}

/// The blocking HTTP client of the push sinks: 5 s to connect, 15 s for the
/// whole request, no redirects (a POST must not silently become a GET), and
/// every status returned as a response so `check_response` can grade it.
pub(crate) fn http_agent() -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        .timeout_connect(Some(CONNECT_TIMEOUT))
        .timeout_global(Some(SEND_TIMEOUT))
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(concat!("tendonwatch/", env!("CARGO_PKG_VERSION")))
        .build();
    ureq::Agent::new_with_config(config)
}

/// Grade the outcome of one POST. `sink` names the receiver in errors; the
/// URL is left out on purpose (an ntfy topic or a webhook path can be a
/// secret, and errors are stored and shown).
pub(crate) fn check_response(
    sink: &str,
    result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<(), SinkError> {
    let mut response = match result {
        Ok(r) => r,
        Err(e) => return Err(transport_error(sink, e)),
    };
    let status = response.status().as_u16();
    if (200..300).contains(&status) {
        return Ok(());
    }
    if (300..400).contains(&status) {
        let to = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("?")
            .to_string();
        return Err(SinkError::Permanent(format!(
            "{sink}: HTTP {status}, redirected to {to}: set the url to where it points"
        )));
    }
    // The reason a server gives (ntfy and Gotify answer with a JSON error).
    let said = response
        .body_mut()
        .with_config()
        .limit(512)
        .read_to_string()
        .unwrap_or_default();
    let said: String = said.trim().chars().take(200).collect();
    let message = if said.is_empty() {
        format!("{sink}: HTTP {status}")
    } else {
        format!("{sink}: HTTP {status}: {said}")
    };
    if status == 408 || status == 429 || status >= 500 {
        Err(SinkError::Retry(message))
    } else {
        Err(SinkError::Permanent(message))
    }
}

fn transport_error(sink: &str, e: ureq::Error) -> SinkError {
    match e {
        // The configured URL or a header cannot make a request at all.
        ureq::Error::BadUri(_)
        | ureq::Error::Http(_)
        | ureq::Error::InvalidProxyUrl
        | ureq::Error::RequireHttpsOnly(_) => {
            SinkError::Permanent(format!("{sink}: bad configuration: {e}"))
        }
        // Connection refused, DNS, timeouts, TLS trouble (often a captive
        // portal or a clock not yet set after boot): try again later.
        e => SinkError::Retry(format!("{sink}: {e}")),
    }
}

/// Header values must be visible ASCII: anything else becomes '?'.
pub(crate) fn header_text(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c == ' ' || c.is_ascii_graphic() {
                c
            } else {
                '?'
            }
        })
        .collect()
}

/// `base` + "/" + `tail`, with exactly one slash between them.
pub(crate) fn join_url(base: &str, tail: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        tail.trim_start_matches('/')
    )
}
