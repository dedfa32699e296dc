//! `tendonwatch demo` (being written).

use super::Context_;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_ctx: &Context_, _args: Args) -> anyhow::Result<ExitCode> {
    Ok(ExitCode::SUCCESS)
}
