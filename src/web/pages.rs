//! HTML pages and the forms they post. Every post is checked for its CSRF
//! token before it gets here (`security::guard`); every value is checked
//! here before the store is touched, and a refusal says what was wrong.

use super::layout::{self, Frame, alert_card, csrf_field, day, day_time, km, notice, pace, score};
use super::security::{self, Csrf, SESSION_COOKIE};
use super::views::{self, AlertQuery, PageQuery, RUNS_PER_PAGE, WeeksQuery, weeks_of};
use super::{Account, AppState, Site, WebError, charts, now};
use crate::metrics::surface::Surface;
use crate::pain::{self, PainKind, Side, VisaA};
use crate::store::alerts::AlertState;
use crate::store::pain::NewPain;
use crate::zone::Zone;
use axum::Extension;
use axum::extract::{Path, Query, RawForm, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{Markup, html};
use std::collections::HashMap;

pub(super) type Page = Result<Response, WebError>;

fn frame<'a>(site: &'a Site, title: &'a str, nav: &'a str, csrf: &'a Csrf) -> Frame<'a> {
    Frame {
        title,
        nav,
        csrf: &csrf.0,
        logout: site.logout,
        base: &site.base,
        viewing: site
            .read_only
            .then_some(site.runner.as_deref().unwrap_or("")),
    }
}

/// The forms' token, or `None` on a read-only view (no forms drawn).
fn forms<'a>(site: &Site, csrf: &'a Csrf) -> Option<&'a str> {
    (!site.read_only).then_some(csrf.0.as_str())
}

fn id_of(text: &str, what: &str) -> Result<i64, WebError> {
    text.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| WebError::NotFound(format!("There is no {what} '{text}'.")))
}

/// An `application/x-www-form-urlencoded` body as fields (the last of a
/// repeated name wins).
pub(super) fn fields(form: &RawForm) -> Result<HashMap<String, String>, WebError> {
    Ok(pairs(form)?.into_iter().collect())
}

/// Every name=value of a form in order, a name repeated as often as sent
/// (checkboxes): `fields` keeps the last of each.
fn pairs(form: &RawForm) -> Result<Vec<(String, String)>, WebError> {
    let text = std::str::from_utf8(&form.0)
        .map_err(|_| WebError::BadRequest("The form was not sent as text.".into()))?;
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((decode(k)?, decode(v)?))
        })
        .collect()
}

fn decode(text: &str) -> Result<String, WebError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| WebError::BadRequest("The form was garbled.".into()))?;
                out.push(hex);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out)
        .map_err(|_| WebError::BadRequest("The form was not sent as text.".into()))
}

/// A non-empty field.
fn field<'a>(f: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    f.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
}

fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

fn respond(status: StatusCode, page: Html<String>) -> Response {
    (status, page).into_response()
}

// ---------------------------------------------------------------- status

pub async fn status(site: Site, Extension(csrf): Extension<Csrf>) -> Page {
    let opts = site.opts.clone();
    let now = now();
    let (s, load, morning) = site
        .with_store(move |store| {
            Ok((
                views::status(store, &opts, now)?,
                views::load(store, &opts, 16, now)?,
                super::morning::today(store, &opts, now)?,
            ))
        })
        .await?;
    let off = site.opts.zone;
    let b = &s.baseline;
    let over = matches!((s.week_limit_m, b.last_7d_m), (Some(limit), d) if d > limit);
    let body = html! {
        h1 { @match (&site.runner, site.read_only) {
            (Some(name), true) => { "Where " (name) " stands" }
            _ => "Where you stand",
        } }
        @if let Some(words) = s.history.words(s.now_ms, &off) {
            p.history { "History: " (words) "." }
        }
        // Where the runner's files are waited for: their own page only (a
        // coach reading it has no use for the server's paths).
        @if !s.sync_folders_waiting.is_empty() && !site.read_only {
            section.card.waiting {
                h2 { "Waiting for a sync folder" }
                @for f in &s.sync_folders_waiting { p { (f.line) } }
            }
        }
        (super::morning::morning_card(&site, morning.as_ref(), forms(&site, &csrf)))
        @if b.learning.learning && b.learning.is_after_a_break(&s.history) {
            section.card.learning {
                h2 { "Back after a break" }
                p { "Comparisons with recent running start again after " (b.learning.needs_words()) "." }
            }
        } @else if b.learning.learning {
            section.card.learning {
                h2 { "Learning the baseline" }
                p {
                    (b.learning.runs) " runs over " (b.learning.days_spanned) " days so far. "
                    @if b.learning.runs_needed > 0 || b.learning.days_needed > 0 {
                        (b.learning.runs_needed) " more runs and " (b.learning.days_needed)
                        " more days before tendonwatch compares each run with this runner's own history."
                    }
                }
            }
        }
        div.cards {
            section.card.week.over[over] {
                h2 { "Last 7 days" }
                p.big { (km(b.last_7d_m)) }
                p { (b.last_7d_runs) @if b.last_7d_runs == 1 { " run" } @else { " runs" } }
                @if let (Some(ratio), Some(limit)) = (s.week_ratio, s.week_limit_m) {
                    p { "Usual week: " (km(b.weekly_m)) " (" (format!("{:.0} %", ratio * 100.0)) " of it). "
                        "Up to " (km(limit)) " is within the limit." }
                }
            }
            section.card.ceiling {
                h2 { "Next run, today" }
                @match (s.safe_ceiling_m, b.longest_30d_m) {
                    (Some(ceiling), Some(longest)) => {
                        p.big { "up to " (km(ceiling)) }
                        p { "1.1 × the longest run of the last 30 days (" (km(longest)) ")." }
                    }
                    _ => p { "No run in the last 30 days: start short and easy." }
                }
            }
            section.card.painnow {
                h2 { "Morning pain" }
                @match &s.last_morning_pain {
                    Some(p) => {
                        p.big { (score(p.score)) "/10" }
                        p { (day(p.at_ms, off)) }
                    }
                    None => p { "Nothing logged in the last two weeks." }
                }
                @if !site.read_only { p { a.button href=(site.url("/pain")) { "Log pain" } } }
            }
        }
        @match s.acwr {
            Some(r) => p.muted { "Load ratio (acute:chronic) " (format!("{r:.2}")) " — shown for context, never the only reason for an alert." },
            None => p.muted { "Load ratio (acute:chronic): " (b.load_ratio_missing()) "." },
        }
        section {
            h2 { "Load" }
            (load_chart(&load, &site))
            p { a href=(site.url("/load?weeks=52")) { "A year of weeks" } }
        }
        section {
            h2 { "Open alerts (" (s.open_alerts.len()) ")" }
            @if s.open_alerts.is_empty() {
                p { "No open alerts." }
            }
            (bulk_ack(&site, &csrf, s.open_alerts.len()))
            (history_link(&site, s.history_alerts))
            @for a in s.open_alerts.iter().take(10) {
                (alert_card(a, forms(&site, &csrf), off, Some(&site.base), true))
            }
            @if s.open_alerts.len() > 10 {
                p { a href=(site.url("/alerts")) { "All " (s.open_alerts.len()) " open alerts" } }
            }
        }
    };
    Ok(layout::page(&frame(&site, "Status", "/", &csrf), body).into_response())
}

fn load_chart(load: &views::Load, site: &Site) -> Markup {
    layout::svg(charts::load_chart(&charts::LoadChart {
        weeks: &load.weeks,
        pain: &load.morning_pain,
        alerts: &load.alerts,
        zone: site.opts.zone,
        base: &site.base,
    }))
}

pub async fn load(
    site: Site,
    Extension(csrf): Extension<Csrf>,
    Query(q): Query<WeeksQuery>,
) -> Page {
    let weeks = weeks_of(&q, 52)?;
    let opts = site.opts.clone();
    let now = now();
    let load = site
        .with_store(move |store| views::load(store, &opts, weeks, now))
        .await?;
    let off = site.opts.zone;
    let body = html! {
        h1 { "Load over " (weeks) " weeks" }
        (load_chart(&load, &site))
        p {
            @for w in [16, 52, 104] { a.pill href=(site.url(&format!("/load?weeks={w}"))) { (w) " weeks" } " " }
        }
        table.weeks {
            thead { tr { th { "Week of" } th { "Distance" } th { "Runs" } th { "Longest" } th { "Usual" } } }
            tbody {
                @for w in load.weeks.iter().rev() {
                    tr {
                        // Weeks start on Monday: the date says which one.
                        td.when { (layout::local(w.start_ms, off, "%-d %b %Y")) }
                        td { (km(w.distance_m)) }
                        td { (w.runs) }
                        td { (km(w.longest_m)) }
                        td { @match w.band_m { Some((usual, _)) => (km(usual)), None => "learning" } }
                    }
                }
            }
        }
    };
    Ok(layout::page(&frame(&site, "Load", "/", &csrf), body).into_response())
}

// ---------------------------------------------------------------- runs

pub async fn activities(
    site: Site,
    Extension(csrf): Extension<Csrf>,
    Query(q): Query<PageQuery>,
) -> Page {
    let list = site
        .with_store(move |store| views::activities(store, &q))
        .await?;
    let (rows, total, page, showing) = (list.activities, list.total, list.page, list.showing);
    let pages = total.div_ceil(RUNS_PER_PAGE).max(1);
    let link = |page: usize| match showing {
        "runs" => site.url(&format!("/activities?page={page}")),
        other => site.url(&format!("/activities?{other}=1&page={page}")),
    };
    let body = html! {
        h1 { "Runs" }
        p.filter {
            @match showing {
                "runs" => { "Runs · " a href=(site.url("/activities?all=1")) { "every sport" } }
                "all" => { a href=(site.url("/activities")) { "Runs" } " · every sport" }
                _ => { a href=(site.url("/activities")) { "Runs" } " · " a href=(site.url("/activities?all=1")) { "every sport" } " · waiting for your answer" }
            }
        }
        @if total == 0 {
            p { @match showing {
                "unconfirmed" => "No activity is waiting for you to say what sport it was.",
                "runs" => "No runs stored yet. Files your watch syncs into the folder appear here.",
                _ => "Nothing stored yet. Files your watch syncs into the folder appear here.",
            } }
        }
        ul.runs {
            @for a in &rows {
                li {
                    a href=(site.url(&format!("/activity/{}", a.id))) {
                        span.date { (when(a, site.opts.zone)) }
                        " "
                        span.what { (a.sport_name()) " · " (km(a.distance_m))
                            @if a.too_short { " · too short to count" } }
                    }
                }
            }
        }
        @if pages > 1 {
            p.pager {
                @if page > 1 { a href=(link(page - 1)) { "← Newer" } " " }
                "Page " (page) " of " (pages)
                @if page < pages { " " a href=(link(page + 1)) { "Older →" } }
            }
        }
    };
    Ok(layout::page(&frame(&site, "Runs", "/activities", &csrf), body).into_response())
}

#[derive(Debug, serde::Deserialize)]
pub struct SavedQuery {
    pub saved: Option<String>,
}

pub async fn activity(
    site: Site,
    Extension(csrf): Extension<Csrf>,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Page {
    let id = id_of(&id, "activity")?;
    let opts = site.opts.clone();
    let v = site
        .with_store(move |store| views::activity(store, &opts, id))
        .await?;
    let a = &v.activity;
    let m = &v.metrics;
    let off = site.opts.zone;
    let saved = q.saved.as_deref().and_then(|s| match s {
        "surface" => Some(format!("Surface saved: {}.", m.surface.as_str())),
        "sport" => Some(format!("Sport saved: {}.", a.sport)),
        "start" => Some("Start saved: the rules have seen it.".to_string()),
        _ => None,
    });
    let clock = crate::units::clock;
    let body = html! {
        h1 { (a.sport_name()) " · " (km(m.distance_m)) }
        p.muted { (when(a, off)) @if a.time_unknown.is_none() { " (" (off.name()) ")" } @if a.start_status == "runner" { " (your word)" } " · " (a.device) " · " (a.format)
            @if a.partial { " · partial file" } }
        @if a.too_short {
            p.muted.too-short { "Too short to be a run (under 500 m or 3 minutes moving): kept here, but never in the baseline, the rules or the next run's ceiling." }
        }
        (notice(None, saved.as_deref()))
        @if let Some(why) = &a.time_unknown {
            section.question #start-question {
                h2 { "When did it start?" }
                p { "Its time cannot be true: " (why) "." }
                p { "Until you say when it started it is left out of your running baseline and the rules." }
                @if !site.read_only {
                form.start-answer method="post" action=(site.url(&format!("/activity/{}/start", a.id))) {
                    (csrf_field(&csrf.0))
                    label for="start" { "Started at (your local time)" }
                    input #start type="datetime-local" name="start" required;
                    button type="submit" { "Save start" }
                }
                }
            }
        }
        @if a.sport_status == "unconfirmed" {
            section.question #sport-question {
                h2 { (a.sport_question()) }
                p { "Because: " (a.sport_evidence.join("; ")) "." }
                p { "Until you answer it is left out of your running baseline and the rules." }
                @if !site.read_only {
                form.sport-answer method="post" action=(site.url(&format!("/activity/{}/sport", a.id))) {
                    (csrf_field(&csrf.0))
                    button type="submit" name="sport" value="running" { "Yes, a run" }
                    " "
                    button type="submit" name="sport" value=(a.sport) {
                        "No, " (crate::sport::noun(crate::activity::Sport::parse(&a.sport)))
                    }
                }
                }
            }
        } @else if m.cross_training {
            p { "Cross-training: counted as volume, never as running distance." }
        }
        section.sport {
            p #sport-now { "Sport: " strong { (a.sport) } " (" (a.sport_reason()) ")" }
            @if !site.read_only {
            form.resport method="post" action=(site.url(&format!("/activity/{}/sport", a.id))) {
                (csrf_field(&csrf.0))
                label for="sport" { "What was it?" }
                select #sport name="sport" {
                    @for s in crate::sport::TAGGABLE {
                        option value=(s.as_str()) selected[s.as_str() == a.sport] { (s.as_str()) }
                    }
                }
                button type="submit" { "Save sport" }
            }
            }
        }
        dl.metrics {
            dt { "Moving time" } dd { (clock(m.moving_s)) " (elapsed " (clock(m.elapsed_s)) ")" }
            @if let Some(p) = &m.pace {
                dt { "Pace" } dd { (pace(p.mean_pace_s_per_km)) }
                @if let Some(iv) = &p.intervals {
                    dt { "Intervals" } dd { (iv.reps) " reps at " (pace(Some(iv.rep_pace_s_per_km))) }
                }
                @if p.walk_breaks > 0 { dt { "Walk breaks" } dd { (p.walk_breaks) } }
            }
            @if let Some(c) = &m.cadence {
                dt { "Cadence" } dd { (format!("{:.0}", c.running_spm)) " spm"
                    @if let Some(s) = c.stride_m { " · stride " (format!("{s:.2}")) " m" } }
            }
            @match &m.elevation {
                Some(e) => { dt { "Climb" } dd { (format!("{:.0}", e.climb_m)) " m up, " (format!("{:.0}", e.descent_m)) " m down (" (format!("{:.1}", e.climb_m_per_km)) " m/km)" } }
                // Say "no altitude" only when the elevation chart has none.
                None if v.charts.elevation == 0 => { dt { "Climb" } dd { "unknown (no altitude in the file)" } }
                None if m.cross_training => {}
                None => { dt { "Climb" } dd { "unknown (too little altitude to measure)" } }
            }
            @if let Some(hr) = m.heart_rate_mean_bpm { dt { "Heart rate" } dd { (format!("{hr:.0}")) " bpm" } }
            @if let Some(t) = m.temperature_mean_c { dt { "Temperature" } dd { (format!("{t:.0}")) " °C" } }
            @if let Some(rpe) = a.post_run_rpe { dt { "Effort (watch)" } dd { (score(rpe)) "/10" } }
            @if a.time_unknown.is_none() { dt { "Time of day" } dd { (m.part_of_day.as_str()) } }
        }
        @if !m.cross_training {
            section.surface {
                h2 { "Surface: " span #surface-now { (m.surface.as_str()) } }
                p { "Because: " (v.surface_evidence_text) "." }
                @if !site.read_only {
                form.retag method="post" action=(site.url(&format!("/activity/{}/surface", a.id))) {
                    (csrf_field(&csrf.0))
                    label for="surface" { "Where did you run?" }
                    select #surface name="surface" {
                        option value="auto" selected[!v.tagged] { "Let the file decide" }
                        @for s in Surface::ALL {
                            option value=(s.as_str()) selected[v.tagged && s == m.surface] { (s.as_str()) }
                        }
                    }
                    button type="submit" { "Save surface" }
                }
                }
            }
        }
        section.series {
            h2 { "Over the distance" }
            (layout::svg(charts::series_chart(&charts::Series { id: "pace", title: "Pace", unit: "min/km",
                points: &v.series.pace_s_per_km, invert_y: true, kind: charts::UnitKind::Pace })))
            (layout::svg(charts::series_chart(&charts::Series { id: "cadence", title: "Cadence", unit: "spm",
                points: &v.series.cadence_spm, invert_y: false, kind: charts::UnitKind::Number })))
            (layout::svg(charts::series_chart(&charts::Series { id: "elevation", title: "Elevation", unit: "m",
                points: &v.series.altitude_m, invert_y: false, kind: charts::UnitKind::Number })))
            (layout::svg(charts::series_chart(&charts::Series { id: "heart-rate", title: "Heart rate", unit: "bpm",
                points: &v.series.heart_rate_bpm, invert_y: false, kind: charts::UnitKind::Number })))
        }
        section {
            h2 { "Alerts from this run" }
            @if v.alerts.is_empty() { p { "None." } }
            @for al in &v.alerts { (alert_card(al, forms(&site, &csrf), site.opts.zone, Some(&site.base), false)) }
        }
        section {
            h2 { "Pain around it" }
            @if v.pain_around.is_empty() { p { "Nothing logged from two days before to three days after." } }
            (pain_table(&v.pain_around, site.opts.zone))
        }
    };
    Ok(layout::page(&frame(&site, "Run", "/activities", &csrf), body).into_response())
}

pub async fn retag(site: Site, Path(id): Path<String>, form: RawForm) -> Page {
    let id = id_of(&id, "activity")?;
    let f = fields(&form)?;
    let surface = match field(&f, "surface") {
        None => {
            return Err(WebError::BadRequest(
                "Choose a surface (or \"let the file decide\").".into(),
            ));
        }
        Some("auto") => None,
        Some(text) => Some(Surface::parse(text).ok_or_else(|| {
            let all: Vec<&str> = Surface::ALL.iter().map(|s| s.as_str()).collect();
            WebError::BadRequest(format!(
                "'{text}' is not a surface (one of: {}).",
                all.join(", ")
            ))
        })?),
    };
    let opts = site.opts.clone();
    let now = now();
    site.with_store(move |store| {
        crate::ingest::retag(store, id, surface, &opts.ingest, now)?
            .ok_or_else(|| WebError::NotFound(format!("There is no activity {id}.")))
    })
    .await?;
    Ok(see_other(
        &site.url(&format!("/activity/{id}?saved=surface")),
    ))
}

/// The runner's word on what an activity was: tag, measure again, run the
/// rules again on what it changes (`alerts::change_sport`).
/// `POST /activity/{id}/start`: the runner says when an activity whose
/// time is unknown started (the form's local time, or RFC 3339).
pub async fn restart(site: Site, Path(id): Path<String>, form: RawForm) -> Page {
    let id = id_of(&id, "activity")?;
    let f = fields(&form)?;
    let Some(text) = field(&f, "start") else {
        return Err(WebError::BadRequest("Give the time it started.".into()));
    };
    let now = now();
    let (start_ms, offset) =
        crate::clock::parse_start(text, &site.opts.zone, now).map_err(WebError::BadRequest)?;
    let opts = site.opts.clone();
    let change = site
        .with_store(move |store| {
            Ok::<_, WebError>(crate::alerts::change_start(
                store,
                id,
                start_ms,
                Some(offset),
                &opts.ingest,
                &opts.rules,
                now,
            )?)
        })
        .await?;
    match change {
        crate::alerts::StartChange::NoSuchActivity => {
            Err(WebError::NotFound(format!("There is no activity {id}.")))
        }
        crate::alerts::StartChange::Refused(why) => Err(WebError::BadRequest(format!(
            "No start can make this activity's time true: {why}."
        ))),
        crate::alerts::StartChange::Moved { .. } => {
            Ok(see_other(&site.url(&format!("/activity/{id}?saved=start"))))
        }
    }
}

/// The start as a list or a page shows it: "time unknown" when it cannot
/// be true.
/// When a run started, in the runner's zone at that instant.
fn when(a: &crate::store::ActivityRow, zone: Zone) -> String {
    match a.time_unknown {
        Some(_) => "time unknown".to_string(),
        None => day_time(a.start_ms, zone),
    }
}

pub async fn resport(site: Site, Path(id): Path<String>, form: RawForm) -> Page {
    let id = id_of(&id, "activity")?;
    let f = fields(&form)?;
    let Some(text) = field(&f, "sport") else {
        return Err(WebError::BadRequest("Choose a sport.".into()));
    };
    let sport = crate::sport::parse_taggable(text).map_err(WebError::BadRequest)?;
    let opts = site.opts.clone();
    let now = now();
    site.with_store(move |store| {
        crate::alerts::change_sport(store, id, sport, &opts.ingest, &opts.rules, now)?
            .ok_or_else(|| WebError::NotFound(format!("There is no activity {id}.")))
    })
    .await?;
    Ok(see_other(&site.url(&format!("/activity/{id}?saved=sport"))))
}

// ---------------------------------------------------------------- pain

fn pain_table(entries: &[crate::pain::PainEntry], zone: crate::zone::Zone) -> Markup {
    html! {
        @if !entries.is_empty() {
            // On a phone each entry is a block (style.css, `table.stack`):
            // the date, then the rest labelled on a line, then the note.
            table.pain.stack {
                thead { tr { th { "When" } th { "Kind" } th { "Pain" } th { "Stiffness" } th { "Side" } th { "Note" } } }
                tbody {
                    @for e in entries {
                        tr data-pain-id=(e.id) {
                            td.when { (day_time(e.at_ms, zone)) }
                            td { (e.kind.as_str()) }
                            td.score data-label="pain" { (score(e.score)) }
                            td data-label="stiffness" { @if let Some(s) = e.stiffness_min { (format!("{s:.0}")) " min" } }
                            td { @if let Some(s) = e.side { (s.as_str()) } }
                            td.note { @if let Some(n) = &e.note { (n) } }
                        }
                    }
                }
            }
        }
    }
}

/// What the pain form sent, and what was wrong with it.
#[derive(Default)]
struct PainDraft {
    kind: Option<String>,
    side: Option<String>,
    stiffness: Option<String>,
    note: Option<String>,
    at: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
pub struct PainQuery {
    pub saved: Option<String>,
    pub visa: Option<String>,
}

pub async fn pain(
    site: Site,
    Extension(csrf): Extension<Csrf>,
    Query(q): Query<PainQuery>,
) -> Page {
    let saved = match (q.saved.as_deref(), q.visa.as_deref()) {
        (Some(s), _) => s
            .parse::<i64>()
            .ok()
            .map(|id| format!("Saved (entry {id}).")),
        (_, Some(v)) => v
            .parse::<f64>()
            .ok()
            .map(|v| format!("VISA-A saved: {v:.0}/100.")),
        _ => None,
    };
    pain_page(
        &site,
        &csrf,
        StatusCode::OK,
        None,
        saved,
        PainDraft::default(),
    )
    .await
}

async fn pain_page(
    site: &Site,
    csrf: &Csrf,
    status: StatusCode,
    error: Option<String>,
    saved: Option<String>,
    draft: PainDraft,
) -> Page {
    let opts = site.opts.clone();
    let now = now();
    let log = site
        .with_store(move |store| views::pain(store, &opts, crate::pain::LIST_DAYS, now))
        .await?;
    let off = site.opts.zone;
    let kind = draft
        .kind
        .clone()
        .unwrap_or_else(|| log.guessed_kind.as_str().to_string());
    let side = draft.side.clone().unwrap_or_default();
    let morning: Vec<(i64, f64)> = log
        .entries
        .iter()
        .filter(|e| e.kind == PainKind::Morning)
        .map(|e| (e.at_ms, e.score))
        .rev()
        .collect();
    let body = html! {
        h1 { @if site.read_only { "Pain log" } @else { "Log pain" } }
        (notice(error.as_deref(), saved.as_deref()))
        @if !site.read_only {
        form.pain-form method="post" action=(site.url("/pain")) {
            (csrf_field(&csrf.0))
            fieldset.kinds {
                legend { "When" }
                @for k in [PainKind::Morning, PainKind::During, PainKind::After] {
                    label.choice {
                        input type="radio" name="kind" value=(k.as_str()) checked[kind == k.as_str()];
                        " " (kind_label(k))
                    }
                }
            }
            details.more open[draft.stiffness.is_some() || draft.side.is_some() || draft.note.is_some() || draft.at.is_some()] {
                summary { "Stiffness, side, note, time" }
                (layout::stiffness_and_side(draft.stiffness.as_deref(), &side))
                label { "Note "
                    input #note type="text" name="note" maxlength="500" value=[draft.note.as_deref()];
                }
                label { "When (leave empty for now) "
                    input #at type="datetime-local" name="at" value=[draft.at.as_deref()];
                }
            }
            (layout::score_buttons("Pain: one tap logs it"))
        }
        }
        section {
            h2 { "Morning pain, last " (crate::pain::LIST_DAYS) " days" }
            (layout::svg(charts::trend_chart("pain-trend", "Morning pain", &morning, 10.0, off)))
        }
        section {
            h2 { "History" }
            @if log.entries.is_empty() { p { "Nothing logged in the last " (crate::pain::LIST_DAYS) " days." } }
            (pain_table(&log.entries, off))
            @if !log.watch.is_empty() {
                h3 { "From the watch (post-run effort and feel)" }
                ul {
                    @for w in &log.watch {
                        li { a href=(site.url(&format!("/activity/{}", w.activity_id))) { (day_time(w.at_ms, off)) }
                            @if let Some(r) = w.rpe { " · effort " (score(r)) "/10" }
                            @if let Some(f) = w.feel { " · feel " (score(f)) } }
                    }
                }
            }
        }
        section {
            h2 { "VISA-A" }
            p { "The VISA-A questionnaire scores your Achilles from 0 to 100 (higher is better). Once a week or two shows the trend." }
            @if let Some(last) = log.visa_a.last() {
                p { "Last: " strong { (format!("{:.0}", last.score)) "/100" } " on " (day(last.at_ms, off)) "." }
            }
            @if log.visa_a.len() > 1 {
                (layout::svg(charts::trend_chart("visa-a-trend", "VISA-A", &log.visa_a.iter().map(|v| (v.at_ms, v.score)).collect::<Vec<_>>(), 100.0, off)))
            }
            @if !site.read_only { p { a.button href=(site.url("/visa-a")) { "Fill in VISA-A" } } }
        }
    };
    let page = layout::page(&frame(site, "Pain", "/pain", csrf), body);
    Ok(respond(status, page))
}

fn kind_label(k: PainKind) -> &'static str {
    match k {
        PainKind::Morning => "this morning",
        PainKind::During => "during a run",
        PainKind::After => "after a run",
    }
}

/// The pain form's fields → a new entry, or what was wrong.
pub(super) fn parse_pain(
    f: &HashMap<String, String>,
    zone: &crate::zone::Zone,
    now: i64,
) -> Result<(NewPain, bool), String> {
    let score = match field(f, "score") {
        None => return Err("Choose a pain score from 0 to 10.".into()),
        Some(s) => pain::parse_score(s)?,
    };
    let kind = field(f, "kind")
        .filter(|k| *k != "auto")
        .map(PainKind::parse)
        .transpose()?;
    let stiffness_min = field(f, "stiffness")
        .map(pain::parse_stiffness)
        .transpose()?;
    let side = field(f, "side").map(Side::parse).transpose()?;
    let note = field(f, "note").map(str::to_string);
    if let Some(n) = &note {
        if n.chars().count() > 500 {
            return Err("The note is longer than 500 characters.".into());
        }
        if n.chars().any(|c| c.is_control()) {
            return Err("The note holds control characters; write plain text.".into());
        }
    }
    let at_ms = match field(f, "at") {
        None => now,
        Some(text) => {
            let at = crate::zone::parse_instant(text, zone, now)?;
            if at > now + pain::FUTURE_SLACK_MS {
                return Err(format!(
                    "{text} is in the future; log pain when it happened."
                ));
            }
            if at < now - 3650 * crate::zone::DAY_MS {
                return Err(format!("{text} is more than ten years ago."));
            }
            at
        }
    };
    Ok((
        NewPain {
            at_ms,
            score,
            kind: kind.unwrap_or(PainKind::Morning),
            stiffness_min,
            side,
            note,
        },
        kind.is_none(),
    ))
}

pub async fn log_pain(site: Site, Extension(csrf): Extension<Csrf>, form: RawForm) -> Page {
    let f = fields(&form)?;
    let now = now();
    let off = site.opts.zone;
    let (mut entry, guess) = match parse_pain(&f, &off, now) {
        Ok(parsed) => parsed,
        Err(message) => {
            let draft = PainDraft {
                kind: field(&f, "kind").map(str::to_string),
                side: field(&f, "side").map(str::to_string),
                stiffness: field(&f, "stiffness").map(str::to_string),
                note: field(&f, "note").map(str::to_string),
                at: field(&f, "at").map(str::to_string),
            };
            return pain_page(
                &site,
                &csrf,
                StatusCode::BAD_REQUEST,
                Some(message),
                None,
                draft,
            )
            .await;
        }
    };
    let opts = site.opts.clone();
    let id = site
        .with_store(move |store| {
            if guess {
                entry.kind = pain::guess_kind(
                    entry.at_ms,
                    off.offset_s_at(entry.at_ms),
                    store.last_run_end(entry.at_ms)?,
                );
            }
            let id = store.add_pain(&entry, now)?;
            crate::alerts::evaluate_pain(store, &opts.rules, opts.pain_limit, now)?;
            Ok(id)
        })
        .await?;
    Ok(see_other(&site.url(&format!("/pain?saved={id}"))))
}

// ---------------------------------------------------------------- VISA-A

const Q8_MINUTES: [&str; 5] = [
    "nil",
    "1–10 min",
    "11–20 min",
    "21–30 min",
    "more than 30 min",
];

fn q8_choices() -> Vec<(String, String)> {
    let parts: [(char, &str, [u8; 5]); 3] = [
        ('a', "no pain in sport", [0, 7, 14, 21, 30]),
        ('b', "pain that does not stop me", [0, 4, 10, 14, 20]),
        ('c', "pain that stops me", [0, 2, 5, 7, 10]),
    ];
    parts
        .iter()
        .flat_map(|(part, what, points)| {
            points.iter().zip(Q8_MINUTES).map(move |(p, minutes)| {
                (
                    format!("{part}:{p}"),
                    format!("{what}: I can train {minutes}"),
                )
            })
        })
        .collect()
}

pub async fn visa_a(site: Site, Extension(csrf): Extension<Csrf>) -> Page {
    Ok(visa_a_page(
        &site,
        &csrf,
        StatusCode::OK,
        None,
        &HashMap::new(),
    ))
}

fn visa_a_page(
    site: &Site,
    csrf: &Csrf,
    status: StatusCode,
    error: Option<&str>,
    sent: &HashMap<String, String>,
) -> Response {
    let body = html! {
        h1 { "VISA-A" }
        p { "Eight questions about your Achilles this week. 100 is a healthy tendon." }
        (notice(error, None))
        @if site.read_only { p { "Only the runner fills in their VISA-A; their scores are on the pain page." } }
        @if !site.read_only {
        form.visa-a method="post" action=(site.url("/visa-a")) {
            (csrf_field(&csrf.0))
            @for (i, q) in pain::VISA_A_QUESTIONS.iter().enumerate() {
                @let name = format!("q{}", i + 1);
                @let choices: Vec<u8> = if i == 6 { vec![0, 4, 7, 10] } else { (0..=10).collect() };
                label.question {
                    (q)
                    select name=(name) required {
                        option value="" { "choose" }
                        @for c in choices {
                            option value=(c) selected[sent.get(&name).map(String::as_str) == Some(c.to_string().as_str())] { (c) }
                        }
                    }
                }
            }
            label.question {
                "8. In sport: pain, and how long you can train"
                select name="q8" required {
                    option value="" { "choose" }
                    @for (value, label) in q8_choices() {
                        option value=(value) selected[sent.get("q8") == Some(&value)] { (label) }
                    }
                }
            }
            button type="submit" { "Save VISA-A" }
        }
        }
    };
    respond(
        status,
        layout::page(&frame(site, "VISA-A", "/pain", csrf), body),
    )
}

fn parse_visa_a(f: &HashMap<String, String>) -> Result<VisaA, String> {
    let mut q = [0u8; 7];
    for (i, slot) in q.iter_mut().enumerate() {
        let name = format!("q{}", i + 1);
        let text = field(f, &name).ok_or_else(|| format!("Question {} has no answer.", i + 1))?;
        *slot = text
            .parse::<u8>()
            .map_err(|_| format!("Question {}: '{text}' is not a number.", i + 1))?;
    }
    let q8 = field(f, "q8").ok_or("Question 8 has no answer.")?;
    let (part, points) = q8
        .split_once(':')
        .ok_or_else(|| format!("Question 8: '{q8}' is not one of the choices."))?;
    let mut chars = part.chars();
    let (Some(part), None) = (chars.next(), chars.next()) else {
        return Err(format!("Question 8: '{q8}' is not one of the choices."));
    };
    let answers = VisaA {
        q1_to_q7: q,
        q8_part: part,
        q8_points: points
            .parse::<u8>()
            .map_err(|_| format!("Question 8: '{q8}' is not one of the choices."))?,
    };
    answers.validate()?;
    Ok(answers)
}

pub async fn save_visa_a(site: Site, Extension(csrf): Extension<Csrf>, form: RawForm) -> Page {
    let f = fields(&form)?;
    let answers = match parse_visa_a(&f) {
        Ok(a) => a,
        Err(message) => {
            return Ok(visa_a_page(
                &site,
                &csrf,
                StatusCode::BAD_REQUEST,
                Some(&message),
                &f,
            ));
        }
    };
    let score = answers.score();
    let now = now();
    site.with_store(move |store| Ok(store.add_visa_a(now, &answers)?))
        .await?;
    Ok(see_other(&site.url(&format!("/pain?visa={score:.0}"))))
}

// ---------------------------------------------------------------- report

pub async fn report(
    site: Site,
    Extension(csrf): Extension<Csrf>,
    Query(q): Query<WeeksQuery>,
) -> Page {
    let weeks = weeks_of(&q, 12)?;
    let opts = site.opts.clone();
    let now = now();
    let r = site
        .with_store(move |store| views::report(store, &opts, weeks, now))
        .await?;
    // The chart draws each factor's effect beyond the others, in words.
    let label_of = |id: &str| {
        r.factors
            .iter()
            .find(|f| f.factor == id)
            .map(|f| f.label.as_str())
    };
    let bars: Vec<charts::FactorBar<'_>> = r
        .factors
        .iter()
        .map(|f| charts::FactorBar {
            factor: &f.label,
            effect: f.adjusted_effect,
            interval: f.adjusted_interval,
            against: f.compared_with.as_deref().and_then(label_of),
            verdict: f.verdict.as_str(),
        })
        .collect();
    let body = html! {
        h1 { "What was followed by pain" }
        p { "Last " (weeks) " weeks: " (r.runs) " runs, " (r.runs_with_outcome) " with a morning entry before and after." }
        p.summary { (r.summary) }
        p.muted { (r.adjustment) }
        p {
            @for w in [8, 12, 26, 52] { a.pill href=(site.url(&format!("/report?weeks={w}"))) { (w) " weeks" } " " }
        }
        @if !r.factors.is_empty() {
            (layout::svg(charts::factor_chart(&bars)))
            ul.factors {
                @for f in &r.factors {
                    li class=(format!("verdict-{}", f.verdict.as_str())) { strong { (f.label) } ": " (f.words) }
                }
            }
        }
        @for o in &r.other_pain {
            h2 { (o.label) }
            p.summary { (o.summary) }
            ul.factors {
                @for f in o.factors.iter().filter(|f| f.says_something()) {
                    li class=(format!("verdict-{}", f.verdict.as_str())) { strong { (f.label) } ": " (f.words) }
                }
            }
        }
        @if !r.tolerance.is_empty() {
            h2 { @if site.read_only { "Tolerance so far" } @else { "Your tolerance so far" } }
            p.muted { "Stop before it hurts." }
            ul { @for t in &r.tolerance { li { (t.words) } } }
        }
        @let parts: Vec<_> = r.part_of_day.iter().filter(|p| p.runs > 0).collect();
        @if !parts.is_empty() {
            h2 { "Time of day" }
            table {
                thead { tr { th { "Runs in the" } th { "Runs" } th { "Next morning" } } }
                tbody {
                    @for p in parts {
                        tr { td { (p.part.as_str()) } td { (p.runs) }
                             td { @match p.mean_change { Some(c) => (format!("{c:+.1}")), None => "–" } } }
                    }
                }
            }
        }
    };
    Ok(layout::page(&frame(&site, "Report", "/report", &csrf), body).into_response())
}

// ---------------------------------------------------------------- alerts

pub async fn alerts(
    site: Site,
    Extension(csrf): Extension<Csrf>,
    Query(q): Query<AlertQuery>,
) -> Page {
    let filter = q.filter()?;
    let (list, history) = site
        .with_store(move |store| Ok((views::alerts(store, &filter)?, store.history_alert_count()?)))
        .await?;
    let off = site.opts.zone;
    let state_now = filter.state.as_str();
    let kind_now = filter.kind.map_or("", |k| k.as_str());
    let sev_now = filter.severity.map_or("", |s| s.as_str());
    let body = html! {
        h1 { "Alerts" }
        form.filter method="get" action=(site.url("/alerts")) {
            label { "Show "
                select name="state" {
                    @for s in AlertState::NAMES { option value=(s) selected[state_now == s] { (s) } }
                }
            }
            label { "Rule "
                select name="kind" {
                    option value="" { "any" }
                    @for k in crate::finding::RuleId::ALL {
                        option value=(k.as_str()) selected[kind_now == k.as_str()] { (k.as_str().replace('_', " ")) }
                    }
                }
            }
            label { "Severity "
                select name="severity" {
                    option value="" { "any" }
                    @for s in ["info", "warn", "high"] { option value=(s) selected[sev_now == s] { (s) } }
                }
            }
            button type="submit" { "Filter" }
        }
        @let open = list.iter().filter(|a| a.state() == AlertState::Open).count();
        p { (list.len()) @if list.len() == 1 { " alert" } @else { " alerts" } }
        @if filter.state == AlertState::Open { (history_link(&site, history)) }
        (bulk_ack(&site, &csrf, open))
        @for a in &list { (alert_card(a, forms(&site, &csrf), off, Some(&site.base), true)) }
    };
    Ok(layout::page(&frame(&site, "Alerts", "/alerts", &csrf), body).into_response())
}

pub async fn acknowledge(site: Site, Path(id): Path<String>, headers: HeaderMap) -> Page {
    let id = id_of(&id, "alert")?;
    let now = now();
    let done = site
        .with_store(move |store| Ok(store.acknowledge_alert(id, now)?))
        .await?;
    if !done {
        return Err(WebError::NotFound(format!(
            "Alert {id} is not open: it was acknowledged already, or there is no such alert."
        )));
    }
    // Back to the page the button was on, when it is one of ours.
    let back = headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| r.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| rest.find('/').map(|i| &rest[i..]))
        .filter(|p| p.starts_with('/') && !p.starts_with("//") && !p.contains('\\'))
        .map(str::to_string)
        .unwrap_or_else(|| site.url("/alerts"));
    Ok(see_other(&back))
}

/// The form the cards' checkboxes belong to (`form="bulk-ack"`):
/// acknowledge the ticked ones, or every open one. Nothing when there is
/// nothing open or the viewer may not write.
fn bulk_ack(site: &Site, csrf: &Csrf, open: usize) -> Markup {
    html! {
        @if let (Some(token), true) = (forms(site, csrf), open > 0) {
            form #bulk-ack .bulk-ack method="post" action=(site.url("/alerts/ack")) {
                (csrf_field(token))
                button type="submit" name="selected" value="1" { "Acknowledge selected" }
                " "
                button type="submit" name="all" value="1" { "Acknowledge all open (" (open) ")" }
            }
        }
    }
}

/// Where the alerts kept as history are, when there are any.
fn history_link(site: &Site, history: usize) -> Markup {
    html! {
        @if history > 0 {
            p.muted { a href=(site.url("/alerts?state=history")) { (history) " older alerts kept as history" }
                ": raised about runs before the last few days, never pushed." }
        }
    }
}

/// `POST /alerts/ack`: the alerts ticked (`id`, repeated), or every open
/// one (`all`), in one transaction; an id that is not an unacknowledged
/// alert refuses the whole set.
pub async fn acknowledge_many(site: Site, form: RawForm) -> Page {
    let pairs = pairs(&form)?;
    let all = pairs.iter().any(|(k, v)| k == "all" && !v.is_empty());
    let ids: Vec<i64> = pairs
        .iter()
        .filter(|(k, _)| k == "id")
        .map(|(_, v)| id_of(v, "alert"))
        .collect::<Result<_, _>>()?;
    if !all && ids.is_empty() {
        return Err(WebError::BadRequest(
            "Tick the alerts to acknowledge, or choose Acknowledge all open.".into(),
        ));
    }
    let now = now();
    let refused = site
        .with_store(move |store| {
            Ok(if all {
                store.acknowledge_open_alerts(now)?;
                Vec::new()
            } else {
                store.acknowledge_alerts(&ids, now)?
            })
        })
        .await?;
    if let Some(id) = refused.first() {
        return Err(WebError::NotFound(format!(
            "Alert {id} is not open: it was acknowledged already, or there is no such alert. Nothing was acknowledged."
        )));
    }
    Ok(see_other(&site.url("/alerts")))
}

// ---------------------------------------------------------------- login

pub async fn login_form(State(state): State<AppState>, Extension(csrf): Extension<Csrf>) -> Page {
    Ok(login_page(&state, &csrf, StatusCode::OK, None))
}

fn login_page(state: &AppState, csrf: &Csrf, status: StatusCode, error: Option<&str>) -> Response {
    let household = state.is_household();
    let body = html! {
        h1 { "Log in" }
        @if !state.needs_login {
            p { "This dashboard has no password: it answers this machine only." }
            p { a href="/" { "Go to the dashboard" } }
        } @else {
            (notice(error, None))
            form.login method="post" action="/login" {
                (csrf_field(&csrf.0))
                @if household {
                    label { "Name "
                        input #name type="text" name="name" autocomplete="username" autocapitalize="none" required autofocus;
                    }
                    label { "Password "
                        input #password type="password" name="password" autocomplete="current-password" required;
                    }
                } @else {
                    label { "Password "
                        input #password type="password" name="password" autocomplete="current-password" required autofocus;
                    }
                }
                button type="submit" { "Log in" }
            }
        }
    };
    let f = Frame {
        title: "Log in",
        nav: "",
        csrf: &csrf.0,
        logout: false,
        base: "",
        viewing: None,
    };
    respond(status, layout::page(&f, body))
}

pub async fn login(
    State(state): State<AppState>,
    Extension(csrf): Extension<Csrf>,
    form: RawForm,
) -> Page {
    let f = fields(&form)?;
    let name = if state.is_household() {
        f.get("name")
            .map(|n| n.trim().to_string())
            .unwrap_or_default()
    } else {
        String::new()
    };
    let password = f.get("password").cloned().unwrap_or_default();
    let account = if password.is_empty() || password.len() > 1024 || name.len() > 64 {
        None
    } else {
        security::attempt_login(&state, name, password).await
    };
    let Some(account) = account else {
        let wrong = if state.is_household() {
            "Wrong name or password."
        } else {
            "Wrong password."
        };
        return Ok(login_page(
            &state,
            &csrf,
            StatusCode::UNAUTHORIZED,
            Some(wrong),
        ));
    };
    let token = security::start_session(&state, account).await?;
    let max_age = i64::from(state.session_days) * 86_400;
    let mut response = see_other("/");
    response.headers_mut().append(
        header::SET_COOKIE,
        security::set_cookie(SESSION_COOKIE, &token, max_age),
    );
    Ok(response)
}

pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Page {
    security::end_session(&state, &headers).await?;
    let mut response = see_other("/login");
    response.headers_mut().append(
        header::SET_COOKIE,
        security::set_cookie(SESSION_COOKIE, "", 0),
    );
    Ok(response)
}

// ---------------------------------------------------------------- a coach's athletes

/// Athletes on one page of a coach's overview: a club's hundreds are
/// paged (each card reads that athlete's store).
const ATHLETES_PER_PAGE: usize = 50;

/// `?page=N` of the coach's overview.
#[derive(Debug, serde::Deserialize)]
pub struct AthletesQuery {
    pub page: Option<String>,
}

/// A coach's overview: for each athlete, this week against their usual
/// week, open alerts and the last morning pain, with a link to their pages.
pub async fn athletes(
    State(state): State<AppState>,
    account: Option<Extension<Account>>,
    Extension(csrf): Extension<Csrf>,
    Query(q): Query<AthletesQuery>,
) -> Page {
    let Some(Extension(Account::Coach(coach))) = account else {
        return Err(WebError::NotFound("There is no such page.".into()));
    };
    let now = now();
    let all = state.coached(&coach);
    let pages = all.len().div_ceil(ATHLETES_PER_PAGE).max(1);
    let page = views::page_param(q.page.as_deref())?.min(pages);
    let first = (page - 1) * ATHLETES_PER_PAGE;
    // Each athlete's status from their own store, a few at once on the
    // blocking pool, in the config's order.
    let tasks: Vec<_> = all
        .iter()
        .skip(first)
        .take(ATHLETES_PER_PAGE)
        .filter_map(|name| state.site(name, &Account::Coach(coach.clone())))
        .map(|site| {
            tokio::spawn(async move {
                let opts = site.opts.clone();
                match site
                    .with_store(move |store| views::status(store, &opts, now))
                    .await
                {
                    Ok(s) => Ok((site, s)),
                    Err(e) => Err((site, e)),
                }
            })
        })
        .collect();
    // One athlete's store that cannot be read is said on their card; the
    // others are shown.
    let mut rows = Vec::with_capacity(tasks.len());
    let mut unreadable = Vec::new();
    for task in tasks {
        match task
            .await
            .map_err(|e| WebError::Internal(format!("an athlete's status: {e}")))?
        {
            Ok(row) => rows.push(row),
            Err((site, e)) => {
                if let WebError::Internal(detail) = &e {
                    tracing::error!("web: {detail}");
                }
                unreadable.push(site);
            }
        }
    }
    let body = html! {
        h1 { "Your athletes" }
        p { "Read-only: each runner logs their own pain and answers their own alerts." }
        div.cards {
            @for (site, s) in &rows {
                @let name = site.runner.as_deref().unwrap_or("");
                @let b = &s.baseline;
                section.card.athlete data-runner=(name) {
                    h2 { a href=(site.url("/")) { (name) } }
                    p.week {
                        "Last 7 days: " strong { (km(b.last_7d_m)) }
                        @if let Some(ratio) = s.week_ratio {
                            " · " (format!("{:.0} %", ratio * 100.0)) " of their usual " (km(b.weekly_m))
                        } @else if b.learning.learning {
                            " · baseline still learning"
                        }
                    }
                    p.alerts {
                        @match s.open_alerts.len() {
                            0 => "No open alerts",
                            1 => a href=(site.url("/alerts")) { "1 open alert" },
                            n => a href=(site.url("/alerts")) { (n) " open alerts" },
                        }
                    }
                    p.morning {
                        "Last morning pain: "
                        @match &s.last_morning_pain {
                            Some(p) => { strong { (score(p.score)) "/10" } " (" (day(p.at_ms, site.opts.zone)) ")" }
                            None => "none logged",
                        }
                    }
                }
            }
        }
        @for site in &unreadable {
            section.card.athlete data-runner=(site.runner.as_deref().unwrap_or("")) {
                h2 { (site.runner.as_deref().unwrap_or("")) }
                p.alerts { "Their data cannot be read now; the server's log says why." }
            }
        }
        @if rows.is_empty() && unreadable.is_empty() { p { "No runner is given to you in the config." } }
        @if pages > 1 {
            p.pager {
                @if page > 1 { a href=(format!("/athletes?page={}", page - 1)) { "← Previous" } " " }
                "Athletes " (first + 1) "–" ((first + ATHLETES_PER_PAGE).min(all.len())) " of " (all.len())
                @if page < pages { " " a href=(format!("/athletes?page={}", page + 1)) { "Next →" } }
            }
        }
    };
    let f = Frame {
        title: "Athletes",
        nav: "",
        csrf: &csrf.0,
        logout: true,
        base: "",
        viewing: None,
    };
    Ok(layout::page(&f, body).into_response())
}

// ---------------------------------------------------------------- the rest

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        layout::STYLE,
    )
        .into_response()
}

pub async fn not_found() -> WebError {
    WebError::NotFound("There is no such page.".into())
}
