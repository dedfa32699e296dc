//! The tokio runtime of the commands that ingest or serve (`import`,
//! `watch`, `serve`, `demo`), and how many decode threads they use.

/// Files decoded at once: one per core (two when the machine does not say).
pub fn decode_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
}

/// A runtime of `workers` async threads (the store and the network wait
/// more than they compute) and at most `blocking` threads for the blocking
/// work: decoding and SQLite.
pub fn build(workers: usize, blocking: usize) -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .max_blocking_threads(blocking)
        .enable_all()
        .build()
}

/// Resolves on SIGTERM or Ctrl-C (SIGINT) with what arrived. Both handlers
/// are in place when this returns, not when the future is first polled
/// (as with `tokio::signal::ctrl_c`), so a daemon that says it is ready
/// right after cannot be killed outright by a signal it means to finish
/// its files on. Call inside the runtime.
pub fn stop_signal() -> impl std::future::Future<Output = &'static str> {
    use tokio::signal::unix::{SignalKind, signal};
    let term = signal(SignalKind::terminate());
    let interrupt = signal(SignalKind::interrupt());
    async move {
        match (term, interrupt) {
            (Ok(mut term), Ok(mut interrupt)) => tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = interrupt.recv() => "interrupted",
            },
            (Err(e), _) | (_, Err(e)) => {
                tracing::warn!("no handler for SIGTERM and Ctrl-C: {e}");
                std::future::pending().await
            }
        }
    }
}
