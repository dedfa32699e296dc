//! logging: `tracing` to stderr, plain text, colour only on a terminal.
//! Under systemd (`$JOURNAL_STREAM` set) stderr is the journal: no colour and
//! no timestamps of our own (journald adds them).
//! `RUST_LOG` (or `TENDONWATCH_LOG`) sets the level; default `info` (for
//! `demo`, `warn` unless `-v`: its story is on standard output).

use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

pub fn init() {
    init_with("info");
}

/// As [`init`], with this level when neither variable sets one.
pub fn init_with(default_level: &str) {
    let filter = std::env::var("TENDONWATCH_LOG")
        .ok()
        .and_then(|v| EnvFilter::try_new(v).ok())
        .or_else(|| EnvFilter::try_from_default_env().ok())
        .unwrap_or_else(|| EnvFilter::new(default_level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false);
    let _ = if std::env::var_os("JOURNAL_STREAM").is_some() {
        builder.without_time().with_ansi(false).try_init()
    } else {
        builder.try_init()
    };
}
