//! A household's dashboard over real HTTP (issue 13, point 3): three
//! runners in one config, each with their own login, store and pages under
//! `/r/NAME/`, and a coach who sees two of them read-only.
//!
//! - A runner asking for another runner's pages, activities, pain or
//!   alerts — by path or by id — gets exactly the 404 of a page that does
//!   not exist, on every page, form and JSON endpoint, and nothing changes.
//! - A coach gets an overview and read-only pages, and 403 on every write.
//! - Sessions, CSRF tokens, the login delay and the host check work per
//!   account.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "util/dashboard.rs"]
mod dashboard;
#[path = "util/household.rs"]
mod household;
mod util;

use household::{Household, login};
use std::process::Stdio;
use util::Tw;

/// Every page and JSON answer of a runner (`{id}`: an activity id).
const PAGES: &[&str] = &[
    "/",
    "/load",
    "/load?weeks=104",
    "/activities",
    "/activities?all=1",
    "/activity/{id}",
    "/pain",
    "/visa-a",
    "/report",
    "/alerts",
    "/alerts?state=all",
    "/export.zip",
    "/api/status",
    "/api/load?weeks=10",
    "/api/activities",
    "/api/activities/{id}",
    "/api/pain?days=60",
    "/api/visa-a",
    "/api/alerts?state=all",
    "/api/report?weeks=12",
];

/// Every form of a runner, with a body that would be accepted (`{id}`: an
/// activity id, `{alert}`: an alert id).
const FORMS: &[(&str, &str)] = &[
    ("/pain", "score=3&kind=morning&note=intruder"),
    ("/visa-a", "q1=5&q2=5&q3=5&q4=5&q5=5&q6=5&q7=4&q8=b%3A10"),
    ("/alerts/{alert}/ack", ""),
    ("/activity/{id}/surface", "surface=sand"),
    ("/activity/{id}/sport", "sport=cycling"),
    ("/activity/{id}/start", "start=2026-01-05T07%3A00"),
];

/// A logged-in visitor: their cookies and their forms' token.
fn fill(path: &str, id: i64, alert: i64) -> String {
    path.replace("{id}", &id.to_string())
        .replace("{alert}", &alert.to_string())
}

#[test]
fn a_runner_sees_only_their_own_and_anyone_else_s_is_a_404() {
    let h = Household::new();
    let server = h.serve();
    let ann = login(&server, "ann", "ann's long password");

    // Her own pages, every one.
    for p in PAGES {
        let path = format!("/r/ann{}", fill(p, 1, 1));
        let r = server.get(&path, Some(&ann.cookie));
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        assert!(!r.body.contains("bob-private-heel-note"), "{path}");
    }
    let mine = server
        .get("/r/ann/api/activities", Some(&ann.cookie))
        .json();
    assert_eq!(mine["total"], 17, "{mine}");
    // An old bookmark finds her own page.
    let r = server.get("/activities?all=1", Some(&ann.cookie));
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/r/ann/activities?all=1"));

    // Another runner's pages, one who has none, one who does not exist:
    // the same 404, page by page.
    let nobody = server.get("/r/zed/pain", Some(&ann.cookie));
    assert_eq!(nobody.status, 404);
    for other in ["bob", "cy", "zed", "kim"] {
        for p in PAGES {
            let path = format!("/r/{other}{}", fill(p, 1, 1));
            let r = server.get(&path, Some(&ann.cookie));
            assert_eq!(r.status, 404, "{path}: {}", r.body);
            assert!(!r.body.contains("bob-private-heel-note"), "{path}");
            if p.starts_with("/api/") {
                assert_eq!(r.json()["error"], "There is no such page.", "{path}");
            } else {
                assert_eq!(r.body, nobody.body, "{path} tells more than a missing page");
            }
        }
    }
    assert_eq!(server.get("/athletes", Some(&ann.cookie)).status, 404);

    // Bob's activity and alert ids that ann's store does not have.
    let bob_run = h.max_id("bob", "activities");
    assert!(bob_run > h.max_id("ann", "activities"));
    for p in ["/r/ann/activity/{id}", "/r/ann/api/activities/{id}"] {
        let path = fill(p, bob_run, 0);
        assert_eq!(server.get(&path, Some(&ann.cookie)).status, 404, "{path}");
    }
    let bob_alert = h.max_id("bob", "alerts").max(h.max_id("ann", "alerts")) + 1;

    // Every form, at bob's pages and at bob's ids, with ann's valid token.
    let (ann_before, bob_before) = (h.snapshot("ann"), h.snapshot("bob"));
    for (p, body) in FORMS {
        let mut paths = vec![
            format!("/r/bob{}", fill(p, 1, 1)),
            format!("/r/cy{}", fill(p, 1, 1)),
        ];
        if p.contains('{') {
            paths.push(format!("/r/ann{}", fill(p, bob_run, bob_alert)));
        }
        for path in paths {
            let form = format!("csrf={}&{body}", ann.token);
            let r = server.post_form(&path, Some(&ann.cookie), &form);
            assert_eq!(r.status, 404, "{path}: {}", r.body);
        }
    }
    assert_eq!(h.snapshot("ann"), ann_before);
    assert_eq!(h.snapshot("bob"), bob_before);

    // Her own form works with the same token.
    let r = server.post_form(
        "/r/ann/pain",
        Some(&ann.cookie),
        &format!("csrf={}&score=1&kind=morning", ann.token),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(
        r.header("location")
            .unwrap()
            .starts_with("/r/ann/pain?saved="),
        "{r:?}"
    );
    assert_eq!(
        util::count(&util::open(&h.store("ann")), "pain"),
        2,
        "ann's entry went to ann"
    );
    assert_eq!(h.snapshot("bob"), bob_before);
}

#[test]
fn a_coach_reads_an_overview_and_their_athletes_pages_and_every_write_is_a_403() {
    let h = Household::new();
    let server = h.serve();
    let kim = login(&server, "kim", "kim's long password");

    let home = server.get("/", Some(&kim.cookie));
    assert_eq!(home.header("location"), Some("/athletes"));
    let overview = server.get("/athletes", Some(&kim.cookie));
    assert_eq!(overview.status, 200);
    let b = &overview.body;
    assert!(
        b.contains("data-runner=\"ann\"") && b.contains("data-runner=\"bob\""),
        "{b}"
    );
    assert!(!b.contains("data-runner=\"cy\""), "cy is not kim's athlete");
    // This week, open alerts and the last morning pain of each.
    let bob_card = &b[b.find("data-runner=\"bob\"").unwrap()..];
    assert!(bob_card.contains("5/10"), "{bob_card}");
    assert!(bob_card.contains("Last 7 days"), "{bob_card}");
    let ann_card =
        &b[b.find("data-runner=\"ann\"").unwrap()..b.find("data-runner=\"bob\"").unwrap()];
    assert!(ann_card.contains("open alert"), "{ann_card}");
    assert!(ann_card.contains("2/10"), "{ann_card}");

    // Read-only pages of each athlete: nothing to post but "log out".
    for who in ["ann", "bob"] {
        for p in PAGES {
            let path = format!("/r/{who}{}", fill(p, 1, 1));
            let r = server.get(&path, Some(&kim.cookie));
            assert_eq!(r.status, 200, "{path}: {}", r.body);
            if !p.starts_with("/api/") && !p.starts_with("/export") {
                assert_eq!(
                    r.body.matches("method=\"post\"").count(),
                    1,
                    "{path}: {}",
                    r.body
                );
                assert!(r.body.contains("action=\"/logout\""), "{path}");
                assert!(r.body.contains("(read-only)"), "{path}");
            }
        }
    }
    assert!(
        server
            .get("/r/bob/pain", Some(&kim.cookie))
            .body
            .contains("bob-private-heel-note"),
        "the coach reads bob's log"
    );
    // Written about the runner, not to the reader.
    let status = server.get("/r/ann/", Some(&kim.cookie)).body;
    assert!(status.contains("Where ann stands"), "{status}");
    // Not kim's athlete: 404, like a runner asking.
    assert_eq!(server.get("/r/cy/", Some(&kim.cookie)).status, 404);

    // Every write: 403, with or without a valid token; nothing changes.
    let before: Vec<_> = ["ann", "bob"].iter().map(|w| h.snapshot(w)).collect();
    for who in ["ann", "bob"] {
        for (p, body) in FORMS {
            let path = format!("/r/{who}{}", fill(p, 1, 1));
            for form in [format!("csrf={}&{body}", kim.token), body.to_string()] {
                let r = server.post_form(&path, Some(&kim.cookie), &form);
                assert_eq!(r.status, 403, "{path}: {}", r.body);
                assert!(r.body.contains("read-only"), "{path}: {}", r.body);
            }
        }
    }
    let r = server.post_form(
        "/athletes",
        Some(&kim.cookie),
        &format!("csrf={}", kim.token),
    );
    assert_eq!(r.status, 403);
    let after: Vec<_> = ["ann", "bob"].iter().map(|w| h.snapshot(w)).collect();
    assert_eq!(before, after);
}

#[test]
fn sessions_tokens_delay_and_host_check_are_per_account() {
    let h = Household::new();
    let server = h.serve();

    // Not logged in: the login page, nothing else.
    assert_eq!(
        server.get("/r/ann/", None).header("location"),
        Some("/login")
    );
    assert_eq!(server.get("/r/ann/api/status", None).status, 401);
    let login_page = server.get("/login", None);
    assert!(
        login_page.body.contains("name=\"name\""),
        "{}",
        login_page.body
    );
    let csrf = login_page.set_cookie("tw_csrf").unwrap();
    let cookie = format!("tw_csrf={csrf}");

    // A wrong password, a name that is no account, an account without a
    // password: the same words, the same wait.
    for body in [
        "name=ann&password=bob%27s+long+password",
        "name=zed&password=ann%27s+long+password",
        "name=cy&password=anything+at+all",
        "name=&password=ann%27s+long+password",
    ] {
        let started = std::time::Instant::now();
        let r = server.post_form("/login", Some(&cookie), &format!("csrf={csrf}&{body}"));
        assert_eq!(r.status, 401, "{body}");
        assert!(r.body.contains("Wrong name or password."), "{body}");
        assert!(r.set_cookie("tw_session").is_none());
        assert!(
            started.elapsed() >= std::time::Duration::from_millis(900),
            "{body}"
        );
    }

    let ann = login(&server, "ann", "ann's long password");
    let bob = login(&server, "bob", "bob's long password");
    // A token rendered for ann does not post under bob's session.
    let crossed = format!(
        "{}; {}",
        bob.cookie.split("; ").nth(1).unwrap(),
        ann.cookie.split("; ").next().unwrap()
    );
    let r = server.post_form(
        "/r/bob/pain",
        Some(&crossed),
        &format!("csrf={}&score=1&kind=morning", ann.token),
    );
    assert_eq!(r.status, 403, "{}", r.body);
    // The logins are kept in household.db, by account, as hashes only.
    let sessions = util::open(&h.tw.root().join("state/household.db"));
    let accounts: Vec<String> = sessions
        .prepare("SELECT account FROM web_sessions ORDER BY account")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(accounts, ["ann", "bob"]);
    let stored = util::dump_table(&sessions, "web_sessions", &[]).join("\n");
    for s in [&ann.cookie, &bob.cookie] {
        let token = s.split("tw_session=").nth(1).unwrap();
        assert!(!stored.contains(token));
    }
    for who in ["ann", "bob"] {
        assert_eq!(util::count(&util::open(&h.store(who)), "web_sessions"), 0);
    }

    // Logging out ends ann's session only.
    let r = server.post_form("/logout", Some(&ann.cookie), &format!("csrf={}", ann.token));
    assert_eq!(r.status, 303);
    assert_eq!(server.get("/r/ann/", Some(&ann.cookie)).status, 303);
    assert_eq!(server.get("/r/bob/", Some(&bob.cookie)).status, 200);

    // The host check holds for every account.
    let r = server.request(
        "GET",
        "/r/bob/",
        &[
            ("Host".to_string(), "evil.example".to_string()),
            ("Cookie".to_string(), bob.cookie.clone()),
        ],
        b"",
    );
    assert_eq!(r.status, 403);
}

#[test]
fn a_login_s_queue_does_not_tell_whether_the_name_is_an_account() {
    let h = Household::new();
    let server = h.serve();
    let csrf = server.get("/login", None).set_cookie("tw_csrf").unwrap();
    let cookie = format!("tw_csrf={csrf}");
    let attempt = |name: &str| {
        let body = format!("csrf={csrf}&name={name}&password=a+wrong+password");
        let r = server.post_form("/login", Some(&cookie), &body);
        assert_eq!(r.status, 401, "{name}: {}", r.body);
    };
    // A wrong password for `name` at the same time as one for a name that
    // is no account. Attempts wait in line by name; were the names that are
    // no account all in one line, an attacker would see which are by the
    // pair taking two waits instead of one. (A few tries: two names may
    // share a line by chance, whatever they are.)
    for name in ["ann", "kim", "zed", "cy"] {
        let mut took = Vec::new();
        for i in 0..6 {
            let started = std::time::Instant::now();
            std::thread::scope(|s| {
                s.spawn(|| attempt(&format!("nobody{i}")));
                attempt(name);
            });
            took.push(started.elapsed());
            if took[i] < std::time::Duration::from_millis(1700) {
                break;
            }
        }
        assert!(
            took.iter()
                .any(|t| *t < std::time::Duration::from_millis(1700)),
            "{name} waits behind names that are no account: {took:?}"
        );
    }
    // Still one attempt at a time for one name.
    let started = std::time::Instant::now();
    std::thread::scope(|s| {
        s.spawn(|| attempt("ann"));
        attempt("ann");
    });
    assert!(started.elapsed() >= std::time::Duration::from_millis(1900));
}

#[test]
fn a_removed_account_s_sessions_end_for_good() {
    let h = Household::new();
    let text = std::fs::read_to_string(&h.config).unwrap();
    let (kim, ann) = {
        let server = h.serve();
        (
            login(&server, "kim", household::KIM_PASSWORD),
            login(&server, "ann", household::ANN_PASSWORD),
        )
    };
    // kim no longer coaches here: her sessions are refused...
    let coach = text.find("[[coach]]").unwrap();
    std::fs::write(&h.config, &text[..coach]).unwrap();
    {
        let server = h.serve();
        let r = server.get("/athletes", Some(&kim.cookie));
        assert_eq!(r.header("location"), Some("/login"), "{}", r.status);
        assert_eq!(server.get("/r/ann/", Some(&ann.cookie)).status, 200);
    }
    // ...and stay refused when the name comes back (another kim, or the
    // same one given other athletes), until she logs in again.
    std::fs::write(&h.config, &text).unwrap();
    let server = h.serve();
    let r = server.get("/athletes", Some(&kim.cookie));
    assert_eq!(r.header("location"), Some("/login"), "{}", r.status);
    assert_eq!(server.get("/r/ann/", Some(&ann.cookie)).status, 200);
    login(&server, "kim", household::KIM_PASSWORD);
}

/// Someone who learnt ann's password and logged in loses her pages once
/// she sets a new one and the dashboard restarts: a session carries a tag
/// of the password it was opened with. Bob's session is untouched.
#[test]
fn a_new_password_ends_the_account_s_old_sessions() {
    let h = Household::new();
    let (ann, bob) = {
        let server = h.serve();
        (
            login(&server, "ann", household::ANN_PASSWORD),
            login(&server, "bob", household::BOB_PASSWORD),
        )
    };
    h.set_password(&["--runner", "ann"], "ann's new long password");
    let server = h.serve();
    let r = server.get("/r/ann/", Some(&ann.cookie));
    assert_eq!(r.header("location"), Some("/login"), "{}", r.status);
    assert_eq!(server.get("/r/bob/", Some(&bob.cookie)).status, 200);
}

#[test]
fn two_runners_on_one_store_are_refused() {
    let h = Household::new();
    let text = std::fs::read_to_string(&h.config).unwrap();
    let bob = h.store("bob");
    let logins = h.tw.root().join("state/household.db");
    for (store, words) in [
        (&bob, "runners \"ann\" and \"bob\" share the store"),
        (&logins, "the household's logins"),
    ] {
        // ann's table copied from bob's, her `db` left as his (or pointing
        // at the logins): she would read and change his runs and pain.
        let edited = text.replacen(
            "name = \"ann\"\n",
            &format!("name = \"ann\"\ndb = \"{}\"\n", store.display()),
            1,
        );
        std::fs::write(&h.config, &edited).unwrap();
        for args in [
            &["config", "check"][..],
            &["--runner", "bob", "pain", "list"],
        ] {
            let mut cmd = h.command();
            cmd.args(args).stdin(Stdio::null());
            let r = Tw::run_command(cmd);
            assert!(!r.status.success(), "{args:?}: {r:?}");
            assert!(r.stderr.contains(words), "{args:?}: {}", r.stderr);
        }
    }
    std::fs::write(&h.config, &text).unwrap();
    h.cli(&["config", "check"]).assert_ok();
}

#[test]
fn set_password_names_the_account_and_keeps_every_comment() {
    let h = Household::new();
    let text = std::fs::read_to_string(&h.config).unwrap();
    assert!(text.starts_with("# our household\n"), "{text}");
    assert_eq!(
        text.matches("password_hash = \"$argon2id$").count(),
        3,
        "{text}"
    );
    let cy = &text[text.find("name = \"cy\"").unwrap()..text.find("[[coach]]").unwrap()];
    assert!(!cy.contains("password_hash"), "{cy}");

    let refused = |args: &[&str], words: &str| {
        let mut cmd = h.command();
        cmd.args(args).stdin(Stdio::null());
        let r = Tw::run_command(cmd);
        assert_eq!(r.status.code(), Some(2), "{args:?}: {r:?}");
        assert!(r.stderr.contains(words), "{args:?}: {}", r.stderr);
        assert_eq!(std::fs::read_to_string(&h.config).unwrap(), text);
    };
    refused(
        &["web", "set-password"],
        "say whose with --runner NAME or --coach NAME",
    );
    refused(
        &["--runner", "zed", "web", "set-password"],
        "no [[runner]] table has that name",
    );
    refused(
        &["web", "set-password", "--coach", "ann"],
        "no [[coach]] table has that name",
    );
}
