//! `tendonwatch alerts [--all | --state S] [--kind RULE] [--severity S] [--json]`, `tendonwatch alerts --ack ID`,
//! `tendonwatch alerts --stats` (the alert budget, RULES.md H).

use super::{Context_, UsageError};
use crate::rules::indent_lines;
use crate::store::alerts::{Alert, AlertFilter, AlertState, DELIVERY_TOO_OLD};
use crate::units::plural;
use anyhow::bail;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Every alert: open, acknowledged and history (the same as `--state all`).
    #[arg(long, conflicts_with = "state")]
    pub all: bool,
    /// open (default: what asks you to act now), acknowledged, history
    /// (raised about runs older than the notification horizon, by an
    /// import or a catch-up) or all: the dashboard's filter.
    #[arg(long, value_name = "STATE")]
    pub state: Option<String>,
    /// Only this rule (`run_spike`, `pain_24h`, …; see `tendonwatch rules`).
    #[arg(long, value_name = "RULE")]
    pub kind: Option<String>,
    /// Only this severity: info, warn or high.
    #[arg(long, value_name = "SEVERITY")]
    pub severity: Option<String>,
    /// Print as JSON (kind is the rule id of RULES.md).
    #[arg(long)]
    pub json: bool,
    /// Acknowledge these alerts (`--ack 3 4 9`; all or none), or every
    /// open one (`--ack all`): they leave the open list.
    #[arg(long, value_name = "ID|all", num_args = 1.., conflicts_with = "stats")]
    pub ack: Vec<String>,
    /// How loud your alerts are: per 100 runs by rule and severity, and the
    /// pushes per week (every alert, acknowledged ones included).
    #[arg(long)]
    pub stats: bool,
}

pub fn run(ctx: &Context_, args: Args) -> anyhow::Result<ExitCode> {
    let state = if args.all {
        Some("all")
    } else {
        args.state.as_deref()
    };
    let filter = AlertFilter::parse(state, args.kind.as_deref(), args.severity.as_deref())
        .map_err(UsageError)?;
    let mut store = ctx.open_store()?;
    if !args.ack.is_empty() {
        return acknowledge(&mut store, &args.ack);
    }
    if args.stats {
        let budget =
            crate::budget::measure(&store.alerts(true)?, &store.run_starts()?, &ctx.zone());
        if args.json {
            println!("{}", crate::units::json(&budget)?);
        } else {
            print!("{}", crate::budget::render(&budget));
        }
        return Ok(ExitCode::SUCCESS);
    }
    let alerts = store.alerts_listed(&filter)?;
    if args.json {
        println!("{}", crate::units::json(&alerts)?);
    } else if alerts.is_empty() {
        let state = match filter.state {
            AlertState::All => "",
            AlertState::Open => "open ",
            AlertState::Acknowledged => "acknowledged ",
            AlertState::History => "history ",
        };
        let narrowed = if filter.kind.is_some() || filter.severity.is_some() {
            " of that kind"
        } else {
            ""
        };
        println!("no {state}alerts{narrowed}");
    } else {
        for a in &alerts {
            print_alert(a, &ctx.zone());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `--ack all` or `--ack 3 4 9`: all of them, or none and why.
fn acknowledge(store: &mut crate::store::Store, words: &[String]) -> anyhow::Result<ExitCode> {
    let now = chrono::Utc::now().timestamp_millis();
    if words.iter().any(|w| w.eq_ignore_ascii_case("all")) {
        if words.len() > 1 {
            return Err(UsageError("--ack all takes no alert ids beside it".into()).into());
        }
        let n = store.acknowledge_open_alerts(now)?;
        println!(
            "{}",
            plural(n, "open alert", "open alerts") + " acknowledged"
        );
        return Ok(ExitCode::SUCCESS);
    }
    let mut ids = Vec::with_capacity(words.len());
    for w in words {
        let id = w.trim().trim_start_matches('#').parse::<i64>().map_err(|_| {
            UsageError(format!(
                "--ack {w}: give alert ids (as `tendonwatch alerts` lists them, #12 or 12) or all"
            ))
        })?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    let refused = store.acknowledge_alerts(&ids, now)?;
    if !refused.is_empty() {
        let list: Vec<String> = refused.iter().map(|id| format!("#{id}")).collect();
        bail!(
            "nothing acknowledged: no unacknowledged alert {} (see `tendonwatch alerts --all`)",
            list.join(", ")
        );
    }
    let list: Vec<String> = ids.iter().map(|id| format!("#{id}")).collect();
    println!("acknowledged {}", list.join(", "));
    Ok(ExitCode::SUCCESS)
}

/// The local day of an instant in the runner's zone.
fn day(ms: i64, zone: &crate::zone::Zone) -> String {
    crate::zone::format_local(ms, zone, "%Y-%m-%d")
}

pub fn print_alert(a: &Alert, zone: &crate::zone::Zone) {
    let run = a
        .activity_id
        .map(|id| format!(", activity {id}"))
        .unwrap_or_default();
    let ack = match a.state() {
        AlertState::Acknowledged => " (acknowledged)",
        AlertState::History => " (history)",
        _ => "",
    };
    println!(
        "#{} {} [{}] {}{run}{ack}",
        a.id,
        a.kind,
        a.severity,
        day(a.window_end_ms, zone)
    );
    println!("    {}", indent_lines(&a.what_changed, "    "));
    println!("    → {}", a.what_to_do);
    println!("    source: {}", a.source);
}

/// After an import: the new alerts, and how many were held back as old.
pub fn print_new(alerts: &[Alert], zone: &crate::zone::Zone) {
    if alerts.is_empty() {
        return;
    }
    let (recent, history): (Vec<&Alert>, Vec<&Alert>) =
        alerts.iter().partition(|a| a.delivery != DELIVERY_TOO_OLD);
    if !recent.is_empty() {
        println!(
            "{} about recent runs (high ones pushed now, warnings in the daily digest, info shown only):",
            plural(recent.len(), "new alert", "new alerts")
        );
        for a in &recent {
            print_alert(a, zone);
        }
    }
    if !history.is_empty() {
        let mut kinds: std::collections::BTreeMap<&str, usize> = Default::default();
        for a in &history {
            *kinds.entry(a.kind.as_str()).or_default() += 1;
        }
        let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
        println!(
            "{} about older runs, kept as history, not pushed ({}): tendonwatch alerts --state history",
            plural(history.len(), "alert", "alerts"),
            kinds.join(", ")
        );
    }
}
