//! Gotify: one POST per alert to `{url}/message` with the application token
//! in `X-Gotify-Key` and a JSON `{title, message, priority}` body; the
//! check-in adds `extras` (gotify.net/docs/msgextras), which Gotify takes
//! only from a JSON body.

use super::{
    Digest, Level, Question, Sink, SinkError, body, check_response, http_agent, join_url, title,
};
use crate::store::alerts::Alert;
use serde::Deserialize;
use serde::Serialize;

/// `[notify.gotify]` in the config.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GotifyConfig {
    pub url: String,
    /// The application token.
    pub token: String,
}

pub struct GotifySink {
    agent: ureq::Agent,
    message_url: String,
    token: String,
}

impl GotifySink {
    pub fn new(cfg: &GotifyConfig) -> GotifySink {
        GotifySink {
            agent: http_agent(),
            message_url: join_url(&cfg.url, "message"),
            token: cfg.token.clone(),
        }
    }
}

#[derive(Serialize)]
struct Message<'a> {
    title: &'a str,
    message: &'a str,
    priority: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    extras: Option<Extras<'a>>,
}

/// Gotify's message extras: what a tap on the notification opens.
#[derive(Serialize)]
struct Extras<'a> {
    #[serde(rename = "client::notification")]
    notification: ClientNotification<'a>,
}

#[derive(Serialize)]
struct ClientNotification<'a> {
    click: Click<'a>,
}

#[derive(Serialize)]
struct Click<'a> {
    url: &'a str,
}

/// Gotify priorities (0–10); the Android app makes a sound from 4 and
/// shows a pop-up from 8.
fn priority(level: Level) -> u8 {
    match level {
        Level::Info => 2,
        Level::Warn => 5,
        Level::High => 8,
    }
}

impl Sink for GotifySink {
    fn name(&self) -> &'static str {
        "gotify"
    }

    fn send(&self, alert: &Alert) -> Result<(), SinkError> {
        self.post(&title(alert), &body(alert), priority(Level::of(alert)))
    }

    fn send_digest(&self, digest: &Digest) -> Result<(), SinkError> {
        self.post(&digest.title(), &digest.text(), priority(Level::Warn))
    }

    /// The check-in with its link as the click URL: a tap on the
    /// notification opens the one-tap page (Gotify has no action buttons).
    fn send_question(&self, question: &Question) -> Result<(), SinkError> {
        self.post_message(&Message {
            title: &question.title(),
            message: &question.text(),
            priority: priority(Level::Warn),
            extras: Some(Extras {
                notification: ClientNotification {
                    click: Click { url: &question.url },
                },
            }),
        })
    }
}

impl GotifySink {
    fn post(&self, title: &str, message: &str, priority: u8) -> Result<(), SinkError> {
        self.post_message(&Message {
            title,
            message,
            priority,
            extras: None,
        })
    }

    fn post_message(&self, message: &Message<'_>) -> Result<(), SinkError> {
        let body = serde_json::to_vec(message)
            .map_err(|e| SinkError::Permanent(format!("gotify: cannot encode the message: {e}")))?;
        let request = self
            .agent
            .post(&self.message_url)
            .header("X-Gotify-Key", &self.token)
            .header("Content-Type", "application/json");
        check_response(self.name(), request.send(&body[..]))
    }
}
