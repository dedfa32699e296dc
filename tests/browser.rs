//! Browser tests of the dashboard in real headless Chromium (Debian chromium +
//! chromium-driver, driven over WebDriver).
//!
//! A smoke test of the WebDriver client on a page of its own, then the
//! dashboard as a runner uses it: `tendonwatch serve` on a seeded store, one
//! server and one browser per test (two for the phone and desktop sweep).
//!
//! `scripts/test` installs both packages when they are missing. Screenshots
//! land in `target/test-artifacts/screenshots/`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;
#[path = "util/dashboard.rs"]
mod dashboard;
#[path = "util/webdriver.rs"]
mod webdriver;

use dashboard::{Server, config_with_password, seed_season};
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
