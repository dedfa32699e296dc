//! The store's side of the dashboard: login sessions, by token hash.

use super::{Result, Store};
use rusqlite::params;

impl Store {
    pub fn add_web_session(
        &mut self,
        token_hash: &str,
        now_ms: i64,
        expires_ms: i64,
    ) -> Result<()> {
        let tx = self.write_transaction()?;
        tx.execute(
            "DELETE FROM web_sessions WHERE expires_ms <= ?1",
            params![now_ms],
        )?;
        tx.execute(
            "INSERT OR REPLACE INTO web_sessions (token_hash, created_ms, expires_ms) VALUES (?1, ?2, ?3)",
            params![token_hash, now_ms, expires_ms],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// A session that exists and has not expired.
    pub fn web_session_valid(&self, token_hash: &str, now_ms: i64) -> Result<bool> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM web_sessions WHERE token_hash = ?1 AND expires_ms > ?2",
            params![token_hash, now_ms],
            |r| r.get(0),
        )?;
        Ok(n > 0)
    }

    pub fn remove_web_session(&mut self, token_hash: &str) -> Result<()> {
        self.conn.execute(
            "DELETE FROM web_sessions WHERE token_hash = ?1",
            params![token_hash],
        )?;
        Ok(())
    }
}
