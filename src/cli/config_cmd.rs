//! `tendonwatch config init [PATH] [--force]` writes the documented default
//! file; `tendonwatch config check [PATH]` validates one and says which line
//! is wrong.

use super::{Context_, UsageError};
use crate::config::{self, DEFAULT_CONFIG_TEXT};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Write the documented default config (to ~/.config/tendonwatch/ unless PATH).
    Init {
        /// Where to write it (default: the config path in use).
        path: Option<PathBuf>,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Check a config file (default: the one in use) and name the wrong line.
    Check {
        /// The file to check (default: the config in use).
        path: Option<PathBuf>,
    },
}

pub fn run(
    ctx: &Context_,
    command: Command,
    explicit: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    match command {
        Command::Init { path, force } => {
            let path = match path.or(explicit) {
                Some(p) => p,
                None => config::default_config_path(&ctx.env)?,
            };
            if path.exists() && !force {
                return Err(UsageError(format!(
                    "{} exists; --force overwrites it",
                    path.display()
                ))
                .into());
            }
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&path, DEFAULT_CONFIG_TEXT)?;
            println!("wrote {}", path.display());
        }
        Command::Check { path } => {
            let path = match path
                .or(explicit)
                .or_else(|| config::config_path(None, &ctx.env))
            {
                Some(p) => p,
                None => {
                    println!(
                        "no config file: the defaults are in use (`tendonwatch config init` writes one)"
                    );
                    return Ok(ExitCode::SUCCESS);
                }
            };
            match config::load(Some(&path), &ctx.env) {
                Ok((config, _)) => {
                    println!("{}: ok", path.display());
                    if let Some(line) = runners_line(&config) {
                        println!("{line}");
                    }
                }
                Err(e) => return Err(UsageError(e.to_string()).into()),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Who a command without `--runner` is for, in a config with runner tables.
fn runners_line(config: &config::Config) -> Option<String> {
    let names = config.runner_names().join(", ");
    match (config.runners.as_slice(), config.defaulted_runner()) {
        ([], _) => None,
        ([only], _) => Some(format!(
            "runner: {} (a command without --runner is for them)",
            only.name
        )),
        (_, Some(default)) => Some(format!(
            "runners: {names}; the default runner: {default} (a command without --runner is for them)"
        )),
        (_, None) => Some(format!(
            "runners: {names}; no default runner: a command names one with --runner NAME (`watch` and `serve` serve all)"
        )),
    }
}
