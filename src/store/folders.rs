//! The sync folders the daemon is waiting for — missing (not mounted yet)
//! or unreadable — and why, as the daemon last saw them: what `status`
//! reads to say which folder and why. The daemon rewrites the whole set
//! whenever it changes, and clears it when it stops.

use super::{Result, Store};
use rusqlite::params;
use serde::Serialize;

/// One folder waited for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FolderRecord {
    pub path: String,
    /// missing, not_a_folder or unreadable (`watch::FolderProblem::kind`).
    pub kind: String,
    /// Why it is unreadable ("permission denied").
    pub reason: Option<String>,
    /// Waited for since.
    pub since_ms: i64,
    /// When the daemon last looked.
    pub checked_ms: i64,
}

impl Store {
    /// The folders waited for now: these, and no others.
    pub fn set_folder_problems(&mut self, folders: &[FolderRecord]) -> Result<()> {
        let tx = self.write_transaction()?;
        tx.execute("DELETE FROM folder_problems", [])?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT OR REPLACE INTO folder_problems (path, kind, reason, since_ms, checked_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for f in folders {
                stmt.execute(params![f.path, f.kind, f.reason, f.since_ms, f.checked_ms])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The folders the daemon is waiting for, by path.
    pub fn folder_problems(&self) -> Result<Vec<FolderRecord>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT path, kind, reason, since_ms, checked_ms FROM folder_problems ORDER BY path",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(FolderRecord {
                path: r.get(0)?,
                kind: r.get(1)?,
                reason: r.get(2)?,
                since_ms: r.get(3)?,
                checked_ms: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
