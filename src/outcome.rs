//! outcome: what became of each file an ingest looked at, as the one line
//! the daemon and `import` log about it — always with the file's path (for
//! an entry of an export bundle, `bundle.zip!/entry`), so a runner reading
//! the journal knows which file a problem is about.

use crate::store::alerts::Alert;
use crate::store::{ActivityRow, Store, StoreError};
use crate::units::plural;

/// What became of one file, or of one entry of an export bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileOutcome {
    /// The key the store knows it by: its path, or `bundle.zip!/entry`.
    pub path: String,
    pub what: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Its activities were stored (new, or replacing this file's earlier
    /// version). `note`: salvaged from a cut-short file, or something odd
    /// that cost no data.
    Stored {
        activities: Vec<i64>,
        note: Option<String>,
    },
    /// Nothing new: the same bytes, or a poorer copy of a run already stored.
    AlreadyKnown {
        why: String,
        /// Set when the file is cut short: worth a warning all the same.
        truncated: Option<String>,
    },
    /// A copy of another file of this same import (`of` says which, and
    /// how: the same bytes, or the same run).
    Duplicate {
        of: String,
        /// Set when the file is cut short: worth a warning all the same.
        truncated: Option<String>,
    },
    /// Same size and time as stored: not read again (a rescan).
    Unchanged,
    /// Cut short and still changing: looked at again once it settles.
    Deferred(String),
    /// Fine, but holds no activity (a route, a monitoring file).
    Skipped(String),
    /// Broken or unreadable.
    Failed(String),
    /// An export bundle as a whole; each entry has its own line.
    Bundle {
        activity_entries: usize,
        /// Activity lists (`activities.csv`) read for their hints.
        lists: usize,
        other_entries: usize,
        note: Option<String>,
    },
}

/// How loud a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Not news at the default level (a rescan of unchanged files).
    Debug,
    Info,
    /// Something the runner may want to look at.
    Warn,
}

/// The line about one file: `path: what became of it`. `stored` are its
/// stored activities as listed (for sport and distance); `alerts` the
/// alerts raised on them.
pub fn line(outcome: &FileOutcome, stored: &[ActivityRow], alerts: &[&Alert]) -> (Level, String) {
    let (level, what) = match &outcome.what {
        Outcome::Stored { activities, note } => {
            let stored: Vec<String> = activities
                .iter()
                .map(|&id| match stored.iter().find(|a| a.id == id) {
                    Some(a) => format!(
                        "{id} ({}, {})",
                        a.sport_name(),
                        crate::units::km(a.distance_m)
                    ),
                    None => id.to_string(),
                })
                .collect();
            let mut what = format!(
                "stored as activit{} {}",
                if stored.len() == 1 { "y" } else { "ies" },
                stored.join(", ")
            );
            what.push_str(&alerts_raised(alerts));
            if let Some(note) = note {
                what.push_str(&format!("; note: {note}"));
            }
            (Level::Info, what)
        }
        Outcome::AlreadyKnown { why, truncated } => {
            with_truncation(format!("already known ({why})"), truncated)
        }
        Outcome::Duplicate { of, truncated } => with_truncation(
            format!("a duplicate of {of}, read in this same import"),
            truncated,
        ),
        Outcome::Unchanged => (Level::Debug, "unchanged since it was read".to_string()),
        Outcome::Deferred(why) => (
            Level::Debug,
            format!("{why}; still changing, looked at again once it settles"),
        ),
        Outcome::Skipped(why) => (Level::Info, format!("skipped: {why}")),
        Outcome::Failed(why) => (Level::Warn, format!("failed: {why}")),
        Outcome::Bundle {
            activity_entries,
            lists,
            other_entries,
            note,
        } => {
            let list = match lists {
                0 => String::new(),
                1 => ", its activity list".to_string(),
                n => format!(", {n} activity lists"),
            };
            let what = format!(
                "export bundle read: {} (each on its own line){list}; {} not read",
                plural(*activity_entries, "activity entry", "activity entries"),
                plural(*other_entries, "other entry", "other entries")
            );
            match note {
                Some(note) => (Level::Warn, format!("{what}; {note}")),
                None => (Level::Info, what),
            }
        }
    };
    (level, format!("{}: {what}", outcome.path))
}

/// A line about a file not stored, louder when the file is cut short.
fn with_truncation(what: String, truncated: &Option<String>) -> (Level, String) {
    match truncated {
        Some(reason) => (Level::Warn, format!("{what}; truncated: {reason}")),
        None => (Level::Info, what),
    }
}

/// "; alerts: run_spike (high), hill_intro (warn)" or "; no alerts".
fn alerts_raised(alerts: &[&Alert]) -> String {
    if alerts.is_empty() {
        return "; no alerts".to_string();
    }
    let kinds: Vec<String> = alerts
        .iter()
        .map(|a| format!("{} ({})", a.kind, a.severity))
        .collect();
    format!(
        "; alert{}: {}",
        if kinds.len() == 1 { "" } else { "s" },
        kinds.join(", ")
    )
}

/// Log one line per file, the alerts raised on its activities named in it.
/// Returns the alerts no file of these raised (pain rules, runs stored
/// before): the caller says what to do with them.
pub fn log<'a>(
    store: &Store,
    outcomes: &[FileOutcome],
    alerts: &'a [Alert],
) -> Result<Vec<&'a Alert>, StoreError> {
    let mut claimed = vec![false; alerts.len()];
    for outcome in outcomes {
        let (stored, mine) = match &outcome.what {
            Outcome::Stored { activities, .. } => {
                let mut stored = Vec::new();
                for &id in activities {
                    stored.extend(store.activity(id)?);
                }
                let mine: Vec<&Alert> = alerts
                    .iter()
                    .enumerate()
                    .filter(|(_, a)| a.activity_id.is_some_and(|id| activities.contains(&id)))
                    .map(|(i, a)| {
                        claimed[i] = true;
                        a
                    })
                    .collect();
                (stored, mine)
            }
            _ => (Vec::new(), Vec::new()),
        };
        let (level, text) = line(outcome, &stored, &mine);
        match level {
            Level::Debug => tracing::debug!("{text}"),
            Level::Info => tracing::info!("{text}"),
            Level::Warn => tracing::warn!("{text}"),
        }
    }
    Ok(alerts
        .iter()
        .zip(claimed)
        .filter(|(_, claimed)| !claimed)
        .map(|(a, _)| a)
        .collect())
}
