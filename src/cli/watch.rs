//! `tendonwatch watch [DIR...]`: the daemon. Without DIR: the sync folders
//! from the config.

use super::{Context_, UsageError};
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
    let parallelism = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let opts = DaemonOptions {
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
        delivery: super::notify_test::delivery(config),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .max_blocking_threads(parallelism)
        .enable_all()
        .build()?;
    let stop = Arc::new(AtomicBool::new(false));
    let wake = Arc::new(tokio::sync::Notify::new());
    runtime.block_on(async {
        let (s, w) = (stop.clone(), wake.clone());
        tokio::spawn(async move {
            let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(t) => t,
                Err(e) => {
                    tracing::warn!("no SIGTERM handler: {e}");
                    return;
                }
            };
            tokio::select! {
                _ = term.recv() => tracing::info!("SIGTERM: finishing the files in hand"),
                _ = tokio::signal::ctrl_c() => tracing::info!("interrupted: finishing the files in hand"),
            }
            s.store(true, Ordering::SeqCst);
            w.notify_one();
        });
        daemon::run(opts, stop, wake).await
    })?;
    Ok(ExitCode::SUCCESS)
}
