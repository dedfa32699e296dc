//! ingest: paths → (read, hash, decode on the blocking pool) → store.
//!
//! The one way files enter tendonwatch, used by `import` and by the daemon.
//! Decoding (CPU) runs on tokio's blocking pool, several files at a time; the
//! store is written by the caller's thread, one transaction per file, in the
//! order results arrive. Source files are opened read-only and never changed.

mod bundle;

use crate::decode::{self, DecodeError, Decoded};
use crate::metrics::{self, MetricsInput, RunMetrics, surface::NamedArea};
use crate::outcome::{FileOutcome, Outcome};
use crate::store::{FileReport, FileVersion, Store, StoreError};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;
use tokio::task::JoinSet;

/// Files larger than this are not activity files (a 12-hour FIT is ~3 MB).
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// Is this a name tendonwatch should read? Activity extensions and export
/// bundles (`.zip`) only, and never a sync tool's temporary or hidden file
/// (`.syncthing.x.fit.tmp`, `~syncthing~x.fit.tmp`, `x.fit.part`, `.x.fit`).
pub fn is_candidate_name(name: &str) -> bool {
    if name.starts_with('.') || name.starts_with("~syncthing~") {
        return false;
    }
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".part") || lower.ends_with(".tmp") || lower.ends_with(".crdownload") {
        return false;
    }
    is_readable_name(name)
}

/// An activity file or an export bundle, by its name alone.
fn is_readable_name(name: &str) -> bool {
    decode::format_of(name).is_some() || crate::bundle::is_bundle_name(name)
}

/// Folders never entered: hidden ones (Syncthing's `.stversions` holds old
/// copies of every file, `.stfolder` is a marker).
fn is_skipped_dir(name: &str) -> bool {
    name.starts_with('.')
}

/// An I/O error as a runner reads it: "permission denied", not
/// "Permission denied (os error 13)"; other errors without their
/// "(os error N)".
pub fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::PermissionDenied => "permission denied".to_string(),
        ErrorKind::NotFound => "it is missing".to_string(),
        _ => {
            let text = e.to_string();
            match text.find(" (os error ") {
                Some(i) => text[..i].to_string(),
                None => text,
            }
        }
    }
}

/// Walk the given files and folders (recursively) for candidate files.
/// Missing or unreadable paths are reported, not fatal.
pub fn discover(roots: &[PathBuf]) -> (Vec<PathBuf>, Vec<(PathBuf, String)>) {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    let mut stack: Vec<PathBuf> = Vec::new();
    for root in roots {
        // The store keys files by path: one spelling per file, whatever way
        // (relative, through a symlink) the folder was named.
        let root = &match std::fs::canonicalize(root) {
            Ok(p) => p,
            Err(e) => {
                problems.push((root.clone(), io_reason(&e)));
                continue;
            }
        };
        match std::fs::metadata(root) {
            Ok(m) if m.is_dir() => stack.push(root.clone()),
            Ok(m) if m.is_file() => {
                let name = root
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if is_readable_name(&name) {
                    found.push(root.clone());
                } else {
                    problems.push((
                        root.clone(),
                        "not a .fit, .gpx, .tcx or .zip file".to_string(),
                    ));
                }
            }
            Ok(_) => problems.push((root.clone(), "not a regular file or folder".to_string())),
            Err(e) => problems.push((root.clone(), io_reason(&e))),
        }
    }
    while let Some(dir) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) => {
                problems.push((dir, io_reason(&e)));
                continue;
            }
        };
        let mut here: Vec<PathBuf> = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() && !is_skipped_dir(&name) => stack.push(path),
                Ok(t) if t.is_dir() => {}
                Ok(_) if is_candidate_name(&name) => here.push(path),
                _ => {}
            }
        }
        here.sort();
        found.extend(here);
    }
    (found, problems)
}

/// Stat of a file as the store remembers it.
pub fn stat(path: &Path) -> std::io::Result<(u64, i64)> {
    let m = std::fs::metadata(path)?;
    let mtime_ns = m
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0);
    Ok((m.len(), mtime_ns))
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// The result of reading and decoding one file, ready for the store.
pub struct ReadFile {
    pub version: FileVersion,
    pub decoded: Result<Decoded, DecodeError>,
    /// One per decoded activity, in order.
    pub metrics: Vec<RunMetrics>,
}

/// What the pure stages need from the runner's configuration.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub areas: std::sync::Arc<Vec<NamedArea>>,
    /// The runner's zone: where a run's local start is read.
    pub zone: crate::zone::Zone,
    /// The runner's usual paces: evidence for the sport of a file that does
    /// not name it. Refreshed from the store at each ingest.
    pub own_pace: crate::sport::OwnPace,
}

impl Settings {
    pub fn metrics_input(&self) -> MetricsInput<'_> {
        MetricsInput {
            surface_tag: None,
            areas: &self.areas,
            zone: self.zone,
        }
    }
}

/// Read, hash, decode and measure one file. Blocking; never panics on file
/// content.
pub fn read_and_decode(path: &Path, settings: &Settings) -> ReadFile {
    let path_text = path.to_string_lossy().into_owned();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let unreadable = |reason: String, size: u64, mtime_ns: i64| ReadFile {
        version: FileVersion {
            path: path_text.clone(),
            size,
            mtime_ns,
            content_hash: String::new(),
        },
        decoded: Err(DecodeError::Unreadable(reason)),
        metrics: Vec::new(),
    };
    let (size, mtime_ns) = match stat(path) {
        Ok(s) => s,
        Err(e) => return unreadable(e.to_string(), 0, 0),
    };
    if size > MAX_FILE_BYTES {
        return unreadable(
            format!("{size} bytes is too large for an activity file"),
            size,
            mtime_ns,
        );
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return unreadable(e.to_string(), size, mtime_ns),
    };
    decode_bytes(
        path_text,
        &name,
        &bytes,
        mtime_ns,
        &crate::activity::Hint::default(),
        settings,
    )
}

/// Decode one file's bytes (from disk or from an export bundle), settle the
/// sport of each activity and measure it. `path_text` is the key the store
/// remembers it by; `name` picks the format and is evidence for the sport;
/// `hint` is what a bundle's activity list said about it. Pure but for CPU.
pub fn decode_bytes(
    path_text: String,
    name: &str,
    bytes: &[u8],
    mtime_ns: i64,
    hint: &crate::activity::Hint,
    settings: &Settings,
) -> ReadFile {
    let mut decoded = decode::decode_file(name, bytes);
    if let Ok(d) = &mut decoded {
        let now_ms = chrono::Utc::now().timestamp_millis();
        let mut notes = Vec::new();
        for a in &mut d.activities {
            notes.extend(crate::clock::settle(a, now_ms).note);
            let verdict = crate::sport::settle(a, name, hint, &settings.own_pace);
            crate::sport::apply(a, verdict);
        }
        if !notes.is_empty() {
            notes.extend(d.warning.take());
            d.warning = Some(notes.join("; "));
        }
    }
    let input = settings.metrics_input();
    let metrics = match &decoded {
        Ok(d) => d
            .activities
            .iter()
            .map(|a| metrics::compute(a, &input))
            .collect(),
        Err(_) => Vec::new(),
    };
    ReadFile {
        version: FileVersion {
            path: path_text,
            size: bytes.len() as u64,
            mtime_ns,
            content_hash: sha256_hex(bytes),
        },
        decoded,
        metrics,
    }
}

/// Tally of an import, per file.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// Files that added at least one running activity.
    pub imported: usize,
    /// Of those, files that were cut short and whose activity was salvaged.
    pub imported_partial: usize,
    /// Files already in the store before this import (same bytes), or
    /// poorer copies of a run stored before it.
    pub already_known: usize,
    /// Files that copy another file of this same import (the same bytes,
    /// or a poorer copy of a run it stored): one of a pair is imported,
    /// the other counted here, not as "already known".
    #[serde(skip_serializing_if = "is_zero")]
    pub duplicates: usize,
    /// Files that added only non-running activities (stored, not counted).
    pub non_running: usize,
    /// Files that are fine but hold no activity (route, monitoring, empty).
    pub skipped: Vec<Problem>,
    /// Files that are broken or unreadable.
    pub failed: Vec<Problem>,
    /// Cut short and still changing (a sync in progress): not stored yet,
    /// to be looked at again once they settle. Daemon only.
    #[serde(skip)]
    pub deferred: Vec<PathBuf>,
    /// Of `already_known`: skipped on size and time alone, never read.
    #[serde(skip)]
    pub unchanged: usize,
    /// Entries of export bundles that are not activities (JSON, CSV,
    /// images): counted, not read.
    #[serde(skip_serializing_if = "is_zero")]
    pub bundle_other_entries: usize,
    /// What became of each file and bundle entry, in the order they were
    /// done: the one line each gets in the log ([`crate::outcome::log`]).
    #[serde(skip)]
    pub outcomes: Vec<FileOutcome>,
    /// Files this import recorded, and the activities it added: what a
    /// duplicate is told apart from a file already known by.
    #[serde(skip)]
    recorded: HashSet<String>,
    #[serde(skip)]
    added: HashSet<i64>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub path: String,
    pub outcome: String,
    pub reason: String,
}

impl Summary {
    pub fn files(&self) -> usize {
        self.imported
            + self.already_known
            + self.duplicates
            + self.non_running
            + self.skipped.len()
            + self.failed.len()
    }

    pub(crate) fn outcome(&mut self, path: impl Into<String>, what: Outcome) {
        self.outcomes.push(FileOutcome {
            path: path.into(),
            what,
        });
    }

    /// A file that is fine but holds no activity.
    pub(crate) fn skip(&mut self, problem: Problem) {
        self.outcome(&problem.path, Outcome::Skipped(problem.reason.clone()));
        self.skipped.push(problem);
    }

    /// A file that is broken or unreadable.
    pub(crate) fn fail(&mut self, problem: Problem) {
        self.outcome(&problem.path, Outcome::Failed(problem.reason.clone()));
        self.failed.push(problem);
    }

    /// Known by size and time alone: never read.
    pub(crate) fn unchanged(&mut self, path: impl Into<String>, files: usize) {
        self.already_known += files;
        self.unchanged += files;
        self.outcome(path, Outcome::Unchanged);
    }

    /// Cut short and still changing: not stored yet.
    pub(crate) fn defer(&mut self, path: &Path, why: String) {
        self.deferred.push(path.to_path_buf());
        self.outcome(path.to_string_lossy(), Outcome::Deferred(why));
    }

    pub(crate) fn add(&mut self, read: &ReadFile, report: &FileReport) {
        let path = read.version.path.clone();
        let problem = |e: &DecodeError| Problem {
            path: path.clone(),
            outcome: e.outcome().to_string(),
            reason: e.to_string(),
        };
        if report.already_known {
            let twin = report.twin.as_deref();
            let what = match twin.filter(|t| self.recorded.contains(*t)) {
                Some(twin) => {
                    self.duplicates += 1;
                    Outcome::Duplicate {
                        of: format!("{twin} (the same bytes)"),
                        truncated: None,
                    }
                }
                None => {
                    self.already_known += 1;
                    let why = match twin {
                        Some(twin) => format!("the same bytes are stored as {twin}"),
                        None => "the same bytes are stored".to_string(),
                    };
                    Outcome::AlreadyKnown {
                        why,
                        truncated: None,
                    }
                }
            };
            return self.outcome(path, what);
        }
        self.recorded.insert(path.clone());
        self.added.extend(report.added.iter().map(|(id, _)| *id));
        let decoded = match &read.decoded {
            Err(e) if e.is_failure() => return self.fail(problem(e)),
            Err(e) => return self.skip(problem(e)),
            Ok(decoded) => decoded,
        };
        if report.added.iter().any(|(_, sport)| sport.is_running()) {
            self.imported += 1;
            if report.partial {
                self.imported_partial += 1;
            }
        } else if !report.added.is_empty() {
            self.non_running += 1;
        } else if report.upgraded.iter().any(|id| self.added.contains(id)) {
            // A richer copy of a run this import stored: the pair's second.
            self.duplicates += 1;
        } else if !report.upgraded.is_empty() {
            self.already_known += 1;
        }
        let stored: Vec<i64> = report
            .added
            .iter()
            .map(|(id, _)| *id)
            .chain(report.upgraded.iter().copied())
            .collect();
        let what = if stored.is_empty() {
            let truncated = decoded.partial.clone();
            match report.duplicate_of.first() {
                Some(id) if self.added.contains(id) => {
                    self.duplicates += 1;
                    Outcome::Duplicate {
                        of: format!("activity {id} (the same run)"),
                        truncated,
                    }
                }
                first => {
                    self.already_known += 1;
                    let why = match first {
                        Some(id) => {
                            format!("the same run is stored as activity {id} from another file")
                        }
                        None => "nothing new in it".to_string(),
                    };
                    Outcome::AlreadyKnown { why, truncated }
                }
            }
        } else {
            let salvaged = decoded
                .partial
                .as_ref()
                .map(|reason| format!("salvaged from a cut-short file ({reason})"));
            let notes: Vec<String> = salvaged
                .into_iter()
                .chain(decoded.warning.clone())
                .collect();
            Outcome::Stored {
                activities: stored,
                note: (!notes.is_empty()).then(|| notes.join("; ")),
            }
        };
        self.outcome(path, what);
    }
}

/// Progress callback: (files done, files total).
pub type Progress<'a> = &'a mut dyn FnMut(usize, usize);

/// Ingest these files into the store. Unchanged files (same size and mtime as
/// stored) are not read again. `parallelism` files are decoded at once on the
/// blocking pool of the current tokio runtime.
pub async fn ingest_files(
    store: &mut Store,
    files: Vec<PathBuf>,
    settings: &Settings,
    parallelism: usize,
    now_ms: i64,
    progress: Progress<'_>,
) -> Result<Summary, StoreError> {
    ingest_files_deferring(store, files, settings, parallelism, now_ms, None, progress).await
}

/// Like [`ingest_files`]; with `settle_ms`, a file that decodes cut short or
/// broken and was modified less than `settle_ms` ago is not stored but
/// returned in `Summary::deferred`: it is probably still being written. A
/// complete file is stored at once.
pub async fn ingest_files_deferring(
    store: &mut Store,
    files: Vec<PathBuf>,
    settings: &Settings,
    parallelism: usize,
    now_ms: i64,
    settle_ms: Option<i64>,
    progress: Progress<'_>,
) -> Result<Summary, StoreError> {
    let total = files.len();
    let settings = &Settings {
        own_pace: store.own_pace()?,
        ..settings.clone()
    };
    let mut summary = Summary::default();
    let mut done = 0usize;
    let mut pending = files.into_iter();
    let mut in_flight: JoinSet<ReadFile> = JoinSet::new();
    // Which file each decode is, should one fail without a result.
    let mut in_flight_paths: HashMap<tokio::task::Id, PathBuf> = HashMap::new();
    let limit = parallelism.max(1) * 2;

    loop {
        while in_flight.len() < limit {
            let Some(path) = pending.next() else { break };
            if crate::bundle::is_bundle_name(&path.to_string_lossy()) {
                // A container: its entries are counted as files.
                bundle::ingest_bundle(
                    store,
                    &path,
                    settings,
                    parallelism,
                    now_ms,
                    settle_ms,
                    &mut summary,
                )
                .await?;
                done += 1;
                progress(done, total);
                continue;
            }
            if is_unchanged(store, &path)? {
                summary.unchanged(path.to_string_lossy(), 1);
                done += 1;
                progress(done, total);
                continue;
            }
            let settings = settings.clone();
            let task_path = path.clone();
            let task = in_flight.spawn_blocking(move || read_and_decode(&task_path, &settings));
            in_flight_paths.insert(task.id(), path);
        }
        let Some(joined) = in_flight.join_next_with_id().await else {
            break;
        };
        let read = match joined {
            Ok((id, read)) => {
                in_flight_paths.remove(&id);
                read
            }
            Err(e) => {
                // read_and_decode catches decoder panics itself; this is a bug
                // elsewhere. Count it, keep going.
                let path = in_flight_paths.remove(&e.id()).unwrap_or_default();
                summary.fail(Problem {
                    path: path.to_string_lossy().into_owned(),
                    outcome: "internal_error".to_string(),
                    reason: e.to_string(),
                });
                continue;
            }
        };
        if let Some(settle) = settle_ms {
            let unfinished = match &read.decoded {
                Ok(d) => !d.is_complete(),
                Err(e) => e.is_failure() || matches!(e, DecodeError::Empty),
            };
            let young = read.version.mtime_ns / 1_000_000 > now_ms - settle;
            if unfinished && young {
                let why = match &read.decoded {
                    Ok(d) => d.partial.clone().unwrap_or_default(),
                    Err(e) => e.to_string(),
                };
                summary.defer(Path::new(&read.version.path), why);
                done += 1;
                progress(done, total);
                continue;
            }
        }
        let report = store.record_file(&read.version, &read.decoded, &read.metrics, now_ms)?;
        for &id in &report.upgraded {
            // The runner's sport tag outlived the re-import: measure the
            // new recording for that sport.
            if store.sport_tag(id)?.is_some() && store.metrics(id)?.is_none() {
                remeasure(store, id, settings)?;
            }
        }
        summary.add(&read, &report);
        done += 1;
        progress(done, total);
    }
    settle_assumed(store, settings)?;
    Ok(summary)
}

/// Look again, with the runner's paces as they now stand, at runs whose
/// sport was only assumed and that the rules have not seen yet: in a first
/// import a ride that says nothing may arrive before the runs that show
/// how fast this runner goes. Returns the activities now unconfirmed.
pub fn settle_assumed(store: &mut Store, settings: &Settings) -> Result<Vec<i64>, StoreError> {
    let own = store.own_pace()?;
    let Some(fast) = own.fast_m_per_s else {
        return Ok(Vec::new());
    };
    // A loose pre-filter on the stored metrics; the samples decide.
    let suspects =
        store.unevaluated_assumed_faster_than(fast * crate::sport::OWN_FAST_FACTOR * 0.8)?;
    let mut changed = Vec::new();
    for id in suspects {
        let Some(mut a) = store.load_activity(id)? else {
            continue;
        };
        a.sport_status = crate::activity::SportStatus::Unstated;
        let v = crate::sport::settle(&a, "", &crate::activity::Hint::default(), &own);
        if v.sport.is_running() {
            continue;
        }
        store.set_settled_sport(id, &v)?;
        remeasure(store, id, settings)?;
        changed.push(id);
    }
    Ok(changed)
}

/// Compute the metrics of one stored activity (with the runner's surface
/// tag) and store them. Returns them, or None when the activity is gone.
pub fn remeasure(
    store: &mut Store,
    id: i64,
    settings: &Settings,
) -> Result<Option<RunMetrics>, StoreError> {
    let Some(activity) = store.load_activity(id)? else {
        return Ok(None);
    };
    let mut input = settings.metrics_input();
    input.surface_tag = store.surface_tag(id)?;
    let m = metrics::compute(&activity, &input);
    store.put_metrics(id, &m)?;
    Ok(Some(m))
}

/// One activity's metrics as a reader shows them: the stored ones when
/// they are of this version (else measured again and stored), with the
/// local start read in the runner's zone as it is now.
pub fn current_metrics(
    store: &mut Store,
    id: i64,
    settings: &Settings,
) -> Result<Option<RunMetrics>, StoreError> {
    let stored = store
        .metrics(id)?
        .filter(|m| m.version == metrics::METRICS_VERSION);
    let mut m = match stored {
        Some(m) => m,
        None => match remeasure(store, id, settings)? {
            Some(m) => m,
            None => return Ok(None),
        },
    };
    if let Some(row) = store.activity(id)? {
        m.localise(row.start_ms, &settings.zone);
    }
    Ok(Some(m))
}

/// The runner's own word on an activity's surface (`None` clears it), and
/// its metrics measured again with it. `None` when there is no such activity.
pub fn retag(
    store: &mut Store,
    id: i64,
    surface: Option<crate::metrics::surface::Surface>,
    settings: &Settings,
    now_ms: i64,
) -> Result<Option<RunMetrics>, StoreError> {
    if store.activity(id)?.is_none() {
        return Ok(None);
    }
    store.set_surface_tag(id, surface, now_ms)?;
    remeasure(store, id, settings)
}

/// Measure every activity whose metrics are missing or from an older
/// version of the computation. Returns how many were measured.
pub fn refresh_metrics(store: &mut Store, settings: &Settings) -> Result<usize, StoreError> {
    let ids = store.activities_needing_metrics(metrics::METRICS_VERSION)?;
    for &id in &ids {
        remeasure(store, id, settings)?;
    }
    Ok(ids.len())
}

/// Same size and modification time as stored: nothing to read (the
/// stat-only check of reconciliation).
pub fn is_unchanged(store: &Store, path: &Path) -> Result<bool, StoreError> {
    let Some(known) = store.known_file(&path.to_string_lossy())? else {
        return Ok(false);
    };
    Ok(matches!(stat(path), Ok((size, mtime)) if size == known.size && mtime == known.mtime_ns))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_tool_temp_files_are_not_candidates() {
        assert!(is_candidate_name("2024-05-01-run.fit"));
        assert!(is_candidate_name("RUN.FIT"));
        assert!(is_candidate_name("export.gpx.gz"));
        assert!(is_candidate_name("Polar_2024-05-01.TCX"));
        assert!(is_candidate_name("activity_1.tcx.gz"));
        assert!(!is_candidate_name("run.tcx.part"));
        assert!(!is_candidate_name(".syncthing.run.fit.tmp"));
        assert!(!is_candidate_name("~syncthing~run.fit.tmp"));
        assert!(!is_candidate_name("run.fit.part"));
        assert!(!is_candidate_name(".hidden.fit"));
        assert!(!is_candidate_name("notes.txt"));
        assert!(is_candidate_name("export_12345.zip"));
        assert!(!is_candidate_name("export_12345.zip.part"));
    }

    #[test]
    fn sha256_of_nothing_is_the_known_constant() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
