//! cli: the command line. One file per subcommand; this file holds the
//! shared options and the dispatch.

mod activities;
mod alerts;
mod checkin;
mod config_cmd;
mod config_file;
mod demo;
mod export;
mod gear;
mod import;
pub mod notify_test;
mod pain;
mod report;
mod rules;
mod runner;
mod runtime;
mod serve;
mod show;
mod status;
mod tag;
mod visa_a;
mod watch;
mod web;

use crate::config::{self, Config, Env};
use crate::store::Store;
use anyhow::Context;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "tendonwatch",
    version,
    about = "Watches your GPS watch's sync folder and warns about Achilles-loading changes"
)]
pub struct Cli {
    /// Config file (default: $CONFIGURATION_DIRECTORY or ~/.config/tendonwatch/tendonwatch.toml).
    #[arg(long, global = true, env = "TENDONWATCH_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Database file (default: $STATE_DIRECTORY or ~/.local/state/tendonwatch/tendonwatch.db).
    #[arg(long, global = true, env = "TENDONWATCH_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Which runner of the config's `[[runner]]` tables (needed when there
    /// are several).
    #[arg(long, global = true, env = "TENDONWATCH_RUNNER", value_name = "NAME")]
    pub runner: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The log level when the environment names none: the demo tells its
    /// story on standard output, so its daemon only speaks up about trouble
    /// unless asked (`demo -v`).
    pub fn default_log_level(&self) -> &'static str {
        match &self.command {
            Command::Demo(args) if !args.verbose => "warn",
            _ => "info",
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The daemon: watch the sync folders, ingest every new file, raise and
    /// deliver alerts. Without DIR: [watch] folders from the config.
    Watch(watch::Args),
    /// Import FIT/GPX/TCX files or folders (recursively) into the store.
    /// Without PATH: the sync folders from the config.
    Import(import::Args),
    /// List stored activities.
    Activities(activities::Args),
    /// Show one activity's metrics: volume, pace, cadence, climbing, surface.
    Show(show::Args),
    /// Your word on an activity: its surface, its sport or its start time.
    ///
    /// It outranks the file, the geometry and the evidence: --surface where
    /// it was (--clear takes your surface back), --sport what it was
    /// (answers "Was activity N a run?"), --start when it started. The
    /// rules run again on what it changes.
    Tag(tag::Args),
    /// Where you stand: this week against your baseline, today's safe
    /// ceiling for the next run, open alerts.
    Status(status::Args),
    /// Alerts: what changed, by how much, what to do.
    Alerts(alerts::Args),
    /// Every rule with its current threshold and source.
    Rules(rules::Args),
    /// Your shoes and their heel drop.
    #[command(subcommand)]
    Gear(gear::Command),
    /// Log Achilles pain 0–10 (or list, edit, delete, undo entries).
    Pain(Box<pain::Args>),
    /// Which of your changes were followed by pain (correlation report).
    Report(report::Args),
    /// Send a test notification to every configured sink.
    NotifyTest,
    /// The morning check-in: `send` it now to every sink, or its `status`
    /// (when the next one goes out).
    #[command(subcommand)]
    Checkin(checkin::Command),
    /// Write (`init`) or validate (`check`) the config file.
    #[command(subcommand)]
    Config(config_cmd::Command),
    /// The VISA-A questionnaire (0–100) and its trend.
    ///
    /// Eight questions about your Achilles (Robinson et al. 2001); 100 means
    /// no symptoms. On a terminal without flags it asks them one by one;
    /// otherwise give all eight: --q1 … --q6 (0–10 each, 10 best), --q7 (0,
    /// 4, 7 or 10) and --q8 PART:POINTS.
    #[command(name = "visa-a")]
    VisaA(visa_a::Args),
    /// The dashboard: status, load chart, activities, pain form, report,
    /// alerts, JSON API.
    Serve(serve::Args),
    /// Dashboard settings (`web set-password`).
    #[command(subcommand)]
    Web(web::Command),
    /// Runners of a household or club (`[[runner]]` tables).
    #[command(subcommand)]
    Runner(runner::Command),
    /// Coaches who read their athletes' dashboards (`[[coach]]` tables).
    #[command(subcommand)]
    Coach(runner::CoachCommand),
    /// See tendonwatch work before a watch is connected: a simulated
    /// 16-week season fed to the daemon, and the dashboard on it.
    Demo(demo::Args),
    /// Everything stored about you as CSV files (runs, pain, alerts, gear)
    /// with a README of every column, into DIR.
    Export(export::Args),
}

/// A bad value from the runner: one line, exit 2, nothing changed.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// What every subcommand needs: the config and where things live.
pub struct Context_ {
    pub config: Config,
    pub env: Env,
    pub db: Option<PathBuf>,
}

impl Context_ {
    /// A time the runner typed, in every form `zone::parse_instant`
    /// takes, local times in the runner's zone at that instant → UTC ms.
    pub fn parse_time(&self, text: &str) -> Result<i64, UsageError> {
        let now = chrono::Utc::now().timestamp_millis();
        crate::zone::parse_instant(text, &self.zone(), now).map_err(UsageError)
    }

    /// The runner's time zone (`[profile] time_zone`, else this machine's).
    pub fn zone(&self) -> crate::zone::Zone {
        self.config.zone()
    }

    pub fn open_store(&self) -> anyhow::Result<Store> {
        let path = self.config.db_path(self.db.as_deref(), &self.env)?;
        Store::open(&path).with_context(|| format!("opening the store {}", path.display()))
    }
}

/// The one line a household's command without `--runner` says on stderr:
/// who it is for. With `--db` the store is the one given, and the default
/// runner lends only their settings (profile, zone, folders, sinks).
fn default_runner_note(default: &str, db: Option<&std::path::Path>) -> String {
    match db {
        None => {
            format!("tendonwatch: for {default} (the default runner; --runner NAME for another)")
        }
        Some(db) => format!(
            "tendonwatch: the store {} with {default}'s settings (the default runner; --runner NAME for another)",
            db.display()
        ),
    }
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let env = Env::from_process();
    // The commands that read or edit the config file itself run before it
    // loads: `config init/check` must work on a broken (or absent) file,
    // `web set-password` is how a config that binds beyond loopback becomes
    // valid, and `runner add` / `coach add` must work before the config
    // names the runner another command would need.
    let editing = |env: Env, db: Option<PathBuf>| Context_ {
        config: Config::default(),
        env,
        db,
    };
    let command = match cli.command {
        Command::Config(command) => {
            return config_cmd::run(&editing(env, cli.db), command, cli.config);
        }
        Command::Runner(command) => {
            return runner::run(&editing(env, cli.db), command, cli.config.as_deref());
        }
        Command::Coach(command) => {
            return runner::run_coach(&editing(env, cli.db), command, cli.config.as_deref());
        }
        Command::Web(command) => {
            let ctx = editing(env, cli.db);
            // A runner's own password, like every other command, is the
            // default runner's when none is named (a coach is always named).
            let coach = matches!(&command, web::Command::SetPassword(a) if a.coach.is_some());
            let runner = match (&cli.runner, coach) {
                (None, false) => config_file::read_config(&ctx, cli.config.as_deref())
                    .ok()
                    .and_then(|(_, _, c)| c.defaulted_runner().map(str::to_string)),
                _ => None,
            };
            if let Some(default) = &runner {
                eprintln!("{}", default_runner_note(default, None));
            }
            let runner = cli.runner.or(runner);
            return web::run(&ctx, command, cli.config.as_deref(), runner.as_deref());
        }
        other => other,
    };
    let cli = Cli { command, ..cli };
    let (config, _) = config::load(cli.config.as_deref(), &env)?;
    // One `watch` and one dashboard serve a household: every runner, each
    // on their own. With one runner, folders or --db given to `watch` mean
    // that runner, as they always did.
    // Folders or --db given to `watch` in a household of several mean the
    // default runner, when there is one, as for every other command.
    let folders_given = matches!(&cli.command, Command::Watch(a) if !a.folders.is_empty());
    let one_runners_watch = folders_given || cli.db.is_some();
    let serves_all = cli.runner.is_none()
        && config.is_household()
        && match &cli.command {
            Command::Serve(_) => true,
            Command::Watch(_) => {
                !one_runners_watch
                    || (config.runners.len() > 1 && config.defaulted_runner().is_none())
            }
            _ => false,
        };
    if serves_all {
        if one_runners_watch {
            return Err(UsageError(format!(
                "this config has runners ({}): folders and --db belong to one, say which with --runner NAME",
                config.runner_names().join(", ")
            ))
            .into());
        }
        let ctx = Context_ {
            config,
            env,
            db: None,
        };
        return match cli.command {
            Command::Serve(args) => serve::run_household(&ctx, args),
            _ => watch::run_household(&ctx),
        };
    }
    // The demo uses neither the runner's config nor their store: it needs
    // no runner, in a household either.
    let cli = match cli.command {
        Command::Demo(args) => {
            let ctx = Context_ {
                config,
                env,
                db: None,
            };
            return demo::run(&ctx, args);
        }
        command => Cli { command, ..cli },
    };
    if cli.runner.is_none() {
        if let Some(default) = config.defaulted_runner() {
            eprintln!("{}", default_runner_note(default, cli.db.as_deref()));
        }
    }
    let config = config
        .for_runner(cli.runner.as_deref())
        .map_err(UsageError)?;
    let ctx = Context_ {
        config,
        env,
        db: cli.db,
    };
    match cli.command {
        Command::Watch(args) => watch::run(&ctx, args),
        Command::NotifyTest => notify_test::run(&ctx),
        Command::Checkin(command) => checkin::run(&ctx, command),
        Command::Config(_) => Ok(ExitCode::SUCCESS),
        Command::Import(args) => import::run(&ctx, args),
        Command::Activities(args) => activities::run(&ctx, args),
        Command::Show(args) => show::run(&ctx, args),
        Command::Tag(args) => tag::run(&ctx, args),
        Command::Status(args) => status::run(&ctx, args),
        Command::Alerts(args) => alerts::run(&ctx, args),
        Command::Rules(args) => rules::run(&ctx, args),
        Command::Gear(command) => gear::run(&ctx, command),
        Command::Pain(args) => pain::run(&ctx, *args),
        Command::VisaA(args) => visa_a::run(&ctx, args),
        Command::Report(args) => report::run(&ctx, args),
        Command::Serve(args) => serve::run(&ctx, args),
        Command::Web(_) | Command::Runner(_) | Command::Coach(_) => Ok(ExitCode::SUCCESS),
        Command::Demo(_) => Ok(ExitCode::SUCCESS),
        Command::Export(args) => export::run(&ctx, args),
    }
}
