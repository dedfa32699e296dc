//! Temporary: the chart API until charts.rs lands.
#![allow(dead_code)]
pub struct LoadWeek { pub start_ms: i64, pub distance_m: f64, pub runs: usize, pub longest_m: f64, pub band_m: Option<(f64, f64)> }
pub struct PainPoint { pub at_ms: i64, pub score: f64 }
pub struct AlertMark { pub id: i64, pub at_ms: i64, pub kind: String, pub severity: String, pub title: String }
pub struct LoadChart<'a> { pub weeks: &'a [LoadWeek], pub pain: &'a [PainPoint], pub alerts: &'a [AlertMark], pub local_offset_s: i32 }
pub fn load_chart(_c: &LoadChart<'_>) -> String { String::new() }
pub struct Series<'a> { pub id: &'a str, pub title: &'a str, pub unit: &'a str, pub points: &'a [(f64, f64)], pub invert_y: bool, pub label: fn(f64) -> String }
pub fn series_chart(_s: &Series<'_>) -> String { String::new() }
pub struct FactorBar<'a> { pub factor: &'a str, pub mean_with: Option<f64>, pub mean_without: Option<f64>, pub interval: Option<(f64, f64)>, pub verdict: &'a str }
pub fn factor_chart(_rows: &[FactorBar<'_>]) -> String { String::new() }
pub fn trend_chart(_id: &str, _title: &str, _points: &[(i64, f64)], _y_max: f64, _local_offset_s: i32) -> String { String::new() }
