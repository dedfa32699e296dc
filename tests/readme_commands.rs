//! The README cannot drift again (issue 22, point 2): every `tendonwatch …`
//! line of a ```sh block in README.md and in every docs/*.md page is run
//! with the real binary, in the order the page shows it, on a temporary
//! home that looks like a runner's first day with tendonwatch: a real
//! runner's history in `~/Sync/watch` (230 GPX files of
//! `../shared/histories/rp-asplitline`), already imported into the default
//! store with a short morning-pain diary, a folder of real files in
//! `~/Downloads/export` and a Strava-style `export_12345.zip` of real files
//! in the home folder. No config file: the pages' own `config init` writes
//! it. Each page starts again from that home.
//!
//! A command passes when it exits 0, or as the table [`EXCEPTIONS`] says
//! (a documented error: its exit code and words). `watch`, `serve` and
//! `demo`, which run until stopped, are started, checked to be up (the
//! daemon's READY=1 to systemd; the dashboard's printed address answers
//! HTTP) and stopped with SIGINT (Ctrl-C), which must end them cleanly.
//! Two things are changed on the way, and only these: a dashboard's port is
//! 0 (any free port), so the test never fights a dashboard already running
//! on 8417; `web set-password` reads its password from standard input, as
//! it does when no terminal is attached. `cargo run --release -- ARGS` is
//! run as the binary with ARGS.
//!
//! A second test checks that every relative link of these pages (and every
//! `#anchor`) leads somewhere.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "util/dashboard.rs"]
mod dashboard;
mod util;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use util::Tw;

/// The pages, in the order a reader meets them (the README links the
/// others in this order). Every docs/*.md page must be here.
const PAGES: &[&str] = &[
    "README.md",
    "docs/commands.md",
    "docs/import.md",
    "docs/rules.md",
    "docs/checkin.md",
    "docs/dashboard.md",
    "docs/configuration.md",
    "docs/household.md",
    "docs/service.md",
    "docs/json.md",
    "docs/measured.md",
    "docs/layout.md",
];

/// What a shown command does when it is not "exit 0".
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// Exits with this code, saying these words (on stderr or stdout).
    Fails(i32, &'static str),
    /// Not run.
    NotRun,
}

/// A command a page shows that does not simply exit 0, and why.
struct Exception {
    page: &'static str,
    /// The line as the page shows it, without its comment.
    command: &'static str,
    expect: Expect,
    why: &'static str,
}

const EXCEPTIONS: &[Exception] = &[
    Exception {
        page: "docs/commands.md",
        command: "tendonwatch notify-test",
        expect: Expect::Fails(1, "no sinks configured"),
        why: "the documented exit 1 when none is configured: the default config has none",
    },
    Exception {
        page: "docs/commands.md",
        command: "tendonwatch visa-a",
        expect: Expect::Fails(2, "run it on a terminal"),
        why: "it asks its questions on a terminal, which the test has not; the flags form below it is run",
    },
    Exception {
        page: "docs/commands.md",
        command: "tendonwatch checkin send",
        expect: Expect::Fails(1, "no sinks configured"),
        why: "the documented exit 1 when none is configured: the default config has none",
    },
    Exception {
        page: "docs/checkin.md",
        command: "tendonwatch checkin send",
        expect: Expect::Fails(1, "no sinks configured"),
        why: "the documented exit 1 when none is configured (its own section says so)",
    },
    Exception {
        page: "docs/checkin.md",
        command: "tendonwatch --runner ann checkin send",
        expect: Expect::Fails(1, "no sinks configured"),
        why: "the documented exit 1 when none is configured (its own section says so)",
    },
    Exception {
        page: "docs/service.md",
        command: "sudo tendonwatch --config /etc/tendonwatch/tendonwatch.toml web set-password",
        expect: Expect::NotRun,
        why: "needs root and the system user and /etc file the lines before it make; \
              `web set-password` itself is run on README.md and docs/dashboard.md",
    },
];

/// Commands run on a page's home before the page's own, and why.
const PRELUDES: &[(&str, &str, &str)] = &[(
    "docs/checkin.md",
    "tendonwatch runner add ben --sync ~/Sync/ben --existing-as ann",
    "its household examples name the runner ann",
)];

/// One command line a page shows.
#[derive(Debug, Clone)]
struct Shown {
    page: String,
    /// 1-based line in the page.
    line: usize,
    /// As shown, without its comment.
    text: String,
    /// The arguments after `tendonwatch` (`~` not yet expanded).
    args: Vec<String>,
    /// `> FILE`: where standard output goes.
    stdout_to: Option<String>,
}

impl std::fmt::Display for Shown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{} `{}`", self.page, self.line, self.text)
    }
}

/// Split a shell line into words the way sh does for the little the pages
/// use: quotes, backslashes, a comment, `> FILE`. Anything more (pipes,
/// `&&`, variables, `<`) is refused, so a line is never run other than as
/// shown. Returns the words, the redirect, and the text before the comment.
fn shell_words(line: &str) -> Result<(Vec<String>, Option<String>, String), String> {
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut end = line.len();
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') => {
                if let Some((_, n)) = chars.next() {
                    word.push(n);
                }
            }
            (Some('"'), '$' | '`') => return Err(format!("`{c}` inside quotes: {line}")),
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, '\\') => {
                if let Some((_, n)) = chars.next() {
                    word.push(n);
                    in_word = true;
                }
            }
            (None, '#') if !in_word => {
                end = i;
                break;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, '|' | '&' | ';' | '<' | '$' | '`' | '(' | ')') => {
                return Err(format!("`{c}` is more shell than this test runs: {line}"));
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        return Err(format!("an unclosed quote: {line}"));
    }
    if in_word {
        words.push(word);
    }
    let mut redirect = None;
    if let Some(at) = words.iter().position(|w| w.starts_with('>')) {
        let target = if words[at] == ">" {
            words.get(at + 1).cloned()
        } else {
            Some(words[at][1..].to_string())
        };
        if target.is_none() || words.len() > at + 2 - usize::from(words[at] != ">") {
            return Err(format!("a redirect this test does not run: {line}"));
        }
        redirect = target;
        words.truncate(at);
    }
    Ok((words, redirect, line[..end].trim().to_string()))
}

/// Every `tendonwatch …` line (also `sudo tendonwatch …` and `cargo run
/// --release -- …`) of the page's ```sh blocks.
fn shown_commands(page: &str, markdown: &str) -> Vec<Shown> {
    let mut out = Vec::new();
    let mut in_sh = false;
    let mut pending: Option<(usize, String)> = None;
    for (i, raw) in markdown.lines().enumerate() {
        let trimmed = raw.trim_start();
        if trimmed.starts_with("```") {
            in_sh = !in_sh && trimmed.trim_end() == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        let (start, mut text) = pending.take().unwrap_or((i + 1, String::new()));
        text.push_str(raw);
        if let Some(joined) = text.strip_suffix('\\') {
            pending = Some((start, format!("{joined} ")));
            continue;
        }
        let command = text.trim_start();
        if ![
            "tendonwatch",
            "sudo tendonwatch ",
            "cargo run --release -- ",
        ]
        .iter()
        .any(|p| command.starts_with(p))
        {
            continue;
        }
        let (words, stdout_to, before_comment) =
            shell_words(&text).unwrap_or_else(|e| panic!("{page}:{start}: {e}"));
        let args = match words.iter().map(String::as_str).collect::<Vec<_>>()[..] {
            ["tendonwatch", ..] | ["sudo", "tendonwatch", ..] => words
                .iter()
                .skip_while(|w| *w != "tendonwatch")
                .skip(1)
                .cloned()
                .collect(),
            ["cargo", "run", "--release", "--", ..] => words[4..].to_vec(),
            _ => continue,
        };
        out.push(Shown {
            page: page.to_string(),
            line: start,
            text: before_comment,
            args,
            stdout_to,
        });
    }
    out
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// What every page's home is made from: the history's files, the zip, and
/// the store (with its WAL files) once the history and the diary are in.
struct Seed {
    _dir: tempfile::TempDir,
    history: PathBuf,
    state: PathBuf,
}

/// A Strava-style export: real run files under `activities/`, stored.
fn strava_zip() -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, real) in [
        ("activities/101.fit", "fit/activity-small-fenix2-run.fit"),
        ("activities/102.gpx", "gpx/run_gpxtpx.gpx"),
    ] {
        zip.start_file(name, stored).unwrap();
        zip.write_all(&std::fs::read(util::real(real)).unwrap())
            .unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// A short morning-pain diary from a spreadsheet, in the history's last
/// weeks: twelve entries.
const DIARY: &str = "at,kind,score,stiffness_min,side\n\
    2026-05-01T07:00,morning,1,3,left\n2026-05-02T07:00,morning,1,3,left\n\
    2026-05-03T07:00,morning,2,5,left\n2026-05-04T07:00,morning,1,3,left\n\
    2026-05-05T07:00,morning,1,2,left\n2026-05-06T07:00,morning,2,4,left\n\
    2026-05-07T07:00,morning,1,3,left\n2026-05-08T07:00,morning,1,3,left\n\
    2026-05-09T07:00,morning,3,8,left\n2026-05-10T07:00,morning,2,5,left\n\
    2026-05-11T07:00,morning,1,3,left\n2026-05-12T07:00,morning,1,2,left\n";

/// Empty `home` and lay out a runner's first day in it (the store only
/// when the seed has one).
fn reset_home(home: &Path, seed: &Seed) {
    for entry in std::fs::read_dir(home).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() && !path.is_symlink() {
            util::chmod_tree(&path, 0o755, 0o644);
            std::fs::remove_dir_all(&path).unwrap();
        } else {
            std::fs::remove_file(&path).unwrap();
        }
    }
    std::fs::create_dir_all(home.join("Sync")).unwrap();
    std::os::unix::fs::symlink(&seed.history, home.join("Sync/watch")).unwrap();
    let downloads = home.join("Downloads/export");
    std::fs::create_dir_all(&downloads).unwrap();
    for real in ["fit/activity-small-fenix2-run.fit", "gpx/run_gpxtpx.gpx"] {
        let name = Path::new(real).file_name().unwrap();
        std::fs::copy(util::real(real), downloads.join(name)).unwrap();
    }
    std::fs::write(home.join("export_12345.zip"), strava_zip()).unwrap();
    if seed.state.exists() {
        let state = home.join(".local/state/tendonwatch");
        std::fs::create_dir_all(&state).unwrap();
        for entry in std::fs::read_dir(&seed.state).unwrap() {
            let from = entry.unwrap().path();
            std::fs::copy(&from, state.join(from.file_name().unwrap())).unwrap();
        }
    }
}

/// The seed: the history copied once, imported once with the diary.
fn seed(tw: &Tw) -> Seed {
    let dir = tempfile::Builder::new()
        .prefix("tendonwatch-readme-seed-")
        .tempdir()
        .unwrap();
    let history = dir.path().join("watch");
    std::fs::create_dir_all(&history).unwrap();
    let real_history = root().join("../shared/histories/rp-asplitline");
    for entry in std::fs::read_dir(&real_history).expect("the real history rp-asplitline") {
        let from = entry.unwrap().path();
        std::fs::copy(&from, history.join(from.file_name().unwrap())).unwrap();
    }
    let seed = Seed {
        history,
        state: dir.path().join("state"),
        _dir: dir,
    };
    reset_home(tw.root(), &seed);
    tw.run_bare(&["import"]).assert_ok();
    std::fs::write(tw.root().join("diary.csv"), DIARY).unwrap();
    tw.run_bare(&["pain", "import", "diary.csv"]).assert_ok();
    let state = tw.root().join(".local/state/tendonwatch");
    std::fs::create_dir_all(&seed.state).unwrap();
    for entry in std::fs::read_dir(&state).unwrap() {
        let from = entry.unwrap().path();
        std::fs::copy(&from, seed.state.join(from.file_name().unwrap())).unwrap();
    }
    seed
}

/// The subcommand of `args` (past the global options).
fn subcommand(args: &[String]) -> Option<&str> {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--config" | "--db" | "--runner" => {
                it.next();
            }
            a if a.starts_with("--") => {}
            a => return Some(a),
        }
    }
    None
}

/// A dashboard's port made 0 (any free one), the address kept.
fn any_port(args: &mut Vec<String>) {
    match args.iter().position(|a| a == "--bind") {
        Some(at) if at + 1 < args.len() => {
            let addr = &args[at + 1];
            let host = addr.rsplit_once(':').map_or(addr.as_str(), |(h, _)| h);
            args[at + 1] = format!("{host}:0");
        }
        _ => args.extend(["--bind".to_string(), "127.0.0.1:0".to_string()]),
    }
}

/// How long any one command may take before the test calls it stuck (a
/// safety net, not a measurement).
const STUCK: Duration = Duration::from_secs(180);

/// What became of one command.
struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Wait for `child` (killed when stuck), then read what it wrote.
fn finish(mut child: std::process::Child, out: &Path, err: &Path) -> Result<Outcome, String> {
    if !util::wait(STUCK.as_secs(), || matches!(child.try_wait(), Ok(Some(_)))) {
        let _ = child.kill();
        let _ = child.wait();
        return Err(format!("still running after {STUCK:?}"));
    }
    let status = child.wait().unwrap();
    Ok(Outcome {
        code: status.code(),
        stdout: std::fs::read_to_string(out).unwrap_or_default(),
        stderr: std::fs::read_to_string(err).unwrap_or_default(),
    })
}

fn interrupt(child: &std::process::Child) {
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
}

/// Run one shown command on `tw`'s home; what it did, if it was not what
/// the page and the exceptions promise.
fn run_shown(
    tw: &Tw,
    logs: &Path,
    n: usize,
    shown: &Shown,
    expect: Option<Expect>,
) -> Option<String> {
    let home = tw.root();
    let mut args: Vec<String> = shown
        .args
        .iter()
        .map(|a| match a.strip_prefix("~/") {
            Some(rest) => home.join(rest).to_string_lossy().into_owned(),
            None if a == "~" => home.to_string_lossy().into_owned(),
            None => a.clone(),
        })
        .collect();
    let sub = subcommand(&args).map(str::to_string);
    let forever = matches!(sub.as_deref(), Some("watch" | "serve" | "demo"))
        && !args.iter().any(|a| a == "--help" || a == "-h");
    if forever && sub.as_deref() != Some("watch") {
        any_port(&mut args);
    }
    let out = logs.join(format!("{n}.out"));
    let err = logs.join(format!("{n}.err"));
    let mut cmd = tw.bare_command();
    cmd.args(&args)
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap());
    let password = args.iter().any(|a| a == "set-password");
    cmd.stdin(if password {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    let socket = logs.join(format!("{n}.sock"));
    let notify = (forever && sub.as_deref() == Some("watch")).then(|| {
        let s = std::os::unix::net::UnixDatagram::bind(&socket).unwrap();
        s.set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        cmd.env("NOTIFY_SOCKET", &socket);
        s
    });
    let mut child = cmd.spawn().expect("tendonwatch starts");
    if password {
        writeln!(child.stdin.take().unwrap(), "a long test password").unwrap();
    }
    if forever {
        let t = Instant::now();
        let up = loop {
            if let Ok(Some(_)) = child.try_wait() {
                break Err("ended before it was up".to_string());
            }
            if t.elapsed() > STUCK {
                break Err(format!("not up after {STUCK:?}"));
            }
            if let Some(s) = &notify {
                let mut buf = [0u8; 512];
                if let Ok(len) = s.recv(&mut buf) {
                    if String::from_utf8_lossy(&buf[..len])
                        .lines()
                        .any(|l| l == "READY=1")
                    {
                        break Ok(());
                    }
                }
                continue;
            }
            let printed = std::fs::read_to_string(&out).unwrap_or_default();
            let addr = printed.lines().find_map(|l| {
                l.strip_prefix("dashboard: http://")
                    .and_then(|rest| rest.strip_suffix('/'))
                    .and_then(|a| a.parse::<std::net::SocketAddr>().ok())
            });
            if let Some(addr) = addr {
                let status = dashboard::Server::attach(addr).get("/", None).status;
                break if (200..400).contains(&status) {
                    Ok(())
                } else {
                    Err(format!("its dashboard at {addr} answered {status}"))
                };
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        interrupt(&child);
        let done = finish(child, &out, &err);
        return match (up, done) {
            (Err(e), done) => Some(format!(
                "{e}\n{}",
                done.map(|o| o.stderr).unwrap_or_default()
            )),
            (Ok(()), Err(e)) => Some(format!("after Ctrl-C: {e}")),
            (Ok(()), Ok(o)) if o.code != Some(0) => Some(format!(
                "after Ctrl-C it exited {:?}:\n{}",
                o.code, o.stderr
            )),
            (Ok(()), Ok(_)) => None,
        };
    }
    let o = match finish(child, &out, &err) {
        Ok(o) => o,
        Err(e) => return Some(e),
    };
    if let Some(to) = &shown.stdout_to {
        std::fs::write(home.join(to), &o.stdout).unwrap();
    }
    let (code, words) = match expect {
        Some(Expect::Fails(code, words)) => (code, words),
        _ => (0, ""),
    };
    if o.code == Some(code) && (o.stderr.contains(words) || o.stdout.contains(words)) {
        None
    } else {
        Some(format!(
            "exited {:?}, expected {code}{}\n--- stdout\n{}--- stderr\n{}",
            o.code,
            if words.is_empty() {
                String::new()
            } else {
                format!(" saying {words:?}")
            },
            o.stdout.chars().take(2000).collect::<String>(),
            o.stderr.chars().take(2000).collect::<String>()
        ))
    }
}

#[test]
fn every_command_the_readme_and_docs_show_runs_as_documented() {
    let docs: BTreeSet<String> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .map(|n| format!("docs/{n}"))
        .collect();
    let listed: BTreeSet<String> = PAGES.iter().map(|p| p.to_string()).collect();
    let unlisted: Vec<&String> = docs.difference(&listed).collect();
    assert!(
        unlisted.is_empty(),
        "add these pages to PAGES: {unlisted:?}"
    );

    let tw = Tw::new();
    let seed = seed(&tw);
    let logs = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut used = vec![false; EXCEPTIONS.len()];
    let mut ran = 0;
    for page in PAGES {
        let markdown = std::fs::read_to_string(root().join(page)).unwrap();
        let mut shown = shown_commands(page, &markdown);
        if shown.is_empty() {
            continue;
        }
        reset_home(tw.root(), &seed);
        for (p, line, _why) in PRELUDES {
            if p == page {
                let mut prelude = shown_commands(page, &format!("```sh\n{line}\n```\n"));
                prelude[0].line = 0;
                shown.insert(0, prelude.remove(0));
            }
        }
        for s in &shown {
            let exception = EXCEPTIONS
                .iter()
                .position(|e| e.page == *page && e.command == s.text);
            if let Some(i) = exception {
                used[i] = true;
            }
            let expect = exception.map(|i| EXCEPTIONS[i].expect);
            if matches!(expect, Some(Expect::NotRun)) {
                continue;
            }
            if s.text.starts_with("sudo ") {
                failures.push(format!(
                    "{s}: needs root; list it in EXCEPTIONS with the reason"
                ));
                continue;
            }
            ran += 1;
            if let Some(what) = run_shown(&tw, logs.path(), ran, s, expect) {
                failures.push(format!("{s}: {what}"));
            }
        }
    }
    for (i, e) in EXCEPTIONS.iter().enumerate() {
        if !used[i] {
            failures.push(format!(
                "EXCEPTIONS names `{}` on {}, which the page no longer shows ({})",
                e.command, e.page, e.why
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {ran} commands did not do what the pages say:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    // The pages show the first steps: the README's first commands, in order.
    assert!(
        ran >= 60,
        "only {ran} commands found: is the extraction broken?"
    );
}

#[test]
fn the_first_screen_says_where_the_dashboard_is() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let first = shown_commands("README.md", &readme);
    let order: Vec<String> = first.iter().map(|s| s.args.join(" ")).collect();
    // Install (not a tendonwatch line), config init, the daemon, the
    // dashboard: in this order, each after the one before.
    let mut from = 0;
    for step in ["config init", "config check", "watch", "serve"] {
        from += order[from..]
            .iter()
            .position(|c| c == step)
            .unwrap_or_else(|| panic!("no `tendonwatch {step}` after {:?}", &order[..from]));
    }
    let address = format!("http://{}/", tendonwatch::config::DEFAULT_BIND);
    let serve = readme
        .lines()
        .find(|l| l.starts_with("tendonwatch serve "))
        .unwrap();
    assert!(serve.contains(&address), "{serve}");
    assert!(
        readme.contains("cargo install --path ."),
        "the install step"
    );
}

/// GitHub's anchor of a heading: lower case, punctuation dropped, spaces
/// as hyphens.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of a page's headings (outside code blocks).
fn anchors(markdown: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut code = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            code = !code;
        } else if !code && line.starts_with('#') {
            out.insert(anchor(line.trim_start_matches('#')));
        }
    }
    out
}

/// Every link target of a page, with its line: `[text](target)` and
/// `src="target"`, outside code blocks and code spans.
fn links(markdown: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut code = false;
    for (i, line) in markdown.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            code = !code;
            continue;
        }
        if code {
            continue;
        }
        let prose: String = line
            .split('`')
            .enumerate()
            .filter(|(k, _)| k % 2 == 0)
            .map(|(_, part)| part)
            .collect::<Vec<_>>()
            .join(" ");
        for (marker, close) in [("](", ')'), ("src=\"", '"')] {
            let mut rest = prose.as_str();
            while let Some(at) = rest.find(marker) {
                rest = &rest[at + marker.len()..];
                if let Some(end) = rest.find(close) {
                    out.push((i + 1, rest[..end].to_string()));
                }
            }
        }
    }
    out
}

#[test]
fn every_relative_link_of_the_readme_and_docs_leads_somewhere() {
    let mut broken = Vec::new();
    let mut checked = 0;
    for page in PAGES {
        let markdown = std::fs::read_to_string(root().join(page)).unwrap();
        let dir = root().join(page).parent().unwrap().to_path_buf();
        for (line, target) in links(&markdown) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            checked += 1;
            let (file, fragment) = match target.split_once('#') {
                Some((f, a)) => (f, Some(a)),
                None => (target.as_str(), None),
            };
            let path = if file.is_empty() {
                root().join(page)
            } else {
                dir.join(file)
            };
            if !path.exists() {
                broken.push(format!("{page}:{line}: {target}: no such file"));
                continue;
            }
            if let Some(fragment) = fragment {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                if !anchors(&text).contains(fragment) {
                    broken.push(format!("{page}:{line}: {target}: no such heading"));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    assert!(checked > 20, "only {checked} links found");
}
