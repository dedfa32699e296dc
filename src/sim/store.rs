//! A store filled with simulated runs, for benchmarks: `runs` easy runs,
//! three a week (Tue, Thu, Sun), through real FIT bytes, the decoder and the
//! metrics, as `import` would store them.

use crate::decode::decode_file;
use crate::ingest::sha256_hex;
use crate::metrics::{MetricsInput, compute};
use crate::sim::fit_writer::encode;
use crate::sim::training::{Event, Runner, on_day};
use crate::store::{FileVersion, Store, StoreError};

/// Store `runs` runs of `r` from its first week on. Returns the id and the
/// start of the last one.
pub fn fill(store: &mut Store, r: &Runner, runs: usize) -> Result<(i64, i64), StoreError> {
    let days = [1u32, 3, 6];
    let mut last = (0, 0);
    for i in 0..runs {
        let (week, day) = (i / 3, days[i % 3]);
        let km = if i % 3 == 2 { 9.6 } else { 7.2 };
        let activity = on_day(r, week, day, &Event::Easy { km });
        let bytes = encode(&activity);
        let decoded = decode_file("run.fit", &bytes);
        let metrics: Vec<_> = decoded
            .as_ref()
            .map(|d| {
                d.activities
                    .iter()
                    .map(|a| compute(a, &MetricsInput::default()))
                    .collect()
            })
            .unwrap_or_default();
        let file = FileVersion {
            path: format!("/sync/{i:05}.fit"),
            size: bytes.len() as u64,
            mtime_ns: 0,
            content_hash: sha256_hex(&bytes),
        };
        let report = store.record_file(&file, &decoded, &metrics, 0)?;
        if let Some((id, _)) = report.added.first() {
            last = (*id, activity.start_ms);
        }
    }
    Ok(last)
}
