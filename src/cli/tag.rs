//! `tendonwatch tag ACTIVITY --surface sand | --sport cycling | --start
//! TIME`: the runner's own word on where a run happened (RULES.md E), what
//! an activity was or when it started (RULES.md F), which outranks the
//! file, the geometry and the evidence.

use super::{Context_, UsageError};
use crate::activity::Sport;
use crate::alerts::StartChange;
use crate::ingest;
use crate::metrics::surface::Surface;
use crate::store::alerts::Alert;
use anyhow::bail;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("what").required(true).multiple(true).args(["surface", "sport", "clear", "start"])))]
pub struct Args {
    /// Activity id (see `tendonwatch activities --all`).
    pub activity: i64,
    /// road, track, trail, treadmill, sand, grass, indoor or unknown.
    #[arg(long, value_parser = parse_surface)]
    pub surface: Option<Surface>,
    /// What the activity was: running, cycling, walking, hiking, swimming,
    /// rowing or other. Answers "Was activity N a run?" and runs the rules
    /// again on what it changes.
    #[arg(long, value_parser = crate::sport::parse_taggable)]
    pub sport: Option<Sport>,
    /// Remove your surface tag: the file and geometry decide again.
    #[arg(long, conflicts_with = "surface")]
    pub clear: bool,
    /// When it started, for an activity whose "time unknown" (a device
    /// without a clock) or wrong: YYYY-MM-DDTHH:MM in your local time, or
    /// RFC 3339 with Z or an offset. The whole track moves there and the
    /// rules run on it.
    #[arg(long, value_name = "TIME")]
    pub start: Option<String>,
}

fn parse_surface(text: &str) -> Result<Surface, String> {
    Surface::parse(text).ok_or_else(|| {
        let all: Vec<&str> = Surface::ALL.iter().map(|s| s.as_str()).collect();
        format!("unknown surface '{text}' (one of: {})", all.join(", "))
    })
}

pub fn run(ctx: &Context_, args: Args) -> anyhow::Result<ExitCode> {
    let now = chrono::Utc::now().timestamp_millis();
    let start = args
        .start
        .as_deref()
        .map(|t| {
            crate::clock::parse_start(t, &ctx.zone(), now)
                .map_err(|e| UsageError(format!("--start {e}")))
        })
        .transpose()?;
    let mut store = ctx.open_store()?;
    let settings = ctx.config.ingest_settings();
    if store.activity(args.activity)?.is_none() {
        bail!(
            "no activity {} (see `tendonwatch activities --all`)",
            args.activity
        );
    }
    if let Some(sport) = args.sport {
        let rules = ctx.config.rule_settings();
        let Some(change) =
            crate::alerts::change_sport(&mut store, args.activity, sport, &settings, &rules, now)?
        else {
            bail!("no activity {}", args.activity);
        };
        println!(
            "activity {}: sport {} (your word), was {}",
            args.activity,
            sport.as_str(),
            change.before.as_str()
        );
        if change.withdrawn > 0 {
            println!(
                "  {} alert(s) about it withdrawn: it was not a run",
                change.withdrawn
            );
        }
        if change.reevaluated > 0 || !change.new_alerts.is_empty() {
            println!(
                "  rules run again on {} run(s) of the four weeks after it: {} new alert(s)",
                change.reevaluated,
                change.new_alerts.len()
            );
            print_raised(&change.new_alerts);
        }
    }
    if let Some((start_ms, offset)) = start {
        let rules = ctx.config.rule_settings();
        let change = crate::alerts::change_start(
            &mut store,
            args.activity,
            start_ms,
            Some(offset),
            &settings,
            &rules,
            now,
        )?;
        match change {
            StartChange::NoSuchActivity => bail!("no activity {}", args.activity),
            StartChange::Refused(why) => {
                return Err(UsageError(format!(
                    "--start cannot make activity {}'s time true: {why}; nothing changed",
                    args.activity
                ))
                .into());
            }
            StartChange::Moved {
                before_ms,
                was_unknown,
                reevaluated,
                new_alerts,
            } => {
                let was = match was_unknown {
                    Some(why) => format!("time unknown: {why}"),
                    None => format!("was {}", local_minute(before_ms, offset)),
                };
                println!(
                    "activity {}: started {} (your word); {was}",
                    args.activity,
                    local_minute(start_ms, offset)
                );
                println!(
                    "  rules run on it and on {reevaluated} run(s) around it: {} new alert(s)",
                    new_alerts.len()
                );
                print_raised(&new_alerts);
            }
        }
    }
    if args.surface.is_some() || args.clear {
        let before = store.metrics(args.activity)?.map(|m| m.surface);
        let Some(m) = ingest::retag(&mut store, args.activity, args.surface, &settings, now)?
        else {
            bail!("no activity {}", args.activity);
        };
        let was = before
            .map(|s| format!(", was {}", s.as_str()))
            .unwrap_or_default();
        println!(
            "activity {}: surface {} ({}){was}",
            args.activity,
            m.surface.as_str(),
            m.surface_evidence.describe()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The alerts a change raised, one a line (a part of several on its own
/// line beneath).
fn print_raised(alerts: &[Alert]) {
    for a in alerts {
        println!(
            "  [{}] {}: {}",
            a.severity,
            a.kind,
            crate::rules::indent_lines(&a.what_changed, "    ")
        );
    }
}

/// `YYYY-MM-DD HH:MM` at an offset.
fn local_minute(ms: i64, offset_s: i32) -> String {
    chrono::DateTime::from_timestamp_millis(ms + i64::from(offset_s) * 1000)
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}
