//! report: the correlation report of `tendonwatch report` — which kinds of
//! run were followed by a rise in next-morning pain (RULES.md C:
//! `pain_link`), the runner's personal tolerance ("Stop before it hurts",
//! "Achilles Tendonitis – Recovery and Workouts", reply to Amie; RULES.md C)
//! and pain by part of day (the same article, step 1). Pure: no I/O, no
//! clock; the caller computes each run's factors and pain outcome, and the
//! resampling draws from its own seeded generator, so the same input and
//! seed always give the same report.
//!
//! Factors travel together: a runner's long runs are often the hilly ones.
//! Compared alone against all other runs, hills then look linked when only
//! the distance hurt (issue 26). So each factor is weighed *beyond the
//! others* (`model`, DESIGN.md "The report"): one least-squares fit of the
//! next-morning change on every factor at once and on the pain of the
//! morning before the run (a run after a painful one starts from a raised
//! morning); surfaces and parts of day against their most common level;
//! runs where a factor cannot be decided
//! keep their row with an "unknown" column of their own, never counted as
//! "without" (the missing-indicator method: complete cases would drop
//! every run a watch recorded without cadence from every comparison; its
//! known bias needs a factor that both matters and is unknown on runs where
//! it travels with another). A factor whose column is a combination of the
//! earlier ones is dropped, in words.
//!
//! RULES.md C says the link "never claims more than the data holds". Here
//! that means:
//! - a factor with fewer than `min_with` runs (or fewer than `min_without`
//!   runs to compare with) gets [`Verdict::NotEnoughData`], whatever its
//!   effect: two bad runs are an anecdote, not a link;
//! - with about a dozen factors compared at once, one of them would look
//!   "significant" by chance about half the time at a plain 95 % level. So
//!   a link needs two things, both allowing for the `m` factors judged: a
//!   Freedman–Lane permutation test whose p-value counts the rounds where
//!   the largest |t| of all factors reached this one's (Westfall–Young), and
//!   a wild bootstrap interval of the effect at the level `1 − 0.05 / m`
//!   (Bonferroni) that excludes zero;
//! - the comparison alone is kept for the words ("72 of 78 runs …") and as
//!   `verdict_alone`: a factor it would call a link, but whose effect beyond
//!   the others is not, is said so, naming the factor that explains it
//!   ("no rise beyond what their distance explains"). Alone, the percentile
//!   bootstrap is too narrow for small groups (three runs that all happened
//!   to be followed by +1 or +2 "exclude zero" at any level), so it too
//!   needs its permutation test: on pure noise (40 runs, ~11 factors, 1000
//!   draws each of three noise shapes) the bootstrap alone with Bonferroni
//!   showed a false link in 24–31 % of reports; with the permutation test as
//!   well, 2–5 % (and 29–36 % without Bonferroni);
//! - a rise not yet clear says how many more runs with the factor would
//!   tell, if its effect and spread stayed as they are;
//! - the words say "followed by", never "causes", and a link from fewer than
//!   [`HINT_BELOW_RUNS`] runs is called a hint;
//! - pain during and after the run and morning stiffness are judged the
//!   same way, each with its own counts ([`Report::other_pain`]).
//!
//! Measured on three real runners' histories with a planted cause
//! (`tests/report_planted.rs`): the planted factor named in every report
//! where it was carried by 10 runs or more, another factor linked in about
//! 2 % of them; with nothing planted, a false link in about 3 % of reports
//! (a claim either way, a link or less pain, in about 7 %: the family is
//! held at 5 % both ways together).

mod dice;
mod model;

use crate::metrics::PartOfDay;
use crate::metrics::surface::Surface;
use dice::{SplitMix64, fnv1a, mix};
use model::percentile;
use serde::Serialize;

/// The family-wise level of the factors' intervals together.
pub const FAMILY_LEVEL: f64 = 0.95;
/// A link seen in fewer runs than this is "a hint".
pub const HINT_BELOW_RUNS: usize = 8;
/// `long_run`: as long as or longer than the longest run of the 30 days
/// before (RULES.md A `run_spike` measures the same ratio).
pub const LONG_RUN_RATIO: f64 = 1.0;
/// `long_distance`: at least this many times the runner's median run (of
/// the runs in the report), a run that is long for this runner whether or
/// not it is a spike.
pub const LONG_DISTANCE_MEDIAN_FACTOR: f64 = 1.5;
/// `hilly`: climbing at least this many m/km, and at least
/// [`HILLY_MEDIAN_FACTOR`] × the runner's own median, so a flat-land
/// runner's bridges do not count (RULES.md B `hill_intro`).
pub const HILLY_MIN_M_PER_KM: f64 = 6.0;
pub const HILLY_MEDIAN_FACTOR: f64 = 2.0;
/// `fast`: at least this many minutes ≥ 10 % faster than easy pace
/// (RULES.md B `speed_intro`).
pub const FAST_MIN_MINUTES: f64 = 5.0;
/// `lower_cadence`: cadence at matched pace this many percent (or more)
/// below the runner's usual (RULES.md B `cadence_shift` warns at −5 %; a
/// report can look at smaller shifts, since it only compares).
pub const LOWER_CADENCE_PCT: f64 = -3.0;

/// `during` and `after`: a score above this is the bad outcome counted
/// (RULES.md C `pain_limit`, the return profile's limit of 3).
pub const PAIN_LIMIT: f64 = 3.0;
/// Morning stiffness: a rise of at least this many minutes is counted.
pub const STIFFNESS_RISE_MIN: f64 = 5.0;

const PARTS_OF_DAY: [PartOfDay; 4] = [
    PartOfDay::Morning,
    PartOfDay::Midday,
    PartOfDay::Evening,
    PartOfDay::Night,
];

/// What a run brought (computed by the caller from metrics + baseline).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunFactors {
    pub activity_id: i64,
    pub start_ms: i64,
    pub distance_m: f64,
    /// This run's distance / the longest run of the 30 days before (None: no history).
    pub distance_vs_longest_30d: Option<f64>,
    pub climb_m_per_km: Option<f64>,
    /// Minutes ≥ 10 % faster than the runner's easy pace; NaN when the
    /// easy pace is not known yet (then the run is neither fast nor not).
    pub minutes_faster_than_easy: f64,
    pub surface: Surface,
    /// One of the first 3 runs in a pair of shoes.
    pub new_shoes: bool,
    pub part_of_day: PartOfDay,
    /// Cadence at matched pace vs the runner's usual, percent (negative = lower).
    pub cadence_shift_pct: Option<f64>,
}

/// What the runner felt (RULES.md C: pain 0–10).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct RunOutcome {
    /// Next-morning pain minus the last morning pain before the run (None: not both logged).
    /// This is the outcome the factors are ranked by (RULES.md C `pain_24h`).
    pub morning_change: Option<f64>,
    /// The last morning pain before the run, when `morning_change` is known.
    /// The factors are weighed with it in the model: a morning already up
    /// (after an earlier run) leaves less room to rise and more to settle,
    /// so a change score alone would credit whatever follows a bad morning
    /// (analysis of covariance rather than bare change scores).
    pub morning_before: Option<f64>,
    /// The run's `during` score (RULES.md C), the highest logged.
    pub during: Option<f64>,
    /// The evening's `after` score, the highest logged.
    pub after: Option<f64>,
    /// Next-morning stiffness minus the last morning stiffness before the
    /// run, minutes (None: not both logged).
    pub stiffness_change: Option<f64>,
    /// The morning stiffness before the run, when `stiffness_change` is known.
    pub stiffness_before: Option<f64>,
}

/// How much data a verdict needs, and the resampling's size and seed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportSettings {
    /// Fewest runs with a factor (and a next-morning entry) for a verdict.
    pub min_with: usize,
    /// Fewest runs without it to compare with.
    pub min_without: usize,
    /// A "rise" is a morning change ≥ this.
    pub rise: f64,
    /// Resampling rounds of the bootstraps, and random orders of the
    /// permutation tests; 0 computes none (and so no link). The smallest
    /// p-value is `1 / (rounds + 1)`: with too few rounds nothing can pass,
    /// which errs on the side of "no clear link".
    pub bootstrap_rounds: usize,
    pub seed: u64,
    /// Allow for the number of factors compared: family-wise permutation
    /// p-values (max-|t|) and Bonferroni intervals, so that together they
    /// hold at [`FAMILY_LEVEL`]. Off, each factor is judged at a plain 95 %
    /// and with a dozen factors a chance "link" is likely.
    pub bonferroni: bool,
}

impl Default for ReportSettings {
    fn default() -> ReportSettings {
        ReportSettings {
            min_with: 3,
            min_without: 3,
            rise: 2.0,
            bootstrap_rounds: 2000,
            seed: 0,
            bonferroni: true,
        }
    }
}

/// What the data says about one factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Fewer than `min_with` runs with the factor or `min_without` without,
    /// or the same runs as another factor (which it cannot be told from).
    NotEnoughData,
    /// The interval includes 0, or the permutation test does not rule out
    /// chance at the report's level.
    NoClearLink,
    /// The interval excludes 0, the permutation p-value is below the
    /// report's level, and the effect is positive: next-morning pain rose
    /// more after these runs.
    Link,
    /// As `Link`, with a negative effect: it rose less.
    Protective,
    /// The most common surface or part of day: the level the others of its
    /// kind are compared with, so it has no effect of its own.
    Reference,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::NotEnoughData => "not_enough_data",
            Verdict::NoClearLink => "no_clear_link",
            Verdict::Link => "link",
            Verdict::Protective => "protective",
            Verdict::Reference => "reference",
        }
    }
}

/// One factor: runs with it vs the runner's other runs by the next-morning
/// pain change (the comparison alone: counts, means, `interval`,
/// `p_value`), and its effect beyond the other factors (`adjusted_*`),
/// which gives the verdict. Runs where the factor cannot be decided (no
/// climb data, unknown surface, …) or without a next-morning entry are in
/// neither group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactorResult {
    /// `long_run`, `long_distance`, `hilly`, `fast`, `surface_<class>`,
    /// `new_shoes`, `lower_cadence`, `morning`, `midday`, `evening`, `night`.
    pub factor: String,
    /// The factor in the runner's words: "hilly runs", "runs in new shoes".
    pub label: String,
    pub n_with: usize,
    pub n_without: usize,
    pub mean_with: Option<f64>,
    pub mean_without: Option<f64>,
    /// mean_with − mean_without: the comparison alone.
    pub effect: Option<f64>,
    /// Bootstrap percentile interval of `effect` at [`Report::interval_level`]
    /// (the with and without groups resampled separately); None when the
    /// factor was not compared.
    pub interval: Option<(f64, f64)>,
    /// Two-sided permutation p-value of `effect`: the share of random
    /// splits of the same runs (same group sizes) whose difference was at
    /// least as large, `(1 + k) / (1 + rounds)`. None when not compared.
    pub p_value: Option<f64>,
    /// Runs with the factor followed by a rise ≥ `settings.rise`.
    pub rises_with: usize,
    /// Runs without it followed by a rise.
    pub rises_without: usize,
    /// What the comparison alone would say (what the report said before it
    /// weighed factors against each other).
    pub verdict_alone: Verdict,
    /// For a surface or part of day: the factor it is weighed against (the
    /// most common of its kind, e.g. `surface_road`). None for yes/no factors.
    pub compared_with: Option<String>,
    /// The effect beyond the other factors (the least-squares coefficient,
    /// in pain points; for a surface or part of day, against
    /// `compared_with`). None when the factor is not in the model.
    pub adjusted_effect: Option<f64>,
    /// Wild bootstrap interval of `adjusted_effect` at `interval_level`.
    pub adjusted_interval: Option<(f64, f64)>,
    /// Freedman–Lane permutation p-value of `adjusted_effect`, allowing
    /// for every factor judged (max-|t|) when the report allows for them.
    pub adjusted_p_value: Option<f64>,
    /// The factor that explains a rise the comparison alone showed, when
    /// none is left beyond the others.
    pub explained_by: Option<String>,
    /// The factor carried by the same runs, when this one could not be
    /// told apart from it and was left out of the model.
    pub same_runs_as: Option<String>,
    /// How many more runs with this factor and a next-morning entry would
    /// tell a rise that is not clear yet, if its effect and spread stayed
    /// as they are (the interval's half-width scaled by
    /// `sqrt(1/n_with + 1/n_without)`); None when not even doubling the
    /// history would.
    pub more_runs_needed: Option<usize>,
    /// More runs with a next-morning entry in all (with the factor and
    /// without) for the same, when more runs with it alone would not do:
    /// both kinds in today's proportion. Equal to `more_runs_needed` when
    /// those alone would.
    pub more_runs_in_all: Option<usize>,
    pub verdict: Verdict,
    /// One plain sentence, only as strong as the data.
    pub words: String,
}

impl FactorResult {
    /// A link, less pain, or a rise the comparison alone showed that the
    /// other factors explain: what a short listing keeps.
    pub fn says_something(&self) -> bool {
        matches!(self.verdict, Verdict::Link | Verdict::Protective) || self.explained_by.is_some()
    }
}

/// The personal tolerance (RULES.md C, "Stop before it hurts", "Achilles Tendonitis – Recovery and Workouts"):
/// the distance or climb at and beyond which most past runs were followed
/// by a rise, while below it a rise was the minority.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tolerance {
    /// "distance" or "climb".
    pub measure: String,
    /// Metres for distance, m/km for climb.
    pub threshold: f64,
    pub runs_beyond: usize,
    pub rises_beyond: usize,
    pub runs_below: usize,
    pub rises_below: usize,
    pub words: String,
}

/// Pain by the part of day the run started in ("Achilles Tendonitis – Recovery and Workouts", step 1; RULES.md D).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartOfDayRow {
    pub part: PartOfDay,
    /// All runs in this part of day, with or without pain entries.
    pub runs: usize,
    /// Of those, runs with a next-morning change.
    pub runs_with_change: usize,
    pub mean_change: Option<f64>,
    pub mean_during: Option<f64>,
    pub mean_after: Option<f64>,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub runs: usize,
    /// Runs with a next-morning change: the only ones the factors and the
    /// tolerance can use.
    pub runs_with_outcome: usize,
    /// Factors judged beyond the others (the `m` allowed for).
    pub factors_compared: usize,
    /// The level of each factor's intervals: 0.95, or `1 − 0.05 / m` with
    /// [`ReportSettings::bonferroni`]. The comparison alone needs its
    /// p-value below `1 − interval_level`; the effect beyond the others
    /// its family-wise p-value below 0.05.
    pub interval_level: f64,
    /// Link factors first, largest effect beyond the others first; then the
    /// rest in a fixed order (long run, long distance, hilly, fast,
    /// surfaces, new shoes, lower cadence, parts of day).
    pub factors: Vec<FactorResult>,
    /// How the factors were weighed against each other, in words.
    pub adjustment: String,
    /// Distance and/or climb tolerance; empty when none shows.
    pub tolerance: Vec<Tolerance>,
    /// One row per part of day that has runs, morning → night.
    pub part_of_day: Vec<PartOfDayRow>,
    pub summary: String,
    /// The other pain the Silbernagel model reads (RULES.md C): `during`,
    /// `after` and morning stiffness, each judged the same way, each with
    /// its own counts; only those the runner logged at least once.
    pub other_pain: Vec<OtherPain>,
}

/// One more kind of pain judged against the factors, as the next-morning
/// change is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OtherPain {
    /// `during`, `after` or `morning_stiffness`.
    pub outcome: String,
    /// "Pain during the run", "Pain that evening", "Morning stiffness".
    pub label: String,
    /// Runs with this outcome logged: the only ones its factors use.
    pub runs_with_outcome: usize,
    pub factors_compared: usize,
    pub interval_level: f64,
    /// As [`Report::factors`]; `rises_*` count the bad outcome of this
    /// kind (a score above [`PAIN_LIMIT`], stiffness up by
    /// [`STIFFNESS_RISE_MIN`] minutes or more).
    pub factors: Vec<FactorResult>,
    pub adjustment: String,
    pub summary: String,
}

/// Builds the report. Runs may come in any order; none is dropped, but only
/// runs with a finite `morning_change` enter the factors and the tolerance.
pub fn report(runs: &[(RunFactors, RunOutcome)], settings: &ReportSettings) -> Report {
    let changes: Vec<Option<f64>> = runs
        .iter()
        .map(|(_, o)| o.morning_change.filter(|c| c.is_finite()))
        .collect();
    let runs_with_outcome = changes.iter().flatten().count();

    let factors = factors_present(runs);
    let measure = Measure {
        event: format!("a rise of ≥ {}", number(settings.rise)),
        threshold: settings.rise,
        above: false,
        entry: "next-morning entry",
        more: "Next-morning pain rose more after",
        less: "next-morning pain went up less",
        stream: 0,
        before: runs.iter().map(|(_, o)| o.morning_before).collect(),
        before_words: "the pain of the morning before each run",
    };
    let judged = judge_factors(runs, &changes, &factors, &measure, settings);
    let summary = summary(&judged, &measure, runs.len(), runs_with_outcome);
    let tolerance = tolerances(runs, &changes, settings);
    let part_of_day = part_of_day_rows(runs, &changes);
    let other_pain = other_pain(runs, &factors, settings);

    Report {
        runs: runs.len(),
        runs_with_outcome,
        factors_compared: judged.factors_compared,
        interval_level: judged.interval_level,
        factors: judged.results.into_iter().map(|(r, _)| r).collect(),
        adjustment: judged.adjustment,
        tolerance,
        part_of_day,
        summary,
        other_pain,
    }
}

/// A run's value of one outcome, and the value before the run to weigh it with.
type OutcomeOf = fn(&RunOutcome) -> (Option<f64>, Option<f64>);

/// `during`, `after` and morning stiffness, each where logged (RULES.md C:
/// the Silbernagel model reads all three).
fn other_pain(
    runs: &[(RunFactors, RunOutcome)],
    factors: &[Factor],
    settings: &ReportSettings,
) -> Vec<OtherPain> {
    let limit = number(PAIN_LIMIT);
    let kinds: [(&str, &str, OutcomeOf, Measure); 3] = [
        (
            "during",
            "Pain during the run",
            |o| (o.during, None),
            Measure {
                event: format!("pain above {limit} during the run"),
                threshold: PAIN_LIMIT,
                above: true,
                entry: "pain entry during the run",
                more: "Pain during the run was higher in",
                less: "pain during the run was lower",
                stream: fnv1a(b"during"),
                before: Vec::new(),
                before_words: "",
            },
        ),
        (
            "after",
            "Pain that evening",
            |o| (o.after, None),
            Measure {
                event: format!("pain above {limit} that evening"),
                threshold: PAIN_LIMIT,
                above: true,
                entry: "pain entry that evening",
                more: "Pain that evening was higher after",
                less: "pain that evening was lower",
                stream: fnv1a(b"after"),
                before: Vec::new(),
                before_words: "",
            },
        ),
        (
            "morning_stiffness",
            "Morning stiffness",
            |o| (o.stiffness_change, o.stiffness_before),
            Measure {
                event: format!(
                    "morning stiffness up by {} min or more",
                    number(STIFFNESS_RISE_MIN)
                ),
                threshold: STIFFNESS_RISE_MIN,
                above: false,
                entry: "stiffness entry the morning before and after",
                more: "Morning stiffness rose more after",
                less: "morning stiffness went up less",
                stream: fnv1a(b"morning_stiffness"),
                before: Vec::new(),
                before_words: "the stiffness of the morning before each run",
            },
        ),
    ];
    kinds
        .into_iter()
        .filter_map(|(outcome, label, of, mut measure)| {
            let values: Vec<Option<f64>> = runs.iter().map(|(_, o)| finite(of(o).0)).collect();
            let runs_with_outcome = values.iter().flatten().count();
            if runs_with_outcome == 0 {
                return None;
            }
            measure.before = runs.iter().map(|(_, o)| of(o).1).collect();
            let judged = judge_factors(runs, &values, factors, &measure, settings);
            let summary = summary(&judged, &measure, runs.len(), runs_with_outcome);
            Some(OtherPain {
                outcome: outcome.to_string(),
                label: label.to_string(),
                runs_with_outcome,
                factors_compared: judged.factors_compared,
                interval_level: judged.interval_level,
                factors: judged.results.into_iter().map(|(r, _)| r).collect(),
                adjustment: judged.adjustment,
                summary,
            })
        })
        .collect()
}

/// The outcome the factors are judged by, as the words name it.
struct Measure {
    /// What counts as a bad outcome: "a rise of ≥ 2".
    event: String,
    threshold: f64,
    /// The bad outcome is above `threshold` (a score over the pain limit),
    /// not at or above it (a rise of 2 or more).
    above: bool,
    /// "next-morning entry".
    entry: &'static str,
    /// The summary's "Next-morning pain rose more after" (hilly runs).
    more: &'static str,
    /// "next-morning pain went up less" (after these than after …).
    less: &'static str,
    /// Mixed into the seeds, so each outcome has its own streams (0 for
    /// the next-morning change keeps its seeds as they always were).
    stream: u64,
    /// Per run, the score before it (the morning before the run), weighed
    /// in the model when every run with an outcome has one.
    before: Vec<Option<f64>>,
    /// "the pain of the morning before each run".
    before_words: &'static str,
}

/// The yes/no question a factor asks of a run.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Question {
    LongRun,
    /// Distance at or above this many metres.
    LongDistance(f64),
    /// Climb per km at or above this.
    Hilly(f64),
    Fast,
    Surface(Surface),
    NewShoes,
    LowerCadence,
    PartOfDay(PartOfDay),
}

/// Factors that are levels of one kind: a run is on exactly one surface
/// and starts in exactly one part of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    Surface,
    PartOfDay,
}

struct Factor {
    name: String,
    question: Question,
}

impl Factor {
    fn new(question: Question) -> Factor {
        let name = match question {
            Question::LongRun => "long_run".to_string(),
            Question::LongDistance(_) => "long_distance".to_string(),
            Question::Hilly(_) => "hilly".to_string(),
            Question::Fast => "fast".to_string(),
            Question::Surface(s) => format!("surface_{}", s.as_str()),
            Question::NewShoes => "new_shoes".to_string(),
            Question::LowerCadence => "lower_cadence".to_string(),
            Question::PartOfDay(p) => p.as_str().to_string(),
        };
        Factor { name, question }
    }

    fn group(&self) -> Option<Group> {
        match self.question {
            Question::Surface(_) => Some(Group::Surface),
            Question::PartOfDay(_) => Some(Group::PartOfDay),
            _ => None,
        }
    }

    /// Some(yes/no), or None when this run cannot tell.
    fn decide(&self, run: &RunFactors) -> Option<bool> {
        match self.question {
            Question::LongRun => finite(run.distance_vs_longest_30d).map(|r| r >= LONG_RUN_RATIO),
            Question::LongDistance(threshold) => (run.distance_m.is_finite()
                && run.distance_m > 0.0)
                .then_some(run.distance_m >= threshold),
            Question::Hilly(threshold) => finite(run.climb_m_per_km).map(|c| c >= threshold),
            Question::Fast => run
                .minutes_faster_than_easy
                .is_finite()
                .then_some(run.minutes_faster_than_easy >= FAST_MIN_MINUTES),
            Question::Surface(s) => (run.surface != Surface::Unknown).then_some(run.surface == s),
            Question::NewShoes => Some(run.new_shoes),
            Question::LowerCadence => finite(run.cadence_shift_pct).map(|p| p <= LOWER_CADENCE_PCT),
            Question::PartOfDay(p) => Some(run.part_of_day == p),
        }
    }

    /// "hilly runs", "run in new shoes": `n` of them.
    fn runs(&self, n: usize) -> String {
        let runs = if n == 1 { "run" } else { "runs" };
        match self.question {
            Question::LongRun => format!("{runs} at or past your 30-day longest"),
            Question::LongDistance(m) => {
                format!("long {runs} of {} or more", crate::units::km(m))
            }
            Question::Hilly(_) => format!("hilly {runs}"),
            Question::Fast => format!("fast {runs}"),
            Question::Surface(s) => format!("{} {runs}", s.as_str()),
            Question::NewShoes => format!("{runs} in new shoes"),
            Question::LowerCadence => format!("{runs} at lower cadence"),
            Question::PartOfDay(p) => format!("{} {runs}", p.as_str()),
        }
    }

    /// What of a run this factor is, as in "no rise beyond what their
    /// distance explains".
    fn cause(&self) -> String {
        match self.question {
            Question::LongRun | Question::LongDistance(_) => "their distance".to_string(),
            Question::Hilly(_) => "their climbing".to_string(),
            Question::Fast => "their speed".to_string(),
            Question::Surface(s) => format!("running on {}", s.as_str()),
            Question::NewShoes => "the new shoes".to_string(),
            Question::LowerCadence => "their lower cadence".to_string(),
            Question::PartOfDay(p) => format!("the time of day ({})", p.as_str()),
        }
    }
}

/// The factors this runner's data can ask about: the fixed ones always
/// (so a missing kind of data shows as "not enough data"), one per known
/// surface and part of day present.
fn factors_present(runs: &[(RunFactors, RunOutcome)]) -> Vec<Factor> {
    let climbs: Vec<f64> = runs
        .iter()
        .filter_map(|(f, _)| finite(f.climb_m_per_km))
        .collect();
    let hilly_threshold =
        HILLY_MIN_M_PER_KM.max(median(&climbs).unwrap_or(0.0) * HILLY_MEDIAN_FACTOR);
    let distances: Vec<f64> = runs
        .iter()
        .map(|(f, _)| f.distance_m)
        .filter(|d| d.is_finite() && *d > 0.0)
        .collect();
    let long_threshold = median(&distances).unwrap_or(0.0) * LONG_DISTANCE_MEDIAN_FACTOR;

    let mut factors = vec![
        Factor::new(Question::LongRun),
        Factor::new(Question::LongDistance(long_threshold)),
        Factor::new(Question::Hilly(hilly_threshold)),
        Factor::new(Question::Fast),
    ];
    for s in Surface::ALL {
        if s != Surface::Unknown && runs.iter().any(|(f, _)| f.surface == s) {
            factors.push(Factor::new(Question::Surface(s)));
        }
    }
    factors.push(Factor::new(Question::NewShoes));
    factors.push(Factor::new(Question::LowerCadence));
    for p in PARTS_OF_DAY {
        if runs.iter().any(|(f, _)| f.part_of_day == p) {
            factors.push(Factor::new(Question::PartOfDay(p)));
        }
    }
    factors
}

/// Each factor's answer for the runs with an outcome, and the outcomes.
struct Table {
    /// Outcome per row (runs with an outcome only).
    y: Vec<f64>,
    /// The score before each row's run, when every row has one.
    before: Option<Vec<f64>>,
    /// Per factor, per row.
    answers: Vec<Vec<Option<bool>>>,
}

impl Table {
    fn new(
        runs: &[(RunFactors, RunOutcome)],
        outcome: &[Option<f64>],
        before: &[Option<f64>],
        factors: &[Factor],
    ) -> Table {
        let rows: Vec<(&RunFactors, f64, Option<f64>)> = runs
            .iter()
            .zip(outcome)
            .zip(before.iter().chain(std::iter::repeat(&None)))
            .filter_map(|(((run, _), y), b)| Some((run, (*y)?, finite(*b))))
            .collect();
        Table {
            y: rows.iter().map(|(_, y, _)| *y).collect(),
            before: rows.iter().map(|(_, _, b)| *b).collect(),
            answers: factors
                .iter()
                .map(|f| rows.iter().map(|(run, _, _)| f.decide(run)).collect())
                .collect(),
        }
    }

    /// Outcomes of the runs with (yes) and without (no) factor `i`.
    fn groups(&self, i: usize) -> Groups {
        let mut g = Groups {
            with: Vec::new(),
            without: Vec::new(),
        };
        for (answer, y) in self.answers[i].iter().zip(&self.y) {
            match answer {
                Some(true) => g.with.push(*y),
                Some(false) => g.without.push(*y),
                None => {}
            }
        }
        g
    }

    /// 1 where factor `i` is yes, 0 where no or unknown.
    fn column(&self, i: usize) -> Vec<f64> {
        self.answers[i]
            .iter()
            .map(|a| f64::from(*a == Some(true)))
            .collect()
    }

    /// 1 where factor `i` cannot be decided.
    fn unknown(&self, i: usize) -> Vec<f64> {
        self.answers[i]
            .iter()
            .map(|a| f64::from(a.is_none()))
            .collect()
    }
}

/// Next-morning changes of the runs with and without a factor.
struct Groups {
    with: Vec<f64>,
    without: Vec<f64>,
}

/// The factors judged for one outcome.
struct Judgement {
    /// Each factor's result with its plural noun ("hilly runs"), links first.
    results: Vec<(FactorResult, String)>,
    factors_compared: usize,
    interval_level: f64,
    adjustment: String,
    /// "Hilly runs: no rise beyond what their distance explains."
    explained: Vec<String>,
}

/// Where a factor stands in the model.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Role {
    /// Too few runs with or without it: in the model (so its runs are not
    /// taken for the reference), not judged.
    Rare,
    /// The most common level of its group: no column.
    Reference,
    /// Judged, at this input column of the model.
    Judged(usize),
    /// Not in the model: no run has it.
    Absent,
}

fn judge_factors(
    runs: &[(RunFactors, RunOutcome)],
    outcome: &[Option<f64>],
    factors: &[Factor],
    measure: &Measure,
    settings: &ReportSettings,
) -> Judgement {
    let table = Table::new(runs, outcome, &measure.before, factors);
    let groups: Vec<Groups> = (0..factors.len()).map(|i| table.groups(i)).collect();
    let enough = |g: &Groups| {
        g.with.len() >= settings.min_with.max(1) && g.without.len() >= settings.min_without.max(1)
    };

    // The reference of each group: its most common level (the first of
    // the fixed order on a tie).
    // A group with one level seen has nothing to compare it with: no
    // reference (its level is then a yes/no factor without "without" runs).
    let reference = |group: Group| -> Option<usize> {
        let mut best: Option<(usize, usize)> = None;
        let mut levels = 0;
        for (i, f) in factors.iter().enumerate() {
            let n = groups[i].with.len();
            if f.group() == Some(group) && n > 0 {
                levels += 1;
                if best.is_none_or(|(_, m)| n > m) {
                    best = Some((i, n));
                }
            }
        }
        best.filter(|_| levels > 1).map(|(i, _)| i)
    };
    let references: Vec<usize> = [Group::Surface, Group::PartOfDay]
        .into_iter()
        .filter_map(reference)
        .collect();

    // Columns: judged factors in the fixed order first (they take
    // precedence when the design is singular), then rare ones, then one
    // "unknown" column per factor that some runs cannot decide.
    let mut columns: Vec<Vec<f64>> = Vec::new();
    let mut roles = vec![Role::Absent; factors.len()];
    let mut column_factor: Vec<usize> = Vec::new();
    for pass_judged in [true, false] {
        for (i, g) in groups.iter().enumerate() {
            if references.contains(&i) {
                roles[i] = Role::Reference;
                continue;
            }
            if g.with.is_empty() || enough(g) != pass_judged {
                continue;
            }
            roles[i] = if pass_judged {
                Role::Judged(columns.len())
            } else {
                Role::Rare
            };
            columns.push(table.column(i));
            column_factor.push(i);
        }
    }
    let judge_flags: Vec<bool> = (0..columns.len())
        .map(|c| roles.contains(&Role::Judged(c)))
        .collect();
    for (i, role) in roles.iter().enumerate() {
        if *role != Role::Absent && *role != Role::Reference {
            let unknown = table.unknown(i);
            if unknown.contains(&1.0) && !columns.contains(&unknown) {
                columns.push(unknown);
            }
        }
    }
    if let Some(before) = &table.before {
        columns.push(before.clone());
    }
    let refs: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
    let qr = model::Qr::new(&refs, table.y.len());
    let factors_compared = (0..judge_flags.len())
        .filter(|&c| judge_flags[c] && qr.place(c).is_some())
        .count();
    let interval_level = if settings.bonferroni && factors_compared > 1 {
        1.0 - (1.0 - FAMILY_LEVEL) / factors_compared as f64
    } else {
        FAMILY_LEVEL
    };
    let mut flags = judge_flags.clone();
    flags.resize(refs.len(), false);
    let (_, adjusted) = model::judge(
        &refs,
        &flags,
        &table.y,
        settings.bootstrap_rounds,
        interval_level,
        1.0 - FAMILY_LEVEL,
        mix(settings.seed ^ measure.stream ^ fnv1a(b"beyond the others")),
    );

    // The comparison alone, as the report made it before it weighed the
    // factors together.
    let alpha = 1.0 - interval_level;
    let alone: Vec<Alone> = factors
        .iter()
        .zip(&groups)
        .map(|(factor, g)| {
            if !enough(g) {
                return Alone::default();
            }
            let seed = mix(settings.seed ^ measure.stream ^ fnv1a(factor.name.as_bytes()));
            let rounds = settings.bootstrap_rounds;
            let interval = bootstrap_interval(&g.with, &g.without, rounds, interval_level, seed);
            let p_value = permutation_p(&g.with, &g.without, rounds, mix(seed));
            let effect = mean(&g.with).zip(mean(&g.without)).map(|(a, b)| a - b);
            Alone {
                interval,
                p_value,
                verdict: verdict_of(effect, interval, p_value.is_some_and(|p| p < alpha)),
            }
        })
        .collect();

    let p_limit = 1.0 - FAMILY_LEVEL;
    let beyond: Vec<Beyond> = factors
        .iter()
        .enumerate()
        .map(|(i, _)| match roles[i] {
            Role::Judged(c) => match qr.place(c) {
                None => Beyond {
                    same_runs_as: qr.leans_on(c).and_then(|l| column_factor.get(l).copied()),
                    ..Beyond::default()
                },
                Some(_) => {
                    let j = adjusted.get(c).copied().flatten();
                    let (p, t_needed) = match j {
                        Some(j) if settings.bonferroni => (j.p_family, j.t_needed_family),
                        Some(j) => (j.p_single, j.t_needed_single),
                        None => (None, None),
                    };
                    Beyond {
                        in_model: true,
                        effect: j.map(|j| j.estimate),
                        interval: j.and_then(|j| j.interval),
                        p_value: p,
                        t: j.map(|j| j.t),
                        t_needed,
                        verdict: verdict_of(
                            j.map(|j| j.estimate),
                            j.and_then(|j| j.interval),
                            p.is_some_and(|p| p < p_limit),
                        ),
                        ..Beyond::default()
                    }
                }
            },
            _ => Beyond::default(),
        })
        .collect();

    let verdicts: Vec<Verdict> = (0..factors.len())
        .map(|i| match roles[i] {
            _ if !enough(&groups[i]) => Verdict::NotEnoughData,
            Role::Reference => Verdict::Reference,
            Role::Judged(_) if beyond[i].in_model => beyond[i].verdict,
            _ => Verdict::NotEnoughData,
        })
        .collect();

    let reference_of = |i: usize| -> Option<usize> {
        let g = factors[i].group()?;
        references
            .iter()
            .copied()
            .find(|&r| factors[r].group() == Some(g) && r != i)
    };
    let explainers: Vec<Option<usize>> = (0..factors.len())
        .map(|i| {
            let shown_alone = alone[i].verdict == Verdict::Link;
            (shown_alone && beyond[i].in_model && verdicts[i] != Verdict::Link)
                .then(|| explained_by(&table, i, &roles, &verdicts))
                .flatten()
        })
        .collect();

    let mut results: Vec<(FactorResult, String)> = factors
        .iter()
        .enumerate()
        .map(|(i, factor)| {
            let context = Context {
                factor,
                groups: &groups[i],
                alone: &alone[i],
                beyond: &beyond[i],
                verdict: verdicts[i],
                reference: reference_of(i).map(|r| &factors[r]),
                explained_by: explainers[i].map(|e| &factors[e]),
                same_runs_as: beyond[i].same_runs_as.map(|s| &factors[s]),
                factors_compared,
                measure,
            };
            (factor_result(&context, settings), factor.runs(2))
        })
        .collect();
    // Links first, by effect beyond the others; `sort_by` is stable, so
    // the rest keep the fixed order.
    let key = |r: &FactorResult| r.adjusted_effect.or(r.effect).unwrap_or(0.0);
    results.sort_by(|(a, _), (b, _)| match (a.verdict, b.verdict) {
        (Verdict::Link, Verdict::Link) => key(b).total_cmp(&key(a)),
        (Verdict::Link, _) => std::cmp::Ordering::Less,
        (_, Verdict::Link) => std::cmp::Ordering::Greater,
        _ => std::cmp::Ordering::Equal,
    });

    let adjustment = adjustment_words(
        factors,
        &references,
        factors_compared,
        table.before.as_ref().map(|_| measure.before_words),
    );
    let explained = explainers
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let e = &factors[(*e)?];
            Some(format!(
                "{}: no rise beyond what {} explains.",
                capitalised(&factors[i].runs(2)),
                e.cause()
            ))
        })
        .collect();
    Judgement {
        results,
        explained,
        factors_compared,
        interval_level,
        adjustment,
    }
}

/// The comparison alone of one factor.
#[derive(Debug, Clone, Copy)]
struct Alone {
    interval: Option<(f64, f64)>,
    p_value: Option<f64>,
    verdict: Verdict,
}

impl Default for Alone {
    fn default() -> Alone {
        Alone {
            interval: None,
            p_value: None,
            verdict: Verdict::NotEnoughData,
        }
    }
}

/// One factor's effect beyond the others.
#[derive(Debug, Clone, Copy)]
struct Beyond {
    /// Judged in the model (not rare, not the reference, not dropped).
    in_model: bool,
    effect: Option<f64>,
    interval: Option<(f64, f64)>,
    p_value: Option<f64>,
    /// The effect's t, and the |t| its permutation test needs.
    t: Option<f64>,
    t_needed: Option<f64>,
    verdict: Verdict,
    /// Dropped: the factor carried by the same runs.
    same_runs_as: Option<usize>,
}

impl Default for Beyond {
    fn default() -> Beyond {
        Beyond {
            in_model: false,
            effect: None,
            interval: None,
            p_value: None,
            t: None,
            t_needed: None,
            verdict: Verdict::NotEnoughData,
            same_runs_as: None,
        }
    }
}

/// Link, Protective or NoClearLink from an effect, its interval and
/// whether its test ruled out chance.
fn verdict_of(effect: Option<f64>, interval: Option<(f64, f64)>, beyond_chance: bool) -> Verdict {
    match (interval, effect) {
        (Some((lo, _)), Some(e)) if beyond_chance && lo > 0.0 && e > 0.0 => Verdict::Link,
        (Some((_, hi)), Some(e)) if beyond_chance && hi < 0.0 && e < 0.0 => Verdict::Protective,
        _ => Verdict::NoClearLink,
    }
}

/// The factor whose inclusion removes most of factor `i`'s effect: for
/// each other factor in the model, the fit of the outcome on the two
/// (and their "unknown" columns, and the score before); the one that
/// leaves `i` the smallest effect, if that is at most
/// [`EXPLAINS_SHARE`] of the effect `i` has in the same fit alone. Factors
/// linked beyond the others are asked first: a rise that a linked factor
/// explains is that factor's. None when no single factor explains it
/// (the rise fades only with several together, or by chance): then the
/// words do not name one.
fn explained_by(table: &Table, i: usize, roles: &[Role], verdicts: &[Verdict]) -> Option<usize> {
    let effect_with = |other: Option<usize>| -> Option<f64> {
        let mut columns = vec![table.column(i)];
        columns.extend(other.map(|o| table.column(o)));
        for f in std::iter::once(i).chain(other) {
            let unknown = table.unknown(f);
            if unknown.contains(&1.0) {
                columns.push(unknown);
            }
        }
        columns.extend(table.before.clone());
        let refs: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
        model::Qr::new(&refs, table.y.len())
            .coefficients(&table.y)
            .first()
            .copied()
            .flatten()
    };
    let alone = effect_with(None).filter(|e| *e > 0.0)?;
    let candidates = |linked: bool| {
        (0..roles.len())
            .filter(|&o| o != i && matches!(roles[o], Role::Judged(_)))
            .filter(|&o| (verdicts[o] == Verdict::Link) == linked)
            .filter_map(|o| Some((o, effect_with(Some(o))?)))
            .filter(|(_, left)| *left <= EXPLAINS_SHARE * alone)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(o, _)| o)
    };
    candidates(true).or_else(|| candidates(false))
}

/// A factor explains another's rise when weighing the two together leaves
/// the other at most this share of its rise alone.
const EXPLAINS_SHARE: f64 = 0.5;

/// "Each of 9 factors is weighed beyond the others and the pain of the
/// morning before each run at once; surfaces against road runs, times of
/// day against morning runs."
fn adjustment_words(
    factors: &[Factor],
    references: &[usize],
    judged: usize,
    before: Option<&str>,
) -> String {
    let beyond = before.map(|b| format!(" and {b}")).unwrap_or_default();
    let mut words = match judged {
        0 => return "No factor had enough runs to be judged.".to_string(),
        1 => match before {
            Some(b) => format!("One factor had enough runs to be judged, beyond {b}"),
            None => "One factor had enough runs to be judged".to_string(),
        },
        n => format!("Each of {n} factors is weighed beyond the others{beyond} at once"),
    };
    let against: Vec<String> = references
        .iter()
        .map(|&r| {
            let kind = match factors[r].group() {
                Some(Group::Surface) => "surfaces",
                _ => "times of day",
            };
            format!("{kind} against {}", factors[r].runs(2))
        })
        .collect();
    if !against.is_empty() {
        words.push_str("; ");
        words.push_str(&against.join(", "));
    }
    words.push('.');
    words
}

/// Everything [`factor_result`] needs of one factor.
struct Context<'a> {
    factor: &'a Factor,
    groups: &'a Groups,
    alone: &'a Alone,
    beyond: &'a Beyond,
    verdict: Verdict,
    reference: Option<&'a Factor>,
    explained_by: Option<&'a Factor>,
    same_runs_as: Option<&'a Factor>,
    factors_compared: usize,
    measure: &'a Measure,
}

fn factor_result(c: &Context<'_>, settings: &ReportSettings) -> FactorResult {
    let (factor, g, measure) = (c.factor, c.groups, c.measure);
    let mean_with = mean(&g.with);
    let mean_without = mean(&g.without);
    let effect = mean_with.zip(mean_without).map(|(a, b)| a - b);
    let bad = |y: f64| {
        if measure.above {
            y > measure.threshold
        } else {
            y >= measure.threshold
        }
    };
    let rises = |v: &[f64]| v.iter().filter(|y| bad(**y)).count();
    let (rises_with, rises_without) = (rises(&g.with), rises(&g.without));
    let (n_with, n_without) = (g.with.len(), g.without.len());
    let verdict = c.verdict;
    let more = match (verdict, c.explained_by, c.beyond.effect, c.beyond.interval) {
        (Verdict::NoClearLink, None, Some(e), Some(iv)) => {
            let t = c.beyond.t.zip(c.beyond.t_needed);
            more_runs_needed(e, iv, t, n_with, n_without)
        }
        _ => None,
    };

    let followed = format!(
        "{rises_with} of {n_with} {} {} followed by {}",
        factor.runs(n_with),
        if rises_with == 1 { "was" } else { "were" },
        measure.event,
    );
    let means = format!(
        "mean {} vs {} otherwise",
        signed(mean_with.unwrap_or(0.0)),
        signed(mean_without.unwrap_or(0.0)),
    );
    let against = c
        .reference
        .map(|r| format!(" against {}", r.runs(2)))
        .unwrap_or_default();
    let beyond_words = |e: f64| format!("{}{against} beyond the other factors", signed(e));
    let interval_words = |(lo, hi): (f64, f64)| {
        let allowing = if settings.bonferroni && c.factors_compared > 1 {
            format!(", allowing for the {} factors compared", c.factors_compared)
        } else {
            String::new()
        };
        format!("95 % interval {} to {}{allowing}", signed(lo), signed(hi))
    };
    let hint = if n_with < HINT_BELOW_RUNS {
        "; few runs, so treat it as a hint"
    } else {
        ""
    };
    let others = match c.reference {
        Some(r) => r.runs(2),
        None => "your other runs".to_string(),
    };
    let words = match (verdict, c.beyond.effect, c.beyond.interval) {
        (Verdict::NotEnoughData, _, _) if n_with < settings.min_with.max(1) => format!(
            "not enough data: {n_with} {} with a {} (need {})",
            factor.runs(n_with),
            measure.entry,
            settings.min_with.max(1),
        ),
        (Verdict::NotEnoughData, _, _) if n_without < settings.min_without.max(1) => format!(
            "not enough data: only {n_without} other {} with a {} to compare with (need {})",
            if n_without == 1 { "run" } else { "runs" },
            measure.entry,
            settings.min_without.max(1),
        ),
        (Verdict::NotEnoughData, _, _) => match c.same_runs_as {
            Some(s) => format!(
                "cannot be told apart from {}: the same runs carry both ({followed})",
                s.runs(2)
            ),
            None => format!("cannot be told apart from the other factors ({followed})"),
        },
        (Verdict::Reference, _, _) => format!(
            "{followed}; the runs the other {} are compared with ({means})",
            match factor.group() {
                Some(Group::Surface) => "surfaces",
                _ => "times of day",
            }
        ),
        (Verdict::Link, Some(e), Some(iv)) => format!(
            "{followed} ({means}; {}, {}){hint}",
            beyond_words(e),
            interval_words(iv)
        ),
        (Verdict::Protective, Some(e), Some(iv)) => format!(
            "{followed} ({means}; {}, {}): {} after these than after {others}{hint}",
            beyond_words(e),
            interval_words(iv),
            measure.less
        ),
        (_, Some(e), _) if c.explained_by.is_some() => format!(
            "no rise beyond what {} explains: {followed} ({means}; {})",
            c.explained_by.map(Factor::cause).unwrap_or_default(),
            beyond_words(e),
        ),
        (_, Some(e), Some(_)) => {
            let more = match more {
                Some(m) if m.in_all == m.with => format!(
                    "; {} more {} with a {} would tell",
                    m.with,
                    factor.runs(m.with),
                    measure.entry
                ),
                Some(m) => format!(
                    "; about {} more runs with a {}, {} of them {}, would tell",
                    m.in_all,
                    measure.entry,
                    m.with,
                    factor.runs(m.with)
                ),
                None => String::new(),
            };
            format!(
                "{followed}; no clear difference from {others} ({means}; {}){more}",
                beyond_words(e)
            )
        }
        _ => format!(
            "{followed} ({means}); too few runs with a {} to weigh it against the other factors",
            measure.entry
        ),
    };

    FactorResult {
        factor: factor.name.clone(),
        label: factor.runs(2),
        n_with,
        n_without,
        mean_with,
        mean_without,
        effect,
        interval: c.alone.interval,
        p_value: c.alone.p_value,
        rises_with,
        rises_without,
        verdict_alone: c.alone.verdict,
        compared_with: c.reference.map(|r| r.name.clone()),
        adjusted_effect: c.beyond.effect,
        adjusted_interval: c.beyond.interval,
        adjusted_p_value: c.beyond.p_value,
        explained_by: c.explained_by.map(|f| f.name.clone()),
        same_runs_as: c.same_runs_as.map(|f| f.name.clone()),
        more_runs_needed: more.map(|m| m.with),
        more_runs_in_all: more.map(|m| m.in_all),
        verdict,
        words,
    }
}

/// How many more runs with an entry would tell a rise that is not clear
/// yet, if the effect and the spread stayed as they are. Both of a link's
/// tests must pass, and both scale the same way with more runs: the
/// interval's half-width below the effect and the effect's standard error
/// (so its t) with `sqrt(1/n_with + 1/n_without)`, the standard error of a
/// difference of means. `r` is how far the binding one is from passing:
/// effect / half-width, or t / the t the permutation test needs, whichever
/// is smaller; the spread must shrink by `r`:
/// - with more runs with the factor alone (a rare factor):
///   `1/(n_with + k) < r² (1/n_with + 1/n_without) − 1/n_without`;
/// - or with more runs of both kinds in today's proportion: `N/r²` runs
///   in all instead of `N`;
///
/// whichever needs fewer runs in all. None for no rise, one whose tests
/// both pass already, or one that would take more runs than the whole
/// history holds again.
fn more_runs_needed(
    effect: f64,
    (lo, _): (f64, f64),
    t: Option<(f64, f64)>,
    n_with: usize,
    n_without: usize,
) -> Option<MoreRuns> {
    let half = effect - lo;
    if effect <= 0.0 || half <= 0.0 || n_with == 0 || n_without == 0 {
        return None;
    }
    let from_test = t
        .filter(|(_, needed)| *needed > 0.0)
        .map_or(f64::INFINITY, |(t, needed)| t / needed);
    let r = (effect / half).min(from_test);
    if !(r > 0.0 && r < 1.0) {
        return None;
    }
    let (nw, nwo) = (n_with as f64, n_without as f64);
    let all = n_with + n_without;
    let bound = r * r * (1.0 / nw + 1.0 / nwo) - 1.0 / nwo;
    let only_with = (bound > 0.0).then(|| {
        let with = ((1.0 / bound).floor() as usize + 1)
            .saturating_sub(n_with)
            .max(1);
        MoreRuns { with, in_all: with }
    });
    let both = {
        let in_all = ((all as f64 / (r * r)).ceil() as usize)
            .saturating_sub(all)
            .max(1);
        let with = ((in_all as f64 * nw / all as f64).ceil() as usize).max(1);
        MoreRuns { with, in_all }
    };
    let more = only_with
        .filter(|o| o.in_all <= both.in_all)
        .unwrap_or(both);
    (more.in_all <= all).then_some(more)
}

/// What [`more_runs_needed`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct MoreRuns {
    /// More runs with the factor.
    with: usize,
    /// More runs in all (with and without it).
    in_all: usize,
}

/// The percentile bootstrap interval of mean(with) − mean(without) at
/// `level` (e.g. 0.95): each round resamples both groups separately, with
/// replacement, at their own sizes. None when a group is empty or there
/// are no rounds. Deterministic for a seed.
fn bootstrap_interval(
    with: &[f64],
    without: &[f64],
    rounds: usize,
    level: f64,
    seed: u64,
) -> Option<(f64, f64)> {
    if with.is_empty() || without.is_empty() || rounds == 0 {
        return None;
    }
    let mut rng = SplitMix64(seed);
    let mut effects: Vec<f64> = (0..rounds)
        .map(|_| resampled_mean(with, &mut rng) - resampled_mean(without, &mut rng))
        .collect();
    effects.sort_by(f64::total_cmp);
    let tail = ((1.0 - level) / 2.0).clamp(0.0, 0.5);
    Some((
        percentile(&effects, tail)?,
        percentile(&effects, 1.0 - tail)?,
    ))
}

/// Two-sided permutation test of mean(with) − mean(without): how often a
/// random split of all these runs into groups of the same sizes gives a
/// difference at least as large. Exact in expectation whatever the group
/// sizes or the shape of the pain scores, which is what the small groups
/// need (a runner's 3 runs in new shoes). `(1 + k) / (1 + rounds)`
/// (Phipson & Smyth 2010), so never 0. None when a group is empty or there
/// are no rounds.
fn permutation_p(with: &[f64], without: &[f64], rounds: usize, seed: u64) -> Option<f64> {
    let (n_with, n_without) = (with.len(), without.len());
    if n_with == 0 || n_without == 0 || rounds == 0 {
        return None;
    }
    let mut pool: Vec<f64> = with.iter().chain(without).copied().collect();
    let total: f64 = pool.iter().sum();
    let observed = difference(with.iter().sum(), total, n_with, n_without).abs();
    // Sums that differ only by rounding are the same split.
    let tolerance = 1e-9 * pool.iter().fold(1.0, |m: f64, v| m.max(v.abs()));
    let mut rng = SplitMix64(seed);
    let mut extreme = 0usize;
    for _ in 0..rounds {
        // A partial Fisher–Yates shuffle: the first n_with are the new "with".
        for i in 0..n_with {
            let j = i + rng.below(pool.len() - i);
            pool.swap(i, j);
        }
        let sum_with: f64 = pool.iter().take(n_with).sum();
        if difference(sum_with, total, n_with, n_without).abs() >= observed - tolerance {
            extreme += 1;
        }
    }
    Some((1 + extreme) as f64 / (1 + rounds) as f64)
}

/// mean(with) − mean(without), from the with-group's sum and the total.
fn difference(sum_with: f64, total: f64, n_with: usize, n_without: usize) -> f64 {
    sum_with / n_with as f64 - (total - sum_with) / n_without as f64
}

fn resampled_mean(values: &[f64], rng: &mut SplitMix64) -> f64 {
    let sum: f64 = (0..values.len())
        .filter_map(|_| values.get(rng.below(values.len())))
        .sum();
    sum / values.len() as f64
}

/// Distance and climb tolerances (RULES.md C, "Stop before it hurts").
fn tolerances(
    runs: &[(RunFactors, RunOutcome)],
    changes: &[Option<f64>],
    settings: &ReportSettings,
) -> Vec<Tolerance> {
    let points = |value: fn(&RunFactors) -> Option<f64>| -> Vec<(f64, bool)> {
        runs.iter()
            .zip(changes)
            .filter_map(|((run, _), change)| {
                let v = finite(value(run))?;
                Some((v, (*change)? >= settings.rise))
            })
            .collect()
    };
    let distance = points(|r| Some(r.distance_m).filter(|d| *d > 0.0));
    let climb = points(|r| r.climb_m_per_km);
    [
        tolerance("distance", &distance, settings),
        tolerance("climb", &climb, settings),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The smallest threshold such that at least `min_with` runs reached it and
/// most of them (> 50 %) were followed by a rise, while of the (at least
/// `min_without`) runs below it a minority (< 50 %) were. Thresholds are
/// the values of runs that were followed by a rise: the tolerance is a
/// distance where pain did rise, not one in the quiet gap below it (that
/// gap's no-rise runs would otherwise pull the threshold down).
fn tolerance(
    measure: &str,
    points: &[(f64, bool)],
    settings: &ReportSettings,
) -> Option<Tolerance> {
    let mut candidates: Vec<f64> = points.iter().filter(|p| p.1).map(|p| p.0).collect();
    candidates.sort_by(f64::total_cmp);
    candidates.dedup();
    candidates.into_iter().find_map(|threshold| {
        let count = |beyond: bool| {
            points
                .iter()
                .filter(|(v, _)| (*v >= threshold) == beyond)
                .fold((0, 0), |(n, r), (_, rose)| (n + 1, r + usize::from(*rose)))
        };
        let (runs_beyond, rises_beyond) = count(true);
        let (runs_below, rises_below) = count(false);
        let holds = runs_beyond >= settings.min_with.max(1)
            && 2 * rises_beyond > runs_beyond
            && runs_below >= settings.min_without.max(1)
            && 2 * rises_below < runs_below;
        holds.then(|| {
            let runs_word = |n: usize| if n == 1 { "run" } else { "runs" };
            let (beyond_words, below_words) = if measure == "distance" {
                (
                    format!("of {} or more", crate::units::km(threshold)),
                    "shorter",
                )
            } else {
                (
                    format!("with {threshold:.1} m/km of climbing or more"),
                    "flatter",
                )
            };
            let words = format!(
                "{rises_beyond} of {runs_beyond} {} {beyond_words} {} followed by a rise of ≥ {}, against {rises_below} of {runs_below} {below_words} {}",
                runs_word(runs_beyond),
                if rises_beyond == 1 { "was" } else { "were" },
                number(settings.rise),
                runs_word(runs_below),
            );
            Tolerance {
                measure: measure.to_string(),
                threshold,
                runs_beyond,
                rises_beyond,
                runs_below,
                rises_below,
                words,
            }
        })
    })
}

/// "Achilles Tendonitis – Recovery and Workouts", step 1: "Your Achilles will play a large role in dictating the
/// best time to run."
fn part_of_day_rows(
    runs: &[(RunFactors, RunOutcome)],
    changes: &[Option<f64>],
) -> Vec<PartOfDayRow> {
    PARTS_OF_DAY
        .into_iter()
        .filter_map(|part| {
            let here: Vec<(&RunOutcome, Option<f64>)> = runs
                .iter()
                .zip(changes)
                .filter(|((f, _), _)| f.part_of_day == part)
                .map(|((_, o), c)| (o, *c))
                .collect();
            if here.is_empty() {
                return None;
            }
            let change: Vec<f64> = here.iter().filter_map(|(_, c)| *c).collect();
            let during: Vec<f64> = here.iter().filter_map(|(o, _)| finite(o.during)).collect();
            let after: Vec<f64> = here.iter().filter_map(|(o, _)| finite(o.after)).collect();
            Some(PartOfDayRow {
                part,
                runs: here.len(),
                runs_with_change: change.len(),
                mean_change: mean(&change),
                mean_during: mean(&during),
                mean_after: mean(&after),
            })
        })
        .collect()
}

/// Which factors show a link beyond the others, which rises the others
/// explain, and how much of the history could be used.
fn summary(judged: &Judgement, measure: &Measure, runs: usize, runs_with_outcome: usize) -> String {
    let results = &judged.results;
    let links: Vec<String> = results
        .iter()
        .filter(|(r, _)| r.verdict == Verdict::Link)
        .map(|(r, noun)| {
            format!(
                "{noun} (mean {} vs {} otherwise)",
                signed(r.mean_with.unwrap_or(0.0)),
                signed(r.mean_without.unwrap_or(0.0)),
            )
        })
        .collect();
    let first = match links.as_slice() {
        [] => "No factor shows a clear link yet.".to_string(),
        [one] => format!("{} {one}.", measure.more),
        [init @ .., last] => format!("{} {} and {last}.", measure.more, init.join(", ")),
    };
    let explained: String = judged.explained.iter().map(|s| format!(" {s}")).collect();
    format!(
        "{first}{explained} {runs_with_outcome} of {runs} {} had a {}.",
        if runs == 1 { "run" } else { "runs" },
        measure.entry
    )
}

fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

fn median(values: &[f64]) -> Option<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    match v.len() {
        0 => None,
        n if n % 2 == 1 => v.get(mid).copied(),
        _ => Some((v.get(mid - 1)? + v.get(mid)?) / 2.0),
    }
}

/// "Hilly runs" from "hilly runs".
fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// "+2.3", "-0.4", "0.0" (never "-0.0").
fn signed(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r == 0.0 {
        "0.0".to_string()
    } else {
        format!("{r:+.1}")
    }
}

/// "2", "1.5": a setting as the runner wrote it.
fn number(x: f64) -> String {
    let s = format!("{x:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separated_groups_give_an_interval_above_zero() {
        let with = [3.0, 2.5, 3.5, 3.0, 2.0, 4.0];
        let without = [0.0, 0.5, -0.5, 0.0, 1.0, -1.0, 0.0];
        let (lo, hi) = bootstrap_interval(&with, &without, 2000, 0.95, 7).expect("interval");
        assert!(lo > 0.0, "lo {lo}");
        assert!(lo <= 3.0 && hi >= 3.0, "({lo}, {hi}) holds the effect 3.0");
    }

    #[test]
    fn identical_groups_give_an_interval_around_zero() {
        let values = [0.0, 1.0, -1.0, 2.0, 0.0, -2.0, 1.0];
        let (lo, hi) = bootstrap_interval(&values, &values, 2000, 0.95, 7).expect("interval");
        assert!(lo < 0.0 && hi > 0.0, "({lo}, {hi})");
    }

    #[test]
    fn a_wider_level_gives_a_wider_interval() {
        let with = [1.0, 2.0, 0.0, 3.0, 1.0];
        let without = [0.0, 1.0, -1.0, 0.0, 1.0, 0.0];
        let (lo95, hi95) = bootstrap_interval(&with, &without, 2000, 0.95, 1).expect("95");
        let (lo99, hi99) = bootstrap_interval(&with, &without, 2000, 0.996, 1).expect("99.6");
        assert!(lo99 <= lo95 && hi99 >= hi95);
    }

    #[test]
    fn the_bootstrap_is_deterministic_for_a_seed() {
        let with = [1.0, 4.0, 0.0];
        let without = [0.0, 2.0, -1.0, 1.0];
        let a = bootstrap_interval(&with, &without, 500, 0.95, 42);
        assert_eq!(a, bootstrap_interval(&with, &without, 500, 0.95, 42));
    }

    #[test]
    fn no_interval_from_an_empty_group_or_no_rounds() {
        assert_eq!(bootstrap_interval(&[], &[1.0], 100, 0.95, 1), None);
        assert_eq!(bootstrap_interval(&[1.0], &[1.0], 0, 0.95, 1), None);
    }

    #[test]
    fn the_permutation_test_tells_separated_from_alike() {
        let with = [3.0, 2.5, 3.5, 3.0, 2.0, 4.0];
        let without = [0.0, 0.5, -0.5, 0.0, 1.0, -1.0, 0.0];
        let p = permutation_p(&with, &without, 2000, 5).expect("p");
        assert!(p < 0.005, "p {p}");
        let values = [0.0, 1.0, -1.0, 2.0, 0.0, -2.0, 1.0];
        let p = permutation_p(&values, &values, 2000, 5).expect("p");
        assert!(p > 0.5, "p {p}");
        assert_eq!(permutation_p(&[], &values, 2000, 5), None);
    }

    /// Three runs that all happened to be followed by +1 or +2, against
    /// runs around 0: the percentile bootstrap cannot reach below the
    /// smallest of the three, so its interval excludes zero at any level;
    /// the permutation test knows three such runs out of 39 are not rare.
    #[test]
    fn three_lucky_runs_fool_the_bootstrap_but_not_the_permutation_test() {
        let with = [2.0, 2.0, 1.0];
        let without: Vec<f64> = (0..36).map(|i| f64::from(i % 5) - 2.0).collect();
        let (lo, _) = bootstrap_interval(&with, &without, 2000, 0.9955, 3).expect("interval");
        assert!(lo > 0.0, "the bootstrap alone would call it a link: {lo}");
        let p = permutation_p(&with, &without, 2000, 3).expect("p");
        assert!(p > 0.0045, "p {p}");
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }

    /// +1.0 with an interval −0.5 to +2.5 from 4 runs against 40: the
    /// half-width must shrink from 1.5 to under 1.0, i.e. the variance
    /// term `1/n + 1/40` from 0.275 to under 0.122, so 1/n < 0.097: 11
    /// runs, 7 more.
    #[test]
    fn more_runs_needed_scales_the_interval() {
        let only_with = |with| Some(MoreRuns { with, in_all: with });
        assert_eq!(
            more_runs_needed(1.0, (-0.5, 2.5), None, 4, 40),
            only_with(7)
        );
        // Both tests pass already, or no rise: nothing to ask for.
        assert_eq!(
            more_runs_needed(1.0, (0.1, 1.9), Some((3.0, 2.8)), 4, 40),
            None
        );
        assert_eq!(more_runs_needed(-1.0, (-2.5, 0.5), None, 4, 40), None);
        // Clear of zero but short of the permutation test's t: the test
        // binds, t 2.0 against the 3.0 needed is the same r = 2/3 as above.
        assert_eq!(
            more_runs_needed(1.0, (0.1, 1.9), Some((2.0, 3.0)), 4, 40),
            only_with(7)
        );
        // Half-width 1.25 for +1.0 from 10 runs against 10: runs with it
        // alone would take 26 more (1/(10 + k) < 0.028), both kinds fewer:
        // 20 / 0.64 = 31.25 in all, so 12 more, 6 with the factor.
        assert_eq!(
            more_runs_needed(1.0, (-0.25, 2.25), Some((1.9, 1.0)), 10, 10),
            Some(MoreRuns {
                with: 6,
                in_all: 12
            })
        );
        // So weak that not even doubling the history would tell.
        assert_eq!(more_runs_needed(0.1, (-2.0, 2.2), None, 40, 5), None);
    }

    #[test]
    fn numbers_read_plainly() {
        assert_eq!(signed(2.345), "+2.3");
        assert_eq!(signed(-0.04), "0.0");
        assert_eq!(signed(-1.25), "-1.3");
        assert_eq!(number(2.0), "2");
        assert_eq!(number(1.5), "1.5");
    }

    #[test]
    fn no_tolerance_when_rises_are_everywhere() {
        let points: Vec<(f64, bool)> = (0..12)
            .map(|i| (5000.0 + 500.0 * i as f64, i % 2 == 0))
            .collect();
        assert_eq!(
            tolerance("distance", &points, &ReportSettings::default()),
            None
        );
    }
}
