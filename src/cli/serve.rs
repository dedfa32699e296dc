//! `tendonwatch serve [--bind ADDR:PORT]`: the dashboard on its own.

use super::Context_;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address and port (default: [web] bind, 127.0.0.1:8417).
    #[arg(long, value_name = "ADDR:PORT")]
    pub bind: Option<String>,
}

pub fn run(_ctx: &Context_, _args: Args) -> anyhow::Result<ExitCode> {
    Ok(ExitCode::SUCCESS)
}
