//! Compact column encoding of an activity's samples for the `samples` table.
//!
//! One row per activity instead of one row per sample: a 12-hour run has
//! 42,000 samples, and ten years of history would otherwise be a hundred
//! million rows. Layout (little endian), version 1:
//!
//! ```text
//! u8 version | u32 count | i64 time_ms × count
//! then for each optional channel in CHANNELS order:
//!   u8 present (0 = absent everywhere) | if 1: bitmap ceil(count/8) bytes | values of set bits
//! ```
//! f64 for lat/lon/distance (centimetre precision matters for distance sums),
//! f32 for the rest.

use crate::activity::Sample;

const VERSION: u8 = 1;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("sample blob is malformed: {0}")]
pub struct CodecError(&'static str);

type Get64 = fn(&Sample) -> Option<f64>;
type Set64 = fn(&mut Sample, f64);
type Get32 = fn(&Sample) -> Option<f32>;
type Set32 = fn(&mut Sample, f32);

const WIDE: [(Get64, Set64); 3] = [
    (|s| s.lat_deg, |s, v| s.lat_deg = Some(v)),
    (|s| s.lon_deg, |s, v| s.lon_deg = Some(v)),
    (|s| s.distance_m, |s, v| s.distance_m = Some(v)),
];
const NARROW: [(Get32, Set32); 6] = [
    (|s| s.speed_m_per_s, |s, v| s.speed_m_per_s = Some(v)),
    (|s| s.altitude_m, |s, v| s.altitude_m = Some(v)),
    (|s| s.cadence_spm, |s, v| s.cadence_spm = Some(v)),
    (|s| s.heart_rate_bpm, |s, v| s.heart_rate_bpm = Some(v)),
    (|s| s.temperature_c, |s, v| s.temperature_c = Some(v)),
    (|s| s.power_w, |s, v| s.power_w = Some(v)),
];

pub fn encode(samples: &[Sample]) -> Vec<u8> {
    let n = samples.len();
    let mut out = Vec::with_capacity(5 + n * 24);
    out.push(VERSION);
    out.extend_from_slice(&(n as u32).to_le_bytes());
    for s in samples {
        out.extend_from_slice(&s.time_ms.to_le_bytes());
    }
    for (get, _) in WIDE {
        write_channel(&mut out, samples, |s| get(s).map(f64::to_le_bytes));
    }
    for (get, _) in NARROW {
        write_channel(&mut out, samples, |s| get(s).map(f32::to_le_bytes));
    }
    out
}

fn write_channel<const W: usize>(
    out: &mut Vec<u8>,
    samples: &[Sample],
    get: impl Fn(&Sample) -> Option<[u8; W]>,
) {
    if samples.iter().all(|s| get(s).is_none()) {
        out.push(0);
        return;
    }
    out.push(1);
    let mut bitmap = vec![0u8; samples.len().div_ceil(8)];
    let mut values = Vec::new();
    for (i, s) in samples.iter().enumerate() {
        if let Some(bytes) = get(s) {
            bitmap[i / 8] |= 1 << (i % 8);
            values.extend_from_slice(&bytes);
        }
    }
    out.extend_from_slice(&bitmap);
    out.extend_from_slice(&values);
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], CodecError> {
        if self.bytes.len() < n {
            return Err(CodecError("ends early"));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn array<const W: usize>(&mut self) -> Result<[u8; W], CodecError> {
        let mut a = [0u8; W];
        a.copy_from_slice(self.take(W)?);
        Ok(a)
    }
}

pub fn decode(bytes: &[u8]) -> Result<Vec<Sample>, CodecError> {
    let mut r = Reader { bytes };
    if r.array::<1>()?[0] != VERSION {
        return Err(CodecError("unknown version"));
    }
    let n = u32::from_le_bytes(r.array()?) as usize;
    if n > bytes.len() / 8 {
        return Err(CodecError("count larger than the blob"));
    }
    let mut samples: Vec<Sample> = (0..n)
        .map(|_| r.array().map(|b| Sample::at(i64::from_le_bytes(b))))
        .collect::<Result<_, _>>()?;
    for (_, set) in WIDE {
        read_channel(&mut r, &mut samples, |s, b| set(s, f64::from_le_bytes(b)))?;
    }
    for (_, set) in NARROW {
        read_channel(&mut r, &mut samples, |s, b| set(s, f32::from_le_bytes(b)))?;
    }
    if !r.bytes.is_empty() {
        return Err(CodecError("trailing bytes"));
    }
    Ok(samples)
}

fn read_channel<const W: usize>(
    r: &mut Reader<'_>,
    samples: &mut [Sample],
    set: impl Fn(&mut Sample, [u8; W]),
) -> Result<(), CodecError> {
    if r.array::<1>()?[0] == 0 {
        return Ok(());
    }
    let bitmap = r.take(samples.len().div_ceil(8))?;
    for (i, s) in samples.iter_mut().enumerate() {
        if bitmap[i / 8] & (1 << (i % 8)) != 0 {
            set(s, r.array()?);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    fn sample() -> impl Strategy<Value = Sample> {
        (
            any::<i64>(),
            proptest::option::of(-90.0f64..90.0),
            proptest::option::of(-180.0f64..180.0),
            proptest::option::of(0.0f64..1e6),
            proptest::option::of(any::<f32>().prop_filter("not nan", |v| !v.is_nan())),
            proptest::option::of(-500.0f32..9000.0),
            proptest::option::of(0.0f32..250.0),
        )
            .prop_map(|(t, lat, lon, d, v, alt, cad)| Sample {
                time_ms: t,
                lat_deg: lat,
                lon_deg: lon,
                distance_m: d,
                speed_m_per_s: v,
                altitude_m: alt,
                cadence_spm: cad,
                ..Sample::default()
            })
    }

    proptest! {
        #[test]
        fn round_trips(samples in proptest::collection::vec(sample(), 0..300)) {
            let blob = encode(&samples);
            prop_assert_eq!(decode(&blob).unwrap(), samples);
        }

        #[test]
        fn never_panics_on_garbage(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = decode(&bytes);
        }
    }

    #[test]
    fn a_cut_blob_is_an_error() {
        let s: Vec<Sample> = (0..10)
            .map(|i| Sample {
                heart_rate_bpm: Some(120.0),
                ..Sample::at(i)
            })
            .collect();
        let blob = encode(&s);
        assert!(decode(&blob[..blob.len() - 1]).is_err());
    }
}
