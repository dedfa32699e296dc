//! `tendonwatch demo [--bind ADDR:PORT] [--week-seconds F] [--keep]
//! [--exit-after-feed]`: see tendonwatch work before a watch is connected.
//!
//! A temporary folder holds a sync folder (`sync/`) and a store
//! (`tendonwatch.db`); the runner's own config file, store and sync folders
//! are never read or written (`--config` and `--db` do not apply here). The
//! daemon watches `sync/` and the dashboard serves the store on this machine,
//! both in one runtime, while the 16-week season of [`crate::demo`] is fed
//! in at `--week-seconds` seconds a week: each run is written as a FIT file
//! the moment it ends on the simulated clock (to `NAME.fit.part`, then
//! renamed, as a sync tool does), each pain entry is logged when the clock
//! passes it (after the daemon has stored every run before it) and the pain
//! rules are run as `tendonwatch pain` runs them, as of that moment.
//!
//! The demo config is the defaults (return profile, no notification sink:
//! nothing reaches the desktop or a phone), with the notification horizon
//! widened to the whole season: a runner whose daemon ran all season was
//! told about each alert at the time, so none of the season's alerts is
//! held back as "too old".

use super::{Context_, UsageError, runtime};
use crate::config::{self, Config, DEFAULT_BIND};
use crate::daemon::{self, DaemonOptions};
use crate::demo::{self, Season, WEEK_MS, WEEKS};
use crate::store::Store;
use crate::store::alerts::Alert;
use crate::web::{self, WebOptions};
use anyhow::Context;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address and port of the dashboard, on this machine (port 0: any free port).
    #[arg(long, value_name = "ADDR:PORT", default_value = DEFAULT_BIND)]
    pub bind: String,
    /// Seconds of wall time per simulated week (0: as fast as the daemon goes).
    #[arg(
        long,
        value_name = "SECONDS",
        default_value = "1",
        allow_negative_numbers = true
    )]
    pub week_seconds: String,
    /// Keep the demo folder (sync folder and store) and say where it is.
    #[arg(long)]
    pub keep: bool,
    /// Stop once the season is fed and the daemon has caught up, instead of
    /// serving the dashboard until Ctrl-C.
    #[arg(long)]
    pub exit_after_feed: bool,
    /// Also show the daemon's log (every file it stores) on standard error.
    #[arg(short, long)]
    pub verbose: bool,
}

/// Longest wait for the daemon to store the runs written so far.
const CATCH_UP_LIMIT: Duration = Duration::from_secs(120);
/// The daemon gathers file events this long (the watch default is 500 ms:
/// at the demo's pace that would be days of the season).
const DEBOUNCE: Duration = Duration::from_millis(50);
/// How long the server gets to stop (a browser may hold a connection open).
const WEB_STOP_LIMIT: Duration = Duration::from_secs(5);

fn usage(message: String) -> anyhow::Error {
    UsageError(message).into()
}

/// `--bind`: an IP address and port (or `localhost:PORT`), loopback only.
fn parse_bind(text: &str) -> anyhow::Result<SocketAddr> {
    let addr = match text.trim().parse::<SocketAddr>() {
        Ok(addr) => addr,
        Err(_) => match text
            .trim()
            .strip_prefix("localhost:")
            .map(str::parse::<u16>)
        {
            Some(Ok(port)) => SocketAddr::from(([127, 0, 0, 1], port)),
            _ => {
                return Err(usage(format!(
                    "--bind '{text}' is not an address and port (e.g. {DEFAULT_BIND}, or 127.0.0.1:0 for any free port)"
                )));
            }
        },
    };
    if !addr.ip().is_loopback() {
        return Err(usage(format!(
            "--bind {addr}: the demo serves this machine only; give a loopback address such as {DEFAULT_BIND}"
        )));
    }
    Ok(addr)
}

/// `--week-seconds`: a number of seconds, 0 to a day.
fn parse_week_seconds(text: &str) -> anyhow::Result<f64> {
    match text.trim().parse::<f64>() {
        Ok(s) if s.is_finite() && (0.0..=86_400.0).contains(&s) => Ok(s),
        _ => Err(usage(format!(
            "--week-seconds '{text}' is not a number of seconds from 0 to 86400 (1 plays the season in 16 seconds)"
        ))),
    }
}

pub fn run(_ctx: &Context_, args: Args) -> anyhow::Result<ExitCode> {
    // The runner's config and store are deliberately not used (`_ctx`).
    let addr = parse_bind(&args.bind)?;
    let week_seconds = parse_week_seconds(&args.week_seconds)?;
    let parallelism = runtime::decode_threads();
    let runtime = runtime::build(2, parallelism + 2)?;
    // Bind first: a port in use is one line, and nothing is created.
    let listener = runtime.block_on(web::bind(addr, false))?;

    let dir = tempfile::Builder::new()
        .prefix("tendonwatch-demo-")
        .tempdir()
        .context("creating the demo folder")?;
    let root = std::fs::canonicalize(dir.path()).unwrap_or_else(|_| dir.path().to_path_buf());
    let result = run_in(
        &runtime,
        listener,
        &root,
        week_seconds,
        parallelism,
        args.exit_after_feed,
    );
    drop(runtime);
    if args.keep {
        let kept = dir.keep();
        println!(
            "kept {}: sync/ holds the season's FIT files, tendonwatch.db the store (`tendonwatch --db {} status`)",
            kept.display(),
            kept.join(config::DB_FILE).display()
        );
    } else if let Err(e) = dir.close() {
        eprintln!(
            "tendonwatch: could not remove the demo folder {}: {e}",
            root.display()
        );
    }
    result
}

/// Everything that runs inside the demo folder.
fn run_in(
    runtime: &tokio::runtime::Runtime,
    listener: tokio::net::TcpListener,
    root: &Path,
    week_seconds: f64,
    parallelism: usize,
    exit_after_feed: bool,
) -> anyhow::Result<ExitCode> {
    let local = listener.local_addr()?;
    let sync = root.join("sync");
    std::fs::create_dir(&sync).with_context(|| format!("creating {}", sync.display()))?;
    let db_path = root.join(config::DB_FILE);
    // Create the schema before the daemon, the server and the feeder open it.
    drop(Store::open(&db_path)?);

    let zone = crate::zone::Zone::system();
    let offset_s = zone.offset_s_at(chrono::Utc::now().timestamp_millis());
    let season = demo::season(chrono::Utc::now().timestamp_millis(), offset_s);
    let config = Config::default();
    let mut rules = config.rule_settings();
    rules.horizon_days = (WEEKS as i64 + 1) * 7;
    // No sink: the demo never notifies (no outbox rows either).
    rules.sinks.clear();
    let pain_limit = config.profile.pain_limit();
    let mut ingest = config.ingest_settings();
    ingest.zone = zone;
    let w = &config.watch;
    let daemon_opts = DaemonOptions {
        runner: None,
        folders: vec![sync.clone()],
        db_path: db_path.clone(),
        mode: crate::watch::Mode::Native,
        debounce: DEBOUNCE,
        settle: Duration::from_secs(w.settle_s),
        rescan_every: Duration::from_secs(w.rescan_s),
        parallelism,
        ingest: ingest.clone(),
        rules: rules.clone(),
        pain_limit,
        // Nothing is delivered: no desktop notification, no push.
        delivery: None,
    };
    let web_opts = WebOptions {
        db_path: db_path.clone(),
        password_hash: None,
        session_days: config.web.session_days,
        rules: rules.clone(),
        ingest,
        pain_limit,
        zone,
        // The demo sends no check-in, so it has no link to answer.
        checkin_key: None,
    };

    println!("dashboard: http://{local}/");
    println!(
        "demo folder: {} (a sync folder and a store of its own; your config and store are not touched)",
        root.display()
    );
    println!(
        "feeding a 16-week season at {week_seconds} s a week: a runner back from Achilles pain (return profile), 3 runs a week"
    );

    runtime.block_on(async move {
        let interrupted = Arc::new(AtomicBool::new(false));
        let interrupt = Arc::new(Notify::new());
        tokio::spawn(on_signal(interrupted.clone(), interrupt.clone()));

        let web_stop = Arc::new(Notify::new());
        let mut web_task = tokio::spawn(web::serve(listener, web_opts, {
            let stopped = web_stop.clone();
            async move { stopped.notified().await }
        }));

        // The daemon's future is not `Send`: it runs here, beside the
        // control flow, rather than as a task of its own.
        let stop = Arc::new(AtomicBool::new(false));
        let wake = Arc::new(Notify::new());
        let daemon_done = Arc::new(AtomicBool::new(false));
        let daemon_ended = Arc::new(Notify::new());
        let daemon = {
            let (stop, wake) = (stop.clone(), wake.clone());
            let (done, ended) = (daemon_done.clone(), daemon_ended.clone());
            async move {
                let shared = daemon::Shared::new(1);
                let result = daemon::run(daemon_opts, stop, wake, shared.clone(), 0).await;
                shared.finish();
                done.store(true, Ordering::SeqCst);
                ended.notify_one();
                result
            }
        };

        let feeder = Feeder {
            season,
            sync,
            db_path,
            week_seconds,
            rules,
            pain_limit,
            offset_s,
            interrupted: interrupted.clone(),
            daemon_done: daemon_done.clone(),
        };
        let control = async {
            let fed = tokio::task::spawn_blocking(move || feeder.feed())
                .await
                .map_err(|e| anyhow::anyhow!("the demo feeder failed: {e}"))
                .and_then(|r| r);
            let mut web_result = None;
            let outcome = match fed {
                Err(e) => Err(e),
                Ok(None) => {
                    println!("interrupted: stopping");
                    Ok(())
                }
                Ok(Some(fed)) => {
                    fed.print();
                    if !exit_after_feed {
                        println!("serving the dashboard at http://{local}/ until Ctrl-C");
                        tokio::select! {
                            _ = interrupt.notified() => println!("stopping"),
                            _ = daemon_ended.notified() => {}
                            r = &mut web_task => web_result = Some(flatten(r)),
                        }
                    }
                    Ok(())
                }
            };
            // Stop the daemon (it finishes the batch in hand) and the server.
            stop.store(true, Ordering::SeqCst);
            wake.notify_one();
            web_stop.notify_one();
            if web_result.is_none() {
                // Open browser connections hold a graceful shutdown: not long.
                web_result = Some(
                    tokio::time::timeout(WEB_STOP_LIMIT, &mut web_task)
                        .await
                        .map_or_else(
                            |_| {
                                web_task.abort();
                                Ok(())
                            },
                            flatten,
                        ),
                );
            }
            (outcome, web_result.unwrap_or(Ok(())))
        };
        let (daemon_result, (outcome, web_result)) = tokio::join!(daemon, control);
        // The daemon's own error says more than the feeder's "it stopped".
        daemon_result.context("the daemon stopped")?;
        outcome?;
        web_result.context("the dashboard stopped")?;
        Ok(ExitCode::SUCCESS)
    })
}

fn flatten(r: Result<anyhow::Result<()>, tokio::task::JoinError>) -> anyhow::Result<()> {
    r.map_err(|e| anyhow::anyhow!("{e}"))?
}

/// Ctrl-C or SIGTERM: set the flag (the feeder looks at it) and wake the
/// server loop.
async fn on_signal(flag: Arc<AtomicBool>, notify: Arc<Notify>) {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Err(e) => {
            tracing::warn!("no SIGTERM handler: {e}");
            let _ = tokio::signal::ctrl_c().await;
        }
    }
    flag.store(true, Ordering::SeqCst);
    notify.notify_one();
}

/// What the season left in the store.
struct Fed {
    runs: usize,
    pain: usize,
    alerts: Vec<Alert>,
}

impl Fed {
    fn print(&self) {
        println!(
            "season fed: {}, {}, {}",
            crate::units::plural(self.runs, "run", "runs"),
            crate::units::plural(self.pain, "pain entry", "pain entries"),
            crate::units::plural(self.alerts.len(), "alert", "alerts")
        );
        let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
        for a in &self.alerts {
            *kinds.entry(a.kind.as_str()).or_default() += 1;
        }
        let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
        println!("alerts by kind: {}", kinds.join(", "));
    }
}

/// One thing that happens on the simulated clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Week(usize),
    Run(usize),
    Pain(usize),
}

/// Feeds the season on a blocking thread with its own store connection.
struct Feeder {
    season: Season,
    sync: PathBuf,
    db_path: PathBuf,
    week_seconds: f64,
    rules: crate::alerts::RuleSettings,
    pain_limit: f64,
    offset_s: i32,
    interrupted: Arc<AtomicBool>,
    daemon_done: Arc<AtomicBool>,
}

impl Feeder {
    /// Ok(None) when interrupted.
    fn feed(&self) -> anyhow::Result<Option<Fed>> {
        let s = &self.season;
        let mut store = Store::open(&self.db_path)?;
        let mut steps: Vec<(i64, Step)> = Vec::new();
        steps.extend(
            s.weeks
                .iter()
                .enumerate()
                .map(|(i, w)| (w.start_ms, Step::Week(i))),
        );
        steps.extend(
            s.runs
                .iter()
                .enumerate()
                .map(|(i, a)| (demo::run_end_ms(a), Step::Run(i))),
        );
        steps.extend(
            s.pain
                .iter()
                .enumerate()
                .map(|(i, p)| (p.at_ms, Step::Pain(i))),
        );
        steps.sort();

        let started = Instant::now();
        let mut written = 0usize;
        let mut last_alert = 0i64;
        for (t_ms, step) in steps {
            let due = started + self.wall_offset(t_ms);
            if !self.sleep_until(due) {
                return Ok(None);
            }
            match step {
                Step::Week(i) => {
                    let w = &s.weeks[i];
                    println!(
                        "week {}/{WEEKS}: {} ({}, {})",
                        w.number,
                        w.label,
                        crate::units::plural(w.events.len(), "run", "runs"),
                        crate::units::km(w.km * 1000.0)
                    );
                }
                Step::Run(i) => {
                    self.write_run(&s.runs[i])?;
                    written += 1;
                }
                Step::Pain(i) => {
                    // The pain rules look at the runs before the entry.
                    if !self.wait_for_daemon(&store, written)? {
                        return Ok(None);
                    }
                    print_new_alerts(&store, &mut last_alert)?;
                    let p = &s.pain[i];
                    store.add_pain(p, p.at_ms)?;
                    crate::alerts::evaluate_pain(
                        &mut store,
                        &self.rules,
                        self.pain_limit,
                        p.at_ms,
                    )?;
                    print_new_alerts(&store, &mut last_alert)?;
                }
            }
        }
        if !self.wait_for_daemon(&store, written)? {
            return Ok(None);
        }
        // As of now, as `tendonwatch pain` would (the daemon does the same
        // after its last batch; a cause never alerts twice).
        crate::alerts::evaluate_pain(
            &mut store,
            &self.rules,
            self.pain_limit,
            chrono::Utc::now().timestamp_millis(),
        )?;
        print_new_alerts(&store, &mut last_alert)?;
        Ok(Some(Fed {
            runs: store.activities()?.len(),
            pain: store.pain_between(i64::MIN, i64::MAX)?.len(),
            alerts: store.alerts(true)?,
        }))
    }

    /// Wall time from the start of the feed to simulated instant `t_ms`.
    fn wall_offset(&self, t_ms: i64) -> Duration {
        let weeks = (t_ms - self.season.start_ms).max(0) as f64 / WEEK_MS as f64;
        Duration::from_secs_f64((weeks * self.week_seconds).max(0.0))
    }

    /// Sleep until `due`, watching for an interrupt: false when interrupted.
    fn sleep_until(&self, due: Instant) -> bool {
        loop {
            if self.interrupted.load(Ordering::SeqCst) {
                return false;
            }
            let now = Instant::now();
            if now >= due {
                return true;
            }
            std::thread::sleep((due - now).min(Duration::from_millis(50)));
        }
    }

    /// Write a run into the sync folder as a sync tool does: a `.part`
    /// file (ignored by the watcher), renamed into place when complete.
    fn write_run(&self, a: &crate::activity::Activity) -> anyhow::Result<()> {
        let local_ms = a.start_ms + i64::from(a.local_offset_s.unwrap_or(self.offset_s)) * 1000;
        let name = chrono::DateTime::from_timestamp_millis(local_ms)
            .map(|t| t.format("%Y-%m-%d-%H%M.fit").to_string())
            .unwrap_or_else(|| format!("{}.fit", a.start_ms));
        let path = self.sync.join(&name);
        let part = self.sync.join(format!("{name}.part"));
        std::fs::write(&part, crate::sim::fit_writer::encode(a))
            .with_context(|| format!("writing {}", part.display()))?;
        std::fs::rename(&part, &path).with_context(|| format!("renaming {}", part.display()))?;
        Ok(())
    }

    /// Until the daemon has stored and evaluated `written` runs: false when
    /// interrupted, an error when the daemon stopped or is stuck.
    fn wait_for_daemon(&self, store: &Store, written: usize) -> anyhow::Result<bool> {
        let started = Instant::now();
        loop {
            if self.interrupted.load(Ordering::SeqCst) {
                return Ok(false);
            }
            if store.activities()?.len() >= written && store.unevaluated_runs()?.is_empty() {
                return Ok(true);
            }
            if self.daemon_done.load(Ordering::SeqCst) {
                anyhow::bail!("the daemon stopped before storing run {written} of the season");
            }
            if started.elapsed() > CATCH_UP_LIMIT {
                anyhow::bail!(
                    "the daemon has not stored run {written} of the season after {} s",
                    CATCH_UP_LIMIT.as_secs()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// Print alerts newer than `last` (by id), oldest first.
fn print_new_alerts(store: &Store, last: &mut i64) -> anyhow::Result<()> {
    let mut new: Vec<Alert> = store
        .alerts(true)?
        .into_iter()
        .filter(|a| a.id > *last)
        .collect();
    new.sort_by_key(|a| a.id);
    for a in &new {
        println!(
            "  alert {} [{}]: {}",
            a.kind,
            a.severity,
            crate::rules::indent_lines(&a.what_changed, "    ")
        );
        *last = (*last).max(a.id);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bind_takes_loopback_addresses_only() {
        assert_eq!(
            parse_bind("127.0.0.1:8417").ok(),
            Some(SocketAddr::from(([127, 0, 0, 1], 8417)))
        );
        assert_eq!(
            parse_bind("localhost:0").ok(),
            Some(SocketAddr::from(([127, 0, 0, 1], 0)))
        );
        assert!(parse_bind("[::1]:8417").is_ok());
        for bad in [
            "nonsense",
            "127.0.0.1",
            "0.0.0.0:8417",
            "192.168.1.2:80",
            "",
        ] {
            let e = parse_bind(bad).err().map(|e| e.is::<UsageError>());
            assert_eq!(e, Some(true), "{bad}");
        }
    }

    #[test]
    fn week_seconds_is_a_sane_number() {
        assert_eq!(parse_week_seconds("1").ok(), Some(1.0));
        assert_eq!(parse_week_seconds("0.05").ok(), Some(0.05));
        assert_eq!(parse_week_seconds("0").ok(), Some(0.0));
        for bad in ["-1", "NaN", "inf", "fast", "1e9"] {
            assert!(parse_week_seconds(bad).is_err(), "{bad}");
        }
    }
}
