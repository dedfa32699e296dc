//! Desktop notifications through the session D-Bus
//! (`org.freedesktop.Notifications`), with `notify-rust` over zbus.
//!
//! The bus is the one `DBUS_SESSION_BUS_ADDRESS` names (else
//! `$XDG_RUNTIME_DIR/bus`): notify-rust opens a fresh session connection per
//! notification and takes no address. A system service has no session bus;
//! it uses the push sinks instead.

use super::{Digest, Level, Question, SEND_TIMEOUT, Sink, SinkError, body, title};
use crate::store::alerts::Alert;
use notify_rust::{Notification, Urgency};
use std::sync::mpsc;
use std::time::Duration;

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
    Notification::new()
        .appname("tendonwatch")
        .summary(&title(alert))
        .body(&body(alert))
        .urgency(urgency)
        .finalize()
}

/// The notification a digest becomes: normal urgency, like a single `warn`.
pub fn digest_notification(digest: &Digest) -> Notification {
    Notification::new()
        .appname("tendonwatch")
        .summary(&digest.title())
        .body(&digest.text())
        .urgency(Urgency::Normal)
        .finalize()
}

impl Sink for DesktopSink {
    fn name(&self) -> &'static str {
        "desktop"
    }

    fn send(&self, alert: &Alert) -> Result<(), SinkError> {
        self.show(notification(alert))
    }

    fn send_digest(&self, digest: &Digest) -> Result<(), SinkError> {
        self.show(digest_notification(digest))
    }

    fn send_question(&self, question: &Question) -> Result<(), SinkError> {
        self.show(question_notification(question))
    }
}

/// The notification a check-in becomes: the question and its link.
pub fn question_notification(question: &Question) -> Notification {
    Notification::new()
        .appname("tendonwatch")
        .summary(&question.title())
        .body(&question.text())
        .urgency(Urgency::Normal)
        .finalize()
}

impl DesktopSink {
    fn show(&self, notification: Notification) -> Result<(), SinkError> {
        // On a thread of its own: notify-rust blocks on zbus' own tokio
        // runtime, which panics when entered from a thread already inside
        // a runtime; and a notification server that never answers must not
        // hold delivery beyond the timeout (the thread is then left to
        // finish or hang on its own).
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("tendonwatch-desktop-notify".into())
            .spawn(move || {
                let shown = notification.show().map(|_handle| ());
                let _ = tx.send(shown.map_err(|e| e.to_string()));
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
