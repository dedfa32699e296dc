//! checkin: the morning question "How is your Achilles this morning?"
//! (RULES.md I) — when it is asked (`schedule`, pure). The pain signal every
//! pain rule and the report stand on arrives only if answering costs one tap.

pub mod schedule;

use crate::notify::QuietHours;
use crate::rules::Mode;
use schedule::{Days, Plan};
use serde::Deserialize;

/// `[checkin]`: when the morning question goes out. A `[[runner]]` may
/// carry their own.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CheckinConfig {
    /// Local time "HH:MM", in the morning (before 13:00).
    pub hour: String,
    /// "daily", "after-runs" or "off"; unset: daily in the `return`
    /// profile, after run days in `normal` (RULES.md I).
    pub days: Option<String>,
}

impl Default for CheckinConfig {
    fn default() -> Self {
        CheckinConfig {
            hour: "07:30".to_string(),
            days: None,
        }
    }
}

impl CheckinConfig {
    /// The plan for a runner in `mode` with these quiet hours; the error
    /// names the key and what is wrong.
    pub fn plan(&self, mode: Mode, quiet: Option<QuietHours>) -> Result<Plan, String> {
        let minute_of_day = schedule::parse_hour(&self.hour)
            .map_err(|e| format!("[checkin] hour = \"{}\": {e}", self.hour))?;
        let days = match &self.days {
            Some(text) => {
                Days::parse(text).map_err(|e| format!("[checkin] days = \"{text}\": {e}"))?
            }
            None => match mode {
                Mode::Return => Days::Daily,
                Mode::Normal => Days::AfterRuns,
            },
        };
        Ok(Plan {
            minute_of_day,
            days,
            quiet,
        })
    }
}
