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
use super::morning::{Answered, answered, judged, verdict_block};
use super::pages::{Page, fields, parse_pain};
use super::{AppState, RunnerData, Site, WebError, WebOptions, now, on_store};
use crate::checkin::day_bounds;
use crate::checkin::schedule::local_date;
use crate::finding::RuleId;
use crate::notify::QUESTION;
use crate::pain::PainKind;
use crate::store::alerts::Alert;
use crate::store::pain::NewPain;
use crate::store::{Store, StoreError};
use crate::zone::Zone;
use axum::extract::{FromRequestParts, Path, RawForm};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use maud::html;

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

/// A request on a check-in link whose token holds: the runner it names,
/// the morning it grants, and the instant it was checked at. Any other
/// token is turned away with the expired page before a handler runs.
pub struct Granted {
    runner: RunnerData,
    date: NaiveDate,
    now_ms: i64,
}

impl FromRequestParts<AppState> for Granted {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Path(token) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| expired())?;
        let now_ms = now();
        let key = state.checkin_key.as_ref().ok_or_else(expired)?;
        let zone_of = |runner: &str| state.runners.get(runner).map(|r| r.opts.zone);
        let granted = key.verify(&token, now_ms, zone_of).ok_or_else(expired)?;
        let runner = state.runners.get(&granted.runner).ok_or_else(expired)?;
        Ok(Granted {
            runner: runner.clone(),
            date: granted.date,
            now_ms,
        })
    }
}

impl Granted {
    /// Run `f` with the runner's store and options on the blocking pool;
    /// a store error is the dashboard's error page.
    async fn with_store<T, F>(&self, f: F) -> Result<T, Response>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store, &WebOptions) -> Result<T, StoreError> + Send + 'static,
    {
        let opts = self.runner.opts.clone();
        on_store(&self.runner.store, move |store| Ok(f(store, &opts)?))
            .await
            .map_err(IntoResponse::into_response)
    }

    /// The page of this morning: its answer so far, if any.
    async fn page(&self, status: StatusCode, error: Option<&str>) -> Response {
        let date = self.date;
        match self.with_store(move |s, o| answered(s, o, date)).await {
            Ok(a) => checkin_page(status, date, self.runner.opts.zone, a.as_ref(), &[], error),
            Err(refused) => refused,
        }
    }
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
    let day = crate::checkin::day_bounds(&opts.zone, date);
    store.answer_checkin(&date.to_string(), day, entry, now_ms)?;
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
pub async fn page(g: Granted) -> Response {
    g.page(StatusCode::OK, None).await
}

/// `POST /checkin/TOKEN`: the answer, judged on the page it lands on.
pub async fn answer(g: Granted, form: RawForm) -> Response {
    let (date, now, zone) = (g.date, g.now_ms, g.runner.opts.zone);
    let entry = match morning_entry(&form, &zone, now) {
        Ok(entry) => entry,
        Err(message) => return g.page(StatusCode::BAD_REQUEST, Some(&message)).await,
    };
    match g
        .with_store(move |s, o| record(s, o, date, &entry, now))
        .await
    {
        Ok((a, raised)) => checkin_page(StatusCode::OK, date, zone, Some(&a), &raised, None),
        Err(refused) => refused,
    }
}

/// `POST /checkin/TOKEN/same`: ntfy's "http" action. Yesterday's morning
/// (score, stiffness, side) logged again as this morning's, answered in
/// plain text for the notification; 409 and nothing written when
/// yesterday has no morning entry.
pub async fn same(g: Granted) -> Response {
    let (date, now) = (g.date, g.now_ms);
    let done = g
        .with_store(move |store, opts| {
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
            Ok(Some(record(store, opts, date, &entry, now)?.0))
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
        Err(refused) => refused,
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
