//! `tendonwatch gear add NAME --drop MM [--from DATE]`, `gear use NAME
//! [--from DATE]`, `gear list [--json]`: shoes and their heel drop (RULES.md D).

use super::Context_;
use anyhow::bail;
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Add a pair of shoes (and start wearing them with --from).
    Add {
        /// The pair's name, as you will refer to it ("Pegasus 40").
        name: String,
        /// Heel-to-toe drop in millimetres (0–20).
        #[arg(long = "drop", value_name = "MM")]
        drop_mm: f64,
        /// Wearing them from this day (YYYY-MM-DD).
        #[arg(long)]
        from: Option<String>,
    },
    /// Switch to these shoes from a day on (default: now).
    Use {
        /// A pair added with `gear add`.
        name: String,
        /// From this day (YYYY-MM-DD, or a time; default now).
        #[arg(long)]
        from: Option<String>,
    },
    /// List your shoes.
    List {
        /// Print as JSON (the same shoes as the text).
        #[arg(long)]
        json: bool,
    },
}

pub fn run(ctx: &Context_, command: Command) -> anyhow::Result<ExitCode> {
    let now = chrono::Utc::now().timestamp_millis();
    match command {
        Command::Add {
            name,
            drop_mm,
            from,
        } => {
            if !(0.0..=20.0).contains(&drop_mm) || !drop_mm.is_finite() {
                bail!("--drop {drop_mm}: a heel drop is between 0 and 20 mm");
            }
            let from_ms = from.as_deref().map(|t| ctx.parse_time(t)).transpose()?;
            let mut store = ctx.open_store()?;
            if !store.add_shoe(&name, drop_mm, now)? {
                bail!("shoes named '{name}' already exist");
            }
            if let Some(ms) = from_ms {
                store.use_shoe(&name, ms)?;
            }
            println!("added {name} ({drop_mm:.0} mm drop)");
        }
        Command::Use { name, from } => {
            let from_ms = match from.as_deref() {
                Some(text) => ctx.parse_time(text)?,
                None => now,
            };
            let mut store = ctx.open_store()?;
            if !store.use_shoe(&name, from_ms)? {
                bail!("no shoes named '{name}' (add them with `tendonwatch gear add`)");
            }
            println!("wearing {name} from now on");
        }
        Command::List { json } => {
            let shoes = ctx.open_store()?.shoes()?;
            let zone = ctx.zone();
            if json {
                println!("{}", crate::units::json(&shoes)?);
            } else if shoes.is_empty() {
                println!(
                    "no shoes yet: `tendonwatch gear add NAME --drop MM --from DATE` adds a pair"
                );
            }
            for s in shoes.iter().filter(|_| !json) {
                let since = s
                    .in_use_from_ms
                    .and_then(|ms| chrono::DateTime::from_timestamp_millis(zone.local_ms(ms)))
                    .map(|t| format!(", worn since {}", t.format("%Y-%m-%d")))
                    .unwrap_or_default();
                let now = if s.current { " (wearing now)" } else { "" };
                println!("{} — {:.0} mm drop{since}{now}", s.name, s.drop_mm);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
