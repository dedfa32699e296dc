//! A bundle through the ingest stage: its entries read on one blocking
//! thread (sequential: it is one file), decoded on the blocking pool
//! several at a time, each recorded like a file, then the bundle's own row.
//! Memory stays at a few entries whatever the size of the export: the
//! reader waits on a small channel while decoding catches up.

use super::{Problem, ReadFile, Settings, Summary};
use crate::bundle::{self as archive, Entry, Item, Limits, Refusal, Tally};
use crate::decode::DecodeError;
use crate::outcome::Outcome;
use crate::store::{FileVersion, Store, StoreError};
use crate::units::plural;
use std::path::Path;
use tokio::task::JoinSet;

/// Entries read ahead of decoding.
const READ_AHEAD: usize = 2;

/// Ingest the bundle at `path` into the store, counting its entries into
/// `summary` like files. An unchanged bundle (size and time as recorded) is
/// not opened. With `settle_ms`, a bundle that cannot be opened and was
/// modified less than `settle_ms` ago is deferred: a zip gets its central
/// directory last, so one still arriving looks cut short.
pub async fn ingest_bundle(
    store: &mut Store,
    path: &Path,
    settings: &Settings,
    parallelism: usize,
    now_ms: i64,
    settle_ms: Option<i64>,
    summary: &mut Summary,
) -> Result<(), StoreError> {
    let path_text = path.to_string_lossy().into_owned();
    let (size, mtime_ns) = match super::stat(path) {
        Ok(stat) => stat,
        Err(e) => {
            summary.fail(Problem {
                path: path_text,
                outcome: "unreadable".to_string(),
                reason: DecodeError::Unreadable(e.to_string()).to_string(),
            });
            return Ok(());
        }
    };
    let version = FileVersion {
        path: path_text.clone(),
        size,
        mtime_ns,
        content_hash: String::new(),
    };
    if let Some(known) = store.known_file(&path_text)? {
        if known.size == size && known.mtime_ns == mtime_ns {
            // Read before: its entries are known (a bundle that failed as a
            // whole, or held no activity, counts as one file).
            let entries = if known.outcome == archive::OUTCOME {
                store.bundle_entry_count(&path_text)?.max(1)
            } else {
                1
            };
            summary.unchanged(path_text, entries);
            return Ok(());
        }
    }

    let (tx, mut rx) = tokio::sync::mpsc::channel::<Item>(READ_AHEAD);
    let reader_path = path.to_path_buf();
    let prefix = format!("{path_text}{}", archive::ENTRY_SEPARATOR);
    let reader = tokio::task::spawn_blocking(move || {
        // The zip crate is third-party code on hostile bytes: a panic in it
        // is a corrupt bundle, not a dead daemon.
        crate::decode::catch_quietly(|| {
            let file = std::fs::File::open(&reader_path)?;
            archive::read_bundle(
                std::io::BufReader::new(file),
                &prefix,
                &Limits::DEFAULT,
                &mut |item| tx.blocking_send(item).is_ok(),
            )
        })
        .unwrap_or_else(|message| {
            Err(archive::BundleError::Corrupt(format!(
                "the zip reader panicked: {message}"
            )))
        })
    });

    let limit = parallelism.max(1) * 2;
    let mut decoding: JoinSet<ReadFile> = JoinSet::new();
    let mut reading = true;
    loop {
        let take = reading && decoding.len() < limit;
        if !take && decoding.is_empty() {
            break;
        }
        tokio::select! {
            item = rx.recv(), if take => match item {
                Some(Item::Activity(entry)) => {
                    let settings = settings.clone();
                    decoding.spawn_blocking(move || decode_entry(entry, mtime_ns, &settings));
                }
                Some(Item::Refused(refusal)) => note_refusal(summary, refusal),
                None => reading = false,
            },
            Some(joined) = decoding.join_next(), if !decoding.is_empty() => match joined {
                Ok(read) => {
                    let report =
                        store.record_file(&read.version, &read.decoded, &read.metrics, now_ms)?;
                    summary.add(&read, &report);
                }
                Err(e) => summary.fail(Problem {
                    path: path_text.clone(),
                    outcome: "internal_error".to_string(),
                    reason: e.to_string(),
                }),
            },
        }
    }

    let tally = match reader.await {
        Ok(Ok(tally)) => tally,
        Ok(Err(e)) => {
            let young = settle_ms.is_some_and(|settle| mtime_ns / 1_000_000 > now_ms - settle);
            if young && !matches!(e, archive::BundleError::TooManyEntries { .. }) {
                summary.defer(path, e.to_string());
                return Ok(());
            }
            let error = e.to_decode_error();
            store.record_file(&version, &Err(error.clone()), &[], now_ms)?;
            summary.fail(Problem {
                path: path_text,
                outcome: error.outcome().to_string(),
                reason: e.to_string(),
            });
            return Ok(());
        }
        Err(e) => {
            summary.fail(Problem {
                path: path_text,
                outcome: "internal_error".to_string(),
                reason: e.to_string(),
            });
            return Ok(());
        }
    };
    finish(store, &version, &tally, now_ms, summary)
}

/// The bundle's own row, and what the runner should hear about the whole.
fn finish(
    store: &mut Store,
    version: &FileVersion,
    tally: &Tally,
    now_ms: i64,
    summary: &mut Summary,
) -> Result<(), StoreError> {
    summary.bundle_other_entries += tally.other;
    let mut notes: Vec<String> = Vec::new();
    if let Some(problem) = &tally.list_problem {
        notes.push(format!(
            "activity list not used: {problem}; sports come from the files alone"
        ));
    }
    if tally.refused > 0 {
        notes.push(format!(
            "{} not read",
            plural(tally.refused, "entry", "entries")
        ));
    }
    if let Some(stopped) = &tally.stopped {
        notes.push(stopped.clone());
    }
    let note = (!notes.is_empty()).then(|| notes.join("; "));
    if tally.activities == 0 {
        let reason = format!(
            "no activity files among its {}",
            plural(tally.entries, "entry", "entries")
        );
        summary.skip(Problem {
            path: version.path.clone(),
            outcome: archive::OUTCOME.to_string(),
            reason: reason.clone(),
        });
        notes.insert(0, reason);
    } else {
        summary.outcome(
            &version.path,
            Outcome::Bundle {
                activity_entries: tally.activities,
                lists: tally.lists,
                other_entries: tally.other,
                note: note.clone(),
            },
        );
    }
    let note = (!notes.is_empty()).then(|| notes.join("; "));
    store.record_bundle(version, note.as_deref(), now_ms)
}

fn note_refusal(summary: &mut Summary, refusal: Refusal) {
    let failed = refusal.is_failure();
    let problem = Problem {
        path: refusal.key,
        outcome: refusal.outcome.to_string(),
        reason: refusal.reason,
    };
    if failed {
        summary.fail(problem);
    } else {
        summary.skip(problem);
    }
}

/// Decode one entry like a file; an activity without a name of its own
/// takes the export's title for it.
pub fn decode_entry(entry: Entry, mtime_ns: i64, settings: &Settings) -> ReadFile {
    let mut read = super::decode_bytes(
        entry.key,
        &entry.file_name,
        &entry.bytes,
        mtime_ns,
        &entry.hint,
        settings,
    );
    if let (Ok(decoded), Some(title)) = (&mut read.decoded, &entry.hint.title) {
        for activity in &mut decoded.activities {
            if activity.name.as_deref().is_none_or(|n| n.trim().is_empty()) {
                activity.name = Some(title.clone());
            }
        }
    }
    read
}
