//! Which stored activities count as runs — not a table but a filter over
//! `activities a` joined with `metrics m` — and the questions asked of the
//! runs as a whole: when they started (alerts per 100 runs) and the
//! runner's usual paces (evidence for a file that does not name its sport).
//!
//! The baseline and the rules (`alerts`) read runs through [`COUNTED_RUN`];
//! the listings show every activity and mark the ones too short to count.

use super::{Result, Store, from_json};
use crate::metrics::record::{RunHistory, RunRecord};
use crate::zone::Zone;
use rusqlite::params;

/// Long enough to be a run (RULES.md F), in SQL over `metrics m`.
macro_rules! long_enough {
    () => {
        "m.distance_m >= 500 AND m.moving_s >= 180"
    };
}
pub(super) use long_enough;

/// The stored activities the baseline and the rules count as runs: running
/// (not cross-training), with a start that can be true, and long enough to
/// be a run (RULES.md F; `RunMetrics::too_short` in SQL, checked equal by a
/// test). Activities outside it are still stored and listed.
pub const COUNTED_RUN: &str = concat!(
    "m.cross_training = 0 AND a.time_unknown IS NULL AND ",
    long_enough!()
);

impl Store {
    /// Running activities (with metrics) that started in [from_ms, to_ms),
    /// in time order, with the shoes worn. Uses the start-time index: the
    /// cost depends on the window, not on the whole history. Each run's
    /// local day and hour are read in `zone`, the runner's zone as it is
    /// now (RULES.md D), whatever offset its file recorded.
    pub fn run_records(&self, from_ms: i64, to_ms: i64, zone: &Zone) -> Result<Vec<RunRecord>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT a.id, a.start_ms, m.json,
                    (SELECT g.drop_mm FROM gear_use u JOIN gear g ON g.id = u.gear_id
                      WHERE u.from_ms <= a.start_ms ORDER BY u.from_ms DESC, u.id DESC LIMIT 1),
                    (SELECT g.name FROM gear_use u JOIN gear g ON g.id = u.gear_id
                      WHERE u.from_ms <= a.start_ms ORDER BY u.from_ms DESC, u.id DESC LIMIT 1)
             FROM activities a JOIN metrics m ON m.activity_id = a.id
             WHERE a.start_ms >= ?1 AND a.start_ms < ?2 AND {COUNTED_RUN}
             ORDER BY a.start_ms, a.id"
        ))?;
        let rows = stmt.query_map(params![from_ms, to_ms], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<f64>>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, start_ms, json, drop, shoe) = row?;
            let mut metrics: crate::metrics::RunMetrics = from_json(id, "metrics", &json)?;
            metrics.localise(start_ms, zone);
            out.push(RunRecord {
                activity_id: id,
                start_ms,
                local_offset_s: zone.offset_s_at(start_ms),
                metrics,
                shoe_drop_mm: drop,
                shoe_name: shoe,
            });
        }
        Ok(out)
    }

    /// What the runner's whole history of counted runs holds before
    /// `before_ms`: what the status says after a first import of years.
    pub fn run_history(&self, before_ms: i64) -> Result<RunHistory> {
        let (runs, first_ms, last_ms) = self.conn.query_row(
            &format!(
                "SELECT COUNT(*), MIN(a.start_ms), MAX(a.start_ms)
                 FROM activities a JOIN metrics m ON m.activity_id = a.id
                 WHERE a.start_ms < ?1 AND {COUNTED_RUN}"
            ),
            [before_ms],
            |r| Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?)),
        )?;
        Ok(RunHistory {
            runs: usize::try_from(runs).unwrap_or(0),
            first_ms,
            last_ms,
        })
    }

    /// Start instants of every running activity (cross-training left
    /// out), oldest first: what alerts per 100 runs count.
    pub fn run_starts(&self) -> Result<Vec<i64>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT a.start_ms FROM activities a JOIN metrics m ON m.activity_id = a.id
             WHERE {COUNTED_RUN} ORDER BY a.start_ms"
        ))?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The runner's usual paces, from their runs of 3 km or more: evidence
    /// for the sport of a file that does not name it.
    pub fn own_pace(&self) -> Result<crate::sport::OwnPace> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT m.distance_m / m.moving_s, a.sport_status = 'assumed'
             FROM metrics m JOIN activities a ON a.id = m.activity_id
             WHERE m.cross_training = 0 AND m.distance_m >= 3000 AND m.moving_s > 0",
        )?;
        let runs = stmt
            .query_map([], |r| Ok((r.get::<_, f64>(0)?, r.get::<_, bool>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(crate::sport::OwnPace::from_runs(&runs))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_counted_run_is_long_enough_by_the_metrics_own_rule() {
        use crate::metrics::{MIN_RUN_M, MIN_RUN_MOVING_S};
        assert!(super::COUNTED_RUN.contains(&format!("m.distance_m >= {MIN_RUN_M}")));
        assert!(super::COUNTED_RUN.contains(&format!("m.moving_s >= {MIN_RUN_MOVING_S}")));
    }
}
