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
    let fresh = !path.exists();
    let style = PathStyle::new(&path, &ctx.env);
    let mut text = old.clone();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    // The runner the config has served so far stays the one a command
    // without --runner is for, so their habits and scripts keep working.
    let mut first = None;
    if current.runners.is_empty() {
        // The runner served so far keeps their data: name them first.
        let db = current.db_path(ctx.db.as_deref(), &ctx.env)?;
        match existing_as {
            Some(existing) => {
                let db = match (&ctx.db, &current.store.path) {
                    (None, Some(written)) => written.clone(),
                    _ => db.to_string_lossy().into_owned(),
                };
                let folders: Vec<String> = current
                    .watch
                    .folders
                    .iter()
                    .map(|f| style.write(f))
                    .collect();
                // Their dashboard password becomes their own login.
                text.push_str(&table(
                    &existing,
                    &folders,
                    Some(&style.write(&db)),
                    current.web.password_hash.as_deref(),
                ));
                first = Some(existing);
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
    } else if let ([only], None) = (current.runners.as_slice(), &current.default_runner) {
        first = Some(only.name.clone());
    }
    let sync: Vec<String> = sync.iter().map(|f| style.write(f)).collect();
    text.push_str(&table(&name, &sync, None, None));
    if let Some(first) = &first {
        text = with_default_runner(&text, first);
    }
    // Never write a config that would not load.
    let parsed = write_checked(&path, &text)?;
    if fresh {
        println!(
            "wrote {} (the documented default config, as `tendonwatch config init` writes it)",
            path.display()
        );
    }
    println!(
        "runner {name} added to {} (their store: {}); restart the daemon to watch their folder, and give them a dashboard login with `tendonwatch web set-password --runner {name}`",
        path.display(),
        parsed
            .for_runner(Some(&name))
            .map_err(UsageError)?
            .db_path(None, &ctx.env)?
            .display()
    );
    if let Some(first) = &first {
        println!(
            "{first} is the default runner: a command without --runner is for them (default_runner in the config)"
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// How paths are written into the config: one style for every path the
/// commands add. In a config under the home folder (a desktop user's),
/// a path under it is written `~/…`, as the shipped default's folder is;
/// a system config (`/etc/…`, read by a service whose home is elsewhere)
/// gets absolute paths. A relative path is made absolute: the daemon does
/// not run where the command was typed.
struct PathStyle<'a> {
    env: &'a crate::config::Env,
    fold_home: bool,
}

impl<'a> PathStyle<'a> {
    fn new(config: &Path, env: &'a crate::config::Env) -> PathStyle<'a> {
        let config = absolute(config);
        let fold_home = env.home.as_ref().is_some_and(|h| config.starts_with(h));
        PathStyle { env, fold_home }
    }

    fn write(&self, path: &str) -> String {
        if path.starts_with('~') {
            return path.to_string();
        }
        let path = absolute(Path::new(path)).to_string_lossy().into_owned();
        if self.fold_home {
            self.env.fold_home(&path)
        } else {
            path
        }
    }
}

/// `path` from the working folder, without `.` components.
fn absolute(path: &Path) -> std::path::PathBuf {
    let joined = match std::env::current_dir() {
        Ok(cwd) if path.is_relative() => cwd.join(path),
        _ => path.to_path_buf(),
    };
    joined
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect()
}

/// The config text with a top-level `default_runner = "NAME"`: in place of
/// the documented, commented-out one when it is there, else just before the
/// first table (top-level keys must come before any table in TOML).
fn with_default_runner(text: &str, name: &str) -> String {
    let key = format!("default_runner = {}", quote(name));
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let first_table = lines
        .iter()
        .position(|l| l.trim_start().starts_with('['))
        .unwrap_or(lines.len());
    match lines[..first_table]
        .iter()
        .position(|l| l.trim_start().starts_with("# default_runner ="))
    {
        Some(i) => lines[i] = key,
        None => {
            lines.insert(first_table, String::new());
            lines.insert(first_table, key);
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
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
