//! The rule table: every rule the program runs, what it compares with
//! this runner's thresholds, and the severities it raises — taken from the
//! constants and bands the rules themselves judge by (`run_spike::bands`,
//! each rule's `SEVERITY`). `tendonwatch rules` prints this table and
//! nothing else, so what it says and what the program does cannot drift
//! apart (issue 22: it once listed `acwr` as an alert and `run_spike` as
//! "severe").

use super::{
    BACK_TO, Profile, SPORT_QUESTION_SEVERITY, Thresholds, cadence_shift, frequency_jump,
    hill_intro, pace_and_distance, pain, run_spike, shoe_drop, source, speed_intro, stacked_intro,
    surface_change, week_jump,
};
use crate::finding::{RuleId, Severity};
use serde::Serialize;

/// One rule as the runner reads it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    #[serde(serialize_with = "rule_id")]
    pub rule: RuleId,
    /// What it compares, with this runner's numbers.
    pub threshold: String,
    /// The alerts it raises, each severity with when. Empty: it never
    /// raises an alert of its own (`shown` says where it is seen).
    pub severities: Vec<Level>,
    pub shown: Option<&'static str>,
    pub source: String,
}

/// One severity a rule raises, and when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Level {
    pub severity: Severity,
    pub when: String,
}

/// A rule by its id as everywhere else (`pain_24h`; serde's snake case
/// of `Pain24h` would say `pain24h`).
fn rule_id<S: serde::Serializer>(rule: &RuleId, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(rule.as_str())
}

impl Row {
    /// "warn > +10 %, high > +30 %, high > +100 %", or where it is shown.
    pub fn severity_words(&self) -> String {
        if self.severities.is_empty() {
            return format!("never an alert: {}", self.shown.unwrap_or_default());
        }
        self.severities
            .iter()
            .map(|l| format!("{} {}", l.severity.as_str(), l.when))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn level(severity: Severity, when: impl Into<String>) -> Level {
    Level {
        severity,
        when: when.into(),
    }
}

fn row(rule: RuleId, threshold: String, severities: Vec<Level>) -> Row {
    Row {
        rule,
        threshold,
        severities,
        shown: None,
        source: source(rule),
    }
}

/// A new-stimulus rule: new, or back to it after a smaller one.
fn introduction(rule: RuleId, severity: Severity, threshold: String) -> Row {
    row(
        rule,
        threshold,
        vec![
            level(severity, "when new"),
            level(
                BACK_TO,
                "when your last 6 months held a smaller one (\"back to …\")",
            ),
        ],
    )
}

/// Every rule of `RuleId::ALL`, in that order, for these settings.
pub fn table(t: &Thresholds, profile: &Profile, pain_limit: f64) -> Vec<Row> {
    let week = if profile.strict_progression() {
        t.week_jump_return_pct
    } else {
        t.week_jump_normal_pct
    };
    let limit = crate::units::score(pain_limit);
    RuleId::ALL
        .into_iter()
        .map(|rule| match rule {
            RuleId::RunSpike => {
                let mut bands = run_spike::bands(t).to_vec();
                bands.reverse();
                row(
                    rule,
                    "a run longer than the longest of the last 30 days".to_string(),
                    bands
                        .iter()
                        .map(|b| level(b.severity, format!("> +{:.0} %", b.over_pct)))
                        .collect(),
                )
            }
            RuleId::WeekJump => row(
                rule,
                format!(
                    "last 7 days > +{week:.0} % over the weekly mean of the 28 days before, \
                     and above your highest 7 days of the last 12 weeks"
                ),
                vec![level(week_jump::SEVERITY, "when it rises past both")],
            ),
            RuleId::Acwr => Row {
                shown: Some(
                    "shown on `status` and the dashboard, and as a line in the load alerts",
                ),
                ..row(
                    rule,
                    format!(
                        "EWMA acute:chronic load (uncoupled), marked above {} and {}",
                        t.acwr_info, t.acwr_warn
                    ),
                    Vec::new(),
                )
            },
            RuleId::FrequencyJump => row(
                rule,
                format!(
                    "+{:.0} runs in 7 days over your weekly mean",
                    t.frequency_jump_runs
                ),
                vec![level(frequency_jump::SEVERITY, "when it rises past it")],
            ),
            RuleId::PaceAndDistance => row(
                rule,
                format!(
                    "week distance > +{:.0} % and pace ≥ {:.0} % faster, together",
                    t.pace_and_distance_distance_pct, t.pace_and_distance_pace_pct
                ),
                vec![level(pace_and_distance::SEVERITY, "when both rise")],
            ),
            RuleId::HillIntro => introduction(
                rule,
                hill_intro::SEVERITY,
                format!(
                    "climb per km above {:.1} × your 42-day 90th percentile, at least {:.0} m/km and {:.0} m",
                    t.intro_factor, t.hill_floor_m_per_km, t.hill_floor_m
                ),
            ),
            RuleId::SpeedIntro => introduction(
                rule,
                speed_intro::SEVERITY,
                format!(
                    "minutes ≥ {:.0} % faster than easy pace above {:.1} × your 90th percentile and {:.0} min, or a first interval session",
                    t.speed_margin_pct, t.intro_factor, t.speed_floor_min
                ),
            ),
            RuleId::SurfaceChange => introduction(
                rule,
                surface_change::SEVERITY,
                format!(
                    "a surface with under {:.0} % of your last 6 weeks' distance",
                    t.surface_new_share * 100.0
                ),
            ),
            RuleId::CadenceShift => row(
                rule,
                format!(
                    "cadence at matched pace ≥ {:.0} % below your usual (≥ {:.0} min matched)",
                    t.cadence_shift_pct,
                    t.cadence_min_matched_s / 60.0
                ),
                vec![level(cadence_shift::SEVERITY, "when it drops past it")],
            ),
            RuleId::StackedIntro => row(
                rule,
                format!(
                    "two new stimuli (hills, speed, surface, long-run spike, shoes) within {} days",
                    t.stacked_window_days
                ),
                vec![level(stacked_intro::SEVERITY, "above either alone")],
            ),
            RuleId::ShoeDrop => row(
                rule,
                format!(
                    "shoes with a heel drop ≥ {:.0} mm lower than your usual",
                    t.shoe_drop_mm
                ),
                vec![level(shoe_drop::SEVERITY, "when first worn")],
            ),
            RuleId::PainLimit => row(
                rule,
                format!("a during or after pain score above your limit of {limit}"),
                vec![
                    level(pain::LIMIT_SEVERITY, format!("above {limit}")),
                    level(
                        pain::LIMIT_HIGH_SEVERITY,
                        format!(
                            "at {} or more",
                            crate::units::score(pain_limit + pain::LIMIT_HIGH_ABOVE)
                        ),
                    ),
                ],
            ),
            RuleId::Pain24h => row(
                rule,
                "the next morning's pain a point or more above the last morning before the run"
                    .to_string(),
                vec![level(pain::NEXT_MORNING_SEVERITY, "when it did not settle")],
            ),
            RuleId::PainTrend => row(
                rule,
                "this week's mean morning pain or stiffness above last week's".to_string(),
                vec![level(pain::TREND_SEVERITY, "when it rises")],
            ),
            RuleId::PainReminder => row(
                rule,
                "no morning entry by noon the day after a run that introduced something new"
                    .to_string(),
                vec![level(pain::REMINDER_SEVERITY, "a reminder")],
            ),
            RuleId::SportQuestion => row(
                rule,
                "an activity that may not have been a run: asks you what it was".to_string(),
                vec![level(SPORT_QUESTION_SEVERITY, "until you answer")],
            ),
        })
        .collect()
}
