//! What `tendonwatch export` reads that no other listing does: every pair
//! of shoes with each time the runner started wearing it.

use super::{Result, Store};

/// One pair of shoes and one day the runner started wearing it (`None`:
/// never worn).
#[derive(Debug, Clone, PartialEq)]
pub struct GearUse {
    pub name: String,
    pub drop_mm: f64,
    pub added_ms: i64,
    pub from_ms: Option<i64>,
}

impl Store {
    /// Every pair of shoes and its use periods, in the order the shoes were
    /// added, each pair's periods oldest first.
    pub fn gear_uses(&self) -> Result<Vec<GearUse>> {
        let mut stmt = self.conn.prepare(
            "SELECT g.name, g.drop_mm, g.added_ms, u.from_ms
             FROM gear g LEFT JOIN gear_use u ON u.gear_id = g.id
             ORDER BY g.added_ms, g.id, u.from_ms, u.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(GearUse {
                name: r.get(0)?,
                drop_mm: r.get(1)?,
                added_ms: r.get(2)?,
                from_ms: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
