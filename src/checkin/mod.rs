//! checkin: the morning question "How is your Achilles this morning?"
//! (RULES.md I) — when it is asked (`schedule`, pure). The pain signal every
//! pain rule and the report stand on arrives only if answering costs one tap.

pub mod schedule;
pub mod token;
pub mod verdict;

use crate::notify::{
    DeliveryReport, Message, Policy, Question, QuietHours, Round, SameAsYesterday, Sink, SinkError,
};
use crate::rules::Mode;
use crate::store::checkins::{CheckinRow, MorningAnswer};
use crate::store::{Store, StoreError};
use crate::store::{
    outbox::GAVE_UP_MS,
    queue::{Attempt, Queue},
};
use crate::zone::Zone;
use chrono::NaiveDate;
use schedule::{Days, Morning, Plan};
use serde::Deserialize;
use token::Key;

/// `[checkin]`: when the morning question goes out. A `[[runner]]` may
/// carry their own.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CheckinConfig {
    /// Local time "HH:MM", in the morning (before 13:00).
    pub hour: String,
    /// "daily", "after-runs" or "off"; unset: daily in the `return`
    /// profile, after run days in `normal` (RULES.md I).
    pub days: Option<String>,
}

impl Default for CheckinConfig {
    fn default() -> Self {
        CheckinConfig {
            hour: "07:30".to_string(),
            days: None,
        }
    }
}

impl CheckinConfig {
    /// The plan for a runner in `mode` with these quiet hours; the error
    /// names the key and what is wrong.
    pub fn plan(&self, mode: Mode, quiet: Option<QuietHours>) -> Result<Plan, String> {
        let minute_of_day = schedule::parse_hour(&self.hour)
            .map_err(|e| format!("[checkin] hour = \"{}\": {e}", self.hour))?;
        let days = match &self.days {
            Some(text) => {
                Days::parse(text).map_err(|e| format!("[checkin] days = \"{text}\": {e}"))?
            }
            None => match mode {
                Mode::Return => Days::Daily,
                Mode::Normal => Days::AfterRuns,
            },
        };
        Ok(Plan {
            minute_of_day,
            days,
            quiet,
        })
    }
}

/// The local midnight starting `date` in `zone`, and the next one.
pub fn day_bounds(zone: &Zone, date: NaiveDate) -> (i64, i64) {
    let start = |d: NaiveDate| zone.to_utc(d.and_time(chrono::NaiveTime::MIN));
    let next = date.succ_opt().unwrap_or(date);
    (start(date), start(next))
}

/// One runner's morning check-in as the daemon runs it: when it asks, in
/// which zone, and the links it carries.
#[derive(Debug, Clone)]
pub struct Checkin {
    pub plan: Plan,
    pub zone: Zone,
    /// `[web] public_url`, without a trailing slash.
    pub public_url: String,
    pub key: Key,
    /// A household's runner; None where one runner is served.
    pub runner: Option<String>,
}

impl Checkin {
    /// The one-tap page of `date`'s morning.
    pub fn page_url(&self, date: NaiveDate) -> String {
        let token = self.key.sign(self.runner.as_deref().unwrap_or(""), date);
        format!("{}/checkin/{token}", self.public_url)
    }

    /// The message asking about `date`, with yesterday's morning score as
    /// "same as yesterday" when there is one.
    pub fn question(&self, store: &Store, date: NaiveDate) -> Result<Question, StoreError> {
        let yesterday = match date.pred_opt() {
            Some(d) => {
                let (from, to) = day_bounds(&self.zone, d);
                store.morning_between(from, to)?
            }
            None => None,
        };
        let url = self.page_url(date);
        Ok(Question {
            date: date.to_string(),
            runner: self.runner.clone(),
            same: yesterday.map(|m| SameAsYesterday {
                score: m.score,
                url: format!("{url}/same"),
            }),
            url,
        })
    }

    /// What the store says about the days the plan looks at: the run
    /// days (yesterday and today) and whether `today` has a morning entry.
    fn facts(&self, store: &Store, today: NaiveDate) -> Result<Facts, StoreError> {
        let mut ran = Vec::new();
        for d in [today.pred_opt(), Some(today)].into_iter().flatten() {
            let (from, to) = day_bounds(&self.zone, d);
            if store.ran_between(from, to)? {
                ran.push(d);
            }
        }
        let (from, to) = day_bounds(&self.zone, today);
        Ok(Facts {
            ran,
            answered: store.morning_between(from, to)?.is_some(),
        })
    }

    /// Decide and queue this morning's question when it is due and not
    /// asked yet: the morning's row and one delivery row per sink in one
    /// transaction. Returns the morning, when it was queued now.
    pub fn queue_due(
        &self,
        store: &mut Store,
        sinks: &[&str],
        now_ms: i64,
    ) -> Result<Option<NaiveDate>, StoreError> {
        let Some(today) = schedule::local_date(&self.zone, now_ms) else {
            return Ok(None);
        };
        let facts = self.facts(store, today)?;
        let due = self
            .plan
            .due(&self.zone, now_ms, &|d| facts.ran.contains(&d), &|d| {
                d == today && facts.answered
            });
        match due {
            Some(m) if store.decide_checkin(&m.date.to_string(), sinks, now_ms)? => {
                Ok(Some(m.date))
            }
            _ => Ok(None),
        }
    }

    /// Send every check-in delivery row due at `now_ms` to its sink
    /// (nothing in quiet hours). A row whose morning is over, or answered
    /// before it went out, is not sent any more.
    pub fn send_due(
        &self,
        store: &mut Store,
        sinks: &[Box<dyn Sink + Send + Sync>],
        policy: &Policy,
        now_ms: i64,
    ) -> Result<DeliveryReport, StoreError> {
        let mut round = Round::default();
        let names: Vec<&str> = sinks.iter().map(|s| s.name()).collect();
        if names.is_empty() || policy.is_quiet(now_ms, self.zone.offset_s_at(now_ms)) {
            return Ok(round.report);
        }
        let today = schedule::local_date(&self.zone, now_ms);
        for row in store.due_checkins_for(now_ms, &names)? {
            let Some(sink) = sinks.iter().find(|s| s.name() == row.sink) else {
                continue;
            };
            let date = NaiveDate::parse_from_str(&row.date, "%Y-%m-%d").ok();
            let stale = match date {
                Some(d) if Some(d) == today => {
                    if now_ms >= schedule::morning_over_ms(&self.zone, d) {
                        Some("the morning was over before it could be sent")
                    } else if self.facts(store, d)?.answered {
                        Some("answered before it was sent")
                    } else {
                        None
                    }
                }
                _ => Some("the morning was over before it could be sent"),
            };
            if let Some(reason) = stale {
                let attempt = Attempt::Failed {
                    error: reason,
                    next_attempt_ms: GAVE_UP_MS,
                };
                store.record_attempt(Queue::Checkins, row.id, &attempt)?;
                continue;
            }
            let Some(date) = date else { continue };
            let question = self.question(store, date)?;
            let message = Message::Question {
                row_id: row.id,
                question: &question,
            };
            round.attempt(store, sink.as_ref(), &message, row.attempts, now_ms)?;
        }
        Ok(round.report)
    }

    /// Ask this morning's question at once on every sink, whatever the
    /// plan, the quiet hours and earlier sends say (`tendonwatch checkin
    /// send`). The morning counts as asked from now on, so the daemon does
    /// not ask it again; each try is recorded on the morning's row of its
    /// sink like any delivery (a failed one is retried by the daemon, a
    /// sink that had it already is sent it once more and stays delivered).
    /// One outcome per sink, in their order.
    pub fn send_now(
        &self,
        store: &mut Store,
        sinks: &[Box<dyn Sink + Send + Sync>],
        now_ms: i64,
    ) -> Result<Vec<Sent>, StoreError> {
        let Some(today) = schedule::local_date(&self.zone, now_ms) else {
            return Ok(Vec::new());
        };
        let names: Vec<&str> = sinks.iter().map(|s| s.name()).collect();
        let rows = store.ask_checkin_now(&today.to_string(), &names, now_ms)?;
        let question = self.question(store, today)?;
        let mut round = Round::default();
        let mut outcomes = Vec::new();
        for sink in sinks {
            let sent = sink.send_question(&question);
            if let Some(row) = rows.iter().find(|r| r.sink == sink.name()) {
                let message = Message::Question {
                    row_id: row.id,
                    question: &question,
                };
                round.record(store, sink.name(), &message, &sent, row.attempts, now_ms)?;
            }
            outcomes.push((sink.name(), sent));
        }
        Ok(outcomes)
    }

    /// Where the check-in stands at `now_ms` (`tendonwatch checkin
    /// status`): this morning — asked, delivered, answered — and the next
    /// question as things stand.
    pub fn outlook(
        &self,
        store: &Store,
        sinks: &[&str],
        now_ms: i64,
    ) -> Result<Option<Outlook>, StoreError> {
        let Some(today) = schedule::local_date(&self.zone, now_ms) else {
            return Ok(None);
        };
        let date = today.to_string();
        let facts = self.facts(store, today)?;
        let (from, to) = day_bounds(&self.zone, today);
        let asked_ms = store.checkin_decided_ms(&date)?;
        let ran_on = |d| facts.ran.contains(&d);
        let due = self
            .plan
            .due(&self.zone, now_ms, &ran_on, &|_| facts.answered)
            .filter(|_| asked_ms.is_none());
        Ok(Some(Outlook {
            today,
            asked_ms,
            rows: store.checkin_rows_of(&date, sinks)?,
            answer: store.morning_between(from, to)?,
            due,
            next: self.plan.next(&self.zone, now_ms, &ran_on),
        }))
    }

    /// When the check-in next has something to do on `sinks`: a queued
    /// row's next try, or the next morning's question — after quiet hours.
    pub fn next_due_ms(
        &self,
        store: &Store,
        sinks: &[&str],
        policy: &Policy,
        now_ms: i64,
    ) -> Result<Option<i64>, StoreError> {
        if sinks.is_empty() {
            return Ok(None);
        }
        let retry = store.next_checkin_due_ms_for(sinks)?;
        let next = match schedule::local_date(&self.zone, now_ms) {
            Some(today) => {
                let facts = self.facts(store, today)?;
                self.plan
                    .next(&self.zone, now_ms, &|d| facts.ran.contains(&d))
                    .map(|m| m.send_at_ms)
            }
            None => None,
        };
        let due = [retry, next].into_iter().flatten().min();
        Ok(due.map(|d| policy.push_at(d.max(now_ms), self.zone.offset_s_at(d.max(now_ms)))))
    }
}

/// What one sink did with the question: its name, and sent or why not.
pub type Sent = (&'static str, Result<(), SinkError>);

/// Where one runner's check-in stands ([`Checkin::outlook`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Outlook {
    /// The runner's local date now.
    pub today: NaiveDate,
    /// When this morning's question was decided (queued or sent), if it was.
    pub asked_ms: Option<i64>,
    /// This morning's delivery rows, one per sink.
    pub rows: Vec<CheckinRow>,
    /// This morning's entry, if one is logged.
    pub answer: Option<MorningAnswer>,
    /// This morning's question when it is due and not decided yet: the
    /// daemon sends it on its next round.
    pub due: Option<Morning>,
    /// The next question after now, as things stand (a run today makes
    /// tomorrow ask in `after-runs`).
    pub next: Option<Morning>,
}

/// Whether a link under `url` opens only on this machine (`localhost`,
/// 127.0.0.0/8, `::1`, or the wildcard address): a phone cannot follow it.
pub fn is_local_only(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split('/').next().unwrap_or("");
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.split(':').next().unwrap_or(""),
    };
    let host = host.to_ascii_lowercase();
    host == "localhost"
        || host.ends_with(".localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified())
}

/// The store's answers the plan needs for one day.
struct Facts {
    /// Local dates with a counted run, of yesterday and today.
    ran: Vec<NaiveDate>,
    /// Today has a morning entry.
    answered: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_on_a_loopback_or_wildcard_address_opens_on_this_machine_only() {
        for url in [
            "http://127.0.0.1:8417",
            "http://127.1.2.3",
            "http://localhost:8417/tw",
            "https://LOCALHOST",
            "http://tw.localhost:80",
            "http://[::1]:8417",
            "http://0.0.0.0:8417",
            "http://user@127.0.0.1:8417",
        ] {
            assert!(is_local_only(url), "{url}");
        }
        for url in [
            "http://nas.local:8417",
            "https://tendon.example.ts.net",
            "http://192.168.1.20:8417",
            "http://[fd00::2]:8417",
            "http://localhost.example.com",
        ] {
            assert!(!is_local_only(url), "{url}");
        }
    }
}
