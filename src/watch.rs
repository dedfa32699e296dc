//! watch: sync folders → paths that may hold a new or changed activity.
//!
//! `notify` with `notify-debouncer-full` (renames followed: Syncthing's
//! `.syncthing.x.fit.tmp` → `x.fit` arrives as the final name). inotify
//! misses files created right after their new folder, so a new folder is
//! reported for a scan; a lost-events signal asks for a full rescan. Reads
//! (the daemon's own) are never events. Poll mode serves NFS/SMB, which send
//! no events at all.

use crate::ingest::is_candidate_name;
use crate::store::folders::FolderRecord;
use crate::store::{Store, StoreError};
use notify::RecursiveMode;
use notify::event::{EventKind, ModifyKind};
use notify_debouncer_full::{DebounceEventResult, Debouncer, FileIdMap, new_debouncer_opt};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::mpsc;

/// What the watcher asks the daemon to look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A candidate file was created, written or renamed into place.
    File(PathBuf),
    /// A folder appeared (or moved in): scan it, its files may predate the watch.
    Folder(PathBuf),
    /// Events were lost (queue overflow): reconcile everything.
    Rescan,
    /// A watched sync folder itself was removed: its watch died with it.
    RootGone(PathBuf),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Native,
    Poll(Duration),
}

#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error(
        "cannot watch {path}: the system's inotify watch limit is reached; raise it (sudo sysctl fs.inotify.max_user_watches=524288, and in /etc/sysctl.d/ to keep it) or set watch.mode = \"poll\""
    )]
    TooManyWatches { path: PathBuf },
    #[error("cannot watch {path}: {reason}")]
    Watch { path: PathBuf, reason: String },
}

impl WatchError {
    /// Whether waiting can help: a folder the watcher cannot enter may be
    /// mounted or opened up later; the system's watch limit will not lift
    /// by itself.
    pub fn is_about_the_folder(&self) -> bool {
        matches!(self, WatchError::Watch { .. })
    }
}

fn classify(e: notify::Error, path: &Path) -> WatchError {
    let limit = matches!(&e.kind, notify::ErrorKind::MaxFilesWatch)
        || matches!(&e.kind, notify::ErrorKind::Io(io) if io.raw_os_error() == Some(28));
    if limit {
        WatchError::TooManyWatches {
            path: path.to_path_buf(),
        }
    } else {
        WatchError::Watch {
            path: path.to_path_buf(),
            reason: reason(&e),
        }
    }
}

/// A watcher error in words, without the paths notify appends as a debug
/// list (`… about ["/tmp/x"]`): the caller names the folder itself.
fn reason(e: &notify::Error) -> String {
    match &e.kind {
        notify::ErrorKind::Io(io) => io_reason(io),
        notify::ErrorKind::PathNotFound => "it is missing".to_string(),
        notify::ErrorKind::WatchNotFound => "it was not being watched".to_string(),
        notify::ErrorKind::Generic(text) => text.clone(),
        notify::ErrorKind::MaxFilesWatch => "the system's watch limit is reached".to_string(),
        notify::ErrorKind::InvalidConfig(_) => "the watcher's settings were refused".to_string(),
    }
}

pub use crate::ingest::io_reason;

/// Why a sync folder cannot be watched now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FolderProblem {
    /// Not there: not mounted yet, not synced yet, or a typo.
    Missing,
    /// There, but a file.
    NotAFolder,
    /// There, but it cannot be read (permissions, a dead mount).
    Unreadable(String),
}

impl FolderProblem {
    /// The stable word `status --json` gives: missing, not_a_folder,
    /// unreadable.
    pub fn kind(&self) -> &'static str {
        match self {
            FolderProblem::Missing => "missing",
            FolderProblem::NotAFolder => "not_a_folder",
            FolderProblem::Unreadable(_) => "unreadable",
        }
    }

    /// The reason behind the kind ("permission denied"), if any.
    pub fn reason(&self) -> Option<&str> {
        match self {
            FolderProblem::Unreadable(why) => Some(why),
            _ => None,
        }
    }

    /// Back from [`kind`](Self::kind) and [`reason`](Self::reason).
    pub fn from_parts(kind: &str, reason: Option<String>) -> FolderProblem {
        match kind {
            "missing" => FolderProblem::Missing,
            "not_a_folder" => FolderProblem::NotAFolder,
            _ => FolderProblem::Unreadable(reason.unwrap_or_default()),
        }
    }

    /// The one line the log and `status` give: "sync folder /mnt/nas/runs
    /// is missing (not mounted yet?); waiting for it".
    pub fn line(&self, folder: &str) -> String {
        let what = match self {
            FolderProblem::Missing => "is missing (not mounted yet, or a typo?)".to_string(),
            FolderProblem::NotAFolder => "is a file, not a folder".to_string(),
            FolderProblem::Unreadable(why) => format!("is unreadable ({why})"),
        };
        format!("sync folder {folder} {what}; waiting for it")
    }
}

/// A sync folder the daemon is waiting for, as `status` (text and JSON)
/// and the dashboard's API tell it: the daemon's record, and the same one
/// line its log says.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WaitingFolder {
    #[serde(flatten)]
    pub record: FolderRecord,
    pub line: String,
}

/// The folders the daemon is waiting for, from its record in the store.
pub fn waiting_folders(store: &Store) -> Result<Vec<WaitingFolder>, StoreError> {
    Ok(store
        .folder_problems()?
        .into_iter()
        .map(|record| WaitingFolder {
            line: FolderProblem::from_parts(&record.kind, record.reason.clone()).line(&record.path),
            record,
        })
        .collect())
}

/// What stands between `folder` and watching it, if anything: it must be
/// a folder this process can list. A missing folder and an unreadable one
/// are both waited for (a sync folder may be mounted later).
pub fn check_folder(folder: &Path) -> Option<FolderProblem> {
    match std::fs::metadata(folder) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(FolderProblem::Missing),
        Err(e) => Some(FolderProblem::Unreadable(io_reason(&e))),
        Ok(m) if !m.is_dir() => Some(FolderProblem::NotAFolder),
        Ok(_) => match std::fs::read_dir(folder) {
            Ok(_) => None,
            Err(e) => Some(FolderProblem::Unreadable(io_reason(&e))),
        },
    }
}

/// Which changes an event means (pure, for tests). `roots` are the watched
/// folders: only folders below them can make a path hidden.
pub fn changes_of(
    kind: &EventKind,
    paths: &[PathBuf],
    need_rescan: bool,
    roots: &[PathBuf],
) -> Vec<Change> {
    if need_rescan {
        return vec![Change::Rescan];
    }
    if let EventKind::Remove(_) = kind {
        return paths
            .iter()
            .filter(|p| roots.contains(p))
            .map(|p| Change::RootGone(p.clone()))
            .collect();
    }
    let wanted = match kind {
        EventKind::Create(_)
        | EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Any | ModifyKind::Other) => true,
        // A rename: the destination is the file (for Both, the last path).
        EventKind::Modify(ModifyKind::Name(_)) => true,
        EventKind::Any | EventKind::Other => true,
        // Reads, metadata-only changes and removals never make work.
        EventKind::Access(_)
        | EventKind::Modify(ModifyKind::Metadata(_))
        | EventKind::Remove(_) => false,
    };
    if !wanted {
        return Vec::new();
    }
    let candidates: &[PathBuf] = match kind {
        EventKind::Modify(ModifyKind::Name(_)) if paths.len() > 1 => &paths[paths.len() - 1..],
        _ => paths,
    };
    candidates
        .iter()
        .filter_map(|p| {
            let name = p.file_name()?.to_string_lossy();
            if p.is_dir() {
                (!name.starts_with('.')).then(|| Change::Folder(p.clone()))
            } else if is_candidate_name(&name) && !in_hidden_folder(p, roots) {
                Some(Change::File(p.clone()))
            } else {
                None
            }
        })
        .collect()
}

/// Syncthing's `.stversions` and other hidden folders inside a sync folder
/// are never read. Folders above it do not count: a sync folder may well
/// live under `~/.local/share/…`.
fn in_hidden_folder(path: &Path, roots: &[PathBuf]) -> bool {
    let Some(parent) = path.parent() else {
        return false;
    };
    let below = roots
        .iter()
        .filter_map(|root| parent.strip_prefix(root).ok())
        .min_by_key(|rest| rest.components().count())
        .unwrap_or(parent);
    below
        .components()
        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
}

/// A running watcher; dropping it stops watching.
pub struct FolderWatcher {
    _native: Option<Debouncer<notify::RecommendedWatcher, FileIdMap>>,
    _poll: Option<Debouncer<notify::PollWatcher, FileIdMap>>,
}

impl FolderWatcher {
    /// Watch a root (again: it was deleted and created anew, or appeared
    /// after start).
    pub fn watch(&mut self, root: &Path) -> Result<(), WatchError> {
        let result = match (&mut self._native, &mut self._poll) {
            (Some(d), _) => {
                let _ = d.unwatch(root);
                d.watch(root, RecursiveMode::Recursive)
            }
            (_, Some(d)) => {
                let _ = d.unwatch(root);
                d.watch(root, RecursiveMode::Recursive)
            }
            _ => Ok(()),
        };
        result.map_err(|e| classify(e, root))
    }
}

/// A watcher for `roots` (each then added with [`FolderWatcher::watch`],
/// recursively); changes go to `tx` (bounded: when the daemon falls
/// behind, the watcher thread waits instead of piling up memory).
pub fn start(
    roots: &[PathBuf],
    mode: Mode,
    debounce: Duration,
    tx: mpsc::Sender<Change>,
) -> Result<FolderWatcher, WatchError> {
    let watched = roots.to_vec();
    let handler = move |result: DebounceEventResult| match result {
        Ok(events) => {
            for e in events {
                for change in changes_of(
                    &e.event.kind,
                    &e.event.paths,
                    e.event.need_rescan(),
                    &watched,
                ) {
                    if tx.blocking_send(change).is_err() {
                        return;
                    }
                }
            }
        }
        Err(errors) => {
            for e in errors {
                let about: Vec<String> = e.paths.iter().map(|p| p.display().to_string()).collect();
                let about = if about.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", about.join(", "))
                };
                tracing::warn!("watch error{about}: {}; a rescan will catch up", reason(&e));
            }
            let _ = tx.blocking_send(Change::Rescan);
        }
    };
    // Tick = the debounce timeout: the debouncer thread wakes a few times a
    // second at most when idle (no busy polling).
    match mode {
        Mode::Native => {
            let d = new_debouncer_opt::<_, notify::RecommendedWatcher, FileIdMap>(
                debounce,
                Some(debounce),
                handler,
                FileIdMap::new(),
                notify::Config::default(),
            )
            .map_err(|e| classify(e, roots.first().map_or(Path::new("."), |p| p.as_path())))?;
            Ok(FolderWatcher {
                _native: Some(d),
                _poll: None,
            })
        }
        Mode::Poll(every) => {
            let config = notify::Config::default()
                .with_poll_interval(every)
                .with_compare_contents(false);
            let d = new_debouncer_opt::<_, notify::PollWatcher, FileIdMap>(
                debounce,
                Some(debounce),
                handler,
                FileIdMap::new(),
                config,
            )
            .map_err(|e| classify(e, roots.first().map_or(Path::new("."), |p| p.as_path())))?;
            Ok(FolderWatcher {
                _native: None,
                _poll: Some(d),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, CreateKind, DataChange, RenameMode};

    #[test]
    fn a_syncthing_rename_is_the_final_file_and_reads_are_nothing() {
        let roots = [PathBuf::from("/sync")];
        let tmp = PathBuf::from("/sync/.syncthing.run.fit.tmp");
        let done = PathBuf::from("/sync/run.fit");
        let rename = EventKind::Modify(ModifyKind::Name(RenameMode::Both));
        assert_eq!(
            changes_of(&rename, &[tmp.clone(), done.clone()], false, &roots),
            vec![Change::File(done.clone())]
        );
        let created_tmp = EventKind::Create(CreateKind::File);
        assert!(changes_of(&created_tmp, &[tmp], false, &roots).is_empty());
        let read = EventKind::Access(AccessKind::Any);
        assert!(changes_of(&read, std::slice::from_ref(&done), false, &roots).is_empty());
        let written = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        assert_eq!(
            changes_of(&written, std::slice::from_ref(&done), false, &roots),
            vec![Change::File(done)]
        );
        assert_eq!(changes_of(&read, &[], true, &roots), vec![Change::Rescan]);
        let versioned = PathBuf::from("/sync/.stversions/run~20240101.fit");
        assert!(changes_of(&created_tmp, &[versioned], false, &roots).is_empty());
    }

    /// Regression: a sync folder below a hidden folder (`~/.sync/watch`, a
    /// temp dir `/tmp/.tmpXYZ`) lost every event.
    #[test]
    fn a_sync_folder_under_a_hidden_folder_still_sees_its_files() {
        let roots = [PathBuf::from("/home/ann/.sync/watch")];
        let file = PathBuf::from("/home/ann/.sync/watch/2026/run.fit");
        let created = EventKind::Create(CreateKind::File);
        assert_eq!(
            changes_of(&created, std::slice::from_ref(&file), false, &roots),
            vec![Change::File(file)]
        );
        let versioned = PathBuf::from("/home/ann/.sync/watch/.stversions/run.fit");
        assert!(changes_of(&created, &[versioned], false, &roots).is_empty());
    }

    #[test]
    fn removing_a_watched_folder_itself_is_reported() {
        let roots = [PathBuf::from("/sync")];
        let gone = EventKind::Remove(notify::event::RemoveKind::Folder);
        assert_eq!(
            changes_of(&gone, &roots, false, &roots),
            vec![Change::RootGone(PathBuf::from("/sync"))]
        );
        assert!(changes_of(&gone, &[PathBuf::from("/sync/sub")], false, &roots).is_empty());
    }
}
