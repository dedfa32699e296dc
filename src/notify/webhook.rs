//! Webhook: one POST per alert of the whole stored alert as JSON. The
//! `Idempotency-Key` header names the alert, so a receiver can drop the
//! repeat sent after a crash between the send and marking it delivered.

use super::{Sink, SinkError, TEST_KIND, check_response, http_agent};
use crate::config::WebhookConfig;
use crate::store::alerts::Alert;

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

impl Sink for WebhookSink {
    fn name(&self) -> &'static str {
        "webhook"
    }

    fn send(&self, alert: &Alert) -> Result<(), SinkError> {
        let body = serde_json::to_vec(alert)
            .map_err(|e| SinkError::Permanent(format!("webhook: cannot encode the alert: {e}")))?;
        let request = self
            .agent
            .post(&self.url)
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", idempotency_key(alert));
        check_response(self.name(), request.send(&body[..]))
    }
}
