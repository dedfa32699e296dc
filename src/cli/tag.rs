//! `tendonwatch tag ACTIVITY --surface sand | --sport cycling`: the runner's
//! own word on where a run happened (RULES.md E) or what an activity was
//! (RULES.md F), which outranks the file, the geometry and the evidence.

use super::Context_;
use crate::activity::Sport;
use crate::ingest;
use crate::metrics::surface::Surface;
use anyhow::bail;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("what").required(true).multiple(true).args(["surface", "sport", "clear"])))]
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
}

fn parse_surface(text: &str) -> Result<Surface, String> {
    Surface::parse(text).ok_or_else(|| {
        let all: Vec<&str> = Surface::ALL.iter().map(|s| s.as_str()).collect();
        format!("unknown surface '{text}' (one of: {})", all.join(", "))
    })
}

pub fn run(ctx: &Context_, args: Args) -> anyhow::Result<ExitCode> {
    let mut store = ctx.open_store()?;
    let settings = ctx.config.ingest_settings();
    let now = chrono::Utc::now().timestamp_millis();
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
            for a in &change.new_alerts {
                println!("  [{}] {}: {}", a.severity, a.kind, a.what_changed);
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
