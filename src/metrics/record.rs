//! record: one stored run as the baseline and the rules see it, and the
//! runner's whole history of runs in a few numbers. Plain data: the store
//! reads them, the baseline and the rules judge them.

use super::RunMetrics;
use crate::zone::{DAY_MS, Zone, ago, format_local};
use serde::Serialize;

/// One stored run as the baseline and the rules see it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    pub activity_id: i64,
    pub start_ms: i64,
    pub local_offset_s: i32,
    pub metrics: RunMetrics,
    /// Heel-to-toe drop of the shoes worn, where the runner logged them.
    pub shoe_drop_mm: Option<f64>,
    pub shoe_name: Option<String>,
}

impl RunRecord {
    pub fn end_ms(&self) -> i64 {
        self.start_ms + (self.metrics.elapsed_s * 1000.0) as i64
    }

    pub fn distance_m(&self) -> f64 {
        self.metrics.distance_m
    }

    /// The runner's local calendar day, as days since 1970-01-01.
    pub fn local_day(&self) -> i64 {
        (self.start_ms + i64::from(self.local_offset_s) * 1000).div_euclid(DAY_MS)
    }

    /// Minutes of moving time at least `margin` faster than `easy`.
    pub fn minutes_faster_than(&self, easy_s_per_km: f64, margin: f64) -> f64 {
        self.metrics.pace.as_ref().map_or(0.0, |p| {
            p.histogram.seconds_faster_than(easy_s_per_km, margin) / 60.0
        })
    }
}

/// The runner's whole history of counted runs, beyond the baseline's
/// window (RULES.md F: the learning period counts the whole history).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RunHistory {
    pub runs: usize,
    pub first_ms: Option<i64>,
    pub last_ms: Option<i64>,
}

impl RunHistory {
    /// "230 runs since March 2024; last run 7 months ago (4 May 2026)", in
    /// the runner's zone; None when there is no run yet.
    pub fn words(&self, now_ms: i64, zone: &Zone) -> Option<String> {
        let (first, last) = (self.first_ms?, self.last_ms?);
        let month = |ms| format_local(ms, zone, "%B %Y");
        let runs = match self.runs {
            1 => "1 run".to_string(),
            n => format!("{n} runs since {}", month(first)),
        };
        Some(format!(
            "{runs}; last run {} ({})",
            ago(now_ms - last),
            format_local(last, zone, "%-d %B %Y")
        ))
    }
}
