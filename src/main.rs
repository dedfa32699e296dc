//! The `tendonwatch` command: parse arguments, set up logging, run one
//! subcommand (each lives in its own file under `src/cli/`).

use clap::Parser;
use std::process::ExitCode;
use tendonwatch::cli::{self, Cli};

fn main() -> ExitCode {
    let cli = Cli::parse();
    tendonwatch::logging::init();
    match cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("tendonwatch: error: {}", one_line(&e));
            ExitCode::from(1)
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
