//! `tendonwatch rules [--json]`: every rule, its threshold for this
//! runner, the severities it raises, its source — printed from the rule
//! table the program runs (`rules::table`), so it cannot say otherwise.

use super::Context_;
use crate::rules::{self, Mode};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the table as JSON: rule, threshold, severities (each with
    /// when), shown (for a rule that never alerts), source.
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context_, args: Args) -> anyhow::Result<ExitCode> {
    let s = ctx.config.rule_settings();
    let table = rules::table::table(&s.thresholds, &s.profile, ctx.config.profile.pain_limit());
    if args.json {
        println!("{}", crate::units::json(&table)?);
        return Ok(ExitCode::SUCCESS);
    }
    let mode = match s.profile.mode {
        Mode::Return => "return",
        Mode::Normal => "normal",
    };
    let masters = if s.profile.is_masters() {
        ", masters (40+): strict progression"
    } else {
        ""
    };
    println!(
        "profile: {mode}{masters}; learning until {} days and {} runs of history",
        s.baseline.learning_min_days, s.baseline.learning_min_runs
    );
    for row in &table {
        println!(
            "{:<18} {}\n{:<18} {}\n{:<18} source: {}",
            row.rule.as_str(),
            row.threshold,
            "",
            row.severity_words(),
            "",
            row.source
        );
    }
    Ok(ExitCode::SUCCESS)
}
