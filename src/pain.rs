//! pain: the runner's own signal (RULES.md C) as plain data — entries,
//! kinds, validation, the kind guessed from the time of day, and VISA-A.
//! Pure: the caller passes "now" and the runs around.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PainKind {
    /// During the run.
    During,
    /// After the run, that day.
    After,
    /// On getting up the next morning.
    Morning,
}

impl PainKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PainKind::During => "during",
            PainKind::After => "after",
            PainKind::Morning => "morning",
        }
    }

    pub fn parse(text: &str) -> Result<PainKind, String> {
        match text {
            "during" => Ok(PainKind::During),
            "after" => Ok(PainKind::After),
            "morning" => Ok(PainKind::Morning),
            other => Err(format!("unknown kind '{other}' (during, after or morning)")),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Left,
    Right,
    Both,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Left => "left",
            Side::Right => "right",
            Side::Both => "both",
        }
    }

    pub fn parse(text: &str) -> Result<Side, String> {
        match text {
            "left" => Ok(Side::Left),
            "right" => Ok(Side::Right),
            "both" => Ok(Side::Both),
            other => Err(format!("unknown side '{other}' (left, right or both)")),
        }
    }
}

/// One logged pain entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PainEntry {
    pub id: i64,
    pub at_ms: i64,
    /// 0 (none) to 10 (worst ever).
    pub score: f64,
    pub kind: PainKind,
    pub stiffness_min: Option<f64>,
    pub side: Option<Side>,
    pub note: Option<String>,
}

/// A score from text: 0 to 10 in whole or half points ("3", "3.5").
/// A finer fraction is refused rather than rounded: what the runner typed
/// is what is stored, listed, charted and exported, so it must be a score
/// every reader can show as it is.
pub fn parse_score(text: &str) -> Result<f64, String> {
    let score: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("pain score '{text}' is not a number (0 to 10)"))?;
    if !(0.0..=10.0).contains(&score) {
        return Err(format!(
            "pain score {text} is out of range: pain is scored 0 (none) to 10 (worst ever)"
        ));
    }
    if (score * 2.0).fract() != 0.0 {
        return Err(format!(
            "pain score {text}: give whole or half points (0, 0.5, 1 … 10)"
        ));
    }
    // "-0" is a zero.
    Ok(crate::units::unsigned_zero(score))
}

/// A score as a runner writes it: "3", "2.5" (the one formatter, in
/// `units`).
pub use crate::units::score as score_text;

pub fn parse_stiffness(text: &str) -> Result<f64, String> {
    let minutes: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("stiffness '{text}' is not a number of minutes"))?;
    if !(0.0..=24.0 * 60.0).contains(&minutes) {
        return Err(format!("stiffness {text} min is out of range (0 to 1440)"));
    }
    Ok(minutes)
}

/// How far back the pain log lists by default (the CLI, its JSON, the
/// dashboard's page and API): eight weeks and a few days, long enough to
/// see a morning trend across a return-to-running block.
pub const LIST_DAYS: i64 = 60;

/// A listing's `--days` / `?days=`: 1 to 36,500 (a hundred years).
pub fn parse_list_days(text: &str) -> Result<i64, String> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|d| (1..=36_500).contains(d))
        .ok_or_else(|| format!("days {text}: give 1 to 36500 days"))
}

/// Entries may be logged a little ahead of this machine's clock (a phone's
/// clock), never more.
pub const FUTURE_SLACK_MS: i64 = 5 * 60 * 1000;

/// The kind the runner most likely means, from the local hour and the last
/// run: within 90 minutes of a run's end it is how the run went (`during`);
/// later that day `after`; before 11:00 with no run yet today, `morning`.
pub fn guess_kind(at_ms: i64, local_offset_s: i32, last_run_end_ms: Option<i64>) -> PainKind {
    let local_ms = at_ms + i64::from(local_offset_s) * 1000;
    let day_start_local = local_ms.div_euclid(86_400_000) * 86_400_000;
    let hour = (local_ms - day_start_local) / 3_600_000;
    let run_today = last_run_end_ms
        .filter(|end| end + i64::from(local_offset_s) * 1000 >= day_start_local && *end <= at_ms);
    match run_today {
        Some(end) if at_ms - end <= 90 * 60 * 1000 => PainKind::During,
        Some(_) => PainKind::After,
        None if hour < 11 => PainKind::Morning,
        None => PainKind::After,
    }
}

/// VISA-A (Robinson et al., Br J Sports Med 2001): eight questions, 0–100,
/// higher is better. Questions 1–6 score 0–10; question 7 scores 0, 4, 7 or
/// 10; question 8 depends on whether pain stops the runner (part A: no pain,
/// 0–30; B: pain but it does not stop you, 0–20; C: pain stops you, 0–10).
pub const VISA_A_QUESTIONS: [&str; 7] = [
    "1. For how many minutes are your Achilles stiff on first getting up? (0 = 100 min or more … 10 = none)",
    "2. Once warmed up, how painful is stretching the Achilles over the edge of a step? (0 = strong, severe pain … 10 = no pain)",
    "3. After walking on flat ground for 30 minutes, how painful is it within the next 2 hours? (0 … 10 = no pain)",
    "4. How painful is walking downstairs with a normal gait? (0 … 10 = no pain)",
    "5. How painful are 10 single-leg heel raises from a flat surface? (0 … 10 = no pain)",
    "6. How many single-leg hops can you do without pain? (0 … 10)",
    "7. Are you doing sport now? (0 = not at all, 4 = modified training, 7 = full training below your old level, 10 = at or above your old level)",
];

/// The points an answer may take, as a runner reads them: "0, 7, 14, 21
/// or 30".
pub fn choices(points: &[u8]) -> String {
    let text: Vec<String> = points.iter().map(u8::to_string).collect();
    match text.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => text.join(""),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisaA {
    pub q1_to_q7: [u8; 7],
    /// 'a', 'b' or 'c' and its points.
    pub q8_part: char,
    pub q8_points: u8,
}

impl VisaA {
    pub fn validate(&self) -> Result<(), String> {
        for (i, v) in self.q1_to_q7.iter().enumerate().take(6) {
            if *v > 10 {
                return Err(format!("question {}: {v} is out of range (0 to 10)", i + 1));
            }
        }
        if ![0, 4, 7, 10].contains(&self.q1_to_q7[6]) {
            return Err(format!(
                "question 7: {} is not one of 0, 4, 7, 10",
                self.q1_to_q7[6]
            ));
        }
        let allowed: &[u8] = match self.q8_part {
            'a' => &[0, 7, 14, 21, 30],
            'b' => &[0, 4, 10, 14, 20],
            'c' => &[0, 2, 5, 7, 10],
            other => return Err(format!("question 8: part '{other}' is not a, b or c")),
        };
        if !allowed.contains(&self.q8_points) {
            return Err(format!(
                "question 8{}: {} is not one of {}",
                self.q8_part,
                self.q8_points,
                choices(allowed)
            ));
        }
        Ok(())
    }

    pub fn score(&self) -> f64 {
        f64::from(
            self.q1_to_q7.iter().map(|v| u32::from(*v)).sum::<u32>() + u32::from(self.q8_points),
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn scores_outside_0_to_10_are_refused_with_a_clear_message() {
        assert_eq!(parse_score("3"), Ok(3.0));
        assert_eq!(parse_score("2.5"), Ok(2.5));
        assert_eq!(parse_score("10"), Ok(10.0));
        assert!(parse_score("-0").is_ok_and(|s| s.is_sign_positive()));
        assert!(
            parse_score("3.3")
                .unwrap_err()
                .contains("whole or half points")
        );
        assert!(parse_score("3.25").is_err());
        assert!(parse_score("11").unwrap_err().contains("0 (none) to 10"));
        assert!(parse_score("-1").is_err());
        assert!(parse_score("bad").unwrap_err().contains("not a number"));
    }

    #[test]
    fn the_kind_follows_the_day() {
        let day = 1_767_571_200_000; // a midnight UTC
        let h = |x: i64| day + x * 3_600_000;
        assert_eq!(guess_kind(h(7), 0, None), PainKind::Morning);
        assert_eq!(guess_kind(h(15), 0, None), PainKind::After);
        assert_eq!(guess_kind(h(8), 0, Some(h(7))), PainKind::During);
        assert_eq!(guess_kind(h(20), 0, Some(h(7))), PainKind::After);
        // A run yesterday evening does not make this morning "after".
        assert_eq!(guess_kind(h(7), 0, Some(h(-4))), PainKind::Morning);
    }

    #[test]
    fn visa_a_adds_up_to_100_at_best() {
        let best = VisaA {
            q1_to_q7: [10, 10, 10, 10, 10, 10, 10],
            q8_part: 'a',
            q8_points: 30,
        };
        assert_eq!(best.validate(), Ok(()));
        assert_eq!(best.score(), 100.0);
        let bad = VisaA {
            q8_part: 'b',
            q8_points: 30,
            ..best
        };
        assert!(bad.validate().is_err());
    }
}
