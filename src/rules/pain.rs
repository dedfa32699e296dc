//! Pain rules (RULES.md C): the runner's own signal. Pure, like the load
//! rules: (pain entries, runs, "now", limit) → findings. They apply during
//! the learning period too.

use super::articles::{MANAGE_INJURIES, RECOVERY_AND_WORKOUTS};
use super::{Finding, RuleId, Severity, run_cause};
use crate::metrics::record::RunRecord;
use crate::pain::{PainEntry, PainKind};
use crate::units::{km, score};
use crate::zone::DAY_MS;

/// Where each pain rule comes from (RULES.md C), in words a runner can look up.
pub fn limit_source() -> String {
    format!(
        "{MANAGE_INJURIES}: \"Keep your pain level at 3 out of 10 or less\"; Silbernagel et al. 2007 allow up to 5"
    )
}

pub fn next_morning_source() -> String {
    format!(
        "{MANAGE_INJURIES}: \"you should be back to your baseline for pain within about 24 hours\"; \
         Silbernagel et al. 2007, next-morning rule"
    )
}

pub const TREND_SOURCE: &str = "Silbernagel pain-monitoring model (week-to-week rule)";

pub fn reminder_source() -> String {
    format!(
        "{RECOVERY_AND_WORKOUTS}, step 6: after a new stimulus, see how the tendon responds over 24 hours"
    )
}

/// A morning counts as "the next morning" up to this long after a run.
const NEXT_MORNING_WITHIN_MS: i64 = 30 * 3600 * 1000;
/// The pre-run morning must be this recent to be the runner's baseline.
const PRE_RUN_WITHIN_MS: i64 = 7 * DAY_MS;
/// A run that introduced something new (from its alerts), for the reminder.
#[derive(Debug, Clone, PartialEq)]
pub struct Introduction {
    pub activity_id: i64,
    pub start_ms: i64,
    pub end_ms: i64,
    pub what: String,
}

pub struct PainContext<'a> {
    /// Entries around the judged ones, any order, reaching three weeks
    /// before the first judged one (the trend compares a week with the one
    /// before it).
    pub entries: &'a [PainEntry],
    /// The ids of the entries to judge; the others are only context.
    pub judge: &'a std::collections::HashSet<i64>,
    pub runs: &'a [RunRecord],
    pub introductions: &'a [Introduction],
    pub now_ms: i64,
    /// `[profile] pain_limit` (3 return, 5 normal).
    pub limit: f64,
    /// The runner's zone: days, weeks and "next noon" at the offset of
    /// each instant.
    pub zone: crate::zone::Zone,
}

pub fn evaluate(ctx: &PainContext<'_>) -> Vec<Finding> {
    let mut entries: Vec<&PainEntry> = ctx.entries.iter().collect();
    entries.sort_by_key(|e| (e.at_ms, e.id));
    let mut out = Vec::new();
    for e in entries.iter().filter(|e| ctx.judge.contains(&e.id)) {
        match e.kind {
            PainKind::During | PainKind::After => out.extend(pain_limit(ctx, e)),
            PainKind::Morning => {
                out.extend(pain_24h(ctx, &entries, e));
                out.extend(pain_trend(ctx, &entries, e));
            }
        }
    }
    out.extend(reminders(ctx, &entries));
    out
}

fn day(ms: i64, zone: &crate::zone::Zone) -> String {
    crate::zone::format_local(ms, zone, "%a %Y-%m-%d")
}

/// The latest run that ended before `at_ms`, at most `within_ms` earlier.
fn run_before(runs: &[RunRecord], at_ms: i64, within_ms: i64) -> Option<&RunRecord> {
    runs.iter()
        .filter(|r| r.start_ms <= at_ms && r.end_ms() > at_ms - within_ms)
        .max_by_key(|r| r.start_ms)
}

fn base(kind: RuleId, severity: Severity, entry: &PainEntry, run: Option<&RunRecord>) -> Finding {
    Finding {
        kind,
        severity,
        activity_id: run.map(|r| r.activity_id),
        window_start_ms: run.map_or(entry.at_ms, |r| r.start_ms),
        window_end_ms: entry.at_ms,
        measured: entry.score,
        baseline: 0.0,
        threshold: 0.0,
        unit: "/10".to_string(),
        what_changed: String::new(),
        what_to_do: String::new(),
        source: String::new(),
        cause: format!("{}:{}", kind.as_str(), entry.at_ms),
    }
}

/// `pain_limit` is `high` from this many points above the limit, `warn`
/// below (the rule table, `tendonwatch rules`, reads it here).
pub const LIMIT_HIGH_ABOVE: f64 = 3.0;
pub const LIMIT_SEVERITY: Severity = Severity::Warn;
pub const LIMIT_HIGH_SEVERITY: Severity = Severity::High;
/// `pain_24h` and `pain_trend` warn; a missing morning after an
/// introduction is a reminder.
pub const NEXT_MORNING_SEVERITY: Severity = Severity::Warn;
pub const TREND_SEVERITY: Severity = Severity::Warn;
pub const REMINDER_SEVERITY: Severity = Severity::Info;

/// `pain_limit`: a during or after score above the limit.
fn pain_limit(ctx: &PainContext<'_>, e: &PainEntry) -> Option<Finding> {
    if e.score <= ctx.limit {
        return None;
    }
    let run = run_before(ctx.runs, e.at_ms, 12 * 3600 * 1000);
    let severity = if e.score >= ctx.limit + LIMIT_HIGH_ABOVE {
        LIMIT_HIGH_SEVERITY
    } else {
        LIMIT_SEVERITY
    };
    let when = if e.kind == PainKind::During {
        "during"
    } else {
        "after"
    };
    let about = run
        .map(|r| {
            format!(
                "{when} your {} run of {}",
                km(r.distance_m()),
                day(r.start_ms, &ctx.zone)
            )
        })
        .unwrap_or_else(|| format!("{when} the run"));
    let mut f = base(RuleId::PainLimit, severity, e, run);
    f.baseline = ctx.limit;
    f.threshold = ctx.limit;
    f.what_changed = format!(
        "Pain {}/10 {about}: above your limit of {}.",
        score(e.score),
        score(ctx.limit)
    );
    f.what_to_do = format!(
        "Make the next runs shorter or slower until pain stays at {} or below during and after; pain above it means today's load was more than the tendon tolerated.",
        score(ctx.limit)
    );
    f.source = limit_source();
    Some(f)
}

/// What the 24-hour rule compares a morning with (RULES.md C: `pain_24h`).
#[derive(Debug, Clone, Copy)]
pub struct NextMorning<'a> {
    /// The run this morning is the next morning of: the latest that
    /// started before it and ended at most 30 hours earlier.
    pub run: &'a RunRecord,
    /// The runner's baseline: the last morning logged in the 7 days before
    /// that run. None: nothing to compare with yet.
    pub before: Option<&'a PainEntry>,
}

/// How far back a caller must read runs and entries for
/// [`next_morning_of`] to see everything it compares a morning with: the
/// 30-hour window, a run's own length (a day at most), the 7 days before it.
pub const NEXT_MORNING_LOOKBACK_MS: i64 = NEXT_MORNING_WITHIN_MS + DAY_MS + PRE_RUN_WITHIN_MS;

/// The 24-hour rule's reading for a morning logged at `at_ms`: the run it
/// follows and the baseline before it; None when no run ended within 30
/// hours. `entries` may hold any kinds, in any order.
pub fn next_morning_of<'a>(
    runs: &'a [RunRecord],
    entries: impl IntoIterator<Item = &'a PainEntry>,
    at_ms: i64,
) -> Option<NextMorning<'a>> {
    let run = run_before(runs, at_ms, NEXT_MORNING_WITHIN_MS)?;
    let before = entries
        .into_iter()
        .filter(|e| {
            e.kind == PainKind::Morning
                && e.at_ms < run.start_ms
                && e.at_ms > run.start_ms - PRE_RUN_WITHIN_MS
        })
        .max_by_key(|e| e.at_ms);
    Some(NextMorning { run, before })
}

/// Whether a next-morning score is back at the baseline: less than a whole
/// point above it (RULES.md C: `pain_24h` warns from one point up).
pub fn settled(score: f64, baseline: f64) -> bool {
    score < baseline + 1.0
}

/// `pain_24h`: the next morning's pain above the last morning before the run.
fn pain_24h(ctx: &PainContext<'_>, entries: &[&PainEntry], m: &PainEntry) -> Option<Finding> {
    let NextMorning { run, before } = next_morning_of(ctx.runs, entries.iter().copied(), m.at_ms)?;
    let before = before?;
    if settled(m.score, before.score) {
        return None;
    }
    let mut f = base(RuleId::Pain24h, NEXT_MORNING_SEVERITY, m, Some(run));
    f.baseline = before.score;
    f.threshold = before.score + 1.0;
    f.what_changed = format!(
        "Morning pain {}/10 after your {} run of {}; the last morning before it was {}/10.",
        score(m.score),
        km(run.distance_m()),
        day(run.start_ms, &ctx.zone),
        score(before.score)
    );
    f.what_to_do = "The tendon did not settle within 24 hours: rest or cross-train today, and make the next run shorter and easier than that one.".to_string();
    f.source = next_morning_source();
    f.cause = format!("pain_24h:{}", run_cause(run.start_ms));
    Some(f)
}

fn mean(values: impl Iterator<Item = f64>) -> Option<(f64, usize)> {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| (sum / n as f64, n))
}

/// `pain_trend`: mean morning pain or stiffness of the last 7 days above the
/// 7 days before (each with at least two mornings logged).
fn pain_trend(ctx: &PainContext<'_>, entries: &[&PainEntry], m: &PainEntry) -> Option<Finding> {
    let mornings = |from: i64, to: i64| -> Vec<&PainEntry> {
        entries
            .iter()
            .copied()
            .filter(|e| e.kind == PainKind::Morning && e.at_ms > from && e.at_ms <= to)
            .collect()
    };
    let this = mornings(m.at_ms - 7 * DAY_MS, m.at_ms);
    let last = mornings(m.at_ms - 14 * DAY_MS, m.at_ms - 7 * DAY_MS);
    if this.len() < 2 || last.len() < 2 {
        return None;
    }
    let pain = (
        mean(this.iter().map(|e| e.score))?,
        mean(last.iter().map(|e| e.score))?,
    );
    let stiffness = (
        mean(this.iter().filter_map(|e| e.stiffness_min)),
        mean(last.iter().filter_map(|e| e.stiffness_min)),
    );
    let pain_up = pain.0.0 >= pain.1.0 + 0.5;
    let stiff_up = match stiffness {
        (Some((now, n1)), Some((before, n2))) if n1 >= 2 && n2 >= 2 => {
            now >= before + 2.0 && now >= before * 1.2
        }
        _ => false,
    };
    if !pain_up && !stiff_up {
        return None;
    }
    let mut parts = Vec::new();
    if pain_up {
        parts.push(format!(
            "morning pain {:.1}/10 against {:.1} the week before",
            pain.0.0, pain.1.0
        ));
    }
    if let (true, (Some((now, _)), Some((before, _)))) = (stiff_up, stiffness) {
        parts.push(format!(
            "morning stiffness {now:.0} min against {before:.0} min"
        ));
    }
    let mut f = base(RuleId::PainTrend, TREND_SEVERITY, m, None);
    f.measured = if pain_up {
        pain.0.0
    } else {
        stiffness.0.map_or(0.0, |s| s.0)
    };
    f.baseline = if pain_up {
        pain.1.0
    } else {
        stiffness.1.map_or(0.0, |s| s.0)
    };
    f.unit = if pain_up { "/10".into() } else { "min".into() };
    f.window_start_ms = m.at_ms - 14 * DAY_MS;
    f.what_changed = format!(
        "This week {}: the tendon is getting worse week on week.",
        parts.join(", and ")
    );
    f.what_to_do = "Cut this week's running back toward what you ran two weeks ago, keep it easy and flat, and watch the mornings.".to_string();
    f.source = TREND_SOURCE.to_string();
    let local = ctx.zone.local_ms(m.at_ms);
    let week = chrono::DateTime::from_timestamp_millis(local)
        .map(|t| {
            let w = chrono::Datelike::iso_week(&t.date_naive());
            format!("{}-W{:02}", w.year(), w.week())
        })
        .unwrap_or_default();
    f.cause = format!("pain_trend:{week}");
    Some(f)
}

/// A run with a new stimulus and no morning entry by noon the next day.
fn reminders(ctx: &PainContext<'_>, entries: &[&PainEntry]) -> Vec<Finding> {
    ctx.introductions
        .iter()
        .filter_map(|intro| {
            // Noon of the next local day, at that day's offset.
            let next_noon = ctx.zone.day_start(ctx.zone.day_start(intro.end_ms) + 36 * 3600 * 1000)
                + 12 * 3600 * 1000;
            if ctx.now_ms < next_noon {
                return None;
            }
            let logged = entries
                .iter()
                .any(|e| e.kind == PainKind::Morning && e.at_ms > intro.end_ms && e.at_ms <= next_noon);
            if logged {
                return None;
            }
            Some(Finding {
                kind: RuleId::PainReminder,
                severity: REMINDER_SEVERITY,
                activity_id: Some(intro.activity_id),
                window_start_ms: intro.start_ms,
                window_end_ms: next_noon,
                measured: 0.0,
                baseline: 1.0,
                threshold: 1.0,
                unit: "morning entries".to_string(),
                what_changed: format!(
                    "No morning pain entry after your run of {} ({}): 0 of 1 mornings logged.",
                    day(intro.start_ms, &ctx.zone),
                    intro.what
                ),
                what_to_do: "Log how the tendon feels on getting up (`tendonwatch pain SCORE --kind morning`): the next morning is how tendonwatch learns what your tendon tolerates.".to_string(),
                source: reminder_source(),
                cause: format!("pain_reminder:{}", run_cause(intro.start_ms)),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn morning(id: i64, at_ms: i64, score: f64) -> PainEntry {
        PainEntry {
            id,
            at_ms,
            score,
            kind: PainKind::Morning,
            stiffness_min: None,
            side: None,
            note: None,
        }
    }

    /// The week before the oldest judged entries is read whole: a week cut
    /// at the edge of the window (its worst mornings outside) once looked
    /// like a rise.
    #[test]
    fn the_trend_compares_whole_weeks_at_the_window_edge() {
        let now = 1_790_000_000_000;
        let at = |k: i64| now - k * DAY_MS;
        let mut entries = Vec::new();
        for k in 0..=26 {
            let score = match k {
                0..=19 => 1.0,
                20 | 21 => 0.0,
                _ => 3.0,
            };
            entries.push(morning(k, at(k), score));
        }
        let since_ms = now - 21 * DAY_MS;
        let judge: std::collections::HashSet<i64> = entries
            .iter()
            .filter(|e| e.at_ms >= since_ms)
            .map(|e| e.id)
            .collect();
        let ctx = PainContext {
            entries: &entries,
            judge: &judge,
            runs: &[],
            introductions: &[],
            now_ms: now,
            limit: 3.0,
            zone: crate::zone::Zone::Fixed(0),
        };
        let trend: Vec<_> = evaluate(&ctx)
            .into_iter()
            .filter(|f| f.kind == RuleId::PainTrend)
            .collect();
        assert!(trend.is_empty(), "{trend:#?}");
        // Judged without the context (as before), the cut week made a trend.
        let cut: Vec<PainEntry> = entries
            .iter()
            .filter(|e| e.at_ms >= since_ms)
            .cloned()
            .collect();
        let blind = PainContext {
            entries: &cut,
            ..ctx
        };
        assert!(evaluate(&blind).iter().any(|f| f.kind == RuleId::PainTrend));
    }
}
