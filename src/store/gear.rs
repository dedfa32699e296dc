//! `gear` and `gear_use`: the runner's shoes (heel-to-toe drop) and from
//! when each pair was worn. Written by `tendonwatch gear`; read by the gear
//! listing, the export and the run records (the shoe worn on each run).

use super::{Result, Store};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shoe {
    pub name: String,
    pub drop_mm: f64,
    /// When the runner started wearing it (latest switch), if ever.
    pub in_use_from_ms: Option<i64>,
    /// The pair worn now: the latest switch that has begun.
    pub current: bool,
}

impl Store {
    /// Add a pair of shoes. Returns false when the name is taken.
    pub fn add_shoe(&mut self, name: &str, drop_mm: f64, now_ms: i64) -> Result<bool> {
        let n = self.conn.execute(
            "INSERT OR IGNORE INTO gear (name, drop_mm, added_ms) VALUES (?1, ?2, ?3)",
            params![name, drop_mm, now_ms],
        )?;
        Ok(n == 1)
    }

    /// Wear these shoes from `from_ms` on. Returns false for an unknown name.
    pub fn use_shoe(&mut self, name: &str, from_ms: i64) -> Result<bool> {
        let id: Option<i64> = self
            .conn
            .query_row("SELECT id FROM gear WHERE name = ?1", [name], |r| r.get(0))
            .optional()?;
        let Some(id) = id else { return Ok(false) };
        self.conn.execute(
            "INSERT INTO gear_use (gear_id, from_ms) VALUES (?1, ?2)",
            params![id, from_ms],
        )?;
        Ok(true)
    }

    pub fn shoes(&self) -> Result<Vec<Shoe>> {
        let mut stmt = self.conn.prepare(
            "SELECT g.name, g.drop_mm, (SELECT MAX(from_ms) FROM gear_use u WHERE u.gear_id = g.id)
             FROM gear g ORDER BY g.added_ms, g.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Shoe {
                name: r.get(0)?,
                drop_mm: r.get(1)?,
                in_use_from_ms: r.get(2)?,
                current: false,
            })
        })?;
        let mut shoes: Vec<Shoe> = rows.collect::<rusqlite::Result<_>>()?;
        let now = chrono::Utc::now().timestamp_millis();
        let worn = shoes
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.in_use_from_ms.filter(|&t| t <= now).map(|t| (t, i)))
            .max();
        if let Some((_, i)) = worn {
            shoes[i].current = true;
        }
        Ok(shoes)
    }
}
