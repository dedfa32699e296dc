//! watch: sync folders → paths that may hold a new or changed activity.
//!
//! One `notify` watcher for every runner's folders, with a debouncer of
//! our own on one thread (renames followed: Syncthing's
//! `.syncthing.x.fit.tmp` → `x.fit` arrives as the final name). inotify
//! misses files created right after their new folder, so a new folder is
//! reported for a scan; a lost-events signal asks for a full rescan. Reads
//! (the daemon's own) are never events. Poll mode serves NFS/SMB, which send
//! no events at all.

use crate::ingest::is_candidate_name;
use crate::store::folders::FolderRecord;
use crate::store::{Store, StoreError};
use notify::event::{EventKind, ModifyKind, RenameMode};
use notify::{RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
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
        // A rename: the destination is the file (for Both, the last
        // path); the name a file left is gone.
        EventKind::Modify(ModifyKind::Name(RenameMode::From)) => false,
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

/// The one watcher of a process: one inotify instance (or one poller for
/// `mode = "poll"`) for every runner's folders, and one thread that
/// debounces its events and routes each change to the runner whose folder
/// holds it. A runner that is not running costs a route here, not a
/// thread or a file descriptor. Cloning shares it.
#[derive(Clone)]
pub struct Hub {
    backend: Arc<Mutex<Box<dyn notify::Watcher + Send>>>,
    routes: Arc<Mutex<Routes>>,
}

/// Where changes go: one route per (runner, watched folder).
#[derive(Default)]
struct Routes {
    list: Vec<Route>,
    /// Every route's root, kept beside the list (each event is judged
    /// against them).
    roots: Vec<PathBuf>,
    next_id: u64,
}

struct Route {
    /// The runner's watcher handle.
    id: u64,
    root: PathBuf,
    tx: mpsc::Sender<Change>,
    /// The runner's queue was full: a change was dropped, so it is owed a
    /// rescan.
    owed_rescan: bool,
}

impl Routes {
    fn add(&mut self, route: Route) {
        self.roots.push(route.root.clone());
        self.list.push(route);
    }

    /// Take runner `id`'s routes out; the roots no other runner watches.
    fn remove(&mut self, id: u64) -> Vec<PathBuf> {
        let mine: Vec<PathBuf> = self
            .list
            .iter()
            .filter(|r| r.id == id)
            .map(|r| r.root.clone())
            .collect();
        self.list.retain(|r| r.id != id);
        self.roots = self.list.iter().map(|r| r.root.clone()).collect();
        mine.into_iter()
            .filter(|root| !self.roots.contains(root))
            .collect()
    }

    /// Hand `change` to every runner it concerns, without waiting: a
    /// runner whose queue is full is owed a rescan instead (it finds
    /// everything), so one busy runner never holds up the others.
    fn send(&mut self, change: &Change) {
        for r in self.list.iter_mut().filter(|r| concerns(change, &r.root)) {
            if let Err(mpsc::error::TrySendError::Full(_)) = r.tx.try_send(change.clone()) {
                r.owed_rescan = true;
            }
        }
    }

    /// Pay the rescans owed; whether any is still owed.
    fn pay_rescans(&mut self) -> bool {
        for r in self.list.iter_mut().filter(|r| r.owed_rescan) {
            match r.tx.try_send(Change::Rescan) {
                Err(mpsc::error::TrySendError::Full(_)) => {}
                _ => r.owed_rescan = false,
            }
        }
        self.list.iter().any(|r| r.owed_rescan)
    }
}

/// Whether a change belongs to the runner watching `root` (pure).
fn concerns(change: &Change, root: &Path) -> bool {
    match change {
        Change::File(p) | Change::Folder(p) => p.starts_with(root),
        Change::Rescan => true,
        Change::RootGone(p) => p == root,
    }
}

/// Changes waiting for their path to go quiet: a file being written sends
/// an event per write, and is read once, `delay` after the last (pure,
/// driven by the caller's clock). A burst of thousands of files costs a
/// logarithm per event, not a walk of all that wait.
struct Quiet {
    delay: Duration,
    /// By path: the change, and its key in `order`.
    waiting: std::collections::HashMap<PathBuf, (Change, (Instant, u64))>,
    /// By when each is due (and arrival, for ties).
    order: std::collections::BTreeMap<(Instant, u64), PathBuf>,
    arrivals: u64,
}

impl Quiet {
    fn new(delay: Duration) -> Quiet {
        Quiet {
            delay,
            waiting: Default::default(),
            order: Default::default(),
            arrivals: 0,
        }
    }

    /// A change seen at `now`: files and folders wait for quiet, the
    /// others (rescan, a folder gone) are due at once.
    fn add(&mut self, change: Change, now: Instant) -> Option<Change> {
        let path = match &change {
            Change::File(p) | Change::Folder(p) => p.clone(),
            Change::Rescan | Change::RootGone(_) => return Some(change),
        };
        self.arrivals += 1;
        let key = (now + self.delay, self.arrivals);
        if let Some((_, old)) = self.waiting.insert(path.clone(), (change, key)) {
            self.order.remove(&old);
        }
        self.order.insert(key, path);
        None
    }

    /// The changes quiet since their delay, in the order they are due.
    fn due(&mut self, now: Instant) -> Vec<Change> {
        let mut due = Vec::new();
        while let Some(entry) = self.order.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let path = entry.remove();
            if let Some((change, _)) = self.waiting.remove(&path) {
                due.push(change);
            }
        }
        due
    }

    fn next_due(&self) -> Option<Instant> {
        self.order.keys().next().map(|(at, _)| *at)
    }
}

/// A runner owed a rescan is tried again this often.
const OWED_RESCAN_RETRY: Duration = Duration::from_millis(100);

/// The hub's thread: raw events in, debounced changes routed out. It
/// sleeps on its channel while nothing waits (no tick at idle), and ends
/// when the watcher is dropped.
fn debounce_loop(
    events: std::sync::mpsc::Receiver<notify::Result<notify::Event>>,
    routes: Arc<Mutex<Routes>>,
    delay: Duration,
) {
    use std::sync::mpsc::RecvTimeoutError;
    let mut quiet = Quiet::new(delay);
    let mut owed = false;
    loop {
        let mut until = quiet.next_due();
        if owed {
            let retry = Instant::now() + OWED_RESCAN_RETRY;
            until = Some(until.map_or(retry, |u| u.min(retry)));
        }
        let received = match until {
            None => events.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some(at) => events.recv_timeout(at.saturating_duration_since(Instant::now())),
        };
        let now = Instant::now();
        let mut at_once = Vec::new();
        match received {
            Ok(Ok(event)) => {
                let changes = {
                    let routes = lock(&routes);
                    changes_of(
                        &event.kind,
                        &event.paths,
                        event.need_rescan(),
                        &routes.roots,
                    )
                };
                for change in changes {
                    at_once.extend(quiet.add(change, now));
                }
            }
            Ok(Err(e)) => {
                let about: Vec<String> = e.paths.iter().map(|p| p.display().to_string()).collect();
                let about = if about.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", about.join(", "))
                };
                tracing::warn!("watch error{about}: {}; a rescan will catch up", reason(&e));
                at_once.push(Change::Rescan);
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        at_once.extend(quiet.due(now));
        let mut routes = lock(&routes);
        for change in &at_once {
            routes.send(change);
        }
        owed = routes.pay_rescans();
    }
}

/// A poisoned lock still holds good routes (a panic elsewhere never left
/// them half-written).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Hub {
    /// The watcher and its thread; folders are added per runner with
    /// [`Hub::watcher`] and [`FolderWatcher::watch`].
    pub fn start(mode: Mode, debounce: Duration) -> Result<Hub, WatchError> {
        let (tx, rx) = std::sync::mpsc::channel();
        let backend: Box<dyn notify::Watcher + Send> = match mode {
            Mode::Native => Box::new(
                notify::RecommendedWatcher::new(tx, notify::Config::default())
                    .map_err(|e| classify(e, Path::new("the sync folders")))?,
            ),
            Mode::Poll(every) => Box::new(
                notify::PollWatcher::new(
                    tx,
                    notify::Config::default()
                        .with_poll_interval(every)
                        .with_compare_contents(false),
                )
                .map_err(|e| classify(e, Path::new("the sync folders")))?,
            ),
        };
        let routes = Arc::new(Mutex::new(Routes::default()));
        let to_route = routes.clone();
        std::thread::Builder::new()
            .name("watch".into())
            .spawn(move || debounce_loop(rx, to_route, debounce))
            .map_err(|e| WatchError::Watch {
                path: PathBuf::from("the sync folders"),
                reason: io_reason(&e),
            })?;
        Ok(Hub {
            backend: Arc::new(Mutex::new(backend)),
            routes,
        })
    }

    /// A runner's handle: the changes in the folders it watches go to `tx`
    /// (bounded; when it is full the runner is owed a rescan).
    pub fn watcher(&self, tx: mpsc::Sender<Change>) -> FolderWatcher {
        let id = {
            let mut routes = lock(&self.routes);
            routes.next_id += 1;
            routes.next_id
        };
        FolderWatcher {
            hub: self.clone(),
            id,
            tx,
        }
    }
}

/// One runner's share of the [`Hub`]; dropping it stops watching its
/// folders (those no other runner watches).
pub struct FolderWatcher {
    hub: Hub,
    id: u64,
    tx: mpsc::Sender<Change>,
}

impl FolderWatcher {
    /// Watch a root, recursively (again: it was deleted and created anew,
    /// or appeared after start).
    pub fn watch(&mut self, root: &Path) -> Result<(), WatchError> {
        {
            let mut routes = lock(&self.hub.routes);
            if !routes
                .list
                .iter()
                .any(|r| r.id == self.id && r.root == root)
            {
                routes.add(Route {
                    id: self.id,
                    root: root.to_path_buf(),
                    tx: self.tx.clone(),
                    owed_rescan: false,
                });
            }
        }
        let mut backend = lock(&self.hub.backend);
        let _ = backend.unwatch(root);
        backend
            .watch(root, RecursiveMode::Recursive)
            .map_err(|e| classify(e, root))
    }
}

impl Drop for FolderWatcher {
    fn drop(&mut self) {
        let (unwatched, remaining) = {
            let mut routes = lock(&self.hub.routes);
            let unwatched = routes.remove(self.id);
            (unwatched, routes.roots.clone())
        };
        let mut backend = lock(&self.hub.backend);
        for root in &unwatched {
            let _ = backend.unwatch(root);
        }
        // Unwatching a folder unwatches everything below it: another
        // runner's folder inside it is watched again.
        for inner in remaining
            .iter()
            .filter(|r| unwatched.iter().any(|u| r.starts_with(u)))
        {
            if let Err(e) = backend.watch(inner, RecursiveMode::Recursive) {
                tracing::warn!("{}; a rescan will catch up", classify(e, inner));
            }
        }
    }
}

/// A watcher of its own for one caller (a hub with one runner).
pub fn start(
    mode: Mode,
    debounce: Duration,
    tx: mpsc::Sender<Change>,
) -> Result<FolderWatcher, WatchError> {
    Ok(Hub::start(mode, debounce)?.watcher(tx))
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

    #[test]
    fn a_file_written_in_many_writes_is_one_change_once_quiet() {
        let mut quiet = Quiet::new(Duration::from_millis(500));
        let t0 = Instant::now();
        let file = PathBuf::from("/sync/a/run.fit");
        for ms in [0, 100, 300] {
            assert_eq!(
                quiet.add(Change::File(file.clone()), t0 + Duration::from_millis(ms)),
                None
            );
        }
        assert!(quiet.due(t0 + Duration::from_millis(700)).is_empty());
        assert_eq!(quiet.next_due(), Some(t0 + Duration::from_millis(800)));
        assert_eq!(
            quiet.due(t0 + Duration::from_millis(800)),
            vec![Change::File(file)]
        );
        assert_eq!(quiet.next_due(), None);
        assert_eq!(quiet.add(Change::Rescan, t0), Some(Change::Rescan));
    }

    /// One watcher serves every runner: each change goes to the runner
    /// whose folder holds it, a rescan to all, and a full queue owes its
    /// runner a rescan instead of holding up the others.
    #[test]
    fn changes_go_to_the_runner_whose_folder_holds_them() {
        let (anna_tx, mut anna) = mpsc::channel(1);
        let (ben_tx, mut ben) = mpsc::channel(8);
        let route = |root: &str, tx: &mpsc::Sender<Change>, id| Route {
            id,
            root: PathBuf::from(root),
            tx: tx.clone(),
            owed_rescan: false,
        };
        let mut routes = Routes::default();
        routes.add(route("/sync/anna", &anna_tx, 1));
        routes.add(route("/sync/ben", &ben_tx, 2));
        let ben_run = Change::File(PathBuf::from("/sync/ben/2026/run.fit"));
        routes.send(&ben_run);
        assert_eq!(ben.try_recv().ok(), Some(ben_run));
        assert!(anna.try_recv().is_err());
        // "/sync/anna-old" is not inside "/sync/anna".
        routes.send(&Change::File(PathBuf::from("/sync/anna-old/run.fit")));
        assert!(anna.try_recv().is_err());
        routes.send(&Change::RootGone(PathBuf::from("/sync/anna")));
        assert!(ben.try_recv().is_err());
        // Anna's queue (one place) is full now: her next change is owed as
        // a rescan; Ben's still arrives.
        routes.send(&Change::Rescan);
        assert_eq!(ben.try_recv().ok(), Some(Change::Rescan));
        assert!(routes.list[0].owed_rescan);
        assert!(routes.pay_rescans(), "still full");
        assert_eq!(
            anna.try_recv().ok(),
            Some(Change::RootGone(PathBuf::from("/sync/anna")))
        );
        assert!(!routes.pay_rescans(), "paid");
        assert_eq!(anna.try_recv().ok(), Some(Change::Rescan));
        // Anna leaves: her folder is no longer watched; Ben's still is.
        assert_eq!(routes.remove(1), vec![PathBuf::from("/sync/anna")]);
        assert_eq!(routes.roots, vec![PathBuf::from("/sync/ben")]);
    }

    #[test]
    fn a_burst_comes_out_in_the_order_each_file_went_quiet() {
        let mut quiet = Quiet::new(Duration::from_millis(100));
        let t0 = Instant::now();
        let at = |ms| t0 + Duration::from_millis(ms);
        let file = |n: usize| Change::File(PathBuf::from(format!("/sync/{n:04}.fit")));
        for n in 0..1000 {
            quiet.add(file(n), at(n as u64 / 100));
        }
        // File 5 is written again later: it waits for its own quiet.
        quiet.add(file(5), at(50));
        let first = quiet.due(at(105));
        // Files 0–599 arrived by 5 ms: quiet by 105 ms, but file 5.
        assert_eq!(first.len(), 600 - 1);
        assert_eq!(first[0], file(0));
        assert!(!first.contains(&file(5)));
        assert_eq!(quiet.due(at(150)).len(), 400 + 1);
        assert_eq!(quiet.next_due(), None);
    }

    #[test]
    fn the_name_a_file_was_renamed_from_is_no_work() {
        let roots = [PathBuf::from("/sync")];
        let from = EventKind::Modify(ModifyKind::Name(RenameMode::From));
        assert!(changes_of(&from, &[PathBuf::from("/sync/run.fit")], false, &roots).is_empty());
        let to = EventKind::Modify(ModifyKind::Name(RenameMode::To));
        assert_eq!(
            changes_of(&to, &[PathBuf::from("/sync/run.fit")], false, &roots),
            vec![Change::File(PathBuf::from("/sync/run.fit"))]
        );
    }
}
