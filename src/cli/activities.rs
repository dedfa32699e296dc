//! `tendonwatch activities [--all|--unconfirmed] [--json]`: what is
//! stored. Text and JSON list the same activities.

use super::Context_;
use crate::store::ActivityFilter;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print as JSON (an array of activities; field names are stable).
    #[arg(long)]
    pub json: bool,
    /// Every sport, not only runs (the same list in text and JSON).
    #[arg(long)]
    pub all: bool,
    /// Only the activities waiting for you to say whether they were runs
    /// (answer with `tendonwatch tag ID --sport …`).
    #[arg(long, conflicts_with = "all")]
    pub unconfirmed: bool,
}

pub fn run(ctx: &Context_, args: Args) -> anyhow::Result<ExitCode> {
    let store = ctx.open_store()?;
    let filter = ActivityFilter::from_flags(args.all, args.unconfirmed);
    let rows = store.activities_listed(filter)?;
    if args.json {
        println!("{}", crate::units::json(&rows)?);
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        let others = match filter {
            ActivityFilter::All => 0,
            _ => store.activities_listed(ActivityFilter::All)?.len(),
        };
        match (filter, others) {
            (ActivityFilter::Unconfirmed, _) => {
                println!("no activity is waiting for you to say what sport it was")
            }
            (_, 0) => {
                println!("no activities stored yet: run `tendonwatch import` on your sync folder")
            }
            _ => println!("no runs stored; {others} other activities (`--all` lists them)"),
        }
        return Ok(ExitCode::SUCCESS);
    }
    let zone = ctx.zone();
    println!("times in {}", zone.name());
    println!(
        "{:>5}  {:<17}  {:<18}  {:>8}  {:>8}  {:>7}  name · source",
        "id", "start", "sport", "km", "h:mm:ss", "samples"
    );
    for a in rows {
        let when = match &a.time_unknown {
            Some(_) => "time unknown".to_string(),
            None => zone.minute(a.start_ms),
        };
        let secs = a.elapsed_s.max(0.0) as i64;
        let flag = match (a.too_short, a.partial) {
            (true, _) => " (too short to count as a run)",
            (false, true) => " (partial)",
            _ => "",
        };
        let sport = if a.sport_status == "unconfirmed" {
            format!("{}? (ask)", a.sport)
        } else if a.sub_sport == "generic" {
            a.sport.clone()
        } else {
            format!("{}/{}", a.sport, a.sub_sport)
        };
        // The name the file (or the export's list) gave, before the file.
        let name = a
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(|n| format!("\"{n}\" · "))
            .unwrap_or_default();
        println!(
            "{:>5}  {:<17}  {:<18}  {:>8.2}  {:>2}:{:02}:{:02}  {:>7}  {name}{}{flag}",
            a.id,
            when,
            sport,
            a.distance_m / 1000.0,
            secs / 3600,
            secs / 60 % 60,
            secs % 60,
            a.sample_count,
            a.source_path
        );
    }
    Ok(ExitCode::SUCCESS)
}
