//! ntfy (ntfy.sh or a self-hosted server): one POST per alert to
//! `{url}/{topic}`, the text as the body, title, priority and tags as headers.

use super::{
    Digest, Level, Question, Sink, SinkError, body, check_response, header_text, http_agent,
    join_url, title,
};
use crate::store::alerts::Alert;
use serde::Deserialize;

/// `[notify.ntfy]` in the config.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NtfyConfig {
    /// Server, e.g. "https://ntfy.sh" or "http://192.168.1.10:8090".
    pub url: String,
    pub topic: String,
    /// Access token, if the topic is protected.
    pub token: Option<String>,
}

pub struct NtfySink {
    agent: ureq::Agent,
    /// `{url}/{topic}`.
    topic_url: String,
    token: Option<String>,
}

impl NtfySink {
    pub fn new(cfg: &NtfyConfig) -> NtfySink {
        NtfySink {
            agent: http_agent(),
            topic_url: join_url(&cfg.url, cfg.topic.trim_matches('/')),
            token: cfg.token.clone().filter(|t| !t.is_empty()),
        }
    }
}

/// ntfy priority (1 min … 5 max) and tags (emoji short codes) of a severity.
/// `high` is 4 ("high": long vibration, pop-over), not 5: ntfy keeps 5 for
/// things that cannot wait, and a tendon warning can wait for the next run.
fn priority_and_tags(level: Level) -> (&'static str, &'static str) {
    match level {
        Level::Info => ("2", "information_source"),
        Level::Warn => ("3", "warning"),
        Level::High => ("4", "rotating_light"),
    }
}

impl Sink for NtfySink {
    fn name(&self) -> &'static str {
        "ntfy"
    }

    fn send(&self, alert: &Alert) -> Result<(), SinkError> {
        let (priority, emoji) = priority_and_tags(Level::of(alert));
        let tags = format!("{emoji},{}", header_text(&alert.kind));
        self.post(&title(alert), priority, &tags, &body(alert))
    }

    /// A digest is a `warn` message tagged "digest".
    fn send_digest(&self, digest: &Digest) -> Result<(), SinkError> {
        let (priority, emoji) = priority_and_tags(Level::Warn);
        self.post(
            &digest.title(),
            priority,
            &format!("{emoji},digest"),
            &digest.text(),
        )
    }

    /// The check-in at default priority, tagged "checkin", with the link
    /// as the tap target and as a "view" action, and "Same as yesterday
    /// (N)" as an "http" action that logs it without opening anything.
    fn send_question(&self, question: &Question) -> Result<(), SinkError> {
        let mut request = self.request(&question.title(), "3", "wave,checkin");
        request = request
            .header("Click", question.url.as_str())
            .header("Actions", actions(question));
        check_response(self.name(), request.send(question.text().as_bytes()))
    }
}

/// ntfy's `Actions` header: "view, Answer, URL, clear=true" and, when
/// yesterday has a score, "http, Same as yesterday (N), URL, method=POST,
/// clear=true" (ntfy allows three; two are used).
fn actions(question: &Question) -> String {
    let mut actions = vec![format!("view, Answer, {}, clear=true", question.url)];
    if let (Some(same), Some(label)) = (&question.same, question.same_label()) {
        actions.push(format!(
            "http, {label}, {}, method=POST, clear=true",
            same.url
        ));
    }
    actions.join("; ")
}

impl NtfySink {
    fn post(&self, title: &str, priority: &str, tags: &str, body: &str) -> Result<(), SinkError> {
        let request = self.request(title, priority, tags);
        check_response(self.name(), request.send(body.as_bytes()))
    }

    fn request(
        &self,
        title: &str,
        priority: &str,
        tags: &str,
    ) -> ureq::RequestBuilder<ureq::typestate::WithBody> {
        let mut request = self
            .agent
            .post(&self.topic_url)
            .header("Title", header_text(title))
            .header("Priority", priority)
            .header("Tags", tags)
            .header("Content-Type", "text/plain; charset=utf-8");
        if let Some(token) = &self.token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        request
    }
}
