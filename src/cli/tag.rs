//! `tendonwatch tag ACTIVITY --surface sand`: the runner's own word on where
//! a run happened, which outranks the file and the geometry (RULES.md E).

use super::Context_;
use crate::ingest;
use crate::metrics::surface::Surface;
use anyhow::bail;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Activity id (see `tendonwatch activities`).
    pub activity: i64,
    /// road, track, trail, treadmill, sand, grass, indoor or unknown.
    #[arg(long, value_parser = parse_surface, required_unless_present = "clear")]
    pub surface: Option<Surface>,
    /// Remove your tag: the file and geometry decide again.
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
    let before = store.metrics(args.activity)?.map(|m| m.surface);
    let settings = ctx.config.ingest_settings();
    let now = chrono::Utc::now().timestamp_millis();
    let Some(m) = ingest::retag(&mut store, args.activity, args.surface, &settings, now)? else {
        bail!(
            "no activity {} (see `tendonwatch activities`)",
            args.activity
        );
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
    Ok(ExitCode::SUCCESS)
}
