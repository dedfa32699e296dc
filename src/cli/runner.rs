//! `tendonwatch runner add NAME --sync DIR`: a runner joins the household;
//! `tendonwatch coach add NAME --sees RUNNER`: a coach gets read-only
//! access to their athletes. The config file gains a `[[runner]]` or
//! `[[coach]]` table at its end; every other line, comments included, stays
//! as it was. A config that would not load is never written.

use super::config_file::{read_config, write_checked};
use super::{Context_, UsageError};
use std::path::Path;
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

#[derive(Debug, clap::Subcommand)]
pub enum CoachCommand {
    /// Add a coach who sees these runners' dashboards, read-only; then
    /// `tendonwatch web set-password --coach NAME`.
    Add {
        /// Their login name: letters, digits, - and _ (not a runner's).
        name: String,
        /// A runner they may see (repeat for several).
        #[arg(long = "sees", value_name = "RUNNER", required = true)]
        sees: Vec<String>,
    },
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

pub fn run_coach(
    ctx: &Context_,
    command: CoachCommand,
    explicit: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let CoachCommand::Add { name, sees } = command;
    let (path, old, _) = read_config(ctx, explicit)?;
    let mut text = old;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    let sees_list: Vec<String> = sees.iter().map(|s| quote(s)).collect();
    text.push_str(&format!(
        "\n[[coach]]\nname = {}\nrunners = [{}]\n",
        quote(&name),
        sees_list.join(", ")
    ));
    write_checked(&path, &text)?;
    println!(
        "coach {name} added to {} (sees {}); give them a login with `tendonwatch web set-password --coach {name}` and restart the daemon",
        path.display(),
        sees.join(", ")
    );
    Ok(ExitCode::SUCCESS)
}

pub fn run(ctx: &Context_, command: Command, explicit: Option<&Path>) -> anyhow::Result<ExitCode> {
    let Command::Add {
        name,
        sync,
        existing_as,
    } = command;
    let (path, old, current) = read_config(ctx, explicit)?;
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
    let parsed = write_checked(&path, &text)?;
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
