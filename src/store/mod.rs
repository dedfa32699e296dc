//! store: the SQLite database of everything tendonwatch keeps.
//!
//! This file is the handle itself: opening the database (pragmas, the
//! migrations), write transactions, the error type and the few helpers
//! every table's file shares. The tables live one file each (or one file
//! for a family of tables that are one idea), with their SQL, row types and
//! `impl Store` methods:
//!
//! | file | tables |
//! |---|---|
//! | `files` | `files`; recording one file (its activities included) |
//! | `activities` | `activities`: the rows every listing shows |
//! | `samples` | `samples` (packed by `samples_codec`) |
//! | `metrics` | `metrics` |
//! | `tags` | `surface_tags`, `sport_tags`, `start_tags` |
//! | `runs` | none: which activities count as runs, over `activities` and `metrics`; the run records the rules read |
//! | `alerts` | `alerts`, `rule_evaluations` |
//! | `gear` | `gear`, `gear_use` |
//! | `outbox`, `digests` | `outbox`, `digests` |
//! | `pain`, `pain_csv` | `pain`, `visa_a` |
//! | `web` | `web_sessions` |
//! | `bundle`, `export` | reads and writes of `files` and `gear` for those commands |
//!
//! The store never touches the source files themselves.

mod activities;
pub mod alerts;
mod bundle;
pub mod checkins;
pub mod digests;
pub mod export;
mod files;
pub mod folders;
pub mod gear;
mod metrics;
mod migrations;
pub mod outbox;
pub mod pain;
pub mod pain_csv;
pub mod queue;
mod runs;
mod samples;
pub mod samples_codec;
mod tags;
pub mod web;

pub use activities::{ActivityFilter, ActivityRow};
pub use files::{
    FileReport, FileRow, FileVersion, KnownFile, SAME_RUN_DURATION_FRACTION, SAME_RUN_START_MS,
    richness,
};
pub use runs::COUNTED_RUN;

use rusqlite::{Connection, Transaction};
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
}

/// A JSON column read back (summary, laps, metrics, …); `what` names it
/// in the error.
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

/// A value as a JSON column.
fn json<T: Serialize>(value: &T) -> String {
    // Plain structs of numbers: serializing cannot fail.
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_string())
}

#[cfg(test)]
mod tests {

    #![allow(clippy::unwrap_used)]
    use super::*;
    use rusqlite::params;

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
