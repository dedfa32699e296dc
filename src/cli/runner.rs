//! `tendonwatch runner add NAME --sync DIR`: a runner joins the household.
//! The config file gains a `[[runner]]` table at its end; every other line,
//! comments included, stays as it was. A config that would not load is
//! never written.

use super::{Context_, UsageError};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Add a runner with their own sync folder(s) and store.
    Add {
        /// A short id: letters, digits, - and _ (`--runner NAME` later).
        name: String,
        /// Their sync folder (repeat for several).
        #[arg(long = "sync", value_name = "DIR", required = true)]
        sync: Vec<String>,
        /// When the config has no runner tables yet, the name of the runner
        /// it has been serving: they become a `[[runner]]` too, keeping
        /// their folders and their store.
        #[arg(long, value_name = "NAME")]
        existing_as: Option<String>,
    },
}

pub fn run(ctx: &Context_, command: Command, explicit: Option<&Path>) -> anyhow::Result<ExitCode> {
    let Command::Add {
        name,
        sync,
        existing_as,
    } = command;
    let path: PathBuf = crate::config::config_path(explicit, &ctx.env)
        .ok_or_else(|| UsageError("no config location: set $HOME or give --config".into()))?;
    let old = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            crate::config::DEFAULT_CONFIG_TEXT.to_string()
        }
        Err(e) => anyhow::bail!("cannot read {}: {e}", path.display()),
    };
    let current = crate::config::parse(&old, &path)?;
    let mut text = old.clone();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    if current.runners.is_empty() {
        // The runner served so far keeps their data: name them first.
        let db = current.db_path(ctx.db.as_deref(), &ctx.env)?;
        match existing_as {
            Some(existing) => {
                // Their dashboard password becomes their own login.
                text.push_str(&table(
                    &existing,
                    &current.watch.folders,
                    Some(&db.to_string_lossy()),
                    current.web.password_hash.as_deref(),
                ));
            }
            None if db.exists() => {
                return Err(UsageError(format!(
                    "this config serves one runner whose store is {}: name them with --existing-as NAME so they keep their runs; nothing changed",
                    db.display()
                ))
                .into());
            }
            None => {}
        }
    } else if existing_as.is_some() {
        return Err(UsageError(
            "--existing-as is for a config without runner tables; this one has some".into(),
        )
        .into());
    }
    text.push_str(&table(&name, &sync, None, None));
    // Never write a config that would not load.
    let parsed = crate::config::parse(&text, &path)?;
    parsed.validate(&path)?;
    super::web::write_atomically(&path, &text)?;
    println!(
        "runner {name} added to {} (their store: {}); restart the daemon to watch their folder, and give them a dashboard login with `tendonwatch web set-password --runner {name}`",
        path.display(),
        parsed
            .for_runner(Some(&name))
            .map_err(UsageError)?
            .db_path(None, &ctx.env)?
            .display()
    );
    Ok(ExitCode::SUCCESS)
}

/// A `[[runner]]` table as TOML text (strings quoted as JSON, which TOML's
/// basic strings read the same).
fn table(name: &str, folders: &[String], db: Option<&str>, password_hash: Option<&str>) -> String {
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    let folders: Vec<String> = folders.iter().map(|f| quote(f)).collect();
    let mut out = format!(
        "\n[[runner]]\nname = {}\nsync_folders = [{}]\n",
        quote(name),
        folders.join(", ")
    );
    if let Some(db) = db {
        out.push_str(&format!("db = {}\n", quote(db)));
    }
    if let Some(hash) = password_hash {
        out.push_str(&format!("password_hash = {}\n", quote(hash)));
    }
    out
}
