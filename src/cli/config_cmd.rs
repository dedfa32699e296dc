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

fn default_path(ctx: &Context_) -> anyhow::Result<PathBuf> {
    if let Some(dir) = &ctx.env.configuration_directory {
        return Ok(dir.join(config::CONFIG_FILE));
    }
    let base = ctx
        .env
        .xdg_config_home
        .clone()
        .or_else(|| ctx.env.home.as_ref().map(|h| h.join(".config")))
        .ok_or(config::ConfigError::NoHome)?;
    Ok(base.join("tendonwatch").join(config::CONFIG_FILE))
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
                None => default_path(ctx)?,
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
                Ok(_) => println!("{}: ok", path.display()),
                Err(e) => return Err(UsageError(e.to_string()).into()),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
