//! The morning check-in as the sinks send it (RULES.md I): the question,
//! the link to the one-tap page and, where there is a score to repeat,
//! "Same as yesterday (N)" — one POST that logs it again.

use serde::Serialize;

/// The question every sink asks.
pub const QUESTION: &str = "How is your Achilles this morning?";

/// One morning's check-in message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Question {
    /// The runner's local date it asks about, "YYYY-MM-DD".
    pub date: String,
    /// A household's runner; None where one runner is served.
    pub runner: Option<String>,
    /// The one-tap page (`GET`), a capability for this morning only.
    pub url: String,
    /// Yesterday's morning score and the address that logs it again with
    /// one `POST`; None when yesterday has no morning entry.
    pub same: Option<SameAsYesterday>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SameAsYesterday {
    pub score: f64,
    pub url: String,
}

impl Question {
    /// "tendonwatch: morning check-in" (a household's runner named: one
    /// phone may follow two runners). Plain ASCII for an HTTP header.
    pub fn title(&self) -> String {
        match &self.runner {
            Some(name) => format!("tendonwatch: {name}'s morning check-in"),
            None => "tendonwatch: morning check-in".to_string(),
        }
    }

    /// The question and the link, for sinks that show text only.
    pub fn text(&self) -> String {
        format!("{QUESTION}\nOne tap to answer: {}", self.url)
    }

    /// "Same as yesterday (2)": the quick action's label.
    pub fn same_label(&self) -> Option<String> {
        self.same
            .as_ref()
            .map(|s| format!("Same as yesterday ({})", crate::units::score(s.score)))
    }

    /// The same for every try of one morning's message, before and after
    /// a restart: a receiver can drop the repeat.
    pub fn idempotency_key(&self) -> String {
        match &self.runner {
            Some(name) => format!("tendonwatch-checkin-{name}-{}", self.date),
            None => format!("tendonwatch-checkin-{}", self.date),
        }
    }
}
