//! The `tendonwatch` command: parse arguments, set up logging, run one
//! subcommand (each lives in its own file under `src/cli/`).

use clap::Parser;
use std::process::ExitCode;
use tendonwatch::cli::{self, Cli};

fn main() -> ExitCode {
    quiet_panic_hook();
    let cli = Cli::parse();
    tendonwatch::logging::init_with(cli.default_log_level());
    match cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("tendonwatch: error: {}", one_line(&e));
            // A bad value from the runner is a usage error, like clap's.
            if e.downcast_ref::<cli::UsageError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

/// The error and its causes on one line, each cause once (our error types
/// already name their cause in their own message).
fn one_line(e: &anyhow::Error) -> String {
    let mut text = e.to_string();
    for cause in e.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}

/// Panics that are not news on stderr:
/// - `tendonwatch pain list | head`: when the reader goes away, stop quietly
///   instead of printing a panic (Rust ignores SIGPIPE, so `println!` panics);
/// - a panic in a decoder on a file's bytes: it is caught, and the file's
///   log line names the file and says the decoder panicked, with the message.
fn quiet_panic_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if tendonwatch::decode::in_decoder() {
            return;
        }
        let text = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if text.contains("failed printing to stdout") && text.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}
