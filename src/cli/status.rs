//! `tendonwatch status [--json]`: this week against the baseline, today's
//! safe ceiling for the next run, learning state, open alerts.

use super::Context_;
use crate::baseline::{self, HISTORY_DAYS};
use crate::units::{km, plural};
use crate::zone::DAY_MS;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print as JSON: the baseline, your history, the ceiling, the load
    /// ratio, open alerts, open questions.
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context_, args: Args) -> anyhow::Result<ExitCode> {
    let store = ctx.open_store()?;
    let now = chrono::Utc::now().timestamp_millis();
    let settings = ctx.config.rule_settings();
    let history = store.run_records(now - HISTORY_DAYS * DAY_MS, now, &settings.zone)?;
    let b = baseline::compute(&history, now, &settings.baseline);
    let whole = store.run_history(now)?;
    let zone = ctx.zone();
    let open = store.alerts(false)?;
    let unconfirmed = store.unconfirmed()?;
    let unknown_time: Vec<i64> = store.runs_of_unknown_time()?.iter().map(|a| a.id).collect();
    // Newest first.
    let questions: Vec<String> = unconfirmed
        .iter()
        .rev()
        .map(|r| r.sport_question())
        .collect();
    // What the daemon is waiting for: said first, it is why nothing new
    // arrives.
    let folders = crate::watch::waiting_folders(&store)?;
    if args.json {
        let out = serde_json::json!({
            "sync_folders_waiting": folders,
            "baseline": b,
            "history": whole,
            "safe_ceiling_m": b.safe_ceiling_m(),
            "acwr": b.acwr(),
            "open_alerts": open,
            "questions": questions,
            "time_unknown": unknown_time,
        });
        println!("{}", crate::units::json(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    for f in &folders {
        println!("{}", f.line);
    }
    if let Some(words) = whole.words(now, &zone) {
        println!("your history: {words}");
    }
    if b.learning.learning && b.learning.is_after_a_break(&whole) {
        println!(
            "back after a break: comparisons with your recent running start again after {}",
            b.learning.needs_words()
        );
    } else if b.learning.learning {
        println!(
            "learning your baseline: {} over {} so far; {} before comparisons start",
            plural(b.learning.runs, "run", "runs"),
            plural(b.learning.days_spanned, "day", "days"),
            b.learning.needs_words()
        );
    }
    let usual = if b.weekly_m > 0.0 {
        format!(
            " (your usual {} a week, {:.1} runs)",
            km(b.weekly_m),
            b.runs_per_week
        )
    } else {
        String::new()
    };
    println!(
        "last 7 days: {} in {}{usual}",
        km(b.last_7d_m),
        plural(b.last_7d_runs, "run", "runs")
    );
    match (b.longest_30d_m, b.safe_ceiling_m()) {
        (Some(longest), Some(ceiling)) => println!(
            "next run: up to {} today (1.1 × your longest run of the last 30 days, {})",
            km(ceiling),
            km(longest)
        ),
        _ => println!("next run: no run in the last 30 days — start short and easy"),
    }
    match b.acwr() {
        Some(r) => println!("load ratio (acute:chronic): {r:.2}"),
        None => println!("load ratio (acute:chronic): {}", b.load_ratio_missing()),
    }
    for q in questions.iter().take(3) {
        println!("{q}");
    }
    if questions.len() > 3 {
        println!(
            "…and {} not yet confirmed (tendonwatch activities --unconfirmed)",
            plural(questions.len() - 3, "more activity", "more activities")
        );
    }
    if let Some(first) = unconfirmed.last() {
        println!(
            "  answer: tendonwatch tag {} --sport running|cycling|walking|hiking|other",
            first.id
        );
    }
    if let Some(first) = unknown_time.first() {
        println!(
            "{} with a time that cannot be true, left out until you give {} start \
             (`tendonwatch activities` lists {} as \"time unknown\"): \
             tendonwatch tag {first} --start YYYY-MM-DDTHH:MM",
            plural(unknown_time.len(), "run", "runs"),
            if unknown_time.len() == 1 {
                "its"
            } else {
                "their"
            },
            if unknown_time.len() == 1 {
                "it"
            } else {
                "them"
            }
        );
    }
    if open.is_empty() {
        println!("no open alerts");
    } else {
        println!("{}:", plural(open.len(), "open alert", "open alerts"));
        for a in open.iter().take(10) {
            super::alerts::print_alert(a, &zone);
        }
        if open.len() > 10 {
            println!(
                "…and {} more (tendonwatch alerts; tendonwatch alerts --ack all acknowledges them)",
                open.len() - 10
            );
        }
    }
    let history = store.history_alert_count()?;
    if history > 0 {
        println!(
            "{} about your history, not open: tendonwatch alerts --state history",
            plural(history, "older alert", "older alerts")
        );
    }
    Ok(ExitCode::SUCCESS)
}
