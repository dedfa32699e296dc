//! The dashboard over real HTTP on loopback: `tendonwatch serve` as a child
//! process on a seeded store. Every form refuses bad input with a clear
//! message and changes nothing; posts without a valid CSRF token, from
//! another origin or too large are refused; the host check, the login and
//! the security headers hold.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "util/dashboard.rs"]
mod dashboard;
mod util;

use dashboard::{Server, config_with_password, seed_season};
use util::Tw;

fn seeded() -> (Tw, Server) {
    let tw = Tw::new();
    seed_season(&tw);
    let server = Server::start(&tw, None);
    (tw, server)
}

/// What a form must not change: pain, VISA-A, alerts, tags.
fn snapshot(tw: &Tw) -> Vec<Vec<String>> {
    let tables: Vec<&str> = util::FORM_TABLES
        .iter()
        .copied()
        .chain(["web_sessions"])
        .collect();
    util::dump_tables(&tw.conn(), &tables)
}

#[test]
fn every_page_and_api_answers_with_the_security_headers() {
    let (_tw, server) = seeded();
    let pages = [
        "/",
        "/load",
        "/load?weeks=104",
        "/activities",
        "/activities?page=2",
        "/activity/1",
        "/pain",
        "/visa-a",
        "/report",
        "/alerts",
        "/alerts?state=all&kind=run_spike",
        "/login",
    ];
    for p in pages {
        let r = server.get(p, None);
        assert_eq!(r.status, 200, "{p}: {}", r.body);
        assert!(
            r.header("content-type").unwrap().starts_with("text/html"),
            "{p}"
        );
        let csp = r.header("content-security-policy").unwrap();
        assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"));
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(r.header("x-frame-options"), Some("DENY"));
        assert_eq!(r.header("referrer-policy"), Some("same-origin"));
        assert_eq!(r.header("cache-control"), Some("no-store"));
        let cookie = r
            .headers
            .iter()
            .find(|(k, v)| k == "set-cookie" && v.starts_with("tw_csrf="))
            .map(|(_, v)| v.clone())
            .unwrap();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );
        // No external resource: everything comes from this server.
        for external in [
            "src=\"http",
            "href=\"http",
            "href=\"//",
            "url(http",
            "<script",
        ] {
            assert!(!r.body.contains(external), "{p}: {external}");
        }
    }
    for p in [
        "/api/status",
        "/api/load?weeks=10",
        "/api/activities",
        "/api/activities/1",
        "/api/pain?days=60",
        "/api/visa-a",
        "/api/alerts?state=all",
        "/api/report?weeks=12",
    ] {
        let r = server.get(p, None);
        assert_eq!(r.status, 200, "{p}: {}", r.body);
        assert!(
            r.header("content-type")
                .unwrap()
                .starts_with("application/json")
        );
        r.json();
    }
    let status = server.get("/api/status", None).json();
    let kinds: Vec<&str> = status["open_alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"run_spike"), "{status}");
    let load = server.get("/api/load?weeks=10", None).json();
    assert_eq!(load["weeks"].as_array().unwrap().len(), 10);
    let total: f64 = load["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["distance_m"].as_f64().unwrap())
        .sum();
    assert!(total > 200_000.0, "nine weeks of ~24 km: {total}");
}

#[test]
fn api_errors_are_json_and_bad_parameters_are_400() {
    let (_tw, server) = seeded();
    for (p, status) in [
        ("/api/load?weeks=0", 400),
        ("/api/load?weeks=abc", 400),
        ("/api/report?weeks=9999", 400),
        ("/api/alerts?state=maybe", 400),
        ("/api/alerts?kind=nonsense", 400),
        ("/api/pain?days=-1", 400),
        ("/api/activities?page=0", 400),
        ("/api/activities/999", 404),
        ("/api/activities/abc", 404),
    ] {
        let r = server.get(p, None);
        assert_eq!(r.status, status, "{p}: {}", r.body);
        let msg = r.json()["error"].as_str().unwrap().to_string();
        assert!(!msg.is_empty(), "{p}");
    }
    for (p, status) in [
        ("/load?weeks=0", 400),
        ("/activity/999", 404),
        ("/activity/x", 404),
    ] {
        let r = server.get(p, None);
        assert_eq!(r.status, status, "{p}");
        assert!(r.body.contains("class=\"error\""), "{p}: {}", r.body);
    }
}

#[test]
fn posts_without_a_valid_csrf_token_are_refused_and_change_nothing() {
    let (tw, server) = seeded();
    let v = server.visit();
    let before = snapshot(&tw);
    let posts = [
        ("/pain", "score=3&kind=morning"),
        ("/visa-a", "q1=5&q2=5&q3=5&q4=5&q5=5&q6=5&q7=4&q8=b:10"),
        ("/alerts/1/ack", ""),
        ("/activity/1/surface", "surface=sand"),
        ("/activity/1/sport", "sport=cycling"),
        ("/activity/1/start", "start=2026-01-05T07%3A00"),
        ("/logout", ""),
        ("/login", "password=whatever"),
    ];
    for (path, body) in posts {
        // No cookie, no token.
        let r = server.post_form(path, None, body);
        assert_eq!(r.status, 403, "{path} without anything: {}", r.body);
        // The cookie but no token (what a cross-site form would send, were
        // SameSite not there).
        let r = server.post_form(path, Some(&v.cookie), body);
        assert_eq!(r.status, 403, "{path} without a token");
        // A token that is not the cookie's.
        let wrong = format!("csrf={}&{body}", "0".repeat(64));
        let r = server.post_form(path, Some(&v.cookie), &wrong);
        assert_eq!(r.status, 403, "{path} with a wrong token");
        // The right token, but sent from another site.
        let r = server.request(
            "POST",
            path,
            &[
                (
                    "Content-Type".into(),
                    "application/x-www-form-urlencoded".into(),
                ),
                ("Cookie".into(), v.cookie.clone()),
                ("Origin".into(), "http://evil.example".into()),
            ],
            v.form(body).as_bytes(),
        );
        assert_eq!(r.status, 403, "{path} from another origin");
        assert!(r.body.contains("reload the page"), "{}", r.body);
    }
    assert_eq!(snapshot(&tw), before);
    // With everything right, the same post works.
    let r = server.post_form("/pain", Some(&v.cookie), &v.form("score=3&kind=morning"));
    assert_eq!(r.status, 303, "{}", r.body);
    assert_ne!(snapshot(&tw), before);
}

#[test]
fn the_pain_form_refuses_bad_values_with_a_clear_message() {
    let (tw, server) = seeded();
    let v = server.visit();
    let before = snapshot(&tw);
    let long_note = "x".repeat(501);
    let cases: Vec<(String, &str)> = vec![
        ("kind=morning".into(), "Choose a pain score"),
        ("score=11".into(), "0 (none) to 10"),
        ("score=-1".into(), "0 (none) to 10"),
        ("score=abc".into(), "not a number"),
        ("score=NaN".into(), "score"),
        ("score=3&kind=sideways".into(), "sideways"),
        ("score=3&stiffness=-5".into(), "stiffness"),
        ("score=3&stiffness=lots".into(), "lots"),
        ("score=3&side=up".into(), "up"),
        (format!("score=3&note={long_note}"), "500 characters"),
        ("score=3&note=a%07b".into(), "control characters"),
        ("score=3&at=2999-01-01T07:00".into(), "in the future"),
        ("score=3&at=yesterday".into(), "is not a time: use RFC 3339"),
        ("score=3&at=1990-01-01".into(), "ten years ago"),
        ("score=%FF".into(), "not sent as text"),
        ("score=%4".into(), "garbled"),
    ];
    for (body, message) in &cases {
        let r = server.post_form("/pain", Some(&v.cookie), &v.form(body));
        assert_eq!(r.status, 400, "{body}: {}", r.body);
        assert!(
            r.body.to_lowercase().contains(&message.to_lowercase()),
            "{body}: expected {message:?} in {}",
            r.body
        );
        assert!(r.body.contains("role=\"alert\""), "{body}");
    }
    assert_eq!(snapshot(&tw), before, "a refused form changed the store");
    // The form keeps what the runner typed.
    let r = server.post_form("/pain", Some(&v.cookie), &v.form("score=11&note=left+heel"));
    assert!(r.body.contains("value=\"left heel\""), "{}", r.body);
}

#[test]
fn the_visa_a_retag_and_acknowledge_forms_refuse_bad_values() {
    let (tw, server) = seeded();
    let v = server.visit();
    let before = snapshot(&tw);
    let good = "q1=5&q2=5&q3=5&q4=5&q5=5&q6=5&q7=4";
    for (body, message) in [
        (
            format!("{good}&q8=b:10").replace("q1=5", "q1=11"),
            "question 1",
        ),
        (
            format!("{good}&q8=b:10").replace("q7=4", "q7=5"),
            "question 7",
        ),
        (good.to_string(), "Question 8 has no answer"),
        (format!("{good}&q8=d:3"), "not a, b or c"),
        (format!("{good}&q8=a:5"), "8a"),
        (format!("{good}&q8=ab:7"), "not one of the choices"),
        ("q8=a:30".to_string(), "Question 1 has no answer"),
        (
            format!("{good}&q8=b:10").replace("q3=5", "q3=three"),
            "not a number",
        ),
    ] {
        let r = server.post_form("/visa-a", Some(&v.cookie), &v.form(&body));
        assert_eq!(r.status, 400, "{body}: {}", r.body);
        assert!(r.body.contains(message), "{body}: expected {message:?}");
    }
    for (path, body, status, message) in [
        ("/activity/1/surface", "surface=lava", 400, "not a surface"),
        ("/activity/1/surface", "", 400, "Choose a surface"),
        (
            "/activity/999/surface",
            "surface=sand",
            404,
            "no activity 999",
        ),
        ("/activity/abc/surface", "surface=sand", 404, "no activity"),
        ("/activity/1/sport", "sport=lava", 400, "unknown sport"),
        ("/activity/1/sport", "", 400, "Choose a sport"),
        (
            "/activity/999/sport",
            "sport=cycling",
            404,
            "no activity 999",
        ),
        ("/activity/1/start", "start=soon", 400, "is not a time"),
        (
            "/activity/1/start",
            "start=1985-01-01T07%3A00",
            400,
            "from 1990 to today",
        ),
        ("/activity/1/start", "", 400, "Give the time"),
        (
            "/activity/999/start",
            "start=2026-01-05T07%3A00",
            404,
            "no activity 999",
        ),
        ("/alerts/999/ack", "", 404, "not open"),
        ("/alerts/-1/ack", "", 404, "no alert"),
        ("/nowhere", "", 404, "no such page"),
    ] {
        let r = server.post_form(path, Some(&v.cookie), &v.form(body));
        assert_eq!(r.status, status, "{path} {body}: {}", r.body);
        assert!(
            r.body.contains(message),
            "{path}: expected {message:?} in {}",
            r.body
        );
    }
    assert_eq!(snapshot(&tw), before);
    // Acknowledging twice: the second says it is not open, nothing changes.
    let r = server.post_form("/alerts/1/ack", Some(&v.cookie), &v.form(""));
    assert_eq!(r.status, 303);
    let after_ack = snapshot(&tw);
    let r = server.post_form("/alerts/1/ack", Some(&v.cookie), &v.form(""));
    assert_eq!(r.status, 404);
    assert_eq!(snapshot(&tw), after_ack);
}

#[test]
fn oversized_bodies_are_refused_and_change_nothing() {
    let (tw, server) = seeded();
    let v = server.visit();
    let before = snapshot(&tw);
    let note = "x".repeat(64 * 1024);
    let r = server.post_form(
        "/pain",
        Some(&v.cookie),
        &v.form(&format!("score=3&note={note}")),
    );
    assert_eq!(r.status, 413, "{}", r.body);
    // Even with the token last, after the limit.
    let r = server.post_form(
        "/pain",
        Some(&v.cookie),
        &format!("score=3&note={note}&csrf={}", v.token),
    );
    assert_eq!(r.status, 413);
    // Huge headers are refused too.
    let r = server.request(
        "GET",
        "/",
        &[("X-Filler".into(), "y".repeat(1024 * 1024))],
        b"",
    );
    assert!(r.status == 431 || r.status == 400, "{}", r.status);
    assert_eq!(snapshot(&tw), before);
}

#[test]
fn no_path_reaches_a_file_and_only_loopback_names_are_answered() {
    let (_tw, server) = seeded();
    for p in [
        "/static/../Cargo.toml",
        "/static/%2e%2e/%2e%2e/etc/passwd",
        "/static/..%2f..%2fetc%2fpasswd",
        "/..%2f..%2f..%2fetc/passwd",
        "//etc/passwd",
        "/static/style.css/../../../etc/passwd",
        "/activity/..%2f..%2f1",
    ] {
        let r = server.get(p, None);
        assert!(r.status == 404 || r.status == 400, "{p}: {}", r.status);
        assert!(
            !r.body.contains("root:") && !r.body.contains("[package]"),
            "{p}"
        );
    }
    let css = server.get("/static/style.css", None);
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").unwrap().starts_with("text/css"));
    // DNS rebinding: a page on evil.example resolving to 127.0.0.1.
    for host in [
        "evil.example",
        "evil.example:8417",
        "127.0.0.1.evil.example",
    ] {
        let r = server.request("GET", "/api/status", &[("Host".into(), host.into())], b"");
        assert_eq!(r.status, 403, "{host}");
    }
    let port = server.addr.port();
    for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}")] {
        let r = server.request("GET", "/api/status", &[("Host".into(), host.clone())], b"");
        assert_eq!(r.status, 200, "{host}");
    }
}

#[test]
fn good_forms_change_the_store_and_redirect() {
    let (tw, server) = seeded();
    let v = server.visit();
    let r = server.post_form(
        "/pain",
        Some(&v.cookie),
        &v.form("score=4&kind=morning&stiffness=20&side=left&note=stairs+hurt"),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(r.header("location").unwrap().starts_with("/pain?saved="));
    let pain = server.get("/api/pain", None).json();
    let e = &pain["entries"][0];
    assert_eq!(
        (e["score"].as_f64(), e["kind"].as_str()),
        (Some(4.0), Some("morning"))
    );
    assert_eq!(e["note"], "stairs hurt");
    assert_eq!(e["side"], "left");
    let page = server.get(r.header("location").unwrap(), Some(&v.cookie));
    assert!(page.body.contains("Saved"), "{}", page.body);

    let r = server.post_form(
        "/activity/1/surface",
        Some(&v.cookie),
        &v.form("surface=sand"),
    );
    assert_eq!(r.status, 303);
    let a = server.get("/api/activities/1", None).json();
    assert_eq!(a["metrics"]["surface"], "sand");
    assert_eq!(a["tagged"], true);
    let r = server.post_form(
        "/activity/1/surface",
        Some(&v.cookie),
        &v.form("surface=auto"),
    );
    assert_eq!(r.status, 303);
    assert_eq!(
        server.get("/api/activities/1", None).json()["tagged"],
        false
    );

    // The runner's word on the sport: a ride, then a run again.
    let r = server.post_form(
        "/activity/1/sport",
        Some(&v.cookie),
        &v.form("sport=cycling"),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let a = server.get("/api/activities/1", None).json();
    assert_eq!(a["activity"]["sport"], "cycling");
    assert_eq!(a["activity"]["sport_status"], "runner");
    assert_eq!(a["metrics"]["cross_training"], true);
    let page = server.get(r.header("location").unwrap(), Some(&v.cookie));
    assert!(page.body.contains("Sport saved: cycling."), "{}", page.body);
    let r = server.post_form(
        "/activity/1/sport",
        Some(&v.cookie),
        &v.form("sport=running"),
    );
    assert_eq!(r.status, 303);
    let a = server.get("/api/activities/1", None).json();
    assert_eq!(a["metrics"]["cross_training"], false);

    let r = server.post_form(
        "/visa-a",
        Some(&v.cookie),
        &v.form("q1=7&q2=8&q3=9&q4=10&q5=6&q6=5&q7=7&q8=b%3A14"),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.header("location"), Some("/pain?visa=66"));
    assert_eq!(tw.count("visa_a"), 1);

    let open = server.get("/api/alerts", None).json();
    let id = open[0]["id"].as_i64().unwrap();
    let r = server.post_form(&format!("/alerts/{id}/ack"), Some(&v.cookie), &v.form(""));
    assert_eq!(r.status, 303);
    let acked = server.get("/api/alerts?state=acknowledged", None).json();
    assert_eq!(acked[0]["id"].as_i64(), Some(id));
}

fn set_password(tw: &Tw, config: &std::path::Path, password: &str) {
    let mut cmd = tw.bare_command();
    cmd.arg("--config")
        .arg(config)
        .args(["web", "set-password"]);
    dashboard::set_password(cmd, password);
}

#[test]
fn with_a_password_nothing_is_shown_before_login_and_a_wrong_one_waits() {
    let tw = Tw::new();
    seed_season(&tw);
    let config = config_with_password(&tw, "calf raise 3x15");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.contains("password_hash = \"$argon2id$"), "{text}");
    assert!(
        !text.contains("calf raise"),
        "the password itself is never stored"
    );
    let server = Server::start(&tw, Some(&config));

    let r = server.get("/", None);
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/login"));
    assert_eq!(server.get("/api/status", None).status, 401);
    assert_eq!(server.get("/activity/1", None).status, 303);
    let login = server.get("/login", None);
    assert_eq!(login.status, 200);
    let token = login.set_cookie("tw_csrf").unwrap();
    let cookie = format!("tw_csrf={token}");

    let started = std::time::Instant::now();
    let r = server.post_form(
        "/login",
        Some(&cookie),
        &format!("csrf={token}&password=calf+raise+3x16"),
    );
    assert_eq!(r.status, 401);
    assert!(started.elapsed() >= std::time::Duration::from_millis(900));
    assert!(r.body.contains("Wrong password."), "{}", r.body);
    assert!(r.set_cookie("tw_session").is_none());
    // No hint: an empty password gets the same words.
    let r = server.post_form("/login", Some(&cookie), &format!("csrf={token}&password="));
    assert_eq!(r.status, 401);
    assert!(r.body.contains("Wrong password."));

    let r = server.post_form(
        "/login",
        Some(&cookie),
        &format!("csrf={token}&password=calf+raise+3x15"),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let session_header = r
        .headers
        .iter()
        .find(|(k, v)| k == "set-cookie" && v.starts_with("tw_session="))
        .map(|(_, v)| v.clone())
        .unwrap();
    assert!(session_header.contains("HttpOnly") && session_header.contains("SameSite=Strict"));
    let session = r.set_cookie("tw_session").unwrap();
    let both = format!("{cookie}; tw_session={session}");
    assert_eq!(server.get("/", Some(&both)).status, 200);
    assert_eq!(server.get("/api/status", Some(&both)).status, 200);
    // The store keeps a hash of the session token, never the token.
    let stored = util::dump_table(&tw.conn(), "web_sessions", &[]);
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].contains(&session));

    // The forms now carry a token bound to this session: the one from
    // before the login no longer posts.
    let page = server.get("/", Some(&both));
    let bound = dashboard::form_token(&page.body).unwrap();
    assert_ne!(bound, token);
    let r = server.post_form("/logout", Some(&both), &format!("csrf={token}"));
    assert_eq!(r.status, 403);
    let r = server.post_form("/logout", Some(&both), &format!("csrf={bound}"));
    assert_eq!(r.status, 303);
    assert_eq!(server.get("/", Some(&both)).status, 303, "logged out");
}

#[test]
fn a_non_loopback_bind_without_a_password_is_refused() {
    let tw = Tw::new();
    let r = tw.run(&["serve", "--bind", "0.0.0.0:0"]);
    assert_eq!(r.status.code(), Some(2), "{r:?}");
    assert!(r.stderr.contains("set a password first"), "{}", r.stderr);
    let r = tw.run(&["serve", "--bind", "not-an-address"]);
    assert_eq!(r.status.code(), Some(2));
    assert!(
        r.stderr.contains("give an address and port"),
        "{}",
        r.stderr
    );
    // In the config as well: the config does not load.
    let config = tw.root().join("open.toml");
    std::fs::write(&config, "[web]\nbind = \"0.0.0.0:8417\"\n").unwrap();
    let r = tw.run(&["--config", config.to_str().unwrap(), "serve"]);
    assert_ne!(r.status.code(), Some(0));
    assert!(r.stderr.contains("set a password first"), "{}", r.stderr);
    // Too short a password changes nothing.
    let before = std::fs::read_to_string(&config).unwrap();
    let mut cmd = tw.bare_command();
    cmd.arg("--config")
        .arg(&config)
        .args(["web", "set-password"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    use std::io::Write;
    writeln!(child.stdin.take().unwrap(), "short").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 8 characters"));
    assert_eq!(std::fs::read_to_string(&config).unwrap(), before);
    // With a password, that config loads; the file keeps its mode.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o640)).unwrap();
    set_password(&tw, &config, "long enough now");
    let mode = std::fs::metadata(&config).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    assert!(
        std::fs::read_to_string(&config)
            .unwrap()
            .contains("0.0.0.0:8417")
    );
    let r = tw.run(&["--config", config.to_str().unwrap(), "config", "check"]);
    assert!(r.status.success(), "{r:?}");
}

#[test]
fn the_daemon_serves_the_dashboard_when_enabled_and_new_runs_show_up() {
    let tw = Tw::new();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let config = tw.root().join("tendonwatch.toml");
    std::fs::write(
        &config,
        format!(
            "[watch]\ndebounce_ms = 200\n\n[web]\nenabled = true\nbind = \"127.0.0.1:{port}\"\n"
        ),
    )
    .unwrap();
    let mut cmd = tw.command();
    cmd.arg("--config")
        .arg(&config)
        .arg("watch")
        .arg(tw.sync())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = cmd.spawn().unwrap();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let server = Server::attach(addr);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let answered = |server: &Server, path: &str| -> Option<serde_json::Value> {
        std::net::TcpStream::connect(server.addr).ok()?;
        let r = server.get(path, None);
        (r.status == 200).then(|| r.json())
    };
    while answered(&server, "/api/activities").is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "the dashboard never answered"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // A run synced into the folder appears on the dashboard.
    std::fs::copy(
        util::real("fit/with_nones.fit"),
        tw.sync().join("with_nones.fit"),
    )
    .unwrap();
    loop {
        let list = answered(&server, "/api/activities").unwrap();
        if list["total"].as_u64() == Some(1) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the run never showed: {list}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(server.get("/activity/1", None).body.contains("Surface"));
    // SIGTERM stops both.
    let pid = child.id().to_string();
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert!(std::net::TcpStream::connect(addr).is_err(), "still serving");
}

/// On a terminal (a real pty, through util-linux `script`), the password is
/// asked twice with echo off; two different answers change nothing.
#[test]
fn set_password_on_a_terminal_asks_twice_without_echo() {
    let tw = Tw::new();
    let config = tw.root().join("tty.toml");
    let run = |answers: &str| {
        let inner = format!(
            "{} --config {} web set-password",
            util::BIN,
            config.display()
        );
        let mut script = std::process::Command::new("script");
        script
            .args(["-qec", &inner, "/dev/null"])
            .current_dir(tw.root())
            .env("HOME", tw.root())
            .env("PATH", "/usr/bin:/bin")
            .env("TERM", "dumb")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = script.spawn().unwrap();
        // Read what the terminal shows as it comes; answer each prompt once
        // it is on the screen (echo is off by then).
        let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
        let mut out = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            use std::io::Read;
            let mut buf = [0u8; 256];
            while let Ok(n) = out.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        let mut shown = String::new();
        let mut stdin = child.stdin.take().unwrap();
        for (prompt, line) in ["New dashboard password:", "Again:"]
            .iter()
            .zip(answers.lines())
        {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
            while !shown.contains(prompt) {
                let left = deadline.saturating_duration_since(std::time::Instant::now());
                match rx.recv_timeout(left) {
                    Ok(chunk) => shown.push_str(&String::from_utf8_lossy(&chunk)),
                    Err(_) => panic!("no prompt {prompt:?}: {shown}"),
                }
            }
            use std::io::Write;
            writeln!(stdin, "{line}").unwrap();
            shown = shown.replacen(prompt, "", 1);
        }
        let status = child.wait().unwrap();
        drop(stdin);
        reader.join().unwrap();
        while let Ok(chunk) = rx.try_recv() {
            shown.push_str(&String::from_utf8_lossy(&chunk));
        }
        (status.code(), shown)
    };
    let (code, shown) = run("first secret 1\nother secret 2");
    assert_eq!(code, Some(2), "{shown}");
    assert!(shown.contains("the two passwords differ"), "{shown}");
    assert!(!config.exists(), "nothing written");
    let (code, shown) = run("tendon friendly\ntendon friendly");
    assert_eq!(code, Some(0), "{shown}");
    assert!(!shown.contains("tendon friendly"), "echoed: {shown}");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.contains("password_hash = \"$argon2id$"), "{text}");
}

/// Issue 22, point 5: a sync folder the daemon waits for is said on the
/// status page as on `status`, in one line with its path and why, and
/// gone once the daemon stops waiting.
#[test]
fn the_status_page_says_which_sync_folder_is_waited_for_and_why() {
    let (tw, server) = seeded();
    assert!(
        !server
            .get("/", None)
            .body
            .contains("Waiting for a sync folder")
    );
    let mut store = tendonwatch::store::Store::open(&tw.db()).unwrap();
    let folder = tendonwatch::store::folders::FolderRecord {
        path: "/mnt/nas/runs".into(),
        kind: "missing".into(),
        reason: None,
        since_ms: 1,
        checked_ms: 2,
    };
    store.set_folder_problems(&[folder]).unwrap();
    let page = server.get("/", None).body;
    assert!(page.contains("Waiting for a sync folder"), "{page}");
    assert!(
        page.contains("sync folder /mnt/nas/runs is missing"),
        "{page}"
    );
    store.set_folder_problems(&[]).unwrap();
    assert!(!server.get("/", None).body.contains("/mnt/nas/runs"));
}

#[test]
fn the_status_page_shows_no_load_ratio_on_a_near_empty_month() {
    // RULES.md F: nine steady weeks carry a ratio; two 800 m jogs in the
    // last month do not (a "21.63" on 800 m is noise).
    let (_tw, server) = seeded();
    let page = server.get("/", None);
    assert!(
        page.body.contains("Load ratio (acute:chronic) "),
        "{}",
        page.body
    );
    assert!(server.get("/api/status", None).json()["acwr"].is_f64());

    let tw = Tw::new();
    let now = chrono::Utc::now();
    for days in [10, 17] {
        let start = now - chrono::Duration::days(days);
        std::fs::write(
            tw.sync().join(format!("jog-{days}.gpx")),
            util::gpx_run("jog", None, start, 0.8),
        )
        .unwrap();
    }
    tw.import(&[tw.sync()]).assert_ok();
    let server = Server::start(&tw, None);
    let page = server.get("/", None);
    assert!(
        page.body
            .contains("Load ratio (acute:chronic): not enough running yet (2 runs, 1.6 km"),
        "{}",
        page.body
    );
    assert_eq!(
        server.get("/api/status", None).json()["acwr"],
        serde_json::Value::Null
    );
}
