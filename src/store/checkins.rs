//! The store's side of the morning check-in (RULES.md I): which mornings
//! were asked (one row per local date, so never twice), their delivery
//! to each sink, and the answer — the `morning` pain entry naming the
//! morning, replaced when the runner answers again.
//!
//! A morning's row and its delivery rows are written in one transaction,
//! so a crash between deciding and sending leaves rows that are sent on
//! restart, once.

use super::outbox::sinks_json;
use super::pain::NewPain;
use super::{Result, Store};
use crate::pain::{PainKind, Side};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

/// One (morning, sink) delivery of the check-in question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckinRow {
    pub id: i64,
    /// The runner's local date the question is about, "YYYY-MM-DD".
    pub date: String,
    pub sink: String,
    pub attempts: i64,
    pub next_attempt_ms: i64,
    pub delivered_ms: Option<i64>,
    pub last_error: Option<String>,
}

const COLUMNS: &str = "id, date, sink, attempts, next_attempt_ms, delivered_ms, last_error";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CheckinRow> {
    Ok(CheckinRow {
        id: r.get(0)?,
        date: r.get(1)?,
        sink: r.get(2)?,
        attempts: r.get(3)?,
        next_attempt_ms: r.get(4)?,
        delivered_ms: r.get(5)?,
        last_error: r.get(6)?,
    })
}

impl Store {
    /// Ask `date`'s question on `sinks`: the morning's row and one delivery
    /// row per sink, due at `now_ms`, in one transaction. False (and
    /// nothing written) when the morning was asked before.
    pub fn decide_checkin(&mut self, date: &str, sinks: &[&str], now_ms: i64) -> Result<bool> {
        self.queue_checkin(date, sinks, now_ms, false)
    }

    /// Ask `date`'s question on `sinks` now, whatever was decided before
    /// (`tendonwatch checkin send`): the morning counts as asked from now
    /// on, and each sink without a row for it gets one. Returns the rows
    /// of `sinks` for that morning, to be sent at once.
    pub fn ask_checkin_now(
        &mut self,
        date: &str,
        sinks: &[&str],
        now_ms: i64,
    ) -> Result<Vec<CheckinRow>> {
        self.queue_checkin(date, sinks, now_ms, true)?;
        self.checkin_rows_of(date, sinks)
    }

    /// The delivery rows of `date`'s question on `sinks`, oldest first.
    pub fn checkin_rows_of(&self, date: &str, sinks: &[&str]) -> Result<Vec<CheckinRow>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM checkin_outbox
             WHERE date = ?1 AND sink IN (SELECT value FROM json_each(?2))
             ORDER BY id"
        ))?;
        let rows = stmt.query_map(params![date, sinks_json(Some(sinks))], row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The morning's row and, when it is new or `again`, a delivery row
    /// per sink that has none, in one transaction. True when the morning
    /// was not asked before.
    fn queue_checkin(
        &mut self,
        date: &str,
        sinks: &[&str],
        now_ms: i64,
        again: bool,
    ) -> Result<bool> {
        let tx = self.write_transaction()?;
        let new = tx.execute(
            "INSERT OR IGNORE INTO checkins (date, decided_ms) VALUES (?1, ?2)",
            params![date, now_ms],
        )? == 1;
        if new || again {
            for sink in sinks {
                tx.execute(
                    "INSERT OR IGNORE INTO checkin_outbox (date, sink, next_attempt_ms)
                     VALUES (?1, ?2, ?3)",
                    params![date, sink, now_ms],
                )?;
            }
        }
        tx.commit()?;
        Ok(new)
    }

    /// When `date`'s question was decided, if it was.
    pub fn checkin_decided_ms(&self, date: &str) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                "SELECT decided_ms FROM checkins WHERE date = ?1",
                [date],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Undelivered check-in rows of `sinks` due at `now_ms`, oldest first.
    pub fn due_checkins_for(&self, now_ms: i64, sinks: &[&str]) -> Result<Vec<CheckinRow>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM checkin_outbox
             WHERE delivered_ms IS NULL AND next_attempt_ms <= ?1
               AND sink IN (SELECT value FROM json_each(?2))
             ORDER BY id"
        ))?;
        let rows = stmt.query_map(params![now_ms, sinks_json(Some(sinks))], row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The earliest next try of an undelivered check-in row of `sinks`
    /// (rows given up on do not count).
    pub fn next_checkin_due_ms_for(&self, sinks: &[&str]) -> Result<Option<i64>> {
        Ok(self.conn.query_row(
            "SELECT MIN(next_attempt_ms) FROM checkin_outbox
             WHERE delivered_ms IS NULL AND next_attempt_ms < ?1
               AND sink IN (SELECT value FROM json_each(?2))",
            params![super::outbox::GAVE_UP_MS, sinks_json(Some(sinks))],
            |r| r.get(0),
        )?)
    }

    /// Every check-in delivery row, oldest first (for `checkin status`
    /// and tests).
    pub fn checkin_rows(&self) -> Result<Vec<CheckinRow>> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {COLUMNS} FROM checkin_outbox ORDER BY id"))?;
        let rows = stmt.query_map([], row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The runner's answer for `date`, whose local day is [`day.0`,
    /// `day.1`): a `morning` entry at `answer.at_ms`. A morning has one
    /// entry, never two: a second answer replaces the first, and so does
    /// an answer after a morning entry logged another way that day (the
    /// pain page, the CLI) — whose note is kept when the answer has none.
    /// Returns the entry's id.
    pub fn answer_checkin(
        &mut self,
        date: &str,
        day: (i64, i64),
        answer: &NewPain,
        now_ms: i64,
    ) -> Result<i64> {
        let earlier: Option<(i64, Option<String>)> = self
            .conn
            .query_row(
                "SELECT id, note FROM pain
                  WHERE deleted_ms IS NULL
                    AND (checkin_date = ?1
                         OR (kind = 'morning' AND at_ms >= ?2 AND at_ms < ?3))
                  ORDER BY checkin_date IS NULL, at_ms DESC, id DESC
                  LIMIT 1",
                params![date, day.0, day.1],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let mut answer = NewPain {
            kind: PainKind::Morning,
            ..answer.clone()
        };
        let id = match earlier {
            Some((id, note)) => {
                answer.note = answer.note.or(note);
                self.update_pain(id, &answer)?;
                id
            }
            None => self.add_pain(&answer, now_ms)?,
        };
        self.conn.execute(
            "UPDATE pain SET checkin_date = ?2 WHERE id = ?1",
            params![id, date],
        )?;
        Ok(id)
    }

    /// The latest live `morning` entry logged in [from_ms, to_ms): its
    /// score and whether it has other fields (stiffness, side) — what
    /// "same as yesterday" repeats.
    pub fn morning_between(&self, from_ms: i64, to_ms: i64) -> Result<Option<MorningAnswer>> {
        Ok(self
            .conn
            .query_row(
                "SELECT score, stiffness_min, side, at_ms FROM pain
                 WHERE kind = 'morning' AND deleted_ms IS NULL AND at_ms >= ?1 AND at_ms < ?2
                 ORDER BY at_ms DESC, id DESC LIMIT 1",
                params![from_ms, to_ms],
                |r| {
                    let side: Option<String> = r.get(2)?;
                    Ok(MorningAnswer {
                        score: r.get(0)?,
                        stiffness_min: r.get(1)?,
                        side: side.as_deref().and_then(|s| Side::parse(s).ok()),
                        at_ms: r.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    /// Whether a counted run started in [from_ms, to_ms) (a run day).
    pub fn ran_between(&self, from_ms: i64, to_ms: i64) -> Result<bool> {
        Ok(self.conn.query_row(
            &format!(
                "SELECT EXISTS (SELECT 1 FROM activities a JOIN metrics m ON m.activity_id = a.id
                  WHERE a.start_ms >= ?1 AND a.start_ms < ?2 AND {})",
                super::COUNTED_RUN
            ),
            params![from_ms, to_ms],
            |r| r.get(0),
        )?)
    }
}

/// A logged morning, as the check-in reads it back.
#[derive(Debug, Clone, PartialEq)]
pub struct MorningAnswer {
    pub score: f64,
    pub stiffness_min: Option<f64>,
    pub side: Option<Side>,
    pub at_ms: i64,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::store::queue::{Attempt, Queue};

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("tw.db")).unwrap();
        (dir, store)
    }

    fn answer(at_ms: i64, score: f64) -> NewPain {
        NewPain {
            at_ms,
            score,
            kind: PainKind::After,
            stiffness_min: None,
            side: None,
            note: None,
        }
    }

    #[test]
    fn a_morning_is_asked_once_with_one_row_per_sink() {
        let (_dir, mut s) = store();
        assert!(
            s.decide_checkin("2026-12-07", &["ntfy", "desktop"], 10)
                .unwrap()
        );
        assert!(
            !s.decide_checkin("2026-12-07", &["ntfy", "desktop"], 20)
                .unwrap()
        );
        assert_eq!(s.checkin_decided_ms("2026-12-07").unwrap(), Some(10));
        let due = s.due_checkins_for(10, &["ntfy"]).unwrap();
        assert_eq!(due.len(), 1);
        s.record_attempt(
            Queue::Checkins,
            due[0].id,
            &Attempt::Delivered { now_ms: 11 },
        )
        .unwrap();
        assert!(s.due_checkins_for(11, &["ntfy"]).unwrap().is_empty());
        assert_eq!(
            s.next_checkin_due_ms_for(&["ntfy", "desktop"]).unwrap(),
            Some(10)
        );
        assert_eq!(s.checkin_rows().unwrap().len(), 2);
    }

    /// The local day of "2026-12-07" in these tests.
    const DAY: (i64, i64) = (0, 10_000);

    #[test]
    fn an_answer_replaces_a_morning_logged_another_way_that_day_keeping_its_note() {
        let (_dir, mut s) = store();
        let yesterday = s.add_pain(&NewPain::morning(-500, 1.0), -500).unwrap();
        let by_hand = NewPain {
            note: Some("stiff on the stairs".into()),
            ..NewPain::morning(1000, 4.0)
        };
        let logged = s.add_pain(&by_hand, 1000).unwrap();
        let id = s
            .answer_checkin("2026-12-07", DAY, &answer(2000, 3.0), 2000)
            .unwrap();
        assert_eq!(id, logged);
        let (entries, _) = s.pain_listed(10_000, 3000).unwrap();
        assert_eq!(entries.len(), 2, "{entries:?}");
        let today = s.pain_entry(id).unwrap().unwrap();
        assert_eq!(
            (today.score, today.note.as_deref()),
            (3.0, Some("stiff on the stairs"))
        );
        assert_eq!(s.pain_entry(yesterday).unwrap().unwrap().score, 1.0);
    }

    #[test]
    fn answering_again_replaces_the_answer() {
        let (_dir, mut s) = store();
        let a = s
            .answer_checkin("2026-12-07", DAY, &answer(1000, 4.0), 1000)
            .unwrap();
        let b = s
            .answer_checkin("2026-12-07", DAY, &answer(2000, 2.0), 2000)
            .unwrap();
        assert_eq!(a, b);
        let (entries, _) = s.pain_listed(10_000, 3000).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].score, 2.0);
        assert_eq!(entries[0].kind, PainKind::Morning);
        let m = s.morning_between(0, 3000).unwrap().unwrap();
        assert_eq!((m.score, m.at_ms), (2.0, 2000));
        // Deleted, answered anew, and the old one brought back: one live
        // entry still names the morning.
        s.delete_pain(a, 2500).unwrap();
        s.answer_checkin("2026-12-07", DAY, &answer(2600, 3.0), 2600)
            .unwrap();
        assert_eq!(s.undo_pain_delete().unwrap(), Some(a));
        let c = s
            .answer_checkin("2026-12-07", DAY, &answer(2700, 1.0), 2700)
            .unwrap();
        assert_ne!(c, a);
    }
}
