//! Webhook: one POST per alert of the whole stored alert as JSON, one per
//! digest (`{kind: "digest", id, title, message, alerts: [...]}`) and one
//! per morning check-in (`{kind: "checkin", date, runner, url, same, ...}`).
//! The `Idempotency-Key` header names the alert, the digest or the runner's
//! morning, so a receiver can drop the repeat sent after a crash between
//! the send and marking it delivered.

use super::{Digest, Question, Sink, SinkError, TEST_KIND, check_response, http_agent};
use crate::store::alerts::Alert;
use serde::Deserialize;
use serde::Serialize;

/// `[notify.webhook]` in the config.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// Receives a JSON POST per alert.
    pub url: String,
}

pub struct WebhookSink {
    agent: ureq::Agent,
    url: String,
}

impl WebhookSink {
    pub fn new(cfg: &WebhookConfig) -> WebhookSink {
        WebhookSink {
            agent: http_agent(),
            url: cfg.url.clone(),
        }
    }

    fn post(&self, body: &[u8], key: &str) -> Result<(), SinkError> {
        let request = self
            .agent
            .post(&self.url)
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", key);
        check_response(self.name(), request.send(body))
    }
}

/// `tendonwatch-alert-<id>`; a test alert (never stored, id 0) is keyed by
/// its time instead, so a second `notify-test` is not dropped as a repeat.
pub fn idempotency_key(alert: &Alert) -> String {
    if alert.kind == TEST_KIND {
        format!("tendonwatch-test-{}", alert.created_ms)
    } else {
        format!("tendonwatch-alert-{}", alert.id)
    }
}

/// `tendonwatch-digest-<id>`: the same for every try of one digest, before
/// and after a restart.
pub fn digest_idempotency_key(digest: &Digest) -> String {
    format!("tendonwatch-digest-{}", digest.id)
}

/// The JSON body of a digest.
#[derive(Serialize)]
struct DigestBody<'a> {
    /// "digest": tells a digest from an alert, whose `kind` is a rule id.
    kind: &'static str,
    id: i64,
    title: String,
    message: String,
    alerts: &'a [Alert],
}

/// The JSON body of a check-in: `{kind: "checkin", date, runner, title,
/// message, url, same: {score, url} | null}`.
#[derive(Serialize)]
struct QuestionBody<'a> {
    /// "checkin": tells it from an alert or a digest.
    kind: &'static str,
    title: String,
    message: String,
    #[serde(flatten)]
    question: &'a Question,
}

impl Sink for WebhookSink {
    fn name(&self) -> &'static str {
        "webhook"
    }

    fn send(&self, alert: &Alert) -> Result<(), SinkError> {
        let body = crate::units::json_bytes(alert)
            .map_err(|e| SinkError::Permanent(format!("webhook: cannot encode the alert: {e}")))?;
        self.post(&body, &idempotency_key(alert))
    }

    fn send_digest(&self, digest: &Digest) -> Result<(), SinkError> {
        let body = crate::units::json_bytes(&DigestBody {
            kind: "digest",
            id: digest.id,
            title: digest.title(),
            message: digest.text(),
            alerts: &digest.alerts,
        })
        .map_err(|e| SinkError::Permanent(format!("webhook: cannot encode the digest: {e}")))?;
        self.post(&body, &digest_idempotency_key(digest))
    }

    fn send_question(&self, question: &Question) -> Result<(), SinkError> {
        let body = crate::units::json_bytes(&QuestionBody {
            kind: "checkin",
            title: question.title(),
            message: question.text(),
            question,
        })
        .map_err(|e| SinkError::Permanent(format!("webhook: cannot encode the check-in: {e}")))?;
        self.post(&body, &question.idempotency_key())
    }
}
