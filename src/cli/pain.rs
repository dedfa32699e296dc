//! `tendonwatch pain SCORE [--kind …] [--stiffness MIN] [--side …] [--at TIME]
//! [--note TEXT]`, and `pain list | edit | delete | undo`.
//!
//! Bad input (a score of 11, a time in the future, an unknown side) is one
//! clear line, exit 2, and the store is not touched.

use super::{Context_, UsageError};
use crate::pain::{self, PainEntry, PainKind, Side};
use crate::store::Store;
use crate::store::pain::NewPain;
use std::process::ExitCode;

#[path = "pain_csv.rs"]
mod pain_csv;

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Pain from 0 (none) to 10 (worst ever), in whole or half points.
    #[arg(value_name = "SCORE", required = true, allow_negative_numbers = true)]
    pub score: Option<String>,
    #[command(flatten)]
    pub fields: Fields,
}

#[derive(Debug, Default, clap::Args)]
pub struct Fields {
    /// during, after or morning (default: guessed from the time and your last run).
    #[arg(long)]
    pub kind: Option<String>,
    /// Morning stiffness in minutes.
    #[arg(long, allow_negative_numbers = true)]
    pub stiffness: Option<String>,
    /// left, right or both.
    #[arg(long)]
    pub side: Option<String>,
    /// When (YYYY-MM-DD or YYYY-MM-DDTHH:MM, your local time; default now).
    #[arg(long)]
    pub at: Option<String>,
    /// A note of your own ("stairs hurt", "new shoes").
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Your pain log (and the watch's post-run effort and feel).
    List {
        /// Print as JSON (the entries and the watch's effort and feel).
        #[arg(long)]
        json: bool,
        /// How many days back, 1 to 36500 (default 60, as on the dashboard).
        #[arg(long, value_name = "DAYS")]
        days: Option<String>,
    },
    /// Change an entry.
    Edit {
        /// The entry's number (`#3` in `pain list`).
        id: i64,
        /// The new score, 0 to 10 in whole or half points.
        #[arg(long, allow_negative_numbers = true)]
        score: Option<String>,
        #[command(flatten)]
        fields: Fields,
    },
    /// Delete an entry (kept in the store; `pain undo` brings it back).
    Delete {
        /// The entry's number (`#3` in `pain list`).
        id: i64,
    },
    /// Bring back the last deleted entry.
    Undo,
    /// Add the entries of a CSV file (at,kind,score[,stiffness_min,side,note]): all or none.
    Import {
        /// A CSV file with a header line (`pain export` writes one).
        file: std::path::PathBuf,
    },
    /// Every entry as CSV (the import's format) on standard output; --json.
    Export {
        /// JSON instead of CSV (with ids and Unix milliseconds).
        #[arg(long)]
        json: bool,
    },
}

fn usage(message: String) -> anyhow::Error {
    UsageError(message).into()
}

/// Everything a new or edited entry says, validated before the store opens.
struct Parsed {
    score: Option<f64>,
    kind: Option<PainKind>,
    stiffness: Option<f64>,
    side: Option<Side>,
    at_ms: Option<i64>,
}

fn parse_fields(
    ctx: &Context_,
    score: Option<&str>,
    f: &Fields,
    now_ms: i64,
) -> anyhow::Result<Parsed> {
    let score = score.map(pain::parse_score).transpose().map_err(usage)?;
    let kind = f
        .kind
        .as_deref()
        .map(PainKind::parse)
        .transpose()
        .map_err(usage)?;
    let stiffness = f
        .stiffness
        .as_deref()
        .map(pain::parse_stiffness)
        .transpose()
        .map_err(usage)?;
    let side = f
        .side
        .as_deref()
        .map(Side::parse)
        .transpose()
        .map_err(usage)?;
    let at_ms =
        f.at.as_deref()
            .map(|t| ctx.parse_time(t).map_err(|e| usage(format!("--at {e}"))))
            .transpose()?;
    if let Some(at) = at_ms {
        if at > now_ms + pain::FUTURE_SLACK_MS {
            return Err(usage(format!(
                "--at {}: that is in the future; log pain when it happened",
                f.at.as_deref().unwrap_or_default()
            )));
        }
    }
    Ok(Parsed {
        score,
        kind,
        stiffness,
        side,
        at_ms,
    })
}

pub fn run(ctx: &Context_, args: Args) -> anyhow::Result<ExitCode> {
    let now = chrono::Utc::now().timestamp_millis();
    match args.command {
        None => log(
            ctx,
            args.score.as_deref().unwrap_or_default(),
            &args.fields,
            now,
        ),
        Some(Command::List { json, days }) => list(ctx, json, days, now),
        Some(Command::Edit { id, score, fields }) => edit(ctx, id, score.as_deref(), &fields, now),
        Some(Command::Delete { id }) => {
            let mut store = ctx.open_store()?;
            if !store.delete_pain(id, now)? {
                return Err(usage(format!(
                    "no pain entry {id} (see `tendonwatch pain list`)"
                )));
            }
            println!("deleted pain entry {id} (bring it back with `tendonwatch pain undo`)");
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Import { file }) => pain_csv::import(ctx, &file, now),
        Some(Command::Export { json }) => pain_csv::export(ctx, json),
        Some(Command::Undo) => {
            let mut store = ctx.open_store()?;
            match store.undo_pain_delete()? {
                Some(id) => println!("restored pain entry {id}"),
                None => println!("nothing to undo"),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn log(ctx: &Context_, score: &str, fields: &Fields, now: i64) -> anyhow::Result<ExitCode> {
    let parsed = parse_fields(ctx, Some(score), fields, now)?;
    let mut store = ctx.open_store()?;
    let at_ms = parsed.at_ms.unwrap_or(now);
    let offset = ctx.zone().offset_s_at(at_ms);
    let (kind, guessed) = match parsed.kind {
        Some(k) => (k, false),
        None => (
            pain::guess_kind(at_ms, offset, store.last_run_end(at_ms)?),
            true,
        ),
    };
    let entry = NewPain {
        at_ms,
        score: parsed.score.unwrap_or_default(),
        kind,
        stiffness_min: parsed.stiffness,
        side: parsed.side,
        note: fields.note.clone(),
    };
    let id = store.add_pain(&entry, now)?;
    let hint = if guessed {
        " (kind guessed; say --kind during|after|morning to change it)"
    } else {
        ""
    };
    println!(
        "logged {} pain {}/10 as entry {id}{hint}",
        kind.as_str(),
        crate::units::score(entry.score)
    );
    evaluate(ctx, &mut store, now)
}

fn edit(
    ctx: &Context_,
    id: i64,
    score: Option<&str>,
    fields: &Fields,
    now: i64,
) -> anyhow::Result<ExitCode> {
    let parsed = parse_fields(ctx, score, fields, now)?;
    let mut store = ctx.open_store()?;
    let Some(old) = store.pain_entry(id)? else {
        return Err(usage(format!(
            "no pain entry {id} (see `tendonwatch pain list`)"
        )));
    };
    let entry = NewPain {
        at_ms: parsed.at_ms.unwrap_or(old.at_ms),
        score: parsed.score.unwrap_or(old.score),
        kind: parsed.kind.unwrap_or(old.kind),
        stiffness_min: parsed.stiffness.or(old.stiffness_min),
        side: parsed.side.or(old.side),
        note: fields.note.clone().or(old.note),
    };
    store.update_pain(id, &entry)?;
    println!("updated pain entry {id}");
    evaluate(ctx, &mut store, now)
}

/// Pain rules at once (RULES.md C), through the same alert store as the load rules.
fn evaluate(ctx: &Context_, store: &mut Store, now: i64) -> anyhow::Result<ExitCode> {
    let alerts = crate::alerts::evaluate_pain(
        store,
        &ctx.config.rule_settings(),
        ctx.config.profile.pain_limit(),
        now,
    )?;
    for a in &alerts {
        super::alerts::print_alert(a, &ctx.zone());
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(serde::Serialize)]
struct ListRow {
    id: Option<i64>,
    at_ms: i64,
    at_local: String,
    kind: &'static str,
    score: Option<f64>,
    stiffness_min: Option<f64>,
    side: Option<&'static str>,
    note: Option<String>,
    /// "runner" or "watch" (post-run effort and feel the watch asked for).
    source: &'static str,
    activity_id: Option<i64>,
    rpe: Option<f64>,
    feel: Option<f64>,
}

fn list(ctx: &Context_, json: bool, days: Option<String>, now: i64) -> anyhow::Result<ExitCode> {
    let days = match days {
        None => pain::LIST_DAYS,
        Some(text) => pain::parse_list_days(&text).map_err(|e| usage(format!("--{e}")))?,
    };
    let store = ctx.open_store()?;
    let zone = ctx.zone();
    let (entries, watch) = store.pain_listed(days, now)?;
    let mut rows: Vec<ListRow> = entries
        .into_iter()
        .map(|e: PainEntry| ListRow {
            id: Some(e.id),
            at_ms: e.at_ms,
            at_local: zone.minute(e.at_ms),
            kind: e.kind.as_str(),
            score: Some(e.score),
            stiffness_min: e.stiffness_min,
            side: e.side.map(Side::as_str),
            note: e.note,
            source: "runner",
            activity_id: None,
            rpe: None,
            feel: None,
        })
        .collect();
    rows.extend(watch.into_iter().map(|w| ListRow {
        id: None,
        at_ms: w.at_ms,
        at_local: zone.minute(w.at_ms),
        kind: PainKind::After.as_str(),
        score: None,
        stiffness_min: None,
        side: None,
        note: None,
        source: "watch",
        activity_id: Some(w.activity_id),
        rpe: w.rpe,
        feel: w.feel,
    }));
    rows.sort_by_key(|r| std::cmp::Reverse(r.at_ms));
    if json {
        println!("{}", crate::units::json(&rows)?);
        return Ok(ExitCode::SUCCESS);
    }
    let (older, oldest) = store.pain_older_than(days, now)?;
    if rows.is_empty() && older == 0 {
        println!(
            "no pain logged in the last {}: `tendonwatch pain 2 --kind morning` logs one",
            crate::units::plural(days, "day", "days")
        );
    } else if rows.is_empty() {
        println!(
            "no pain logged in the last {}",
            crate::units::plural(days, "day", "days")
        );
    }
    for r in rows {
        let what = match (r.source, r.score) {
            ("watch", _) => format!(
                "effort {} feel {} (from the watch, activity {})",
                r.rpe
                    .map_or("-".into(), |v| format!("{}/10", crate::units::score(v))),
                r.feel.map_or("-".into(), |v| format!("{v:.0}/100")),
                r.activity_id.unwrap_or_default()
            ),
            (_, score) => format!("{}/10", crate::units::score(score.unwrap_or_default())),
        };
        let stiff = r
            .stiffness_min
            .map(|m| format!(", stiff {m:.0} min"))
            .unwrap_or_default();
        let side = r.side.map(|s| format!(", {s}")).unwrap_or_default();
        let note = r.note.map(|n| format!(" — {n}")).unwrap_or_default();
        let id = r.id.map_or("     ".to_string(), |i| format!("#{i:<4}"));
        println!(
            "{id} {} {:<7} {what}{stiff}{side}{note}",
            r.at_local, r.kind
        );
    }
    if let (true, Some(oldest)) = (older > 0, oldest) {
        // Whole days back to the oldest entry, that day included.
        let needed = ((now - oldest) / crate::zone::DAY_MS + 1).min(36_500);
        println!(
            "not shown: {} older than {days} days — `tendonwatch pain list --days {needed}` shows {}",
            crate::units::plural(older, "entry", "entries"),
            if older == 1 { "it" } else { "them" }
        );
    }
    Ok(ExitCode::SUCCESS)
}
