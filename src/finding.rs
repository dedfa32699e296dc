//! finding: what a rule found, as plain data — the rule ids, the
//! severities and the finding itself. The rules make them, the store keeps
//! them as alerts, every reader shows them; no decision lives here.

use serde::{Deserialize, Serialize};

/// The rule ids of RULES.md; also the alert `kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleId {
    RunSpike,
    WeekJump,
    Acwr,
    FrequencyJump,
    PaceAndDistance,
    HillIntro,
    SpeedIntro,
    SurfaceChange,
    CadenceShift,
    StackedIntro,
    ShoeDrop,
    PainLimit,
    Pain24h,
    PainTrend,
    PainReminder,
    /// Not a rule about the tendon: a file that is probably not a run asks
    /// the runner what it was (RULES.md F).
    SportQuestion,
}

impl RuleId {
    pub const ALL: [RuleId; 16] = [
        RuleId::RunSpike,
        RuleId::WeekJump,
        RuleId::Acwr,
        RuleId::FrequencyJump,
        RuleId::PaceAndDistance,
        RuleId::HillIntro,
        RuleId::SpeedIntro,
        RuleId::SurfaceChange,
        RuleId::CadenceShift,
        RuleId::StackedIntro,
        RuleId::ShoeDrop,
        RuleId::PainLimit,
        RuleId::Pain24h,
        RuleId::PainTrend,
        RuleId::PainReminder,
        RuleId::SportQuestion,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RuleId::RunSpike => "run_spike",
            RuleId::WeekJump => "week_jump",
            RuleId::Acwr => "acwr",
            RuleId::FrequencyJump => "frequency_jump",
            RuleId::PaceAndDistance => "pace_and_distance",
            RuleId::HillIntro => "hill_intro",
            RuleId::SpeedIntro => "speed_intro",
            RuleId::SurfaceChange => "surface_change",
            RuleId::CadenceShift => "cadence_shift",
            RuleId::StackedIntro => "stacked_intro",
            RuleId::ShoeDrop => "shoe_drop",
            RuleId::PainLimit => "pain_limit",
            RuleId::Pain24h => "pain_24h",
            RuleId::PainTrend => "pain_trend",
            RuleId::PainReminder => "pain_reminder",
            RuleId::SportQuestion => "sport_question",
        }
    }

    pub fn parse(text: &str) -> Option<RuleId> {
        RuleId::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// New-stimulus rules (RULES.md B and D): the ones `stacked_intro` counts.
    pub fn is_introduction(self) -> bool {
        matches!(
            self,
            RuleId::HillIntro
                | RuleId::SpeedIntro
                | RuleId::SurfaceChange
                | RuleId::RunSpike
                | RuleId::ShoeDrop
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warn,
    High,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warn => "warn",
            Severity::High => "high",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        [Severity::Info, Severity::Warn, Severity::High]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// What one rule found about one run (or the week it closes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub kind: RuleId,
    pub severity: Severity,
    /// The run it is about (None: a pain trend, a week without a run).
    pub activity_id: Option<i64>,
    /// The window the finding is about (the run itself, or a week).
    pub window_start_ms: i64,
    pub window_end_ms: i64,
    pub measured: f64,
    pub baseline: f64,
    pub threshold: f64,
    pub unit: String,
    /// One plain sentence: what changed, with its numbers.
    pub what_changed: String,
    /// One plain sentence: what to do.
    pub what_to_do: String,
    pub source: String,
    /// The same cause never alerts twice: this key names it.
    pub cause: String,
}
