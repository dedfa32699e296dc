//! The `samples` table: each activity's track, one row per activity with
//! every sample packed into one blob (`samples_codec`). Written with its
//! activity, in the same transaction (`activities`), and again when the
//! runner moves the activity's start; read back to measure the activity
//! again, for the charts and for tests.

use super::{Result, Store, StoreError, samples_codec};
use crate::activity::Sample;
use rusqlite::{OptionalExtension, Transaction, params};

impl Store {
    pub fn samples(&self, activity_id: i64) -> Result<Vec<Sample>> {
        let blob: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT data FROM samples WHERE activity_id = ?1",
                [activity_id],
                |r| r.get(0),
            )
            .optional()?;
        match blob {
            None => Ok(Vec::new()),
            Some(b) => samples_codec::decode(&b).map_err(|reason| StoreError::Samples {
                activity_id,
                reason,
            }),
        }
    }
}

/// Store (or replace) the activity's samples.
pub(super) fn write_samples(
    tx: &Transaction<'_>,
    activity_id: i64,
    samples: &[Sample],
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO samples (activity_id, encoding, count, data) VALUES (?1, 1, ?2, ?3)
         ON CONFLICT (activity_id) DO UPDATE SET encoding = 1, count = ?2, data = ?3",
    )?
    .execute(params![
        activity_id,
        samples.len() as i64,
        samples_codec::encode(samples)
    ])?;
    Ok(())
}
