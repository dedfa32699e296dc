//! `tendonwatch report [--weeks N] [--json]`: which of your changes were
//! followed by pain, in words only as strong as the data.

use super::{Context_, UsageError};
use crate::report::{ReportSettings, Verdict};
use crate::units::plural;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// How many weeks of runs to look at (default 12).
    #[arg(long, default_value_t = 12)]
    pub weeks: i64,
    /// Fewest runs with (and without) a factor before anything is said.
    #[arg(long, default_value_t = 3)]
    pub min_cases: usize,
    /// Print the report as JSON (every factor with its numbers).
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context_, args: Args) -> anyhow::Result<ExitCode> {
    if !(1..=520).contains(&args.weeks) {
        return Err(UsageError(format!("--weeks {}: give 1 to 520 weeks", args.weeks)).into());
    }
    if args.min_cases < 2 {
        return Err(UsageError(format!("--min-cases {}: at least 2", args.min_cases)).into());
    }
    let store = ctx.open_store()?;
    let now = chrono::Utc::now().timestamp_millis();
    let settings = ReportSettings {
        min_with: args.min_cases,
        min_without: args.min_cases,
        ..ReportSettings::default()
    };
    let r = crate::report_input::from_store(
        &store,
        &ctx.config.rule_settings().baseline,
        &ctx.zone(),
        args.weeks,
        &settings,
        now,
    )?;
    if args.json {
        println!("{}", crate::units::json(&r)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "last {}: {}, {} with a morning entry before and after",
        plural(args.weeks, "week", "weeks"),
        plural(r.runs, "run", "runs"),
        r.runs_with_outcome
    );
    println!("{}", r.summary);
    println!("{}", r.adjustment);
    println!();
    for f in &r.factors {
        println!(" {} {}: {}", mark(f.verdict), f.label, f.words);
    }
    // The other pain (RULES.md C): its summary, and only what it claims.
    for o in &r.other_pain {
        println!();
        println!("{}:", o.label);
        println!("   {}", o.summary);
        for f in o.factors.iter().filter(|f| f.says_something()) {
            println!(" {} {}: {}", mark(f.verdict), f.label, f.words);
        }
    }
    if !r.tolerance.is_empty() {
        println!();
        println!("your tolerance so far (stop before it hurts):");
        for t in &r.tolerance {
            println!("   {}", t.words);
        }
    }
    let parts: Vec<String> = r
        .part_of_day
        .iter()
        .filter(|p| p.runs > 0)
        .map(|p| {
            let change = p
                .mean_change
                .map(|c| format!(", next morning {c:+.1}"))
                .unwrap_or_default();
            format!(
                "{} {}{change}",
                p.part.as_str(),
                plural(p.runs, "run", "runs")
            )
        })
        .collect();
    if !parts.is_empty() {
        println!();
        println!("time of day: {}", parts.join("; "));
    }
    Ok(ExitCode::SUCCESS)
}

/// The margin mark of a factor's line.
fn mark(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Link => "!",
        Verdict::Protective => "+",
        Verdict::NoClearLink => " ",
        Verdict::NotEnoughData => "?",
        Verdict::Reference => "=",
    }
}
