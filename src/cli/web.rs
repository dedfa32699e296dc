//! `tendonwatch web set-password`.

use super::Context_;
use std::path::Path;
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Set the dashboard password (needed for any non-loopback bind).
    SetPassword,
}

pub fn run(_ctx: &Context_, _command: Command, _config: Option<&Path>) -> anyhow::Result<ExitCode> {
    Ok(ExitCode::SUCCESS)
}
