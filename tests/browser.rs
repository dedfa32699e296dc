//! Browser tests of the dashboard in real headless Chromium (Debian chromium +
//! chromium-driver, driven over WebDriver).
//!
//! A smoke test of the WebDriver client on a page of its own, then the
//! dashboard as a runner uses it: `tendonwatch serve` on a seeded store, one
//! server and one browser per test (two for the phone and desktop sweep).
//! Last, a household's dashboard on a phone (issue 13, point 3): a runner
//! logs in and logs pain into her own store, another runner's address is a
//! missing page, and a coach reads an overview and an athlete's pages
//! without a single form but "log out". And a run's charts (issue 21,
//! point 2): real FIT, GPX and TCX files of two producers or more each,
//! every series the file records drawn as a line of many points on a phone.
//!
//! And the morning check-in (issue 23, point 6): the pushed link opened on
//! a phone, one tap on a score, the verdict on the page it lands on.
//!
//! `scripts/test` installs both packages when they are missing. Screenshots
//! land in `target/test-artifacts/screenshots/`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "util/chart_season.rs"]
mod chart_season;
#[path = "util/charted_runs.rs"]
mod charted_runs;
#[path = "util/checkin.rs"]
mod checkin;
#[path = "util/dashboard.rs"]
mod dashboard;
#[path = "util/household.rs"]
mod household;
mod util;
#[path = "util/webdriver.rs"]
mod webdriver;

use charted_runs::{RECORDINGS, Recording};
use dashboard::{Server, config_with_password, seed_season};
use household::{ANN_PASSWORD, Household, KIM_PASSWORD};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::Duration;
use util::Tw;
use webdriver::{Browser, Element};

const FORM_PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>WebDriver smoke</title>
<style>
  body { font-family: sans-serif; margin: 1rem; background: #f4f7f4; }
  h1 { color: #1d5c3a; font-size: 1.4rem; }
  label, input, select, button { display: block; width: 100%; box-sizing: border-box; }
  input, select { font-size: 1rem; padding: .5rem; margin: .25rem 0 1rem; }
  button { font-size: 1.1rem; padding: .75rem; background: #1d5c3a; color: white; border: 0; }
</style>
</head>
<body>
<h1>How did the run feel?</h1>
<form method="post" action="/submit">
  <label for="note">Note</label>
  <input id="note" name="note" type="text" autocomplete="off">
  <label for="feel">Achilles</label>
  <select id="feel" name="feel">
    <option value="sore">Sore</option>
    <option value="ok" selected>OK</option>
    <option value="good">Good</option>
  </select>
  <button type="submit">Save</button>
</form>
</body>
</html>
"#;

/// Serves the form page on a fresh loopback port until the test process
/// ends; returns its base URL. One thread per connection, because Chromium
/// opens speculative connections that may never send a request.
fn serve_form() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            thread::spawn(move || {
                let _ = answer(stream);
            });
        }
    });
    base
}

/// Answers one request: `GET /` is the form, `POST /submit` echoes the form.
fn answer(stream: TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line)? == 0 {
        return Ok(());
    }
    let mut content_length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header)?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            content_length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; content_length];
    reader.read_exact(&mut body)?;

    let mut parts = request_line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let (status, page) = match (method, path) {
        ("GET", "/") => ("200 OK", FORM_PAGE.to_owned()),
        ("POST", "/submit") => {
            let form = String::from_utf8_lossy(&body);
            let field = |name: &str| {
                form.split('&')
                    .filter_map(|pair| pair.split_once('='))
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| html_escape(&url_decode(value)))
                    .unwrap_or_default()
            };
            let page = format!(
                "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
                 <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
                 <title>Saved</title></head><body style=\"font-family: sans-serif\">\
                 <h1>Saved</h1><p id=\"result\">You sent: {} ({})</p></body></html>",
                field("note"),
                field("feel")
            );
            ("200 OK", page)
        }
        _ => ("404 Not Found", "not found".to_owned()),
    };
    let mut stream = reader.into_inner();
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{page}",
        page.len()
    )?;
    stream.flush()
}

/// Decodes an `application/x-www-form-urlencoded` value.
fn url_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[test]
fn webdriver_drives_a_real_chromium_on_a_phone_viewport() {
    let base = serve_form();
    let browser = Browser::phone();

    browser.goto(&format!("{base}/"));
    assert_eq!(browser.title(), "WebDriver smoke");
    assert_eq!(browser.execute("return window.innerWidth", &[]), json!(390));
    assert_eq!(
        browser.execute("return window.innerHeight", &[]),
        json!(844)
    );
    assert_eq!(
        browser.execute("return window.devicePixelRatio", &[]),
        json!(3)
    );
    let agent = browser.execute("return navigator.userAgent", &[]);
    assert!(agent.as_str().unwrap().contains("Mobile"), "{agent}");
    assert!(browser.try_find("#result").is_none());
    assert_eq!(browser.find_all("option").len(), 3);

    let note = browser.find("input[name=note]");
    note.send_keys("typo");
    note.clear();
    note.send_keys("easy 8 km & calf <fine>");
    assert_eq!(note.attr("id").as_deref(), Some("note"));
    assert_eq!(note.property("value"), json!("easy 8 km & calf <fine>"));
    let feel = browser.find("select[name=feel]");
    feel.select_option_by_value("good");
    assert!(feel.find("option[value=good]").is_selected());
    assert!(!feel.find("option[value=ok]").is_selected());

    browser.find("button[type=submit]").click();
    browser.wait_until(Duration::from_secs(15), |b| {
        b.current_url().ends_with("/submit") && b.try_find("#result").is_some()
    });
    assert_eq!(browser.title(), "Saved");
    assert_eq!(
        browser.find("#result").text(),
        "You sent: easy 8 km & calf <fine> (good)"
    );
    assert!(browser.page_source().contains("&lt;fine&gt;"));
    assert!(browser.cookies().is_empty());

    let shot = browser.screenshot("webdriver-smoke");
    let png = std::fs::read(&shot).unwrap();
    // A phone screenshot is in device pixels: 390×844 at ratio 3.
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert_eq!((width, height), (1170, 2532), "{}", shot.display());
}

// ------------------------------------------------------------ the dashboard

/// How long a page may take to appear after a click.
const WAIT: Duration = Duration::from_secs(15);

/// A seeded store and `tendonwatch serve` on it (loopback, no password).
fn seeded() -> (Tw, Server) {
    let tw = Tw::new();
    seed_season(&tw);
    let server = Server::start(&tw, None);
    (tw, server)
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The path and query of the page the browser shows (`/pain?saved=3`).
#[track_caller]
fn path_of(b: &Browser) -> String {
    let url = b.current_url();
    url.split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_string()))
        .unwrap_or(url)
}

/// Marks the document on screen, so that [`wait_for_new_page`] can tell
/// when a click has replaced it (a redirect may land on the same URL).
#[track_caller]
fn mark_page(b: &Browser) {
    b.execute("window.twOldPage = true;", &[]);
}

/// Waits until the marked document is gone and its successor has loaded.
#[track_caller]
fn wait_for_new_page(b: &Browser) {
    b.wait_until(WAIT, |b| {
        b.execute(
            "return window.twOldPage !== true && document.readyState === 'complete';",
            &[],
        ) == json!(true)
    });
}

/// Clicks `element` (a submit button) and waits for the page it leads to;
/// panics with the server's words when it refused the form as a forgery.
#[track_caller]
fn submit_with(b: &Browser, element: &Element<'_>) {
    mark_page(b);
    element.click();
    wait_for_new_page(b);
    if http_status(b) == 403 {
        let said = b.try_find("p.error").map(|e| e.text()).unwrap_or_default();
        panic!(
            "the dashboard refused the form sent by Chromium (403 on {}): {said:?}\n\
             (Under `Referrer-Policy: no-referrer` a browser sends `Origin: null` with \
             every form post: the Origin check must not refuse that, or the pages must \
             use a policy such as `same-origin`.)",
            path_of(b)
        );
    }
}

/// The HTTP status of the page's own (last) response, from the Navigation
/// Timing entry: the final answer after any redirect.
#[track_caller]
fn http_status(b: &Browser) -> u64 {
    let status = b.execute(
        "const nav = performance.getEntriesByType('navigation')[0];
         return nav ? nav.responseStatus : null;",
        &[],
    );
    status
        .as_u64()
        .unwrap_or_else(|| panic!("no navigation status on {}: {status}", path_of(b)))
}

/// The page's text content (what a JSON answer shows as).
#[track_caller]
fn body_text(b: &Browser) -> String {
    let text = b.execute(
        "const pre = document.querySelector('body > pre');
         return (pre || document.body).textContent;",
        &[],
    );
    text.as_str().unwrap_or_default().to_owned()
}

/// The page as JSON (a `/api/…` address opened in the browser).
#[track_caller]
fn body_json(b: &Browser) -> Value {
    let text = body_text(b);
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} does not show JSON ({e}): {text:.500}", path_of(b)))
}

/// Panics unless the document is at most as wide as the screen, naming the
/// elements that stick out. The limit is the viewport asked for: a phone
/// zooms out of a page wider than the screen, which makes `innerWidth`
/// grow with the page.
#[track_caller]
fn assert_no_horizontal_scroll(b: &Browser) {
    let screen = b.viewport().0;
    let found = b.execute(
        r#"const limit = Math.min(arguments[0], window.innerWidth,
                                  document.documentElement.clientWidth);
        const doc = document.documentElement;
        const wide = [];
        if (doc.scrollWidth > limit) {
          for (const el of document.body.querySelectorAll('*')) {
            const r = el.getBoundingClientRect();
            if (r.right + window.scrollX > limit + 0.5) {
              const cls = (el.getAttribute('class') || '').trim().split(/\s+/).filter(Boolean);
              wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                + cls.map(c => '.' + c).join('') + ' (right edge '
                + Math.round(r.right + window.scrollX) + ')');
            }
          }
        }
        return {scroll: doc.scrollWidth, limit: limit, inner: window.innerWidth,
                wide: wide.slice(0, 12)};"#,
        &[json!(screen)],
    );
    let (scroll, limit) = (found["scroll"].as_f64(), found["limit"].as_f64());
    assert!(
        matches!((scroll, limit), (Some(s), Some(l)) if s <= l),
        "{} scrolls sideways: the document is {} px wide on a {} px wide screen \
         (innerWidth {}); sticking out: {}",
        path_of(b),
        found["scroll"],
        found["limit"],
        found["inner"],
        found["wide"]
    );
}

/// Scrolls `element` to the middle of the viewport (before a screenshot).
#[track_caller]
fn scroll_to(b: &Browser, element: &Element<'_>) {
    b.execute(
        "arguments[0].scrollIntoView({block: 'center', inline: 'nearest'});",
        &[element.as_arg()],
    );
}

/// The ids of the open alerts, from `GET /api/alerts` (over plain HTTP).
fn open_alert_ids(server: &Server) -> Vec<i64> {
    let r = server.get("/api/alerts", None);
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
        .as_array()
        .unwrap_or_else(|| panic!("/api/alerts is not a list: {}", r.body))
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect()
}

/// The id of the newest activity, from `GET /api/activities`.
fn newest_activity_id(server: &Server) -> i64 {
    let r = server.get("/api/activities", None);
    assert_eq!(r.status, 200, "{}", r.body);
    let list = r.json();
    list["activities"][0]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no activity in {list}"))
}

/// A dashboard page as it must be on any screen: answered 200, inside the
/// frame (a `main`), no error message, the stylesheet applied, every chart
/// drawn with a size, and (on the phone) nothing wider than the screen.
#[track_caller]
fn assert_page_renders(b: &Browser, what: &str, phone: bool) {
    assert_eq!(http_status(b), 200, "{what}: {}", path_of(b));
    assert!(b.try_find("main").is_some(), "{what}: no <main>");
    if let Some(error) = b.try_find("p.error") {
        panic!("{what} shows an error: {}", error.text());
    }
    let style = b.execute(
        "const s = getComputedStyle(document.body);
         return {margin: s.margin, font: s.fontFamily, sheets: document.styleSheets.length};",
        &[],
    );
    assert_eq!(
        style["margin"], "0px",
        "{what}: the stylesheet is not applied: {style}"
    );
    assert!(
        style["font"].as_str().unwrap_or("").contains("system-ui"),
        "{what}: {style}"
    );
    // Each chart is drawn for a phone and for a wider screen: one of the
    // two is shown.
    let charts = b.execute(
        "return [...document.querySelectorAll('div.chart-box')].map(box => {
           const shown = [...box.querySelectorAll('svg.chart')]
             .filter(svg => getComputedStyle(svg).display !== 'none');
           const r = (shown[0] || box).getBoundingClientRect();
           return {class: shown.map(svg => svg.getAttribute('class')).join(' + '),
                   shown: shown.length, width: r.width, height: r.height, right: r.right};
         });",
        &[],
    );
    let inner = b
        .execute("return window.innerWidth;", &[])
        .as_f64()
        .unwrap();
    for chart in charts.as_array().unwrap() {
        let (w, h) = (
            chart["width"].as_f64().unwrap(),
            chart["height"].as_f64().unwrap(),
        );
        assert_eq!(chart["shown"], 1, "{what}: {chart}");
        assert!(w > 0.0 && h > 0.0, "{what}: a chart is not drawn: {chart}");
        assert!(
            chart["right"].as_f64().unwrap() <= inner + 0.5,
            "{what}: a chart is wider than the screen: {chart}"
        );
    }
    if phone {
        assert_no_horizontal_scroll(b);
    }
}

/// The cells of a table row, as rendered text.
#[track_caller]
fn cells(row: &Element<'_>) -> Vec<String> {
    row.find_all("td").iter().map(Element::text).collect()
}

#[test]
fn a_runner_logs_morning_pain_on_a_phone_and_sees_it_on_the_chart() {
    const NOTE: &str = "stiff on the stairs & calf <tight>";
    let (_tw, server) = seeded();
    let b = Browser::phone();

    b.goto(&server.url("/pain"));
    assert_page_renders(&b, "the pain page", true);
    let morning = b.find("input[name=kind][value=morning]");
    morning.click();
    assert!(morning.is_selected());
    let details = b.find("details.more");
    assert_eq!(
        details.property("open"),
        json!(false),
        "the extras start folded"
    );
    assert!(!b.find("#stiffness").is_displayed());
    details.find("summary").click();
    assert_eq!(details.property("open"), json!(true));
    b.find("#stiffness").send_keys("25");
    b.find("#note").send_keys(NOTE);
    assert_eq!(b.find("#stiffness").property("value"), json!("25"));
    assert_eq!(b.find("#note").property("value"), json!(NOTE));
    assert_no_horizontal_scroll(&b);
    let six = b.find("button.score[value='6']");
    assert_eq!(six.text(), "6");
    scroll_to(&b, &b.find("fieldset.kinds"));
    b.screenshot("pain-phone-1-form-filled");

    let before = now_ms();
    submit_with(&b, &six);
    let after = now_ms();
    let path = path_of(&b);
    let id = path
        .strip_prefix("/pain?saved=")
        .unwrap_or_else(|| panic!("the pain form led to {path}"))
        .to_owned();
    assert_page_renders(&b, "the pain page after saving", true);
    assert_eq!(b.find("p.saved").text(), format!("Saved (entry {id})."));
    let row = b.find(&format!("table.pain tr[data-pain-id='{id}']"));
    let row_cells = cells(&row);
    assert_eq!(row_cells.len(), 6, "{row_cells:?}");
    assert_eq!(
        &row_cells[1..],
        ["morning", "6", "25 min", "", NOTE],
        "kind, pain, stiffness, side, note"
    );
    // The newest entry leads the history.
    let first = b.find("table.pain tbody tr");
    assert_eq!(first.attr("data-pain-id").as_deref(), Some(id.as_str()));
    // A fresh form: the extras folded again, nothing typed left over.
    assert_eq!(b.find("details.more").property("open"), json!(false));
    assert_eq!(b.find("#note").property("value"), json!(""));
    assert!(
        b.try_find("svg.trend-chart circle.trend-point").is_some(),
        "the morning-pain trend shows the entry"
    );
    b.screenshot("pain-phone-2-saved-top");
    scroll_to(&b, &row);
    b.screenshot("pain-phone-3-saved-history");

    b.goto(&server.url("/"));
    assert_page_renders(&b, "the status page", true);
    let chart = b.find("svg.load-chart");
    let points: Vec<(String, i64)> = chart
        .find_all("circle.pain-point")
        .iter()
        .map(|c| {
            let score = c.attr("data-score").unwrap_or_default();
            let at = c.attr("data-at-ms").and_then(|t| t.parse().ok()).unwrap();
            (score, at)
        })
        .collect();
    let ours: Vec<_> = points
        .iter()
        .filter(|(score, at)| score == "6.0" && (before - 180_000..=after + 180_000).contains(at))
        .collect();
    assert_eq!(
        ours.len(),
        1,
        "one pain point of 6 from now among {points:?}"
    );
    assert!(
        (before - 1000..=after + 1000).contains(&ours[0].1),
        "logged without a time, the entry is dated when it was sent: {} not in {before}..{after}",
        ours[0].1
    );
    let card = b.find("section.card.painnow");
    assert_eq!(card.find("p.big").text(), "6/10");
    scroll_to(&b, &chart);
    b.screenshot("pain-phone-4-status-chart");
}

#[test]
fn acknowledging_an_alert_from_the_status_page() {
    let (_tw, server) = seeded();
    let open_before = open_alert_ids(&server);
    let b = Browser::desktop();

    b.goto(&server.url("/"));
    assert_page_renders(&b, "the status page", false);
    let heading = format!("Open alerts ({})", open_before.len());
    assert!(
        b.find_all("main h2").iter().any(|h| h.text() == heading),
        "no heading {heading:?}"
    );
    let cards = b.find_all("article.alert");
    assert_eq!(cards.len(), open_before.len().min(10));
    let card = cards
        .iter()
        .find(|c| c.find("span.kind").text().eq_ignore_ascii_case("run spike"))
        .expect("a run spike alert on the status page");
    let id: i64 = card.attr("data-alert-id").unwrap().parse().unwrap();
    assert!(
        open_before.contains(&id),
        "{id} is not open: {open_before:?}"
    );
    let button = card.find("form.ack button");
    assert_eq!(button.text(), "Acknowledge");
    scroll_to(&b, card);
    b.screenshot("ack-desktop-1-status-before");

    submit_with(&b, &button);
    assert_page_renders(&b, "the page after acknowledging", false);
    let landed = path_of(&b);
    assert!(
        landed == "/" || landed.starts_with("/alerts"),
        "acknowledging led to {landed}"
    );
    // On whatever page the redirect led to, the alert is no longer open:
    // either gone (an open list) or marked as acknowledged.
    if let Some(card) = b.try_find(&format!("article.alert[data-alert-id='{id}']")) {
        assert!(
            card.try_find("form.ack").is_none(),
            "still open on {landed}"
        );
        assert!(card.find("p.acked").text().starts_with("Acknowledged"));
    }
    b.screenshot("ack-desktop-2-after-redirect");

    b.goto(&server.url("/"));
    let heading = format!("Open alerts ({})", open_before.len() - 1);
    assert!(
        b.find_all("main h2").iter().any(|h| h.text() == heading),
        "no heading {heading:?} on the status page"
    );
    assert!(
        b.try_find(&format!("article.alert[data-alert-id='{id}']"))
            .is_none(),
        "the acknowledged alert is still listed as open on the status page"
    );
    b.screenshot("ack-desktop-3-status-after");

    b.goto(&server.url("/alerts?state=acknowledged"));
    assert_page_renders(&b, "the acknowledged alerts", false);
    let card = b.find(&format!("article.alert[data-alert-id='{id}']"));
    assert!(
        card.find("span.kind")
            .text()
            .eq_ignore_ascii_case("run spike")
    );
    assert!(card.find("p.acked").text().starts_with("Acknowledged "));
    assert!(card.try_find("form.ack").is_none());
    assert!(
        b.find("select[name=state] option[value=acknowledged]")
            .is_selected()
    );
    scroll_to(&b, &card);
    b.screenshot("ack-desktop-4-acknowledged-list");

    // The JSON API agrees, read by the browser and over plain HTTP.
    b.goto(&server.url("/api/alerts"));
    assert_eq!(http_status(&b), 200);
    let open_now: Vec<i64> = body_json(&b)
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    assert_eq!(open_now.len(), open_before.len() - 1);
    assert!(!open_now.contains(&id));
    assert_eq!(open_alert_ids(&server), open_now);

    // Every card is coloured by its severity (`article.alert.sev-high` in
    // the stylesheet): one `class` attribute naming both.
    b.goto(&server.url("/alerts?state=all"));
    for card in b.find_all("article.alert") {
        let severity = card.find("span.sev").text().to_lowercase();
        let classes = card.attr("class").unwrap_or_default();
        assert!(
            classes
                .split_whitespace()
                .any(|c| c == format!("sev-{severity}")),
            "a {severity} alert card is not marked sev-{severity}: class={classes:?}"
        );
    }
}

#[test]
fn re_tagging_a_runs_surface() {
    let (_tw, server) = seeded();
    let newest = newest_activity_id(&server);
    let b = Browser::phone();

    b.goto(&server.url("/activities"));
    assert_page_renders(&b, "the runs", true);
    let first = b.find("ul.runs a");
    let href = first.attr("href").unwrap();
    assert_eq!(href, format!("/activity/{newest}"), "the newest run leads");
    submit_with(&b, &first);
    assert_eq!(path_of(&b), href);
    assert_page_renders(&b, "the newest run", true);

    let file_surface = b.find("#surface-now").text();
    let because = || {
        b.find_all("section.surface p")
            .iter()
            .map(Element::text)
            .find(|t| t.starts_with("Because: "))
            .expect("a Because: line")
    };
    let file_because = because();
    assert!(!file_because.contains("your tag"), "{file_because}");
    assert_ne!(file_surface, "sand", "the simulated runs are not on sand");
    assert!(b.find("select#surface option[value=auto]").is_selected());
    assert!(b.try_find("p.saved").is_none());

    let select = b.find("select#surface");
    select.select_option_by_value("sand");
    assert_eq!(select.property("value"), json!("sand"));
    let save = b.find("form.retag button");
    assert_eq!(save.text(), "Save surface");
    submit_with(&b, &save);
    assert_eq!(path_of(&b), format!("{href}?saved=surface"));
    assert_page_renders(&b, "the run after tagging", true);
    assert_eq!(b.find("#surface-now").text(), "sand");
    assert_eq!(because(), "Because: your tag.");
    assert_eq!(b.find("p.saved").text(), "Surface saved: sand.");
    assert!(b.find("select#surface option[value=sand]").is_selected());
    assert_eq!(
        server
            .get(&format!("/api/activities/{newest}"), None)
            .json()["tagged"],
        true
    );
    scroll_to(&b, &b.find("section.surface"));
    b.screenshot("retag-phone-1-sand");

    b.find("select#surface").select_option_by_value("auto");
    submit_with(&b, &b.find("form.retag button"));
    assert_eq!(path_of(&b), format!("{href}?saved=surface"));
    assert_page_renders(&b, "the run after untagging", true);
    assert_eq!(
        b.find("#surface-now").text(),
        file_surface,
        "the file decides again"
    );
    assert_eq!(because(), file_because);
    assert_eq!(
        b.find("p.saved").text(),
        format!("Surface saved: {file_surface}.")
    );
    assert!(b.find("select#surface option[value=auto]").is_selected());
    let api = server
        .get(&format!("/api/activities/{newest}"), None)
        .json();
    assert_eq!(api["tagged"], false);
    assert_eq!(api["metrics"]["surface"], json!(file_surface));
    scroll_to(&b, &b.find("section.surface"));
    b.screenshot("retag-phone-2-back-to-the-file");
}

/// What the browser shows of the chart `<div id="series-{id}">`: its
/// drawn lines (the points of their rendered geometry, and how far across
/// the chart they reach), its lone dots, its "No … recorded" text and its
/// box on screen.
const SERIES_CHART_JS: &str = r#"
const chart = document.getElementById('series-' + arguments[0]);
if (!chart) return null;
const svg = [...chart.querySelectorAll('svg.chart')]
  .find(svg => getComputedStyle(svg).display !== 'none');
if (!svg) return null;
const box = svg.getBoundingClientRect();
const lines = [...svg.querySelectorAll('polyline.series-line')];
const drawn = lines.map(l => l.getBoundingClientRect());
const left = Math.min(...drawn.map(r => r.left));
const right = Math.max(...drawn.map(r => r.right));
const noData = svg.querySelector('text.no-data');
return {
  points: lines.reduce((n, l) => n + l.points.numberOfItems, 0),
  lines: lines.length,
  stroke: lines.length ? getComputedStyle(lines[0]).stroke : null,
  span: lines.length ? (right - left) / box.width : 0,
  dots: svg.querySelectorAll('circle.series-dot').length,
  noData: noData ? noData.textContent : null,
  width: box.width,
  height: box.height,
};"#;

#[test]
fn every_runs_page_draws_its_charts_on_a_phone_for_fit_gpx_and_tcx() {
    let chosen: Vec<Recording> = RECORDINGS
        .iter()
        .filter(|r| r.in_browser)
        .copied()
        .collect();
    for format in ["fit/", "gpx/", "tcx/"] {
        let producers = chosen.iter().filter(|r| r.file.starts_with(format)).count();
        assert!(producers >= 2, "{format}: {producers} producers");
    }
    let tw = Tw::new();
    let runs = charted_runs::import(&tw, &chosen);
    let server = Server::start(&tw, None);
    let b = Browser::phone();
    for (run, id) in &runs {
        let what = format!("{} ({})", run.file, run.producer);
        b.goto(&server.url(&format!("/activity/{id}")));
        assert_page_renders(&b, &what, true);
        for (chart_id, title, recorded) in run.charts() {
            let chart = b.execute(SERIES_CHART_JS, &[json!(chart_id)]);
            assert!(chart.is_object(), "{what}: no {title} chart");
            let points = chart["points"].as_u64().unwrap();
            if recorded {
                // Hundreds of values in each file: a line of many points,
                // visibly stroked, across most of the chart's width.
                assert!(points >= 50, "{what}: {title} drawn thin: {chart}");
                assert!(chart["noData"].is_null(), "{what}: {title}: {chart}");
                assert!(
                    chart["stroke"].as_str().is_some_and(|s| s != "none"),
                    "{what}: {title} has no stroke: {chart}"
                );
                assert!(
                    chart["span"].as_f64().unwrap() > 0.6,
                    "{what}: {title} covers little of its chart: {chart}"
                );
                // Readable on the phone: the chart fills the column.
                assert!(
                    chart["width"].as_f64().unwrap() >= 300.0,
                    "{what}: {title}: {chart}"
                );
            } else {
                assert_eq!(points, 0, "{what}: {title} is not in the file: {chart}");
                assert_eq!(
                    chart["noData"],
                    json!(format!("No {title} recorded")),
                    "{what}: {chart}"
                );
            }
        }
    }
}

#[test]
fn a_dashboard_on_the_network_refuses_everyone_without_the_password() {
    const PASSWORD: &str = "calf raise 3x15";
    let tw = Tw::new();
    seed_season(&tw);
    let config = config_with_password(&tw, PASSWORD);
    let server = Server::start_with(&tw, Some(&config), "0.0.0.0:0");
    assert!(server.addr.ip().is_unspecified(), "{}", server.addr);
    let b = Browser::desktop();

    // Nothing of the dashboard before logging in: every page is the login.
    for path in ["/", "/alerts", "/activity/1", "/pain"] {
        b.goto(&server.url(path));
        assert_eq!(path_of(&b), "/login", "{path} did not lead to the login");
        assert_page_renders(&b, "the login page", false);
        assert!(b.find("#password").is_displayed());
        for private in [
            "article.alert",
            "svg.chart",
            "ul.runs",
            "form.pain-form",
            "form.logout",
        ] {
            assert!(b.try_find(private).is_none(), "{path} shows {private}");
        }
    }
    let csrf = b
        .cookie("tw_csrf")
        .expect("the login page sets its CSRF cookie");
    // Not `Secure`: the dashboard speaks plain HTTP on the home network,
    // where a browser would drop a secure cookie and no form could post.
    assert!(
        csrf.http_only && !csrf.secure && csrf.same_site.as_deref() == Some("Strict"),
        "{csrf:?}"
    );
    assert!(b.cookie("tw_session").is_none());
    b.screenshot("login-desktop-1-page");

    let password = b.find("#password");
    password.send_keys("calf raise 3x16");
    let started = std::time::Instant::now();
    submit_with(&b, &b.find("form.login button[type=submit]"));
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "a wrong password waits"
    );
    assert_eq!(http_status(&b), 401);
    assert_eq!(path_of(&b), "/login");
    assert_eq!(b.find("p.error").text(), "Wrong password.");
    assert!(b.try_find("svg.chart").is_none() && b.try_find("article.alert").is_none());
    assert!(b.cookie("tw_session").is_none());
    assert_eq!(b.find("#password").property("value"), json!(""));
    b.screenshot("login-desktop-2-wrong-password");

    // The API refuses too: a 401 whose body is the API's JSON error (as
    // every `/api/` error is), no data.
    b.goto(&server.url("/api/status"));
    assert_eq!(http_status(&b), 401);
    let refusal = body_text(&b);
    assert!(!refusal.contains("open_alerts"), "{refusal}");
    let refusal: Value = serde_json::from_str(&refusal).unwrap_or_else(|e| {
        panic!("/api/status refused with a page that is not the JSON error ({e}): {refusal:.300}")
    });
    assert_eq!(refusal, json!({"error": "Log in first."}));
    let direct = server.get("/api/status", None);
    assert_eq!(direct.status, 401);
    assert!(
        direct
            .header("content-type")
            .is_some_and(|t| t.starts_with("application/json")),
        "{:?}",
        direct.header("content-type")
    );

    b.goto(&server.url("/login"));
    b.find("#password").send_keys(PASSWORD);
    submit_with(&b, &b.find("form.login button[type=submit]"));
    assert_eq!(path_of(&b), "/");
    assert_page_renders(&b, "the status page after login", false);
    assert_eq!(b.find("main h1").text(), "Where you stand");
    assert!(b.try_find("svg.load-chart").is_some());
    assert!(b.try_find("form.logout button").is_some());
    let session = b.cookie("tw_session").expect("a session cookie");
    assert!(session.http_only, "{session:?}");
    b.screenshot("login-desktop-3-dashboard");

    // Logged in, the other pages and the API answer.
    b.goto(&server.url("/alerts"));
    assert_page_renders(&b, "the alerts after login", false);
    assert!(b.try_find("article.alert").is_some());
    b.goto(&server.url("/api/status"));
    assert_eq!(http_status(&b), 200);
    assert!(body_json(&b)["open_alerts"].is_array());
}

#[test]
fn every_page_renders_on_a_phone_and_a_desktop() {
    let (_tw, server) = seeded();
    let newest = newest_activity_id(&server);
    let activity = format!("/activity/{newest}");
    let pages = [
        ("status", "/", 1),
        ("load", "/load?weeks=52", 1),
        ("activities", "/activities", 0),
        ("activity", activity.as_str(), 3),
        ("pain", "/pain", 1),
        ("visa-a", "/visa-a", 0),
        ("report", "/report", 1),
        ("alerts", "/alerts?state=all", 0),
        ("login", "/login", 0),
    ];
    on_a_phone_and_a_desktop(&server, &pages, |_, _| {});
}

/// Where a sweep of pages is: the page's name, whether the screen is the
/// phone's, and the page and screen in words for messages.
struct Visit<'a> {
    name: &'a str,
    screen: &'a str,
    phone: bool,
    what: String,
}

/// Opens each of `pages` (name, path, at least how many charts) on a
/// phone, then on a desktop, one browser at a time (two Chromiums at once
/// slow both down): checks that it renders with its charts, takes a
/// screenshot `{screen}-{name}` and hands the page to `more`.
fn on_a_phone_and_a_desktop(
    server: &Server,
    pages: &[(&str, &str, usize)],
    mut more: impl FnMut(&Browser, &Visit<'_>),
) {
    for phone in [true, false] {
        let (screen, b) = if phone {
            ("phone", Browser::phone())
        } else {
            ("desktop", Browser::desktop())
        };
        for &(name, path, charts) in pages {
            b.goto(&server.url(path));
            let what = format!("{name} ({path}) on the {screen}");
            assert_page_renders(&b, &what, phone);
            assert!(
                b.find_all("div.chart-box").len() >= charts,
                "{what}: fewer than {charts} charts"
            );
            b.screenshot(&format!("{screen}-{name}"));
            let visit = Visit {
                name,
                screen,
                phone,
                what,
            };
            more(&b, &visit);
        }
    }
}

// ------------------------------------------------------------ a household

/// Opens the dashboard's front door in `b`, is sent to the login page, and
/// logs in as `name` by typing into the real form.
#[track_caller]
fn log_in_through_the_form(b: &Browser, server: &Server, name: &str, password: &str) {
    b.goto(&server.url("/"));
    assert_eq!(path_of(b), "/login", "the front door leads to the login");
    assert_page_renders(b, "the household's login page", true);
    for private in ["header.top nav", "form.logout", "p.viewing", "svg.chart"] {
        assert!(
            b.try_find(private).is_none(),
            "the login page shows {private}"
        );
    }
    let name_field = b.find("form.login input#name");
    assert_eq!(name_field.attr("name").as_deref(), Some("name"));
    name_field.send_keys(name);
    let password_field = b.find("form.login input#password");
    assert_eq!(password_field.attr("name").as_deref(), Some("password"));
    password_field.send_keys(password);
    submit_with(b, &b.find("form.login button[type=submit]"));
    assert!(
        b.try_find("form.login").is_none(),
        "{name} is still on the login page ({}): {:?}",
        path_of(b),
        b.try_find("p.error").map(|e| e.text())
    );
}

/// The navigation's links as (text, href), after checking that the bar is
/// shown and every link sits inside the screen, on its first view.
#[track_caller]
fn visible_nav(b: &Browser) -> Vec<(String, String)> {
    let nav = b.find("header.top nav");
    assert!(
        nav.is_displayed(),
        "the navigation is hidden on {}",
        path_of(b)
    );
    let boxes = b.execute(
        "return [...arguments[0].querySelectorAll('a')].map(a => {
           const r = a.getBoundingClientRect();
           return {text: a.textContent, left: r.left, right: r.right, top: r.top,
                   bottom: r.bottom, width: r.width, height: r.height};
         });",
        &[nav.as_arg()],
    );
    let (width, height) = b.viewport();
    for link in boxes.as_array().unwrap() {
        let f = |k: &str| link[k].as_f64().unwrap();
        assert!(
            f("width") > 0.0
                && f("height") > 0.0
                && f("left") >= 0.0
                && f("right") <= f64::from(width) + 0.5
                && f("top") >= 0.0
                && f("bottom") <= f64::from(height),
            "a navigation link is not on the screen of {}: {link}",
            path_of(b)
        );
    }
    nav.find_all("a")
        .iter()
        .map(|a| (a.text(), a.attr("href").unwrap_or_default()))
        .collect()
}

/// Follows the navigation link called `label` like a thumb would.
#[track_caller]
fn click_nav(b: &Browser, label: &str) {
    let links = b.find_all("header.top nav a");
    let link = links
        .iter()
        .find(|a| a.text() == label)
        .unwrap_or_else(|| panic!("no {label:?} in the navigation of {}", path_of(b)));
    submit_with(b, link);
    let here = b.find("header.top nav a.here").text();
    assert_eq!(here, label, "the navigation marks another page");
}

/// The navigation a household member sees on `runner`'s pages.
fn nav_of(runner: &str) -> Vec<(String, String)> {
    [
        ("Status", "/"),
        ("Runs", "/activities"),
        ("Pain", "/pain"),
        ("Report", "/report"),
        ("Alerts", "/alerts"),
    ]
    .iter()
    .map(|(label, path)| (label.to_string(), format!("/r/{runner}{path}")))
    .collect()
}

/// Every pain entry of a runner's store as (id, score, kind, note).
fn pain_rows(h: &Household, who: &str) -> Vec<(i64, f64, String, Option<String>)> {
    let conn = util::open(&h.store(who));
    let mut stmt = conn
        .prepare("SELECT id, score, kind, note FROM pain ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

/// The number of a runner's open alerts, from their store.
fn open_alerts_in_store(h: &Household, who: &str) -> i64 {
    util::open(&h.store(who))
        .query_row(
            "SELECT COUNT(*) FROM alerts WHERE acknowledged_ms IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn a_household_runner_logs_in_on_a_phone_and_logs_pain_into_her_own_store() {
    const NOTE: &str = "ann-only: tight on the first steps";
    let h = Household::new();
    let server = h.serve();
    let (ann_pain, bob_before) = (pain_rows(&h, "ann"), h.snapshot("bob"));
    let b = Browser::phone();

    log_in_through_the_form(&b, &server, "ann", ANN_PASSWORD);
    assert_eq!(path_of(&b), "/r/ann/", "ann lands on her own status page");
    assert_page_renders(&b, "ann's status page", true);
    assert_eq!(b.find("main h1").text(), "Where you stand");
    assert!(b.try_find("p.viewing").is_none(), "ann reads her own pages");
    assert_eq!(b.find("a.brand").attr("href").as_deref(), Some("/r/ann/"));
    assert_eq!(visible_nav(&b), nav_of("ann"));
    assert_eq!(b.find("header.top nav a.here").text(), "Status");
    assert!(b.find("form.logout button").is_displayed());
    assert_eq!(
        b.find("section.card.painnow p.big").text(),
        "2/10",
        "her own morning pain, not bob's 5"
    );
    assert!(b.try_find("svg.load-chart").is_some());
    b.screenshot("household-phone-1-runner-status");

    click_nav(&b, "Pain");
    assert_eq!(path_of(&b), "/r/ann/pain");
    assert_page_renders(&b, "ann's pain page", true);
    assert_eq!(visible_nav(&b), nav_of("ann"));
    let form = b.find("form.pain-form");
    assert_eq!(form.attr("action").as_deref(), Some("/r/ann/pain"));
    let morning = form.find("input[name=kind][value=morning]");
    morning.click();
    assert!(morning.is_selected());
    form.find("details.more summary").click();
    form.find("#note").send_keys(NOTE);
    assert_no_horizontal_scroll(&b);
    let three = form.find("button.score[value='3']");
    assert_eq!(three.text(), "3");
    submit_with(&b, &three);

    let path = path_of(&b);
    let id: i64 = path
        .strip_prefix("/r/ann/pain?saved=")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("the pain form led to {path}"));
    assert_page_renders(&b, "ann's pain page after saving", true);
    assert_eq!(b.find("p.saved").text(), format!("Saved (entry {id})."));
    let row = b.find(&format!("table.pain tr[data-pain-id='{id}']"));
    assert_eq!(
        &cells(&row)[1..],
        ["morning", "3", "", "", NOTE],
        "kind, pain, stiffness, side, note"
    );
    assert_eq!(visible_nav(&b), nav_of("ann"));

    // In her store, and nowhere else.
    let mut expected = ann_pain;
    expected.push((id, 3.0, "morning".into(), Some(NOTE.into())));
    assert_eq!(pain_rows(&h, "ann"), expected, "ann's store");
    assert_eq!(h.snapshot("bob"), bob_before, "bob's store changed");
    assert!(
        pain_rows(&h, "bob")
            .iter()
            .all(|(_, _, _, note)| note.as_deref() != Some(NOTE)),
        "ann's entry is in bob's store"
    );
    assert!(
        !h.tw.root().join("state/runners/cy.db").exists() || pain_rows(&h, "cy").is_empty(),
        "ann's entry is in cy's store"
    );

    click_nav(&b, "Status");
    assert_eq!(path_of(&b), "/r/ann/");
    assert_page_renders(&b, "ann's status page after logging pain", true);
    assert_eq!(b.find("section.card.painnow p.big").text(), "3/10");
}

#[test]
fn a_household_runner_typing_another_runners_address_gets_the_missing_page() {
    let h = Household::new();
    let server = h.serve();
    let bob_before = h.snapshot("bob");
    let b = Browser::phone();
    log_in_through_the_form(&b, &server, "ann", ANN_PASSWORD);
    assert_eq!(path_of(&b), "/r/ann/");

    // A runner nobody has: the page every missing address gets.
    b.goto(&server.url("/r/zed/pain"));
    assert_eq!(http_status(&b), 404);
    let missing = b.page_source();

    for path in ["/r/bob/pain", "/r/bob/", "/r/bob/activities", "/r/cy/pain"] {
        b.goto(&server.url(path));
        assert_eq!(path_of(&b), path, "ann was sent elsewhere");
        assert_eq!(http_status(&b), 404, "{path}");
        assert_eq!(b.find("main h1").text(), "Not Found", "{path}");
        assert_eq!(b.find("p.error").text(), "There is no such page.", "{path}");
        let source = b.page_source();
        assert_eq!(source, missing, "{path} tells more than a missing page");
        for private in ["bob", "cy", "5/10", "heel"] {
            assert!(
                !body_text(&b).contains(private),
                "{path} shows {private:?}: {}",
                body_text(&b)
            );
        }
        for part in [
            "header.top nav",
            "form",
            "table.pain",
            "svg.chart",
            "article.alert",
            "p.viewing",
        ] {
            assert!(b.try_find(part).is_none(), "{path} shows {part}");
        }
        assert_no_horizontal_scroll(&b);
    }
    b.goto(&server.url("/r/bob/pain"));
    b.screenshot("household-phone-2-runner-at-another-runners-address");

    // The way back leads to her own pages: still ann, still logged in.
    submit_with(&b, &b.find("main a[href='/']"));
    assert_eq!(path_of(&b), "/r/ann/");
    assert_page_renders(&b, "ann's status page", true);
    assert_eq!(h.snapshot("bob"), bob_before);
}

#[test]
fn a_household_coach_reads_the_overview_and_an_athletes_pages_on_a_phone() {
    let h = Household::new();
    let server = h.serve();
    let ann_open = open_alerts_in_store(&h, "ann");
    assert!(ann_open > 0, "ann's season has its spike alert");
    let before: Vec<_> = ["ann", "bob"].iter().map(|w| h.snapshot(w)).collect();
    let b = Browser::phone();

    // What a coach may send from any page: "log out", nothing else (the
    // alerts' filter is a GET form, a way of reading).
    let only_log_out = |b: &Browser, what: &str| {
        let sends = b.execute(
            "const posting = [...document.forms].filter(f => f.method === 'post');
             return {
               forms: posting.map(f => f.className),
               buttons: posting.flatMap(f => [...f.querySelectorAll('button, input[type=submit]')])
                 .map(e => e.textContent || e.value),
               overrides: document.querySelectorAll('[formmethod], [formaction]').length,
               acknowledge: [...document.querySelectorAll('button')]
                 .filter(e => /acknowledge/i.test(e.textContent)).length,
             };",
            &[],
        );
        assert_eq!(
            sends,
            json!({"forms": ["logout"], "buttons": ["Log out"], "overrides": 0, "acknowledge": 0}),
            "{what} on {}",
            path_of(b)
        );
    };

    log_in_through_the_form(&b, &server, "kim", KIM_PASSWORD);
    assert_eq!(path_of(&b), "/athletes", "a coach lands on the overview");
    assert_page_renders(&b, "the coach's overview", true);
    assert_eq!(b.find("main h1").text(), "Your athletes");
    only_log_out(&b, "the overview");
    let cards = b.find_all("section.card.athlete");
    let runners: Vec<String> = cards
        .iter()
        .map(|c| c.attr("data-runner").unwrap_or_default())
        .collect();
    assert_eq!(runners, ["ann", "bob"], "kim's athletes, not cy");
    for (card, who) in cards.iter().zip(["ann", "bob"]) {
        assert!(card.is_displayed(), "{who}'s card");
        let link = card.find("h2 a");
        assert_eq!(link.text(), who);
        assert_eq!(link.attr("href"), Some(format!("/r/{who}/")));
        let week = card.find("p.week").text();
        assert!(week.starts_with("Last 7 days: "), "{who}: {week}");
        assert!(card.find("p.week strong").text().ends_with(" km"), "{who}");
        let open = open_alerts_in_store(&h, who);
        let alerts = match open {
            0 => "No open alerts".to_string(),
            1 => "1 open alert".to_string(),
            n => format!("{n} open alerts"),
        };
        assert_eq!(card.find("p.alerts").text(), alerts, "{who}");
        let pain = if who == "ann" { "2/10" } else { "5/10" };
        let morning = card.find("p.morning").text();
        assert!(
            morning.starts_with(&format!("Last morning pain: {pain} (")),
            "{who}: {morning}"
        );
    }
    let ann_week = cards[0].find("p.week strong").text();
    b.screenshot("household-phone-3-coach-overview");

    // ann's card leads to her pages, read-only.
    submit_with(&b, &cards[0].find("h2 a"));
    assert_eq!(path_of(&b), "/r/ann/");
    assert_page_renders(&b, "ann's status page, for kim", true);
    let banner = b.find("p.viewing");
    assert!(banner.is_displayed());
    assert_eq!(banner.text(), "Viewing ann (read-only) · All athletes");
    // A strip in line with the page's text, not flush against the screen's
    // edge (as it was before the stylesheet knew it).
    let edges = b.execute(
        "const strip = arguments[0].getBoundingClientRect();
         const text = document.querySelector('main h1').getBoundingClientRect();
         return [strip.left, strip.right, text.left, text.right, innerWidth];",
        &[banner.as_arg()],
    );
    let edge = |i: usize| edges[i].as_f64().unwrap();
    assert!(
        edge(2) > 0.0 && (edge(0) - edge(2)).abs() < 1.0 && edge(1) <= edge(4) - edge(2) + 1.0,
        "the banner [left, right] does not line up with the heading's left edge: {edges}"
    );
    assert_eq!(visible_nav(&b), nav_of("ann"));
    assert_eq!(
        b.find("section.card.week p.big").text(),
        ann_week,
        "the overview's week is the one on her page"
    );
    assert_eq!(
        b.find_all("main h2")
            .iter()
            .filter(|h| h.text() == format!("Open alerts ({ann_open})"))
            .count(),
        1
    );
    let alerts = b.find_all("article.alert");
    assert!(!alerts.is_empty(), "ann's open alerts are shown");
    for alert in &alerts {
        assert!(alert.try_find("form.ack").is_none(), "an acknowledge form");
        assert_eq!(alert.find("p.acked").text(), "Open");
    }
    assert!(
        b.try_find("section.card.painnow a.button").is_none(),
        "a 'Log pain' button"
    );
    only_log_out(&b, "ann's status page");
    b.screenshot("household-phone-4-coach-views-runner-status");

    click_nav(&b, "Pain");
    assert_eq!(path_of(&b), "/r/ann/pain");
    assert_page_renders(&b, "ann's pain page, for kim", true);
    assert_eq!(b.find("main h1").text(), "Pain log");
    assert!(b.try_find("form.pain-form").is_none(), "a pain form");
    assert!(b.try_find("button.score").is_none(), "a score button");
    assert!(b.find("p.viewing").is_displayed());
    assert!(
        b.try_find("table.pain tbody tr").is_some(),
        "kim reads ann's pain log"
    );
    only_log_out(&b, "ann's pain page");

    click_nav(&b, "Alerts");
    assert_eq!(path_of(&b), "/r/ann/alerts");
    assert_page_renders(&b, "ann's alerts, for kim", true);
    let alerts = b.find_all("article.alert");
    assert_eq!(alerts.len() as i64, ann_open, "every open alert of ann's");
    for alert in &alerts {
        assert!(alert.try_find("form.ack").is_none(), "an acknowledge form");
    }
    only_log_out(&b, "ann's alerts");
    b.goto(&server.url("/r/ann/alerts?state=all"));
    assert_page_renders(&b, "all of ann's alerts, for kim", true);
    assert!(b.find("p.viewing").is_displayed());
    assert!(b.try_find("form.ack").is_none());
    only_log_out(&b, "all of ann's alerts");

    // The banner leads back to the overview.
    submit_with(&b, &b.find("p.viewing a"));
    assert_eq!(path_of(&b), "/athletes");
    assert_page_renders(&b, "the overview again", true);
    let after: Vec<_> = ["ann", "bob"].iter().map(|w| h.snapshot(w)).collect();
    assert_eq!(before, after, "reading changed a store");
}

/// A screenshot in the artifacts folder, copied as `<dir>/<name>.png` when
/// `TENDONWATCH_SCREENSHOTS=<dir>` is set (the documentation's pictures).
fn screenshot_for_docs(b: &Browser, name: &str) {
    let shot = b.screenshot(name);
    if let Some(dir) = std::env::var_os("TENDONWATCH_SCREENSHOTS") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(&shot, dir.join(format!("{name}.png"))).unwrap();
    }
}

/// The morning's link opened on a 390 px phone: the question with 0–10 as
/// buttons a thumb hits, no way into the dashboard; one tap answers, and
/// the page it lands on says what the 24-hour rule makes of it after
/// yesterday's hills, with the alert it raised.
#[test]
fn a_check_in_link_on_a_phone_answers_in_one_tap_and_shows_the_verdict() {
    let tw = Tw::new();
    checkin::season_with_hills_yesterday(&tw);
    let served = checkin::Served::start(tw);
    let b = Browser::phone();
    assert_eq!(b.viewport().0, 390);

    b.goto(&served.server.url(&served.link()));
    assert_page_renders(&b, "the check-in page", true);
    assert_eq!(b.find("h1").text(), "How is your Achilles this morning?");
    assert!(b.find_all("a").is_empty(), "the page links nowhere");
    let buttons = b.execute(
        "return [...document.querySelectorAll('button.score')].map(b => {
           const r = b.getBoundingClientRect();
           return {score: b.value, width: r.width, height: r.height, bottom: r.bottom};
         });",
        &[],
    );
    let buttons = buttons.as_array().unwrap();
    assert_eq!(buttons.len(), 11);
    for button in buttons {
        // Apple's and Google's smallest touch target: 44 × 44 / 48 × 48.
        let (w, h) = (
            button["width"].as_f64().unwrap(),
            button["height"].as_f64().unwrap(),
        );
        assert!(w >= 48.0 && h >= 48.0, "a small button: {button}");
        // All eleven on the first screen, no scrolling to find 10.
        assert!(
            button["bottom"].as_f64().unwrap() <= 844.0,
            "below the fold: {button}"
        );
    }
    screenshot_for_docs(&b, "checkin-question");

    let three = b.find("button.score[value='3']");
    submit_with(&b, &three);
    assert_page_renders(&b, "the answer page", true);
    assert_eq!(b.find("h1").text(), "Thank you");
    assert_eq!(b.find("p.answered strong").text(), "3/10");
    let verdict = b.find("p.judged").text();
    assert!(
        verdict.starts_with("3 against your usual 1 after yesterday's hills")
            && verdict.ends_with("make today easy or rest."),
        "{verdict}"
    );
    let alert = b.find("article.alert");
    assert!(
        alert.text().contains("Morning pain 3/10"),
        "{}",
        alert.text()
    );
    assert!(b.find_all("a").is_empty(), "the answer links nowhere");
    screenshot_for_docs(&b, "checkin-answer");

    let rows = served.pain();
    let today: Vec<_> = rows
        .iter()
        .filter(|r| r.checkin_date == Some(checkin::today().to_string()))
        .collect();
    assert_eq!(today.len(), 1, "{rows:?}");
    assert_eq!((today[0].score, today[0].kind.as_str()), (3.0, "morning"));
}

// ------------------------------------------------- charts on a phone (issue 22)

/// What the browser shows of every chart of the page and every table, as
/// measured from the DOM: per chart box, the drawing shown and, in it, the
/// rendered size of every text (its font size times the drawing's scale
/// on screen), text boxes that overlap or stick out of the drawing, data
/// marks outside the plot box (`rect.plot`: the axes' extent; a dot by its
/// centre, a line or bar by its box), alert marks beside it, and the
/// load ratio labels shown; per table, whether it is wider than the screen
/// outside a container that scrolls sideways.
const CHART_AUDIT_JS: &str = r#"
const tol = 0.5;
const vw = document.documentElement.clientWidth;
const describe = el => el.tagName.toLowerCase() + '.' + (el.getAttribute('class') || '').replace(/ /g, '.')
  + (el.textContent && el.tagName === 'text' ? ' "' + el.textContent + '"' : '');
const out = {body: parseFloat(getComputedStyle(document.body).fontSize), viewport: vw,
             charts: [], tables: []};
for (const box of document.querySelectorAll('div.chart-box')) {
  const shown = [...box.querySelectorAll('svg.chart')]
    .filter(svg => getComputedStyle(svg).display !== 'none');
  const c = {id: box.id, shown: shown.length, texts: 0, minPx: null, maxPx: null,
             overlaps: [], clipped: [], outside: [], alertsAside: [], acwrShown: 0, marks: 0};
  out.charts.push(c);
  if (shown.length !== 1) continue;
  const svg = shown[0];
  c.class = svg.getAttribute('class');
  const sr = svg.getBoundingClientRect();
  c.width = sr.width;
  c.right = sr.right;
  const scale = svg.getScreenCTM().a;
  const texts = [...svg.querySelectorAll('text')].map(t => {
    const b = t.getBoundingClientRect();
    return {el: t, px: parseFloat(getComputedStyle(t).fontSize) * scale,
            l: b.left, r: b.right, t: b.top, b: b.bottom};
  }).filter(t => t.r > t.l);
  c.texts = texts.length;
  if (texts.length) {
    c.minPx = Math.min(...texts.map(t => t.px));
    c.maxPx = Math.max(...texts.map(t => t.px));
    c.minHeight = Math.min(...texts.map(t => t.b - t.t));
  }
  for (let i = 0; i < texts.length; i++) {
    const a = texts[i];
    if (a.l < sr.left - tol || a.r > sr.right + tol || a.t < sr.top - tol || a.b > sr.bottom + tol)
      c.clipped.push(describe(a.el));
    for (let j = i + 1; j < texts.length; j++) {
      const b = texts[j];
      if (a.l < b.r - tol && b.l < a.r - tol && a.t < b.b - tol && b.t < a.b - tol)
        c.overlaps.push(describe(a.el) + ' / ' + describe(b.el));
    }
  }
  const plot = svg.querySelector('rect.plot');
  if (plot) {
    const p = plot.getBoundingClientRect();
    c.plot = {left: p.left, right: p.right, top: p.top, bottom: p.bottom};
    const marks = [...svg.querySelectorAll(
      'g.marks rect, g.marks circle, g.marks polyline, g.marks path, g.acwr text')];
    c.marks = marks.length;
    for (const m of marks) {
      const r = m.getBoundingClientRect();
      const [l, rt, t, b] = m.tagName === 'circle'
        ? [(r.left + r.right) / 2, (r.left + r.right) / 2, (r.top + r.bottom) / 2, (r.top + r.bottom) / 2]
        : [r.left, r.right, r.top, r.bottom];
      if (l < p.left - tol || rt > p.right + tol || t < p.top - tol || b > p.bottom + tol)
        c.outside.push(describe(m) + ' [' + [l, rt, t, b].map(Math.round) + '] plot ['
          + [p.left, p.right, p.top, p.bottom].map(Math.round) + ']');
    }
    for (const a of svg.querySelectorAll('.alert-mark')) {
      const r = a.getBoundingClientRect();
      const x = (r.left + r.right) / 2;
      if (x < p.left - tol || x > p.right + tol || r.bottom > p.top + tol)
        c.alertsAside.push(describe(a));
    }
  }
  c.acwrShown = svg.querySelectorAll('text.acwr-label').length;
}
for (const table of document.querySelectorAll('main table')) {
  const r = table.getBoundingClientRect();
  let scroller = null;
  for (let el = table.parentElement; el && el !== document.body; el = el.parentElement) {
    const o = getComputedStyle(el).overflowX;
    if (o === 'auto' || o === 'scroll') { scroller = el; break; }
  }
  const own = getComputedStyle(table).overflowX;
  const scrolls = scroller !== null || own === 'auto' || own === 'scroll';
  const frame = scroller ? scroller.getBoundingClientRect() : r;
  const cells = [...table.querySelectorAll('td, th')].filter(c => c.getClientRects().length);
  out.tables.push({class: table.getAttribute('class') || '', width: r.width, right: r.right,
                   scrolls: scrolls, frameRight: frame.right,
                   cut: scrolls ? [] : cells.filter(c => c.getBoundingClientRect().right > vw + tol)
                                         .map(c => c.textContent).slice(0, 5),
                   tallest: Math.max(0, ...cells.filter(c => c.matches('.when, table.weeks td')).map(c => {
                     const text = document.createRange();
                     text.selectNodeContents(c);
                     return text.getBoundingClientRect().height / parseFloat(getComputedStyle(c).lineHeight);
                   }))});
}
return out;"#;

/// Panics unless every chart and table of the page reads on this screen
/// (see [`CHART_AUDIT_JS`]); returns the audit.
#[track_caller]
fn assert_charts_read(b: &Browser, what: &str, phone: bool) -> Value {
    let audit = b.execute(CHART_AUDIT_JS, &[]);
    let body = audit["body"].as_f64().unwrap();
    let viewport = audit["viewport"].as_f64().unwrap();
    for c in audit["charts"].as_array().unwrap() {
        let name = format!("{what}: chart {} ({})", c["id"], c["class"]);
        assert_eq!(c["shown"], 1, "{name}: one drawing shown: {c}");
        assert!(c["texts"].as_u64().unwrap() > 0, "{name}: no text: {c}");
        let (min, max) = (c["minPx"].as_f64().unwrap(), c["maxPx"].as_f64().unwrap());
        if phone {
            assert!(min >= 11.0, "{name}: text of {min:.1} px on a phone: {c}");
            // The box of an 11 px line of text is at least 12 px high.
            assert!(c["minHeight"].as_f64().unwrap() >= 12.0, "{name}: {c}");
        } else {
            assert!(
                max <= body + 0.01,
                "{name}: text of {max:.1} px, larger than the page's {body} px: {c}"
            );
            assert!(min >= 11.0, "{name}: text of {min:.1} px: {c}");
        }
        for list in ["overlaps", "clipped", "outside", "alertsAside"] {
            assert_eq!(c[list], json!([]), "{name}: {list}: {c}");
        }
        assert!(
            c["right"].as_f64().unwrap() <= viewport + 0.5,
            "{name}: wider than the screen: {c}"
        );
        if !c["id"].as_str().unwrap_or("").is_empty() || c["plot"].is_object() {
            // A chart with data marks them inside its plot box.
            if c["plot"].is_object() {
                assert!(c["marks"].as_u64().unwrap() > 0, "{name}: no marks: {c}");
            }
        }
    }
    for t in audit["tables"].as_array().unwrap() {
        assert!(
            t["scrolls"] == json!(true) || t["right"].as_f64().unwrap() <= viewport + 0.5,
            "{what}: table.{} is wider than the {viewport} px screen: {t}",
            t["class"]
        );
        assert!(
            t["frameRight"].as_f64().unwrap() <= viewport + 0.5,
            "{what}: {t}"
        );
        assert_eq!(t["cut"], json!([]), "{what}: cells cut off: {t}");
        // The pain log and the weeks of the load page fit the phone
        // whole: blocks, or columns with less room between them.
        if ["pain", "weeks"]
            .iter()
            .any(|c| t["class"].as_str().unwrap_or("").contains(c))
        {
            assert!(
                t["right"].as_f64().unwrap() <= viewport + 0.5,
                "{what}: {t}"
            );
        }
        // A date stays on one line (it wrapped onto four), and so does
        // every number of the weeks.
        assert!(
            t["tallest"].as_f64().unwrap() < 1.6,
            "{what}: a date or a week's number in table.{} wraps: {t}",
            t["class"]
        );
    }
    audit
}

/// Every chart page on a 390 px phone and a 1280 px desktop, with every
/// kind of chart holding data (the demo season, two years of running
/// before it, a real FIT file with four series): chart text at 11 px or
/// more on the phone and no larger than the page's text on the desktop, no
/// two texts of a chart overlapping, no mark outside its axes, tables that
/// fit or scroll. A screenshot of every chart on both screens.
#[test]
fn every_chart_reads_on_a_phone_and_a_desktop() {
    let tw = Tw::new();
    let season = chart_season::build(&tw);
    let mut cmd = tw.command_with_db(&season.db);
    cmd.args(["serve", "--bind", "127.0.0.1:0"]);
    let server = Server::spawn(cmd);
    let newest = newest_activity_id(&server);
    let four = format!("/activity/{}", season.four_series_run);
    let demo_run = format!("/activity/{newest}");
    let pages = [
        ("status", "/", 1),
        ("load-12", "/load?weeks=12", 1),
        ("load-52", "/load?weeks=52", 1),
        ("load-104", "/load?weeks=104", 1),
        ("run-four-series", four.as_str(), 4),
        ("run-demo", demo_run.as_str(), 4),
        ("pain", "/pain", 1),
        ("report", "/report", 1),
        ("report-52", "/report?weeks=52", 1),
    ];
    on_a_phone_and_a_desktop(&server, &pages, |b, visit| {
        let (what, screen, name) = (&visit.what, visit.screen, visit.name);
        let audit = assert_charts_read(b, what, visit.phone);
        let drawn = audit["charts"].as_array().unwrap();
        match name {
            "run-four-series" => {
                for c in drawn {
                    assert!(c["plot"].is_object(), "{what}: a series not drawn: {c}");
                }
            }
            "load-104" => {
                // Many weeks back from a break pass the runner's mark:
                // some of their ratios are printed, none over another.
                let shown = drawn[0]["acwrShown"].as_u64().unwrap();
                assert!(shown >= 2, "{what}: {shown} ratio labels");
            }
            "report" | "report-52" => assert_report_chart_in_words(b, what),
            _ => {}
        }
        for (i, chart) in b.find_all("div.chart-box").iter().enumerate() {
            scroll_to(b, chart);
            b.screenshot(&format!("charts-{screen}-{name}-{i}"));
        }
        if let Some(table) = b.try_find("main table") {
            scroll_to(b, &table);
            b.screenshot(&format!("charts-{screen}-{name}-table"));
        }
    });
}

/// The report's chart names each factor in words and draws only the
/// factors judged: the list beside it says which had too few runs.
#[track_caller]
fn assert_report_chart_in_words(b: &Browser, what: &str) {
    let found = b.execute(
        "const svg = [...document.querySelectorAll('svg.factor-chart')]
           .find(svg => getComputedStyle(svg).display !== 'none');
         return {
           names: svg ? [...svg.querySelectorAll('text.factor-name')].map(t => t.textContent) : [],
           rows: svg ? svg.querySelectorAll('g.factor-row').length : 0,
           words: [...document.querySelectorAll('ul.factors li')].map(li => li.textContent),
         };",
        &[],
    );
    let words: Vec<&str> = found["words"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(!words.is_empty(), "{what}: no factors listed: {found}");
    let not_enough = words.iter().filter(|w| w.contains("not enough")).count();
    let drawn = found["rows"].as_u64().unwrap() as usize;
    assert!(
        drawn + not_enough <= words.len(),
        "{what}: a factor with not enough data is drawn: {found}"
    );
    for name in found["names"].as_array().unwrap() {
        let name = name.as_str().unwrap();
        assert!(
            !name.contains('_') && name.contains(' ') || name.len() < 12,
            "{what}: a factor named by its id: {name:?}"
        );
    }
}
