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
            eprintln!("tendonwatch: error: {e:#}");
            ExitCode::from(1)
        }
    }
}
