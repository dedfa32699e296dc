//! `tendonwatch import [PATH...]`: ingest files and folders once.

use super::{Context_, runtime};
use crate::ingest;
use crate::units::plural;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files, folders (recursive) or export bundles (a Strava or Garmin
    /// export .zip, read in place). Default: the configured sync folders.
    pub paths: Vec<PathBuf>,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context_, args: Args) -> anyhow::Result<ExitCode> {
    let roots = if args.paths.is_empty() {
        ctx.config.sync_folders(&ctx.env)?
    } else {
        args.paths
    };
    let (files, problems) = ingest::discover(&roots);
    if files.is_empty() && !problems.is_empty() && problems.len() == roots.len() {
        for (path, reason) in &problems {
            eprintln!("tendonwatch: error: {}: {reason}", path.display());
        }
        return Ok(ExitCode::from(2));
    }
    for (path, reason) in &problems {
        eprintln!("tendonwatch: warning: {}: {reason}", path.display());
    }
    let mut store = ctx.open_store()?;

    let parallelism = runtime::decode_threads();
    let runtime = runtime::build(1, parallelism)?;
    let show_progress = std::io::stderr().is_terminal() && !args.json;
    let mut last_drawn = std::time::Instant::now();
    let mut progress = |done: usize, total: usize| {
        if show_progress && (done == total || last_drawn.elapsed().as_millis() > 100) {
            last_drawn = std::time::Instant::now();
            let width = 30;
            let filled = (done * width).checked_div(total).unwrap_or(width);
            eprint!(
                "\r[{}{}] {done}/{total} files",
                "#".repeat(filled),
                " ".repeat(width - filled)
            );
            let _ = std::io::stderr().flush();
            if done == total {
                eprintln!();
            }
        }
    };
    let now_ms = chrono::Utc::now().timestamp_millis();
    let settings = ctx.config.ingest_settings();
    let remeasured = ingest::refresh_metrics(&mut store, &settings)?;
    if remeasured > 0 {
        tracing::info!("measured {remeasured} stored activities with the current metrics");
    }
    let summary = runtime.block_on(ingest::ingest_files(
        &mut store,
        files,
        &settings,
        parallelism,
        now_ms,
        &mut progress,
    ))?;

    // Replay: rules in time order, as if each run had just synced.
    let rule_settings = ctx.config.rule_settings();
    let mut alerts = crate::alerts::evaluate_pending(&mut store, &rule_settings, now_ms)?;
    // A morning entry logged before its run was imported counts now.
    alerts.extend(crate::alerts::evaluate_pain(
        &mut store,
        &rule_settings,
        ctx.config.profile.pain_limit(),
        now_ms,
    )?);
    // One line per file on stderr (the log); stdout keeps the summary.
    crate::outcome::log(&store, &summary.outcomes, &alerts)?;
    if args.json {
        let mut out = serde_json::to_value(&summary)?;
        out["alerts"] = serde_json::to_value(&alerts)?;
        println!("{}", crate::units::json(&out)?);
    } else {
        print_summary(&summary);
        super::alerts::print_new(&alerts, &ctx.zone());
    }
    Ok(ExitCode::SUCCESS)
}

fn print_summary(s: &ingest::Summary) {
    let partial = if s.imported_partial > 0 {
        format!(" ({} salvaged from cut-short files)", s.imported_partial)
    } else {
        String::new()
    };
    let duplicates = match s.duplicates {
        0 => String::new(),
        n => format!(
            ", {} of another file in this import",
            plural(n, "duplicate", "duplicates")
        ),
    };
    println!(
        "{}: {} imported{partial}{duplicates}, {} already known, {} non-running (stored, not counted), {} skipped, {} failed",
        plural(s.files(), "file", "files"),
        s.imported,
        s.already_known,
        s.non_running,
        s.skipped.len(),
        s.failed.len()
    );
    if s.bundle_other_entries > 0 {
        println!(
            "  {} of export bundles (photos, settings, other lists) not read",
            plural(s.bundle_other_entries, "other entry", "other entries")
        );
    }
    for p in &s.skipped {
        println!("  skipped {}: {}", p.path, p.reason);
    }
    for p in &s.failed {
        println!("  failed  {}: {}", p.path, p.reason);
    }
}
