//! The store's side of export bundles (`crate::bundle`): the bundle's own
//! `files` row, so an unchanged zip is skipped on size and time, and the
//! count of its entries' rows (keyed `<bundle>!/<entry>`).

use super::{FileVersion, Result, Store};
use rusqlite::params;

impl Store {
    /// Remember a bundle as read: outcome `bundle`, format `zip`, `note` as
    /// its error text (refused entries, a limit that stopped the read).
    /// Its content hash stays empty: every entry carries its own.
    pub fn record_bundle(
        &mut self,
        file: &FileVersion,
        note: Option<&str>,
        now_ms: i64,
    ) -> Result<()> {
        let tx = self.write_transaction()?;
        tx.execute(
            "INSERT INTO files (path, size, mtime_ns, content_hash, format, outcome, error, first_seen_ms, ingested_ms)
             VALUES (?1, ?2, ?3, ?4, 'zip', ?5, ?6, ?7, ?7)
             ON CONFLICT (path) DO UPDATE SET size = ?2, mtime_ns = ?3, content_hash = ?4,
                 format = 'zip', outcome = ?5, error = ?6, ingested_ms = ?7",
            params![
                file.path,
                file.size as i64,
                file.mtime_ns,
                file.content_hash,
                crate::bundle::OUTCOME,
                note,
                now_ms
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// How many `files` rows are entries of the bundle at `bundle_path`
    /// (nested ones included).
    pub fn bundle_entry_count(&self, bundle_path: &str) -> Result<usize> {
        // A range on the unique path index: every key starting with
        // "<path>!/" sorts below "<path>!0" ('0' follows '/').
        let from = format!("{bundle_path}{}", crate::bundle::ENTRY_SEPARATOR);
        let to = format!("{bundle_path}!0");
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM files WHERE path >= ?1 AND path < ?2",
            params![from, to],
            |r| r.get(0),
        )?;
        Ok(n as usize)
    }
}
