//! The three queues of messages waiting to be sent — alerts one by one
//! (`outbox`), digests, morning check-ins — share what a try records: each
//! row is tried until it is delivered or given up on.

use super::{Result, Store};
use rusqlite::params;

/// The tables of messages waiting to be sent, each row tried until it is
/// delivered or given up on: alerts sent one by one, digests, check-ins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    Outbox,
    Digests,
    Checkins,
}

/// What one try of a queued message did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt<'a> {
    /// Sent at `now_ms` (counts as a try).
    Delivered { now_ms: i64 },
    /// The try failed with `error`; the next is at `next_attempt_ms`
    /// (`GAVE_UP_MS`: never).
    Failed {
        error: &'a str,
        next_attempt_ms: i64,
    },
    /// Not tried (its sink just failed on another message): wait until
    /// `next_attempt_ms`, noting why, without counting a try.
    Postponed {
        reason: &'a str,
        next_attempt_ms: i64,
    },
}

impl Queue {
    fn table(self) -> &'static str {
        match self {
            Queue::Outbox => "outbox",
            Queue::Digests => "digests",
            Queue::Checkins => "checkin_outbox",
        }
    }

    /// Write `attempt` onto row `id`; a delivered row is left as it is.
    pub(super) fn record(
        self,
        conn: &rusqlite::Connection,
        id: i64,
        attempt: &Attempt<'_>,
    ) -> rusqlite::Result<()> {
        let table = self.table();
        match *attempt {
            Attempt::Delivered { now_ms } => conn.execute(
                &format!(
                    "UPDATE {table} SET delivered_ms = ?2, attempts = attempts + 1
                     WHERE id = ?1 AND delivered_ms IS NULL"
                ),
                params![id, now_ms],
            ),
            Attempt::Failed {
                error,
                next_attempt_ms,
            } => conn.execute(
                &format!(
                    "UPDATE {table} SET attempts = attempts + 1, last_error = ?2, next_attempt_ms = ?3
                     WHERE id = ?1 AND delivered_ms IS NULL"
                ),
                params![id, error, next_attempt_ms],
            ),
            Attempt::Postponed {
                reason,
                next_attempt_ms,
            } => conn.execute(
                &format!(
                    "UPDATE {table} SET last_error = ?2, next_attempt_ms = ?3
                     WHERE id = ?1 AND delivered_ms IS NULL"
                ),
                params![id, reason, next_attempt_ms],
            ),
        }
        .map(|_| ())
    }
}

impl Store {
    /// Record what a try of a queued message did (`queue` names its
    /// table). A digest's outcome is mirrored onto the rows it bundles.
    pub fn record_attempt(&mut self, queue: Queue, id: i64, attempt: &Attempt<'_>) -> Result<()> {
        let tx = self.write_transaction()?;
        queue.record(&tx, id, attempt)?;
        if queue == Queue::Digests {
            super::digests::mirror_members(&tx, id)?;
        }
        tx.commit()?;
        Ok(())
    }
}
