//! What the 24-hour rule says for today, in words, the moment the morning
//! is answered (RULES.md I: "the answer is judged at once"; RULES.md C:
//! `pain_24h`, the next morning against the last morning before the run).
//!
//! [`verdict`] is pure: a [`Morning`] in, one sentence out. [`Morning::read`]
//! gathers it from the store with the same reading the rule uses
//! (`rules::pain::next_morning_of`), so the page and the alert never
//! disagree about which run and which baseline count.

use crate::finding::RuleId;
use crate::pain::score_text;
use crate::rules::pain::{NEXT_MORNING_LOOKBACK_MS, next_morning_of, settled};
use crate::store::{Store, StoreError};
use crate::zone::Zone;
use chrono::{Datelike, Weekday};

/// A morning's answer and what it is judged against.
#[derive(Debug, Clone, PartialEq)]
pub struct Morning {
    /// This morning's pain, 0–10.
    pub score: f64,
    /// `[profile] pain_limit` (3 return, 5 normal).
    pub limit: f64,
    /// The run this is the next morning of (ended within 30 hours), if any.
    pub run: Option<RunBefore>,
}

/// The run before the morning, as the verdict names it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunBefore {
    pub distance_m: f64,
    /// Local days from the run's day to the morning's: 0 the same day,
    /// 1 yesterday.
    pub days_before: i64,
    /// The run's local weekday, named when it was two days back or more.
    pub weekday: Weekday,
    /// What the run introduced, from its alerts (any order, repeats allowed).
    pub new: Vec<RuleId>,
    /// The last morning logged in the 7 days before the run; None: no
    /// baseline to compare with.
    pub baseline: Option<f64>,
}

/// One sentence: what the answer means for today's run.
pub fn verdict(m: &Morning) -> String {
    let score = score_text(m.score);
    if m.score > m.limit {
        let after = m
            .run
            .as_ref()
            .map(|r| format!(" after {}", run_words(r)))
            .unwrap_or_default();
        return format!(
            "{score} is above your pain limit of {}{after} — no run today: rest or cross-train, and run again once mornings are back at {} or below.",
            score_text(m.limit),
            score_text(m.limit)
        );
    }
    let Some(run) = &m.run else {
        return format!(
            "No run in the last 30 hours, so the 24-hour rule has nothing to judge: this morning's {score} is your baseline for the next run."
        );
    };
    let Some(baseline) = run.baseline else {
        return format!(
            "Nothing logged in the week before {} to compare with: this morning's {score} becomes your baseline.",
            run_words(run)
        );
    };
    let base = score_text(baseline);
    if !settled(m.score, baseline) {
        return format!(
            "{score} against your usual {base} after {} — make today easy or rest.",
            run_words(run)
        );
    }
    let against = if m.score <= baseline - 1.0 {
        "Below"
    } else if m.score <= baseline {
        "Back to"
    } else {
        "Within a point of"
    };
    format!("{against} your baseline of {base} — today's run can go ahead as planned.")
}

/// "yesterday's hills", "Sunday's 14.2 km run".
fn run_words(run: &RunBefore) -> String {
    let day = match run.days_before {
        0 => "today's".to_string(),
        1 => "yesterday's".to_string(),
        _ => format!("{}'s", weekday_name(run.weekday)),
    };
    let mut words: Vec<&str> = NEW_IN_RUN
        .iter()
        .filter(|(kind, _)| run.new.contains(kind))
        .map(|(_, words)| *words)
        .collect();
    // "Two new things at once" says less than the two things it counts.
    if words.len() > 1 {
        words.retain(|w| *w != STACKED);
    }
    match words.as_slice() {
        [] => format!("{day} {} run", crate::units::km(run.distance_m)),
        [one] => format!("{day} {one}"),
        [rest @ .., last] => format!("{day} {} and {last}", rest.join(", ")),
    }
}

const STACKED: &str = "two new things at once";

/// What a run's alerts say was new in it, as nouns after "yesterday's":
/// what the run itself brought first, then what it did to the week. Pain
/// and sport alerts say nothing about the run and are not named.
const NEW_IN_RUN: [(RuleId, &str); 11] = [
    (RuleId::HillIntro, "hills"),
    (RuleId::SpeedIntro, "speed work"),
    (RuleId::SurfaceChange, "new surface"),
    (RuleId::RunSpike, "long run"),
    (RuleId::PaceAndDistance, "faster, longer run"),
    (RuleId::CadenceShift, "longer strides"),
    (RuleId::ShoeDrop, "lower-drop shoes"),
    (RuleId::StackedIntro, STACKED),
    (RuleId::WeekJump, "jump in weekly distance"),
    (RuleId::FrequencyJump, "extra run"),
    (RuleId::Acwr, "jump in load"),
];

fn weekday_name(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

impl Morning {
    /// The verdict's inputs for a morning scored `score` at `at_ms`, read
    /// from the store the way the 24-hour rule reads them.
    pub fn read(
        store: &Store,
        zone: &Zone,
        limit: f64,
        at_ms: i64,
        score: f64,
    ) -> Result<Morning, StoreError> {
        let from = at_ms - NEXT_MORNING_LOOKBACK_MS;
        let runs = store.run_records(from, at_ms + 1, zone)?;
        let entries = store.pain_between(from, at_ms)?;
        let run = match next_morning_of(&runs, &entries, at_ms) {
            None => None,
            Some(next) => {
                let new = store
                    .alerts_about(next.run.activity_id)?
                    .iter()
                    .filter_map(|a| RuleId::parse(&a.kind))
                    .collect();
                let day = |ms| super::schedule::local_date(zone, ms);
                let run_day = day(next.run.start_ms);
                Some(RunBefore {
                    distance_m: next.run.distance_m(),
                    days_before: match (run_day, day(at_ms)) {
                        (Some(r), Some(m)) => (m - r).num_days(),
                        _ => 1,
                    },
                    weekday: run_day.map_or(Weekday::Mon, |d| d.weekday()),
                    new,
                    baseline: next.before.map(|e| e.score),
                })
            }
        };
        Ok(Morning { score, limit, run })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(run: RunBefore, score: f64) -> String {
        verdict(&Morning {
            score,
            limit: 3.0,
            run: Some(run),
        })
    }

    fn yesterday(new: Vec<RuleId>, baseline: Option<f64>) -> RunBefore {
        RunBefore {
            distance_m: 14_230.0,
            days_before: 1,
            weekday: Weekday::Sun,
            new,
            baseline,
        }
    }

    #[test]
    fn back_at_the_baseline_the_run_goes_ahead() {
        assert_eq!(
            after(yesterday(vec![RuleId::HillIntro], Some(1.0)), 1.0),
            "Back to your baseline of 1 — today's run can go ahead as planned."
        );
        assert_eq!(
            after(yesterday(vec![], Some(2.0)), 0.0),
            "Below your baseline of 2 — today's run can go ahead as planned."
        );
        // Half a point up does not raise pain_24h: the verdict agrees.
        assert_eq!(
            after(yesterday(vec![], Some(1.0)), 1.5),
            "Within a point of your baseline of 1 — today's run can go ahead as planned."
        );
    }

    #[test]
    fn a_point_above_the_baseline_names_what_was_new_in_the_run() {
        assert_eq!(
            after(yesterday(vec![RuleId::HillIntro], Some(1.0)), 3.0),
            "3 against your usual 1 after yesterday's hills — make today easy or rest."
        );
        // One point up is where the rule warns.
        assert!(after(yesterday(vec![], Some(1.0)), 2.0).starts_with("2 against your usual 1"));
        // Several new things, in a fixed order (the run's own first, then
        // the week's), each once; the stacked alert is not named beside
        // the things it counts.
        assert_eq!(
            after(
                yesterday(
                    vec![
                        RuleId::StackedIntro,
                        RuleId::SpeedIntro,
                        RuleId::HillIntro,
                        RuleId::SpeedIntro,
                        RuleId::Pain24h
                    ],
                    Some(0.0)
                ),
                2.0
            ),
            "2 against your usual 0 after yesterday's hills and speed work — make today easy or rest."
        );
        assert_eq!(
            after(
                yesterday(
                    vec![
                        RuleId::WeekJump,
                        RuleId::RunSpike,
                        RuleId::SurfaceChange,
                        RuleId::HillIntro
                    ],
                    Some(0.0)
                ),
                2.0
            ),
            "2 against your usual 0 after yesterday's hills, new surface, long run and jump in weekly distance — make today easy or rest."
        );
    }

    #[test]
    fn a_run_with_nothing_new_is_named_by_its_distance_and_day() {
        assert_eq!(
            after(yesterday(vec![RuleId::SportQuestion], Some(1.0)), 2.0),
            "2 against your usual 1 after yesterday's 14.2 km run — make today easy or rest."
        );
        let sunday = RunBefore {
            days_before: 2,
            ..yesterday(vec![], Some(1.0))
        };
        assert!(after(sunday, 2.0).contains("after Sunday's 14.2 km run"));
        let today = RunBefore {
            days_before: 0,
            ..yesterday(vec![RuleId::SpeedIntro], Some(1.0))
        };
        assert!(after(today, 2.0).contains("after today's speed work"));
    }

    #[test]
    fn no_run_in_30_hours_leaves_nothing_to_judge() {
        let v = verdict(&Morning {
            score: 2.0,
            limit: 3.0,
            run: None,
        });
        assert_eq!(
            v,
            "No run in the last 30 hours, so the 24-hour rule has nothing to judge: this morning's 2 is your baseline for the next run."
        );
    }

    #[test]
    fn no_morning_before_the_run_makes_this_one_the_baseline() {
        assert_eq!(
            after(yesterday(vec![RuleId::HillIntro], None), 2.0),
            "Nothing logged in the week before yesterday's hills to compare with: this morning's 2 becomes your baseline."
        );
    }

    #[test]
    fn above_the_pain_limit_says_so_plainly_whatever_the_baseline() {
        assert_eq!(
            after(yesterday(vec![RuleId::HillIntro], Some(4.0)), 4.0),
            "4 is above your pain limit of 3 after yesterday's hills — no run today: rest or cross-train, and run again once mornings are back at 3 or below."
        );
        let v = verdict(&Morning {
            score: 6.0,
            limit: 5.0,
            run: None,
        });
        assert!(
            v.starts_with("6 is above your pain limit of 5 — no run today"),
            "{v}"
        );
        // At the limit is not above it.
        assert!(after(yesterday(vec![], Some(3.0)), 3.0).starts_with("Back to"));
    }
}
