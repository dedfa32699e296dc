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
