//! A minimal, blocking W3C WebDriver client that drives the real headless
//! Chromium of Debian (`chromium`) through its ChromeDriver
//! (`chromium-driver`), for browser tests of the dashboard.
//!
//! Include it from a test file with
//! `#[path = "util/webdriver.rs"] mod webdriver;`.
//!
//! `Browser::phone()` / `Browser::desktop()` / `Browser::start(w, h)` spawn a
//! private ChromeDriver on a free loopback port and open one session with a
//! fresh profile; dropping the `Browser` deletes the session and kills the
//! whole ChromeDriver process group (ChromeDriver, Chromium and its helpers),
//! also when the test panics. Should the test process die without unwinding
//! (SIGKILL, a nextest timeout), a tiny watchdog shell in that process group
//! notices within a second and kills the group.
//!
//! Every method panics with a clear message on failure (this is a test
//! helper): the WebDriver error, the CSS selector, the page URL.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Value, json};
use std::fmt;
use std::fs::{self, File};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// Debian's ChromeDriver (package `chromium-driver`).
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Debian's Chromium launcher (package `chromium`).
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// The phone viewport of [`Browser::phone`], in CSS pixels.
pub const PHONE: (u32, u32) = (390, 844);
/// The desktop viewport of [`Browser::desktop`], in CSS pixels.
pub const DESKTOP: (u32, u32) = (1280, 900);
/// The user agent of [`Browser::phone`]: an Android Chrome on a phone.
pub const PHONE_USER_AGENT: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) \
     AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36";

/// How long ChromeDriver may take to answer `GET /status` with `ready`.
const DRIVER_READY_TIMEOUT: Duration = Duration::from_secs(20);
/// How long one new session (a cold Chromium start) may take.
const SESSION_TIMEOUT: Duration = Duration::from_secs(90);
/// The session's page-load and script timeouts (WebDriver's own).
const PAGE_LOAD_TIMEOUT: Duration = Duration::from_secs(30);
/// How long any one HTTP request to ChromeDriver may take: more than the
/// page-load timeout, so ChromeDriver reports a slow page itself.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// How long deleting the session may take when the browser is dropped.
const DELETE_TIMEOUT: Duration = Duration::from_secs(10);
/// How often [`Browser::wait_until`] polls.
const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// The key of a web element reference in WebDriver JSON.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
/// The first eight bytes of every PNG file.
const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// The error a WebDriver command answered with (`{"value": {"error", "message"}}`).
#[derive(Debug, Clone)]
pub struct WebDriverError {
    /// The HTTP status of the answer.
    pub status: u16,
    /// The WebDriver error code, e.g. `"no such element"`.
    pub error: String,
    /// ChromeDriver's message (first line; the rest is its stack trace).
    pub message: String,
}

impl fmt::Display for WebDriverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (HTTP {}): {}", self.error, self.status, self.message)
    }
}

impl std::error::Error for WebDriverError {}

/// Whether `err` is the WebDriver error `code`.
fn is_webdriver_error(err: &anyhow::Error, code: &str) -> bool {
    err.downcast_ref::<WebDriverError>()
        .is_some_and(|e| e.error == code)
}

#[derive(Debug, Clone, Copy)]
enum Method {
    Get,
    Post,
    Delete,
}

/// A private ChromeDriver: the process (leader of its own process group),
/// its port and its temp dir (log and Chromium profile).
struct Driver {
    child: Child,
    http: ureq::Agent,
    base: String,
    dir: tempfile::TempDir,
}

impl Driver {
    /// Spawns ChromeDriver on a free loopback port and waits until it is ready.
    fn spawn() -> Result<Driver> {
        let dir = tempfile::Builder::new()
            .prefix("tendonwatch-webdriver-")
            .tempdir()
            .context("creating the WebDriver temp dir")?;
        let port = free_port()?;
        let log = File::create(dir.path().join("chromedriver.log"))
            .context("creating the ChromeDriver log")?;
        // `sh` starts a watchdog that kills the whole process group once this
        // test process is gone, then becomes ChromeDriver itself (`exec`), so
        // `child` is ChromeDriver and the group leader.
        let child = Command::new("/bin/sh")
            .arg("-c")
            .arg(
                r#"test=$1; shift
(while kill -0 "$test" 2>/dev/null; do sleep 1; done; kill -s KILL 0) &
exec "$@""#,
            )
            .arg("webdriver-watchdog")
            .arg(std::process::id().to_string())
            .arg(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().context("cloning the log handle")?)
            .stderr(log)
            .process_group(0)
            .spawn()
            .with_context(|| format!("spawning {CHROMEDRIVER}"))?;
        let http = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .max_redirects(0)
            .timeout_global(Some(REQUEST_TIMEOUT))
            .build()
            .new_agent();
        let mut driver = Driver {
            child,
            http,
            base: format!("http://127.0.0.1:{port}"),
            dir,
        };
        driver.wait_ready()?;
        Ok(driver)
    }

    /// Polls `GET /status` until ChromeDriver says it is ready.
    fn wait_ready(&mut self) -> Result<()> {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().context("polling ChromeDriver")? {
                bail!(
                    "ChromeDriver exited before it was ready ({status})\n{}",
                    self.log_tail()
                );
            }
            let last = match self.request(Method::Get, "/status", None, Duration::from_secs(2)) {
                Ok(value) if value["ready"] == json!(true) => return Ok(()),
                Ok(value) => format!("not ready: {value}"),
                Err(err) => format!("{err:#}"),
            };
            if start.elapsed() > DRIVER_READY_TIMEOUT {
                bail!(
                    "ChromeDriver was not ready after {DRIVER_READY_TIMEOUT:?} ({last})\n{}",
                    self.log_tail()
                );
            }
            thread::sleep(POLL_INTERVAL);
        }
    }

    /// One WebDriver command: its `value` on success, else a [`WebDriverError`].
    fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        timeout: Duration,
    ) -> Result<Value> {
        let url = format!("{}{path}", self.base);
        let answer = match method {
            Method::Get => self
                .http
                .get(&url)
                .config()
                .timeout_global(Some(timeout))
                .build()
                .call(),
            Method::Delete => self
                .http
                .delete(&url)
                .config()
                .timeout_global(Some(timeout))
                .build()
                .call(),
            Method::Post => {
                let body = body.cloned().unwrap_or_else(|| json!({}));
                self.http
                    .post(&url)
                    .config()
                    .timeout_global(Some(timeout))
                    .build()
                    .header("content-type", "application/json; charset=utf-8")
                    .send(body.to_string())
            }
        };
        let mut answer = answer.with_context(|| format!("{method:?} {url}"))?;
        let status = answer.status().as_u16();
        let text = answer
            .body_mut()
            .with_config()
            .limit(512 * 1024 * 1024)
            .read_to_string()
            .with_context(|| format!("reading the answer to {method:?} {url}"))?;
        let mut json: Value = serde_json::from_str(&text).with_context(|| {
            format!("the answer to {method:?} {url} (HTTP {status}) is not JSON: {text:.500}")
        })?;
        let value = json["value"].take();
        if (200..300).contains(&status) {
            return Ok(value);
        }
        let message = value["message"].as_str().unwrap_or(&text);
        Err(WebDriverError {
            status,
            error: value["error"]
                .as_str()
                .unwrap_or("unknown error")
                .to_owned(),
            message: message.lines().next().unwrap_or("").to_owned(),
        }
        .into())
    }

    /// The end of ChromeDriver's log, for error messages.
    fn log_tail(&self) -> String {
        let log = fs::read_to_string(self.dir.path().join("chromedriver.log")).unwrap_or_default();
        let start = log.len().saturating_sub(4000);
        let start = (start..log.len())
            .find(|&i| log.is_char_boundary(i))
            .unwrap_or(log.len());
        format!("--- end of the ChromeDriver log ---\n{}", &log[start..])
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole process group: ChromeDriver, the watchdog, and any
        // Chromium process ChromeDriver left behind. The group id is the
        // leader's pid; the group stays alive (and its id reserved) while
        // the watchdog runs, so this cannot hit a stranger's group.
        let group = self.child.id();
        let _ = Command::new("/bin/sh")
            .arg("-c")
            .arg(r#"kill -s KILL -- "-$1" 2>/dev/null"#)
            .arg("webdriver-cleanup")
            .arg(group.to_string())
            .stdin(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free TCP port on the loopback interface.
fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("binding a loopback port")?;
    Ok(listener.local_addr()?.port())
}

/// A headless Chromium session, driven over WebDriver.
///
/// Dropping it deletes the session and kills ChromeDriver's process group.
pub struct Browser {
    /// Field order matters: `session` is deleted (in `Drop`) before `driver`
    /// is dropped and kills its processes.
    session: String,
    driver: Driver,
    viewport: (u32, u32),
}

impl Browser {
    /// A phone: a 390×844 CSS-pixel viewport at device pixel ratio 3 with a
    /// mobile user agent and touch (ChromeDriver's `mobileEmulation`).
    ///
    /// As on a real phone, a page without
    /// `<meta name="viewport" content="width=device-width">` is laid out
    /// 980 px wide and zoomed out.
    #[track_caller]
    pub fn phone() -> Browser {
        let (width, height) = PHONE;
        let mobile = json!({
            "deviceMetrics": {"width": width, "height": height, "pixelRatio": 3.0},
            "userAgent": PHONE_USER_AGENT,
        });
        Self::launch(width, height, Some(mobile))
    }

    /// A desktop browser with a 1280×900 viewport.
    #[track_caller]
    pub fn desktop() -> Browser {
        Self::start(DESKTOP.0, DESKTOP.1)
    }

    /// A desktop browser whose viewport (`innerWidth` × `innerHeight`) is
    /// `width` × `height` CSS pixels. Headless Chromium windows are at least
    /// 500 px wide, so for narrower viewports use [`Browser::phone`].
    #[track_caller]
    pub fn start(width: u32, height: u32) -> Browser {
        Self::launch(width, height, None)
    }

    #[track_caller]
    fn launch(width: u32, height: u32, mobile: Option<Value>) -> Browser {
        if !Path::new(CHROMEDRIVER).exists() {
            panic!("chromium-driver is not installed: run scripts/test (it installs it)");
        }
        if !Path::new(CHROMIUM).exists() {
            panic!("chromium is not installed: run scripts/test (it installs it)");
        }
        // One retry, with a fresh ChromeDriver and profile: a cold Chromium
        // start on a loaded machine can exceed ChromeDriver's own timeout.
        let mut failures = Vec::new();
        for attempt in 1..=2 {
            match Self::try_launch(width, height, mobile.as_ref()) {
                Ok(browser) => return browser,
                Err(err) => {
                    eprintln!("webdriver: starting Chromium, attempt {attempt} failed: {err:#}");
                    failures.push(format!("attempt {attempt}: {err:#}"));
                }
            }
        }
        panic!(
            "could not start headless Chromium through ChromeDriver:\n{}",
            failures.join("\n")
        );
    }

    fn try_launch(width: u32, height: u32, mobile: Option<&Value>) -> Result<Browser> {
        let driver = Driver::spawn()?;
        let profile = driver.dir.path().join("profile");
        fs::create_dir(&profile).context("creating the Chromium profile dir")?;
        let args = [
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            format!("--user-data-dir={}", profile.display()),
            format!("--window-size={width},{height}"),
        ];
        let mut chrome_options = json!({"binary": CHROMIUM, "args": args});
        if let Some(mobile) = mobile {
            chrome_options["mobileEmulation"] = mobile.clone();
        }
        let page_load = PAGE_LOAD_TIMEOUT.as_millis() as u64;
        let capabilities = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "pageLoadStrategy": "normal",
                    "timeouts": {"implicit": 0, "pageLoad": page_load, "script": page_load},
                    "goog:chromeOptions": chrome_options,
                }
            }
        });
        let value = driver
            .request(
                Method::Post,
                "/session",
                Some(&capabilities),
                SESSION_TIMEOUT,
            )
            .map_err(|err| anyhow!("creating the session: {err:#}\n{}", driver.log_tail()))?;
        let session = value["sessionId"]
            .as_str()
            .ok_or_else(|| anyhow!("no sessionId in the new session: {value}"))?
            .to_owned();
        let browser = Browser {
            session,
            driver,
            viewport: (width, height),
        };
        browser.fit_window(mobile.is_some())?;
        Ok(browser)
    }

    /// Sizes the window so that the viewport is the one asked for: headless
    /// Chromium counts 143 px of pretend browser chrome into the window
    /// height. Under `mobileEmulation` the device metrics fix the viewport
    /// whatever the window, so the window only gets the same size.
    fn fit_window(&self, emulated: bool) -> Result<()> {
        let (width, height) = (i64::from(self.viewport.0), i64::from(self.viewport.1));
        let (mut outer_w, mut outer_h) = (width, height);
        let mut inner = (0, 0);
        for _ in 0..4 {
            self.try_cmd(
                Method::Post,
                "/window/rect",
                Some(json!({"width": outer_w, "height": outer_h})),
            )?;
            if emulated {
                return Ok(());
            }
            let size = self.try_cmd(
                Method::Post,
                "/execute/sync",
                Some(json!({"script": "return [innerWidth, innerHeight]", "args": []})),
            )?;
            inner = (size[0].as_i64().unwrap_or(0), size[1].as_i64().unwrap_or(0));
            if inner == (width, height) {
                return Ok(());
            }
            outer_w = (outer_w + width - inner.0).max(1);
            outer_h = (outer_h + height - inner.1).max(1);
        }
        bail!(
            "the viewport is {}×{} instead of {width}×{height} after resizing the window",
            inner.0,
            inner.1
        )
    }

    /// The viewport asked for, in CSS pixels.
    pub fn viewport(&self) -> (u32, u32) {
        self.viewport
    }

    /// ChromeDriver's log file (it lives as long as the browser).
    pub fn log_path(&self) -> PathBuf {
        self.driver.dir.path().join("chromedriver.log")
    }

    /// A command on this session: `path` is relative to `/session/{id}`.
    fn try_cmd(&self, method: Method, path: &str, body: Option<Value>) -> Result<Value> {
        let path = format!("/session/{}{path}", self.session);
        self.driver
            .request(method, &path, body.as_ref(), REQUEST_TIMEOUT)
    }

    #[track_caller]
    fn cmd(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        match self.try_cmd(method, path, body) {
            Ok(value) => value,
            Err(err) => panic!("WebDriver {method:?} {path} failed: {err:#}"),
        }
    }

    /// Opens `url` and waits for it to load (at most 30 s).
    #[track_caller]
    pub fn goto(&self, url: &str) {
        if let Err(err) = self.try_cmd(Method::Post, "/url", Some(json!({"url": url}))) {
            panic!("opening {url} failed: {err:#}");
        }
    }

    /// Goes back one page in the history.
    #[track_caller]
    pub fn back(&self) {
        self.cmd(Method::Post, "/back", None);
    }

    /// Reloads the page.
    #[track_caller]
    pub fn refresh(&self) {
        self.cmd(Method::Post, "/refresh", None);
    }

    /// The URL of the page.
    #[track_caller]
    pub fn current_url(&self) -> String {
        string(self.cmd(Method::Get, "/url", None))
    }

    /// The page's `<title>`.
    #[track_caller]
    pub fn title(&self) -> String {
        string(self.cmd(Method::Get, "/title", None))
    }

    /// The page's current DOM, serialized as HTML.
    #[track_caller]
    pub fn page_source(&self) -> String {
        string(self.cmd(Method::Get, "/source", None))
    }

    /// The first element matching `css`; panics (with the selector and the
    /// page URL) when there is none.
    #[track_caller]
    pub fn find(&self, css: &str) -> Element<'_> {
        match self.try_find(css) {
            Some(element) => element,
            None => panic!("no element matches `{css}` on {}", self.url_for_message()),
        }
    }

    /// The first element matching `css`, if any.
    #[track_caller]
    pub fn try_find(&self, css: &str) -> Option<Element<'_>> {
        self.find_from("", css)
    }

    /// Every element matching `css`, in document order.
    #[track_caller]
    pub fn find_all(&self, css: &str) -> Vec<Element<'_>> {
        self.find_all_from("", css)
    }

    /// `find` under `scope` (`""` or `/element/{id}`).
    #[track_caller]
    fn find_from(&self, scope: &str, css: &str) -> Option<Element<'_>> {
        let path = format!("{scope}/element");
        let query = json!({"using": "css selector", "value": css});
        match self.try_cmd(Method::Post, &path, Some(query)) {
            Ok(value) => Some(self.element(&value, css)),
            Err(err) if is_webdriver_error(&err, "no such element") => None,
            Err(err) => panic!(
                "finding `{css}` on {} failed: {err:#}",
                self.url_for_message()
            ),
        }
    }

    #[track_caller]
    fn find_all_from(&self, scope: &str, css: &str) -> Vec<Element<'_>> {
        let path = format!("{scope}/elements");
        let query = json!({"using": "css selector", "value": css});
        match self.try_cmd(Method::Post, &path, Some(query)) {
            Ok(Value::Array(found)) => found.iter().map(|v| self.element(v, css)).collect(),
            Ok(other) => panic!("finding all `{css}`: unexpected answer {other}"),
            Err(err) => panic!(
                "finding all `{css}` on {} failed: {err:#}",
                self.url_for_message()
            ),
        }
    }

    #[track_caller]
    fn element(&self, reference: &Value, css: &str) -> Element<'_> {
        let Some(id) = reference[ELEMENT_KEY].as_str() else {
            panic!("not an element reference for `{css}`: {reference}");
        };
        Element {
            browser: self,
            id: id.to_owned(),
            css: css.to_owned(),
        }
    }

    /// Runs `script` as the body of a synchronous function (`arguments[i]`
    /// are `args`; use [`Element::as_arg`] to pass an element) and returns
    /// what it returns.
    #[track_caller]
    pub fn execute(&self, script: &str, args: &[Value]) -> Value {
        let body = json!({"script": script, "args": args});
        match self.try_cmd(Method::Post, "/execute/sync", Some(body)) {
            Ok(value) => value,
            Err(err) => panic!(
                "script failed on {}: {err:#}\nscript: {script}",
                self.url_for_message()
            ),
        }
    }

    /// Every cookie visible to the current page.
    #[track_caller]
    pub fn cookies(&self) -> Vec<Cookie> {
        let value = self.cmd(Method::Get, "/cookie", None);
        let Value::Array(all) = value else {
            panic!("cookies: unexpected answer {value}");
        };
        all.iter()
            .map(|c| Cookie {
                name: c["name"].as_str().unwrap_or_default().to_owned(),
                value: c["value"].as_str().unwrap_or_default().to_owned(),
                path: c["path"].as_str().map(str::to_owned),
                domain: c["domain"].as_str().map(str::to_owned),
                secure: c["secure"].as_bool().unwrap_or(false),
                http_only: c["httpOnly"].as_bool().unwrap_or(false),
                same_site: c["sameSite"].as_str().map(str::to_owned),
                expiry: c["expiry"].as_u64(),
            })
            .collect()
    }

    /// The cookie called `name`, if the page sees one.
    #[track_caller]
    pub fn cookie(&self, name: &str) -> Option<Cookie> {
        self.cookies().into_iter().find(|c| c.name == name)
    }

    /// Deletes every cookie of the current page's domain.
    #[track_caller]
    pub fn delete_cookies(&self) {
        self.cmd(Method::Delete, "/cookie", None);
    }

    /// Calls `ready` every 50 ms until it returns true; panics (with the page
    /// URL and title) when `timeout` passes first.
    #[track_caller]
    pub fn wait_until(&self, timeout: Duration, mut ready: impl FnMut(&Browser) -> bool) {
        let start = Instant::now();
        loop {
            if ready(self) {
                return;
            }
            if start.elapsed() > timeout {
                let title = self.try_cmd(Method::Get, "/title", None);
                panic!(
                    "timed out after {timeout:?} waiting on {} (title {:?})",
                    self.url_for_message(),
                    title.ok().and_then(|t| t.as_str().map(str::to_owned))
                );
            }
            thread::sleep(POLL_INTERVAL);
        }
    }

    /// Saves a PNG of the viewport to
    /// `target/test-artifacts/screenshots/<name>.png` and returns its path.
    #[track_caller]
    pub fn screenshot(&self, name: &str) -> PathBuf {
        let encoded = string(self.cmd(Method::Get, "/screenshot", None));
        let png = match decode_base64(&encoded) {
            Ok(png) => png,
            Err(err) => panic!("screenshot `{name}`: {err:#}"),
        };
        assert!(
            png.starts_with(PNG_SIGNATURE),
            "screenshot `{name}` is not a PNG ({} bytes)",
            png.len()
        );
        let dir = artifacts_dir().join("screenshots");
        fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
        let file: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = dir.join(format!("{file}.png"));
        fs::write(&path, &png).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        eprintln!("webdriver: screenshot saved to {}", path.display());
        path
    }

    /// The page URL for error messages (never panics).
    fn url_for_message(&self) -> String {
        match self.try_cmd(Method::Get, "/url", None) {
            Ok(Value::String(url)) => url,
            Ok(other) => other.to_string(),
            Err(err) => format!("<unknown page: {err:#}>"),
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // ChromeDriver closes Chromium on session delete; `driver`'s own drop
        // then kills whatever is left of the process group.
        let path = format!("/session/{}", self.session);
        let _ = self
            .driver
            .request(Method::Delete, &path, None, DELETE_TIMEOUT);
    }
}

/// A cookie as WebDriver reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cookie {
    pub name: String,
    pub value: String,
    pub path: Option<String>,
    pub domain: Option<String>,
    pub secure: bool,
    pub http_only: bool,
    /// `"Strict"`, `"Lax"` or `"None"`.
    pub same_site: Option<String>,
    /// Seconds since the Unix epoch; `None` for a session cookie.
    pub expiry: Option<u64>,
}

/// An element of the page in a [`Browser`].
pub struct Element<'b> {
    browser: &'b Browser,
    id: String,
    /// The selector it was found with, for error messages.
    css: String,
}

impl fmt::Debug for Element<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Element(`{}`)", self.css)
    }
}

impl<'b> Element<'b> {
    #[track_caller]
    fn cmd(&self, method: Method, what: &str, body: Option<Value>) -> Value {
        let path = format!("/element/{}/{what}", self.id);
        match self.browser.try_cmd(method, &path, body) {
            Ok(value) => value,
            Err(err) => panic!(
                "{what} on `{}` failed on {}: {err:#}",
                self.css,
                self.browser.url_for_message()
            ),
        }
    }

    /// Clicks the element (scrolled into view; fails if something covers it).
    #[track_caller]
    pub fn click(&self) {
        self.cmd(Method::Post, "click", None);
    }

    /// Types `text` into the element.
    #[track_caller]
    pub fn send_keys(&self, text: &str) {
        self.cmd(Method::Post, "value", Some(json!({"text": text})));
    }

    /// Empties an input or textarea.
    #[track_caller]
    pub fn clear(&self) {
        self.cmd(Method::Post, "clear", None);
    }

    /// The rendered (visible) text.
    #[track_caller]
    pub fn text(&self) -> String {
        string(self.cmd(Method::Get, "text", None))
    }

    /// The attribute `name` (ChromeDriver answers with the live property for
    /// a few, like `value` and `checked`), or `None` when absent.
    #[track_caller]
    pub fn attr(&self, name: &str) -> Option<String> {
        let value = self.cmd(Method::Get, &format!("attribute/{name}"), None);
        match value {
            Value::Null => None,
            Value::String(s) => Some(s),
            other => Some(other.to_string()),
        }
    }

    /// The DOM property `name` (e.g. `value`, `checked`, `validity`).
    #[track_caller]
    pub fn property(&self, name: &str) -> Value {
        self.cmd(Method::Get, &format!("property/{name}"), None)
    }

    /// The tag name, lower case.
    #[track_caller]
    pub fn tag_name(&self) -> String {
        string(self.cmd(Method::Get, "name", None)).to_ascii_lowercase()
    }

    /// Whether a checkbox, radio button or option is selected.
    #[track_caller]
    pub fn is_selected(&self) -> bool {
        self.cmd(Method::Get, "selected", None) == json!(true)
    }

    /// Whether the element is enabled (not `disabled`).
    #[track_caller]
    pub fn is_enabled(&self) -> bool {
        self.cmd(Method::Get, "enabled", None) == json!(true)
    }

    /// Whether the element is displayed.
    #[track_caller]
    pub fn is_displayed(&self) -> bool {
        self.cmd(Method::Get, "displayed", None) == json!(true)
    }

    /// The first element under this one matching `css`; panics when missing.
    #[track_caller]
    pub fn find(&self, css: &str) -> Element<'b> {
        match self.try_find(css) {
            Some(element) => element,
            None => panic!(
                "no element matches `{css}` under `{}` on {}",
                self.css,
                self.browser.url_for_message()
            ),
        }
    }

    /// The first element under this one matching `css`, if any.
    #[track_caller]
    pub fn try_find(&self, css: &str) -> Option<Element<'b>> {
        self.browser
            .find_from(&format!("/element/{}", self.id), css)
    }

    /// Every element under this one matching `css`.
    #[track_caller]
    pub fn find_all(&self, css: &str) -> Vec<Element<'b>> {
        self.browser
            .find_all_from(&format!("/element/{}", self.id), css)
    }

    /// Selects the `<option value="…">` of this `<select>` by clicking it.
    #[track_caller]
    pub fn select_option_by_value(&self, value: &str) {
        let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
        let option = self.find(&format!("option[value=\"{escaped}\"]"));
        option.click();
    }

    /// This element as an argument of [`Browser::execute`].
    pub fn as_arg(&self) -> Value {
        json!({ ELEMENT_KEY: self.id })
    }
}

/// A JSON string's text (anything else as JSON).
fn string(value: Value) -> String {
    match value {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

/// `target/test-artifacts` of this crate (`$CARGO_TARGET_DIR/test-artifacts`
/// when that is set).
pub fn artifacts_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => manifest.join(dir),
        _ => manifest.join("target"),
    };
    target.join("test-artifacts")
}

/// Decodes standard, padded base64 (whitespace ignored).
fn decode_base64(text: &str) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let (mut acc, mut bits, mut symbols, mut padding) = (0u32, 0u32, 0usize, 0usize);
    for &byte in text.as_bytes() {
        let sextet = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => {
                padding += 1;
                symbols += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' | b'\n' => continue,
            _ => bail!("invalid base64 byte {byte:#04x} at symbol {symbols}"),
        };
        if padding > 0 {
            bail!("base64 data after padding");
        }
        symbols += 1;
        acc = (acc << 6) | u32::from(sextet);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if symbols % 4 != 0 || padding > 2 || bits >= 6 {
        bail!("truncated base64 ({symbols} symbols, {padding} padding)");
    }
    Ok(out)
}

#[test]
fn base64_decoder_decodes_known_vectors() {
    for (encoded, decoded) in [
        ("", ""),
        ("Zg==", "f"),
        ("Zm8=", "fo"),
        ("Zm9v", "foo"),
        ("Zm9vYg==", "foob"),
        ("Zm9vYmE=", "fooba"),
        ("Zm9vYmFy", "foobar"),
        ("Zm9v\nYmFy", "foobar"),
    ] {
        assert_eq!(
            decode_base64(encoded).unwrap(),
            decoded.as_bytes(),
            "{encoded}"
        );
    }
    assert_eq!(decode_base64("iVBORw0KGgo=").unwrap(), PNG_SIGNATURE);
    assert_eq!(decode_base64("//+/").unwrap(), [0xff, 0xff, 0xbf]);
    for bad in ["Zm9", "Zg=a", "Zm9v!", "Z===", "Zg"] {
        assert!(decode_base64(bad).is_err(), "{bad}");
    }
}
