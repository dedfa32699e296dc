//! The dashboard under test: `tendonwatch serve` as a child process on a
//! loopback port, a store seeded with a simulated season, and a tiny raw
//! HTTP/1.1 client (so tests control every header: Host, Origin, Cookie,
//! sizes). Included with `#[path = "util/dashboard.rs"] mod dashboard;`
//! next to `mod util;`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use super::util::Tw;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
use std::process::{Child, Stdio};
use std::time::Duration;
use tendonwatch::sim::fit_writer;
use tendonwatch::sim::training::{self, Event, Runner, Week};

const WEEK_MS: i64 = 7 * 86_400_000;

/// Nine weeks of running that end last week: eight steady weeks, then a
/// long run 35 % longer than any before (one `run_spike` alert). Written as
/// FIT files into the sync folder and imported.
pub fn seed_season(tw: &Tw) {
    write_season(&tw.sync(), true);
    tw.import(&[tw.sync()]).assert_ok();
}

/// The nine weeks of [`seed_season`] as FIT files in `dir`; without
/// `spike` the last week is as steady as the others (no `run_spike`).
pub fn write_season(dir: &std::path::Path, spike: bool) {
    let now = chrono::Utc::now().timestamp_millis();
    let this_monday = tendonwatch::web::views::week_start(now, 0);
    let r = Runner {
        start_ms: this_monday - 9 * WEEK_MS,
        ..Runner::default()
    };
    let mut weeks: Vec<Week> = (0..8).map(|_| training::steady_week(&r)).collect();
    weeks.push(if spike {
        Week {
            runs: vec![
                Event::Easy { km: 5.5 },
                Event::Easy { km: 5.5 },
                Event::Long { km: 12.96 },
            ],
        }
    } else {
        training::steady_week(&r)
    });
    for (i, a) in training::simulate(&r, &weeks).iter().enumerate() {
        std::fs::write(dir.join(format!("run-{i:03}.fit")), fit_writer::encode(a)).unwrap();
    }
}

/// A config file in `tw`'s root whose `[web]` password is `password`, set
/// with `tendonwatch --config FILE web set-password` (reading stdin).
pub fn config_with_password(tw: &Tw, password: &str) -> std::path::PathBuf {
    let config = tw.root().join("tendonwatch.toml");
    let mut cmd = tw.bare_command();
    cmd.arg("--config")
        .arg(&config)
        .args(["web", "set-password"]);
    set_password(cmd, password);
    config
}

/// Run a prepared `tendonwatch … web set-password …` with `password` on
/// its standard input; it must succeed.
pub fn set_password(mut cmd: std::process::Command, password: &str) {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("tendonwatch web set-password starts");
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "web set-password failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A running `tendonwatch serve`, killed on drop.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
}

impl Server {
    /// `tendonwatch --db <tw.db> [--config CONFIG] serve --bind 127.0.0.1:0`.
    pub fn start(tw: &Tw, config: Option<&std::path::Path>) -> Server {
        Server::start_with(tw, config, "127.0.0.1:0")
    }

    /// `tendonwatch --db <tw.db> [--config CONFIG] serve --bind BIND`, e.g.
    /// `0.0.0.0:0` (which needs a password in the config). `addr` is the
    /// address the server printed; [`Server::url`] and the requests go to
    /// [`Server::local_addr`].
    pub fn start_with(tw: &Tw, config: Option<&std::path::Path>, bind: &str) -> Server {
        let mut cmd = tw.command();
        if let Some(c) = config {
            cmd.arg("--config").arg(c);
        }
        cmd.args(["serve", "--bind", bind]);
        Server::spawn(cmd)
    }

    /// A prepared `tendonwatch … serve` command, started; the address is
    /// the one it prints.
    pub fn spawn(mut cmd: std::process::Command) -> Server {
        cmd.stdout(Stdio::piped()).stderr(Stdio::null());
        let mut child = cmd.spawn().expect("tendonwatch serve starts");
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let addr = line
            .trim()
            .strip_prefix("dashboard: http://")
            .and_then(|rest| rest.strip_suffix('/'))
            .unwrap_or_else(|| panic!("no dashboard line: {line:?}"))
            .parse()
            .unwrap();
        Server { child, addr }
    }

    /// Where this machine reaches the server: `addr`, with an unspecified
    /// address (`0.0.0.0`, `::`) replaced by the loopback one.
    pub fn local_addr(&self) -> SocketAddr {
        let mut addr = self.addr;
        match addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => addr.set_ip(Ipv4Addr::LOCALHOST.into()),
            IpAddr::V6(ip) if ip.is_unspecified() => addr.set_ip(Ipv6Addr::LOCALHOST.into()),
            _ => {}
        }
        addr
    }

    /// A server started some other way (the daemon), not killed on drop.
    pub fn attach(addr: SocketAddr) -> Server {
        let child = std::process::Command::new("true").spawn().unwrap();
        Server { child, addr }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.local_addr())
    }

    pub fn get(&self, path: &str, cookie: Option<&str>) -> Resp {
        let mut headers = vec![];
        if let Some(c) = cookie {
            headers.push(("Cookie".to_string(), c.to_string()));
        }
        self.request("GET", path, &headers, b"")
    }

    /// A form post with the cookie and (when given) the CSRF field.
    pub fn post_form(&self, path: &str, cookie: Option<&str>, body: &str) -> Resp {
        let mut headers = vec![(
            "Content-Type".to_string(),
            "application/x-www-form-urlencoded".to_string(),
        )];
        if let Some(c) = cookie {
            headers.push(("Cookie".to_string(), c.to_string()));
        }
        self.request("POST", path, &headers, body.as_bytes())
    }

    /// One request on a fresh connection; `Host` is added unless given.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Resp {
        let addr = self.local_addr();
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut head = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
            head.push_str(&format!("Host: {addr}\r\n"));
        }
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        if !body.is_empty() || method == "POST" {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        s.write_all(head.as_bytes()).unwrap();
        // The server may answer (413) before reading a large body.
        let _ = s.write_all(body);
        let mut raw = Vec::new();
        let _ = s.read_to_end(&mut raw);
        Resp::parse(&raw)
    }

    /// A session: the CSRF cookie from a first visit and the token for forms.
    pub fn visit(&self) -> Visitor {
        let r = self.get("/", None);
        let token = r
            .set_cookie("tw_csrf")
            .unwrap_or_else(|| panic!("no CSRF cookie on {r:?}"));
        Visitor {
            cookie: format!("tw_csrf={token}"),
            token,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The CSRF token a page's forms carry (bound to the visitor's session
/// once they have logged in).
pub fn form_token(html: &str) -> Option<String> {
    let at = html.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    html[at..].split('"').next().map(str::to_string)
}

/// A visitor's cookie header and CSRF token.
pub struct Visitor {
    pub cookie: String,
    pub token: String,
}

impl Visitor {
    /// `csrf=<token>&` + rest.
    pub fn form(&self, rest: &str) -> String {
        if rest.is_empty() {
            format!("csrf={}", self.token)
        } else {
            format!("csrf={}&{rest}", self.token)
        }
    }
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The body as sent (a download is not text).
    pub raw: Vec<u8>,
}

impl Resp {
    fn parse(raw: &[u8]) -> Resp {
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or_else(|| panic!("no HTTP head in {:?}", String::from_utf8_lossy(raw)));
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let mut body = raw[split + 4..].to_vec();
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .unwrap();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        if headers
            .iter()
            .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"))
        {
            body = dechunk(&body);
        }
        Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
            raw: body,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value a `Set-Cookie` gives `name`.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(k, _)| k == "set-cookie")
            .filter_map(|(_, v)| v.split(';').next()?.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = b.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&b[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 {
            return out;
        }
        let start = eol + 2;
        out.extend_from_slice(&b[start..(start + size).min(b.len())]);
        b = &b[(start + size + 2).min(b.len())..];
    }
}
