//! budget: how loud the alerts of a history are (RULES.md H) — alerts per
//! 100 runs by rule and severity, and the pushes a runner would have had
//! each week under the delivery channels: `high` at once, `warn` bundled
//! into one digest a day, `info` never pushed. Pure: alerts and run starts
//! in, numbers out (`tendonwatch alerts --stats`, the real-history tests).

use crate::store::alerts::Alert;
use crate::zone::DAY_MS;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Alerts of one rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RuleCount {
    pub alerts: usize,
    pub per_100_runs: f64,
    pub info: usize,
    pub warn: usize,
    pub high: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Budget {
    pub runs: usize,
    /// Local calendar weeks from the first run's to the last run's.
    pub weeks: usize,
    pub alerts: usize,
    pub per_100_runs: f64,
    /// By rule id, then in total.
    pub by_rule: BTreeMap<String, RuleCount>,
    pub by_severity: RuleCount,
    /// Pushes per week over `weeks` (weeks without any count as 0).
    pub pushes_total: usize,
    pub pushes_per_week_median: f64,
    pub pushes_per_week_max: usize,
}

impl Budget {
    /// The most alerts per 100 runs of one rule, leaving out `except`.
    pub fn worst_rule_per_100(&self, except: &str) -> Option<(&str, f64)> {
        self.by_rule
            .iter()
            .filter(|(k, _)| k.as_str() != except)
            .map(|(k, c)| (k.as_str(), c.per_100_runs))
            .max_by(|a, b| a.1.total_cmp(&b.1))
    }
}

fn per_100(n: usize, runs: usize) -> f64 {
    if runs == 0 {
        0.0
    } else {
        n as f64 * 100.0 / runs as f64
    }
}

/// The budget of `alerts` over the runs starting at `run_starts_ms`, with
/// days and weeks in the runner's time (`offset_s` east of UTC). An alert
/// counts at its window's end: when a live runner would have heard of it.
pub fn measure(alerts: &[Alert], run_starts_ms: &[i64], zone: &crate::zone::Zone) -> Budget {
    let local_day = |ms: i64| zone.local_ms(ms).div_euclid(DAY_MS);
    // 1970-01-01 was a Thursday: +3 makes weeks start on Monday.
    let week = |ms: i64| (local_day(ms) + 3).div_euclid(7);
    let runs = run_starts_ms.len();
    let mut by_rule: BTreeMap<String, RuleCount> = BTreeMap::new();
    let mut by_severity = RuleCount::default();
    let mut pushes: BTreeMap<i64, usize> = BTreeMap::new();
    let mut digest_days: BTreeSet<i64> = BTreeSet::new();
    for a in alerts {
        let c = by_rule.entry(a.kind.clone()).or_default();
        for c in [c, &mut by_severity] {
            c.alerts += 1;
            match a.severity.as_str() {
                "info" => c.info += 1,
                "high" => c.high += 1,
                _ => c.warn += 1,
            }
        }
        match a.severity.as_str() {
            "info" => {}
            "high" => *pushes.entry(week(a.window_end_ms)).or_default() += 1,
            _ => {
                if digest_days.insert(local_day(a.window_end_ms)) {
                    *pushes.entry(week(a.window_end_ms)).or_default() += 1;
                }
            }
        }
    }
    for c in by_rule.values_mut().chain([&mut by_severity]) {
        c.per_100_runs = per_100(c.alerts, runs);
    }
    let first = run_starts_ms.iter().min().map(|&ms| week(ms));
    let last = run_starts_ms.iter().max().map(|&ms| week(ms));
    let mut per_week: Vec<usize> = match (first, last) {
        (Some(f), Some(l)) => (f..=l)
            .map(|w| pushes.get(&w).copied().unwrap_or(0))
            .collect(),
        _ => Vec::new(),
    };
    per_week.sort_unstable();
    let median = match per_week.len() {
        0 => 0.0,
        n if n % 2 == 1 => per_week[n / 2] as f64,
        n => (per_week[n / 2 - 1] + per_week[n / 2]) as f64 / 2.0,
    };
    Budget {
        runs,
        weeks: per_week.len(),
        alerts: alerts.len(),
        per_100_runs: per_100(alerts.len(), runs),
        by_rule,
        by_severity,
        pushes_total: pushes.values().sum(),
        pushes_per_week_median: median,
        pushes_per_week_max: per_week.last().copied().unwrap_or(0),
    }
}

/// The budget as a table for a terminal.
pub fn render(b: &Budget) -> String {
    let mut out = format!(
        "{} runs over {} weeks, {} alerts: {:.1} per 100 runs\n\n{:<20} {:>6} {:>12} {:>5} {:>5} {:>5}\n",
        b.runs,
        b.weeks,
        b.alerts,
        b.per_100_runs,
        "rule",
        "alerts",
        "per 100 runs",
        "info",
        "warn",
        "high"
    );
    let mut line = |name: &str, c: &RuleCount| {
        out.push_str(&format!(
            "{name:<20} {:>6} {:>12.1} {:>5} {:>5} {:>5}\n",
            c.alerts, c.per_100_runs, c.info, c.warn, c.high
        ));
    };
    for (kind, c) in &b.by_rule {
        line(kind, c);
    }
    line("all", &b.by_severity);
    out.push_str(&format!(
        "\npushes (high at once, warn as one digest a day, info never): {} in all, per week median {}, max {}\n",
        b.pushes_total, b.pushes_per_week_median, b.pushes_per_week_max
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(kind: &str, severity: &str, end_ms: i64) -> Alert {
        Alert {
            id: 0,
            kind: kind.into(),
            severity: severity.into(),
            activity_id: None,
            window_start_ms: end_ms,
            window_end_ms: end_ms,
            measured: 0.0,
            baseline: 0.0,
            threshold: 0.0,
            unit: String::new(),
            what_changed: String::new(),
            what_to_do: String::new(),
            source: String::new(),
            cause: String::new(),
            created_ms: 0,
            delivery: String::new(),
            acknowledged_ms: None,
        }
    }

    #[test]
    fn warn_alerts_of_one_day_are_one_push_high_each_one_and_info_none() {
        // Monday 2026-11-02 10:00 UTC, and the days after.
        let monday = 1_793_613_600_000;
        let alerts = [
            alert("week_jump", "warn", monday),
            alert("hill_intro", "warn", monday + 3_600_000),
            alert("run_spike", "high", monday + 7_200_000),
            alert("surface_change", "info", monday),
            alert("pain_24h", "warn", monday + 2 * DAY_MS),
        ];
        let runs: Vec<i64> = (0..20).map(|k| monday + k * DAY_MS).collect();
        let b = measure(&alerts, &runs, &crate::zone::Zone::Fixed(0));
        assert_eq!(b.alerts, 5);
        assert_eq!(b.per_100_runs, 25.0);
        assert_eq!(b.pushes_total, 3);
        assert_eq!(b.weeks, 3);
        assert_eq!(b.pushes_per_week_max, 3);
        assert_eq!(b.pushes_per_week_median, 0.0);
        assert_eq!(b.by_rule["run_spike"].high, 1);
        assert_eq!(b.by_severity.info, 1);
        assert_eq!(b.worst_rule_per_100("run_spike").map(|w| w.1), Some(5.0));
    }

    #[test]
    fn an_empty_store_has_an_empty_budget() {
        let b = measure(&[], &[], &crate::zone::Zone::Fixed(3600));
        assert_eq!((b.runs, b.weeks, b.alerts, b.pushes_total), (0, 0, 0, 0));
        assert!(render(&b).contains("0 runs"));
    }
}
