//! `tendonwatch watch [DIR...]`: the daemon. Without DIR: the sync folders
//! from the config.

use super::{Context_, UsageError, runtime};
use crate::daemon::{self, DaemonOptions};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Sync folders to watch (default: [watch] folders in the config).
    pub folders: Vec<PathBuf>,
}

pub fn run(ctx: &Context_, args: Args) -> anyhow::Result<ExitCode> {
    let config = &ctx.config;
    let folders: Vec<PathBuf> = if args.folders.is_empty() {
        config.sync_folders(&ctx.env)?
    } else {
        args.folders
    };
    let opts = daemon_options(config, ctx, folders)?;
    let web = if config.web.enabled {
        let web = crate::web::Dashboard::One(Box::new(super::serve::web_options(
            config,
            opts.db_path.clone(),
            super::serve::checkin_key(ctx),
        )));
        let addr = super::serve::bind_address(&config.web.bind, web.logs_in())?;
        Some((addr, web))
    } else {
        None
    };
    run_daemons(vec![opts], web, OnFailure::StopAll)
}

/// `tendonwatch watch` on a config with `[[runner]]` tables and no
/// `--runner`: one daemon per runner in this process, each on the runner's
/// own folders and store, so no runner's rules ever read another's data;
/// with `[web] enabled`, the household's dashboard beside them.
pub fn run_household(ctx: &Context_) -> anyhow::Result<ExitCode> {
    let mut all = Vec::new();
    for name in ctx.config.runner_names() {
        let config = ctx.config.for_runner(Some(name)).map_err(UsageError)?;
        let runner = Context_ {
            config,
            env: ctx.env.clone(),
            db: None,
        };
        let folders = runner.config.sync_folders(&runner.env)?;
        tracing::info!("runner {name}: watching {} folder(s)", folders.len());
        all.push(daemon_options(&runner.config, &runner, folders)?);
    }
    let web = if ctx.config.web.enabled {
        let web = crate::web::Dashboard::Household(super::serve::household(ctx)?);
        let addr = super::serve::bind_address(&ctx.config.web.bind, web.logs_in())?;
        Some((addr, web))
    } else {
        None
    };
    run_daemons(all, web, OnFailure::TryAgainLater)
}

/// What one runner's daemon needs, checked.
fn daemon_options(
    config: &crate::config::Config,
    ctx: &Context_,
    folders: Vec<PathBuf>,
) -> anyhow::Result<DaemonOptions> {
    if folders.is_empty() {
        return Err(UsageError(
            "no sync folder: give one (`tendonwatch watch ~/Sync/watch`) or set [watch] folders"
                .into(),
        )
        .into());
    }
    // Absolute paths, so stored paths match `import`'s.
    let folders: Vec<PathBuf> = folders
        .into_iter()
        .map(|f| std::fs::canonicalize(&f).unwrap_or(f))
        .collect();
    let db_path = config.db_path(ctx.db.as_deref(), &ctx.env)?;
    for f in &folders {
        if db_path.starts_with(f) {
            return Err(UsageError(format!(
                "the database {} is inside the sync folder {}; keep it outside",
                db_path.display(),
                f.display()
            ))
            .into());
        }
    }
    let w = &config.watch;
    let mode = if w.mode == "poll" {
        crate::watch::Mode::Poll(Duration::from_secs(w.poll_interval_s))
    } else {
        crate::watch::Mode::Native
    };
    let parallelism = runtime::decode_threads();
    Ok(DaemonOptions {
        runner: config.store.runner.clone(),
        folders,
        db_path,
        mode,
        debounce: Duration::from_millis(w.debounce_ms),
        settle: Duration::from_secs(w.settle_s),
        rescan_every: Duration::from_secs(w.rescan_s),
        parallelism,
        ingest: config.ingest_settings(),
        rules: config.rule_settings(),
        pain_limit: config.profile.pain_limit(),
        delivery: super::notify_test::delivery(
            config,
            super::checkin::for_daemon(config, &ctx.env),
        ),
    })
}

/// What a daemon's failure does to the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OnFailure {
    /// One runner: the process ends with the error (the service manager
    /// restarts it).
    StopAll,
    /// A household: that runner is said in the log and tried again later;
    /// the others go on.
    TryAgainLater,
}

/// A household runner that failed is started again this much later.
const TRY_AGAIN: Duration = Duration::from_secs(5 * 60);

/// Run these daemons (one per runner, sharing one watcher, one delivery
/// thread and the store gate) until SIGTERM or Ctrl-C, and the dashboard
/// beside them if asked.
fn run_daemons(
    all: Vec<DaemonOptions>,
    web: Option<(std::net::SocketAddr, crate::web::Dashboard)>,
    on_failure: OnFailure,
) -> anyhow::Result<ExitCode> {
    let runtime = runtime::build(1, runtime::decode_threads())?;
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = Arc::new(tokio::sync::Notify::new());
    let wakes: Vec<Arc<tokio::sync::Notify>> = all
        .iter()
        .map(|_| Arc::new(tokio::sync::Notify::new()))
        .collect();
    runtime.block_on(async {
        let (s, w, told) = (stop.clone(), wakes.clone(), stopped.clone());
        // In place before any daemon says it is ready.
        let stopping = runtime::stop_signal();
        tokio::spawn(async move {
            let why = stopping.await;
            tracing::info!("{why}: finishing the files in hand");
            s.store(true, Ordering::SeqCst);
            told.notify_one();
            for wake in &w {
                wake.notify_one();
            }
        });
        let web_stop = Arc::new(tokio::sync::Notify::new());
        let server = match web {
            Some((addr, dashboard)) => {
                let listener = crate::web::bind(addr, dashboard.logs_in()).await?;
                let s = web_stop.clone();
                Some(tokio::spawn(crate::web::serve_dashboard(
                    listener,
                    dashboard,
                    async move { s.notified().await },
                )))
            }
            None => None,
        };
        let shared = daemon::Shared::new(all.len());
        let start = |i: usize| {
            use tracing::Instrument;
            let opts: &DaemonOptions = &all[i];
            let span = match &opts.runner {
                Some(name) => tracing::info_span!("runner", name = %name),
                None => tracing::Span::none(),
            };
            daemon::run(
                opts.clone(),
                stop.clone(),
                wakes[i].clone(),
                shared.clone(),
                i,
            )
            .instrument(span)
        };
        let names: Vec<String> = all
            .iter()
            .enumerate()
            .map(|(i, o)| o.runner.clone().unwrap_or_else(|| format!("{}", i + 1)))
            .collect();
        let result = supervise(&names, start, on_failure, &stop, &wakes, &stopped, &shared).await;
        shared.finish();
        if let Some(server) = server {
            web_stop.notify_one();
            match server.await {
                Ok(Err(e)) => tracing::warn!("dashboard: {e}"),
                Err(e) => tracing::warn!("dashboard: {e}"),
                Ok(Ok(())) => {}
            }
        }
        result
    })?;
    Ok(ExitCode::SUCCESS)
}

/// One runner's daemon, as the supervisor sees it.
enum Daemon<F> {
    Running(std::pin::Pin<Box<F>>),
    /// Failed; started again when this sleep ends.
    Resting(std::pin::Pin<Box<tokio::time::Sleep>>),
    Done,
}

/// Drive every runner's daemon on this task until all have finished. A
/// failure either ends them all (one runner) or rests that runner and
/// starts it again later while the others go on (a household).
async fn supervise<F>(
    names: &[String],
    start: impl Fn(usize) -> F,
    on_failure: OnFailure,
    stop: &AtomicBool,
    wakes: &[Arc<tokio::sync::Notify>],
    stopped: &tokio::sync::Notify,
    shared: &daemon::Shared,
) -> anyhow::Result<()>
where
    F: std::future::Future<Output = anyhow::Result<()>>,
{
    let mut daemons: Vec<Daemon<F>> = (0..names.len())
        .map(|i| Daemon::Running(Box::pin(start(i))))
        .collect();
    let mut first_error = None;
    let mut stop_seen = std::pin::pin!(stopped.notified());
    std::future::poll_fn(|cx| {
        let stopping = stop_seen.as_mut().poll(cx).is_ready() || stop.load(Ordering::SeqCst);
        for i in 0..daemons.len() {
            loop {
                let failed = match &mut daemons[i] {
                    Daemon::Done => break,
                    Daemon::Resting(_) if stopping => {
                        daemons[i] = Daemon::Done;
                        break;
                    }
                    Daemon::Resting(sleep) => match sleep.as_mut().poll(cx) {
                        std::task::Poll::Ready(()) => {
                            daemons[i] = Daemon::Running(Box::pin(start(i)));
                            continue;
                        }
                        std::task::Poll::Pending => break,
                    },
                    Daemon::Running(f) => match f.as_mut().poll(cx) {
                        std::task::Poll::Pending => break,
                        std::task::Poll::Ready(Ok(())) => {
                            daemons[i] = Daemon::Done;
                            break;
                        }
                        std::task::Poll::Ready(Err(e)) => e,
                    },
                };
                // A household runner rests while another still runs; the
                // last one running (or a lone runner) ends the process,
                // and the service manager starts it again.
                let others_run = daemons
                    .iter()
                    .enumerate()
                    .any(|(j, d)| j != i && matches!(d, Daemon::Running(_)));
                if on_failure == OnFailure::TryAgainLater && others_run && !stopping {
                    tracing::error!(
                        "runner {} stopped: {failed:#}; the other runners go on, and {} is tried again in {} minutes",
                        names[i],
                        names[i],
                        TRY_AGAIN.as_secs() / 60
                    );
                    shared.service.out(i);
                    daemons[i] = Daemon::Resting(Box::pin(tokio::time::sleep(TRY_AGAIN)));
                } else {
                    if on_failure == OnFailure::TryAgainLater && !stopping {
                        tracing::error!(
                            "runner {} stopped: {failed:#}; no other runner is running, so the service stops",
                            names[i]
                        );
                    }
                    first_error.get_or_insert(failed);
                    stop.store(true, Ordering::SeqCst);
                    for wake in wakes {
                        wake.notify_one();
                    }
                    daemons[i] = Daemon::Done;
                }
                break;
            }
        }
        // Stopping (a signal, or the last runner failed): nobody rests on.
        if stop.load(Ordering::SeqCst) {
            for d in daemons.iter_mut() {
                if matches!(d, Daemon::Resting(_)) {
                    *d = Daemon::Done;
                }
            }
        }
        if daemons.iter().all(|d| matches!(d, Daemon::Done)) {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    first_error.map_or(Ok(()), Err)
}
