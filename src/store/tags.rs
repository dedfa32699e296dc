//! The runner's word on an activity, one table per kind of word:
//! `surface_tags` (the surface they ran on), `sport_tags` (what the
//! activity was) and `start_tags` (when it really started, for a recording
//! whose clock was wrong).
//!
//! `tendonwatch tag`, the dashboard and the sport question write them: the
//! surface here, the sport and the start through `activities`, which
//! rewrites the activity at once. Every later write of the activity
//! (`files`) or of its metrics (`metrics`) reads them again, so the
//! runner's word outlives a re-import and a new metrics version (RULES.md
//! E: the tag is the strongest evidence).

use super::{Result, Store};
use crate::activity::{Activity, Sport};
use crate::metrics::surface::Surface;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

impl Store {
    /// The runner's own surface for an activity (None clears it).
    pub fn set_surface_tag(
        &mut self,
        id: i64,
        surface: Option<Surface>,
        now_ms: i64,
    ) -> Result<()> {
        let tx = self.write_transaction()?;
        match surface {
            Some(s) => tx.execute(
                "INSERT INTO surface_tags (activity_id, surface, tagged_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT (activity_id) DO UPDATE SET surface = ?2, tagged_ms = ?3",
                params![id, s.as_str(), now_ms],
            )?,
            None => tx.execute("DELETE FROM surface_tags WHERE activity_id = ?1", [id])?,
        };
        tx.commit()?;
        Ok(())
    }

    pub fn surface_tag(&self, id: i64) -> Result<Option<Surface>> {
        surface_tag_in(&self.conn, id)
    }

    pub fn sport_tag(&self, id: i64) -> Result<Option<Sport>> {
        Ok(sport_tag_text(&self.conn, id)?.as_deref().map(Sport::parse))
    }
}

/// The surface the runner gave the activity, read on `conn` (the store's
/// connection or a transaction in hand).
pub(super) fn surface_tag_in(conn: &Connection, id: i64) -> Result<Option<Surface>> {
    let tag: Option<String> = conn
        .query_row(
            "SELECT surface FROM surface_tags WHERE activity_id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(tag.as_deref().and_then(Surface::parse))
}

/// The sport the runner gave the activity, as stored.
fn sport_tag_text(conn: &Connection, id: i64) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT sport FROM sport_tags WHERE activity_id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?)
}

/// Store the runner's sport for the activity (not yet written into it:
/// `apply_sport_tag` does that).
pub(super) fn put_sport_tag(
    tx: &Transaction<'_>,
    id: i64,
    sport: Sport,
    now_ms: i64,
) -> Result<()> {
    tx.execute(
        "INSERT INTO sport_tags (activity_id, sport, tagged_ms) VALUES (?1, ?2, ?3)
         ON CONFLICT (activity_id) DO UPDATE SET sport = ?2, tagged_ms = ?3",
        params![id, sport.as_str(), now_ms],
    )?;
    Ok(())
}

/// Write the runner's sport tag, if any, into the activity. Returns it.
pub(super) fn apply_sport_tag(tx: &Transaction<'_>, id: i64) -> Result<Option<Sport>> {
    let Some(tag) = sport_tag_text(tx, id)? else {
        return Ok(None);
    };
    tx.execute(
        "UPDATE activities SET sport = ?2, sport_status = 'runner', sport_evidence = '[]'
         WHERE id = ?1",
        params![id, tag],
    )?;
    Ok(Some(Sport::parse(&tag)))
}

/// Store the start the runner gave the activity (the activity itself is
/// moved by the caller).
pub(super) fn put_start_tag(
    tx: &Transaction<'_>,
    id: i64,
    start_ms: i64,
    local_offset_s: Option<i32>,
    now_ms: i64,
) -> Result<()> {
    tx.execute(
        "INSERT INTO start_tags (activity_id, start_ms, local_offset_s, tagged_ms)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (activity_id) DO UPDATE SET start_ms = ?2, local_offset_s = ?3,
            tagged_ms = ?4",
        params![id, start_ms, local_offset_s, now_ms],
    )?;
    Ok(())
}

/// The activity moved to the start the runner gave, if they gave one.
pub(super) fn with_start_tag(
    tx: &Transaction<'_>,
    id: i64,
    a: &Activity,
) -> Result<Option<Activity>> {
    let tag: Option<(i64, Option<i32>)> = tx
        .query_row(
            "SELECT start_ms, local_offset_s FROM start_tags WHERE activity_id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(tag.map(|(start_ms, offset)| {
        let mut moved = a.clone();
        crate::clock::shift(&mut moved, start_ms);
        moved.local_offset_s = offset.or(moved.local_offset_s);
        moved
    }))
}
