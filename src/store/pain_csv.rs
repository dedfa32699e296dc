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
    /// the stored entry (which is kept).
    pub differing: Vec<Differing>,
}

/// A row of the file that matched a stored entry but not all its fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Differing {
    /// The stored entry (kept).
    pub id: i64,
    pub at_ms: i64,
    pub kind: crate::pain::PainKind,
    /// `score`, `stiffness_min`, `side`, `note`: those that differ.
    pub fields: Vec<&'static str>,
}

impl Store {
    /// Every live entry, oldest first (what `pain export` writes).
    pub fn pain_all(&self) -> Result<Vec<PainEntry>> {
        self.pain_between(i64::MIN, i64::MAX)
    }

    /// Add `entries` in one transaction: all of them or, on any error, none.
    /// An entry with the same kind in the same second as a live one is the
    /// same entry (an export carries whole seconds): skipped, and reported
    /// when its other fields differ. The stored entry always wins. Each new
    /// entry goes through `add_pain`, so it is judged (and its neighbours
    /// judged again) exactly like one logged by hand.
    pub fn import_pain(&mut self, entries: &[NewPain], now_ms: i64) -> Result<PainImport> {
        // BEGIN IMMEDIATE by hand: `add_pain` needs the store itself, which
        // a `Transaction` would hold borrowed.
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        match self.import_pain_in_transaction(entries, now_ms) {
            Ok(done) => {
                self.conn.execute_batch("COMMIT")?;
                Ok(done)
            }
            Err(e) => {
                // The error that stopped the import is the one to report.
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    fn import_pain_in_transaction(
        &mut self,
        entries: &[NewPain],
        now_ms: i64,
    ) -> Result<PainImport> {
        let mut out = PainImport::default();
        for p in entries {
            let second = p.at_ms.div_euclid(1000) * 1000;
            let existing: Option<Stored> = self
                .conn
                .query_row(
                    "SELECT id, score, stiffness_min, side, note FROM pain
                     WHERE at_ms >= ?1 AND at_ms < ?2 AND kind = ?3 AND deleted_ms IS NULL
                     ORDER BY id LIMIT 1",
                    params![second, second + 1000, p.kind.as_str()],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )
                .optional()?;
            let Some((id, score, stiffness, side, note)) = existing else {
                self.add_pain(p, now_ms)?;
                out.imported += 1;
                continue;
            };
            out.already += 1;
            let fields: Vec<&'static str> = [
                ("score", score == p.score),
                ("stiffness_min", stiffness == p.stiffness_min),
                (
                    "side",
                    side.as_deref() == p.side.map(crate::pain::Side::as_str),
                ),
                (
                    "note",
                    note.as_deref().unwrap_or("") == p.note.as_deref().unwrap_or(""),
                ),
            ]
            .into_iter()
            .filter(|(_, same)| !same)
            .map(|(name, _)| name)
            .collect();
            if !fields.is_empty() {
                out.differing.push(Differing {
                    id,
                    at_ms: p.at_ms,
                    kind: p.kind,
                    fields,
                });
            }
        }
        Ok(out)
    }
}
