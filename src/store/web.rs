//! The store's side of the dashboard: login sessions, by token hash, each
//! for one account ('' where the store serves one runner) and the password
//! it was opened with (a tag of its hash).

use super::{Result, Store};
use rusqlite::params;

impl Store {
    pub fn add_web_session(
        &mut self,
        token_hash: &str,
        account: &str,
        password_tag: &str,
        now_ms: i64,
        expires_ms: i64,
    ) -> Result<()> {
        let tx = self.write_transaction()?;
        tx.execute(
            "DELETE FROM web_sessions WHERE expires_ms <= ?1",
            params![now_ms],
        )?;
        tx.execute(
            "INSERT OR REPLACE INTO web_sessions (token_hash, account, password_tag, created_ms, expires_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![token_hash, account, password_tag, now_ms, expires_ms],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The account and password tag of a session that exists and has not
    /// expired.
    pub fn web_session_account(
        &self,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<Option<(String, String)>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row(
                "SELECT account, password_tag FROM web_sessions WHERE token_hash = ?1 AND expires_ms > ?2",
                params![token_hash, now_ms],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    pub fn remove_web_session(&mut self, token_hash: &str) -> Result<()> {
        self.conn.execute(
            "DELETE FROM web_sessions WHERE token_hash = ?1",
            params![token_hash],
        )?;
        Ok(())
    }

    /// Forget every session of an account not in `accounts`, so that a
    /// name taken out of the config and later put back does not find its
    /// old logins. The number forgotten.
    pub fn keep_web_sessions_of(&mut self, accounts: &[&str]) -> Result<usize> {
        let tx = self.write_transaction()?;
        let stored: Vec<String> = tx
            .prepare("SELECT DISTINCT account FROM web_sessions")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut gone = 0;
        for account in stored.iter().filter(|a| !accounts.contains(&a.as_str())) {
            gone += tx.execute(
                "DELETE FROM web_sessions WHERE account = ?1",
                params![account],
            )?;
        }
        tx.commit()?;
        Ok(gone)
    }
}
