//! The `files` table: every source file seen — its path, size and
//! modification time (for the stat-only "already seen?" check), content
//! hash, format, and what reading it gave (`complete`, `truncated`,
//! `duplicate`, `corrupt`, …, with the reason). `ingest` (for the daemon
//! and `import`, export bundles included) and the simulator record files
//! here, and `ingest` asks [`Store::known_file`] before reading a file
//! again.
//!
//! Recording a file ([`Store::record_file`]) is one transaction: its
//! `files` row, its activities and their samples and metrics land together
//! or not at all, so a crash (SIGKILL, power cut in WAL mode) loses at most
//! the file in hand, which is read again next time. One run is stored
//! once: the same bytes under another path are a duplicate, and the same
//! run from another source (FIT and GPX, a second sync) keeps only the
//! richer recording ([`richness`]).

use super::activities::write_activity;
use super::metrics::write_metrics;
use super::tags::{apply_sport_tag, with_start_tag};
use super::{Result, Store};
use crate::activity::{Activity, Sport};
use crate::decode::{DecodeError, Decoded};
use crate::metrics::RunMetrics;
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;

/// Two recordings are the same run when they start within this many
/// milliseconds of each other…
pub const SAME_RUN_START_MS: i64 = 60_000;
/// …and their durations differ by at most this fraction.
pub const SAME_RUN_DURATION_FRACTION: f64 = 0.02;

/// A source file as the file system shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileVersion {
    pub path: String,
    pub size: u64,
    pub mtime_ns: i64,
    /// SHA-256 of the bytes as stored on disk (gzip included), hex.
    pub content_hash: String,
}

/// What is stored about a file, for the stat-only "already seen?" check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownFile {
    pub id: i64,
    pub size: u64,
    pub mtime_ns: i64,
    pub content_hash: String,
    pub outcome: String,
}

/// What recording one file did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileReport {
    pub file_id: i64,
    pub outcome: String,
    /// Same path and same bytes as before, or same bytes as another file.
    pub already_known: bool,
    /// The other file with the same bytes, when that is why.
    pub twin: Option<String>,
    /// Activities added, with their sport.
    pub added: Vec<(i64, Sport)>,
    /// Existing activities this file's richer recording replaced in place.
    pub upgraded: Vec<i64>,
    /// Existing activities this file duplicated (a poorer copy of the same run).
    pub duplicate_of: Vec<i64>,
    pub partial: bool,
}

/// One stored source file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileRow {
    pub id: i64,
    pub path: String,
    pub size: u64,
    pub content_hash: String,
    pub outcome: String,
    pub error: Option<String>,
}

impl Store {
    pub fn known_file(&self, path: &str) -> Result<Option<KnownFile>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, size, mtime_ns, content_hash, outcome FROM files WHERE path = ?1",
                [path],
                |r| {
                    Ok(KnownFile {
                        id: r.get(0)?,
                        size: r.get::<_, i64>(1)? as u64,
                        mtime_ns: r.get(2)?,
                        content_hash: r.get(3)?,
                        outcome: r.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    /// Record one file and what decoding it gave, in one transaction.
    ///
    /// `metrics[i]` belongs to `decoded.activities[i]`; an activity without
    /// its metrics is stored without (they are computed on demand).
    pub fn record_file(
        &mut self,
        file: &FileVersion,
        decoded: &std::result::Result<Decoded, DecodeError>,
        metrics: &[RunMetrics],
        now_ms: i64,
    ) -> Result<FileReport> {
        let tx = self.write_transaction()?;
        let report = record_in(&tx, file, decoded, metrics, now_ms)?;
        tx.commit()?;
        Ok(report)
    }

    pub fn files(&self) -> Result<Vec<FileRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, path, size, content_hash, outcome, error FROM files ORDER BY path",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(FileRow {
                id: r.get(0)?,
                path: r.get(1)?,
                size: r.get::<_, i64>(2)? as u64,
                content_hash: r.get(3)?,
                outcome: r.get(4)?,
                error: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

/// How much a recording is worth keeping when the same run arrives twice:
/// complete beats partial, then more channels, then FIT over GPX, then more
/// samples.
pub fn richness(activity: &Activity, partial: bool, is_fit: bool) -> i64 {
    let complete = i64::from(!partial);
    let channels = i64::from(activity.channels().count());
    let samples = (activity.samples.len() as i64).min(999_999);
    complete * 1_000_000_000 + channels * 10_000_000 + i64::from(is_fit) * 1_000_000 + samples
}

fn record_in(
    tx: &Transaction<'_>,
    file: &FileVersion,
    decoded: &std::result::Result<Decoded, DecodeError>,
    metrics: &[RunMetrics],
    now_ms: i64,
) -> Result<FileReport> {
    let previous: Option<(i64, String, String)> = tx
        .query_row(
            "SELECT id, content_hash, outcome FROM files WHERE path = ?1",
            [&file.path],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;

    // Same path, same bytes: nothing to do but remember the new stat.
    if let Some((id, hash, outcome)) = &previous {
        if *hash == file.content_hash {
            tx.execute(
                "UPDATE files SET size = ?2, mtime_ns = ?3 WHERE id = ?1",
                params![id, file.size as i64, file.mtime_ns],
            )?;
            return Ok(FileReport {
                file_id: *id,
                outcome: outcome.clone(),
                already_known: true,
                ..FileReport::default()
            });
        }
    }

    // Same bytes under another path (a copy, a re-sync into a new folder).
    let twin: Option<String> = tx
        .query_row(
            "SELECT path FROM files WHERE content_hash = ?1 AND path <> ?2 AND content_hash <> '' LIMIT 1",
            params![file.content_hash, file.path],
            |r| r.get(0),
        )
        .optional()?;

    let (format, outcome, error) = match (&twin, decoded) {
        (Some(other), _) => (
            None,
            "duplicate".to_string(),
            Some(format!("same bytes as {other}")),
        ),
        (None, Ok(d)) => (
            Some(d.format.as_str()),
            if d.is_complete() {
                "complete"
            } else {
                "truncated"
            }
            .to_string(),
            match (&d.partial, &d.warning) {
                (Some(p), Some(w)) => Some(format!("{p}; {w}")),
                (Some(p), None) => Some(p.clone()),
                (None, w) => w.clone(),
            },
        ),
        (None, Err(e)) => (None, e.outcome().to_string(), Some(e.to_string())),
    };

    let file_id = match &previous {
        Some((id, _, _)) => {
            tx.execute(
                "UPDATE files SET size = ?2, mtime_ns = ?3, content_hash = ?4, format = ?5,
                        outcome = ?6, error = ?7, ingested_ms = ?8 WHERE id = ?1",
                params![
                    id,
                    file.size as i64,
                    file.mtime_ns,
                    file.content_hash,
                    format,
                    outcome,
                    error,
                    now_ms
                ],
            )?;
            *id
        }
        None => {
            tx.execute(
                "INSERT INTO files (path, size, mtime_ns, content_hash, format, outcome, error, first_seen_ms, ingested_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
                params![file.path, file.size as i64, file.mtime_ns, file.content_hash, format, outcome, error, now_ms],
            )?;
            tx.last_insert_rowid()
        }
    };

    let mut report = FileReport {
        file_id,
        outcome: outcome.clone(),
        already_known: twin.is_some(),
        twin: twin.clone(),
        ..FileReport::default()
    };
    let Ok(decoded) = decoded else {
        return Ok(report);
    };
    if twin.is_some() {
        return Ok(report);
    }
    report.partial = decoded.partial.is_some();
    for (i, activity) in decoded.activities.iter().enumerate() {
        store_activity(tx, file_id, decoded, activity, metrics.get(i), &mut report)?;
    }
    if let Some(&kept) = report.duplicate_of.first() {
        mark_duplicate_if_empty(tx, file_id, kept)?;
        if report.outcome == "complete" && report.added.is_empty() && report.upgraded.is_empty() {
            report.outcome = "duplicate".to_string();
        }
    }
    Ok(report)
}

fn store_activity(
    tx: &Transaction<'_>,
    file_id: i64,
    decoded: &Decoded,
    a: &Activity,
    metrics: Option<&RunMetrics>,
    report: &mut FileReport,
) -> Result<()> {
    let partial = decoded.partial.is_some();
    let rich = richness(a, partial, decoded.format == crate::decode::Format::Fit);
    let elapsed_s = a.elapsed_s();

    // 1. This file's own earlier version of the session: replace in place.
    let own: Option<i64> = tx
        .query_row(
            "SELECT id FROM activities WHERE file_id = ?1 AND session_index = ?2",
            params![file_id, a.session_index],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = own {
        // The start the runner gave outlives a new version of the file.
        if let Some(moved) = with_start_tag(tx, id, a)? {
            write_activity(tx, Some(id), file_id, decoded, &moved, rich)?;
            write_tagged_metrics(tx, id, &moved, None)?;
        } else {
            write_activity(tx, Some(id), file_id, decoded, a, rich)?;
            write_tagged_metrics(tx, id, a, metrics)?;
        }
        report.upgraded.push(id);
        return Ok(());
    }

    // 2. An activity whose clock cannot be believed is the same run as no
    // other: 1970-01-01 is the start of every clock-less recording.
    if a.time_unknown.is_some() {
        let id = write_activity(tx, None, file_id, decoded, a, rich)?;
        write_metrics(tx, id, metrics)?;
        report.added.push((id, a.sport));
        return Ok(());
    }

    // 3. The same run from another source (FIT and GPX, a second sync).
    let candidates: Vec<(i64, f64, i64)> = {
        let mut stmt = tx.prepare_cached(
            "SELECT id, elapsed_s, richness FROM activities
             WHERE start_ms BETWEEN ?1 AND ?2 AND file_id <> ?3 AND time_unknown IS NULL",
        )?;
        stmt.query_map(
            params![
                a.start_ms - SAME_RUN_START_MS,
                a.start_ms + SAME_RUN_START_MS,
                file_id
            ],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?
        .collect::<rusqlite::Result<_>>()?
    };
    let same_run = candidates.into_iter().find(|(_, other_elapsed, _)| {
        let longer = elapsed_s.max(*other_elapsed);
        longer <= 0.0 || (elapsed_s - other_elapsed).abs() <= SAME_RUN_DURATION_FRACTION * longer
    });
    match same_run {
        Some((id, _, existing_rich)) if rich > existing_rich => {
            let poorer: i64 =
                tx.query_row("SELECT file_id FROM activities WHERE id = ?1", [id], |r| {
                    r.get(0)
                })?;
            write_activity(tx, Some(id), file_id, decoded, a, rich)?;
            write_tagged_metrics(tx, id, a, metrics)?;
            report.upgraded.push(id);
            mark_duplicate_if_empty(tx, poorer, id)?;
        }
        Some((id, _, _)) => report.duplicate_of.push(id),
        None => {
            let id = write_activity(tx, None, file_id, decoded, a, rich)?;
            write_metrics(tx, id, metrics)?;
            report.added.push((id, a.sport));
        }
    }
    Ok(())
}

/// The runner's sport tag outlives a re-import: applied to the freshly
/// written activity. Metrics measured for another sport are dropped, to be
/// measured again (`ingest::refresh_metrics`); otherwise they are stored.
fn write_tagged_metrics(
    tx: &Transaction<'_>,
    id: i64,
    a: &Activity,
    metrics: Option<&RunMetrics>,
) -> Result<()> {
    match apply_sport_tag(tx, id)? {
        Some(tagged) if tagged != a.sport => write_metrics(tx, id, None),
        _ => write_metrics(tx, id, metrics),
    }
}

/// A file none of whose activities is stored any more (a richer file of
/// the same run took its place) is recorded as a duplicate of that run.
fn mark_duplicate_if_empty(tx: &Transaction<'_>, file_id: i64, activity_id: i64) -> Result<()> {
    // A cut-short file keeps its outcome (the runner may want to know it
    // broke); a complete one is simply a duplicate. `duplicate_of` names
    // the run (not the text: ids depend on the order files arrived in).
    tx.execute(
        "UPDATE files SET duplicate_of = ?2,
                error = CASE WHEN outcome = 'complete'
                    THEN 'the same run is stored from a richer file'
                    ELSE COALESCE(error || '; ', '') || 'its run is stored from a richer file' END,
                outcome = CASE WHEN outcome = 'complete' THEN 'duplicate' ELSE outcome END
         WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM activities WHERE file_id = ?1)",
        params![file_id, activity_id],
    )?;
    Ok(())
}
