//! The morning check-in on the web (RULES.md I): the one-tap page the
//! pushed link opens, its answer, ntfy's "same as yesterday" action, and
//! the same question on the dashboard's status page.
//!
//! - `GET /checkin/TOKEN`: the question (or, once answered, the verdict
//!   and a form to change the answer);
//! - `POST /checkin/TOKEN`: the answer (`score`, optional `stiffness`,
//!   `side`), a `morning` entry at the time of answering, judged at once;
//! - `POST /checkin/TOKEN/same`: yesterday's morning again as today's,
//!   no body, a short plain-text answer (what a phone's notification shows);
//! - `POST /morning` (a runner's dashboard, logged in, CSRF-checked): the
//!   status page's buttons.
//!
//! The token is the capability: the guard lets `/checkin/` through without
//! login or CSRF cookie (a phone's ntfy app sends none) but refuses a post
//! from another site. An altered, expired, foreign or unknown runner's
//! token, or no key at all, gets one and the same "expired" page and
//! writes nothing. The pages link nowhere: not the dashboard, not
//! another runner.

use super::layout::{self, alert_card, notice, score};
use super::pages::{Page, fields, parse_pain};
use super::{AppState, RunnerData, Site, WebError, WebOptions, now, on_store};
use crate::checkin::day_bounds;
use crate::checkin::schedule::local_date;
use crate::checkin::verdict::{self, Morning};
use crate::finding::RuleId;
use crate::pain::PainKind;
use crate::store::alerts::Alert;
use crate::store::checkins::MorningAnswer;
use crate::store::pain::NewPain;
use crate::store::{Store, StoreError};
use crate::zone::Zone;
use axum::extract::{Path, RawForm, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use maud::{Markup, html};

/// The question, as the push asks it.
const QUESTION: &str = "How is your Achilles this morning?";

/// Every refusal of a link: altered, expired, another runner's, another
/// install's, a runner not served here, no key. One status and one page,
/// so a refusal tells nothing about why.
fn expired() -> Response {
    let page = layout::bare_page(
        "Link expired",
        html! {
            h1 { "This link has expired" }
            p { "A check-in link answers its own morning only. Tomorrow's question brings a new one; until then, log pain on the dashboard or with tendonwatch pain." }
        },
    );
    (StatusCode::NOT_FOUND, page).into_response()
}

/// A post to a check-in link from another site's page (the guard's
/// refusal, before anything is read).
pub(super) fn foreign_origin() -> Response {
    let page = layout::bare_page(
        "Refused",
        html! {
            h1 { "Refused" }
            p.error role="alert" { "This answer did not come from the check-in page: nothing was logged." }
        },
    );
    (StatusCode::FORBIDDEN, page).into_response()
}

/// The runner and the morning a token grants at `now_ms`.
fn grant(state: &AppState, token: &str, now_ms: i64) -> Option<(RunnerData, NaiveDate)> {
    let key = state.checkin_key.as_ref()?;
    let zone_of = |runner: &str| state.runners.get(runner).map(|r| r.opts.zone);
    let granted = key.verify(token, now_ms, zone_of)?;
    let runner = state.runners.get(&granted.runner)?.clone();
    Some((runner, granted.date))
}

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

fn judged(
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

/// Log `entry` as `date`'s morning (an earlier answer of that morning is
/// replaced), raise any pain alert as any entry would, and judge it.
/// Returns the verdict and the pain alerts the answer raised.
fn record(
    store: &mut Store,
    opts: &WebOptions,
    date: NaiveDate,
    entry: &NewPain,
    now_ms: i64,
) -> Result<(Answered, Vec<Alert>), StoreError> {
    store.answer_checkin(&date.to_string(), entry, now_ms)?;
    let raised = crate::alerts::evaluate_pain(store, &opts.rules, opts.pain_limit, now_ms)?
        .into_iter()
        .filter(|a| {
            matches!(
                RuleId::parse(&a.kind),
                Some(RuleId::Pain24h | RuleId::PainTrend | RuleId::PainLimit)
            )
        })
        .collect();
    Ok((judged(store, opts, entry.score, entry.at_ms)?, raised))
}

/// The form's fields as this morning's entry: a score, optional
/// stiffness and side, dated now. Nothing else the form might carry (a
/// time, a note, a kind) is taken from a link.
fn morning_entry(form: &RawForm, zone: &Zone, now_ms: i64) -> Result<NewPain, String> {
    let f = fields(form).map_err(|e| e.message())?;
    let (entry, _) = parse_pain(&f, zone, now_ms)?;
    Ok(NewPain {
        at_ms: now_ms,
        kind: PainKind::Morning,
        note: None,
        ..entry
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

/// The check-in page: the question, or the verdict and the form again.
fn checkin_page(
    status: StatusCode,
    date: NaiveDate,
    zone: Zone,
    answer: Option<&Answered>,
    raised: &[Alert],
    error: Option<&str>,
) -> Response {
    let title = match answer {
        Some(_) => "Thank you",
        None => QUESTION,
    };
    let body = html! {
        div.checkin {
            p.brand { "tendonwatch" }
            h1 { (title) }
            p.when { (date.format("%A %-d %B %Y")) }
            (notice(error, None))
            @if let Some(a) = answer {
                (verdict_block(a, zone))
                @for al in raised { (alert_card(al, None, zone, None, false)) }
                h2 { "Changed your mind?" }
                p.hint { "Tap again: the new answer replaces this one." }
            }
            (layout::morning_form(None, None))
        }
    };
    (status, layout::bare_page("Morning check-in", body)).into_response()
}

/// `GET /checkin/TOKEN`.
pub async fn page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let now = now();
    let Some((runner, date)) = grant(&state, &token, now) else {
        return expired();
    };
    let opts = runner.opts.clone();
    let answer = on_store(&runner.store, move |store| {
        Ok(answered(store, &opts, date)?)
    })
    .await;
    match answer {
        Ok(a) => checkin_page(
            StatusCode::OK,
            date,
            runner.opts.zone,
            a.as_ref(),
            &[],
            None,
        ),
        Err(e) => e.into_response(),
    }
}

/// `POST /checkin/TOKEN`: the answer, judged on the page it lands on.
pub async fn answer(
    State(state): State<AppState>,
    Path(token): Path<String>,
    form: RawForm,
) -> Response {
    let now = now();
    let Some((runner, date)) = grant(&state, &token, now) else {
        return expired();
    };
    let zone = runner.opts.zone;
    let entry = match morning_entry(&form, &zone, now) {
        Ok(entry) => entry,
        Err(message) => {
            let page = |a: Option<&Answered>| {
                checkin_page(StatusCode::BAD_REQUEST, date, zone, a, &[], Some(&message))
            };
            let opts = runner.opts.clone();
            return match on_store(&runner.store, move |s| Ok(answered(s, &opts, date)?)).await {
                Ok(a) => page(a.as_ref()),
                Err(e) => e.into_response(),
            };
        }
    };
    let opts = runner.opts.clone();
    let done = on_store(&runner.store, move |store| {
        Ok(record(store, &opts, date, &entry, now)?)
    })
    .await;
    match done {
        Ok((a, raised)) => checkin_page(StatusCode::OK, date, zone, Some(&a), &raised, None),
        Err(e) => e.into_response(),
    }
}

/// `POST /checkin/TOKEN/same`: ntfy's "http" action. Yesterday's morning
/// (score, stiffness, side) logged again as this morning's, answered in
/// plain text for the notification; 409 and nothing written when
/// yesterday has no morning entry.
pub async fn same(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let now = now();
    let Some((runner, date)) = grant(&state, &token, now) else {
        return expired();
    };
    let opts = runner.opts.clone();
    let done = on_store(&runner.store, move |store| {
        let Some((from, to)) = date.pred_opt().map(|d| day_bounds(&opts.zone, d)) else {
            return Ok(None);
        };
        let Some(yesterday) = store.morning_between(from, to)? else {
            return Ok(None);
        };
        let entry = NewPain {
            at_ms: now,
            score: yesterday.score,
            kind: PainKind::Morning,
            stiffness_min: yesterday.stiffness_min,
            side: yesterday.side,
            note: None,
        };
        Ok(Some(record(store, &opts, date, &entry, now)?.0))
    })
    .await;
    let text = |status: StatusCode, words: String| {
        let plain = [(header::CONTENT_TYPE, "text/plain; charset=utf-8")];
        (status, plain, words + "\n").into_response()
    };
    match done {
        Ok(Some(a)) => text(
            StatusCode::OK,
            format!(
                "Logged {}/10 for this morning, the same as yesterday. {}",
                score(a.score),
                a.verdict
            ),
        ),
        Ok(None) => text(
            StatusCode::CONFLICT,
            "Nothing logged: yesterday has no morning score to repeat. Open the link and tap this morning's.".into(),
        ),
        Err(e) => e.into_response(),
    }
}

/// `POST /morning` on a runner's dashboard: the status page's buttons, for
/// today in the runner's zone; back to the status page, which shows the
/// verdict.
pub async fn dashboard_answer(site: Site, form: RawForm) -> Page {
    let now = now();
    let opts = site.opts.clone();
    let entry = morning_entry(&form, &opts.zone, now).map_err(WebError::BadRequest)?;
    let date = local_date(&opts.zone, now)
        .ok_or_else(|| WebError::Internal("the clock is out of range".into()))?;
    site.with_store(move |store| Ok(record(store, &opts, date, &entry, now)?))
        .await?;
    Ok(Redirect::to(&site.url("/#morning")).into_response())
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

/// Today's answer on `site`'s runner's store, for the status page.
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
