//! How long measuring one run takes: a 2-hour run recorded at 1 Hz (7,200
//! samples with GPS, altitude on rolling hills, cadence, heart rate), through
//! `metrics::compute`. Target: under 5 ms.
//!
//! Run: `cargo bench --bench metrics`
#![allow(clippy::unwrap_used)]

use std::time::Instant;
use tendonwatch::metrics::{MetricsInput, compute};
use tendonwatch::sim::runs::{self, Altitude, RunSpec};

fn main() {
    // 2 h at 6:00/km = 20 km.
    let run = runs::with_gps_jitter(
        runs::steady_run(&RunSpec {
            distance_m: 20_000.0,
            pace_s_per_km: 360.0,
            altitude: Altitude::Grade {
                percent: 5.0,
                segment_m: 300.0,
            },
            ..RunSpec::default()
        }),
        3.0,
        11,
    );
    let samples = run.samples.len();
    let input = MetricsInput::default();
    // Warm up, then time each of many runs.
    for _ in 0..20 {
        std::hint::black_box(compute(&run, &input));
    }
    let rounds = 300;
    let mut times_ms: Vec<f64> = (0..rounds)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(compute(std::hint::black_box(&run), &input));
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times_ms.sort_by(f64::total_cmp);
    let median = times_ms[rounds / 2];
    let p95 = times_ms[rounds * 95 / 100];
    println!("metrics::compute on a 2-hour 1 Hz run ({samples} samples), {rounds} rounds:");
    println!(
        "  median {median:.3} ms, p95 {p95:.3} ms, min {:.3} ms",
        times_ms[0]
    );
    println!(
        "  target < 5 ms: {}",
        if median < 5.0 { "PASS" } else { "FAIL" }
    );
}
