//! The store's side of the pain log: entries are never deleted, only marked
//! (and can be brought back); VISA-A scores; the watch's own post-run
//! effort and feel, read from the activities.

use super::{Result, Store};
use crate::pain::{PainEntry, PainKind, Side, VisaA};
use crate::zone::DAY_MS;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

/// How far after an entry its verdicts reach: the next morning (30 h)
/// and the two weeks a morning's trend compares.
pub const PAIN_REACH_MS: i64 = 15 * DAY_MS;

/// What the runner logs (everything but the id).
#[derive(Debug, Clone, PartialEq)]
pub struct NewPain {
    pub at_ms: i64,
    pub score: f64,
    pub kind: PainKind,
    pub stiffness_min: Option<f64>,
    pub side: Option<Side>,
    pub note: Option<String>,
}

impl NewPain {
    /// A bare `morning` score at `at_ms`: no stiffness, side or note.
    pub fn morning(at_ms: i64, score: f64) -> NewPain {
        NewPain {
            at_ms,
            score,
            kind: PainKind::Morning,
            stiffness_min: None,
            side: None,
            note: None,
        }
    }
}

/// Post-run effort and feel the watch asked for, shown as an `after` entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WatchFeel {
    pub activity_id: i64,
    pub at_ms: i64,
    pub rpe: Option<f64>,
    pub feel: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VisaARecord {
    pub id: i64,
    pub at_ms: i64,
    pub score: f64,
    pub answers: VisaA,
}

fn entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<PainEntry> {
    let kind: String = r.get(3)?;
    let side: Option<String> = r.get(5)?;
    Ok(PainEntry {
        id: r.get(0)?,
        at_ms: r.get(1)?,
        score: r.get(2)?,
        kind: PainKind::parse(&kind).unwrap_or(PainKind::After),
        stiffness_min: r.get(4)?,
        side: side.as_deref().and_then(|s| Side::parse(s).ok()),
        note: r.get(6)?,
    })
}

const PAIN_COLUMNS: &str = "id, at_ms, score, kind, stiffness_min, side, note";

impl Store {
    /// When the last run that ended by `at_ms` (within two days) ended: what
    /// `pain::guess_kind` needs to tell "after" from "morning".
    pub fn last_run_end(&self, at_ms: i64) -> Result<Option<i64>> {
        // Only instants are read here: any zone serves.
        let zone = crate::zone::Zone::Fixed(0);
        let runs = self.run_records(at_ms - 2 * crate::zone::DAY_MS, at_ms + 1, &zone)?;
        Ok(runs
            .iter()
            .map(|r| r.end_ms())
            .filter(|end| *end <= at_ms)
            .max())
    }

    pub fn add_pain(&mut self, p: &NewPain, now_ms: i64) -> Result<i64> {
        self.rejudge_pain_near(p.at_ms)?;
        self.conn.execute(
            "INSERT INTO pain (at_ms, score, kind, stiffness_min, side, note, created_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                p.at_ms,
                p.score,
                p.kind.as_str(),
                p.stiffness_min,
                p.side.map(Side::as_str),
                p.note,
                now_ms
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Entries whose verdicts an entry at `at_ms` can change are judged
    /// again: the morning after it and the weeks its trend compares.
    fn rejudge_pain_near(&self, at_ms: i64) -> Result<()> {
        self.rejudge_pain(at_ms - DAY_MS, at_ms + PAIN_REACH_MS)
    }

    /// Judge again the live entries in [from_ms, to_ms): a run or an entry
    /// arrived that they are judged against.
    pub fn rejudge_pain(&self, from_ms: i64, to_ms: i64) -> Result<()> {
        self.conn.execute(
            "UPDATE pain SET judged_ms = NULL
             WHERE at_ms >= ?1 AND at_ms < ?2 AND deleted_ms IS NULL AND judged_ms IS NOT NULL",
            params![from_ms, to_ms],
        )?;
        Ok(())
    }

    /// Live entries the pain rules have still to judge, oldest first.
    pub fn pain_to_judge(&self) -> Result<Vec<(i64, i64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, at_ms FROM pain WHERE judged_ms IS NULL AND deleted_ms IS NULL
             ORDER BY at_ms, id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The pain rules have judged these entries.
    pub fn mark_pain_judged(&mut self, ids: &[i64], now_ms: i64) -> Result<()> {
        let tx = self.write_transaction()?;
        {
            let mut stmt = tx.prepare_cached("UPDATE pain SET judged_ms = ?2 WHERE id = ?1")?;
            for id in ids {
                stmt.execute(params![id, now_ms])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// A live (not deleted) entry.
    pub fn pain_entry(&self, id: i64) -> Result<Option<PainEntry>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {PAIN_COLUMNS} FROM pain WHERE id = ?1 AND deleted_ms IS NULL"),
                [id],
                entry,
            )
            .optional()?)
    }

    /// Replace a live entry's fields. Returns false if there is none.
    pub fn update_pain(&mut self, id: i64, p: &NewPain) -> Result<bool> {
        if let Some(old) = self.pain_entry(id)? {
            self.rejudge_pain_near(old.at_ms)?;
        }
        self.rejudge_pain_near(p.at_ms)?;
        let n = self.conn.execute(
            "UPDATE pain SET at_ms = ?2, score = ?3, kind = ?4, stiffness_min = ?5, side = ?6, note = ?7,
                judged_ms = NULL
             WHERE id = ?1 AND deleted_ms IS NULL",
            params![
                id,
                p.at_ms,
                p.score,
                p.kind.as_str(),
                p.stiffness_min,
                p.side.map(Side::as_str),
                p.note
            ],
        )?;
        Ok(n == 1)
    }

    /// Mark an entry deleted (it stays in the store; `undo_pain_delete`
    /// brings it back).
    pub fn delete_pain(&mut self, id: i64, now_ms: i64) -> Result<bool> {
        let n = self.conn.execute(
            "UPDATE pain SET deleted_ms = ?2 WHERE id = ?1 AND deleted_ms IS NULL",
            params![id, now_ms],
        )?;
        Ok(n == 1)
    }

    /// Bring back the most recently deleted entry. Returns its id.
    pub fn undo_pain_delete(&mut self) -> Result<Option<i64>> {
        let id: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM pain WHERE deleted_ms IS NOT NULL ORDER BY deleted_ms DESC, id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(id) = id {
            self.conn.execute(
                // A morning's check-in answer brought back beside a newer
                // answer of that morning stays, as an entry of its own.
                "UPDATE pain SET deleted_ms = NULL, judged_ms = NULL,
                    checkin_date = CASE WHEN EXISTS (SELECT 1 FROM pain p
                        WHERE p.checkin_date = pain.checkin_date AND p.deleted_ms IS NULL)
                        THEN NULL ELSE checkin_date END
                 WHERE id = ?1",
                [id],
            )?;
            if let Some(e) = self.pain_entry(id)? {
                self.rejudge_pain_near(e.at_ms)?;
            }
        }
        Ok(id)
    }

    /// Live entries logged in [from_ms, to_ms), oldest first.
    /// What a pain listing shows: the entries and the watch's post-run
    /// effort and feel of the last `days` days, newest first (entries
    /// logged a little ahead of this clock included).
    pub fn pain_listed(&self, days: i64, now_ms: i64) -> Result<(Vec<PainEntry>, Vec<WatchFeel>)> {
        let from = now_ms - days * crate::zone::DAY_MS;
        let to = now_ms + crate::pain::FUTURE_SLACK_MS;
        let mut entries = self.pain_between(from, to)?;
        entries.reverse();
        let mut watch = self.watch_feel_between(from, to)?;
        watch.sort_by_key(|w| std::cmp::Reverse(w.at_ms));
        Ok((entries, watch))
    }

    /// What a listing of the last `days` days leaves out: how many live
    /// entries are older, and when the oldest was logged.
    pub fn pain_older_than(&self, days: i64, now_ms: i64) -> Result<(usize, Option<i64>)> {
        let from = now_ms - days * crate::zone::DAY_MS;
        Ok(self.conn.query_row(
            "SELECT COUNT(*), MIN(at_ms) FROM pain WHERE at_ms < ?1 AND deleted_ms IS NULL",
            [from],
            |r| Ok((r.get::<_, i64>(0)? as usize, r.get(1)?)),
        )?)
    }

    pub fn pain_between(&self, from_ms: i64, to_ms: i64) -> Result<Vec<PainEntry>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {PAIN_COLUMNS} FROM pain WHERE at_ms >= ?1 AND at_ms < ?2 AND deleted_ms IS NULL
             ORDER BY at_ms, id"
        ))?;
        let rows = stmt.query_map(params![from_ms, to_ms], entry)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The watch's post-run effort and feel, in [from_ms, to_ms).
    pub fn watch_feel_between(&self, from_ms: i64, to_ms: i64) -> Result<Vec<WatchFeel>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, start_ms + CAST(elapsed_s * 1000 AS INTEGER), post_run_rpe, post_run_feel FROM activities
             WHERE start_ms >= ?1 AND start_ms < ?2 AND (post_run_rpe IS NOT NULL OR post_run_feel IS NOT NULL)
             ORDER BY start_ms",
        )?;
        let rows = stmt.query_map(params![from_ms, to_ms], |r| {
            Ok(WatchFeel {
                activity_id: r.get(0)?,
                at_ms: r.get(1)?,
                rpe: r.get(2)?,
                feel: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn add_visa_a(&mut self, at_ms: i64, answers: &VisaA) -> Result<i64> {
        let json = serde_json::to_string(answers).unwrap_or_default();
        self.conn.execute(
            "INSERT INTO visa_a (at_ms, answers_json, score) VALUES (?1, ?2, ?3)",
            params![at_ms, json, answers.score()],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn visa_a_scores(&self) -> Result<Vec<VisaARecord>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, at_ms, score, answers_json FROM visa_a ORDER BY at_ms, id")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, String>(3)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, at_ms, score, json) = row?;
            out.push(VisaARecord {
                id,
                at_ms,
                score,
                answers: super::from_json(id, "VISA-A answers", &json)?,
            });
        }
        Ok(out)
    }
}
