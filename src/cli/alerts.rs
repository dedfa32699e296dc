//! `tendonwatch alerts [--all | --state S] [--kind RULE] [--severity S] [--json]`, `tendonwatch alerts --ack ID`,
//! `tendonwatch alerts --stats` (the alert budget, RULES.md H).

use super::{Context_, UsageError};
use crate::rules::indent_lines;
use crate::store::alerts::{Alert, AlertFilter, AlertState, DELIVERY_TOO_OLD};
use anyhow::bail;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Include acknowledged alerts (the same as `--state all`).
    #[arg(long, conflicts_with = "state")]
    pub all: bool,
    /// open (default), acknowledged or all: the dashboard's filter.
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
    /// Acknowledge this alert (it leaves the open list).
    #[arg(long, value_name = "ID", conflicts_with = "stats")]
    pub ack: Option<i64>,
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
    if let Some(id) = args.ack {
        if !store.acknowledge_alert(id, chrono::Utc::now().timestamp_millis())? {
            bail!("no open alert {id} (see `tendonwatch alerts`)");
        }
        println!("alert {id} acknowledged");
        return Ok(ExitCode::SUCCESS);
    }
    if args.stats {
        let budget =
            crate::budget::measure(&store.alerts(true)?, &store.run_starts()?, &ctx.zone());
        if args.json {
            println!("{}", serde_json::to_string_pretty(&budget)?);
        } else {
            print!("{}", crate::budget::render(&budget));
        }
        return Ok(ExitCode::SUCCESS);
    }
    let alerts = store.alerts_listed(&filter)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&alerts)?);
    } else if alerts.is_empty() {
        let state = match filter.state {
            AlertState::All => "",
            AlertState::Open => "open ",
            AlertState::Acknowledged => "acknowledged ",
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

/// The local day of an instant in the runner's zone.
fn day(ms: i64, zone: &crate::zone::Zone) -> String {
    chrono::DateTime::from_timestamp_millis(zone.local_ms(ms))
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

pub fn print_alert(a: &Alert, zone: &crate::zone::Zone) {
    let run = a
        .activity_id
        .map(|id| format!(", activity {id}"))
        .unwrap_or_default();
    let ack = if a.acknowledged_ms.is_some() {
        " (acknowledged)"
    } else {
        ""
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
    let recent = alerts
        .iter()
        .filter(|a| a.delivery != DELIVERY_TOO_OLD)
        .count();
    println!(
        "{} new alerts ({recent} recent: high ones pushed now, warnings in the daily digest, info shown only; {} about older runs, stored only):",
        alerts.len(),
        alerts.len() - recent
    );
    for a in alerts {
        print_alert(a, zone);
    }
}
