//! The store's side of the daily digest (RULES.md H): outbox rows of `warn`
//! alerts wait, unbundled, until `notify` decides their sink's digest hour
//! has come; then one transaction creates the digest and claims them.
//!
//! Exactly-once membership: a row names its digest in `outbox.digest_id`,
//! set only while it is still unbundled, in the same transaction that
//! creates the digest. A crash after that commit leaves a bundled digest
//! that is sent as it is after a restart (same members, same id); a crash
//! before it leaves nothing bundled. Alerts queued later wait for the next
//! digest. While bundled, each member's attempts, next try, delivery and
//! last error mirror its digest's, so the outbox alone tells what happened
//! to every alert.

use super::alerts::{ALERT_COLUMNS, Alert, alert_at};
use super::outbox::{GAVE_UP_MS, PUSHED_AT_ONCE, gave_up, sinks_json};
use super::{Result, Store};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;

/// One digest: a message to one sink bundling `warn` alerts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DigestRow {
    pub id: i64,
    pub sink: String,
    /// When its members were claimed.
    pub bundled_ms: i64,
    /// Tries so far, the successful one included.
    pub attempts: i64,
    pub next_attempt_ms: i64,
    pub delivered_ms: Option<i64>,
    pub last_error: Option<String>,
}

impl DigestRow {
    /// Not delivered and never to be tried again.
    pub fn gave_up(&self) -> bool {
        gave_up(self.delivered_ms, self.next_attempt_ms)
    }
}

const DIGEST_COLUMNS: &str =
    "d.id, d.sink, d.bundled_ms, d.attempts, d.next_attempt_ms, d.delivered_ms, d.last_error";

fn digest_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DigestRow> {
    Ok(DigestRow {
        id: r.get(0)?,
        sink: r.get(1)?,
        bundled_ms: r.get(2)?,
        attempts: r.get(3)?,
        next_attempt_ms: r.get(4)?,
        delivered_ms: r.get(5)?,
        last_error: r.get(6)?,
    })
}

/// The outbox rows a digest may claim: unbundled, undelivered, not given
/// up, of an alert that is not pushed at once. `o` is the outbox row.
fn waiting_sql() -> String {
    format!(
        "o.digest_id IS NULL AND o.delivered_ms IS NULL AND o.next_attempt_ms < {GAVE_UP_MS}
         AND o.alert_id IN (SELECT id FROM alerts WHERE severity <> '{PUSHED_AT_ONCE}')"
    )
}

/// Copy a digest's state onto its members (same transaction as the change).
pub(super) fn mirror_members(tx: &Transaction<'_>, digest_id: i64) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE outbox SET (attempts, next_attempt_ms, delivered_ms, last_error) =
            (SELECT attempts, next_attempt_ms, delivered_ms, last_error FROM digests WHERE id = ?1)
         WHERE digest_id = ?1",
        [digest_id],
    )?;
    Ok(())
}

impl Store {
    /// When the oldest alert waiting for a digest of one of `sinks` was
    /// queued (its `created_ms`), or None when none waits. A sink whose last
    /// digest is still on its way (neither delivered nor given up) has
    /// nothing waiting yet: its alerts can only be bundled after it.
    pub fn waiting_for_digest_since(&self, sinks: &[&str]) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT MIN(a.created_ms) FROM outbox o JOIN alerts a ON a.id = o.alert_id
                     WHERE {} AND o.sink IN (SELECT value FROM json_each(?1))
                       AND o.sink NOT IN (SELECT sink FROM digests
                                          WHERE delivered_ms IS NULL AND next_attempt_ms < ?2)",
                    waiting_sql()
                ),
                params![sinks_json(Some(sinks)), GAVE_UP_MS],
                |r| r.get::<_, Option<i64>>(0),
            )
            .optional()?
            .flatten())
    }

    /// Bundle every alert waiting for `sink`'s digest and queued at or
    /// before `now_ms` into a new digest, due at once — one transaction.
    /// None when nothing waits, or when the sink still has a digest that is
    /// neither delivered nor given up (its members wait for the next one:
    /// one digest on the way per sink at a time).
    pub fn bundle_digest(&mut self, sink: &str, now_ms: i64) -> Result<Option<DigestRow>> {
        let tx = self.write_transaction()?;
        let pending: Option<i64> = tx
            .query_row(
                "SELECT id FROM digests WHERE sink = ?1 AND delivered_ms IS NULL
                   AND next_attempt_ms < ?2 LIMIT 1",
                params![sink, GAVE_UP_MS],
                |r| r.get(0),
            )
            .optional()?;
        if pending.is_some() {
            return Ok(None);
        }
        tx.execute(
            "INSERT INTO digests (sink, bundled_ms, next_attempt_ms) VALUES (?1, ?2, ?2)",
            params![sink, now_ms],
        )?;
        let id = tx.last_insert_rowid();
        let claimed = tx.execute(
            &format!(
                "UPDATE outbox AS o SET digest_id = ?1 WHERE o.sink = ?2 AND {}
                   AND o.alert_id IN (SELECT id FROM alerts WHERE created_ms <= ?3)",
                waiting_sql()
            ),
            params![id, sink, now_ms],
        )?;
        if claimed == 0 {
            // Dropping the transaction rolls the empty digest back.
            return Ok(None);
        }
        mirror_members(&tx, id)?;
        let row = tx.query_row(
            &format!("SELECT {DIGEST_COLUMNS} FROM digests d WHERE d.id = ?1"),
            [id],
            digest_row,
        )?;
        tx.commit()?;
        Ok(Some(row))
    }

    /// Digests of `sinks` neither delivered nor given up whose next try is
    /// due at `now_ms`, oldest first.
    pub fn due_digests_for(&self, now_ms: i64, sinks: &[&str]) -> Result<Vec<DigestRow>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {DIGEST_COLUMNS} FROM digests d
             WHERE d.delivered_ms IS NULL AND d.next_attempt_ms <= ?1
               AND d.sink IN (SELECT value FROM json_each(?2))
             ORDER BY d.id"
        ))?;
        let rows = stmt.query_map(params![now_ms, sinks_json(Some(sinks))], digest_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The alerts a digest bundles, in the order they were queued.
    pub fn digest_members(&self, digest_id: i64) -> Result<Vec<Alert>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ALERT_COLUMNS} FROM outbox o JOIN alerts a ON a.id = o.alert_id
             WHERE o.digest_id = ?1 ORDER BY o.id"
        ))?;
        let rows = stmt.query_map([digest_id], |r| alert_at(r, 0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every digest, oldest first (for tests and inspection).
    pub fn digests(&self) -> Result<Vec<DigestRow>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {DIGEST_COLUMNS} FROM digests d ORDER BY d.id"
        ))?;
        let rows = stmt.query_map([], digest_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn migration_7_stops_pushing_info_alerts_queued_by_an_older_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tw.db");
        // A store as version 6 left it: an info alert waiting in the
        // outbox, an info alert already delivered, a warn alert waiting.
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            for sql in &super::super::migrations::MIGRATIONS[..6] {
                conn.execute_batch(sql).unwrap();
            }
            conn.pragma_update(None, "user_version", 6).unwrap();
            for (id, severity) in [(1, "info"), (2, "info"), (3, "warn")] {
                conn.execute(
                    "INSERT INTO alerts (id, kind, severity, window_start_ms, window_end_ms,
                        measured, baseline, threshold, unit, what_changed, what_to_do, source,
                        cause, created_ms, delivery)
                     VALUES (?1, 'acwr', ?2, 0, 0, 0, 0, 0, '', '', '', '', ?1, 0, 'queued')",
                    params![id, severity],
                )
                .unwrap();
                let delivered: Option<i64> = (id == 2).then_some(5);
                conn.execute(
                    "INSERT INTO outbox (alert_id, sink, next_attempt_ms, delivered_ms)
                     VALUES (?1, 'webhook', 0, ?2)",
                    params![id, delivered],
                )
                .unwrap();
            }
        }
        let store = Store::open(&path).unwrap();
        assert!(store.schema_version().unwrap() >= 7);
        let delivery: Vec<(i64, String)> = store
            .alerts(true)
            .unwrap()
            .into_iter()
            .map(|a| (a.id, a.delivery))
            .collect();
        assert!(delivery.contains(&(1, "shown".to_string())));
        assert!(
            delivery.contains(&(2, "queued".to_string())),
            "it was pushed"
        );
        assert!(delivery.contains(&(3, "queued".to_string())));
        let rows: Vec<i64> = store
            .outbox_rows()
            .unwrap()
            .iter()
            .map(|r| r.alert_id)
            .collect();
        assert_eq!(rows, vec![2, 3]);
        assert_eq!(
            store.waiting_for_digest_since(&["webhook"]).unwrap(),
            Some(0)
        );
        assert!(store.digests().unwrap().is_empty());
    }
}
