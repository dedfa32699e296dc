//! This morning's answer and what the 24-hour rule makes of it, as the
//! check-in page and the dashboard's status page both show it; and the
//! status page's question while the morning is unanswered (RULES.md I).

use super::layout::{self, score};
use super::{Site, WebOptions};
use crate::checkin::day_bounds;
use crate::checkin::schedule::local_date;
use crate::checkin::verdict::{self, Morning};
use crate::notify::QUESTION;
use crate::store::checkins::MorningAnswer;
use crate::store::{Store, StoreError};
use crate::zone::Zone;
use chrono::NaiveDate;
use maud::{Markup, html};

/// A morning answered, judged.
pub(super) struct Answered {
    pub score: f64,
    pub at_ms: i64,
    pub verdict: String,
}

/// `date`'s morning entry, if there is one, with its verdict.
pub(super) fn answered(
    store: &Store,
    opts: &WebOptions,
    date: NaiveDate,
) -> Result<Option<Answered>, StoreError> {
    let (from, to) = day_bounds(&opts.zone, date);
    match store.morning_between(from, to)? {
        None => Ok(None),
        Some(MorningAnswer { score, at_ms, .. }) => judged(store, opts, score, at_ms).map(Some),
    }
}

/// An answer of `score` at `at_ms`, judged by the 24-hour rule.
pub(super) fn judged(
    store: &Store,
    opts: &WebOptions,
    score: f64,
    at_ms: i64,
) -> Result<Answered, StoreError> {
    let morning = Morning::read(store, &opts.zone, opts.pain_limit, at_ms, score)?;
    Ok(Answered {
        score,
        at_ms,
        verdict: verdict::verdict(&morning),
    })
}

/// The answer and what it means, on the check-in page and the status page.
pub(super) fn verdict_block(a: &Answered, zone: Zone) -> Markup {
    html! {
        div.verdict role="status" {
            p.answered { "This morning: " strong { (score(a.score)) "/10" } ", logged " (layout::local(a.at_ms, zone, "%H:%M")) "." }
            p.judged { (a.verdict) }
        }
    }
}

/// The status page's morning card: the question while this morning (in
/// the runner's zone) has no entry, else the answer and its verdict.
/// `csrf` None on a coach's read-only view.
pub(super) fn morning_card(site: &Site, today: Option<&Answered>, csrf: Option<&str>) -> Markup {
    html! {
        @match (today, csrf) {
            (Some(a), _) => section #morning .card.checkin {
                h2 { "This morning" }
                (verdict_block(a, site.opts.zone))
            },
            (None, Some(token)) => section #morning .card.checkin {
                h2 { (QUESTION) }
                (layout::morning_form(Some(&site.url("/morning")), Some(token)))
            },
            (None, None) => {}
        }
    }
}

/// This morning's answer (today in the runner's zone), for the status page.
pub(super) fn today(
    store: &Store,
    opts: &WebOptions,
    now_ms: i64,
) -> Result<Option<Answered>, StoreError> {
    match local_date(&opts.zone, now_ms) {
        Some(date) => answered(store, opts, date),
        None => Ok(None),
    }
}
