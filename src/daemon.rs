//! daemon: `tendonwatch watch`, the long-running service.
//!
//! One loop owns the store: watcher changes land in a pending set, files are
//! ingested in small batches (decode on the blocking pool, both cores busy
//! in a burst), rules and pain rules run after each batch, and delivery runs
//! on its own thread with its own connection, so a sink that hangs never
//! holds up ingest. A reconciliation scan (stat-only against the store) runs
//! at start and every few minutes: anything missed while stopped, or dropped
//! by inotify, is found. SIGTERM/SIGINT finish the batch in hand.

use crate::alerts::{self, RuleSettings};
use crate::ingest::{self, Settings};
use crate::outcome;
use crate::store::folders::FolderRecord;
use crate::store::{Store, StoreError};
use crate::watch::{self, Change, FolderProblem, Mode};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::{Notify, mpsc};

/// Everything the daemon needs, resolved from config and command line.
#[derive(Clone)]
pub struct DaemonOptions {
    /// The runner of a household (every log line names them).
    pub runner: Option<String>,
    pub folders: Vec<PathBuf>,
    pub db_path: PathBuf,
    pub mode: Mode,
    pub debounce: Duration,
    /// A cut-short file must stay unchanged this long before it is stored
    /// as partial (it may still be arriving).
    pub settle: Duration,
    pub rescan_every: Duration,
    pub parallelism: usize,
    pub ingest: Settings,
    pub rules: RuleSettings,
    pub pain_limit: f64,
    /// Delivers the outbox (None: no sinks configured).
    pub delivery: Option<Arc<dyn Delivery>>,
}

/// The outbox side, run on the delivery thread with its own store
/// connection. Returns the next instant something is due, if any — the
/// digest hour and the end of quiet hours included, so the thread wakes
/// for them.
pub trait Delivery: Send + Sync {
    fn deliver_due(&self, store: &mut Store, now_ms: i64) -> Result<Option<i64>, StoreError>;
}

/// At most this many files per batch: a shutdown waits for one batch only.
const BATCH: usize = 64;
/// Queue between watcher and daemon: bounded; when it is full the
/// watcher owes the runner a rescan instead of waiting.
const QUEUE: usize = 1024;
/// A sync folder that is missing or unreadable is looked at this often
/// (a stat and a directory open: cheap), so it is watched within a second
/// of being mounted or opened up.
const MISSING_FOLDER_CHECK: Duration = Duration::from_secs(1);
/// …and said again in the log this often while it stays so.
const FOLDER_REMINDER: Duration = Duration::from_secs(5 * 60);
/// Pain reminders look at the clock; check them this often.
const PAIN_TICK: Duration = Duration::from_secs(15 * 60);

/// What the service manager (systemd, `Type=notify`) is told for all the
/// daemons of one process — a household's runners are one service: ready
/// when every runner's folders are watched (or the runner failed and
/// waits to be tried again), the watchdog fed only while every running
/// runner's loop still turns, stopping once.
pub struct Service {
    ready: Vec<AtomicBool>,
    told_ready: AtomicBool,
    stopping: AtomicBool,
    /// Each daemon's last loop turn, in ms since `started`; [`OUT`] while
    /// it is not running (failed, to be tried again).
    alive: Vec<AtomicU64>,
    started: Instant,
}

/// A daemon that is not running: the watchdog does not wait for it.
const OUT: u64 = u64::MAX;
/// A daemon waiting its turn at the store gate: queued, not stuck.
const QUEUED: u64 = u64::MAX - 1;

impl Service {
    pub fn new(daemons: usize) -> Arc<Service> {
        Arc::new(Service {
            ready: (0..daemons).map(|_| AtomicBool::new(false)).collect(),
            told_ready: AtomicBool::new(false),
            stopping: AtomicBool::new(false),
            alive: (0..daemons).map(|_| AtomicU64::new(0)).collect(),
            started: Instant::now(),
        })
    }

    fn elapsed_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    /// Daemon `i` has started (watching, or failed): the last one tells
    /// the manager.
    fn settled(&self, i: usize) {
        if let Some(r) = self.ready.get(i) {
            r.store(true, Ordering::SeqCst);
        }
        if self.ready.iter().all(|r| r.load(Ordering::SeqCst))
            && !self.told_ready.swap(true, Ordering::SeqCst)
        {
            let _ = sd_notify::notify(&[sd_notify::NotifyState::Ready]);
        }
    }

    /// Daemon `i` watches its folders.
    fn ready(&self, i: usize) {
        self.alive(i);
        self.settled(i);
    }

    /// Daemon `i` failed and waits to be tried again: the others go on,
    /// and the watchdog no longer waits for it.
    pub fn out(&self, i: usize) {
        if let Some(a) = self.alive.get(i) {
            a.store(OUT, Ordering::SeqCst);
        }
        self.settled(i);
    }

    /// Daemon `i` waits for a place at the store gate (at start, hundreds
    /// of runners queue there): the watchdog does not count the wait.
    fn queued(&self, i: usize) {
        if let Some(a) = self.alive.get(i) {
            a.store(QUEUED, Ordering::SeqCst);
        }
    }

    /// Daemon `i`'s loop turned.
    fn alive(&self, i: usize) {
        if let Some(a) = self.alive.get(i) {
            a.store(self.elapsed_ms(), Ordering::SeqCst);
        }
    }

    /// Whether every running daemon's loop turned within `period`.
    pub fn all_alive_within(&self, period: Duration) -> bool {
        let now = self.elapsed_ms();
        let period = period.as_millis() as u64;
        self.alive.iter().all(|a| match a.load(Ordering::SeqCst) {
            OUT | QUEUED => true,
            at => now.saturating_sub(at) <= period,
        })
    }

    /// Feed the watchdog, but only while no daemon is stuck: a stuck one
    /// lets systemd restart the service.
    fn watchdog(&self, i: usize, period: Duration) {
        self.alive(i);
        if self.all_alive_within(period) {
            let _ = sd_notify::notify(&[sd_notify::NotifyState::Watchdog]);
        }
    }

    /// The first daemon to stop tells the manager (the others follow).
    fn stopping(&self) {
        if !self.stopping.swap(true, Ordering::SeqCst) {
            let _ = sd_notify::notify(&[sd_notify::NotifyState::Stopping]);
        }
    }
}

/// How many runners work with their store at once. A runner holds its
/// store (one SQLite connection: three file descriptors, a page cache)
/// only while it has work; at idle it holds nothing.
const STORES_AT_ONCE: usize = 8;

/// The machinery every runner of one process shares: one watcher (per
/// watch mode), one delivery thread, the store gate, the service, and the
/// clock the idle ticks keep to — so a process of 500 idle runners wakes
/// about as often as one of a single runner.
pub struct Shared {
    pub service: Arc<Service>,
    hubs: std::sync::Mutex<Vec<((Mode, Duration), watch::Hub)>>,
    deliveries: Deliveries,
    gate: Arc<tokio::sync::Semaphore>,
    /// Every runner's periodic ticks fall on the same instants after this
    /// one: one wake-up serves them all.
    epoch: Instant,
}

impl Shared {
    pub fn new(daemons: usize) -> Arc<Shared> {
        Arc::new(Shared {
            service: Service::new(daemons),
            hubs: Default::default(),
            deliveries: Deliveries::new(daemons),
            gate: Arc::new(tokio::sync::Semaphore::new(STORES_AT_ONCE)),
            epoch: Instant::now(),
        })
    }

    /// The watcher for this mode and debounce, started on first use.
    fn hub(&self, mode: Mode, debounce: Duration) -> Result<watch::Hub, watch::WatchError> {
        let mut hubs = self.hubs.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, hub)) = hubs.iter().find(|(k, _)| *k == (mode, debounce)) {
            return Ok(hub.clone());
        }
        let hub = watch::Hub::start(mode, debounce)?;
        hubs.push(((mode, debounce), hub.clone()));
        Ok(hub)
    }

    /// The next instant after `now` on the shared clock of period `every`.
    fn next_tick(&self, every: Duration, now: Instant) -> Instant {
        next_tick(self.epoch, every, now)
    }

    /// After every daemon stopped: deliver what their last batches queued,
    /// then end the delivery thread.
    pub fn finish(&self) {
        self.deliveries.finish();
    }
}

/// The first instant `epoch + k·every` after `now` (pure).
fn next_tick(epoch: Instant, every: Duration, now: Instant) -> Instant {
    let every_ns = every.as_nanos().max(1);
    let k = now.saturating_duration_since(epoch).as_nanos() / every_ns + 1;
    let ahead = u64::try_from(k * every_ns).unwrap_or(u64::MAX);
    epoch + Duration::from_nanos(ahead)
}

/// A runner's store while it has work: opened after a place at the gate,
/// closed (connection, page cache, gate place and all) when the runner
/// goes idle.
struct Slot {
    path: PathBuf,
    shared: Arc<Shared>,
    /// The daemon's number, for the watchdog.
    index: usize,
    held: Option<(Store, tokio::sync::OwnedSemaphorePermit)>,
}

impl Slot {
    fn new(path: &Path, shared: Arc<Shared>, index: usize) -> Slot {
        Slot {
            path: path.to_path_buf(),
            shared,
            index,
            held: None,
        }
    }

    async fn get(&mut self) -> anyhow::Result<&mut Store> {
        if self.held.is_none() {
            self.shared.service.queued(self.index);
            let permit = self.shared.gate.clone().acquire_owned().await?;
            self.shared.service.alive(self.index);
            let store = Store::open(&self.path)?;
            self.held = Some((store, permit));
        }
        match &mut self.held {
            Some((store, _)) => Ok(store),
            None => unreachable!("opened above"),
        }
    }

    fn close(&mut self) {
        self.held = None;
    }
}

/// Every runner's outbox, delivered by one thread: each runner with its
/// own sinks and store, the store opened only while its outbox is worked.
struct Deliveries {
    state: Arc<(std::sync::Mutex<Outboxes>, std::sync::Condvar)>,
    thread: std::sync::Mutex<Option<std::thread::JoinHandle<()>>>,
}

struct Outboxes {
    /// By daemon number; None: no sinks (or not started yet).
    list: Vec<Option<Outbox>>,
    stopping: bool,
}

struct Outbox {
    whose: Arc<Whose>,
    /// Something new was queued: look now.
    poked: bool,
    /// When something is due next (ms), as the last look said.
    due: Option<i64>,
    /// The store's files as the last look left them.
    stamp: Option<Stamp>,
}

/// When a store's file and its write-ahead log last changed: another
/// writer (`tendonwatch pain`, a check-in answered on the dashboard) may
/// have queued an alert, or a new run made a check-in question due.
type Stamp = (Option<std::time::SystemTime>, Option<std::time::SystemTime>);

fn stamp(db: &Path) -> Stamp {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    (modified(db), modified(Path::new(&wal)))
}

/// Every outbox whose store changed on disk is looked at this often, for
/// what other writers queued.
const OTHER_WRITERS_LOOK: Duration = Duration::from_secs(20);
/// Outboxes worked at once: a sink that hangs (a dead server: up to 20 s a
/// try) holds up one worker, not every runner.
const DELIVERY_WORKERS: usize = 4;

/// Whose outbox: the runner's store and sinks.
struct Whose {
    db_path: PathBuf,
    runner: Option<String>,
    delivery: Arc<dyn Delivery>,
}

/// Delivery that failed (a sink, a busy store) is tried again this much
/// later; a store that cannot be opened, after [`STORE_RETRY_MS`].
const DELIVERY_RETRY_MS: i64 = 30_000;
const STORE_RETRY_MS: i64 = 5 * 60_000;

impl Deliveries {
    fn new(daemons: usize) -> Deliveries {
        Deliveries {
            state: Arc::new((
                std::sync::Mutex::new(Outboxes {
                    list: (0..daemons).map(|_| None).collect(),
                    stopping: false,
                }),
                std::sync::Condvar::new(),
            )),
            thread: Default::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Outboxes> {
        self.state.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Daemon `i`'s outbox, looked at once now (alerts queued before a
    /// restart go out) and then when poked or due.
    fn register(&self, i: usize, db_path: &Path, runner: Option<String>, d: Arc<dyn Delivery>) {
        {
            let mut state = self.lock();
            if let Some(slot) = state.list.get_mut(i) {
                *slot = Some(Outbox {
                    whose: Arc::new(Whose {
                        db_path: db_path.to_path_buf(),
                        runner,
                        delivery: d,
                    }),
                    poked: true,
                    due: None,
                    stamp: None,
                });
            }
        }
        let mut thread = self.thread.lock().unwrap_or_else(|p| p.into_inner());
        if thread.is_none() {
            let state = self.state.clone();
            match std::thread::Builder::new()
                .name("delivery".into())
                .spawn(move || delivery_loop(&state))
            {
                Ok(handle) => *thread = Some(handle),
                Err(e) => tracing::error!("cannot start delivery: {e}; alerts stay queued"),
            }
        }
        self.state.1.notify_all();
    }

    /// Daemon `i` queued something.
    fn poke(&self, i: usize) {
        if let Some(Some(outbox)) = self.lock().list.get_mut(i) {
            outbox.poked = true;
        }
        self.state.1.notify_all();
    }

    fn finish(&self) {
        self.lock().stopping = true;
        self.state.1.notify_all();
        let handle = self.thread.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(handle) = handle {
            let _ = handle.join();
        }
    }
}

/// Deliver each outbox that was poked, is due, or whose store changed on
/// disk (looked at every [`OTHER_WRITERS_LOOK`]); sleep until the next is
/// due or until poked. Once stopping: the poked ones, then return.
fn delivery_loop(state: &(std::sync::Mutex<Outboxes>, std::sync::Condvar)) {
    let (lock, cvar) = state;
    let mut next_look = Instant::now() + OTHER_WRITERS_LOOK;
    loop {
        let work: Vec<(usize, Arc<Whose>)> = {
            let mut outboxes = lock.lock().unwrap_or_else(|p| p.into_inner());
            loop {
                let now = now_ms();
                let stopping = outboxes.stopping;
                if !stopping && Instant::now() >= next_look {
                    for o in outboxes.list.iter_mut().flatten() {
                        if o.stamp.as_ref() != Some(&stamp(&o.whose.db_path)) {
                            o.poked = true;
                        }
                    }
                    next_look = Instant::now() + OTHER_WRITERS_LOOK;
                }
                let work: Vec<_> = outboxes
                    .list
                    .iter_mut()
                    .enumerate()
                    .filter_map(|(i, o)| {
                        let o = o.as_mut()?;
                        let due = o.poked || (!stopping && o.due.is_some_and(|d| d <= now));
                        o.poked = false;
                        due.then(|| (i, o.whose.clone()))
                    })
                    .collect();
                if !work.is_empty() {
                    break work;
                }
                if stopping {
                    return;
                }
                let look_in = next_look.saturating_duration_since(Instant::now());
                let next = outboxes.list.iter().flatten().filter_map(|o| o.due).min();
                let wait = next.map_or(look_in, |due| {
                    Duration::from_millis((due - now).clamp(0, 60_000) as u64).min(look_in)
                });
                outboxes = match cvar.wait_timeout(outboxes, wait) {
                    Ok((o, _)) => o,
                    Err(p) => p.into_inner().0,
                };
            }
        };
        for (i, next, seen) in deliver_each(work) {
            let mut outboxes = lock.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(Some(o)) = outboxes.list.get_mut(i) {
                // Due again at once after a round: not before 50 ms, so a
                // row a sink keeps refusing never spins the thread.
                o.due = next.map(|d| d.max(now_ms() + 50));
                o.stamp = Some(seen);
            }
        }
    }
}

/// Work these outboxes, [`DELIVERY_WORKERS`] at a time (this thread one of
/// them): for each, when something is due next and its store's stamp
/// after the look.
fn deliver_each(work: Vec<(usize, Arc<Whose>)>) -> Vec<(usize, Option<i64>, Stamp)> {
    let queue = std::sync::Mutex::new(work.into_iter());
    let done = std::sync::Mutex::new(Vec::new());
    let worker = || {
        loop {
            let next = queue.lock().unwrap_or_else(|p| p.into_inner()).next();
            let Some((i, whose)) = next else { break };
            let due = deliver_one(&whose);
            let seen = stamp(&whose.db_path);
            done.lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((i, due, seen));
        }
    };
    let helpers = queue
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .len()
        .min(DELIVERY_WORKERS)
        .saturating_sub(1);
    std::thread::scope(|s| {
        for _ in 0..helpers {
            let _ = std::thread::Builder::new()
                .name("delivery".into())
                .spawn_scoped(s, worker);
        }
        worker();
    });
    done.into_inner().unwrap_or_else(|p| p.into_inner())
}

/// One runner's outbox: its store opened, what is due delivered, the
/// store closed. Returns when something is due next.
fn deliver_one(whose: &Whose) -> Option<i64> {
    let Whose {
        db_path,
        runner,
        delivery,
    } = whose;
    let span = match runner {
        Some(name) => tracing::info_span!("runner", name = %name),
        None => tracing::Span::none(),
    };
    let _entered = span.enter();
    match Store::open(db_path) {
        Ok(mut store) => match delivery.deliver_due(&mut store, now_ms()) {
            Ok(next) => next,
            Err(e) => {
                tracing::warn!("delivery: {e}");
                Some(now_ms() + DELIVERY_RETRY_MS)
            }
        },
        Err(e) => {
            tracing::warn!("delivery: {e}; alerts stay queued");
            Some(now_ms() + STORE_RETRY_MS)
        }
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The identity of a folder, to notice it was deleted and created again
/// (its inotify watch died with it).
fn folder_id(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path)
        .ok()
        .filter(|m| m.is_dir())
        .map(|m| (m.dev(), m.ino()))
}

/// One sync folder and how the daemon stands with it.
struct Folder {
    path: PathBuf,
    /// Its identity while watched; None while it is not (gone, waited for).
    id: Option<(u64, u64)>,
    /// Why it is waited for, since when, and when the log last said so.
    waiting: Option<(FolderProblem, i64, Instant)>,
    /// Looked at before: a folder watched from the start is not news.
    looked: bool,
}

/// What looking at a folder came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Look {
    /// Nothing new: still watched, or still waited for (said recently).
    Same,
    /// Waited for, and the log said so again (the store's "checked" moves).
    Reminded,
    /// Newly waited for, or for another reason.
    NowWaiting,
    /// Watched now (it appeared, came back, or was opened up): scan it.
    NowWatched,
}

impl Folder {
    fn new(path: &Path) -> Folder {
        Folder {
            path: path.to_path_buf(),
            id: None,
            waiting: None,
            looked: false,
        }
    }

    fn shown(&self) -> String {
        self.path.display().to_string()
    }

    /// Look at the folder: watch it when it can be (again: a folder deleted
    /// and created anew lost its watch), else say why it is waited for —
    /// at once when the reason is new, then every [`FOLDER_REMINDER`]. A
    /// missing folder and an unreadable one are handled alike: either may
    /// be a mount that comes later. Only the system's watch limit stops
    /// the daemon.
    fn look(
        &mut self,
        watcher: &mut watch::FolderWatcher,
        now: Instant,
        now_ms: i64,
    ) -> Result<Look, watch::WatchError> {
        let problem = match watch::check_folder(&self.path) {
            Some(problem) => Some(problem),
            None if self.id.is_some() && folder_id(&self.path) == self.id => return Ok(Look::Same),
            None => match watcher.watch(&self.path) {
                Ok(()) => None,
                Err(watch::WatchError::Watch { reason, .. }) => {
                    Some(FolderProblem::Unreadable(reason))
                }
                Err(e) => return Err(e),
            },
        };
        let first = !std::mem::replace(&mut self.looked, true);
        let Some(problem) = problem else {
            self.id = folder_id(&self.path);
            self.waiting = None;
            if !first {
                tracing::info!("sync folder {} is ready (again); watching it", self.shown());
            }
            return Ok(Look::NowWatched);
        };
        self.id = None;
        match &mut self.waiting {
            Some((same, _, said)) if *same == problem => {
                if now.duration_since(*said) < FOLDER_REMINDER {
                    return Ok(Look::Same);
                }
                *said = now;
                tracing::warn!("{}", problem.line(&self.shown()));
                Ok(Look::Reminded)
            }
            _ => {
                tracing::warn!("{}", problem.line(&self.shown()));
                self.waiting = Some((problem, now_ms, now));
                Ok(Look::NowWaiting)
            }
        }
    }
}

/// The folders waited for, as the store keeps them for `status`.
fn waiting_records(folders: &[Folder], now_ms: i64) -> Vec<FolderRecord> {
    folders
        .iter()
        .filter_map(|f| {
            let (problem, since_ms, _) = f.waiting.as_ref()?;
            Some(FolderRecord {
                path: f.shown(),
                kind: problem.kind().to_string(),
                reason: problem.reason().map(str::to_string),
                since_ms: *since_ms,
                checked_ms: now_ms,
            })
        })
        .collect()
}

/// Look at `folders` (those `which` picks). Returns whether a folder is
/// watched now that was not (it wants a scan), and the record of the ones
/// waited for when anything changed (for the store).
fn look_at(
    folders: &mut [Folder],
    which: impl Fn(&Folder) -> bool,
    watcher: &mut watch::FolderWatcher,
) -> Result<(bool, Option<Vec<FolderRecord>>), watch::WatchError> {
    let (now, now_ms) = (Instant::now(), now_ms());
    let mut changed = false;
    let mut appeared = false;
    for f in folders.iter_mut().filter(|f| which(f)) {
        match f.look(watcher, now, now_ms)? {
            Look::Same => {}
            Look::Reminded | Look::NowWaiting => changed = true,
            Look::NowWatched => (changed, appeared) = (true, true),
        }
    }
    Ok((appeared, changed.then(|| waiting_records(folders, now_ms))))
}

/// Run until `stop` is set. Errors that stop the daemon: the store cannot be
/// opened or written, the system's watch limit. `shared` is the machinery
/// of this process (watcher, delivery, store gate, service); this runner
/// is its daemon number `index`.
pub async fn run(
    opts: DaemonOptions,
    stop: Arc<AtomicBool>,
    wake: Arc<Notify>,
    shared: Arc<Shared>,
    index: usize,
) -> anyhow::Result<()> {
    let service = &shared.service;
    let (tx, mut rx) = mpsc::channel::<Change>(QUEUE);

    // Watch what can be watched; a folder missing or unreadable is waited
    // for (looked at every second, said in the log every few minutes, and
    // kept in the store for `status`) and watched once it can be.
    let mut watcher = shared.hub(opts.mode, opts.debounce)?.watcher(tx.clone());
    let mut folders: Vec<Folder> = opts.folders.iter().map(|f| Folder::new(f)).collect();
    let (_, records) = look_at(&mut folders, |_| true, &mut watcher)?;
    // The store is opened here once (a store that cannot be opened fails
    // this runner at start), then only while there is work.
    let mut store = Slot::new(&opts.db_path, shared.clone(), index);
    store
        .get()
        .await?
        .set_folder_problems(&records.unwrap_or_default())?;
    store.close();

    if let Some(d) = &opts.delivery {
        shared
            .deliveries
            .register(index, &opts.db_path, opts.runner.clone(), d.clone());
    }
    let poke_delivery = || shared.deliveries.poke(index);

    service.ready(index);
    let named = |watched: bool| {
        let names: Vec<String> = folders
            .iter()
            .filter(|f| f.id.is_some() == watched)
            .map(Folder::shown)
            .collect();
        names.join(", ")
    };
    let waited = match named(false) {
        none if none.is_empty() => String::new(),
        some => format!("; waiting for {some}"),
    };
    tracing::info!(
        "watching {}{waited} ({}), store {}",
        match named(true) {
            none if none.is_empty() => "no folder yet".to_string(),
            some => some,
        },
        match opts.mode {
            Mode::Native => "native events".to_string(),
            Mode::Poll(d) => format!("polling every {} s", d.as_secs()),
        },
        opts.db_path.display()
    );

    // Ping the watchdog at half its interval when systemd asks for it.
    let watchdog_every = sd_notify::watchdog_enabled().map(|d| d / 2);

    let mut pending: BTreeSet<PathBuf> = BTreeSet::new();
    let mut settling: Vec<(PathBuf, Instant)> = Vec::new();
    let mut next_rescan = Instant::now();
    let mut next_pain = shared.next_tick(PAIN_TICK, Instant::now());
    let mut next_watchdog = watchdog_every.map(|d| shared.next_tick(d, Instant::now()));
    let mut processed = 0usize;
    let mut burst_read = false;

    let reconcile = |pending: &mut BTreeSet<PathBuf>, folders: &[Folder]| {
        let watched: Vec<PathBuf> = folders
            .iter()
            .filter(|f| f.id.is_some())
            .map(|f| f.path.clone())
            .collect();
        let (files, problems) = ingest::discover(&watched);
        for (path, reason) in problems {
            tracing::warn!("{}: {reason}", path.display());
        }
        pending.extend(files);
    };

    loop {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        while let Ok(change) = rx.try_recv() {
            accept(change, &mut pending, &mut folders, &mut next_rescan);
        }
        let now = Instant::now();
        // A sync folder that is not watched (gone, missing, unreadable) is
        // looked at every second, so one deleted and created again, mounted
        // or opened up is watched at once (and scanned).
        if folders.iter().any(|f| f.id.is_none()) {
            let (appeared, records) = look_at(&mut folders, |f| f.id.is_none(), &mut watcher)?;
            if let Some(records) = records {
                store.get().await?.set_folder_problems(&records)?;
            }
            if appeared {
                next_rescan = now;
            }
        }
        if now >= next_rescan {
            // Every folder: one deleted and created again lost its watch,
            // one that became unreadable is waited for.
            if let (_, Some(records)) = look_at(&mut folders, |_| true, &mut watcher)? {
                store.get().await?.set_folder_problems(&records)?;
            }
            reconcile(&mut pending, &folders);
            next_rescan = now + opts.rescan_every;
        }
        settling.retain(|(path, due)| {
            if *due <= now {
                pending.insert(path.clone());
                false
            } else {
                true
            }
        });
        if now >= next_pain {
            let alerts =
                alerts::evaluate_pain(store.get().await?, &opts.rules, opts.pain_limit, now_ms())?;
            if !alerts.is_empty() {
                poke_delivery();
            }
            next_pain = shared.next_tick(PAIN_TICK, now);
        }
        service.alive(index);
        if let Some(due) = next_watchdog.filter(|d| *d <= now) {
            // Every daemon turns at least this often (its own watchdog
            // tick); twice that is a loop stuck.
            if let Some(every) = watchdog_every {
                service.watchdog(index, every * 2);
            }
            next_watchdog = watchdog_every.map(|d| shared.next_tick(d, due));
        }

        if !pending.is_empty() {
            let batch: Vec<PathBuf> = std::iter::from_fn(|| pending.pop_first())
                .take(BATCH)
                .collect();
            let backlog = pending.len();
            let t = now_ms();
            let db = store.get().await?;
            let summary = ingest::ingest_files_deferring(
                db,
                batch,
                &opts.ingest,
                opts.parallelism,
                t,
                Some(opts.settle.as_millis() as i64),
                &mut |_, _| {},
            )
            .await?;
            for path in &summary.deferred {
                settling.push((path.clone(), Instant::now() + opts.settle));
            }
            let stored = summary.imported + summary.non_running;
            let mut new_alerts = Vec::new();
            if stored > 0 {
                new_alerts = alerts::evaluate_pending(db, &opts.rules, now_ms())?;
                new_alerts.extend(alerts::evaluate_pain(
                    db,
                    &opts.rules,
                    opts.pain_limit,
                    now_ms(),
                )?);
                // New alerts to send, or a new run that makes a check-in
                // question due: the outbox is looked at either way.
                poke_delivery();
            }
            // One line per file, naming the alerts its runs raised; the
            // others (pain, earlier runs) get a line of their own.
            for a in outcome::log(db, &summary.outcomes, &new_alerts)? {
                let about = a
                    .activity_id
                    .map(|id| format!(" on activity {id}"))
                    .unwrap_or_default();
                tracing::info!(
                    "alert {} [{}]{about}: {}",
                    a.kind,
                    a.severity,
                    a.what_changed.replace('\n', " ")
                );
            }
            // Every file taken from the backlog counts (a rescan during a
            // burst queues stored files again; they are only stat'ed), over
            // the daemon's life, so the number only grows. Lines are logged
            // once a batch has read something: an idle rescan of unchanged
            // files stays silent.
            processed += summary.files();
            burst_read |= summary.files() > summary.unchanged;
            if burst_read && backlog > 0 {
                tracing::info!(
                    "processed {} so far, {backlog} waiting",
                    crate::units::plural(processed, "file", "files")
                );
            } else if backlog == 0 && burst_read {
                tracing::info!(
                    "all caught up: {} processed since start ({stored} with new activities in the last batch)",
                    crate::units::plural(processed, "file", "files")
                );
                burst_read = false;
            }
            // Between batches the gate's place goes to the next runner.
            store.close();
            continue;
        }

        // Nothing to do: let go of the store, and sleep until a change, a
        // tick, or the stop signal.
        store.close();
        let mut wake_at = next_rescan.min(next_pain);
        if folders.iter().any(|f| f.id.is_none()) {
            wake_at = wake_at.min(shared.next_tick(MISSING_FOLDER_CHECK, Instant::now()));
        }
        if let Some(d) = next_watchdog {
            wake_at = wake_at.min(d);
        }
        if let Some(due) = settling.iter().map(|(_, d)| *d).min() {
            wake_at = wake_at.min(due);
        }
        tokio::select! {
            change = rx.recv() => match change {
                Some(change) => accept(change, &mut pending, &mut folders, &mut next_rescan),
                None => break,
            },
            _ = tokio::time::sleep_until(tokio::time::Instant::from_std(wake_at)) => {}
            _ = wake.notified() => {}
        }
    }

    service.stopping();
    drop(watcher);
    // Nobody waits for them any more.
    store.get().await?.set_folder_problems(&[])?;
    store.close();
    // The last batch's alerts go out before the process ends
    // (`Shared::finish`).
    poke_delivery();
    tracing::info!("stopped");
    Ok(())
}

/// A watched folder was removed: forget its identity so that its return is
/// noticed (and watched again) even if it gets the same inode number. It
/// is looked at from the next second on, like any folder not watched.
fn forget_root(folders: &mut [Folder], root: &Path) {
    for f in folders.iter_mut().filter(|f| f.path == root) {
        tracing::info!("{} was removed; waiting for it to come back", f.shown());
        f.id = None;
    }
}

/// What a change from the watcher sets in hand.
fn accept(
    change: Change,
    pending: &mut BTreeSet<PathBuf>,
    folders: &mut [Folder],
    next_rescan: &mut Instant,
) {
    match change {
        Change::File(path) => {
            pending.insert(path);
        }
        Change::Folder(dir) => {
            // Files created right after their folder have no events of
            // their own (inotify had no watch yet): scan it.
            let (files, _) = ingest::discover(&[dir]);
            pending.extend(files);
        }
        Change::RootGone(root) => forget_root(folders, &root),
        // Events were lost (the kernel's queue, or this runner's): look
        // at every folder again (one removed and made anew is watched
        // again) and reconcile them all, now.
        Change::Rescan => *next_rescan = Instant::now(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A folder waited for is said at once, then again every few minutes
    /// (not every second it is looked at), and at once when the reason
    /// changes; once it is there it is watched.
    #[test]
    fn a_folder_waited_for_is_said_at_once_then_every_few_minutes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nas");
        let (tx, _rx) = mpsc::channel(8);
        let mut watcher = watch::start(Mode::Native, Duration::from_millis(50), tx).unwrap();
        let mut folder = Folder::new(&path);
        let t0 = Instant::now();
        let look = |f: &mut Folder, w: &mut watch::FolderWatcher, after: Duration| {
            f.look(w, t0 + after, 0).unwrap()
        };
        assert_eq!(
            look(&mut folder, &mut watcher, Duration::ZERO),
            Look::NowWaiting
        );
        for s in [1, 60, 299] {
            assert_eq!(
                look(&mut folder, &mut watcher, Duration::from_secs(s)),
                Look::Same
            );
        }
        assert_eq!(
            look(&mut folder, &mut watcher, FOLDER_REMINDER),
            Look::Reminded
        );
        assert_eq!(
            look(
                &mut folder,
                &mut watcher,
                FOLDER_REMINDER + Duration::from_secs(1)
            ),
            Look::Same
        );
        // A file where the folder should be: another reason, said at once.
        std::fs::write(&path, b"").unwrap();
        assert_eq!(
            look(
                &mut folder,
                &mut watcher,
                FOLDER_REMINDER + Duration::from_secs(2)
            ),
            Look::NowWaiting
        );
        assert_eq!(
            waiting_records(std::slice::from_ref(&folder), 7)[0].kind,
            "not_a_folder"
        );
        std::fs::remove_file(&path).unwrap();
        std::fs::create_dir(&path).unwrap();
        assert_eq!(
            look(
                &mut folder,
                &mut watcher,
                FOLDER_REMINDER + Duration::from_secs(3)
            ),
            Look::NowWatched
        );
        assert!(waiting_records(std::slice::from_ref(&folder), 7).is_empty());
        assert_eq!(
            look(
                &mut folder,
                &mut watcher,
                FOLDER_REMINDER + Duration::from_secs(4)
            ),
            Look::Same
        );
    }

    #[test]
    fn a_stuck_runner_starves_the_household_s_watchdog() {
        let service = Service::new(2);
        service.alive(0);
        service.alive(1);
        assert!(service.all_alive_within(Duration::from_secs(3600)));
        std::thread::sleep(Duration::from_millis(30));
        // Runner 0 turns again; runner 1 does not.
        service.alive(0);
        assert!(!service.all_alive_within(Duration::from_millis(10)));
        service.alive(1);
        assert!(service.all_alive_within(Duration::from_millis(10)));
    }

    #[test]
    fn every_runner_s_ticks_fall_on_the_same_instants() {
        let epoch = Instant::now();
        let every = Duration::from_secs(900);
        let a = next_tick(epoch, every, epoch + Duration::from_secs(3));
        let b = next_tick(epoch, every, epoch + Duration::from_millis(899_999));
        assert_eq!(a, b);
        assert_eq!(a, epoch + every);
        // On the tick itself: the next one.
        assert_eq!(next_tick(epoch, every, a), epoch + every * 2);
    }

    #[test]
    fn a_runner_that_failed_or_waits_at_the_gate_neither_holds_up_ready_nor_starves_the_watchdog() {
        let service = Service::new(2);
        service.ready(0);
        assert!(!service.told_ready.load(Ordering::SeqCst));
        service.out(1);
        assert!(service.told_ready.load(Ordering::SeqCst));
        std::thread::sleep(Duration::from_millis(30));
        service.alive(0);
        assert!(service.all_alive_within(Duration::from_millis(10)));
        // Waiting at the store gate is not being stuck; turning again
        // counts as usual.
        service.queued(0);
        std::thread::sleep(Duration::from_millis(30));
        assert!(service.all_alive_within(Duration::from_millis(10)));
        service.alive(0);
        std::thread::sleep(Duration::from_millis(30));
        assert!(!service.all_alive_within(Duration::from_millis(10)));
    }
}
