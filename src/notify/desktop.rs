//! Desktop notifications through the session D-Bus
//! (`org.freedesktop.Notifications`), with `notify-rust` over zbus.
//!
//! The bus is the one `DBUS_SESSION_BUS_ADDRESS` names (else
//! `$XDG_RUNTIME_DIR/bus`): notify-rust opens a fresh session connection per
//! notification and takes no address. A system service has no session bus;
//! it uses the push sinks instead.
//!
//! The morning check-in carries its link as an "Answer" action where the
//! notification server advertises the `actions` capability: invoking it
//! opens the one-tap page in the runner's browser (`xdg-open`). Elsewhere
//! (notify-osd, some minimal servers) the link stays in the text only.

use super::{Digest, Level, Question, SEND_TIMEOUT, Sink, SinkError, body, title};
use crate::store::alerts::Alert;
use notify_rust::{ActionResponse, Notification, Urgency};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The check-in's button; what it opens is the one-tap page.
pub const ANSWER_ACTION: &str = "answer";
/// The key a notification server invokes for a click on the notification
/// itself (Desktop Notifications Specification, "default" action): it
/// opens the page too, as a tap does on ntfy and Gotify.
pub const DEFAULT_ACTION: &str = "default";
/// How long a shown check-in listens for its "Answer" before its thread
/// ends: the morning and beyond. A notification may never be clicked, and
/// a server may drop it without saying so; the page's link also expires
/// with the day.
pub const ANSWER_WAIT: Duration = Duration::from_secs(12 * 3600);
/// Opens a URL in the runner's browser (freedesktop.org xdg-utils).
const OPENER: &str = "xdg-open";

pub struct DesktopSink {
    timeout: Duration,
}

impl DesktopSink {
    pub fn new() -> DesktopSink {
        DesktopSink {
            timeout: SEND_TIMEOUT,
        }
    }
}

impl Default for DesktopSink {
    fn default() -> Self {
        DesktopSink::new()
    }
}

/// The notification an alert becomes.
pub fn notification(alert: &Alert) -> Notification {
    let urgency = match Level::of(alert) {
        Level::Info => Urgency::Low,
        Level::Warn => Urgency::Normal,
        Level::High => Urgency::Critical,
    };
    titled(&title(alert), &body(alert), urgency)
}

/// The notification a digest becomes: normal urgency, like a single `warn`.
pub fn digest_notification(digest: &Digest) -> Notification {
    titled(&digest.title(), &digest.text(), Urgency::Normal)
}

/// A notification from tendonwatch with this title, text and urgency.
fn titled(summary: &str, body: &str, urgency: Urgency) -> Notification {
    Notification::new()
        .appname("tendonwatch")
        .summary(summary)
        .body(body)
        .urgency(urgency)
        .finalize()
}

impl Sink for DesktopSink {
    fn name(&self) -> &'static str {
        "desktop"
    }

    fn send(&self, alert: &Alert) -> Result<(), SinkError> {
        self.show(notification(alert), None)
    }

    fn send_digest(&self, digest: &Digest) -> Result<(), SinkError> {
        self.show(digest_notification(digest), None)
    }

    /// The question with its link in the text and, where the server
    /// supports actions, an "Answer" action that opens it.
    fn send_question(&self, question: &Question) -> Result<(), SinkError> {
        self.show(question_notification(question), Some(question.url.clone()))
    }
}

/// The notification a check-in becomes: the question and its link. The
/// link stays in the text where an action opens it too: a daemon that
/// restarted since it was shown no longer hears the click.
pub fn question_notification(question: &Question) -> Notification {
    titled(&question.title(), &question.text(), Urgency::Normal)
}

/// `notification` with the "Answer" button and the click on the
/// notification itself, both opening the page.
fn with_answer(mut notification: Notification) -> Notification {
    notification
        .action(DEFAULT_ACTION, "Answer")
        .action(ANSWER_ACTION, "Answer");
    notification
}

/// Whether the notification server on the session bus can show buttons.
/// A server that does not answer counts as one without: the notification
/// itself then says why it failed.
fn server_has_actions() -> bool {
    notify_rust::get_capabilities().is_ok_and(|caps| caps.iter().any(|c| c == "actions"))
}

impl DesktopSink {
    /// Show `notification`; with `answer`, a page to open from an "Answer"
    /// action where the server supports actions.
    fn show(&self, notification: Notification, answer: Option<String>) -> Result<(), SinkError> {
        // On a thread of its own: notify-rust blocks on zbus' own tokio
        // runtime, which panics when entered from a thread already inside
        // a runtime; and a notification server that never answers must not
        // hold delivery beyond the timeout (the thread is then left to
        // finish or hang on its own). A check-in's thread stays to listen
        // for its action after delivery has moved on.
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("tendonwatch-desktop-notify".into())
            .spawn(move || match answer.filter(|_| server_has_actions()) {
                Some(url) => show_and_listen(with_answer(notification), &url, &tx),
                None => {
                    let shown = notification.show().map(|_handle| ());
                    let _ = tx.send(shown.map_err(|e| e.to_string()));
                }
            })
            .map_err(|e| SinkError::Retry(format!("desktop: cannot start a thread: {e}")))?;
        match rx.recv_timeout(self.timeout) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(SinkError::Retry(describe(&error))),
            Err(mpsc::RecvTimeoutError::Timeout) => Err(SinkError::Retry(format!(
                "desktop: no answer from the notification server within {} s",
                self.timeout.as_secs()
            ))),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(SinkError::Retry(
                "desktop: the notification call ended without a result".into(),
            )),
        }
    }
}

/// Show `notification`, report the outcome on `shown`, then wait (at most
/// `ANSWER_WAIT`) for its answer action and open `url` when it comes. Its
/// own single-threaded runtime: the wait must be bounded, and the handle's
/// connection lives as long as the wait (some servers send the action only
/// to a connection still there).
fn show_and_listen(
    notification: Notification,
    url: &str,
    shown: &mpsc::Sender<Result<(), String>>,
) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            let _ = shown.send(Err(format!("cannot start a runtime: {e}")));
            return;
        }
    };
    let answered = runtime.block_on(async {
        let handle = match notification.show_async().await {
            Ok(handle) => handle,
            Err(e) => {
                let _ = shown.send(Err(e.to_string()));
                return false;
            }
        };
        let _ = shown.send(Ok(()));
        let mut answered = false;
        let wait = handle.wait_for_action_async(|response| {
            answered = matches!(response,
                ActionResponse::Custom(key) if *key == ANSWER_ACTION || *key == DEFAULT_ACTION);
        });
        // Elapsed: never clicked; closed: the wait ends with `answered` false.
        let _ = tokio::time::timeout(ANSWER_WAIT, wait).await;
        answered
    });
    if answered {
        open_in_browser(url);
    }
}

/// Open the check-in page in the runner's browser. The URL is a capability
/// for the morning: it is not logged.
fn open_in_browser(url: &str) {
    let opened = Command::new(OPENER)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    match opened {
        Ok(status) if status.success() => {
            tracing::info!("desktop: the check-in page was opened in the browser");
        }
        Ok(status) => {
            tracing::warn!("desktop: {OPENER} could not open the check-in page ({status})")
        }
        Err(e) => tracing::warn!("desktop: cannot run {OPENER} to open the check-in page: {e}"),
    }
}

/// A D-Bus error reply names its error ("org.freedesktop.DBus.Error.…"):
/// the bus is there but nobody serves notifications (yet). Anything else
/// failed before a reply: no usable session bus.
fn describe(error: &str) -> String {
    if error.starts_with("org.freedesktop.") {
        format!("desktop: no notification server on the session D-Bus: {error}")
    } else {
        format!("no session D-Bus: {error}")
    }
}
