//! The store's side of `tendonwatch pain import`: every entry of a file in
//! one transaction, an entry already there (same kind at the same instant,
//! not deleted) skipped and counted, never overwritten.

use super::pain::NewPain;
use super::{Result, Store};
use crate::pain::PainEntry;
use rusqlite::params;
use std::collections::HashSet;

/// A stored entry's id, instant and the fields an import compares: score,
/// stiffness, side, note.
type Stored = (i64, i64, f64, Option<f64>, Option<String>, Option<String>);

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PainImport {
    pub imported: usize,
    /// Entries already in the store: skipped.
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
    /// A row is an entry already there when a live entry of its kind stands
    /// at its instant: to the millisecond when the row has milliseconds
    /// (what `pain export` writes), else anywhere in its second (older
    /// exports and hand-written files carry whole seconds). Each stored
    /// entry answers for one row only, so two entries of one kind in one
    /// second (two quick entries) come back as two, and a file imported
    /// twice adds nothing the second time. Among several candidates the
    /// one with the same fields is taken. A matched entry whose fields
    /// differ is reported; the stored entry always wins. Each new entry
    /// goes through `add_pain`, so it is judged (and its neighbours judged
    /// again) exactly like one logged by hand.
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
        // Stored entries that already answer for a row of this file.
        let mut taken: HashSet<i64> = HashSet::new();
        for p in entries {
            let (from, to) = if p.at_ms.rem_euclid(1000) == 0 {
                (p.at_ms, p.at_ms + 1000)
            } else {
                (p.at_ms, p.at_ms + 1)
            };
            let candidates: Vec<Stored> = {
                let mut stmt = self.conn.prepare_cached(
                    "SELECT id, at_ms, score, stiffness_min, side, note FROM pain
                     WHERE at_ms >= ?1 AND at_ms < ?2 AND kind = ?3 AND deleted_ms IS NULL
                     ORDER BY id",
                )?;
                let rows = stmt.query_map(params![from, to, p.kind.as_str()], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                })?;
                rows.collect::<rusqlite::Result<_>>()?
            };
            let existing = candidates
                .into_iter()
                .filter(|c| !taken.contains(&c.0))
                .map(|c| (differing_fields(&c, p), c))
                .min_by_key(|(fields, c)| (fields.len(), c.1 != p.at_ms, c.0));
            let Some((fields, (id, ..))) = existing else {
                taken.insert(self.add_pain(p, now_ms)?);
                out.imported += 1;
                continue;
            };
            taken.insert(id);
            out.already += 1;
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

/// The fields of a row that differ from a stored entry: `score`,
/// `stiffness_min`, `side`, `note`.
fn differing_fields(stored: &Stored, p: &NewPain) -> Vec<&'static str> {
    let (_, _, score, stiffness, side, note) = stored;
    [
        ("score", *score == p.score),
        ("stiffness_min", *stiffness == p.stiffness_min),
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
    .collect()
}
