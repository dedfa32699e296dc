//! report: the correlation report of `tendonwatch report` — which kinds of
//! run were followed by a rise in next-morning pain (RULES.md C:
//! `pain_link`), the runner's personal tolerance ("Stop before it hurts",
//! "Achilles Tendonitis – Recovery and Workouts", reply to Amie; RULES.md C)
//! and pain by part of day (the same article, step 1). Pure: no I/O, no clock; the caller computes each run's factors
//! and pain outcome, and the bootstrap draws from its own seeded generator,
//! so the same input and seed always give the same report.
//!
//! RULES.md C says the link "never claims more than the data holds". Here
//! that means:
//! - a factor with fewer than `min_with` runs (or fewer than `min_without`
//!   runs to compare with) gets [`Verdict::NotEnoughData`], whatever its
//!   effect: two bad runs are an anecdote, not a link;
//! - with about a dozen factors compared at once, one of them would look
//!   "significant" by chance about half the time at a plain 95 % level. So,
//!   by default, each factor is judged at the level `1 − 0.05 / m` for the
//!   `m` factors compared (Bonferroni), and the words say "allowing for the
//!   m factors compared";
//! - a link needs two things at that level: the bootstrap percentile
//!   interval of the effect excludes zero, AND a permutation test says a
//!   difference this large rarely comes from splitting the same runs at
//!   random. The percentile bootstrap alone is too narrow for small groups —
//!   it never reaches beyond the values seen, so three runs that all
//!   happened to be followed by +1 or +2 "exclude zero" at any level. On
//!   pure noise (40 runs, ~11 factors, 1000 draws each of three noise
//!   shapes) the bootstrap alone with Bonferroni showed a false link in
//!   24–31 % of reports; with the permutation test as well, 2–5 % (and
//!   29–36 % without Bonferroni);
//! - the words say "followed by", never "causes", and a link from fewer than
//!   [`HINT_BELOW_RUNS`] runs is called a hint.

use crate::metrics::PartOfDay;
use crate::metrics::surface::Surface;
use serde::Serialize;

/// The family-wise level of the factors' intervals together.
pub const FAMILY_LEVEL: f64 = 0.95;
/// A link seen in fewer runs than this is "a hint".
pub const HINT_BELOW_RUNS: usize = 8;
/// `long_run`: as long as or longer than the longest run of the 30 days
/// before (RULES.md A `run_spike` measures the same ratio).
pub const LONG_RUN_RATIO: f64 = 1.0;
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
    /// Minutes ≥ 10 % faster than the runner's easy pace.
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
    pub during: Option<f64>,
    pub after: Option<f64>,
}

/// How much data a verdict needs, and the bootstrap's size and seed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportSettings {
    /// Fewest runs with a factor (and a next-morning entry) for a verdict.
    pub min_with: usize,
    /// Fewest runs without it to compare with.
    pub min_without: usize,
    /// A "rise" is a morning change ≥ this.
    pub rise: f64,
    /// Resampling rounds of the bootstrap, and random splits of the
    /// permutation test; 0 computes neither (and so no link). The smallest
    /// p-value is `1 / (rounds + 1)`: with too few rounds nothing can pass
    /// `0.05 / m`, which errs on the side of "no clear link".
    pub bootstrap_rounds: usize,
    pub seed: u64,
    /// Widen each factor's interval for the number of factors compared
    /// (Bonferroni), so that together they hold at [`FAMILY_LEVEL`]. Off,
    /// each interval is a plain 95 % one and with a dozen factors a chance
    /// "link" is likely.
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
    /// Fewer than `min_with` runs with the factor or `min_without` without.
    NotEnoughData,
    /// The interval includes 0, or the permutation test does not rule out
    /// chance at the report's level.
    NoClearLink,
    /// The interval excludes 0, the permutation p-value is below
    /// `1 − interval_level`, and the effect is positive: next-morning pain
    /// rose more after these runs.
    Link,
    /// As `Link`, with a negative effect: it rose less.
    Protective,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::NotEnoughData => "not_enough_data",
            Verdict::NoClearLink => "no_clear_link",
            Verdict::Link => "link",
            Verdict::Protective => "protective",
        }
    }
}

/// One factor compared: runs with it vs the runner's other runs, by the
/// next-morning pain change. Runs where the factor cannot be decided (no
/// climb data, unknown surface, …) or without a next-morning entry are in
/// neither group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactorResult {
    /// `long_run`, `hilly`, `fast`, `surface_<class>`, `new_shoes`,
    /// `lower_cadence`, `morning`, `midday`, `evening`, `night`.
    pub factor: String,
    pub n_with: usize,
    pub n_without: usize,
    pub mean_with: Option<f64>,
    pub mean_without: Option<f64>,
    /// mean_with − mean_without.
    pub effect: Option<f64>,
    /// Bootstrap percentile interval of the effect at [`Report::interval_level`]
    /// (the with and without groups resampled separately); None when the
    /// factor was not compared.
    pub interval: Option<(f64, f64)>,
    /// Two-sided permutation p-value of the effect: the share of random
    /// splits of the same runs (same group sizes) whose difference was at
    /// least as large, `(1 + k) / (1 + rounds)`. None when not compared.
    pub p_value: Option<f64>,
    /// Runs with the factor followed by a rise ≥ `settings.rise`.
    pub rises_with: usize,
    /// Runs without it followed by a rise.
    pub rises_without: usize,
    pub verdict: Verdict,
    /// One plain sentence, only as strong as the data.
    pub words: String,
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
    /// Factors with enough data to be compared (the Bonferroni `m`).
    pub factors_compared: usize,
    /// The level of each factor's interval: 0.95, or `1 − 0.05 / m` with
    /// [`ReportSettings::bonferroni`]. A factor's p-value must be below
    /// `1 − interval_level` for a verdict other than NoClearLink.
    pub interval_level: f64,
    /// Link factors first, largest effect first; then the rest in a fixed
    /// order (long run, hilly, fast, surfaces, new shoes, lower cadence,
    /// parts of day).
    pub factors: Vec<FactorResult>,
    /// Distance and/or climb tolerance; empty when none shows.
    pub tolerance: Vec<Tolerance>,
    /// One row per part of day that has runs, morning → night.
    pub part_of_day: Vec<PartOfDayRow>,
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
    let groups: Vec<(Factor, Groups)> = factors
        .into_iter()
        .map(|f| {
            let g = Groups::split(runs, &changes, &f);
            (f, g)
        })
        .collect();

    let enough = |g: &Groups| {
        g.with.len() >= settings.min_with.max(1) && g.without.len() >= settings.min_without.max(1)
    };
    let factors_compared = groups.iter().filter(|(_, g)| enough(g)).count();
    let interval_level = if settings.bonferroni && factors_compared > 1 {
        1.0 - (1.0 - FAMILY_LEVEL) / factors_compared as f64
    } else {
        FAMILY_LEVEL
    };

    let mut results: Vec<(FactorResult, String)> = groups
        .iter()
        .map(|(factor, g)| {
            let (interval, p_value) = if enough(g) {
                let seed = mix(settings.seed ^ fnv1a(factor.name.as_bytes()));
                let rounds = settings.bootstrap_rounds;
                (
                    bootstrap_interval(&g.with, &g.without, rounds, interval_level, seed),
                    permutation_p(&g.with, &g.without, rounds, mix(seed)),
                )
            } else {
                (None, None)
            };
            let judged = Judged {
                enough: enough(g),
                interval,
                p_value,
                alpha: 1.0 - interval_level,
                factors_compared,
            };
            let result = factor_result(factor, g, &judged, settings);
            (result, factor.runs(2))
        })
        .collect();
    // Links first, by effect; `sort_by` is stable, so the rest keep the
    // fixed order.
    results.sort_by(|(a, _), (b, _)| match (a.verdict, b.verdict) {
        (Verdict::Link, Verdict::Link) => {
            b.effect.unwrap_or(0.0).total_cmp(&a.effect.unwrap_or(0.0))
        }
        (Verdict::Link, _) => std::cmp::Ordering::Less,
        (_, Verdict::Link) => std::cmp::Ordering::Greater,
        _ => std::cmp::Ordering::Equal,
    });
    let summary = summary(&results, runs.len(), runs_with_outcome);
    let results = results.into_iter().map(|(r, _)| r).collect();

    let tolerance = tolerances(runs, &changes, settings);
    let part_of_day = part_of_day_rows(runs, &changes);

    Report {
        runs: runs.len(),
        runs_with_outcome,
        factors_compared,
        interval_level,
        factors: results,
        tolerance,
        part_of_day,
        summary,
    }
}

/// The yes/no question a factor asks of a run.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Question {
    LongRun,
    /// Climb per km at or above this.
    Hilly(f64),
    Fast,
    Surface(Surface),
    NewShoes,
    LowerCadence,
    PartOfDay(PartOfDay),
}

struct Factor {
    name: String,
    question: Question,
}

impl Factor {
    fn new(question: Question) -> Factor {
        let name = match question {
            Question::LongRun => "long_run".to_string(),
            Question::Hilly(_) => "hilly".to_string(),
            Question::Fast => "fast".to_string(),
            Question::Surface(s) => format!("surface_{}", s.as_str()),
            Question::NewShoes => "new_shoes".to_string(),
            Question::LowerCadence => "lower_cadence".to_string(),
            Question::PartOfDay(p) => p.as_str().to_string(),
        };
        Factor { name, question }
    }

    /// Some(yes/no), or None when this run cannot tell.
    fn decide(&self, run: &RunFactors) -> Option<bool> {
        match self.question {
            Question::LongRun => finite(run.distance_vs_longest_30d).map(|r| r >= LONG_RUN_RATIO),
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
            Question::LongRun => format!("long {runs}"),
            Question::Hilly(_) => format!("hilly {runs}"),
            Question::Fast => format!("fast {runs}"),
            Question::Surface(s) => format!("{} {runs}", s.as_str()),
            Question::NewShoes => format!("{runs} in new shoes"),
            Question::LowerCadence => format!("{runs} at lower cadence"),
            Question::PartOfDay(p) => format!("{} {runs}", p.as_str()),
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

    let mut factors = vec![
        Factor::new(Question::LongRun),
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

/// Next-morning changes of the runs with and without a factor.
struct Groups {
    with: Vec<f64>,
    without: Vec<f64>,
}

impl Groups {
    fn split(
        runs: &[(RunFactors, RunOutcome)],
        changes: &[Option<f64>],
        factor: &Factor,
    ) -> Groups {
        let mut g = Groups {
            with: Vec::new(),
            without: Vec::new(),
        };
        for ((run, _), change) in runs.iter().zip(changes) {
            match (factor.decide(run), change) {
                (Some(true), Some(c)) => g.with.push(*c),
                (Some(false), Some(c)) => g.without.push(*c),
                _ => {}
            }
        }
        g
    }
}

/// What the statistics said of one factor, for [`factor_result`].
struct Judged {
    enough: bool,
    interval: Option<(f64, f64)>,
    p_value: Option<f64>,
    /// `1 − interval_level`.
    alpha: f64,
    factors_compared: usize,
}

fn factor_result(
    factor: &Factor,
    g: &Groups,
    judged: &Judged,
    settings: &ReportSettings,
) -> FactorResult {
    let Judged {
        enough,
        interval,
        p_value,
        alpha,
        factors_compared,
    } = *judged;
    let mean_with = mean(&g.with);
    let mean_without = mean(&g.without);
    let effect = mean_with.zip(mean_without).map(|(a, b)| a - b);
    let rises = |v: &[f64]| v.iter().filter(|c| **c >= settings.rise).count();
    let (rises_with, rises_without) = (rises(&g.with), rises(&g.without));
    let (n_with, n_without) = (g.with.len(), g.without.len());

    let beyond_chance = p_value.is_some_and(|p| p < alpha);
    let verdict = match (enough, interval, effect) {
        (false, _, _) => Verdict::NotEnoughData,
        (true, Some((lo, _)), Some(e)) if beyond_chance && lo > 0.0 && e > 0.0 => Verdict::Link,
        (true, Some((_, hi)), Some(e)) if beyond_chance && hi < 0.0 && e < 0.0 => {
            Verdict::Protective
        }
        _ => Verdict::NoClearLink,
    };

    let followed = format!(
        "{rises_with} of {n_with} {} {} followed by a rise of ≥ {}",
        factor.runs(n_with),
        if rises_with == 1 { "was" } else { "were" },
        number(settings.rise),
    );
    let means = format!(
        "mean {} vs {} otherwise",
        signed(mean_with.unwrap_or(0.0)),
        signed(mean_without.unwrap_or(0.0)),
    );
    let interval_words = |(lo, hi): (f64, f64)| {
        let allowing = if settings.bonferroni && factors_compared > 1 {
            format!(", allowing for the {factors_compared} factors compared")
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
    let words = match (verdict, interval) {
        (Verdict::NotEnoughData, _) if n_with < settings.min_with.max(1) => format!(
            "not enough data: {n_with} {} with a next-morning entry (need {})",
            factor.runs(n_with),
            settings.min_with.max(1),
        ),
        (Verdict::NotEnoughData, _) => format!(
            "not enough data: only {n_without} other {} with a next-morning entry to compare with (need {})",
            if n_without == 1 { "run" } else { "runs" },
            settings.min_without.max(1),
        ),
        (Verdict::Link, Some(iv)) => format!("{followed} ({means}; {}){hint}", interval_words(iv)),
        (Verdict::Protective, Some(iv)) => format!(
            "{followed} ({means}; {}): next-morning pain went up less after these than after your other runs{hint}",
            interval_words(iv)
        ),
        _ => format!("{followed}; no clear difference from your other runs ({means})"),
    };

    FactorResult {
        factor: factor.name.clone(),
        n_with,
        n_without,
        mean_with,
        mean_without,
        effect,
        interval,
        p_value,
        rises_with,
        rises_without,
        verdict,
        words,
    }
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

/// The value at quantile `q` of sorted values (nearest rank).
fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let index = ((q * last as f64).round() as usize).min(last);
    sorted.get(index).copied()
}

/// splitmix64 (Steele, Lea, Flood 2014): tiny, seedable, good enough for
/// resampling indices; the report must not depend on a crate's generator
/// changing between versions.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in 0..n (multiply-shift; the bias is below 2⁻⁵⁰ for any n a
    /// runner's history holds).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}

/// splitmix64's finaliser: spreads a seed's bits.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a: each factor gets its own stream, so adding a factor (a new
/// surface in the data) leaves the others' intervals unchanged.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xCBF2_9CE4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01B3)
    })
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
                    format!("of {:.1} km or more", threshold / 1000.0),
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

/// Which factors show a link, and how much of the history could be used.
/// `results` pairs each factor with its plural noun ("hilly runs").
fn summary(results: &[(FactorResult, String)], runs: usize, runs_with_outcome: usize) -> String {
    let links: Vec<String> = results
        .iter()
        .filter(|(r, _)| r.verdict == Verdict::Link)
        .map(|(r, noun)| {
            format!(
                "after {noun} (mean {} vs {} otherwise)",
                signed(r.mean_with.unwrap_or(0.0)),
                signed(r.mean_without.unwrap_or(0.0)),
            )
        })
        .collect();
    let first = match links.as_slice() {
        [] => "No factor shows a clear link yet.".to_string(),
        [one] => format!("Next-morning pain rose more {one}."),
        [init @ .., last] => format!(
            "Next-morning pain rose more {} and {last}.",
            init.join(", ")
        ),
    };
    format!(
        "{first} {runs_with_outcome} of {runs} {} had a next-morning entry.",
        if runs == 1 { "run" } else { "runs" }
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
    fn indices_stay_in_range_and_cover_it() {
        let mut rng = SplitMix64(3);
        let mut seen = [0usize; 5];
        for _ in 0..5000 {
            let i = rng.below(5);
            assert!(i < 5);
            seen[i] += 1;
        }
        assert!(seen.iter().all(|n| *n > 800), "{seen:?}");
    }

    #[test]
    fn percentile_and_median() {
        let sorted = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(percentile(&sorted, 0.0), Some(1.0));
        assert_eq!(percentile(&sorted, 0.5), Some(3.0));
        assert_eq!(percentile(&sorted, 1.0), Some(5.0));
        assert_eq!(percentile(&[], 0.5), None);
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[]), None);
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
