//! Which stored activities count as runs — not a table but a filter over
//! `activities a` joined with `metrics m` — and the questions asked of the
//! runs as a whole: when they started (alerts per 100 runs) and the
//! runner's usual paces (evidence for a file that does not name its sport).
//!
//! The baseline and the rules (`alerts`) read runs through [`COUNTED_RUN`];
//! the listings show every activity and mark the ones too short to count.

use super::{Result, Store};

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
