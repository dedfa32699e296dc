//! notify: the outbox → the runner. Each configured sink (desktop, ntfy,
//! Gotify, webhook) gets every queued alert once, with retries and backoff
//! across outages and restarts (DESIGN.md "Notifications").
//!
//! The evidence decides the channel (RULES.md H): a `high` alert is pushed
//! at once; `warn` alerts wait for the sink's daily digest, one message at
//! `[notify] digest_hour` bundling them all; `info` alerts are never queued
//! (shown on `status` and the dashboard). Nothing is pushed inside quiet
//! hours: what falls due then goes when they end (`schedule`).
//!
//! Sinks are blocking (one HTTP request or one D-Bus call each): the daemon
//! calls `deliver_due` on the blocking pool, never on an async worker.
//! Delivery is at-least-once: a crash between a successful send and
//! `mark_delivered` sends that alert again after the restart — the webhook
//! carries an `Idempotency-Key` so a receiver can drop the repeat.

pub mod desktop;
pub mod gotify;
pub mod ntfy;
pub mod question;
pub mod schedule;
pub mod webhook;

use crate::store::alerts::Alert;
use crate::store::digests::DigestRow;
use crate::store::{Store, StoreError};
use crate::store::{
    outbox::GAVE_UP_MS,
    queue::{Attempt, Queue},
};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::time::Duration;

pub use schedule::{Policy, QuietHours};

pub use desktop::DesktopSink;
pub use gotify::GotifySink;
pub use ntfy::NtfySink;
pub use question::{QUESTION, Question, SameAsYesterday};
pub use webhook::WebhookSink;

/// Where alerts go (`[notify]`). Any combination; none is fine (alerts are
/// still stored and shown by `status`, `alerts` and the dashboard).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NotifyConfig {
    /// Desktop notifications over the session D-Bus (a desktop user service).
    pub desktop: bool,
    /// Local hour (0–23) of the daily digest bundling the `warn` alerts.
    pub digest_hour: u8,
    /// "22:00-07:00": nothing is pushed inside (may cross midnight).
    pub quiet_hours: Option<String>,
    pub ntfy: Option<ntfy::NtfyConfig>,
    pub gotify: Option<gotify::GotifyConfig>,
    pub webhook: Option<webhook::WebhookConfig>,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        NotifyConfig {
            desktop: false,
            digest_hour: schedule::DEFAULT_DIGEST_HOUR,
            quiet_hours: None,
            ntfy: None,
            gotify: None,
            webhook: None,
        }
    }
}

impl NotifyConfig {
    /// When alerts are pushed: the digest hour and the quiet hours (checked
    /// by `Config::validate`; quiet hours that do not parse count as none).
    pub fn policy(&self) -> Policy {
        Policy {
            digest_hour: self.digest_hour,
            quiet_hours: self
                .quiet_hours
                .as_deref()
                .and_then(|q| QuietHours::parse(q).ok()),
        }
    }

    /// Names of the configured sinks, in a fixed order.
    pub fn sinks(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.desktop {
            out.push("desktop".to_string());
        }
        if self.ntfy.is_some() {
            out.push("ntfy".to_string());
        }
        if self.gotify.is_some() {
            out.push("gotify".to_string());
        }
        if self.webhook.is_some() {
            out.push("webhook".to_string());
        }
        out
    }
}

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
    /// One message bundling several `warn` alerts.
    fn send_digest(&self, digest: &Digest) -> Result<(), SinkError>;
    /// The morning check-in: the question and its one-tap link (RULES.md I).
    fn send_question(&self, question: &Question) -> Result<(), SinkError>;
}

/// A digest as the sinks send it: one message listing the `warn` alerts it
/// bundles. Built again from the store for every try, so a retry or a
/// restart sends the same members under the same id.
#[derive(Debug, Clone, PartialEq)]
pub struct Digest {
    /// The `digests` row id: the webhook's idempotency key names it.
    pub id: i64,
    /// In the order they were queued.
    pub alerts: Vec<Alert>,
    /// The runner's UTC offset, to give each alert its local date.
    pub local_offset_s: i32,
}

impl Digest {
    /// "tendonwatch: 3 warnings" — how many alerts it bundles. Plain ASCII,
    /// so it can travel in an HTTP header (ntfy `Title`).
    pub fn title(&self) -> String {
        let n = self.alerts.len();
        format!(
            "tendonwatch: {}",
            crate::units::plural(n, "warning", "warnings")
        )
    }

    /// One line per alert — its local date, its kind in words and what
    /// changed — then where to read more.
    pub fn text(&self) -> String {
        let mut text = String::new();
        for a in &self.alerts {
            text.push_str(&format!(
                "- {} {}: {}\n",
                local_date(a.window_end_ms, self.local_offset_s),
                kind_in_words(&a.kind),
                crate::rules::indent_lines(&a.what_changed, "  ")
            ));
        }
        text.push_str(DIGEST_READ_MORE);
        text
    }
}

/// The last line of every digest.
pub const DIGEST_READ_MORE: &str =
    "What to do about each, and why: run tendonwatch alerts, or open Alerts on the dashboard.";

/// "2025-06-02": the local date of `at_ms` at UTC offset `offset_s`.
fn local_date(at_ms: i64, offset_s: i32) -> String {
    chrono::DateTime::from_timestamp_millis(at_ms + i64::from(offset_s) * 1000)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "?".to_string())
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

/// What one `deliver_due` round did, counting messages: a digest counts
/// once however many alerts it bundles.
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

/// One delivery round at `now_ms`: bundle the digests whose hour has come
/// (`bundle_due`), then send what is due (`send_due`). `local_offset_s` is
/// the runner's current UTC offset (the digest hour and quiet hours are
/// local times).
pub fn deliver_due(
    store: &mut Store,
    sinks: &[Box<dyn Sink + Send + Sync>],
    policy: &Policy,
    local_offset_s: i32,
    now_ms: i64,
) -> Result<DeliveryReport, StoreError> {
    bundle_due(store, sinks, policy, local_offset_s, now_ms)?;
    send_due(store, sinks, policy, local_offset_s, now_ms)
}

/// For each configured sink whose oldest waiting `warn` alert has reached
/// its digest time (`Policy::digest_at`), bundle every alert waiting for
/// that sink into one digest — one transaction each. Nothing is bundled in
/// quiet hours. Returns the new digests (sent by `send_due`, after a
/// restart too).
pub fn bundle_due(
    store: &mut Store,
    sinks: &[Box<dyn Sink + Send + Sync>],
    policy: &Policy,
    local_offset_s: i32,
    now_ms: i64,
) -> Result<Vec<DigestRow>, StoreError> {
    let mut bundled = Vec::new();
    if policy.is_quiet(now_ms, local_offset_s) {
        return Ok(bundled);
    }
    for sink in sinks {
        let Some(since) = store.waiting_for_digest_since(&[sink.name()])? else {
            continue;
        };
        if policy.digest_at(since, local_offset_s) <= now_ms {
            bundled.extend(store.bundle_digest(sink.name(), now_ms)?);
        }
    }
    Ok(bundled)
}

/// Send every `high` outbox row and every bundled digest that is due at
/// `now_ms` to its sink and record the outcome; nothing inside quiet hours.
/// Rows of sinks not in `sinks` (no longer configured) are left as they
/// are. Once a sink fails with a retryable error, its remaining messages in
/// this round are postponed to the same retry time without a try.
pub fn send_due(
    store: &mut Store,
    sinks: &[Box<dyn Sink + Send + Sync>],
    policy: &Policy,
    local_offset_s: i32,
    now_ms: i64,
) -> Result<DeliveryReport, StoreError> {
    let mut round = Round::default();
    let names: Vec<&str> = sinks.iter().map(|s| s.name()).collect();
    if names.is_empty() || policy.is_quiet(now_ms, local_offset_s) {
        return Ok(round.report);
    }
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
            let message = Message::Single {
                outbox_id: row.id,
                alert: &alert,
            };
            round.attempt(store, sink.as_ref(), &message, row.attempts, now_ms)?;
        }
    }
    // Digests after the `high` alerts: the urgent first.
    for digest in store.due_digests_for(now_ms, &names)? {
        let Some(sink) = sinks.iter().find(|s| s.name() == digest.sink) else {
            continue;
        };
        let alerts = store.digest_members(digest.id)?;
        if alerts.is_empty() {
            // Its alerts were deleted since (nothing deletes alerts today):
            // nothing to say, so nothing is sent.
            store.record_attempt(Queue::Digests, digest.id, &Attempt::Delivered { now_ms })?;
            continue;
        }
        let digest_message = Digest {
            id: digest.id,
            alerts,
            local_offset_s,
        };
        let message = Message::Digest(&digest_message);
        round.attempt(store, sink.as_ref(), &message, digest.attempts, now_ms)?;
    }
    Ok(round.report)
}

/// When delivery next has something to do for `sinks`, never before
/// `now_ms`: a `high` row's or a digest's next try, or the digest time of
/// the oldest alert waiting for one — moved to the end of quiet hours when
/// it falls inside them. None when nothing waits.
pub fn next_due_ms(
    store: &Store,
    sinks: &[Box<dyn Sink + Send + Sync>],
    policy: &Policy,
    local_offset_s: i32,
    now_ms: i64,
) -> Result<Option<i64>, StoreError> {
    let names: Vec<&str> = sinks.iter().map(|s| s.name()).collect();
    if names.is_empty() {
        return Ok(None);
    }
    let single_or_digest = store.next_due_ms_for(&names)?;
    let bundling = store
        .waiting_for_digest_since(&names)?
        .map(|since| policy.digest_at(since, local_offset_s));
    let due = [single_or_digest, bundling].into_iter().flatten().min();
    Ok(due.map(|due| policy.push_at(due.max(now_ms), local_offset_s)))
}

/// What one try sends: one alert, a digest, or a morning's check-in.
pub enum Message<'a> {
    Single { outbox_id: i64, alert: &'a Alert },
    Digest(&'a Digest),
    Question { row_id: i64, question: &'a Question },
}

impl Message<'_> {
    /// The queue the message waits in and its row there.
    fn row(&self) -> (Queue, i64) {
        match self {
            Message::Single { outbox_id, .. } => (Queue::Outbox, *outbox_id),
            Message::Digest(d) => (Queue::Digests, d.id),
            Message::Question { row_id, .. } => (Queue::Checkins, *row_id),
        }
    }
}

/// One delivery round: its counts, and the sinks that failed in it with a
/// retryable error (sink name → retry time, error), whose other messages
/// wait for the same retry time instead of hammering (or timing out on) a
/// server that is down.
#[derive(Default)]
pub struct Round {
    pub report: DeliveryReport,
    down: HashMap<&'static str, (i64, String)>,
}

impl Round {
    /// Send one message (tried `attempts` times before) unless its sink
    /// is already down in this round, and record the outcome.
    pub fn attempt(
        &mut self,
        store: &mut Store,
        sink: &(dyn Sink + Send + Sync),
        message: &Message<'_>,
        attempts: i64,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let (queue, id) = message.row();
        if let Some((retry_at, error)) = self.down.get(sink.name()) {
            let reason = format!("not tried ({error})");
            let postponed = Attempt::Postponed {
                reason: &reason,
                next_attempt_ms: *retry_at,
            };
            store.record_attempt(queue, id, &postponed)?;
            self.report.postponed += 1;
            return Ok(());
        }
        let sent = match message {
            Message::Single { alert, .. } => sink.send(alert),
            Message::Digest(d) => sink.send_digest(d),
            Message::Question { question, .. } => sink.send_question(question),
        };
        self.record(store, sink.name(), message, &sent, attempts, now_ms)
    }

    /// Record what one try of `message` on `sink` did (`sent`), as
    /// [`Round::attempt`] does: delivered, to be retried after a backoff
    /// (its sink is down for the rest of the round), or given up.
    pub fn record(
        &mut self,
        store: &mut Store,
        sink: &'static str,
        message: &Message<'_>,
        sent: &Result<(), SinkError>,
        attempts: i64,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let (queue, id) = message.row();
        let failed = |store: &mut Store, error: &str, next_attempt_ms: i64| {
            let attempt = Attempt::Failed {
                error,
                next_attempt_ms,
            };
            store.record_attempt(queue, id, &attempt)
        };
        match sent {
            Ok(()) => {
                store.record_attempt(queue, id, &Attempt::Delivered { now_ms })?;
                self.report.delivered += 1;
            }
            Err(SinkError::Retry(error)) => {
                let tries = attempts + 1;
                if tries >= MAX_ATTEMPTS {
                    let error = format!("gave up after {tries} attempts: {error}");
                    failed(store, &error, GAVE_UP_MS)?;
                    self.report.failed += 1;
                } else {
                    let retry_at = now_ms.saturating_add(retry_delay_ms(attempts));
                    failed(store, error, retry_at)?;
                    self.report.retried += 1;
                    self.down.insert(sink, (retry_at, error.clone()));
                }
            }
            Err(SinkError::Permanent(error)) => {
                failed(store, error, GAVE_UP_MS)?;
                self.report.failed += 1;
            }
        }
        Ok(())
    }
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

/// The text every sink shows under the title: each part of what changed on
/// a line of its own, then what to do.
pub fn body(alert: &Alert) -> String {
    format!("{}\n{}", alert.what_changed, alert.what_to_do)
}

/// The three severities of `crate::finding::Severity`, as the sinks grade them.
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A weekly alert of two parts (issue 21): every sink shows them as lines.
    fn two_parts() -> Alert {
        Alert {
            kind: "week_jump".to_string(),
            severity: "warn".to_string(),
            what_changed: "Last 7 days 26.9 km: +12 %.\nAlso: This week both went up.".to_string(),
            what_to_do: "Hold next week at this week's distance.".to_string(),
            window_end_ms: 1_772_433_180_000,
            ..test_alert(0)
        }
    }

    #[test]
    fn a_push_shows_each_part_of_an_alert_on_its_own_line() {
        assert_eq!(
            body(&two_parts()).lines().collect::<Vec<_>>(),
            [
                "Last 7 days 26.9 km: +12 %.",
                "Also: This week both went up.",
                "Hold next week at this week's distance.",
            ]
        );
    }

    #[test]
    fn a_digest_indents_the_later_parts_of_an_alert_under_its_line() {
        let digest = Digest {
            id: 1,
            alerts: vec![two_parts()],
            local_offset_s: 0,
        };
        let text = digest.text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[..2],
            [
                "- 2026-03-02 weekly-mileage jump: Last 7 days 26.9 km: +12 %.",
                "  Also: This week both went up.",
            ],
            "{text}"
        );
    }
}
