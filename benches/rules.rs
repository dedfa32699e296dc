//! Evaluating every rule for one new run, with 300 and with 3,000 runs
//! stored: read the window from the store, compute the baseline, run the
//! rules, store the findings. Target: under 20 ms, and the same for both
//! (the baseline reads a window, not the history).
//!
//! Run: `cargo bench --bench rules` (builds two stores in a temp folder
//! first: ~1 minute).
#![allow(clippy::unwrap_used)]

use std::time::Instant;
use tendonwatch::alerts::{RuleSettings, evaluate_run};
use tendonwatch::baseline::BaselineSettings;
use tendonwatch::rules::{Mode, Profile, Thresholds};
use tendonwatch::sim::store::fill;
use tendonwatch::sim::training::Runner;
use tendonwatch::store::Store;

/// A store holding `runs` runs: three a week, through real FIT bytes.
fn store_with(dir: &std::path::Path, runs: usize) -> (Store, i64, i64) {
    let mut store = Store::open(&dir.join(format!("tw-{runs}.db"))).unwrap();
    let (id, start) = fill(&mut store, &Runner::default(), runs).unwrap();
    (store, id, start)
}

fn main() {
    let settings = RuleSettings {
        baseline: BaselineSettings::default(),
        profile: Profile {
            mode: Mode::Return,
            age: None,
        },
        thresholds: Thresholds::default(),
        horizon_days: 3,
        sinks: Vec::new(),
        zone: tendonwatch::zone::Zone::Fixed(0),
    };
    let dir = tempfile::tempdir().unwrap();
    let mut results = Vec::new();
    for runs in [300usize, 3000] {
        let t = Instant::now();
        let (mut store, id, start) = store_with(dir.path(), runs);
        eprintln!(
            "built a store of {runs} runs in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        for _ in 0..5 {
            evaluate_run(&mut store, id, start, &settings, start).unwrap();
        }
        let rounds = 200;
        let mut ms: Vec<f64> = (0..rounds)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(
                    evaluate_run(&mut store, id, start, &settings, start).unwrap(),
                );
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        ms.sort_by(f64::total_cmp);
        results.push((runs, ms[rounds / 2], ms[rounds * 95 / 100]));
    }
    println!(
        "evaluate all rules for one new run (window read + baseline + rules + store), 200 rounds:"
    );
    for (runs, median, p95) in &results {
        let verdict = if *median < 20.0 { "PASS" } else { "FAIL" };
        println!(
            "  {runs:>5} runs stored: median {median:.2} ms, p95 {p95:.2} ms — target < 20 ms: {verdict}"
        );
    }
}
