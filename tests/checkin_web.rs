//! The morning check-in's link over real HTTP on loopback (issue 23,
//! points 2–5; RULES.md I): `tendonwatch serve` as a child process with
//! the install's key, and tokens signed in the test with that key.
//!
//! - A good link asks, one tap answers (a `morning` entry at the time of
//!   answering), a second tap replaces the answer: one entry, never two.
//! - The link is a capability for that morning only: altered, expired,
//!   another runner's, another install's — one and the same "expired"
//!   page, and nothing written. A post from another site is refused.
//!   The page links nowhere.
//! - "Same as yesterday" (ntfy's http action) logs yesterday's morning
//!   again as today's.
//! - The answer is judged at once: after yesterday's hills, 3 against a
//!   baseline of 1 says "make today easy or rest" and raises `pain_24h`.
//! - The dashboard's status page asks the same until this morning is
//!   answered.
//! - A household: each token writes only its runner's store, and a
//!   runner's name with another runner's MAC is refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "util/checkin.rs"]
mod checkin;
#[path = "util/dashboard.rs"]
mod dashboard;
#[path = "util/household.rs"]
mod household;
mod util;

use checkin::{Served, pain_rows, today, yesterday_at};
use dashboard::Resp;
use household::Household;
use tendonwatch::checkin::token::Key;
use util::Tw;

fn form(s: &Served, path: &str, body: &str) -> Resp {
    s.server.post_form(path, None, body)
}

/// What a one-tap page must never hold: a link, a script, a way into the
/// dashboard. Its only address is the stylesheet.
#[track_caller]
fn assert_links_nowhere(r: &Resp) {
    for banned in ["<a ", "<script", "<nav", "action=\"/", "/r/", "Log out"] {
        assert!(!r.body.contains(banned), "{banned} on {}", r.body);
    }
    let hrefs: Vec<&str> = r
        .body
        .match_indices("href=\"")
        .map(|(i, _)| &r.body[i..])
        .collect();
    assert_eq!(hrefs.len(), 1, "{}", r.body);
    assert!(hrefs[0].starts_with("href=\"/static/style.css\""));
}

#[test]
fn a_good_link_asks_and_one_tap_answers_replaced_by_a_second_tap() {
    let s = Served::start(Tw::new());
    let link = s.link();

    let page = s.server.get(&link, None);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("How is your Achilles this morning?"));
    assert!(
        page.body
            .contains(&today().format("%A %-d %B %Y").to_string())
    );
    for n in 0..=10 {
        assert!(
            page.body.contains(&format!("name=\"score\" value=\"{n}\"")),
            "button {n}"
        );
    }
    assert!(page.body.contains("name=\"stiffness\"") && page.body.contains("value=\"both\""));
    assert_links_nowhere(&page);
    // The capability needs no cookie: none is handed out, none is asked for.
    assert_eq!(page.set_cookie("tw_csrf"), None);
    assert!(
        page.header("content-security-policy")
            .unwrap()
            .contains("form-action 'self'")
    );
    assert_eq!(page.header("cache-control"), Some("no-store"));
    assert!(s.pain().is_empty());

    let before = chrono::Utc::now().timestamp_millis();
    let answer = form(&s, &link, "score=2");
    let after = chrono::Utc::now().timestamp_millis();
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(
        answer.body.contains("This morning: <strong>2/10</strong>"),
        "{}",
        answer.body
    );
    assert!(
        answer.body.contains("No run in the last 30 hours"),
        "{}",
        answer.body
    );
    assert_links_nowhere(&answer);
    let rows = s.pain();
    assert_eq!(rows.len(), 1, "{rows:?}");
    let r = &rows[0];
    assert_eq!(
        (r.score, r.kind.as_str(), r.stiffness_min, r.side.as_deref()),
        (2.0, "morning", None, None)
    );
    assert_eq!(r.checkin_date, Some(today().to_string()));
    assert!((before..=after).contains(&r.at_ms), "dated when answered");

    // Changed their mind: the second answer replaces the first.
    let again = form(&s, &link, "stiffness=15&side=left&score=4");
    assert_eq!(again.status, 200, "{}", again.body);
    let rows = s.pain();
    assert_eq!(rows.len(), 1, "one entry, never two: {rows:?}");
    assert_eq!(
        (
            rows[0].score,
            rows[0].stiffness_min,
            rows[0].side.as_deref()
        ),
        (4.0, Some(15.0), Some("left"))
    );
    // Opened again, the link shows the answer and still offers the form.
    let shown = s.server.get(&link, None);
    assert!(
        shown.body.contains("This morning: <strong>4/10</strong>"),
        "{}",
        shown.body
    );
    assert!(shown.body.contains("Changed your mind?"));

    // A form without a score, or with a time or a note: nothing else is taken.
    let bad = form(&s, &link, "stiffness=5");
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert!(bad.body.contains("Choose a pain score"), "{}", bad.body);
    let odd = form(&s, &link, "score=3&at=2020-01-01T07:00&note=hi&kind=after");
    assert_eq!(odd.status, 200, "{}", odd.body);
    let rows = s.pain();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].score, rows[0].kind.as_str()), (3.0, "morning"));
    assert!(rows[0].at_ms > before, "dated now, not by the form");
}

#[test]
fn every_refused_link_gets_the_same_expired_page_and_writes_nothing() {
    let s = Served::start(Tw::new());
    let good = s.key.sign("", today());
    let mac = good.rsplit('.').next().unwrap().to_string();
    let flipped = format!(
        "{}{}",
        &good[..good.len() - 1],
        if good.ends_with('0') { "1" } else { "0" }
    );
    let yesterday = today().pred_opt().unwrap();
    let tomorrow = today().succ_opt().unwrap();
    let refused = [
        ("altered", flipped),
        ("yesterday's", s.key.sign("", yesterday)),
        ("tomorrow's", s.key.sign("", tomorrow)),
        ("another date on today's MAC", format!("{tomorrow}.{mac}")),
        ("another runner's", s.key.sign("ben", today())),
        (
            "a runner's name on this MAC",
            format!("{}.ben.{mac}", today()),
        ),
        (
            "another install's",
            Key::from_bytes([9; 32]).sign("", today()),
        ),
        ("garbage", "not-a-token".to_string()),
        ("upper-case hex", good.to_uppercase()),
    ];
    let before = util::dump_tables(&s.tw.conn(), util::FORM_TABLES);
    let expired = s.server.get(&format!("/checkin/{}", refused[0].1), None);
    assert_eq!(expired.status, 404);
    assert!(
        expired.body.contains("This link has expired"),
        "{}",
        expired.body
    );
    assert_links_nowhere(&expired);
    for (what, token) in &refused {
        let link = format!("/checkin/{token}");
        for r in [
            s.server.get(&link, None),
            form(&s, &link, "score=7"),
            form(&s, &format!("{link}/same"), ""),
        ] {
            assert_eq!((r.status, &r.body), (404, &expired.body), "{what}: {token}");
        }
    }
    assert_eq!(util::dump_tables(&s.tw.conn(), util::FORM_TABLES), before);
    // The good one still works.
    assert_eq!(form(&s, &format!("/checkin/{good}"), "score=1").status, 200);
    assert_eq!(s.pain().len(), 1);
}

#[test]
fn a_post_from_another_site_is_refused_and_writes_nothing() {
    let s = Served::start(Tw::new());
    let link = s.link();
    let post = |origin: &str, path: &str| {
        let headers = vec![
            (
                "Content-Type".to_string(),
                "application/x-www-form-urlencoded".to_string(),
            ),
            ("Origin".to_string(), origin.to_string()),
        ];
        s.server.request("POST", path, &headers, b"score=6")
    };
    for origin in [
        "http://evil.example",
        "null",
        "https://127.0.0.1.evil.example",
    ] {
        let r = post(origin, &link);
        assert_eq!(r.status, 403, "{origin}: {}", r.body);
        assert!(r.body.contains("nothing was logged"), "{}", r.body);
        assert_links_nowhere(&r);
        assert_eq!(post(origin, &format!("{link}/same")).status, 403);
    }
    assert!(s.pain().is_empty());
    // A loopback dashboard answers on loopback names only, links included.
    let headers = vec![("Host".to_string(), "evil.example".to_string())];
    assert_eq!(s.server.request("GET", &link, &headers, b"").status, 403);
    // The page's own origin is this site.
    let own = format!("http://{}", s.server.local_addr());
    assert_eq!(post(&own, &link).status, 200);
    assert_eq!(s.pain().len(), 1);
}

#[test]
fn same_as_yesterday_logs_yesterdays_morning_as_todays() {
    let s = Served::start(Tw::new());
    let same = format!("{}/same", s.link());
    // Nothing yesterday: nothing to repeat, nothing written.
    let none = s.server.request("POST", &same, &[], b"");
    assert_eq!(none.status, 409, "{}", none.body);
    assert!(none.body.starts_with("Nothing logged"), "{}", none.body);
    assert!(s.pain().is_empty());

    s.log_morning(
        "4",
        &yesterday_at("07:10"),
        &["--stiffness", "20", "--side", "left"],
    );
    // ntfy's http action: a bare POST, no body, no cookie, no Origin.
    let r = s.server.request("POST", &same, &[], b"");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.header("content-type").unwrap().starts_with("text/plain"));
    assert!(
        r.body
            .starts_with("Logged 4/10 for this morning, the same as yesterday. "),
        "{}",
        r.body
    );
    let rows = s.pain();
    assert_eq!(rows.len(), 2, "{rows:?}");
    let entry = &rows[1];
    assert_eq!(
        (
            entry.score,
            entry.kind.as_str(),
            entry.stiffness_min,
            entry.side.as_deref(),
            entry.checkin_date.clone()
        ),
        (
            4.0,
            "morning",
            Some(20.0),
            Some("left"),
            Some(today().to_string())
        )
    );
    // Twice is still one answer for this morning.
    assert_eq!(s.server.request("POST", &same, &[], b"").status, 200);
    assert_eq!(s.pain().len(), 2);
}

#[test]
fn the_answer_says_what_the_24_hour_rule_says_after_yesterdays_hills() {
    let tw = Tw::new();
    checkin::season_with_hills_yesterday(&tw);
    let s = Served::start(tw);
    let link = s.link();
    let r = form(&s, &link, "score=3");
    assert_eq!(r.status, 200, "{}", r.body);
    let body = r.body.replace("&#39;", "'");
    let verdict = body
        .split("<p class=\"judged\">")
        .nth(1)
        .and_then(|rest| rest.split("</p>").next())
        .unwrap_or_else(|| panic!("no verdict in {}", r.body));
    assert!(
        verdict.starts_with("3 against your usual 1 after yesterday's hills")
            && verdict.ends_with("— make today easy or rest."),
        "{verdict}"
    );
    // The alert it raised is raised as any other, and shown with the answer.
    let stored: Vec<String> = util::strings(&s.tw.conn(), "SELECT kind FROM alerts");
    assert!(stored.contains(&"pain_24h".to_string()), "{stored:?}");
    assert!(r.body.contains("class=\"alert sev-warn\""), "{}", r.body);
    assert!(r.body.contains("pain 24h"), "{}", r.body);
    assert_links_nowhere(&r);

    // Back to 1: the run can go ahead; the alert is not raised twice.
    let r = form(&s, &link, "score=1");
    assert!(
        r.body
            .replace("&#39;", "'")
            .contains("Back to your baseline of 1 — today's run can go ahead as planned."),
        "{}",
        r.body
    );
    let again: Vec<String> = util::strings(
        &s.tw.conn(),
        "SELECT kind FROM alerts WHERE kind = 'pain_24h'",
    );
    assert_eq!(again.len(), 1);
}

#[test]
fn the_status_page_asks_until_this_morning_is_answered() {
    let s = Served::start(Tw::new());
    let v = s.server.visit();
    let status = s.server.get("/", Some(&v.cookie));
    assert!(
        status.body.contains("How is your Achilles this morning?"),
        "{}",
        status.body
    );
    assert!(status.body.contains("action=\"/morning\""));
    assert_eq!(status.body.matches("name=\"score\"").count(), 11);

    // A logged-in form: its CSRF token is needed.
    let forged = s.server.post_form("/morning", Some(&v.cookie), "score=2");
    assert_eq!(forged.status, 403);
    assert!(s.pain().is_empty());
    let r = s
        .server
        .post_form("/morning", Some(&v.cookie), &v.form("score=2&side=both"));
    assert_eq!(
        (r.status, r.header("location")),
        (303, Some("/#morning")),
        "{}",
        r.body
    );
    let rows = s.pain();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (
            rows[0].score,
            rows[0].kind.as_str(),
            rows[0].side.as_deref(),
            rows[0].checkin_date.clone()
        ),
        (2.0, "morning", Some("both"), Some(today().to_string()))
    );
    let status = s.server.get("/", Some(&v.cookie));
    assert!(
        !status.body.contains("action=\"/morning\""),
        "answered: no question"
    );
    assert!(status.body.contains("This morning: <strong>2/10</strong>"));
    assert!(status.body.contains("No run in the last 30 hours"));
    // The link of the same morning shows the same answer, and replaces it.
    assert!(s.server.get(&s.link(), None).body.contains("2/10"));
    form(&s, &s.link(), "score=1");
    assert_eq!(s.pain().len(), 1);
}

#[test]
fn a_household_link_writes_only_its_runners_store_and_forged_names_are_refused() {
    let h = Household::new();
    let server = h.serve();
    let key_path = h.tw.root().join("state/checkin.key");
    assert!(key_path.exists(), "serve makes the household's key");
    let key = Key::load_or_create(&key_path).unwrap();
    let zone = tendonwatch::zone::Zone::system();
    let today = |ms| tendonwatch::checkin::schedule::local_date(&zone, ms).unwrap();
    let date = today(chrono::Utc::now().timestamp_millis());
    let ann = key.sign("ann", date);
    let bob_before = h.snapshot("bob");
    let ann_before = pain_rows(&h.store("ann")).len();

    // bob's name with ann's MAC, ann's MAC without a name, a coach, nobody.
    let ann_mac = ann.rsplit('.').next().unwrap();
    for forged in [
        format!("{date}.bob.{ann_mac}"),
        format!("{date}.{ann_mac}"),
        key.sign("", date),
        key.sign("kim", date),
        key.sign("dora", date),
    ] {
        let link = format!("/checkin/{forged}");
        assert_eq!(server.get(&link, None).status, 404, "{forged}");
        assert_eq!(
            server.post_form(&link, None, "score=9").status,
            404,
            "{forged}"
        );
        assert_eq!(
            server.post_form(&format!("{link}/same"), None, "").status,
            404
        );
    }
    assert_eq!(h.snapshot("bob"), bob_before);
    assert_eq!(pain_rows(&h.store("ann")).len(), ann_before);

    // ann's own link, without logging in: her store only, her name nowhere else.
    let page = server.get(&format!("/checkin/{ann}"), None);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(!page.body.contains("bob") && !page.body.contains("kim"));
    assert_links_nowhere(&page);
    let r = server.post_form(&format!("/checkin/{ann}"), None, "score=3");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(!r.body.contains("bob-private-heel-note"));
    // One morning entry of today in ann's store: the answer (a morning she
    // logged earlier today, if any, is replaced by it).
    let rows = pain_rows(&h.store("ann"));
    let mornings_today: Vec<_> = rows
        .iter()
        .filter(|r| r.kind == "morning" && today(r.at_ms) == date)
        .collect();
    assert_eq!(mornings_today.len(), 1, "{rows:?}");
    assert_eq!(
        (
            mornings_today[0].score,
            mornings_today[0].checkin_date.clone()
        ),
        (3.0, Some(date.to_string()))
    );
    assert!(rows.len() == ann_before || rows.len() == ann_before + 1);
    assert_eq!(h.snapshot("bob"), bob_before);
    // "Same as yesterday" on ann's link reads ann's yesterday only: she
    // has none (bob's morning is in his store).
    let same = server.post_form(&format!("/checkin/{ann}/same"), None, "");
    assert_eq!(same.status, 409, "{}", same.body);
    assert_eq!(h.snapshot("bob"), bob_before);
    // cy cannot log in yet, but her link is her morning's form.
    let cy = key.sign("cy", date);
    assert_eq!(server.get(&format!("/checkin/{cy}"), None).status, 200);
    // The dashboard itself still wants a login.
    let r = server.get("/r/ann/", None);
    assert_eq!((r.status, r.header("location")), (303, Some("/login")));
}
