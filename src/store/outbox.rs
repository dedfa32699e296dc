//! The store's side of delivery: which (alert, sink) pairs are due, and what
//! each attempt did. `record_findings` writes the rows; `notify` reads and
//! marks them, so an alert queued before a crash or an outage is still sent.
//!
//! Rows of `high` alerts are sent one by one, as soon as they are due; rows
//! of other severities wait to be bundled into the sink's daily digest
//! (`store::digests`, RULES.md H).

use super::alerts::{ALERT_COLUMNS, Alert, alert_at};
use super::{Result, Store};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

/// `next_attempt_ms` of a row that will never be tried again (a permanent
/// failure, or too many attempts). Far beyond any clock, so such rows are
/// never due and `next_due_ms` ignores them.
pub const GAVE_UP_MS: i64 = i64::MAX;

/// The severity whose rows are pushed one by one, at once. Every other
/// queued severity waits for the digest (`info` is never queued).
pub const PUSHED_AT_ONCE: &str = "high";

/// One (alert, sink) delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxRow {
    pub id: i64,
    pub alert_id: i64,
    /// "desktop", "ntfy", "gotify" or "webhook" (`NotifyConfig::sinks`).
    pub sink: String,
    /// Tries so far, the successful one included.
    pub attempts: i64,
    pub next_attempt_ms: i64,
    pub delivered_ms: Option<i64>,
    /// Why the latest failed try failed; kept after a later success.
    pub last_error: Option<String>,
    /// The digest this row was bundled into (`warn` alerts), if it was.
    pub digest_id: Option<i64>,
}

impl OutboxRow {
    /// Not delivered and never to be tried again.
    pub fn gave_up(&self) -> bool {
        gave_up(self.delivered_ms, self.next_attempt_ms)
    }
}

/// Not delivered and never to be tried again: an outbox row or a digest.
pub(super) fn gave_up(delivered_ms: Option<i64>, next_attempt_ms: i64) -> bool {
    delivered_ms.is_none() && next_attempt_ms == GAVE_UP_MS
}

const OUTBOX_COLUMNS: &str =
    "o.id, o.alert_id, o.sink, o.attempts, o.next_attempt_ms, o.delivered_ms,
    o.last_error, o.digest_id";

fn outbox_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxRow> {
    Ok(OutboxRow {
        id: r.get(0)?,
        alert_id: r.get(1)?,
        sink: r.get(2)?,
        attempts: r.get(3)?,
        next_attempt_ms: r.get(4)?,
        delivered_ms: r.get(5)?,
        last_error: r.get(6)?,
        digest_id: r.get(7)?,
    })
}

fn alert_after_outbox(r: &rusqlite::Row<'_>) -> rusqlite::Result<Alert> {
    alert_at(r, 8)
}

/// The sink list is small and fixed ("desktop", "ntfy", …): it is passed to
/// SQL as one JSON array parameter instead of building placeholders.
pub(super) fn sinks_json(sinks: Option<&[&str]>) -> Option<String> {
    sinks.map(|s| serde_json::to_string(s).unwrap_or_else(|_| "[]".into()))
}

impl Store {
    /// Undelivered rows sent one by one (`high` alerts) whose next attempt is
    /// due at `now_ms`, with their alert, oldest first (by outbox id, i.e. by
    /// the order alerts were queued). Rows waiting for a digest are not here.
    pub fn due_deliveries(&self, now_ms: i64, limit: usize) -> Result<Vec<(OutboxRow, Alert)>> {
        self.due_deliveries_where(now_ms, None, limit)
    }

    /// As `due_deliveries`, only for the named sinks: rows of a sink that is
    /// no longer configured must not fill the batch and starve the others.
    pub fn due_deliveries_for(
        &self,
        now_ms: i64,
        sinks: &[&str],
        limit: usize,
    ) -> Result<Vec<(OutboxRow, Alert)>> {
        self.due_deliveries_where(now_ms, Some(sinks), limit)
    }

    fn due_deliveries_where(
        &self,
        now_ms: i64,
        sinks: Option<&[&str]>,
        limit: usize,
    ) -> Result<Vec<(OutboxRow, Alert)>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {OUTBOX_COLUMNS}, {ALERT_COLUMNS}
             FROM outbox o JOIN alerts a ON a.id = o.alert_id
             WHERE o.delivered_ms IS NULL AND o.next_attempt_ms <= ?1
               AND o.digest_id IS NULL AND a.severity = '{PUSHED_AT_ONCE}'
               AND (?2 IS NULL OR o.sink IN (SELECT value FROM json_each(?2)))
             ORDER BY o.id
             LIMIT ?3"
        ))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(params![now_ms, sinks_json(sinks), limit], |r| {
            Ok((outbox_row(r)?, alert_after_outbox(r)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// When the earliest row sent on its own (`high`) or bundled digest falls
    /// due (possibly in the past), or None when nothing is waiting. Rows
    /// given up on do not count, nor rows still waiting to be bundled: when
    /// their digest goes depends on the digest hour (`notify::next_due_ms`
    /// adds it, and quiet hours).
    pub fn next_due_ms(&self) -> Result<Option<i64>> {
        self.next_due_ms_where(None)
    }

    /// As `next_due_ms`, only for the named sinks.
    pub fn next_due_ms_for(&self, sinks: &[&str]) -> Result<Option<i64>> {
        self.next_due_ms_where(Some(sinks))
    }

    fn next_due_ms_where(&self, sinks: Option<&[&str]>) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT MIN(due) FROM (
                       SELECT o.next_attempt_ms AS due, o.sink AS sink
                         FROM outbox o JOIN alerts a ON a.id = o.alert_id
                        WHERE o.delivered_ms IS NULL AND o.digest_id IS NULL
                          AND a.severity = '{PUSHED_AT_ONCE}'
                       UNION ALL
                       SELECT next_attempt_ms, sink FROM digests WHERE delivered_ms IS NULL)
                     WHERE due < ?1
                       AND (?2 IS NULL OR sink IN (SELECT value FROM json_each(?2)))"
                ),
                params![GAVE_UP_MS, sinks_json(sinks)],
                |r| r.get::<_, Option<i64>>(0),
            )
            .optional()?
            .flatten())
    }

    /// Every outbox row, in queue order (for `status` and tests).
    pub fn outbox_rows(&self) -> Result<Vec<OutboxRow>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox o ORDER BY o.id"
        ))?;
        let rows = stmt.query_map([], outbox_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
