//! store: the SQLite database of source files, activities and their samples.
//!
//! One file's ingest is one transaction: its `files` row, its activities and
//! their samples land together or not at all, so a crash (SIGKILL, power cut
//! in WAL mode) loses at most the file in hand, which is read again next time.
//! The store never touches the source files themselves.

pub mod alerts;
mod bundle;
pub mod digests;
pub mod export;
mod migrations;
pub mod outbox;
pub mod pain;
pub mod pain_csv;
pub mod samples_codec;
pub mod web;

use crate::activity::SportStatus;
use crate::activity::{Activity, Lap, Pause, Sample, Sport, SubSport};
use crate::decode::{DecodeError, Decoded};
use crate::metrics::RunMetrics;
use crate::metrics::surface::{Evidence, Surface};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("cannot create the folder {path} for the database: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the database {path} has schema version {found}, newer than this tendonwatch knows ({known}); upgrade tendonwatch"
    )]
    TooNew {
        path: PathBuf,
        found: usize,
        known: usize,
    },
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("stored samples of activity {activity_id} are unreadable: {reason}")]
    Samples {
        activity_id: i64,
        reason: samples_codec::CodecError,
    },
    #[error("stored {what} of activity {activity_id} are unreadable: {reason}")]
    Json {
        activity_id: i64,
        what: &'static str,
        reason: serde_json::Error,
    },
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Long enough to be a run (RULES.md F), in SQL over `metrics m`.
macro_rules! long_enough {
    () => {
        "m.distance_m >= 500 AND m.moving_s >= 180"
    };
}

/// The stored activities the baseline and the rules count as runs: running
/// (not cross-training), with a start that can be true, and long enough to
/// be a run (RULES.md F; `RunMetrics::too_short` in SQL, checked equal by a
/// test). Activities outside it are still stored and listed.
pub const COUNTED_RUN: &str = concat!(
    "m.cross_training = 0 AND a.time_unknown IS NULL AND ",
    long_enough!()
);

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
    /// Activities added, with their sport.
    pub added: Vec<(i64, Sport)>,
    /// Existing activities this file's richer recording replaced in place.
    pub upgraded: Vec<i64>,
    /// Existing activities this file duplicated (a poorer copy of the same run).
    pub duplicate_of: Vec<i64>,
    pub partial: bool,
}

/// One stored activity, as listed (without samples).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityRow {
    pub id: i64,
    pub start_utc: String,
    pub start_ms: i64,
    pub local_offset_s: Option<i32>,
    /// Why the start cannot be true (None: it can). Such an activity is
    /// listed but left out of the baseline and the rules until the runner
    /// gives its start.
    pub time_unknown: Option<String>,
    /// `file` (the recording's clock) or `runner` (`tag ID --start`).
    pub start_status: String,
    pub sport: String,
    pub sub_sport: String,
    pub sport_label: String,
    /// Where the sport came from (`file`, `bundle`, `inferred`, `assumed`,
    /// `unconfirmed`, `runner`).
    pub sport_status: String,
    pub sport_evidence: Vec<String>,
    pub distance_m: f64,
    /// Moving time as measured (None until measured).
    pub moving_s: Option<f64>,
    pub elapsed_s: f64,
    pub sample_count: i64,
    /// Too short to be a run (RULES.md F): kept and listed, never counted.
    pub too_short: bool,
    pub has_gps: bool,
    pub has_cadence: bool,
    pub has_altitude: bool,
    pub has_heart_rate: bool,
    pub partial: bool,
    pub format: String,
    pub device: String,
    pub name: Option<String>,
    pub post_run_rpe: Option<f64>,
    pub post_run_feel: Option<f64>,
    pub source_path: String,
}

impl ActivityRow {
    /// The sport as the runner should read it: the file's own word where it
    /// has one, a question mark while unconfirmed.
    pub fn sport_name(&self) -> String {
        if self.sport_status == SportStatus::Unconfirmed.as_str() {
            format!("{}?", self.sport)
        } else if self.sport_label.trim().is_empty() || self.sport_status == "runner" {
            self.sport.clone()
        } else {
            self.sport_label.clone()
        }
    }

    /// Where the sport came from and why, in a sentence.
    pub fn sport_reason(&self) -> String {
        let status = SportStatus::parse(&self.sport_status).describe();
        if self.sport_evidence.is_empty() {
            status.to_string()
        } else {
            format!("{status} — {}", self.sport_evidence.join("; "))
        }
    }

    /// "Was activity 41 a run? It looks like a ride: 21 km at 3:02/km".
    pub fn sport_question(&self) -> String {
        crate::sport::question(
            self.id,
            Sport::parse(&self.sport),
            self.distance_m,
            self.moving_s.unwrap_or(self.elapsed_s),
        )
    }
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

/// Which activities a listing holds. Runs by default: what a runner means
/// by "my runs", plus the activities that may be runs until the runner
/// answers the sport question (shown as such).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ActivityFilter {
    #[default]
    Runs,
    /// Every sport (`--all`, `?all=1`).
    All,
    /// Only those waiting for the runner's word on their sport.
    Unconfirmed,
}

impl ActivityFilter {
    /// From the two switches every listing offers.
    pub fn from_flags(all: bool, unconfirmed: bool) -> Self {
        match (all, unconfirmed) {
            (_, true) => Self::Unconfirmed,
            (true, false) => Self::All,
            (false, false) => Self::Runs,
        }
    }

    fn sql(self) -> &'static str {
        match self {
            Self::Runs => "(a.sport = 'running' OR a.sport_status = 'unconfirmed')",
            Self::All => "1",
            Self::Unconfirmed => "a.sport_status = 'unconfirmed'",
        }
    }
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Open (creating if needed) the database at `path` and bring its schema
    /// up to date.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.configure().map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        store.migrate()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn configure(&mut self) -> rusqlite::Result<()> {
        // WAL: readers (CLI, dashboard) never block the writer, and a crash
        // mid-transaction leaves the last committed state. NORMAL is durable
        // across process crashes; only an OS crash can drop the last commits.
        // First: another process may hold the lock (switching a fresh file
        // to WAL needs it too).
        self.conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // Switching a fresh file to WAL while another process does the same
        // can fail "locked" at once, without the busy handler: retry briefly.
        let mut tries = 0;
        loop {
            match self.conn.pragma_update(None, "journal_mode", "WAL") {
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if tries < 100
                        && matches!(
                            e.code,
                            rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                        ) =>
                {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                other => {
                    other?;
                    break;
                }
            }
        }
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        Ok(())
    }

    fn migrate(&mut self) -> Result<()> {
        let known = migrations::MIGRATIONS.len();
        let version = |conn: &Connection| -> rusqlite::Result<usize> {
            Ok(conn
                .pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))?
                .max(0) as usize)
        };
        if version(&self.conn)? == known {
            return Ok(());
        }
        // Two processes may open a fresh store at once (the daemon starting,
        // `tendonwatch pain` from a terminal): take the write lock first and
        // read the version again under it, so only one of them migrates.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let current = version(&tx)?;
        if current > known {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found: current,
                known,
            });
        }
        for sql in migrations::MIGRATIONS.iter().skip(current) {
            tx.execute_batch(sql)?;
        }
        tx.pragma_update(None, "user_version", known as i64)?;
        tx.commit()?;
        Ok(())
    }

    /// Every write takes the write lock up front (BEGIN IMMEDIATE): the store
    /// is shared between processes (the daemon, `tendonwatch pain`, an
    /// import), and a deferred transaction that read first cannot wait for
    /// the lock — SQLite fails it at once as "locked" when another process
    /// committed in between.
    fn write_transaction(&mut self) -> rusqlite::Result<Transaction<'_>> {
        self.conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
    }

    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

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

    pub fn activities(&self) -> Result<Vec<ActivityRow>> {
        self.query_activities("ORDER BY a.start_ms, a.id", [])
    }

    /// Start instants of every running activity (cross-training left
    /// out), oldest first: what alerts per 100 runs count.
    pub fn run_starts(&self) -> Result<Vec<i64>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT a.start_ms FROM activities a JOIN metrics m ON m.activity_id = a.id
             WHERE {COUNTED_RUN} ORDER BY a.start_ms"
        ))?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One activity as listed, or None.
    pub fn activity(&self, id: i64) -> Result<Option<ActivityRow>> {
        Ok(self
            .query_activities("WHERE a.id = ?1", [id])?
            .into_iter()
            .next())
    }

    /// The activities one listing shows, oldest first. Every listing (the
    /// CLI's text and JSON, the dashboard's page and its API) goes through
    /// this, so they cannot disagree about what is in it.
    pub fn activities_listed(&self, filter: ActivityFilter) -> Result<Vec<ActivityRow>> {
        self.query_activities(
            &format!("WHERE {} ORDER BY a.start_ms, a.id", filter.sql()),
            [],
        )
    }

    /// Runs (or possible runs) whose time cannot be true, oldest first:
    /// left out of the rules until the runner gives their start.
    pub fn runs_of_unknown_time(&self) -> Result<Vec<ActivityRow>> {
        self.query_activities(
            &format!(
                "WHERE {} AND a.time_unknown IS NOT NULL ORDER BY a.start_ms, a.id",
                ActivityFilter::Runs.sql()
            ),
            [],
        )
    }

    /// A page of a listing, newest first, and how many it holds in all.
    pub fn activities_newest(
        &self,
        filter: ActivityFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<ActivityRow>, i64)> {
        let total: i64 = self.conn.query_row(
            &format!("SELECT COUNT(*) FROM activities a WHERE {}", filter.sql()),
            [],
            |r| r.get(0),
        )?;
        let rows = self.query_activities(
            &format!(
                "WHERE {} ORDER BY a.start_ms DESC, a.id DESC LIMIT ?1 OFFSET ?2",
                filter.sql()
            ),
            [limit, offset],
        )?;
        Ok((rows, total))
    }

    fn query_activities<P: rusqlite::Params>(
        &self,
        tail: &str,
        params: P,
    ) -> Result<Vec<ActivityRow>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT a.id, a.start_ms, a.local_offset_s, a.sport, a.sub_sport, a.sport_label,
                    a.distance_m, a.elapsed_s, a.sample_count, a.has_gps, a.has_cadence,
                    a.has_altitude, a.has_heart_rate, a.partial, a.format, a.device, a.name,
                    a.post_run_rpe, a.post_run_feel, f.path, a.sport_status, a.sport_evidence,
                    m.moving_s, a.time_unknown, t.activity_id IS NOT NULL,
                    COALESCE(NOT ({}), 0)
             FROM activities a JOIN files f ON f.id = a.file_id
             LEFT JOIN metrics m ON m.activity_id = a.id
             LEFT JOIN start_tags t ON t.activity_id = a.id
             {tail}",
            long_enough!()
        ))?;
        let rows = stmt.query_map(params, |r| {
            let start_ms: i64 = r.get(1)?;
            let evidence: String = r.get(21)?;
            Ok(ActivityRow {
                time_unknown: r.get(23)?,
                too_short: r.get(25)?,
                start_status: if r.get(24)? { "runner" } else { "file" }.to_string(),
                sport_status: r.get(20)?,
                moving_s: r.get(22)?,
                sport_evidence: serde_json::from_str(&evidence).unwrap_or_default(),
                id: r.get(0)?,
                start_utc: utc_text(start_ms),
                start_ms,
                local_offset_s: r.get(2)?,
                sport: r.get(3)?,
                sub_sport: r.get(4)?,
                sport_label: r.get(5)?,
                distance_m: r.get(6)?,
                elapsed_s: r.get(7)?,
                sample_count: r.get(8)?,
                has_gps: r.get(9)?,
                has_cadence: r.get(10)?,
                has_altitude: r.get(11)?,
                has_heart_rate: r.get(12)?,
                partial: r.get(13)?,
                format: r.get(14)?,
                device: r.get(15)?,
                name: r.get(16)?,
                post_run_rpe: r.get(17)?,
                post_run_feel: r.get(18)?,
                source_path: r.get(19)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Rebuild the normalized activity from the store (for recomputing
    /// metrics after a re-tag or a new metrics version).
    pub fn load_activity(&self, id: i64) -> Result<Option<Activity>> {
        let row = self
            .conn
            .query_row(
                "SELECT sport, sub_sport, sport_label, session_index, start_ms, local_offset_s, name,
                        summary_json, laps_json, pauses_json, post_run_rpe, post_run_feel,
                        sport_status, sport_evidence, time_unknown
                 FROM activities WHERE id = ?1",
                [id],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, u32>(3)?,
                        r.get::<_, i64>(4)?,
                        r.get::<_, Option<i32>>(5)?,
                        r.get::<_, Option<String>>(6)?,
                        r.get::<_, String>(7)?,
                        r.get::<_, String>(8)?,
                        r.get::<_, String>(9)?,
                        r.get::<_, Option<f64>>(10)?,
                        r.get::<_, Option<f64>>(11)?,
                        r.get::<_, String>(12)?,
                        r.get::<_, String>(13)?,
                        r.get::<_, Option<String>>(14)?,
                    ))
                },
            )
            .optional()?;
        let Some((
            sport,
            sub,
            label,
            session,
            start,
            offset,
            name,
            summary,
            laps,
            pauses,
            rpe,
            feel,
            status,
            evidence,
            time_unknown,
        )) = row
        else {
            return Ok(None);
        };
        let mut a = Activity::new(Sport::parse(&sport), start);
        a.sub_sport = SubSport::parse(&sub);
        a.sport_label = label;
        a.sport_status = SportStatus::parse(&status);
        a.sport_evidence = from_json(id, "sport evidence", &evidence)?;
        a.session_index = session;
        a.local_offset_s = offset;
        a.time_unknown = time_unknown;
        a.name = name;
        a.summary = from_json(id, "summary", &summary)?;
        a.laps = from_json::<Vec<Lap>>(id, "laps", &laps)?;
        a.pauses = from_json::<Vec<Pause>>(id, "pauses", &pauses)?;
        a.post_run.rpe = rpe;
        a.post_run.feel = feel;
        a.samples = self.samples(id)?;
        Ok(Some(a))
    }

    /// Stored metrics of an activity (None: not computed yet).
    pub fn metrics(&self, id: i64) -> Result<Option<RunMetrics>> {
        let text: Option<String> = self
            .conn
            .query_row(
                "SELECT json FROM metrics WHERE activity_id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        match text {
            None => Ok(None),
            Some(t) => from_json(id, "metrics", &t).map(Some),
        }
    }

    /// Replace an activity's metrics (tag applied), e.g. after recomputing.
    pub fn put_metrics(&mut self, id: i64, metrics: &RunMetrics) -> Result<()> {
        let tx = self.write_transaction()?;
        write_metrics(&tx, id, Some(metrics))?;
        tx.commit()?;
        Ok(())
    }

    /// Activities whose metrics are missing or older than `version`.
    pub fn activities_needing_metrics(&self, version: u32) -> Result<Vec<i64>> {
        let mut stmt = self.conn.prepare(
            "SELECT a.id FROM activities a LEFT JOIN metrics m ON m.activity_id = a.id
             WHERE m.activity_id IS NULL OR m.version < ?1 ORDER BY a.start_ms",
        )?;
        let ids = stmt.query_map([version], |r| r.get(0))?;
        Ok(ids.collect::<rusqlite::Result<Vec<i64>>>()?)
    }

    /// The runner's own surface for an activity (None clears it).
    pub fn set_surface_tag(
        &mut self,
        id: i64,
        surface: Option<Surface>,
        now_ms: i64,
    ) -> Result<()> {
        let tx = self.write_transaction()?;
        match surface {
            Some(s) => tx.execute(
                "INSERT INTO surface_tags (activity_id, surface, tagged_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT (activity_id) DO UPDATE SET surface = ?2, tagged_ms = ?3",
                params![id, s.as_str(), now_ms],
            )?,
            None => tx.execute("DELETE FROM surface_tags WHERE activity_id = ?1", [id])?,
        };
        tx.commit()?;
        Ok(())
    }

    pub fn surface_tag(&self, id: i64) -> Result<Option<Surface>> {
        let tag: Option<String> = self
            .conn
            .query_row(
                "SELECT surface FROM surface_tags WHERE activity_id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(tag.as_deref().and_then(Surface::parse))
    }

    /// The runner's word on an activity's sport: stored as a tag that
    /// outlives a re-import, written into the activity, and its metrics
    /// dropped so that they are measured again for the new sport. Returns
    /// the sport before, or None when there is no such activity.
    pub fn set_sport_tag(&mut self, id: i64, sport: Sport, now_ms: i64) -> Result<Option<Sport>> {
        let tx = self.write_transaction()?;
        let before: Option<String> = tx
            .query_row("SELECT sport FROM activities WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        let Some(before) = before else {
            return Ok(None);
        };
        tx.execute(
            "INSERT INTO sport_tags (activity_id, sport, tagged_ms) VALUES (?1, ?2, ?3)
             ON CONFLICT (activity_id) DO UPDATE SET sport = ?2, tagged_ms = ?3",
            params![id, sport.as_str(), now_ms],
        )?;
        apply_sport_tag(&tx, id)?;
        tx.execute("DELETE FROM metrics WHERE activity_id = ?1", [id])?;
        tx.commit()?;
        Ok(Some(Sport::parse(&before)))
    }

    /// The runner's word on when an activity started: stored as a tag that
    /// outlives a re-import, and the whole activity (samples, laps, pauses)
    /// moved there, so every duration stays what the track says. Its time
    /// is known from now on; its metrics are measured again and the rules
    /// see it again. Returns the start before, or None when there is no
    /// such activity.
    pub fn set_start_tag(
        &mut self,
        id: i64,
        start_ms: i64,
        local_offset_s: Option<i32>,
        now_ms: i64,
    ) -> Result<Option<i64>> {
        let Some(mut a) = self.load_activity(id)? else {
            return Ok(None);
        };
        let before = a.start_ms;
        crate::clock::shift(&mut a, start_ms);
        let tx = self.write_transaction()?;
        tx.execute(
            "INSERT INTO start_tags (activity_id, start_ms, local_offset_s, tagged_ms)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (activity_id) DO UPDATE SET start_ms = ?2, local_offset_s = ?3,
                tagged_ms = ?4",
            params![id, start_ms, local_offset_s, now_ms],
        )?;
        tx.execute(
            "UPDATE activities SET start_ms = ?2, local_offset_s = COALESCE(?3, local_offset_s),
                time_unknown = NULL, laps_json = ?4, pauses_json = ?5 WHERE id = ?1",
            params![id, start_ms, local_offset_s, json(&a.laps), json(&a.pauses)],
        )?;
        tx.execute(
            "UPDATE samples SET encoding = 1, count = ?2, data = ?3 WHERE activity_id = ?1",
            params![
                id,
                a.samples.len() as i64,
                samples_codec::encode(&a.samples)
            ],
        )?;
        tx.execute("DELETE FROM metrics WHERE activity_id = ?1", [id])?;
        tx.execute("DELETE FROM rule_evaluations WHERE activity_id = ?1", [id])?;
        tx.commit()?;
        Ok(Some(before))
    }

    pub fn sport_tag(&self, id: i64) -> Result<Option<Sport>> {
        let tag: Option<String> = self
            .conn
            .query_row(
                "SELECT sport FROM sport_tags WHERE activity_id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(tag.as_deref().map(Sport::parse))
    }

    /// Runs whose sport was only assumed, not yet seen by the rules, whose
    /// measured average is faster than `m_per_s` over a kilometre or more.
    pub fn unevaluated_assumed_faster_than(&self, m_per_s: f64) -> Result<Vec<i64>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.id FROM activities a JOIN metrics m ON m.activity_id = a.id
             LEFT JOIN rule_evaluations e ON e.activity_id = a.id
             WHERE a.sport_status = 'assumed' AND e.activity_id IS NULL
               AND m.distance_m >= 1000 AND m.moving_s > 0 AND m.distance_m / m.moving_s > ?1
             ORDER BY a.start_ms",
        )?;
        let ids = stmt
            .query_map([m_per_s], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<i64>>>()?;
        Ok(ids)
    }

    /// A second verdict on an activity's sport (with more of the runner's
    /// history known); its metrics go, to be measured again.
    pub fn set_settled_sport(&mut self, id: i64, v: &crate::sport::Verdict) -> Result<()> {
        let tx = self.write_transaction()?;
        tx.execute(
            "UPDATE activities SET sport = ?2, sport_status = ?3, sport_evidence = ?4 WHERE id = ?1",
            params![id, v.sport.as_str(), v.status.as_str(), json(&v.evidence)],
        )?;
        tx.execute("DELETE FROM metrics WHERE activity_id = ?1", [id])?;
        tx.commit()?;
        Ok(())
    }

    /// Unconfirmed activities not yet asked about (no `sport_question`
    /// alert): what the rules must ask, without rewriting the others.
    pub fn unasked_unconfirmed(&self) -> Result<Vec<ActivityRow>> {
        self.query_activities(
            "WHERE a.sport_status = 'unconfirmed' AND NOT EXISTS
                (SELECT 1 FROM alerts q WHERE q.kind = 'sport_question'
                   AND q.cause = 'sport_question:' || a.id)
             ORDER BY a.start_ms, a.id",
            [],
        )
    }

    /// Activities waiting for the runner to say whether they were runs,
    /// oldest first.
    pub fn unconfirmed(&self) -> Result<Vec<ActivityRow>> {
        self.query_activities(
            "WHERE a.sport_status = 'unconfirmed' ORDER BY a.start_ms, a.id",
            [],
        )
    }

    /// The runner's usual paces, from their runs of 3 km or more: evidence
    /// for the sport of a file that does not name it.
    pub fn own_pace(&self) -> Result<crate::sport::OwnPace> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT m.distance_m / m.moving_s, a.sport_status = 'assumed'
             FROM metrics m JOIN activities a ON a.id = m.activity_id
             WHERE m.cross_training = 0 AND m.distance_m >= 3000 AND m.moving_s > 0",
        )?;
        let runs = stmt
            .query_map([], |r| Ok((r.get::<_, f64>(0)?, r.get::<_, bool>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(crate::sport::OwnPace::from_runs(&runs))
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

    pub fn samples(&self, activity_id: i64) -> Result<Vec<Sample>> {
        let blob: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT data FROM samples WHERE activity_id = ?1",
                [activity_id],
                |r| r.get(0),
            )
            .optional()?;
        match blob {
            None => Ok(Vec::new()),
            Some(b) => samples_codec::decode(&b).map_err(|reason| StoreError::Samples {
                activity_id,
                reason,
            }),
        }
    }
}

fn utc_text(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|| ms.to_string())
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

/// Write the runner's sport tag, if any, into the activity. Returns it.
fn apply_sport_tag(tx: &Transaction<'_>, id: i64) -> Result<Option<Sport>> {
    let tag: Option<String> = tx
        .query_row(
            "SELECT sport FROM sport_tags WHERE activity_id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(tag) = tag else { return Ok(None) };
    tx.execute(
        "UPDATE activities SET sport = ?2, sport_status = 'runner', sport_evidence = '[]'
         WHERE id = ?1",
        params![id, tag],
    )?;
    Ok(Some(Sport::parse(&tag)))
}

/// The activity moved to the start the runner gave, if they gave one.
fn with_start_tag(tx: &Transaction<'_>, id: i64, a: &Activity) -> Result<Option<Activity>> {
    let tag: Option<(i64, Option<i32>)> = tx
        .query_row(
            "SELECT start_ms, local_offset_s FROM start_tags WHERE activity_id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(tag.map(|(start_ms, offset)| {
        let mut moved = a.clone();
        crate::clock::shift(&mut moved, start_ms);
        moved.local_offset_s = offset.or(moved.local_offset_s);
        moved
    }))
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

fn write_activity(
    tx: &Transaction<'_>,
    existing: Option<i64>,
    file_id: i64,
    decoded: &Decoded,
    a: &Activity,
    rich: i64,
) -> Result<i64> {
    let ch = a.channels();
    let values = params![
        file_id,
        a.session_index,
        decoded.format.as_str(),
        a.sport.as_str(),
        a.sub_sport.as_str(),
        a.sport_label,
        a.start_ms,
        a.local_offset_s,
        a.elapsed_s(),
        a.distance_m(),
        a.name,
        a.device.label(),
        decoded.partial.is_some(),
        rich,
        a.samples.len() as i64,
        ch.gps,
        ch.cadence,
        ch.altitude,
        ch.heart_rate,
        json(&a.summary),
        a.post_run.rpe,
        a.post_run.feel,
        json(&a.laps),
        json(&a.pauses),
        a.sport_status.as_str(),
        json(&a.sport_evidence),
        a.time_unknown,
    ];
    let id = match existing {
        Some(id) => {
            let mut stmt = tx.prepare_cached(
                "UPDATE activities SET file_id=?1, session_index=?2, format=?3, sport=?4, sub_sport=?5,
                    sport_label=?6, start_ms=?7, local_offset_s=?8, elapsed_s=?9, distance_m=?10, name=?11,
                    device=?12, partial=?13, richness=?14, sample_count=?15, has_gps=?16, has_cadence=?17,
                    has_altitude=?18, has_heart_rate=?19, summary_json=?20, post_run_rpe=?21,
                    post_run_feel=?22, laps_json=?23, pauses_json=?24, sport_status=?25,
                    sport_evidence=?26, time_unknown=?27
                 WHERE id = ?28",
            )?;
            let mut all: Vec<&dyn rusqlite::ToSql> = values.to_vec();
            all.push(&id);
            stmt.execute(all.as_slice())?;
            id
        }
        None => {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO activities (file_id, session_index, format, sport, sub_sport, sport_label,
                    start_ms, local_offset_s, elapsed_s, distance_m, name, device, partial, richness,
                    sample_count, has_gps, has_cadence, has_altitude, has_heart_rate, summary_json,
                    post_run_rpe, post_run_feel, laps_json, pauses_json, sport_status, sport_evidence,
                    time_unknown)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                    ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)",
            )?;
            stmt.execute(values)?;
            tx.last_insert_rowid()
        }
    };
    tx.prepare_cached(
        "INSERT INTO samples (activity_id, encoding, count, data) VALUES (?1, 1, ?2, ?3)
         ON CONFLICT (activity_id) DO UPDATE SET encoding = 1, count = ?2, data = ?3",
    )?
    .execute(params![
        id,
        a.samples.len() as i64,
        samples_codec::encode(&a.samples)
    ])?;
    Ok(id)
}

/// Store an activity's metrics; the runner's surface tag, if any, wins over
/// what the file and geometry said (RULES.md E: the tag is the strongest
/// evidence). Without metrics, stale ones are removed.
fn write_metrics(
    tx: &Transaction<'_>,
    activity_id: i64,
    metrics: Option<&RunMetrics>,
) -> Result<()> {
    let Some(m) = metrics else {
        tx.execute("DELETE FROM metrics WHERE activity_id = ?1", [activity_id])?;
        return Ok(());
    };
    let tag: Option<String> = tx
        .query_row(
            "SELECT surface FROM surface_tags WHERE activity_id = ?1",
            [activity_id],
            |r| r.get(0),
        )
        .optional()?;
    let mut m = m.clone();
    if let Some(surface) = tag.as_deref().and_then(Surface::parse) {
        m.surface = surface;
        m.surface_evidence = Evidence::RunnerTag;
    }
    tx.prepare_cached(
        "INSERT INTO metrics (activity_id, version, cross_training, distance_m, moving_s, climb_m,
            climb_m_per_km, cadence_spm, surface, part_of_day, json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (activity_id) DO UPDATE SET version = ?2, cross_training = ?3, distance_m = ?4,
            moving_s = ?5, climb_m = ?6, climb_m_per_km = ?7, cadence_spm = ?8, surface = ?9,
            part_of_day = ?10, json = ?11",
    )?
    .execute(params![
        activity_id,
        m.version,
        m.cross_training,
        m.distance_m,
        m.moving_s,
        m.elevation.map(|e| e.climb_m),
        m.elevation.map(|e| e.climb_m_per_km),
        m.cadence.as_ref().map(|c| c.running_spm),
        m.surface.as_str(),
        m.part_of_day.as_str(),
        json(&m),
    ])?;
    Ok(())
}

fn from_json<T: serde::de::DeserializeOwned>(
    activity_id: i64,
    what: &'static str,
    text: &str,
) -> Result<T> {
    serde_json::from_str(text).map_err(|reason| StoreError::Json {
        activity_id,
        what,
        reason,
    })
}

fn json<T: Serialize>(value: &T) -> String {
    // Plain structs of numbers: serializing cannot fail.
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_string())
}

#[cfg(test)]
mod tests {

    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_counted_run_is_long_enough_by_the_metrics_own_rule() {
        use crate::metrics::{MIN_RUN_M, MIN_RUN_MOVING_S};
        assert!(super::COUNTED_RUN.contains(&format!("m.distance_m >= {MIN_RUN_M}")));
        assert!(super::COUNTED_RUN.contains(&format!("m.moving_s >= {MIN_RUN_MOVING_S}")));
    }

    #[test]
    fn migration_9_marks_the_impossible_times_an_older_version_stored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tw.db");
        let now_ms = chrono::Utc::now().timestamp_millis();
        // A store as version 8 left it: a clock-less run on 1970-01-01, a
        // "run" lasting 140 days, one dated next year and an ordinary one.
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            for sql in &migrations::MIGRATIONS[..8] {
                conn.execute_batch(sql).unwrap();
            }
            conn.pragma_update(None, "user_version", 8).unwrap();
            let rows = [
                (1, 900_i64, 1_526.0),
                (2, 990_000_000_000, 140.0 * 86_400.0),
                (3, now_ms + 365 * 86_400_000, 1_800.0),
                (4, now_ms - 86_400_000, 1_800.0),
            ];
            for (id, start_ms, elapsed_s) in rows {
                conn.execute(
                    "INSERT INTO files (id, path, size, mtime_ns, content_hash, outcome,
                        first_seen_ms, ingested_ms)
                     VALUES (?1, 'f' || ?1, 1, 1, 'h' || ?1, 'complete', 0, 0)",
                    [id],
                )
                .unwrap();
                conn.execute(
                    "INSERT INTO activities (id, file_id, session_index, format, sport, sub_sport,
                        sport_label, start_ms, elapsed_s, distance_m, device, partial, richness,
                        sample_count, has_gps, has_cadence, has_altitude, has_heart_rate,
                        summary_json, laps_json, pauses_json)
                     VALUES (?1, ?1, 0, 'gpx', 'running', 'generic', 'running', ?2, ?3, 4000,
                        'x', 0, 0, 0, 0, 0, 0, 0, '{}', '[]', '[]')",
                    params![id, start_ms, elapsed_s],
                )
                .unwrap();
            }
        }
        let store = Store::open(&path).unwrap();
        assert!(store.schema_version().unwrap() >= 9);
        let unknown: Vec<(i64, Option<String>)> = store
            .activities_listed(ActivityFilter::All)
            .unwrap()
            .into_iter()
            .map(|a| (a.id, a.time_unknown))
            .collect();
        let why = |id: i64| unknown.iter().find(|u| u.0 == id).unwrap().1.clone();
        assert!(why(1).unwrap().contains("dated 1970-01-01, before 1990"));
        assert!(why(2).unwrap().contains("lasts 140 days"));
        assert!(why(3).unwrap().contains("after today"));
        assert_eq!(why(4), None);
    }
}
