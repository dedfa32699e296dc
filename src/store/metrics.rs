//! The `metrics` table: each activity's measured `RunMetrics` — the whole
//! of it as JSON, with the columns the SQL filters on (distance, moving
//! time, climb, cadence, surface, part of day, cross-training) beside it —
//! and the metrics version that measured it.
//!
//! Written with the activity when a file is recorded (`files`), and by
//! `ingest` when they are missing or measured by an older version; dropped
//! when the runner changes the activity's sport or start, to be measured
//! again. The baseline, the rules and the listings read them.

use super::tags::surface_tag_in;
use super::{Result, Store, from_json, json};
use crate::metrics::RunMetrics;
use crate::metrics::surface::Evidence;
use rusqlite::{OptionalExtension, Transaction, params};

impl Store {
    /// Stored metrics of an activity (None: not computed yet).
    pub fn metrics(&self, id: i64) -> Result<Option<RunMetrics>> {
        let text: Option<String> = self
            .conn
            .query_row(
                "SELECT json FROM metrics WHERE activity_id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        match text {
            None => Ok(None),
            Some(t) => from_json(id, "metrics", &t).map(Some),
        }
    }

    /// Replace an activity's metrics (tag applied), e.g. after recomputing.
    pub fn put_metrics(&mut self, id: i64, metrics: &RunMetrics) -> Result<()> {
        let tx = self.write_transaction()?;
        write_metrics(&tx, id, Some(metrics))?;
        tx.commit()?;
        Ok(())
    }

    /// Activities whose metrics are missing or older than `version`.
    pub fn activities_needing_metrics(&self, version: u32) -> Result<Vec<i64>> {
        let mut stmt = self.conn.prepare(
            "SELECT a.id FROM activities a LEFT JOIN metrics m ON m.activity_id = a.id
             WHERE m.activity_id IS NULL OR m.version < ?1 ORDER BY a.start_ms",
        )?;
        let ids = stmt.query_map([version], |r| r.get(0))?;
        Ok(ids.collect::<rusqlite::Result<Vec<i64>>>()?)
    }
}

/// Store an activity's metrics; the runner's surface tag, if any, wins over
/// what the file and geometry said (RULES.md E: the tag is the strongest
/// evidence). Without metrics, stale ones are removed.
pub(super) fn write_metrics(
    tx: &Transaction<'_>,
    activity_id: i64,
    metrics: Option<&RunMetrics>,
) -> Result<()> {
    let Some(m) = metrics else {
        return drop_metrics(tx, activity_id);
    };
    let mut m = m.clone();
    if let Some(surface) = surface_tag_in(tx, activity_id)? {
        m.surface = surface;
        m.surface_evidence = Evidence::RunnerTag;
    }
    tx.prepare_cached(
        "INSERT INTO metrics (activity_id, version, cross_training, distance_m, moving_s, climb_m,
            climb_m_per_km, cadence_spm, surface, part_of_day, json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (activity_id) DO UPDATE SET version = ?2, cross_training = ?3, distance_m = ?4,
            moving_s = ?5, climb_m = ?6, climb_m_per_km = ?7, cadence_spm = ?8, surface = ?9,
            part_of_day = ?10, json = ?11",
    )?
    .execute(params![
        activity_id,
        m.version,
        m.cross_training,
        m.distance_m,
        m.moving_s,
        m.elevation.map(|e| e.climb_m),
        m.elevation.map(|e| e.climb_m_per_km),
        m.cadence.as_ref().map(|c| c.running_spm),
        m.surface.as_str(),
        m.part_of_day.as_str(),
        json(&m),
    ])?;
    Ok(())
}

/// Remove an activity's metrics, to be measured again (`ingest` finds it
/// through `activities_needing_metrics`).
pub(super) fn drop_metrics(tx: &Transaction<'_>, activity_id: i64) -> Result<()> {
    tx.execute("DELETE FROM metrics WHERE activity_id = ?1", [activity_id])?;
    Ok(())
}
