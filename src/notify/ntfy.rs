//! ntfy (ntfy.sh or a self-hosted server): one POST per alert to
//! `{url}/{topic}`, the text as the body, title, priority and tags as
//! headers (plain ASCII: `header_text`, `header_url`); the check-in adds
//! `Click` and `Actions`.

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

    /// The check-in at default priority, tagged "checkin": a tap on the
    /// notification opens the one-tap page (`Click`), so does the "Answer"
    /// button (a `view` action), and "Same as yesterday (N)" (an `http`
    /// action) logs yesterday's score with one POST from the phone without
    /// opening anything.
    fn send_question(&self, question: &Question) -> Result<(), SinkError> {
        let request = self
            .request(&question.title(), "3", "wave,checkin")
            .header("Click", header_url(&question.url))
            .header("Actions", actions(question));
        check_response(self.name(), request.send(question.text().as_bytes()))
    }
}

/// ntfy's `Actions` header in its simple format: actions split at `;`,
/// their fields at `,` (docs.ntfy.sh/publish "Using a header"). "view,
/// "Answer", "URL", clear=true" and, when yesterday has a score, "http,
/// "Same as yesterday (N)", "URL", method=POST, clear=true" — two of the
/// three actions ntfy allows. `method=POST` is ntfy's default for `http`,
/// written out because the page's `/same` address takes nothing else; an
/// `http` action's `clear` clears only after the request succeeded, so a
/// dashboard the phone cannot reach leaves the question on screen.
fn actions(question: &Question) -> String {
    let mut actions = vec![action("view", "Answer", &question.url, "")];
    if let (Some(same), Some(label)) = (&question.same, question.same_label()) {
        actions.push(action("http", &label, &same.url, ", method=POST"));
    }
    actions.join("; ")
}

/// One action: its label and URL quoted, so a comma, a semicolon or a
/// `key=` in them cannot split or rename a field.
fn action(kind: &str, label: &str, url: &str, more: &str) -> String {
    format!(
        "{kind}, {}, {}{more}, clear=true",
        quoted(&header_text(label)),
        quoted(&header_url(url))
    )
}

/// A value of the simple format in double quotes. ntfy reads `\"` inside
/// as a quote (older servers keep the backslash: our labels have none, and
/// `header_url` leaves none in a URL).
fn quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('"', "\\\""))
}

/// A URL as an HTTP header carries it: visible ASCII only (UTF-8 bytes
/// and spaces percent-encoded, as a browser sends them), and no `"` or
/// `\\` (not valid in a URL anyway), so it never needs escaping inside a
/// quoted action field.
fn header_url(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for byte in url.bytes() {
        if byte.is_ascii_graphic() && !matches!(byte, b'"' | b'\\') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::SameAsYesterday;

    /// The fields of each action as ntfy's simple-format parser splits
    /// them: `;` ends an action, `,` a field, outside double quotes; the
    /// quotes are dropped and `\"` inside is a quote.
    fn ntfy_split(header: &str) -> Vec<Vec<String>> {
        let mut actions: Vec<Vec<String>> = vec![vec![String::new()]];
        let mut quoted = false;
        let mut chars = header.chars().peekable();
        while let Some(c) = chars.next() {
            let action = actions.len() - 1;
            let field = actions[action].len() - 1;
            match c {
                '\\' if quoted && chars.peek() == Some(&'"') => {
                    chars.next();
                    actions[action][field].push('"');
                }
                '"' => quoted = !quoted,
                ',' if !quoted => actions[action].push(String::new()),
                ';' if !quoted => actions.push(vec![String::new()]),
                c => actions[action][field].push(c),
            }
        }
        actions
            .into_iter()
            .map(|a| a.into_iter().map(|f| f.trim().to_string()).collect())
            .collect()
    }

    fn question(base: &str, same: Option<f64>) -> Question {
        let url = format!("{base}/checkin/2026-03-02.0f1e");
        Question {
            date: "2026-03-02".to_string(),
            runner: None,
            same: same.map(|score| SameAsYesterday {
                score,
                url: format!("{url}/same"),
            }),
            url,
        }
    }

    #[test]
    fn the_actions_header_keeps_each_field_whole() {
        let q = question("http://nas.local:8417", Some(2.5));
        assert_eq!(
            ntfy_split(&actions(&q)),
            [
                vec![
                    "view",
                    "Answer",
                    "http://nas.local:8417/checkin/2026-03-02.0f1e",
                    "clear=true"
                ],
                vec![
                    "http",
                    "Same as yesterday (2.5)",
                    "http://nas.local:8417/checkin/2026-03-02.0f1e/same",
                    "method=POST",
                    "clear=true"
                ],
            ]
        );
        // A dashboard under a path with a comma and a semicolon (a proxy's
        // choice): still three fields, the URL whole.
        let odd = question("https://home.example/tw,a;b=c", None);
        let split = ntfy_split(&actions(&odd));
        assert_eq!(split.len(), 1, "{split:?}");
        assert_eq!(split[0][2], odd.url);
    }

    #[test]
    fn a_url_in_a_header_is_visible_ascii_without_quotes() {
        assert_eq!(
            header_url("http://nas/l\u{e4}ufer/\"x\"\\y z"),
            "http://nas/l%C3%A4ufer/%22x%22%5Cy%20z"
        );
    }
}
