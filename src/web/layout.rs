//! The page frame (header, navigation, stylesheet) and small formatters.

use crate::store::alerts::AlertState;
use crate::zone::Zone;
use axum::http::StatusCode;
use axum::response::Html;
use maud::{DOCTYPE, Markup, PreEscaped, html};

/// The stylesheet, served from `/static/style.css` (no CDN, no web fonts).
pub const STYLE: &str = include_str!("style.css");

const NAV: [(&str, &str); 5] = [
    ("/", "Status"),
    ("/activities", "Runs"),
    ("/pain", "Pain"),
    ("/report", "Report"),
    ("/alerts", "Alerts"),
];

/// What the frame needs to know about the visitor.
pub struct Frame<'a> {
    pub title: &'a str,
    /// The navigation entry to highlight.
    pub nav: &'a str,
    pub csrf: &'a str,
    /// Show "log out" (a password is configured).
    pub logout: bool,
    /// What the runner's links start with ("" or "/r/NAME").
    pub base: &'a str,
    /// A coach reading this runner's pages: their name, for the banner.
    pub viewing: Option<&'a str>,
}

pub fn page(f: &Frame<'_>, body: Markup) -> Html<String> {
    Html(
        html! {
            (DOCTYPE)
            html lang="en" {
                (head(f.title))
                body {
                    header.top {
                        a.brand href=(format!("{}/", f.base)) { "tendonwatch" }
                        @if !f.nav.is_empty() { nav {
                            @for (href, label) in NAV {
                                a href=(format!("{}{href}", f.base)) class=[(f.nav == href).then_some("here")] { (label) }
                            }
                        } }
                        @if f.logout {
                            form.logout method="post" action="/logout" {
                                (csrf_field(f.csrf))
                                button.link type="submit" { "Log out" }
                            }
                        }
                    }
                    @if let Some(runner) = f.viewing {
                        p.viewing role="status" {
                            "Viewing " strong { (runner) } " (read-only) · " a href="/athletes" { "All athletes" }
                        }
                    }
                    main { (body) }
                    @if f.nav.is_empty() {
                    } @else if f.viewing.is_some() {
                        footer { a href=(format!("{}/export.zip", f.base)) download { "Download " (f.viewing.unwrap_or("")) "'s data (.zip)" } }
                    } @else {
                        footer { a href=(format!("{}/export.zip", f.base)) download { "Download all your data (.zip)" } }
                    }
                }
            }
        }
        .into_string(),
    )
}

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            meta name="color-scheme" content="light dark";
            title { (title) " · tendonwatch" }
            link rel="stylesheet" href="/static/style.css";
        }
    }
}

pub fn csrf_field(token: &str) -> Markup {
    html! { input type="hidden" name=(super::security::CSRF_FIELD) value=(token); }
}

/// A page without the frame: no navigation, no link anywhere but what
/// `body` holds (an error, a refusal, the check-in page).
pub fn bare_page(title: &str, body: Markup) -> Html<String> {
    Html(
        html! {
            (DOCTYPE)
            html lang="en" {
                (head(title))
                body { main { (body) } }
            }
        }
        .into_string(),
    )
}

/// A page for an error, without navigation (it may be a refusal).
pub fn error_page(status: StatusCode, message: &str) -> Html<String> {
    bare_page(
        &status.as_u16().to_string(),
        html! {
            h1 { (status.canonical_reason().unwrap_or("Error")) }
            p.error role="alert" { (message) }
            p { a href="/" { "Back to the dashboard" } }
        },
    )
}

/// 0–10 as big buttons, each submitting its form with its score
/// (`score=N`): one tap logs the entry. The pain page, the status page's
/// morning question and the check-in page all draw these.
pub fn score_buttons(legend: &str) -> Markup {
    html! {
        fieldset.scores {
            legend { (legend) }
            p.hint { "Achilles pain from 0 (none) to 10 (worst ever)." }
            @for n in 0..=10 {
                button type="submit" name="score" value=(n) class=(format!("score s{n}")) { (n) }
            }
        }
    }
}

/// The optional fields of a morning entry: stiffness minutes and side
/// (`side` is the one checked, "" for not said).
pub fn stiffness_and_side(stiffness: Option<&str>, side: &str) -> Markup {
    html! {
        label { "Morning stiffness (minutes) "
            input #stiffness type="number" name="stiffness" min="0" max="1440" step="1" inputmode="numeric" value=[stiffness];
        }
        fieldset.sides {
            legend { "Side" }
            @for (value, label) in [("", "not said"), ("left", "left"), ("right", "right"), ("both", "both")] {
                label.choice {
                    input type="radio" name="side" value=(value) checked[side == value];
                    " " (label)
                }
            }
        }
    }
}

/// The morning question as one form: the optional fields folded away,
/// then the score buttons. `action` None posts back to the page's own
/// address (the check-in link); `csrf` None for a form the capability in
/// the address authorises.
pub fn morning_form(action: Option<&str>, csrf: Option<&str>) -> Markup {
    html! {
        form.pain-form.morning method="post" action=[action] {
            @if let Some(token) = csrf { (csrf_field(token)) }
            details.more {
                summary { "Stiffness and side (optional)" }
                (stiffness_and_side(None, ""))
            }
            (score_buttons("Pain: one tap answers"))
        }
    }
}

/// A message box above a form: what was wrong, or what was saved.
pub fn notice(error: Option<&str>, saved: Option<&str>) -> Markup {
    html! {
        @if let Some(e) = error { p.error role="alert" { (e) } }
        @if let Some(s) = saved { p.saved role="status" { (s) } }
    }
}

/// An SVG string from `charts`, placed as is (charts escape their text).
pub fn svg(markup: String) -> Markup {
    PreEscaped(markup)
}

pub fn km(m: f64) -> String {
    // `+ 0.0` turns a -0.0 into 0.0.
    let km = m.max(0.0) / 1000.0 + 0.0;
    if km >= 10.0 {
        format!("{km:.0} km")
    } else {
        format!("{km:.1} km")
    }
}

pub fn pace(s_per_km: Option<f64>) -> String {
    s_per_km
        .map(crate::units::pace)
        .unwrap_or_else(|| "–".into())
}

/// A UTC instant in the runner's local time.
/// An instant on a page: in the runner's zone at that instant, or at a
/// run's own recorded offset (an `i32`).
pub fn local(ms: i64, zone: impl Into<Zone>, format: &str) -> String {
    crate::zone::format_local(ms, &zone.into(), format)
}

pub fn day_time(ms: i64, zone: impl Into<Zone>) -> String {
    local(ms, zone, "%a %-d %b %Y, %H:%M")
}

pub fn day(ms: i64, zone: impl Into<Zone>) -> String {
    local(ms, zone, "%a %-d %b %Y")
}

pub fn score(s: f64) -> String {
    crate::pain::score_text(s)
}

/// One alert as a card: what changed, what to do, the source, and an
/// acknowledge button while it is open.
/// `csrf` is `None` on a read-only view: no acknowledge button. `base`
/// starts the run's link; None (a page outside the dashboard) draws no
/// link and no state. `selectable`: a checkbox for the page's "Acknowledge
/// selected" form (`#bulk-ack`).
pub fn alert_card(
    a: &crate::store::alerts::Alert,
    csrf: Option<&str>,
    zone: Zone,
    base: Option<&str>,
    selectable: bool,
) -> Markup {
    html! {
        article id=(format!("alert-{}", a.id)) class=(format!("alert sev-{}", a.severity)) data-alert-id=(a.id) {
            h3 {
                span.kind { (a.kind.replace('_', " ")) }
                " "
                span.sev { (a.severity) }
                @if let (Some(id), Some(base)) = (a.activity_id, base) {
                    " · " a href=(format!("{base}/activity/{id}")) { "the run" }
                }
            }
            p.when { (day(a.window_end_ms, zone)) }
            // A multi-part alert reads as lines (escaped like any text).
            p.changed {
                @for (i, line) in a.what_changed.lines().enumerate() {
                    @if i > 0 { br; }
                    (line)
                }
            }
            // The words are shared with the terminal, where commands are in
            // backticks; here they read as plain text.
            p.todo { strong { "What to do: " } (a.what_to_do.replace('`', "")) }
            details { summary { "Source" } p.source { (a.source) } }
            // Outside the dashboard (no `base`), its states mean nothing.
            @match (a.state(), a.acknowledged_ms, csrf) {
                _ if base.is_none() => {}
                (_, Some(at), _) => p.acked { "Acknowledged " (day(at, zone)) }
                (AlertState::History, ..) => p.acked { "History: raised about a run older than a few days, never pushed" }
                (_, None, None) => p.acked { "Open" }
                (_, None, Some(csrf)) => div.ack-row {
                    // Ticked for "Acknowledge selected" (the form above the list).
                    @if selectable {
                        label.pick { input type="checkbox" form="bulk-ack" name="id" value=(a.id); " select" }
                    }
                    form.ack method="post" action=(format!("{}/alerts/{}/ack", base.unwrap_or_default(), a.id)) {
                        (csrf_field(csrf))
                        button type="submit" { "Acknowledge" }
                    }
                }
            }
        }
    }
}
