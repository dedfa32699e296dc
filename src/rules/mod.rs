//! rules: (run, baseline, profile, thresholds) → findings. Pure functions,
//! one file per rule of RULES.md A, B and D; no clock, no I/O.
//!
//! A finding says what changed, by how much against the runner's own
//! baseline, what to do, and where the rule comes from (RULES.md G).

mod acwr;
pub mod articles;
pub mod cadence_shift;
mod frequency_jump;
mod hill_intro;
mod pace_and_distance;
pub mod pain;
mod run_spike;
mod shoe_drop;
mod speed_intro;
mod stacked_intro;
mod surface_change;
pub mod table;
mod week_jump;

use crate::baseline::{Baseline, BaselineSettings};
use crate::metrics::record::RunRecord;
use crate::zone::DAY_MS;
use serde::{Deserialize, Serialize};

use crate::finding::{Finding, RuleId, Severity};
pub(crate) use crate::units::{km, pace};

/// Returning from an Achilles injury (strict) or guarding against a first
/// one (looser). RULES.md: two profiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Return,
    Normal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub mode: Mode,
    pub age: Option<u32>,
}

impl Profile {
    /// Masters runners (40+) get the stricter of the two profiles for
    /// progression rules ("too much too sooner" — "Achilles Tendonitis – Recovery and Workouts").
    pub fn is_masters(&self) -> bool {
        self.age.is_some_and(|a| a >= 40)
    }

    /// Use the return threshold for a progression rule?
    pub fn strict_progression(&self) -> bool {
        self.mode == Mode::Return || self.is_masters()
    }
}

/// Every threshold of RULES.md, as config values (`[rules]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    pub run_spike_warn_pct: f64,
    pub run_spike_high_pct: f64,
    pub run_spike_severe_pct: f64,
    pub week_jump_return_pct: f64,
    pub week_jump_normal_pct: f64,
    pub acwr_info: f64,
    pub acwr_warn: f64,
    pub frequency_jump_runs: f64,
    pub pace_and_distance_distance_pct: f64,
    pub pace_and_distance_pace_pct: f64,
    /// A stimulus is new above the baseline's 90th percentile × this factor…
    pub intro_factor: f64,
    /// …and above these absolute floors.
    pub hill_floor_m_per_km: f64,
    pub hill_floor_m: f64,
    pub speed_margin_pct: f64,
    pub speed_floor_min: f64,
    /// A surface is new when the baseline has less than this share of it.
    pub surface_new_share: f64,
    pub cadence_shift_pct: f64,
    pub cadence_min_matched_s: f64,
    pub shoe_drop_mm: f64,
    pub stacked_window_days: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            run_spike_warn_pct: 10.0,
            run_spike_high_pct: 30.0,
            run_spike_severe_pct: 100.0,
            week_jump_return_pct: 10.0,
            week_jump_normal_pct: 30.0,
            acwr_info: 1.3,
            acwr_warn: 1.5,
            frequency_jump_runs: 2.0,
            pace_and_distance_distance_pct: 10.0,
            pace_and_distance_pace_pct: 3.0,
            intro_factor: 1.5,
            hill_floor_m_per_km: 6.0,
            hill_floor_m: 50.0,
            speed_margin_pct: 10.0,
            speed_floor_min: 5.0,
            surface_new_share: 0.10,
            cadence_shift_pct: 5.0,
            cadence_min_matched_s: 600.0,
            shoe_drop_mm: 4.0,
            stacked_window_days: 7,
        }
    }
}

/// Everything a rule may look at.
pub struct Context<'a> {
    pub run: &'a RunRecord,
    pub baseline: &'a Baseline,
    pub profile: &'a Profile,
    pub t: &'a Thresholds,
    /// Findings of earlier runs within the stacking window (for
    /// `stacked_intro`): introductions already made.
    pub recent_introductions: &'a [Finding],
    /// The runs before this one (any order; later ones are ignored) and the
    /// baseline settings, so a weekly rule can judge the runs of its current
    /// episode as they were judged then (RULES.md H: one episode, one alert).
    pub history: &'a [RunRecord],
    pub settings: &'a BaselineSettings,
}

/// A rule judged at one run: is its measure over its threshold (an episode
/// is open), and would it fire (the finding)?
pub struct Judgement {
    pub over: bool,
    pub finding: Option<Finding>,
}

/// How far back an open episode is followed: a rise that stays over its
/// threshold for longer than this is judged again.
const EPISODE_LOOKBACK_DAYS: i64 = 84;

/// RULES.md H, "one rising episode, one alert": the judgement of this run,
/// unless the rule already fired in the episode this run belongs to — the
/// unbroken run of earlier runs whose measure was over the threshold. A rule
/// re-arms only once its measure came back under its threshold.
fn once_per_episode(ctx: &Context<'_>, judge: fn(&Context<'_>) -> Judgement) -> Option<Finding> {
    let finding = judge(ctx).finding?;
    let mut earlier: Vec<&RunRecord> = ctx
        .history
        .iter()
        .filter(|r| {
            r.start_ms < ctx.run.start_ms
                && r.start_ms >= ctx.run.start_ms - EPISODE_LOOKBACK_DAYS * DAY_MS
                && !r.metrics.cross_training
        })
        .collect();
    earlier.sort_by_key(|r| std::cmp::Reverse((r.start_ms, r.activity_id)));
    for run in earlier {
        let baseline = crate::baseline::compute(ctx.history, run.start_ms, ctx.settings);
        let then = Context {
            run,
            baseline: &baseline,
            ..*ctx
        };
        let judged = judge(&then);
        if !judged.over {
            return Some(finding);
        }
        if judged.finding.is_some() && !baseline.learning.learning {
            return None;
        }
    }
    Some(finding)
}

impl Context<'_> {
    fn finding(&self, kind: RuleId, severity: Severity) -> FindingBuilder {
        FindingBuilder {
            f: Finding {
                kind,
                severity,
                activity_id: Some(self.run.activity_id),
                window_start_ms: self.run.start_ms,
                window_end_ms: self.run.end_ms(),
                measured: 0.0,
                baseline: 0.0,
                threshold: 0.0,
                unit: String::new(),
                what_changed: String::new(),
                what_to_do: String::new(),
                source: String::new(),
                cause: run_cause(self.run.start_ms),
            },
        }
    }

    /// The runner's local ISO week of this run ("2026-W07"), for week causes.
    fn week_cause(&self, kind: RuleId) -> String {
        let local = self.run.start_ms + i64::from(self.run.local_offset_s) * 1000;
        let week = chrono::DateTime::from_timestamp_millis(local)
            .map(|t| {
                let w = chrono::Datelike::iso_week(&t.date_naive());
                format!("{}-W{:02}", w.year(), w.week())
            })
            .unwrap_or_default();
        format!("{}:{week}", kind.as_str())
    }
}

struct FindingBuilder {
    f: Finding,
}

impl FindingBuilder {
    fn numbers(mut self, measured: f64, baseline: f64, threshold: f64, unit: &str) -> Self {
        self.f.measured = measured;
        self.f.baseline = baseline;
        self.f.threshold = threshold;
        self.f.unit = unit.to_string();
        self
    }

    fn text(mut self, what_changed: String, what_to_do: &str, source: &str) -> Self {
        self.f.what_changed = what_changed;
        self.f.what_to_do = what_to_do.to_string();
        self.f.source = source.to_string();
        self
    }

    fn week(mut self, cause: String, start_ms: i64) -> Self {
        self.f.cause = cause;
        self.f.window_start_ms = start_ms;
        self
    }

    fn build(self) -> Finding {
        self.f
    }
}

/// A run as a cause: by its start instant, not its database id, so a
/// replay into a fresh store names the same causes.
pub fn run_cause(start_ms: i64) -> String {
    format!("run:{start_ms}")
}

/// After an introduction the seeds advise a 24-hour wait and one repeat.
pub const AFTER_INTRO: &str = "See how it responds over the next 24 hours: log your pain tomorrow morning, and repeat it once before adding anything else.";

/// Evaluate every rule for one run. Learning period (RULES.md F): no rule
/// comparing with the baseline fires until it is learned.
pub fn evaluate(ctx: &Context<'_>) -> Vec<Finding> {
    if ctx.baseline.learning.learning || ctx.run.metrics.cross_training {
        return Vec::new();
    }
    // RULES.md A: the load ratio is never an alert of its own; it is a line
    // in the load alerts (`acwr::line`).
    let week = one_week_alert(
        ctx,
        [
            once_per_episode(ctx, week_jump::judge),
            once_per_episode(ctx, pace_and_distance::judge),
            once_per_episode(ctx, frequency_jump::judge),
        ],
    );
    let mut out: Vec<Finding> = [
        run_spike::check(ctx),
        week,
        hill_intro::check(ctx),
        speed_intro::check(ctx),
        surface_change::check(ctx),
        cadence_shift::check(ctx),
        shoe_drop::check(ctx),
    ]
    .into_iter()
    .flatten()
    .collect();
    if let Some(stacked) = stacked_intro::check(ctx, &out) {
        out.push(stacked);
    }
    out
}

/// The weekly ratios of one run (in order of weight) as one alert: they
/// measure the same 7 days, so the first carries the others as lines, and
/// the load ratio as context (RULES.md A, H).
fn one_week_alert<const N: usize>(
    ctx: &Context<'_>,
    weekly: [Option<Finding>; N],
) -> Option<Finding> {
    let mut found = weekly.into_iter().flatten();
    let mut first = found.next()?;
    for also in found {
        add_line(
            &mut first.what_changed,
            &format!("Also: {}", also.what_changed),
        );
    }
    if let Some(load) = acwr::line(ctx) {
        add_line(&mut first.what_changed, &load);
    }
    Some(first)
}

/// Where a rule comes from, in words a runner can look up: an article by
/// its title ([`articles`]) or a study (RULES.md G). What `tendonwatch
/// rules` lists and what each alert carries.
pub fn source(id: RuleId) -> String {
    match id {
        RuleId::RunSpike => run_spike::SOURCE.to_string(),
        RuleId::WeekJump => week_jump::source(),
        RuleId::Acwr => acwr::SOURCE.to_string(),
        RuleId::FrequencyJump => frequency_jump::source(),
        RuleId::PaceAndDistance => pace_and_distance::source(),
        RuleId::HillIntro => hill_intro::source(),
        RuleId::SpeedIntro => speed_intro::source(),
        RuleId::SurfaceChange => surface_change::source(),
        RuleId::CadenceShift => cadence_shift::source(),
        RuleId::StackedIntro => stacked_intro::source(),
        RuleId::ShoeDrop => shoe_drop::source(),
        RuleId::PainLimit => pain::limit_source(),
        RuleId::Pain24h => pain::next_morning_source(),
        RuleId::PainTrend => pain::TREND_SOURCE.to_string(),
        RuleId::PainReminder => pain::reminder_source(),
        RuleId::SportQuestion => SPORT_QUESTION_SOURCE.to_string(),
    }
}

/// The sport question is tendonwatch's own rule (RULES.md F), not advice
/// from an article or a study: it says so.
/// A question waits for the runner like a warning.
pub const SPORT_QUESTION_SEVERITY: Severity = Severity::Warn;

const SPORT_QUESTION_SOURCE: &str = "tendonwatch's own rule: a recording that does not say its sport is not counted as a run until you confirm it";

/// An alert's text with every line after the first under `indent`, for a
/// reader that starts the first line itself ("    ", "- 2026-05-02 …: ").
pub fn indent_lines(text: &str, indent: &str) -> String {
    text.lines()
        .collect::<Vec<_>>()
        .join(&format!("\n{indent}"))
}

/// The parts of one alert's text each take a line: a weekly alert's other
/// ratios ("Also: …"), the load ratio, what the runner did before. Every
/// reader (terminal, dashboard, notifications) shows them as lines; JSON
/// keeps the text with its newlines.
pub fn add_line(text: &mut String, line: &str) {
    if !text.is_empty() {
        text.push('\n');
    }
    text.push_str(line);
}

/// "2026-05-02", the runner's day of an instant (the offset of the run
/// being judged).
pub fn day(ctx: &Context<'_>, at_ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(at_ms + i64::from(ctx.run.local_offset_s) * 1000)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// An introduction the runner has done, smaller, in the last six months
/// ("back to hills, more than before") speaks at this severity.
pub const BACK_TO: Severity = Severity::Info;

/// RULES.md H: introductions remember six months, longer than the
/// stimulus window. `pick` reads the runner's most of this kind of session
/// from the six-month [`Memory`](crate::baseline::Memory):
/// - one like this run (at least 1/`intro_factor` of its measure): no
///   finding — the runner has done this, and is repeating it;
/// - a smaller one, still of the kind (at least `kind_floor`): an `info`
///   "back to …", naming it;
/// - none: the `warn` "new" stands.
fn back_to(
    ctx: &Context<'_>,
    mut f: Finding,
    pick: impl Fn(&crate::baseline::Memory) -> Option<crate::baseline::Remembered>,
    measured: f64,
    kind_floor: f64,
    what: &str,
) -> Option<Finding> {
    let Some(then) = pick(&ctx.baseline.memory).filter(|m| m.value >= kind_floor) else {
        return Some(f);
    };
    if then.value * ctx.t.intro_factor >= measured {
        return None;
    }
    f.severity = BACK_TO;
    f.what_changed = format!(
        "Back to {what}, more than before: your most in the last 6 months was on {}.\n{}",
        day(ctx, then.start_ms),
        f.what_changed
    );
    Some(f)
}

/// "+35 %".
pub fn pct(ratio: f64) -> String {
    format!("{:+.0} %", (ratio - 1.0) * 100.0)
}
