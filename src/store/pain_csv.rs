//! The store's side of `tendonwatch pain import`: every entry of a file in
//! one transaction, an entry already there (same second, same kind, not
//! deleted) skipped and counted, never overwritten.

use super::pain::NewPain;
use super::{Result, Store};
use crate::pain::PainEntry;
use rusqlite::{OptionalExtension, params};

/// A stored entry's id and the fields an import compares: score,
/// stiffness, side, note.
type Stored = (i64, f64, Option<f64>, Option<String>, Option<String>);

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PainImport {
    pub imported: usize,
    /// Entries already in the store (or earlier in the same file): skipped.
    pub already: usize,
    /// Of those, the ones whose score, stiffness, side or note differ from
    /// the stored entry (which is kept): the new value and the stored id.
    pub differing: Vec<(NewPain, i64)>,
}

impl Store {
    /// Every live entry, oldest first (what `pain export` writes).
    pub fn pain_all(&self) -> Result<Vec<PainEntry>> {
        self.pain_between(i64::MIN, i64::MAX)
    }

    /// Add `entries` in one transaction: all of them or, on any error, none.
    /// An entry with the same kind in the same second as a live one is the
    /// same entry (an export carries whole seconds): skipped, and reported
    /// when its other fields differ. The stored entry always wins.
    pub fn import_pain(&mut self, entries: &[NewPain], now_ms: i64) -> Result<PainImport> {
        let tx = self.write_transaction()?;
        let mut out = PainImport::default();
        for p in entries {
            let second = p.at_ms.div_euclid(1000) * 1000;
            let existing: Option<Stored> = tx
                .query_row(
                    "SELECT id, score, stiffness_min, side, note FROM pain
                     WHERE at_ms >= ?1 AND at_ms < ?2 AND kind = ?3 AND deleted_ms IS NULL
                     ORDER BY id LIMIT 1",
                    params![second, second + 1000, p.kind.as_str()],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )
                .optional()?;
            match existing {
                Some((id, score, stiffness, side, note)) => {
                    out.already += 1;
                    let same = score == p.score
                        && stiffness == p.stiffness_min
                        && side.as_deref() == p.side.map(crate::pain::Side::as_str)
                        && note.as_deref().unwrap_or("") == p.note.as_deref().unwrap_or("");
                    if !same {
                        out.differing.push((p.clone(), id));
                    }
                }
                None => {
                    tx.execute(
                        "INSERT INTO pain (at_ms, score, kind, stiffness_min, side, note, created_ms)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        params![
                            p.at_ms,
                            p.score,
                            p.kind.as_str(),
                            p.stiffness_min,
                            p.side.map(crate::pain::Side::as_str),
                            p.note,
                            now_ms
                        ],
                    )?;
                    out.imported += 1;
                }
            }
        }
        tx.commit()?;
        Ok(out)
    }
}
